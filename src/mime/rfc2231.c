/* MIME parameter parsing with RFC 2231 continuations and charsets, and
 * file name sanitising. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/charset.h"
#include "mime/rfc2047.h"
#include "mime/rfc2231.h"

/* Raw parameters read before joining; more are ignored. */
#define RFC2231_RAW_MAX 256

struct raw_param {
	char *name;		/* base name, lowercased */
	int section;		/* -1 when not continued */
	bool extended;		/* "*" form: charset'lang'%XX */
	struct buf value;	/* unquoted */
	bool used;
};

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Skips a (nested) comment starting at s[*i] == '('. */
static void
skip_comment(const char *s, size_t len, size_t *i)
{
	int depth = 0;

	while (*i < len) {
		char c = s[*i];

		(*i)++;
		if (c == '\\')
			(*i)++;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			break;
	}
	if (*i > len)
		*i = len;
}

/* RFC 2231 §4: %XX escapes; a bad one is kept literally. */
static void
percent_decode(const char *s, size_t len, struct buf *out)
{
	size_t i;
	int h, l;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && (h = str_hexval(s[i + 1])) >= 0 &&
		    (l = str_hexval(s[i + 2])) >= 0) {
			buf_addc(out, (char)(h * 16 + l));
			i += 2;
		} else
			buf_addc(out, s[i]);
	}
}

/* Splits "title*2*" into base "title", section 2, extended. Returns
 * false for a name to ignore (bad or too high a section). */
static bool
split_name(const char *n, size_t len, char **base_r, int *section_r,
    bool *extended_r)
{
	size_t star = len, i;
	int sec = -1;

	*extended_r = false;
	if (len > 0 && n[len - 1] == '*') {
		*extended_r = true;
		len--;
	}
	for (i = 0; i < len; i++) {
		if (n[i] == '*') {
			star = i;
			break;
		}
	}
	if (star < len) {
		if (len - star - 1 == 0 || len - star - 1 > 2)
			return false;
		sec = 0;
		for (i = star + 1; i < len; i++) {
			if (n[i] < '0' || n[i] > '9')
				return false;
			sec = sec * 10 + (n[i] - '0');
		}
		if (sec > RFC2231_SECTION_MAX)
			return false;
		len = star;
	}
	if (len == 0)
		return false;
	*base_r = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		(*base_r)[i] = lower(n[i]);
	(*base_r)[len] = '\0';
	*section_r = sec;
	return true;
}

static void
value_add_param(struct rfc2231_value *v, char *name, char *value)
{
	v->params = xreallocarray(v->params, v->count + 1, sizeof(*v->params));
	v->params[v->count].name = name;
	v->params[v->count].value = value;
	v->count++;
}

/* Joins the sections of raws[first]'s name (RFC 2231 §3), converting
 * from the charset named in section 0 (or the unsectioned "*" form). */
static char *
join_param(struct raw_param *raws, size_t n, size_t first, bool rfc2231_form,
    const char *fallback)
{
	struct buf bytes, out;
	const char *charset = NULL;
	size_t charset_len = 0, i;
	int sec, want;
	bool any_ext = false;
	char *r;

	buf_init(&bytes, RFC2231_VALUE_MAX);
	buf_init(&out, RFC2231_VALUE_MAX * 3);
	if (!rfc2231_form) {
		/* A plain value: RFC 2047 words in it are decoded (not what
		 * RFC 2047 §5 allows, but what Outlook sends). */
		struct raw_param *p = &raws[first];

		rfc2047_decode(buf_ptr(&p->value), buf_len(&p->value), fallback, &out);
		goto done;
	}
	/* Sections in order, each number once (first wins); gaps skipped.
	 * An unsectioned "name*" counts as section 0. */
	for (want = -1; want <= RFC2231_SECTION_MAX; want++) {
		for (i = first; i < n; i++) {
			struct raw_param *p = &raws[i];
			const char *s = buf_ptr(&p->value);
			size_t len = buf_len(&p->value);

			if (p->used || strcmp(p->name, raws[first].name) != 0)
				continue;
			sec = p->section;
			if (sec != want || (sec == -1 && !p->extended))
				continue;
			p->used = true;
			if (p->extended && (sec == -1 || sec == 0) && charset == NULL) {
				const char *q1 = memchr(s, '\'', len), *q2;

				if (q1 != NULL &&
				    (q2 = memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - s))) != NULL) {
					charset = s;
					charset_len = (size_t)(q1 - s);
					len -= (size_t)(q2 + 1 - s);
					s = q2 + 1;
				}
			}
			if (p->extended) {
				any_ext = true;
				percent_decode(s, len, &bytes);
			} else
				buf_add(&bytes, s, len);
			break;
		}
	}
	if (any_ext)
		charset_to_utf8(charset, charset_len, buf_ptr(&bytes), buf_len(&bytes),
		    fallback, &out);
	else
		rfc2047_decode(buf_ptr(&bytes), buf_len(&bytes), fallback, &out);
done:
	r = buf_detach(&out);
	buf_free(&out);
	buf_free(&bytes);
	return r;
}

/* Reads the leading token ("text/plain"): lowercased, whitespace and
 * comments dropped, up to the first ';'. */
