/* HTML to plain text: a streaming tag and character-reference tokenizer
 * driving a small line formatter. Tolerant of broken HTML by design:
 * unclosed tags, a bare '<' in text, unquoted attributes. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/html.h"

#define HTML_NAME_MAX	16
#define HTML_ENT_MAX	32
#define HTML_NEST_MAX	16	/* quote and list levels shown */

enum html_state {
	HTML_TEXT,
	HTML_LT,		/* after '<': a tag or just a '<'? */
	HTML_TAG,
	HTML_COMMENT,
	HTML_ENTITY,
	HTML_RAW,		/* script, style, title: skipped to their end tag */
};

struct html_text {
	struct buf out;
	enum html_state state;
	bool full;

	char tag[HTML_TAG_MAX];
	size_t taglen;
	char quote;		/* inside a quoted attribute value */
	char tag_prev;		/* last non-space character of the tag */

	char ent[HTML_ENT_MAX];
	size_t entlen;

	char raw_end[HTML_NAME_MAX + 2];	/* "</script" */
	size_t raw_match;
	unsigned dashes;	/* '-' run inside a comment */

	/* The formatter. */
	bool any;		/* some text was written */
	bool line_start;
	bool space;		/* collapsed white space pending */
	unsigned breaks;	/* newlines pending before the next text */
	unsigned head, pre, quotes, lists;
	bool ordered[HTML_NEST_MAX];
	unsigned counter[HTML_NEST_MAX];
	char bullet[16];	/* pending list marker */
	unsigned cells;		/* cells so far in this table row */

	bool in_a;
	bool a_pending;		/* link text not started yet */
	size_t a_start;
	char href[HTML_URL_MAX];
	size_t hreflen;
};

