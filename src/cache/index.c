/* A folder's messages in memory: a flat array sorted by UID, strings in
 * one arena, chunk bookkeeping for the cache (index.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/index.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

const struct index_flag_name index_flag_names[INDEX_FLAG_NAMES] = {
	{ INDEX_SEEN, "\\Seen" },
	{ INDEX_ANSWERED, "\\Answered" },
	{ INDEX_FLAGGED, "\\Flagged" },
	{ INDEX_DELETED, "\\Deleted" },
	{ INDEX_DRAFT, "\\Draft" },
	{ INDEX_FORWARDED, "$Forwarded" },
	{ INDEX_JUNK, "$Junk" },
};

uint32_t
index_flag_bit(const char *name)
{
	size_t i;

	for (i = 0; i < INDEX_FLAG_NAMES; i++) {
		if (str_caseeq(name, index_flag_names[i].name))
			return index_flag_names[i].bit;
	}
	return 0;
}

/* How many messages each chunk in use holds, sorted by id: a folder has a
 * few hundred chunks at most, so a sorted array beats a hash table. */
struct index_chunk {
	uint32_t id;
	uint32_t count;
};

struct index {
	struct index_msg *msgs;
	size_t count, cap;
	uint64_t gen;		/* index_generation() */

	char *arena;			/* offset 0 holds "" */
	size_t arena_len, arena_cap;

	struct index_state state;
	bool state_dirty;

	size_t chunk_size;
	struct index_chunk *chunks;
	size_t nchunks, chunks_cap;

	uint32_t *dirty;		/* sorted, no duplicates */
	size_t ndirty, dirty_cap;

	/* Recently interned strings by hash, so that the From, To, List-ID
	 * and keywords that messages share are stored once; a miss (another
	 * string in the slot) only costs a duplicate. */
	uint32_t *recent;
};

#define INDEX_RECENT_SLOTS 4096

/* A chunk may grow past chunk_size when older UIDs are inserted into it,
 * up to this many times chunk_size; then it is split in two. The codec
 * accepts up to 4 * CACHE_CHUNK_MSGS, so this keeps every chunk
 * readable. */
#define INDEX_CHUNK_GROWTH 2

struct index *
index_create(void)
{
	struct index *idx;

	idx = xcalloc(1, sizeof *idx);
	idx->arena_cap = 4096;
	idx->arena = xmalloc(idx->arena_cap);
	idx->arena[0] = '\0';
	idx->arena_len = 1;
	idx->chunk_size = CACHE_CHUNK_MSGS;
	return idx;
}

void
index_destroy(struct index **idxp)
{
	struct index *idx = *idxp;

	if (idx == NULL)
		return;
	*idxp = NULL;
	free(idx->msgs);
	free(idx->arena);
	free(idx->chunks);
	free(idx->dirty);
	free(idx->recent);
	free(idx);
}

const struct index_state *
index_state(const struct index *idx)
{
	return &idx->state;
}

void
index_set_state(struct index *idx, const struct index_state *state)
{
	if (memcmp(&idx->state, state, sizeof *state) == 0)
		return;
	idx->state = *state;
	idx->state_dirty = true;
}

size_t
index_count(const struct index *idx)
{
	return idx->count;
}

const struct index_msg *
index_at(const struct index *idx, size_t i)
{
	if (i >= idx->count)
		return NULL;
	return &idx->msgs[i];
}

/* The position of uid, or where it would go (with *found_r false). */
static size_t
index_search(const struct index *idx, uint32_t uid, bool *found_r)
{
	size_t lo = 0, hi = idx->count, mid;

	*found_r = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->msgs[mid].uid < uid)
			lo = mid + 1;
		else if (idx->msgs[mid].uid > uid)
			hi = mid;
		else {
			*found_r = true;
			return mid;
		}
	}
	return lo;
}

long
index_find(const struct index *idx, uint32_t uid)
{
	bool found;
	size_t i;

	i = index_search(idx, uid, &found);
	return found ? (long)i : -1;
}

const char *
index_str(const struct index *idx, uint32_t off)
{
	if (off >= idx->arena_len)
		return "";
	return idx->arena + off;
}

const char *
index_msg_str(const struct index *idx, const struct index_msg *m, enum index_str which)
{
	if ((unsigned)which >= INDEX_STR_COUNT)
		return "";
	return index_str(idx, m->str[which]);
}

