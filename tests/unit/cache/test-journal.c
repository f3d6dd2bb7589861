/* Unit tests for the offline journal: entries of every kind come back
 * field for field (NUL and 8-bit bytes, NULL apart from ""); order, state
 * and removals survive a reopen; a damaged record is reported by number
 * while the others still read; a damaged file fails the open and is left
 * byte for byte; the decoder holds every bound of journal.h; and
 * TERN_DEBUG_JOURNAL_ABORT stops a process just before the step asked. */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/journal.h"
#include "cache/record.h"
#include "cache/store.h"
#include "lib/xmalloc.h"
#include "tap.h"

static char tmpdir[] = "/tmp/tern-test-journal-XXXXXX";

/* ---- fixtures ---- */

static struct journal_action actions_fx[] = {
	{ "add-label", "Work" },
	{ "move", "Archive/2026" },
	{ "flag", NULL },
	{ "set-status", "" },
};
static uint32_t uids_fx[] = { 3, 7, 100000, UINT32_MAX };
static char *mids_fx[] = { "<a@example.org>", "", "<c@example.org>", "<d@example.org>" };
static char *before_fx[] = { "status/open assign/ann", "", "status/closed", "" };
static char *rcpts_fx[] = { "ann@example.org", "bob@example.net" };
static char msg_fx[] = "From: me@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n\r\n"
    "a\0b\x80\xff\r\n";

static struct journal_entry
actions_entry(void)
{
	struct journal_entry e = { 0 };

	e.kind = JOURNAL_ACTIONS;
	e.state = JOURNAL_PENDING;
	e.created = -1234567;		/* before 1970: zigzag */
	e.folder = "Projekte/Überblick";
	e.uidvalidity = 4000000000u;
	e.actions = actions_fx;
	e.nactions = 4;
	e.uids = uids_fx;
	e.message_ids = mids_fx;
	e.before = before_fx;
	e.nuids = 4;
	return e;
}

static struct journal_entry
send_entry(void)
{
	struct journal_entry e = { 0 };

	e.kind = JOURNAL_SEND;
	e.state = JOURNAL_HANDED;
	e.created = 1767225600;
	e.message = msg_fx;
	e.message_len = sizeof msg_fx - 1;
	e.message_id = "<m1@example.org>";
	e.subject = "";			/* not NULL */
	e.from = "me@example.org";
	e.rcpts = rcpts_fx;
	e.nrcpts = 2;
	e.in_reply_to = NULL;
	e.reply_folder = "";
	e.old_draft = "<d0@example.org>";
	return e;
}

static struct journal_entry
draft_entry(void)
{
	struct journal_entry e = { 0 };

	e.kind = JOURNAL_DRAFT;
	e.state = JOURNAL_SAVING;
	e.message = "";			/* empty, not NULL */
	e.message_len = 0;
	e.subject = "caf\xc3\xa9";
	return e;
}

static bool
is_zero(const struct journal_entry *e)
{
	static const struct journal_entry zero;

	return memcmp(e, &zero, sizeof zero) == 0;
}

/* Decodes len bytes; true when they do not decode and leave nothing. */
static bool
rejects(const void *p, size_t len)
{
	struct journal_entry e;
	bool ok;

	memset(&e, 0xa5, sizeof e);
	ok = journal_entry_decode(p, len, &e) == -1 && is_zero(&e);
	if (!ok)
		journal_entry_free(&e);
	return ok;
}

static bool
encodes_and_rejects(const struct journal_entry *e)
{
	size_t len;
	void *p = journal_entry_encode(e, &len);
	bool ok = rejects(p, len);

	free(p);
	return ok;
}

static bool
round_trips(const struct journal_entry *e)
{
	struct journal_entry back;
	size_t len;
	void *p = journal_entry_encode(e, &len);
	bool ok;

	ok = journal_entry_decode(p, len, &back) == 0 && journal_entry_equal(e, &back);
	journal_entry_free(&back);
	free(p);
	return ok;
}

/* A record's checksum made right again after its body was changed. */
static void
reseal(unsigned char *p, size_t len)
{
	uint64_t sum = rec_sum(p + REC_HEADER, len - REC_HEADER);

	for (int i = 0; i < 8; i++)
		p[2 + i] = (unsigned char)(sum >> (8 * i));
}

/* ---- the record format ---- */

