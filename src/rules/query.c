/* The query language's parser: text to a tree, or one error with its
 * column. A recursive descent over the bytes, no tokens kept: every
 * construct is decided by its first byte or word, so the parse is one
 * pass and O(n). Recursion happens only through parentheses and NOT,
 * which QUERY_MAX_DEPTH bounds, so no input can exhaust the stack. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/query.h"

static const char *const query_field_names[QUERY_F_COUNT] = {
	[QUERY_F_TEXT] = "text",
	[QUERY_F_FROM] = "from",
	[QUERY_F_TO] = "to",
	[QUERY_F_CC] = "cc",
	[QUERY_F_SUBJECT] = "subject",
	[QUERY_F_BODY] = "body",
	[QUERY_F_LIST] = "list",
	[QUERY_F_LABEL] = "label",
	[QUERY_F_STATUS] = "status",
	[QUERY_F_ASSIGN] = "assign",
	[QUERY_F_TICKET] = "ticket",
	[QUERY_F_IS] = "is",
	[QUERY_F_HAS] = "has",
	[QUERY_F_BEFORE] = "before",
	[QUERY_F_AFTER] = "after",
	[QUERY_F_LARGER] = "larger",
	[QUERY_F_SMALLER] = "smaller",
};

#define QUERY_FIELD_LIST "from: to: cc: subject: body: list: label: status: " \
	"assign: ticket: is: has: before: after: larger: smaller:"

/* is: values; the first name of each is the canonical one. */
static const struct {
	const char *name;
	enum query_is is;
} query_is_names[] = {
	{ "unread", QUERY_IS_UNREAD },
	{ "read", QUERY_IS_READ },
	{ "flagged", QUERY_IS_FLAGGED },
	{ "unflagged", QUERY_IS_UNFLAGGED },
	{ "answered", QUERY_IS_ANSWERED },
	{ "unanswered", QUERY_IS_UNANSWERED },
	{ "draft", QUERY_IS_DRAFT },
	{ "unseen", QUERY_IS_UNREAD },
	{ "new", QUERY_IS_UNREAD },
	{ "seen", QUERY_IS_READ },
	{ "starred", QUERY_IS_FLAGGED },
	{ "replied", QUERY_IS_ANSWERED },
};
#define QUERY_IS_CANONICAL 7	/* the first seven names above */

struct query_parser {
	const char *s;
	size_t len, pos;
	unsigned depth;
	unsigned nnodes;
	struct query_error *err;
	bool failed;
};

/* What starts at the current position (after blanks). */
enum query_tok {
	QTOK_END,
	QTOK_LPAREN,
	QTOK_RPAREN,
	QTOK_OR,
	QTOK_AND,
	QTOK_NOT,		/* the word NOT */
	QTOK_MINUS,		/* '-' at the start of a word */
	QTOK_TERM,		/* a word or a quoted phrase */
};

static bool
query_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where a word ends: blanks, parentheses and quotes delimit words. */
static bool
query_is_delim(unsigned char c)
{
	return query_is_blank(c) || c == '(' || c == ')' || c == '"';
}

