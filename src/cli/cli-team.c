/* tern --team-report [--json] [--offline] [TEAM]: a team folder's queues,
 * who holds what, the conversation waiting longest and how fast the team
 * answers, from its header cache after a resync as --list does (or, with
 * --offline, from the cache alone).
 *
 * Definitions (the report's words, for scripts and tests):
 * - a conversation is what team_convos() groups (one ticket), with its
 *   status and assignee; "assign/none" counts as no assignee, as
 *   --assign none means;
 * - a message is the team's when its From address is the account's
 *   from= address (case-insensitive) or it carries the keyword
 *   tern/reply; messages are ordered by arrival (INTERNALDATE), then UID;
 * - an open conversation waits since the first message after the team's
 *   newest one (its first message when the team never wrote); when the
 *   team wrote last it is not waiting on the team at all;
 * - overdue: open and waiting longer than reply-deadline (none without
 *   one); done_today: done, with a message that arrived since local
 *   midnight (when it was set done is nowhere on the server);
 * - first response: from the first message not the team's to the
 *   team's first one after it, over the conversations that began in the
 *   last REPORT_PERIOD_DAYS days and were answered; the median of an
 *   even count is the mean of the middle two, rounded down. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-imap.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-team.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/rfc5322.h"
#include "mime/safe-text.h"
#include "rules/keyword.h"
#include "rules/team.h"

#define REPORT_PERIOD_DAYS 30
#define REPORT_LABEL_COLS 16
#define REPORT_SUBJECT_COLS 60

/* Open and pending conversations of one assignee. */
struct report_person {
	char *name;
	size_t open, pending;
};

struct report {
	struct team_queues q;		/* unassigned, mine, open, pending, overdue */
	size_t done_today, total;
	struct report_person *people;	/* the members, then anyone else */
	size_t npeople, nmembers;
	struct report_person none;
	const struct team_convo *oldest;	/* waiting longest, or NULL */
	const struct index_msg *oldest_first;	/* its first message */
	int64_t oldest_since;
	bool have_median;
	int64_t median;
};

/* What the report needs to know besides the index. */
struct report_ctx {
	const struct index *idx;
	char *from_addr;	/* the account's from= address, or NULL */
	const char *me;		/* the team's me=, or NULL */
	uint64_t deadline;	/* reply-deadline in seconds, 0 for none */
	int64_t now, midnight;
};

/* The person named name (case-insensitive, as IMAP keywords compare),
 * added when new. */
static struct report_person *
report_person(struct report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->npeople; i++)
		if (str_caseeq(r->people[i].name, name))
			return &r->people[i];
	r->people = xreallocarray(r->people, r->npeople + 1, sizeof(*r->people));
	memset(&r->people[r->npeople], 0, sizeof(*r->people));
	r->people[r->npeople].name = xstrdup(name);
	return &r->people[r->npeople++];
}

static int
report_person_cmp(const void *a, const void *b)
{
	const struct report_person *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
report_i64_cmp(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void
report_members(struct report *r, const char *members)
{
	while (members != NULL && *members != '\0') {
		size_t len;

		members += strspn(members, " \t,");
		if ((len = strcspn(members, " \t,")) > 0) {
			char *name = xstrndup(members, len);

			(void)report_person(r, name);
			free(name);
		}
		members += len;
	}
	r->nmembers = r->npeople;
}

static void
report_build(const struct report_ctx *ctx, const struct team_convos *convos,
    const char *members, struct report *r)
{
	size_t n = team_convos_count(convos), i, nsamples = 0;
	int64_t *samples = xcalloc(n + 1, sizeof(*samples));
	int64_t period_start = ctx->now - (int64_t)REPORT_PERIOD_DAYS * 86400;

	memset(r, 0, sizeof(*r));
	report_members(r, members);
	r->total = n;
	team_queues_count(convos, ctx->idx, ctx->from_addr, ctx->me, ctx->deadline, ctx->now,
	    &r->q);
	for (i = 0; i < n; i++) {
		const struct team_convo *c = team_convos_at(convos, i);
		struct report_person *p = c->assign != NULL ? report_person(r, c->assign) :
		    &r->none;
		const struct index_msg *asked, *answered;
		int64_t since;
		bool overdue;

		switch (c->status) {
		case TEAM_OPEN:
			p->open++;
			if (!team_convo_waiting(ctx->idx, c, ctx->from_addr, ctx->deadline,
			    ctx->now, &since, &overdue))
				break;
			if (r->oldest == NULL || since < r->oldest_since ||
			    (since == r->oldest_since && strcmp(c->ticket, r->oldest->ticket) < 0)) {
				r->oldest = c;
				r->oldest_since = since;
			}
			break;
		case TEAM_PENDING:
			p->pending++;
			break;
		case TEAM_DONE:
			if (c->last >= ctx->midnight)
				r->done_today++;
			break;
		}
		if (c->first >= period_start &&
		    (asked = team_convo_first(ctx->idx, c, NULL, false, ctx->from_addr)) != NULL &&
		    (answered = team_convo_first(ctx->idx, c, asked, true, ctx->from_addr)) != NULL)
			samples[nsamples++] = answered->internaldate - asked->internaldate;
	}
	/* Anyone assigned who is not a member, by name, after the members. */
	if (r->npeople > r->nmembers)
		qsort(r->people + r->nmembers, r->npeople - r->nmembers, sizeof(*r->people),
		    report_person_cmp);
	if (r->oldest != NULL) {
		r->oldest_first = NULL;
		for (i = 0; i < r->oldest->n; i++) {
			const struct index_msg *m = index_at(ctx->idx, r->oldest->pos[i]);

			if (r->oldest_first == NULL || team_msg_before(m, r->oldest_first))
				r->oldest_first = m;
		}
	}
	if (nsamples > 0) {
		qsort(samples, nsamples, sizeof(*samples), report_i64_cmp);
		r->have_median = true;
		r->median = nsamples % 2 == 1 ? samples[nsamples / 2] :
		    (samples[nsamples / 2 - 1] + samples[nsamples / 2]) / 2;
	}
	free(samples);
}

static void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->npeople; i++)
		free(r->people[i].name);
	free(r->people);
	r->people = NULL;
}

