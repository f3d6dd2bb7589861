/* Unit tests for the header cache on disk: round trips, dirty-only
 * writes, UIDVALIDITY changes, file modes, damaged files and locking. */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/codec.h"
#include "cache/index.h"
#include "cache/store.h"
#include "lib/xmalloc.h"
#include "tap.h"

static char tmpdir[] = "/tmp/tern-test-cache-XXXXXX";
static char *dir;
static int warnings;
static char last_warning[512];

static void
on_warn(void *ctx, const char *warning)
{
	(void)ctx;
	warnings++;
	snprintf(last_warning, sizeof last_warning, "%s", warning);
}

/* Message uid of a synthetic folder; every field set, some empty, some
 * UTF-8, and strings that repeat across messages. */
static void
make_msg(uint32_t uid, struct index_msg_in *m, char *subject, size_t subjectsz,
    char *msgid, size_t msgidsz)
{
	static const char *froms[] = { "Zoë Müller <zoe@example.de>",
	    "Alice <alice@example.org>", "bob@example.net", "" };

	memset(m, 0, sizeof *m);
	m->uid = uid;
	m->flags = uid % 256;
	m->modseq = uid % 5 == 0 ? 0 : (uint64_t)uid * 1000003ULL + (1ULL << 40);
	m->internaldate = 1700000000 + (int64_t)uid * 37 - (uid % 3 == 0 ? 5000 : 0);
	m->date = uid % 7 == 0 ? INDEX_NO_DATE :
	    uid % 11 == 0 ? -86400 * 365 : m->internaldate - 120;
	m->size = uid % 13 == 0 ? UINT32_MAX : uid * 17;
	snprintf(subject, subjectsz, "%s %u — naïve café ☕", uid % 2 ? "Re:" : "", uid);
	snprintf(msgid, msgidsz, "<%u@example.org>", uid);
	m->str[INDEX_STR_SUBJECT] = uid % 17 == 0 ? "" : subject;
	m->str[INDEX_STR_FROM] = froms[uid % 4];
	m->str[INDEX_STR_TO] = "team@example.com\n\"Ops, Team\" <ops@example.com>";
	m->str[INDEX_STR_CC] = uid % 3 ? NULL : "carol@example.net";
	m->str[INDEX_STR_MESSAGE_ID] = msgid;
	m->str[INDEX_STR_IN_REPLY_TO] = uid % 2 ? "<1@example.org>" : "";
	m->str[INDEX_STR_REFERENCES] = uid % 2 ? "<0@example.org> <1@example.org>" : NULL;
	m->str[INDEX_STR_LIST_ID] = uid % 5 ? "" : "<dev.lists.example.org>";
	m->str[INDEX_STR_KEYWORDS] = uid % 4 ? "$label1 status/open" : "";
}

static struct index *
make_index(uint32_t first, uint32_t n)
{
	struct index *idx = index_create();
	struct index_msg_in m;
	char subject[128], msgid[64];
	uint32_t uid;

	for (uid = first; uid < first + n; uid++) {
		make_msg(uid, &m, subject, sizeof subject, msgid, sizeof msgid);
		index_put(idx, &m);
	}
	return idx;
}

/* Counts messages of b that differ from a in any field but chunk. */
static size_t
index_diff(const struct index *a, const struct index *b)
{
	const struct index_msg *x, *y;
	size_t i, k, bad = 0;

	if (index_count(a) != index_count(b))
		return (size_t)-1;
	for (i = 0; i < index_count(a); i++) {
		x = index_at(a, i);
		y = index_at(b, i);
		if (x->uid != y->uid || x->flags != y->flags || x->modseq != y->modseq ||
		    x->internaldate != y->internaldate || x->date != y->date ||
		    x->size != y->size) {
			bad++;
			continue;
		}
		for (k = 0; k < INDEX_STR_COUNT; k++)
			if (strcmp(index_msg_str(a, x, k), index_msg_str(b, y, k)) != 0)
				break;
		if (k < INDEX_STR_COUNT)
			bad++;
	}
	return bad;
}

