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

int
main(void)
{
	test_numbers();
	test_edit_distance();
	test_predicates_and_escape();
	return tap_done();
}