void
index_addr_short(const char *from, const char **s_r, size_t *len_r)
{
	size_t len = strcspn(from, "\n");
	const char *lt = memchr(from, '<', len), *gt;

	if (lt != NULL && lt > from) {
		size_t n = (size_t)(lt - from);

		while (n > 0 && from[n - 1] == ' ')
			n--;
		if (n > 2 && from[0] == '"' && from[n - 1] == '"') {
			*s_r = from + 1;
			*len_r = n - 2;
			return;
		}
		if (n > 0 && !(n == 2 && from[0] == '"' && from[1] == '"')) {
			*s_r = from;
			*len_r = n;
			return;
		}
	}
	if (lt != NULL && (gt = memchr(lt, '>', len - (size_t)(lt - from))) != NULL) {
		*s_r = lt + 1;
		*len_r = (size_t)(gt - (lt + 1));
		return;
	}
	*s_r = from;
	*len_r = len;
}

static void
index_arena_add(struct index *idx, size_t len)
{
	/* Offsets are 32 bits: 4 GB of headers is far beyond any folder. */
	if (len >= UINT32_MAX - idx->arena_len) {
		fprintf(stderr, "index: string arena full\n");
		abort();
	}
	if (idx->arena_len + len + 1 <= idx->arena_cap)
		return;
	/* Half again, not double: the arena is most of the index. */
	idx->arena_cap += idx->arena_cap / 2 + len + 1;
	idx->arena = xrealloc(idx->arena, idx->arena_cap);
}

uint32_t
index_intern(struct index *idx, const char *s, size_t len)
{
	uint32_t h = 2166136261u, *slot, off;
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	if (idx->recent == NULL)
		idx->recent = xcalloc(INDEX_RECENT_SLOTS, sizeof *idx->recent);
	slot = &idx->recent[h & (INDEX_RECENT_SLOTS - 1)];
	if (*slot != 0 && *slot + len < idx->arena_len &&
	    memcmp(idx->arena + *slot, s, len) == 0 && idx->arena[*slot + len] == '\0')
		return *slot;
	index_arena_add(idx, len);
	off = (uint32_t)idx->arena_len;
	memcpy(idx->arena + off, s, len);
	idx->arena[off + len] = '\0';
	idx->arena_len += len + 1;
	*slot = off;
	return off;
}

static uint32_t
index_intern_str(struct index *idx, const char *s)
{
	return s == NULL ? 0 : index_intern(idx, s, strlen(s));
}

/* ---- chunk bookkeeping ---- */

static size_t
index_chunk_search(const struct index *idx, uint32_t id, bool *found_r)
{
	size_t lo = 0, hi = idx->nchunks, mid;

	*found_r = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->chunks[mid].id < id)
			lo = mid + 1;
		else if (idx->chunks[mid].id > id)
			hi = mid;
		else {
			*found_r = true;
			return mid;
		}
	}
	return lo;
}

static uint32_t
index_chunk_count(const struct index *idx, uint32_t id)
{
	bool found;
	size_t i;

	i = index_chunk_search(idx, id, &found);
	return found ? idx->chunks[i].count : 0;
}

/* Adds delta (+1 or -1) to a chunk's count; a chunk with no messages
 * leaves the table. */
static void
index_chunk_add(struct index *idx, uint32_t id, int delta)
{
	bool found;
	size_t i;

	i = index_chunk_search(idx, id, &found);
	if (!found) {
		if (delta < 0)
			return;
		if (idx->nchunks == idx->chunks_cap) {
			idx->chunks_cap = idx->chunks_cap == 0 ? 16 : idx->chunks_cap * 2;
			idx->chunks = xreallocarray(idx->chunks, idx->chunks_cap,
			    sizeof *idx->chunks);
		}
		memmove(&idx->chunks[i + 1], &idx->chunks[i],
		    (idx->nchunks - i) * sizeof *idx->chunks);
		idx->chunks[i].id = id;
		idx->chunks[i].count = 0;
		idx->nchunks++;
	}
	if (delta > 0)
		idx->chunks[i].count++;
	else if (--idx->chunks[i].count == 0) {
		memmove(&idx->chunks[i], &idx->chunks[i + 1],
		    (idx->nchunks - i - 1) * sizeof *idx->chunks);
		idx->nchunks--;
	}
}

/* A chunk id that no message uses. */
static uint32_t
index_chunk_new(const struct index *idx)
{
	uint32_t id;

	if (idx->nchunks == 0)
		return 0;
	id = idx->chunks[idx->nchunks - 1].id + 1;
	/* Ids are only ever one more than the largest; wrapping would need
	 * four billion splits. Reuse a gap if it ever happens. */
	if (id == INDEX_NO_CHUNK) {
		for (id = 0; index_chunk_count(idx, id) != 0; id++)
			;
	}
	return id;
}

