/* Unit tests for RFC 5322 headers, address lists and Message-ID lists. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/rfc5322.h"
#include "tap.h"

static const struct {
	const char *msg;
	size_t count;
	const char *probe;	/* field to look up */
	const char *value;	/* its unfolded, decoded value, NULL if absent */
	const char *body;
	const char *what;
} header_cases[] = {
	{ "Subject: hi\nFrom: a@b\n\nbody\n", 2, "subject", "hi", "body\n", "simple" },
	{ "Subject: a\n long\n\tline\n\nb", 1, "Subject", "a long\tline", "b", "folded value" },
	{ "Subject : spaced\n\nb", 1, "Subject", "spaced", "b", "space before the colon" },
	{ "Subject: x\n", 1, "Subject", "x", "", "no body, no blank line" },
	{ "Subject: x", 1, "Subject", "x", "", "no final line end" },
	{ "Subject: x\n\n", 1, "Subject", "x", "", "empty body" },
	{ "", 0, "Subject", NULL, "", "empty message" },
	{ "\nbody only\n", 0, "Subject", NULL, "body only\n", "no header" },
	{ "From alice@example.com Mon Jan 1 00:00:00 2024\nSubject: mbox\n\nb", 1,
	  "subject", "mbox", "b", "mbox From line skipped" },
	{ "Subject: x\nthis is not a header\nmore\n", 1, "Subject", "x",
	  "this is not a header\nmore\n", "no blank line: body starts at a non-field line" },
	{ "Subject: x\nstray line\nFrom: a@b\n\nbody", 2, "from", "a@b", "body",
	  "line without a colon among fields skipped" },
	{ "\xef\xbb\xbfSubject: bom\n\nb", 1, "subject", "bom", "b", "byte order mark" },
	{ "Subject: x\n--b\nContent-Type: text/plain\n", 1, "subject", "x",
	  "--b\nContent-Type: text/plain\n", "delimiter-like line starts the body (no blank line)" },
	{ " orphan continuation\nSubject: y\n\nb", 1, "Subject", "y", "b",
	  "continuation before any field dropped" },
	{ "X-8bit: caf\xc3\xa9\nSubject: =?utf-8?Q?caf=C3=A9?=\n\nb", 2, "subject",
	  "caf\xc3\xa9", "b", "encoded subject" },
	{ "X-Latin: caf\xe9\n\nb", 1, "x-latin", "caf\xc3\xa9", "b", "raw 8-bit value" },
	{ "Received: a\nReceived: b\nSubject: s\n\nx", 3, "received", "a", "x", "first of several" },
	{ "Subject:\n\nb", 1, "subject", "", "b", "empty value" },
	{ "Subject:no space\n\nb", 1, "subject", "no space", "b", "no space after the colon" },
	{ "Bad Name: v\n\nb", 0, "bad name", NULL, "Bad Name: v\n\nb", "name with a space is not a field" },
	/* Apple Mail / Gmail / Outlook shapes. */
	{ "Content-Type: text/plain;\n\tcharset=us-ascii\nMime-Version: 1.0 (Mac OS X Mail 16.0)\n"
	  "Subject: Lunch?\n\nOk", 3, "mime-version", "1.0 (Mac OS X Mail 16.0)", "Ok", "Apple Mail" },
	{ "Thread-Topic: =?iso-8859-1?Q?R=E9union?=\nThread-Index: AdQ=\n"
	  "Subject: =?iso-8859-1?Q?R=E9union?=\n\nx", 3, "Subject", "R\xc3\xa9union", "x", "Outlook" },
};

static void
check_header(const char *msg, size_t len, size_t i, const char *le)
{
	struct rfc5322_header *h = rfc5322_header_create(msg, len);
	struct buf v, body;
	int r;

	tap_is_int(rfc5322_header_count(h), header_cases[i].count, "%s (%s): field count",
	    header_cases[i].what, le);
	buf_init(&v, 4096);
	r = rfc5322_header_get_text(h, header_cases[i].probe, NULL, &v);
	if (header_cases[i].value == NULL)
		tap_is_int(r, 1, "%s (%s): field absent", header_cases[i].what, le);
	else
		tap_is_str(buf_ptr(&v), header_cases[i].value, "%s (%s): value",
		    header_cases[i].what, le);
	buf_free(&v);
	/* The body, with CRLF back to LF for comparison. */
	buf_init(&body, 4096);
	{
		size_t k, off = rfc5322_header_body_offset(h);

		for (k = off; k < len; k++)
			if (!(msg[k] == '\r' && k + 1 < len && msg[k + 1] == '\n'))
				buf_addc(&body, msg[k]);
	}
	tap_is_str(buf_ptr(&body), header_cases[i].body, "%s (%s): body", header_cases[i].what, le);
	buf_free(&body);
	rfc5322_header_destroy(&h);
	tap_ok(h == NULL, "%s (%s): destroy NULLs the pointer", header_cases[i].what, le);
}

