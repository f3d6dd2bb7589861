"""POP3 delete-after-download is never silent and never happens by
accident: the warning names each deleting account on every batch command,
the same words every time, and no command of tern sends DELE; checked on
a real Dovecot, from its own log and message counts."""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))

from pop3script import Pop3Script  # noqa: E402
from ternlib import ServersTestCase, TernTestCase  # noqa: E402

# Every batch entry point of PRODUCT.md (the interactive client, with no
# terminal, is included too: it must not start without the warning).
ENTRY_POINTS = [
    ["--check"], ["--check", "--offline"], ["--sync"], ["--list"],
    ["--list", "--json"], ["--filter"], ["--filter", "--dry-run"],
    ["--match", "from:x", "--flag"], ["--team-report"],
    ["--fetch-pop", "old", "--into", "imap"], ["--folders"], [],
]


def warning_lines(stderr):
    return [l for l in stderr.splitlines() if "WARNING" in l]


class TestPop3Warning(TernTestCase):
    CONF = """\
account imap {
    set imap=imap://alice@127.0.0.1:1
    set tls=no
    set password-command="echo x"
}
account old {
    set pop3=pop3://alice@127.0.0.1:1
    set tls=no
    set pop3-delete=yes
    set password-command="echo x"
}
"""

    def test_every_entry_point_warns_the_same(self):
        rc = self.mailrc(self.CONF)
        seen = None
        for args in ENTRY_POINTS:
            r = self.tern("-F", rc, *args, timeout=30)
            w = warning_lines(r.err)
            self.assertTrue(w, "no POP3 warning for %s:\n%r" % (args, r))
            text = "\n".join(w)
            self.assertIn("'old'", text)
            self.assertIn("vanishes from every other device", text)
            self.assertIn("pop3-delete=no", text)
            self.assertIn("--fetch-pop", text)
            self.assertNotIn("WARNING", r.out, "warnings go to stderr only")
            if seen is None:
                seen = w
            self.assertEqual(w, seen, "the warning differs for %s" % args)

    def test_names_each_deleting_account(self):
        conf = self.CONF + "account old2 {\n  set pop3=pop3s://bob@pop.example.net\n" \
            "  set pop3-delete=true\n}\n"
        r = self.tern("-F", self.mailrc(conf), "--check", "--offline")
        text = "\n".join(warning_lines(r.err))
        self.assertIn("'old'", text)
        self.assertIn("'old2'", text)
        self.assertNotIn("'imap'", text)

    def test_no_warning_without_delete(self):
        for extra in ("", "    set pop3-delete=no\n"):
            conf = "account p {\n    set pop3=pop3://alice@127.0.0.1:1\n" \
                   "    set tls=no\n" + extra + "}\n"
            r = self.tern("-F", self.mailrc(conf), "--check", "--offline")
            self.assertStatus(r, 0)
            self.assertEqual(warning_lines(r.err), [], repr(r))
            self.assertIn("pop3-delete: no (mail stays on the server)", r.out)


class TestNoDele(ServersTestCase):
    """Against a real Dovecot POP3 server with mail in it."""

    @classmethod
    def fill(cls):
        for i in range(3):
            cls.s.append("alice", "INBOX",
                         ("From: x@example.org\r\nTo: alice@example.org\r\n"
                          "Subject: pop test %d\r\nMessage-ID: <pop%d@example.org>\r\n"
                          "\r\nbody %d\r\n" % (i, i, i)).encode())


    def conf(self, delete):
        return ("account imap {\n    set imap=imap://alice@127.0.0.1:%d\n"
                "    set tls=no\n    set password-command=\"echo %s\"\n}\n"
                "account old {\n    set pop3=pop3://alice@127.0.0.1:%d\n"
                "    set tls=no\n    set password-command=\"echo %s\"\n%s}\n" % (
                    self.s.imap_port, self.s.users["alice"], self.s.pop3_port,
                    self.s.users["alice"],
                    "    set pop3-delete=%s\n" % delete if delete else ""))

    def test_no_command_deletes(self):
        for delete in (None, "no", "yes"):
            rc = self.mailrc(self.conf(delete))
            for args in ENTRY_POINTS:
                self.tern("-F", rc, *args, timeout=60)
            r = self.tern("-F", rc, "--check")
            self.assertStatus(r, 0)
            self.assertIn("pop3  logged in", r.out)
        # tern really logged in to POP3 (so the test can fail), and every
        # POP3 session ended with nothing deleted (Dovecot counts "del=")
        log = self.s.dovecot_log()
        self.assertRegex(log, r"pop3-login: .*Login: user=<alice>")
        sessions = re.findall(r"pop3\(alice\).*Disconnected: .*\bdel=(\d+)/", log)
        self.assertGreaterEqual(len(sessions), 3, log)
        self.assertEqual(set(sessions), {"0"}, log)
        # ... and nothing was deleted or expunged, by Dovecot's own account.
        events = [e for e in self.s.mail_log_events()
                  if e.get("event") in ("delete", "expunge", "expunged")]
        self.assertEqual(events, [])
        self.assertEqual(self.s.pop3_stat("alice")[0], 3)
        self.assertEqual(self.s.imap_count("alice", "INBOX"), 3)


