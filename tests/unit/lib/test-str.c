/* Unit tests for the string helpers. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/str.h"
#include "tap.h"

static void
test_numbers(void)
{
	static const struct {
		const char *in;
		uint64_t max;
		int ret;
		uint64_t want;
	} cases[] = {
		{ "0", 10, 0, 0 },
		{ "10", 10, 0, 10 },
		{ "11", 10, -1, 0 },
		{ "", 10, -1, 0 },
		{ "-1", 10, -1, 0 },
		{ " 1", 10, -1, 0 },
		{ "1x", 10, -1, 0 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, -1, 0 },
		{ "65535", 65535, 0, 65535 },
		{ "65536", 65535, -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int r = str_to_u64(cases[i].in, cases[i].max, &v);

		tap_ok(r == cases[i].ret && (r != 0 || v == cases[i].want),
		    "str_to_u64(\"%s\", max %ju)", cases[i].in, (uintmax_t)cases[i].max);
	}
}

static void
test_edit_distance(void)
{
	tap_is_int((long long)str_edit_distance("password", "password"), 0, "same word");
	tap_is_int((long long)str_edit_distance("pasword", "password"), 1, "one deletion");
	tap_is_int((long long)str_edit_distance("Password", "password"), 0, "case ignored");
	tap_is_int((long long)str_edit_distance("passwrod", "password"), 1, "transposition is one edit");
	tap_is_int((long long)str_edit_distance("", "abc"), 3, "from empty");
	tap_ok(str_edit_distance(
	    "a very long setting name that is far over sixty four bytes long ..........",
	    "x") == SIZE_MAX, "over-long input gives SIZE_MAX");
}

static void
test_predicates_and_escape(void)
{
	char out[16] = "";

	tap_ok(str_has_prefix("imaps://x", "imaps://"), "has_prefix");
	tap_ok(!str_has_prefix("imap", "imaps://"), "has_prefix with a short string");
	tap_ok(str_has_suffix("mailrc.sample", ".sample"), "has_suffix");
	tap_ok(str_caseeq("YES", "yes") && !str_caseeq("yes", "yess"), "caseeq");
	tap_ok(str_hexval('0') == 0 && str_hexval('9') == 9 && str_hexval('a') == 10 &&
	    str_hexval('F') == 15 && str_hexval('g') == -1 && str_hexval('\0') == -1, "hexval");
	tap_ok(str_base64_value('A', '+', '/') == 0 && str_base64_value('z', '+', '/') == 51 &&
	    str_base64_value('9', '+', '/') == 61 && str_base64_value('+', '+', '/') == 62 &&
	    str_base64_value('/', '+', '/') == 63 && str_base64_value(',', '+', '/') == -1 &&
	    str_base64_value(',', '+', ',') == 63 && str_base64_value('/', '+', ',') == -1 &&
	    str_base64_value('=', '+', '/') == -1 && str_base64_value(0xc3, '+', '/') == -1,
	    "base64 digits of both alphabets");
	str_escape_for_message(out, sizeof(out), "a\x1b[2Jb", 6);
	tap_is_str(out, "a\\x1b[2Jb", "control bytes are escaped");
	out[0] = '\0';
	str_escape_for_message(out, sizeof(out), "0123456789abcdefghij", 20);
	tap_is_str(out, "0123456789abcde", "output is truncated to fit");
}

static void
test_utf8_decode(void)
{
	static const struct {
		const char *s;
		size_t len, want;
		uint32_t cp;
	} cases[] = {
		{ "a", 1, 1, 'a' },
		{ "\xc3\xa9", 2, 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		{ "", 0, 0, 0 },
		{ "\xc3\xa9", 1, 0, 0 },		/* truncated by len */
		{ "\xc0\xaf", 2, 0, 0 },		/* overlong */
		{ "\xe0\x80\xaf", 3, 0, 0 },		/* overlong */
		{ "\xf0\x80\x80\xaf", 4, 0, 0 },	/* overlong */
		{ "\xed\xa0\x80", 3, 0, 0 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },	/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\x80", 1, 0, 0 },			/* continuation */
		{ "\xc3(", 2, 0, 0 },			/* bad continuation */
	};
	size_t i, n;
	uint32_t cp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cp = 0;
		n = str_utf8_decode(cases[i].s, cases[i].len, &cp);
		tap_is_int((long long)n, (long long)cases[i].want, "utf8 case %zu: length", i);
		if (cases[i].want > 0)
			tap_is_int(cp, cases[i].cp, "utf8 case %zu: code point", i);
	}
	tap_ok(str_ncaseeq("Status/Open", "status/OPEN", 11), "ncaseeq: case ignored");
	tap_ok(str_ncaseeq("assign/bob", "ASSIGN/", 7), "ncaseeq: a prefix");
	tap_ok(!str_ncaseeq("assign", "assign/", 7), "ncaseeq: a shorter string");
	tap_ok(str_ncaseeq("ab", "ab", 5), "ncaseeq: both end");
	tap_ok(!str_ncaseeq("\xc9", "\xe9", 1), "ncaseeq: ASCII only");
}

static void
test_utf8_printable(void)
{
	tap_ok(str_utf8_printable("", 0), "empty is printable");
	tap_ok(str_utf8_printable("J\xc3\xbcrgen \xe6\x97\xa5\xe6\x9c\xac", 14),
	    "UTF-8 text");
	tap_ok(!str_utf8_printable("a\tb", 3), "a tab is a control");
	tap_ok(!str_utf8_printable("a\x1b[2J", 6), "ESC");
	tap_ok(!str_utf8_printable("a\x7f", 2), "DEL");
	tap_ok(!str_utf8_printable("a\xc2\x9b", 3), "C1 (CSI)");
	tap_ok(!str_utf8_printable("a\xff", 2), "not UTF-8");
	tap_ok(!str_utf8_printable("a\xc0\xaf", 3), "an overlong form");
	tap_ok(!str_utf8_printable("ab\0c", 4), "a NUL inside the length");
}

int
main(void)
{
	test_numbers();
	test_edit_distance();
	test_predicates_and_escape();
	test_utf8_decode();
	test_utf8_printable();
	return tap_done();
}
