/* Unit tests for the index's envelope: header blocks as IMAP servers
 * return them for ENVELOPE_FIELDS, from the mailers people use around
 * the world, and the ones only a fuzzer or an attacker would send. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "mime/charset.h"
#include "mime/envelope.h"
#include "mime/safe-text.h"
#include "tap.h"

#define NO_DATE	ENVELOPE_NO_DATE

static const struct {
	const char *what;
	const char *in;		/* LF line ends; also tried with CRLF */
	const char *fallback;
	const char *subject, *from, *to, *cc;
	const char *message_id, *in_reply_to, *references, *list_id;
	int64_t date;
	bool attachment;
} cases[] = {
	{ "Outlook, French, windows-1252 words",
	  "Date: Tue, 14 May 2024 09:12:44 +0000\n"
	  "From: =?windows-1252?Q?Fran=E7ois_M=FCller?= <francois.muller@contoso.fr>\n"
	  "To: \"Dupont, Marie\" <marie.dupont@contoso.fr>, jean.martin@contoso.fr\n"
	  "CC: =?windows-1252?Q?S=F8ren_=D8deg=E5rd?= <soren@fabrikam.dk>\n"
	  "Subject: =?windows-1252?Q?RE:_R=E9union_budg=E9taire_=96_r=E9sum=E9?=\n"
	  "Message-ID:\n"
	  " <PR3P195MB0742D1A2B3C4D5E6@PR3P195MB0742.EURP195.PROD.OUTLOOK.COM>\n"
	  "In-Reply-To: <PR3P195MB0742001122334455@PR3P195MB0742.EURP195.PROD.OUTLOOK.COM>\n"
	  "References: <PR3P195MB0742001122334455@PR3P195MB0742.EURP195.PROD.OUTLOOK.COM>\n"
	  "Content-Type: multipart/mixed;\n"
	  "\tboundary=\"_004_PR3P195MB0742D1A2B3C4D5E6_\"\n"
	  "\n", NULL,
	  "RE: R\xc3\xa9union budg\xc3\xa9taire \xe2\x80\x93 r\xc3\xa9sum\xc3\xa9",
	  "Fran\xc3\xa7ois M\xc3\xbcller <francois.muller@contoso.fr>",
	  "Dupont, Marie <marie.dupont@contoso.fr>\njean.martin@contoso.fr",
	  "S\xc3\xb8ren \xc3\x98" "deg\xc3\xa5rd <soren@fabrikam.dk>",
	  "<PR3P195MB0742D1A2B3C4D5E6@PR3P195MB0742.EURP195.PROD.OUTLOOK.COM>",
	  "<PR3P195MB0742001122334455@PR3P195MB0742.EURP195.PROD.OUTLOOK.COM>",
	  "<PR3P195MB0742001122334455@PR3P195MB0742.EURP195.PROD.OUTLOOK.COM>",
	  "", 1715677964, true },
	{ "Outlook, Japanese: ISO-2022-JP subject, Shift_JIS name",
	  "From: =?Shift_JIS?B?jlKTY5G+mFk=?= <t.yamada@example.co.jp>\n"
	  "To: sato@example.co.jp\n"
	  "Subject: =?iso-2022-jp?B?GyRCMnE1RCRON28kSyREJCQkRhsoQg==?=\n"
	  "Date: Fri, 17 May 2024 08:00:00 +0900\n"
	  "Message-ID: <TYCPR01MB8123ABCDEF01@TYCPR01MB8123.jpnprd01.prod.outlook.com>\n"
	  "Content-Type: text/plain; charset=\"iso-2022-jp\"\n"
	  "\n", NULL,
	  "\xe4\xbc\x9a\xe8\xad\xb0\xe3\x81\xae\xe4\xbb\xb6\xe3\x81\xab\xe3\x81\xa4"
	  "\xe3\x81\x84\xe3\x81\xa6",
	  "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e <t.yamada@example.co.jp>",
	  "sato@example.co.jp", "",
	  "<TYCPR01MB8123ABCDEF01@TYCPR01MB8123.jpnprd01.prod.outlook.com>", "", "", "",
	  1715900400, false },
	{ "Gmail, field order and multipart/alternative",
	  "Date: Wed, 15 May 2024 10:03:21 -0700\n"
	  "Message-ID: <CAJx8kQ7v+Zr3xWm9F0pL2bN4c-yT1sA5dE6fG7h@mail.gmail.com>\n"
	  "Subject: Dinner on Friday?\n"
	  "From: Alice Example <alice.example@gmail.com>\n"
	  "To: Bob <bob@example.net>\n"
	  "Cc: carol@example.org, \"Dave O'Brien\" <dave@example.org>\n"
	  "Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3d4e5f60718\"\n"
	  "\n", NULL,
	  "Dinner on Friday?", "Alice Example <alice.example@gmail.com>",
	  "Bob <bob@example.net>", "carol@example.org\nDave O'Brien <dave@example.org>",
	  "<CAJx8kQ7v+Zr3xWm9F0pL2bN4c-yT1sA5dE6fG7h@mail.gmail.com>", "", "", "",
	  1715792601, false },
	{ "Apple Mail, UTF-8 base64 subject with an emoji",
	  "Content-Type: multipart/alternative;\n"
	  "\tboundary=\"Apple-Mail=_8F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F\"\n"
	  "Subject: =?utf-8?B?WsO8cmljaCDwn4+UIEF1c2ZsdWc=?=\n"
	  "From: =?utf-8?Q?J=C3=B6rg_Sch=C3=A4fer?= <joerg@icloud.com>\n"
	  "In-Reply-To: <5E6F7A8B-9C0D-1E2F-3A4B-5C6D7E8F9A0B@icloud.com>\n"
	  "Date: Thu, 16 May 2024 18:45:02 +0200\n"
	  "Cc: Anna <anna@example.ch>\n"
	  "Message-Id: <A1B2C3D4-E5F6-4789-ABCD-EF0123456789@icloud.com>\n"
	  "References: <5E6F7A8B-9C0D-1E2F-3A4B-5C6D7E8F9A0B@icloud.com>\n"
	  "To: Team <team@example.ch>\n"
	  "\n", NULL,
	  "Z\xc3\xbcrich \xf0\x9f\x8f\x94 Ausflug",
	  "J\xc3\xb6rg Sch\xc3\xa4" "fer <joerg@icloud.com>",
	  "Team <team@example.ch>", "Anna <anna@example.ch>",
	  "<A1B2C3D4-E5F6-4789-ABCD-EF0123456789@icloud.com>",
	  "<5E6F7A8B-9C0D-1E2F-3A4B-5C6D7E8F9A0B@icloud.com>",
	  "<5E6F7A8B-9C0D-1E2F-3A4B-5C6D7E8F9A0B@icloud.com>", "",
	  1715877902, false },
	{ "The Bat!, Russian KOI8-R subject and name, folded References",
	  "Message-ID: <8d2f4c1a-3b5e-4f6a-9c7d-0e1f2a3b4c5d@example.ru>\n"
	  "Date: Mon, 20 May 2024 13:37:00 +0300\n"
	  "Subject: =?KOI8-R?B?79Teo9Qg2sEgzcHK?=\n"
	  "To: =?KOI8-R?B?6dfBziDwxdTSz9c=?= <ivan@example.ru>\n"
	  "References: <a1@example.ru>\n"
	  "\t<b2@example.ru>\n"
	  "In-Reply-To: <b2@example.ru>\n"
	  "From: Olga <olga@example.ru>\n"
	  "Content-Type: text/plain; charset=KOI8-R; format=flowed\n"
	  "\n", NULL,
	  "\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd0\xb7\xd0\xb0 \xd0\xbc\xd0\xb0\xd0\xb9",
	  "Olga <olga@example.ru>",
	  "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2"
	  " <ivan@example.ru>", "",
	  "<8d2f4c1a-3b5e-4f6a-9c7d-0e1f2a3b4c5d@example.ru>", "<b2@example.ru>",
	  "<a1@example.ru> <b2@example.ru>", "", 1716201420, false },
	{ "mailing list: List-Id, rewritten From, GB2312 Cc",
	  "Date: Sat, 1 Jun 2024 23:59:59 +0100\n"
	  "From: \"Chen Wei via dev\" <dev@lists.example.org>\n"
	  "To: dev@lists.example.org\n"
	  "Cc: =?gb2312?B?wO7D9w==?= <liming@example.cn>\n"
	  "Subject: [dev] Re: Patch v3: fix the build on ARM\n"
	  "Message-ID: <20240601225959.GA12345@example.cn>\n"
	  "In-Reply-To: <20240531101010.GB999@example.org>\n"
	  "References: <20240530090909.GA111@example.org>"
	  " <20240531101010.GB999@example.org>\n"
	  "List-Id: Development discussion <dev.lists.example.org>\n"
	  "Content-Type: text/plain; charset=\"us-ascii\"\n"
	  "\n", NULL,
	  "[dev] Re: Patch v3: fix the build on ARM",
	  "Chen Wei via dev <dev@lists.example.org>", "dev@lists.example.org",
	  "\xe6\x9d\x8e\xe6\x98\x8e <liming@example.cn>",
	  "<20240601225959.GA12345@example.cn>", "<20240531101010.GB999@example.org>",
	  "<20240530090909.GA111@example.org> <20240531101010.GB999@example.org>",
	  "Development discussion <dev.lists.example.org>", 1717282799, false },
	{ "List-Id without a phrase, Big5 name, bare PDF",
	  "From: =?big5?B?s6+kaqTl?= <chan@example.hk>\n"
	  "List-Id: <announce.example.hk>\n"
	  "Subject: Invoice\n"
	  "Content-Type: application/pdf; name=\"invoice.pdf\"\n"
	  "\n", NULL,
	  "Invoice", "\xe9\x99\xb3\xe5\xa4\xa7\xe6\x96\x87 <chan@example.hk>", "", "",
	  "", "", "", "<announce.example.hk>", NO_DATE, true },
	{ "undeclared 8-bit subject, default fallback",
	  "From: Pierre <pierre@example.fr>\n"
	  "Subject: Caf\xe9 cr\xe8me\n"
	  "Date: Mon, 3 Jun 2024 07:15:30 -0400\n"
	  "\n", NULL,
	  "Caf\xc3\xa9 cr\xc3\xa8me", "Pierre <pierre@example.fr>", "", "",
	  "", "", "", "", 1717413330, false },
	{ "undeclared 8-bit subject, ISO-8859-15 fallback",
	  "Subject: Prix : 5 \xa4\n\n", "iso-8859-15",
	  "Prix : 5 \xe2\x82\xac", "", "", "", "", "", "", "", NO_DATE, false },
	{ "undeclared 8-bit subject that is UTF-8",
	  "Subject: Caf\xc3\xa9 au lait\n\n", NULL,
	  "Caf\xc3\xa9 au lait", "", "", "", "", "", "", "", NO_DATE, false },
	{ "missing Date",
	  "From: a@example.org\nSubject: no date\n\n", NULL,
	  "no date", "a@example.org", "", "", "", "", "", "", NO_DATE, false },
	{ "broken Date",
	  "Date: sometime next week\nSubject: broken date\n\n", NULL,
	  "broken date", "", "", "", "", "", "", "", NO_DATE, false },
	{ "empty block", "", NULL,
	  "", "", "", "", "", "", "", "", NO_DATE, false },
	{ "only the blank line", "\n", NULL,
	  "", "", "", "", "", "", "", "", NO_DATE, false },
	{ "no blank line at the end",
	  "Subject: cut\nFrom: x@example.org", NULL,
	  "cut", "x@example.org", "", "", "", "", "", "", NO_DATE, false },
	{ "encoded word hiding ESC, BEL, bidi override and C1 CSI",
	  "Subject: =?utf-8?Q?invoice=1B]0;pwned=07_=E2=80=AEfdp.exe=C2=9B2J?=\n"
	  "From: =?utf-8?B?4oCuZXZpbCBib3Nz?= <boss@example.com>\n"
	  "\n", NULL,
	  "invoice\xe2\x90\x9b]0;pwned\xe2\x90\x87 <U+202E>fdp.exe<U+009B>2J",
	  "<U+202E>evil boss <boss@example.com>", "", "", "", "", "", "", NO_DATE, false },
	{ "raw ESC and DEL in a subject",
	  "Subject: a\x1b[2Jb\x7f\n\n", NULL,
	  "a\xe2\x90\x9b[2Jb\xe2\x90\xa1", "", "", "", "", "", "", "", NO_DATE, false },
	{ "undisclosed-recipients group; a From with no address keeps its text",
	  "From: undisclosed-recipients:;\nTo: undisclosed-recipients:;\n\n", NULL,
	  "", "undisclosed-recipients:;", "", "", "", "", "", "", NO_DATE, false },
	{ "group flattened",
	  "To: Friends: a@example.org, Bob <b@example.org>;, c@example.net\n\n", NULL,
	  "", "", "a@example.org\nBob <b@example.org>\nc@example.net", "",
	  "", "", "", "", NO_DATE, false },
	{ "duplicate fields: the first Subject, Date and Message-ID",
	  "Subject: first\nDate: Tue, 14 May 2024 09:12:44 +0000\nMessage-ID: <one@x>\n"
	  "Subject: second\nDate: Wed, 15 May 2024 10:03:21 -0700\nMessage-ID: <two@x>\n\n",
	  NULL, "first", "", "", "", "<one@x>", "", "", "", 1715677964, false },
	{ "duplicate From fields merged, as the pager shows them",
	  "From: a@example.org\nFrom: B <b@example.org>\n\n", NULL,
	  "", "a@example.org\nB <b@example.org>", "", "", "", "", "", "", NO_DATE, false },
	{ "bounces: a comment as the name, a name without an address",
	  "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\n"
	  "To: Mailer Daemon\n\n", NULL,
	  "", "Mail Delivery System <MAILER-DAEMON@mx.example.com>", "Mailer Daemon", "",
	  "", "", "", "", NO_DATE, false },
	{ "old In-Reply-To phrase, ids without brackets",
	  "In-Reply-To: Your message of \"Mon, 1 Jan 2001\" <old@example.edu>\n"
	  "References: abc@example.edu <def@example.edu>\n\n", NULL,
	  "", "", "", "", "", "<old@example.edu>", "<abc@example.edu> <def@example.edu>",
	  "", NO_DATE, false },
	{ "folded subject unfolded, tab made a space",
	  "Subject: a very\n long\n\tsubject\n\n", NULL,
	  "a very long subject", "", "", "", "", "", "", "", NO_DATE, false },
	{ "control in a Message-ID",
	  "Message-ID: <a\x1b@example.org>\n\n", NULL,
	  "", "", "", "", "<a\xe2\x90\x9b@example.org>", "", "", "", NO_DATE, false },
	{ "spaces before colons, lowercase names, 8-bit junk line",
	  "subject : lower\n\xff\xfe junk\nfrom:x@example.org\n\n", NULL,
	  "lower", "x@example.org", "", "", "", "", "", "", NO_DATE, false },
};

