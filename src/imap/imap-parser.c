/* The IMAP response parser: one state machine driven a byte at a time
 * (literal data in bulk), so it can stop at any byte and resume when more
 * input arrives. Lists are built on an explicit stack of levels, never by
 * recursion, so nesting costs no C stack. Responses live in an arena that
 * is freed when the next one is asked for. Grammar: RFC 3501 §9 and
 * RFC 9051 §9 (response, resp-text, literal, string, atom). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-parser.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* Arena chunk size; larger allocations get a chunk of their own. */
#define ARENA_CHUNK 16384
/* Level arrays larger than this are freed between responses. */
#define LEVEL_KEEP 1024
/* A literal size has at most this many digits (2^64 has 20). */
#define LITERAL_DIGITS_MAX 20

enum state {
	ST_START,		/* before a response */
	ST_TAG,			/* in the tag */
	ST_STAR,		/* after "*" */
	ST_PLUS,		/* after "+" */
	ST_ARGS,		/* between arguments */
	ST_ATOM,
	ST_QUOTED,
	ST_QUOTED_ESC,
	ST_TILDE,		/* "~": literal8 or an atom */
	ST_LIT_SIZE,		/* in "{N}" */
	ST_LIT_CR,		/* after "}" */
	ST_LIT_LF,
	ST_LIT_DATA,
	ST_AFTER_STRING,	/* after a quoted string or a literal */
	ST_LF,			/* CR seen between arguments */
	ST_TEXT,		/* raw resp-text or continuation text */
	ST_TEXT_LF		/* CR seen in text */
};

struct chunk {
	struct chunk *next;
	char *data;
	size_t used;
	size_t size;
};

struct level {
	struct imap_arg *args;
	size_t count;
	size_t cap;
};

struct imap_parser {
	struct imap_parser_limits lim;

	struct buf in;			/* fed, not yet parsed from in_pos */
	size_t in_pos;

	enum state state;
	bool failed;
	bool returned;			/* resp was handed out: reset first */
	char error[160];

	struct buf tok;			/* tag, atom, quoted string or text */
	bool in_section;		/* atom inside "[...]" */
	struct buf lit;			/* literal data */
	bool lit8;
	uint64_t lit_size;
	size_t lit_digits;
	uint64_t lit_left;

	struct level *levels;		/* depth_max + 2: top, lists, code */
	size_t depth;
	size_t nargs;
	size_t line_len;
	uint64_t resp_len;
	bool status;			/* the status atom was read */

	struct chunk *arena;
	struct imap_response resp;
};

static void
fail(struct imap_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct imap_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
}

/* "64 MiB", "64 KiB" or "1000 bytes", for messages about limits. */
static void
format_size(char *dst, size_t dstsize, uint64_t n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(dst, dstsize, "%llu MiB", (unsigned long long)(n / (1024 * 1024)));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(dst, dstsize, "%llu KiB", (unsigned long long)(n / 1024));
	else
		snprintf(dst, dstsize, "%llu bytes", (unsigned long long)n);
}

static void *
arena_alloc(struct imap_parser *p, size_t size)
{
	struct chunk *c = p->arena;
	size_t align = _Alignof(max_align_t), start;

	if (c != NULL) {
		start = (c->used + align - 1) / align * align;
		if (start <= c->size && c->size - start >= size) {
			c->used = start + size;
			return c->data + start;
		}
	}
	c = xmalloc(sizeof *c);
	c->size = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
	c->data = xmalloc(c->size);
	c->used = size;
	if (size > ARENA_CHUNK / 4 && p->arena != NULL) {
		/* Keep the current chunk in front: it still has room. */
		c->next = p->arena->next;
		p->arena->next = c;
	} else {
		c->next = p->arena;
		p->arena = c;
	}
	return c->data;
}

/* Takes ownership of malloc'd memory until the arena is freed. */
static void
arena_adopt(struct imap_parser *p, char *data, size_t size)
{
	struct chunk *c = xmalloc(sizeof *c);

	c->data = data;
	c->size = size;
	c->used = size;
	if (p->arena != NULL) {
		c->next = p->arena->next;
		p->arena->next = c;
	} else {
		c->next = NULL;
		p->arena = c;
	}
}

static void
arena_free(struct imap_parser *p)
{
	struct chunk *c, *next;

	for (c = p->arena; c != NULL; c = next) {
		next = c->next;
		free(c->data);
		free(c);
	}
	p->arena = NULL;
}

