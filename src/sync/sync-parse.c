/* The pure parts of sync. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/envelope.h"
#include "sync/sync-parse.h"

/* A UID set longer than this is not one a server sends for one folder. */
#define SYNC_UID_SET_RANGES_MAX 1000000

static int
sync_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* FLAGS list to index bits and a keyword string (sorted, deduplicated,
 * at most SYNC_KEYWORDS_MAX; \Recent and other system flags dropped).
 * keywords_r: a new string. */
static void
sync_flags_parse(const struct imap_arg *list, size_t count, uint32_t *flags_r,
    char **keywords_r)
{
	const char *kw[SYNC_KEYWORDS_MAX];
	size_t i, nkw = 0;
	struct buf b;

	*flags_r = 0;
	for (i = 0; i < count; i++) {
		const char *atom;
		uint32_t bit;

		if (!imap_arg_get_atom(&list[i], &atom))
			continue;
		bit = index_flag_bit(atom);
		*flags_r |= bit;
		/* Other system flags (\Recent, \*) are no keywords. */
		if (bit != 0 || atom[0] == '\\' || atom[0] == '\0' || nkw == SYNC_KEYWORDS_MAX)
			continue;
		kw[nkw++] = atom;
	}
	qsort(kw, nkw, sizeof(kw[0]), sync_strcmp);
	buf_init(&b, 64 * 1024);
	for (i = 0; i < nkw; i++) {
		if (i > 0 && strcmp(kw[i], kw[i - 1]) == 0)
			continue;
		if (buf_len(&b) > 0)
			(void)buf_addc(&b, ' ');
		(void)buf_addstr(&b, kw[i]);
	}
	*keywords_r = buf_len(&b) > 0 ? buf_detach(&b) : xstrdup("");
	buf_free(&b);
}

int
sync_imap_date(const char *s, size_t len, int64_t *t_r)
{
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	char tmp[40], mon[4], sign;
	int day, year, hh, mm, ss, zone, n = 0, m;
	int64_t y, days;

	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (sscanf(tmp, " %2d-%3c-%4d %2d:%2d:%2d %c%4d%n", &day, mon, &year, &hh, &mm, &ss,
	    &sign, &zone, &n) != 8 || (size_t)n != len || (sign != '+' && sign != '-') ||
	    zone < 0)
		return -1;
	mon[3] = '\0';
	for (m = 0; m < 12; m++)
		if (str_casecmp(mon, months[m]) == 0)
			break;
	if (m == 12 || day < 1 || day > 31 || year < 1900 || hh > 23 || mm > 59 ||
	    ss > 60 || zone % 100 > 59)
		return -1;
	/* Days since 1970 from the civil date (March-based year), without
	 * the C library's idea of the local time zone. */
	y = year - (m < 2);
	days = 365 * y + y / 4 - y / 100 + y / 400 +
	    (153 * (m < 2 ? m + 10 : m - 2) + 2) / 5 + day - 1 - 719468;
	*t_r = days * 86400 + hh * 3600 + mm * 60 + ss -
	    (sign == '-' ? -1 : 1) * ((zone / 100) * 3600 + (zone % 100) * 60);
	return 0;
}

int
sync_fetch_parse(const struct imap_arg *items, size_t count, struct sync_fetch *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i + 1 < count; i += 2) {
		const struct imap_arg *v = &items[i + 1];
		const char *name, *str;
		const struct imap_arg *list;
		size_t n, len;
		uint64_t num;

		if (!imap_arg_get_atom(&items[i], &name))
			goto bad;
		if (str_caseeq(name, "UID")) {
			if (!imap_arg_get_number(v, &num) || num == 0 || num > UINT32_MAX)
				goto bad;
			f->uid = (uint32_t)num;
		} else if (str_caseeq(name, "FLAGS")) {
			if (!imap_arg_get_list(v, &list, &n))
				goto bad;
			free(f->keywords);
			sync_flags_parse(list, n, &f->flags, &f->keywords);
			f->have_flags = true;
		} else if (str_caseeq(name, "MODSEQ")) {
			if (!imap_arg_get_list(v, &list, &n) || n != 1 ||
			    !imap_arg_get_number(&list[0], &num))
				goto bad;
			f->modseq = num;
		} else if (str_caseeq(name, "INTERNALDATE")) {
			if (!imap_arg_get_string(v, &str, &len) ||
			    sync_imap_date(str, len, &f->internaldate) != 0)
				f->internaldate = 0;	/* a bad date is no reason to lose the message */
		} else if (str_caseeq(name, "RFC822.SIZE")) {
			if (!imap_arg_get_number(v, &num))
				goto bad;
			f->size = num > UINT32_MAX ? UINT32_MAX : (uint32_t)num;
		} else if (str_has_prefix(name, "BODY[HEADER.FIELDS") ||
		    str_has_prefix(name, "body[header.fields")) {
			if (imap_arg_is_nil(v)) {
				f->header = "";
				f->header_len = 0;
			} else if (!imap_arg_get_string(v, &f->header, &f->header_len)) {
				goto bad;
			}
		}
		/* Anything else is not ours to read. */
	}
	if (f->keywords == NULL)
		f->keywords = xstrdup("");
	return 0;
