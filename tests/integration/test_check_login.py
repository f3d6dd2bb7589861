"""tern --check against real servers: it runs each account's secret
command within its time limit, logs in to IMAP, POP3 and SMTP, verifies
TLS, and names each failure with the right exit status."""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from ternlib import ServersTestCase  # noqa: E402


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TestCheckLogin(ServersTestCase):

    def account(self, *lines, name="a"):
        body = "".join("    %s\n" % l for l in lines)
        return "account %s {\n%s}\n" % (name, body)

    def pw(self, user="alice"):
        return 'set password-command="echo %s"' % self.s.users[user]

    def check(self, text, status, *want_err, want_out=()):
        path = self.mailrc(text)
        t0 = time.monotonic()
        r = self.tern("-F", path, "--check", timeout=60)
        self.elapsed = time.monotonic() - t0
        self.assertStatus(r, status)
        for w in want_err:
            self.assertIn(w.replace("FILE", path), r.err)
        for w in want_out:
            self.assertIn(w, r.out)
        return r

    def test_all_three_protocols_plain(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port,
            "set pop3=pop3://alice@127.0.0.1:%d" % self.s.pop3_port,
            "set smtp=smtp://alice@127.0.0.1:%d" % self.s.smtp_port,
            "set tls=no", self.pw()), 0,
            want_out=("imap  logged in", "pop3  logged in", "smtp  logged in",
                      "configuration ok"))

    def test_wrong_password(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port,
            "set tls=no", 'set password-command="echo wrong"'), 3,
            "FILE:2: account 'a': imap: 127.0.0.1 refused the login for user 'alice'")

    def test_starttls_required_and_self_signed_refused(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port, self.pw()), 3,
            "could not be verified",
            "if this server uses its own certificate, set tls-ca=")

    def test_refusal_names_the_key_to_pin_without_logging_in(self):
        # The message shows the key the server presented, read on a second
        # connection that trusts nothing and sends no credentials; pinning
        # that key then works.
        since = os.path.getsize(self.s.log_path)
        for url in ("imap://alice@127.0.0.1:%d" % self.s.imap_port,
                    "imaps://alice@127.0.0.1:%d" % self.s.imaps_port):
            with self.subTest(url=url):
                r = self.check(self.account("set imap=" + url, self.pw()), 3,
                               "could not be verified")
                m = re.search(r"tls-fingerprint=(sha256:[0-9A-F:]+)", r.err)
                self.assertIsNotNone(m, r.err)
                self.assertEqual(m.group(1)[7:].replace(":", "").lower(), self.fingerprint())
                self.check(self.account("set imap=" + url, self.pw(),
                                        "set tls-fingerprint=" + m.group(1)), 0,
                           want_out=("imap  logged in",))
        time.sleep(0.3)
        with open(self.s.log_path, errors="replace") as f:
            f.seek(since)
            log = f.read()
        # Two logins: the two pinned runs; none from the refused ones.
        logins = [l for l in log.splitlines() if "imap-login" in l and "Login: user=<alice>" in l]
        self.assertEqual(len(logins), 2, log)
        self.assertNotIn("auth failed", log)

    def test_starttls_with_ca(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port,
            "set pop3=pop3://alice@127.0.0.1:%d" % self.s.pop3_port,
            "set tls-ca=%s" % self.s.ca_file, self.pw()), 0,
            want_out=("imap  logged in", "pop3  logged in", "STARTTLS required"))

    def test_starttls_missing_is_refused(self):
        # The SMTP sink offers no STARTTLS: tern must not send the
        # password in clear text unless tls=no says so.
        self.check(self.account(
            "set smtp=smtp://alice@127.0.0.1:%d" % self.s.smtp_port, self.pw()), 3,
            "does not offer STARTTLS")

    def test_implicit_tls(self):
        self.check(self.account(
            "set imap=imaps://alice@127.0.0.1:%d" % self.s.imaps_port,
            "set pop3=pop3s://alice@127.0.0.1:%d" % self.s.pop3s_port,
            "set tls-ca=%s" % self.s.ca_file, self.pw()), 0,
            want_out=("imap  logged in", "pop3  logged in"))

    def fingerprint(self):
        pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in",
                              self.s.cert_file], capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"],
                             input=pub, capture_output=True, check=True).stdout
        import hashlib
        return hashlib.sha256(der).hexdigest()

    def test_pinned_key(self):
        fp = self.fingerprint()
        colons = ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)).upper()
        self.check(self.account(
            "set imap=imaps://alice@127.0.0.1:%d" % self.s.imaps_port,
            "set tls-fingerprint=sha256:%s" % colons, self.pw()), 0,
            want_out=("imap  logged in",))
        wrong = ("0" if fp[0] != "0" else "1") + fp[1:]
        self.check(self.account(
            "set imap=imaps://alice@127.0.0.1:%d" % self.s.imaps_port,
            "set tls-fingerprint=sha256:%s" % wrong, self.pw()), 3,
            "does not match tls-fingerprint")

    def test_connection_refused(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % free_port(),
            "set tls=no", self.pw()), 3, "FILE:2: account 'a': imap: cannot connect to "
            "127.0.0.1 port")

    def test_password_command_fails(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port, "set tls=no",
            'set password-command="echo gpg: decryption failed >&2; exit 2"'), 2,
            "FILE:4: account 'a': password-command failed with exit status 2: "
            "gpg: decryption failed")

    def test_oauth2_token_command_fails(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port, "set tls=no",
            'set oauth2-token-command="echo token expired >&2; exit 1"'), 2,
            "FILE:4: account 'a': oauth2-token-command failed with exit status 1: "
            "token expired")

    def test_password_command_hangs(self):
        self.check("set password-timeout=2s\n" + self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port, "set tls=no",
            'set password-command="sleep 60"'), 2,
            "FILE:5: account 'a': password-command did not finish within 2 s")
        self.assertLess(self.elapsed, 15)

    def test_no_password_source_without_terminal(self):
        self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port, "set tls=no"), 3,
            "no password", "password-command")

    def test_offline_runs_nothing(self):
        marker = os.path.join(self.tmp, "ran")
        path = self.mailrc(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % self.s.imap_port, "set tls=no",
            'set password-command="touch %s; echo x"' % marker))
        r = self.tern("-F", path, "--check", "--offline")
        self.assertStatus(r, 0)
        self.assertFalse(os.path.exists(marker))
        self.assertIn("offline", r.out)

    def test_bad_account_does_not_hide_good_one(self):
        r = self.check(self.account(
            "set imap=imap://alice@127.0.0.1:%d" % free_port(), "set tls=no",
            self.pw(), name="broken") + self.account(
            "set imap=imap://bob@127.0.0.1:%d" % self.s.imap_port, "set tls=no",
            self.pw("bob"), name="good"), 3, "account 'broken'")
        self.assertIn("account good:\n", r.out)
        self.assertIn("imap  logged in", r.out)
