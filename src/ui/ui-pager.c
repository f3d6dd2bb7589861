/* The pager: a message as tern --render shows it, marked read once seen. */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "cmd/cmd-render.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/message.h"
#include "mime/safe-text.h"
#include "ui/ui-private.h"

/* The rendered text: the body's own bound plus the header fields and the
 * list of attachments. */
#define UI_PAGER_TEXT_MAX (MESSAGE_TEXT_MAX + 4u * 1024 * 1024)
/* The raw header block shown by toggle-headers. */
#define UI_PAGER_HEADER_MAX (4u * 1024 * 1024)
/* A search text. */
#define UI_PAGER_SEARCH_MAX 256

/* One screen row of the text: a piece of one line, no newline in it. */
struct ui_pager_row {
	size_t off, len;
	unsigned char color;		/* enum ui_color */
};

/* What the layout shows: the chosen fields, or the whole header block. */
struct ui_pager_text {
	char *s;
	size_t len;
	size_t header_len;		/* the leading bytes that are header lines */
};

struct ui_pager {
	struct ui_view view;
	uint32_t uid;
	char *folder;			/* the folder it was opened in */
	char *raw;			/* the message as fetched */
	size_t raw_len;
	struct message *msg;		/* views into raw */
	struct ui_pager_text fields;	/* as tern --render prints it */
	struct ui_pager_text full;	/* toggle-headers: the raw header block */
	bool show_headers;

	struct ui_pager_row *rows;
	size_t nrows, rows_cap;
	int layout_cols;		/* 0: the layout must be made again */
	bool layout_headers;
	size_t top;			/* the first row shown */
	int page;			/* rows shown by the last draw */
	int cols;			/* columns of the last draw */

	bool shown;			/* drawn at least once */
	char *search;			/* the last search text, or NULL */
	bool hit;			/* the last search found hit_off */
	size_t hit_off, hit_len;
};

static const struct ui_view_ops ui_pager_ops;

/* ---- the text ---- */

/* Expands TABs to the next multiple of 8 columns, so a row's width does
 * not depend on where it starts. Returns 0, or -1 when out is full. */
static int
ui_pager_expand_tabs(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, col = 0;
	int r = 0;

	while (i < len && r == 0) {
		uint32_t cp;
		size_t n;

		if (s[i] == '\n') {
			r = buf_addc(out, '\n');
			col = 0;
			i++;
			continue;
		}
		if (s[i] == '\t') {
			do {
				r |= buf_addc(out, ' ');
				col++;
			} while (col % 8 != 0 && r == 0);
			i++;
			continue;
		}
		n = safe_text_decode(s + i, len - i, &cp);
		col += safe_text_width(s + i, n);
		r = buf_add(out, s + i, n);
		i += n;
	}
	return r == 0 ? 0 : -1;
}

/* The raw header block of the message (up to its first empty line), each
 * physical line made safe on its own, folded lines kept as they came. */
static void
ui_pager_raw_header(const char *raw, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - raw) : len, line = end - i;

		if (line > 0 && raw[i + line - 1] == '\r')
			line--;
		if (line == 0)
			break;
		if (safe_text_append(out, raw + i, line, SAFE_TEXT_HEADER) != 0 ||
		    buf_addc(out, '\n') != 0)
			break;
		i = end + 1;
	}
}

/* Whether the rendered text starts with one of the fields (the render
 * leaves out fields the message lacks, and then the body comes first). */
static bool
ui_pager_starts_with_field(const char *text, size_t len, char *const *fields)
{
	size_t i;

	for (i = 0; fields[i] != NULL; i++) {
		size_t n = strlen(fields[i]);

		if (len > n + 1 && str_ncaseeq(text, fields[i], n) && text[n] == ':')
			return true;
	}
	return false;
}

