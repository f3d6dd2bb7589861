#!/usr/bin/python3
"""Tests of the test harness itself (tests/harness) against the real servers.

They prove that what tern's integration tests rely on works: IMAP/POP3 with
STARTTLS and implicit TLS trusted through the harness CA, the capabilities
tern needs, the shared team mailbox and its ACLs, the SMTP sink storing
messages byte for byte, Dovecot's mail_log catching expunges and flag
changes, the sample mail, and a clean teardown (ports free, no processes
left, also when the harness process is killed).

Run with tests/integration/run.py (or python3 -m unittest from this dir).
"""

import email
import email.policy
import imaplib
import os
import re
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(os.path.dirname(HERE), "harness")
if HARNESS not in sys.path:
    sys.path.insert(0, HARNESS)

import samplemail  # noqa: E402
import servers  # noqa: E402
from servers import Servers, HarnessError, imap_quote, port_is_free  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
SERVERS_PY = os.path.join(HARNESS, "servers.py")


def unique(tag):
    return "%s-%d-%d" % (tag, os.getpid(), time.monotonic_ns())


def simple_message(msgid, subject="test", body="Hello.\r\n"):
    return ("From: Tester <tester@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: %s\r\nMessage-ID: <%s@example.org>\r\n"
            "Date: Tue, 04 Jun 2024 10:15:00 +0200\r\n\r\n%s" % (subject, msgid, body)
            ).encode()


