/* The journal's record format (journal.h): one entry as one record of
 * record.h's framing, magic 'J'. Pure: the fuzz target links it alone.
 *
 * The body, in this order (n: a varint; s: a string after its length;
 * ns: a string that may be NULL, 0 for NULL or its length + 1, then
 * it; nb: bytes that may be NULL, the same way):
 *   n seq, n kind, n state, n zigzag(created)
 *   ns folder, n uidvalidity
 *   n nactions, then each: s name, ns arg
 *   n nuids, n which parallel arrays follow (JOURNAL_HAS_*), the UIDs
 *     (the first as it is, each other as its distance from the one
 *     before, at least 1: sorted and unique by construction), then
 *     nuids s message_ids, then nuids s before, when there
 *   nb message (its bytes may hold NUL)
 *   ns message_id, ns subject, ns from
 *   n nrcpts, then each: s rcpt
 *   ns in_reply_to, ns reply_folder, ns old_draft
 * Every field is written whatever the kind, so that what was written is
 * what comes back. The decoder treats the bytes as hostile: the journal
 * is on disk, and a bad record must be reported, never trusted. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/journal.h"
#include "cache/record.h"
#include "lib/xmalloc.h"

#define JOURNAL_MAGIC 'J'

/* Which of the arrays parallel to uids the record holds. */
#define JOURNAL_HAS_MESSAGE_IDS 0x1u
#define JOURNAL_HAS_BEFORE 0x2u

static const char *const journal_state_names[] = {
	[JOURNAL_PENDING] = "pending",
	[JOURNAL_MOVING] = "moving",
	[JOURNAL_HANDED] = "handed",
	[JOURNAL_SENT] = "sent",
	[JOURNAL_SAVING] = "saving",
	[JOURNAL_SAVED] = "saved",
};

const char *
journal_state_name(enum journal_state state)
{
	if ((unsigned)state > JOURNAL_STATE_LAST)
		return "unknown";
	return journal_state_names[state];
}

const char *
journal_kind_name(enum journal_kind kind)
{
	switch (kind) {
	case JOURNAL_ACTIONS:
		return "actions";
	case JOURNAL_SEND:
		return "send";
	case JOURNAL_DRAFT:
		return "draft";
	}
	return "unknown";
}

/* ---- encoding ---- */

/* Strings that may not be NULL: a NULL one (a caller's slip) is written
 * as "", the value journal.h gives an unknown one, rather than crash. */
static void
journal_enc_str(struct rec_enc *enc, const char *s)
{
	rec_enc_str(enc, s != NULL ? s : "");
}

static void
journal_enc_strv(struct rec_enc *enc, char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		journal_enc_str(enc, v[i]);
}

void *
journal_entry_encode(const struct journal_entry *e, size_t *len_r)
{
	struct rec_enc enc;
	uint32_t prev = 0;
	size_t i;

	rec_enc_init(&enc);
	rec_enc_varint(&enc, e->seq);
	/* Through unsigned: a negative enum becomes a value no decoder takes. */
	rec_enc_varint(&enc, (unsigned)e->kind);
	rec_enc_varint(&enc, (unsigned)e->state);
	rec_enc_varint(&enc, rec_zigzag(e->created));

	rec_enc_nstr(&enc, e->folder);
	rec_enc_varint(&enc, e->uidvalidity);
	rec_enc_varint(&enc, e->nactions);
	for (i = 0; i < e->nactions; i++) {
		journal_enc_str(&enc, e->actions[i].name);
		rec_enc_nstr(&enc, e->actions[i].arg);
	}
	rec_enc_varint(&enc, e->nuids);
	rec_enc_varint(&enc, (e->message_ids != NULL ? JOURNAL_HAS_MESSAGE_IDS : 0) |
	    (e->before != NULL ? JOURNAL_HAS_BEFORE : 0));
	/* Unsorted UIDs wrap around to a distance no decoder takes. */
	for (i = 0; i < e->nuids; i++) {
		rec_enc_varint(&enc, (uint32_t)(e->uids[i] - prev));
		prev = e->uids[i];
	}
	if (e->message_ids != NULL)
		journal_enc_strv(&enc, e->message_ids, e->nuids);
	if (e->before != NULL)
		journal_enc_strv(&enc, e->before, e->nuids);

	rec_enc_nbytes(&enc, e->message, e->message_len);
	rec_enc_nstr(&enc, e->message_id);
	rec_enc_nstr(&enc, e->subject);
	rec_enc_nstr(&enc, e->from);
	rec_enc_varint(&enc, e->nrcpts);
	journal_enc_strv(&enc, e->rcpts, e->nrcpts);
	rec_enc_nstr(&enc, e->in_reply_to);
	rec_enc_nstr(&enc, e->reply_folder);
	rec_enc_nstr(&enc, e->old_draft);
	return rec_enc_finish(&enc, JOURNAL_MAGIC, JOURNAL_FORMAT_VERSION, len_r);
}

