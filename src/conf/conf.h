/* The mailrc model: global settings, accounts, teams, and the problems
 * found while reading them.
 *
 * Conventions: objects come in create/destroy pairs, and destroy takes a
 * pointer to the caller's pointer and NULLs it. Functions that can fail
 * return 0 on success and -1 on failure. Problems in the file never make a
 * function fail: they are recorded as diagnostics ("FILE:LINE: message")
 * and reading goes on, so one run reports every problem. */
#ifndef TERN_CONF_H
#define TERN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct conf_account;
struct conf_team;
struct conf_parser;

enum conf_severity {
	CONF_SEV_ERROR,
	CONF_SEV_WARNING,
};

enum conf_proto {
	CONF_PROTO_IMAP,
	CONF_PROTO_SMTP,
	CONF_PROTO_POP3,
};

/* A server URL from imap=, smtp= or pop3=, already validated. */
struct conf_server {
	enum conf_proto proto;
	const char *url;	/* as written in the file */
	const char *scheme;	/* "imap", "imaps", "smtp", "smtps", "pop3", "pop3s" */
	const char *user;	/* percent-decoded; NULL when absent */
	const char *host;	/* without brackets for IPv6 literals */
	unsigned port;		/* explicit or the scheme's default */
	bool implicit_tls;	/* imaps/smtps/pop3s */
	unsigned line;		/* where it was set */
	const char *password;	/* percent-decoded, from the URL (warned
				 * about); NULL when absent */
	const char *path;	/* imap only: the folder after the host,
				 * percent-decoded; NULL when absent */
};

/* The repeated directives, kept as words in file order for the layers
 * that give them meaning. */
enum conf_list {
	CONF_LIST_LABEL,	/* label NAME [COLOR] */
	CONF_LIST_FILTER,	/* filter RULE: one word, the rest of the line
				 * as written (quotes kept, comment removed) */
	CONF_LIST_IGNORE,	/* ignore HEADER... */
	CONF_LIST_RETAIN,	/* retain HEADER... */
	CONF_LIST_BIND,		/* bind MAP KEY FUNCTION */
	CONF_LIST_COLOR,	/* color OBJECT FG BG [PATTERN] */
	CONF_LIST_COUNT
};

struct conf *conf_create(void);
void conf_destroy(struct conf **conf);

/* ---- Parsing (conf-parser.c): pure, no I/O, resumable, bounded. ----
 * Feed the file in pieces of any size (one byte at a time gives the same
 * result); finish at the end of input. filename is used in diagnostics. */
struct conf_parser *conf_parser_create(struct conf *conf, const char *filename);
void conf_parser_feed(struct conf_parser *parser, const void *data, size_t len);
void conf_parser_finish(struct conf_parser *parser);
void conf_parser_destroy(struct conf_parser **parser);

/* Cross-checks once the whole file is read (accounts have a server, teams
 * name an existing account, ...). conf_load_file() calls it. */
void conf_validate(struct conf *conf);

/* ---- Files (conf-file.c): the only part that does I/O. ---- */
/* The mailrc to use when none is given: $XDG_CONFIG_HOME/tern/mailrc, else
 * ~/.ternrc. Returns a new string (free it); the file may not exist.
 * Precisely: the first that exists of $XDG_CONFIG_HOME/tern/mailrc
 * ($XDG_CONFIG_HOME counts only when absolute, and defaults to ~/.config)
 * and ~/.ternrc; when neither exists, the XDG path if $XDG_CONFIG_HOME is
 * set, else ~/.ternrc. NULL only when no home directory can be found
 * ($HOME, then the password database) and $XDG_CONFIG_HOME is unset. */
char *conf_default_path(void);
/* Reads, parses and validates path. Returns 0 when the file was read and
 * has no errors, -1 otherwise; either way the diagnostics say why. Also
 * warns when the file holds a clear-text password and is readable by
 * others. */
int conf_load_file(struct conf *conf, const char *path);

/* ---- Diagnostics ----
 * Sorted by file (in reading order), then line; several on one line stay
 * in the order found. A problem with the file as a whole has line 0 and
 * reads "FILE: message". After 50 errors, one last "FILE:N: too many
 * errors, stopping" ends the list (and parsing); after 200 warnings, one
 * "too many warnings, not showing the rest" replaces the others. */
size_t conf_diag_count(const struct conf *conf);
enum conf_severity conf_diag_severity(const struct conf *conf, size_t i);
/* "FILE:LINE: message" or "FILE:LINE: warning: message" (no newline). */
const char *conf_diag_text(const struct conf *conf, size_t i);
bool conf_has_errors(const struct conf *conf);

/* ---- Global settings ----
 * Values are stored already validated; booleans are normalised to "yes"
 * or "no" whichever spelling the file used (on, true, 1, ...). */
