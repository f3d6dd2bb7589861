#!/usr/bin/python3
"""Real mail servers for tern's integration tests and demo.

Starts, in one private directory, a private Dovecot (IMAP with STARTTLS,
IMAPS, POP3 with STARTTLS, POP3S) and an SMTP sink (smtpsink.py), all
listening on 127.0.0.1 ports picked at run time.  Nothing outside that
directory is configured or touched, except that when running as root a
system user "ternmail" is created once (Dovecot refuses mail access as uid 0)
and Dovecot itself notes its instance in /var/lib/dovecot/instances (as
non-root it cannot, and logs one harmless error about it; log_errors()
leaves that line out).

As a Python module (tests):

    from servers import Servers
    with Servers() as s:            # temporary directory, removed afterwards
        s.imap_port, s.imaps_port, s.pop3_port, s.pop3s_port, s.smtp_port
        s.ca_file, s.cert_file, s.dir, s.users   # users: name -> password
        uid = s.append("alice", "INBOX", raw_bytes, flags=(r"\\Seen",),
                       internaldate=None)        # APPEND, returns the UID
        s.imap_count("alice", "Archive"); s.pop3_stat("alice")
        s.imap("alice", "starttls")  # logged-in imaplib (plain/starttls/ssl)
        s.pop3("bob", "ssl")         # logged-in poplib
        s.fill_sample()              # samplemail.fill(): ~480 messages
        s.dovecot_log(); s.log_errors(); mark = s.log_mark()
        s.mail_log_events(since=mark, user="alice", event="expunge")
        s.wait_mail_log("expunge", user="alice", since=mark, uid=uid)
        s.sink_messages(); s.clear_sink()
        s.doveadm("acl", "get", "-u", "support", "INBOX")
    Servers.attach(DIR) uses an instance started by the CLI;
    require_tern() gives $TERN or skips the test.

Startup waits for every listener (with a deadline) and raises HarnessError
with the tail of Dovecot's stderr and log when something fails.  Teardown
stops Dovecot through its master pid and the sink, checks the ports are
free and removes a temporary directory; it also runs at exit, on
SIGTERM/SIGHUP, and (via PR_SET_PDEATHSIG) when the harness is killed.

As a command (demo, manual testing):

    servers.py up --dir DIR [--fill]   start (idempotent), print KEY=VALUE
    servers.py status --dir DIR        show what runs; exit 3 if not running
    servers.py down --dir DIR [--purge] stop everything (--purge: delete DIR)

The KEY=VALUE lines (also written to DIR/env, shell-quoted, so it can be
sourced) are DIR, HOST, IMAP_PORT, IMAPS_PORT, POP3_PORT, POP3S_PORT,
SMTP_PORT, CA_FILE, DOVECOT_CONF, DOVECOT_LOG and SINK_DIR.  Ports are chosen
once and remembered in DIR/env; re-running "up" keeps them.

Users (passwd-file): alice/alice-pw, bob/bob-pw, carol/carol-pw,
support/support-pw.  support's INBOX is shared: alice has all rights, bob
lookup/read/write flags, carol lookup/read only; they see it as
"Shared/support/INBOX".

Layout of DIR: dovecot.conf, passwd, users.json, ssl/ (ca.pem = CA_FILE,
cert.pem, key.pem), run/ (Dovecot base_dir), home/USER/ (mdbox mail),
shared/ (ACL shared dict), dovecot.log (everything Dovecot logs, including
mail_log), sink/ (NNNNNN.eml + NNNNNN.json per message), env.

Needs Debian packages dovecot-imapd, dovecot-pop3d, python3-aiosmtpd,
openssl.  Run with /usr/bin/python3.
"""

import argparse
import atexit
import contextlib
import ctypes
import datetime
import fcntl
import grp
import imaplib
import importlib.util
import json
import os
import poplib
import pwd
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
DEFAULT_USERS = {"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw",
                 "support": "support-pw"}
# Rights on support's INBOX, in IMAP ACL letters (RFC 4314).
# carol is a read-only member: she sees the team's queues but may change
# nothing (no keywords, no \Seen).
SHARED_INBOX_RIGHTS = {"alice": "lrwstipekxa", "bob": "lrws", "carol": "lr"}
SHARED_OWNER = "support"
MAIL_SYSTEM_USER = "ternmail"
SPECIAL_USE = (("Sent", r"\Sent"), ("Drafts", r"\Drafts"), ("Trash", r"\Trash"),
               ("Junk", r"\Junk"), ("Archive", r"\Archive"))
PORT_KEYS = ("IMAP_PORT", "IMAPS_PORT", "POP3_PORT", "POP3S_PORT", "SMTP_PORT")
MARKER = ".tern-harness"
FILLED = "filled"

_ACL_NAMES = {"l": "lookup", "r": "read", "w": "write", "s": "write-seen",
              "t": "write-deleted", "i": "insert", "p": "post", "e": "expunge",
              "k": "create", "x": "delete", "a": "admin"}

_MAIL_LOG_EVENTS = ("delete", "undelete", "expunge", "copy", "flag_change", "save",
                    "mailbox_delete", "mailbox_rename")


class HarnessError(RuntimeError):
    """The servers could not be started, stopped or used as expected."""


# --------------------------------------------------------------------------
# small helpers

