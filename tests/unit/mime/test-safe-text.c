/* Unit tests for terminal-safe text: every class of control and escape
 * sequence goes in, and nothing a terminal would obey may come out. */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/safe-text.h"
#include "tap.h"

#define OUT_MAX (1024 * 1024)

/* The property, checked independently of the code under test: valid
 * UTF-8, no C0 byte (but TAB and LF in bodies), no DEL, no C1, bidi,
 * invisible or tag code point; ZWJ only between two emoji. */
static bool
is_emoji(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) ||
	    cp == 0xfe0f;
}

static bool
bad_cp(uint32_t cp, enum safe_text_mode mode)
{
	if (cp == '\t' || cp == '\n')
		return mode == SAFE_TEXT_HEADER;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x180e ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	    (cp >= 0xe0000 && cp <= 0xe007f) || (cp == 0xad && mode == SAFE_TEXT_HEADER);
}

static bool
output_is_safe(const char *s, size_t len, enum safe_text_mode mode)
{
	uint32_t cp, prev = 0, next;
	size_t i = 0, n;

	while (i < len) {
		n = safe_text_decode(s + i, len - i, &cp);
		if (cp == 0xfffd && !(n == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0))
			return false;	/* invalid UTF-8 came through */
		if (cp == 0x200d && is_emoji(prev) && i + n < len) {
			safe_text_decode(s + i + n, len - i - n, &next);
			if (is_emoji(next)) {
				prev = cp;
				i += n;
				continue;
			}
		}
		if (bad_cp(cp, mode))
			return false;
		prev = cp;
		i += n;
	}
	return true;
}

static char *
render(const char *in, size_t len, enum safe_text_mode mode, size_t *len_r)
{
	struct buf b;
	char *s;

	buf_init(&b, OUT_MAX);
	if (safe_text_append(&b, in, len, mode) == -1)
		tap_diag("output over %d bytes", OUT_MAX);
	*len_r = buf_len(&b);
	s = buf_detach(&b);
	buf_free(&b);
	return s;
}

static void
check_render(const char *in, size_t len, enum safe_text_mode mode, const char *want,
    const char *name)
{
	size_t n;
	char *s = render(in, len, mode, &n);

	tap_is_mem(s, n, want, strlen(want), "%s (%s)", name,
	    mode == SAFE_TEXT_HEADER ? "header" : "body");
	free(s);
}

static bool
check_safe(const char *in, size_t len)
{
	bool ok = true;
	int m;

	for (m = SAFE_TEXT_HEADER; m <= SAFE_TEXT_BODY; m++) {
		size_t n;
		char *s = render(in, len, (enum safe_text_mode)m, &n);

		ok &= output_is_safe(s, n, (enum safe_text_mode)m);
		free(s);
	}
	return ok;
}

static void
test_c0_del_c1(void)
{
	char in[1], utf[2], want[16];
	unsigned c;
	bool ok = true;

	for (c = 0; c < 0x20; c++) {
		size_t n;
		char *s;

		in[0] = (char)c;
		ok &= check_safe(in, 1);
		s = render(in, 1, SAFE_TEXT_BODY, &n);
		if (c == '\t' || c == '\n')
			ok &= n == 1 && s[0] == (char)c;
		else if (c == '\r')
			ok &= n == 3 && memcmp(s, "\xe2\x90\x8d", 3) == 0;
		else
			ok &= n == 3 && (unsigned char)s[0] == 0xe2 &&
			    (unsigned char)s[1] == 0x90 && (unsigned char)s[2] == 0x80 + c;
		free(s);
	}
	tap_ok(ok, "all 32 C0 controls become control pictures (TAB, LF kept in bodies)");
	check_render("\x1b", 1, SAFE_TEXT_HEADER, "\xe2\x90\x9b", "ESC shows as U+241B");
	check_render("\0", 1, SAFE_TEXT_BODY, "\xe2\x90\x80", "NUL shows as U+2400");
	check_render("\x7f", 1, SAFE_TEXT_BODY, "\xe2\x90\xa1", "DEL shows as U+2421");
	check_render("a\tb\nc", 5, SAFE_TEXT_HEADER, "a b c", "TAB and LF become spaces");
	check_render("a\r\nb\rc\n", 7, SAFE_TEXT_BODY, "a\nb\xe2\x90\x8d" "c\n",
	    "CRLF becomes LF, a lone CR shows");
	check_render("a\r\n b", 5, SAFE_TEXT_HEADER, "a  b", "CRLF in a header is one space");

	ok = true;
	for (c = 0x80; c < 0xa0; c++) {
		size_t n;
		char *s;

		/* As UTF-8 (C2 80 .. C2 9F): a visible <U+00XX>. */
		utf[0] = (char)0xc2;
		utf[1] = (char)c;
		ok &= check_safe(utf, 2);
		s = render(utf, 2, SAFE_TEXT_BODY, &n);
		snprintf(want, sizeof want, "<U+%04X>", c);
		ok &= n == 8 && memcmp(s, want, 8) == 0;
		free(s);
		/* As a raw byte: not UTF-8 at all, so U+FFFD. */
		in[0] = (char)c;
		ok &= check_safe(in, 1);
		s = render(in, 1, SAFE_TEXT_HEADER, &n);
		ok &= n == 3 && memcmp(s, "\xef\xbf\xbd", 3) == 0;
		free(s);
	}
	tap_ok(ok, "all 32 C1 controls, as UTF-8 and as raw bytes, are neutralised");
}