static const struct {
	const char *type;	/* NULL: no Content-Type */
	bool attachment;
} type_cases[] = {
	{ NULL, false },
	{ "text/plain; charset=utf-8", false },
	{ "text/html", false },
	{ "text/calendar; method=REQUEST", false },
	{ "multipart/mixed; boundary=x", true },
	{ "Multipart/Mixed; boundary=\"x\"", true },
	{ "multipart/alternative; boundary=x", false },
	{ "multipart/related; boundary=x", false },
	{ "multipart/signed; protocol=\"application/pgp-signature\"", false },
	{ "multipart/report; report-type=delivery-status", false },
	{ "application/pdf", true },
	{ "image/jpeg; name=IMG_0042.jpg", true },
	{ "application/octet-stream", true },
	{ "message/rfc822", false },
	{ "pdf", false },
	{ "", false },
	{ "/", false },
	{ "application/pdf/x", false },
};

/* The property every output must have: UTF-8 a terminal and a JSON
 * encoder can take as it is, within the cap; address lists alone may
 * hold LF, as their separator. */
static bool
field_safe(const char *s, bool list)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	if (len > ENVELOPE_FIELD_MAX || !charset_utf8_valid(s, len))
		return false;
	while (i < len) {
		n = safe_text_decode(s + i, len - i, &cp);
		if (cp == '\n' && list) {
			/* No empty entry, at either end or inside. */
			if (i == 0 || i + 1 == len || s[i + 1] == '\n')
				return false;
		} else if (safe_text_forbidden(cp, SAFE_TEXT_HEADER) && cp != 0x200d)
			return false;
		i += n;
	}
	return true;
}

