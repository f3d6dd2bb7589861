/* Writing JSON for scripts (PRODUCT.md, "JSON output"): strings are valid
 * UTF-8 whatever the input (bad bytes become U+FFFD) and control
 * characters are escaped as JSON requires.
 *
 * Convention: functions return 0, or -1 when the buffer's maximum was
 * reached (the output is then incomplete). */
#ifndef TERN_JSON_H
#define TERN_JSON_H

#include <stddef.h>

struct buf;

/* Appends len bytes of s as a quoted JSON string. */
int json_add_string(struct buf *b, const char *s, size_t len);
/* Appends s (NUL-terminated) as a string, or null when s is NULL. */
int json_add_cstring(struct buf *b, const char *s);

#endif
