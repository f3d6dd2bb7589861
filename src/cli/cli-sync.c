/* tern --sync [folder...]: bring the header cache up to date for the
 * named folders, or every subscribed folder of the account, one summary
 * line per folder on stdout. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/bodies.h"
#include "cache/cache.h"
#include "cli/cli.h"
#include "cmd/cmd-bodies.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-login.h"
#include "cmd/cmd-pop3sync.h"
#include "cmd/cmd-sync.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"

/* A folder name in the summary line: enough to recognise it. */
#define SYNC_NAME_MAX 1024

static void
sync_report(const char *name, const struct sync_stats *st)
{
	char *safe = safe_text_line(name, strlen(name), SYNC_NAME_MAX);

	printf("%s: %u messages, %u new, %u changed, %u vanished%s\n", safe, st->total,
	    st->added, st->changed, st->vanished,
	    st->rebuilt ? " (UIDVALIDITY changed: fetched again)" : "");
	free(safe);
}

/* --bodies: the folder's wanted messages into the body cache. EXIT_OK,
 * or the status after saying what went wrong. */
static int
sync_bodies(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap *session, struct bodies *b, struct cli_query *cq, const char *wire,
    const char *display, const struct index *idx)
{
	struct cmd_bodies_stats st;
	bool *want = NULL;
	char *error = NULL, *safe;
	int status = EXIT_OK;

	if (cq->q != NULL) {
		if (cli_query_search(cq, session, conf, acct) != 0)
			return cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
		want = cli_query_show(cq, idx);
		cli_query_reset(cq);
	}
	if (cmd_bodies_prefetch(session, b, wire, idx, want, &st, &error) != 0) {
		fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
		free(error);
		status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
	}
	safe = safe_text_line(display, strlen(display), SYNC_NAME_MAX);
	printf("%s: %zu bodies fetched (%.1f MB), %zu already kept\n", safe, st.fetched,
	    (double)st.bytes / (1024 * 1024), st.cached);
	free(safe);
	free(want);
	return status;
}

int
cli_pop3_refresh(const struct conf *conf, const struct conf_account *acct,
    struct cache *cache, struct index **idx_r, struct sync_stats *stats)
{
	struct cmd_login_secret secret;
	struct index *idx = NULL;
	char *error = NULL;
	bool lost = false;
	int status;

	*idx_r = NULL;
	if ((status = cli_secret(conf, acct, &secret)) != EXIT_OK)
		return status;
	if (cache_load(cache, CMD_POP3_FOLDER, &idx, &error) != 0) {
		log_error("%s", error);
		free(error);
		cmd_login_secret_clear(&secret);
		return EXIT_PARTIAL;
	}
	if (cmd_pop3_sync(conf, acct, &secret, cache, idx, stats, &lost, &error) != 0) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		status = lost ? EXIT_CONNECT : EXIT_PARTIAL;
	}
	cmd_login_secret_clear(&secret);
	/* What arrived is kept even after a failure: its state is not
	 * advanced, so the next run asks again. */
	if (cache_save(cache, CMD_POP3_FOLDER, idx, &error) != 0) {
		log_error("%s", error);
		free(error);
		if (status == EXIT_OK)
			status = EXIT_PARTIAL;
	}
	*idx_r = idx;
	return status;
}

/* --sync for an account that has only pop3=: its one mailbox. */
static int
cli_sync_pop3(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct)
{
	struct cache *cache = NULL;
	struct index *idx = NULL;
	struct sync_stats st;
	char *error = NULL;
	int status;

	if (opts->bodies) {
		log_error("--bodies: account '%s' reads POP3, which has no folders to keep "
		    "bodies of", conf_account_name(acct));
		return EXIT_USAGE;
	}
	for (int i = 0; i < opts->nargs; i++)
		if (cli_pop3_folder(acct, opts->args[i]) != EXIT_OK)
			return EXIT_USAGE;
	if (cmd_sync_cache_open(conf, acct, &cache, &error) != 0) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		return EXIT_PARTIAL;
	}
	status = cli_pop3_refresh(conf, acct, cache, &idx, &st);
	if (status == EXIT_OK)
		sync_report(CMD_POP3_FOLDER, &st);
	index_destroy(&idx);
	cache_close(&cache);
	return status;
}

