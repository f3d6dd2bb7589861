/* The IMAP engine on a real stream, in the poll loop. */
#include "config.h"

#include <poll.h>
#include <stdlib.h>

#include "imap/imap-conn.h"
#include "lib/xmalloc.h"

/* One read's worth; the parser keeps what does not form a response yet. */
#define IMAP_CONN_READ_SIZE (64 * 1024)
/* Reads per wake-up before giving the loop back, so one fast server
 * cannot starve the terminal or other connections. */
#define IMAP_CONN_READS_MAX 4

struct imap_conn {
	struct net_loop *loop;
	struct net_stream stream;
	struct imap_client *client;
	int read_timeout_ms;
	imap_conn_lost_fn *lost_fn;
	void *lost_ctx;

	struct net_loop_io *io;
	struct net_loop_timer *read_timer;	/* while the server owes bytes */
	struct net_loop_timer *idle_timer;	/* while idling */
	struct net_loop_timer *more_timer;	/* more input may be waiting */
	bool lost;
	char *buf;
};

static void imap_conn_update(struct imap_conn *conn);

static void
imap_conn_stop(struct imap_conn *conn)
{
	net_loop_io_remove(&conn->io);
	net_loop_timer_remove(&conn->read_timer);
	net_loop_timer_remove(&conn->idle_timer);
	net_loop_timer_remove(&conn->more_timer);
}

static void
imap_conn_lose(struct imap_conn *conn, enum imap_conn_lost reason)
{
	static const char *const why[] = {
		[IMAP_CONN_LOST_EOF] = "the server closed the connection",
		[IMAP_CONN_LOST_TIMEOUT] = "the server stopped answering",
		[IMAP_CONN_LOST_IO] = "the connection failed",
		[IMAP_CONN_LOST_PROTOCOL] = "the server's response could not be read",
	};

	if (conn->lost)
		return;
	conn->lost = true;
	imap_conn_stop(conn);
	if (reason != IMAP_CONN_LOST_PROTOCOL)
		imap_client_disconnected(conn->client, why[reason]);
	if (conn->lost_fn != NULL)
		conn->lost_fn(conn->lost_ctx, reason);
}

static void
imap_conn_read_timeout(void *ctx)
{
	struct imap_conn *conn = ctx;

	conn->read_timer = NULL;
	imap_conn_lose(conn, IMAP_CONN_LOST_TIMEOUT);
}

static void
imap_conn_idle_rearm(void *ctx)
{
	struct imap_conn *conn = ctx;

	conn->idle_timer = NULL;
	imap_client_idle_rearm(conn->client);
	imap_conn_update(conn);
}

/* Reads until the stream has nothing more (TLS may hold decrypted bytes
 * that poll() cannot see), feeding the engine. Returns true when it
 * stopped only because of IMAP_CONN_READS_MAX. */
static bool
imap_conn_read(struct imap_conn *conn)
{
	unsigned i;

	for (i = 0; i < IMAP_CONN_READS_MAX && !conn->lost; i++) {
		ssize_t n = conn->stream.recv(conn->stream.ctx, conn->buf, IMAP_CONN_READ_SIZE);

		if (n == NET_STREAM_AGAIN)
			return false;
		if (n == 0) {
			imap_conn_lose(conn, IMAP_CONN_LOST_EOF);
			return false;
		}
		if (n < 0) {
			imap_conn_lose(conn, IMAP_CONN_LOST_IO);
			return false;
		}
		/* Any byte shows the server is alive: restart the clock. */
		net_loop_timer_remove(&conn->read_timer);
		if (imap_client_input(conn->client, conn->buf, (size_t)n) < 0) {
			imap_conn_lose(conn, IMAP_CONN_LOST_PROTOCOL);
			return false;
		}
	}
	return !conn->lost;
}

