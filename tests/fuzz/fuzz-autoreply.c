/* libFuzzer target for mime/autoreply.c: any header block gives a
 * verdict; an answer goes to a sendable address, never to one a reply
 * could not reach or one holding a line break. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/autoreply.h"
#include "mime/rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *to = NULL;
	enum autoreply_verdict v = autoreply_check((const char *)data, size, &to);

	if (v > AUTOREPLY_NO_SENDER || autoreply_reason(v) == NULL)
		abort();
	if ((v == AUTOREPLY_OK) != (to != NULL))
		abort();
	if (to != NULL && (!rfc5322_addr_sendable(to) || strpbrk(to, "\r\n") != NULL))
		abort();
	free(to);
	return 0;
}
