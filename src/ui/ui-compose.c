/* Composing: the draft in $EDITOR, then the compose screen (headers,
 * attachments, send, postpone); recalling a draft from the Drafts
 * folder. Sending runs on a worker thread, so the screen never waits for
 * the SMTP server. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd-compose.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-send.h"
#include "cmd/cmd-sync.h"
#include "cmd/cmd-team.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/message.h"
#include "mime/template.h"
#include "rules/team.h"
#include "net/worker.h"
#include "ui/ui-private.h"

struct ui_compose {
	struct ui_view v;
	struct cmd_draft *draft;
	char *edit_text;		/* what the user wrote, when it did not parse */
	size_t selected;		/* attachment under the cursor */
	bool sending;
	struct net_worker *worker;
};

static void ui_compose_draw_field(int y, int cols, const char *name, const char *value);

/* ---- the editor ---- */

static const char *
ui_compose_editor(const struct conf *conf)
{
	const char *e = conf_get(conf, "editor");

	if (e == NULL || e[0] == '\0')
		e = getenv("VISUAL");
	if (e == NULL || e[0] == '\0')
		e = getenv("EDITOR");
	return e != NULL && e[0] != '\0' ? e : "vi";
}

/* Single quotes for sh -c. */
static char *
ui_compose_quote(const char *s)
{
	struct buf b;

	buf_init(&b, SIZE_MAX);
	(void)buf_addc(&b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			(void)buf_addstr(&b, "'\\''");
		else
			(void)buf_addc(&b, *s);
	}
	(void)buf_addc(&b, '\'');
	return buf_detach(&b);
}

/* Runs the editor on the draft's text. Returns 0 when the draft now
 * holds what the user wrote, 1 when the text did not parse (kept for the
 * next edit, the error shown), -1 when the editor failed. */
