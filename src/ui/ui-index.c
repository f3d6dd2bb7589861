/* The index view: the open folder's messages, sorted or threaded, with
 * search, limit and the keys that act on messages. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd-team.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/keyword.h"
#include "rules/match.h"
#include "rules/plan.h"
#include "rules/query.h"
#include "rules/team.h"
#include "ui/ui-private.h"

struct ui_index {
	struct ui_view v;
	struct cmd_view view;
	bool built;
	uint64_t gen;			/* index_generation when built */
	const struct index *built_idx;
	size_t *rows;			/* view positions shown, after limit/collapse */
	size_t nrows;
	size_t cursor, top;
	uint32_t cursor_uid;		/* kept across rebuilds */
	enum cmd_sort sort;
	bool reverse;
	bool sidebar;

	char *limit_text;
	struct query_node *limit;
	struct sync_uids *limit_slots;	/* server answers for body: terms */
	size_t limit_nslots;
	char *search_text;

	uint32_t *collapsed;		/* thread roots folded (UIDs) */
	size_t ncollapsed;
	bool collapse_all;

	/* A team folder: its conversations, rebuilt with the rows. */
	const struct conf_team *team;
	struct team_convos *convos;
	char *ours;			/* the account's from= address */
	uint64_t deadline;		/* reply-deadline, seconds; 0: none */
};

static struct ui_index *
ui_index_of(struct ui_view *v)
{
	return (struct ui_index *)v;
}

static bool
ui_index_is_collapsed(const struct ui_index *x, uint32_t root)
{
	size_t i;

	for (i = 0; i < x->ncollapsed; i++)
		if (x->collapsed[i] == root)
			return !x->collapse_all;
	return x->collapse_all;
}

static void
ui_index_toggle_collapse(struct ui_index *x, uint32_t root)
{
	size_t i;

	for (i = 0; i < x->ncollapsed; i++)
		if (x->collapsed[i] == root) {
			x->collapsed[i] = x->collapsed[--x->ncollapsed];
			return;
		}
	x->collapsed = xreallocarray(x->collapsed, x->ncollapsed + 1, sizeof(*x->collapsed));
	x->collapsed[x->ncollapsed++] = root;
}

static void
ui_index_free_limit(struct ui_index *x)
{
	size_t i;

	query_free(&x->limit);
	for (i = 0; i < x->limit_nslots; i++)
		sync_uids_free(&x->limit_slots[i]);
	free(x->limit_slots);
	x->limit_slots = NULL;
	x->limit_nslots = 0;
	free(x->limit_text);
	x->limit_text = NULL;
}

/* In a team folder, its conversations and settings, else nothing. */
static void
ui_index_team(struct ui_index *x, const struct index *idx)
{
	struct ui *ui = x->v.ui;
	const struct conf_team *team = cmd_team_of(ui->conf, ui->acct, ui_session_folder(ui));
	const char *d;

	team_convos_free(&x->convos);
	if (team != x->team) {
		free(x->ours);
		x->ours = team != NULL ? cmd_team_address(ui->acct) : NULL;
		x->team = team;
	}
	/* Read again: the team's shared settings may have arrived. */
	x->deadline = 0;
	if (team != NULL && (d = cmd_team_get(team, "reply-deadline")) != NULL &&
	    conf_parse_duration(d, &x->deadline) != 0)
		x->deadline = 0;
	if (team != NULL)
		x->convos = team_convos_build(idx);
}

/* Rebuilds the rows from the index: sort or thread, then the limit, then
 * folded threads; the cursor stays on the message it was on. */
