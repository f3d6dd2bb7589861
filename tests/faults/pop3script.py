#!/usr/bin/python3
"""A scripted POP3 server on 127.0.0.1, for what a real server (Dovecot)
never does; everything else is tested against the real Dovecot.

    from pop3script import Pop3Script
    with Pop3Script("no_uidl", [raw1, raw2]) as server:
        ... pop3://alice@127.0.0.1:server.port, password alice-pw ...
        server.commands     # [line, ...]: every line clients sent, in order
                            # (bytes, without the CRLF), across connections
        server.deleted      # indices into messages, deleted at a QUIT
        server.remaining    # indices still in the maildrop

messages is a list of bytes, each a whole RFC 5322 message with CRLF line
ends. The maildrop is shared by all connections: a message deleted at one
session's QUIT is gone for the next (the others are renumbered 1..n, as a
real server does), and nothing else ever changes it.

The server speaks RFC 1939 (with RFC 2449 CAPA and RFC 5034 AUTH):
greeting "+OK"; in the AUTHORIZATION state CAPA, USER/PASS and AUTH PLAIN
(with an initial response, or after a "+ " continuation; "*" cancels) for
alice/alice-pw, and QUIT; once logged in STAT, LIST [n], UIDL [n], RETR n,
TOP n k, DELE n, NOOP, RSET, CAPA and QUIT. RETR and TOP send CRLF lines,
dot-stuffed, ended by "."; a message not ending in CRLF gets one. DELE
only marks a message (marked ones are left out of STAT, LIST and UIDL and
cannot be retrieved); the marks are applied at QUIT, and only there:
a session that ends any other way deletes nothing, and RSET unmarks.
Unique ids are "pop3script-N-HASH" (N the message's index in messages,
HASH from its bytes), the same in every session. Anything else gets
"-ERR unknown command".

Scenarios (SCENARIOS maps each to a one-line description): normal,
no_uidl, cut_in_retr, cut_in_uidl. The cut_* ones break only the first
connection that gets that far (server.faults counts the breaks); later
ones are served as by normal, so a rerun can finish.

Command line, for trying a scenario by hand (serves N small messages):
    pop3script.py SCENARIO [N]
"""

import asyncio
import base64
import hashlib
import sys
import threading

from background import BackgroundServer, serve_until_interrupted  # noqa: E402
USER = b"alice"
PASSWORD = b"alice-pw"

SCENARIOS = {
    "normal": "an honest RFC 1939 server with CAPA, UIDL and TOP (the control case)",
    "no_uidl": "no UIDL: it is not in CAPA, and UIDL (with or without an "
               "argument) gets -ERR unknown command",
    "cut_in_retr": "the first RETR of message 2 sends +OK and half the message, "
                   "then the connection closes",
    "cut_in_uidl": "the first UIDL listing (no argument) sends +OK and one line, "
                   "then the connection closes",
}


def stuffed(data):
    """data (bytes) as a multi-line POP3 answer body: CRLF lines,
    dot-stuffed, ended by ".\\r\\n"."""
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    lines = data[:-2].split(b"\r\n")
    return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                    for l in lines) + b".\r\n"


