/* The table of every mailrc setting: scope, type, default and a line of
 * documentation; and the checks for each type of value. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-int.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

static const char *const conf_sort_choices[] = {
	"date", "thread", "from", "subject", "size", NULL
};

#define G CONF_SCOPE_GLOBAL
#define A CONF_SCOPE_ACCOUNT
#define T CONF_SCOPE_TEAM
#define S(name, scope, type, def, doc) \
	{ name, scope, type, NULL, CONF_PROTO_IMAP, 0, 0, def, false, doc }
#define URL(name, proto, doc) \
	{ name, A, CONF_T_URL, NULL, proto, 0, 0, NULL, false, doc }

/*
 * Keep mailrc.sample in step: it documents every entry, and a test checks
 * that each name appears there.
 */
static const struct conf_setting_def conf_settings[] = {
	/* general */
	S("editor", G, CONF_T_STRING, NULL,
	    "command to edit messages (default: $VISUAL, then $EDITOR, then vi)"),
	S("pager", G, CONF_T_STRING, NULL,
	    "external command to show messages instead of the built-in pager"),
	{ "sort", G, CONF_T_ENUM, conf_sort_choices, CONF_PROTO_IMAP, 0, 0, "date",
	    false, "order of the index: date, thread, from, subject or size" },
	S("reverse", G, CONF_T_BOOL, "no", "reverse the sort order (newest first)"),
	S("sidebar", G, CONF_T_BOOL, "no", "show the folder sidebar"),
	{ "sidebar-width", G, CONF_T_INT, NULL, CONF_PROTO_IMAP, 10, 200, "24",
	    false, "width of the sidebar in columns" },
	{ "wrap", G, CONF_T_INT, NULL, CONF_PROTO_IMAP, 0, 1000, "0", false,
	    "wrap message text at this column in the pager (0: terminal width)" },
	S("date-format", G, CONF_T_STRING, "%Y-%m-%d %H:%M",
	    "strftime(3) format of dates in the index"),
	S("charset-fallback", G, CONF_T_CHARSET, "windows-1252",
	    "character set assumed for 8-bit text that declares none"),
	S("mailcap", G, CONF_T_PATH, NULL,
	    "mailcap file naming viewers for attachments (default: ~/.mailcap)"),
	S("query-command", G, CONF_T_STRING, NULL,
	    "address-book command, run with the search text as its argument"),
	S("new-mail-command", G, CONF_T_STRING, NULL,
	    "command run when new mail arrives (for notifications)"),
	S("confirm-purge", G, CONF_T_BOOL, "yes",
	    "ask before purging the Trash folder (the only way tern expunges)"),
	/* cache and network */
	S("cache-dir", G, CONF_T_PATH, NULL,
	    "where headers and bodies are cached (default: $XDG_CACHE_HOME/tern)"),
	S("body-cache-size", G, CONF_T_SIZE, "100M",
	    "most space message bodies may take in the cache (e.g. 500M, 2G)"),
	S("timeout", G, CONF_T_DURATION, "30s",
	    "give up on a server that does not answer for this long"),
	S("password-timeout", G, CONF_T_DURATION, "60s",
	    "how long password-command may run before tern gives up on it"),
	/* accounts */
	URL("imap", CONF_PROTO_IMAP,
	    "IMAP server: imap://[USER@]HOST[:PORT][/FOLDER] (STARTTLS) or imaps://"),
	URL("smtp", CONF_PROTO_SMTP,
	    "SMTP server for sending: smtp://[USER@]HOST[:PORT] (STARTTLS) or smtps://"),
	URL("pop3", CONF_PROTO_POP3,
	    "POP3 server: pop3://[USER@]HOST[:PORT] (STARTTLS) or pop3s://"),
	S("from", A, CONF_T_ADDRESS, NULL,
	    "your address on outgoing mail: \"Name <addr@example.com>\""),
	S("reply-to", A, CONF_T_ADDRESS, NULL,
	    "Reply-To address added to outgoing mail"),
	S("alternates", A, CONF_T_ADDRLIST, NULL,
	    "your other addresses, left out of reply-to-all"),
	S("signature", A, CONF_T_PATH, NULL,
	    "file appended to new messages and replies"),
	S("user", A, CONF_T_STRING, NULL,
	    "login name, when it is not the user part of the server URLs"),
	{ "password", A, CONF_T_STRING, NULL, CONF_PROTO_IMAP, 0, 0, NULL, true,
	    "password in clear text (prefer password-command; chmod 600 the file)" },
	S("password-command", A, CONF_T_STRING, NULL,
	    "command printing the password on its first line of output"),
	S("oauth2-token-command", A, CONF_T_STRING, NULL,
	    "command printing an OAuth2 access token (XOAUTH2/OAUTHBEARER login)"),
	S("check-interval", A, CONF_T_DURATION, "5m",
	    "how often to look for new mail where IDLE is not available"),
	/* servers and TLS */
	S("tls", A, CONF_T_BOOL, "yes",
	    "require TLS; tls=no allows clear text (tests, loopback servers)"),
	S("tls-ca", A, CONF_T_PATH, NULL,
	    "file of CA certificates to trust for this account's servers"),
	S("tls-fingerprint", A, CONF_T_FINGERPRINT, NULL,
	    "trust exactly the certificate with this sha256: fingerprint"),
	/* special folders */
	S("trash", A, CONF_T_FOLDER, NULL,
	    "folder deleted mail moves to (default: SPECIAL-USE \\Trash, else Trash)"),
	S("sent", A, CONF_T_FOLDER, NULL,
	    "folder where sent mail is saved (default: SPECIAL-USE \\Sent)"),
	S("drafts", A, CONF_T_FOLDER, NULL,
	    "folder where drafts are saved (default: SPECIAL-USE \\Drafts)"),
	S("junk", A, CONF_T_FOLDER, NULL,
	    "folder for spam (default: SPECIAL-USE \\Junk)"),
	S("archive", A, CONF_T_FOLDER, NULL,
	    "folder archived mail moves to (default: SPECIAL-USE \\Archive)"),
	/* POP3 */
	S("pop3-delete", A, CONF_T_BOOL, "no",
	    "delete mail from the POP3 server after download (mail then vanishes "
	    "from every other device)"),
	/* team */
	S("account", T, CONF_T_NAME, NULL, "the account holding the team's folder"),
	S("folder", T, CONF_T_FOLDER, NULL, "the shared folder the team works from"),
	S("members", T, CONF_T_NAMELIST, NULL,
	    "the teammates' names, as used in assign/NAME keywords"),
	S("me", T, CONF_T_NAME, NULL, "which of the members you are"),
	S("reply-deadline", T, CONF_T_DURATION, NULL,
	    "conversations waiting on the team longer than this stand out"),
	S("templates", T, CONF_T_TEMPLATES, NULL,
	    "canned responses: a directory, or imap:FOLDER on the team's account"),
	S("acknowledge", T, CONF_T_BOOL, "no",
	    "send an acknowledgement to the first message of a new conversation"),
	S("acknowledge-template", T, CONF_T_STRING, NULL,
	    "the template (a name within templates) sent as the acknowledgement"),
};