static char *
arena_strndup(struct imap_parser *p, const char *s, size_t len)
{
	char *d = arena_alloc(p, len + 1);

	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static size_t
limit_or(size_t value, size_t dflt)
{
	return value != 0 ? value : dflt;
}

struct imap_parser *
imap_parser_create(const struct imap_parser_limits *limits)
{
	struct imap_parser *p = xcalloc(1, sizeof *p);
	size_t in_max;

	if (limits != NULL)
		p->lim = *limits;
	p->lim.line_max = limit_or(p->lim.line_max, IMAP_PARSER_LINE_MAX);
	p->lim.literal_max = limit_or(p->lim.literal_max, IMAP_PARSER_LITERAL_MAX);
	p->lim.response_max = limit_or(p->lim.response_max, IMAP_PARSER_RESPONSE_MAX);
	p->lim.depth_max = limit_or(p->lim.depth_max, IMAP_PARSER_DEPTH_MAX);
	p->lim.args_max = limit_or(p->lim.args_max, IMAP_PARSER_ARGS_MAX);

	in_max = p->lim.response_max + p->lim.line_max;
	if (in_max < p->lim.response_max)
		in_max = SIZE_MAX;
	buf_init(&p->in, in_max);
	buf_init(&p->tok, p->lim.line_max);
	buf_init(&p->lit, p->lim.literal_max);
	p->levels = xcalloc(p->lim.depth_max + 2, sizeof *p->levels);
	p->state = ST_START;
	return p;
}

void
imap_parser_destroy(struct imap_parser **parser)
{
	struct imap_parser *p = *parser;
	size_t i;

	if (p == NULL)
		return;
	arena_free(p);
	for (i = 0; i < p->lim.depth_max + 2; i++)
		free(p->levels[i].args);
	free(p->levels);
	buf_free(&p->in);
	buf_free(&p->tok);
	buf_free(&p->lit);
	free(p);
	*parser = NULL;
}

void
imap_parser_feed(struct imap_parser *p, const void *data, size_t len)
{
	char size[32];

	if (p->failed)
		return;
	if (p->in_pos > 0) {
		buf_consume(&p->in, p->in_pos);
		p->in_pos = 0;
	}
	if (buf_add(&p->in, data, len) != 0) {
		format_size(size, sizeof size, p->in.max);
		fail(p, "more than %s of input fed without being parsed", size);
		p->failed = true;
	}
}

const char *
imap_parser_error(const struct imap_parser *p)
{
	return p->failed ? p->error : NULL;
}

/* Forgets the response handed out last and gets ready for the next. */
static void
response_reset(struct imap_parser *p)
{
	size_t i;

	arena_free(p);
	for (i = 0; i < p->lim.depth_max + 2; i++) {
		if (p->levels[i].cap > LEVEL_KEEP) {
			free(p->levels[i].args);
			p->levels[i].args = NULL;
			p->levels[i].cap = 0;
		}
		p->levels[i].count = 0;
	}
	p->depth = 0;
	p->nargs = 0;
	p->line_len = 0;
	p->resp_len = 0;
	p->status = false;
	buf_reset(&p->tok);
	buf_free(&p->lit);
	memset(&p->resp, 0, sizeof p->resp);
	p->state = ST_START;
	p->returned = false;
}

static struct imap_arg *
push_arg(struct imap_parser *p, enum imap_arg_type type)
{
	struct level *l = &p->levels[p->depth];
	struct imap_arg *a;

	if (p->nargs >= p->lim.args_max) {
		fail(p, "more than %zu arguments in one response", p->lim.args_max);
		return NULL;
	}
	p->nargs++;
	if (l->count == l->cap) {
		l->cap = l->cap == 0 ? 16 : l->cap * 2;
		l->args = xreallocarray(l->args, l->cap, sizeof *l->args);
	}
	a = &l->args[l->count++];
	memset(a, 0, sizeof *a);
	a->type = type;
	return a;
}

static int
push_str(struct imap_parser *p, enum imap_arg_type type, const char *s, size_t len)
{
	struct imap_arg *a = push_arg(p, type);

	if (a == NULL)
		return -1;
	a->u.str = arena_strndup(p, s, len);
	a->len = len;
	return 0;
}

/* Copies the arguments of a level into the arena. */
static const struct imap_arg *
level_finish(struct imap_parser *p, size_t depth, size_t *count_r)
{
	struct level *l = &p->levels[depth];
	struct imap_arg *args;

	*count_r = l->count;
	if (l->count == 0)
		return NULL;
	args = arena_alloc(p, l->count * sizeof *args);
	memcpy(args, l->args, l->count * sizeof *args);
	l->count = 0;
	return args;
}

/* base is the depth that nesting is counted from. */
static int
list_open(struct imap_parser *p, size_t base)
{
	if (p->depth - base >= p->lim.depth_max) {
		fail(p, "parentheses nested deeper than %zu", p->lim.depth_max);
		return -1;
	}
	p->depth++;
	p->levels[p->depth].count = 0;
	return 0;
}

static int
list_close(struct imap_parser *p)
{
	const struct imap_arg *list;
	struct imap_arg *a;
	size_t count;

	list = level_finish(p, p->depth, &count);
	p->depth--;
	if ((a = push_arg(p, IMAP_ARG_LIST)) == NULL)
		return -1;
	a->u.list = list;
	a->len = count;
	return 0;
}

static bool
is_nil(const char *s, size_t len)
{
	return len == 3 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'I' || s[1] == 'i') &&
	    (s[2] == 'L' || s[2] == 'l');
}

