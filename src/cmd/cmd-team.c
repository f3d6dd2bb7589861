/* Team folders: changes per conversation, decided on the server
 * (cmd-team.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd-bodies.h"
#include "cmd/cmd-send.h"
#include "cmd/cmd-team.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/autoreply.h"
#include "mime/message.h"
#include "mime/rfc5322.h"
#include "mime/safe-text.h"
#include "mime/template.h"
#include "rules/keyword.h"
#include "rules/team-settings.h"
#include "rules/team.h"

/* How often a conditional store that met another change is tried again
 * before the conversation is reported as too busy. */
#define TEAM_TRIES 5

const struct conf_team *
cmd_team_of(const struct conf *conf, const struct conf_account *acct, const char *folder)
{
	size_t i;

	for (i = 0; i < conf_team_count(conf); i++) {
		const struct conf_team *t = conf_team_at(conf, i);
		const char *account = conf_team_get(t, "account"),
		    *f = conf_team_get(t, "folder");

		if (account == NULL || f == NULL || strcmp(account, conf_account_name(acct)) != 0)
			continue;
		if (strcmp(f, folder) == 0 ||
		    (str_caseeq(f, "INBOX") && str_caseeq(folder, "INBOX")))
			return t;
	}
	return NULL;
}

bool
cmd_team_action(const struct cmd_action *a)
{
	switch (a->def->kind) {
	case CMD_ACTION_STATUS:
	case CMD_ACTION_ASSIGN:
	case CMD_ACTION_CLAIM:
		return true;
	default:
		return false;
	}
}

int
cmd_team_check(const struct conf_team *team, const struct cmd_actions *a, char **error_r)
{
	const char *me = conf_team_get(team, "me");
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct cmd_action *x = &a->v[i];

		if (x->def->kind == CMD_ACTION_CLAIM && (me == NULL || me[0] == '\0')) {
			*error_r = xasprintf("--claim: team '%s' has no me= (which of the "
			    "members you are), %s:%u", conf_team_name(team),
			    conf_team_file(team), conf_team_line(team));
			return -1;
		}
		if (x->def->kind == CMD_ACTION_ASSIGN && strcmp(x->arg, "none") != 0 &&
		    !cmd_team_is_member(team, x->arg)) {
			*error_r = xasprintf("--assign %s: not a member of team '%s' (members: "
			    "%s)", x->arg, conf_team_name(team), cmd_team_get(team, "members"));
			return -1;
		}
	}
	return 0;
}

/* The right (RFC 4314) an action needs on the folder it changes. */
static char
action_right(const struct cmd_action *a)
{
	switch (a->def->kind) {
	case CMD_ACTION_MARK_READ:
	case CMD_ACTION_MARK_UNREAD:
		return 's';
	case CMD_ACTION_MOVE:
	case CMD_ACTION_DELETE:
		return 'e';
	default:
		return 'w';
	}
}

int
cmd_team_rights(struct cmd_apply *ap, const char *folder, const struct cmd_actions *a,
    bool *refused_r, char **error_r)
{
	char *rights = NULL, *shown, *what;
	size_t i;

	*refused_r = false;
	if (cmd_apply_myrights(ap, folder, &rights, error_r) != 0)
		return -1;
	if (rights == NULL)
		return 0;
	shown = safe_text_line(folder, strlen(folder), 200);
	for (i = 0; i < a->n; i++) {
		char need = action_right(&a->v[i]);

		if (strchr(rights, need) != NULL &&
		    (need != 'e' || strchr(rights, 't') != NULL))
			continue;
		what = cmd_action_text(&a->v[i]);
		log_error("%s: you may not %s here: your rights on this folder are '%s' "
		    "(it needs '%s'); nothing was changed", shown, what, rights,
		    need == 'e' ? "te" : need == 's' ? "s" : "w");
		free(what);
		*refused_r = true;
		break;
	}
	free(shown);
	free(rights);
	return 0;
}

/* ---- one conversation ---- */

/* What the conversation is now, read from the server. */
struct convo_now {
	struct index *flags;		/* the messages still there, flags, MODSEQ */
	char *assign;			/* NULL: nobody */
	enum team_status status;
	bool status_set;
};

static void
now_free(struct convo_now *n)
{
	index_destroy(&n->flags);
	free(n->assign);
	memset(n, 0, sizeof(*n));
}

static int
now_read(struct cmd_apply *ap, const char *folder, const struct sync_uids *uids,
    struct convo_now *n, char **error_r)
{
	memset(n, 0, sizeof(*n));
	if (cmd_apply_fetch_flags(ap, folder, uids, &n->flags, error_r) != 0)
		return -1;
	team_words(n->flags, NULL, index_count(n->flags), &n->status, &n->status_set,
	    &n->assign);
	return 0;
}

/* The keywords one action adds (at most one) and removes (a
 * NULL-terminated list). */
struct team_change {
	char *add;
	char *remove[KEYWORD_STATUS_COUNT + 16];
	size_t nremove;
};

static void
team_change_free(struct team_change *tc)
{
	size_t i;

	free(tc->add);
	for (i = 0; i < tc->nremove; i++)
		free(tc->remove[i]);
	memset(tc, 0, sizeof(*tc));
}

static void
change_remove(struct team_change *tc, const char *kw, size_t len)
{
	size_t i;

	for (i = 0; i < tc->nremove; i++)
		if (strlen(tc->remove[i]) == len && str_ncaseeq(tc->remove[i], kw, len))
			return;
	/* The last slot stays NULL: the list is passed as it is. */
	if (tc->nremove + 1 < sizeof(tc->remove) / sizeof(tc->remove[0]))
		tc->remove[tc->nremove++] = xstrndup(kw, len);
}

/* Another assignee to take away (not the one added). */
static bool
change_other_assignee(const char *word, size_t len, void *ctx)
{
	struct team_change *tc = ctx;

	if (tc->add == NULL || strlen(tc->add) != len || !str_ncaseeq(tc->add, word, len))
		change_remove(tc, word, len);
	return false;
}

/* The change x makes, given the keywords the messages carry now. */
static void
team_change_for(const struct cmd_action *x, const char *me, const struct index *flags,
    struct team_change *tc)
{
	size_t i;

	memset(tc, 0, sizeof(*tc));
	if (x->def->kind == CMD_ACTION_STATUS) {
		tc->add = keyword_status(x->arg);
		for (i = 0; i < KEYWORD_STATUS_COUNT; i++) {
			char *kw = keyword_status(keyword_statuses[i]);

			if (!str_caseeq(keyword_statuses[i], x->arg))
				change_remove(tc, kw, strlen(kw));
			free(kw);
		}
		return;
	}
	if (x->def->kind == CMD_ACTION_CLAIM)
		tc->add = keyword_assign(me);
	else if (strcmp(x->arg, "none") != 0)
		tc->add = keyword_assign(x->arg);
	/* Every other assignee any message carries goes. */
	for (i = 0; i < index_count(flags); i++)
		(void)keyword_list_each(index_msg_str(flags, index_at(flags, i),
		    INDEX_STR_KEYWORDS), KEYWORD_ASSIGN_PREFIX, change_other_assignee, tc);
}

