/* The mailrc line parser: pure (no I/O), resumable (fed in pieces of any
 * size) and bounded (a line over CONF_LINE_MAX is skipped, not stored). */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-int.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

struct conf_parser {
	struct conf *conf;
	const char *file;		/* interned in conf */

	/* The logical line being read (continuations joined). */
	struct buf line;
	unsigned lineno;		/* physical line now being read */
	unsigned start;			/* its first physical line */
	bool too_long;			/* over the limit: skipping to its end */
	bool binary;			/* NUL or control bytes: skipping */
	char last, last2;		/* last bytes of the physical line */
	bool finished;

	/* The block being read; blk.kind is GLOBAL at top level. */
	struct conf_block blk;
	struct conf_account *acct;
	struct conf_team *team;
	unsigned blk_line;
	bool discard;			/* duplicate or badly named: dropped at '}' */

	/* "account NAME" waiting for a lone "{" on a following line. */
	bool pending;
	bool pending_bad;		/* its name was refused */
	enum conf_scope pending_kind;
	char *pending_name;
	unsigned pending_line;
};

struct conf_word {
	char *text;
	size_t eq;			/* offset of the first unquoted '=' or SIZE_MAX */
	size_t start;			/* where the word begins in the line */
	bool quoted;			/* some of it was quoted */
};

struct conf_words {
	struct conf_word *w;
	size_t n;
	size_t end;			/* where the words stop: comment or end */
};

enum conf_cmd {
	CONF_CMD_SET,
	CONF_CMD_UNSET,
	CONF_CMD_ACCOUNT,
	CONF_CMD_TEAM,
	CONF_CMD_LABEL,
	CONF_CMD_FILTER,
	CONF_CMD_IGNORE,
	CONF_CMD_RETAIN,
	CONF_CMD_BIND,
	CONF_CMD_COLOR,
};

static const char *const conf_cmd_names[] = {
	"set", "unset", "account", "team", "label", "filter", "ignore", "retain",
	"bind", "color", NULL
};

static const char *const conf_bind_maps[] = {
	"index", "pager", "folders", "compose", "help", NULL
};

static const char *const conf_color_names[] = {
	"default", "black", "red", "green", "yellow", "blue", "magenta", "cyan",
	"white", NULL
};

struct conf_parser *
conf_parser_create(struct conf *conf, const char *filename)
{
	struct conf_parser *p = xcalloc(1, sizeof(*p));

	p->conf = conf;
	p->file = conf_intern_file(conf, filename);
	/* Two bytes of slack for a '\' and a '\r' removed at the line's end. */
	buf_init(&p->line, CONF_LINE_MAX + 2);
	p->lineno = 1;
	p->start = 1;
	p->blk.kind = CONF_SCOPE_GLOBAL;
	p->blk.scope = &conf->global;
	return p;
}

