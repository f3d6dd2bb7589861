/* Unit tests for the IMAP response parser: server responses as Dovecot,
 * Gmail, Exchange and Cyrus send them, each fed whole, one byte at a
 * time and in random-size chunks, which must all give the same tree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-parser.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "tap.h"

#define DUMP_MAX (4 * 1024 * 1024)

/* Canonical text of a tree: atoms as sent, NIL as NIL, strings quoted,
 * literals as {N}"...", lists in parentheses; bytes outside printable
 * ASCII as \xNN. Walks with an explicit stack, like the parser. */
static void
dump_quoted(struct buf *out, const char *s, size_t len)
{
	size_t i;

	buf_addc(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
	buf_addc(out, '"');
}

static void
dump_args(struct buf *out, const struct imap_arg *args, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		const struct imap_arg *a = &args[i], *list;
		const char *s;
		size_t len, n;

		if (i > 0)
			buf_addc(out, ' ');
		switch (a->type) {
		case IMAP_ARG_ATOM:
			if (!imap_arg_get_atom(a, &s))
				buf_addstr(out, "?atom");
			else
				buf_addstr(out, s);
			break;
		case IMAP_ARG_NIL:
			buf_addstr(out, imap_arg_is_nil(a) ? "NIL" : "?nil");
			break;
		case IMAP_ARG_STRING:
		case IMAP_ARG_LITERAL:
			if (!imap_arg_get_string(a, &s, &len)) {
				buf_addstr(out, "?string");
				break;
			}
			if (a->type == IMAP_ARG_LITERAL)
				buf_printf(out, "%s{%zu}", a->literal8 ? "~" : "", len);
			dump_quoted(out, s, len);
			break;
		case IMAP_ARG_LIST:
			if (!imap_arg_get_list(a, &list, &n)) {
				buf_addstr(out, "?list");
				break;
			}
			buf_addc(out, '(');
			dump_args(out, list, n);
			buf_addc(out, ')');
			break;
		}
	}
}

static void
dump_response(struct buf *out, const struct imap_response *r)
{
	switch (r->kind) {
	case IMAP_RESP_TAGGED:
		buf_printf(out, "%s ", r->tag);
		break;
	case IMAP_RESP_UNTAGGED:
		buf_addstr(out, "* ");
		break;
	case IMAP_RESP_CONTINUATION:
		buf_addstr(out, "+");
		break;
	}
	dump_args(out, r->args, r->count);
	if (r->code != NULL) {
		buf_addstr(out, " [");
		dump_args(out, r->code, r->code_count);
		buf_addc(out, ']');
	}
	if (r->text != NULL) {
		buf_addstr(out, " |");
		buf_add(out, r->text, r->text_len);
	}
	buf_addc(out, '\n');
}

enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };

/* Parses input fed in the given way; returns the dumps of all responses,
 * then "ERROR: ..." on an error, or "PENDING" when input ended inside a
 * response. The caller frees the result. */
static char *
parse_all(const char *input, size_t len, enum feed_mode mode, unsigned seed,
    const struct imap_parser_limits *limits)
{
	struct imap_parser *p = imap_parser_create(limits);
	const struct imap_response *resp;
	struct buf out;
	size_t pos = 0, n;
	int r = 0;

	buf_init(&out, DUMP_MAX);
	srand(seed);
	while (pos < len) {
		if (mode == FEED_WHOLE)
			n = len;
		else if (mode == FEED_BYTES)
			n = 1;
		else
			n = 1 + (size_t)rand() % 17;
		if (n > len - pos)
			n = len - pos;
		imap_parser_feed(p, input + pos, n);
		pos += n;
		while ((r = imap_parser_next(p, &resp)) == 1)
			dump_response(&out, resp);
		if (r == -1) {
			buf_printf(&out, "ERROR: %s\n", imap_parser_error(p));
			break;
		}
	}
	/* Once input is used up, asking again must still say 0. */
	if (r == 0 && imap_parser_next(p, &resp) != 0)
		buf_addstr(&out, "UNEXPECTED\n");
	imap_parser_destroy(&p);
	if (p != NULL)
		buf_addstr(&out, "DESTROY DID NOT CLEAR\n");
	return buf_detach(&out);
}