/* Which messages need the change: lacking the added keyword, or
 * carrying one that goes. */
static void
team_needed(const struct team_change *tc, const struct index *flags, struct sync_uids *add,
    struct sync_uids *remove)
{
	size_t i, k;

	for (i = 0; i < index_count(flags); i++) {
		const struct index_msg *m = index_at(flags, i);
		const char *kw = index_msg_str(flags, m, INDEX_STR_KEYWORDS);

		if (tc->add != NULL && !keyword_list_has(kw, tc->add))
			sync_uids_add(add, m->uid);
		for (k = 0; k < tc->nremove; k++) {
			if (keyword_list_has(kw, tc->remove[k])) {
				sync_uids_add(remove, m->uid);
				break;
			}
		}
	}
	sync_uids_unique(add);
	sync_uids_unique(remove);
}

/* The outcome of one action on one conversation. */
enum team_outcome {
	TEAM_CHANGED,
	TEAM_ALREADY,
	TEAM_GONE,		/* no message of it is left */
	TEAM_REFUSED,		/* reported */
};

/* The ticket and the subject of a conversation, for messages. */
static char *
convo_name(const struct index *idx, const struct team_convo *t)
{
	const struct index_msg *m = index_at(idx, t->pos[0]);
	const char *s = index_msg_str(idx, m, INDEX_STR_SUBJECT);
	char *subject = safe_text_line(s, strlen(s), 60), *name;

	if (t->ticket[0] != '\0')
		name = xasprintf("ticket %s (%s)", t->ticket, subject);
	else
		name = xasprintf("UID %u (%s)", m->uid, subject);
	free(subject);
	return name;
}

/* TERN_DEBUG_TEAM_WAIT=PATH holds the first decisive store until PATH
 * exists (at most 30 s), so that a test can let a teammate's change in
 * between the read and the store (DESIGN.md, "Testing faults"). */
static void
team_debug_wait(void)
{
	const char *path = getenv("TERN_DEBUG_TEAM_WAIT");
	int i;

	if (path == NULL || path[0] == '\0')
		return;
	fprintf(stderr, "tern: debug: waiting for %s\n", path);
	fflush(stderr);
	for (i = 0; i < 600 && access(path, F_OK) != 0; i++)
		usleep(50 * 1000);
}

/* The first store decides: the oldest message that needs a word. */
static int
store_decisive(struct cmd_apply *ap, const struct index *flags, const struct team_change *tc,
    const struct sync_uids *add, const struct sync_uids *remove, bool *modified_r,
    char **why_r, char **error_r)
{
	struct sync_uids one;
	const char *list[2] = { NULL, NULL };
	const char *const *rm = (const char *const *)tc->remove;
	bool adding = add->n > 0;
	uint32_t uid = adding ? add->v[0] : remove->v[0];
	long pos;
	int r;

	pos = index_find(flags, uid);
	sync_uids_init(&one);
	sync_uids_add(&one, uid);
	list[0] = tc->add;
	r = cmd_apply_store(ap, &one, adding, adding ? list : rm,
	    pos >= 0 ? index_at(flags, (size_t)pos)->modseq : 0, modified_r, why_r, error_r);
	sync_uids_free(&one);
	return r;
}

/* What the conversation's first read said, to tell another teammate's
 * change from one that made no difference. */
struct convo_first {
	char *assign;
	enum team_status status;
	bool status_set;
};

/* Whether the conversation (now) was decided by someone else since it
 * was first read, so that x must not be made; said when so. */
static bool
team_conflict(const char *shown, const char *name, const char *me, const char *what,
    const struct cmd_action *x, const struct convo_now *now, const struct convo_first *first,
    bool again)
{
	bool same_assign = (first->assign == NULL) == (now->assign == NULL) &&
	    (now->assign == NULL || str_caseeq(first->assign, now->assign));

	if (x->def->kind == CMD_ACTION_CLAIM && now->assign != NULL &&
	    !str_caseeq(now->assign, me)) {
		log_error("%s: %s: held by %s; not claimed", shown, name, now->assign);
		return true;
	}
	if (!again)
		return false;
	if (x->def->kind == CMD_ACTION_ASSIGN && !same_assign &&
	    !(now->assign != NULL && str_caseeq(now->assign, x->arg))) {
		log_error("%s: %s: assigned to %s by someone else meanwhile; %s not made",
		    shown, name, now->assign != NULL ? now->assign : "nobody", what);
		return true;
	}
	if (x->def->kind == CMD_ACTION_STATUS &&
	    (now->status != first->status || now->status_set != first->status_set) &&
	    !str_caseeq(team_status_name(now->status), x->arg)) {
		log_error("%s: %s: status set to %s by someone else meanwhile; %s not made",
		    shown, name, team_status_name(now->status), what);
		return true;
	}
	return false;
}

/* One try of x on a conversation: read it, decide, store. *retry_r when
 * another change got to the decisive message first. */
static int
team_try(struct cmd_apply *ap, const char *shown, const char *folder, const char *me,
    const struct cmd_action *x, const char *name, const char *what,
    const struct sync_uids *uids, bool dry_run, struct convo_first *first, bool again,
    enum team_outcome *outcome_r, bool *retry_r, char **error_r)
{
	struct convo_now now;
	struct team_change tc;
	struct sync_uids add, remove;
	const char *list[2] = { NULL, NULL };
	const char *const *rm;
	char *why = NULL;
	bool modified = false;
	int r = -1;

