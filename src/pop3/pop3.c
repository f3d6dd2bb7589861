/* POP3 through libcurl's pop3://. */
#include "config.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "net/easy.h"
#include "pop3/pop3-parse.h"
#include "pop3/pop3.h"

/* A LIST or UIDL answer is at most this large (about 90 bytes a line). */
#define POP3_LISTING_MAX (64u * 1024 * 1024)

struct pop3 {
	CURL *curl;
	struct net_conn_params params;
	char *url;			/* "pop3://host:port/" */
	char errbuf[CURL_ERROR_SIZE];
	unsigned session;		/* connections opened so far */
	bool no_connect;		/* refuse to open one (DELE) */
	char reply[512];		/* the server's last line, made safe */
	struct buf *out;		/* where the data of a call goes */
	bool overflow;
};

/* curl asks us for each new socket: counting them tells sessions apart,
 * and refusing one keeps a DELE on the connection it was meant for. */
static curl_socket_t
pop3_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct pop3 *pop = ctx;
	curl_socket_t s;

	(void)purpose;
	if (pop->no_connect)
		return CURL_SOCKET_BAD;
	s = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (s != CURL_SOCKET_BAD)
		pop->session++;
	return s;
}

static size_t
pop3_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct pop3 *pop = ctx;
	size_t n = size * nmemb;

	if (pop->out == NULL)
		return n;
	if (buf_add(pop->out, data, n) != 0) {
		pop->overflow = true;
		return 0;
	}
	return n;
}

/* The server's status lines come through curl's debug hook (nothing is
 * printed: this hook replaces curl's own output). */
static int
pop3_debug(CURL *curl, curl_infotype type, char *data, size_t len, void *ctx)
{
	struct pop3 *pop = ctx;

	(void)curl;
	/* After a refusal curl says QUIT; its "+OK" must not hide the "-ERR". */
	if (type != CURLINFO_HEADER_IN || str_has_prefix(pop->reply, "-ERR"))
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	pop->reply[0] = '\0';
	str_escape_for_message(pop->reply, sizeof(pop->reply), data, len);
	return 0;
}

/* One command: request (NULL for RETR or LIST by URL), on path (what
 * follows the URL's "/"), its data into out (NULL: no data expected). */
static int
pop3_perform(struct pop3 *pop, const char *request, const char *path, struct buf *out,
    const char *what, char **error_r)
{
	enum net_conn_error kind = NET_CONN_ERR_NONE;
	char *url = xasprintf("%s%s", pop->url, path != NULL ? path : "");
	CURLcode rc;

	pop->errbuf[0] = '\0';
	pop->reply[0] = '\0';
	pop->out = out;
	pop->overflow = false;
	curl_easy_setopt(pop->curl, CURLOPT_URL, url);
	curl_easy_setopt(pop->curl, CURLOPT_CUSTOMREQUEST, request);
	/* A command answered by one line only must say so, or curl waits
	 * for a listing that never comes. */
	curl_easy_setopt(pop->curl, CURLOPT_NOBODY, out == NULL ? 1L : 0L);
	rc = curl_easy_perform(pop->curl);
	curl_easy_setopt(pop->curl, CURLOPT_CUSTOMREQUEST, NULL);
	pop->out = NULL;
	free(url);
	if (rc == CURLE_OK)
		return 0;
	if (pop->overflow) {
		*error_r = xasprintf("%s on POP3 server %s port %u: the answer is too large",
		    what, pop->params.host, pop->params.port);
		return POP3_REFUSED;
	}
	/* "-ERR" to the command itself: the session goes on. */
	if (str_has_prefix(pop->reply, "-ERR") && rc != CURLE_LOGIN_DENIED &&
	    rc != CURLE_COULDNT_CONNECT && rc != CURLE_OPERATION_TIMEDOUT) {
		*error_r = xasprintf("%s: POP3 server %s port %u answered: %s", what,
		    pop->params.host, pop->params.port, pop->reply);
		return POP3_REFUSED;
	}
	if (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING ||
	    rc == CURLE_PARTIAL_FILE) {
		*error_r = xasprintf("%s: the connection to POP3 server %s port %u was lost", what,
		    pop->params.host, pop->params.port);
		return POP3_LOST;
	}
	*error_r = net_easy_explain(&pop->params, pop->url, rc,
	    pop->errbuf[0] != '\0' ? pop->errbuf : curl_easy_strerror(rc), &kind);
	return POP3_LOST;
}

