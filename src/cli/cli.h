/* The batch front end: command-line options, the mailrc they load, and the
 * commands they run. Each cli_* command returns the process exit status
 * (PRODUCT.md: 0 success, 1 some actions failed, 2 usage or configuration
 * error, 3 cannot connect or authenticate). */
#ifndef TERN_CLI_H
#define TERN_CLI_H

#include <stdbool.h>

#include "rules/plan.h"

struct conf;

enum {
	EXIT_OK = 0,
	EXIT_PARTIAL = 1,
	EXIT_USAGE = 2,
	EXIT_CONNECT = 3,
};

enum cli_mode {
	CLI_MODE_INTERACTIVE,
	CLI_MODE_CHECK,
	CLI_MODE_SYNC,
	CLI_MODE_LIST,
	CLI_MODE_FILTER,
	CLI_MODE_MATCH,
	CLI_MODE_TEAM_REPORT,
	CLI_MODE_FETCH_POP,
	CLI_MODE_FOLDERS,
	CLI_MODE_RENDER,
	CLI_MODE_SEND,
	CLI_MODE_POSTPONE,
	CLI_MODE_REPLAY,
	CLI_MODE_JOURNAL,
	CLI_MODE_VERSION,
	CLI_MODE_HELP,
};

struct cli_opts {
	enum cli_mode mode;
	const char *mailrc;	/* -F */
	const char *account;	/* -A */
	const char *folder;	/* -f */
	const char *query;	/* --match */
	const char *rules;	/* --rules */
	const char *into;	/* --into */
	const char *fetch_pop;	/* --fetch-pop */
	const char *sort;	/* --sort */
	const char *search_on;	/* --search-on server|cache */
	bool bodies;		/* --sync --bodies[=QUERY] */
	const char *bodies_query;
	bool json, dry_run, offline, reverse, all;
	int nactions;		/* --add-label, --move, ... in order */
	struct {
		const char *name;	/* "add-label" */
		const char *arg;	/* its value, or NULL */
	} actions[32];
	int nargs;		/* operands after the options */
	char **args;
};

/* cli-help.c */
void cli_help_print(void);
void cli_version_print(void);
/* The option's name as the user typed it, for "not built yet" messages. */
const char *cli_mode_flag(enum cli_mode mode);

/* cli-config.c: loads the mailrc for a command and prints its problems
 * and the POP3 warnings on stderr. Returns 0 and sets *conf_r, or returns
 * an exit status (EXIT_USAGE) with nothing to free. */
int cli_config_load(const struct cli_opts *opts, struct conf **conf_r);

/* cli-account.c: the account a command works on (-A, else the first),
 * or NULL after printing why; and its secret (EXIT_OK, or the exit
 * status after printing the problem). */
struct conf_account;
struct cmd_login_secret;
const struct conf_account *cli_account(const struct cli_opts *opts, const struct conf *conf);
int cli_secret(const struct conf *conf, const struct conf_account *acct,
    struct cmd_login_secret *secret_r);
/* Logs in to the account's IMAP server: EXIT_OK and *session_r, or the
 * exit status after printing why (2 for the configuration, 3 when it
 * cannot connect or log in). */
struct cmd_imap;
int cli_session(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap **session_r);
/* An account with pop3= and no imap=: its mailbox is the cache's INBOX,
 * and no other folder name applies (EXIT_USAGE after saying so). */
bool cli_pop3_only(const struct conf_account *acct);
int cli_pop3_folder(const struct conf_account *acct, const char *folder);

/* A --match or --bodies query: planned for where it runs, its server
 * searches run while the session is open, then tested on an index
 * (cli-list.c). Each function prints what went wrong and returns -1. */
struct sync_uids;
struct index;
struct cli_query {
	struct query_node *q;
	struct plan *plan;
	struct sync_uids *slots;
	bool searched;
};
int cli_query_plan(struct cli_query *cq, enum plan_where where);
int cli_query_search(struct cli_query *cq, struct cmd_imap *session, const struct conf *conf,
    const struct conf_account *acct);
/* Which positions of idx match. A new array. */
bool *cli_query_show(struct cli_query *cq, const struct index *idx);
/* Forgets the searches' answers (before the next folder). */
void cli_query_reset(struct cli_query *cq);
void cli_query_free(struct cli_query *cq);