static bool
query_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
query_fail(struct query_parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error only: later ones are consequences of it. */
static void
query_fail(struct query_parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->err->col = (unsigned)pos + 1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

static size_t
query_word_end(const struct query_parser *p, size_t pos)
{
	while (pos < p->len && !query_is_delim((unsigned char)p->s[pos]))
		pos++;
	return pos;
}

static bool
query_word_is(const struct query_parser *p, size_t pos, size_t end, const char *w)
{
	size_t n = strlen(w);

	return end - pos == n && memcmp(p->s + pos, w, n) == 0;
}

static void
query_skip_blanks(struct query_parser *p)
{
	while (p->pos < p->len && query_is_blank((unsigned char)p->s[p->pos]))
		p->pos++;
}

/* Classifies what comes next without consuming it (blanks are). */
static enum query_tok
query_peek(struct query_parser *p)
{
	size_t end;

	query_skip_blanks(p);
	if (p->pos >= p->len)
		return QTOK_END;
	switch (p->s[p->pos]) {
	case '(':
		return QTOK_LPAREN;
	case ')':
		return QTOK_RPAREN;
	case '"':
		return QTOK_TERM;
	case '-':
		return QTOK_MINUS;
	}
	end = query_word_end(p, p->pos);
	/* Only upper case: "or" is a word, as on Gmail. */
	if (query_word_is(p, p->pos, end, "OR"))
		return QTOK_OR;
	if (query_word_is(p, p->pos, end, "AND"))
		return QTOK_AND;
	if (query_word_is(p, p->pos, end, "NOT"))
		return QTOK_NOT;
	return QTOK_TERM;
}

static bool
query_tok_starts_unary(enum query_tok t)
{
	return t == QTOK_LPAREN || t == QTOK_NOT || t == QTOK_MINUS || t == QTOK_TERM;
}

static void
query_node_free(struct query_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		query_node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

void
query_free(struct query_node **q)
{
	query_node_free(*q);
	*q = NULL;
}

static struct query_node *
query_node_new(struct query_parser *p, enum query_kind kind, size_t pos)
{
	struct query_node *n;

	if (p->nnodes >= QUERY_MAX_NODES) {
		query_fail(p, pos, "too many terms (at most %d)", QUERY_MAX_NODES);
		return NULL;
	}
	p->nnodes++;
	n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->col = (unsigned)pos + 1;
	n->slot = -1;
	return n;
}

/* A growing list of kids for AND and OR. */
struct query_kids {
	struct query_node **v;
	size_t n, cap;
};

static void
query_kids_add(struct query_kids *k, struct query_node *n)
{
	if (k->n == k->cap) {
		k->cap = k->cap == 0 ? 4 : k->cap * 2;
		k->v = xreallocarray(k->v, k->cap, sizeof(*k->v));
	}
	k->v[k->n++] = n;
}

/* Adds kid to an AND or OR list, splicing in the kids of a kid of the
 * same kind: (a b) c is a b c. The spliced node no longer counts
 * against the node limit, so the limit applies to the tree that is
 * returned, and its canonical form parses within the limit too. */
static void
query_kids_add_flat(struct query_parser *p, struct query_kids *k,
    enum query_kind kind, struct query_node *kid)
{
	size_t i;

	if (kid->kind != kind) {
		query_kids_add(k, kid);
		return;
	}
	for (i = 0; i < kid->nkids; i++)
		query_kids_add(k, kid->kids[i]);
	free(kid->kids);
	free(kid->text);
	free(kid);
	p->nnodes--;
}

static void
query_kids_free(struct query_kids *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		query_node_free(k->v[i]);
	free(k->v);
}

/* One node for the list: the kid itself when there is one. */
static struct query_node *
query_kids_finish(struct query_parser *p, struct query_kids *k,
    enum query_kind kind, size_t pos)
{
	struct query_node *n;

	if (k->n == 1) {
		n = k->v[0];
		free(k->v);
		return n;
	}
	n = query_node_new(p, kind, pos);
	if (n == NULL) {
		query_kids_free(k);
		return NULL;
	}
	n->kids = k->v;
	n->nkids = k->n;
	return n;
}

/* Checks that s[pos..end) is UTF-8 text a term can hold: well-formed
 * (no overlong forms, surrogates or values past U+10FFFF) and free of
 * control characters, C1 included, which no header shows and a
 * terminal must not be sent. */
static bool
query_check_text(struct query_parser *p, size_t pos, size_t end)
{
	const unsigned char *s = (const unsigned char *)p->s;

	while (pos < end) {
		unsigned char c = s[pos];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				query_fail(p, pos, "control character in the query");
				return false;
			}
			pos++;
			continue;
		}
		if ((n = str_utf8_decode(s + pos, end - pos, &cp)) == 0) {
			query_fail(p, pos, "invalid UTF-8");
			return false;
		}
		if (cp >= 0x80 && cp <= 0x9f) {
			query_fail(p, pos, "control character in the query");
			return false;
		}
		pos += n;
	}
	return true;
}

/* A quoted phrase at p->pos (on the '"'): \" and \\ are escapes, any
 * other backslash is itself. Returns the unescaped text (a new string,
 * possibly empty) and moves past the closing quote; NULL on error. */
static char *
query_parse_quoted(struct query_parser *p)
{
	size_t start = p->pos, i = p->pos + 1;
	struct buf b;

	while (i < p->len && p->s[i] != '"') {
		if (p->s[i] == '\\' && i + 1 < p->len &&
		    (p->s[i + 1] == '"' || p->s[i + 1] == '\\'))
			i++;
		i++;
	}
	if (i >= p->len) {
		query_fail(p, start, "unterminated quote");
		return NULL;
	}
	/* Escapes are ASCII, so checking the raw bytes checks the text,
	 * and the column points into what the user typed. */
	if (!query_check_text(p, start + 1, i))
		return NULL;
	buf_init(&b, QUERY_MAX_LEN + 1);
	for (i = start + 1; p->s[i] != '"'; i++) {
		if (p->s[i] == '\\' && (p->s[i + 1] == '"' || p->s[i + 1] == '\\'))
			i++;
		(void)buf_addc(&b, p->s[i]);
	}
	p->pos = i + 1;
	return buf_detach(&b);
}

static int
query_field_lookup(const char *s, size_t len)
{
	size_t i, j;

	for (i = QUERY_F_TEXT + 1; i < QUERY_F_COUNT; i++) {
		const char *name = query_field_names[i];

		if (strlen(name) != len)
			continue;
		for (j = 0; j < len; j++) {
			char c = s[j];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != name[j])
				break;
		}
		if (j == len)
			return (int)i;
	}
	return -1;
}