static struct cache *
open_cache(const char *account)
{
	struct cache *cache = NULL;
	char *error = NULL;

	if (cache_open(dir, account, on_warn, NULL, &cache, &error) == -1) {
		tap_diag("cache_open: %s", error);
		free(error);
	}
	return cache;
}

static struct index *
load(struct cache *cache, const char *folder)
{
	struct index *idx = NULL;
	char *error = NULL;

	if (cache_load(cache, folder, &idx, &error) == -1) {
		tap_diag("cache_load: %s", error);
		free(error);
	}
	return idx;
}

static int
save(struct cache *cache, const char *folder, struct index *idx)
{
	char *error = NULL;
	int r;

	if ((r = cache_save(cache, folder, idx, &error)) == -1) {
		tap_diag("cache_save: %s", error);
		free(error);
	}
	return r;
}

static void
test_round_trip(void)
{
	struct index_state st = { 1234567, 2501, (1ULL << 40) + 5, 1700000123 };
	struct cache *cache;
	struct index *idx, *back;
	struct stat sb;
	char **folders, *path;

	cache = open_cache("me@example.org");
	tap_ok(cache != NULL, "open a new cache");
	if (cache == NULL)
		return;
	path = xasprintf("%s/me%%40example.org.tcb", dir);
	tap_is_str(cache_path(cache), path, "account made file-name safe");
	free(path);
	tap_ok(stat(cache_path(cache), &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "cache file mode 0600");
	tap_ok(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "cache directory mode 0700");

	back = load(cache, "INBOX");
	tap_ok(back != NULL && index_count(back) == 0, "an unknown folder loads empty");
	index_destroy(&back);

	idx = make_index(1, 2500);
	index_set_state(idx, &st);
	tap_is_int(save(cache, "INBOX", idx), 0, "save 2,500 messages");
	tap_ok(stat(cache_path(cache), &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "still 0600 after a transaction");
	cache_close(&cache);
	cache = open_cache("me@example.org");
	back = load(cache, "INBOX");
	tap_is_int(index_count(back), 2500, "load them back");
	tap_is_int(index_diff(idx, back), 0, "every field survives the round trip");
	tap_ok(memcmp(index_state(back), &st, sizeof st) == 0, "the state survives");
	tap_ok(!index_state_dirty(back), "a loaded index is clean");
	tap_is_int(warnings, 0, "no warnings");

	index_destroy(&back);
	back = make_index(1, 3);
	save(cache, "Archive/2024", back);
	folders = cache_folders(cache);
	tap_ok(folders[0] != NULL && strcmp(folders[0], "Archive/2024") == 0 &&
	    folders[1] != NULL && strcmp(folders[1], "INBOX") == 0 && folders[2] == NULL,
	    "cache_folders lists both, in byte order");
	cache_folders_free(folders);
	tap_is_int(cache_drop(cache, "Archive/2024", NULL), 0, "drop a folder");
	folders = cache_folders(cache);
	tap_ok(folders[0] != NULL && strcmp(folders[0], "INBOX") == 0 && folders[1] == NULL,
	    "it is gone");
	cache_folders_free(folders);
	index_destroy(&back);
	index_destroy(&idx);
	cache_close(&cache);
}

static void
test_dirty_only(void)
{
	struct cache *cache;
	struct store *store;
	struct index *idx, *back;
	unsigned long puts;
	void *before = NULL, *after = NULL;
	size_t blen, alen;
	char *path, *error = NULL;
	static const char key1[] = "f\0INBOX\0c\0\0\0\1";

	cache = open_cache("me@example.org");
	idx = load(cache, "INBOX");
	cache_close(&cache);

	/* The bytes of chunk 1 before. */
	path = xasprintf("%s/me%%40example.org.tcb", dir);
	store_open(path, CACHE_FORMAT_VERSION, on_warn, NULL, &store, &error);
	store_get(store, key1, sizeof key1 - 1, &before, &blen, &error);
	store_close(&store);

	cache = open_cache("me@example.org");
	index_set_flags(idx, 2400, INDEX_SEEN, "status/done", 99);
	puts = store_put_calls;
	tap_is_int(save(cache, "INBOX", idx), 0, "save one changed message");
	tap_is_int((long long)(store_put_calls - puts), 2,
	    "two records written: its chunk and the meta record");
	puts = store_put_calls;
	save(cache, "INBOX", idx);
	tap_is_int((long long)(store_put_calls - puts), 0, "nothing dirty, nothing written");
	cache_close(&cache);

	store_open(path, CACHE_FORMAT_VERSION, on_warn, NULL, &store, &error);
	store_get(store, key1, sizeof key1 - 1, &after, &alen, &error);
	store_close(&store);
	tap_ok(before != NULL && after != NULL && blen == alen &&
	    memcmp(before, after, blen) == 0, "the other chunks' bytes are unchanged");
	free(before);
	free(after);
	free(path);

	cache = open_cache("me@example.org");
	back = load(cache, "INBOX");
	tap_is_int(index_diff(idx, back), 0, "the change was saved");
	index_destroy(&back);

	/* Expunges, then reload. */
	tap_ok(index_remove(idx, 1) && index_remove(idx, 1500) && index_remove(idx, 2500),
	    "remove three");
	save(cache, "INBOX", idx);
	back = load(cache, "INBOX");
	tap_is_int(index_count(back), 2497, "reload after expunges");
	tap_is_int(index_diff(idx, back), 0, "the same messages");
	index_destroy(&back);
	index_destroy(&idx);
	cache_close(&cache);
}

static void
test_uidvalidity(void)
{
	struct index_state st = { 999, 11, 0, 1 };
	struct cache *cache;
	struct store *store;
	struct store_key *keys;
	struct index *idx, *fresh;
	size_t n, i, chunks = 0;
	char *path, *error = NULL;

	cache = open_cache("me@example.org");
	idx = load(cache, "INBOX");
	index_clear(idx);
	fresh = make_index(1, 10);
	for (i = 0; i < index_count(fresh); i++) {
		struct index_msg_in m;
		char subject[128], msgid[64];

		make_msg(index_at(fresh, i)->uid, &m, subject, sizeof subject, msgid,
		    sizeof msgid);
		index_put(idx, &m);
	}
	index_set_state(idx, &st);
	tap_is_int(save(cache, "INBOX", idx), 0, "save after a UIDVALIDITY change");
	cache_close(&cache);
	index_destroy(&idx);

	path = xasprintf("%s/me%%40example.org.tcb", dir);
	store_open(path, CACHE_FORMAT_VERSION, on_warn, NULL, &store, &error);
	store_keys(store, "f\0INBOX\0c", 9, &keys, &n, &error);
	chunks = n;
	store_keys_free(keys, n);
	store_close(&store);
	free(path);
	tap_is_int(chunks, 1, "no old chunk is left, one new");

	cache = open_cache("me@example.org");
	idx = load(cache, "INBOX");
	tap_is_int(index_diff(fresh, idx), 0, "the new messages load");
	tap_is_int(index_state(idx)->uidvalidity, 999, "with the new UIDVALIDITY");
	index_destroy(&idx);
	index_destroy(&fresh);
	cache_close(&cache);
}

/* After damage: a warning, an empty folder, and a cache that works. */
static void
check_recovers(const char *account, const char *what)
{
	struct cache *cache;
	struct index *idx, *back;

	warnings = 0;
	cache = open_cache(account);
	tap_ok(cache != NULL, "%s: the cache opens", what);
	if (cache == NULL)
		return;
	idx = load(cache, "INBOX");
	tap_ok(idx != NULL && index_count(idx) == 0, "%s: the folder loads empty", what);
	tap_ok(warnings > 0, "%s: with a warning (%s)", what, last_warning);
	index_destroy(&idx);
	idx = make_index(1, 1500);
	tap_is_int(save(cache, "INBOX", idx), 0, "%s: save works after", what);
	back = load(cache, "INBOX");
	tap_is_int(index_diff(idx, back), 0, "%s: and load", what);
	index_destroy(&back);
	index_destroy(&idx);
	cache_close(&cache);
}

static char *
account_path(const char *account)
{
	return xasprintf("%s/%s.tcb", dir, account);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, data, len) != (ssize_t)len)
		tap_diag("cannot write %s", path);
	if (fd != -1)
		close(fd);
}

