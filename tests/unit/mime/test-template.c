/* Unit tests for canned responses: the file format, variables and their
 * expansion, errors with their place, and the templates directory. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "mime/template.h"
#include "tap.h"

#define KNOWN "known: ${ticket}, ${customer}, ${customer_addr}, ${agent}, " \
	"${team}, ${subject}; write $$ for a '$'"

static const struct template_vars vars = {
	.ticket = "T-1042",
	.customer = "Anna M\xc3\xbcller",
	.customer_addr = "anna@example.de",
	.agent = "Bob",
	.team = "Support",
	.subject = "Rechnung fehlt",
};

/* Parses a copy of exactly len bytes (no NUL after them), so a read
 * past the end shows under valgrind or ASan. */
static int
parse(const char *text, size_t len, struct template **t_r, char **error_r)
{
	char *copy = xmemdup(text, len);
	int rc;

	rc = template_parse(copy, len, "t", t_r, error_r);
	free(copy);
	return rc;
}

static const struct {
	const char *in;
	const char *subject;	/* NULL: no Subject: header */
	const char *body;	/* NULL: an error is expected */
	const char *error;
	const char *what;
} cases[] = {
	{ "Subject: Re: ${subject} [${ticket}]\n"
	  "\n"
	  "Hallo ${customer},\n"
	  "\n"
	  "vielen Dank f\xc3\xbcr Ihre Nachricht. Wir melden uns innerhalb von\n"
	  "24 Stunden bei Ihnen.\n"
	  "\n"
	  "Mit freundlichen Gr\xc3\xbc\xc3\x9f" "en\n"
	  "${agent}, ${team}\n",
	  "Re: Rechnung fehlt [T-1042]",
	  "Hallo Anna M\xc3\xbcller,\n"
	  "\n"
	  "vielen Dank f\xc3\xbcr Ihre Nachricht. Wir melden uns innerhalb von\n"
	  "24 Stunden bei Ihnen.\n"
	  "\n"
	  "Mit freundlichen Gr\xc3\xbc\xc3\x9f" "en\n"
	  "Bob, Support\n",
	  NULL, "German reply" },
	/* 【${ticket}】お問い合わせありがとうございます / ${customer} 様 ... */
	{ "Subject: \xe3\x80\x90${ticket}\xe3\x80\x91\xe3\x81\x8a\xe5\x95\x8f\xe3\x81\x84"
	  "\xe5\x90\x88\xe3\x82\x8f\xe3\x81\x9b\n"
	  "\n"
	  "${customer} \xe6\xa7\x98\n"
	  "\xe6\x8b\x85\xe5\xbd\x93: ${agent}\n",
	  "\xe3\x80\x90T-1042\xe3\x80\x91\xe3\x81\x8a\xe5\x95\x8f\xe3\x81\x84"
	  "\xe5\x90\x88\xe3\x82\x8f\xe3\x81\x9b",
	  "Anna M\xc3\xbcller \xe6\xa7\x98\n"
	  "\xe6\x8b\x85\xe5\xbd\x93: Bob\n",
	  NULL, "Japanese reply" },
	{ "\xef\xbb\xbfSubject: mit BOM\n\nText\n", "mit BOM", "Text\n", NULL,
	  "a leading BOM is dropped" },
	{ "\xef\xbb\xbfHallo,\n", NULL, "Hallo,\n", NULL, "BOM before a body-only file" },
	{ "Subject: Your request\n\t${ticket} is\n  open\n\nx\n",
	  "Your request T-1042 is  open", "x\n", NULL, "folded subject" },
	{ "Subject:\n  folded at once\n\nx", "folded at once", "x", NULL,
	  "subject folded from the first line" },
	{ "subject: lower case\n\nx\n", "lower case", "x\n", NULL,
	  "header name in any case" },
	{ "SUBJECT:tight\n\nx\n", "tight", "x\n", NULL, "no space after the colon" },
	{ "Subject: a\tb   \n\nx\n", "a b", "x\n", NULL,
	  "tabs in the subject become spaces, ends trimmed" },
	{ "Subject: only a subject", "only a subject", "", NULL,
	  "a file that ends in its headers has an empty body" },
	{ "Hi ${customer},\nthanks.\n", NULL, "Hi Anna M\xc3\xbcller,\nthanks.\n", NULL,
	  "no header at all" },
	{ "Dear customer: thanks\n", NULL, "Dear customer: thanks\n", NULL,
	  "a colon after a space is no header" },
	{ "10:30 suits us.\n", NULL, "10:30 suits us.\n", NULL,
	  "a header name starts with a letter" },
	{ "${customer}: thanks\n", NULL, "Anna M\xc3\xbcller: thanks\n", NULL,
	  "a variable first is no header" },
	{ "\nNote: we are closed on Monday.\n", NULL, "Note: we are closed on Monday.\n",
	  NULL, "a blank first line: all body, the blank line goes" },
	{ "Subject: s\n \t\nbody\n", "s", "body\n", NULL,
	  "a line of spaces ends the headers" },
	{ "  \nNote: x\n", NULL, "Note: x\n", NULL, "a first line of spaces is blank" },
	{ "\n\nTwo blank lines\n", NULL, "\nTwo blank lines\n", NULL,
	  "only the first blank line goes" },
	{ "", NULL, "", NULL, "empty file" },
	{ "no final newline", NULL, "no final newline", NULL, "no final newline kept" },
	{ "Subject: s\n\n", "s", "", NULL, "empty body" },
	{ "Price: $5, $ 10, $x, 100$, $$, $${ticket}, $$$${ticket}, $", NULL, NULL,
	  "t:1: unknown header 'Price' (only Subject: is allowed; start the file with "
	  "a blank line for a body that begins so)", "a body that starts like a header" },
	{ "\nPrice: $5, $ 10, $x, 100$, $$, $${ticket}, $$$${ticket}, $$${ticket}, $", NULL,
	  "Price: $5, $ 10, $x, 100$, $, ${ticket}, $${ticket}, $T-1042, $", NULL,
	  "$$ and a lone $" },
	{ "Subject: $$${ticket} off\n\nx", "$T-1042 off", "x", NULL, "$$ in the subject" },
	{ "Hello: thanks for writing\n", NULL, NULL,
	  "t:1: unknown header 'Hello' (only Subject: is allowed; start the file with "
	  "a blank line for a body that begins so)", "first line Hello: is a header" },
	{ "Subject: a\nFrom: b@example.com\n\nx", NULL, NULL,
	  "t:2: unknown header 'From' (only Subject: is allowed; a blank line must "
	  "separate the headers from the body)", "another header" },
	{ "X-Mailer: tern\n\nx", NULL, NULL,
	  "t:1: unknown header 'X-Mailer' (only Subject: is allowed; start the file with "
	  "a blank line for a body that begins so)", "header name with '-'" },
	{ "Subject: a\nDear Anna,\n", NULL, NULL,
	  "t:2: expected a header or a blank line (a blank line must separate the "
	  "headers from the body)", "missing blank line" },
	{ "Subject: a\nSubject: b\n\nx", NULL, NULL, "t:2: a second Subject: header",
	  "two subjects" },
	{ "Subject: x\n\nHallo ${custommer},\n", NULL, NULL,
	  "t:3: unknown variable ${custommer}: did you mean ${customer}? (" KNOWN ")",
	  "misspelt variable" },
	{ "Subject: x\n\nHallo ${Agent},\n", NULL, NULL,
	  "t:3: unknown variable ${Agent}: did you mean ${agent}? (" KNOWN ")",
	  "variables are case-sensitive" },
	{ "echo ${HOME}\n", NULL, NULL, "t:1: unknown variable ${HOME} (" KNOWN ")",
	  "unknown variable" },
	{ "a\n${}\n", NULL, NULL, "t:2: unknown variable ${} (" KNOWN ")",
	  "empty variable name" },
	{ "x ${a_very_long_variable_name_that_goes_on_and_on_and_on}\n", NULL, NULL,
	  "t:1: unknown variable ${a_very_long_variable_name_that_goes_on_a...} (" KNOWN ")",
	  "long name cut in the message" },
	{ "Subject: Re: ${subject\n\nx", NULL, NULL,
	  "t:1: unterminated variable ${subject (a variable is ${name} on one line; "
	  KNOWN ")", "unterminated in the subject" },
	{ "Subject: Re:\n ${subject\n\nx", NULL, NULL,
	  "t:2: unterminated variable ${subject (a variable is ${name} on one line; "
	  KNOWN ")", "unterminated on a folded line" },
	{ "Subject: x\n\na\nb ${ticket\n}\n", NULL, NULL,
	  "t:4: unterminated variable ${ticket (a variable is ${name} on one line; "
	  KNOWN ")", "a variable does not span lines" },
	{ "Subject: x\n\ncaf\xe9\n", NULL, NULL,
	  "t:3: not valid UTF-8 (byte 0xE9); save the template as UTF-8", "Latin-1 file" },
	{ "a\n\xe6\xa7\n", NULL, NULL,
	  "t:2: not valid UTF-8 (byte 0xE6); save the template as UTF-8",
	  "truncated UTF-8 sequence" },
	{ "a\xed\xa0\x80\n", NULL, NULL,
	  "t:1: not valid UTF-8 (byte 0xED); save the template as UTF-8", "surrogate" },
	{ "\n\x1b[31mred\n", NULL, NULL,
	  "t:2: control character U+001B (a template is plain text: tabs and line "
	  "ends only)", "escape sequence in the file" },
	{ "a\xc2\x85" "b", NULL, NULL,
	  "t:1: control character U+0085 (a template is plain text: tabs and line "
	  "ends only)", "C1 control in the file" },
	{ "a\rb\n", NULL, NULL,
	  "t:1: a carriage return without a line feed (lines end in LF or CRLF)",
	  "lone CR" },
	{ "a\r", NULL, NULL,
	  "t:1: a carriage return without a line feed (lines end in LF or CRLF)",
	  "CR at the end" },
};