static bool
query_days_valid(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap ? 1 : 0);
}

static int
query_digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD or YYYY/MM/DD, a day that exists, years 1900 to 9999 (what
 * IMAP's date-year and mktime both handle). */
static bool
query_parse_date(struct query_parser *p, const char *v, size_t n, size_t pos,
    struct query_date *d)
{
	int y, m, day;

	if (n != 10 || (v[4] != '-' && v[4] != '/') || v[7] != v[4] ||
	    (y = query_digits(v, 4)) < 0 || (m = query_digits(v + 5, 2)) < 0 ||
	    (day = query_digits(v + 8, 2)) < 0) {
		query_fail(p, pos, "expected a date YYYY-MM-DD");
		return false;
	}
	if (y < 1900) {
		query_fail(p, pos, "the year must be 1900 or later");
		return false;
	}
	if (!query_days_valid(y, m, day)) {
		query_fail(p, pos, "no such day %.10s", v);
		return false;
	}
	d->year = y;
	d->month = m;
	d->day = day;
	return true;
}

/* Digits with an optional k, M or G (1024-based). */
static bool
query_parse_size(struct query_parser *p, const char *v, size_t n, size_t pos,
    uint64_t *num_r)
{
	uint64_t num = 0, mult = 1;
	size_t i, ndig = n;

	if (n > 0) {
		switch (v[n - 1]) {
		case 'k': case 'K':
			mult = 1024;
			break;
		case 'm': case 'M':
			mult = 1024 * 1024;
			break;
		case 'g': case 'G':
			mult = 1024 * 1024 * 1024;
			break;
		}
		if (mult != 1)
			ndig--;
	}
	if (ndig == 0) {
		query_fail(p, pos, "expected a size like 10k or 2M");
		return false;
	}
	for (i = 0; i < ndig; i++) {
		if (v[i] < '0' || v[i] > '9') {
			query_fail(p, pos, "expected a size like 10k or 2M");
			return false;
		}
		if (num > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10) {
			query_fail(p, pos, "size too large");
			return false;
		}
		num = num * 10 + (uint64_t)(v[i] - '0');
	}
	if (num > UINT64_MAX / mult) {
		query_fail(p, pos, "size too large");
		return false;
	}
	*num_r = num * mult;
	return true;
}

static void
query_ascii_lower(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

/* Turns a field's value (a new string, taken over) into the term's
 * contents. pos is where the value starts, for errors. */
static bool
query_set_value(struct query_parser *p, struct query_node *n, char *v, size_t pos)
{
	size_t len = strlen(v), i;

	switch (n->field) {
	case QUERY_F_IS:
		for (i = 0; i < sizeof(query_is_names) / sizeof(query_is_names[0]); i++) {
			if (str_caseeq(v, query_is_names[i].name)) {
				n->num = query_is_names[i].is;
				free(v);
				return true;
			}
		}
		query_fail(p, pos, "unknown is: value '%.20s' (is:unread, is:read, "
		    "is:flagged, is:unflagged, is:answered, is:unanswered, is:draft)", v);
		break;
	case QUERY_F_HAS:
		if (str_caseeq(v, "attachment") || str_caseeq(v, "attachments")) {
			free(v);
			return true;
		}
		query_fail(p, pos, "unknown has: value '%.20s' (has:attachment)", v);
		break;
	case QUERY_F_STATUS:
		query_ascii_lower(v);
		if (strcmp(v, "open") == 0 || strcmp(v, "pending") == 0 ||
		    strcmp(v, "done") == 0) {
			n->text = v;
			return true;
		}
		query_fail(p, pos, "unknown status: value '%.20s' (status:open, "
		    "status:pending, status:done)", v);
		break;
	case QUERY_F_TICKET:
		for (i = 0; i < len; i++) {
			if (query_is_alpha((unsigned char)v[i]))
				v[i] = (char)(v[i] & ~0x20);
			else if (v[i] < '0' || v[i] > '9')
				break;
		}
		if (i == len) {
			n->text = v;
			return true;
		}
		query_fail(p, pos, "a ticket is letters and digits");
		break;
	case QUERY_F_BEFORE:
	case QUERY_F_AFTER:
		if (query_parse_date(p, v, len, pos, &n->date)) {
			free(v);
			return true;
		}
		break;
	case QUERY_F_LARGER:
	case QUERY_F_SMALLER:
		if (query_parse_size(p, v, len, pos, &n->num)) {
			free(v);
			return true;
		}
		break;
	case QUERY_F_ASSIGN:
		if (str_caseeq(v, "none") || str_caseeq(v, "me"))
			query_ascii_lower(v);
		n->text = v;
		return true;
	default:
		n->text = v;
		return true;
	}
	free(v);
	return false;
}

/* A term at p->pos: a quoted phrase, FIELD:value or a bare word. */
static struct query_node *
query_parse_term(struct query_parser *p)
{
	size_t start = p->pos, end, i, vpos;
	struct query_node *n;
	char *v;
	int field;

	if (p->s[start] == '"') {
		v = query_parse_quoted(p);
		if (v == NULL)
			return NULL;
		if (*v == '\0') {
			free(v);
			query_fail(p, start, "empty phrase");
			return NULL;
		}
		n = query_node_new(p, QUERY_TERM, start);
		if (n == NULL) {
			free(v);
			return NULL;
		}
		n->field = QUERY_F_TEXT;
		n->text = v;
		return n;
	}

	end = query_word_end(p, start);
	for (i = start; i < end && query_is_alpha((unsigned char)p->s[i]); i++)
		;
	if (i == start || i == end || p->s[i] != ':') {
		/* A plain word. */
		if (!query_check_text(p, start, end))
			return NULL;
		n = query_node_new(p, QUERY_TERM, start);
		if (n == NULL)
			return NULL;
		n->field = QUERY_F_TEXT;
		n->text = xstrndup(p->s + start, end - start);
		p->pos = end;
		return n;
	}

	field = query_field_lookup(p->s + start, i - start);
	if (field < 0) {
		query_fail(p, start, "unknown field '%.*s:' (fields: " QUERY_FIELD_LIST ")",
		    (int)(i - start < 20 ? i - start : 20), p->s + start);
		return NULL;
	}
	vpos = i + 1;
	if (vpos < p->len && p->s[vpos] == '"') {
		p->pos = vpos;
		v = query_parse_quoted(p);
		if (v == NULL)
			return NULL;
		vpos++;
	} else {
		if (vpos == end) {
			v = NULL;
		} else {
			if (!query_check_text(p, vpos, end))
				return NULL;
			v = xstrndup(p->s + vpos, end - vpos);
		}
		p->pos = end;
	}
	if (v == NULL || *v == '\0') {
		free(v);
		query_fail(p, start, "%s: needs a value", query_field_names[field]);
		return NULL;
	}
	n = query_node_new(p, QUERY_TERM, start);
	if (n == NULL) {
		free(v);
		return NULL;
	}
	n->field = (enum query_field)field;
	if (!query_set_value(p, n, v, vpos)) {
		query_node_free(n);
		return NULL;
	}
	return n;
}

static struct query_node *query_parse_or(struct query_parser *p);

/* Entering a parenthesis or a negation. */
static bool
query_descend(struct query_parser *p, size_t pos)
{
	if (p->depth >= QUERY_MAX_DEPTH) {
		query_fail(p, pos, "query nested too deeply (at most %d levels)",
		    QUERY_MAX_DEPTH);
		return false;
	}
	p->depth++;
	return true;
}

static struct query_node *
query_parse_unary(struct query_parser *p)
{
	enum query_tok t = query_peek(p);
	size_t start = p->pos;
	struct query_node *n, *kid;

	switch (t) {
	case QTOK_MINUS:
	case QTOK_NOT:
		if (t == QTOK_MINUS) {
			/* Glued to what it negates: "- a" is more likely a
			 * typo than a negation. */
			p->pos++;
			if (p->pos >= p->len || query_is_blank((unsigned char)p->s[p->pos]) ||
			    !query_tok_starts_unary(query_peek(p))) {
				query_fail(p, start, "'-' must be followed by a term");
				return NULL;
			}
		} else {
			p->pos += 3;
			if (!query_tok_starts_unary(query_peek(p))) {
				query_fail(p, start, "NOT must be followed by a term");
				return NULL;
			}
		}
		if (!query_descend(p, start))
			return NULL;
		kid = query_parse_unary(p);
		p->depth--;
		if (kid == NULL)
			return NULL;
		n = query_node_new(p, QUERY_NOT, start);
		if (n == NULL) {
			query_node_free(kid);
			return NULL;
		}
		n->kids = xmalloc(sizeof(*n->kids));
		n->kids[0] = kid;
		n->nkids = 1;
		return n;
	case QTOK_LPAREN:
		if (!query_descend(p, start))
			return NULL;
		p->pos++;
		n = query_parse_or(p);
		p->depth--;
		if (n == NULL)
			return NULL;
		if (query_peek(p) != QTOK_RPAREN) {
			query_node_free(n);
			query_fail(p, p->pos, "expected ')'");
			return NULL;
		}
		p->pos++;
		return n;
	case QTOK_TERM:
		return query_parse_term(p);
	default:
		/* The callers peeked. */
		query_fail(p, start, "expected a term");
		return NULL;
	}
}

/* Terms side by side, with an optional AND between them. */
static struct query_node *
query_parse_and(struct query_parser *p)
{
	struct query_kids k = { NULL, 0, 0 };
	enum query_tok t = query_peek(p);
	size_t start = p->pos;
	struct query_node *n;

	if (!query_tok_starts_unary(t)) {
		if (t == QTOK_OR)
			query_fail(p, p->pos, "OR needs a term on each side");
		else if (t == QTOK_AND)
			query_fail(p, p->pos, "AND needs a term on each side");
		else if (t == QTOK_RPAREN && p->depth == 0)
			query_fail(p, p->pos, "unexpected ')'");
		else
			query_fail(p, p->pos, "expected a term");
		return NULL;
	}
	for (;;) {
		n = query_parse_unary(p);
		if (n == NULL) {
			query_kids_free(&k);
			return NULL;
		}
		query_kids_add_flat(p, &k, QUERY_AND, n);
		t = query_peek(p);
		if (t == QTOK_AND) {
			size_t and_pos = p->pos;

			p->pos += 3;
			t = query_peek(p);
			if (!query_tok_starts_unary(t)) {
				query_fail(p, and_pos, "AND needs a term on each side");
				query_kids_free(&k);
				return NULL;
			}
		}
		if (!query_tok_starts_unary(t))
			break;
	}
	return query_kids_finish(p, &k, QUERY_AND, start);
}

static struct query_node *
query_parse_or(struct query_parser *p)
{
	struct query_kids k = { NULL, 0, 0 };
	struct query_node *n;
	size_t start, or_pos;

	query_skip_blanks(p);
	start = p->pos;
	for (;;) {
		n = query_parse_and(p);
		if (n == NULL) {
			query_kids_free(&k);
			return NULL;
		}
		query_kids_add_flat(p, &k, QUERY_OR, n);
		if (query_peek(p) != QTOK_OR)
			break;
		or_pos = p->pos;
		p->pos += 2;
		if (!query_tok_starts_unary(query_peek(p))) {
			query_fail(p, or_pos, "OR needs a term on each side");
			query_kids_free(&k);
			return NULL;
		}
	}
	return query_kids_finish(p, &k, QUERY_OR, start);
}

struct query_node *
query_parse(const char *s, size_t len, struct query_error *err)
{
	struct query_parser p;
	struct query_node *q;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	p.s = s;
	p.len = len;
	p.err = err;
	if (len > QUERY_MAX_LEN) {
		query_fail(&p, QUERY_MAX_LEN, "query too long (at most %d bytes)",
		    QUERY_MAX_LEN);
		return NULL;
	}
	if (query_peek(&p) == QTOK_END) {
		q = query_node_new(&p, QUERY_AND, p.pos);
		q->col = 1;
		return q;
	}
	q = query_parse_or(&p);
	if (q != NULL && query_peek(&p) != QTOK_END) {
		/* parse_or stops only at the end or at a ')' */
		query_fail(&p, p.pos, "unexpected ')'");
		query_free(&q);
	}
	return q;
}

const char *
query_field_name(enum query_field field)
{
	if ((unsigned)field >= QUERY_F_COUNT)
		return "?";
	return query_field_names[field];
}

/* ---- writing back ---- */

static bool
query_is_operator(const char *s)
{
	return strcmp(s, "OR") == 0 || strcmp(s, "AND") == 0 || strcmp(s, "NOT") == 0;
}

/* Whether text must be quoted to read back as the same value: as a
 * bare word (bare) it must also not read as an operator, a negation or
 * a field. */
static bool
query_needs_quotes(const char *s, bool bare)
{
	const char *c;

	if (*s == '\0' || query_is_operator(s))
		return true;
	for (c = s; *c != '\0'; c++) {
		if (query_is_delim((unsigned char)*c))
			return true;
	}
	if (!bare)
		return false;
	if (*s == '-')
		return true;
	for (c = s; query_is_alpha((unsigned char)*c); c++)
		;
	return c != s && *c == ':';
}

static void
query_format_string(struct buf *b, const char *s, bool bare)
{
	if (!query_needs_quotes(s, bare)) {
		(void)buf_addstr(b, s);
		return;
	}
	(void)buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)buf_addc(b, '\\');
		(void)buf_addc(b, *s);
	}
	(void)buf_addc(b, '"');
}

