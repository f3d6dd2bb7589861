"""Connection faults against the real Dovecot, through tests/faults/faultproxy:
the server closes after its greeting, the connection drops or stalls or is
cut in the middle of a line after login, and a man in the middle strips
STARTTLS. For both `tern --check` and `tern --folders`, tern must fail with
exit status 3 and a line naming the account and what happened, never
crash, hang or print control characters, and never send a password in
clear text when TLS was required.

The helpers here (run_tern, output_problems, ...) are shared with
test_hostile."""

import base64
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for _d in ("harness", "faults"):
    _p = os.path.join(os.path.dirname(HERE), _d)
    if _p not in sys.path:
        sys.path.insert(0, _p)

from faultproxy import FaultProxy  # noqa: E402
from ternlib import TERN, ServersTestCase  # noqa: E402

TIMEOUT = 2                 # the mailrc's "set timeout"
COMMANDS = (("--check",), ("--folders",))

CLOSED = "closed the connection"
NO_ANSWER = "no answer from"
CANNOT_READ = "sent a response tern cannot read"
ENDED = "ended the session"


class Run:
    """One finished run of tern: status (negative: killed by that signal),
    out and err (bytes), elapsed (s), maxrss_kib, timed_out."""

    def __repr__(self):
        return "%s\nexit %s%s after %.1fs, peak %d KiB\n--- stdout\n%s\n--- stderr\n%s" % (
            " ".join(self.argv), self.status, " (TIMED OUT)" if self.timed_out else "",
            self.elapsed, self.maxrss_kib, self.out.decode("utf-8", "backslashreplace"),
            self.err.decode("utf-8", "backslashreplace"))

    @property
    def err_text(self):
        return self.err.decode("utf-8", "replace")


_PR_SET_CHILD_SUBREAPER = 36
_subreaper_lock = threading.Lock()
_subreaper_users = 0


