/* The attachment list of the message in the pager: save one, or open it with mailcap. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd-html.h"
#include "lib/buf.h"
#include "lib/proc.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/mailcap.h"
#include "mime/message.h"
#include "mime/mime.h"
#include "mime/rfc2231.h"
#include "ui/ui-private.h"

/* How long a mailcap test= command may take. */
#define UI_ATTACH_TEST_TIMEOUT_MS 5000
/* Content-Type parameters passed to mailcap (%{name}). */
#define UI_ATTACH_PARAMS_MAX 16

struct ui_attach {
	struct ui_view view;
	const char *raw;		/* the pager's message */
	size_t raw_len;
	const struct message *m;
	size_t cur, top;
	int page;
	char *pending;			/* the path waiting for "overwrite?" */
};

static const struct ui_view_ops ui_attach_ops;

/* ---- a part's bytes, from the message already fetched ---- */

struct ui_attach_part {
	const char *path;		/* IMAP part number to find */
	struct buf *out;		/* its decoded bytes */
	bool found;
	char *names[UI_ATTACH_PARAMS_MAX];	/* its Content-Type parameters */
	char *values[UI_ATTACH_PARAMS_MAX];
	size_t nparams;
};

static enum mime_visit
ui_attach_visit(const struct mime_part *part, void *ctx)
{
	struct ui_attach_part *f = ctx;
	size_t i;

	/* A container shares no path with a leaf, but the walk sees a
	 * message/rfc822 part before the message inside it: the part comes
	 * first, which is the attachment. */
	if (part->multipart && !part->message)
		return MIME_CONTINUE;
	if (strcmp(part->path, f->path) != 0)
		return MIME_CONTINUE;
	f->found = true;
	(void)mime_part_decode(part, f->out);
	for (i = 0; part->content_type != NULL && i < part->content_type->count &&
	    f->nparams < UI_ATTACH_PARAMS_MAX; i++) {
		f->names[f->nparams] = xstrdup(part->content_type->params[i].name);
		f->values[f->nparams] = xstrdup(part->content_type->params[i].value);
		f->nparams++;
	}
	return MIME_STOP;
}

static void
ui_attach_part_free(struct ui_attach_part *f)
{
	size_t i;

	for (i = 0; i < f->nparams; i++) {
		free(f->names[i]);
		free(f->values[i]);
	}
	f->nparams = 0;
}

/* The decoded bytes of the current attachment into out (whose maximum
 * is the message's size: decoding never expands). Returns 0, or -1. */
static int
ui_attach_decode(struct ui_attach *a, struct buf *out, struct ui_attach_part *f)
{
	const struct message_attachment *att = &a->m->attachments[a->cur];

	memset(f, 0, sizeof(*f));
	f->path = att->path;
	f->out = out;
	(void)mime_walk(a->raw, a->raw_len, conf_get(a->view.ui->conf, "charset-fallback"),
	    ui_attach_visit, f);
	if (!f->found) {
		ui_error(a->view.ui, "Part %s is not in the message.", att->path);
		ui_attach_part_free(f);
		return -1;
	}
	return 0;
}

static const char *
ui_attach_name(const struct message_attachment *att)
{
	return att->filename != NULL && att->filename[0] != '\0' ? att->filename : NULL;
}

/* ---- saving ---- */

static int
ui_attach_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes data to path, mode 0600: a new file, or (replace) a temporary
 * one renamed over the old, so a failure never leaves half a file. */