static int
ui_compose_edit(struct ui *ui, struct ui_compose *c)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path, *qpath, *cmd, *error = NULL;
	struct buf text;
	int fd, status, r = -1;
	FILE *f;
	char chunk[8192];
	size_t n;

	path = xasprintf("%s/tern-draft-XXXXXX", tmpdir != NULL && tmpdir[0] != '\0' ?
	    tmpdir : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		ui_error(ui, "cannot create a file for the editor: %s", strerror(errno));
		free(path);
		return -1;
	}
	buf_init(&text, CMD_DRAFT_TEXT_MAX);
	if (c->edit_text != NULL)
		(void)buf_addstr(&text, c->edit_text);
	else
		cmd_draft_to_editor(c->draft, &text);
	if (write(fd, buf_ptr(&text), buf_len(&text)) != (ssize_t)buf_len(&text)) {
		ui_error(ui, "cannot write the draft for the editor: %s", strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	qpath = ui_compose_quote(path);
	cmd = xasprintf("%s %s", ui_compose_editor(ui->conf), qpath);
	status = ui_run_external(ui, cmd);
	free(cmd);
	free(qpath);
	if (status != 0) {
		ui_error(ui, "the editor exited with status %d; the draft is unchanged", status);
		goto out;
	}
	buf_reset(&text);
	if ((f = fopen(path, "r")) == NULL) {
		ui_error(ui, "cannot read the draft back: %s", strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&text, chunk, n) != 0)
			break;
	fclose(f);
	(void)buf_addc(&text, '\0');
	if (cmd_draft_from_editor(c->draft, buf_ptr(&text), buf_len(&text) - 1, &error) != 0) {
		ui_error(ui, "%s (e edits again)", error);
		free(error);
		free(c->edit_text);
		c->edit_text = xstrdup(buf_ptr(&text));
		r = 1;
		goto out;
	}
	free(c->edit_text);
	c->edit_text = NULL;
	r = 0;
out:
	(void)unlink(path);
	free(path);
	buf_free(&text);
	ui_dirty(ui);
	return r;
}

/* ---- sending ---- */

struct ui_send {
	struct ui *ui;
	struct ui_compose *c;		/* NULL once the screen was left */
	const struct conf *conf;
	const struct conf_account *acct;
	const struct cmd_login_secret *secret;
	struct buf msg;
	char **rcpts;
	size_t nrcpts;
	char *sender;
	char *error;
	struct cmd_draft *draft;	/* for recording in Sent */
	bool done;			/* team folders: the conversation is done */
};

static void
ui_send_free(struct ui_send *s)
{
	buf_free(&s->msg);
	cmd_draft_recipients_free(&s->rcpts);
	free(s->sender);
	free(s->error);
	cmd_draft_destroy(&s->draft);
	free(s);
}

static void
ui_send_work(void *ctx)
{
	struct ui_send *s = ctx;

	(void)cmd_send_smtp(s->conf, s->acct, s->secret, buf_ptr(&s->msg), buf_len(&s->msg),
	    s->rcpts, s->sender, &s->error);
}

static void
ui_send_drop(void *ctx)
{
	ui_send_free(ctx);
}

struct ui_record {
	struct cmd_draft *draft;
	struct buf msg;
	size_t nrcpts;
	bool done;
};

static void
ui_record_free(void *ctx)
{
	struct ui_record *r = ctx;

	cmd_draft_destroy(&r->draft);
	buf_free(&r->msg);
	free(r);
}

/* Whether d answers a message of the open folder, a team folder. */
static bool
ui_compose_team_reply(struct ui *ui, const struct cmd_draft *d)
{
	const char *folder = ui_session_folder(ui);

	return d->in_reply_to != NULL && d->reply_folder != NULL && folder != NULL &&
	    strcmp(d->reply_folder, folder) == 0 &&
	    cmd_team_of(ui->conf, ui->acct, folder) != NULL;
}

/* A reply sent from a team folder leaves the conversation waiting on
 * the customer: pending; or done, when sent with Y. */
static void
ui_compose_team_status(struct ui *ui, const struct cmd_draft *d, bool done)
{
	const struct index *idx = ui_session_index(ui);
	struct cmd_actions a;
	char *error = NULL;
	size_t i;

	if (!ui_compose_team_reply(ui, d))
		return;
	for (i = 0; i < index_count(idx); i++) {
		const struct index_msg *m = index_at(idx, i);
		uint32_t uid = m->uid;

		if (strcmp(index_msg_str(idx, m, INDEX_STR_MESSAGE_ID), d->in_reply_to) != 0)
			continue;
		memset(&a, 0, sizeof(a));
		if (cmd_actions_add(&a, "status", done ? "done" : "pending", &error) == 0)
			ui_session_act(ui, &a, &uid, 1);
		free(error);
		cmd_actions_free(&a);
		return;
	}
}

/* A reply from a team folder is kept there too, marked the team's
 * (\Seen tern/reply), so every teammate sees the conversation whole,
 * threaded with the customer's messages, and --team-report can time the
 * first response. */
static int
ui_compose_team_copy(struct ui *ui, const struct ui_record *r, char **error_r)
{
	static const char *const flags[] = { "\\Seen", TEAM_KEYWORD_REPLY, NULL };
	const char *folder = ui_session_folder(ui);
	const struct cmd_draft *d = r->draft;
	char *wire, *why = NULL;
	int q;

	if (!ui_compose_team_reply(ui, d))
		return 0;
	if ((wire = cmd_folder_wire(ui_session_imap(ui), ui_session_cache(ui), folder)) == NULL)
		return 0;
	q = cmd_append(ui_session_imap(ui), wire, folder, flags, 0, buf_ptr(&r->msg),
	    buf_len(&r->msg), &why, error_r);
	free(wire);
	if (q == 1) {
		ui_error(ui, "sent, but not kept in %s for the team: %s", folder, why);
		free(why);
	}
	return q < 0 ? -1 : 0;
}

static int
ui_record_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_record *r = ctx;

	if (cmd_send_record(ui_session_imap(ui), ui_session_cache(ui), ui->conf, ui->acct,
	    r->draft, buf_ptr(&r->msg), buf_len(&r->msg), error_r) != 0) {
		if (!cmd_imap_alive(ui_session_imap(ui)))
			return -1;
		ui_error(ui, "sent, but: %s", *error_r);
		free(*error_r);
		*error_r = NULL;
	} else {
		ui_message(ui, "sent to %zu recipient%s; saved to Sent", r->nrcpts,
		    r->nrcpts == 1 ? "" : "s");
	}
	if (ui_compose_team_copy(ui, r, error_r) != 0)
		return -1;
	ui_compose_team_status(ui, r->draft, r->done);
	/* Sent and the original's \Answered show after the next sync. */
	ui_session_resync(ui);
	return 0;
}

