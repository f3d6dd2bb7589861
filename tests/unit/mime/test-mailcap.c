/* Unit tests for mailcap parsing, lookup and command expansion
 * (RFC 1524). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mime/mailcap.h"
#include "tap.h"

/* A system mailcap as Debian's update-mime writes it, plus hand edits. */
static const char system_mailcap[] =
    "# This file maintains the MIME entries.\n"
    "\n"
    "text/html; /usr/bin/w3m -I %{charset} -T text/html; copiousoutput\n"
    "text/html; lynx -dump -force_html %s; copiousoutput; nametemplate=%s.html\n"
    "text/html; /usr/bin/sensible-browser %s; description=\"HTML Text\"; "
    "nametemplate=%s.html\n"
    "   # an indented comment\n"
    "text/*; less '%s'; needsterminal\n"
    "image/png; display %s; test=test -n \"$DISPLAY\"\n"
    "image/png; catimg %s; copiousoutput\n"
    "application/x-troff-man; /usr/bin/nroff -mandoc -Tutf8; copiousoutput; \\\n"
    "\tprint=/usr/bin/nroff -mandoc -Tutf8 | print text/plain:-\n"
    "application/x-cmd; printf 'a\\;b' | cat\\;; Copiousoutput ; NeedsTerminal\n"
    "Application/PDF ;  evince %s  ;  test = test -n \"$DISPLAY\"  ; x-unknown=1;"
    " edit=vi %s; compose=x %s; foo\r\n"
    "audio; play %s\n"
    "video/mp4; mpv %s; test=one; test=two\n"
    "model/x-last; cat";		/* no final newline */

static void
test_parse(void)
{
	struct mailcap *mc = mailcap_create();
	const struct mailcap_entry *e;
	size_t idx = 0;

	mailcap_feed(mc, "system", system_mailcap, sizeof system_mailcap - 1);
	tap_is_int(mailcap_bad_lines(mc), 0, "debian mailcap: no bad lines");

	e = mailcap_find(mc, "text/html", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "/usr/bin/w3m -I %{charset} -T text/html",
	    "first text/html entry wins");
	tap_ok(e != NULL && e->copiousoutput && !e->needsterminal, "w3m: copiousoutput");
	tap_ok(e != NULL && e->test == NULL && e->nametemplate == NULL, "w3m: no test/template");
	tap_is_str(e != NULL ? e->file : NULL, "system", "entry remembers its file");
	tap_is_int(e != NULL ? (long long)e->line : 0, 3, "and its line");
	e = mailcap_find(mc, "text/html", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "lynx -dump -force_html %s", "second text/html");
	tap_is_str(e != NULL ? e->nametemplate : NULL, "%s.html", "lynx nametemplate");
	e = mailcap_find(mc, "text/html", false, &idx);
	tap_is_str(e != NULL ? e->description : NULL, "HTML Text", "description unquoted");
	tap_ok(e != NULL && !e->copiousoutput, "sensible-browser is not copiousoutput");
	e = mailcap_find(mc, "TEXT/HTML", false, &idx);
	tap_is_str(e != NULL ? e->type : NULL, "text/*", "then the wildcard entry");
	tap_is_str(e != NULL ? e->view : NULL, "less '%s'", "quoted %%s kept in the template");
	tap_ok(e != NULL && e->needsterminal, "less: needsterminal");
	tap_ok(mailcap_find(mc, "text/html", false, &idx) == NULL, "then no more");
	tap_ok(mailcap_find(mc, "text/html", false, &idx) == NULL, "and stays done");

	idx = 0;
	e = mailcap_find(mc, "image/png", false, &idx);
	tap_is_str(e != NULL ? e->test : NULL, "test -n \"$DISPLAY\"", "test= kept");
	e = mailcap_find(mc, "image/png", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "catimg %s", "next entry after a failed test");

	idx = 0;
	e = mailcap_find(mc, "application/x-troff-man", false, &idx);
	tap_is_str(e != NULL ? e->print : NULL, "/usr/bin/nroff -mandoc -Tutf8 | print text/plain:-",
	    "continuation line joined");
	idx = 0;
	e = mailcap_find(mc, "application/x-cmd", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "printf 'a;b' | cat;", "\\; escapes a semicolon");
	tap_ok(e != NULL && e->copiousoutput && e->needsterminal, "flags are case-insensitive");
	tap_is_int(e != NULL ? (long long)e->line : 0, 12, "line count includes continuations");

	idx = 0;
	e = mailcap_find(mc, "application/pdf", false, &idx);
	tap_is_str(e != NULL ? e->type : NULL, "application/pdf", "type lowercased");
	tap_is_str(e != NULL ? e->view : NULL, "evince %s", "blanks around fields trimmed");
	tap_is_str(e != NULL ? e->test : NULL, "test -n \"$DISPLAY\"", "blanks around = trimmed");
	tap_is_str(e != NULL ? e->edit : NULL, "vi %s", "edit= stored");
	tap_is_str(e != NULL ? e->compose : NULL, "x %s", "compose= stored, CRLF ok");

	idx = 0;
	e = mailcap_find(mc, "audio/ogg", false, &idx);
	tap_is_str(e != NULL ? e->type : NULL, "audio/*", "type without subtype is a wildcard");
	idx = 0;
	tap_ok(mailcap_find(mc, "audio", false, &idx) == NULL, "wildcard needs a subtype");
	idx = 0;
	tap_ok(mailcap_find(mc, "audiox/ogg", false, &idx) == NULL, "wildcard matches whole type");
	idx = 0;
	e = mailcap_find(mc, "video/mp4", false, &idx);
	tap_is_str(e != NULL ? e->test : NULL, "one", "repeated flag: first wins");
	idx = 0;
	e = mailcap_find(mc, "model/x-last", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "cat", "last line without newline");
	mailcap_destroy(&mc);
	tap_ok(mc == NULL, "destroy NULLs the pointer");
	mailcap_destroy(&mc);
}

