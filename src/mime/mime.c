/* MIME tree walk (RFC 2046 §5) and part decoding. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/charset.h"
#include "mime/cte.h"
#include "mime/mime.h"
#include "mime/rfc2231.h"
#include "mime/rfc5322.h"

struct mime_walker {
	const char *fallback;
	mime_visit_fn *visit;
	void *ctx;
	size_t parts;
	bool cut;
};

struct mime_range {
	size_t start;
	size_t len;
};

/* Is this line (without its line end) a delimiter for boundary b? RFC
 * 2046 §5.1.1: "--" boundary, then "--" for the close delimiter, then
 * only whitespace; the whitespace rule keeps "--abc" from matching a
 * nested "--abcdef". */
static bool
mime_is_delimiter(const char *line, size_t len, const char *b, size_t blen,
    bool *close_r)
{
	size_t i;

	if (len < 2 + blen || line[0] != '-' || line[1] != '-' ||
	    memcmp(line + 2, b, blen) != 0)
		return false;
	i = 2 + blen;
	*close_r = false;
	if (i + 2 <= len && line[i] == '-' && line[i + 1] == '-') {
		*close_r = true;
		i += 2;
	}
	for (; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

/* Appends one part's range to r (n used, cap allocated); returns r. */
static struct mime_range *
mime_range_add(struct mime_range *r, size_t *n, size_t *cap, size_t start, size_t len)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 8 : *cap * 2;
		r = xreallocarray(r, *cap, sizeof(*r));
	}
	r[*n].start = start;
	r[*n].len = len;
	(*n)++;
	return r;
}

/* Splits a multipart body into its parts; returns their number (0 when
 * no delimiter occurs). The line break before a delimiter belongs to it. */
static size_t
mime_split(const char *body, size_t len, const char *b, size_t blen,
    struct mime_range **ranges_r, struct mime_walker *w)
{
	struct mime_range *r = NULL;
	size_t n = 0, cap = 0, pos = 0, eol, next, end, start = 0;
	bool in_part = false, close;
	const char *nl;

	while (pos < len) {
		nl = memchr(body + pos, '\n', len - pos);
		eol = nl != NULL ? (size_t)(nl - body) : len;
		next = nl != NULL ? eol + 1 : len;
		end = eol > pos && body[eol - 1] == '\r' ? eol - 1 : eol;
		if (!mime_is_delimiter(body + pos, end - pos, b, blen, &close)) {
			pos = next;
			continue;
		}
		if (in_part) {
			size_t pend = pos;

			if (pend > start && body[pend - 1] == '\n')
				pend--;
			if (pend > start && body[pend - 1] == '\r')
				pend--;
			if (n == MIME_PARTS_MAX) {
				w->cut = true;
				break;
			}
			r = mime_range_add(r, &n, &cap, start, pend - start);
		}
		if (close) {
			in_part = false;
			break;
		}
		in_part = true;
		start = next;
		pos = next;
	}
	if (in_part && n < MIME_PARTS_MAX) {
		/* No close delimiter: the last part runs to the end. */
		r = mime_range_add(r, &n, &cap, start, len - start);
	}
	*ranges_r = r;
	return n;
}

static struct rfc2231_value *
mime_field_value(const struct rfc5322_header *hdr, const char *name,
    const char *fallback)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, name);
	struct rfc2231_value *v;
	struct buf tmp;

	if (f == NULL)
		return NULL;
	buf_init(&tmp, RFC5322_FIELD_MAX);
	rfc5322_unfold(f->value, f->value_len, &tmp);
	v = rfc2231_parse(buf_ptr(&tmp), buf_len(&tmp), fallback);
	buf_free(&tmp);
	return v;
}

static bool
mime_type_valid(const char *t)
{
	const char *slash = strchr(t, '/');

	return slash != NULL && slash != t && slash[1] != '\0' &&
	    strchr(slash + 1, '/') == NULL;
}

static void
mime_child_path(char *dst, const char *parent, size_t idx)
{
	if (parent[0] == '\0')
		snprintf(dst, MIME_PATH_MAX, "%zu", idx);
	else
		snprintf(dst, MIME_PATH_MAX, "%s.%zu", parent, idx);
}

