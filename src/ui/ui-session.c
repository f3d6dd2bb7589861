/* The account's session behind the interactive client: connecting on a
 * worker thread, the open folder's index, jobs, sync, IDLE, reconnecting
 * with back-off, actions and undo. */
#include "config.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/bodies.h"
#include "cmd/cmd-bodies.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-journal.h"
#include "cmd/cmd-pop3sync.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-team.h"
#include "imap/imap-utf7.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "net/worker.h"
#include "sync/sync-parse.h"
#include "ui/ui-private.h"

/* The largest message the pager fetches whole. */
#define UI_LITERAL_MAX (256u * 1024 * 1024)
#define UI_RECONNECT_BASE_MS 1000
#define UI_RECONNECT_MAX_MS (5 * 60 * 1000)

struct ui_job {
	char *what;
	ui_job_fn *fn;
	void *ctx;
	void (*free_ctx)(void *ctx);
	struct ui_job *next;
};

enum ui_conn_state {
	UI_CONN_CONNECTING,
	UI_CONN_READY,
	UI_CONN_OFFLINE,
};

/* What a connecting worker thread gets and gives back. */
struct ui_connect {
	const struct conf *conf;
	const struct conf_account *acct;
	const struct cmd_login_secret *secret;
	struct net_conn *net;
	enum net_conn_error kind;
	char *error;
	struct ui_session *s;
};

/* The last action, for undo. */
struct ui_undo {
	bool valid;
	struct cmd_actions actions;	/* the opposite of a flag action */
	struct sync_uids uids;		/* ... for these messages */
	char *moved_to;			/* a move or delete: where they went */
	char *moved_from;
	char **message_ids;
	size_t n;
};

struct ui_session {
	struct cmd_login_secret secret;
	struct cache *cache;
	struct bodies *bodies;		/* NULL when it cannot be opened */
	char *folder;			/* as the user writes it */
	char *wire;
	struct index *idx;
	bool synced;
	bool need_sync;
	bool folders_polled;		/* the other folders' counts, once per run */
	uint32_t sync_done, sync_total;

	enum ui_conn_state conn;
	bool cut_off;			/* a connection failed since the last success */
	struct ui_connect *connecting;
	struct net_worker *worker;
	bool connect_done;
	struct cmd_imap *imap;
	struct cmd_apply *apply;
	struct net_reconnect reconnect;
	char *last_error;

	struct ui_job *jobs, **jobs_tail;
	struct ui_job *running;
	char *pending_folder;

	bool idling;
	struct net_loop_timer *poll_timer;
	bool poll_due;

	struct ui_undo undo;
	size_t waiting;			/* changes in the journal */
	bool need_replay;
	char state[160];
	char *rights;			/* a team folder's MYRIGHTS, once known */
	bool pop3;			/* a pop3= account: read through POP3, no IMAP */
};

static void ui_session_connect(void *ctx);

/* An action on messages of the open folder, as a job. */
struct ui_act {
	struct cmd_actions actions;
	struct sync_uids uids;
	char *folder;
};

static int ui_act_job(struct ui *ui, void *ctx, char **error_r);

/* ---- jobs ---- */

static void
ui_job_free(struct ui_job *j)
{
	if (j->free_ctx != NULL)
		j->free_ctx(j->ctx);
	free(j->what);
	free(j);
}

void
ui_job_add(struct ui *ui, const char *what, ui_job_fn *fn, void *ctx, void (*free_ctx)(void *ctx))
{
	struct ui_session *s = ui->session;
	struct ui_job *j = xcalloc(1, sizeof(*j));

	j->what = xstrdup(what);
	j->fn = fn;
	j->ctx = ctx;
	j->free_ctx = free_ctx;
	*s->jobs_tail = j;
	s->jobs_tail = &j->next;
	if (s->conn != UI_CONN_READY)
		ui_message(ui, "%s when the connection is back", what);
	ui_dirty(ui);
}

bool
ui_job_running(const struct ui *ui)
{
	return ui->session->running != NULL;
}

static void
ui_job_push_front(struct ui_session *s, struct ui_job *j)
{
	j->next = s->jobs;
	s->jobs = j;
	if (s->jobs_tail == &s->jobs)
		s->jobs_tail = &j->next;
}

static struct ui_job *
ui_job_pop(struct ui_session *s)
{
	struct ui_job *j = s->jobs;

	if (j == NULL)
		return NULL;
	s->jobs = j->next;
	if (s->jobs == NULL)
		s->jobs_tail = &s->jobs;
	j->next = NULL;
	return j;
}

/* ---- accessors ---- */

struct cmd_imap *
ui_session_imap(struct ui *ui)
{
	return ui->session->conn == UI_CONN_READY ? ui->session->imap : NULL;
}

struct cache *
ui_session_cache(struct ui *ui)
{
	return ui->session->cache;
}

const char *
ui_session_folder(struct ui *ui)
{
	return ui->session->folder;
}

struct cmd_apply *
ui_session_apply(struct ui *ui)
{
	return ui->session != NULL ? ui->session->apply : NULL;
}

const char *
ui_session_rights(struct ui *ui)
{
	return ui->session != NULL ? ui->session->rights : NULL;
}

struct index *
ui_session_index(struct ui *ui)
{
	return ui->session->idx;
}

bool
ui_session_synced(struct ui *ui)
{
	return ui->session->synced;
}

