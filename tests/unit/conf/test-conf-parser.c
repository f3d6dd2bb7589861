/* Tests for the mailrc parser and model: input text -> exact diagnostics,
 * each input also fed byte by byte and in random pieces. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-test.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "tap.h"

struct diag_case {
	const char *name;
	const char *input;
	const char *diags[8];
};

#define SRV "\tset imap=imaps://a@mail.example.com\n"

static const struct diag_case diag_cases[] = {
	/* ---- valid files ---- */
	{ "empty file", "", { NULL } },
	{ "comments and blank lines", "# a comment\n\n   # indented\n\t\n", { NULL } },
	{ "globals", "set editor=vim\nset sort=thread reverse\nset nosidebar\n", { NULL } },
	{ "quoted values", "set editor=\"vim -c 'set tw=72'\"\n"
	    "set date-format='%a %d %b'\n", { NULL } },
	{ "comment after a value", "set editor=vim # my editor\n", { NULL } },
	{ "account and team",
	    "account work {\n" SRV "\tset from=\"Alice <a@example.com>\"\n}\n"
	    "team support {\n\tset account=work\n\tset folder=Shared/support\n"
	    "\tset members=\"alice bob\"\n\tset me=alice\n}\n", { NULL } },
	{ "brace on the next line", "account work\n{\n" SRV "}\n", { NULL } },
	{ "brace stuck to the name", "account work{\n" SRV "}\n", { NULL } },
	{ "implicit default account", "set imap=imaps://a@mail.example.com\n", { NULL } },
	{ "CRLF", "set editor=vim\r\naccount w {\r\n" SRV "}\r\n", { NULL } },
	{ "BOM", "\xef\xbb\xbfset editor=vim\n", { NULL } },
	{ "no final newline", "set editor=vim", { NULL } },
	{ "continuation", "set editor=vim \\\n  sort=date\n", { NULL } },
	{ "directives",
	    "label urgent red\nlabel todo\nfilter from:boss --add-label urgent\n"
	    "ignore Received DKIM-Signature\nretain From To Subject\n"
	    "bind index,pager j next\ncolor index brightred default ~F\n"
	    "color header color33 black\n", { NULL } },
	{ "unset", "set editor=vim\nunset editor\nset editor=emacs\n", { NULL } },

	/* ---- commands ---- */
	{ "unknown command", "set editor=vim\n\nsett sort=date\n",
	    { "mailrc:3: unknown command 'sett' (did you mean 'set'?)", NULL } },
	{ "unknown command, no hint", "macro index x y\n",
	    { "mailrc:1: unknown command 'macro'", NULL } },
	{ "source is not a command", "source ~/.mailrc.local\n",
	    { "mailrc:1: unknown command 'source'", NULL } },
	{ "forgotten set", "editor=vim\n",
	    { "mailrc:1: unknown command 'editor=vim' (did you mean 'set editor=vim'?)", NULL } },
	{ "set alone", "set\n",
	    { "mailrc:1: set needs a setting (set NAME=VALUE)", NULL } },
	{ "unset with a value", "unset editor=vim\n",
	    { "mailrc:1: unset takes names only, not 'editor=vim'", NULL } },
	{ "spaces around =", "set editor = vim\nset editor =vim\nset editor= vim\n"
	    "set editor=\"\" sort=date\n",
	    { "mailrc:1: spaces around '=' (write editor=VALUE, with quotes if the "
	      "value has spaces)",
	      "mailrc:2: spaces around '=' (write editor=VALUE, with quotes if the "
	      "value has spaces)",
	      "mailrc:3: spaces around '=' (write editor=VALUE, with quotes if the "
	      "value has spaces)",
	      "mailrc:4: empty value for 'editor' (to clear it, use unset editor)",
	      NULL } },
	{ "missing name before =", "set =vim\n",
	    { "mailrc:1: missing setting name before '=' in '=vim'", NULL } },

	/* ---- settings ---- */
	{ "unknown setting, mutt spelling", "account w {\n" SRV "\tset imap_pasword=x\n}\n",
	    { "mailrc:3: unknown setting 'imap_pasword' (did you mean 'password'?)", NULL } },
	{ "unknown setting, typo", "set edtior=vim\n",
	    { "mailrc:1: unknown setting 'edtior' (did you mean 'editor'?)", NULL } },
	{ "unknown setting, case", "set Editor=vim\n",
	    { "mailrc:1: unknown setting 'Editor' (did you mean 'editor'?)", NULL } },
	{ "unknown setting, mutt alias", "set realname=Alice\n",
	    { "mailrc:1: unknown setting 'realname' (did you mean 'from'?)", NULL } },
	{ "unknown setting, nothing close", "set frobnicate=1\n",
	    { "mailrc:1: unknown setting 'frobnicate'", NULL } },
	{ "invalid UTF-8 in a setting name", "set caf\xe9=1\n",
	    { "mailrc:1: invalid UTF-8 in setting name 'caf\\xe9'", NULL } },
	{ "valid UTF-8 in a setting name", "set caf\xc3\xa9=1\n",
	    { "mailrc:1: unknown setting 'caf\\xc3\\xa9'", NULL } },
	{ "invalid UTF-8 in a value is fine", "set date-format=\xff%d\n", { NULL } },
	{ "team setting at top level", "set editor=vim\nset folder=INBOX\n",
	    { "mailrc:2: 'folder' is a team setting; it belongs inside a team block", NULL } },
	{ "team setting in an account", "account w {\n" SRV "\tset members=a\n}\n",
	    { "mailrc:3: 'members' is a team setting; it belongs inside a team block", NULL } },
	{ "global setting in an account", "account w {\n" SRV "\tset editor=vim\n}\n",
	    { "mailrc:3: 'editor' is a global setting; it belongs at top level, "
	      "outside any block", NULL } },
	{ "account setting in a team",
	    "account w {\n" SRV "}\nteam t {\n\tset account=w\n\tset folder=F\n"
	    "\tset from=a@b.c\n\tset imap=imap://h\n}\n",
	    { "mailrc:7: 'from' is an account setting; it belongs inside an account "
	      "block (or at top level, for all accounts)",
	      "mailrc:8: 'imap' is an account setting; it belongs inside an account block",
	      NULL } },
	{ "bad bool", "account old {\n\tset pop3=pop3s://a@pop.example.net\n"
	    "\tset pop3-delete=maybe\n}\n",
	    { "mailrc:3: bad value for 'pop3-delete': 'maybe' (expected yes or no)", NULL } },
	{ "bool spellings", "set sidebar=on reverse=False confirm-purge=1\n", { NULL } },
	{ "bare non-bool", "set editor\n",
	    { "mailrc:1: 'editor' needs a value (set editor=...)", NULL } },
	{ "negated non-bool", "set noeditor\n",
	    { "mailrc:1: 'noeditor' is not a yes/no setting, so it cannot be negated; "
	      "use unset editor", NULL } },
	{ "empty value", "set editor=\n",
	    { "mailrc:1: empty value for 'editor' (to clear it, use unset editor)", NULL } },
	{ "bad enum", "set sort=random\n",
	    { "mailrc:1: bad value for 'sort': 'random' (expected one of date, thread, "
	      "from, subject, size)", NULL } },
	{ "durations", "set timeout=30 password-timeout=2m\naccount w {\n" SRV
	    "\tset check-interval=1h\n}\n", { NULL } },
	{ "bad duration", "set timeout=5x\nset password-timeout=-1\n",
	    { "mailrc:1: bad value for 'timeout': '5x' (expected a duration like 30s, "
	      "10m, 4h or 2d)",
	      "mailrc:2: bad value for 'password-timeout': '-1' (expected a duration "
	      "like 30s, 10m, 4h or 2d)", NULL } },
	{ "sizes", "set body-cache-size=10k\nset body-cache-size=5M\n",
	    { "mailrc:2: warning: 'body-cache-size' set again (line 1 is overridden)", NULL } },
	{ "bad size", "set body-cache-size=1T\n",
	    { "mailrc:1: bad value for 'body-cache-size': '1T' (expected a size like "
	      "512k, 100M or 2G)", NULL } },
	{ "bad number", "set sidebar-width=5\n",
	    { "mailrc:1: bad value for 'sidebar-width': '5' (expected a number from "
	      "10 to 200)", NULL } },
	{ "addresses", "set from=a@example.com\nset reply-to=\"A. B. <a@b.example>\"\n"
	    "set alternates=\"a@x.org, b@y.org\"\n", { NULL } },
	{ "bad address", "set from=alice\nset reply-to=\"Alice <>\"\nset from=@b\n"
	    "set from=\"a@b, c@d\"\n",
	    { "mailrc:1: bad value for 'from': 'alice' (expected one address like "
	      "alice@example.com or \"Alice <alice@example.com>\")",
	      "mailrc:2: bad value for 'reply-to': 'Alice <>' (expected one address "
	      "like alice@example.com or \"Alice <alice@example.com>\")",
	      "mailrc:3: bad value for 'from': '@b' (expected one address like "
	      "alice@example.com or \"Alice <alice@example.com>\")",
	      "mailrc:4: bad value for 'from': 'a@b, c@d' (expected one address like "
	      "alice@example.com or \"Alice <alice@example.com>\")", NULL } },
	{ "fingerprints",
	    "set tls-fingerprint=sha256:0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef\n"
	    "set tls-fingerprint=SHA256:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:"
	    "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef\n",
	    { "mailrc:2: warning: 'tls-fingerprint' set again (line 1 is overridden)", NULL } },
	{ "bad fingerprint", "set tls-fingerprint=md5:00\n",
	    { "mailrc:1: bad value for 'tls-fingerprint': 'md5:00' (expected sha256: "
	      "and 64 hex digits, colons between pairs optional)", NULL } },
	{ "bad charset", "set charset-fallback=\"latin 1\"\n",
	    { "mailrc:1: bad value for 'charset-fallback': 'latin 1' (expected a "
	      "character set name like windows-1252)", NULL } },
	{ "repeated setting", "account w {\n" SRV "\tset from=a@b.c\n\n\n\n\tset from=b@b.c\n}\n",
	    { "mailrc:7: warning: 'from' set again (line 3 is overridden)", NULL } },
	{ "same setting in two scopes is fine",
	    "set from=a@b.c\naccount w {\n" SRV "\tset from=b@b.c\n}\n", { NULL } },
	{ "several errors on one line", "set sort=x reverse=y\n",
	    { "mailrc:1: bad value for 'sort': 'x' (expected one of date, thread, "
	      "from, subject, size)",
	      "mailrc:1: bad value for 'reverse': 'y' (expected yes or no)", NULL } },

	/* ---- URLs ---- */
	{ "bad URL port", "account w {\n\tset imap=imaps://a@h:99999\n}\n",
	    { "mailrc:2: bad URL for 'imap': port 99999 out of range", NULL } },
	{ "bad URL scheme", "account w {\n\tset imap=http://h\n}\n",
	    { "mailrc:2: bad URL for 'imap': unknown scheme 'http' (expected imap:// "
	      "or imaps://)", NULL } },
	{ "wrong protocol scheme", "account w {\n\tset smtp=imaps://h\n}\n",
	    { "mailrc:2: bad URL for 'smtp': scheme 'imaps' is for imap, not smtp "
	      "(expected smtp:// or smtps://)", NULL } },
	{ "URL missing host", "account w {\n\tset imap=imaps://alice@\n}\n",
	    { "mailrc:2: bad URL for 'imap': missing host", NULL } },
	{ "URL with a password",
	    "account w {\n\tset imap=imaps://alice:secret@h\n}\n",
	    { "mailrc:2: warning: password in clear text in the URL for 'imap' "
	      "(prefer password-command)", NULL } },
	{ "top-level server beside accounts",
	    "set imap=imaps://h\naccount w {\n" SRV "}\n",
	    { "mailrc:1: 'imap' is set outside any account, but the file has account "
	      "blocks: move it into one", NULL } },

	/* ---- blocks ---- */
	{ "missing closing brace", "set editor=vim\naccount work {\n" SRV,
	    { "mailrc:2: account 'work' is not closed (missing '}')", NULL } },
	{ "missing closing brace, team",
	    "account w {\n" SRV "}\nteam t {\n\tset account=w\n\tset folder=F\n",
	    { "mailrc:4: team 't' is not closed (missing '}')", NULL } },
	{ "stray brace", "set editor=vim\n}\n",
	    { "mailrc:2: '}' without an open block", NULL } },
	{ "text after }", "account w {\n" SRV "} x\n",
	    { "mailrc:3: unexpected text after '}'", NULL } },
	{ "stray {", "{\n", { "mailrc:1: '{' without 'account NAME' or 'team NAME' "
	    "before it", NULL } },
	{ "brace never comes", "account w\nset editor=vim\n",
	    { "mailrc:1: expected '{' after account 'w'", NULL } },
	{ "brace never comes at end", "account w\n",
	    { "mailrc:1: expected '{' after account 'w'", NULL } },
	{ "nested block", "account a {\n" SRV "account b {\n" SRV "}\n",
	    { "mailrc:3: account 'b' begins inside account 'a' (line 1): blocks "
	      "cannot be nested; close that one with '}' first", NULL } },
	{ "duplicate account",
	    "account work {\n" SRV "}\naccount work {\n" SRV "}\n",
	    { "mailrc:4: duplicate account 'work' (first defined at line 1)", NULL } },
	{ "duplicate team",
	    "account w {\n" SRV "}\nteam t {\n\tset account=w\n\tset folder=F\n}\n"
	    "team t {\n\tset account=w\n\tset folder=F\n}\n",
	    { "mailrc:8: duplicate team 't' (first defined at line 4)", NULL } },
	{ "account without a name", "account {\n\tset from=a@b.c\n}\n",
	    { "mailrc:1: account needs a name (account NAME {)", NULL } },
	{ "bad account name", "account \"my work\" {\n" SRV "}\n",
	    { "mailrc:1: bad account name 'my work' (use letters, digits, '.', '_', "
	      "'-', '@' or '+')", NULL } },
	{ "account name alone", "account\n",
	    { "mailrc:1: account needs a name (account NAME {)", NULL } },
	{ "text after {", "account w { set from=a@b.c\n" SRV "}\n",
	    { "mailrc:1: unexpected text after '{' (put each setting on its own line)",
	      NULL } },
	{ "} on a set line", "account w {\n" SRV "\tset from=a@b.c }\n",
	    { "mailrc:1: account 'w' is not closed (missing '}')",
	      "mailrc:3: '}' must be on a line of its own (after set)", NULL } },
	{ "directive inside a block", "account w {\n" SRV "\tlabel x\n}\n",
	    { "mailrc:3: 'label' is not allowed inside account 'w' (only set and "
	      "unset are)", NULL } },

	/* ---- directives ---- */
	{ "label without a name", "label\n",
	    { "mailrc:1: label takes a name and an optional color (label NAME [COLOR])",
	      NULL } },
	{ "label with a bad color", "label x purple\n",
	    { "mailrc:1: unknown color 'purple' (expected default, black, red, green, "
	      "yellow, blue, magenta, cyan, white, brightNAME or color0 to color255)",
	      NULL } },
	{ "empty filter", "filter   # nothing\n",
	    { "mailrc:1: filter needs a rule (filter QUERY ACTION...)", NULL } },
	{ "ignore without headers", "ignore\n",
	    { "mailrc:1: ignore needs header names (ignore HEADER...)", NULL } },
	{ "bad header name", "retain From: To\n",
	    { "mailrc:1: bad header name 'From:' for retain (letters, digits and '-', "
	      "without ':')", NULL } },
	{ "bind shape", "bind index j\nbind pagr j next\n",
	    { "mailrc:1: bind takes a map, a key and a function (bind MAP KEY FUNCTION)",
	      "mailrc:2: unknown map 'pagr' for bind (expected index, pager, folders, "
	      "compose or help)", NULL } },
	{ "color shape", "color index red\n",
	    { "mailrc:1: color takes an object, a foreground, a background and an "
	      "optional pattern (color OBJECT FG BG [PATTERN])", NULL } },

	/* ---- lexical ---- */
	{ "unterminated double quote", "set editor=vim\nset editor=\"vim\n",
	    { "mailrc:2: unterminated quote (\")", NULL } },
	{ "unterminated single quote", "set editor='vim\n",
	    { "mailrc:1: unterminated quote (')", NULL } },
	{ "escaped quote closes nothing", "set editor=\"vim\\\"\n",
	    { "mailrc:1: unterminated quote (\")", NULL } },
	{ "binary data", "set editor=vim\nset \x01x=1\nok\x7f\n",
	    { "mailrc:2: binary data in configuration file",
	      "mailrc:3: binary data in configuration file", NULL } },
	{ "NUL byte", "set editor=v\0im\n",
	    { "mailrc:1: binary data in configuration file", NULL } },
	{ "continuation keeps the first line number", "set \\\n  sort=bad\n",
	    { "mailrc:1: bad value for 'sort': 'bad' (expected one of date, thread, "
	      "from, subject, size)", NULL } },
	{ "line numbers after a continuation", "set editor=a \\\n  sort=date\nsett\n",
	    { "mailrc:3: unknown command 'sett' (did you mean 'set'?)", NULL } },
	{ "CRLF continuation", "set editor=a \\\r\n  sort=bad\r\n",
	    { "mailrc:1: bad value for 'sort': 'bad' (expected one of date, thread, "
	      "from, subject, size)", NULL } },
	{ "BOM only at the start", "set editor=vim\n\xef\xbb\xbfset sort=date\n",
	    { "mailrc:2: unknown command '\\xef\\xbb\\xbfset'", NULL } },
	{ "hash inside a word", "set date-format=%d#%m\n", { NULL } },

	/* ---- cross-checks (conf_validate) ---- */
	{ "account without a server", "set editor=vim\naccount x {\n\tset from=a@b.c\n}\n",
	    { "mailrc:2: account 'x' has no server (set imap=, pop3= or smtp=)", NULL } },
	{ "bad server URL is not also 'no server'",
	    "account x {\n\tset imap=imaps://h:0\n}\n",
	    { "mailrc:2: bad URL for 'imap': port 0 out of range", NULL } },
	{ "pop3-delete without pop3",
	    "account x {\n" SRV "\tset pop3-delete=no\n}\n",
	    { "mailrc:3: warning: account 'x' sets pop3-delete but has no pop3= "
	      "server, so it has no effect", NULL } },
	{ "team with an unknown account",
	    "account work {\n" SRV "}\nteam s {\n\tset account=wrok\n\tset folder=F\n}\n",
	    { "mailrc:5: team 's': no account named 'wrok' (did you mean 'work'?)", NULL } },
	{ "team without an account", "team s {\n\tset folder=F\n}\n",
	    { "mailrc:1: team 's' has no account (set account=NAME)", NULL } },
	{ "team without a folder",
	    "account w {\n" SRV "}\nteam s {\n\tset account=w\n}\n",
	    { "mailrc:4: team 's' has no folder (set folder=...)", NULL } },
	{ "me not in members",
	    "account w {\n" SRV "}\nteam s {\n\tset account=w\n\tset folder=F\n"
	    "\tset members=\"alice bob\"\n\tset me=carol\n}\n",
	    { "mailrc:8: warning: team 's': me=carol is not one of the members (line 7)",
	      NULL } },
	{ "tls=no to a remote host",
	    "account w {\n\tset imap=imap://a@mail.example.com\n\tset tls=no\n}\n",
	    { "mailrc:3: warning: account 'w': tls=no: the password will travel in "
	      "clear text to mail.example.com (imap=, line 2)", NULL } },
	{ "tls=no on loopback", "account t {\n\tset imap=imap://a@127.0.0.1:1143\n"
	    "\tset smtp=smtp://localhost:2525\n\tset tls=no\n}\n", { NULL } },
	{ "tls=no with imaps",
	    "account w {\n" SRV "\tset tls=no\n}\n",
	    { "mailrc:3: account 'w': tls=no contradicts imap=imaps://... (line 2), "
	      "which always uses TLS; use imap:// for clear text", NULL } },
	{ "tls=no inherited from the top",
	    "set tls=no\naccount w {\n\tset smtp=smtp://a@smtp.example.com\n}\n",
	    { "mailrc:1: warning: account 'w': tls=no: the password will travel in "
	      "clear text to smtp.example.com (smtp=, line 3)", NULL } },
	{ "diagnostics come in line order",
	    "account x {\n\tset from=a@b.c\n}\nsett\n",
	    { "mailrc:1: account 'x' has no server (set imap=, pop3= or smtp=)",
	      "mailrc:4: unknown command 'sett' (did you mean 'set'?)", NULL } },
};

