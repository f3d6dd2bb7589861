/* Labels as IMAP keywords: atoms as they are, the modified-base64
 * encoding both ways, the strict decoder, refusals, keyword lists and
 * the status/ and assign/ helpers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/keyword.h"
#include "tap.h"

static const struct {
	const char *label;
	const char *kw;
} encodings[] = {
	/* Atoms pass through, Dovecot's $label1 and friends included. */
	{ "work", "work" },
	{ "$label1", "$label1" },
	{ "$Forwarded", "$Forwarded" },
	{ "Work/Projects", "Work/Projects" },
	{ "a-b_c.d+e,f[g", "a-b_c.d+e,f[g" },
	/* Everything else is encoded. */
	{ "Zürich 2024", "Z&APw-rich&ACA-2024" },
	{ "a&b", "a&-b" },
	{ "&", "&-" },
	{ "two words", "two&ACA-words" },
	{ "x y z", "x&ACA-y&ACA-z" },
	{ " lead", "&ACA-lead" },
	{ "(x)", "&ACg-x&ACk-" },
	{ "日本語", "&ZeVnLIqe-" },
	{ "😀", "&2D3eAA-" },		/* U+1F600, a surrogate pair */
	{ "%", "&ACU-" },
	{ "*", "&ACo-" },
	{ "100%", "100&ACU-" },
	{ "a]b", "a&AF0-b" },
	{ "ä&ö", "&AOQ-&-&APY-" },
	{ "José", "Jos&AOk-" },
};

static void
test_encode(void)
{
	const char *error;
	size_t i;
	char *kw, *label;

	for (i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
		error = NULL;
		kw = keyword_from_label(encodings[i].label, &error);
		tap_is_str(kw, encodings[i].kw, "label \"%s\" as a keyword", encodings[i].label);
		tap_ok(kw == NULL || keyword_is_atom(kw, strlen(kw)),
		    "keyword for \"%s\" is an atom", encodings[i].label);
		label = keyword_to_label(encodings[i].kw, strlen(encodings[i].kw));
		tap_is_str(label, encodings[i].label, "keyword %s shows as \"%s\"",
		    encodings[i].kw, encodings[i].label);
		free(kw);
		free(label);
	}
}

static void
test_atom(void)
{
	tap_ok(keyword_is_atom("$label1", 7), "$label1 is an atom");
	tap_ok(keyword_is_atom("a&b", 3), "& is an atom character");
	tap_ok(!keyword_is_atom("", 0), "the empty string is not an atom");
	tap_ok(!keyword_is_atom("a b", 3), "space is not");
	tap_ok(!keyword_is_atom("\\Seen", 5), "backslash is not");
	tap_ok(!keyword_is_atom("a]", 2), "] is not (resp-specials)");
	tap_ok(!keyword_is_atom("a{", 2), "{ is not");
	tap_ok(!keyword_is_atom("\xc3\xa4", 2), "8-bit is not");
	tap_ok(keyword_is_atom("ab(", 2), "only len bytes count");
}

/* Each keyword here is not what the encoder writes for any label, so it
 * shows as it is. */
static const char *const not_encodings[] = {
	"a&b",			/* "&" not followed by base64 and "-" */
	"a&",			/* "&" at the end */
	"&-&",
	"&APw",			/* no "-" */
	"&-&AP!-",		/* not base64 */
	"&APx-",		/* leftover bits not zero */
	"&APwA-",		/* 6 leftover bits */
	"&AP-",			/* too short for one unit */
	"&AGE-",		/* "a": an atom character must be itself */
	"&ACY-",		/* "&" must be "&-" */
	"&ACAAIQ-",		/* " !": "!" is an atom character */
	"&ACA-&ACA-",		/* two runs side by side are one run */
	"&2D0-",		/* a lone high surrogate */
	"&3gA-",		/* a lone low surrogate */
	"&2D3YPQ-",		/* two high surrogates */
	"&AAk-",		/* a tab: control characters are never labels */
	"&AIU-",		/* U+0085, a C1 control */
	"&AAA-",		/* NUL */
	"&AFw-Seen",		/* would show as \Seen */
	"a b&ACA-",		/* a space outside a run */
};

