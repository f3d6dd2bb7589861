/* The mailrc model: settings by scope, accounts, teams, directive lists,
 * diagnostics, and the cross-checks run once a file is read. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-int.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* The "too many ..." notes sort after everything else of their file. */
#define CONF_SORT_LAST		UINT_MAX
#define CONF_SORT_LAST_WARN	(UINT_MAX - 1)

struct conf *
conf_create(void)
{
	return xcalloc(1, sizeof(struct conf));
}

static void
conf_scope_clear(struct conf_values *scope)
{
	size_t i;

	for (i = 0; i < scope->n; i++)
		free(scope->v[i].value);
	free(scope->v);
	scope->v = NULL;
	scope->n = 0;
}

static void
conf_server_free(struct conf_server_owned **srvp)
{
	struct conf_server_owned *srv = *srvp;

	if (srv == NULL)
		return;
	free(srv->url);
	free(srv->scheme);
	free(srv->user);
	free(srv->host);
	free(srv->password);
	free(srv->path);
	free(srv);
	*srvp = NULL;
}

void
conf_destroy(struct conf **confp)
{
	struct conf *conf = *confp;
	size_t i, j, k;

	if (conf == NULL)
		return;
	conf_scope_clear(&conf->global);
	for (i = 0; i < conf->naccounts; i++)
		conf_account_free(&conf->accounts[i]);
	free(conf->accounts);
	for (i = 0; i < conf->nteams; i++)
		conf_team_free(&conf->teams[i]);
	free(conf->teams);
	for (i = 0; i < CONF_LIST_COUNT; i++) {
		for (j = 0; j < conf->nlists[i]; j++) {
			for (k = 0; k < conf->lists[i][j].argc; k++)
				free(conf->lists[i][j].argv[k]);
			free(conf->lists[i][j].argv);
		}
		free(conf->lists[i]);
	}
	for (i = 0; i < conf->ndiags; i++)
		free(conf->diags[i].text);
	free(conf->diags);
	for (i = 0; i < conf->nfiles; i++)
		free(conf->files[i]);
	free(conf->files);
	free(conf->secrets);
	free(conf);
	*confp = NULL;
}

const char *
conf_intern_file(struct conf *conf, const char *file)
{
	size_t i;

	for (i = 0; i < conf->nfiles; i++)
		if (strcmp(conf->files[i], file) == 0)
			return conf->files[i];
	conf->files = xreallocarray(conf->files, conf->nfiles + 1, sizeof(char *));
	conf->files[conf->nfiles] = xstrdup(file);
	return conf->files[conf->nfiles++];
}

static size_t
conf_file_index(const struct conf *conf, const char *file)
{
	size_t i;

	for (i = 0; i < conf->nfiles; i++)
		if (conf->files[i] == file || strcmp(conf->files[i], file) == 0)
			return i;
	return conf->nfiles;
}

/* ---- Diagnostics ---- */

/* Keeps diagnostics ordered by file, then line, in the order found within
 * a line, so a report reads top to bottom whatever pass found what. */
static void
conf_diag_insert(struct conf *conf, char *text, enum conf_severity sev,
    size_t file_idx, unsigned sort_line)
{
	size_t pos = conf->ndiags;

	while (pos > 0 && (conf->diags[pos - 1].file_idx > file_idx ||
	    (conf->diags[pos - 1].file_idx == file_idx &&
	    conf->diags[pos - 1].sort_line > sort_line)))
		pos--;
	conf->diags = xreallocarray(conf->diags, conf->ndiags + 1, sizeof(struct conf_diag));
	memmove(conf->diags + pos + 1, conf->diags + pos,
	    (conf->ndiags - pos) * sizeof(struct conf_diag));
	conf->diags[pos].text = text;
	conf->diags[pos].sev = sev;
	conf->diags[pos].file_idx = file_idx;
	conf->diags[pos].sort_line = sort_line;
	conf->ndiags++;
}