static void
test_diag_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		const struct diag_case *c = &diag_cases[i];
		struct conf *conf;

		/* Explicit length: a case may hold a NUL byte. */
		if (strcmp(c->name, "NUL byte") == 0) {
			conf = ct_parse(c->name, c->input, sizeof("set editor=v\0im\n") - 1);
			ct_check_diags(c->name, conf, c->diags);
			conf_destroy(&conf);
			continue;
		}
		ct_expect(c->name, c->input, c->diags);
	}
}

static struct conf *
parse(const char *name, const char *text)
{
	return ct_parse(name, text, strlen(text));
}

static void
test_values(void)
{
	struct conf *conf = parse("values",
	    "set editor=\"vim -c \\\"set tw=72\\\" \\\\x\"\n"
	    "set pager='less -R'   # comment\n"
	    "set sidebar sort=thread noreverse\n"
	    "set date-format=\"%d\"'%m'x\n"
	    "set new-mail-command=notify#1\n"
	    "set query-command=\"a # b\"\n"
	    "set charset-fallback=iso-8859-15 \\\n"
	    "    timeout=1m\n");

	ct_check_diags("values", conf, (const char *const[]){ NULL });
	tap_is_str(conf_get(conf, "editor"), "vim -c \"set tw=72\" \\x", "double quotes, escapes");
	tap_is_str(conf_get(conf, "pager"), "less -R", "single quotes, comment after");
	tap_is_str(conf_get(conf, "sidebar"), "yes", "bare bool is yes");
	tap_is_str(conf_get(conf, "reverse"), "no", "noNAME is no");
	tap_is_str(conf_get(conf, "sort"), "thread", "several on a line");
	tap_is_str(conf_get(conf, "date-format"), "%d%mx", "quoted pieces join");
	tap_is_str(conf_get(conf, "new-mail-command"), "notify#1", "# inside a word");
	tap_is_str(conf_get(conf, "query-command"), "a # b", "# inside quotes");
	tap_is_str(conf_get(conf, "charset-fallback"), "iso-8859-15", "continued line");
	tap_is_str(conf_get(conf, "timeout"), "1m", "continued line, second part");
	tap_is_int(conf_get_line(conf, "timeout"), 7, "continued line reports its first line");
	tap_is_str(conf_get(conf, "cache-dir"), NULL, "unset is NULL");
	tap_is_str(conf_get(conf, "no-such"), NULL, "unknown is NULL");
	conf_destroy(&conf);

	setenv("HOME", "/home/alice", 1);
	conf = parse("home expanded", "set cache-dir=~/.cache/mail\nset mailcap=~\n"
	    "set editor=~/bin/ed\nset signature=~bob/sig\n");
	tap_is_str(conf_get(conf, "cache-dir"), "/home/alice/.cache/mail", "~/ in a path is HOME");
	tap_is_str(conf_get(conf, "mailcap"), "/home/alice", "~ alone is HOME");
	tap_is_str(conf_get(conf, "editor"), "~/bin/ed", "not in a command (the shell does it)");
	tap_is_str(conf_get(conf, "signature"), "~bob/sig", "~user is left alone");
	conf_destroy(&conf);

	conf = parse("bool normalised", "set sidebar=ON\nset reverse=0\n");
	tap_is_str(conf_get(conf, "sidebar"), "yes", "ON is stored as yes");
	tap_is_str(conf_get(conf, "reverse"), "no", "0 is stored as no");
	conf_destroy(&conf);

	conf = parse("CRLF values", "\xef\xbb\xbfset editor=vim\r\nset pager=\"less\"\r\n");
	tap_is_str(conf_get(conf, "editor"), "vim", "CR is not part of the value");
	tap_is_str(conf_get(conf, "pager"), "less", "CR after a quote");
	conf_destroy(&conf);

	conf = parse("unset", "set editor=vim\nunset editor\n");
	tap_is_str(conf_get(conf, "editor"), NULL, "unset removes");
	tap_is_int(conf_get_line(conf, "editor"), 0, "unset has no line");
	conf_destroy(&conf);
}

