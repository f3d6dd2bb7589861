"""POP3 delete-after-download is never silent and never happens by
accident: the warning names each deleting account on every batch command,
the same words every time, and no command of tern sends DELE; checked on
a real Dovecot, from its own log and message counts."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

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
