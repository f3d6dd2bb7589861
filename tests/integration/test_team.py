"""Team folders against the real Dovecot, with its ACL plugin and shared
namespace: support's INBOX is "Shared/support/INBOX" for alice and bob
(who may change flags) and for carol (read-only).  Two tern processes act
as two teammates: simultaneous claims (exactly one wins, 50 trials, and
a forced race where the loser read the conversation before the winner
stored), status and assignment set on the whole conversation and seen by
the other teammate, carol refused before anything is sent, and the
ticket number the same on both sides."""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from ternlib import TERN, ServersTestCase  # noqa: E402

FOLDER = "Shared/support/INBOX"
WAIT_ENV = "TERN_DEBUG_TEAM_WAIT"


def ticket(root):
    """The ticket number of a root Message-ID (rules/ticket.h)."""
    digest = hashlib.sha256(root.strip().strip("<>").encode()).digest()
    return base64.b32encode(digest)[:6].decode()


class TeamCase(ServersTestCase):
    _seq = 0

    def setUp(self):
        super().setUp()
        self.log_start = os.path.getsize(self.s.log_path)

    # ---- the mailbox
    def token(self):
        type(self)._seq += 1
        return "t%d%d" % (os.getpid() % 1000, type(self)._seq)

    def conversation(self, token, replies=1, keywords=(), start=0,
                     sender="Customer <c@customer.example>"):
        """A customer's message and its replies in support's INBOX;
        returns the root Message-ID. start > 0 adds later replies to an
        existing conversation."""
        root = "<%s-0@customer.example>" % token
        refs = " ".join("<%s-%d@customer.example>" % (token, i) for i in range(start)) or root
        for i in range(start, start + replies + (1 if start == 0 else 0)):
            mid = "<%s-%d@customer.example>" % (token, i)
            head = ("From: %s\r\nTo: support@example.org\r\n"
                    "Subject: %s help needed\r\nDate: Mon, 3 Jun 2024 10:0%d:00 +0000\r\n"
                    "Message-ID: %s\r\n" % (sender, token, i % 10, mid))
            if i > 0:
                head += "In-Reply-To: %s\r\nReferences: %s\r\n" % (refs.split()[-1], refs)
                refs += " " + mid
            self.s.append("support", "INBOX", (head + "\r\nplease %d\r\n" % i).encode(),
                          flags=keywords)
        return root

    def server_flags(self, token):
        """{message-id: set of flags} of the conversation, as support sees it."""
        with self.device("support") as c:
            c.select("INBOX", readonly=True)
            typ, data = c.uid("SEARCH", None, "SUBJECT", '"%s"' % token)
            uids = data[0].split()
            out = {}
            if not uids:
                return out
            typ, data = c.uid("FETCH", b",".join(uids),
                              "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                f = re.search(r"FLAGS \(([^)]*)\)", item[0].decode())
                mid = re.search(rb"<[^>]+>", item[1]).group(0).decode()
                out[mid] = set(f.group(1).split()) - {"\\Recent"}
            return out

    def assignees(self, token):
        return {mid: sorted(f for f in flags if f.startswith("assign/"))
                for mid, flags in self.server_flags(token).items()}

    # ---- tern
    def rc(self, user, me=None, extra="", members="alice bob carol"):
        cache = os.path.join(self.tmp, "cache-" + user)
        return self.mailrc(
            "set timeout=10s\nset cache-dir=%s\naccount a {\n"
            "    set imap=imap://%s@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo %s-pw"\n'
            '    set from="Example Support <support@example.org>"\n}\n'
            "team support {\n    set account=a\n    set folder=%s\n"
            '    set members="%s"\n    set me=%s\n    set reply-deadline=4h\n%s}\n'
            % (cache, user, self.s.imap_port, user, FOLDER, members, me or user, extra),
            name="rc-" + user)

    def tern_as(self, user, *args, status=None, env=None):
        r = self.tern("-F", self.rc(user), *args, timeout=120, env=env)
        if status is not None:
            self.assertStatus(r, status)
        return r

    def popen_as(self, user, *args, env=None):
        full = dict(os.environ, LC_ALL="C.UTF-8", MAILCAPS=os.devnull, HOME=self.tmp)
        full.update(env or {})
        return subprocess.Popen([TERN, "-F", self.rc(user)] + list(args),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=full,
                                start_new_session=True)

    def flag_changes(self, user):
        return [e for e in self.s.mail_log_events(self.log_start, user=user)
                if e["event"] == "flag_change"]

    def wait_for_waiting(self, procs, gate):
        """Until every process has said it waits at the gate (its first
        line on stderr), then opens the gate. Returns those lines."""
        early = {u: p.stderr.readline() for u, p in procs.items()}
        open(gate, "w").close()
        return early

    def statuses(self, token):
        return {mid: sorted(f for f in flags if f.startswith("status/"))
                for mid, flags in self.server_flags(token).items()}