static const struct {
	const char *name;
	const char *in;
	size_t len;			/* 0: strlen */
	const char *header, *body;
} seqs[] = {
	{ "OSC title", "\x1b]0;title\x07", 0, "\xe2\x90\x9b]0;title\xe2\x90\x87", NULL },
	{ "OSC 8 hyperlink", "\x1b]8;;http://x\x1b\\a\x1b]8;;\x1b\\", 0,
	    "\xe2\x90\x9b]8;;http://x\xe2\x90\x9b\\a\xe2\x90\x9b]8;;\xe2\x90\x9b\\", NULL },
	{ "CSI clear", "\x1b[2J", 0, "\xe2\x90\x9b[2J", NULL },
	{ "CSI colour", "\x1b[31mred\x1b[0m", 0, "\xe2\x90\x9b[31mred\xe2\x90\x9b[0m", NULL },
	{ "8-bit CSI byte", "\x9b" "31m", 0, "\xef\xbf\xbd" "31m", NULL },
	{ "8-bit CSI as UTF-8", "\xc2\x9b" "31m", 0, "<U+009B>31m", NULL },
	{ "DCS", "\x1bPq#0\x1b\\", 0, "\xe2\x90\x9bPq#0\xe2\x90\x9b\\", NULL },
	{ "8-bit OSC byte", "\x9d" "0;x\x9c", 0, "\xef\xbf\xbd" "0;x\xef\xbf\xbd", NULL },
	{ "RLO override", "abc\xe2\x80\xae" "def", 0, "abc<U+202E>def", NULL },
	{ "bidi isolates", "\xe2\x81\xa6x\xe2\x81\xa9", 0, "<U+2066>x<U+2069>", NULL },
	{ "LRM RLM ALM", "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "<U+200E><U+200F><U+061C>", NULL },
	{ "zero width space", "a\xe2\x80\x8b" "b", 0, "a<U+200B>b", NULL },
	{ "BOM", "\xef\xbb\xbfx", 0, "<U+FEFF>x", NULL },
	{ "word joiner", "\xe2\x81\xa0", 0, "<U+2060>", NULL },
	{ "Mongolian vowel separator", "\xe1\xa0\x8e", 0, "<U+180E>", NULL },
	{ "line separator", "a\xe2\x80\xa8" "b", 0, "a<U+2028>b", NULL },
	{ "paragraph separator", "\xe2\x80\xa9", 0, "<U+2029>", NULL },
	{ "tag characters", "\xf3\xa0\x81\x81\xf3\xa0\x81\xbf", 0, "<U+E0041><U+E007F>", NULL },
	{ "soft hyphen", "co\xc2\xadop", 0, "co<U+00AD>op", "co\xc2\xadop" },
	{ "ZWJ inside emoji kept", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 0,
	    "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", NULL },
	{ "ZWJ between letters", "a\xe2\x80\x8d" "b", 0, "a<U+200D>b", NULL },
	{ "ZWJ at the end", "\xf0\x9f\x91\xa8\xe2\x80\x8d", 0, "\xf0\x9f\x91\xa8<U+200D>", NULL },
	{ "variation selector kept", "\xe2\x9d\xa4\xef\xb8\x8f", 0, "\xe2\x9d\xa4\xef\xb8\x8f", NULL },
	{ "overlong slash", "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd", NULL },
	{ "overlong 3-byte", "\xe0\x80\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", NULL },
	{ "overlong ESC", "\xc1\x9b", 0, "\xef\xbf\xbd\xef\xbf\xbd", NULL },
	{ "surrogate", "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", NULL },
	{ "over U+10FFFF", "\xf4\x90\x80\x80", 0,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", NULL },
	{ "F5 lead", "\xf5\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd", NULL },
	{ "truncated sequence", "\xe2\x82" "a", 0, "\xef\xbf\xbd" "a", NULL },
	{ "truncated at end", "a\xf0\x9f\x98", 0, "a\xef\xbf\xbd", NULL },
	{ "valid 4-byte", "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80", NULL },
	{ "plain text", "Hello, world", 0, "Hello, world", NULL },
	{ "NUL inside", "a\0b", 3, "a\xe2\x90\x80" "b", NULL },
};

static void
test_sequences(void)
{
	size_t i;

	for (i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		size_t len = seqs[i].len != 0 ? seqs[i].len : strlen(seqs[i].in);

		check_render(seqs[i].in, len, SAFE_TEXT_HEADER, seqs[i].header, seqs[i].name);
		check_render(seqs[i].in, len, SAFE_TEXT_BODY,
		    seqs[i].body != NULL ? seqs[i].body : seqs[i].header, seqs[i].name);
		tap_ok(check_safe(seqs[i].in, len), "%s: output is safe", seqs[i].name);
	}
}

static size_t
encode(uint32_t cp, char *u)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | (cp >> 18));
	u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Every code point alone, and random byte soup. */
static void
test_exhaustive(void)
{
	uint32_t cp;
	char u[4], soup[64];
	bool ok = true, round = true;
	unsigned seed = 12345, i, j;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		size_t n, got;
		uint32_t back;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = encode(cp, u);
		ok &= check_safe(u, n);
		got = safe_text_decode(u, n, &back);
		round &= got == n && back == cp;
	}
	tap_ok(ok, "every code point alone renders safely in both modes");
	tap_ok(round, "the decoder reads every scalar value back");
	ok = true;
	for (i = 0; i < 100000; i++) {
		for (j = 0; j < sizeof soup; j++) {
			seed = seed * 1103515245 + 12345;
			/* Bias towards the interesting bytes. */
			soup[j] = (char)((seed >> 16) & 0xff);
			if ((seed >> 8) % 4 == 0)
				soup[j] = "\x1b\x9b\xc2\xe2\x80\xae\r\n\xed\xf4\x7f\0"[(seed >> 24) % 12];
		}
		ok &= check_safe(soup, sizeof soup);
	}
	tap_ok(ok, "100000 random byte strings render safely in both modes");
}

