/* Sending through SMTP, and what the IMAP server keeps of it: the copy in
 * Sent, \Answered on the original, drafts in Drafts. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-action.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-send.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "smtp/smtp.h"
#include "sync/sync-parse.h"

int
cmd_send_smtp(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, const char *msg, size_t len,
    char *const *rcpts, const char *from_addr, char **error_r)
{
	return cmd_send_smtp_handed(conf, acct, secret, msg, len, rcpts, from_addr, NULL, NULL,
	    error_r);
}

int
cmd_send_smtp_handed(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, const char *msg, size_t len,
    char *const *rcpts, const char *from_addr, void (*handed)(void *ctx), void *ctx,
    char **error_r)
{
	struct smtp_params p;
	int r;

	p.handed = handed;
	p.handed_ctx = ctx;
	if (cmd_login_params(conf, acct, CONF_PROTO_SMTP, secret, &p.server, error_r) != 0)
		return CMD_SEND_CONFIG;
	if (p.server.user == NULL) {
		/* No user name: a relay that takes mail without a login. */
		p.server.password = NULL;
		p.server.bearer = NULL;
	}
	r = smtp_send(&p, from_addr, (const char *const *)rcpts, msg, len, error_r);
	return r == 0 ? 0 : r == SMTP_FAIL_CONNECT ? CMD_SEND_CONNECT : CMD_SEND_REFUSED;
}

/* One IMAP command's outcome. */
struct send_cmd {
	enum imap_result result;
	char *failure;
	bool trycreate;
	struct sync_uids *collect;
	bool bad_answer;
};

static void
send_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct send_cmd *c = ctx;

	c->result = result;
	free(c->failure);
	c->failure = result == IMAP_RESULT_OK ? NULL : imap_result_text(result, tagged);
	c->trycreate = result == IMAP_RESULT_NO && tagged != NULL && tagged->code != NULL &&
	    tagged->code_count > 0 && imap_arg_atom_equals(&tagged->code[0], "TRYCREATE");
}

static void
send_search_data(void *ctx, const struct imap_response *r)
{
	struct send_cmd *c = ctx;

	if (c->collect != NULL && sync_search_parse(r, c->collect, UINT32_MAX) != 0)
		c->bad_answer = true;
}

/* Waits for the queued command: 0 with OK, 1 when refused (*why_r,
 * prefixed with what), -1 when the connection was lost. */
static int
send_wait(struct cmd_imap *session, struct send_cmd *c, const char *what, char **why_r,
    char **error_r)
{
	if (cmd_imap_wait(session, error_r) != 0)
		return -1;
	if (c->result == IMAP_RESULT_OK)
		return 0;
	*why_r = xasprintf("%s: %s", what, c->failure != NULL ? c->failure : "refused");
	return 1;
}

int
cmd_folder_create(struct cmd_imap *session, const char *wire, const char *shown,
    char **why_r, char **error_r)
{
	struct send_cmd c = { IMAP_RESULT_LOST, NULL, false, NULL, false };
	struct imap_cmd_callbacks cb = { send_done, NULL, &c };
	char *what = xasprintf("creating folder %s", shown);
	int r = 1;

	if (imap_cmd_create(cmd_imap_client(session), wire, &cb) != 0)
		*why_r = xasprintf("%s: the name cannot be sent", what);
	else
		r = send_wait(session, &c, what, why_r, error_r);
	free(c.failure);
	free(what);
	return r;
}

