/* Planning a query: slots for the subtrees the server answers, and the
 * UID SEARCH tokens for each (the table in plan.h).
 *
 * The tree is not restructured: a slot belongs to a node the parser made,
 * so a mixed AND ("from:a to:b has:attachment") sends one search per
 * server-able kid rather than one for the group. The searches are
 * independent and can be pipelined; owning no nodes keeps the plan's
 * lifetime apart from the tree's. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/keyword.h"
#include "rules/plan.h"

struct plan_builder {
	const struct plan_ctx *ctx;
	struct plan *plan;
	size_t cap_strings;
	/* The search being written. */
	struct imap_search_arg *args;
	size_t nargs, cap_args;
	char *error;
};

/* Whether a term can be written as search keys. */
static bool
plan_term_server_able(const struct query_node *n, const struct plan_ctx *ctx)
{
	switch (n->field) {
	case QUERY_F_HAS:
	case QUERY_F_TICKET:
		return false;
	case QUERY_F_ASSIGN:
		/* assign:none is "no assign/ keyword": the server can only
		 * say so when we can name every one the mailbox has. */
		return !str_caseeq(n->text, "none") || ctx->mailbox_keywords != NULL;
	default:
		return n->field < QUERY_F_COUNT;
	}
}

static bool
plan_server_able(const struct query_node *n, const struct plan_ctx *ctx)
{
	size_t i;

	if (n->kind == QUERY_TERM)
		return plan_term_server_able(n, ctx);
	for (i = 0; i < n->nkids; i++) {
		if (!plan_server_able(n->kids[i], ctx))
			return false;
	}
	return true;
}

static void
plan_reset_slots(struct query_node *n)
{
	size_t i;

	n->slot = -1;
	for (i = 0; i < n->nkids; i++)
		plan_reset_slots(n->kids[i]);
}

/* PLAN_SERVER: a slot for each largest server-able subtree. */
static void
plan_slots_server(struct query_node *n, const struct plan_ctx *ctx, size_t *count)
{
	size_t i;

	if (plan_server_able(n, ctx)) {
		n->slot = (int)(*count)++;
		return;
	}
	for (i = 0; i < n->nkids; i++)
		plan_slots_server(n->kids[i], ctx, count);
}

/* PLAN_CACHE: a slot for each term only the server can answer. */
static void
plan_slots_cache(struct query_node *n, size_t *count)
{
	size_t i;

	if (n->kind == QUERY_TERM) {
		if (n->field == QUERY_F_BODY)
			n->slot = (int)(*count)++;
		return;
	}
	for (i = 0; i < n->nkids; i++)
		plan_slots_cache(n->kids[i], count);
}

static void
plan_nodes_by_slot(struct query_node *n, struct query_node **nodes)
{
	size_t i;

	if (n->slot >= 0) {
		nodes[n->slot] = n;
		return;
	}
	for (i = 0; i < n->nkids; i++)
		plan_nodes_by_slot(n->kids[i], nodes);
}

/* A copy of s that the plan owns: tokens never point into the tree or
 * into ctx, so the plan may outlive both. */
static const char *
plan_keep(struct plan_builder *b, char *s)
{
	struct plan *p = b->plan;

	if (p->nstrings == b->cap_strings) {
		b->cap_strings = b->cap_strings == 0 ? 16 : b->cap_strings * 2;
		p->strings = xreallocarray(p->strings, b->cap_strings, sizeof(*p->strings));
	}
	p->strings[p->nstrings++] = s;
	return s;
}

static void
plan_add(struct plan_builder *b, enum imap_search_kind kind, const char *s, uint64_t n)
{
	if (b->nargs == b->cap_args) {
		b->cap_args = b->cap_args == 0 ? 16 : b->cap_args * 2;
		b->args = xreallocarray(b->args, b->cap_args, sizeof(*b->args));
	}
	b->args[b->nargs].kind = kind;
	b->args[b->nargs].s = s;
	b->args[b->nargs].n = n;
	b->nargs++;
}

static void
plan_key(struct plan_builder *b, const char *key)
{
	plan_add(b, IMAP_SEARCH_KEY, key, 0);
}

