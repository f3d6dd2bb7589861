/* Making text from mail safe and measurable for a terminal: no byte of it
 * may reach the screen as a control sequence (PRODUCT.md).
 *
 * What is replaced, and by what (one choice, used everywhere):
 * - invalid UTF-8 (overlongs, surrogates, over U+10FFFF, truncated or
 *   stray bytes, including raw C1 bytes 0x80-0x9F) becomes U+FFFD, one
 *   per maximal ill-formed subpart (Unicode 15, section 3.9);
 * - C0 controls become their Unicode "control pictures" (ESC shows as
 *   U+241B, NUL as U+2400) and DEL becomes U+2421, except that bodies
 *   keep TAB and LF (CRLF becomes LF, a lone CR shows as U+240D) and
 *   headers turn TAB, CR, LF and CRLF into one space;
 * - C1 controls (U+0080-U+009F), bidi controls, invisible format
 *   characters, line and paragraph separators and tag characters become
 *   ASCII text like "<U+202E>"; U+200D (ZWJ) is kept between two emoji,
 *   where it joins a sequence; U+00AD (soft hyphen) is replaced in headers
 *   only. Variation selectors are legitimate and kept.
 *
 * Each call stands alone: give it a whole unit (a header value, a body),
 * since a CRLF or a UTF-8 sequence split between two calls is rendered
 * as a placeholder.
 *
 * Convention: safe_text_append() returns 0, or -1 when the output buffer
 * reached its maximum (the output then ends at a character boundary);
 * measuring functions return a count and cannot fail. */
#ifndef TERN_MIME_SAFE_TEXT_H
#define TERN_MIME_SAFE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

enum safe_text_mode {
	SAFE_TEXT_HEADER,	/* one line: no TAB, CR or LF survive */
	SAFE_TEXT_BODY,		/* lines: TAB and LF survive */
};

/* Appends the safe form of len bytes of s (claimed UTF-8) to out. */
int safe_text_append(struct buf *out, const char *s, size_t len, enum safe_text_mode mode);

/* Text from elsewhere (a server's reply, a folder name) for a one-line
 * message: the header-mode safe form of len bytes of s, cut at a
 * character boundary within max bytes. A new string (free() it). */
char *safe_text_line(const char *s, size_t len, size_t max);

/* True when code point cp must never be written as itself in mode
 * (ZWJ is reported forbidden here; only its use inside emoji is kept). */
bool safe_text_forbidden(uint32_t cp, enum safe_text_mode mode);

/* Display columns of len bytes of UTF-8, as wcwidth() counts them when
 * the C library has a UTF-8 locale, else from a built-in table: wide
 * (CJK, most emoji) 2, combining marks 0, others 1; TAB advances to the
 * next multiple of 8, other controls count 0, an invalid byte counts 1
 * (it prints as U+FFFD). */
size_t safe_text_width(const char *s, size_t len);

/* The length in bytes of the longest prefix of s (len bytes) whose width
 * is at most cols, never splitting a character or a base character from
 * the combining marks after it; its width goes to *width_r (may be
 * NULL). */
size_t safe_text_truncate_cols(const char *s, size_t len, size_t cols, size_t *width_r);

/* Decodes one character of UTF-8 strictly (RFC 3629) from s (len > 0):
 * stores it in *cp_r and returns its length, or stores U+FFFD and
 * returns the length of the ill-formed subpart to skip (at least 1). */
size_t safe_text_decode(const char *s, size_t len, uint32_t *cp_r);

#endif