def top(data, k):
    """The header, the blank line and the first k body lines of data."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return data
    lines = body.split(b"\r\n")
    if body.endswith(b"\r\n"):
        lines = lines[:-1]
    return head + b"\r\n\r\n" + b"".join(l + b"\r\n" for l in lines[:k])


class _Session:
    def __init__(self, server, reader, writer):
        self.server = server
        self.scenario = server.scenario
        self.reader, self.writer = reader, writer
        self.user = None
        self.logged_in = False
        self.drop = []              # indices into server.messages, numbered 1..n
        self.marked = set()         # message numbers marked by DELE

    async def send(self, *lines):
        self.writer.write(b"".join(l + b"\r\n" for l in lines))
        await self.writer.drain()

    async def read_line(self):
        line = await self.reader.readuntil(b"\n")
        line = line.rstrip(b"\r\n")
        self.server._note(line)
        return line

    def capa(self):
        caps = [b"TOP", b"USER", b"SASL PLAIN", b"RESP-CODES", b"AUTH-RESP-CODE"]
        if self.scenario != "no_uidl":
            caps.insert(1, b"UIDL")
        return caps

    async def run(self):
        await self.send(b"+OK pop3script ready")
        while True:
            try:
                line = await self.read_line()
            except asyncio.IncompleteReadError:
                return
            words = line.split()
            if not words:
                await self.send(b"-ERR no command")
                continue
            name, args = words[0].upper(), words[1:]
            if name == b"QUIT":
                if self.logged_in:
                    self.server._delete([self.drop[n - 1] for n in sorted(self.marked)])
                await self.send(b"+OK bye")
                return
            if name == b"CAPA":
                await self.send(b"+OK capability list follows", *self.capa(), b".")
            elif not self.logged_in:
                await self.authorization(name, args)
            elif await self.transaction(name, args) == "close":
                return

    # ---- AUTHORIZATION state
    async def authorization(self, name, args):
        if name == b"USER" and len(args) == 1:
            self.user = args[0]
            await self.send(b"+OK say PASS")
        elif name == b"PASS" and self.user is not None:
            # The password is the rest of the line (it may hold spaces).
            await self.login(self.user, b" ".join(args))
        elif name == b"AUTH" and args:
            await self.authenticate(args)
        else:
            await self.send(b"-ERR unknown command")

    async def authenticate(self, args):
        if args[0].upper() != b"PLAIN":
            await self.send(b"-ERR mechanism not supported")
            return
        if len(args) >= 2:
            answer = args[1]
        else:
            await self.send(b"+ ")
            try:
                answer = (await self.read_line()).strip()
            except asyncio.IncompleteReadError:
                return
        if answer == b"*":
            await self.send(b"-ERR AUTH cancelled")
            return
        if answer == b"=":
            answer = b""
        try:
            fields = base64.b64decode(answer, validate=True).split(b"\0")
        except ValueError:
            fields = []
        if len(fields) == 3 and fields[0] in (b"", fields[1]):
            await self.login(fields[1], fields[2])
        else:
            await self.send(b"-ERR [AUTH] malformed PLAIN response")

    async def login(self, user, password):
        self.user = None
        if user == USER and password == PASSWORD:
            self.logged_in = True
            self.drop = self.server._snapshot()
            await self.send(b"+OK logged in, %d messages" % len(self.drop))
        else:
            await self.send(b"-ERR [AUTH] wrong user name or password")

    # ---- TRANSACTION state
    def number(self, arg):
        """The message number arg names, or None when there is no such
        (or only a deleted) message."""
        try:
            n = int(arg)
        except ValueError:
            return None
        if 1 <= n <= len(self.drop) and n not in self.marked:
            return n
        return None

    def data(self, n):
        return self.server.messages[self.drop[n - 1]]

    def uid(self, n):
        i = self.drop[n - 1]
        return b"pop3script-%d-%s" % (i, hashlib.sha1(self.server.messages[i])
                                      .hexdigest()[:8].encode())

    def live(self):
        return [n for n in range(1, len(self.drop) + 1) if n not in self.marked]

    async def cut(self, data):
        """Send +OK and the first half of data (a multi-line answer), then
        have the connection closed."""
        self.writer.write(b"+OK here it comes\r\n" + data[:len(data) // 2])
        await self.writer.drain()
        return "close"

    async def transaction(self, name, args):
        """Answer one command; "close" to close the connection."""
        if (name, len(args), self.scenario) in ((b"UIDL", 0, "cut_in_uidl"),
                                                (b"RETR", 1, "cut_in_retr")) \
                and (name == b"UIDL" or self.number(args[0]) == 2) and self.server._fault():
            if name == b"UIDL":
                return await self.cut(b"".join(b"%d %s\r\n" % (n, self.uid(n))
                                               for n in self.live()))
            return await self.cut(stuffed(self.data(2)))
        if name == b"UIDL" and self.scenario == "no_uidl":
            await self.send(b"-ERR unknown command")
        elif name == b"STAT" and not args:
            live = self.live()
            await self.send(b"+OK %d %d" % (len(live), sum(len(self.data(n)) for n in live)))
        elif name in (b"LIST", b"UIDL") and len(args) <= 1:
            value = (lambda n: b"%d" % len(self.data(n))) if name == b"LIST" else self.uid
            if args:
                n = self.number(args[0])
                if n is None:
                    await self.send(b"-ERR no such message")
                else:
                    await self.send(b"+OK %d %s" % (n, value(n)))
            else:
                await self.send(b"+OK listing follows",
                                *[b"%d %s" % (n, value(n)) for n in self.live()], b".")
        elif name == b"RETR" and len(args) == 1:
            n = self.number(args[0])
            if n is None:
                await self.send(b"-ERR no such message")
            else:
                self.writer.write(b"+OK %d octets\r\n" % len(self.data(n))
                                  + stuffed(self.data(n)))
                await self.writer.drain()
        elif name == b"TOP" and len(args) == 2:
            n = self.number(args[0])
            if n is None or not args[1].isdigit():
                await self.send(b"-ERR no such message")
            else:
                self.writer.write(b"+OK top of message follows\r\n"
                                  + stuffed(top(self.data(n), int(args[1]))))
                await self.writer.drain()
        elif name == b"DELE" and len(args) == 1:
            n = self.number(args[0])
            if n is None:
                await self.send(b"-ERR no such message")
            else:
                self.marked.add(n)
                await self.send(b"+OK message %d marked" % n)
        elif name == b"NOOP" and not args:
            await self.send(b"+OK")
        elif name == b"RSET" and not args:
            self.marked.clear()
            await self.send(b"+OK maildrop has %d messages" % len(self.drop))
        else:
            await self.send(b"-ERR unknown command")


class Pop3Script(BackgroundServer):
    """Pop3Script(scenario, messages): see the module's doc."""
    name = "pop3script"
    limit = 1 << 16

    def __init__(self, scenario, messages):
        super().__init__()
        if scenario not in SCENARIOS:
            raise ValueError("unknown scenario %r" % (scenario,))
        self.scenario = scenario
        self.messages = [bytes(m) for m in messages]
        self.commands = []
        self.deleted = []           # indices into messages, in the order deleted
        self.errors = []            # exceptions other than the client leaving
        self.faults = 0             # connections a cut_* scenario broke
        self._remaining = list(range(len(self.messages)))
        self._lock = threading.Lock()

    @property
    def remaining(self):
        with self._lock:
            return list(self._remaining)

    def _note(self, line):
        with self._lock:
            self.commands.append(line)

    def _fault(self):
        """True the first time a cut_* scenario's moment comes."""
        with self._lock:
            if self.faults:
                return False
            self.faults = 1
            return True

    def _snapshot(self):
        with self._lock:
            return list(self._remaining)

    def _delete(self, indices):
        with self._lock:
            for i in indices:
                if i in self._remaining:
                    self._remaining.remove(i)
                    self.deleted.append(i)

    async def handle(self, reader, writer):
        await self.serve_session(_Session(self, reader, writer), writer)


def sample(count):
    """count small messages, for trying the server by hand."""
    return [(b"From: bob@example.org\r\nTo: alice@example.org\r\n"
             b"Subject: scripted %d\r\nMessage-ID: <script%d@example.org>\r\n"
             b"\r\nbody %d\r\n.a line with a leading dot\r\n.\r\nend\r\n" % (i, i, i))
            for i in range(1, count + 1)]


def main(argv):
    if len(argv) not in (2, 3) or argv[1] not in SCENARIOS or (
            len(argv) == 3 and not argv[2].isdigit()):
        sys.stderr.write(__doc__)
        return 2
    count = int(argv[2]) if len(argv) == 3 else 3
    return serve_until_interrupted(Pop3Script(argv[1], sample(count)), argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
