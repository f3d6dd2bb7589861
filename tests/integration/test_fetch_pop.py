"""tern --fetch-pop SRC --into DST[:FOLDER]: POP3 mail copied into an IMAP
folder, against the real Dovecot (bob's INBOX read over POP3, alice's
folders written over IMAP) and, for what Dovecot never does, the scripted
POP3 server (tests/faults/pop3script.py).

Checked on what the servers then hold: every message arrives byte for byte,
unread, with the date of its topmost Received: header (else Date:, else
now), exactly once however often tern runs (with or without a Message-ID,
with or without UIDL, with 1,000 messages and connections cut at random
points, with 600 messages and tern killed fifteen times mid-import);
nothing leaves POP3 unless pop3-delete=yes, and then only after Dovecot
logged the IMAP save of that very message; a server without UIDL gets no
DELE at all; a connection cut in the middle of a RETR imports no part of
a message, and one cut in the middle of UIDL is a lost connection
(retried, or exit 3), never taken for a server without UIDL; the summary
line and exit statuses are as documented, and mailrc mistakes are exit 2
naming the account."""

import asyncio
import collections
import datetime
import email
import email.utils
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for _d in ("harness", "faults"):
    _p = os.path.join(os.path.dirname(HERE), _d)
    if _p not in sys.path:
        sys.path.insert(0, _p)

from background import HOST, BackgroundServer  # noqa: E402
from pop3script import Pop3Script  # noqa: E402
from servers import imap_append, imap_quote  # noqa: E402
from ternlib import TERN, ServersTestCase, TernTestCase  # noqa: E402

SUMMARY = re.compile(r"^(.*) -> (.*): (\d+) imported, (\d+) already there, (\d+) deleted$")


def message(msgid, subject="hello", headers=b"", body=b"Hello.\r\n",
            date=b"Mon, 05 Jan 2026 10:00:00 +0000"):
    """A small message; msgid None leaves Message-ID out, date None Date."""
    return (headers
            + b"From: Bob Example <bob@example.com>\r\nTo: alice@example.com\r\n"
            + b"Subject: " + subject.encode() + b"\r\n"
            + (b"Date: " + date + b"\r\n" if date is not None else b"")
            + (b"Message-ID: <" + msgid.encode() + b">\r\n" if msgid is not None else b"")
            + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + body)


# (message, the INTERNALDATE it must get, as RFC 5322 date text)
VARIED = [
    (message("v1@example.org", "two hops",
             headers=b"Received: from mx.example.org by imap.example.com with ESMTP id a1;"
                     b" Tue, 03 Feb 2026 04:05:06 +0100\r\n"
                     b"Received: from relay.example.net by mx.example.org;"
                     b" Mon, 02 Feb 2026 23:00:00 -0500\r\n"),
     "Tue, 03 Feb 2026 04:05:06 +0100"),
    (message("v2@example.org", "folded received, semicolon in comment",
             headers=b"Received: from relay (relay.example.net [192.0.2.7]; helo=x)\r\n"
                     b"\tby mx.example.com (Postfix) with ESMTPS id 4F1;\r\n"
                     b"\tWed, 4 Mar 2026 05:06:07 -0800 (PST)\r\n"),
     "Wed, 4 Mar 2026 05:06:07 -0800"),
    (message("v3@example.org", "no received, only a date",
             date=b"Thu, 15 Jan 2026 12:34:56 +0530"),
     "Thu, 15 Jan 2026 12:34:56 +0530"),
    (message("v4@example.org", "dots and eight bits",
             headers=b"Received: by mx.example.com; Fri, 16 Jan 2026 08:00:00 +0000\r\n",
             body=b".\r\n..\r\n.leading dot\r\n. \r\nGr\xc3\xbc\xc3\x9fe, caf\xc3\xa9\r\n"
                  + b"x" * 1500 + b"\r\n.\r\nend\r\n"),
     "Fri, 16 Jan 2026 08:00:00 +0000"),
    (b"Received: from a by b; Sat, 17 Jan 2026 09:10:11 +0200\r\n"
     b"From: carol@example.net\r\nTo: alice@example.com\r\nSubject: attachment\r\n"
     b"Date: Sat, 17 Jan 2026 00:00:00 +0000\r\nMessage-ID: <v5@example.org>\r\n"
     b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
     b"--b0\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
     b"--b0\r\nContent-Type: application/octet-stream\r\n"
     b"Content-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhM=\r\n"
     b"--b0--\r\n",
     "Sat, 17 Jan 2026 09:10:11 +0200"),
]


