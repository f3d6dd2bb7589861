/* The body cache of one account: whole messages as the server sent them,
 * so that mail once read (or prefetched with tern --sync --bodies) stays
 * readable offline. A store file of its own beside the header cache
 * (DESIGN.md, "Cache": "Bodies, when cached, live in a separate store
 * with a size cap"), mode 0600, NAME.bodies.tcb.
 *
 * Size cap: body-cache-size in the mailrc. When a new message would pass
 * it, the least recently read messages are evicted first (down to 90 % of
 * the cap, so that eviction is not paid on every put); a message larger
 * than the cap is not kept. Records are keyed by folder, UIDVALIDITY and
 * UID, so a folder whose UIDVALIDITY changed never shows another
 * message's body: its old records are only space, evicted in turn.
 *
 * A damaged file is moved aside like the header cache's; a record whose
 * length does not match what was written is dropped and counted as not
 * cached. The cache is never evidence of anything on the server.
 *
 * Conventions: 0 or -1 with *error_r (a sentence, free() it); bodies_get
 * returns 1 when found. */
#ifndef TERN_CACHE_BODIES_H
#define TERN_CACHE_BODIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/store.h"

#define BODIES_FORMAT_VERSION 1

struct bodies;
struct buf;

int bodies_open(const char *dir, const char *account, uint64_t cap, store_warn_fn *warn,
    void *ctx, struct bodies **b_r, char **error_r);
void bodies_close(struct bodies **b);

/* Appends the message to out and marks it as just read. */
int bodies_get(struct bodies *b, const char *folder, uint32_t uidvalidity, uint32_t uid,
    struct buf *out, char **error_r);
/* Whether the message is kept (no mark, no copy). */
bool bodies_has(struct bodies *b, const char *folder, uint32_t uidvalidity, uint32_t uid);
/* Keeps len bytes of msg, evicting the least recently read first. A
 * message over the cap is silently not kept. */
int bodies_put(struct bodies *b, const char *folder, uint32_t uidvalidity, uint32_t uid,
    const void *msg, size_t len, char **error_r);
/* Bytes kept now, how many messages, and the cap. */
uint64_t bodies_bytes(const struct bodies *b);
uint64_t bodies_cap(const struct bodies *b);
size_t bodies_count(const struct bodies *b);

#endif
