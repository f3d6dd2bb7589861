/* Canned responses: parsing a template file into literal text and
 * variable references, expanding it, and reading a templates directory. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/template.h"

/* Names and words quoted in error messages are cut to this many bytes. */
#define TEMPLATE_SHOWN_MAX 40

enum template_var {
	TEMPLATE_VAR_TICKET,
	TEMPLATE_VAR_CUSTOMER,
	TEMPLATE_VAR_CUSTOMER_ADDR,
	TEMPLATE_VAR_AGENT,
	TEMPLATE_VAR_TEAM,
	TEMPLATE_VAR_SUBJECT,
	TEMPLATE_VAR_COUNT
};

static const char *const template_var_names[TEMPLATE_VAR_COUNT] = {
	"ticket", "customer", "customer_addr", "agent", "team", "subject",
};

#define TEMPLATE_KNOWN "known: ${ticket}, ${customer}, ${customer_addr}, ${agent}, " \
	"${team}, ${subject}; write $$ for a '$'"

/* A run of literal text (var < 0: text[off, off + len)) or a variable. */
struct template_seg {
	int var;
	size_t off, len;
};

struct template_part {
	struct template_seg *segs;
	size_t count;
};

struct template {
	struct buf text;	/* the literal text of both parts */
	bool has_subject;
	struct template_part subject, body;
};

struct template_parser {
	const char *file;
	struct template *t;
	char *error;
};

static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

static bool
is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "FILE:LINE: message", or "FILE: message" when line is 0. */
static int __attribute__((format(printf, 3, 4)))
parse_error(struct template_parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		p->error = xasprintf("%s:%zu: %s", p->file, line, msg);
	else
		p->error = xasprintf("%s: %s", p->file, msg);
	free(msg);
	return -1;
}

/* s[0, len) cut to TEMPLATE_SHOWN_MAX bytes on a UTF-8 boundary, with
 * "..." when cut: for messages (the text was checked to be UTF-8). */
static char *
shown(const char *s, size_t len)
{
	size_t n = len;

	if (n <= TEMPLATE_SHOWN_MAX)
		return xstrndup(s, n);
	n = TEMPLATE_SHOWN_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, s);
}

/* Every byte is UTF-8 text without control characters but TAB and the
 * line ends (a CR only before an LF). */
static int
check_text(struct template_parser *p, const char *s, size_t len)
{
	size_t i = 0, line = 1, n;
	uint32_t cp;

	while (i < len) {
		n = str_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return parse_error(p, line, "not valid UTF-8 (byte 0x%02X); "
			    "save the template as UTF-8", (unsigned char)s[i]);
		if (cp == '\n')
			line++;
		else if (cp == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return parse_error(p, line, "a carriage return without a line "
			    "feed (lines end in LF or CRLF)");
		else if (cp != '\r' && cp != '\t' && is_control(cp))
			return parse_error(p, line, "control character U+%04X (a "
			    "template is plain text: tabs and line ends only)", (unsigned)cp);
		i += n;
	}
	return 0;
}

/* The next line at *pos: its text without the LF or CRLF, and whether
 * it had an LF. Returns false at the end of the text. */
static bool
next_line(const char *s, size_t len, size_t *pos, const char **line_r,
    size_t *len_r, bool *lf_r)
{
	const char *nl;
	size_t n;

	if (*pos >= len)
		return false;
	*line_r = s + *pos;
	nl = memchr(s + *pos, '\n', len - *pos);
	n = nl != NULL ? (size_t)(nl - (s + *pos)) : len - *pos;
	*lf_r = nl != NULL;
	*pos += n + (nl != NULL ? 1 : 0);
	if (nl != NULL && n > 0 && (*line_r)[n - 1] == '\r')
		n--;
	*len_r = n;
	return true;
}

/* Empty or only spaces and tabs: an editor's "blank" line. */
static bool
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* The length of "Name" when the line starts with "Name:" (a letter,
 * then letters, digits or '-'), else 0. */
static size_t
header_name_len(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !is_alpha(s[0]))
		return 0;
	for (i = 1; i < len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-'); i++)
		;
	return i < len && s[i] == ':' ? i : 0;
}

static void
part_add_var(struct template_part *part, int var)
{
	part->segs = xreallocarray(part->segs, part->count + 1, sizeof(*part->segs));
	part->segs[part->count].var = var;
	part->segs[part->count].off = 0;
	part->segs[part->count].len = 0;
	part->count++;
}

/* Appends literal text, joined to the previous run when that ends where
 * this one starts. In a subject, tabs become spaces. */
static void
part_add_text(struct template *t, struct template_part *part, const char *s,
    size_t len, bool subject)
{
	struct template_seg *last;
	size_t off = buf_len(&t->text), i;

	if (len == 0)
		return;
	/* Cannot fail: the text is never longer than the file. */
	for (i = 0; i < len; i++)
		(void)buf_addc(&t->text, subject && s[i] == '\t' ? ' ' : s[i]);
	last = part->count > 0 ? &part->segs[part->count - 1] : NULL;
	if (last != NULL && last->var < 0 && last->off + last->len == off) {
		last->len += len;
		return;
	}
	part_add_var(part, -1);
	last = &part->segs[part->count - 1];
	last->off = off;
	last->len = len;
}

static int
var_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < TEMPLATE_VAR_COUNT; i++)
		if (strlen(template_var_names[i]) == len &&
		    memcmp(template_var_names[i], name, len) == 0)
			return i;
	return -1;
}

