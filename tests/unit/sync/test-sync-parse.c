/* The pure parts of sync: FETCH items as Dovecot, Gmail, Exchange and
 * Cyrus send them, flags to bits and keywords, IMAP dates, UID sets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index.h"
#include "imap/imap-parser.h"
#include "sync/sync-parse.h"
#include "tap.h"

/* Parses one "* N FETCH (...)" line and runs sync_fetch_parse on it. */
static int
parse_fetch(const char *line, struct sync_fetch *f, struct imap_parser **pp)
{
	const struct imap_response *r;
	const struct imap_arg *items;
	size_t n;

	*pp = imap_parser_create(NULL);
	imap_parser_feed(*pp, line, strlen(line));
	if (imap_parser_next(*pp, &r) != 1 || r->count < 3 ||
	    !imap_arg_get_list(&r->args[2], &items, &n))
		return -2;
	return sync_fetch_parse(items, n, f);
}

static void
test_fetch(void)
{
	struct imap_parser *p;
	struct sync_fetch f;

	tap_is_int(parse_fetch("* 12 FETCH (UID 4827 FLAGS (\\Seen $label1 Junk \\Recent "
	    "$Forwarded work $label1) MODSEQ (90210) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
	    "RFC822.SIZE 4286 BODY[HEADER.FIELDS (DATE FROM SUBJECT)] {21}\r\n"
	    "Subject: hi\r\nX: y\r\n\r\n)\r\n", &f, &p), 0, "dovecot fetch parses");
	tap_is_int(f.uid, 4827, "uid");
	tap_ok(f.have_flags, "flags seen");
	tap_is_int(f.flags, INDEX_SEEN | INDEX_FORWARDED, "system flags and $Forwarded as bits");
	tap_is_str(f.keywords, "$label1 Junk work", "keywords sorted, deduplicated, \\Recent out");
	tap_is_int((long long)f.modseq, 90210, "modseq");
	tap_is_int(f.internaldate, 837596665, "internaldate in UTC");
	tap_is_int(f.size, 4286, "size");
	tap_is_mem(f.header, f.header_len, "Subject: hi\r\nX: y\r\n\r\n", 21, "header literal");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);

	/* Gmail sends items in its own order, with X-GM extensions. */
	tap_is_int(parse_fetch("* 3 FETCH (X-GM-THRID 1278455344230334865 UID 18 "
	    "RFC822.SIZE 9 FLAGS () BODY[HEADER.FIELDS (SUBJECT)] NIL)\r\n", &f, &p), 0,
	    "gmail fetch parses");
	tap_is_int(f.uid, 18, "gmail uid");
	tap_is_int(f.flags, 0, "no flags");
	tap_is_str(f.keywords, "", "no keywords");
	tap_ok(f.header != NULL && f.header_len == 0, "NIL header is an empty one");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);

	/* Exchange writes the section in lower case and quotes the header. */
	tap_is_int(parse_fetch("* 1 FETCH (UID 7 body[header.fields (subject)] \"Subject: x\r\n\" "
	    "FLAGS (\\Answered \\Flagged \\Draft \\Deleted))\r\n", &f, &p), -2,
	    "a quoted string with CRLF is not IMAP (the parser refuses it)");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);
	tap_is_int(parse_fetch("* 1 FETCH (UID 7 FLAGS (\\Answered \\Flagged \\Draft \\Deleted "
	    "\\*))\r\n", &f, &p), 0, "exchange flags parse");
	tap_is_int(f.flags, INDEX_ANSWERED | INDEX_FLAGGED | INDEX_DRAFT | INDEX_DELETED,
	    "all system flags");
	tap_is_str(f.keywords, "", "\\* is no keyword");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);

	/* Cyrus: a flags-only change without UID (unsolicited). */
	tap_is_int(parse_fetch("* 5 FETCH (FLAGS (\\Seen) MODSEQ (12))\r\n", &f, &p), 0,
	    "unsolicited fetch parses");
	tap_is_int(f.uid, 0, "no uid: the caller ignores it");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);

	tap_is_int(parse_fetch("* 5 FETCH (UID 0 FLAGS ())\r\n", &f, &p), -1, "UID 0 refused");
	imap_parser_destroy(&p);
	tap_is_int(parse_fetch("* 5 FETCH (UID 4294967296)\r\n", &f, &p), -1,
	    "UID over 32 bits refused");
	imap_parser_destroy(&p);
	tap_is_int(parse_fetch("* 5 FETCH (UID 9 MODSEQ 12)\r\n", &f, &p), -1,
	    "MODSEQ not a list refused");
	imap_parser_destroy(&p);
	tap_is_int(parse_fetch("* 5 FETCH (UID 9 FLAGS \\Seen)\r\n", &f, &p), -1,
	    "FLAGS not a list refused");
	imap_parser_destroy(&p);
	tap_is_int(parse_fetch("* 5 FETCH (UID 9 INTERNALDATE \"yesterday\")\r\n", &f, &p), 0,
	    "a bad date is no reason to drop the message");
	tap_is_int(f.internaldate, 0, "bad date: 0");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);
	tap_is_int(parse_fetch("* 5 FETCH (UID 9 RFC822.SIZE 99999999999)\r\n", &f, &p), 0,
	    "huge size parses");
	tap_is_int(f.size, UINT32_MAX, "size capped");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);
}

