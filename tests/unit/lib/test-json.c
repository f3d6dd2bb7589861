/* Unit tests for JSON string output. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "tap.h"

static void
expect(const char *in, size_t len, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b, 4096);
	tap_is_int(json_add_string(&b, in, len), 0, "%s: fits", what);
	tap_is_str(buf_ptr(&b), want, "%s", what);
	buf_free(&b);
}

int
main(void)
{
	struct buf b;

	expect("plain", 5, "\"plain\"", "ASCII as is");
	expect("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	expect("l1\nl2\r\t", 7, "\"l1\\nl2\\r\\t\"", "newline, CR, TAB escaped");
	expect("\x1b[2J\x7f", 5, "\"\\u001b[2J\\u007f\"", "ESC and DEL escaped");
	expect("a\0b", 3, "\"a\\u0000b\"", "NUL escaped, not a terminator");
	expect("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", 14,
	    "\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"", "valid UTF-8 kept");
	expect("bad\xff\xfe", 5, "\"bad\xef\xbf\xbd\xef\xbf\xbd\"", "invalid bytes become U+FFFD");
	expect("\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"", "overlong form refused");
	expect("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "surrogate refused");
	expect("\xf4\x90\x80\x80", 4, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	    "above U+10FFFF refused");
	expect("\xe3\x81", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"", "truncated sequence refused");
	expect("x\xe2\x80\xa8y", 5, "\"x\\u2028y\"", "U+2028 escaped");
	expect("\xc2\x85\xc2\x9b", 4, "\"\\u0085\\u009b\"", "C1 controls escaped");
	expect("a\xe2\x80\xae" "b\xe2\x81\xa6", 8, "\"a\\u202eb\\u2066\"", "bidi controls escaped");

	buf_init(&b, 64);
	tap_is_int(json_add_cstring(&b, NULL), 0, "NULL fits");
	tap_is_str(buf_ptr(&b), "null", "NULL is null");
	buf_free(&b);
	buf_init(&b, 4);
	tap_is_int(json_add_string(&b, "abcdef", 6), -1, "over the maximum fails");
	buf_free(&b);
	return tap_done();
}