static int
ui_attach_write(const char *path, const char *data, size_t len, bool replace)
{
	char *tmp = NULL;
	int fd, saved;

	if (replace) {
		tmp = xasprintf("%s.tern-XXXXXX", path);
		fd = mkstemp(tmp);	/* 0600 */
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	if (ui_attach_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		(void)unlink(tmp != NULL ? tmp : path);
		free(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) != 0 || (tmp != NULL && rename(tmp, path) != 0)) {
		saved = errno;
		(void)unlink(tmp != NULL ? tmp : path);
		free(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	return 0;
}

static void
ui_attach_save(struct ui_attach *a, const char *path, bool replace)
{
	struct ui *ui = a->view.ui;
	struct ui_attach_part f;
	struct buf out;

	buf_init(&out, a->raw_len + 1);
	if (ui_attach_decode(a, &out, &f) == 0) {
		if (ui_attach_write(path, buf_ptr(&out), buf_len(&out), replace) != 0)
			ui_error(ui, "Cannot write %s: %s", path, strerror(errno));
		else
			ui_message(ui, "Saved %s (%zu bytes).", path, buf_len(&out));
		ui_attach_part_free(&f);
	}
	buf_free(&out);
}

/* The attachment list on top, or NULL: prompts answer later, and only
 * the view that asked may act on the answer. */
static struct ui_attach *
ui_attach_top(struct ui *ui)
{
	struct ui_view *v = ui_view_top(ui);

	return v != NULL && v->ops == &ui_attach_ops ? (struct ui_attach *)v : NULL;
}

static void
ui_attach_overwrite_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_attach *a = ui_attach_top(ui);

	(void)ctx;
	if (a == NULL || a->pending == NULL)
		return;
	if (text != NULL)
		ui_attach_save(a, a->pending, true);
	else
		ui_message(ui, "Not saved.");
	free(a->pending);
	a->pending = NULL;
}

/* "~/x" is in the home directory. A new string. */
static char *
ui_attach_expand(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home != NULL)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static void
ui_attach_path_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_attach *a = ui_attach_top(ui);
	const char *name;
	struct stat st;
	char *path, *question;

	(void)ctx;
	if (a == NULL || text == NULL)
		return;
	if (text[0] == '\0') {
		ui_message(ui, "Not saved.");
		return;
	}
	path = ui_attach_expand(text);
	/* A directory gets the file under its own name. */
	name = ui_attach_name(&a->m->attachments[a->cur]);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *in = xasprintf("%s%s%s", path, str_has_suffix(path, "/") ? "" : "/",
		    name != NULL ? name : "attachment");

		free(path);
		path = in;
	}
	if (lstat(path, &st) != 0) {
		ui_attach_save(a, path, false);
		free(path);
		return;
	}
	free(a->pending);
	a->pending = path;
	question = xasprintf("%s exists. Overwrite it?", path);
	ui_confirm(ui, question, ui_attach_overwrite_done, NULL);
	free(question);
}

static void
ui_attach_save_ask(struct ui_attach *a)
{
	const struct message_attachment *att = &a->m->attachments[a->cur];
	const char *name = ui_attach_name(att), *home = getenv("HOME");
	char *dir = NULL, *initial;
	struct stat st;

	if (home != NULL && home[0] != '\0') {
		dir = xasprintf("%s/Downloads", home);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			free(dir);
			dir = NULL;
		}
	}
	if (name == NULL)
		name = "attachment";
	initial = dir != NULL ? xasprintf("~/Downloads/%s", name) : xasprintf("./%s", name);
	ui_prompt(a->view.ui, "Save to: ", initial, ui_attach_path_done, NULL);
	free(initial);
	free(dir);
}

/* ---- opening with mailcap ---- */

/* A file name suffix made of safe characters only: nametemplate's
 * ("%s.pdf"), else the attachment's own (".pdf"), else none. */
static const char *
ui_attach_suffix(const struct mailcap_entry *e, const char *name)
{
	const char *s = NULL, *c;

	if (e->nametemplate != NULL && (s = strstr(e->nametemplate, "%s")) != NULL)
		s += 2;
	else if (name != NULL)
		s = strrchr(name, '.');
	if (s == NULL || strlen(s) > 16)
		return "";
	for (c = s; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_'))
			return "";
	return s;
}

/* A private temporary file holding data. Returns its path, or NULL. */
static char *
ui_attach_tempfile(const char *data, size_t len, const char *suffix)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/tern-XXXXXX%s", tmpdir != NULL && tmpdir[0] == '/' ?
	    tmpdir : "/tmp", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));	/* 0600 */

	if (fd < 0) {
		free(path);
		return NULL;
	}
	if (ui_attach_write_all(fd, data, len) != 0) {
		close(fd);
		(void)unlink(path);
		free(path);
		return NULL;
	}
	if (close(fd) != 0) {
		(void)unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/* ' quoting for /bin/sh. */
static void
ui_attach_shell_quote(struct buf *b, const char *s)
{
	(void)buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			(void)buf_addstr(b, "'\\''");
		else
			(void)buf_addc(b, *s);
	}
	(void)buf_addc(b, '\'');
}

