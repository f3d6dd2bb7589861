"""The interactive index, driven in tmux against the real Dovecot and the
SMTP sink: moving around, search and limit, delete to Trash and undo,
labels, reply and send, postpone and resume from another instance,
resizing, a dropped connection, hostile subjects, and new mail by IDLE.
Each test checks the screen and what the server then holds."""

import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for _d in ("harness", "faults"):
    _p = os.path.join(os.path.dirname(HERE), _d)
    if _p not in sys.path:
        sys.path.insert(0, _p)

from faultproxy import FaultProxy, _Connection  # noqa: E402
from servers import imap_append, imap_quote  # noqa: E402
from ternlib import TERN, TerminalTestCase  # noqa: E402
from tmuxlib import Tmux  # noqa: E402

FOLDERS = ("Nav", "Search", "Del", "Labels", "Reply", "Resize", "Drop", "Hostile",
           "NewMail", "Compose", "Offline", "Journal")


def message(subject, msgid, date=b"Mon, 05 Jan 2026 10:00:00 +0000", body=b"Hello.\r\n"):
    return (b"From: Bob Example <bob@example.com>\r\n"
            b"To: alice@example.com\r\n"
            b"Subject: " + subject + b"\r\n"
            b"Date: " + date + b"\r\n"
            b"Message-ID: <" + msgid + b">\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"\r\n" + body)


class CuttableProxy(FaultProxy):
    """A forwarding proxy whose open connections can be cut on demand."""

    def __init__(self, target_port):
        super().__init__(target_port)
        self.live = []

    async def handle(self, reader, writer):
        self.connections += 1
        conn = _Connection(self, reader, writer)
        self.live.append(conn)
        await conn.run()

    def cut(self):
        for conn in list(self.live):
            self._loop.call_soon_threadsafe(conn.close)
        self.live = []


class TestUi(TerminalTestCase):
    @classmethod
    def fill(cls):
        conn = cls.s.imap("alice")
        try:
            for name in FOLDERS:
                typ, data = conn.create(imap_quote(name))
                assert typ == "OK", (name, data)
            for i, subj in enumerate((b"Alpha note", b"Bravo note", b"Charlie note")):
                imap_append(conn, "Nav", message(subj, b"nav%d@example.com" % i,
                                                 date=b"Mon, 0%d Jan 2026 10:00:00 +0000" % (i + 1)),
                            flags=(("\\Seen",) if i == 0 else ()))
            for i, subj in enumerate((b"Findme apple", b"Other banana", b"Findme cherry",
                                      b"Other damson")):
                imap_append(conn, "Search", message(subj, b"search%d@example.com" % i,
                                                    date=b"Mon, 0%d Jan 2026 10:00:00 +0000" % (i + 1)))
            imap_append(conn, "Del", message(b"Keep this one", b"keep@example.com",
                                             date=b"Mon, 01 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Del", message(b"Delete this one", b"del@example.com"))
            imap_append(conn, "Labels", message(b"Label me", b"label@example.com"))
            imap_append(conn, "Reply", message(b"Other question", b"other@example.com",
                                               date=b"Mon, 01 Jan 2026 10:00:00 +0000"),
                        flags=("\\Flagged",))
            imap_append(conn, "Reply", message(b"Question to answer", b"question@example.com",
                                               body=b"What do you think?\r\n"))
            imap_append(conn, "Resize", message(b"Resize me", b"resize@example.com"))
            imap_append(conn, "Drop", message(b"Before the drop", b"drop1@example.com"))
            imap_append(conn, "Hostile", message(
                b"Evil \x1b[2J\x1b]0;PWNED-TITLE\x07 subject", b"hostile@example.com"))
            imap_append(conn, "NewMail", message(b"Already here", b"here@example.com"))
            imap_append(conn, "Journal", message(b"Flag me offline", b"jflag@example.com",
                                                 date=b"Mon, 01 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Journal", message(b"Trash me offline", b"jtrash@example.com",
                                                 date=b"Mon, 02 Jan 2026 10:00:00 +0000"))
            imap_append(conn, "Offline", message(b"Read me later", b"later@example.com",
                                                 body=b"Something to read on the train.\r\n"))
            imap_append(conn, "Offline", message(b"Never opened", b"never@example.com",
                                                 date=b"Mon, 01 Jan 2026 10:00:00 +0000",
                                                 body=b"Not kept.\r\n"))
        finally:
            conn.logout()

    # ---- helpers ----

    def setUp(self):
        super().setUp()
        self.s.clear_sink()
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)

    def editor(self, name, script):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + script)
        os.chmod(path, 0o755)
        return path

    def start(self, folder="INBOX", imap_port=None, cache="cache", editor=None,
              width=100, height=30, extra=""):
        s = self.s
        path = self.mailrc(
            "account a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n"
            "    set smtp=smtp://alice@127.0.0.1:%d\n"
            "    set tls=no\n"
            "    set from=\"Alice <alice@example.com>\"\n"
            "    set password-command=\"echo %s\"\n"
            "}\n" % (imap_port or s.imap_port, s.smtp_port, s.users["alice"]) + extra,
            name="mailrc-" + cache)
        env = {"LC_ALL": "C.UTF-8", "HOME": self.home, "MAILCAPS": os.devnull,
               "TERM": "xterm-256color",
               "XDG_CACHE_HOME": os.path.join(self.tmp, cache),
               "EDITOR": editor or "true", "VISUAL": editor or "true"}
        argv = [TERN, "-F", path] + (["-f", folder] if folder != "INBOX" else [])
        return Tmux(argv, env=env, width=width, height=height)

    def selected(self, t):
        """The index row shown in reverse video (the cursor), as text."""
        raw = t._tmux("capture-pane", "-p", "-e", "-t", "t").stdout.splitlines()
        # capture-pane -e only writes attribute changes, so follow the
        # reverse-video state from line to line.
        rev = False
        for i, line in enumerate(raw):
            at_start = None
            for m in re.finditer(r"\x1b\[([0-9;]*)m|[^\x1b]", line):
                if m.group(0).startswith("\x1b"):
                    for code in (m.group(1) or "0").split(";"):
                        if code in ("0", "", "27"):
                            rev = False
                        elif code == "7":
                            rev = True
                elif at_start is None:
                    at_start = rev
            if 0 < i < len(raw) - 2 and at_start:
                return re.sub(r"\x1b\[[0-9;]*m", "", line)
        return None

    def wait_selected(self, t, text, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            row = self.selected(t)
            if row and text in row:
                return row
            if time.monotonic() > deadline:
                self.fail("cursor not on %r (on %r):\n%s" % (
                    text, row, t._tmux("capture-pane", "-p", "-e", "-t", "t").stdout.replace("\x1b", "ESC")))
            time.sleep(0.1)

    def wait_gone(self, t, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text in t.screen():
            if time.monotonic() > deadline:
                self.fail("%r stays on the screen:\n%s" % (text, t.screen()))
            time.sleep(0.1)

    def folder(self, name):
        """[(message-id, flags set, subject)] of a folder, by another device."""
        with self.device() as conn:
            typ, _ = conn.select(imap_quote(name), readonly=True)
            self.assertEqual(typ, "OK")
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER])")
        out = []
        for item in data:
            if isinstance(item, tuple):
                mid = re.search(rb"(?im)^Message-ID:\s*(<[^>]+>)", item[1])
                subj = re.search(rb"(?im)^Subject: (.*?)\r\n", item[1])
                f = re.search(rb"FLAGS \(([^)]*)\)", item[0])
                out.append((mid.group(1).decode() if mid else None,
                            set(f.group(1).decode().split()) - {"\\Recent"} if f else set(),
                            subj.group(1).decode("utf-8", "replace") if subj else None))
        return out

    def msgids(self, name):
        return [m[0] for m in self.folder(name)]

    def quit(self, t):
        t.keys("q")
        t.wait_for("[exit 0]")

    # ---- tests ----

    def test_open_and_navigate(self):
        with self.start("Nav") as t:
            screen = self.synced(t, "Charlie note")
            self.assertTrue(screen.splitlines()[0].startswith("q:Quit"), screen)
            for subj in ("Alpha note", "Bravo note", "Charlie note"):
                self.assertIn(subj, screen)
            self.assertIn("tern: Nav [Msgs:3 New:2 Flag:0]", screen.splitlines()[-2])
            # Unread rows carry N, the seen one not.
            self.assertRegex(screen, r"\n\s+1\s+Jan 01\s+Bob.*Alpha note")
            self.assertRegex(screen, r"\n\s+2\s+N\s+Jan 02\s+Bob.*Bravo note")
            first = self.wait_selected(t, "note")
            t.keys("k")
            second = self.wait_selected(t, "Bravo note" if "Charlie" in first else "Alpha note")
            self.assertNotEqual(first, second)
            t.keys("j")
            self.assertEqual(self.wait_selected(t, first.split()[-2] + " note"), first)
            self.quit(t)
        # Looking at the index changes nothing on the server.
        flags = {m[2]: m[1] for m in self.folder("Nav")}
        self.assertEqual(flags, {"Alpha note": {"\\Seen"}, "Bravo note": set(),
                                 "Charlie note": set()})

    def test_search_and_limit(self):
        with self.start("Search") as t:
            self.synced(t, "Other damson")
            self.wait_selected(t, "Other damson")
            t.keys("/")
            t.keys("subject:apple", literal=True)
            t.keys("Enter")
            self.wait_selected(t, "Findme apple")
            t.keys("l")
            t.keys("subject:Findme", literal=True)
            t.keys("Enter")
            self.wait_gone(t, "Other banana")
            screen = t.screen()
            self.assertIn("Findme apple", screen)
            self.assertIn("Findme cherry", screen)
            self.assertNotIn("Other damson", screen)
            t.keys("l")
            time.sleep(0.3)
            # The prompt may offer the current limit for editing: clear it.
            t.keys("C-u")
            t.keys("Enter")
            t.wait_for("Other banana")
            screen = t.wait_for("Other damson")
            self.assertIn("Findme apple", screen)
            self.quit(t)
        self.assertEqual(len(self.folder("Search")), 4)

    def test_delete_moves_to_trash_and_undo(self):
        mark = self.s.log_mark()
        with self.start("Del") as t:
            self.synced(t, "Delete this one")
            self.wait_selected(t, "Delete this one")
            t.keys("d")
            t.wait_for("moved to Trash (u undoes)")
            self.wait_gone(t, "Delete this one")
            self.assertIn("Keep this one", t.screen())
            self.wait_server(lambda: (self.msgids("Del"), self.msgids("Trash")),
                             lambda v: "<del@example.com>" not in v[0]
                             and "<del@example.com>" in v[1])
            self.assertIn("<keep@example.com>", self.msgids("Del"))
            time.sleep(0.5)
            expunges = self.s.mail_log_events(mark, user="alice", event="expunge")
            self.assertEqual([(e["box"], e["msgid"]) for e in expunges],
                             [("Del", "<del@example.com>")], expunges)
            t.keys("u")
            t.wait_for("Delete this one")
            self.wait_server(lambda: (self.msgids("Del"), self.msgids("Trash")),
                             lambda v: "<del@example.com>" in v[0]
                             and "<del@example.com>" not in v[1])
            self.synced(t, "Delete this one")
            self.quit(t)
        self.assertEqual(sorted(self.msgids("Del")), ["<del@example.com>", "<keep@example.com>"])

    def test_labels(self):
        with self.start("Labels") as t:
            self.synced(t, "Label me")
            t.keys("+")
            t.wait_for("Add label:")
            t.keys("Work", literal=True)
            t.keys("Enter")
            t.wait_for("[Work]")
            self.wait_server(lambda: self.folder("Labels")[0][1], lambda f: "Work" in f)
            t.keys("-", literal=True)
            time.sleep(0.3)
            t.keys("Work", literal=True)
            t.keys("Enter")
            self.wait_gone(t, "[Work]")
            flags = self.wait_server(lambda: self.folder("Labels")[0][1],
                                     lambda f: "Work" not in f)
            self.assertNotIn("Work", flags)
            self.quit(t)

    def test_reply_and_send(self):
        before = {m[0]: m[1] for m in self.folder("Reply")}
        ed = self.editor("ed-reply", 'echo "My considered reply." >> "$1"\n')
        with self.start("Reply", editor=ed) as t:
            self.synced(t, "Question to answer")
            self.wait_selected(t, "Question to answer")
            t.keys("r")
            screen = t.wait_for("tern: Compose")
            self.assertIn("Re: Question to answer", screen)
            t.keys("y")
            t.wait_for("sent to 1 recipient")
            t.wait_for("saved to Sent")
            sink = self.wait_server(self.s.sink_messages, lambda v: len(v) >= 1)
            time.sleep(1)
            sink = self.s.sink_messages()
            self.assertEqual(len(sink), 1, sink)
            data = sink[0]["data"]
            self.assertRegex(data, rb"(?im)^In-Reply-To: <question@example\.com>\r?$")
            self.assertIn(b"My considered reply.", data)
            self.assertIn(b"> What do you think?", data)
            self.assertEqual(sink[0]["rcpt_tos"], ["bob@example.com"])
            mid = re.search(rb"(?im)^Message-ID:\s*(<[^>]+>)", data).group(1).decode()
            sent = self.wait_server(lambda: [m for m in self.folder("Sent") if m[0] == mid],
                                    lambda v: len(v) == 1)
            self.assertIn("\\Seen", sent[0][1])
            after = self.wait_server(lambda: {m[0]: m[1] for m in self.folder("Reply")},
                                     lambda v: "\\Answered" in v["<question@example.com>"])
            self.assertEqual(after["<question@example.com>"] - {"\\Seen"},
                             before["<question@example.com>"] | {"\\Answered"})
            self.assertEqual(after["<other@example.com>"], before["<other@example.com>"])
            t.wait_for("r ")
            self.quit(t)

    def test_postpone_and_resume_elsewhere(self):
        ed = self.editor("ed-new", (
            'sed -i -e "s/^To:.*/To: bob@example.com/" '
            '-e "s/^Subject:.*/Subject: Postponed thought/" "$1"\n'
            'grep -q "^To:" "$1" || { printf "To: bob@example.com\\nSubject: Postponed thought\\n\\n" > "$1"; }\n'
            'echo "The first draft." >> "$1"\n'))
        with self.start("Compose", editor=ed) as t:
            self.synced(t, "tern: Compose [")
            t.keys("m")
            screen = t.wait_for("tern: Compose  y:Send")
            self.assertIn("Postponed thought", screen)
            t.keys("P")
            t.wait_for("tern: Compose [")
            drafts = self.wait_server(
                lambda: [m for m in self.folder("Drafts") if m[2] == "Postponed thought"],
                lambda v: len(v) == 1)
            self.assertIn("\\Draft", drafts[0][1])
            draft_id = drafts[0][0]
            self.quit(t)
        self.assertEqual(self.s.sink_messages(), [])
        ed2 = self.editor("ed-more", 'echo "Added on the second device." >> "$1"\n')
        with self.start("Compose", cache="cache2", editor=ed2) as t:
            self.synced(t, "tern: Compose [")
            t.keys("R")
            t.wait_for("tern: Drafts in")
            t.wait_for("Postponed thought")
            time.sleep(0.5)
            self.debug_screens = []
            t.keys("Enter")
            for _ in range(30):
                self.debug_screens.append(t.screen())
                time.sleep(0.1)
            if "tern: Compose  y:Send" not in t.screen(): print("\n=====\n".join(dict.fromkeys(self.debug_screens)), file=sys.stderr)
            screen = t.wait_for("tern: Compose  y:Send", timeout=5)
            self.assertIn("Postponed thought", screen)
            t.keys("y")
            # The "sent to 1 recipient" message is quickly replaced by
            # "Drafts: delete (to Trash): 1 message moved"; check the sink.
            t.wait_for("tern: Compose [")
            sink = self.wait_server(self.s.sink_messages, lambda v: len(v) >= 1)
            time.sleep(0.5)
            sink = self.s.sink_messages()
            self.assertEqual(len(sink), 1)
            self.assertIn(b"Subject: Postponed thought", sink[0]["data"])
            self.assertIn(b"The first draft.", sink[0]["data"])
            self.assertIn(b"Added on the second device.", sink[0]["data"])
            self.wait_server(lambda: (self.folder("Drafts"), self.folder("Trash")),
                             lambda v: not [m for m in v[0] if m[2] == "Postponed thought"]
                             and [m for m in v[1] if m[2] == "Postponed thought"])
            trash = [m for m in self.folder("Trash") if m[2] == "Postponed thought"]
            self.assertEqual(len(trash), 1)
            if draft_id:
                self.assertEqual(trash[0][0], draft_id)
            self.quit(t)

    def test_resize_redraws(self):
        with self.start("Resize") as t:
            screen = self.synced(t, "Resize me")
            self.assertIn("tern: Resize [", screen.split("\n")[28])
            t._tmux("resize-window", "-t", "t", "-x", "60", "-y", "20")
            # tmux keeps the bottom rows of a shrunk pane by itself; only
            # a redraw by tern brings back the top line and the rows, in
            # the new size, with no key typed.
            deadline = time.monotonic() + 10
            while True:
                lines = t.screen().split("\n")
                if (len(lines) >= 19 and lines[0].startswith("q:Quit")
                        and "Resize me" in lines[1] and "tern: Resize [" in lines[18]
                        and all(len(l) <= 60 for l in lines)
                        and sum("tern: Resize [" in l for l in lines) == 1):
                    break
                if time.monotonic() > deadline:
                    self.fail("no redraw at 60x20:\n%s" % "\n".join(lines))
                time.sleep(0.1)
            self.quit(t)

    def test_read_offline_what_was_read(self):
        # A message read once is kept in the body cache: with the server
        # gone, the index comes from the header cache and the pager from
        # the body cache; a message never opened says it needs the server.
        with self.start("Offline") as t:
            self.synced(t, "Read me later")
            t.keys("Enter")
            t.wait_for("Something to read on the train.")
            t.keys("q")
            t.wait_for("tern: Offline [")
            self.quit(t)
        with socket.socket() as dead:
            dead.bind(("127.0.0.1", 0))
            port = dead.getsockname()[1]
        with self.start("Offline", imap_port=port) as t:
            t.wait_for("Read me later")
            t.keys("Enter")
            t.wait_for("Something to read on the train.")
            t.keys("q")
            t.wait_for("Never opened")
            t.keys("k", "Enter")
            screen = t.wait_for("not connected")
            self.assertNotIn("Not kept.", screen)
            t.keys("q")
            t.wait_for("[exit 0]")

    def test_offline_changes_wait_and_replay(self):
        # Offline, a flag and a delete go to the journal and show at once;
        # the status line counts them; once the server is back they are
        # sent, and the server ends as if they had been made online.
        with self.start("Journal", cache="jcache") as t:
            self.synced(t, "Flag me offline")
            self.quit(t)
        with socket.socket() as dead:
            dead.bind(("127.0.0.1", 0))
            port = dead.getsockname()[1]
        with self.start("Journal", imap_port=port, cache="jcache") as t:
            t.wait_for("Trash me offline")
            t.wait_for("offline")
            self.wait_selected(t, "Trash me offline")
            t.keys("d")
            self.wait_gone(t, "Trash me offline")
            self.wait_selected(t, "Flag me offline")
            t.keys("F")
            screen = t.wait_for("2 changes waiting")
            self.assertIn("offline, 2 changes waiting", screen)
            self.quit(t)
        # Nothing reached the server yet.
        self.assertEqual({m[2]: m[1] for m in self.folder("Journal")},
                         {"Flag me offline": set(), "Trash me offline": set()})
        r = self.tern_journal("jcache")
        self.assertEqual(len(r.splitlines()), 2, r)
        with self.start("Journal", cache="jcache") as t:
            t.wait_for("made offline sent", timeout=30)
            self.synced(t, "Flag me offline")
            self.assertNotIn("Trash me offline", t.screen())
            self.quit(t)
        self.assertEqual({m[2]: m[1] for m in self.folder("Journal")},
                         {"Flag me offline": {"\\Flagged"}})
        self.assertIn("Trash me offline", [m[2] for m in self.folder("Trash")])
        self.assertEqual(self.tern_journal("jcache"), "")

    def tern_journal(self, cache):
        """The --journal listing of the account that start() set up."""
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(self.tmp, cache), HOME=self.home)
        p = subprocess.run([TERN, "-F", os.path.join(self.tmp, "mailrc-" + cache), "--journal"],
                           env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_pop3_delete_banner(self):
        # Any account of the mailrc that deletes POP3 mail is named across
        # the top, as every batch command names it on stderr.
        old = ("account old {\n    set pop3=pop3://bob@127.0.0.1:%d\n    set tls=no\n"
               "    set pop3-delete=yes\n}\n" % self.s.pop3_port)
        with self.start("Resize", extra=old) as t:
            screen = self.synced(t, "Resize me")
            top = screen.split("\n")[0]
            self.assertIn("WARNING: 'old' deletes POP3 mail", top)
            self.assertIn("vanishes from every other device", top)
            t.keys("j")
            self.assertIn("Resize me", t.screen())
            self.quit(t)
        with self.start("Resize", cache="cache2") as t:
            screen = self.synced(t, "Resize me")
            self.assertNotIn("WARNING", screen)
            self.quit(t)

    def test_pop3_account_is_read_and_nothing_changes_there(self):
        # A pop3= account opens in the client: the index from UIDL and
        # TOP, the pager by RETR; read is remembered here, by UIDL; no
        # DELE, and keys that would change the server say why.
        self.empty_folder("bob")
        for n in (1, 2):
            self.s.append("bob", "INBOX", message(b"Pop letter %d" % n,
                                                  b"pop%d@example.org" % n,
                                                  body=b"Body of letter %d.\r\n" % n))
        mark = self.s.log_mark()
        rc = ("account pop {\n    set pop3=pop3://bob@127.0.0.1:%d\n    set tls=no\n"
              "    set password-command=\"echo bob-pw\"\n}\n" % self.s.pop3_port)
        path = self.mailrc(rc, name="mailrc-pop")
        env = {"LC_ALL": "C.UTF-8", "HOME": self.home, "MAILCAPS": os.devnull,
               "TERM": "xterm-256color", "XDG_CACHE_HOME": os.path.join(self.tmp, "pc"),
               "EDITOR": "true", "VISUAL": "true"}
        with Tmux([TERN, "-F", path], env=env, width=100, height=30) as t:
            screen = self.synced(t, "Pop letter 2")
            self.assertIn("Pop letter 1", screen)
            self.assertRegex(screen, r"N .*Pop letter 2")
            t.keys("Enter")
            t.wait_for("Body of letter 2.")
            t.keys("q")
            self.wait_gone(t, "Body of letter 2.")
            row = [line for line in t.screen().splitlines() if "Pop letter 2" in line][0]
            self.assertNotRegex(row, r"\bN\b", "read, remembered here")
            t.keys("d")
            t.wait_for("a POP3 mailbox is only read here")
            t.keys("c")
            t.wait_for("a POP3 account has one mailbox")
            self.quit(t)
        # Nothing changed on the server: both still there, no DELE.
        self.assertEqual(self.s.pop3_stat("bob")[0], 2)
        self.assertEqual(self.s.mail_log_events(mark, user="bob", event="expunge"), [])
        self.assertEqual(self.s.mail_log_events(mark, user="bob", event="delete"), [])
        # Opened again: the one read is still read.
        with Tmux([TERN, "-F", path], env=env, width=100, height=30) as t:
            screen = self.synced(t, "Pop letter 2")
            row = [line for line in screen.splitlines() if "Pop letter 2" in line][0]
            self.assertNotRegex(row, r"\bN\b")
            row = [line for line in screen.splitlines() if "Pop letter 1" in line][0]
            self.assertRegex(row, r"\bN\b")
            self.quit(t)

    def test_dropped_connection_recovers(self):
        with CuttableProxy(self.s.imap_port) as proxy:
            with self.start("Drop", imap_port=proxy.port) as t:
                self.synced(t, "Before the drop")
                time.sleep(1)
                proxy.cut()
                screen = t.wait_for("reconnect", timeout=30)
                self.assertNotIn("[exit", screen)
                self.synced(t, "Before the drop", timeout=40)
                with self.device() as conn:
                    imap_append(conn, "Drop", message(b"After the drop", b"drop2@example.com"))
                screen = t.wait_for("After the drop", timeout=40)
                self.assertNotIn("offline", screen)
                self.assertIn("Before the drop", screen)
                self.assertIn("[Msgs:2 ", t.wait_for("[Msgs:2 "))
                self.assertGreaterEqual(proxy.connections, 2)
                self.quit(t)

    def test_hostile_subject_is_shown_not_obeyed(self):
        stream = os.path.join(self.tmp, "stream")
        with self.start("Hostile") as t:
            t.record(stream)
            screen = self.synced(t, "PWNED-TITLE")
            self.assertIn("\u241b", screen)
            self.assertIn("tern: Hostile [", screen)
            self.quit(t)
            time.sleep(0.5)
        with open(stream, "rb") as f:
            raw = f.read()
        self.assertIn(b"PWNED-TITLE", raw)
        self.assertNotIn(b"\x1b]0;PWNED", raw)
        self.assertNotIn(b"\x1b[2J\x1b]", raw)

    def test_new_mail_appears(self):
        with self.start("NewMail") as t:
            self.synced(t, "Already here")
            time.sleep(1)
            with self.device() as conn:
                imap_append(conn, "NewMail", message(b"Fresh arrival", b"fresh@example.com"))
            t0 = time.monotonic()
            screen = t.wait_for("Fresh arrival", timeout=10)
            self.assertLess(time.monotonic() - t0, 10)
            self.assertIn("Already here", screen)
            t.wait_for("[Msgs:2 New:2")
            self.quit(t)