static void
test_accounts(void)
{
	const struct conf_account *a, *b;
	const struct conf_server *srv;
	struct conf *conf;

	conf = parse("accounts",
	    "set from=\"Top <top@example.com>\"\n"
	    "set password-command=\"pass show top\"\n"
	    "set pop3-delete=yes\n"
	    "account work {\n"
	    "\tset imap=imaps://alice%40corp@mail.example.com/Lists/INBOX\n"
	    "\tset smtp=smtp://alice@mail.example.com\n"
	    "\tset from=alice@example.com\n"
	    "}\n"
	    "account old {\n"
	    "\tset pop3=pop3s://bob@[2001:db8::1]:1995\n"
	    "\tunset password-command\n"
	    "}\n");
	ct_check_diags("accounts", conf, (const char *const[]){ NULL });
	tap_is_int((long long)conf_account_count(conf), 2, "two accounts");
	a = conf_account_at(conf, 0);
	b = conf_account_find(conf, "old");
	tap_ok(a != NULL && b != NULL && b == conf_account_at(conf, 1), "find and at agree");
	tap_ok(conf_account_at(conf, 2) == NULL, "at past the end is NULL");
	tap_ok(conf_account_find(conf, "nope") == NULL, "find unknown is NULL");
	if (a == NULL || b == NULL) {
		conf_destroy(&conf);
		return;
	}
	tap_is_str(conf_account_name(a), "work", "first account is the default");
	tap_is_int(conf_account_line(a), 4, "account line");
	tap_is_str(conf_account_file(a), "mailrc", "account file");
	tap_ok(!conf_account_is_implicit(a), "explicit account");
	tap_is_str(conf_account_get(a, "from"), "alice@example.com", "own value wins");
	tap_is_int(conf_account_setting_line(a, "from"), 7, "own value line");
	tap_is_str(conf_account_get(b, "from"), "Top <top@example.com>", "top-level default");
	tap_is_int(conf_account_setting_line(b, "from"), 1, "top-level default line");
	tap_is_str(conf_account_get(a, "password-command"), "pass show top", "inherited");
	tap_is_str(conf_account_get(b, "password-command"), NULL, "unset in account hides default");
	tap_is_str(conf_account_get(a, "editor"), NULL, "global settings do not inherit");
	tap_is_str(conf_account_get(a, "pop3"), NULL, "no pop3 on work");

	srv = conf_account_server(a, CONF_PROTO_IMAP);
	tap_ok(srv != NULL, "imap server");
	if (srv != NULL) {
		tap_is_str(srv->scheme, "imaps", "imap scheme");
		tap_is_str(srv->user, "alice@corp", "user %%-decoded");
		tap_is_str(srv->host, "mail.example.com", "imap host");
		tap_is_int(srv->port, 993, "imaps default port");
		tap_ok(srv->implicit_tls, "imaps is implicit TLS");
		tap_is_str(srv->path, "Lists/INBOX", "imap folder path");
		tap_is_str(srv->password, NULL, "no URL password");
		tap_is_int(srv->line, 5, "server line");
		tap_is_str(srv->url, "imaps://alice%40corp@mail.example.com/Lists/INBOX", "url as written");
		tap_ok(srv->proto == CONF_PROTO_IMAP, "proto");
	}
	srv = conf_account_server(a, CONF_PROTO_SMTP);
	tap_ok(srv != NULL && srv->port == 587 && !srv->implicit_tls, "smtp default port 587");
	tap_ok(conf_account_server(a, CONF_PROTO_POP3) == NULL, "no pop3 server");
	srv = conf_account_server(b, CONF_PROTO_POP3);
	tap_ok(srv != NULL && strcmp(srv->host, "2001:db8::1") == 0 && srv->port == 1995,
	    "IPv6 host without brackets, explicit port");
	tap_ok(!conf_account_pop3_delete(a), "pop3-delete inherited but no pop3: false");
	tap_ok(conf_account_pop3_delete(b), "pop3-delete inherited from the top: true");
	conf_destroy(&conf);

	/* The implicit account. */
	conf = parse("implicit", "set imap=imaps://a@h\nset from=a@h.example\n"
	    "set smtp=smtps://a@h\n");
	ct_check_diags("implicit", conf, (const char *const[]){ NULL });
	tap_is_int((long long)conf_account_count(conf), 1, "one implicit account");
	a = conf_account_at(conf, 0);
	if (a != NULL) {
		tap_is_str(conf_account_name(a), "default", "named default");
		tap_ok(conf_account_is_implicit(a), "is implicit");
		tap_is_int(conf_account_line(a), 1, "at the first server line");
		tap_ok(conf_account_server(a, CONF_PROTO_SMTP) != NULL &&
		    conf_account_server(a, CONF_PROTO_SMTP)->port == 465, "smtps port 465");
		tap_is_str(conf_account_get(a, "from"), "a@h.example", "inherits from=");
		tap_is_str(conf_account_get(a, "imap"), "imaps://a@h", "has imap=");
	}
	conf_destroy(&conf);

	conf = parse("no accounts", "set editor=vim\n");
	tap_is_int((long long)conf_account_count(conf), 0, "no server, no implicit account");
	tap_ok(!conf_has_errors(conf), "no accounts is not an error");
	conf_destroy(&conf);
}

