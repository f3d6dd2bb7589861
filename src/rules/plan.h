/* Planning a query: which parts the server answers with one UID SEARCH,
 * which the cache answers (rules/match.h).
 *
 * Every term but has:, ticket: and (without the mailbox's keyword list)
 * assign:none can be written as IMAP SEARCH keys; body: can only be:
 *
 *   from:x      FROM x            is:unread     UNSEEN
 *   to:x        TO x              is:read       SEEN
 *   cc:x        CC x              is:flagged    FLAGGED   (...)
 *   subject:x   SUBJECT x         before:D      BEFORE D
 *   body:x      BODY x            after:D       SINCE D
 *   list:x      HEADER List-Id x  larger:N      LARGER N
 *   word        OR FROM w SUBJECT w              smaller:N     SMALLER N
 *   label:L     KEYWORD kw(L)  (X-GM-LABELS L on Gmail)
 *   status:S    KEYWORD status/S; status:open also matches mail with
 *               no status (UNKEYWORD status/pending UNKEYWORD status/done)
 *   assign:P    KEYWORD assign/P; assign:none: UNKEYWORD for each
 *               assign/ keyword the mailbox has (its FLAGS)
 *   a b         a b;   a OR b   OR a b;   -a   NOT a
 *
 * With PLAN_SERVER, the largest subtrees the server can answer each get
 * a slot: one search, usually the whole query. With PLAN_CACHE only the
 * terms the cache cannot answer (body:) get slots. With PLAN_OFFLINE no
 * search is possible and such a term is an error.
 *
 * Searches are written as imap_search_arg tokens (imap-client.h): the
 * engine quotes every string itself and adds CHARSET UTF-8 when one has
 * 8-bit text. */
#ifndef TERN_RULES_PLAN_H
#define TERN_RULES_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "imap/imap-client.h"
#include "rules/query.h"

enum plan_where {
	PLAN_SERVER,
	PLAN_CACHE,
	PLAN_OFFLINE,
};

struct plan_ctx {
	enum plan_where where;
	bool gmail_labels;		/* X-GM-EXT-1: labels are X-GM-LABELS */
	/* The keywords the mailbox's FLAGS response listed (for
	 * assign:none), NULL-terminated; NULL when unknown. */
	const char *const *mailbox_keywords;
	const char *me;			/* assign:me; NULL: literal "me" */
};

struct plan_search {
	struct imap_search_arg *args;	/* strings point into the plan */
	size_t nargs;
};

struct plan {
	struct plan_search *searches;	/* slot i answers the node with slot i */
	size_t nsearches;
	/* False when searches[0] alone is the answer (the root has slot 0):
	 * no cache needed. True when the cache must evaluate the tree. */
	bool needs_cache;
	/* Strings the tokens point into. */
	char **strings;
	size_t nstrings;
};

/* Sets q's slots and builds the searches. Returns the plan, or NULL with
 * *error_r (a new sentence: "body: needs the server; ...") when where is
 * PLAN_OFFLINE and a term needs the server, or a label cannot be a
 * keyword. */
struct plan *plan_build(struct query_node *q, const struct plan_ctx *ctx, char **error_r);
void plan_free(struct plan **plan);

#endif
