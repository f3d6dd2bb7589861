/* Recording changes in the offline journal and replaying them. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cache/cache.h"
#include "cmd/cmd-journal.h"
#include "cmd/cmd-send.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-team.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"
#include "rules/keyword.h"

/* ---- opening ---- */

int
cmd_journal_open(const struct conf *conf, const struct conf_account *acct, bool create,
    struct journal **j_r, char **error_r)
{
	char *dir = cache_default_dir(conf_get(conf, "cache-dir"));
	int r = 0;

	*j_r = NULL;
	if (!create) {
		char *path = xasprintf("%s/%s.journal.tcb", dir, conf_account_name(acct));
		struct stat st;
		bool there = stat(path, &st) == 0;

		free(path);
		if (!there) {
			free(dir);
			return 0;
		}
	}
	r = journal_open(dir, conf_account_name(acct), j_r, error_r);
	free(dir);
	return r;
}

size_t
cmd_journal_waiting(const struct conf *conf, const struct conf_account *acct)
{
	struct journal *j = NULL;
	char *error = NULL;
	size_t n = 0;

	if (cmd_journal_open(conf, acct, false, &j, &error) != 0) {
		free(error);
		return 0;
	}
	if (j != NULL)
		n = journal_count(j);
	journal_close(&j);
	return n;
}

/* ---- recording ---- */

/* The team keywords of a keyword list (status/..., assign/...), lower
 * case, sorted, space-separated: what a status or an assignment made
 * offline is checked against at replay. */
static char *
team_keywords(const char *list)
{
	char *words[64];
	size_t n = 0, i, j;
	struct buf b;
	const char *p = list != NULL ? list : "";

	while (*p != '\0' && n < 64) {
		size_t len = strcspn(p, " ");

		if ((len > strlen(KEYWORD_STATUS_PREFIX) &&
		    str_ncaseeq(p, KEYWORD_STATUS_PREFIX, strlen(KEYWORD_STATUS_PREFIX))) ||
		    (len > strlen(KEYWORD_ASSIGN_PREFIX) &&
		    str_ncaseeq(p, KEYWORD_ASSIGN_PREFIX, strlen(KEYWORD_ASSIGN_PREFIX)))) {
			char *w = xstrndup(p, len), *c;

			for (c = w; *c != '\0'; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			words[n++] = w;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(words[j - 1], words[j]) > 0; j--) {
			char *t = words[j];

			words[j] = words[j - 1];
			words[j - 1] = t;
		}
	buf_init(&b, SIZE_MAX);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_addstr(&b, words[i]);
		free(words[i]);
	}
	return buf_detach(&b);
}

static bool
actions_team(const struct cmd_actions *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].def->kind == CMD_ACTION_STATUS || a->v[i].def->kind == CMD_ACTION_ASSIGN)
			return true;
	return false;
}

int
cmd_journal_record_actions(struct journal *j, const char *folder, const struct index *idx,
    const struct cmd_actions *a, const struct sync_uids *uids, char **error_r)
{
	struct journal_entry e;
	bool team = actions_team(a);
	size_t i;
	int r;

	memset(&e, 0, sizeof(e));
	e.kind = JOURNAL_ACTIONS;
	e.state = JOURNAL_PENDING;
	e.created = (int64_t)time(NULL);
	e.folder = (char *)folder;
	e.uidvalidity = idx != NULL ? index_state(idx)->uidvalidity : 0;
	e.nactions = a->n;
	e.actions = xcalloc(a->n > 0 ? a->n : 1, sizeof(*e.actions));
	for (i = 0; i < a->n; i++) {
		e.actions[i].name = (char *)a->v[i].def->name;
		e.actions[i].arg = a->v[i].arg;
	}
	e.nuids = uids->n;
	e.uids = uids->v;
	e.message_ids = xcalloc(uids->n > 0 ? uids->n : 1, sizeof(char *));
	if (team)
		e.before = xcalloc(uids->n > 0 ? uids->n : 1, sizeof(char *));
	for (i = 0; i < uids->n; i++) {
		long pos = idx != NULL ? index_find(idx, uids->v[i]) : -1;
		const struct index_msg *m = pos >= 0 ? index_at(idx, (size_t)pos) : NULL;

		e.message_ids[i] = (char *)(m != NULL ?
		    index_msg_str(idx, m, INDEX_STR_MESSAGE_ID) : "");
		if (team)
			e.before[i] = team_keywords(m != NULL ?
			    index_msg_str(idx, m, INDEX_STR_KEYWORDS) : "");
	}
	r = journal_add(j, &e, error_r);
	if (team)
		for (i = 0; i < uids->n; i++)
			free(e.before[i]);
	free(e.before);
	free(e.message_ids);
	free(e.actions);
	return r;
}

