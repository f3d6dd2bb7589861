/* Evaluating a query on the header cache: the local half of the query
 * language. It must give the answer an IMAP server's SEARCH gives for
 * the same terms (the differential test checks this against Dovecot):
 *
 * - strings match as case-insensitive substrings after both sides are
 *   folded the way IMAP's i;unicode-casemap comparator folds them
 *   (Unicode simple case folding and canonical decomposition, so "e"
 *   finds "é" and "strasse" does not find "Straße", as on Dovecot);
 * - from:, to:, cc: look at the stored address list ("Name <addr>"),
 *   subject: at the decoded subject, list: at List-Id, a bare word at
 *   From or Subject;
 * - label:, status:, assign: at the keywords (case-insensitive, as IMAP
 *   flags are); label:$Forwarded and label:$Junk at their flag bits;
 * - before:/after: at INTERNALDATE, midnight in the local time zone;
 * - larger:/smaller: at RFC822.SIZE, strictly;
 * - ticket: at the ticket computed from the thread root (rules/ticket.h);
 * - has:attachment at the index's attachment bit (a guess from the
 *   Content-Type: the server cannot answer this one);
 * - body: cannot be answered here: query_match_local_ok() says so, and a
 *   node the planner sent to the server is answered by its slot.
 */
#ifndef TERN_RULES_MATCH_H
#define TERN_RULES_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/index.h"
#include "rules/query.h"
#include "sync/sync-parse.h"

struct query_match_ctx {
	const struct index *idx;
	/* The server's answers for nodes with slot >= 0: slots[slot] are
	 * the matching UIDs, sorted (sync_uids_sort). */
	const struct sync_uids *slots;
	size_t nslots;
	/* assign:me means assign:<me>; NULL: "me" is taken literally. */
	const char *me;
};

/* A compiled form of the query for fast repeated evaluation (needles
 * folded once, dates turned into times in the local zone). The tree must
 * outlive it. */
struct query_matcher;
struct query_matcher *query_matcher_create(const struct query_node *q,
    const struct query_match_ctx *ctx);
void query_matcher_destroy(struct query_matcher **mt);
bool query_matcher_test(const struct query_matcher *mt, const struct index_msg *m);

/* True when the subtree can be evaluated on the cache alone (no body:
 * term outside a node with a slot). */
bool query_match_local_ok(const struct query_node *q);

/* Folds UTF-8 text for comparison (see above), appending to out (NUL
 * terminated, len excluded). Invalid bytes are kept as they are. For
 * tests and the planner. Returns the folded length. */
struct buf;
size_t query_fold(const char *s, size_t len, struct buf *out);

#endif