/* ---- decoding ----
 * Each part fills e as it goes, so that journal_entry_free can undo a
 * part that fails half-way: an array is stored with its count before
 * its first element is read. */

/* n strings into a new array at *v_r. */
static int
journal_dec_strv(struct rec_dec *d, size_t n, char ***v_r)
{
	size_t i;

	*v_r = xcalloc(n + 1, sizeof **v_r);
	for (i = 0; i < n; i++)
		if (rec_dec_str(d, JOURNAL_STR_MAX, &(*v_r)[i]) == -1)
			return -1;
	return 0;
}

/* A count of at most max items, each at least min_bytes long: the bytes
 * left bound it before anything is allocated. */
static int
journal_dec_count(struct rec_dec *d, size_t max, size_t min_bytes, size_t *n_r)
{
	uint64_t n;

	if (rec_dec_varint(d, &n) == -1 || n > max || n > rec_dec_left(d) / min_bytes)
		return -1;
	*n_r = (size_t)n;
	return 0;
}

static int
journal_dec_head(struct rec_dec *d, struct journal_entry *e)
{
	uint32_t kind, state;
	uint64_t created;

	if (rec_dec_varint(d, &e->seq) == -1 ||
	    rec_dec_u32(d, JOURNAL_DRAFT, &kind) == -1 || kind < JOURNAL_ACTIONS ||
	    rec_dec_u32(d, JOURNAL_STATE_LAST, &state) == -1 ||
	    rec_dec_varint(d, &created) == -1)
		return -1;
	e->kind = (enum journal_kind)kind;
	e->state = (enum journal_state)state;
	e->created = rec_unzigzag(created);
	if (rec_dec_nstr(d, JOURNAL_STR_MAX, &e->folder) == -1 ||
	    rec_dec_u32(d, UINT32_MAX, &e->uidvalidity) == -1)
		return -1;
	return 0;
}

static int
journal_dec_actions(struct rec_dec *d, struct journal_entry *e)
{
	size_t i, n;

	/* A name and an argument: two bytes at least. */
	if (journal_dec_count(d, JOURNAL_ACTIONS_MAX, 2, &n) == -1)
		return -1;
	e->actions = xcalloc(n + 1, sizeof *e->actions);
	e->nactions = n;
	for (i = 0; i < n; i++) {
		if (rec_dec_str(d, JOURNAL_STR_MAX, &e->actions[i].name) == -1 ||
		    rec_dec_nstr(d, JOURNAL_STR_MAX, &e->actions[i].arg) == -1)
			return -1;
	}
	return 0;
}

static int
journal_dec_uids(struct rec_dec *d, struct journal_entry *e)
{
	uint64_t has, delta;
	uint32_t prev = 0;
	size_t i, n;

	if (journal_dec_count(d, JOURNAL_UIDS_MAX, 1, &n) == -1 ||
	    rec_dec_varint(d, &has) == -1 ||
	    (has & ~(uint64_t)(JOURNAL_HAS_MESSAGE_IDS | JOURNAL_HAS_BEFORE)) != 0)
		return -1;
	e->uids = xcalloc(n + 1, sizeof *e->uids);
	e->nuids = n;
	for (i = 0; i < n; i++) {
		/* Strictly ascending: every distance but the first is at least 1. */
		if (rec_dec_varint(d, &delta) == -1 || (i > 0 && delta == 0) ||
		    delta > UINT32_MAX - prev)
			return -1;
		e->uids[i] = prev + (uint32_t)delta;
		prev = e->uids[i];
	}
	if ((has & JOURNAL_HAS_MESSAGE_IDS) &&
	    journal_dec_strv(d, n, &e->message_ids) == -1)
		return -1;
	if ((has & JOURNAL_HAS_BEFORE) && journal_dec_strv(d, n, &e->before) == -1)
		return -1;
	return 0;
}