static void
ui_send_done(void *ctx)
{
	struct ui_send *s = ctx;
	struct ui *ui = s->ui;
	struct ui_compose *c = s->c;

	if (c != NULL) {
		c->sending = false;
		c->worker = NULL;
	}
	if (s->error != NULL) {
		/* Nothing was sent: the compose screen stays, with the draft. */
		if (c != NULL && c->draft == NULL) {
			c->draft = s->draft;
			s->draft = NULL;
		}
		ui_error(ui, "not sent: %s", s->error);
		ui_send_free(s);
		return;
	}
	if (ui_session_pop3(ui)) {
		/* No IMAP account: no Sent folder to keep a copy in. */
		ui_message(ui, "sent to %zu recipient%s (a POP3 account keeps no copy in "
		    "Sent)", s->nrcpts, s->nrcpts == 1 ? "" : "s");
	} else {
		struct ui_record *r = xcalloc(1, sizeof(*r));

		r->draft = s->draft;
		s->draft = NULL;
		r->msg = s->msg;
		buf_init(&s->msg, 1);
		r->nrcpts = s->nrcpts;
		r->done = s->done;
		ui_job_add(ui, "saving to Sent", ui_record_job, r, ui_record_free);
		ui_message(ui, "sent; saving to Sent");
	}
	if (c != NULL && ui_view_top(ui) == &c->v)
		ui_view_pop(ui);
	ui_send_free(s);
}