class ServersTest(unittest.TestCase):
    """One running harness shared by all tests of the class."""

    @classmethod
    def setUpClass(cls):
        cls.s = Servers()
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    # ---- IMAP
    def test_imap_plain_and_starttls_login(self):
        conn = self.s.imap("alice", "plain")
        self.assertIn("STARTTLS", conn.capabilities)
        self.assertEqual(conn.noop()[0], "OK")
        conn.logout()
        conn = self.s.imap("alice", "starttls")
        self.assertIsInstance(conn.sock, ssl.SSLSocket)
        self.assertEqual(conn.select("INBOX")[0], "OK")
        conn.logout()

    def test_imaps_login_with_ca_file(self):
        conn = self.s.imap("alice", "ssl")
        cert = conn.sock.getpeercert()
        self.assertIn((("commonName", "127.0.0.1"),), cert["subject"])
        conn.logout()
        # Without the CA file the certificate is not trusted.
        with self.assertRaises(ssl.SSLCertVerificationError):
            imaplib.IMAP4_SSL("127.0.0.1", self.s.imaps_port,
                              ssl_context=ssl.create_default_context(), timeout=5)

    def test_wrong_password_is_rejected(self):
        with self.assertRaises(imaplib.IMAP4.error):
            self.s.imap("alice", password="wrong")

    def test_capabilities(self):
        conn = self.s.imap("alice")
        try:
            typ, data = conn.capability()
            caps = set(data[0].decode().upper().split())
        finally:
            conn.logout()
        for cap in ("IMAP4REV1", "CONDSTORE", "QRESYNC", "IDLE", "SPECIAL-USE", "ACL",
                    "MOVE", "UIDPLUS", "METADATA", "NAMESPACE", "ENABLE", "LITERAL+"):
            self.assertIn(cap, caps)

    def test_special_use_folders(self):
        conn = self.s.imap("bob")
        try:
            typ, data = conn.list()
        finally:
            conn.logout()
        attrs = {}
        for line in data:
            m = re.match(r'\((.*?)\) "/" "?([^"]*)"?$', line.decode())
            attrs[m.group(2)] = m.group(1).split()
        for name, use in servers.SPECIAL_USE:
            self.assertIn(use, attrs.get(name, []), name)

    def test_condstore_qresync_enable(self):
        conn = self.s.imap("alice")
        try:
            self.assertEqual(conn.enable("QRESYNC")[0], "OK")
            conn.select("INBOX")
            typ, data = conn.response("HIGHESTMODSEQ")
            self.assertTrue(data and data[0], "no HIGHESTMODSEQ after ENABLE QRESYNC")
        finally:
            conn.logout()

    def test_metadata_round_trip(self):
        conn = self.s.imap("alice")
        try:
            value = unique("note")
            typ, data = conn.xatom("SETMETADATA", 'INBOX (/private/comment "%s")' % value)
            self.assertEqual(typ, "OK", data)
            typ, data = conn.xatom("GETMETADATA", "INBOX /private/comment")
            self.assertEqual(typ, "OK", data)
            typ, data = conn.response("METADATA")
            self.assertIn(value.encode(), b"".join(d if isinstance(d, bytes) else b"".join(d)
                                                 for d in data if d))
        finally:
            conn.logout()

    def test_append_sets_flags_and_internaldate(self):
        msgid = unique("append")
        date = time.mktime((2023, 3, 1, 12, 0, 0, 0, 0, -1))
        before = self.s.imap_count("alice", "Archive")
        uid = self.s.append("alice", "Archive", simple_message(msgid),
                            flags=(r"\Seen", r"\Flagged"), internaldate=date)
        self.assertIsInstance(uid, int)
        self.assertEqual(self.s.imap_count("alice", "Archive"), before + 1)
        conn = self.s.imap("alice")
        try:
            conn.select("Archive", readonly=True)
            typ, data = conn.uid("FETCH", str(uid), "(FLAGS INTERNALDATE)")
            self.assertIn(b"\\Flagged", data[0])
            self.assertIn(b"\\Seen", data[0])
            got = imaplib.Internaldate2tuple(data[0])
            self.assertEqual(time.mktime(got), date)
        finally:
            conn.logout()

    # ---- POP3
    def test_pop3_login_shows_inbox_count(self):
        for i in range(3):
            self.s.append("bob", "INBOX", simple_message(unique("pop")))
        count = self.s.imap_count("bob", "INBOX")
        self.assertGreaterEqual(count, 3)
        self.assertEqual(self.s.pop3_stat("bob")[0], count)
        for security in ("starttls", "ssl"):
            conn = self.s.pop3("bob", security)
            try:
                self.assertEqual(conn.stat()[0], count)
                uidl = conn.uidl()[1]
                self.assertEqual(len(uidl), count)
                # pop3_uidl_format = %08Xu%08Xv: 16 hex digits
                self.assertRegex(uidl[0].decode().split()[1], r"^[0-9a-fA-F]{16}$")
            finally:
                conn.quit()

    # ---- SMTP sink
    def _find_sink(self, token):
        found = [m for m in self.s.sink_messages() if token.encode() in m["data"]]
        self.assertEqual(len(found), 1, "message %s not stored exactly once" % token)
        return found[0]

    def test_sink_stores_message_exactly_without_auth(self):
        token = unique("sink")
        # lines starting with dots test SMTP dot-stuffing both ways
        raw = simple_message(token, body=".leading dot\r\n..two dots\r\n\r\n.\r\nend\r\n")
        with smtplib.SMTP("127.0.0.1", self.s.smtp_port, timeout=10) as smtp:
            smtp.sendmail("tester@example.org", ["alice@example.org", "bob@example.org"], raw)
        m = self._find_sink(token)
        self.assertEqual(m["data"], raw)
        self.assertEqual(m["mail_from"], "tester@example.org")
        self.assertEqual(m["rcpt_tos"], ["alice@example.org", "bob@example.org"])
        self.assertIsNone(m["auth_login"])

    def test_sink_stores_message_with_auth(self):
        for mech in ("PLAIN", "LOGIN"):
            token = unique("auth" + mech)
            raw = simple_message(token, body="8bit body: \u00e4\u00f6\u00fc\r\n")
            with smtplib.SMTP("127.0.0.1", self.s.smtp_port, timeout=10) as smtp:
                smtp.ehlo()
                self.assertIn("auth", smtp.esmtp_features)
                smtp.user, smtp.password = "alice", "alice-pw"
                smtp.auth(mech, getattr(smtp, "auth_" + mech.lower()))
                smtp.sendmail("alice@example.org", ["someone@example.net"], raw)
            m = self._find_sink(token)
            self.assertEqual(m["data"], raw)
            self.assertEqual(m["auth_login"], "alice")
            self.assertEqual(m["rcpt_tos"], ["someone@example.net"])

    def test_sink_rejects_wrong_password(self):
        with smtplib.SMTP("127.0.0.1", self.s.smtp_port, timeout=10) as smtp:
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                smtp.login("alice", "not-the-password")

    # ---- mail_log
    def test_mail_log_records_expunge_and_delete(self):
        msgid = unique("expunge")
        uid = self.s.append("alice", "INBOX", simple_message(msgid))
        mark = self.s.log_mark()
        conn = self.s.imap("alice")
        try:
            conn.select("INBOX")
            conn.uid("STORE", str(uid), "+FLAGS", r"(\Deleted)")
            self.assertEqual(conn.expunge()[0], "OK")
        finally:
            conn.logout()
        full = "<%s@example.org>" % msgid
        ev = self.s.wait_mail_log("expunge", user="alice", since=mark, msgid=full)[0]
        self.assertEqual((ev["box"], ev["uid"], ev["service"]), ("INBOX", uid, "imap"))
        self.assertGreater(ev["size"], 0)
        self.s.wait_mail_log("delete", user="alice", since=mark, msgid=full, uid=uid)
        self.assertIn("expunge", [e["event"] for e in self.s.mail_log_events(since=mark)])

    def test_mail_log_records_flag_change(self):
        msgid = unique("flag")
        uid = self.s.append("alice", "INBOX", simple_message(msgid))
        mark = self.s.log_mark()
        conn = self.s.imap("alice")
        try:
            conn.select("INBOX")
            conn.uid("STORE", str(uid), "+FLAGS", r"(\Flagged)")
        finally:
            conn.logout()
        ev = self.s.wait_mail_log("flag_change", user="alice", since=mark,
                                  msgid="<%s@example.org>" % msgid)[0]
        self.assertEqual(ev["uid"], uid)
        self.assertIn("\\Flagged", ev["flags"])

    def test_dovecot_log_is_readable(self):
        self.assertIn("starting up for imap, pop3", self.s.dovecot_log())

    # ---- shared team mailbox
    def test_bob_reads_shared_support_inbox(self):
        msgid = unique("team")
        uid = self.s.append("support", "INBOX", simple_message(msgid, "Customer question"))
        conn = self.s.imap("bob")
        try:
            typ, data = conn.list()
            self.assertIn(b'"/" Shared/support/INBOX', b"\n".join(data))
            box = imap_quote("Shared/support/INBOX")
            self.assertEqual(conn.select(box)[0], "OK")
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            self.assertEqual(typ, "OK")
            self.assertIn(msgid.encode(), data[0][1])
            typ, data = conn.myrights(box)
            self.assertEqual(set(data[0].split()[-1].decode()), set("lrws"))
            # bob may set \Seen but may not add messages
            typ, _ = conn.uid("STORE", str(uid), "+FLAGS", r"(\Seen)")
            self.assertEqual(typ, "OK")
            typ, _ = conn.append(box, None, None, simple_message(unique("no")))
            self.assertEqual(typ, "NO")
        finally:
            conn.logout()

    def test_alice_has_full_rights_on_shared_inbox(self):
        conn = self.s.imap("alice")
        try:
            box = imap_quote("Shared/support/INBOX")
            typ, data = conn.myrights(box)
            self.assertEqual(set(data[0].split()[-1].decode()) & set("lrwstipekxa"),
                             set("lrwstipekxa"))
            self.assertEqual(conn.append(box, None, None,
                                         simple_message(unique("ok")))[0], "OK")
        finally:
            conn.logout()
        out = self.s.doveadm("acl", "get", "-u", "support", "INBOX").stdout
        self.assertIn("user=alice", out)
        self.assertIn("user=bob", out)