static bool
envelope_safe(const struct envelope *e)
{
	return field_safe(e->subject, false) && field_safe(e->from, true) &&
	    field_safe(e->to, true) && field_safe(e->cc, true) &&
	    field_safe(e->message_id, false) && field_safe(e->in_reply_to, false) &&
	    field_safe(e->references, false) && field_safe(e->list_id, false);
}

static void
check_case(size_t i, const char *in, size_t len, const char *le)
{
	struct envelope e;

	envelope_parse(in, len, cases[i].fallback, &e);
	tap_is_str(e.subject, cases[i].subject, "%s (%s): subject", cases[i].what, le);
	tap_is_str(e.from, cases[i].from, "%s (%s): from", cases[i].what, le);
	tap_is_str(e.to, cases[i].to, "%s (%s): to", cases[i].what, le);
	tap_is_str(e.cc, cases[i].cc, "%s (%s): cc", cases[i].what, le);
	tap_is_str(e.message_id, cases[i].message_id, "%s (%s): message-id",
	    cases[i].what, le);
	tap_is_str(e.in_reply_to, cases[i].in_reply_to, "%s (%s): in-reply-to",
	    cases[i].what, le);
	tap_is_str(e.references, cases[i].references, "%s (%s): references",
	    cases[i].what, le);
	tap_is_str(e.list_id, cases[i].list_id, "%s (%s): list-id", cases[i].what, le);
	tap_is_int(e.date, cases[i].date, "%s (%s): date", cases[i].what, le);
	tap_is_int(e.has_attachment, cases[i].attachment, "%s (%s): attachment",
	    cases[i].what, le);
	tap_ok(envelope_safe(&e), "%s (%s): every field safe", cases[i].what, le);
	envelope_free(&e);
}