/* Builds both texts from the parsed message. */
static void
ui_pager_render(struct ui_pager *p, const struct conf *conf)
{
	char **fields = cmd_render_fields(conf);
	struct buf out, tabbed, full;
	const char *s, *body;
	size_t len, body_off = 0;

	buf_init(&out, UI_PAGER_TEXT_MAX);
	if (cmd_render_text(p->msg, fields, &out) != 0)
		ui_message(p->view.ui, "The message is longer than the pager shows.");
	buf_init(&tabbed, UI_PAGER_TEXT_MAX);
	(void)ui_pager_expand_tabs(buf_ptr(&out), buf_len(&out), &tabbed);
	buf_free(&out);
	s = buf_ptr(&tabbed);
	len = buf_len(&tabbed);
	/* Header lines are single lines (made safe in header mode), so the
	 * first empty line ends them. */
	if (ui_pager_starts_with_field(s, len, fields)) {
		const char *blank = NULL;
		size_t i;

		for (i = 0; i + 1 < len; i++)
			if (s[i] == '\n' && s[i + 1] == '\n') {
				blank = s + i;
				break;
			}
		if (blank != NULL) {
			p->fields.header_len = (size_t)(blank - s) + 1;
			body_off = p->fields.header_len + 1;
		}
	}
	cmd_render_fields_free(fields);

	body = s + body_off;
	buf_init(&full, UI_PAGER_TEXT_MAX + UI_PAGER_HEADER_MAX);
	{
		struct buf hdr;

		buf_init(&hdr, UI_PAGER_HEADER_MAX);
		ui_pager_raw_header(p->raw, p->raw_len, &hdr);
		(void)ui_pager_expand_tabs(buf_ptr(&hdr), buf_len(&hdr), &full);
		buf_free(&hdr);
	}
	p->full.header_len = buf_len(&full);
	if (buf_len(&full) > 0)
		(void)buf_addc(&full, '\n');
	(void)buf_add(&full, body, len - body_off);
	p->full.len = buf_len(&full);
	p->full.s = buf_detach(&full);
	p->fields.len = len;
	p->fields.s = buf_detach(&tabbed);
}

static const struct ui_pager_text *
ui_pager_text(const struct ui_pager *p)
{
	return p->show_headers ? &p->full : &p->fields;
}

/* ---- layout: lines cut into rows of the screen's width ---- */

static void
ui_pager_add_row(struct ui_pager *p, size_t off, size_t len, enum ui_color color)
{
	if (p->nrows == p->rows_cap) {
		p->rows_cap = p->rows_cap == 0 ? 256 : p->rows_cap * 2;
		p->rows = xreallocarray(p->rows, p->rows_cap, sizeof(*p->rows));
	}
	p->rows[p->nrows].off = off;
	p->rows[p->nrows].len = len;
	p->rows[p->nrows].color = (unsigned char)color;
	p->nrows++;
}

/* Cuts one line into rows of at most width columns, at a space when one
 * is in the second half of the row, else anywhere between characters. */
static void
ui_pager_wrap_line(struct ui_pager *p, const char *s, size_t off, size_t len, size_t width,
    enum ui_color color)
{
	if (len == 0) {
		ui_pager_add_row(p, off, 0, color);
		return;
	}
	while (len > 0) {
		size_t n = safe_text_truncate_cols(s + off, len, width, NULL);

		if (n < len) {
			size_t k;

			for (k = n; k > n / 2; k--)
				if (s[off + k - 1] == ' ')
					break;
			if (k > n / 2)
				n = k;
		}
		if (n == 0) {
			uint32_t cp;

			/* A character wider than the screen: one a row. */
			n = safe_text_decode(s + off, len, &cp);
		}
		ui_pager_add_row(p, off, n, color);
		off += n;
		len -= n;
	}
}

/* The colour of a body line: quoted text, or the signature after "-- ". */
static enum ui_color
ui_pager_line_color(const char *line, size_t len, bool *in_signature)
{
	size_t i = 0;

	if (len == 3 && memcmp(line, "-- ", 3) == 0)
		*in_signature = true;
	else if (len >= 15 && memcmp(line, "[-- attachments", 15) == 0)
		*in_signature = false;
	if (*in_signature)
		return UI_COLOR_SIGNATURE;
	while (i < len && i < 8 && line[i] == ' ')
		i++;
	return i < len && line[i] == '>' ? UI_COLOR_QUOTED : UI_COLOR_NORMAL;
}

