/* Sorting and threading a folder's messages for display. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-view.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/thread.h"

int
cmd_sort_parse(const char *name, enum cmd_sort *sort_r)
{
	static const char *const names[] = { "date", "thread", "from", "subject", "size" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (str_caseeq(name, names[i])) {
			*sort_r = (enum cmd_sort)i;
			return 0;
		}
	}
	return -1;
}

int64_t
cmd_view_date(const struct index_msg *m)
{
	return m->date != INDEX_NO_DATE ? m->date : m->internaldate;
}

/* qsort has no context argument in C11: the comparison reads these. */
static const struct index *sort_idx;
static enum cmd_sort sort_key;

/* Subjects compare without their "Re:"/"Fwd:" prefixes, as people read
 * them. */
static const char *
cmd_view_base_subject(const char *s)
{
	for (;;) {
		while (*s == ' ')
			s++;
		if (str_has_prefix(s, "Re:") || str_has_prefix(s, "RE:") || str_has_prefix(s, "re:"))
			s += 3;
		else if (str_has_prefix(s, "Fwd:") || str_has_prefix(s, "FWD:") ||
		    str_has_prefix(s, "Fw:") || str_has_prefix(s, "AW:") ||
		    str_has_prefix(s, "WG:") || str_has_prefix(s, "Aw:"))
			s += s[2] == ':' ? 3 : 4;
		else
			return s;
	}
}

static int
cmd_view_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct index_msg *mx = index_at(sort_idx, x), *my = index_at(sort_idx, y);
	int64_t dx, dy;
	int r = 0;

	switch (sort_key) {
	case CMD_SORT_FROM:
		r = str_casecmp(index_msg_str(sort_idx, mx, INDEX_STR_FROM),
		    index_msg_str(sort_idx, my, INDEX_STR_FROM));
		break;
	case CMD_SORT_SUBJECT:
		r = str_casecmp(cmd_view_base_subject(index_msg_str(sort_idx, mx, INDEX_STR_SUBJECT)),
		    cmd_view_base_subject(index_msg_str(sort_idx, my, INDEX_STR_SUBJECT)));
		break;
	case CMD_SORT_SIZE:
		r = mx->size < my->size ? -1 : mx->size > my->size;
		break;
	default:
		break;
	}
	if (r != 0)
		return r;
	dx = cmd_view_date(mx);
	dy = cmd_view_date(my);
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x < y ? -1 : x > y;	/* UID order: stable and deterministic */
}

/* Date and size orders compare numbers only: those are copied out of
 * the index first, so the sort touches one small array, and a folder
 * already in order (mail arrives in date order) costs one pass. */
struct cmd_view_key {
	int64_t k1, k2;
	size_t pos;
};

static int
cmd_view_key_cmp(const void *a, const void *b)
{
	const struct cmd_view_key *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
cmd_view_sort_numbers(const struct index *idx, enum cmd_sort sort, size_t *order, size_t n)
{
	struct cmd_view_key *keys = xcalloc(n + 1, sizeof(*keys));
	bool sorted = true;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct index_msg *m = index_at(idx, i);

		keys[i].k1 = sort == CMD_SORT_SIZE ? (int64_t)m->size : cmd_view_date(m);
		keys[i].k2 = sort == CMD_SORT_SIZE ? cmd_view_date(m) : 0;
		keys[i].pos = i;
		if (i > 0 && sorted && cmd_view_key_cmp(&keys[i - 1], &keys[i]) > 0)
			sorted = false;
	}
	if (!sorted)
		qsort(keys, n, sizeof(*keys), cmd_view_key_cmp);
	for (i = 0; i < n; i++)
		order[i] = keys[i].pos;
	free(keys);
}

/* "<a> <b> <c>" into an array of pointers into a copy. */
static size_t
cmd_view_split_refs(char *copy, const char ***refs_r)
{
	size_t n = 0, cap = 0;
	char *p = copy, *save = NULL, *tok;
	const char **refs = NULL;

	while ((tok = strtok_r(p, " ", &save)) != NULL) {
		p = NULL;
		if (n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			refs = xreallocarray(refs, cap, sizeof(*refs));
		}
		refs[n++] = tok;
	}
	*refs_r = refs;
	return n;
}

