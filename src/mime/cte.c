/* Content-Transfer-Encoding decoding: base64, quoted-printable and the
 * identity encodings (RFC 2045 §6). */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "mime/cte.h"

#define CTE_CHUNK 4096

struct cte_out {
	struct buf *buf;
	char chunk[CTE_CHUNK];
	size_t n;
	bool full;
};

/* Appends as much as fits: binary data, so any cut is as good as another. */
static void
cte_add_fit(struct cte_out *o, const char *p, size_t len)
{
	size_t lo = 0, hi = len, mid;

	if (o->full)
		return;
	if (buf_add(o->buf, p, len) == 0)
		return;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (buf_add(o->buf, p, mid) == 0) {
			buf_truncate(o->buf, buf_len(o->buf) - mid);
			lo = mid;
		} else
			hi = mid - 1;
	}
	if (lo > 0)
		buf_add(o->buf, p, lo);
	o->full = true;
}

static void
cte_flush(struct cte_out *o)
{
	cte_add_fit(o, o->chunk, o->n);
	o->n = 0;
}

static void
cte_put(struct cte_out *o, char c)
{
	if (o->n == sizeof(o->chunk))
		cte_flush(o);
	o->chunk[o->n++] = c;
}

static int
cte_finish(struct cte_out *o)
{
	cte_flush(o);
	return o->full ? -1 : 0;
}

int
cte_base64_decode(const char *src, size_t len, struct buf *out)
{
	struct cte_out o = { .buf = out };
	unsigned long acc = 0;
	size_t i;
	int bits = 0, v;

	for (i = 0; i < len && !o.full; i++) {
		if (src[i] == '=') {
			/* Padding: drop the partial quantum's spare bits. Some
			 * mailers glue encoded pieces together, so go on after. */
			acc = 0;
			bits = 0;
			continue;
		}
		if ((v = str_base64_value((unsigned char)src[i], '+', '/')) < 0)
			continue;	/* RFC 2045 §6.8: ignore what's not in the alphabet */
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			cte_put(&o, (char)((acc >> bits) & 0xff));
		}
	}
	return cte_finish(&o);
}

int
cte_qp_decode(const char *src, size_t len, bool header, struct buf *out)
{
	struct cte_out o = { .buf = out };
	size_t i = 0, j;
	int hi, lo;

	while (i < len && !o.full) {
		char c = src[i];

		if (header && c == '_') {
			cte_put(&o, ' ');
			i++;
			continue;
		}
		if (c != '=') {
			cte_put(&o, c);
			i++;
			continue;
		}
		if (i + 2 < len && (hi = str_hexval(src[i + 1])) >= 0 &&
		    (lo = str_hexval(src[i + 2])) >= 0) {
			cte_put(&o, (char)(hi * 16 + lo));
			i += 3;
			continue;
		}
		if (!header) {
			/* Soft line break (RFC 2045 §6.7 rule 5), allowing the
			 * trailing whitespace rule 3 says to ignore. */
			j = i + 1;
			while (j < len && (src[j] == ' ' || src[j] == '\t'))
				j++;
			if (j < len && src[j] == '\r' && j + 1 < len && src[j + 1] == '\n') {
				i = j + 2;
				continue;
			}
			if (j < len && src[j] == '\n') {
				i = j + 1;
				continue;
			}
			if (j == len) {
				i = j;
				continue;
			}
		}
		/* A bad escape is kept as it came. */
		cte_put(&o, '=');
		i++;
	}
	return cte_finish(&o);
}

static int
cte_copy(const char *src, size_t len, struct buf *out)
{
	struct cte_out o = { .buf = out };

	cte_add_fit(&o, src, len);
	return o.full ? -1 : 0;
}

int
cte_decode(enum cte cte, const char *src, size_t len, struct buf *out)
{
	switch (cte) {
	case CTE_BASE64:
		return cte_base64_decode(src, len, out);
	case CTE_QUOTED_PRINTABLE:
		return cte_qp_decode(src, len, false, out);
	default:
		return cte_copy(src, len, out);
	}
}

