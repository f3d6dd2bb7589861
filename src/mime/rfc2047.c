/* RFC 2047 encoded-word decoding for header text. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
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