static size_t
count_aside(const char *account)
{
	char *cmd;
	FILE *p;
	size_t n = 0;
	int c;

	cmd = xasprintf("ls %s | grep -c '^%s.tcb.corrupt-' ", dir, account);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%zu", &n) != 1)
			n = 0;
		while ((c = fgetc(p)) != EOF)
			;
		pclose(p);
	}
	free(cmd);
	return n;
}

static void
test_random_file(void)
{
	unsigned char junk[20000];
	char *path;
	size_t i;

	srand(7);
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)rand();
	path = account_path("random");
	write_file(path, junk, sizeof junk);
	check_recovers("random", "a file of random bytes");
	tap_is_int(count_aside("random"), 1, "it was moved aside");
	free(path);
}

static void
test_truncated_file(void)
{
	struct cache *cache;
	struct index *idx;
	struct stat sb;
	char *path;

	cache = open_cache("trunc");
	idx = make_index(1, 5000);
	save(cache, "INBOX", idx);
	index_destroy(&idx);
	cache_close(&cache);
	path = account_path("trunc");
	stat(path, &sb);
	if (truncate(path, sb.st_size / 2) == -1)
		tap_diag("truncate failed");
	check_recovers("trunc", "a file truncated to half");
	free(path);
}

/* Saves a 2,500-message INBOX in cache name, then changes one stored
 * record with edit, behind the cache's back. */