static void
query_format_size(struct buf *b, uint64_t n)
{
	static const char suffix[] = "kMG";
	int i = -1;

	/* The largest unit that divides it: never longer than typed. */
	while (n != 0 && i < 2 && n % 1024 == 0) {
		n /= 1024;
		i++;
	}
	(void)buf_printf(b, "%" PRIu64, n);
	if (i >= 0)
		(void)buf_addc(b, suffix[i]);
}

static void
query_format_term(struct buf *b, const struct query_node *q)
{
	size_t i;

	if (q->field == QUERY_F_TEXT) {
		query_format_string(b, q->text != NULL ? q->text : "", true);
		return;
	}
	(void)buf_printf(b, "%s:", query_field_name(q->field));
	switch (q->field) {
	case QUERY_F_IS:
		for (i = 0; i < QUERY_IS_CANONICAL; i++) {
			if ((uint64_t)query_is_names[i].is == q->num)
				break;
		}
		(void)buf_addstr(b, i < QUERY_IS_CANONICAL ? query_is_names[i].name : "?");
		break;
	case QUERY_F_HAS:
		(void)buf_addstr(b, "attachment");
		break;
	case QUERY_F_BEFORE:
	case QUERY_F_AFTER:
		(void)buf_printf(b, "%04d-%02d-%02d", q->date.year, q->date.month,
		    q->date.day);
		break;
	case QUERY_F_LARGER:
	case QUERY_F_SMALLER:
		query_format_size(b, q->num);
		break;
	default:
		query_format_string(b, q->text != NULL ? q->text : "", false);
		break;
	}
}