static const struct {
	const char *name;
	uint32_t cp;
} html_entities[] = {
	{ "nbsp", 0xa0 }, { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "copy", 0xa9 }, { "reg", 0xae }, { "trade", 0x2122 },
	{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "sbquo", 0x201a }, { "ldquo", 0x201c }, { "rdquo", 0x201d },
	{ "bdquo", 0x201e }, { "euro", 0x20ac }, { "pound", 0xa3 }, { "yen", 0xa5 },
	{ "cent", 0xa2 }, { "sect", 0xa7 }, { "para", 0xb6 }, { "middot", 0xb7 },
	{ "bull", 0x2022 }, { "deg", 0xb0 }, { "plusmn", 0xb1 }, { "times", 0xd7 },
	{ "divide", 0xf7 }, { "frac12", 0xbd }, { "frac14", 0xbc }, { "frac34", 0xbe },
	{ "sup1", 0xb9 }, { "sup2", 0xb2 }, { "sup3", 0xb3 }, { "micro", 0xb5 },
	{ "laquo", 0xab }, { "raquo", 0xbb }, { "lsaquo", 0x2039 }, { "rsaquo", 0x203a },
	{ "iexcl", 0xa1 }, { "iquest", 0xbf }, { "shy", 0xad }, { "ordf", 0xaa },
	{ "ordm", 0xba }, { "not", 0xac }, { "macr", 0xaf }, { "acute", 0xb4 },
	{ "cedil", 0xb8 }, { "uml", 0xa8 }, { "curren", 0xa4 }, { "brvbar", 0xa6 },
	{ "dagger", 0x2020 }, { "Dagger", 0x2021 }, { "permil", 0x2030 }, { "prime", 0x2032 },
	{ "Prime", 0x2033 }, { "larr", 0x2190 }, { "uarr", 0x2191 }, { "rarr", 0x2192 },
	{ "darr", 0x2193 }, { "harr", 0x2194 }, { "lArr", 0x21d0 }, { "rArr", 0x21d2 },
	{ "hArr", 0x21d4 }, { "ne", 0x2260 }, { "le", 0x2264 }, { "ge", 0x2265 },
	{ "infin", 0x221e }, { "minus", 0x2212 }, { "asymp", 0x2248 }, { "zwnj", 0x200c },
	{ "zwj", 0x200d }, { "lrm", 0x200e }, { "rlm", 0x200f }, { "ensp", 0x2002 },
	{ "emsp", 0x2003 }, { "thinsp", 0x2009 }, { "check", 0x2713 }, { "hearts", 0x2665 },
	{ "spades", 0x2660 }, { "clubs", 0x2663 }, { "diams", 0x2666 }, { "loz", 0x25ca },
	{ "star", 0x2606 }, { "starf", 0x2605 }, { "alpha", 0x3b1 }, { "beta", 0x3b2 },
	{ "pi", 0x3c0 }, { "mu", 0x3bc }, { "Omega", 0x3a9 }, { "fnof", 0x192 },
	{ "circ", 0x2c6 }, { "tilde", 0x2dc }, { "OElig", 0x152 }, { "oelig", 0x153 },
	{ "Scaron", 0x160 }, { "scaron", 0x161 }, { "Yuml", 0x178 },
	{ "Agrave", 0xc0 }, { "Aacute", 0xc1 }, { "Acirc", 0xc2 }, { "Atilde", 0xc3 },
	{ "Auml", 0xc4 }, { "Aring", 0xc5 }, { "AElig", 0xc6 }, { "Ccedil", 0xc7 },
	{ "Egrave", 0xc8 }, { "Eacute", 0xc9 }, { "Ecirc", 0xca }, { "Euml", 0xcb },
	{ "Igrave", 0xcc }, { "Iacute", 0xcd }, { "Icirc", 0xce }, { "Iuml", 0xcf },
	{ "ETH", 0xd0 }, { "Ntilde", 0xd1 }, { "Ograve", 0xd2 }, { "Oacute", 0xd3 },
	{ "Ocirc", 0xd4 }, { "Otilde", 0xd5 }, { "Ouml", 0xd6 }, { "Oslash", 0xd8 },
	{ "Ugrave", 0xd9 }, { "Uacute", 0xda }, { "Ucirc", 0xdb }, { "Uuml", 0xdc },
	{ "Yacute", 0xdd }, { "THORN", 0xde }, { "szlig", 0xdf }, { "agrave", 0xe0 },
	{ "aacute", 0xe1 }, { "acirc", 0xe2 }, { "atilde", 0xe3 }, { "auml", 0xe4 },
	{ "aring", 0xe5 }, { "aelig", 0xe6 }, { "ccedil", 0xe7 }, { "egrave", 0xe8 },
	{ "eacute", 0xe9 }, { "ecirc", 0xea }, { "euml", 0xeb }, { "igrave", 0xec },
	{ "iacute", 0xed }, { "icirc", 0xee }, { "iuml", 0xef }, { "eth", 0xf0 },
	{ "ntilde", 0xf1 }, { "ograve", 0xf2 }, { "oacute", 0xf3 }, { "ocirc", 0xf4 },
	{ "otilde", 0xf5 }, { "ouml", 0xf6 }, { "oslash", 0xf8 }, { "ugrave", 0xf9 },
	{ "uacute", 0xfa }, { "ucirc", 0xfb }, { "uuml", 0xfc }, { "yacute", 0xfd },
	{ "thorn", 0xfe }, { "yuml", 0xff },
};

/* HTML's numeric references 0x80-0x9F mean windows-1252 characters
 * (WHATWG HTML, "numeric character reference end state"). */
static const uint16_t html_cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

static bool
html_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
html_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char
html_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

/* Resolves a reference name (without '&' and ';'): a code point, or
 * UINT32_MAX when it is no reference and stays literal text. */
static uint32_t
html_resolve(const char *name, size_t len)
{
	uint32_t cp = 0;
	size_t i, start;
	bool hex;

	if (len >= 2 && name[0] == '#') {
		hex = name[1] == 'x' || name[1] == 'X';
		start = hex ? 2 : 1;
		if (start == len)
			return UINT32_MAX;
		for (i = start; i < len; i++) {
			char c = html_lower(name[i]);
			unsigned d;

			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else
				return UINT32_MAX;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + d;
		}
		if (cp >= 0x80 && cp <= 0x9f)
			return html_cp1252[cp - 0x80];
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp < 0x20 && !html_is_space((char)cp)) || cp == 0x7f)
			return 0xfffd;
		return cp;
	}
	for (i = 0; i < sizeof html_entities / sizeof html_entities[0]; i++)
		if (strlen(html_entities[i].name) == len &&
		    memcmp(html_entities[i].name, name, len) == 0)
			return html_entities[i].cp;
	return UINT32_MAX;
}

