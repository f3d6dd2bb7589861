/* A folder's messages in memory: one flat array of small fixed structs in
 * UID order, their strings in one arena (DESIGN.md, "Cache": NeoMutt
 * holds ~1.9 KB per message; this aims for a few hundred bytes). The
 * cache decodes its chunks straight into it; sync applies the server's
 * changes to it; --list and the UI sort and thread views of it.
 *
 * Strings are stored once, NUL-terminated UTF-8 (already decoded and
 * made valid by the envelope parser), and referred to by a 32-bit offset
 * into the arena; offset 0 is the empty string, so "absent" costs
 * nothing. Address lists are kept as one string, addresses separated by
 * "\n", each "Name <addr>" or "addr".
 *
 * Every message carries the chunk it is stored in (cache.h) and a dirty
 * mark per chunk, so that saving rewrites only the chunks that changed:
 * the cost of a resync is proportional to the changes, not the folder.
 *
 * Conventions: functions that can fail return 0 or -1; pointers into the
 * array or the arena are valid until the next call that changes the
 * index. */
#ifndef TERN_CACHE_INDEX_H
#define TERN_CACHE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* System flags, as bits. */
enum index_flag {
	INDEX_SEEN = 1u << 0,
	INDEX_ANSWERED = 1u << 1,
	INDEX_FLAGGED = 1u << 2,
	INDEX_DELETED = 1u << 3,
	INDEX_DRAFT = 1u << 4,
	INDEX_FORWARDED = 1u << 5,	/* $Forwarded */
	INDEX_JUNK = 1u << 6,		/* $Junk */
	INDEX_HAS_ATTACHMENT = 1u << 7,	/* from Content-Type: multipart/mixed etc. */
};

/* The flags kept as bits, as IMAP spells them: the system flags and the
 * two keywords $Forwarded and $Junk, in the order of their bits. */
struct index_flag_name {
	uint32_t bit;
	const char *name;
};
#define INDEX_FLAG_NAMES 7
extern const struct index_flag_name index_flag_names[INDEX_FLAG_NAMES];
/* The bit of a flag name (ASCII case-insensitive, as IMAP compares
 * flags), 0 for any other flag or keyword. */
uint32_t index_flag_bit(const char *name);

/* The string fields of a message. */
enum index_str {
	INDEX_STR_SUBJECT,
	INDEX_STR_FROM,
	INDEX_STR_TO,
	INDEX_STR_CC,
	INDEX_STR_MESSAGE_ID,
	INDEX_STR_IN_REPLY_TO,
	INDEX_STR_REFERENCES,	/* message-ids separated by spaces */
	INDEX_STR_LIST_ID,
	INDEX_STR_KEYWORDS,	/* IMAP keywords separated by spaces */
	INDEX_STR_COUNT
};

struct index_msg {
	uint32_t uid;
	uint32_t flags;			/* enum index_flag */
	uint64_t modseq;		/* 0 when the server has no CONDSTORE */
	int64_t internaldate;		/* seconds since the epoch, UTC */
	int64_t date;			/* the Date: header, or INDEX_NO_DATE */
	uint32_t size;			/* RFC822.SIZE (capped at UINT32_MAX) */
	uint32_t chunk;			/* the cache chunk it lives in */
	uint32_t str[INDEX_STR_COUNT];	/* arena offsets; 0 = "" */
};

#define INDEX_NO_DATE INT64_MIN
#define INDEX_NO_CHUNK UINT32_MAX

/* A message on its way in: the strings as plain C strings (NULL = ""). */
struct index_msg_in {
	uint32_t uid;
	uint32_t flags;
	uint64_t modseq;
	int64_t internaldate;
	int64_t date;
	uint32_t size;
	const char *str[INDEX_STR_COUNT];
};

/* What the server said about the folder when it was last synced. */
struct index_state {
	uint32_t uidvalidity;		/* 0: never synced */
	uint32_t uidnext;
	uint64_t highestmodseq;		/* 0: no CONDSTORE */
	int64_t synced_at;		/* time of the last complete sync */
};

struct index;

struct index *index_create(void);
void index_destroy(struct index **idx);

const struct index_state *index_state(const struct index *idx);
void index_set_state(struct index *idx, const struct index_state *state);

size_t index_count(const struct index *idx);
const struct index_msg *index_at(const struct index *idx, size_t i);
/* The position of uid, or -1 (binary search). */
long index_find(const struct index *idx, uint32_t uid);
/* The string an offset names (never NULL). */
const char *index_str(const struct index *idx, uint32_t off);
/* Shortcut: index_str(idx, m->str[which]). */
const char *index_msg_str(const struct index *idx, const struct index_msg *m,
    enum index_str which);
/* The short form of an address list as stored (the first address): its
 * display name without quotes, else the address; a span of from. */
void index_addr_short(const char *from, const char **s_r, size_t *len_r);

/* Adds a message, or replaces the one with the same UID. UIDs are
 * usually added in increasing order (appending is O(1)); an older UID is
 * inserted in place. The new message goes to the last chunk that has
 * room (cache.h decides the chunk size through index_set_chunk_size); an
 * older one joins a neighbour's chunk, which is split in two when it
 * reaches twice the chunk size, so chunks stay contiguous runs of the
 * array. UID 0 is not a UID and is ignored. */
void index_put(struct index *idx, const struct index_msg_in *m);
/* Changes flags, keywords and modseq of a known UID; false if unknown.
 * Marks the chunk dirty only when something really changed. */
bool index_set_flags(struct index *idx, uint32_t uid, uint32_t flags,
    const char *keywords, uint64_t modseq);
/* Removes a UID; false if unknown. */
bool index_remove(struct index *idx, uint32_t uid);
/* Removes every message for which drop(uid, ctx) is true, in one pass
 * (expunges found by sync); returns how many. */
size_t index_remove_if(struct index *idx, bool (*drop)(uint32_t uid, void *ctx), void *ctx);
/* Removes every message (UIDVALIDITY changed) and zeroes the state;
 * every chunk that held messages is dirty, so cache_save deletes it. */
void index_clear(struct index *idx);

/* ---- for the cache (cache.c) ---- */

/* Appends a message decoded from a chunk, strings already interned with
 * index_intern(), keeping its chunk and not marking anything dirty. */
void index_load_msg(struct index *idx, const struct index_msg *m);
/* Copies s (len bytes) into the arena, returns its offset (0 for ""). */
uint32_t index_intern(struct index *idx, const char *s, size_t len);
void index_set_chunk_size(struct index *idx, size_t n);
size_t index_chunk_size(const struct index *idx);
/* Dirty chunks since the last index_clear_dirty(); a chunk that lost all
 * its messages is dirty too (the cache deletes its record). */
bool index_chunk_dirty(const struct index *idx, uint32_t chunk);
/* All chunk ids that are dirty, in increasing order; *n_r gets the count.
 * The array belongs to the index. */
const uint32_t *index_dirty_chunks(const struct index *idx, size_t *n_r);
void index_clear_dirty(struct index *idx);
/* True when the state changed since index_clear_dirty(). */
bool index_state_dirty(const struct index *idx);
/* Gives back the slack of the array and the arena (after a load). */
void index_trim(struct index *idx);
/* A number that changes whenever messages are added, removed or change
 * flags: views built on positions rebuild when it moves. */
uint64_t index_generation(const struct index *idx);
/* Bytes held by the index (array and arena), for benchmarks. */
size_t index_memory(const struct index *idx);

#endif
