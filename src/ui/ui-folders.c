/* The folder list as a tree with counts, the sidebar, and the new-mail poll. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd-folders.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"
#include "ui/ui-private.h"

extern char **environ;

/* Folder names in "New mail in A, B" before the message says "...". */
#define UI_FOLDERS_NOTIFY_MAX 512

/* The last known folder list, shared by the view, the sidebar and the
 * poll; only jobs change it, and jobs run one at a time. */
static struct {
	bool known;
	struct cmd_folders list;
	size_t *order;			/* tree order: indexes into list.v */
	uint64_t *baseline;		/* per list.v: UIDNEXT last seen, 0 unknown */
	char delim;
	bool list_queued, poll_queued;
} ui_folders;

struct ui_folders_view {
	struct ui_view view;
	size_t cur;			/* position in ui_folders.order */
	size_t top;
	int page;
	bool placed;			/* cur was put on the open folder */
};

static const struct ui_view_ops ui_folders_ops;

/* ---- the list ---- */

static bool
ui_folders_is_inbox(const char *name)
{
	return str_caseeq(name, "INBOX");
}

/* Whether f is the folder the session has open. */
static bool
ui_folders_is_open(struct ui *ui, const struct cmd_folder *f)
{
	const char *open = ui_session_folder(ui);

	if (open == NULL)
		return false;
	if (ui_folders_is_inbox(open))
		return ui_folders_is_inbox(f->display) || ui_folders_is_inbox(f->name);
	return strcmp(open, f->display) == 0 || strcmp(open, f->name) == 0;
}

/* Compares display names component by component, INBOX first, so that a
 * folder's children follow it ("A", "A/x", "A-b", not "A", "A-b", "A/x"). */
static int
ui_folders_cmp(const void *pa, const void *pb)
{
	const char *a = ui_folders.list.v[*(const size_t *)pa].display;
	const char *b = ui_folders.list.v[*(const size_t *)pb].display;
	char d = ui_folders.delim;
	bool first = true;

	for (;;) {
		size_t la = strcspn(a, (char[]){ d, '\0' });
		size_t lb = strcspn(b, (char[]){ d, '\0' });
		int c;

		if (first) {
			bool ia = la == 5 && str_ncaseeq(a, "INBOX", 5);
			bool ib = lb == 5 && str_ncaseeq(b, "INBOX", 5);

			if (ia != ib)
				return ia ? -1 : 1;
			first = false;
		}
		c = memcmp(a, b, la < lb ? la : lb);
		if (c != 0)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		a += la;
		b += lb;
		if (*a == '\0' || *b == '\0')
			return *a == '\0' ? (*b == '\0' ? 0 : -1) : 1;
		a++;
		b++;
	}
}

/* The depth of a folder in the tree and the last part of its name. */
static const char *
ui_folders_leaf(const struct cmd_folder *f, int *level_r)
{
	const char *s = f->display, *leaf = s;
	int level = 0;

	for (; *s != '\0'; s++)
		if (*s == ui_folders.delim && s[1] != '\0') {
			level++;
			leaf = s + 1;
		}
	*level_r = level;
	return leaf;
}

struct ui_folders_old {
	const char *name;
	uint64_t baseline;
};

static int
ui_folders_old_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ui_folders_old *)a)->name,
	    ((const struct ui_folders_old *)b)->name);
}

/* Takes a new list (emptying *list), keeping what was known of each
 * folder's UIDNEXT so that a refresh does not look like new mail. */
static void
ui_folders_set(struct cmd_folders *list, char delim)
{
	struct ui_folders_old *old = NULL;
	size_t nold = 0, i;
	uint64_t *baseline = xcalloc(list->count + 1, sizeof(*baseline));

	if (ui_folders.known) {
		old = xcalloc(ui_folders.list.count + 1, sizeof(*old));
		for (i = 0; i < ui_folders.list.count; i++) {
			old[nold].name = ui_folders.list.v[i].name;
			old[nold].baseline = ui_folders.baseline[i];
			nold++;
		}
		qsort(old, nold, sizeof(*old), ui_folders_old_cmp);
	}
	for (i = 0; i < list->count; i++) {
		struct ui_folders_old key = { list->v[i].name, 0 };
		const struct ui_folders_old *o = nold > 0 ?
		    bsearch(&key, old, nold, sizeof(*old), ui_folders_old_cmp) : NULL;

		baseline[i] = o != NULL ? o->baseline : list->v[i].uidnext;
	}
	free(old);
	if (ui_folders.known)
		cmd_folders_free(&ui_folders.list);
	free(ui_folders.baseline);
	free(ui_folders.order);
	ui_folders.list = *list;
	memset(list, 0, sizeof(*list));
	ui_folders.baseline = baseline;
	ui_folders.delim = delim != '\0' ? delim : '/';
	ui_folders.order = xcalloc(ui_folders.list.count + 1, sizeof(*ui_folders.order));
	for (i = 0; i < ui_folders.list.count; i++)
		ui_folders.order[i] = i;
	qsort(ui_folders.order, ui_folders.list.count, sizeof(*ui_folders.order),
	    ui_folders_cmp);
	ui_folders.known = true;
}