static void
html_put(struct html_text *h, const char *s, size_t n)
{
	if (h->full)
		return;
	if (buf_add(&h->out, s, n) == -1)
		h->full = true;
}

/* Writes what must come before visible text: pending line breaks, the
 * quote and list prefix, or one collapsed space. */
static void
html_flush(struct html_text *h)
{
	unsigned i;

	if (h->any && h->breaks > 0) {
		for (i = 0; i < h->breaks; i++)
			html_put(h, "\n", 1);
		h->line_start = true;
	}
	h->breaks = 0;
	if (h->line_start || !h->any) {
		for (i = 0; i < h->quotes && i < HTML_NEST_MAX; i++)
			html_put(h, "> ", 2);
		for (i = 1; i < h->lists && i < HTML_NEST_MAX; i++)
			html_put(h, "  ", 2);
		if (h->bullet[0] != '\0')
			html_put(h, h->bullet, strlen(h->bullet));
		else if (h->lists > 0)
			html_put(h, "  ", 2);
		h->bullet[0] = '\0';
		h->space = false;
	} else if (h->space) {
		html_put(h, " ", 1);
		h->space = false;
	}
	h->line_start = false;
	h->any = true;
	/* The link's text starts here, after any break, prefix or space. */
	if (h->a_pending) {
		h->a_start = buf_len(&h->out);
		h->a_pending = false;
	}
}

static void
html_block(struct html_text *h, unsigned n)
{
	if (h->breaks < n)
		h->breaks = n;
	h->space = false;
}

/* One character of document text (not markup). */
static void
html_text_char(struct html_text *h, char c)
{
	if (h->head > 0)
		return;
	if (h->pre > 0) {
		if (c == '\r')
			return;
		if (c == '\n') {
			if (h->any)
				html_put(h, "\n", 1);
			h->line_start = true;
			return;
		}
		html_flush(h);
		html_put(h, &c, 1);
		return;
	}
	if (html_is_space(c)) {
		h->space = true;
		return;
	}
	html_flush(h);
	html_put(h, &c, 1);
}

static void
html_text_cp(struct html_text *h, uint32_t cp)
{
	char u[4];
	size_t n, i;

	if (cp < 0x80) {
		html_text_char(h, (char)cp);
		return;
	}
	if (h->head > 0)
		return;
	/* A no-break space is a space that never collapses. */
	if (cp == 0xa0)
		cp = ' ';
	n = str_utf8_encode(cp, u);
	html_flush(h);
	for (i = 0; i < n; i++)
		html_put(h, &u[i], 1);
}

/* The value of attribute name in the tag text, references decoded,
 * into out (size outsize); returns its length or -1 when absent. */
