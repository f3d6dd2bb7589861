/* Reading a POP3 mailbox through libcurl's own pop3:// (DESIGN.md, "POP3
 * and SMTP: libcurl as it is"): the list of messages with their sizes and
 * UIDLs, a message whole (RETR) or its header (TOP n 0), and DELE.
 *
 * One struct pop3 is one curl handle; curl keeps its connection between
 * calls, so they run in one POP3 session. A POP3 session numbers its
 * messages for its own lifetime only (RFC 1939), and curl reconnects by
 * itself when a connection was lost, so every connection gets a session
 * number (pop3_session), a list remembers the session it came from, and
 * pop3_dele refuses to act on a list from another session: DELE n is only
 * ever sent on the connection whose list said which message n is. DELE
 * takes effect at QUIT, which pop3_close sends. curl closes the
 * connection after a refusal (-ERR), so a refusal also ends the session:
 * the next call runs on a new one.
 *
 * Conventions: 0 on success; POP3_REFUSED when the server answered -ERR,
 * POP3_LOST when the connection or the login
 * failed (a later call reconnects), each with *error_r, a sentence naming
 * the server (free() it). Nothing is printed. */
#ifndef TERN_POP3_POP3_H
#define TERN_POP3_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/conn.h"
#include "pop3/pop3-parse.h"

#define POP3_REFUSED (-1)
#define POP3_LOST (-2)

struct buf;
struct pop3;

/* "sha256:" and the hex SHA-256 of a message or a header: what names a
 * message on a server without UIDL. */
#define POP3_CONTENT_KEY_SIZE (7 + 64 + 1)
void pop3_content_key(const void *data, size_t len, char out[POP3_CONTENT_KEY_SIZE]);

/* Connects and logs in (p->timeout_ms bounds each wait). */
int pop3_open(const struct net_conn_params *p, struct pop3 **pop_r, char **error_r);
/* Whether the connection of the last call still stands (a NOOP on it):
 * what DELE marked there is removed at the QUIT that pop3_close sends. */
bool pop3_alive(struct pop3 *pop);
/* QUIT (the server then removes what DELE marked) and closes. */
void pop3_close(struct pop3 **pop);
/* Which connection the last call ran on: it changes when curl had to
 * connect again. */
unsigned pop3_session(const struct pop3 *pop);

/* LIST, then UIDL (a server without it gives have_uidl false, not an
 * error). At most max messages (more is an error). */
int pop3_list(struct pop3 *pop, size_t max, struct pop3_list *list_r, char **error_r);

/* RETR m->num: the message as stored, CRLF line ends, dot-stuffing
 * undone; appended to out (whose limit bounds it). A transfer whose
 * connection was cut in the middle is POP3_LOST, never a short message. */
int pop3_retr(struct pop3 *pop, const struct pop3_msg *m, struct buf *out, char **error_r);
/* TOP num 0: the header and the blank line after it. */
int pop3_top(struct pop3 *pop, uint32_t num, struct buf *out, char **error_r);
/* DELE of list->v[i], only on the session the list came from and without
 * letting curl open a new connection for it: POP3_LOST otherwise, with
 * nothing sent. */
int pop3_dele(struct pop3 *pop, const struct pop3_list *list, size_t i, char **error_r);

#endif
