/* Sending one message through libcurl's own SMTP (smtp:// with STARTTLS
 * required unless the account says tls=no, or smtps://): MAIL FROM, one
 * RCPT TO per recipient, DATA (curl does the dot-stuffing), with the
 * account's login, CA file and pinned key (DESIGN.md, "POP3 and SMTP:
 * libcurl as it is").
 *
 * Thread safety: smtp_send keeps no state outside the call and prints
 * nothing, so a worker thread may send while the main thread runs the
 * UI; net_global_init() must have run in the main thread first.
 *
 * Conventions: smtp_send returns 0 when the server accepted the message
 * for every recipient; SMTP_FAIL_CONNECT when it could not connect, set
 * up TLS or log in (the batch exit status 3); SMTP_FAIL_REFUSED when the
 * server refused the sender, a recipient or the message, or the transfer
 * broke. On failure *error_r is one sentence naming the server (free()
 * it). Nothing was sent unless 0 is returned, except that a transfer
 * broken after the final "." may or may not have been delivered (the
 * sentence says so). */
#ifndef TERN_SMTP_SMTP_H
#define TERN_SMTP_SMTP_H

#include <stddef.h>

#include "net/conn.h"

#define SMTP_FAIL_REFUSED (-1)
#define SMTP_FAIL_CONNECT (-2)

struct smtp_params {
	/* scheme "smtp" or "smtps", host, port, login, TLS settings; its
	 * timeout_ms bounds connecting and each wait for an answer. */
	struct net_conn_params server;
	/* When not NULL, called once, as the last bytes of the message go
	 * to curl: the next thing the server gets is the final ".". What
	 * happens to the message after that the caller may not learn (the
	 * offline journal records it there). */
	void (*handed)(void *ctx);
	void *handed_ctx;
};

/* Sends len bytes of msg (CRLF line ends, as cmd_draft_build makes it)
 * from from_addr (a bare address) to rcpts (bare addresses, NULL
 * terminated, at least one). */
int smtp_send(const struct smtp_params *p, const char *from_addr,
    const char *const *rcpts, const void *msg, size_t len, char **error_r);

#endif