static void
test_cases(void)
{
	struct template *t;
	char *error, *s;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		error = NULL;
		rc = parse(cases[i].in, strlen(cases[i].in), &t, &error);
		if (cases[i].body == NULL) {
			tap_is_int(rc, -1, "%s: refused", cases[i].what);
			tap_ok(t == NULL, "%s: no template", cases[i].what);
			tap_is_str(error, cases[i].error, "%s: message", cases[i].what);
			free(error);
			continue;
		}
		tap_is_int(rc, 0, "%s: parsed", cases[i].what);
		if (rc != 0) {
			tap_diag("%s", error);
			free(error);
			continue;
		}
		tap_is_int(template_has_subject(t), cases[i].subject != NULL,
		    "%s: has a subject", cases[i].what);
		s = template_subject(t, &vars);
		tap_is_str(s, cases[i].subject != NULL ? cases[i].subject : "",
		    "%s: subject", cases[i].what);
		free(s);
		s = template_body(t, &vars);
		tap_is_str(s, cases[i].body, "%s: body", cases[i].what);
		free(s);
		template_free(&t);
		tap_ok(t == NULL, "%s: free NULLs the pointer", cases[i].what);
	}
}

/* The same files with CRLF line ends: the same results, stored with LF,
 * errors on the same lines. */