void
ui_folders_free(void)
{
	if (ui_folders.known)
		cmd_folders_free(&ui_folders.list);
	free(ui_folders.order);
	free(ui_folders.baseline);
	memset(&ui_folders, 0, sizeof(ui_folders));
}

/* LIST with STATUS: the whole list again. */
static int
ui_folders_list_run(struct ui *ui, struct cmd_imap *session, char **error_r)
{
	struct cmd_folders list;
	char *error = NULL;
	char delim = cmd_imap_delimiter(session);

	if (cmd_folders_list(session, ui->acct, true, &list, &error) != 0) {
		if (!cmd_imap_alive(session)) {
			*error_r = error;
			return -1;
		}
		ui_error(ui, "%s", error);
		free(error);
		return 0;
	}
	ui_folders_set(&list, delim);
	ui_dirty(ui);
	return 0;
}

static int
ui_folders_list_job(struct ui *ui, void *ctx, char **error_r)
{
	struct cmd_imap *session = ui_session_imap(ui);

	(void)ctx;
	*error_r = NULL;
	if (session == NULL) {
		*error_r = xstrdup("not connected");
		return -1;
	}
	return ui_folders_list_run(ui, session, error_r);
}

static void
ui_folders_list_free(void *ctx)
{
	(void)ctx;
	ui_folders.list_queued = false;
}

/* ---- new mail ---- */

/* new-mail-command in the background: its own session, no terminal,
 * TERN_FOLDER and TERN_NEW set. Not waited for: the middle process
 * exits at once, so the command is nobody's child to reap. */
static void
ui_folders_spawn(struct ui *ui, const char *command, const char *folder, uint64_t count)
{
	char **envp, *argv[4];
	size_t n = 0, i;
	pid_t pid;
	int status;

	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		;
	envp = xcalloc(i + 3, sizeof(*envp));
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		if (!str_has_prefix(environ[i], "TERN_FOLDER=") &&
		    !str_has_prefix(environ[i], "TERN_NEW="))
			envp[n++] = environ[i];
	envp[n++] = xasprintf("TERN_FOLDER=%s", folder);
	envp[n++] = xasprintf("TERN_NEW=%" PRIu64, count);
	envp[n] = NULL;
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)command;
	argv[3] = NULL;

	pid = fork();
	if (pid == 0) {
		sigset_t none;
		int fd;

		if (fork() != 0)
			_exit(0);
		(void)setsid();
		fd = open("/dev/null", O_RDWR);
		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		for (fd = 3; fd < 1024; fd++)
			(void)close(fd);
		(void)signal(SIGPIPE, SIG_DFL);
		(void)signal(SIGINT, SIG_DFL);
		(void)signal(SIGQUIT, SIG_DFL);
		(void)signal(SIGTSTP, SIG_DFL);
		(void)sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	if (pid < 0)
		ui_error(ui, "Cannot run new-mail-command: %s", strerror(errno));
	else
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	free(envp[n - 1]);
	free(envp[n - 2]);
	free(envp);
}

/* What one STATUS of the poll said. */
struct ui_folders_status {
	size_t index;			/* into ui_folders.list.v */
	bool sent, ok;
	bool have_total, have_unread, have_uidnext;
	uint64_t total, unread, uidnext;
};