static int
unknown_var(struct template_parser *p, size_t line, const char *name, size_t len)
{
	char *show = shown(name, len), *z = xstrndup(name, len);
	size_t best = SIZE_MAX, d;
	int i, guess = -1;

	for (i = 0; i < TEMPLATE_VAR_COUNT; i++) {
		d = str_edit_distance(z, template_var_names[i]);
		if (d < best) {
			best = d;
			guess = i;
		}
	}
	if (best <= 2 && best < len)
		parse_error(p, line, "unknown variable ${%s}: did you mean ${%s}? (%s)",
		    show, template_var_names[guess], TEMPLATE_KNOWN);
	else
		parse_error(p, line, "unknown variable ${%s} (%s)", show, TEMPLATE_KNOWN);
	free(z);
	free(show);
	return -1;
}

/* Splits one line (never holding an LF) into text and variables. */
static int
parse_line(struct template_parser *p, struct template_part *part, const char *s,
    size_t len, size_t line, bool subject)
{
	const char *dollar, *brace;
	size_t i = 0, n;
	int var;

	while (i < len) {
		dollar = memchr(s + i, '$', len - i);
		if (dollar == NULL) {
			part_add_text(p->t, part, s + i, len - i, subject);
			break;
		}
		n = (size_t)(dollar - (s + i));
		part_add_text(p->t, part, s + i, n, subject);
		i += n;
		if (i + 1 < len && s[i + 1] == '$') {
			part_add_text(p->t, part, "$", 1, subject);
			i += 2;
		} else if (i + 1 < len && s[i + 1] == '{') {
			brace = memchr(s + i + 2, '}', len - i - 2);
			if (brace == NULL) {
				char *show = shown(s + i, len - i);

				parse_error(p, line, "unterminated variable %s (a variable "
				    "is ${name} on one line; %s)", show, TEMPLATE_KNOWN);
				free(show);
				return -1;
			}
			n = (size_t)(brace - (s + i + 2));
			if ((var = var_lookup(s + i + 2, n)) < 0)
				return unknown_var(p, line, s + i + 2, n);
			part_add_var(part, var);
			i += n + 3;
		} else {
			/* "$5": a '$' not followed by '{' is itself. */
			part_add_text(p->t, part, "$", 1, subject);
			i++;
		}
	}
	return 0;
}

/* The header section, from the first line to the blank line after it
 * (or the end); leaves *pos at the body and *line_r at the number of the
 * last line read. */
static int
parse_headers(struct template_parser *p, const char *s, size_t len, size_t *pos,
    size_t *line_r)
{
	const char *l;
	size_t n, name_len, line = 0, v;
	bool lf;

	while (next_line(s, len, pos, &l, &n, &lf)) {
		line++;
		if (is_blank(l, n))
			break;
		if (l[0] == ' ' || l[0] == '\t') {
			/* RFC 5322 §2.2.3 unfolding: the line break goes, the
			 * white space stays. The first line is a header, so this
			 * continues Subject:. */
			if (parse_line(p, &p->t->subject, l, n, line, true) != 0)
				return -1;
			continue;
		}
		name_len = header_name_len(l, n);
		if (name_len == 0)
			return parse_error(p, line, "expected a header or a blank "
			    "line (a blank line must separate the headers from the body)");
		if (name_len != 7 || !str_ncaseeq(l, "Subject", 7)) {
			char *show = shown(l, name_len);

			parse_error(p, line, "unknown header '%s' (only Subject: is "
			    "allowed; %s)", show, line == 1 ?
			    "start the file with a blank line for a body that begins so" :
			    "a blank line must separate the headers from the body");
			free(show);
			return -1;
		}
		if (p->t->has_subject)
			return parse_error(p, line, "a second Subject: header");
		p->t->has_subject = true;
		for (v = name_len + 1; v < n && (l[v] == ' ' || l[v] == '\t'); v++)
			;
		if (parse_line(p, &p->t->subject, l + v, n - v, line, true) != 0)
			return -1;
	}
	*line_r = line;
	return 0;
}