static void
test_decode_invalid(void)
{
	size_t i;
	char *label;

	for (i = 0; i < sizeof(not_encodings) / sizeof(not_encodings[0]); i++) {
		label = keyword_to_label(not_encodings[i], strlen(not_encodings[i]));
		tap_is_str(label, not_encodings[i], "%s is shown as it is", not_encodings[i]);
		free(label);
	}

	/* len bounds the keyword: the rest is not read. */
	label = keyword_to_label("Z&APw-rich&AC", 10);
	tap_is_str(label, "Zürich", "only len bytes are decoded");
	free(label);
	label = keyword_to_label("a&APw-b", 4);
	tap_is_str(label, "a&AP", "a run cut by len is not decoded");
	free(label);
	label = keyword_to_label("", 0);
	tap_is_str(label, "", "the empty keyword");
	free(label);
	label = keyword_to_label("status/open", 11);
	tap_is_str(label, "status/open", "keywords without & are themselves");
	free(label);
	label = keyword_to_label("assign/Jos&AOk-", 15);
	tap_is_str(label, "assign/José", "an assign/ keyword decodes as a whole");
	free(label);
}

static void
test_round_trips(void)
{
	static const char *const labels[] = {
		"Zürich 2024", "  ", "&&", "&&&-", "a & b", "\"quoted\"", "{x}",
		"🎉🎉 party 🎉", "Ünïcödé", "x\xe2\x80\x8by", "\xef\xbf\xbd",
		"\xf4\x8f\xbf\xbf", "日本語 と English", "-&-", "a-&-b",
	};
	const char *error;
	size_t i;
	char *kw, *label, *again;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		kw = keyword_from_label(labels[i], &error);
		tap_ok(kw != NULL, "\"%s\" can be a label", labels[i]);
		if (kw == NULL)
			continue;
		tap_ok(keyword_is_atom(kw, strlen(kw)), "%s is an atom", kw);
		label = keyword_to_label(kw, strlen(kw));
		tap_is_str(label, labels[i], "\"%s\" round trips through %s", labels[i], kw);
		again = keyword_from_label(label, &error);
		tap_is_str(again, kw, "and encodes to %s again", kw);
		free(again);
		free(label);
		free(kw);
	}
}