static long
html_attr(const char *tag, size_t len, const char *name, char *out, size_t outsize)
{
	size_t i = 0, nlen = strlen(name), vs, ve, o = 0;

	while (i < len && !html_is_space(tag[i]) && tag[i] != '/')
		i++;		/* the tag name */
	while (i < len) {
		size_t ns, ne;
		char q = 0;

		while (i < len && (html_is_space(tag[i]) || tag[i] == '/'))
			i++;
		ns = i;
		while (i < len && !html_is_space(tag[i]) && tag[i] != '=' && tag[i] != '/')
			i++;
		ne = i;
		while (i < len && html_is_space(tag[i]))
			i++;
		vs = ve = i;
		if (i < len && tag[i] == '=') {
			i++;
			while (i < len && html_is_space(tag[i]))
				i++;
			if (i < len && (tag[i] == '"' || tag[i] == '\''))
				q = tag[i++];
			vs = i;
			while (i < len && (q != 0 ? tag[i] != q : !html_is_space(tag[i])))
				i++;
			ve = i;
			if (q != 0 && i < len)
				i++;
		}
		if (ne == ns) {
			if (i == ns)
				i++;	/* a stray '=' */
			continue;
		}
		if (ne - ns == nlen) {
			size_t k;

			for (k = 0; k < nlen && html_lower(tag[ns + k]) == name[k]; k++)
				;
			if (k < nlen)
				continue;
			/* Decode references inside the value. */
			for (k = vs; k < ve;) {
				uint32_t cp = UINT32_MAX;
				size_t e = k + 1;
				char u[4];
				size_t n;

				if (tag[k] == '&') {
					while (e < ve && e - k <= HTML_ENT_MAX &&
					    (html_is_alnum(tag[e]) || tag[e] == '#'))
						e++;
					cp = html_resolve(tag + k + 1, e - k - 1);
				}
				if (cp == UINT32_MAX) {
					u[0] = tag[k];
					n = 1;
					e = k + 1;
				} else {
					n = str_utf8_encode(cp, u);
					if (e < ve && tag[e] == ';')
						e++;
				}
				if (o + n >= outsize)
					return -1;	/* too long to be useful */
				memcpy(out + o, u, n);
				o += n;
				k = e;
			}
			out[o] = '\0';
			return (long)o;
		}
	}
	return -1;
}

static void
html_end_link(struct html_text *h)
{
	const char *text = buf_ptr(&h->out) + h->a_start, *url = h->href;
	size_t tlen = buf_len(&h->out) - h->a_start, ulen = h->hreflen;

	if (h->a_pending)
		tlen = 0;
	h->in_a = false;
	h->a_pending = false;
	if (h->full || ulen == 0 || url[0] == '#' ||
	    (ulen >= 11 && memcmp(url, "javascript:", 11) == 0))
		return;
	while (tlen > 0 && html_is_space(*text)) {
		text++;
		tlen--;
	}
	while (tlen > 0 && html_is_space(text[tlen - 1]))
		tlen--;
	if (tlen == ulen && memcmp(text, url, ulen) == 0)
		return;
	if (ulen > 7 && memcmp(url, "mailto:", 7) == 0 && tlen == ulen - 7 &&
	    memcmp(text, url + 7, tlen) == 0)
		return;
	if (tlen > 0) {
		html_put(h, " [", 2);
	} else {
		html_flush(h);
		html_put(h, "[", 1);
	}
	html_put(h, url, ulen);
	html_put(h, "]", 1);
}

static bool
html_name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

static const char *const html_blocks[] = {
	"div", "ul", "ol", "dl", "dt", "dd", "table", "section", "article", "header",
	"footer", "nav", "aside", "form", "address", "figure", "figcaption", "main",
	"center", "tbody", "thead", "tfoot", "caption", "body", "html", NULL
};
static const char *const html_paras[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", NULL
};

static void
html_start_raw(struct html_text *h, const char *name)
{
	size_t n = strlen(name);

	h->raw_end[0] = '<';
	h->raw_end[1] = '/';
	memcpy(h->raw_end + 2, name, n + 1);
	h->raw_match = 0;
	h->state = HTML_RAW;
}