static void
index_mark_dirty(struct index *idx, uint32_t id)
{
	size_t lo = 0, hi = idx->ndirty, mid;

	/* Appends are the common case: the last chunk is already marked. */
	if (idx->ndirty > 0 && idx->dirty[idx->ndirty - 1] == id)
		return;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->dirty[mid] < id)
			lo = mid + 1;
		else if (idx->dirty[mid] > id)
			hi = mid;
		else
			return;
	}
	if (idx->ndirty == idx->dirty_cap) {
		idx->dirty_cap = idx->dirty_cap == 0 ? 16 : idx->dirty_cap * 2;
		idx->dirty = xreallocarray(idx->dirty, idx->dirty_cap, sizeof *idx->dirty);
	}
	memmove(&idx->dirty[lo + 1], &idx->dirty[lo], (idx->ndirty - lo) * sizeof *idx->dirty);
	idx->dirty[lo] = id;
	idx->ndirty++;
}

bool
index_chunk_dirty(const struct index *idx, uint32_t chunk)
{
	size_t lo = 0, hi = idx->ndirty, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->dirty[mid] < chunk)
			lo = mid + 1;
		else if (idx->dirty[mid] > chunk)
			hi = mid;
		else
			return true;
	}
	return false;
}

const uint32_t *
index_dirty_chunks(const struct index *idx, size_t *n_r)
{
	*n_r = idx->ndirty;
	return idx->dirty;
}

void
index_clear_dirty(struct index *idx)
{
	idx->ndirty = 0;
	idx->state_dirty = false;
}

bool
index_state_dirty(const struct index *idx)
{
	return idx->state_dirty;
}

void
index_set_chunk_size(struct index *idx, size_t n)
{
	if (n < 1)
		n = 1;
	if (n > CACHE_CHUNK_MSGS * 2)
		n = CACHE_CHUNK_MSGS * 2;
	idx->chunk_size = n;
}

size_t
index_chunk_size(const struct index *idx)
{
	return idx->chunk_size;
}

/* The chunk at pos grew past its limit: move its upper half to a new
 * chunk. Chunks stay contiguous runs of the array, which is what lets
 * the cache read them back in order. */
static void
index_chunk_split(struct index *idx, size_t pos)
{
	uint32_t old = idx->msgs[pos].chunk, id;
	size_t first = pos, last = pos, i;

	while (first > 0 && idx->msgs[first - 1].chunk == old)
		first--;
	while (last + 1 < idx->count && idx->msgs[last + 1].chunk == old)
		last++;
	id = index_chunk_new(idx);
	for (i = first + (last - first + 1) / 2; i <= last; i++) {
		idx->msgs[i].chunk = id;
		index_chunk_add(idx, old, -1);
		index_chunk_add(idx, id, 1);
	}
	index_mark_dirty(idx, old);
	index_mark_dirty(idx, id);
}

static void
index_fill(struct index *idx, struct index_msg *dst, const struct index_msg_in *m)
{
	size_t i;

	dst->uid = m->uid;
	dst->flags = m->flags;
	dst->modseq = m->modseq;
	dst->internaldate = m->internaldate;
	dst->date = m->date;
	dst->size = m->size;
	for (i = 0; i < INDEX_STR_COUNT; i++)
		dst->str[i] = index_intern_str(idx, m->str[i]);
}

static void
index_grow(struct index *idx)
{
	if (idx->count < idx->cap)
		return;
	idx->cap = idx->cap < 256 ? 256 : idx->cap + idx->cap / 2;
	idx->msgs = xreallocarray(idx->msgs, idx->cap, sizeof *idx->msgs);
}

void
index_put(struct index *idx, const struct index_msg_in *m)
{
	struct index_msg *dst;
	uint32_t chunk, prev_chunk, next_chunk;
	size_t pos, limit;
	bool found;

	idx->gen++;
	/* UID 0 is not a UID (RFC 9051, 2.3.1.1); the codec relies on it. */
	if (m->uid == 0)
		return;
	if (idx->count == 0 || m->uid > idx->msgs[idx->count - 1].uid) {
		/* The usual case: a new message, after all the others. */
		index_grow(idx);
		chunk = idx->count == 0 ? INDEX_NO_CHUNK : idx->msgs[idx->count - 1].chunk;
		if (chunk == INDEX_NO_CHUNK ||
		    index_chunk_count(idx, chunk) >= idx->chunk_size)
			chunk = index_chunk_new(idx);
		dst = &idx->msgs[idx->count++];
		index_fill(idx, dst, m);
		dst->chunk = chunk;
		index_chunk_add(idx, chunk, 1);
		index_mark_dirty(idx, chunk);
		return;
	}

	pos = index_search(idx, m->uid, &found);
	if (found) {
		/* The replaced strings stay in the arena until the index is
		 * rebuilt: replacing a whole message is rare (sync changes
		 * flags through index_set_flags). */
		dst = &idx->msgs[pos];
		chunk = dst->chunk;
		index_fill(idx, dst, m);
		dst->chunk = chunk;
		index_mark_dirty(idx, chunk);
		return;
	}

	/* An older UID: it joins a neighbour's chunk, the fuller one last. */
	limit = idx->chunk_size * INDEX_CHUNK_GROWTH;
	prev_chunk = pos > 0 ? idx->msgs[pos - 1].chunk : INDEX_NO_CHUNK;
	next_chunk = idx->msgs[pos].chunk;
	if (prev_chunk != INDEX_NO_CHUNK &&
	    index_chunk_count(idx, prev_chunk) < limit)
		chunk = prev_chunk;
	else if (index_chunk_count(idx, next_chunk) < limit)
		chunk = next_chunk;
	else
		chunk = prev_chunk != INDEX_NO_CHUNK ? prev_chunk : next_chunk;
	index_grow(idx);
	memmove(&idx->msgs[pos + 1], &idx->msgs[pos], (idx->count - pos) * sizeof *idx->msgs);
	idx->count++;
	dst = &idx->msgs[pos];
	index_fill(idx, dst, m);
	dst->chunk = chunk;
	index_chunk_add(idx, chunk, 1);
	index_mark_dirty(idx, chunk);
	if (index_chunk_count(idx, chunk) > limit)
		index_chunk_split(idx, pos);
}

