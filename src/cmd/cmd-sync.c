/* Syncing folders into the header cache. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd-sync.h"
#include "imap/imap-utf7.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

void
cmd_cache_warn(void *ctx, const char *warning)
{
	(void)ctx;
	log_warn("%s", warning);
}

int
cmd_sync_cache_open(const struct conf *conf, const struct conf_account *acct,
    struct cache **cache_r, char **error_r)
{
	char *dir = cache_default_dir(conf_get(conf, "cache-dir"));
	int r = cache_open(dir, conf_account_name(acct), cmd_cache_warn, NULL, cache_r, error_r);

	free(dir);
	return r;
}

char *
cmd_folder_wire_name(const char *name, char delim)
{
	char *local, *p, *wire;

	/* INBOX is special in every case (RFC 3501 §5.1). */
	if (str_casecmp(name, "INBOX") == 0)
		return xstrdup("INBOX");
	if (delim == '/')
		return imap_utf7_encode(name);
	local = xstrdup(name);
	for (p = local; *p != '\0'; p++)
		if (*p == '/')
			*p = delim;
	wire = imap_utf7_encode(local);
	free(local);
	return wire;
}

#define CMD_SYNC_DELIM_STATE "delimiter"

char *
cmd_folder_wire(struct cmd_imap *session, struct cache *cache, const char *name)
{
	char delim = '/', *val = NULL, *error = NULL;
	size_t len;
	int found;

	if (strchr(name, '/') == NULL)
		return cmd_folder_wire_name(name, '/');
	found = cache != NULL ? cache_state_get(cache, CMD_SYNC_DELIM_STATE, &val, &len,
	    &error) : 0;
	if (found == 1 && len == 1)
		delim = val[0];
	free(error);		/* an unreadable record is only a guess lost */
	error = NULL;
	if (session != NULL) {
		char known = delim;

		delim = cmd_imap_delimiter(session);
		/* Remembered for --offline, which has no server to ask. */
		if (cache != NULL && (found != 1 || known != delim) &&
		    cache_state_put(cache, CMD_SYNC_DELIM_STATE, &delim, 1, &error) != 0)
			log_warn("%s", error);
	}
	free(error);
	free(val);
	return cmd_folder_wire_name(name, delim);
}

struct cmd_sync_ctx {
	struct cmd_imap *session;
	bool progress;
	time_t last;
	cmd_sync_progress_fn *progress_fn;
	void *progress_ctx;
	/* Saving as the headers arrive: a killed sync keeps them, and the
	 * save at the end is small (the UI does not stall on it). */
	struct cache *cache;
	const char *folder;
	struct index *idx;
	uint32_t saved_at;
};

/* Messages between two saves during a long sync. */
#define CMD_SYNC_SAVE_EVERY 5000

static void
cmd_sync_progress_relay(void *ctx, const char *folder, uint32_t done, uint32_t total)
{
	struct cmd_sync_ctx *c = ctx;
	char *error = NULL;

	if (c->progress_fn != NULL)
		c->progress_fn(c->progress_ctx, folder, done, total);
	if (c->cache != NULL && done >= c->saved_at + CMD_SYNC_SAVE_EVERY) {
		c->saved_at = done;
		/* The folder's state is not advanced until the end, so what
		 * is saved here is what a failure would keep. */
		if (cache_save(c->cache, c->folder, c->idx, &error) != 0) {
			log_warn("%s", error);
			free(error);
			c->cache = NULL;
		}
	}
}

static int
cmd_sync_wait(void *ctx, char **error_r)
{
	struct cmd_sync_ctx *c = ctx;

	return cmd_imap_wait(c->session, error_r);
}

static void
cmd_sync_set_handlers(void *ctx, const struct imap_client_handlers *h)
{
	struct cmd_sync_ctx *c = ctx;

	cmd_imap_set_handlers(c->session, h);
}

/* "INBOX: 1200/100000 headers" on stderr, at most a few times a second. */
static void
cmd_sync_progress(void *ctx, const char *folder, uint32_t done, uint32_t total)
{
	struct cmd_sync_ctx *c = ctx;
	struct timespec ts;

	if (!c->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (done != total && ts.tv_sec * 4 + ts.tv_nsec / 250000000 == c->last)
		return;
	c->last = ts.tv_sec * 4 + ts.tv_nsec / 250000000;
	fprintf(stderr, "\r%s: %u/%u headers\033[K", folder, done, total > done ? total : done);
	fflush(stderr);
}

int
cmd_sync_folder(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const char *folder, bool progress, struct index **idx_r, struct sync_stats *stats_r,
    char **error_r)
{
	struct cmd_sync_ctx ctx = { .session = session, .progress = progress };
	struct index *idx;
	int r;

	*idx_r = NULL;
	if (cache_load(cache, folder, &idx, error_r) != 0)
		return -1;
	r = cmd_sync_index(session, cache, conf, folder, idx, cmd_sync_progress, &ctx,
	    stats_r, error_r);
	if (progress && ctx.last != 0)
		fprintf(stderr, "\r\033[K");
	if (r != 0) {
		index_destroy(&idx);
		return -1;
	}
	*idx_r = idx;
	return 0;
}

int
cmd_sync_index(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const char *folder, struct index *idx, cmd_sync_progress_fn *progress, void *progress_ctx,
    struct sync_stats *stats_r, char **error_r)
{
	struct cmd_sync_ctx ctx = { .session = session, .progress_fn = progress,
	    .progress_ctx = progress_ctx, .cache = cache, .folder = folder, .idx = idx };
	struct sync_io io;
	char *save_error = NULL;
	int r;

	memset(&io, 0, sizeof(io));
	io.client = cmd_imap_client(session);
	io.wait = cmd_sync_wait;
	io.set_handlers = cmd_sync_set_handlers;
	io.ctx = &ctx;
	io.progress = cmd_sync_progress_relay;
	io.charset_fallback = conf_get(conf, "charset-fallback");
	io.qresync_enabled = *cmd_imap_qresync_enabled(session);
	r = sync_folder(&io, folder, idx, stats_r, error_r);
	*cmd_imap_qresync_enabled(session) = io.qresync_enabled;
	/* Even after a failure what arrived is kept: its state is not
	 * advanced, so the next sync fetches the rest. */
	if (cache_save(cache, folder, idx, &save_error) != 0) {
		if (r == 0) {
			*error_r = save_error;
			r = -1;
		} else {
			log_warn("%s", save_error);
			free(save_error);
		}
	}
	return r;
}
