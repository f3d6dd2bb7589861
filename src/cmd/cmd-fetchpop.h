/* Importing a POP3 mailbox into an IMAP folder (tern --fetch-pop), the
 * safe form of web mail's "fetch from another account": every message is
 * copied with APPEND, byte for byte, unread, with its delivery date; each
 * message once, across reruns and interruptions; and with pop3-delete=yes
 * DELE is sent for a message only after tern's own APPEND of it was
 * answered OK (in this run, or in an earlier one whose answer was lost
 * and whose copy is found), or once a byte-for-byte copy is found in a
 * folder other than INBOX (a run whose memory was lost put it there), on
 * the POP3 connection that listed it. Any other copy is no reason to
 * delete: it may be the very message, read through IMAP (one mailbox,
 * two protocols; POP3 serves INBOX).
 *
 * What was imported is remembered in the destination account's cache by
 * UIDL (by the SHA-256 of the message on a server without UIDL, which
 * then never gets a DELE). A lost memory costs no duplicates for mail
 * with a Message-ID: before each APPEND the folder is searched for it. */
#ifndef TERN_CMD_FETCHPOP_H
#define TERN_CMD_FETCHPOP_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd-imap.h"
#include "cmd/cmd-login.h"
#include "conf/conf.h"

struct cache;

struct cmd_fetchpop_stats {
	size_t imported;	/* APPENDed now */
	size_t there;		/* imported before, or a copy was found */
	size_t deleted;		/* DELE accepted on a session that reached QUIT */
	size_t failed;		/* refused by either server; tried again next run */
};

/* Imports src's POP3 mailbox (logged in with secret) into folder (UTF-8,
 * as the user writes it; created when missing) of the IMAP session.
 * Returns 0 when every message was handled, 1 when some failed or
 * pop3-delete=yes could not be honoured (warnings said why), -1 when a
 * connection was lost or a login failed (*error_r; what was done is
 * kept, a rerun continues). */
int cmd_fetch_pop(const struct conf *conf, const struct conf_account *src,
    const struct cmd_login_secret *secret, struct cmd_imap *session,
    const struct conf_account *dst, struct cache *cache, const char *folder,
    struct cmd_fetchpop_stats *stats, char **error_r);

#endif