const char *
ui_session_state(struct ui *ui)
{
	struct ui_session *s = ui->session;

	switch (s->conn) {
	case UI_CONN_CONNECTING:
		if (s->waiting > 0)
			snprintf(s->state, sizeof(s->state), "connecting, %zu change%s waiting",
			    s->waiting, s->waiting == 1 ? "" : "s");
		else
			snprintf(s->state, sizeof(s->state), "connecting");
		break;
	case UI_CONN_OFFLINE:
		if (s->waiting > 0)
			snprintf(s->state, sizeof(s->state), "offline, %zu change%s waiting",
			    s->waiting, s->waiting == 1 ? "" : "s");
		else
			snprintf(s->state, sizeof(s->state), "offline, reconnecting");
		break;
	case UI_CONN_READY:
		if (s->running != NULL && s->sync_total > 0 && !s->synced)
			snprintf(s->state, sizeof(s->state), "syncing %u/%u", s->sync_done,
			    s->sync_total);
		else if (s->running != NULL)
			snprintf(s->state, sizeof(s->state), "%s", s->running->what);
		else if (!s->synced)
			snprintf(s->state, sizeof(s->state), "syncing");
		else
			s->state[0] = '\0';
		break;
	}
	return s->state;
}

/* ---- the folder ---- */

static int
ui_session_load(struct ui *ui, const char *folder, char **error_r)
{
	struct ui_session *s = ui->session;
	struct index *idx;
	char *wire = cmd_folder_wire(s->imap, s->cache, folder);

	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	if (cache_load(s->cache, wire, &idx, error_r) != 0) {
		free(wire);
		return -1;
	}
	if (s->idx != NULL) {
		char *error = NULL;

		if (cache_save(s->cache, s->wire, s->idx, &error) != 0) {
			ui_error(ui, "%s", error);
			free(error);
		}
		index_destroy(&s->idx);
	}
	free(s->folder);
	free(s->wire);
	free(s->rights);
	s->rights = NULL;
	s->folder = xstrdup(folder);
	s->wire = wire;
	s->idx = idx;
	s->synced = false;
	s->need_sync = true;
	s->sync_done = s->sync_total = 0;
	ui_dirty(ui);
	return 0;
}

