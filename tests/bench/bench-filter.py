#!/usr/bin/python3
"""tern's filter rules against imapfilter and the raw-IMAP floor, on the
peers benchmark's mailbox (its private Dovecot, its generated INBOX of N
messages). The same three rules, applied to INBOX three ways:

  imapfilter   imapfilter -c imapfilter.lua, the config the peers
               benchmark generates (peers.py write_configs)
  tern-warm    tern --filter --all --rules RULES INBOX, its cache filled
               by an untimed tern --sync INBOX on the pristine mailbox
  tern-cold    the same with an empty XDG_CACHE_HOME
  floor        a raw-socket client sending the commands the rules need:
               LOGIN, SELECT, three UID SEARCHes, UID STORE / UID MOVE of
               what they found (compact sets, ~8000-byte chunks), LOGOUT

The rules: mail from @corp.example.com gets the keyword Work; the
announce.lists.example.org list moves to Lists/announce; unread mail from
before 2025-01-01 with "report" in the subject is marked read.

Before every run the mailbox is restored to the pristine snapshot with the
peers benchmark's own reset (peers.py reset_mailbox: hard links plus
copies of Dovecot's index files). Each round runs the cases in a shuffled
order; a run counts if it exits 0 and leaves the same counts (Work
keywords, messages in Lists/announce, read "report" messages) as every
other run. Ratios are the median of per-round ratios to the floor.

Needs root, like peers.sh:

    bench-filter.py --tern src/tern --peers PEERS_DIR [--n 100000] [--rounds 3]

BENCH_ROOT (default /var/tmp/mailbench) and PORT (default 24143) are read
from the environment as peers.sh does. The file doubles as the floor
client: bench-filter.py floor --port P --folder NAME.
"""

import os
import socket
import sys
import time

RULES = """\
filter from:@corp.example.com --add-label Work
filter list:announce.lists.example.org --move Lists/announce
filter is:unread before:2025-01-01 subject:report --mark-read
"""
CASES = ("floor", "imapfilter", "tern-warm", "tern-cold")


