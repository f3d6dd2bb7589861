/* Bringing a folder's index up to date with the server. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/envelope.h"
#include "sync/sync-parse.h"
#include "sync/sync.h"

struct sync_ctx {
	struct sync_io *io;
	const char *folder;
	struct index *idx;
	struct sync_stats *stats;

	/* What the SELECT (EXAMINE) told. */
	uint32_t uidvalidity, uidnext, exists;
	uint64_t highestmodseq;
	bool nomodseq;

	/* The UIDVALIDITY the index was built under, and whether the server
	 * kept it: FETCHes under another one must not touch the index. */
	uint32_t cached_uidvalidity;
	bool uidvalidity_changed;

	/* Header fetch: only UIDs from here on are new. */
	uint32_t new_from;
	uint32_t fetched, expected;

	/* UID scan (expunge detection without QRESYNC). */
	struct sync_uids seen;
	bool scanning;

	bool failed_cmd;
	char *cmd_error;
};

static bool
sync_accept_fetch(const struct sync_ctx *s)
{
	return !s->uidvalidity_changed;
}

static void
sync_exists(void *ctx, uint32_t count)
{
	((struct sync_ctx *)ctx)->exists = count;
}

static void
sync_expunge(void *ctx, uint32_t seq)
{
	struct sync_ctx *s = ctx;

	/* A message went away while we looked; the count follows it. */
	(void)seq;
	if (s->exists > 0)
		s->exists--;
}

static bool
sync_in_set(uint32_t uid, void *ctx)
{
	return sync_uid_set_contains(ctx, uid);
}

static void
sync_vanished(void *ctx, bool earlier, const char *uid_set)
{
	struct sync_ctx *s = ctx;
	struct sync_uid_set set;
	size_t n;

	(void)earlier;
	if (!sync_accept_fetch(s) || sync_uid_set_parse(uid_set, &set) != 0)
		return;
	n = index_remove_if(s->idx, sync_in_set, &set);
	s->stats->vanished += (uint32_t)n;
	/* VANISHED without EARLIER also lowers the message count. */
	if (!earlier)
		s->exists = s->exists > set.count ? s->exists - (uint32_t)set.count : 0;
	sync_uid_set_free(&set);
}

static void
sync_fetch(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	struct sync_ctx *s = ctx;
	struct sync_fetch f;

	(void)seq;
	if (!sync_accept_fetch(s) || sync_fetch_parse(items, count, &f) != 0 || f.uid == 0)
		return;
	if (s->scanning) {
		sync_uids_add(&s->seen, f.uid);
		return;
	}
	if (f.header != NULL && f.uid >= s->new_from) {
		struct index_msg_in m;
		struct envelope env;

		envelope_parse(f.header, f.header_len, s->io->charset_fallback, &env);
		memset(&m, 0, sizeof(m));
		m.uid = f.uid;
		m.flags = f.flags;
		m.modseq = f.modseq;
		m.internaldate = f.internaldate;
		m.size = f.size;
		sync_envelope_fill(&m, &env);
		m.str[INDEX_STR_KEYWORDS] = f.keywords;
		if (index_find(s->idx, f.uid) < 0)
			s->stats->added++;
		index_put(s->idx, &m);
		envelope_free(&env);
		s->fetched++;
		if (s->io->progress != NULL)
			s->io->progress(s->io->ctx, s->folder, s->fetched, s->expected);
	} else if (f.have_flags) {
		const struct index_msg *old;
		long pos = index_find(s->idx, f.uid);
		uint32_t flags;

		if (pos < 0)
			goto out;	/* new: its headers come with the header fetch */
		old = index_at(s->idx, (size_t)pos);
		/* INDEX_HAS_ATTACHMENT comes from the headers, not the server's
		 * flags: keep it. A new MODSEQ alone is no change to report. */
		flags = f.flags | (old->flags & INDEX_HAS_ATTACHMENT);
		if (flags != old->flags ||
		    strcmp(index_msg_str(s->idx, old, INDEX_STR_KEYWORDS), f.keywords) != 0)
			s->stats->changed++;
		(void)index_set_flags(s->idx, f.uid, flags, f.keywords,
		    f.modseq != 0 ? f.modseq : old->modseq);
	}
out:
	sync_fetch_free(&f);
}