static void
ui_folders_status_data(void *ctx, const struct imap_response *resp)
{
	struct ui_folders_status *st = ctx;
	const struct cmd_folder *f = &ui_folders.list.v[st->index];
	const struct imap_arg *items;
	size_t nitems, i, len;
	const char *name;

	if (resp->count < 3 || !imap_arg_atom_equals(&resp->args[0], "STATUS") ||
	    !imap_arg_get_astring(&resp->args[1], &name, &len) ||
	    !imap_arg_get_list(&resp->args[2], &items, &nitems))
		return;
	if (!(len == f->name_len && memcmp(name, f->name, len) == 0) &&
	    !(ui_folders_is_inbox(f->name) && ui_folders_is_inbox(name)))
		return;
	for (i = 0; i + 1 < nitems; i += 2) {
		uint64_t n;

		if (!imap_arg_get_number(&items[i + 1], &n))
			continue;
		if (imap_arg_atom_equals(&items[i], "MESSAGES")) {
			st->total = n;
			st->have_total = true;
		} else if (imap_arg_atom_equals(&items[i], "UNSEEN")) {
			st->unread = n;
			st->have_unread = true;
		} else if (imap_arg_atom_equals(&items[i], "UIDNEXT")) {
			st->uidnext = n;
			st->have_uidnext = true;
		}
	}
}

static void
ui_folders_status_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct ui_folders_status *st = ctx;

	(void)tagged;
	st->ok = result == IMAP_RESULT_OK;
}

/* Applies the answers; folders whose UIDNEXT grew have new mail. */
static void
ui_folders_apply(struct ui *ui, const struct ui_folders_status *st, size_t n)
{
	const char *command = conf_get(ui->conf, "new-mail-command");
	struct buf names;
	size_t i, nnew = 0;

	buf_init(&names, UI_FOLDERS_NOTIFY_MAX);
	for (i = 0; i < n; i++) {
		struct cmd_folder *f = &ui_folders.list.v[st[i].index];
		uint64_t *base = &ui_folders.baseline[st[i].index];

		if (!st[i].sent || !st[i].ok)
			continue;
		if (st[i].have_total && st[i].have_unread && st[i].unread <= st[i].total) {
			f->total = st[i].total;
			f->unread = st[i].unread;
			f->have_status = true;
		}
		if (!st[i].have_uidnext)
			continue;
		f->uidnext = st[i].uidnext;
		if (*base != 0 && st[i].uidnext > *base) {
			char *safe = safe_text_line(f->display, strlen(f->display), 1024);

			if (command != NULL && command[0] != '\0')
				ui_folders_spawn(ui, command, safe, st[i].uidnext - *base);
			if (buf_len(&names) > 0)
				(void)buf_addstr(&names, ", ");
			if (buf_addstr(&names, safe) != 0)
				buf_truncate(&names, UI_FOLDERS_NOTIFY_MAX - 8);
			free(safe);
			nnew++;
		}
		*base = st[i].uidnext;
	}
	if (nnew > 0)
		ui_message(ui, "New mail in %s", buf_ptr(&names));
	buf_free(&names);
	ui_dirty(ui);
}

static int
ui_folders_poll_job(struct ui *ui, void *ctx, char **error_r)
{
	struct cmd_imap *session = ui_session_imap(ui);
	struct ui_folders_status *st;
	struct imap_client *client;
	size_t i, n = 0;

	(void)ctx;
	*error_r = NULL;
	if (session == NULL) {
		*error_r = xstrdup("not connected");
		return -1;
	}
	if (!ui_folders.known)
		return ui_folders_list_run(ui, session, error_r);
	client = cmd_imap_client(session);
	st = xcalloc(ui_folders.list.count + 1, sizeof(*st));
	for (i = 0; i < ui_folders.list.count; i++) {
		const struct cmd_folder *f = &ui_folders.list.v[i];
		struct imap_cmd_callbacks cb;

		if (!f->selectable)
			continue;
		/* The session follows the open folder itself; what it saw there
		 * is no news when the user moves on. */
		if (ui_folders_is_open(ui, f)) {
			ui_folders.baseline[i] = 0;
			continue;
		}
		st[n].index = i;
		cb.done = ui_folders_status_done;
		cb.data = ui_folders_status_data;
		cb.ctx = &st[n];
		st[n].sent = imap_cmd_status(client, f->name, IMAP_STATUS_MESSAGES |
		    IMAP_STATUS_UNSEEN | IMAP_STATUS_UIDNEXT, &cb) == 0;
		n++;
	}
	if (n > 0 && cmd_imap_wait(session, error_r) != 0) {
		free(st);
		return -1;
	}
	ui_folders_apply(ui, st, n);
	free(st);
	return 0;
}

static void
ui_folders_poll_free(void *ctx)
{
	(void)ctx;
	ui_folders.poll_queued = false;
}

void
ui_folders_poll(struct ui *ui)
{
	if (ui_folders.poll_queued)
		return;
	ui_folders.poll_queued = true;
	ui_job_add(ui, "checking for new mail", ui_folders_poll_job, &ui_folders,
	    ui_folders_poll_free);
}