static int
ui_pager_wrap_width(const struct ui_pager *p, int cols)
{
	const char *wrap = conf_get(p->view.ui->conf, "wrap");
	uint64_t w = 0;

	if (wrap != NULL && str_to_u64(wrap, 1000, &w) == 0 && w > 0 && (int)w < cols)
		return (int)w;
	return cols;
}

/* Makes the rows for cols columns (again, when the width or the text
 * shown changed). */
static void
ui_pager_layout(struct ui_pager *p, int cols)
{
	const struct ui_pager_text *t = ui_pager_text(p);
	size_t width, i = 0;
	bool in_signature = false;

	if (cols < 1)
		cols = 80;
	if (p->layout_cols == cols && p->layout_headers == p->show_headers)
		return;
	p->layout_cols = cols;
	p->layout_headers = p->show_headers;
	p->nrows = 0;
	width = (size_t)ui_pager_wrap_width(p, cols);
	while (i < t->len) {
		const char *nl = memchr(t->s + i, '\n', t->len - i);
		size_t end = nl != NULL ? (size_t)(nl - t->s) : t->len;
		enum ui_color color;

		if (i < t->header_len)
			color = UI_COLOR_HEADER;
		else
			color = ui_pager_line_color(t->s + i, end - i, &in_signature);
		ui_pager_wrap_line(p, t->s, i, end - i, width, color);
		i = end + 1;
	}
}

