/* Changes made offline: written to the account's journal
 * (cache/journal.h) before anything else sees them, and replayed in
 * order once the server can be reached (PRODUCT.md: "No change is
 * lost").
 *
 * Replaying is built so that stopping anywhere (a kill, a dropped
 * connection, a full disk) and replaying again does everything exactly
 * once:
 * - flag and label changes are sent only to messages that need them,
 *   decided by the flags the server reports at replay time (the cache
 *   already shows the change);
 * - a move or delete records "moving" before its UID MOVE: a message
 *   still in the folder afterwards was not moved, one gone was;
 * - a message to send records "handed" just before the SMTP server gets
 *   the final ".", and "sent" after its answer; an entry found "handed"
 *   is never sent again (it is reported, and saved to Sent);
 * - the APPEND to Sent or Drafts first looks for the Message-ID there.
 *
 * A change that cannot apply any more is reported and dropped, never
 * applied half: messages gone from their folder (moved or deleted on
 * another device), a status or assignment that another device changed
 * meanwhile (the keywords the message had when the change was made are
 * kept for that), a folder that is gone. A message the SMTP server
 * refuses is saved to Drafts, so nothing typed is lost.
 *
 * Conventions: 0, or -1 with *error_r (a sentence, free() it). */
#ifndef TERN_CMD_JOURNAL_H
#define TERN_CMD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/journal.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-compose.h"
#include "cmd/cmd-imap.h"

struct conf;
struct conf_account;
struct cmd_login_secret;

/* The account's journal beside its cache. Without create, a journal
 * that was never written is not created: *j_r is NULL then. */
int cmd_journal_open(const struct conf *conf, const struct conf_account *acct, bool create,
    struct journal **j_r, char **error_r);
/* How many changes wait in the account's journal (0 when none, or it
 * cannot be read). */
size_t cmd_journal_waiting(const struct conf *conf, const struct conf_account *acct);

/* Records actions a on uids of folder, whose cached index (for the
 * Message-IDs and the team keywords) is idx. */
int cmd_journal_record_actions(struct journal *j, const char *folder, const struct index *idx,
    const struct cmd_actions *a, const struct sync_uids *uids, char **error_r);
/* Records a built message to send from from to rcpts (JOURNAL_SEND), or
 * a postponed draft (JOURNAL_DRAFT; rcpts and from unused). */
int cmd_journal_record_message(struct journal *j, enum journal_kind kind,
    const struct cmd_draft *draft, const char *msg, size_t len, char *const *rcpts,
    const char *from, char **error_r);

/* The two above on the account's journal, opened (created when new) and
 * closed again around the write; *waiting_r is then how many changes
 * wait. */
int cmd_journal_keep_actions(const struct conf *conf, const struct conf_account *acct,
    const char *folder, const struct index *idx, const struct cmd_actions *a,
    const struct sync_uids *uids, size_t *waiting_r, char **error_r);
int cmd_journal_keep_message(const struct conf *conf, const struct conf_account *acct,
    enum journal_kind kind, const struct cmd_draft *draft, const char *msg, size_t len,
    char *const *rcpts, const char *from, size_t *waiting_r, char **error_r);

/* One line for lists and reports: "INBOX: add-label Work, move Archive
 * (3 messages)", "send to a@b: Subject", "draft: Subject". */
char *cmd_journal_describe(const struct journal_entry *e);

struct cmd_replay {
	struct cmd_imap *session;
	struct cache *cache;		/* may be NULL */
	const struct conf *conf;
	const struct conf_account *acct;
	const struct cmd_login_secret *secret;	/* for SMTP */
	/* Each problem, one sentence ("INBOX: add-label Work: 2 messages
	 * are no longer there ..."). */
	void (*report)(void *ctx, const char *sentence);
	void *ctx;

	/* Filled in: entries done, entries reported and dropped (a
	 * conflict or a refusal), entries still waiting. */
	unsigned long replayed, conflicts;
	size_t waiting;
	/* A folder's cache was dropped because it showed a change that did
	 * not happen: a view of it must be read again whole. */
	bool forgot;
};

/* Replays every entry of j in order. 0 when each was done or reported;
 * -1 when the IMAP connection was lost, the SMTP server cannot be
 * reached or the journal cannot be written: what is left waits for the
 * next replay. */
int cmd_journal_replay(struct journal *j, struct cmd_replay *r, char **error_r);

#endif