/* ---- drawing ---- */

/* "  3" of unread or total, or blanks for a folder without counts. */
static void
ui_folders_count(char *buf, size_t size, const struct cmd_folder *f, uint64_t n)
{
	if (f->selectable && f->have_status)
		snprintf(buf, size, "%7" PRIu64 " ", n);
	else
		snprintf(buf, size, "%8s", "");
}

/* The indented leaf name at x, at most width columns. */
static int
ui_folders_draw_name(int y, int x, int width, const struct cmd_folder *f, int attr)
{
	int level, used = 0;
	const char *leaf = ui_folders_leaf(f, &level);

	for (; level > 0 && used + 2 <= width; level--)
		used += ui_draw_text(y, x + used, 2, "  ", attr, true);
	used += ui_draw_text(y, x + used, width - used, leaf, attr, false);
	return used;
}

static void
ui_folders_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_folders_view *fv = (struct ui_folders_view *)v;
	struct ui *ui = v->ui;
	int normal = ui_draw_attr(UI_COLOR_NORMAL), i;
	size_t count = ui_folders.known ? ui_folders.list.count : 0;

	if (rows < 2)
		return;
	ui_draw_text(top, 0, cols, " unread   total    folder", ui_draw_attr(UI_COLOR_HEADER),
	    true);
	top++;
	rows--;
	fv->page = rows;
	if (!ui_folders.known) {
		ui_draw_text(top, 0, cols, "Listing the folders...", normal, true);
		return;
	}
	if (!fv->placed) {
		for (i = 0; (size_t)i < count; i++)
			if (ui_folders_is_open(ui, &ui_folders.list.v[ui_folders.order[i]]))
				fv->cur = (size_t)i;
		fv->placed = true;
	}
	if (fv->cur >= count)
		fv->cur = count > 0 ? count - 1 : 0;
	if (fv->cur < fv->top)
		fv->top = fv->cur;
	if (fv->cur >= fv->top + (size_t)rows)
		fv->top = fv->cur - (size_t)rows + 1;
	for (i = 0; i < rows; i++) {
		size_t n = fv->top + (size_t)i;
		const struct cmd_folder *f;
		char unread[32], total[32];
		int x = 0, attr, y = top + i;

		if (n >= count) {
			ui_draw_clear_row(y, 0, cols, normal);
			continue;
		}
		f = &ui_folders.list.v[ui_folders.order[n]];
		if (n == fv->cur)
			attr = ui_draw_attr(UI_COLOR_INDICATOR);
		else if (f->have_status && f->unread > 0)
			attr = ui_draw_attr(UI_COLOR_NEW);
		else
			attr = normal;
		ui_folders_count(unread, sizeof(unread), f, f->unread);
		ui_folders_count(total, sizeof(total), f, f->total);
		x += ui_draw_text(y, x, cols - x, unread, attr, false);
		x += ui_draw_text(y, x, cols - x, total, attr, false);
		x += ui_draw_text(y, x, cols - x, ui_folders_is_open(ui, f) ? " * " : "   ", attr,
		    false);
		x += ui_folders_draw_name(y, x, cols - x, f, attr);
		ui_draw_clear_row(y, x, cols, attr);
	}
}

void
ui_folders_sidebar_draw(struct ui *ui, int top, int rows, int width)
{
	int normal = ui_draw_attr(UI_COLOR_NORMAL), i;
	size_t count, start = 0, n;

	if (rows <= 0 || width <= 0)
		return;
	if (!ui_folders.known) {
		ui_draw_text(top, 0, width, "(no folder list yet)", normal, true);
		for (i = 1; i < rows; i++)
			ui_draw_text(top + i, 0, width, "", normal, true);
		return;
	}
	count = ui_folders.list.count;
	/* Keep the open folder in sight. */
	for (n = 0; n < count; n++)
		if (ui_folders_is_open(ui, &ui_folders.list.v[ui_folders.order[n]])) {
			if (n >= (size_t)rows)
				start = n - (size_t)rows + 1;
			break;
		}
	for (i = 0; i < rows; i++) {
		const struct cmd_folder *f;
		char num[32] = "";
		int attr, numw = 0, x;

		n = start + (size_t)i;
		if (n >= count) {
			ui_draw_text(top + i, 0, width, "", normal, true);
			continue;
		}
		f = &ui_folders.list.v[ui_folders.order[n]];
		if (ui_folders_is_open(ui, f))
			attr = ui_draw_attr(UI_COLOR_INDICATOR);
		else if (f->have_status && f->unread > 0)
			attr = ui_draw_attr(UI_COLOR_NEW);
		else
			attr = normal;
		if (f->have_status && f->unread > 0) {
			snprintf(num, sizeof(num), " %" PRIu64 " ", f->unread);
			numw = (int)strlen(num);
			if (numw >= width)
				numw = 0;
		}
		x = ui_folders_draw_name(top + i, 0, width - numw, f, attr);
		if (x < width - numw)
			ui_draw_text(top + i, x, width - numw - x, "", attr, true);
		if (numw > 0)
			ui_draw_text(top + i, width - numw, numw, num, attr, false);
	}
}

