/* Conversation threading by Jamie Zawinski's algorithm (the one Netscape
 * 2.0 and most mail clients since use) over a flat array of messages.
 *
 * Convention: thread_build() returns 0 on success and -1 when the input
 * is over THREAD_MAX_MESSAGES, leaving the outputs alone. */
#ifndef TERN_MIME_THREAD_H
#define TERN_MIME_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define THREAD_MAX_MESSAGES	(16u * 1024 * 1024)
/* Only the last this-many References of a message are used: the nearest
 * ancestors carry the structure; very long lists are spam or loops. */
#define THREAD_MAX_REFS		128

struct thread_msg {
	const char *message_id;		/* may be NULL or duplicated */
	const char *const *refs;	/* References oldest first, else In-Reply-To */
	size_t nrefs;
	time_t date;
	const char *subject;		/* read only when grouping by subject */
};

enum thread_sort {
	THREAD_SORT_FIRST,		/* threads by their oldest message */
	THREAD_SORT_LATEST,		/* threads by their newest message */
};

struct thread_opts {
	enum thread_sort sort;
	bool group_by_subject;		/* JWZ step 5; off by default */
};

struct thread_node {
	long parent;			/* index of the parent message, or -1 */
	unsigned depth;			/* 0 for a root */
	size_t thread;			/* thread number, in display order */
};

/* Threads the n messages. nodes[i] describes msgs[i]; order[0..n-1] is
 * the display order (a permutation of 0..n-1): threads ascending by
 * their sort date, each in depth-first order with siblings by date, ties
 * always broken by input index, so the result is deterministic. A reply
 * whose parent is missing but that has missing-parent siblings keeps
 * parent -1 and depth 1 (under the absent message); opts may be NULL. */
int thread_build(const struct thread_msg *msgs, size_t n, const struct thread_opts *opts,
    struct thread_node *nodes, size_t *order);

#endif