void
ui_session_open_folder(struct ui *ui, const char *folder)
{
	struct ui_session *s = ui->session;
	char *error = NULL;

	if (s->running != NULL) {
		/* The running job may hold the index: switch when it ends. */
		free(s->pending_folder);
		s->pending_folder = xstrdup(folder);
		ui_message(ui, "opening %s once the current operation ends", folder);
		return;
	}
	if (ui_session_load(ui, folder, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
		return;
	}
	if (ui->index_view != NULL && ui->index_view->ops->changed != NULL)
		ui->index_view->ops->changed(ui->index_view);
}

/* ---- sync ---- */

static void
ui_session_progress(void *ctx, const char *folder, uint32_t done, uint32_t total)
{
	struct ui *ui = ctx;

	(void)folder;
	ui->session->sync_done = done;
	ui->session->sync_total = total;
	ui_dirty(ui);
}

/* The team's pass over new mail (cmd_team_arrivals, then
 * cmd_team_acknowledge when acknowledge=yes); what it changed shows after
 * the next sync. */
static int
ui_session_team_arrivals(struct ui *ui, const struct conf_team *team, char **error_r)
{
	struct ui_session *s = ui->session;
	struct cmd_team_stats st;
	const char *ack;

	if (cmd_team_load_settings(s->apply, team, error_r) != 0)
		return -1;
	if (s->rights != NULL && strchr(s->rights, 'w') == NULL)
		return 0;
	ack = cmd_team_get(team, "acknowledge");
	memset(&st, 0, sizeof(st));
	if (cmd_team_arrivals(s->apply, ui->acct, team, s->folder, s->idx, false, &st,
	    error_r) != 0)
		return -1;
	if (ack != NULL && strcmp(ack, "yes") == 0 &&
	    conf_account_server(ui->acct, CONF_PROTO_SMTP) != NULL &&
	    cmd_team_acknowledge(s->apply, ui->conf, ui->acct, team, s->folder, s->idx,
	    &s->secret, false, &st, error_r) != 0)
		return -1;
	/* Shown after a sync; not after a failure, which would only repeat. */
	if (st.failures == 0 && st.opened + st.reopened + st.joined + st.acked > 0)
		s->need_sync = true;
	return 0;
}

/* A POP3 mailbox's sync: UIDL and TOP for the new ones; a server that
 * cannot be reached is a lost connection (retried with back-off). */
static int
ui_session_pop3_sync(struct ui *ui, char **error_r)
{
	struct ui_session *s = ui->session;
	struct sync_stats stats;
	char *error = NULL;
	bool lost = false;

	if (cmd_pop3_sync(ui->conf, ui->acct, &s->secret, s->cache, s->idx, &stats, &lost,
	    &error) != 0) {
		if (lost) {
			*error_r = error;
			return -1;
		}
		ui_error(ui, "%s", error);
		free(error);
		return 0;
	}
	if (cache_save(s->cache, s->wire, s->idx, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
	}
	s->synced = true;
	ui->urgent = true;
	ui_dirty(ui);
	return 0;
}

static int
ui_session_sync_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_session *s = ui->session;
	const struct conf_team *team;
	struct sync_stats stats;

	(void)ctx;
	memset(&stats, 0, sizeof(stats));
	s->sync_done = s->sync_total = 0;
	if (s->pop3)
		return ui_session_pop3_sync(ui, error_r);
	if (cmd_sync_index(s->imap, s->cache, ui->conf, s->wire, s->idx, ui_session_progress, ui,
	    &stats, error_r) != 0)
		return -1;
	s->synced = true;
	s->sync_total = 0;
	/* In a team folder the keys say at once what the user may not do,
	 * and new mail joins its conversation (and is acknowledged) as
	 * tern --filter would do it from cron. */
	if ((team = cmd_team_of(ui->conf, ui->acct, s->folder)) != NULL) {
		if (s->rights == NULL &&
		    cmd_apply_myrights(s->apply, s->folder, &s->rights, error_r) != 0)
			return -1;
		if (ui_session_team_arrivals(ui, team, error_r) != 0)
			return -1;
	}
	/* The end of a sync is news the user waits for: drawn at once, not
	 * after the draw interval that paces the rows arriving. */
	ui->urgent = true;
	ui_dirty(ui);
	/* The open folder first; then the counts of the others, so the
	 * sidebar and the folder list are filled before the first poll. */
	if (!s->folders_polled) {
		s->folders_polled = true;
		ui_folders_poll(ui);
	}
	return 0;
}

/* ---- the offline journal ---- */

struct ui_replay_report {
	struct ui *ui;
	char *last;
};

static void
ui_session_replay_report(void *ctx, const char *sentence)
{
	struct ui_replay_report *rr = ctx;

	free(rr->last);
	rr->last = xstrdup(sentence);
}

static int
ui_session_replay_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_session *s = ui->session;
	struct ui_replay_report rr = { ui, NULL };
	struct cmd_replay r;
	struct journal *j = NULL;
	int rc;

	(void)ctx;
	if (cmd_journal_open(ui->conf, ui->acct, false, &j, error_r) != 0)
		return -1;
	if (j == NULL) {
		s->waiting = 0;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.session = s->imap;
	r.cache = s->cache;
	r.conf = ui->conf;
	r.acct = ui->acct;
	r.secret = &s->secret;
	r.report = ui_session_replay_report;
	r.ctx = &rr;
	rc = cmd_journal_replay(j, &r, error_r);
	s->waiting = journal_count(j);
	journal_close(&j);
	s->need_sync = true;
	if (r.forgot) {
		/* The view shows what did not happen: read it again whole. */
		struct index_state zero;

		memset(&zero, 0, sizeof(zero));
		index_clear(s->idx);
		index_set_state(s->idx, &zero);
		s->synced = false;
		if (ui->index_view != NULL && ui->index_view->ops->changed != NULL)
			ui->index_view->ops->changed(ui->index_view);
		ui_dirty(ui);
	}
	if (rr.last != NULL)
		ui_error(ui, "%lu offline change%s not applied: %s", r.conflicts,
		    r.conflicts == 1 ? "" : "s", rr.last);
	else if (rc == 0 && r.replayed > 0)
		ui_message(ui, "%lu change%s made offline sent", r.replayed,
		    r.replayed == 1 ? "" : "s");
	free(rr.last);
	return rc;
}

/* Records in the journal what cannot reach the server now. */
static int
ui_session_journal_actions(struct ui *ui, const char *folder, const struct cmd_actions *a,
    const struct sync_uids *uids)
{
	struct ui_session *s = ui->session;
	char *error = NULL;
	const struct index *idx = strcmp(folder, s->folder) == 0 ? s->idx : NULL;

	if (cmd_journal_keep_actions(ui->conf, ui->acct, folder, idx, a, uids, &s->waiting,
	    &error) != 0) {
		ui_error(ui, "%s: the change was not kept", error);
		free(error);
		return -1;
	}
	return 0;
}

int
ui_session_journal_message(struct ui *ui, enum journal_kind kind, const struct cmd_draft *draft,
    const struct buf *msg, char *const *rcpts, const char *from)
{
	struct ui_session *s = ui->session;
	char *error = NULL;

	if (cmd_journal_keep_message(ui->conf, ui->acct, kind, draft, buf_ptr(msg),
	    buf_len(msg), rcpts, from, &s->waiting, &error) != 0) {
		ui_error(ui, "%s: the message was not queued", error);
		free(error);
		return -1;
	}
	ui_message(ui, "offline: %s when the connection is back (%zu change%s waiting)",
	    kind == JOURNAL_SEND ? "sent" : "saved to Drafts", s->waiting,
	    s->waiting == 1 ? "" : "s");
	ui_dirty(ui);
	return 0;
}

/* ---- IDLE: the server tells us about new mail in the open folder ---- */

static void
ui_session_idle_event(struct ui *ui)
{
	ui->session->need_sync = true;
}

static void
ui_session_idle_exists(void *ctx, uint32_t count)
{
	(void)count;
	ui_session_idle_event(ctx);
}

static void
ui_session_idle_expunge(void *ctx, uint32_t seq)
{
	(void)seq;
	ui_session_idle_event(ctx);
}

static void
ui_session_idle_vanished(void *ctx, bool earlier, const char *set)
{
	(void)earlier;
	(void)set;
	ui_session_idle_event(ctx);
}

static void
ui_session_idle_fetch(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	(void)seq;
	(void)items;
	(void)count;
	ui_session_idle_event(ctx);
}

static void
ui_session_idle_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct ui *ui = ctx;

	(void)result;
	(void)tagged;
	ui->session->idling = false;
}

static void
ui_session_idle_start(struct ui *ui)
{
	struct ui_session *s = ui->session;
	struct imap_client *client = cmd_imap_client(s->imap);
	struct imap_client_handlers h;
	struct imap_cmd_callbacks cb = { ui_session_idle_done, NULL, ui };

	if (!imap_client_has(client, IMAP_CAP_IDLE))
		return;
	memset(&h, 0, sizeof(h));
	h.exists = ui_session_idle_exists;
	h.expunge = ui_session_idle_expunge;
	h.vanished = ui_session_idle_vanished;
	h.fetch = ui_session_idle_fetch;
	h.ctx = ui;
	cmd_imap_set_handlers(s->imap, &h);
	if (imap_cmd_idle(client, &cb) == 0) {
		s->idling = true;
		cmd_imap_flush(s->imap);
	} else {
		cmd_imap_set_handlers(s->imap, NULL);
	}
}

