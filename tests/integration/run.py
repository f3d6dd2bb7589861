#!/usr/bin/python3
"""Tiny TAP runner for tern's integration tests.

Discovers tests/integration/test_*.py (unittest TestCases), runs them in
order and prints TAP on stdout:

    ok 1 - test_harness.ImapTest.test_capabilities
    not ok 2 - test_x.Foo.test_bar
    # FAIL:
    # Traceback (most recent call last): ...
    ok 3 - test_x.Foo.test_baz # SKIP TERN is not set
    1..3

Everything else the tests (or programs they start) write to stdout is sent
to stderr, so stdout stays valid TAP.  Exit status 1 if anything failed
(including errors in setUpClass and the like, and when filters match no
test), else 0.

Usage:
    run.py [--tern PATH] [--list] [FILTER ...]

A FILTER selects the tests whose id (module.Class.test) contains it.
--tern sets $TERN (made absolute) for tests that run the tern binary;
those tests skip with a reason when it is not set.  tests/harness is put on
sys.path, so tests can "import servers".
"""

import argparse
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(os.path.dirname(HERE), "harness")


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


class TapResult(unittest.TestResult):
    """Emits one TAP line per test as soon as it finishes."""

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.count = 0
        self.failed = 0
        self.current = None

    def emit(self, ok, name, directive="", diag=""):
        self.count += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.count, name)
        if directive:
            line += " # " + directive
        self.out.write(line + "\n")
        for text in diag.rstrip("\n").splitlines():
            self.out.write(("# " + text).rstrip() + "\n")
        self.out.flush()
        if not ok and not directive.startswith("TODO"):
            self.failed += 1

    def startTest(self, test):
        super().startTest(test)
        self.current = {"test": test, "ok": True, "directive": "", "diag": [],
                        "t0": time.monotonic()}

    def stopTest(self, test):
        cur, self.current = self.current, None
        if cur is not None:
            self.emit(cur["ok"], test.id(), cur["directive"], "".join(cur["diag"]))
        super().stopTest(test)

    def _record(self, test, ok, kind, text, directive=""):
        cur = self.current
        if cur is not None and cur["test"] is test:
            cur["ok"] = cur["ok"] and ok
            if directive:
                cur["directive"] = directive
            if text:
                cur["diag"].append("%s:\n%s" % (kind, text) if kind else text)
        else:
            # setUpClass/tearDownClass/module fixtures: an _ErrorHolder
            self.emit(ok, str(test), directive, "%s:\n%s" % (kind, text) if text else "")

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, False, "ERROR", self._exc_info_to_string(err, test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, False, "FAIL", self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "FAIL" if issubclass(err[0], test.failureException) else "ERROR"
            self._record(test, False, "%s in subtest %s" % (kind, subtest._subDescription()),
                         self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, True, "", "", "SKIP " + " ".join(str(reason).split()))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, False, "expected failure", self._exc_info_to_string(err, test),
                     "TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, False, "", "passed although marked expectedFailure",
                     "unexpected success")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run tern's integration tests, print TAP.")
    ap.add_argument("filters", nargs="*", help="run tests whose id contains one of these")
    ap.add_argument("--tern", help="path of the tern binary (sets $TERN)")
    ap.add_argument("--list", action="store_true", help="list the test ids and exit")
    args = ap.parse_args(argv)

    if args.tern:
        os.environ["TERN"] = os.path.abspath(args.tern)
    for path in (HARNESS, HERE):
        if path not in sys.path:
            sys.path.insert(0, path)

    loader = unittest.TestLoader()
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    tests = [t for t in _flatten(suite)
             if not args.filters or any(f in t.id() for f in args.filters)]
    if args.list:
        for t in tests:
            print(t.id())
        return 0

    # TAP goes to the real stdout; anything else written to fd 1 to stderr.
    sys.stdout.flush()
    tap = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)

    if not tests:
        tap.write("1..0 # no tests matched %s\n" % " ".join(args.filters))
        return 1
    result = TapResult(tap)
    t0 = time.monotonic()
    unittest.TestSuite(tests).run(result)
    tap.write("# %d tests, %d failed, %d skipped, %.1fs\n"
              % (result.count, result.failed, len(result.skipped), time.monotonic() - t0))
    tap.write("1..%d\n" % result.count)
    tap.flush()
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