static void
test_copiousoutput_filter(void)
{
	struct mailcap *mc = mailcap_create();
	const struct mailcap_entry *e;
	size_t idx = 0;

	mailcap_feed(mc, "m", system_mailcap, sizeof system_mailcap - 1);
	e = mailcap_find(mc, "image/png", true, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "catimg %s", "copiousoutput skips display");
	tap_ok(mailcap_find(mc, "image/png", true, &idx) == NULL, "only one copious png");
	idx = 0;
	tap_ok(mailcap_find(mc, "text/plain", true, &idx) == NULL,
	    "text/* is not copiousoutput");
	idx = 0;
	e = mailcap_find(mc, "text/html", true, &idx);
	e = mailcap_find(mc, "text/html", true, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "lynx -dump -force_html %s", "two copious html");
	tap_ok(mailcap_find(mc, "text/html", true, &idx) == NULL, "and no third");
	mailcap_destroy(&mc);
}

static void
test_order(void)
{
	static const char user[] =
	    "text/*; cat %s; copiousoutput\n"
	    "text/html; elinks -dump %s; copiousoutput\n";
	static const char sys[] =
	    "text/html; w3m -dump %s; copiousoutput\n"
	    "image/*; xv %s\n";
	struct mailcap *mc = mailcap_create();
	const struct mailcap_entry *e;
	size_t idx = 0;

	mailcap_feed(mc, "user", user, sizeof user - 1);
	mailcap_feed(mc, "system", sys, sizeof sys - 1);
	e = mailcap_find(mc, "text/html", true, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "cat %s", "first file's wildcard wins (file order)");
	e = mailcap_find(mc, "text/html", true, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "elinks -dump %s", "then the first file's exact");
	e = mailcap_find(mc, "text/html", true, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "w3m -dump %s", "then the second file");
	tap_is_str(e != NULL ? e->file : NULL, "system", "from the second file");
	tap_is_int(e != NULL ? (long long)e->line : 0, 1, "lines count per file");
	idx = 0;
	e = mailcap_find(mc, "image/GIF", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "xv %s", "second file's wildcard");
	idx = 0;
	tap_ok(mailcap_find(mc, "image", false, &idx) == NULL, "image/* needs a subtype");
	mailcap_destroy(&mc);

	mc = mailcap_create();
	mailcap_feed(mc, "m", sys, sizeof sys - 1);
	idx = 0;
	tap_ok(mailcap_find(mc, "text/htm", false, &idx) == NULL, "no prefix match");
	idx = 0;
	tap_ok(mailcap_find(mc, "text/htmlx", false, &idx) == NULL, "no longer match");
	idx = 0;
	tap_ok(mailcap_find(mc, "text/*", false, &idx) == NULL,
	    "a wildcard lookup does not match exact entries");
	mailcap_destroy(&mc);
}

