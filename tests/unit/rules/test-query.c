/* The query parser: what it accepts (through its canonical form, which
 * must read back the same), the tree it builds, and each error with its
 * column and message, including the limits. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "rules/query.h"
#include "tap.h"

#define FIELDS "(fields: from: to: cc: subject: body: list: label: status: " \
	"assign: ticket: is: has: before: after: larger: smaller:)"

static const struct {
	const char *in;
	const char *out;
} accepted[] = {
	{ "", "" },
	{ "   \t ", "" },
	{ "foo", "foo" },
	{ "  foo  bar ", "foo bar" },
	{ "foo AND bar", "foo bar" },
	{ "foo OR bar", "foo OR bar" },
	/* OR binds looser than juxtaposition */
	{ "a b OR c", "a b OR c" },
	{ "a OR b c", "a OR b c" },
	{ "(a OR b) c", "(a OR b) c" },
	{ "a (b OR c)", "a (b OR c)" },
	{ "a AND (b OR c) AND -d", "a (b OR c) -d" },
	{ "((a))", "a" },
	{ "(a b) c", "a b c" },
	{ "a (b (c d))", "a b c d" },
	{ "a OR (b OR c)", "a OR b OR c" },
	{ "(a OR b) OR (c d)", "a OR b OR c d" },
	{ "(a OR b)(c OR d)", "(a OR b) (c OR d)" },
	{ "a(b)", "a b" },
	{ "a\tb\nc\r\nd", "a b c d" },
	/* negation */
	{ "-a", "-a" },
	{ "NOT a", "-a" },
	{ "NOT(a b)", "-(a b)" },
	{ "-(a OR b)", "-(a OR b)" },
	{ "-(a)", "-a" },
	{ "--a", "--a" },
	{ "NOT -a", "--a" },
	{ "NOT NOT a", "--a" },
	{ "-(-a)", "--a" },
	{ "-\"a b\"", "-\"a b\"" },
	{ "-from:bob is:unread OR label:x", "-from:bob is:unread OR label:x" },
	{ "x-y", "x-y" },
	/* lower-case operators are words, as on Gmail */
	{ "or and not", "or and not" },
	{ "Or AnD", "Or AnD" },
	/* phrases */
	{ "\"plain\"", "plain" },
	{ "\"two words\"", "\"two words\"" },
	{ "\"OR\"", "\"OR\"" },
	{ "\"NOT\" \"AND\"", "\"NOT\" \"AND\"" },
	{ "\"-x\"", "\"-x\"" },
	{ "\"a:b\"", "\"a:b\"" },
	{ "\"(x)\"", "\"(x)\"" },
	{ "\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\"" },
	{ "\"back\\\\slash now\"", "\"back\\\\slash now\"" },
	{ "\"a\\b\"", "a\\b" },
	{ "a\\b", "a\\b" },
	{ "\"x\"y", "x y" },
	{ "10:30", "10:30" },
	{ "a1:b", "a1:b" },
	{ "Ångström \"Éric Dupont\"", "Ångström \"Éric Dupont\"" },
	/* fields */
	{ "FROM:Bob", "from:Bob" },
	{ "From:\"Bob Smith\"", "from:\"Bob Smith\"" },
	{ "from:a:b", "from:a:b" },
	{ "from:-x", "from:-x" },
	{ "from:OR", "from:\"OR\"" },
	{ "from:\"OR\"", "from:\"OR\"" },
	{ "from:\"x\"", "from:x" },
	{ "from:abc\"def\"", "from:abc def" },
	{ "from:\"a b\"c", "from:\"a b\" c" },
	{ "to:alice cc:carol", "to:alice cc:carol" },
	{ "subject:hello body:world list:dev.lists.example.org",
	  "subject:hello body:world list:dev.lists.example.org" },
	{ "label:Work", "label:Work" },
	{ "LABEL:\"Zürich 2024\"", "label:\"Zürich 2024\"" },
	{ "status:Pending status:OPEN status:done",
	  "status:pending status:open status:done" },
	{ "assign:Bob assign:ME assign:None assign:Nobody",
	  "assign:Bob assign:me assign:none assign:Nobody" },
	{ "ticket:t3hlcn", "ticket:T3HLCN" },
	{ "is:unread is:unseen is:NEW is:read is:seen is:flagged is:starred",
	  "is:unread is:unread is:unread is:read is:read is:flagged is:flagged" },
	{ "is:unflagged is:answered is:Replied is:unanswered is:draft",
	  "is:unflagged is:answered is:answered is:unanswered is:draft" },
	{ "has:attachment has:Attachments", "has:attachment has:attachment" },
	{ "before:2024-02-29", "before:2024-02-29" },
	{ "after:2024/01/05", "after:2024-01-05" },
	{ "before:2000-02-29 after:1900-01-01 before:9999-12-31",
	  "before:2000-02-29 after:1900-01-01 before:9999-12-31" },
	{ "larger:10k smaller:2M larger:1g larger:0", "larger:10k smaller:2M larger:1G larger:0" },
	{ "larger:1024 larger:1536 larger:007 smaller:2048K",
	  "larger:1k larger:1536 larger:7 smaller:2M" },
	{ "larger:18446744073709551615", "larger:18446744073709551615" },
	{ "larger:17179869183G", "larger:17179869183G" },
};

