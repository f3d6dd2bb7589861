/* The terminal-safety property the fuzz targets check, written apart
 * from safe-text.c on purpose (a second opinion), in one place so every
 * target checks the same thing: abort() when text that reaches the
 * terminal holds a byte or code point a terminal would obey. */
#ifndef TERN_FUZZ_SAFE_CHECK_H
#define TERN_FUZZ_SAFE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/safe-text.h"

static inline bool
fuzz_is_emoji(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) ||
	    cp == 0xfe0f;
}

static inline void
fuzz_assert_safe(const char *s, size_t len, enum safe_text_mode mode)
{
	uint32_t cp, prev = 0, next;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(mode == SAFE_TEXT_BODY && (c == '\t' || c == '\n'))) ||
		    c == 0x7f)
			abort();
		n = safe_text_decode(s + i, len - i, &cp);
		if (cp == 0xfffd && !(n == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0))
			abort();
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x180e ||
		    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
		    (cp >= 0xe0000 && cp <= 0xe007f) || (cp == 0xad && mode == SAFE_TEXT_HEADER)) {
			if (!(cp == 0x200d && fuzz_is_emoji(prev) && i + n < len &&
			    (safe_text_decode(s + i + n, len - i - n, &next), fuzz_is_emoji(next))))
				abort();
		}
		prev = cp;
		i += n;
	}
}

#endif
