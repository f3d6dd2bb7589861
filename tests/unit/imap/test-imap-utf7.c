/* Unit tests for modified UTF-7 mailbox names: real names both ways,
 * the strict decoder's refusals, and round trips. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-utf7.h"
#include "lib/str.h"
#include "tap.h"

struct pair {
	const char *wire;
	const char *utf8;
};

static const struct pair pairs[] = {
	{ "INBOX", "INBOX" },
	{ "", "" },
	{ "Entw&APw-rfe", "Entw\xc3\xbc" "rfe" },
	{ "&ZeVnLIqe-", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "&Jjo-!", "\xe2\x98\xba!" },
	{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
	    "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "&-", "&" },
	{ "Gel&APY-schte Elemente", "Gel\xc3\xb6schte Elemente" },
	{ "[Gmail]/Gesendet", "[Gmail]/Gesendet" },
	{ "[Gmail]/Entw&APw-rfe", "[Gmail]/Entw\xc3\xbc" "rfe" },
	{ "&BCcENQRABD0EPgQyBDgEOgQ4-",
	    "\xd0\xa7\xd0\xb5\xd1\x80\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xb8\xd0\xba\xd0\xb8" },
	{ "&BBoEPgRABDcEOAQ9BDA-&-Trash",
	    "\xd0\x9a\xd0\xbe\xd1\x80\xd0\xb7\xd0\xb8\xd0\xbd\xd0\xb0&Trash" },
	{ "&g0l6P3ux-", "\xe8\x8d\x89\xe7\xa8\xbf\xe7\xae\xb1" },
	{ "&2D3eAA- Fun", "\xf0\x9f\x98\x80 Fun" },
	{ "&AOQA9g-", "\xc3\xa4\xc3\xb6" },
	{ "a&AAE-b", "a\001b" },
	{ "&AH8-", "\177" },
	{ "&A6M-&-&A6k-", "\xce\xa3&\xce\xa9" },
	{ "a&-&-b", "a&&b" },
};

static void
test_pairs(void)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];
		char *dec = imap_utf7_decode(p->wire, strlen(p->wire));
		char *enc = imap_utf7_encode(p->utf8);

		tap_is_str(dec, p->utf8, "decode \"%s\"", p->wire);
		tap_is_str(enc, p->wire, "encode back to \"%s\"", p->wire);
		tap_ok(imap_utf7_valid(p->wire, strlen(p->wire)), "\"%s\" is valid", p->wire);
		free(dec);
		free(enc);
	}
}

struct bad {
	const char *wire;
	size_t len;
	const char *why;
};

#define BAD(s, why) { s, sizeof(s) - 1, why }

static const struct bad bads[] = {
	BAD("&AGE-", "encoded printable ASCII 'a'"),
	BAD("&ACY-", "encoded '&' (must be \"&-\")"),
	BAD("&ACA-", "encoded space"),
	BAD("&AAA-", "encoded NUL"),
	BAD("&Jjo", "unterminated shift"),
	BAD("&", "a lone '&' at the end"),
	BAD("a&", "a lone '&' after text"),
	BAD("&-&", "'&' at the end after \"&-\""),
	BAD("&Jj-", "two base64 characters (12 bits)"),
	BAD("&Jjp-", "non-zero padding bits"),
	BAD("&J-", "one base64 character"),
	BAD("&AOQA-", "base64 one character too long"),
	BAD("&2D3-", "lone high surrogate with stray bits"),
	BAD("&2D0-", "lone high surrogate"),
	BAD("&3gA-", "lone low surrogate"),
	BAD("&3gDYPQ-", "surrogates in the wrong order"),
	BAD("&2D3YPd4A-", "two high surrogates"),
	BAD("&2D0AQQ-", "high surrogate before a non-surrogate"),
	BAD("&2D0-&3gA-", "surrogate pair split across shifts"),
	BAD("&AOQ-&APY-", "null shift between two runs"),
	BAD("&AO?-", "a character outside modified base64"),
	BAD("&AO/-", "'/' instead of ','"),
	BAD("&AOQ=-", "base64 padding"),
	BAD("Entw\xc3\xbcrfe", "raw 8-bit bytes"),
	BAD("\xff", "a single 8-bit byte"),
	BAD("a\0b", "an embedded NUL"),
	BAD("a\tb", "a raw control character"),
	BAD("a\177", "a raw DEL"),
};

static void
test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		char *dec = imap_utf7_decode(b->wire, b->len);

		tap_ok(dec == NULL, "decode refuses %s", b->why);
		tap_ok(!imap_utf7_valid(b->wire, b->len), "not valid: %s", b->why);
		free(dec);
	}
}

static void
test_encode_bad_utf8(void)
{
	static const char *const bad[] = {
		"\xc3",			/* truncated */
		"a\xc3(",		/* bad continuation */
		"\x80",			/* lone continuation */
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong, 3 bytes */
		"\xed\xa0\x80",		/* surrogate U+D800 */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xf8\x88\x80\x80\x80",	/* 5-byte form */
		"\xff",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *enc = imap_utf7_encode(bad[i]);

		tap_ok(enc == NULL, "encode refuses invalid UTF-8 #%zu", i);
		free(enc);
	}
}

/* A small deterministic generator, so failures can be reproduced. */
static uint32_t
next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* Code points chosen to hit every branch: ASCII, "&", controls, 2-, 3-
 * and 4-byte UTF-8, and the edges around the surrogates. */
static uint32_t
random_cp(uint32_t *state)
{
	static const uint32_t edges[] = {
		0x01, 0x1f, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd,
		0xffff, 0x10000, 0x10ffff, '&', '-', '+', ',', ' ', '~',
	};
	uint32_t r = next_random(state);

	switch (r % 6) {
	case 0:
	case 1:
		return 0x20 + (r >> 8) % 0x5f;
	case 2:
		return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
	case 3:
		return 0x80 + (r >> 8) % 0x780;
	case 4:
		r = 0x800 + (r >> 8) % 0xf800;
		return r >= 0xd800 && r <= 0xdfff ? r + 0x800 : r;
	default:
		return 0x10000 + (r >> 8) % 0x100000;
	}
}

static void
test_round_trip(void)
{
	uint32_t state = 2463534242u;
	char s[4 * 40 + 1];
	unsigned i, bad = 0, valid_bad = 0;

	for (i = 0; i < 20000; i++) {
		size_t n = next_random(&state) % 40, len = 0, j;
		char *enc, *dec;

		for (j = 0; j < n; j++)
			len += str_utf8_encode(random_cp(&state), s + len);
		s[len] = '\0';
		enc = imap_utf7_encode(s);
		dec = enc != NULL ? imap_utf7_decode(enc, strlen(enc)) : NULL;
		if (dec == NULL || strcmp(dec, s) != 0) {
			if (bad++ == 0)
				tap_diag("round trip failed for \"%s\" (wire \"%s\")", s,
				    enc != NULL ? enc : "(null)");
		}
		if (enc != NULL && !imap_utf7_valid(enc, strlen(enc)))
			valid_bad++;
		free(enc);
		free(dec);
	}
	tap_is_int(bad, 0, "20000 random names survive encode then decode");
	tap_is_int(valid_bad, 0, "every encoded name is valid");
}

int
main(void)
{
	test_pairs();
	test_bad();
	test_encode_bad_utf8();
	test_round_trip();
	return tap_done();
}
