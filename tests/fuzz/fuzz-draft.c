/* libFuzzer target for the draft editor text and stored drafts: parsing
 * must never crash, and a parsed draft written back and parsed again
 * gives the same text. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-compose.h"
#include "conf/conf.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One account, as a user's mailrc gives it, for the whole run: a draft
 * always belongs to an account (its From and signature come from it). */
static const struct conf_account *
fuzz_account(void)
{
	static const char mailrc[] =
		"account a {\n"
		"    set imap=imap://alice@127.0.0.1\n"
		"    set from=\"Alice Example <alice@example.org>\"\n"
		"}\n";
	static struct conf *conf;
	struct conf_parser *p;

	if (conf == NULL) {
		conf = conf_create();
		p = conf_parser_create(conf, "mailrc");
		conf_parser_feed(p, mailrc, strlen(mailrc));
		conf_parser_finish(p);
		conf_parser_destroy(&p);
		conf_validate(conf);
	}
	return conf_account_at(conf, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmd_draft *d, *e;
	struct buf once, twice;
	char *warning = NULL, *error = NULL;

	d = cmd_draft_new(fuzz_account(), &warning);
	free(warning);
	if (cmd_draft_from_editor(d, (const char *)data, size, &error) == 0) {
		buf_init(&once, 1u << 26);
		buf_init(&twice, 1u << 26);
		cmd_draft_to_editor(d, &once);
		e = cmd_draft_new(fuzz_account(), &warning);
		free(warning);
		if (cmd_draft_from_editor(e, buf_ptr(&once), buf_len(&once), &error) != 0)
			abort();
		cmd_draft_to_editor(e, &twice);
		if (buf_len(&once) != buf_len(&twice) ||
		    memcmp(buf_ptr(&once), buf_ptr(&twice), buf_len(&once)) != 0)
			abort();
		cmd_draft_destroy(&e);
		buf_free(&once);
		buf_free(&twice);
	}
	free(error);
	cmd_draft_destroy(&d);
	d = NULL;
	error = NULL;
	if (cmd_draft_from_message((const char *)data, size, &d, &error) == 0)
		cmd_draft_destroy(&d);
	free(error);
	return 0;
}