int
cmd_journal_record_message(struct journal *j, enum journal_kind kind,
    const struct cmd_draft *draft, const char *msg, size_t len, char *const *rcpts,
    const char *from, char **error_r)
{
	struct journal_entry e;
	size_t n = 0;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.state = JOURNAL_PENDING;
	e.created = (int64_t)time(NULL);
	e.message = (char *)msg;
	e.message_len = len;
	e.message_id = draft->message_id;
	e.subject = draft->subject;
	e.old_draft = draft->old_draft;
	if (kind == JOURNAL_SEND) {
		while (rcpts[n] != NULL)
			n++;
		e.from = (char *)from;
		e.rcpts = (char **)rcpts;
		e.nrcpts = n;
		e.in_reply_to = draft->in_reply_to;
		e.reply_folder = draft->reply_folder;
	}
	return journal_add(j, &e, error_r);
}

int
cmd_journal_keep_message(const struct conf *conf, const struct conf_account *acct,
    enum journal_kind kind, const struct cmd_draft *draft, const char *msg, size_t len,
    char *const *rcpts, const char *from, size_t *waiting_r, char **error_r)
{
	struct journal *j = NULL;
	int r = -1;

	if (cmd_journal_open(conf, acct, true, &j, error_r) == 0 &&
	    cmd_journal_record_message(j, kind, draft, msg, len, rcpts, from, error_r) == 0) {
		*waiting_r = journal_count(j);
		r = 0;
	}
	journal_close(&j);
	return r;
}

int
cmd_journal_keep_actions(const struct conf *conf, const struct conf_account *acct,
    const char *folder, const struct index *idx, const struct cmd_actions *a,
    const struct sync_uids *uids, size_t *waiting_r, char **error_r)
{
	struct journal *j = NULL;
	int r = -1;

	if (cmd_journal_open(conf, acct, true, &j, error_r) == 0 &&
	    cmd_journal_record_actions(j, folder, idx, a, uids, error_r) == 0) {
		*waiting_r = journal_count(j);
		r = 0;
	}
	journal_close(&j);
	return r;
}

/* ---- describing ---- */

static char *
entry_subject(const struct journal_entry *e)
{
	const char *s = e->subject != NULL && e->subject[0] != '\0' ? e->subject :
	    "(no subject)";

	return safe_text_line(s, strlen(s), 120);
}

char *
cmd_journal_describe(const struct journal_entry *e)
{
	struct buf b;
	char *s;
	size_t i;

	buf_init(&b, SIZE_MAX);
	switch (e->kind) {
	case JOURNAL_ACTIONS:
		s = safe_text_line(e->folder != NULL ? e->folder : "", e->folder != NULL ?
		    strlen(e->folder) : 0, 200);
		buf_printf(&b, "%s: ", s);
		free(s);
		for (i = 0; i < e->nactions; i++) {
			const char *arg = e->actions[i].arg;

			s = arg != NULL ? safe_text_line(arg, strlen(arg), 200) : NULL;
			buf_printf(&b, "%s%s%s%s", i > 0 ? ", " : "", e->actions[i].name,
			    s != NULL ? " " : "", s != NULL ? s : "");
			free(s);
		}
		buf_printf(&b, " (%zu message%s)", e->nuids, e->nuids == 1 ? "" : "s");
		break;
	case JOURNAL_SEND:
		buf_addstr(&b, "send to ");
		for (i = 0; i < e->nrcpts && i < 3; i++) {
			s = safe_text_line(e->rcpts[i], strlen(e->rcpts[i]), 100);
			buf_printf(&b, "%s%s", i > 0 ? ", " : "", s);
			free(s);
		}
		if (e->nrcpts > 3)
			buf_printf(&b, " and %zu more", e->nrcpts - 3);
		s = entry_subject(e);
		buf_printf(&b, ": %s", s);
		free(s);
		break;
	case JOURNAL_DRAFT:
		s = entry_subject(e);
		buf_printf(&b, "draft: %s", s);
		free(s);
		break;
	}
	return buf_detach(&b);
}

