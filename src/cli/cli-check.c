/* tern --check: validate the mailrc (done by cli_config_load), describe
 * what it sets up, then get each account's secret and log in to each of
 * its servers (unless --offline). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-imap.h"
#include "cmd/cmd-login.h"
#include "cmd/cmd-team.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "mime/safe-text.h"
#include "pop3/pop3.h"

static const char *const check_proto_names[] = { "imap", "smtp", "pop3" };

/* A folder name in a report line: enough to recognise it. */
#define CHECK_NAME_MAX 1024

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

/* The capabilities tern acts on, as --check reports them. */
static const enum imap_cap check_caps[] = {
	IMAP_CAP_CONDSTORE, IMAP_CAP_QRESYNC, IMAP_CAP_UIDPLUS, IMAP_CAP_MOVE,
	IMAP_CAP_IDLE, IMAP_CAP_SPECIAL_USE, IMAP_CAP_LITERAL_PLUS, IMAP_CAP_ACL,
	IMAP_CAP_COMPRESS,
};

/* Prints what the IMAP server offers and which folders play which role,
 * and what the missing parts mean for the user. */
static void
check_imap_report(struct cmd_imap *session, const struct conf_account *acct)
{
	struct imap_client *client = cmd_imap_client(session);
	struct cmd_folders folders;
	bool missing = false;
	char *error;
	size_t i, found;

	printf("  imap  capabilities:");
	for (i = 0; i < sizeof(check_caps) / sizeof(check_caps[0]); i++)
		if (imap_client_has(client, check_caps[i]))
			printf(" %s", imap_cap_name(check_caps[i]));
	for (i = 0; i < sizeof(check_caps) / sizeof(check_caps[0]); i++) {
		if (imap_client_has(client, check_caps[i]))
			continue;
		printf("%s %s", missing ? "" : "; missing:", imap_cap_name(check_caps[i]));
		missing = true;
	}
	putchar('\n');
	if (!imap_client_has(client, IMAP_CAP_MOVE) && !imap_client_has(client, IMAP_CAP_UIDPLUS))
		printf("  imap  note: without MOVE or UIDPLUS, moving mail copies it and "
		    "leaves the original where it was (tern never expunges blindly)\n");
	if (!imap_client_has(client, IMAP_CAP_CONDSTORE))
		printf("  imap  note: without CONDSTORE, opening a folder re-reads the "
		    "flags of every message\n");
	if (!imap_client_has(client, IMAP_CAP_IDLE))
		printf("  imap  note: without IDLE, new mail is looked for every "
		    "check-interval\n");

	if (cmd_folders_list(session, acct, false, &folders, &error) != 0) {
		const struct conf_server *srv = conf_account_server(acct, CONF_PROTO_IMAP);

		fprintf(stderr, "%s:%u: account '%s': imap: %s\n", conf_account_file(acct),
		    srv->line, conf_account_name(acct), error);
		free(error);
		return;
	}
	printf("  imap  %zu folders; special folders:", folders.count);
	for (i = 0, found = 0; i < 5; i++) {
		const char *name;
		char *safe;

		if (folders.special[i] < 0)
			continue;
		name = folders.v[folders.special[i]].display;
		safe = safe_text_line(name, strlen(name), CHECK_NAME_MAX);
		printf("%s %s=%s", found++ > 0 ? "," : "", cmd_folder_roles[i], safe);
		free(safe);
	}
	printf("%s\n", found > 0 ? "" : " none");
	for (i = 0; i < 5; i++) {
		if (folders.missing[i] != NULL)
			printf("  imap  note: %s=%s is not on the server yet; tern creates it "
			    "when first needed\n", cmd_folder_roles[i], folders.missing[i]);
		else if (i == 0 && folders.special[0] < 0)
			printf("  imap  note: no Trash folder yet; tern creates 'Trash' when "
			    "mail is first deleted\n");
	}
	cmd_folders_free(&folders);
}

/* What a POP3 mailbox holds and whether its server has UIDL, without
 * which nothing can be deleted safely (and is not). */
static void
check_pop3_report(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret)
{
	struct net_conn_params p;
	struct pop3 *pop = NULL;
	struct pop3_list list;
	char *error = NULL;

	memset(&list, 0, sizeof(list));
	if (cmd_login_params(conf, acct, CONF_PROTO_POP3, secret, &p, &error) != 0 ||
	    pop3_open(&p, &pop, &error) != 0 || pop3_list(pop, 1000000, &list, &error) != 0) {
		printf("  pop3  cannot list the mailbox: %s\n", error != NULL ? error : "");
		free(error);
		pop3_close(&pop);
		return;
	}
	printf("  pop3  %zu message%s; UIDL: %s\n", list.count, list.count == 1 ? "" : "s",
	    list.have_uidl || list.count == 0 ? "yes" :
	    "no (nothing is ever deleted from it; --fetch-pop imports by content)");
	pop3_list_free(&list);
	pop3_close(&pop);
}