static void
ui_compose_send(struct ui *ui, struct ui_compose *c, bool done)
{
	struct ui_send *s;
	char *error = NULL;

	if (c->sending) {
		ui_message(ui, "already sending");
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->ui = ui;
	s->c = c;
	s->done = done;
	s->conf = ui->conf;
	s->acct = ui->acct;
	s->secret = ui_session_secret(ui);
	buf_init(&s->msg, CMD_DRAFT_MESSAGE_MAX);
	if (cmd_draft_recipients(c->draft, &s->rcpts, &error) != 0 ||
	    (s->sender = cmd_draft_sender(c->draft, ui->acct, &error)) == NULL ||
	    cmd_draft_build(c->draft, ui->conf, ui->acct, &s->msg, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
		ui_send_free(s);
		return;
	}
	for (s->nrcpts = 0; s->rcpts[s->nrcpts] != NULL; s->nrcpts++)
		;
	if (ui_session_imap(ui) == NULL && !ui_session_pop3(ui)) {
		/* Offline: the journal sends it once the server is back. */
		if (ui_session_journal_message(ui, JOURNAL_SEND, c->draft, &s->msg, s->rcpts,
		    s->sender) == 0 && ui_view_top(ui) == &c->v)
			ui_view_pop(ui);
		ui_send_free(s);
		return;
	}
	/* The worker holds the draft while it sends; it comes back to this
	 * screen when sending fails. */
	s->draft = c->draft;
	c->draft = NULL;
	c->sending = true;
	c->worker = net_worker_start(ui->loop, ui_send_work, ui_send_done, ui_send_drop, s);
	if (c->worker == NULL) {
		c->sending = false;
		c->draft = s->draft;
		s->draft = NULL;
		ui_error(ui, "cannot start a thread to send");
		ui_send_free(s);
		return;
	}
	ui_message(ui, "sending...");
}

/* ---- postponing ---- */

struct ui_postpone {
	struct cmd_draft *draft;
};

static void
ui_postpone_free(void *ctx)
{
	struct ui_postpone *p = ctx;

	cmd_draft_destroy(&p->draft);
	free(p);
}

static int
ui_postpone_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_postpone *p = ctx;

	if (cmd_postpone(ui_session_imap(ui), ui_session_cache(ui), ui->conf, ui->acct, p->draft,
	    error_r) != 0) {
		if (!cmd_imap_alive(ui_session_imap(ui)))
			return -1;
		return 1;
	}
	ui_message(ui, "draft saved to Drafts (R resumes it, here or on another device)");
	ui_session_resync(ui);
	return 0;
}

/* Offline: the draft waits in the journal, built as Drafts keeps it. */
static void
ui_compose_postpone_offline(struct ui *ui, struct ui_compose *c)
{
	struct buf msg;
	char *error = NULL;

	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	if (cmd_draft_build_postponed(c->draft, ui->conf, ui->acct, &msg, &error) != 0) {
		ui_error(ui, "the draft was not saved: %s", error);
		free(error);
	} else if (ui_session_journal_message(ui, JOURNAL_DRAFT, c->draft, &msg, NULL,
	    NULL) == 0) {
		ui_view_pop(ui);
	}
	buf_free(&msg);
}

/* ---- the compose screen ---- */

static struct ui_compose *
ui_compose_of(struct ui_view *v)
{
	return (struct ui_compose *)v;
}

static void
ui_compose_draw_field(int y, int cols, const char *name, const char *value)
{
	int x = ui_draw_text(y, 0, 10, name, ui_draw_attr(UI_COLOR_HEADER), true);

	ui_draw_text(y, x, cols - x, value, ui_draw_attr(UI_COLOR_NORMAL), false);
}

static void
ui_compose_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_compose *c = ui_compose_of(v);
	const struct cmd_draft *d = c->draft;
	int y = top;
	size_t i;
	char *line;

	if (rows < 8)
		return;
	if (d == NULL) {
		ui_draw_text(y, 0, cols, "Sending...", ui_draw_attr(UI_COLOR_NORMAL), false);
		return;
	}
	ui_compose_draw_field(y++, cols, "From:", d->from);
	ui_compose_draw_field(y++, cols, "To:", d->to);
	ui_compose_draw_field(y++, cols, "Cc:", d->cc);
	ui_compose_draw_field(y++, cols, "Bcc:", d->bcc);
	ui_compose_draw_field(y++, cols, "Subject:", d->subject);
	if (d->reply_to != NULL && d->reply_to[0] != '\0')
		ui_compose_draw_field(y++, cols, "Reply-To:", d->reply_to);
	y++;
	ui_draw_text(y++, 0, cols, "-- Attachments", ui_draw_attr(UI_COLOR_TREE), false);
	line = xasprintf("  text/plain, %zu bytes (the message)", strlen(d->body));
	ui_draw_text(y++, 0, cols, line, ui_draw_attr(UI_COLOR_NORMAL), false);
	free(line);
	for (i = 0; i < d->nattachments && y < top + rows; i++) {
		line = xasprintf("%s %s", i == c->selected ? ">" : " ", d->attachments[i]);
		ui_draw_text(y++, 0, cols, line, ui_draw_attr(i == c->selected ?
		    UI_COLOR_INDICATOR : UI_COLOR_NORMAL), i == c->selected);
		free(line);
	}
	if (c->edit_text != NULL && y + 1 < top + rows)
		ui_draw_text(y + 1, 0, cols, "The text did not parse: e to edit it again.",
		    ui_draw_attr(UI_COLOR_ERROR), false);
}

static char *
ui_compose_status(struct ui_view *v)
{
	struct ui_compose *c = ui_compose_of(v);

	return xstrdup(c->sending ? "tern: Compose -- sending..." :
	    "tern: Compose  y:Send  P:Postpone  e:Edit  t/c/b/s:To/Cc/Bcc/Subject  a:Attach  "
	    "q:Abort");
}

struct ui_compose_field {
	struct ui_compose *c;
	char **field;
};

static void
ui_compose_field_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_compose_field *f = ctx;

	if (text != NULL) {
		free(*f->field);
		*f->field = xstrdup(text);
	}
	free(f);
	ui_dirty(ui);
}

static void
ui_compose_edit_field(struct ui *ui, struct ui_compose *c, const char *q, char **field)
{
	struct ui_compose_field *f = xcalloc(1, sizeof(*f));

	f->c = c;
	f->field = field;
	ui_prompt(ui, q, *field, ui_compose_field_done, f);
}