/* ---- replaying ---- */

static void
replay_report(struct cmd_replay *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
replay_report(struct cmd_replay *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s != NULL && r->report != NULL)
		r->report(r->ctx, s);
	free(s);
}

/* The entry's actions as the command table has them, split into the
 * flag actions and the move (or delete). -1 when an action is unknown
 * (a journal from another version). */
static int
replay_actions(const struct journal_entry *e, struct cmd_actions *flags,
    struct cmd_actions *move, char **why_r)
{
	size_t i;

	memset(flags, 0, sizeof(*flags));
	memset(move, 0, sizeof(*move));
	for (i = 0; i < e->nactions; i++) {
		const struct cmd_action_def *def = cmd_action_lookup(e->actions[i].name);
		bool moves = def != NULL && (def->kind == CMD_ACTION_MOVE ||
		    def->kind == CMD_ACTION_DELETE);

		if (def == NULL || def->kind == CMD_ACTION_CLAIM ||
		    cmd_actions_add(moves ? move : flags, e->actions[i].name, e->actions[i].arg,
		    why_r) != 0) {
			if (*why_r == NULL)
				*why_r = xasprintf("tern cannot replay '%s'", e->actions[i].name);
			cmd_actions_free(flags);
			cmd_actions_free(move);
			return -1;
		}
	}
	return 0;
}

/* Whether m already carries what the team action asks. */
static bool
team_done(const struct cmd_action *a, const char *keywords)
{
	char *kw;
	bool done;

	if (a->def->kind == CMD_ACTION_STATUS) {
		kw = keyword_status(a->arg);
		done = kw != NULL && keyword_list_has(keywords, kw);
		free(kw);
		return done;
	}
	if (strcmp(a->arg, "none") == 0)
		return !keyword_list_has_prefix(keywords, KEYWORD_ASSIGN_PREFIX);
	kw = keyword_assign(a->arg);
	done = kw != NULL && keyword_list_has(keywords, kw);
	free(kw);
	return done;
}

static void
replay_forget(struct cmd_replay *r, const char *folder)
{
	char *wire, *error = NULL;

	r->forgot = true;
	if (r->cache == NULL)
		return;
	wire = cmd_folder_wire(r->session, r->cache, folder);
	if (wire != NULL && cache_drop(r->cache, wire, &error) != 0) {
		replay_report(r, "%s", error);
		free(error);
	}
	free(wire);
}

/* The UIDs the entry names now: the same when UIDVALIDITY is unchanged,
 * else found again by Message-ID. */
static int
replay_uids(struct cmd_apply *ap, const struct journal_entry *e, uint32_t uidvalidity,
    struct sync_uids *uids, uint32_t *map, char **error_r)
{
	size_t i;

	sync_uids_init(uids);
	for (i = 0; i < e->nuids; i++) {
		map[i] = e->uids[i];
		if (e->uidvalidity == 0 || e->uidvalidity == uidvalidity) {
			sync_uids_add(uids, e->uids[i]);
			continue;
		}
		map[i] = 0;
		if (e->message_ids != NULL && e->message_ids[i][0] != '\0') {
			struct sync_uids found;

			sync_uids_init(&found);
			if (cmd_apply_find_message_id(ap, e->message_ids[i], &found, error_r) != 0) {
				sync_uids_free(&found);
				return -1;
			}
			if (found.n > 0) {
				map[i] = found.v[0];
				sync_uids_add(uids, found.v[0]);
			}
			sync_uids_free(&found);
		}
	}
	sync_uids_unique(uids);
	return 0;
}