static void
test_cases(void)
{
	size_t i, len;
	char *crlf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_case(i, cases[i].in, strlen(cases[i].in), "LF");
		crlf = tap_crlf(cases[i].in, &len);
		check_case(i, crlf, len, "CRLF");
		free(crlf);
	}
}

static void
test_types(void)
{
	struct envelope e;
	size_t i;
	char *in;

	for (i = 0; i < sizeof(type_cases) / sizeof(type_cases[0]); i++) {
		in = type_cases[i].type != NULL ?
		    xasprintf("Subject: x\r\nContent-Type: %s\r\n\r\n", type_cases[i].type) :
		    xstrdup("Subject: x\r\n\r\n");
		envelope_parse(in, strlen(in), NULL, &e);
		tap_is_int(e.has_attachment, type_cases[i].attachment, "attachment: %s",
		    type_cases[i].type != NULL ? type_cases[i].type : "no Content-Type");
		envelope_free(&e);
		free(in);
	}
}

/* NUL bytes cannot end a field early or reach the output. */
static void
test_nul(void)
{
	static const char in[] = "Subject: a\0b\r\nFrom: N\0me <x@example.org>\r\n"
	    "Date: Tue, 14 May 2024\0 09:12:44 +0000\r\n\r\n";
	struct envelope e;

	envelope_parse(in, sizeof(in) - 1, NULL, &e);
	tap_is_str(e.subject, "a\xe2\x90\x80" "b", "NUL in a subject shown as a picture");
	tap_ok(strstr(e.from, "<x@example.org>") != NULL && strchr(e.from, '\0') ==
	    e.from + strlen(e.from), "NUL in a name: the address survives");
	tap_ok(envelope_safe(&e), "NULs: every field safe");
	envelope_free(&e);
}

