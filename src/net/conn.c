/* Connections through libcurl's CONNECT_ONLY mode. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "lib/xmalloc.h"
#include "net/conn.h"

struct net_conn {
	CURL *curl;
	curl_socket_t sock;
	int timeout_ms;
};

static bool net_conn_initialised;

static void
net_conn_global_init(void)
{
	if (!net_conn_initialised) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		net_conn_initialised = true;
	}
}

/* "sha256:AB:CD..." or "sha256:abcd..." (hex of the SHA-256 of the
 * server's public key) to curl's "sha256//BASE64". Returns NULL when the
 * text is not 32 bytes of hex. */
static char *
net_conn_pin(const char *fingerprint)
{
	unsigned char raw[32];
	unsigned char b64[48];
	size_t n = 0;
	const char *p;

	if (!str_has_prefix(fingerprint, "sha256:"))
		return NULL;
	for (p = fingerprint + 7; *p != '\0'; p++) {
		int hi, lo;

		if (*p == ':')
			continue;
		if (n == sizeof(raw) || p[1] == '\0')
			return NULL;
		hi = OPENSSL_hexchar2int((unsigned char)p[0]);
		lo = OPENSSL_hexchar2int((unsigned char)p[1]);
		if (hi < 0 || lo < 0)
			return NULL;
		raw[n++] = (unsigned char)(hi << 4 | lo);
		p++;
	}
	if (n != sizeof(raw))
		return NULL;
	EVP_EncodeBlock(b64, raw, (int)sizeof(raw));
	return xasprintf("sha256//%s", b64);
}

/* The "sha256:AB:CD:..." of the public key in a PEM certificate, as
 * tls-fingerprint= takes it, or NULL. */
static char *
net_conn_key_fingerprint(const char *pem)
{
	unsigned char *der = NULL, digest[SHA256_DIGEST_LENGTH];
	char hex[SHA256_DIGEST_LENGTH * 3 + 1];
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int len = cert != NULL ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) : -1;
	size_t i;

	BIO_free(bio);
	X509_free(cert);
	if (len <= 0)
		return NULL;
	SHA256(der, (size_t)len, digest);
	OPENSSL_free(der);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(hex + i * 3, 4, "%02X%s", digest[i], i + 1 < sizeof(digest) ? ":" : "");
	return xasprintf("sha256:%s", hex);
}

/* After a certificate failed verification: connect once more, trusting
 * nothing and sending no user name or password (curl logs in only with
 * credentials), just to read the key the server shows, so the user can
 * compare it with what the server's administrator says and pin it.
 * Returns its fingerprint, or NULL. */
static char *
net_conn_peer_key(const struct net_conn_params *p, const char *url)
{
	struct curl_certinfo *info = NULL;
	char *fingerprint = NULL;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s,smtp,smtps");
	if (!str_has_suffix(p->scheme, "s"))
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
	if (curl_easy_perform(curl) == CURLE_OK &&
	    curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) == CURLE_OK &&
	    info != NULL && info->num_of_certs > 0) {
		const struct curl_slist *field;

		/* certinfo[0] is the server's own certificate. */
		for (field = info->certinfo[0]; field != NULL && fingerprint == NULL;
		    field = field->next)
			if (str_has_prefix(field->data, "Cert:"))
				fingerprint = net_conn_key_fingerprint(field->data + 5);
	}
	curl_easy_cleanup(curl);
	return fingerprint;
}

/* One sentence for a failed connect or login, naming the server and what
 * the user can do about it. */
