/* The cache's key-value storage on Tokyo Cabinet's B+ tree (store.h). */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tcutil.h>
#include <tcbdb.h>

#include "cache/store.h"
#include "lib/xmalloc.h"

/* The key of the record that names the file's format; cache keys never
 * start with 'v'. */
#define STORE_VERSION_KEY "v"
#define STORE_LOCK_STEP_MS 100

struct store {
	TCBDB *bdb;
	char *path;
	const char *noun;		/* "cache file", or "file" (STORE_KEEP_DAMAGED) */
	char reason[128];		/* of the last failure */
	bool in_txn;
};

unsigned long store_put_calls;

/* The system's words for a failed system call, the library's otherwise.
 * err is errno as the failed call left it (callers clear errno before
 * calling the library, so a stale one is not blamed). */
static const char *
store_reason_of(int ecode, int err)
{
	switch (ecode) {
	case TCEOPEN:
	case TCECLOSE:
	case TCETRUNC:
	case TCESYNC:
	case TCESTAT:
	case TCESEEK:
	case TCEREAD:
	case TCEWRITE:
	case TCEMMAP:
	case TCEUNLINK:
	case TCERENAME:
	case TCEMKDIR:
	case TCERMDIR:
		if (err != 0)
			return strerror(err);
		break;
	default:
		break;
	}
	return tcerrmsg(ecode);
}

/* Keeps the reason of the failure that just happened and makes the
 * sentence: WHAT NOUN PATH: REASON. */
static char *
store_error(struct store *store, const char *what)
{
	int err = errno;

	snprintf(store->reason, sizeof store->reason, "%s",
	    store_reason_of(tcbdbecode(store->bdb), err));
	return xasprintf("%s %s %s: %s", what, store->noun, store->path, store->reason);
}

/* Tokyo Cabinet creates the file (and its transaction log, NAME.wal) with
 * the umask's mode; the cache holds mail headers, so nobody else may read
 * them whatever the umask is. */
static mode_t
store_umask_private(void)
{
	return umask(077);
}

static void
store_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Opens path with the lock taken without blocking, retrying while another
 * process holds it. Returns the database, or NULL with the error code. */
static TCBDB *
store_open_db(const char *path, int omode, int *ecode_r)
{
	TCBDB *bdb;
	mode_t old;
	long waited;
	bool ok;

	for (waited = 0;; waited += STORE_LOCK_STEP_MS) {
		bdb = tcbdbnew();
		/* Chunk records are tens of kilobytes and a leaf page holds its
		 * records' values: few members per leaf keep a rewrite of one
		 * chunk from rewriting many, and a small leaf cache keeps the
		 * memory bounded. Tuning applies when the file is created. */
		tcbdbtune(bdb, 4, 64, 512, 8, 10, 0);
		tcbdbsetcache(bdb, 64, 64);
		old = store_umask_private();
		ok = tcbdbopen(bdb, path, (omode & BDBOREADER) ? BDBOREADER | BDBOLCKNB :
		    BDBOWRITER | BDBOCREAT | BDBOLCKNB | omode);
		umask(old);
		if (ok)
			return bdb;
		*ecode_r = tcbdbecode(bdb);
		tcbdbdel(bdb);
		if ((*ecode_r != TCELOCK && *ecode_r != TCETHREAD) ||
		    waited >= STORE_LOCK_WAIT_MS)
			return NULL;
		store_sleep_ms(STORE_LOCK_STEP_MS);
	}
}

/* Creates path if needed with mode 0600, so that Tokyo Cabinet opens a
 * file whose mode is already right. Returns its size, or -1. */
static off_t
store_prepare_file(const char *path, const char *noun, char **error_r)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		*error_r = xasprintf("cannot open %s %s: %s", noun, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || fchmod(fd, 0600) == -1) {
		*error_r = xasprintf("cannot set the mode of %s %s: %s", noun, path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return st.st_size;
}

/* Moves a damaged file to PATH.corrupt-YYYYmmddHHMMSS. */
static int
store_move_aside(const char *path, const char *why, store_warn_fn *warn, void *ctx,
    char **error_r)
{
	char stamp[32], *aside, *msg;
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm) == 0)
		memcpy(stamp, "0", 2);
	aside = xasprintf("%s.corrupt-%s", path, stamp);
	if (rename(path, aside) == -1) {
		*error_r = xasprintf("cannot move damaged cache file %s aside: %s", path,
		    strerror(errno));
		free(aside);
		return -1;
	}
	msg = xasprintf("cache file %s was damaged (%s); moved it to %s and starting "
	    "a new cache", path, why, aside);
	if (warn != NULL)
		warn(ctx, msg);
	free(msg);
	free(aside);
	return 0;
}