/* Sixty ids folded over many lines: the newest fifty are kept, parent
 * last. */
static void
test_references(void)
{
	struct envelope e;
	struct buf in, want;
	size_t i, n = 0;
	const char *p;

	buf_init(&in, 1 << 20);
	buf_init(&want, 1 << 20);
	buf_addstr(&in, "Subject: Re: long thread\r\nReferences:");
	for (i = 0; i < 60; i++) {
		buf_printf(&in, "%s<%zu.thread@lists.example.org>", i % 3 == 0 ? "\r\n " : " ", i);
		if (i >= 10)
			buf_printf(&want, "%s<%zu.thread@lists.example.org>", i > 10 ? " " : "", i);
	}
	buf_addstr(&in, "\r\nIn-Reply-To: <59.thread@lists.example.org>\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	for (p = e.references; *p != '\0'; p++)
		n += *p == '<';
	tap_is_int(n, 50, "60 references: 50 kept");
	tap_is_str(e.references, buf_ptr(&want), "60 references: the newest, in order");
	tap_is_str(e.in_reply_to, "<59.thread@lists.example.org>", "60 references: in-reply-to");
	envelope_free(&e);

	/* Ids long enough that fifty do not fit: whole ones, the newest. */
	buf_reset(&in);
	buf_addstr(&in, "References:");
	for (i = 0; i < 40; i++) {
		buf_printf(&in, "\r\n <%03zu.", i);
		for (n = 0; n < 300; n++)
			buf_addc(&in, 'a' + n % 26);
		buf_addstr(&in, "@example.org>");
	}
	buf_addstr(&in, "\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	n = strlen(e.references);
	tap_ok(n <= ENVELOPE_FIELD_MAX && n > ENVELOPE_FIELD_MAX - 320,
	    "long references: filled to the cap (%zu bytes)", n);
	tap_ok(e.references[0] == '<' && e.references[n - 1] == '>' &&
	    strstr(e.references, "<039.") != NULL, "long references: whole ids, the newest");
	envelope_free(&e);
	buf_free(&in);
	buf_free(&want);
}

/* A 100 KB subject, and a To listing hundreds: capped, whole. */
static void
test_huge(void)
{
	struct envelope e;
	struct buf in;
	size_t i, n;

	buf_init(&in, 1 << 20);
	buf_addstr(&in, "Subject: ");
	for (i = 0; i < 100 * 1024; i++)
		buf_addc(&in, 'a' + i % 26);
	buf_addstr(&in, "\r\nFrom: tail@example.org\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	tap_is_int(strlen(e.subject), ENVELOPE_FIELD_MAX, "100 KB subject: cut to the cap");
	tap_is_str(e.from, "tail@example.org", "100 KB subject: the next field still read");
	envelope_free(&e);

	/* Two-byte characters: the cut falls on a boundary. */
	buf_reset(&in);
	buf_addstr(&in, "Subject: x");
	for (i = 0; i < 50 * 1024; i++)
		buf_addstr(&in, "\xc3\xa9");
	buf_addstr(&in, "\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	n = strlen(e.subject);
	tap_ok(n == ENVELOPE_FIELD_MAX - 1 && envelope_safe(&e),
	    "100 KB of two-byte characters: cut on a boundary (%zu bytes)", n);
	envelope_free(&e);

	/* Encoded words of controls grow eightfold as placeholders. */
	buf_reset(&in);
	buf_addstr(&in, "Subject:");
	for (i = 0; i < 2000; i++)
		buf_addstr(&in, " =?utf-8?Q?=E2=80=AE=E2=80=AE=E2=80=AE?=");
	buf_addstr(&in, "\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	n = strlen(e.subject);
	tap_ok(n <= ENVELOPE_FIELD_MAX && n > ENVELOPE_FIELD_MAX - 8 && envelope_safe(&e) &&
	    e.subject[n - 1] == '>', "placeholders: whole ones up to the cap (%zu bytes)", n);
	envelope_free(&e);

	buf_reset(&in);
	buf_addstr(&in, "To: ");
	for (i = 0; i < 900; i++)
		buf_printf(&in, "%s\"Person %zu\" <person%zu@example.org>", i > 0 ? ",\r\n " : "",
		    i, i);
	buf_addstr(&in, "\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	n = strlen(e.to);
	tap_ok(n <= ENVELOPE_FIELD_MAX && n > ENVELOPE_FIELD_MAX - 60 && envelope_safe(&e),
	    "900 recipients: filled to the cap (%zu bytes)", n);
	tap_ok(n > 13 && strcmp(e.to + n - 13, "@example.org>") == 0,
	    "900 recipients: the last kept is whole");
	envelope_free(&e);

	/* One name longer than the cap: kept, cut. */
	buf_reset(&in);
	buf_addstr(&in, "From: \"");
	for (i = 0; i < 10000; i++)
		buf_addc(&in, 'N');
	buf_addstr(&in, "\" <n@example.org>\r\n\r\n");
	envelope_parse(buf_ptr(&in), buf_len(&in), NULL, &e);
	tap_is_int(strlen(e.from), ENVELOPE_FIELD_MAX, "huge name: the one address, cut");
	envelope_free(&e);
	buf_free(&in);
}

/* Every prefix of a sample, each in a buffer of its exact size so a
 * read past the end is caught under ASan and valgrind. */
static void
test_truncated(void)
{
	struct envelope e;
	size_t len, i, bad = 0;
	char *crlf, *copy;

	crlf = tap_crlf(cases[0].in, &len);
	for (i = 0; i <= len; i++) {
		copy = xmalloc(i > 0 ? i : 1);
		memcpy(copy, crlf, i);
		envelope_parse(copy, i, NULL, &e);
		if (!envelope_safe(&e))
			bad++;
		envelope_free(&e);
		free(copy);
	}
	tap_is_int(bad, 0, "every prefix of the Outlook sample (%zu): fields safe", len + 1);
	free(crlf);
}

static void
test_api(void)
{
	struct envelope e;

	envelope_parse(NULL, 0, NULL, &e);
	tap_ok(e.subject != NULL && e.subject[0] == '\0' && e.from[0] == '\0' &&
	    e.references[0] == '\0' && e.date == ENVELOPE_NO_DATE, "NULL input: empty fields");
	envelope_free(&e);
	tap_ok(e.subject == NULL && e.from == NULL, "free clears the fields");
	envelope_free(&e);
	envelope_free(NULL);
	tap_ok(1, "double free and NULL are harmless");
	tap_ok(strstr(ENVELOPE_FIELDS, "LIST-ID") != NULL &&
	    strstr(ENVELOPE_FIELDS, "CONTENT-TYPE") != NULL, "fetched fields name what is read");
}

int
main(void)
{
	test_cases();
	test_types();
	test_nul();
	test_references();
	test_huge();
	test_truncated();
	test_api();
	charset_cache_clear();
	return tap_done();
}
