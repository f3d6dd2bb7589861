/* libFuzzer: the query parser on arbitrary bytes. Whatever it accepts
 * must write back in a canonical form that parses again and writes back
 * the same; whatever it refuses must name a column inside the query or
 * one past it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tree's invariants, as query.h states them. */
static void
check_tree(const struct query_node *q, size_t len, unsigned depth)
{
	size_t i;

	if (q->slot != -1 || q->col == 0 || q->col > len + 1 || depth > 4 * QUERY_MAX_DEPTH + 4)
		abort();
	switch (q->kind) {
	case QUERY_AND:
		break;
	case QUERY_OR:
		if (q->nkids < 2)
			abort();
		break;
	case QUERY_NOT:
		if (q->nkids != 1)
			abort();
		break;
	case QUERY_TERM:
		if (q->nkids != 0 || (unsigned)q->field >= QUERY_F_COUNT)
			abort();
		if (q->text != NULL && q->text[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
	for (i = 0; i < q->nkids; i++)
		check_tree(q->kids[i], len, depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_error err;
	struct query_node *q, *q2;
	char *f, *f2;

	q = query_parse((const char *)data, size, &err);
	if (q == NULL) {
		if (err.col == 0 || err.col > size + 1 || err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort();
		return 0;
	}
	check_tree(q, size, 0);
	f = query_format(q);
	q2 = query_parse(f, strlen(f), &err);
	if (q2 == NULL) {
		/* Canonical names can be longer than what was typed
		 * (is:new is is:unread), so a query near the length limit
		 * may format past it; anything else is a bug. */
		if (strlen(f) <= QUERY_MAX_LEN)
			abort();
	} else {
		f2 = query_format(q2);
		if (strcmp(f, f2) != 0)
			abort();
		free(f2);
		query_free(&q2);
	}
	free(f);
	query_free(&q);
	return 0;
}