/* A file the library cannot read, or of another format: a cache's is
 * moved aside (it can be rebuilt), one opened with STORE_KEEP_DAMAGED is
 * left for the user to look at, and the open fails. */
static int
store_damaged(const char *path, unsigned flags, const char *why, store_warn_fn *warn,
    void *ctx, char **error_r)
{
	if (flags & STORE_KEEP_DAMAGED) {
		*error_r = xasprintf("file %s cannot be read (%s); it was left as it is",
		    path, why);
		return -1;
	}
	return store_move_aside(path, why, warn, ctx, error_r);
}

/* Checks the format record: 1 when it matches (or the file is new and
 * now has one), 0 when the file holds another format, -1 on error. */
static int
store_check_version(TCBDB *bdb, unsigned version)
{
	unsigned char want[5];
	void *val;
	int len, r;

	want[0] = 'V';
	want[1] = (unsigned char)(version >> 24);
	want[2] = (unsigned char)(version >> 16);
	want[3] = (unsigned char)(version >> 8);
	want[4] = (unsigned char)version;
	val = tcbdbget(bdb, STORE_VERSION_KEY, 1, &len);
	if (val == NULL) {
		if (tcbdbecode(bdb) != TCENOREC)
			return 0;
		if (tcbdbrnum(bdb) != 0)
			return 0;
		return tcbdbput(bdb, STORE_VERSION_KEY, 1, want, sizeof want) ? 1 : -1;
	}
	r = (len == (int)sizeof want && memcmp(val, want, sizeof want) == 0);
	free(val);
	return r;
}

int
store_open(const char *path, unsigned version, store_warn_fn *warn, void *ctx,
    struct store **store_r, char **error_r)
{
	return store_open_flags(path, version, 0, warn, ctx, store_r, error_r);
}

int
store_open_flags(const char *path, unsigned version, unsigned flags, store_warn_fn *warn,
    void *ctx, struct store **store_r, char **error_r)
{
	/* A file kept when damaged holds what cannot be fetched again: it is
	 * no cache, and its errors do not call it one. */
	const char *noun = (flags & STORE_KEEP_DAMAGED) ? "file" : "cache file";
	int omode = (flags & STORE_READ_ONLY) ? BDBOREADER : (flags & STORE_SYNC) ? BDBOTSYNC : 0;
	struct store *store;
	TCBDB *bdb = NULL;
	off_t size;
	int attempt, ecode = TCESUCCESS, r;

	*store_r = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((size = store_prepare_file(path, noun, error_r)) == -1)
			return -1;
		bdb = store_open_db(path, omode, &ecode);
		if (bdb == NULL) {
			if (ecode == TCELOCK || ecode == TCETHREAD) {
				*error_r = xasprintf("%s %s is in use by another "
				    "tern (still locked after %d seconds)", noun, path,
				    STORE_LOCK_WAIT_MS / 1000);
				return -1;
			}
			if (ecode == TCENOPERM || ecode == TCENOFILE ||
			    ecode == TCEOPEN || size == 0) {
				*error_r = xasprintf("cannot open %s %s: %s", noun, path,
				    tcerrmsg(ecode));
				return -1;
			}
			if (store_damaged(path, flags, tcerrmsg(ecode), warn, ctx,
			    error_r) == -1)
				return -1;
			continue;
		}
		r = store_check_version(bdb, version);
		if (r == 1)
			break;
		ecode = tcbdbecode(bdb);
		tcbdbclose(bdb);
		tcbdbdel(bdb);
		bdb = NULL;
		if (r == -1) {
			*error_r = xasprintf("cannot write %s %s: %s", noun, path,
			    tcerrmsg(ecode));
			return -1;
		}
		if (store_damaged(path, flags, "it holds another format or is unreadable",
		    warn, ctx, error_r) == -1)
			return -1;
	}
	if (bdb == NULL) {
		*error_r = xasprintf("cannot create %s %s", noun, path);
		return -1;
	}
	store = xcalloc(1, sizeof *store);
	store->bdb = bdb;
	store->path = xstrdup(path);
	store->noun = noun;
	*store_r = store;
	return 0;
}

