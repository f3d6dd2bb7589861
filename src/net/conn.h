/* One connection to a mail server through libcurl: curl connects, does
 * TLS or STARTTLS and logs in (CURLOPT_CONNECT_ONLY); after that the
 * caller speaks the protocol itself over net_conn_send/net_conn_recv
 * (DESIGN.md, "IMAP: libcurl connects, tern speaks IMAP").
 *
 * Conventions: net_conn_open returns 0 or -1 with *error_r set to one
 * sentence in plain words (free() it); the other calls return what their
 * comment says. net_conn_close(&conn) NULLs the caller's pointer. */
#ifndef TERN_NET_CONN_H
#define TERN_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/stream.h"

struct net_conn;

struct net_conn_params {
	const char *scheme;	/* imap, imaps, pop3, pop3s, smtp, smtps */
	const char *host;
	unsigned port;
	const char *user;
	const char *password;	/* or NULL with a bearer token */
	const char *bearer;	/* OAuth2 token (XOAUTH2/OAUTHBEARER), or NULL */
	bool allow_plaintext;	/* tls=no: no STARTTLS at all */
	const char *ca_file;	/* tls-ca=, or NULL for the system's CAs */
	const char *fingerprint; /* tls-fingerprint=sha256:HEX (public key), or NULL */
	int timeout_ms;		/* for connecting and logging in */
};

/* What kind of failure, so callers can choose an exit status. */
enum net_conn_error {
	NET_CONN_ERR_NONE,
	NET_CONN_ERR_CONNECT,	/* resolve, connect, time-out, protocol */
	NET_CONN_ERR_TLS,	/* handshake, certificate, STARTTLS missing */
	NET_CONN_ERR_AUTH,	/* login refused */
};

int net_conn_open(const struct net_conn_params *params, struct net_conn **conn_r,
    enum net_conn_error *kind_r, char **error_r);
/* Sends all of data, waiting at most the connection's time-out. Returns 0
 * or -1 (connection lost). */
int net_conn_send(struct net_conn *conn, const void *data, size_t len);
/* Reads what is available into data, waiting at most timeout_ms for it.
 * Returns the number of bytes read, 0 at the end of the connection, -1 on
 * an error, -2 when nothing came in time. */
ssize_t net_conn_recv(struct net_conn *conn, void *data, size_t size, int timeout_ms);
/* A non-blocking view of conn for the poll loop: each send or recv makes
 * one attempt and never waits. TLS may hold decrypted bytes that poll()
 * does not see, so after POLLIN read until NET_STREAM_AGAIN. The stream
 * is valid while conn is open. */
void net_conn_stream(struct net_conn *conn, struct net_stream *stream_r);
void net_conn_close(struct net_conn **conn);

#endif
