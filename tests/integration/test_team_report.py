"""The read side of team folders in the batch CLI, against the real Dovecot:
tern --team-report [--json] [TEAM] on support's shared INBOX (alice sees
it as Shared/support/INBOX), and the "status", "assign" and "ticket" keys
--list --json adds in a team folder (and only there).

The mail is written as support with controlled Message-ID / References,
INTERNALDATEs relative to now and keywords, so that every number of the
report is known: queues, per assignee, the conversation waiting longest
(a team reply recognised by the account's from= address and by the
tern/reply keyword), the median first response (an even count), done
today, and a conversation whose messages disagree (the newest message
that has a status decides)."""

import base64
import hashlib
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))

from servers import imap_append, pick_free_ports  # noqa: E402
from ternlib import ServersTestCase  # noqa: E402

TEAM_FOLDER = "Shared/support/INBOX"
H = 3600
DAY = 86400
LIST_KEYS = {"subject", "from", "to", "cc", "date", "message_id", "in_reply_to",
             "references", "attachments", "folder", "uid", "flags", "labels", "size",
             "thread"}


def ticket(msgid):
    """rules/ticket.h: base32 of SHA-256 of the root id without brackets."""
    digest = hashlib.sha256(msgid.strip("<>").encode()).digest()
    return base64.b32encode(digest).decode()[:6]


def raw(msgid, sender, subject, root=None):
    hdr = ("From: %s\r\nTo: support@example.com\r\nSubject: %s\r\n"
           "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: %s\r\n"
           % (sender, subject, msgid))
    if root:
        hdr += "In-Reply-To: %s\r\nReferences: %s\r\n" % (root, root)
    return (hdr + "\r\nbody of %s\r\n" % msgid).encode()


def local_midnight(now):
    t = time.localtime(now)
    return int(time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1)))


CUST = "Customer <cust@example.net>"
TEAM_FROM = "Support <Support@Example.COM>"	# the account's from=, in another case
ALICE = "Alice <alice@example.org>"		# a teammate's own address: not the team's


