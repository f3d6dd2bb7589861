/* Whole messages for reading offline: the account's body cache
 * (cache/bodies.h) opened with the mailrc's cache-dir and
 * body-cache-size, and filled from the server (tern --sync --bodies, and
 * every message the pager fetches).
 *
 * Conventions: 0 on success; -1 with *error_r (a sentence, free() it). */
#ifndef TERN_CMD_CMD_BODIES_H
#define TERN_CMD_CMD_BODIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/cmd-imap.h"
#include "conf/conf.h"

struct bodies;
struct imap_arg;
struct index;

int cmd_bodies_open(const struct conf *conf, const struct conf_account *acct,
    struct bodies **b_r, char **error_r);

/* The UID and the BODY[] of a FETCH response's items; false when either
 * is missing (body may be NIL). */
bool cmd_fetch_uid_body(const struct imap_arg *items, size_t count, uint64_t *uid_r,
    const char **body_r, size_t *len_r);

/* The whole message uid of the folder the session has selected
 * (BODY.PEEK[], never setting \Seen) into out (reset first; its limit
 * bounds it). 0; 1 when the server refused or the message is gone or too
 * large (*error_r says which); -1 when the connection was lost. */
struct buf;
int cmd_fetch_message(struct cmd_imap *session, uint32_t uid, struct buf *out,
    char **error_r);

struct cmd_bodies_stats {
	size_t fetched;		/* messages fetched now */
	uint64_t bytes;		/* their size */
	size_t cached;		/* wanted and already in the cache */
};

/* Fetches (BODY.PEEK[], never setting \Seen) into the cache the messages
 * of idx, the folder (wire) the session has selected, that are wanted
 * (want[i] for position i; NULL: all) and not cached yet, newest first,
 * and stops when the cache is full: prefetching never evicts what it
 * fetched itself. */
int cmd_bodies_prefetch(struct cmd_imap *session, struct bodies *b, const char *wire,
    const struct index *idx, const bool *want, struct cmd_bodies_stats *stats,
    char **error_r);

#endif
