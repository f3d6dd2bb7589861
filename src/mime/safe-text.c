/* Terminal-safe rendering and display width of text from mail. */
#include "config.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "lib/str.h"
#include "mime/safe-text.h"

#define SAFE_TEXT_REPLACEMENT	0xfffd

size_t
safe_text_decode(const char *s, size_t len, uint32_t *cp_r)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t cp;
	size_t need, i;

	if (p[0] < 0x80) {
		*cp_r = p[0];
		return 1;
	}
	/* RFC 3629 section 4: the second byte's range rules out overlongs,
	 * surrogates and code points over U+10FFFF. */
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 1;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		cp = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		cp = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		*cp_r = SAFE_TEXT_REPLACEMENT;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || p[i] < lo || p[i] > hi) {
			*cp_r = SAFE_TEXT_REPLACEMENT;
			return i;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp_r = cp;
	return need + 1;
}

static bool
safe_text_is_emoji(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) ||
	    cp == 0xfe0f;
}

bool
safe_text_forbidden(uint32_t cp, enum safe_text_mode mode)
{
	if (cp < 0x20)
		return !(mode == SAFE_TEXT_BODY && (cp == '\t' || cp == '\n'));
	if (cp < 0x7f)
		return false;
	if (cp <= 0x9f)
		return true;		/* DEL and C1 */
	if (cp == 0xad)
		return mode == SAFE_TEXT_HEADER;
	if (cp == 0x061c || cp == 0x180e)
		return true;
	if (cp >= 0x200b && cp <= 0x200f)
		return true;		/* zero width, ZWJ, LRM, RLM */
	if (cp >= 0x2028 && cp <= 0x202e)
		return true;		/* separators, embeddings, overrides */
	if (cp >= 0x2060 && cp <= 0x206f)
		return true;		/* joiners, isolates, deprecated formats */
	if (cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb))
		return true;
	if (cp >= 0xe0000 && cp <= 0xe007f)
		return true;		/* tag characters */
	return false;
}

static int
safe_text_put_cp(struct buf *out, uint32_t cp)
{
	char u[4];

	return buf_add(out, u, str_utf8_encode(cp, u));
}

static int
safe_text_put_placeholder(struct buf *out, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char t[12];
	size_t n = 0;
	int shift;

	/* Control pictures (U+2400 block) keep the width of one column. */
	if (cp < 0x20)
		return safe_text_put_cp(out, 0x2400 + cp);
	if (cp == 0x7f)
		return safe_text_put_cp(out, 0x2421);
	t[n++] = '<';
	t[n++] = 'U';
	t[n++] = '+';
	for (shift = cp > 0xffff ? 16 : 12; shift >= 0; shift -= 4)
		t[n++] = hex[(cp >> shift) & 0xf];
	t[n++] = '>';
	return buf_add(out, t, n);
}

int
safe_text_append(struct buf *out, const char *s, size_t len, enum safe_text_mode mode)
{
	uint32_t cp, prev = 0, next;
	size_t i = 0, n;
	int r;

	while (i < len) {
		/* Printable ASCII, most of any mail, passes as it is: copy the
		 * whole run at once. */
		for (n = 0; i + n < len && (unsigned char)s[i + n] >= 0x20 &&
		    (unsigned char)s[i + n] < 0x7f; n++)
			;
		if (n > 0) {
			if (buf_add(out, s + i, n) == -1) {
				/* Keep what fits, as the slow path would. */
				size_t room = out->max > out->len ? out->max - out->len : 0;

				if (room > 0)
					(void)buf_add(out, s + i, room < n ? room : n);
				return -1;
			}
			prev = (unsigned char)s[i + n - 1];
			i += n;
			continue;
		}
		n = safe_text_decode(s + i, len - i, &cp);
		if (cp == '\r' && i + n < len && s[i + n] == '\n') {
			/* CRLF is one line end (RFC 5322 section 2.1). */
			n++;
			cp = '\n';
		}
		if (mode == SAFE_TEXT_HEADER && (cp == '\t' || cp == '\r' || cp == '\n'))
			r = buf_addc(out, ' ');
		else if (cp == 0x200d && safe_text_is_emoji(prev) && i + n < len &&
		    (safe_text_decode(s + i + n, len - i - n, &next), safe_text_is_emoji(next)))
			r = safe_text_put_cp(out, cp);
		else if (safe_text_forbidden(cp, mode))
			r = safe_text_put_placeholder(out, cp);
		else
			r = safe_text_put_cp(out, cp);
		if (r == -1)
			return -1;
		prev = cp;
		i += n;
	}
	return 0;
}

char *
safe_text_line(const char *s, size_t len, size_t max)
{
	struct buf b;
	char *line;

	buf_init(&b, max);
	(void)safe_text_append(&b, s, len, SAFE_TEXT_HEADER);
	line = buf_len(&b) > 0 ? buf_detach(&b) : xstrdup("");
	buf_free(&b);
	return line;
}

struct safe_text_range {
	uint32_t lo, hi;
};

/* The built-in table, used when the C library cannot tell (no UTF-8
 * locale): the main combining blocks and the East Asian Wide and
 * Fullwidth ranges (Unicode UAX #11), emoji included. */