static void
html_tag(struct html_text *h)
{
	char name[HTML_NAME_MAX], val[HTML_URL_MAX];
	const char *t = h->tag;
	size_t len = h->taglen, i = 0, k = 0;
	bool closing = false;
	long n;

	if (len > 0 && (t[0] == '!' || t[0] == '?'))
		return;		/* <!DOCTYPE>, <?xml?> */
	if (len > 0 && t[0] == '/') {
		closing = true;
		i++;
	}
	for (; i < len && html_is_alnum(t[i]); i++)
		if (k + 1 < sizeof name)
			name[k++] = html_lower(t[i]);
	name[k] = '\0';
	if (k == 0)
		return;

	if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
	    strcmp(name, "title") == 0 || strcmp(name, "template") == 0) {
		if (!closing && !(len > 0 && t[len - 1] == '/'))
			html_start_raw(h, name);
		return;
	}
	if (strcmp(name, "head") == 0) {
		if (closing) {
			if (h->head > 0)
				h->head--;
		} else
			h->head = 1;
		return;
	}
	if (strcmp(name, "body") == 0)
		h->head = 0;
	if (strcmp(name, "br") == 0) {
		if (h->any && h->head == 0) {
			h->breaks++;
			h->space = false;
		}
		return;
	}
	if (html_name_in(name, html_paras)) {
		html_block(h, 2);
		return;
	}
	if (strcmp(name, "pre") == 0) {
		html_block(h, 1);
		if (closing) {
			if (h->pre > 0)
				h->pre--;
		} else
			h->pre++;
		return;
	}
	if (strcmp(name, "blockquote") == 0) {
		html_block(h, 1);
		if (closing) {
			if (h->quotes > 0)
				h->quotes--;
		} else
			h->quotes++;
		return;
	}
	if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
		html_block(h, 1);
		if (closing) {
			if (h->lists > 0)
				h->lists--;
		} else {
			if (h->lists < HTML_NEST_MAX) {
				h->ordered[h->lists] = name[0] == 'o';
				h->counter[h->lists] = 0;
			}
			h->lists++;
		}
		h->bullet[0] = '\0';
		return;
	}
	if (strcmp(name, "li") == 0) {
		html_block(h, 1);
		if (closing)
			return;
		if (h->lists == 0 || h->lists > HTML_NEST_MAX || !h->ordered[h->lists - 1])
			memcpy(h->bullet, "* ", 3);
		else {
			unsigned c = ++h->counter[h->lists - 1], d = 0, p;
			char digits[12];

			do {
				digits[d++] = (char)('0' + c % 10);
				c /= 10;
			} while (c > 0 && d < sizeof digits);
			for (p = 0; p < d; p++)
				h->bullet[p] = digits[d - 1 - p];
			memcpy(h->bullet + d, ". ", 3);
		}
		return;
	}
	if (strcmp(name, "tr") == 0) {
		html_block(h, 1);
		h->cells = 0;
		return;
	}
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		if (!closing && h->cells++ > 0 && h->head == 0) {
			html_flush(h);
			html_put(h, " |", 2);
			h->space = true;
		}
		return;
	}
	if (strcmp(name, "hr") == 0) {
		html_block(h, 1);
		if (h->head == 0) {
			html_flush(h);
			html_put(h, "----------", 10);
			html_block(h, 1);
		}
		return;
	}
	if (html_name_in(name, html_blocks)) {
		html_block(h, 1);
		return;
	}
	if (strcmp(name, "a") == 0) {
		if (h->in_a)
			html_end_link(h);
		if (closing || h->head > 0)
			return;
		n = html_attr(t, len, "href", val, sizeof val);
		if (n <= 0)
			return;
		h->in_a = true;
		h->a_pending = true;
		h->a_start = buf_len(&h->out);
		memcpy(h->href, val, (size_t)n);
		h->hreflen = (size_t)n;
		return;
	}
	if (strcmp(name, "img") == 0 && h->head == 0) {
		n = html_attr(t, len, "alt", val, sizeof val);
		if (n > 0) {
			size_t j;

			html_flush(h);
			html_put(h, "[", 1);
			/* The alt text is text: its white space collapses. */
			for (j = 0; j < (size_t)n; j++)
				html_put(h, html_is_space(val[j]) ? " " : &val[j], 1);
			html_put(h, "]", 1);
		}
		return;
	}
}

static void
html_entity_end(struct html_text *h, bool semicolon)
{
	uint32_t cp = html_resolve(h->ent, h->entlen);
	size_t i;

	h->state = HTML_TEXT;
	if (cp != UINT32_MAX) {
		html_text_cp(h, cp);
		return;
	}
	/* Not a reference: the text stays as it was written. */
	html_text_char(h, '&');
	for (i = 0; i < h->entlen; i++)
		html_text_char(h, h->ent[i]);
	if (semicolon)
		html_text_char(h, ';');
}

