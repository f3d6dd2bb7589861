/* A tiny TAP producer for unit tests. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static unsigned tap_count, tap_failed;

static bool
tap_result(bool cond, const char *fmt, va_list ap)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

bool
tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_result(cond, fmt, ap);
	va_end(ap);
	return r;
}

bool
tap_is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_result(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("got %lld, want %lld", got, want);
	return r;
}

bool
tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	bool same = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	va_start(ap, fmt);
	tap_result(same, fmt, ap);
	va_end(ap);
	if (!same) {
		tap_diag("got:  %s%s%s", got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
		tap_diag("want: %s%s%s", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	}
	return same;
}

bool
tap_is_mem(const void *got, size_t got_len, const void *want, size_t want_len,
    const char *fmt, ...)
{
	va_list ap;
	bool same = got_len == want_len && (got_len == 0 || memcmp(got, want, got_len) == 0);

	va_start(ap, fmt);
	tap_result(same, fmt, ap);
	va_end(ap);
	if (!same)
		tap_diag("got %zu bytes: %.*s / want %zu bytes: %.*s", got_len,
		    (int)(got_len > 200 ? 200 : got_len), (const char *)got, want_len,
		    (int)(want_len > 200 ? 200 : want_len), (const char *)want);
	return same;
}

char *
tap_crlf(const char *s, size_t *len_r)
{
	size_t n = 0, i;
	char *r, *p;

	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '\n' ? 2 : 1;
	p = r = malloc(n + 1);
	if (r == NULL)
		abort();
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\n')
			*p++ = '\r';
		*p++ = s[i];
	}
	*p = '\0';
	*len_r = n;
	return r;
}

int
tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed > 0)
		printf("# %u of %u checks failed\n", tap_failed, tap_count);
	return tap_failed > 0 ? 1 : 0;
}