static void
test_crlf(void)
{
	struct template *t;
	char *crlf, *error = NULL, *s;
	size_t len;

	crlf = tap_crlf(cases[0].in, &len);
	tap_is_int(parse(crlf, len, &t, &error), 0, "CRLF German reply: parsed");
	s = template_subject(t, &vars);
	tap_is_str(s, cases[0].subject, "CRLF: subject");
	free(s);
	s = template_body(t, &vars);
	tap_is_str(s, cases[0].body, "CRLF: body with LF line ends");
	free(s);
	template_free(&t);
	free(crlf);

	crlf = tap_crlf("Subject: Your request\n\t${ticket} is\n  open\n\nx\n", &len);
	tap_is_int(parse(crlf, len, &t, &error), 0, "CRLF folded subject: parsed");
	s = template_subject(t, &vars);
	tap_is_str(s, "Your request T-1042 is  open", "CRLF folded subject");
	free(s);
	template_free(&t);
	free(crlf);

	crlf = tap_crlf("Subject: x\n\na\nb\n${ticket\n", &len);
	tap_is_int(parse(crlf, len, &t, &error), -1, "CRLF unterminated: refused");
	tap_is_str(error, "t:5: unterminated variable ${ticket (a variable is ${name} "
	    "on one line; " KNOWN ")", "CRLF: same line, no CR in the message");
	free(error);
	free(crlf);

	/* Mixed line ends, as an editor leaves them after a paste. */
	tap_is_int(parse("\r\na\r\nb\nc\r\n", 10, &t, &error), 0, "mixed line ends");
	s = template_body(t, &vars);
	tap_is_str(s, "a\nb\nc\n", "mixed line ends: LF");
	free(s);
	template_free(&t);
}

