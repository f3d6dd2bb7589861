/* Unit tests for the in-memory index: order, replacement, dirty marks,
 * chunk assignment and memory per message. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/index.h"
#include "tap.h"

static void
msg_init(struct index_msg_in *m, uint32_t uid, const char *subject)
{
	memset(m, 0, sizeof *m);
	m->uid = uid;
	m->internaldate = 1700000000 + uid;
	m->date = INDEX_NO_DATE;
	m->size = 1000 + uid;
	m->str[INDEX_STR_SUBJECT] = subject;
	m->str[INDEX_STR_FROM] = "Alice <alice@example.org>";
}

static void
put(struct index *idx, uint32_t uid, const char *subject)
{
	struct index_msg_in m;

	msg_init(&m, uid, subject);
	index_put(idx, &m);
}

static bool
uids_are(const struct index *idx, const uint32_t *want, size_t n)
{
	size_t i;

	if (index_count(idx) != n)
		return false;
	for (i = 0; i < n; i++)
		if (index_at(idx, i)->uid != want[i])
			return false;
	return true;
}

static void
test_put_and_find(void)
{
	static const uint32_t want[] = { 1, 2, 5, 7, 9, 10 };
	struct index *idx = index_create();
	const struct index_msg *m;

	tap_is_int(index_count(idx), 0, "a new index is empty");
	tap_is_str(index_str(idx, 0), "", "offset 0 is the empty string");
	put(idx, 5, "five");
	put(idx, 7, "seven");
	put(idx, 10, "ten");
	put(idx, 1, "one");
	put(idx, 9, "nine");
	put(idx, 2, "two");
	tap_ok(uids_are(idx, want, 6), "out-of-order puts end up in UID order");
	tap_is_int(index_find(idx, 9), 4, "find a UID");
	tap_is_int(index_find(idx, 3), -1, "find an unknown UID");
	tap_is_int(index_find(idx, 11), -1, "find past the end");
	m = index_at(idx, 4);
	tap_is_str(index_msg_str(idx, m, INDEX_STR_SUBJECT), "nine", "subject kept");
	tap_is_str(index_msg_str(idx, m, INDEX_STR_TO), "", "absent string reads as \"\"");
	tap_ok(index_at(idx, 6) == NULL, "index_at past the end is NULL");

	put(idx, 7, "seven again");
	tap_is_int(index_count(idx), 6, "a put of a known UID replaces");
	tap_is_str(index_msg_str(idx, index_at(idx, 3), INDEX_STR_SUBJECT), "seven again",
	    "the replacement's strings");
	put(idx, 0, "zero");
	tap_is_int(index_count(idx), 6, "UID 0 is ignored");
	index_destroy(&idx);
	tap_ok(idx == NULL, "destroy NULLs the pointer");
	index_destroy(&idx);
}

static void
test_flags_dirty(void)
{
	struct index *idx = index_create();
	struct index_state st = { 42, 100, 7, 1700000000 };
	size_t n;

	put(idx, 1, "a");
	put(idx, 2, "b");
	tap_ok(index_chunk_dirty(idx, 0), "new messages make their chunk dirty");
	index_clear_dirty(idx);
	index_dirty_chunks(idx, &n);
	tap_is_int(n, 0, "clear_dirty clears");
	tap_ok(index_set_flags(idx, 2, 0, NULL, 0), "set_flags on a known UID");
	index_dirty_chunks(idx, &n);
	tap_is_int(n, 0, "no change, no dirty chunk");
	tap_ok(index_set_flags(idx, 2, 0, "", 0), "keywords \"\" same as NULL");
	index_dirty_chunks(idx, &n);
	tap_is_int(n, 0, "still nothing dirty");
	tap_ok(!index_set_flags(idx, 3, INDEX_SEEN, NULL, 0), "set_flags on an unknown UID");
	index_set_flags(idx, 2, INDEX_SEEN | INDEX_FLAGGED, "$label1 status/open", 9);
	tap_ok(index_chunk_dirty(idx, 0), "a real change marks the chunk dirty");
	tap_is_int(index_at(idx, 1)->flags, INDEX_SEEN | INDEX_FLAGGED, "flags set");
	tap_is_int((long long)index_at(idx, 1)->modseq, 9, "modseq set");
	tap_is_str(index_msg_str(idx, index_at(idx, 1), INDEX_STR_KEYWORDS),
	    "$label1 status/open", "keywords set");
	index_clear_dirty(idx);
	index_set_flags(idx, 2, INDEX_SEEN | INDEX_FLAGGED, "$label1 status/open", 10);
	tap_ok(index_chunk_dirty(idx, 0), "a modseq change alone is a change");
	index_clear_dirty(idx);
	index_set_flags(idx, 2, INDEX_SEEN | INDEX_FLAGGED, "status/done", 10);
	tap_ok(index_chunk_dirty(idx, 0), "a keyword change alone is a change");

	index_clear_dirty(idx);
	index_set_state(idx, &st);
	tap_ok(index_state_dirty(idx), "set_state marks the state dirty");
	tap_is_int(index_state(idx)->uidvalidity, 42, "state kept");
	index_clear_dirty(idx);
	index_set_state(idx, &st);
	tap_ok(!index_state_dirty(idx), "the same state is no change");
	index_destroy(&idx);
}

static bool
drop_even(uint32_t uid, void *ctx)
{
	(void)ctx;
	return uid % 2 == 0;
}

static void
test_remove(void)
{
	static const uint32_t after_one[] = { 1, 3, 4, 5, 6 };
	static const uint32_t after_even[] = { 1, 3, 5 };
	struct index *idx = index_create();
	const uint32_t *dirty;
	uint32_t uid;
	size_t n;

	index_set_chunk_size(idx, 2);
	for (uid = 1; uid <= 6; uid++)
		put(idx, uid, "x");
	index_clear_dirty(idx);
	tap_ok(index_remove(idx, 2), "remove a known UID");
	tap_ok(!index_remove(idx, 2), "remove it again");
	tap_ok(uids_are(idx, after_one, 5), "the rest in order");
	dirty = index_dirty_chunks(idx, &n);
	tap_ok(n == 1 && dirty[0] == 0, "only its chunk is dirty");
	tap_is_int(index_remove_if(idx, drop_even, NULL), 2, "remove_if drops two");
	tap_ok(uids_are(idx, after_even, 3), "odd UIDs remain");
	dirty = index_dirty_chunks(idx, &n);
	tap_ok(n == 3 && dirty[0] == 0 && dirty[1] == 1 && dirty[2] == 2,
	    "every chunk that lost a message is dirty");
	index_destroy(&idx);
}

static void
test_chunks(void)
{
	struct index *idx = index_create();
	const uint32_t *dirty;
	uint32_t uid;
	size_t i, n, bad = 0, in_chunk5 = 0;
	long pos;

	index_set_chunk_size(idx, 10);
	tap_is_int(index_chunk_size(idx), 10, "chunk size set");
	for (uid = 1; uid <= 25; uid++)
		put(idx, uid * 10, "x");
	for (i = 0; i < 25; i++)
		if (index_at(idx, i)->chunk != i / 10)
			bad++;
	tap_is_int(bad, 0, "appends fill chunks of exactly chunk_size, ids 0, 1, 2");
	dirty = index_dirty_chunks(idx, &n);
	tap_ok(n == 3 && dirty[0] == 0 && dirty[2] == 2, "three dirty chunks, in order");

	index_clear_dirty(idx);
	put(idx, 105, "older");	/* between 100 (chunk 0) and 110 (chunk 1) */
	pos = index_find(idx, 105);
	tap_is_int(index_at(idx, (size_t)pos)->chunk, 0,
	    "an older UID joins its lower neighbour's chunk");
	dirty = index_dirty_chunks(idx, &n);
	tap_ok(n == 1 && dirty[0] == 0, "and only that chunk is dirty");
	put(idx, 5, "oldest");
	tap_is_int(index_at(idx, 0)->chunk, 0, "a UID before all goes to the first chunk");

	/* Chunk 0 now has 12; filling it to twice chunk_size splits it. */
	for (uid = 11; uid <= 19; uid++)
		put(idx, uid, "fill");
	n = index_count(idx);
	for (i = 1, bad = 0; i < n; i++) {
		/* Chunks stay contiguous: once left, never seen again. */
		uint32_t c = index_at(idx, i)->chunk;
		size_t j;

		for (j = 0; j + 1 < i; j++)
			if (index_at(idx, j)->chunk == c && index_at(idx, j + 1)->chunk != c)
				bad++;
		if (c == 3)
			in_chunk5++;
	}
	tap_is_int(bad, 0, "chunks stay contiguous runs after a split");
	tap_ok(in_chunk5 > 0 && in_chunk5 <= 20, "the split made chunk 3 (%zu messages)",
	    in_chunk5);
	put(idx, 1000, "new");
	tap_is_int(index_at(idx, index_count(idx) - 1)->chunk, 2,
	    "a new message goes to the last chunk while it has room");
	index_destroy(&idx);
}

