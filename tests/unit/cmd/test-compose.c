/* Unit tests for drafts: replies, the editor text, the built message
 * (RFC 2047, quoted-printable, attachments, line ends) and recipients. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd-compose.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "mime/cte.h"
#include "mime/message.h"
#include "mime/rfc2047.h"
#include "mime/rfc5322.h"
#include "tap.h"

static const char mailrc[] =
	"account a {\n"
	"    set imap=imap://alice@127.0.0.1\n"
	"    set from=\"Alice Example <alice@example.org>\"\n"
	"    set alternates=\"alice@work.example, al@example.net\"\n"
	"}\n";

static struct conf *
test_conf(void)
{
	struct conf *conf = conf_create();
	struct conf_parser *p = conf_parser_create(conf, "mailrc");

	conf_parser_feed(p, mailrc, strlen(mailrc));
	conf_parser_finish(p);
	conf_parser_destroy(&p);
	conf_validate(conf);
	return conf;
}

/* A message from text with LF line ends (kept alive by the caller). */
static struct message *
parse(const char *text, char **crlf_r)
{
	size_t len;

	*crlf_r = tap_crlf(text, &len);
	return message_parse(*crlf_r, len, NULL);
}

static void
test_reply_subjects(const struct conf_account *acct)
{
	static const struct {
		const char *subject, *want;
	} cases[] = {
		{ "hello", "Re: hello" },
		{ "Re: hello", "Re: hello" },
		{ "RE: hello", "RE: hello" },
		{ "re: hello", "re: hello" },
		{ "Re[2]: hello", "Re[2]: hello" },
		{ "AW: Hallo", "AW: Hallo" },
		{ "SV: Hej", "SV: Hej" },
		{ "Fwd: news", "Re: Fwd: news" },
		{ "Return policy", "Re: Return policy" },
		{ "Re[x]: odd", "Re: Re[x]: odd" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = xasprintf("From: bob@example.org\nSubject: %s\n\nhi\n",
		    cases[i].subject), *raw, *warning;
		struct message *m = parse(text, &raw);
		struct cmd_draft *d = cmd_draft_reply(acct, m, NULL, false, &warning);

		tap_is_str(d->subject, cases[i].want, "reply subject for '%s'", cases[i].subject);
		cmd_draft_destroy(&d);
		message_destroy(&m);
		free(raw);
		free(text);
	}
}

static void
test_group_reply(const struct conf_account *acct)
{
	char *raw, *warning;
	struct message *m = parse(
	    "From: Bob <bob@example.org>\n"
	    "To: Alice <ALICE@example.org>, Carol <carol@example.org>\n"
	    "Cc: alice@work.example, dave@example.org, bob@example.org\n"
	    "Subject: plans\n"
	    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
	    "Message-ID: <c@example.org>\n"
	    "References: <a@example.org> <b@example.org>\n"
	    "\n"
	    "line one\n> quoted before\n", &raw);
	struct cmd_draft *d = cmd_draft_reply(acct, m, "Lists/dev", true, &warning);

	tap_is_str(d->to, "Bob <bob@example.org>", "group reply: To is the sender");
	tap_is_str(d->cc, "Carol <carol@example.org>, dave@example.org",
	    "group reply: own addresses (from=, alternates=) and the sender left out");
	tap_is_str(d->in_reply_to, "<c@example.org>", "In-Reply-To is the original's id");
	tap_is_str(d->references, "<a@example.org> <b@example.org> <c@example.org>",
	    "References: the original's, then its id");
	tap_is_str(d->reply_folder, "Lists/dev", "the folder answered in is kept");
	tap_ok(strstr(d->body, " Bob wrote:\n> line one\n>> quoted before\n") != NULL,
	    "body quotes the text after the attribution");
	tap_ok(strncmp(d->message_id, "<", 1) == 0 &&
	    strstr(d->message_id, "@example.org>") != NULL, "Message-ID uses from='s domain");
	cmd_draft_destroy(&d);

	d = cmd_draft_reply(acct, m, NULL, false, &warning);
	tap_is_str(d->cc, "", "plain reply: no Cc");
	cmd_draft_destroy(&d);
	message_destroy(&m);
	free(raw);

	m = parse("From: Bob <bob@example.org>\nReply-To: list@example.org\n"
	    "Subject: x\n\nhi\n", &raw);
	d = cmd_draft_reply(acct, m, NULL, false, &warning);
	tap_is_str(d->to, "list@example.org", "reply goes to Reply-To");
	cmd_draft_destroy(&d);
	d = cmd_draft_forward(acct, m, &warning);
	tap_is_str(d->subject, "Fwd: x", "forward subject");
	tap_ok(strstr(d->body, "---------- Forwarded message ----------\nFrom: Bob "
	    "<bob@example.org>\n") != NULL && strstr(d->body, "\nhi\n") != NULL,
	    "forward body has the block and the text");
	tap_ok(d->in_reply_to == NULL, "forward has no In-Reply-To");
	cmd_draft_destroy(&d);
	message_destroy(&m);
	free(raw);
}

static void
test_references_trimmed(const struct conf_account *acct)
{
	struct buf text;
	struct message *m;
	struct cmd_draft *d;
	char *raw, *warning;
	size_t i, count = 0;
	const char *p;

	buf_init(&text, 1 << 16);
	buf_addstr(&text, "From: bob@example.org\nMessage-ID: <last@x>\nReferences:");
	for (i = 0; i < 40; i++)
		buf_printf(&text, " <r%zu@x>", i);
	buf_addstr(&text, "\n\nhi\n");
	m = parse(buf_ptr(&text), &raw);
	d = cmd_draft_reply(acct, m, NULL, false, &warning);
	for (p = d->references; (p = strchr(p, '<')) != NULL; p++)
		count++;
	tap_is_int((long long)count, CMD_DRAFT_REFERENCES_MAX, "References trimmed");
	tap_ok(strncmp(d->references, "<r0@x> ", 7) == 0, "the first reference is kept");
	tap_ok(strstr(d->references, "<r39@x> <last@x>") != NULL, "the latest are kept");
	cmd_draft_destroy(&d);
	message_destroy(&m);
	free(raw);
	buf_free(&text);
}

/* Checks the built message's form: CRLF only, lines within limits,
 * headers ASCII and within 78 columns. */
static void
check_form(const struct buf *msg, const char *what)
{
	const char *p = buf_ptr(msg), *end = p + buf_len(msg);
	bool bare = false, long_line = false, header_bad = false, in_header = true;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p), i;

		if (nl == NULL || n == 0 || p[n - 1] != '\r')
			bare = bare || nl != NULL || n > 0;
		else
			n--;
		long_line = long_line || n > 998;
		if (in_header && n == 0)
			in_header = false;
		if (in_header) {
			header_bad = header_bad || n > 78;
			for (i = 0; i < n; i++)
				header_bad = header_bad || (unsigned char)p[i] >= 0x80 || p[i] < ' ';
		}
		p = nl != NULL ? nl + 1 : end;
	}
	tap_ok(!bare, "%s: no bare LF or CR", what);
	tap_ok(!long_line, "%s: lines within 998 bytes", what);
	tap_ok(!header_bad, "%s: header lines ASCII, within 78 columns", what);
}