static bool
is_status_word(const char *s)
{
	return str_caseeq(s, "OK") || str_caseeq(s, "NO") || str_caseeq(s, "BAD") ||
	    str_caseeq(s, "PREAUTH") || str_caseeq(s, "BYE");
}

/* Ends the atom in tok. A tagged response's first atom, and an untagged
 * one's when it is a status word, starts resp-text (RFC 3501 §7.1). */
static int
atom_end(struct imap_parser *p)
{
	const char *s = buf_ptr(&p->tok);
	size_t len = buf_len(&p->tok);
	enum imap_arg_type type = IMAP_ARG_ATOM;

	if (is_nil(s, len))
		type = IMAP_ARG_NIL;
	if (push_str(p, type, s, len) != 0)
		return -1;
	if (type == IMAP_ARG_ATOM && p->depth == 0 && p->levels[0].count == 1 &&
	    (p->resp.kind == IMAP_RESP_TAGGED || is_status_word(s)))
		p->status = true;
	buf_reset(&p->tok);
	return 0;
}

/* Parses "atom *(SP arg)]" of a resp-text-code from a complete line
 * (RFC 3501 §9 resp-text-code); t[i] follows the "[". Returns 0 with
 * *end_r after the "]", 1 when this is not a well-formed code (the caller
 * keeps it as text), -1 on a limit. */
static int
parse_code(struct imap_parser *p, const char *t, size_t n, size_t i, size_t *end_r)
{
	size_t base = p->depth + 1, start, nargs = p->nargs;
	const struct imap_arg *code;
	size_t count;

	p->depth = base;
	p->levels[base].count = 0;
	for (;;) {
		if (i >= n)
			goto not_code;
		switch (t[i]) {
		case ' ':
			i++;
			continue;
		case ']':
			if (p->depth != base)
				goto not_code;
			i++;
			goto done;
		case '(':
			if (list_open(p, base) != 0)
				return -1;
			i++;
			continue;
		case ')':
			if (p->depth == base)
				goto not_code;
			if (list_close(p) != 0)
				return -1;
			i++;
			continue;
		case '"':
			buf_reset(&p->lit);
			for (i++; i < n && t[i] != '"'; i++) {
				if (t[i] == '\\' && i + 1 < n && (t[i + 1] == '\\' || t[i + 1] == '"'))
					i++;
				if (buf_addc(&p->lit, t[i]) != 0)
					goto not_code;
			}
			if (i >= n)
				goto not_code;
			i++;
			if (push_str(p, IMAP_ARG_STRING, buf_ptr(&p->lit), buf_len(&p->lit)) != 0)
				return -1;
			buf_free(&p->lit);
			continue;
		default:
			start = i;
			while (i < n && t[i] != ' ' && t[i] != '(' && t[i] != ')' && t[i] != ']')
				i++;
			if (is_nil(t + start, i - start)) {
				if (push_str(p, IMAP_ARG_NIL, t + start, 3) != 0)
					return -1;
			} else if (push_str(p, IMAP_ARG_ATOM, t + start, i - start) != 0)
				return -1;
			continue;
		}
	}
done:
	code = level_finish(p, base, &count);
	p->depth = base - 1;
	if (count == 0 || code[0].type != IMAP_ARG_ATOM) {
		p->nargs = nargs;
		return 1;
	}
	p->resp.code = code;
	p->resp.code_count = count;
	*end_r = i;
	return 0;

not_code:
	p->depth = base - 1;
	p->nargs = nargs;
	buf_free(&p->lit);
	return 1;
}

