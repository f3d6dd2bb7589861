/* Writing JSON strings. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "lib/str.h"

/* Code points written as \uXXXX although JSON allows them raw: C1
 * controls, bidi controls and line separators, so that JSON printed to a
 * terminal cannot drive it or reorder what it shows. The value a parser
 * reads is the same. */
static int
json_escape_anyway(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

int
json_add_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int r = buf_addc(b, '"');

	while (r == 0 && i < len) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t n;

		switch (c) {
		case '"': r = buf_add(b, "\\\"", 2); i++; continue;
		case '\\': r = buf_add(b, "\\\\", 2); i++; continue;
		case '\n': r = buf_add(b, "\\n", 2); i++; continue;
		case '\r': r = buf_add(b, "\\r", 2); i++; continue;
		case '\t': r = buf_add(b, "\\t", 2); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			r = buf_printf(b, "\\u%04x", c);
			i++;
			continue;
		}
		n = str_utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			r = buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			i++;
		} else if (json_escape_anyway(cp)) {
			r = buf_printf(b, "\\u%04x", (unsigned)cp);
			i += n;
		} else {
			r = buf_add(b, p + i, n);
			i += n;
		}
	}
	if (r == 0)
		r = buf_addc(b, '"');
	return r;
}

int
json_add_cstring(struct buf *b, const char *s)
{
	if (s == NULL)
		return buf_add(b, "null", 4);
	return json_add_string(b, s, strlen(s));
}