static void
test_headers(void)
{
	size_t i, len;
	char *crlf;

	for (i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		check_header(header_cases[i].msg, strlen(header_cases[i].msg), i, "LF");
		crlf = tap_crlf(header_cases[i].msg, &len);
		check_header(crlf, len, i, "CRLF");
		free(crlf);
	}
}

static void
test_header_api(void)
{
	static const char msg[] = "A: 1\nb: 2\nA: 3\nX: with\0nul\n\nbody";
	struct rfc5322_header *h = rfc5322_header_create(msg, sizeof(msg) - 1);
	const struct rfc5322_field *f;
	size_t idx = 0, n = 0;
	struct buf b;

	while ((f = rfc5322_header_find_next(h, "a", &idx)) != NULL)
		n++;
	tap_is_int(n, 2, "find_next visits every match");
	f = rfc5322_header_find(h, "X");
	tap_ok(f != NULL && f->value_len == 9, "NUL byte inside a value kept");
	f = rfc5322_header_field(h, 1);
	tap_ok(f != NULL && f->name_len == 1 && f->name[0] == 'b', "field by index");
	tap_ok(rfc5322_header_field(h, 99) == NULL, "index past the end");
	tap_ok(!rfc5322_header_truncated(h), "not truncated");
	rfc5322_header_destroy(&h);
	rfc5322_header_destroy(&h);
	tap_ok(1, "double destroy is harmless");

	/* Limits: more fields than RFC5322_FIELDS_MAX. */
	buf_init(&b, 1 << 20);
	for (n = 0; n < RFC5322_FIELDS_MAX + 10; n++)
		buf_printf(&b, "X-%zu: v\n", n);
	buf_addstr(&b, "\nthe body");
	h = rfc5322_header_create(buf_ptr(&b), buf_len(&b));
	tap_is_int(rfc5322_header_count(h), RFC5322_FIELDS_MAX, "field count capped");
	tap_ok(rfc5322_header_truncated(h), "and reported");
	tap_is_str(buf_ptr(&b) + rfc5322_header_body_offset(h), "the body",
	    "body still found past the cap");
	rfc5322_header_destroy(&h);
	buf_reset(&b);
	buf_addstr(&b, "Subject: ");
	for (n = 0; n < RFC5322_FIELD_MAX + 100; n++)
		buf_addc(&b, 'x');
	buf_addstr(&b, "\n\nb");
	h = rfc5322_header_create(buf_ptr(&b), buf_len(&b));
	f = rfc5322_header_find(h, "subject");
	tap_ok(f != NULL && f->value_len == RFC5322_FIELD_MAX, "long value cut to the limit");
	tap_is_str(buf_ptr(&b) + rfc5322_header_body_offset(h), "b", "body after a long field");
	rfc5322_header_destroy(&h);
	buf_free(&b);
}

