/* Mailbox names on the wire: IMAP's modified UTF-7 (RFC 3501 §5.1.3),
 * pure functions. Servers send names in it unless UTF8=ACCEPT is enabled;
 * tern keeps the wire form to talk to the server and shows the decoded
 * form to people.
 *
 * Conventions: the result is a new NUL-terminated string (free() it). */
#ifndef TERN_IMAP_UTF7_H
#define TERN_IMAP_UTF7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire form to UTF-8. Returns NULL when name is not valid modified UTF-7
 * (bad base64, an unterminated "&...", an encoded printable ASCII
 * character or NUL, broken surrogates, bits left over, two adjacent
 * "&...-" runs, 8-bit bytes or raw control characters): callers then
 * show the name as it is, made safe. The decoder accepts exactly what
 * imap_utf7_encode() produces, so decoding then encoding gives back the
 * same bytes. len is the length of name (it may hold NULs, which are
 * invalid). */
char *imap_utf7_decode(const char *name, size_t len);
/* UTF-8 to wire form. Returns NULL when name is not valid UTF-8. */
char *imap_utf7_encode(const char *name);

/* The same encoding with another set of characters that stand for
 * themselves (direct(c) true; it must hold for "&" and fail for NUL and
 * every non-ASCII character): labels stored as IMAP keywords use atom
 * characters only (rules/keyword.h). Decoding is as strict as above:
 * only what the encoder writes for that set. */
typedef bool imap_utf7_direct_fn(uint32_t c);
char *imap_utf7_encode_as(const char *name, imap_utf7_direct_fn *direct);
char *imap_utf7_decode_as(const char *name, size_t len, imap_utf7_direct_fn *direct);
/* True when imap_utf7_decode() would succeed (such a name is always
 * 7-bit, so it needs no literal and is what a server following RFC 3501
 * sends). */
bool imap_utf7_valid(const char *name, size_t len);

#endif