size_t
cte_decoded_size_estimate(enum cte cte, size_t len)
{
	switch (cte) {
	case CTE_BASE64:
		return len / 4 * 3 + 3;
	default:
		return len;
	}
}

int
cte_base64_encode(const void *src, size_t len, size_t line_max, struct buf *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = src;
	size_t before = buf_len(out), col = 0, i;

	for (i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = digits[v >> 18 & 63];
		q[1] = digits[v >> 12 & 63];
		q[2] = i + 1 < len ? digits[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? digits[v & 63] : '=';
		if (buf_add(out, q, 4) != 0)
			goto full;
		col += 4;
		if (line_max > 0 && (col >= line_max || i + 3 >= len)) {
			if (buf_add(out, "\r\n", 2) != 0)
				goto full;
			col = 0;
		}
	}
	return 0;
full:
	buf_truncate(out, before);
	return -1;
}

/* Appends one quoted-printable token, breaking the line softly first
 * when it would pass 76 characters (75 and the '='). */
static int
cte_qp_token(struct buf *out, size_t *col, const char *tok, size_t n)
{
	if (*col + n > 75) {
		if (buf_add(out, "=\r\n", 3) != 0)
			return -1;
		*col = 0;
	}
	*col += n;
	return buf_add(out, tok, n);
}

int
cte_qp_encode(const char *src, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t before = buf_len(out), col = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		bool line_end = i + 1 == len || src[i + 1] == '\n' ||
		    (src[i + 1] == '\r' && i + 2 < len && src[i + 2] == '\n');
		char esc[3] = { '=', hex[c >> 4], hex[c & 15] };
		int r;

		if (c == '\n' || (c == '\r' && i + 1 < len && src[i + 1] == '\n')) {
			if (c == '\r')
				i++;
			r = buf_add(out, "\r\n", 2);
			col = 0;
		} else if ((c == ' ' || c == '\t') && !line_end) {
			r = cte_qp_token(out, &col, src + i, 1);
		} else if (c == 'F' && col == 0 && len - i >= 5 && memcmp(src + i, "From ", 5) == 0) {
			r = cte_qp_token(out, &col, esc, 3);
		} else if (c > ' ' && c < 0x7f && c != '=') {
			r = cte_qp_token(out, &col, src + i, 1);
		} else {
			r = cte_qp_token(out, &col, esc, 3);
		}
		if (r != 0) {
			buf_truncate(out, before);
			return -1;
		}
	}
	return 0;
}

static const char *const cte_names[] = {
	[CTE_7BIT] = "7bit",
	[CTE_8BIT] = "8bit",
	[CTE_BINARY] = "binary",
	[CTE_QUOTED_PRINTABLE] = "quoted-printable",
	[CTE_BASE64] = "base64",
	[CTE_UNKNOWN] = "unknown",
};

const char *
cte_name(enum cte cte)
{
	return cte_names[cte];
}

enum cte
cte_parse(const char *value, size_t len)
{
	char word[32];
	size_t i = 0, n = 0;

	if (value == NULL)
		return CTE_7BIT;
	while (i < len && (value[i] == ' ' || value[i] == '\t' ||
	    value[i] == '\r' || value[i] == '\n' || value[i] == '"'))
		i++;
	while (i < len && n < sizeof(word) - 1 && value[i] != ' ' &&
	    value[i] != '\t' && value[i] != '\r' && value[i] != '\n' &&
	    value[i] != '(' && value[i] != ';' && value[i] != '"')
		word[n++] = value[i++];
	word[n] = '\0';
	if (n == 0)
		return CTE_7BIT;
	for (i = 0; i < sizeof(cte_names) / sizeof(cte_names[0]); i++)
		if (i != CTE_UNKNOWN && str_caseeq(word, cte_names[i]))
			return (enum cte)i;
	/* Seen in the wild. */
	if (str_caseeq(word, "quoted_printable") || str_caseeq(word, "qp"))
		return CTE_QUOTED_PRINTABLE;
	return CTE_UNKNOWN;
}
