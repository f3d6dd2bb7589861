/* One message seen whole: the fields a reader, a script and the index
 * need (PRODUCT.md, "JSON output"), decoded to UTF-8, with the readable
 * body chosen and the attachments listed. Pure: no I/O, and what it
 * keeps is bounded.
 *
 * Conventions: message_parse() never fails on bad input (absent or
 * hopeless fields are NULL or empty); message_destroy(&m) NULLs the
 * caller's pointer. Strings are UTF-8 but not yet terminal-safe: pass
 * them through safe-text before they reach a screen. */
#ifndef TERN_MIME_MESSAGE_H
#define TERN_MIME_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mime/rfc5322.h"

/* The readable text kept for one message. */
#define MESSAGE_TEXT_MAX (16u * 1024 * 1024)
/* Attachments listed for one message (the MIME walk allows 1000 parts). */
#define MESSAGE_ATTACHMENTS_MAX 1000

struct message_attachment {
	char *filename;		/* sanitised basename, or NULL */
	char *type;		/* "image/png" */
	size_t size;		/* decoded size in bytes */
	char path[160];		/* IMAP part number, "2.1" */
};

struct message {
	struct rfc5322_header *header;	/* the top-level fields */
	char *subject;			/* NULL when there is no Subject: */
	struct rfc5322_addr_list *from, *to, *cc;	/* never NULL */
	bool has_date;
	time_t date;			/* UTC */
	char *message_id;		/* "<id>", or NULL */
	char *in_reply_to;		/* the first id of In-Reply-To, or NULL */
	struct rfc5322_msgid_list *references;	/* never NULL */
	char *text;			/* the readable body, NUL-terminated */
	size_t text_len;
	char *html;			/* the body when it is one HTML part with no
					 * text/plain alternative (text then holds the
					 * built-in conversion), else NULL */
	size_t html_len;
	bool text_truncated;		/* MESSAGE_TEXT_MAX was reached */
	struct message_attachment *attachments;
	size_t nattachments;
};

/* Parses len bytes of msg, which must outlive the result. fallback is
 * the charset for undeclared 8-bit text (NULL: windows-1252). */
struct message *message_parse(const char *msg, size_t len, const char *fallback);
void message_destroy(struct message **m);

#endif
