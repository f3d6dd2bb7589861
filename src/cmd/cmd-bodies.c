/* The body cache from the session's side: opening it, filling it. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/bodies.h"
#include "cache/cache.h"
#include "cache/index.h"
#include "cmd/cmd-bodies.h"
#include "cmd/cmd-sync.h"
#include "imap/imap-client.h"
#include "imap/imap-parser.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* UIDs per UID FETCH of a prefetch. */
#define CMD_BODIES_BATCH 50

int
cmd_bodies_open(const struct conf *conf, const struct conf_account *acct,
    struct bodies **b_r, char **error_r)
{
	char *dir = cache_default_dir(conf_get(conf, "cache-dir"));
	uint64_t cap = 100u << 20;
	const char *size = conf_get(conf, "body-cache-size");
	int r;

	if (size != NULL)
		(void)conf_parse_size(size, &cap);
	r = bodies_open(dir, conf_account_name(acct), cap, cmd_cache_warn, NULL, b_r, error_r);
	free(dir);
	return r;
}

bool
cmd_fetch_uid_body(const struct imap_arg *items, size_t count, uint64_t *uid_r,
    const char **body_r, size_t *len_r)
{
	bool have_uid = false, have_body = false;
	size_t i;

	*uid_r = 0;
	*body_r = NULL;
	*len_r = 0;
	for (i = 0; i + 1 < count; i += 2) {
		const char *name;

		if (!imap_arg_get_atom(&items[i], &name))
			continue;
		if (str_caseeq(name, "UID"))
			have_uid = imap_arg_get_number(&items[i + 1], uid_r);
		else if (str_caseeq(name, "BODY[]") &&
		    imap_arg_get_nstring(&items[i + 1], body_r, len_r) && *body_r != NULL)
			have_body = true;
	}
	return have_uid && have_body;
}

struct cmd_fetch_one {
	uint32_t uid;
	struct buf *out;
	bool got, too_big;
	enum imap_result result;
	char *failure;
};

/* "* N FETCH (UID u BODY[] {len}...)": the message, when it is ours. */
static void
cmd_fetch_one_data(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	struct cmd_fetch_one *f = ctx;
	const char *body;
	size_t len;
	uint64_t uid;

	(void)seq;
	if (!cmd_fetch_uid_body(items, count, &uid, &body, &len) || uid != f->uid)
		return;
	buf_reset(f->out);
	f->too_big = buf_add(f->out, body, len) != 0;
	f->got = !f->too_big;
}

static void
cmd_fetch_one_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct cmd_fetch_one *f = ctx;

	f->result = result;
	if (result != IMAP_RESULT_OK && f->failure == NULL)
		f->failure = cmd_imap_failure("opening the message", result, tagged);
}

int
cmd_fetch_message(struct cmd_imap *session, uint32_t uid, struct buf *out, char **error_r)
{
	struct cmd_fetch_one f;
	struct imap_client_handlers h;
	struct imap_cmd_callbacks cb = { cmd_fetch_one_done, NULL, &f };
	struct imap_fetch_params fp;
	char set[16];
	int r;

	memset(&f, 0, sizeof(f));
	f.uid = uid;
	f.out = out;
	f.result = IMAP_RESULT_LOST;
	memset(&h, 0, sizeof(h));
	h.fetch = cmd_fetch_one_data;
	h.ctx = &f;
	memset(&fp, 0, sizeof(fp));
	/* BODY.PEEK: reading never sets \Seen by itself (PRODUCT.md). */
	fp.items = IMAP_FETCH_UID | IMAP_FETCH_BODY;
	snprintf(set, sizeof(set), "%" PRIu32, uid);
	cmd_imap_set_handlers(session, &h);
	if (imap_cmd_uid_fetch(cmd_imap_client(session), set, &fp, &cb) != 0) {
		cmd_imap_set_handlers(session, NULL);
		*error_r = xasprintf("cannot ask the server for message %" PRIu32, uid);
		return 1;
	}
	r = cmd_imap_wait(session, error_r);
	cmd_imap_set_handlers(session, NULL);
	if (r != 0) {
		free(f.failure);
		return -1;
	}
	if (f.result != IMAP_RESULT_OK) {
		*error_r = f.failure;
		return 1;
	}
	free(f.failure);
	if (f.too_big) {
		*error_r = xasprintf("message %" PRIu32 " is too large to show", uid);
		return 1;
	}
	if (!f.got) {
		*error_r = xasprintf("message %" PRIu32 " is no longer on the server", uid);
		return 1;
	}
	return 0;
}

