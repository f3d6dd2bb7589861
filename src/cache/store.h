/* The storage under the header cache: an ordered key-value file with
 * transactions, kept behind this small interface so that the library
 * under it (Tokyo Cabinet's B+ tree today; NeoMutt dropped it after
 * crashes inside tcbdbput) can be replaced without touching cache.c.
 * store.c is the only file that includes Tokyo Cabinet.
 *
 * Keys and values are byte strings. Opening takes the file's lock
 * without blocking and retries for a few seconds; a file that the
 * library cannot read as a database is moved aside and a new one
 * created (the cache can always be rebuilt from the server), unless it
 * is opened with STORE_KEEP_DAMAGED (a file that cannot be rebuilt).
 *
 * Conventions: 0 or -1 with *error_r (a sentence, free() it); store_get
 * returns 1 when found, 0 when not; warnings go to the callback. */
#ifndef TERN_CACHE_STORE_H
#define TERN_CACHE_STORE_H

#include <stddef.h>

struct store;

typedef void store_warn_fn(void *ctx, const char *warning);

/* How long store_open waits for another process's lock. */
#define STORE_LOCK_WAIT_MS 3000

struct store_key {
	void *data;
	size_t len;
};

/* Opens or creates path (mode 0600; the directory must exist). The file
 * keeps a format record "v" = 'V' + version (32-bit big-endian); a file
 * with another version is moved aside like a damaged one. */
int store_open(const char *path, unsigned version, store_warn_fn *warn, void *ctx,
    struct store **store_r, char **error_r);

/* Flags of store_open_flags. */
/* Every commit is on the device before store_commit returns. */
#define STORE_SYNC 0x1u
/* A file that cannot be read as a database, or holds another format, is
 * left as it is and the open fails (the error names the file and says
 * so); sentences call it a "file", not a "cache file". */
#define STORE_KEEP_DAMAGED 0x2u
/* Open an existing file for reading only: nothing is ever written to it,
 * not even at close (with STORE_KEEP_DAMAGED; store_put and the like
 * fail). */
#define STORE_READ_ONLY 0x4u

/* store_open with flags (store_open is this with 0). */
int store_open_flags(const char *path, unsigned version, unsigned flags, store_warn_fn *warn,
    void *ctx, struct store **store_r, char **error_r);
void store_close(struct store **store);
/* Writes everything held in memory to the file and syncs it to the
 * device (so that a failure shows here, not unseen at close). */
int store_sync(struct store *store, char **error_r);

/* A copy of the value (free() it) in *val_r, its length in *len_r. */
int store_get(struct store *store, const void *key, size_t klen, void **val_r,
    size_t *len_r, char **error_r);
int store_put(struct store *store, const void *key, size_t klen, const void *val,
    size_t vlen, char **error_r);
/* Deleting a key that is not there is not an error. */
int store_del(struct store *store, const void *key, size_t klen, char **error_r);
/* Every key that starts with prefix, in byte order, in a new array
 * (free with store_keys_free). */
int store_keys(struct store *store, const void *prefix, size_t plen,
    struct store_key **keys_r, size_t *n_r, char **error_r);
void store_keys_free(struct store_key *keys, size_t n);

/* One transaction at a time; abort undoes every put and del since begin. */
int store_begin(struct store *store, char **error_r);
int store_commit(struct store *store, char **error_r);
void store_abort(struct store *store);

/* Why the last call that failed on store failed, without the sentence
 * around it ("No space left on device"), for callers that word their
 * own errors; "" when none has failed. */
const char *store_reason(const struct store *store);

/* For tests: store_put calls since the program started. */
extern unsigned long store_put_calls;

#endif