/* The value of a top-level setting, or NULL when not set. */
const char *conf_get(const struct conf *conf, const char *name);
/* The line where a top-level setting was set, 0 when unset. */
unsigned conf_get_line(const struct conf *conf, const char *name);

/* ---- Directives (label, filter, ignore, retain, bind, color) ----
 * Entries in file order; words are unquoted. i and j must be in range. */
size_t conf_list_count(const struct conf *conf, enum conf_list list);
unsigned conf_list_line(const struct conf *conf, enum conf_list list, size_t i);
const char *conf_list_file(const struct conf *conf, enum conf_list list, size_t i);
size_t conf_list_argc(const struct conf *conf, enum conf_list list, size_t i);
const char *conf_list_arg(const struct conf *conf, enum conf_list list, size_t i,
    size_t j);

/* ---- The table of known settings (conf-settings.c) ----
 * Lets help texts and tests walk every setting; i < conf_setting_count(). */
size_t conf_setting_count(void);
const char *conf_setting_name(size_t i);
/* "global", "account" (also allowed at top level as a default for every
 * account, except imap, smtp and pop3) or "team". */
const char *conf_setting_scope(size_t i);
/* One line saying what the setting does. */
const char *conf_setting_doc(size_t i);
/* The value used when the setting is not set, or NULL when there is none
 * (or it depends on the environment, as editor does) or name is unknown. */
const char *conf_setting_default(const char *name);

/* Typed readers for stored values (which are already valid). Return 0 and
 * set the result, or -1 when s is malformed. Booleans: yes/no, true/false,
 * on/off, 1/0. Durations: N, Ns, Nm, Nh or Nd, in seconds. Sizes: N, Nk,
 * NM or NG (k = 1024), in bytes. */
int conf_parse_bool(const char *s, bool *value_r);
int conf_parse_duration(const char *s, uint64_t *seconds_r);
int conf_parse_size(const char *s, uint64_t *bytes_r);

/* ---- Accounts ---- */
size_t conf_account_count(const struct conf *conf);
/* Accounts in file order; the first is the default. */
const struct conf_account *conf_account_at(const struct conf *conf, size_t i);
const struct conf_account *conf_account_find(const struct conf *conf, const char *name);
const char *conf_account_name(const struct conf_account *acct);
unsigned conf_account_line(const struct conf_account *acct);
/* The account's value of a setting (falling back to a top-level default
 * where the setting allows one), or NULL. */
const char *conf_account_get(const struct conf_account *acct, const char *name);
/* The line where that value was set, 0 when unset. */
unsigned conf_account_setting_line(const struct conf_account *acct, const char *name);
/* The parsed server URL for proto, or NULL when the account has none. */
const struct conf_server *conf_account_server(const struct conf_account *acct,
    enum conf_proto proto);
/* True only when the account has a pop3= server and pop3-delete=yes:
 * without that explicit setting tern never sends DELE. */
bool conf_account_pop3_delete(const struct conf_account *acct);
/* The file the account was read from (for "FILE:LINE" messages). */
const char *conf_account_file(const struct conf_account *acct);
/* True for the account named "default" made from top-level imap=, smtp=
 * or pop3= in a file without account blocks. */
bool conf_account_is_implicit(const struct conf_account *acct);

/* ---- Teams ---- */
size_t conf_team_count(const struct conf *conf);
const struct conf_team *conf_team_at(const struct conf *conf, size_t i);
const struct conf_team *conf_team_find(const struct conf *conf, const char *name);
const char *conf_team_name(const struct conf_team *team);
unsigned conf_team_line(const struct conf_team *team);
const char *conf_team_file(const struct conf_team *team);
/* Team settings never fall back to top-level values. */
const char *conf_team_get(const struct conf_team *team, const char *name);
/* True when the space/comma separated list (members=) has word. */
bool conf_word_in_list(const char *list, const char *word);
/* A value for the team setting name as a team block would take it,
 * checked and in its stored form (a new string); NULL with *error_r for
 * a bad value or a name that is not a team setting. For team settings
 * kept outside the mailrc (the team's IMAP folder). */
char *conf_team_value(const char *name, const char *value, char **error_r);
/* The line where that value was set, 0 when unset. */
unsigned conf_team_setting_line(const struct conf_team *team, const char *name);

/* ---- The POP3 delete-after-download warning (conf-pop3warn.c) ----
 * The one home of its words, shown by --check, by every batch command on
 * stderr and by the interactive banner. Returns a new string (free it),
 * or NULL when the account does not delete POP3 mail. The text is several
 * lines, each starting with "tern: WARNING: " and ending in '\n'; it names
 * the account and the FILE:LINE of the pop3-delete setting. */
char *conf_pop3_warning(const struct conf_account *acct);

#endif
