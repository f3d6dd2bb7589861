/* RFC 2047 encoded words: decoding header text, and encoding it for
 * outgoing mail. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "mime/charset.h"
#include "mime/cte.h"
#include "mime/rfc2047.h"

struct rfc2047_word {
	const char *charset;	/* without the "*lang" suffix (RFC 2231 §5) */
	size_t charset_len;
	char enc;		/* 'B' or 'Q' */
	const char *text;
	size_t text_len;
	size_t len;		/* of the whole word */
};

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Recognises an encoded word at p (RFC 2047 §2): "=?" charset "?"
 * encoding "?" text "?=", with no whitespace or '?' inside the text. */
static bool
rfc2047_word_parse(const char *p, size_t len, struct rfc2047_word *w)
{
	size_t i = 2, j;

	if (len > RFC2047_WORD_MAX)
		len = RFC2047_WORD_MAX;
	if (len < 8 || p[0] != '=' || p[1] != '?')
		return false;
	w->charset = p + 2;
	while (i < len && p[i] != '?' && !is_wsp(p[i]))
		i++;
	if (i + 4 > len || p[i] != '?' || i == 2)
		return false;
	w->charset_len = i - 2;
	for (j = 0; j < w->charset_len; j++) {
		if (w->charset[j] == '*') {
			w->charset_len = j;
			break;
		}
	}
	i++;
	w->enc = p[i];
	if (w->enc == 'b')
		w->enc = 'B';
	else if (w->enc == 'q')
		w->enc = 'Q';
	if ((w->enc != 'B' && w->enc != 'Q') || p[i + 1] != '?')
		return false;
	i += 2;
	w->text = p + i;
	while (i < len && p[i] != '?' && !is_wsp(p[i]))
		i++;
	if (i + 1 >= len || p[i] != '?' || p[i + 1] != '=')
		return false;
	w->text_len = (size_t)(p + i - w->text);
	w->len = i + 2;
	if (w->enc == 'B') {
		/* Not base64 at all: leave the word readable as it is. */
		for (j = 0; j < w->text_len; j++) {
			char c = w->text[j];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
				return false;
		}
	}
	return true;
}

struct rfc2047_state {
	struct buf *out;
	const char *fallback;
	struct buf pending;		/* decoded bytes of adjacent words */
	const char *charset;		/* of the pending bytes */
	size_t charset_len;
	int ret;
};

static void
rfc2047_flush(struct rfc2047_state *st)
{
	if (buf_len(&st->pending) == 0)
		return;
	if (charset_to_utf8(st->charset, st->charset_len, buf_ptr(&st->pending),
	    buf_len(&st->pending), st->fallback, st->out) != 0)
		st->ret = -1;
	buf_reset(&st->pending);
}

static bool
same_charset(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static void
rfc2047_raw(struct rfc2047_state *st, const char *p, size_t len)
{
	rfc2047_flush(st);
	if (len > 0 && charset_to_utf8(NULL, 0, p, len, st->fallback, st->out) != 0)
		st->ret = -1;
}

int
rfc2047_decode(const char *src, size_t len, const char *fallback,
    struct buf *out)
{
	struct rfc2047_state st = { .out = out, .fallback = fallback };
	struct rfc2047_word w;
	size_t i = 0, text_start = 0;
	bool after_word = false;

	/* Decoded text is never longer than the encoded text. */
	buf_init(&st.pending, len + 1);
	while (i < len && st.ret == 0) {
		if (src[i] != '=' || i + 1 >= len || src[i + 1] != '?' ||
		    !rfc2047_word_parse(src + i, len - i, &w)) {
			if (after_word && !is_wsp(src[i]))
				after_word = false;
			i++;
			continue;
		}
		/* Text before the word; whitespace alone between two encoded
		 * words is dropped (RFC 2047 §6.2). */
		if (!after_word && i > text_start)
			rfc2047_raw(&st, src + text_start, i - text_start);
		if (buf_len(&st.pending) > 0 &&
		    !same_charset(st.charset, st.charset_len, w.charset, w.charset_len))
			rfc2047_flush(&st);
		st.charset = w.charset;
		st.charset_len = w.charset_len;
		if (w.enc == 'B')
			cte_base64_decode(w.text, w.text_len, &st.pending);
		else
			cte_qp_decode(w.text, w.text_len, true, &st.pending);
		i += w.len;
		text_start = i;
		after_word = true;
	}
	if (st.ret == 0)
		rfc2047_raw(&st, src + text_start, len - text_start);
	if (st.ret == 0)
		rfc2047_flush(&st);
	buf_free(&st.pending);
	return st.ret;
}

/* ---- encoding ---- */

#define RFC2047_LINE 78		/* the line length a folded header keeps to */
#define RFC2047_ENC_MAX 75	/* RFC 2047 §2: an encoded word's length */
#define RFC2047_OVERHEAD 12	/* "=?utf-8?Q?" and "?=" */
#define RFC2047_PLAIN_WORD 70	/* longer plain words are encoded (split) */

/* Only spaces and tabs separate plain words: a CR or LF must never reach
 * a header line unencoded. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool
rfc2047_needs_encoding(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < ' ' || (unsigned char)text[i] >= 0x7f)
			return true;
	return false;
}

/* Characters Q may leave as they are, in a phrase or in text. */
static bool
rfc2047_q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t
rfc2047_q_size(unsigned char c)
{
	return rfc2047_q_plain(c) || c == ' ' ? 1 : 3;
}

/* Whether the word of len bytes (no whitespace inside) can stay plain. */
static bool
rfc2047_word_plain(const char *w, size_t len)
{
	size_t i;

	if (len > RFC2047_PLAIN_WORD || rfc2047_needs_encoding(w, len))
		return false;
	for (i = 0; i + 1 < len; i++)
		if (w[i] == '=' && w[i + 1] == '?')
			return false;
	return true;
}

/* Appends plain words, folding before the whitespace that precedes a word
 * which would pass the line length. */
static int
rfc2047_fold_plain(const char *text, size_t len, size_t *col, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		size_t ws = i, w;

		while (i < len && is_blank(text[i]))
			i++;
		w = i;
		while (i < len && !is_blank(text[i]))
			i++;
		if (*col + (i - ws) > RFC2047_LINE && *col > 1 && w > ws) {
			if (buf_add(out, "\r\n", 2) != 0)
				return -1;
			*col = 0;
		}
		if (buf_add(out, text + ws, i - ws) != 0)
			return -1;
		*col += i - ws;
	}
	return 0;
}

