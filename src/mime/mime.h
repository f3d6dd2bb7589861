/* The MIME tree of a message (RFC 2045, RFC 2046), walked with a visitor
 * that sees each part as views into the message buffer.
 *
 * Convention: mime_walk() returns 0 when the whole tree was walked, 1
 * when the visitor stopped it, and -1 when a limit below cut the walk
 * short (parts were skipped). It never fails on bad input. Functions
 * filling a buf return 0, or -1 when its maximum was reached (what fit
 * is kept).
 *
 * Everything a struct mime_part points to is valid only during the
 * visitor call (a message/rfc822 body sent base64-encoded is walked in a
 * decoded copy): copy what must outlive it.
 *
 * Part paths follow IMAP (RFC 3501 §6.4.5): the message is "" (depth 0);
 * the parts of a multipart are "1", "2", ... and "1.1" below; the
 * message inside a message/rfc822 part is visited with its part's path
 * and depth + 1, so its own parts are numbered "2.1", "2.2" as in IMAP.
 *
 * Deliberate departures, for mail in the wild: a multipart without a
 * boundary, or whose boundary never occurs, is one text/plain part; a
 * missing close delimiter ends the last part at the end of the body; an
 * invalid or missing Content-Type is text/plain; charset=us-ascii (RFC
 * 2045 §5.2), but message/rfc822 inside multipart/digest (RFC 2046
 * §5.1.5). */
#ifndef TERN_MIME_MIME_H
#define TERN_MIME_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "mime/cte.h"

struct buf;
struct rfc2231_value;
struct rfc5322_header;

#define MIME_DEPTH_MAX 32
#define MIME_PARTS_MAX 1000
/* RFC 2046 §5.1.1 says 70; some mailers go past it. */
#define MIME_BOUNDARY_MAX 200
#define MIME_PATH_MAX (MIME_DEPTH_MAX * 5)

enum mime_visit {
	MIME_CONTINUE,
	MIME_SKIP,		/* do not walk this part's children */
	MIME_STOP,
};

struct mime_part {
	unsigned depth;
	char path[MIME_PATH_MAX];
	const struct rfc5322_header *header;
	const char *type;		/* "text/plain", lowercased */
	const struct rfc2231_value *content_type;	/* its parameters */
	const char *charset;		/* NULL for non-text parts */
	const char *disposition;	/* "attachment", "inline" or NULL */
	const struct rfc2231_value *content_disposition;	/* or NULL */
	const char *filename;		/* sanitised, or NULL */
	enum cte cte;
	const char *body;		/* raw (still encoded) */
	size_t body_len;
	size_t decoded_size;		/* upper bound of the decoded size */
	bool multipart;			/* has children (is a container) */
	bool message;			/* message/rfc822 or message/global */
};

typedef enum mime_visit mime_visit_fn(const struct mime_part *part, void *ctx);

/* fallback: charset for raw 8-bit header text (NULL for the default). */
int mime_walk(const char *msg, size_t len, const char *fallback,
    mime_visit_fn *visit, void *ctx);

/* The part's body with its Content-Transfer-Encoding undone. */
int mime_part_decode(const struct mime_part *part, struct buf *out);
/* The part's body decoded and converted to UTF-8. Output is bounded by
 * out's maximum whatever the input (decoding never expands). */
int mime_part_text(const struct mime_part *part, const char *fallback,
    struct buf *out);

#endif