int
cmd_append(struct cmd_imap *session, const char *wire, const char *shown,
    const char *const *flags, time_t date, const char *msg, size_t len,
    char **why_r, char **error_r)
{
	struct send_cmd c = { IMAP_RESULT_LOST, NULL, false, NULL, false };
	struct imap_cmd_callbacks cb = { send_done, NULL, &c };
	char *what = xasprintf("saving to %s", shown);
	int attempt, r = 1;

	for (attempt = 0; attempt < 2; attempt++) {
		c.result = IMAP_RESULT_LOST;
		c.trycreate = false;
		if (imap_cmd_append(cmd_imap_client(session), wire, flags, date, msg, len,
		    &cb) != 0) {
			*why_r = xasprintf("%s: the message cannot be sent to the IMAP server", what);
			break;
		}
		r = send_wait(session, &c, what, why_r, error_r);
		if (r != 1 || !c.trycreate || attempt > 0)
			break;
		/* The folder is missing: create it once, then try again. */
		free(*why_r);
		*why_r = NULL;
		if ((r = cmd_folder_create(session, wire, shown, why_r, error_r)) != 0)
			break;
		r = 1;
	}
	free(c.failure);
	free(what);
	return r;
}

/* Opens folder read-write and finds the messages whose Message-ID is id
 * (sorted, unique, into uids). 0, 1 (*why_r), -1 lost. */
static int
send_find(struct cmd_imap *session, struct cmd_apply *ap, const char *folder, const char *id,
    struct sync_uids *uids, char **why_r, char **error_r)
{
	struct send_cmd c = { IMAP_RESULT_LOST, NULL, false, uids, false };
	struct imap_cmd_callbacks cb = { send_done, send_search_data, &c };
	struct imap_search_arg args[3] = {
		{ IMAP_SEARCH_KEY, "HEADER", 0 },
		{ IMAP_SEARCH_STRING, "Message-ID", 0 },
		{ IMAP_SEARCH_STRING, id, 0 },
	};
	char *why = NULL;
	int r;

	if (cmd_apply_open(ap, folder, NULL, NULL, &why) != 0) {
		if (!cmd_imap_alive(session)) {
			*error_r = why;
			return -1;
		}
		*why_r = xasprintf("cannot open %s: %s", folder, why);
		free(why);
		return 1;
	}
	if (imap_cmd_uid_search(cmd_imap_client(session), args, 3, &cb) != 0) {
		*why_r = xasprintf("the Message-ID %s cannot be searched for", id);
		return 1;
	}
	r = send_wait(session, &c, "searching by Message-ID", why_r, error_r);
	if (r == 0 && c.bad_answer) {
		*why_r = xstrdup("the server's answer to a search did not read");
		r = 1;
	}
	free(c.failure);
	sync_uids_unique(uids);
	return r;
}

/* \Answered on the message draft answers. */
static int
send_mark_answered(struct cmd_imap *session, struct cmd_apply *ap,
    const struct cmd_draft *draft, char **why_r, char **error_r)
{
	static const char *const answered[] = { "\\Answered", NULL };
	const char *folder = draft->reply_folder != NULL ? draft->reply_folder : "INBOX";
	struct send_cmd c = { IMAP_RESULT_LOST, NULL, false, NULL, false };
	struct imap_cmd_callbacks cb = { send_done, NULL, &c };
	struct sync_uids uids;
	size_t pos = 0;
	char *set;
	int r;

	sync_uids_init(&uids);
	r = send_find(session, ap, folder, draft->in_reply_to, &uids, why_r, error_r);
	/* Not found (moved or deleted since): nothing to mark. */
	while (r == 0 && (set = sync_uids_format(&uids, &pos, 400)) != NULL) {
		if (imap_cmd_uid_store(cmd_imap_client(session), set, IMAP_STORE_ADD, answered, 0,
		    &cb) != 0) {
			*why_r = xstrdup("the flag cannot be sent");
			r = 1;
		} else {
			r = send_wait(session, &c, "setting \\Answered", why_r, error_r);
		}
		free(set);
	}
	free(c.failure);
	sync_uids_free(&uids);
	return r;
}

