/* libFuzzer target for the team's shared settings (rules/team.c): any
 * text gives settings whose names are the shared ones and whose values
 * passed the mailrc's own checks (one line, no control characters);
 * every warning is one line naming the file. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/team-settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
warned(void *ctx, const char *message)
{
	(void)ctx;
	if (strncmp(message, "fuzz:", 5) != 0 || strchr(message, '\n') != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct team_settings s;
	size_t i, k;

	memset(&s, 0, sizeof(s));
	team_settings_parse((const char *)data, size, "fuzz", &s, warned, NULL);
	if (s.n > TEAM_SETTINGS_MAX)
		abort();
	for (i = 0; i < s.n; i++) {
		if (strcmp(s.name[i], "members") != 0 && strcmp(s.name[i], "reply-deadline") != 0 &&
		    strcmp(s.name[i], "acknowledge") != 0 &&
		    strcmp(s.name[i], "acknowledge-template") != 0)
			abort();
		for (k = 0; s.value[i][k] != '\0'; k++)
			if ((unsigned char)s.value[i][k] < 0x20 || s.value[i][k] == 0x7f)
				abort();
	}
	team_settings_free(&s);
	return 0;
}
