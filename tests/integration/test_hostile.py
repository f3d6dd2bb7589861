"""`tern --folders` against tests/faults/hostile.py, a scripted server that
sends what no real server does: huge or deeply nested responses, forged
completions inside literals, BYE, NUL bytes, names that are not UTF-8,
silence, unknown tags, floods of STATUS answers.

For every scenario, in text and JSON mode: the right exit status (0, or 3
with a stderr line naming the account and saying what happened), no crash,
no hang, no control characters on stdout or stderr, valid JSON, and a peak
memory (ru_maxrss from wait4) under 64 MiB. The peaks are printed on
stderr, and written to the file named by $TERN_PEAKS_FILE when it is set,
one "scenario peak_kib" line per run ("scenario/json" for JSON mode).

TestHostileValgrind runs each scenario once more under valgrind (when
/usr/bin/valgrind exists) and fails on memory errors or definite and
indirect leaks."""

import concurrent.futures
import os
import sys
import unittest

from test_faults import (CANNOT_READ, ENDED, NO_ANSWER, TIMEOUT, TernRunMixin,  # noqa: E402
                         json_rows, mailrc_text, run_tern)
from ternlib import TernTestCase  # noqa: E402

# test_faults has put tests/faults on sys.path.
from hostile import BAD_NAMES, NORMAL_FOLDERS, SCENARIOS, HostileServer  # noqa: E402

MAX_RSS_KIB = 64 * 1024
VALGRIND = "/usr/bin/valgrind"

# scenario: (allowed exit statuses, phrase stderr must say when it is 3)
EXPECT = {
    "normal": ((0,), None),
    "huge_literal": ((3,), CANNOT_READ),
    "big_literal": ((3,), CANNOT_READ),
    "deep_parens": ((3,), CANNOT_READ),
    "forged_completion": ((0,), None),
    "bye": ((3,), ENDED),
    "bad_utf8_names": ((0,), None),
    "nul_bytes": ((3,), CANNOT_READ),
    "nul_in_literal": ((0,), None),
    "silent": ((3,), NO_ANSWER),
    "long_line": ((3,), CANNOT_READ),
    "unknown_tag": ((3,), CANNOT_READ),
    "stray_continuation": ((3,), CANNOT_READ),
    "status_flood": ((0,), None),
    "status_huge": ((1,), None),
}


def total_for(name):
    """MESSAGES in the hostile server's STATUS answer for name (bytes)."""
    return 10 + len(name)


