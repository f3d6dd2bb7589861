/* The cache's record formats (cache.h), pure and free of Tokyo Cabinet
 * so that the fuzz target can link them alone.
 *
 * Every record is framed as record.h says: a magic byte ('T' a chunk of
 * messages, 'M' a folder's meta record), the format version
 * (CACHE_FORMAT_VERSION), an 8-byte checksum (rec_sum: FNV-1a steps on
 * 8-byte words of every byte after it; stored little-endian), then the
 * body in unsigned LEB128 varints (signed values zigzag-encoded).
 *
 * Conventions: decoders read untrusted bytes; they return 0, or -1 when
 * the record is not valid, leaving their output untouched. */
#ifndef TERN_CACHE_CODEC_H
#define TERN_CACHE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "cache/index.h"

#define CACHE_MAGIC_CHUNK 'T'
#define CACHE_MAGIC_META 'M'
/* Longest string a chunk may hold (fields are capped far below). */
#define CACHE_STR_MAX (1024 * 1024)

struct cache_meta {
	struct index_state state;
	uint32_t chunk_size;
	uint32_t *chunks;	/* chunk ids, in UID order */
	size_t nchunks;
};

/* Encodes the messages at positions from..to (inclusive) of idx that
 * are in chunk: cache_chunk_encode without the search. */
void *cache_chunk_encode_range(const struct index *idx, uint32_t chunk, size_t from,
    size_t to, size_t *len_r);

void *cache_meta_encode(const struct cache_meta *meta, size_t *len_r);
/* Fills *meta_r (free with cache_meta_free). */
int cache_meta_decode(const void *data, size_t len, struct cache_meta *meta_r);
void cache_meta_free(struct cache_meta *meta);

#endif
