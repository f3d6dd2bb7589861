/* Drafts: composing, the editor text, and the message they become. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd-compose.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/charset.h"
#include "mime/cte.h"
#include "mime/date.h"
#include "mime/message.h"
#include "mime/rfc2047.h"
#include "mime/rfc5322.h"

/* Output lines of generated headers keep to this (RFC 5322 §2.1.1). */
#define COMPOSE_LINE 78
/* Lines of a 7bit body may be this long (RFC 5322 §2.1.1). */
#define COMPOSE_LINE_MAX 998

/* ---- small helpers ---- */

static void
compose_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value != NULL ? value : "");
}

static void
compose_random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];
	size_t i;

	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
		/* No entropy: time and address still make a clash unlikely. */
		unsigned long long t = (unsigned long long)time(NULL) ^ (uintptr_t)out;

		for (i = 0; i < nbytes; i++)
			r[i] = (unsigned char)(t >> (i % 8 * 8)) ^ (unsigned char)(i * 37);
	}
	for (i = 0; i < nbytes; i++) {
		out[i * 2] = hex[r[i] >> 4];
		out[i * 2 + 1] = hex[r[i] & 15];
	}
	out[nbytes * 2] = '\0';
}

/* The first address of an address-list text, or NULL. */
static char *
compose_first_addr(const char *text)
{
	struct rfc5322_addr_list *l;
	char *addr = NULL;

	if (text == NULL || *text == '\0')
		return NULL;
	l = rfc5322_addr_parse(text, strlen(text), NULL);
	if (l->count > 0 && l->addrs[0].addr[0] != '\0')
		addr = xstrdup(l->addrs[0].addr);
	rfc5322_addr_list_destroy(&l);
	return addr;
}