class TestTeam(TeamCase):
    # ---- claims
    def test_claim_sets_the_whole_conversation_and_is_idempotent(self):
        tok = self.token()
        self.conversation(tok, replies=2)
        r = self.tern_as("alice", "--match", "subject:%s" % tok, "--claim", FOLDER, status=0)
        self.assertIn("claim: 1 conversation changed", r.err)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/alice",)})
        self.assertEqual(len(self.assignees(tok)), 3)
        # Claiming what I hold succeeds and changes nothing.
        mark = os.path.getsize(self.s.log_path)
        r = self.tern_as("alice", "--match", "subject:%s" % tok, "--claim", FOLDER, status=0)
        self.assertIn("0 conversations changed (1 already so)", r.err)
        self.assertEqual([e for e in self.s.mail_log_events(mark)
                          if e["event"] == "flag_change"], [])
        # bob is told who has it, and nothing changes.
        r = self.tern_as("bob", "--match", "subject:%s" % tok, "--claim", FOLDER, status=1)
        self.assertRegex(r.err, r"ticket %s \(.*\): held by alice; not claimed"
                         % ticket("<%s-0@customer.example>" % tok))
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/alice",)})

    def test_a_claim_matching_one_message_takes_the_conversation(self):
        tok = self.token()
        root = self.conversation(tok, replies=3)
        # The query finds the root only; the replies follow it.
        self.tern_as("bob", "--match", 'subject:%s -subject:"Re:"' % tok, "--claim",
                     FOLDER, status=0)
        with self.device("support") as c:
            c.select("INBOX", readonly=True)
            typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID", root)
            self.assertTrue(data[0].split())
        got = self.assignees(tok)
        self.assertEqual(len(got), 4)
        self.assertEqual(set(map(tuple, got.values())), {("assign/bob",)})

    def test_simultaneous_claims_exactly_one_wins(self):
        trials = int(os.environ.get("TERN_TEAM_TRIALS", "50"))
        wins = {"alice": 0, "bob": 0}
        for n in range(trials):
            tok = self.token()
            self.conversation(tok, replies=1)
            # Both read the conversation before either stores: each waits
            # for a file the test creates once both are waiting.
            gate = os.path.join(self.tmp, "gate%d" % n)
            env = {WAIT_ENV: gate}
            procs = {u: self.popen_as(u, "--match", "subject:%s" % tok, "--claim", FOLDER,
                                      env=env if n % 2 == 0 else None)
                     for u in ("alice", "bob")}
            early = {u: "" for u in procs}
            if n % 2 == 0:
                early = self.wait_for_waiting(procs, gate)
            out = {u: p.communicate(timeout=120) for u, p in procs.items()}
            out = {u: (o, early[u] + e) for u, (o, e) in out.items()}
            codes = {u: p.returncode for u, p in procs.items()}
            ctx = "trial %d: %r" % (n, {u: (codes[u], out[u][1]) for u in procs})
            self.assertEqual(sorted(codes.values()), [0, 1], ctx)
            winner = [u for u in codes if codes[u] == 0][0]
            loser = "bob" if winner == "alice" else "alice"
            wins[winner] += 1
            self.assertIn("held by %s" % winner, out[loser][1], ctx)
            got = self.assignees(tok)
            self.assertEqual(len(got), 2, ctx)
            self.assertEqual(set(map(tuple, got.values())), {("assign/" + winner,)}, ctx)
        print("# simultaneous claims: %d trials, alice won %d, bob won %d, "
              "double wins 0" % (trials, wins["alice"], wins["bob"]), file=sys.stderr)

    def test_the_loser_of_a_forced_race_reads_again_and_names_the_winner(self):
        tok = self.token()
        self.conversation(tok, replies=2)
        gate = os.path.join(self.tmp, "gate")
        alice = self.popen_as("alice", "--match", "subject:%s" % tok, "--claim", FOLDER,
                              env={WAIT_ENV: gate})
        # alice has read the conversation (nobody holds it) and waits.
        line = alice.stderr.readline()
        self.assertIn("debug: waiting for", line)
        self.tern_as("bob", "--match", "subject:%s" % tok, "--claim", FOLDER, status=0)
        open(gate, "w").close()
        out, err = alice.communicate(timeout=120)
        self.assertEqual(alice.returncode, 1, err)
        self.assertIn("held by bob; not claimed", err)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/bob",)})
        self.assertEqual([e for e in self.flag_changes("alice")], [],
                         "alice's conditional store changed nothing")

    # ---- status and assignment
    def test_status_is_set_on_the_conversation_and_seen_by_the_other(self):
        tok = self.token()
        root = self.conversation(tok, replies=2, keywords=("status/open",))
        t = ticket(root)
        self.tern_as("alice", "--match", "ticket:%s" % t, "--status", "pending", FOLDER,
                     status=0)
        flags = self.server_flags(tok)
        self.assertEqual(len(flags), 3)
        for f in flags.values():
            self.assertIn("status/pending", f)
            self.assertNotIn("status/open", f)
        # bob, on his own cache, sees it after his next sync.
        r = self.tern_as("bob", "--list", "--match", "ticket:%s status:pending" % t, FOLDER,
                         status=0)
        self.assertEqual(len(r.out.splitlines()), 3, repr(r))
        r = self.tern_as("alice", "--list", "--match", "ticket:%s" % t, FOLDER, status=0)
        self.assertEqual(len(r.out.splitlines()), 3, repr(r))

    def test_a_status_changed_meanwhile_is_reported_not_overwritten(self):
        tok = self.token()
        self.conversation(tok, replies=1, keywords=("status/open",))
        gate = os.path.join(self.tmp, "gate")
        alice = self.popen_as("alice", "--match", "subject:%s" % tok, "--status", "done",
                              FOLDER, env={WAIT_ENV: gate})
        self.assertIn("debug: waiting for", alice.stderr.readline())
        self.tern_as("bob", "--match", "subject:%s" % tok, "--status", "pending", FOLDER,
                     status=0)
        open(gate, "w").close()
        out, err = alice.communicate(timeout=120)
        self.assertEqual(alice.returncode, 1, err)
        self.assertIn("status set to pending by someone else meanwhile", err)
        for f in self.server_flags(tok).values():
            self.assertIn("status/pending", f)
            self.assertNotIn("status/done", f)

    def test_assign_replaces_the_assignee_and_none_clears_it(self):
        tok = self.token()
        self.conversation(tok, replies=1, keywords=("assign/bob",))
        self.tern_as("alice", "--match", "subject:%s" % tok, "--assign", "carol", FOLDER,
                     status=0)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/carol",)})
        self.tern_as("alice", "--match", "subject:%s" % tok, "--assign", "none", FOLDER,
                     status=0)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {()})
        r = self.tern_as("alice", "--match", "subject:%s" % tok, "--assign", "mallory",
                         FOLDER, status=2)
        self.assertIn("not a member of team 'support'", r.err)

    def test_a_status_set_offline_reaches_the_whole_conversation(self):
        tok = self.token()
        self.conversation(tok, replies=2, keywords=("status/open",))
        self.tern_as("alice", "--list", FOLDER, status=0)
        # Offline, on the root only; the replay gives it to the replies.
        r = self.tern_as("alice", "--offline", "--match", 'subject:%s -subject:"Re:"' % tok,
                         "--status", "done", FOLDER, status=0)
        self.assertIn("changed offline", r.err)
        self.assertEqual(set(map(tuple, self.statuses(tok).values())), {("status/open",)})
        r = self.tern_as("alice", "--replay", status=0)
        got = self.statuses(tok)
        self.assertEqual(len(got), 3)
        self.assertEqual(set(map(tuple, got.values())), {("status/done",)}, r.err)

    def test_settings_the_team_keeps_on_the_server(self):
        folder = self.new_folder("TeamShared")
        with self.device("alice") as c:
            c.append(folder, None, None, b"From: Support <support@example.org>\r\n"
                     b"Subject: settings\r\n\r\n"
                     b"# shared by the whole team\r\n"
                     b"set members=\"alice bob dave\"\r\nset me=mallory\r\n")
        tok = self.token()
        self.conversation(tok)
        rc = self.rc("alice", extra="    set templates=imap:%s\n" % folder)
        # dave is a member on the server only; me= there is refused.
        r = self.tern("-F", rc, "--match", "subject:%s" % tok, "--assign", "dave", FOLDER,
                      timeout=120)
        self.assertStatus(r, 0)
        self.assertIn("imap:%s/settings:3: 'me' is not a setting the team shares" % folder,
                      r.err)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/dave",)})
        # The report counts with the team's deadline: one hour, where the
        # mailrc says four; a conversation waiting two hours is overdue.
        with self.device("alice") as c:
            c.append(folder, None, None, b"From: Support <support@example.org>\r\n"
                     b"Subject: settings\r\n\r\nset members=\"alice bob dave\"\r\n"
                     b"set reply-deadline=1h\r\n")
        self.empty_folder("support")
        self.s.append("support", "INBOX", b"From: C <c@customer.example>\r\n"
                      b"Subject: late\r\nMessage-ID: <late@customer.example>\r\n\r\nx\r\n",
                      internaldate=time.time() - 7200)
        r = self.tern("-F", rc, "--team-report", "--json", "support", timeout=120)
        self.assertStatus(r, 0)
        self.assertEqual(json.loads(r.out)["queues"]["overdue"], 1, repr(r))
        r = self.tern("-F", rc, "--team-report", "--json", "--offline", "support",
                      timeout=120)
        self.assertEqual(json.loads(r.out)["queues"]["overdue"], 0, "offline: the mailrc's")
        # carol is a member in the mailrc only: the team's list wins.
        r = self.tern("-F", rc, "--match", "subject:%s" % tok, "--assign", "carol", FOLDER,
                      timeout=120)
        self.assertStatus(r, 2)
        self.assertIn("members: alice bob dave", r.err)

    # ---- rights
    def test_a_read_only_member_is_refused_before_anything_is_sent(self):
        tok = self.token()
        self.conversation(tok, replies=1)
        for args in (["--claim"], ["--status", "done"], ["--add-label", "Later"],
                     ["--mark-read"]):
            r = self.tern_as("carol", "--match", "subject:%s" % tok, *args, FOLDER,
                             status=1)
            self.assertIn("you may not", r.err)
            self.assertIn("rights on this folder are 'lr'", r.err)
        self.assertEqual(self.flag_changes("carol"), [])
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {()})
        # carol still sees the queue.
        r = self.tern_as("carol", "--list", "--match", "subject:%s" % tok, FOLDER, status=0)
        self.assertEqual(len(r.out.splitlines()), 2, repr(r))

    def test_check_says_who_may_do_what(self):
        r = self.tern_as("carol", "--check", status=0)
        self.assertRegex(r.out, r"team\s+support: Shared/support/INBOX: your rights lr: "
                         r"read only")
        # alice administers the folder, so the server tells her everyone's.
        r = self.tern_as("alice", "--check", status=0)
        self.assertRegex(r.out, r"team\s+support:\s+bob lrws: claims, assigns, sets status "
                         r"and replies; marks read")
        self.assertRegex(r.out, r"team\s+support:\s+carol lr: read only")
        # bob may not read the list: only his own rights are shown.
        r = self.tern_as("bob", "--check", status=0)
        self.assertIn("your rights lrws:", r.out)
        self.assertNotIn("carol lr", r.out)

    # ---- configuration and other folders
    def test_claim_outside_a_team_folder_is_refused(self):
        folder = self.new_folder("NotTeam")
        with self.device("alice") as c:
            c.append(folder, None, None, b"From: x@y\r\nSubject: lone\r\n"
                     b"Message-ID: <lone@x>\r\n\r\nhi\r\n")
        r = self.tern_as("alice", "--match", "subject:lone", "--claim", folder, status=1)
        self.assertIn("--claim works on team folders only", r.err)

    def test_claim_without_me_is_a_configuration_error(self):
        rc = self.mailrc(
            "set cache-dir=%s\naccount a {\n    set imap=imap://alice@127.0.0.1:%d\n"
            '    set tls=no\n    set password-command="echo alice-pw"\n}\n'
            "team support {\n    set account=a\n    set folder=%s\n}\n"
            % (os.path.join(self.tmp, "c"), self.s.imap_port, FOLDER), name="rc-nome")
        r = self.tern("-F", rc, "--match", "subject:x", "--claim", FOLDER, timeout=60)
        self.assertStatus(r, 2)
        self.assertIn("has no me=", r.err)

    def test_ticket_numbers_are_the_same_for_both_teammates(self):
        tok = self.token()
        root = self.conversation(tok, replies=2)
        t = ticket(root)
        for user in ("alice", "bob"):
            r = self.tern_as(user, "--list", "--match", "ticket:%s" % t, FOLDER, status=0)
            self.assertEqual(len(r.out.splitlines()), 3, "%s\n%r" % (user, r))

    # ---- new mail
    def test_new_mail_opens_joins_and_reopens(self):
        tok = self.token()
        root = self.conversation(tok, replies=1)
        r = self.tern_as("alice", "--filter", status=0)
        self.assertIn("team support:", r.err)
        self.assertEqual(set(map(tuple, self.statuses(tok).values())), {("status/open",)})
        self.tern_as("alice", "--match", "subject:%s" % tok, "--claim", "--status", "pending",
                     FOLDER, status=0)
        # Our own reply (From the account's address) joins as pending.
        self.conversation(tok, replies=1, start=2,
                          sender="Example Support <support@example.org>")
        self.tern_as("bob", "--filter", status=0)
        got = self.statuses(tok)
        self.assertEqual(set(map(tuple, got.values())), {("status/pending",)}, got)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/alice",)})
        # The customer writes again: the conversation opens again, still alice's.
        self.conversation(tok, replies=1, start=3)
        r = self.tern_as("bob", "--filter", status=0)
        self.assertIn("1 reopened", r.err)
        got = self.statuses(tok)
        self.assertEqual(len(got), 4)
        self.assertEqual(set(map(tuple, got.values())), {("status/open",)}, got)
        self.assertEqual(set(map(tuple, self.assignees(tok).values())), {("assign/alice",)})
        # A second run changes nothing.
        mark = os.path.getsize(self.s.log_path)
        self.tern_as("alice", "--filter", status=0)
        self.assertEqual([e for e in self.s.mail_log_events(mark)
                          if e["event"] == "flag_change"], [])
        # The ticket held through it all.
        r = self.tern_as("bob", "--list", "--match", "ticket:%s status:open" % ticket(root),
                         FOLDER, status=0)
        self.assertEqual(len(r.out.splitlines()), 4, repr(r))

    def test_a_read_only_member_leaves_new_mail_to_the_others(self):
        tok = self.token()
        self.conversation(tok, replies=1)
        r = self.tern_as("carol", "--filter", status=0)
        self.assertIn("left to a teammate who may change it", r.err)
        self.assertEqual(self.flag_changes("carol"), [])
        self.assertEqual(set(map(tuple, self.statuses(tok).values())), {()})

    def test_filter_dry_run_changes_nothing(self):
        tok = self.token()
        self.conversation(tok, replies=1)
        mark = os.path.getsize(self.s.log_path)
        r = self.tern_as("alice", "--filter", "--dry-run", status=0)
        self.assertIn("would be:", r.err)
        self.assertEqual([e for e in self.s.mail_log_events(mark)
                          if e["event"] == "flag_change"], [])
        self.assertEqual(set(map(tuple, self.statuses(tok).values())), {()})


