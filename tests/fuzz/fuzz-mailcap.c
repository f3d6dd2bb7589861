/* libFuzzer target for mailcap parsing and expansion: the input is split
 * into two files fed in order; every entry found for the types the input
 * names (and a few common ones) has its commands expanded with hostile
 * parameter values. A successful expansion must hold no control byte
 * but tab, and must say it uses the file exactly when it has a %s. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/mailcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "charset", "name", "x", "empty" };
static const char *const values[] = { "utf-8", "'; rm -rf ~; '", "$(id)`id`\"\\", "" };

static void
expand(const char *cmd, const char *type)
{
	struct buf out;
	bool uses;
	size_t i;

	if (cmd == NULL)
		return;
	buf_init(&out, 1 << 16);
	if (mailcap_expand(cmd, "tern-x.html", type, names, values, 4, &out,
	    &uses) == 0) {
		for (i = 0; i < buf_len(&out); i++) {
			unsigned char c = (unsigned char)buf_ptr(&out)[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				abort();
		}
	} else
		uses = false;
	buf_reset(&out);
	/* Without a file, a command that uses one must be refused. */
	if (mailcap_expand(cmd, NULL, type, names, values, 4, &out, &uses) == 0 && uses)
		abort();
	buf_free(&out);
}

static void
try_type(const struct mailcap *mc, const char *type)
{
	const struct mailcap_entry *e;
	size_t idx = 0, n = 0;

	while ((e = mailcap_find(mc, type, (type[0] & 1) != 0, &idx)) != NULL) {
		if (e->view[0] == '\0' || ++n > MAILCAP_ENTRIES_MAX)
			abort();
		expand(e->view, type);
		expand(e->test, type);
		expand(e->nametemplate, type);
		expand(e->print, type);
		expand(e->edit, type);
		expand(e->compose, type);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const common[] = { "text/html", "TEXT/plain", "image/png",
	    "application/pdf", "a/b", "text", "" };
	const char *in = (const char *)data;
	struct mailcap *mc = mailcap_create();
	char type[64];
	size_t split = size > 0 ? (size_t)data[0] * size / 256 : 0, i, start, n;

	mailcap_feed(mc, "one", in, split);
	mailcap_feed(mc, "two", in + split, size - split);
	if (mailcap_bad_lines(mc) > size)
		abort();
	for (i = 0; i < sizeof common / sizeof common[0]; i++)
		try_type(mc, common[i]);
	/* The first field of each line, as a type to look up. */
	for (start = 0; start < size; start = i + 1) {
		for (i = start; i < size && in[i] != '\n'; i++)
			;
		for (n = 0; start + n < i && n < sizeof type - 1 && in[start + n] != ';'; n++)
			type[n] = in[start + n];
		type[n] = '\0';
		try_type(mc, type);
	}
	mailcap_destroy(&mc);
	return 0;
}