static void
test_pop3(void)
{
	static const struct {
		const char *name, *text;
		bool want;
	} cases[] = {
		{ "no pop3", "account a {\n\tset imap=imaps://h\n}\n", false },
		{ "pop3 without pop3-delete", "account a {\n\tset pop3=pop3s://h\n}\n", false },
		{ "pop3-delete=no", "account a {\n\tset pop3=pop3s://h\n\tset pop3-delete=no\n}\n",
		    false },
		{ "pop3-delete=yes", "account a {\n\tset pop3=pop3s://h\n\tset pop3-delete=yes\n}\n",
		    true },
		{ "bare pop3-delete", "account a {\n\tset pop3=pop3s://h\n\tset pop3-delete\n}\n",
		    true },
		{ "nopop3-delete", "account a {\n\tset pop3=pop3s://h\n\tset nopop3-delete\n}\n",
		    false },
		{ "bad pop3-delete", "account a {\n\tset pop3=pop3s://h\n\tset pop3-delete=maybe\n}\n",
		    false },
		{ "unset pop3-delete", "set pop3-delete=yes\naccount a {\n\tset pop3=pop3s://h\n"
		    "\tunset pop3-delete\n}\n", false },
	};
	const struct conf_account *a;
	struct conf *conf;
	char *w;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf = parse(cases[i].name, cases[i].text);
		a = conf_account_at(conf, 0);
		tap_ok(a != NULL && conf_account_pop3_delete(a) == cases[i].want,
		    "pop3_delete: %s -> %s", cases[i].name, cases[i].want ? "true" : "false");
		w = a != NULL ? conf_pop3_warning(a) : NULL;
		tap_ok((w != NULL) == cases[i].want, "pop3 warning iff deleting: %s",
		    cases[i].name);
		free(w);
		conf_destroy(&conf);
	}

	conf = parse("pop3 warning", "set editor=vim\naccount old {\n"
	    "\tset pop3=pop3s://alice@pop.example.net\n\tset pop3-delete=yes\n}\n");
	a = conf_account_find(conf, "old");
	w = a != NULL ? conf_pop3_warning(a) : NULL;
	tap_ok(w != NULL, "warning for old");
	if (w != NULL) {
		const char *line;

		tap_ok(strstr(w, "account 'old'") != NULL, "names the account");
		tap_ok(strstr(w, "vanishes from every other device") != NULL, "says it vanishes");
		tap_ok(strstr(w, "pop3-delete=no") != NULL, "offers pop3-delete=no");
		tap_ok(strstr(w, "--fetch-pop old --into") != NULL, "offers --fetch-pop");
		tap_ok(strstr(w, "mailrc:4") != NULL, "gives file:line of the setting");
		tap_ok(w[strlen(w) - 1] == '\n', "ends with a newline");
		for (line = w; *line != '\0'; line = strchr(line, '\n') + 1)
			if (strncmp(line, "tern: WARNING: ", 15) != 0)
				break;
		tap_ok(*line == '\0', "every line starts with 'tern: WARNING: '");
		tap_diag("the warning reads:");
		for (line = w; *line != '\0'; line = strchr(line, '\n') + 1)
			tap_diag("%.*s", (int)(strchr(line, '\n') - line), line);
	}
	free(w);
	conf_destroy(&conf);
}