static void
ui_index_rebuild(struct ui_index *x)
{
	struct ui *ui = x->v.ui;
	const struct index *idx = ui_session_index(ui);
	struct query_matcher *mt = NULL;
	size_t i, n;
	uint32_t root_uid = 0;
	bool threads = x->sort == CMD_SORT_THREAD;

	if (x->built)
		cmd_view_free(&x->view);
	x->built = cmd_view_build(idx, x->sort, x->reverse, threads, &x->view) == 0;
	if (!x->built) {
		/* Too large to thread: by date instead, and say so. */
		x->sort = CMD_SORT_DATE;
		threads = false;
		x->built = cmd_view_build(idx, x->sort, x->reverse, false, &x->view) == 0;
		ui_error(ui, "this folder is too large to thread: sorted by date");
	}
	x->gen = index_generation(idx);
	x->built_idx = idx;
	ui_index_team(x, idx);
	n = x->built ? x->view.n : 0;
	x->rows = xreallocarray(x->rows, n + 1, sizeof(*x->rows));
	x->nrows = 0;
	if (x->limit != NULL) {
		struct query_match_ctx ctx = { idx, x->limit_slots, x->limit_nslots,
		    x->team != NULL ? conf_team_get(x->team, "me") : NULL };

		mt = query_matcher_create(x->limit, &ctx);
	}
	for (i = 0; i < n; i++) {
		size_t pos = x->view.order[i];
		const struct index_msg *m = index_at(idx, pos);

		if (mt != NULL && !query_matcher_test(mt, m))
			continue;
		if (threads && x->limit == NULL) {
			if (x->view.depth[i] == 0)
				root_uid = m->uid;
			else if (ui_index_is_collapsed(x, root_uid))
				continue;
		}
		x->rows[x->nrows++] = i;
	}
	query_matcher_destroy(&mt);
	/* Back to the message the cursor was on, else the nearest row. */
	if (x->cursor_uid != 0) {
		for (i = 0; i < x->nrows; i++)
			if (index_at(idx, x->view.order[x->rows[i]])->uid == x->cursor_uid) {
				x->cursor = i;
				break;
			}
	} else if (x->nrows > 0) {
		/* A fresh folder opens on the newest message (mutt's habit):
		 * the last row, or the first when reversed. */
		x->cursor = x->reverse ? 0 : x->nrows - 1;
	}
	if (x->cursor >= x->nrows)
		x->cursor = x->nrows > 0 ? x->nrows - 1 : 0;
	if (x->nrows > 0)
		x->cursor_uid = index_at(idx, x->view.order[x->rows[x->cursor]])->uid;
}

static void
ui_index_changed(struct ui_view *v)
{
	struct ui_index *x = ui_index_of(v);
	const struct index *idx = ui_session_index(v->ui);

	if (x->built && x->built_idx == idx && x->gen == index_generation(idx))
		return;
	if (x->built_idx != idx) {
		/* Another folder: its own cursor and no limit. */
		x->cursor_uid = 0;
		x->cursor = x->top = 0;
		ui_index_free_limit(x);
	}
	ui_index_rebuild(x);
	ui_dirty(v->ui);
}

const struct index_msg *
ui_index_current(struct ui_view *v)
{
	struct ui_index *x = ui_index_of(v);
	const struct index *idx = ui_session_index(v->ui);

	ui_index_changed(v);
	if (x->nrows == 0)
		return NULL;
	return index_at(idx, x->view.order[x->rows[x->cursor]]);
}

static void
ui_index_move(struct ui_index *x, long delta)
{
	const struct index *idx = ui_session_index(x->v.ui);
	long c = (long)x->cursor + delta;

	if (x->nrows == 0)
		return;
	if (c < 0)
		c = 0;
	if (c >= (long)x->nrows)
		c = (long)x->nrows - 1;
	x->cursor = (size_t)c;
	x->cursor_uid = index_at(idx, x->view.order[x->rows[x->cursor]])->uid;
	ui_dirty(x->v.ui);
}

bool
ui_index_step(struct ui_view *v, int dir)
{
	struct ui_index *x = ui_index_of(v);
	size_t before = x->cursor;

	ui_index_move(x, dir);
	return x->cursor != before;
}

/* ---- drawing ---- */

/* Labels shown after the subject: keywords that are labels (not status,
 * assignment, tern's own or $-keywords). */
static void
ui_index_labels(const char *kws, struct buf *out)
{
	const char *p = kws;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len > 0 && p[0] != '$' && p[0] != '\\' &&
		    !str_has_prefix(p, KEYWORD_STATUS_PREFIX) &&
		    !str_has_prefix(p, KEYWORD_ASSIGN_PREFIX) &&
		    !str_has_prefix(p, KEYWORD_TERN_PREFIX)) {
			char *label = keyword_to_label(p, len);

			(void)buf_printf(out, " [%s]", label);
			free(label);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
}