def msgid_of(raw):
    value = email.message_from_bytes(raw).get("Message-ID")
    return value.strip() if value else None


def internaldate(text):
    """An IMAP INTERNALDATE ("03-Feb-2026 04:05:06 +0100") as a datetime."""
    return datetime.datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z")


class ByteCutProxy(BackgroundServer):
    """A loopback proxy to target_port that cuts each connection (closes
    both sides) after lo..hi bytes have gone through it, either way; the
    number is drawn per connection from random.Random(seed), so a run is
    the same every time for the same traffic."""
    name = "bytecut"

    def __init__(self, target_port, seed, lo, hi):
        super().__init__()
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.lo, self.hi = lo, hi
        self.connections = 0
        self.cuts = 0

    async def handle(self, creader, cwriter):
        self.connections += 1
        budget = [self.rng.randint(self.lo, self.hi)]
        try:
            sreader, swriter = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            cwriter.close()
            return
        done = asyncio.Event()

        async def pump(reader, writer):
            try:
                while budget[0] > 0:
                    data = await reader.read(65536)
                    if not data:
                        break
                    data = data[:budget[0]]
                    budget[0] -= len(data)
                    writer.write(data)
                    await writer.drain()
                else:
                    self.cuts += 1
            except OSError:
                pass
            done.set()

        pumps = [asyncio.ensure_future(pump(creader, swriter)),
                 asyncio.ensure_future(pump(sreader, cwriter))]
        try:
            await done.wait()
        finally:
            for p in pumps:
                p.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            cwriter.close()
            swriter.close()