def _find_program(name):
    for path in (shutil.which(name), "/usr/sbin/" + name, "/usr/bin/" + name):
        if path and os.access(path, os.X_OK):
            return path
    raise HarnessError("%s not found: install the Debian packages dovecot-imapd "
                       "dovecot-pop3d (and openssl)" % name)


def _tail(path, lines=40, offset=0):
    """The last lines of a file (from byte offset on), for error messages."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e.strerror)
    text = data.decode("utf-8", "replace").splitlines()
    return "\n".join(text[-lines:]) if text else "(empty)"


def port_is_free(port, host=HOST):
    """True when a listener could bind host:port now (like a server would)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(1)
        return True
    except OSError:
        return False
    finally:
        s.close()


def pick_free_ports(count, host=HOST, avoid=()):
    """Distinct ports the kernel reports free right now (bind to port 0)."""
    socks, ports = [], []
    try:
        while len(ports) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((host, 0))
            port = s.getsockname()[1]
            if port not in avoid:
                ports.append(port)
    finally:
        for s in socks:
            s.close()
    return ports


def _connect(port, timeout=1.0):
    return socket.create_connection((HOST, port), timeout=timeout)


def _pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return []


def _descendants(pid):
    """pids of all processes below pid (from /proc)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            out.append(child)
            todo.append(child)
    return out


def _wait_dead(pids, timeout):
    deadline = time.monotonic() + timeout
    alive = [p for p in pids if _pid_alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [p for p in alive if _pid_alive(p)]
    return alive


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _pdeathsig_preexec():
    """Child setup: get SIGTERM if the harness process dies (even SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort only
        pass


def _write_file(path, text, mode=0o644):
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.rename(tmp, path)


def _read_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def imap_quote(name):
    """Quote a mailbox name for an IMAP command (imaplib does not)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_append(conn, folder, raw, flags=(), internaldate=None):
    """APPEND raw (bytes) on a logged-in imaplib connection; return the UID.

    internaldate: aware datetime, epoch seconds or None (server time)."""
    flag_str = "(%s)" % " ".join(flags) if flags else None
    date = imaplib.Time2Internaldate(internaldate) if internaldate is not None else None
    typ, data = conn.append(imap_quote(folder), flag_str, date, raw)
    if typ != "OK":
        raise HarnessError("APPEND to %s failed: %r" % (folder, data))
    m = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------
# log parsing

_LOG_LINE = re.compile(
    r"^(?:(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) )?"
    r"(?P<service>[\w-]+)\((?P<user>[^)]*)\)(?:<[^>]*>)*: Info: (?P<message>.*)$")
_MAIL_EVENT = re.compile(r"(?P<event>[a-z_]+)(?: (?P<detail>[^:]*?))?: (?P<fields>.*)$")
_MAILBOX_EVENT = re.compile(r"Mailbox (?P<what>created|deleted|renamed): (?P<rest>.*)$")
_FIELD = re.compile(r"(\w+)=(.*?)(?=, \w+=|$)")


def parse_mail_log(text):
    """Parse Dovecot mail_log plugin lines into dicts.

    Each dict has: time, service ('imap', 'pop3', 'doveadm', ...), user,
    event, box, uid (int or None), msgid, size (int or None), flags (e.g.
    '(\\Seen \\Flagged)'), detail, line (the raw log line).
    Events: save, copy (detail 'from SRCBOX'), flag_change, delete (\\Deleted
    set), undelete, expunge, mailbox_create, mailbox_delete, mailbox_rename
    (box is the old name, new_box the new one)."""
    events = []
    for line in text.splitlines():
        m = _LOG_LINE.match(line)
        if not m:
            continue
        ev = {"time": m.group("time"), "service": m.group("service"),
              "user": m.group("user"), "event": None, "detail": None, "box": None,
              "uid": None, "msgid": None, "size": None, "flags": None, "line": line}
        mb = _MAILBOX_EVENT.match(m.group("message"))
        me = _MAIL_EVENT.match(m.group("message"))
        if mb:
            ev["event"] = "mailbox_" + mb.group("what")[:-1]
            ev["box"] = mb.group("rest")
            if mb.group("what") == "renamed" and " -> " in ev["box"]:
                ev["box"], ev["new_box"] = ev["box"].split(" -> ", 1)
        elif me and me.group("event") in _MAIL_LOG_EVENTS:
            fields = dict(_FIELD.findall(me.group("fields")))
            if "box" not in fields:
                continue
            ev.update(event=me.group("event"), detail=me.group("detail"),
                      box=fields["box"], msgid=fields.get("msgid"),
                      flags=fields.get("flags"))
            for key in ("uid", "size"):
                if fields.get(key, "").isdigit():
                    ev[key] = int(fields[key])
        else:
            continue
        events.append(ev)
    return events


# --------------------------------------------------------------------------
# cleanup on exit / signals

_LIVE = set()
_LIVE_LOCK = threading.Lock()
_HANDLERS_INSTALLED = False


def _cleanup_all():
    with _LIVE_LOCK:
        live = list(_LIVE)
    for s in live:
        try:
            s.stop()
        except Exception as e:  # noqa: BLE001
            print("tern harness: cleanup of %s failed: %s" % (s.dir, e), file=sys.stderr)


def _on_signal(signum, frame):
    # Like Ctrl-C: unwinds through "with Servers()" blocks and finally
    # clauses, and unittest stops the run instead of recording an error.
    raise KeyboardInterrupt("signal %d" % signum)


def _install_handlers():
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    _HANDLERS_INSTALLED = True
    atexit.register(_cleanup_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _on_signal)


# --------------------------------------------------------------------------

class Servers:
    """A private Dovecot + SMTP sink in one directory.

    Servers(dir=None, keep=None, users=None, detach=False, timeout=20)
      dir     directory to use; None: a new temporary directory
      keep    keep the directory after stop(); default: keep a given dir,
              remove a temporary one
      users   {name: password}; default alice/bob/support
      detach  processes outlive this Python process (used by the CLI);
              otherwise they are stopped at exit and on SIGTERM/SIGHUP
              (turned into KeyboardInterrupt), and the kernel sends them
              SIGTERM if the thread that started them dies, even by SIGKILL
              (so start servers from the main thread or a long-lived one)
      timeout seconds to wait for the listeners at start

    Attributes once started: dir, imap_port, imaps_port, pop3_port,
    pop3s_port, smtp_port, ca_file, cert_file, users, conf_path, log_path,
    sink_dir, ports (dict), problems (list of teardown problems).
    """

    def __init__(self, dir=None, keep=None, users=None, detach=False, timeout=20.0):
        self._temp = dir is None
        self.dir = os.path.abspath(dir) if dir is not None else None
        self.keep = (not self._temp) if keep is None else keep
        self.users = dict(users or DEFAULT_USERS)
        self.detach = detach
        self.timeout = timeout
        self.host = HOST
        self.imap_port = self.imaps_port = self.pop3_port = None
        self.pop3s_port = self.smtp_port = None
        self._dovecot_proc = None
        self._sink_proc = None
        self._log_offset = self._stderr_offset = 0
        self._owned = False
        self._attached = False
        self.problems = []

    # ---- paths
    def _p(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def ca_file(self):
        return self._p("ssl", "ca.pem")

    @property
    def cert_file(self):
        return self._p("ssl", "cert.pem")

    @property
    def conf_path(self):
        return self._p("dovecot.conf")

    @property
    def log_path(self):
        return self._p("dovecot.log")

    @property
    def sink_dir(self):
        return self._p("sink")

    @property
    def base_dir(self):
        return self._p("run")

    @property
    def ports(self):
        return dict(zip(PORT_KEYS, (self.imap_port, self.imaps_port, self.pop3_port,
                                    self.pop3s_port, self.smtp_port)))

    def home(self, user):
        return self._p("home", user)

    def env(self):
        """The KEY=VALUE settings printed by the CLI (as a dict)."""
        env = {"DIR": self.dir, "HOST": HOST}
        env.update({k: str(v) for k, v in self.ports.items()})
        env.update({"CA_FILE": self.ca_file, "DOVECOT_CONF": self.conf_path,
                    "DOVECOT_LOG": self.log_path, "SINK_DIR": self.sink_dir})
        return env

    # ---- context manager
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop(raise_problems=exc_type is None)
        return False

    # ---- start
    def start(self):
        """Start Dovecot and the sink; raise HarnessError (with log tails)."""
        if self._owned:
            return self
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="tern-harness-")
        if not self.detach:
            _install_handlers()
        try:
            self._prepare_dir()
        except BaseException:
            if self._temp:
                shutil.rmtree(self.dir, ignore_errors=True)
            raise
        with self._locked():
            self._start_locked()
        return self

    def _start_locked(self):
        self._owned = True
        if not self.detach:
            with _LIVE_LOCK:
                _LIVE.add(self)
        try:
            self._stop_leftovers()
            self._assign_ports()
            self._write_config()
            self._start_dovecot()
            self._share_team_inbox()
            self._start_sink()
            self._write_env()
        except BaseException:
            if self.detach:
                self._stop_processes()
            else:
                self.stop(raise_problems=False)
            raise

    def _prepare_dir(self):
        os.makedirs(self.dir, exist_ok=True)
        marker = self._p(MARKER)
        if not os.path.exists(marker):
            if os.listdir(self.dir):
                raise HarnessError("%s is not empty and is not a tern harness directory "
                                   "(no %s); refusing to use it" % (self.dir, MARKER))
            _write_file(marker, "tern test harness directory (tests/harness/servers.py)\n")
        if len(self.base_dir) > 80:
            raise HarnessError("directory path too long for Dovecot's unix sockets "
                               "(%d chars): use a shorter --dir" % len(self.dir))
        if os.geteuid() == 0:
            # Dovecot's auth (user dovecot) and mail processes (ternmail) must
            # reach files in here.
            os.chmod(self.dir, 0o755)
            path = os.path.dirname(self.dir)
            while path != os.path.dirname(path):
                if not os.stat(path).st_mode & 0o001:
                    raise HarnessError("%s is not searchable by other users, so Dovecot's "
                                       "unprivileged processes cannot reach %s: use a "
                                       "directory under /tmp or /var/tmp" % (path, self.dir))
                path = os.path.dirname(path)

    @contextlib.contextmanager
    def _locked(self):
        fd = os.open(self._p(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _identity(self):
        """(mail uid, mail gid, internal user, internal group, login user)."""
        if os.geteuid() == 0:
            for name in ("dovecot", "dovenull"):
                try:
                    pwd.getpwnam(name)
                except KeyError:
                    raise HarnessError("system user %s missing: install dovecot-core" % name)
            pw = _ensure_mail_user()
            return pw.pw_uid, pw.pw_gid, "dovecot", "dovecot", "dovenull"
        try:
            user = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
        except KeyError:
            raise HarnessError("current uid %d has no user/group name; Dovecot needs one"
                               % os.getuid())
        return os.getuid(), os.getgid(), user, group, user

    def _load_env(self):
        env = {}
        text = _read_file(self._p("env")) or ""
        for line in text.splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                try:
                    value = shlex.split(value)[0] if value else ""
                except (ValueError, IndexError):
                    continue
                env[key] = value
        return env

    def _assign_ports(self):
        env = self._load_env()
        ports = []
        for key in PORT_KEYS:
            value = env.get(key, "")
            port = int(value) if value.isdigit() else None
            if port is not None and (port in ports or not port_is_free(port)):
                print("tern harness: remembered port %s=%d is busy, picking another"
                      % (key, port), file=sys.stderr)
                port = None
            ports.append(port)
        missing = [i for i, p in enumerate(ports) if p is None]
        if missing:
            fresh = pick_free_ports(len(missing), avoid=[p for p in ports if p])
            for i, port in zip(missing, fresh):
                ports[i] = port
        (self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port,
         self.smtp_port) = ports

    def _render(self):
        """(dovecot.conf text, passwd text) for the current ports/users."""
        uid, gid, internal_user, internal_group, login_user = self._identity()
        passwd = "".join("%s:{PLAIN}%s:%d:%d::%s::\n" % (name, pw, uid, gid, self.home(name))
                         for name, pw in sorted(self.users.items()))
        mailboxes = "".join(
            "  mailbox %s {\n    special_use = %s\n    auto = subscribe\n  }\n" % (name, use)
            for name, use in SPECIAL_USE)
        # Login chroots need root; drop them everywhere so both modes match.
        chroot_off = "".join("service %s {\n  chroot =\n}\n" % svc for svc in (
            "anvil", "ipc", "old-stats", "imap-urlauth-login", "aggregator", "director"))
        conf = CONFIG_TEMPLATE.format(
            dir=self.dir, base_dir=self.base_dir, log=self.log_path,
            internal_user=internal_user, internal_group=internal_group,
            login_user=login_user, mailboxes=mailboxes, chroot_off=chroot_off,
            host=HOST, imap=self.imap_port, imaps=self.imaps_port,
            pop3=self.pop3_port, pop3s=self.pop3s_port,
            passwd=self._p("passwd"), ssl=self._p("ssl"),
            shared_dict=self._p("shared", "shared-mailboxes.db"),
            mode="root, mail uid %d" % uid if os.geteuid() == 0 else "unprivileged")
        return conf, passwd, uid, gid

    def _write_config(self):
        conf, passwd, uid, gid = self._render()
        self._make_certs()
        _write_file(self._p("passwd"), passwd, 0o644)
        _write_file(self._p("users.json"), json.dumps(self.users, indent=1) + "\n", 0o644)
        _write_file(self.conf_path, conf, 0o644)
        dirs = [self._p("home"), self._p("shared")] + [self.home(u) for u in self.users]
        for d in dirs:
            os.makedirs(d, exist_ok=True)
            if os.geteuid() == 0:
                os.chown(d, uid, gid)
        for d in (self.sink_dir, self._p("run")):
            os.makedirs(d, exist_ok=True)

    def _make_certs(self):
        d = self._p("ssl")
        if all(os.path.exists(os.path.join(d, f)) for f in ("ca.pem", "cert.pem", "key.pem")):
            return
        os.makedirs(d, exist_ok=True)
        openssl = _find_program("openssl")
        _write_file(os.path.join(d, "openssl.cnf"), OPENSSL_CNF)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        steps = [
            ["req", "-config", "openssl.cnf", "-x509", "-new"] + ec +
            ["-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
             "-subj", "/O=tern tests/CN=tern test CA", "-extensions", "v3_ca"],
            ["req", "-config", "openssl.cnf", "-new"] + ec +
            ["-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", "0x%x" % int(time.time() * 1000), "-days", "3650",
             "-extfile", "openssl.cnf", "-extensions", "v3_server", "-out", "cert.pem"],
        ]
        for args in steps:
            r = subprocess.run([openssl] + args, cwd=d, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            if r.returncode != 0:
                raise HarnessError("openssl %s failed:\n%s"
                                   % (" ".join(args), r.stdout.decode(errors="replace")))
        os.chmod(os.path.join(d, "key.pem"), 0o600)
        os.chmod(os.path.join(d, "ca.key"), 0o600)

    def _start_dovecot(self):
        dovecot = _find_program("dovecot")
        self._log_offset = self.log_mark()
        self._stderr_offset = os.path.getsize(self._p("dovecot.stderr")) \
            if os.path.exists(self._p("dovecot.stderr")) else 0
        errlog = open(self._p("dovecot.stderr"), "ab")
        try:
            self._dovecot_proc = subprocess.Popen(
                [dovecot, "-F", "-c", self.conf_path], stdin=subprocess.DEVNULL,
                stdout=errlog, stderr=errlog, start_new_session=True,
                preexec_fn=None if self.detach else _pdeathsig_preexec)
        finally:
            errlog.close()
        _write_file(self._p("dovecot.pid"), "%d\n" % self._dovecot_proc.pid)
        deadline = time.monotonic() + self.timeout
        for port, greeting in ((self.imap_port, b"* OK"), (self.pop3_port, b"+OK"),
                               (self.imaps_port, None), (self.pop3s_port, None)):
            self._wait_listener("dovecot", self._dovecot_proc, port, greeting, deadline)
        # One real TLS handshake: catches certificate problems early.
        try:
            with _connect(self.imaps_port, 5) as raw, \
                    self.ssl_context().wrap_socket(raw, server_hostname=HOST) as tls:
                tls.recv(100)
        except (OSError, ssl.SSLError) as e:
            raise self._startup_error("dovecot", "TLS handshake on IMAPS failed: %s" % e)

    def _wait_listener(self, what, proc, port, greeting, deadline):
        last = None
        while True:
            if proc.poll() is not None:
                raise self._startup_error(what, "exited with status %d" % proc.returncode)
            try:
                with _connect(port, max(0.2, min(2.0, deadline - time.monotonic()))) as s:
                    if greeting is None:
                        return
                    data = b""
                    while b"\n" not in data:
                        chunk = s.recv(200)
                        if not chunk:
                            break
                        data += chunk
                    if data.startswith(greeting):
                        return
                    last = "unexpected greeting %r on port %d" % (data[:80], port)
            except OSError as e:
                last = "port %d: %s" % (port, e)
            if time.monotonic() > deadline:
                raise self._startup_error(what, "not ready after %.0fs (%s)"
                                          % (self.timeout, last))
            time.sleep(0.02)

    def _startup_error(self, what, reason):
        if what == "dovecot":
            detail = ("--- dovecot stderr (%s) ---\n%s\n--- %s since this start ---\n%s"
                      % (self._p("dovecot.stderr"),
                         _tail(self._p("dovecot.stderr"), 20, self._stderr_offset),
                         self.log_path, _tail(self.log_path, 30, self._log_offset)))
        else:
            detail = "--- tail of %s ---\n%s" % (self._p("smtpsink.log"),
                                                 _tail(self._p("smtpsink.log")))
        return HarnessError("%s failed to start in %s: %s\n%s" % (what, self.dir, reason, detail))

    def _share_team_inbox(self):
        if SHARED_OWNER not in self.users:
            return
        for user, letters in SHARED_INBOX_RIGHTS.items():
            if user in self.users:
                rights = [_ACL_NAMES[c] for c in letters]
                self.doveadm("acl", "set", "-u", SHARED_OWNER, "INBOX", "user=" + user, *rights)

    def _start_sink(self):
        python = sys.executable
        if not python or importlib.util.find_spec("aiosmtpd") is None:
            python = "/usr/bin/python3"
        log = open(self._p("smtpsink.log"), "ab")
        try:
            self._sink_proc = subprocess.Popen(
                [python, os.path.join(HERE, "smtpsink.py"), "--host", HOST,
                 "--port", str(self.smtp_port), "--dir", self.sink_dir,
                 "--users", self._p("users.json")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                preexec_fn=None if self.detach else _pdeathsig_preexec)
        finally:
            log.close()
        _write_file(self._p("sink.pid"), "%d\n" % self._sink_proc.pid)
        self._wait_listener("smtp sink", self._sink_proc, self.smtp_port, b"220",
                            time.monotonic() + self.timeout)

    def _write_env(self):
        text = "".join("%s=%s\n" % (k, shlex.quote(v)) for k, v in self.env().items())
        _write_file(self._p("env"), text)

    # ---- running state (for the CLI)
    def _running_pid(self, pidfile, must_contain):
        text = _read_file(self._p(pidfile)) or ""
        pid = int(text) if text.strip().isdigit() else None
        if pid and _pid_alive(pid):
            args = _cmdline(pid)
            if any(must_contain in a for a in args):
                return pid
        return None

    def dovecot_pid(self):
        """Pid of our running Dovecot master (None if not running)."""
        if self._dovecot_proc and self._dovecot_proc.poll() is None:
            return self._dovecot_proc.pid
        pid = self._running_pid(os.path.join("run", "master.pid"), self.conf_path)
        return pid or self._running_pid("dovecot.pid", self.conf_path)

    def sink_pid(self):
        if self._sink_proc and self._sink_proc.poll() is None:
            return self._sink_proc.pid
        return self._running_pid("sink.pid", self.sink_dir)

    def _load_ports(self):
        env = self._load_env()
        values = [env.get(k, "") for k in PORT_KEYS]
        if all(v.isdigit() for v in values):
            (self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port,
             self.smtp_port) = [int(v) for v in values]
            return True
        return False

    def is_up(self):
        """Everything of this directory runs, listens, and matches the config."""
        if not os.path.exists(self._p(MARKER)) or not self._load_ports():
            return False
        sink = self.sink_pid()
        if not self.dovecot_pid() or not sink or str(self.smtp_port) not in _cmdline(sink):
            return False
        conf, passwd, _, _ = self._render()
        if _read_file(self.conf_path) != conf or _read_file(self._p("passwd")) != passwd:
            return False
        for port in self.ports.values():
            try:
                _connect(port, 1.0).close()
            except OSError:
                return False
        return True

    @classmethod
    def attach(cls, dir):
        """Use an instance started earlier (e.g. by the CLI) without owning it."""
        s = cls(dir=dir, keep=True)
        if not s._load_ports():
            raise HarnessError("no harness instance in %s (no env file)" % dir)
        s._attached = True   # stop() leaves it alone
        return s

    # ---- stop
    def _stop_leftovers(self):
        """Stop processes of an earlier run in this directory (pid files)."""
        self._stop_processes()

    def _stop_processes(self):
        sink = self.sink_pid()
        if sink:
            _kill(sink, signal.SIGTERM)
            if self._sink_proc and self._sink_proc.pid == sink:
                try:
                    self._sink_proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            if _wait_dead([sink], 5):
                _kill(sink, signal.SIGKILL)
                _wait_dead([sink], 2)
        if self._sink_proc:
            self._sink_proc.poll()
        master = self.dovecot_pid()
        if master:
            # The master alone takes a second to shut down and leaves client
            # processes running for a while; so: SIGTERM the master and its
            # processes, the log process last (it records the others' exit).
            kids = _descendants(master)
            loggers = [p for p in kids if (_cmdline(p) or [""])[0].endswith("/log")]
            others = [p for p in kids if p not in loggers]
            _kill(master, signal.SIGTERM)
            for pid in others:
                _kill(pid, signal.SIGTERM)
            _wait_dead(others, 3)
            for pid in loggers:
                _kill(pid, signal.SIGTERM)
            if self._dovecot_proc and self._dovecot_proc.pid == master:
                try:
                    self._dovecot_proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass
            if _wait_dead([master], 10):
                self.problems.append("dovecot master %d ignored SIGTERM; killed" % master)
                _kill(master, signal.SIGKILL)
            left = _wait_dead(kids, 5)
            for pid in left:
                self.problems.append("dovecot process %d ignored SIGTERM; killed" % pid)
                _kill(pid, signal.SIGKILL)
            _wait_dead(left, 2)
        if self._dovecot_proc:
            self._dovecot_proc.poll()
        if not self.dovecot_pid():
            # A stale master.pid (e.g. after kill -9, or naming a zombie)
            # would make the next Dovecot refuse to start.
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.base_dir, "master.pid"))
        for f in ("sink.pid", "dovecot.pid"):
            with contextlib.suppress(OSError):
                os.unlink(self._p(f))

    def stop(self, raise_problems=True):
        """Stop everything; check the ports are free; remove a temp dir.

        Problems (a process that needed SIGKILL, a port still busy) are
        collected in self.problems and raised as HarnessError if
        raise_problems.  Does nothing for an attach()ed instance."""
        if self._attached or self.dir is None or not os.path.isdir(self.dir):
            return
        with _LIVE_LOCK:
            _LIVE.discard(self)
        self._stop_processes()
        busy = []
        deadline = time.monotonic() + 5
        for port in (p for p in self.ports.values() if p):
            while not port_is_free(port) and time.monotonic() < deadline:
                time.sleep(0.02)
            if not port_is_free(port):
                busy.append(port)
        if busy:
            self.problems.append("ports still in use after stop: %s" % busy)
        self._owned = False
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        if raise_problems and self.problems:
            raise HarnessError("; ".join(self.problems))

    # ---- using the servers
    def ssl_context(self):
        """An SSLContext that trusts the harness CA (verifies 127.0.0.1)."""
        return ssl.create_default_context(cafile=self.ca_file)

    def imap(self, user, security="plain", password=None, timeout=10):
        """A logged-in imaplib client; security: plain, starttls or ssl."""
        if security == "ssl":
            conn = imaplib.IMAP4_SSL(HOST, self.imaps_port, ssl_context=self.ssl_context(),
                                     timeout=timeout)
        else:
            conn = imaplib.IMAP4(HOST, self.imap_port, timeout=timeout)
            if security == "starttls":
                conn.starttls(ssl_context=self.ssl_context())
            elif security != "plain":
                raise ValueError("security must be plain, starttls or ssl")
        conn.login(user, password if password is not None else self.users[user])
        return conn

    def pop3(self, user, security="plain", password=None, timeout=10):
        """A logged-in poplib client; security: plain, starttls or ssl."""
        if security == "ssl":
            conn = poplib.POP3_SSL(HOST, self.pop3s_port, context=self.ssl_context(),
                                   timeout=timeout)
        else:
            conn = poplib.POP3(HOST, self.pop3_port, timeout=timeout)
            if security == "starttls":
                conn.stls(context=self.ssl_context())
            elif security != "plain":
                raise ValueError("security must be plain, starttls or ssl")
        conn.user(user)
        conn.pass_(password if password is not None else self.users[user])
        return conn

    def append(self, user, folder, raw, flags=(), internaldate=None):
        """APPEND one message (bytes) as user; returns its UID."""
        conn = self.imap(user)
        try:
            return imap_append(conn, folder, raw, flags, internaldate)
        finally:
            conn.logout()

    def imap_count(self, user, folder="INBOX"):
        """Number of messages in a folder (IMAP STATUS)."""
        conn = self.imap(user)
        try:
            typ, data = conn.status(imap_quote(folder), "(MESSAGES)")
            if typ != "OK":
                raise HarnessError("STATUS %s failed: %r" % (folder, data))
            return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
        finally:
            conn.logout()

    def pop3_stat(self, user):
        """(message count, total size) of user's INBOX as POP3 STAT reports."""
        conn = self.pop3(user)
        try:
            return conn.stat()
        finally:
            conn.quit()

    def fill_sample(self, seed=1, now=None):
        """Load samplemail's messages; returns {(user, folder): count}."""
        if HERE not in sys.path:
            sys.path.insert(0, HERE)
        import samplemail
        return samplemail.fill(self, seed=seed, now=now)

    def doveadm(self, *args, check=True):
        """Run doveadm against this Dovecot; returns CompletedProcess (text)."""
        r = subprocess.run([_find_program("doveadm"), "-c", self.conf_path] + list(args),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, errors="replace")
        if check and r.returncode != 0:
            raise HarnessError("doveadm %s failed (%d):\n%s%s\n--- tail of log ---\n%s"
                               % (" ".join(args), r.returncode, r.stdout, r.stderr,
                                  _tail(self.log_path, 15)))
        return r

    def dovecot_log(self):
        """The whole Dovecot log (including mail_log lines) as text."""
        return _read_file(self.log_path) or ""

    def log_errors(self, since=0):
        """Error/Fatal/Panic lines of the Dovecot log (known harmless ones
        left out: an unprivileged Dovecot cannot register itself in
        /var/lib/dovecot/instances)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        return [ln for ln in text.splitlines()
                if re.search(r": (Error|Fatal|Panic): ", ln)
                and "/var/lib/dovecot/instances" not in ln]

    def log_mark(self):
        """Current end of the Dovecot log; pass as since= to see only newer lines."""
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def mail_log_events(self, since=0, user=None, event=None):
        """Parsed mail_log lines (see parse_mail_log), optionally filtered."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        return [e for e in parse_mail_log(text)
                if (user is None or e["user"] == user) and (event is None or e["event"] == event)]

    def wait_mail_log(self, event, user=None, since=0, count=1, timeout=5.0, **match):
        """Wait until count matching mail_log events are logged; return them.

        Dovecot writes its log asynchronously, so a line can appear a moment
        after the IMAP command completed.  match: extra field=value filters
        (box="INBOX", uid=3, ...)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.mail_log_events(since, user, event)
                     if all(e.get(k) == v for k, v in match.items())]
            if len(found) >= count or time.monotonic() > deadline:
                if len(found) < count:
                    raise HarnessError("expected %d mail_log %s event(s) for %s %s, got %d\n"
                                       "--- tail of log ---\n%s"
                                       % (count, event, user, match, len(found),
                                          _tail(self.log_path, 15)))
                return found
            time.sleep(0.02)

    def sink_messages(self):
        """Messages the SMTP sink stored, oldest first.

        Each is a dict: id ('000001'), data (bytes exactly as received),
        mail_from, rcpt_tos, auth_login (None if no AUTH), and the rest of
        the envelope JSON (mail_options, rcpt_options, peer, received, size)."""
        out = []
        try:
            names = sorted(n for n in os.listdir(self.sink_dir)
                           if re.fullmatch(r"\d{6}\.eml", n))
        except OSError:
            return out
        for name in names:
            base = name[:-4]
            with open(os.path.join(self.sink_dir, name), "rb") as f:
                data = f.read()
            with open(os.path.join(self.sink_dir, base + ".json"), encoding="utf-8") as f:
                meta = json.load(f)
            meta.update({"id": base, "data": data})
            out.append(meta)
        return out

    def clear_sink(self):
        """Forget stored sink messages (numbering continues)."""
        for name in os.listdir(self.sink_dir):
            if re.fullmatch(r"\d{6}\.(eml|json)", name):
                os.unlink(os.path.join(self.sink_dir, name))


def require_tern():
    """Absolute path of the tern binary from $TERN; unittest.SkipTest if unset.

    For tests that run tern: call it in setUp/setUpClass."""
    import unittest
    path = os.environ.get("TERN", "")
    if not path:
        raise unittest.SkipTest("TERN is not set (export TERN=/abs/path/to/tern, "
                                "or run.py --tern PATH)")
    if not os.path.isabs(path):
        raise unittest.SkipTest("TERN must be an absolute path, got %r" % path)
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest("TERN=%s is not an executable file (build it first)" % path)
    return path


def _ensure_mail_user():
    """Create the system user owning the mail when running as root (once)."""
    try:
        return pwd.getpwnam(MAIL_SYSTEM_USER)
    except KeyError:
        pass
    useradd = _find_program("useradd")
    r = subprocess.run([useradd, "--system", "--user-group", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                        "--comment", "tern test mail", MAIL_SYSTEM_USER],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        return pwd.getpwnam(MAIL_SYSTEM_USER)
    except KeyError:
        raise HarnessError("useradd %s failed (%d): %s"
                           % (MAIL_SYSTEM_USER, r.returncode, r.stdout.strip()))


OPENSSL_CNF = """\
# Generated by tern tests/harness/servers.py.
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