/* 0 done (or reported), -1 lost or the journal cannot be written. */
static int
replay_entry_actions(struct journal *j, struct cmd_replay *r, struct journal_entry *e,
    char **error_r)
{
	struct cmd_apply *ap = cmd_apply_create(r->session, r->conf, r->acct, r->cache, false,
	    stderr);
	struct cmd_actions flags, move;
	struct cmd_apply_result res[CMD_ACTIONS_MAX];
	struct sync_uids uids, present;
	struct index *now = NULL;
	uint32_t uidvalidity = 0, uidnext, *map = NULL;
	char *what = cmd_journal_describe(e), *why = NULL;
	size_t i, gone = 0, changed = 0;
	bool conflict = false, refused = false;
	int ret = -1;

	sync_uids_init(&uids);
	sync_uids_init(&present);
	memset(&flags, 0, sizeof(flags));
	memset(&move, 0, sizeof(move));
	cmd_apply_set_silent(ap, true);
	if (replay_actions(e, &flags, &move, &why) != 0) {
		replay_report(r, "%s: %s; not applied", what, why);
		conflict = true;
		goto done;
	}
	if (cmd_apply_open(ap, e->folder, &uidvalidity, &uidnext, &why) != 0) {
		if (!cmd_imap_alive(r->session)) {
			*error_r = why;
			why = NULL;
			goto out;
		}
		replay_report(r, "%s: %s; not applied", what, why);
		conflict = true;
		goto done;
	}
	map = xcalloc(e->nuids > 0 ? e->nuids : 1, sizeof(*map));
	if (replay_uids(ap, e, uidvalidity, &uids, map, error_r) != 0 ||
	    cmd_apply_fetch_flags(ap, e->folder, &uids, &now, error_r) != 0)
		goto out;
	/* Which messages are still there, and which another device changed
	 * in a way this change would overwrite. */
	for (i = 0; i < e->nuids; i++) {
		long pos = map[i] != 0 ? index_find(now, map[i]) : -1;
		const struct index_msg *m = pos >= 0 ? index_at(now, (size_t)pos) : NULL;
		const char *kw = m != NULL ? index_msg_str(now, m, INDEX_STR_KEYWORDS) : "";
		size_t k;

		if (m == NULL) {
			gone++;
			continue;
		}
		if (e->before != NULL && flags.n > 0) {
			char *team = team_keywords(kw);
			bool differs = strcmp(team, e->before[i]) != 0, all_done = true;

			for (k = 0; k < flags.n; k++)
				if (flags.v[k].def->kind == CMD_ACTION_STATUS ||
				    flags.v[k].def->kind == CMD_ACTION_ASSIGN)
					all_done = all_done && team_done(&flags.v[k], kw);
			if (differs && !all_done) {
				replay_report(r, "%s: UID %" PRIu32 " was changed on another device "
				    "meanwhile (it now has %s); not applied to it", what, map[i],
				    team[0] != '\0' ? team : "no status");
				changed++;
				free(team);
				continue;
			}
			free(team);
		}
		sync_uids_add(&present, map[i]);
	}
	sync_uids_unique(&present);
	/* A move already sent takes its messages away: those are done. */
	if (gone > 0 && !(e->state == JOURNAL_MOVING && move.n > 0))
		replay_report(r, "%s: %zu message%s no longer there (moved or deleted on "
		    "another device); not applied to %s", what, gone, gone == 1 ? " is" : "s are",
		    gone == 1 ? "it" : "them");
	conflict = changed > 0 || (gone > 0 && !(e->state == JOURNAL_MOVING && move.n > 0));
	if (flags.n > 0 && present.n > 0) {
		const struct conf_team *team = cmd_team_of(r->conf, r->acct, e->folder);

		cmd_apply_use_flags(ap, now);
		/* In a team folder status and assignee go to the whole
		 * conversation, decided on the server, as online. */
		if (team != NULL && actions_team(&flags) ?
		    cmd_team_apply_all(ap, team, e->folder, NULL, &flags, &present, false, res,
		    error_r) != 0 :
		    cmd_apply_actions(ap, e->folder, &flags, &present, true, res, error_r) != 0)
			goto out;
		cmd_apply_use_flags(ap, NULL);
		for (i = 0; i < flags.n; i++)
			refused = refused || res[i].failed;
	}
	if (move.n > 0 && present.n > 0) {
		if (e->state != JOURNAL_MOVING) {
			if (journal_set_state(j, e->seq, JOURNAL_MOVING, error_r) != 0)
				goto out;
			e->state = JOURNAL_MOVING;
		}
		if (cmd_apply_actions(ap, e->folder, &move, &present, true, res, error_r) != 0)
			goto out;
		refused = refused || res[0].failed;
	}
	if (refused)
		replay_report(r, "%s: the server refused part of it (said above); the rest "
		    "was applied", what);
done:
	/* The cache shows the change as made: where it was not, the
	 * folder is read again from the server. */
	if (refused || (conflict && gone == 0 && changed == 0))
		replay_forget(r, e->folder);
	if (journal_remove(j, e->seq, error_r) != 0)
		goto out;
	if (conflict || refused)
		r->conflicts++;
	else
		r->replayed++;
	ret = 0;
out:
	cmd_apply_use_flags(ap, NULL);
	index_destroy(&now);
	cmd_apply_destroy(&ap);
	cmd_actions_free(&flags);
	cmd_actions_free(&move);
	sync_uids_free(&uids);
	sync_uids_free(&present);
	free(map);
	free(what);
	free(why);
	return ret;
}