/* Whether an entry's test= passes on file (no test passes). */
static bool
ui_attach_test(const struct mailcap_entry *e, const char *file, const char *type,
    const struct ui_attach_part *f)
{
	struct proc_result res;
	struct buf cmd, out;
	bool uses_file, ok;

	if (e->test == NULL)
		return true;
	buf_init(&cmd, MAILCAP_LINE_MAX * 4);
	buf_init(&out, 4096);
	ok = mailcap_expand(e->test, file, type, (const char *const *)f->names,
	    (const char *const *)f->values, f->nparams, &cmd, &uses_file) == 0 &&
	    proc_run(buf_ptr(&cmd), "", 0, UI_ATTACH_TEST_TIMEOUT_MS, &out, NULL, &res) == 0 &&
	    !res.timed_out && res.exit_status == 0;
	buf_free(&cmd);
	buf_free(&out);
	return ok;
}

static void
ui_attach_open_current(struct ui_attach *a)
{
	struct ui *ui = a->view.ui;
	const struct message_attachment *att = &a->m->attachments[a->cur];
	const struct mailcap_entry *e;
	struct ui_attach_part f;
	struct mailcap *mc;
	struct buf data, cmd;
	size_t idx = 0;
	char *file = NULL;
	bool uses_file = false, refused = false;
	int status;

	buf_init(&data, a->raw_len + 1);
	if (ui_attach_decode(a, &data, &f) != 0) {
		buf_free(&data);
		return;
	}
	mc = cmd_mailcap_load(conf_get(ui->conf, "mailcap"));
	buf_init(&cmd, MAILCAP_LINE_MAX * 4);
	while ((e = mailcap_find(mc, att->type, false, &idx)) != NULL) {
		file = ui_attach_tempfile(buf_ptr(&data), buf_len(&data),
		    ui_attach_suffix(e, ui_attach_name(att)));
		if (file == NULL) {
			ui_error(ui, "Cannot write a temporary file: %s", strerror(errno));
			goto out;
		}
		buf_reset(&cmd);
		if (ui_attach_test(e, file, att->type, &f)) {
			if (mailcap_expand(e->view, file, att->type, (const char *const *)f.names,
			    (const char *const *)f.values, f.nparams, &cmd, &uses_file) == 0)
				break;
			refused = true;
		}
		(void)unlink(file);
		free(file);
		file = NULL;
	}
	if (e == NULL) {
		if (refused)
			ui_error(ui, "The mailcap entry for %s cannot be run safely with this "
			    "file name or its parameters.", att->type);
		else
			ui_error(ui, "no mailcap entry for %s", att->type);
		goto out;
	}
	if (!uses_file) {
		(void)buf_addstr(&cmd, " < ");
		ui_attach_shell_quote(&cmd, file);
	}
	/* Text for reading: through a pager, or it would flash by. */
	if (e->copiousoutput)
		(void)buf_addstr(&cmd, " | ${PAGER:-less}");
	status = ui_run_external(ui, buf_ptr(&cmd));
	if (status != 0)
		ui_error(ui, "The viewer (%s:%zu) exited with status %d.", e->file, e->line,
		    status);
	(void)unlink(file);
out:
	free(file);
	buf_free(&cmd);
	buf_free(&data);
	mailcap_destroy(&mc);
	ui_attach_part_free(&f);
}

/* ---- the view ---- */

