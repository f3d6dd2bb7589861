/* The fields the index shows, from a message's header block alone. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/date.h"
#include "mime/envelope.h"
#include "mime/rfc2231.h"
#include "mime/rfc5322.h"
#include "mime/safe-text.h"

/* Room for decoded text before safe-text sees it. Safe-text shrinks
 * text by half at most (CRLF becomes one space), so this is enough to
 * fill a field to ENVELOPE_FIELD_MAX whatever the input, and keeps the
 * work per field bounded when a field is huge. */
#define ENVELOPE_DECODE_MAX (4 * ENVELOPE_FIELD_MAX)

/* References kept: threading needs the newest ones, the parent last. */
#define ENVELOPE_REFERENCES_MAX 50

/* The terminal-safe, capped form of len bytes of decoded text. A field
 * cut at the cap ends on a character boundary (safe-text adds whole
 * characters or placeholders only). */
static char *
envelope_safe(const char *s, size_t len)
{
	struct buf out;

	buf_init(&out, ENVELOPE_FIELD_MAX);
	safe_text_append(&out, s, len, SAFE_TEXT_HEADER);
	return buf_detach(&out);
}

/* Like envelope_safe(), but all or nothing: a Message-ID cut short
 * would name another message. */
static char *
envelope_safe_id(const char *id)
{
	struct buf out;

	buf_init(&out, ENVELOPE_FIELD_MAX);
	if (safe_text_append(&out, id, strlen(id), SAFE_TEXT_HEADER) != 0)
		buf_reset(&out);
	return buf_detach(&out);
}

/* The first field called name, unfolded and decoded as --render does;
 * "" when there is none. */
static char *
envelope_text(const struct rfc5322_header *hdr, const char *name,
    const char *fallback)
{
	struct buf dec;
	char *s;

	/* A decode cut at ENVELOPE_DECODE_MAX still fills the field. */
	buf_init(&dec, ENVELOPE_DECODE_MAX);
	rfc5322_header_get_text(hdr, name, fallback, &dec);
	s = envelope_safe(buf_ptr(&dec), buf_len(&dec));
	buf_free(&dec);
	return s;
}

/* One address as the list shows it. An address without an addr-spec
 * ("Mailer Daemon", "Name <>") shows its name alone: "<>" tells the
 * reader nothing. */
static void
envelope_address(struct buf *entry, const struct rfc5322_addr *a)
{
	bool named = a->name != NULL && a->name[0] != '\0';

	if (named) {
		safe_text_append(entry, a->name, strlen(a->name), SAFE_TEXT_HEADER);
		if (a->addr[0] == '\0')
			return;
		if (buf_add(entry, " <", 2) != 0)
			return;
	}
	if (safe_text_append(entry, a->addr, strlen(a->addr), SAFE_TEXT_HEADER) == 0 &&
	    named)
		buf_addc(entry, '>');
}

/* Every field called name, as the pager merges them (message.c), one
 * address a line. An address that does not fit whole is dropped with
 * all after it, so the list never ends in half an address; only a
 * first address longer than the cap is kept cut. Returns the number of
 * addresses kept. */
static size_t
envelope_address_list(const struct rfc5322_header *hdr, const char *name,
    const char *fallback, struct buf *out)
{
	const struct rfc5322_field *f;
	struct rfc5322_addr_list *l;
	struct buf entry;
	size_t idx = 0, i, n = 0;
	bool full = false;

	buf_init(&entry, ENVELOPE_FIELD_MAX);
	while (!full && (f = rfc5322_header_find_next(hdr, name, &idx)) != NULL) {
		l = rfc5322_addr_parse(f->value, f->value_len, fallback);
		for (i = 0; i < l->count && !full; i++) {
			buf_reset(&entry);
			envelope_address(&entry, &l->addrs[i]);
			if (buf_len(&entry) == 0)
				continue;
			if (n == 0)
				buf_add(out, buf_ptr(&entry), buf_len(&entry));
			else if (buf_len(out) + 1 + buf_len(&entry) > ENVELOPE_FIELD_MAX)
				full = true;
			else {
				buf_addc(out, '\n');
				buf_add(out, buf_ptr(&entry), buf_len(&entry));
			}
			if (!full)
				n++;
		}
		rfc5322_addr_list_destroy(&l);
	}
	buf_free(&entry);
	return n;
}

static char *
envelope_addresses(const struct rfc5322_header *hdr, const char *name,
    const char *fallback)
{
	struct buf out;

	buf_init(&out, ENVELOPE_FIELD_MAX);
	envelope_address_list(hdr, name, fallback, &out);
	return buf_detach(&out);
}

/* The sender, or when no address can be read from From ("From: Mailer
 * Daemon:;", "From: <>"), its decoded text: an empty sender column
 * would hide that the message claims one. */
static char *
envelope_from(const struct rfc5322_header *hdr, const char *fallback)
{
	struct buf out;

	buf_init(&out, ENVELOPE_FIELD_MAX);
	if (envelope_address_list(hdr, "From", fallback, &out) > 0)
		return buf_detach(&out);
	buf_free(&out);
	return envelope_text(hdr, "From", fallback);
}

/* The first Message-ID of the first field called name, or "". */
static char *
envelope_first_id(const struct rfc5322_header *hdr, const char *name)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, name);
	struct rfc5322_msgid_list *ids;
	char *id;

	if (f == NULL)
		return xstrdup("");
	ids = rfc5322_msgid_parse(f->value, f->value_len);
	id = ids->count > 0 ? envelope_safe_id(ids->ids[0]) : xstrdup("");
	rfc5322_msgid_list_destroy(&ids);
	return id;
}