struct parse_case {
	const char *name;
	const char *input;
	size_t len;		/* 0: strlen(input) */
	const char *want;
};

#define LITERAL8_INPUT \
	"* 3 FETCH (BODY[1.2]<0> {5}\r\nhello BINARY[2] ~{3}\r\na\0b " \
	"BINARY.SIZE[2] 3 BODY[] \"\")\r\n"

static const struct parse_case cases[] = {
	/* Greetings. */
	{ "dovecot greeting with capabilities",
	  "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
	  "STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n", 0,
	  "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
	  "STARTTLS AUTH=PLAIN] |Dovecot (Debian) ready.\n" },
	{ "exchange greeting",
	  "* OK The Microsoft Exchange IMAP4 service is ready.\r\n", 0,
	  "* OK |The Microsoft Exchange IMAP4 service is ready.\n" },
	{ "gmail greeting",
	  "* OK Gimap ready for requests from 192.0.2.1 a1mb12345678abc\r\n", 0,
	  "* OK |Gimap ready for requests from 192.0.2.1 a1mb12345678abc\n" },
	{ "preauth and bye",
	  "* PREAUTH [CAPABILITY IMAP4rev2] Logged in as tim\r\n"
	  "* BYE Autologout; idle for too long\r\n", 0,
	  "* PREAUTH [CAPABILITY IMAP4rev2] |Logged in as tim\n"
	  "* BYE |Autologout; idle for too long\n" },
	{ "gmail capability",
	  "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN "
	  "X-GM-EXT-1 XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN "
	  "AUTH=OAUTHBEARER\r\n", 0,
	  "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN "
	  "X-GM-EXT-1 XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN "
	  "AUTH=OAUTHBEARER\n" },
	/* Tagged completions. */
	{ "tagged ok with a code",
	  "a7Kq3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n", 0,
	  "a7Kq3 OK [READ-WRITE] |Select completed (0.001 + 0.000 secs).\n" },
	{ "tagged no and bad",
	  "A2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
	  "A3 BAD Error in IMAP command UID: Invalid uidset\r\n", 0,
	  "A2 NO [AUTHENTICATIONFAILED] |Authentication failed.\n"
	  "A3 BAD |Error in IMAP command UID: Invalid uidset\n" },
	{ "tagged ok with copyuid",
	  "A4 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n", 0,
	  "A4 OK [COPYUID 38505 304,319:320 3956:3958] |Done\n" },
	{ "text with unbalanced brackets and parens is kept raw",
	  "A5 NO [CANNOT] Can't do that :-( [really) {5}\r\n", 0,
	  "A5 NO [CANNOT] |Can't do that :-( [really) {5}\n" },
	{ "malformed code stays in the text",
	  "* OK [ALERT \"unterminated] Mailbox is 95% full\r\n", 0,
	  "* OK |[ALERT \"unterminated] Mailbox is 95% full\n" },
	{ "status without text, lowercase, odd spacing",
	  "A6 ok\r\n* no   [ALERT]   Quota warning  \r\n", 0,
	  "A6 ok |\n* no [ALERT] |Quota warning  \n" },
	/* SELECT with CONDSTORE/QRESYNC (RFC 7162). */
	{ "select responses",
	  "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"
	  "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
	  "Flags permitted.\r\n"
	  "* 172 EXISTS\r\n"
	  "* 1 RECENT\r\n"
	  "* OK [UNSEEN 12] First unseen.\r\n"
	  "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
	  "* OK [UIDNEXT 4392] Predicted next UID\r\n"
	  "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n"
	  "* VANISHED (EARLIER) 300:310,405,411\r\n"
	  "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n"
	  "A02 OK [READ-WRITE] [CLOSED] sort of\r\n", 0,
	  "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\n"
	  "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
	  "|Flags permitted.\n"
	  "* 172 EXISTS\n"
	  "* 1 RECENT\n"
	  "* OK [UNSEEN 12] |First unseen.\n"
	  "* OK [UIDVALIDITY 3857529045] |UIDs valid\n"
	  "* OK [UIDNEXT 4392] |Predicted next UID\n"
	  "* OK [HIGHESTMODSEQ 715194045007] |Highest\n"
	  "* VANISHED (EARLIER) 300:310,405,411\n"
	  "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\n"
	  "A02 OK [READ-WRITE] |[CLOSED] sort of\n" },
	/* LIST with SPECIAL-USE (RFC 6154), Gmail, Exchange and Cyrus. */
	{ "list responses",
	  "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
	  "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n"
	  "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\r\n"
	  "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
	  "* LIST (\\HasNoChildren) \".\" INBOX.Entw&APw-rfe\r\n"
	  "* LIST (\\Noselect) NIL \"\"\r\n"
	  "* LIST (\\HasNoChildren) \"\\\\\" {11}\r\nfoo\\bar baz\r\n", 0,
	  "* LIST (\\HasNoChildren) \"/\" INBOX\n"
	  "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\n"
	  "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\n"
	  "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\n"
	  "* LIST (\\HasNoChildren) \".\" INBOX.Entw&APw-rfe\n"
	  "* LIST (\\Noselect) NIL \"\"\n"
	  "* LIST (\\HasNoChildren) \"\\\\\" {11}\"foo\\\\bar baz\"\n" },
	{ "status and myrights and namespace",
	  "* STATUS \"Sent Items\" (MESSAGES 231 UIDNEXT 44292 UNSEEN 0 HIGHESTMODSEQ 9)\r\n"
	  "* MYRIGHTS INBOX lrswipkxtecda\r\n"
	  "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n"
	  "* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\n", 0,
	  "* STATUS \"Sent Items\" (MESSAGES 231 UIDNEXT 44292 UNSEEN 0 HIGHESTMODSEQ 9)\n"
	  "* MYRIGHTS INBOX lrswipkxtecda\n"
	  "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\") (\"#public/\" \"/\"))\n"
	  "* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\n" },
	{ "id, esearch, metadata, enabled",
	  "* ID (\"name\" \"Dovecot\" \"version\" \"2.3.19\")\r\n"
	  "* ID NIL\r\n"
	  "* ESEARCH (TAG \"A282\") UID MIN 2 COUNT 3 ALL 2,10:11\r\n"
	  "* METADATA \"INBOX\" (/private/comment \"My own comment\" /shared/x NIL)\r\n"
	  "* ENABLED CONDSTORE QRESYNC\r\n"
	  "* SEARCH 2 84 882\r\n"
	  "* SEARCH\r\n", 0,
	  "* ID (\"name\" \"Dovecot\" \"version\" \"2.3.19\")\n"
	  "* ID NIL\n"
	  "* ESEARCH (TAG \"A282\") UID MIN 2 COUNT 3 ALL 2,10:11\n"
	  "* METADATA \"INBOX\" (/private/comment \"My own comment\" /shared/x NIL)\n"
	  "* ENABLED CONDSTORE QRESYNC\n"
	  "* SEARCH 2 84 882\n"
	  "* SEARCH\n" },
	/* FETCH. */
	{ "dovecot header fields fetch",
	  "* 12 FETCH (UID 4 FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM TO)] {30}\r\n"
	  "From: a@b.example\r\nTo: c@d\r\n\r\n)\r\n", 0,
	  "* 12 FETCH (UID 4 FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM TO)] "
	  "{30}\"From: a@b.example\\x0d\\x0aTo: c@d\\x0d\\x0a\\x0d\\x0a\")\n" },
	{ "partial, binary and literal8",
	  LITERAL8_INPUT, sizeof LITERAL8_INPUT - 1,
	  "* 3 FETCH (BODY[1.2]<0> {5}\"hello\" BINARY[2] ~{3}\"a\\x00b\" "
	  "BINARY.SIZE[2] 3 BODY[] \"\")\n" },
	{ "gmail fetch",
	  "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 "
	  "X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\") UID 1)\r\n", 0,
	  "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 "
	  "X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\") UID 1)\n" },
	{ "envelope with nil parts and escapes",
	  "* 2 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	  "\"IMAP4rev1 \\\"WG\\\" mtg\" ((\"Terry Gray\" NIL \"gray\" \"cac.example\")) "
	  "NIL NIL ((NIL NIL \"imap\" \"cac.example\")) NIL NIL NIL "
	  "\"<B27397-0100000@cac.example>\") INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
	  "RFC822.SIZE 4286)\r\n", 0,
	  "* 2 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	  "\"IMAP4rev1 \\\"WG\\\" mtg\" ((\"Terry Gray\" NIL \"gray\" \"cac.example\")) "
	  "NIL NIL ((NIL NIL \"imap\" \"cac.example\")) NIL NIL NIL "
	  "\"<B27397-0100000@cac.example>\") INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
	  "RFC822.SIZE 4286)\n" },
	{ "nested bodystructure",
	  "* 5 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
	  "\"quoted-printable\" 120 4 NIL NIL NIL NIL)((\"text\" \"html\" (\"charset\" \"utf-8\") "
	  "NIL NIL \"7bit\" 300 8 NIL NIL NIL NIL)(\"image\" \"png\" (\"name\" \"a.png\") "
	  "\"<id1>\" NIL \"base64\" 5000 NIL (\"inline\" (\"filename\" \"a.png\")) NIL NIL) "
	  "\"related\" (\"boundary\" \"b2\") NIL NIL NIL) \"alternative\" (\"boundary\" \"b1\") "
	  "NIL NIL NIL))\r\n", 0,
	  "* 5 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
	  "\"quoted-printable\" 120 4 NIL NIL NIL NIL) ((\"text\" \"html\" (\"charset\" \"utf-8\") "
	  "NIL NIL \"7bit\" 300 8 NIL NIL NIL NIL) (\"image\" \"png\" (\"name\" \"a.png\") "
	  "\"<id1>\" NIL \"base64\" 5000 NIL (\"inline\" (\"filename\" \"a.png\")) NIL NIL) "
	  "\"related\" (\"boundary\" \"b2\") NIL NIL NIL) \"alternative\" (\"boundary\" \"b1\") "
	  "NIL NIL NIL))\n" },
	{ "utf-8 in a quoted string and an empty literal",
	  "* 7 FETCH (ENVELOPE (NIL \"Gr\xc3\xbc\xc3\x9f\x65\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	  "BODY[TEXT] {0}\r\n)\r\n", 0,
	  "* 7 FETCH (ENVELOPE (NIL \"Gr\\xc3\\xbc\\xc3\\x9fe\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	  "BODY[TEXT] {0}\"\")\n" },
	{ "literal holding a forged completion",
	  "* 1 FETCH (BODY[] {28}\r\n\r\nA001 OK done\r\n* 2 EXISTS\r\n)\r\n"
	  "A001 OK [READ-ONLY] real\r\n", 0,
	  "* 1 FETCH (BODY[] {28}\"\\x0d\\x0aA001 OK done\\x0d\\x0a* 2 EXISTS\\x0d\\x0a\")\n"
	  "A001 OK [READ-ONLY] |real\n" },
	/* Continuations. */
	{ "continuations",
	  "+ idling\r\n+ \r\n+\r\n+ dXNlcj1mb28BYXV0aD1CZWFyZXIgeHh4AQE=\r\n"
	  "+ [ALERT] raw\r\n", 0,
	  "+ |idling\n+ |\n+ |\n+ |dXNlcj1mb28BYXV0aD1CZWFyZXIgeHh4AQE=\n+ |[ALERT] raw\n" },
	/* Tolerance. */
	{ "bare LF line ends and blank lines",
	  "* 3 EXISTS\n\r\n\n* 4 FETCH (BODY[] {2}\nhi)\nA1 OK done\n", 0,
	  "* 3 EXISTS\n* 4 FETCH (BODY[] {2}\"hi\")\nA1 OK |done\n" },
	{ "trailing spaces before CRLF and lowercase nil",
	  "* 1 FETCH (FLAGS () UID 9 X nil)   \r\n", 0,
	  "* 1 FETCH (FLAGS () UID 9 X NIL)\n" },
	{ "input ends inside a response",
	  "* 1 FETCH (BODY[] {10}\r\nabc", 0,
	  "" },
	{ "other backslashes in quoted strings are kept",
	  "* LIST () \"\\\\\" \"a\\b\"\r\n", 0,
	  "* LIST () \"\\\\\" \"a\\\\b\"\n" },
	{ "unclosed section bracket ends at the line end",
	  "* 1 FETCH BODY[HEADER (x\r\n", 0,
	  "* 1 FETCH BODY[HEADER (x\n" },
	{ "gmail label atom with brackets",
	  "* 9 FETCH (X-GM-LABELS ([Gmail]/Starred \\Important) UID 3)\r\n", 0,
	  "* 9 FETCH (X-GM-LABELS ([Gmail]/Starred \\Important) UID 3)\n" },
	{ "literal8 marker alone is an atom",
	  "* X ~a ~\r\n", 0,
	  "* X ~a ~\n" },
	/* Errors. */
	{ "NUL byte in a line", "* OK hel\0lo\r\n", 13,
	  "ERROR: NUL byte in a response line\n" },
	{ "garbage after a literal", "* 1 FETCH (BODY[] {5}\r\nhelloXYZ)\r\n", 0,
	  "ERROR: expected a space, ')' or CRLF after a string or literal\n" },
	{ "unterminated quoted string", "* LIST () \"/\" \"INBOX\r\nA1 OK\r\n", 0,
	  "ERROR: quoted string not closed before the line end\n" },
	{ "2 GB literal announcement", "* 1 FETCH (BODY[] {2147483648}\r\n", 0,
	  "ERROR: literal of 2147483648 bytes exceeds the 64 MiB limit\n" },
	{ "literal size with 25 digits", "* 1 FETCH (BODY[] {1234567890123456789012345}\r\n", 0,
	  "ERROR: literal size does not fit in 64 bits\n" },
	{ "bad literal size", "* 1 FETCH (BODY[] {12a}\r\n", 0,
	  "ERROR: expected a digit or '}' in a literal size\n" },
	{ "no CRLF after a literal size", "* 1 FETCH (BODY[] {1} x\r\n", 0,
	  "ERROR: expected CRLF after a literal size\n" },
	{ "line ends inside a list", "* 1 FETCH (UID 1\r\n", 0,
	  "ERROR: line ended inside a list (1 left open)\n" },
	{ "unbalanced close", "* 1 FETCH UID 1)\r\n", 0, "ERROR: unexpected ')'\n" },
	{ "CR without LF", "* 1 EXISTS\r* 2 EXISTS\r\n", 0, "ERROR: expected LF after CR\n" },
	{ "no space after star", "*OK\r\n", 0, "ERROR: expected a space after '*'\n" },
	{ "untagged without data", "* \r\n", 0, "ERROR: untagged response without data\n" },
	{ "tag alone", "A1\r\n", 0, "ERROR: tagged response without a status\n" },
	{ "responses before an error are kept", "* 1 EXISTS\r\n*  )\r\n", 0,
	  "* 1 EXISTS\nERROR: unexpected ')'\n" },
};