int
template_parse(const char *text, size_t len, const char *file,
    struct template **t_r, char **error_r)
{
	struct template_parser p = { .file = file, .t = NULL, .error = NULL };
	const char *l;
	size_t pos = 0, line = 0, n;
	bool lf;

	*t_r = NULL;
	if (len > TEMPLATE_SIZE_MAX) {
		parse_error(&p, 0, "too large (%zu bytes; a template has at most %d)",
		    len, TEMPLATE_SIZE_MAX);
		goto out;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (check_text(&p, text, len) != 0)
		goto out;
	p.t = xcalloc(1, sizeof(*p.t));
	buf_init(&p.t->text, len);
	if (next_line(text, len, &pos, &l, &n, &lf)) {
		if (header_name_len(l, n) > 0) {
			pos = 0;
			if (parse_headers(&p, text, len, &pos, &line) != 0)
				goto out;
		} else if (is_blank(l, n))
			line = 1;	/* no headers, and the blank line goes */
		else
			pos = 0;
	}
	while (next_line(text, len, &pos, &l, &n, &lf)) {
		line++;
		if (parse_line(&p, &p.t->body, l, n, line, false) != 0)
			goto out;
		if (lf)
			part_add_text(p.t, &p.t->body, "\n", 1, false);
	}
	*t_r = p.t;
	p.t = NULL;
out:
	template_free(&p.t);
	if (p.error != NULL) {
		*error_r = p.error;
		return -1;
	}
	return 0;
}

void
template_free(struct template **t)
{
	if (*t == NULL)
		return;
	buf_free(&(*t)->text);
	free((*t)->subject.segs);
	free((*t)->body.segs);
	free(*t);
	*t = NULL;
}

bool
template_has_subject(const struct template *t)
{
	return t->has_subject;
}

static const char *
var_value(const struct template_vars *v, int var)
{
	const char *s = NULL;

	switch (var) {
	case TEMPLATE_VAR_TICKET:
		s = v->ticket;
		break;
	case TEMPLATE_VAR_CUSTOMER:
		s = v->customer;
		if (s == NULL || s[0] == '\0')
			s = v->customer_addr;
		break;
	case TEMPLATE_VAR_CUSTOMER_ADDR:
		s = v->customer_addr;
		break;
	case TEMPLATE_VAR_AGENT:
		s = v->agent;
		break;
	case TEMPLATE_VAR_TEAM:
		s = v->team;
		break;
	case TEMPLATE_VAR_SUBJECT:
		s = v->subject;
		break;
	}
	return s != NULL ? s : "";
}

/* Appends a value: invalid UTF-8 bytes as U+FFFD; in a subject control
 * characters become spaces, in a body all but LF and TAB are dropped. */
static void
add_value(struct buf *b, const char *s, bool subject)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = str_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			(void)buf_add(b, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		if (!is_control(cp) || (!subject && (cp == '\n' || cp == '\t')))
			(void)buf_add(b, s + i, n);
		else if (subject)
			(void)buf_addc(b, ' ');
		i += n;
	}
}

static char *
expand(const struct template *t, const struct template_part *part,
    const struct template_vars *v, bool subject)
{
	static const struct template_vars none;
	struct buf b;
	size_t i, max = 0, add;
	const char *s;
	char *r;

	if (v == NULL)
		v = &none;
	/* The bound of the result: a value's byte gives at most 3 (U+FFFD). */
	for (i = 0; i < part->count; i++) {
		add = part->segs[i].len;
		if (part->segs[i].var >= 0) {
			add = strlen(var_value(v, part->segs[i].var));
			add = add > SIZE_MAX / 3 ? SIZE_MAX : add * 3;
		}
		max = max > SIZE_MAX - add ? SIZE_MAX : max + add;
	}
	buf_init(&b, max);
	for (i = 0; i < part->count; i++) {
		if (part->segs[i].var < 0)
			(void)buf_add(&b, buf_ptr(&t->text) + part->segs[i].off, part->segs[i].len);
		else
			add_value(&b, var_value(v, part->segs[i].var), subject);
	}
	if (!subject) {
		r = buf_detach(&b);
		buf_free(&b);
		return r;
	}
	s = buf_ptr(&b);
	for (i = 0; i < buf_len(&b) && s[i] == ' '; i++)
		;
	add = buf_len(&b);
	while (add > i && s[add - 1] == ' ')
		add--;
	r = xstrndup(s + i, add - i);
	buf_free(&b);
	return r;
}