static void
test_codec_round_trip(void)
{
	struct journal_entry a = actions_entry(), s = send_entry(), d = draft_entry(), back;
	size_t len;
	void *p;

	a.seq = 1;
	s.seq = UINT64_MAX;
	tap_ok(round_trips(&a), "an actions entry comes back field for field");
	tap_ok(round_trips(&s), "a send entry: NUL and 8-bit bytes in the message");
	tap_ok(round_trips(&d), "a draft entry: an empty message");

	p = journal_entry_encode(&s, &len);
	tap_ok(journal_entry_decode(p, len, &back) == 0, "send decodes");
	tap_is_mem(back.message, back.message_len, msg_fx, sizeof msg_fx - 1,
	    "message bytes kept");
	tap_ok(back.subject != NULL && *back.subject == '\0', "\"\" stays \"\"");
	tap_ok(back.in_reply_to == NULL && back.folder == NULL, "NULL stays NULL");
	tap_is_str(back.rcpts[1], "bob@example.net", "recipients kept");
	tap_ok(back.seq == UINT64_MAX && back.state == JOURNAL_HANDED, "seq and state kept");
	journal_entry_free(&back);
	tap_ok(is_zero(&back), "journal_entry_free leaves the entry zeroed");
	free(p);

	p = journal_entry_encode(&d, &len);
	tap_ok(journal_entry_decode(p, len, &back) == 0 && back.message != NULL &&
	    back.message_len == 0 && back.subject != NULL && back.from == NULL,
	    "an empty message is not a missing one");
	journal_entry_free(&back);
	free(p);

	a.message_ids = NULL;
	tap_ok(round_trips(&a), "message_ids missing: still missing");
	a.before = NULL;
	a.nuids = 0;
	a.uids = NULL;
	tap_ok(round_trips(&a), "no UIDs at all");

	tap_is_str(journal_state_name(JOURNAL_HANDED), "handed", "state name");
	tap_is_str(journal_state_name(JOURNAL_SAVED), "saved", "last state name");
	tap_is_str(journal_state_name((enum journal_state)99), "unknown", "unknown state");
	tap_is_str(journal_kind_name(JOURNAL_ACTIONS), "actions", "kind name");
	tap_is_str(journal_kind_name(JOURNAL_DRAFT), "draft", "last kind name");
	tap_is_str(journal_kind_name((enum journal_kind)0), "unknown", "unknown kind");
}

static void
test_codec_bounds(void)
{
	struct journal_entry e = actions_entry(), s = send_entry();
	struct journal_action many[JOURNAL_ACTIONS_MAX + 1];
	uint32_t *uids, bad[2];
	char **rcpts, *big;
	size_t i;

	uids = xcalloc(JOURNAL_UIDS_MAX + 1, sizeof *uids);
	for (i = 0; i <= JOURNAL_UIDS_MAX; i++)
		uids[i] = (uint32_t)i + 1;
	e.uids = uids;
	e.message_ids = e.before = NULL;
	e.nuids = JOURNAL_UIDS_MAX;
	tap_ok(round_trips(&e), "JOURNAL_UIDS_MAX UIDs decode");
	e.nuids = JOURNAL_UIDS_MAX + 1;
	tap_ok(encodes_and_rejects(&e), "one UID more does not");
	free(uids);

	e.uids = bad;
	e.nuids = 2;
	bad[0] = 5;
	bad[1] = 3;
	tap_ok(encodes_and_rejects(&e), "UIDs out of order do not decode");
	bad[1] = 5;
	tap_ok(encodes_and_rejects(&e), "a UID twice does not decode");
	bad[0] = 0;
	bad[1] = 1;
	tap_ok(round_trips(&e), "UIDs 0 and 1: sorted, so they decode");

	e = actions_entry();
	for (i = 0; i <= JOURNAL_ACTIONS_MAX; i++) {
		many[i].name = "flag";
		many[i].arg = NULL;
	}
	e.actions = many;
	e.nactions = JOURNAL_ACTIONS_MAX;
	tap_ok(round_trips(&e), "JOURNAL_ACTIONS_MAX actions decode");
	e.nactions = JOURNAL_ACTIONS_MAX + 1;
	tap_ok(encodes_and_rejects(&e), "one action more does not");

	rcpts = xcalloc(JOURNAL_RCPTS_MAX + 1, sizeof *rcpts);
	for (i = 0; i <= JOURNAL_RCPTS_MAX; i++)
		rcpts[i] = "x@example.org";
	s.rcpts = rcpts;
	s.nrcpts = JOURNAL_RCPTS_MAX;
	tap_ok(round_trips(&s), "JOURNAL_RCPTS_MAX recipients decode");
	s.nrcpts = JOURNAL_RCPTS_MAX + 1;
	tap_ok(encodes_and_rejects(&s), "one recipient more does not");
	free(rcpts);
	s = send_entry();

	big = xmalloc(JOURNAL_MESSAGE_MAX + 2);
	memset(big, 'x', JOURNAL_MESSAGE_MAX + 1);
	big[JOURNAL_STR_MAX] = '\0';
	e = actions_entry();
	e.folder = big;
	tap_ok(round_trips(&e), "a string of JOURNAL_STR_MAX bytes decodes");
	big[JOURNAL_STR_MAX] = 'x';
	big[JOURNAL_STR_MAX + 1] = '\0';
	tap_ok(encodes_and_rejects(&e), "one byte more does not (folder)");
	e = actions_entry();
	e.actions[1].arg = big;
	tap_ok(encodes_and_rejects(&e), "nor as an action's argument");
	actions_fx[1].arg = "Archive/2026";
	e = actions_entry();
	mids_fx[2] = big;
	tap_ok(encodes_and_rejects(&e), "nor as a Message-ID of the list");
	mids_fx[2] = "<c@example.org>";
	s.old_draft = big;
	tap_ok(encodes_and_rejects(&s), "nor as the last field");
	s = send_entry();
	big[JOURNAL_STR_MAX + 1] = 'x';
	s.message = big;
	s.message_len = JOURNAL_MESSAGE_MAX + 1;
	tap_ok(encodes_and_rejects(&s), "a message over JOURNAL_MESSAGE_MAX does not decode");
	free(big);

	s = send_entry();
	s.kind = (enum journal_kind)0;
	tap_ok(encodes_and_rejects(&s), "kind 0 does not decode");
	s.kind = (enum journal_kind)(JOURNAL_DRAFT + 1);
	tap_ok(encodes_and_rejects(&s), "a kind past the last does not decode");
	s.kind = JOURNAL_SEND;
	s.state = (enum journal_state)(JOURNAL_STATE_LAST + 1);
	tap_ok(encodes_and_rejects(&s), "a state past the last does not decode");
	s.state = JOURNAL_STATE_LAST;
	tap_ok(round_trips(&s), "the last state does");
}