static void
test_teams(void)
{
	const struct conf_team *t;
	struct conf *conf;

	conf = parse("teams", "account work {\n\tset imap=imaps://h\n}\n"
	    "team support {\n"
	    "\tset account=work\n"
	    "\tset folder=\"Shared/support/INBOX\"\n"
	    "\tset members=\"alice bob carol\"\n"
	    "\tset me=alice\n"
	    "\tset reply-deadline=4h\n"
	    "\tset templates=imap:Templates\n"
	    "\tset acknowledge=yes\n"
	    "\tset acknowledge-template=ack\n"
	    "}\n");
	ct_check_diags("teams", conf, (const char *const[]){ NULL });
	tap_is_int((long long)conf_team_count(conf), 1, "one team");
	t = conf_team_at(conf, 0);
	tap_ok(t != NULL && t == conf_team_find(conf, "support"), "team find");
	tap_ok(conf_team_find(conf, "sales") == NULL && conf_team_at(conf, 1) == NULL,
	    "unknown team");
	if (t != NULL) {
		tap_is_str(conf_team_name(t), "support", "team name");
		tap_is_int(conf_team_line(t), 4, "team line");
		tap_is_str(conf_team_file(t), "mailrc", "team file");
		tap_is_str(conf_team_get(t, "folder"), "Shared/support/INBOX", "folder");
		tap_is_str(conf_team_get(t, "members"), "alice bob carol", "members");
		tap_is_str(conf_team_get(t, "acknowledge"), "yes", "acknowledge");
		tap_is_int(conf_team_setting_line(t, "me"), 8, "me line");
		tap_is_str(conf_team_get(t, "from"), NULL, "no account settings in teams");
	}
	conf_destroy(&conf);
}

