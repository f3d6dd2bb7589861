/* Unit tests for RFC 2047 encoded-word decoding. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/rfc2047.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *want;
	const char *what;
} cases[] = {
	{ "plain subject", "plain subject", "no encoded words" },
	{ "=?utf-8?Q?caf=C3=A9?=", "caf\xc3\xa9", "Q encoding" },
	{ "=?UTF-8?q?hello_world?=", "hello world", "lowercase q, underscore is a space" },
	{ "=?utf-8?B?4oKsIDEwMA==?=", "\xe2\x82\xac 100", "B encoding" },
	{ "=?utf-8?b?4oKsIDEwMA?=", "\xe2\x82\xac 100", "B without padding" },
	{ "Re: =?utf-8?Q?caf=C3=A9?= now", "Re: caf\xc3\xa9 now", "word between plain text" },
	{ "=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab", "whitespace between words dropped (6.2)" },
	{ "=?utf-8?Q?a?=\r\n =?utf-8?Q?b?=", "ab", "folded whitespace between words dropped" },
	{ "=?utf-8?Q?a_?= b", "a  b", "whitespace before plain text kept" },
	{ "=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b", "plain word between encoded words" },
	{ "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf", "Japanese ISO-2022-JP subject" },
	{ "=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?=",
	  "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94", "Korean Outlook subject" },
	{ "=?koi8-r?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "Russian KOI8-R" },
	{ "=?utf-8?B?5pel?= =?utf-8?B?5pys6Kqe?=", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "words on character boundaries" },
	{ "=?utf-8?B?5pel5g==?= =?utf-8?B?nKzoqp4=?=", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "character split across two words is joined" },
	{ "=?UTF-8?Q?=E6=97?= =?utf-8?Q?=A5?=", "\xe6\x97\xa5", "split in Q, charset case differs" },
	{ "=?utf-8*en?Q?hi?=", "hi", "RFC 2231 language suffix" },
	{ "=?iso-8859-1?Q?=E9?==?utf-8?Q?=C3=A9?=", "\xc3\xa9\xc3\xa9", "adjacent words, two charsets" },
	{ "=?bogus-cs?Q?caf=E9?=", "caf\xc3\xa9", "unknown charset: fallback" },
	{ "=?bogus-cs?Q?caf=C3=A9?=", "caf\xc3\xa9", "unknown charset holding UTF-8" },
	{ "=?utf-8?X?abc?=", "=?utf-8?X?abc?=", "unknown encoding left as is" },
	{ "=?utf-8?Q?no end", "=?utf-8?Q?no end", "missing ?= left as is" },
	{ "=?utf-8?B?!!!not base64?=", "=?utf-8?B?!!!not base64?=", "bad base64 left as is" },
	{ "=?" "?Q?x?=", "=?" "?Q?x?=", "empty charset left as is" },
	{ "=?utf-8?Q?" "?=", "", "empty encoded text" },
	{ "caf\xc3\xa9 raw", "caf\xc3\xa9 raw", "raw UTF-8 in a header" },
	{ "caf\xe9 raw", "caf\xc3\xa9 raw", "raw latin-1 in a header: fallback" },
	{ "=?utf-8?Q?=ZZ?=", "=ZZ", "bad Q escape kept" },
	{ "=?utf-8?Q?=FF?=", "\xef\xbf\xbd", "invalid UTF-8 in a word" },
	{ "Fwd:=?utf-8?Q?x?=", "Fwd:x", "word glued to text (broken mailers)" },
	{ "=?windows-1252?Q?=93Quoted=94?=", "\xe2\x80\x9cQuoted\xe2\x80\x9d", "Outlook windows-1252" },
	{ "=?gb2312?B?1tDOxA==?=", "\xe4\xb8\xad\xe6\x96\x87", "Chinese gb2312" },
	{ "a =?", "a =?", "a dangling =?" },
	{ "=?utf-8?Q?a?=  ", "a  ", "trailing whitespace kept" },
};

static void
test_cases(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 4096);
		tap_is_int(rfc2047_decode(cases[i].in, strlen(cases[i].in), NULL, &b), 0,
		    "%s: decodes", cases[i].what);
		tap_is_str(buf_ptr(&b), cases[i].want, "%s", cases[i].what);
		buf_free(&b);
	}
}

static void
test_other(void)
{
	struct buf b;

	buf_init(&b, 4096);
	rfc2047_decode("caf\xe9", 4, "koi8-r", &b);
	tap_is_str(buf_ptr(&b), "caf\xd0\x98", "caller's fallback for raw 8-bit");
	buf_free(&b);
	buf_init(&b, 3);
	tap_is_int(rfc2047_decode("=?utf-8?Q?abcdef?=", 18, NULL, &b), -1, "bounded output");
	tap_is_str(buf_ptr(&b), "abc", "what fit is kept");
	buf_free(&b);
	buf_init(&b, 100);
	tap_is_int(rfc2047_decode("a\0=?utf-8?Q?b?=", 15, NULL, &b), 0, "NUL byte in text");
	tap_is_mem(buf_ptr(&b), buf_len(&b), "a\0b", 3, "NUL kept, word decoded");
	buf_free(&b);
}

int
main(void)
{
	test_cases();
	test_other();
	charset_cache_clear();
	return tap_done();
}