static const struct {
	const char *in;
	unsigned col;
	const char *msg;
} rejected[] = {
	{ "(from:a", 8, "expected ')'" },
	{ "(a b", 5, "expected ')'" },
	{ "((a) b", 7, "expected ')'" },
	{ "from:", 1, "from: needs a value" },
	{ "a SUBJECT: b", 3, "subject: needs a value" },
	{ "from:\"\"", 1, "from: needs a value" },
	{ "(from:)", 2, "from: needs a value" },
	{ "a OR", 3, "OR needs a term on each side" },
	{ "OR a", 1, "OR needs a term on each side" },
	{ "a OR OR b", 3, "OR needs a term on each side" },
	{ "(a OR)", 4, "OR needs a term on each side" },
	{ "a OR -", 6, "'-' must be followed by a term" },
	{ "a AND", 3, "AND needs a term on each side" },
	{ "AND a", 1, "AND needs a term on each side" },
	{ "a AND OR b", 3, "AND needs a term on each side" },
	{ ")", 1, "unexpected ')'" },
	{ "a)", 2, "unexpected ')'" },
	{ "(a)) b", 4, "unexpected ')'" },
	{ "()", 2, "expected a term" },
	{ "(", 2, "expected a term" },
	{ "a (  ", 6, "expected a term" },
	{ "frm:x", 1, "unknown field 'frm:' " FIELDS },
	{ "a Foo:bar", 3, "unknown field 'Foo:' " FIELDS },
	{ "http://example.com", 1, "unknown field 'http:' " FIELDS },
	{ "\"abc", 1, "unterminated quote" },
	{ "a \"b\\\"", 3, "unterminated quote" },
	{ "from:\"x", 6, "unterminated quote" },
	{ "\"\"", 1, "empty phrase" },
	{ "-", 1, "'-' must be followed by a term" },
	{ "a - b", 3, "'-' must be followed by a term" },
	{ "(-)", 2, "'-' must be followed by a term" },
	{ "-OR a", 1, "'-' must be followed by a term" },
	{ "--", 2, "'-' must be followed by a term" },
	{ "NOT", 1, "NOT must be followed by a term" },
	{ "a NOT )", 3, "NOT must be followed by a term" },
	{ "is:foo", 4, "unknown is: value 'foo' (is:unread, is:read, is:flagged, "
	  "is:unflagged, is:answered, is:unanswered, is:draft)" },
	{ "has:pdf", 5, "unknown has: value 'pdf' (has:attachment)" },
	{ "status:closed", 8, "unknown status: value 'closed' (status:open, "
	  "status:pending, status:done)" },
	{ "ticket:AB-1", 8, "a ticket is letters and digits" },
	{ "ticket:\"AB 1\"", 9, "a ticket is letters and digits" },
	{ "before:2023-02-29", 8, "no such day 2023-02-29" },
	{ "before:1900-02-29", 8, "no such day 1900-02-29" },
	{ "before:2023-04-31", 8, "no such day 2023-04-31" },
	{ "before:2023-13-01", 8, "no such day 2023-13-01" },
	{ "before:2023-00-10", 8, "no such day 2023-00-10" },
	{ "after:1899-12-31", 7, "the year must be 1900 or later" },
	{ "after:2023-1-1", 7, "expected a date YYYY-MM-DD" },
	{ "after:2023-01/01", 7, "expected a date YYYY-MM-DD" },
	{ "after:yesterday", 7, "expected a date YYYY-MM-DD" },
	{ "after:2023-01-01x", 7, "expected a date YYYY-MM-DD" },
	{ "larger:10x", 8, "expected a size like 10k or 2M" },
	{ "larger:k", 8, "expected a size like 10k or 2M" },
	{ "smaller:-1", 9, "expected a size like 10k or 2M" },
	{ "larger:18446744073709551616", 8, "size too large" },
	{ "larger:17179869184G", 8, "size too large" },
	{ "a \x01" "b", 3, "control character in the query" },
	{ "\"a\tb\"", 3, "control character in the query" },
	{ "from:x\x7f", 7, "control character in the query" },
	{ "x \xc2\x85", 3, "control character in the query" },
	{ "from:\xc3", 6, "invalid UTF-8" },
	{ "ab\xff", 3, "invalid UTF-8" },
	{ "\xc0\xaf", 1, "invalid UTF-8" },
	{ "\"\xed\xa0\x80\"", 2, "invalid UTF-8" },
	{ "\xf4\x90\x80\x80", 1, "invalid UTF-8" },
};

