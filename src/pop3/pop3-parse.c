/* POP3 listings. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "pop3/pop3-parse.h"

/* The next "N TEXT" line of a listing; false at the end. A line that
 * does not start with a number is skipped. */
static bool
pop3_listing_line(const char **p, const char *end, uint32_t *num_r, const char **text_r,
    size_t *len_r)
{
	while (*p < end) {
		const char *line = *p, *eol = memchr(line, '\n', (size_t)(end - line)), *q;
		size_t len = (size_t)((eol != NULL ? eol : end) - line);
		uint64_t n = 0;

		*p = eol != NULL ? eol + 1 : end;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		for (q = line; q < line + len && *q >= '0' && *q <= '9' && n <= UINT32_MAX; q++)
			n = n * 10 + (uint64_t)(*q - '0');
		if (q == line || q >= line + len || *q != ' ' || n == 0 || n > UINT32_MAX)
			continue;
		*num_r = (uint32_t)n;
		*text_r = q + 1;
		*len_r = (size_t)(line + len - (q + 1));
		return true;
	}
	return false;
}

static struct pop3_msg *
pop3_list_find(struct pop3_list *list, uint32_t num)
{
	size_t lo = 0, hi = list->count;

	/* LIST answers in ascending order; look the number up anyway. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list->v[mid].num == num)
			return &list->v[mid];
		if (list->v[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A UIDL is 1 to 70 characters 0x21 to 0x7E (RFC 1939, section 7). */
static bool
pop3_uidl_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > POP3_UIDL_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

int
pop3_parse_list(const char *data, size_t len, size_t max, struct pop3_list *list,
    char **error_r)
{
	const char *p = data, *end = data + len, *text;
	uint32_t num, last = 0;
	size_t tlen;

	memset(list, 0, sizeof(*list));
	while (pop3_listing_line(&p, end, &num, &text, &tlen)) {
		struct pop3_msg *m;
		uint64_t size = 0;
		size_t i;

		if (num <= last) {
			*error_r = xasprintf("message %" PRIu32 " is listed out of order", num);
			pop3_list_free(list);
			return -1;
		}
		if (list->count >= max) {
			*error_r = xasprintf("the mailbox holds more than %zu messages", max);
			pop3_list_free(list);
			return -1;
		}
		for (i = 0; i < tlen && text[i] >= '0' && text[i] <= '9' &&
		    size <= (UINT64_MAX - 9) / 10; i++)
			size = size * 10 + (uint64_t)(text[i] - '0');
		last = num;
		list->v = xreallocarray(list->v, list->count + 1, sizeof(*list->v));
		m = &list->v[list->count++];
		memset(m, 0, sizeof(*m));
		m->num = num;
		m->size = size;
	}
	return 0;
}

/* Orders pointers to messages by UIDL, to find equal ones. */
static int
pop3_uidl_cmp(const void *a, const void *b)
{
	const struct pop3_msg *const *x = a, *const *y = b;

	return strcmp((*x)->uidl, (*y)->uidl);
}

void
pop3_parse_uidl(const char *data, size_t len, struct pop3_list *list)
{
	const char *p = data, *end = data + len, *text;
	const struct pop3_msg **sorted;
	uint32_t num;
	size_t tlen, got = 0, i;

	while (pop3_listing_line(&p, end, &num, &text, &tlen)) {
		struct pop3_msg *m = pop3_list_find(list, num);

		if (m == NULL || m->uidl[0] != '\0' || !pop3_uidl_valid(text, tlen))
			continue;
		memcpy(m->uidl, text, tlen);
		m->uidl[tlen] = '\0';
		got++;
	}
	list->have_uidl = got == list->count;
	if (!list->have_uidl || list->count < 2)
		return;
	/* Ids that repeat cannot tell messages apart. */
	sorted = xreallocarray(NULL, list->count, sizeof(*sorted));
	for (i = 0; i < list->count; i++)
		sorted[i] = &list->v[i];
	qsort(sorted, list->count, sizeof(*sorted), pop3_uidl_cmp);
	for (i = 1; i < list->count; i++)
		if (strcmp(sorted[i - 1]->uidl, sorted[i]->uidl) == 0)
			list->have_uidl = false;
	free(sorted);
}

void
pop3_list_free(struct pop3_list *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}