class TestPop3Read(ServersTestCase):
    """An account with only pop3= is read into the cache's INBOX: --sync
    fetches each header once (TOP), --list shows them, nothing is RETRieved
    or deleted; messages gone from the server leave the index."""

    CONF = ("set cache-dir=%s\naccount old {\n    set pop3=pop3://bob@127.0.0.1:%d\n"
            "    set tls=no\n    set password-command=\"echo %s\"\n}\n")

    def setUp(self):
        super().setUp()
        self.empty_folder("bob")
        with self.device("bob") as c:
            for i in range(3):
                c.append("INBOX", None, None,
                         ("From: Carl <carl@example.org>\r\nSubject: pop read %d\r\n"
                          "Message-ID: <read%d@example.org>\r\n"
                          "Date: Mon, 0%d Jan 2026 10:00:00 +0000\r\n\r\nbody %d\r\n"
                          % (i, i, i + 1, i)).encode())
        self.rc = self.mailrc(self.CONF % (os.path.join(self.tmp, "cache"), self.s.pop3_port,
                                           self.s.users["bob"]))

    def sessions(self, since):
        """(top, retr, del) counts of bob's POP3 sessions since a log offset."""
        with open(self.s.log_path, errors="replace") as f:
            f.seek(since)
            text = f.read()
        return [tuple(int(x) for x in m) for m in re.findall(
            r"pop3\(bob\).*Disconnected: .*top=(\d+)/\d+, retr=(\d+)/\d+, del=(\d+)/", text)]

    def test_sync_list_and_vanish(self):
        since = os.path.getsize(self.s.log_path)
        r = self.tern("-F", self.rc, "--sync", timeout=60)
        self.assertStatus(r, 0)
        self.assertIn("INBOX: 3 messages, 3 new, 0 changed, 0 vanished", r.out)
        r = self.tern("-F", self.rc, "--sync", timeout=60)
        self.assertIn("INBOX: 3 messages, 0 new, 0 changed, 0 vanished", r.out)
        r = self.tern("-F", self.rc, "--list", timeout=60)
        self.assertStatus(r, 0)
        self.assertEqual([l.split("Carl")[-1].strip() for l in r.out.splitlines()],
                         ["pop read 0", "pop read 1", "pop read 2"])
        time.sleep(0.3)
        # Each header once, by TOP; never a RETR, never a DELE.
        self.assertEqual(self.sessions(since), [(3, 0, 0), (0, 0, 0), (0, 0, 0)])
        with self.device("bob") as c:
            c.select("INBOX")
            c.store("2", "+FLAGS", "(\\Deleted)")
            c.expunge()
        r = self.tern("-F", self.rc, "--list", "--json", timeout=60)
        self.assertEqual([json.loads(l)["subject"] for l in r.out.splitlines()],
                         ["pop read 0", "pop read 2"])
        r = self.tern("-F", self.rc, "--list", "Archive")
        self.assertStatus(r, 2)
        self.assertIn("its one folder is INBOX", r.err)
        r = self.tern("-F", self.rc, "--check", timeout=60)
        self.assertStatus(r, 0)
        self.assertIn("pop3  2 messages; UIDL: yes", r.out)

    def test_server_gone_lists_the_cache(self):
        self.assertStatus(self.tern("-F", self.rc, "--sync", timeout=60), 0)
        rc = self.mailrc(self.CONF % (os.path.join(self.tmp, "cache"), 1, "x"), name="dead")
        r = self.tern("-F", rc, "--sync", timeout=60)
        self.assertStatus(r, 3)
        r = self.tern("-F", rc, "--list", timeout=60)
        self.assertIn("pop read 2", r.out)
        self.assertIn("from the cache", r.err)

    def test_without_uidl_by_header(self):
        # A server without UIDL: each message is known by its header, so
        # a second sync fetches no header again.
        raw = [("From: a@example.org\r\nSubject: no uidl %d\r\n\r\nbody\r\n" % i).encode()
               for i in range(3)]
        with Pop3Script("no_uidl", raw) as server:
            conf = self.CONF % (os.path.join(self.tmp, "c2"), server.port, "alice-pw")
            rc = self.mailrc(conf.replace("bob@", "alice@"), name="nouidl")
            r = self.tern("-F", rc, "--sync", timeout=60)
            self.assertIn("INBOX: 3 messages, 3 new", r.out, repr(r))
            tops = sum(1 for c in server.commands if c.startswith(b"TOP"))
            r = self.tern("-F", rc, "--sync", timeout=60)
            self.assertIn("INBOX: 3 messages, 0 new", r.out, repr(r))
            again = sum(1 for c in server.commands if c.startswith(b"TOP")) - tops
            self.assertEqual(again, 3, "without UIDL each header is read to know it")
            r = self.tern("-F", rc, "--check", timeout=60)
            self.assertIn("pop3  3 messages; UIDL: no (nothing is ever deleted", r.out, repr(r))
            self.assertFalse([c for c in server.commands if c.startswith((b"RETR", b"DELE"))])
            self.assertEqual(server.errors, [])
