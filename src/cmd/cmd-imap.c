/* An account's IMAP session for batch commands. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-imap.h"
#include "imap/imap-conn.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"
#include "net/loop.h"

/* Server text quoted in a message: enough to read, never a screenful. */
#define CMD_IMAP_TEXT_MAX 300
/* The largest literal a batch session accepts (see cmd_imap_open). */
#define CMD_IMAP_LITERAL_MAX (1024 * 1024)

struct cmd_imap {
	char *account;
	char *peer;
	int timeout_ms;
	struct net_conn *net;
	struct net_loop *loop;
	bool own_loop;		/* created here, destroyed at close */
	struct imap_client *client;
	struct imap_conn *conn;
	enum imap_conn_lost lost_reason;	/* once imap_conn_is_lost() */
	char *bye;		/* the text of an unsolicited BYE, made safe */
	struct imap_client_handlers delegate;	/* cmd_imap_set_handlers */
	bool qresync_enabled;
	bool logging_out;
	bool aborted;		/* cmd_imap_abort: no LOGOUT is waited for */
	char delim;		/* cmd_imap_delimiter(), once asked */
};

static void
cmd_imap_bye(void *ctx, const char *text)
{
	struct cmd_imap *s = ctx;

	if (s->logging_out)
		return;
	free(s->bye);
	s->bye = safe_text_line(text, strlen(text), CMD_IMAP_TEXT_MAX);
}

static void
cmd_imap_alert(void *ctx, const char *text)
{
	struct cmd_imap *s = ctx;
	char *safe = safe_text_line(text, strlen(text), CMD_IMAP_TEXT_MAX);

	/* RFC 3501 §7.1: an ALERT must be shown to the user. */
	log_warn("account '%s': %s says: %s", s->account, s->peer, safe);
	free(safe);
}

static void
cmd_imap_exists(void *ctx, uint32_t count)
{
	struct cmd_imap *s = ctx;

	if (s->delegate.exists != NULL)
		s->delegate.exists(s->delegate.ctx, count);
}

static void
cmd_imap_expunge(void *ctx, uint32_t seq)
{
	struct cmd_imap *s = ctx;

	if (s->delegate.expunge != NULL)
		s->delegate.expunge(s->delegate.ctx, seq);
}

static void
cmd_imap_vanished(void *ctx, bool earlier, const char *uid_set)
{
	struct cmd_imap *s = ctx;

	if (s->delegate.vanished != NULL)
		s->delegate.vanished(s->delegate.ctx, earlier, uid_set);
}

static void
cmd_imap_fetch(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	struct cmd_imap *s = ctx;

	if (s->delegate.fetch != NULL)
		s->delegate.fetch(s->delegate.ctx, seq, items, count);
}

static void
cmd_imap_other(void *ctx, const struct imap_response *resp)
{
	struct cmd_imap *s = ctx;

	if (s->delegate.other != NULL)
		s->delegate.other(s->delegate.ctx, resp);
}

static void
cmd_imap_delim_data(void *ctx, const struct imap_response *r)
{
	struct cmd_imap *s = ctx;
	const char *d;
	size_t len;

	/* * LIST (\Noselect) "." "": the delimiter, or NIL for none. */
	if (r->count >= 3 && imap_arg_get_string(&r->args[2], &d, &len) && len == 1)
		s->delim = d[0];
}

char
cmd_imap_delimiter(struct cmd_imap *s)
{
	struct imap_cmd_callbacks cb = { NULL, cmd_imap_delim_data, s };
	char *error = NULL;

	if (s->delim != '\0')
		return s->delim;
	s->delim = '/';
	/* A failure here shows in the command that follows. */
	if (imap_cmd_list(s->client, "", "", false, &cb) == 0 && cmd_imap_wait(s, &error) != 0)
		free(error);
	return s->delim;
}

bool *
cmd_imap_qresync_enabled(struct cmd_imap *s)
{
	return &s->qresync_enabled;
}

void
cmd_imap_set_handlers(struct cmd_imap *s, const struct imap_client_handlers *h)
{
	if (h != NULL)
		s->delegate = *h;
	else
		memset(&s->delegate, 0, sizeof(s->delegate));
}

static void
cmd_imap_lost(void *ctx, enum imap_conn_lost reason)
{
	struct cmd_imap *s = ctx;

	s->lost_reason = reason;
}

char *
cmd_imap_failure(const char *what, enum imap_result result, const struct imap_response *tagged)
{
	char *text = imap_result_text(result, tagged);
	char *msg = xasprintf("%s: %s", what, text);

	free(text);
	return msg;
}

/* Why the session ended, in the words the tests and users rely on. */
static char *
cmd_imap_lost_error(const struct cmd_imap *s)
{
	const char *why;
	char *safe, *msg;

	if (s->bye != NULL)
		return xasprintf("%s ended the session: %s", s->peer, s->bye);
	switch (s->lost_reason) {
	case IMAP_CONN_LOST_EOF:
		return xasprintf("%s closed the connection", s->peer);
	case IMAP_CONN_LOST_TIMEOUT:
		return xasprintf("no answer from %s within %d s", s->peer,
		    (s->timeout_ms + 999) / 1000);
	case IMAP_CONN_LOST_IO:
		return xasprintf("the connection to %s failed", s->peer);
	case IMAP_CONN_LOST_PROTOCOL:
	default:
		why = imap_client_error(s->client);
		if (why == NULL)
			why = "unknown error";
		safe = safe_text_line(why, strlen(why), CMD_IMAP_TEXT_MAX);
		msg = xasprintf("%s sent a response tern cannot read (%s)", s->peer, safe);
		free(safe);
		return msg;
	}
}