/* "45m", "3h", "2d": how long, in one short word. */
static void
ui_index_age(int64_t secs, char *out, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 3600)
		snprintf(out, size, "%lldm", (long long)(secs / 60));
	else if (secs < 2 * 86400)
		snprintf(out, size, "%lldh", (long long)(secs / 3600));
	else
		snprintf(out, size, "%lldd", (long long)(secs / 86400));
}

/* A team folder's column: ticket, status, assignee and how long the
 * conversation has waited on the team (else since its last message);
 * *overdue_r when it waits past the deadline. */
static void
ui_index_team_cell(struct ui_index *x, size_t pos, char *out, size_t size, bool *overdue_r)
{
	const struct index *idx = ui_session_index(x->v.ui);
	const struct team_convo *c = team_convos_of(x->convos, pos);
	int64_t now = (int64_t)time(NULL), since;
	char age[24];

	*overdue_r = false;
	if (c == NULL) {
		snprintf(out, size, "%s", "");
		return;
	}
	if (!team_convo_waiting(idx, c, x->ours, x->deadline, now, &since, overdue_r))
		since = c->last;
	ui_index_age(now - since, age, sizeof(age));
	snprintf(out, size, "%-6s %-7s %-8.8s %4s", c->ticket[0] != '\0' ? c->ticket : "-",
	    team_status_name(c->status), c->assign != NULL ? c->assign : "-", age);
}

static void
ui_index_draw_row(struct ui_index *x, size_t row, int y, int x0, int cols)
{
	struct ui *ui = x->v.ui;
	const struct index *idx = ui_session_index(ui);
	size_t vpos = x->rows[row];
	const struct index_msg *m = index_at(idx, x->view.order[vpos]);
	unsigned depth = x->view.depth[vpos];
	char date[32], flags[4], num[24], team[64];
	struct buf from, subj;
	const char *sender;
	size_t sender_len;
	int attr = ui_draw_attr(UI_COLOR_NORMAL), col = x0;
	bool selected = row == x->cursor, overdue = false;

	team[0] = '\0';
	if (x->convos != NULL)
		ui_index_team_cell(x, x->view.order[vpos], team, sizeof(team), &overdue);
	if (!(m->flags & INDEX_SEEN))
		attr = ui_draw_attr(UI_COLOR_NEW);
	if (m->flags & INDEX_FLAGGED)
		attr = ui_draw_attr(UI_COLOR_FLAGGED);
	if (m->flags & INDEX_DELETED)
		attr = ui_draw_attr(UI_COLOR_DELETED);
	if (overdue)
		attr = ui_draw_attr(UI_COLOR_OVERDUE);
	if (selected)
		attr = ui_draw_attr(UI_COLOR_INDICATOR);
	flags[0] = (m->flags & INDEX_SEEN) ? ' ' : 'N';
	flags[1] = (m->flags & INDEX_FLAGGED) ? '!' : (m->flags & INDEX_ANSWERED) ? 'r' :
	    (m->flags & INDEX_DRAFT) ? 'D' : (m->flags & INDEX_HAS_ATTACHMENT) ? '+' : ' ';
	flags[2] = ' ';
	flags[3] = '\0';
	snprintf(num, sizeof(num), "%5zu ", row + 1);
	ui_draw_date(ui->conf, cmd_view_date(m), date, sizeof(date));
	buf_init(&from, 4096);
	buf_init(&subj, 64 * 1024);
	index_addr_short(index_msg_str(idx, m, INDEX_STR_FROM), &sender, &sender_len);
	(void)buf_add(&from, sender, sender_len);
	(void)buf_addc(&from, '\0');
	if (x->sort == CMD_SORT_THREAD && depth > 0) {
		unsigned d;

		for (d = 1; d < depth && d < 12; d++)
			(void)buf_addstr(&subj, "  ");
		(void)buf_addstr(&subj, "\xe2\x94\x94\xe2\x94\x80>");	/* └─> */
	} else if (x->sort == CMD_SORT_THREAD && x->limit == NULL &&
	    ui_index_is_collapsed(x, m->uid) && vpos + 1 < x->view.n &&
	    x->view.depth[vpos + 1] > 0) {
		size_t k = vpos + 1, hidden = 0;

		while (k < x->view.n && x->view.depth[k] > 0) {
			hidden++;
			k++;
		}
		(void)buf_printf(&subj, "(%zu) ", hidden + 1);
	}
	(void)buf_addstr(&subj, index_msg_str(idx, m, INDEX_STR_SUBJECT));
	ui_index_labels(index_msg_str(idx, m, INDEX_STR_KEYWORDS), &subj);
	(void)buf_addc(&subj, '\0');

	ui_draw_clear_row(y, x0, x0 + cols, attr);
	col += ui_draw_text(y, col, 7, num, attr, true);
	col += ui_draw_text(y, col, 3, flags, attr, true);
	col += ui_draw_text(y, col, 11, date, attr, true);
	if (team[0] != '\0') {
		col += ui_draw_text(y, col, 28, team, attr, true);
		col += ui_draw_text(y, col, 1, " ", attr, true);
	}
	col += ui_draw_text(y, col, 20, buf_ptr(&from), attr, true);
	col += ui_draw_text(y, col, 1, " ", attr, true);
	if (x0 + cols > col)
		ui_draw_text(y, col, x0 + cols - col, buf_ptr(&subj), attr, false);
	buf_free(&from);
	buf_free(&subj);
}

