"""tern --render --json compared with Python's email package (policy=default)
on every message of the corpus in tests/data/render/.

For each message and each field (subject, from, to, cc, date, message_id,
in_reply_to, references, attachments, text) the two readings must agree,
after the normalisations described at each comparison below.  A field that
Python itself cannot read (it raises) is skipped for that message.

A disagreement is allowed only when tests/data/render/departures.tsv lists
it (file, field, reason; doc/departures.md explains each one); a listed
departure that no longer happens fails too, so the list stays true.

More messages can be checked without committing them: set
TERN_RENDER_CORPUS to a directory (or several, separated by ':') of .eml
files; they are compared the same way, and departures.tsv may list them."""

import datetime
import email
import email.policy
import glob
import json
import os
import re
import unittest

from ternlib import TernTestCase, SRCDIR

CORPUS = os.path.join(SRCDIR, "tests", "data", "render")
DEPARTURES = os.path.join(CORPUS, "departures.tsv")
FIELDS = ("subject", "from", "to", "cc", "date", "message_id", "in_reply_to",
          "references", "attachments", "text")


class Skip(Exception):
    """Python could not give this field for this message: do not compare."""


def corpus_files():
    dirs = [CORPUS] + [d for d in os.environ.get("TERN_RENDER_CORPUS", "").split(":") if d]
    files = []
    for d in dirs:
        files.extend(sorted(glob.glob(os.path.join(d, "*.eml"))))
    return files


def load_departures():
    """{(file, field): reason} from departures.tsv (tab-separated; '#'
    starts a comment line)."""
    deps = {}
    with open(DEPARTURES, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3 or cols[1] not in FIELDS or not cols[2].strip():
                raise ValueError("departures.tsv:%d: want FILE<TAB>FIELD<TAB>REASON" % n)
            deps[(cols[0], cols[1])] = cols[2]
    return deps


# --- normalisation shared by both sides -----------------------------------

def fix_str(s):
    """Python keeps undecodable header bytes as surrogate escapes; read them
    as UTF-8 (RFC 6532) with U+FFFD for what is not, as tern does."""
    if s is None:
        return None
    if re.search("[\udc80-\udcff]", s):
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return s


def ws(s):
    """Unfold and collapse white space."""
    if s is None:
        return None
    return " ".join(s.split())


def addr_key(a):
    """(name, addr) with the name's white space collapsed (empty -> None)
    and the domain lower-cased."""
    name = ws(fix_str(a.get("name"))) or None
    addr = fix_str(a.get("addr") or "")
    local, at, domain = addr.rpartition("@")
    if at:
        addr = local + "@" + domain.lower()
    return (name, addr)


def body_norm(s):
    """Line ends to LF, trailing white space off every line, and leading
    and trailing blank lines off the whole."""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(l.rstrip() for l in s.split("\n")).strip("\n")


# --- Python's reading of each field ---------------------------------------

def py_header(msg, name):
    """The first header of that name, or None; Python's header parser may
    raise on malformed input: then the field is skipped."""
    try:
        return msg[name]
    except Exception as e:  # Python's own parse error: not tern's business
        raise Skip("Python raised %s: %s" % (type(e).__name__, e))


def py_subject(msg):
    h = py_header(msg, "subject")
    return None if h is None else ws(fix_str(str(h)))


def py_addresses(msg, name):
    h = py_header(msg, name)
    if h is None:
        return []
    if h.defects:
        # Python recovers from a defective address list in ways of its own
        # (it keeps a garbled local part, or drops the address): compare
        # only clean lists.
        raise Skip("Python found defects: %s" % "; ".join(map(str, h.defects)))
    try:
        addrs = h.addresses
    except Exception as e:
        raise Skip("Python raised %s: %s" % (type(e).__name__, e))
    return [addr_key({"name": a.display_name, "addr": a.addr_spec}) for a in addrs]


def py_date(msg):
    h = py_header(msg, "date")
    if h is None:
        return None
    dt = getattr(h, "datetime", None)
    if dt is None:
        return None  # Python could not read the date: tern gives null too
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)  # "-0000": UTC, zone unknown
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


