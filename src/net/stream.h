/* A non-blocking byte stream that the poll loop can drive: a connection
 * through libcurl (net_conn_stream in conn.h), or a plain descriptor
 * (net_fd_stream: pipes and socket pairs in tests). The struct is a
 * borrowed view: it does not own ctx or fd. */
#ifndef TERN_NET_STREAM_H
#define TERN_NET_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#define NET_STREAM_ERROR (-1)	/* the connection is broken */
#define NET_STREAM_AGAIN (-2)	/* nothing can move now: wait for poll() */

struct net_stream {
	int fd;			/* for poll() */
	/* Returns bytes moved (> 0), NET_STREAM_AGAIN or NET_STREAM_ERROR;
	 * recv also returns 0 at the end of the stream. Neither blocks. */
	ssize_t (*send)(void *ctx, const void *data, size_t len);
	ssize_t (*recv)(void *ctx, void *data, size_t size);
	void *ctx;
};

/* Sets fd non-blocking and fills stream_r for it. */
void net_fd_stream(int fd, struct net_stream *stream_r);

#endif
