/* The offline journal's file (journal.h): entries in a store opened to
 * sync every commit and never to move a damaged file aside.
 *
 * Keys (byte strings):
 *   "v"        the file's format (store.c)
 *   "n"        the last sequence number given, 8 bytes big-endian: kept
 *              so that a number is never given twice, even once the
 *              newest entry is gone (a replay that saw entry N removed
 *              must not meet another entry N)
 *   "e" SEQ    an entry (journal-codec.c), SEQ 8 bytes big-endian, so
 *              that the store's byte order is the order of adding
 * An entry and the counter change in one transaction. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/journal.h"
#include "cache/record.h"
#include "cache/store.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

#define JOURNAL_KEY_ENTRY "e"
#define JOURNAL_KEY_LAST "n"
#define JOURNAL_KEY_LEN 9
/* How the journal file itself is opened: never written in place. */
#define JOURNAL_READ (STORE_READ_ONLY | STORE_KEEP_DAMAGED)

struct journal {
	struct store *store;		/* NULL after a file that would not reopen */
	int lock;			/* PATH.lock, held while open */
	char *path;
	uint64_t last;			/* the last sequence number given */
};

unsigned long journal_writes;

static void journal_sync_dir(const char *path);

static void
journal_key(unsigned char key[JOURNAL_KEY_LEN], uint64_t seq)
{
	key[0] = JOURNAL_KEY_ENTRY[0];
	rec_put_be64(key + 1, seq);
}

/* Every write is a numbered step; TERN_DEBUG_JOURNAL_ABORT=K ends the
 * process just before step K, as a kill there would (DESIGN.md, "Testing
 * faults"). The setting is read at the first write only: the steps of a
 * process are numbered once. */
static void
journal_step(void)
{
	static bool read;
	static uint64_t abort_at;
	const char *v;

	if (!read) {
		read = true;
		v = getenv("TERN_DEBUG_JOURNAL_ABORT");
		if (v != NULL && str_to_u64(v, UINT64_MAX, &abort_at) == -1)
			abort_at = 0;
	}
	journal_writes++;
	if (abort_at != 0 && journal_writes == abort_at) {
		fprintf(stderr, "tern: debug: stopped before journal write %lu\n",
		    journal_writes);
		_exit(JOURNAL_ABORT_EXIT);
	}
}

/* The entry keys, in order (free with store_keys_free). */
static int
journal_keys(struct journal *j, struct store_key **keys_r, size_t *n_r, char **error_r)
{
	char *error = NULL;

	if (j->store == NULL) {
		*error_r = xasprintf("cannot read the journal %s: it could not be opened again",
		    j->path);
		return -1;
	}
	if (store_keys(j->store, JOURNAL_KEY_ENTRY, 1, keys_r, n_r, &error) == -1) {
		free(error);
		*error_r = xasprintf("cannot read the journal %s: %s", j->path,
		    store_reason(j->store));
		return -1;
	}
	return 0;
}

/* The last sequence number given: the counter, or the newest entry when
 * that is newer (a counter lost to damage must not bring numbers back). */
static int
journal_read_last(struct journal *j, char **error_r)
{
	struct store_key *keys = NULL;
	void *val = NULL;
	size_t n = 0, len = 0;
	uint64_t newest;
	char *error = NULL;

	if (store_get(j->store, JOURNAL_KEY_LAST, 1, &val, &len, &error) == -1) {
		free(error);
		*error_r = xasprintf("cannot read the journal %s: %s", j->path,
		    store_reason(j->store));
		return -1;
	}
	if (len == 8)
		j->last = rec_get_be64(val);
	free(val);
	if (journal_keys(j, &keys, &n, error_r) == -1)
		return -1;
	if (n > 0 && keys[n - 1].len == JOURNAL_KEY_LEN) {
		newest = rec_get_be64((unsigned char *)keys[n - 1].data + 1);
		if (newest > j->last)
			j->last = newest;
	}
	store_keys_free(keys, n);
	return 0;
}

/* The journal is written by replacing its file, so Tokyo Cabinet's own
 * lock (on the file) cannot keep two terns apart: PATH.lock does, held
 * while the journal is open. Waits as the cache's lock does. */
static int
journal_lock(const char *path, char **error_r)
{
	char *name = xasprintf("%s.lock", path);
	long waited;
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd == -1) {
		*error_r = xasprintf("cannot open %s: %s", name, strerror(errno));
		free(name);
		return -1;
	}
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; waited += 50) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= STORE_LOCK_WAIT_MS) {
			*error_r = errno == EWOULDBLOCK ? xasprintf("the journal %s is in use by "
			    "another tern (still locked after %d seconds)", path,
			    STORE_LOCK_WAIT_MS / 1000) : xasprintf("cannot lock %s: %s", name,
			    strerror(errno));
			close(fd);
			free(name);
			return -1;
		}
		(void)usleep(50 * 1000);
	}
	free(name);
	return fd;
}