static void
ui_index_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_index *x = ui_index_of(v);
	int x0 = 0, width = cols, i;

	ui_index_changed(v);
	if (x->sidebar) {
		const char *w = conf_get(v->ui->conf, "sidebar-width");
		uint64_t sw = 24;

		if (w != NULL)
			(void)str_to_u64(w, 200, &sw);
		if ((int)sw < cols - 20) {
			ui_folders_sidebar_draw(v->ui, top, rows, (int)sw);
			x0 = (int)sw + 1;
			width = cols - x0;
			for (i = 0; i < rows; i++)
				mvaddch(top + i, (int)sw, ACS_VLINE);
		}
	}
	if (rows <= 0)
		return;
	/* Keep the cursor visible, a page at a time like mutt. */
	if (x->cursor < x->top)
		x->top = x->cursor;
	else if (x->cursor >= x->top + (size_t)rows)
		x->top = x->cursor - (size_t)rows + 1;
	if (x->top + (size_t)rows > x->nrows)
		x->top = x->nrows > (size_t)rows ? x->nrows - (size_t)rows : 0;
	for (i = 0; i < rows; i++) {
		size_t row = x->top + (size_t)i;

		if (row < x->nrows)
			ui_index_draw_row(x, row, top + i, x0, width);
		else if (i == 0 && x->nrows == 0)
			ui_draw_text(top, x0, width, ui_session_synced(v->ui) ?
			    (x->limit != NULL ? "No messages match the limit." :
			    "No messages in this folder.") : "Loading...",
			    ui_draw_attr(UI_COLOR_NORMAL), false);
	}
}

/* The team's queues, counted over conversations: "[support: unassigned
 * 2, mine 1, open 5, pending 3, overdue 1]". */
static char *
ui_index_queues(struct ui_index *x)
{
	struct team_queues q;

	team_queues_count(x->convos, ui_session_index(x->v.ui), x->ours,
	    conf_team_get(x->team, "me"), x->deadline, (int64_t)time(NULL), &q);
	return xasprintf("[%s: unassigned %zu, mine %zu, open %zu, pending %zu, overdue %zu]",
	    conf_team_name(x->team), q.unassigned, q.mine, q.open, q.pending, q.overdue);
}

