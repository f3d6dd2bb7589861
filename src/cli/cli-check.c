/* tern --check: validate the mailrc (done by cli_config_load), describe
 * what it sets up, then get each account's secret and log in to each of
 * its servers (unless --offline). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "cmd/cmd-login.h"

static const char *const check_proto_names[] = { "imap", "smtp", "pop3" };

static void
check_describe_account(const struct conf_account *acct, bool is_default)
{
	int proto;

	printf("account %s%s:\n", conf_account_name(acct), is_default ? " (default)" : "");
	for (proto = CONF_PROTO_IMAP; proto <= CONF_PROTO_POP3; proto++) {
		const struct conf_server *srv = conf_account_server(acct, (enum conf_proto)proto);
		const char *tls = conf_account_get(acct, "tls");
		const char *security, *user;

		if (srv == NULL)
			continue;
		if (srv->implicit_tls)
			security = "TLS";
		else if (tls != NULL && strcmp(tls, "no") == 0)	/* stored as yes/no */
			security = "plaintext allowed (tls=no)";
		else
			security = "STARTTLS required";
		user = srv->user != NULL ? srv->user : conf_account_get(acct, "user");
		printf("  %-5s %s@%s:%u, %s\n", check_proto_names[proto],
		    user != NULL ? user : "(no user)", srv->host, srv->port, security);
	}
	if (conf_account_server(acct, CONF_PROTO_POP3) != NULL)
		printf("  pop3-delete: %s\n", conf_account_pop3_delete(acct) ?
		    "yes (mail is deleted from the server after download)" :
		    "no (mail stays on the server)");
	if (conf_account_get(acct, "password-command") != NULL)
		printf("  password: from password-command\n");
	else if (conf_account_get(acct, "oauth2-token-command") != NULL)
		printf("  password: OAuth2 token from oauth2-token-command\n");
	else if (conf_account_get(acct, "password") != NULL)
		printf("  password: in the mailrc (clear text)\n");
	else
		printf("  password: asked for at the terminal\n");
}

/* Gets the account's secret and logs in to each of its servers. Returns
 * the exit status this account deserves. */
static int
check_login(const struct conf *conf, const struct conf_account *acct)
{
	struct cmd_login_secret secret;
	unsigned line;
	char *error;
	int proto, status = EXIT_OK;

	if (cmd_login_secret(conf, acct, &secret, &line, &error) != 0) {
		if (line != 0)
			fprintf(stderr, "%s:%u: account '%s': %s\n", conf_account_file(acct),
			    line, conf_account_name(acct), error);
		else
			fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
		free(error);
		/* A broken password-command is a configuration error; no
		 * terminal to ask on means we cannot authenticate. */
		return line != 0 ? EXIT_USAGE : EXIT_CONNECT;
	}
	for (proto = CONF_PROTO_IMAP; proto <= CONF_PROTO_POP3; proto++) {
		const struct conf_server *srv = conf_account_server(acct, (enum conf_proto)proto);
		enum net_conn_error kind;
		struct net_conn *conn;

		if (srv == NULL)
			continue;
		if (cmd_login_open(conf, acct, (enum conf_proto)proto, &secret, &conn,
		    &kind, &error) != 0) {
			fprintf(stderr, "%s:%u: account '%s': %s: %s\n", conf_account_file(acct),
			    srv->line, conf_account_name(acct), check_proto_names[proto], error);
			free(error);
			status = kind == NET_CONN_ERR_NONE ? EXIT_USAGE : EXIT_CONNECT;
			continue;
		}
		cmd_login_close((enum conf_proto)proto, &conn);
		printf("  %-5s logged in\n", check_proto_names[proto]);
	}
	cmd_login_secret_clear(&secret);
	return status;
}

int
cli_check(const struct cli_opts *opts, struct conf *conf)
{
	size_t i, naccounts = conf_account_count(conf), nteams = conf_team_count(conf);
	int status = EXIT_OK;

	if (naccounts == 0) {
		log_error("no account defined (add an 'account NAME { ... }' block)");
		return EXIT_USAGE;
	}
	for (i = 0; i < naccounts; i++) {
		const struct conf_account *acct = conf_account_at(conf, i);

		if (opts->account != NULL && strcmp(opts->account, conf_account_name(acct)) != 0)
			continue;
		check_describe_account(acct, i == 0);
		if (!opts->offline) {
			int r = check_login(conf, acct);

			/* Every account is tried; the first failure sets the
			 * exit status. */
			if (status == EXIT_OK)
				status = r;
		}
	}
	for (i = 0; i < nteams; i++) {
		const struct conf_team *team = conf_team_at(conf, i);
		const char *members = conf_team_get(team, "members");

		printf("team %s: folder %s on account %s%s%s\n", conf_team_name(team),
		    conf_team_get(team, "folder"), conf_team_get(team, "account"),
		    members != NULL ? ", members " : "", members != NULL ? members : "");
	}
	if (status == EXIT_OK)
		printf("configuration ok: %zu account%s, %zu team%s%s\n", naccounts,
		    naccounts == 1 ? "" : "s", nteams, nteams == 1 ? "" : "s",
		    opts->offline ? " (offline: servers not contacted)" : "");
	return status;
}