static void
test_limits(void)
{
	struct template *t;
	char *big, *error = NULL, *s;

	big = xmalloc(TEMPLATE_SIZE_MAX + 1);
	memset(big, 'a', TEMPLATE_SIZE_MAX + 1);
	big[0] = '\n';
	tap_is_int(parse(big, TEMPLATE_SIZE_MAX, &t, &error), 0, "64 KiB: accepted");
	s = template_body(t, &vars);
	tap_is_int((long long)strlen(s), TEMPLATE_SIZE_MAX - 1, "64 KiB: the whole body");
	free(s);
	template_free(&t);
	tap_is_int(parse(big, TEMPLATE_SIZE_MAX + 1, &t, &error), -1, "64 KiB + 1: refused");
	tap_is_str(error, "t: too large (65537 bytes; a template has at most 65536)",
	    "too large: message");
	free(error);
	free(big);

	tap_is_int(parse("a\0b", 3, &t, &error), -1, "NUL byte refused");
	tap_is_str(error, "t:1: control character U+0000 (a template is plain text: "
	    "tabs and line ends only)", "NUL: message");
	free(error);
}

static void
test_vars(void)
{
	static const char all[] = "Subject: ${ticket}|${customer}|${customer_addr}|"
	    "${agent}|${team}|${subject}\n\n${ticket}|${customer}|${customer_addr}|"
	    "${agent}|${team}|${subject}\n";
	struct template_vars v = vars, none = { 0 };
	struct template *t;
	char *error = NULL, *s;

	if (parse(all, strlen(all), &t, &error) != 0) {
		tap_ok(false, "every variable: %s", error);
		free(error);
		return;
	}
	s = template_subject(t, &v);
	tap_is_str(s, "T-1042|Anna M\xc3\xbcller|anna@example.de|Bob|Support|Rechnung fehlt",
	    "every variable in the subject");
	free(s);
	s = template_body(t, &v);
	tap_is_str(s, "T-1042|Anna M\xc3\xbcller|anna@example.de|Bob|Support|Rechnung fehlt\n",
	    "every variable in the body");
	free(s);

	v.customer = NULL;
	s = template_body(t, &v);
	tap_is_str(s, "T-1042|anna@example.de|anna@example.de|Bob|Support|Rechnung fehlt\n",
	    "no display name: ${customer} is the address");
	free(s);
	v.customer = "";
	s = template_subject(t, &v);
	tap_is_str(s, "T-1042|anna@example.de|anna@example.de|Bob|Support|Rechnung fehlt",
	    "empty display name: the address");
	free(s);

	s = template_subject(t, &none);
	tap_is_str(s, "|||||", "NULL values are empty (subject)");
	free(s);
	s = template_body(t, &none);
	tap_is_str(s, "|||||\n", "NULL values are empty (body)");
	free(s);

	/* A customer's subject that tries to add a header, and other
	 * control characters: C0 with TAB, DEL, C1 (NEL). */
	v = vars;
	v.subject = "Hi\r\nBcc: victim@example.com";
	v.customer = "Eve\x1b[2J\x7f\xc2\x85\tX";
	s = template_subject(t, &v);
	tap_is_str(s, "T-1042|Eve [2J   X|anna@example.de|Bob|Support|"
	    "Hi  Bcc: victim@example.com", "subject: control characters become spaces");
	tap_ok(strchr(s, '\r') == NULL && strchr(s, '\n') == NULL, "subject: one line");
	free(s);
	s = template_body(t, &v);
	tap_is_str(s, "T-1042|Eve[2J\tX|anna@example.de|Bob|Support|"
	    "Hi\nBcc: victim@example.com\n", "body: LF and TAB kept, CR and others dropped");
	free(s);

	v = vars;
	v.subject = "${ticket} $$";
	s = template_subject(t, &v);
	tap_is_str(s, "T-1042|Anna M\xc3\xbcller|anna@example.de|Bob|Support|${ticket} $$",
	    "a value is not expanded again");
	free(s);

	v = vars;
	v.subject = "  spaced\n";
	v.ticket = "bad\xff\xe3\x81";
	v.team = "\xe3\x83\x81\xe3\x83\xbc\xe3\x83\xa0";
	s = template_body(t, &v);
	tap_is_str(s, "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|Anna M\xc3\xbcller|"
	    "anna@example.de|Bob|\xe3\x83\x81\xe3\x83\xbc\xe3\x83\xa0|  spaced\n\n",
	    "invalid UTF-8 in a value becomes U+FFFD");
	free(s);
	template_free(&t);

	if (parse("Subject: ${subject}\n", 20, &t, &error) != 0) {
		tap_ok(false, "subject only: %s", error);
		free(error);
		return;
	}
	v = vars;
	v.subject = " \r\n  padded \t";
	s = template_subject(t, &v);
	tap_is_str(s, "padded", "the subject is trimmed");
	free(s);
	template_free(&t);
	template_free(&t);
	tap_ok(t == NULL, "template_free twice is harmless");
}