static char *
conf_diag_format(const char *file, unsigned line, enum conf_severity sev,
    const char *msg)
{
	const char *w = sev == CONF_SEV_WARNING ? "warning: " : "";

	if (line == 0)
		return xasprintf("%s: %s%s", file, w, msg);
	return xasprintf("%s:%u: %s%s", file, line, w, msg);
}

void
conf_diag_add(struct conf *conf, const char *file, unsigned line,
    enum conf_severity sev, const char *fmt, ...)
{
	char msg[CONF_ERR_LEN];
	size_t idx;
	va_list ap;

	if (conf->stopped)
		return;
	idx = conf_file_index(conf, file);
	if (sev == CONF_SEV_WARNING) {
		if (conf->nwarnings > CONF_WARNINGS_MAX)
			return;
		if (conf->nwarnings++ == CONF_WARNINGS_MAX) {
			conf_diag_insert(conf, conf_diag_format(file, line, sev,
			    "too many warnings, not showing the rest"), sev, idx,
			    CONF_SORT_LAST_WARN);
			return;
		}
	} else if (conf->nerrors++ == CONF_ERRORS_MAX) {
		conf_diag_insert(conf, conf_diag_format(file, line, sev,
		    "too many errors, stopping"), sev, idx, CONF_SORT_LAST);
		conf->stopped = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_diag_insert(conf, conf_diag_format(file, line, sev, msg), sev, idx, line);
}

bool
conf_stopped(const struct conf *conf)
{
	return conf->stopped;
}

size_t
conf_diag_count(const struct conf *conf)
{
	return conf->ndiags;
}

enum conf_severity
conf_diag_severity(const struct conf *conf, size_t i)
{
	return conf->diags[i].sev;
}

const char *
conf_diag_text(const struct conf *conf, size_t i)
{
	return conf->diags[i].text;
}

bool
conf_has_errors(const struct conf *conf)
{
	return conf->nerrors > 0;
}

/* ---- Small text helpers ---- */

void
conf_quote(char *dst, size_t dstsize, const char *s, size_t len)
{
	size_t used;

	if (len <= CONF_QUOTE_MAX) {
		str_escape_for_message(dst, dstsize, s, len);
		return;
	}
	/* Cut long text: a message names the thing, it need not repeat it. */
	str_escape_for_message(dst, dstsize, s, CONF_QUOTE_MAX);
	used = strlen(dst);
	if (used + 4 <= dstsize)
		memcpy(dst + used, "...", 4);
}

bool
conf_name_valid(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@+") == len;
}

bool
conf_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = str_utf8_decode(p + i, len - i, &cp);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* ---- Scopes ---- */

static struct conf_value *
conf_scope_find(const struct conf_values *scope, const char *name)
{
	size_t i;

	for (i = 0; i < scope->n; i++)
		if (strcmp(scope->v[i].def->name, name) == 0)
			return &scope->v[i];
	return NULL;
}

/* Stores value (taking it; NULL to unset or after a bad value). */
static void
conf_scope_set(struct conf_values *scope, const struct conf_setting_def *def,
    char *value, const char *file, unsigned line, bool bad)
{
	struct conf_value *v = conf_scope_find(scope, def->name);

	if (v == NULL) {
		scope->v = xreallocarray(scope->v, scope->n + 1, sizeof(struct conf_value));
		v = &scope->v[scope->n++];
		v->def = def;
	} else
		free(v->value);
	v->value = value;
	v->file = file;
	v->line = line;
	v->bad = bad;
}

const struct conf_value *
conf_account_value(const struct conf_account *acct, const char *name)
{
	const struct conf_setting_def *def;
	const struct conf_value *v;

	if ((v = conf_scope_find(&acct->scope, name)) != NULL)
		return v;
	def = conf_settings_find(name);
	if (def == NULL || def->scope != CONF_SCOPE_ACCOUNT || def->type == CONF_T_URL)
		return NULL;
	return conf_scope_find(&acct->conf->global, name);
}

/* ---- Accounts and teams ---- */

struct conf_account *
conf_account_new(struct conf *conf, const char *name, const char *file, unsigned line)
{
	struct conf_account *acct = xcalloc(1, sizeof(*acct));

	acct->conf = conf;
	acct->name = xstrdup(name);
	acct->file = file;
	acct->line = line;
	return acct;
}

void
conf_account_free(struct conf_account **acctp)
{
	struct conf_account *acct = *acctp;
	size_t i;

	if (acct == NULL)
		return;
	for (i = 0; i < 3; i++)
		conf_server_free(&acct->servers[i]);
	conf_scope_clear(&acct->scope);
	free(acct->name);
	free(acct);
	*acctp = NULL;
}

void
conf_account_append(struct conf *conf, struct conf_account *acct)
{
	conf->accounts = xreallocarray(conf->accounts, conf->naccounts + 1,
	    sizeof(struct conf_account *));
	conf->accounts[conf->naccounts++] = acct;
}

struct conf_team *
conf_team_new(const char *name, const char *file, unsigned line)
{
	struct conf_team *team = xcalloc(1, sizeof(*team));

	team->name = xstrdup(name);
	team->file = file;
	team->line = line;
	return team;
}

void
conf_team_free(struct conf_team **teamp)
{
	struct conf_team *team = *teamp;

	if (team == NULL)
		return;
	conf_scope_clear(&team->scope);
	free(team->name);
	free(team);
	*teamp = NULL;
}

void
conf_team_append(struct conf *conf, struct conf_team *team)
{
	conf->teams = xreallocarray(conf->teams, conf->nteams + 1, sizeof(struct conf_team *));
	conf->teams[conf->nteams++] = team;
}

/* Parses an already checked URL into the account's server for proto. */
static void
conf_account_set_server(struct conf_account *acct, const struct conf_setting_def *def,
    const char *url, unsigned line)
{
	struct conf_server_owned *srv;
	struct conf_url u;
	char err[CONF_ERR_LEN];

	conf_server_free(&acct->servers[def->proto]);
	if (url == NULL || conf_url_parse(url, def->proto, &u, err, sizeof(err)) != 0)
		return;
	srv = xcalloc(1, sizeof(*srv));
	srv->url = xstrdup(url);
	srv->scheme = u.scheme;
	srv->user = u.user;
	srv->password = u.password;
	srv->host = u.host;
	srv->path = u.path;
	srv->pub.proto = def->proto;
	srv->pub.url = srv->url;
	srv->pub.scheme = srv->scheme;
	srv->pub.user = srv->user;
	srv->pub.host = srv->host;
	srv->pub.port = u.port;
	srv->pub.implicit_tls = u.implicit_tls;
	srv->pub.line = line;
	srv->pub.password = srv->password;
	srv->pub.path = srv->path;
	acct->servers[def->proto] = srv;
}

static void
conf_note_secret(struct conf *conf, const char *file, unsigned line)
{
	conf->secrets = xreallocarray(conf->secrets, conf->nsecrets + 1,
	    sizeof(struct conf_secret));
	conf->secrets[conf->nsecrets].file = file;
	conf->secrets[conf->nsecrets].line = line;
	conf->nsecrets++;
}

/* Says where a setting of the wrong scope belongs; false when it is in
 * its place. */
static bool
conf_misplaced(struct conf *conf, const struct conf_block *blk,
    const struct conf_setting_def *def, const char *file, unsigned line)
{
	if (def->scope == CONF_SCOPE_GLOBAL && blk->kind != CONF_SCOPE_GLOBAL) {
		conf_diag_add(conf, file, line, CONF_SEV_ERROR, "'%s' is a global "
		    "setting; it belongs at top level, outside any block", def->name);
		return true;
	}
	if (def->scope == CONF_SCOPE_TEAM && blk->kind != CONF_SCOPE_TEAM) {
		conf_diag_add(conf, file, line, CONF_SEV_ERROR, "'%s' is a team "
		    "setting; it belongs inside a team block", def->name);
		return true;
	}
	if (def->scope == CONF_SCOPE_ACCOUNT && blk->kind == CONF_SCOPE_TEAM) {
		conf_diag_add(conf, file, line, CONF_SEV_ERROR, "'%s' is an account "
		    "setting; it belongs inside an account block%s", def->name,
		    def->type == CONF_T_URL ? "" : " (or at top level, for all accounts)");
		return true;
	}
	return false;
}

void
conf_apply(struct conf *conf, const struct conf_block *blk, const char *file,
    unsigned line, const char *name, const char *value, bool unset)
{
	const struct conf_setting_def *def = conf_settings_find(name);
	char shown[CONF_QUOTE_MAX + 8], err[CONF_ERR_LEN];
	const struct conf_value *prev;
	bool negated = false;
	char *stored;

	/* After too many errors nothing more is recorded: skip the work. */
	if (conf->stopped)
		return;
	shown[0] = '\0';
	conf_quote(shown, sizeof(shown), name, strlen(name));
	if (def == NULL && value == NULL && !unset && strncmp(name, "no", 2) == 0 &&
	    (def = conf_settings_find(name + 2)) != NULL)
		negated = true;
	if (def == NULL) {
		const char *hint;

		if (!conf_utf8_valid(name, strlen(name))) {
			conf_diag_add(conf, file, line, CONF_SEV_ERROR, "invalid UTF-8 "
			    "in setting name '%s'", shown);
			return;
		}
		hint = conf_settings_suggest(name);
		if (hint != NULL)
			conf_diag_add(conf, file, line, CONF_SEV_ERROR, "unknown setting "
			    "'%s' (did you mean '%s'?)", shown, hint);
		else
			conf_diag_add(conf, file, line, CONF_SEV_ERROR, "unknown setting "
			    "'%s'", shown);
		return;
	}
	if (conf_misplaced(conf, blk, def, file, line))
		return;
	if (unset) {
		conf_scope_set(blk->scope, def, NULL, file, line, false);
		if (blk->acct != NULL && def->type == CONF_T_URL)
			conf_account_set_server(blk->acct, def, NULL, line);
		return;
	}
	if (value == NULL) {
		if (def->type != CONF_T_BOOL) {
			if (negated)
				conf_diag_add(conf, file, line, CONF_SEV_ERROR, "'%s' is not "
				    "a yes/no setting, so it cannot be negated; use "
				    "unset %s", shown, def->name);
			else
				conf_diag_add(conf, file, line, CONF_SEV_ERROR, "'%s' needs "
				    "a value (set %s=...)", def->name, def->name);
			conf_scope_set(blk->scope, def, NULL, file, line, true);
			return;
		}
		value = negated ? "no" : "yes";
	}
	stored = conf_settings_check(def, value, err, sizeof(err));
	if (stored == NULL) {
		conf_diag_add(conf, file, line, CONF_SEV_ERROR, "%s", err);
		conf_scope_set(blk->scope, def, NULL, file, line, true);
		if (blk->acct != NULL && def->type == CONF_T_URL)
			conf_account_set_server(blk->acct, def, NULL, line);
		return;
	}
	prev = conf_scope_find(blk->scope, def->name);
	if (prev != NULL && prev->value != NULL) {
		if (prev->file == file)
			conf_diag_add(conf, file, line, CONF_SEV_WARNING, "'%s' set again "
			    "(line %u is overridden)", def->name, prev->line);
		else
			conf_diag_add(conf, file, line, CONF_SEV_WARNING, "'%s' set again "
			    "(%s:%u is overridden)", def->name, prev->file, prev->line);
	}
	if (def->secret)
		conf_note_secret(conf, file, line);
	if (def->type == CONF_T_URL) {
		struct conf_url u;

		if (conf_url_parse(stored, def->proto, &u, err, sizeof(err)) == 0) {
			if (u.password != NULL) {
				conf_diag_add(conf, file, line, CONF_SEV_WARNING, "password "
				    "in clear text in the URL for '%s' (prefer "
				    "password-command)", def->name);
				conf_note_secret(conf, file, line);
			}
			conf_url_free(&u);
		}
		if (blk->acct != NULL)
			conf_account_set_server(blk->acct, def, stored, line);
	}
	conf_scope_set(blk->scope, def, stored, file, line, false);
}

/* ---- Directive lists ---- */

void
conf_list_add(struct conf *conf, enum conf_list list, const char *file,
    unsigned line, char **argv, size_t argc)
{
	struct conf_entry *e;

	conf->lists[list] = xreallocarray(conf->lists[list], conf->nlists[list] + 1,
	    sizeof(struct conf_entry));
	e = &conf->lists[list][conf->nlists[list]++];
	e->file = file;
	e->line = line;
	e->argv = argv;
	e->argc = argc;
}

size_t
conf_list_count(const struct conf *conf, enum conf_list list)
{
	return conf->nlists[list];
}

unsigned
conf_list_line(const struct conf *conf, enum conf_list list, size_t i)
{
	return conf->lists[list][i].line;
}

const char *
conf_list_file(const struct conf *conf, enum conf_list list, size_t i)
{
	return conf->lists[list][i].file;
}

size_t
conf_list_argc(const struct conf *conf, enum conf_list list, size_t i)
{
	return conf->lists[list][i].argc;
}

const char *
conf_list_arg(const struct conf *conf, enum conf_list list, size_t i, size_t j)
{
	return conf->lists[list][i].argv[j];
}

/* ---- End of a file ---- */

void
conf_finish_file(struct conf *conf, const char *file)
{
	struct conf_account *acct = NULL;
	size_t i;

	for (i = 0; i < conf->global.n; i++) {
		const struct conf_value *v = &conf->global.v[i];

		if (v->def->type != CONF_T_URL || v->value == NULL || v->file != file)
			continue;
		if (conf->naccounts > 0 && acct == NULL) {
			conf_diag_add(conf, file, v->line, CONF_SEV_ERROR, "'%s' is set "
			    "outside any account, but the file has account blocks: "
			    "move it into one", v->def->name);
			continue;
		}
		/* A file with no account block: its servers make one account. */
		if (acct == NULL) {
			acct = conf_account_new(conf, "default", file, v->line);
			acct->implicit = true;
			conf_account_append(conf, acct);
		}
		if (v->line < acct->line)
			acct->line = v->line;
		conf_scope_set(&acct->scope, v->def, xstrdup(v->value), file, v->line, false);
		conf_account_set_server(acct, v->def, v->value, v->line);
	}
}

/* ---- Cross-checks ---- */

static bool
conf_host_is_loopback(const char *host)
{
	return str_caseeq(host, "localhost") || str_has_suffix(host, ".localhost") ||
	    str_has_prefix(host, "127.") || strcmp(host, "::1") == 0;
}

/* True when the scope has name, set or tried with a bad value: checks
 * that need it then stay quiet rather than repeat the first error. */
static bool
conf_scope_tried(const struct conf_values *scope, const char *name)
{
	const struct conf_value *v = conf_scope_find(scope, name);

	return v != NULL && (v->value != NULL || v->bad);
}

static void
conf_validate_account(struct conf *conf, const struct conf_account *acct)
{
	const struct conf_value *v;
	char name[CONF_QUOTE_MAX + 8];
	size_t p;

	name[0] = '\0';
	conf_quote(name, sizeof(name), acct->name, strlen(acct->name));
	if (acct->servers[CONF_PROTO_IMAP] == NULL && acct->servers[CONF_PROTO_SMTP] == NULL &&
	    acct->servers[CONF_PROTO_POP3] == NULL && !conf_scope_tried(&acct->scope, "imap") &&
	    !conf_scope_tried(&acct->scope, "smtp") && !conf_scope_tried(&acct->scope, "pop3"))
		conf_diag_add(conf, acct->file, acct->line, CONF_SEV_ERROR, "account '%s' "
		    "has no server (set imap=, pop3= or smtp=)", name);

	v = conf_scope_find(&acct->scope, "pop3-delete");
	if (v != NULL && v->value != NULL && acct->servers[CONF_PROTO_POP3] == NULL &&
	    !conf_scope_tried(&acct->scope, "pop3"))
		conf_diag_add(conf, v->file, v->line, CONF_SEV_WARNING, "account '%s' "
		    "sets pop3-delete but has no pop3= server, so it has no effect", name);

	v = conf_account_value(acct, "tls");
	if (v == NULL || v->value == NULL || strcmp(v->value, "no") != 0)
		return;
	for (p = 0; p < 3; p++) {
		const struct conf_server_owned *srv = acct->servers[p];
		char host[CONF_QUOTE_MAX + 8];

		if (srv == NULL)
			continue;
		host[0] = '\0';
		conf_quote(host, sizeof(host), srv->host, strlen(srv->host));
		if (srv->pub.implicit_tls)
			conf_diag_add(conf, v->file, v->line, CONF_SEV_ERROR, "account '%s': "
			    "tls=no contradicts %s=%s://... (line %u), which always uses "
			    "TLS; use %s:// for clear text", name,
			    conf_url_proto_name((enum conf_proto)p), srv->scheme,
			    srv->pub.line, conf_url_proto_name((enum conf_proto)p));
		else if (!conf_host_is_loopback(srv->host))
			conf_diag_add(conf, v->file, v->line, CONF_SEV_WARNING, "account '%s': "
			    "tls=no: the password will travel in clear text to %s "
			    "(%s=, line %u)", name, host,
			    conf_url_proto_name((enum conf_proto)p), srv->pub.line);
	}
}

bool
conf_word_in_list(const char *list, const char *word)
{
	size_t wlen = strlen(word);

	for (;;) {
		size_t len;

		list += strspn(list, " \t,");
		if (*list == '\0')
			return false;
		len = strcspn(list, " \t,");
		if (len == wlen && memcmp(list, word, len) == 0)
			return true;
		list += len;
	}
}

static void
conf_validate_team(struct conf *conf, const struct conf_team *team)
{
	const struct conf_value *v, *members;
	char name[CONF_QUOTE_MAX + 8];

	name[0] = '\0';
	conf_quote(name, sizeof(name), team->name, strlen(team->name));
	v = conf_scope_find(&team->scope, "account");
	if (v == NULL || (v->value == NULL && !v->bad))
		conf_diag_add(conf, team->file, team->line, CONF_SEV_ERROR, "team '%s' "
		    "has no account (set account=NAME)", name);
	else if (v->value != NULL && conf_account_find(conf, v->value) == NULL) {
		size_t i, best = SIZE_MAX, len = strlen(v->value);
		const char *hint = NULL;

		for (i = 0; i < conf->naccounts; i++) {
			size_t d = str_edit_distance(v->value, conf->accounts[i]->name);

			if (d < best) {
				best = d;
				hint = conf->accounts[i]->name;
			}
		}
		if (hint != NULL && best <= (len / 3 > 1 ? len / 3 : 1))
			conf_diag_add(conf, v->file, v->line, CONF_SEV_ERROR, "team '%s': "
			    "no account named '%s' (did you mean '%s'?)", name, v->value,
			    hint);
		else
			conf_diag_add(conf, v->file, v->line, CONF_SEV_ERROR, "team '%s': "
			    "no account named '%s'", name, v->value);
	}

	if (!conf_scope_tried(&team->scope, "folder"))
		conf_diag_add(conf, team->file, team->line, CONF_SEV_ERROR, "team '%s' "
		    "has no folder (set folder=...)", name);

	v = conf_scope_find(&team->scope, "me");
	members = conf_scope_find(&team->scope, "members");
	if (v != NULL && v->value != NULL && members != NULL && members->value != NULL &&
	    !conf_word_in_list(members->value, v->value))
		conf_diag_add(conf, v->file, v->line, CONF_SEV_WARNING, "team '%s': "
		    "me=%s is not one of the members (line %u)", name, v->value,
		    members->line);
}

void
conf_validate(struct conf *conf)
{
	size_t i;

	if (conf->validated)
		return;
	conf->validated = true;
	for (i = 0; i < conf->naccounts; i++)
		conf_validate_account(conf, conf->accounts[i]);
	for (i = 0; i < conf->nteams; i++)
		conf_validate_team(conf, conf->teams[i]);
}

/* ---- Accessors ---- */

const char *
conf_get(const struct conf *conf, const char *name)
{
	const struct conf_value *v = conf_scope_find(&conf->global, name);

	return v != NULL ? v->value : NULL;
}

unsigned
conf_get_line(const struct conf *conf, const char *name)
{
	const struct conf_value *v = conf_scope_find(&conf->global, name);

	return v != NULL && v->value != NULL ? v->line : 0;
}

size_t
conf_account_count(const struct conf *conf)
{
	return conf->naccounts;
}

const struct conf_account *
conf_account_at(const struct conf *conf, size_t i)
{
	return i < conf->naccounts ? conf->accounts[i] : NULL;
}

const struct conf_account *
conf_account_find(const struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->naccounts; i++)
		if (strcmp(conf->accounts[i]->name, name) == 0)
			return conf->accounts[i];
	return NULL;
}

