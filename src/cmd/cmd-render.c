/* Rendering one message for a reader or a script. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd-html.h"
#include "cmd/cmd-render.h"
#include "lib/buf.h"
#include "conf/conf.h"
#include "lib/json.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
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

/* The readable text: an HTML-only body through the user's converter
 * when one works, else what the message model made of it. Returns the
 * text in *text_r, either m->text or a new string to free(). */
static size_t
render_body(const struct message *m, char **text_r, bool *owned_r)
{
	struct buf b;
	char *tool;

	*text_r = m->text;
	*owned_r = false;
	if (m->html == NULL)
		return m->text_len;
	buf_init(&b, MESSAGE_TEXT_MAX);
	if (cmd_html_to_text(m->html, m->html_len, &b, &tool) != 0) {
		buf_free(&b);
		return m->text_len;
	}
	free(tool);
	*owned_r = true;
	*text_r = buf_detach(&b);
	return strlen(*text_r);
}

/* "Subject:" and "subject" name the same field. */
static char *
render_field_name(const char *word)
{
	size_t n = strlen(word);

	if (n > 0 && word[n - 1] == ':')
		n--;
	return xstrndup(word, n);
}

/* Whether the list names the field (or holds "*" when star counts). */
static bool
render_listed(const struct conf *conf, enum conf_list list, const char *name, bool star)
{
	size_t i, j;

	for (i = 0; i < conf_list_count(conf, list); i++) {
		for (j = 0; j < conf_list_argc(conf, list, i); j++) {
			char *w = render_field_name(conf_list_arg(conf, list, i, j));
			bool match = str_caseeq(w, name) || (star && strcmp(w, "*") == 0);

			free(w);
			if (match)
				return true;
		}
	}
	return false;
}

char **
cmd_render_fields(const struct conf *conf)
{
	static const char *const defaults[] = { "Date", "From", "To", "Cc", "Subject" };
	char **fields = NULL;
	size_t n = 0, i, j;
	bool retained = conf != NULL && conf_list_count(conf, CONF_LIST_RETAIN) > 0;

	if (retained) {
		for (i = 0; i < conf_list_count(conf, CONF_LIST_RETAIN); i++) {
			for (j = 0; j < conf_list_argc(conf, CONF_LIST_RETAIN, i); j++) {
				char *f = render_field_name(conf_list_arg(conf, CONF_LIST_RETAIN, i, j));

				if (render_listed(conf, CONF_LIST_IGNORE, f, false)) {
					free(f);
					continue;
				}
				fields = xreallocarray(fields, n + 2, sizeof(*fields));
				fields[n++] = f;
			}
		}
	} else {
		for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
			if (conf != NULL && render_listed(conf, CONF_LIST_IGNORE, defaults[i], true))
				continue;
			fields = xreallocarray(fields, n + 2, sizeof(*fields));
			fields[n++] = xstrdup(defaults[i]);
		}
	}
	if (fields == NULL)
		fields = xcalloc(1, sizeof(*fields));
	fields[n] = NULL;
	return fields;
}

void
cmd_render_fields_free(char **fields)
{
	size_t i;

	if (fields == NULL)
		return;
	for (i = 0; fields[i] != NULL; i++)
		free(fields[i]);
	free(fields);
}

/* One header field as the pager shows it: dates in local time, address
 * fields from the parsed lists, others decoded (RFC 2047). */
static int
render_field(const struct message *m, const char *name, struct buf *out)
{
	const struct rfc5322_field *f;
	struct buf value;
	int r = 0;

	if (str_caseeq(name, "Date")) {
		struct tm tm;
		char date[64];

		if (m->has_date && localtime_r(&m->date, &tm) != NULL &&
		    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm) > 0)
			r = render_header_line(out, "Date", date, strlen(date));
		return r;
	}
	if (str_caseeq(name, "From"))
		return render_addresses(out, "From", m->from);
	if (str_caseeq(name, "To"))
		return render_addresses(out, "To", m->to);
	if (str_caseeq(name, "Cc"))
		return render_addresses(out, "Cc", m->cc);
	if (str_caseeq(name, "Subject")) {
		if (m->subject != NULL)
			r = render_header_line(out, "Subject", m->subject, strlen(m->subject));
		return r;
	}
	f = rfc5322_header_find(m->header, name);
	if (f == NULL)
		return 0;
	buf_init(&value, 64 * 1024);
	rfc5322_header_get_text(m->header, name, NULL, &value);
	/* The name as the message spells it ("X-Mailer"). */
	r = safe_text_append(out, f->name, f->name_len, SAFE_TEXT_HEADER);
	r |= buf_add(out, ": ", 2);
	r |= safe_text_append(out, buf_ptr(&value), buf_len(&value), SAFE_TEXT_HEADER);
	r |= buf_addc(out, '\n');
	buf_free(&value);
	return r;
}

int
cmd_render_text(const struct message *m, char *const *fields, struct buf *out)
{
	char *text;
	size_t text_len, before;
	bool owned;
	int r = 0;
	size_t i;

	before = buf_len(out);
	for (i = 0; fields[i] != NULL; i++)
		r |= render_field(m, fields[i], out);
	if (buf_len(out) > before)
		r |= buf_addc(out, '\n');
	text_len = render_body(m, &text, &owned);
	r |= safe_text_append(out, text, text_len, SAFE_TEXT_BODY);
	if (text_len > 0 && text[text_len - 1] != '\n')
		r |= buf_addc(out, '\n');
	if (owned)
		free(text);
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
	char date[DATE_ISO_SIZE], *text;
	size_t i, text_len;
	bool owned;
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
	text_len = render_body(m, &text, &owned);
	r |= json_add_string(out, text, text_len);
	if (owned)
		free(text);
	r |= buf_addstr(out, "}\n");
	return r == 0 ? 0 : -1;
}
