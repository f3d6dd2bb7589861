/* The operations users apply to messages, in one table shared by the
 * batch flags (tern --match QUERY --add-label L ...), the filter rules
 * (the same words after the query) and the UI's keys; and their
 * application to a folder over an IMAP session.
 *
 * How a set of actions is applied (PRODUCT.md: nothing lost, nothing
 * marked read by accident, idempotent):
 * - the matches are explicit UIDs, from one UID SEARCH (rules/plan.h) or
 *   the cache, and every command names them as UID sets (never 1:* or a
 *   sequence range), in batches of bounded length;
 * - flag actions go first, so a message that then moves carries its new
 *   labels; only messages whose flags would change are sent, so a second
 *   run changes nothing and says so;
 * - moves use UID MOVE; without MOVE, UID COPY and then the UID EXPUNGE
 *   of exactly those UIDs when UIDPLUS proves the copy, else the copies'
 *   originals are only marked \Deleted and left for the user, who is
 *   told; --delete moves to the Trash folder (created when missing);
 * - a label the server cannot store (PERMANENTFLAGS without \*, a full
 *   keyword table) is reported with the messages it missed;
 * - with dry_run nothing is sent that changes anything: what would change
 *   is printed instead.
 *
 * Conventions: 0, or -1 with *error_r (a sentence, free() it). */
#ifndef TERN_CMD_ACTION_H
#define TERN_CMD_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cache/cache.h"
#include "cmd/cmd-imap.h"
#include "rules/query.h"
#include "sync/sync-parse.h"

struct conf;

enum cmd_action_kind {
	CMD_ACTION_ADD_LABEL,
	CMD_ACTION_REMOVE_LABEL,
	CMD_ACTION_MARK_READ,
	CMD_ACTION_MARK_UNREAD,
	CMD_ACTION_FLAG,
	CMD_ACTION_UNFLAG,
	CMD_ACTION_STATUS,
	CMD_ACTION_ASSIGN,
	CMD_ACTION_MOVE,
	CMD_ACTION_DELETE,
	CMD_ACTION_CLAIM,
};

struct cmd_action_def {
	enum cmd_action_kind kind;
	const char *name;	/* "add-label": the flag without "--", the
				 * word in filter rules, the UI's command */
	const char *arg;	/* what it takes ("LABEL"), or NULL */
	const char *doc;	/* one line for help texts */
};

size_t cmd_action_count(void);
const struct cmd_action_def *cmd_action_at(size_t i);
/* The action named name ("add-label" or "--add-label"), or NULL. */
const struct cmd_action_def *cmd_action_lookup(const char *name);

#define CMD_ACTIONS_MAX 32

struct cmd_action {
	const struct cmd_action_def *def;
	char *arg;		/* a copy, or NULL */
};

struct cmd_actions {
	struct cmd_action v[CMD_ACTIONS_MAX];
	size_t n;
	bool stop;		/* filter rules: no later rule sees the matches */
};

/* Appends an action; -1 with *error_r for an unknown name, a missing or
 * unwanted argument, or too many actions. */
int cmd_actions_add(struct cmd_actions *a, const char *name, const char *arg,
    char **error_r);
/* Checks arguments and combinations before anything is sent: labels that
 * cannot be keywords, a status other than open/pending/done, opposite
 * actions (--flag --unflag), two moves. */
int cmd_actions_check(const struct cmd_actions *a, char **error_r);
void cmd_actions_free(struct cmd_actions *a);
/* "add-label Work" (for reports). A new string. */
char *cmd_action_text(const struct cmd_action *a);

/* ---- applying them ---- */

struct cmd_apply;

/* One apply context per session. cache may be NULL (no query then needs
 * it, and dry runs print UIDs only). out gets dry-run listings. */
struct cmd_apply *cmd_apply_create(struct cmd_imap *session, const struct conf *conf,
    const struct conf_account *acct, struct cache *cache, bool dry_run, FILE *out);
/* Saves the index it holds (our own changes applied) and frees. */
void cmd_apply_destroy(struct cmd_apply **ap);

/* Where to look: UIDs lo..hi (0, 0: the whole folder), without those in
 * exclude (may be NULL). */
struct cmd_apply_scope {
	uint32_t lo, hi;
	const struct sync_uids *exclude;
};

/* Opens folder (UTF-8 as the user writes it) read-write when it is not
 * already open, and reports its UIDVALIDITY and UIDNEXT. */
int cmd_apply_open(struct cmd_apply *ap, const char *folder, uint32_t *uidvalidity_r,
    uint32_t *uidnext_r, char **error_r);
/* The UIDs of folder's messages that match q in scope, sorted, into
 * *uids_r (initialised here). Syncs the folder's cache first when the
 * plan needs it, or for a dry run. */
int cmd_apply_find(struct cmd_apply *ap, const char *folder, struct query_node *q,
    const struct cmd_apply_scope *scope, struct sync_uids *uids_r, char **error_r);

/* Runs the plan's searches in the folder the session has open (read-only
 * is enough: --list after its sync), into slots[0..nsearches). */
struct plan;
int cmd_apply_search_slots(struct cmd_apply *ap, const struct plan *plan,
    struct sync_uids *slots, char **error_r);

struct cmd_apply_result {
	unsigned long changed;		/* messages changed (or that would be) */
	unsigned long already;		/* matched, already as asked */
	bool failed;			/* this action failed (printed) */
};

