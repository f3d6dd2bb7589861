/* Unit tests for the MIME walk and Content-Transfer-Encoding decoding. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/cte.h"
#include "mime/mime.h"
#include "mime/rfc5322.h"
#include "tap.h"

static const struct {
	enum cte cte;
	const char *in;
	const char *want;
	const char *what;
} cte_cases[] = {
	{ CTE_BASE64, "aGVsbG8gd29ybGQ=", "hello world", "base64" },
	{ CTE_BASE64, "aGVs\r\nbG8g\nd29y bGQ", "hello world", "base64 with breaks, no padding" },
	{ CTE_BASE64, "aGV*sbG8!", "hello", "base64 garbage ignored" },
	{ CTE_BASE64, "aGk=aGk=", "hihi", "base64 pieces glued after padding" },
	{ CTE_BASE64, "", "", "empty base64" },
	{ CTE_BASE64, "a", "", "a lone base64 character" },
	{ CTE_QUOTED_PRINTABLE, "caf=C3=A9", "caf\xc3\xa9", "QP escapes" },
	{ CTE_QUOTED_PRINTABLE, "caf=c3=a9", "caf\xc3\xa9", "QP lowercase hex" },
	{ CTE_QUOTED_PRINTABLE, "long=\r\nline", "longline", "QP soft break CRLF" },
	{ CTE_QUOTED_PRINTABLE, "long=\nline", "longline", "QP soft break LF" },
	{ CTE_QUOTED_PRINTABLE, "long= \t\nline", "longline", "QP soft break with trailing space" },
	{ CTE_QUOTED_PRINTABLE, "a=ZZb", "a=ZZb", "QP bad escape kept" },
	{ CTE_QUOTED_PRINTABLE, "a=", "a", "QP soft break at the end" },
	{ CTE_QUOTED_PRINTABLE, "a=4", "a=4", "QP cut escape kept" },
	{ CTE_QUOTED_PRINTABLE, "1+1=2\n", "1+1=2\n", "QP unencoded '=' (broken mailer)" },
	{ CTE_QUOTED_PRINTABLE, "a_b", "a_b", "QP body: underscore stays" },
	{ CTE_7BIT, "as =3D is", "as =3D is", "7bit untouched" },
	{ CTE_UNKNOWN, "x-uue data", "x-uue data", "unknown untouched" },
};

static void
test_cte(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(cte_cases) / sizeof(cte_cases[0]); i++) {
		buf_init(&b, 4096);
		tap_is_int(cte_decode(cte_cases[i].cte, cte_cases[i].in, strlen(cte_cases[i].in),
		    &b), 0, "%s: decodes", cte_cases[i].what);
		tap_is_str(buf_ptr(&b), cte_cases[i].want, "%s", cte_cases[i].what);
		buf_free(&b);
	}
	tap_is_int(cte_parse("Base64", 6), CTE_BASE64, "cte_parse base64");
	tap_is_int(cte_parse(" quoted-printable (c)", 21), CTE_QUOTED_PRINTABLE, "cte_parse qp");
	tap_is_int(cte_parse(NULL, 0), CTE_7BIT, "missing CTE is 7bit");
	tap_is_int(cte_parse("x-gzip", 6), CTE_UNKNOWN, "unknown CTE");
	tap_is_int(cte_parse(" 8BIT", 5), CTE_8BIT, "8bit");
	tap_is_str(cte_name(CTE_BINARY), "binary", "cte_name");
	buf_init(&b, 4);
	tap_is_int(cte_base64_decode("aGVsbG8gd29ybGQ=", 16, &b), -1, "base64 bounded");
	tap_is_str(buf_ptr(&b), "hell", "what fit is kept");
	buf_free(&b);
	buf_init(&b, 2);
	tap_is_int(cte_qp_decode("a=41c", 5, false, &b), -1, "QP bounded");
	tap_is_str(buf_ptr(&b), "aA", "QP: what fit is kept");
	buf_free(&b);
	buf_init(&b, 3);
	tap_is_int(cte_decode(CTE_8BIT, "abcdef", 6, &b), -1, "8bit bounded");
	buf_free(&b);
}

static const struct {
	const char *msg;
	const char *want;	/* one "[path] type ..." line per part */
	const char *what;
} walk_cases[] = {
	{ "Subject: x\n\nhello\n", "[] text/plain us-ascii text=hello\n", "single part" },
	{ "Subject: no type\nContent-Transfer-Encoding: 8bit\n\ncaf\xe9\n",
	  "[] text/plain us-ascii text=caf\xc3\xa9\n", "no Content-Type, 8-bit latin-1" },
	{ "Content-Type: garbage\n\nx", "[] text/plain us-ascii text=x", "invalid type" },
	/* Gmail multipart/alternative. */
	{ "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"000000000000ab12\"\n\n"
	  "--000000000000ab12\nContent-Type: text/plain; charset=\"UTF-8\"\n"
	  "Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9 =\nsoft\n\n"
	  "--000000000000ab12\nContent-Type: text/html; charset=\"UTF-8\"\n\n<div>hi</div>\n"
	  "--000000000000ab12--\n",
	  "[] multipart/alternative\n[1] text/plain UTF-8 text=caf\xc3\xa9 soft\n\n"
	  "[2] text/html UTF-8 text=<div>hi</div>", "Gmail alternative" },
	{ "Content-Type: multipart/mixed; boundary=b\n\npreamble\n--b\n\none\n--b  \n\ntwo\n--b--\nepilogue\n",
	  "[] multipart/mixed\n[1] text/plain us-ascii text=one\n[2] text/plain us-ascii text=two",
	  "preamble, epilogue, trailing space after a delimiter" },
	{ "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n",
	  "[] multipart/mixed\n[1] text/plain us-ascii text=one\n[2] text/plain us-ascii text=two\n",
	  "missing final boundary" },
	{ "Content-Type: multipart/mixed; boundary=wrong\n\n--right\n\nbody\n--right--\n",
	  "[] text/plain us-ascii text=--right\n\nbody\n--right--\n", "wrong boundary: one text part" },
	{ "Content-Type: multipart/mixed\n\nno boundary\n", "[] text/plain us-ascii text=no boundary\n",
	  "no boundary parameter" },
	{ "Content-Type: multipart/mixed; boundary=abc\n\n--abc\n"
	  "Content-Type: multipart/alternative; boundary=abcdef\n\n--abcdef\n\ninner1\n--abcdef\n\ninner2\n"
	  "--abcdef--\n--abc\n\nouter2\n--abc--\n",
	  "[] multipart/mixed\n[1] multipart/alternative\n[1.1] text/plain us-ascii text=inner1\n"
	  "[1.2] text/plain us-ascii text=inner2\n[2] text/plain us-ascii text=outer2",
	  "nested boundary sharing a prefix" },
	/* Thunderbird forward as attachment. */
	{ "Content-Type: multipart/mixed; boundary=\"------------tb1\"\n\n--------------tb1\n"
	  "Content-Type: text/plain; charset=UTF-8; format=flowed\n\nsee below\n--------------tb1\n"
	  "Content-Type: message/rfc822; name=\"Fwd.eml\"\nContent-Disposition: attachment; filename=\"Fwd.eml\"\n\n"
	  "Subject: inner\nContent-Type: multipart/alternative; boundary=in\n\n--in\n\ninner text\n--in--\n"
	  "--------------tb1--\n",
	  "[] multipart/mixed\n[1] text/plain UTF-8 text=see below\n[2] message/rfc822 attachment Fwd.eml\n"
	  "[2] multipart/alternative\n[2.1] text/plain us-ascii text=inner text",
	  "Thunderbird forwarded message" },
	/* Outlook: Korean base64 text and an attachment with a path. */
	{ "Content-Type: multipart/mixed;\n\tboundary=\"----=_NextPart_000_0001_01D0\"\n\n"
	  "------=_NextPart_000_0001_01D0\nContent-Type: text/plain;\n\tcharset=\"ks_c_5601-1987\"\n"
	  "Content-Transfer-Encoding: base64\n\nvsiz58fPvLy/5A==\n\n"
	  "------=_NextPart_000_0001_01D0\nContent-Type: application/octet-stream;\n\tname=\"..\\\\evil.exe\"\n"
	  "Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\n\tfilename=\"..\\\\evil.exe\"\n\n"
	  "TVqQAAMAAAAEAAAA\n\n------=_NextPart_000_0001_01D0--\n",
	  "[] multipart/mixed\n[1] text/plain ks_c_5601-1987 text="
	  "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94\n"
	  "[2] application/octet-stream attachment evil.exe size=12", "Outlook Korean with attachment" },
	/* Apple Mail: RFC 2231 file name on an inline image. */
	{ "Content-Type: multipart/mixed; boundary=\"Apple-Mail=_5F3C\"\n\n--Apple-Mail=_5F3C\n"
	  "Content-Type: image/png;\n\tname*=utf-8''%E2%82%AC.png\nContent-Disposition: inline;\n"
	  "\tfilename*=utf-8''%E2%82%AC.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
	  "--Apple-Mail=_5F3C--\n",
	  "[] multipart/mixed\n[1] image/png inline \xe2\x82\xac.png size=8", "Apple Mail inline image" },
	{ "Content-Type: text/plain; charset=iso-2022-jp\nContent-Transfer-Encoding: 7bit\n\n"
	  "\x1b$B$3$s$K$A$O\x1b(B\n",
	  "[] text/plain iso-2022-jp text=\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf\n",
	  "Japanese ISO-2022-JP body" },
	{ "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: quoted-printable\n\n"
	  "=F0=D2=C9=D7=C5=D4\n", "[] text/plain koi8-r text=\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n",
	  "Russian KOI8-R quoted-printable" },
	{ "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d--\n",
	  "[] multipart/digest\n[1] message/rfc822\n[1] text/plain us-ascii text=first",
	  "digest parts default to message/rfc822" },
	{ "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
	  "U3ViamVjdDogaW5uZXIKCmJvZHkK\n",
	  "[] message/rfc822\n[] text/plain us-ascii text=body\n", "base64 message/rfc822 (broken mailer)" },
	{ "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=ab\n"
	  "MIME-Version: 1.0\n--ab\nContent-Type: text/plain\n\nin\n--ab--\n--a--\n",
	  "[] multipart/mixed\n[1] multipart/mixed\n[1.1] text/plain us-ascii text=in",
	  "part header without its blank line before a delimiter" },
	{ "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b--\n",
	  "[] multipart/mixed\n[1] text/plain us-ascii text=\n[2] text/plain us-ascii text=x",
	  "empty part" },
};