static void
conf_parser_error(struct conf_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conf_parser_error(struct conf_parser *p, unsigned line, const char *fmt, ...)
{
	char msg[CONF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_diag_add(p->conf, p->file, line, CONF_SEV_ERROR, "%s", msg);
}

/* The quoted-safe rendering of a word for a message. */
static const char *
conf_shown(char *dst, size_t dstsize, const char *s)
{
	dst[0] = '\0';
	conf_quote(dst, dstsize, s, strlen(s));
	return dst;
}

static const char *
conf_kind_name(enum conf_scope kind)
{
	return kind == CONF_SCOPE_TEAM ? "team" : "account";
}

/* ---- Blocks ---- */

static void
conf_parser_open(struct conf_parser *p, enum conf_scope kind, const char *name,
    unsigned line, bool bad_name)
{
	bool discard = bad_name;

	if (kind == CONF_SCOPE_ACCOUNT) {
		const struct conf_account *dup = bad_name ? NULL :
		    conf_account_find(p->conf, name);

		if (dup != NULL) {
			if (dup->file == p->file)
				conf_parser_error(p, line, "duplicate account '%s' (first "
				    "defined at line %u)", name, dup->line);
			else
				conf_parser_error(p, line, "duplicate account '%s' (first "
				    "defined at %s:%u)", name, dup->file, dup->line);
			discard = true;
		}
		p->acct = conf_account_new(p->conf, name, p->file, line);
		if (!discard)
			conf_account_append(p->conf, p->acct);
		p->blk.scope = &p->acct->scope;
		p->blk.acct = p->acct;
		p->blk.name = p->acct->name;
	} else {
		const struct conf_team *dup = bad_name ? NULL : conf_team_find(p->conf, name);

		if (dup != NULL) {
			if (conf_team_file(dup) == p->file)
				conf_parser_error(p, line, "duplicate team '%s' (first "
				    "defined at line %u)", name, conf_team_line(dup));
			else
				conf_parser_error(p, line, "duplicate team '%s' (first "
				    "defined at %s:%u)", name, conf_team_file(dup),
				    conf_team_line(dup));
			discard = true;
		}
		p->team = conf_team_new(name, p->file, line);
		if (!discard)
			conf_team_append(p->conf, p->team);
		p->blk.scope = &p->team->scope;
		p->blk.acct = NULL;
		p->blk.name = p->team->name;
	}
	p->blk.kind = kind;
	p->blk_line = line;
	p->discard = discard;
}

static void
conf_parser_close(struct conf_parser *p)
{
	if (p->discard) {
		conf_account_free(&p->acct);
		conf_team_free(&p->team);
	}
	p->acct = NULL;
	p->team = NULL;
	p->discard = false;
	p->blk.kind = CONF_SCOPE_GLOBAL;
	p->blk.scope = &p->conf->global;
	p->blk.acct = NULL;
	p->blk.name = NULL;
}

static void
conf_parser_clear_pending(struct conf_parser *p)
{
	free(p->pending_name);
	p->pending_name = NULL;
	p->pending = false;
}

static void
conf_parser_pending_unmet(struct conf_parser *p)
{
	char shown[CONF_QUOTE_MAX + 8];

	conf_parser_error(p, p->pending_line, "expected '{' after %s '%s'",
	    conf_kind_name(p->pending_kind),
	    conf_shown(shown, sizeof(shown), p->pending_name));
	conf_parser_clear_pending(p);
}

/* ---- Tokenizer ---- */

static bool
conf_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f';
}

static void
conf_words_free(struct conf_words *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i].text);
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}

/*
 * Splits a line into words: whitespace separates them; "..." (with \" and
 * \\) and '...' quote; a '#' where a word would begin starts a comment.
 * Returns 0, or -1 on an unterminated quote.
 */
static int
conf_tokenize(const char *s, size_t len, struct conf_words *ws, char *quote_r)
{
	char *scratch = xmalloc(len + 1);
	size_t i = 0;

	memset(ws, 0, sizeof(*ws));
	for (;;) {
		struct conf_word w;
		size_t o = 0;

		while (i < len && conf_is_space(s[i]))
			i++;
		if (i == len || s[i] == '#') {
			ws->end = i;
			break;
		}
		w.start = i;
		w.eq = SIZE_MAX;
		w.quoted = false;
		while (i < len && !conf_is_space(s[i])) {
			char c = s[i++], q;

			if (c != '"' && c != '\'') {
				if (c == '=' && w.eq == SIZE_MAX)
					w.eq = o;
				scratch[o++] = c;
				continue;
			}
			q = c;
			w.quoted = true;
			for (;;) {
				if (i == len) {
					*quote_r = q;
					free(scratch);
					conf_words_free(ws);
					return -1;
				}
				c = s[i++];
				if (c == q)
					break;
				if (q == '"' && c == '\\' && i < len &&
				    (s[i] == '"' || s[i] == '\\'))
					c = s[i++];
				scratch[o++] = c;
			}
		}
		w.text = xstrndup(scratch, o);
		ws->w = xreallocarray(ws->w, ws->n + 1, sizeof(struct conf_word));
		ws->w[ws->n++] = w;
	}
	free(scratch);
	return 0;
}

static bool
conf_word_is(const struct conf_word *w, const char *s)
{
	return !w->quoted && strcmp(w->text, s) == 0;
}

/* ---- Commands ---- */