static char *
net_conn_explain(const struct net_conn_params *p, const char *url, CURLcode rc,
    const char *detail, enum net_conn_error *kind_r)
{
	const char *h = p->host;
	unsigned port = p->port;
	char *key, *msg;

	*kind_r = NET_CONN_ERR_CONNECT;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return xasprintf("cannot resolve host name '%s'", h);
	case CURLE_COULDNT_CONNECT:
		return xasprintf("cannot connect to %s port %u (%s)", h, port, detail);
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf("no answer from %s port %u within %d s", h, port,
		    (p->timeout_ms + 999) / 1000);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		*kind_r = NET_CONN_ERR_TLS;
		key = p->fingerprint == NULL ? net_conn_peer_key(p, url) : NULL;
		if (key == NULL)
			return xasprintf("the TLS certificate of %s could not be verified "
			    "(%s): if this server uses its own certificate, set "
			    "tls-ca=FILE or tls-fingerprint=sha256:... for this account",
			    h, detail);
		msg = xasprintf("the TLS certificate of %s could not be verified (%s): "
		    "if this server uses its own certificate, set tls-ca=FILE for this "
		    "account, or, once its administrator has confirmed that this is "
		    "the server's key, tls-fingerprint=%s", h, detail, key);
		free(key);
		return msg;
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		*kind_r = NET_CONN_ERR_TLS;
		return xasprintf("the public key of %s does not match tls-fingerprint: "
		    "the server changed its key, or this is not the right server", h);
	case CURLE_USE_SSL_FAILED:
		*kind_r = NET_CONN_ERR_TLS;
		return xasprintf("%s port %u does not offer STARTTLS, and tern will not "
		    "send a password in clear text: use the TLS port (%ss://), or set "
		    "tls=no for this account only on a network you trust", h, port,
		    p->scheme);
	case CURLE_SSL_CONNECT_ERROR:
		*kind_r = NET_CONN_ERR_TLS;
		return xasprintf("TLS handshake with %s port %u failed (%s)", h, port, detail);
	case CURLE_LOGIN_DENIED:
		*kind_r = NET_CONN_ERR_AUTH;
		return xasprintf("%s refused the login for user '%s' (wrong password, "
		    "or the login method is not allowed)", h, p->user != NULL ? p->user : "");
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return xasprintf("%s port %u did not answer as %s server should (%s)",
		    h, port, str_has_prefix(p->scheme, "pop3") ? "a POP3" :
		    str_has_prefix(p->scheme, "smtp") ? "an SMTP" : "an IMAP", detail);
	default:
		return xasprintf("cannot connect to %s port %u: %s", h, port, detail);
	}
}

int
net_conn_open(const struct net_conn_params *p, struct net_conn **conn_r,
    enum net_conn_error *kind_r, char **error_r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char *url, *pin = NULL;
	const char *host = p->host;
	bool implicit_tls;
	struct net_conn *conn;
	CURLcode rc;
	CURL *curl;
	curl_socket_t sock;

	*conn_r = NULL;
	*kind_r = NET_CONN_ERR_NONE;
	*error_r = NULL;
	net_conn_global_init();
	implicit_tls = str_has_suffix(p->scheme, "s");
	if (p->fingerprint != NULL && (pin = net_conn_pin(p->fingerprint)) == NULL) {
		*kind_r = NET_CONN_ERR_TLS;
		*error_r = xasprintf("tls-fingerprint '%s' is not sha256: followed by 64 "
		    "hex digits", p->fingerprint);
		return -1;
	}
	curl = curl_easy_init();
	if (curl == NULL)
		abort();
	url = xasprintf(strchr(host, ':') != NULL ? "%s://[%s]:%u/" : "%s://%s:%u/",
	    p->scheme, host, p->port);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s,smtp,smtps");
	if (p->user != NULL)
		curl_easy_setopt(curl, CURLOPT_USERNAME, p->user);
	if (p->password != NULL)
		curl_easy_setopt(curl, CURLOPT_PASSWORD, p->password);
	if (p->bearer != NULL)
		curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, p->bearer);
	/* Without implicit TLS, STARTTLS is required unless the account
	 * explicitly allows plaintext (PRODUCT.md, "Secrets stay secret"). */
	if (!implicit_tls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL,
		    p->allow_plaintext ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	if (p->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, p->ca_file);
	if (pin != NULL) {
		/* The pinned key is the trust anchor: a self-signed server
		 * whose key matches is accepted, any other key is refused. */
		curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, pin);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}

	rc = curl_easy_perform(curl);
	free(pin);
	if (rc != CURLE_OK) {
		*error_r = net_conn_explain(p, url, rc, errbuf[0] != '\0' ? errbuf :
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
