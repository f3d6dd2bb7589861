/* Loading the mailrc for a batch command: every problem and every POP3
 * warning goes to stderr before the command runs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Prints the POP3 delete-after-download warning of every account that
 * deletes: PRODUCT.md wants it on every batch command, every time. */
static void
cli_config_warn_pop3(const struct conf *conf)
{
	size_t i;

	for (i = 0; i < conf_account_count(conf); i++) {
		char *text = conf_pop3_warning(conf_account_at(conf, i));

		if (text != NULL) {
			fputs(text, stderr);
			if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
				fputc('\n', stderr);
			free(text);
		}
	}
}

int
cli_config_load(const struct cli_opts *opts, struct conf **conf_r)
{
	struct conf *conf;
	char *path = NULL;
	size_t i;
	int r;

	if (opts->mailrc != NULL) {
		path = xstrdup(opts->mailrc);
	} else {
		struct stat st;

		path = conf_default_path();
		if (path == NULL || stat(path, &st) != 0) {
			log_error("no mailrc found: write one at $XDG_CONFIG_HOME/tern/mailrc "
			    "or ~/.ternrc (mailrc.sample explains every setting), "
			    "or name one with -F FILE");
			free(path);
			return EXIT_USAGE;
		}
	}

	conf = conf_create();
	r = conf_load_file(conf, path);
	for (i = 0; i < conf_diag_count(conf); i++)
		fprintf(stderr, "%s\n", conf_diag_text(conf, i));
	cli_config_warn_pop3(conf);
	if (r != 0 || conf_has_errors(conf))
		goto fail;

	if (opts->account != NULL && conf_account_find(conf, opts->account) == NULL) {
		log_error("%s: no account named '%s'", path, opts->account);
		goto fail;
	}
	if (conf_account_count(conf) == 0 && opts->mode != CLI_MODE_CHECK) {
		log_error("%s: no account defined (add an 'account NAME { ... }' block)", path);
		goto fail;
	}
	free(path);
	*conf_r = conf;
	return EXIT_OK;
fail:
	free(path);
	conf_destroy(&conf);
	return EXIT_USAGE;
}