static void
ui_session_idle_stop(struct ui *ui)
{
	struct ui_session *s = ui->session;

	if (!s->idling)
		return;
	imap_client_idle_done(cmd_imap_client(s->imap));
	cmd_imap_flush(s->imap);
	s->idling = false;
	cmd_imap_set_handlers(s->imap, NULL);
}

/* Every check-interval: other folders' counts (and the open one when
 * the server has no IDLE). */
static void
ui_session_poll_timer(void *ctx)
{
	struct ui *ui = ctx;
	struct ui_session *s = ui->session;
	uint64_t secs = 60;
	const char *v = conf_account_get(ui->acct, "check-interval");

	s->poll_timer = NULL;
	if (v != NULL && conf_parse_duration(v, &secs) != 0)
		secs = 60;
	if (secs < 5)
		secs = 5;
	s->poll_due = true;
	s->poll_timer = net_loop_timer_add(ui->loop, (int64_t)secs * 1000,
	    ui_session_poll_timer, ui);
}

/* ---- connecting ---- */

static void
ui_connect_work(void *ctx)
{
	struct ui_connect *c = ctx;

	(void)cmd_login_open(c->conf, c->acct, CONF_PROTO_IMAP, c->secret, &c->net, &c->kind,
	    &c->error);
}

static void
ui_connect_drop(void *ctx)
{
	struct ui_connect *c = ctx;

	net_conn_close(&c->net);
	free(c->error);
	free(c);
}

static void
ui_connect_done(void *ctx)
{
	struct ui_connect *c = ctx;

	c->s->worker = NULL;
	c->s->connect_done = true;
}