static void
test_cases(void)
{
	static const enum feed_mode modes[] = { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };
	static const char *mode_names[] = { "whole", "byte by byte", "random chunks" };
	size_t i, m;
	unsigned seed;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct parse_case *c = &cases[i];
		size_t len = c->len != 0 ? c->len : strlen(c->input);

		for (m = 0; m < 3; m++) {
			char *got = parse_all(c->input, len, modes[m], 1, NULL);

			tap_is_str(got, c->want, "%s (%s)", c->name, mode_names[m]);
			free(got);
		}
		/* More random cuts must agree as well. */
		for (seed = 2; seed < 12; seed++) {
			char *got = parse_all(c->input, len, FEED_RANDOM, seed, NULL);

			if (strcmp(got, c->want) != 0) {
				tap_is_str(got, c->want, "%s (seed %u)", c->name, seed);
				free(got);
				break;
			}
			free(got);
		}
	}
}

static void
test_accessors(void)
{
	static const char input[] =
	    "* 12 FETCH (UID 18446744073709551615 MODSEQ (18446744073709551616) "
	    "BODY[HEADER] {5}\r\nhe\0lo X \"q\" NIL (a b))\r\n"
	    "* OK [UIDVALIDITY 3857529045] x\r\n";
	struct imap_parser *p = imap_parser_create(NULL);
	const struct imap_response *r;
	const struct imap_arg *list, *inner;
	const char *s;
	size_t n, len;
	uint64_t num;

	imap_parser_feed(p, input, sizeof input - 1);
	tap_is_int(imap_parser_next(p, &r), 1, "accessors: a response");
	tap_is_int(r->kind, IMAP_RESP_UNTAGGED, "untagged");
	tap_ok(r->tag == NULL && r->text == NULL && r->code == NULL, "no tag, text or code");
	tap_is_int((long long)r->count, 3, "three arguments");
	tap_ok(imap_arg_get_number(&r->args[0], &num) && num == 12, "message number");
	tap_ok(imap_arg_atom_equals(&r->args[1], "fetch"), "atom_equals is case-insensitive");
	tap_ok(!imap_arg_atom_equals(&r->args[1], "FETCHX"), "atom_equals compares whole atoms");
	tap_ok(imap_arg_get_list(&r->args[2], &list, &n) && n == 10, "list of 10");
	tap_ok(imap_arg_get_number(&list[1], &num) && num == UINT64_MAX, "largest 64-bit number");
	tap_ok(imap_arg_get_list(&list[3], &inner, &len) && len == 1, "inner list");
	tap_ok(!imap_arg_get_number(&inner[0], &num), "a number over 64 bits is refused");
	tap_ok(!imap_arg_get_number(&list[0], &num), "a non-digit atom is no number");
	tap_ok(imap_arg_get_atom(&list[4], &s) && strcmp(s, "BODY[HEADER]") == 0,
	    "section atom");
	tap_ok(imap_arg_get_string(&list[5], &s, &len) && len == 5 && memcmp(s, "he\0lo", 5) == 0,
	    "literal with a NUL byte");
	tap_ok(!imap_arg_get_atom(&list[5], &s), "a literal is no atom");
	tap_ok(imap_arg_get_astring(&list[6], &s, &len) && strcmp(s, "X") == 0,
	    "astring from an atom");
	tap_ok(!imap_arg_get_string(&list[6], &s, &len), "an atom is no string");
	tap_ok(imap_arg_get_astring(&list[7], &s, NULL) && strcmp(s, "q") == 0,
	    "astring from a quoted string");
	tap_ok(imap_arg_get_nstring(&list[8], &s, &len) && s == NULL && len == 0,
	    "nstring NIL gives NULL");
	tap_ok(imap_arg_get_astring(&list[8], &s, NULL) && strcmp(s, "NIL") == 0,
	    "astring NIL gives its text");
	tap_ok(!imap_arg_get_atom(&list[8], &s) && imap_arg_is_nil(&list[8]), "NIL is no atom");
	tap_ok(!imap_arg_get_nstring(&list[9], &s, &len), "a list is no nstring");
	tap_ok(!imap_arg_get_astring(&list[9], &s, &len), "a list is no astring");
	tap_ok(imap_arg_get_list(&list[9], &inner, &n) && n == 2, "last list");
	tap_ok(!imap_arg_get_list(&list[6], &inner, &n), "an atom is no list");
	tap_ok(imap_arg_atom_equals(&list[6], "x"), "atom equals");
	tap_is_int(imap_parser_next(p, &r), 1, "second response");
	tap_ok(r->code != NULL && r->code_count == 2 &&
	    imap_arg_atom_equals(&r->code[0], "UIDVALIDITY") &&
	    imap_arg_get_number(&r->code[1], &num) && num == 3857529045u, "code and value");
	tap_is_str(r->text, "x", "text after the code");
	tap_ok(imap_arg_atom_equals(&r->args[0], "OK") && r->count == 1, "status atom");
	tap_is_int(imap_parser_next(p, &r), 0, "then need more input");
	tap_ok(imap_parser_error(p) == NULL, "no error");
	imap_parser_destroy(&p);
	tap_ok(p == NULL, "destroy clears the pointer");
	imap_parser_destroy(&p);
}

