#!/usr/bin/python3
"""A scripted, hostile IMAP server on 127.0.0.1, for responses that no real
server sends (everything else is tested against the real Dovecot).

    from hostile import HostileServer
    with HostileServer("deep_parens") as server:
        ... imap://alice@127.0.0.1:server.port, password alice-pw ...
        server.commands     # [(tag, command), ...] as received (bytes)

It greets with
    * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN LITERAL+ SPECIAL-USE IDLE] hostile ready
and answers CAPABILITY, LOGIN and AUTHENTICATE PLAIN (with an initial
response or after a "+" continuation) correctly for alice/alice-pw,
whatever the tag. Once logged in, the scenario decides what LIST and
STATUS (and, for "silent", everything) get; ENABLE and NOOP get OK, ID
gets "* ID NIL", LOGOUT gets "* BYE" and OK, anything else BAD. Client
literals ({N} and {N+}) are read exactly. A STATUS answer echoes the
mailbox it was asked about, with MESSAGES = 10 + the name's length in bytes
and UNSEEN 1, so a test can tell which answer went to which folder.

Scenarios (SCENARIOS maps each to a one-line description): normal,
huge_literal, big_literal, deep_parens, forged_completion, bye,
bad_utf8_names, nul_bytes, nul_in_literal, silent, long_line, unknown_tag,
stray_continuation, status_flood, status_huge.

Command line, for trying a scenario by hand:
    hostile.py SCENARIO
"""

import asyncio
import base64
import re
import sys
import threading

from background import BackgroundServer, serve_until_interrupted  # noqa: E402
USER = b"alice"
PASSWORD = b"alice-pw"
CAPS = b"IMAP4rev1 AUTH=PLAIN LITERAL+ SPECIAL-USE IDLE"
GREETING = b"* OK [CAPABILITY " + CAPS + b"] hostile ready\r\n"

SCENARIOS = {
    "normal": "an honest server (the control case)",
    "huge_literal": 'LIST answers * LIST () "/" {2147483648}, then a few MB of junk, slowly',
    "big_literal": "LIST gives one mailbox name as a 60,000,000-byte literal, then ends well",
    "deep_parens": "LIST extended data nested 10,000 parentheses deep",
    "forged_completion": "a literal mailbox name holding the LIST's own tagged OK "
                         "and a fake LIST line",
    "bye": "an unsolicited BYE (with control characters) instead of the LIST answer",
    "bad_utf8_names": "mailbox names with invalid UTF-8, invalid modified UTF-7, "
                      "C0/C1 controls and ESC",
    "nul_bytes": "a NUL byte in a quoted mailbox name, outside any literal",
    "nul_in_literal": "a NUL byte inside a literal mailbox name",
    "silent": "after login, never answers anything",
    "long_line": "LIST answered by a 10 MB line without CRLF",
    "unknown_tag": "LIST completed with a tag the client never sent",
    "stray_continuation": 'a "+" continuation request nobody asked for',
    "status_flood": "every STATUS answer preceded by 2,000 STATUS lines for "
                    "mailboxes never asked about",
    "status_huge": "STATUS numbers far beyond 64 bits",
}

NORMAL_LIST = [
    b'* LIST (\\HasNoChildren) "/" INBOX',
    b'* LIST (\\HasNoChildren \\Sent) "/" Sent',
    b'* LIST (\\Noselect \\HasChildren) "/" Archive',
    b'* LIST (\\HasNoChildren) "/" Archive/2024',
]
# The selectable folders of NORMAL_LIST, which get a STATUS.
NORMAL_FOLDERS = [b"INBOX", b"Sent", b"Archive/2024"]

# bad_utf8_names: (how the name is sent, the name's bytes)
BAD_NAMES = [
    ("literal", b"caf\xe9 latin1"),
    ("literal", b"\xff\xfe broken"),
    ("literal", b"cut \xe2\x82"),
    ("literal", b"overlong \xc0\xaf"),
    ("literal", b"surrogate \xed\xa0\x80"),
    ("quoted", b"&AGE-"),
    ("quoted", b"&Jjo"),
    ("quoted", b"bell\x07 esc\x1b[31m red"),
    ("quoted", b"back\x08space\x01"),
    ("literal", b"c1 \xc2\x9b31m csi"),
    ("literal", b"raw c1 \x9b2J \x85"),
    ("literal", b"del\x7f tab\there"),
    ("literal", b"title \x1b]0;owned\x07"),
    ("quoted", b"&ZeVnLIqe-"),
]