bad:
	sync_fetch_free(f);
	return -1;
}

void
sync_fetch_free(struct sync_fetch *f)
{
	free(f->keywords);
	memset(f, 0, sizeof(*f));
}

static int
sync_range_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int
sync_uid_number(const char **p, uint32_t *n_r)
{
	uint64_t n = 0;
	const char *s = *p;

	if (*s == '*') {
		*n_r = UINT32_MAX;
		*p = s + 1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		n = n * 10 + (uint64_t)(*s - '0');
		if (n > UINT32_MAX)
			return -1;
		s++;
	}
	if (n == 0)
		return -1;
	*n_r = (uint32_t)n;
	*p = s;
	return 0;
}

int
sync_uid_set_parse(const char *set, struct sync_uid_set *r)
{
	const char *p = set;
	size_t cap = 0, i, out;

	memset(r, 0, sizeof(*r));
	for (;;) {
		uint32_t lo, hi;

		if (sync_uid_number(&p, &lo) != 0)
			goto bad;
		hi = lo;
		if (*p == ':') {
			p++;
			if (sync_uid_number(&p, &hi) != 0)
				goto bad;
		}
		if (lo > hi) {
			uint32_t t = lo;

			lo = hi;
			hi = t;
		}
		if (r->nranges == SYNC_UID_SET_RANGES_MAX)
			goto bad;
		if (r->nranges == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			r->ranges = xreallocarray(r->ranges, cap, sizeof(*r->ranges));
		}
		r->ranges[r->nranges].lo = lo;
		r->ranges[r->nranges].hi = hi;
		r->nranges++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	qsort(r->ranges, r->nranges, sizeof(*r->ranges), sync_range_cmp);
	for (i = 1, out = 0; i < r->nranges; i++) {
		if (r->ranges[i].lo <= r->ranges[out].hi ||
		    r->ranges[i].lo - 1 == r->ranges[out].hi) {
			if (r->ranges[i].hi > r->ranges[out].hi)
				r->ranges[out].hi = r->ranges[i].hi;
		} else {
			r->ranges[++out] = r->ranges[i];
		}
	}
	r->nranges = out + 1;
	for (i = 0; i < r->nranges; i++)
		r->count += (uint64_t)r->ranges[i].hi - r->ranges[i].lo + 1;
	return 0;
bad:
	sync_uid_set_free(r);
	return -1;
}

bool
sync_uid_set_contains(const struct sync_uid_set *set, uint32_t uid)
{
	size_t lo = 0, hi = set->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (uid < set->ranges[mid].lo)
			hi = mid;
		else if (uid > set->ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

void
sync_uid_set_free(struct sync_uid_set *set)
{
	free(set->ranges);
	memset(set, 0, sizeof(*set));
}

void
sync_uids_init(struct sync_uids *u)
{
	memset(u, 0, sizeof(*u));
}

void
sync_uids_add(struct sync_uids *u, uint32_t uid)
{
	if (u->n == u->cap) {
		u->cap = u->cap == 0 ? 1024 : u->cap * 2;
		u->v = xreallocarray(u->v, u->cap, sizeof(*u->v));
	}
	u->v[u->n++] = uid;
}

static int
sync_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
sync_uids_sort(struct sync_uids *u)
{
	if (u->n > 1)
		qsort(u->v, u->n, sizeof(*u->v), sync_u32_cmp);
}

bool
sync_uids_contains(const struct sync_uids *u, uint32_t uid)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->v[mid] < uid)
			lo = mid + 1;
		else if (u->v[mid] > uid)
			hi = mid;
		else
			return true;
	}
	return false;
}