static int64_t
report_waited(const struct report_ctx *ctx, const struct report *r)
{
	return ctx->now > r->oldest_since ? ctx->now - r->oldest_since : 0;
}

static void
report_json(struct buf *b, const struct conf_team *team, const struct report_ctx *ctx,
    const struct report *r)
{
	size_t i;

	buf_addstr(b, "{\"team\":");
	json_add_cstring(b, conf_team_name(team));
	buf_addstr(b, ",\"folder\":");
	json_add_cstring(b, conf_team_get(team, "folder"));
	buf_printf(b, ",\"queues\":{\"unassigned\":%zu,\"mine\":%zu,\"open\":%zu,"
	    "\"pending\":%zu,\"overdue\":%zu,\"done_today\":%zu,\"total\":%zu}",
	    r->q.unassigned, r->q.mine, r->q.open, r->q.pending, r->q.overdue, r->done_today,
	    r->total);
	buf_addstr(b, ",\"assignees\":{");
	for (i = 0; i < r->npeople; i++) {
		json_add_cstring(b, r->people[i].name);
		buf_printf(b, ":{\"open\":%zu,\"pending\":%zu},", r->people[i].open,
		    r->people[i].pending);
	}
	buf_printf(b, "\"none\":{\"open\":%zu,\"pending\":%zu}},\"oldest_waiting\":",
	    r->none.open, r->none.pending);
	if (r->oldest != NULL) {
		buf_addstr(b, "{\"ticket\":");
		json_add_cstring(b, r->oldest->ticket[0] != '\0' ? r->oldest->ticket : NULL);
		buf_addstr(b, ",\"subject\":");
		json_add_cstring(b, index_msg_str(ctx->idx, r->oldest_first, INDEX_STR_SUBJECT));
		buf_printf(b, ",\"seconds\":%" PRId64 "}", report_waited(ctx, r));
	} else {
		buf_addstr(b, "null");
	}
	buf_addstr(b, ",\"median_first_response\":");
	if (r->have_median)
		buf_printf(b, "%" PRId64, r->median);
	else
		buf_addstr(b, "null");
	buf_printf(b, ",\"period_days\":%d}\n", REPORT_PERIOD_DAYS);
}

