/* Reading a pop3= account without deleting anything (the safe half of
 * POP3): the mailbox becomes the INBOX of the account's header cache, so
 * tern --sync and tern --list work on it as on IMAP. UIDL tells messages
 * apart from one session to the next (the header of each is fetched once,
 * with TOP n 0, and it keeps a local UID); a server without UIDL is read
 * by the header's SHA-256. Messages gone from the server leave the index;
 * nothing here sends DELE, and RETR only for a message asked for.
 *
 * Conventions: 0, or -1 with *error_r (a sentence, free() it) and *lost_r
 * true when the server could not be reached or the connection broke. */
#ifndef TERN_CMD_CMD_POP3SYNC_H
#define TERN_CMD_CMD_POP3SYNC_H

#include <stdbool.h>

#include "cmd/cmd-login.h"
#include "conf/conf.h"
#include "sync/sync.h"

struct cache;
struct index;

/* The folder name the mailbox has in the cache. */
#define CMD_POP3_FOLDER "INBOX"

int cmd_pop3_sync(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, struct cache *cache, struct index *idx,
    struct sync_stats *stats, bool *lost_r, char **error_r);

/* The whole message uid (a local UID cmd_pop3_sync gave) into out, by
 * RETR on a session of its own (found by its UIDL, else its header). */
struct buf;
int cmd_pop3_retr(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, struct cache *cache, uint32_t uid,
    struct buf *out, bool *lost_r, char **error_r);

#endif