#undef G
#undef A
#undef T
#undef S
#undef URL

#define CONF_NSETTINGS (sizeof(conf_settings) / sizeof(conf_settings[0]))

size_t
conf_setting_count(void)
{
	return CONF_NSETTINGS;
}

const char *
conf_setting_name(size_t i)
{
	return i < CONF_NSETTINGS ? conf_settings[i].name : NULL;
}

const char *
conf_setting_scope(size_t i)
{
	if (i >= CONF_NSETTINGS)
		return NULL;
	switch (conf_settings[i].scope) {
	case CONF_SCOPE_GLOBAL:
		return "global";
	case CONF_SCOPE_ACCOUNT:
		return "account";
	case CONF_SCOPE_TEAM:
		return "team";
	}
	return NULL;
}

const char *
conf_setting_doc(size_t i)
{
	return i < CONF_NSETTINGS ? conf_settings[i].doc : NULL;
}

const char *
conf_setting_default(const char *name)
{
	const struct conf_setting_def *def = conf_settings_find(name);

	return def != NULL ? def->def : NULL;
}

const struct conf_setting_def *
conf_settings_find(const char *name)
{
	size_t i;

	for (i = 0; i < CONF_NSETTINGS; i++)
		if (strcmp(conf_settings[i].name, name) == 0)
			return &conf_settings[i];
	return NULL;
}