class TestHostile(TernRunMixin, TernTestCase):
    peaks = []

    @classmethod
    def tearDownClass(cls):
        if not cls.peaks:
            return
        text = "".join("%s %d\n" % p for p in cls.peaks)
        sys.stderr.write("peak memory (KiB):\n" + text)
        path = os.environ.get("TERN_PEAKS_FILE")
        if path:
            with open(path, "w") as f:
                f.write(text)

    def test_scenarios_are_all_covered(self):
        self.assertEqual(sorted(EXPECT), sorted(SCENARIOS))

    def folders(self, scenario, json_mode):
        with HostileServer(scenario) as server:
            path = self.mailrc(mailrc_text(server.port))
            args = ["-F", path, "--folders"] + (["--json"] if json_mode else [])
            r = run_tern(args, timeout=TIMEOUT + 25)
        self.assertEqual(server.errors, [], "the hostile server itself failed")
        label = scenario + ("/json" if json_mode else "")
        type(self).peaks.append((label, r.maxrss_kib))
        return r

    def check(self, scenario, json_mode):
        r = self.folders(scenario, json_mode)
        statuses, phrase = EXPECT[scenario]
        self.assertFinished(r)
        self.assertIn(r.status, statuses, repr(r))
        if r.status == 3:
            self.assertFailed(r, phrase)
        self.assertSafe(r)
        self.assertLess(r.maxrss_kib, MAX_RSS_KIB, "peak memory too high: %r" % r)
        rows = None
        if json_mode:
            try:
                rows = json_rows(r.out)
            except ValueError as e:
                self.fail("stdout is not JSON lines (%s): %r" % (e, r))
            for row in rows:
                self.assertIn("name", row, repr(r))
        if r.status == 0:
            self.assertIn(b"INBOX", r.out, repr(r))
        if scenario == "silent":
            self.assertLess(r.elapsed, TIMEOUT + 5, "not bounded by the timeout: %r" % r)
        return r, rows

    def by_name(self, rows):
        return {row["name"]: row for row in rows}

    def assertNormalFolders(self, r, rows):
        names = self.by_name(rows)
        for name in NORMAL_FOLDERS:
            self.assertIn(name.decode(), names, repr(r))
            self.assertEqual(names[name.decode()].get("total"), total_for(name), repr(r))
            self.assertEqual(names[name.decode()].get("unread"), 1, repr(r))

    def scenario(self, scenario):
        for json_mode in (False, True):
            with self.subTest(json=json_mode):
                r, rows = self.check(scenario, json_mode)
                extra = getattr(self, "more_" + scenario, None)
                if extra and r.status in (0, 1):
                    extra(r, rows)
                if scenario == "status_huge":
                    self.status_huge_says_why(r)

    # ---- what some scenarios check beyond the common rules
    def more_normal(self, r, rows):
        if rows is not None:
            self.assertNormalFolders(r, rows)
            self.assertTrue(self.by_name(rows)["Sent"].get("special"), repr(r))
        else:
            for name in NORMAL_FOLDERS:
                self.assertIn(name, r.out, repr(r))

    def more_forged_completion(self, r, rows):
        self.assertIn(b"OK LIST completed", r.out, repr(r))
        if rows is None:
            return
        self.assertNormalFolders(r, rows)
        names = self.by_name(rows)
        self.assertNotIn("Forged", names, "a literal's content was taken for a response: %r" % r)
        weird = [n for n in names if "OK LIST completed" in n]
        self.assertEqual(len(weird), 1, repr(r))

    def more_bad_utf8_names(self, r, rows):
        if rows is None:
            return
        self.assertNormalFolders(r, rows)
        names = [row["name"] for row in rows]
        others = [n for n in names if n.encode() not in NORMAL_FOLDERS and n != "Archive"]
        self.assertEqual(len(others), len(BAD_NAMES), "every odd name listed once: %r" % r)
        self.assertTrue(any("\ufffd" in n for n in names),
                        "invalid UTF-8 not shown as U+FFFD: %r" % r)

    def more_nul_in_literal(self, r, rows):
        # A name with a NUL cannot be sent back (RFC 3501 4.3), so that
        # folder could never be opened: it is left out, and said so.
        self.assertIn(b"made no sense and was left out", r.err, repr(r))
        self.assertNotIn(b"nul", r.out.replace(b"null", b""), repr(r))
        if rows is not None:
            self.assertNormalFolders(r, rows)

    def more_status_flood(self, r, rows):
        self.assertNotIn(b"ghost", r.out, "unasked STATUS answers listed: %r" % r)
        if rows is not None:
            self.assertNormalFolders(r, rows)
            self.assertEqual(len(rows), len(NORMAL_FOLDERS) + ("Archive" in self.by_name(rows)),
                             repr(r))

    def more_status_huge(self, r, rows):
        self.assertNotIn(b"ghost", r.out, "unasked STATUS answers listed: %r" % r)

    def status_huge_says_why(self, r):
        # Counts that do not fit are no counts: never a made-up zero.
        self.assertIn(b"counts for it make no sense", r.err, repr(r))
        self.assertNotIn(b'"INBOX", "total": 0', r.out, repr(r))



def _add_scenario_tests():
    for name in SCENARIOS:
        def test(self, name=name):
            self.scenario(name)
        test.__doc__ = SCENARIOS[name]
        setattr(TestHostile, "test_" + name, test)


_add_scenario_tests()


class TestHostileValgrind(TernTestCase):
    """Each scenario once under valgrind memcheck, several at a time."""

    def setUp(self):
        if not os.access(VALGRIND, os.X_OK):
            raise unittest.SkipTest("valgrind is not installed")
        super().setUp()

    def one(self, scenario):
        with HostileServer(scenario) as server:
            path = self.mailrc(mailrc_text(server.port), name="mailrc-" + scenario)
            return run_tern(["-F", path, "--folders", "--json"], timeout=120, wrapper=(
                VALGRIND, "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect", "-q"))

    def test_valgrind(self):
        workers = max(2, min(8, os.cpu_count() or 2))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            runs = dict(zip(SCENARIOS, pool.map(self.one, SCENARIOS)))
        for scenario, r in runs.items():
            with self.subTest(scenario=scenario):
                self.assertFalse(r.timed_out, "hung under valgrind: %r" % r)
                self.assertGreaterEqual(r.status, 0, "killed by a signal: %r" % r)
                self.assertNotEqual(r.status, 99, "valgrind found errors: %r" % r)
                self.assertIn(r.status, EXPECT[scenario][0], repr(r))