class FetchPopCase(ServersTestCase):
    """Helpers: bob's INBOX is the POP3 source (emptied before each test),
    a new folder of alice's the destination."""
    SRC, DST = "old", "imap"

    def setUp(self):
        super().setUp()
        self.empty_folder("bob")
        self.cache = os.path.join(self.tmp, "cache")
        self.folder = self.new_folder("Imp")
        self.mark = self.s.log_mark()

    def rc(self, delete=False, pop3_port=None, imap_port=None,
           pop3_user="bob"):
        return self.mailrc(
            "set timeout=5s\nset cache-dir=%s\n"
            "account %s {\n    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo %s"\n}\n'
            "account %s {\n    set pop3=pop3://%s@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo %s"\n%s}\n'
            % (self.cache, self.DST, imap_port or self.s.imap_port, self.s.users["alice"],
               self.SRC, pop3_user, pop3_port or self.s.pop3_port,
               self.s.users.get(pop3_user, "alice-pw"),
               "    set pop3-delete=yes\n" if delete else ""))

    def fetch(self, rc, status=0, into=None, timeout=120):
        r = self.tern("-F", rc, "--fetch-pop", self.SRC, "--into",
                      into or "%s:%s" % (self.DST, self.folder), timeout=timeout)
        if status is not None:
            self.assertStatus(r, status)
        return r

    def summary(self, r, folder=None):
        """(imported, already there, deleted) from the last line of stdout,
        which must name SRC, DST and the folder."""
        lines = r.out.splitlines()
        m = SUMMARY.match(lines[-1]) if lines else None
        self.assertIsNotNone(m, "no summary line\n%r" % r)
        self.assertEqual(m.group(1, 2), (self.SRC, "%s:%s" % (self.DST, folder or self.folder)),
                         repr(r))
        return tuple(int(x) for x in m.group(3, 4, 5))

    def fill_pop(self, messages):
        """Put messages (bytes) into bob's INBOX, which is what POP3 serves."""
        with self.device("bob") as c:
            for raw in messages:
                imap_append(c, "INBOX", raw)

    def pop3_count(self):
        return self.s.pop3_stat("bob")[0]

    def imported(self, folder=None):
        """[(raw, flags, internaldate)] of alice's folder, in UID order."""
        out = []
        with self.device() as c:
            typ, data = c.select(imap_quote(folder or self.folder), readonly=True)
            self.assertEqual(typ, "OK", data)
            if int(data[0]) == 0:
                return out
            typ, data = c.uid("FETCH", "1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
            self.assertEqual(typ, "OK", data)
            pending = None
            for item in data:
                if isinstance(item, tuple):
                    pending = item
                elif pending is not None and isinstance(item, bytes):
                    meta, raw, pending = pending[0] + item, pending[1], None
                    flags = re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).decode().split()
                    date = re.search(rb'INTERNALDATE "([^"]+)"', meta).group(1).decode()
                    out.append((raw, set(flags), internaldate(date)))
        return out

    def by_msgid(self, folder=None):
        rows = self.imported(folder)
        got = {msgid_of(raw): (raw, flags, date) for raw, flags, date in rows}
        self.assertEqual(len(got), len(rows), "the same Message-ID twice")
        return got

    def warning(self, r):
        self.assertTrue([l for l in r.err.splitlines() if "WARNING" in l],
                        "no POP3 delete warning\n%r" % r)

    def pop3_deletes(self):
        return [e for e in self.s.mail_log_events(self.mark, user="bob")
                if e["service"] == "pop3" and e["event"] in ("delete", "expunge")]

    def assertDeletedOnlyAfterSave(self, count):
        """Dovecot's mail_log: count messages left POP3, each after the
        IMAP save of the same Message-ID into alice's folder (log order:
        its times are only to the second)."""
        self.s.wait_mail_log("expunge", user="bob", since=self.mark, count=count)
        events = self.s.mail_log_events(self.mark)
        saved = {}
        for i, e in enumerate(events):
            if (e["service"], e["user"], e["event"], e["box"]) == (
                    "imap", "alice", "save", self.folder):
                saved.setdefault(e["msgid"], i)
        deletes = [(i, e) for i, e in enumerate(events)
                   if (e["service"], e["user"]) == ("pop3", "bob")
                   and e["event"] in ("delete", "expunge")]
        self.assertEqual(len({e["msgid"] for i, e in deletes}), count)
        for i, e in deletes:
            self.assertIn(e["msgid"], saved, "deleted from POP3, never saved:\n" + e["line"])
            self.assertLess(saved[e["msgid"]], i,
                            "deleted from POP3 before it was saved:\n" + e["line"])


