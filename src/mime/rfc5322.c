/* RFC 5322 headers as views into the message buffer, address lists and
 * Message-ID lists, parsed best effort. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/rfc2047.h"
#include "mime/rfc5322.h"

struct rfc5322_header {
	const char *msg;
	size_t len;
	struct rfc5322_field *fields;
	size_t count;
	size_t cap;
	size_t body_off;
	bool truncated;
};

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 5322 §3.6.8: printable ASCII but ':'. */
static bool
field_name_valid(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 33 || c > 126 || c == ':')
			return false;
	}
	return true;
}

/* Does the line at pos look like "Name: value"? */
static bool
line_is_field(const char *msg, size_t len, size_t pos)
{
	const char *nl = memchr(msg + pos, '\n', len - pos);
	size_t end = nl != NULL ? (size_t)(nl - msg) : len, colon, nend;
	const char *c;

	if ((c = memchr(msg + pos, ':', end - pos)) == NULL)
		return false;
	colon = (size_t)(c - msg);
	nend = colon;
	while (nend > pos && (msg[nend - 1] == ' ' || msg[nend - 1] == '\t'))
		nend--;
	return field_name_valid(msg + pos, nend - pos);
}

static void
header_set_value_end(struct rfc5322_header *h, struct rfc5322_field *f,
    const char *end)
{
	f->value_len = (size_t)(end - f->value);
	if (f->value_len > RFC5322_FIELD_MAX) {
		f->value_len = RFC5322_FIELD_MAX;
		h->truncated = true;
	}
}

