/* Diagnostics on stderr. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static enum log_level log_level = LOG_LEVEL_INFO;

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

static void
log_vprint(enum log_level level, const char *prefix, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	fputs("tern: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOG_FUNC(name, level, prefix)				\
	void							\
	name(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		va_start(ap, fmt);				\
		log_vprint(level, prefix, fmt, ap);		\
		va_end(ap);					\
	}

LOG_FUNC(log_error, LOG_LEVEL_ERROR, "")
LOG_FUNC(log_warn, LOG_LEVEL_WARN, "warning: ")
LOG_FUNC(log_info, LOG_LEVEL_INFO, "")
LOG_FUNC(log_debug, LOG_LEVEL_DEBUG, "debug: ")