static void
test_accepted(void)
{
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		struct query_error err;
		struct query_node *q, *q2;
		char *f, *f2;

		char name[200];

		name[0] = '\0';
		str_escape_for_message(name, sizeof(name), accepted[i].in,
		    strlen(accepted[i].in));
		q = query_parse(accepted[i].in, strlen(accepted[i].in), &err);
		if (!tap_ok(q != NULL, "parses: %s", name)) {
			tap_diag("col %u: %s", err.col, err.msg);
			continue;
		}
		f = query_format(q);
		tap_is_str(f, accepted[i].out, "canonical form of %s", name);
		q2 = query_parse(f, strlen(f), &err);
		f2 = q2 != NULL ? query_format(q2) : NULL;
		tap_is_str(f2, f, "canonical form reads back: %s", f);
		free(f);
		free(f2);
		query_free(&q);
		query_free(&q2);
		tap_ok(q == NULL, "query_free clears the pointer");
	}
}

static void
test_rejected(void)
{
	size_t i;

	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		struct query_error err;
		struct query_node *q;

		char name[200];

		name[0] = '\0';
		str_escape_for_message(name, sizeof(name), rejected[i].in,
		    strlen(rejected[i].in));
		q = query_parse(rejected[i].in, strlen(rejected[i].in), &err);
		tap_ok(q == NULL, "refused: %s", name);
		query_free(&q);
		tap_is_int(err.col, rejected[i].col, "column of: %s", name);
		tap_is_str(err.msg, rejected[i].msg, "message for: %s", name);
	}

	/* A NUL byte is a control character, not the end. */
	{
		struct query_error err;
		struct query_node *q = query_parse("ab\0c", 4, &err);

		tap_ok(q == NULL, "NUL inside a word refused");
		tap_is_int(err.col, 3, "NUL column");
		tap_is_str(err.msg, "control character in the query", "NUL message");
		query_free(&q);
	}
}