struct cmd_prefetch {
	struct bodies *b;
	const char *wire;
	uint32_t uidvalidity;
	struct cmd_bodies_stats *stats;
	enum imap_result result;
	char *failure;
	char *store_error;
};

static void
cmd_prefetch_data(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	struct cmd_prefetch *p = ctx;
	const char *body;
	size_t len;
	uint64_t uid;

	(void)seq;
	if (!cmd_fetch_uid_body(items, count, &uid, &body, &len) || uid == 0 ||
	    uid > UINT32_MAX || p->store_error != NULL)
		return;
	if (bodies_put(p->b, p->wire, p->uidvalidity, (uint32_t)uid, body, len,
	    &p->store_error) == 0) {
		p->stats->fetched++;
		p->stats->bytes += len;
	}
}

static void
cmd_prefetch_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct cmd_prefetch *p = ctx;

	p->result = result;
	if (result != IMAP_RESULT_OK && p->failure == NULL)
		p->failure = cmd_imap_failure("fetching messages for the body cache", result,
		    tagged);
}

/* UID FETCH BODY.PEEK[] of set into the cache. */
static int
cmd_prefetch_batch(struct cmd_imap *session, struct cmd_prefetch *p, const char *set,
    char **error_r)
{
	struct imap_client_handlers h;
	struct imap_cmd_callbacks cb = { cmd_prefetch_done, NULL, p };
	struct imap_fetch_params fp;
	int r;

	memset(&h, 0, sizeof(h));
	h.fetch = cmd_prefetch_data;
	h.ctx = p;
	memset(&fp, 0, sizeof(fp));
	/* BODY.PEEK: prefetching is not reading (PRODUCT.md). */
	fp.items = IMAP_FETCH_UID | IMAP_FETCH_BODY;
	p->result = IMAP_RESULT_LOST;
	cmd_imap_set_handlers(session, &h);
	if (imap_cmd_uid_fetch(cmd_imap_client(session), set, &fp, &cb) != 0) {
		cmd_imap_set_handlers(session, NULL);
		*error_r = xstrdup("cannot ask the server for the messages");
		return -1;
	}
	r = cmd_imap_wait(session, error_r);
	cmd_imap_set_handlers(session, NULL);
	if (r != 0)
		return -1;
	if (p->store_error != NULL) {
		*error_r = p->store_error;
		p->store_error = NULL;
		return -1;
	}
	if (p->result != IMAP_RESULT_OK) {
		*error_r = p->failure;
		p->failure = NULL;
		return -1;
	}
	return 0;
}

int
cmd_bodies_prefetch(struct cmd_imap *session, struct bodies *b, const char *wire,
    const struct index *idx, const bool *want, struct cmd_bodies_stats *stats,
    char **error_r)
{
	struct cmd_prefetch p;
	struct buf set;
	size_t n = index_count(idx), i, in_batch = 0;
	uint64_t room = bodies_cap(b) > bodies_bytes(b) ? bodies_cap(b) - bodies_bytes(b) : 0;
	int r = 0;

	memset(stats, 0, sizeof(*stats));
	memset(&p, 0, sizeof(p));
	p.b = b;
	p.wire = wire;
	p.uidvalidity = index_state(idx)->uidvalidity;
	p.stats = stats;
	buf_init(&set, 1 << 20);
	/* Newest first, and only what fits: prefetching never evicts what it
	 * fetched itself. */
	for (i = n; i-- > 0;) {
		const struct index_msg *m = index_at(idx, i);

		if (want != NULL && !want[i])
			continue;
		if (bodies_has(b, wire, p.uidvalidity, m->uid)) {
			stats->cached++;
			continue;
		}
		if (m->size > room)
			break;
		room -= m->size;
		(void)buf_printf(&set, "%s%" PRIu32, in_batch > 0 ? "," : "", m->uid);
		if (++in_batch < CMD_BODIES_BATCH)
			continue;
		(void)buf_addc(&set, '\0');
		if ((r = cmd_prefetch_batch(session, &p, buf_ptr(&set), error_r)) != 0)
			break;
		buf_reset(&set);
		in_batch = 0;
	}
	if (r == 0 && in_batch > 0) {
		(void)buf_addc(&set, '\0');
		r = cmd_prefetch_batch(session, &p, buf_ptr(&set), error_r);
	}
	free(p.failure);
	free(p.store_error);
	buf_free(&set);
	return r;
}
