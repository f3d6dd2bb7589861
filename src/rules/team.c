/* Conversations of a team folder and their state (team.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/keyword.h"
#include "rules/team.h"

struct team_convos {
	const struct index *idx;
	struct team_convo *v;		/* newest arrival first */
	size_t n;
	size_t *pos;			/* every message, grouped */
	size_t *of;			/* message position -> conversation */
};

/* One message on its way to a group. */
struct team_slot {
	char ticket[TICKET_LEN + 1];
	size_t pos;
	uint32_t uid;
};

static int
slot_cmp(const void *a, const void *b)
{
	const struct team_slot *x = a, *y = b;
	int c = strcmp(x->ticket, y->ticket);

	if (c != 0)
		return c;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int
convo_cmp(const void *a, const void *b)
{
	const struct team_convo *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->ticket, y->ticket);
}

const char *
team_status_name(enum team_status s)
{
	switch (s) {
	case TEAM_PENDING:
		return "pending";
	case TEAM_DONE:
		return "done";
	default:
		return "open";
	}
}

bool
team_msg_by_team(const struct index *idx, const struct index_msg *m, const char *ours)
{
	const char *from = index_msg_str(idx, m, INDEX_STR_FROM), *addr = from, *lt, *p;
	size_t len = strcspn(from, "\n"), olen;

	if (keyword_list_has(index_msg_str(idx, m, INDEX_STR_KEYWORDS), TEAM_KEYWORD_REPLY))
		return true;
	if (ours == NULL || ours[0] == '\0')
		return false;
	/* "Name <addr>" or "addr", the first address only. */
	for (lt = NULL, p = from; p < from + len; p++)
		if (*p == '<')
			lt = p;
	if (lt != NULL && len > 0 && from[len - 1] == '>') {
		addr = lt + 1;
		len = (size_t)(from + len - 1 - addr);
	} else {
		while (len > 0 && *addr == ' ') {
			addr++;
			len--;
		}
		while (len > 0 && addr[len - 1] == ' ')
			len--;
	}
	olen = strlen(ours);
	return len == olen && str_ncaseeq(addr, ours, len);
}

bool
team_msg_before(const struct index_msg *a, const struct index_msg *b)
{
	if (a->internaldate != b->internaldate)
		return a->internaldate < b->internaldate;
	return a->uid < b->uid;
}

const struct index_msg *
team_convo_first(const struct index *idx, const struct team_convo *c,
    const struct index_msg *after, bool by_team, const char *ours)
{
	const struct index_msg *best = NULL;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct index_msg *m = index_at(idx, c->pos[i]);

		if (team_msg_by_team(idx, m, ours) != by_team ||
		    (after != NULL && !team_msg_before(after, m)))
			continue;
		if (best == NULL || team_msg_before(m, best))
			best = m;
	}
	return best;
}

bool
team_convo_waiting_since(const struct index *idx, const struct team_convo *c,
    const char *ours, int64_t *since_r)
{
	const struct index_msg *last_team = NULL, *next;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct index_msg *m = index_at(idx, c->pos[i]);

		if (team_msg_by_team(idx, m, ours) &&
		    (last_team == NULL || team_msg_before(last_team, m)))
			last_team = m;
	}
	if (last_team == NULL) {
		*since_r = c->first;
		return true;
	}
	if ((next = team_convo_first(idx, c, last_team, false, ours)) == NULL)
		return false;
	*since_r = next->internaldate;
	return true;
}

static bool
status_word(const char *word, size_t len, void *ctx)
{
	enum team_status *s = ctx;
	const char *rest = word + strlen(KEYWORD_STATUS_PREFIX);
	static const enum team_status all[] = { TEAM_OPEN, TEAM_PENDING, TEAM_DONE };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *name = team_status_name(all[i]);

		if (strlen(name) == len - strlen(KEYWORD_STATUS_PREFIX) &&
		    str_ncaseeq(rest, name, strlen(name))) {
			*s = all[i];
			return true;
		}
	}
	return false;
}

bool
team_msg_status(const char *keywords, enum team_status *s_r)
{
	return keyword_list_each(keywords, KEYWORD_STATUS_PREFIX, status_word, s_r);
}

static bool
assign_word(const char *word, size_t len, void *ctx)
{
	size_t plen = strlen(KEYWORD_ASSIGN_PREFIX);
	char **name = ctx;

	*name = keyword_to_label(word + plen, len - plen);
	return true;
}

char *
team_msg_assign(const char *keywords)
{
	char *name = NULL;

	(void)keyword_list_each(keywords, KEYWORD_ASSIGN_PREFIX, assign_word, &name);
	/* assign/none (as --assign none spells nobody) is nobody. */
	if (name != NULL && str_caseeq(name, "none")) {
		free(name);
		name = NULL;
	}
	return name;
}

