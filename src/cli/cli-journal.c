/* The offline journal from the command line:
 *   tern --offline --match QUERY ACTION... [folder...]  record, apply to
 *                                                      the cache
 *   tern --replay                                      replay what waits
 *   tern --journal [--json]                            list what waits
 * and the replay that every command which logs in runs first, so that
 * nothing it does overtakes a change made earlier offline. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cmd/cmd-journal.h"
#include "cmd/cmd-login.h"
#include "cmd/cmd-sync.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

void
cli_journal_note(const struct conf *conf, const struct conf_account *acct)
{
	size_t n = cmd_journal_waiting(conf, acct);

	if (n > 0)
		fprintf(stderr, "journal: %zu change%s waiting (tern --replay sends %s)\n", n,
		    n == 1 ? "" : "s", n == 1 ? "it" : "them");
}

/* ---- recording --match offline ---- */

/* The messages of one cached folder that q matches, recorded and applied
 * to the cache. EXIT_OK, or the status after saying why. */
static int
offline_folder(const struct conf *conf, const struct conf_account *acct, struct cache *cache,
    struct journal *j, struct cli_query *cq, const char *name, const struct cmd_actions *a,
    bool dry_run)
{
	char *wire = cmd_folder_wire(NULL, cache, name), *error = NULL;
	struct index *idx = NULL;
	struct sync_uids uids;
	struct cmd_apply *ap;
	bool *show = NULL;
	size_t i;
	int status = EXIT_PARTIAL;

	sync_uids_init(&uids);
	if (wire == NULL) {
		log_error("folder name '%s' is not valid UTF-8", name);
		return EXIT_USAGE;
	}
	if (cache_load(cache, wire, &idx, &error) != 0) {
		log_error("%s", error);
		free(error);
		goto out;
	}
	if (index_state(idx)->uidvalidity == 0) {
		log_error("%s: not in the cache, so nothing can be changed offline (run "
		    "tern --sync %s while connected)", name, name);
		goto out;
	}
	cli_query_reset(cq);
	if (cli_query_search(cq, NULL, conf, acct) != 0) {
		status = EXIT_USAGE;
		goto out;
	}
	show = cli_query_show(cq, idx);
	for (i = 0; i < index_count(idx); i++)
		if (show[i])
			sync_uids_add(&uids, index_at(idx, i)->uid);
	sync_uids_unique(&uids);
	status = EXIT_OK;
	if (uids.n == 0) {
		fprintf(stderr, "%s: no message matches\n", name);
		goto out;
	}
	if (dry_run) {
		fprintf(stderr, "%s: would record offline: %zu message%s\n", name, uids.n,
		    uids.n == 1 ? "" : "s");
		goto out;
	}
	/* The journal first: a change it does not hold is not made. */
	if (cmd_journal_record_actions(j, name, idx, a, &uids, &error) != 0) {
		log_error("%s; nothing was changed", error);
		free(error);
		status = EXIT_PARTIAL;
		goto out;
	}
	ap = cmd_apply_create(NULL, conf, acct, cache, false, stderr);
	cmd_apply_local(ap, a, idx, &uids);
	cmd_apply_destroy(&ap);
	if (cache_save(cache, wire, idx, &error) != 0) {
		log_warn("%s (the change is in the journal all the same)", error);
		free(error);
	}
	for (i = 0; i < a->n; i++) {
		char *what = cmd_action_text(&a->v[i]);

		fprintf(stderr, "%s: %s: %zu message%s changed offline\n", name, what, uids.n,
		    uids.n == 1 ? "" : "s");
		free(what);
	}
out:
	free(show);
	sync_uids_free(&uids);
	index_destroy(&idx);
	free(wire);
	return status;
}

int
cli_match_offline(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_actions *a)
{
	size_t nfolders, f;
	const char *const *folders = cli_batch_folders(opts, &nfolders);
	struct cli_query cq;
	struct cache *cache = NULL;
	struct journal *j = NULL;
	char *error = NULL;
	int status = EXIT_OK;

	memset(&cq, 0, sizeof(cq));
	for (f = 0; f < a->n; f++) {
		if (a->v[f].def->kind == CMD_ACTION_CLAIM) {
			log_error("--claim needs the server (who holds a conversation is decided "
			    "there); nothing was changed");
			return EXIT_USAGE;
		}
	}
	if ((cq.q = cli_query_parse(opts->query)) == NULL)
		return EXIT_USAGE;
	if (cli_query_plan(&cq, PLAN_OFFLINE) != 0) {
		cli_query_free(&cq);
		return EXIT_USAGE;
	}
	if (cmd_sync_cache_open(conf, acct, &cache, &error) != 0 ||
	    (!opts->dry_run && cmd_journal_open(conf, acct, true, &j, &error) != 0)) {
		log_error("account '%s': %s; nothing was changed", conf_account_name(acct), error);
		free(error);
		cache_close(&cache);
		cli_query_free(&cq);
		return EXIT_PARTIAL;
	}
	for (f = 0; f < nfolders; f++) {
		int s = offline_folder(conf, acct, cache, j, &cq, folders[f], a, opts->dry_run);

		if (s != EXIT_OK && status != EXIT_USAGE)
			status = s;
	}
	journal_close(&j);
	cache_close(&cache);
	cli_query_free(&cq);
	cli_journal_note(conf, acct);
	return status;
}

/* ---- replaying ---- */

static void
cli_replay_report(void *ctx, const char *sentence)
{
	(void)ctx;
	fprintf(stderr, "tern: journal: %s\n", sentence);
}

