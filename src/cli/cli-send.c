/* tern --send [FILE]: one message in the editor's form (headers, a blank
 * line, the text) sent through the account's SMTP server, saved to Sent,
 * and the original marked \Answered when it has In-Reply-To; --postpone
 * [FILE]: the same message saved to Drafts. Offline (--offline, or when
 * the server cannot be reached) either waits in the journal. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cmd/cmd-compose.h"
#include "cmd/cmd-imap.h"
#include "cmd/cmd-journal.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-login.h"
#include "cmd/cmd-send.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "net/net.h"

/* Reads FILE, or stdin for none or "-". EXIT_OK, or EXIT_USAGE after
 * saying why. */
static int
cli_send_read(const struct cli_opts *opts, struct buf *text)
{
	const char *path = opts->nargs > 0 ? opts->args[0] : "-";
	bool use_stdin = strcmp(path, "-") == 0;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int status = EXIT_OK;

	if (f == NULL) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(text, chunk, n) != 0) {
			log_error("%s: larger than %u MB", use_stdin ? "the message" : path,
			    CMD_DRAFT_TEXT_MAX >> 20);
			status = EXIT_USAGE;
			break;
		}
	}
	if (status == EXIT_OK && ferror(f)) {
		log_error("cannot read '%s': %s", use_stdin ? "standard input" : path,
		    strerror(errno));
		status = EXIT_USAGE;
	}
	if (!use_stdin)
		(void)fclose(f);
	return status;
}

/* The draft from the text, built, with its envelope. EXIT_OK or
 * EXIT_USAGE after saying why. */
static int
cli_send_prepare(const struct cli_opts *opts, const struct conf *conf,
    const struct conf_account *acct, bool postpone, struct cmd_draft **draft_r,
    struct buf *msg, char ***rcpts_r, char **from_r)
{
	struct buf text;
	char *error = NULL, *warning = NULL;
	int status = EXIT_USAGE;

	buf_init(&text, CMD_DRAFT_TEXT_MAX);
	if (cli_send_read(opts, &text) != EXIT_OK)
		goto out;
	/* The text is the whole message: the signature is not added. */
	*draft_r = cmd_draft_new(acct, &warning);
	free(warning);
	if (cmd_draft_from_editor(*draft_r, buf_ptr(&text), buf_len(&text), &error) != 0 ||
	    (postpone && cmd_draft_build_postponed(*draft_r, conf, acct, msg, &error) != 0) ||
	    (!postpone && (cmd_draft_build(*draft_r, conf, acct, msg, &error) != 0 ||
	    cmd_draft_recipients(*draft_r, rcpts_r, &error) != 0 ||
	    (*from_r = cmd_draft_sender(*draft_r, acct, &error)) == NULL))) {
		log_error("%s: %s", opts->nargs > 0 ? opts->args[0] : "the message", error);
		free(error);
		goto out;
	}
	if (opts->folder != NULL)
		(*draft_r)->reply_folder = xstrdup(opts->folder);
	status = EXIT_OK;
out:
	buf_free(&text);
	return status;
}

/* Offline: the message waits in the journal (cmd-journal.h). */
static int
cli_send_queue(const struct conf *conf, const struct conf_account *acct,
    enum journal_kind kind, const struct cmd_draft *draft, const struct buf *msg,
    char **rcpts, const char *from)
{
	char *error = NULL;
	size_t waiting;

	if (cmd_journal_keep_message(conf, acct, kind, draft, buf_ptr(msg), buf_len(msg), rcpts,
	    from, &waiting, &error) != 0) {
		log_error("account '%s': %s; the message was not queued", conf_account_name(acct),
		    error);
		free(error);
		return EXIT_PARTIAL;
	}
	fprintf(stderr, "queued: %s when tern next connects (tern --replay)\n",
	    kind == JOURNAL_SEND ? "the message is sent" : "the draft is saved to Drafts");
	cli_journal_note(conf, acct);
	return EXIT_OK;
}

