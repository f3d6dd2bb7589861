/* libFuzzer target for the HTML-to-text converter: the input is fed in
 * pieces whose sizes come from the data and must give what one whole
 * feed gives; the text, passed through safe-text as tern shows it, must
 * hold no control sequence. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/html.h"
#include "mime/safe-text.h"
#include "safe-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct html_text *h = html_text_create(1 << 20);
	struct buf whole, safe;
	const char *s;
	size_t off = 0, n, seed = size > 0 ? data[0] : 0;

	while (off < size) {
		size_t k = 1 + (data[(off + seed) % size] & 31);

		if (k > size - off)
			k = size - off;
		html_text_feed(h, in + off, k);
		off += k;
	}
	html_text_finish(h);
	s = html_text_output(h, &n);
	buf_init(&whole, 1 << 20);
	if (html_to_text(in, size, &whole) == -1)
		abort();
	if (n != buf_len(&whole) || memcmp(s, buf_ptr(&whole), n) != 0)
		abort();
	buf_init(&safe, 16 * n + 16);
	if (safe_text_append(&safe, s, n, SAFE_TEXT_BODY) == -1)
		abort();
	fuzz_assert_safe(buf_ptr(&safe), buf_len(&safe), SAFE_TEXT_BODY);
	buf_free(&safe);
	buf_free(&whole);
	html_text_destroy(&h);
	return 0;
}