static void
ui_compose_attach_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_compose *c = ctx;
	char *error = NULL, *path;

	if (text == NULL || text[0] == '\0')
		return;
	if (text[0] == '~' && text[1] == '/' && getenv("HOME") != NULL)
		path = xasprintf("%s%s", getenv("HOME"), text + 1);
	else
		path = xstrdup(text);
	if (access(path, R_OK) != 0)
		ui_error(ui, "cannot read %s: %s", path, strerror(errno));
	else if (cmd_draft_attach(c->draft, path, &error) != 0) {
		ui_error(ui, "%s", error);
		free(error);
	} else
		c->selected = c->draft->nattachments - 1;
	free(path);
	ui_dirty(ui);
}

static void
ui_compose_abort_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_compose *c = ctx;

	if (text == NULL || ui_view_top(ui) != &c->v)
		return;
	ui_view_pop(ui);
	ui_message(ui, "message not sent");
}

static bool
ui_compose_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_compose *c = ui_compose_of(v);
	struct ui *ui = v->ui;
	struct cmd_draft *d = c->draft;

	(void)key;
	(void)ch;
	if (fn == NULL)
		return false;
	if (c->sending && strcmp(fn, "redraw-screen") != 0) {
		ui_message(ui, "sending: wait for the server's answer");
		return true;
	}
	if (strcmp(fn, "edit-message") == 0)
		(void)ui_compose_edit(ui, c);
	else if (strcmp(fn, "edit-to") == 0)
		ui_compose_edit_field(ui, c, "To: ", &d->to);
	else if (strcmp(fn, "edit-cc") == 0)
		ui_compose_edit_field(ui, c, "Cc: ", &d->cc);
	else if (strcmp(fn, "edit-bcc") == 0)
		ui_compose_edit_field(ui, c, "Bcc: ", &d->bcc);
	else if (strcmp(fn, "edit-subject") == 0)
		ui_compose_edit_field(ui, c, "Subject: ", &d->subject);
	else if (strcmp(fn, "attach-file") == 0)
		ui_prompt(ui, "Attach file: ", NULL, ui_compose_attach_done, c);
	else if (strcmp(fn, "detach-file") == 0) {
		if (d->nattachments == 0) {
			ui_message(ui, "no attachment to remove");
		} else {
			free(d->attachments[c->selected]);
			memmove(&d->attachments[c->selected], &d->attachments[c->selected + 1],
			    (d->nattachments - c->selected - 1) * sizeof(char *));
			d->nattachments--;
			if (c->selected > 0 && c->selected >= d->nattachments)
				c->selected--;
		}
	} else if (strcmp(fn, "next-entry") == 0) {
		if (c->selected + 1 < d->nattachments)
			c->selected++;
	} else if (strcmp(fn, "previous-entry") == 0) {
		if (c->selected > 0)
			c->selected--;
	} else if (strcmp(fn, "send-message") == 0 || strcmp(fn, "send-done") == 0) {
		if (c->edit_text != NULL)
			ui_error(ui, "the text did not parse: e to edit it first");
		else if (strcmp(fn, "send-done") == 0 && (d->reply_folder == NULL ||
		    cmd_team_of(ui->conf, ui->acct, d->reply_folder) == NULL))
			ui_message(ui, "Y sends a reply in a team folder and marks the "
			    "conversation done; y sends");
		else
			ui_compose_send(ui, c, strcmp(fn, "send-done") == 0);
	} else if (strcmp(fn, "postpone-message") == 0 && ui_session_imap(ui) == NULL) {
		ui_compose_postpone_offline(ui, c);
	} else if (strcmp(fn, "postpone-message") == 0) {
		struct ui_postpone *p = xcalloc(1, sizeof(*p));

		p->draft = c->draft;
		c->draft = NULL;
		ui_job_add(ui, "saving the draft", ui_postpone_job, p, ui_postpone_free);
		ui_view_pop(ui);
	} else if (strcmp(fn, "exit") == 0 || strcmp(fn, "quit") == 0)
		ui_confirm(ui, "Abort this message? (y/n) ", ui_compose_abort_done, c);
	else
		return false;
	ui_dirty(ui);
	return true;
}

static void
ui_compose_destroy(struct ui_view *v)
{
	struct ui_compose *c = ui_compose_of(v);

	/* Leaving while the server still answers: the send goes on, and
	 * its result is no longer shown. */
	net_worker_cancel(&c->worker);
	cmd_draft_destroy(&c->draft);
	free(c->edit_text);
	free(c);
}