static void
edit_record(const char *name, const char *key, size_t keylen,
    void (*edit)(unsigned char *val, size_t len))
{
	struct cache *cache;
	struct store *store;
	struct index *idx;
	unsigned char *val;
	size_t len;
	char *path, *error = NULL;

	cache = open_cache(name);
	idx = make_index(1, 2500);
	save(cache, "INBOX", idx);
	index_destroy(&idx);
	cache_close(&cache);
	path = account_path(name);
	store_open(path, CACHE_FORMAT_VERSION, on_warn, NULL, &store, &error);
	if (store_get(store, key, keylen, (void **)&val, &len, &error) == 1) {
		edit(val, len);
		store_put(store, key, keylen, val, len, &error);
		free(val);
	}
	store_close(&store);
	free(path);
}

static void
flip_middle_byte(unsigned char *val, size_t len)
{
	val[len / 2] ^= 0x20;
}

/* A later format, correctly checksummed (the checksum skips the header). */
static void
bump_version(unsigned char *val, size_t len)
{
	(void)len;
	val[1] = CACHE_FORMAT_VERSION + 1;
}

static void
test_flipped_byte(void)
{
	static const char key0[] = "f\0INBOX\0c\0\0\0\0";

	edit_record("flip", key0, sizeof key0 - 1, flip_middle_byte);
	check_recovers("flip", "a chunk with a flipped byte");
	tap_is_int(count_aside("flip"), 0, "the file itself is kept");
}

static void
test_future_version(void)
{
	static const char key1[] = "f\0INBOX\0c\0\0\0\1";
	struct store *store;
	char *path, *error = NULL;

	edit_record("future", key1, sizeof key1 - 1, bump_version);
	check_recovers("future", "a chunk record of a future version");

	/* A whole file of a later format. */
	path = account_path("future");
	store_open(path, CACHE_FORMAT_VERSION, on_warn, NULL, &store, &error);
	store_put(store, "v", 1, "V\0\0\0\x63", 5, &error);
	store_close(&store);
	check_recovers("future", "a file of a future version");
	tap_is_int(count_aside("future"), 1, "that file was moved aside");
	free(path);
}