	*retry_r = false;
	memset(&tc, 0, sizeof(tc));
	sync_uids_init(&add);
	sync_uids_init(&remove);
	if (now_read(ap, folder, uids, &now, error_r) != 0)
		goto out;
	r = 0;
	if (index_count(now.flags) == 0) {
		*outcome_r = TEAM_GONE;
		goto out;
	}
	if (!again) {
		first->assign = now.assign != NULL ? xstrdup(now.assign) : NULL;
		first->status = now.status;
		first->status_set = now.status_set;
	}
	if (team_conflict(shown, name, me, what, x, &now, first, again))
		goto out;
	team_change_for(x, me, now.flags, &tc);
	team_needed(&tc, now.flags, &add, &remove);
	if (add.n == 0 && remove.n == 0) {
		*outcome_r = TEAM_ALREADY;
		goto out;
	}
	if (dry_run) {
		*outcome_r = TEAM_CHANGED;
		goto out;
	}
	if (!again)
		team_debug_wait();
	r = -1;
	if (store_decisive(ap, now.flags, &tc, &add, &remove, &modified, &why, error_r) != 0)
		goto out;
	r = 0;
	if (why == NULL && modified) {
		/* Another change got there first: read again. */
		*retry_r = true;
		goto out;
	}
	/* Won: the rest of the conversation follows. */
	list[0] = tc.add;
	rm = (const char *const *)tc.remove;
	r = -1;
	if (why == NULL && add.n > 0) {
		if (cmd_apply_store(ap, &add, true, list, 0, &modified, &why, error_r) != 0)
			goto out;
		if (why == NULL)
			cmd_apply_held_change(ap, &add, list, NULL);
	}
	if (why == NULL && remove.n > 0) {
		if (cmd_apply_store(ap, &remove, false, rm, 0, &modified, &why, error_r) != 0)
			goto out;
		if (why == NULL)
			cmd_apply_held_change(ap, &remove, NULL, rm);
	}
	r = 0;
	if (why != NULL)
		log_error("%s: %s: %s failed: %s", shown, name, what, why);
	else
		*outcome_r = TEAM_CHANGED;
out:
	free(why);
	team_change_free(&tc);
	sync_uids_free(&add);
	sync_uids_free(&remove);
	now_free(&now);
	return r;
}

/* Applies one action to one conversation (its UIDs from the cache);
 * *outcome_r says how it went; failures are printed. */
static int
team_one(struct cmd_apply *ap, const char *shown, const char *folder, const char *me,
    const struct cmd_action *x, const char *name, const struct sync_uids *uids,
    bool dry_run, enum team_outcome *outcome_r, char **error_r)
{
	struct convo_first first;
	char *what = cmd_action_text(x);
	bool retry = true;
	int tries, r = 0;

	memset(&first, 0, sizeof(first));
	*outcome_r = TEAM_REFUSED;
	for (tries = 0; tries < TEAM_TRIES && retry && r == 0; tries++)
		r = team_try(ap, shown, folder, me, x, name, what, uids, dry_run, &first,
		    tries > 0, outcome_r, &retry, error_r);
	if (r == 0 && retry)
		log_error("%s: %s: changed by others %d times while tern tried; %s not made, "
		    "try again", shown, name, TEAM_TRIES, what);
	free(first.assign);
	free(what);
	return r;
}

/* ---- the conversations of the matches ---- */

struct touched {
	struct sync_uids uids;		/* the conversation's messages (cache) */
	char *name;			/* for messages */
};

/* The conversations with a message in uids, from the held index. */
static void
touched_collect(const struct index *idx, const struct sync_uids *uids, struct touched **t_r,
    size_t *n_r)
{
	struct team_convos *c = team_convos_build(idx);
	bool *seen = xcalloc(team_convos_count(c) + 1, sizeof(*seen));
	struct touched *t = xcalloc(uids->n + 1, sizeof(*t));
	size_t n = 0, i, k, g;

	for (i = 0; i < uids->n; i++) {
		long pos = index_find(idx, uids->v[i]);
		const struct team_convo *cv;

		if (pos < 0)
			continue;
		/* Each conversation once. */
		g = team_convos_which(c, (size_t)pos);
		cv = team_convos_at(c, g);
		if (cv == NULL || seen[g])
			continue;
		seen[g] = true;
		sync_uids_init(&t[n].uids);
		for (k = 0; k < cv->n; k++)
			sync_uids_add(&t[n].uids, index_at(idx, cv->pos[k])->uid);
		sync_uids_unique(&t[n].uids);
		t[n].name = convo_name(idx, cv);
		n++;
	}
	free(seen);
	team_convos_free(&c);
	*t_r = t;
	*n_r = n;
}

static void
touched_free(struct touched *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sync_uids_free(&t[i].uids);
		free(t[i].name);
	}
	free(t);
}

int
cmd_team_apply(struct cmd_apply *ap, const struct conf_team *team, const char *folder,
    const struct index *idx, const struct cmd_actions *a, const struct sync_uids *uids,
    bool dry_run, struct cmd_apply_result *results, char **error_r)
{
	const char *me = conf_team_get(team, "me");
	struct touched *t = NULL;
	size_t n = 0, i, k;
	char *shown = safe_text_line(folder, strlen(folder), 200);
	static bool warned;
	int r = -1;

	if (idx == NULL && cmd_apply_held_index(ap, folder, &idx, error_r) != 0)
		goto out;
	touched_collect(idx, uids, &t, &n);
	if (!warned && !dry_run && n > 0 && index_state(idx)->highestmodseq == 0) {
		warned = true;
		log_warn("%s: the server has no CONDSTORE, so a claim or status change "
		    "cannot be made conditional: a teammate doing the same at this moment "
		    "could also succeed", shown);
	}
	for (i = 0; i < a->n; i++) {
		const struct cmd_action *x = &a->v[i];
		char *what;
		unsigned long gone = 0;

		if (!cmd_team_action(x))
			continue;
		memset(&results[i], 0, sizeof(results[i]));
		for (k = 0; k < n; k++) {
			enum team_outcome o;

			if (team_one(ap, shown, folder, me, x, t[k].name, &t[k].uids, dry_run, &o,
			    error_r) != 0)
				goto out;
			if (o == TEAM_CHANGED)
				results[i].changed++;
			else if (o == TEAM_ALREADY)
				results[i].already++;
			else if (o == TEAM_GONE)
				gone++;
			else
				results[i].failed = true;
			if (dry_run && o == TEAM_CHANGED) {
				what = cmd_action_text(x);
				fprintf(stdout, "%s\t%s\twould %s\n", shown, t[k].name, what);
				free(what);
			}
		}
		if (cmd_apply_silent(ap))
			continue;
		what = cmd_action_text(x);
		fprintf(stderr, "%s: %s%s: %lu conversation%s%s", shown, dry_run ? "would " : "",
		    what, results[i].changed, results[i].changed == 1 ? "" : "s",
		    dry_run ? "" : " changed");
		if (results[i].already > 0)
			fprintf(stderr, " (%lu already so)", results[i].already);
		if (gone > 0)
			fprintf(stderr, " (%lu no longer in the folder)", gone);
		fputc('\n', stderr);
		free(what);
	}
	r = 0;
out:
	touched_free(t, n);
	free(shown);
	return r;
}

/* ---- new mail in a team folder ---- */

char *
cmd_team_address(const struct conf_account *acct)
{
	const char *from = conf_account_get(acct, "from");
	struct rfc5322_addr_list *l;
	char *addr = NULL;

	if (from == NULL)
		return NULL;
	l = rfc5322_addr_parse(from, strlen(from), NULL);
	if (l != NULL && l->count > 0 && l->addrs[0].addr[0] != '\0')
		addr = xstrdup(l->addrs[0].addr);
	rfc5322_addr_list_destroy(&l);
	return addr;
}

