/* Connections through libcurl's CONNECT_ONLY mode. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "net/conn.h"
#include "net/easy.h"
#include "net/net.h"

struct net_conn {
	CURL *curl;
	curl_socket_t sock;
	int timeout_ms;
};

int
net_conn_open(const struct net_conn_params *p, struct net_conn **conn_r,
    enum net_conn_error *kind_r, char **error_r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char *url;
	const char *host = p->host;
	struct net_conn *conn;
	CURLcode rc;
	CURL *curl;
	curl_socket_t sock;

	*conn_r = NULL;
	*kind_r = NET_CONN_ERR_NONE;
	*error_r = NULL;
	net_global_init();
	curl = curl_easy_init();
	if (curl == NULL)
		abort();
	if (net_easy_setup(curl, p, errbuf, &url, kind_r, error_r) != 0) {
		curl_easy_cleanup(curl);
		return -1;
	}
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);

	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		*error_r = net_easy_explain(p, url, rc, errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(rc), kind_r);
		free(url);
		curl_easy_cleanup(curl);
		return -1;
	}
	free(url);
	rc = curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &sock);
	if (rc != CURLE_OK || sock == CURL_SOCKET_BAD) {
		*kind_r = NET_CONN_ERR_CONNECT;
		*error_r = xasprintf("connection to %s port %u was lost after login",
		    host, p->port);
		curl_easy_cleanup(curl);
		return -1;
	}
	conn = xcalloc(1, sizeof(*conn));
	conn->curl = curl;
	conn->sock = sock;
	conn->timeout_ms = p->timeout_ms;
	*conn_r = conn;
	return 0;
}

static int
net_conn_wait(struct net_conn *conn, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = conn->sock, .events = events };
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r;
}

int
net_conn_send(struct net_conn *conn, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		size_t sent = 0;
		CURLcode rc = curl_easy_send(conn->curl, p, len, &sent);

		if (rc == CURLE_AGAIN) {
			if (net_conn_wait(conn, POLLOUT, conn->timeout_ms) <= 0)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return -1;
		p += sent;
		len -= sent;
	}
	return 0;
}

ssize_t
net_conn_recv(struct net_conn *conn, void *data, size_t size, int timeout_ms)
{
	for (;;) {
		size_t got = 0;
		/* TLS may hold decrypted data that poll() cannot see: always
		 * try to read before waiting (DESIGN.md). */
		CURLcode rc = curl_easy_recv(conn->curl, data, size, &got);
		int r;

		if (rc == CURLE_OK)
			return (ssize_t)got;
		if (rc != CURLE_AGAIN)
			return -1;
		r = net_conn_wait(conn, POLLIN, timeout_ms);
		if (r == 0)
			return -2;
		if (r < 0)
			return -1;
	}
}

static ssize_t
net_conn_stream_send(void *ctx, const void *data, size_t len)
{
	struct net_conn *conn = ctx;
	size_t sent = 0;
	CURLcode rc = curl_easy_send(conn->curl, data, len, &sent);

	if (rc == CURLE_AGAIN)
		return NET_STREAM_AGAIN;
	if (rc != CURLE_OK)
		return NET_STREAM_ERROR;
	/* Nothing taken is not the end of anything: try again later. */
	if (sent == 0 && len > 0)
		return NET_STREAM_AGAIN;
	return (ssize_t)sent;
}

static ssize_t
net_conn_stream_recv(void *ctx, void *data, size_t size)
{
	struct net_conn *conn = ctx;
	size_t got = 0;
	CURLcode rc = curl_easy_recv(conn->curl, data, size, &got);

	if (rc == CURLE_AGAIN)
		return NET_STREAM_AGAIN;
	if (rc != CURLE_OK)
		return NET_STREAM_ERROR;
	/* CURLE_OK with no bytes: the server closed the connection. */
	return (ssize_t)got;
}

void
net_conn_stream(struct net_conn *conn, struct net_stream *stream_r)
{
	stream_r->fd = (int)conn->sock;
	stream_r->send = net_conn_stream_send;
	stream_r->recv = net_conn_stream_recv;
	stream_r->ctx = conn;
}

void
net_conn_close(struct net_conn **connp)
{
	struct net_conn *conn = *connp;

	if (conn == NULL)
		return;
	curl_easy_cleanup(conn->curl);
	free(conn);
	*connp = NULL;
}