/* The draft fields the steps after sending read. */
static void
entry_draft(const struct journal_entry *e, struct cmd_draft *d)
{
	memset(d, 0, sizeof(*d));
	d->in_reply_to = e->in_reply_to;
	d->reply_folder = e->reply_folder;
	d->old_draft = e->old_draft;
	d->message_id = e->message_id;
	d->subject = e->subject;
}

/* Written as the SMTP server gets the message's last bytes. */
struct replay_handed {
	struct journal *j;
	uint64_t seq;
	bool written;
	char *error;
};

static void
replay_handed(void *ctx)
{
	struct replay_handed *h = ctx;

	if (h->written || h->error != NULL)
		return;
	if (journal_set_state(h->j, h->seq, JOURNAL_HANDED, &h->error) == 0)
		h->written = true;
}

static int
replay_set(struct journal *j, struct journal_entry *e, enum journal_state state,
    char **error_r)
{
	if (journal_set_state(j, e->seq, state, error_r) != 0)
		return -1;
	e->state = state;
	return 0;
}

/* A message the SMTP server would not take goes to Drafts, so that
 * nothing typed is lost. 0, or -1 lost. */
static int
replay_to_drafts(struct journal *j, struct cmd_replay *r, struct journal_entry *e,
    const char *what, const char *reason, char **error_r)
{
	char *why = NULL;
	int s = cmd_send_save_once(r->session, r->cache, r->conf, r->acct, true, e->message_id,
	    e->message, e->message_len, &why, error_r);

	if (s < 0)
		return -1;
	if (s > 0) {
		replay_report(r, "%s: %s; it could not be saved to Drafts either (%s), so it "
		    "stays in the journal", what, reason, why);
		free(why);
		return 0;
	}
	replay_report(r, "%s: %s; it was saved to Drafts", what, reason);
	r->conflicts++;
	return journal_remove(j, e->seq, error_r);
}

/* The last steps of a message entry, both safe to repeat (\Answered on
 * the original, the replaced draft to Trash), then the entry is done;
 * done says what happened first ("sent"), problem whether something
 * already went wrong. 0, or -1 lost. */
static int
replay_finish(struct journal *j, struct cmd_replay *r, const struct journal_entry *e,
    const struct cmd_draft *d, const char *what, const char *done, bool problem,
    char **error_r)
{
	char *why = NULL;
	int s = cmd_send_finish(r->session, r->cache, r->conf, r->acct, d, &why, error_r);

	if (s < 0)
		return -1;
	if (s > 0) {
		replay_report(r, "%s: %s, but %s", what, done, why);
		free(why);
		problem = true;
	}
	if (journal_remove(j, e->seq, error_r) != 0)
		return -1;
	if (problem)
		r->conflicts++;
	else
		r->replayed++;
	return 0;
}