/* Stores one keyword on uids (plain: joining what is decided already),
 * the held index following. */
static int
add_keyword(struct cmd_apply *ap, const char *shown, const char *kw,
    const struct sync_uids *uids, unsigned *failures, char **error_r)
{
	const char *list[2] = { kw, NULL };
	bool modified;
	char *why = NULL;

	if (uids->n == 0)
		return 0;
	if (cmd_apply_store(ap, uids, true, list, 0, &modified, &why, error_r) != 0)
		return -1;
	if (why != NULL) {
		log_error("%s: cannot add %s to %zu message%s: %s", shown, kw, uids->n,
		    uids->n == 1 ? "" : "s", why);
		free(why);
		(*failures)++;
		return 0;
	}
	cmd_apply_held_change(ap, uids, list, NULL);
	return 0;
}

int
cmd_team_arrivals(struct cmd_apply *ap, const struct conf_account *acct,
    const struct conf_team *team, const char *folder, const struct index *idx,
    bool dry_run, struct cmd_team_stats *st, char **error_r)
{
	struct cmd_action reopen;
	/* The messages that take each status, by enum team_status. */
	struct sync_uids inherit[KEYWORD_STATUS_COUNT];
	struct touched *again = NULL;
	struct team_convos *c = NULL;
	char *ours = cmd_team_address(acct);
	char *shown = safe_text_line(folder, strlen(folder), 200), *rights = NULL;
	size_t nagain = 0, i, k;
	int r = -1;

	for (i = 0; i < KEYWORD_STATUS_COUNT; i++)
		sync_uids_init(&inherit[i]);
	memset(&reopen, 0, sizeof(reopen));
	reopen.def = cmd_action_lookup("status");
	reopen.arg = (char *)"open";
	if (cmd_apply_myrights(ap, folder, &rights, error_r) != 0)
		goto out;
	if (rights != NULL && strchr(rights, 'w') == NULL) {
		fprintf(stderr, "%s: team: your rights on this folder are '%s', so its new "
		    "mail is left to a teammate who may change it\n", shown, rights);
		r = 0;
		goto out;
	}
	if (idx == NULL ? cmd_apply_held_index(ap, folder, &idx, error_r) != 0 :
	    cmd_apply_open(ap, folder, NULL, NULL, error_r) != 0)
		goto out;
	c = team_convos_build(idx);
	again = xcalloc(team_convos_count(c) + 1, sizeof(*again));
	for (i = 0; i < team_convos_count(c); i++) {
		const struct team_convo *t = team_convos_at(c, i);
		struct sync_uids lacking, lacking_assign;
		bool customer = false;

		sync_uids_init(&lacking);
		sync_uids_init(&lacking_assign);
		for (k = 0; k < t->n; k++) {
			const struct index_msg *m = index_at(idx, t->pos[k]);
			const char *kw = index_msg_str(idx, m, INDEX_STR_KEYWORDS);
			enum team_status s;

			if (!team_msg_status(kw, &s)) {
				sync_uids_add(&lacking, m->uid);
				customer = customer || !team_msg_by_team(idx, m, ours);
			}
			if (t->assign != NULL && !keyword_list_has_prefix(kw, KEYWORD_ASSIGN_PREFIX))
				sync_uids_add(&lacking_assign, m->uid);
		}
		if (!t->status_set) {
			/* A new conversation is open. */
			for (k = 0; k < lacking.n; k++)
				sync_uids_add(&inherit[TEAM_OPEN], lacking.v[k]);
			st->opened++;
		} else if (lacking.n > 0 && customer && t->status != TEAM_OPEN) {
			/* The customer wrote again: open once more, decided as a
			 * status change is (another teammate may be at it). */
			sync_uids_init(&again[nagain].uids);
			for (k = 0; k < t->n; k++)
				sync_uids_add(&again[nagain].uids, index_at(idx, t->pos[k])->uid);
			again[nagain].name = convo_name(idx, t);
			nagain++;
		} else if (lacking.n > 0) {
			for (k = 0; k < lacking.n; k++)
				sync_uids_add(&inherit[t->status], lacking.v[k]);
			st->joined += lacking.n;
		}
		if (lacking_assign.n > 0 && !dry_run) {
			char *kw = keyword_assign(t->assign);

			if (kw != NULL && add_keyword(ap, shown, kw, &lacking_assign, &st->failures,
			    error_r) != 0) {
				free(kw);
				sync_uids_free(&lacking);
				sync_uids_free(&lacking_assign);
				goto out;
			}
			free(kw);
		}
		sync_uids_free(&lacking);
		sync_uids_free(&lacking_assign);
	}
	if (dry_run) {
		for (k = 0; k < nagain; k++)
			fprintf(stdout, "%s\t%s\twould reopen\n", shown, again[k].name);
		st->reopened += nagain;
		r = 0;
		goto out;
	}
	for (i = 0; i < KEYWORD_STATUS_COUNT; i++) {
		char *kw = keyword_status(team_status_name((enum team_status)i));
		int a;

		sync_uids_unique(&inherit[i]);
		a = add_keyword(ap, shown, kw, &inherit[i], &st->failures, error_r);
		free(kw);
		if (a != 0)
			goto out;
	}
	for (k = 0; k < nagain; k++) {
		enum team_outcome o;

		if (team_one(ap, shown, folder, conf_team_get(team, "me"), &reopen, again[k].name,
		    &again[k].uids, false, &o, error_r) != 0)
			goto out;
		if (o == TEAM_CHANGED)
			st->reopened++;
		else if (o == TEAM_REFUSED)
			st->failures++;
	}
	r = 0;
out:
	touched_free(again, nagain);
	team_convos_free(&c);
	for (i = 0; i < KEYWORD_STATUS_COUNT; i++)
		sync_uids_free(&inherit[i]);
	free(ours);
	free(rights);
	free(shown);
	return r;
}

/* Applies the actions of a that a step takes (never the team ones) to
 * uids; results land at their places in a. */
static int
apply_step(struct cmd_apply *ap, const char *folder, const struct cmd_actions *a,
    bool moves, const struct sync_uids *uids, struct cmd_apply_result *results,
    char **error_r)
{
	struct cmd_actions sub;
	struct cmd_apply_result got[CMD_ACTIONS_MAX];
	size_t where[CMD_ACTIONS_MAX], i;
	int r;

	memset(&sub, 0, sizeof(sub));
	for (i = 0; i < a->n; i++) {
		enum cmd_action_kind k = a->v[i].def->kind;

		if (cmd_team_action(&a->v[i]) ||
		    (k == CMD_ACTION_MOVE || k == CMD_ACTION_DELETE) != moves)
			continue;
		where[sub.n] = i;
		sub.v[sub.n++] = a->v[i];	/* borrowed: not freed */
	}
	if (sub.n == 0)
		return 0;
	r = cmd_apply_actions(ap, folder, &sub, uids, false, got, error_r);
	for (i = 0; i < sub.n; i++)
		results[where[i]] = got[i];
	return r;
}

