/* Internals shared by the conf/ files: the model's structures, the
 * settings table, value checks and the URL parser. Nothing outside conf/
 * includes this; conf.h is the interface.
 *
 * Conventions as in conf.h: checks return 0 on success and -1 on failure
 * with a message (without "FILE:LINE: ") written to err. */
#ifndef TERN_CONF_INT_H
#define TERN_CONF_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

/* Bounds that keep a hostile file from using much time or memory. */
#define CONF_LINE_MAX	65536	/* bytes in one logical line */
#define CONF_ERRORS_MAX	50	/* errors recorded before giving up */
#define CONF_WARNINGS_MAX 200	/* warnings recorded; the rest are dropped */
#define CONF_QUOTE_MAX	80	/* bytes of file text quoted in a message */

/* Room for one diagnostic's message (longer ones are cut). */
#define CONF_ERR_LEN	512

enum conf_scope {
	CONF_SCOPE_GLOBAL,
	CONF_SCOPE_ACCOUNT,
	CONF_SCOPE_TEAM,
};

enum conf_type {
	CONF_T_BOOL,
	CONF_T_STRING,		/* free text, non-empty (commands, formats) */
	CONF_T_PATH,		/* non-empty; ~ allowed */
	CONF_T_FOLDER,		/* an IMAP folder name, non-empty */
	CONF_T_DURATION,
	CONF_T_SIZE,
	CONF_T_INT,		/* decimal within [min, max] */
	CONF_T_ENUM,
	CONF_T_ADDRESS,		/* one address, with or without a name */
	CONF_T_ADDRLIST,	/* bare addresses separated by spaces/commas */
	CONF_T_FINGERPRINT,
	CONF_T_URL,
	CONF_T_NAME,		/* an account or team member name */
	CONF_T_NAMELIST,	/* names separated by spaces or commas */
	CONF_T_CHARSET,
	CONF_T_TEMPLATES,	/* a path, or imap:FOLDER */
};

struct conf_setting_def {
	const char *name;
	enum conf_scope scope;
	enum conf_type type;
	const char *const *choices;	/* CONF_T_ENUM, NULL-terminated */
	enum conf_proto proto;		/* CONF_T_URL */
	unsigned long min, max;		/* CONF_T_INT */
	const char *def;		/* default value, or NULL */
	bool secret;			/* a clear-text password */
	const char *doc;
};

/* One setting in one scope. value is NULL when the scope unsets it, or
 * when the file gave a bad value (bad is then true, so later checks do
 * not pile a second error on the first). */
struct conf_value {
	const struct conf_setting_def *def;
	char *value;
	const char *file;
	unsigned line;
	bool bad;
};

struct conf_values {
	struct conf_value *v;
	size_t n;
};

struct conf_server_owned {
	struct conf_server pub;
	char *url, *scheme, *user, *host, *password, *path;
};

struct conf_account {
	struct conf *conf;
	char *name;
	const char *file;
	unsigned line;
	bool implicit;
	struct conf_values scope;
	struct conf_server_owned *servers[3];	/* by enum conf_proto */
};

struct conf_team {
	char *name;
	const char *file;
	unsigned line;
	struct conf_values scope;
};

struct conf_entry {
	const char *file;
	unsigned line;
	char **argv;
	size_t argc;
};

struct conf_diag {
	char *text;
	enum conf_severity sev;
	size_t file_idx;
	unsigned sort_line;
};

struct conf_secret {
	const char *file;
	unsigned line;
};

struct conf {
	struct conf_values global;
	struct conf_account **accounts;
	size_t naccounts;
	struct conf_team **teams;
	size_t nteams;
	struct conf_entry *lists[CONF_LIST_COUNT];
	size_t nlists[CONF_LIST_COUNT];
	struct conf_diag *diags;
	size_t ndiags;
	size_t nerrors;
	size_t nwarnings;
	bool stopped;		/* CONF_ERRORS_MAX reached */
	bool validated;
	char **files;		/* interned file names, in reading order */
	size_t nfiles;
	struct conf_secret *secrets;
	size_t nsecrets;
};

