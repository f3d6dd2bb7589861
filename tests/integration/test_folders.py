"""tern --folders and the IMAP part of tern --check against the real
Dovecot: counts that match the server's own STATUS, special folders from
SPECIAL-USE or the mailrc, names in modified UTF-7 shown decoded, every
kind of connection (plain, STARTTLS, implicit TLS), and nothing changed
on the server by looking."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from servers import imap_quote  # noqa: E402
from ternlib import ServersTestCase  # noqa: E402

SAFE = re.compile(r"^[^\x00-\x08\x0b-\x1f\x7f]*$")


class TestFolders(ServersTestCase):
    @classmethod
    def fill(cls):
        cls.s.fill_sample()
        conn = cls.s.imap("alice")
        try:
            for name in ("Entw&APw-rfe", "Bin", "Projects", "Projects/2026",
                         imap_quote('Quote"d \\ Name')):
                typ, data = conn.create(name)
                assert typ == "OK", (name, data)
        finally:
            conn.logout()


    def account(self, *lines, security="plain", user="alice"):
        s = self.s
        if security == "plain":
            url = ["set imap=imap://%s@127.0.0.1:%d" % (user, s.imap_port), "set tls=no"]
        elif security == "starttls":
            url = ["set imap=imap://%s@127.0.0.1:%d" % (user, s.imap_port),
                   "set tls-ca=%s" % s.ca_file]
        else:
            url = ["set imap=imaps://%s@127.0.0.1:%d" % (user, s.imaps_port),
                   "set tls-ca=%s" % s.ca_file]
        body = url + ['set password-command="echo %s"' % s.users[user]] + list(lines)
        return "account a {\n%s}\n" % "".join("    %s\n" % l for l in body)

    def folders(self, *extra, security="plain", json_out=True, status=0):
        path = self.mailrc(self.account(*extra, security=security))
        args = ["-F", path, "--folders"] + (["--json"] if json_out else [])
        r = self.tern(*args, timeout=60)
        self.assertStatus(r, status)
        return r

    def server_status(self):
        """{name (wire form): (total, unread)} from Dovecot itself."""
        conn = self.s.imap("alice")
        out = {}
        try:
            typ, lines = conn.list('""', "*")
            for line in lines:
                m = re.match(rb'\((.*?)\) "(.)" (.*)$', line)
                name = m.group(3).decode()
                if name.startswith('"'):
                    name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                if "\\Noselect" in m.group(1).decode() or "\\NonExistent" in m.group(1).decode():
                    continue
                typ, data = conn.status(imap_quote(name), "(MESSAGES UNSEEN)")
                text = data[0].decode()
                out[name] = (int(re.search(r"MESSAGES (\d+)", text).group(1)),
                             int(re.search(r"UNSEEN (\d+)", text).group(1)))
        finally:
            conn.logout()
        return out

    def parse_json(self, r):
        rows = [json.loads(line) for line in r.out.splitlines()]
        for row in rows:
            self.assertEqual(sorted(row), ["name", "special", "total", "unread"], row)
        return rows

    def test_json_counts_match_the_server(self):
        rows = self.parse_json(self.folders())
        want = self.server_status()
        got = {row["name"]: (row["total"], row["unread"]) for row in rows}
        want_display = {n.replace("Entw&APw-rfe", "Entw\u00fcrfe"): v for n, v in want.items()}
        self.assertEqual(got, want_display)
        self.assertEqual(rows[0]["name"], "INBOX")
        self.assertGreater(got["INBOX"][0], 100)
        self.assertGreater(got["INBOX"][1], 0)

    def test_special_folders_from_special_use(self):
        rows = self.parse_json(self.folders())
        special = {row["name"]: row["special"] for row in rows}
        self.assertEqual(special["Trash"], "trash")
        self.assertEqual(special["Sent"], "sent")
        self.assertEqual(special["Drafts"], "drafts")
        self.assertEqual(special["Junk"], "junk")
        self.assertEqual(special["Archive"], "archive")
        self.assertIsNone(special["INBOX"])
        self.assertIsNone(special["Bin"])

    def test_mailrc_names_the_trash(self):
        rows = self.parse_json(self.folders("set trash=Bin"))
        special = {row["name"]: row["special"] for row in rows}
        self.assertEqual(special["Bin"], "trash")
        self.assertIsNone(special["Trash"])

    def test_text_output(self):
        r = self.folders(json_out=False)
        lines = r.out.splitlines()
        self.assertEqual(lines[0].split(), ["unread", "total", "folder"])
        self.assertRegex(lines[1], r"^\s+\d+\s+\d+  INBOX$")
        self.assertTrue(any(re.match(r"^\s+\d+\s+\d+  Trash  \[trash\]$", l) for l in lines),
                        r.out)
        self.assertIn("  Entw\u00fcrfe", r.out)
        self.assertIn('  Quote"d \\ Name', r.out)
        for line in lines:
            self.assertRegex(line, SAFE)

    def test_hierarchy_and_odd_names(self):
        names = [row["name"] for row in self.parse_json(self.folders())]
        self.assertIn("Projects", names)
        self.assertIn("Projects/2026", names)
        self.assertIn('Quote"d \\ Name', names)
        self.assertEqual(names[1:], sorted(names[1:]))

    def test_starttls_and_implicit_tls_agree_with_plain(self):
        plain = self.parse_json(self.folders())
        for security in ("starttls", "tls"):
            with self.subTest(security=security):
                self.assertEqual(self.parse_json(self.folders(security=security)), plain)

    def test_self_signed_refused_by_default(self):
        path = self.mailrc("account a {\n    set imap=imaps://alice@127.0.0.1:%d\n"
                           '    set password-command="echo alice-pw"\n}\n' % self.s.imaps_port)
        r = self.tern("-F", path, "--folders", timeout=60)
        self.assertStatus(r, 3)
        self.assertIn("could not be verified", r.err)
        self.assertEqual(r.out, "")

    def test_wrong_password(self):
        path = self.mailrc("account a {\n    set imap=imap://alice@127.0.0.1:%d\n"
                           "    set tls=no\n"
                           '    set password-command="echo nope"\n}\n' % self.s.imap_port)
        r = self.tern("-F", path, "--folders", timeout=60)
        self.assertStatus(r, 3)
        self.assertIn("refused the login for user 'alice'", r.err)

    def test_unread_follows_the_server(self):
        conn = self.s.imap("alice")
        try:
            conn.create("Fresh")
        finally:
            conn.logout()
        for i in range(3):
            self.s.append("alice", "Fresh", b"Subject: %d\r\n\r\nbody\r\n" % i)
        rows = {r["name"]: r for r in self.parse_json(self.folders())}
        self.assertEqual((rows["Fresh"]["total"], rows["Fresh"]["unread"]), (3, 3))
        conn = self.s.imap("alice")
        try:
            conn.select("Fresh")
            conn.store("1", "+FLAGS", "\\Seen")
        finally:
            conn.logout()
        rows = {r["name"]: r for r in self.parse_json(self.folders())}
        self.assertEqual((rows["Fresh"]["total"], rows["Fresh"]["unread"]), (3, 2))

    def test_looking_changes_nothing_on_the_server(self):
        before = self.server_status()
        since = os.path.getsize(self.s.log_path)
        self.folders()
        self.folders(json_out=False)
        self.assertEqual(self.server_status(), before)
        events = [e for e in self.s.mail_log_events(since, user="alice")
                  if e["event"] in ("expunge", "flag_change", "delete")]
        self.assertEqual(events, [])

    def test_other_account_with_A(self):
        text = self.account() + (
            "account b {\n    set imap=imap://bob@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo bob-pw"\n}\n' % self.s.imap_port)
        path = self.mailrc(text)
        r = self.tern("-F", path, "-A", "b", "--folders", "--json", timeout=60)
        self.assertStatus(r, 0)
        names = [row["name"] for row in self.parse_json(r)]
        self.assertNotIn("Entw\u00fcrfe", names)
        r = self.tern("-F", path, "-A", "nobody", "--folders", timeout=60)
        self.assertStatus(r, 2)
        self.assertIn("no account named 'nobody'", r.err)

    def test_no_imap_server(self):
        path = self.mailrc("account a {\n    set smtp=smtp://alice@127.0.0.1:%d\n}\n"
                           % self.s.smtp_port)
        r = self.tern("-F", path, "--folders", timeout=60)
        self.assertStatus(r, 2)
        self.assertIn("has no IMAP server", r.err)

    def test_check_reports_capabilities_and_special_folders(self):
        path = self.mailrc(self.account(security="starttls"))
        r = self.tern("-F", path, "--check", timeout=60)
        self.assertStatus(r, 0)
        caps = re.search(r"imap  capabilities: (.*)", r.out).group(1)
        for cap in ("CONDSTORE", "QRESYNC", "UIDPLUS", "MOVE", "IDLE", "SPECIAL-USE",
                    "LITERAL+", "ACL"):
            self.assertIn(cap, caps.split(";")[0].split())
        self.assertIn("special folders: trash=Trash, sent=Sent, drafts=Drafts, "
                      "junk=Junk, archive=Archive", r.out)

    def test_check_names_a_configured_folder_missing_on_the_server(self):
        path = self.mailrc(self.account("set sent=Outbox"))
        r = self.tern("-F", path, "--check", timeout=60)
        self.assertStatus(r, 0)
        self.assertIn("sent=Outbox is not on the server yet", r.out)
