/* tern --list [--json] [--offline] [--sort KEY] [--reverse] [folder]: a
 * folder's messages, one a line, from the header cache after a resync
 * (or, with --offline, from the cache alone, saying how old it is). In a
 * team folder each message also shows its conversation's ticket, status
 * and assignee, and the keywords behind them are not shown as labels. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cmd/cmd-team.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-view.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "mime/date.h"
#include "mime/safe-text.h"
#include "lib/str.h"
#include "rules/keyword.h"
#include "rules/match.h"
#include "rules/plan.h"
#include "rules/team.h"

#define LIST_FROM_COLS 22
#define LIST_DEPTH_MAX 8

/* One stored address ("Name <addr>" or "addr") as JSON {"name","addr"}. */
static void
list_json_address(struct buf *b, const char *s, size_t len)
{
	const char *lt = NULL, *p;

	for (p = s; p < s + len; p++)
		if (*p == '<')
			lt = p;
	buf_addstr(b, "{\"name\":");
	if (lt != NULL && s[len - 1] == '>') {
		size_t nlen = (size_t)(lt - s);

		while (nlen > 0 && s[nlen - 1] == ' ')
			nlen--;
		if (nlen > 0)
			json_add_string(b, s, nlen);
		else
			buf_addstr(b, "null");
		buf_addstr(b, ",\"addr\":");
		json_add_string(b, lt + 1, (size_t)(s + len - 1 - (lt + 1)));
	} else {
		buf_addstr(b, "null,\"addr\":");
		json_add_string(b, s, len);
	}
	buf_addc(b, '}');
}

static void
list_json_addresses(struct buf *b, const char *key, const char *list)
{
	bool first = true;

	buf_printf(b, ",\"%s\":[", key);
	while (*list != '\0') {
		const char *nl = strchr(list, '\n');
		size_t len = nl != NULL ? (size_t)(nl - list) : strlen(list);

		if (len > 0) {
			if (!first)
				buf_addc(b, ',');
			list_json_address(b, list, len);
			first = false;
		}
		list += len + (nl != NULL);
	}
	buf_addc(b, ']');
}

/* Whether a keyword is one of tern's own (status, assignee, tern/...),
 * which a team folder shows as such and never as a label. */