/* Moves the stored draft whose Message-ID is id from Drafts to Trash. */
static int
send_replace_old(struct cmd_imap *session, struct cache *cache, struct cmd_apply *ap,
    const struct conf_account *acct, const char *id, char **why_r, char **error_r)
{
	struct cmd_apply_result res[1];
	struct cmd_actions actions;
	struct sync_uids uids;
	char *wire = NULL, *drafts = NULL, *why = NULL;
	int r;

	memset(&actions, 0, sizeof(actions));
	sync_uids_init(&uids);
	if (cmd_folders_special(session, cache, acct, CMD_FOLDER_DRAFTS, &wire, &drafts,
	    &why) != 0) {
		r = cmd_imap_alive(session) ? 1 : -1;
		if (r < 0)
			*error_r = why;
		else
			*why_r = why;
		goto out;
	}
	r = send_find(session, ap, drafts, id, &uids, why_r, error_r);
	if (r != 0 || uids.n == 0)
		goto out;
	if (cmd_actions_add(&actions, "delete", NULL, &why) != 0) {
		*why_r = why;
		r = 1;
		goto out;
	}
	if (cmd_apply_actions(ap, drafts, &actions, &uids, true, res, error_r) != 0) {
		r = -1;
		goto out;
	}
	if (res[0].failed) {
		*why_r = xasprintf("the older copy in %s was not moved to Trash", drafts);
		r = 1;
	}
out:
	cmd_actions_free(&actions);
	sync_uids_free(&uids);
	free(wire);
	free(drafts);
	return r;
}

/* Adds one problem to the list: "; " between them. */
static void
send_problem(struct buf *problems, const char *what, char *why)
{
	if (buf_len(problems) > 0)
		(void)buf_addstr(problems, "; ");
	(void)buf_printf(problems, "%s%s", what, why != NULL ? why : "");
	free(why);
}

/* Saves msg to the folder of role with flags; 0, 1 (*why_r), -1 lost.
 * With once_id (and ap), not when a message with that Message-ID is
 * there already. */
static int
send_save(struct cmd_imap *session, struct cache *cache, struct cmd_apply *ap,
    const struct conf_account *acct, enum cmd_folder_role role, const char *const *flags,
    const char *once_id, const char *msg, size_t len, char **why_r, char **error_r)
{
	char *wire = NULL, *shown = NULL, *why = NULL;
	int r;

	if (cmd_folders_special(session, cache, acct, role, &wire, &shown, &why) != 0) {
		if (!cmd_imap_alive(session)) {
			*error_r = why;
			return -1;
		}
		*why_r = why;
		return 1;
	}
	if (once_id != NULL) {
		struct sync_uids there;

		sync_uids_init(&there);
		r = send_find(session, ap, shown, once_id, &there, why_r, error_r);
		if (r == 0 && there.n > 0)
			r = 2;
		sync_uids_free(&there);
		/* A folder that cannot be opened may not exist yet. */
		if (r == 1) {
			free(*why_r);
			*why_r = NULL;
			r = 0;
		}
		if (r != 0) {
			free(wire);
			free(shown);
			return r == 2 ? 0 : r;
		}
	}
	r = cmd_append(session, wire, shown, flags, 0, msg, len, why_r, error_r);
	free(wire);
	free(shown);
	return r;
}

/* The command table for the steps after a send or a postpone: its own
 * summary lines ("1 moved") would only bury what the caller says. */
static struct cmd_apply *
send_apply_create(struct cmd_imap *session, const struct conf *conf,
    const struct conf_account *acct, struct cache *cache)
{
	struct cmd_apply *ap = cmd_apply_create(session, conf, acct, cache, false, stderr);

	cmd_apply_set_silent(ap, true);
	return ap;
}

/* The steps after the copy in Sent: \Answered on the original, the
 * replaced draft to Trash. Each is tried unless the connection is gone;
 * what failed goes to problems. 0, or -1 when the connection was lost. */
static int
send_after(struct cmd_imap *session, struct cache *cache, struct cmd_apply *ap,
    const struct conf_account *acct, const struct cmd_draft *draft, struct buf *problems)
{
	char *why = NULL, *lost = NULL;
	int r = 0;

	if (draft->in_reply_to != NULL) {
		r = send_mark_answered(session, ap, draft, &why, &lost);
		if (r != 0)
			send_problem(problems, "the original was not marked answered: ",
			    r > 0 ? why : lost);
	}
	if (r >= 0 && draft->old_draft != NULL) {
		why = lost = NULL;
		r = send_replace_old(session, cache, ap, acct, draft->old_draft, &why, &lost);
		if (r != 0)
			send_problem(problems, "the draft was not replaced: ", r > 0 ? why : lost);
	}
	return r < 0 ? -1 : 0;
}

