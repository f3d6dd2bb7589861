/* libFuzzer target for the cache's record decoders: any input either
 * fails, leaving the index unchanged, or decodes to messages that encode
 * and decode again to the same messages. The first byte picks the mode:
 * bit 0 set, the header (magic, version, checksum) is made valid so that
 * the fuzzer reaches the body; bit 1 set, the meta decoder is used. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/codec.h"
#include "cache/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fix_header(uint8_t *p, size_t len, uint8_t magic)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	p[0] = magic;
	p[1] = CACHE_FORMAT_VERSION;
	for (i = 10; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 8; i++)
		p[2 + i] = (uint8_t)(h >> (8 * i));
}

static void
check_meta(const uint8_t *p, size_t len)
{
	struct cache_meta meta, back;
	void *enc;
	size_t elen;

	if (cache_meta_decode(p, len, &meta) == -1)
		return;
	enc = cache_meta_encode(&meta, &elen);
	if (cache_meta_decode(enc, elen, &back) == -1)
		abort();
	if (memcmp(&meta.state, &back.state, sizeof meta.state) != 0 ||
	    meta.chunk_size != back.chunk_size || meta.nchunks != back.nchunks ||
	    (meta.nchunks > 0 &&
	    memcmp(meta.chunks, back.chunks, meta.nchunks * sizeof *meta.chunks) != 0))
		abort();
	cache_meta_free(&meta);
	cache_meta_free(&back);
	free(enc);
}

static void
check_chunk(const uint8_t *p, size_t len)
{
	struct index *idx, *back;
	const struct index_msg *x, *y;
	void *enc;
	size_t elen, n, i, k;

	idx = index_create();
	if (cache_chunk_decode(idx, 7, p, len) == -1) {
		if (index_count(idx) != 0)
			abort();
		index_destroy(&idx);
		return;
	}
	n = index_count(idx);
	/* The same messages again would not come after the first ones. */
	if (n > 0 && (cache_chunk_decode(idx, 8, p, len) != -1 || index_count(idx) != n))
		abort();
	enc = cache_chunk_encode(idx, 7, &elen);
	back = index_create();
	if (cache_chunk_decode(back, 7, enc, elen) == -1 || index_count(back) != n)
		abort();
	for (i = 0; i < n; i++) {
		x = index_at(idx, i);
		y = index_at(back, i);
		if (x->uid != y->uid || x->flags != y->flags || x->modseq != y->modseq ||
		    x->internaldate != y->internaldate || x->date != y->date ||
		    x->size != y->size || y->chunk != 7)
			abort();
		for (k = 0; k < INDEX_STR_COUNT; k++)
			if (strcmp(index_msg_str(idx, x, k), index_msg_str(back, y, k)) != 0)
				abort();
	}
	free(enc);
	index_destroy(&back);
	index_destroy(&idx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0];
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if ((mode & 1) && size - 1 >= 10)
		fix_header(copy, size - 1, (mode & 2) ? CACHE_MAGIC_META : CACHE_MAGIC_CHUNK);
	if (mode & 2)
		check_meta(copy, size - 1);
	else
		check_chunk(copy, size - 1);
	free(copy);
	return 0;
}
