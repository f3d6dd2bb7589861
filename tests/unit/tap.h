/* A tiny TAP producer for unit tests: each check prints "ok N - name" or
 * "not ok N - name" (with the values compared on failure), and
 * tap_done() prints the plan and returns the exit status. */
#ifndef TERN_TAP_H
#define TERN_TAP_H

#include <stdbool.h>
#include <stddef.h>

bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_is_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* NULL-safe string comparison. */
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_is_mem(const void *got, size_t got_len, const void *want, size_t want_len,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Test input helper: s with every LF turned into CRLF, in a new string
 * (free() it); its length in *len_r. */
char *tap_crlf(const char *s, size_t *len_r);
/* Prints the plan; returns 0 when every check passed, 1 otherwise. */
int tap_done(void);

#endif