int
cmd_send_record(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_draft *draft, const char *msg,
    size_t len, char **error_r)
{
	static const char *const seen[] = { "\\Seen", NULL };
	struct cmd_apply *ap = send_apply_create(session, conf, acct, cache);
	struct buf problems;
	char *why = NULL, *lost = NULL;
	int r;

	/* send_problem takes the reason it is given (why or lost). */
	buf_init(&problems, 64 * 1024);
	/* Each step is tried, unless the connection is gone. */
	r = send_save(session, cache, ap, acct, CMD_FOLDER_SENT, seen, NULL, msg, len, &why,
	    &lost);
	if (r != 0)
		send_problem(&problems, "not saved to Sent: ", r > 0 ? why : lost);
	if (r >= 0)
		(void)send_after(session, cache, ap, acct, draft, &problems);
	cmd_apply_destroy(&ap);
	if (buf_len(&problems) == 0) {
		buf_free(&problems);
		return 0;
	}
	*error_r = xasprintf("sent, but %s", buf_ptr(&problems));
	buf_free(&problems);
	return -1;
}

int
cmd_send_save_once(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, bool draft, const char *message_id, const char *msg,
    size_t len, char **why_r, char **error_r)
{
	static const char *const seen[] = { "\\Seen", NULL };
	static const char *const drafted[] = { "\\Draft", "\\Seen", NULL };
	struct cmd_apply *ap = send_apply_create(session, conf, acct, cache);
	int r;

	r = send_save(session, cache, ap, acct, draft ? CMD_FOLDER_DRAFTS : CMD_FOLDER_SENT,
	    draft ? drafted : seen, message_id, msg, len, why_r, error_r);
	cmd_apply_destroy(&ap);
	return r;
}

int
cmd_send_finish(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_draft *draft, char **why_r,
    char **error_r)
{
	struct cmd_apply *ap = send_apply_create(session, conf, acct, cache);
	struct buf problems;
	int r;

	buf_init(&problems, 64 * 1024);
	r = send_after(session, cache, ap, acct, draft, &problems);
	cmd_apply_destroy(&ap);
	if (r < 0) {
		*error_r = buf_detach(&problems);
		return -1;
	}
	if (buf_len(&problems) > 0) {
		*why_r = buf_detach(&problems);
		return 1;
	}
	buf_free(&problems);
	return 0;
}

int
cmd_postpone(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const struct conf_account *acct, const struct cmd_draft *draft, char **error_r)
{
	static const char *const flags[] = { "\\Draft", "\\Seen", NULL };
	struct cmd_apply *ap = NULL;
	struct buf msg;
	char *why = NULL, *lost = NULL;
	int r, ret = -1;

	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	if (cmd_draft_build_postponed(draft, conf, acct, &msg, &why) != 0) {
		*error_r = xasprintf("the draft was not saved: %s", why);
		free(why);
		goto out;
	}
	r = send_save(session, cache, NULL, acct, CMD_FOLDER_DRAFTS, flags, NULL, buf_ptr(&msg),
	    buf_len(&msg), &why, &lost);
	if (r != 0) {
		*error_r = xasprintf("the draft was not saved: %s", r > 0 ? why : lost);
		free(why);
		free(lost);
		goto out;
	}
	if (draft->old_draft != NULL) {
		ap = send_apply_create(session, conf, acct, cache);
		r = send_replace_old(session, cache, ap, acct, draft->old_draft, &why, &lost);
		cmd_apply_destroy(&ap);
		if (r != 0) {
			*error_r = xasprintf("the draft was saved, but the older copy stays: %s",
			    r > 0 ? why : lost);
			free(why);
			free(lost);
			goto out;
		}
	}
	ret = 0;
out:
	buf_free(&msg);
	return ret;
}
