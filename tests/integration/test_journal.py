"""The offline journal (CACHEDIR/ACCOUNT.journal.tcb) against the real
Dovecot and the SMTP sink: changes recorded with --offline (flags, labels,
moves, deletes to Trash, mail to send, drafts) and replayed with
tern --replay.

What the servers hold afterwards is compared with a model of the changes
(flags and keywords per Message-ID per folder, one copy per message at the
SMTP sink and in Sent or Drafts): after a replay stopped before each of its
journal writes in turn (TERN_DEBUG_JOURNAL_ABORT=K, exit 86) and a replay
to finish it; after a 500-change replay killed with SIGKILL at random
moments; after a replay whose IMAP connection was cut; after journal
writes that fail (strace fault injection, a full tmpfs). Two caches of one
mailbox that made conflicting changes converge, the later one reporting
its conflicts. Throughout: a third replay finds nothing waiting and
changes nothing, \\Seen changes only where asked, nothing is expunged but
the second half of a move, nothing is sent or saved twice."""

import collections
import email
import email.header
import itertools
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for _d in ("harness", "faults"):
    _p = os.path.join(os.path.dirname(HERE), _d)
    if _p not in sys.path:
        sys.path.insert(0, _p)

from faultproxy import FaultProxy  # noqa: E402
from servers import imap_append, imap_quote  # noqa: E402
from ternlib import TERN, Result, ServersTestCase  # noqa: E402

ACCOUNT = "a"
ABORT_ENV = "TERN_DEBUG_JOURNAL_ABORT"
ABORT_EXIT = 86
WAITING = re.compile(r"^journal: (\d+) changes? waiting")
SUMMARY = re.compile(r"journal: (\d+) replayed, (\d+) conflicts?, (\d+) waiting")
NOTHING = "journal: nothing waiting"
CHANGE_EVENTS = ("flag_change", "copy", "save", "expunge", "delete", "undelete",
                 "mailbox_create", "mailbox_delete", "mailbox_rename")
BARRIER = "JBarrier"
STATES = {"actions": ("pending", "moving"),
          "send": ("pending", "handed", "sent", "saving", "saved"),
          "draft": ("pending", "saving", "saved")}
SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")

_tags = itertools.count(1)
_barriers = itertools.count(1)