static void
test_bounded(void)
{
	struct buf b;

	buf_init(&b, 5);
	tap_is_int(safe_text_append(&b, "ab\x1b" "cd", 5, SAFE_TEXT_BODY), -1,
	    "output over the maximum fails");
	tap_is_mem(buf_ptr(&b), buf_len(&b), "ab\xe2\x90\x9b", 5, "and keeps whole characters");
	buf_reset(&b);
	tap_is_int(safe_text_append(&b, "abcd\xe2\x80\xae", 7, SAFE_TEXT_BODY), -1,
	    "a placeholder that does not fit fails");
	tap_is_mem(buf_ptr(&b), buf_len(&b), "abcd", 4, "and is left out whole");
	buf_free(&b);
}

static const struct {
	const char *name, *s;
	size_t width;
} widths[] = {
	{ "empty", "", 0 },
	{ "ASCII", "Hello", 5 },
	{ "CJK", "\xe4\xb8\xad\xe6\x96\x87", 4 },
	{ "Hangul", "\xed\x95\x9c\xea\xb8\x80", 4 },
	{ "Hiragana", "\xe3\x81\xb5", 2 },
	{ "fullwidth A", "\xef\xbc\xa1", 2 },
	{ "emoji", "\xf0\x9f\x98\x80", 2 },
	{ "emoji and text", "ok \xf0\x9f\x91\x8d", 5 },
	{ "combining acute", "e\xcc\x81", 1 },
	{ "two combining marks", "a\xcc\x81\xcc\xa3" "b", 2 },
	{ "Latin-1", "caf\xc3\xa9", 4 },
	{ "Cyrillic", "\xd0\x9f\xd1\x80\xd0\xb8", 3 },
	{ "control picture ESC", "\xe2\x90\x9b", 1 },
	{ "placeholder text", "<U+202E>", 8 },
	{ "replacement character", "\xef\xbf\xbd", 1 },
	{ "invalid byte", "\xff", 1 },
	{ "tab stop", "ab\tc", 9 },
};

