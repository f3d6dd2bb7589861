/* The framing every record of cache/ shares (codec.h's chunks and meta
 * records, journal.h's entries), pure and free of Tokyo Cabinet so that
 * the fuzz targets link it alone.
 *
 * A record: a magic byte naming its kind, a format version byte, an
 * 8-byte checksum of every byte after it (rec_sum, stored little-endian),
 * then a body of unsigned LEB128 varints (signed values zigzag-encoded)
 * and length-prefixed byte strings.
 *
 * Encoding cannot fail (out of memory aborts through xmalloc). Decoding
 * reads untrusted bytes: every rec_dec_* returns 0, or -1 when the next
 * item is missing, malformed or over the caller's bound; the decoder is
 * then in no useful state and the caller gives the record up. Views
 * returned by rec_dec_bytes point into the record. */
#ifndef TERN_CACHE_RECORD_H
#define TERN_CACHE_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* Magic, version, checksum. */
#define REC_HEADER 10

/* A growing buffer. Zeroed, it is a plain buffer (free(e.p) when done);
 * after rec_enc_init, a record that rec_enc_finish seals. */
struct rec_enc {
	unsigned char *p;
	size_t len, cap;
};

/* Starts a record: leaves room for the header. */
void rec_enc_init(struct rec_enc *e);
/* n bytes as they are. */
void rec_enc_raw(struct rec_enc *e, const void *p, size_t n);
void rec_enc_varint(struct rec_enc *e, uint64_t v);
/* n bytes after their length. */
void rec_enc_bytes(struct rec_enc *e, const void *p, size_t n);
/* A C string after its length. */
void rec_enc_str(struct rec_enc *e, const char *s);
/* Bytes that may be NULL: 0 for NULL, else n + 1, then the n bytes. */
void rec_enc_nbytes(struct rec_enc *e, const void *p, size_t n);
/* A C string that may be NULL, as rec_enc_nbytes writes it. */
void rec_enc_nstr(struct rec_enc *e, const char *s);
/* Writes the header; returns the record (free() it) and its length. */
void *rec_enc_finish(struct rec_enc *e, unsigned char magic, unsigned char version,
    size_t *len_r);

uint64_t rec_zigzag(int64_t v);
int64_t rec_unzigzag(uint64_t z);
/* The checksum of a record's body. */
uint64_t rec_sum(const void *p, size_t len);

/* Big-endian integers, for store keys (and small fixed values) whose
 * byte order must be their numeric order. */
void rec_put_be64(unsigned char *p, uint64_t v);
uint64_t rec_get_be64(const unsigned char *p);

struct rec_dec {
	const unsigned char *p, *end;
};

/* Checks magic, version and checksum; leaves d at the body. */
int rec_dec_open(struct rec_dec *d, const void *data, size_t len, unsigned char magic,
    unsigned char version);
/* Bytes not read yet (every item takes at least one: a bound for counts
 * read before allocating). */
size_t rec_dec_left(const struct rec_dec *d);
int rec_dec_varint(struct rec_dec *d, uint64_t *v_r);
/* A varint of at most max. */
int rec_dec_u32(struct rec_dec *d, uint32_t max, uint32_t *v_r);
/* Length-prefixed bytes of at most max, as a view into the record. */
int rec_dec_bytes(struct rec_dec *d, size_t max, const unsigned char **p_r, size_t *len_r);
/* Length-prefixed bytes of at most max, without NUL, as a new C string
 * (free() it). */
int rec_dec_str(struct rec_dec *d, size_t max, char **s_r);
/* rec_enc_nbytes's bytes, as a view: *p_r is NULL for NULL. */
int rec_dec_nbytes(struct rec_dec *d, size_t max, const unsigned char **p_r,
    size_t *len_r);
/* rec_enc_nstr's string, as rec_dec_str: *s_r is NULL for NULL. */
int rec_dec_nstr(struct rec_dec *d, size_t max, char **s_r);
/* 0 when the whole record was read: nothing may trail. */
int rec_dec_end(const struct rec_dec *d);

#endif
