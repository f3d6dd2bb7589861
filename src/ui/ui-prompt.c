/* A one-line editor on the last row: questions, search and limit queries,
 * folder and label names, yes/no confirmations. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "ui/ui-private.h"

/* Characters a prompt holds: a long query, not a novel. */
#define UI_PROMPT_MAX 1024

struct ui_prompt {
	char *question;
	wchar_t text[UI_PROMPT_MAX + 1];
	size_t len, cursor;
	bool yes_no;
	ui_prompt_fn *fn;
	void *ctx;
};

static void
ui_prompt_set(struct ui_prompt *p, const char *s)
{
	size_t len = strlen(s), off = 0;

	p->len = 0;
	while (off < len && p->len < UI_PROMPT_MAX) {
		uint32_t cp;
		size_t n = str_utf8_decode(s + off, len - off, &cp);

		if (n == 0)
			break;
		p->text[p->len++] = (wchar_t)cp;
		off += n;
	}
	p->text[p->len] = L'\0';
	p->cursor = p->len;
}

static char *
ui_prompt_utf8(const struct ui_prompt *p)
{
	struct buf b;
	size_t i;

	buf_init(&b, UI_PROMPT_MAX * 4 + 1);
	for (i = 0; i < p->len; i++) {
		char u[4];
		size_t n = str_utf8_encode((uint32_t)p->text[i], u);

		(void)buf_add(&b, u, n);
	}
	return buf_detach(&b);
}

static void
ui_prompt_open(struct ui *ui, const char *question, const char *initial, bool yes_no,
    ui_prompt_fn *fn, void *ctx)
{
	struct ui_prompt *p = xcalloc(1, sizeof(*p));

	ui_prompt_free(ui);
	p->question = xstrdup(question);
	p->yes_no = yes_no;
	p->fn = fn;
	p->ctx = ctx;
	ui_prompt_set(p, initial != NULL ? initial : "");
	ui->prompt = p;
	ui_dirty(ui);
}

void
ui_prompt(struct ui *ui, const char *question, const char *initial, ui_prompt_fn *fn,
    void *ctx)
{
	ui_prompt_open(ui, question, initial, false, fn, ctx);
}

void
ui_confirm(struct ui *ui, const char *question, ui_prompt_fn *fn, void *ctx)
{
	ui_prompt_open(ui, question, NULL, true, fn, ctx);
}

void
ui_prompt_free(struct ui *ui)
{
	if (ui->prompt == NULL)
		return;
	free(ui->prompt->question);
	free(ui->prompt);
	ui->prompt = NULL;
}

/* Closes the prompt, then calls its function (which may open another). */
static void
ui_prompt_finish(struct ui *ui, bool ok)
{
	struct ui_prompt *p = ui->prompt;
	ui_prompt_fn *fn = p->fn;
	void *ctx = p->ctx;
	char *text = ok ? ui_prompt_utf8(p) : NULL;

	ui->prompt = NULL;
	free(p->question);
	free(p);
	ui_dirty(ui);
	fn(ui, text, ctx);
	free(text);
}

bool
ui_prompt_key(struct ui *ui, int is_key, wint_t ch)
{
	struct ui_prompt *p = ui->prompt;

	if (p == NULL)
		return false;
	ui_dirty(ui);
	if (p->yes_no) {
		if (!is_key && (ch == 'y' || ch == 'Y')) {
			ui_prompt_set(p, "y");
			ui_prompt_finish(ui, true);
		} else if (!is_key && (ch == 'n' || ch == 'N' || ch == 27 || ch == 7 ||
		    ch == '\r' || ch == '\n')) {
			ui_prompt_finish(ui, false);
		}
		return true;
	}
	if (is_key) {
		switch (ch) {
		case KEY_LEFT:
			if (p->cursor > 0)
				p->cursor--;
			break;
		case KEY_RIGHT:
			if (p->cursor < p->len)
				p->cursor++;
			break;
		case KEY_HOME:
			p->cursor = 0;
			break;
		case KEY_END:
			p->cursor = p->len;
			break;
		case KEY_BACKSPACE:
			goto backspace;
		case KEY_DC:
			if (p->cursor < p->len) {
				memmove(&p->text[p->cursor], &p->text[p->cursor + 1],
				    (p->len - p->cursor) * sizeof(wchar_t));
				p->len--;
			}
			break;
		case KEY_ENTER:
			ui_prompt_finish(ui, true);
			break;
		default:
			break;
		}
		return true;
	}
	switch (ch) {
	case '\r':
	case '\n':
		ui_prompt_finish(ui, true);
		return true;
	case 27:	/* Escape */
	case 7:		/* ^G, as in mutt */
		ui_prompt_finish(ui, false);
		return true;
	case 1:		/* ^A */
		p->cursor = 0;
		return true;
	case 5:		/* ^E */
		p->cursor = p->len;
		return true;
	case 21:	/* ^U */
		memmove(p->text, &p->text[p->cursor], (p->len - p->cursor + 1) * sizeof(wchar_t));
		p->len -= p->cursor;
		p->cursor = 0;
		return true;
	case 127:
	case 8:
		goto backspace;
	default:
		break;
	}
	if (ch < 32 || p->len == UI_PROMPT_MAX)
		return true;
	memmove(&p->text[p->cursor + 1], &p->text[p->cursor],
	    (p->len - p->cursor + 1) * sizeof(wchar_t));
	p->text[p->cursor++] = (wchar_t)ch;
	p->len++;
	return true;
backspace:
	if (p->cursor > 0) {
		memmove(&p->text[p->cursor - 1], &p->text[p->cursor],
		    (p->len - p->cursor + 1) * sizeof(wchar_t));
		p->cursor--;
		p->len--;
	}
	return true;
}

void
ui_prompt_draw(struct ui *ui, int y, int cols)
{
	struct ui_prompt *p = ui->prompt;
	int x = ui_draw_text(y, 0, cols, p->question, ui_draw_attr(UI_COLOR_NORMAL), false);
	size_t start = 0, i;
	int width = 0, cx = x;

	/* Scroll so the cursor stays on screen. */
	for (i = p->cursor; i > 0; i--) {
		int w = wcwidth(p->text[i - 1]);

		width += w > 0 ? w : 1;
		if (width >= cols - x - 1) {
			start = i;
			break;
		}
	}
	move(y, x);
	for (i = start; i < p->len; i++) {
		wchar_t wc[2] = { p->text[i], L'\0' };
		int w = wcwidth(p->text[i]);

		if (w < 0)
			continue;	/* typed controls are never kept */
		if (cx + w >= cols)
			break;
		addwstr(wc);
		if (i < p->cursor)
			cx += w;
	}
	clrtoeol();
	move(y, cx < cols ? cx : cols - 1);
}
