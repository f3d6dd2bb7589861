/* The header cache of one account (cache.h): folders as a meta record
 * plus chunk records in a store (store.h), in the formats of codec.h.
 *
 * Keys (byte strings; folder names never contain NUL):
 *   "v"                          the file's format (store.c)
 *   "f" NUL FOLDER NUL "m"       the folder's meta record
 *   "f" NUL FOLDER NUL "c" ID    a chunk, ID 4 bytes big-endian
 * so one prefix, "f" NUL FOLDER NUL, finds everything of a folder. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/codec.h"
#include "cache/store.h"
#include "lib/xmalloc.h"

struct cache {
	struct store *store;
	char *path;
	cache_warn_fn *warn;
	void *ctx;
};

/* A chunk as it lies in the array: positions from..to. */
struct cache_run {
	uint32_t id;
	size_t from, to;
};

char *
cache_default_dir(const char *cache_dir)
{
	const char *xdg, *home;
	struct passwd *pw;

	if (cache_dir != NULL && *cache_dir != '\0')
		return xstrdup(cache_dir);
	/* The XDG spec ignores relative paths. */
	xdg = getenv("XDG_CACHE_HOME");
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/tern", xdg);
	home = getenv("HOME");
	if ((home == NULL || *home == '\0') && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || *home == '\0')
		home = "/";
	return xasprintf("%s/.cache/tern", home);
}

/* mkdir -p, new directories private. */
int
cache_mkdirs(const char *dir, char **error_r)
{
	struct stat st;
	char *copy, *p;

	copy = xstrdup(dir);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) == -1 && errno != EEXIST) {
			*error_r = xasprintf("cannot create cache directory %s: %s", copy,
			    strerror(errno));
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*error_r = xasprintf("cannot create cache directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		*error_r = xasprintf("cache directory %s is not a directory", dir);
		return -1;
	}
	return 0;
}

/* The account's name as a file name: [A-Za-z0-9._-] kept, other bytes
 * as %XX, so "me@example.org" and "../x" both stay inside dir. */
char *
cache_file_name(const char *account)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s;
	char *name, *p;

	name = xmalloc(strlen(account) * 3 + sizeof ".tcb");
	p = name;
	for (s = (const unsigned char *)account; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    (*s == '.' && s != (const unsigned char *)account)) {
			*p++ = (char)*s;
			continue;
		}
		*p++ = '%';
		*p++ = hex[*s >> 4];
		*p++ = hex[*s & 15];
	}
	memcpy(p, ".tcb", sizeof ".tcb");
	return name;
}

int
cache_open(const char *dir, const char *account, cache_warn_fn *warn, void *ctx,
    struct cache **cache_r, char **error_r)
{
	struct cache *cache;
	struct store *store;
	char *name, *path;

	*cache_r = NULL;
	if (cache_mkdirs(dir, error_r) == -1)
		return -1;
	name = cache_file_name(account);
	path = xasprintf("%s/%s", dir, name);
	free(name);
	if (store_open(path, CACHE_FORMAT_VERSION, warn, ctx, &store, error_r) == -1) {
		free(path);
		return -1;
	}
	cache = xcalloc(1, sizeof *cache);
	cache->store = store;
	cache->path = path;
	cache->warn = warn;
	cache->ctx = ctx;
	*cache_r = cache;
	return 0;
}

void
cache_close(struct cache **cachep)
{
	struct cache *cache = *cachep;

	if (cache == NULL)
		return;
	*cachep = NULL;
	store_close(&cache->store);
	free(cache->path);
	free(cache);
}

const char *
cache_path(const struct cache *cache)
{
	return cache->path;
}

/* "f" NUL folder NUL, plus tail; the length in *len_r. */
static char *
cache_key(const char *folder, const void *tail, size_t tlen, size_t *len_r)
{
	size_t flen = strlen(folder);
	char *key;

	key = xmalloc(flen + 3 + tlen);
	key[0] = 'f';
	key[1] = '\0';
	memcpy(key + 2, folder, flen);
	key[2 + flen] = '\0';
	if (tlen > 0)
		memcpy(key + 3 + flen, tail, tlen);
	*len_r = flen + 3 + tlen;
	return key;
}

static char *
cache_chunk_key(const char *folder, uint32_t id, size_t *len_r)
{
	unsigned char tail[5];

	tail[0] = 'c';
	tail[1] = (unsigned char)(id >> 24);
	tail[2] = (unsigned char)(id >> 16);
	tail[3] = (unsigned char)(id >> 8);
	tail[4] = (unsigned char)id;
	return cache_key(folder, tail, sizeof tail, len_r);
}