static int
journal_dec_message(struct rec_dec *d, struct journal_entry *e)
{
	const unsigned char *p;
	size_t len, n;

	if (rec_dec_nbytes(d, JOURNAL_MESSAGE_MAX, &p, &len) == -1)
		return -1;
	if (p != NULL) {
		/* A NUL after the bytes: for callers, not for the format. */
		e->message = xmalloc(len + 1);
		memcpy(e->message, p, len);
		e->message[len] = '\0';
		e->message_len = len;
	}
	if (rec_dec_nstr(d, JOURNAL_STR_MAX, &e->message_id) == -1 ||
	    rec_dec_nstr(d, JOURNAL_STR_MAX, &e->subject) == -1 ||
	    rec_dec_nstr(d, JOURNAL_STR_MAX, &e->from) == -1 ||
	    journal_dec_count(d, JOURNAL_RCPTS_MAX, 1, &n) == -1)
		return -1;
	e->nrcpts = n;
	if (journal_dec_strv(d, n, &e->rcpts) == -1 ||
	    rec_dec_nstr(d, JOURNAL_STR_MAX, &e->in_reply_to) == -1 ||
	    rec_dec_nstr(d, JOURNAL_STR_MAX, &e->reply_folder) == -1 ||
	    rec_dec_nstr(d, JOURNAL_STR_MAX, &e->old_draft) == -1)
		return -1;
	return 0;
}

int
journal_entry_decode(const void *data, size_t len, struct journal_entry *e_r)
{
	struct journal_entry e;
	struct rec_dec d;

	memset(e_r, 0, sizeof *e_r);
	memset(&e, 0, sizeof e);
	if (rec_dec_open(&d, data, len, JOURNAL_MAGIC, JOURNAL_FORMAT_VERSION) == -1)
		return -1;
	if (journal_dec_head(&d, &e) == -1 || journal_dec_actions(&d, &e) == -1 ||
	    journal_dec_uids(&d, &e) == -1 || journal_dec_message(&d, &e) == -1 ||
	    rec_dec_end(&d) == -1) {
		journal_entry_free(&e);
		return -1;
	}
	*e_r = e;
	return 0;
}

static void
journal_free_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
journal_entry_free(struct journal_entry *e)
{
	size_t i;

	free(e->folder);
	for (i = 0; i < e->nactions; i++) {
		free(e->actions[i].name);
		free(e->actions[i].arg);
	}
	free(e->actions);
	free(e->uids);
	journal_free_strv(e->message_ids, e->nuids);
	journal_free_strv(e->before, e->nuids);
	free(e->message);
	free(e->message_id);
	free(e->subject);
	free(e->from);
	journal_free_strv(e->rcpts, e->nrcpts);
	free(e->in_reply_to);
	free(e->reply_folder);
	free(e->old_draft);
	memset(e, 0, sizeof *e);
}

/* ---- comparing ---- */

static bool
journal_nstr_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
journal_strv_equal(char *const *a, char *const *b, size_t n)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	for (i = 0; i < n; i++)
		if (!journal_nstr_equal(a[i], b[i]))
			return false;
	return true;
}

bool
journal_entry_equal(const struct journal_entry *a, const struct journal_entry *b)
{
	size_t i;

	if (a->seq != b->seq || a->kind != b->kind || a->state != b->state ||
	    a->created != b->created || !journal_nstr_equal(a->folder, b->folder) ||
	    a->uidvalidity != b->uidvalidity || a->nactions != b->nactions ||
	    a->nuids != b->nuids || a->nrcpts != b->nrcpts)
		return false;
	for (i = 0; i < a->nactions; i++)
		if (!journal_nstr_equal(a->actions[i].name, b->actions[i].name) ||
		    !journal_nstr_equal(a->actions[i].arg, b->actions[i].arg))
			return false;
	if (a->nuids > 0 && memcmp(a->uids, b->uids, a->nuids * sizeof *a->uids) != 0)
		return false;
	if (!journal_strv_equal(a->message_ids, b->message_ids, a->nuids) ||
	    !journal_strv_equal(a->before, b->before, a->nuids))
		return false;
	if ((a->message == NULL) != (b->message == NULL) ||
	    (a->message != NULL && (a->message_len != b->message_len ||
	    memcmp(a->message, b->message, a->message_len) != 0)))
		return false;
	return journal_nstr_equal(a->message_id, b->message_id) &&
	    journal_nstr_equal(a->subject, b->subject) &&
	    journal_nstr_equal(a->from, b->from) &&
	    (a->nrcpts == 0 || journal_strv_equal(a->rcpts, b->rcpts, a->nrcpts)) &&
	    journal_nstr_equal(a->in_reply_to, b->in_reply_to) &&
	    journal_nstr_equal(a->reply_folder, b->reply_folder) &&
	    journal_nstr_equal(a->old_draft, b->old_draft);
}