static void
conf_cmd_set(struct conf_parser *p, struct conf_words *ws, bool unset)
{
	const char *cmd = unset ? "unset" : "set";
	char shown[CONF_QUOTE_MAX + 8];
	size_t i;

	if (ws->n == 1) {
		conf_parser_error(p, p->start, unset ? "unset needs a setting name "
		    "(unset NAME)" : "set needs a setting (set NAME=VALUE)");
		return;
	}
	for (i = 1; i < ws->n && !conf_stopped(p->conf); i++) {
		struct conf_word *w = &ws->w[i];

		if (conf_word_is(w, "}") || conf_word_is(w, "{")) {
			conf_parser_error(p, p->start, "'%s' must be on a line of its "
			    "own (after %s)", w->text, cmd);
			continue;
		}
		/* "name = value", "name =value", "name= value": one clear
		 * message rather than three confusing ones. */
		if (!unset && i + 1 < ws->n && ((w->eq == SIZE_MAX && ws->w[i + 1].eq == 0) ||
		    (!w->quoted && w->eq != SIZE_MAX && w->text[w->eq + 1] == '\0' &&
		    ws->w[i + 1].eq == SIZE_MAX))) {
			if (w->eq != SIZE_MAX)
				w->text[w->eq] = '\0';
			conf_parser_error(p, p->start, "spaces around '=' (write "
			    "%s=VALUE, with quotes if the value has spaces)",
			    conf_shown(shown, sizeof(shown), w->text));
			i++;
			if (strcmp(ws->w[i].text, "=") == 0 && i + 1 < ws->n &&
			    ws->w[i + 1].eq == SIZE_MAX)
				i++;
			continue;
		}
		if (w->eq == SIZE_MAX) {
			conf_apply(p->conf, &p->blk, p->file, p->start, w->text, NULL, unset);
			continue;
		}
		if (unset) {
			conf_parser_error(p, p->start, "unset takes names only, not "
			    "'%s'", conf_shown(shown, sizeof(shown), w->text));
			continue;
		}
		if (w->eq == 0) {
			conf_parser_error(p, p->start, "missing setting name before '=' "
			    "in '%s'", conf_shown(shown, sizeof(shown), w->text));
			continue;
		}
		w->text[w->eq] = '\0';
		conf_apply(p->conf, &p->blk, p->file, p->start, w->text,
		    w->text + w->eq + 1, false);
		w->text[w->eq] = '=';
	}
}

static void
conf_cmd_block(struct conf_parser *p, struct conf_words *ws, enum conf_scope kind)
{
	const char *what = conf_kind_name(kind);
	char shown[CONF_QUOTE_MAX + 8];
	bool brace = false, bad;
	char *name;

	if (ws->n == 1 || conf_word_is(&ws->w[1], "{")) {
		conf_parser_error(p, p->start, "%s needs a name (%s NAME {)", what, what);
		/* Still read "account {" as a block, so its lines and its '}'
		 * are not taken for top-level ones; it is then dropped. */
		if (ws->n > 1) {
			if (p->blk.kind != CONF_SCOPE_GLOBAL)
				conf_parser_close(p);
			conf_parser_open(p, kind, "", p->start, true);
		}
		return;
	}
	name = xstrdup(ws->w[1].text);
	if (ws->n >= 3) {
		if (conf_word_is(&ws->w[2], "{"))
			brace = true;
		else
			conf_parser_error(p, p->start, "expected '{' after %s '%s', not "
			    "'%s'", what, conf_shown(shown, sizeof(shown), name),
			    ws->w[2].text);
		if (ws->n > 3)
			conf_parser_error(p, p->start, "unexpected text after '{' (put "
			    "each setting on its own line)");
		if (!brace) {
			free(name);
			return;
		}
	} else if (!ws->w[1].quoted && strlen(name) > 1 && name[strlen(name) - 1] == '{') {
		/* "account work{" */
		name[strlen(name) - 1] = '\0';
		brace = true;
	}
	bad = !conf_name_valid(name);
	if (bad)
		conf_parser_error(p, p->start, "bad %s name '%s' (use letters, digits, "
		    "'.', '_', '-', '@' or '+')", what, conf_shown(shown, sizeof(shown),
		    name));

	if (p->blk.kind != CONF_SCOPE_GLOBAL) {
		char outer[CONF_QUOTE_MAX + 8];

		conf_parser_error(p, p->start, "%s '%s' begins inside %s '%s' (line "
		    "%u): blocks cannot be nested; close that one with '}' first",
		    what, conf_shown(shown, sizeof(shown), name),
		    conf_kind_name(p->blk.kind),
		    conf_shown(outer, sizeof(outer), p->blk.name), p->blk_line);
		conf_parser_close(p);
	}
	if (!brace) {
		p->pending = true;
		p->pending_bad = bad;
		p->pending_kind = kind;
		p->pending_name = name;
		p->pending_line = p->start;
		return;
	}
	conf_parser_open(p, kind, name, p->start, bad);
	free(name);
}

