#!/usr/bin/python3
"""tern's sync against the raw-IMAP floor, on a server holding one big
INBOX (the peers benchmark's Dovecot, or any server with user/password):

  tern-sync-cold    tern --sync INBOX with an empty cache
  tern-list-warm    tern --list INBOX, nothing changed on the server
  tern-list-resync  tern --list INBOX after another client changed 100
                    flags, delivered 50 messages and expunged 20 that
                    tern had seen

Each round runs the floors (imapfloor.py full and condstore) and the
cases once; ratios are per round against the floor of the same round,
then the median, so a noisy machine's drift cancels. Peak RSS is the
client's own (wait4), the cache size what is on disk afterwards.

    bench-sync.py --tern src/tern --floor PATH/imapfloor.py --port 24143
"""

import argparse
import imaplib

# A SEARCH answer for a million messages is one long line.
imaplib._MAXLINE = 1 << 27
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv, env=None, stdout=subprocess.DEVNULL):
    """(wall seconds, peak RSS in KiB, exit status) of one process. The
    peak comes from GNU time: a child's own ru_maxrss starts from the size
    of the process that forked it, so wait4 from Python would report
    Python's size for a small client."""
    timed = ["/usr/bin/time", "-f", "%M"] + argv if os.access("/usr/bin/time", os.X_OK) else argv
    t0 = time.monotonic()
    proc = subprocess.run(timed, env=env, stdout=stdout, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    err = proc.stderr.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(argv), proc.returncode, "\n".join(err)))
    peak = int(err[-1]) if timed is not argv and err and err[-1].isdigit() else 0
    return wall, peak, proc.returncode


class Other:
    """The other device: an imaplib session on the same INBOX."""

    def __init__(self, port, user, password):
        self.c = imaplib.IMAP4("127.0.0.1", port)
        self.c.login(user, password)
        self.c.select("INBOX")

    def uids(self, criteria):
        typ, data = self.c.uid("SEARCH", None, criteria)
        return [int(x) for x in data[0].split()]

    def append(self, n, tag):
        for i in range(n):
            msg = ("From: Bench <bench@example.org>\r\nSubject: %s %d\r\n"
                   "Message-ID: <%s.%d.%f@bench>\r\n\r\nbody\r\n" % (tag, i, tag, i, time.time()))
            self.c.append("INBOX", None, None, msg.encode())

    def store(self, uids, op, flag):
        for i in range(0, len(uids), 500):
            part = ",".join(str(u) for u in uids[i:i + 500])
            if part:
                self.c.uid("STORE", part, op, flag)

    def expunge(self, uids):
        self.store(uids, "+FLAGS.SILENT", "(\\Deleted)")
        if uids:
            self.c.uid("EXPUNGE", ",".join(str(u) for u in uids))

    def close(self):
        self.c.logout()


def spread(uids, n):
    if len(uids) <= n:
        return uids
    step = len(uids) / n
    return [uids[int(i * step)] for i in range(n)]


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--floor", required=True, help="imapfloor.py")
    ap.add_argument("--port", type=int, default=24143)
    ap.add_argument("--user", default="bench")
    ap.add_argument("--password", default="bench")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tern-bench-sync-")
    rc = os.path.join(work, "mailrc")
    with open(rc, "w") as f:
        f.write("account bench {\n  set imap=imap://%s@127.0.0.1:%d\n"
                '  set password-command="echo %s"\n  set tls=no\n}\n'
                % (args.user, args.port, args.password))
    os.chmod(rc, 0o600)
    env = dict(os.environ, HOME=work, LC_ALL="C.UTF-8")
    cold_cache, warm_cache, resync_cache = (os.path.join(work, n)
                                            for n in ("cold", "warm", "resync"))
    tern = [args.tern, "-F", rc]
    floor = [sys.executable, args.floor, "--port", str(args.port)]

    # Untimed: fill the warm and resync caches.
    for cache in (warm_cache, resync_cache):
        run(tern + ["--sync", "INBOX"], env=dict(env, XDG_CACHE_HOME=cache))
    with open(os.path.join(work, "list.out"), "w") as out:
        run(tern + ["--list", "INBOX"], env=dict(env, XDG_CACHE_HOME=warm_cache), stdout=out)
    with open(os.path.join(work, "list.out")) as f:
        n = sum(1 for _ in f)

    rows = {k: [] for k in ("floor-full", "floor-condstore", "tern-sync-cold",
                            "tern-list-warm", "tern-list-resync")}
    rss = {k: 0 for k in rows}
    for _ in range(args.runs):
        r = {}
        r["floor-full"] = run(floor + ["full"])
        r["floor-condstore"] = run(floor + ["condstore"])
        shutil.rmtree(cold_cache, ignore_errors=True)
        r["tern-sync-cold"] = run(tern + ["--sync", "INBOX"],
                                  env=dict(env, XDG_CACHE_HOME=cold_cache))
        r["tern-list-warm"] = run(tern + ["--list", "INBOX"],
                                  env=dict(env, XDG_CACHE_HOME=warm_cache))
        # The other device: 20 messages tern has seen, then the changes.
        other = Other(args.port, args.user, args.password)
        other.append(20, "victim")
        victims = other.uids("SUBJECT victim")
        run(tern + ["--sync", "INBOX"], env=dict(env, XDG_CACHE_HOME=resync_cache))
        plain = other.uids("UNSEEN UNFLAGGED")
        touched = spread(plain, 100)
        other.store(touched[0::2], "+FLAGS.SILENT", "(\\Seen)")
        other.store(touched[1::2], "+FLAGS.SILENT", "(\\Flagged)")
        other.append(50, "delivered")
        other.expunge(victims)
        r["tern-list-resync"] = run(tern + ["--list", "INBOX"],
                                    env=dict(env, XDG_CACHE_HOME=resync_cache))
        # Put the mailbox back as it was (flags, count).
        other.store(touched[0::2], "-FLAGS.SILENT", "(\\Seen)")
        other.store(touched[1::2], "-FLAGS.SILENT", "(\\Flagged)")
        other.expunge(other.uids("SUBJECT delivered"))
        other.close()
        for k, v in r.items():
            rows[k].append(v[0])
            rss[k] = max(rss[k], v[1])
        rows.setdefault("_rounds", []).append(r)

    def ratio(case, base):
        return statistics.median(x[case][0] / x[base][0] for x in rows["_rounds"])

    print("sync: %d messages in INBOX, %d rounds" % (n, args.runs))
    print()
    print("| case | median wall s (min-max) | x floor-full | x floor-condstore | peak RSS MB |")
    print("|---|---|---|---|---|")
    for k in ("floor-full", "floor-condstore", "tern-sync-cold", "tern-list-warm",
              "tern-list-resync"):
        v = rows[k]
        print("| %s | %.3f (%.3f-%.3f) | %.2f | %.2f | %.1f |" % (
            k, statistics.median(v), min(v), max(v), ratio(k, "floor-full"),
            ratio(k, "floor-condstore"), rss[k] / 1024))
    print()
    print("cache on disk after a cold sync: %.1f MB" % (du(cold_cache) / 1e6))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