/* The row that holds byte off of the text. */
static size_t
ui_pager_row_of(const struct ui_pager *p, size_t off)
{
	size_t lo = 0, hi = p->nrows;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->rows[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t
ui_pager_max_top(const struct ui_pager *p)
{
	size_t page = p->page > 0 ? (size_t)p->page : 1;

	return p->nrows > page ? p->nrows - page : 0;
}

/* ---- marking read ---- */

/* The message was on the screen: now, and only now, it is read
 * (PRODUCT.md: \Seen only when opened in the pager). */
static void
ui_pager_mark_read(struct ui_pager *p)
{
	struct ui *ui = p->view.ui;
	struct index *idx = ui_session_index(ui);
	struct cmd_actions a;
	char *error = NULL;
	long i;

	if (strcmp(ui_session_folder(ui), p->folder) != 0)
		return;
	i = index_find(idx, p->uid);
	if (i < 0 || (index_at(idx, (size_t)i)->flags & INDEX_SEEN) != 0)
		return;
	memset(&a, 0, sizeof(a));
	if (cmd_actions_add(&a, "mark-read", NULL, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
		return;
	}
	ui_session_act(ui, &a, &p->uid, 1);
	cmd_actions_free(&a);
}

/* ---- the view ---- */

/* Draws one row, with the search hit in reverse when it is on it. */
static void
ui_pager_draw_row(struct ui_pager *p, const struct ui_pager_row *row, int y, int cols)
{
	const char *s = ui_pager_text(p)->s + row->off;
	int attr = ui_draw_attr((enum ui_color)row->color), x = 0;
	size_t a = 0, b = 0;
	char *piece;

	if (p->hit && p->hit_off < row->off + row->len && p->hit_off + p->hit_len > row->off) {
		a = p->hit_off > row->off ? p->hit_off - row->off : 0;
		b = p->hit_off + p->hit_len - row->off;
		if (b > row->len)
			b = row->len;
	}
	piece = xstrndup(s, b > a ? a : row->len);
	x += ui_draw_text(y, x, cols - x, piece, attr, false);
	free(piece);
	if (b > a) {
		piece = xstrndup(s + a, b - a);
		x += ui_draw_text(y, x, cols - x, piece, attr | A_REVERSE, false);
		free(piece);
		piece = xstrndup(s + b, row->len - b);
		x += ui_draw_text(y, x, cols - x, piece, attr, false);
		free(piece);
	}
	ui_draw_clear_row(y, x, cols, ui_draw_attr(UI_COLOR_NORMAL));
}

static void
ui_pager_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_pager *p = (struct ui_pager *)v;
	int i;

	ui_pager_layout(p, cols);
	p->page = rows;
	p->cols = cols;
	if (p->top > ui_pager_max_top(p))
		p->top = ui_pager_max_top(p);
	for (i = 0; i < rows; i++) {
		size_t r = p->top + (size_t)i;

		if (r < p->nrows)
			ui_pager_draw_row(p, &p->rows[r], top + i, cols);
		else
			ui_draw_clear_row(top + i, 0, cols, ui_draw_attr(UI_COLOR_NORMAL));
	}
	if (!p->shown) {
		p->shown = true;
		ui_pager_mark_read(p);
	}
}

static void
ui_pager_scroll(struct ui_pager *p, long n)
{
	size_t max = ui_pager_max_top(p);

	if (n < 0)
		p->top = (size_t)-n > p->top ? 0 : p->top - (size_t)-n;
	else
		p->top = p->top + (size_t)n > max ? max : p->top + (size_t)n;
	ui_dirty(p->view.ui);
}

/* ASCII and wide case folding of one character. */
static uint32_t
ui_pager_fold(uint32_t cp)
{
	return (uint32_t)towlower((wint_t)cp);
}

/* Whether the folded needle (n characters) starts at s (len bytes);
 * *end_r gets the bytes it spans. */
static bool
ui_pager_match(const char *s, size_t len, const uint32_t *needle, size_t n, size_t *end_r)
{
	size_t i = 0, k;

	for (k = 0; k < n; k++) {
		uint32_t cp;

		if (i >= len || s[i] == '\n')
			return false;
		i += safe_text_decode(s + i, len - i, &cp);
		if (ui_pager_fold(cp) != needle[k])
			return false;
	}
	*end_r = i;
	return true;
}

/* Finds the text from byte from on, then from the top. */
static void
ui_pager_search(struct ui_pager *p, size_t from)
{
	struct ui *ui = p->view.ui;
	const struct ui_pager_text *t;
	const char *q = p->search;
	uint32_t needle[UI_PAGER_SEARCH_MAX];
	size_t n = 0, i, qlen, pass;

	if (q == NULL || q[0] == '\0') {
		ui_message(ui, "No search text yet: press / first.");
		return;
	}
	qlen = strlen(q);
	for (i = 0; i < qlen && n < UI_PAGER_SEARCH_MAX;) {
		uint32_t cp;

		i += safe_text_decode(q + i, qlen - i, &cp);
		needle[n++] = ui_pager_fold(cp);
	}
	ui_pager_layout(p, p->cols);
	t = ui_pager_text(p);
	if (from > t->len)
		from = t->len;
	for (pass = 0; pass < 2; pass++) {
		size_t start = pass == 0 ? from : 0, end = pass == 0 ? t->len : from;

		for (i = start; i < end;) {
			uint32_t cp;
			size_t span;

			if (ui_pager_match(t->s + i, t->len - i, needle, n, &span)) {
				p->hit = true;
				p->hit_off = i;
				p->hit_len = span;
				p->top = ui_pager_row_of(p, i);
				if (pass == 1)
					ui_message(ui, "Search wrapped to the top.");
				ui_dirty(ui);
				return;
			}
			i += safe_text_decode(t->s + i, t->len - i, &cp);
		}
	}
	p->hit = false;
	ui_message(ui, "Not found: %s", q);
	ui_dirty(ui);
}

/* Where "search next" starts: the row after the first one shown, or
 * just after the last hit when it is on the screen. */
static size_t
ui_pager_search_from(struct ui_pager *p)
{
	ui_pager_layout(p, p->cols);
	if (p->hit && ui_pager_row_of(p, p->hit_off) >= p->top &&
	    ui_pager_row_of(p, p->hit_off) < p->top + (size_t)(p->page > 0 ? p->page : 1))
		return p->hit_off + 1;
	if (p->top + 1 < p->nrows)
		return p->rows[p->top + 1].off;
	return ui_pager_text(p)->len;
}

/* The prompt's answer. The pager on top is the one that asked (the
 * prompt holds the keys meanwhile); anything else means it is gone. */
static void
ui_pager_search_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_view *v = ui_view_top(ui);
	struct ui_pager *p;

	(void)ctx;
	if (text == NULL || v == NULL || v->ops != &ui_pager_ops)
		return;
	p = (struct ui_pager *)v;
	if (text[0] != '\0') {
		free(p->search);
		p->search = xstrdup(text);
	}
	p->hit = false;
	ui_pager_search(p, ui_pager_search_from(p));
}

/* Functions the index does for its current message, which the pager
 * shows. */
static bool
ui_pager_index_fn(const char *fn)
{
	static const char *const fns[] = {
		"reply", "group-reply", "forward-message", "delete-message", "flag-message",
		"toggle-new", "save-message", "add-label", "remove-label", "undo",
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strcmp(fn, fns[i]) == 0)
			return true;
	return false;
}

static void
ui_pager_step(struct ui_pager *p, int dir)
{
	struct ui *ui = p->view.ui;
	const struct index_msg *m;

	if (!ui_index_step(ui->index_view, dir)) {
		ui_message(ui, "This is the %s message.", dir > 0 ? "last" : "first");
		return;
	}
	m = ui_index_current(ui->index_view);
	if (m != NULL)
		ui_pager_open(ui, m->uid);
}

static bool
ui_pager_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_pager *p = (struct ui_pager *)v;
	struct ui *ui = v->ui;
	long page = p->page > 1 ? p->page - 1 : 1;

	if (fn == NULL)
		return false;
	if (strcmp(fn, "next-line") == 0)
		ui_pager_scroll(p, 1);
	else if (strcmp(fn, "previous-line") == 0)
		ui_pager_scroll(p, -1);
	else if (strcmp(fn, "next-page") == 0)
		ui_pager_scroll(p, page);
	else if (strcmp(fn, "previous-page") == 0)
		ui_pager_scroll(p, -page);
	else if (strcmp(fn, "top") == 0) {
		p->top = 0;
		ui_dirty(ui);
	} else if (strcmp(fn, "bottom") == 0) {
		p->top = ui_pager_max_top(p);
		ui_dirty(ui);
	} else if (strcmp(fn, "toggle-headers") == 0) {
		p->show_headers = !p->show_headers;
		p->top = 0;
		p->hit = false;
		ui_dirty(ui);
	} else if (strcmp(fn, "view-attachments") == 0) {
		if (p->msg->nattachments == 0)
			ui_message(ui, "This message has no attachments.");
		else
			ui_attach_open(ui, p->raw, p->raw_len, p->msg);
	} else if (strcmp(fn, "next-entry") == 0)
		ui_pager_step(p, 1);
	else if (strcmp(fn, "previous-entry") == 0)
		ui_pager_step(p, -1);
	else if (strcmp(fn, "exit") == 0)
		ui_view_pop(ui);		/* p is gone */
	else if (strcmp(fn, "search") == 0)
		ui_prompt(ui, "Search: ", NULL, ui_pager_search_done, NULL);
	else if (strcmp(fn, "search-next") == 0)
		ui_pager_search(p, ui_pager_search_from(p));
	else if (ui_pager_index_fn(fn)) {
		bool leave = strcmp(fn, "delete-message") == 0 || strcmp(fn, "save-message") == 0;
		bool used = ui->index_view->ops->key(ui->index_view, fn, key, ch);

		/* The message is leaving this folder: back to the index. */
		if (used && leave && ui_view_top(ui) == v)
			ui_view_pop(ui);
		return used;
	} else
		return false;
	return true;
}