static void
ui_attach_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_attach *a = (struct ui_attach *)v;
	int i, normal = ui_draw_attr(UI_COLOR_NORMAL);

	a->page = rows;
	if (a->cur < a->top)
		a->top = a->cur;
	if (rows > 0 && a->cur >= a->top + (size_t)rows)
		a->top = a->cur - (size_t)rows + 1;
	for (i = 0; i < rows; i++) {
		size_t n = a->top + (size_t)i;
		const struct message_attachment *att;
		int attr, x, w;
		char head[32], size[32];

		if (n >= a->m->nattachments) {
			ui_draw_clear_row(top + i, 0, cols, normal);
			continue;
		}
		att = &a->m->attachments[n];
		attr = ui_draw_attr(n == a->cur ? UI_COLOR_INDICATOR : UI_COLOR_NORMAL);
		snprintf(head, sizeof(head), "%3zu. ", n + 1);
		snprintf(size, sizeof(size), "%10zu bytes  ", att->size);
		x = ui_draw_text(top + i, 0, cols, head, attr, false);
		x += ui_draw_text(top + i, x, cols - x, size, attr, false);
		w = cols - x > 24 ? 24 : cols - x;
		x += ui_draw_text(top + i, x, w, att->type, attr, true);
		x += ui_draw_text(top + i, x, cols - x, " ", attr, false);
		x += ui_draw_text(top + i, x, cols - x, ui_attach_name(att) != NULL ?
		    att->filename : "(no name)", attr, false);
		ui_draw_clear_row(top + i, x, cols, attr);
	}
}

static void
ui_attach_move(struct ui_attach *a, long n)
{
	size_t last = a->m->nattachments - 1;

	if (n < 0)
		a->cur = (size_t)-n > a->cur ? 0 : a->cur - (size_t)-n;
	else
		a->cur = a->cur + (size_t)n > last ? last : a->cur + (size_t)n;
	ui_dirty(a->view.ui);
}

static bool
ui_attach_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_attach *a = (struct ui_attach *)v;
	long page = a->page > 1 ? a->page - 1 : 1;

	(void)key;
	(void)ch;
	if (fn == NULL)
		return false;
	if (strcmp(fn, "next-entry") == 0 || strcmp(fn, "next-line") == 0)
		ui_attach_move(a, 1);
	else if (strcmp(fn, "previous-entry") == 0 || strcmp(fn, "previous-line") == 0)
		ui_attach_move(a, -1);
	else if (strcmp(fn, "next-page") == 0)
		ui_attach_move(a, page);
	else if (strcmp(fn, "previous-page") == 0)
		ui_attach_move(a, -page);
	else if (strcmp(fn, "first-entry") == 0 || strcmp(fn, "top") == 0)
		ui_attach_move(a, -(long)a->cur);
	else if (strcmp(fn, "last-entry") == 0 || strcmp(fn, "bottom") == 0)
		ui_attach_move(a, (long)a->m->nattachments);
	else if (strcmp(fn, "save-attachment") == 0)
		ui_attach_save_ask(a);
	else if (strcmp(fn, "open-attachment") == 0)
		ui_attach_open_current(a);
	else if (strcmp(fn, "exit") == 0)
		ui_view_pop(v->ui);		/* a is gone */
	else
		return false;
	return true;
}

static char *
ui_attach_status(struct ui_view *v)
{
	struct ui_attach *a = (struct ui_attach *)v;
	const char *subject = a->m->subject != NULL ? a->m->subject : "(no subject)";

	return xasprintf("Attachments of %s \xe2\x80\x94 %zu of %zu", subject, a->cur + 1,
	    a->m->nattachments);
}

static void
ui_attach_changed(struct ui_view *v)
{
	ui_dirty(v->ui);
}

static void
ui_attach_destroy(struct ui_view *v)
{
	struct ui_attach *a = (struct ui_attach *)v;

	free(a->pending);
	free(a);
}

static const struct ui_view_ops ui_attach_ops = {
	.map = "attach",
	.draw = ui_attach_draw,
	.key = ui_attach_key,
	.status = ui_attach_status,
	.changed = ui_attach_changed,
	.destroy = ui_attach_destroy,
};

void
ui_attach_open(struct ui *ui, const char *raw, size_t raw_len, const struct message *m)
{
	struct ui_attach *a;

	if (m->nattachments == 0) {
		ui_message(ui, "This message has no attachments.");
		return;
	}
	a = xcalloc(1, sizeof(*a));
	a->view.ops = &ui_attach_ops;
	a->view.ui = ui;
	a->raw = raw;
	a->raw_len = raw_len;
	a->m = m;
	ui_view_push(ui, &a->view);
}
