/* Tests for server URLs: the parser itself, table-driven, and its
 * messages as they reach the mailrc diagnostics. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf-test.h"
#include "conf/conf-int.h"
#include "tap.h"

struct url_case {
	const char *url;
	enum conf_proto proto;
	/* On success: */
	const char *scheme, *user, *password, *host, *path;
	unsigned port;
	bool tls;
	/* On failure (scheme NULL): */
	const char *err;
};

#define OK(u, pr, sch, us, pw, ho, pa, po, tl) \
	{ u, pr, sch, us, pw, ho, pa, po, tl, NULL }
#define BAD(u, pr, e) \
	{ u, pr, NULL, NULL, NULL, NULL, NULL, 0, false, e }
#define I CONF_PROTO_IMAP
#define S CONF_PROTO_SMTP
#define P CONF_PROTO_POP3

static const struct url_case url_cases[] = {
	OK("imap://h", I, "imap", NULL, NULL, "h", NULL, 143, false),
	OK("imaps://h", I, "imaps", NULL, NULL, "h", NULL, 993, true),
	OK("smtp://h", S, "smtp", NULL, NULL, "h", NULL, 587, false),
	OK("smtps://h", S, "smtps", NULL, NULL, "h", NULL, 465, true),
	OK("pop3://h", P, "pop3", NULL, NULL, "h", NULL, 110, false),
	OK("pop3s://h", P, "pop3s", NULL, NULL, "h", NULL, 995, true),
	OK("IMAPS://Mail.Example.COM", I, "imaps", NULL, NULL, "Mail.Example.COM",
	    NULL, 993, true),
	OK("imaps://alice@mail.example.com:10993", I, "imaps", "alice", NULL,
	    "mail.example.com", NULL, 10993, true),
	OK("imaps://alice%40example.com@h", I, "imaps", "alice@example.com", NULL,
	    "h", NULL, 993, true),
	OK("imaps://alice@example.com@h", I, "imaps", "alice@example.com", NULL,
	    "h", NULL, 993, true),
	OK("imaps://alice:s%3Acret@h", I, "imaps", "alice", "s:cret", "h", NULL,
	    993, true),
	OK("imaps://a:p@ss@h", I, "imaps", "a", "p@ss", "h", NULL, 993, true),
	OK("imaps://[::1]:1993", I, "imaps", NULL, NULL, "::1", NULL, 1993, true),
	OK("imap://a@[2001:db8::10]", I, "imap", "a", NULL, "2001:db8::10", NULL,
	    143, false),
	OK("imaps://h/INBOX", I, "imaps", NULL, NULL, "h", "INBOX", 993, true),
	OK("imaps://h/Shared%20Folders/support", I, "imaps", NULL, NULL, "h",
	    "Shared Folders/support", 993, true),
	OK("imaps://h/", I, "imaps", NULL, NULL, "h", NULL, 993, true),
	OK("smtp://h:25/", S, "smtp", NULL, NULL, "h", NULL, 25, false),
	OK("pop3s://h:1", P, "pop3s", NULL, NULL, "h", NULL, 1, true),
	OK("pop3s://h:65535", P, "pop3s", NULL, NULL, "h", NULL, 65535, true),
	OK("imap://my_host-1.local", I, "imap", NULL, NULL, "my_host-1.local", NULL,
	    143, false),

	BAD("http://h", I, "unknown scheme 'http' (expected imap:// or imaps://)"),
	BAD("ftp://h", P, "unknown scheme 'ftp' (expected pop3:// or pop3s://)"),
	BAD("smtps://h", I, "scheme 'smtps' is for smtp, not imap (expected imap:// "
	    "or imaps://)"),
	BAD("imaps://h", P, "scheme 'imaps' is for imap, not pop3 (expected pop3:// "
	    "or pop3s://)"),
	BAD("mail.example.com", I, "missing scheme (expected imap:// or imaps://, as "
	    "in imap://imap.example.com)"),
	BAD("imaps://", I, "missing host"),
	BAD("imaps://alice@", I, "missing host"),
	BAD("imaps://:993", I, "missing host"),
	BAD("imaps://[]", I, "missing host"),
	BAD("imaps://h:99999", I, "port 99999 out of range"),
	BAD("imaps://h:0", I, "port 0 out of range"),
	BAD("imaps://h:65536", I, "port 65536 out of range"),
	BAD("imaps://h:123456789012345678901234", I,
	    "port 123456789012345678901234 out of range"),
	BAD("imaps://h:", I, "missing port after ':'"),
	BAD("imaps://h:99x", I, "bad port '99x' (expected a number from 1 to 65535)"),
	BAD("imaps://h:-1", I, "bad port '-1' (expected a number from 1 to 65535)"),
	BAD("imaps://@h", I, "empty user name before '@'"),
	BAD("imaps://:pw@h", I, "empty user name before '@'"),
	BAD("imaps://a:@h", I, "empty password after ':' (leave out the ':', or use "
	    "password-command)"),
	BAD("imaps://a%4@h", I, "bad %-escape in the user name (use %XX with two hex "
	    "digits)"),
	BAD("imaps://a%00b@h", I, "%00 is not allowed in the user name"),
	BAD("imaps://a:b%zz@h", I, "bad %-escape in the password (use %XX with two "
	    "hex digits)"),
	BAD("imaps://h/a%", I, "bad %-escape in the folder (use %XX with two hex "
	    "digits)"),
	BAD("imaps://h?x=1", I, "'?' is not allowed in a server URL"),
	BAD("imaps://h/INBOX#x", I, "'#' is not allowed in a server URL"),
	BAD("smtps://h/submit", S, "unexpected path '/submit' (only imap URLs may "
	    "name a folder)"),
	BAD("pop3s://h/INBOX", P, "unexpected path '/INBOX' (only imap URLs may name "
	    "a folder)"),
	BAD("imaps://[::1", I, "missing ']' after the IPv6 address"),
	BAD("imaps://[fe80::1%25eth0]", I, "bad IPv6 address (only hex digits, ':' "
	    "and '.' go between '[' and ']')"),
	BAD("imaps://[1.2.3.4]", I, "bad IPv6 address (no ':' between '[' and ']')"),
	BAD("imaps://[::1]x", I, "unexpected text after ']' (expected ':PORT' or '/')"),
	BAD("imaps://m\xc3\xa4il.example", I, "bad character '\\xc3' in host name "
	    "(write international names in their xn-- form)"),
	BAD("imaps://h st", I, "spaces are not allowed in a URL"),
	BAD("imaps://a!b", I, "bad character '!' in host name (write international "
	    "names in their xn-- form)"),
};