/* "<hex@domain>": the domain of from when it looks like one. */
static char *
compose_message_id(const char *from)
{
	char *addr = compose_first_addr(from), hex[33];
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL, *p;
	const char *domain = "tern.invalid";
	char *id;

	if (at != NULL && at[1] != '\0') {
		domain = at + 1;
		for (p = domain; *p != '\0'; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
				domain = "tern.invalid";
	}
	compose_random_hex(hex, 16);
	id = xasprintf("<%s@%s>", hex, domain);
	free(addr);
	return id;
}

static bool
compose_is_special(char c)
{
	return strchr("()<>[]:;@\\,.\"", c) != NULL;
}

/* One address as a person writes it: "Name <addr>", the name quoted when
 * it needs to be. */
static void
compose_addr_text(const struct rfc5322_addr *a, struct buf *out)
{
	const char *p;
	bool quote = false;

	if (a->name == NULL || a->name[0] == '\0') {
		(void)buf_addstr(out, a->addr);
		return;
	}
	for (p = a->name; *p != '\0'; p++)
		quote = quote || compose_is_special(*p);
	if (quote) {
		(void)buf_addc(out, '"');
		for (p = a->name; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				(void)buf_addc(out, '\\');
			(void)buf_addc(out, *p);
		}
		(void)buf_addc(out, '"');
	} else {
		(void)buf_addstr(out, a->name);
	}
	(void)buf_printf(out, " <%s>", a->addr);
}

static char *
compose_list_text(const struct rfc5322_addr_list *l)
{
	struct buf b;
	size_t i;

	buf_init(&b, CMD_DRAFT_TEXT_MAX);
	for (i = 0; i < l->count; i++) {
		if (i > 0)
			(void)buf_addstr(&b, ", ");
		compose_addr_text(&l->addrs[i], &b);
	}
	return buf_detach(&b);
}

/* An address field as "Name <addr>, ..." text; "" when absent. */
static char *
compose_field_addrs(const struct rfc5322_header *hdr, const char *name)
{
	const struct rfc5322_field *f = rfc5322_header_find(hdr, name);
	struct rfc5322_addr_list *l;
	char *s;

	if (f == NULL)
		return xstrdup("");
	l = rfc5322_addr_parse(f->value, f->value_len, NULL);
	s = compose_list_text(l);
	rfc5322_addr_list_destroy(&l);
	return s;
}

/* Reads a whole file of at most max bytes. */
static int
compose_read_file(const char *path, size_t max, struct buf *out, char **error_r)
{
	char chunk[65536], eb[128];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;

	if (fd < 0) {
		*error_r = xasprintf("cannot read '%s': %s", path, strerror_r(errno, eb, sizeof(eb)));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*error_r = xasprintf("cannot read '%s': not a regular file", path);
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		*error_r = xasprintf("'%s' is larger than %zu MB", path, max / (1024 * 1024));
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error_r = xasprintf("cannot read '%s': %s", path,
			    strerror_r(errno, eb, sizeof(eb)));
			goto out;
		}
		if (buf_len(out) + (size_t)n > max || buf_add(out, chunk, (size_t)n) != 0) {
			*error_r = xasprintf("'%s' is larger than %zu MB", path,
			    max / (1024 * 1024));
			goto out;
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Appends the signature= file ("-- " line first) to body. */
static void
compose_signature(const struct conf_account *acct, struct buf *body, char **warning_r)
{
	const char *path = acct != NULL ? conf_account_get(acct, "signature") : NULL;
	struct buf sig;
	char *error = NULL;

	if (path == NULL)
		return;
	buf_init(&sig, 64 * 1024);
	if (compose_read_file(path, 64 * 1024, &sig, &error) != 0) {
		*warning_r = xasprintf("signature not added: %s", error);
		free(error);
	} else {
		if (buf_len(body) > 0 && buf_ptr(body)[buf_len(body) - 1] != '\n')
			(void)buf_addc(body, '\n');
		(void)buf_addstr(body, "\n-- \n");
		(void)buf_add(body, buf_ptr(&sig), buf_len(&sig));
		if (buf_len(&sig) > 0 && buf_ptr(&sig)[buf_len(&sig) - 1] != '\n')
			(void)buf_addc(body, '\n');
	}
	buf_free(&sig);
}

/* Text with LF line ends: every CR before a line end goes ("\r\r\n"
 * too, so that the editor text reads the same twice). */
static char *
compose_lf(const char *p, size_t len)
{
	struct buf b;
	size_t i, j;

	buf_init(&b, CMD_DRAFT_TEXT_MAX);
	for (i = 0; i < len; i++) {
		if (p[i] == '\r') {
			for (j = i; j < len && p[j] == '\r'; j++)
				;
			if (j < len && p[j] == '\n') {
				i = j - 1;
				continue;
			}
		}
		(void)buf_addc(&b, p[i]);
	}
	return buf_detach(&b);
}

/* A draft from the account, all fields empty; body given. */
static struct cmd_draft *
compose_create(const struct conf_account *acct, struct buf *body)
{
	struct cmd_draft *d = xcalloc(1, sizeof(*d));

	compose_set(&d->from, acct != NULL ? conf_account_get(acct, "from") : NULL);
	compose_set(&d->to, NULL);
	compose_set(&d->cc, NULL);
	compose_set(&d->bcc, NULL);
	compose_set(&d->subject, NULL);
	compose_set(&d->reply_to, acct != NULL ? conf_account_get(acct, "reply-to") : NULL);
	d->body = buf_detach(body);
	d->message_id = compose_message_id(d->from);
	return d;
}

struct cmd_draft *
cmd_draft_new(const struct conf_account *acct, char **warning_r)
{
	struct buf body;

	*warning_r = NULL;
	buf_init(&body, CMD_DRAFT_TEXT_MAX);
	compose_signature(acct, &body, warning_r);
	return compose_create(acct, &body);
}

void
cmd_draft_destroy(struct cmd_draft **dp)
{
	struct cmd_draft *d = *dp;
	size_t i;

	if (d == NULL)
		return;
	free(d->from);
	free(d->to);
	free(d->cc);
	free(d->bcc);
	free(d->subject);
	free(d->reply_to);
	free(d->in_reply_to);
	free(d->references);
	free(d->body);
	for (i = 0; i < d->nattachments; i++)
		free(d->attachments[i]);
	free(d->attachments);
	free(d->reply_folder);
	free(d->old_draft);
	free(d->message_id);
	free(d);
	*dp = NULL;
}

int
cmd_draft_attach(struct cmd_draft *d, const char *path, char **error_r)
{
	if (d->nattachments >= CMD_DRAFT_ATTACHMENTS_MAX) {
		*error_r = xasprintf("more than %d attachments", CMD_DRAFT_ATTACHMENTS_MAX);
		return -1;
	}
	if (*path == '\0') {
		*error_r = xstrdup("an attachment needs a file name");
		return -1;
	}
	d->attachments = xreallocarray(d->attachments, d->nattachments + 1, sizeof(char *));
	d->attachments[d->nattachments++] = xstrdup(path);
	return 0;
}

/* ---- replies and forwards ---- */

/* Whether subject already says it is a reply: "Re:", "RE:", "Re[2]:",
 * "Re(2):", and the German, Scandinavian and Dutch "AW:", "SV:", "VS:",
 * "Antw:". */
static bool
compose_is_reply(const char *s)
{
	static const char *const words[] = { "re", "aw", "sv", "vs", "antw", NULL };
	size_t i, n;

	while (*s == ' ' || *s == '\t')
		s++;
	for (i = 0; words[i] != NULL; i++) {
		const char *p;

		n = strlen(words[i]);
		if (!str_ncaseeq(s, words[i], n))
			continue;
		p = s + n;
		if (*p == '[' || *p == '(') {
			char close = *p == '[' ? ']' : ')';

			p++;
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p != close)
				continue;
			p++;
		}
		if (*p == ':')
			return true;
	}
	return false;
}

static bool
compose_is_forward(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return str_ncaseeq(s, "fwd:", 4) || str_ncaseeq(s, "fw:", 3);
}

/* The account's own addresses: from= and alternates=. */
static bool
compose_is_own(const struct conf_account *acct, const char *addr)
{
	static const char *const settings[] = { "from", "alternates", NULL };
	size_t i, j;
	bool own = false;

	for (i = 0; settings[i] != NULL && !own; i++) {
		const char *v = acct != NULL ? conf_account_get(acct, settings[i]) : NULL;
		struct rfc5322_addr_list *l;

		if (v == NULL)
			continue;
		l = rfc5322_addr_parse(v, strlen(v), NULL);
		for (j = 0; j < l->count && !own; j++)
			own = str_caseeq(l->addrs[j].addr, addr);
		rfc5322_addr_list_destroy(&l);
	}
	return own;
}

/* Adds the addresses of src to dst (a growing list text), skipping empty
 * ones, those in seen (case ignored) and, with acct, our own. */
static void
compose_add_addrs(struct buf *dst, const struct rfc5322_addr_list *src,
    const struct conf_account *acct, struct rfc5322_addr_list *seen)
{
	size_t i, j;

	for (i = 0; i < src->count; i++) {
		const struct rfc5322_addr *a = &src->addrs[i];
		bool dup = a->addr[0] == '\0' || (acct != NULL && compose_is_own(acct, a->addr));

		for (j = 0; j < seen->count && !dup; j++)
			dup = str_caseeq(seen->addrs[j].addr, a->addr);
		if (dup)
			continue;
		seen->addrs = xreallocarray(seen->addrs, seen->count + 1, sizeof(*seen->addrs));
		seen->addrs[seen->count].name = NULL;
		seen->addrs[seen->count++].addr = xstrdup(a->addr);
		if (buf_len(dst) > 0)
			(void)buf_addstr(dst, ", ");
		compose_addr_text(a, dst);
	}
}

/* "Name" of the first From, else its address, else "someone". */
static const char *
compose_sender_name(const struct message *m)
{
	if (m->from->count == 0)
		return "someone";
	if (m->from->addrs[0].name != NULL && m->from->addrs[0].name[0] != '\0')
		return m->from->addrs[0].name;
	return m->from->addrs[0].addr;
}

/* The original's text, each line after prefix (the line ends LF). */
static void
compose_quote(const struct message *m, const char *prefix, struct buf *body)
{
	const char *p = m->text != NULL ? m->text : "", *end = p + (m->text != NULL ? m->text_len : 0);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		/* Quoted quotes nest without a space: ">> ". */
		(void)buf_addstr(body, *prefix == '>' && n > 0 && *p == '>' ? ">" : prefix);
		(void)buf_add(body, p, n);
		(void)buf_addc(body, '\n');
		p = nl != NULL ? nl + 1 : end;
	}
}

/* References for a reply: orig's, then its Message-ID; at most
 * CMD_DRAFT_REFERENCES_MAX, keeping the first (the thread's root, which
 * tickets are made from) and the most recent. */
static char *
compose_references(const struct message *m)
{
	const struct rfc5322_msgid_list *r = m->references;
	size_t n = r->count + (m->message_id != NULL ? 1 : 0), i, skip_to;
	struct buf b;

	if (n == 0)
		return NULL;
	buf_init(&b, CMD_DRAFT_TEXT_MAX);
	skip_to = n > CMD_DRAFT_REFERENCES_MAX ? n - CMD_DRAFT_REFERENCES_MAX + 1 : 1;
	for (i = 0; i < r->count; i++) {
		if (i > 0 && i < skip_to)
			continue;
		(void)buf_printf(&b, "%s%s", buf_len(&b) > 0 ? " " : "", r->ids[i]);
	}
	if (m->message_id != NULL)
		(void)buf_printf(&b, "%s%s", buf_len(&b) > 0 ? " " : "", m->message_id);
	return buf_detach(&b);
}

static void
compose_date_text(const struct message *m, char date[DATE_RFC5322_SIZE])
{
	if (!m->has_date || date_format_rfc5322(m->date, date) != 0)
		snprintf(date, DATE_RFC5322_SIZE, "an unknown date");
}

struct cmd_draft *
cmd_draft_reply(const struct conf_account *acct, const struct message *orig,
    const char *folder, bool all, char **warning_r)
{
	const struct rfc5322_field *rt = rfc5322_header_find(orig->header, "Reply-To");
	struct rfc5322_addr_list *reply_to = NULL, seen = { NULL, 0 };
	const struct rfc5322_addr_list *target;
	char date[DATE_RFC5322_SIZE];
	struct buf body, to, cc;
	struct cmd_draft *d;
	size_t i;

	*warning_r = NULL;
	if (rt != NULL)
		reply_to = rfc5322_addr_parse(rt->value, rt->value_len, NULL);
	target = reply_to != NULL && reply_to->count > 0 ? reply_to : orig->from;

	compose_date_text(orig, date);
	buf_init(&body, CMD_DRAFT_TEXT_MAX);
	(void)buf_printf(&body, "On %s, %s wrote:\n", date, compose_sender_name(orig));
	compose_quote(orig, "> ", &body);
	compose_signature(acct, &body, warning_r);
	d = compose_create(acct, &body);

	buf_init(&to, CMD_DRAFT_TEXT_MAX);
	buf_init(&cc, CMD_DRAFT_TEXT_MAX);
	/* Answering one's own message goes to its recipients instead. */
	compose_add_addrs(&to, target, NULL, &seen);
	if (all) {
		compose_add_addrs(&cc, orig->to, acct, &seen);
		compose_add_addrs(&cc, orig->cc, acct, &seen);
	}
	free(d->to);
	d->to = buf_detach(&to);
	free(d->cc);
	d->cc = buf_detach(&cc);
	for (i = 0; i < seen.count; i++)
		free(seen.addrs[i].addr);
	free(seen.addrs);
	rfc5322_addr_list_destroy(&reply_to);

	free(d->subject);
	d->subject = orig->subject == NULL ? xstrdup("Re: ") : compose_is_reply(orig->subject) ?
	    xstrdup(orig->subject) : xasprintf("Re: %s", orig->subject);
	d->in_reply_to = orig->message_id != NULL ? xstrdup(orig->message_id) : NULL;
	d->references = compose_references(orig);
	d->reply_folder = folder != NULL ? xstrdup(folder) : NULL;
	return d;
}

struct cmd_draft *
cmd_draft_forward(const struct conf_account *acct, const struct message *orig,
    char **warning_r)
{
	char date[DATE_RFC5322_SIZE], *from = compose_list_text(orig->from);
	char *to = compose_list_text(orig->to);
	struct cmd_draft *d;
	struct buf body;

	*warning_r = NULL;
	compose_date_text(orig, date);
	buf_init(&body, CMD_DRAFT_TEXT_MAX);
	(void)buf_printf(&body, "\n\n---------- Forwarded message ----------\n"
	    "From: %s\nDate: %s\nSubject: %s\nTo: %s\n\n", from, date,
	    orig->subject != NULL ? orig->subject : "", to);
	compose_quote(orig, "", &body);
	compose_signature(acct, &body, warning_r);
	d = compose_create(acct, &body);
	free(d->subject);
	d->subject = orig->subject == NULL ? xstrdup("Fwd: ") : compose_is_forward(orig->subject) ?
	    xstrdup(orig->subject) : xasprintf("Fwd: %s", orig->subject);
	free(from);
	free(to);
	return d;
}

/* ---- the editor text ---- */

/* A header value on one line (a value never holds a line end). */
static void
compose_editor_line(struct buf *out, const char *name, const char *value)
{
	const char *p;

	(void)buf_printf(out, "%s: ", name);
	for (p = value; *p != '\0'; p++)
		(void)buf_addc(out, *p == '\r' || *p == '\n' ? ' ' : *p);
	(void)buf_addc(out, '\n');
}

void
cmd_draft_to_editor(const struct cmd_draft *d, struct buf *out)
{
	size_t i;

	compose_editor_line(out, "From", d->from);
	compose_editor_line(out, "To", d->to);
	compose_editor_line(out, "Cc", d->cc);
	compose_editor_line(out, "Bcc", d->bcc);
	compose_editor_line(out, "Subject", d->subject);
	if (d->reply_to[0] != '\0')
		compose_editor_line(out, "Reply-To", d->reply_to);
	for (i = 0; i < d->nattachments; i++)
		compose_editor_line(out, "Attach", d->attachments[i]);
	(void)buf_addc(out, '\n');
	(void)buf_addstr(out, d->body);
}

enum compose_field {
	CF_FROM, CF_TO, CF_CC, CF_BCC, CF_SUBJECT, CF_REPLY_TO, CF_IN_REPLY_TO,
	CF_REFERENCES, CF_ATTACH, CF_COUNT
};

static const struct {
	const char *name;
	bool repeats;		/* joined with ", " (addresses) or a list */
} compose_fields[CF_COUNT] = {
	{ "From", false }, { "To", true }, { "Cc", true }, { "Bcc", true },
	{ "Subject", false }, { "Reply-To", false }, { "In-Reply-To", false },
	{ "References", false }, { "Attach", true },
};

struct compose_parse {
	struct buf v[CF_COUNT];
	bool seen[CF_COUNT];
	char *attach[CMD_DRAFT_ATTACHMENTS_MAX];
	size_t nattach;
	unsigned attach_line;	/* where the Attach being read started */
};

static void
compose_trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* Ends the Attach value being read, if one is. */
static int
compose_attach_done(struct compose_parse *ps, int cur, char **error_r)
{
	struct buf *b = &ps->v[CF_ATTACH];
	unsigned line = ps->attach_line;

	if (cur != CF_ATTACH)
		return 0;
	if (buf_len(b) == 0) {
		*error_r = xasprintf("line %u: Attach needs a file name", line);
		return -1;
	}
	if (ps->nattach == CMD_DRAFT_ATTACHMENTS_MAX) {
		*error_r = xasprintf("line %u: more than %d attachments", line,
		    CMD_DRAFT_ATTACHMENTS_MAX);
		return -1;
	}
	ps->attach[ps->nattach++] = xstrdup(buf_ptr(b));
	buf_reset(b);
	return 0;
}

/* One header line; *cur is the field being read (continuations). */
static int
compose_parse_line(struct compose_parse *ps, const char *p, size_t n, unsigned line, int *cur,
    char **error_r)
{
	const char *colon, *name;
	size_t name_len, f;

	if (p[0] == ' ' || p[0] == '\t') {
		if (*cur < 0) {
			*error_r = xasprintf("line %u: a continuation line with no header before it",
			    line);
			return -1;
		}
		compose_trim(&p, &n);
		if (n > 0 && buf_len(&ps->v[*cur]) > 0)
			(void)buf_addc(&ps->v[*cur], ' ');
		return buf_add(&ps->v[*cur], p, n) == 0 ? 0 : -2;
	}
	if (compose_attach_done(ps, *cur, error_r) != 0)
		return -1;
	colon = memchr(p, ':', n);
	if (colon == NULL) {
		*error_r = xasprintf("line %u: expected 'Header: value', or a blank line "
		    "before the text", line);
		return -1;
	}
	name = p;
	name_len = (size_t)(colon - p);
	compose_trim(&name, &name_len);
	for (f = 0; f < CF_COUNT; f++)
		if (strlen(compose_fields[f].name) == name_len &&
		    str_ncaseeq(name, compose_fields[f].name, name_len))
			break;
	if (f == CF_COUNT) {
		char shown[80] = "";

		str_escape_for_message(shown, sizeof(shown), name, name_len > 60 ? 60 : name_len);
		*error_r = xasprintf("line %u: unknown header '%s' (use From, To, Cc, Bcc, "
		    "Subject, Reply-To or Attach)", line, shown);
		return -1;
	}
	if (ps->seen[f] && !compose_fields[f].repeats) {
		*error_r = xasprintf("line %u: a second %s header", line, compose_fields[f].name);
		return -1;
	}
	ps->seen[f] = true;
	*cur = (int)f;
	ps->attach_line = line;
	/* The value after "Name:" starts the field; a repeated address
	 * field joins the list. */
	n -= (size_t)(colon + 1 - p);
	p = colon + 1;
	compose_trim(&p, &n);
	if (buf_len(&ps->v[f]) > 0 && n > 0 && f != CF_ATTACH)
		(void)buf_addstr(&ps->v[f], ", ");
	return buf_add(&ps->v[f], p, n) == 0 ? 0 : -2;
}

int
cmd_draft_from_editor(struct cmd_draft *d, const char *text, size_t len, char **error_r)
{
	struct compose_parse ps;
	const char *p = text, *end = text + len, *body = end;
	unsigned line = 0;
	int cur = -1, ret = -1, r;
	size_t i;

	memset(&ps, 0, sizeof(ps));
	for (i = 0; i < CF_COUNT; i++)
		buf_init(&ps.v[i], CMD_DRAFT_TEXT_MAX);
	if (len > CMD_DRAFT_TEXT_MAX) {
		*error_r = xasprintf("the text is larger than %u MB", CMD_DRAFT_TEXT_MAX >> 20);
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			body = nl != NULL ? nl + 1 : end;
			break;
		}
		if (n > CMD_DRAFT_LINE_MAX) {
			*error_r = xasprintf("line %u: a header line longer than %d bytes", line,
			    CMD_DRAFT_LINE_MAX);
			goto out;
		}
		if (memchr(p, '\0', n) != NULL || !charset_utf8_valid(p, n)) {
			*error_r = xasprintf("line %u: not valid UTF-8 text", line);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (((unsigned char)p[i] < ' ' && p[i] != '\t') || p[i] == 0x7f)
				break;
		if (i < n) {
			*error_r = xasprintf("line %u: a control character in a header", line);
			goto out;
		}
		r = compose_parse_line(&ps, p, n, line, &cur, error_r);
		if (r == -2) {
			*error_r = xasprintf("line %u: the header is too long", line);
			goto out;
		}
		if (r != 0)
			goto out;
		p = nl != NULL ? nl + 1 : end;
	}
	if (compose_attach_done(&ps, cur, error_r) != 0)
		goto out;
	/* The text: UTF-8, no NUL, LF line ends. */
	if (memchr(body, '\0', (size_t)(end - body)) != NULL ||
	    !charset_utf8_valid(body, (size_t)(end - body))) {
		*error_r = xstrdup("the text after the headers is not valid UTF-8");
		goto out;
	}
	free(d->body);
	d->body = compose_lf(body, (size_t)(end - body));
	compose_set(&d->from, buf_ptr(&ps.v[CF_FROM]));
	compose_set(&d->to, buf_ptr(&ps.v[CF_TO]));
	compose_set(&d->cc, buf_ptr(&ps.v[CF_CC]));
	compose_set(&d->bcc, buf_ptr(&ps.v[CF_BCC]));
	compose_set(&d->subject, buf_ptr(&ps.v[CF_SUBJECT]));
	compose_set(&d->reply_to, buf_ptr(&ps.v[CF_REPLY_TO]));
	if (ps.seen[CF_IN_REPLY_TO]) {
		struct rfc5322_msgid_list *ids = rfc5322_msgid_parse(buf_ptr(&ps.v[CF_IN_REPLY_TO]),
		    buf_len(&ps.v[CF_IN_REPLY_TO]));

		free(d->in_reply_to);
		d->in_reply_to = ids->count > 0 ? xstrdup(ids->ids[0]) : NULL;
		rfc5322_msgid_list_destroy(&ids);
	}
	if (ps.seen[CF_REFERENCES]) {
		free(d->references);
		d->references = buf_len(&ps.v[CF_REFERENCES]) > 0 ?
		    xstrdup(buf_ptr(&ps.v[CF_REFERENCES])) : NULL;
	}
	for (i = 0; i < d->nattachments; i++)
		free(d->attachments[i]);
	free(d->attachments);
	d->attachments = ps.nattach > 0 ? xcalloc(ps.nattach, sizeof(char *)) : NULL;
	for (i = 0; i < ps.nattach; i++)
		d->attachments[i] = ps.attach[i];
	d->nattachments = ps.nattach;
	ps.nattach = 0;
	ret = 0;
out:
	for (i = 0; i < ps.nattach; i++)
		free(ps.attach[i]);
	for (i = 0; i < CF_COUNT; i++)
		buf_free(&ps.v[i]);
	return ret;
}

/* ---- the message ---- */

/* The message being built; full once the buffer's maximum was reached
 * (the build then fails). */
struct compose_msg {
	struct buf *b;
	bool full;
};

static void
compose_put(struct compose_msg *m, const char *s)
{
	if (!m->full && buf_addstr(m->b, s) != 0)
		m->full = true;
}

static void compose_putf(struct compose_msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
compose_putf(struct compose_msg *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!m->full && buf_vprintf(m->b, fmt, ap) != 0)
		m->full = true;
	va_end(ap);
}

/* The column after what the buffer holds (for folding). */
static size_t
compose_col(const struct buf *b)
{
	const char *p = buf_ptr(b), *nl = p + buf_len(b);

	while (nl > p && nl[-1] != '\n')
		nl--;
	return (size_t)(p + buf_len(b) - nl);
}

/* "Name: text" for unstructured text, RFC 2047 encoded where needed. */
static void
compose_put_text_field(struct compose_msg *m, const char *name, const char *text)
{
	compose_putf(m, "%s: ", name);
	if (!m->full && rfc2047_encode(text, strlen(text), compose_col(m->b), false, m->b) != 0)
		m->full = true;
	compose_put(m, "\r\n");
}

/* One address as it goes into a header: the name encoded or quoted. */
static int
compose_addr_piece(const struct rfc5322_addr *a, size_t col, struct buf *out)
{
	struct rfc5322_addr plain = { NULL, a->addr };

	if (a->name == NULL || a->name[0] == '\0') {
		compose_addr_text(&plain, out);
		return 0;
	}
	if (!rfc2047_needs_encoding(a->name, strlen(a->name))) {
		compose_addr_text(a, out);
		return 0;
	}
	if (rfc2047_encode(a->name, strlen(a->name), col, true, out) != 0)
		return -1;
	return buf_printf(out, " <%s>", a->addr);
}

/* "Name: addr, addr" folded between addresses, from address-list text;
 * nothing when it holds none. */
static int
compose_put_addrs(struct compose_msg *m, const char *name, const char *text, char **error_r)
{
	struct rfc5322_addr_list *l = rfc5322_addr_parse(text, strlen(text), NULL);
	struct buf piece;
	size_t i, col = strlen(name) + 2, n = 0;
	int ret = 0;

	buf_init(&piece, RFC5322_FIELD_MAX);
	for (i = 0; i < l->count && ret == 0; i++) {
		const struct rfc5322_addr *a = &l->addrs[i];
		const char *nl;

		if (!rfc5322_addr_sendable(a->addr)) {
			char shown[200] = "";

			str_escape_for_message(shown, sizeof(shown), a->addr, strlen(a->addr));
			*error_r = xasprintf("%s: '%s' is not a mail address", name, shown);
			ret = -1;
			break;
		}
		if (n++ == 0)
			compose_putf(m, "%s:", name);
		else
			compose_put(m, ",");
		buf_reset(&piece);
		(void)compose_addr_piece(a, col + 1, &piece);
		nl = memchr(buf_ptr(&piece), '\r', buf_len(&piece));
		if (n > 1 && col + 1 + (nl != NULL ? (size_t)(nl - buf_ptr(&piece)) :
		    buf_len(&piece)) > COMPOSE_LINE) {
			compose_put(m, "\r\n");
			col = 0;
			buf_reset(&piece);
			(void)compose_addr_piece(a, col + 1, &piece);
		}
		compose_put(m, " ");
		compose_put(m, buf_ptr(&piece));
		col = compose_col(m->b);
	}
	if (n > 0)
		compose_put(m, "\r\n");
	buf_free(&piece);
	rfc5322_addr_list_destroy(&l);
	return ret;
}

/* Message-IDs, folded one a line when they do not fit. */
static void
compose_put_ids(struct compose_msg *m, const char *name, const char *text)
{
	struct rfc5322_msgid_list *ids = rfc5322_msgid_parse(text, strlen(text));
	size_t i, col = strlen(name) + 1;

	if (ids->count > 0) {
		compose_putf(m, "%s:", name);
		for (i = 0; i < ids->count; i++) {
			size_t n = strlen(ids->ids[i]);

			if (i > 0 && col + 1 + n > COMPOSE_LINE) {
				compose_put(m, "\r\n");
				col = 0;
			}
			compose_putf(m, " %s", ids->ids[i]);
			col += 1 + n;
		}
		compose_put(m, "\r\n");
	}
	rfc5322_msgid_list_destroy(&ids);
}

/* The text part: its headers, a blank line, the encoded text ending in
 * CRLF. */
static void
compose_put_body(struct compose_msg *m, const char *body)
{
	size_t len = strlen(body), i, line = 0;
	bool eight = false, qp = false;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '\n') {
			line = 0;
			continue;
		}
		eight = eight || c >= 0x80;
		/* A CR only before LF; other controls but tab go encoded. */
		qp = qp || c >= 0x80 || ++line > COMPOSE_LINE_MAX || c == 0x7f ||
		    (c < ' ' && c != '\t' && !(c == '\r' && i + 1 < len && body[i + 1] == '\n'));
	}
	compose_putf(m, "Content-Type: text/plain; charset=%s\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", eight ? "utf-8" : "us-ascii",
	    qp ? "quoted-printable" : "7bit");
	if (qp) {
		if (!m->full && cte_qp_encode(body, len, m->b) != 0)
			m->full = true;
	} else {
		for (i = 0; i < len && !m->full; i++) {
			if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
				m->full = buf_addc(m->b, '\r') != 0;
			if (!m->full)
				m->full = buf_addc(m->b, body[i]) != 0;
		}
	}
	if (len > 0 && body[len - 1] != '\n')
		compose_put(m, "\r\n");
}