struct rfc5322_header *
rfc5322_header_create(const char *msg, size_t len)
{
	struct rfc5322_header *h = xcalloc(1, sizeof(*h));
	struct rfc5322_field *cur = NULL;
	size_t pos = 0, eol, next, end, colon, nend;
	const char *nl;

	h->msg = msg;
	h->len = len;
	h->body_off = len;
	/* A UTF-8 byte order mark (Windows tools save .eml files with one). */
	if (len >= 3 && memcmp(msg, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	/* An mbox separator line is not a field. */
	if (len - pos >= 5 && memcmp(msg + pos, "From ", 5) == 0) {
		nl = memchr(msg + pos, '\n', len - pos);
		pos = nl != NULL ? (size_t)(nl - msg) + 1 : len;
	}
	while (pos < len) {
		nl = memchr(msg + pos, '\n', len - pos);
		eol = nl != NULL ? (size_t)(nl - msg) : len;
		next = nl != NULL ? eol + 1 : len;
		end = eol;
		if (end > pos && msg[end - 1] == '\r')
			end--;
		if (end == pos) {
			/* The blank line (RFC 5322 §2.1). */
			h->body_off = next;
			return h;
		}
		if (msg[pos] == ' ' || msg[pos] == '\t') {
			/* Folded continuation; one before any field is dropped. */
			if (cur != NULL)
				header_set_value_end(h, cur, msg + end);
			pos = next;
			continue;
		}
		nl = memchr(msg + pos, ':', end - pos);
		colon = nl != NULL ? (size_t)(nl - msg) : end;
		nend = colon;
		/* Obsolete syntax allows whitespace before the colon (§4.5). */
		while (nend > pos && (msg[nend - 1] == ' ' || msg[nend - 1] == '\t'))
			nend--;
		if (colon == end || !field_name_valid(msg + pos, nend - pos)) {
			if ((end - pos >= 5 && memcmp(msg + pos, "From ", 5) == 0) ||
			    (end - pos >= 6 && memcmp(msg + pos, ">From ", 6) == 0)) {
				pos = next;
				continue;
			}
			/* A stray line among fields (broken mailers) is skipped;
			 * otherwise, or when it may be a MIME delimiter ("--"),
			 * the body starts here (no blank line). */
			if (next < len && line_is_field(msg, len, next) &&
			    !(end - pos >= 2 && msg[pos] == '-' && msg[pos + 1] == '-')) {
				h->truncated = true;
				cur = NULL;
				pos = next;
				continue;
			}
			h->body_off = pos;
			return h;
		}
		if (h->count == RFC5322_FIELDS_MAX) {
			h->truncated = true;
			cur = NULL;
			pos = next;
			continue;
		}
		if (h->count == h->cap) {
			h->cap = h->cap == 0 ? 16 : h->cap * 2;
			if (h->cap > RFC5322_FIELDS_MAX)
				h->cap = RFC5322_FIELDS_MAX;
			h->fields = xreallocarray(h->fields, h->cap, sizeof(*h->fields));
		}
		cur = &h->fields[h->count++];
		cur->name = msg + pos;
		cur->name_len = nend - pos;
		cur->value = msg + colon + 1;
		header_set_value_end(h, cur, msg + end);
		pos = next;
	}
	return h;
}

void
rfc5322_header_destroy(struct rfc5322_header **hdr)
{
	if (*hdr == NULL)
		return;
	free((*hdr)->fields);
	free(*hdr);
	*hdr = NULL;
}

size_t
rfc5322_header_count(const struct rfc5322_header *hdr)
{
	return hdr->count;
}

const struct rfc5322_field *
rfc5322_header_field(const struct rfc5322_header *hdr, size_t idx)
{
	return idx < hdr->count ? &hdr->fields[idx] : NULL;
}

static bool
name_eq(const struct rfc5322_field *f, const char *name)
{
	size_t i, n = strlen(name);

	if (f->name_len != n)
		return false;
	for (i = 0; i < n; i++) {
		char a = f->name[i], b = name[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

const struct rfc5322_field *
rfc5322_header_find_next(const struct rfc5322_header *hdr, const char *name,
    size_t *idx)
{
	size_t i;

	for (i = *idx; i < hdr->count; i++) {
		if (name_eq(&hdr->fields[i], name)) {
			*idx = i + 1;
			return &hdr->fields[i];
		}
	}
	*idx = hdr->count;
	return NULL;
}

const struct rfc5322_field *
rfc5322_header_find(const struct rfc5322_header *hdr, const char *name)
{
	size_t idx = 0;

	return rfc5322_header_find_next(hdr, name, &idx);
}

size_t
rfc5322_header_body_offset(const struct rfc5322_header *hdr)
{
	return hdr->body_off;
}

bool
rfc5322_header_truncated(const struct rfc5322_header *hdr)
{
	return hdr->truncated;
}

int
rfc5322_unfold(const char *value, size_t len, struct buf *out)
{
	size_t i, start;

	while (len > 0 && is_wsp(value[0]))
		value++, len--;
	while (len > 0 && is_wsp(value[len - 1]))
		len--;
	/* Line breaks go; the whitespace after them stays (§2.2.3). */
	for (i = start = 0; i < len; i++) {
		if (value[i] != '\r' && value[i] != '\n')
			continue;
		if (i > start && buf_add(out, value + start, i - start) != 0)
			return -1;
		start = i + 1;
	}
	if (len > start && buf_add(out, value + start, len - start) != 0)
		return -1;
	return 0;
}

int
rfc5322_header_get_text(const struct rfc5322_header *hdr, const char *name,
    const char *fallback, struct buf *out)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, name);
	struct buf tmp;
	int ret;

	if (f == NULL)
		return 1;
	buf_init(&tmp, RFC5322_FIELD_MAX);
	rfc5322_unfold(f->value, f->value_len, &tmp);
	ret = rfc2047_decode(buf_ptr(&tmp), buf_len(&tmp), fallback, out);
	buf_free(&tmp);
	return ret;
}

/* ---- addresses (RFC 5322 §3.4, with the obsolete forms of §4.4) ---- */

struct addr_parser {
	const char *fallback;
	struct rfc5322_addr_list *list;
	size_t cap;
	size_t max;		/* of each working buffer */

	struct buf phrase;	/* display words, quoted strings unescaped */
	struct buf spec;	/* the same tokens as written */
	size_t phrase_last;	/* where the last word starts in each */
	size_t spec_last;
	bool gap;		/* whitespace or comment since the last token */
	struct buf angle;
	bool have_angle;
	struct buf comment;
	bool have_comment;
	bool in_group;
	bool unterminated;	/* a quoted string ran to the end */
};

static void
addr_add_token(struct addr_parser *ap, const char *disp, size_t disp_len,
    const char *raw, size_t raw_len)
{
	if (ap->gap && buf_len(&ap->spec) > 0) {
		buf_addc(&ap->phrase, ' ');
		buf_addc(&ap->spec, ' ');
		ap->phrase_last = buf_len(&ap->phrase);
		ap->spec_last = buf_len(&ap->spec);
	}
	ap->gap = false;
	buf_add(&ap->phrase, disp, disp_len);
	buf_add(&ap->spec, raw, raw_len);
}

/* RFC 2047-decoded, trimmed copy of s; NULL when empty. */
static char *
addr_decode_name(struct addr_parser *ap, const char *s, size_t len)
{
	struct buf out;
	char *r;

	while (len > 0 && is_wsp(s[0]))
		s++, len--;
	while (len > 0 && is_wsp(s[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	buf_init(&out, ap->max * 4);
	rfc2047_decode(s, len, ap->fallback, &out);
	if (buf_len(&out) == 0) {
		buf_free(&out);
		return NULL;
	}
	r = buf_detach(&out);
	buf_free(&out);
	return r;
}

/* Copy without whitespace, but for what is inside quotes. */
static char *
addr_strip_spaces(const char *s, size_t len)
{
	char *r = xmalloc(len + 1);
	size_t i, n = 0;
	bool quoted = false;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == '\\' && quoted && i + 1 < len) {
			r[n++] = s[i++];
			r[n++] = s[i];
			continue;
		}
		if (quoted || !is_wsp(s[i]))
			r[n++] = s[i];
	}
	r[n] = '\0';
	return r;
}

static bool
has_at(const char *s, size_t len)
{
	return len > 0 && memchr(s, '@', len) != NULL;
}

static void
addr_reset(struct addr_parser *ap)
{
	buf_reset(&ap->phrase);
	buf_reset(&ap->spec);
	buf_reset(&ap->angle);
	buf_reset(&ap->comment);
	ap->phrase_last = ap->spec_last = 0;
	ap->gap = ap->have_angle = ap->have_comment = ap->unterminated = false;
}

/* Takes name and addr (either may be dropped). */
static void
addr_push(struct addr_parser *ap, char *name, char *addr)
{
	struct rfc5322_addr *a;

	if ((addr[0] == '\0' && name == NULL) ||
	    ap->list->count == RFC5322_ADDRS_MAX) {
		free(addr);
		free(name);
		return;
	}
	if (ap->list->count == ap->cap) {
		ap->cap = ap->cap == 0 ? 4 : ap->cap * 2;
		ap->list->addrs = xreallocarray(ap->list->addrs, ap->cap,
		    sizeof(*ap->list->addrs));
	}
	a = &ap->list->addrs[ap->list->count++];
	a->name = name;
	a->addr = addr;
}

/* "a@b c@d" with the comma forgotten: at least two words, each an
 * addr-spec with text on both sides of its '@'. Pushes them and returns
 * true, or returns false having pushed nothing. */
static bool
addr_split_words(struct addr_parser *ap, const char *s, size_t len)
{
	size_t i, start, n = 0;
	const char *at;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < len; i = start) {
			while (i < len && s[i] == ' ')
				i++;
			start = i;
			while (start < len && s[start] != ' ')
				start++;
			if (start == i)
				continue;
			at = memchr(s + i, '@', start - i);
			if (at == NULL || at == s + i || at == s + start - 1) {
				if (pass == 0)
					return false;
				continue;
			}
			if (pass == 0)
				n++;
			else
				addr_push(ap, NULL, xstrndup(s + i, start - i));
		}
		if (n < 2)
			return false;
	}
	return true;
}

static void
addr_finish(struct addr_parser *ap)
{
	const char *spec = buf_ptr(&ap->spec);
	size_t spec_len = buf_len(&ap->spec);
	char *name = NULL, *addr = NULL;

	if (ap->have_angle) {
		const char *s = buf_ptr(&ap->angle), *colon;
		size_t n = buf_len(&ap->angle);

		/* Obsolete route "<@a,@b:user@host>" (§4.4): keep the end. */
		if (n > 0 && s[0] == '@' && (colon = memchr(s, ':', n)) != NULL) {
			const char *c;

			while ((c = memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) != NULL)
				colon = c;
			n -= (size_t)(colon + 1 - s);
			s = colon + 1;
		}
		addr = addr_strip_spaces(s, n);
		name = addr_decode_name(ap, buf_ptr(&ap->phrase), buf_len(&ap->phrase));
	} else if (ap->spec_last > 0 && has_at(spec + ap->spec_last,
	    spec_len - ap->spec_last) && !has_at(spec, ap->spec_last)) {
		/* "Alice Example alice@example.com": brackets forgotten. */
		addr = xstrndup(spec + ap->spec_last, spec_len - ap->spec_last);
		name = addr_decode_name(ap, buf_ptr(&ap->phrase), ap->phrase_last);
	} else if (ap->unterminated ||
	    (ap->spec_last > 0 && !has_at(spec, spec_len))) {
		/* Several words and no '@': a name without an address. */
		addr = xstrdup("");
		name = addr_decode_name(ap, buf_ptr(&ap->phrase), buf_len(&ap->phrase));
	} else if (!ap->have_comment && addr_split_words(ap, spec, spec_len)) {
		addr_reset(ap);
		return;
	} else
		addr = addr_strip_spaces(spec, spec_len);
	if (addr[0] == '\0' && name == NULL && !ap->have_angle) {
		/* Only a comment, as around a group ("; (that was all)"):
		 * there is no address here. */
		free(addr);
		addr_reset(ap);
		return;
	}
	if (name == NULL && ap->have_comment)
		name = addr_decode_name(ap, buf_ptr(&ap->comment), buf_len(&ap->comment));
	addr_push(ap, name, addr);
	addr_reset(ap);
}

/* A quoted string from s[*i] == '"' to its end (or the end of input):
 * the unescaped content goes to disp, the text as written to raw. */
static void
addr_quoted(const char *s, size_t len, size_t *i, struct buf *disp,
    size_t *raw_start, size_t *raw_end)
{
	size_t j = *i + 1;

	*raw_start = *i;
	while (j < len && s[j] != '"') {
		if (s[j] == '\\' && j + 1 < len)
			j++;
		if (s[j] != '\r' && s[j] != '\n')
			buf_addc(disp, s[j]);
		j++;
	}
	if (j < len)
		j++;
	*raw_end = j;
	*i = j;
}

/* A comment from s[*i] == '(' (nested, §3.2.2); content to out if given. */
static void
addr_comment(const char *s, size_t len, size_t *i, struct buf *out)
{
	size_t j = *i + 1;
	int depth = 1;

	while (j < len) {
		if (s[j] == '\\' && j + 1 < len)
			j++;
		else if (s[j] == '(')
			depth++;
		else if (s[j] == ')' && --depth == 0)
			break;
		if (out != NULL && s[j] != '\r' && s[j] != '\n')
			buf_addc(out, s[j]);
		j++;
	}
	*i = j < len ? j + 1 : j;
}

static void
addr_angle(struct addr_parser *ap, const char *s, size_t len, size_t *i)
{
	struct buf dummy;
	size_t j = *i + 1, a, b;

	ap->have_angle = true;
	buf_reset(&ap->angle);
	while (j < len && s[j] != '>') {
		if (s[j] == '"') {
			buf_init(&dummy, ap->max);
			addr_quoted(s, len, &j, &dummy, &a, &b);
			buf_free(&dummy);
			buf_add(&ap->angle, s + a, b - a);
		} else if (s[j] == '(')
			addr_comment(s, len, &j, NULL);
		else {
			if (!is_wsp(s[j]))
				buf_addc(&ap->angle, s[j]);
			j++;
		}
	}
	*i = j < len ? j + 1 : j;
}

struct rfc5322_addr_list *
rfc5322_addr_parse(const char *s, size_t len, const char *fallback)
{
	struct addr_parser ap = { .fallback = fallback };
	struct buf q;
	size_t i = 0, start, a, b;

	if (len > RFC5322_FIELD_MAX)
		len = RFC5322_FIELD_MAX;
	ap.list = xcalloc(1, sizeof(*ap.list));
	ap.max = len + 16;
	buf_init(&ap.phrase, ap.max);
	buf_init(&ap.spec, ap.max);
	buf_init(&ap.angle, ap.max);
	buf_init(&ap.comment, ap.max);
	buf_init(&q, ap.max);
	while (i < len) {
		char c = s[i];

		if (is_wsp(c)) {
			ap.gap = true;
			i++;
		} else if (c == '(') {
			ap.gap = true;
			if (!ap.have_comment) {
				ap.have_comment = true;
				addr_comment(s, len, &i, &ap.comment);
			} else
				addr_comment(s, len, &i, NULL);
		} else if (c == '"') {
			buf_reset(&q);
			addr_quoted(s, len, &i, &q, &a, &b);
			if (b - a < 2 || s[b - 1] != '"')
				ap.unterminated = true;
			addr_add_token(&ap, buf_ptr(&q), buf_len(&q), s + a, b - a);
		} else if (c == '<') {
			addr_angle(&ap, s, len, &i);
		} else if (c == ',') {
			addr_finish(&ap);
			i++;
		} else if (c == ';') {
			addr_finish(&ap);
			ap.in_group = false;
			i++;
		} else if (c == ':' && !ap.in_group) {
			/* Group name (§3.4): dropped, members flattened. */
			addr_reset(&ap);
			ap.in_group = true;
			i++;
		} else if (c == '>') {
			i++;
		} else if (c == '.' || c == '@' || c == ':') {
			/* Specials stick to their neighbours: "a . b" is "a.b". */
			ap.gap = false;
			buf_add(&ap.phrase, s + i, 1);
			buf_add(&ap.spec, s + i, 1);
			i++;
		} else {
			start = i;
			while (i < len && !is_wsp(s[i]) && s[i] != '(' && s[i] != '"' &&
			    s[i] != '<' && s[i] != '>' && s[i] != ',' && s[i] != ';' &&
			    s[i] != ':' && s[i] != '.' && s[i] != '@')
				i++;
			addr_add_token(&ap, s + start, i - start, s + start, i - start);
		}
	}
	addr_finish(&ap);
	buf_free(&ap.phrase);
	buf_free(&ap.spec);
	buf_free(&ap.angle);
	buf_free(&ap.comment);
	buf_free(&q);
	return ap.list;
}

void
rfc5322_addr_list_destroy(struct rfc5322_addr_list **list)
{
	size_t i;

	if (*list == NULL)
		return;
	for (i = 0; i < (*list)->count; i++) {
		free((*list)->addrs[i].name);
		free((*list)->addrs[i].addr);
	}
	free((*list)->addrs);
	free(*list);
	*list = NULL;
}

/* ---- Message-ID lists (§3.6.4) ---- */

static void
msgid_add(struct rfc5322_msgid_list *l, size_t *cap, const char *s, size_t len)
{
	char *id;
	size_t i, n = 0;

	if (l->count == RFC5322_MSGIDS_MAX)
		return;
	id = xmalloc(len + 3);
	id[n++] = '<';
	for (i = 0; i < len; i++)
		if (!is_wsp(s[i]))
			id[n++] = s[i];
	id[n++] = '>';
	id[n] = '\0';
	if (n == 2 || n > RFC5322_MSGID_MAX) {
		free(id);
		return;
	}
	if (l->count == *cap) {
		*cap = *cap == 0 ? 4 : *cap * 2;
		l->ids = xreallocarray(l->ids, *cap, sizeof(*l->ids));
	}
	l->ids[l->count++] = id;
}

struct rfc5322_msgid_list *
rfc5322_msgid_parse(const char *s, size_t len)
{
	struct rfc5322_msgid_list *l = xcalloc(1, sizeof(*l));
	size_t i = 0, start, cap = 0;

	while (i < len) {
		if (s[i] == '<') {
			start = ++i;
			while (i < len && s[i] != '>' && s[i] != '<')
				i++;
			msgid_add(l, &cap, s + start, i - start);
			if (i < len && s[i] == '>')
				i++;
		} else if (s[i] == '(') {
			addr_comment(s, len, &i, NULL);
		} else if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (i < len)
				i++;
		} else if (is_wsp(s[i]) || s[i] == ',' || s[i] == '>') {
			i++;
		} else {
			/* A bare word: an id that lost its brackets if it has '@'. */
			start = i;
			while (i < len && !is_wsp(s[i]) && s[i] != ',' && s[i] != '<' &&
			    s[i] != '(' && s[i] != '"')
				i++;
			if (has_at(s + start, i - start))
				msgid_add(l, &cap, s + start, i - start);
		}
	}
	return l;
}

void
rfc5322_msgid_list_destroy(struct rfc5322_msgid_list **list)
{
	size_t i;

	if (*list == NULL)
		return;
	for (i = 0; i < (*list)->count; i++)
		free((*list)->ids[i]);
	free((*list)->ids);
	free(*list);
	*list = NULL;
}

bool
rfc5322_addr_sendable(const char *addr)
{
	const char *at = strrchr(addr, '@'), *p;

	if (at == NULL || at == addr || at[1] == '\0')
		return false;
	for (p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == 0x7f)
			return false;
	return true;
}