static void
test_many_keywords(void)
{
	struct imap_parser *p;
	struct sync_fetch f;
	char line[8192];
	size_t len;
	int i;

	len = (size_t)snprintf(line, sizeof(line), "* 1 FETCH (UID 1 FLAGS (");
	for (i = 0; i < 200; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "k%03d ", 199 - i);
	snprintf(line + len, sizeof(line) - len, "))\r\n");
	tap_is_int(parse_fetch(line, &f, &p), 0, "200 keywords parse");
	tap_is_int((long long)strlen(f.keywords), SYNC_KEYWORDS_MAX * 5 - 1,
	    "at most SYNC_KEYWORDS_MAX kept");
	sync_fetch_free(&f);
	imap_parser_destroy(&p);
}

static void
test_dates(void)
{
	static const struct {
		const char *s;
		int64_t t;
		int r;
	} cases[] = {
		{ "17-Jul-1996 02:44:25 -0700", 837596665, 0 },
		{ " 1-Jan-2024 00:00:00 +0000", 1704067200, 0 },
		{ "01-Jan-2024 00:00:00 +0000", 1704067200, 0 },
		{ "29-Feb-2024 23:59:59 +0100", 1709247599, 0 },
		{ "31-Dec-1999 23:59:60 +0000", 946684800, 0 },
		{ "01-mar-2023 12:00:00 +0530", 1677652200, 0 },
		{ "1-Jan-2024 00:00:00", 0, -1 },
		{ "32-Jan-2024 00:00:00 +0000", 0, -1 },
		{ "01-Foo-2024 00:00:00 +0000", 0, -1 },
		{ "01-Jan-2024 24:00:00 +0000", 0, -1 },
		{ "01-Jan-2024 00:00:00 +0000 x", 0, -1 },
		{ "01-Jan-2024 00:00:00 *0000", 0, -1 },
		{ "", 0, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = 0;
		int r = sync_imap_date(cases[i].s, strlen(cases[i].s), &t);

		tap_is_int(r, cases[i].r, "date '%s' result", cases[i].s);
		if (r == 0)
			tap_is_int(t, cases[i].t, "date '%s' value", cases[i].s);
	}
}

static void
test_uid_sets(void)
{
	struct sync_uid_set set;
	struct sync_uids u;

	tap_is_int(sync_uid_set_parse("9:12,1:4,7,5", &set), 0, "set parses");
	tap_is_int((long long)set.nranges, 3, "ranges merged (1:5, 7, 9:12)");
	tap_is_int((long long)set.count, 10, "count");
	tap_ok(sync_uid_set_contains(&set, 5) && sync_uid_set_contains(&set, 12) &&
	    !sync_uid_set_contains(&set, 6) && !sync_uid_set_contains(&set, 13) &&
	    !sync_uid_set_contains(&set, 0), "membership");
	sync_uid_set_free(&set);
	tap_is_int(sync_uid_set_parse("30:20", &set), 0, "reversed range parses");
	tap_ok(sync_uid_set_contains(&set, 25), "reversed range covers");
	sync_uid_set_free(&set);
	tap_is_int(sync_uid_set_parse("5:*", &set), 0, "star parses");
	tap_ok(sync_uid_set_contains(&set, 4000000000u), "star reaches the top");
	sync_uid_set_free(&set);
	tap_is_int(sync_uid_set_parse("", &set), -1, "empty refused");
	tap_is_int(sync_uid_set_parse("1,,2", &set), -1, "empty part refused");
	tap_is_int(sync_uid_set_parse("0", &set), -1, "0 refused");
	tap_is_int(sync_uid_set_parse("1 2", &set), -1, "space refused");
	tap_is_int(sync_uid_set_parse("99999999999", &set), -1, "over 32 bits refused");
	tap_is_int(sync_uid_set_parse("1:", &set), -1, "open range refused");

	sync_uids_init(&u);
	sync_uids_add(&u, 9);
	sync_uids_add(&u, 2);
	sync_uids_add(&u, 5);
	sync_uids_sort(&u);
	tap_ok(sync_uids_contains(&u, 2) && sync_uids_contains(&u, 9) &&
	    !sync_uids_contains(&u, 3), "uid list membership");
	sync_uids_free(&u);
}

static void
test_uids_format(void)
{
	static const uint32_t in[] = { 9, 3, 1, 2, 3, 7, 8, 12, 4000000000u };
	struct sync_uids u;
	size_t i, pos = 0;
	char *s;

	sync_uids_init(&u);
	pos = 0;
	tap_ok(sync_uids_format(&u, &pos, 100) == NULL, "empty list: no set");
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		sync_uids_add(&u, in[i]);
	sync_uids_unique(&u);
	tap_is_int((long long)u.n, 8, "duplicates dropped");
	s = sync_uids_format(&u, &pos, 1000);
	tap_is_str(s, "1:3,7:9,12,4000000000", "compact set");
	free(s);
	tap_ok(sync_uids_format(&u, &pos, 1000) == NULL, "then the end");
	pos = 0;
	s = sync_uids_format(&u, &pos, 1);
	tap_is_str(s, "1:3", "a tiny limit still makes progress");
	free(s);
	s = sync_uids_format(&u, &pos, 10);
	tap_is_str(s, "7:9", "bounded chunk");
	free(s);
	sync_uids_free(&u);

	sync_uids_init(&u);
	tap_is_int(sync_uids_add_set(&u, "5:3,10", 100), 0, "set read");
	tap_is_int((long long)u.n, 4, "four UIDs");
	tap_is_int(sync_uids_add_set(&u, "1:*", 100), -1, "no star");
	tap_is_int(sync_uids_add_set(&u, "1:1000", 100), -1, "bounded");
	tap_is_int(sync_uids_add_set(&u, "1,,2", 100), -1, "malformed");
	pos = 0;
	sync_uids_unique(&u);
	s = sync_uids_format(&u, &pos, 100);
	tap_is_str(s, "3:5,10", "round trip");
	free(s);
	sync_uids_free(&u);

	/* A long list in chunks: each bounded, together everything. */
	sync_uids_init(&u);
	for (i = 1; i <= 3000; i++)
		sync_uids_add(&u, (uint32_t)(i * 2));
	pos = 0;
	{
		size_t chunks = 0, total = 0;
		bool bounded = true;

		while ((s = sync_uids_format(&u, &pos, 1000)) != NULL) {
			struct sync_uids back;

			bounded = bounded && strlen(s) <= 1000;
			sync_uids_init(&back);
			if (sync_uids_add_set(&back, s, 10000) == 0)
				total += back.n;
			sync_uids_free(&back);
			chunks++;
			free(s);
		}
		tap_ok(bounded && chunks > 10, "chunks bounded (%zu)", chunks);
		tap_is_int((long long)total, 3000, "chunks cover every UID");
	}
	sync_uids_free(&u);
}

static void
test_search_answers(void)
{
	static const struct {
		const char *line;
		const char *want;	/* the UID set read back; NULL: -1 */
	} cases[] = {
		{ "* SEARCH\r\n", "" },
		{ "* SEARCH 1 2 3\r\n", "1:3" },
		{ "* SEARCH 9 2 4 (MODSEQ 917162500)\r\n", "2,4,9" },
		{ "* SEARCH 0\r\n", NULL },
		{ "* SEARCH 4294967296\r\n", NULL },
		{ "* SEARCH x\r\n", NULL },
		{ "* ESEARCH (TAG \"a\") UID ALL 3:1\r\n", "1:3" },
		{ "* ESEARCH UID ALL 1,5:6\r\n", "1,5:6" },
		{ "* ESEARCH (TAG \"a\") UID COUNT 3 ALL 2:4\r\n", "2:4" },
		{ "* ESEARCH (TAG \"a\") UID\r\n", "" },
		{ "* ESEARCH (TAG \"a\") UID ALL 1,,2\r\n", NULL },
		{ "* ESEARCH (TAG \"a\") UID ALL 0:4\r\n", NULL },
		{ "* ESEARCH (TAG \"a\") UID ALL 1:*\r\n", NULL },
		{ "* LIST () \"/\" x\r\n", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct imap_parser *p = imap_parser_create(NULL);
		const struct imap_response *r = NULL;
		struct sync_uids u;
		size_t pos = 0;
		char *set;
		int rc;

		sync_uids_init(&u);
		imap_parser_feed(p, cases[i].line, strlen(cases[i].line));
		if (imap_parser_next(p, &r) != 1 || r == NULL) {
			tap_ok(false, "parse %s", cases[i].line);
		} else {
			rc = sync_search_parse(r, &u, 1000);
			sync_uids_unique(&u);
			set = sync_uids_format(&u, &pos, 1000);
			if (cases[i].want == NULL)
				tap_is_int(rc, -1, "refused: %s", cases[i].line);
			else
				tap_is_str(rc == 0 ? (set != NULL ? set : "") : "(error)",
				    cases[i].want, "read: %s", cases[i].line);
			free(set);
		}
		sync_uids_free(&u);
		imap_parser_destroy(&p);
	}
	/* Bounded: a set larger than max is refused, not expanded. */
	{
		struct imap_parser *p = imap_parser_create(NULL);
		const struct imap_response *r = NULL;
		const char *line = "* ESEARCH UID ALL 1:4000000000\r\n";
		struct sync_uids u;

		sync_uids_init(&u);
		imap_parser_feed(p, line, strlen(line));
		tap_ok(imap_parser_next(p, &r) == 1 && r != NULL &&
		    sync_search_parse(r, &u, 1000) == -1 && u.n == 0, "a huge set is refused");
		sync_uids_free(&u);
		imap_parser_destroy(&p);
	}
}

int
main(void)
{
	test_fetch();
	test_many_keywords();
	test_dates();
	test_uid_sets();
	test_uids_format();
	test_search_answers();
	return tap_done();
}