static const struct safe_text_range safe_text_zero[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x05bf, 0x05bf },
	{ 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 }, { 0x05c7, 0x05c7 }, { 0x0610, 0x061a },
	{ 0x064b, 0x065f }, { 0x0670, 0x0670 }, { 0x06d6, 0x06dc }, { 0x06df, 0x06e4 },
	{ 0x06e7, 0x06e8 }, { 0x06ea, 0x06ed }, { 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a },
	{ 0x0e47, 0x0e4e }, { 0x1160, 0x11ff }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
	{ 0x200b, 0x200f }, { 0x20d0, 0x20ff }, { 0x302a, 0x302d }, { 0x3099, 0x309a },
	{ 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f }, { 0xe0100, 0xe01ef },
};

static const struct safe_text_range safe_text_wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
	{ 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 }, { 0x25fd, 0x25fe }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267f, 0x267f }, { 0x2693, 0x2693 }, { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 }, { 0x26ce, 0x26ce },
	{ 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea }, { 0x26f2, 0x26f3 }, { 0x26f5, 0x26f5 },
	{ 0x26fa, 0x26fa }, { 0x26fd, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
	{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x274e, 0x274e }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27b0, 0x27b0 }, { 0x27bf, 0x27bf },
	{ 0x2b1b, 0x2b1c }, { 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 }, { 0x2e80, 0x3029 },
	{ 0x302e, 0x303e }, { 0x3041, 0x3098 }, { 0x309b, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe4 }, { 0x17000, 0x18aff }, { 0x1b000, 0x1b2ff },
	{ 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a },
	{ 0x1f200, 0x1f251 }, { 0x1f300, 0x1f320 }, { 0x1f32d, 0x1f335 }, { 0x1f337, 0x1f37c },
	{ 0x1f37e, 0x1f393 }, { 0x1f3a0, 0x1f3ca }, { 0x1f3cf, 0x1f3d3 }, { 0x1f3e0, 0x1f3f0 },
	{ 0x1f3f4, 0x1f3f4 }, { 0x1f3f8, 0x1f43e }, { 0x1f440, 0x1f440 }, { 0x1f442, 0x1f4fc },
	{ 0x1f4ff, 0x1f53d }, { 0x1f54b, 0x1f54e }, { 0x1f550, 0x1f567 }, { 0x1f57a, 0x1f57a },
	{ 0x1f595, 0x1f596 }, { 0x1f5a4, 0x1f5a4 }, { 0x1f5fb, 0x1f64f }, { 0x1f680, 0x1f6c5 },
	{ 0x1f6cc, 0x1f6cc }, { 0x1f6d0, 0x1f6d2 }, { 0x1f6d5, 0x1f6d7 }, { 0x1f6eb, 0x1f6ec },
	{ 0x1f6f4, 0x1f6fc }, { 0x1f7e0, 0x1f7eb }, { 0x1f90c, 0x1f93a }, { 0x1f93c, 0x1f945 },
	{ 0x1f947, 0x1f9ff }, { 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

static bool
safe_text_in(uint32_t cp, const struct safe_text_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Whether wcwidth() can be trusted: a UTF-8 locale whose tables know
 * CJK. Asked on every measurement because the locale may change. */
static bool
safe_text_libc_width(void)
{
	const char *cs;

	if (MB_CUR_MAX < 4)
		return false;
	cs = nl_langinfo(CODESET);
	if (cs == NULL || (strcmp(cs, "UTF-8") != 0 && strcmp(cs, "utf8") != 0))
		return false;
	return wcwidth((wchar_t)0x4e00) == 2;
}

/* Columns of one character; col is the column it starts at (for TAB). */
static size_t
safe_text_cp_width(uint32_t cp, size_t col, bool libc)
{
	int w;

	if (cp == '\t')
		return 8 - col % 8;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	if (cp < 0x7f)
		return 1;
	if (libc) {
		w = wcwidth((wchar_t)cp);
		/* Unassigned code points: most terminals draw a box. */
		return w < 0 ? 1 : (size_t)w;
	}
	if (safe_text_in(cp, safe_text_zero, sizeof safe_text_zero / sizeof safe_text_zero[0]))
		return 0;
	if (safe_text_in(cp, safe_text_wide, sizeof safe_text_wide / sizeof safe_text_wide[0]))
		return 2;
	return 1;
}

size_t
safe_text_width(const char *s, size_t len)
{
	bool libc = safe_text_libc_width();
	size_t i = 0, col = 0;
	uint32_t cp;

	while (i < len) {
		i += safe_text_decode(s + i, len - i, &cp);
		col += safe_text_cp_width(cp, col, libc);
	}
	return col;
}

size_t
safe_text_truncate_cols(const char *s, size_t len, size_t cols, size_t *width_r)
{
	bool libc = safe_text_libc_width();
	size_t i = 0, col = 0, keep = 0, keep_col = 0, n, w;
	uint32_t cp;

	while (i < len) {
		n = safe_text_decode(s + i, len - i, &cp);
		w = safe_text_cp_width(cp, col, libc);
		/* A zero-width character belongs to the base before it: the cut
		 * goes before the base, or after all its marks. */
		if (w > 0 || i == 0) {
			if (col + w > cols)
				break;
		}
		col += w;
		i += n;
		/* Commit the cut only where the next character starts a new
		 * cluster (or at the end). */
		if (i >= len) {
			keep = i;
			keep_col = col;
		} else {
			uint32_t next;

			safe_text_decode(s + i, len - i, &next);
			if (safe_text_cp_width(next, col, libc) > 0 || next == '\n' || next == '\t') {
				keep = i;
				keep_col = col;
			}
		}
	}
	if (width_r != NULL)
		*width_r = keep_col;
	return keep;
}