struct collect {
	struct buf out;
	const char *fallback;
};

static enum mime_visit
collect_visit(const struct mime_part *p, void *ctx)
{
	struct collect *c = ctx;
	struct buf t;
	size_t i;

	if (buf_len(&c->out) > 0)
		buf_addc(&c->out, '\n');
	buf_printf(&c->out, "[%s] %s", p->path, p->type);
	if (p->charset != NULL)
		buf_printf(&c->out, " %s", p->charset);
	if (p->disposition != NULL)
		buf_printf(&c->out, " %s", p->disposition);
	if (p->filename != NULL)
		buf_printf(&c->out, " %s", p->filename);
	if (p->multipart || p->message)
		return MIME_CONTINUE;
	if (p->cte == CTE_BASE64 && strncmp(p->type, "text/", 5) != 0) {
		buf_init(&t, 1 << 16);
		mime_part_decode(p, &t);
		buf_printf(&c->out, " size=%zu", buf_len(&t));
		buf_free(&t);
		return MIME_CONTINUE;
	}
	buf_init(&t, 1 << 16);
	mime_part_text(p, c->fallback, &t);
	buf_addstr(&c->out, " text=");
	/* CRLF to LF, so both line-end forms give the same answer. */
	for (i = 0; i < buf_len(&t); i++)
		if (!(buf_ptr(&t)[i] == '\r' && i + 1 < buf_len(&t) && buf_ptr(&t)[i + 1] == '\n'))
			buf_addc(&c->out, buf_ptr(&t)[i]);
	buf_free(&t);
	return MIME_CONTINUE;
}

