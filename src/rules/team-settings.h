/* The settings a team keeps on the server (team-settings.c). */
#ifndef TERN_RULES_TEAM_SETTINGS_H
#define TERN_RULES_TEAM_SETTINGS_H

#include <stddef.h>

/* A team can keep some of its settings on the server, in the message
 * "settings" of its templates folder, so that every teammate and device
 * uses the same ones. Its text: lines "set NAME=VALUE" (or NAME=VALUE),
 * values may be quoted "..." or '...', '#' starts a comment. Only the
 * settings the whole team shares are taken: members, reply-deadline,
 * acknowledge, acknowledge-template (never me=, account=, folder= or
 * templates=, which are each person's). */
#define TEAM_SETTINGS_NAME "settings"
#define TEAM_SETTINGS_MAX 8

struct team_settings {
	char *name[TEAM_SETTINGS_MAX];
	char *value[TEAM_SETTINGS_MAX];	/* checked and in stored form */
	size_t n;
};

typedef void team_settings_warn_fn(void *ctx, const char *message);

/* Parses len bytes of text into s (emptied first). A line that is not
 * right is reported to warn as "FILE:LINE: message" and skipped; a
 * later line for the same name wins. Text past TEAM_SETTINGS_TEXT_MAX is
 * not read (said once). */
#define TEAM_SETTINGS_TEXT_MAX (16 * 1024)
void team_settings_parse(const char *text, size_t len, const char *file,
    struct team_settings *s, team_settings_warn_fn *warn, void *ctx);
void team_settings_free(struct team_settings *s);
/* The value of name, or NULL. */
const char *team_settings_get(const struct team_settings *s, const char *name);

#endif
