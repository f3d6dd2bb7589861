/* Helpers for the conf unit tests: parse a text fed whole, one byte at a
 * time and in random pieces, check that every way gives the same
 * diagnostics, and compare them with what a table expects. */
#ifndef TERN_CONF_TEST_H
#define TERN_CONF_TEST_H

#include <stddef.h>

#include "conf/conf.h"

/* The file name used in diagnostics. */
#define CT_FILE "mailrc"

/* Parses and validates len bytes of text (fed whole) and returns the
 * model; also checks (as TAP tests named after name) that byte-by-byte
 * and random-size feeding give identical diagnostics. */
struct conf *ct_parse(const char *name, const char *text, size_t len);

/* Checks that conf's diagnostics are exactly want (NULL-terminated). */
void ct_check_diags(const char *name, const struct conf *conf,
    const char *const *want);

/* ct_parse + ct_check_diags on a NUL-terminated text, then frees. */
void ct_expect(const char *name, const char *text, const char *const *want);

#endif