class TestTeamReport(ServersTestCase):
    def setUp(self):
        super().setUp()
        self.cache = os.path.join(self.tmp, "cache")
        self.empty_folder("support")
        self.empty_folder("alice")

    # ---- mail
    def put(self, msgs, user="support", folder="INBOX"):
        """msgs: [(message-id, from, subject, root or None, internaldate,
        keywords)], appended in this order."""
        with self.device(user) as c:
            for msgid, sender, subject, root, when, kw in msgs:
                imap_append(c, folder, raw(msgid, sender, subject, root), kw,
                            internaldate=when)

    def fill_team(self):
        """The conversations of the module docstring. Returns what the
        report must say about them."""
        now = int(time.time())
        midnight = local_midnight(now)
        today = max(midnight + 1, now - 30)
        O, P, D = "status/open", "status/pending", "status/done"
        self.put([
            # A: open, unassigned, never answered: waiting 10h (overdue,
            # and the longest).
            ("<a1@cust>", CUST, "Printer on fire", None, now - 10 * H, ("Billing",)),
            # B: bob's; answered (From = the account's from=) after 1h, the
            # customer wrote again 5h ago: waiting 5h, overdue.
            ("<b1@cust>", CUST, "Refund", None, now - 20 * H, (O, "assign/bob")),
            ("<b2@team>", TEAM_FROM, "Re: Refund", "<b1@cust>", now - 19 * H,
             (O, "assign/bob")),
            ("<b3@cust>", CUST, "Re: Refund", "<b1@cust>", now - 5 * H,
             (O, "assign/bob")),
            # C: alice's; answered with tern/reply after 30 minutes, which
            # was the last word: not waiting.
            ("<c1@cust>", CUST, "Login fails", None, now - 12 * H, (O, "assign/alice")),
            ("<c2@alice>", ALICE, "Re: Login fails", "<c1@cust>", now - 12 * H + 1800,
             (O, "assign/alice", "tern/reply")),
            # D: pending, alice's; answered after 2h.
            ("<d1@cust>", CUST, "Invoice copy", None, now - 30 * H,
             (P, "assign/alice")),
            ("<d2@team>", "support@example.com", "Re: Invoice copy", "<d1@cust>",
             now - 28 * H, (P, "assign/alice", "tern/acked")),
            # E: done, with a message today; F: done, nothing today.
            ("<e1@cust>", CUST, "Thanks!", None, today, (D, "assign/carol")),
            ("<f1@cust>", CUST, "Old question", None, midnight - 5 * H, (D,)),
            # G: the messages disagree; the newest with a status (g2)
            # decides: pending, dave's (not a member). g3 has no keyword.
            ("<g1@cust>", CUST, "Mixed", None, now - 3 * H, (D, "assign/bob")),
            ("<g2@cust>", CUST, "Re: Mixed", "<g1@cust>", now - 2 * H,
             (P, "assign/dave")),
            ("<g3@cust>", CUST, "Re: Mixed", "<g1@cust>", now - 1 * H, ()),
            # H: bob's, begun 40 days ago (out of the median's period),
            # answered, then the customer again 3h ago: waiting, not overdue.
            ("<h1@cust>", CUST, "Ancient", None, now - 40 * DAY, (O, "assign/bob")),
            ("<h2@team>", TEAM_FROM, "Re: Ancient", "<h1@cust>", now - 40 * DAY + 600,
             (O, "assign/bob")),
            ("<h3@cust>", CUST, "Re: Ancient", "<h1@cust>", now - 3 * H,
             (O, "assign/bob")),
            # I: pending, nobody's; answered (tern/reply) after 15 minutes.
            ("<i1@cust>", CUST, "Question", None, now - 6 * H, (P,)),
            ("<i2@team>", ALICE, "Re: Question", "<i1@cust>", now - 6 * H + 900,
             (P, "tern/reply")),
        ])
        return {
            "queues": {"unassigned": 1, "mine": 2, "open": 4, "pending": 3, "overdue": 2,
                       "done_today": 1, "total": 9},
            "assignees": {"alice": {"open": 1, "pending": 1},
                          "bob": {"open": 2, "pending": 0},
                          "carol": {"open": 0, "pending": 0},
                          "dave": {"open": 0, "pending": 1},
                          "none": {"open": 1, "pending": 1}},
            "oldest": (ticket("<a1@cust>"), "Printer on fire", now - 10 * H),
            # first responses in the period: 900, 1800, 3600, 7200
            "median": (1800 + 3600) // 2,
        }

    # ---- tern
    def rc(self, port=None, teams=None, me="set me=alice", deadline="set reply-deadline=4h"):
        if teams is None:
            teams = ("team support {\n    set account=a\n    set folder=%s\n"
                     '    set members="alice bob carol"\n    %s\n    %s\n}\n'
                     % (TEAM_FOLDER, me, deadline))
        return self.mailrc(
            "set timeout=5s\nset cache-dir=%s\naccount a {\n"
            "    set imap=imap://alice@127.0.0.1:%d\n    set tls=no\n"
            '    set password-command="echo alice-pw"\n'
            '    set from="Support Team <support@example.com>"\n}\n%s'
            % (self.cache, port or self.s.imap_port, teams))

    def report(self, *args, status=0, rc=None):
        before = int(time.time())
        r = self.tern("-F", rc or self.rc(), "--team-report", *args, timeout=120)
        after = int(time.time())
        self.assertStatus(r, status)
        return r, before, after

    def closed_port(self):
        return pick_free_ports(1)[0]

    def check_json(self, line, want, before, after):
        rep = json.loads(line)
        self.assertEqual(list(rep), ["team", "folder", "queues", "assignees",
                                     "oldest_waiting", "median_first_response",
                                     "period_days"])
        self.assertEqual(rep["team"], "support")
        self.assertEqual(rep["folder"], TEAM_FOLDER)
        self.assertEqual(rep["queues"], want["queues"])
        self.assertEqual(list(rep["queues"]), ["unassigned", "mine", "open", "pending",
                                               "overdue", "done_today", "total"])
        self.assertEqual(rep["assignees"], want["assignees"])
        self.assertEqual(list(rep["assignees"]), ["alice", "bob", "carol", "dave", "none"],
                         "members in mailrc order, then others, then none")
        for v in list(rep["queues"].values()) + [
                n for a in rep["assignees"].values() for n in a.values()]:
            self.assertIs(type(v), int)
        tk, subject, since = want["oldest"]
        old = rep["oldest_waiting"]
        self.assertEqual(sorted(old), ["seconds", "subject", "ticket"])
        self.assertEqual(old["ticket"], tk)
        self.assertEqual(old["subject"], subject)
        self.assertIs(type(old["seconds"]), int)
        self.assertGreaterEqual(old["seconds"], before - since)
        self.assertLessEqual(old["seconds"], after - since)
        self.assertEqual(rep["median_first_response"], want["median"])
        self.assertIs(type(rep["median_first_response"]), int)
        self.assertEqual(rep["period_days"], 30)
        return rep

    # ---- the report
    def test_json_report(self):
        want = self.fill_team()
        r, before, after = self.report("--json", "support")
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 1, r)
        self.assertTrue(r.out.endswith("}\n"))
        self.check_json(lines[0], want, before, after)
        # Without a team name: every team, here the one.
        r, before, after = self.report("--json")
        self.assertEqual(len(r.out.splitlines()), 1)
        self.check_json(r.out, want, before, after)

    def test_plain_report(self):
        want = self.fill_team()
        r, _, _ = self.report()
        out = r.out
        self.assertTrue(out.startswith("team support: %s\n" % TEAM_FOLDER), out)
        for label, n in (("unassigned", 1), ("mine", 2), ("open", 4), ("pending", 3),
                         ("overdue", 2), ("done today", 1), ("total", 9)):
            self.assertRegex(out, r"(?m)^  %s +%d$" % (label, n))
        self.assertRegex(out, r"(?m)^  assignee +open  pending$")
        for name, a in want["assignees"].items():
            self.assertRegex(out, r"(?m)^  %s +%d +%d$" % (name, a["open"], a["pending"]))
        self.assertRegex(out, r"(?m)^  oldest waiting: %s, 10h [01]m: Printer on fire$"
                         % want["oldest"][0])
        self.assertIn("\n  median first response (last 30 days): 45m 0s\n", out)
        # Every line is text: no control characters, no JSON.
        self.assertFalse(re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out))
        self.assertEqual(r.err, "")

    def test_without_me_or_deadline(self):
        self.fill_team()
        rc = self.rc(me="", deadline="")
        r, _, _ = self.report("--json", rc=rc)
        rep = json.loads(r.out)
        self.assertEqual(rep["queues"]["mine"], 0)
        self.assertEqual(rep["queues"]["overdue"], 0)
        self.assertEqual(rep["queues"]["open"], 4)
        r, _, _ = self.report(rc=rc)
        self.assertNotRegex(r.out, r"(?m)^  mine ")
        self.assertRegex(r.out, r"(?m)^  overdue +0$")

    def test_empty_team_folder(self):
        r, _, _ = self.report("--json")
        rep = json.loads(r.out)
        self.assertEqual(rep["queues"], {"unassigned": 0, "mine": 0, "open": 0, "pending": 0,
                                         "overdue": 0, "done_today": 0, "total": 0})
        self.assertEqual(rep["assignees"], {n: {"open": 0, "pending": 0}
                                            for n in ("alice", "bob", "carol", "none")})
        self.assertIsNone(rep["oldest_waiting"])
        self.assertIsNone(rep["median_first_response"])
        r, _, _ = self.report()
        self.assertIn("  oldest waiting: none\n", r.out)
        self.assertIn("  median first response (last 30 days): none\n", r.out)

    def test_offline_from_the_cache(self):
        # Nothing cached yet: said plainly, as --list says it.
        r, _, _ = self.report("--offline", "--json", status=1,
                              rc=self.rc(port=self.closed_port()))
        self.assertIn("not in the cache yet", r.err)
        self.assertEqual(r.out, "")
        want = self.fill_team()
        self.report("--json")
        # New mail after the sync is not seen offline; no network is used
        # (the port is closed).
        self.put([("<z1@cust>", CUST, "Later", None, int(time.time()), ())])
        r, before, after = self.report("--offline", "--json",
                                       rc=self.rc(port=self.closed_port()))
        self.assertIn("from the cache, synced", r.err)
        self.check_json(r.out, want, before, after)
        # Online again, the new conversation counts.
        r, _, _ = self.report("--json")
        self.assertEqual(json.loads(r.out)["queues"]["total"], 10)

    def test_cannot_connect(self):
        r, _, _ = self.report("--json", status=3, rc=self.rc(port=self.closed_port()))
        self.assertEqual(r.out, "")

    def test_unknown_team_and_usage(self):
        r, _, _ = self.report("suport", status=2)
        self.assertIn("no team named 'suport' (did you mean 'support'?)", r.err)
        self.assertEqual(r.out, "")
        r, _, _ = self.report("zzzzzzzz", status=2)
        self.assertIn("no team named 'zzzzzzzz'", r.err)
        self.assertNotIn("did you mean", r.err)
        self.report("support", "other", status=2)
        r, _, _ = self.report(status=2, rc=self.rc(teams=""))
        self.assertIn("no team defined", r.err)

    def test_every_team_in_order(self):
        self.fill_team()
        self.put([("<own1@x>", CUST, "Mine alone", None, int(time.time()) - 60,
                   ("assign/alice",))], user="alice")
        teams = ("team support {\n    set account=a\n    set folder=%s\n"
                 '    set members="alice bob carol"\n}\n'
                 "team own {\n    set account=a\n    set folder=INBOX\n"
                 "    set members=alice\n    set me=alice\n}\n" % TEAM_FOLDER)
        r, _, _ = self.report("--json", rc=self.rc(teams=teams))
        reps = [json.loads(line) for line in r.out.splitlines()]
        self.assertEqual([x["team"] for x in reps], ["support", "own"])
        self.assertEqual(reps[1]["queues"]["mine"], 1)
        self.assertEqual(reps[1]["queues"]["total"], 1)
        self.assertEqual(reps[1]["oldest_waiting"]["subject"], "Mine alone")
        r, _, _ = self.report("own", rc=self.rc(teams=teams))
        self.assertTrue(r.out.startswith("team own: INBOX\n"))
        r, _, _ = self.report(rc=self.rc(teams=teams))
        self.assertIn("\n\nteam own: INBOX\n", r.out, "a blank line between teams")
        # INBOX is named in any case: --list inbox is the team folder.
        r = self.tern("-F", self.rc(teams=teams), "--list", "--json", "inbox")
        self.assertStatus(r, 0)
        row = json.loads(r.out)
        self.assertEqual(row["status"], "open")
        self.assertEqual(row["assign"], "alice")
        self.assertEqual(row["ticket"], ticket("<own1@x>"))
        self.assertEqual(row["labels"], [])

    # ---- --list in a team folder, and elsewhere
    def test_list_json_in_the_team_folder(self):
        self.fill_team()
        r = self.tern("-F", self.rc(), "--list", "--json", TEAM_FOLDER)
        self.assertStatus(r, 0)
        rows = {x["message_id"]: x for x in map(json.loads, r.out.splitlines())}
        self.assertEqual(len(rows), 18)
        for row in rows.values():
            self.assertEqual(set(row), LIST_KEYS | {"status", "assign", "ticket"})
            for label in row["labels"]:
                self.assertFalse(label.lower().startswith(("status/", "assign/", "tern/")),
                                 row)
        self.assertEqual(rows["<a1@cust>"]["labels"], ["Billing"])
        self.assertEqual(rows["<d2@team>"]["labels"], [])
        expect = {"<a1@cust>": ("open", None, "<a1@cust>"),
                  "<b2@team>": ("open", "bob", "<b1@cust>"),
                  "<d2@team>": ("pending", "alice", "<d1@cust>"),
                  "<e1@cust>": ("done", "carol", "<e1@cust>"),
                  "<f1@cust>": ("done", None, "<f1@cust>"),
                  "<i1@cust>": ("pending", None, "<i1@cust>")}
        # G's messages disagree; every one shows the conversation's state.
        for mid in ("<g1@cust>", "<g2@cust>", "<g3@cust>"):
            expect[mid] = ("pending", "dave", "<g1@cust>")
        for mid, (st, who, root) in expect.items():
            row = rows[mid]
            self.assertEqual((row["status"], row["assign"], row["ticket"]),
                             (st, who, ticket(root)), mid)
        # The plain list shows them too, and no reserved keyword.
        r = self.tern("-F", self.rc(), "--list", TEAM_FOLDER)
        self.assertStatus(r, 0)
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 18)
        fire = [x for x in lines if "Printer on fire" in x][0]
        self.assertTrue(fire.endswith("  [Billing]  ticket:%s status:open"
                                      % ticket("<a1@cust>")), fire)
        mixed = [x for x in lines if "Re: Mixed" in x]
        self.assertTrue(all(x.endswith("status:pending assign:dave") for x in mixed), mixed)
        self.assertNotIn("status/", r.out)
        self.assertNotIn("assign/", r.out)
        self.assertNotIn("tern/", r.out)
        # Offline, from the cache: the same keys.
        r = self.tern("-F", self.rc(port=self.closed_port()), "--list", "--json",
                      "--offline", TEAM_FOLDER)
        self.assertStatus(r, 0)
        self.assertEqual(len(r.out.splitlines()), 18)
        self.assertIn('"ticket":"%s"' % ticket("<a1@cust>"), r.out)

    def test_list_json_elsewhere_is_unchanged(self):
        folder = self.new_folder("Plain")
        self.put([("<p1@x>", CUST, "Plain one", None, int(time.time()) - 60,
                   ("status/open", "assign/bob", "Billing"))], user="alice", folder=folder)
        # The team block names the shared folder, not this one; and a
        # team of another account on this folder does not count either.
        teams = ("team support {\n    set account=a\n    set folder=%s\n}\n"
                 "account b {\n    set imap=imap://bob@127.0.0.1:1\n    set tls=no\n}\n"
                 "team other {\n    set account=b\n    set folder=%s\n}\n"
                 % (TEAM_FOLDER, folder))
        r = self.tern("-F", self.rc(teams=teams), "--list", "--json", folder)
        self.assertStatus(r, 0)
        row = json.loads(r.out)
        self.assertEqual(set(row), LIST_KEYS)
        self.assertEqual(list(row)[-2:], ["size", "thread"], "the last keys as before")
        self.assertEqual(sorted(row["labels"]), ["Billing", "assign/bob", "status/open"],
                         "other folders list every keyword, as before")
        r = self.tern("-F", self.rc(teams=teams), "--list", folder)
        self.assertStatus(r, 0)
        self.assertRegex(r.out, r"Plain one  \[[^\]]*status/open[^\]]*\]\n$")
        self.assertNotIn("ticket:", r.out)
