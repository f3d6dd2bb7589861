/* The engine driven over a socket pair in the poll loop, with a clock the
 * test moves: exact bytes out, answers in, the read time-out, the end of
 * the stream, a response that cannot be read, and the IDLE re-arm after
 * 29 minutes. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "imap/imap-client.h"
#include "imap/imap-conn.h"
#include "net/loop.h"
#include "net/stream.h"
#include "tap.h"

#define TIMEOUT_MS 5000

struct fixture {
	struct net_loop *loop;
	struct imap_client *client;
	struct imap_conn *conn;
	int fd;			/* the client's end */
	int peer;		/* the server's end */
	int64_t now;
	int lost_count;
	enum imap_conn_lost lost;
};

struct done {
	int calls;
	enum imap_result result;
};

static int64_t
fake_now(void *ctx)
{
	return ((struct fixture *)ctx)->now;
}

static void
on_lost(void *ctx, enum imap_conn_lost reason)
{
	struct fixture *f = ctx;

	f->lost_count++;
	f->lost = reason;
}

static void
on_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct done *d = ctx;

	(void)tagged;
	d->calls++;
	d->result = result;
}

static void
fixture_init(struct fixture *f)
{
	struct imap_client_settings set;
	struct net_stream stream;
	int sv[2];

	memset(f, 0, sizeof(*f));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	f->fd = sv[0];
	f->peer = sv[1];
	f->now = 1000000;
	f->loop = net_loop_create();
	net_loop_set_clock(f->loop, fake_now, f);
	memset(&set, 0, sizeof(set));
	set.tag_seed = 0x0badcafe;
	f->client = imap_client_create(&set, NULL);
	net_fd_stream(sv[0], &stream);
	f->conn = imap_conn_create(f->loop, &stream, f->client, TIMEOUT_MS, on_lost, f);
}

static void
fixture_free(struct fixture *f)
{
	imap_conn_destroy(&f->conn);
	imap_client_destroy(&f->client);
	net_loop_destroy(&f->loop);
	close(f->peer);
	close(f->fd);
}

/* Runs the loop without sleeping until nothing more is ready. */
static void
spin(struct fixture *f)
{
	int i;

	for (i = 0; i < 50; i++)
		if (net_loop_run_once(f->loop, 0) <= 0)
			break;
}