class TestTeamAcknowledge(TeamCase):
    """The automatic acknowledgement (RFC 3834) of tern --filter, with the
    SMTP sink showing exactly what went out. A class of its own: it
    empties the team folder before each test so every count is exact."""

    def setUp(self):
        super().setUp()
        self.empty_folder("support")
        self.templates = os.path.join(self.tmp, "templates")
        os.makedirs(self.templates)
        # The first run records when acknowledgements began; nothing
        # before that moment is ever answered.
        self.ack("alice")
        self.s.clear_sink()

    def rc(self, user, me=None, extra="", members="alice bob carol"):
        extra = ("    set acknowledge=yes\n    set templates=%s\n%s"
                 % (self.templates, extra))
        path = super().rc(user, me=me, extra=extra, members=members)
        with open(path) as f:
            text = f.read()
        text = text.replace("    set tls=no\n", "    set smtp=smtp://%s@127.0.0.1:%d\n"
                            "    set tls=no\n" % (user, self.s.smtp_port), 1)
        return self.mailrc(text, name=os.path.basename(path))

    def ack(self, user, status=0):
        return self.tern_as(user, "--filter", status=status)

    def mail(self, token, headers="", sender="Jane Doe <jane@customer.example>",
             internaldate=None, reply_to=None):
        mid = "<%s@customer.example>" % token
        head = ("From: %s\r\nTo: support@example.org\r\nSubject: %s question\r\n"
                "Date: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: %s\r\n%s"
                % (sender, token, mid, headers))
        if reply_to:
            head += "In-Reply-To: %s\r\nReferences: %s\r\n" % (reply_to, reply_to)
        self.s.append("support", "INBOX", (head + "\r\nhello\r\n").encode(),
                      internaldate=internaldate)
        return mid

    def sent(self):
        return self.s.sink_messages()

    def test_one_acknowledgement_to_a_person_none_to_robots_or_lists(self):
        t = self.token()
        root = self.mail(t + "a")
        for n, headers in enumerate((
                "Auto-Submitted: auto-replied\r\n",
                "List-Id: Users <users.lists.example.org>\r\n",
                "Precedence: bulk\r\n",
                "X-Auto-Response-Suppress: All\r\n",
                "Content-Type: multipart/report; report-type=delivery-status; "
                "boundary=x\r\n")):
            self.mail("%sr%d" % (t, n), headers, sender="R <r%d@robots.example>" % n)
        self.mail(t + "n", sender="Shop <no-reply@shop.example>")
        self.mail(t + "m", sender="MAILER-DAEMON@mx.example")
        self.mail(t + "o", sender="Example Support <support@example.org>")
        r = self.ack("alice")
        self.assertIn("1 acknowledgement sent", r.err)
        out = self.sent()
        self.assertEqual(len(out), 1, [m["data"][:300] for m in out])
        m = out[0]
        self.assertEqual(m["rcpt_tos"], ["jane@customer.example"])
        data = m["data"].decode()
        self.assertIn("Auto-Submitted: auto-replied\r\n", data)
        self.assertIn("In-Reply-To: %s\r\n" % root, data)
        self.assertRegex(data, r"Subject: \[#%s\] Re: %sa question" % (ticket(root), t))
        self.assertIn("Hello Jane Doe,", data)
        # Once per conversation: again, and after the customer writes more.
        self.ack("bob")
        self.mail(t + "a2", reply_to=root)
        self.ack("alice")
        self.assertEqual(len(self.sent()), 1)
        self.assertIn("tern/acked", self.server_flags(t + "a question").get(root, set()))

    def test_two_teammates_send_one_acknowledgement(self):
        roots = [self.mail(self.token() + "x%d" % i, sender="P%d <p%d@c.example>" % (i, i))
                 for i in range(5)]
        procs = [self.popen_as(u, "--filter") for u in ("alice", "bob")]
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
        got = sorted(re.search(r"In-Reply-To: (<[^>]+>)", m["data"].decode()).group(1)
                     for m in self.sent())
        self.assertEqual(got, sorted(roots))

    def test_backlog_and_a_flood_get_no_more(self):
        t = self.token()
        # Mail that arrived before acknowledgements began (an import).
        self.mail(t + "old", internaldate=time.time() - 86400)
        for i in range(5):
            self.mail("%sf%d" % (t, i), sender="Flood <flood@c.example>")
        r = self.ack("alice")
        out = self.sent()
        self.assertEqual(len(out), 3, r.err)
        self.assertEqual({m["rcpt_tos"][0] for m in out}, {"flood@c.example"})
        self.assertIn("had 3 already this hour", r.err)

    def test_the_team_template(self):
        with open(os.path.join(self.templates, "received"), "w") as f:
            f.write("Subject: Ticket ${ticket}: ${subject}\n\nDear ${customer},\n"
                    "we are on it (${team}, ${agent}). It costs $5.\n")
        t = self.token()
        root = self.mail(t, sender="=?UTF-8?Q?J=C3=BCrgen?= <j@c.example>")
        r = self.tern("-F", self.rc("alice", extra="    set acknowledge-template=received\n"),
                      "--filter", timeout=120)
        self.assertStatus(r, 0)
        out = self.sent()
        self.assertEqual(len(out), 1, r.err)
        data = out[0]["data"].decode()
        self.assertIn("Subject: Ticket %s: %s question" % (ticket(root), t), data)
        self.assertIn("we are on it (support, alice). It costs $5.", data)
        # A template that is not there: said, nothing sent, exit 1.
        self.mail(self.token())
        r = self.tern("-F", self.rc("alice", extra="    set acknowledge-template=nope\n"),
                      "--filter", timeout=120)
        self.assertStatus(r, 1)
        self.assertIn("no acknowledgements are sent", r.err)
        self.assertEqual(len(self.sent()), 1)

    def test_templates_kept_in_an_imap_folder(self):
        folder = self.new_folder("TeamTemplates")
        with self.device("alice") as c:
            typ, _ = c.append(folder, None, None, (
                "From: Support <support@example.org>\r\nSubject: received\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n"
                "Subject: Ticket ${ticket} received\n\nHej ${customer}, fr\u00e5n IMAP.\n"
                ).encode())
            self.assertEqual(typ, "OK")
        t = self.token()
        root = self.mail(t, sender="Greta <greta@c.example>")
        r = self.tern("-F", self.rc("alice", extra="    set templates=imap:%s\n"
                                    "    set acknowledge-template=received\n" % folder),
                      "--filter", timeout=120)
        self.assertStatus(r, 0)
        out = self.sent()
        self.assertEqual(len(out), 1, r.err)
        data = out[0]["data"]
        self.assertIn(b"Subject: Ticket %s received" % ticket(root).encode(), data)
        self.assertIn("Hej Greta, fr\u00e5n IMAP.".encode(), quopri_decode(data))
        # A name the folder does not have: said, nothing sent.
        self.mail(self.token())
        r = self.tern("-F", self.rc("alice", extra="    set templates=imap:%s\n"
                                    "    set acknowledge-template=nope\n" % folder),
                      "--filter", timeout=120)
        self.assertStatus(r, 1)
        self.assertIn("no template named 'nope'", r.err)
        self.assertEqual(len(self.sent()), 1)


def quopri_decode(data):
    """The body of a sent message, quoted-printable undone."""
    import quopri
    return quopri.decodestring(data.split(b"\r\n\r\n", 1)[1])
