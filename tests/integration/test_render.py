"""tern --render: a message file (or stdin) as the pager shows it, or its
fields as the JSON PRODUCT.md defines; no mailrc, no network; nothing in a
message reaches the terminal as a control sequence."""

import json
import os
import re

from ternlib import TernTestCase

KEYS = {"subject", "from", "to", "cc", "date", "message_id", "in_reply_to",
        "references", "attachments", "text"}

ALTERNATIVE = (
    b"From: =?UTF-8?Q?Ren=C3=A9e_D=C3=BCrr?= <renee@example.ch>\r\n"
    b"To: \"Bob, Jr.\" <bob@example.org>, undisclosed:;\r\n"
    b"Cc: carol@example.net (Carol)\r\n"
    b"Subject: =?ISO-8859-1?Q?R=E9union?=\r\n =?UTF-8?B?IOaXpeacrA==?=\r\n"
    b"Date: Wed, 1 May 2024 11:30:00 +0200\r\n"
    b"Message-ID: <m1@example.ch>\r\n"
    b"In-Reply-To: <m0@example.ch>\r\n"
    b"References: <r1@example.ch>\r\n <m0@example.ch>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    b"--outer\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"
    b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Gr=C3=BC=C3=9Fe,=\r\n the plain part.\r\n"
    b"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>the HTML part</p>\r\n--alt--\r\n"
    b"--outer\r\nContent-Type: application/pdf\r\n"
    b"Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
    b"--outer--\r\n")

