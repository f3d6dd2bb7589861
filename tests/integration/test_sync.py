"""tern --sync and --list against the real Dovecot, with a second IMAP
session from the test acting as another device: flags, keywords, new
mail, expunges, a recreated folder (UIDVALIDITY), a server without
CONDSTORE/QRESYNC, a damaged cache, a connection dropped mid-sync. And
throughout: tern never sets \\Seen, never expunges, and never turns an
empty cache into a change on the server."""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))

from faultproxy import FaultProxy  # noqa: E402
from servers import imap_append  # noqa: E402
from ternlib import ServersTestCase  # noqa: E402


def message(i, subject=None, refs=None):
    hdr = ("From: Sender %d <sender%d@example.org>\r\nTo: alice@example.org\r\n"
           "Subject: %s\r\nDate: Mon, %d Jan 2024 10:00:00 +0000\r\n"
           "Message-ID: <m%d@example.org>\r\n" % (
               i, i, subject or "message %d" % i, 1 + i % 28, i))
    if refs:
        hdr += "References: %s\r\nIn-Reply-To: %s\r\n" % (refs, refs.split()[-1])
    return (hdr + "\r\nbody %d\r\n" % i).encode()


class TestSync(ServersTestCase):
    def setUp(self):
        super().setUp()
        self.folder = self.new_folder("Sync")
        self.cache = os.path.join(self.tmp, "cache")
        self.port = self.s.imap_port

    def append(self, count, start=0, flags=()):
        with self.device() as c:
            for i in range(start, start + count):
                imap_append(c, self.folder, message(i), flags)

    def server_flags(self):
        """{uid: set of flags} as Dovecot has them."""
        with self.device() as c:
            c.select(self.folder, readonly=True)
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS)")
            out = {}
            for item in data:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else item[0].decode()
                m = re.search(r"UID (\d+) FLAGS \(([^)]*)\)", text)
                if m:
                    out[int(m.group(1))] = set(m.group(2).split())
            return out

    # ---- tern
    def rc(self, port=None, extra=""):
        return self.mailrc(
            "set timeout=5s\nset cache-dir=%s\naccount a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo alice-pw"\n%s}\n'
            % (self.cache, port or self.port, extra))

    def sync(self, status=0, port=None, folder=None):
        r = self.tern("-F", self.rc(port), "--sync", folder or self.folder, timeout=120)
        self.assertStatus(r, status)
        return r

    def summary(self, r):
        m = re.search(r"(\d+) messages, (\d+) new, (\d+) changed, (\d+) vanished", r.out)
        self.assertIsNotNone(m, repr(r))
        return tuple(int(x) for x in m.groups())

    def listing(self, *args, status=0, port=None):
        r = self.tern("-F", self.rc(port), "--list", "--json", *args, self.folder, timeout=120)
        self.assertStatus(r, status)
        return [json.loads(line) for line in r.out.splitlines()]

    def assertMatchesServer(self, rows):
        flags = self.server_flags()
        self.assertEqual(sorted(r["uid"] for r in rows), sorted(flags))
        for row in rows:
            want = flags[row["uid"]]
            self.assertEqual(set(row["flags"]),
                             {f for f in want if f in ("\\Seen", "\\Answered", "\\Flagged",
                                                       "\\Deleted", "\\Draft")}, row)
            self.assertEqual(set(row["labels"]),
                             {f for f in want if not f.startswith("\\")}, row)

    # ---- the tests
    def test_cold_sync_then_list(self):
        self.append(30)
        self.append(5, start=100, flags=("\\Seen",))
        self.assertEqual(self.summary(self.sync()), (35, 35, 0, 0))
        rows = self.listing()
        self.assertEqual(len(rows), 35)
        self.assertMatchesServer(rows)
        row = [r for r in rows if r["message_id"] == "<m3@example.org>"][0]
        self.assertEqual(row["subject"], "message 3")
        self.assertEqual(row["from"], [{"name": "Sender 3", "addr": "sender3@example.org"}])
        self.assertEqual(row["to"], [{"name": None, "addr": "alice@example.org"}])
        self.assertEqual(row["date"], "2024-01-04T10:00:00Z")
        self.assertEqual(row["folder"], self.folder)
        self.assertGreater(row["size"], 100)
        self.assertNotIn("text", row)
        # A second sync with nothing changed changes nothing.
        self.assertEqual(self.summary(self.sync()), (35, 0, 0, 0))

    def test_other_device_changes_show_after_sync(self):
        self.append(20)
        self.sync()
        with self.device() as c:
            c.select(self.folder)
            c.uid("STORE", "1:3", "+FLAGS", "(\\Seen)")
            c.uid("STORE", "4", "+FLAGS", "(\\Flagged $label1)")
            c.uid("STORE", "5", "+FLAGS", "(work)")
            c.uid("STORE", "7:8", "+FLAGS", "(\\Deleted)")
            c.expunge()
        self.append(4, start=50)
        self.assertEqual(self.summary(self.sync()), (22, 4, 5, 2))
        rows = self.listing()
        self.assertMatchesServer(rows)
        four = [r for r in rows if r["uid"] == 4][0]
        self.assertEqual(four["flags"], ["\\Flagged"])
        self.assertEqual(four["labels"], ["$label1"])

    def test_without_condstore_or_qresync(self):
        self.append(12)
        with FaultProxy(self.s.imap_port, "strip_condstore") as proxy:
            self.assertEqual(self.summary(self.sync(port=proxy.port)), (12, 12, 0, 0))
            with self.device() as c:
                c.select(self.folder)
                c.uid("STORE", "2", "+FLAGS", "(\\Seen)")
                c.uid("STORE", "3", "+FLAGS", "(\\Deleted)")
                c.expunge()
            self.append(1, start=40)
            self.assertEqual(self.summary(self.sync(port=proxy.port)), (12, 1, 1, 1))
            sent = proxy.client_bytes
        self.assertNotIn(b"CONDSTORE", sent)
        self.assertNotIn(b"QRESYNC", sent)
        self.assertNotIn(b"CHANGEDSINCE", sent)
        self.assertMatchesServer(self.listing())

    def test_folder_recreated_new_uidvalidity(self):
        self.append(6)
        self.sync()
        with self.device() as c:
            c.delete(self.folder)
            c.create(self.folder)
        time.sleep(1.1)  # Dovecot's UIDVALIDITY is the creation time
        self.append(3, start=200)
        r = self.sync()
        self.assertIn("UIDVALIDITY changed", r.out)
        rows = self.listing()
        self.assertEqual(sorted(x["message_id"] for x in rows),
                         ["<m200@example.org>", "<m201@example.org>", "<m202@example.org>"])

    def cache_files(self):
        return [os.path.join(self.cache, f) for f in os.listdir(self.cache)
                if f.endswith(".tcb")]

    def test_damaged_cache_is_rebuilt(self):
        self.append(25)
        self.sync()
        for damage in ("garbage", "truncate"):
            with self.subTest(damage=damage):
                (path,) = self.cache_files()
                if damage == "garbage":
                    with open(path, "wb") as f:
                        f.write(os.urandom(70000))
                else:
                    with open(path, "r+b") as f:
                        f.truncate(os.path.getsize(path) // 2)
                r = self.sync()
                self.assertEqual(self.summary(r)[0], 25, repr(r))
                self.assertMatchesServer(self.listing())
                self.assertEqual(len(self.server_flags()), 25)

    def test_cache_files_are_private(self):
        self.append(2)
        self.sync()
        (path,) = self.cache_files()
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(self.cache).st_mode & 0o077, 0)

    def test_connection_dropped_mid_sync(self):
        self.append(300)
        with FaultProxy(self.s.imap_port, "drop_after", n=20000) as proxy:
            r = self.sync(status=3, port=proxy.port)
        self.assertIn("account 'a'", r.err)
        r = self.sync()
        self.assertEqual(self.summary(r)[0], 300)
        rows = self.listing()
        self.assertEqual(len(rows), 300)
        self.assertMatchesServer(rows)

    def test_tern_changes_nothing_on_the_server(self):
        self.append(15)
        with self.device() as c:
            c.select(self.folder)
            c.uid("STORE", "1:5", "+FLAGS", "(\\Seen)")
        before = self.server_flags()
        since = os.path.getsize(self.s.log_path)
        self.sync()
        self.listing()
        self.listing("--sort", "thread")
        self.assertEqual(self.server_flags(), before)
        time.sleep(0.3)
        events = [e for e in self.s.mail_log_events(since, user="alice")
                  if e["event"] in ("expunge", "flag_change", "delete", "save", "copy")]
        self.assertEqual(events, [])

    def test_empty_cache_never_deletes(self):
        self.append(10)
        self.sync()
        for path in self.cache_files():
            os.unlink(path)
        self.assertEqual(self.summary(self.sync()), (10, 10, 0, 0))
        self.assertEqual(len(self.server_flags()), 10)

    def test_offline_list(self):
        r = self.tern("-F", self.rc(), "--list", "--offline", self.folder, timeout=60)
        self.assertStatus(r, 1)
        self.assertIn("not in the cache yet", r.err)
        self.append(4)
        online = self.listing()
        r = self.tern("-F", self.rc(port=1), "--list", "--json", "--offline", self.folder,
                      timeout=60)
        self.assertStatus(r, 0)
        self.assertRegex(r.err, r"from the cache, synced \d+ seconds ago")
        self.assertEqual([json.loads(l) for l in r.out.splitlines()], online)

    def test_sort_and_threads(self):
        with self.device() as c:
            imap_append(c, self.folder, message(1, "b topic"))
            imap_append(c, self.folder, message(2, "a topic"))
            imap_append(c, self.folder, message(3, "Re: b topic", refs="<m1@example.org>"))
        rows = self.listing("--sort", "subject")
        self.assertEqual([r["uid"] for r in rows], [2, 1, 3])
        rows = self.listing("--sort", "date", "--reverse")
        self.assertEqual([r["uid"] for r in rows], [3, 2, 1])
        r = self.tern("-F", self.rc(), "--list", "--sort", "thread", self.folder, timeout=60)
        self.assertStatus(r, 0)
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 3)
        self.assertRegex(lines[1], r"Sender 3 +    Re: b topic$")
        self.assertEqual(len({x["thread"] for x in self.listing()}), 2)
        r = self.tern("-F", self.rc(), "--list", "--sort", "colour", self.folder)
        self.assertStatus(r, 2)

    def test_bodies_prefetch(self):
        # --sync --bodies keeps whole messages for reading offline: newest
        # first, never setting \Seen, a second run fetches nothing, a query
        # picks which, and the size cap stops it rather than evict.
        self.append(6)
        before = self.server_flags()
        since = os.path.getsize(self.s.log_path)
        r = self.tern("-F", self.rc(), "--sync", "--bodies=subject:\"message 3\"",
                      self.folder, timeout=120)
        self.assertStatus(r, 0)
        self.assertIn("%s: 1 bodies fetched" % self.folder, r.out)
        r = self.tern("-F", self.rc(), "--sync", "--bodies", self.folder, timeout=120)
        self.assertStatus(r, 0)
        self.assertRegex(r.out, r"%s: 5 bodies fetched \([\d.]+ MB\), 1 already kept"
                         % re.escape(self.folder))
        r = self.tern("-F", self.rc(), "--sync", "--bodies", self.folder, timeout=120)
        self.assertIn("0 bodies fetched", r.out)
        self.assertEqual(self.server_flags(), before, "prefetching changed flags")
        time.sleep(0.3)
        events = [e for e in self.s.mail_log_events(since, user="alice")
                  if e["event"] in ("flag_change", "expunge", "delete")]
        self.assertEqual(events, [])
        path = os.path.join(self.cache, "a.bodies.tcb")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        # A cap of two messages' size: the two newest are kept, then it stops.
        size = len(message(5))
        rc = self.mailrc(
            "set body-cache-size=%d\nset cache-dir=%s\naccount a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo alice-pw"\n}\n'
            % (2 * size + size // 2, os.path.join(self.tmp, "small"), self.port),
            name="mailrc-small")
        r = self.tern("-F", rc, "--sync", "--bodies", self.folder, timeout=120)
        self.assertStatus(r, 0)
        self.assertIn("2 bodies fetched", r.out)
        r = self.tern("-F", self.rc(), "--list", "--bodies", self.folder)
        self.assertStatus(r, 2)
        self.assertIn("--bodies goes with --sync", r.err)

    def test_date_and_size_orders(self):
        # Arrival (UID) order is not date order here, and equal dates fall
        # back to arrival order; size order breaks ties by date.
        with self.device() as c:
            for i in (5, 2, 9, 2):
                raw = message(i) + b"x" * (100 * (10 - i))
                imap_append(c, self.folder, raw)
        rows = self.listing("--sort", "date")
        self.assertEqual([r["uid"] for r in rows], [2, 4, 1, 3])
        rows = self.listing("--sort", "date", "--reverse")
        self.assertEqual([r["uid"] for r in rows], [3, 1, 4, 2])
        rows = self.listing("--sort", "size")
        self.assertEqual([r["uid"] for r in rows], [3, 1, 2, 4])

    def test_text_listing(self):
        self.append(2)
        with self.device() as c:
            c.select(self.folder)
            c.uid("STORE", "2", "+FLAGS", "(\\Seen \\Flagged work)")
        r = self.tern("-F", self.rc(), "--list", self.folder, timeout=60)
        self.assertStatus(r, 0)
        lines = r.out.splitlines()
        self.assertRegex(lines[0], r"^2024-01-01 \d\d:\d\d N   Sender 0 +  message 0$")
        self.assertRegex(lines[1], r"^2024-01-02 \d\d:\d\d  !  Sender 1 +  message 1  \[work\]$")

    def test_sync_every_subscribed_folder(self):
        self.append(3)
        with self.device() as c:
            c.subscribe(self.folder)
        r = self.tern("-F", self.rc(), "--sync", timeout=120)
        self.assertStatus(r, 0)
        self.assertRegex(r.out, r"(?m)^INBOX: \d+ messages")
        self.assertRegex(r.out, r"(?m)^%s: 3 messages, 3 new" % self.folder)

    def test_unknown_folder(self):
        r = self.sync(status=1, folder="NoSuchFolder")
        self.assertIn("NoSuchFolder", r.err)