/* Names from mutt, NeoMutt and s-nail that people bring with them. */
static const struct {
	const char *from, *to;
} conf_settings_aliases[] = {
	{ "imap_user", "user" },
	{ "imap_pass", "password" },
	{ "smtp_pass", "password" },
	{ "smtp_url", "smtp" },
	{ "smtp-auth-user", "user" },
	{ "smtp-auth-password", "password" },
	{ "realname", "from" },
	{ "record", "sent" },
	{ "postponed", "drafts" },
	{ "spoolfile", "imap" },
	{ "visual", "editor" },
	{ "sort_aux", "sort" },
	{ "header_cache", "cache-dir" },
	{ "message_cachedir", "cache-dir" },
	{ "mail_check", "check-interval" },
	{ "sidebar_visible", "sidebar" },
	{ "ssl_force_tls", "tls" },
	{ "ssl_starttls", "tls" },
	{ "certificate_file", "tls-ca" },
	{ "ssl_ca_certificates_file", "tls-ca" },
	{ "mailcap_path", "mailcap" },
	{ "reply_to", "reply-to" },
	{ "sendmail", "smtp" },
};

/* Scores name against every setting; returns the best within reach. */
static const char *
conf_settings_closest(const char *name)
{
	size_t len = strlen(name), best = SIZE_MAX, limit, i;
	const char *found = NULL;

	limit = len / 3 > 1 ? len / 3 : 1;
	for (i = 0; i < CONF_NSETTINGS; i++) {
		size_t d = str_edit_distance(name, conf_settings[i].name);

		if (d < best) {
			best = d;
			found = conf_settings[i].name;
		}
	}
	return best <= limit ? found : NULL;
}

const char *
conf_settings_suggest(const char *name)
{
	static const char *const prefixes[] = {
		"imap-", "smtp-", "pop3-", "pop-", "ssl-", "tls-", "mail-", NULL
	};
	char norm[72];
	const char *s;
	size_t i, len = strlen(name);

	for (i = 0; i < sizeof(conf_settings_aliases) / sizeof(conf_settings_aliases[0]); i++)
		if (str_caseeq(name, conf_settings_aliases[i].from))
			return conf_settings_aliases[i].to;
	if ((s = conf_settings_closest(name)) != NULL)
		return s;
	if (len >= sizeof(norm))
		return NULL;
	/* mutt spells names with '_'; ours use '-'. */
	for (i = 0; i <= len; i++)
		norm[i] = name[i] == '_' ? '-' : name[i];
	if (strchr(name, '_') != NULL && (s = conf_settings_closest(norm)) != NULL)
		return s;
	/* "imap_pasword": the protocol prefix is implied by the block. */
	for (i = 0; prefixes[i] != NULL; i++) {
		if (str_has_prefix(norm, prefixes[i]) && norm[strlen(prefixes[i])] != '\0') {
			if ((s = conf_settings_closest(norm + strlen(prefixes[i]))) != NULL)
				return s;
		}
	}
	return NULL;
}

/* ---- Value parsers (also public, for the layers reading the values) ---- */

int
conf_parse_bool(const char *s, bool *value_r)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++) {
		if (str_caseeq(s, yes[i])) {
			*value_r = true;
			return 0;
		}
		if (str_caseeq(s, no[i])) {
			*value_r = false;
			return 0;
		}
	}
	return -1;
}

/* Splits "123x" into 123 and the one-letter suffix x ('\0' when none). */
static int
conf_parse_number_unit(const char *s, uint64_t max, uint64_t *n_r, char *unit_r)
{
	char digits[24];
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || n >= sizeof(digits))
		return -1;
	if (s[n] != '\0' && s[n + 1] != '\0')
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (str_to_u64(digits, max, n_r) != 0)
		return -1;
	*unit_r = s[n];
	return 0;
}

/* Ten years: longer durations are surely mistakes, and the limit keeps
 * every product within 64 bits. */
#define CONF_DURATION_MAX ((uint64_t)10 * 366 * 86400)

int
conf_parse_duration(const char *s, uint64_t *seconds_r)
{
	uint64_t n, mult;
	char unit;

	if (conf_parse_number_unit(s, CONF_DURATION_MAX, &n, &unit) != 0)
		return -1;
	switch (unit) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (n * mult > CONF_DURATION_MAX)
		return -1;
	*seconds_r = n * mult;
	return 0;
}