static void
imap_conn_write(struct imap_conn *conn)
{
	while (!conn->lost) {
		size_t len;
		const void *data = imap_client_output(conn->client, &len);
		ssize_t n;

		if (len == 0)
			return;
		n = conn->stream.send(conn->stream.ctx, data, len);
		if (n == NET_STREAM_AGAIN)
			return;
		if (n < 0) {
			imap_conn_lose(conn, IMAP_CONN_LOST_IO);
			return;
		}
		imap_client_output_consumed(conn->client, (size_t)n);
	}
}

static void
imap_conn_more(void *ctx)
{
	struct imap_conn *conn = ctx;

	conn->more_timer = NULL;
	if (imap_conn_read(conn) && conn->more_timer == NULL)
		conn->more_timer = net_loop_timer_add(conn->loop, 0, imap_conn_more, conn);
	imap_conn_update(conn);
}

/* After anything happened: write what is queued, then set the watch, the
 * read time-out and the IDLE re-arm to match the engine's state. */
static void
imap_conn_update(struct imap_conn *conn)
{
	size_t len;

	imap_conn_write(conn);
	if (conn->lost)
		return;
	(void)imap_client_output(conn->client, &len);
	net_loop_io_set_events(conn->io, (short)(POLLIN | (len > 0 ? POLLOUT : 0)));
	if (imap_client_waiting(conn->client)) {
		if (conn->read_timer == NULL)
			conn->read_timer = net_loop_timer_add(conn->loop,
			    conn->read_timeout_ms, imap_conn_read_timeout, conn);
	} else {
		net_loop_timer_remove(&conn->read_timer);
	}
	if (imap_client_idling(conn->client)) {
		if (conn->idle_timer == NULL)
			conn->idle_timer = net_loop_timer_add(conn->loop, IMAP_IDLE_REARM_MS,
			    imap_conn_idle_rearm, conn);
	} else {
		net_loop_timer_remove(&conn->idle_timer);
	}
}

static void
imap_conn_event(void *ctx, short revents)
{
	struct imap_conn *conn = ctx;

	(void)revents;
	/* Read on every wake-up, POLLHUP and POLLERR included: the read
	 * tells end of stream from error in its own words. */
	if (imap_conn_read(conn) && conn->more_timer == NULL)
		conn->more_timer = net_loop_timer_add(conn->loop, 0, imap_conn_more, conn);
	imap_conn_update(conn);
}

struct imap_conn *
imap_conn_create(struct net_loop *loop, const struct net_stream *stream,
    struct imap_client *client, int read_timeout_ms, imap_conn_lost_fn *lost, void *ctx)
{
	struct imap_conn *conn = xcalloc(1, sizeof(*conn));

	conn->loop = loop;
	conn->stream = *stream;
	conn->client = client;
	conn->read_timeout_ms = read_timeout_ms > 0 ? read_timeout_ms : 30000;
	conn->lost_fn = lost;
	conn->lost_ctx = ctx;
	conn->buf = xmalloc(IMAP_CONN_READ_SIZE);
	conn->io = net_loop_io_add(loop, stream->fd, POLLIN, imap_conn_event, conn);
	/* Bytes that arrived with the login reply may already sit in TLS. */
	conn->more_timer = net_loop_timer_add(loop, 0, imap_conn_more, conn);
	return conn;
}

void
imap_conn_destroy(struct imap_conn **connp)
{
	struct imap_conn *conn = *connp;

	if (conn == NULL)
		return;
	imap_conn_stop(conn);
	free(conn->buf);
	free(conn);
	*connp = NULL;
}

void
imap_conn_flush(struct imap_conn *conn)
{
	if (!conn->lost)
		imap_conn_update(conn);
}

int
imap_conn_wait(struct imap_conn *conn)
{
	imap_conn_flush(conn);
	while (!conn->lost && imap_client_pending(conn->client) > 0) {
		if (net_loop_run_once(conn->loop, -1) < 0)
			break;
	}
	return conn->lost ? -1 : 0;
}

bool
imap_conn_is_lost(const struct imap_conn *conn)
{
	return conn->lost;
}

void
imap_conn_abort(struct imap_conn *conn)
{
	imap_conn_lose(conn, IMAP_CONN_LOST_IO);
}