static void
test_lists(void)
{
	struct conf *conf = parse("lists",
	    "label urgent red\n"
	    "filter from:boss \"subject:big deal\" --add-label urgent   # boss\n"
	    "ignore *\n"
	    "retain From To Subject\n"
	    "bind pager q exit\n"
	    "color index default blue \"~s urgent\"\n"
	    "label later\n");

	tap_is_int((long long)conf_list_count(conf, CONF_LIST_LABEL), 2, "two labels");
	tap_is_int((long long)conf_list_argc(conf, CONF_LIST_LABEL, 0), 2, "label argc");
	tap_is_str(conf_list_arg(conf, CONF_LIST_LABEL, 0, 1), "red", "label color");
	tap_is_int(conf_list_line(conf, CONF_LIST_LABEL, 1), 7, "second label line");
	tap_is_str(conf_list_file(conf, CONF_LIST_LABEL, 1), "mailrc", "label file");
	tap_is_int((long long)conf_list_argc(conf, CONF_LIST_FILTER, 0), 1, "filter is one word");
	tap_is_str(conf_list_arg(conf, CONF_LIST_FILTER, 0, 0),
	    "from:boss \"subject:big deal\" --add-label urgent", "filter kept as written");
	tap_is_str(conf_list_arg(conf, CONF_LIST_IGNORE, 0, 0), "*", "ignore *");
	tap_is_int((long long)conf_list_argc(conf, CONF_LIST_RETAIN, 0), 3, "retain argc");
	tap_is_str(conf_list_arg(conf, CONF_LIST_BIND, 0, 2), "exit", "bind function");
	tap_is_str(conf_list_arg(conf, CONF_LIST_COLOR, 0, 3), "~s urgent", "color pattern unquoted");
	conf_destroy(&conf);
}

