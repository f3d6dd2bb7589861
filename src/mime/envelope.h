/* What the index shows and queries need from a message's header block:
 * BODY.PEEK[HEADER.FIELDS (ENVELOPE_FIELDS)] in, decoded UTF-8 fields
 * out. Pure, bounded (each field capped at ENVELOPE_FIELD_MAX bytes), and
 * total: any input gives an envelope, with absent fields empty.
 *
 * Decoding follows --render: RFC 2047 words decoded, charsets converted,
 * invalid UTF-8 replaced by U+FFFD, controls kept out (safe-text's header
 * rules), the subject unfolded. */
#ifndef TERN_MIME_ENVELOPE_H
#define TERN_MIME_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The header fields to fetch, as IMAP's HEADER.FIELDS list wants them. */
#define ENVELOPE_FIELDS "DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES " \
	"CONTENT-TYPE LIST-ID"
#define ENVELOPE_FIELD_MAX 4096

struct envelope {
	char *subject;		/* "" when absent */
	/* Address lists: "Name <addr>" or "addr", separated by "\n"; group
	 * syntax flattened; "" when absent. */
	char *from, *to, *cc;
	char *message_id;	/* "<id>" or "" */
	char *in_reply_to;	/* the first "<id>" or "" */
	char *references;	/* "<a> <b> ...", or "" */
	char *list_id;		/* "Name <list.example.org>" (List-Id as a
				 * whole, decoded) or "" */
	int64_t date;		/* seconds since the epoch, or ENVELOPE_NO_DATE */
	bool has_attachment;	/* multipart/mixed, or a non-text single part */
};

#define ENVELOPE_NO_DATE INT64_MIN

/* fallback: the charset assumed for undeclared 8-bit text (the mailrc's
 * charset-fallback), or NULL for windows-1252. */
void envelope_parse(const char *header, size_t len, const char *fallback,
    struct envelope *env_r);
void envelope_free(struct envelope *env);

#endif