/* The decoder reads no byte it does not check: every prefix of a valid
 * record, every flipped byte, a byte too many, a NUL inside a string and
 * a flag it does not know all fail. */
static void
test_codec_damage(void)
{
	struct journal_entry s = send_entry(), a = actions_entry();
	unsigned char *p, *q;
	size_t len, n, cut_ok = 0, sealed_ok = 0, flip_ok = 0;
	char *at;

	s.seq = 300;
	p = journal_entry_encode(&s, &len);
	q = xmalloc(len + 1);
	for (n = 0; n < len; n++) {
		memcpy(q, p, n);
		cut_ok += rejects(q, n);
		if (n >= REC_HEADER) {
			reseal(q, n);
			sealed_ok += rejects(q, n);
		}
	}
	tap_is_int((long long)cut_ok, (long long)len, "every prefix of %zu bytes fails", len);
	tap_is_int((long long)sealed_ok, (long long)(len - REC_HEADER),
	    "and every prefix with its checksum made right");
	for (n = 0; n < len; n++) {
		memcpy(q, p, len);
		q[n] ^= 0x01;
		flip_ok += rejects(q, len);
	}
	tap_is_int((long long)flip_ok, (long long)len, "every flipped byte fails");
	memcpy(q, p, len);
	q[len] = 0;
	reseal(q, len + 1);
	tap_ok(rejects(q, len + 1), "a trailing byte fails");
	tap_ok(rejects(NULL, 0), "no bytes fail");
	free(p);

	/* A NUL in a C string: it would cut the string short. */
	a.folder = "INBOX";
	p = journal_entry_encode(&a, &len);
	at = memmem(p, len, "INBOX", 5);
	tap_ok(at != NULL, "the folder is in the record");
	if (at != NULL) {
		at[2] = '\0';
		reseal(p, len);
		tap_ok(rejects(p, len), "a NUL inside a string fails");
	}
	free(p);
	free(q);

	/* An unknown flag for the parallel arrays. */
	a = actions_entry();
	a.nuids = 0;
	a.message_ids = a.before = NULL;
	a.nactions = 0;
	a.folder = NULL;
	a.created = 0;
	p = journal_entry_encode(&a, &len);
	/* seq, kind, state, created, folder (NULL), uidvalidity (5 bytes),
	 * nactions, nuids, then the flags. */
	n = REC_HEADER + 1 + 1 + 1 + 1 + 1 + 5 + 1 + 1;
	tap_is_int(p[n], 0, "the flags byte is where the format says");
	p[n] = 4;
	reseal(p, len);
	tap_ok(rejects(p, len), "an unknown flag fails");
	free(p);
}