static void
test_table(void)
{
	size_t i, n = conf_setting_count();
	bool names = true, docs = true, scopes = true;
	static const char *const must[] = {
		"editor", "pager", "sort", "reverse", "sidebar", "query-command",
		"new-mail-command", "mailcap", "charset-fallback", "cache-dir",
		"body-cache-size", "timeout", "password-timeout", "date-format",
		"confirm-purge", "imap", "smtp", "pop3", "from", "user", "password",
		"password-command", "oauth2-token-command", "tls", "tls-ca",
		"tls-fingerprint", "trash", "sent", "drafts", "junk", "archive",
		"pop3-delete", "signature", "reply-to", "check-interval", "account",
		"folder", "members", "me", "reply-deadline", "templates",
		"acknowledge", "acknowledge-template", NULL
	};

	tap_ok(n >= 43, "the table has every setting (%zu)", n);
	for (i = 0; i < n; i++) {
		if (conf_setting_name(i) == NULL)
			names = false;
		if (conf_setting_doc(i) == NULL || conf_setting_doc(i)[0] == '\0')
			docs = false;
		if (conf_setting_scope(i) == NULL)
			scopes = false;
	}
	tap_ok(names && docs && scopes, "every entry has a name, a scope and a doc");
	tap_ok(conf_setting_name(n) == NULL, "past the end is NULL");
	for (i = 0; must[i] != NULL; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (strcmp(conf_setting_name(j), must[i]) == 0)
				break;
		if (j == n)
			tap_ok(false, "setting %s is in the table", must[i]);
	}
	tap_is_str(conf_setting_default("charset-fallback"), "windows-1252", "charset default");
	tap_is_str(conf_setting_default("password-timeout"), "60s", "password-timeout default");
	tap_is_str(conf_setting_default("pop3-delete"), "no", "pop3-delete default");
	tap_is_str(conf_setting_default("editor"), NULL, "editor has no fixed default");
	tap_is_str(conf_setting_default("nope"), NULL, "unknown has no default");
	for (i = 0; i < n; i++) {
		const char *d = conf_setting_default(conf_setting_name(i));
		struct conf *conf;
		char *text;

		if (d == NULL || strcmp(conf_setting_scope(i), "team") == 0)
			continue;
		/* Every default must itself be a valid value. */
		text = NULL;
		if (asprintf(&text, "set %s=\"%s\"\n", conf_setting_name(i), d) < 0)
			continue;
		conf = conf_create();
		{
			struct conf_parser *p = conf_parser_create(conf, "d");

			conf_parser_feed(p, text, strlen(text));
			conf_parser_finish(p);
			conf_parser_destroy(&p);
		}
		tap_ok(conf_diag_count(conf) == 0, "default of %s is valid",
		    conf_setting_name(i));
		conf_destroy(&conf);
		free(text);
	}
}

static void
test_parsers(void)
{
	uint64_t v = 0;
	bool b = false;

	tap_ok(conf_parse_bool("Yes", &b) == 0 && b, "bool Yes");
	tap_ok(conf_parse_bool("off", &b) == 0 && !b, "bool off");
	tap_ok(conf_parse_bool("maybe", &b) == -1, "bool maybe");
	tap_ok(conf_parse_duration("90", &v) == 0 && v == 90, "duration 90");
	tap_ok(conf_parse_duration("30m", &v) == 0 && v == 1800, "duration 30m");
	tap_ok(conf_parse_duration("2d", &v) == 0 && v == 172800, "duration 2d");
	tap_ok(conf_parse_duration("4h", &v) == 0 && v == 14400, "duration 4h");
	tap_ok(conf_parse_duration("", &v) == -1, "duration empty");
	tap_ok(conf_parse_duration("h", &v) == -1, "duration unit only");
	tap_ok(conf_parse_duration("1w", &v) == -1, "duration w");
	tap_ok(conf_parse_duration("10ms", &v) == -1, "duration ms");
	tap_ok(conf_parse_duration("99999999999999999999d", &v) == -1, "duration overflow");
	tap_ok(conf_parse_duration("3000d", &v) == 0 && v == 3000ull * 86400, "duration 3000d");
	tap_ok(conf_parse_duration("4000000d", &v) == -1, "duration too long");
	tap_ok(conf_parse_size("10k", &v) == 0 && v == 10240, "size 10k");
	tap_ok(conf_parse_size("5M", &v) == 0 && v == 5 * 1048576, "size 5M");
	tap_ok(conf_parse_size("1G", &v) == 0 && v == 1073741824, "size 1G");
	tap_ok(conf_parse_size("123", &v) == 0 && v == 123, "size plain");
	tap_ok(conf_parse_size("2048G", &v) == -1, "size over 1T");
	tap_ok(conf_parse_size("1.5G", &v) == -1, "size fraction");
}