MSGID = re.compile(r"<[^<>]*>")


def ids(s):
    """The <...> tokens of a header, with white space inside removed."""
    return ["".join(m.split()) for m in MSGID.findall(fix_str(s))]


def py_one_id(msg, name):
    h = py_header(msg, name)
    if h is None:
        return None
    found = ids(str(h))
    return found[0] if found else None


def py_references(msg):
    h = py_header(msg, "references")
    return [] if h is None else ids(str(h))


def py_attachments(msg):
    """File names of the parts that are not text to read, in order: tern
    shows every text/plain or text/html part that is not marked
    "attachment" as text, lists every other leaf part, and lists a
    message/* part (attached, or the whole body of a message/partial or
    a delivery report) as one part without looking inside.
    Unnamed parts count too (as None)."""
    names = []

    def visit(part, top):
        ctype = part.get_content_type()
        if top and ctype in ("message/rfc822", "message/global") and part.is_multipart():
            # A message that is nothing but another message: tern reads
            # the one inside.
            visit(part.get_payload(0), False)
            return
        if part.get_content_maintype() == "message":
            leaf = True
        elif part.is_multipart():
            for sub in part.iter_parts():
                visit(sub, False)
            return
        else:
            leaf = ctype not in ("text/plain", "text/html") or part.is_attachment()
        if leaf:
            fn = part.get_filename()
            names.append(ws(fix_str(fn)) if fn else None)

    try:
        visit(msg, True)
    except Exception as e:
        raise Skip("Python raised %s: %s" % (type(e).__name__, e))
    return names


def py_text(msg):
    try:
        part = msg.get_body(preferencelist=("plain",))
    except Exception as e:
        raise Skip("Python raised %s: %s" % (type(e).__name__, e))
    if part is None:
        try:
            html = msg.get_body(preferencelist=("html",))
        except Exception:
            html = None
        if html is not None:
            raise Skip("only HTML: tern renders it as text, Python does not")
        # Neither: the message has no text body Python recognises (a lone
        # attachment, a non-text top level): nothing to compare.
        raise Skip("Python finds no text body")
    try:
        content = part.get_content()
    except (LookupError, UnicodeError) as e:
        # Unknown charset names make Python raise; tern falls back.
        raise Skip("Python raised %s: %s" % (type(e).__name__, e))
    except Exception as e:
        raise Skip("Python raised %s: %s" % (type(e).__name__, e))
    if not isinstance(content, str):
        raise Skip("Python's body is not text")
    return body_norm(fix_str(content))


# Where Python's parser gave up part of the message, its reading of the
# affected fields is its own guess, not a reference: skip those fields.
HEADER_DEFECTS = {
    # A line in the header that is not a header: Python ends the header
    # there and reads the rest (From:, Date:, ...) as body.
    "MissingHeaderBodySeparatorDefect",
    "FirstHeaderLineIsContinuationDefect",
}
STRUCTURE_DEFECTS = HEADER_DEFECTS | {
    # A multipart whose boundary Python did not find: it makes the whole
    # body one opaque part.
    "NoBoundaryInMultipartDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
}


def defects(part):
    return {type(d).__name__ for d in part.defects}


def structure_defects(msg):
    """Defects of the message's own MIME tree (attached messages, which
    tern does not look into, left out)."""
    found = defects(msg) & STRUCTURE_DEFECTS
    if msg.is_multipart() and msg.get_content_maintype() != "message":
        for sub in msg.iter_parts():
            found |= structure_defects(sub)
    return found


def skip_if_defective(fn, which):
    def read(msg):
        bad = which(msg)
        if bad:
            raise Skip("Python reports %s" % ", ".join(sorted(bad)))
        return fn(msg)
    return read


def header_defects(msg):
    return defects(msg) & HEADER_DEFECTS


