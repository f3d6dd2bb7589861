/* libFuzzer target for terminal-safe text: renders the input in both
 * modes and aborts if anything a terminal would obey comes out, then
 * checks that width and truncation agree with each other. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/safe-text.h"
#include "safe-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		fuzz_assert_safe(buf_ptr(&b), buf_len(&b), (enum safe_text_mode)m);
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
		fuzz_assert_safe(buf_ptr(&b), buf_len(&b), (enum safe_text_mode)m);
		buf_free(&b);
	}
	return 0;
}
