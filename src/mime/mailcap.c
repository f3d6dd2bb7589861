/* Mailcap files (RFC 1524): parsing fed text into entries, lookup by
 * MIME type, and shell-safe expansion of %s, %t and %{name}. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/mailcap.h"

struct mailcap {
	struct mailcap_entry *entries;
	size_t count;
	size_t cap;
	char **owned;		/* every string the entries point to */
	size_t nowned;
	size_t owned_cap;
	size_t bad;
};

/* What one line's fields say, as views into the line. */
struct fields {
	const char *view;
	const char *test;
	const char *nametemplate;
	const char *description;
	const char *compose;
	const char *print;
	const char *edit;
	bool copiousoutput;
	bool needsterminal;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_control(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u == 0x7f;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A token character of RFC 2045 §5.1 (type and subtype names). */
static bool
is_token(char c)
{
	unsigned char u = (unsigned char)c;

	if (u <= 0x20 || u >= 0x7f)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

struct mailcap *
mailcap_create(void)
{
	return xcalloc(1, sizeof(struct mailcap));
}

void
mailcap_destroy(struct mailcap **mcp)
{
	struct mailcap *mc = *mcp;
	size_t i;

	if (mc == NULL)
		return;
	for (i = 0; i < mc->nowned; i++)
		free(mc->owned[i]);
	free(mc->owned);
	free(mc->entries);
	free(mc);
	*mcp = NULL;
}

size_t
mailcap_bad_lines(const struct mailcap *mc)
{
	return mc->bad;
}

/* A copy of s owned by mc; NULL stays NULL. */
static const char *
keep(struct mailcap *mc, const char *s)
{
	char *copy;

	if (s == NULL)
		return NULL;
	if (mc->nowned == mc->owned_cap) {
		mc->owned_cap = mc->owned_cap == 0 ? 64 : mc->owned_cap * 2;
		mc->owned = xreallocarray(mc->owned, mc->owned_cap, sizeof(char *));
	}
	copy = xstrdup(s);
	mc->owned[mc->nowned++] = copy;
	return copy;
}

/*
 * Cuts the next field out of s[*pos..len) in place: "\;" becomes ";"
 * (RFC 1524, "Mailcap File Syntax"), other backslash pairs are kept for
 * the shell and for "\%", blanks around the field are dropped. The field
 * is NUL-terminated; *more_r tells whether a ";" ended it.
 */
static char *
next_field(char *s, size_t len, size_t *pos, bool *more_r)
{
	size_t i = *pos, o, keep_len;
	char *start;

	while (i < len && is_blank(s[i]))
		i++;
	o = keep_len = i;
	start = s + o;
	while (i < len && s[i] != ';') {
		if (s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] != ';')
				s[o++] = '\\';
			s[o++] = s[i + 1];
			i += 2;
			keep_len = o;
			continue;
		}
		s[o] = s[i];
		o++;
		if (!is_blank(s[i]))
			keep_len = o;
		i++;
	}
	*more_r = i < len;
	*pos = i < len ? i + 1 : len;
	s[keep_len] = '\0';
	return start;
}

/* Lowercases and checks "type/subtype" or "type" (which gets the
 * subtype "*") into out, of size MAILCAP_TYPE_MAX + 1. */
static int
parse_type(const char *s, char *out)
{
	size_t i, o = 0, slashes = 0, part = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (o >= MAILCAP_TYPE_MAX)
			return -1;
		if (s[i] == '/') {
			if (part == 0 || ++slashes > 1)
				return -1;
			part = 0;
		} else if (is_token(s[i]))
			part++;
		else
			return -1;
		out[o++] = lower(s[i]);
	}
	if (part == 0)
		return -1;	/* empty type, or "text/" */
	if (slashes == 0) {
		if (o + 2 > MAILCAP_TYPE_MAX)
			return -1;
		out[o++] = '/';
		out[o++] = '*';
	}
	out[o] = '\0';
	return 0;
}

/* One optional field (RFC 1524, "Mailcap File Syntax"): a flag or
 * name=value; unknown ones are ignored, repeated ones keep the first. */
static void
parse_flag(char *f, struct fields *fl)
{
	char *eq = strchr(f, '='), *value = NULL;
	size_t n;

	if (eq != NULL) {
		value = eq + 1;
		while (is_blank(*value))
			value++;
		while (eq > f && is_blank(eq[-1]))
			eq--;
		*eq = '\0';
	}
	if (str_caseeq(f, "copiousoutput"))
		fl->copiousoutput = true;
	else if (str_caseeq(f, "needsterminal"))
		fl->needsterminal = true;
	if (value == NULL || *value == '\0')
		return;
	if (str_caseeq(f, "test") && fl->test == NULL)
		fl->test = value;
	else if (str_caseeq(f, "nametemplate") && fl->nametemplate == NULL)
		fl->nametemplate = value;
	else if (str_caseeq(f, "compose") && fl->compose == NULL)
		fl->compose = value;
	else if (str_caseeq(f, "print") && fl->print == NULL)
		fl->print = value;
	else if (str_caseeq(f, "edit") && fl->edit == NULL)
		fl->edit = value;
	else if (str_caseeq(f, "description") && fl->description == NULL) {
		n = strlen(value);
		if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
			value[n - 1] = '\0';
			value++;
		}
		fl->description = value;
	}
}

