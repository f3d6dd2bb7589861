/* Composing mail: the draft a user edits (new, reply, reply to all,
 * forward), its mutt-style editor text and back, the RFC 5322 / MIME
 * message it becomes, its envelope recipients, and a stored draft (from
 * the Drafts folder) read back into a draft. Pure but for reading the
 * signature file and the attachments.
 *
 * Conventions: functions returning int give 0, or -1 with *error_r set
 * to one sentence (free() it). Constructors never fail and return a
 * draft the caller releases with cmd_draft_destroy(&d), which NULLs the
 * pointer. Strings are UTF-8, NUL-terminated, never NULL in a draft
 * returned here except where a field says "or NULL". */
#ifndef TERN_CMD_COMPOSE_H
#define TERN_CMD_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct conf;
struct conf_account;
struct message;

/* Limits: editor text and a stored draft longer than this are refused;
 * so is an attachment larger than CMD_DRAFT_ATTACH_MAX, or more than
 * CMD_DRAFT_ATTACHMENTS_MAX of them; the built message is bounded by
 * CMD_DRAFT_MESSAGE_MAX. References keep the first id and the most
 * recent ones, CMD_DRAFT_REFERENCES_MAX in all. */
#define CMD_DRAFT_TEXT_MAX (16u * 1024 * 1024)
#define CMD_DRAFT_ATTACH_MAX (25u * 1024 * 1024)
#define CMD_DRAFT_ATTACHMENTS_MAX 100
#define CMD_DRAFT_MESSAGE_MAX (64u * 1024 * 1024)
#define CMD_DRAFT_REFERENCES_MAX 20
/* A header line of the editor text longer than this is an error. */
#define CMD_DRAFT_LINE_MAX 8192

struct cmd_draft {
	/* Header text as the user writes it ("Ann <a@x>, b@y"); "" when
	 * empty. */
	char *from, *to, *cc, *bcc, *subject, *reply_to;
	char *in_reply_to;	/* "<id>" of the message answered, or NULL */
	char *references;	/* "<a> <b> ...", or NULL */
	char *body;		/* the text, LF line ends */
	char **attachments;	/* file paths */
	size_t nattachments;
	char *reply_folder;	/* folder of the message answered, or NULL */
	char *old_draft;	/* Message-ID of the stored draft this one
				 * replaces, or NULL */
	char *message_id;	/* "<random@domain of from>", chosen once */
	bool auto_replied;	/* sent by a program: Auto-Submitted: auto-replied */
};

/* A new message from the account (from=, reply-to=), with the signature=
 * file appended ("-- \n" and its contents). When the signature cannot be
 * read, *warning_r says why (free() it), else it is NULL. */
struct cmd_draft *cmd_draft_new(const struct conf_account *acct, char **warning_r);
/* A reply to orig, found in folder (may be NULL): To the Reply-To, else
 * the From; with all, also every To and Cc but the account's own
 * addresses (from=, alternates=). Subject "Re: " unless it already is a
 * reply; In-Reply-To and References chained; the body quotes orig's text
 * after "On DATE, NAME wrote:". */
struct cmd_draft *cmd_draft_reply(const struct conf_account *acct, const struct message *orig,
    const char *folder, bool all, char **warning_r);
/* A forward of orig: Subject "Fwd: ", the body a "Forwarded message"
 * block with orig's From, Date, Subject, To and text. orig's attachments
 * are not attached again. */
struct cmd_draft *cmd_draft_forward(const struct conf_account *acct, const struct message *orig,
    char **warning_r);
void cmd_draft_destroy(struct cmd_draft **draft);

/* Appends a file path to the attachments. */
int cmd_draft_attach(struct cmd_draft *draft, const char *path, char **error_r);

/* The editor text: From, To, Cc, Bcc, Subject lines, Reply-To when set,
 * one Attach line per attachment, a blank line, the body. */
void cmd_draft_to_editor(const struct cmd_draft *draft, struct buf *out);
/* Reads the editor text back into draft (LF or CRLF lines). From, To,
 * Cc, Bcc, Subject, Reply-To and the attachments (Attach lines) become
 * what the text says (absent: empty); In-Reply-To and References lines
 * are taken when present. Header names are case-insensitive; lines
 * starting with a space or tab continue the one before; To, Cc, Bcc and
 * Attach may repeat. An unknown header, a line that is not a header
 * before the blank line, a repeated From, Subject or Reply-To, a header
 * line over CMD_DRAFT_LINE_MAX, text that is not UTF-8: "line N: ..."
 * errors, and the draft is left as it was. */
int cmd_draft_from_editor(struct cmd_draft *draft, const char *text, size_t len,
    char **error_r);

/* The message to send, CRLF line ends, into out (emptied first): Date,
 * From (the account's from= when the draft has none), To, Cc, Reply-To,
 * Subject, Message-ID, In-Reply-To, References, MIME-Version,
 * User-Agent; no Bcc. Non-ASCII names and subjects are RFC 2047
 * encoded; the text is text/plain (utf-8, or us-ascii when it is),
 * quoted-printable when it has 8-bit bytes or long lines; attachments
 * make it multipart/mixed with base64 parts. Fails for an unreadable
 * attachment (naming it), no From, a message over the limit. */
int cmd_draft_build(const struct cmd_draft *draft, const struct conf *conf,
    const struct conf_account *acct, struct buf *out, char **error_r);
/* The same for the Drafts folder: Bcc kept, and X-Tern-Reply-Folder and
 * X-Tern-Attach (the paths) so cmd_draft_from_message gets them back. */
int cmd_draft_build_postponed(const struct cmd_draft *draft, const struct conf *conf,
    const struct conf_account *acct, struct buf *out, char **error_r);

/* The bare addresses of To, Cc and Bcc, each once (ASCII case ignored),
 * in a NULL-terminated array (free each, then the array; or
 * cmd_draft_recipients_free). Fails with "no recipients", or naming an
 * entry that is not an address. */
int cmd_draft_recipients(const struct cmd_draft *draft, char ***rcpts_r, char **error_r);
void cmd_draft_recipients_free(char ***rcpts);
/* The bare address of the draft's From (else the account's from=), or
 * NULL with *error_r. A new string. */
char *cmd_draft_sender(const struct cmd_draft *draft, const struct conf_account *acct,
    char **error_r);

/* A stored draft (len bytes of msg) back into a draft: decoded headers,
 * the readable text as the body, X-Tern-Reply-Folder and X-Tern-Attach
 * back; its Message-ID becomes old_draft (it is replaced when the new
 * one is saved or sent) and the draft gets a new Message-ID. */
int cmd_draft_from_message(const char *msg, size_t len, struct cmd_draft **draft_r,
    char **error_r);

#endif
