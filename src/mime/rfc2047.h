/* RFC 2047 encoded words ("=?charset?B?...?=") in header text, decoded
 * to UTF-8.
 *
 * Convention: returns 0, or -1 when out's maximum was reached (what fit
 * is kept). Bad input never fails: a broken encoded word (unknown
 * encoding, missing "?=", bad characters in base64) is left as it came,
 * an unknown charset is read like raw 8-bit text, and raw 8-bit text is
 * taken as UTF-8 when valid (or mostly so, see charset.h), else in the
 * fallback charset (NULL means CHARSET_FALLBACK_DEFAULT). */
#ifndef TERN_MIME_RFC2047_H
#define TERN_MIME_RFC2047_H

#include <stddef.h>

struct buf;

/* Longest encoded word considered; longer ones are left as text. */
#define RFC2047_WORD_MAX 4096

/* Decodes len bytes of header text (unfolded or not: CR and LF count as
 * whitespace) into out. Whitespace between adjacent encoded words is
 * dropped (RFC 2047 §6.2), and the bytes of adjacent words in the same
 * charset are joined before conversion, so a character split across two
 * words comes out whole. */
int rfc2047_decode(const char *src, size_t len, const char *fallback,
    struct buf *out);

#endif
