/* libFuzzer target for terminal-safe text: renders the input in both
 * modes and aborts if anything a terminal would obey comes out, then
 * checks that width and truncation agree with each other. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/safe-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
is_emoji(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) ||
	    cp == 0xfe0f;
}

/* Written apart from safe-text.c on purpose: a second opinion. */
static void
assert_safe(const char *s, size_t len, enum safe_text_mode mode)
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
			if (!(cp == 0x200d && is_emoji(prev) && i + n < len &&
			    (safe_text_decode(s + i + n, len - i - n, &next), is_emoji(next))))
				abort();
		}
		prev = cp;
		i += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct buf b;
	size_t w, cut, cutw, cols;
	int m;

	for (m = SAFE_TEXT_HEADER; m <= SAFE_TEXT_BODY; m++) {
		buf_init(&b, 16 * size + 16);
		if (safe_text_append(&b, in, size, (enum safe_text_mode)m) == -1)
			abort();	/* 16 bytes per input byte is always enough */
		assert_safe(buf_ptr(&b), buf_len(&b), (enum safe_text_mode)m);
		w = safe_text_width(buf_ptr(&b), buf_len(&b));
		cols = size > 0 ? data[0] % 40 : 0;
		cut = safe_text_truncate_cols(buf_ptr(&b), buf_len(&b), cols, &cutw);
		if (cut > buf_len(&b) || cutw > cols || cutw > w)
			abort();
		if (cut == buf_len(&b) && cutw != w)
			abort();
		buf_free(&b);
		/* A small bound must fail cleanly, never overflow. */
		buf_init(&b, 7);
		(void)safe_text_append(&b, in, size, (enum safe_text_mode)m);
		assert_safe(buf_ptr(&b), buf_len(&b), (enum safe_text_mode)m);
		buf_free(&b);
	}
	return 0;
}