static void
test_refusals(void)
{
	static const struct {
		const char *label;
		const char *error;
	} refusals[] = {
		{ "", "a label cannot be empty" },
		{ "a\tb", "a label cannot contain control characters" },
		{ "a\nb", "a label cannot contain control characters" },
		{ "a\x7f", "a label cannot contain control characters" },
		{ "a\xc2\x85", "a label cannot contain control characters" },
		{ "a\xc2\x9f", "a label cannot contain control characters" },
		{ "\xc3", "a label must be valid UTF-8" },
		{ "a\xff", "a label must be valid UTF-8" },
		{ "\xc0\xaf", "a label must be valid UTF-8" },
		{ "\xed\xa0\x80", "a label must be valid UTF-8" },
		{ "\xf4\x90\x80\x80", "a label must be valid UTF-8" },
		{ "status/x", "a label cannot start with status/, assign/ or tern/ (they are reserved)" },
		{ "Status/Open", "a label cannot start with status/, assign/ or tern/ (they are reserved)" },
		{ "ASSIGN/bob", "a label cannot start with status/, assign/ or tern/ (they are reserved)" },
		{ "tern/x", "a label cannot start with status/, assign/ or tern/ (they are reserved)" },
		{ "\\Seen", "a label cannot start with a backslash (\\Seen and the like are system flags)" },
		{ "\\Flagged", "a label cannot start with a backslash (\\Seen and the like are system flags)" },
		{ "\\label", "a label cannot start with a backslash (\\Seen and the like are system flags)" },
	};
	const char *error;
	char *kw, long_label[4 * KEYWORD_MAX_LEN + 1], *p;
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		error = NULL;
		kw = keyword_from_label(refusals[i].label, &error);
		tap_ok(kw == NULL, "refused: label %zu", i);
		tap_is_str(error, refusals[i].error, "label %zu: the reason", i);
		free(kw);
	}
	/* Not reserved: the prefixes only matter at the start, and whole. */
	kw = keyword_from_label("status", &error);
	tap_is_str(kw, "status", "\"status\" alone is a label");
	free(kw);
	kw = keyword_from_label("my/status/x", &error);
	tap_is_str(kw, "my/status/x", "status/ later on is fine");
	free(kw);
	kw = keyword_from_label("Seen", &error);
	tap_is_str(kw, "Seen", "Seen without the backslash is a keyword");
	free(kw);
	kw = keyword_from_label("a\\b", &error);
	tap_is_str(kw, "a&AFw-b", "a backslash inside is encoded");
	free(kw);

	/* The limit is on the keyword, not the label. */
	memset(long_label, 'x', KEYWORD_MAX_LEN);
	long_label[KEYWORD_MAX_LEN] = '\0';
	kw = keyword_from_label(long_label, &error);
	tap_ok(kw != NULL && strlen(kw) == KEYWORD_MAX_LEN, "%d atom bytes fit",
	    KEYWORD_MAX_LEN);
	free(kw);
	long_label[KEYWORD_MAX_LEN] = 'x';
	long_label[KEYWORD_MAX_LEN + 1] = '\0';
	error = NULL;
	kw = keyword_from_label(long_label, &error);
	tap_ok(kw == NULL, "%d do not", KEYWORD_MAX_LEN + 1);
	tap_is_str(error, "a label cannot be longer than 200 bytes as an IMAP keyword",
	    "too long: the reason");
	/* 75 spaces: one run of 1200 bits, 200 base64 digits and "&-". */
	memset(long_label, ' ', 75);
	long_label[75] = '\0';
	kw = keyword_from_label(long_label, &error);
	tap_ok(kw == NULL, "75 spaces grow past the limit when encoded");
	/* 75 three-byte characters: 225 bytes of UTF-8, 202 encoded. */
	p = long_label;
	for (i = 0; i < 75; i++) {
		memcpy(p, "\xe6\x97\xa5", 3);
		p += 3;
	}
	*p = '\0';
	kw = keyword_from_label(long_label, &error);
	tap_ok(kw == NULL, "75 CJK characters are too long (202 bytes)");
	long_label[74 * 3] = '\0';
	kw = keyword_from_label(long_label, &error);
	tap_ok(kw != NULL && strlen(kw) == 200, "74 fit exactly (200 bytes)");
	free(kw);
}

static void
test_lists(void)
{
	const char *list = "$label1 Work \\Seen status/open assign/Bob Jos&AOk-";

	tap_ok(keyword_list_has(list, "work"), "has: case-insensitive");
	tap_ok(keyword_list_has(list, "WORK"), "has: upper case");
	tap_ok(keyword_list_has(list, "$label1"), "has: first word");
	tap_ok(keyword_list_has(list, "jos&aok-"), "has: last word");
	tap_ok(keyword_list_has(list, "\\seen"), "has: a system flag");
	tap_ok(!keyword_list_has("Workshop", "Work"), "Work does not match Workshop");
	tap_ok(!keyword_list_has("Work", "Workshop"), "nor Workshop Work");
	tap_ok(!keyword_list_has("myWork", "Work"), "nor myWork");
	tap_ok(!keyword_list_has(list, "label1"), "nor the inside of a word");
	tap_ok(!keyword_list_has(list, ""), "the empty keyword is never there");
	tap_ok(!keyword_list_has("", "work"), "the empty list has nothing");
	tap_ok(!keyword_list_has(NULL, "work"), "nor has a NULL list");
	tap_ok(keyword_list_has("  a   b  ", "b"), "extra spaces");
	tap_ok(!keyword_list_has("  a   b  ", "a b"), "a keyword is one word");

	tap_ok(keyword_list_has_prefix(list, "assign/"), "has_prefix: assign/");
	tap_ok(keyword_list_has_prefix(list, "STATUS/"), "has_prefix: case-insensitive");
	tap_ok(keyword_list_has_prefix(list, "Work"), "has_prefix: a whole word");
	tap_ok(keyword_list_has_prefix("Workshop", "work"), "has_prefix: the start of one");
	tap_ok(!keyword_list_has_prefix("myWork", "work"), "has_prefix: not the middle");
	tap_ok(!keyword_list_has_prefix("$label1 Work", "tern/"), "has_prefix: absent");
	tap_ok(!keyword_list_has_prefix("assign", "assign/"), "has_prefix: longer than the word");
	tap_ok(!keyword_list_has_prefix("", "a"), "has_prefix: empty list");
}