static struct cmd_draft *
editor_draft(const struct conf_account *acct, const char *text)
{
	char *warning, *error = NULL;
	struct cmd_draft *d = cmd_draft_new(acct, &warning);

	if (cmd_draft_from_editor(d, text, strlen(text), &error) != 0) {
		tap_diag("editor text refused: %s", error);
		free(error);
	}
	return d;
}

static void
test_encoding(const struct conf *conf, const struct conf_account *acct)
{
	static const char *const subjects[] = {
		"plain ASCII",
		"Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln",
		"Re: caf\xc3\xa9 tonight?",
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d "
		    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d "
		    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d "
		    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d",
		"a literal =?utf-8?Q?x?= in the text",
		"averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordindeed x",
		"long ASCII subject that has to be folded because it goes well beyond the "
		    "seventy-eight columns of a header line",
		"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
	};
	size_t i;

	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		char *text = xasprintf("To: J\xc3\xbcrgen M\xc3\xbcller <j@example.org>, "
		    "\"Doe, Jane\" <jane@example.org>\nSubject: %s\n\nhi\n", subjects[i]);
		struct cmd_draft *d = editor_draft(acct, text);
		struct rfc5322_header *hdr;
		struct rfc5322_addr_list *to;
		const struct rfc5322_field *f;
		struct buf msg, got;
		char *error = NULL;

		buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
		buf_init(&got, 4096);
		if (cmd_draft_build(d, conf, acct, &msg, &error) != 0) {
			tap_ok(false, "build: %s", error);
			free(error);
		}
		hdr = rfc5322_header_create(buf_ptr(&msg), buf_len(&msg));
		rfc5322_header_get_text(hdr, "Subject", NULL, &got);
		tap_is_str(buf_ptr(&got), subjects[i], "subject %zu decodes back", i);
		f = rfc5322_header_find(hdr, "To");
		to = rfc5322_addr_parse(f != NULL ? f->value : "", f != NULL ? f->value_len : 0, NULL);
		tap_ok(to->count == 2 && to->addrs[0].name != NULL &&
		    strcmp(to->addrs[0].name, "J\xc3\xbcrgen M\xc3\xbcller") == 0 &&
		    strcmp(to->addrs[0].addr, "j@example.org") == 0 && to->addrs[1].name != NULL &&
		    strcmp(to->addrs[1].name, "Doe, Jane") == 0, "names %zu decode back", i);
		check_form(&msg, subjects[i]);
		rfc5322_addr_list_destroy(&to);
		rfc5322_header_destroy(&hdr);
		buf_free(&got);
		buf_free(&msg);
		cmd_draft_destroy(&d);
		free(text);
	}
}