static void
plan_string(struct plan_builder *b, const char *s)
{
	plan_add(b, IMAP_SEARCH_STRING, plan_keep(b, xstrdup(s)), 0);
}

/* Takes kw. */
static void
plan_flag(struct plan_builder *b, char *kw)
{
	plan_add(b, IMAP_SEARCH_FLAG, plan_keep(b, kw), 0);
}

static void
plan_date(struct plan_builder *b, const char *key, const struct query_date *d)
{
	plan_key(b, key);
	plan_add(b, IMAP_SEARCH_DATE, NULL,
	    (uint64_t)d->year * 10000 + (uint64_t)d->month * 100 + (uint64_t)d->day);
}

/* The keyword a label:, status: or assign: term stands for, or NULL with
 * b->error set. */
static char *
plan_term_keyword(struct plan_builder *b, const struct query_node *n)
{
	const char *error, *who;
	char *kw;

	switch (n->field) {
	case QUERY_F_LABEL:
		kw = keyword_from_label(n->text, &error);
		if (kw == NULL)
			b->error = xasprintf("label:%s: %s", n->text, error);
		return kw;
	case QUERY_F_STATUS:
		kw = keyword_status(n->text);
		if (kw == NULL)
			b->error = xasprintf("status:%s: a status is open, pending or done",
			    n->text);
		return kw;
	case QUERY_F_ASSIGN:
		who = n->text;
		if (str_caseeq(who, "me") && b->ctx->me != NULL)
			who = b->ctx->me;
		kw = keyword_assign(who);
		if (kw == NULL) {
			/* keyword_assign() gives no reason: the label check
			 * does, or else the prefix made it too long. */
			error = "the name is too long to be an IMAP keyword";
			free(keyword_from_label(who, &error));
			b->error = xasprintf("assign:%s: %s", who, error);
		}
		return kw;
	default:
		abort();
	}
}

/* Gmail keeps $Forwarded and $Junk as IMAP keywords, not as labels; the
 * index keeps them as bits. */
static bool
plan_label_is_flag_bit(const char *label)
{
	return index_flag_bit(label) != 0;
}

/* Checks what can go wrong whatever the plan, so that a query is valid
 * or not the same way online, from the cache and offline. */
static int
plan_check(struct plan_builder *b, const struct query_node *n)
{
	size_t i;
	char *kw;

	if (n->kind != QUERY_TERM) {
		for (i = 0; i < n->nkids; i++) {
			if (plan_check(b, n->kids[i]) != 0)
				return -1;
		}
		return 0;
	}
	switch (n->field) {
	case QUERY_F_BODY:
		if (b->ctx->where == PLAN_OFFLINE) {
			b->error = xstrdup("body: needs the server: bodies are not in the "
			    "cache (run without --offline)");
			return -1;
		}
		return 0;
	case QUERY_F_LABEL:
		/* X-GM-LABELS takes any string, "\Important" included. */
		if (b->ctx->gmail_labels && !plan_label_is_flag_bit(n->text))
			return 0;
		break;
	case QUERY_F_STATUS:
		break;
	case QUERY_F_ASSIGN:
		if (str_caseeq(n->text, "none"))
			return 0;
		break;
	default:
		return 0;
	}
	kw = plan_term_keyword(b, n);
	if (kw == NULL)
		return -1;
	free(kw);
	return 0;
}

static int plan_emit(struct plan_builder *b, const struct query_node *n);

/* Writes kids as one search key: in parentheses unless they make exactly
 * one already. OR and NOT take one key per operand. Returns 0 or -1. */
static int
plan_emit_one(struct plan_builder *b, struct query_node *const *kids, size_t nkids)
{
	size_t start = b->nargs, i;
	int count = 0, c;

	for (i = 0; i < nkids; i++) {
		c = plan_emit(b, kids[i]);
		if (c < 0)
			return -1;
		count += c;
	}
	if (count == 0) {
		plan_key(b, "ALL");
		return 0;
	}
	if (count == 1)
		return 0;
	plan_add(b, IMAP_SEARCH_OPEN, NULL, 0);
	memmove(b->args + start + 1, b->args + start,
	    (b->nargs - 1 - start) * sizeof(*b->args));
	b->args[start].kind = IMAP_SEARCH_OPEN;
	b->args[start].s = NULL;
	b->args[start].n = 0;
	plan_add(b, IMAP_SEARCH_CLOSE, NULL, 0);
	return 0;
}

