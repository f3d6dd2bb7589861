/* An account's IMAP session for the batch commands and --check: log in
 * (through cmd-login), re-issue CAPABILITY (curl may drop what came with
 * its login reply), identify with ID where offered, then run commands on
 * the engine until they complete. One poll loop per session.
 *
 * Conventions: functions returning int give 0, or -1 with *error_r set
 * to one sentence in plain words naming the server (free() it). */
#ifndef TERN_CMD_IMAP_H
#define TERN_CMD_IMAP_H

#include "cmd/cmd-login.h"
#include "imap/imap-client.h"

struct cmd_imap;

/* Connects and logs in; on failure *kind_r tells connect, TLS or login
 * (NET_CONN_ERR_NONE: a configuration problem) for the exit status. */
int cmd_imap_open(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, struct cmd_imap **session_r,
    enum net_conn_error *kind_r, char **error_r);
/* The same on a connection already open (cmd_login_open, perhaps on a
 * worker thread so the UI never waits for it), driven by the caller's
 * loop, which the session uses but does not own. Takes *net (NULLed, and
 * closed on failure). literal_max: the largest literal accepted (a
 * message body the UI opens). */
struct net_loop;
int cmd_imap_attach(const struct conf *conf, const struct conf_account *acct,
    struct net_loop *loop, struct net_conn **net, size_t literal_max,
    struct cmd_imap **session_r, enum net_conn_error *kind_r, char **error_r);
/* The engine, to queue commands on. */
struct imap_client *cmd_imap_client(struct cmd_imap *session);
/* Runs until every queued command has completed. -1 when the connection
 * was lost (its commands completed with IMAP_RESULT_LOST first). */
int cmd_imap_wait(struct cmd_imap *session, char **error_r);
/* Routes the untagged responses a command layer needs (EXISTS, EXPUNGE,
 * VANISHED, FETCH, other) to h; NULL stops. BYE and ALERT stay with the
 * session. h is copied. */
void cmd_imap_set_handlers(struct cmd_imap *session, const struct imap_client_handlers *h);
/* Whether ENABLE QRESYNC was sent on this session (it is valid only
 * before a folder is selected, once). */
bool *cmd_imap_qresync_enabled(struct cmd_imap *session);
/* The server's hierarchy delimiter (LIST "" "", asked once per session);
 * '/' when it has none or does not say. */
char cmd_imap_delimiter(struct cmd_imap *session);
/* Sends what is queued without waiting (IDLE's DONE, a command whose
 * answer a callback takes). */
void cmd_imap_flush(struct cmd_imap *session);
/* Drops the connection now: a wait in progress returns -1 (the user quit
 * while a sync ran). */
void cmd_imap_abort(struct cmd_imap *session);
/* Why the connection was lost, as cmd_imap_wait would say. free() it. */
char *cmd_imap_lost_text(const struct cmd_imap *session);
/* False once the connection is lost. */
bool cmd_imap_alive(const struct cmd_imap *session);
/* "127.0.0.1 port 143", for messages. */
const char *cmd_imap_peer(const struct cmd_imap *session);
/* Logs out (when still connected) and frees everything. */
void cmd_imap_close(struct cmd_imap **session);

/* A command's NO, BAD or loss as one sentence: "what failed: the
 * server's text" (made safe for a terminal). free() it. */
char *cmd_imap_failure(const char *what, enum imap_result result,
    const struct imap_response *tagged);

#endif