static char *
ui_pager_status(struct ui_view *v)
{
	struct ui_pager *p = (struct ui_pager *)v;
	const char *subject = p->msg->subject != NULL && p->msg->subject[0] != '\0' ?
	    p->msg->subject : "(no subject)";
	size_t page = p->page > 0 ? (size_t)p->page : 1, bottom, pct = 100;

	bottom = p->top + page;
	if (p->nrows > 0 && bottom < p->nrows)
		pct = bottom * 100 / p->nrows;
	return xasprintf("%s \xe2\x80\x94 %zu%%", subject, pct);
}

static void
ui_pager_changed(struct ui_view *v)
{
	ui_dirty(v->ui);
}

static void
ui_pager_destroy(struct ui_view *v)
{
	struct ui_pager *p = (struct ui_pager *)v;

	message_destroy(&p->msg);
	free(p->raw);
	free(p->folder);
	free(p->fields.s);
	free(p->full.s);
	free(p->rows);
	free(p->search);
	free(p);
}

static const struct ui_view_ops ui_pager_ops = {
	.map = "pager",
	.draw = ui_pager_draw,
	.key = ui_pager_key,
	.status = ui_pager_status,
	.changed = ui_pager_changed,
	.destroy = ui_pager_destroy,
};

/* ---- opening: the fetch job ---- */

