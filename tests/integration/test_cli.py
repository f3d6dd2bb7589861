"""The command line itself: --help, --version, usage errors and exit
statuses, and commands not built yet saying so plainly."""

import re

from ternlib import TernTestCase

# Every command-line flag PRODUCT.md promises; --help must mention each.
PRODUCT_FLAGS = [
    "-F", "-A", "-f", "--check", "--sync", "--list", "--json", "--match",
    "--filter", "--dry-run", "--rules", "--add-label", "--remove-label",
    "--mark-read", "--mark-unread", "--flag", "--unflag", "--move", "--delete",
    "--status", "--assign", "--claim", "--team-report", "--fetch-pop", "--into",
    "--folders", "--render", "--version", "--help", "--offline",
]

GOOD = """\
account demo {
    set imap=imap://alice@127.0.0.1:1
    set tls=no
}
"""


class TestHelpVersion(TernTestCase):
    def test_help_lists_every_flag(self):
        r = self.tern("--help")
        self.assertStatus(r, 0)
        for flag in PRODUCT_FLAGS:
            self.assertRegex(r.out, r"(^|[\s\[(|])" + re.escape(flag) + r"\b",
                             "--help does not mention " + flag)
        self.assertEqual(r.err, "")

    def test_help_says_what_is_not_built(self):
        r = self.tern("--help")
        lines = {l.split()[1] if l.startswith("       tern") else "": l
                 for l in r.out.splitlines()}
        self.assertNotIn("not built yet", lines["--team-report"])
        self.assertNotIn("not built yet", lines["--filter"])
        self.assertNotIn("not built yet", lines["--match"])
        self.assertNotIn("not built yet", lines["--sync"])
        self.assertNotIn("not built yet", lines["--list"])
        self.assertNotIn("not built yet", lines["--check"])
        self.assertNotIn("not built yet", lines["--folders"])

    def test_version(self):
        r = self.tern("--version")
        self.assertStatus(r, 0)
        self.assertRegex(r.out, r"^tern \d+\.\d+\.\d+\n")
        self.assertIn("libcurl", r.out)


class TestUsage(TernTestCase):
    def test_unknown_option(self):
        r = self.tern("--frobnicate")
        self.assertStatus(r, 2)
        self.assertIn("unknown option '--frobnicate'", r.err)
        self.assertEqual(r.out, "")

    def test_missing_value(self):
        r = self.tern("-F")
        self.assertStatus(r, 2)
        self.assertIn("needs a value", r.err)

    def test_two_commands(self):
        r = self.tern("--check", "--sync")
        self.assertStatus(r, 2)
        self.assertIn("--check and --sync cannot be used together", r.err)

    def test_action_without_match(self):
        r = self.tern("--flag")
        self.assertStatus(r, 2)
        self.assertIn("need --match", r.err)

    def test_match_without_action(self):
        r = self.tern("-F", self.mailrc(GOOD), "--match", "from:x")
        self.assertStatus(r, 2)
        self.assertIn("--match needs an action", r.err)

    def test_fetch_pop_needs_into(self):
        r = self.tern("--fetch-pop", "old")
        self.assertStatus(r, 2)
        self.assertIn("needs --into", r.err)

    def test_unknown_account(self):
        r = self.tern("-F", self.mailrc(GOOD), "-A", "nope", "--check", "--offline")
        self.assertStatus(r, 2)
        self.assertIn("no account named 'nope'", r.err)

    def test_no_mailrc_anywhere(self):
        r = self.tern("--check", env={"HOME": self.tmp,
                                      "XDG_CONFIG_HOME": self.tmp + "/xdg"})
        self.assertStatus(r, 2)
        self.assertIn("no mailrc found", r.err)

    def test_default_mailrc_xdg_then_home(self):
        import os
        os.makedirs(self.tmp + "/xdg/tern")
        self.mailrc(GOOD, name="xdg/tern/mailrc")
        r = self.tern("--check", "--offline",
                      env={"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp + "/xdg"})
        self.assertStatus(r, 0)
        self.assertIn("account demo", r.out)
        # Without XDG_CONFIG_HOME's file, ~/.ternrc is read.
        self.mailrc(GOOD.replace("demo", "fromhome"), name=".ternrc")
        r = self.tern("--check", "--offline",
                      env={"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp + "/none"})
        self.assertStatus(r, 0)
        self.assertIn("account fromhome", r.out)

    def test_commands_not_built_say_so(self):
        rc = self.mailrc(GOOD)
        # A mailrc without a team block: nothing to report on.
        r = self.tern("-F", rc, "--team-report")
        self.assertStatus(r, 2)
        self.assertIn("no team defined", r.err)
        # The interactive client exists, but never draws on a pipe.
        r = self.tern("-F", rc)
        self.assertStatus(r, 2)
        self.assertIn("the interactive client needs a terminal", r.err)
        # --filter exists; without rules it says what to write.
        r = self.tern("-F", rc, "--filter")
        self.assertStatus(r, 2)
        self.assertIn("no filter rules", r.err)

    def test_render_needs_no_mailrc(self):
        r = self.tern("--render", env={"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp})
        self.assertNotIn("mailrc", r.err)
