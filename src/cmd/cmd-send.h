/* Sending and saving what was composed: SMTP through smtp/, then on the
 * account's IMAP session the copy in Sent (\Seen), \Answered on the
 * message answered, and a replaced draft moved to Trash (never
 * expunged); and postponing a draft to the Drafts folder. The special
 * folders are found by cmd_folders_special (cmd-folders.h), the one rule
 * the Trash of --delete follows too.
 *
 * Conventions: cmd_send_smtp returns 0 or a CMD_SEND_* failure; the
 * others return 0, or -1 with *error_r set to one sentence (free() it)
 * that says what was done and what was not ("sent, but not saved to
 * Sent: ..."). */
#ifndef TERN_CMD_SEND_H
#define TERN_CMD_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cmd/cmd-compose.h"
#include "cmd/cmd-imap.h"

struct cache;

#define CMD_SEND_REFUSED (-1)	/* the server refused, or the transfer broke */
#define CMD_SEND_CONNECT (-2)	/* cannot connect, set up TLS or log in */
#define CMD_SEND_CONFIG (-3)	/* the account has no smtp= */

/* Sends len bytes of msg from from_addr to rcpts (NULL-terminated bare
 * addresses) through the account's smtp= server with secret. Keeps no
 * state and prints nothing: safe on a worker thread (net_global_init()
 * must have run in the main thread). */
int cmd_send_smtp(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, const char *msg, size_t len,
    char *const *rcpts, const char *from_addr, char **error_r);

/* cmd_send_smtp, with handed called as the message's last bytes go out
 * (smtp.h). */
int cmd_send_smtp_handed(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, const char *msg, size_t len,
    char *const *rcpts, const char *from_addr, void (*handed)(void *ctx), void *ctx,
    char **error_r);

/* After the SMTP server accepted msg (the built draft): APPEND it to
 * Sent with \Seen (created on TRYCREATE); with draft->in_reply_to, UID
 * STORE +FLAGS.SILENT (\Answered) on the original, found by Message-ID
 * in draft->reply_folder (default INBOX); with draft->old_draft, that
 * stored draft moves from Drafts to Trash. Every step is tried; -1 when
 * any failed. cache may be NULL. */
int cmd_send_record(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_draft *draft, const char *msg,
    size_t len, char **error_r);

/* For the journal's replays, steps that may run twice: the APPEND of
 * msg to Sent (\Seen), or with draft to Drafts (\Draft \Seen), only
 * when no message with message_id (may be NULL) is there already (0, 1
 * refused with *why_r, -1 lost); and the steps of cmd_send_record after
 * it (the same returns; *why_r lists what failed). */
int cmd_send_save_once(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, bool draft, const char *message_id, const char *msg,
    size_t len, char **why_r, char **error_r);
int cmd_send_finish(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_draft *draft, char **why_r,
    char **error_r);

/* Saves draft to Drafts (\Draft \Seen; created on TRYCREATE), then moves
 * the stored draft it replaces (old_draft) to Trash. */
int cmd_postpone(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_draft *draft, char **error_r);

/* APPENDs len bytes of msg to the folder wire (shown: its name for
 * messages) with flags (NULL-terminated, may be NULL) and the internal
 * date (0: the server's clock), creating the folder once on TRYCREATE.
 * 0 once the server answered OK; 1 when refused (*why_r); -1 when the
 * connection was lost (*error_r). */
/* CREATE wire; the same returns. */
int cmd_folder_create(struct cmd_imap *session, const char *wire, const char *shown,
    char **why_r, char **error_r);
int cmd_append(struct cmd_imap *session, const char *wire, const char *shown,
    const char *const *flags, time_t date, const char *msg, size_t len,
    char **why_r, char **error_r);

#endif
