/* tern --folders [--json]: every folder of the account with its total and
 * unread counts and its special role. Folders that cannot hold mail
 * (\Noselect, \NonExistent) are left out: they have no counts. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-imap.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "mime/safe-text.h"

/* A folder name for the terminal: no byte of it may act as a control. */
static void
folders_safe_name(struct buf *b, const struct cmd_folder *folder)
{
	buf_reset(b);
	(void)safe_text_append(b, folder->display, strlen(folder->display), SAFE_TEXT_HEADER);
}

static void
folders_print_json(const struct cmd_folder *folder, struct buf *b)
{
	buf_reset(b);
	buf_addstr(b, "{\"name\": ");
	json_add_cstring(b, folder->display);
	buf_printf(b, ", \"total\": %" PRIu64 ", \"unread\": %" PRIu64 ", \"special\": ",
	    folder->total, folder->unread);
	if (folder->special != NULL) {
		json_add_cstring(b, folder->special);
	} else {
		buf_addstr(b, "null");
	}
	buf_addstr(b, "}\n");
	fwrite(buf_ptr(b), 1, buf_len(b), stdout);
}

static void
folders_print_text(const struct cmd_folder *folder, struct buf *b)
{
	folders_safe_name(b, folder);
	printf("%8" PRIu64 " %8" PRIu64 "  %s", folder->unread, folder->total, buf_ptr(b));
	if (folder->special != NULL)
		printf("  [%s]", folder->special);
	putchar('\n');
}

int
cli_folders(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *acct = cli_account(opts, conf);
	struct cmd_folders folders;
	struct cmd_imap *session;
	struct buf b;
	char *error;
	size_t i;
	int status;

	if (acct == NULL)
		return EXIT_USAGE;
	if (conf_account_server(acct, CONF_PROTO_IMAP) == NULL) {
		fprintf(stderr, "%s:%u: account '%s' has no IMAP server (set imap=imaps://...)\n",
		    conf_account_file(acct), conf_account_line(acct), conf_account_name(acct));
		return EXIT_USAGE;
	}
	if ((status = cli_session(conf, acct, &session)) != EXIT_OK)
		return status;
	if (cmd_folders_list(session, acct, true, &folders, &error) != 0) {
		fprintf(stderr, "tern: account '%s': %s\n", conf_account_name(acct), error);
		free(error);
		/* A lost connection is exit 3; a LIST the server refused is
		 * an action that failed. */
		status = cmd_imap_alive(session) ? EXIT_PARTIAL : EXIT_CONNECT;
		cmd_imap_close(&session);
		return status;
	}
	buf_init(&b, 64 * 1024);
	if (!opts->json)
		printf("  unread    total  folder\n");
	status = EXIT_OK;
	for (i = 0; i < folders.count; i++) {
		const struct cmd_folder *folder = &folders.v[i];

		if (!folder->selectable)
			continue;
		if (folder->status_error != NULL) {
			folders_safe_name(&b, folder);
			fprintf(stderr, "tern: account '%s': folder '%s': %s\n",
			    conf_account_name(acct), buf_ptr(&b), folder->status_error);
			status = EXIT_PARTIAL;
			continue;
		}
		if (opts->json)
			folders_print_json(folder, &b);
		else
			folders_print_text(folder, &b);
	}
	if (folders.skipped > 0)
		log_warn("account '%s': %zu folder line%s from the server made no sense "
		    "and %s left out", conf_account_name(acct), folders.skipped,
		    folders.skipped == 1 ? "" : "s", folders.skipped == 1 ? "was" : "were");
	buf_free(&b);
	cmd_folders_free(&folders);
	cmd_imap_close(&session);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the folder list: output error");
		return EXIT_PARTIAL;
	}
	return status;
}