class SampleMailTest(unittest.TestCase):
    """The generator alone (no servers)."""

    @classmethod
    def setUpClass(cls):
        cls.msgs = samplemail.generate(seed=1)

    def test_deterministic(self):
        self.assertEqual(samplemail.generate(seed=1), self.msgs)
        self.assertNotEqual(samplemail.generate(seed=2), self.msgs)

    def test_messages_are_valid(self):
        for user, folder, raw, flags, date in self.msgs:
            self.assertIsNone(re.search(rb"(?<!\r)\n|\r(?!\n)", raw), "bare CR or LF")
            self.assertLessEqual(max(len(ln) for ln in raw.split(b"\r\n")), 998)
            m = email.message_from_bytes(raw, policy=email.policy.default)
            for part in m.walk():
                self.assertEqual(part.defects, [], (folder, m["Subject"]))
                if not part.is_multipart():
                    part.get_content()
            self.assertEqual(email.utils.parsedate_to_datetime(m["Date"]), date)
            self.assertTrue(m["Message-ID"])

    def test_coverage(self):
        blob = b"".join(m[2] for m in self.msgs)
        for cs in ("UTF-8", "ISO-8859-1", "ISO-8859-2", "KOI8-R", "ISO-2022-JP",
                   "Shift_JIS", "GB2312"):
            self.assertIn(b"=?" + cs.encode() + b"?", blob, cs)
            self.assertIn(b"charset=" + cs.encode(), blob, cs)
        for needle in (b"multipart/alternative", b"image/png", b"application/pdf",
                       b"text/calendar", b"List-Id:", b"Auto-Submitted: auto-replied",
                       b"In-Reply-To:", b"filename*=utf-8''", b"iVBORw0KGgo"):
            self.assertIn(needle, blob)
        flags = [f for m in self.msgs for f in m[3]]
        for flag in ("\\Seen", "\\Flagged", "\\Answered", "\\Draft"):
            self.assertIn(flag, flags)
        self.assertTrue(any("\\Seen" not in m[3] for m in self.msgs if m[1] == "INBOX"))
        dates = [m[4] for m in self.msgs]
        self.assertGreater((max(dates) - min(dates)).days, 600)

    def test_threads_cross_folders(self):
        where = {}
        for user, folder, raw, flags, date in self.msgs:
            m = email.message_from_bytes(raw)
            where[m["Message-ID"]] = folder
        crossing = 0
        for user, folder, raw, flags, date in self.msgs:
            m = email.message_from_bytes(raw)
            parent = m["In-Reply-To"]
            if parent and parent in where and where[parent] != folder:
                crossing += 1
            if m["References"]:
                self.assertEqual(m["References"].split()[-1], parent)
        self.assertGreater(crossing, 20)

    def test_folder_sizes(self):
        counts = samplemail.folders(self.msgs)
        self.assertTrue(150 <= counts[("alice", "INBOX")] <= 260, counts)
        self.assertEqual(counts[("support", "INBOX")], 60)
        for folder in ("Archive", "Sent", "Drafts", "Trash", "Junk", "Lists/dev",
                       "Lists/announce"):
            self.assertGreater(counts[("alice", folder)], 0, folder)


