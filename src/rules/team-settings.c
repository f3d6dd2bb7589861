/* The settings a team keeps on the server (team-settings.h). Pure: the
 * text is given. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"
#include "rules/team-settings.h"

static const char *const team_shared[] = {
	"members", "reply-deadline", "acknowledge", "acknowledge-template", NULL
};

void
team_settings_free(struct team_settings *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->value[i]);
	}
	memset(s, 0, sizeof(*s));
}

const char *
team_settings_get(const struct team_settings *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return s->value[i];
	return NULL;
}

static void settings_warn(team_settings_warn_fn *warn, void *ctx, const char *file,
    unsigned line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
settings_warn(team_settings_warn_fn *warn, void *ctx, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *text;

	if (warn == NULL)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s:%u: %s", file, line, text);
	warn(ctx, msg);
	free(msg);
	free(text);
}

/* One line, without its end: "set NAME=VALUE" or "NAME=VALUE". */
static void
settings_line(const char *p, size_t len, const char *file, unsigned line,
    struct team_settings *s, team_settings_warn_fn *warn, void *ctx)
{
	char *copy = xstrndup(p, len), *name, *value, *eq, *v, *error = NULL, *safe;
	size_t i, vlen;
	bool known = false;

	name = copy + strspn(copy, " \t");
	if (*name == '\0' || *name == '#')
		goto out;
	if (strncmp(name, "set", 3) == 0 && (name[3] == ' ' || name[3] == '\t'))
		name += 3 + strspn(name + 3, " \t");
	if ((eq = strchr(name, '=')) == NULL) {
		safe = safe_text_line(name, strlen(name), 60);
		settings_warn(warn, ctx, file, line, "expected 'set NAME=VALUE', not '%s'",
		    safe);
		free(safe);
		goto out;
	}
	*eq = '\0';
	for (v = eq; v > name && (v[-1] == ' ' || v[-1] == '\t'); v--)
		v[-1] = '\0';
	value = eq + 1 + strspn(eq + 1, " \t");
	/* A quoted value ends at its quote; else a '#' after a blank starts a
	 * comment. */
	if (value[0] == '"' || value[0] == '\'') {
		char *close = strchr(value + 1, value[0]);

		if (close != NULL)
			close[1] = '\0';
	} else {
		for (v = value; *v != '\0'; v++)
			if (*v == '#' && v > value && (v[-1] == ' ' || v[-1] == '\t')) {
				*v = '\0';
				break;
			}
	}
	vlen = strlen(value);
	while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t' ||
	    value[vlen - 1] == '\r'))
		value[--vlen] = '\0';
	if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
		value[vlen - 1] = '\0';
		value++;
	}
	for (i = 0; team_shared[i] != NULL; i++)
		known = known || strcmp(name, team_shared[i]) == 0;
	safe = safe_text_line(name, strlen(name), 60);
	if (!known) {
		settings_warn(warn, ctx, file, line, "'%s' is not a setting the team shares "
		    "(members, reply-deadline, acknowledge, acknowledge-template)", safe);
		free(safe);
		goto out;
	}
	free(safe);
	/* Text from the server reaches messages and file names: one line of
	 * printable UTF-8 or nothing. */
	if (!str_utf8_printable(value, strlen(value))) {
		settings_warn(warn, ctx, file, line, "the value of '%s' holds control "
		    "characters or is not UTF-8", name);
		goto out;
	}
	if ((v = conf_team_value(name, value, &error)) == NULL) {
		settings_warn(warn, ctx, file, line, "%s", error);
		free(error);
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->name[i], name) == 0) {
			free(s->value[i]);
			s->value[i] = v;
			goto out;
		}
	}
	if (s->n < TEAM_SETTINGS_MAX) {
		s->name[s->n] = xstrdup(name);
		s->value[s->n++] = v;
	} else
		free(v);
out:
	free(copy);
}

void
team_settings_parse(const char *text, size_t len, const char *file,
    struct team_settings *s, team_settings_warn_fn *warn, void *ctx)
{
	const char *p = text, *end;
	unsigned line = 1;

	team_settings_free(s);
	if (len > TEAM_SETTINGS_TEXT_MAX) {
		settings_warn(warn, ctx, file, 1, "%s", "longer than 16 KB: the rest is not "
		    "read");
		len = TEAM_SETTINGS_TEXT_MAX;
	}
	end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (memchr(p, '\0', n) != NULL)
			settings_warn(warn, ctx, file, line, "%s", "a NUL byte: line skipped");
		else
			settings_line(p, n, file, line, s, warn, ctx);
		line++;
		p += n + (nl != NULL);
	}
}