static bool
list_reserved_keyword(const char *kw, size_t len)
{
	static const char *const prefixes[] = {
		KEYWORD_STATUS_PREFIX, KEYWORD_ASSIGN_PREFIX, KEYWORD_TERN_PREFIX,
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (len >= strlen(prefixes[i]) && str_ncaseeq(kw, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* Space-separated words as a JSON array (after extra entries); with
 * team, without the reserved keywords. */
static void
list_json_words(struct buf *b, const char *words, bool first, bool team)
{
	while (*words != '\0') {
		size_t len = strcspn(words, " ");

		if (len > 0 && !(team && list_reserved_keyword(words, len))) {
			if (!first)
				buf_addc(b, ',');
			json_add_string(b, words, len);
			first = false;
		}
		words += len;
		while (*words == ' ')
			words++;
	}
}

/* The team keys of a message in a team folder: its conversation's. */
static void
list_json_team(struct buf *b, const struct team_convo *c)
{
	buf_addstr(b, ",\"status\":");
	json_add_cstring(b, team_status_name(c->status));
	buf_addstr(b, ",\"assign\":");
	json_add_cstring(b, c->assign);
	buf_addstr(b, ",\"ticket\":");
	json_add_cstring(b, c->ticket[0] != '\0' ? c->ticket : NULL);
}

/* convo is the message's conversation in a team folder, else NULL. */
static void
list_json(struct buf *b, const char *folder, const struct index *idx,
    const struct index_msg *m, size_t thread, const struct team_convo *convo)
{
	char date[DATE_ISO_SIZE];
	bool first = true;
	size_t i;

	buf_addstr(b, "{\"subject\":");
	json_add_cstring(b, index_msg_str(idx, m, INDEX_STR_SUBJECT));
	list_json_addresses(b, "from", index_msg_str(idx, m, INDEX_STR_FROM));
	list_json_addresses(b, "to", index_msg_str(idx, m, INDEX_STR_TO));
	list_json_addresses(b, "cc", index_msg_str(idx, m, INDEX_STR_CC));
	buf_addstr(b, ",\"date\":");
	if (m->date != INDEX_NO_DATE && date_format_iso_utc((time_t)m->date, date) == 0)
		json_add_cstring(b, date);
	else
		buf_addstr(b, "null");
	buf_addstr(b, ",\"message_id\":");
	json_add_cstring(b, index_msg_str(idx, m, INDEX_STR_MESSAGE_ID)[0] != '\0' ?
	    index_msg_str(idx, m, INDEX_STR_MESSAGE_ID) : NULL);
	buf_addstr(b, ",\"in_reply_to\":");
	json_add_cstring(b, index_msg_str(idx, m, INDEX_STR_IN_REPLY_TO)[0] != '\0' ?
	    index_msg_str(idx, m, INDEX_STR_IN_REPLY_TO) : NULL);
	buf_addstr(b, ",\"references\":[");
	list_json_words(b, index_msg_str(idx, m, INDEX_STR_REFERENCES), true, false);
	/* The attachments are known only once the message is read; the
	 * index knows only whether it has some. */
	buf_addstr(b, "],\"attachments\":null,\"folder\":");
	json_add_cstring(b, folder);
	buf_printf(b, ",\"uid\":%" PRIu32 ",\"flags\":[", m->uid);
	/* System flags go to "flags", the keywords kept as bits
	 * ($Forwarded, $Junk) to "labels". */
	for (i = 0; i < INDEX_FLAG_NAMES; i++) {
		if (index_flag_names[i].name[0] != '\\' || !(m->flags & index_flag_names[i].bit))
			continue;
		if (!first)
			buf_addc(b, ',');
		json_add_cstring(b, index_flag_names[i].name);
		first = false;
	}
	buf_addstr(b, "],\"labels\":[");
	first = true;
	for (i = 0; i < INDEX_FLAG_NAMES; i++) {
		if (index_flag_names[i].name[0] == '\\' || !(m->flags & index_flag_names[i].bit))
			continue;
		if (!first)
			buf_addc(b, ',');
		json_add_cstring(b, index_flag_names[i].name);
		first = false;
	}
	list_json_words(b, index_msg_str(idx, m, INDEX_STR_KEYWORDS), first, convo != NULL);
	buf_printf(b, "],\"size\":%" PRIu32 ",\"thread\":%zu", m->size, thread);
	if (convo != NULL)
		list_json_team(b, convo);
	buf_addstr(b, "}\n");
}

/* A team folder's line ends in its labels (without the reserved
 * keywords), then "ticket:T status:S assign:NAME", spelled as queries
 * are (ticket and assign left out when there is none). */
static void
list_text_team(struct buf *b, struct buf *cell, const char *kw, const struct team_convo *c)
{
	bool first = true;

	buf_reset(cell);
	while (*kw != '\0') {
		size_t len = strcspn(kw, " ");

		if (len > 0 && !list_reserved_keyword(kw, len)) {
			if (!first)
				buf_addc(cell, ' ');
			(void)safe_text_append(cell, kw, len, SAFE_TEXT_HEADER);
			first = false;
		}
		kw += len;
		while (*kw == ' ')
			kw++;
	}
	if (!first)
		buf_printf(b, "  [%s]", buf_ptr(cell));
	buf_addstr(b, "  ");
	if (c->ticket[0] != '\0')
		buf_printf(b, "ticket:%s ", c->ticket);
	buf_printf(b, "status:%s", team_status_name(c->status));
	if (c->assign != NULL) {
		buf_reset(cell);
		(void)safe_text_append(cell, c->assign, strlen(c->assign), SAFE_TEXT_HEADER);
		buf_printf(b, " assign:%s", buf_ptr(cell));
	}
}

/* convo is the message's conversation in a team folder, else NULL. */
static void
list_text(struct buf *b, const char *date_format, const struct index *idx,
    const struct index_msg *m, unsigned depth, bool threaded, const struct team_convo *convo)
{
	struct buf cell;
	const char *from, *kw;
	size_t flen, width, cut, i;
	char date[64] = "";
	time_t t = (time_t)cmd_view_date(m);
	struct tm tm;

	/* date-format is the user's strftime(3) format, by design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (t != 0 && localtime_r(&t, &tm) != NULL &&
	    strftime(date, sizeof(date), date_format, &tm) == 0)
		date[0] = '\0';
#pragma GCC diagnostic pop
	buf_init(&cell, 64 * 1024);
	(void)safe_text_append(&cell, date, strlen(date), SAFE_TEXT_HEADER);
	buf_printf(b, "%s %c%c%c ", buf_ptr(&cell), m->flags & INDEX_SEEN ? ' ' : 'N',
	    m->flags & INDEX_FLAGGED ? '!' : ' ', m->flags & INDEX_ANSWERED ? 'r' : ' ');

	index_addr_short(index_msg_str(idx, m, INDEX_STR_FROM), &from, &flen);
	buf_reset(&cell);
	(void)safe_text_append(&cell, from, flen, SAFE_TEXT_HEADER);
	cut = safe_text_truncate_cols(buf_ptr(&cell), buf_len(&cell), LIST_FROM_COLS, &width);
	buf_add(b, buf_ptr(&cell), cut);
	for (; width < LIST_FROM_COLS; width++)
		buf_addc(b, ' ');
	buf_addstr(b, "  ");
	if (threaded)
		for (i = 0; i < depth && i < LIST_DEPTH_MAX; i++)
			buf_addstr(b, "  ");
	buf_reset(&cell);
	(void)safe_text_append(&cell, index_msg_str(idx, m, INDEX_STR_SUBJECT),
	    strlen(index_msg_str(idx, m, INDEX_STR_SUBJECT)), SAFE_TEXT_HEADER);
	buf_add(b, buf_ptr(&cell), buf_len(&cell));
	kw = index_msg_str(idx, m, INDEX_STR_KEYWORDS);
	if (convo != NULL) {
		list_text_team(b, &cell, kw, convo);
	} else if (kw[0] != '\0') {
		buf_reset(&cell);
		(void)safe_text_append(&cell, kw, strlen(kw), SAFE_TEXT_HEADER);
		buf_printf(b, "  [%s]", buf_ptr(&cell));
	}
	buf_addc(b, '\n');
	buf_free(&cell);
}

/* "3 hours ago" for the --offline note. */
static void
list_age(int64_t then, char *out, size_t size)
{
	int64_t d = (int64_t)time(NULL) - then;

	if (d < 120)
		snprintf(out, size, "%" PRId64 " seconds ago", d < 0 ? 0 : d);
	else if (d < 7200)
		snprintf(out, size, "%" PRId64 " minutes ago", d / 60);
	else if (d < 2 * 86400)
		snprintf(out, size, "%" PRId64 " hours ago", d / 3600);
	else
		snprintf(out, size, "%" PRId64 " days ago", d / 86400);
}

static int
list_print(const struct cli_opts *opts, const struct conf *conf, const char *folder,
    const struct index *idx, const bool *show, bool team)
{
	struct team_convos *convos = team ? team_convos_build(idx) : NULL;
	const char *fmt = conf_get(conf, "date-format");
	const char *sort_name = opts->sort != NULL ? opts->sort : conf_get(conf, "sort");
	bool reverse = opts->reverse;
	enum cmd_sort sort = CMD_SORT_DATE;
	struct cmd_view view;
	struct buf b;
	size_t i;

	if (!reverse && conf_get(conf, "reverse") != NULL)
		(void)conf_parse_bool(conf_get(conf, "reverse"), &reverse);
	if (sort_name != NULL && cmd_sort_parse(sort_name, &sort) != 0)
		sort = CMD_SORT_DATE;	/* the mailrc's value was checked when loaded */
	if (cmd_view_build(idx, sort, reverse, opts->json, &view) != 0) {
		log_error("folder %s has too many messages to thread", folder);
		team_convos_free(&convos);
		return EXIT_PARTIAL;
	}
	buf_init(&b, 1024 * 1024);
	for (i = 0; i < view.n; i++) {
		size_t pos = view.order[i];
		const struct index_msg *m = index_at(idx, pos);

		if (show != NULL && !show[pos]) {
			if (i + 1 == view.n && buf_len(&b) > 0)
				fwrite(buf_ptr(&b), 1, buf_len(&b), stdout);
			continue;
		}

		if (opts->json)
			list_json(&b, folder, idx, m, view.thread[pos],
			    convos != NULL ? team_convos_of(convos, pos) : NULL);
		else
			list_text(&b, fmt != NULL ? fmt : "%Y-%m-%d %H:%M", idx, m,
			    view.depth[pos], sort == CMD_SORT_THREAD,
			    convos != NULL ? team_convos_of(convos, pos) : NULL);
		if (buf_len(&b) > 512 * 1024 || i + 1 == view.n) {
			fwrite(buf_ptr(&b), 1, buf_len(&b), stdout);
			buf_reset(&b);
		}
	}
	buf_free(&b);
	cmd_view_free(&view);
	team_convos_free(&convos);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the list: output error");
		return EXIT_PARTIAL;
	}
	return EXIT_OK;
}

int
cli_query_plan(struct cli_query *lq, enum plan_where where)
{
	struct plan_ctx ctx;
	char *error = NULL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.where = where;
	plan_free(&lq->plan);
	if ((lq->plan = plan_build(lq->q, &ctx, &error)) == NULL) {
		log_error("%s", error);
		free(error);
		return -1;
	}
	return 0;
}

int
cli_query_search(struct cli_query *lq, struct cmd_imap *session, const struct conf *conf,
    const struct conf_account *acct)
{
	struct cmd_apply *ap;
	char *error = NULL;
	int r;

	lq->slots = xcalloc(lq->plan->nsearches + 1, sizeof(*lq->slots));
	lq->searched = true;
	if (lq->plan->nsearches == 0)
		return 0;
	ap = cmd_apply_create(session, conf, acct, NULL, false, stdout);
	r = cmd_apply_search_slots(ap, lq->plan, lq->slots, &error);
	cmd_apply_destroy(&ap);
	if (r != 0) {
		log_error("%s", error);
		free(error);
		return -1;
	}
	return 0;
}

/* Which positions of idx to show. A new array. */
bool *
cli_query_show(struct cli_query *lq, const struct index *idx)
{
	size_t n = index_count(idx), i;
	bool *show = xcalloc(n + 1, sizeof(*show));

	if (!lq->plan->needs_cache) {
		for (i = 0; i < n; i++)
			show[i] = sync_uids_contains(&lq->slots[0], index_at(idx, i)->uid);
	} else {
		struct query_match_ctx mctx = { idx, lq->slots, lq->plan->nsearches, NULL };
		struct query_matcher *mt = query_matcher_create(lq->q, &mctx);

		for (i = 0; i < n; i++)
			show[i] = query_matcher_test(mt, index_at(idx, i));
		query_matcher_destroy(&mt);
	}
	return show;
}

void
cli_query_reset(struct cli_query *lq)
{
	size_t i;

	if (lq->slots != NULL && lq->plan != NULL)
		for (i = 0; i < lq->plan->nsearches; i++)
			sync_uids_free(&lq->slots[i]);
	free(lq->slots);
	lq->slots = NULL;
	lq->searched = false;
}

void
cli_query_free(struct cli_query *lq)
{
	cli_query_reset(lq);
	plan_free(&lq->plan);
	query_free(&lq->q);
}

int
cli_list_index(const struct conf *conf, const struct conf_account *acct, const char *name,
    bool offline, struct cli_query *lq, struct index **idx_r)
{
	struct sync_stats stats;
	struct cmd_imap *session;
	struct cache *cache;
	struct index *idx = NULL;
	char *folder, *error;
	int status = EXIT_OK;

	*idx_r = NULL;
	if ((folder = cmd_folder_wire_name(name, '/')) == NULL) {
		log_error("folder name '%s' is not valid UTF-8", name);
		return EXIT_USAGE;
	}
	if (cmd_sync_cache_open(conf, acct, &cache, &error) != 0) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		free(folder);
		return EXIT_PARTIAL;
	}
	/* As the cache remembers the server's hierarchy delimiter; the
	 * server itself says it below. */
	free(folder);
	folder = cmd_folder_wire(NULL, cache, name);
	if (cli_pop3_only(acct)) {
		/* POP3: one mailbox, refreshed with TOP; offline as below. */
		if ((status = cli_pop3_folder(acct, name)) != EXIT_OK)
			goto out;
		if (!offline &&
		    (status = cli_pop3_refresh(conf, acct, cache, &idx, &stats)) != EXIT_OK)
			index_destroy(&idx);
	} else if (!offline) {
		status = cli_session(conf, acct, &session);
		if (status == EXIT_OK) {
			/* Now that the server can say its hierarchy delimiter. */
			free(folder);
			folder = cmd_folder_wire(session, cache, name);
			if (cmd_sync_folder(session, cache, conf, folder, false, &idx, &stats,
			    &error) != 0) {
				fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct),
				    error);
				free(error);
				status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
			} else if (lq != NULL && lq->plan != NULL && cli_query_search(lq, session,
			    conf, acct) != 0) {
				status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
				index_destroy(&idx);
			}
			cmd_imap_close(&session);
		}
		if (idx == NULL && status != EXIT_CONNECT)
			goto out;
	}
	if (idx == NULL) {
		/* Offline, or the server could not be reached: the cache
		 * alone, and how old it is. */
		char age[64];

		if (cache_load(cache, folder, &idx, &error) != 0) {
			log_error("%s", error);
			free(error);
			status = EXIT_PARTIAL;
			goto out;
		}
		if (index_state(idx)->uidvalidity == 0) {
			log_error("folder %s is not in the cache yet: run tern --sync %s", name, name);
			if (status == EXIT_OK)
				status = EXIT_PARTIAL;
			index_destroy(&idx);
			goto out;
		}
		list_age(index_state(idx)->synced_at, age, sizeof(age));
		log_warn("%s: from the cache, synced %s", name, age);
		if (lq != NULL && lq->q != NULL && !lq->searched &&
		    (cli_query_plan(lq, PLAN_OFFLINE) != 0 ||
		    cli_query_search(lq, NULL, conf, acct) != 0)) {
			status = EXIT_USAGE;
			index_destroy(&idx);
			goto out;
		}
	}
	*idx_r = idx;
out:
	cache_close(&cache);
	free(folder);
	return status;
}

int
cli_list(const struct cli_opts *opts, struct conf *conf)
{
	struct cli_query lq;
	bool *show = NULL;
	const struct conf_account *acct = cli_account(opts, conf);
	const char *name = opts->nargs > 0 ? opts->args[0] : "INBOX";
	enum cmd_sort sort;
	struct index *idx = NULL;
	int status;

	memset(&lq, 0, sizeof(lq));
	if (acct == NULL)
		return EXIT_USAGE;
	if (opts->query != NULL) {
		enum plan_where where = opts->offline ? PLAN_OFFLINE : PLAN_CACHE;

		if (opts->search_on != NULL && strcmp(opts->search_on, "server") == 0)
			where = PLAN_SERVER;
		if ((lq.q = cli_query_parse(opts->query)) == NULL)
			return EXIT_USAGE;
		if (cli_query_plan(&lq, where) != 0) {
			cli_query_free(&lq);
			return EXIT_USAGE;
		}
	}
	if (opts->nargs > 1) {
		log_error("--list takes one folder (see tern --help)");
		cli_query_free(&lq);
		return EXIT_USAGE;
	}
	if (opts->sort != NULL && cmd_sort_parse(opts->sort, &sort) != 0) {
		log_error("--sort %s: not one of date, thread, from, subject, size", opts->sort);
		cli_query_free(&lq);
		return EXIT_USAGE;
	}
	status = cli_list_index(conf, acct, name, opts->offline, &lq, &idx);
	if (idx != NULL) {
		int r;

		if (lq.q != NULL)
			show = cli_query_show(&lq, idx);
		r = list_print(opts, conf, name, idx, show,
		    cmd_team_of(conf, acct, name) != NULL);
		if (status == EXIT_OK)
			status = r;
	}
	free(show);
	cli_query_free(&lq);
	index_destroy(&idx);
	return status;
}