static void
write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		tap_ok(false, "writing %s", path);
	free(path);
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	write_file(dir, name, text, strlen(text));
}

static void
test_files(const char *dir)
{
	static const char *const want[] = {
		"Alpha", "big", "link", "received", "refund-howto", "zeta",
		"\xc3\xa4rger", NULL
	};
	struct template *t;
	char **names, *error = NULL, *s, *path, *big, *file;
	size_t i;

	write_text(dir, "received", "Subject: Re: ${subject} [${ticket}]\r\n\r\n"
	    "We received your message.\r\n");
	write_text(dir, "refund-howto", "\nRefund: see https://example.com/refund\n");
	write_text(dir, "zeta", "z\n");
	write_text(dir, "Alpha", "a\n");
	write_text(dir, "\xc3\xa4rger", "\xc3\xa4\n");
	write_text(dir, ".hidden", "h\n");
	write_text(dir, "received~", "old\n");
	write_text(dir, "#received#", "autosave\n");
	write_text(dir, "bad\x01name", "x\n");
	path = xasprintf("%s/sub", dir);
	mkdir(path, 0700);
	free(path);
	path = xasprintf("%s/link", dir);
	tap_is_int(symlink("received", path), 0, "symlink to a template");
	free(path);
	path = xasprintf("%s/dangling", dir);
	tap_is_int(symlink("nowhere", path), 0, "dangling symlink");
	free(path);
	big = xmalloc(TEMPLATE_SIZE_MAX + 100);
	memset(big, 'x', TEMPLATE_SIZE_MAX + 100);
	write_file(dir, "big", big, TEMPLATE_SIZE_MAX + 100);
	free(big);

	tap_is_int(template_names(dir, &names, &error), 0, "template_names");
	for (i = 0; want[i] != NULL && names[i] != NULL; i++)
		tap_is_str(names[i], want[i], "name %zu", i);
	tap_ok(want[i] == NULL && names[i] == NULL, "all and only the templates (%zu)", i);
	template_names_free(names);
	template_names_free(NULL);

	tap_is_int(template_load(dir, "received", &t, &error), 0, "load received (CRLF)");
	s = template_subject(t, &vars);
	tap_is_str(s, "Re: Rechnung fehlt [T-1042]", "loaded: subject");
	free(s);
	s = template_body(t, &vars);
	tap_is_str(s, "We received your message.\n", "loaded: body");
	free(s);
	template_free(&t);
	tap_is_int(template_load(dir, "link", &t, &error), 0, "load through a link");
	template_free(&t);
	tap_is_int(template_load(dir, "refund-howto", &t, &error), 0, "load refund-howto");
	tap_ok(!template_has_subject(t), "refund-howto: no subject");
	template_free(&t);

	static const struct {
		const char *name, *error;
	} refused[] = {
		{ "../x", "template name '../x' is not a plain file name (it has a '/')" },
		{ "sub/x", "template name 'sub/x' is not a plain file name (it has a '/')" },
		{ ".hidden", "template name '.hidden' starts with '.' (hidden files are not "
		  "templates)" },
		{ "..", "template name '..' starts with '.' (hidden files are not templates)" },
		{ "", "the template name is empty" },
		{ "bad\x01name", "template name 'bad\\x01name' is not UTF-8 text" },
	};
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		t = (struct template *)1;
		tap_is_int(template_load(dir, refused[i].name, &t, &error), -1,
		    "refused name %zu", i);
		tap_ok(t == NULL, "refused name %zu: no template", i);
		tap_is_str(error, refused[i].error, "refused name %zu: message", i);
		free(error);
	}

	/* Written after the listing, which would show it: only parsing
	 * tells a bad template apart. */
	write_text(dir, "bad", "Subject: x\n\n${nope}\n");
	tap_is_int(template_load(dir, "bad", &t, &error), -1, "bad template refused");
	file = xasprintf("%s/bad:3: unknown variable ${nope} (" KNOWN ")", dir);
	tap_is_str(error, file, "bad template: FILE:LINE with the path");
	free(file);
	free(error);

	static const struct {
		const char *name, *error;
	} failing[] = {
		{ "missing", "no such file" },
		{ "sub", "is a directory, not a file" },
		{ "dangling", "no such file" },
		{ "big", "too large (65636 bytes; a template has at most 65536)" },
	};
	for (i = 0; i < sizeof(failing) / sizeof(failing[0]); i++) {
		tap_is_int(template_load(dir, failing[i].name, &t, &error), -1,
		    "load %s fails", failing[i].name);
		file = xasprintf("%s/%s: %s", dir, failing[i].name, failing[i].error);
		tap_is_str(error, file, "load %s: message names the path", failing[i].name);
		free(file);
		free(error);
	}

	path = xasprintf("%s/", dir);
	tap_is_int(template_load(path, "zeta", &t, &error), 0, "directory with a final '/'");
	template_free(&t);
	free(path);

	path = xasprintf("%s/nodir", dir);
	tap_is_int(template_names(path, &names, &error), -1, "missing directory");
	file = xasprintf("%s: no such directory", path);
	tap_is_str(error, file, "missing directory: message");
	tap_ok(names == NULL, "missing directory: no names");
	free(file);
	free(error);
	free(path);
	path = xasprintf("%s/zeta", dir);
	tap_is_int(template_names(path, &names, &error), -1, "a file is no directory");
	file = xasprintf("%s: not a directory", path);
	tap_is_str(error, file, "a file is no directory: message");
	free(file);
	free(error);
	free(path);

	path = xasprintf("%s/sub", dir);
	tap_is_int(template_names(path, &names, &error), 0, "empty directory");
	tap_ok(names != NULL && names[0] == NULL, "empty directory: empty list");
	template_names_free(names);
	free(path);
}

static void
remove_files(const char *dir)
{
	static const char *const files[] = {
		"received", "refund-howto", "zeta", "Alpha", "\xc3\xa4rger", ".hidden",
		"received~", "#received#", "bad\x01name", "bad", "link", "dangling", "big",
	};
	char *path;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path = xasprintf("%s/%s", dir, files[i]);
		unlink(path);
		free(path);
	}
	path = xasprintf("%s/sub", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
}

int
main(void)
{
	char dir[] = "/tmp/tern-test-template.XXXXXX";

	test_cases();
	test_crlf();
	test_limits();
	test_vars();
	if (mkdtemp(dir) == NULL)
		tap_ok(false, "mkdtemp");
	else {
		test_files(dir);
		remove_files(dir);
	}
	return tap_done();
}
