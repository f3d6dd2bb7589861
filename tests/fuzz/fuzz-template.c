/* libFuzzer target for canned responses: any bytes are parsed as a
 * template file; an error must be one line of UTF-8 text, and a template
 * is expanded with hostile values: the subject must be one line without
 * any control character, the body UTF-8 without control characters but
 * LF and tab. Build with "make fuzz". */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "mime/charset.h"
#include "mime/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct template_vars hostile = {
	.ticket = "T-1\r\nBcc: victim@example.com",
	.customer = "Eve\x1b]0;title\x07\xc2\x85\x7f\t\xff",
	.customer_addr = "eve@example.com\n.\r\n",
	.agent = "Bob\xe2\x80\xae",
	.team = "",
	.subject = NULL,
};

/* Valid UTF-8 holding no C0, DEL or C1 control but those allowed. */
static void
check_text(const char *s, bool allow_lf, bool allow_tab)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	if (!charset_utf8_valid(s, len))
		abort();
	while (i < len) {
		n = str_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			abort();
		if ((cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) &&
		    !(allow_lf && cp == '\n') && !(allow_tab && cp == '\t'))
			abort();
		i += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template *t = NULL;
	char *error = NULL, *s;

	if (template_parse((const char *)data, size, "fuzz", &t, &error) != 0) {
		if (t != NULL || error == NULL || strncmp(error, "fuzz:", 5) != 0)
			abort();
		check_text(error, false, true);
		free(error);
		return 0;
	}
	if (t == NULL || error != NULL)
		abort();
	s = template_subject(t, &hostile);
	check_text(s, false, false);
	if (!template_has_subject(t) && s[0] != '\0')
		abort();
	if (s[0] == ' ' || (s[0] != '\0' && s[strlen(s) - 1] == ' '))
		abort();
	free(s);
	s = template_body(t, &hostile);
	check_text(s, true, true);
	free(s);
	template_free(&t);
	if (t != NULL)
		abort();
	return 0;
}