/* Gets the account's secret and logs in to each of its servers. Returns
 * the exit status this account deserves. */
/* Who may do what in the account's team folders: your rights
 * (MYRIGHTS), and everyone's where the server tells (GETACL needs the
 * admin right). */
static void
check_teams(struct cmd_imap *session, const struct conf *conf,
    const struct conf_account *acct)
{
	struct cmd_apply *ap = cmd_apply_create(session, conf, acct, NULL, false, stdout);
	size_t i, k, n;

	for (i = 0; i < conf_team_count(conf); i++) {
		const struct conf_team *team = conf_team_at(conf, i);
		const char *folder = conf_team_get(team, "folder");
		char *rights = NULL, *why = NULL, *error = NULL, *text, *shown, **acl = NULL;

		if (folder == NULL || cmd_team_of(conf, acct, folder) != team)
			continue;
		shown = safe_text_line(folder, strlen(folder), CHECK_NAME_MAX);
		if (cmd_apply_myrights(ap, folder, &rights, &error) != 0) {
			fprintf(stderr, "tern: team %s: %s\n", conf_team_name(team), error);
			free(error);
			free(shown);
			break;
		}
		if (rights == NULL) {
			printf("  team  %s: %s: the server does not say what you may do there "
			    "(no ACL); tern finds out when it tries\n", conf_team_name(team),
			    shown);
		} else {
			text = cmd_team_rights_text(rights);
			printf("  team  %s: %s: your rights %s: %s\n", conf_team_name(team), shown,
			    rights, text);
			free(text);
		}
		if (rights != NULL && cmd_apply_acl(ap, folder, &acl, &n, &why, &error) != 0) {
			fprintf(stderr, "tern: team %s: %s\n", conf_team_name(team), error);
			free(error);
		} else if (why == NULL && acl != NULL) {
			for (k = 0; k + 1 < n; k += 2) {
				char *id = safe_text_line(acl[k], strlen(acl[k]), CHECK_NAME_MAX);

				text = cmd_team_rights_text(acl[k + 1]);
				printf("  team  %s:   %s %s: %s\n", conf_team_name(team), id,
				    acl[k + 1], text);
				free(text);
				free(id);
			}
		}
		for (k = 0; k < n && acl != NULL; k++)
			free(acl[k]);
		free(acl);
		free(why);
		free(rights);
		free(shown);
	}
	cmd_apply_destroy(&ap);
}

static int
check_login(const struct conf *conf, const struct conf_account *acct)
{
	struct cmd_login_secret secret;
	char *error;
	int proto, status;

	if ((status = cli_secret(conf, acct, &secret)) != EXIT_OK)
		return status;
	for (proto = CONF_PROTO_IMAP; proto <= CONF_PROTO_POP3; proto++) {
		const struct conf_server *srv = conf_account_server(acct, (enum conf_proto)proto);
		enum net_conn_error kind;
		struct net_conn *conn = NULL;
		struct cmd_imap *session = NULL;
		int r;

		if (srv == NULL)
			continue;
		if (proto == CONF_PROTO_IMAP)
			r = cmd_imap_open(conf, acct, &secret, &session, &kind, &error);
		else
			r = cmd_login_open(conf, acct, (enum conf_proto)proto, &secret, &conn,
			    &kind, &error);
		if (r != 0) {
			fprintf(stderr, "%s:%u: account '%s': %s: %s\n", conf_account_file(acct),
			    srv->line, conf_account_name(acct), check_proto_names[proto], error);
			free(error);
			if (status == EXIT_OK)
				status = kind == NET_CONN_ERR_NONE ? EXIT_USAGE : EXIT_CONNECT;
			continue;
		}
		printf("  %-5s logged in\n", check_proto_names[proto]);
		if (session != NULL) {
			check_imap_report(session, acct);
			check_teams(session, conf, acct);
			if (!cmd_imap_alive(session) && status == EXIT_OK)
				status = EXIT_CONNECT;
			cmd_imap_close(&session);
		} else {
			cmd_login_close((enum conf_proto)proto, &conn);
			if (proto == CONF_PROTO_POP3)
				check_pop3_report(conf, acct, &secret);
		}
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
