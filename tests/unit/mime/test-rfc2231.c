/* Unit tests for MIME parameters (RFC 2045 §5.1, RFC 2231) and file
 * name sanitising. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/rfc2231.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *token;
	const char *param;
	const char *want;	/* NULL: absent */
	const char *what;
} cases[] = {
	{ "text/plain; charset=utf-8", "text/plain", "charset", "utf-8", "token and parameter" },
	{ "TEXT/HTML; CHARSET=\"ISO-8859-1\"", "text/html", "charset", "ISO-8859-1",
	  "type lowercased, quoted value kept" },
	{ "text/plain (comment); charset=x", "text/plain", "charset", "x", "comment in the type" },
	{ "multipart/mixed;\r\n\tboundary=\"----=_Part_1\"", "multipart/mixed", "boundary",
	  "----=_Part_1", "folded boundary (Outlook)" },
	{ "multipart/alternative; boundary=Apple-Mail=_A1B2", "multipart/alternative",
	  "boundary", "Apple-Mail=_A1B2", "Apple Mail boundary with '='" },
	{ "a/b; x=\"q\\\"uote\"", "a/b", "x", "q\"uote", "escape in a quoted value" },
	{ "a/b; x=1; x=2", "a/b", "x", "1", "duplicate: first wins" },
	{ "a/b; name", "a/b", "name", NULL, "name without a value" },
	{ "attachment; filename=My Document.pdf", "attachment", "filename", "My Document.pdf",
	  "unquoted value with spaces" },
	{ "attachment; filename*=utf-8''%E2%82%AC%20rates.pdf", "attachment", "filename",
	  "\xe2\x82\xac rates.pdf", "RFC 2231 charset and percent" },
	{ "attachment; filename*=iso-8859-1'fr'r%E9sum%E9.txt", "attachment", "filename",
	  "r\xc3\xa9sum\xc3\xa9.txt", "RFC 2231 language" },
	{ "a/b; t*0=\"abc\"; t*1=\"def\"", "a/b", "t", "abcdef", "continuations" },
	{ "a/b; t*1=\"def\"; t*0=\"abc\"", "a/b", "t", "abcdef", "continuations out of order" },
	{ "a/b; t*0=\"abc\"; t*2=\"ghi\"", "a/b", "t", "abcghi", "missing section skipped" },
	{ "a/b; t*0*=utf-8''%E2%82; t*1*=%AC; t*2=\" end\"", "a/b", "t", "\xe2\x82\xac end",
	  "encoded continuations joined before conversion" },
	{ "a/b; t*0=\"x\"; t*0=\"y\"", "a/b", "t", "x", "duplicate section: first wins" },
	{ "a/b; name=\"plain.txt\"; name*=utf-8''better.txt", "a/b", "name", "better.txt",
	  "RFC 2231 form wins over the plain one" },
	{ "a/b; name=\"=?utf-8?B?w6l0w6kucGRm?=\"", "a/b", "name", "\xc3\xa9t\xc3\xa9.pdf",
	  "RFC 2047 in a quoted value (Outlook)" },
	{ "a/b; name=\"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=.doc\"", "a/b", "name",
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf.doc", "Japanese file name" },
	{ "a/b; name=\"caf\xe9.txt\"", "a/b", "name", "caf\xc3\xa9.txt", "raw latin-1 value" },
	{ "a/b; x*=%41%zz", "a/b", "x", "A%zz", "bad percent escape kept" },
	{ "a/b; x*=noquotes%41", "a/b", "x", "noquotesA", "extended value without charset" },
	{ "a/b; x=\"unterminated", "a/b", "x", "unterminated", "unterminated quote" },
	{ "a/b; x*999=\"y\"", "a/b", "x", NULL, "section number over the limit ignored" },
	{ "", "", "charset", NULL, "empty value" },
	{ ";;; =v; x=1", "", "x", "1", "garbage before parameters" },
};

static void
test_cases(void)
{
	struct rfc2231_value *v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = rfc2231_parse(cases[i].in, strlen(cases[i].in), NULL);
		tap_is_str(v->token, cases[i].token, "%s: token", cases[i].what);
		tap_is_str(rfc2231_param(v, cases[i].param), cases[i].want, "%s", cases[i].what);
		rfc2231_value_destroy(&v);
	}
	tap_ok(v == NULL, "destroy NULLs the pointer");
}

static const struct {
	const char *in;
	const char *want;
} fname_cases[] = {
	{ "report.pdf", "report.pdf" },
	{ "../../etc/passwd", "passwd" },
	{ "/etc/passwd", "passwd" },
	{ "..\\..\\evil.exe", "evil.exe" },
	{ "C:\\Windows\\evil.exe", "evil.exe" },
	{ "C:evil.exe", "evil.exe" },
	{ "..", "" },
	{ ".", "" },
	{ "dir/", "" },
	{ "a\tb\x01.txt", "a_b_.txt" },
	{ "  spaced.txt  ", "spaced.txt" },
	{ ".hidden", ".hidden" },
	{ "\xe2\x82\xac.pdf", "\xe2\x82\xac.pdf" },
};

static void
test_filenames(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(fname_cases) / sizeof(fname_cases[0]); i++) {
		buf_init(&b, 256);
		tap_is_int(rfc2231_filename_sanitize(fname_cases[i].in, &b), 0,
		    "sanitize '%s'", fname_cases[i].in);
		tap_is_str(buf_ptr(&b), fname_cases[i].want, "file name '%s'", fname_cases[i].in);
		buf_free(&b);
	}
}

int
main(void)
{
	test_cases();
	test_filenames();
	charset_cache_clear();
	return tap_done();
}
