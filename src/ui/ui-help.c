/* The key bindings of one view (its map and the generic one), as a scrollable list. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "ui/ui-private.h"

/* Columns given to the key and the function names. */
#define UI_HELP_KEY_COLS 12
#define UI_HELP_FN_COLS 20

struct ui_help_line {
	char *key, *function, *doc;
};

struct ui_help {
	struct ui_view view;
	char *map;
	struct ui_help_line *v;
	size_t n;
	size_t top;
	int page;
};

static void
ui_help_add(void *ctx, const char *key, const char *function, const char *doc)
{
	struct ui_help *h = ctx;
	struct ui_help_line *l;

	h->v = xreallocarray(h->v, h->n + 1, sizeof(*h->v));
	l = &h->v[h->n++];
	l->key = xstrdup(key != NULL ? key : "");
	l->function = xstrdup(function != NULL ? function : "");
	l->doc = xstrdup(doc != NULL ? doc : "");
}

static void
ui_help_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_help *h = (struct ui_help *)v;
	int normal = ui_draw_attr(UI_COLOR_NORMAL), i;
	size_t max;

	h->page = rows;
	max = h->n > (size_t)rows ? h->n - (size_t)rows : 0;
	if (h->top > max)
		h->top = max;
	for (i = 0; i < rows; i++) {
		size_t n = h->top + (size_t)i;
		int x = 0, y = top + i;

		if (n < h->n) {
			const struct ui_help_line *l = &h->v[n];
			int w = cols > UI_HELP_KEY_COLS ? UI_HELP_KEY_COLS : cols;

			x += ui_draw_text(y, x, w, l->key, ui_draw_attr(UI_COLOR_HEADER), true);
			w = cols - x > UI_HELP_FN_COLS ? UI_HELP_FN_COLS : cols - x;
			x += ui_draw_text(y, x, w, l->function, normal, true);
			x += ui_draw_text(y, x, cols - x, l->doc, normal, false);
		}
		ui_draw_clear_row(y, x, cols, normal);
	}
}

static void
ui_help_scroll(struct ui_help *h, long n)
{
	if (n < 0)
		h->top = (size_t)-n > h->top ? 0 : h->top - (size_t)-n;
	else
		h->top += (size_t)n;	/* the draw keeps it in range */
	ui_dirty(h->view.ui);
}

static bool
ui_help_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_help *h = (struct ui_help *)v;
	long page = h->page > 1 ? h->page - 1 : 1;

	(void)key;
	(void)ch;
	if (fn == NULL)
		return false;
	if (strcmp(fn, "next-line") == 0 || strcmp(fn, "next-entry") == 0)
		ui_help_scroll(h, 1);
	else if (strcmp(fn, "previous-line") == 0 || strcmp(fn, "previous-entry") == 0)
		ui_help_scroll(h, -1);
	else if (strcmp(fn, "next-page") == 0)
		ui_help_scroll(h, page);
	else if (strcmp(fn, "previous-page") == 0)
		ui_help_scroll(h, -page);
	else if (strcmp(fn, "top") == 0 || strcmp(fn, "first-entry") == 0)
		ui_help_scroll(h, -(long)h->top);
	else if (strcmp(fn, "bottom") == 0 || strcmp(fn, "last-entry") == 0)
		ui_help_scroll(h, (long)h->n);
	else if (strcmp(fn, "exit") == 0 || strcmp(fn, "help") == 0)
		ui_view_pop(v->ui);		/* h is gone */
	else
		return false;
	return true;
}

static char *
ui_help_status(struct ui_view *v)
{
	struct ui_help *h = (struct ui_help *)v;
	size_t page = h->page > 0 ? (size_t)h->page : 1, pct = 100;

	if (h->n > 0 && h->top + page < h->n)
		pct = (h->top + page) * 100 / h->n;
	return xasprintf("Keys of the %s screen \xe2\x80\x94 %zu%%", h->map, pct);
}

static void
ui_help_changed(struct ui_view *v)
{
	ui_dirty(v->ui);
}

static void
ui_help_destroy(struct ui_view *v)
{
	struct ui_help *h = (struct ui_help *)v;
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].key);
		free(h->v[i].function);
		free(h->v[i].doc);
	}
	free(h->v);
	free(h->map);
	free(h);
}

static const struct ui_view_ops ui_help_ops = {
	.map = "help",
	.draw = ui_help_draw,
	.key = ui_help_key,
	.status = ui_help_status,
	.changed = ui_help_changed,
	.destroy = ui_help_destroy,
};

void
ui_help_open(struct ui *ui, const char *map)
{
	struct ui_help *h;
	struct ui_view *top = ui_view_top(ui);

	/* "?" on the help itself closes it (the generic binding). */
	if (top != NULL && top->ops == &ui_help_ops) {
		ui_view_pop(ui);
		return;
	}
	h = xcalloc(1, sizeof(*h));
	h->view.ops = &ui_help_ops;
	h->view.ui = ui;
	h->map = xstrdup(map);
	ui_keys_each(map, ui_help_add, h);
	ui_view_push(ui, &h->view);
}