int
cli_sync(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	struct cmd_folders folders;
	struct cmd_imap *session = NULL;
	struct cache *cache = NULL;
	char **wire = NULL, **display = NULL, *error;
	size_t n = 0, i;
	bool progress = isatty(STDERR_FILENO);
	struct bodies *bodies = NULL;
	struct cli_query cq;
	int status;

	memset(&cq, 0, sizeof(cq));
	if (acct == NULL)
		return EXIT_USAGE;
	if (cli_pop3_only(acct))
		return cli_sync_pop3(opts, conf, acct);
	if (opts->bodies && opts->bodies_query != NULL) {
		if ((cq.q = cli_query_parse(opts->bodies_query)) == NULL)
			return EXIT_USAGE;
		if (cli_query_plan(&cq, PLAN_CACHE) != 0) {
			cli_query_free(&cq);
			return EXIT_USAGE;
		}
	}
	memset(&folders, 0, sizeof(folders));
	wire = xcalloc((size_t)opts->nargs + 1, sizeof(*wire));
	display = xcalloc((size_t)opts->nargs + 1, sizeof(*display));
	for (i = 0; i < (size_t)opts->nargs; i++) {
		if ((wire[i] = cmd_folder_wire_name(opts->args[i], '/')) == NULL) {
			log_error("folder name '%s' is not valid UTF-8", opts->args[i]);
			status = EXIT_USAGE;
			n = i;
			goto out;
		}
		display[i] = xstrdup(opts->args[i]);
	}
	n = (size_t)opts->nargs;
	if ((status = cli_session(conf, acct, &session)) != EXIT_OK)
		goto out;
	if (cmd_sync_cache_open(conf, acct, &cache, &error) != 0) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		status = EXIT_PARTIAL;
		goto out;
	}
	/* Changes made offline go first: the sync then reads them back. */
	if ((status = cli_replay_first(conf, acct, session, cache, false)) == EXIT_CONNECT)
		goto out;
	if (opts->bodies && cmd_bodies_open(conf, acct, &bodies, &error) != 0) {
		log_error("account '%s': %s", conf_account_name(acct), error);
		free(error);
		status = EXIT_PARTIAL;
		goto out;
	}
	/* Now that the server can say its hierarchy delimiter. */
	for (i = 0; i < n; i++) {
		free(wire[i]);
		wire[i] = cmd_folder_wire(session, cache, display[i]);
	}
	if (n == 0) {
		if (cmd_folders_subscribed(session, acct, &folders, &error) != 0) {
			fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
			free(error);
			status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
			goto out;
		}
		free(wire);
		free(display);
		wire = xcalloc(folders.count + 2, sizeof(*wire));
		display = xcalloc(folders.count + 2, sizeof(*display));
		/* INBOX always, subscribed or not: it is where mail arrives. */
		wire[n] = xstrdup("INBOX");
		display[n] = xstrdup("INBOX");
		n++;
		for (i = 0; i < folders.count; i++) {
			if (!folders.v[i].selectable || str_casecmp(folders.v[i].name, "INBOX") == 0)
				continue;
			wire[n] = xstrdup(folders.v[i].name);
			display[n] = xstrdup(folders.v[i].display);
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		struct sync_stats st;
		struct index *idx;

		if (!cmd_imap_alive(session)) {
			status = EXIT_CONNECT;
			break;
		}
		if (cmd_sync_folder(session, cache, conf, wire[i], progress, &idx, &st,
		    &error) != 0) {
			fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
			free(error);
			status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
			continue;
		}
		sync_report(display[i], &st);
		if (bodies != NULL) {
			int r = sync_bodies(conf, acct, session, bodies, &cq, wire[i], display[i], idx);

			if (r != EXIT_OK)
				status = r;
		}
		index_destroy(&idx);
	}
out:
	for (i = 0; i < n; i++) {
		free(wire[i]);
		free(display[i]);
	}
	free(wire);
	free(display);
	cmd_folders_free(&folders);
	cmd_imap_close(&session);
	cache_close(&cache);
	bodies_close(&bodies);
	cli_query_free(&cq);
	if (fflush(stdout) != 0 && status == EXIT_OK)
		status = EXIT_PARTIAL;
	return status;
}