static void
ui_session_connect(void *ctx)
{
	struct ui *ui = ctx;
	struct ui_session *s = ui->session;
	struct ui_connect *c;

	if (s->pop3) {
		/* Each POP3 step opens its own session: nothing to hold. */
		s->conn = UI_CONN_READY;
		s->need_sync = true;
		ui_dirty(ui);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->conf = ui->conf;
	c->acct = ui->acct;
	c->secret = &s->secret;
	c->s = s;
	s->connecting = c;
	s->connect_done = false;
	s->conn = UI_CONN_CONNECTING;
	s->worker = net_worker_start(ui->loop, ui_connect_work, ui_connect_done, ui_connect_drop, c);
	if (s->worker == NULL) {
		c->error = xstrdup("cannot start a thread to connect");
		s->connect_done = true;
	}
	ui_dirty(ui);
}

static void
ui_session_lost(struct ui *ui, const char *why)
{
	struct ui_session *s = ui->session;
	int64_t delay;

	s->idling = false;
	cmd_apply_destroy(&s->apply);
	cmd_imap_close(&s->imap);
	s->conn = UI_CONN_OFFLINE;
	s->cut_off = true;
	s->synced = false;
	s->need_sync = true;
	delay = net_reconnect_schedule(&s->reconnect);
	if (why != NULL) {
		free(s->last_error);
		s->last_error = xstrdup(why);
		ui_error(ui, "%s; reconnecting in %lld s", why,
		    (long long)((delay > 0 ? delay : 0) + 999) / 1000);
	}
	ui_dirty(ui);
}

/* The worker finished: attach the connection (a CAPABILITY round trip,
 * run here at the top of the loop, where waiting is allowed). */
static void
ui_session_attach(struct ui *ui)
{
	struct ui_session *s = ui->session;
	struct ui_connect *c = s->connecting;
	char *error = NULL;
	enum net_conn_error kind = NET_CONN_ERR_NONE;

	s->connecting = NULL;
	s->connect_done = false;
	if (c->net == NULL) {
		ui_session_lost(ui, c->error != NULL ? c->error : "cannot connect");
		ui_connect_drop(c);
		return;
	}
	if (cmd_imap_attach(ui->conf, ui->acct, ui->loop, &c->net, UI_LITERAL_MAX, &s->imap,
	    &kind, &error) != 0) {
		ui_session_lost(ui, error);
		free(error);
		ui_connect_drop(c);
		return;
	}
	ui_connect_drop(c);
	s->conn = UI_CONN_READY;
	s->cut_off = false;
	net_reconnect_succeeded(&s->reconnect);
	if (s->last_error != NULL) {
		ui_message(ui, "connected again");
		free(s->last_error);
		s->last_error = NULL;
	}
	s->apply = cmd_apply_create(s->imap, ui->conf, ui->acct, s->cache, false, stderr);
	cmd_apply_set_silent(s->apply, true);
	/* The delimiter is known now: the folder's wire name may change. */
	if (s->running == NULL) {
		char *wire = cmd_folder_wire(s->imap, s->cache, s->folder);

		if (wire != NULL && strcmp(wire, s->wire) != 0) {
			char *f = xstrdup(s->folder);

			free(wire);
			(void)ui_session_load(ui, f, &error);
			free(f);
			free(error);
		} else {
			free(wire);
		}
	}
	s->need_sync = true;
	s->need_replay = s->waiting > 0 || cmd_journal_waiting(ui->conf, ui->acct) > 0;
	ui_dirty(ui);
}

static void
ui_session_reconnect(void *ctx)
{
	struct ui *ui = ctx;

	if (ui->session->conn == UI_CONN_OFFLINE)
		ui_session_connect(ui);
}

/* ---- the top of the loop ---- */

static void
ui_session_run_job(struct ui *ui, struct ui_job *j)
{
	struct ui_session *s = ui->session;
	char *error = NULL;
	int r;

	ui_session_idle_stop(ui);
	s->running = j;
	ui_dirty(ui);
	r = j->fn(ui, j->ctx, &error);
	s->running = NULL;
	ui_dirty(ui);
	if (r == 0) {
		ui_job_free(j);
		return;
	}
	if (s->imap != NULL && !cmd_imap_alive(s->imap)) {
		/* The connection went: a sync is queued again on reconnect;
		 * anything else is said and dropped (the user repeats it). */
		if (j->fn == ui_act_job) {
			struct ui_act *act = j->ctx;

			/* Sent again on reconnect: a STORE or MOVE done twice
			 * changes nothing. */
			if (ui_session_journal_actions(ui, act->folder, &act->actions,
			    &act->uids) == 0)
				ui_message(ui, "%s: kept until the connection is back", j->what);
		} else if (j->fn != ui_session_sync_job && j->fn != ui_session_replay_job) {
			ui_error(ui, "%s: %s", j->what, error != NULL ? error : "connection lost");
		}
		ui_job_free(j);
		ui_session_lost(ui, error != NULL && ui->quit ? NULL : error);
		free(error);
		return;
	}
	ui_error(ui, "%s", error != NULL ? error : j->what);
	free(error);
	ui_job_free(j);
}

void
ui_session_pump(struct ui *ui)
{
	struct ui_session *s = ui->session;
	struct ui_job *j;

	if (s->connect_done)
		ui_session_attach(ui);
	if (s->conn == UI_CONN_READY && s->imap != NULL && !cmd_imap_alive(s->imap)) {
		char *why = cmd_imap_lost_text(s->imap);

		ui_session_lost(ui, why);
		free(why);
	}
	if (s->running != NULL)
		return;
	if (s->pending_folder != NULL) {
		char *f = s->pending_folder;

		s->pending_folder = NULL;
		ui_session_open_folder(ui, f);
		free(f);
	}
	if (s->conn != UI_CONN_READY)
		return;
	if (s->need_sync) {
		s->need_sync = false;
		j = xcalloc(1, sizeof(*j));
		j->what = xstrdup("syncing");
		j->fn = ui_session_sync_job;
		ui_job_push_front(s, j);
	}
	/* Changes made offline go before anything else, the sync too. */
	if (s->need_replay) {
		s->need_replay = false;
		j = xcalloc(1, sizeof(*j));
		j->what = xstrdup("sending the changes made offline");
		j->fn = ui_session_replay_job;
		ui_job_push_front(s, j);
	}
	if (s->poll_due) {
		s->poll_due = false;
		if (s->pop3)
			s->need_sync = true;
		else {
			if (!imap_client_has(cmd_imap_client(s->imap), IMAP_CAP_IDLE))
				s->need_sync = true;
			ui_folders_poll(ui);
		}
	}
	if ((j = ui_job_pop(s)) != NULL) {
		ui_session_run_job(ui, j);
		return;
	}
	if (s->synced && !s->idling && s->imap != NULL && cmd_imap_alive(s->imap))
		ui_session_idle_start(ui);
}

int
ui_session_create(struct ui *ui, const char *folder, char **error_r)
{
	struct ui_session *s = xcalloc(1, sizeof(*s));
	char *berr = NULL;
	unsigned line = 0;

	ui->session = s;
	s->jobs_tail = &s->jobs;
	net_reconnect_init(&s->reconnect, ui->loop, UI_RECONNECT_BASE_MS, UI_RECONNECT_MAX_MS,
	    ui_session_reconnect, ui);
	if (conf_account_server(ui->acct, CONF_PROTO_IMAP) == NULL) {
		if (conf_account_server(ui->acct, CONF_PROTO_POP3) == NULL) {
			*error_r = xasprintf("account '%s' has no imap= or pop3= server to read",
			    conf_account_name(ui->acct));
			goto fail;
		}
		/* A POP3 mailbox is read, never changed: one INBOX, from the
		 * cache at once, then synced (cmd-pop3sync.h). */
		s->pop3 = true;
		folder = CMD_POP3_FOLDER;
	}
	if (cmd_sync_cache_open(ui->conf, ui->acct, &s->cache, error_r) != 0)
		goto fail;
	if (cmd_bodies_open(ui->conf, ui->acct, &s->bodies, &berr) != 0) {
		log_warn("%s; messages are not kept for reading offline", berr);
		free(berr);
	}
	if (cmd_login_secret(ui->conf, ui->acct, &s->secret, &line, error_r) != 0)
		goto fail;
	if (ui_session_load(ui, folder, error_r) != 0)
		goto fail;
	s->waiting = cmd_journal_waiting(ui->conf, ui->acct);
	ui_session_connect(ui);
	s->poll_timer = net_loop_timer_add(ui->loop, 60 * 1000, ui_session_poll_timer, ui);
	return 0;
fail:
	ui_session_destroy(ui);
	return -1;
}

void
ui_session_abort(struct ui *ui)
{
	struct ui_session *s = ui->session;

	if (s->imap != NULL && s->running != NULL)
		cmd_imap_abort(s->imap);
}

static void
ui_undo_clear(struct ui_undo *u)
{
	size_t i;

	cmd_actions_free(&u->actions);
	sync_uids_free(&u->uids);
	free(u->moved_to);
	free(u->moved_from);
	for (i = 0; i < u->n; i++)
		free(u->message_ids[i]);
	free(u->message_ids);
	memset(u, 0, sizeof(*u));
}

void
ui_session_destroy(struct ui *ui)
{
	struct ui_session *s = ui->session;
	struct ui_job *j;
	char *error = NULL;

	if (s == NULL)
		return;
	while ((j = ui_job_pop(s)) != NULL)
		ui_job_free(j);
	if (s->worker != NULL)
		net_worker_cancel(&s->worker);
	else if (s->connecting != NULL)
		ui_connect_drop(s->connecting);
	net_reconnect_cancel(&s->reconnect);
	net_loop_timer_remove(&s->poll_timer);
	if (s->imap != NULL && s->idling)
		ui_session_idle_stop(ui);
	cmd_apply_destroy(&s->apply);
	cmd_imap_close(&s->imap);
	if (s->idx != NULL && s->cache != NULL &&
	    cache_save(s->cache, s->wire, s->idx, &error) != 0) {
		fprintf(stderr, "tern: warning: %s\n", error);
		free(error);
	}
	index_destroy(&s->idx);
	cache_close(&s->cache);
	bodies_close(&s->bodies);
	cmd_login_secret_clear(&s->secret);
	ui_undo_clear(&s->undo);
	free(s->pending_folder);
	free(s->last_error);
	free(s->rights);
	free(s->folder);
	free(s->wire);
	free(s);
	ui->session = NULL;
}

/* ---- actions ---- */

static void
ui_act_free(void *ctx)
{
	struct ui_act *act = ctx;

	cmd_actions_free(&act->actions);
	sync_uids_free(&act->uids);
	free(act->folder);
	free(act);
}

/* An action in a team folder: the rights, then per conversation,
 * decided on the server (cmd-team.h); what it says shows on the message
 * line. The view follows at the next sync. */
static int
ui_act_team(struct ui *ui, const struct conf_team *team, struct ui_act *act, char **error_r)
{
	struct ui_session *s = ui->session;
	struct cmd_apply_result results[CMD_ACTIONS_MAX];
	const struct index *idx = NULL;
	bool refused = false;
	char *why = NULL;

	s->need_sync = true;
	if (cmd_team_check(team, &act->actions, &why) != 0) {
		ui_error(ui, "%s", why);
		free(why);
		return 0;
	}
	if (cmd_team_rights(s->apply, act->folder, &act->actions, &refused, error_r) != 0)
		return -1;
	if (refused)
		return 0;
	if (cmd_apply_open(s->apply, act->folder, NULL, NULL, error_r) != 0)
		return -1;
	if (s->folder != NULL && strcmp(s->folder, act->folder) == 0)
		idx = s->idx;
	return cmd_team_apply_all(s->apply, team, act->folder, idx, &act->actions, &act->uids,
	    false, results, error_r);
}

static int
ui_act_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_session *s = ui->session;
	struct ui_act *act = ctx;
	struct cmd_apply_result results[CMD_ACTIONS_MAX];
	uint32_t uidvalidity, uidnext;
	size_t i;

	const struct conf_team *team = cmd_team_of(ui->conf, ui->acct, act->folder);

	if (team != NULL)
		return ui_act_team(ui, team, act, error_r);
	if (cmd_apply_open(s->apply, act->folder, &uidvalidity, &uidnext, error_r) != 0)
		return -1;
	if (cmd_apply_actions(s->apply, act->folder, &act->actions, &act->uids, true, results,
	    error_r) != 0)
		return -1;
	for (i = 0; i < act->actions.n; i++)
		if (results[i].failed) {
			/* Said on stderr already; show the truth again. */
			s->need_sync = true;
			break;
		}
	return 0;
}