int
journal_open(const char *dir, const char *account, struct journal **j_r, char **error_r)
{
	struct journal *j;
	struct store *store;
	char *name, *path, *tmp;
	struct stat st;
	int lock;

	*j_r = NULL;
	/* The header cache's directory and name rules, another suffix. */
	name = cache_file_name(account);
	path = xasprintf("%s/%.*s.journal.tcb", dir, (int)(strlen(name) - 4), name);
	free(name);
	if (cache_mkdirs(dir, error_r) == -1 || (lock = journal_lock(path, error_r)) == -1) {
		free(path);
		return -1;
	}
	/* A copy left by a write that was cut off is of no use: the journal
	 * is the old file until the rename (we hold the lock). */
	tmp = xasprintf("%s.new", path);
	(void)unlink(tmp);
	/* Created as it is written: whole, then renamed into place. */
	if (stat(path, &st) == -1 || st.st_size == 0) {
		if (store_open_flags(tmp, JOURNAL_FORMAT_VERSION, STORE_SYNC | STORE_KEEP_DAMAGED,
		    NULL, NULL, &store, error_r) == -1 || store_sync(store, error_r) == -1) {
			store_close(&store);
			(void)unlink(tmp);
			free(tmp);
			close(lock);
			free(path);
			return -1;
		}
		store_close(&store);
		if (rename(tmp, path) == -1) {
			*error_r = xasprintf("cannot create the journal %s: %s", path,
			    strerror(errno));
			(void)unlink(tmp);
			free(tmp);
			close(lock);
			free(path);
			return -1;
		}
		journal_sync_dir(path);
	}
	free(tmp);
	if (store_open_flags(path, JOURNAL_FORMAT_VERSION, JOURNAL_READ, NULL, NULL, &store,
	    error_r) == -1) {
		close(lock);
		free(path);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->store = store;
	j->lock = lock;
	j->path = path;
	if (journal_read_last(j, error_r) == -1) {
		journal_close(&j);
		return -1;
	}
	*j_r = j;
	return 0;
}

void
journal_close(struct journal **jp)
{
	struct journal *j = *jp;

	if (j == NULL)
		return;
	*jp = NULL;
	store_close(&j->store);
	close(j->lock);
	free(j->path);
	free(j);
}

const char *
journal_path(const struct journal *j)
{
	return j->path;
}

/* Copies the file at from to to (created 0600), synced. */
static int
journal_copy(const char *from, const char *to, char **error_r)
{
	char buf[65536];
	int in, out, r = -1;
	ssize_t n;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1) {
		*error_r = xasprintf("cannot read the journal %s: %s", from, strerror(errno));
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out == -1) {
		*error_r = xasprintf("cannot write the journal %s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		ssize_t done = 0;

		while (done < n) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto fail;
			done += w;
		}
	}
	if (n < 0 || fsync(out) == -1)
		goto fail;
	r = 0;
fail:
	if (r == -1)
		*error_r = xasprintf("cannot write the journal %s: %s", to, strerror(errno));
	if (close(out) == -1 && r == 0) {
		*error_r = xasprintf("cannot write the journal %s: %s", to, strerror(errno));
		r = -1;
	}
	close(in);
	return r;
}

/* Whether key k (klen bytes) is key (JOURNAL_KEY_LEN bytes). */
static bool
journal_key_is(const struct store_key *k, const void *key, size_t len)
{
	return k->len == len && memcmp(k->data, key, len) == 0;
}

/* What the key k should hold in the new file: the new value for the key
 * written, the counter when it is set, else what the old file held.
 * 1 found (*val_r, *len_r), 0 the key should not be there, -1 error. */
static int
journal_expected(struct store *old, const struct store_key *k, const unsigned char *key,
    const void *val, size_t len, const unsigned char *be, bool set_last, void **val_r,
    size_t *len_r, char **error_r)
{
	if (journal_key_is(k, key, JOURNAL_KEY_LEN)) {
		if (val == NULL)
			return 0;
		*val_r = xmemdup(val, len);
		*len_r = len;
		return 1;
	}
	if (set_last && journal_key_is(k, JOURNAL_KEY_LAST, 1)) {
		*val_r = xmemdup(be, 8);
		*len_r = 8;
		return 1;
	}
	return store_get(old, k->data, k->len, val_r, len_r, error_r);
}

/* Whether every record of the new file at tmp reads back as it should:
 * the old file's records, with key set to val (deleted when val is NULL)
 * and the counter set to be when set_last. Read through a fresh open,
 * record by record and through the list of keys, since a page write the
 * library lost shows in one and not always in the other. */
