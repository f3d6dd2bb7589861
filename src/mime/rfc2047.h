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

#include <stdbool.h>
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

/* Encodes len bytes of UTF-8 header text for an outgoing header whose
 * line already holds col characters, appending the value folded so that
 * lines stay within 78 characters (folds are CRLF and a space). Text that
 * needs no encoding (printable ASCII, no "=?", no word over 70
 * characters) is only folded at its spaces; otherwise the part from the
 * first word that needs it on becomes UTF-8 encoded words, B or Q
 * whichever is shorter, each at most 75 characters and never splitting a
 * UTF-8 character. With phrase (a display name), all of the text is
 * encoded when any of it must be, and Q uses only the characters RFC 2047
 * §5(3) allows in a phrase. */
int rfc2047_encode(const char *text, size_t len, size_t col, bool phrase, struct buf *out);
/* Whether text has a byte outside printable ASCII (then a header needs
 * rfc2047_encode). */
bool rfc2047_needs_encoding(const char *text, size_t len);

#endif
