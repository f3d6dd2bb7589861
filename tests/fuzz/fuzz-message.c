/* libFuzzer target: a whole message through message_parse(), touching
 * every field it produces. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mime/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message *m = message_parse((const char *)data, size, NULL);
	volatile size_t sink = 0;
	size_t i;

	if (m->subject != NULL)
		sink += strlen(m->subject);
	for (i = 0; i < m->from->count; i++)
		sink += strlen(m->from->addrs[i].addr);
	for (i = 0; i < m->references->count; i++)
		sink += strlen(m->references->ids[i]);
	for (i = 0; i < m->nattachments; i++)
		sink += m->attachments[i].size + strlen(m->attachments[i].type);
	if (strlen(m->text) != m->text_len && memchr(m->text, '\0', m->text_len) == NULL)
		__builtin_trap();	/* text_len must describe text */
	sink += m->html_len;
	(void)sink;
	message_destroy(&m);
	return 0;
}
