/* The header cache of one account: a Tokyo Cabinet B+ tree file under
 * $XDG_CACHE_HOME/tern/ (or cache-dir), mode 0600 (DESIGN.md, "Cache").
 * Only cache/ includes Tokyo Cabinet, behind store.h.
 *
 * Layout: per folder one meta record (format version, UIDVALIDITY,
 * UIDNEXT, HIGHESTMODSEQ, last sync, the chunk list) and its messages in
 * chunks of up to CACHE_CHUNK_MSGS, each a packed record with its own
 * string table, so a warm open is a handful of reads decoded straight
 * into the flat index (index.h). Every record starts with a magic byte,
 * the format version and a checksum of its bytes: a record that does not
 * check out is not used.
 *
 * What can go wrong, and what happens:
 * - no file, an empty file: a new cache;
 * - a file that is not a Tokyo Cabinet database, is truncated, or holds
 *   records of another format: it is moved aside to NAME.corrupt-TIME
 *   with a warning, and a new cache starts (the server has everything);
 * - a bad record in a folder: that folder is dropped from the cache (a
 *   warning) and synced again from the server.
 * An empty or rebuilt cache is never evidence that mail was deleted: sync
 * only ever reads the server to fill it.
 *
 * Conventions: 0 or -1 with *error_r (a sentence, free() it); warnings
 * (a sentence each) go to the warn callback given at open. */
#ifndef TERN_CACHE_CACHE_H
#define TERN_CACHE_CACHE_H

#include "cache/index.h"

#define CACHE_CHUNK_MSGS 1000
#define CACHE_FORMAT_VERSION 3

struct cache;

typedef void cache_warn_fn(void *ctx, const char *warning);

/* The cache directory: cache_dir when set, else $XDG_CACHE_HOME/tern,
 * else ~/.cache/tern. A new string. */
char *cache_default_dir(const char *cache_dir);

/* mkdir -p dir, new directories 0700. */
int cache_mkdirs(const char *dir, char **error_r);
/* The file name of account's cache ("NAME.tcb", unsafe bytes as %XX).
 * A new string. */
char *cache_file_name(const char *account);

/* Opens (creating dir, mode 0700, and the file, 0600) the cache file of
 * account in dir. Fails only when the directory cannot be used or the
 * file is locked by another tern for longer than a few seconds. */
int cache_open(const char *dir, const char *account, cache_warn_fn *warn, void *ctx,
    struct cache **cache_r, char **error_r);
void cache_close(struct cache **cache);
/* The file's path (for messages). */
const char *cache_path(const struct cache *cache);

/* Loads a folder into a new index (an empty one, state zeroed, when the
 * folder is not cached or its records are bad). Never fails for bad
 * data; -1 only for I/O errors. */
int cache_load(struct cache *cache, const char *folder, struct index **idx_r,
    char **error_r);
/* Writes the dirty chunks and the meta record of idx in one transaction,
 * then clears idx's dirty marks; with nothing dirty it writes nothing.
 * idx must come from cache_load of the same folder (or index_create):
 * chunks that are not dirty are taken to be on disk already. */
int cache_save(struct cache *cache, const char *folder, struct index *idx,
    char **error_r);
/* Forgets a folder (UIDVALIDITY changed, or the folder is gone). */
int cache_drop(struct cache *cache, const char *folder, char **error_r);
/* Small named records beside the folders (the filter engine's progress):
 * "s" NUL name. Each put is its own transaction, so once it returns the
 * record survives the process being killed. get returns 1 and a copy
 * (free() it) when found, 0 when not, -1 on I/O errors. */
int cache_state_get(struct cache *cache, const char *name, char **val_r, size_t *len_r,
    char **error_r);
int cache_state_put(struct cache *cache, const char *name, const void *val, size_t len,
    char **error_r);
int cache_state_del(struct cache *cache, const char *name, char **error_r);
/* The folders in the cache, in byte order; NULL-terminated, free with
 * cache_folders_free(). */
char **cache_folders(struct cache *cache);
void cache_folders_free(char **folders);

/* ---- the record codec, pure, for tests and the fuzz target ---- */

/* Encodes the messages of idx in chunk into a new buffer. */
void *cache_chunk_encode(const struct index *idx, uint32_t chunk, size_t *len_r);
/* Decodes a chunk record into idx (appending its messages, which must
 * come after those already there). Returns 0, or -1 when the record is
 * not a valid chunk (checksum, version, bounds): idx is then unchanged. */
int cache_chunk_decode(struct index *idx, uint32_t chunk, const void *data, size_t len);

#endif