static void
sync_other(void *ctx, const struct imap_response *resp)
{
	struct sync_ctx *s = ctx;
	uint64_t n;

	if (resp->code == NULL || resp->code_count == 0)
		return;
	if (imap_arg_atom_equals(&resp->code[0], "UIDVALIDITY") && resp->code_count >= 2 &&
	    imap_arg_get_number(&resp->code[1], &n) && n > 0 && n <= UINT32_MAX) {
		s->uidvalidity = (uint32_t)n;
		s->uidvalidity_changed = s->cached_uidvalidity != 0 &&
		    s->uidvalidity != s->cached_uidvalidity;
	} else if (imap_arg_atom_equals(&resp->code[0], "UIDNEXT") && resp->code_count >= 2 &&
	    imap_arg_get_number(&resp->code[1], &n) && n <= UINT32_MAX) {
		s->uidnext = (uint32_t)n;
	} else if (imap_arg_atom_equals(&resp->code[0], "HIGHESTMODSEQ") &&
	    resp->code_count >= 2 && imap_arg_get_number(&resp->code[1], &n)) {
		s->highestmodseq = n;
	} else if (imap_arg_atom_equals(&resp->code[0], "NOMODSEQ")) {
		s->nomodseq = true;
	}
}

static void
sync_cmd_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct sync_ctx *s = ctx;
	if (result == IMAP_RESULT_OK || s->failed_cmd)
		return;
	s->failed_cmd = true;
	s->cmd_error = imap_result_text(result, tagged);
}

/* Runs what is queued; -1 with *error_r when the connection was lost or
 * a command failed (what names it). */
static int
sync_run(struct sync_ctx *s, const char *what, char **error_r)
{
	char *err = NULL;

	if (s->io->wait(s->io->ctx, &err) != 0) {
		*error_r = err;
		return -1;
	}
	if (s->failed_cmd) {
		*error_r = xasprintf("%s %s: %s", what, s->folder, s->cmd_error);
		return -1;
	}
	return 0;
}

static int
sync_queue_fetch(struct sync_ctx *s, const char *set, const struct imap_fetch_params *p)
{
	struct imap_cmd_callbacks cb = { sync_cmd_done, NULL, s };

	return imap_cmd_uid_fetch(s->io->client, set, p, &cb);
}

/* Without QRESYNC, expunges show as fewer messages than we know of:
 * only then ask for every UID (cheap: a number each) and drop the rest. */
static bool
sync_not_seen(uint32_t uid, void *ctx)
{
	return !sync_uids_contains(ctx, uid);
}

static int
sync_find_expunged(struct sync_ctx *s, char **error_r)
{
	struct imap_fetch_params p = { .items = IMAP_FETCH_UID };
	size_t n;

	if (index_count(s->idx) == s->exists)
		return 0;
	s->scanning = true;
	sync_uids_init(&s->seen);
	if (sync_queue_fetch(s, "1:*", &p) != 0)
		abort();
	if (sync_run(s, "listing the messages of", error_r) != 0) {
		sync_uids_free(&s->seen);
		s->scanning = false;
		return -1;
	}
	s->scanning = false;
	sync_uids_sort(&s->seen);
	/* Only what the server no longer has goes; never the reverse. */
	n = index_remove_if(s->idx, sync_not_seen, &s->seen);
	s->stats->vanished += (uint32_t)n;
	sync_uids_free(&s->seen);
	return 0;
}

int
sync_folder(struct sync_io *io, const char *folder, struct index *idx,
    struct sync_stats *stats_r, char **error_r)
{
	static const char *const qresync[] = { "QRESYNC", NULL };
	static const char *const fields[] = {
		"DATE", "FROM", "TO", "CC", "SUBJECT", "MESSAGE-ID", "IN-REPLY-TO",
		"REFERENCES", "CONTENT-TYPE", "LIST-ID", NULL
	};
	struct imap_client *c = io->client;
	const struct index_state *old = index_state(idx);
	struct imap_client_handlers h;
	struct imap_select_params sp;
	struct imap_fetch_params fp;
	struct imap_cmd_callbacks cb;
	struct index_state st;
	struct sync_ctx s;
	bool use_qresync, use_condstore;
	char set[32];
	int ret = -1;