/* Bounded: a huge line, many errors, binary input. */
static void
test_limits(void)
{
	struct conf *conf;
	struct buf b;
	size_t i;

	buf_init(&b, 1 << 24);
	buf_addstr(&b, "set editor=vim\nset pager=");
	for (i = 0; i < 70000; i++)
		buf_addc(&b, 'x');
	buf_addstr(&b, "\nsett\n");
	conf = ct_parse("long line", buf_ptr(&b), buf_len(&b));
	ct_check_diags("long line", conf, (const char *const[]){
	    "mailrc:2: line too long (over 65536 bytes)",
	    "mailrc:3: unknown command 'sett' (did you mean 'set'?)", NULL });
	tap_is_str(conf_get(conf, "editor"), "vim", "lines before a long line count");
	conf_destroy(&conf);

	/* Exactly at the limit is fine, CRLF or not. */
	buf_reset(&b);
	buf_addstr(&b, "set pager=");
	while (buf_len(&b) < 65536)
		buf_addc(&b, 'y');
	buf_addstr(&b, "\r\n");
	conf = ct_parse("line at the limit", buf_ptr(&b), buf_len(&b));
	ct_check_diags("line at the limit", conf, (const char *const[]){ NULL });
	conf_destroy(&conf);
	buf_truncate(&b, buf_len(&b) - 2);
	buf_addstr(&b, "z\n");
	conf = ct_parse("line over the limit", buf_ptr(&b), buf_len(&b));
	ct_check_diags("line over the limit", conf, (const char *const[]){
	    "mailrc:1: line too long (over 65536 bytes)", NULL });
	conf_destroy(&conf);

	/* A long line made of continuations is still one line. */
	buf_reset(&b);
	for (i = 0; i < 40000; i++)
		buf_addstr(&b, "xy\\\n");
	buf_addstr(&b, "\nsett\n");
	conf = ct_parse("long continued line", buf_ptr(&b), buf_len(&b));
	ct_check_diags("long continued line", conf, (const char *const[]){
	    "mailrc:1: line too long (over 65536 bytes)",
	    "mailrc:40002: unknown command 'sett' (did you mean 'set'?)", NULL });
	conf_destroy(&conf);

	/* Many errors: 50, then one note, then silence. */
	buf_reset(&b);
	for (i = 0; i < 200; i++)
		buf_addstr(&b, "bogus\n");
	conf = ct_parse("too many errors", buf_ptr(&b), buf_len(&b));
	tap_is_int((long long)conf_diag_count(conf), 51, "50 errors and a note");
	tap_is_str(conf_diag_text(conf, 49), "mailrc:50: unknown command 'bogus'", "50th error");
	tap_is_str(conf_diag_text(conf, 50), "mailrc:51: too many errors, stopping", "the note");
	conf_destroy(&conf);

	/* Binary garbage gives a short report. */
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, (char)((i * 7919 + i / 13) & 0xff));
	conf = ct_parse("binary", buf_ptr(&b), buf_len(&b));
	tap_ok(conf_diag_count(conf) <= 51 && conf_has_errors(conf), "binary: short report (%zu)",
	    conf_diag_count(conf));
	tap_is_str(conf_diag_text(conf, 0), "mailrc:1: binary data in configuration file",
	    "binary: first line");
	conf_destroy(&conf);

	/* Many warnings are capped too. */
	buf_reset(&b);
	for (i = 0; i < 300; i++)
		buf_addstr(&b, "set editor=vim\n");
	conf = ct_parse("many warnings", buf_ptr(&b), buf_len(&b));
	tap_is_int((long long)conf_diag_count(conf), 201, "200 warnings and a note");
	tap_is_str(conf_diag_text(conf, 200),
	    "mailrc:202: warning: too many warnings, not showing the rest", "warning note");
	tap_ok(!conf_has_errors(conf), "warnings are not errors");
	conf_destroy(&conf);
	buf_free(&b);
}

static void
test_api(void)
{
	struct conf *conf = conf_create();
	struct conf_parser *p = conf_parser_create(conf, "x");

	conf_parser_feed(p, "set sort=bad\n", 13);
	conf_parser_finish(p);
	conf_parser_finish(p);
	conf_parser_feed(p, "sett\n", 5);
	conf_parser_destroy(&p);
	tap_ok(p == NULL, "parser destroy NULLs");
	conf_parser_destroy(&p);
	conf_validate(conf);
	conf_validate(conf);
	tap_is_int((long long)conf_diag_count(conf), 1, "finish twice, feed after finish, "
	    "validate twice: one diagnostic");
	tap_ok(conf_diag_severity(conf, 0) == CONF_SEV_ERROR, "it is an error");
	tap_ok(conf_has_errors(conf), "has errors");
	conf_destroy(&conf);
	tap_ok(conf == NULL, "conf destroy NULLs");
	conf_destroy(&conf);

	/* Destroying a parser in the middle of a block frees it. */
	conf = conf_create();
	p = conf_parser_create(conf, "x");
	{
		const char *t = "account a {\n\tset imap=imaps://h\n}\naccount a {\n\tset fr";

		conf_parser_feed(p, t, strlen(t));
	}
	conf_parser_destroy(&p);
	conf_destroy(&conf);
	p = NULL;
	tap_ok(true, "destroy mid-block");
	conf = conf_create();
	p = conf_parser_create(conf, "x");
	conf_parser_feed(p, "account a\n", 10);
	conf_parser_destroy(&p);
	conf_destroy(&conf);
	tap_ok(true, "destroy while waiting for '{'");
}

int
main(void)
{
	test_diag_cases();
	test_values();
	test_accounts();
	test_pop3();
	test_teams();
	test_lists();
	test_table();
	test_parsers();
	test_limits();
	test_api();
	return tap_done();
}