/* ---- the view ---- */

static void
ui_folders_move(struct ui_folders_view *fv, long n)
{
	size_t count = ui_folders.known ? ui_folders.list.count : 0;
	size_t last = count > 0 ? count - 1 : 0;

	if (n < 0)
		fv->cur = (size_t)-n > fv->cur ? 0 : fv->cur - (size_t)-n;
	else
		fv->cur = fv->cur + (size_t)n > last ? last : fv->cur + (size_t)n;
	fv->placed = true;
	ui_dirty(fv->view.ui);
}

static void
ui_folders_select(struct ui_folders_view *fv)
{
	struct ui *ui = fv->view.ui;
	const struct cmd_folder *f;
	char *name;

	if (!ui_folders.known || fv->cur >= ui_folders.list.count)
		return;
	f = &ui_folders.list.v[ui_folders.order[fv->cur]];
	if (!f->selectable) {
		ui_error(ui, "%s holds folders, not mail.", f->display);
		return;
	}
	name = xstrdup(f->display);
	ui_view_pop(ui);			/* fv is gone */
	ui_session_open_folder(ui, name);
	free(name);
}

static bool
ui_folders_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_folders_view *fv = (struct ui_folders_view *)v;
	long page = fv->page > 1 ? fv->page - 1 : 1;

	(void)key;
	(void)ch;
	if (fn == NULL)
		return false;
	if (strcmp(fn, "next-entry") == 0 || strcmp(fn, "next-line") == 0)
		ui_folders_move(fv, 1);
	else if (strcmp(fn, "previous-entry") == 0 || strcmp(fn, "previous-line") == 0)
		ui_folders_move(fv, -1);
	else if (strcmp(fn, "next-page") == 0)
		ui_folders_move(fv, page);
	else if (strcmp(fn, "previous-page") == 0)
		ui_folders_move(fv, -page);
	else if (strcmp(fn, "first-entry") == 0 || strcmp(fn, "top") == 0)
		ui_folders_move(fv, -(long)fv->cur);
	else if (strcmp(fn, "last-entry") == 0 || strcmp(fn, "bottom") == 0)
		ui_folders_move(fv, (long)(ui_folders.known ? ui_folders.list.count : 0));
	else if (strcmp(fn, "select-entry") == 0)
		ui_folders_select(fv);
	else if (strcmp(fn, "exit") == 0)
		ui_view_pop(v->ui);		/* fv is gone */
	else
		return false;
	return true;
}

static char *
ui_folders_status(struct ui_view *v)
{
	(void)v;
	if (!ui_folders.known)
		return xstrdup("Folders");
	return xasprintf("Folders \xe2\x80\x94 %zu", ui_folders.list.count);
}

static void
ui_folders_changed(struct ui_view *v)
{
	ui_dirty(v->ui);
}

static void
ui_folders_destroy(struct ui_view *v)
{
	free(v);
}

static const struct ui_view_ops ui_folders_ops = {
	.map = "folders",
	.draw = ui_folders_draw,
	.key = ui_folders_key,
	.status = ui_folders_status,
	.changed = ui_folders_changed,
	.destroy = ui_folders_destroy,
};

void
ui_folders_open(struct ui *ui)
{
	struct ui_folders_view *fv;

	if (ui_session_pop3(ui)) {
		ui_message(ui, "a POP3 account has one mailbox, shown here");
		return;
	}
	fv = xcalloc(1, sizeof(*fv));

	fv->view.ops = &ui_folders_ops;
	fv->view.ui = ui;
	ui_view_push(ui, &fv->view);
	/* The last list shows at once; a fresh one replaces it. */
	if (!ui_folders.list_queued) {
		ui_folders.list_queued = true;
		ui_job_add(ui, "listing the folders", ui_folders_list_job, &ui_folders,
		    ui_folders_list_free);
	}
}
