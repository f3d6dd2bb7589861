/* libFuzzer target for the IMAP response parser: the input is fed in
 * pieces whose sizes come from the data itself, every response is walked
 * through the accessors, and small limits make the limit paths reachable. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks a tree through the accessors. Recursion is safe here: the
 * parser bounds nesting, and the depth check proves it. */
static size_t
walk(const struct imap_arg *args, size_t count, size_t depth)
{
	const struct imap_arg *list;
	const char *s;
	size_t i, n, len, total = 0;
	uint64_t num;

	if (depth > IMAP_PARSER_DEPTH_MAX + 1)
		abort();
	for (i = 0; i < count; i++) {
		const struct imap_arg *a = &args[i];

		if (imap_arg_get_list(a, &list, &n)) {
			if (n > 0 && list == NULL)
				abort();
			total += walk(list, n, depth + 1);
			continue;
		}
		if (!imap_arg_get_astring(a, &s, &len) || s[len] != '\0')
			abort();
		total += len;
		if (imap_arg_get_atom(a, &s) && imap_arg_get_number(a, &num))
			total += (size_t)(num & 1);
		if (imap_arg_get_nstring(a, &s, &len) && s == NULL && !imap_arg_is_nil(a))
			abort();
		if (imap_arg_atom_equals(a, "OK"))
			total++;
	}
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits lim = { 0 };
	struct imap_parser *p;
	const struct imap_response *r;
	size_t pos, n, step;
	int ret = 0;

	if (size < 1)
		return 0;
	/* The first byte picks the piece size and whether limits are tiny. */
	step = (data[0] & 0x3f) + 1;
	if (data[0] & 0x40) {
		lim.line_max = 200;
		lim.literal_max = 100;
		lim.response_max = 400;
		lim.depth_max = 4;
		lim.args_max = 50;
	}
	p = imap_parser_create(&lim);
	for (pos = 1; pos < size && ret != -1; pos += n) {
		n = size - pos < step ? size - pos : step;
		imap_parser_feed(p, data + pos, n);
		while ((ret = imap_parser_next(p, &r)) == 1) {
			if ((r->kind == IMAP_RESP_TAGGED) != (r->tag != NULL))
				abort();
			walk(r->args, r->count, 0);
			if (r->code != NULL)
				walk(r->code, r->code_count, 1);
			if (r->text != NULL && r->text[r->text_len] != '\0')
				abort();
		}
		if (ret == -1 && imap_parser_error(p) == NULL)
			abort();
	}
	imap_parser_destroy(&p);
	return 0;
}