static void
test_malformed(void)
{
	static const struct {
		const char *text;
		size_t bad;
		const char *name;
	} cases[] = {
		{ "text/plain\n", 1, "no semicolon" },
		{ "; cat %s\n", 1, "empty type" },
		{ "text/; cat %s\n", 1, "empty subtype" },
		{ "/html; cat %s\n", 1, "empty major type" },
		{ "text/plain/x; cat\n", 1, "two slashes" },
		{ "text/pl ain; cat\n", 1, "space in type" },
		{ "text/plain;\n", 1, "empty view command" },
		{ "text/plain;   ; copiousoutput\n", 1, "blank view command" },
		{ "text/plain; cat\001x\n", 1, "control character" },
		{ "text/pl\0in; cat\n", 1, "NUL byte" },
		{ "text/plain; cat\rx\n", 1, "lone CR" },
		{ "\xff\xfe\x80; \x01\x02\n", 1, "binary" },
		{ "# comment\n\n   \n\t\n#\001\n", 0, "comments and blanks are not bad" },
		{ "# comment \\\ntext/plain; cat\n", 0, "continued comment stays a comment" },
		{ "text/plain; cat\\", 0, "trailing backslash at end of text" },
		{ "x\ny\ntext/plain; cat\n", 2, "bad lines among good ones" },
	};
	const struct mailcap_entry *e;
	struct mailcap *mc;
	size_t i, idx;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].text);

		if (strcmp(cases[i].name, "NUL byte") == 0)
			len = 16;
		mc = mailcap_create();
		mailcap_feed(mc, "m", cases[i].text, len);
		tap_is_int(mailcap_bad_lines(mc), cases[i].bad, "%s: bad lines", cases[i].name);
		idx = 0;
		if (cases[i].bad == 1)
			tap_ok(mailcap_find(mc, "text/plain", false, &idx) == NULL,
			    "%s: no entry", cases[i].name);
		mailcap_destroy(&mc);
	}

	mc = mailcap_create();
	mailcap_feed(mc, "m", "text/plain; cat\\", 16);
	idx = 0;
	e = mailcap_find(mc, "text/plain", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "cat\\", "a final lone backslash is kept");
	mailcap_destroy(&mc);
}

static void
test_limits(void)
{
	const struct mailcap_entry *e;
	struct mailcap *mc = mailcap_create();
	struct buf b;
	size_t i, idx = 0;
	char *big;

	/* A 10 KB line, then a good one. */
	buf_init(&b, 1 << 20);
	buf_addstr(&b, "text/plain; cat ");
	for (i = 0; i < 10240; i++)
		buf_addc(&b, 'x');
	buf_addstr(&b, "\ntext/plain; more\n");
	mailcap_feed(mc, "m", buf_ptr(&b), buf_len(&b));
	tap_is_int(mailcap_bad_lines(mc), 1, "10 KB line is bad");
	e = mailcap_find(mc, "text/plain", false, &idx);
	tap_is_str(e != NULL ? e->view : NULL, "more", "the next line still parses");
	mailcap_destroy(&mc);

	/* A line of exactly MAILCAP_LINE_MAX bytes is fine. */
	mc = mailcap_create();
	buf_reset(&b);
	buf_addstr(&b, "text/plain; c");
	while (buf_len(&b) < MAILCAP_LINE_MAX)
		buf_addc(&b, 'x');
	buf_addc(&b, '\n');
	mailcap_feed(mc, "m", buf_ptr(&b), buf_len(&b));
	tap_is_int(mailcap_bad_lines(mc), 0, "line of MAILCAP_LINE_MAX bytes is fine");
	mailcap_destroy(&mc);

	/* Too many entries. */
	mc = mailcap_create();
	buf_reset(&b);
	for (i = 0; i < MAILCAP_ENTRIES_MAX + 5; i++)
		buf_addstr(&b, "a/b; c\n");
	mailcap_feed(mc, "m", buf_ptr(&b), buf_len(&b));
	tap_is_int(mailcap_bad_lines(mc), 5, "entries past MAILCAP_ENTRIES_MAX are bad");
	for (i = 0, idx = 0; mailcap_find(mc, "a/b", false, &idx) != NULL; i++)
		;
	tap_is_int(i, MAILCAP_ENTRIES_MAX, "MAILCAP_ENTRIES_MAX entries kept");
	mailcap_destroy(&mc);

	/* A type at the length limit. */
	mc = mailcap_create();
	big = calloc(1, MAILCAP_TYPE_MAX + 32);
	memset(big, 'a', MAILCAP_TYPE_MAX + 1);
	big[1] = '/';
	memcpy(big + MAILCAP_TYPE_MAX + 1, "; c\n", 4);
	mailcap_feed(mc, "m", big, strlen(big));
	tap_is_int(mailcap_bad_lines(mc), 1, "type over MAILCAP_TYPE_MAX is bad");
	mailcap_destroy(&mc);
	free(big);
	buf_free(&b);
}

