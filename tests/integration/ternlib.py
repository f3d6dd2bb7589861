"""Shared helpers for the tern integration tests: run the real tern binary
(path in $TERN) with a mailrc written to a temporary file, and collect its
exit status, stdout and stderr."""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import unittest

TERN = os.environ.get("TERN")
SRCDIR = os.environ.get("TERN_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))


def need_tern(testcase):
    """Skip the test (not pass it) when no tern binary was given."""
    if not TERN or not os.access(TERN, os.X_OK):
        raise unittest.SkipTest("TERN is not set to a built tern binary")


class Result:
    def __init__(self, proc):
        self.status = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return "exit %d\n--- stdout\n%s--- stderr\n%s" % (
            self.status, self.out, self.err)


def run(args, env=None, timeout=60, stdin=subprocess.DEVNULL, cwd=None):
    """Run tern with args; no terminal (stdin is /dev/null by default and
    the process gets a new session, so there is no /dev/tty to prompt on)."""
    full_env = dict(os.environ)
    full_env.setdefault("HOME", tempfile.gettempdir())
    full_env["LC_ALL"] = "C.UTF-8"
    # The machine's /etc/mailcap must not change what tests see; a test
    # of mailcap handling sets its own.
    full_env["MAILCAPS"] = os.devnull
    if env:
        full_env.update(env)
    proc = subprocess.run([TERN] + list(args), stdin=stdin, capture_output=True,
                          text=True, errors="replace", timeout=timeout,
                          env=full_env, cwd=cwd, start_new_session=True)
    return Result(proc)


class TernTestCase(unittest.TestCase):
    """A test case with a private temporary directory and mailrc helpers."""

    def setUp(self):
        need_tern(self)
        self._tmp = tempfile.TemporaryDirectory(prefix="tern-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def mailrc(self, text, name="mailrc", mode=0o600):
        """Write a mailrc (str or bytes) and return its path."""
        path = os.path.join(self.tmp, name)
        data = text.encode() if isinstance(text, str) else text
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def tern(self, *args, **kw):
        return run(args, **kw)

    def assertStatus(self, result, status):
        self.assertEqual(result.status, status, repr(result))


class ServersTestCase(TernTestCase):
    """Test cases that share one private Dovecot and SMTP sink (cls.s,
    tests/harness/servers.py), started once for the class. Subclasses
    may override require() (skip before anything starts) and fill()
    (put mail on the servers once they are up)."""

    @classmethod
    def require(cls):
        need_tern(cls)

    @classmethod
    def fill(cls):
        pass

    @classmethod
    def setUpClass(cls):
        cls.require()
        harness = os.path.join(os.path.dirname(__file__), "..", "harness")
        if harness not in sys.path:
            sys.path.insert(0, harness)
        from servers import Servers
        cls.servers = Servers()
        cls.s = cls.servers.__enter__()
        try:
            cls.fill()
        except BaseException:
            cls.servers.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.servers.__exit__(None, None, None)

    def new_folder(self, prefix, user="alice"):
        """A folder of its own for one test (PREFIX1, PREFIX2, ...),
        created on the server."""
        n = getattr(type(self), "_folders_made", 0) + 1
        type(self)._folders_made = n
        name = "%s%d" % (prefix, n)
        with self.device(user) as c:
            c.create(name)
        return name

    def empty_folder(self, user, folder="INBOX"):
        """Removes every message of a user's folder, as another device."""
        with self.device(user) as c:
            typ, data = c.select(folder)
            if int(data[0]):
                c.store("1:*", "+FLAGS", "(\\Deleted)")
                c.expunge()

    @contextlib.contextmanager
    def device(self, user="alice"):
        """Another device: an imaplib session of user, logged out after."""
        conn = self.s.imap(user)
        try:
            yield conn
        finally:
            conn.logout()


class TerminalTestCase(ServersTestCase):
    """Servers test cases that run tern in tmux (tmuxlib), as a person
    uses it; skipped where tmux is not installed."""

    @classmethod
    def require(cls):
        super().require()
        from tmuxlib import need_tmux
        need_tmux()

    def synced(self, t, text, timeout=20):
        """Wait for text and for the status line to say nothing is busy."""
        deadline = time.monotonic() + timeout
        while True:
            screen = t.screen()
            if text in screen and "-- syncing" not in screen and "-- connecting" not in screen:
                return screen
            if time.monotonic() > deadline:
                self.fail("%r / in sync never showed:\n%s" % (text, screen))
            time.sleep(0.1)

    def wait_server(self, what, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            value = what()
            if predicate(value):
                return value
            if time.monotonic() > deadline:
                self.fail("the server never got there: %r" % (value,))
            time.sleep(0.2)