static void
test_walk(void)
{
	struct collect c = { .fallback = NULL };
	size_t i, len;
	char *crlf;

	for (i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		buf_init(&c.out, 1 << 16);
		tap_is_int(mime_walk(walk_cases[i].msg, strlen(walk_cases[i].msg), NULL,
		    collect_visit, &c), 0, "%s (LF): walked", walk_cases[i].what);
		tap_is_str(buf_ptr(&c.out), walk_cases[i].want, "%s (LF)", walk_cases[i].what);
		buf_free(&c.out);
		crlf = tap_crlf(walk_cases[i].msg, &len);
		buf_init(&c.out, 1 << 16);
		tap_is_int(mime_walk(crlf, len, NULL, collect_visit, &c), 0,
		    "%s (CRLF): walked", walk_cases[i].what);
		tap_is_str(buf_ptr(&c.out), walk_cases[i].want, "%s (CRLF)", walk_cases[i].what);
		buf_free(&c.out);
		free(crlf);
	}
}

struct counter {
	size_t parts;
	unsigned max_depth;
	const char *skip_type;
	size_t stop_after;
};

static enum mime_visit
count_visit(const struct mime_part *p, void *ctx)
{
	struct counter *c = ctx;

	c->parts++;
	if (p->depth > c->max_depth)
		c->max_depth = p->depth;
	if (c->stop_after != 0 && c->parts == c->stop_after)
		return MIME_STOP;
	if (c->skip_type != NULL && strcmp(p->type, c->skip_type) == 0)
		return MIME_SKIP;
	return MIME_CONTINUE;
}