void
team_words(const struct index *idx, const size_t *pos, size_t n, enum team_status *status_r,
    bool *set_r, char **assign_r)
{
	bool have_assign = false;
	size_t i;

	*status_r = TEAM_OPEN;
	*set_r = false;
	*assign_r = NULL;
	for (i = n; i-- > 0 && !(*set_r && have_assign);) {
		const char *kw = index_msg_str(idx, index_at(idx, pos != NULL ? pos[i] : i),
		    INDEX_STR_KEYWORDS);

		if (!*set_r)
			*set_r = team_msg_status(kw, status_r);
		if (!have_assign && keyword_list_has_prefix(kw, KEYWORD_ASSIGN_PREFIX)) {
			*assign_r = team_msg_assign(kw);
			have_assign = true;
		}
	}
}

/* The state of one group: its words, and its first and last arrival. */
static void
convo_state(const struct index *idx, struct team_convo *c)
{
	size_t i;

	team_words(idx, c->pos, c->n, &c->status, &c->status_set, &c->assign);
	for (i = 0; i < c->n; i++) {
		const struct index_msg *m = index_at(idx, c->pos[i]);

		if (i == 0 || m->internaldate < c->first)
			c->first = m->internaldate;
		if (i == 0 || m->internaldate > c->last)
			c->last = m->internaldate;
	}
}

struct team_convos *
team_convos_build(const struct index *idx)
{
	struct team_convos *c = xcalloc(1, sizeof(*c));
	size_t n = index_count(idx), i, start, g;
	struct team_slot *slots = xcalloc(n > 0 ? n : 1, sizeof(*slots));

	c->idx = idx;
	c->pos = xcalloc(n > 0 ? n : 1, sizeof(*c->pos));
	c->of = xcalloc(n > 0 ? n : 1, sizeof(*c->of));
	for (i = 0; i < n; i++) {
		const struct index_msg *m = index_at(idx, i);

		if (!ticket_of_msg(idx, m, slots[i].ticket))
			slots[i].ticket[0] = '\0';
		slots[i].pos = i;
		slots[i].uid = m->uid;
	}
	qsort(slots, n, sizeof(*slots), slot_cmp);
	/* Groups of one ticket; messages without one stand alone. */
	c->v = xcalloc(n > 0 ? n : 1, sizeof(*c->v));
	for (start = 0; start < n; start = i) {
		struct team_convo *t = &c->v[c->n++];

		i = start + 1;
		if (slots[start].ticket[0] != '\0')
			while (i < n && strcmp(slots[i].ticket, slots[start].ticket) == 0)
				i++;
		memcpy(t->ticket, slots[start].ticket, sizeof(t->ticket));
		t->pos = c->pos + start;
		t->n = i - start;
		for (g = start; g < i; g++)
			c->pos[g] = slots[g].pos;
		convo_state(idx, t);
	}
	free(slots);
	qsort(c->v, c->n, sizeof(*c->v), convo_cmp);
	for (g = 0; g < c->n; g++)
		for (i = 0; i < c->v[g].n; i++)
			c->of[c->v[g].pos[i]] = g;
	return c;
}

void
team_convos_free(struct team_convos **cp)
{
	struct team_convos *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	*cp = NULL;
	for (i = 0; i < c->n; i++)
		free(c->v[i].assign);
	free(c->v);
	free(c->pos);
	free(c->of);
	free(c);
}

size_t
team_convos_count(const struct team_convos *c)
{
	return c->n;
}

const struct team_convo *
team_convos_at(const struct team_convos *c, size_t i)
{
	return i < c->n ? &c->v[i] : NULL;
}

const struct team_convo *
team_convos_of(const struct team_convos *c, size_t pos)
{
	return pos < index_count(c->idx) ? &c->v[c->of[pos]] : NULL;
}

size_t
team_convos_which(const struct team_convos *c, size_t pos)
{
	return pos < index_count(c->idx) ? c->of[pos] : c->n;
}

const struct team_convo *
team_convos_find(const struct team_convos *c, const char *ticket)
{
	size_t i;

	if (ticket == NULL || ticket[0] == '\0')
		return NULL;
	for (i = 0; i < c->n; i++)
		if (str_caseeq(c->v[i].ticket, ticket))
			return &c->v[i];
	return NULL;
}

bool
team_convo_waiting(const struct index *idx, const struct team_convo *c, const char *ours,
    uint64_t deadline, int64_t now, int64_t *since_r, bool *overdue_r)
{
	*overdue_r = false;
	if (c->status != TEAM_OPEN || !team_convo_waiting_since(idx, c, ours, since_r))
		return false;
	*overdue_r = deadline > 0 && now - *since_r > (int64_t)deadline;
	return true;
}

void
team_queues_count(const struct team_convos *c, const struct index *idx, const char *ours,
    const char *me, uint64_t deadline, int64_t now, struct team_queues *q)
{
	size_t i;
	int64_t since;
	bool overdue;

	memset(q, 0, sizeof(*q));
	for (i = 0; i < c->n; i++) {
		const struct team_convo *t = &c->v[i];

		if (t->status == TEAM_DONE)
			continue;
		if (t->status == TEAM_OPEN) {
			q->open++;
			q->unassigned += t->assign == NULL;
			(void)team_convo_waiting(idx, t, ours, deadline, now, &since, &overdue);
			q->overdue += overdue;
		} else
			q->pending++;
		q->mine += me != NULL && t->assign != NULL && str_caseeq(t->assign, me);
	}
}
