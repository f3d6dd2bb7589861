"""tern --match QUERY ACTION... and tern --filter against the real Dovecot:
every action and its dry run, idempotence, moves (UID MOVE, and the
COPY fallbacks of servers without MOVE or UIDPLUS), a rules file with a
mistake, the first run and new mail, "stop", and a connection cut in the
middle of a filter run (the rerun finishes the job; nothing is applied
twice). Throughout: Dovecot's mail_log shows no expunge but those of the
MOVE fallback, and \\Seen changes only where an action asked for it."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))

from faultproxy import FaultProxy  # noqa: E402
from servers import imap_append  # noqa: E402
from ternlib import ServersTestCase  # noqa: E402

SENDERS = ["Ann <ann@corp.example.com>", "Bob <bob@example.org>",
           "Cy <cy@corp.example.com>", "Di <di@lists.example.net>"]


def message(i):
    subject = "weekly report %d" % i if i % 3 == 0 else "hello %d" % i
    lid = "List-Id: Dev <dev.lists.example.net>\r\n" if i % 4 == 3 else ""
    return ("From: %s\r\nTo: alice@example.org\r\nSubject: %s\r\n%s"
            "Date: Mon, %d Jan 2024 10:00:00 +0000\r\nMessage-ID: <x%d@example.org>\r\n"
            "\r\nbody %d\r\n" % (SENDERS[i % 4], subject, lid, 1 + i % 28, i, i)).encode()


class TestMatch(ServersTestCase):
    def setUp(self):
        super().setUp()
        self.folder = self.new_folder("Match")
        self.cache = os.path.join(self.tmp, "cache")
        self.log_start = os.path.getsize(self.s.log_path)

    def tearDown(self):
        self.assertNoExpunge()
        super().tearDown()

    def append(self, count, start=0, flags=(), folder=None):
        with self.device() as c:
            for i in range(start, start + count):
                imap_append(c, folder or self.folder, message(i), flags)

    def server(self, folder=None):
        """{uid: (message-id, set of flags)} as Dovecot has them."""
        with self.device() as c:
            typ, _ = c.select(folder or self.folder, readonly=True)
            if typ != "OK":
                return {}
            typ, data = c.uid("FETCH", "1:*",
                              "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            out = {}
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                m = re.search(r"UID (\d+)", head)
                f = re.search(r"FLAGS \(([^)]*)\)", head)
                mid = re.search(rb"<[^>]+>", item[1])
                if m and f:
                    out[int(m.group(1))] = (mid.group(0).decode() if mid else None,
                                            set(f.group(1).split()) - {"\\Recent"})
            return out

    def ids_with(self, flag, folder=None):
        return sorted(mid for mid, flags in self.server(folder).values() if flag in flags)

    def assertNoExpunge(self):
        """No expunge in mail_log since the test began but the second half
        of a move: the same message copied to another folder first (UID
        MOVE logs exactly that, as does COPY + UID EXPUNGE)."""
        events = self.s.mail_log_events(self.log_start, user="alice")
        copied = set()
        bad = []
        for e in events:
            if e["event"] == "copy":
                copied.add(e["msgid"])
            elif e["event"] == "expunge" and e["msgid"] not in copied:
                bad.append(e["line"])
        self.assertEqual(bad, [])

    def events(self, *kinds):
        return [e for e in self.s.mail_log_events(self.log_start, user="alice")
                if e["event"] in kinds]

    # ---- tern
    def rc(self, port=None, extra=""):
        return self.mailrc(
            "set timeout=5s\nset cache-dir=%s\naccount a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo alice-pw"\n}\n%s'
            % (self.cache, port or self.s.imap_port, extra))

    def match(self, query, *actions, status=0, port=None, folders=None):
        r = self.tern("-F", self.rc(port), "--match", query, *actions,
                      *(folders or [self.folder]), timeout=120)
        self.assertStatus(r, status)
        return r

    def filter(self, *args, status=0, port=None, rules=None):
        extra = "".join("filter %s\n" % rule for rule in (rules or []))
        r = self.tern("-F", self.rc(port, extra), "--filter", *args, self.folder, timeout=120)
        self.assertStatus(r, status)
        return r

    def test_filter_with_no_match_succeeds(self):
        # A rule that matches nothing changed nothing and failed nothing:
        # exit 0 (the results of a rule without matches were read
        # uninitialised before).
        self.append(3)
        for _ in range(3):
            r = self.filter("--all", rules=["subject:no-such-subject-anywhere --flag",
                                            "from:nobody.example --add-label X"])
            self.assertNotIn("failed", r.err)

    # ---- --match
    def test_flag_actions_are_idempotent(self):
        self.append(12)
        corp = sorted("<x%d@example.org>" % i for i in range(12) if i % 2 == 0)
        r = self.match("from:corp.example.com", "--add-label", "Work")
        self.assertIn("add-label Work: 6 messages changed", r.err)
        self.assertEqual(self.ids_with("Work"), corp)
        self.s.wait_mail_log("flag_change", user="alice", since=self.log_start, count=6)
        r = self.match("from:corp.example.com", "--add-label", "Work")
        self.assertIn("add-label Work: 0 messages changed (6 already so)", r.err)
        self.assertEqual(len(self.events("flag_change")), 6, "the rerun changed nothing")

        reports = sorted("<x%d@example.org>" % i for i in range(12) if i % 3 == 0)
        self.match("subject:report", "--mark-read", "--flag")
        self.assertEqual(self.ids_with("\\Seen"), reports)
        self.assertEqual(self.ids_with("\\Flagged"), reports)
        self.match("subject:report -from:corp", "--mark-unread", "--unflag")
        both = sorted(set(reports) & set(corp))
        self.assertEqual(self.ids_with("\\Seen"), both)
        self.assertEqual(self.ids_with("\\Flagged"), both)
        self.match("label:Work", "--remove-label", "Work")
        self.assertEqual(self.ids_with("Work"), [])

        # A label that is no IMAP atom is stored encoded, and found again.
        self.match("from:bob", "--add-label", "Zürich trip")
        bob = sorted("<x%d@example.org>" % i for i in range(12) if i % 4 == 1)
        self.assertEqual(self.ids_with("Z&APw-rich&ACA-trip"), bob)
        r = self.tern("-F", self.rc(), "--list", "--json", "--match", 'label:"Zürich trip"',
                      self.folder)
        self.assertStatus(r, 0)
        self.assertEqual(len(r.out.splitlines()), len(bob))
        self.assertIn('"Z&APw-rich&ACA-trip"', r.out)

    def test_status_and_assign_replace_the_old_value(self):
        self.append(4)
        self.match("", "--status", "pending", "--assign", "bob")
        for mid, flags in self.server().values():
            self.assertTrue({"status/pending", "assign/bob"} <= flags, (mid, flags))
        self.match("from:corp", "--status", "done", "--assign", "carol")
        for mid, flags in self.server().values():
            corp = mid in ("<x0@example.org>", "<x2@example.org>")
            self.assertEqual("status/done" in flags, corp)
            self.assertEqual("status/pending" in flags, not corp)
            self.assertEqual("assign/carol" in flags, corp)
            self.assertEqual("assign/bob" in flags, not corp)
        r = self.tern("-F", self.rc(), "--list", "--json", "--match", "status:open",
                      self.folder)
        self.assertStatus(r, 0)
        self.assertEqual(r.out, "", "pending and done are not open")
        self.match("", "--assign", "none")
        self.assertFalse(any(f.startswith("assign/") for _, fl in self.server().values()
                             for f in fl))
        self.match("", "--status", "bogus", status=2)
        self.match("", "--flag", "--unflag", status=2)

    def test_dry_run_changes_nothing(self):
        self.append(8)
        before = self.server()
        for actions in (["--add-label", "Work"], ["--mark-read"], ["--flag"],
                        ["--status", "done"], ["--move", "Elsewhere"], ["--delete"]):
            r = self.match("from:corp", *actions, "--dry-run")
            lines = r.out.splitlines()
            self.assertEqual(len(lines), 4, (actions, r))
            self.assertTrue(all(line.startswith(self.folder + "\t") for line in lines))
            self.assertIn("would", r.err)
        self.assertEqual(self.server(), before)
        self.assertEqual(self.events("flag_change", "copy", "mailbox_create"), [])

    def test_move_and_delete(self):
        self.append(8)
        with self.device() as c:
            c.create(self.folder + "/Dev")
        r = self.match("list:dev.lists.example.net", "--add-label", "Dev",
                       "--move", self.folder + "/Dev")
        moved = sorted("<x%d@example.org>" % i for i in range(8) if i % 4 == 3)
        self.assertIn("2 messages moved", r.err)
        dest = self.server(self.folder + "/Dev")
        self.assertEqual(sorted(m for m, _ in dest.values()), moved)
        self.assertTrue(all("Dev" in f for _, f in dest.values()), "labels go along")
        self.assertEqual(len(self.server()), 6)
        self.match("list:dev.lists.example.net", "--move", self.folder + "/Dev")
        self.assertEqual(len(self.server(self.folder + "/Dev")), 2, "nothing moved twice")

        # --delete moves to Trash, and a missing target folder is created.
        self.match("from:bob", "--delete")
        trash = [m for m, _ in self.server("Trash").values()]
        self.assertIn("<x1@example.org>", trash)
        self.assertIn("<x5@example.org>", trash)
        self.match("subject:hello", "--move", self.folder + "/New")
        self.assertEqual(len(self.server(self.folder + "/New")), 2)

    def test_move_without_move_or_uidplus(self):
        self.append(6)
        with self.device() as c:
            c.create(self.folder + "/A")
            c.create(self.folder + "/B")
        with FaultProxy(self.s.imap_port, "strip_move") as proxy:
            r = self.match("from:corp", "--move", self.folder + "/A", port=proxy.port)
        self.assertNotIn(b"UID MOVE", proxy.client_bytes)
        self.assertIn(b"UID EXPUNGE", proxy.client_bytes)
        self.assertEqual(len(self.server(self.folder + "/A")), 3)
        self.assertEqual(len(self.server()), 3)
        expunged = self.s.wait_mail_log("expunge", user="alice", since=self.log_start,
                                        count=3, box=self.folder)
        self.assertEqual(sorted(e["msgid"] for e in expunged),
                         ["<x0@example.org>", "<x2@example.org>", "<x4@example.org>"])
        self.log_start = os.path.getsize(self.s.log_path)

        with FaultProxy(self.s.imap_port, "strip_move_uidplus") as proxy:
            r = self.match("from:bob", "--move", self.folder + "/B", port=proxy.port)
        self.assertNotIn(b"EXPUNGE", proxy.client_bytes)
        self.assertIn("only marked the originals \\Deleted", r.err)
        self.assertEqual(len(self.server(self.folder + "/B")), 2)
        left = self.server()
        self.assertEqual(len(left), 3, "nothing is expunged without UIDPLUS")
        deleted = sorted(m for m, f in left.values() if "\\Deleted" in f)
        self.assertEqual(deleted, ["<x1@example.org>", "<x5@example.org>"])

    def test_bad_query_and_actions(self):
        self.append(2)
        r = self.match("(from:a", "--flag", status=2)
        self.assertIn("query:1:8:", r.err)
        r = self.match("frm:a", "--flag", status=2)
        self.assertIn("query:1:1:", r.err)
        r = self.match("from:a", "--add-label", "status/x", status=2)
        self.assertEqual(self.events("flag_change"), [])

    # ---- --filter
    RULES = ["from:corp.example.com --add-label Work",
             "list:dev.lists.example.net --move Lists/dev stop",
             "subject:report --mark-read"]

    def test_filter_rules_file_with_a_mistake(self):
        self.append(4)
        path = os.path.join(self.tmp, "rules")
        with open(path, "w") as f:
            f.write("# rules\nfilter from:corp --add-label Work\n"
                    "filter (subject:x --flag\nfilter is:unread --lable x\n")
        r = self.tern("-F", self.rc(), "--filter", "--all", "--rules", path, self.folder)
        self.assertStatus(r, 2)
        self.assertIn(path + ":3: query column 11: expected ')'", r.err)
        self.assertIn(path + ":4: ", r.err)
        self.assertIn("no rule was applied", r.err)
        self.assertEqual(self.events("flag_change", "copy"), [])

    def test_filter_first_run_then_new_mail(self):
        self.append(4)
        r = self.filter(rules=self.RULES)
        self.assertIn("first run", r.err)
        self.assertEqual(self.events("flag_change", "copy"), [])
        self.append(8, start=4)
        r = self.filter(rules=self.RULES)
        work = sorted("<x%d@example.org>" % i for i in range(4, 12) if i % 2 == 0)
        self.assertEqual(self.ids_with("Work"), work, "only the new mail")
        lists = sorted("<x%d@example.org>" % i for i in range(4, 12) if i % 4 == 3)
        self.assertEqual(sorted(m for m, _ in self.server("Lists/dev").values()), lists)
        seen = self.ids_with("\\Seen")
        self.assertEqual(seen, sorted("<x%d@example.org>" % i for i in (6, 9)),
                         "reports among the new mail that did not move")
        r = self.filter(rules=self.RULES)
        self.assertEqual((r.out, r.err), ("", ""), "quiet when nothing happened")
        # --all takes the old mail too; what was done stays done.
        r = self.filter("--all", rules=self.RULES)
        self.assertEqual(len(self.ids_with("Work")), 6)

    def test_filter_cut_mid_run_resumes(self):
        self.append(12)
        for word, n in (("MOVE", 1), ("STORE", 2), ("STORE", 1)):
            with self.subTest(cut=word, n=n):
                with self.device() as c:
                    c.create(self.folder + "/Cut")
                rules = ["from:corp.example.com --add-label Work",
                         "list:dev.lists.example.net --move %s/Cut" % self.folder,
                         "subject:report --mark-read"]
                with FaultProxy(self.s.imap_port, "cut_at_command", n=n, word=word) as proxy:
                    r = self.filter("--all", port=proxy.port, rules=rules, status=3)
                self.assertEqual(proxy.faults, 1, r)
                r = self.tern("-F", self.rc(extra="".join("filter %s\n" % x for x in rules)),
                              "--filter", self.folder, timeout=120)
                self.assertStatus(r, 0)
                left = self.server()
                cut = self.server(self.folder + "/Cut")
                ids = [m for m, _ in left.values()] + [m for m, _ in cut.values()]
                self.assertEqual(len(ids), 12, "nothing lost, nothing doubled")
                self.assertEqual(len(set(ids)), 12)
                self.assertEqual(len(cut), 3)
                self.assertEqual(self.ids_with("Work"),
                                 sorted(m for m, f in left.values() if "Work" in f))
                self.assertEqual(len(self.ids_with("Work")), 6)
                self.assertEqual(len(self.ids_with("\\Seen")), 3)
                # Put everything back for the next cut.
                with self.device() as c:
                    c.select(self.folder + "/Cut")
                    c.uid("MOVE", "1:*", self.folder)
                    c.select(self.folder)
                    c.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen Work)")
                self.log_start = os.path.getsize(self.s.log_path)
