/* Conversations of a team folder and their state (rules/team.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/index.h"
#include "lib/xmalloc.h"
#include "rules/team-settings.h"
#include "rules/team.h"
#include "rules/ticket.h"
#include "tap.h"

struct msg {
	uint32_t uid;
	int64_t internaldate;
	const char *msgid, *irt, *refs, *keywords;
};

/* Three conversations and a message without any id:
 * A: 1 (root), 3 (reply by References), 6 (reply by In-Reply-To only,
 *    to the root); B: 2, 5; C: 4 alone; 7 has no id at all. */
static const struct msg msgs[] = {
	{ 1, 1000, "<a@x>", NULL, NULL, "status/pending assign/alice" },
	{ 2, 1100, "<b@x>", NULL, NULL, NULL },
	{ 3, 1200, "<a2@y>", "<a@x>", "<a@x>", "status/pending assign/alice" },
	{ 4, 1300, "<c@x>", NULL, NULL, "Status/Done" },
	{ 5, 1400, "<b2@y>", "<b@x>", "<b@x> <b1@x>", "assign/b&AOk-atrice" },
	/* The newest message of A says open (a customer wrote again) but
	 * has no assignee: the assignee comes from an older message. */
	{ 6, 1500, "<a3@y>", "<a@x>", NULL, "status/open" },
	{ 7, 900, NULL, NULL, NULL, "status/done" },
};
#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

static struct index *
build(void)
{
	struct index *idx = index_create();
	size_t i;

	for (i = 0; i < NMSGS; i++) {
		struct index_msg_in m;

		memset(&m, 0, sizeof(m));
		m.uid = msgs[i].uid;
		m.internaldate = msgs[i].internaldate;
		m.date = INDEX_NO_DATE;
		m.str[INDEX_STR_MESSAGE_ID] = msgs[i].msgid;
		m.str[INDEX_STR_IN_REPLY_TO] = msgs[i].irt;
		m.str[INDEX_STR_REFERENCES] = msgs[i].refs;
		m.str[INDEX_STR_KEYWORDS] = msgs[i].keywords;
		index_put(idx, &m);
	}
	return idx;
}

static char *
uids_of(const struct index *idx, const struct team_convo *c)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < c->n; i++) {
		t = xasprintf("%s%s%u", s, i > 0 ? " " : "", index_at(idx, c->pos[i])->uid);
		free(s);
		s = t;
	}
	return s;
}

static void
test_groups(void)
{
	struct index *idx = build();
	struct team_convos *c = team_convos_build(idx);
	const struct team_convo *a, *b, *d;
	char ta[TICKET_LEN + 1], tb[TICKET_LEN + 1], *s;
	size_t i, total = 0;

	tap_is_int((long long)team_convos_count(c), 4, "four conversations");
	for (i = 0; i < team_convos_count(c); i++)
		total += team_convos_at(c, i)->n;
	tap_is_int((long long)total, NMSGS, "every message in one");
	tap_ok(ticket_of_root("<a@x>", ta) && ticket_of_root("<b@x>", tb), "tickets");
	a = team_convos_find(c, ta);
	b = team_convos_find(c, tb);
	tap_ok(a != NULL && b != NULL, "found by ticket");
	if (a == NULL || b == NULL)
		goto out;
	s = uids_of(idx, a);
	tap_is_str(s, "1 3 6", "A holds its replies, by UID");
	free(s);
	tap_is_str(team_status_name(a->status), "open", "the newest status decides");
	tap_ok(a->status_set, "a status was set");
	tap_is_str(a->assign, "alice", "the assignee of an older message");
	tap_is_int(a->first, 1000, "first arrival");
	tap_is_int(a->last, 1500, "last arrival");
	tap_is_str(team_status_name(b->status), "open", "no status: open");
	tap_ok(!b->status_set, "none was set");
	tap_is_str(b->assign, "béatrice", "an encoded name is decoded");
	tap_ok(team_convos_at(c, 0) == a, "newest conversation first");
	for (i = 0; i < NMSGS; i++) {
		d = team_convos_of(c, i);
		if (index_at(idx, i)->uid == 4) {
			tap_is_str(team_status_name(d->status), "done", "case-insensitive status");
			tap_ok(d->assign == NULL, "no assignee");
		}
		if (index_at(idx, i)->uid == 7) {
			tap_is_str(d->ticket, "", "no id: no ticket");
			tap_is_int((long long)d->n, 1, "and alone");
		}
		if (index_at(idx, i)->uid == 5)
			tap_ok(d == b, "a message finds its conversation");
	}
	tap_ok(team_convos_find(c, "") == NULL && team_convos_find(c, NULL) == NULL,
	    "no conversation for no ticket");
	tap_ok(team_convos_of(c, NMSGS) == NULL, "nor past the end");
out:
	team_convos_free(&c);
	tap_ok(c == NULL, "freed");
	index_destroy(&idx);
}