static bool
conf_word_in(const char *w, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

/* black ... white, default, brightNAME, or color0 ... color255. */
static bool
conf_color_valid(const char *c)
{
	uint64_t n;

	if (conf_word_in(c, conf_color_names))
		return true;
	if (str_has_prefix(c, "bright") && conf_word_in(c + 6, conf_color_names) &&
	    strcmp(c + 6, "default") != 0)
		return true;
	return str_has_prefix(c, "color") && str_to_u64(c + 5, 255, &n) == 0;
}

static bool
conf_check_color(struct conf_parser *p, const char *c)
{
	char shown[CONF_QUOTE_MAX + 8];

	if (conf_color_valid(c))
		return true;
	conf_parser_error(p, p->start, "unknown color '%s' (expected default, black, "
	    "red, green, yellow, blue, magenta, cyan, white, brightNAME or "
	    "color0 to color255)", conf_shown(shown, sizeof(shown), c));
	return false;
}

/* A map list like "index,pager". */
static bool
conf_check_maps(struct conf_parser *p, const char *maps)
{
	char shown[CONF_QUOTE_MAX + 8];
	const char *s = maps;

	for (;;) {
		size_t len = strcspn(s, ","), i;
		bool found = false;

		for (i = 0; conf_bind_maps[i] != NULL; i++)
			if (strlen(conf_bind_maps[i]) == len &&
			    memcmp(conf_bind_maps[i], s, len) == 0)
				found = true;
		if (!found) {
			shown[0] = '\0';
			conf_quote(shown, sizeof(shown), s, len);
			conf_parser_error(p, p->start, "unknown map '%s' for bind "
			    "(expected index, pager, folders, compose or help)", shown);
			return false;
		}
		if (s[len] == '\0')
			return true;
		s += len + 1;
	}
}

/* Field names are printable ASCII without ':' (RFC 5322 section 3.6.8). */
static bool
conf_check_header(struct conf_parser *p, const char *cmd, const char *h)
{
	char shown[CONF_QUOTE_MAX + 8];
	const unsigned char *c;

	for (c = (const unsigned char *)h; *c != '\0'; c++)
		if (*c <= ' ' || *c >= 0x7f || *c == ':')
			break;
	if (*c == '\0' && *h != '\0')
		return true;
	conf_parser_error(p, p->start, "bad header name '%s' for %s (letters, "
	    "digits and '-', without ':')", conf_shown(shown, sizeof(shown), h), cmd);
	return false;
}

/* Moves words[from..] into a new argv. */
static char **
conf_take_words(struct conf_words *ws, size_t from, size_t *argc_r)
{
	char **argv = xreallocarray(NULL, ws->n - from, sizeof(char *));
	size_t i;

	for (i = from; i < ws->n; i++) {
		argv[i - from] = ws->w[i].text;
		ws->w[i].text = NULL;
	}
	*argc_r = ws->n - from;
	return argv;
}

static void
conf_cmd_list(struct conf_parser *p, struct conf_words *ws, enum conf_cmd cmd,
    const char *line)
{
	enum conf_list list;
	size_t argc, i;
	bool ok = true;
	char **argv;

	switch (cmd) {
	case CONF_CMD_LABEL:
		list = CONF_LIST_LABEL;
		if (ws->n < 2 || ws->n > 3) {
			conf_parser_error(p, p->start, "label takes a name and an "
			    "optional color (label NAME [COLOR])");
			return;
		}
		if (ws->w[1].text[0] == '\0') {
			conf_parser_error(p, p->start, "empty label name");
			return;
		}
		if (ws->n == 3)
			ok = conf_check_color(p, ws->w[2].text);
		break;
	case CONF_CMD_FILTER: {
		size_t b, e;

		/* The rule is kept as written: quotes belong to the query. */
		if (ws->n < 2) {
			conf_parser_error(p, p->start, "filter needs a rule (filter "
			    "QUERY ACTION...)");
			return;
		}
		b = ws->w[1].start;
		e = ws->end;
		while (e > b && conf_is_space(line[e - 1]))
			e--;
		argv = xmalloc(sizeof(char *));
		argv[0] = xstrndup(line + b, e - b);
		conf_list_add(p->conf, CONF_LIST_FILTER, p->file, p->start, argv, 1);
		return;
	}
	case CONF_CMD_IGNORE:
	case CONF_CMD_RETAIN:
		list = cmd == CONF_CMD_IGNORE ? CONF_LIST_IGNORE : CONF_LIST_RETAIN;
		if (ws->n < 2) {
			conf_parser_error(p, p->start, "%s needs header names (%s "
			    "HEADER...)", conf_cmd_names[cmd], conf_cmd_names[cmd]);
			return;
		}
		for (i = 1; i < ws->n && ok; i++)
			ok = conf_check_header(p, conf_cmd_names[cmd], ws->w[i].text);
		break;
	case CONF_CMD_BIND:
		list = CONF_LIST_BIND;
		if (ws->n != 4) {
			conf_parser_error(p, p->start, "bind takes a map, a key and a "
			    "function (bind MAP KEY FUNCTION)");
			return;
		}
		ok = conf_check_maps(p, ws->w[1].text);
		if (ok && ws->w[2].text[0] == '\0') {
			conf_parser_error(p, p->start, "empty key for bind");
			ok = false;
		}
		break;
	case CONF_CMD_COLOR:
		list = CONF_LIST_COLOR;
		if (ws->n != 4 && ws->n != 5) {
			conf_parser_error(p, p->start, "color takes an object, a "
			    "foreground, a background and an optional pattern "
			    "(color OBJECT FG BG [PATTERN])");
			return;
		}
		ok = conf_check_color(p, ws->w[2].text) && conf_check_color(p, ws->w[3].text);
		break;
	default:
		return;
	}
	if (!ok)
		return;
	argv = conf_take_words(ws, 1, &argc);
	conf_list_add(p->conf, list, p->file, p->start, argv, argc);
}

static void
conf_cmd_unknown(struct conf_parser *p, const struct conf_word *w)
{
	char shown[CONF_QUOTE_MAX + 8], name[72];
	size_t i, best = SIZE_MAX, len = strlen(w->text);
	const char *hint = NULL;

	conf_shown(shown, sizeof(shown), w->text);
	/* "editor=vim": a forgotten "set". */
	if (w->eq != SIZE_MAX && w->eq > 0 && w->eq < sizeof(name)) {
		memcpy(name, w->text, w->eq);
		name[w->eq] = '\0';
		if (conf_settings_find(name) != NULL) {
			conf_parser_error(p, p->start, "unknown command '%s' (did you "
			    "mean 'set %s'?)", shown, shown);
			return;
		}
	}
	for (i = 0; conf_cmd_names[i] != NULL; i++) {
		size_t d = str_edit_distance(w->text, conf_cmd_names[i]);

		if (d < best) {
			best = d;
			hint = conf_cmd_names[i];
		}
	}
	if (best <= (len / 3 > 1 ? len / 3 : 1))
		conf_parser_error(p, p->start, "unknown command '%s' (did you mean "
		    "'%s'?)", shown, hint);
	else
		conf_parser_error(p, p->start, "unknown command '%s'", shown);
}

static void
conf_parser_dispatch(struct conf_parser *p, struct conf_words *ws, const char *line)
{
	const struct conf_word *w0 = &ws->w[0];
	size_t i;

	if (p->pending) {
		if (ws->n == 1 && conf_word_is(w0, "{")) {
			conf_parser_open(p, p->pending_kind, p->pending_name,
			    p->pending_line, p->pending_bad);
			conf_parser_clear_pending(p);
			return;
		}
		conf_parser_pending_unmet(p);
	}
	if (conf_word_is(w0, "{")) {
		conf_parser_error(p, p->start, "'{' without 'account NAME' or "
		    "'team NAME' before it");
		return;
	}
	if (conf_word_is(w0, "}")) {
		if (p->blk.kind == CONF_SCOPE_GLOBAL)
			conf_parser_error(p, p->start, "'}' without an open block");
		else
			conf_parser_close(p);
		if (ws->n > 1)
			conf_parser_error(p, p->start, "unexpected text after '}'");
		return;
	}
	for (i = 0; conf_cmd_names[i] != NULL; i++)
		if (strcmp(w0->text, conf_cmd_names[i]) == 0)
			break;
	if (conf_cmd_names[i] == NULL) {
		conf_cmd_unknown(p, w0);
		return;
	}
	switch ((enum conf_cmd)i) {
	case CONF_CMD_SET:
	case CONF_CMD_UNSET:
		conf_cmd_set(p, ws, i == CONF_CMD_UNSET);
		return;
	case CONF_CMD_ACCOUNT:
		conf_cmd_block(p, ws, CONF_SCOPE_ACCOUNT);
		return;
	case CONF_CMD_TEAM:
		conf_cmd_block(p, ws, CONF_SCOPE_TEAM);
		return;
	default:
		break;
	}
	if (p->blk.kind != CONF_SCOPE_GLOBAL) {
		char shown[CONF_QUOTE_MAX + 8];

		conf_parser_error(p, p->start, "'%s' is not allowed inside %s '%s' "
		    "(only set and unset are)", conf_cmd_names[i],
		    conf_kind_name(p->blk.kind),
		    conf_shown(shown, sizeof(shown), p->blk.name));
		return;
	}
	conf_cmd_list(p, ws, (enum conf_cmd)i, line);
}

/* ---- Lines ---- */

/* Handles the logical line that began on physical line p->start. */
static void
conf_parser_line(struct conf_parser *p)
{
	const char *s = buf_ptr(&p->line);
	size_t len = buf_len(&p->line);
	struct conf_words ws;
	char q;

	if (conf_stopped(p->conf))
		return;
	if (p->binary) {
		conf_parser_error(p, p->start, "binary data in configuration file");
		return;
	}
	if (p->too_long || len > CONF_LINE_MAX) {
		conf_parser_error(p, p->start, "line too long (over %u bytes)",
		    (unsigned)CONF_LINE_MAX);
		return;
	}
	if (p->start == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (conf_tokenize(s, len, &ws, &q) != 0) {
		conf_parser_error(p, p->start, "unterminated quote (%c)", q);
		return;
	}
	if (ws.n > 0)
		conf_parser_dispatch(p, &ws, s);
	conf_words_free(&ws);
}

/* Ends a physical line; returns true when it continues on the next. */
static bool
conf_parser_end_physical(struct conf_parser *p)
{
	bool cont = p->last == '\\' || (p->last == '\r' && p->last2 == '\\');

	if (!p->too_long && !p->binary) {
		size_t n = buf_len(&p->line);

		if (n > 0 && buf_ptr(&p->line)[n - 1] == '\r')
			buf_truncate(&p->line, --n);
		if (cont)
			buf_truncate(&p->line, n - 1);
	}
	p->last = p->last2 = '\0';
	return cont;
}

static void
conf_parser_next_line(struct conf_parser *p)
{
	conf_parser_line(p);
	buf_reset(&p->line);
	p->too_long = false;
	p->binary = false;
	p->start = p->lineno;
}

/* Adds n bytes without a newline to the current line. */
static void
conf_parser_add(struct conf_parser *p, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	if (!p->binary) {
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];

			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\f') || c == 0x7f) {
				p->binary = true;
				buf_free(&p->line);
				break;
			}
		}
	}
	if (!p->binary && !p->too_long && buf_add(&p->line, s, n) != 0) {
		/* Drop what was kept: the line is skipped, memory stays small. */
		p->too_long = true;
		buf_free(&p->line);
	}
	p->last2 = n >= 2 ? s[n - 2] : p->last;
	p->last = s[n - 1];
}

