"""tern --send against the real Dovecot and the SMTP sink: what the sink
receives (envelope with Bcc, no Bcc header, RFC 2047 subjects and names,
attachments), the copy in Sent with \\Seen (also in a configured sent=
folder that tern creates), \\Answered on the original of a reply and on
nothing else, and the failures (a refused recipient, a wrong SMTP
password, no SMTP server, a bad draft) that send nothing and save
nothing."""

import email
import email.policy
import itertools
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from servers import imap_append  # noqa: E402
from ternlib import ServersTestCase  # noqa: E402


def original(i, flags_note=""):
    return ("From: Bob Example <bob@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: question %d\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
            "Message-ID: <orig%d@example.org>\r\n\r\nbody %d %s\r\n"
            % (i, i, i, flags_note)).encode()


class TestSend(ServersTestCase):
    serial = itertools.count(1)

    def setUp(self):
        super().setUp()
        self.n = next(self.serial)     # unique folder names and subjects
        self.s.clear_sink()

    # ---- helpers
    def rc(self, smtp_port=None, smtp_user="alice", extra=""):
        return self.mailrc(
            "set timeout=5s\naccount a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n"
            "    set smtp=smtp://%s@127.0.0.1:%d\n    set tls=no\n"
            '    set from="Alice Example <alice@example.org>"\n'
            '    set password-command="echo alice-pw"\n%s}\n'
            % (self.s.imap_port, smtp_user, smtp_port or self.s.smtp_port, extra))

    def send(self, text, *args, status=0, rc=None):
        path = os.path.join(self.tmp, "draft.txt")
        with open(path, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        r = self.tern("-F", rc or self.rc(), "--send", *args, path, timeout=60)
        self.assertStatus(r, status)
        return r

    def folder(self, name):
        """[(message-id, flags, raw bytes)] of a folder."""
        with self.device() as c:
            typ, _ = c.select('"%s"' % name, readonly=True)
            if typ != "OK":
                return []
            typ, data = c.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            out = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                flags = re.search(r"FLAGS \(([^)]*)\)", item[0].decode())
                mid = re.search(rb"(?im)^Message-ID:\s*(<[^>]+>)", item[1])
                out.append((mid.group(1).decode() if mid else None,
                            set(flags.group(1).split()) - {"\\Recent"}, item[1]))
            return out

    def sent_with(self, msgid, folder="Sent"):
        return [m for m in self.folder(folder) if m[0] == msgid]

    def parsed(self, m):
        return email.message_from_bytes(m["data"], policy=email.policy.default)

    def text(self, part):
        """A text part's content with LF line ends, as tern's draft had."""
        return part.get_content().replace("\r\n", "\n")

    # ---- tests
    def test_plain_message(self):
        r = self.send("To: Bob <bob@example.org>\nCc: carol@example.org\n"
                      "Bcc: secret@example.org\nSubject: plain %d\n\nHello Bob.\n" % self.n)
        self.assertIn("sent to 3 recipients; saved to Sent", r.err)
        msgs = self.s.sink_messages()
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["mail_from"], "alice@example.org")
        self.assertEqual(sorted(m["rcpt_tos"]),
                         ["bob@example.org", "carol@example.org", "secret@example.org"])
        self.assertNotIn(b"secret@example.org", m["data"])
        self.assertNotRegex(m["data"], rb"(?im)^bcc:")
        self.assertNotRegex(m["data"], rb"(?<!\r)\n")
        self.assertTrue(all(len(line) <= 998 for line in m["data"].split(b"\r\n")))
        msg = self.parsed(m)
        self.assertEqual(msg["Subject"], "plain %d" % self.n)
        self.assertEqual(self.text(msg), "Hello Bob.\n")
        saved = self.sent_with(msg["Message-ID"])
        self.assertEqual(len(saved), 1)
        self.assertIn("\\Seen", saved[0][1])

    def test_reply_marks_only_the_original_answered(self):
        folder = "Replies%d" % self.n
        with self.device() as c:
            c.create(folder)
            for i in range(3):
                imap_append(c, folder, original(i), ("\\Seen",) if i == 2 else ())
        before = {mid: flags for mid, flags, _ in self.folder(folder)}
        self.send("To: bob@example.org\nSubject: Re: question 1\n"
                  "In-Reply-To: <orig1@example.org>\n"
                  "References: <orig1@example.org>\n\nAnswer.\n", "-f", folder)
        after = {mid: flags for mid, flags, _ in self.folder(folder)}
        self.assertEqual(after["<orig1@example.org>"],
                         before["<orig1@example.org>"] | {"\\Answered"})
        for mid in ("<orig0@example.org>", "<orig2@example.org>"):
            self.assertEqual(after[mid], before[mid])
        msg = self.parsed(self.s.sink_messages()[0])
        self.assertEqual(msg["In-Reply-To"], "<orig1@example.org>")
        self.assertEqual(msg["References"], "<orig1@example.org>")

    def test_non_ascii_subject_and_names(self):
        subject = "Grüße aus Köln — 日本語の件名 %d " % self.n + "lang " * 20
        subject = subject.strip()
        self.send("To: Jürgen Müller <juergen@example.org>, \"Doe, Jane\" <jane@example.org>\n"
                  "Subject: %s\n\nÄrger? Nein. " % subject + "x" * 1200 + "\n")
        m = self.s.sink_messages()[0]
        self.assertRegex(m["data"], rb"(?m)^Subject: =\?utf-8\?[BQ]\?")
        for line in m["data"].split(b"\r\n"):
            self.assertLessEqual(len(line), 78)
            line.decode("ascii")
        msg = self.parsed(m)
        self.assertEqual(msg["Subject"], subject)
        to = msg["To"].addresses
        self.assertEqual(to[0].display_name, "Jürgen Müller")
        self.assertEqual(to[0].addr_spec, "juergen@example.org")
        self.assertEqual(to[1].display_name, "Doe, Jane")
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(self.text(msg), "Ärger? Nein. " + "x" * 1200 + "\n")

    def test_attachment(self):
        blob = os.urandom(5000) + b"\x00\r\n.\r\n"
        path = os.path.join(self.tmp, "données.bin")
        with open(path, "wb") as f:
            f.write(blob)
        pdf = os.path.join(self.tmp, "report.pdf")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4 fake")
        self.send("To: bob@example.org\nSubject: files\nAttach: %s\nAttach: %s\n\n"
                  "Two files.\n" % (path, pdf))
        msg = self.parsed(self.s.sink_messages()[0])
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        parts = list(msg.iter_attachments())
        self.assertEqual([p.get_filename() for p in parts], ["données.bin", "report.pdf"])
        self.assertEqual(parts[0].get_content_type(), "application/octet-stream")
        self.assertEqual(parts[1].get_content_type(), "application/pdf")
        self.assertEqual(parts[0].get_content(), blob)
        self.assertEqual(parts[1].get_content(), b"%PDF-1.4 fake")
        # The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1).
        self.assertEqual(self.text(msg.get_body(("plain",))), "Two files.")

    def test_sent_setting_creates_the_folder(self):
        name = "Outgoing%d" % self.n
        self.send("To: bob@example.org\nSubject: to %s\n\nx\n" % name,
                  rc=self.rc(extra="    set sent=%s\n" % name))
        msg = self.parsed(self.s.sink_messages()[0])
        self.assertEqual(len(self.sent_with(msg["Message-ID"], name)), 1)

    def assertNothingSent(self, subject):
        self.assertEqual(self.s.sink_messages(), [])
        self.assertEqual([m for m in self.folder("Sent")
                          if subject.encode() in m[2]], [])

    def test_refused_recipient(self):
        subject = "refused %d" % self.n
        r = self.send("To: bob@example.org, refused@example.org\nSubject: %s\n\nx\n" % subject,
                      status=1)
        self.assertIn("refused the recipient <refused@example.org>: 550", r.err)
        self.assertIn("nothing was sent", r.err)
        self.assertNothingSent(subject)

    def test_wrong_smtp_password(self):
        subject = "wrong password %d" % self.n
        r = self.send("To: bob@example.org\nSubject: %s\n\nx\n" % subject, status=3,
                      rc=self.rc(smtp_user="bob"))
        self.assertIn("login to SMTP server 127.0.0.1 port %d refused" % self.s.smtp_port, r.err)
        self.assertNothingSent(subject)

    def test_smtp_server_down(self):
        import socket
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        subject = "server down %d" % self.n
        r = self.send("To: bob@example.org\nSubject: %s\n\nx\n" % subject, status=3,
                      rc=self.rc(smtp_port=port))
        self.assertIn("cannot connect to 127.0.0.1 port %d" % port, r.err)
        self.assertNothingSent(subject)

    def test_bad_drafts(self):
        cases = [
            ("To: bob@example.org\nFoo: bar\n\nx\n", "line 2: unknown header 'Foo'"),
            ("Subject: nobody\n\nx\n", "no recipients"),
            ("To: bob\n\nx\n", "'bob' is not a mail address"),
            ("To: bob@example.org\nAttach: /nonexistent/file\n\nx\n", "/nonexistent/file"),
        ]
        for text, want in cases:
            with self.subTest(want=want):
                r = self.send(text, status=2)
                self.assertIn(want, r.err)
        self.assertEqual(self.s.sink_messages(), [])

    def test_stdin(self):
        path = os.path.join(self.tmp, "stdin.txt")
        with open(path, "w") as f:
            f.write("To: bob@example.org\nSubject: from stdin\n\nx\n")
        with open(path, "rb") as f:
            r = self.tern("-F", self.rc(), "--send", stdin=f)
        self.assertStatus(r, 0)
        self.assertEqual(self.s.sink_messages()[0]["rcpt_tos"], ["bob@example.org"])