static const struct ui_view_ops ui_compose_ops = {
	.map = "compose",
	.draw = ui_compose_draw,
	.key = ui_compose_key,
	.status = ui_compose_status,
	.destroy = ui_compose_destroy,
};

/* The compose screen for draft (taken), after a first edit. */
static void
ui_compose_show(struct ui *ui, struct cmd_draft *draft, bool edit)
{
	struct ui_compose *c = xcalloc(1, sizeof(*c));

	c->v.ops = &ui_compose_ops;
	c->v.ui = ui;
	c->draft = draft;
	ui_view_push(ui, &c->v);
	if (edit && ui_compose_edit(ui, c) < 0) {
		ui_view_pop(ui);
		ui_message(ui, "message not sent");
	}
}

/* ---- starting: a reply needs the original first ---- */

struct ui_compose_start {
	char kind[16];
	uint32_t uid;
	char *template;			/* a canned response to start from, or NULL */
};

static void
ui_compose_start_free(void *ctx)
{
	struct ui_compose_start *st = ctx;

	free(st->template);
	free(st);
}

static int
ui_compose_start_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_compose_start *st = ctx;
	struct buf raw;
	struct message *m;
	struct cmd_draft *d;
	char *warning = NULL;
	int r;

	buf_init(&raw, (size_t)IMAP_PARSER_LITERAL_MAX + 1);
	r = ui_session_fetch_message(ui, st->uid, &raw, error_r);
	if (r != 0) {
		buf_free(&raw);
		return r;
	}
	m = message_parse(buf_ptr(&raw), buf_len(&raw), conf_get(ui->conf, "charset-fallback"));
	if (strcmp(st->kind, "forward") == 0)
		d = cmd_draft_forward(ui->acct, m, &warning);
	else
		d = cmd_draft_reply(ui->acct, m, ui_session_folder(ui),
		    strcmp(st->kind, "group-reply") == 0, &warning);
	message_destroy(&m);
	buf_free(&raw);
	if (warning != NULL) {
		ui_error(ui, "%s", warning);
		free(warning);
	}
	/* A team folder's reply: the ticket in the subject, and the canned
	 * response asked for. */
	if (strcmp(st->kind, "forward") != 0) {
		const struct conf_team *team = cmd_team_of(ui->conf, ui->acct,
		    ui_session_folder(ui));

		if (team != NULL && st->template != NULL)
			ui_session_resync(ui);
		if (team != NULL && cmd_team_reply(ui_session_apply(ui), team,
		    ui_session_index(ui), st->uid,
		    st->template, d, &warning) != 0) {
			ui_error(ui, "%s", warning);
			free(warning);
		}
	}
	ui_compose_show(ui, d, true);
	return 0;
}

/* Whether the account can send; says why not. */
static bool
ui_compose_can_send(struct ui *ui)
{
	if (conf_account_server(ui->acct, CONF_PROTO_SMTP) != NULL)
		return true;
	ui_error(ui, "account '%s' has no smtp= server: tern cannot send from it",
	    conf_account_name(ui->acct));
	return false;
}

void
ui_compose_start(struct ui *ui, const char *kind, uint32_t uid)
{
	struct ui_compose_start *st;
	char *warning = NULL;

	if (!ui_compose_can_send(ui))
		return;
	if (strcmp(kind, "mail") == 0) {
		struct cmd_draft *d = cmd_draft_new(ui->acct, &warning);

		if (warning != NULL) {
			ui_error(ui, "%s", warning);
			free(warning);
		}
		ui_compose_show(ui, d, true);
		return;
	}
	st = xcalloc(1, sizeof(*st));
	snprintf(st->kind, sizeof(st->kind), "%s", kind);
	st->uid = uid;
	ui_job_add(ui, "fetching the message", ui_compose_start_job, st, ui_compose_start_free);
}

/* ---- canned responses (team folders) ---- */

struct ui_canned {
	uint32_t uid;
};

