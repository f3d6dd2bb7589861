/* Memory wrappers: allocation failure aborts with a message, so callers
 * never check for NULL. */
#ifndef TERN_XMALLOC_H
#define TERN_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc for arrays; aborts when nmemb * size overflows. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copies at most n bytes of s (which need not be NUL-terminated) and
 * NUL-terminates the copy. */
char *xstrndup(const char *s, size_t n);
/* A copy of len bytes at p (len 0 gives a valid pointer to free). */
void *xmemdup(const void *p, size_t len);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