static const char *const plan_is_keys[] = {
	[QUERY_IS_UNREAD] = "UNSEEN",
	[QUERY_IS_READ] = "SEEN",
	[QUERY_IS_FLAGGED] = "FLAGGED",
	[QUERY_IS_UNFLAGGED] = "UNFLAGGED",
	[QUERY_IS_ANSWERED] = "ANSWERED",
	[QUERY_IS_UNANSWERED] = "UNANSWERED",
	[QUERY_IS_DRAFT] = "DRAFT",
};

/* assign:none: no assign/ keyword of those the mailbox has. Returns the
 * number of keys written. */
static int
plan_emit_unassigned(struct plan_builder *b)
{
	const char *const *k;
	int count = 0;

	for (k = b->ctx->mailbox_keywords; *k != NULL; k++) {
		/* The same test the cache makes (a list of one keyword).
		 * One that is not an atom cannot be sent, and no message
		 * can have got it from tern. */
		if (!keyword_list_has_prefix(*k, KEYWORD_ASSIGN_PREFIX) ||
		    !keyword_is_atom(*k, strlen(*k)))
			continue;
		plan_key(b, "UNKEYWORD");
		plan_flag(b, xstrdup(*k));
		count++;
	}
	if (count == 0) {
		plan_key(b, "ALL");
		count = 1;
	}
	return count;
}

/* Writes a term's keys. Returns how many keys, or -1. */
static int
plan_emit_term(struct plan_builder *b, const struct query_node *n)
{
	char *kw;

	switch (n->field) {
	case QUERY_F_TEXT:
		/* As mutt's simple search: the sender or the subject. */
		plan_key(b, "OR");
		plan_key(b, "FROM");
		plan_string(b, n->text);
		plan_key(b, "SUBJECT");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_FROM:
		plan_key(b, "FROM");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_TO:
		plan_key(b, "TO");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_CC:
		plan_key(b, "CC");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_SUBJECT:
		plan_key(b, "SUBJECT");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_BODY:
		plan_key(b, "BODY");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_LIST:
		plan_key(b, "HEADER");
		plan_string(b, "List-Id");
		plan_string(b, n->text);
		return 1;
	case QUERY_F_LABEL:
		if (b->ctx->gmail_labels && !plan_label_is_flag_bit(n->text)) {
			plan_key(b, "X-GM-LABELS");
			plan_string(b, n->text);
			return 1;
		}
		break;
	case QUERY_F_STATUS:
		break;
	case QUERY_F_ASSIGN:
		if (str_caseeq(n->text, "none")) {
			if (b->ctx->mailbox_keywords == NULL)
				abort();	/* not server-able */
			return plan_emit_unassigned(b);
		}
		break;
	case QUERY_F_IS:
		if (n->num > QUERY_IS_DRAFT)
			abort();	/* the parser makes no such term */
		plan_key(b, plan_is_keys[n->num]);
		return 1;
	case QUERY_F_BEFORE:
		plan_date(b, "BEFORE", &n->date);
		return 1;
	case QUERY_F_AFTER:
		/* after: includes its day, as SINCE does. */
		plan_date(b, "SINCE", &n->date);
		return 1;
	case QUERY_F_LARGER:
		plan_key(b, "LARGER");
		plan_add(b, IMAP_SEARCH_NUMBER, NULL, n->num);
		return 1;
	case QUERY_F_SMALLER:
		plan_key(b, "SMALLER");
		plan_add(b, IMAP_SEARCH_NUMBER, NULL, n->num);
		return 1;
	default:
		abort();	/* has:, ticket: are never server-able */
	}
	kw = plan_term_keyword(b, n);
	if (kw == NULL)
		return -1;
	if (n->field == QUERY_F_STATUS && strcmp(kw, KEYWORD_STATUS_PREFIX "open") == 0) {
		/* Mail nobody has triaged is open. */
		plan_key(b, "OR");
		plan_key(b, "KEYWORD");
		plan_flag(b, kw);
		plan_add(b, IMAP_SEARCH_OPEN, NULL, 0);
		plan_key(b, "UNKEYWORD");
		plan_flag(b, xstrdup(KEYWORD_STATUS_PREFIX "pending"));
		plan_key(b, "UNKEYWORD");
		plan_flag(b, xstrdup(KEYWORD_STATUS_PREFIX "done"));
		plan_add(b, IMAP_SEARCH_CLOSE, NULL, 0);
		return 1;
	}
	plan_key(b, "KEYWORD");
	plan_flag(b, kw);
	return 1;
}

