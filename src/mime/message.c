/* One message seen whole: fields, the readable body and the attachments. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/date.h"
#include "mime/html.h"
#include "mime/message.h"
#include "mime/mime.h"

/* A text part that may become (part of) the body. */
struct message_candidate {
	unsigned alt;		/* its multipart/alternative, 0 for none */
	bool html;
	char *text;
	size_t len;
};

/* An open container on the way down the tree. */
struct message_open {
	unsigned depth;
	unsigned alt;		/* nonzero for multipart/alternative */
};

struct message_walk {
	struct message *m;
	const char *fallback;
	struct message_open open[MIME_DEPTH_MAX + 2];
	size_t nopen;
	unsigned nalt;
	struct message_candidate *cand;
	size_t ncand;
};

static void
message_add_attachment(struct message *m, const struct mime_part *part)
{
	struct message_attachment *a;
	struct buf dec;

	if (m->nattachments == MESSAGE_ATTACHMENTS_MAX)
		return;
	m->attachments = xreallocarray(m->attachments, m->nattachments + 1,
	    sizeof(*m->attachments));
	a = &m->attachments[m->nattachments++];
	memset(a, 0, sizeof(*a));
	a->filename = part->filename != NULL ? xstrdup(part->filename) : NULL;
	a->type = xstrdup(part->type);
	snprintf(a->path, sizeof(a->path), "%s", part->path);
	/* Transfer decoding never expands: the body length bounds it. */
	buf_init(&dec, part->body_len + 1);
	mime_part_decode(part, &dec);
	a->size = buf_len(&dec);
	buf_free(&dec);
}

static void
message_add_candidate(struct message_walk *w, const struct mime_part *part,
    unsigned alt, bool html)
{
	struct message_candidate *c;
	struct buf text;

	buf_init(&text, MESSAGE_TEXT_MAX);
	if (mime_part_text(part, w->fallback, &text) != 0)
		w->m->text_truncated = true;
	w->cand = xreallocarray(w->cand, w->ncand + 1, sizeof(*w->cand));
	c = &w->cand[w->ncand++];
	c->alt = alt;
	c->html = html;
	c->len = buf_len(&text);
	c->text = buf_detach(&text);
}

static enum mime_visit
message_visit(const struct mime_part *part, void *ctx)
{
	struct message_walk *w = ctx;
	unsigned alt = 0;
	size_t i;
	bool attachment;

	/* Leave the containers this part is not inside. */
	while (w->nopen > 0 && w->open[w->nopen - 1].depth >= part->depth)
		w->nopen--;
	for (i = w->nopen; i > 0; i--) {
		if (w->open[i - 1].alt != 0) {
			alt = w->open[i - 1].alt;
			break;
		}
	}
	if (part->message) {
		/* A forwarded message is listed as one attachment. */
		if (part->depth > 0)
			message_add_attachment(w->m, part);
		return part->depth > 0 ? MIME_SKIP : MIME_CONTINUE;
	}
	if (part->multipart) {
		if (w->nopen < sizeof(w->open) / sizeof(w->open[0])) {
			w->open[w->nopen].depth = part->depth;
			w->open[w->nopen].alt = strcmp(part->type, "multipart/alternative") == 0 ?
			    ++w->nalt : 0;
			w->nopen++;
		}
		return MIME_CONTINUE;
	}
	attachment = part->disposition != NULL && strcmp(part->disposition, "attachment") == 0;
	if (!attachment && strcmp(part->type, "text/plain") == 0)
		message_add_candidate(w, part, alt, false);
	else if (!attachment && strcmp(part->type, "text/html") == 0)
		message_add_candidate(w, part, alt, true);
	else
		message_add_attachment(w->m, part);
	return MIME_CONTINUE;
}

/* Whether candidate i is the one shown for its alternative: the first
 * text/plain of the group, else its first HTML part. */
static bool
message_chosen(const struct message_walk *w, size_t i)
{
	size_t j;
	bool has_plain = false;

	if (w->cand[i].alt == 0)
		return true;
	for (j = 0; j < w->ncand; j++) {
		if (w->cand[j].alt == w->cand[i].alt && !w->cand[j].html) {
			has_plain = true;
			break;
		}
	}
	for (j = 0; j < i; j++) {
		if (w->cand[j].alt == w->cand[i].alt && w->cand[j].html == w->cand[i].html)
			return false;
	}
	return has_plain ? !w->cand[i].html : true;
}

/* CRLF becomes LF: readers and scripts get one kind of line end (a lone
 * CR is left for safe-text to show). */
static void
message_normalise_newlines(struct message *m)
{
	size_t i, j = 0;

	for (i = 0; i < m->text_len; i++) {
		if (m->text[i] == '\r' && i + 1 < m->text_len && m->text[i + 1] == '\n')
			continue;
		m->text[j++] = m->text[i];
	}
	m->text[j] = '\0';
	m->text_len = j;
}

