/* Sending mail through libcurl's SMTP. */
#include "config.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/rfc5322.h"
#include "net/easy.h"
#include "smtp/smtp.h"

/* The state of one call: everything lives on smtp_send's stack. */
struct smtp_xfer {
	const char *data;
	size_t len, pos;
	void (*handed)(void *ctx);
	void *handed_ctx;
	/* The last command tern sent that can be named in a message (never a
	 * login line) and the last line the server answered. */
	char command[512];
	char reply[512];
	/* Set at the first refusal: curl's QUIT and its answer, which
	 * follow, must not hide what went wrong. */
	bool frozen;
};

static size_t
smtp_read(char *out, size_t size, size_t nitems, void *ctx)
{
	struct smtp_xfer *x = ctx;
	size_t n = size * nitems;

	if (n > x->len - x->pos)
		n = x->len - x->pos;
	memcpy(out, x->data + x->pos, n);
	x->pos += n;
	/* What curl sends next is the message's end and the final ".". */
	if (x->pos == x->len && n > 0 && x->handed != NULL)
		x->handed(x->handed_ctx);
	return n;
}

/* Copies one protocol line, without its line end, made printable. */
static void
smtp_keep_line(char *dst, size_t size, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	dst[0] = '\0';
	str_escape_for_message(dst, size, line, len);
}

/* curl shows us the protocol lines through its debug hook (nothing is
 * printed: this hook replaces curl's own output). */
static int
smtp_debug(CURL *curl, curl_infotype type, char *data, size_t len, void *ctx)
{
	struct smtp_xfer *x = ctx;
	static const char *const named[] = {
		"MAIL FROM:", "RCPT TO:", "DATA", "EHLO", "HELO", NULL
	};
	size_t i;

	(void)curl;
	if (x->frozen)
		return 0;
	if (type == CURLINFO_HEADER_IN) {
		smtp_keep_line(x->reply, sizeof(x->reply), data, len);
		/* A refused EHLO is followed by HELO: not the end yet. */
		x->frozen = (x->reply[0] == '4' || x->reply[0] == '5') &&
		    !str_ncaseeq(x->command, "EHLO", 4);
	} else if (type == CURLINFO_HEADER_OUT) {
		/* Login lines carry secrets: only these commands are kept. */
		x->command[0] = '\0';
		for (i = 0; named[i] != NULL; i++)
			if (len >= strlen(named[i]) && str_ncaseeq(data, named[i], strlen(named[i])))
				smtp_keep_line(x->command, sizeof(x->command), data, len);
	}
	return 0;
}

/* The address inside "RCPT TO:<x>" for a message. */
static char *
smtp_command_addr(const char *command)
{
	const char *lt = strchr(command, '<'), *gt = lt != NULL ? strchr(lt, '>') : NULL;

	if (gt == NULL)
		return xstrdup(command);
	return xstrndup(lt, (size_t)(gt - lt) + 1);
}

/* One sentence for a failed transfer; the return value of smtp_send. */
static int
smtp_explain(const struct smtp_params *p, const char *url, CURLcode rc, const char *detail,
    const struct smtp_xfer *x, char **error_r)
{
	const struct net_conn_params *s = &p->server;
	enum net_conn_error kind = NET_CONN_ERR_NONE;
	bool refused = x->reply[0] == '4' || x->reply[0] == '5';
	char *what;

	if (refused && str_ncaseeq(x->command, "RCPT TO:", 8)) {
		what = smtp_command_addr(x->command);
		*error_r = xasprintf("%s port %u refused the recipient %s: %s", s->host,
		    s->port, what, x->reply);
		free(what);
		return SMTP_FAIL_REFUSED;
	}
	if (refused && str_ncaseeq(x->command, "MAIL FROM:", 10)) {
		what = smtp_command_addr(x->command);
		*error_r = xasprintf("%s port %u refused the sender %s: %s", s->host,
		    s->port, what, x->reply);
		free(what);
		return SMTP_FAIL_REFUSED;
	}
	if (refused && str_ncaseeq(x->command, "DATA", 4)) {
		*error_r = xasprintf("%s port %u refused the message: %s", s->host, s->port,
		    x->reply);
		return SMTP_FAIL_REFUSED;
	}
	if (rc == CURLE_LOGIN_DENIED) {
		*error_r = xasprintf("login to SMTP server %s port %u refused for user '%s' "
		    "(wrong password, or the login method is not allowed)%s%s", s->host,
		    s->port, s->user != NULL ? s->user : "", refused ? ": " : "",
		    refused ? x->reply : "");
		return SMTP_FAIL_CONNECT;
	}
	*error_r = net_easy_explain(s, url, rc, detail, &kind);
	return kind == NET_CONN_ERR_NONE ? SMTP_FAIL_REFUSED : SMTP_FAIL_CONNECT;
}

int
smtp_send(const struct smtp_params *p, const char *from_addr,
    const char *const *rcpts, const void *msg, size_t len, char **error_r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *list = NULL, *grown;
	struct smtp_xfer x;
	enum net_conn_error kind = NET_CONN_ERR_NONE;
	char *url = NULL, *from = NULL, *one;
	long secs = (p->server.timeout_ms + 999) / 1000;
	CURLcode rc;
	CURL *curl = NULL;
	size_t i;
	int ret = SMTP_FAIL_REFUSED;

	*error_r = NULL;
	memset(&x, 0, sizeof(x));
	x.data = msg;
	x.len = len;
	x.handed = p->handed;
	x.handed_ctx = p->handed_ctx;
	if (!rfc5322_addr_sendable(from_addr)) {
		*error_r = xasprintf("the sender '%s' is not a mail address", from_addr);
		goto out;
	}
	if (rcpts[0] == NULL) {
		*error_r = xstrdup("no recipients");
		goto out;
	}
	for (i = 0; rcpts[i] != NULL; i++) {
		if (!rfc5322_addr_sendable(rcpts[i])) {
			*error_r = xasprintf("the recipient '%s' is not a mail address", rcpts[i]);
			goto out;
		}
		one = xasprintf("<%s>", rcpts[i]);
		grown = curl_slist_append(list, one);
		free(one);
		if (grown == NULL)
			abort();
		list = grown;
	}
	if ((curl = curl_easy_init()) == NULL)
		abort();
	if (net_easy_setup(curl, &p->server, errbuf, &url, &kind, error_r) != 0) {
		ret = SMTP_FAIL_CONNECT;
		goto out;
	}
	/* A large message on a slow link may take longer than the time-out:
	 * what is bounded is each wait, not the whole transfer. */
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, secs);
	from = xasprintf("<%s>", from_addr);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, list);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &x);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, smtp_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &x);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		ret = 0;
	else
		ret = smtp_explain(p, url, rc, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc),
		    &x, error_r);
out:
	if (curl != NULL)
		curl_easy_cleanup(curl);
	curl_slist_free_all(list);
	free(from);
	free(url);
	return ret;
}