/* Threads every message: v->depth and v->thread, and the thread order
 * in torder. -1 when there are too many messages. */
static int
cmd_view_threads(const struct index *idx, struct cmd_view *v, size_t *torder)
{
	size_t n = index_count(idx), i;
	struct thread_msg *msgs = xcalloc(n + 1, sizeof(*msgs));
	struct thread_node *nodes = xcalloc(n + 1, sizeof(*nodes));
	char **copies = xcalloc(n + 1, sizeof(*copies));
	int r;

	for (i = 0; i < n; i++) {
		const struct index_msg *m = index_at(idx, i);
		const char *refs = index_msg_str(idx, m, INDEX_STR_REFERENCES);
		const char *mid = index_msg_str(idx, m, INDEX_STR_MESSAGE_ID);

		if (refs[0] == '\0')
			refs = index_msg_str(idx, m, INDEX_STR_IN_REPLY_TO);
		copies[i] = xstrdup(refs);
		msgs[i].nrefs = cmd_view_split_refs(copies[i], (const char ***)&msgs[i].refs);
		msgs[i].message_id = mid[0] != '\0' ? mid : NULL;
		msgs[i].date = (time_t)cmd_view_date(m);
		msgs[i].subject = index_msg_str(idx, m, INDEX_STR_SUBJECT);
	}
	r = thread_build(msgs, n, NULL, nodes, torder);
	for (i = 0; i < n; i++) {
		free((void *)msgs[i].refs);
		free(copies[i]);
		if (r == 0) {
			v->depth[i] = nodes[i].depth;
			v->thread[i] = nodes[i].thread;
		}
	}
	free(copies);
	free(msgs);
	free(nodes);
	return r;
}

int
cmd_view_build(const struct index *idx, enum cmd_sort sort, bool reverse,
    bool threads, struct cmd_view *v)
{
	size_t n = index_count(idx), i;
	size_t *torder = NULL;

	memset(v, 0, sizeof(*v));
	v->n = n;
	v->order = xcalloc(n + 1, sizeof(*v->order));
	v->depth = xcalloc(n + 1, sizeof(*v->depth));
	v->thread = xcalloc(n + 1, sizeof(*v->thread));
	if (threads || sort == CMD_SORT_THREAD) {
		torder = xcalloc(n + 1, sizeof(*torder));
		if (cmd_view_threads(idx, v, torder) != 0) {
			free(torder);
			cmd_view_free(v);
			return -1;
		}
	}
	if (sort == CMD_SORT_THREAD) {
		memcpy(v->order, torder, n * sizeof(*v->order));
	} else if (sort == CMD_SORT_DATE || sort == CMD_SORT_SIZE) {
		cmd_view_sort_numbers(idx, sort, v->order, n);
	} else {
		for (i = 0; i < n; i++)
			v->order[i] = i;
		sort_idx = idx;
		sort_key = sort;
		qsort(v->order, n, sizeof(*v->order), cmd_view_cmp);
		sort_idx = NULL;
	}
	free(torder);
	if (reverse && sort == CMD_SORT_THREAD) {
		/* Newest threads first, each still read top-down. */
		size_t *out = xcalloc(n + 1, sizeof(*out)), end = n, k = 0;

		while (end > 0) {
			size_t start = end - 1;

			while (start > 0 && v->thread[v->order[start - 1]] ==
			    v->thread[v->order[end - 1]])
				start--;
			for (i = start; i < end; i++)
				out[k++] = v->order[i];
			end = start;
		}
		free(v->order);
		v->order = out;
	} else if (reverse) {
		for (i = 0; i < n / 2; i++) {
			size_t t = v->order[i];

			v->order[i] = v->order[n - 1 - i];
			v->order[n - 1 - i] = t;
		}
	}
	return 0;
}

void
cmd_view_free(struct cmd_view *v)
{
	free(v->order);
	free(v->depth);
	free(v->thread);
	memset(v, 0, sizeof(*v));
}
