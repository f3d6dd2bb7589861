/* Logging in to an account's servers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cmd/cmd-login.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "net/password.h"

#define LOGIN_TIMEOUT_DEFAULT 30
#define LOGIN_PASSWORD_TIMEOUT_DEFAULT 60

/* A duration setting in milliseconds, or the default when unset. */
static int
cmd_login_duration_ms(const char *value, unsigned default_s)
{
	uint64_t s = default_s;

	if (value != NULL && (conf_parse_duration(value, &s) != 0 || s == 0 || s > 86400))
		s = default_s;
	return (int)(s * 1000);
}

int
cmd_login_secret(const struct conf *conf, const struct conf_account *acct,
    struct cmd_login_secret *secret_r, unsigned *line_r, char **error_r)
{
	int timeout_ms = cmd_login_duration_ms(conf_get(conf, "password-timeout"),
	    LOGIN_PASSWORD_TIMEOUT_DEFAULT);
	const char *cmd;

	memset(secret_r, 0, sizeof(*secret_r));
	*line_r = 0;
	*error_r = NULL;
	if ((cmd = conf_account_get(acct, "oauth2-token-command")) != NULL) {
		*line_r = conf_account_setting_line(acct, "oauth2-token-command");
		secret_r->source = "oauth2-token-command";
		secret_r->line = *line_r;
		return password_run("oauth2-token-command", cmd, timeout_ms,
		    &secret_r->bearer, error_r);
	}
	if ((cmd = conf_account_get(acct, "password-command")) != NULL) {
		*line_r = conf_account_setting_line(acct, "password-command");
		secret_r->source = "password-command";
		secret_r->line = *line_r;
		return password_run("password-command", cmd, timeout_ms,
		    &secret_r->password, error_r);
	}
	if (conf_account_get(acct, "password") != NULL) {
		secret_r->source = "password";
		secret_r->line = conf_account_setting_line(acct, "password");
		secret_r->password = xstrdup(conf_account_get(acct, "password"));
		return 0;
	}
	secret_r->source = "prompt";
	{
		char *prompt = xasprintf("Password for account %s: ", conf_account_name(acct));
		int r = password_prompt(prompt, &secret_r->password, error_r);

		free(prompt);
		if (r != 0) {
			char *msg = xasprintf("no password: %s (set password-command for this "
			    "account, or run tern on a terminal)", *error_r);
			free(*error_r);
			*error_r = msg;
		}
		return r;
	}
}

void
cmd_login_secret_clear(struct cmd_login_secret *secret)
{
	password_free(secret->password);
	password_free(secret->bearer);
	memset(secret, 0, sizeof(*secret));
}

int
cmd_login_timeout_ms(const struct conf *conf)
{
	return cmd_login_duration_ms(conf_get(conf, "timeout"), LOGIN_TIMEOUT_DEFAULT);
}

int
cmd_login_params(const struct conf *conf, const struct conf_account *acct,
    enum conf_proto proto, const struct cmd_login_secret *secret,
    struct net_conn_params *p, char **error_r)
{
	const struct conf_server *srv = conf_account_server(acct, proto);
	const char *tls = conf_account_get(acct, "tls");
	bool tls_on = true;

	memset(p, 0, sizeof(*p));
	if (srv == NULL) {
		*error_r = proto == CONF_PROTO_SMTP ?
		    xasprintf("account '%s' has no smtp= server", conf_account_name(acct)) :
		    xasprintf("account '%s' has no such server", conf_account_name(acct));
		return -1;
	}
	if (tls != NULL && conf_parse_bool(tls, &tls_on) != 0)
		tls_on = true;
	p->scheme = srv->scheme;
	p->host = srv->host;
	p->port = srv->port;
	p->user = srv->user != NULL ? srv->user : conf_account_get(acct, "user");
	p->password = secret->password;
	p->bearer = secret->bearer;
	p->allow_plaintext = !tls_on;
	p->ca_file = conf_account_get(acct, "tls-ca");
	p->fingerprint = conf_account_get(acct, "tls-fingerprint");
	p->timeout_ms = cmd_login_timeout_ms(conf);
	return 0;
}

int
cmd_login_open(const struct conf *conf, const struct conf_account *acct,
    enum conf_proto proto, const struct cmd_login_secret *secret,
    struct net_conn **conn_r, enum net_conn_error *kind_r, char **error_r)
{
	struct net_conn_params p;

	*conn_r = NULL;
	*kind_r = NET_CONN_ERR_NONE;
	if (cmd_login_params(conf, acct, proto, secret, &p, error_r) != 0)
		return -1;
	if (p.user == NULL) {
		*error_r = xasprintf("no user name for %s: write it in the URL (%s://USER@%s)",
		    p.host, p.scheme, p.host);
		return -1;
	}
	return net_conn_open(&p, conn_r, kind_r, error_r);
}

void
cmd_login_close(enum conf_proto proto, struct net_conn **conn)
{
	char line[64];
	char reply[512];

	if (*conn == NULL)
		return;
	if (proto == CONF_PROTO_IMAP) {
		/* Tags are unpredictable on every connection (DESIGN.md). */
		unsigned char r[4];

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			memset(r, 0x5a, sizeof(r));
		snprintf(line, sizeof(line), "t%02x%02x%02x%02x LOGOUT\r\n", r[0], r[1], r[2], r[3]);
	} else {
		snprintf(line, sizeof(line), "QUIT\r\n");
	}
	if (net_conn_send(*conn, line, strlen(line)) == 0)
		(void)net_conn_recv(*conn, reply, sizeof(reply), 2000);
	net_conn_close(conn);
}
