"""tern --sync on a terminal, as a person sees it: a progress line on
stderr while headers arrive, gone when the folder is done, leaving only
the summary; and no progress line at all when stderr is not a terminal."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from servers import imap_append  # noqa: E402
from ternlib import TERN, TerminalTestCase  # noqa: E402
from tmuxlib import Tmux  # noqa: E402

COUNT = 400


class TestSyncProgress(TerminalTestCase):
    @classmethod
    def fill(cls):
        conn = cls.s.imap("alice")
        try:
            conn.create("Big")
            for i in range(COUNT):
                imap_append(conn, "Big", b"Subject: %d\r\n\r\nbody\r\n" % i)
        finally:
            conn.logout()


    def rc(self):
        return self.mailrc("set cache-dir=%s\naccount a {\n"
                           "    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
                           '    set password-command="echo alice-pw"\n}\n'
                           % (os.path.join(self.tmp, "cache"), self.s.imap_port))

    def test_progress_on_a_terminal_then_cleared(self):
        raw = os.path.join(self.tmp, "raw")
        env = {"LC_ALL": "C.UTF-8", "HOME": self.tmp, "TERM": "xterm"}
        # tern starts a moment later, once the recording is in place.
        argv = ["sh", "-c", 'sleep 0.5; exec "$0" "$@"', TERN, "-F", self.rc(), "--sync", "Big"]
        with Tmux(argv, env=env) as t:
            t.record(raw)
            screen = t.wait_for("[exit ", timeout=60)
        self.assertIn("Big: %d messages, %d new, 0 changed, 0 vanished" % (COUNT, COUNT),
                      screen)
        self.assertNotIn("headers", screen, "the progress line was left behind")
        with open(raw, "rb") as f:
            written = f.read()
        self.assertRegex(written, rb"Big: \d+/%d headers" % COUNT)

    def test_no_progress_without_a_terminal(self):
        r = self.tern("-F", self.rc(), "--sync", "Big", timeout=60)
        self.assertStatus(r, 0)
        self.assertEqual(r.err, "")
        self.assertIn("Big: %d messages" % COUNT, r.out)