# ---------------------------------------------------------------- the floor client
class Floor:
    """A raw IMAP client that only reads up to each tagged reply (and
    keeps the untagged lines when asked)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.f = self.s.makefile("rb", buffering=1 << 16)
        self.ntag = 0
        self.greeting = self.f.readline()

    def cmd(self, text):
        self.ntag += 1
        tag = b"f%d" % self.ntag
        self.s.sendall(tag + b" " + text + b"\r\n")
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                sys.exit("floor: connection closed after %r" % text[:60])
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    sys.exit("floor: %r failed: %r" % (text[:60], line))
                self.last = line
                return lines
            lines.append(line)


def compact(uids):
    """Sorted UIDs as IMAP ranges: 1:3,7,9:10."""
    out = []
    start = prev = None
    for u in uids:
        if prev is not None and u == prev + 1:
            prev = u
            continue
        if start is not None:
            out.append(b"%d" % start if start == prev else b"%d:%d" % (start, prev))
        start = prev = u
    if start is not None:
        out.append(b"%d" % start if start == prev else b"%d:%d" % (start, prev))
    return out


def chunks(ranges, limit=8000):
    cur, size = [], 0
    for r in ranges:
        if cur and size + len(r) + 1 > limit:
            yield b",".join(cur)
            cur, size = [], 0
        cur.append(r)
        size += len(r) + 1
    if cur:
        yield b",".join(cur)


def floor_main(argv):
    port, folder = 24143, "Lists/announce"
    while argv:
        a = argv.pop(0)
        if a == "--port":
            port = int(argv.pop(0))
        elif a == "--folder":
            folder = argv.pop(0)
        else:
            sys.exit("usage: bench-filter.py floor [--port P] [--folder NAME]")
    t_start = time.perf_counter()
    c = Floor(port)
    caps = c.cmd(b"LOGIN bench bench") + [c.last]
    esearch = any(b" ESEARCH" in x for x in caps)

    def search(criteria):
        if esearch:
            uids = []
            for line in c.cmd(b"UID SEARCH RETURN (ALL) " + criteria):
                if line.startswith(b"* ESEARCH") and b" ALL " in line:
                    return line.rstrip(b"\r\n").split(b" ALL ")[1].split(b" ")[0].split(b",")
            return uids
        uids = []
        for line in c.cmd(b"UID SEARCH " + criteria):
            if line.startswith(b"* SEARCH"):
                uids += [int(x) for x in line.split()[2:]]
        return compact(sorted(uids))

    def count(ranges):
        n = 0
        for r in ranges:
            a, _, b = r.partition(b":")
            n += int(b) - int(a) + 1 if b else 1
        return n

    phases = []

    def phase(name, t0):
        t1 = time.perf_counter()
        phases.append("%s %.2f" % (name, t1 - t0))
        return t1

    c.cmd(b"SELECT INBOX")
    t = phase("connect+login+select", t_start)
    work = search(b'FROM "@corp.example.com"')
    t = phase("search-from", t)
    for part in chunks(work):
        c.cmd(b"UID STORE " + part + b" +FLAGS.SILENT (Work)")
    t = phase("store-Work", t)
    ann = search(b'HEADER List-Id "announce.lists.example.org"')
    t = phase("search-list-id", t)
    for part in chunks(ann):
        c.cmd(b"UID MOVE " + part + b' "' + folder.encode() + b'"')
    t = phase("move", t)
    stale = search(b'UNSEEN BEFORE 1-Jan-2025 SUBJECT "report"')
    t = phase("search-unseen-before-subject", t)
    for part in chunks(stale):
        c.cmd(b"UID STORE " + part + b" +FLAGS.SILENT (\\Seen)")
    t = phase("store-Seen", t)
    c.cmd(b"LOGOUT")
    phase("logout", t)
    print("work=%d moved=%d marked_seen=%d (s: %s)" % (count(work), count(ann), count(stale), ", ".join(phases)))


# ---------------------------------------------------------------- the harness
def main():
    import argparse
    import importlib.util
    import random
    import shutil
    import statistics
    import subprocess
    from types import SimpleNamespace

    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--peers", required=True, help="the peers benchmark's folder (peers.py, dovecot-up.sh)")
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "1")))
    ap.add_argument("--timeout", type=float, default=600.0, help="per run, seconds")
    args = ap.parse_args()

    if os.geteuid() != 0:
        sys.exit("bench-filter.py must run as root, like peers.sh (private Dovecot, mail owned by vmail)")
    for tool in ("dovecot", "doveadm", "imapfilter", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit("bench-filter.py: %s missing (see %s/README.md)" % (tool, args.peers))
    peers_dir = os.path.abspath(args.peers)
    tern = os.path.abspath(args.tern)
    if not (os.path.isfile(tern) and os.access(tern, os.X_OK)):
        sys.exit("--tern %s: not an executable file" % args.tern)

    # The peers driver, as a module: its mailbox build, reset and configs.
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("peers", os.path.join(peers_dir, "peers.py"))
    peers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peers)

    root = os.path.abspath(os.environ.get("BENCH_ROOT", "/var/tmp/mailbench"))
    port = int(os.environ.get("PORT", "24143"))
    conf = os.path.join(root, "dovecot", "dovecot.conf")
    maildir = os.path.join(root, "dovecot", "home", "bench", "Maildir")
    pristine = os.path.join(root, "pristine", "n%d-s%d" % (args.n, args.seed), "Maildir")
    work = os.path.join(root, "work", "filter-n%d" % args.n)
    floor = [os.path.join(peers_dir, "imapfloor.py"), "--port", str(port)]

    def log(msg):
        print("[bench-filter] " + msg, file=sys.stderr, flush=True)

    # Server and mailbox exactly as peers.sh / peers.py make them.
    os.makedirs(root, exist_ok=True)
    subprocess.run([os.path.join(peers_dir, "dovecot-up.sh"), os.path.join(root, "dovecot"), str(port)],
                   stdout=sys.stderr, check=True)
    if not os.path.exists(pristine + ".prep.json"):
        log("building pristine mailbox N=%d (seed %d)" % (args.n, args.seed))
        peers.build_pristine(SimpleNamespace(n=args.n, seed=args.seed), conf, maildir, pristine, floor)
    else:
        log("reusing pristine mailbox %s" % pristine)

    def reset():
        peers.reset_mailbox(pristine, maildir)
        # one untimed session: Dovecot's first-access cost is not charged to the next case
        subprocess.run(floor + ["flags"], stdout=subprocess.DEVNULL, check=True)

    reset()
    pristine_state = peers.mailbox_state(conf)
    log("pristine mailbox state: %s" % pristine_state)

    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(os.path.join(work, "logs"))
    cfg, home = peers.write_configs(SimpleNamespace(n=args.n, seed=args.seed), work, port)
    mailrc = cfg["tern.mailrc"]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home,
           "TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    warm, cold = os.path.join(work, "cache-warm"), os.path.join(work, "cache-cold")

    # The folder's name on the server: Lists/announce with the server's separator.
    out = subprocess.run(["doveadm", "-c", conf, "mailbox", "list", "-u", "bench"], check=True,
                         stdout=subprocess.PIPE).stdout.decode().split()
    target = "Lists.announce" if "Lists.announce" in out else "Lists/announce"
    # tern gets the rules as a user writes them: it maps "/" to the
    # server's separator itself (the floor client is given the server's
    # spelling directly).
    rules = os.path.join(work, "tern.rules")
    with open(rules, "w") as f:
        f.write(RULES)

    def doveadm_count(*query):
        r = subprocess.run(["doveadm", "-c", conf, "search", "-u", "bench"] + list(query), check=True,
                           stdout=subprocess.PIPE)
        return len(r.stdout.splitlines())

    def counts():
        return (("Work", doveadm_count("mailbox", "*", "keyword", "Work")),
                ("in Lists/announce", doveadm_count("mailbox", target, "all")),
                ("read report before 2025", doveadm_count("mailbox", "INBOX", "seen", "before", "2025-01-01",
                                                          "subject", "report")),
                ("INBOX", doveadm_count("mailbox", "INBOX", "all")))

    def clear(path):
        if os.path.exists(path):
            shutil.rmtree(path)
        os.makedirs(path)

    def prep_warm():
        if os.path.exists(warm):
            shutil.rmtree(warm)
        shutil.copytree(warm + ".base", warm, symlinks=True)

    tern_filter = [tern, "-F", mailrc, "--filter", "--all", "--rules", rules, "INBOX"]
    argvs = {
        "floor": [sys.executable, os.path.abspath(__file__), "floor", "--port", str(port), "--folder", target],
        "imapfilter": ["imapfilter", "-c", cfg["imapfilter"]],
        "tern-warm": tern_filter,
        "tern-cold": tern_filter,
    }
    envs = {"tern-warm": dict(env, XDG_CACHE_HOME=warm), "tern-cold": dict(env, XDG_CACHE_HOME=cold)}
    preps = {"tern-warm": prep_warm, "tern-cold": lambda: clear(cold)}

    def run_case(name):
        reset()
        state = peers.mailbox_state(conf)
        if state != pristine_state:
            sys.exit("the mailbox was not restored (%s; pristine %s)" % (state, pristine_state))
        if name in preps:
            preps[name]()
        os.sync()
        lp = os.path.join(work, "logs", name + ".out")
        if os.path.exists(lp):
            os.unlink(lp)
        r = peers.run_proc(argvs[name], envs.get(name, env), args.timeout, lp,
                           os.path.join(work, "logs", name + ".rss"))
        with open(lp, "rb") as f:
            r["out"] = f.read().decode("utf-8", "replace")
        r["counts"] = counts()
        r["error"] = None
        if r["timed_out"]:
            r["error"] = "timed out after %.0f s" % args.timeout
        elif r["rc"] != 0:
            r["error"] = "exit status %d: %s" % (r["rc"], r["out"].strip()[-600:])
        elif " NO " in r["out"] or " BAD " in r["out"]:
            r["error"] = "server refused a command: " + r["out"].strip()[-600:]
        return r

    # Untimed: the warm cache (tern --sync on the pristine mailbox), then
    # one run of every case as a smoke test (and warm-up of the page cache).
    clear(warm)
    reset()
    t0 = time.monotonic()
    sync = subprocess.run([tern, "-F", mailrc, "--sync", "INBOX"], env=envs["tern-warm"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log("untimed tern --sync INBOX: %.2f s, exit %d" % (time.monotonic() - t0, sync.returncode))
    if sync.returncode != 0:
        sys.exit("tern --sync INBOX failed (%d): %s" % (sync.returncode, sync.stdout.decode(errors="replace")))
    if os.path.exists(warm + ".base"):
        shutil.rmtree(warm + ".base")
    shutil.copytree(warm, warm + ".base", symlinks=True)
    smoke = {}
    for name in CASES:
        smoke[name] = r = run_case(name)
        log("smoke %s: %.2f s %s%s" % (name, r["wall"], dict(r["counts"]),
                                       " ERROR " + r["error"] if r["error"] else ""))
        if r["out"].strip():
            log("  output: " + r["out"].strip()[-800:].replace("\n", "\n  "))

    results = {name: [] for name in CASES}
    for rnd in range(args.rounds):
        order = list(CASES)
        random.Random(2000 + rnd).shuffle(order)
        t0 = time.monotonic()
        for name in order:
            r = run_case(name)
            r["round"] = rnd
            results[name].append(r)
            if r["error"]:
                log("round %d %s: ERROR %s" % (rnd, name, r["error"]))
        log("round %d/%d (%s) done in %.0f s" % (rnd + 1, args.rounds, ", ".join(order), time.monotonic() - t0))
    reset()

    # The counts every run must agree on: those of the floor's runs.
    ref = [r["counts"] for r in results["floor"] if not r["error"]]
    ref = max(ref, key=ref.count) if ref else None
    for name in CASES:
        for r in results[name]:
            if not r["error"] and ref and r["counts"] != ref:
                r["error"] = "counts %s differ from the floor's %s" % (dict(r["counts"]), dict(ref))

    def med(xs):
        return statistics.median(xs) if xs else float("nan")

    def f(x, fmt):
        return "n/a" if x != x else fmt % x
    floor_by_round = {r["round"]: r["wall"] for r in results["floor"] if not r["error"]}
    print("### filter: 3 rules over INBOX, N = %d messages, %d rounds" % (args.n, args.rounds))
    print()
    print("| case | median wall s (min-max) | x raw floor | peak RSS MB | ok runs |")
    print("|---|---|---|---|---|")
    for name in CASES:
        ok = [r for r in results[name] if not r["error"]]
        walls = [r["wall"] for r in ok]
        ratios = [r["wall"] / floor_by_round[r["round"]] for r in ok if r["round"] in floor_by_round]
        print("| %s | %s (%s-%s) | %s | %s | %d/%d |" % (
            name, f(med(walls), "%.3f"), f(min(walls) if walls else float("nan"), "%.3f"),
            f(max(walls) if walls else float("nan"), "%.3f"), f(med(ratios), "%.2f"),
            f(med([r["rss_kb"] / 1024 for r in ok]), "%.1f"), len(ok), len(results[name])))
    print()
    if ref:
        print("counts after each run: " + ", ".join("%s %d" % kv for kv in ref)
              + " (folder on the server: %s)" % target)
    ifc = [r["out"].strip() for r in results["imapfilter"] if not r["error"]]
    if ifc:
        print("imapfilter: " + ifc[0].splitlines()[-1])
    fl = [r["out"].strip() for r in results["floor"] if not r["error"]]
    if fl:
        print("floor: " + fl[0].splitlines()[-1])
    print("cases: floor = raw-socket client (LOGIN, SELECT, 3x UID SEARCH, UID STORE/MOVE in compact "
          "sets, LOGOUT); imapfilter = peers.py's imapfilter.lua; tern-warm = tern --filter --all --rules "
          "after an untimed tern --sync; tern-cold = the same with an empty cache. Mailbox restored "
          "(peers.py reset_mailbox) before every run; order shuffled in each round.")
    print("tern's rules file:")
    print("".join("    " + x + "\n" for x in RULES.splitlines()), end="")
    for name in CASES:
        for e in sorted(set(r["error"] for r in results[name] if r["error"])):
            print("ERROR %s: %s" % (name, e))
    shutil.rmtree(cold, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["floor"]:
        floor_main(sys.argv[2:])
    else:
        main()
