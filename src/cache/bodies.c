/* The body cache: messages by folder, UIDVALIDITY and UID, least recently
 * read evicted first. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/bodies.h"
#include "cache/cache.h"
#include "cache/record.h"
#include "cache/store.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* Keys: 'b' KEY -> the message; 'u' KEY -> use tick and size (16 bytes,
 * big-endian); "t" -> bytes, count, tick (24 bytes). KEY is the folder,
 * a NUL, UIDVALIDITY and UID (big-endian). */
#define BODIES_TOTALS "t"

struct bodies {
	struct store *store;
	uint64_t cap;
	uint64_t bytes;
	uint64_t count;
	uint64_t tick;			/* grows with every get and put */
};

/* kind + folder + NUL + be32 uidvalidity + be32 uid, in a new buffer. */
static unsigned char *
bodies_key(char kind, const char *folder, uint32_t uidvalidity, uint32_t uid, size_t *len_r)
{
	size_t flen = strlen(folder);
	unsigned char *k = xmalloc(1 + flen + 1 + 8);

	k[0] = (unsigned char)kind;
	memcpy(k + 1, folder, flen + 1);
	for (int i = 0; i < 4; i++) {
		k[2 + flen + i] = (unsigned char)(uidvalidity >> (24 - 8 * i));
		k[6 + flen + i] = (unsigned char)(uid >> (24 - 8 * i));
	}
	*len_r = 1 + flen + 1 + 8;
	return k;
}

static int
bodies_put_totals(struct bodies *b, char **error_r)
{
	unsigned char v[24];

	rec_put_be64(v, b->bytes);
	rec_put_be64(v + 8, b->count);
	rec_put_be64(v + 16, b->tick);
	return store_put(b->store, BODIES_TOTALS, 1, v, sizeof(v), error_r);
}

int
bodies_open(const char *dir, const char *account, uint64_t cap, store_warn_fn *warn,
    void *ctx, struct bodies **b_r, char **error_r)
{
	struct bodies *b;
	struct store *store;
	char *name, *path;
	void *val = NULL;
	size_t len = 0;
	int r;

	*b_r = NULL;
	/* The header cache's directory and name rules, another suffix. */
	name = cache_file_name(account);
	path = xasprintf("%s/%.*s.bodies.tcb", dir, (int)(strlen(name) - 4), name);
	free(name);
	if (cache_mkdirs(dir, error_r) == -1 ||
	    store_open(path, BODIES_FORMAT_VERSION, warn, ctx, &store, error_r) == -1) {
		free(path);
		return -1;
	}
	free(path);
	b = xcalloc(1, sizeof(*b));
	b->store = store;
	b->cap = cap;
	r = store_get(store, BODIES_TOTALS, 1, &val, &len, error_r);
	if (r < 0) {
		bodies_close(&b);
		return -1;
	}
	if (r == 1 && len == 24) {
		b->bytes = rec_get_be64(val);
		b->count = rec_get_be64((unsigned char *)val + 8);
		b->tick = rec_get_be64((unsigned char *)val + 16);
	}
	free(val);
	*b_r = b;
	return 0;
}

void
bodies_close(struct bodies **bp)
{
	struct bodies *b = *bp;

	if (b == NULL)
		return;
	store_close(&b->store);
	free(b);
	*bp = NULL;
}

uint64_t
bodies_bytes(const struct bodies *b)
{
	return b->bytes;
}

uint64_t
bodies_cap(const struct bodies *b)
{
	return b->cap;
}

size_t
bodies_count(const struct bodies *b)
{
	return (size_t)b->count;
}

/* The use record of key (its 'u' twin): tick and size; false when none. */
static bool
bodies_use_get(struct bodies *b, const unsigned char *ukey, size_t klen, uint64_t *tick_r,
    uint64_t *size_r)
{
	void *val = NULL;
	size_t len = 0;
	char *error = NULL;
	bool ok = false;

	if (store_get(b->store, ukey, klen, &val, &len, &error) == 1 && len == 16) {
		*tick_r = rec_get_be64(val);
		*size_r = rec_get_be64((unsigned char *)val + 8);
		ok = true;
	}
	free(error);
	free(val);
	return ok;
}

static int
bodies_use_put(struct bodies *b, const unsigned char *ukey, size_t klen, uint64_t size,
    char **error_r)
{
	unsigned char v[16];

	rec_put_be64(v, ++b->tick);
	rec_put_be64(v + 8, size);
	return store_put(b->store, ukey, klen, v, sizeof(v), error_r);
}

/* Drops the message of a 'u' key and its use record (inside a
 * transaction). */
static int
bodies_drop(struct bodies *b, unsigned char *ukey, size_t klen, uint64_t size, char **error_r)
{
	int r;

	ukey[0] = 'b';
	r = store_del(b->store, ukey, klen, error_r);
	ukey[0] = 'u';
	if (r == 0)
		r = store_del(b->store, ukey, klen, error_r);
	if (r == 0) {
		b->bytes -= size <= b->bytes ? size : b->bytes;
		if (b->count > 0)
			b->count--;
	}
	return r;
}