static void
test_width_table(const char *how)
{
	size_t i;

	for (i = 0; i < sizeof widths / sizeof widths[0]; i++)
		tap_is_int(safe_text_width(widths[i].s, strlen(widths[i].s)),
		    widths[i].width, "width of %s (%s)", widths[i].name, how);
}

static void
test_truncate(void)
{
	static const char cjk[] = "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97";
	static const char acc[] = "he\xcc\x81llo";
	size_t w, n;

	n = safe_text_truncate_cols(cjk, strlen(cjk), 3, &w);
	tap_ok(n == 3 && w == 2, "CJK cut at 3 columns keeps one character (%zu bytes, %zu cols)", n, w);
	n = safe_text_truncate_cols(cjk, strlen(cjk), 4, &w);
	tap_ok(n == 6 && w == 4, "CJK cut at 4 columns keeps two");
	n = safe_text_truncate_cols(cjk, strlen(cjk), 1, &w);
	tap_ok(n == 0 && w == 0, "a wide character never squeezes into one column");
	n = safe_text_truncate_cols(acc, strlen(acc), 2, &w);
	tap_ok(n == 4 && w == 2, "a cut after a base keeps its combining mark");
	n = safe_text_truncate_cols(acc, strlen(acc), 1, &w);
	tap_ok(n == 1 && w == 1, "a cut before the accented letter drops it whole");
	n = safe_text_truncate_cols(acc, strlen(acc), 100, &w);
	tap_ok(n == strlen(acc) && w == 5, "a wide enough cut keeps everything");
	n = safe_text_truncate_cols("ab\xe2\x90\x9b" "cd", 7, 3, &w);
	tap_ok(n == 5 && w == 3, "a control picture counts one column");
	n = safe_text_truncate_cols("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 8, 3, &w);
	tap_ok(n == 4 && w == 2, "emoji are cut whole");
	n = safe_text_truncate_cols("abc", 3, 0, &w);
	tap_ok(n == 0 && w == 0, "zero columns keep nothing");
}

static void
test_line(void)
{
	char *s = safe_text_line("bad\033[2Jthing\r\nnext", 19, 300);

	tap_ok(strchr(s, '\033') == NULL && strchr(s, '\r') == NULL &&
	    strchr(s, '\n') == NULL, "line: no controls survive");
	tap_ok(strstr(s, "thing next") != NULL, "line: CRLF is one space");
	free(s);
	s = safe_text_line("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 5);
	tap_is_str(s, "\xc3\xa9\xc3\xa9", "line: cut within max at a character boundary");
	free(s);
	s = safe_text_line("", 0, 10);
	tap_is_str(s, "", "line: empty");
	free(s);
}

int
main(void)
{
	test_line();
	test_c0_del_c1();
	test_sequences();
	test_exhaustive();
	test_bounded();
	/* The built-in table first (the "C" locale has no UTF-8), then the C
	 * library's wcwidth() in a UTF-8 locale: both must agree here. */
	setlocale(LC_CTYPE, "C");
	test_width_table("built-in table");
	test_truncate();
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL || setlocale(LC_CTYPE, "en_US.UTF-8") != NULL) {
		test_width_table("wcwidth");
		test_truncate();
	} else
		tap_diag("no UTF-8 locale: wcwidth() path not tested");
	return tap_done();
}