/* ---- the file ---- */

static struct journal *
open_journal(const char *dir)
{
	struct journal *j = NULL;
	char *error = NULL;

	if (journal_open(dir, "me@example.org", &j, &error) != 0) {
		tap_ok(false, "open: %s", error);
		free(error);
		exit(1);
	}
	return j;
}

static uint64_t
add(struct journal *j, struct journal_entry e)
{
	char *error = NULL;

	if (journal_add(j, &e, &error) != 0) {
		tap_ok(false, "add: %s", error);
		free(error);
		return 0;
	}
	return e.seq;
}

/* Whether entry seq reads back as want (with want's seq made seq). */
static bool
holds(struct journal *j, uint64_t seq, struct journal_entry want)
{
	struct journal_entry got;
	char *error = NULL;
	bool ok;

	want.seq = seq;
	ok = journal_get(j, seq, &got, &error) == 1 && journal_entry_equal(&got, &want);
	if (error != NULL)
		tap_diag("get %llu: %s", (unsigned long long)seq, error);
	journal_entry_free(&got);
	free(error);
	return ok;
}

/* The sequence numbers as "1 2 3". */
static char *
listed(struct journal *j)
{
	uint64_t *seqs = NULL;
	size_t n = 0, i;
	char *error = NULL, *s = xcalloc(1, 512);

	if (journal_list(j, &seqs, &n, &error) != 0) {
		snprintf(s, 512, "error: %s", error);
		free(error);
		return s;
	}
	for (i = 0; i < n; i++)
		snprintf(s + strlen(s), 512 - strlen(s), "%s%llu", i > 0 ? " " : "",
		    (unsigned long long)seqs[i]);
	free(seqs);
	return s;
}

static char *
read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	*len_r = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = xmalloc((size_t)n + 1);
		*len_r = fread(p, 1, (size_t)n, f);
	}
	fclose(f);
	return p;
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_file(const char *dir)
{
	struct journal *j;
	struct journal_entry e;
	struct stat st;
	char *error = NULL, *s, *path;
	unsigned long writes;
	int r;

	j = open_journal(dir);
	path = xstrdup(journal_path(j));
	tap_ok(strstr(path, "/me%40example.org.journal.tcb") != NULL, "file name: %s", path);
	tap_ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "a new directory is 0700");
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");
	tap_is_int((long long)journal_count(j), 0, "a new journal is empty");

	writes = journal_writes;
	tap_is_int((long long)add(j, actions_entry()), 1, "the first entry is 1");
	tap_is_int((long long)(journal_writes - writes), 1, "an add is one step");
	tap_is_int((long long)add(j, send_entry()), 2, "then 2");
	tap_is_int((long long)add(j, draft_entry()), 3, "then 3");
	tap_is_int((long long)journal_count(j), 3, "three wait");
	journal_close(&j);
	tap_ok(j == NULL, "journal_close clears the pointer");

	j = open_journal(dir);
	s = listed(j);
	tap_is_str(s, "1 2 3", "the order survives a reopen");
	free(s);
	tap_ok(holds(j, 1, actions_entry()), "entry 1 after a reopen");
	tap_ok(holds(j, 2, send_entry()), "entry 2 after a reopen");
	tap_ok(holds(j, 3, draft_entry()), "entry 3 after a reopen");
	r = journal_get(j, 9, &e, &error);
	tap_ok(r == 0 && is_zero(&e) && error == NULL, "a missing entry: 0");

	tap_ok(journal_set_state(j, 2, JOURNAL_SENT, &error) == 0, "set_state");
	journal_close(&j);
	j = open_journal(dir);
	e = send_entry();
	e.state = JOURNAL_SENT;
	tap_ok(holds(j, 2, e), "the new state survives a reopen, the rest unchanged");
	r = journal_set_state(j, 9, JOURNAL_SENT, &error);
	tap_ok(r == -1 && error != NULL && strstr(error, "no entry 9") != NULL,
	    "set_state on a missing entry: %s", error);
	free(error);
	error = NULL;
	tap_ok(journal_set_state(j, 2, (enum journal_state)(JOURNAL_STATE_LAST + 1),
	    &error) == -1, "set_state to no state fails");
	free(error);
	error = NULL;
	tap_ok(holds(j, 2, e), "and changes nothing");

	tap_ok(journal_remove(j, 1, &error) == 0, "remove");
	tap_ok(journal_remove(j, 1, &error) == 0, "remove again: not an error");
	tap_ok(journal_remove(j, 77, &error) == 0, "remove a number never given: not an error");
	tap_is_int((long long)journal_count(j), 2, "two wait");
	tap_ok(journal_get(j, 1, &e, &error) == 0, "entry 1 is gone");
	tap_ok(journal_remove(j, 3, &error) == 0, "remove the newest");
	journal_close(&j);
	j = open_journal(dir);
	s = listed(j);
	tap_is_str(s, "2", "removals survive a reopen");
	free(s);
	tap_is_int((long long)add(j, draft_entry()), 4,
	    "numbers are never given twice, even after the newest went");

	/* An entry that would not read back is refused, and nothing written. */
	{
		struct journal_entry bad = actions_entry();
		uint32_t u[2] = { 9, 8 };

		bad.uids = u;
		bad.nuids = 2;
		bad.message_ids = bad.before = NULL;
		bad.seq = 42;
		r = journal_add(j, &bad, &error);
		tap_ok(r == -1 && error != NULL && strstr(error, path) != NULL &&
		    bad.seq == 42, "an entry past the limits is refused: %s", error);
		free(error);
		error = NULL;
		tap_is_int((long long)journal_count(j), 2, "and nothing was written");
	}
	journal_close(&j);
	free(path);
}