/* The newest ENVELOPE_REFERENCES_MAX ids of References that fit, in
 * their order: the parent is last, and a thread is found from the end
 * of the chain, so it is the start that goes when there are too many. */
static char *
envelope_references(const struct rfc5322_header *hdr)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, "References");
	struct rfc5322_msgid_list *ids;
	char *kept[ENVELOPE_REFERENCES_MAX], *id;
	size_t n = 0, i, total = 0;
	struct buf out;

	if (f == NULL)
		return xstrdup("");
	ids = rfc5322_msgid_parse(f->value, f->value_len);
	for (i = ids->count; i > 0 && n < ENVELOPE_REFERENCES_MAX; i--) {
		id = envelope_safe_id(ids->ids[i - 1]);
		if (id[0] == '\0') {
			free(id);
			continue;
		}
		if (total + (n > 0) + strlen(id) > ENVELOPE_FIELD_MAX) {
			free(id);
			break;
		}
		total += (n > 0) + strlen(id);
		kept[n++] = id;
	}
	rfc5322_msgid_list_destroy(&ids);
	buf_init(&out, ENVELOPE_FIELD_MAX);
	for (i = n; i > 0; i--) {
		if (i < n)
			buf_addc(&out, ' ');
		buf_addstr(&out, kept[i - 1]);
		free(kept[i - 1]);
	}
	return buf_detach(&out);
}

/* List-Id (RFC 2919) as a whole, decoded and unfolded: the list's name
 * and its "<id>". The query list: looks at both, as a server's SEARCH
 * HEADER List-Id does, so the cache and the server agree. */
static char *
envelope_list_id(const struct rfc5322_header *hdr, const char *fallback)
{
	return envelope_text(hdr, "List-Id", fallback);
}

static int64_t
envelope_date(const struct rfc5322_header *hdr)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, "Date");
	int64_t date = ENVELOPE_NO_DATE;
	struct buf b;
	time_t t;

	if (f == NULL)
		return date;
	/* Longer is not a date (date.h): no need to unfold more. */
	buf_init(&b, DATE_MAX_LEN);
	if (rfc5322_unfold(f->value, f->value_len, &b) == 0 &&
	    date_parse(buf_ptr(&b), buf_len(&b), &t, NULL) == 0)
		date = (int64_t)t;
	buf_free(&b);
	return date;
}

/* Whether the message likely carries a file, from its top-level type
 * alone (the body is not fetched): multipart/mixed is how mailers wrap
 * text and attachments, and a single part that is not text (a PDF or a
 * picture sent bare) is itself one. Other multiparts hold one text in
 * several forms (alternative), with its pictures (related) or with a
 * signature (signed); a message type is walked into by the pager, not
 * listed as an attachment. A missing or invalid type is text/plain (RFC
 * 2045 section 5.2). Without the body this can only guess: a mixed
 * message may hold text alone. */
static bool
envelope_has_attachment(const struct rfc5322_header *hdr, const char *fallback)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, "Content-Type");
	struct rfc2231_value *ct;
	const char *type, *slash;
	struct buf b;
	bool attachment = false;

	if (f == NULL)
		return false;
	/* The type comes first: a value cut at the limit still has it. */
	buf_init(&b, ENVELOPE_DECODE_MAX);
	rfc5322_unfold(f->value, f->value_len, &b);
	ct = rfc2231_parse(buf_ptr(&b), buf_len(&b), fallback);
	buf_free(&b);
	type = ct->token;
	slash = strchr(type, '/');
	if (slash != NULL && slash != type && slash[1] != '\0' &&
	    strchr(slash + 1, '/') == NULL) {
		if (str_has_prefix(type, "multipart/"))
			attachment = strcmp(type, "multipart/mixed") == 0;
		else
			attachment = !str_has_prefix(type, "text/") &&
			    !str_has_prefix(type, "message/");
	}
	rfc2231_value_destroy(&ct);
	return attachment;
}

void
envelope_parse(const char *header, size_t len, const char *fallback,
    struct envelope *env_r)
{
	struct rfc5322_header *hdr;

	if (header == NULL)
		len = 0;
	hdr = rfc5322_header_create(header != NULL ? header : "", len);
	env_r->subject = envelope_text(hdr, "Subject", fallback);
	env_r->from = envelope_from(hdr, fallback);
	env_r->to = envelope_addresses(hdr, "To", fallback);
	env_r->cc = envelope_addresses(hdr, "Cc", fallback);
	env_r->message_id = envelope_first_id(hdr, "Message-ID");
	env_r->in_reply_to = envelope_first_id(hdr, "In-Reply-To");
	env_r->references = envelope_references(hdr);
	env_r->list_id = envelope_list_id(hdr, fallback);
	env_r->date = envelope_date(hdr);
	env_r->has_attachment = envelope_has_attachment(hdr, fallback);
	rfc5322_header_destroy(&hdr);
}

void
envelope_free(struct envelope *env)
{
	if (env == NULL)
		return;
	free(env->subject);
	free(env->from);
	free(env->to);
	free(env->cc);
	free(env->message_id);
	free(env->in_reply_to);
	free(env->references);
	free(env->list_id);
	/* A second envelope_free() is then harmless. */
	memset(env, 0, sizeof(*env));
	env->date = ENVELOPE_NO_DATE;
}