static void
cache_warnf_damaged(struct cache *cache, const char *folder)
{
	char *msg;

	if (cache->warn == NULL)
		return;
	msg = xasprintf("cache of folder %s was damaged; it will be fetched again",
	    folder);
	cache->warn(cache->ctx, msg);
	free(msg);
}

/* 0 loaded, 1 bad data, -1 I/O error. */
static int
cache_load_records(struct cache *cache, const char *folder, struct index *idx,
    char **error_r)
{
	struct cache_meta meta;
	void *val;
	char *key;
	size_t klen, vlen, i;
	int r;

	key = cache_key(folder, "m", 1, &klen);
	r = store_get(cache->store, key, klen, &val, &vlen, error_r);
	free(key);
	if (r <= 0)
		return r;
	r = cache_meta_decode(val, vlen, &meta);
	free(val);
	if (r == -1)
		return 1;
	index_set_chunk_size(idx, meta.chunk_size);
	for (i = 0; i < meta.nchunks; i++) {
		key = cache_chunk_key(folder, meta.chunks[i], &klen);
		r = store_get(cache->store, key, klen, &val, &vlen, error_r);
		free(key);
		if (r == -1)
			break;
		if (r == 0 || cache_chunk_decode(idx, meta.chunks[i], val, vlen) == -1) {
			free(val);
			r = 1;
			break;
		}
		free(val);
		r = 0;
	}
	if (r == 0)
		index_set_state(idx, &meta.state);
	cache_meta_free(&meta);
	return r;
}

int
cache_load(struct cache *cache, const char *folder, struct index **idx_r,
    char **error_r)
{
	struct index *idx;
	int r;

	*idx_r = NULL;
	idx = index_create();
	r = cache_load_records(cache, folder, idx, error_r);
	if (r == -1) {
		index_destroy(&idx);
		return -1;
	}
	if (r == 1) {
		/* Simple and safe: any bad record costs the folder, which the
		 * next sync fetches again. */
		cache_warnf_damaged(cache, folder);
		index_destroy(&idx);
		idx = index_create();
		if (cache_drop(cache, folder, error_r) == -1) {
			index_destroy(&idx);
			return -1;
		}
	}
	index_clear_dirty(idx);
	index_trim(idx);
	*idx_r = idx;
	return 0;
}

