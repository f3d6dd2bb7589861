/* Writing JSON strings. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/json.h"

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes
 * there are not one (overlong forms, surrogates and code points above
 * U+10FFFF are refused, as RFC 3629 says). */
static size_t
json_utf8_len(const unsigned char *s, size_t len, uint32_t *cp_r)
{
	size_t n, i;
	uint32_t cp;

	*cp_r = s[0];
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	*cp_r = cp;
	return n;
}

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
		n = json_utf8_len(p + i, len - i, &cp);
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