/* Content types by file name extension; the rest are octet streams. */
static const char *
compose_type(const char *name)
{
	static const char *const types[][2] = {
		{ "txt", "text/plain" }, { "html", "text/html" }, { "htm", "text/html" },
		{ "csv", "text/csv" }, { "ics", "text/calendar" }, { "md", "text/markdown" },
		{ "pdf", "application/pdf" }, { "zip", "application/zip" },
		{ "gz", "application/gzip" }, { "tar", "application/x-tar" },
		{ "json", "application/json" }, { "xml", "application/xml" },
		{ "doc", "application/msword" },
		{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "xls", "application/vnd.ms-excel" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
		{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
		{ "gif", "image/gif" }, { "webp", "image/webp" }, { "svg", "image/svg+xml" },
		{ "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" }, { "mp4", "video/mp4" },
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot != NULL)
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (str_caseeq(dot + 1, types[i][0]))
				return types[i][1];
	return "application/octet-stream";
}

/* Content-Type and Content-Disposition of an attachment named name:
 * quoted when it is plain ASCII, else RFC 2231 (utf-8''%XX). */
static void
compose_put_disposition(struct compose_msg *m, const char *name)
{
	const char *p;
	bool plain = *name != '\0';

	for (p = name; *p != '\0'; p++)
		plain = plain && *p >= ' ' && *p < 0x7f && *p != '"' && *p != '\\';
	if (plain) {
		compose_putf(m, "Content-Type: %s; name=\"%s\"\r\n"
		    "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n",
		    compose_type(name), name, name);
		return;
	}
	compose_putf(m, "Content-Type: %s\r\nContent-Disposition: attachment;\r\n"
	    " filename*=utf-8''", compose_type(name));
	for (p = name; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("!#$&+-.^_`|~", c) != NULL)
			compose_putf(m, "%c", c);
		else
			compose_putf(m, "%%%02X", c);
	}
	compose_put(m, "\r\n");
}

static int
compose_build(const struct cmd_draft *d, const struct conf_account *acct, bool postponed,
    struct buf *out, char **error_r)
{
	struct compose_msg m = { out, false };
	const char *from = d->from[0] != '\0' ? d->from :
	    acct != NULL ? conf_account_get(acct, "from") : NULL;
	char date[DATE_RFC5322_SIZE], boundary[64], hex[33];
	struct buf file;
	size_t i;
	int ret = -1;

	buf_reset(out);
	buf_init(&file, CMD_DRAFT_ATTACH_MAX);
	if (from == NULL || from[0] == '\0') {
		*error_r = xasprintf("no From address: write a From line, or set from= for "
		    "account '%s'", acct != NULL ? conf_account_name(acct) : "");
		goto out;
	}
	if (date_format_rfc5322(time(NULL), date) != 0) {
		*error_r = xstrdup("the system clock gives no usable date");
		goto out;
	}
	compose_putf(&m, "Date: %s\r\n", date);
	if (compose_put_addrs(&m, "From", from, error_r) != 0 ||
	    compose_put_addrs(&m, "To", d->to, error_r) != 0 ||
	    compose_put_addrs(&m, "Cc", d->cc, error_r) != 0 ||
	    (postponed && compose_put_addrs(&m, "Bcc", d->bcc, error_r) != 0) ||
	    compose_put_addrs(&m, "Reply-To", d->reply_to, error_r) != 0)
		goto out;
	compose_put_text_field(&m, "Subject", d->subject);
	compose_putf(&m, "Message-ID: %s\r\n", d->message_id);
	if (d->in_reply_to != NULL)
		compose_put_ids(&m, "In-Reply-To", d->in_reply_to);
	if (d->references != NULL)
		compose_put_ids(&m, "References", d->references);
	compose_put(&m, "MIME-Version: 1.0\r\nUser-Agent: tern/" PACKAGE_VERSION "\r\n");
	/* An automatic reply says so (RFC 3834), and asks Exchange not to
	 * answer it with one of its own. */
	if (d->auto_replied)
		compose_put(&m, "Auto-Submitted: auto-replied\r\n"
		    "X-Auto-Response-Suppress: All\r\n");
	if (postponed && d->reply_folder != NULL)
		compose_put_text_field(&m, "X-Tern-Reply-Folder", d->reply_folder);
	for (i = 0; postponed && i < d->nattachments; i++)
		compose_put_text_field(&m, "X-Tern-Attach", d->attachments[i]);
	if (d->nattachments == 0) {
		compose_put_body(&m, d->body);
	} else {
		compose_random_hex(hex, 12);
		/* "=_" cannot occur in base64 or quoted-printable text. */
		snprintf(boundary, sizeof(boundary), "=_tern_%s", hex);
		compose_putf(&m, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
		    "This is a message in MIME format.\r\n--%s\r\n", boundary, boundary);
		compose_put_body(&m, d->body);
		for (i = 0; i < d->nattachments; i++) {
			const char *path = d->attachments[i], *base = strrchr(path, '/');

			buf_reset(&file);
			if (compose_read_file(path, CMD_DRAFT_ATTACH_MAX, &file, error_r) != 0)
				goto out;
			compose_putf(&m, "--%s\r\n", boundary);
			compose_put_disposition(&m, base != NULL ? base + 1 : path);
			compose_put(&m, "Content-Transfer-Encoding: base64\r\n\r\n");
			if (!m.full && cte_base64_encode(buf_ptr(&file), buf_len(&file), 76, out) != 0)
				m.full = true;
		}
		compose_putf(&m, "--%s--\r\n", boundary);
	}
	if (m.full) {
		*error_r = xasprintf("the message would be larger than %u MB",
		    CMD_DRAFT_MESSAGE_MAX >> 20);
		goto out;
	}
	ret = 0;
out:
	if (ret != 0)
		buf_reset(out);
	buf_free(&file);
	return ret;
}

int
cmd_draft_build(const struct cmd_draft *d, const struct conf *conf,
    const struct conf_account *acct, struct buf *out, char **error_r)
{
	(void)conf;
	return compose_build(d, acct, false, out, error_r);
}

int
cmd_draft_build_postponed(const struct cmd_draft *d, const struct conf *conf,
    const struct conf_account *acct, struct buf *out, char **error_r)
{
	(void)conf;
	return compose_build(d, acct, true, out, error_r);
}

/* ---- the envelope ---- */

void
cmd_draft_recipients_free(char ***rcpts)
{
	size_t i;

	if (*rcpts == NULL)
		return;
	for (i = 0; (*rcpts)[i] != NULL; i++)
		free((*rcpts)[i]);
	free(*rcpts);
	*rcpts = NULL;
}

int
cmd_draft_recipients(const struct cmd_draft *d, char ***rcpts_r, char **error_r)
{
	const char *const fields[] = { d->to, d->cc, d->bcc };
	const char *const names[] = { "To", "Cc", "Bcc" };
	char **v = NULL;
	size_t n = 0, f, i, j;

	*rcpts_r = NULL;
	for (f = 0; f < 3; f++) {
		struct rfc5322_addr_list *l = rfc5322_addr_parse(fields[f], strlen(fields[f]), NULL);

		for (i = 0; i < l->count; i++) {
			const char *a = l->addrs[i].addr;
			bool dup = false;

			if (!rfc5322_addr_sendable(a)) {
				char shown[200] = "";

				str_escape_for_message(shown, sizeof(shown), a, strlen(a));
				*error_r = xasprintf("%s: '%s' is not a mail address", names[f], shown);
				rfc5322_addr_list_destroy(&l);
				v = xreallocarray(v, n + 1, sizeof(char *));
				v[n] = NULL;
				cmd_draft_recipients_free(&v);
				return -1;
			}
			for (j = 0; j < n && !dup; j++)
				dup = str_caseeq(v[j], a);
			if (dup)
				continue;
			v = xreallocarray(v, n + 2, sizeof(char *));
			v[n++] = xstrdup(a);
			v[n] = NULL;
		}
		rfc5322_addr_list_destroy(&l);
	}
	if (n == 0) {
		*error_r = xstrdup("no recipients");
		return -1;
	}
	*rcpts_r = v;
	return 0;
}

char *
cmd_draft_sender(const struct cmd_draft *d, const struct conf_account *acct, char **error_r)
{
	char *addr = compose_first_addr(d->from[0] != '\0' ? d->from :
	    acct != NULL ? conf_account_get(acct, "from") : NULL);

	if (addr == NULL || !rfc5322_addr_sendable(addr)) {
		free(addr);
		*error_r = xasprintf("no sender address: write a From line, or set from= for "
		    "account '%s'", acct != NULL ? conf_account_name(acct) : "");
		return NULL;
	}
	return addr;
}

/* ---- a stored draft ---- */

/* A field's raw value unfolded and decoded. */
static char *
compose_decode_value(const struct rfc5322_field *f)
{
	struct buf unfolded, text;

	buf_init(&unfolded, RFC5322_FIELD_MAX);
	buf_init(&text, RFC5322_FIELD_MAX * 2);
	(void)rfc5322_unfold(f->value, f->value_len, &unfolded);
	(void)rfc2047_decode(buf_ptr(&unfolded), buf_len(&unfolded), NULL, &text);
	buf_free(&unfolded);
	return buf_detach(&text);
}

int
cmd_draft_from_message(const char *msg, size_t len, struct cmd_draft **draft_r, char **error_r)
{
	const struct rfc5322_field *f;
	struct message *m;
	struct cmd_draft *d;
	struct buf b;
	size_t i, idx = 0;

	*draft_r = NULL;
	if (len > CMD_DRAFT_MESSAGE_MAX) {
		*error_r = xasprintf("the stored draft is larger than %u MB",
		    CMD_DRAFT_MESSAGE_MAX >> 20);
		return -1;
	}
	m = message_parse(msg, len, NULL);
	d = xcalloc(1, sizeof(*d));
	d->from = compose_list_text(m->from);
	d->to = compose_list_text(m->to);
	d->cc = compose_list_text(m->cc);
	d->bcc = compose_field_addrs(m->header, "Bcc");
	d->reply_to = compose_field_addrs(m->header, "Reply-To");
	d->subject = xstrdup(m->subject != NULL ? m->subject : "");
	d->in_reply_to = m->in_reply_to != NULL ? xstrdup(m->in_reply_to) : NULL;
	if (m->references->count > 0) {
		buf_init(&b, CMD_DRAFT_TEXT_MAX);
		for (i = 0; i < m->references->count; i++)
			(void)buf_printf(&b, "%s%s", i > 0 ? " " : "", m->references->ids[i]);
		d->references = buf_detach(&b);
	}
	d->body = compose_lf(m->text != NULL ? m->text : "", m->text != NULL ? m->text_len : 0);
	if ((f = rfc5322_header_find(m->header, "X-Tern-Reply-Folder")) != NULL) {
		d->reply_folder = compose_decode_value(f);
		if (d->reply_folder[0] == '\0') {
			free(d->reply_folder);
			d->reply_folder = NULL;
		}
	}
	while ((f = rfc5322_header_find_next(m->header, "X-Tern-Attach", &idx)) != NULL &&
	    d->nattachments < CMD_DRAFT_ATTACHMENTS_MAX) {
		char *path = compose_decode_value(f);

		if (path[0] != '\0') {
			d->attachments = xreallocarray(d->attachments, d->nattachments + 1,
			    sizeof(char *));
			d->attachments[d->nattachments++] = path;
		} else {
			free(path);
		}
	}
	d->old_draft = m->message_id != NULL ? xstrdup(m->message_id) : NULL;
	d->message_id = compose_message_id(d->from);
	message_destroy(&m);
	*draft_r = d;
	return 0;
}
