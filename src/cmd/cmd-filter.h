/* Filter rules (PRODUCT.md: "filter" lines of the mailrc, or a rules
 * file of the same lines) and running them over a folder's new mail.
 *
 * A rule is a query, then actions as on the command line, then an
 * optional "stop":
 *
 *     filter from:billing@example.com --add-label receipts stop
 *     filter subject:"[ci]" is:unread --move Lists/ci
 *
 * Rules run in order over the mail that arrived since the last run
 * (UIDs above the folder's cursor), each seeing what the earlier ones
 * did; a rule with "stop" (or one that moves) hides its matches from the
 * rules after it. The first run only records where the folder stands
 * (--all applies the rules to every message instead).
 *
 * Progress is kept per account and folder in the cache file, written
 * before each step: the batch (cursor, top UID), the rule in progress and
 * the exact UIDs it matched, and the UIDs earlier rules stopped. A run
 * that is killed or loses its connection resumes at that rule with those
 * UIDs, so nothing is applied twice and nothing is skipped (the actions
 * are idempotent besides). A UIDVALIDITY change starts the folder over
 * as a first run. */
#ifndef TERN_CMD_FILTER_H
#define TERN_CMD_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/cache.h"
#include "cmd/cmd-action.h"
#include "rules/query.h"

struct conf;

struct cmd_rule {
	char *file;
	unsigned line;
	char *text;			/* the rule as written */
	struct query_node *query;
	struct cmd_actions actions;
};

struct cmd_rules {
	struct cmd_rule *v;
	size_t n;
};

/* Splits one rule into its query (everything before the first word that
 * starts with "--", outside quotes) and its actions. Returns 0, or -1
 * with *error_r ("query column 14: expected ')'", "unknown action
 * '--lable'"). */
int cmd_rule_parse(const char *text, struct cmd_rule *rule_r, char **error_r);
/* The conf's filter lines; every bad rule is printed as FILE:LINE:
 * message on stderr. Returns 0, or -1 when any rule is bad (then no rule
 * may run). */
int cmd_rules_from_conf(const struct conf *conf, struct cmd_rules *rules_r);
void cmd_rules_free(struct cmd_rules *rules);
/* A digest of the rules' text: progress recorded under other rules is
 * not resumed. */
unsigned long cmd_rules_digest(const struct cmd_rules *rules);

struct cmd_filter_stats {
	unsigned long messages;		/* new messages looked at */
	unsigned long changes;		/* messages changed (or that would be) */
	unsigned failures;		/* actions that failed */
};

/* Runs the rules over folder (UTF-8) of account. Returns 0 (failures of
 * single actions are counted and printed), or -1 with *error_r when the
 * folder cannot be opened, the state cannot be kept, or the connection
 * was lost (rerunning resumes). */
int cmd_filter_folder(struct cmd_apply *ap, struct cache *cache, const char *account,
    const char *folder, const struct cmd_rules *rules, bool all, bool dry_run,
    struct cmd_filter_stats *stats, char **error_r);

#endif