static char *
read_token(const char *s, size_t len, size_t *i)
{
	struct buf t;
	char *r;

	buf_init(&t, len + 1);
	while (*i < len && s[*i] != ';') {
		if (s[*i] == '(')
			skip_comment(s, len, i);
		else {
			if (!is_wsp(s[*i]) && s[*i] != '"')
				buf_addc(&t, lower(s[*i]));
			(*i)++;
		}
	}
	r = buf_detach(&t);
	buf_free(&t);
	return r;
}

struct rfc2231_value *
rfc2231_parse(const char *s, size_t len, const char *fallback)
{
	struct rfc2231_value *v = xcalloc(1, sizeof(*v));
	struct raw_param *raws = NULL;
	size_t n = 0, i = 0, j, ns, ne;

	if (s == NULL)
		len = 0;
	v->token = read_token(s, len, &i);
	while (i < len) {
		struct raw_param *p;
		char *base;
		int section;
		bool ext;

		if (s[i] == ';' || is_wsp(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '(') {
			skip_comment(s, len, &i);
			continue;
		}
		ns = i;
		while (i < len && s[i] != '=' && s[i] != ';')
			i++;
		ne = i;
		while (ne > ns && is_wsp(s[ne - 1]))
			ne--;
		if (i == len || s[i] == ';')
			continue;	/* a name without a value */
		i++;
		while (i < len && is_wsp(s[i]))
			i++;
		if (n == RFC2231_RAW_MAX || !split_name(s + ns, ne - ns, &base, &section, &ext)) {
			/* Skip the value. */
			if (i < len && s[i] == '"') {
				for (i++; i < len && s[i] != '"'; i++)
					if (s[i] == '\\')
						i++;
			}
			while (i < len && s[i] != ';')
				i++;
			continue;
		}
		raws = xreallocarray(raws, n + 1, sizeof(*raws));
		p = &raws[n++];
		p->name = base;
		p->section = section;
		p->extended = ext;
		p->used = false;
		buf_init(&p->value, RFC2231_VALUE_MAX);
		if (i < len && s[i] == '"') {
			/* Quoted string (RFC 2045 §5.1 / RFC 5322 §3.2.4); an
			 * unterminated one runs to the end. */
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				if (s[i] != '\r' && s[i] != '\n')
					buf_addc(&p->value, s[i]);
			}
			if (i < len)
				i++;
			while (i < len && s[i] != ';')
				i++;
		} else {
			/* A token; mailers leave spaces in unquoted names, so
			 * take everything to the ';' and trim. */
			j = i;
			while (i < len && s[i] != ';')
				i++;
			ne = i;
			while (ne > j && is_wsp(s[ne - 1]))
				ne--;
			for (; j < ne; j++)
				if (s[j] != '\r' && s[j] != '\n')
					buf_addc(&p->value, s[j]);
		}
	}
	for (i = 0; i < n; i++) {
		bool rfc2231_form = false;
		size_t k, plain = n;

		if (v->count == RFC2231_PARAMS_MAX)
			break;
		if (rfc2231_param(v, raws[i].name) != NULL)
			continue;
		for (k = i; k < n; k++) {
			if (strcmp(raws[k].name, raws[i].name) != 0)
				continue;
			if (raws[k].section >= 0 || raws[k].extended)
				rfc2231_form = true;
			else if (plain == n)
				plain = k;
		}
		value_add_param(v, xstrdup(raws[i].name),
		    join_param(raws, n, rfc2231_form ? i : plain, rfc2231_form, fallback));
	}
	for (i = 0; i < n; i++) {
		free(raws[i].name);
		buf_free(&raws[i].value);
	}
	free(raws);
	return v;
}

void
rfc2231_value_destroy(struct rfc2231_value **value)
{
	size_t i;

	if (*value == NULL)
		return;
	for (i = 0; i < (*value)->count; i++) {
		free((*value)->params[i].name);
		free((*value)->params[i].value);
	}
	free((*value)->params);
	free((*value)->token);
	free(*value);
	*value = NULL;
}

const char *
rfc2231_param(const struct rfc2231_value *value, const char *name)
{
	size_t i, j;

	for (i = 0; i < value->count; i++) {
		const char *a = value->params[i].name;

		for (j = 0; a[j] != '\0' && lower(name[j]) == a[j]; j++)
			;
		if (a[j] == '\0' && name[j] == '\0')
			return value->params[i].value;
	}
	return NULL;
}

int
rfc2231_filename_sanitize(const char *name, struct buf *out)
{
	const char *base = name, *p;
	size_t i, len;

	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* "C:evil.exe" */
	if (((base[0] >= 'A' && base[0] <= 'Z') || (base[0] >= 'a' && base[0] <= 'z')) &&
	    base[1] == ':')
		base += 2;
	while (*base == ' ' || *base == '\t')
		base++;
	len = strlen(base);
	while (len > 0 && (base[len - 1] == ' ' || base[len - 1] == '\t'))
		len--;
	if ((len == 1 && base[0] == '.') || (len == 2 && base[0] == '.' && base[1] == '.'))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)base[i];

		if (buf_addc(out, (c < 0x20 || c == 0x7f) ? '_' : (char)c) != 0)
			return -1;
	}
	return 0;
}