int
cli_send(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	struct cmd_login_secret secret;
	struct cmd_draft *draft = NULL;
	struct cmd_imap *session = NULL;
	struct cache *cache = NULL;
	enum net_conn_error kind = NET_CONN_ERR_NONE;
	char **rcpts = NULL, *from = NULL, *error = NULL;
	struct buf msg;
	size_t n = 0;
	int status, r;

	if (acct == NULL)
		return EXIT_USAGE;
	if (opts->nargs > 1) {
		log_error("--send takes one file (or none, for standard input)");
		return EXIT_USAGE;
	}
	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	if ((status = cli_send_prepare(opts, conf, acct, false, &draft, &msg, &rcpts,
	    &from)) != EXIT_OK)
		goto out;
	if (conf_account_server(acct, CONF_PROTO_SMTP) == NULL) {
		log_error("account '%s' has no smtp= server: nothing was sent",
		    conf_account_name(acct));
		status = EXIT_USAGE;
		goto out;
	}
	if (opts->offline) {
		status = cli_send_queue(conf, acct, JOURNAL_SEND, draft, &msg, rcpts, from);
		goto out;
	}
	if ((status = cli_secret(conf, acct, &secret)) != EXIT_OK)
		goto out;
	/* Log in to IMAP first: a message that could not be saved to Sent
	 * would be missing on every other device. */
	if (conf_account_server(acct, CONF_PROTO_IMAP) != NULL &&
	    cmd_imap_open(conf, acct, &secret, &session, &kind, &error) != 0) {
		cmd_login_secret_clear(&secret);
		if (kind == NET_CONN_ERR_CONNECT) {
			fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
			free(error);
			status = cli_send_queue(conf, acct, JOURNAL_SEND, draft, &msg, rcpts, from);
			goto out;
		}
		log_error("account '%s': %s; nothing was sent", conf_account_name(acct), error);
		free(error);
		status = kind == NET_CONN_ERR_NONE ? EXIT_USAGE : EXIT_CONNECT;
		goto out;
	}
	if (session != NULL) {
		char *cerr = NULL;

		if (cmd_sync_cache_open(conf, acct, &cache, &cerr) != 0) {
			log_warn("account '%s': %s", conf_account_name(acct), cerr);
			free(cerr);
		}
		/* What was queued before goes out before this message. */
		if (cli_replay_first(conf, acct, session, cache, false) == EXIT_CONNECT) {
			cmd_login_secret_clear(&secret);
			status = cli_send_queue(conf, acct, JOURNAL_SEND, draft, &msg, rcpts, from);
			goto out;
		}
	}
	net_global_init();
	r = cmd_send_smtp(conf, acct, &secret, buf_ptr(&msg), buf_len(&msg), rcpts, from, &error);
	cmd_login_secret_clear(&secret);
	if (r != 0) {
		log_error("account '%s': %s; nothing was sent", conf_account_name(acct), error);
		free(error);
		status = r == CMD_SEND_CONNECT ? EXIT_CONNECT : r == CMD_SEND_CONFIG ? EXIT_USAGE :
		    EXIT_PARTIAL;
		goto out;
	}
	while (rcpts[n] != NULL)
		n++;
	if (session == NULL) {
		log_warn("sent to %zu recipient%s, but not saved to Sent: account '%s' has no "
		    "imap= server", n, n == 1 ? "" : "s", conf_account_name(acct));
	} else if (cmd_send_record(session, cache, conf, acct, draft, buf_ptr(&msg),
	    buf_len(&msg), &error) != 0) {
		log_error("%s (%zu recipient%s)", error, n, n == 1 ? "" : "s");
		free(error);
		status = EXIT_PARTIAL;
	} else {
		fprintf(stderr, "sent to %zu recipient%s; saved to Sent\n", n, n == 1 ? "" : "s");
	}
out:
	cmd_imap_close(&session);
	cache_close(&cache);
	cmd_draft_recipients_free(&rcpts);
	cmd_draft_destroy(&draft);
	buf_free(&msg);
	free(from);
	return status;
}

int
cli_postpone(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	struct cmd_draft *draft = NULL;
	struct cmd_imap *session = NULL;
	struct cache *cache = NULL;
	char *error = NULL;
	struct buf msg;
	int status, kind = 0;

	if (acct == NULL)
		return EXIT_USAGE;
	if (opts->nargs > 1) {
		log_error("--postpone takes one file (or none, for standard input)");
		return EXIT_USAGE;
	}
	if (conf_account_server(acct, CONF_PROTO_IMAP) == NULL) {
		log_error("account '%s' has no imap= server to keep drafts on",
		    conf_account_name(acct));
		return EXIT_USAGE;
	}
	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	if ((status = cli_send_prepare(opts, conf, acct, true, &draft, &msg, NULL,
	    NULL)) != EXIT_OK)
		goto out;
	if (opts->offline) {
		status = cli_send_queue(conf, acct, JOURNAL_DRAFT, draft, &msg, NULL, NULL);
		goto out;
	}
	status = cli_batch_open(conf, acct, false, true, &cache, &session, &kind);
	if (status == EXIT_CONNECT && kind == NET_CONN_ERR_CONNECT) {
		status = cli_send_queue(conf, acct, JOURNAL_DRAFT, draft, &msg, NULL, NULL);
		goto out;
	}
	if (status != EXIT_OK)
		goto out;
	if (cmd_postpone(session, cache, conf, acct, draft, &error) != 0) {
		log_error("%s", error);
		free(error);
		status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
		goto out;
	}
	fprintf(stderr, "saved to Drafts\n");
out:
	cmd_imap_close(&session);
	cache_close(&cache);
	cmd_draft_destroy(&draft);
	buf_free(&msg);
	return status;
}