static void
test_bodies(const struct conf *conf, const struct conf_account *acct)
{
	static const struct {
		const char *body;
		const char *charset, *cte;
	} cases[] = {
		{ "plain text\nsecond line\n", "us-ascii", "7bit" },
		{ "\xc3\x84rger? Nein.\n", "utf-8", "quoted-printable" },
		{ "trailing space \nFrom here\n= sign\n", "us-ascii", "7bit" },
		{ "no final newline", "us-ascii", "7bit" },
		{ "tab\there and a bell \x07\n", "us-ascii", "quoted-printable" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]) + 1; i++) {
		struct buf body, msg, ctype;
		struct cmd_draft *d;
		struct message *m;
		struct rfc5322_header *hdr;
		char *text, *error = NULL, *want;

		buf_init(&body, 1 << 20);
		if (i < sizeof(cases) / sizeof(cases[0])) {
			buf_addstr(&body, cases[i].body);
		} else {
			/* A line over 998 bytes goes quoted-printable. */
			size_t k;

			for (k = 0; k < 3000; k++)
				buf_addc(&body, (char)('a' + k % 26));
			buf_addc(&body, '\n');
		}
		text = xasprintf("To: bob@example.org\nSubject: b\n\n%s", buf_ptr(&body));
		d = editor_draft(acct, text);
		buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
		buf_init(&ctype, 4096);
		tap_ok(cmd_draft_build(d, conf, acct, &msg, &error) == 0, "body %zu builds", i);
		free(error);
		hdr = rfc5322_header_create(buf_ptr(&msg), buf_len(&msg));
		rfc5322_header_get_text(hdr, "Content-Transfer-Encoding", NULL, &ctype);
		tap_is_str(buf_ptr(&ctype), i < sizeof(cases) / sizeof(cases[0]) ? cases[i].cte :
		    "quoted-printable", "body %zu: transfer encoding", i);
		buf_reset(&ctype);
		rfc5322_header_get_text(hdr, "Content-Type", NULL, &ctype);
		want = xasprintf("text/plain; charset=%s", i < sizeof(cases) / sizeof(cases[0]) ?
		    cases[i].charset : "us-ascii");
		tap_is_str(buf_ptr(&ctype), want, "body %zu: content type", i);
		m = message_parse(buf_ptr(&msg), buf_len(&msg), NULL);
		{
			/* The text comes back, CRLF read as LF. */
			struct buf lf;
			size_t k;

			buf_init(&lf, 1 << 20);
			for (k = 0; k < m->text_len; k++)
				if (m->text[k] != '\r')
					buf_addc(&lf, m->text[k]);
			if (buf_len(&body) > 0 && buf_ptr(&body)[buf_len(&body) - 1] != '\n')
				buf_addc(&body, '\n');
			tap_is_mem(buf_ptr(&lf), buf_len(&lf), buf_ptr(&body), buf_len(&body),
			    "body %zu decodes back", i);
			buf_free(&lf);
		}
		check_form(&msg, "body");
		message_destroy(&m);
		rfc5322_header_destroy(&hdr);
		free(want);
		buf_free(&ctype);
		buf_free(&msg);
		buf_free(&body);
		cmd_draft_destroy(&d);
		free(text);
	}
}

