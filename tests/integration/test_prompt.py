"""The password prompt, used as a person uses it: tern --check on a
terminal (tmux) with no password source asks for the password without
echoing it, logs in with what was typed, and reports a wrong one."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from ternlib import TERN, ServersTestCase  # noqa: E402
from tmuxlib import Tmux, need_tmux  # noqa: E402


class TestPasswordPrompt(ServersTestCase):
    @classmethod
    def require(cls):
        super().require()
        need_tmux()


    def run_check(self, typed):
        path = self.mailrc("account a {\n    set imap=imap://alice@127.0.0.1:%d\n"
                           "    set tls=no\n}\n" % self.s.imap_port)
        env = {"LC_ALL": "C.UTF-8", "HOME": self.tmp, "MAILCAPS": os.devnull}
        with Tmux([TERN, "-F", path, "--check"], env=env) as t:
            t.wait_for("Password for account a:")
            t.keys(typed, literal=True)
            t.keys("Enter")
            screen = t.wait_for("[exit ")
        self.assertNotIn(typed, screen, "the password was echoed")
        return screen

    def test_typed_password_logs_in(self):
        screen = self.run_check(self.s.users["alice"])
        self.assertIn("imap  logged in", screen)
        self.assertIn("imap  capabilities:", screen)
        self.assertIn("[exit 0]", screen)

    def test_wrong_password_is_refused(self):
        screen = self.run_check("not-the-password")
        self.assertIn("refused the login for user 'alice'", screen)
        self.assertIn("[exit 3]", screen)
