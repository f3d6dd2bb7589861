/* Unit tests for charset conversion to UTF-8. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static const struct {
	const char *charset;
	const char *in;
	size_t in_len;
	const char *fallback;
	const char *want;
	const char *what;
} conv_cases[] = {
	{ "utf-8", S("plain ascii"), NULL, "plain ascii", "ascii fast path" },
	{ "UTF-8", S("\xe2\x82\xac 5"), NULL, "\xe2\x82\xac 5", "valid UTF-8 fast path" },
	{ "utf8", S("caf\xc3\xa9"), NULL, "caf\xc3\xa9", "utf8 without the dash" },
	{ "utf-8", S("bad \xff byte"), NULL, "bad \xef\xbf\xbd byte", "invalid UTF-8 becomes U+FFFD" },
	{ "utf-8", S("\xc0\xaf"), NULL, "\xef\xbf\xbd\xef\xbf\xbd", "overlong form refused" },
	{ "utf-8", S("\xed\xa0\x80"), NULL, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "surrogate refused" },
	{ "utf-8", S("cut \xe2\x82"), NULL, "cut \xef\xbf\xbd", "truncated sequence is one U+FFFD (maximal subpart)" },
	{ "utf-8", S("a\xf0\x9f\x98z"), NULL, "a\xef\xbf\xbdz", "cut 4-byte sequence is one U+FFFD" },
	{ "utf-8", S("\xe0\x80\x80"), NULL, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "overlong 3-byte: one U+FFFD a byte" },
	{ "iso-8859-1", S("caf\xe9"), NULL, "caf\xc3\xa9", "latin-1" },
	{ "latin1", S("\x80"), NULL, "\xe2\x82\xac", "latin1 read as windows-1252 (superset)" },
	{ "\"ISO-8859-15\"", S("\xa4"), NULL, "\xe2\x82\xac", "quoted label, latin-9 euro" },
	{ " windows-1252 ", S("\x93hi\x94"), NULL, "\xe2\x80\x9chi\xe2\x80\x9d", "Outlook smart quotes, spaces trimmed" },
	{ "windows-1251", S("\xcf\xf0\xe8\xe2\xe5\xf2"), NULL,
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "Russian windows-1251" },
	{ "koi8-r", S("\xf0\xd2\xc9\xd7\xc5\xd4"), NULL,
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "Russian KOI8-R" },
	{ "KOI8-U", S("\xf0\xd2\xc9\xd7\xc5\xd4"), NULL,
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "KOI8-U" },
	{ "iso-2022-jp", S("\x1b$B$3$s$K$A$O\x1b(B"), NULL,
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf", "Japanese ISO-2022-JP" },
	{ "ks_c_5601-1987", S("\xbe\xc8\xb3\xe7\xc7\xcf\xbc\xbc\xbf\xe4"), NULL,
	  "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94", "Korean ks_c_5601-1987 (Outlook)" },
	{ "euc-kr", S("\xbe\xc8\xb3\xe7"), NULL, "\xec\x95\x88\xeb\x85\x95", "Korean EUC-KR" },
	{ "x-sjis", S("\x93\xfa\x96{"), NULL, "\xe6\x97\xa5\xe6\x9c\xac", "x-sjis" },
	{ "Shift-JIS", S("\x93\xfa\x96{"), NULL, "\xe6\x97\xa5\xe6\x9c\xac", "shift-jis with a dash" },
	{ "gb2312", S("\xd6\xd0\xce\xc4"), NULL, "\xe4\xb8\xad\xe6\x96\x87", "gb2312 read as GBK" },
	{ "big5", S("\xa4\xa4\xa4\xe5"), NULL, "\xe4\xb8\xad\xe6\x96\x87", "big5" },
	{ "tis-620", S("\xe4\xb7\xc2"), NULL, "\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2", "Thai tis-620" },
	{ "iso-8859-8-i", S("\xf9\xec\xe5\xed"), NULL, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "Hebrew iso-8859-8-i" },
	{ "x-mac-roman", S("\x8e"), NULL, "\xc3\xa9", "x-mac-roman" },
	{ "unicode-1-1-utf-7", S("+ZeVnLA-"), NULL, "\xe6\x97\xa5\xe6\x9c\xac", "UTF-7 (old Outlook label)" },
	{ "utf-8*en", S("x"), NULL, "x", "RFC 2231 language suffix ignored" },
	{ "x-unknown", S("caf\xe9"), NULL, "caf\xc3\xa9", "x-unknown with 8-bit: fallback" },
	{ "unknown-8bit", S("caf\xc3\xa9"), NULL, "caf\xc3\xa9", "unknown-8bit holding valid UTF-8" },
	{ "us-ascii", S("caf\xe9"), NULL, "caf\xc3\xa9", "us-ascii with 8-bit bytes: fallback" },
	{ NULL, S("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1"), NULL,
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xef\xbf\xbd",
	  "undeclared UTF-8 cut mid-character stays UTF-8 (Yahoo)" },
	{ "us-ascii", S("caf\xc3\xa9"), NULL, "caf\xc3\xa9", "us-ascii holding UTF-8 (Gmail does that)" },
	{ "no-such-charset", S("\xe9t\xe9"), NULL, "\xc3\xa9t\xc3\xa9", "unknown charset: default fallback" },
	{ "no-such-charset", S("\xf0\xd2"), "koi8-r", "\xd0\x9f\xd1\x80", "unknown charset: caller's fallback" },
	{ NULL, S("\xe9"), NULL, "\xc3\xa9", "missing charset" },
	{ "", S("\xe9"), NULL, "\xc3\xa9", "empty charset" },
	{ "../../etc/x", S("\xe9"), NULL, "\xc3\xa9", "label with a path is unknown" },
	{ "iso-2022-jp", S("\x1b$B$3\xff$s\x1b(B"), NULL, NULL, "invalid byte in ISO-2022-JP" },
	{ "shift_jis", S("\x93"), NULL, NULL, "Shift_JIS cut mid-character" },
	{ "utf-16le", S("a\0b\0"), NULL, "ab", "UTF-16LE" },
};

static bool
has_fffd(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++)
		if (memcmp(s + i, "\xef\xbf\xbd", 3) == 0)
			return true;
	return false;
}

static void
test_conversions(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(conv_cases) / sizeof(conv_cases[0]); i++) {
		buf_init(&b, 4096);
		tap_is_int(charset_to_utf8(conv_cases[i].charset,
		    conv_cases[i].charset != NULL ? strlen(conv_cases[i].charset) : 0,
		    conv_cases[i].in, conv_cases[i].in_len, conv_cases[i].fallback, &b),
		    0, "%s: converts", conv_cases[i].what);
		if (conv_cases[i].want != NULL)
			tap_is_mem(buf_ptr(&b), buf_len(&b), conv_cases[i].want,
			    strlen(conv_cases[i].want),
			    "%s", conv_cases[i].what);
		else
			tap_ok(charset_utf8_valid(buf_ptr(&b), buf_len(&b)) &&
			    has_fffd(buf_ptr(&b), buf_len(&b)),
			    "%s: valid UTF-8 with U+FFFD", conv_cases[i].what);
		buf_free(&b);
	}
}

static void
test_lookup(void)
{
	char name[CHARSET_NAME_MAX + 1];

	tap_ok(charset_lookup("KS_C_5601-1987", 14, name), "ks_c_5601-1987 known");
	tap_is_str(name, "CP949", "ks_c_5601-1987 is CP949");
	tap_ok(charset_lookup("x-sjis", 6, name), "x-sjis known");
	tap_is_str(name, "CP932", "x-sjis is CP932");
	tap_ok(charset_lookup("GB2312", 6, name) && strcmp(name, "GBK") == 0, "gb2312 is GBK");
	tap_ok(charset_lookup("x-koi8-r", 8, name) && strcmp(name, "KOI8-R") == 0,
	    "x- prefix dropped when needed");
	tap_ok(!charset_lookup("unknown-8bit", 12, name), "unknown-8bit is not a charset");
	tap_ok(!charset_lookup("bogus", 5, name), "bogus unknown");
	tap_is_str(name, "", "and the name is empty");
	tap_ok(!charset_lookup("utf-8//TRANSLIT", 15, name), "iconv suffixes refused");
	tap_ok(charset_lookup("windows-1250", 12, name), "windows-1250 known");
}

static void
test_bounds(void)
{
	struct buf b;

	buf_init(&b, 5);
	tap_is_int(charset_to_utf8("utf-8", 5, S("abcdefgh"), NULL, &b), -1,
	    "output over the maximum is reported");
	tap_is_str(buf_ptr(&b), "abcde", "and what fit is kept");
	buf_free(&b);
	buf_init(&b, 5);
	tap_is_int(charset_to_utf8("utf-8", 5, S("ab\xe2\x82\xac\xe2\x82\xac"), NULL, &b),
	    -1, "cut inside a character");
	tap_is_str(buf_ptr(&b), "ab\xe2\x82\xac", "cut on a character boundary");
	buf_free(&b);
	buf_init(&b, 4);
	tap_is_int(charset_to_utf8("koi8-r", 6, S("\xf0\xd2\xc9\xd7\xc5\xd4"), NULL, &b),
	    -1, "iconv output over the maximum");
	tap_is_str(buf_ptr(&b), "\xd0\x9f\xd1\x80", "iconv output cut on a boundary");
	buf_free(&b);
	buf_init(&b, 3);
	tap_is_int(charset_utf8_sanitize(S("\xff\xff"), &b), -1, "sanitize bounded");
	tap_is_str(buf_ptr(&b), "\xef\xbf\xbd", "one replacement fit");
	buf_free(&b);
}

static void
test_sanitize(void)
{
	struct buf b;

	buf_init(&b, 100);
	charset_to_utf8("utf-8", 5, S("a\0b"), NULL, &b);
	tap_is_mem(buf_ptr(&b), buf_len(&b), "a\0b", 3, "NUL bytes kept");
	buf_reset(&b);
	charset_to_utf8("koi8-r", 6, S("\0\xf0"), NULL, &b);
	tap_is_mem(buf_ptr(&b), buf_len(&b), "\0\xd0\x9f", 3, "NUL bytes kept through iconv");
	buf_reset(&b);
	charset_utf8_sanitize(S("ok \xe2\x82\xac \xfe end"), &b);
	tap_is_str(buf_ptr(&b), "ok \xe2\x82\xac \xef\xbf\xbd end", "sanitize keeps valid, replaces bad");
	buf_free(&b);
	tap_ok(charset_utf8_valid(S("\xf0\x9f\x98\x80")), "4-byte emoji valid");
	tap_ok(!charset_utf8_valid(S("\xf4\x90\x80\x80")), "past U+10FFFF invalid");
	tap_ok(charset_is_ascii(S("abc")) && !charset_is_ascii(S("\x80")), "ascii test");
}

static void
test_cache(void)
{
	static const char *const names[] = {
		"koi8-r", "koi8-u", "windows-1251", "windows-1250", "iso-8859-2",
		"iso-8859-5", "cp949", "big5", "gbk", "euc-jp", "iso-8859-7",
		"koi8-r",
	};
	struct buf b;
	size_t i;
	int bad = 0;

	/* More charsets than cache slots: entries are replaced and reused. */
	buf_init(&b, 100);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_reset(&b);
		bad |= charset_to_utf8(names[i], strlen(names[i]), S("a\xe0"), NULL, &b);
		bad |= !charset_utf8_valid(buf_ptr(&b), buf_len(&b));
	}
	tap_is_int(bad, 0, "cache eviction keeps conversions right");
	charset_cache_clear();
	buf_reset(&b);
	charset_to_utf8("koi8-r", 6, S("\xf0"), NULL, &b);
	tap_is_str(buf_ptr(&b), "\xd0\x9f", "conversion after clearing the cache");
	buf_free(&b);
}

int
main(void)
{
	test_conversions();
	test_lookup();
	test_bounds();
	test_sanitize();
	test_cache();
	charset_cache_clear();
	return tap_done();
}