/* The content of the attachment whose headers hold name, decoded. */
static void
attachment_content(const struct buf *msg, const char *name, struct buf *out)
{
	const char *p = strstr(buf_ptr(msg), name), *start, *end;

	if (p == NULL || (start = strstr(p, "base64\r\n\r\n")) == NULL)
		return;
	start += 10;
	end = strstr(start, "\r\n--");
	if (end != NULL)
		cte_base64_decode(start, (size_t)(end - start), out);
}

static void
test_attachments(const struct conf *conf, const struct conf_account *acct)
{
	char dir[] = "/tmp/tern-compose-XXXXXX", *bin, *txt, *text, *error = NULL;
	unsigned char blob[7000];
	struct buf msg, got;
	struct cmd_draft *d;
	struct message *m;
	size_t i;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		tap_ok(false, "mkdtemp");
		return;
	}
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i * 7 + i / 13);
	bin = xasprintf("%s/d\xc3\xa9j\xc3\xa0 vu.bin", dir);
	txt = xasprintf("%s/notes.txt", dir);
	f = fopen(bin, "wb");
	fwrite(blob, 1, sizeof(blob), f);
	fclose(f);
	f = fopen(txt, "wb");
	fputs("notes\n", f);
	fclose(f);
	text = xasprintf("To: bob@example.org\nSubject: files\nAttach: %s\nAttach: %s\n\nsee\n",
	    bin, txt);
	d = editor_draft(acct, text);
	tap_is_int((long long)d->nattachments, 2, "two Attach lines");
	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	buf_init(&got, 1 << 20);
	tap_ok(cmd_draft_build(d, conf, acct, &msg, &error) == 0, "build with attachments");
	free(error);
	check_form(&msg, "attachments");
	tap_ok(strstr(buf_ptr(&msg), "Content-Type: multipart/mixed; boundary=") != NULL,
	    "multipart/mixed");
	attachment_content(&msg, "filename*=utf-8''d%C3%A9j%C3%A0%20vu.bin", &got);
	tap_is_mem(buf_ptr(&got), buf_len(&got), blob, sizeof(blob),
	    "binary attachment decodes to the same bytes (RFC 2231 name)");
	buf_reset(&got);
	attachment_content(&msg, "Content-Type: text/plain; name=\"notes.txt\"", &got);
	tap_is_str(buf_ptr(&got), "notes\n", "text attachment by extension");
	m = message_parse(buf_ptr(&msg), buf_len(&msg), NULL);
	tap_is_int((long long)m->nattachments, 2, "the parser sees two attachments");
	if (m->nattachments == 2) {
		tap_is_str(m->attachments[0].filename, "d\xc3\xa9j\xc3\xa0 vu.bin", "filename");
		tap_is_str(m->attachments[0].type, "application/octet-stream", "unknown type");
		tap_is_int((long long)m->attachments[0].size, sizeof(blob), "size");
	}
	message_destroy(&m);

	/* A missing file is an error naming it. */
	tap_ok(cmd_draft_attach(d, "/nonexistent/tern-file", &error) == 0, "attach a path");
	tap_ok(cmd_draft_build(d, conf, acct, &msg, &error) != 0 &&
	    strstr(error, "/nonexistent/tern-file") != NULL, "unreadable attachment named");
	free(error);
	tap_is_int((long long)buf_len(&msg), 0, "nothing built on error");
	cmd_draft_destroy(&d);
	unlink(bin);
	unlink(txt);
	rmdir(dir);
	free(bin);
	free(txt);
	free(text);
	buf_free(&got);
	buf_free(&msg);
}

