/* Unit tests for descriptor streams over a socket pair and a pipe:
 * moving bytes, AGAIN when nothing can move, end of stream, and a broken
 * connection reported as an error instead of SIGPIPE. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/stream.h"
#include "tap.h"

static void
test_socketpair(void)
{
	struct net_stream a, b;
	char buf[64];
	int sv[2];
	ssize_t r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	net_fd_stream(sv[0], &a);
	net_fd_stream(sv[1], &b);
	tap_is_int(a.fd, sv[0], "fd is the descriptor");
	tap_ok((fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0, "descriptor made non-blocking");

	tap_is_int(b.recv(b.ctx, buf, sizeof(buf)), NET_STREAM_AGAIN, "recv when empty: AGAIN");
	tap_is_int(a.send(a.ctx, "hello", 5), 5, "send moves all 5 bytes");
	r = b.recv(b.ctx, buf, sizeof(buf));
	tap_is_int(r, 5, "recv gets 5 bytes");
	tap_is_mem(buf, r > 0 ? (size_t)r : 0, "hello", 5, "the same bytes");
	tap_is_int(b.recv(b.ctx, buf, sizeof(buf)), NET_STREAM_AGAIN, "drained: AGAIN again");

	tap_is_int(b.send(b.ctx, "x", 1), 1, "the other way too");
	close(sv[1]);
	tap_is_int(a.recv(a.ctx, buf, sizeof(buf)), 1, "data sent before close arrives");
	tap_is_int(a.recv(a.ctx, buf, sizeof(buf)), 0, "then 0: end of stream");
	/* Without MSG_NOSIGNAL this would kill the test with SIGPIPE. */
	tap_is_int(a.send(a.ctx, "late", 4), NET_STREAM_ERROR,
	    "send to a closed peer: ERROR, no SIGPIPE");
	close(sv[0]);
}

static void
test_full(void)
{
	struct net_stream a;
	char chunk[4096];
	int sv[2], i;
	ssize_t r = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	net_fd_stream(sv[0], &a);
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < 100000; i++) {
		r = a.send(a.ctx, chunk, sizeof(chunk));
		if (r < 0)
			break;
	}
	tap_is_int(r, NET_STREAM_AGAIN, "a full socket gives AGAIN, not a block");
	close(sv[0]);
	close(sv[1]);
}

static void
test_pipe(void)
{
	struct net_stream rd, wr;
	char buf[8];
	int fds[2];

	if (pipe(fds) != 0)
		abort();
	net_fd_stream(fds[0], &rd);
	net_fd_stream(fds[1], &wr);
	tap_is_int(rd.recv(rd.ctx, buf, sizeof(buf)), NET_STREAM_AGAIN, "pipe: AGAIN when empty");
	tap_is_int(wr.send(wr.ctx, "abc", 3), 3, "pipe: send falls back to write");
	tap_is_int(rd.recv(rd.ctx, buf, sizeof(buf)), 3, "pipe: recv");
	close(fds[1]);
	tap_is_int(rd.recv(rd.ctx, buf, sizeof(buf)), 0, "pipe: 0 at end");
	close(fds[0]);
}

int
main(void)
{
	test_socketpair();
	test_full();
	test_pipe();
	return tap_done();
}