static int
response_finish(struct imap_parser *p)
{
	if (p->depth != 0) {
		fail(p, "line ended inside a list (%zu left open)", p->depth);
		return -1;
	}
	if (p->resp.kind != IMAP_RESP_CONTINUATION && p->levels[0].count == 0) {
		fail(p, "%s response without data",
		    p->resp.kind == IMAP_RESP_TAGGED ? "tagged" : "untagged");
		return -1;
	}
	if (p->status && p->resp.text == NULL)
		p->resp.text = "";
	p->resp.args = level_finish(p, 0, &p->resp.count);
	p->returned = true;
	p->state = ST_START;
	return 1;
}

/* The resp-text (or continuation text) in tok is complete. */
static int
text_finish(struct imap_parser *p)
{
	const char *t = buf_ptr(&p->tok);
	size_t n = buf_len(&p->tok), i = 0, end;
	int r;

	if (p->resp.kind != IMAP_RESP_CONTINUATION) {
		while (i < n && t[i] == ' ')
			i++;
		if (i < n && t[i] == '[') {
			if ((r = parse_code(p, t, n, i + 1, &end)) == -1)
				return -1;
			if (r == 0)
				for (i = end; i < n && t[i] == ' '; i++)
					;
		}
	}
	p->resp.text = arena_strndup(p, t + i, n - i);
	p->resp.text_len = n - i;
	buf_reset(&p->tok);
	return response_finish(p);
}

static int
literal_done(struct imap_parser *p)
{
	struct imap_arg *a;
	size_t len = buf_len(&p->lit);
	char *data;

	if ((a = push_arg(p, IMAP_ARG_LITERAL)) == NULL)
		return -1;
	data = buf_detach(&p->lit);
	arena_adopt(p, data, len + 1);
	a->u.str = data;
	a->len = len;
	a->literal8 = p->lit8;
	p->line_len = 0;
	p->state = ST_AFTER_STRING;
	return 0;
}

static int
literal_size_end(struct imap_parser *p)
{
	char limit[32];

	if (p->lit_digits == 0) {
		fail(p, "literal without a size");
		return -1;
	}
	if (p->lit_size > p->lim.literal_max) {
		format_size(limit, sizeof limit, p->lim.literal_max);
		fail(p, "literal of %llu bytes exceeds the %s limit",
		    (unsigned long long)p->lit_size, limit);
		return -1;
	}
	if (p->lit_size > p->lim.response_max - p->resp_len) {
		format_size(limit, sizeof limit, p->lim.response_max);
		fail(p, "response larger than the %s limit", limit);
		return -1;
	}
	p->state = ST_LIT_CR;
	return 0;
}

static int
literal_start(struct imap_parser *p)
{
	buf_free(&p->lit);
	p->lit_left = p->lit_size;
	if (p->lit_left == 0)
		return literal_done(p);
	p->state = ST_LIT_DATA;
	return 0;
}

/* A byte of a quoted string (RFC 3501 §9 quoted). Only \\ and \" are
 * escapes; any other backslash is kept as it was sent. */
static int
quoted_add(struct imap_parser *p, unsigned char c, bool escaped)
{
	if (c == '\r' || c == '\n') {
		fail(p, "quoted string not closed before the line end");
		return -1;
	}
	if (escaped && c != '\\' && c != '"')
		buf_addc(&p->tok, '\\');
	if (buf_addc(&p->tok, (char)c) != 0) {
		fail(p, "quoted string too long");
		return -1;
	}
	return 0;
}

/* One byte of the response. Returns 1 when a response is complete, 0 to
 * go on, -1 on an error. */