static void
test_editor_round_trip(const struct conf_account *acct)
{
	static const char text[] =
	    "From: Alice Example <alice@example.org>\n"
	    "To: Bob <bob@example.org>, carol@example.org\n"
	    "Cc: \"Doe, Jane\" <jane@example.org>\n"
	    "Bcc: secret@example.org\n"
	    "Subject: Gr\xc3\xbc\xc3\x9f" "e\n"
	    "Reply-To: team@example.org\n"
	    "Attach: /tmp/a file.pdf\n"
	    "\n"
	    "Body line\n\nFrom the start\n";
	struct buf out, again;
	struct cmd_draft *d = editor_draft(acct, text), *e;
	char *error = NULL, *warning;

	buf_init(&out, 1 << 20);
	buf_init(&again, 1 << 20);
	cmd_draft_to_editor(d, &out);
	tap_is_str(buf_ptr(&out), text, "editor text round trip");
	e = cmd_draft_new(acct, &warning);
	tap_ok(cmd_draft_from_editor(e, buf_ptr(&out), buf_len(&out), &error) == 0, "reparse");
	cmd_draft_to_editor(e, &again);
	tap_is_str(buf_ptr(&again), buf_ptr(&out), "second round trip");
	cmd_draft_destroy(&e);
	cmd_draft_destroy(&d);

	/* Continuations, CRLF, case, repeats and In-Reply-To. */
	d = editor_draft(acct, "to: a@example.org,\r\n  b@example.org\r\nTO: c@example.org\r\n"
	    "subject: hi\r\nIn-Reply-To: <x@y>\r\n\r\nbody\r\nline\r\n");
	tap_is_str(d->to, "a@example.org, b@example.org, c@example.org", "joined To");
	tap_is_str(d->in_reply_to, "<x@y>", "In-Reply-To read");
	tap_is_str(d->body, "body\nline\n", "CRLF body to LF");
	tap_is_str(d->bcc, "", "absent Bcc is empty");
	cmd_draft_destroy(&d);
	buf_free(&out);
	buf_free(&again);
}

static void
test_editor_errors(const struct conf_account *acct)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "To: a@b.c\nFoo: bar\n\nx", "line 2: unknown header 'Foo'" },
		{ "To: a@b.c\nnot a header\n\nx", "line 2: expected 'Header: value'" },
		{ " starts folded\n\nx", "line 1: a continuation line" },
		{ "Subject: a\nSubject: b\n\n", "line 2: a second Subject header" },
		{ "From: a@b.c\nFROM: d@e.f\n", "line 2: a second From header" },
		{ "Attach:\n\n", "line 1: Attach needs a file name" },
		{ "Subject: caf\xe9\n\n", "line 1: not valid UTF-8" },
		{ "To: a@b.c\n\nbad \xff body", "the text after the headers is not valid UTF-8" },
		{ "X-\x1b[31m: y\n\n", "line 1: a control character in a header" },
		{ "\xc3\x9c" "ber: y\n\n", "line 1: unknown header '\\xc3\\x9cber'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *warning, *error = NULL;
		struct cmd_draft *d = cmd_draft_new(acct, &warning);
		int r = cmd_draft_from_editor(d, cases[i].text, strlen(cases[i].text), &error);

		tap_ok(r != 0 && error != NULL && strncmp(error, cases[i].want,
		    strlen(cases[i].want)) == 0, "editor error '%s' (got '%s')", cases[i].want,
		    error != NULL ? error : "");
		tap_is_str(d->to, "", "draft unchanged after error %zu", i);
		free(error);
		cmd_draft_destroy(&d);
	}
	{
		struct buf b;
		char *warning, *error = NULL;
		struct cmd_draft *d = cmd_draft_new(acct, &warning);
		size_t k;

		buf_init(&b, 1 << 20);
		buf_addstr(&b, "Subject: ");
		for (k = 0; k < CMD_DRAFT_LINE_MAX; k++)
			buf_addc(&b, 'x');
		buf_addstr(&b, "\n\n");
		tap_ok(cmd_draft_from_editor(d, buf_ptr(&b), buf_len(&b), &error) != 0 &&
		    strstr(error, "longer than") != NULL, "over-long header line");
		free(error);
		buf_free(&b);
		cmd_draft_destroy(&d);
	}
}

