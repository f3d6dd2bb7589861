/* RFC 5322 message headers as views into one message buffer, address
 * lists (§3.4) and Message-ID lists (§3.6.4).
 *
 * Convention: constructors return a new object that the caller releases
 * with the matching destroy(**), which NULLs the pointer; they never
 * fail on bad input (mail is parsed best effort, with the limits below
 * and a defined behaviour past them). Functions filling a buf return 0,
 * or -1 when its maximum was reached (what fit is kept). Lookups return
 * NULL when nothing matches.
 *
 * Tolerated: a UTF-8 byte order mark, LF-only line ends, spaces before the colon, an mbox "From "
 * line, 8-bit and NUL bytes in values, a line without a colon among
 * fields (skipped when a field follows it and it does not start with
 * "--"), a missing blank line (else that line starts the body), no body at all. */
#ifndef TERN_MIME_RFC5322_H
#define TERN_MIME_RFC5322_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* Fields past this count are not indexed (the body is still found). */
#define RFC5322_FIELDS_MAX 1000
/* A field value longer than this is cut to it. */
#define RFC5322_FIELD_MAX (64 * 1024)
/* Addresses and Message-IDs kept per list; the rest are dropped. */
#define RFC5322_ADDRS_MAX 1000
#define RFC5322_MSGIDS_MAX 1000
/* Longest Message-ID kept. */
#define RFC5322_MSGID_MAX 998

struct rfc5322_field {
	const char *name;	/* not NUL-terminated; spaces before ':' trimmed */
	size_t name_len;
	const char *value;	/* raw and folded, after the colon */
	size_t value_len;
};

struct rfc5322_header;

struct rfc5322_header *rfc5322_header_create(const char *msg, size_t len);
void rfc5322_header_destroy(struct rfc5322_header **hdr);

size_t rfc5322_header_count(const struct rfc5322_header *hdr);
const struct rfc5322_field *rfc5322_header_field(const struct rfc5322_header *hdr,
    size_t idx);
/* First field named name (ASCII case-insensitive), or NULL. */
const struct rfc5322_field *rfc5322_header_find(const struct rfc5322_header *hdr,
    const char *name);
/* Next field named name after index *idx (start with *idx = 0 to find
 * the first; *idx is then one past the match). */
const struct rfc5322_field *rfc5322_header_find_next(const struct rfc5322_header *hdr,
    const char *name, size_t *idx);
/* Offset of the body in the message (the message length when none). */
size_t rfc5322_header_body_offset(const struct rfc5322_header *hdr);
/* True when fields or values were cut by the limits above, or a stray
 * line was skipped. */
bool rfc5322_header_truncated(const struct rfc5322_header *hdr);

/* Unfolds a raw value (RFC 5322 §2.2.3: CRLF before whitespace removed)
 * and trims surrounding whitespace. */
int rfc5322_unfold(const char *value, size_t len, struct buf *out);
/* The first field named name, unfolded and RFC 2047 decoded to UTF-8;
 * returns 1 when there is no such field (out untouched), else 0 / -1. */
int rfc5322_header_get_text(const struct rfc5322_header *hdr, const char *name,
    const char *fallback, struct buf *out);

struct rfc5322_addr {
	char *name;		/* UTF-8 display name, or NULL */
	char *addr;		/* addr-spec as written (may be ""; never NULL) */
};

struct rfc5322_addr_list {
	struct rfc5322_addr *addrs;
	size_t count;
};

/* Parses an address-list value (folded or not). Groups are flattened
 * ("undisclosed-recipients:;" gives none); a comment is the name when
 * there is no display name; encoded words are decoded, also inside
 * quoted strings; unbalanced quotes, brackets and parentheses run to the
 * end of the value. */
struct rfc5322_addr_list *rfc5322_addr_parse(const char *value, size_t len,
    const char *fallback);
void rfc5322_addr_list_destroy(struct rfc5322_addr_list **list);
/* Whether addr (an addr-spec as parsed) can go into outgoing mail and
 * between the angle brackets of an SMTP command: text, an '@', text, no
 * whitespace, control characters or angle brackets. */
bool rfc5322_addr_sendable(const char *addr);

struct rfc5322_msgid_list {
	char **ids;		/* each "<...>", whitespace removed */
	size_t count;
};

/* Extracts the Message-IDs of a References / In-Reply-To / Message-ID
 * value in order. Without angle brackets, words holding an '@' are taken
 * (and given brackets). */
struct rfc5322_msgid_list *rfc5322_msgid_parse(const char *value, size_t len);
void rfc5322_msgid_list_destroy(struct rfc5322_msgid_list **list);

#endif