static void
test_url_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		const struct url_case *c = &url_cases[i];
		struct conf_url u;
		char err[CONF_ERR_LEN] = "";
		int r = conf_url_parse(c->url, c->proto, &u, err, sizeof(err));

		if (c->scheme == NULL) {
			tap_ok(r == -1, "%s: refused", c->url);
			tap_is_str(err, c->err, "%s: message", c->url);
			continue;
		}
		if (!tap_ok(r == 0, "%s: parses", c->url)) {
			tap_diag("error: %s", err);
			continue;
		}
		tap_is_str(u.scheme, c->scheme, "%s: scheme", c->url);
		tap_is_str(u.user, c->user, "%s: user", c->url);
		tap_is_str(u.password, c->password, "%s: password", c->url);
		tap_is_str(u.host, c->host, "%s: host", c->url);
		tap_is_str(u.path, c->path, "%s: path", c->url);
		tap_is_int(u.port, c->port, "%s: port", c->url);
		tap_ok(u.implicit_tls == c->tls, "%s: implicit TLS", c->url);
		conf_url_free(&u);
	}
}

/* The same messages reach the file's diagnostics, with the setting named. */
static void
test_url_diags(void)
{
	ct_expect("URL in a file",
	    "account a {\n"
	    "\tset imap=imaps://h:99999\n"
	    "\tset smtp=http://h\n"
	    "\tset pop3=pop3s://\n"
	    "\tset imap=\"imaps://a:pw@h\"\n"
	    "\tset smtp=\n"
	    "}\n",
	    (const char *const[]){
		"mailrc:2: bad URL for 'imap': port 99999 out of range",
		"mailrc:3: bad URL for 'smtp': unknown scheme 'http' (expected smtp:// "
		"or smtps://)",
		"mailrc:4: bad URL for 'pop3': missing host",
		"mailrc:5: warning: password in clear text in the URL for 'imap' "
		"(prefer password-command)",
		"mailrc:6: bad URL for 'smtp': missing scheme (expected smtp:// or "
		"smtps://, as in smtp://smtp.example.com)",
		NULL });
	ct_expect("long URL is cut in messages",
	    "account a {\n\tset imap=imaps://h:1234567890123456789012345678901234567890"
	    "12345678901234567890123456789012345678901234567890\n}\n",
	    (const char *const[]){
		"mailrc:2: bad URL for 'imap': port 123456789012345678901234567890123456"
		"78901234567890123456789012345678901234567890... out of range",
		NULL });
}

int
main(void)
{
	test_url_cases();
	test_url_diags();
	return tap_done();
}