static void
test_recipients(const struct conf *conf, const struct conf_account *acct)
{
	struct cmd_draft *d = editor_draft(acct, "To: Bob <bob@example.org>, carol@example.org\n"
	    "Cc: BOB@example.org\nBcc: hidden@example.org\nSubject: r\n\nx\n");
	char **rcpts = NULL, *error = NULL;
	struct buf msg;
	size_t n = 0;

	tap_ok(cmd_draft_recipients(d, &rcpts, &error) == 0, "recipients");
	while (rcpts != NULL && rcpts[n] != NULL)
		n++;
	tap_is_int((long long)n, 3, "deduplicated, Bcc included");
	if (n == 3) {
		tap_is_str(rcpts[0], "bob@example.org", "first");
		tap_is_str(rcpts[2], "hidden@example.org", "Bcc last");
	}
	cmd_draft_recipients_free(&rcpts);
	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	tap_ok(cmd_draft_build(d, conf, acct, &msg, &error) == 0, "build");
	tap_ok(strstr(buf_ptr(&msg), "hidden") == NULL && strstr(buf_ptr(&msg), "Bcc") == NULL,
	    "Bcc absent from the sent message");
	tap_ok(cmd_draft_build_postponed(d, conf, acct, &msg, &error) == 0, "build postponed");
	tap_ok(strstr(buf_ptr(&msg), "Bcc: hidden@example.org\r\n") != NULL,
	    "Bcc kept in a postponed draft");
	cmd_draft_destroy(&d);

	d = editor_draft(acct, "Subject: nobody\n\nx\n");
	tap_ok(cmd_draft_recipients(d, &rcpts, &error) != 0 && strcmp(error, "no recipients") == 0,
	    "zero recipients is an error");
	free(error);
	cmd_draft_destroy(&d);
	d = editor_draft(acct, "To: bob\n\nx\n");
	tap_ok(cmd_draft_recipients(d, &rcpts, &error) != 0 &&
	    strstr(error, "'bob' is not a mail address") != NULL, "a name without @ refused");
	free(error);
	cmd_draft_destroy(&d);
	buf_free(&msg);
}

static void
test_stored_draft(const struct conf *conf, const struct conf_account *acct)
{
	struct cmd_draft *d = editor_draft(acct, "To: Bob <bob@example.org>\n"
	    "Bcc: hidden@example.org\nSubject: caf\xc3\xa9\nIn-Reply-To: <o@x>\n\n"
	    "half written \xc3\xa9\n"), *back = NULL;
	struct buf msg;
	char *error = NULL;

	d->reply_folder = xstrdup("Archive/2024 \xc3\xa9t\xc3\xa9");
	buf_init(&msg, CMD_DRAFT_MESSAGE_MAX);
	tap_ok(cmd_draft_build_postponed(d, conf, acct, &msg, &error) == 0, "postponed build");
	tap_ok(cmd_draft_from_message(buf_ptr(&msg), buf_len(&msg), &back, &error) == 0,
	    "read back");
	if (back != NULL) {
		tap_is_str(back->to, "Bob <bob@example.org>", "To back");
		tap_is_str(back->bcc, "hidden@example.org", "Bcc back");
		tap_is_str(back->subject, "caf\xc3\xa9", "Subject back");
		tap_is_str(back->in_reply_to, "<o@x>", "In-Reply-To back");
		tap_is_str(back->reply_folder, "Archive/2024 \xc3\xa9t\xc3\xa9", "reply folder back");
		tap_is_str(back->body, "half written \xc3\xa9\n", "body back");
		tap_is_str(back->old_draft, d->message_id, "the stored draft is the old draft");
		tap_ok(strcmp(back->message_id, d->message_id) != 0, "a new Message-ID");
	}
	cmd_draft_destroy(&back);
	cmd_draft_destroy(&d);
	buf_free(&msg);
}

static void
test_qp_encoder(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a=b\n", "a=3Db\r\n" },
		{ "end space \nx", "end space=20\r\nx" },
		{ "From me\n", "=46rom me\r\n" },
		{ "caf\xc3\xa9\r\n", "caf=C3=A9\r\n" },
		{ "tab\t", "tab=09" },
	};
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		cte_qp_encode(cases[i].in, strlen(cases[i].in), &b);
		tap_is_str(buf_ptr(&b), cases[i].want, "qp %zu", i);
	}
	buf_free(&b);
}

int
main(void)
{
	struct conf *conf;
	const struct conf_account *acct;

	setenv("TZ", "Europe/Berlin", 1);
	conf = test_conf();
	acct = conf_account_at(conf, 0);
	test_reply_subjects(acct);
	test_group_reply(acct);
	test_references_trimmed(acct);
	test_encoding(conf, acct);
	test_bodies(conf, acct);
	test_attachments(conf, acct);
	test_editor_round_trip(acct);
	test_editor_errors(acct);
	test_recipients(conf, acct);
	test_stored_draft(conf, acct);
	test_qp_encoder();
	conf_destroy(&conf);
	return tap_done();
}