static int
mime_walk_entity(struct mime_walker *w, const char *start, size_t len,
    unsigned depth, const char *path, bool in_digest)
{
	struct mime_part part;
	struct rfc5322_header *hdr;
	struct rfc2231_value *ct, *cd;
	struct mime_range *ranges = NULL;
	struct buf fname;
	const struct rfc5322_field *f;
	const char *boundary = NULL;
	size_t body_off, nranges = 0, i;
	enum mime_visit v;
	int ret = 0;

	if (w->parts >= MIME_PARTS_MAX) {
		w->cut = true;
		return 0;
	}
	memset(&part, 0, sizeof(part));
	hdr = rfc5322_header_create(start, len);
	body_off = rfc5322_header_body_offset(hdr);
	part.depth = depth;
	snprintf(part.path, sizeof(part.path), "%s", path);
	part.header = hdr;
	part.body = start + body_off;
	part.body_len = len - body_off;

	ct = mime_field_value(hdr, "Content-Type", w->fallback);
	if (ct == NULL)
		ct = rfc2231_parse("", 0, w->fallback);
	part.content_type = ct;
	if (mime_type_valid(ct->token))
		part.type = ct->token;
	else
		part.type = in_digest ? "message/rfc822" : "text/plain";

	if (str_has_prefix(part.type, "multipart/")) {
		boundary = rfc2231_param(ct, "boundary");
		if (boundary != NULL && boundary[0] != '\0' &&
		    strlen(boundary) <= MIME_BOUNDARY_MAX)
			nranges = mime_split(part.body, part.body_len, boundary,
			    strlen(boundary), &ranges, w);
		if (nranges == 0)
			part.type = "text/plain";	/* wrong boundary: show it */
		else
			part.multipart = true;
	}
	part.message = strcmp(part.type, "message/rfc822") == 0 ||
	    strcmp(part.type, "message/global") == 0;
	if (str_has_prefix(part.type, "text/")) {
		part.charset = mime_type_valid(ct->token) ?
		    rfc2231_param(ct, "charset") : NULL;
		if (part.charset == NULL || part.charset[0] == '\0')
			part.charset = "us-ascii";
	}
	f = rfc5322_header_find(hdr, "Content-Transfer-Encoding");
	part.cte = f != NULL ? cte_parse(f->value, f->value_len) : CTE_7BIT;
	cd = mime_field_value(hdr, "Content-Disposition", w->fallback);
	part.content_disposition = cd;
	if (cd != NULL && cd->token[0] != '\0')
		part.disposition = cd->token;
	buf_init(&fname, RFC2231_VALUE_MAX);
	{
		const char *fn = cd != NULL ? rfc2231_param(cd, "filename") : NULL;

		if (fn == NULL || fn[0] == '\0')
			fn = rfc2231_param(ct, "name");
		if (fn != NULL)
			rfc2231_filename_sanitize(fn, &fname);
		if (buf_len(&fname) > 0)
			part.filename = buf_ptr(&fname);
	}
	part.decoded_size = cte_decoded_size_estimate(part.cte, part.body_len);

	w->parts++;
	v = w->visit(&part, w->ctx);
	if (v == MIME_STOP) {
		ret = 1;
		goto out;
	}
	if (v == MIME_SKIP)
		goto out;
	if ((part.multipart || part.message) && depth + 1 > MIME_DEPTH_MAX) {
		w->cut = true;
		goto out;
	}
	if (part.multipart) {
		bool digest = strcmp(part.type, "multipart/digest") == 0;
		char cpath[MIME_PATH_MAX];

		for (i = 0; i < nranges && ret == 0; i++) {
			mime_child_path(cpath, path, i + 1);
			ret = mime_walk_entity(w, part.body + ranges[i].start,
			    ranges[i].len, depth + 1, cpath, digest);
		}
	} else if (part.message) {
		if (part.cte == CTE_BASE64 || part.cte == CTE_QUOTED_PRINTABLE) {
			/* Not allowed (RFC 2046 §5.2.1), but sent: walk a
			 * decoded copy (never larger than the body). */
			struct buf dec;

			buf_init(&dec, part.body_len + 1);
			cte_decode(part.cte, part.body, part.body_len, &dec);
			ret = mime_walk_entity(w, buf_ptr(&dec), buf_len(&dec),
			    depth + 1, path, false);
			buf_free(&dec);
		} else
			ret = mime_walk_entity(w, part.body, part.body_len, depth + 1,
			    path, false);
	}
out:
	buf_free(&fname);
	free(ranges);
	rfc2231_value_destroy(&cd);
	rfc2231_value_destroy(&ct);
	rfc5322_header_destroy(&hdr);
	return ret;
}

int
mime_walk(const char *msg, size_t len, const char *fallback,
    mime_visit_fn *visit, void *ctx)
{
	struct mime_walker w = { .fallback = fallback, .visit = visit, .ctx = ctx };

	if (mime_walk_entity(&w, msg, len, 0, "", false) == 1)
		return 1;
	return w.cut ? -1 : 0;
}

int
mime_part_decode(const struct mime_part *part, struct buf *out)
{
	return cte_decode(part->cte, part->body, part->body_len, out);
}

int
mime_part_text(const struct mime_part *part, const char *fallback,
    struct buf *out)
{
	struct buf dec;
	int ret;

	/* Transfer decoding never expands, so the copy is bounded by the
	 * body; the conversion is bounded by out. */
	buf_init(&dec, part->body_len + 1);
	cte_decode(part->cte, part->body, part->body_len, &dec);
	ret = charset_to_utf8(part->charset, part->charset != NULL ?
	    strlen(part->charset) : 0, buf_ptr(&dec), buf_len(&dec), fallback, out);
	buf_free(&dec);
	return ret;
}
