/* The local evaluator: folding, each term on a small varied folder (the
 * answers a server's SEARCH would give), slots, tickets, and a larger
 * folder mixing ASCII and non-ASCII text (its speed is measured by
 * tests/bench/bench-cache). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/index.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "rules/match.h"
#include "rules/query.h"
#include "rules/ticket.h"
#include "sync/sync-parse.h"
#include "tap.h"

/* 2024-03-11 00:00:00 UTC */
#define DAY11 INT64_C(1710115200)

static const struct {
	uint32_t uid, flags, size;
	int64_t internaldate;
	const char *from, *to, *cc, *subject, *list, *keywords;
	const char *msgid, *irt, *refs;
} msgs[] = {
	{ 1, INDEX_SEEN, 1000, DAY11 - 1, "Éric Dupont <eric@example.fr>", "team@example.com",
	  NULL, "Réunion demain", "<dev.lists.example.org>", "Work status/pending assign/bob",
	  "<abc@example.com>", NULL, NULL },
	{ 2, INDEX_FLAGGED, 2048, DAY11, "Anders Ångström <anders@example.se>", NULL,
	  "Éric <eric@example.fr>", "Ångström units", NULL, "status/done",
	  "<m2@x>", "<m1@x>", "<abc@example.com> <m1@x>" },
	{ 3, INDEX_ANSWERED | INDEX_SEEN, 5000, DAY11 + 12 * 3600,
	  "Γιώργος <giorgos@example.gr>", NULL, NULL, "ΆΛΦΑ release", NULL, "assign/alice",
	  "<g@x>", NULL, NULL },
	{ 4, 0, 10 * 1024 + 1, DAY11 - 36 * 3600, "Иван Петров <ivan@example.ru>", NULL,
	  NULL, "Привет мир", NULL, NULL, NULL, NULL, NULL },
	{ 5, INDEX_DRAFT | INDEX_HAS_ATTACHMENT, 10 * 1024, DAY11 + 24 * 3600,
	  "bob@example.com", NULL, NULL, "Straße closed", NULL, "Z&APw-rich&ACA-2024",
	  NULL, NULL, NULL },
	{ 6, INDEX_SEEN | INDEX_FORWARDED, 100, DAY11 - 40 * 86400,
	  "Alice <alice@example.com>", NULL, NULL, "strasse party", NULL, "work",
	  NULL, NULL, NULL },
	{ 7, INDEX_JUNK | INDEX_HAS_ATTACHMENT, 3 * 1024 * 1024, DAY11 - 40 * 86400,
	  "Carol <carol@example.com>", NULL, NULL, "Invoice", NULL, "status/open assign/me",
	  NULL, NULL, NULL },
	{ 8, INDEX_SEEN, 500, DAY11 - 40 * 86400, "Dave <dave@example.com>",
	  "Éric <eric@example.fr>\nbob@example.com", NULL, "Ελληνικά", NULL,
	  "assign/carol status/pending", "<d@x>", "<abc@example.com>", NULL },
	{ 9, 0, 500, DAY11 - 40 * 86400, "\xff\xfe Broken <x@y>", NULL, NULL, "caf\xc3",
	  NULL, NULL, NULL, NULL, NULL },
	{ 10, 0, 500, DAY11 - 40 * 86400, "ÉCOLE <ecole@example.fr>", NULL, NULL,
	  "ÉCOLE normale", NULL, NULL, NULL, NULL, NULL },
	{ 11, 0, 500, DAY11 - 40 * 86400, "Zoë <zoe@example.com>", NULL, NULL,
	  "résumé", NULL, NULL, NULL, NULL, NULL },
	{ 12, 0, 500, DAY11 - 40 * 86400, "Noël <noel@example.com>", NULL, NULL,
	  "re\xcc\x81sume\xcc\x81", NULL, NULL, NULL, NULL, NULL },
};
#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