/* Applies the actions to uids (sorted, unique) of folder. A summary line
 * per action goes to stderr unless quiet_if_none and nothing changed;
 * failures are printed and counted in results[i].failed. -1 only when
 * the connection was lost. */
int cmd_apply_actions(struct cmd_apply *ap, const char *folder, const struct cmd_actions *a,
    const struct sync_uids *uids, bool quiet_if_none, struct cmd_apply_result *results,
    char **error_r);

/* The Trash folder's name on the server (found or created as --delete
 * does), or NULL with *error_r. Valid until ap is destroyed. */
const char *cmd_apply_trash(struct cmd_apply *ap, char **error_r);
/* Adds to uids (initialised by the caller) the messages of the open
 * folder whose Message-ID is message_id (UID SEARCH HEADER). */
int cmd_apply_find_message_id(struct cmd_apply *ap, const char *message_id,
    struct sync_uids *uids, char **error_r);
/* The same for a copy of a message: by its Message-ID, or without one
 * (NULL) by its exact size and, when not NULL, its Date header text. */
int cmd_apply_find_copy(struct cmd_apply *ap, const char *message_id, uint64_t size,
    const char *date, struct sync_uids *uids, char **error_r);
/* Opens folder read-write and UID FETCHes the flags of uids into a new
 * index (*idx_r, UID and flags only): the messages it lacks are gone
 * from the folder. */
int cmd_apply_fetch_flags(struct cmd_apply *ap, const char *folder, const struct sync_uids *uids,
    struct index **idx_r, char **error_r);
/* The flags the next cmd_apply_actions decides by (what needs changing),
 * instead of the held index: the server's own, from
 * cmd_apply_fetch_flags, when the cache already shows the change (a
 * replay of the journal). NULL goes back. idx must outlive its use. */
void cmd_apply_use_flags(struct cmd_apply *ap, const struct index *idx);
/* No summary lines on stderr (the UI says what it did in its own
 * words); failures are still reported. */
void cmd_apply_set_silent(struct cmd_apply *ap, bool silent);
bool cmd_apply_silent(const struct cmd_apply *ap);
/* The session ap works on (for commands of other modules between its
 * own; they may change the selected folder, which ap then opens again). */
struct cmd_imap *cmd_apply_session(const struct cmd_apply *ap);
/* The change a makes, applied to idx at once for uids, as the server
 * will have it once cmd_apply_actions succeeds: flags and labels set,
 * moved messages removed (the UI updates its view before the server
 * answers; the next sync corrects anything that did not happen). */
void cmd_apply_local(struct cmd_apply *ap, const struct cmd_actions *a, struct index *idx,
    const struct sync_uids *uids);


/* ---- for team folders (cmd-team.h) ---- */

/* The folder's index as the cache holds it, synced now, our changes
 * applied as they are made; the folder is left open read-write. Valid
 * until ap moves to another folder or is destroyed. */
int cmd_apply_held_index(struct cmd_apply *ap, const char *folder, const struct index **idx_r,
    char **error_r);
/* Records in the held index a change the caller made on the server. */
void cmd_apply_held_change(struct cmd_apply *ap, const struct sync_uids *uids,
    const char *const *add, const char *const *remove);
/* UID STORE +FLAGS or -FLAGS (NULL-terminated flags) on uids of the open
 * folder, with UNCHANGEDSINCE when unchangedsince is not 0; *modified_r
 * says whether the server refused some of it as changed meanwhile
 * (MODIFIED). A NO gives *why_r (free() it); -1 only when the connection
 * was lost. */
int cmd_apply_store(struct cmd_apply *ap, const struct sync_uids *uids, bool add,
    const char *const *flags, uint64_t unchangedsince, bool *modified_r, char **why_r,
    char **error_r);
/* UID FETCH (BODY.PEEK[HEADER.FIELDS (fields)]) of uids in the folder
 * open now: fn gets each message's header block. */
typedef void cmd_apply_header_fn(void *ctx, uint32_t uid, const char *header, size_t len);
int cmd_apply_fetch_headers(struct cmd_apply *ap, const struct sync_uids *uids,
    const char *const *fields, cmd_apply_header_fn *fn, void *ctx, char **error_r);
/* A METADATA entry of folder (RFC 5464): with set NULL, GETMETADATA into
 * *value_r (NULL when the entry is not there); else SETMETADATA to set.
 * A server without METADATA, or a NO, gives *why_r (free() it). -1 only
 * when the connection was lost. */
int cmd_apply_metadata(struct cmd_apply *ap, const char *folder, const char *entry,
    const char *set, char **value_r, char **why_r, char **error_r);
/* GETACL of folder (RFC 4314): *acl_r holds identifier, rights,
 * identifier, rights... (*n_r strings; free each, then the array). A
 * server without ACL, or its NO (GETACL needs the admin right), gives
 * *why_r. */
int cmd_apply_acl(struct cmd_apply *ap, const char *folder, char ***acl_r, size_t *n_r,
    char **why_r, char **error_r);
/* MYRIGHTS of folder (RFC 4314) into *rights_r (free() it; NULL when the
 * server would not say). */
int cmd_apply_myrights(struct cmd_apply *ap, const char *folder, char **rights_r,
    char **error_r);

#endif