static void
html_byte(struct html_text *h, char c)
{
	switch (h->state) {
	case HTML_TEXT:
		if (c == '<')
			h->state = HTML_LT;
		else if (c == '&') {
			h->state = HTML_ENTITY;
			h->entlen = 0;
		} else
			html_text_char(h, c);
		return;
	case HTML_LT:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' ||
		    c == '!' || c == '?') {
			h->state = HTML_TAG;
			h->taglen = 0;
			h->quote = 0;
			h->tag_prev = 0;
			h->tag[h->taglen++] = c;
			return;
		}
		/* "a < b": a '<' that starts no tag is text. */
		h->state = HTML_TEXT;
		html_text_char(h, '<');
		html_byte(h, c);
		return;
	case HTML_TAG:
		if (h->quote != 0) {
			if (c == h->quote)
				h->quote = 0;
		} else if ((c == '"' || c == '\'') && h->tag_prev == '=') {
			h->quote = c;
		} else if (c == '>') {
			h->state = HTML_TEXT;
			html_tag(h);
			return;
		}
		if (!html_is_space(c))
			h->tag_prev = c;
		if (h->taglen < HTML_TAG_MAX)
			h->tag[h->taglen++] = c;
		if (h->taglen == 3 && memcmp(h->tag, "!--", 3) == 0) {
			h->state = HTML_COMMENT;
			h->dashes = 0;
		}
		return;
	case HTML_COMMENT:
		if (c == '>' && h->dashes >= 2)
			h->state = HTML_TEXT;
		else if (c == '-')
			h->dashes++;
		else
			h->dashes = 0;
		return;
	case HTML_ENTITY:
		if ((html_is_alnum(c) || (c == '#' && h->entlen == 0)) &&
		    h->entlen < HTML_ENT_MAX) {
			h->ent[h->entlen++] = c;
			return;
		}
		if (c == ';') {
			html_entity_end(h, true);
			return;
		}
		html_entity_end(h, false);
		html_byte(h, c);
		return;
	case HTML_RAW:
		if (html_lower(c) == h->raw_end[h->raw_match]) {
			if (h->raw_end[++h->raw_match] == '\0') {
				/* Read the rest of the end tag as a tag. */
				h->state = HTML_TAG;
				h->taglen = 0;
				h->quote = 0;
				h->tag_prev = 0;
				h->tag[h->taglen++] = '/';
			}
		} else
			h->raw_match = c == '<' ? 1 : 0;
		return;
	}
}

struct html_text *
html_text_create(size_t max)
{
	struct html_text *h = xcalloc(1, sizeof *h);

	buf_init(&h->out, max);
	h->state = HTML_TEXT;
	h->line_start = true;
	return h;
}

void
html_text_destroy(struct html_text **hp)
{
	if (*hp == NULL)
		return;
	buf_free(&(*hp)->out);
	free(*hp);
	*hp = NULL;
}

int
html_text_feed(struct html_text *h, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len && !h->full; i++)
		html_byte(h, data[i]);
	return h->full ? -1 : 0;
}

int
html_text_finish(struct html_text *h)
{
	if (h->state == HTML_LT)
		html_text_char(h, '<');
	else if (h->state == HTML_ENTITY)
		html_entity_end(h, false);
	h->state = HTML_TEXT;
	if (h->in_a)
		html_end_link(h);
	if (h->any && !h->line_start)
		html_put(h, "\n", 1);
	h->line_start = true;
	h->breaks = 0;
	return h->full ? -1 : 0;
}

const char *
html_text_output(const struct html_text *h, size_t *len_r)
{
	*len_r = buf_len(&h->out);
	return buf_ptr(&h->out);
}

int
html_to_text(const char *html, size_t len, struct buf *out)
{
	/* Output grows at most by the quote and list prefixes per line;
	 * 40 bytes per input byte covers the worst case. */
	struct html_text *h = html_text_create(len > SIZE_MAX / 40 - 64 ? SIZE_MAX : len * 40 + 64);
	const char *s;
	size_t n;
	int r = 0;

	if (html_text_feed(h, html, len) == -1 || html_text_finish(h) == -1)
		r = -1;
	s = html_text_output(h, &n);
	if (buf_add(out, s, n) == -1)
		r = -1;
	html_text_destroy(&h);
	return r;
}