static void
test_limits(void)
{
	struct imap_parser_limits lim = { 0 };
	struct buf in;
	char *got;
	size_t i;

	/* A line of 65536 bytes is fine, one more is not. */
	buf_init(&in, 1024 * 1024);
	buf_addstr(&in, "* SEARCH");
	while (buf_len(&in) < 65534)
		buf_addstr(&in, " 1");
	buf_truncate(&in, 65534);
	buf_addstr(&in, "\r\n");
	got = parse_all(buf_ptr(&in), buf_len(&in), FEED_WHOLE, 1, NULL);
	tap_ok(strncmp(got, "* SEARCH 1 1", 12) == 0, "a line of exactly 64 KiB");
	free(got);
	buf_truncate(&in, 65534);
	buf_addstr(&in, "1\r\n");
	got = parse_all(buf_ptr(&in), buf_len(&in), FEED_RANDOM, 3, NULL);
	tap_is_str(got, "ERROR: line longer than 65536 bytes\n", "a line of 64 KiB + 1");
	free(got);

	/* 10,000 nested parentheses: an error at the 65th, no recursion. */
	buf_reset(&in);
	buf_addstr(&in, "* X ");
	for (i = 0; i < 10000; i++)
		buf_addc(&in, '(');
	got = parse_all(buf_ptr(&in), buf_len(&in), FEED_BYTES, 1, NULL);
	tap_is_str(got, "ERROR: parentheses nested deeper than 64\n", "10,000 nested lists");
	free(got);
	buf_reset(&in);
	buf_addstr(&in, "* X ");
	for (i = 0; i < 64; i++)
		buf_addc(&in, '(');
	for (i = 0; i < 64; i++)
		buf_addc(&in, ')');
	buf_addstr(&in, "\r\n");
	got = parse_all(buf_ptr(&in), buf_len(&in), FEED_RANDOM, 1, NULL);
	tap_ok(strncmp(got, "* X ((((", 8) == 0, "64 nested lists are fine");
	free(got);

	/* Code lists nest under the same limit. */
	lim.depth_max = 2;
	got = parse_all("* OK [X ((a))] t\r\n", 18, FEED_BYTES, 1, &lim);
	tap_is_str(got, "* OK [X ((a))] |t\n", "code lists at the depth limit");
	free(got);
	got = parse_all("* OK [X (((a)))] t\r\n", 20, FEED_BYTES, 1, &lim);
	tap_is_str(got, "ERROR: parentheses nested deeper than 2\n", "code lists over it");
	free(got);

	/* Custom limits. */
	lim.depth_max = 0;
	lim.literal_max = 10;
	got = parse_all("* 1 FETCH (BODY[] {11}\r\n", 24, FEED_WHOLE, 1, &lim);
	tap_is_str(got, "ERROR: literal of 11 bytes exceeds the 10 bytes limit\n",
	    "a literal over a custom limit");
	free(got);
	lim.literal_max = 0;
	lim.response_max = 40;
	got = parse_all("* 1 FETCH (BODY[] {20}\r\n", 24, FEED_WHOLE, 1, &lim);
	tap_is_str(got, "ERROR: response larger than the 40 bytes limit\n",
	    "a literal over the response limit, announced");
	free(got);
	lim.response_max = 0;
	lim.args_max = 4;
	got = parse_all("* 1 FETCH (A)\r\n* 1 FETCH (A B)\r\n", 32, FEED_WHOLE, 1, &lim);
	tap_is_str(got, "* 1 FETCH (A)\nERROR: more than 4 arguments in one response\n",
	    "argument limit per response");
	free(got);

	/* A 1 MiB literal, fed in pieces. */
	buf_free(&in);
	buf_init(&in, 2 * 1024 * 1024);
	buf_addstr(&in, "* 1 FETCH (BODY[] {1048576}\r\n");
	for (i = 0; i < 1048576; i++)
		buf_addc(&in, (char)('a' + i % 26));
	buf_addstr(&in, ")\r\n");
	got = parse_all(buf_ptr(&in), buf_len(&in), FEED_RANDOM, 1, NULL);
	tap_ok(str_has_prefix(got, "* 1 FETCH (BODY[] {1048576}\"abcdef") &&
	    str_has_suffix(got, "uv\")\n") && strlen(got) == 28 + 1048576 + 3,
	    "a 1 MiB literal");
	free(got);
	buf_free(&in);
}

static void
test_error_is_final(void)
{
	struct imap_parser *p = imap_parser_create(NULL);
	const struct imap_response *r;

	imap_parser_feed(p, "*X\r\n", 4);
	tap_is_int(imap_parser_next(p, &r), -1, "an error");
	imap_parser_feed(p, "* 1 EXISTS\r\n", 12);
	tap_is_int(imap_parser_next(p, &r), -1, "stays an error after more input");
	tap_is_str(imap_parser_error(p), "expected a space after '*'", "with its message");
	imap_parser_destroy(&p);
}

int
main(void)
{
	test_cases();
	test_accessors();
	test_limits();
	test_error_is_final();
	return tap_done();
}