static char *
ui_index_status(struct ui_view *v)
{
	struct ui_index *x = ui_index_of(v);
	const struct index *idx = ui_session_index(v->ui);
	size_t i, n = index_count(idx), unread = 0, flagged = 0;
	char *s;

	for (i = 0; i < n; i++) {
		const struct index_msg *m = index_at(idx, i);

		unread += !(m->flags & INDEX_SEEN);
		flagged += (m->flags & INDEX_FLAGGED) != 0;
	}
	s = xasprintf("tern: %s [Msgs:%zu New:%zu Flag:%zu]%s%s%s", ui_session_folder(v->ui), n,
	    unread, flagged, x->limit_text != NULL ? " [Limit:" : "",
	    x->limit_text != NULL ? x->limit_text : "", x->limit_text != NULL ? "]" : "");
	if (x->convos != NULL) {
		char *q = ui_index_queues(x), *t = xasprintf("%s %s", s, q);

		free(q);
		free(s);
		s = t;
	}
	return s;
}

/* ---- search and limit ---- */

static struct query_node *
ui_index_parse(struct ui *ui, const char *text)
{
	struct query_error err;
	struct query_node *q = query_parse(text, strlen(text), &err);

	if (q == NULL)
		ui_error(ui, "query:1:%u: %s", err.col, err.msg);
	return q;
}

static void
ui_index_search_from(struct ui_index *x, size_t start, bool wrap)
{
	struct ui *ui = x->v.ui;
	const struct index *idx = ui_session_index(ui);
	struct query_node *q;
	struct query_matcher *mt;
	struct query_match_ctx ctx = { idx, NULL, 0, NULL };
	size_t i;

	if (x->search_text == NULL || (q = ui_index_parse(ui, x->search_text)) == NULL)
		return;
	if (!query_match_local_ok(q)) {
		ui_error(ui, "search looks at the index; use l (limit) for body: queries");
		query_free(&q);
		return;
	}
	mt = query_matcher_create(q, &ctx);
	for (i = 0; i < x->nrows; i++) {
		size_t row = (start + i) % x->nrows;

		if (!wrap && row < start)
			break;
		if (query_matcher_test(mt, index_at(idx, x->view.order[x->rows[row]]))) {
			if (row < start)
				ui_message(ui, "search wrapped to the top");
			ui_index_move(x, (long)row - (long)x->cursor);
			goto out;
		}
	}
	ui_error(ui, "not found: %s", x->search_text);
out:
	query_matcher_destroy(&mt);
	query_free(&q);
}

static void
ui_index_search_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_index *x = ctx;

	if (text == NULL || text[0] == '\0')
		return;
	free(x->search_text);
	x->search_text = xstrdup(text);
	ui_index_search_from(x, x->nrows > 0 ? (x->cursor + 1) % x->nrows : 0, true);
	ui_dirty(ui);
}

/* A limit with body: terms asks the server (one UID SEARCH per such
 * subtree), then filters on the cache. */
struct ui_index_limit_job {
	struct ui_index *x;
	struct query_node *q;
	char *text;
};

static void
ui_index_limit_job_free(void *ctx)
{
	struct ui_index_limit_job *j = ctx;

	query_free(&j->q);
	free(j->text);
	free(j);
}

static int
ui_index_limit_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_index_limit_job *j = ctx;
	struct plan_ctx pctx = { PLAN_CACHE, false, NULL, NULL };
	struct plan *plan = plan_build(j->q, &pctx, error_r);
	struct sync_uids *slots;
	size_t i;

	if (plan == NULL) {
		ui_error(ui, "%s", *error_r);
		free(*error_r);
		*error_r = NULL;
		return 0;
	}
	slots = xcalloc(plan->nsearches + 1, sizeof(*slots));
	for (i = 0; i < plan->nsearches; i++)
		sync_uids_init(&slots[i]);
	if (ui_session_search(ui, plan, slots, error_r) != 0) {
		for (i = 0; i < plan->nsearches; i++)
			sync_uids_free(&slots[i]);
		free(slots);
		plan_free(&plan);
		return -1;
	}
	ui_index_free_limit(j->x);
	j->x->limit = j->q;
	j->q = NULL;
	j->x->limit_text = j->text;
	j->text = NULL;
	j->x->limit_slots = slots;
	j->x->limit_nslots = plan->nsearches;
	plan_free(&plan);
	j->x->cursor_uid = 0;
	ui_index_rebuild(j->x);
	ui_dirty(ui);
	return 0;
}