/* Where a set or unset applies: the top level, or one block. */
struct conf_block {
	enum conf_scope kind;
	struct conf_values *scope;
	struct conf_account *acct;	/* kind == CONF_SCOPE_ACCOUNT */
	const char *name;		/* the block's name, for messages */
};

/* ---- conf.c: the model's mutators ---- */
/* Returns conf's own copy of file (one per distinct name). */
const char *conf_intern_file(struct conf *conf, const char *file);
/* Records "FILE:LINE: [warning: ]message" (line 0: "FILE: message"). After
 * CONF_ERRORS_MAX errors one last "too many errors, stopping" is recorded
 * and nothing after it. */
void conf_diag_add(struct conf *conf, const char *file, unsigned line,
    enum conf_severity sev, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool conf_stopped(const struct conf *conf);
/* "set NAME=VALUE" (value non-NULL), "set NAME" / "set noNAME" (value NULL,
 * unset false) or "unset NAME" (unset true), applied to blk. */
void conf_apply(struct conf *conf, const struct conf_block *blk, const char *file,
    unsigned line, const char *name, const char *value, bool unset);
struct conf_account *conf_account_new(struct conf *conf, const char *name,
    const char *file, unsigned line);
void conf_account_free(struct conf_account **acct);
void conf_account_append(struct conf *conf, struct conf_account *acct);
struct conf_team *conf_team_new(const char *name, const char *file, unsigned line);
void conf_team_free(struct conf_team **team);
void conf_team_append(struct conf *conf, struct conf_team *team);
void conf_list_add(struct conf *conf, enum conf_list list, const char *file,
    unsigned line, char **argv, size_t argc);
/* The value that applies to acct for name: its own, else a top-level
 * default where the setting allows one; NULL when neither exists. */
const struct conf_value *conf_account_value(const struct conf_account *acct,
    const char *name);
/* End of one file: the implicit "default" account, top-level servers. */
void conf_finish_file(struct conf *conf, const char *file);

/* Appends to dst a quoted-safe, shortened rendering of len bytes of s (at
 * most CONF_QUOTE_MAX, "..." when cut), for use inside '...' in messages. */
void conf_quote(char *dst, size_t dstsize, const char *s, size_t len);
/* Account, team and member names: letters, digits, '.', '_', '-', '@',
 * '+'; not empty. */
bool conf_name_valid(const char *s);
bool conf_utf8_valid(const char *s, size_t len);

/* ---- conf-settings.c ---- */
const struct conf_setting_def *conf_settings_find(const char *name);
/* The known setting closest to a mistyped name (also knowing mutt and
 * s-nail spellings), or NULL when none is close. */
const char *conf_settings_suggest(const char *name);
/* Checks value against def's type. Returns the value to store (a new
 * string: booleans normalised to "yes"/"no"), or NULL with a message such
 * as "bad value for 'x': 'y' (expected ...)" in err. */
char *conf_settings_check(const struct conf_setting_def *def, const char *value,
    char *err, size_t errlen);

/* ---- conf-url.c ---- */
struct conf_url {
	char *scheme;		/* lower case */
	char *user;		/* NULL when absent */
	char *password;		/* NULL when absent */
	char *host;
	char *path;		/* imap only; NULL when absent */
	unsigned port;
	bool implicit_tls;
};
/* Parses a server URL for proto. On error, err holds the reason (e.g.
 * "port 99999 out of range") and *r is untouched. */
int conf_url_parse(const char *url, enum conf_proto proto, struct conf_url *r,
    char *err, size_t errlen);
void conf_url_free(struct conf_url *r);
/* The setting name for proto: "imap", "smtp", "pop3". */
const char *conf_url_proto_name(enum conf_proto proto);

#endif