/* The tree itself: kinds, fields, values, columns, slots. */
static void
test_tree(void)
{
	const char *s = "from:bob (x OR -y) is:starred before:2024-02-29 larger:2k";
	struct query_error err;
	struct query_node *q = query_parse(s, strlen(s), &err), *or;

	if (!tap_ok(q != NULL, "tree query parses"))
		return;
	tap_is_int(q->kind, QUERY_AND, "root is AND");
	tap_is_int(q->col, 1, "root col");
	tap_is_int(q->slot, -1, "root slot");
	if (tap_is_int((long long)q->nkids, 5, "five kids")) {
		tap_is_int(q->kids[0]->kind, QUERY_TERM, "term");
		tap_is_int(q->kids[0]->field, QUERY_F_FROM, "from:");
		tap_is_str(q->kids[0]->text, "bob", "from: text");
		tap_is_int(q->kids[0]->col, 1, "from: col");
		or = q->kids[1];
		tap_is_int(or->kind, QUERY_OR, "OR");
		tap_is_int(or->col, 11, "OR col is its first term's");
		tap_is_int(or->slot, -1, "OR slot");
		if (tap_is_int((long long)or->nkids, 2, "OR has two kids")) {
			tap_is_int(or->kids[0]->field, QUERY_F_TEXT, "bare word");
			tap_is_str(or->kids[0]->text, "x", "bare word text");
			tap_is_int(or->kids[1]->kind, QUERY_NOT, "NOT");
			tap_is_int(or->kids[1]->col, 16, "NOT col");
			tap_is_int((long long)or->kids[1]->nkids, 1, "NOT has one kid");
			tap_is_str(or->kids[1]->kids[0]->text, "y", "NOT kid");
			tap_is_int(or->kids[1]->kids[0]->col, 17, "NOT kid col");
			tap_is_int(or->kids[1]->kids[0]->slot, -1, "kid slot");
		}
		tap_is_int(q->kids[2]->field, QUERY_F_IS, "is:");
		tap_is_int((long long)q->kids[2]->num, QUERY_IS_FLAGGED, "is:starred is flagged");
		tap_ok(q->kids[2]->text == NULL, "is: has no text");
		tap_is_int(q->kids[3]->field, QUERY_F_BEFORE, "before:");
		tap_ok(q->kids[3]->date.year == 2024 && q->kids[3]->date.month == 2 &&
		    q->kids[3]->date.day == 29, "before: date");
		tap_is_int(q->kids[4]->field, QUERY_F_LARGER, "larger:");
		tap_is_int((long long)q->kids[4]->num, 2048, "larger: bytes");
	}
	query_free(&q);

	q = query_parse("", 0, &err);
	tap_ok(q != NULL && q->kind == QUERY_AND && q->nkids == 0 && q->slot == -1,
	    "empty query is an AND without kids");
	query_free(&q);

	q = query_parse("larger:1G", 9, &err);
	tap_ok(q != NULL && q->num == 1024ull * 1024 * 1024, "G is 1024^3");
	query_free(&q);

	q = query_parse("from:\"a \\\"b\\\\\"", 14, &err);
	tap_ok(q != NULL && strcmp(q->text, "a \"b\\") == 0, "escapes undone in the value");
	query_free(&q);

	/* len, not the NUL, ends the query */
	q = query_parse("a b", 1, &err);
	tap_ok(q != NULL && q->kind == QUERY_TERM && strcmp(q->text, "a") == 0,
	    "only len bytes are read");
	query_free(&q);

	tap_is_str(query_field_name(QUERY_F_SUBJECT), "subject", "field name");
	tap_is_str(query_field_name(QUERY_F_SMALLER), "smaller", "last field name");
	tap_is_str(query_field_name(QUERY_F_COUNT), "?", "out of range field name");
}

static char *
repeat(const char *a, size_t n, const char *mid, const char *b)
{
	size_t la = strlen(a), lm = strlen(mid), lb = strlen(b), i;
	char *s = malloc(n * (la + lb) + lm + 1), *p = s;

	for (i = 0; i < n; i++, p += la)
		memcpy(p, a, la);
	memcpy(p, mid, lm);
	p += lm;
	for (i = 0; i < n; i++, p += lb)
		memcpy(p, b, lb);
	*p = '\0';
	return s;
}

