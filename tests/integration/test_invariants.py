"""The no-copy-lost invariant, checked on the source: the commands that can
remove a server copy (IMAP EXPUNGE and CLOSE, POP3 DELE) may appear in a
string only in the places PRODUCT.md allows: the MOVE fallback, the Trash
purge and POP3 deletion after an import; each entry must name the
functions that send it."""

import os
import re
import unittest

from ternlib import SRCDIR

# file (relative to src/) -> the commands it may contain.
ALLOWED = {
    # The command table: "UID EXPUNGE" for imap_cmd_uid_expunge_moved() and
    # imap_cmd_purge_trash(), "EXPUNGE" for imap_cmd_purge_trash() without
    # UIDPLUS. The gate lets them through only from those two functions.
    "imap/imap-client.c": ("EXPUNGE",),
    # "DELE n" for pop3_dele() only, which refuses a list from another
    # session and lets curl open no connection for it; its one caller is
    # cmd/cmd-fetchpop.c, for pop3-delete=yes and only after tern's own
    # APPEND of that message was answered OK (test_fetch_pop checks the
    # order in Dovecot's log).
    "pop3/pop3.c": ("DELE",),
}

DANGEROUS = re.compile(r'"[^"\n]*\b(EXPUNGE|CLOSE|DELE)\b[^"\n]*"')


class TestNoExpungePaths(unittest.TestCase):
    def test_no_unreviewed_expunge_close_or_dele(self):
        found = []
        for root, _dirs, files in os.walk(os.path.join(SRCDIR, "src")):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, os.path.join(SRCDIR, "src"))
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        for m in DANGEROUS.finditer(line):
                            if m.group(1) not in ALLOWED.get(rel, ()):
                                found.append("src/%s:%d: %s" % (rel, lineno, m.group(0)))
        self.assertEqual(found, [])

    def test_pop3_dele_has_one_caller(self):
        # The POP3 deletion above is reviewed for --fetch-pop only.
        callers = []
        for root, _dirs, files in os.walk(os.path.join(SRCDIR, "src")):
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), os.path.join(SRCDIR, "src"))
                if not name.endswith(".c") or rel.startswith("pop3/"):
                    continue
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    if re.search(r"\bpop3_dele\s*\(", f.read()):
                        callers.append(rel)
        self.assertEqual(callers, ["cmd/cmd-fetchpop.c"])

    def test_scan_can_see_a_violation(self):
        self.assertTrue(DANGEROUS.search('send(c, "A1 UID EXPUNGE 4:7\\r\\n");'))
        self.assertTrue(DANGEROUS.search('"DELE %u\\r\\n"'))
        self.assertFalse(DANGEROUS.search('"UNSELECT"'))