static void
ui_index_limit_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_index *x = ctx;
	struct query_node *q;

	if (text == NULL)
		return;
	if (text[0] == '\0' || strcmp(text, "all") == 0 || strcmp(text, "~A") == 0) {
		ui_index_free_limit(x);
		ui_index_rebuild(x);
		ui_dirty(ui);
		return;
	}
	if ((q = ui_index_parse(ui, text)) == NULL)
		return;
	if (!query_match_local_ok(q)) {
		struct ui_index_limit_job *j = xcalloc(1, sizeof(*j));

		j->x = x;
		j->q = q;
		j->text = xstrdup(text);
		ui_job_add(ui, "searching the server", ui_index_limit_job, j,
		    ui_index_limit_job_free);
		return;
	}
	ui_index_free_limit(x);
	x->limit = q;
	x->limit_text = xstrdup(text);
	ui_index_rebuild(x);
	if (x->nrows == 0)
		ui_message(ui, "no messages match %s", text);
	ui_dirty(ui);
}

/* ---- actions on the current message ---- */

static bool
ui_index_act1(struct ui_index *x, const char *action, const char *arg)
{
	struct ui *ui = x->v.ui;
	const struct index_msg *m = ui_index_current(&x->v);
	struct cmd_actions a;
	char *error = NULL;
	uint32_t uid;
	bool r;

	if (m == NULL) {
		ui_message(ui, "no message here");
		return false;
	}
	uid = m->uid;
	memset(&a, 0, sizeof(a));
	if (cmd_actions_add(&a, action, arg, &error) != 0 || cmd_actions_check(&a, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
		cmd_actions_free(&a);
		return false;
	}
	r = ui_session_act(ui, &a, &uid, 1);
	cmd_actions_free(&a);
	return r;
}

static void
ui_index_move_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_index *x = ctx;

	if (text == NULL || text[0] == '\0')
		return;
	if (ui_index_act1(x, "move", text))
		ui_message(ui, "moved to %s", text);
}

static void
ui_index_label_add_done(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	if (text != NULL && text[0] != '\0')
		ui_index_act1(ctx, "add-label", text);
}

static void
ui_index_label_remove_done(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	if (text != NULL && text[0] != '\0')
		ui_index_act1(ctx, "remove-label", text);
}

static void
ui_index_assign_done(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	if (text != NULL && text[0] != '\0')
		ui_index_act1(ctx, "assign", text);
}

static void
ui_index_status_done(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	if (text != NULL && text[0] != '\0')
		ui_index_act1(ctx, "status", text);
}

static void
ui_index_sort_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_index *x = ctx;
	enum cmd_sort sort;

	if (text == NULL || text[0] == '\0')
		return;
	if (cmd_sort_parse(text, &sort) != 0) {
		ui_error(ui, "unknown sort '%s' (date, thread, from, subject, size)", text);
		return;
	}
	x->sort = sort;
	ui_index_rebuild(x);
	ui_dirty(ui);
}

/* Purging Trash: the only expunge there is, counted and confirmed. */
static int
ui_index_purge_job(struct ui *ui, void *ctx, char **error_r)
{
	(void)ctx;
	return ui_session_purge_trash(ui, error_r);
}

static void
ui_index_purge_confirmed(struct ui *ui, const char *text, void *ctx)
{
	(void)ctx;
	if (text != NULL)
		ui_job_add(ui, "purging Trash", ui_index_purge_job, NULL, NULL);
}

static int
ui_index_purge_count_job(struct ui *ui, void *ctx, char **error_r)
{
	uint32_t n;
	char *q;

	(void)ctx;
	if (ui_session_trash_count(ui, &n, error_r) != 0)
		return -1;
	if (n == 0) {
		ui_message(ui, "Trash is empty");
		return 0;
	}
	q = xasprintf("Remove %u message%s from Trash for good? (y/n) ", n, n == 1 ? "" : "s");
	ui_confirm(ui, q, ui_index_purge_confirmed, NULL);
	free(q);
	return 0;
}

/* In a team folder, the keys that change the team's state or answer
 * the customer say at once when the rights do not allow it (MYRIGHTS
 * without 'w'); true when refused. */
