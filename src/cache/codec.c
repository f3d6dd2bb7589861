/* The cache's record formats: chunks of messages with a string table, and
 * a folder's meta record (codec.h). Decoding treats the bytes as hostile:
 * a file on disk can be damaged, truncated or written by another version,
 * and a bad record must only ever cost a refetch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/codec.h"
#include "lib/xmalloc.h"

#define CODEC_HEADER 10		/* magic, version, checksum */
#define CODEC_MAX_MSGS (CACHE_CHUNK_MSGS * 4)

/* ---- bytes out ---- */

struct enc {
	unsigned char *p;
	size_t len, cap;
};

static void
enc_reserve(struct enc *e, size_t n)
{
	if (e->cap - e->len >= n)
		return;
	while (e->cap - e->len < n)
		e->cap = e->cap == 0 ? 4096 : e->cap * 2;
	e->p = xrealloc(e->p, e->cap);
}

static void
enc_bytes(struct enc *e, const void *p, size_t n)
{
	enc_reserve(e, n);
	memcpy(e->p + e->len, p, n);
	e->len += n;
}

static void
enc_varint(struct enc *e, uint64_t v)
{
	enc_reserve(e, 10);
	while (v >= 0x80) {
		e->p[e->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	e->p[e->len++] = (unsigned char)v;
}

/* Signed values as zigzag, so that small negative deltas stay short. */
static uint64_t
zigzag(int64_t v)
{
	uint64_t u = (uint64_t)v;

	return (u << 1) ^ (0 - (u >> 63));
}

static int64_t
unzigzag(uint64_t z)
{
	return (int64_t)((z >> 1) ^ (0 - (z & 1)));
}

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

/* A record's checksum: FNV-1a's step on 64-bit little-endian words (the
 * tail bytes one by one). Each step is a bijection of the state for a
 * given word, so any change to a single word always changes the sum;
 * eight bytes a step keep a warm open of a big folder from spending its
 * time here (byte-wise FNV was 14 % of listing a million messages). */
static uint64_t
codec_sum(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w = (uint64_t)p[i] | (uint64_t)p[i + 1] << 8 |
		    (uint64_t)p[i + 2] << 16 | (uint64_t)p[i + 3] << 24 |
		    (uint64_t)p[i + 4] << 32 | (uint64_t)p[i + 5] << 40 |
		    (uint64_t)p[i + 6] << 48 | (uint64_t)p[i + 7] << 56;

		h ^= w;
		h *= 0x100000001b3ULL;
	}
	for (; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ len;
}

static void
enc_header(struct enc *e, unsigned char magic)
{
	unsigned char h[CODEC_HEADER] = { magic, CACHE_FORMAT_VERSION };

	enc_bytes(e, h, sizeof h);
}

/* Fills in the checksum once the body is written. */
static void *
enc_finish(struct enc *e, size_t *len_r)
{
	uint64_t sum;
	int i;

	sum = codec_sum(e->p + CODEC_HEADER, e->len - CODEC_HEADER);
	for (i = 0; i < 8; i++)
		e->p[2 + i] = (unsigned char)(sum >> (8 * i));
	*len_r = e->len;
	return e->p;
}

/* ---- bytes in ---- */

struct dec {
	const unsigned char *p, *end;
};

static int
dec_varint(struct dec *d, uint64_t *v_r)
{
	uint64_t v = 0;
	unsigned shift;

	for (shift = 0; shift < 64; shift += 7) {
		if (d->p == d->end)
			return -1;
		/* The tenth byte may only carry the top bit. */
		if (shift == 63 && *d->p > 1)
			return -1;
		v |= (uint64_t)(*d->p & 0x7f) << shift;
		if ((*d->p++ & 0x80) == 0) {
			*v_r = v;
			return 0;
		}
	}
	return -1;
}

static int
dec_u32(struct dec *d, uint32_t *v_r)
{
	uint64_t v;

	if (dec_varint(d, &v) == -1 || v > UINT32_MAX)
		return -1;
	*v_r = (uint32_t)v;
	return 0;
}

/* Checks magic, version and checksum; leaves d at the body. */
static int
dec_header(struct dec *d, const void *data, size_t len, unsigned char magic)
{
	const unsigned char *p = data;
	uint64_t sum = 0;
	int i;

	if (data == NULL || len < CODEC_HEADER || p[0] != magic ||
	    p[1] != CACHE_FORMAT_VERSION)
		return -1;
	for (i = 0; i < 8; i++)
		sum |= (uint64_t)p[2 + i] << (8 * i);
	if (sum != codec_sum(p + CODEC_HEADER, len - CODEC_HEADER))
		return -1;
	d->p = p + CODEC_HEADER;
	d->end = p + len;
	return 0;
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
	struct enc e = { 0 }, body = { 0 };
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
	enc_varint(&body, n);
	for (i = from, n = 0; i <= to && i < count; i++) {
		m = index_at(idx, i);
		if (m->chunk != chunk)
			continue;
		enc_varint(&body, (uint64_t)(m->uid - prev_uid));
		prev_uid = m->uid;
		enc_varint(&body, ((uint64_t)m->flags << 1) | (m->date != INDEX_NO_DATE));
		enc_varint(&body, m->modseq);
		enc_varint(&body, zigzag((int64_t)((uint64_t)m->internaldate -
		    (uint64_t)prev_date)));
		prev_date = m->internaldate;
		/* Date: is usually close to the arrival time. */
		if (m->date != INDEX_NO_DATE)
			enc_varint(&body, zigzag((int64_t)((uint64_t)m->date -
			    (uint64_t)m->internaldate)));
		enc_varint(&body, m->size);
		for (k = 0; k < INDEX_STR_COUNT; k++)
			enc_varint(&body, strtab_ref(&t, idx, m->str[k]));
	}

	enc_header(&e, CACHE_MAGIC_CHUNK);
	enc_varint(&e, t.n);
	for (i = 0; i < t.n; i++) {
		s = index_str(idx, t.offs[i]);
		k = strlen(s);
		enc_varint(&e, k);
		enc_bytes(&e, s, k);
	}
	enc_bytes(&e, body.p, body.len);
	free(body.p);
	free(t.slots);
	free(t.offs);
	return enc_finish(&e, len_r);
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
	size_t i, k, n;
	struct dec d;
	int rc = -1;

	if (dec_header(&d, data, len, CACHE_MAGIC_CHUNK) == -1)
		return -1;
	if (dec_varint(&d, &nstr) == -1 || nstr > (uint64_t)(d.end - d.p) / 2)
		return -1;
	tab = xcalloc(nstr + 1, sizeof *tab);
	for (i = 0; i < nstr; i++) {
		if (dec_varint(&d, &v) == -1 || v == 0 || v > CACHE_STR_MAX ||
		    v > (uint64_t)(d.end - d.p))
			goto out;
		/* Strings are C strings in the index. */
		if (memchr(d.p, '\0', v) != NULL)
			goto out;
		tab[i].p = (const char *)d.p;
		tab[i].len = (uint32_t)v;
		d.p += v;
	}

	if (dec_varint(&d, &count) == -1 || count > CODEC_MAX_MSGS)
		goto out;
	msgs = xcalloc(count + 1, sizeof *msgs);
	n = index_count(idx);
	if (n > 0)
		last_uid = index_at(idx, n - 1)->uid;
	for (i = 0; i < count; i++) {
		m = &msgs[i];
		/* UIDs strictly increase, within the chunk and after the index. */
		if (dec_varint(&d, &v) == -1 || v == 0 || v > UINT32_MAX - prev_uid)
			goto out;
		m->uid = prev_uid + (uint32_t)v;
		if (m->uid <= last_uid)
			goto out;
		prev_uid = m->uid;
		if (dec_varint(&d, &flags) == -1 || (flags >> 1) > UINT32_MAX)
			goto out;
		m->flags = (uint32_t)(flags >> 1);
		if (dec_varint(&d, &m->modseq) == -1 || dec_varint(&d, &v) == -1)
			goto out;
		m->internaldate = (int64_t)((uint64_t)prev_date + (uint64_t)unzigzag(v));
		prev_date = m->internaldate;
		m->date = INDEX_NO_DATE;
		if (flags & 1) {
			if (dec_varint(&d, &v) == -1)
				goto out;
			m->date = (int64_t)((uint64_t)m->internaldate +
			    (uint64_t)unzigzag(v));
		}
		if (dec_u32(&d, &m->size) == -1)
			goto out;
		for (k = 0; k < INDEX_STR_COUNT; k++) {
			if (dec_u32(&d, &m->str[k]) == -1 || m->str[k] > nstr)
				goto out;
		}
		m->chunk = chunk;
	}
	if (d.p != d.end)
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
	struct enc e = { 0 };
	size_t i;

	enc_header(&e, CACHE_MAGIC_META);
	enc_varint(&e, meta->state.uidvalidity);
	enc_varint(&e, meta->state.uidnext);
	enc_varint(&e, meta->state.highestmodseq);
	enc_varint(&e, zigzag(meta->state.synced_at));
	enc_varint(&e, meta->chunk_size);
	enc_varint(&e, meta->nchunks);
	for (i = 0; i < meta->nchunks; i++)
		enc_varint(&e, meta->chunks[i]);
	return enc_finish(&e, len_r);
}

int
cache_meta_decode(const void *data, size_t len, struct cache_meta *meta_r)
{
	struct cache_meta meta;
	uint64_t v, n;
	size_t i;
	struct dec d;

	memset(&meta, 0, sizeof meta);
	if (dec_header(&d, data, len, CACHE_MAGIC_META) == -1)
		return -1;
	if (dec_u32(&d, &meta.state.uidvalidity) == -1 ||
	    dec_u32(&d, &meta.state.uidnext) == -1 ||
	    dec_varint(&d, &meta.state.highestmodseq) == -1 ||
	    dec_varint(&d, &v) == -1)
		return -1;
	meta.state.synced_at = unzigzag(v);
	if (dec_u32(&d, &meta.chunk_size) == -1 || meta.chunk_size == 0 ||
	    meta.chunk_size > CACHE_CHUNK_MSGS * 2)
		return -1;
	/* Each id takes at least a byte. */
	if (dec_varint(&d, &n) == -1 || n > (uint64_t)(d.end - d.p))
		return -1;
	meta.chunks = xcalloc(n + 1, sizeof *meta.chunks);
	meta.nchunks = n;
	for (i = 0; i < n; i++) {
		if (dec_u32(&d, &meta.chunks[i]) == -1 ||
		    meta.chunks[i] == INDEX_NO_CHUNK) {
			free(meta.chunks);
			return -1;
		}
	}
	if (d.p != d.end) {
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