static int
cache_run_cmp(const void *a, const void *b)
{
	const struct cache_run *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The chunks of idx in array order, one pass. */
static struct cache_run *
cache_runs(const struct index *idx, size_t *n_r)
{
	struct cache_run *runs = NULL;
	size_t i, n = 0, cap = 0, count = index_count(idx);
	uint32_t chunk;

	for (i = 0; i < count; i++) {
		chunk = index_at(idx, i)->chunk;
		if (n > 0 && runs[n - 1].id == chunk) {
			runs[n - 1].to = i;
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			runs = xreallocarray(runs, cap, sizeof *runs);
		}
		runs[n].id = chunk;
		runs[n].from = runs[n].to = i;
		n++;
	}
	*n_r = n;
	return runs;
}

int
cache_save(struct cache *cache, const char *folder, struct index *idx, char **error_r)
{
	struct cache_meta meta;
	struct cache_run *runs, *sorted, *run, want;
	const uint32_t *dirty;
	size_t ndirty, nruns, i, klen, vlen;
	void *val;
	char *key;
	int rc = -1;

	dirty = index_dirty_chunks(idx, &ndirty);
	if (ndirty == 0 && !index_state_dirty(idx))
		return 0;
	runs = cache_runs(idx, &nruns);
	sorted = xcalloc(nruns + 1, sizeof *sorted);
	if (nruns > 0)
		memcpy(sorted, runs, nruns * sizeof *runs);
	qsort(sorted, nruns, sizeof *sorted, cache_run_cmp);

	if (store_begin(cache->store, error_r) == -1)
		goto out;
	for (i = 0; i < ndirty; i++) {
		key = cache_chunk_key(folder, dirty[i], &klen);
		want.id = dirty[i];
		run = bsearch(&want, sorted, nruns, sizeof *sorted, cache_run_cmp);
		if (run == NULL)
			rc = store_del(cache->store, key, klen, error_r);
		else {
			val = cache_chunk_encode_range(idx, run->id, run->from, run->to,
			    &vlen);
			rc = store_put(cache->store, key, klen, val, vlen, error_r);
			free(val);
		}
		free(key);
		if (rc == -1)
			goto abort;
	}

	memset(&meta, 0, sizeof meta);
	meta.state = *index_state(idx);
	meta.chunk_size = (uint32_t)index_chunk_size(idx);
	meta.chunks = xcalloc(nruns + 1, sizeof *meta.chunks);
	for (i = 0; i < nruns; i++)
		meta.chunks[i] = runs[i].id;
	meta.nchunks = nruns;
	val = cache_meta_encode(&meta, &vlen);
	cache_meta_free(&meta);
	key = cache_key(folder, "m", 1, &klen);
	rc = store_put(cache->store, key, klen, val, vlen, error_r);
	free(key);
	free(val);
	if (rc == -1)
		goto abort;
	if ((rc = store_commit(cache->store, error_r)) == 0)
		index_clear_dirty(idx);
	goto out;
abort:
	store_abort(cache->store);
out:
	free(sorted);
	free(runs);
	return rc;
}

int
cache_drop(struct cache *cache, const char *folder, char **error_r)
{
	struct store_key *keys;
	size_t n, i, plen;
	char *prefix;
	int rc = 0;

	prefix = cache_key(folder, NULL, 0, &plen);
	rc = store_keys(cache->store, prefix, plen, &keys, &n, error_r);
	free(prefix);
	if (rc == -1 || n == 0) {
		store_keys_free(keys, n);
		return rc;
	}
	if (store_begin(cache->store, error_r) == -1) {
		store_keys_free(keys, n);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = store_del(cache->store, keys[i].data, keys[i].len, error_r);
	store_keys_free(keys, n);
	if (rc == -1) {
		store_abort(cache->store);
		return -1;
	}
	return store_commit(cache->store, error_r);
}

char **
cache_folders(struct cache *cache)
{
	struct store_key *keys;
	const char *k;
	char **folders, *error = NULL;
	size_t n, i, j = 0;

	if (store_keys(cache->store, "f", 2, &keys, &n, &error) == -1) {
		if (cache->warn != NULL)
			cache->warn(cache->ctx, error);
		free(error);
		return xcalloc(1, sizeof *folders);
	}
	folders = xcalloc(n + 1, sizeof *folders);
	for (i = 0; i < n; i++) {
		k = keys[i].data;
		/* "f" NUL FOLDER NUL "m", FOLDER without NUL. */
		if (keys[i].len < 4 || k[keys[i].len - 2] != '\0' ||
		    k[keys[i].len - 1] != 'm' ||
		    memchr(k + 2, '\0', keys[i].len - 4) != NULL)
			continue;
		folders[j++] = xstrndup(k + 2, keys[i].len - 4);
	}
	store_keys_free(keys, n);
	return folders;
}

void
cache_folders_free(char **folders)
{
	size_t i;

	if (folders == NULL)
		return;
	for (i = 0; folders[i] != NULL; i++)
		free(folders[i]);
	free(folders);
}

/* ---- named state records ---- */

static char *
cache_state_key(const char *name, size_t *len_r)
{
	size_t n = strlen(name);
	char *key = xmalloc(n + 2);

	key[0] = 's';
	key[1] = '\0';
	memcpy(key + 2, name, n);
	*len_r = n + 2;
	return key;
}

int
cache_state_get(struct cache *cache, const char *name, char **val_r, size_t *len_r,
    char **error_r)
{
	size_t klen;
	char *key = cache_state_key(name, &klen);
	void *val = NULL;
	int r;

	r = store_get(cache->store, key, klen, &val, len_r, error_r);
	free(key);
	*val_r = val;
	return r;
}

static int
cache_state_write(struct cache *cache, const char *name, const void *val, size_t len,
    bool del, char **error_r)
{
	size_t klen;
	char *key = cache_state_key(name, &klen);
	int r;

	if (store_begin(cache->store, error_r) != 0) {
		free(key);
		return -1;
	}
	r = del ? store_del(cache->store, key, klen, error_r) :
	    store_put(cache->store, key, klen, val, len, error_r);
	free(key);
	if (r != 0) {
		store_abort(cache->store);
		return -1;
	}
	return store_commit(cache->store, error_r);
}

int
cache_state_put(struct cache *cache, const char *name, const void *val, size_t len,
    char **error_r)
{
	return cache_state_write(cache, name, val, len, false, error_r);
}

int
cache_state_del(struct cache *cache, const char *name, char **error_r)
{
	return cache_state_write(cache, name, NULL, 0, true, error_r);
}