static void
test_limits(void)
{
	static const char two[] = "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: multipart/mixed; boundary=c\n\n--c\n\nx\n--c--\n--b\n\ny\n--b--\n";
	struct counter c;
	struct buf b, t;
	size_t i;

	/* Nesting deeper than MIME_DEPTH_MAX. */
	buf_init(&b, 1 << 20);
	for (i = 0; i < MIME_DEPTH_MAX + 10; i++)
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%zu\n\n--b%zu\n", i, i);
	buf_addstr(&b, "\nleaf\n");
	memset(&c, 0, sizeof(c));
	tap_is_int(mime_walk(buf_ptr(&b), buf_len(&b), NULL, count_visit, &c), -1,
	    "deep nesting reported as cut");
	tap_ok(c.max_depth <= MIME_DEPTH_MAX, "depth stays within the limit (%u)", c.max_depth);
	buf_free(&b);

	/* More parts than MIME_PARTS_MAX. */
	buf_init(&b, 1 << 20);
	buf_addstr(&b, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < MIME_PARTS_MAX + 50; i++)
		buf_addstr(&b, "--b\n\nx\n");
	buf_addstr(&b, "--b--\n");
	memset(&c, 0, sizeof(c));
	tap_is_int(mime_walk(buf_ptr(&b), buf_len(&b), NULL, count_visit, &c), -1,
	    "too many parts reported as cut");
	tap_is_int(c.parts, MIME_PARTS_MAX, "part count capped");
	buf_free(&b);

	memset(&c, 0, sizeof(c));
	c.skip_type = "multipart/mixed";
	tap_is_int(mime_walk(two, sizeof(two) - 1, NULL, count_visit, &c), 0, "skip walk");
	tap_is_int(c.parts, 1, "SKIP prunes the children");
	memset(&c, 0, sizeof(c));
	c.stop_after = 3;
	tap_is_int(mime_walk(two, sizeof(two) - 1, NULL, count_visit, &c), 1, "STOP reported");
	tap_is_int(c.parts, 3, "STOP ends the walk");
	memset(&c, 0, sizeof(c));
	tap_is_int(mime_walk(two, sizeof(two) - 1, NULL, count_visit, &c), 0, "full walk");
	tap_is_int(c.parts, 4, "all parts visited");

	/* mime_part_text is bounded by the output buffer. */
	buf_init(&b, 1 << 20);
	buf_addstr(&b, "Content-Transfer-Encoding: base64\n\n");
	for (i = 0; i < 10000; i++)
		buf_addstr(&b, "QUFBQUFBQUFBQUFB\n");
	{
		struct mime_part p;
		struct rfc5322_header *h = rfc5322_header_create(buf_ptr(&b), buf_len(&b));

		memset(&p, 0, sizeof(p));
		p.type = "text/plain";
		p.charset = "utf-8";
		p.cte = CTE_BASE64;
		p.body = buf_ptr(&b) + rfc5322_header_body_offset(h);
		p.body_len = buf_len(&b) - rfc5322_header_body_offset(h);
		buf_init(&t, 1000);
		tap_is_int(mime_part_text(&p, NULL, &t), -1, "part text over the maximum");
		tap_is_int(buf_len(&t), 1000, "and cut at the maximum");
		buf_free(&t);
		rfc5322_header_destroy(&h);
	}
	buf_free(&b);
}

struct utf8_check {
	bool bad;
};

static enum mime_visit
utf8_visit(const struct mime_part *p, void *ctx)
{
	struct utf8_check *c = ctx;
	struct buf t;

	buf_init(&t, 1 << 16);
	mime_part_text(p, NULL, &t);
	if (!charset_utf8_valid(buf_ptr(&t), buf_len(&t)))
		c->bad = true;
	buf_free(&t);
	return MIME_CONTINUE;
}

/* Every prefix of every sample (a message cut anywhere, as a partial
 * download is) walks cleanly and gives valid UTF-8. */
static void
test_prefixes(void)
{
	struct utf8_check c = { false };
	size_t i, n, len, runs = 0;

	for (i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		len = strlen(walk_cases[i].msg);
		for (n = 0; n <= len; n++) {
			/* A heap copy of exactly n bytes, so ASan sees overreads. */
			char *copy = malloc(n > 0 ? n : 1);

			memcpy(copy, walk_cases[i].msg, n);
			mime_walk(copy, n, NULL, utf8_visit, &c);
			free(copy);
			runs++;
		}
	}
	tap_ok(!c.bad, "%zu message prefixes walk to valid UTF-8", runs);
}

int
main(void)
{
	test_cte();
	test_walk();
	test_prefixes();
	test_limits();
	charset_cache_clear();
	return tap_done();
}
