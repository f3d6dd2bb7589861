/* The query planner: which nodes get slots, whether the cache is needed,
 * and the exact UID SEARCH keys of each search (as the engine writes them
 * on the wire), for the server, the cache and offline.
 *
 * The trees are written here as small S-expressions, "(and (from "a")
 * (has))", next to the query they stand for, so that the planner is
 * tested apart from the parser. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-client.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "rules/plan.h"
#include "rules/query.h"
#include "tap.h"

/* Test trees: built and freed here, not by query.c. */
static void
tree_free(struct query_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		tree_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static const struct {
	const char *name;
	enum query_field field;
} tree_fields[] = {
	{ "text", QUERY_F_TEXT }, { "from", QUERY_F_FROM }, { "to", QUERY_F_TO },
	{ "cc", QUERY_F_CC }, { "subject", QUERY_F_SUBJECT }, { "body", QUERY_F_BODY },
	{ "list", QUERY_F_LIST }, { "label", QUERY_F_LABEL }, { "status", QUERY_F_STATUS },
	{ "assign", QUERY_F_ASSIGN }, { "ticket", QUERY_F_TICKET }, { "is", QUERY_F_IS },
	{ "has", QUERY_F_HAS }, { "before", QUERY_F_BEFORE }, { "after", QUERY_F_AFTER },
	{ "larger", QUERY_F_LARGER }, { "smaller", QUERY_F_SMALLER },
};

static const char *const tree_is[] = {
	"unread", "read", "flagged", "unflagged", "answered", "unanswered", "draft",
};

static void
tree_skip(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* A word up to a space or parenthesis, or a "string" with \" and \\. */
static char *
tree_atom(const char **p)
{
	char buf[256];
	size_t n = 0;

	tree_skip(p);
	if (**p == '"') {
		(*p)++;
		while (**p != '"' && **p != '\0' && n + 1 < sizeof(buf)) {
			if (**p == '\\' && (*p)[1] != '\0')
				(*p)++;
			buf[n++] = *(*p)++;
		}
		if (**p == '"')
			(*p)++;
	} else {
		while (**p != ' ' && **p != '(' && **p != ')' && **p != '\0' &&
		    n + 1 < sizeof(buf))
			buf[n++] = *(*p)++;
	}
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Reads one "(op args...)"; NULL on a mistake in the test itself. */
static struct query_node *
tree_read(const char **p)
{
	struct query_node *n;
	char *op, *arg;
	size_t i;

	tree_skip(p);
	if (**p != '(')
		return NULL;
	(*p)++;
	n = xcalloc(1, sizeof(*n));
	n->slot = 7;		/* the planner must reset it */
	op = tree_atom(p);
	if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0 || strcmp(op, "not") == 0) {
		n->kind = op[0] == 'a' ? QUERY_AND : op[0] == 'o' ? QUERY_OR : QUERY_NOT;
		for (;;) {
			tree_skip(p);
			if (**p != '(')
				break;
			n->kids = xreallocarray(n->kids, n->nkids + 1, sizeof(*n->kids));
			n->kids[n->nkids] = tree_read(p);
			if (n->kids[n->nkids++] == NULL)
				goto fail;
		}
	} else {
		n->kind = QUERY_TERM;
		for (i = 0; i < sizeof(tree_fields) / sizeof(tree_fields[0]); i++) {
			if (strcmp(op, tree_fields[i].name) == 0)
				break;
		}
		if (i == sizeof(tree_fields) / sizeof(tree_fields[0]))
			goto fail;
		n->field = tree_fields[i].field;
		tree_skip(p);
		arg = **p == ')' ? NULL : tree_atom(p);
		switch (n->field) {
		case QUERY_F_IS:
			for (i = 0; arg != NULL && i < 7; i++) {
				if (strcmp(arg, tree_is[i]) == 0)
					n->num = i;
			}
			free(arg);
			break;
		case QUERY_F_HAS:
			free(arg);
			break;
		case QUERY_F_BEFORE:
		case QUERY_F_AFTER:
			if (arg == NULL || sscanf(arg, "%d-%d-%d", &n->date.year,
			    &n->date.month, &n->date.day) != 3) {
				free(arg);
				goto fail;
			}
			free(arg);
			break;
		case QUERY_F_LARGER:
		case QUERY_F_SMALLER:
			n->num = arg != NULL ? strtoull(arg, NULL, 10) : 0;
			free(arg);
			break;
		default:
			n->text = arg;
			break;
		}
	}
	tree_skip(p);
	if (**p != ')')
		goto fail;
	(*p)++;
	free(op);
	return n;
fail:
	free(op);
	tree_free(n);
	return NULL;
}

static struct query_node *
tree(const char *s)
{
	const char *p = s;
	struct query_node *n = tree_read(&p);

	if (n == NULL || *p != '\0') {
		tap_diag("bad test tree: %s", s);
		tree_free(n);
		abort();
	}
	return n;
}

/* The slots of the tree in preorder, "-1 0 -1". */
static void
slots_text(const struct query_node *n, char *out, size_t size)
{
	size_t i, len = strlen(out);

	snprintf(out + len, size - len, "%s%d", len > 0 ? " " : "", n->slot);
	for (i = 0; i < n->nkids; i++)
		slots_text(n->kids[i], out, size);
}

/* Checks the tokens the way a server's grammar would: every key has its
 * arguments, OR two keys, NOT one, parentheses one or more. Returns the
 * index after the key, or -1. */
static long
grammar_key(const struct imap_search_arg *a, size_t n, size_t i)
{
	static const struct {
		const char *key;
		enum imap_search_kind args[2];
		size_t nargs;
	} keys[] = {
		{ "ALL", { 0, 0 }, 0 }, { "SEEN", { 0, 0 }, 0 }, { "UNSEEN", { 0, 0 }, 0 },
		{ "FLAGGED", { 0, 0 }, 0 }, { "UNFLAGGED", { 0, 0 }, 0 },
		{ "ANSWERED", { 0, 0 }, 0 }, { "UNANSWERED", { 0, 0 }, 0 },
		{ "DRAFT", { 0, 0 }, 0 },
		{ "FROM", { IMAP_SEARCH_STRING, 0 }, 1 }, { "TO", { IMAP_SEARCH_STRING, 0 }, 1 },
		{ "CC", { IMAP_SEARCH_STRING, 0 }, 1 },
		{ "SUBJECT", { IMAP_SEARCH_STRING, 0 }, 1 },
		{ "BODY", { IMAP_SEARCH_STRING, 0 }, 1 },
		{ "X-GM-LABELS", { IMAP_SEARCH_STRING, 0 }, 1 },
		{ "HEADER", { IMAP_SEARCH_STRING, IMAP_SEARCH_STRING }, 2 },
		{ "KEYWORD", { IMAP_SEARCH_FLAG, 0 }, 1 },
		{ "UNKEYWORD", { IMAP_SEARCH_FLAG, 0 }, 1 },
		{ "BEFORE", { IMAP_SEARCH_DATE, 0 }, 1 }, { "SINCE", { IMAP_SEARCH_DATE, 0 }, 1 },
		{ "LARGER", { IMAP_SEARCH_NUMBER, 0 }, 1 },
		{ "SMALLER", { IMAP_SEARCH_NUMBER, 0 }, 1 },
	};
	size_t k, j;
	long next;

	if (i >= n)
		return -1;
	if (a[i].kind == IMAP_SEARCH_OPEN) {
		i++;
		do {
			next = grammar_key(a, n, i);
			if (next < 0)
				return -1;
			i = (size_t)next;
		} while (i < n && a[i].kind != IMAP_SEARCH_CLOSE);
		return i < n ? (long)i + 1 : -1;
	}
	if (a[i].kind != IMAP_SEARCH_KEY)
		return -1;
	if (strcmp(a[i].s, "NOT") == 0)
		return grammar_key(a, n, i + 1);
	if (strcmp(a[i].s, "OR") == 0) {
		next = grammar_key(a, n, i + 1);
		return next < 0 ? -1 : grammar_key(a, n, (size_t)next);
	}
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (strcmp(a[i].s, keys[k].key) != 0)
			continue;
		for (j = 0; j < keys[k].nargs; j++) {
			if (i + 1 + j >= n || a[i + 1 + j].kind != keys[k].args[j])
				return -1;
			if (a[i + 1 + j].kind != IMAP_SEARCH_NUMBER &&
			    a[i + 1 + j].kind != IMAP_SEARCH_DATE && a[i + 1 + j].s == NULL)
				return -1;
		}
		return (long)(i + 1 + keys[k].nargs);
	}
	return -1;
}

static bool
grammar_ok(const struct plan_search *s)
{
	size_t i = 0;
	long next;

	if (s->nargs == 0)
		return false;
	while (i < s->nargs) {
		next = grammar_key(s->args, s->nargs, i);
		if (next < 0)
			return false;
		i = (size_t)next;
	}
	return true;
}

/* A search as the engine sends it, made readable: the tag and "UID
 * SEARCH", "CHARSET UTF-8" and the line end dropped, and literals shown
 * as quoted strings. NULL when the engine refuses the program. */
static char *
wire_text(const struct plan_search *s)
{
	struct imap_client_settings set = { .tag_seed = 1 };
	struct imap_client *c = imap_client_create(&set, NULL);
	const char *out, *p, *end;
	struct buf b;
	size_t len;

	imap_client_set_caps(c, IMAP_CAP_LITERAL_PLUS);
	if (imap_cmd_uid_search(c, s->args, s->nargs, NULL) != 0) {
		imap_client_destroy(&c);
		return NULL;
	}
	out = imap_client_output(c, &len);
	buf_init(&b, 1 << 20);
	p = memchr(out, ' ', len);
	p = p != NULL ? p + strlen(" UID SEARCH ") : out + len;
	end = out + len - 2;		/* "\r\n" */
	if (end - p > 14 && memcmp(p, "CHARSET UTF-8 ", 14) == 0)
		p += 14;
	while (p < end) {
		unsigned long n;
		char *close;

		if (*p == '{' && (n = strtoul(p + 1, &close, 10)) > 0 &&
		    strncmp(close, "+}\r\n", 4) == 0) {
			p = close + 4;
			buf_addc(&b, '"');
			for (; n > 0; n--, p++) {
				if (*p == '"' || *p == '\\')
					buf_addc(&b, '\\');
				buf_addc(&b, *p);
			}
			buf_addc(&b, '"');
			continue;
		}
		buf_addc(&b, *p++);
	}
	imap_client_destroy(&c);
	return buf_detach(&b);
}

enum { CTX_PLAIN, CTX_GMAIL, CTX_KEYWORDS, CTX_NO_ASSIGN, CTX_ME };

static const char *const mailbox_keywords[] = {
	"$label1", "assign/bob", "Assign/Ann&ACA-Lee", "status/open", "Work", NULL,
};
static const char *const mailbox_keywords_unassigned[] = { "$label1", "Work", NULL };

struct plan_case {
	const char *query;	/* what the tree stands for; starting
				 * with '#' when the language cannot
				 * write it */
	const char *tree;
	enum plan_where where;
	int ctx;
	const char *slots;	/* preorder; NULL: an error */
	bool needs_cache;
	/* The searches, "|"-separated; or the error. */
	const char *want;
};

static const struct plan_case cases[] = {
	/* The whole query on the server. */
	{ "from:bob", "(from bob)", PLAN_SERVER, CTX_PLAIN, "0", false,
	    "FROM \"bob\"" },
	{ "from:bob is:unread", "(and (from bob) (is unread))", PLAN_SERVER, CTX_PLAIN,
	    "0 -1 -1", false, "FROM \"bob\" UNSEEN" },
	{ "", "(and)", PLAN_SERVER, CTX_PLAIN, "0", false, "ALL" },
	{ "bob", "(text bob)", PLAN_SERVER, CTX_PLAIN, "0", false,
	    "OR FROM \"bob\" SUBJECT \"bob\"" },
	{ "from:a OR to:b OR cc:c", "(or (from a) (to b) (cc c))", PLAN_SERVER, CTX_PLAIN,
	    "0 -1 -1 -1", false, "OR FROM \"a\" OR TO \"b\" CC \"c\"" },
	{ "(from:a to:b) OR subject:c", "(or (and (from a) (to b)) (subject c))",
	    PLAN_SERVER, CTX_PLAIN, "0 -1 -1 -1 -1", false,
	    "OR (FROM \"a\" TO \"b\") SUBJECT \"c\"" },
	{ "(from:a to:b) cc:c", "(and (and (from a) (to b)) (cc c))", PLAN_SERVER, CTX_PLAIN,
	    "0 -1 -1 -1 -1", false, "FROM \"a\" TO \"b\" CC \"c\"" },
	{ "-from:a", "(not (from a))", PLAN_SERVER, CTX_PLAIN, "0 -1", false,
	    "NOT FROM \"a\"" },
	{ "-(from:a to:b)", "(not (and (from a) (to b)))", PLAN_SERVER, CTX_PLAIN,
	    "0 -1 -1 -1", false, "NOT (FROM \"a\" TO \"b\")" },
	{ "-(from:a to:b) OR cc:c", "(or (not (and (from a) (to b))) (cc c))", PLAN_SERVER,
	    CTX_PLAIN, "0 -1 -1 -1 -1 -1", false, "OR NOT (FROM \"a\" TO \"b\") CC \"c\"" },
	{ "# NOT (empty)", "(not (and))", PLAN_SERVER, CTX_PLAIN, "0 -1", false, "NOT ALL" },
	{ "before:2025-01-31 after:2024-12-01",
	    "(and (before 2025-01-31) (after 2024-12-01))", PLAN_SERVER, CTX_PLAIN,
	    "0 -1 -1", false, "BEFORE 31-Jan-2025 SINCE 1-Dec-2024" },
	{ "larger:10k smaller:1M", "(and (larger 10240) (smaller 1048576))", PLAN_SERVER,
	    CTX_PLAIN, "0 -1 -1", false, "LARGER 10240 SMALLER 1048576" },
	{ "list:dev.example.org", "(list dev.example.org)", PLAN_SERVER, CTX_PLAIN, "0",
	    false, "HEADER \"List-Id\" \"dev.example.org\"" },
	{ "is:read is:flagged is:unflagged is:answered is:unanswered is:draft",
	    "(and (is read) (is flagged) (is unflagged) (is answered) (is unanswered) "
	    "(is draft))", PLAN_SERVER, CTX_PLAIN, "0 -1 -1 -1 -1 -1 -1", false,
	    "SEEN FLAGGED UNFLAGGED ANSWERED UNANSWERED DRAFT" },
	{ "subject:\"say \\\"hi\\\" c:\\\\\"", "(subject \"say \\\"hi\\\" c:\\\\\")",
	    PLAN_SERVER, CTX_PLAIN, "0", false, "SUBJECT \"say \\\"hi\\\" c:\\\\\"" },
	{ "from:Jürgen 日本", "(and (from Jürgen) (text 日本))", PLAN_SERVER, CTX_PLAIN,
	    "0 -1 -1", false, "FROM \"Jürgen\" OR FROM \"日本\" SUBJECT \"日本\"" },

	/* Labels, status, assignment. */
	{ "label:work", "(label work)", PLAN_SERVER, CTX_PLAIN, "0", false, "KEYWORD work" },
	{ "label:\"Zürich 2024\"", "(label \"Zürich 2024\")", PLAN_SERVER, CTX_PLAIN, "0",
	    false, "KEYWORD Z&APw-rich&ACA-2024" },
	{ "label:\"Zürich 2024\"", "(label \"Zürich 2024\")", PLAN_SERVER, CTX_GMAIL,
	    "0", false, "X-GM-LABELS \"Zürich 2024\"" },
	{ "label:$Junk", "(label $Junk)", PLAN_SERVER, CTX_GMAIL, "0", false,
	    "KEYWORD $Junk" },
	{ "label:$forwarded", "(label $forwarded)", PLAN_SERVER, CTX_GMAIL, "0", false,
	    "KEYWORD $forwarded" },
	{ "label:\\Important", "(label \"\\\\Important\")", PLAN_SERVER, CTX_GMAIL,
	    "0", false, "X-GM-LABELS \"\\\\Important\"" },
	{ "label:status/x", "(label status/x)", PLAN_SERVER, CTX_PLAIN, NULL, false,
	    "label:status/x: a label cannot start with status/, assign/ or tern/ "
	    "(they are reserved)" },
	{ "label:\\Seen", "(label \"\\\\Seen\")", PLAN_CACHE, CTX_PLAIN, NULL, false,
	    "label:\\Seen: a label cannot start with a backslash (\\Seen and the like "
	    "are system flags)" },
	{ "status:open", "(status open)", PLAN_SERVER, CTX_PLAIN, "0", false,
	    "OR KEYWORD status/open (UNKEYWORD status/pending UNKEYWORD status/done)" },
	{ "status:done", "(status done)", PLAN_SERVER, CTX_PLAIN, "0", false,
	    "KEYWORD status/done" },
	{ "-status:open OR from:a", "(or (not (status open)) (from a))", PLAN_SERVER,
	    CTX_PLAIN, "0 -1 -1 -1", false, "OR NOT OR KEYWORD status/open "
	    "(UNKEYWORD status/pending UNKEYWORD status/done) FROM \"a\"" },
	{ "status:later", "(status later)", PLAN_SERVER, CTX_PLAIN, NULL, false,
	    "status:later: a status is open, pending or done" },
	{ "assign:bob", "(assign bob)", PLAN_SERVER, CTX_PLAIN, "0", false,
	    "KEYWORD assign/bob" },
	{ "assign:me", "(assign me)", PLAN_SERVER, CTX_ME, "0", false,
	    "KEYWORD assign/Jos&AOk-" },
	{ "assign:me", "(assign me)", PLAN_SERVER, CTX_PLAIN, "0", false,
	    "KEYWORD assign/me" },
	{ "assign:tern/x", "(assign tern/x)", PLAN_SERVER, CTX_PLAIN, NULL, false,
	    "assign:tern/x: a label cannot start with status/, assign/ or tern/ "
	    "(they are reserved)" },
	{ "assign:none", "(assign none)", PLAN_SERVER, CTX_PLAIN, "-1", true,
	    "" },
	{ "assign:none", "(assign none)", PLAN_SERVER, CTX_KEYWORDS, "0", false,
	    "UNKEYWORD assign/bob UNKEYWORD Assign/Ann&ACA-Lee" },
	{ "assign:none OR from:a", "(or (assign none) (from a))", PLAN_SERVER, CTX_KEYWORDS,
	    "0 -1 -1", false,
	    "OR (UNKEYWORD assign/bob UNKEYWORD Assign/Ann&ACA-Lee) FROM \"a\"" },
	{ "assign:none OR from:a", "(or (assign none) (from a))", PLAN_SERVER,
	    CTX_PLAIN, "-1 -1 0", true, "FROM \"a\"" },
	{ "assign:none", "(assign none)", PLAN_SERVER, CTX_NO_ASSIGN, "0",
	    false, "ALL" },

	/* Mixed: the server for what it can, the cache for the rest. */
	{ "from:a has:attachment", "(and (from a) (has))", PLAN_SERVER, CTX_PLAIN,
	    "-1 0 -1", true, "FROM \"a\"" },
	{ "from:a to:b has:attachment", "(and (from a) (to b) (has))", PLAN_SERVER, CTX_PLAIN,
	    "-1 0 1 -1", true, "FROM \"a\"|TO \"b\"" },
	{ "body:x OR ticket:ABC", "(or (body x) (ticket ABC))", PLAN_SERVER, CTX_PLAIN,
	    "-1 0 -1", true, "BODY \"x\"" },
	{ "(from:a OR body:x) has:attachment", "(and (or (from a) (body x)) (has))",
	    PLAN_SERVER, CTX_PLAIN, "-1 0 -1 -1 -1", true, "OR FROM \"a\" BODY \"x\"" },
	{ "(from:a OR has:attachment) to:b", "(and (or (from a) (has)) (to b))", PLAN_SERVER,
	    CTX_PLAIN, "-1 -1 0 -1 1", true, "FROM \"a\"|TO \"b\"" },
	{ "-has:attachment from:a", "(and (not (has)) (from a))", PLAN_SERVER, CTX_PLAIN,
	    "-1 -1 -1 0", true, "FROM \"a\"" },
	{ "ticket:ABC1", "(ticket ABC1)", PLAN_SERVER, CTX_PLAIN, "-1", true, "" },
	{ "label:\"a b\" has:attachment", "(and (label \"a b\") (has))", PLAN_SERVER,
	    CTX_GMAIL, "-1 0 -1", true, "X-GM-LABELS \"a b\"" },

	/* The cache answers all but body:. */
	{ "from:a", "(from a)", PLAN_CACHE, CTX_PLAIN, "-1", true, "" },
	{ "from:a body:invoice", "(and (from a) (body invoice))", PLAN_CACHE, CTX_PLAIN,
	    "-1 -1 0", true, "BODY \"invoice\"" },
	{ "body:x OR -body:\"y z\"", "(or (body x) (not (body \"y z\")))", PLAN_CACHE,
	    CTX_PLAIN, "-1 0 -1 1", true, "BODY \"x\"|BODY \"y z\"" },
	{ "body:x OR ticket:ABC", "(or (body x) (ticket ABC))", PLAN_CACHE, CTX_PLAIN,
	    "-1 0 -1", true, "BODY \"x\"" },
	{ "body:größe", "(body größe)", PLAN_CACHE, CTX_PLAIN, "0", true,
	    "BODY \"größe\"" },
	{ "assign:none", "(assign none)", PLAN_CACHE, CTX_KEYWORDS, "-1", true, "" },

	/* Offline: no searches at all. */
	{ "from:a status:open", "(and (from a) (status open))", PLAN_OFFLINE, CTX_PLAIN,
	    "-1 -1 -1", true, "" },
	{ "from:a body:x", "(and (from a) (body x))", PLAN_OFFLINE, CTX_PLAIN, NULL, false,
	    "body: needs the server: bodies are not in the cache (run without --offline)" },
	{ "-body:x OR has:attachment", "(or (not (body x)) (has))", PLAN_OFFLINE, CTX_PLAIN,
	    NULL, false,
	    "body: needs the server: bodies are not in the cache (run without --offline)" },
	{ "label:tern/x", "(label tern/x)", PLAN_OFFLINE, CTX_PLAIN, NULL, false,
	    "label:tern/x: a label cannot start with status/, assign/ or tern/ "
	    "(they are reserved)" },
};

static void
plan_ctx_for(int which, enum plan_where where, struct plan_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->where = where;
	switch (which) {
	case CTX_GMAIL:
		ctx->gmail_labels = true;
		break;
	case CTX_KEYWORDS:
		ctx->mailbox_keywords = mailbox_keywords;
		break;
	case CTX_NO_ASSIGN:
		ctx->mailbox_keywords = mailbox_keywords_unassigned;
		break;
	case CTX_ME:
		ctx->me = "José";
		break;
	}
}

static const char *const where_names[] = { "server", "cache", "offline" };
static const char *const ctx_names[] = {
	"plain", "gmail", "FLAGS", "FLAGS, none assigned", "me=José",
};

static void
test_case(const struct plan_case *c)
{
	struct query_node *q = tree(c->tree);
	struct plan_ctx ctx;
	struct plan *p;
	char slots[256] = "", *error = NULL, *text, all[1024] = "";
	char w[64];
	size_t i, len;
	bool grammar = true;

	snprintf(w, sizeof(w), "%s, %s", where_names[c->where], ctx_names[c->ctx]);
	plan_ctx_for(c->ctx, c->where, &ctx);
	p = plan_build(q, &ctx, &error);
	slots_text(q, slots, sizeof(slots));
	/* The plan owns its strings: the tree can go first. */
	tree_free(q);
	if (c->slots == NULL) {
		tap_ok(p == NULL, "%s [%s]: refused", c->query, w);
		tap_is_str(error, c->want, "%s [%s]: the error", c->query, w);
		tap_ok(strspn(slots, "-1 ") == strlen(slots), "%s [%s]: no slots left (%s)",
		    c->query, w, slots);
		plan_free(&p);
		free(error);
		return;
	}
	if (!tap_ok(p != NULL, "%s [%s]: planned", c->query, w)) {
		tap_diag("error: %s", error != NULL ? error : "(none)");
		free(error);
		return;
	}
	tap_ok(error == NULL, "%s [%s]: no error", c->query, w);
	tap_is_str(slots, c->slots, "%s [%s]: slots", c->query, w);
	tap_is_int(p->needs_cache, c->needs_cache, "%s [%s]: needs_cache", c->query, w);
	for (i = 0; i < p->nsearches; i++) {
		/* NULL: the engine refused it. */
		text = wire_text(&p->searches[i]);
		len = strlen(all);
		snprintf(all + len, sizeof(all) - len, "%s%s", i > 0 ? "|" : "",
		    text != NULL ? text : "(refused)");
		free(text);
		if (!grammar_ok(&p->searches[i]))
			grammar = false;
	}
	tap_is_str(all, c->want, "%s [%s]: searches", c->query, w);
	tap_ok(grammar, "%s [%s]: every search is well formed", c->query, w);
	plan_free(&p);
	tap_ok(p == NULL, "%s [%s]: plan_free clears the pointer", c->query, w);
}

/* The same queries through the real parser: its trees may be shaped
 * differently (nested or flat AND and OR), but the searches written and
 * whether the cache is needed cannot change. */
static void
test_parsed(const struct plan_case *c)
{
	struct query_error qerr;
	struct query_node *q;
	struct plan_ctx ctx;
	struct plan *p;
	char *error = NULL, *text, all[1024] = "", w[64];
	size_t i, len;

	if (c->query[0] == '#')
		return;
	snprintf(w, sizeof(w), "parsed, %s, %s", where_names[c->where], ctx_names[c->ctx]);
	q = query_parse(c->query, strlen(c->query), &qerr);
	if (q == NULL) {
		tap_ok(c->slots == NULL, "%s [%s]: parses (col %u: %s)", c->query, w,
		    qerr.col, qerr.msg);
		return;
	}
	plan_ctx_for(c->ctx, c->where, &ctx);
	p = plan_build(q, &ctx, &error);
	query_free(&q);
	if (c->slots == NULL) {
		tap_is_str(error, c->want, "%s [%s]: the error", c->query, w);
		plan_free(&p);
		free(error);
		return;
	}
	if (!tap_ok(p != NULL, "%s [%s]: planned", c->query, w)) {
		tap_diag("error: %s", error != NULL ? error : "(none)");
		free(error);
		return;
	}
	tap_is_int(p->needs_cache, c->needs_cache, "%s [%s]: needs_cache", c->query, w);
	for (i = 0; i < p->nsearches; i++) {
		text = wire_text(&p->searches[i]);
		len = strlen(all);
		snprintf(all + len, sizeof(all) - len, "%s%s", i > 0 ? "|" : "",
		    text != NULL ? text : "(refused)");
		free(text);
	}
	tap_is_str(all, c->want, "%s [%s]: searches", c->query, w);
	plan_free(&p);
}

/* A query where every node is used twice proves the slots are reset:
 * planning for the server, then for the cache. */
static void
test_replan(void)
{
	struct query_node *q = tree("(and (from a) (body x) (has))");
	struct plan_ctx ctx;
	struct plan *p;
	char slots[64] = "", *error = NULL;

	plan_ctx_for(CTX_PLAIN, PLAN_SERVER, &ctx);
	p = plan_build(q, &ctx, &error);
	slots_text(q, slots, sizeof(slots));
	tap_is_str(slots, "-1 0 1 -1", "server: from and body get slots");
	tap_is_int(p != NULL ? (long long)p->nsearches : -1, 2, "two searches");
	plan_free(&p);

	plan_ctx_for(CTX_PLAIN, PLAN_CACHE, &ctx);
	p = plan_build(q, &ctx, &error);
	slots[0] = '\0';
	slots_text(q, slots, sizeof(slots));
	tap_is_str(slots, "-1 -1 0 -1", "cache: only body keeps one, renumbered");
	plan_free(&p);

	plan_ctx_for(CTX_PLAIN, PLAN_OFFLINE, &ctx);
	p = plan_build(q, &ctx, &error);
	slots[0] = '\0';
	slots_text(q, slots, sizeof(slots));
	tap_ok(p == NULL, "offline: refused");
	tap_is_str(slots, "-1 -1 -1 -1", "offline: no slots");
	free(error);
	plan_free(&p);
	tree_free(q);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_case(&cases[i]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_parsed(&cases[i]);
	test_replan();
	return tap_done();
}
