/* Drawing text safely and in columns, colours, dates. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "mime/safe-text.h"
#include "ui/ui-private.h"

/* A safe copy of text for the screen: header mode, so no control byte,
 * TAB or newline survives. */
static char *
ui_draw_safe(const char *text)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	(void)safe_text_append(&b, text, strlen(text), SAFE_TEXT_HEADER);
	return buf_detach(&b);
}

int
ui_draw_width(const char *text)
{
	char *safe = ui_draw_safe(text);
	size_t w = safe_text_width(safe, strlen(safe));

	free(safe);
	return (int)w;
}

int
ui_draw_text(int y, int x, int width, const char *text, int attr, bool pad)
{
	char *safe;
	size_t len, cut, used = 0;

	if (width <= 0)
		return 0;
	safe = ui_draw_safe(text);
	len = strlen(safe);
	cut = safe_text_truncate_cols(safe, len, (size_t)width, &used);
	attrset(attr);
	/* addnstr takes the multibyte string in the locale's encoding,
	 * which setlocale made UTF-8. */
	mvaddnstr(y, x, safe, (int)cut);
	if (pad && (int)used < width)
		mvhline(y, x + (int)used, ' ', width - (int)used);
	attrset(A_NORMAL);
	free(safe);
	return pad ? width : (int)used;
}

void
ui_draw_clear_row(int y, int x, int cols, int attr)
{
	if (cols <= x)
		return;
	attrset(attr);
	mvhline(y, x, ' ', cols - x);
	attrset(A_NORMAL);
}

/* ---- colours ---- */

struct ui_color_def {
	const char *object;	/* the name in "color OBJECT FG BG" */
	short fg, bg;
	int extra;		/* A_BOLD, A_REVERSE */
};

static struct ui_color_def ui_colors[UI_COLOR_COUNT] = {
	[UI_COLOR_NORMAL] = { "normal", -1, -1, 0 },
	[UI_COLOR_INDICATOR] = { "indicator", -1, -1, A_REVERSE },
	[UI_COLOR_STATUS] = { "status", -1, -1, A_REVERSE },
	[UI_COLOR_NEW] = { "index_new", -1, -1, A_BOLD },
	[UI_COLOR_FLAGGED] = { "index_flagged", COLOR_RED, -1, A_BOLD },
	[UI_COLOR_TREE] = { "tree", COLOR_MAGENTA, -1, 0 },
	[UI_COLOR_LABEL] = { "index_label", COLOR_CYAN, -1, 0 },
	[UI_COLOR_ERROR] = { "error", COLOR_RED, -1, A_BOLD },
	[UI_COLOR_MESSAGE] = { "message", -1, -1, 0 },
	[UI_COLOR_BANNER] = { "banner", COLOR_WHITE, COLOR_RED, A_BOLD },
	[UI_COLOR_HEADER] = { "header", COLOR_GREEN, -1, 0 },
	[UI_COLOR_QUOTED] = { "quoted", COLOR_BLUE, -1, 0 },
	[UI_COLOR_SIGNATURE] = { "signature", COLOR_CYAN, -1, 0 },
	[UI_COLOR_DELETED] = { "index_deleted", COLOR_YELLOW, -1, 0 },
	[UI_COLOR_OVERDUE] = { "index_overdue", COLOR_RED, -1, A_BOLD | A_UNDERLINE },
};
static int ui_color_attrs[UI_COLOR_COUNT];

static short
ui_draw_color_number(const char *name, bool *bright_r)
{
	static const char *const names[] = {
		"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	};
	uint64_t n;
	size_t i;

	*bright_r = false;
	if (strcmp(name, "default") == 0)
		return -1;
	if (str_has_prefix(name, "bright")) {
		*bright_r = true;
		name += 6;
	}
	for (i = 0; i < 8; i++)
		if (strcmp(name, names[i]) == 0)
			return (short)i;
	if (str_has_prefix(name, "color") && str_to_u64(name + 5, 255, &n) == 0)
		return (short)(n < (uint64_t)COLORS ? (short)n : -1);
	return -1;
}

void
ui_draw_colors_init(struct ui *ui)
{
	size_t i, j, n = conf_list_count(ui->conf, CONF_LIST_COLOR);
	bool colors = has_colors();

	if (colors) {
		start_color();
		(void)use_default_colors();
	}
	/* The mailrc's color lines, in order: a later line wins. */
	for (i = 0; i < n; i++) {
		const char *object = conf_list_arg(ui->conf, CONF_LIST_COLOR, i, 0);
		const char *fg = conf_list_arg(ui->conf, CONF_LIST_COLOR, i, 1);
		const char *bg = conf_list_arg(ui->conf, CONF_LIST_COLOR, i, 2);
		bool bright_fg, bright_bg;

		for (j = 0; j < UI_COLOR_COUNT; j++)
			if (strcmp(ui_colors[j].object, object) == 0)
				break;
		if (j == UI_COLOR_COUNT) {
			ui_error(ui, "%s:%u: unknown object '%s' for color",
			    conf_list_file(ui->conf, CONF_LIST_COLOR, i),
			    conf_list_line(ui->conf, CONF_LIST_COLOR, i), object);
			continue;
		}
		ui_colors[j].fg = ui_draw_color_number(fg, &bright_fg);
		ui_colors[j].bg = ui_draw_color_number(bg, &bright_bg);
		ui_colors[j].extra = (ui_colors[j].extra & A_REVERSE) | (bright_fg ? A_BOLD : 0);
	}
	for (j = 0; j < UI_COLOR_COUNT; j++) {
		int attr = ui_colors[j].extra;

		if (colors && (ui_colors[j].fg != -1 || ui_colors[j].bg != -1) &&
		    (int)j + 1 < COLOR_PAIRS) {
			init_pair((short)(j + 1), ui_colors[j].fg, ui_colors[j].bg);
			attr |= COLOR_PAIR((int)j + 1);
		}
		ui_color_attrs[j] = attr;
	}
}

int
ui_draw_attr(enum ui_color c)
{
	return ui_color_attrs[c];
}

/* ---- dates ---- */

void
ui_draw_date(const struct conf *conf, int64_t when, char *buf, size_t size)
{
	const char *fmt = conf_get(conf, "date-format");
	time_t t = (time_t)when, now = time(NULL);
	struct tm tm, tm_now;

	buf[0] = '\0';
	if (when == INDEX_NO_DATE || localtime_r(&t, &tm) == NULL)
		return;
	if (fmt == NULL) {
		(void)localtime_r(&now, &tm_now);
		if (tm.tm_year == tm_now.tm_year && tm.tm_yday == tm_now.tm_yday)
			fmt = "%H:%M";
		else if (tm.tm_year == tm_now.tm_year)
			fmt = "%b %d";
		else
			fmt = "%Y-%m-%d";
	}
	/* date-format is the user's own strftime pattern. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(buf, size, fmt, &tm) == 0)
		buf[0] = '\0';
#pragma GCC diagnostic pop
}
