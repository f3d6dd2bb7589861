/* Conversion of mail text in any declared charset to UTF-8.
 *
 * Convention: conversion functions return 0 on success and -1 when the
 * output buffer's maximum was reached; what fit is kept (cut on a UTF-8
 * character boundary). Bad input never fails: invalid or unconvertible
 * bytes become U+FFFD and the conversion goes on. Predicates return
 * true/false.
 *
 * Charset labels are matched case-insensitively, with surrounding quotes
 * and whitespace and an RFC 2231 language suffix ("utf-8*en") removed; the
 * aliases real mailers use are mapped to what iconv knows. An unknown or
 * missing label falls back to the caller's fallback charset (NULL means
 * CHARSET_FALLBACK_DEFAULT). Text labelled us-ascii or unknown-8bit that
 * holds 8-bit bytes is taken as UTF-8 when it is valid UTF-8, or mostly
 * so (a few bad bytes among many good sequences, as when a mailer cut a
 * name inside a character: the bad bytes become U+FFFD), else in the
 * fallback charset.
 *
 * iconv handles are cached in a small static table (CHARSET_CACHE_SIZE),
 * so these functions are not thread-safe; charset_cache_clear() closes
 * them. */
#ifndef TERN_MIME_CHARSET_H
#define TERN_MIME_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

#define CHARSET_FALLBACK_DEFAULT "windows-1252"
/* Labels longer than this are unknown. */
#define CHARSET_NAME_MAX 64
#define CHARSET_CACHE_SIZE 8

/* Writes the canonical (iconv) name for a label into name_r (size at
 * least CHARSET_NAME_MAX + 1). Returns true when the label is one iconv
 * can convert from, false (name_r empty) otherwise. */
bool charset_lookup(const char *label, size_t len, char *name_r);

/* Converts len bytes of src, labelled charset (charset_len bytes; NULL
 * or empty for "not declared"), to UTF-8 appended to out. */
int charset_to_utf8(const char *charset, size_t charset_len, const char *src,
    size_t len, const char *fallback, struct buf *out);

/* Appends src with every invalid UTF-8 sequence replaced by U+FFFD. */
int charset_utf8_sanitize(const char *src, size_t len, struct buf *out);

/* Is src valid UTF-8 (no overlongs, surrogates or values past U+10FFFF)? */
bool charset_utf8_valid(const char *src, size_t len);
bool charset_is_ascii(const char *src, size_t len);

/* Appends as much of src as fits in out, cut on a UTF-8 boundary; 0 when
 * all of it fit, -1 otherwise. */
int charset_add_bounded(struct buf *out, const char *src, size_t len);

void charset_cache_clear(void);

#endif