/* One logical line, already joined; returns -1 when it is malformed. */
static int
parse_line(struct mailcap *mc, const char *filename, size_t lineno, char *s,
    size_t len)
{
	struct fields fl;
	struct mailcap_entry *e;
	char type[MAILCAP_TYPE_MAX + 1];
	char *f;
	size_t pos = 0;
	bool more;

	memset(&fl, 0, sizeof fl);
	f = next_field(s, len, &pos, &more);
	if (!more || parse_type(f, type) == -1)
		return -1;
	fl.view = next_field(s, len, &pos, &more);
	if (*fl.view == '\0')
		return -1;	/* the view command is mandatory */
	while (more) {
		f = next_field(s, len, &pos, &more);
		if (*f != '\0')
			parse_flag(f, &fl);
	}
	if (mc->count == MAILCAP_ENTRIES_MAX)
		return -1;
	if (mc->count == mc->cap) {
		mc->cap = mc->cap == 0 ? 32 : mc->cap * 2;
		mc->entries = xreallocarray(mc->entries, mc->cap, sizeof *mc->entries);
	}
	e = &mc->entries[mc->count++];
	e->type = keep(mc, type);
	e->view = keep(mc, fl.view);
	e->test = keep(mc, fl.test);
	e->nametemplate = keep(mc, fl.nametemplate);
	e->description = keep(mc, fl.description);
	e->compose = keep(mc, fl.compose);
	e->print = keep(mc, fl.print);
	e->edit = keep(mc, fl.edit);
	e->copiousoutput = fl.copiousoutput;
	e->needsterminal = fl.needsterminal;
	e->file = keep(mc, filename != NULL ? filename : "");
	e->line = lineno;
	return 0;
}

void
mailcap_feed(struct mailcap *mc, const char *filename, const char *text,
    size_t len)
{
	char line[MAILCAP_LINE_MAX + 1];
	size_t i = 0, n, first, lineno = 1, start;
	bool too_long, control;

	while (i < len) {
		start = lineno;
		n = 0;
		too_long = control = false;
		while (i < len && text[i] != '\n') {
			char c = text[i];
			size_t step = 1;

			/* Backslash-newline continues the line (RFC 1524,
			 * "Mailcap File Syntax"); a CR before LF is dropped. */
			if (c == '\\' && i + 1 < len && text[i + 1] == '\n') {
				i += 2;
				lineno++;
				continue;
			}
			if (c == '\\' && i + 2 < len && text[i + 1] == '\r' &&
			    text[i + 2] == '\n') {
				i += 3;
				lineno++;
				continue;
			}
			if (c == '\r' && i + 1 < len && text[i + 1] == '\n') {
				i++;
				continue;
			}
			/* Any other backslash pair stays whole. */
			if (c == '\\' && i + 1 < len)
				step = 2;
			if (n + step > MAILCAP_LINE_MAX)
				too_long = true;
			else {
				memcpy(line + n, text + i, step);
				n += step;
			}
			if (is_control(text[i]) && text[i] != '\t')
				control = true;
			if (step == 2 && is_control(text[i + 1]) && text[i + 1] != '\t')
				control = true;
			i += step;
		}
		if (i < len) {
			i++;	/* the newline */
			lineno++;
		}
		line[n] = '\0';
		for (first = 0; first < n && is_blank(line[first]); first++)
			;
		if (first == n || line[first] == '#')
			continue;	/* blank line or comment */
		if (too_long || control ||
		    parse_line(mc, filename, start, line, n) == -1)
			mc->bad++;
	}
}

/* pattern is a lowercased "type/subtype"; subtype "*" matches any. */
static bool
type_matches(const char *pattern, const char *type)
{
	size_t i;

	for (i = 0; pattern[i] != '\0'; i++) {
		if (pattern[i] == '*' && i > 0 && pattern[i - 1] == '/' &&
		    pattern[i + 1] == '\0')
			return true;
		if (lower(type[i]) != pattern[i])
			return false;
	}
	return type[i] == '\0';
}

const struct mailcap_entry *
mailcap_find(const struct mailcap *mc, const char *type, bool want_copiousoutput,
    size_t *idx_inout)
{
	const struct mailcap_entry *e;
	size_t i;

	for (i = *idx_inout; i < mc->count; i++) {
		e = &mc->entries[i];
		if (want_copiousoutput && !e->copiousoutput)
			continue;
		if (type_matches(e->type, type)) {
			*idx_inout = i + 1;
			return e;
		}
	}
	*idx_inout = mc->count;
	return NULL;
}

static bool
mem_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lower(a[i]) != lower(b[i]))
			return false;
	}
	return true;
}

/* Characters no shell treats specially, inside quotes or out. */
static bool
is_inert(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("._,+=:@/-", c) != NULL;
}