static void
query_format_node(struct buf *b, const struct query_node *q, bool top)
{
	size_t i;

	switch (q->kind) {
	case QUERY_TERM:
		query_format_term(b, q);
		break;
	case QUERY_NOT:
		(void)buf_addc(b, '-');
		if (q->nkids == 0)
			break;
		if (q->kids[0]->kind == QUERY_TERM || q->kids[0]->kind == QUERY_NOT) {
			query_format_node(b, q->kids[0], false);
		} else {
			(void)buf_addc(b, '(');
			query_format_node(b, q->kids[0], true);
			(void)buf_addc(b, ')');
		}
		break;
	case QUERY_AND:
		if (q->nkids == 0 && !top)
			(void)buf_addstr(b, "()");
		for (i = 0; i < q->nkids; i++) {
			const struct query_node *k = q->kids[i];
			bool paren = k->kind == QUERY_OR || k->kind == QUERY_AND;

			if (i > 0)
				(void)buf_addc(b, ' ');
			if (paren)
				(void)buf_addc(b, '(');
			query_format_node(b, k, true);
			if (paren)
				(void)buf_addc(b, ')');
		}
		break;
	case QUERY_OR:
		for (i = 0; i < q->nkids; i++) {
			const struct query_node *k = q->kids[i];
			/* AND binds tighter: a b OR c needs none. */
			bool paren = k->kind == QUERY_OR ||
			    (k->kind == QUERY_AND && k->nkids == 0);

			if (i > 0)
				(void)buf_addstr(b, " OR ");
			if (paren)
				(void)buf_addc(b, '(');
			query_format_node(b, k, true);
			if (paren)
				(void)buf_addc(b, ')');
		}
		break;
	}
}

char *
query_format(const struct query_node *q)
{
	struct buf b;

	/* Bounded by the tree, which the parser bounded; the maximum is
	 * only a backstop against a hand-built monster. */
	buf_init(&b, (size_t)64 * 1024 * 1024);
	query_format_node(&b, q, true);
	return buf_detach(&b);
}
