#!/usr/bin/python3
"""A loopback TCP proxy that breaks IMAP connections on purpose.

    from faultproxy import FaultProxy
    with FaultProxy(target_port, "drop_after", n=40) as proxy:
        ... connect a client to 127.0.0.1:proxy.port ...
        proxy.client_bytes      # everything clients sent (bytes)
        proxy.server_bytes      # everything the server sent (bytes)
        proxy.connections       # connections accepted so far
        proxy.trigger_offset    # len(server_bytes) when the trigger came
        proxy.commands          # [(line, len(server_bytes) then)] for each
                                # line tern's engine sent (see below)

The proxy listens on a free 127.0.0.1 port and runs an asyncio loop in a
background thread. Modes (mode=None only forwards and records):

  close_after_greeting  forward the server's first line, then close both
                        sides
  drop_after            after the trigger, forward n more server bytes,
                        then close both sides
  stall_after           after the trigger, forward n more server bytes,
                        then forward nothing more from the server (its
                        bytes are read and thrown away) while keeping the
                        client's socket open until the client leaves
  truncate_line         after the trigger, forward n complete server
                        lines, then the first half of the next one, then
                        close both sides
  strip_starttls        remove STARTTLS from the greeting's [CAPABILITY ...]
                        code and from "* CAPABILITY" lines, and answer a
                        STARTTLS command with BAD instead of forwarding it
  strip_condstore       remove CONDSTORE and QRESYNC from capabilities: a
                        server without them, as far as the client can tell
  strip_move            remove MOVE from capabilities
  strip_move_uidplus    remove MOVE and UIDPLUS from capabilities
  cut_at_command        the n-th tern command whose line holds the word
                        given as proxy.word ("STORE", "MOVE") reaches the
                        server; then nothing more goes either way, and both
                        sides are closed a moment later: the server did it,
                        the client never hears so

The trigger is the first line the client sends whose tag starts with "t":
tern's own IMAP engine, after libcurl (tags A001, A002...) has logged in.
Server bytes are counted from the moment that line is forwarded.

Command line, for trying things by hand:
    faultproxy.py TARGET_PORT [MODE [N]]
"""

import asyncio
import re
import sys
import threading

from background import HOST, BackgroundServer, serve_until_interrupted  # noqa: E402
MODES = (None, "close_after_greeting", "drop_after", "stall_after",
         "truncate_line", "strip_starttls", "strip_condstore", "strip_move",
         "strip_move_uidplus", "cut_at_command")

_TERN_COMMAND = re.compile(rb"^t\S* [A-Za-z]")
_STARTTLS_COMMAND = re.compile(rb"^(\S+) STARTTLS\r?\n$", re.IGNORECASE)
_CAPABILITY_LINE = re.compile(rb"^\S+ (OK \[)?CAPABILITY ", re.IGNORECASE)
_STARTTLS_WORD = re.compile(rb" STARTTLS(?=[ \]\r\n])", re.IGNORECASE)
_CONDSTORE_WORDS = re.compile(rb" (CONDSTORE|QRESYNC)(?=[ \]\r\n])", re.IGNORECASE)
_STRIP_WORDS = {
    "strip_starttls": _STARTTLS_WORD,
    "strip_condstore": _CONDSTORE_WORDS,
    "strip_move": re.compile(rb" MOVE(?=[ \]\r\n])", re.IGNORECASE),
    "strip_move_uidplus": re.compile(rb" (MOVE|UIDPLUS)(?=[ \]\r\n])", re.IGNORECASE),
}