char *
template_subject(const struct template *t, const struct template_vars *v)
{
	return expand(t, &t->subject, v, true);
}

char *
template_body(const struct template *t, const struct template_vars *v)
{
	return expand(t, &t->body, v, false);
}

static int
check_name(const char *name, char **error_r)
{
	char shown_name[128] = "";

	if (name[0] == '\0') {
		*error_r = xstrdup("the template name is empty");
		return -1;
	}
	str_escape_for_message(shown_name, sizeof(shown_name), name, strlen(name));
	if (strchr(name, '/') != NULL) {
		*error_r = xasprintf("template name '%s' is not a plain file name "
		    "(it has a '/')", shown_name);
		return -1;
	}
	if (name[0] == '.') {
		*error_r = xasprintf("template name '%s' starts with '.' (hidden "
		    "files are not templates)", shown_name);
		return -1;
	}
	if (!str_utf8_printable(name, strlen(name))) {
		*error_r = xasprintf("template name '%s' is not UTF-8 text",
		    shown_name);
		return -1;
	}
	return 0;
}

static char *
file_error(const char *path, int err)
{
	switch (err) {
	case ENOENT:
		return xasprintf("%s: no such file", path);
	case EACCES:
		return xasprintf("%s: permission denied (cannot read the file)", path);
	case EISDIR:
		return xasprintf("%s: is a directory, not a file", path);
	case ENOTDIR:
		return xasprintf("%s: not a directory", path);
	default:
		return xasprintf("%s: cannot read: %s", path, strerror(err));
	}
}

int
template_load(const char *dir, const char *name, struct template **t_r,
    char **error_r)
{
	struct stat st;
	struct buf data;
	char *path = NULL, chunk[8192];
	ssize_t n;
	int fd = -1, rc = -1;

	*t_r = NULL;
	buf_init(&data, TEMPLATE_SIZE_MAX + 1);
	if (check_name(name, error_r) != 0)
		goto out;
	path = xasprintf("%s%s%s", dir, str_has_suffix(dir, "/") ? "" : "/", name);
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) != 0) {
		*error_r = file_error(path, errno);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		*error_r = file_error(path, EISDIR);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*error_r = xasprintf("%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > TEMPLATE_SIZE_MAX) {
		*error_r = xasprintf("%s: too large (%lld bytes; a template has at "
		    "most %d)", path, (long long)st.st_size, TEMPLATE_SIZE_MAX);
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*error_r = file_error(path, errno);
			goto out;
		}
		if (n == 0)
			break;
		if (buf_add(&data, chunk, (size_t)n) != 0) {
			/* It grew while we read it. */
			*error_r = xasprintf("%s: too large (a template has at most %d "
			    "bytes)", path, TEMPLATE_SIZE_MAX);
			goto out;
		}
	}
	rc = template_parse(buf_ptr(&data), buf_len(&data), path, t_r, error_r);
out:
	if (fd != -1)
		close(fd);
	buf_free(&data);
	free(path);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
name_listed(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || name[0] == '.' || name[len - 1] == '~')
		return false;
	if (len >= 2 && name[0] == '#' && name[len - 1] == '#')
		return false;
	return str_utf8_printable(name, strlen(name));
}

int
template_names(const char *dir, char ***names_r, char **error_r)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t count = 0;
	DIR *d;

	*names_r = NULL;
	d = opendir(dir);
	if (d == NULL) {
		*error_r = errno == ENOENT ? xasprintf("%s: no such directory", dir) :
		    file_error(dir, errno);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (!name_listed(de->d_name))
			continue;
		/* Following links; a dangling one is no template. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
			continue;
		names = xreallocarray(names, count + 2, sizeof(*names));
		names[count++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		*error_r = file_error(dir, errno);
		closedir(d);
		names = xreallocarray(names, count + 1, sizeof(*names));
		names[count] = NULL;
		template_names_free(names);
		return -1;
	}
	closedir(d);
	names = xreallocarray(names, count + 1, sizeof(*names));
	names[count] = NULL;
	qsort(names, count, sizeof(*names), name_cmp);
	*names_r = names;
	return 0;
}

void
template_names_free(char **names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; names[i] != NULL; i++)
		free(names[i]);
	free(names);
}