bool
index_set_flags(struct index *idx, uint32_t uid, uint32_t flags, const char *keywords,
    uint64_t modseq)
{
	struct index_msg *m;
	long i;

	if ((i = index_find(idx, uid)) == -1)
		return false;
	m = &idx->msgs[i];
	if (keywords == NULL)
		keywords = "";
	if (m->flags == flags && m->modseq == modseq &&
	    strcmp(index_str(idx, m->str[INDEX_STR_KEYWORDS]), keywords) == 0)
		return true;
	idx->gen++;
	m->flags = flags;
	m->modseq = modseq;
	if (strcmp(index_str(idx, m->str[INDEX_STR_KEYWORDS]), keywords) != 0)
		m->str[INDEX_STR_KEYWORDS] = index_intern_str(idx, keywords);
	index_mark_dirty(idx, m->chunk);
	return true;
}

bool
index_remove(struct index *idx, uint32_t uid)
{
	long i;

	idx->gen++;
	if ((i = index_find(idx, uid)) == -1)
		return false;
	index_mark_dirty(idx, idx->msgs[i].chunk);
	index_chunk_add(idx, idx->msgs[i].chunk, -1);
	memmove(&idx->msgs[i], &idx->msgs[i + 1],
	    (idx->count - (size_t)i - 1) * sizeof *idx->msgs);
	idx->count--;
	return true;
}

size_t
index_remove_if(struct index *idx, bool (*drop)(uint32_t uid, void *ctx), void *ctx)
{
	size_t i, j;

	idx->gen++;
	for (i = j = 0; i < idx->count; i++) {
		if (drop(idx->msgs[i].uid, ctx)) {
			index_mark_dirty(idx, idx->msgs[i].chunk);
			index_chunk_add(idx, idx->msgs[i].chunk, -1);
			continue;
		}
		if (i != j)
			idx->msgs[j] = idx->msgs[i];
		j++;
	}
	idx->count = j;
	return i - j;
}

/* Every chunk in use becomes dirty with no messages, so that the next
 * cache_save deletes their records; the state is zeroed too, since it
 * described the messages that are gone. */
void
index_clear(struct index *idx)
{
	static const struct index_state zero;
	size_t i;

	idx->gen++;
	for (i = 0; i < idx->nchunks; i++)
		index_mark_dirty(idx, idx->chunks[i].id);
	idx->nchunks = 0;
	idx->count = 0;
	idx->arena_len = 1;
	if (idx->recent != NULL)
		memset(idx->recent, 0, INDEX_RECENT_SLOTS * sizeof *idx->recent);
	index_set_state(idx, &zero);
}

void
index_load_msg(struct index *idx, const struct index_msg *m)
{
	idx->gen++;
	index_grow(idx);
	idx->msgs[idx->count++] = *m;
	index_chunk_add(idx, m->chunk, 1);
}

void
index_trim(struct index *idx)
{
	if (idx->count > 0 && idx->count < idx->cap) {
		idx->msgs = xreallocarray(idx->msgs, idx->count, sizeof *idx->msgs);
		idx->cap = idx->count;
	}
	if (idx->arena_len < idx->arena_cap) {
		idx->arena = xrealloc(idx->arena, idx->arena_len);
		idx->arena_cap = idx->arena_len;
	}
}

size_t
index_memory(const struct index *idx)
{
	return sizeof *idx + idx->cap * sizeof *idx->msgs + idx->arena_cap +
	    idx->chunks_cap * sizeof *idx->chunks + idx->dirty_cap * sizeof *idx->dirty +
	    (idx->recent != NULL ? INDEX_RECENT_SLOTS * sizeof *idx->recent : 0);
}

uint64_t
index_generation(const struct index *idx)
{
	return idx->gen;
}
