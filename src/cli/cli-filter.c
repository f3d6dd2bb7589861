/* tern --filter [--dry-run] [--rules FILE] [--all] [folder...]: the
 * filter rules over each folder's new mail (default INBOX), for cron:
 * quiet unless something changed, exit status 0, 1 (an action failed),
 * 2 (a bad rule: nothing runs) or 3 (no connection; rerunning resumes
 * where it stopped). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cmd/cmd-filter.h"
#include "cmd/cmd-login.h"
#include "cmd/cmd-team.h"
#include "conf/conf.h"
#include "lib/log.h"

/* The rules of --rules FILE: a file of filter lines (a mailrc fragment). */
static int
cli_rules_file(const char *path, struct cmd_rules *rules)
{
	struct conf *rc = conf_create();
	int r = 0;
	size_t i;

	if (conf_load_file(rc, path) != 0 || conf_has_errors(rc))
		r = -1;
	for (i = 0; i < conf_diag_count(rc); i++)
		fprintf(stderr, "%s\n", conf_diag_text(rc, i));
	if (r == 0)
		r = cmd_rules_from_conf(rc, rules);
	conf_destroy(&rc);
	return r;
}

/* Whether the run takes care of team's folder: it is named, or none is
 * and the team works on this account. */
static bool
team_in_run(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct, const struct conf_team *team)
{
	const char *folder = conf_team_get(team, "folder");
	int i;

	if (folder == NULL)
		return false;
	if (opts->nargs == 0)
		return cmd_team_of(conf, acct, folder) == team;
	for (i = 0; i < opts->nargs; i++)
		if (cmd_team_of(conf, acct, opts->args[i]) == team)
			return true;
	return false;
}

/* New mail of the run's team folders joins its conversations
 * (cmd-team.h). */
static int
filter_teams(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct, struct cmd_imap *session, struct cmd_apply *ap,
    unsigned *failures)
{
	struct cmd_login_secret secret;
	bool have_secret = false;
	size_t i;
	int status = EXIT_OK;

	memset(&secret, 0, sizeof(secret));
	for (i = 0; i < conf_team_count(conf); i++) {
		const struct conf_team *team = conf_team_at(conf, i);
		const char *folder = conf_team_get(team, "folder");
		struct cmd_team_stats st;
		char *error = NULL;

		if (!team_in_run(opts, conf, acct, team))
			continue;
		memset(&st, 0, sizeof(st));
		if (cmd_team_load_settings(ap, team, &error) != 0 ||
		    cmd_team_arrivals(ap, acct, team, folder, NULL, opts->dry_run, &st,
		    &error) != 0) {
			status = cli_batch_folder_failed(session, folder, error);
			if (status == EXIT_CONNECT)
				break;
			continue;
		}
		if (cmd_team_get(team, "acknowledge") != NULL &&
		    strcmp(cmd_team_get(team, "acknowledge"), "yes") == 0) {
			if (!have_secret) {
				if (cli_secret(conf, acct, &secret) != EXIT_OK) {
					status = EXIT_CONNECT;
					break;
				}
				have_secret = true;
			}
			if (cmd_team_acknowledge(ap, conf, acct, team, folder, NULL, &secret,
			    opts->dry_run, &st, &error) != 0) {
				status = cli_batch_folder_failed(session, folder, error);
				if (status == EXIT_CONNECT)
					break;
				continue;
			}
			if (st.acked > 0)
				fprintf(stderr, "%s: team %s: %s%lu acknowledgement%s sent\n",
				    folder, conf_team_name(team), opts->dry_run ? "would be: " : "",
				    st.acked, st.acked == 1 ? "" : "s");
		}
		*failures += st.failures;
		if (st.opened + st.reopened + st.joined > 0)
			fprintf(stderr, "%s: team %s: %s%lu new conversation%s opened, %lu "
			    "reopened, %lu message%s joined their conversation\n", folder,
			    conf_team_name(team), opts->dry_run ? "would be: " : "", st.opened,
			    st.opened == 1 ? "" : "s", st.reopened, st.joined,
			    st.joined == 1 ? "" : "s");
	}
	cmd_login_secret_clear(&secret);
	return status;
}

/* Whether some team works on this account's folders. */
static bool
account_has_team(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct)
{
	size_t i;

	for (i = 0; i < conf_team_count(conf); i++)
		if (team_in_run(opts, conf, acct, conf_team_at(conf, i)))
			return true;
	return false;
}

int
cli_filter(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	size_t nfolders, f;
	const char *const *folders = cli_batch_folders(opts, &nfolders);
	struct cmd_filter_stats stats;
	struct cmd_rules rules;
	struct cache *cache;
	struct cmd_imap *session;
	struct cmd_apply *ap;
	int status;

	if (acct == NULL)
		return EXIT_USAGE;
	if ((opts->rules != NULL ? cli_rules_file(opts->rules, &rules) :
	    cmd_rules_from_conf(conf, &rules)) != 0) {
		log_error("no rule was applied: fix the rules first");
		return EXIT_USAGE;
	}
	if (rules.n == 0 && !account_has_team(opts, conf, acct)) {
		log_error("no filter rules: add 'filter QUERY --ACTION...' lines to the "
		    "mailrc, or name a file with --rules FILE");
		cmd_rules_free(&rules);
		return EXIT_USAGE;
	}
	status = cli_batch_open(conf, acct, true, !opts->dry_run, &cache, &session, NULL);
	if (status != EXIT_OK) {
		cmd_rules_free(&rules);
		return status;
	}
	memset(&stats, 0, sizeof(stats));
	ap = cmd_apply_create(session, conf, acct, cache, opts->dry_run, stdout);
	for (f = 0; f < nfolders && rules.n > 0; f++) {
		char *error = NULL;

		if (cmd_filter_folder(ap, cache, conf_account_name(acct), folders[f], &rules,
		    opts->all, opts->dry_run, &stats, &error) != 0) {
			status = cli_batch_folder_failed(session, folders[f], error);
			if (status == EXIT_CONNECT)
				break;
		}
	}
	if (status != EXIT_CONNECT) {
		int t = filter_teams(opts, conf, acct, session, ap, &stats.failures);

		if (t != EXIT_OK)
			status = t;
	}
	if (stats.failures > 0 && status == EXIT_OK)
		status = EXIT_PARTIAL;
	cmd_apply_destroy(&ap);
	cmd_imap_close(&session);
	cache_close(&cache);
	cmd_rules_free(&rules);
	fflush(stdout);
	return status;
}