static void
ui_act_copy(struct cmd_actions *dst, const struct cmd_actions *src)
{
	size_t i;
	char *error = NULL;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		if (cmd_actions_add(dst, src->v[i].def->name, src->v[i].arg, &error) != 0) {
			free(error);
			error = NULL;
		}
	}
}

/* The opposite of a flag action, for undo; NULL when there is none. */
static const char *
ui_act_opposite(const struct cmd_action *a, const struct index_msg *m)
{
	(void)m;
	switch (a->def->kind) {
	case CMD_ACTION_ADD_LABEL: return "remove-label";
	case CMD_ACTION_REMOVE_LABEL: return "add-label";
	case CMD_ACTION_MARK_READ: return "mark-unread";
	case CMD_ACTION_MARK_UNREAD: return "mark-read";
	case CMD_ACTION_FLAG: return "unflag";
	case CMD_ACTION_UNFLAG: return "flag";
	default: return NULL;
	}
}

static void
ui_session_remember(struct ui *ui, const struct cmd_actions *a, const uint32_t *uids, size_t n)
{
	struct ui_session *s = ui->session;
	struct ui_undo *u = &s->undo;
	char *error = NULL;
	size_t i;

	ui_undo_clear(u);
	sync_uids_init(&u->uids);
	for (i = 0; i < n; i++)
		sync_uids_add(&u->uids, uids[i]);
	for (i = 0; i < a->n; i++) {
		const char *opp = ui_act_opposite(&a->v[i], NULL);

		if (opp != NULL) {
			if (cmd_actions_add(&u->actions, opp, a->v[i].arg, &error) != 0) {
				free(error);
				error = NULL;
			}
		} else if (a->v[i].def->kind == CMD_ACTION_MOVE ||
		    a->v[i].def->kind == CMD_ACTION_DELETE) {
			u->moved_to = a->v[i].def->kind == CMD_ACTION_MOVE ?
			    xstrdup(a->v[i].arg) : NULL;
			u->moved_from = xstrdup(s->folder);
			u->message_ids = xcalloc(n, sizeof(char *));
			for (u->n = 0; u->n < n; u->n++) {
				long pos = index_find(s->idx, uids[u->n]);
				const char *id = pos < 0 ? "" : index_msg_str(s->idx,
				    index_at(s->idx, (size_t)pos), INDEX_STR_MESSAGE_ID);

				u->message_ids[u->n] = xstrdup(id);
			}
		}
	}
	u->valid = true;
}

/* The change a makes, shown in the open folder's index alone (no
 * session: the journal or nobody takes it to the server). */
static void
ui_session_local(struct ui *ui, const struct cmd_actions *a, const struct sync_uids *uids)
{
	struct cmd_apply *ap = cmd_apply_create(NULL, ui->conf, ui->acct, ui->session->cache,
	    false, stderr);

	cmd_apply_local(ap, a, ui->session->idx, uids);
	cmd_apply_destroy(&ap);
}