static void
ui_canned_done(struct ui *ui, const char *text, void *ctx)
{
	struct ui_canned *cn = ctx;
	struct ui_compose_start *st;

	if (text != NULL && text[0] != '\0') {
		st = xcalloc(1, sizeof(*st));
		snprintf(st->kind, sizeof(st->kind), "reply");
		st->uid = cn->uid;
		st->template = xstrdup(text);
		ui_job_add(ui, "fetching the message", ui_compose_start_job, st,
		    ui_compose_start_free);
	}
	free(cn);
}

/* Lists the team's templates (from the server when they live there),
 * then asks which. */
static int
ui_canned_list_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_canned *cn = ctx, *keep;
	const struct conf_team *team = cmd_team_of(ui->conf, ui->acct, ui_session_folder(ui));
	struct buf q;
	char **names = NULL, *error = NULL;
	size_t i;

	if (team == NULL)
		return 0;
	/* Templates kept in an IMAP folder are read there: the open folder
	 * is then synced (and watched) again. */
	ui_session_resync(ui);
	if (cmd_team_templates(ui_session_apply(ui), team, &names, &error) != 0) {
		if (ui_session_imap(ui) != NULL && !cmd_imap_alive(ui_session_imap(ui))) {
			*error_r = error;
			return -1;
		}
		ui_error(ui, "%s", error);
		free(error);
		return 0;
	}
	if (names[0] == NULL) {
		ui_error(ui, "team '%s' has no templates yet", conf_team_name(team));
		template_names_free(names);
		return 0;
	}
	buf_init(&q, 512);
	(void)buf_addstr(&q, "Canned response (");
	for (i = 0; names[i] != NULL && buf_len(&q) < 200; i++)
		(void)buf_printf(&q, "%s%s", i > 0 ? ", " : "", names[i]);
	(void)buf_addstr(&q, names[i] != NULL ? ", ...): " : "): ");
	(void)buf_addc(&q, '\0');
	keep = xcalloc(1, sizeof(*keep));
	keep->uid = cn->uid;
	ui_prompt(ui, buf_ptr(&q), NULL, ui_canned_done, keep);
	buf_free(&q);
	template_names_free(names);
	return 0;
}

void
ui_compose_canned(struct ui *ui, uint32_t uid)
{
	const struct conf_team *team = cmd_team_of(ui->conf, ui->acct, ui_session_folder(ui));
	struct ui_canned *cn;

	if (team == NULL) {
		ui_message(ui, "canned responses are for team folders (a team block names "
		    "this folder)");
		return;
	}
	if (!ui_compose_can_send(ui))
		return;
	cn = xcalloc(1, sizeof(*cn));
	cn->uid = uid;
	ui_job_add(ui, "reading the templates", ui_canned_list_job, cn, free);
}

/* ---- recalling a draft ---- */

struct ui_recall {
	struct ui_view v;
	char *wire, *display;
	struct index *idx;
	struct cmd_view view;
	size_t cursor;
};

static void
ui_recall_draw(struct ui_view *v, int top, int rows, int cols)
{
	struct ui_recall *r = (struct ui_recall *)v;
	size_t i, first = r->cursor >= (size_t)rows ? r->cursor - (size_t)rows + 1 : 0;

	for (i = first; i < r->view.n && (int)(i - first) < rows; i++) {
		const struct index_msg *m = index_at(r->idx, r->view.order[i]);
		char date[32], *line;

		ui_draw_date(v->ui->conf, cmd_view_date(m), date, sizeof(date));
		line = xasprintf("%-10s %-24.24s %s", date,
		    index_msg_str(r->idx, m, INDEX_STR_TO),
		    index_msg_str(r->idx, m, INDEX_STR_SUBJECT));
		ui_draw_text(top + (int)(i - first), 0, cols, line, ui_draw_attr(i == r->cursor ?
		    UI_COLOR_INDICATOR : UI_COLOR_NORMAL), true);
		free(line);
	}
}

static char *
ui_recall_status(struct ui_view *v)
{
	struct ui_recall *r = (struct ui_recall *)v;

	return xasprintf("tern: Drafts in %s (%zu)  Enter:Resume  q:Back", r->display,
	    r->view.n);
}

struct ui_recall_pick {
	char *display;
	uint32_t uid;
};

static void
ui_recall_pick_free(void *ctx)
{
	struct ui_recall_pick *p = ctx;

	free(p->display);
	free(p);
}