bool
bodies_has(struct bodies *b, const char *folder, uint32_t uidvalidity, uint32_t uid)
{
	size_t klen;
	unsigned char *k = bodies_key('u', folder, uidvalidity, uid, &klen);
	uint64_t tick, size;
	bool r = bodies_use_get(b, k, klen, &tick, &size);

	free(k);
	return r;
}

int
bodies_get(struct bodies *b, const char *folder, uint32_t uidvalidity, uint32_t uid,
    struct buf *out, char **error_r)
{
	size_t klen, len = 0;
	unsigned char *k = bodies_key('u', folder, uidvalidity, uid, &klen);
	uint64_t tick, size;
	void *val = NULL;
	int r = 0;

	if (!bodies_use_get(b, k, klen, &tick, &size))
		goto out;
	k[0] = 'b';
	r = store_get(b->store, k, klen, &val, &len, error_r);
	k[0] = 'u';
	if (r == 1 && len != size) {
		/* Not what was written: dropped, and not cached. */
		char *ignored = NULL;

		if (store_begin(b->store, &ignored) == 0) {
			if (bodies_drop(b, k, klen, size, &ignored) == 0 &&
			    bodies_put_totals(b, &ignored) == 0)
				(void)store_commit(b->store, &ignored);
			else
				store_abort(b->store);
		}
		free(ignored);
		r = 0;
	}
	if (r == 1) {
		if (buf_add(out, val, len) != 0) {
			*error_r = xstrdup("the cached message is larger than the caller allows");
			r = -1;
		} else {
			char *ignored = NULL;

			/* Recently read: the last to be evicted. A failed mark
			 * only makes it go sooner. */
			(void)bodies_use_put(b, k, klen, size, &ignored);
			free(ignored);
		}
	}
out:
	free(val);
	free(k);
	return r;
}

struct bodies_use {
	struct store_key key;
	uint64_t tick, size;
};

static int
bodies_use_cmp(const void *x, const void *y)
{
	const struct bodies_use *a = x, *b = y;

	return a->tick < b->tick ? -1 : a->tick > b->tick;
}

/* Evicts the least recently read until need more bytes fit under 90 %
 * of the cap (inside the caller's transaction). */
static int
bodies_evict(struct bodies *b, uint64_t need, char **error_r)
{
	struct store_key *keys = NULL;
	struct bodies_use *uses;
	uint64_t goal = b->cap / 10 * 9;
	size_t n = 0, i, m = 0;
	int r = 0;

	if (b->bytes + need <= b->cap)
		return 0;
	goal = need < goal ? goal - need : 0;
	if (store_keys(b->store, "u", 1, &keys, &n, error_r) != 0)
		return -1;
	uses = xcalloc(n + 1, sizeof(*uses));
	for (i = 0; i < n; i++) {
		uint64_t tick, size;

		if (!bodies_use_get(b, keys[i].data, keys[i].len, &tick, &size))
			continue;
		uses[m].key = keys[i];
		uses[m].tick = tick;
		uses[m].size = size;
		m++;
	}
	qsort(uses, m, sizeof(*uses), bodies_use_cmp);
	for (i = 0; i < m && b->bytes > goal; i++)
		if ((r = bodies_drop(b, uses[i].key.data, uses[i].key.len, uses[i].size,
		    error_r)) != 0)
			break;
	free(uses);
	store_keys_free(keys, n);
	return r;
}

int
bodies_put(struct bodies *b, const char *folder, uint32_t uidvalidity, uint32_t uid,
    const void *msg, size_t len, char **error_r)
{
	size_t klen;
	unsigned char *k;
	uint64_t tick, size;
	int r = 0;

	if (len > b->cap)
		return 0;
	k = bodies_key('u', folder, uidvalidity, uid, &klen);
	if (store_begin(b->store, error_r) != 0) {
		free(k);
		return -1;
	}
	/* A message kept already is replaced, not counted twice. */
	if (bodies_use_get(b, k, klen, &tick, &size))
		r = bodies_drop(b, k, klen, size, error_r);
	if (r == 0)
		r = bodies_evict(b, len, error_r);
	if (r == 0) {
		k[0] = 'b';
		r = store_put(b->store, k, klen, msg, len, error_r);
		k[0] = 'u';
	}
	if (r == 0)
		r = bodies_use_put(b, k, klen, len, error_r);
	if (r == 0) {
		b->bytes += len;
		b->count++;
		r = bodies_put_totals(b, error_r);
	}
	if (r == 0)
		r = store_commit(b->store, error_r);
	else
		store_abort(b->store);
	free(k);
	if (r != 0) {
		/* The totals in memory may be off now: read them again. */
		void *val = NULL;
		size_t vlen = 0;
		char *ignored = NULL;

		if (store_get(b->store, BODIES_TOTALS, 1, &val, &vlen, &ignored) == 1 &&
		    vlen == 24) {
			b->bytes = rec_get_be64(val);
			b->count = rec_get_be64((unsigned char *)val + 8);
		}
		free(val);
		free(ignored);
	}
	return r;
}