/* What the client sent so far (the peer's side, without waiting long). */
static char *
peer_read(struct fixture *f)
{
	static char buf[8192];
	struct pollfd pfd = { .fd = f->peer, .events = POLLIN };
	size_t len = 0;

	while (len < sizeof(buf) - 1 && poll(&pfd, 1, 100) > 0) {
		ssize_t n = read(f->peer, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static void
peer_write(struct fixture *f, const char *s)
{
	if (write(f->peer, s, strlen(s)) != (ssize_t)strlen(s))
		abort();
}

/* A fixture with one NOOP sent (the peer has read it), reporting to d. */
static void
fixture_with_noop(struct fixture *f, struct done *d)
{
	static struct imap_cmd_callbacks cb;

	fixture_init(f);
	cb.done = on_done;
	cb.ctx = d;
	d->calls = 0;
	imap_cmd_noop(f->client, &cb);
	imap_conn_flush(f->conn);
	(void)peer_read(f);
}

static void
test_round_trip(void)
{
	struct imap_cmd_callbacks cb = { on_done, NULL, NULL };
	struct fixture f;
	struct done d = { 0, IMAP_RESULT_LOST };

	fixture_init(&f);
	cb.ctx = &d;
	imap_cmd_capability(f.client, &cb);
	imap_conn_flush(f.conn);
	tap_is_str(peer_read(&f), "t0badcafe.1 CAPABILITY\r\n", "capability: exact bytes sent");
	peer_write(&f, "* CAPABILITY IMAP4rev1 IDLE UIDPLUS\r\nt0badcafe.1 OK done\r\n");
	tap_is_int(imap_conn_wait(f.conn), 0, "wait: completes");
	tap_is_int(d.calls, 1, "done called once");
	tap_is_int(d.result, IMAP_RESULT_OK, "result OK");
	tap_ok(imap_client_has(f.client, IMAP_CAP_IDLE), "capabilities applied");
	tap_is_int(f.lost_count, 0, "not lost");

	/* A NO is a result; the connection stays. */
	imap_cmd_noop(f.client, &cb);
	imap_conn_flush(f.conn);
	tap_is_str(peer_read(&f), "t0badcafe.2 NOOP\r\n", "noop: exact bytes");
	peer_write(&f, "t0badcafe.2 NO not today\r\n");
	tap_is_int(imap_conn_wait(f.conn), 0, "NO: wait still succeeds");
	tap_is_int(d.result, IMAP_RESULT_NO, "NO is a result");
	tap_ok(!imap_conn_is_lost(f.conn), "NO does not drop the connection");
	fixture_free(&f);
}

static void
test_response_in_pieces(void)
{
	struct imap_cmd_callbacks cb = { on_done, NULL, NULL };
	const char *answer = "* CAPABILITY IMAP4rev1\r\nt0badcafe.1 OK done\r\n";
	struct fixture f;
	struct done d = { 0, IMAP_RESULT_LOST };
	size_t i;

	fixture_init(&f);
	cb.ctx = &d;
	imap_cmd_capability(f.client, &cb);
	imap_conn_flush(f.conn);
	(void)peer_read(&f);
	for (i = 0; answer[i] != '\0'; i++) {
		if (write(f.peer, answer + i, 1) != 1)
			abort();
		spin(&f);
	}
	tap_is_int(d.calls, 1, "byte-by-byte answer completes the command once");
	tap_is_int(d.result, IMAP_RESULT_OK, "byte-by-byte: OK");
	fixture_free(&f);
}

static void
test_read_timeout(void)
{
	struct fixture f;
	struct done d = { 0, IMAP_RESULT_OK };

	fixture_with_noop(&f, &d);
	spin(&f);
	f.now += TIMEOUT_MS - 1;
	spin(&f);
	tap_is_int(f.lost_count, 0, "timeout: not yet, one ms before");
	/* A byte from the server restarts the clock. */
	peer_write(&f, "* OK still here\r\n");
	spin(&f);
	f.now += TIMEOUT_MS - 1;
	spin(&f);
	tap_is_int(f.lost_count, 0, "timeout: any byte restarts it");
	f.now += 2;
	spin(&f);
	tap_is_int(f.lost_count, 1, "timeout: lost after the time-out");
	tap_is_int(f.lost, IMAP_CONN_LOST_TIMEOUT, "timeout: reason");
	tap_is_int(d.calls, 1, "timeout: the command completes");
	tap_is_int(d.result, IMAP_RESULT_LOST, "timeout: as LOST");
	tap_is_int(imap_conn_wait(f.conn), -1, "timeout: wait says lost");
	fixture_free(&f);
}

static void
test_no_timeout_when_nothing_is_owed(void)
{
	struct fixture f;

	fixture_init(&f);
	spin(&f);
	f.now += 10 * TIMEOUT_MS;
	spin(&f);
	tap_is_int(f.lost_count, 0, "idle connection with nothing pending: no time-out");
	fixture_free(&f);
}

static void
test_eof_and_garbage(void)
{
	struct fixture f;
	struct done d = { 0, IMAP_RESULT_OK };

	fixture_with_noop(&f, &d);
	peer_write(&f, "* 3 EXISTS\r\n");
	shutdown(f.peer, SHUT_WR);
	tap_is_int(imap_conn_wait(f.conn), -1, "eof: wait says lost");
	tap_is_int(f.lost, IMAP_CONN_LOST_EOF, "eof: reason");
	tap_is_int(d.result, IMAP_RESULT_LOST, "eof: command LOST");
	fixture_free(&f);

	fixture_with_noop(&f, &d);
	peer_write(&f, "zz9 OK a tag never sent\r\n");
	tap_is_int(imap_conn_wait(f.conn), -1, "unknown tag: lost");
	tap_is_int(f.lost, IMAP_CONN_LOST_PROTOCOL, "unknown tag: protocol");
	tap_is_int(d.calls, 1, "unknown tag: command completed once");
	tap_ok(imap_client_error(f.client) != NULL, "unknown tag: the client says why");
	fixture_free(&f);
}

static void
test_idle_rearm(void)
{
	struct imap_cmd_callbacks cb = { on_done, NULL, NULL };
	struct fixture f;
	struct done d = { 0, IMAP_RESULT_LOST };

	fixture_init(&f);
	imap_client_set_caps(f.client, IMAP_CAP_IMAP4REV1 | IMAP_CAP_IDLE);
	cb.ctx = &d;
	tap_is_int(imap_cmd_idle(f.client, &cb), 0, "idle queued");
	imap_conn_flush(f.conn);
	tap_is_str(peer_read(&f), "t0badcafe.1 IDLE\r\n", "idle: exact bytes");
	peer_write(&f, "+ idling\r\n");
	spin(&f);
	tap_ok(imap_client_idling(f.client), "idle: accepted");
	/* Idling owes no answer: no read time-out for half an hour. */
	f.now += IMAP_IDLE_REARM_MS - 1;
	spin(&f);
	tap_is_int(f.lost_count, 0, "idle: no time-out while idling");
	tap_is_str(peer_read(&f), "", "idle: nothing sent before 29 minutes");
	f.now += 1;
	spin(&f);
	tap_is_str(peer_read(&f), "DONE\r\n", "idle: DONE after 29 minutes");
	peer_write(&f, "t0badcafe.1 OK idle done\r\n");
	spin(&f);
	tap_is_str(peer_read(&f), "t0badcafe.2 IDLE\r\n", "idle: IDLE again");
	tap_is_int(d.calls, 0, "idle: the re-arm does not end the caller's IDLE");
	peer_write(&f, "+ idling\r\n* 4 EXISTS\r\n");
	spin(&f);
	imap_client_idle_done(f.client);
	imap_conn_flush(f.conn);
	tap_is_str(peer_read(&f), "DONE\r\n", "idle: DONE on request");
	peer_write(&f, "t0badcafe.2 OK idle done\r\n");
	spin(&f);
	tap_is_int(d.calls, 1, "idle: done called once at the end");
	tap_is_int(d.result, IMAP_RESULT_OK, "idle: OK");
	fixture_free(&f);
}

int
main(void)
{
	test_round_trip();
	test_response_in_pieces();
	test_read_timeout();
	test_no_timeout_when_nothing_is_owed();
	test_eof_and_garbage();
	test_idle_rearm();
	return tap_done();
}