static void
test_status_assign(void)
{
	char *s;

	tap_ok(keyword_status_valid("open"), "open is a status");
	tap_ok(keyword_status_valid("pending"), "pending is a status");
	tap_ok(keyword_status_valid("done"), "done is a status");
	tap_ok(keyword_status_valid("Done"), "statuses are case-insensitive");
	tap_ok(!keyword_status_valid("closed"), "closed is not");
	tap_ok(!keyword_status_valid(""), "nor the empty string");
	tap_ok(!keyword_status_valid("open "), "nor open with a space");

	s = keyword_status("open");
	tap_is_str(s, "status/open", "keyword_status open");
	free(s);
	s = keyword_status("PENDING");
	tap_is_str(s, "status/pending", "keyword_status is lower case");
	free(s);
	s = keyword_status("done");
	tap_is_str(s, "status/done", "keyword_status done");
	free(s);
	tap_ok(keyword_status("later") == NULL, "keyword_status of no status");

	s = keyword_assign("bob");
	tap_is_str(s, "assign/bob", "assign bob");
	free(s);
	s = keyword_assign("José");
	tap_is_str(s, "assign/Jos&AOk-", "assign José, encoded");
	free(s);
	s = keyword_assign("Ann Lee");
	tap_is_str(s, "assign/Ann&ACA-Lee", "assign a name with a space");
	free(s);
	s = keyword_assign("a&b");
	tap_is_str(s, "assign/a&-b", "assign a&b");
	free(s);
	tap_ok(keyword_assign("") == NULL, "no empty name");
	tap_ok(keyword_assign("a\tb") == NULL, "no control characters");
	tap_ok(keyword_assign("\\Seen") == NULL, "no system flag");
	tap_ok(keyword_assign("status/x") == NULL, "no reserved prefix");
	tap_ok(keyword_assign("\xff") == NULL, "no invalid UTF-8");
}

static void
test_assign_length(void)
{
	char name[KEYWORD_MAX_LEN + 1], *s;
	size_t room = KEYWORD_MAX_LEN - strlen(KEYWORD_ASSIGN_PREFIX);

	memset(name, 'n', room);
	name[room] = '\0';
	s = keyword_assign(name);
	tap_ok(s != NULL && strlen(s) == KEYWORD_MAX_LEN, "assign/ and %zu bytes fit", room);
	free(s);
	name[room] = 'n';
	name[room + 1] = '\0';
	s = keyword_assign(name);
	tap_ok(s == NULL, "one more does not");
	free(s);
}

static bool
count_word(const char *word, size_t len, void *ctx)
{
	size_t *n = ctx;

	(void)word;
	(void)len;
	return ++*n == 3;
}

static void
test_list_each(void)
{
	size_t n = 0;

	tap_ok(!keyword_list_each("x assign/a  Assign/b assign/ assignc", "assign/",
	    count_word, &n) && n == 2, "two assignees, the bare prefix not one: %zu", n);
	n = 0;
	tap_ok(keyword_list_each("status/a status/b status/c status/d", "status/", count_word,
	    &n) && n == 3, "stops when told");
	n = 0;
	tap_ok(!keyword_list_each("", "status/", count_word, &n) && n == 0, "an empty list");
}

int
main(void)
{
	test_atom();
	test_encode();
	test_decode_invalid();
	test_round_trips();
	test_refusals();
	test_lists();
	test_status_assign();
	test_assign_length();
	test_list_each();
	return tap_done();
}
