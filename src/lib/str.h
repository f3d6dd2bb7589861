/* Small bounded string helpers (instead of sscanf, atoi and friends).
 *
 * Convention: predicates return true/false; parsers return 0 on success
 * and -1 on malformed or out-of-range input, leaving the output alone. */
#ifndef TERN_STR_H
#define TERN_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* ASCII-only case-insensitive comparisons (locale-independent). */
int str_casecmp(const char *a, const char *b);
bool str_caseeq(const char *a, const char *b);
/* Whether the first n bytes of a and b are equal but for ASCII case (a
 * NUL in either ends the comparison as a mismatch, unless both end). */
bool str_ncaseeq(const char *a, const char *b, size_t n);

/* Parses a whole string of decimal digits (no sign, no spaces) that is at
 * most max. */
int str_to_u64(const char *s, uint64_t max, uint64_t *value_r);

/* The value of one hexadecimal digit (either case), or -1. */
int str_hexval(char c);
/* The value of one base64 digit, or -1; c62 and c63 are the alphabet's
 * last two digits ('+' '/' for MIME, '+' ',' for IMAP's modified UTF-7). */
int str_base64_value(unsigned char c, char c62, char c63);

/* Writes code point cp (at most U+10FFFF) as UTF-8 into out; returns the
 * number of bytes, 1 to 4. */
size_t str_utf8_encode(uint32_t cp, char out[4]);
/* Reads one well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF) from the len bytes at s. Returns its
 * length, 1 to 4, with the code point in *cp_r; 0 when none starts there
 * (or len is 0). */
size_t str_utf8_decode(const void *s, size_t len, uint32_t *cp_r);
/* Whether len bytes of s are valid UTF-8 without control characters
 * (C0, DEL, C1): one line that is safe to show and to store. */
bool str_utf8_printable(const char *s, size_t len);

/* Damerau-Levenshtein distance (adjacent transpositions count as one),
 * ASCII case-insensitive; used for "did you mean" suggestions. Returns
 * SIZE_MAX for inputs over 64 bytes. */
size_t str_edit_distance(const char *a, const char *b);

/* Appends to dst (size dstsize) a printable rendering of len bytes of s:
 * control characters and bytes >= 0x7f become \xNN, so text from a file
 * or a server can be shown in a message safely. Output is truncated to
 * fit and always NUL-terminated. */
void str_escape_for_message(char *dst, size_t dstsize, const char *s, size_t len);

#endif