/* Appends value quoted for the shell: 'value', with ' as '\''. */
static int
add_quoted(struct buf *out, const char *value)
{
	const char *p;

	if (buf_addc(out, '\'') == -1)
		return -1;
	for (p = value; *p != '\0'; p++) {
		if (*p == '\'') {
			if (buf_addstr(out, "'\\''") == -1)
				return -1;
		} else if (buf_addc(out, *p) == -1)
			return -1;
	}
	return buf_addc(out, '\'');
}

enum quote {
	QUOTE_NONE,
	QUOTE_SINGLE,
	QUOTE_DOUBLE,
};

struct expand {
	const char *cmd;
	size_t i;		/* where we are in cmd */
	enum quote quote;	/* the template's own quoting here */
	size_t quote_at;	/* where that quote opened */
	bool nested;		/* after ` or $(: a second parse may follow */
	struct buf *out;
};

/* Inserts one value for the escape cmd[x->i..end), then moves past it. */
static int
insert(struct expand *x, const char *value, size_t end)
{
	char q = x->quote == QUOTE_SINGLE ? '\'' : '"';
	size_t n = strlen(value), k;

	if (n > MAILCAP_VALUE_MAX)
		return -1;
	for (k = 0; k < n; k++) {
		if (is_control(value[k]))
			return -1;
	}
	if (!x->nested && x->quote == QUOTE_NONE) {
		x->i = end;
		return add_quoted(x->out, value);
	}
	if (!x->nested && x->quote_at + 1 == x->i && x->cmd[end] == q) {
		/* '%s' or "%s": drop the template's quotes for ours. */
		buf_truncate(x->out, buf_len(x->out) - 1);
		x->quote = QUOTE_NONE;
		x->i = end + 1;
		return add_quoted(x->out, value);
	}
	/* Inside a longer quoted string, or nested: only inert values. */
	for (k = 0; k < n; k++) {
		if (!is_inert(value[k]))
			return -1;
	}
	x->i = end;
	return buf_add(x->out, value, n);
}

/* A %-escape at x->cmd[x->i] (RFC 1524, "Mailcap File Semantics"). */
static int
escape(struct expand *x, const char *filename, const char *type,
    const char *const *names, const char *const *values, size_t nparams,
    bool *uses_file_r)
{
	const char *s = x->cmd + x->i, *close;
	size_t k, namelen;

	switch (s[1]) {
	case '%':
		x->i += 2;
		return buf_addc(x->out, '%');
	case 's':
		if (filename == NULL)
			return -1;
		*uses_file_r = true;
		return insert(x, filename, x->i + 2);
	case 't':
		return insert(x, type != NULL ? type : "", x->i + 2);
	case '{':
		close = strchr(s + 2, '}');
		if (close == NULL || close == s + 2)
			return -1;
		namelen = (size_t)(close - (s + 2));
		for (k = 0; k < namelen; k++) {
			if (!is_token(s[2 + k]))
				return -1;
		}
		for (k = 0; k < nparams; k++) {
			if (names[k] != NULL && values[k] != NULL &&
			    strlen(names[k]) == namelen &&
			    mem_caseeq(names[k], s + 2, namelen))
				return insert(x, values[k], x->i + 3 + namelen);
		}
		return insert(x, "", x->i + 3 + namelen);
	default:
		return -1;
	}
}

int
mailcap_expand(const char *command, const char *filename, const char *type,
    const char *const *params_names, const char *const *params_values,
    size_t nparams, struct buf *out, bool *uses_file_r)
{
	struct expand x;
	char c, next;

	memset(&x, 0, sizeof x);
	x.cmd = command;
	x.out = out;
	*uses_file_r = false;
	while ((c = command[x.i]) != '\0') {
		next = command[x.i + 1];
		if (c == '\\' && next == '%') {
			if (buf_addc(out, '%') == -1)
				return -1;
			x.i += 2;
			continue;
		}
		if (c == '%') {
			if (escape(&x, filename, type, params_names, params_values,
			    nparams, uses_file_r) == -1)
				return -1;
			continue;
		}
		/*
		 * Follow the template's shell quoting (RFC 1524 Appendix A:
		 * commands are for /bin/sh -c): a backslash pair outside
		 * single quotes is one unit, so an escaped quote is no quote.
		 */
		if (c == '\\' && next != '\0' && x.quote != QUOTE_SINGLE) {
			if (buf_add(out, command + x.i, 2) == -1)
				return -1;
			x.i += 2;
			continue;
		}
		switch (x.quote) {
		case QUOTE_NONE:
			if (c == '\'' || c == '"') {
				x.quote = c == '\'' ? QUOTE_SINGLE : QUOTE_DOUBLE;
				x.quote_at = x.i;
			}
			break;
		case QUOTE_SINGLE:
			if (c == '\'')
				x.quote = QUOTE_NONE;
			break;
		case QUOTE_DOUBLE:
			if (c == '"')
				x.quote = QUOTE_NONE;
			break;
		}
		if (x.quote != QUOTE_SINGLE &&
		    (c == '`' || (c == '$' && next == '(')))
			x.nested = true;
		if (buf_addc(out, c) == -1)
			return -1;
		x.i++;
	}
	return 0;
}