def _subreaper(on):
    """Counted: this process adopts orphaned descendants while any
    run_tern() is starting tern."""
    global _subreaper_users
    with _subreaper_lock:
        _subreaper_users += 1 if on else -1
        if _subreaper_users == (1 if on else 0):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def run_tern(args, timeout=30, wrapper=()):
    """Run tern (under wrapper, e.g. valgrind) without a terminal and in a
    process group of its own, killed after timeout seconds.

    The peak memory comes from wait4. Linux counts in a process's maxrss
    the size of the process it was forked from at the time of exec, so
    tern is started by a small shell that exits at once: this process, a
    subreaper meanwhile, adopts tern and waits for it itself. (bash, as
    dash cannot redirect file descriptors above 9.)"""
    env = dict(os.environ)
    env.setdefault("HOME", tempfile.gettempdir())
    env["LC_ALL"] = "C.UTF-8"
    env["MAILCAPS"] = os.devnull
    r = Run()
    r.argv = list(wrapper) + [TERN] + list(args)
    r.timed_out = False
    t0 = time.monotonic()
    pid_r, pid_w = os.pipe()
    _subreaper(True)
    try:
        shell = subprocess.Popen(
            ["/bin/bash", "-c", '"$@" %d>&- & echo $! >&%d' % (pid_w, pid_w), "bash"] + r.argv,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, start_new_session=True, pass_fds=(pid_w,))
        os.close(pid_w)
        shell.wait()
        with os.fdopen(pid_r) as f:
            pid = int(f.read())
    finally:
        _subreaper(False)
    chunks = {}

    def drain(name, f):
        chunks[name] = f.read()

    readers = [threading.Thread(target=drain, args=("out", shell.stdout)),
               threading.Thread(target=drain, args=("err", shell.stderr))]
    for t in readers:
        t.start()

    def kill():
        r.timed_out = True
        try:
            os.killpg(shell.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(pid, 0)
    finally:
        timer.cancel()
    r.elapsed = time.monotonic() - t0
    r.status = os.waitstatus_to_exitcode(status)
    r.maxrss_kib = usage.ru_maxrss
    for t in readers:
        t.join(5)
        if t.is_alive():        # a child left holding the pipes
            kill()
            t.join()
    shell.stdout.close()
    shell.stderr.close()
    r.out, r.err = chunks.get("out", b""), chunks.get("err", b"")
    return r


def output_problems(data, what):
    """What is unsafe in a program's output: control bytes other than
    newline and tab (ESC among them), C1 controls, invalid UTF-8."""
    problems = []
    bad = sorted({b for b in data if b < 0x20 and b not in (0x09, 0x0a)})
    if bad:
        problems.append("%s has control bytes %s" % (what, ", ".join("0x%02x" % b for b in bad)))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("%s is not valid UTF-8 (%s)" % (what, e))
    else:
        c1 = sorted({"U+%04X" % ord(c) for c in text if 0x80 <= ord(c) <= 0x9f})
        if c1:
            problems.append("%s has C1 controls %s" % (what, ", ".join(c1)))
    return problems


def json_rows(data):
    """Parse `--folders --json` output: one JSON object per line; raises
    ValueError (or UnicodeDecodeError) on anything else."""
    rows = []
    for line in data.split(b"\n"):
        if line.strip():
            row = json.loads(line.decode("utf-8"))
            if not isinstance(row, dict):
                raise ValueError("not a JSON object: %r" % line)
            rows.append(row)
    return rows


def mailrc_text(port, tls_no=True, extra=()):
    lines = ["set imap=imap://alice@127.0.0.1:%d" % port]
    if tls_no:
        lines.append("set tls=no")
    lines += list(extra)
    lines.append('set password-command="echo alice-pw"')
    return "set timeout=%ds\naccount a {\n%s}\n" % (
        TIMEOUT, "".join("    %s\n" % l for l in lines))


class TernRunMixin:
    """Assertions shared by the fault and hostile tests."""

    def assertSafe(self, r):
        problems = output_problems(r.out, "stdout") + output_problems(r.err, "stderr")
        self.assertEqual(problems, [], repr(r))

    def assertFinished(self, r):
        self.assertFalse(r.timed_out, "tern hung: %r" % r)
        self.assertGreaterEqual(r.status, 0, "tern was killed by a signal: %r" % r)

    def assertFailed(self, r, *phrases):
        """Exit status 3 and a stderr line naming account 'a' and one of
        phrases (any line naming the account when phrases is empty)."""
        self.assertFinished(r)
        self.assertEqual(r.status, 3, repr(r))
        lines = [l for l in r.err_text.splitlines() if "account 'a'" in l]
        self.assertTrue(lines, "no stderr line names account 'a': %r" % r)
        if phrases:
            self.assertTrue(any(p in l for l in lines for p in phrases),
                            "no line names account 'a' and says %s: %r"
                            % (" or ".join(repr(p) for p in phrases), r))
        self.assertSafe(r)


def _secrets(user=b"alice", password=b"alice-pw"):
    """The forms a password takes on the wire: clear (LOGIN), and base64
    for AUTHENTICATE PLAIN (with and without authzid) and LOGIN."""
    forms = [password]
    for plain in (b"\0" + user + b"\0" + password, user + b"\0" + user + b"\0" + password,
                  password):
        forms.append(base64.b64encode(plain))
    return forms


class TestFaults(TernRunMixin, ServersTestCase):

    def tern_via(self, proxy, command, tls_no=True, extra=(), timeout=30):
        path = self.mailrc(mailrc_text(proxy.port, tls_no, extra))
        return run_tern(["-F", path] + list(command), timeout=timeout)

    def server_bytes_after_login(self, command):
        """How many bytes Dovecot sends from tern's first command to just
        before the answer to its LOGOUT, in a run that goes well."""
        with FaultProxy(self.s.imap_port) as proxy:
            r = self.tern_via(proxy, command)
        self.assertFinished(r)
        self.assertEqual(r.status, 0, "the run without faults failed: %r" % r)
        self.assertSafe(r)
        self.assertIsNotNone(proxy.trigger_offset, "tern sent no command after login")
        ends = [at for line, at in proxy.commands if b" LOGOUT" in line.upper()]
        self.assertTrue(ends, "tern sent no LOGOUT: %r" % proxy.commands)
        end = ends[0]
        self.assertGreater(end, proxy.trigger_offset, proxy.commands)
        return end - proxy.trigger_offset

    def test_close_after_greeting(self):
        for command in COMMANDS:
            with self.subTest(command=command[0]):
                with FaultProxy(self.s.imap_port, "close_after_greeting") as proxy:
                    r = self.tern_via(proxy, command)
                self.assertEqual(proxy.faults, 1)
                self.assertFailed(r)

    def test_drop_mid_response(self):
        for command in COMMANDS:
            total = self.server_bytes_after_login(command)
            # The last cut falls inside the last line before the LOGOUT
            # (Dovecot's timings in tagged OKs vary its length a little).
            for n in sorted({0, 1, total // 3, total // 2, max(0, total - 24)}):
                with self.subTest(command=command[0], drop_after=n, of=total):
                    with FaultProxy(self.s.imap_port, "drop_after", n) as proxy:
                        r = self.tern_via(proxy, command)
                    self.assertEqual(proxy.faults, 1, repr(r))
                    self.assertFailed(r, CLOSED)

    def test_stall_longer_than_timeout(self):
        for command in COMMANDS:
            total = self.server_bytes_after_login(command)
            for n in (0, total // 2):
                with self.subTest(command=command[0], stall_after=n, of=total):
                    with FaultProxy(self.s.imap_port, "stall_after", n) as proxy:
                        r = self.tern_via(proxy, command, timeout=TIMEOUT + 20)
                    self.assertFailed(r, NO_ANSWER)
                    self.assertLess(r.elapsed, TIMEOUT + 10, repr(r))
                    self.assertGreaterEqual(r.elapsed, TIMEOUT - 0.5, repr(r))

    def test_truncated_line(self):
        for command in COMMANDS:
            for n in (0, 1, 2):
                with self.subTest(command=command[0], whole_lines_first=n):
                    with FaultProxy(self.s.imap_port, "truncate_line", n) as proxy:
                        r = self.tern_via(proxy, command)
                    self.assertEqual(proxy.faults, 1, repr(r))
                    self.assertFailed(r, CLOSED)

    def test_starttls_stripped_sends_no_password(self):
        for command in COMMANDS:
            with self.subTest(command=command[0]):
                with FaultProxy(self.s.imap_port, "strip_starttls") as proxy:
                    r = self.tern_via(proxy, command, tls_no=False,
                                      extra=["set tls-ca=%s" % self.s.ca_file])
                self.assertFailed(r)
                self.assertIn("STARTTLS", r.err_text, repr(r))
                self.assertGreaterEqual(proxy.connections, 1)
                sent = proxy.client_bytes
                for secret in _secrets():
                    self.assertNotIn(secret, sent, "password sent in clear text: %r" % sent)

    def test_stripping_proxy_sees_passwords_it_is_given(self):
        # The check above means something only if the proxy's record
        # would show the password: with tls=no tern logs in through it.
        with FaultProxy(self.s.imap_port, "strip_starttls") as proxy:
            r = self.tern_via(proxy, ("--check",))
        self.assertFinished(r)
        self.assertEqual(r.status, 0, repr(r))
        sent = proxy.client_bytes
        self.assertTrue(any(s in sent for s in _secrets()), sent)
