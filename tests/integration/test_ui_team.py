"""The team folder in the interactive client, driven in tmux as a person
uses it, against the real Dovecot's shared namespace: each row shows the
conversation's ticket, status, assignee and age; the status line counts
the queues; `a` claims (and a teammate's conversation is not taken: the
message line names who holds it); `S` sets the status; a read-only
member's keys say why nothing happens. The server is checked after each
key."""

import base64
import hashlib
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_p = os.path.join(os.path.dirname(HERE), "harness")
if _p not in sys.path:
    sys.path.insert(0, _p)

from ternlib import TERN, TerminalTestCase  # noqa: E402
from tmuxlib import Tmux  # noqa: E402

FOLDER = "Shared/support/INBOX"


def ticket(root):
    digest = hashlib.sha256(root.strip("<>").encode()).digest()
    return base64.b32encode(digest)[:6].decode()


class TestUiTeam(TerminalTestCase):
    _seq = 0

    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        # A folder of this test's own conversations only.
        self.empty_folder("support")

    def conversation(self, subject, replies=0, keywords=(), age_hours=1):
        type(self)._seq += 1
        tok = "u%d" % type(self)._seq
        root = "<%s-0@customer.example>" % tok
        when = time.time() - age_hours * 3600
        for i in range(replies + 1):
            mid = "<%s-%d@customer.example>" % (tok, i)
            head = ("From: Customer <c%s@customer.example>\r\nTo: support@example.org\r\n"
                    "Subject: %s%s\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\n"
                    "Message-ID: %s\r\n" % (tok, "Re: " if i else "", subject, mid))
            if i:
                head += "In-Reply-To: %s\r\nReferences: %s\r\n" % (root, root)
            self.s.append("support", "INBOX", (head + "\r\nhelp\r\n").encode(),
                          flags=keywords, internaldate=when + i)
        return root

    def assignees(self, subject):
        with self.device("support") as c:
            c.select("INBOX", readonly=True)
            typ, data = c.uid("SEARCH", None, "SUBJECT", '"%s"' % subject)
            uids = data[0].split()
            typ, data = c.uid("FETCH", b",".join(uids), "(FLAGS)")
        out = []
        for item in data:
            line = item.decode() if isinstance(item, bytes) else item[0].decode()
            f = re.search(r"FLAGS \(([^)]*)\)", line)
            if f:
                out.append(sorted(x for x in f.group(1).split()
                                  if x.startswith(("assign/", "status/"))))
        return out

    def start(self, user, team_extra=""):
        path = self.mailrc(
            "account a {\n"
            "    set imap=imap://%s@127.0.0.1:%d\n"
            "    set smtp=smtp://%s@127.0.0.1:%d\n"
            "    set tls=no\n"
            "    set from=\"Example Support <support@example.org>\"\n"
            "    set password-command=\"echo %s-pw\"\n"
            "}\n"
            "team support {\n    set account=a\n    set folder=%s\n"
            "    set members=\"alice bob carol\"\n    set me=%s\n"
            "    set reply-deadline=4h\n%s}\n" % (user, self.s.imap_port, user,
                                                self.s.smtp_port, user, FOLDER, user,
                                                team_extra),
            name="mailrc-" + user)
        env = {"LC_ALL": "C.UTF-8", "HOME": self.home, "MAILCAPS": os.devnull,
               "TERM": "xterm-256color",
               "XDG_CACHE_HOME": os.path.join(self.tmp, "cache-" + user),
               "EDITOR": "true", "VISUAL": "true"}
        return Tmux([TERN, "-F", path, "-f", FOLDER], env=env, width=140, height=20)

    def find(self, t, text):
        """/ with text (the prompt offers the last search: ^U clears it)."""
        t.keys("/")
        t.wait_for("Search:")
        t.keys("C-u")
        t.keys(text, literal=True)
        t.keys("Enter")
        time.sleep(0.3)

    def row(self, screen, text):
        rows = [line for line in screen.splitlines() if text in line]
        self.assertTrue(rows, "no row with %r:\n%s" % (text, screen))
        return rows[0]

    def test_rows_queues_claim_and_status(self):
        old = self.conversation("Printer on fire", replies=1, age_hours=9)
        self.conversation("Invoice question", keywords=("status/open", "assign/bob"),
                          age_hours=1)
        with self.start("alice") as t:
            screen = self.synced(t, "Printer on fire")
            row = self.row(screen, "Printer on fire")
            # Ticket, status, nobody, and nine hours waiting.
            self.assertRegex(row, r"%s\s+open\s+-\s+9h" % ticket(old))
            self.assertRegex(self.row(screen, "Invoice question"), r"open\s+bob\s+1h")
            self.assertIn("[support: unassigned 1, mine 0, open 2, pending 0, overdue 1]",
                          screen)
            # Claim the old one: the cursor starts on the newest row.
            self.find(t, "Printer")
            t.keys("a", literal=True)
            self.wait_server(lambda: self.assignees("Printer on fire"),
                             lambda a: a and all("assign/alice" in x for x in a))
            t.wait_for("mine 1", timeout=20)
            self.assertRegex(self.row(t.screen(), "Printer on fire"), r"open\s+alice")
            # bob holds the other: claiming it names him, changes nothing.
            self.find(t, "Invoice")
            t.keys("a", literal=True)
            t.wait_for("held by bob")
            self.assertEqual(self.assignees("Invoice question"),
                             [["assign/bob", "status/open"]])
            # S sets the status of the whole conversation.
            self.find(t, "Printer")
            t.keys("S", literal=True)
            t.wait_for("Status (open, pending, done):")
            t.keys("pending", literal=True)
            t.keys("Enter")
            self.wait_server(lambda: self.assignees("Printer on fire"),
                             lambda a: len(a) == 2 and
                             all(x == ["assign/alice", "status/pending"] for x in a))
            t.wait_for("pending 1", timeout=20)
            t.keys("q", literal=True)
            t.wait_for("[exit 0]")

    def test_a_read_only_member_is_told_why(self):
        self.conversation("Read only please")
        with self.start("carol") as t:
            self.synced(t, "Read only please")
            t.keys("a", literal=True)
            t.wait_for("you may not claim here")
            # Replying and the status are refused at the key, before any
            # prompt or editor.
            t.keys("r", literal=True)
            t.wait_for("you may not reply here: your rights on this folder are 'lr'")
            t.keys("S", literal=True)
            t.wait_for("you may not set-status here")
            self.assertNotIn("Status (open", t.screen())
            self.assertEqual(self.assignees("Read only please"), [[]])
            t.keys("q", literal=True)
            t.wait_for("[exit 0]")

    def test_canned_reply_carries_the_ticket_and_sets_pending(self):
        templates = os.path.join(self.tmp, "templates")
        os.makedirs(templates)
        with open(os.path.join(templates, "howto"), "w") as f:
            f.write("Hello ${customer},\n\nTry turning it off and on (ticket ${ticket}).\n")
        root = self.conversation("Printer jam", keywords=("status/open",))
        self.s.clear_sink()
        with self.start("alice", "    set templates=%s\n" % templates) as t:
            self.synced(t, "Printer jam")
            t.keys("C", literal=True)
            t.wait_for("Canned response (howto):")
            t.keys("howto", literal=True)
            t.keys("Enter")
            t.wait_for("y:Send")
            t.keys("y", literal=True)
            self.wait_server(lambda: self.s.sink_messages(), lambda m: len(m) == 1)
            data = self.s.sink_messages()[0]["data"].decode()
            self.assertIn("Subject: Re: Printer jam [#%s]" % ticket(root), data)
            self.assertIn("Try turning it off and on (ticket %s)." % ticket(root), data)
            self.assertIn("In-Reply-To: %s" % root, data)
            # The reply is kept in the team folder too (the team's, read),
            # and the whole conversation now waits on the customer.
            self.wait_server(lambda: self.assignees("Printer jam"),
                             lambda a: a == [["status/pending"], ["status/pending"]])
            # (\Seen is alice's own in the shared folder: asked as her.)
            with self.device("alice") as c:
                c.select('"%s"' % FOLDER, readonly=True)
                typ, data = c.uid("SEARCH", None, "KEYWORD", "tern/reply")
                uids = data[0].split()
                self.assertEqual(len(uids), 1)
                typ, data = c.uid("FETCH", uids[0], "(FLAGS BODY.PEEK[HEADER.FIELDS "
                                  "(SUBJECT)])")
                self.assertIn(b"\\Seen", data[0][0])
                self.assertIn(b"[#%s]" % ticket(root).encode(), data[0][1])
            t.wait_for("pending 1", timeout=20)
            t.keys("q", literal=True)
            t.wait_for("[exit 0]")

    def test_new_mail_is_opened_and_acknowledged_while_the_client_runs(self):
        root = self.conversation("Already pending", keywords=("status/pending",))
        self.s.clear_sink()
        with self.start("alice", "    set acknowledge=yes\n") as t:
            self.synced(t, "Already pending")
            # The first sync records when acknowledgements began; then a
            # customer writes: a new conversation, and a reply to the
            # pending one.
            t.wait_for("acknowledgements begin now")
            time.sleep(1.1)
            new = self.conversation("Brand new question", age_hours=0)
            self.s.append("support", "INBOX", (
                "From: Customer <cu1@customer.example>\r\nTo: support@example.org\r\n"
                "Subject: Re: Already pending\r\nMessage-ID: <again@customer.example>\r\n"
                "In-Reply-To: %s\r\nReferences: %s\r\n\r\nstill broken\r\n"
                % (root, root)).encode())
            self.wait_server(lambda: self.assignees("Brand new question"),
                             lambda a: a == [["status/open"]])
            self.wait_server(lambda: self.assignees("Already pending"),
                             lambda a: len(a) == 2 and all(x == ["status/open"] for x in a))
            self.wait_server(lambda: self.s.sink_messages(), lambda m: len(m) == 1)
            data = self.s.sink_messages()[0]["data"].decode()
            self.assertIn("Auto-Submitted: auto-replied", data)
            self.assertIn("In-Reply-To: %s" % new, data)
            t.wait_for("open 2", timeout=20)
            time.sleep(1)
            self.assertEqual(len(self.s.sink_messages()), 1, "acknowledged once")
            t.keys("q", literal=True)
            t.wait_for("[exit 0]")

    def test_a_reply_sent_with_Y_marks_the_conversation_done(self):
        root = self.conversation("Thanks all fixed", keywords=("status/open",))
        self.s.clear_sink()
        with self.start("alice") as t:
            self.synced(t, "Thanks all fixed")
            t.keys("r", literal=True)
            t.wait_for("y:Send")
            t.keys("Y", literal=True)
            self.wait_server(lambda: self.s.sink_messages(), lambda m: len(m) == 1)
            data = self.s.sink_messages()[0]["data"].decode()
            self.assertIn("[#%s]" % ticket(root), data)
            self.wait_server(lambda: self.assignees("Thanks all fixed"),
                             lambda a: a == [["status/done"], ["status/done"]])
            t.keys("q", literal=True)
            t.wait_for("[exit 0]")