/* The shared views of a folder's conversations: the words of a set of
 * messages, waiting and the deadline, the queues. */
static void
test_views(void)
{
	struct index *idx = build();
	struct team_convos *c = team_convos_build(idx);
	struct team_queues q;
	enum team_status s;
	char ta[TICKET_LEN + 1], tb[TICKET_LEN + 1], *assign;
	const struct team_convo *a, *b;
	int64_t since;
	bool set, overdue;
	size_t i;

	team_words(idx, NULL, index_count(idx), &s, &set, &assign);
	tap_ok(set && s == TEAM_DONE, "the whole folder: the newest status (UID 7) decides");
	tap_is_str(assign, "b\xc3\xa9" "atrice", "and the newest assignee (UID 5)");
	free(assign);
	team_words(idx, NULL, 0, &s, &set, &assign);
	tap_ok(!set && s == TEAM_OPEN && assign == NULL, "no messages: open, nobody");

	(void)ticket_of_root("<a@x>", ta);
	(void)ticket_of_root("<b@x>", tb);
	a = team_convos_find(c, ta);
	b = team_convos_find(c, tb);
	tap_ok(team_convo_waiting(idx, a, NULL, 17950, 19000, &since, &overdue) &&
	    since == 1000 && overdue, "A waits since its first message, past the deadline");
	tap_ok(team_convo_waiting(idx, b, NULL, 17950, 19000, &since, &overdue) &&
	    since == 1100 && !overdue, "B waits, within it");
	tap_ok(team_convo_waiting(idx, b, NULL, 0, 19000, &since, &overdue) && !overdue,
	    "no deadline: never overdue");
	for (i = 0; i < NMSGS; i++) {
		if (index_at(idx, i)->uid == 4)
			tap_ok(!team_convo_waiting(idx, team_convos_of(c, i), NULL, 1, 19000,
			    &since, &overdue) && !overdue, "a done conversation waits on nobody");
		if (index_at(idx, i)->uid == 5)
			tap_ok(team_convos_at(c, team_convos_which(c, i)) == b,
			    "a message's place in the list");
	}
	tap_is_int((long long)team_convos_which(c, NMSGS), (long long)team_convos_count(c),
	    "no place past the end");
	team_queues_count(c, idx, NULL, "alice", 17950, 19000, &q);
	tap_ok(q.open == 2 && q.unassigned == 0 && q.mine == 1 && q.pending == 0 &&
	    q.overdue == 1, "queues: open %zu, unassigned %zu, mine %zu, pending %zu, "
	    "overdue %zu", q.open, q.unassigned, q.mine, q.pending, q.overdue);
	team_queues_count(c, idx, NULL, NULL, 0, 19000, &q);
	tap_ok(q.mine == 0 && q.overdue == 0, "no me=, no deadline: none mine or overdue");
	team_convos_free(&c);
	index_destroy(&idx);
}

static void
test_words(void)
{
	enum team_status s = TEAM_OPEN;
	char *n;

	tap_ok(!team_msg_status("", &s), "no keywords");
	tap_ok(!team_msg_status("status/later statusdone status/", &s), "not a status");
	tap_ok(team_msg_status("Work status/pending", &s) && s == TEAM_PENDING, "pending");
	n = team_msg_assign("x assign/bob");
	tap_is_str(n, "bob", "assignee");
	free(n);
	tap_ok(team_msg_assign("assign/ assignbob") == NULL, "no assignee");
	tap_ok(team_msg_assign("assign/None") == NULL, "assign/none is nobody");
}