/* A record that does not decode is reported under its number; the others
 * still read. */
static void
test_damaged_record(const char *dir)
{
	struct journal *j = open_journal(dir);
	struct journal_entry e;
	struct store *st = NULL;
	unsigned char key[9] = { 'e', 0, 0, 0, 0, 0, 0, 0, 2 };
	unsigned char key5[9] = { 'e', 0, 0, 0, 0, 0, 0, 0, 5 };
	char *error = NULL, *path = xstrdup(journal_path(j)), *s;
	void *rec;
	size_t len;
	int r;

	journal_close(&j);
	/* Entry 2 becomes junk; entry 4's record, whole, appears as 5. */
	e = draft_entry();
	e.seq = 4;
	rec = journal_entry_encode(&e, &len);
	if (store_open_flags(path, JOURNAL_FORMAT_VERSION, STORE_KEEP_DAMAGED, NULL, NULL,
	    &st, &error) != 0 || store_put(st, key, sizeof key, "junk", 4, &error) != 0 ||
	    store_put(st, key5, sizeof key5, rec, len, &error) != 0)
		tap_ok(false, "store: %s", error);
	store_close(&st);
	free(rec);

	j = open_journal(dir);
	r = journal_get(j, 2, &e, &error);
	tap_ok(r == -1 && is_zero(&e), "a damaged record: -1");
	tap_ok(error != NULL && strstr(error, "entry 2 is damaged") != NULL &&
	    strstr(error, path) != NULL, "naming the entry and the file: %s", error);
	free(error);
	error = NULL;
	tap_ok(holds(j, 4, draft_entry()), "the other entries still read");
	r = journal_get(j, 5, &e, &error);
	tap_ok(r == -1 && error != NULL && strstr(error, "entry 5 is damaged") != NULL,
	    "a record under another entry's number is damaged too");
	free(error);
	error = NULL;
	tap_ok(journal_remove(j, 5, &error) == 0, "and can be removed");
	s = listed(j);
	tap_is_str(s, "2 4", "the damaged one is still listed");
	free(s);
	tap_ok(journal_set_state(j, 2, JOURNAL_SENT, &error) == -1 && error != NULL &&
	    strstr(error, "entry 2 is damaged") != NULL, "set_state on it fails");
	free(error);
	error = NULL;
	tap_ok(journal_remove(j, 2, &error) == 0 && journal_count(j) == 1,
	    "it can be removed");
	journal_close(&j);
	free(path);
}