_ATOM = re.compile(rb"[!#$&'*+,\-./0-9:;<=>?@A-Z\[^_`a-z|}~]+")
_LITERAL_END = re.compile(rb"\{(\d+)(\+?)\}\r?\n$")
_TOKEN = re.compile(rb'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()"]+))', re.S)


def astring(name):
    """name (bytes) as an IMAP atom, quoted string or literal."""
    if _ATOM.fullmatch(name) and name.upper() != b"NIL":
        return name
    if all(0x20 <= b < 0x7f for b in name):
        return b'"' + name.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return b"{%d}\r\n" % len(name) + name


def tokens(parts):
    """Split a command (text parts and literals alternating) into tokens:
    atoms and strings as bytes, parentheses as b"(" and b")"."""
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        text = _LITERAL_END.sub(b"", part) if i + 1 < len(parts) else part
        text = text.rstrip(b"\r\n")
        for m in _TOKEN.finditer(text):
            if m.group(1) or m.group(2):
                out.append(m.group(1) or m.group(2))
            elif m.group(3) is not None:
                out.append(re.sub(rb"\\(.)", rb"\1", m.group(3)))
            elif m.group(4):
                out.append(m.group(4))
    return out


class _Session:
    def __init__(self, server, reader, writer):
        self.server = server
        self.scenario = server.scenario
        self.reader, self.writer = reader, writer
        self.logged_in = False

    async def send(self, *lines):
        self.writer.write(b"".join(l + b"\r\n" for l in lines))
        await self.writer.drain()

    async def hold(self):
        """Keep the connection open, reading and ignoring, until the
        client leaves."""
        while await self.reader.read(65536):
            pass

    async def read_command(self):
        """One command as [text, literal, text, ...], or None at EOF."""
        parts = []
        while True:
            line = await self.reader.readuntil(b"\n")
            parts.append(line)
            m = _LITERAL_END.search(line)
            if not m:
                return parts
            if not m.group(2):
                await self.send(b"+ go ahead")
            parts.append(await self.reader.readexactly(int(m.group(1))))

    async def run(self):
        await self.send(GREETING[:-2])
        while True:
            try:
                parts = await self.read_command()
            except asyncio.IncompleteReadError:
                return
            toks = tokens(parts)
            if len(toks) < 2:
                await self.send(b"* BAD no command")
                continue
            tag, name = toks[0], toks[1].upper()
            self.server._note(tag, name)
            if self.logged_in and self.scenario == "silent":
                continue
            if name == b"CAPABILITY":
                await self.send(b"* CAPABILITY " + CAPS, tag + b" OK CAPABILITY completed")
            elif name == b"LOGOUT":
                await self.send(b"* BYE logging out", tag + b" OK LOGOUT completed")
                return
            elif name == b"NOOP":
                await self.send(tag + b" OK NOOP completed")
            elif not self.logged_in and name == b"LOGIN" and len(toks) >= 4:
                await self.login(tag, toks[2], toks[3])
            elif not self.logged_in and name == b"AUTHENTICATE" and len(toks) >= 3:
                await self.authenticate(tag, toks)
            elif not self.logged_in:
                await self.send(tag + b" BAD log in first")
            elif name == b"ENABLE":
                await self.send(tag + b" OK ENABLE completed")
            elif name == b"ID":
                await self.send(b"* ID NIL", tag + b" OK ID completed")
            elif name == b"LIST":
                then = await self.list(tag)
                if then == "hold":
                    return await self.hold()
                if then == "close":
                    return
            elif name == b"STATUS" and len(toks) >= 3:
                await self.status(tag, toks[2])
            else:
                await self.send(tag + b" BAD unknown command")

    async def login(self, tag, user, password):
        if user == USER and password == PASSWORD:
            self.logged_in = True
            await self.send(tag + b" OK LOGIN completed")
        else:
            await self.send(tag + b" NO [AUTHENTICATIONFAILED] wrong password")

    async def authenticate(self, tag, toks):
        if toks[2].upper() != b"PLAIN":
            await self.send(tag + b" NO mechanism not supported")
            return
        if len(toks) >= 4:
            answer = toks[3]
        else:
            await self.send(b"+ ")
            answer = (await self.reader.readuntil(b"\n")).strip()
        if answer == b"*":
            await self.send(tag + b" BAD AUTHENTICATE cancelled")
            return
        try:
            fields = base64.b64decode(answer, validate=True).split(b"\0")
        except ValueError:
            fields = []
        if len(fields) == 3 and fields[1] == USER and fields[2] == PASSWORD:
            self.logged_in = True
            await self.send(tag + b" OK AUTHENTICATE completed")
        else:
            await self.send(tag + b" NO [AUTHENTICATIONFAILED] wrong password")

    async def status(self, tag, mailbox):
        s = self.scenario
        lines = []
        if s == "status_flood":
            lines += [b'* STATUS "ghost-%d" (MESSAGES 5 UNSEEN 5 UIDNEXT 6)' % i
                      for i in range(2000)]
        if s == "status_huge":
            lines += [b"* STATUS " + astring(mailbox) + b" (MESSAGES 99999999999999999999"
                      b" UNSEEN 18446744073709551616 UIDNEXT 4294967296)",
                      b'* STATUS "ghost" (MESSAGES 340282366920938463463374607431768211456)',
                      tag + b" OK STATUS completed"]
            await self.send(*lines)
            return
        n = 10 + len(mailbox)
        lines += [b"* STATUS " + astring(mailbox) + b" (MESSAGES %d UNSEEN 1 UIDNEXT %d)"
                  % (n, n + 1), tag + b" OK STATUS completed"]
        await self.send(*lines)

    async def stream(self, total, chunk=65536, pause=0.0):
        sent = 0
        while sent < total:
            n = min(chunk, total - sent)
            self.writer.write(b"x" * n)
            await self.writer.drain()
            sent += n
            if pause:
                await asyncio.sleep(pause)

    async def list(self, tag):
        """Answer a LIST; "hold" to keep the connection open afterwards."""
        s = self.scenario
        done = tag + b" OK LIST completed"
        if s == "huge_literal":
            await self.send(b'* LIST () "/" {2147483648}')
            await self.stream(4 << 20, pause=0.01)
            return "hold"
        if s == "big_literal":
            self.writer.write(b'* LIST () "/" {60000000}\r\n')
            await self.stream(60000000, chunk=1 << 20)
            await self.send(b"", *NORMAL_LIST, done)
        elif s == "deep_parens":
            await self.send(b'* LIST () "/" INBOX ("X-DEEP" ' + b"(" * 10000 + b")" * 10000
                            + b")", done)
        elif s == "forged_completion":
            forged = tag + b' OK LIST completed\r\n* LIST () "/" Forged'
            await self.send(b'* LIST () "/" {%d}' % len(forged), forged, *NORMAL_LIST, done)
        elif s == "bye":
            await self.send(b"* BYE going away \x1b[2J\x07\x9b31m now")
            return "close"
        elif s == "bad_utf8_names":
            lines = list(NORMAL_LIST)
            for how, name in BAD_NAMES:
                if how == "quoted":
                    lines.append(b'* LIST () "/" "' + name + b'"')
                else:
                    lines.append(b'* LIST () "/" {%d}\r\n' % len(name) + name)
            await self.send(*lines, done)
        elif s == "nul_bytes":
            await self.send(b'* LIST () "/" "nul\x00here"', *NORMAL_LIST, done)
        elif s == "nul_in_literal":
            await self.send(b'* LIST () "/" {8}\r\nnul\x00here', *NORMAL_LIST, done)
        elif s == "long_line":
            self.writer.write(b'* LIST () "/" ')
            await self.stream(10 << 20)
            return "hold"
        elif s == "unknown_tag":
            await self.send(NORMAL_LIST[0], b"zz99 OK LIST completed")
            return "hold"
        elif s == "stray_continuation":
            await self.send(NORMAL_LIST[0], b"+ say more")
            return "hold"
        else:
            await self.send(*NORMAL_LIST, done)
        return None


class HostileServer(BackgroundServer):
    """HostileServer(scenario): see the module's doc."""
    name = "hostile"
    limit = 1 << 20

    def __init__(self, scenario):
        super().__init__()
        if scenario not in SCENARIOS:
            raise ValueError("unknown scenario %r" % (scenario,))
        self.scenario = scenario
        self.commands = []
        self.errors = []            # exceptions other than the client leaving
        self._lock = threading.Lock()

    def _note(self, tag, name):
        with self._lock:
            self.commands.append((tag, name))

    async def handle(self, reader, writer):
        await self.serve_session(_Session(self, reader, writer), writer)


def main(argv):
    if len(argv) != 2 or argv[1] not in SCENARIOS:
        sys.stderr.write(__doc__)
        return 2
    return serve_until_interrupted(HostileServer(argv[1]), argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