	memset(stats_r, 0, sizeof(*stats_r));
	memset(&s, 0, sizeof(s));
	s.io = io;
	s.folder = folder;
	s.idx = idx;
	s.stats = stats_r;
	s.cached_uidvalidity = old->uidvalidity;
	memset(&h, 0, sizeof(h));
	h.exists = sync_exists;
	h.expunge = sync_expunge;
	h.vanished = sync_vanished;
	h.fetch = sync_fetch;
	h.other = sync_other;
	h.ctx = &s;
	io->set_handlers(io->ctx, &h);
	cb.done = sync_cmd_done;
	cb.data = NULL;
	cb.ctx = &s;

	use_qresync = imap_client_has(c, IMAP_CAP_QRESYNC);
	use_condstore = use_qresync || imap_client_has(c, IMAP_CAP_CONDSTORE);
	if (use_qresync && !io->qresync_enabled) {
		(void)imap_cmd_enable(c, qresync, NULL);
		io->qresync_enabled = true;
	}

	/* EXAMINE: read-only, so syncing can change nothing on the server. */
	memset(&sp, 0, sizeof(sp));
	sp.read_only = true;
	if (use_qresync && old->uidvalidity != 0 && old->highestmodseq != 0 &&
	    index_count(idx) > 0) {
		sp.qresync_uidvalidity = old->uidvalidity;
		sp.qresync_modseq = old->highestmodseq;
		stats_r->method = "qresync";
	} else if (use_condstore) {
		sp.condstore = true;
		stats_r->method = "condstore";
	} else {
		stats_r->method = "full";
	}
	if (imap_cmd_select(c, folder, &sp, &cb) != 0) {
		*error_r = xasprintf("folder %s: its name cannot be sent to the server", folder);
		goto done;
	}
	if (sync_run(&s, "opening", error_r) != 0)
		goto done;
	if (s.uidvalidity == 0) {
		*error_r = xasprintf("opening %s: the server gave no UIDVALIDITY", folder);
		goto done;
	}
	if (s.nomodseq)
		use_condstore = false;
	if (s.uidvalidity_changed || old->uidvalidity == 0) {
		/* Another folder now, or never seen: start from nothing. */
		if (index_count(idx) > 0)
			stats_r->rebuilt = true;
		index_clear(idx);
		s.uidvalidity_changed = false;
		s.cached_uidvalidity = s.uidvalidity;
		sp.qresync_uidvalidity = 0;
	}

	s.new_from = index_count(idx) > 0 && old->uidnext > 0 ? old->uidnext : 1;
	memset(&fp, 0, sizeof(fp));
	if (index_count(idx) > 0 && sp.qresync_uidvalidity == 0) {
		/* Known messages: their flags, all of them or what changed. */
		fp.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS;
		if (use_condstore && old->highestmodseq != 0) {
			fp.items |= IMAP_FETCH_MODSEQ;
			fp.changedsince = old->highestmodseq;
		}
		snprintf(set, sizeof(set), "1:%u", s.new_from > 1 ? s.new_from - 1 : 1);
		if (s.new_from > 1 && sync_queue_fetch(&s, set, &fp) != 0)
			abort();
	}
	/* New messages: everything from the old UIDNEXT on. "N:*" also
	 * returns the last message when N is above every UID; sync_fetch
	 * keeps only UIDs >= new_from. */
	if (s.uidnext == 0 || s.uidnext > s.new_from) {
		memset(&fp, 0, sizeof(fp));
		fp.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE |
		    IMAP_FETCH_SIZE | (use_condstore ? IMAP_FETCH_MODSEQ : 0);
		fp.header_fields = fields;
		s.expected = s.exists > index_count(idx) ? s.exists - (uint32_t)index_count(idx) : 0;
		snprintf(set, sizeof(set), "%u:*", s.new_from);
		if (sync_queue_fetch(&s, set, &fp) != 0)
			abort();
	}
	if (sync_run(&s, "reading", error_r) != 0)
		goto done;
	if (sp.qresync_uidvalidity == 0 && sync_find_expunged(&s, error_r) != 0)
		goto done;

	memset(&st, 0, sizeof(st));
	st.uidvalidity = s.uidvalidity;
	st.uidnext = s.uidnext;
	if (st.uidnext == 0 && index_count(idx) > 0)
		st.uidnext = index_at(idx, index_count(idx) - 1)->uid + 1;
	st.highestmodseq = use_condstore ? s.highestmodseq : 0;
	st.synced_at = (int64_t)time(NULL);
	index_set_state(idx, &st);
	stats_r->total = (uint32_t)index_count(idx);
	ret = 0;
done:
	io->set_handlers(io->ctx, NULL);
	free(s.cmd_error);
	return ret;
}