/* 1 TiB: a cache limit beyond that is a typo. */
#define CONF_SIZE_MAX ((uint64_t)1 << 40)

int
conf_parse_size(const char *s, uint64_t *bytes_r)
{
	uint64_t n, mult;
	char unit;

	if (conf_parse_number_unit(s, CONF_SIZE_MAX, &n, &unit) != 0)
		return -1;
	switch (unit) {
	case '\0':
		mult = 1;
		break;
	case 'k':
	case 'K':
		mult = 1024;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		break;
	case 'g':
	case 'G':
		mult = 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (n > CONF_SIZE_MAX / mult)
		return -1;
	*bytes_r = n * mult;
	return 0;
}

/* ---- Checks by type ---- */

/* local@domain with text on both sides of exactly one '@', and nothing
 * that would split it into several addresses. Deliberately simpler than
 * RFC 5322: the value is ours to send, not mail to parse. */
static bool
conf_addr_spec_valid(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	size_t i;

	if (at == NULL || at == s || at == s + len - 1)
		return false;
	if (memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == '"' ||
		    c == '(' || c == ')' || c == ';' || c == 0x7f)
			return false;
	}
	return true;
}

static bool
conf_address_valid(const char *v)
{
	size_t len = strlen(v);
	const char *lt = NULL;
	size_t i;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len == 0)
		return false;
	if (v[len - 1] != '>')
		return memchr(v, '<', len) == NULL && conf_addr_spec_valid(v, len);
	for (i = 0; i < len; i++)
		if (v[i] == '<')
			lt = v + i;
	if (lt == NULL)
		return false;
	return conf_addr_spec_valid(lt + 1, (size_t)(v + len - 1 - lt - 1));
}

/* Calls check on each word of v separated by spaces, tabs or commas;
 * false when there is none or one fails. */
static bool
conf_list_valid(const char *v, bool (*check)(const char *, size_t))
{
	size_t n = 0;

	for (;;) {
		size_t len;

		v += strspn(v, " \t,");
		if (*v == '\0')
			break;
		len = strcspn(v, " \t,");
		if (!check(v, len))
			return false;
		v += len;
		n++;
	}
	return n > 0;
}

static bool
conf_name_valid_len(const char *s, size_t len)
{
	char tmp[128];

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return conf_name_valid(tmp);
}

static bool
conf_fingerprint_valid(const char *v)
{
	size_t hex = 0;
	bool prev_colon = true;

	if (strncmp(v, "sha256:", 7) != 0 && strncmp(v, "SHA256:", 7) != 0)
		return false;
	for (v += 7; *v != '\0'; v++) {
		bool is_hex = (*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'f') ||
		    (*v >= 'A' && *v <= 'F');

		if (*v == ':') {
			/* Colons only between pairs of digits. */
			if (prev_colon || hex % 2 != 0)
				return false;
			prev_colon = true;
			continue;
		}
		if (!is_hex)
			return false;
		hex++;
		prev_colon = false;
	}
	return hex == 64 && !prev_colon;
}