static const struct {
	const char *in;
	const char *want;	/* "name|addr" joined by "; ", "-" for no name */
	const char *what;
} addr_cases[] = {
	{ "alice@example.com", "-|alice@example.com", "bare addr-spec" },
	{ "Alice <alice@example.com>", "Alice|alice@example.com", "name and angle-addr" },
	{ "\"Smith, John\" <js@example.com>, b@c", "Smith, John|js@example.com; -|b@c",
	  "quoted name with a comma" },
	{ "\"Say \\\"hi\\\"\" <x@y>", "Say \"hi\"|x@y", "escapes in a quoted string" },
	{ "a@b (Alice)", "Alice|a@b", "comment as the name" },
	{ "Bob (work) <b@c>", "Bob|b@c", "comment ignored when there is a name" },
	{ "undisclosed-recipients:;", "", "empty group" },
	{ "Friends (crowd): Pat <p@x>, k@x; (that was all)", "Pat|p@x; -|k@x",
	  "comments around a group are no addresses" },
	{ "(empty list) Undisclosed : (nobody (at all)) ;", "", "comment-only group member" },
	{ "Team: a@b, \"C\" <c@d>;, e@f", "-|a@b; C|c@d; -|e@f", "group flattened" },
	{ "<@route1,@route2:user@host>", "-|user@host", "obsolete route dropped" },
	{ "Alice alice@example.com", "Alice|alice@example.com", "missing angle brackets" },
	{ "root", "-|root", "bare local part" },
	{ "=?utf-8?Q?Ren=C3=A9?= <r@x>", "Ren\xc3\xa9|r@x", "encoded display name" },
	{ "\"=?utf-8?Q?Ren=C3=A9?=\" <r@x>", "Ren\xc3\xa9|r@x", "encoded word inside quotes" },
	{ "=?utf-8?Q?a?= =?utf-8?Q?b?= <ab@x>", "ab|ab@x", "adjacent encoded words" },
	{ "=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?= <kim@example.kr>",
	  "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94|kim@example.kr", "Korean Outlook" },
	{ "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= <t@example.jp>",
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf|t@example.jp", "Japanese name" },
	{ "=?koi8-r?B?8NLJ18XU?= <ivan@example.ru>",
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82|ivan@example.ru", "Russian name" },
	{ "\"unterminated <a@b>", "unterminated <a@b>|", "unbalanced quote runs to the end" },
	{ "Alice <alice@example.com", "Alice|alice@example.com", "unclosed angle bracket" },
	{ "a@b (unclosed", "unclosed|a@b", "unclosed comment" },
	{ "a@b>, c@d", "-|a@b; -|c@d", "stray closing bracket" },
	{ ",,, a@b ,, ", "-|a@b", "empty list members" },
	{ "", "", "empty value" },
	{ "Dr. John Smith <js@x>", "Dr. John Smith|js@x", "obsolete unquoted dot in a name" },
	{ "john . smith @ example . com", "-|john.smith@example.com", "obsolete spacing in addr-spec" },
	{ "\"john smith\"@example.com", "-|\"john smith\"@example.com", "quoted local part kept" },
	{ "Undisclosed recipients", "Undisclosed recipients|", "words without an address" },
	{ "Caf\xc3\xa9 <c@x>", "Caf\xc3\xa9|c@x", "raw UTF-8 name" },
	{ "Caf\xe9 <c@x>", "Caf\xc3\xa9|c@x", "raw latin-1 name" },
	{ "Alice\r\n <alice@example.com>,\r\n\tBob <bob@example.com>",
	  "Alice|alice@example.com; Bob|bob@example.com", "folded list (Gmail)" },
	{ "'Alice' <alice@example.com>", "'Alice'|alice@example.com", "Outlook single quotes kept" },
	{ "<>", "", "empty angle-addr (bounce sender)" },
	{ "tim@example.com concierge@example.com", "-|tim@example.com; -|concierge@example.com",
	  "missing comma between addr-specs" },
	{ "MAILER-DAEMON@example.com (Mail Delivery System)",
	  "Mail Delivery System|MAILER-DAEMON@example.com", "bounce sender with a comment" },
	{ "alice@example.com <bob@example.com>", "alice@example.com|bob@example.com",
	  "address as the display name" },
};

static void
test_addrs(void)
{
	struct rfc5322_addr_list *l;
	struct buf b;
	size_t i, j;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		l = rfc5322_addr_parse(addr_cases[i].in, strlen(addr_cases[i].in), NULL);
		buf_init(&b, 4096);
		for (j = 0; j < l->count; j++)
			buf_printf(&b, "%s%s|%s", j > 0 ? "; " : "",
			    l->addrs[j].name != NULL ? l->addrs[j].name : "-", l->addrs[j].addr);
		tap_is_str(buf_ptr(&b), addr_cases[i].want, "address: %s", addr_cases[i].what);
		buf_free(&b);
		rfc5322_addr_list_destroy(&l);
	}
	tap_ok(l == NULL, "address list destroy NULLs the pointer");

	buf_init(&b, 1 << 20);
	for (i = 0; i < RFC5322_ADDRS_MAX + 5; i++)
		buf_printf(&b, "u%zu@x, ", i);
	l = rfc5322_addr_parse(buf_ptr(&b), buf_len(&b), NULL);
	tap_is_int(l->count, RFC5322_ADDRS_MAX, "address count capped");
	rfc5322_addr_list_destroy(&l);
	buf_free(&b);
}

static const struct {
	const char *in;
	const char *want;	/* joined by spaces */
	const char *what;
} msgid_cases[] = {
	{ "<a@b>", "<a@b>", "one id" },
	{ "<a@b> <c@d>\r\n <e@f>", "<a@b> <c@d> <e@f>", "folded list in order" },
	{ "<a@b>,<c@d>", "<a@b> <c@d>", "commas" },
	{ "<a@b><c@d>", "<a@b> <c@d>", "no separators" },
	{ "a@b", "<a@b>", "missing brackets" },
	{ "<a@b> c@d", "<a@b> <c@d>", "one missing brackets" },
	{ "<a@b> (comment <x@y>) <c@d>", "<a@b> <c@d>", "comments skipped" },
	{ "Your message of \"Mon, 1 Jan\" <a@b>", "<a@b>", "old In-Reply-To phrase" },
	{ "<a@\r\n b>", "<a@b>", "id folded inside" },
	{ "<a@b", "<a@b>", "unterminated" },
	{ "<>", "", "empty id dropped" },
	{ "garbage words", "", "no ids" },
	{ "", "", "empty value" },
};

static void
test_msgids(void)
{
	struct rfc5322_msgid_list *l;
	struct buf b;
	size_t i, j;

	for (i = 0; i < sizeof(msgid_cases) / sizeof(msgid_cases[0]); i++) {
		l = rfc5322_msgid_parse(msgid_cases[i].in, strlen(msgid_cases[i].in));
		buf_init(&b, 4096);
		for (j = 0; j < l->count; j++)
			buf_printf(&b, "%s%s", j > 0 ? " " : "", l->ids[j]);
		tap_is_str(buf_ptr(&b), msgid_cases[i].want, "msgid: %s", msgid_cases[i].what);
		buf_free(&b);
		rfc5322_msgid_list_destroy(&l);
	}
	tap_ok(l == NULL, "msgid list destroy NULLs the pointer");
}

int
main(void)
{
	test_headers();
	test_header_api();
	test_addrs();
	test_msgids();
	charset_cache_clear();
	return tap_done();
}