class SampleFillTest(unittest.TestCase):
    """fill_sample() against a fresh server."""

    @classmethod
    def setUpClass(cls):
        cls.s = Servers()
        cls.s.start()
        t0 = time.monotonic()
        cls.counts = cls.s.fill_sample(seed=1)
        cls.fill_seconds = time.monotonic() - t0

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def test_counts_match_generator(self):
        self.assertEqual(self.counts, samplemail.folders(samplemail.generate(seed=1)))
        for (user, folder), n in self.counts.items():
            self.assertEqual(self.s.imap_count(user, folder), n, (user, folder))
        self.assertEqual(self.s.pop3_stat("alice")[0], self.counts[("alice", "INBOX")])
        self.assertLess(self.fill_seconds, 10)

    def test_folders_listed_and_subscribed(self):
        conn = self.s.imap("alice")
        try:
            listed = b"\n".join(conn.list()[1]).decode()
            subscribed = b"\n".join(conn.lsub()[1]).decode()
        finally:
            conn.logout()
        for folder in ("INBOX", "Archive", "Sent", "Drafts", "Trash", "Junk", "Lists/dev",
                       "Lists/announce", "Shared/support/INBOX"):
            self.assertRegex(listed, r'"/" "?%s"?(\n|$)' % re.escape(folder))
        self.assertIn("Lists/dev", subscribed)

    def test_team_inbox_for_members(self):
        owner_unseen = self._unseen("support", "INBOX")
        for member in ("alice", "bob"):
            self.assertEqual(self.s.imap_count(member, "Shared/support/INBOX"), 60)
            self.assertEqual(self._unseen(member, "Shared/support/INBOX"), owner_unseen)
        self.assertTrue(0 < owner_unseen < 30, owner_unseen)

    def _unseen(self, user, folder):
        conn = self.s.imap(user)
        try:
            conn.select(imap_quote(folder), readonly=True)
            return len(conn.search(None, "UNSEEN")[1][0].split())
        finally:
            conn.logout()


