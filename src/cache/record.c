/* Record framing and the varint and string encodings of cache/'s
 * formats (record.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/record.h"
#include "lib/xmalloc.h"

/* ---- bytes out ---- */

static void
rec_enc_reserve(struct rec_enc *e, size_t n)
{
	if (e->cap - e->len >= n)
		return;
	while (e->cap - e->len < n)
		e->cap = e->cap == 0 ? 4096 : e->cap * 2;
	e->p = xrealloc(e->p, e->cap);
}

void
rec_enc_init(struct rec_enc *e)
{
	static const unsigned char zero[REC_HEADER];

	memset(e, 0, sizeof *e);
	rec_enc_raw(e, zero, sizeof zero);
}

void
rec_enc_raw(struct rec_enc *e, const void *p, size_t n)
{
	if (n == 0)
		return;
	rec_enc_reserve(e, n);
	memcpy(e->p + e->len, p, n);
	e->len += n;
}

void
rec_enc_varint(struct rec_enc *e, uint64_t v)
{
	rec_enc_reserve(e, 10);
	while (v >= 0x80) {
		e->p[e->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	e->p[e->len++] = (unsigned char)v;
}

void
rec_enc_bytes(struct rec_enc *e, const void *p, size_t n)
{
	rec_enc_varint(e, n);
	rec_enc_raw(e, p, n);
}

void
rec_enc_str(struct rec_enc *e, const char *s)
{
	rec_enc_bytes(e, s, strlen(s));
}

void
rec_enc_nbytes(struct rec_enc *e, const void *p, size_t n)
{
	if (p == NULL) {
		rec_enc_varint(e, 0);
		return;
	}
	rec_enc_varint(e, (uint64_t)n + 1);
	rec_enc_raw(e, p, n);
}

void
rec_enc_nstr(struct rec_enc *e, const char *s)
{
	rec_enc_nbytes(e, s, s != NULL ? strlen(s) : 0);
}

void *
rec_enc_finish(struct rec_enc *e, unsigned char magic, unsigned char version, size_t *len_r)
{
	uint64_t sum;
	int i;

	e->p[0] = magic;
	e->p[1] = version;
	sum = rec_sum(e->p + REC_HEADER, e->len - REC_HEADER);
	for (i = 0; i < 8; i++)
		e->p[2 + i] = (unsigned char)(sum >> (8 * i));
	*len_r = e->len;
	return e->p;
}

/* Signed values as zigzag, so that small negative deltas stay short. */
uint64_t
rec_zigzag(int64_t v)
{
	uint64_t u = (uint64_t)v;

	return (u << 1) ^ (0 - (u >> 63));
}

int64_t
rec_unzigzag(uint64_t z)
{
	return (int64_t)((z >> 1) ^ (0 - (z & 1)));
}

/* FNV-1a's step on 64-bit little-endian words (the tail bytes one by
 * one). Each step is a bijection of the state for a given word, so any
 * change to a single word always changes the sum; eight bytes a step
 * keep a warm open of a big folder from spending its time here (byte-wise
 * FNV was 14 % of listing a million messages). */
uint64_t
rec_sum(const void *data, size_t len)
{
	const unsigned char *p = data;
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

/* ---- keys ---- */

void
rec_put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

uint64_t
rec_get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- bytes in ---- */

int
rec_dec_open(struct rec_dec *d, const void *data, size_t len, unsigned char magic,
    unsigned char version)
{
	const unsigned char *p = data;
	uint64_t sum = 0;
	int i;

	if (data == NULL || len < REC_HEADER || p[0] != magic || p[1] != version)
		return -1;
	for (i = 0; i < 8; i++)
		sum |= (uint64_t)p[2 + i] << (8 * i);
	if (sum != rec_sum(p + REC_HEADER, len - REC_HEADER))
		return -1;
	d->p = p + REC_HEADER;
	d->end = p + len;
	return 0;
}

size_t
rec_dec_left(const struct rec_dec *d)
{
	return (size_t)(d->end - d->p);
}

int
rec_dec_varint(struct rec_dec *d, uint64_t *v_r)
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

int
rec_dec_u32(struct rec_dec *d, uint32_t max, uint32_t *v_r)
{
	uint64_t v;

	if (rec_dec_varint(d, &v) == -1 || v > max)
		return -1;
	*v_r = (uint32_t)v;
	return 0;
}

/* The next n bytes as a view, when n is at most max and they are there. */
static int
rec_dec_take(struct rec_dec *d, uint64_t n, size_t max, const unsigned char **p_r,
    size_t *len_r)
{
	if (n > max || n > rec_dec_left(d))
		return -1;
	*p_r = d->p;
	*len_r = (size_t)n;
	d->p += n;
	return 0;
}

int
rec_dec_bytes(struct rec_dec *d, size_t max, const unsigned char **p_r, size_t *len_r)
{
	uint64_t v;

	if (rec_dec_varint(d, &v) == -1)
		return -1;
	return rec_dec_take(d, v, max, p_r, len_r);
}

int
rec_dec_nbytes(struct rec_dec *d, size_t max, const unsigned char **p_r, size_t *len_r)
{
	uint64_t v;

	*p_r = NULL;
	*len_r = 0;
	if (rec_dec_varint(d, &v) == -1)
		return -1;
	return v == 0 ? 0 : rec_dec_take(d, v - 1, max, p_r, len_r);
}

/* n bytes at p as a C string: they may not hold a NUL, which would cut
 * the string short and break the round trip. */
static int
rec_dec_copy_str(const unsigned char *p, size_t n, char **s_r)
{
	char *s;

	if (memchr(p, '\0', n) != NULL)
		return -1;
	s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	*s_r = s;
	return 0;
}

int
rec_dec_str(struct rec_dec *d, size_t max, char **s_r)
{
	const unsigned char *p;
	size_t n;

	if (rec_dec_bytes(d, max, &p, &n) == -1)
		return -1;
	return rec_dec_copy_str(p, n, s_r);
}

int
rec_dec_nstr(struct rec_dec *d, size_t max, char **s_r)
{
	const unsigned char *p;
	size_t n;

	*s_r = NULL;
	if (rec_dec_nbytes(d, max, &p, &n) == -1)
		return -1;
	return p == NULL ? 0 : rec_dec_copy_str(p, n, s_r);
}

int
rec_dec_end(const struct rec_dec *d)
{
	return d->p == d->end ? 0 : -1;
}