class _Connection:
    """One client connection and its connection to the target."""

    def __init__(self, proxy, creader, cwriter):
        self.proxy = proxy
        self.creader, self.cwriter = creader, cwriter
        self.sreader = self.swriter = None
        self.triggered = False
        self.counted = 0            # server bytes forwarded since the trigger
        self.client_line = b""      # partial client line (trigger, STARTTLS)
        self.server_line = b""      # partial server line (line modes)
        self.greeted = False
        self.stalled = False
        self.done = asyncio.Event()

    def close(self):
        for w in (self.cwriter, self.swriter):
            if w is not None:
                w.close()
        self.done.set()

    async def run(self):
        try:
            self.sreader, self.swriter = await asyncio.open_connection(
                HOST, self.proxy.target_port)
        except OSError:
            self.close()
            return
        pumps = [asyncio.ensure_future(self.client_to_server()),
                 asyncio.ensure_future(self.server_to_client())]
        try:
            await self.done.wait()
        finally:
            for p in pumps:
                p.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self.close()

    # ---- client -> server
    async def client_to_server(self):
        try:
            while True:
                data = await self.creader.read(65536)
                if not data:
                    break
                self.proxy._record(self.proxy.client_chunks, data)
                out = b""
                self.client_line += data
                while b"\n" in self.client_line:
                    line, self.client_line = self.client_line.split(b"\n", 1)
                    line += b"\n"
                    if _TERN_COMMAND.match(line):
                        self.triggered = True
                        self.proxy._command(line)
                        if (self.proxy.mode == "cut_at_command" and
                                self.proxy.word.encode() in line.split(b" ", 3)[1:3]):
                            self.proxy.seen += 1
                            if self.proxy.seen == self.proxy.n:
                                await self.cut(out + line)
                                return
                    m = _STARTTLS_COMMAND.match(line)
                    if self.proxy.mode == "strip_starttls" and m:
                        self.cwriter.write(m.group(1) + b" BAD STARTTLS is not offered\r\n")
                        continue
                    out += line
                if self.proxy.mode == "strip_starttls":
                    # Hold partial lines back: they may become a STARTTLS.
                    self.swriter.write(out)
                else:
                    self.swriter.write(data)
                await self.swriter.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        self.close()

    async def cut(self, line):
        """Sends the command on, swallows its answer, then closes."""
        self.stalled = True
        self.swriter.write(line)
        await self.swriter.drain()
        await asyncio.sleep(0.5)
        self.proxy.faults += 1
        self.close()

    # ---- server -> client
    async def server_to_client(self):
        try:
            while True:
                data = await self.sreader.read(65536)
                if not data:
                    break
                self.proxy._record(self.proxy.server_chunks, data)
                if await self.forward(data):
                    break
        except OSError:
            pass
        if not self.stalled:
            self.close()

    async def forward(self, data):
        """Send (part of) data to the client; True to stop reading."""
        mode = self.proxy.mode
        if self.stalled:
            return False
        if mode == "close_after_greeting":
            self.server_line += data
            if b"\n" in self.server_line:
                line = self.server_line.split(b"\n", 1)[0] + b"\n"
                await self.send(line)
                return self.stop()
            return False
        if mode in _STRIP_WORDS:
            words = _STRIP_WORDS[mode]
            self.server_line += data
            out = b""
            while b"\n" in self.server_line:
                line, self.server_line = self.server_line.split(b"\n", 1)
                line += b"\n"
                if _CAPABILITY_LINE.match(line):
                    line = words.sub(b"", line)
                out += line
            await self.send(out)
            return False
        if mode is None or mode == "cut_at_command" or not self.triggered:
            await self.send(data)
            return False
        if mode in ("drop_after", "stall_after"):
            room = self.proxy.n - self.counted
            await self.send(data[:max(room, 0)])
            self.counted += min(len(data), max(room, 0))
            if self.counted >= self.proxy.n:
                if mode == "drop_after":
                    return self.stop()
                self.stalled = True
            return False
        if mode == "truncate_line":
            self.server_line += data
            while b"\n" in self.server_line:
                line, self.server_line = self.server_line.split(b"\n", 1)
                line += b"\n"
                if self.counted < self.proxy.n:
                    self.counted += 1
                    await self.send(line)
                    continue
                await self.send(line[:max(1, (len(line) - 2) // 2)])
                return self.stop()
            return False
        raise ValueError("unknown mode %r" % mode)

    async def send(self, data):
        if data:
            self.cwriter.write(data)
            await self.cwriter.drain()

    def stop(self):
        self.proxy.faults += 1
        self.close()
        return True


class FaultProxy(BackgroundServer):
    """FaultProxy(target_port, mode=None, n=0): see the module's doc."""
    name = "faultproxy"

    def __init__(self, target_port, mode=None, n=0, word=None):
        super().__init__()
        self.word = word
        self.seen = 0
        if mode not in MODES:
            raise ValueError("unknown mode %r" % (mode,))
        self.target_port = target_port
        self.mode = mode
        self.n = n
        self.connections = 0
        self.faults = 0             # times the mode broke a connection
        self.trigger_offset = None  # len(server_bytes) at the first trigger
        self.commands = []          # (tern's command line, len(server_bytes))
        self.client_chunks = []
        self.server_chunks = []
        self._server_total = 0
        self._lock = threading.Lock()

    @property
    def client_bytes(self):
        with self._lock:
            return b"".join(self.client_chunks)

    @property
    def server_bytes(self):
        with self._lock:
            return b"".join(self.server_chunks)

    def _record(self, chunks, data):
        with self._lock:
            chunks.append(data)
            if chunks is self.server_chunks:
                self._server_total += len(data)

    def _command(self, line):
        with self._lock:
            if self.trigger_offset is None:
                self.trigger_offset = self._server_total
            self.commands.append((line[:200], self._server_total))

    async def handle(self, reader, writer):
        self.connections += 1
        await _Connection(self, reader, writer).run()


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    mode = argv[2] if len(argv) > 2 else None
    n = int(argv[3]) if len(argv) > 3 else 0
    return serve_until_interrupted(FaultProxy(int(argv[1]), mode, n),
                                   "fault proxy (%s)" % (mode or "forward"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