static int
step(struct imap_parser *p, unsigned char c)
{
	unsigned d;

again:
	switch (p->state) {
	case ST_START:
		if (c == '\r' || c == '\n') {
			/* Empty lines between responses are skipped. */
			p->line_len = 0;
			p->resp_len = 0;
			return 0;
		}
		if (c == '*') {
			p->resp.kind = IMAP_RESP_UNTAGGED;
			p->state = ST_STAR;
		} else if (c == '+') {
			p->resp.kind = IMAP_RESP_CONTINUATION;
			p->state = ST_PLUS;
		} else if (c == ' ') {
			fail(p, "response starts with a space");
			return -1;
		} else {
			p->resp.kind = IMAP_RESP_TAGGED;
			buf_addc(&p->tok, (char)c);
			p->state = ST_TAG;
		}
		return 0;
	case ST_TAG:
		if (c == ' ') {
			p->resp.tag = arena_strndup(p, buf_ptr(&p->tok), buf_len(&p->tok));
			buf_reset(&p->tok);
			p->state = ST_ARGS;
		} else if (c == '\r' || c == '\n') {
			fail(p, "tagged response without a status");
			return -1;
		} else if (buf_addc(&p->tok, (char)c) != 0) {
			fail(p, "tag too long");
			return -1;
		}
		return 0;
	case ST_STAR:
		if (c != ' ') {
			fail(p, "expected a space after '*'");
			return -1;
		}
		p->state = ST_ARGS;
		return 0;
	case ST_PLUS:
		/* RFC 3501 §7.5: "+" SP text; some servers send a bare "+". */
		p->state = ST_TEXT;
		if (c == ' ')
			return 0;
		goto again;
	case ST_ARGS:
		switch (c) {
		case ' ':
			return 0;
		case '\r':
			p->state = ST_LF;
			return 0;
		case '\n':
			return response_finish(p);
		case '(':
			return list_open(p, 0);
		case ')':
			if (p->depth == 0) {
				fail(p, "unexpected ')'");
				return -1;
			}
			return list_close(p);
		case '"':
			buf_reset(&p->tok);
			p->state = ST_QUOTED;
			return 0;
		case '{':
			p->lit8 = false;
			p->lit_size = 0;
			p->lit_digits = 0;
			p->state = ST_LIT_SIZE;
			return 0;
		case '~':
			p->state = ST_TILDE;
			return 0;
		default:
			buf_reset(&p->tok);
			p->in_section = false;
			p->state = ST_ATOM;
			goto again;
		}
	case ST_TILDE:
		if (c == '{') {
			p->lit8 = true;
			p->lit_size = 0;
			p->lit_digits = 0;
			p->state = ST_LIT_SIZE;
			return 0;
		}
		buf_reset(&p->tok);
		buf_addc(&p->tok, '~');
		p->in_section = false;
		p->state = ST_ATOM;
		goto again;
	case ST_ATOM:
		if (c == '\r' || c == '\n' ||
		    (!p->in_section && (c == ' ' || c == '(' || c == ')'))) {
			if (atom_end(p) != 0)
				return -1;
			if (p->status) {
				/* resp-text follows the status word. */
				p->state = ST_TEXT;
				if (c == ' ')
					return 0;
				goto again;
			}
			p->state = ST_ARGS;
			goto again;
		}
		/* A FETCH section spec ("BODY[HEADER.FIELDS (A B)]") keeps
		 * its spaces and parentheses in the atom. */
		if (c == '[')
			p->in_section = true;
		else if (c == ']')
			p->in_section = false;
		if (buf_addc(&p->tok, (char)c) != 0) {
			fail(p, "atom too long");
			return -1;
		}
		return 0;
	case ST_QUOTED:
		if (c == '"') {
			if (push_str(p, IMAP_ARG_STRING, buf_ptr(&p->tok), buf_len(&p->tok)) != 0)
				return -1;
			buf_reset(&p->tok);
			p->state = ST_AFTER_STRING;
			return 0;
		}
		if (c == '\\') {
			p->state = ST_QUOTED_ESC;
			return 0;
		}
		return quoted_add(p, c, false);
	case ST_QUOTED_ESC:
		p->state = ST_QUOTED;
		return quoted_add(p, c, true);
	case ST_LIT_SIZE:
		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
			if (++p->lit_digits > LITERAL_DIGITS_MAX ||
			    p->lit_size > (UINT64_MAX - d) / 10) {
				fail(p, "literal size does not fit in 64 bits");
				return -1;
			}
			p->lit_size = p->lit_size * 10 + d;
			return 0;
		}
		if (c == '}')
			return literal_size_end(p);
		fail(p, "expected a digit or '}' in a literal size");
		return -1;
	case ST_LIT_CR:
		if (c == '\r') {
			p->state = ST_LIT_LF;
			return 0;
		}
		if (c == '\n')
			return literal_start(p);
		fail(p, "expected CRLF after a literal size");
		return -1;
	case ST_LIT_LF:
		if (c == '\n')
			return literal_start(p);
		fail(p, "expected CRLF after a literal size");
		return -1;
	case ST_LIT_DATA:
		/* Handled in bulk by imap_parser_next(). */
		abort();
	case ST_AFTER_STRING:
		if (c == ' ' || c == ')' || c == '\r' || c == '\n') {
			p->state = ST_ARGS;
			goto again;
		}
		fail(p, "expected a space, ')' or CRLF after a string or literal");
		return -1;
	case ST_LF:
		if (c == '\n')
			return response_finish(p);
		fail(p, "expected LF after CR");
		return -1;
	case ST_TEXT:
		if (c == '\r') {
			p->state = ST_TEXT_LF;
			return 0;
		}
		if (c == '\n')
			return text_finish(p);
		buf_addc(&p->tok, (char)c);
		return 0;
	case ST_TEXT_LF:
		if (c == '\n')
			return text_finish(p);
		fail(p, "expected LF after CR");
		return -1;
	}
	abort();
}

