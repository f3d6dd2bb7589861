/* Logging in to an account's servers: where the secret comes from
 * (password-command, OAuth2 token command, the mailrc, or a prompt) and
 * the connection parameters an account's settings give. Shared by every
 * front end, so the UI and the batch commands connect the same way.
 *
 * Conventions: functions return 0 on success and -1 with *error_r set to
 * a sentence (free() it). */
#ifndef TERN_CMD_LOGIN_H
#define TERN_CMD_LOGIN_H

#include "conf/conf.h"
#include "net/conn.h"

struct cmd_login_secret {
	char *password;		/* NULL when a bearer token is used */
	char *bearer;
	const char *source;	/* "password-command", "prompt", ... */
	unsigned line;		/* mailrc line of the setting it came from */
};

/* Gets the account's secret. On failure *line_r is the mailrc line to
 * blame (0 when none). */
int cmd_login_secret(const struct conf *conf, const struct conf_account *acct,
    struct cmd_login_secret *secret_r, unsigned *line_r, char **error_r);
void cmd_login_secret_clear(struct cmd_login_secret *secret);

/* The connection parameters of the account's server for proto (strings
 * point into conf and secret); -1 when the account has no such server.
 * p_r->user may be NULL (no user name anywhere). */
int cmd_login_params(const struct conf *conf, const struct conf_account *acct,
    enum conf_proto proto, const struct cmd_login_secret *secret,
    struct net_conn_params *p_r, char **error_r);

/* Connects to the account's server for proto and logs in. */
int cmd_login_open(const struct conf *conf, const struct conf_account *acct,
    enum conf_proto proto, const struct cmd_login_secret *secret,
    struct net_conn **conn_r, enum net_conn_error *kind_r, char **error_r);

/* The mailrc's timeout= (connecting, logging in, waiting for an answer)
 * in milliseconds; 30 s when unset. */
int cmd_login_timeout_ms(const struct conf *conf);

/* Says goodbye in the protocol's words (LOGOUT or QUIT) and closes. */
void cmd_login_close(enum conf_proto proto, struct net_conn **conn);

#endif