/* Writes n's keys side by side (IMAP's AND). Returns how many top-level
 * keys it wrote, or -1. */
static int
plan_emit(struct plan_builder *b, const struct query_node *n)
{
	size_t i;
	int count = 0, c;

	switch (n->kind) {
	case QUERY_TERM:
		return plan_emit_term(b, n);
	case QUERY_AND:
		for (i = 0; i < n->nkids; i++) {
			c = plan_emit(b, n->kids[i]);
			if (c < 0)
				return -1;
			count += c;
		}
		return count;
	case QUERY_OR:
		if (n->nkids == 0) {
			/* Nothing holds: not what the parser makes. */
			plan_key(b, "NOT");
			plan_key(b, "ALL");
			return 1;
		}
		/* OR takes two keys: "a OR b OR c" is OR a OR b c. */
		for (i = 0; i + 1 < n->nkids; i++) {
			plan_key(b, "OR");
			if (plan_emit_one(b, &n->kids[i], 1) != 0)
				return -1;
		}
		if (plan_emit_one(b, &n->kids[i], 1) != 0)
			return -1;
		return 1;
	case QUERY_NOT:
		plan_key(b, "NOT");
		if (plan_emit_one(b, n->kids, n->nkids) != 0)
			return -1;
		return 1;
	}
	abort();
}

struct plan *
plan_build(struct query_node *q, const struct plan_ctx *ctx, char **error_r)
{
	struct plan_builder b;
	struct query_node **nodes = NULL;
	size_t count = 0, i;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.plan = xcalloc(1, sizeof(*b.plan));
	*error_r = NULL;

	plan_reset_slots(q);
	if (plan_check(&b, q) != 0)
		goto fail;

	b.plan->needs_cache = true;
	switch (ctx->where) {
	case PLAN_SERVER:
		plan_slots_server(q, ctx, &count);
		/* The root with slot 0 is the whole answer. */
		b.plan->needs_cache = q->slot != 0;
		break;
	case PLAN_CACHE:
		plan_slots_cache(q, &count);
		break;
	case PLAN_OFFLINE:
		break;
	}
	if (count == 0)
		return b.plan;

	nodes = xcalloc(count, sizeof(*nodes));
	plan_nodes_by_slot(q, nodes);
	b.plan->searches = xcalloc(count, sizeof(*b.plan->searches));
	for (i = 0; i < count; i++) {
		b.args = NULL;
		b.nargs = b.cap_args = 0;
		if (plan_emit(&b, nodes[i]) < 0) {
			free(b.args);
			goto fail;
		}
		if (b.nargs == 0)
			plan_key(&b, "ALL");	/* the empty query */
		b.plan->searches[i].args = b.args;
		b.plan->searches[i].nargs = b.nargs;
		b.plan->nsearches = i + 1;
	}
	free(nodes);
	return b.plan;
fail:
	free(nodes);
	plan_reset_slots(q);
	plan_free(&b.plan);
	*error_r = b.error != NULL ? b.error : xstrdup("the query cannot be planned");
	return NULL;
}

void
plan_free(struct plan **planp)
{
	struct plan *p = *planp;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsearches; i++)
		free(p->searches[i].args);
	free(p->searches);
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p);
	*planp = NULL;
}
