"""The interactive views, driven in tmux against the real Dovecot: the
pager opens a message from the index and only then is it \\Seen on the
server (its unopened neighbour stays unseen); h shows the whole header;
v lists the attachments and s saves one byte for byte; text from mail
never reaches the terminal as an escape sequence; ? shows the key
bindings; c lists the folders with their counts and opens another."""

import base64
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from servers import imap_append, imap_quote  # noqa: E402
from ternlib import TERN, TerminalTestCase  # noqa: E402
from tmuxlib import Tmux  # noqa: E402

# Bytes that are not text, so a decoding slip shows.
ATTACHMENT = bytes(range(256)) * 8 + b"\x00\r\n\x1b end"


def message(subject, body, date, extra=b""):
    return (b"From: Bob Example <bob@example.com>\r\n"
            b"To: alice@example.com\r\n"
            b"Subject: " + subject + b"\r\n"
            b"Date: " + date + b"\r\n"
            b"Message-ID: <" + subject.replace(b" ", b".") + b"@example.com>\r\n"
            + extra +
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"\r\n" + body)


def with_attachment(subject, text, filename, data, date):
    b64 = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (b"From: Bob Example <bob@example.com>\r\n"
            b"To: alice@example.com\r\n"
            b"Subject: " + subject + b"\r\n"
            b"Date: " + date + b"\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n"
            b"\r\n"
            b"--XYZ\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"\r\n" + text + b"\r\n"
            b"--XYZ\r\n"
            b"Content-Type: application/octet-stream\r\n"
            b"Content-Disposition: attachment; filename=\"" + filename + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"\r\n" + b64 +
            b"--XYZ--\r\n")


