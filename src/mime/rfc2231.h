/* Structured MIME header values with parameters: Content-Type and
 * Content-Disposition (RFC 2045 §5, RFC 2183), including RFC 2231
 * continuations and charset'language'percent-encoded values, and the
 * RFC 2047 encoded words Outlook and Thunderbird put in quoted values.
 *
 * Convention: rfc2231_parse() never fails on bad input and returns an
 * object the caller releases with rfc2231_value_destroy(), which NULLs
 * the pointer; lookups return NULL when nothing matches; functions
 * filling a buf return 0, or -1 when its maximum was reached. */
#ifndef TERN_MIME_RFC2231_H
#define TERN_MIME_RFC2231_H

#include <stddef.h>

struct buf;

/* Parameters kept (distinct names); the rest are dropped. */
#define RFC2231_PARAMS_MAX 64
/* Highest continuation section number honoured ("name*99*"). */
#define RFC2231_SECTION_MAX 99
/* A parameter value (after joining sections) is cut to this. */
#define RFC2231_VALUE_MAX 8192

struct rfc2231_param {
	char *name;		/* lowercased, without "*N*" */
	char *value;		/* UTF-8 */
};

struct rfc2231_value {
	char *token;		/* "text/plain", "attachment": lowercased, "" if none */
	struct rfc2231_param *params;
	size_t count;
};

/* Parses a header value. Duplicate parameters: the first wins, except
 * that an RFC 2231 form ("name*=" or "name*0=") wins over a plain one,
 * as it says more. Missing sections are skipped; sections may come in
 * any order. Raw 8-bit values are UTF-8 if valid, else in fallback. */
struct rfc2231_value *rfc2231_parse(const char *s, size_t len, const char *fallback);
void rfc2231_value_destroy(struct rfc2231_value **value);

/* The value of parameter name (case-insensitive), or NULL. */
const char *rfc2231_param(const struct rfc2231_value *value, const char *name);

/* Reduces a file name to a safe base name: directories ("/", "\") and
 * drive letters are dropped, control characters become '_', and "." or
 * ".." become empty, so the result can never leave a directory. */
int rfc2231_filename_sanitize(const char *name, struct buf *out);

#endif
