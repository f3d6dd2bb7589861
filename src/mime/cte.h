/* Content-Transfer-Encoding decoders (RFC 2045 §6), lenient as mail
 * needs: base64 skips garbage and missing padding, quoted-printable keeps
 * bad escapes literally, unknown encodings pass through unchanged.
 *
 * Convention: decoders append to a bounded buf and return 0, or -1 when
 * the buffer's maximum was reached (what fit is kept). Bad input never
 * fails. */
#ifndef TERN_MIME_CTE_H
#define TERN_MIME_CTE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

enum cte {
	CTE_7BIT,
	CTE_8BIT,
	CTE_BINARY,
	CTE_QUOTED_PRINTABLE,
	CTE_BASE64,
	CTE_UNKNOWN,		/* decoded as is */
};

/* A Content-Transfer-Encoding header value (comments and case ignored);
 * a missing value (NULL) is 7bit (RFC 2045 §6.1). */
enum cte cte_parse(const char *value, size_t len);
const char *cte_name(enum cte cte);

int cte_base64_decode(const char *src, size_t len, struct buf *out);
/* header: RFC 2047 §4.2 "Q" rules ('_' is a space, no soft breaks). */
int cte_qp_decode(const char *src, size_t len, bool header, struct buf *out);
int cte_decode(enum cte cte, const char *src, size_t len, struct buf *out);

/* Encoders for outgoing mail (same return convention). Base64 of len
 * bytes, in lines of line_max characters ended by CRLF (line_max 0: one
 * line and no line end, as an encoded word wants; else a multiple of 4). */
int cte_base64_encode(const void *src, size_t len, size_t line_max, struct buf *out);
/* Quoted-printable (RFC 2045 §6.7) of text whose lines end in LF or
 * CRLF: output lines end in CRLF and are at most 76 characters, with soft
 * breaks; 8-bit bytes, '=', control characters, whitespace before a line
 * end and the 'F' of a line starting "From " are escaped. */
int cte_qp_encode(const char *src, size_t len, struct buf *out);

/* An upper bound of the decoded size, from the encoded size alone. */
size_t cte_decoded_size_estimate(enum cte cte, size_t len);

#endif
