"""Run a program in a private tmux server, type into it and read the
screen, as a person would: the way tern's interactive parts are tested."""

import os
import shlex
import subprocess
import tempfile
import time
import unittest


def need_tmux():
    if subprocess.run(["sh", "-c", "command -v tmux"], capture_output=True).returncode != 0:
        raise unittest.SkipTest("tmux is not installed")


class Tmux:
    """with Tmux(argv, env) as t: t.wait_for("text"); t.keys("abc", "Enter")

    The program's exit status is shown on the screen as "[exit N]" when it
    ends (the pane stays open so the last screen can be read)."""

    def __init__(self, argv, env=None, width=100, height=30):
        self.dir = tempfile.mkdtemp(prefix="tern-tmux-")
        self.socket = os.path.join(self.dir, "sock")
        self.argv, self.env = argv, env or {}
        self.width, self.height = width, height

    def _tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null"] + list(args),
                              capture_output=True, text=True, errors="replace",
                              check=check, timeout=20)

    def __enter__(self):
        env = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in self.env.items())
        cmd = "env %s %s; echo \"[exit $?]\"; sleep 600" % (
            env, " ".join(shlex.quote(a) for a in self.argv))
        self._tmux("new-session", "-d", "-x", str(self.width), "-y", str(self.height),
                   "-s", "t", cmd)
        return self

    def __exit__(self, *exc):
        self._tmux("kill-server", check=False)
        try:
            os.unlink(self.socket)
        except OSError:
            pass
        os.rmdir(self.dir)
        return False

    def record(self, path):
        """Append everything the program writes to the terminal to path."""
        self._tmux("pipe-pane", "-t", "t", "-o", "cat >> %s" % shlex.quote(path))

    def screen(self):
        return self._tmux("capture-pane", "-p", "-t", "t").stdout

    def keys(self, *keys, literal=False):
        self._tmux("send-keys", "-t", "t", *(("-l",) if literal else ()), *keys)

    def wait_for(self, text, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError("%r did not appear; the screen:\n%s" % (text, screen))
            time.sleep(0.1)