struct ui_pager_fetch {
	uint32_t uid;
	struct buf body;
};

/* Builds the view from the fetched message and puts it on top, in place
 * of the pager that was there (next-entry). */
static void
ui_pager_show(struct ui *ui, struct ui_pager_fetch *f)
{
	struct ui_pager *p = xcalloc(1, sizeof(*p));
	struct ui_view *top;

	p->view.ops = &ui_pager_ops;
	p->view.ui = ui;
	p->uid = f->uid;
	p->folder = xstrdup(ui_session_folder(ui));
	p->raw_len = buf_len(&f->body);
	p->raw = buf_detach(&f->body);
	p->msg = message_parse(p->raw, p->raw_len, conf_get(ui->conf, "charset-fallback"));
	ui_pager_render(p, ui->conf);
	p->cols = COLS > 0 ? COLS : 80;
	top = ui_view_top(ui);
	if (top != NULL && top->ops == &ui_pager_ops) {
		struct ui_pager *old = (struct ui_pager *)top;

		/* next-entry: the search goes on in the next message. */
		p->search = old->search;
		old->search = NULL;
		ui_view_pop(ui);
	}
	ui_view_push(ui, &p->view);
}

static int
ui_pager_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_pager_fetch *f = ctx;
	char *why = NULL;
	int r;

	*error_r = NULL;
	r = ui_session_fetch_message(ui, f->uid, &f->body, &why);
	if (r < 0) {
		*error_r = why;
		return -1;
	}
	if (r > 0) {
		ui_error(ui, "%s", why);
		free(why);
		return 0;
	}
	ui_pager_show(ui, f);
	return 0;
}

static void
ui_pager_fetch_free(void *ctx)
{
	struct ui_pager_fetch *f = ctx;

	buf_free(&f->body);
	free(f);
}

void
ui_pager_open(struct ui *ui, uint32_t uid)
{
	struct ui_pager_fetch *f = xcalloc(1, sizeof(*f));

	f->uid = uid;
	/* The engine's literal limit bounds what arrives; this only keeps
	 * the copy to the same order. */
	buf_init(&f->body, (size_t)IMAP_PARSER_LITERAL_MAX + 1);
	/* Kept in the body cache: shown at once, connected or not. */
	if (ui_session_cached_message(ui, uid, &f->body)) {
		ui_pager_show(ui, f);
		ui_pager_fetch_free(f);
		return;
	}
	if (ui_session_offline(ui)) {
		/* Not queued: a pager popping up when the connection is back,
		 * minutes later, would be a surprise. */
		ui_error(ui, "This message was never read here, so it is not kept offline; "
		    "not connected to the server.");
		ui_pager_fetch_free(f);
		return;
	}
	ui_job_add(ui, "opening the message", ui_pager_job, f, ui_pager_fetch_free);
}