CONFIG_TEMPLATE = """\
# Private Dovecot for tern's tests, generated by tests/harness/servers.py
# ({mode}).  Do not edit: "servers.py up" rewrites it.
base_dir = {base_dir}
instance_name = tern-harness
protocols = imap pop3
listen = {host}
shutdown_clients = yes

log_path = {log}
log_timestamp = "%Y-%m-%d %H:%M:%S "
mail_debug = no
auth_verbose = yes

default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1

auth_mechanisms = plain login
auth_failure_delay = 0
disable_plaintext_auth = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}

ssl = yes
ssl_cert = <{ssl}/cert.pem
ssl_key = <{ssl}/key.pem
ssl_min_protocol = TLSv1.2

mail_location = mdbox:~/mdbox
mail_fsync = never
mail_plugins = $mail_plugins acl notify mail_log
mail_attribute_dict = file:%h/dovecot-attributes
mail_shared_explicit_inbox = yes

namespace inbox {{
  type = private
  separator = /
  prefix =
  inbox = yes
  subscriptions = yes
{mailboxes}}}
namespace shared {{
  type = shared
  separator = /
  prefix = Shared/%%u/
  location = mdbox:%%h/mdbox:INDEXPVT=~/shared/%%u
  subscriptions = no
  list = children
}}

plugin {{
  acl = vfile
  acl_shared_dict = file:{shared_dict}
  mail_log_events = delete undelete expunge copy flag_change save mailbox_delete mailbox_rename
  mail_log_fields = uid box msgid size flags
}}

protocol imap {{
  mail_plugins = $mail_plugins imap_acl
  mail_max_userip_connections = 50
  imap_metadata = yes
}}
protocol pop3 {{
  mail_max_userip_connections = 50
  pop3_uidl_format = %08Xu%08Xv
}}

service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {imap}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = {host}
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = {host}
    port = {pop3s}
    ssl = yes
  }}
}}
service submission-login {{
  chroot =
}}
service auth-worker {{
  user = $default_internal_user
}}
{chroot_off}"""