static struct index *
build_index(void)
{
	struct index *idx = index_create();
	size_t i;

	for (i = 0; i < NMSGS; i++) {
		struct index_msg_in m;

		memset(&m, 0, sizeof(m));
		m.uid = msgs[i].uid;
		m.flags = msgs[i].flags;
		m.size = msgs[i].size;
		m.internaldate = msgs[i].internaldate;
		m.date = INDEX_NO_DATE;
		m.str[INDEX_STR_FROM] = msgs[i].from;
		m.str[INDEX_STR_TO] = msgs[i].to;
		m.str[INDEX_STR_CC] = msgs[i].cc;
		m.str[INDEX_STR_SUBJECT] = msgs[i].subject;
		m.str[INDEX_STR_LIST_ID] = msgs[i].list;
		m.str[INDEX_STR_KEYWORDS] = msgs[i].keywords;
		m.str[INDEX_STR_MESSAGE_ID] = msgs[i].msgid;
		m.str[INDEX_STR_IN_REPLY_TO] = msgs[i].irt;
		m.str[INDEX_STR_REFERENCES] = msgs[i].refs;
		index_put(idx, &m);
	}
	return idx;
}

/* The matching UIDs as "1 2 3", or "error: ..." when it does not parse. */
static char *
run(const struct index *idx, const char *query, const struct query_match_ctx *base)
{
	struct query_match_ctx ctx = { idx, NULL, 0, NULL };
	struct query_matcher *mt;
	struct query_error err;
	struct query_node *q;
	struct buf b;
	size_t i;

	if (base != NULL)
		ctx = *base;
	buf_init(&b, 4096);
	q = query_parse(query, strlen(query), &err);
	if (q == NULL) {
		(void)buf_printf(&b, "error: %u %s", err.col, err.msg);
		return buf_detach(&b);
	}
	mt = query_matcher_create(q, &ctx);
	for (i = 0; i < index_count(idx); i++) {
		const struct index_msg *m = index_at(idx, i);

		if (query_matcher_test(mt, m))
			(void)buf_printf(&b, "%s%u", buf_len(&b) > 0 ? " " : "", m->uid);
	}
	query_matcher_destroy(&mt);
	tap_ok(mt == NULL, "destroy clears the pointer");
	query_free(&q);
	return buf_detach(&b);
}

static const struct {
	const char *query;
	const char *uids;
} cases[] = {
	{ "", "1 2 3 4 5 6 7 8 9 10 11 12" },
	/* strings: folded substrings of the decoded header */
	{ "from:éric", "1" },
	{ "from:ÉRIC", "1" },
	{ "from:dupont", "1" },
	{ "from:EXAMPLE.FR", "1 10" },
	{ "subject:réunion", "1" },
	{ "subject:reunion", "" },		/* the mark sits between e and u */
	{ "subject:union", "1" },
	{ "ångström", "2" },
	{ "subject:ÅNGSTRÖM", "2" },
	{ "subject:άλφα", "3" },
	{ "subject:λφα", "3" },
	{ "subject:ελληνικά", "8" },
	{ "from:γιώργος", "3" },
	{ "from:ИВАН", "4" },
	{ "subject:привет", "4" },
	{ "straße", "5" },
	{ "strasse", "6" },			/* ß is not folded to ss */
	{ "subject:STRASSE", "6" },
	{ "résumé", "11 12" },			/* precomposed and decomposed */
	{ "zoë", "11" },
	{ "noël", "12" },
	{ "école", "10" },
	{ "broken", "9" },
	{ "\"Dave <dave\"", "8" },
	{ "to:bob", "8" },
	{ "to:eric", "8" },
	{ "cc:éric", "2" },
	{ "to:team cc:x", "" },
	{ "list:DEV.lists", "1" },
	/* keywords and flag bits */
	{ "label:Work", "1 6" },
	{ "label:\"Zürich 2024\"", "5" },
	{ "label:$Forwarded", "6" },
	{ "label:$junk", "7" },
	{ "label:nothere", "" },
	{ "status:pending", "1 8" },
	{ "status:done", "2" },
	{ "status:open", "3 4 5 6 7 9 10 11 12" },
	{ "assign:bob", "1" },
	{ "assign:BOB", "1" },
	{ "assign:none", "2 4 5 6 9 10 11 12" },
	{ "assign:me", "7" },
	{ "is:unread", "2 4 5 7 9 10 11 12" },
	{ "is:read", "1 3 6 8" },
	{ "is:flagged", "2" },
	{ "is:unflagged", "1 3 4 5 6 7 8 9 10 11 12" },
	{ "is:answered", "3" },
	{ "is:unanswered", "1 2 4 5 6 7 8 9 10 11 12" },
	{ "is:draft", "5" },
	{ "has:attachment", "5 7" },
	/* dates: midnight in the local zone (UTC here) */
	{ "before:2024-03-11", "1 4 6 7 8 9 10 11 12" },
	{ "after:2024-03-11", "2 3 5" },
	{ "after:2024-03-11 before:2024-03-12", "2 3" },
	{ "after:2024-03-13", "" },
	/* sizes, strictly */
	{ "larger:1000", "2 3 4 5 7" },
	{ "smaller:1000", "6 8 9 10 11 12" },
	{ "larger:10k", "4 7" },
	{ "larger:3M", "" },
	{ "smaller:3m larger:2M", "" },
	/* tickets: T3HLCN is the ticket of abc@example.com */
	{ "ticket:t3hlcn", "1 2 8" },
	{ "ticket:AAAAAA", "" },
	/* the operators */
	{ "from:dupont OR subject:invoice", "1 7" },
	{ "is:read -label:work", "3 8" },
	{ "(status:pending OR status:done) -assign:bob", "2 8" },
	{ "NOT (is:unread OR is:flagged)", "1 3 6 8" },
	{ "--is:draft", "5" },
	{ "body:anything", "" },
};

