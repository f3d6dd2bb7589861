#!/usr/bin/python3
"""make bench: tern --folders on an account with many folders, over a
link with a fixed latency, against a client that sends one STATUS at a
time. Pipelined STATUS should cost about one round trip for the whole
list, not one per folder.

A private Dovecot (tests/harness) holds the folders; a loopback proxy
delays every chunk by --delay ms in each direction and counts the round
trips (each time the client speaks again after the server spoke)."""

import argparse
import asyncio
import imaplib
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

from servers import Servers, imap_quote  # noqa: E402


class LatencyProxy:
    """Forwards 127.0.0.1:port to target, each chunk delivered delay
    seconds after it arrived (order kept, pipelining not serialised)."""

    def __init__(self, target, delay):
        self.target, self.delay = target, delay
        self.turns = 0
        self._last = None
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _note(self, direction):
        # A round trip: the client speaks again after the server spoke.
        if direction == "c2s" and self._last == "s2c":
            self.turns += 1
        self._last = direction

    async def _pipe(self, reader, writer, direction):
        queue = asyncio.Queue()

        async def deliver():
            while True:
                due, data = await queue.get()
                if data is None:
                    break
                await asyncio.sleep(max(0.0, due - self._loop.time()))
                writer.write(data)
                await writer.drain()
            writer.close()

        task = asyncio.ensure_future(deliver())
        while True:
            data = await reader.read(65536)
            if not data:
                break
            self._note(direction)
            queue.put_nowait((self._loop.time() + self.delay, data))
        queue.put_nowait((0, None))
        await task

    async def _client(self, creader, cwriter):
        sreader, swriter = await asyncio.open_connection("127.0.0.1", self.target)
        self._last = None
        await asyncio.gather(self._pipe(creader, swriter, "c2s"),
                             self._pipe(sreader, cwriter, "s2c"),
                             return_exceptions=True)

    def reset(self):
        self.turns = 0
        self._last = None

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def sequential_status(port, names, password):
    """The floor without pipelining: one STATUS, wait, the next."""
    conn = imaplib.IMAP4("127.0.0.1", port)
    conn.login("alice", password)
    t0 = time.monotonic()
    for name in names:
        conn.status(imap_quote(name), "(MESSAGES UNSEEN UIDNEXT)")
    elapsed = time.monotonic() - t0
    conn.logout()
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--folders", type=int, default=200)
    ap.add_argument("--delay", type=float, default=10.0, help="ms each way")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    with Servers() as s:
        conn = s.imap("alice")
        names = ["Bench/f%03d" % i for i in range(args.folders)]
        for name in names:
            conn.create(imap_quote(name))
        conn.logout()
        for name in names[:20]:
            s.append("alice", name, b"Subject: bench\r\n\r\nbody\r\n")
        proxy = LatencyProxy(s.imap_port, args.delay / 1000.0)
        tmp = tempfile.mkdtemp(prefix="tern-bench-")
        rc = os.path.join(tmp, "mailrc")
        with open(rc, "w") as f:
            f.write("account a {\n    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
                    '    set password-command="echo %s"\n}\n' % (proxy.port, s.users["alice"]))
        os.chmod(rc, 0o600)

        times, turns, listed = [], [], 0
        for _ in range(args.runs):
            proxy.reset()
            t0 = time.monotonic()
            r = subprocess.run([args.tern, "-F", rc, "--folders", "--json"],
                               capture_output=True, text=True, timeout=120)
            times.append(time.monotonic() - t0)
            turns.append(proxy.turns)
            if r.returncode != 0:
                sys.exit("tern --folders failed (%d): %s" % (r.returncode, r.stderr))
            listed = len(r.stdout.splitlines())
        proxy.reset()
        seq = sequential_status(proxy.port, names, s.users["alice"])
        seq_turns = proxy.turns
        proxy.close()

    rtt = 2 * args.delay / 1000.0
    best = min(times)
    print("folders: %d folders listed, link round trip %.0f ms" % (listed, rtt * 1000))
    print("folders: tern --folders (connect, login, LIST, %d pipelined STATUS, LOGOUT): "
          "best %.3f s of %d runs, %d round trips (%.1f RTT)"
          % (args.folders, best, args.runs, min(turns), best / rtt))
    print("folders: one STATUS at a time (the same %d folders, after login): %.3f s, "
          "%d round trips (%.1f RTT)" % (args.folders, seq, seq_turns, seq / rtt))
    print("folders: pipelining is %.1fx faster than one STATUS at a time"
          % (seq / best if best > 0 else 0))


if __name__ == "__main__":
    main()