struct expand_case {
	const char *command;
	const char *filename;
	const char *want;	/* NULL: refused */
	int uses_file;
	const char *name;
};

static void
test_expand(void)
{
	static const char *const names[] = { "charset", "name", "evil", "nl", "q" };
	static const char *const values[] = { "utf-8", "a b.html", "'; rm -rf ~; '",
	    "a\nb", "$(id)`id`" };
	static const struct expand_case cases[] = {
		{ "lynx -dump %s", "t.html", "lynx -dump 't.html'", 1, "%s" },
		{ "w3m -I %{charset} -T %t", NULL, "w3m -I 'utf-8' -T 'text/html'", 0,
		  "%{charset} and %t, stdin" },
		{ "x %{CharSet}", NULL, "x 'utf-8'", 0, "parameter names case-insensitive" },
		{ "x %{missing}", NULL, "x ''", 0, "missing parameter is ''" },
		{ "echo 100%% \\% done", NULL, "echo 100% % done", 0, "%% and \\%" },
		{ "less '%s'", "a", "less 'a'", 1, "template's '' dropped" },
		{ "less \"%s\"", "a", "less 'a'", 1, "template's \"\" dropped" },
		{ "less '%s' '%t'", "f", "less 'f' 'text/html'", 1, "two quoted escapes" },
		{ "x %{evil}", NULL, "x ''\\''; rm -rf ~; '\\'''", 0, "hostile ' quoted" },
		{ "x '%{evil}'", NULL, "x ''\\''; rm -rf ~; '\\'''", 0, "hostile in ''" },
		{ "x \"%{evil}\"", NULL, "x ''\\''; rm -rf ~; '\\'''", 0, "hostile in \"\"" },
		{ "x %{q}", NULL, "x '$(id)`id`'", 0, "$() and backticks quoted" },
		{ "x \"%{q}\"", NULL, "x '$(id)`id`'", 0, "$() in \"\" quoted" },
		{ "x %{nl}", NULL, NULL, 0, "newline refused" },
		{ "sh -c 'cat %s | w3m'", "a.html", "sh -c 'cat a.html | w3m'", 1,
		  "inert value inside a longer '' string" },
		{ "sh -c 'cat %{evil}'", NULL, NULL, 0, "hostile inside a longer '' refused" },
		{ "sh -c \"cat %{name}\"", NULL, NULL, 0, "space inside a longer \"\" refused" },
		{ "x `cat %{charset}`", NULL, "x `cat utf-8`", 0, "inert after backtick" },
		{ "x $(cat %{q})", NULL, NULL, 0, "hostile after $( refused" },
		{ "x \"$(cat \"%{q}\")\"", NULL, NULL, 0, "hostile in \"\" after $( refused" },
		{ "x \\'%{evil}", NULL, "x \\'''\\''; rm -rf ~; '\\'''", 0,
		  "escaped quote is not a quote" },
		{ "x \"a\\\"%{evil}\"", NULL, NULL, 0, "escaped \" inside \"\" tracked" },
		{ "x %s", NULL, NULL, 0, "%s without a file refused" },
		{ "x %", NULL, NULL, 0, "lone % refused" },
		{ "x %q", NULL, NULL, 0, "unknown escape refused" },
		{ "x %{charset", NULL, NULL, 0, "unterminated %{ refused" },
		{ "x %{}", NULL, NULL, 0, "empty %{} refused" },
		{ "x %{a b}", NULL, NULL, 0, "bad parameter name refused" },
		{ "cat", NULL, "cat", 0, "no escapes: stdin" },
		{ "", NULL, "", 0, "empty command" },
	};
	struct buf out;
	bool uses;
	size_t i;
	int rc;

	buf_init(&out, 4096);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&out);
		uses = !cases[i].uses_file;
		rc = mailcap_expand(cases[i].command, cases[i].filename, "text/html",
		    names, values, 5, &out, &uses);
		if (cases[i].want == NULL)
			tap_is_int(rc, -1, "%s: refused", cases[i].name);
		else {
			tap_is_int(rc, 0, "%s: ok", cases[i].name);
			tap_is_str(buf_ptr(&out), cases[i].want, "%s: output", cases[i].name);
			tap_is_int(uses, cases[i].uses_file, "%s: uses file", cases[i].name);
		}
	}
	buf_free(&out);
}

