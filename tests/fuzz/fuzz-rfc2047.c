/* libFuzzer target for RFC 2047 decoding: the output must always be
 * valid UTF-8 and within the buffer's limit. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/rfc2047.h"
#include "mime/rfc2231.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc2231_value *v;
	struct buf b;
	size_t i, total = 0;

	buf_init(&b, 1 << 16);
	rfc2047_decode((const char *)data, size, NULL, &b);
	if (!charset_utf8_valid(buf_ptr(&b), buf_len(&b)))
		abort();
	buf_free(&b);
	/* The same bytes as a Content-Type value with parameters. */
	v = rfc2231_parse((const char *)data, size, NULL);
	for (i = 0; i < v->count; i++) {
		if (!charset_utf8_valid(v->params[i].value, strlen(v->params[i].value)))
			abort();
		buf_init(&b, 1024);
		rfc2231_filename_sanitize(v->params[i].value, &b);
		total += buf_len(&b) + strlen(v->params[i].name);
		buf_free(&b);
	}
	total += strlen(v->token);
	rfc2231_value_destroy(&v);
	if (total == SIZE_MAX)
		abort();
	return 0;
}