/* A POP3 mailbox: read and unread are remembered here, by UIDL (the
 * server has no flags); nothing else can change there. */
static bool
ui_session_pop3_act(struct ui *ui, const struct cmd_actions *a, const uint32_t *uids,
    size_t n)
{
	struct ui_session *s = ui->session;
	struct sync_uids set;
	char *error = NULL;
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].def->kind != CMD_ACTION_MARK_READ &&
		    a->v[i].def->kind != CMD_ACTION_MARK_UNREAD) {
			ui_error(ui, "a POP3 mailbox is only read here: tern never flags, moves "
			    "or deletes there (tern --fetch-pop imports it into an IMAP folder)");
			return false;
		}
	}
	sync_uids_init(&set);
	for (i = 0; i < n; i++)
		sync_uids_add(&set, uids[i]);
	sync_uids_unique(&set);
	ui_session_local(ui, a, &set);
	sync_uids_free(&set);
	if (cache_save(s->cache, s->wire, s->idx, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
	}
	ui_dirty(ui);
	return true;
}

bool
ui_session_act(struct ui *ui, const struct cmd_actions *a, const uint32_t *uids, size_t n)
{
	struct ui_session *s = ui->session;
	struct ui_act *act;
	size_t i;
	char *what;

	if (s->pop3)
		return ui_session_pop3_act(ui, a, uids, n);
	act = xcalloc(1, sizeof(*act));
	if (s->conn != UI_CONN_READY) {
		for (i = 0; i < a->n; i++)
			if (a->v[i].def->kind == CMD_ACTION_CLAIM) {
				ui_error(ui, "claiming needs the server: who holds a conversation "
				    "is decided there");
				free(act);
				return false;
			}
	}
	ui_act_copy(&act->actions, a);
	sync_uids_init(&act->uids);
	for (i = 0; i < n; i++)
		sync_uids_add(&act->uids, uids[i]);
	sync_uids_unique(&act->uids);
	act->folder = xstrdup(s->folder);
	ui_session_remember(ui, a, uids, n);
	if (s->conn != UI_CONN_READY) {
		/* Offline: the journal first, then the view. */
		if (ui_session_journal_actions(ui, act->folder, &act->actions, &act->uids) == 0) {
			ui_session_local(ui, &act->actions, &act->uids);
			ui_message(ui, "offline: kept until the connection is back (%zu change%s "
			    "waiting)", s->waiting, s->waiting == 1 ? "" : "s");
		}
		ui_act_free(act);
		ui_dirty(ui);
		/* Said already: the message line keeps the journal's words. */
		return false;
	}
	/* The view changes now; the server follows. */
	cmd_apply_local(s->apply, &act->actions, s->idx, &act->uids);
	what = cmd_action_text(&a->v[0]);
	ui_job_add(ui, what, ui_act_job, act, ui_act_free);
	free(what);
	ui_dirty(ui);
	return true;
}

/* Moving back what the last move or delete took away: found again by
 * Message-ID where it went (the server gave it a new UID there). */
struct ui_unmove {
	char *from, *to;
	char **ids;
	size_t n;
};

static void
ui_unmove_free(void *ctx)
{
	struct ui_unmove *u = ctx;
	size_t i;

	for (i = 0; i < u->n; i++)
		free(u->ids[i]);
	free(u->ids);
	free(u->from);
	free(u->to);
	free(u);
}

static int
ui_unmove_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_session *s = ui->session;
	struct ui_unmove *u = ctx;
	struct cmd_actions back;
	struct cmd_apply_result results[1];
	struct sync_uids found;
	uint32_t uidvalidity, uidnext;
	size_t i;
	int r = -1;

	memset(&back, 0, sizeof(back));
	sync_uids_init(&found);
	if (u->to == NULL) {
		const char *trash = cmd_apply_trash(s->apply, error_r);

		if (trash == NULL)
			goto out;
		u->to = imap_utf7_decode(trash, strlen(trash));
		if (u->to == NULL)
			u->to = xstrdup(trash);
	}
	if (cmd_apply_open(s->apply, u->to, &uidvalidity, &uidnext, error_r) != 0)
		goto out;
	for (i = 0; i < u->n; i++) {
		if (u->ids[i][0] == '\0')
			continue;
		if (cmd_apply_find_message_id(s->apply, u->ids[i], &found, error_r) != 0)
			goto out;
	}
	sync_uids_unique(&found);
	if (found.n == 0) {
		*error_r = xasprintf("cannot undo: the messages are no longer in %s", u->to);
		goto out;
	}
	if (cmd_actions_add(&back, "move", u->from, error_r) != 0)
		goto out;
	if (cmd_apply_actions(s->apply, u->to, &back, &found, true, results, error_r) != 0)
		goto out;
	ui_message(ui, "%zu message%s moved back to %s", found.n, found.n == 1 ? "" : "s",
	    u->from);
	s->need_sync = true;
	r = 0;
out:
	cmd_actions_free(&back);
	sync_uids_free(&found);
	return r;
}

void
ui_session_undo(struct ui *ui)
{
	struct ui_session *s = ui->session;
	struct ui_undo *u = &s->undo;

	if (!u->valid) {
		ui_message(ui, "nothing to undo");
		return;
	}
	if (u->message_ids != NULL) {
		struct ui_unmove *m = xcalloc(1, sizeof(*m));

		m->from = u->moved_from;
		m->to = u->moved_to;
		m->ids = u->message_ids;
		m->n = u->n;
		u->moved_from = u->moved_to = NULL;
		u->message_ids = NULL;
		u->n = 0;
		if (strcmp(m->from, s->folder) != 0) {
			ui_message(ui, "open %s to undo that move", m->from);
			ui_unmove_free(m);
		} else {
			ui_job_add(ui, "undo", ui_unmove_job, m, ui_unmove_free);
		}
	}
	if (u->actions.n > 0 && u->uids.n > 0) {
		struct cmd_actions a = u->actions;
		struct sync_uids uids = u->uids;

		memset(&u->actions, 0, sizeof(u->actions));
		sync_uids_init(&u->uids);
		ui_undo_clear(u);
		/* Undoing is itself an action: undo again redoes. */
		ui_session_act(ui, &a, uids.v, uids.n);
		cmd_actions_free(&a);
		sync_uids_free(&uids);
		ui_message(ui, "undone");
		return;
	}
	ui_undo_clear(u);
}