int
store_sync(struct store *store, char **error_r)
{
	if (!tcbdbsync(store->bdb)) {
		*error_r = store_error(store, "cannot write");
		return -1;
	}
	return 0;
}

void
store_close(struct store **storep)
{
	struct store *store = *storep;

	if (store == NULL)
		return;
	*storep = NULL;
	if (store->in_txn)
		tcbdbtranabort(store->bdb);
	tcbdbclose(store->bdb);
	tcbdbdel(store->bdb);
	free(store->path);
	free(store);
}

int
store_get(struct store *store, const void *key, size_t klen, void **val_r,
    size_t *len_r, char **error_r)
{
	void *val;
	int len;

	*val_r = NULL;
	*len_r = 0;
	if (klen > INT32_MAX)
		return 0;
	errno = 0;
	val = tcbdbget(store->bdb, key, (int)klen, &len);
	if (val == NULL) {
		if (tcbdbecode(store->bdb) == TCENOREC)
			return 0;
		*error_r = store_error(store, "cannot read");
		return -1;
	}
	*val_r = val;
	*len_r = (size_t)len;
	return 1;
}

int
store_put(struct store *store, const void *key, size_t klen, const void *val,
    size_t vlen, char **error_r)
{
	store_put_calls++;
	if (klen > INT32_MAX || vlen > INT32_MAX) {
		snprintf(store->reason, sizeof store->reason, "record too large");
		*error_r = xasprintf("cannot write %s %s: %s", store->noun, store->path,
		    store->reason);
		return -1;
	}
	errno = 0;
	if (!tcbdbput(store->bdb, key, (int)klen, val, (int)vlen)) {
		*error_r = store_error(store, "cannot write");
		return -1;
	}
	return 0;
}

int
store_del(struct store *store, const void *key, size_t klen, char **error_r)
{
	if (klen > INT32_MAX)
		return 0;
	errno = 0;
	if (!tcbdbout(store->bdb, key, (int)klen) &&
	    tcbdbecode(store->bdb) != TCENOREC) {
		*error_r = store_error(store, "cannot write");
		return -1;
	}
	return 0;
}

int
store_keys(struct store *store, const void *prefix, size_t plen,
    struct store_key **keys_r, size_t *n_r, char **error_r)
{
	struct store_key *keys;
	TCLIST *list;
	const void *k;
	int i, n, len;

	*keys_r = NULL;
	*n_r = 0;
	if (plen > INT32_MAX)
		return 0;
	errno = 0;
	list = tcbdbfwmkeys(store->bdb, prefix, (int)plen, -1);
	if (list == NULL) {
		*error_r = store_error(store, "cannot read");
		return -1;
	}
	/* An empty list can also mean a read error half-way. */
	n = tclistnum(list);
	if (n == 0 && tcbdbecode(store->bdb) != TCESUCCESS &&
	    tcbdbecode(store->bdb) != TCENOREC) {
		tclistdel(list);
		*error_r = store_error(store, "cannot read");
		return -1;
	}
	keys = xcalloc(n > 0 ? (size_t)n : 1, sizeof *keys);
	for (i = 0; i < n; i++) {
		k = tclistval(list, i, &len);
		keys[i].data = xmalloc((size_t)len + 1);
		memcpy(keys[i].data, k, (size_t)len);
		((char *)keys[i].data)[len] = '\0';
		keys[i].len = (size_t)len;
	}
	tclistdel(list);
	*keys_r = keys;
	*n_r = (size_t)n;
	return 0;
}

void
store_keys_free(struct store_key *keys, size_t n)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < n; i++)
		free(keys[i].data);
	free(keys);
}

int
store_begin(struct store *store, char **error_r)
{
	mode_t old;
	bool ok;

	/* The transaction log is a new file next to the cache. */
	old = store_umask_private();
	errno = 0;
	ok = tcbdbtranbegin(store->bdb);
	umask(old);
	if (!ok) {
		*error_r = store_error(store, "cannot start a transaction on");
		return -1;
	}
	store->in_txn = true;
	return 0;
}

int
store_commit(struct store *store, char **error_r)
{
	store->in_txn = false;
	errno = 0;
	if (!tcbdbtrancommit(store->bdb)) {
		*error_r = store_error(store, "cannot commit to");
		tcbdbtranabort(store->bdb);
		return -1;
	}
	return 0;
}

void
store_abort(struct store *store)
{
	if (store->in_txn)
		tcbdbtranabort(store->bdb);
	store->in_txn = false;
}

const char *
store_reason(const struct store *store)
{
	return store->reason;
}