HOSTILE = (
    b"From: \x1b]0;pwned\x07Mallory <m@evil.example>\r\n"
    b"Subject: =?UTF-8?B?" + __import__("base64").b64encode(
        "invoice \u202egpj.exe \x1b[2J\u0085".encode()) + b"?=\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"line one\x1b[31m red\x9b2J\r\nbad \xff byte\r\n")


class TestRender(TernTestCase):
    def message(self, data, name="m.eml"):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def json(self, data):
        r = self.tern("--render", "--json", self.message(data),
                      env={"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp})
        self.assertStatus(r, 0)
        self.assertEqual(r.out.count("\n"), 1, "one object, one line")
        return json.loads(r.out)

    def test_json_fields(self):
        o = self.json(ALTERNATIVE)
        self.assertEqual(set(o), KEYS)
        self.assertEqual(o["subject"], "R\u00e9union \u65e5\u672c")
        self.assertEqual(o["from"], [{"name": "Ren\u00e9e D\u00fcrr",
                                      "addr": "renee@example.ch"}])
        self.assertEqual(o["to"], [{"name": "Bob, Jr.", "addr": "bob@example.org"}])
        self.assertEqual(o["cc"], [{"name": "Carol", "addr": "carol@example.net"}])
        self.assertEqual(o["date"], "2024-05-01T09:30:00Z")
        self.assertEqual(o["message_id"], "<m1@example.ch>")
        self.assertEqual(o["in_reply_to"], "<m0@example.ch>")
        self.assertEqual(o["references"], ["<r1@example.ch>", "<m0@example.ch>"])
        self.assertEqual(o["attachments"], [{"filename": "r\u00e9sum\u00e9.pdf",
                                             "type": "application/pdf", "size": 9}])
        # The CRLF before a boundary belongs to it (RFC 2046 5.1.1).
        self.assertEqual(o["text"], "Gr\u00fc\u00dfe, the plain part.")

    def test_missing_fields_are_null(self):
        o = self.json(b"X-Nothing: here\r\n\r\nbody\r\n")
        self.assertIsNone(o["subject"])
        self.assertIsNone(o["date"])
        self.assertIsNone(o["message_id"])
        self.assertEqual(o["from"], [])
        self.assertEqual(o["text"], "body\n")

    def test_html_only_becomes_text(self):
        o = self.json(b"Subject: h\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                      b"<html><head><style>p{}</style></head><body><p>Hello &amp; "
                      b"<b>welcome</b></p><script>alert(1)</script></body></html>\r\n")
        self.assertIn("Hello & welcome", o["text"])
        self.assertNotIn("alert", o["text"])
        self.assertNotIn("<", o["text"])

    def test_json_is_valid_utf8_with_bad_bytes(self):
        o = self.json(b"Subject: caf\xe9\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      b"\r\nbad \xc3\x28 bytes\r\n")
        self.assertEqual(o["text"], "bad \ufffd( bytes\n")
        # Undeclared 8-bit header text is read in the fallback charset.
        self.assertEqual(o["subject"], "caf\u00e9")

    def test_json_escapes_what_could_drive_a_terminal(self):
        r = self.tern("--render", "--json", self.message(HOSTILE))
        o = json.loads(r.out)
        self.assertIn("\u202e", o["subject"])       # the data is kept ...
        self.assertNotIn("\u202e", r.out)           # ... but never raw
        self.assertIn("\\u202e", r.out)

    def test_text_view(self):
        r = self.tern("--render", self.message(ALTERNATIVE),
                      env={"TZ": "Europe/Zurich", "HOME": self.tmp})
        self.assertStatus(r, 0)
        self.assertIn("Date: Wed, 01 May 2024 11:30:00 +0200", r.out)
        self.assertIn("From: Ren\u00e9e D\u00fcrr <renee@example.ch>", r.out)
        self.assertIn("Subject: R\u00e9union \u65e5\u672c", r.out)
        self.assertIn("Gr\u00fc\u00dfe, the plain part.", r.out)
        self.assertNotIn("the HTML part", r.out)
        self.assertRegex(r.out, r"\n\s*1\. r\u00e9sum\u00e9\.pdf\s+application/pdf\s+9 bytes")

    def test_nothing_reaches_the_terminal_as_control(self):
        for args in (["--render"], ["--render", "--json"]):
            r = self.tern(*args, self.message(HOSTILE))
            self.assertStatus(r, 0)
            self.assertIsNone(re.search(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e]",
                                        r.out), repr(r.out))
        self.assertIn("Mallory", r.out)

    def test_stdin(self):
        with open(self.message(ALTERNATIVE), "rb") as f:
            r = self.tern("--render", "--json", stdin=f)
        self.assertStatus(r, 0)
        self.assertEqual(json.loads(r.out)["message_id"], "<m1@example.ch>")

    def test_bad_input_files(self):
        r = self.tern("--render", os.path.join(self.tmp, "missing.eml"))
        self.assertStatus(r, 2)
        self.assertIn("missing.eml: No such file or directory", r.err)
        r = self.tern("--render", self.tmp)
        self.assertStatus(r, 2)
        self.assertIn("is a directory", r.err)
        r = self.tern("--render", "a", "b")
        self.assertStatus(r, 2)

    def test_garbage_and_empty_never_crash(self):
        for data in (b"", b"\x00" * 1000, os.urandom(20000),
                     b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + b"--x\r\n" * 3000,
                     b"Content-Type: message/rfc822\r\n\r\n" * 200):
            for args in (["--render"], ["--render", "--json"]):
                r = self.tern(*args, self.message(data))
                self.assertStatus(r, 0)


HTML_ONLY = (b"Subject: h\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n"
             b"<p>Hello <b>world</b></p>\r\n")


class TestRenderHtmlTools(TernTestCase):
    """HTML-only mail goes through the user's mailcap (copiousoutput,
    test= honoured), else w3m or lynx, else the built-in converter."""

    def setUp(self):
        super().setUp()
        self.msg = os.path.join(self.tmp, "h.eml")
        with open(self.msg, "wb") as f:
            f.write(HTML_ONLY)

    def render(self, mailcap_text, *args, path=None):
        mc = os.path.join(self.tmp, "mailcap")
        with open(mc, "w") as f:
            f.write(mailcap_text)
        env = {"MAILCAPS": mc}
        if path is not None:
            env["PATH"] = path
        r = self.tern("--render", *args, self.msg, env=env)
        self.assertStatus(r, 0)
        return r

    def test_mailcap_with_file(self):
        r = self.render('text/html; sed -e "s/<[^>]*>//g" -e "s/^/MC:/" %s; '
                        'copiousoutput; nametemplate=%s.html\n')
        self.assertIn("MC:Hello world", r.out)

    def test_mailcap_with_stdin_and_json(self):
        r = self.render("text/html; tr a-z A-Z; copiousoutput\n", "--json")
        self.assertIn("<P>HELLO <B>WORLD</B></P>", json.loads(r.out)["text"])

    def test_needs_copiousoutput_and_passing_test(self):
        r = self.render("text/html; echo WRONG; test=false; copiousoutput\n"
                        "text/html; echo NOPE %s\n"
                        "text/*; echo RIGHT; copiousoutput\n")
        self.assertIn("RIGHT", r.out)
        self.assertNotIn("WRONG", r.out)
        self.assertNotIn("NOPE", r.out)

    def test_failing_tool_falls_back_to_builtin(self):
        r = self.render("text/html; exit 1; copiousoutput\n", path="/nonexistent")
        self.assertIn("Hello world", r.out)

    def test_tool_output_is_made_safe(self):
        r = self.render("text/html; printf 'evil\\033[2J\\n'; copiousoutput\n")
        self.assertIn("evil", r.out)
        self.assertNotIn("\x1b", r.out)

    def test_charset_parameter_cannot_inject(self):
        marker = os.path.join(self.tmp, "pwned")
        with open(self.msg, "wb") as f:
            f.write(b"Content-Type: text/html; charset=\"utf-8'; touch " +
                    marker.encode() + b"; '\"\r\n\r\n<p>x</p>\r\n")
        self.render("text/html; cat %s >/dev/null; echo %{charset}; copiousoutput\n")
        self.assertFalse(os.path.exists(marker))


class TestRenderHeaders(TernTestCase):
    """Which header fields --render shows: the mailrc's retain list (its
    order), else Date, From, To, Cc, Subject; minus its ignore list."""

    MSG = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n"
           b"Date: Wed, 1 May 2024 11:30:00 +0200\r\n"
           b"X-Mailer: =?utf-8?q?M=C3=BCller?=\r\n\r\nbody\r\n")

    def render(self, mailrc_text):
        msg = os.path.join(self.tmp, "m.eml")
        with open(msg, "wb") as f:
            f.write(self.MSG)
        args = ["--render", msg]
        if mailrc_text is not None:
            args = ["-F", self.mailrc(mailrc_text)] + args
        return self.tern(*args, env={"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp})

    def headers(self, r):
        self.assertStatus(r, 0)
        return [l.split(":")[0] for l in r.out.split("\n\n")[0].splitlines()]

    def test_default_fields(self):
        self.assertEqual(self.headers(self.render(None)), ["Date", "From", "To", "Subject"])

    def test_retain_order_and_any_field(self):
        r = self.render("retain subject x-mailer from\nignore from\n")
        self.assertEqual(self.headers(r), ["Subject", "X-Mailer"])
        self.assertIn("X-Mailer: M\u00fcller", r.out)

    def test_ignore(self):
        self.assertEqual(self.headers(self.render("ignore date to\n")), ["From", "Subject"])
        r = self.render("ignore *\n")
        self.assertStatus(r, 0)
        self.assertEqual(r.out, "body\n")

    def test_bad_mailrc_given_is_an_error(self):
        r = self.render("sett x\n")
        self.assertStatus(r, 2)
        self.assertIn(":1: unknown command 'sett'", r.err)

    def test_bad_default_mailrc_only_warns(self):
        os.makedirs(os.path.join(self.tmp, "tern"))
        with open(os.path.join(self.tmp, "tern", "mailrc"), "w") as f:
            f.write("sett x\n")
        msg = os.path.join(self.tmp, "m.eml")
        with open(msg, "wb") as f:
            f.write(self.MSG)
        r = self.tern("--render", msg, env={"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp})
        self.assertStatus(r, 0)
        self.assertIn("showing the default header fields", r.err)
        self.assertIn("Subject: hi", r.out)