/* ---- searches and Trash, for the views' jobs ---- */

int
ui_session_search(struct ui *ui, const struct plan *plan, struct sync_uids *slots,
    char **error_r)
{
	struct ui_session *s = ui->session;
	uint32_t uidvalidity, uidnext;

	/* The searches run in the open folder, selected as actions do. */
	if (cmd_apply_open(s->apply, s->folder, &uidvalidity, &uidnext, error_r) != 0)
		return -1;
	return cmd_apply_search_slots(s->apply, plan, slots, error_r);
}

int
ui_session_trash_count(struct ui *ui, uint32_t *count_r, char **error_r)
{
	struct ui_session *s = ui->session;
	struct cmd_folders folders;
	const char *trash;
	size_t i;

	*count_r = 0;
	if ((trash = cmd_apply_trash(s->apply, error_r)) == NULL)
		return -1;
	if (cmd_folders_list(s->imap, ui->acct, true, &folders, error_r) != 0)
		return -1;
	for (i = 0; i < folders.count; i++)
		if (strcmp(folders.v[i].name, trash) == 0 && folders.v[i].have_status)
			*count_r = (uint32_t)folders.v[i].total;
	cmd_folders_free(&folders);
	return 0;
}

static void
ui_session_purge_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	char **failure = ctx;

	if (result != IMAP_RESULT_OK)
		*failure = cmd_imap_failure("purging Trash", result, tagged);
}

int
ui_session_purge_trash(struct ui *ui, char **error_r)
{
	struct ui_session *s = ui->session;
	struct imap_client *client = cmd_imap_client(s->imap);
	char *failure = NULL, *name;
	struct imap_cmd_callbacks cb = { ui_session_purge_done, NULL, &failure };
	const char *trash;
	uint32_t uidvalidity, uidnext;
	int r;

	if ((trash = cmd_apply_trash(s->apply, error_r)) == NULL)
		return -1;
	name = imap_utf7_decode(trash, strlen(trash));
	r = cmd_apply_open(s->apply, name != NULL ? name : trash, &uidvalidity, &uidnext,
	    error_r);
	free(name);
	if (r != 0)
		return -1;
	imap_client_set_trash(client, trash);
	if (imap_cmd_purge_trash(client, &cb) != 0) {
		*error_r = xstrdup("Trash is not open read-write: nothing was purged");
		return -1;
	}
	if (cmd_imap_wait(s->imap, error_r) != 0)
		return -1;
	if (failure != NULL) {
		*error_r = failure;
		return -1;
	}
	ui_message(ui, "Trash purged");
	if (strcmp(s->wire, trash) == 0)
		s->need_sync = true;
	return 0;
}

/* ---- fetching a whole message ---- */

int
ui_session_fetch_message(struct ui *ui, uint32_t uid, struct buf *out, char **error_r)
{
	struct ui_session *s = ui->session;
	int r;

	if (ui_session_cached_message(ui, uid, out))
		return 0;
	if (s->pop3) {
		bool lost = false;

		/* RETR: reading never marks or deletes anything there. */
		r = cmd_pop3_retr(ui->conf, ui->acct, &s->secret, s->cache, uid, out, &lost,
		    error_r);
		if (r != 0 && !lost)
			r = 1;
	} else if (ui_session_imap(ui) == NULL) {
		*error_r = xstrdup("not connected");
		return -1;
	} else
		r = cmd_fetch_message(s->imap, uid, out, error_r);
	/* Kept for reading offline; a cache that fails only costs that. */
	if (r == 0 && s->bodies != NULL && index_state(s->idx)->uidvalidity != 0) {
		char *ignored = NULL;

		(void)bodies_put(s->bodies, s->wire, index_state(s->idx)->uidvalidity, uid,
		    buf_ptr(out), buf_len(out), &ignored);
		free(ignored);
	}
	return r;
}

bool
ui_session_pop3(struct ui *ui)
{
	return ui->session != NULL && ui->session->pop3;
}

bool
ui_session_offline(struct ui *ui)
{
	return ui->session->conn != UI_CONN_READY && ui->session->cut_off;
}

bool
ui_session_cached_message(struct ui *ui, uint32_t uid, struct buf *out)
{
	struct ui_session *s = ui->session;
	char *ignored = NULL;
	int r;

	if (s->bodies == NULL || s->idx == NULL || index_state(s->idx)->uidvalidity == 0)
		return false;
	buf_reset(out);
	r = bodies_get(s->bodies, s->wire, index_state(s->idx)->uidvalidity, uid, out, &ignored);
	free(ignored);
	if (r != 1)
		buf_reset(out);
	return r == 1;
}

const struct cmd_login_secret *
ui_session_secret(struct ui *ui)
{
	return &ui->session->secret;
}

void
ui_session_resync(struct ui *ui)
{
	ui->session->need_sync = true;
}

int
ui_session_select(struct ui *ui, const char *folder, char **error_r)
{
	struct ui_session *s = ui->session;
	uint32_t uidvalidity, uidnext;

	if (cmd_apply_open(s->apply, folder, &uidvalidity, &uidnext, error_r) == 0)
		return 0;
	return cmd_imap_alive(s->imap) ? 1 : -1;
}
