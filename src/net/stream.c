/* Streams over a plain descriptor. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/stream.h"

/* The descriptor travels in ctx itself, so the stream owns no memory and
 * a struct net_stream can be copied freely. */
static int
net_fd_stream_fd(void *ctx)
{
	return (int)(intptr_t)ctx;
}

static ssize_t
net_fd_stream_result(ssize_t r)
{
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return NET_STREAM_AGAIN;
	return NET_STREAM_ERROR;
}

static ssize_t
net_fd_stream_send(void *ctx, const void *data, size_t len)
{
	int fd = net_fd_stream_fd(ctx);
	ssize_t r;

	/* send(2) with MSG_NOSIGNAL so a peer that went away gives EPIPE
	 * instead of killing the program with SIGPIPE. Pipes are not
	 * sockets: write(2) then, and a closed pipe still raises SIGPIPE
	 * unless the program ignores it. */
	do {
		r = send(fd, data, len, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno == ENOTSOCK) {
		do {
			r = write(fd, data, len);
		} while (r < 0 && errno == EINTR);
	}
	return net_fd_stream_result(r);
}

static ssize_t
net_fd_stream_recv(void *ctx, void *data, size_t size)
{
	int fd = net_fd_stream_fd(ctx);
	ssize_t r;

	do {
		r = read(fd, data, size);
	} while (r < 0 && errno == EINTR);
	return net_fd_stream_result(r);
}

void
net_fd_stream(int fd, struct net_stream *stream_r)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags != -1 && (flags & O_NONBLOCK) == 0)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	stream_r->fd = fd;
	stream_r->send = net_fd_stream_send;
	stream_r->recv = net_fd_stream_recv;
	stream_r->ctx = (void *)(intptr_t)fd;
}
