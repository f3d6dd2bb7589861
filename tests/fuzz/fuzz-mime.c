/* libFuzzer target for the MIME walk: every part is decoded and
 * converted to UTF-8 within a fixed limit. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/mime.h"
#include "mime/rfc2231.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum mime_visit
visit(const struct mime_part *p, void *ctx)
{
	size_t *total = ctx;
	struct buf b;

	if (p->depth > MIME_DEPTH_MAX)
		abort();
	*total += strlen(p->path) + strlen(p->type) + p->decoded_size +
	    (p->charset != NULL ? strlen(p->charset) : 0) +
	    (p->disposition != NULL ? strlen(p->disposition) : 0) +
	    (p->filename != NULL ? strlen(p->filename) : 0) +
	    (rfc2231_param(p->content_type, "name") != NULL);
	buf_init(&b, 1 << 16);
	mime_part_decode(p, &b);
	buf_reset(&b);
	mime_part_text(p, NULL, &b);
	if (!charset_utf8_valid(buf_ptr(&b), buf_len(&b)))
		abort();
	*total += buf_len(&b);
	buf_free(&b);
	return MIME_CONTINUE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;

	mime_walk((const char *)data, size, NULL, visit, &total);
	if (total == SIZE_MAX)
		abort();
	return 0;
}