void
conf_parser_feed(struct conf_parser *p, const void *data, size_t len)
{
	const char *s = data;

	if (p->finished)
		return;
	while (len > 0) {
		const char *nl;
		size_t n;

		if (conf_stopped(p->conf))
			return;
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		conf_parser_add(p, s, n);
		if (nl != NULL) {
			bool cont = conf_parser_end_physical(p);

			if (p->lineno < UINT_MAX)
				p->lineno++;
			if (!cont)
				conf_parser_next_line(p);
			n++;
		}
		s += n;
		len -= n;
	}
}

void
conf_parser_finish(struct conf_parser *p)
{
	if (p->finished)
		return;
	p->finished = true;
	if (buf_len(&p->line) > 0 || p->too_long || p->binary || p->last != '\0') {
		conf_parser_end_physical(p);
		conf_parser_next_line(p);
	}
	if (p->pending)
		conf_parser_pending_unmet(p);
	if (p->blk.kind != CONF_SCOPE_GLOBAL) {
		char shown[CONF_QUOTE_MAX + 8];

		conf_parser_error(p, p->blk_line, "%s '%s' is not closed (missing '}')",
		    conf_kind_name(p->blk.kind),
		    conf_shown(shown, sizeof(shown), p->blk.name));
		conf_parser_close(p);
	}
	if (!conf_stopped(p->conf))
		conf_finish_file(p->conf, p->file);
	buf_free(&p->line);
}

void
conf_parser_destroy(struct conf_parser **pp)
{
	struct conf_parser *p = *pp;

	if (p == NULL)
		return;
	if (p->discard) {
		conf_account_free(&p->acct);
		conf_team_free(&p->team);
	}
	conf_parser_clear_pending(p);
	buf_free(&p->line);
	free(p);
	*pp = NULL;
}