class LifecycleTest(unittest.TestCase):
    """Start/stop behaviour: ports, processes, directories, CLI."""

    def test_context_manager_frees_everything(self):
        with Servers() as s:
            ports = list(s.ports.values())
            pids = [s.dovecot_pid(), s.sink_pid()] + servers._descendants(s.dovecot_pid())
            conn = s.imap("alice")          # a client still connected at teardown
            conn.select("INBOX")
            directory = s.dir
        self.assertEqual(len(set(ports)), 5)
        for port in ports:
            self.assertTrue(port_is_free(port), "port %d still in use" % port)
        for pid in pids:
            self.assertFalse(servers._pid_alive(pid), "process %d still alive" % pid)
        self.assertFalse(os.path.exists(directory))

    def test_startup_failure_reports_log_and_cleans_up(self):
        bad = servers.CONFIG_TEMPLATE + "no_such_setting_for_the_test = 1\n"
        with mock.patch.object(servers, "CONFIG_TEMPLATE", bad):
            s = Servers(keep=True)
            with self.assertRaises(HarnessError) as cm:
                s.start()
        try:
            self.assertIn("dovecot failed to start", str(cm.exception))
            self.assertIn("no_such_setting_for_the_test", str(cm.exception))
            self.assertIsNone(s.dovecot_pid())
            self.assertIsNone(s.sink_pid())
        finally:
            s.keep = False
            s.stop(raise_problems=False)

    def test_cli_up_is_idempotent_and_down_stops(self):
        with tempfile.TemporaryDirectory(prefix="tern-cli-") as parent:
            os.chmod(parent, 0o755)
            d = os.path.join(parent, "demo")

            def cli(*args):
                return subprocess.run([PYTHON, SERVERS_PY] + list(args) + ["--dir", d],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, timeout=60)
            try:
                first = cli("up")
                self.assertEqual(first.returncode, 0, first.stderr)
                env = dict(line.split("=", 1) for line in first.stdout.splitlines())
                self.assertEqual(set(servers.PORT_KEYS) - set(env), set())
                with open(os.path.join(d, "env")) as f:
                    self.assertEqual(f.read(), first.stdout)
                t0 = time.monotonic()
                second = cli("up")
                self.assertLess(time.monotonic() - t0, 5)
                self.assertEqual(second.returncode, 0, second.stderr)
                self.assertIn("already running", second.stderr)
                self.assertEqual(second.stdout, first.stdout)
                self.assertEqual(cli("status").returncode, 0)
                s = Servers.attach(d)
                self.assertEqual(s.imap_count("alice", "INBOX"), 0)
            finally:
                down = cli("down")
            self.assertEqual(down.returncode, 0, down.stderr)
            for key in servers.PORT_KEYS:
                self.assertTrue(port_is_free(int(env[key])), key)
            self.assertEqual(cli("status").returncode, 3)
            # up again after down keeps the ports
            again = cli("up")
            try:
                self.assertEqual(again.returncode, 0, again.stderr)
                self.assertEqual(again.stdout, first.stdout)
            finally:
                self.assertEqual(cli("down").returncode, 0)

    def test_killed_harness_takes_servers_down(self):
        code = ("import sys, time; sys.path.insert(0, %r)\n"
                "from servers import Servers\n"
                "s = Servers().start()\n"
                "print(s.imap_port, s.smtp_port, s.dovecot_pid(), s.sink_pid(), s.dir,"
                " flush=True)\n"
                "time.sleep(60)\n" % HARNESS)
        proc = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE, text=True)
        line = []
        try:
            line = proc.stdout.readline().split()
            self.assertEqual(len(line), 5, "child did not start the servers")
            imap_port, smtp_port, master, sink = (int(x) for x in line[:4])
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (servers._pid_alive(master)
                                                   or servers._pid_alive(sink)):
                time.sleep(0.05)
            self.assertFalse(servers._pid_alive(master), "dovecot survived its harness")
            self.assertFalse(servers._pid_alive(sink), "sink survived its harness")
            while time.monotonic() < deadline and not (port_is_free(imap_port)
                                                       and port_is_free(smtp_port)):
                time.sleep(0.05)
            self.assertTrue(port_is_free(imap_port))
            self.assertTrue(port_is_free(smtp_port))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if len(line) == 5 and os.path.isdir(line[4]):
                # a SIGKILLed harness cannot remove its directory
                import shutil
                shutil.rmtree(line[4], ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
