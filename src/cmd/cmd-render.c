/* Rendering one message for a reader or a script. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd-render.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "mime/date.h"
#include "mime/message.h"
#include "mime/safe-text.h"

static int
render_header_line(struct buf *out, const char *name, const char *value, size_t len)
{
	int r = buf_printf(out, "%s: ", name);

	r |= safe_text_append(out, value, len, SAFE_TEXT_HEADER);
	r |= buf_addc(out, '\n');
	return r;
}

static int
render_addresses(struct buf *out, const char *name, const struct rfc5322_addr_list *l)
{
	struct buf line;
	size_t i;
	int r;

	if (l->count == 0)
		return 0;
	buf_init(&line, 1024 * 1024);
	for (i = 0; i < l->count; i++) {
		const struct rfc5322_addr *a = &l->addrs[i];

		if (i > 0)
			buf_add(&line, ", ", 2);
		if (a->name != NULL && a->name[0] != '\0')
			buf_printf(&line, "%s <%s>", a->name, a->addr);
		else
			buf_addstr(&line, a->addr);
	}
	r = render_header_line(out, name, buf_ptr(&line), buf_len(&line));
	buf_free(&line);
	return r;
}

/* "1.2 KiB": sizes as people read them. */
static void
render_size(char *dst, size_t size, size_t n)
{
	if (n < 1024)
		snprintf(dst, size, "%zu bytes", n);
	else if (n < 1024 * 1024)
		snprintf(dst, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(dst, size, "%.1f MiB", (double)n / (1024 * 1024));
}

int
cmd_render_text(const struct message *m, struct buf *out)
{
	int r = 0;
	size_t i;

	if (m->has_date) {
		struct tm tm;
		char date[64];

		if (localtime_r(&m->date, &tm) != NULL &&
		    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm) > 0)
			r |= render_header_line(out, "Date", date, strlen(date));
	}
	r |= render_addresses(out, "From", m->from);
	r |= render_addresses(out, "To", m->to);
	r |= render_addresses(out, "Cc", m->cc);
	if (m->subject != NULL)
		r |= render_header_line(out, "Subject", m->subject, strlen(m->subject));
	r |= buf_addc(out, '\n');
	r |= safe_text_append(out, m->text, m->text_len, SAFE_TEXT_BODY);
	if (m->text_len > 0 && m->text[m->text_len - 1] != '\n')
		r |= buf_addc(out, '\n');
	if (m->text_truncated)
		r |= buf_addstr(out, "[-- the text is longer than tern shows --]\n");
	if (m->nattachments > 0)
		r |= buf_addstr(out, "\n[-- attachments --]\n");
	for (i = 0; i < m->nattachments; i++) {
		const struct message_attachment *a = &m->attachments[i];
		const char *name = a->filename != NULL ? a->filename : "(no name)";
		char size[32];

		render_size(size, sizeof(size), a->size);
		r |= buf_printf(out, "%3zu. ", i + 1);
		r |= safe_text_append(out, name, strlen(name), SAFE_TEXT_HEADER);
		r |= buf_addstr(out, "  ");
		r |= safe_text_append(out, a->type, strlen(a->type), SAFE_TEXT_HEADER);
		r |= buf_printf(out, "  %s\n", size);
	}
	return r == 0 ? 0 : -1;
}

static int
render_json_addresses(struct buf *out, const char *key, const struct rfc5322_addr_list *l)
{
	size_t i;
	int r = buf_printf(out, ",\"%s\":[", key);

	for (i = 0; i < l->count; i++) {
		const struct rfc5322_addr *a = &l->addrs[i];

		r |= buf_addstr(out, i > 0 ? ",{\"name\":" : "{\"name\":");
		r |= json_add_cstring(out, a->name != NULL && a->name[0] != '\0' ? a->name : NULL);
		r |= buf_addstr(out, ",\"addr\":");
		r |= json_add_cstring(out, a->addr);
		r |= buf_addc(out, '}');
	}
	r |= buf_addc(out, ']');
	return r;
}

int
cmd_render_json(const struct message *m, struct buf *out)
{
	char date[DATE_ISO_SIZE];
	size_t i;
	int r;

	r = buf_addstr(out, "{\"subject\":");
	r |= json_add_cstring(out, m->subject);
	r |= render_json_addresses(out, "from", m->from);
	r |= render_json_addresses(out, "to", m->to);
	r |= render_json_addresses(out, "cc", m->cc);
	r |= buf_addstr(out, ",\"date\":");
	if (m->has_date && date_format_iso_utc(m->date, date) == 0)
		r |= json_add_cstring(out, date);
	else
		r |= buf_addstr(out, "null");
	r |= buf_addstr(out, ",\"message_id\":");
	r |= json_add_cstring(out, m->message_id);
	r |= buf_addstr(out, ",\"in_reply_to\":");
	r |= json_add_cstring(out, m->in_reply_to);
	r |= buf_addstr(out, ",\"references\":[");
	for (i = 0; i < m->references->count; i++) {
		if (i > 0)
			r |= buf_addc(out, ',');
		r |= json_add_cstring(out, m->references->ids[i]);
	}
	r |= buf_addstr(out, "],\"attachments\":[");
	for (i = 0; i < m->nattachments; i++) {
		const struct message_attachment *a = &m->attachments[i];

		r |= buf_addstr(out, i > 0 ? ",{\"filename\":" : "{\"filename\":");
		r |= json_add_cstring(out, a->filename);
		r |= buf_addstr(out, ",\"type\":");
		r |= json_add_cstring(out, a->type);
		r |= buf_printf(out, ",\"size\":%zu}", a->size);
	}
	r |= buf_addstr(out, "],\"text\":");
	r |= json_add_string(out, m->text, m->text_len);
	r |= buf_addstr(out, "}\n");
	return r == 0 ? 0 : -1;
}