def dead_port():
    """A 127.0.0.1 port nothing listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def key_name(i):
    return "k%03d" % i


def message(key, tag, body="text"):
    return ("From: Bob Example <bob@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: %s %s\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
            "Message-ID: <%s.%s@example.org>\r\n\r\n%s %s\r\n"
            % (tag, key, key, tag, body, key)).encode()


def msgid(key, tag):
    return "<%s.%s@example.org>" % (key, tag)


def action_args(action, folders):
    """("add-label", "Work") -> ["--add-label", "Work"]; a move's argument
    is a folder role."""
    name = action[0]
    if name == "move":
        return ["--move", folders[action[1]]]
    return ["--" + name] + list(action[1:])


def apply_action(action, flags):
    """The model: action on a message's flag set; returns a new folder role
    for a move or delete, else None."""
    name = action[0]
    if name == "add-label":
        flags.add(action[1])
    elif name == "remove-label":
        flags.discard(action[1])
    elif name == "mark-read":
        flags.add("\\Seen")
    elif name == "mark-unread":
        flags.discard("\\Seen")
    elif name == "flag":
        flags.add("\\Flagged")
    elif name == "unflag":
        flags.discard("\\Flagged")
    elif name in ("status", "assign"):
        for f in [f for f in flags if f.startswith(name + "/")]:
            flags.discard(f)
        if action[1] != "none":
            flags.add("%s/%s" % (name, action[1]))
    elif name == "move":
        return action[1]
    elif name == "delete":
        return "trash"
    else:
        raise ValueError(action)
    return None


class Scenario:
    """messages: [(key, role, initial flags)]; changes: ("match", role,
    [keys], [actions]) | ("send", n) | ("draft", n), in the order they are
    made. Roles are folder names made per run ("src", "dest", ...) and
    "trash" (the account's Trash)."""

    def __init__(self, name, messages, changes):
        self.name = name
        self.messages = messages
        self.changes = changes

    def roles(self):
        roles = {role for _, role, _ in self.messages}
        for ch in self.changes:
            if ch[0] == "match":
                for a in ch[3]:
                    if a[0] == "move":
                        roles.add(a[1])
        roles.discard("trash")
        return sorted(roles)

    def model(self):
        """({key: (role, flags)}, [sent n], [draft n]) after every change."""
        where = {k: (role, set(flags)) for k, role, flags in self.messages}
        sends, drafts = [], []
        for ch in self.changes:
            if ch[0] == "send":
                sends.append(ch[1])
            elif ch[0] == "draft":
                drafts.append(ch[1])
            else:
                _, role, keys, actions = ch
                for k in keys:
                    assert where[k][0] == role, (ch, where[k])
                    flags = where[k][1]
                    dest = None
                    for a in actions:
                        dest = apply_action(a, flags) or dest
                    if dest:
                        where[k] = (dest, flags)
        return where, sends, drafts

    def moved(self):
        """Keys a change moves or deletes."""
        out = set()
        for ch in self.changes:
            if ch[0] == "match" and any(a[0] in ("move", "delete") for a in ch[3]):
                out.update(ch[2])
        return out


M = "match"
SCENARIOS = [
    Scenario("flags", [
        ("k001", "src", ()), ("k002", "src", ("\\Seen",)), ("k003", "src", ("\\Flagged",)),
        ("k004", "src", ("\\Seen", "\\Flagged")), ("k005", "src", ()),
        ("k006", "src", ("\\Seen",))], [
        (M, "src", ["k001", "k003"], [("mark-read",)]),
        (M, "src", ["k002"], [("mark-unread",)]),
        (M, "src", ["k001", "k002"], [("flag",)]),
        (M, "src", ["k003", "k004"], [("unflag",)]),
        (M, "src", ["k004"], [("mark-unread",)])]),
    Scenario("labels", [
        ("k001", "src", ()), ("k002", "src", ("Red",)), ("k003", "src", ("\\Seen",)),
        ("k004", "src", ("Red", "Blue")), ("k005", "src", ())], [
        (M, "src", ["k001", "k003"], [("add-label", "Work")]),
        (M, "src", ["k002"], [("remove-label", "Red")]),
        (M, "src", ["k004"], [("add-label", "Temp")]),
        (M, "src", ["k004"], [("remove-label", "Temp")]),
        (M, "src", ["k001"], [("add-label", "Blue")]),
        (M, "src", ["k004"], [("remove-label", "Blue"), ("add-label", "Green")])]),
    Scenario("moves", [
        ("k001", "src", ()), ("k002", "src", ("\\Seen",)), ("k003", "src", ()),
        ("k004", "src", ()), ("k005", "src", ())], [
        (M, "src", ["k001", "k002"], [("move", "dest")]),
        (M, "src", ["k003"], [("add-label", "Work")]),
        (M, "src", ["k003"], [("move", "dest")]),
        (M, "src", ["k004"], [("mark-read",), ("move", "dest")])]),
    Scenario("deletes", [
        ("k001", "src", ()), ("k002", "src", ()), ("k003", "src", ("\\Seen", "Red")),
        ("k004", "src", ())], [
        (M, "src", ["k001"], [("delete",)]),
        (M, "src", ["k002"], [("flag",)]),
        (M, "src", ["k002"], [("delete",)]),
        (M, "src", ["k003"], [("delete",)])]),
    Scenario("sends", [("k001", "src", ())], [("send", 1), ("send", 2), ("send", 3)]),
    Scenario("drafts", [("k001", "src", ())], [("draft", 1), ("draft", 2)]),
    Scenario("mixed", [
        ("k001", "src", ()), ("k002", "src", ()), ("k003", "src", ("Work",)),
        ("k004", "src", ("\\Flagged",)), ("k005", "src", ()), ("k006", "src", ()),
        ("k007", "src", ("\\Seen",)), ("k008", "src", ()),
        ("k009", "src", ("\\Seen", "Red"))], [
        (M, "src", ["k001"], [("flag",)]),
        ("send", 1),
        (M, "src", ["k002", "k003"], [("add-label", "Work")]),
        (M, "src", ["k004"], [("move", "dest")]),
        ("draft", 1),
        (M, "src", ["k005"], [("mark-read",)]),
        (M, "src", ["k003"], [("remove-label", "Work")]),
        (M, "src", ["k006"], [("delete",)]),
        (M, "src", ["k001"], [("status", "pending"), ("assign", "bob")]),
        ("send", 2),
        (M, "src", ["k007"], [("mark-unread",)])]),
]
SCENARIO = {s.name: s for s in SCENARIOS}


def big_scenario(seed=500, nmsg=250, nchanges=500):
    """500 one-message changes over 250 messages, each really changing
    something (a toggle of \\Seen, \\Flagged or a label, sometimes two at
    once), some messages ending moved or deleted; each message's changes
    in order, the messages interleaved at random."""
    rnd = random.Random(seed)
    messages = []
    for i in range(nmsg):
        f = set()
        if i % 3 == 0:
            f.add("\\Seen")
        if i % 5 == 0:
            f.add("\\Flagged")
        if i % 4 == 0:
            f.add("Red")
        if i % 7 == 0:
            f.add("Blue")
        messages.append((key_name(i), "src", tuple(sorted(f))))
    counts = [1] * nmsg
    for _ in range(nchanges - nmsg):
        counts[rnd.randrange(nmsg)] += 1

    def toggle(cat, state):
        if cat == "seen":
            return ("mark-unread",) if "\\Seen" in state else ("mark-read",)
        if cat == "flagged":
            return ("unflag",) if "\\Flagged" in state else ("flag",)
        return ("remove-label", cat) if cat in state else ("add-label", cat)

    queues = {}
    for i in range(nmsg):
        state = set(messages[i][2])
        ops = []
        for j in range(counts[i]):
            last = j == counts[i] - 1
            r = rnd.random()
            if last and r < 0.12:
                ops.append([("move", rnd.choice(["d1", "d2"]))])
                continue
            if last and r < 0.20:
                ops.append([("delete",)])
                continue
            cats = rnd.sample(["seen", "flagged", "Red", "Blue", "Green"],
                              2 if rnd.random() < 0.1 else 1)
            actions = []
            for cat in cats:
                a = toggle(cat, state)
                apply_action(a, state)
                actions.append(a)
            ops.append(actions)
        queues[key_name(i)] = ops
    changes = []
    keys = sorted(queues)
    while keys:
        k = rnd.choice(keys)
        changes.append((M, "src", [k], queues[k].pop(0)))
        if not queues[k]:
            keys.remove(k)
    assert len(changes) == nchanges
    return Scenario("big", messages, changes)


class Run:
    """One prepared run: folders made, messages in, cache synced, changes
    recorded offline."""

    def __init__(self, scenario, tag, folders, cache, rc):
        self.scenario = scenario
        self.tag = tag
        self.folders = folders            # role -> folder name
        self.cache = cache
        self.rc = rc
        self.mark = None                  # dovecot log offset before replays

    def msgid(self, key):
        return msgid(key, self.tag)

    def subject(self, kind, n):
        return "%s %s %d" % (self.tag, kind, n)


class JournalCase(ServersTestCase):
    """Helpers shared by the journal tests."""

    @classmethod
    def fill(cls):
        conn = cls.s.imap("alice")
        try:
            conn.create(BARRIER)
        finally:
            conn.logout()

    def setUp(self):
        super().setUp()
        self.s.clear_sink()

    # ---- mailrc and tern
    def rc_for(self, cache, name, imap_port=None, smtp_port=None):
        return self.mailrc(
            "set timeout=5s\nset cache-dir=%s\naccount %s {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n"
            "    set smtp=smtp://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set from="Alice Example <alice@example.org>"\n'
            '    set password-command="echo alice-pw"\n}\n'
            % (cache, ACCOUNT, imap_port or self.s.imap_port,
               smtp_port or self.s.smtp_port), name=name)

    def journal_path(self, cache):
        return os.path.join(cache, ACCOUNT + ".journal.tcb")

    def replay(self, rc, status=None, abort=None, timeout=120):
        env = {ABORT_ENV: str(abort)} if abort is not None else None
        r = self.tern("-F", rc, "--replay", env=env, timeout=timeout)
        if status is not None:
            self.assertStatus(r, status)
        return r

    def summary(self, r):
        m = SUMMARY.search(r.err)
        self.assertIsNotNone(m, "no 'journal: N replayed, C conflicts, W waiting' line\n%r" % r)
        return tuple(int(x) for x in m.groups())

    def journal(self, rc, ctx=""):
        """The waiting entries (tern --journal --json), oldest first."""
        r = self.tern("-F", rc, "--journal", "--json", timeout=60)
        self.assertEqual(r.status, 0, "tern --journal %s\n%r" % (ctx, r))
        return [json.loads(line) for line in r.out.splitlines() if line.strip()]

    def listing(self, rc, folder):
        r = self.tern("-F", rc, "--list", "--offline", "--json", folder, timeout=60)
        self.assertStatus(r, 0)
        return [json.loads(line) for line in r.out.splitlines() if line.strip()]

    def write_draft(self, name, subject, to="bob@example.org", body="Hello."):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("To: %s\nSubject: %s\n\n%s\n" % (to, subject, body))
        return path

    # ---- preparing a run
    def prepare(self, scenario, rc_name=None, record=True):
        """Fresh folders for the scenario's roles, its messages appended,
        a fresh cache synced, the changes recorded offline."""
        tag = "jt%d" % next(_tags)
        folders = {role: self.new_folder("J" + role.capitalize())
                   for role in scenario.roles()}
        folders["trash"] = "Trash"
        with self.device() as c:
            for key, role, flags in scenario.messages:
                imap_append(c, folders[role], message(key, tag), flags)
        cache = os.path.join(self.tmp, "cache-" + tag)
        rc = self.rc_for(cache, rc_name or "rc-" + tag)
        run = Run(scenario, tag, folders, cache, rc)
        r = self.tern("-F", rc, "--sync", *[folders[x] for x in scenario.roles()],
                      timeout=120)
        self.assertStatus(r, 0)
        if record:
            self.record(run)
        return run

    def record(self, run, changes=None, check_count=True):
        mark = self.s.log_mark()
        waiting = len(self.journal(run.rc)) if check_count else None
        for ch in changes if changes is not None else run.scenario.changes:
            if ch[0] == "match":
                _, role, keys, actions = ch
                query = " OR ".join("subject:%s" % k for k in keys)
                args = []
                for a in actions:
                    args += action_args(a, run.folders)
                r = self.tern("-F", run.rc, "--offline", "--match", query, *args,
                              run.folders[role], timeout=60)
                self.assertStatus(r, 0)
                lines = r.err.splitlines()
                m = WAITING.match(lines[-1]) if lines else None
                self.assertIsNotNone(m, "stderr does not end with 'journal: N changes "
                                        "waiting'\n%r" % r)
                if check_count:
                    waiting += 1
                    self.assertEqual(int(m.group(1)), waiting, repr(r))
            else:
                kind, n = ch
                path = self.write_draft("%s-%s-%d" % (run.tag, kind, n),
                                        run.subject(kind, n))
                cmd = "--send" if kind == "send" else "--postpone"
                r = self.tern("-F", run.rc, cmd, "--offline", path, timeout=60)
                self.assertStatus(r, 0)
                if kind == "send":
                    self.assertIn("queued:", r.err, repr(r))
                    self.assertIn("sent when tern next connects", r.err, repr(r))
                if check_count:
                    waiting += 1
        if check_count:
            self.assertEqual(len(self.journal(run.rc)), waiting)
        self.barrier()
        self.assertEqual(self.changes_since(mark), [],
                         "recording offline changed the server")

    # ---- the servers' state
    def read_folder(self, folder):
        """[(message-id, subject, frozenset of flags)] of a folder."""
        out = []
        with self.device() as c:
            typ, data = c.select(imap_quote(folder), readonly=True)
            if typ != "OK" or int(data[0]) == 0:
                return out
            typ, data = c.uid("FETCH", "1:*",
                              "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)])")
            self.assertEqual(typ, "OK", data)
            for item in data:
                if not isinstance(item, tuple):
                    continue
                f = re.search(r"FLAGS \(([^)]*)\)", item[0].decode())
                hdr = email.message_from_bytes(item[1])
                mid = (hdr.get("Message-ID") or "").strip() or None
                subject = str(email.header.make_header(
                    email.header.decode_header(hdr.get("Subject") or "")))
                flags = frozenset(f.group(1).split()) - {"\\Recent"} if f else frozenset()
                out.append((mid, subject, flags))
        return out

    def sink(self, tag):
        """[(subject, message-id)] the SMTP sink got for this run."""
        out = []
        for m in self.s.sink_messages():
            hdr = email.message_from_bytes(m["data"])
            subject = str(email.header.make_header(
                email.header.decode_header(hdr.get("Subject") or "")))
            if tag in subject:
                out.append((subject, (hdr.get("Message-ID") or "").strip()))
        return sorted(out)

    def state(self, run):
        """Everything of this run on the servers, comparable."""
        folders = {}
        for role, name in sorted(run.folders.items()):
            rows = [(mid, tuple(sorted(flags))) for mid, subject, flags in
                    self.read_folder(name) if mid and "." + run.tag + "@" in mid]
            folders[role] = sorted(rows)
        out = {"folders": folders, "sink": self.sink(run.tag)}
        for box in ("Sent", "Drafts"):
            out[box] = sorted((subject, mid, tuple(sorted(flags))) for mid, subject, flags
                              in self.read_folder(box) if run.tag in subject)
        return out

    def expected_folders(self, run):
        where, _, _ = run.scenario.model()
        out = {role: [] for role in run.folders}
        for key, (role, flags) in where.items():
            out[role].append((run.msgid(key), tuple(sorted(flags))))
        return {role: sorted(rows) for role, rows in out.items()}

    def assertState(self, run, state, context=""):
        """state (self.state(run)) is what the scenario's changes make."""
        self.assertEqual(state["folders"], self.expected_folders(run), context)
        _, sends, drafts = run.scenario.model()
        want = sorted(run.subject("send", n) for n in sends)
        sink = state["sink"]
        self.assertEqual([s for s, _ in sink], want,
                         "each message exactly once at the SMTP sink " + context)
        sink_ids = dict(sink)
        sent = state["Sent"]
        self.assertEqual([s for s, _, _ in sent], want,
                         "each sent message exactly once in Sent " + context)
        for subject, mid, flags in sent:
            self.assertEqual(mid, sink_ids.get(subject),
                             "Sent holds the message the sink got " + context)
            self.assertIn("\\Seen", flags, context)
        self.assertEqual(len({mid for _, mid in sink}), len(sink), context)
        saved = state["Drafts"]
        self.assertEqual([s for s, _, _ in saved],
                         sorted(run.subject("draft", n) for n in drafts),
                         "each draft exactly once in Drafts " + context)
        for subject, mid, flags in saved:
            self.assertTrue({"\\Draft", "\\Seen"} <= set(flags), (subject, flags, context))
            self.assertTrue(mid, "a draft without Message-ID " + context)

    # ---- Dovecot's mail_log
    def barrier(self):
        """Waits until Dovecot has logged a save made now: what tern did
        before is in the log too."""
        mark = self.s.log_mark()
        n = next(_barriers)
        mid = "<barrier%d.%d@example.org>" % (os.getpid(), n)
        raw = ("From: t@example.org\r\nSubject: barrier\r\nMessage-ID: %s\r\n\r\nx\r\n"
               % mid).encode()
        self.s.append("alice", BARRIER, raw)
        self.s.wait_mail_log("save", user="alice", since=mark, msgid=mid)

    def changes_since(self, mark):
        return [e["line"] for e in self.s.mail_log_events(mark, user="alice")
                if e["event"] in CHANGE_EVENTS and e["box"] != BARRIER]

    def assertLogClean(self, run, since, context=""):
        """No expunge but the second half of a move of a message the
        scenario moves or deletes, out of its folder; Sent and Drafts got
        each message saved once."""
        events = [e for e in self.s.mail_log_events(since, user="alice")
                  if e["box"] != BARRIER]
        moved = {run.msgid(k) for k in run.scenario.moved()}
        copied, bad = set(), []
        saves = collections.Counter()
        for e in events:
            if e["event"] == "copy":
                copied.add(e["msgid"])
            elif e["event"] == "expunge":
                if (e["msgid"] not in moved or e["box"] != run.folders["src"]
                        or e["msgid"] not in copied):
                    bad.append(e["line"])
            elif e["event"] == "save" and e["box"] in ("Sent", "Drafts"):
                saves[(e["box"], e["msgid"])] += 1
        self.assertEqual(bad, [], "expunged, and not as half of a move " + context)
        self.assertEqual([k for k, n in saves.items() if n > 1], [],
                         "saved twice " + context)

    def assertNothingWaiting(self, run, context=""):
        """A further replay says nothing waits and changes nothing."""
        before = self.state(run)
        self.barrier()
        mark = self.s.log_mark()
        r = self.replay(run.rc)
        self.assertStatus(r, 0)
        self.assertIn(NOTHING, r.err, context)
        self.barrier()
        self.assertEqual(self.changes_since(mark), [], "a replay with nothing waiting "
                         "changed the server " + context)
        self.assertEqual(self.state(run), before, context)

    # ---- interrupt at every journal write
    def interrupt_everywhere(self, scenario, limit=150):
        """For K = 1, 2, ...: a fresh run, a replay that stops before its
        K-th journal write, a replay that finishes; the state must be the
        model's. Each K is a subtest (a failing K does not hide the
        others). Returns the number of writes of a whole replay."""
        for k in range(1, limit + 1):
            ctx = "(scenario %s, %s=%d)" % (scenario.name, ABORT_ENV, k)
            done = True
            with self.subTest(K=k):
                run = self.prepare(scenario)
                run.mark = self.s.log_mark()
                r = self.replay(run.rc, abort=k)
                done = r.status != ABORT_EXIT
                self.assertEqual(r.status if done else 0, 0, "%s\n%r" % (ctx, r))
                # What waits is listed, each entry in a state of the contract.
                for e in self.journal(run.rc, ctx):
                    self.assertIn(e["kind"], ("actions", "send", "draft"), (ctx, e))
                    self.assertIn(e["state"], STATES[e["kind"]], (ctx, e))
                if done:
                    self.assertEqual(self.summary(r)[1:], (0, 0), "%s\n%r" % (ctx, r))
                # The aborted run's changes are half there: the state must
                # not yet hold anything twice.
                self.assertLessEqual(len(self.state(run)["sink"]),
                                     len(run.scenario.model()[1]), ctx)
                r2 = self.replay(run.rc)
                if done:
                    self.assertIn(NOTHING, r2.err, ctx)
                self.assertEqual(self.journal(run.rc), [], ctx)
                self.assertState(run, self.state(run), ctx)
                self.barrier()
                self.assertLogClean(run, run.mark, ctx)
                self.assertNothingWaiting(run, ctx)
                # Last, so that the state is checked whatever it says:
                # everything was applied, so exit 0 and no conflict.
                self.assertEqual((r2.status, self.summary(r2)[1:] if not done else None),
                                 (0, None if done else (0, 0)),
                                 "the replay finishing the job %s\n%r" % (ctx, r2))
            if done:
                self.assertGreater(k, 1, "the replay wrote nothing to the journal")
                sys.stderr.write("# scenario %s: %d journal writes in a replay\n"
                                 % (scenario.name, k - 1))
                return k - 1
        self.fail("more than %d journal writes in one replay of %s" % (limit, scenario.name))


class TestJournalInterrupted(JournalCase):
    """Each scenario, replay stopped before each journal write in turn."""

    def test_flags(self):
        self.interrupt_everywhere(SCENARIO["flags"])

    def test_labels(self):
        self.interrupt_everywhere(SCENARIO["labels"])

    def test_moves(self):
        self.interrupt_everywhere(SCENARIO["moves"])

    def test_deletes(self):
        self.interrupt_everywhere(SCENARIO["deletes"])

    def test_sends(self):
        self.interrupt_everywhere(SCENARIO["sends"])

    def test_drafts(self):
        self.interrupt_everywhere(SCENARIO["drafts"])

    def test_mixed(self):
        self.interrupt_everywhere(SCENARIO["mixed"])


class TestJournalBig(JournalCase):
    """500 changes recorded once; the server put back to where they were
    recorded (same folders, UIDVALIDITY and UIDs) before each replay."""
    _big = None

    @classmethod
    def tearDownClass(cls):
        if cls._big is not None:
            cls._big["tmp"].cleanup()
        super().tearDownClass()

    def big(self):
        cls = type(self)
        if cls._big is None:
            scenario = big_scenario()
            tmp = tempfile.TemporaryDirectory(prefix="tern-journal-big-")
            try:
                keep = self.tmp
                self.tmp = tmp.name
                run = self.prepare(scenario, record=False)
                self.tmp = keep
                t0 = time.monotonic()
                self.record(run, check_count=False)
                recording = time.monotonic() - t0
                entries = self.journal(run.rc)
                self.assertEqual(len(entries), len(scenario.changes))
                template = os.path.join(tmp.name, "template")
                shutil.copytree(run.cache, template)
                info = {}
                with self.device() as c:
                    for role, name in run.folders.items():
                        if role == "trash":
                            continue
                        typ, data = c.status(imap_quote(name), "(UIDVALIDITY HIGHESTMODSEQ)")
                        m = re.search(rb"UIDVALIDITY (\d+) HIGHESTMODSEQ (\d+)", data[0])
                        info[role] = (int(m.group(1)), int(m.group(2)))
            except BaseException:
                tmp.cleanup()
                raise
            cls._big = {"tmp": tmp, "run": run, "template": template, "info": info,
                        "recording": recording}
        return cls._big

    def rewind(self, big):
        """The server and the cache as they were when the changes were
        recorded."""
        run = big["run"]
        moved = [run.msgid(k) for k in run.scenario.moved()]
        with self.device() as c:
            c.select("Trash")
            for mid in moved:
                typ, data = c.uid("SEARCH", "HEADER", "Message-ID", mid)
                if data[0]:
                    c.uid("STORE", ",".join(data[0].decode().split()),
                          "+FLAGS.SILENT", "(\\Deleted)")
            c.expunge()
            c.close()
            for role, (uidvalidity, modseq) in big["info"].items():
                name = run.folders[role]
                c.delete(imap_quote(name))
                c.create(imap_quote(name))
                self.s.doveadm("mailbox", "update", "-u", "alice", "--uid-validity",
                               str(uidvalidity), name)
            for n, (key, role, flags) in enumerate(run.scenario.messages, 1):
                uid = imap_append(c, run.folders[role], message(key, run.tag), flags)
                self.assertEqual(uid, n, "the rewound folder did not get the same UIDs")
        for role, (uidvalidity, modseq) in big["info"].items():
            self.s.doveadm("mailbox", "update", "-u", "alice", "--min-highest-modseq",
                           str(modseq), run.folders[role])
        shutil.rmtree(run.cache, ignore_errors=True)
        shutil.copytree(big["template"], run.cache)
        self.barrier()
        run.mark = self.s.log_mark()
        return run

    def finish_and_check(self, run, ctx):
        r = self.replay(run.rc, timeout=300)
        self.assertStatus(r, 0)
        self.assertEqual(self.journal(run.rc), [], ctx)
        self.assertState(run, self.state(run), ctx)
        self.barrier()
        self.assertLogClean(run, run.mark, ctx)
        self.assertNothingWaiting(run, ctx)
        return r

    def test_killed_at_random_moments(self):
        big = self.big()
        run = self.rewind(big)
        rnd = random.Random(86)
        env = dict(os.environ, LC_ALL="C.UTF-8", HOME=self.tmp, MAILCAPS=os.devnull)
        kills, waiting = 0, [len(self.journal(run.rc))]
        # About a tenth of the entries between two kills: the wait before
        # a kill is drawn around base, which follows the replay's speed.
        base, target = 0.2, waiting[0] / 10
        for _ in range(40):
            proc = subprocess.Popen([TERN, "-F", run.rc, "--replay"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, env=env,
                                    start_new_session=True)
            try:
                proc.wait(base * rnd.uniform(0.5, 1.5))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.communicate(timeout=30)
                kills += 1
                waiting.append(len(self.journal(run.rc)))
                done = waiting[-2] - waiting[-1]
                if done < target / 2:
                    base *= 1.5
                elif done > target * 2:
                    base /= 1.5
                if kills >= 10:
                    break
                continue
            err = proc.communicate(timeout=30)[1].decode(errors="replace")
            self.assertEqual(proc.returncode, 0, "an unkilled replay failed (kills so far: "
                             "%d)\n%s" % (kills, err))
            break
        self.assertGreaterEqual(kills, 3, "hardly killed: the test tests little "
                                "(waiting: %s)" % waiting)
        self.assertLess(waiting[-1], waiting[0], "no progress between kills: %s" % waiting)
        sys.stderr.write("# %d kills; entries waiting after each: %s\n" % (kills, waiting))
        self.finish_and_check(run, "(after %d kills, waiting %s)" % (kills, waiting))

    def test_interrupted_at_sampled_writes(self):
        big = self.big()
        scenario = big["run"].scenario
        # One write per change, one more (the move) per move or delete.
        estimate = len(scenario.changes) + len(scenario.moved())
        results = {}

        def at(k):
            if k in results:
                return results[k]
            run = self.rewind(big)
            ctx = "(500 changes, %s=%d)" % (ABORT_ENV, k)
            r = self.replay(run.rc, abort=k, timeout=300)
            self.assertIn(r.status, (ABORT_EXIT, 0), "%s\n%r" % (ctx, r))
            self.finish_and_check(run, ctx)
            results[k] = r.status
            return r.status

        ks = sorted({1, 2, estimate + 1} | {1 + (estimate - 1) * i // 11 for i in range(12)})
        for k in ks:
            at(k)
        # The last write: between the largest K that stopped the replay
        # and the smallest above it that did not.
        lo = max([k for k, v in results.items() if v == ABORT_EXIT], default=0)
        self.assertGreater(lo, 0, "K=1 did not stop the replay")
        hi = min([k for k, v in results.items() if v == 0 and k > lo], default=None)
        step = 1
        while hi is None:
            probe = lo + step
            self.assertLess(probe, 4 * estimate, "far more journal writes than changes")
            if at(probe) == ABORT_EXIT:
                lo = probe
                step *= 2
            else:
                hi = probe
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if at(mid) == ABORT_EXIT:
                lo = mid
            else:
                hi = mid
        self.assertEqual(sorted(k for k, v in results.items() if v == ABORT_EXIT),
                         sorted(k for k in results if k <= lo),
                         "exit 86 up to the last write, 0 after: %s" % sorted(results.items()))
        self.assertGreaterEqual(lo, len(scenario.changes),
                                "fewer journal writes than changes")
        sys.stderr.write("# 500 changes recorded in %.1fs; %d journal writes in a replay; "
                         "K tried: %s\n" % (big["recording"], lo, sorted(results)))


class TestJournalDropped(JournalCase):
    """The IMAP connection cut during a replay: exit 3, the rest waits, a
    clean replay finishes it exactly."""

    def test_connection_cut_after_n_bytes(self):
        scenario = SCENARIO["mixed"]
        threes = 0
        for n in (80, 400, 1200, 3000):
            ctx = "(cut after %d bytes)" % n
            run = self.prepare(scenario)
            run.mark = self.s.log_mark()
            with FaultProxy(self.s.imap_port, "drop_after", n=n) as proxy:
                rc = self.rc_for(run.cache, "rc-proxy-" + run.tag, imap_port=proxy.port)
                r = self.replay(rc, timeout=60)
            self.assertIn(r.status, (0, 3), "%s\n%r" % (ctx, r))
            if r.status == 3:
                threes += 1
                self.assertGreater(proxy.faults, 0, ctx)
                self.assertNotEqual(self.journal(run.rc), [],
                                    "exit 3, yet nothing waits %s" % ctx)
            r = self.replay(run.rc, status=0)
            self.assertEqual(self.journal(run.rc), [], ctx)
            self.assertState(run, self.state(run), ctx)
            self.barrier()
            self.assertLogClean(run, run.mark, ctx)
            self.assertNothingWaiting(run, ctx)
        sys.stderr.write("# cut replays: %d of 4 stopped with exit 3\n" % threes)
        self.assertGreater(threes, 0, "no cut ever stopped a replay: the test tests nothing")


    def test_cut_after_the_server_did_it(self):
        # The command reaches the server, its answer never reaches tern:
        # the rerun must find the change done (the move made, the draft
        # or sent copy saved), not do it twice nor call it a conflict.
        scenario = SCENARIO["mixed"]
        for word, n in (("MOVE", 1), ("MOVE", 2), ("STORE", 1), ("APPEND", 1), ("APPEND", 2)):
            ctx = "(cut after the server got %s #%d)" % (word, n)
            with self.subTest(word=word, n=n):
                run = self.prepare(scenario)
                run.mark = self.s.log_mark()
                with FaultProxy(self.s.imap_port, "cut_at_command", n=n, word=word) as proxy:
                    rc = self.rc_for(run.cache, "rc-cut-" + run.tag, imap_port=proxy.port)
                    r = self.replay(rc, timeout=60)
                self.assertEqual(proxy.faults, 1, "%s: tern sent no such command\n%r"
                                 % (ctx, r))
                self.assertEqual(r.status, 3, "%s\n%r" % (ctx, r))
                r = self.replay(run.rc)
                self.assertEqual(self.journal(run.rc), [], ctx)
                self.assertState(run, self.state(run), ctx)
                self.barrier()
                self.assertLogClean(run, run.mark, ctx)
                self.assertEqual((r.status, self.summary(r)[1:]), (0, (0, 0)),
                                 "%s\n%r" % (ctx, r))


class TestJournalTwoCaches(JournalCase):
    """Two tern caches of one mailbox make conflicting changes offline."""

    def test_conflicting_changes_converge(self):
        tag = "jt%d" % next(_tags)
        f = self.new_folder("JTwo")
        g = self.new_folder("JOther")
        with self.device() as c:
            imap_append(c, f, message("k001", tag), ())
            imap_append(c, f, message("k002", tag), ("\\Seen",))
            imap_append(c, f, message("k003", tag), ("status/open",))
        rcs = {}
        for who in ("A", "B"):
            cache = os.path.join(self.tmp, "cache-" + who)
            rcs[who] = self.rc_for(cache, "rc-" + who)
            self.assertStatus(self.tern("-F", rcs[who], "--sync", f, g), 0)

        def offline(who, key, *actions):
            r = self.tern("-F", rcs[who], "--offline", "--match", "subject:" + key,
                          *actions, f)
            self.assertStatus(r, 0)
            if key != "k001":     # one of the two k001 changes changes nothing
                self.assertRegex(r.err.splitlines()[-1], WAITING)

        offline("A", "k001", "--flag")
        offline("A", "k002", "--move", g)
        offline("A", "k003", "--status", "pending")
        offline("B", "k001", "--unflag")
        offline("B", "k002", "--add-label", "Blue")
        offline("B", "k003", "--status", "done")
        mark = self.s.log_mark()

        r = self.replay(rcs["A"], status=0)
        self.assertEqual(self.summary(r)[1:], (0, 0), repr(r))
        r = self.replay(rcs["B"], status=1)
        problems = [line for line in r.err.splitlines() if line.startswith("tern: journal: ")]
        self.assertGreaterEqual(len(problems), 2, repr(r))
        self.assertIn("no longer there", r.err)
        self.assertTrue(any("k003" in p or "status" in p for p in problems),
                        "the status conflict is not reported\n%r" % r)
        self.assertEqual(self.summary(r)[1:], (2, 0), repr(r))
        self.assertEqual(self.journal(rcs["B"]), [])

        server = {}
        for folder in (f, g):
            for mid, subject, flags in self.read_folder(folder):
                server[mid] = (folder, sorted(x for x in flags if x in SYSTEM_FLAGS),
                               sorted(x for x in flags if not x.startswith("\\")))
        self.assertEqual(server[msgid("k002", tag)][0], g, "A's move stands")
        self.assertNotIn("Blue", server[msgid("k002", tag)][2],
                         "B's label on a message no longer there was applied")
        self.assertIn("status/pending", server[msgid("k003", tag)][2])
        self.assertNotIn("status/done", server[msgid("k003", tag)][2])
        self.assertEqual(len(server), 3)

        views = {}
        for who in ("A", "B"):
            self.assertStatus(self.tern("-F", rcs[who], "--sync", f, g), 0)
            view = {}
            for folder in (f, g):
                r = self.tern("-F", rcs[who], "--list", "--json", folder)
                self.assertStatus(r, 0)
                for line in r.out.splitlines():
                    row = json.loads(line)
                    view[row["message_id"]] = (row["folder"], sorted(row["flags"]),
                                               sorted(row["labels"]))
            views[who] = view
        self.assertEqual(views["A"], views["B"])
        self.assertEqual(views["A"], server)
        self.barrier()
        expunged = [e for e in self.s.mail_log_events(mark, user="alice", event="expunge")]
        self.assertEqual([e["msgid"] for e in expunged], [msgid("k002", tag)])


class TestJournalWriteFails(JournalCase):
    """A journal write that fails: the change is refused whole."""

    def setUp(self):
        super().setUp()
        self.run_ = self.prepare(Scenario("early", [
            ("k001", "src", ()), ("k002", "src", ()), ("k003", "src", ())], [
            (M, "src", ["k001"], [("add-label", "Early")]),
            (M, "src", ["k002"], [("flag",)])]))
        self.template = os.path.join(self.tmp, "template")
        shutil.copytree(self.run_.cache, self.template)
        self.early = [(e["seq"], e["kind"]) for e in self.journal(self.run_.rc)]
        self.assertEqual(len(self.early), 2)
        self.late = ["--offline", "--match", "subject:k003", "--add-label", "Late",
                     self.run_.folders["src"]]

    def restore(self, into=None):
        dest = into or self.run_.cache
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(self.template, dest)

    def late_in_cache(self, rc):
        rows = [row for row in self.listing(rc, self.run_.folders["src"])
                if row["message_id"] == self.run_.msgid("k003")]
        self.assertEqual(len(rows), 1)
        return "Late" in rows[0]["labels"]

    def assertRefused(self, r, rc, ctx):
        """A failed journal write: tern says so (exit > 0, a message
        naming the journal), the journal holds the earlier entries only
        and can still be read, the cache does not show the change."""
        j = self.tern("-F", rc, "--journal", "--json", timeout=60)
        entries = ([(e["seq"], e["kind"]) for e in map(json.loads, j.out.splitlines())]
                   if j.status == 0 else "unreadable: " + j.err.strip())
        said = [line for line in r.err.splitlines()
                if line.startswith("tern:") and "journal" in line]
        got = {"exit > 0": r.status > 0, "says journal": bool(said),
               "journal": entries, "change in cache": self.late_in_cache(rc)}
        want = {"exit > 0": True, "says journal": True, "journal": self.early,
                "change in cache": False}
        if r.status == 0 and isinstance(entries, list) and len(entries) == len(self.early) + 1:
            # A failure the library recovered from (tern reads the copy
            # back before it replaces the journal): recorded whole.
            want = {"exit > 0": False, "says journal": False,
                    "journal": self.early + [entries[-1]], "change in cache": True}
        self.assertEqual(got, want, ctx)

    def replay_applies_the_early_ones(self, rc):
        run = self.run_
        r = self.replay(rc, status=0)
        self.assertEqual(self.summary(r), (2, 0, 0), repr(r))
        got = {mid: flags for mid, subject, flags in self.read_folder(run.folders["src"])}
        self.assertEqual(got, {run.msgid("k001"): frozenset({"Early"}),
                               run.msgid("k002"): frozenset({"\\Flagged"}),
                               run.msgid("k003"): frozenset()})

    def test_abort_before_the_write_records_nothing(self):
        r = self.tern("-F", self.run_.rc, *self.late, env={ABORT_ENV: "1"})
        self.assertStatus(r, ABORT_EXIT)
        self.assertEqual([(e["seq"], e["kind"]) for e in self.journal(self.run_.rc)],
                         self.early)
        self.assertFalse(self.late_in_cache(self.run_.rc))

    def strace(self, syscall, k, trace):
        cmd = ["strace", "-f", "-qq", "-y", "-o", trace, "-e", "trace=" + syscall,
               "-e", "inject=%s:error=ENOSPC:when=%d" % (syscall, k),
               TERN, "-F", self.run_.rc] + self.late
        env = dict(os.environ, LC_ALL="C.UTF-8", HOME=self.tmp, MAILCAPS=os.devnull)
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", env=env, timeout=60)
        with open(trace, errors="replace") as fh:
            injected = [line for line in fh if "(INJECTED)" in line]
        return p, injected

    def test_injected_write_errors(self):
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        # Which calls touch the journal when a change is recorded?
        trace = os.path.join(self.tmp, "trace")
        calls = "write,pwrite64,pwritev,pwritev2,fsync,fdatasync,msync,sync_file_range"
        p = subprocess.run(["strace", "-f", "-qq", "-y", "-o", trace, "-e", "trace=" + calls,
                            TERN, "-F", self.run_.rc] + self.late,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL="C.UTF-8", HOME=self.tmp))
        if p.returncode != 0 and "ptrace" in p.stderr:
            self.skipTest("strace cannot trace here: %s" % p.stderr.strip())
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(trace, errors="replace") as fh:
            lines = fh.read().splitlines()
        used = sorted({re.match(r"(?:\d+ +)?(\w+)\(", line).group(1) for line in lines
                       if re.match(r"(?:\d+ +)?(\w+)\(", line) and ".journal" in line})
        self.assertTrue(used, "no write or sync call on the journal file:\n%s"
                        % "\n".join(lines[-30:]))
        self.restore()
        refused = 0
        first_refused = None
        for syscall in used:
            for k in range(1, 80):
                ctx = "(%s #%d fails with ENOSPC)" % (syscall, k)
                p, injected = self.strace(syscall, k, trace)
                if not injected:
                    # Nothing failed, so the change was recorded: start
                    # the next call's runs from the template again.
                    self.restore()
                    break
                r = Result(p)
                with self.subTest(syscall=syscall, K=k):
                    if any(".journal" in line for line in injected):
                        refused += 1
                        self.assertRefused(r, self.run_.rc, "%s %s\n%r"
                                           % (ctx, injected[0].strip(), r))
                        if first_refused is None:
                            first_refused = os.path.join(self.tmp, "refused")
                            shutil.copytree(self.run_.cache, first_refused)
                    else:
                        # Not the journal: the earlier entries are untouched,
                        # and a change either is recorded or refused whole.
                        entries = [(e["seq"], e["kind"])
                                   for e in self.journal(self.run_.rc, "%s\n%r" % (ctx, r))]
                        self.assertEqual(entries[:2], self.early, ctx)
                        if r.status != 0:
                            self.assertEqual(entries, self.early, "%s\n%r" % (ctx, r))
                self.restore()
        self.assertGreater(refused, 0, "no injected error hit the journal")
        self.assertIsNotNone(first_refused, "no failed journal write was refused cleanly")
        # The journal a failed write left behind replays the early changes only.
        shutil.rmtree(self.run_.cache)
        shutil.copytree(first_refused, self.run_.cache)
        self.replay_applies_the_early_ones(self.run_.rc)

    def test_full_disk(self):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare for a small tmpfs")
        mnt = os.path.join(self.tmp, "small")
        os.mkdir(mnt)
        probe = subprocess.run(["unshare", "-m", "sh", "-c",
                                "mount -t tmpfs -o size=64k tmpfs %s" % mnt],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            self.skipTest("cannot mount a tmpfs: %s" % probe.stderr.strip())
        out = os.path.join(self.tmp, "out")
        os.mkdir(out)
        rc = self.rc_for(mnt, "rc-small")
        size = 64 * 1024
        used = sum(os.path.getsize(os.path.join(self.template, n))
                   for n in os.listdir(self.template))
        while size < used + 32 * 1024:
            size *= 2
        script = """
set -e
mount -t tmpfs -o size={size} tmpfs {mnt}
cp -a {template}/. {mnt}/
dd if=/dev/zero of={mnt}/filler bs=1024 2>/dev/null || true
set +e
{tern} -F {rc} {late} >{out}/match.out 2>{out}/match.err
echo $? >{out}/match.rc
rm -f {mnt}/filler
{tern} -F {rc} --journal --json >{out}/journal.out 2>{out}/journal.err
echo $? >{out}/journal.rc
{tern} -F {rc} --list --offline --json {folder} >{out}/list.out 2>{out}/list.err
mkdir {out}/cache && cp -a {mnt}/. {out}/cache/
""".format(size=size, mnt=mnt, template=self.template, tern=TERN, rc=rc,
           late=" ".join("'%s'" % a for a in self.late), out=out,
           folder=self.run_.folders["src"])
        p = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                           text=True, timeout=120,
                           env=dict(os.environ, LC_ALL="C.UTF-8", HOME=self.tmp))
        self.assertEqual(p.returncode, 0, p.stderr)

        def read(name):
            with open(os.path.join(out, name), errors="replace") as fh:
                return fh.read()
        status = int(read("match.rc"))
        ctx = "(full tmpfs) exit %d\n%s" % (status, read("match.err"))
        self.assertGreater(status, 0, ctx)
        self.assertLess(status, 128, "killed by a signal " + ctx)
        self.assertIn("journal", read("match.err"), ctx)
        self.assertEqual(read("journal.rc").strip(), "0", read("journal.err"))
        entries = [json.loads(x) for x in read("journal.out").splitlines() if x.strip()]
        self.assertEqual([(e["seq"], e["kind"]) for e in entries], self.early, ctx)
        rows = [json.loads(x) for x in read("list.out").splitlines() if x.strip()]
        late = [row for row in rows if row["message_id"] == self.run_.msgid("k003")]
        self.assertEqual(len(late), 1, read("list.err"))
        self.assertNotIn("Late", late[0]["labels"], ctx)
        cache = os.path.join(out, "cache")
        self.replay_applies_the_early_ones(self.rc_for(cache, "rc-after"))


class TestJournalSmall(JournalCase):
    """The journal's commands and their small cases."""

    def small_run(self, changes=None):
        return self.prepare(Scenario("small", [
            ("k001", "src", ()), ("k002", "src", ("\\Seen",)), ("k003", "src", ())],
            changes if changes is not None else [
                (M, "src", ["k001"], [("add-label", "Work"), ("mark-read",)]),
                (M, "src", ["k002", "k003"], [("move", "dest")]),
                ("send", 1),
                ("draft", 1)]))

    def test_journal_listing_and_json(self):
        run = self.small_run()
        r = self.tern("-F", run.rc, "--journal")
        self.assertStatus(r, 0)
        rows = [line.split("\t") for line in r.out.splitlines()]
        self.assertEqual(len(rows), 4, repr(r))
        for n, row in enumerate(rows, 1):
            self.assertGreaterEqual(len(row), 4, repr(r))
            self.assertEqual(row[2], "pending", repr(r))
        self.assertEqual([row[1] for row in rows], ["actions", "actions", "send", "draft"])
        seqs = [int(row[0]) for row in rows]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 4)
        self.assertIn(run.folders["src"], rows[0][3])
        self.assertIn(run.subject("send", 1), rows[2][3])
        self.assertIn(run.subject("draft", 1), rows[3][3])

        entries = self.journal(run.rc)
        self.assertEqual([e["seq"] for e in entries], seqs)
        self.assertEqual([e["kind"] for e in entries], ["actions", "actions", "send", "draft"])
        self.assertTrue(all(e["state"] == "pending" for e in entries))
        a, b, s, d = entries
        self.assertEqual(a["folder"], run.folders["src"])
        self.assertEqual(sorted(a["actions"]), ["add-label Work", "mark-read"])
        self.assertEqual(len(a["uids"]), 1)
        self.assertEqual(len(b["actions"]), 1, b)
        self.assertTrue(b["actions"][0].startswith("move"), b)
        self.assertIn(run.folders["dest"], b["actions"][0])
        self.assertEqual(len(b["uids"]), 2)
        self.assertEqual(s["subject"], run.subject("send", 1))
        self.assertIn("bob@example.org", json.dumps(s["to"]))
        self.assertEqual(d["subject"], run.subject("draft", 1))

        # The cache shows the changes already.
        rows = {row["message_id"]: row for row in self.listing(run.rc, run.folders["src"])}
        self.assertIn("Work", rows[run.msgid("k001")]["labels"])
        self.assertIn("\\Seen", rows[run.msgid("k001")]["flags"])
        self.assertNotIn(run.msgid("k002"), rows)

        r = self.replay(run.rc, status=0)
        self.assertEqual(self.summary(r), (4, 0, 0), repr(r))
        self.assertState(run, self.state(run))
        r = self.tern("-F", run.rc, "--journal")
        self.assertStatus(r, 0)
        self.assertEqual(r.out, "")
        self.assertNothingWaiting(run)

    def test_never_synced_folder(self):
        folder = self.new_folder("JNever")
        cache = os.path.join(self.tmp, "cache")
        rc = self.rc_for(cache, "rc")
        r = self.tern("-F", rc, "--offline", "--match", "subject:x", "--flag", folder)
        self.assertStatus(r, 1)
        self.assertTrue(r.err.strip(), repr(r))
        r = self.tern("-F", rc, "--journal")
        self.assertStatus(r, 0)
        self.assertEqual(r.out, "")

    def test_file_mode_0600_whatever_the_umask(self):
        run = self.small_run(changes=[])
        path = self.journal_path(run.cache)
        r = subprocess.run(["sh", "-c", 'umask 000; exec "$@"', "sh", TERN, "-F", run.rc,
                            "--offline", "--match", "subject:k001", "--flag",
                            run.folders["src"]],
                           capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL="C.UTF-8", HOME=self.tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(path), os.listdir(run.cache))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        for name in os.listdir(run.cache):
            if name.startswith(ACCOUNT + ".journal"):
                self.assertEqual(os.stat(os.path.join(run.cache, name)).st_mode & 0o077, 0,
                                 name)

    def test_offline_never_connects(self):
        run = self.small_run(changes=[])
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        self.addCleanup(listener.close)
        port = listener.getsockname()[1]
        rc = self.rc_for(run.cache, "rc-listen", imap_port=port, smtp_port=port)
        r = self.tern("-F", rc, "--offline", "--match", "subject:k001", "--flag",
                      run.folders["src"], timeout=30)
        self.assertStatus(r, 0)
        path = self.write_draft("d", run.subject("send", 1))
        r = self.tern("-F", rc, "--send", "--offline", path, timeout=30)
        self.assertStatus(r, 0)
        r = self.tern("-F", rc, "--postpone", "--offline", path, timeout=30)
        self.assertStatus(r, 0)
        readable, _, _ = select.select([listener], [], [], 0)
        self.assertEqual(readable, [], "--offline connected to the server")
        self.assertEqual(len(self.journal(run.rc)), 3)

    def test_unreachable_server_falls_back_to_the_journal(self):
        run = self.small_run(changes=[])
        port = dead_port()
        rc = self.rc_for(run.cache, "rc-dead", imap_port=port, smtp_port=port)
        r = self.tern("-F", rc, "--match", "subject:k001", "--flag", run.folders["src"],
                      timeout=30)
        self.assertStatus(r, 0)
        self.assertRegex(r.err.splitlines()[-1], WAITING)
        path = self.write_draft("d", run.subject("send", 1))
        r = self.tern("-F", rc, "--send", path, timeout=30)
        self.assertStatus(r, 0)
        self.assertIn("queued:", r.err)
        self.assertEqual([e["kind"] for e in self.journal(run.rc)], ["actions", "send"])
        # Only SMTP down: queued too (and the journal replayed first, as
        # far as it goes without SMTP).
        path2 = self.write_draft("d2", run.subject("send", 2))
        rc_smtp = self.rc_for(run.cache, "rc-smtp-dead", smtp_port=port)
        r = self.tern("-F", rc_smtp, "--send", path2, timeout=30)
        self.assertStatus(r, 0)
        self.assertIn("queued:", r.err)
        entries = self.journal(run.rc)
        self.assertEqual([e["kind"] for e in entries][-2:], ["send", "send"])
        r = self.replay(run.rc, status=0)
        self.assertEqual(self.summary(r), (len(entries), 0, 0), repr(r))
        run.scenario.changes = [(M, "src", ["k001"], [("flag",)]), ("send", 1), ("send", 2)]
        self.assertState(run, self.state(run))

    def test_unroutable_server_falls_back_to_the_journal(self):
        # TEST-NET-1: no answer (a timeout) or no route; either way the
        # server cannot be reached.
        run = self.small_run(changes=[])
        rc = self.mailrc(
            "set timeout=2s\nset cache-dir=%s\naccount %s {\n"
            "    set imap=imap://alice@192.0.2.1:143\n    set tls=no\n"
            '    set password-command="echo alice-pw"\n}\n' % (run.cache, ACCOUNT),
            name="rc-unroutable")
        r = self.tern("-F", rc, "--match", "subject:k001", "--flag", run.folders["src"],
                      timeout=60)
        self.assertStatus(r, 0)
        self.assertRegex(r.err.splitlines()[-1], WAITING)
        self.assertEqual([e["kind"] for e in self.journal(run.rc)], ["actions"])

    def test_wrong_password_is_no_fallback(self):
        run = self.small_run(changes=[])
        rc = self.mailrc(
            "set timeout=5s\nset cache-dir=%s\naccount %s {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo wrong"\n}\n'
            % (run.cache, ACCOUNT, self.s.imap_port), name="rc-wrong")
        r = self.tern("-F", rc, "--match", "subject:k001", "--flag", run.folders["src"],
                      timeout=30)
        self.assertStatus(r, 3)
        self.assertEqual(self.journal(run.rc), [])

    def test_replay_with_server_down_keeps_everything(self):
        run = self.small_run()
        before = self.journal(run.rc)
        port = dead_port()
        rc = self.rc_for(run.cache, "rc-dead", imap_port=port, smtp_port=port)
        mark = self.s.log_mark()
        r = self.replay(rc, status=3)
        self.assertIn("journal", r.err, repr(r))
        self.assertEqual(self.journal(run.rc), before)
        self.assertEqual(self.sink(run.tag), [])
        r = self.replay(run.rc, status=0)
        self.assertState(run, self.state(run))
        self.barrier()
        self.assertLogClean(run, mark)

    def test_nothing_waiting(self):
        cache = os.path.join(self.tmp, "cache")
        rc = self.rc_for(cache, "rc")
        r = self.replay(rc, status=0)
        self.assertIn(NOTHING, r.err)
        r = self.tern("-F", rc, "--journal")
        self.assertStatus(r, 0)
        self.assertEqual(r.out, "")

    def test_sync_and_online_commands_replay_first(self):
        run = self.small_run(changes=[(M, "src", ["k001"], [("add-label", "Work")])])
        r = self.tern("-F", run.rc, "--sync", run.folders["src"])
        self.assertStatus(r, 0)
        self.assertEqual(self.journal(run.rc), [])
        self.assertState(run, self.state(run))
        # Online --match after an offline one: both, in order.
        self.record(run, [(M, "src", ["k002"], [("flag",)])])
        r = self.tern("-F", run.rc, "--match", "subject:k002", "--unflag", run.folders["src"])
        self.assertStatus(r, 0)
        self.assertEqual(self.journal(run.rc), [])
        got = {mid: flags for mid, _, flags in self.read_folder(run.folders["src"])}
        self.assertNotIn("\\Flagged", got[run.msgid("k002")])
        # Online --send replays a queued one first; each sent once.
        self.record(run, [("send", 1)])
        path = self.write_draft("online", run.subject("send", 2))
        r = self.tern("-F", run.rc, "--send", path)
        self.assertStatus(r, 0)
        self.assertEqual(self.journal(run.rc), [])
        self.assertEqual([s for s, _ in self.sink(run.tag)],
                         [run.subject("send", 1), run.subject("send", 2)])

    def test_filter_replays_first(self):
        run = self.small_run(changes=[])
        rules = os.path.join(self.tmp, "rules")
        with open(rules, "w") as fh:
            fh.write("filter subject:zzzqqq --flag\n")
        r = self.tern("-F", run.rc, "--filter", "--rules", rules, run.folders["src"])
        self.assertStatus(r, 0)      # the first run: from now on
        self.record(run, [(M, "src", ["k003"], [("add-label", "Filtered")])])
        r = self.tern("-F", run.rc, "--filter", "--rules", rules, run.folders["src"])
        self.assertEqual(self.journal(run.rc), [])
        got = {mid: flags for mid, _, flags in self.read_folder(run.folders["src"])}
        self.assertIn("Filtered", got[run.msgid("k003")])
        self.assertStatus(r, 0)

    def test_refused_mail_goes_to_drafts(self):
        run = self.small_run(changes=[])
        path = self.write_draft("refused", run.subject("send", 1),
                                to="bob@example.org, refused@example.org")
        r = self.tern("-F", run.rc, "--send", "--offline", path)
        self.assertStatus(r, 0)
        r = self.replay(run.rc, status=1)
        self.assertTrue([line for line in r.err.splitlines()
                         if line.startswith("tern: journal: ")], repr(r))
        self.assertEqual(self.summary(r)[2], 0, repr(r))
        self.assertEqual(self.journal(run.rc), [])
        self.assertEqual(self.sink(run.tag), [])
        drafts = [x for x in self.read_folder("Drafts") if run.tag in x[1]]
        self.assertEqual(len(drafts), 1, drafts)
        self.assertEqual([x for x in self.read_folder("Sent") if run.tag in x[1]], [])

    def test_moved_message_found_by_message_id_after_uidvalidity_change(self):
        run = self.small_run(changes=[(M, "src", ["k002"], [("move", "dest")])])
        src = run.folders["src"]
        with self.device() as c:
            c.delete(imap_quote(src))
            c.create(imap_quote(src))
            # Other UIDs now: UID 2, k002 before, is k003.
            for key, flags in (("k002", ("\\Seen",)), ("k003", ()), ("k001", ())):
                imap_append(c, src, message(key, run.tag), flags)
        mark = self.s.log_mark()
        r = self.replay(run.rc, status=0)
        self.assertEqual(self.summary(r), (1, 0, 0), repr(r))
        self.assertState(run, self.state(run))
        self.barrier()
        self.assertLogClean(run, mark)
