/* mailrc.sample is the documentation of every setting: each setting in the
 * table must appear in it as a "set NAME" line (possibly commented out),
 * and the file itself must read without a single diagnostic. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/buf.h"
#include "tap.h"

#ifndef TOP_SRCDIR
#error "TOP_SRCDIR must name the source tree"
#endif

static char *
read_sample(const char *path)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	buf_init(&b, 1 << 20);
	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

/* True when text has a line "set NAME", "set NAME=..." or "# set NAME..."
 * (also "set noNAME" for booleans). */
static bool
documents(const char *text, const char *name)
{
	const char *line = text;
	size_t len = strlen(name);

	while (line != NULL && *line != '\0') {
		const char *p = line + strspn(line, " \t#");

		if (strncmp(p, "set ", 4) == 0 || strncmp(p, "unset ", 6) == 0) {
			p += strcspn(p, " ");
			p += strspn(p, " ");
			if (strncmp(p, "no", 2) == 0 && strncmp(p + 2, name, len) == 0 &&
			    strchr("= \n", p[2 + len]) != NULL)
				return true;
			if (strncmp(p, name, len) == 0 && strchr("= \n", p[len]) != NULL)
				return true;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return false;
}

int
main(void)
{
	const char *path = TOP_SRCDIR "/mailrc.sample";
	char *text = read_sample(path);
	struct conf *conf;
	size_t i;

	if (!tap_ok(text != NULL, "%s can be read", path))
		return tap_done();
	tap_ok(conf_setting_count() > 20, "the settings table has entries");
	for (i = 0; i < conf_setting_count(); i++)
		tap_ok(documents(text, conf_setting_name(i)), "mailrc.sample documents '%s'",
		    conf_setting_name(i));

	conf = conf_create();
	tap_is_int(conf_load_file(conf, path), 0, "mailrc.sample loads");
	for (i = 0; i < conf_diag_count(conf); i++)
		tap_diag("%s", conf_diag_text(conf, i));
	tap_is_int((long long)conf_diag_count(conf), 0, "mailrc.sample has no diagnostics");
	tap_ok(conf_account_count(conf) >= 2, "mailrc.sample defines example accounts");
	tap_ok(conf_team_count(conf) >= 1, "mailrc.sample defines an example team");
	conf_destroy(&conf);
	free(text);
	return tap_done();
}