static void
test_cases(const struct index *idx)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = run(idx, cases[i].query, NULL);

		tap_is_str(got, cases[i].uids, "%s", cases[i].query);
		free(got);
	}
}

static void
test_ctx(const struct index *idx)
{
	struct query_match_ctx ctx = { idx, NULL, 0, NULL };
	char me[16];
	char *got;

	/* assign:me resolves to the user, and the matcher keeps a copy */
	strcpy(me, "alice");
	ctx.me = me;
	got = run(idx, "assign:me", &ctx);
	tap_is_str(got, "3", "assign:me is assign:alice");
	free(got);
	{
		struct query_error err;
		struct query_node *q = query_parse("assign:me", 9, &err);
		struct query_matcher *mt = query_matcher_create(q, &ctx);

		strcpy(me, "bob");
		tap_ok(query_matcher_test(mt, index_at(idx, 2)), "me copied at creation");
		tap_ok(!query_matcher_test(mt, index_at(idx, 0)), "not the new me");
		query_matcher_destroy(&mt);
		query_free(&q);
	}

	/* another zone moves the day boundary: UTC+2 */
	setenv("TZ", "XXX-2", 1);
	tzset();
	got = run(idx, "after:2024-03-11", NULL);
	tap_is_str(got, "1 2 3 5", "after: in UTC+2 starts at 22:00 UTC");
	free(got);
	got = run(idx, "before:2024-03-11", NULL);
	tap_is_str(got, "4 6 7 8 9 10 11 12", "before: in UTC+2");
	free(got);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_slots(const struct index *idx)
{
	struct query_match_ctx ctx = { idx, NULL, 0, NULL };
	struct sync_uids slots[1];
	struct query_matcher *mt;
	struct query_error err;
	struct query_node *q;
	struct buf b;
	size_t i;

	q = query_parse("from:dupont OR body:x", 21, &err);
	if (!tap_ok(q != NULL && q->kind == QUERY_OR && q->nkids == 2, "slot query parses"))
		return;
	tap_ok(!query_match_local_ok(q), "body: needs the server");
	tap_ok(query_match_local_ok(q->kids[0]), "from: does not");
	q->kids[1]->slot = 0;
	tap_ok(query_match_local_ok(q), "body: answered by a slot");

	sync_uids_init(&slots[0]);
	sync_uids_add(&slots[0], 6);
	sync_uids_add(&slots[0], 5);
	sync_uids_sort(&slots[0]);
	ctx.slots = slots;
	ctx.nslots = 1;
	mt = query_matcher_create(q, &ctx);
	buf_init(&b, 256);
	for (i = 0; i < index_count(idx); i++) {
		if (query_matcher_test(mt, index_at(idx, i)))
			(void)buf_printf(&b, " %u", index_at(idx, i)->uid);
	}
	tap_is_str(buf_ptr(&b), " 1 5 6", "slot answers its node");
	buf_free(&b);
	query_matcher_destroy(&mt);

	/* a slot past the end answers nothing */
	q->kids[1]->slot = 3;
	mt = query_matcher_create(q, &ctx);
	tap_ok(!query_matcher_test(mt, index_at(idx, 5)), "slot out of range: false");
	tap_ok(query_matcher_test(mt, index_at(idx, 0)), "the other kid still counts");
	query_matcher_destroy(&mt);

	/* the root answered by the server alone */
	q->kids[1]->slot = -1;
	q->slot = 0;
	mt = query_matcher_create(q, &ctx);
	tap_ok(!query_matcher_test(mt, index_at(idx, 0)), "root slot: uid 1 not in it");
	tap_ok(query_matcher_test(mt, index_at(idx, 4)), "root slot: uid 5 in it");
	query_matcher_destroy(&mt);
	sync_uids_free(&slots[0]);
	query_free(&q);
}

static void
check_fold(const char *in, size_t len, const char *want, size_t wlen, const char *name)
{
	struct buf b;
	size_t n;

	buf_init(&b, 1024);
	(void)buf_addstr(&b, "<");
	n = query_fold(in, len, &b);
	tap_is_int((long long)n, (long long)wlen, "fold %s: length", name);
	tap_is_mem(buf_ptr(&b) + 1, buf_len(&b) - 1, want, wlen, "fold %s", name);
	tap_ok(buf_ptr(&b)[0] == '<', "fold %s: appends", name);
	buf_free(&b);
}

static void
test_fold(void)
{
	static const struct {
		const char *in, *want, *name;
	} t[] = {
		{ "Hello WORLD 42!", "hello world 42!", "ASCII" },
		{ "ÉCOLE", "e\xcc\x81" "cole", "É decomposed" },
		{ "école", "e\xcc\x81" "cole", "é decomposed" },
		{ "Straße", "straße", "ß stays" },
		{ "\xe1\xba\x9e", "ß", "capital sharp s" },
		{ "ΆΛΦΑ", "α\xcc\x81λφα", "Greek tonos" },
		{ "ΐ", "ι\xcc\x88\xcc\x81", "Greek dialytika and tonos" },
		{ "ΣΟΦΟΣ σοφος", "σοφοσ σοφοσ", "final sigma" },
		{ "ñÑ", "n\xcc\x83n\xcc\x83", "tilde" },
		{ "Åå", "a\xcc\x8a" "a\xcc\x8a", "ring" },
		{ "ŽźĄ", "z\xcc\x8cz\xcc\x81" "a\xcc\xa8", "Latin Extended-A" },
		{ "ø Æ Đ Ł Œ", "ø æ đ ł œ", "no decomposition" },
		{ "İ ı", "i\xcc\x87 ı", "dotted and dotless i" },
		{ "Ÿ", "y\xcc\x88", "Y diaeresis" },
		{ "ſ µ", "s μ", "long s and micro" },
		{ "ПРИВЕТ Ёж Й", "привет е\xcc\x88ж и\xcc\x86", "Cyrillic" },
		{ "ԱԲ", "աբ", "Armenian" },
		{ "ＡＢ", "ａｂ", "fullwidth" },
		{ "a\xff\xc3(b\xe2\x82", "a\xff\xc3(b\xe2\x82", "invalid bytes kept" },
		{ "\xc0\xaf", "\xc0\xaf", "overlong kept as bytes" },
		{ "", "", "empty" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		check_fold(t[i].in, strlen(t[i].in), t[i].want, strlen(t[i].want), t[i].name);
	check_fold("A\0B", 3, "a\0b", 3, "NUL inside");
}

static void
test_ticket(const struct index *idx)
{
	char out[TICKET_LEN + 1];
	const char *root;
	size_t len;

	/* printf '%s' abc@example.com | openssl dgst -sha256 starts 9eceb134:
	 * 10011 11011 00111 01011 00010 10011 -> T 3 H L C N */
	tap_ok(ticket_of_root("abc@example.com", out), "ticket of an id");
	tap_is_str(out, "T3HLCN", "ticket value");
	tap_ok(ticket_of_root("  <abc@example.com> ", out), "brackets and space");
	tap_is_str(out, "T3HLCN", "brackets and space stripped");
	tap_ok(ticket_of_root("ABC@example.com", out), "case-sensitive id");
	tap_ok(strcmp(out, "T3HLCN") != 0, "another case, another ticket");
	tap_ok(!ticket_of_root("  ", out), "no id");
	tap_is_str(out, "", "no id: empty");
	tap_ok(!ticket_of_root("<>", out), "empty brackets");

	root = ticket_root(idx, index_at(idx, 1), &len);
	tap_is_mem(root, len, "abc@example.com", 15, "References first");
	root = ticket_root(idx, index_at(idx, 7), &len);
	tap_is_mem(root, len, "abc@example.com", 15, "then In-Reply-To");
	root = ticket_root(idx, index_at(idx, 2), &len);
	tap_is_mem(root, len, "g@x", 3, "then Message-ID");
	root = ticket_root(idx, index_at(idx, 3), &len);
	tap_ok(len == 0 && *root == '\0', "no id at all");
	tap_ok(!ticket_of_msg(idx, index_at(idx, 3), out) && *out == '\0',
	    "no ticket without an id");
	tap_ok(ticket_of_msg(idx, index_at(idx, 1), out), "ticket of a reply");
	tap_is_str(out, "T3HLCN", "a reply has its root's ticket");
}

/* 10,000 messages, a tenth of them non-ASCII: a from: term that
 * matches nothing, a non-ASCII subject: term, a non-ASCII bare word, a
 * ticket. The ASCII fast path and the folding path must agree. */
static void
test_large(void)
{
	struct index *idx = index_create();
	struct query_match_ctx ctx = { NULL, NULL, 0, NULL };
	const char *queries[] = { "from:zed", "subject:ünïcode", "Mörk", "ticket:AAAAAA" };
	size_t i, q;

	for (i = 0; i < 10000; i++) {
		struct index_msg_in m;
		char from[80], subject[80], msgid[80];

		memset(&m, 0, sizeof(m));
		m.uid = (uint32_t)i + 1;
		m.date = INDEX_NO_DATE;
		snprintf(from, sizeof(from), "%s Person%zu <person%zu@example.com>",
		    i % 10 == 0 ? "Jörg" : "Plain", i, i);
		snprintf(subject, sizeof(subject), "%s report number %zu for the team",
		    i % 10 == 3 ? "Ünïcode" : "Quarterly", i);
		m.str[INDEX_STR_FROM] = from;
		m.str[INDEX_STR_SUBJECT] = subject;
		snprintf(msgid, sizeof(msgid), "<%zu.%zu@example.com>", i * 7919, i);
		m.str[INDEX_STR_MESSAGE_ID] = msgid;
		index_put(idx, &m);
	}
	ctx.idx = idx;
	for (q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct query_error err;
		struct query_node *node = query_parse(queries[q], strlen(queries[q]), &err);
		struct query_matcher *mt = query_matcher_create(node, &ctx);
		size_t hits = 0;

		for (i = 0; i < index_count(idx); i++)
			hits += query_matcher_test(mt, index_at(idx, i));
		tap_is_int((long long)hits, q == 1 ? 1000 : 0, "%s hits", queries[q]);
		query_matcher_destroy(&mt);
		query_free(&node);
	}
	index_destroy(&idx);
}

int
main(void)
{
	struct index *idx;

	setenv("TZ", "UTC", 1);
	tzset();
	idx = build_index();
	test_cases(idx);
	test_ctx(idx);
	test_slots(idx);
	test_fold();
	test_ticket(idx);
	index_destroy(&idx);
	test_large();
	return tap_done();
}