static void
test_by_team(void)
{
	struct index *idx = index_create();
	static const struct {
		const char *from, *keywords, *ours;
		bool want;
	} cases[] = {
		{ "Support <support@example.org>", "", "support@example.org", true },
		{ "SUPPORT@Example.ORG", "", "support@example.org", true },
		{ "Customer <c@customer.example>", "", "support@example.org", false },
		{ "Customer <c@customer.example>", "x tern/reply", "support@example.org", true },
		{ "Customer <c@customer.example>", "TERN/Reply", NULL, true },
		{ "Support <support@example.org.evil>", "", "support@example.org", false },
		{ "Support <support@example.org>", "", "", false },
		/* The first address only. */
		{ "C <c@x.example>\nSupport <support@example.org>", "", "support@example.org",
		  false },
		{ "", "", "support@example.org", false },
		{ " support@example.org ", "", "support@example.org", true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct index_msg_in m;
		long pos;

		memset(&m, 0, sizeof(m));
		m.uid = (uint32_t)i + 1;
		m.date = INDEX_NO_DATE;
		m.str[INDEX_STR_FROM] = cases[i].from;
		m.str[INDEX_STR_KEYWORDS] = cases[i].keywords;
		index_put(idx, &m);
		pos = index_find(idx, m.uid);
		tap_ok(pos >= 0 && team_msg_by_team(idx, index_at(idx, (size_t)pos),
		    cases[i].ours) == cases[i].want, "by the team, case %zu: %d", i,
		    cases[i].want);
	}
	index_destroy(&idx);
}

/* ---- shared settings ---- */

static void
collect(void *ctx, const char *message)
{
	char **all = ctx, *t = xasprintf("%s%s\n", *all, message);

	free(*all);
	*all = t;
}

static void
test_settings(void)
{
	static const char text[] =
	    "# The support team's shared settings\r\n"
	    "set members=\"alice bob dave\"\r\n"
	    "reply-deadline = 2h\n"
	    "\n"
	    "  set acknowledge=on   # shared by everyone\n"
	    "set me=mallory\n"
	    "set templates=/etc\n"
	    "set reply-deadline=soon\n"
	    "just words\n"
	    "set acknowledge-template='received'\n"
	    "set reply-deadline=4h";
	static const char nul[] = "set members=a\0b\nset acknowledge=no\n";
	static const char hostile[] = "set acknowledge-template=r\x1b[2J\n"
	    "set members=\"a \xff\"\nset acknowledge-template=s\x7f\n";
	struct team_settings s;
	char *warnings = xstrdup("");

	memset(&s, 0, sizeof(s));
	team_settings_parse(text, sizeof(text) - 1, "imap:T/settings", &s, collect, &warnings);
	tap_is_str(team_settings_get(&s, "members"), "alice bob dave", "quoted members");
	tap_is_str(team_settings_get(&s, "reply-deadline"), "4h", "the later line wins");
	tap_is_str(team_settings_get(&s, "acknowledge-template"), "received", "single quotes");
	tap_ok(team_settings_get(&s, "acknowledge") != NULL &&
	    strcmp(team_settings_get(&s, "acknowledge"), "yes") == 0,
	    "a boolean in stored form, the comment dropped: %s",
	    team_settings_get(&s, "acknowledge"));
	tap_ok(team_settings_get(&s, "me") == NULL, "me= is each person's");
	tap_ok(team_settings_get(&s, "templates") == NULL, "so is templates=");
	tap_ok(strstr(warnings, "imap:T/settings:6: 'me' is not a setting the team shares") !=
	    NULL, "said with file and line");
	tap_ok(strstr(warnings, "imap:T/settings:7: 'templates'") != NULL, "templates= said");
	tap_ok(strstr(warnings, "imap:T/settings:8: bad value for 'reply-deadline'") != NULL,
	    "a bad value said");
	tap_ok(strstr(warnings, "imap:T/settings:9: expected 'set NAME=VALUE'") != NULL,
	    "a line that is no setting said");
	team_settings_free(&s);
	free(warnings);

	warnings = xstrdup("");
	team_settings_parse(nul, sizeof(nul) - 1, "f", &s, collect, &warnings);
	tap_ok(team_settings_get(&s, "members") == NULL, "a line with NUL is skipped");
	tap_is_str(team_settings_get(&s, "acknowledge"), "no", "the next one is read");
	team_settings_free(&s);
	free(warnings);
	team_settings_parse(hostile, sizeof(hostile) - 1, "f", &s, NULL, NULL);
	tap_is_int((long long)s.n, 0, "no control characters, no bad UTF-8 from the server");
	team_settings_parse("", 0, "f", &s, NULL, NULL);
	tap_is_int((long long)s.n, 0, "empty text, no settings");
}

static void
test_empty(void)
{
	struct index *idx = index_create();
	struct team_convos *c = team_convos_build(idx);

	tap_is_int((long long)team_convos_count(c), 0, "an empty folder");
	tap_ok(team_convos_at(c, 0) == NULL, "has none");
	team_convos_free(&c);
	index_destroy(&idx);
}

int
main(void)
{
	test_groups();
	test_views();
	test_words();
	test_by_team();
	test_settings();
	test_empty();
	return tap_done();
}
