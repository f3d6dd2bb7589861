/* libFuzzer target for the draft editor text and stored drafts: parsing
 * must never crash, and a parsed draft written back and parsed again
 * gives the same text. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-compose.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmd_draft *d, *e;
	struct buf once, twice;
	char *warning = NULL, *error = NULL;

	d = cmd_draft_new(NULL, &warning);
	if (cmd_draft_from_editor(d, (const char *)data, size, &error) == 0) {
		buf_init(&once, 1u << 26);
		buf_init(&twice, 1u << 26);
		cmd_draft_to_editor(d, &once);
		e = cmd_draft_new(NULL, &warning);
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