class TestFetchPop(FetchPopCase):
    def test_copies_byte_for_byte_unread_with_received_date(self):
        self.fill_pop([raw for raw, date in VARIED])
        rc = self.rc()
        r = self.fetch(rc)
        self.assertEqual(self.summary(r), (5, 0, 0))
        got = self.by_msgid()
        self.assertEqual(len(got), 5)
        for raw, date in VARIED:
            copy, flags, idate = got[msgid_of(raw)]
            self.assertEqual(copy, raw, msgid_of(raw))
            self.assertEqual(flags - {"\\Recent"}, set(), msgid_of(raw))
            self.assertEqual(idate, email.utils.parsedate_to_datetime(date), msgid_of(raw))
        self.assertEqual(self.pop3_count(), 5)
        # Again: nothing new, nothing twice, still nothing deleted.
        r = self.fetch(rc)
        imported, there, deleted = self.summary(r)
        self.assertEqual((imported, deleted), (0, 0), repr(r))
        self.assertEqual(len(self.imported()), 5)
        self.assertEqual(self.pop3_count(), 5)
        self.assertEqual(self.pop3_deletes(), [])

    def test_without_message_id_imported_once(self):
        raw = message(None, "no id, no date", date=None, body=b"anonymous\r\n")
        self.fill_pop([raw, message("with-id@example.org")])
        rc = self.rc()
        before = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(self.summary(self.fetch(rc)), (2, 0, 0))
        after = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(self.summary(self.fetch(rc))[0], 0)
        rows = self.imported()
        self.assertEqual(len(rows), 2)
        anon = [row for row in rows if msgid_of(row[0]) is None]
        self.assertEqual(len(anon), 1)
        self.assertEqual(anon[0][0], raw)
        # No Received:, no Date: the time of the import.
        self.assertTrue(before - datetime.timedelta(seconds=2) <= anon[0][2]
                        <= after + datetime.timedelta(seconds=2), anon[0][2])

    def test_default_folder_is_inbox(self):
        raw = message("to-inbox-%d@example.org" % os.getpid())
        self.fill_pop([raw])
        before = self.s.imap_count("alice", "INBOX")
        r = self.fetch(self.rc(), into=self.DST)
        self.assertEqual(self.summary(r, folder="INBOX"), (1, 0, 0))
        self.assertEqual(self.s.imap_count("alice", "INBOX"), before + 1)
        self.assertIn(msgid_of(raw), self.by_msgid("INBOX"))

    def test_missing_folder_is_created(self):
        self.fill_pop([message("new-folder@example.org")])
        folder = self.folder + "New"   # not on the server
        r = self.fetch(self.rc(), into="%s:%s" % (self.DST, folder))
        self.assertEqual(self.summary(r, folder=folder), (1, 0, 0))
        self.assertEqual(list(self.by_msgid(folder)), ["<new-folder@example.org>"])

    def test_memory_lost_exact_copies_may_go(self):
        # Imported while pop3-delete=no; then the cache is lost and
        # deleting is asked for. Exact copies in a folder POP3 does not
        # serve are tern's: they go. A copy with the same Message-ID but
        # other bytes is not this message: it stays on POP3.
        same = [message("same%d@example.org" % i, "same %d" % i) for i in range(3)]
        other = message("differs@example.org", "differs", body=b"The POP3 text.\r\n")
        self.fill_pop(same + [other])
        self.assertEqual(self.summary(self.fetch(self.rc())), (4, 0, 0))
        with self.device() as c:
            c.select(imap_quote(self.folder))
            typ, data = c.uid("SEARCH", "HEADER", "Message-ID", "<differs@example.org>")
            c.uid("STORE", data[0].decode(), "+FLAGS", "(\\Deleted)")
            c.expunge()
            imap_append(c, self.folder, message("differs@example.org", "differs",
                                                body=b"Another text.\r\n"))
        shutil.rmtree(self.cache)
        r = self.fetch(self.rc(delete=True), status=0)
        self.assertEqual(self.summary(r), (0, 4, 3))
        self.assertEqual(self.pop3_count(), 1)
        self.assertDeletedOnlyAfterSave(3)

    def test_delete_only_after_save(self):
        self.fill_pop([raw for raw, date in VARIED])
        r = self.fetch(self.rc(delete=True))
        self.warning(r)
        self.assertEqual(self.summary(r), (5, 0, 5))
        self.assertEqual(self.pop3_count(), 0)
        got = self.by_msgid()
        self.assertEqual({msgid: got[msgid][0] for msgid in got},
                         {msgid_of(raw): raw for raw, date in VARIED})
        self.assertDeletedOnlyAfterSave(5)

    def test_a_thousand_messages_through_cut_connections(self):
        sent = [message("bulk%d@example.org" % n, "bulk %d" % n, body=b"message %d\r\n" % n)
                for n in range(1000)]
        self.fill_pop(sent)
        self.assertEqual(self.pop3_count(), 1000)
        statuses, runs = [], []
        with ByteCutProxy(self.s.pop3_port, 1, 2000, 150000) as pop, \
                ByteCutProxy(self.s.imap_port, 2, 2000, 150000) as imap:
            rc = self.rc(delete=True, pop3_port=pop.port, imap_port=imap.port)
            for _ in range(8):
                r = self.fetch(rc, status=None, timeout=30)
                self.assertIn(r.status, (0, 3), repr(r))
                self.warning(r)
                statuses.append(r.status)
                runs.append(r)
                if r.status == 0:
                    break
        # Cut, whether tern then gave up (3) or reconnected and went on.
        self.assertGreater(pop.cuts + imap.cuts, 0, "nothing was cut: the test tests nothing")
        self.assertGreater(self.s.imap_count("alice", self.folder), 0,
                           "the cut runs (exit %s) kept no progress" % statuses)
        r = self.fetch(self.rc(delete=True), timeout=60)
        runs.append(r)
        # Each message left POP3 once: the "deleted" counts add up to that
        # only if no run counted a DELE whose session never reached QUIT.
        self.assertEqual(sum(self.summary(r)[2] for r in runs), 1000,
                         "deleted, said the runs:\n%s" % "\n".join(map(repr, runs)))
        rows = self.imported()
        want = {msgid_of(raw): raw for raw in sent}
        damaged = [raw[:400] for raw, flags, date in rows if want.get(msgid_of(raw)) != raw]
        self.assertEqual(damaged, [], "not what POP3 had; the runs:\n%s"
                         % "\n".join(map(repr, runs)))
        got = collections.Counter(msgid_of(raw) for raw, flags, date in rows)
        self.assertEqual([m for m, n in got.items() if n > 1], [],
                         "imported twice; the runs:\n%s" % "\n".join(map(repr, runs)))
        self.assertEqual(set(got), set(want))
        self.assertEqual(self.pop3_count(), 0)
        self.assertDeletedOnlyAfterSave(1000)


    def test_killed_at_random_moments(self):
        # SIGKILL while messages are on their way (seeded, so the moments
        # are the same on every run of the test): what tern wrote of its
        # progress must never lead to a message imported twice, lost, or
        # deleted from POP3 before IMAP holds tern's copy.
        sent = [message("kill%d@example.org" % n, "kill %d" % n, body=b"killed %d\r\n" % n)
                for n in range(600)]
        self.fill_pop(sent)
        rc = self.rc(delete=True)
        env = dict(os.environ, LC_ALL="C.UTF-8", HOME=self.tmp)
        rnd = random.Random(7)
        kills = 0
        for _ in range(15):
            before = self.s.imap_count("alice", self.folder)
            proc = subprocess.Popen(
                [TERN, "-F", rc, "--fetch-pop", self.SRC, "--into",
                 "%s:%s" % (self.DST, self.folder)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, start_new_session=True)
            # Once messages are arriving, a moment later.
            deadline = time.monotonic() + 20
            while proc.poll() is None and time.monotonic() < deadline and \
                    self.s.imap_count("alice", self.folder) == before:
                time.sleep(0.005)
            time.sleep(rnd.uniform(0, 0.05))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(30)
            if self.pop3_count() == 0:
                break
        self.assertGreater(kills, 0, "never killed: the test tests nothing")
        r = self.fetch(rc, timeout=60)
        got = collections.Counter(msgid_of(raw) for raw, flags, date in self.imported())
        self.assertEqual([m for m, n in got.items() if n > 1], [], "imported twice")
        self.assertEqual(set(got), {msgid_of(raw) for raw in sent}, repr(r))
        self.assertEqual(self.pop3_count(), 0, repr(r))
        self.assertDeletedOnlyAfterSave(600)


class TestFetchPopScripted(FetchPopCase):
    """POP3 from the scripted server (user alice), IMAP from Dovecot."""
    MESSAGES = [message("s1@example.org", "scripted one"),
                message("s2@example.org", "scripted two",
                        body=b"".join(b"line %d\r\n.\r\n..dots\r\n" % i for i in range(40))),
                message(None, "scripted, no id")]

    def scripted(self, scenario):
        server = Pop3Script(scenario, self.MESSAGES)
        server.start()
        self.addCleanup(server.stop)
        self.addCleanup(lambda: self.assertEqual(server.errors, []))
        return server

    def dele_commands(self, server):
        return [c for c in server.commands if c.upper().startswith(b"DELE")]

    def test_no_uidl_imports_once_and_deletes_nothing(self):
        server = self.scripted("no_uidl")
        rc = self.rc(delete=True, pop3_port=server.port, pop3_user="alice")
        for run, want in ((1, 3), (2, 0)):
            r = self.fetch(rc, status=1)
            self.warning(r)
            said = [l for l in r.err.splitlines()
                    if "UIDL" in l and "nothing is deleted" in l]
            self.assertTrue(said, "run %d: no word of UIDL\n%r" % (run, r))
            imported, there, deleted = self.summary(r)
            self.assertEqual((imported, deleted), (want, 0), repr(r))
            rows = self.imported()
            self.assertEqual(sorted(raw for raw, flags, date in rows), sorted(self.MESSAGES))
        self.assertTrue(any(c.upper().startswith(b"RETR") for c in server.commands),
                        server.commands)
        self.assertEqual(self.dele_commands(server), [])
        self.assertEqual(server.deleted, [])
        self.assertEqual(server.remaining, [0, 1, 2])

    def test_scripted_normal_server_deletes(self):
        # The control for the test above: with UIDL, the same run deletes.
        server = self.scripted("normal")
        rc = self.rc(delete=True, pop3_port=server.port, pop3_user="alice")
        r = self.fetch(rc)
        self.warning(r)
        self.assertEqual(self.summary(r), (3, 0, 3))
        self.assertEqual(len(self.dele_commands(server)), 3, server.commands)
        self.assertEqual(sorted(server.deleted), [0, 1, 2])
        self.assertEqual(sorted(raw for raw, flags, date in self.imported()),
                         sorted(self.MESSAGES))
        r = self.fetch(rc)
        self.assertEqual(self.summary(r), (0, 0, 0))


    def cut_then_rerun(self, scenario):
        """Run against a server that breaks one connection (tern may
        reconnect and finish: exit 0, or leave it to a rerun: exit 3), then
        again if need be; check that the "deleted" counts are what the
        server really deleted and that it all ends as without the cut.
        Returns the first run's result."""
        server = self.scripted(scenario)
        rc = self.rc(delete=True, pop3_port=server.port, pop3_user="alice")
        first = r = self.fetch(rc, status=None)
        self.assertIn(r.status, (0, 3), repr(r))
        self.assertEqual(server.faults, 1)
        self.assertEqual(self.summary(r)[2], len(server.deleted), repr(r))
        for raw, flags, date in self.imported():
            self.assertIn(raw, self.MESSAGES, "not a whole message\n%r" % r)
        if r.status:
            before = len(server.deleted)
            r = self.fetch(rc)
            self.assertEqual(self.summary(r)[2], len(server.deleted) - before, repr(r))
        self.assertEqual(sorted(raw for raw, flags, date in self.imported()),
                         sorted(self.MESSAGES))
        self.assertEqual(sorted(server.deleted), [0, 1, 2])
        return first

    def test_cut_in_retr_imports_no_part(self):
        self.cut_then_rerun("cut_in_retr")

    def test_cut_in_uidl_is_a_connection_failure(self):
        # Not a server without UIDL: no such claim, and deletes as asked.
        r = self.cut_then_rerun("cut_in_uidl")
        self.assertNotIn("nothing is deleted", r.err, repr(r))


class TestFetchPopUsage(TernTestCase):
    """Mailrc mistakes: exit 2, naming the account, before any connection."""
    CONF = """\
account work {
    set imap=imap://alice@127.0.0.1:1
    set tls=no
}
account legacy {
    set pop3=pop3://bob@127.0.0.1:1
    set tls=no
}
"""

    def usage(self, src, into, name):
        r = self.tern("-F", self.mailrc(self.CONF), "--fetch-pop", src, "--into", into,
                      timeout=30)
        self.assertStatus(r, 2)
        self.assertIn(name, r.err, repr(r))
        self.assertNotIn("imported", r.out, repr(r))
        return r

    def test_unknown_source(self):
        self.usage("nosuch", "work", "nosuch")

    def test_unknown_destination(self):
        self.usage("legacy", "nosuch:Box", "nosuch")

    def test_source_without_pop3(self):
        r = self.usage("work", "work:Box", "work")
        self.assertIn("pop3", r.err)

    def test_destination_without_imap(self):
        r = self.usage("legacy", "legacy:Box", "legacy")
        self.assertIn("imap", r.err)