static void
check_limit(char *s, bool ok, unsigned col, const char *msg, const char *name)
{
	struct query_error err;
	struct query_node *q = query_parse(s, strlen(s), &err);

	if (ok) {
		if (!tap_ok(q != NULL, "%s: accepted", name))
			tap_diag("col %u: %s", err.col, err.msg);
	} else {
		tap_ok(q == NULL, "%s: refused", name);
		tap_is_int(err.col, col, "%s: column", name);
		tap_is_str(err.msg, msg, "%s: message", name);
	}
	query_free(&q);
	free(s);
}

static void
test_limits(void)
{
	char *s;

	check_limit(repeat("(", QUERY_MAX_DEPTH, "a", ")"), true, 0, NULL, "32 parentheses");
	check_limit(repeat("(", QUERY_MAX_DEPTH + 1, "a", ")"), false, QUERY_MAX_DEPTH + 1,
	    "query nested too deeply (at most 32 levels)", "33 parentheses");
	check_limit(repeat("-", QUERY_MAX_DEPTH, "a", ""), true, 0, NULL, "32 negations");
	check_limit(repeat("-", QUERY_MAX_DEPTH + 1, "a", ""), false, QUERY_MAX_DEPTH + 1,
	    "query nested too deeply (at most 32 levels)", "33 negations");
	check_limit(repeat("NOT (", 17, "a", ")"), false, 5 * 16 + 1,
	    "query nested too deeply (at most 32 levels)", "NOT and parentheses count alike");
	/* Far past the limit: refused at once, no stack growth. */
	check_limit(repeat("(", 4000, "a", ")"), false, QUERY_MAX_DEPTH + 1,
	    "query nested too deeply (at most 32 levels)", "4000 parentheses");

	s = malloc(QUERY_MAX_LEN + 2);
	memset(s, 'a', QUERY_MAX_LEN);
	s[QUERY_MAX_LEN] = '\0';
	check_limit(s, true, 0, NULL, "8192 bytes");
	s = malloc(QUERY_MAX_LEN + 2);
	memset(s, ' ', QUERY_MAX_LEN + 1);
	s[QUERY_MAX_LEN + 1] = '\0';
	check_limit(s, false, QUERY_MAX_LEN + 1, "query too long (at most 8192 bytes)",
	    "8193 bytes");

	/* 511 terms and their AND are 512 nodes. */
	check_limit(repeat("a ", QUERY_MAX_NODES - 1, "", ""), true, 0, NULL, "511 terms");
	check_limit(repeat("a ", QUERY_MAX_NODES, "", ""), false, 1,
	    "too many terms (at most 512)", "512 terms and an AND");
	check_limit(repeat("a ", 600, "", ""), false, 2 * QUERY_MAX_NODES + 1,
	    "too many terms (at most 512)", "600 terms");
	/* Parentheses flattened away do not count. */
	check_limit(repeat("(a ", 31, "", ")"), true, 0, NULL, "nested ANDs flatten");

	/* One long phrase full of escapes: linear, and read back. */
	{
		struct query_error err;
		struct query_node *q;
		char *f;
		size_t i;

		s = malloc(QUERY_MAX_LEN + 1);
		s[0] = '"';
		for (i = 1; i + 2 < QUERY_MAX_LEN; i += 2) {
			s[i] = '\\';
			s[i + 1] = i % 4 == 1 ? '"' : '\\';
		}
		s[i++] = '"';
		s[i] = '\0';
		q = query_parse(s, i, &err);
		tap_ok(q != NULL && strlen(q->text) == (i - 2) / 2, "long escaped phrase");
		f = q != NULL ? query_format(q) : NULL;
		tap_is_str(f, s, "long escaped phrase formats as typed");
		free(f);
		query_free(&q);
		free(s);
	}
}

int
main(void)
{
	test_accepted();
	test_rejected();
	test_tree();
	test_limits();
	return tap_done();
}
