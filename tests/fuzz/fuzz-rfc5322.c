/* libFuzzer target for RFC 5322 headers: every field is read back,
 * unfolded and decoded, and parsed as an address list and a Message-ID
 * list. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc5322_header *h = rfc5322_header_create((const char *)data, size);
	const struct rfc5322_field *f;
	struct rfc5322_addr_list *al;
	struct rfc5322_msgid_list *ml;
	struct buf b;
	size_t i, j, total = rfc5322_header_body_offset(h);

	if (total > size)
		abort();
	buf_init(&b, 1 << 16);
	rfc5322_header_get_text(h, "subject", NULL, &b);
	for (i = 0; (f = rfc5322_header_field(h, i)) != NULL; i++) {
		buf_reset(&b);
		rfc5322_unfold(f->value, f->value_len, &b);
		al = rfc5322_addr_parse(f->value, f->value_len, NULL);
		for (j = 0; j < al->count; j++)
			total += (al->addrs[j].name != NULL ? strlen(al->addrs[j].name) : 0) +
			    strlen(al->addrs[j].addr);
		rfc5322_addr_list_destroy(&al);
		ml = rfc5322_msgid_parse(f->value, f->value_len);
		for (j = 0; j < ml->count; j++)
			total += strlen(ml->ids[j]);
		rfc5322_msgid_list_destroy(&ml);
	}
	buf_free(&b);
	rfc5322_header_destroy(&h);
	if (total == SIZE_MAX)
		abort();
	return 0;
}
