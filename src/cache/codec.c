/* The cache's record formats: chunks of messages with a string table, and
 * a folder's meta record (codec.h). Decoding treats the bytes as hostile:
 * a file on disk can be damaged, truncated or written by another version,
 * and a bad record must only ever cost a refetch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/codec.h"
#include "cache/record.h"
#include "lib/xmalloc.h"

#define CODEC_MAX_MSGS (CACHE_CHUNK_MSGS * 4)

/* The string table's hash (the record checksum is record.c's). */
static uint64_t
fnv1a64(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- chunks ---- */

/* The encoder's string table: each distinct string once, found through
 * an open-addressing hash of the contents (the arena may hold the same
 * string at several offsets). */
struct strtab {
	uint32_t *slots;	/* entry + 1, 0 = empty */
	size_t nslots;
	uint32_t *offs;		/* arena offsets, in table order */
	size_t n;
};

static uint32_t
strtab_ref(struct strtab *t, const struct index *idx, uint32_t off)
{
	const char *s = index_str(idx, off), *o;
	uint64_t h;
	size_t i;

	if (*s == '\0')
		return 0;
	h = fnv1a64((const unsigned char *)s, strlen(s));
	for (i = (size_t)h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
		if (t->slots[i] == 0)
			break;
		o = index_str(idx, t->offs[t->slots[i] - 1]);
		if (o == s || strcmp(o, s) == 0)
			return t->slots[i];
	}
	t->offs[t->n++] = off;
	t->slots[i] = (uint32_t)t->n;
	return (uint32_t)t->n;
}

void *
cache_chunk_encode_range(const struct index *idx, uint32_t chunk, size_t from, size_t to,
    size_t *len_r)
{
	const struct index_msg *m;
	struct strtab t = { 0 };
	struct rec_enc e, body = { 0 };
	uint32_t prev_uid = 0;
	int64_t prev_date = 0;
	size_t i, k, n = 0, count = index_count(idx);
	const char *s;

	if (count == 0 || from > to || from >= count) {
		from = 1;
		to = 0;
	} else if (to >= count)
		to = count - 1;
	for (i = from; i <= to && i < count; i++)
		if (index_at(idx, i)->chunk == chunk)
			n++;
	t.nslots = 16;
	while (t.nslots < n * INDEX_STR_COUNT * 2)
		t.nslots *= 2;
	t.slots = xcalloc(t.nslots, sizeof *t.slots);
	t.offs = xcalloc(n * INDEX_STR_COUNT + 1, sizeof *t.offs);

	/* The messages first, into their own buffer, so that the table they
	 * build can be written ahead of them. */
	rec_enc_varint(&body, n);
	for (i = from, n = 0; i <= to && i < count; i++) {
		m = index_at(idx, i);
		if (m->chunk != chunk)
			continue;
		rec_enc_varint(&body, (uint64_t)(m->uid - prev_uid));
		prev_uid = m->uid;
		rec_enc_varint(&body, ((uint64_t)m->flags << 1) | (m->date != INDEX_NO_DATE));
		rec_enc_varint(&body, m->modseq);
		rec_enc_varint(&body, rec_zigzag((int64_t)((uint64_t)m->internaldate -
		    (uint64_t)prev_date)));
		prev_date = m->internaldate;
		/* Date: is usually close to the arrival time. */
		if (m->date != INDEX_NO_DATE)
			rec_enc_varint(&body, rec_zigzag((int64_t)((uint64_t)m->date -
			    (uint64_t)m->internaldate)));
		rec_enc_varint(&body, m->size);
		for (k = 0; k < INDEX_STR_COUNT; k++)
			rec_enc_varint(&body, strtab_ref(&t, idx, m->str[k]));
	}

	rec_enc_init(&e);
	rec_enc_varint(&e, t.n);
	for (i = 0; i < t.n; i++) {
		s = index_str(idx, t.offs[i]);
		k = strlen(s);
		rec_enc_bytes(&e, s, k);
	}
	rec_enc_raw(&e, body.p, body.len);
	free(body.p);
	free(t.slots);
	free(t.offs);
	return rec_enc_finish(&e, CACHE_MAGIC_CHUNK, CACHE_FORMAT_VERSION, len_r);
}

void *
cache_chunk_encode(const struct index *idx, uint32_t chunk, size_t *len_r)
{
	size_t i, from, to, count = index_count(idx);

	/* A chunk is a contiguous run of the array (index.c keeps it so). */
	for (i = 0; i < count && index_at(idx, i)->chunk != chunk; i++)
		;
	from = i;
	for (to = from; to + 1 < count && index_at(idx, to + 1)->chunk == chunk; to++)
		;
	return cache_chunk_encode_range(idx, chunk, from, to, len_r);
}

struct codec_str {
	const char *p;
	uint32_t len;
};

int
cache_chunk_decode(struct index *idx, uint32_t chunk, const void *data, size_t len)
{
	struct codec_str *tab = NULL;
	struct index_msg *msgs = NULL, *m;
	uint32_t *offs = NULL, last_uid = 0, prev_uid = 0;
	uint64_t nstr, count, v, flags;
	int64_t prev_date = 0;
	const unsigned char *p;
	size_t i, k, n;
	struct rec_dec d;
	int rc = -1;

	if (rec_dec_open(&d, data, len, CACHE_MAGIC_CHUNK, CACHE_FORMAT_VERSION) == -1)
		return -1;
	if (rec_dec_varint(&d, &nstr) == -1 || nstr > rec_dec_left(&d) / 2)
		return -1;
	tab = xcalloc(nstr + 1, sizeof *tab);
	for (i = 0; i < nstr; i++) {
		if (rec_dec_bytes(&d, CACHE_STR_MAX, &p, &k) == -1 || k == 0)
			goto out;
		/* Strings are C strings in the index. */
		if (memchr(p, '\0', k) != NULL)
			goto out;
		tab[i].p = (const char *)p;
		tab[i].len = (uint32_t)k;
	}

	if (rec_dec_varint(&d, &count) == -1 || count > CODEC_MAX_MSGS)
		goto out;
	msgs = xcalloc(count + 1, sizeof *msgs);
	n = index_count(idx);
	if (n > 0)
		last_uid = index_at(idx, n - 1)->uid;
	for (i = 0; i < count; i++) {
		m = &msgs[i];
		/* UIDs strictly increase, within the chunk and after the index. */
		if (rec_dec_varint(&d, &v) == -1 || v == 0 || v > UINT32_MAX - prev_uid)
			goto out;
		m->uid = prev_uid + (uint32_t)v;
		if (m->uid <= last_uid)
			goto out;
		prev_uid = m->uid;
		if (rec_dec_varint(&d, &flags) == -1 || (flags >> 1) > UINT32_MAX)
			goto out;
		m->flags = (uint32_t)(flags >> 1);
		if (rec_dec_varint(&d, &m->modseq) == -1 || rec_dec_varint(&d, &v) == -1)
			goto out;
		m->internaldate = (int64_t)((uint64_t)prev_date + (uint64_t)rec_unzigzag(v));
		prev_date = m->internaldate;
		m->date = INDEX_NO_DATE;
		if (flags & 1) {
			if (rec_dec_varint(&d, &v) == -1)
				goto out;
			m->date = (int64_t)((uint64_t)m->internaldate +
			    (uint64_t)rec_unzigzag(v));
		}
		if (rec_dec_u32(&d, UINT32_MAX, &m->size) == -1)
			goto out;
		for (k = 0; k < INDEX_STR_COUNT; k++) {
			if (rec_dec_u32(&d, UINT32_MAX, &m->str[k]) == -1 || m->str[k] > nstr)
				goto out;
		}
		m->chunk = chunk;
	}
	if (rec_dec_end(&d) == -1)
		goto out;

	/* Valid: only now does the index change. Each distinct string of
	 * the chunk goes into the arena once. */
	offs = xcalloc(nstr + 1, sizeof *offs);
	for (i = 0; i < nstr; i++)
		offs[i + 1] = index_intern(idx, tab[i].p, tab[i].len);
	for (i = 0; i < count; i++) {
		for (k = 0; k < INDEX_STR_COUNT; k++)
			msgs[i].str[k] = offs[msgs[i].str[k]];
		index_load_msg(idx, &msgs[i]);
	}
	rc = 0;
out:
	free(offs);
	free(msgs);
	free(tab);
	return rc;
}

/* ---- meta records ---- */

void *
cache_meta_encode(const struct cache_meta *meta, size_t *len_r)
{
	struct rec_enc e;
	size_t i;

	rec_enc_init(&e);
	rec_enc_varint(&e, meta->state.uidvalidity);
	rec_enc_varint(&e, meta->state.uidnext);
	rec_enc_varint(&e, meta->state.highestmodseq);
	rec_enc_varint(&e, rec_zigzag(meta->state.synced_at));
	rec_enc_varint(&e, meta->chunk_size);
	rec_enc_varint(&e, meta->nchunks);
	for (i = 0; i < meta->nchunks; i++)
		rec_enc_varint(&e, meta->chunks[i]);
	return rec_enc_finish(&e, CACHE_MAGIC_META, CACHE_FORMAT_VERSION, len_r);
}

int
cache_meta_decode(const void *data, size_t len, struct cache_meta *meta_r)
{
	struct cache_meta meta;
	uint64_t v, n;
	size_t i;
	struct rec_dec d;

	memset(&meta, 0, sizeof meta);
	if (rec_dec_open(&d, data, len, CACHE_MAGIC_META, CACHE_FORMAT_VERSION) == -1)
		return -1;
	if (rec_dec_u32(&d, UINT32_MAX, &meta.state.uidvalidity) == -1 ||
	    rec_dec_u32(&d, UINT32_MAX, &meta.state.uidnext) == -1 ||
	    rec_dec_varint(&d, &meta.state.highestmodseq) == -1 ||
	    rec_dec_varint(&d, &v) == -1)
		return -1;
	meta.state.synced_at = rec_unzigzag(v);
	if (rec_dec_u32(&d, CACHE_CHUNK_MSGS * 2, &meta.chunk_size) == -1 ||
	    meta.chunk_size == 0)
		return -1;
	/* Each id takes at least a byte. */
	if (rec_dec_varint(&d, &n) == -1 || n > rec_dec_left(&d))
		return -1;
	meta.chunks = xcalloc(n + 1, sizeof *meta.chunks);
	meta.nchunks = n;
	for (i = 0; i < n; i++) {
		if (rec_dec_u32(&d, UINT32_MAX, &meta.chunks[i]) == -1 ||
		    meta.chunks[i] == INDEX_NO_CHUNK) {
			free(meta.chunks);
			return -1;
		}
	}
	if (rec_dec_end(&d) == -1) {
		free(meta.chunks);
		return -1;
	}
	*meta_r = meta;
	return 0;
}

void
cache_meta_free(struct cache_meta *meta)
{
	free(meta->chunks);
	meta->chunks = NULL;
	meta->nchunks = 0;
}