/* The length of the UTF-8 character at p (1 for a stray byte). */
static size_t
rfc2047_char_len(const char *p, size_t len)
{
	uint32_t cp;
	size_t n = str_utf8_decode(p, len, &cp);

	return n == 0 ? 1 : n;
}

static int
rfc2047_put_word(const char *p, size_t n, bool b64, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (buf_addstr(out, b64 ? "=?utf-8?B?" : "=?utf-8?Q?") != 0)
		return -1;
	if (b64) {
		if (cte_base64_encode(p, n, 0, out) != 0)
			return -1;
	} else {
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			char esc[3] = { '=', hex[c >> 4], hex[c & 15] };

			if (c == ' ' ? buf_addc(out, '_') != 0 : rfc2047_q_plain(c) ?
			    buf_addc(out, (char)c) != 0 : buf_add(out, esc, 3) != 0)
				return -1;
		}
	}
	return buf_addstr(out, "?=");
}

/* Encoded words for all of text, each fitting the line it starts on. */
static int
rfc2047_encode_words(const char *text, size_t len, size_t *col, struct buf *out)
{
	size_t qlen = 0, i, start = 0, room;
	bool b64;

	for (i = 0; i < len; i++)
		qlen += rfc2047_q_size((unsigned char)text[i]);
	b64 = qlen > (len + 2) / 3 * 4;
	while (start < len) {
		size_t end = start, size = 0;

		room = RFC2047_LINE > *col + RFC2047_OVERHEAD ?
		    RFC2047_LINE - *col - RFC2047_OVERHEAD : 0;
		if (room > RFC2047_ENC_MAX - RFC2047_OVERHEAD)
			room = RFC2047_ENC_MAX - RFC2047_OVERHEAD;
		if (room < 8 && *col > 1) {
			/* Too little left on this line: start a new one. */
			if (buf_add(out, "\r\n ", 3) != 0)
				return -1;
			*col = 1;
			continue;
		}
		while (end < len) {
			size_t n = rfc2047_char_len(text + end, len - end), add = 0, k;

			if (b64)
				add = (end - start + n + 2) / 3 * 4 - size;
			else
				for (k = 0; k < n; k++)
					add += rfc2047_q_size((unsigned char)text[end + k]);
			if (size + add > room && end > start)
				break;
			size += add;
			end += n;
		}
		if (rfc2047_put_word(text + start, end - start, b64, out) != 0)
			return -1;
		*col += RFC2047_OVERHEAD + size;
		start = end;
		if (start < len) {
			if (buf_add(out, "\r\n ", 3) != 0)
				return -1;
			*col = 1;
		}
	}
	return 0;
}

int
rfc2047_encode(const char *text, size_t len, size_t col, bool phrase, struct buf *out)
{
	size_t before = buf_len(out), plain = 0, i = 0;

	/* The plain prefix: whole words that need no encoding, up to the
	 * whitespace before the first one that does. */
	while (!phrase && i < len) {
		size_t w;

		while (i < len && is_blank(text[i]))
			i++;
		w = i;
		while (i < len && !is_blank(text[i]))
			i++;
		if (!rfc2047_word_plain(text + w, i - w))
			break;
		plain = i;
	}
	if (rfc2047_fold_plain(text, plain, &col, out) != 0)
		goto full;
	if (plain < len) {
		size_t ws = plain;

		/* Whitespace between the plain words and the first encoded
		 * word stays plain (one space), the rest goes inside words. */
		if (ws > 0 && ws < len && is_blank(text[ws])) {
			if (buf_addc(out, text[ws]) != 0)
				goto full;
			col++;
			ws++;
		}
		if (rfc2047_encode_words(text + ws, len - ws, &col, out) != 0)
			goto full;
	}
	return 0;
full:
	buf_truncate(out, before);
	return -1;
}