int
imap_parser_next(struct imap_parser *p, const struct imap_response **resp_r)
{
	const unsigned char *data;
	size_t avail, n;
	char limit[32];
	int r;

	if (p->failed)
		return -1;
	if (p->returned)
		response_reset(p);
	data = (const unsigned char *)buf_ptr(&p->in);
	while (p->in_pos < buf_len(&p->in)) {
		avail = buf_len(&p->in) - p->in_pos;
		if (p->state == ST_LIT_DATA) {
			/* Literal bytes are copied, never looked at. */
			n = avail < p->lit_left ? avail : (size_t)p->lit_left;
			if (buf_add(&p->lit, data + p->in_pos, n) != 0) {
				fail(p, "literal larger than announced");
				p->failed = true;
				return -1;
			}
			p->in_pos += n;
			p->resp_len += n;
			p->lit_left -= n;
			if (p->lit_left == 0 && literal_done(p) != 0) {
				p->failed = true;
				return -1;
			}
			continue;
		}
		if (data[p->in_pos] == '\0') {
			fail(p, "NUL byte in a response line");
			p->failed = true;
			return -1;
		}
		if (++p->line_len > p->lim.line_max) {
			fail(p, "line longer than %zu bytes", p->lim.line_max);
			p->failed = true;
			return -1;
		}
		if (++p->resp_len > p->lim.response_max) {
			format_size(limit, sizeof limit, p->lim.response_max);
			fail(p, "response larger than the %s limit", limit);
			p->failed = true;
			return -1;
		}
		r = step(p, data[p->in_pos++]);
		if (r == -1) {
			p->failed = true;
			return -1;
		}
		if (r == 1) {
			*resp_r = &p->resp;
			return 1;
		}
	}
	buf_reset(&p->in);
	p->in_pos = 0;
	return 0;
}

bool
imap_arg_get_atom(const struct imap_arg *arg, const char **atom_r)
{
	if (arg->type != IMAP_ARG_ATOM)
		return false;
	*atom_r = arg->u.str;
	return true;
}

bool
imap_arg_get_string(const struct imap_arg *arg, const char **str_r, size_t *len_r)
{
	if (arg->type != IMAP_ARG_STRING && arg->type != IMAP_ARG_LITERAL)
		return false;
	*str_r = arg->u.str;
	if (len_r != NULL)
		*len_r = arg->len;
	return true;
}

bool
imap_arg_get_astring(const struct imap_arg *arg, const char **str_r, size_t *len_r)
{
	if (arg->type == IMAP_ARG_LIST)
		return false;
	*str_r = arg->u.str;
	if (len_r != NULL)
		*len_r = arg->len;
	return true;
}

bool
imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r, size_t *len_r)
{
	if (arg->type == IMAP_ARG_NIL) {
		*str_r = NULL;
		if (len_r != NULL)
			*len_r = 0;
		return true;
	}
	return imap_arg_get_string(arg, str_r, len_r);
}

bool
imap_arg_get_list(const struct imap_arg *arg, const struct imap_arg **list_r,
    size_t *count_r)
{
	if (arg->type != IMAP_ARG_LIST)
		return false;
	*list_r = arg->u.list;
	*count_r = arg->len;
	return true;
}

bool
imap_arg_get_number(const struct imap_arg *arg, uint64_t *n_r)
{
	if (arg->type != IMAP_ARG_ATOM)
		return false;
	return str_to_u64(arg->u.str, UINT64_MAX, n_r) == 0;
}

bool
imap_arg_is_nil(const struct imap_arg *arg)
{
	return arg->type == IMAP_ARG_NIL;
}

bool
imap_arg_atom_equals(const struct imap_arg *arg, const char *s)
{
	return arg->type == IMAP_ARG_ATOM && str_caseeq(arg->u.str, s);
}