/* "45s", "12m 5s", "5h 12m", "3d 4h". */
static void
report_duration(int64_t s, char *out, size_t size)
{
	if (s < 60)
		snprintf(out, size, "%" PRId64 "s", s < 0 ? 0 : s);
	else if (s < 3600)
		snprintf(out, size, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, size, "%" PRId64 "h %" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(out, size, "%" PRId64 "d %" PRId64 "h", s / 86400, s % 86400 / 3600);
}

/* Text from the mailrc or from mail, safe for the terminal, cut to cols
 * columns (0: whole); padded with spaces to pad columns. */
static void
report_cell(struct buf *b, const char *s, size_t cols, size_t pad)
{
	char *safe = safe_text_line(s, strlen(s), 4096);
	size_t len = strlen(safe), width = safe_text_width(safe, len);

	if (cols > 0)
		len = safe_text_truncate_cols(safe, len, cols, &width);
	buf_add(b, safe, len);
	for (; width < pad; width++)
		buf_addc(b, ' ');
	free(safe);
}

static void
report_line(struct buf *b, const char *label, size_t n)
{
	buf_addstr(b, "  ");
	report_cell(b, label, 0, REPORT_LABEL_COLS);
	buf_printf(b, "%6zu\n", n);
}

static void
report_text(struct buf *b, const struct conf_team *team, const struct report_ctx *ctx,
    const struct report *r)
{
	char when[64];
	size_t i, pad = REPORT_LABEL_COLS;

	buf_addstr(b, "team ");
	report_cell(b, conf_team_name(team), 0, 0);
	buf_addstr(b, ": ");
	report_cell(b, conf_team_get(team, "folder"), 0, 0);
	buf_addc(b, '\n');
	report_line(b, "unassigned", r->q.unassigned);
	if (ctx->me != NULL)
		report_line(b, "mine", r->q.mine);
	report_line(b, "open", r->q.open);
	report_line(b, "pending", r->q.pending);
	report_line(b, "overdue", r->q.overdue);
	report_line(b, "done today", r->done_today);
	report_line(b, "total", r->total);

	for (i = 0; i < r->npeople; i++) {
		char *safe = safe_text_line(r->people[i].name, strlen(r->people[i].name), 4096);
		size_t w = safe_text_width(safe, strlen(safe)) + 2;

		if (w > pad)
			pad = w;
		free(safe);
	}
	buf_addstr(b, "\n  ");
	report_cell(b, "assignee", 0, pad);
	buf_addstr(b, "  open  pending\n");
	for (i = 0; i <= r->npeople; i++) {
		const struct report_person *p = i < r->npeople ? &r->people[i] : &r->none;

		buf_addstr(b, "  ");
		report_cell(b, i < r->npeople ? p->name : "none", 0, pad);
		buf_printf(b, "%6zu %8zu\n", p->open, p->pending);
	}

	buf_addstr(b, "\n  oldest waiting: ");
	if (r->oldest != NULL) {
		report_duration(report_waited(ctx, r), when, sizeof(when));
		buf_printf(b, "%s, %s: ", r->oldest->ticket[0] != '\0' ? r->oldest->ticket :
		    "(no ticket)", when);
		report_cell(b, index_msg_str(ctx->idx, r->oldest_first, INDEX_STR_SUBJECT),
		    REPORT_SUBJECT_COLS, 0);
		buf_addc(b, '\n');
	} else {
		buf_addstr(b, "none\n");
	}
	buf_printf(b, "  median first response (last %d days): ", REPORT_PERIOD_DAYS);
	if (r->have_median) {
		report_duration(r->median, when, sizeof(when));
		buf_printf(b, "%s\n", when);
	} else {
		buf_addstr(b, "none\n");
	}
}

static int64_t
report_midnight(time_t now)
{
	struct tm tm;
	time_t t;

	if (localtime_r(&now, &tm) == NULL)
		return (int64_t)now;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? (int64_t)now : (int64_t)t;
}

/* One team's report on stdout, after a blank line when *printed (plain
 * text), which it then sets. Returns the exit status. */
/* Reads the settings the team keeps on the server (templates=imap:),
 * on a session of its own; without them the mailrc's count. */
static int
report_shared_settings(const struct conf *conf, const struct conf_account *acct,
    const struct conf_team *team)
{
	const char *t = conf_team_get(team, "templates");
	struct cmd_imap *session = NULL;
	struct cmd_apply *ap;
	struct cache *cache = NULL;
	char *error = NULL;
	int status;

	if (t == NULL || strncmp(t, "imap:", 5) != 0)
		return EXIT_OK;
	if ((status = cli_session(conf, acct, &session)) != EXIT_OK)
		return status;
	ap = NULL;
	if (cmd_sync_cache_open(conf, acct, &cache, &error) != 0 ||
	    (ap = cmd_apply_create(session, conf, acct, cache, false, stderr)) == NULL ||
	    cmd_team_load_settings(ap, team, &error) != 0) {
		log_warn("team '%s': the settings it keeps on the server were not read: %s",
		    conf_team_name(team), error);
		free(error);
	}
	cmd_apply_destroy(&ap);
	cmd_imap_close(&session);
	cache_close(&cache);
	return EXIT_OK;
}

static int
report_team(const struct cli_opts *opts, const struct conf *conf, const struct conf_team *team,
    bool *printed)
{
	const char *account = conf_team_get(team, "account");
	const char *folder = conf_team_get(team, "folder");
	const char *deadline = cmd_team_get(team, "reply-deadline");
	const struct conf_account *acct = account != NULL ?
	    conf_account_find(conf, account) : NULL;
	struct team_convos *convos;
	struct report_ctx ctx;
	struct report r;
	struct index *idx = NULL;
	struct buf b;
	int status;

	if (acct == NULL || folder == NULL) {
		/* conf_validate reports these; a mailrc with errors never
		 * gets here. */
		log_error("team '%s' has no usable account or folder", conf_team_name(team));
		return EXIT_USAGE;
	}
	status = cli_list_index(conf, acct, folder, opts->offline, NULL, &idx);
	if (idx == NULL)
		return status;
	/* The deadline and the members the team keeps on the server. */
	if (!opts->offline && status == EXIT_OK) {
		status = report_shared_settings(conf, acct, team);
		deadline = cmd_team_get(team, "reply-deadline");
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.idx = idx;
	ctx.from_addr = cmd_team_address(acct);
	ctx.me = conf_team_get(team, "me");
	if (deadline != NULL && conf_parse_duration(deadline, &ctx.deadline) != 0)
		ctx.deadline = 0;	/* checked when the mailrc was loaded */
	ctx.now = (int64_t)time(NULL);
	ctx.midnight = report_midnight((time_t)ctx.now);
	convos = team_convos_build(idx);
	report_build(&ctx, convos, cmd_team_get(team, "members"), &r);

	buf_init(&b, 1024 * 1024);
	if (*printed && !opts->json)
		buf_addc(&b, '\n');
	*printed = true;
	if (opts->json)
		report_json(&b, team, &ctx, &r);
	else
		report_text(&b, team, &ctx, &r);
	fwrite(buf_ptr(&b), 1, buf_len(&b), stdout);
	buf_free(&b);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the report: output error");
		if (status == EXIT_OK)
			status = EXIT_PARTIAL;
	}

	report_free(&r);
	team_convos_free(&convos);
	free(ctx.from_addr);
	index_destroy(&idx);
	return status;
}

/* "no team named 'x'", with the closest name when one is close. */
static void
report_unknown_team(const struct conf *conf, const char *name)
{
	size_t i, best = SIZE_MAX, len = strlen(name);
	const char *hint = NULL;
	char shown[128];

	for (i = 0; i < conf_team_count(conf); i++) {
		size_t d = str_edit_distance(name, conf_team_name(conf_team_at(conf, i)));

		if (d < best) {
			best = d;
			hint = conf_team_name(conf_team_at(conf, i));
		}
	}
	shown[0] = '\0';
	str_escape_for_message(shown, sizeof(shown), name, len);
	if (hint != NULL && best <= (len / 3 > 1 ? len / 3 : 1))
		log_error("no team named '%s' (did you mean '%s'?)", shown, hint);
	else
		log_error("no team named '%s'", shown);
}

/* Whether team works on -A's account (any, without -A). */
static bool
report_of_account(const struct cli_opts *opts, const struct conf_team *team)
{
	const char *account = conf_team_get(team, "account");

	return opts->account == NULL || (account != NULL && strcmp(opts->account, account) == 0);
}

int
cli_team_report(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_team *team;
	size_t i, done = 0;
	bool printed = false;
	int status = EXIT_OK;

	if (opts->nargs > 1) {
		log_error("--team-report takes one team (see tern --help)");
		return EXIT_USAGE;
	}
	if (conf_team_count(conf) == 0) {
		log_error("no team defined (add a 'team NAME { ... }' block to the mailrc)");
		return EXIT_USAGE;
	}
	if (opts->nargs == 1) {
		if ((team = conf_team_find(conf, opts->args[0])) == NULL) {
			report_unknown_team(conf, opts->args[0]);
			return EXIT_USAGE;
		}
		if (!report_of_account(opts, team)) {
			log_error("team '%s' does not work on account '%s'", conf_team_name(team),
			    opts->account);
			return EXIT_USAGE;
		}
		return report_team(opts, conf, team, &printed);
	}
	/* Every team (of -A's account, when given), one after another; the
	 * exit status is the worst. */
	for (i = 0; i < conf_team_count(conf); i++) {
		int r;

		team = conf_team_at(conf, i);
		if (!report_of_account(opts, team))
			continue;
		done++;
		if ((r = report_team(opts, conf, team, &printed)) > status)
			status = r;
	}
	if (done == 0) {
		log_error("no team works on account '%s'", opts->account);
		return EXIT_USAGE;
	}
	return status;
}