static void
test_clear(void)
{
	struct index *idx = index_create();
	struct index_state st = { 1, 2, 3, 4 };
	const uint32_t *dirty;
	uint32_t uid;
	size_t n;

	index_set_chunk_size(idx, 3);
	for (uid = 1; uid <= 7; uid++)
		put(idx, uid, "x");
	index_set_state(idx, &st);
	index_clear_dirty(idx);
	index_clear(idx);
	tap_is_int(index_count(idx), 0, "clear empties");
	dirty = index_dirty_chunks(idx, &n);
	tap_ok(n == 3 && dirty[0] == 0 && dirty[1] == 1 && dirty[2] == 2,
	    "every old chunk is dirty, so the cache deletes it");
	tap_is_int(index_state(idx)->uidvalidity, 0, "the state is zeroed");
	tap_ok(index_state_dirty(idx), "and dirty");
	put(idx, 50, "after");
	tap_is_int(index_at(idx, 0)->chunk, 0, "numbering starts again");
	tap_is_str(index_msg_str(idx, index_at(idx, 0), INDEX_STR_SUBJECT), "after",
	    "the arena works after clear");
	index_destroy(&idx);
}

static void
test_memory(void)
{
	static const char *names[] = { "Alice Martin <alice@example.org>",
	    "\"Ops\" <ops@lists.example.com>", "Bob <bob@example.net>" };
	struct index *idx = index_create();
	struct index_msg_in m;
	char subject[64], msgid[64], refs[128];
	uint32_t uid;
	size_t n = 100000;

	for (uid = 1; uid <= n; uid++) {
		msg_init(&m, uid, NULL);
		snprintf(subject, sizeof subject, "Re: quarterly report %u", uid % 997);
		snprintf(msgid, sizeof msgid, "<%u.%u@mail.example.org>", uid, uid * 7);
		snprintf(refs, sizeof refs, "<%u.%u@mail.example.org>", uid / 3, uid);
		m.str[INDEX_STR_SUBJECT] = subject;
		m.str[INDEX_STR_FROM] = names[uid % 3];
		m.str[INDEX_STR_TO] = "team@example.com";
		m.str[INDEX_STR_MESSAGE_ID] = msgid;
		m.str[INDEX_STR_REFERENCES] = refs;
		m.flags = INDEX_SEEN;
		index_put(idx, &m);
	}
	tap_is_int(index_count(idx), (long long)n, "100k messages appended");
	tap_ok(index_at(idx, n - 1)->chunk == n / CACHE_CHUNK_MSGS - 1,
	    "in %d-message chunks", CACHE_CHUNK_MSGS);
	tap_diag("index memory: %zu bytes for %zu messages, %.0f bytes per message "
	    "(struct %zu)", index_memory(idx), n, (double)index_memory(idx) / (double)n,
	    sizeof(struct index_msg));
	tap_ok(index_memory(idx) / n < 400, "under 400 bytes per message");
	index_destroy(&idx);
}

static void
addr_short_is(const char *stored, const char *want)
{
	const char *s;
	size_t len;

	index_addr_short(stored, &s, &len);
	tap_ok(len == strlen(want) && memcmp(s, want, len) == 0,
	    "short form is \"%s\" (got \"%.*s\")", want, (int)len, s);
}

static void
test_addr_short(void)
{
	addr_short_is("Alice <alice@example.org>", "Alice");
	addr_short_is("\"Doe, Jane\" <jane@example.org>", "Doe, Jane");
	addr_short_is("<bob@example.org>", "bob@example.org");
	addr_short_is("carol@example.org", "carol@example.org");
	addr_short_is("Dave <dave@example.org>\nEve <eve@example.org>", "Dave");
	addr_short_is("<broken@example.org", "<broken@example.org");
	addr_short_is("\"\" <q@example.org>", "q@example.org");
	addr_short_is("", "");
}

int
main(void)
{
	test_addr_short();
	test_put_and_find();
	test_flags_dirty();
	test_remove();
	test_chunks();
	test_clear();
	test_memory();
	return tap_done();
}