static int
ui_recall_pick_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_recall_pick *p = ctx;
	struct cmd_draft *d;
	struct buf raw;
	int r;

	if ((r = ui_session_select(ui, p->display, error_r)) != 0)
		return r;
	buf_init(&raw, (size_t)IMAP_PARSER_LITERAL_MAX + 1);
	r = ui_session_fetch_message(ui, p->uid, &raw, error_r);
	ui_session_resync(ui);
	if (r != 0) {
		buf_free(&raw);
		return r;
	}
	r = cmd_draft_from_message(buf_ptr(&raw), buf_len(&raw), &d, error_r);
	buf_free(&raw);
	if (r != 0)
		return 1;
	ui_compose_show(ui, d, true);
	return 0;
}

static bool
ui_recall_key(struct ui_view *v, const char *fn, int key, wint_t ch)
{
	struct ui_recall *r = (struct ui_recall *)v;
	struct ui *ui = v->ui;

	(void)key;
	(void)ch;
	if (fn == NULL)
		return false;
	if (strcmp(fn, "next-entry") == 0 && r->cursor + 1 < r->view.n)
		r->cursor++;
	else if (strcmp(fn, "previous-entry") == 0 && r->cursor > 0)
		r->cursor--;
	else if (strcmp(fn, "display-message") == 0 || strcmp(fn, "select-entry") == 0) {
		struct ui_recall_pick *p;

		if (r->view.n == 0)
			return true;
		p = xcalloc(1, sizeof(*p));
		p->display = xstrdup(r->display);
		p->uid = index_at(r->idx, r->view.order[r->cursor])->uid;
		ui_view_pop(ui);
		ui_job_add(ui, "fetching the draft", ui_recall_pick_job, p, ui_recall_pick_free);
		return true;
	} else if (strcmp(fn, "next-entry") != 0 && strcmp(fn, "previous-entry") != 0)
		return false;
	ui_dirty(ui);
	return true;
}

static void
ui_recall_destroy(struct ui_view *v)
{
	struct ui_recall *r = (struct ui_recall *)v;

	cmd_view_free(&r->view);
	index_destroy(&r->idx);
	free(r->wire);
	free(r->display);
	free(r);
}

static const struct ui_view_ops ui_recall_ops = {
	.map = "index",
	.draw = ui_recall_draw,
	.key = ui_recall_key,
	.status = ui_recall_status,
	.destroy = ui_recall_destroy,
};

static int
ui_recall_job(struct ui *ui, void *ctx, char **error_r)
{
	struct ui_recall *r = xcalloc(1, sizeof(*r));
	struct sync_stats stats;
	int rc;

	(void)ctx;
	if (cmd_folders_special(ui_session_imap(ui), ui_session_cache(ui), ui->acct,
	    CMD_FOLDER_DRAFTS, &r->wire, &r->display, error_r) != 0) {
		free(r);
		return cmd_imap_alive(ui_session_imap(ui)) ? 1 : -1;
	}
	rc = cmd_sync_folder(ui_session_imap(ui), ui_session_cache(ui), ui->conf, r->wire, false,
	    &r->idx, &stats, error_r);
	ui_session_resync(ui);
	if (rc != 0) {
		bool alive = cmd_imap_alive(ui_session_imap(ui));

		free(r->wire);
		free(r->display);
		free(r);
		if (alive) {
			ui_error(ui, "no drafts to resume (%s)", *error_r);
			free(*error_r);
			*error_r = NULL;
			return 0;
		}
		return -1;
	}
	if (index_count(r->idx) == 0 ||
	    cmd_view_build(r->idx, CMD_SORT_DATE, true, false, &r->view) != 0) {
		ui_message(ui, "no drafts to resume in %s", r->display);
		index_destroy(&r->idx);
		free(r->wire);
		free(r->display);
		free(r);
		return 0;
	}
	r->v.ops = &ui_recall_ops;
	r->v.ui = ui;
	ui_view_push(ui, &r->v);
	return 0;
}

void
ui_compose_recall(struct ui *ui)
{
	if (ui_session_pop3(ui)) {
		ui_message(ui, "drafts are kept on an IMAP server; this POP3 account has none");
		return;
	}
	ui_job_add(ui, "listing drafts", ui_recall_job, NULL, NULL);
}