int
cmd_team_apply_all(struct cmd_apply *ap, const struct conf_team *team, const char *folder,
    const struct index *idx, const struct cmd_actions *a, const struct sync_uids *uids,
    bool dry_run, struct cmd_apply_result *results, char **error_r)
{
	memset(results, 0, sizeof(*results) * a->n);
	if (apply_step(ap, folder, a, false, uids, results, error_r) != 0 ||
	    cmd_team_apply(ap, team, folder, idx, a, uids, dry_run, results, error_r) != 0 ||
	    apply_step(ap, folder, a, true, uids, results, error_r) != 0)
		return -1;
	return 0;
}

/* ---- the automatic acknowledgement ---- */

/* When acknowledgements were switched on for the folder: kept on the
 * server, so that every device agrees and no backlog or import is ever
 * answered (PRODUCT.md). */
#define TEAM_ACK_SINCE_ENTRY "/shared/vendor/tern/ack-since"
/* At most this many acknowledgements an hour to one address. */
#define TEAM_ACK_PER_HOUR 3
/* Said when the team has no acknowledge-template. */
#define TEAM_ACK_SUBJECT "[#${ticket}] Re: ${subject}"
#define TEAM_ACK_BODY "Hello ${customer},\n\nthank you for writing to us. We have " \
	"your message and will answer it as soon as we can.\n\nYour ticket number is " \
	"${ticket}: please keep it in the subject when you write about this again.\n\n" \
	"-- \n${team}\n"

/* The first customer message of a conversation that may be acknowledged,
 * with what the reply needs. */
struct ack {
	uint32_t uid;
	uint64_t modseq;
	char ticket[TICKET_LEN + 1];
	char *subject, *name, *addr, *message_id;
	char *to;			/* where the answer goes (from the headers) */
	enum autoreply_verdict verdict;
	bool fetched;
	size_t recent;			/* sent to addr within the hour before the run */
};

struct acks {
	struct ack *v;
	size_t n;
};

static void
acks_free(struct acks *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].subject);
		free(a->v[i].name);
		free(a->v[i].addr);
		free(a->v[i].message_id);
		free(a->v[i].to);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static void
ack_header(void *ctx, uint32_t uid, const char *header, size_t len)
{
	struct acks *a = ctx;
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].uid != uid || a->v[i].fetched)
			continue;
		a->v[i].verdict = autoreply_check(header, len, &a->v[i].to);
		a->v[i].fetched = true;
	}
}

/* The name and address of an index From ("Name <addr>" or "addr"). */
static void
split_from(const char *from, char **name_r, char **addr_r)
{
	size_t len = strcspn(from, "\n");
	const char *lt = memchr(from, '<', len);

	if (lt != NULL && len > 0 && from[len - 1] == '>') {
		size_t n = (size_t)(lt - from);

		while (n > 0 && from[n - 1] == ' ')
			n--;
		*name_r = xstrndup(from, n);
		*addr_r = xstrndup(lt + 1, (size_t)(from + len - 1 - lt - 1));
	} else {
		*name_r = xstrdup("");
		*addr_r = xstrndup(from, len);
	}
}

/* Whether a message of t carries tern/acked. */
static bool
convo_acked(const struct index *idx, const struct team_convo *t)
{
	size_t k;

	for (k = 0; k < t->n; k++)
		if (keyword_list_has(index_msg_str(idx, index_at(idx, t->pos[k]),
		    INDEX_STR_KEYWORDS), TEAM_KEYWORD_ACKED))
			return true;
	return false;
}

/* How many conversations acknowledged within the hour began with a
 * message from addr. */
static size_t
acks_recent(const struct team_convos *c, const struct index *idx, const char *ours,
    const char *addr, int64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < team_convos_count(c); i++) {
		const struct team_convo *t = team_convos_at(c, i);
		const struct index_msg *first = team_convo_first(idx, t, NULL, false, ours);
		char *name, *from;

		if (first == NULL || first->internaldate < now - 3600 || !convo_acked(idx, t))
			continue;
		split_from(index_msg_str(idx, first, INDEX_STR_FROM), &name, &from);
		n += str_caseeq(from, addr);
		free(name);
		free(from);
	}
	return n;
}

/* Conversations that want an acknowledgement: the customer wrote first
 * since acknowledgements began, nobody of the team has written, none was
 * sent (tern/acked); with how many went to the same sender this hour,
 * counted before this run marks any. */
static void
acks_collect(const struct index *idx, const char *ours, int64_t since, int64_t now,
    struct acks *a)
{
	struct team_convos *c = team_convos_build(idx);
	size_t i;

	a->v = xcalloc(team_convos_count(c) + 1, sizeof(*a->v));
	for (i = 0; i < team_convos_count(c); i++) {
		const struct team_convo *t = team_convos_at(c, i);
		const struct index_msg *first = team_convo_first(idx, t, NULL, false, ours);
		struct ack *x;

		if (first == NULL || first->internaldate < since || t->ticket[0] == '\0' ||
		    team_convo_first(idx, t, NULL, true, ours) != NULL || convo_acked(idx, t))
			continue;
		x = &a->v[a->n++];
		x->uid = first->uid;
		memcpy(x->ticket, t->ticket, sizeof(x->ticket));
		x->subject = xstrdup(index_msg_str(idx, first, INDEX_STR_SUBJECT));
		x->message_id = xstrdup(index_msg_str(idx, first, INDEX_STR_MESSAGE_ID));
		split_from(index_msg_str(idx, first, INDEX_STR_FROM), &x->name, &x->addr);
		x->recent = acks_recent(c, idx, ours, x->addr, now);
	}
	team_convos_free(&c);
}

/* The directory of the team's templates, ~ expanded; NULL when unset or
 * kept on the server (imap:FOLDER). */
static char *
templates_dir(const struct conf_team *team)
{
	const char *dir = conf_team_get(team, "templates"), *home = getenv("HOME");

	if (dir == NULL || str_has_prefix(dir, "imap:"))
		return NULL;
	if (dir[0] == '~' && dir[1] == '/' && home != NULL)
		return xasprintf("%s%s", home, dir + 1);
	return xstrdup(dir);
}

/* The IMAP folder of the team's templates (templates=imap:FOLDER), or
 * NULL. Each message there is one template: its subject is the name,
 * its text the template (an optional Subject: line, a blank line, the
 * body), so every teammate and device uses the same ones. */