static void
test_locked(void)
{
	struct cache *cache;
	char *error = NULL;
	int pipefd[2], status;
	time_t t0;
	pid_t pid;
	char c;

	if (pipe(pipefd) == -1)
		return;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		cache = open_cache("locked");
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		sleep(30);
		cache_close(&cache);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		tap_diag("the child did not open the cache");
	close(pipefd[0]);
	t0 = time(NULL);
	cache = NULL;
	tap_is_int(cache_open(dir, "locked", on_warn, NULL, &cache, &error), -1,
	    "a cache locked by another process does not open");
	tap_ok(time(NULL) - t0 >= 2, "after waiting a few seconds");
	tap_ok(error != NULL && strstr(error, "in use by another tern") != NULL,
	    "with a clear error: %s", error != NULL ? error : "(none)");
	free(error);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	cache = open_cache("locked");
	tap_ok(cache != NULL, "it opens once the other process is gone");
	cache_close(&cache);
}

static void
test_default_dir(void)
{
	char *d;

	d = cache_default_dir("/srv/cache");
	tap_is_str(d, "/srv/cache", "cache-dir wins");
	free(d);
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	d = cache_default_dir(NULL);
	tap_is_str(d, "/x/cache/tern", "then $XDG_CACHE_HOME/tern");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1);
	d = cache_default_dir(NULL);
	tap_is_str(d, "/home/u/.cache/tern", "a relative XDG_CACHE_HOME is ignored");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	d = cache_default_dir("");
	tap_is_str(d, "/home/u/.cache/tern", "else ~/.cache/tern");
	free(d);
}

static void
test_state_records(void)
{
	char sdir[] = "/tmp/tern-state-XXXXXX";
	struct cache *cache = NULL;
	char *error = NULL, *val = NULL, **folders;
	size_t len = 0;

	tap_ok(mkdtemp(sdir) != NULL, "state: temp sdir");
	tap_is_int(cache_open(sdir, "acct", NULL, NULL, &cache, &error), 0, "state: open");
	tap_is_int(cache_state_get(cache, "filter/a/INBOX", &val, &len, &error), 0,
	    "state: absent at first");
	tap_is_int(cache_state_put(cache, "filter/a/INBOX", "abc", 3, &error), 0, "state: put");
	tap_is_int(cache_state_get(cache, "filter/a/INBOX", &val, &len, &error), 1, "state: found");
	tap_is_mem(val, len, "abc", 3, "state: value");
	free(val);
	folders = cache_folders(cache);
	tap_ok(folders != NULL && folders[0] == NULL, "state records are not folders");
	cache_folders_free(folders);
	cache_close(&cache);
	tap_is_int(cache_open(sdir, "acct", NULL, NULL, &cache, &error), 0, "state: reopen");
	tap_is_int(cache_state_get(cache, "filter/a/INBOX", &val, &len, &error), 1,
	    "state: kept across opens");
	free(val);
	tap_is_int(cache_state_del(cache, "filter/a/INBOX", &error), 0, "state: delete");
	tap_is_int(cache_state_get(cache, "filter/a/INBOX", &val, &len, &error), 0, "state: gone");
	cache_close(&cache);
	{
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf %s", sdir);
		tap_is_int(system(cmd), 0, "state: cleaned up");
	}
}

int
main(void)
{
	test_state_records();
	char *cmd;
	int rc;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* A subdirectory, so that cache_open creates it. */
	dir = xasprintf("%s/cache/tern", tmpdir);
	test_round_trip();
	test_dirty_only();
	test_uidvalidity();
	test_random_file();
	test_truncated_file();
	test_flipped_byte();
	test_future_version();
	test_locked();
	test_default_dir();
	rc = tap_done();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	free(cmd);
	free(dir);
	return rc;
}