# --------------------------------------------------------------------------
# command line

def _print_env(s, out=sys.stdout):
    for k, v in s.env().items():
        print("%s=%s" % (k, shlex.quote(v)), file=out)


def _cmd_up(args):
    s = Servers(dir=args.dir, keep=True, detach=True, timeout=args.timeout)
    s._prepare_dir()
    with s._locked():
        if s.is_up():
            print("tern harness: already running in %s" % s.dir, file=sys.stderr)
        else:
            s._start_locked()
            print("tern harness: started in %s" % s.dir, file=sys.stderr)
        if args.fill:
            marker = s._p(FILLED)
            if os.path.exists(marker):
                print("tern harness: sample mail already loaded", file=sys.stderr)
            else:
                now = datetime.datetime.now(datetime.timezone.utc).replace(second=0,
                                                                           microsecond=0)
                t0 = time.monotonic()
                counts = s.fill_sample(seed=args.seed, now=now)
                total = sum(counts.values())
                _write_file(marker, json.dumps({
                    "seed": args.seed, "now": now.isoformat(), "messages": total,
                    "folders": {"%s:%s" % k: n for k, n in sorted(counts.items())}},
                    indent=1) + "\n")
                print("tern harness: loaded %d sample messages in %.1fs"
                      % (total, time.monotonic() - t0), file=sys.stderr)
    _print_env(s)
    return 0