static bool
ui_index_team_refused(struct ui_index *x, const char *fn)
{
	static const char *const needs_w[] = {
		"claim", "assign", "set-status", "reply", "group-reply", "canned-reply", NULL
	};
	const char *rights = ui_session_rights(x->v.ui);
	size_t i;

	if (rights == NULL || strchr(rights, 'w') != NULL)
		return false;
	for (i = 0; needs_w[i] != NULL; i++) {
		if (strcmp(fn, needs_w[i]) == 0) {
			ui_error(x->v.ui, "you may not %s here: your rights on this folder are "
			    "'%s' (it needs 'w'); nothing was sent", fn, rights);
			return true;
		}
	}
	return false;
}

static bool
ui_index_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_index *x = ui_index_of(v);
	struct ui *ui = v->ui;
	const struct index_msg *m;
	int page = LINES - 3 > 1 ? LINES - 3 : 1;

	(void)key;
	(void)ch;
	if (fn == NULL)
		return false;
	ui_index_changed(v);
	if (x->team != NULL && ui_index_team_refused(x, fn))
		return true;
	if (strcmp(fn, "next-entry") == 0)
		ui_index_move(x, 1);
	else if (strcmp(fn, "previous-entry") == 0)
		ui_index_move(x, -1);
	else if (strcmp(fn, "next-page") == 0)
		ui_index_move(x, page);
	else if (strcmp(fn, "previous-page") == 0)
		ui_index_move(x, -page);
	else if (strcmp(fn, "first-entry") == 0)
		ui_index_move(x, -(long)x->nrows);
	else if (strcmp(fn, "last-entry") == 0)
		ui_index_move(x, (long)x->nrows);
	else if (strcmp(fn, "display-message") == 0) {
		if ((m = ui_index_current(v)) != NULL)
			ui_pager_open(ui, m->uid);
		else
			ui_message(ui, "no message here");
	} else if (strcmp(fn, "search") == 0)
		ui_prompt(ui, "Search: ", x->search_text, ui_index_search_done, x);
	else if (strcmp(fn, "search-next") == 0) {
		if (x->search_text == NULL)
			ui_message(ui, "no search yet: press /");
		else if (x->nrows > 0)
			ui_index_search_from(x, (x->cursor + 1) % x->nrows, true);
	} else if (strcmp(fn, "limit") == 0)
		ui_prompt(ui, "Limit to (query, empty for all): ", x->limit_text,
		    ui_index_limit_done, x);
	else if (strcmp(fn, "change-folder") == 0)
		ui_folders_open(ui);
	else if (strcmp(fn, "toggle-sidebar") == 0) {
		x->sidebar = !x->sidebar;
		ui_dirty(ui);
	} else if (strcmp(fn, "sort-mailbox") == 0)
		ui_prompt(ui, "Sort by (date, thread, from, subject, size): ", NULL,
		    ui_index_sort_done, x);
	else if (strcmp(fn, "sort-reverse") == 0) {
		x->reverse = !x->reverse;
		ui_index_rebuild(x);
		ui_dirty(ui);
	} else if (strcmp(fn, "collapse-thread") == 0 || strcmp(fn, "collapse-all") == 0) {
		if (x->sort != CMD_SORT_THREAD) {
			ui_message(ui, "threads are shown with sort thread (o, then thread)");
		} else if (strcmp(fn, "collapse-all") == 0) {
			x->collapse_all = !x->collapse_all;
			x->ncollapsed = 0;
			ui_index_rebuild(x);
		} else if (x->nrows > 0) {
			const struct index *idx = ui_session_index(ui);
			size_t vpos = x->rows[x->cursor];

			/* The thread's root: walk up to depth 0. */
			while (vpos > 0 && x->view.depth[vpos] > 0)
				vpos--;
			x->cursor_uid = index_at(idx, x->view.order[vpos])->uid;
			ui_index_toggle_collapse(x, x->cursor_uid);
			ui_index_rebuild(x);
		}
		ui_dirty(ui);
	} else if (strcmp(fn, "mail") == 0)
		ui_compose_start(ui, "mail", 0);
	else if (strcmp(fn, "reply") == 0 || strcmp(fn, "group-reply") == 0 ||
	    strcmp(fn, "forward-message") == 0) {
		if ((m = ui_index_current(v)) == NULL)
			ui_message(ui, "no message here");
		else
			ui_compose_start(ui, strcmp(fn, "reply") == 0 ? "reply" :
			    strcmp(fn, "group-reply") == 0 ? "group-reply" : "forward", m->uid);
	} else if (strcmp(fn, "canned-reply") == 0) {
		if ((m = ui_index_current(v)) == NULL)
			ui_message(ui, "no message here");
		else
			ui_compose_canned(ui, m->uid);
	} else if (strcmp(fn, "recall-message") == 0)
		ui_compose_recall(ui);
	else if (strcmp(fn, "delete-message") == 0) {
		if (ui_index_act1(x, "delete", NULL))
			ui_message(ui, "moved to Trash (u undoes)");
	} else if (strcmp(fn, "undo") == 0)
		ui_session_undo(ui);
	else if (strcmp(fn, "save-message") == 0)
		ui_prompt(ui, "Move to folder: ", NULL, ui_index_move_done, x);
	else if (strcmp(fn, "flag-message") == 0) {
		if ((m = ui_index_current(v)) != NULL)
			ui_index_act1(x, (m->flags & INDEX_FLAGGED) ? "unflag" : "flag", NULL);
	} else if (strcmp(fn, "toggle-new") == 0) {
		if ((m = ui_index_current(v)) != NULL)
			ui_index_act1(x, (m->flags & INDEX_SEEN) ? "mark-unread" : "mark-read",
			    NULL);
	} else if (strcmp(fn, "add-label") == 0)
		ui_prompt(ui, "Add label: ", NULL, ui_index_label_add_done, x);
	else if (strcmp(fn, "remove-label") == 0)
		ui_prompt(ui, "Remove label: ", NULL, ui_index_label_remove_done, x);
	else if (strcmp(fn, "claim") == 0 || strcmp(fn, "assign") == 0 ||
	    strcmp(fn, "set-status") == 0) {
		if (x->team == NULL)
			ui_message(ui, "%s works in team folders (a team block names this folder)",
			    fn);
		else if (strcmp(fn, "claim") == 0) {
			if (ui_index_act1(x, "claim", NULL))
				ui_message(ui, "claiming the conversation...");
		} else if (strcmp(fn, "assign") == 0)
			ui_prompt(ui, "Assign the conversation to (a member, or none): ", NULL,
			    ui_index_assign_done, x);
		else
			ui_prompt(ui, "Status (open, pending, done): ", NULL,
			    ui_index_status_done, x);
	} else if (strcmp(fn, "purge-trash") == 0)
		ui_job_add(ui, "counting Trash", ui_index_purge_count_job, NULL, NULL);
	else
		return false;
	return true;
}

