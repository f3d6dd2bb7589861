/* libFuzzer target for the index's envelope: any header block must give
 * fields that are valid UTF-8, terminal-safe (the address lists may hold
 * LF between entries, nothing else may) and within the cap. The first
 * byte picks the fallback charset, so its path is fuzzed too. Build with
 * "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/charset.h"
#include "mime/envelope.h"
#include "safe-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_field(const char *s, bool list)
{
	size_t len = strlen(s), start = 0, i;

	if (len > ENVELOPE_FIELD_MAX || !charset_utf8_valid(s, len))
		abort();
	if (!list || len == 0) {
		fuzz_assert_safe(s, len, SAFE_TEXT_HEADER);
		return;
	}
	/* Each entry on its own: none empty, none holding a control. */
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (i == start)
			abort();
		fuzz_assert_safe(s + start, i - start, SAFE_TEXT_HEADER);
		start = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fallbacks[] = { NULL, "iso-8859-15", "koi8-r", "shift_jis" };
	struct envelope e;
	const char *fallback = NULL;

	if (size > 0) {
		fallback = fallbacks[data[0] % 4];
		data++;
		size--;
	}
	envelope_parse((const char *)data, size, fallback, &e);
	check_field(e.subject, false);
	check_field(e.from, true);
	check_field(e.to, true);
	check_field(e.cc, true);
	check_field(e.message_id, false);
	check_field(e.in_reply_to, false);
	check_field(e.references, false);
	check_field(e.list_id, false);
	if (e.message_id[0] != '\0' && e.message_id[0] != '<')
		abort();
	if (e.list_id[0] != '\0' && e.list_id[0] != '<')
		abort();
	envelope_free(&e);
	return 0;
}
