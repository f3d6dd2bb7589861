"""tern --check on bad and good mailrc files: every error class is
reported as FILE:LINE: message, exactly, with exit status 2; nothing ever
crashes, whatever the file holds."""

import os
import re

from ternlib import SRCDIR, TernTestCase


class TestMailrcErrors(TernTestCase):
    def check(self, text, *want, status=2, name="mailrc"):
        """Run --check --offline on text; each wanted line (with FILE
        standing for the path) must appear on stderr."""
        path = self.mailrc(text, name=name)
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, status)
        for w in want:
            self.assertIn(w.replace("FILE", path), r.err.splitlines(), repr(r))
        return r

    def test_unknown_setting_suggests(self):
        self.check("account a {\n  set imap=imap://u@h\n  set pasword-command=x\n}\n",
                   "FILE:3: unknown setting 'pasword-command' "
                   "(did you mean 'password-command'?)")

    def test_unknown_command(self):
        self.check("sett editor=vi\n",
                   "FILE:1: unknown command 'sett' (did you mean 'set'?)")

    def test_bad_url(self):
        self.check("account a {\n  set imap=imap://u@h:99999\n}\n",
                   "FILE:2: bad URL for 'imap': port 99999 out of range")
        self.check("account a {\n  set imap=http://u@h\n}\n",
                   "FILE:2: bad URL for 'imap': unknown scheme 'http' "
                   "(expected imap:// or imaps://)")

    def test_bad_value(self):
        self.check("account a {\n  set pop3=pop3://u@h\n  set pop3-delete=maybe\n}\n",
                   "FILE:3: bad value for 'pop3-delete': 'maybe' (expected yes or no)")

    def test_missing_closing_brace(self):
        self.check("set editor=vi\naccount work {\n  set imap=imap://u@h\n",
                   "FILE:2: account 'work' is not closed (missing '}')")

    def test_stray_brace(self):
        self.check("account a {\n  set imap=imap://u@h\n}\n}\n",
                   "FILE:4: '}' without an open block")

    def test_duplicate_account(self):
        self.check("account work {\n  set imap=imap://u@h\n}\n"
                   "account work {\n  set imap=imap://v@h\n}\n",
                   "FILE:4: duplicate account 'work' (first defined at line 1)")

    def test_account_without_server(self):
        self.check("account a {\n  set from=a@b.c\n}\n",
                   "FILE:1: account 'a' has no server (set imap=, pop3= or smtp=)")

    def test_all_errors_reported_in_one_run(self):
        r = self.check("sett x\naccount a {\n  set imap=imap://u@h:0\n  set bogus=1\n}\n")
        self.assertGreaterEqual(len([l for l in r.err.splitlines()
                                     if re.match(r".*:\d+: ", l)]), 3, repr(r))

    def test_missing_file(self):
        path = os.path.join(self.tmp, "nope")
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, 2)
        self.assertRegex(r.err, re.escape(path) + r": .*(?i:no such file|does not exist)")

    def test_directory(self):
        r = self.tern("-F", self.tmp, "--check", "--offline")
        self.assertStatus(r, 2)
        self.assertIn(self.tmp + ": ", r.err)
        self.assertIn("directory", r.err)

    def test_unreadable_file(self):
        if os.geteuid() == 0:
            self.skipTest("root can read any file")
        path = self.mailrc("set editor=vi\n", mode=0)
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, 2)
        self.assertIn("Permission denied", r.err)

    def test_binary_garbage(self):
        data = bytes(range(256)) * 64 + os.urandom(8192)
        r = self.check(data)
        self.assertIn("binary data", r.err)
        # A short report, not one line per byte.
        self.assertLess(len(r.err.splitlines()), 60)

    def test_ten_megabyte_line(self):
        data = b"set editor=" + b"v" * (10 * 1024 * 1024) + b"\nsett x\n"
        r = self.check(data, "FILE:1: line too long (over 65536 bytes)",
                       "FILE:2: unknown command 'sett' (did you mean 'set'?)")
        self.assertLess(len(r.err), 4096)

    def test_cleartext_password_readable_by_others(self):
        text = "account a {\n  set imap=imap://u@h\n  set password=hunter2\n}\n"
        path = self.mailrc(text, mode=0o644)
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, 0)
        self.assertIn("clear-text password", r.err)
        self.assertIn("chmod 600", r.err)
        self.assertNotIn("hunter2", r.err + r.out)
        os.chmod(path, 0o600)
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, 0)
        self.assertNotIn("clear-text password", r.err)

    def test_good_file_exit_zero(self):
        r = self.check("# a comment\nset editor=\"vim -u NONE\"\n"
                       "account work {\n  set imap=imaps://alice@mail.example.com\n"
                       "  set smtp=smtp://alice@mail.example.com:587\n"
                       "  set from=\"Alice Example <alice@example.com>\"\n"
                       "  set password-command=\"pass show mail/work\"\n}\n",
                       status=0)
        self.assertIn("account work (default):", r.out)
        self.assertIn("imap  alice@mail.example.com:993, TLS", r.out)
        self.assertIn("smtp  alice@mail.example.com:587, STARTTLS required", r.out)
        self.assertIn("configuration ok", r.out)


class TestMailrcSample(TernTestCase):
    """mailrc.sample must pass tern --check --offline (the unit test
    test-conf-sample checks that it documents every setting)."""

    def test_sample_is_valid(self):
        path = os.path.join(SRCDIR, "mailrc.sample")
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, 0)