static int
replay_entry_send(struct journal *j, struct cmd_replay *r, struct journal_entry *e,
    char **error_r)
{
	struct cmd_draft d;
	char *what = cmd_journal_describe(e), *why = NULL;
	bool problem = false;
	int s, ret = -1;

	entry_draft(e, &d);
	if (e->state == JOURNAL_PENDING) {
		struct replay_handed h = { j, e->seq, false, NULL };

		s = cmd_send_smtp_handed(r->conf, r->acct, r->secret, e->message, e->message_len,
		    e->rcpts, e->from, replay_handed, &h, &why);
		if (h.error != NULL) {
			/* The state could not be written: stop before anything
			 * else happens that the journal would not know. */
			*error_r = h.error;
			goto out;
		}
		if (s == CMD_SEND_CONNECT || s == CMD_SEND_CONFIG) {
			*error_r = why;
			why = NULL;
			goto out;
		}
		if (s != 0) {
			ret = replay_to_drafts(j, r, e, what, why, error_r);
			goto out;
		}
		if (replay_set(j, e, JOURNAL_SENT, error_r) != 0)
			goto out;
	} else if (e->state == JOURNAL_HANDED) {
		/* Most likely delivered: said, not counted as a failure. */
		replay_report(r, "%s: tern stopped while the SMTP server was taking it; it is "
		    "not sent again (look in the recipients' mail if in doubt)", what);
		if (replay_set(j, e, JOURNAL_SENT, error_r) != 0)
			goto out;
	}
	if (e->state == JOURNAL_SENT && replay_set(j, e, JOURNAL_SAVING, error_r) != 0)
		goto out;
	if (e->state == JOURNAL_SAVING) {
		s = cmd_send_save_once(r->session, r->cache, r->conf, r->acct, false,
		    e->message_id, e->message, e->message_len, &why, error_r);
		if (s < 0)
			goto out;
		if (s > 0) {
			replay_report(r, "%s: sent, but not saved to Sent: %s", what, why);
			free(why);
			why = NULL;
			problem = true;
		}
		if (replay_set(j, e, JOURNAL_SAVED, error_r) != 0)
			goto out;
	}
	ret = replay_finish(j, r, e, &d, what, "sent", problem, error_r);
out:
	free(why);
	free(what);
	return ret;
}

static int
replay_entry_draft(struct journal *j, struct cmd_replay *r, struct journal_entry *e,
    char **error_r)
{
	struct cmd_draft d;
	char *what = cmd_journal_describe(e), *why = NULL;
	int s, ret = -1;

	entry_draft(e, &d);
	if (e->state == JOURNAL_PENDING && replay_set(j, e, JOURNAL_SAVING, error_r) != 0)
		goto out;
	if (e->state == JOURNAL_SAVING) {
		s = cmd_send_save_once(r->session, r->cache, r->conf, r->acct, true,
		    e->message_id, e->message, e->message_len, &why, error_r);
		if (s < 0)
			goto out;
		if (s > 0) {
			/* Never dropped: it waits for the next replay. */
			replay_report(r, "%s: not saved to Drafts: %s; it stays in the journal",
			    what, why);
			ret = 0;
			goto out;
		}
		if (replay_set(j, e, JOURNAL_SAVED, error_r) != 0)
			goto out;
	}
	d.in_reply_to = NULL;
	ret = replay_finish(j, r, e, &d, what, "saved", false, error_r);
out:
	free(why);
	free(what);
	return ret;
}

int
cmd_journal_replay(struct journal *j, struct cmd_replay *r, char **error_r)
{
	uint64_t *seqs = NULL;
	size_t n = 0, i;
	int ret = 0;

	r->replayed = r->conflicts = 0;
	r->waiting = 0;
	if (journal_list(j, &seqs, &n, error_r) != 0)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		struct journal_entry e;
		char *why = NULL;
		int g = journal_get(j, seqs[i], &e, &why);

		if (g == 0)
			continue;
		if (g < 0) {
			/* Kept as it is, for the user to see; the others go on. */
			replay_report(r, "%s; it is left in the journal", why);
			free(why);
			continue;
		}
		switch (e.kind) {
		case JOURNAL_ACTIONS:
			ret = replay_entry_actions(j, r, &e, error_r);
			break;
		case JOURNAL_SEND:
			ret = replay_entry_send(j, r, &e, error_r);
			break;
		case JOURNAL_DRAFT:
			ret = replay_entry_draft(j, r, &e, error_r);
			break;
		}
		journal_entry_free(&e);
	}
	r->waiting = journal_count(j);
	free(seqs);
	return ret;
}
