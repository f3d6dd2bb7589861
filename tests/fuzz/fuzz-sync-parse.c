/* libFuzzer: the pure parts of sync on arbitrary server text: a FETCH
 * response's items, a search answer, a UID set, an IMAP date. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-parser.h"
#include "sync/sync-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser *p = imap_parser_create(NULL);
	const struct imap_response *r;
	char *s = malloc(size + 1);
	struct sync_uid_set set;
	int64_t t;

	memcpy(s, data, size);
	s[size] = '\0';
	if (sync_uid_set_parse(s, &set) == 0) {
		if (set.nranges == 0 || set.count == 0)
			abort();
		(void)sync_uid_set_contains(&set, 1);
		sync_uid_set_free(&set);
	}
	(void)sync_imap_date(s, size, &t);

	imap_parser_feed(p, data, size);
	while (imap_parser_next(p, &r) == 1) {
		struct sync_uids u;
		size_t i;

		/* A search answer: bounded, whatever it claims. */
		sync_uids_init(&u);
		(void)sync_search_parse(r, &u, 100000);
		if (u.n > 100000)
			abort();
		sync_uids_free(&u);

		for (i = 0; i < r->count; i++) {
			const struct imap_arg *items;
			struct sync_fetch f;
			size_t n;

			if (imap_arg_get_list(&r->args[i], &items, &n) &&
			    sync_fetch_parse(items, n, &f) == 0) {
				if (f.keywords == NULL || strlen(f.keywords) > 64 * 1024)
					abort();
				sync_fetch_free(&f);
			}
		}
	}
	imap_parser_destroy(&p);
	free(s);
	return 0;
}
