/* libFuzzer target for the POP3 listing parser: never a crash, and what
 * it keeps is well formed (ascending numbers, ids valid when have_uidl).
 * The input is split at the first NUL into a LIST and a UIDL answer.
 * Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pop3/pop3-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(text, '\0', size);
	size_t list_len = nul != NULL ? (size_t)(nul - text) : size;
	struct pop3_list l;
	char *error = NULL;
	size_t i;

	if (pop3_parse_list(text, list_len, 1000, &l, &error) != 0) {
		if (error == NULL || l.count != 0)
			abort();
		free(error);
		return 0;
	}
	if (nul != NULL)
		pop3_parse_uidl(nul + 1, size - list_len - 1, &l);
	for (i = 0; i < l.count; i++) {
		if (l.v[i].num == 0 || (i > 0 && l.v[i].num <= l.v[i - 1].num))
			abort();
		if (l.have_uidl && (l.v[i].uidl[0] == '\0' ||
		    strlen(l.v[i].uidl) > POP3_UIDL_MAX))
			abort();
	}
	pop3_list_free(&l);
	return 0;
}