static const char *
templates_folder(const struct conf_team *team)
{
	const char *t = conf_team_get(team, "templates");

	if (t == NULL || !str_has_prefix(t, "imap:"))
		return NULL;
	t += 5;
	while (*t == ' ')
		t++;
	return t;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The settings each team keeps on the server, once read (one process
 * works for few teams). */
#define TEAM_REMOTE_MAX 16
static struct {
	const struct conf_team *team;
	struct team_settings s;
} team_remote[TEAM_REMOTE_MAX];
static size_t team_nremote;

const char *
cmd_team_get(const struct conf_team *team, const char *name)
{
	size_t i;
	const char *v;

	for (i = 0; i < team_nremote; i++)
		if (team_remote[i].team == team &&
		    (v = team_settings_get(&team_remote[i].s, name)) != NULL)
			return v;
	return conf_team_get(team, name);
}

bool
cmd_team_is_member(const struct conf_team *team, const char *name)
{
	const char *members = cmd_team_get(team, "members");

	return members == NULL || members[0] == '\0' || conf_word_in_list(members, name);
}

static void
settings_warn(void *ctx, const char *message)
{
	(void)ctx;
	log_warn("%s", message);
}

/* The templates folder's messages, by subject: names_r (sorted, new
 * strings) and, when want is not NULL, the UID of the one named want
 * (0: none). */
static int
templates_imap_scan(struct cmd_apply *ap, const char *folder, const char *want,
    char ***names_r, uint32_t *uid_r, char **error_r)
{
	const struct index *idx;
	char **names;
	size_t i, n = 0;

	*uid_r = 0;
	if (cmd_apply_held_index(ap, folder, &idx, error_r) != 0)
		return -1;
	names = xcalloc(index_count(idx) + 1, sizeof(*names));
	for (i = 0; i < index_count(idx); i++) {
		const struct index_msg *m = index_at(idx, i);
		const char *subj = index_msg_str(idx, m, INDEX_STR_SUBJECT);
		size_t len;

		while (*subj == ' ')
			subj++;
		len = strlen(subj);
		while (len > 0 && subj[len - 1] == ' ')
			len--;
		if (len == 0 || (m->flags & INDEX_DELETED))
			continue;
		if (want != NULL && strlen(want) == len && str_ncaseeq(subj, want, len) &&
		    (*uid_r == 0 || m->uid > *uid_r))
			*uid_r = m->uid;
		if (len == strlen(TEAM_SETTINGS_NAME) && str_ncaseeq(subj, TEAM_SETTINGS_NAME, len))
			continue;
		names[n++] = xstrndup(subj, len);
	}
	qsort(names, n, sizeof(*names), name_cmp);
	*names_r = names;
	return 0;
}

/* The text of the message named name in the templates folder: 0 with
 * *text_r (free() it) and *len_r; 1 when there is none; 2 when the
 * server would not give it (*error_r); -1 when the connection was lost. */
static int
templates_imap_text(struct cmd_apply *ap, const char *folder, const char *name,
    char **text_r, size_t *len_r, char **error_r)
{
	char **names = NULL;
	uint32_t uid;
	struct buf raw;
	struct message *m;
	int r;

	*text_r = NULL;
	*len_r = 0;
	if (templates_imap_scan(ap, folder, name, &names, &uid, error_r) != 0)
		return -1;
	template_names_free(names);
	if (uid == 0)
		return 1;
	buf_init(&raw, TEMPLATE_SIZE_MAX * 4);
	if ((r = cmd_fetch_message(cmd_apply_session(ap), uid, &raw, error_r)) != 0) {
		buf_free(&raw);
		return r < 0 ? -1 : 2;
	}
	m = message_parse(buf_ptr(&raw), buf_len(&raw), NULL);
	*len_r = m->text != NULL ? m->text_len : 0;
	*text_r = xmemdup(m->text != NULL ? m->text : "", *len_r);
	message_destroy(&m);
	buf_free(&raw);
	return 0;
}

/* The template named name from the team's IMAP folder. */
static int
template_load_imap(struct cmd_apply *ap, const char *folder, const char *name,
    struct template **t_r, char **error_r)
{
	char *text, *file;
	size_t len;
	int r;

	*t_r = NULL;
	if ((r = templates_imap_text(ap, folder, name, &text, &len, error_r)) != 0) {
		if (r == 1)
			*error_r = xasprintf("imap:%s: no template named '%s' (a message with "
			    "that subject)", folder, name);
		return -1;
	}
	file = xasprintf("imap:%s/%s", folder, name);
	r = template_parse(text, len, file, t_r, error_r);
	free(file);
	free(text);
	return r;
}

int
cmd_team_load_settings(struct cmd_apply *ap, const struct conf_team *team, char **error_r)
{
	const char *folder = templates_folder(team);
	struct team_settings got;
	char *text, *file;
	size_t i, len;
	int r;

	if (folder == NULL)
		return 0;
	for (i = 0; i < team_nremote; i++)
		if (team_remote[i].team == team)
			return 0;
	memset(&got, 0, sizeof(got));
	r = templates_imap_text(ap, folder, TEAM_SETTINGS_NAME, &text, &len, error_r);
	if (r < 0)
		return -1;
	if (r == 2) {
		log_warn("team '%s': imap:%s/%s: %s", conf_team_name(team), folder,
		    TEAM_SETTINGS_NAME, *error_r);
		free(*error_r);
		*error_r = NULL;
	} else if (r == 0) {
		file = xasprintf("imap:%s/%s", folder, TEAM_SETTINGS_NAME);
		team_settings_parse(text, len, file, &got, settings_warn, NULL);
		free(file);
		free(text);
	}
	if (team_nremote < TEAM_REMOTE_MAX) {
		team_remote[team_nremote].team = team;
		team_remote[team_nremote++].s = got;
	} else
		team_settings_free(&got);
	return 0;
}

/* Any template of the team, from its directory or its IMAP folder. */
static int
team_template_load(struct cmd_apply *ap, const struct conf_team *team, const char *name,
    struct template **t_r, char **error_r)
{
	const char *folder = templates_folder(team);
	char *dir;
	int r;

	if (folder != NULL) {
		if (ap == NULL) {
			*error_r = xasprintf("team '%s': templates=imap:%s needs the server",
			    conf_team_name(team), folder);
			return -1;
		}
		return template_load_imap(ap, folder, name, t_r, error_r);
	}
	if ((dir = templates_dir(team)) == NULL) {
		*error_r = xasprintf("team '%s' has no templates= (a directory, or "
		    "imap:FOLDER)", conf_team_name(team));
		return -1;
	}
	r = template_load(dir, name, t_r, error_r);
	free(dir);
	return r;
}

/* The acknowledgement's template: the team's, else the built-in one. */
static int
ack_template(struct cmd_apply *ap, const struct conf_team *team, struct template **t_r,
    char **error_r)
{
	const char *name = cmd_team_get(team, "acknowledge-template");
	const char *text = "Subject: " TEAM_ACK_SUBJECT "\n\n" TEAM_ACK_BODY;

	if (name != NULL)
		return team_template_load(ap, team, name, t_r, error_r);
	return template_parse(text, strlen(text), "(built in)", t_r, error_r);
}

/* The subject with the ticket in it ("... [#K7Q2M2]") unless it is
 * there: threading that survives mail clients which drop References. A
 * new string. */
static char *
ticket_subject(const char *subject, const char *ticket)
{
	if (strstr(subject, ticket) != NULL)
		return xstrdup(subject);
	return xasprintf("%s [#%s]", subject, ticket);
}

/* The variables of a template answering a customer. The strings are
 * borrowed. */
static void
team_vars(const struct conf_team *team, const char *ticket, const char *name,
    const char *addr, const char *subject, struct template_vars *v)
{
	memset(v, 0, sizeof(*v));
	v->ticket = ticket;
	v->customer = name;
	v->customer_addr = addr;
	v->agent = conf_team_get(team, "me");
	v->team = conf_team_name(team);
	v->subject = subject;
}

/* Builds and sends one acknowledgement; 0 sent, -1 not (*error_r). */
static int
ack_send(const struct conf *conf, const struct conf_account *acct,
    const struct conf_team *team, const struct cmd_login_secret *secret,
    const struct template *tpl, const struct ack *x, char **error_r)
{
	struct template_vars v;
	struct cmd_draft *d;
	struct buf msg;
	char **rcpts = NULL, *from = NULL, *warning = NULL, *subject;
	int r = -1;

	team_vars(team, x->ticket, x->name, x->to, x->subject, &v);
	d = cmd_draft_new(acct, &warning);
	free(warning);
	free(d->to);
	d->to = xstrdup(x->to);
	subject = template_has_subject(tpl) ? template_subject(tpl, &v) :
	    xasprintf("Re: %s", x->subject);
	free(d->subject);
	d->subject = ticket_subject(subject, x->ticket);
	free(subject);
	free(d->body);
	d->body = template_body(tpl, &v);
	if (x->message_id[0] != '\0') {
		d->in_reply_to = xstrdup(x->message_id);
		d->references = xstrdup(x->message_id);
	}
	d->auto_replied = true;
	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	if (cmd_draft_build(d, conf, acct, &msg, error_r) != 0 ||
	    cmd_draft_recipients(d, &rcpts, error_r) != 0 ||
	    (from = cmd_draft_sender(d, acct, error_r)) == NULL)
		goto out;
	r = cmd_send_smtp(conf, acct, secret, buf_ptr(&msg), buf_len(&msg), rcpts, from,
	    error_r) == 0 ? 0 : -1;
out:
	cmd_draft_recipients_free(&rcpts);
	free(from);
	buf_free(&msg);
	cmd_draft_destroy(&d);
	return r;
}

/* The moment acknowledgements began for folder, set to now the first
 * time; false (said) when the server cannot keep it. */
static int
ack_since(struct cmd_apply *ap, const char *shown, const char *folder, int64_t now,
    bool dry_run, int64_t *since_r, bool *ok_r, char **error_r)
{
	char *value = NULL, *why = NULL, *set;
	uint64_t n;

	*ok_r = false;
	if (cmd_apply_metadata(ap, folder, TEAM_ACK_SINCE_ENTRY, NULL, &value, &why,
	    error_r) != 0)
		return -1;
	if (why == NULL && value != NULL && str_to_u64(value, INT64_MAX, &n) == 0) {
		free(value);
		*since_r = (int64_t)n;
		*ok_r = true;
		return 0;
	}
	free(value);
	if (why == NULL && !dry_run) {
		set = xasprintf("%lld", (long long)now);
		if (cmd_apply_metadata(ap, folder, TEAM_ACK_SINCE_ENTRY, set, NULL, &why,
		    error_r) != 0) {
			free(set);
			return -1;
		}
		free(set);
		if (why == NULL) {
			fprintf(stderr, "%s: acknowledgements begin now: mail that came "
			    "before gets none\n", shown);
			*since_r = now;
			*ok_r = true;
			return 0;
		}
	}
	if (why != NULL)
		log_warn("%s: no acknowledgements are sent: %s, so tern cannot keep on the "
		    "server when they were switched on (and never answer older mail)", shown,
		    why);
	free(why);
	return 0;
}

int
cmd_team_acknowledge(struct cmd_apply *ap, const struct conf *conf,
    const struct conf_account *acct, const struct conf_team *team, const char *folder,
    const struct index *idx, const struct cmd_login_secret *secret, bool dry_run,
    struct cmd_team_stats *st, char **error_r)
{
	const char *on = cmd_team_get(team, "acknowledge");
	struct template *tpl = NULL;
	struct acks a;
	struct sync_uids uids;
	char *ours = NULL, *shown = NULL, *rights = NULL, *why = NULL, *failed = NULL;
	char **sent_to = NULL;
	size_t nsent = 0, k, already;
	const char *tern_acked[2] = { TEAM_KEYWORD_ACKED, NULL };
	int64_t now = (int64_t)time(NULL), since = 0;
	size_t i;
	bool ok;
	int r = -1;

	memset(&a, 0, sizeof(a));
	sync_uids_init(&uids);
	if (on == NULL || strcmp(on, "yes") != 0)
		return 0;
	shown = safe_text_line(folder, strlen(folder), 200);
	if (ack_template(ap, team, &tpl, &why) != 0) {
		log_error("%s: no acknowledgements are sent: %s", shown, why);
		st->failures++;
		r = 0;
		goto out;
	}
	if (cmd_apply_myrights(ap, folder, &rights, error_r) != 0)
		goto out;
	if (rights != NULL && strchr(rights, 'w') == NULL) {
		r = 0;
		goto out;
	}
	if (ack_since(ap, shown, folder, now, dry_run, &since, &ok, error_r) != 0)
		goto out;
	if (!ok) {
		r = 0;
		goto out;
	}
	if (idx == NULL ? cmd_apply_held_index(ap, folder, &idx, error_r) != 0 :
	    cmd_apply_open(ap, folder, NULL, NULL, error_r) != 0)
		goto out;
	ours = cmd_team_address(acct);
	acks_collect(idx, ours, since, now, &a);
	for (i = 0; i < a.n; i++)
		sync_uids_add(&uids, a.v[i].uid);
	sync_uids_unique(&uids);
	if (uids.n > 0 && cmd_apply_fetch_headers(ap, &uids, autoreply_fields, ack_header, &a,
	    error_r) != 0)
		goto out;
	for (i = 0; i < a.n; i++) {
		struct ack *x = &a.v[i];
		struct sync_uids one;
		struct index *flags = NULL;
		bool modified = false;
		long pos;

		if (!x->fetched)
			continue;
		if (x->verdict != AUTOREPLY_OK) {
			st->not_acked++;
			continue;
		}
		if (ours != NULL && str_caseeq(x->to, ours)) {
			st->not_acked++;
			continue;
		}
		/* Those marked before this run, and this run's. */
		already = x->recent;
		for (k = 0; k < nsent; k++)
			already += str_caseeq(sent_to[k], x->addr);
		if (already >= TEAM_ACK_PER_HOUR) {
			fprintf(stderr, "%s: ticket %s: not acknowledged: %s had %d already "
			    "this hour\n", shown, x->ticket, x->addr, TEAM_ACK_PER_HOUR);
			st->not_acked++;
			continue;
		}
		if (dry_run) {
			fprintf(stdout, "%s\tticket %s\twould acknowledge to %s\n", shown,
			    x->ticket, x->to);
			st->acked++;
			continue;
		}
		/* The mark first, and conditional: of two teammates' runs one
		 * sends, and a conversation is answered once. */
		sync_uids_init(&one);
		sync_uids_add(&one, x->uid);
		if (cmd_apply_fetch_flags(ap, folder, &one, &flags, error_r) != 0) {
			sync_uids_free(&one);
			goto out;
		}
		/* Decided on what the server says now, with the MODSEQ that
		 * read belongs to: a teammate's mark since the sync shows. */
		pos = index_find(flags, x->uid);
		x->modseq = pos >= 0 ? index_at(flags, (size_t)pos)->modseq : 0;
		if (pos >= 0 && keyword_list_has(index_msg_str(flags, index_at(flags, (size_t)pos),
		    INDEX_STR_KEYWORDS), TEAM_KEYWORD_ACKED))
			pos = -1;
		index_destroy(&flags);
		if (pos < 0) {
			sync_uids_free(&one);
			continue;
		}
		if (cmd_apply_store(ap, &one, true, tern_acked, x->modseq, &modified, &why,
		    error_r) != 0) {
			sync_uids_free(&one);
			goto out;
		}
		if (why != NULL || modified) {
			/* Changed meanwhile: the next run looks again. */
			free(why);
			why = NULL;
			sync_uids_free(&one);
			continue;
		}
		cmd_apply_held_change(ap, &one, tern_acked, NULL);
		sent_to = xreallocarray(sent_to, nsent + 1, sizeof(*sent_to));
		sent_to[nsent++] = xstrdup(x->addr);
		if (ack_send(conf, acct, team, secret, tpl, x, &failed) != 0) {
			log_error("%s: ticket %s: the acknowledgement to %s was not sent: %s",
			    shown, x->ticket, x->to, failed);
			free(failed);
			failed = NULL;
			st->failures++;
			/* Unmarked, so that a later run sends it. */
			if (cmd_apply_store(ap, &one, false, tern_acked, 0, &modified, &why,
			    error_r) != 0) {
				sync_uids_free(&one);
				goto out;
			}
			free(why);
			why = NULL;
			cmd_apply_held_change(ap, &one, NULL, tern_acked);
		} else
			st->acked++;
		sync_uids_free(&one);
	}
	r = 0;
out:
	for (k = 0; k < nsent; k++)
		free(sent_to[k]);
	free(sent_to);
	template_free(&tpl);
	acks_free(&a);
	sync_uids_free(&uids);
	free(ours);
	free(rights);
	free(why);
	free(shown);
	return r;
}

/* ---- replies ---- */

int
cmd_team_templates(struct cmd_apply *ap, const struct conf_team *team, char ***names_r,
    char **error_r)
{
	const char *folder = templates_folder(team);
	char *dir;
	uint32_t uid;
	int r;

	*names_r = NULL;
	if (folder != NULL && ap != NULL)
		return templates_imap_scan(ap, folder, NULL, names_r, &uid, error_r);
	if ((dir = templates_dir(team)) == NULL) {
		*error_r = folder != NULL ? xasprintf("team '%s': templates=imap:%s needs "
		    "the server", conf_team_name(team), folder) :
		    xasprintf("team '%s' has no templates= (a directory, or imap:FOLDER)",
		    conf_team_name(team));
		return -1;
	}
	r = template_names(dir, names_r, error_r);
	free(dir);
	return r;
}

int
cmd_team_reply(struct cmd_apply *ap, const struct conf_team *team, const struct index *idx,
    uint32_t uid, const char *name, struct cmd_draft *d, char **error_r)
{
	long pos = index_find(idx, uid);
	const struct index_msg *m = pos >= 0 ? index_at(idx, (size_t)pos) : NULL;
	char ticket[TICKET_LEN + 1], *text, *cname, *caddr, *subject, *body;
	struct template_vars v;
	struct template *t = NULL;

	if (m == NULL || !ticket_of_msg(idx, m, ticket))
		return 0;
	text = ticket_subject(d->subject, ticket);
	free(d->subject);
	d->subject = text;
	if (name == NULL)
		return 0;
	/* The message's fields first, copied: loading from IMAP may change
	 * what ap holds. */
	split_from(index_msg_str(idx, m, INDEX_STR_FROM), &cname, &caddr);
	subject = xstrdup(index_msg_str(idx, m, INDEX_STR_SUBJECT));
	team_vars(team, ticket, cname, caddr, subject, &v);
	if (team_template_load(ap, team, name, &t, error_r) != 0) {
		free(cname);
		free(caddr);
		free(subject);
		return -1;
	}
	/* The response first, the quote after it. */
	text = template_body(t, &v);
	body = xasprintf("%s\n%s", text, d->body);
	free(d->body);
	d->body = body;
	free(text);
	free(cname);
	free(caddr);
	free(subject);
	template_free(&t);
	return 0;
}

/* ---- rights in words ---- */

char *
cmd_team_rights_text(const char *rights)
{
	bool w = strchr(rights, 'w') != NULL, s = strchr(rights, 's') != NULL,
	    move = strchr(rights, 't') != NULL && strchr(rights, 'e') != NULL;

	if (strchr(rights, 'r') == NULL)
		return xstrdup("cannot read the folder");
	if (!w && !s)
		return xstrdup("read only: sees the queues, cannot claim, reply or change "
		    "status");
	return xasprintf("%s%s%s", w ? "claims, assigns, sets status and replies" :
	    "cannot claim, reply or change status",
	    s ? "; marks read" : "", move ? "; moves and deletes" : "");
}