void
sync_uids_free(struct sync_uids *u)
{
	free(u->v);
	memset(u, 0, sizeof(*u));
}

void
sync_uids_unique(struct sync_uids *u)
{
	size_t i, j;

	sync_uids_sort(u);
	for (i = j = 0; i < u->n; i++) {
		if (j == 0 || u->v[j - 1] != u->v[i])
			u->v[j++] = u->v[i];
	}
	u->n = j;
}

char *
sync_uids_format(const struct sync_uids *u, size_t *pos, size_t max_len)
{
	struct buf b;
	size_t i = *pos;

	if (i >= u->n)
		return NULL;
	buf_init(&b, SIZE_MAX);
	while (i < u->n && (buf_len(&b) == 0 || buf_len(&b) + 24 <= max_len)) {
		size_t j = i;

		while (j + 1 < u->n && u->v[j + 1] == u->v[j] + 1)
			j++;
		if (buf_len(&b) > 0)
			buf_addc(&b, ',');
		if (j == i)
			buf_printf(&b, "%" PRIu32, u->v[i]);
		else
			buf_printf(&b, "%" PRIu32 ":%" PRIu32, u->v[i], u->v[j]);
		i = j + 1;
	}
	*pos = i;
	return buf_detach(&b);
}

int
sync_uids_add_set(struct sync_uids *u, const char *set, uint64_t max)
{
	struct sync_uid_set parsed;
	size_t i;

	if (sync_uid_set_parse(set, &parsed) != 0)
		return -1;
	if (parsed.count > max || (parsed.nranges > 0 &&
	    parsed.ranges[parsed.nranges - 1].hi == UINT32_MAX)) {
		sync_uid_set_free(&parsed);
		return -1;
	}
	for (i = 0; i < parsed.nranges; i++) {
		uint32_t uid;

		for (uid = parsed.ranges[i].lo; ; uid++) {
			sync_uids_add(u, uid);
			if (uid == parsed.ranges[i].hi)
				break;
		}
	}
	sync_uid_set_free(&parsed);
	return 0;
}

int
sync_search_parse(const struct imap_response *r, struct sync_uids *u, uint64_t max)
{
	size_t i = 1;
	const char *set;

	if (r->text != NULL || r->count < 1)
		return -1;
	if (imap_arg_atom_equals(&r->args[0], "SEARCH")) {
		for (; i < r->count; i++) {
			uint64_t n;

			/* (MODSEQ n) may end a SEARCH answer (CONDSTORE). */
			if (r->args[i].type == IMAP_ARG_LIST && i + 1 == r->count)
				break;
			if (!imap_arg_get_number(&r->args[i], &n) || n == 0 || n > UINT32_MAX ||
			    u->n >= max)
				return -1;
			sync_uids_add(u, (uint32_t)n);
		}
		return 0;
	}
	if (!imap_arg_atom_equals(&r->args[0], "ESEARCH"))
		return -1;
	if (i < r->count && r->args[i].type == IMAP_ARG_LIST)
		i++;		/* (TAG "t") */
	if (i < r->count && imap_arg_atom_equals(&r->args[i], "UID"))
		i++;
	for (; i + 1 < r->count; i += 2) {
		if (!imap_arg_atom_equals(&r->args[i], "ALL"))
			continue;
		if (!imap_arg_get_atom(&r->args[i + 1], &set) ||
		    sync_uids_add_set(u, set, max - u->n) != 0)
			return -1;
	}
	return 0;
}

void
sync_envelope_fill(struct index_msg_in *m, const struct envelope *env)
{
	if (env->has_attachment)
		m->flags |= INDEX_HAS_ATTACHMENT;
	m->date = env->date == ENVELOPE_NO_DATE ? INDEX_NO_DATE : env->date;
	m->str[INDEX_STR_SUBJECT] = env->subject;
	m->str[INDEX_STR_FROM] = env->from;
	m->str[INDEX_STR_TO] = env->to;
	m->str[INDEX_STR_CC] = env->cc;
	m->str[INDEX_STR_MESSAGE_ID] = env->message_id;
	m->str[INDEX_STR_IN_REPLY_TO] = env->in_reply_to;
	m->str[INDEX_STR_REFERENCES] = env->references;
	m->str[INDEX_STR_LIST_ID] = env->list_id;
}
