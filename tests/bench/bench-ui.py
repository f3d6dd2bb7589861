#!/usr/bin/python3
"""Key latency of the interactive client while it loads a big folder:
tern runs on a private pseudo-terminal with an empty cache (a cold open)
and TERN_BENCH_QUIT_AFTER_LOAD=1; every --every ms the benchmark types
^L (redraw, which always writes to the terminal) and measures the time
until tern's next output byte. Reported: keys typed, median and worst
latency, and the open's wall time. PRODUCT target: worst <= 50 ms.

    bench-ui.py --tern src/tern --port 24143 --user bench --password bench
"""

import argparse
import os
import pty
import select
import shutil
import statistics
import sys
import tempfile
import time


def one_run(tern, mailrc, every_ms, timeout):
    cache = tempfile.mkdtemp(prefix="tern-bench-ui-")
    env = dict(os.environ, TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8",
               XDG_CACHE_HOME=cache, TERN_BENCH_QUIT_AFTER_LOAD="1")
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(tern, [tern, "-F", mailrc], env)
    lat, pending, out = [], None, b""
    next_key = None              # from tern's first screen on
    deadline = t0 + timeout
    while True:
        now = time.monotonic()
        if now > deadline:
            os.kill(pid, 9)
            sys.exit("tern did not finish loading in %d s" % timeout)
        if pending is None and next_key is not None and now >= next_key:
            os.write(fd, b"\x0c")
            pending = now
        wait = max(0.0, (next_key if pending is None and next_key is not None
                         else now + 0.5) - now)
        r, _, _ = select.select([fd], [], [], min(wait, 0.05))
        if not r:
            continue
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            break
        if not data:
            break
        out += data
        if next_key is None:
            next_key = time.monotonic() + every_ms / 1000
        elif pending is not None:
            lat.append((time.monotonic() - pending) * 1000)
            pending = None
            next_key = time.monotonic() + every_ms / 1000
    _, status = os.waitpid(pid, 0)
    wall = time.monotonic() - t0
    shutil.rmtree(cache, ignore_errors=True)
    if os.waitstatus_to_exitcode(status) != 0 or b"tern-bench: loaded" not in out:
        sys.exit("tern failed: %r" % out[-300:])
    return wall, lat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--port", type=int, default=24143)
    ap.add_argument("--user", default="bench")
    ap.add_argument("--password", default="bench")
    ap.add_argument("--every", type=int, default=40, help="ms between keys")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=300)
    a = ap.parse_args()
    tern = os.path.abspath(a.tern)
    d = tempfile.mkdtemp(prefix="tern-bench-ui-rc-")
    mailrc = os.path.join(d, "mailrc")
    with open(mailrc, "w") as f:
        f.write("account bench {\n  set imap=imap://%s@127.0.0.1:%d\n"
                "  set password-command=\"echo %s\"\n  set tls=no\n}\n"
                % (a.user, a.port, a.password))
    print("| round | open s | keys | median ms | worst ms |")
    print("|---|---|---|---|---|")
    worst = []
    for i in range(a.rounds):
        wall, lat = one_run(tern, mailrc, a.every, a.timeout)
        worst.append(max(lat) if lat else 0)
        print("| %d | %.2f | %d | %.1f | %.1f |" % (
            i + 1, wall, len(lat), statistics.median(lat) if lat else 0,
            max(lat) if lat else 0))
    print("worst key latency over %d cold opens: %.1f ms (target 50 ms)"
          % (a.rounds, max(worst)))
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