const char *
conf_account_name(const struct conf_account *acct)
{
	return acct->name;
}

unsigned
conf_account_line(const struct conf_account *acct)
{
	return acct->line;
}

const char *
conf_account_file(const struct conf_account *acct)
{
	return acct->file;
}

bool
conf_account_is_implicit(const struct conf_account *acct)
{
	return acct->implicit;
}

const char *
conf_account_get(const struct conf_account *acct, const char *name)
{
	const struct conf_value *v = conf_account_value(acct, name);

	return v != NULL ? v->value : NULL;
}

unsigned
conf_account_setting_line(const struct conf_account *acct, const char *name)
{
	const struct conf_value *v = conf_account_value(acct, name);

	return v != NULL && v->value != NULL ? v->line : 0;
}

const struct conf_server *
conf_account_server(const struct conf_account *acct, enum conf_proto proto)
{
	if ((unsigned)proto > CONF_PROTO_POP3 || acct->servers[proto] == NULL)
		return NULL;
	return &acct->servers[proto]->pub;
}

bool
conf_account_pop3_delete(const struct conf_account *acct)
{
	const char *v;

	if (acct->servers[CONF_PROTO_POP3] == NULL)
		return false;
	v = conf_account_get(acct, "pop3-delete");
	return v != NULL && strcmp(v, "yes") == 0;
}

size_t
conf_team_count(const struct conf *conf)
{
	return conf->nteams;
}

const struct conf_team *
conf_team_at(const struct conf *conf, size_t i)
{
	return i < conf->nteams ? conf->teams[i] : NULL;
}

const struct conf_team *
conf_team_find(const struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->nteams; i++)
		if (strcmp(conf->teams[i]->name, name) == 0)
			return conf->teams[i];
	return NULL;
}

const char *
conf_team_name(const struct conf_team *team)
{
	return team->name;
}

unsigned
conf_team_line(const struct conf_team *team)
{
	return team->line;
}

const char *
conf_team_file(const struct conf_team *team)
{
	return team->file;
}

const char *
conf_team_get(const struct conf_team *team, const char *name)
{
	const struct conf_value *v = conf_scope_find(&team->scope, name);

	return v != NULL ? v->value : NULL;
}

unsigned
conf_team_setting_line(const struct conf_team *team, const char *name)
{
	const struct conf_value *v = conf_scope_find(&team->scope, name);

	return v != NULL && v->value != NULL ? v->line : 0;
}