int
cmd_imap_wait(struct cmd_imap *s, char **error_r)
{
	*error_r = NULL;
	if (imap_conn_wait(s->conn) == 0)
		return 0;
	*error_r = cmd_imap_lost_error(s);
	return -1;
}

void
cmd_imap_flush(struct cmd_imap *s)
{
	imap_conn_flush(s->conn);
}

void
cmd_imap_abort(struct cmd_imap *s)
{
	s->aborted = true;
	imap_conn_abort(s->conn);
}

char *
cmd_imap_lost_text(const struct cmd_imap *s)
{
	return cmd_imap_lost_error(s);
}

struct imap_client *
cmd_imap_client(struct cmd_imap *s)
{
	return s->client;
}

bool
cmd_imap_alive(const struct cmd_imap *s)
{
	return !imap_conn_is_lost(s->conn);
}

const char *
cmd_imap_peer(const struct cmd_imap *s)
{
	return s->peer;
}

static void
cmd_imap_capability_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	bool *ok = ctx;

	(void)tagged;
	*ok = result == IMAP_RESULT_OK;
}

int
cmd_imap_open(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, struct cmd_imap **session_r,
    enum net_conn_error *kind_r, char **error_r)
{
	struct net_conn *net;
	struct net_loop *loop;

	*session_r = NULL;
	if (cmd_login_open(conf, acct, CONF_PROTO_IMAP, secret, &net, kind_r, error_r) != 0)
		return -1;
	loop = net_loop_create();
	/* These sessions read folder lists and counts, never message
	 * bodies: a literal of more than a megabyte can only be a server
	 * trying to make us swallow it. */
	if (cmd_imap_attach(conf, acct, loop, &net, CMD_IMAP_LITERAL_MAX, session_r,
	    kind_r, error_r) != 0) {
		net_loop_destroy(&loop);
		return -1;
	}
	(*session_r)->own_loop = true;
	return 0;
}

int
cmd_imap_attach(const struct conf *conf, const struct conf_account *acct,
    struct net_loop *loop, struct net_conn **net, size_t literal_max,
    struct cmd_imap **session_r, enum net_conn_error *kind_r, char **error_r)
{
	static const char *const id_fields[] = { "name", "tern", "version", PACKAGE_VERSION, NULL };
	const struct conf_server *srv = conf_account_server(acct, CONF_PROTO_IMAP);
	struct imap_client_settings settings;
	struct imap_client_handlers handlers;
	struct imap_cmd_callbacks cb;
	struct net_stream stream;
	struct cmd_imap *s;
	bool cap_ok = false;

	*session_r = NULL;
	s = xcalloc(1, sizeof(*s));
	s->net = *net;
	*net = NULL;
	s->account = xstrdup(conf_account_name(acct));
	s->peer = xasprintf("%s port %u", srv->host, srv->port);
	s->timeout_ms = cmd_login_timeout_ms(conf);
	s->loop = loop;
	memset(&handlers, 0, sizeof(handlers));
	handlers.bye = cmd_imap_bye;
	handlers.alert = cmd_imap_alert;
	handlers.exists = cmd_imap_exists;
	handlers.expunge = cmd_imap_expunge;
	handlers.vanished = cmd_imap_vanished;
	handlers.fetch = cmd_imap_fetch;
	handlers.other = cmd_imap_other;
	handlers.ctx = s;
	memset(&settings, 0, sizeof(settings));
	settings.limits.literal_max = literal_max;
	s->client = imap_client_create(&settings, &handlers);
	net_conn_stream(s->net, &stream);
	s->conn = imap_conn_create(s->loop, &stream, s->client, s->timeout_ms, cmd_imap_lost, s);

	/* curl read the capabilities before login, and may have dropped
	 * the ones that came with its login reply: ask again. */
	memset(&cb, 0, sizeof(cb));
	cb.done = cmd_imap_capability_done;
	cb.ctx = &cap_ok;
	(void)imap_cmd_capability(s->client, &cb);
	if (cmd_imap_wait(s, error_r) != 0) {
		*kind_r = NET_CONN_ERR_CONNECT;
		cmd_imap_close(&s);
		return -1;
	}
	if (!cap_ok) {
		*kind_r = NET_CONN_ERR_CONNECT;
		*error_r = xasprintf("%s refused the CAPABILITY command", s->peer);
		cmd_imap_close(&s);
		return -1;
	}
	/* Identify ourselves where the server asks for it (RFC 2971): it
	 * helps the server's administrator, and costs one pipelined line. */
	if (imap_client_has(s->client, IMAP_CAP_ID))
		(void)imap_cmd_id(s->client, id_fields, NULL);
	*session_r = s;
	return 0;
}

void
cmd_imap_close(struct cmd_imap **sp)
{
	struct cmd_imap *s = *sp;

	if (s == NULL)
		return;
	if (s->conn != NULL && !imap_conn_is_lost(s->conn) && !s->aborted) {
		char *error = NULL;

		s->logging_out = true;
		if (imap_cmd_logout(s->client, NULL) == 0)
			(void)cmd_imap_wait(s, &error);
		free(error);
	}
	imap_conn_destroy(&s->conn);
	imap_client_destroy(&s->client);
	if (s->own_loop)
		net_loop_destroy(&s->loop);
	net_conn_close(&s->net);
	free(s->bye);
	free(s->peer);
	free(s->account);
	free(s);
	*sp = NULL;
}
