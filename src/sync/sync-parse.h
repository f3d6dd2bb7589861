/* The pure parts of sync: reading a FETCH response's items, UID sets and
 * IMAP dates; kept apart from sync.c so they are unit tested and fuzzed
 * on their own. Everything is bounded and rejects what does not parse. */
#ifndef TERN_SYNC_PARSE_H
#define TERN_SYNC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap/imap-parser.h"

/* Keywords kept per message: more is a server (or a mailbox) gone wrong. */
#define SYNC_KEYWORDS_MAX 64

struct sync_fetch {
	uint32_t uid;		/* 0 when absent */
	bool have_flags;
	uint32_t flags;		/* enum index_flag bits */
	char *keywords;		/* sorted, space separated; "" when none */
	uint64_t modseq;
	int64_t internaldate;	/* 0 when absent */
	uint32_t size;
	const char *header;	/* BODY[HEADER.FIELDS ...] content, or NULL */
	size_t header_len;
};

/* Reads the items of "* N FETCH (items)". Returns 0, or -1 when an item
 * the engine asked for is malformed (the response is then ignored). */
int sync_fetch_parse(const struct imap_arg *items, size_t count, struct sync_fetch *f_r);
void sync_fetch_free(struct sync_fetch *f);

/* IMAP date-time "17-Jul-1996 02:44:25 -0700" to seconds since the epoch
 * (UTC). Returns 0, or -1. */
int sync_imap_date(const char *s, size_t len, int64_t *t_r);

/* A UID set as the server wrote it ("1:4,7,9:12"), as sorted, merged
 * ranges. "*" is taken as UINT32_MAX. */
struct sync_uid_set {
	struct { uint32_t lo, hi; } *ranges;
	size_t nranges;
	uint64_t count;		/* UIDs covered */
};
int sync_uid_set_parse(const char *set, struct sync_uid_set *set_r);
bool sync_uid_set_contains(const struct sync_uid_set *set, uint32_t uid);
void sync_uid_set_free(struct sync_uid_set *set);

/* A growable list of UIDs (what a UID scan saw). */
struct sync_uids {
	uint32_t *v;
	size_t n, cap;
};
void sync_uids_init(struct sync_uids *u);
void sync_uids_add(struct sync_uids *u, uint32_t uid);
void sync_uids_sort(struct sync_uids *u);
/* After sync_uids_sort(). */
bool sync_uids_contains(const struct sync_uids *u, uint32_t uid);
void sync_uids_free(struct sync_uids *u);
/* Sorts and drops duplicates. */
void sync_uids_unique(struct sync_uids *u);
/* After sync_uids_unique(): the UIDs from *pos on as a compact UID set
 * ("1:4,9"), at most about max_len bytes (at least one UID), advancing
 * *pos past them; NULL when *pos is at the end. A new string. Batches of
 * a large set go to the server as several commands of bounded length. */
char *sync_uids_format(const struct sync_uids *u, size_t *pos, size_t max_len);
/* Adds every UID of a UID set ("1:4,9", no "*") to u, at most max UIDs;
 * -1 when the set is malformed or larger. */
int sync_uids_add_set(struct sync_uids *u, const char *set, uint64_t max);
/* The UIDs of a SEARCH answer ("* SEARCH 2 4 [(MODSEQ n)]") or an
 * ESEARCH one ("* ESEARCH (TAG "t") UID ALL 2:4,9"), added to u, at most
 * max of them. Returns 0, or -1 when it is neither or is malformed. */
int sync_search_parse(const struct imap_response *r, struct sync_uids *u, uint64_t max);

/* The fields of an index entry that a message's header gives (env from
 * envelope_parse): the date, the attachment flag (or'ed into m->flags)
 * and the strings, which point into env. */
struct envelope;
struct index_msg_in;
void sync_envelope_fill(struct index_msg_in *m, const struct envelope *env);

#endif