def _cmd_down(args):
    if not os.path.exists(os.path.join(args.dir, MARKER)):
        print("tern harness: %s is not a harness directory; nothing to do" % args.dir,
              file=sys.stderr)
        return 0
    s = Servers(dir=args.dir, keep=True, detach=True)
    s._load_ports()
    with s._locked():
        was = bool(s.dovecot_pid() or s.sink_pid())
        s.stop(raise_problems=False)
    for p in s.problems:
        print("tern harness: warning: %s" % p, file=sys.stderr)
    print("tern harness: %s %s" % ("stopped" if was else "nothing running in", s.dir),
          file=sys.stderr)
    if args.purge:
        shutil.rmtree(s.dir)
        print("tern harness: removed %s" % s.dir, file=sys.stderr)
    return 1 if s.problems else 0


def _cmd_status(args):
    if not os.path.exists(os.path.join(args.dir, MARKER)):
        print("not a harness directory: %s" % args.dir)
        return 3
    s = Servers(dir=args.dir, keep=True, detach=True)
    s._load_ports()
    dpid, spid = s.dovecot_pid(), s.sink_pid()
    print("dovecot: %s" % ("running (master pid %d)" % dpid if dpid else "not running"))
    print("smtp sink: %s" % ("running (pid %d)" % spid if spid else "not running"))
    filled = _read_file(s._p(FILLED))
    print("sample mail: %s" % ("loaded (%s messages)" % json.loads(filled)["messages"]
                               if filled else "not loaded"))
    up = s.is_up()
    if not up and dpid and spid:
        print("(configuration changed or not listening: run up again to restart)")
    if s.imap_port:
        _print_env(s)
    return 0 if up else 3


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start (idempotent) and print KEY=VALUE lines")
    up.add_argument("--dir", required=True)
    up.add_argument("--fill", action="store_true", help="load the sample mail (once)")
    up.add_argument("--seed", type=int, default=1)
    up.add_argument("--timeout", type=float, default=20.0)
    down = sub.add_parser("down", help="stop everything")
    down.add_argument("--dir", required=True)
    down.add_argument("--purge", action="store_true", help="also delete the directory")
    st = sub.add_parser("status", help="show state; exit 3 if not running")
    st.add_argument("--dir", required=True)
    args = ap.parse_args(argv)
    try:
        return {"up": _cmd_up, "down": _cmd_down, "status": _cmd_status}[args.cmd](args)
    except HarnessError as e:
        print("tern harness: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