int
cli_replay_first(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap *session, struct cache *cache, bool say_nothing)
{
	struct cmd_login_secret secret;
	struct cmd_replay r;
	struct journal *j = NULL;
	char *error = NULL;
	int status = EXIT_OK, rc;

	if (cmd_journal_open(conf, acct, false, &j, &error) != 0) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		return EXIT_PARTIAL;
	}
	if (j == NULL || journal_count(j) == 0) {
		journal_close(&j);
		if (say_nothing)
			fprintf(stderr, "journal: nothing waiting\n");
		return EXIT_OK;
	}
	if ((status = cli_secret(conf, acct, &secret)) != EXIT_OK) {
		journal_close(&j);
		return status;
	}
	memset(&r, 0, sizeof(r));
	r.session = session;
	r.cache = cache;
	r.conf = conf;
	r.acct = acct;
	r.secret = &secret;
	r.report = cli_replay_report;
	rc = cmd_journal_replay(j, &r, &error);
	cmd_login_secret_clear(&secret);
	if (rc != 0) {
		log_error("journal: %s", error);
		free(error);
		status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
		/* The SMTP server unreachable is a connection problem too. */
		if (status == EXIT_PARTIAL && journal_count(j) > 0)
			status = EXIT_CONNECT;
	} else if (r.conflicts > 0) {
		status = EXIT_PARTIAL;
	}
	fprintf(stderr, "journal: %lu replayed, %lu conflict%s, %zu waiting\n", r.replayed,
	    r.conflicts, r.conflicts == 1 ? "" : "s", journal_count(j));
	journal_close(&j);
	return status;
}

int
cli_replay(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	struct cmd_imap *session = NULL;
	struct cache *cache = NULL;
	size_t n;
	int status;

	if (acct == NULL)
		return EXIT_USAGE;
	if ((n = cmd_journal_waiting(conf, acct)) == 0)
		return cli_replay_first(conf, acct, NULL, NULL, true);
	status = cli_batch_open(conf, acct, false, false, &cache, &session, NULL);
	if (status != EXIT_OK) {
		cli_journal_note(conf, acct);
		return status;
	}
	status = cli_replay_first(conf, acct, session, cache, true);
	cmd_imap_close(&session);
	cache_close(&cache);
	return status;
}

/* ---- listing ---- */

static void
journal_print_json(const struct journal_entry *e, struct buf *b)
{
	char when[32];
	time_t t = (time_t)e->created;
	struct tm tm;
	size_t i;

	if (gmtime_r(&t, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
	    &tm) == 0)
		when[0] = '\0';
	buf_printf(b, "{\"seq\": %" PRIu64 ", \"kind\": \"%s\", \"state\": \"%s\", "
	    "\"created\": \"%s\"", e->seq, journal_kind_name(e->kind),
	    journal_state_name(e->state), when);
	if (e->kind == JOURNAL_ACTIONS) {
		buf_addstr(b, ", \"folder\": ");
		json_add_cstring(b, e->folder != NULL ? e->folder : "");
		buf_addstr(b, ", \"actions\": [");
		for (i = 0; i < e->nactions; i++) {
			char *s = e->actions[i].arg != NULL ? xasprintf("%s %s", e->actions[i].name,
			    e->actions[i].arg) : xstrdup(e->actions[i].name);

			if (i > 0)
				buf_addstr(b, ", ");
			json_add_cstring(b, s);
			free(s);
		}
		buf_addstr(b, "], \"uids\": [");
		for (i = 0; i < e->nuids; i++)
			buf_printf(b, "%s%" PRIu32, i > 0 ? ", " : "", e->uids[i]);
		buf_addstr(b, "]");
	} else {
		buf_addstr(b, ", \"subject\": ");
		if (e->subject != NULL)
			json_add_cstring(b, e->subject);
		else
			buf_addstr(b, "null");
		buf_addstr(b, ", \"message_id\": ");
		if (e->message_id != NULL)
			json_add_cstring(b, e->message_id);
		else
			buf_addstr(b, "null");
		buf_addstr(b, ", \"to\": [");
		for (i = 0; i < e->nrcpts; i++) {
			if (i > 0)
				buf_addstr(b, ", ");
			json_add_cstring(b, e->rcpts[i]);
		}
		buf_addstr(b, "]");
	}
	buf_addstr(b, "}\n");
}

int
cli_journal(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	struct journal *j = NULL;
	uint64_t *seqs = NULL;
	size_t n = 0, i;
	char *error = NULL;
	int status = EXIT_OK;

	if (acct == NULL)
		return EXIT_USAGE;
	if (cmd_journal_open(conf, acct, false, &j, &error) != 0 ||
	    (j != NULL && journal_list(j, &seqs, &n, &error) != 0)) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		journal_close(&j);
		return EXIT_PARTIAL;
	}
	for (i = 0; i < n; i++) {
		struct journal_entry e;
		struct buf b;
		int g = journal_get(j, seqs[i], &e, &error);

		if (g <= 0) {
			if (g < 0) {
				log_error("%s", error);
				free(error);
				error = NULL;
				status = EXIT_PARTIAL;
			}
			continue;
		}
		buf_init(&b, SIZE_MAX);
		if (opts->json) {
			journal_print_json(&e, &b);
		} else {
			char *what = cmd_journal_describe(&e);

			buf_printf(&b, "%" PRIu64 "\t%s\t%s\t%s\n", e.seq, journal_kind_name(e.kind),
			    journal_state_name(e.state), what);
			free(what);
		}
		fwrite(buf_ptr(&b), 1, buf_len(&b), stdout);
		buf_free(&b);
		journal_entry_free(&e);
	}
	if (n == 0)
		fprintf(stderr, "journal: nothing waiting\n");
	free(seqs);
	journal_close(&j);
	fflush(stdout);
	return status;
}