static void
message_choose_body(struct message_walk *w)
{
	struct message *m = w->m;
	struct message_candidate *sole = NULL;
	struct buf text;
	size_t i, nchosen = 0;

	buf_init(&text, MESSAGE_TEXT_MAX);
	for (i = 0; i < w->ncand; i++) {
		struct message_candidate *c = &w->cand[i];

		if (!message_chosen(w, i))
			continue;
		nchosen++;
		sole = c;
		if (buf_len(&text) > 0 && buf_ptr(&text)[buf_len(&text) - 1] != '\n')
			buf_addc(&text, '\n');
		if (c->html) {
			if (html_to_text(c->text, c->len, &text) != 0)
				m->text_truncated = true;
		} else if (buf_add(&text, c->text, c->len) != 0) {
			m->text_truncated = true;
		}
	}
	/* An HTML-only body is kept for a better converter (mailcap, w3m),
	 * which can then replace the whole text. */
	if (nchosen == 1 && sole->html) {
		m->html = sole->text;
		m->html_len = sole->len;
		sole->text = NULL;
	}
	m->text_len = buf_len(&text);
	m->text = buf_detach(&text);
	message_normalise_newlines(m);
}

/* Every field called name, parsed as addresses, in one list. */
static struct rfc5322_addr_list *
message_addresses(const struct rfc5322_header *hdr, const char *name, const char *fallback)
{
	struct rfc5322_addr_list *all = xcalloc(1, sizeof(*all));
	const struct rfc5322_field *f;
	size_t idx = 0;

	while ((f = rfc5322_header_find_next(hdr, name, &idx)) != NULL) {
		struct rfc5322_addr_list *l = rfc5322_addr_parse(f->value, f->value_len, fallback);

		if (l->count > 0) {
			all->addrs = xreallocarray(all->addrs, all->count + l->count,
			    sizeof(*all->addrs));
			memcpy(all->addrs + all->count, l->addrs, l->count * sizeof(*l->addrs));
			all->count += l->count;
			l->count = 0;	/* the strings now belong to all */
		}
		rfc5322_addr_list_destroy(&l);
	}
	return all;
}

/* The first Message-ID in the first field called name, or NULL. */
static char *
message_first_id(const struct rfc5322_header *hdr, const char *name)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, name);
	struct rfc5322_msgid_list *ids;
	char *id = NULL;

	if (f == NULL)
		return NULL;
	ids = rfc5322_msgid_parse(f->value, f->value_len);
	if (ids->count > 0)
		id = xstrdup(ids->ids[0]);
	rfc5322_msgid_list_destroy(&ids);
	return id;
}

static void
message_parse_fields(struct message *m, const char *fallback)
{
	const struct rfc5322_header *hdr = m->header;
	const struct rfc5322_field *f;
	struct buf b;

	buf_init(&b, 64 * 1024);
	if (rfc5322_header_get_text(hdr, "Subject", fallback, &b) != 1)
		m->subject = buf_detach(&b);
	buf_reset(&b);
	if ((f = rfc5322_header_find(hdr, "Date")) != NULL &&
	    rfc5322_unfold(f->value, f->value_len, &b) == 0 &&
	    date_parse(buf_ptr(&b), buf_len(&b), &m->date, NULL) == 0)
		m->has_date = true;
	buf_free(&b);
	m->from = message_addresses(hdr, "From", fallback);
	m->to = message_addresses(hdr, "To", fallback);
	m->cc = message_addresses(hdr, "Cc", fallback);
	m->message_id = message_first_id(hdr, "Message-ID");
	m->in_reply_to = message_first_id(hdr, "In-Reply-To");
	f = rfc5322_header_find(hdr, "References");
	m->references = f != NULL ? rfc5322_msgid_parse(f->value, f->value_len) :
	    xcalloc(1, sizeof(*m->references));
}

struct message *
message_parse(const char *msg, size_t len, const char *fallback)
{
	struct message *m = xcalloc(1, sizeof(*m));
	struct message_walk w;
	size_t i;

	m->header = rfc5322_header_create(msg, len);
	message_parse_fields(m, fallback);

	memset(&w, 0, sizeof(w));
	w.m = m;
	w.fallback = fallback;
	mime_walk(msg, len, fallback, message_visit, &w);
	message_choose_body(&w);
	for (i = 0; i < w.ncand; i++)
		free(w.cand[i].text);
	free(w.cand);
	return m;
}

void
message_destroy(struct message **mp)
{
	struct message *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	rfc5322_header_destroy(&m->header);
	free(m->subject);
	rfc5322_addr_list_destroy(&m->from);
	rfc5322_addr_list_destroy(&m->to);
	rfc5322_addr_list_destroy(&m->cc);
	free(m->message_id);
	free(m->in_reply_to);
	rfc5322_msgid_list_destroy(&m->references);
	free(m->text);
	free(m->html);
	for (i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].type);
	}
	free(m->attachments);
	free(m);
	*mp = NULL;
}