PY = {
    "subject": py_subject,
    "from": lambda m: py_addresses(m, "from"),
    "to": lambda m: py_addresses(m, "to"),
    "cc": lambda m: py_addresses(m, "cc"),
    "date": py_date,
    "message_id": lambda m: py_one_id(m, "message-id"),
    "in_reply_to": lambda m: py_one_id(m, "in-reply-to"),
    "references": py_references,
    "attachments": py_attachments,
    "text": py_text,
}
PY = {field: skip_if_defective(fn, structure_defects if field in ("attachments", "text")
                               else header_defects)
      for field, fn in PY.items()}


def tern_field(obj, field):
    v = obj.get(field)
    if field == "subject":
        return ws(v)
    if field in ("from", "to", "cc"):
        return [addr_key(a) for a in v or []]
    if field in ("message_id", "in_reply_to"):
        return None if v is None else "".join(v.split())
    if field == "references":
        return ["".join(x.split()) for x in v or []]
    if field == "attachments":
        return [ws(a.get("filename")) or None for a in v or []]
    if field == "text":
        return body_norm(v or "")
    return v


def short(v, limit=300):
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + "...(%d chars)" % len(r)


def first_difference(a, b):
    if isinstance(a, str) and isinstance(b, str):
        i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return "first difference at %d: tern %r, python %r" % (
            i, a[max(0, i - 40):i + 40], b[max(0, i - 40):i + 40])
    return "tern %s\npython %s" % (short(a), short(b))


class TestRenderDifferential(TernTestCase):
    def setUp(self):
        super().setUp()
        probe = os.path.join(self.tmp, "probe.eml")
        with open(probe, "wb") as f:
            f.write(b"Subject: probe\r\n\r\nbody\r\n")
        r = self.tern("--render", "--json", probe)
        if r.status == 2 and "not built yet" in r.err:
            self.skipTest("tern --render --json is not built yet")

    def test_corpus(self):
        files = corpus_files()
        self.assertGreater(len(files), 0, "no corpus in " + CORPUS)
        deps = load_departures()
        names = {os.path.basename(p) for p in files}
        for (name, field) in sorted(deps):
            # Departures of the committed corpus must name a file in it;
            # those of an extra TERN_RENDER_CORPUS are checked when given.
            if name.startswith("tern__"):
                with self.subTest(file=name, field=field):
                    self.assertTrue(name in names, "departures.tsv names %s, which "
                                    "is not in the corpus" % name)

        env = {"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp}
        for path in files:
            name = os.path.basename(path)
            with open(path, "rb") as f:
                data = f.read()
            r = self.tern("--render", "--json", path, env=env)
            obj = None
            with self.subTest(file=name, field="render"):
                self.assertEqual(r.status, 0, "%s: %s" % (name, short(r.err)))
                self.assertEqual(r.out.count("\n"), 1, "one object, one line")
                obj = json.loads(r.out)
                self.assertEqual(set(obj), set(FIELDS))
            if not isinstance(obj, dict) or set(obj) != set(FIELDS):
                continue
            try:
                msg = email.message_from_bytes(data, policy=email.policy.default)
            except Exception:
                # Python cannot read the message at all: nothing to compare
                # with (tern rendering it is checked above).
                continue
            for field in FIELDS:
                with self.subTest(file=name, field=field):
                    listed = deps.get((name, field))
                    try:
                        want = PY[field](msg)
                    except Skip as why:
                        if listed:
                            self.fail("departures.tsv lists %s %s, but Python "
                                      "skips it: %s" % (name, field, why))
                        continue
                    got = tern_field(obj, field)
                    if listed:
                        self.assertNotEqual(got, want, "departures.tsv lists %s %s (%s) "
                                            "but tern and Python now agree"
                                            % (name, field, listed))
                    elif got != want:
                        self.fail("%s %s: %s" % (name, field, first_difference(got, want)))


if __name__ == "__main__":
    unittest.main()