/* cli-sync.c: an account with only pop3=: its mailbox into the cache's
 * INBOX (cmd-pop3sync.h); *idx_r is what the cache then holds (NULL on
 * a cache error). EXIT_OK, or the status after saying what went wrong. */
struct cache;
struct sync_stats;
int cli_pop3_refresh(const struct conf *conf, const struct conf_account *acct,
    struct cache *cache, struct index **idx_r, struct sync_stats *stats);

/* cli-sync.c, cli-list.c */
int cli_sync(const struct cli_opts *opts, struct conf *conf);
int cli_list(const struct cli_opts *opts, struct conf *conf);
/* cli-list.c: folder name (as the user writes it) of acct as --list shows
 * it: synced into the cache on a new session (lq's server searches run
 * meanwhile; lq may be NULL), or, offline or when the server cannot be
 * reached, the cache alone after a warning saying how old it is. Returns
 * the exit status after printing any problem; *idx_r is the index to show
 * (the caller destroys it), set when the status is EXIT_OK, and also with
 * EXIT_CONNECT when the cache could stand in; NULL otherwise. */
int cli_list_index(const struct conf *conf, const struct conf_account *acct, const char *name,
    bool offline, struct cli_query *lq, struct index **idx_r);

/* cli-team.c: --team-report [--json] [TEAM]. */
int cli_team_report(const struct cli_opts *opts, struct conf *conf);

/* cli-match.c: --match QUERY ACTION...; cli-filter.c: --filter. */
int cli_match(const struct cli_opts *opts, struct conf *conf);
int cli_filter(const struct cli_opts *opts, struct conf *conf);
/* Parses --match's query, printing "query:1:COL: message" when it is
 * bad. NULL then. */
struct query_node;
struct query_node *cli_query_parse(const char *text);
/* The cache and the session a batch command works with: EXIT_OK, or the
 * exit status after printing why (*kind_r, when not NULL, is then the
 * net_conn_error). The cache is required when need_cache, else a cache
 * that cannot be opened is only warned about (NULL). With replay, the
 * journal is replayed first (cli_replay_first). */
struct cache;
int cli_batch_open(const struct conf *conf, const struct conf_account *acct,
    bool need_cache, bool replay, struct cache **cache_r, struct cmd_imap **session_r,
    int *kind_r);

/* The folders a --match or --filter run works on: the arguments, else
 * INBOX. */
const char *const *cli_batch_folders(const struct cli_opts *opts, size_t *n_r);
/* A folder failed with error (printed, then freed): EXIT_CONNECT when the
 * session is gone (the caller stops), else EXIT_PARTIAL (it goes on). */
int cli_batch_folder_failed(struct cmd_imap *session, const char *folder, char *error);

/* cli-folders.c */
int cli_folders(const struct cli_opts *opts, struct conf *conf);

/* cli-render.c */
int cli_render(const struct cli_opts *opts);

/* cli-send.c: --send [FILE], --postpone [FILE] */
int cli_send(const struct cli_opts *opts, struct conf *conf);
int cli_postpone(const struct cli_opts *opts, struct conf *conf);

/* cli-journal.c: --replay, --journal [--json]; --match with --offline
 * (or when the server cannot be reached) records the actions in the
 * journal and applies them to the cache. */
struct cmd_actions;
int cli_replay(const struct cli_opts *opts, struct conf *conf);
int cli_journal(const struct cli_opts *opts, struct conf *conf);
int cli_match_offline(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_actions *a);
/* Replays the account's journal over session before a command does
 * anything else: EXIT_OK, EXIT_PARTIAL when changes were reported as
 * conflicts, EXIT_CONNECT when the replay could not finish. With
 * say_nothing, an empty journal says "journal: nothing waiting". */
int cli_replay_first(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap *session, struct cache *cache, bool say_nothing);
/* "journal: N changes waiting (...)" on stderr when there are. */
void cli_journal_note(const struct conf *conf, const struct conf_account *acct);
/* cli_session that also says which kind of failure it was. */
int cli_session_kind(const struct conf *conf, const struct conf_account *acct,
    struct cmd_imap **session_r, int *kind_r);

/* cli-fetchpop.c: --fetch-pop ACCOUNT --into ACCOUNT[:FOLDER] */
int cli_fetch_pop(const struct cli_opts *opts, struct conf *conf);

/* cli-check.c */
int cli_check(const struct cli_opts *opts, struct conf *conf);

#endif
