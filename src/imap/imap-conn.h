/* Drives an imap_client (the pure engine) over a non-blocking stream in
 * the poll loop: reads whatever arrives (until the stream has nothing
 * more, so data held inside TLS is never left waiting for the next
 * poll), feeds the engine, writes what it has to send, keeps the read
 * time-out while the server owes an answer, and re-arms a long IDLE
 * every IMAP_IDLE_REARM_MS.
 *
 * Ownership: the caller keeps the loop, the stream's connection and the
 * client; imap_conn only watches. Destroy it before any of them. */
#ifndef TERN_IMAP_CONN_H
#define TERN_IMAP_CONN_H

#include "imap/imap-client.h"
#include "net/loop.h"
#include "net/stream.h"

struct imap_conn;

enum imap_conn_lost {
	IMAP_CONN_LOST_EOF,		/* the server closed the connection */
	IMAP_CONN_LOST_TIMEOUT,		/* no byte for read_timeout_ms while owed one */
	IMAP_CONN_LOST_IO,		/* sending or receiving failed */
	IMAP_CONN_LOST_PROTOCOL,	/* the engine stopped (imap_client_error) */
};

/* Called once when the connection is lost; the client has been told
 * (pending commands completed with IMAP_RESULT_LOST) before this runs. */
typedef void imap_conn_lost_fn(void *ctx, enum imap_conn_lost reason);

struct imap_conn *imap_conn_create(struct net_loop *loop, const struct net_stream *stream,
    struct imap_client *client, int read_timeout_ms, imap_conn_lost_fn *lost, void *ctx);
void imap_conn_destroy(struct imap_conn **conn);

/* Sends what the client has queued (call after queuing commands outside
 * a callback of this connection; inside, it happens by itself). */
void imap_conn_flush(struct imap_conn *conn);
/* Runs the loop until the client has no pending command or the
 * connection is lost. Returns 0, or -1 when lost. */
int imap_conn_wait(struct imap_conn *conn);
bool imap_conn_is_lost(const struct imap_conn *conn);
/* Gives up on the connection now (the user quit mid-sync): pending
 * commands complete with IMAP_RESULT_LOST, waits return -1. */
void imap_conn_abort(struct imap_conn *conn);

#endif
