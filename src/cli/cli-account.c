/* What the network commands share: which account, its secret, the
 * session. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cmd/cmd-imap.h"
#include "cmd/cmd-login.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "lib/str.h"

const struct conf_account *
cli_account(const struct cli_opts *opts, const struct conf *conf)
{
	const struct conf_account *acct;

	if (conf_account_count(conf) == 0) {
		log_error("no account defined (add an 'account NAME { ... }' block)");
		return NULL;
	}
	if (opts->account == NULL)
		return conf_account_at(conf, 0);
	if ((acct = conf_account_find(conf, opts->account)) == NULL)
		log_error("no account named '%s' in %s", opts->account,
		    conf_account_file(conf_account_at(conf, 0)));
	return acct;
}

int
cli_secret(const struct conf *conf, const struct conf_account *acct,
    struct cmd_login_secret *secret_r)
{
	unsigned line;
	char *error;

	if (cmd_login_secret(conf, acct, secret_r, &line, &error) == 0)
		return EXIT_OK;
	if (line != 0)
		fprintf(stderr, "%s:%u: account '%s': %s\n", conf_account_file(acct),
		    line, conf_account_name(acct), error);
	else
		fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
	free(error);
	/* A broken password-command is a configuration error; no terminal to
	 * ask on means we cannot authenticate. */
	return line != 0 ? EXIT_USAGE : EXIT_CONNECT;
}

int
cli_session(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap **session_r)
{
	int kind;

	return cli_session_kind(conf, acct, session_r, &kind);
}

int
cli_session_kind(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap **session_r, int *kind_r)
{
	struct cmd_login_secret secret;
	enum net_conn_error kind = NET_CONN_ERR_NONE;
	char *error = NULL;
	int status;

	*session_r = NULL;
	*kind_r = NET_CONN_ERR_NONE;
	if ((status = cli_secret(conf, acct, &secret)) != EXIT_OK)
		return status;
	if (cmd_imap_open(conf, acct, &secret, session_r, &kind, &error) != 0) {
		fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
		free(error);
		status = kind == NET_CONN_ERR_NONE ? EXIT_USAGE : EXIT_CONNECT;
		*kind_r = kind;
	}
	cmd_login_secret_clear(&secret);
	return status;
}

bool
cli_pop3_only(const struct conf_account *acct)
{
	return conf_account_server(acct, CONF_PROTO_IMAP) == NULL &&
	    conf_account_server(acct, CONF_PROTO_POP3) != NULL;
}

int
cli_pop3_folder(const struct conf_account *acct, const char *folder)
{
	if (str_casecmp(folder, "INBOX") == 0)
		return EXIT_OK;
	log_error("account '%s' reads POP3: its one folder is INBOX", conf_account_name(acct));
	return EXIT_USAGE;
}