static bool
conf_charset_valid(const char *v)
{
	size_t len = strlen(v);

	return len > 0 && len < 64 && strspn(v,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == len;
}

/* "~" and "~/..." name the home directory, as in every shell and mail
 * client: a file name written that way must not become a directory
 * called "~" below wherever cron started tern. */
static char *
conf_expand_home(const char *v)
{
	const char *home;

	if (v[0] != '~' || (v[1] != '\0' && v[1] != '/'))
		return xstrdup(v);
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		return xstrdup(v);
	return xasprintf("%s%s", home, v + 1);
}

static bool
conf_only_space(const char *v)
{
	return v[strspn(v, " \t")] == '\0';
}

char *
conf_settings_check(const struct conf_setting_def *def, const char *value,
    char *err, size_t errlen)
{
	char shown[CONF_QUOTE_MAX + 8];
	const char *expected = NULL;
	uint64_t n;
	bool b;

	shown[0] = '\0';
	conf_quote(shown, sizeof(shown), value, strlen(value));
	if (value[0] == '\0' && def->type != CONF_T_URL) {
		snprintf(err, errlen, "empty value for '%s' (to clear it, use "
		    "unset %s)", def->name, def->name);
		return NULL;
	}
	switch (def->type) {
	case CONF_T_BOOL:
		if (conf_parse_bool(value, &b) == 0)
			return xstrdup(b ? "yes" : "no");
		expected = "yes or no";
		break;
	case CONF_T_STRING:
	case CONF_T_PATH:
	case CONF_T_FOLDER:
		if (!conf_only_space(value))
			return def->type == CONF_T_PATH ? conf_expand_home(value) : xstrdup(value);
		expected = def->type == CONF_T_PATH ? "a file name" :
		    def->type == CONF_T_FOLDER ? "a folder name" : "some text";
		break;
	case CONF_T_DURATION:
		if (conf_parse_duration(value, &n) == 0)
			return xstrdup(value);
		expected = "a duration like 30s, 10m, 4h or 2d";
		break;
	case CONF_T_SIZE:
		if (conf_parse_size(value, &n) == 0)
			return xstrdup(value);
		expected = "a size like 512k, 100M or 2G";
		break;
	case CONF_T_INT:
		if (str_to_u64(value, def->max, &n) == 0 && n >= def->min)
			return xstrdup(value);
		snprintf(err, errlen, "bad value for '%s': '%s' (expected a number "
		    "from %lu to %lu)", def->name, shown, def->min, def->max);
		return NULL;
	case CONF_T_ENUM: {
		char list[256];
		size_t i, used = 0;

		for (i = 0; def->choices[i] != NULL; i++)
			if (strcmp(value, def->choices[i]) == 0)
				return xstrdup(value);
		list[0] = '\0';
		for (i = 0; def->choices[i] != NULL; i++) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
			    i == 0 ? "" : ", ", def->choices[i]);

			if (w < 0 || (size_t)w >= sizeof(list) - used)
				break;
			used += (size_t)w;
		}
		snprintf(err, errlen, "bad value for '%s': '%s' (expected one of %s)",
		    def->name, shown, list);
		return NULL;
	}
	case CONF_T_ADDRESS:
		if (conf_address_valid(value))
			return xstrdup(value);
		expected = "one address like alice@example.com or "
		    "\"Alice <alice@example.com>\"";
		break;
	case CONF_T_ADDRLIST:
		if (conf_list_valid(value, conf_addr_spec_valid))
			return xstrdup(value);
		expected = "addresses like alice@example.com, separated by spaces";
		break;
	case CONF_T_FINGERPRINT:
		if (conf_fingerprint_valid(value))
			return xstrdup(value);
		expected = "sha256: and 64 hex digits, colons between pairs optional";
		break;
	case CONF_T_URL: {
		struct conf_url u;
		char why[CONF_ERR_LEN];

		if (conf_url_parse(value, def->proto, &u, why, sizeof(why)) == 0) {
			conf_url_free(&u);
			return xstrdup(value);
		}
		snprintf(err, errlen, "bad URL for '%s': %s", def->name, why);
		return NULL;
	}
	case CONF_T_NAME:
		if (conf_name_valid(value))
			return xstrdup(value);
		expected = "a name of letters, digits, '.', '_', '-', '@' or '+'";
		break;
	case CONF_T_NAMELIST:
		if (conf_list_valid(value, conf_name_valid_len))
			return xstrdup(value);
		expected = "names of letters, digits, '.', '_', '-', '@' or '+', "
		    "separated by spaces";
		break;
	case CONF_T_CHARSET:
		if (conf_charset_valid(value))
			return xstrdup(value);
		expected = "a character set name like windows-1252";
		break;
	case CONF_T_TEMPLATES:
		if (str_has_prefix(value, "imap:") ? !conf_only_space(value + 5) :
		    !conf_only_space(value))
			return xstrdup(value);
		expected = "a directory, or imap:FOLDER";
		break;
	}
	snprintf(err, errlen, "bad value for '%s': '%s' (expected %s)", def->name,
	    shown, expected);
	return NULL;
}

char *
conf_team_value(const char *name, const char *value, char **error_r)
{
	const struct conf_setting_def *def = conf_settings_find(name);
	char err[512], *v;

	if (def == NULL || def->scope != CONF_SCOPE_TEAM) {
		*error_r = xasprintf("'%s' is not a team setting", name);
		return NULL;
	}
	if ((v = conf_settings_check(def, value, err, sizeof(err))) == NULL)
		*error_r = xstrdup(err);
	return v;
}