static void
ui_index_destroy(struct ui_view *v)
{
	struct ui_index *x = ui_index_of(v);

	if (x->built)
		cmd_view_free(&x->view);
	ui_index_free_limit(x);
	team_convos_free(&x->convos);
	free(x->ours);
	free(x->search_text);
	free(x->collapsed);
	free(x->rows);
	free(x);
}

static const struct ui_view_ops ui_index_ops = {
	"index",
	ui_index_draw,
	ui_index_key,
	ui_index_status,
	ui_index_changed,
	ui_index_destroy,
};

struct ui_view *
ui_index_create(struct ui *ui)
{
	struct ui_index *x = xcalloc(1, sizeof(*x));
	const char *sort = conf_get(ui->conf, "sort");
	const char *reverse = conf_get(ui->conf, "reverse");
	const char *sidebar = conf_get(ui->conf, "sidebar");

	x->v.ops = &ui_index_ops;
	x->v.ui = ui;
	if (sort == NULL || cmd_sort_parse(sort, &x->sort) != 0)
		x->sort = CMD_SORT_DATE;
	if (reverse != NULL)
		(void)conf_parse_bool(reverse, &x->reverse);
	if (sidebar != NULL)
		(void)conf_parse_bool(sidebar, &x->sidebar);
	return &x->v;
}