class TestUiViews(TerminalTestCase):
    @classmethod
    def fill(cls):
        conn = cls.s.imap("alice")
        try:
            for name in ("Attach", "Headers", "Hostile", "Projects", "Projects/2026",
                         "Seen"):
                typ, data = conn.create(imap_quote(name))
                assert typ == "OK", (name, data)
            imap_append(conn, "INBOX", message(
                b"Inbox hello", b"Hello.\r\n", b"Sun, 04 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Seen", message(
                b"Pager first", b"Hello from the pager test.\r\n",
                b"Mon, 05 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Seen", message(
                b"Pager second", b"The neighbour.\r\n",
                b"Tue, 06 Jan 2026 10:00:00 +0000"))
            long_line = b" ".join(b"word%02d" % i for i in range(60))
            imap_append(conn, "Headers", message(
                b"Full headers", b"Look at the header.\r\n\r\n"
                b"> a quoted line\r\n" + long_line + b"\r\n-- \r\nBob\r\n",
                b"Mon, 05 Jan 2026 10:00:00 +0000",
                extra=b"X-Test-Header: visible-only-in-full\r\n"))
            imap_append(conn, "Attach", with_attachment(
                b"With a file", b"See the file.", b"data.bin", ATTACHMENT,
                b"Wed, 07 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Hostile", with_attachment(
                b"Hostile text",
                b"before \x1b]0;PWNED-TITLE\x07 after \x1b[31mRED\x1b[0m end",
                b"evil\x1b]2;EVILNAME\x07.txt", b"x",
                b"Thu, 08 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Projects", message(
                b"Project kickoff", b"Let us start.\r\n",
                b"Fri, 09 Jan 2026 10:00:00 +0000"), flags=("\\Seen",))
            imap_append(conn, "Projects", message(
                b"Project plan", b"The plan.\r\n",
                b"Sat, 10 Jan 2026 10:00:00 +0000"))
        finally:
            conn.logout()

    # ---- helpers ----

    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(self.home, "Downloads"))

    def start(self, folder="INBOX"):
        s = self.s
        path = self.mailrc(
            "set cache-dir=%s\n"
            "account a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n"
            "    set tls=no\n"
            "    set password-command=\"echo %s\"\n"
            "}\n" % (os.path.join(self.tmp, "cache"), s.imap_port, s.users["alice"]))
        env = {"LC_ALL": "C.UTF-8", "HOME": self.home, "MAILCAPS": os.devnull}
        return Tmux([TERN, "-F", path, "-f", folder], env=env, width=100, height=30)

    def flags(self, folder):
        """{subject: flags string} from the server, by another device."""
        with self.device() as conn:
            typ, _ = conn.select(imap_quote(folder), readonly=True)
            self.assertEqual(typ, "OK")
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            self.assertEqual(typ, "OK")
        out = {}
        for item in data:
            if isinstance(item, tuple):
                m = re.search(rb"Subject: (.*?)\r\n", item[1])
                f = re.search(rb"FLAGS \(([^)]*)\)", item[0])
                out[m.group(1).decode()] = f.group(1).decode() if f else ""
        return out

    def wait_seen(self, folder, subject, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            flags = self.flags(folder)
            if "\\Seen" in flags[subject]:
                return flags
            if time.monotonic() > deadline:
                self.fail("%s never became \\Seen: %r" % (subject, flags))
            time.sleep(0.2)

    def wait_re(self, t, pattern, timeout=20):
        """The screen once pattern matches it (a draw may be caught half way)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = t.screen()
            if re.search(pattern, screen):
                return screen
            if time.monotonic() > deadline:
                self.fail("%r did not appear; the screen:\n%s" % (pattern, screen))
            time.sleep(0.1)

    def opened_subject(self, t, timeout=20):
        """The subject on the pager's status line ("Subject \u2014 34%")."""
        deadline = time.monotonic() + timeout
        while True:
            screen = t.screen()
            m = re.search(r"(Pager first|Pager second) \u2014 \d+%", screen)
            if m:
                return m.group(1)
            if time.monotonic() > deadline:
                self.fail("no pager status line on the screen:\n" + screen)
            time.sleep(0.1)

    # ---- tests ----

    def test_pager_marks_seen_only_when_opened(self):
        before = self.flags("Seen")
        self.assertNotIn("\\Seen", before["Pager first"])
        self.assertNotIn("\\Seen", before["Pager second"])
        with self.start("Seen") as t:
            t.wait_for("Pager second")
            # Loading the index must not mark anything.
            time.sleep(1)
            self.assertEqual(self.flags("Seen"), before)
            t.keys("Enter")
            subject = self.opened_subject(t)
            other = "Pager second" if subject == "Pager first" else "Pager first"
            if subject == "Pager first":
                t.wait_for("Hello from the pager test.")
            else:
                t.wait_for("The neighbour.")
            after = self.wait_seen("Seen", subject)
            self.assertNotIn("\\Seen", after[other], "the unopened neighbour became seen")
            t.keys("q")
            t.wait_for(other)
            t.keys("q")
            t.wait_for("[exit 0]")
        self.assertNotIn("\\Seen", self.flags("Seen")[other])

    def test_pager_full_headers_and_wrapping(self):
        with self.start("Headers") as t:
            t.wait_for("Full headers")
            t.keys("Enter")
            t.wait_for("Full headers \u2014 ")
            # The long line is wrapped, nothing cut off: its last word shows.
            screen = t.wait_for("word59")
            self.assertIn("Look at the header.", screen)
            self.assertNotIn("X-Test-Header", screen)
            t.keys("h")
            t.wait_for("X-Test-Header: visible-only-in-full")
            t.wait_for("Message-ID: <Full.headers@example.com>")
            t.keys("h")
            deadline = time.monotonic() + 10
            while "X-Test-Header" in t.screen() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertNotIn("X-Test-Header", t.screen())
            t.keys("q")
            t.wait_for("Full headers")
            t.keys("q")
            t.wait_for("[exit 0]")

    def test_attachment_saved_byte_for_byte(self):
        with self.start("Attach") as t:
            t.wait_for("With a file")
            t.keys("Enter")
            t.wait_for("See the file.")
            t.keys("v")
            t.wait_for("data.bin")
            t.keys("s")
            t.wait_for("~/Downloads/data.bin")
            t.keys("Enter")
            t.wait_for("Saved")
            path = os.path.join(self.home, "Downloads", "data.bin")
            with open(path, "rb") as f:
                self.assertEqual(f.read(), ATTACHMENT)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            # Saving again asks before overwriting; "n" keeps the file.
            with open(path, "wb") as f:
                f.write(b"mine")
            t.keys("s")
            t.wait_for("~/Downloads/data.bin")
            t.keys("Enter")
            t.wait_for("exists")
            t.keys("n")
            t.wait_for("Not saved")
            with open(path, "rb") as f:
                self.assertEqual(f.read(), b"mine")
            t.keys("q")
            t.wait_for("See the file.")
            t.keys("q")
            t.wait_for("With a file")
            t.keys("q")
            t.wait_for("[exit 0]")

    def test_escape_sequences_from_mail_stay_harmless(self):
        stream = os.path.join(self.tmp, "stream")
        with self.start("Hostile") as t:
            t.record(stream)
            t.wait_for("Hostile text")
            t.keys("Enter")
            t.wait_for("Hostile text \u2014 ")
            screen = t.wait_for("PWNED-TITLE")
            self.assertIn("\u241b]0;PWNED-TITLE", screen, "no placeholder for ESC:\n" + screen)
            self.assertIn("\u241b[31mRED", screen)
            t.keys("v")
            t.wait_for("EVILNAME")
            t.keys("q")
            t.wait_for("PWNED-TITLE")
            t.keys("q")
            t.wait_for("Hostile text")
            t.keys("q")
            t.wait_for("[exit 0]")
            time.sleep(0.5)
        with open(stream, "rb") as f:
            raw = f.read()
        self.assertIn(b"PWNED-TITLE", raw)
        for bad in (b"\x1b]0;PWNED", b"\x1b]2;EVILNAME", b"\x1b[31mRED"):
            self.assertNotIn(bad, raw)

    def test_help_lists_the_bindings(self):
        with self.start("Attach") as t:
            t.wait_for("With a file")
            t.keys("?")
            t.wait_for("display-message")
            t.wait_for("change-folder")
            t.keys("q")
            t.wait_for("With a file")
            t.keys("Enter")
            t.wait_for("See the file.")
            t.keys("?")
            t.wait_for("toggle-headers")
            t.wait_for("view-attachments")
            t.keys("q")
            t.wait_for("See the file.")
            t.keys("q")
            t.wait_for("With a file")
            t.keys("q")
            t.wait_for("[exit 0]")

    def test_folder_list_counts_and_open(self):
        with self.start() as t:
            t.wait_for("Inbox hello")
            t.keys("c")
            t.wait_for("Folders \u2014 ")
            # unread, total, then the name; Projects/2026 indented below it.
            self.wait_re(t, r"\n\s*1\s+2\s+Projects\n\s*0\s+0\s+2026\n")
            screen = self.wait_re(t, r"\* INBOX\n")
            # The cursor starts on the open folder (INBOX, marked "*").
            lines = screen.splitlines()
            start = next(i for i, l in enumerate(lines) if re.search(r"\* INBOX$", l))
            target = next(i for i, l in enumerate(lines) if re.search(r" Projects$", l))
            self.assertGreater(target, start)
            t.keys(*(["j"] * (target - start)))
            t.keys("Enter")
            t.wait_for("Project kickoff")
            screen = t.wait_for("Project plan")
            self.assertNotIn("Inbox hello", screen)
            t.keys("q")
            t.wait_for("[exit 0]")
