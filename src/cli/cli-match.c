/* tern --match QUERY ACTION... [--dry-run] [folder...]: the actions of
 * the command table applied to every message that matches, in each
 * named folder (default INBOX). A summary line per action and folder
 * goes to stderr; with --dry-run, what would change goes to stdout, one
 * message a line, and nothing changes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-team.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "net/conn.h"
#include "rules/query.h"

struct query_node *
cli_query_parse(const char *text)
{
	struct query_error err;
	struct query_node *q = query_parse(text, strlen(text), &err);

	if (q == NULL)
		fprintf(stderr, "query:1:%u: %s\n", err.col, err.msg);
	return q;
}

/* The actions of the command line, checked. */
static int
cli_actions(const struct cli_opts *opts, struct cmd_actions *a)
{
	char *error = NULL;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < opts->nactions; i++) {
		if (cmd_actions_add(a, opts->actions[i].name, opts->actions[i].arg, &error) != 0)
			goto fail;
	}
	if (cmd_actions_check(a, &error) == 0)
		return 0;
fail:
	log_error("%s", error);
	free(error);
	cmd_actions_free(a);
	return -1;
}

/* Opens the session and the cache the batch commands share; the cache is
 * optional for --match (without it, dry runs show UIDs only). With
 * replay, the journal's changes go first. */
int
cli_batch_open(const struct conf *conf, const struct conf_account *acct, bool need_cache,
    bool replay, struct cache **cache_r, struct cmd_imap **session_r, int *kind_r)
{
	char *error = NULL;
	int status, kind;

	*cache_r = NULL;
	*session_r = NULL;
	if (kind_r == NULL)
		kind_r = &kind;
	*kind_r = 0;
	if (cmd_sync_cache_open(conf, acct, cache_r, &error) != 0) {
		if (need_cache) {
			log_error("account '%s': %s", conf_account_name(acct), error);
			free(error);
			return EXIT_PARTIAL;
		}
		log_warn("account '%s': %s (going on without the cache)",
		    conf_account_name(acct), error);
		free(error);
	}
	if ((status = cli_session_kind(conf, acct, session_r, kind_r)) != EXIT_OK) {
		cache_close(cache_r);
		return status;
	}
	if (replay && cli_replay_first(conf, acct, *session_r, *cache_r, false) == EXIT_CONNECT) {
		cmd_imap_close(session_r);
		cache_close(cache_r);
		return EXIT_CONNECT;
	}
	return EXIT_OK;
}

const char *const *
cli_batch_folders(const struct cli_opts *opts, size_t *n_r)
{
	static const char *const inbox[] = { "INBOX" };

	if (opts->nargs > 0) {
		*n_r = (size_t)opts->nargs;
		return (const char *const *)opts->args;
	}
	*n_r = 1;
	return inbox;
}

int
cli_batch_folder_failed(struct cmd_imap *session, const char *folder, char *error)
{
	fprintf(stderr, "tern: %s: %s\n", folder, error);
	free(error);
	return cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
}

/* A team folder: the rights first, then the actions (cmd-team.h). 0,
 * EXIT_PARTIAL when refused (said), -1 when the connection was lost
 * (*error_r). */
static int
match_team(struct cmd_apply *ap, const struct conf_team *team, const char *folder,
    struct query_node *q, const struct cmd_actions *a, bool dry_run,
    struct cmd_apply_result *results, char **error_r)
{
	struct sync_uids uids;
	bool refused = false;
	char *why = NULL;
	int r;

	memset(results, 0, sizeof(*results) * a->n);
	if (cmd_team_load_settings(ap, team, error_r) != 0)
		return -1;
	if (cmd_team_check(team, a, &why) != 0) {
		log_error("%s", why);
		free(why);
		return EXIT_USAGE;
	}
	if (cmd_team_rights(ap, folder, a, &refused, error_r) != 0)
		return -1;
	if (refused)
		return EXIT_PARTIAL;
	if (cmd_apply_find(ap, folder, q, NULL, &uids, error_r) != 0)
		return -1;
	r = cmd_team_apply_all(ap, team, folder, NULL, a, &uids, dry_run, results, error_r);
	sync_uids_free(&uids);
	return r;
}

int
cli_match(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	size_t nfolders, f;
	const char *const *folders = cli_batch_folders(opts, &nfolders);
	struct cmd_apply_result results[CMD_ACTIONS_MAX];
	struct query_node *q;
	struct cmd_actions actions;
	struct cache *cache;
	struct cmd_imap *session;
	struct cmd_apply *ap;
	int status, kind = 0;

	if (acct == NULL)
		return EXIT_USAGE;
	if ((q = cli_query_parse(opts->query)) == NULL)
		return EXIT_USAGE;
	if (cli_actions(opts, &actions) != 0) {
		query_free(&q);
		return EXIT_USAGE;
	}
	if (opts->offline) {
		status = cli_match_offline(opts, conf, acct, &actions);
		goto out;
	}
	status = cli_batch_open(conf, acct, false, !opts->dry_run, &cache, &session, &kind);
	if (status == EXIT_CONNECT && kind == NET_CONN_ERR_CONNECT && !opts->dry_run) {
		/* The server cannot be reached: the change waits in the journal. */
		fprintf(stderr, "tern: offline: the change is kept in the journal\n");
		status = cli_match_offline(opts, conf, acct, &actions);
		goto out;
	}
	if (status != EXIT_OK)
		goto out;
	ap = cmd_apply_create(session, conf, acct, cache, opts->dry_run, stdout);
	for (f = 0; f < nfolders; f++) {
		const struct conf_team *team = cmd_team_of(conf, acct, folders[f]);
		struct sync_uids uids;
		char *error = NULL;
		size_t i;

		if (team != NULL) {
			int r = match_team(ap, team, folders[f], q, &actions, opts->dry_run,
			    results, &error);

			if (r == -1) {
				status = cli_batch_folder_failed(session, folders[f], error);
				if (status == EXIT_CONNECT)
					break;
				continue;
			}
			if (r != 0 && status != EXIT_USAGE)
				status = r;
			for (i = 0; i < actions.n; i++)
				if (results[i].failed && status == EXIT_OK)
					status = EXIT_PARTIAL;
			continue;
		}
		if (cmd_apply_find(ap, folders[f], q, NULL, &uids, &error) != 0 ||
		    cmd_apply_actions(ap, folders[f], &actions, &uids, false, results,
		    &error) != 0) {
			sync_uids_free(&uids);
			status = cli_batch_folder_failed(session, folders[f], error);
			if (status == EXIT_CONNECT)
				break;
			continue;
		}
		for (i = 0; i < actions.n; i++)
			if (results[i].failed)
				status = EXIT_PARTIAL;
		sync_uids_free(&uids);
	}
	cmd_apply_destroy(&ap);
	cmd_imap_close(&session);
	cache_close(&cache);
out:
	cmd_actions_free(&actions);
	query_free(&q);
	fflush(stdout);
	return status;
}