void
pop3_content_key(const void *data, size_t len, char out[POP3_CONTENT_KEY_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	strcpy(out, "sha256:");
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		abort();
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

int
pop3_open(const struct net_conn_params *p, struct pop3 **pop_r, char **error_r)
{
	struct pop3 *pop = xcalloc(1, sizeof(*pop));
	enum net_conn_error kind = NET_CONN_ERR_NONE;
	long secs = (p->timeout_ms + 999) / 1000;
	int r;

	*pop_r = NULL;
	pop->params = *p;
	if ((pop->curl = curl_easy_init()) == NULL)
		abort();
	if (net_easy_setup(pop->curl, p, pop->errbuf, &pop->url, &kind, error_r) != 0) {
		pop3_close(&pop);
		return POP3_LOST;
	}
	/* A large message on a slow link may take longer than the time-out:
	 * what is bounded is each wait, not the whole transfer. */
	curl_easy_setopt(pop->curl, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(pop->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs);
	curl_easy_setopt(pop->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(pop->curl, CURLOPT_LOW_SPEED_TIME, secs);
	curl_easy_setopt(pop->curl, CURLOPT_OPENSOCKETFUNCTION, pop3_open_socket);
	curl_easy_setopt(pop->curl, CURLOPT_OPENSOCKETDATA, pop);
	curl_easy_setopt(pop->curl, CURLOPT_WRITEFUNCTION, pop3_write);
	curl_easy_setopt(pop->curl, CURLOPT_WRITEDATA, pop);
	curl_easy_setopt(pop->curl, CURLOPT_DEBUGFUNCTION, pop3_debug);
	curl_easy_setopt(pop->curl, CURLOPT_DEBUGDATA, pop);
	curl_easy_setopt(pop->curl, CURLOPT_VERBOSE, 1L);
	/* NOOP: connect and log in, nothing else. */
	if ((r = pop3_perform(pop, "NOOP", NULL, NULL, "logging in", error_r)) != 0) {
		pop3_close(&pop);
		return r == POP3_REFUSED ? POP3_LOST : r;
	}
	*pop_r = pop;
	return 0;
}

bool
pop3_alive(struct pop3 *pop)
{
	unsigned session = pop->session;
	char *error = NULL;

	if (pop3_perform(pop, "NOOP", NULL, NULL, "checking the connection", &error) != 0) {
		free(error);
		return false;
	}
	return pop->session == session;
}

void
pop3_close(struct pop3 **popp)
{
	struct pop3 *pop = *popp;

	if (pop == NULL)
		return;
	/* curl says QUIT on the connection it keeps. */
	if (pop->curl != NULL)
		curl_easy_cleanup(pop->curl);
	free(pop->url);
	free(pop);
	*popp = NULL;
}

unsigned
pop3_session(const struct pop3 *pop)
{
	return pop->session;
}

int
pop3_list(struct pop3 *pop, size_t max, struct pop3_list *list_r, char **error_r)
{
	struct buf b;
	unsigned session;
	bool uidl_refused = false;
	char *why = NULL;
	int r;

	memset(list_r, 0, sizeof(*list_r));
	buf_init(&b, POP3_LISTING_MAX);
again:
	if ((r = pop3_perform(pop, NULL, NULL, &b, "listing the messages", error_r)) != 0)
		goto out;
	session = pop->session;
	if (pop3_parse_list(buf_ptr(&b), buf_len(&b), max, list_r, &why) != 0) {
		*error_r = xasprintf("POP3 server %s port %u: %s", pop->params.host,
		    pop->params.port, why);
		free(why);
		r = POP3_REFUSED;
		goto out;
	}
	buf_reset(&b);
	if (!uidl_refused) {
		r = pop3_perform(pop, "UIDL", NULL, &b, "listing the message ids", error_r);
		if (r == POP3_REFUSED) {
			/* A server without UIDL; curl ended the session on the
			 * refusal, so the numbers are listed again in the next. */
			free(*error_r);
			*error_r = NULL;
			uidl_refused = true;
			pop3_list_free(list_r);
			goto again;
		}
		if (r != 0)
			goto out;
		pop3_parse_uidl(buf_ptr(&b), buf_len(&b), list_r);
	}
	/* curl ends a listing quietly when the connection closes in the
	 * middle: a NOOP on the same connection shows it was whole. The
	 * answers must also come from one session, or the numbers of one
	 * may not be those of the other. */
	if ((r = pop3_perform(pop, "NOOP", NULL, NULL, "checking the connection", error_r)) != 0)
		goto out;
	if (pop->session != session) {
		*error_r = xasprintf("the connection to POP3 server %s port %u was lost "
		    "while listing the messages", pop->params.host, pop->params.port);
		r = POP3_LOST;
		goto out;
	}
	list_r->session = session;
out:
	buf_free(&b);
	if (r != 0)
		pop3_list_free(list_r);
	return r;
}

int
pop3_retr(struct pop3 *pop, const struct pop3_msg *m, struct buf *out, char **error_r)
{
	char path[16];
	unsigned session = pop->session;
	size_t before = buf_len(out);
	int r;

	snprintf(path, sizeof(path), "%" PRIu32, m->num);
	if ((r = pop3_perform(pop, NULL, path, out, "fetching a message", error_r)) != 0)
		return r;
	if (buf_len(out) - before == m->size)
		return 0;
	/* Not the size LIST gave: some servers only estimate it, but curl
	 * also ends a transfer quietly when the connection closes in the
	 * middle. A NOOP tells: on a cut connection curl must connect again. */
	if ((r = pop3_perform(pop, "NOOP", NULL, NULL, "checking the connection", error_r)) != 0)
		return r;
	if (pop->session != session) {
		*error_r = xasprintf("the connection to POP3 server %s port %u was cut while a "
		    "message came", pop->params.host, pop->params.port);
		return POP3_LOST;
	}
	return 0;
}

int
pop3_top(struct pop3 *pop, uint32_t num, struct buf *out, char **error_r)
{
	char request[32];

	snprintf(request, sizeof(request), "TOP %" PRIu32 " 0", num);
	return pop3_perform(pop, request, NULL, out, "fetching a message header", error_r);
}

int
pop3_dele(struct pop3 *pop, const struct pop3_list *list, size_t i, char **error_r)
{
	char request[32];
	int r;

	if (list->session != pop->session || i >= list->count) {
		*error_r = xasprintf("POP3 server %s port %u: the connection that listed the "
		    "messages is gone, so nothing is deleted", pop->params.host,
		    pop->params.port);
		return POP3_LOST;
	}
	snprintf(request, sizeof(request), "DELE %" PRIu32, list->v[i].num);
	pop->no_connect = true;
	r = pop3_perform(pop, request, NULL, NULL, "deleting a message", error_r);
	pop->no_connect = false;
	return r;
}