/* A damaged file fails the open and stays as it was, byte for byte. */
static void
test_damaged_file(const char *dir)
{
	struct journal *j = open_journal(dir);
	char *error = NULL, *path = xstrdup(journal_path(j)), *before, *after, *other;
	size_t blen, alen;
	int fd, nfiles, r;

	journal_close(&j);
	fd = open(path, O_WRONLY);
	if (fd == -1 || pwrite(fd, "garbage garbage garbage garbage!", 32, 0) != 32)
		tap_ok(false, "damage %s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	before = read_file(path, &blen);
	nfiles = count_files(dir);
	r = journal_open(dir, "me@example.org", &j, &error);
	tap_ok(r == -1 && j == NULL, "a damaged file fails the open");
	tap_ok(error != NULL && strstr(error, path) != NULL &&
	    strstr(error, "left as it is") != NULL, "naming the file: %s", error);
	free(error);
	error = NULL;
	after = read_file(path, &alen);
	tap_ok(before != NULL && after != NULL && blen > 32 && alen == blen &&
	    memcmp(before, after, blen) == 0, "and it is left byte for byte");
	tap_is_int(count_files(dir), nfiles, "nothing moved aside or added");
	free(before);
	free(after);

	/* Not a database at all. */
	other = xasprintf("%s/other.journal.tcb", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, "this is no database at all\n", 27) != 27)
		tap_ok(false, "write %s", other);
	if (fd != -1)
		close(fd);
	r = journal_open(dir, "other", &j, &error);
	tap_ok(r == -1 && error != NULL && strstr(error, "left as it is") != NULL,
	    "a file of text fails the open: %s", error);
	free(error);
	before = read_file(other, &blen);
	tap_ok(before != NULL && blen == 27 && memcmp(before, "this is no database", 19) == 0,
	    "and it is left as it was");
	free(before);
	free(other);
	free(path);
}

/* A copy left by a write that was cut off goes at the next open; the
 * journal is what it was. */
static void
test_leftover_copy(const char *dir)
{
	struct journal *j = open_journal(dir);
	char *path = xstrdup(journal_path(j)), *tmp = xasprintf("%s.new", path);
	size_t before = journal_count(j);
	int fd;

	journal_close(&j);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, "half a copy", 11) != 11)
		tap_ok(false, "write %s", tmp);
	if (fd != -1)
		close(fd);
	j = open_journal(dir);
	tap_ok(access(tmp, F_OK) == -1 && errno == ENOENT, "the leftover copy is gone");
	tap_is_int((long long)journal_count(j), (long long)before, "the journal is as it was");
	add(j, send_entry());
	tap_is_int((long long)journal_count(j), (long long)before + 1, "and takes a new entry");
	tap_ok(access(tmp, F_OK) == -1, "leaving no copy behind");
	journal_close(&j);
	free(tmp);
	free(path);
}

/* ---- TERN_DEBUG_JOURNAL_ABORT ---- */

/* The child: three adds; it should not live past the second. */
static int
abort_child(const char *dir)
{
	struct journal *j = open_journal(dir);
	int i;

	for (i = 0; i < 3; i++)
		add(j, send_entry());
	journal_close(&j);
	return 0;
}

static void
test_abort(const char *self, const char *dir)
{
	struct journal *j;
	char *errpath, *out;
	size_t len;
	pid_t pid;
	int status = 0, fd;

	errpath = xasprintf("%s.stderr", dir);
	pid = fork();
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1 || dup2(fd, 2) == -1)
			_exit(2);
		setenv("TERN_DEBUG_JOURNAL_ABORT", "2", 1);
		/* A new program, so that the setting is read afresh. */
		execl(self, self, "abort-child", dir, (char *)NULL);
		_exit(3);
	}
	tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid, "the child ran");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == JOURNAL_ABORT_EXIT,
	    "it exits %d before write 2 (status %d)", JOURNAL_ABORT_EXIT, status);
	out = read_file(errpath, &len);
	tap_is_mem(out, len, "tern: debug: stopped before journal write 2\n", 44,
	    "and says so");
	free(out);
	unlink(errpath);
	free(errpath);
	j = open_journal(dir);
	tap_is_int((long long)journal_count(j), 1, "exactly one entry was written");
	tap_ok(holds(j, 1, send_entry()), "whole");
	journal_close(&j);
}

int
main(int argc, char **argv)
{
	char *dir, *cmd;

	if (argc == 3 && strcmp(argv[1], "abort-child") == 0)
		return abort_child(argv[2]);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_codec_round_trip();
	test_codec_bounds();
	test_codec_damage();

	/* A directory that is not there yet. */
	dir = xasprintf("%s/a/journal", tmpdir);
	test_file(dir);
	test_damaged_record(dir);
	test_leftover_copy(dir);
	test_damaged_file(dir);
	free(dir);
	dir = xasprintf("%s/abort", tmpdir);
	test_abort(argv[0], dir);
	free(dir);

	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	return tap_done();
}