static void
test_expand_limits(void)
{
	const char *names[1] = { "p" };
	const char *values[1];
	struct buf out, small;
	char *v;
	bool uses;
	int c;

	v = malloc(MAILCAP_VALUE_MAX + 2);
	memset(v, 'a', MAILCAP_VALUE_MAX + 1);
	v[MAILCAP_VALUE_MAX + 1] = '\0';
	values[0] = v;
	buf_init(&out, 1 << 16);
	tap_is_int(mailcap_expand("x %{p}", NULL, "t/t", names, values, 1, &out, &uses), -1,
	    "value over MAILCAP_VALUE_MAX refused");
	v[MAILCAP_VALUE_MAX] = '\0';
	buf_reset(&out);
	tap_is_int(mailcap_expand("x %{p}", NULL, "t/t", names, values, 1, &out, &uses), 0,
	    "value of MAILCAP_VALUE_MAX accepted");
	tap_is_int(buf_len(&out), MAILCAP_VALUE_MAX + 4, "and inserted quoted");
	free(v);

	for (c = 1; c < 0x20; c++) {
		char val[4] = { 'a', (char)c, 'b', '\0' };

		values[0] = val;
		buf_reset(&out);
		if (mailcap_expand("x %{p}", NULL, "t/t", names, values, 1, &out, &uses) != -1)
			break;
	}
	tap_is_int(c, 0x20, "every control byte in a value refused");
	values[0] = "a\177b";
	tap_is_int(mailcap_expand("x %{p}", NULL, "t/t", names, values, 1, &out, &uses), -1,
	    "DEL refused");
	tap_is_int(mailcap_expand("x %s", "a\tb", "t/t", NULL, NULL, 0, &out, &uses), -1,
	    "control byte in the file name refused");
	tap_is_int(mailcap_expand("x %t", NULL, "t/t\n", NULL, NULL, 0, &out, &uses), -1,
	    "control byte in the type refused");
	buf_free(&out);

	buf_init(&small, 8);
	tap_is_int(mailcap_expand("lynx %s", "long-name", "t/t", NULL, NULL, 0, &small,
	    &uses), -1, "out too small");
	buf_free(&small);
}

/* The proof that quoting works: /bin/sh runs the expanded commands and
 * must print each hostile value back unchanged (and nothing else). The
 * values only echo, so a failure cannot harm the machine. */
static void
test_expand_shell(void)
{
	static const char *const templates[] = {
		"printf %%s %{v}", "printf %%s '%{v}'", "printf %%s \"%{v}\"",
		"printf %%s x%{v}y", "printf '%%s' %{v}",
	};
	static const char *const hostile[] = {
		"'; echo PWNED; '", "$(echo PWNED)", "`echo PWNED`", "a  b", "\"",
		"\\", "''", "", "'\"'\"'", "; echo PWNED #", "*",
	};
	const char *names[1] = { "v" };
	const char *values[1];
	char got[256], want[256];
	struct buf out;
	size_t t, h, n;
	bool uses, ok = true;
	FILE *fp;

	buf_init(&out, 4096);
	for (t = 0; t < sizeof templates / sizeof templates[0]; t++) {
		for (h = 0; h < sizeof hostile / sizeof hostile[0]; h++) {
			values[0] = hostile[h];
			buf_reset(&out);
			if (mailcap_expand(templates[t], NULL, "t/t", names, values, 1, &out,
			    &uses) == -1) {
				tap_diag("refused: %s with %s", templates[t], hostile[h]);
				ok = false;
				continue;
			}
			snprintf(want, sizeof want, "%s%s%s", t == 3 ? "x" : "", hostile[h],
			    t == 3 ? "y" : "");
			fp = popen(buf_ptr(&out), "r");
			if (fp == NULL) {
				ok = false;
				continue;
			}
			n = fread(got, 1, sizeof got - 1, fp);
			got[n] = '\0';
			pclose(fp);
			if (strcmp(got, want) != 0) {
				tap_diag("%s: got [%s] want [%s]", buf_ptr(&out), got, want);
				ok = false;
			}
		}
	}
	tap_ok(ok, "/bin/sh prints every hostile value back unchanged");
	buf_free(&out);
}

int
main(void)
{
	test_parse();
	test_copiousoutput_filter();
	test_order();
	test_malformed();
	test_limits();
	test_expand();
	test_expand_limits();
	test_expand_shell();
	return tap_done();
}