static int
journal_verify(const char *path, const char *tmp, const unsigned char *key, const void *val,
    size_t len, const unsigned char *be, bool set_last, char **error_r)
{
	struct store *old = NULL, *check = NULL;
	struct store_key *keys = NULL, *old_keys = NULL;
	size_t n = 0, old_n = 0, want_n, i, got_len, want_len;
	void *got, *want;
	bool had_key = false, had_last = false;
	char *error = NULL;
	int r = -1, g, w;

	if (store_open_flags(path, JOURNAL_FORMAT_VERSION, JOURNAL_READ, NULL, NULL, &old,
	    &error) == -1 ||
	    store_open_flags(tmp, JOURNAL_FORMAT_VERSION, JOURNAL_READ, NULL, NULL, &check,
	    &error) == -1 ||
	    store_keys(old, "", 0, &old_keys, &old_n, &error) == -1 ||
	    store_keys(check, "", 0, &keys, &n, &error) == -1)
		goto out;
	for (i = 0; i < old_n; i++) {
		had_key |= journal_key_is(&old_keys[i], key, JOURNAL_KEY_LEN);
		had_last |= journal_key_is(&old_keys[i], JOURNAL_KEY_LAST, 1);
	}
	want_n = old_n - (had_key && val == NULL) + (!had_key && val != NULL) +
	    (set_last && !had_last);
	if (n != want_n) {
		error = xasprintf("%zu records read back where %zu were written", n, want_n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		got = want = NULL;
		got_len = want_len = 0;
		if ((g = store_get(check, keys[i].data, keys[i].len, &got, &got_len,
		    &error)) == -1 ||
		    (w = journal_expected(old, &keys[i], key, val, len, be, set_last, &want,
		    &want_len, &error)) == -1) {
			free(got);
			goto out;
		}
		if (g != 1 || w != 1 || got_len != want_len ||
		    memcmp(got, want, got_len) != 0) {
			free(got);
			free(want);
			error = xstrdup("a record did not read back as written");
			goto out;
		}
		free(got);
		free(want);
	}
	r = 0;
out:
	if (r == -1) {
		*error_r = xasprintf("cannot write the journal %s: %s", tmp, error);
		free(error);
	}
	store_keys_free(keys, n);
	store_keys_free(old_keys, old_n);
	store_close(&check);
	store_close(&old);
	return r;
}

/* Syncs the directory holding path, so that a rename in it lasts. */
static void
journal_sync_dir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash != NULL)
		*slash = '\0';
	fd = open(slash != NULL ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* One durable write: key set to val (or deleted when val is NULL), and
 * the counter set to last unless it is 0.
 *
 * The write goes to a copy of the file, which then replaces it by
 * rename(2): a failed write (a full disk) or a kill at any moment leaves
 * either the old file or the new one, never a file half written. Tokyo
 * Cabinet's own transaction log does not give that: measured with
 * failed writes injected into its page writes, an entry added before was
 * lost. The journal is small and written once per change, so the copy
 * costs little. */
static int
journal_commit(struct journal *j, uint64_t seq, const void *val, size_t len, uint64_t last,
    char **error_r)
{
	unsigned char key[JOURNAL_KEY_LEN], be[8];
	char *tmp = xasprintf("%s.new", j->path), *error = NULL;
	struct store *shadow = NULL;
	int r = -1;

	if (j->store == NULL) {
		*error_r = xasprintf("cannot write the journal %s: it could not be opened again",
		    j->path);
		free(tmp);
		return -1;
	}
	journal_key(key, seq);
	rec_put_be64(be, last);
	/* The file as it is now, then the copy changed and synced. */
	store_close(&j->store);
	if (journal_copy(j->path, tmp, &error) == -1)
		goto reopen;
	if (store_open_flags(tmp, JOURNAL_FORMAT_VERSION, STORE_KEEP_DAMAGED, NULL, NULL,
	    &shadow, &error) == -1)
		goto reopen;
	if ((val != NULL ? store_put(shadow, key, sizeof key, val, len, &error) :
	    store_del(shadow, key, sizeof key, &error)) == -1 ||
	    (last != 0 && store_put(shadow, JOURNAL_KEY_LAST, 1, be, sizeof be, &error) == -1) ||
	    store_sync(shadow, &error) == -1) {
		store_close(&shadow);
		goto reopen;
	}
	store_close(&shadow);
	/* What the library says it wrote is read back before it counts. */
	if (journal_verify(j->path, tmp, key, val, len, be, last != 0, &error) == -1)
		goto reopen;
	if (rename(tmp, j->path) == -1) {
		error = xasprintf("cannot replace the journal %s: %s", j->path, strerror(errno));
		goto reopen;
	}
	journal_sync_dir(j->path);
	r = 0;
reopen:
	if (r == -1) {
		(void)unlink(tmp);
		*error_r = xasprintf("%s; the journal is as it was", error);
		error = NULL;
	}
	free(error);
	free(tmp);
	if (store_open_flags(j->path, JOURNAL_FORMAT_VERSION, JOURNAL_READ, NULL, NULL,
	    &j->store, &error) == -1) {
		if (r == 0)
			*error_r = error;
		else
			free(error);
		return -1;
	}
	return r;
}

int
journal_add(struct journal *j, struct journal_entry *e, char **error_r)
{
	struct journal_entry copy, check;
	void *rec;
	size_t len;
	int r;

	journal_step();
	if (j->last == UINT64_MAX) {
		*error_r = xasprintf("cannot write the journal %s: no sequence number left",
		    j->path);
		return -1;
	}
	copy = *e;
	copy.seq = j->last + 1;
	rec = journal_entry_encode(&copy, &len);
	/* What would not read back is refused now, with the change still in
	 * the caller's hands, rather than found damaged at replay. */
	if (journal_entry_decode(rec, len, &check) == -1) {
		free(rec);
		*error_r = xasprintf("cannot write the journal %s: the change is past "
		    "the journal's limits", j->path);
		return -1;
	}
	journal_entry_free(&check);
	r = journal_commit(j, copy.seq, rec, len, copy.seq, error_r);
	free(rec);
	if (r == -1)
		return -1;
	j->last = copy.seq;
	e->seq = copy.seq;
	return 0;
}

int
journal_set_state(struct journal *j, uint64_t seq, enum journal_state state,
    char **error_r)
{
	struct journal_entry e;
	void *rec;
	size_t len;
	int r;

	journal_step();
	if ((unsigned)state > JOURNAL_STATE_LAST) {
		*error_r = xasprintf("journal %s: no state %d", j->path, (int)state);
		return -1;
	}
	r = journal_get(j, seq, &e, error_r);
	if (r == 0)
		*error_r = xasprintf("journal %s: no entry %llu", j->path,
		    (unsigned long long)seq);
	if (r != 1)
		return -1;
	e.state = state;
	rec = journal_entry_encode(&e, &len);
	journal_entry_free(&e);
	r = journal_commit(j, seq, rec, len, 0, error_r);
	free(rec);
	return r;
}

int
journal_remove(struct journal *j, uint64_t seq, char **error_r)
{
	journal_step();
	return journal_commit(j, seq, NULL, 0, 0, error_r);
}

int
journal_list(struct journal *j, uint64_t **seqs_r, size_t *n_r, char **error_r)
{
	struct store_key *keys;
	uint64_t *seqs;
	size_t i, n;

	*seqs_r = NULL;
	*n_r = 0;
	if (journal_keys(j, &keys, &n, error_r) == -1)
		return -1;
	seqs = xcalloc(n + 1, sizeof *seqs);
	for (i = 0; i < n; i++) {
		/* Only this file writes these keys: another length is damage
		 * that has no number to report it by. */
		if (keys[i].len != JOURNAL_KEY_LEN) {
			*error_r = xasprintf("journal %s: a key is damaged", j->path);
			store_keys_free(keys, n);
			free(seqs);
			return -1;
		}
		seqs[i] = rec_get_be64((unsigned char *)keys[i].data + 1);
	}
	store_keys_free(keys, n);
	*seqs_r = seqs;
	*n_r = n;
	return 0;
}

size_t
journal_count(struct journal *j)
{
	struct store_key *keys;
	size_t n;
	char *error = NULL;

	if (journal_keys(j, &keys, &n, &error) == -1) {
		free(error);
		return 0;
	}
	store_keys_free(keys, n);
	return n;
}

int
journal_get(struct journal *j, uint64_t seq, struct journal_entry *e_r, char **error_r)
{
	unsigned char key[JOURNAL_KEY_LEN];
	char *error = NULL;
	void *val;
	size_t len;
	int r;

	memset(e_r, 0, sizeof *e_r);
	if (j->store == NULL) {
		*error_r = xasprintf("cannot read the journal %s: it could not be opened again",
		    j->path);
		return -1;
	}
	journal_key(key, seq);
	r = store_get(j->store, key, sizeof key, &val, &len, &error);
	if (r == -1) {
		free(error);
		*error_r = xasprintf("cannot read the journal %s: %s", j->path,
		    store_reason(j->store));
		return -1;
	}
	if (r == 0)
		return 0;
	r = journal_entry_decode(val, len, e_r);
	free(val);
	/* A record under another entry's key is as wrong as a broken one. */
	if (r == 0 && e_r->seq != seq) {
		journal_entry_free(e_r);
		r = -1;
	}
	if (r == -1) {
		*error_r = xasprintf("journal %s: entry %llu is damaged", j->path,
		    (unsigned long long)seq);
		return -1;
	}
	return 1;
}
