/* RFC 5322 date parsing into UTC time_t, tolerant of what real mail holds. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/str.h"
#include "mime/date.h"

#define DATE_MAX_TOKENS	64
#define DATE_WORD_MAX	16

enum date_tok_kind {
	DATE_TOK_NUM,
	DATE_TOK_WORD,
	DATE_TOK_COLON,
	DATE_TOK_DOT,
};

struct date_tok {
	enum date_tok_kind kind;
	char sign;			/* '+', '-' or 0 right before a number */
	unsigned ndigits;
	uint32_t value;			/* numbers over 9 digits are refused */
	char word[DATE_WORD_MAX];	/* lowercased, truncated */
	bool word_long;			/* the word did not fit */
	size_t start, end;		/* byte offsets in the input */
};

struct date_state {
	int year, month, day, hour, min, sec;
	int dow;			/* 0 = Sunday, -1 when absent */
	int zone;			/* minutes east of UTC */
	int zone_prio;			/* 0 none, 1 by name, 2 numeric */
	int flags;
	bool have_time, have_year, have_pm, have_am;
};

static const char *const date_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};
static const char *const date_months_long[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};
static const char *const date_days[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};
static const char *const date_days_long[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"
};

/* Offsets in minutes east of UTC. The first group is RFC 5322 section
 * 4.3; the rest are names common in real mail that mean one thing only.
 * Names that mean several zones (BST, IST, AST...) are left out on
 * purpose, so they read as unknown. */
static const struct {
	const char *name;
	int offset;
} date_zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "wet", 0 }, { "west", 60 }, { "cet", 60 }, { "cest", 120 },
	{ "met", 60 }, { "mest", 120 }, { "eet", 120 }, { "eest", 180 },
	{ "msk", 180 }, { "jst", 540 }, { "kst", 540 }, { "hkt", 480 },
	{ "sgt", 480 }, { "aest", 600 }, { "aedt", 660 }, { "acst", 570 },
	{ "acdt", 630 }, { "awst", 480 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "hst", -600 }, { "akst", -540 }, { "akdt", -480 },
};

static int
date_lookup(const char *w, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w, names[i]) == 0)
			return (int)i;
	return -1;
}

static bool
date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
date_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Splits the input into numbers, words, ':' and '.'; comments (RFC 5322
 * section 3.2.2, nested, with quoted-pairs), white space, commas and
 * other punctuation only separate. Returns the token count or -1. */
static int
date_tokenize(const char *s, size_t len, struct date_tok *toks)
{
	size_t i = 0, depth;
	int n = 0;

	while (i < len) {
		char c = s[i];
		struct date_tok *t;

		if (c == '(') {
			depth = 0;
			for (; i < len; i++) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				else if (s[i] == '(')
					depth++;
				else if (s[i] == ')' && --depth == 0) {
					i++;
					break;
				}
			}
			continue;
		}
		if (!date_is_digit(c) && !date_is_alpha(c) && c != ':' && c != '.' &&
		    !((c == '+' || c == '-') && i + 1 < len && date_is_digit(s[i + 1]))) {
			i++;
			continue;
		}
		if (n == DATE_MAX_TOKENS)
			return -1;
		t = &toks[n++];
		memset(t, 0, sizeof *t);
		t->start = i;
		if (c == ':' || c == '.') {
			t->kind = c == ':' ? DATE_TOK_COLON : DATE_TOK_DOT;
			i++;
		} else if (date_is_alpha(c)) {
			size_t k = 0;

			t->kind = DATE_TOK_WORD;
			for (; i < len && date_is_alpha(s[i]); i++) {
				if (k + 1 < DATE_WORD_MAX)
					t->word[k++] = (char)(s[i] | 0x20);
				else
					t->word_long = true;
			}
		} else {
			t->kind = DATE_TOK_NUM;
			if (c == '+' || c == '-') {
				t->sign = c;
				i++;
			}
			for (; i < len && date_is_digit(s[i]); i++) {
				if (++t->ndigits > 9)
					return -1;
				t->value = t->value * 10 + (uint32_t)(s[i] - '0');
			}
		}
		t->end = i;
	}
	return n;
}

static bool
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
date_month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

/* Leap days in years 1 .. y-1 (proleptic Gregorian), y >= 1. */
static int64_t
date_leaps_before(int64_t y)
{
	y--;
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to y-m-d, y >= 1: our own arithmetic, so neither
 * the TZ variable nor the locale can change the result. */
static int64_t
date_days_from_civil(int y, int m, int d)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
	    273, 304, 334 };
	int64_t days;

	days = (int64_t)365 * (y - 1970) + date_leaps_before(y) - date_leaps_before(1970);
	days += before[m - 1] + (m > 2 && date_is_leap(y)) + d - 1;
	return days;
}

static int
date_set_zone_word(struct date_state *st, const struct date_tok *t)
{
	size_t i;

	if (st->zone_prio == 2)
		return 0;		/* "+0200 CEST": the number wins */
	for (i = 0; i < sizeof date_zones / sizeof date_zones[0]; i++) {
		if (!t->word_long && strcmp(t->word, date_zones[i].name) == 0) {
			st->zone = date_zones[i].offset;
			st->zone_prio = 1;
			st->flags &= ~DATE_ZONE_UNKNOWN;
			return 0;
		}
	}
	/* RFC 5322 section 4.3: military zones were defined with the wrong
	 * sign, so any letter but Z means -0000 (UTC, zone unknown). Other
	 * unknown or ambiguous names get the same treatment. */
	if (st->zone_prio == 0) {
		st->zone = 0;
		st->flags |= DATE_ZONE_UNKNOWN;
	}
	return 0;
}

/* "+HHMM" (RFC 5322 section 3.3), "+HH:MM" and "+HH" (ISO 8601). */
static int
date_set_zone_num(struct date_state *st, const struct date_tok *t, int *i, int n)
{
	const struct date_tok *toks = t - *i;
	unsigned hh, mm = 0;

	if (t->ndigits == 4) {
		hh = t->value / 100;
		mm = t->value % 100;
	} else if (t->ndigits == 2 || t->ndigits == 1) {
		hh = t->value;
		if (*i + 2 < n && toks[*i + 1].kind == DATE_TOK_COLON &&
		    toks[*i + 2].kind == DATE_TOK_NUM && toks[*i + 2].sign == 0 &&
		    toks[*i + 2].ndigits == 2) {
			mm = toks[*i + 2].value;
			*i += 2;
		}
	} else
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	st->zone = (int)(hh * 60 + mm) * (t->sign == '-' ? -1 : 1);
	st->zone_prio = 2;
	st->flags &= ~DATE_ZONE_UNKNOWN;
	return 0;
}

/* hh:mm[:ss[.fraction]]; *i is on hh. */
static int
date_read_time(struct date_state *st, const struct date_tok *toks, int *i, int n)
{
	int k = *i;

	if (toks[k].ndigits > 2 || k + 2 >= n || toks[k + 2].kind != DATE_TOK_NUM ||
	    toks[k + 2].sign != 0 || toks[k + 2].ndigits != 2)
		return -1;
	st->hour = (int)toks[k].value;
	st->min = (int)toks[k + 2].value;
	k += 2;
	if (k + 2 < n && toks[k + 1].kind == DATE_TOK_COLON &&
	    toks[k + 2].kind == DATE_TOK_NUM && toks[k + 2].sign == 0 &&
	    toks[k + 2].ndigits == 2) {
		st->sec = (int)toks[k + 2].value;
		k += 2;
		/* Fractions of a second (ISO 8601) are dropped. */
		if (k + 2 < n && toks[k + 1].kind == DATE_TOK_DOT &&
		    toks[k + 1].start == toks[k].end && toks[k + 2].kind == DATE_TOK_NUM &&
		    toks[k + 2].sign == 0 && toks[k + 2].start == toks[k + 1].end)
			k += 2;
	}
	if (st->hour > 23 || st->min > 59 || st->sec > 60)
		return -1;
	st->have_time = true;
	*i = k;
	return 0;
}

static int
date_set_year(struct date_state *st, const struct date_tok *t)
{
	int y = (int)t->value;

	/* RFC 5322 section 4.3: two-digit years 00-49 are 20xx, 50-99 are
	 * 19xx; three-digit years count from 1900. */
	if (t->ndigits == 2)
		y += y < 50 ? 2000 : 1900;
	else if (t->ndigits == 3)
		y += 1900;
	else if (t->ndigits != 4)
		return -1;
	if (y < 1900 || y > 9999)
		return -1;
	st->year = y;
	st->have_year = true;
	return 0;
}

/* "2024-05-01" at the start: ISO 8601 as some mailers write it. */
static int
date_read_iso_date(struct date_state *st, const struct date_tok *toks, int n)
{
	if (n < 3 || toks[0].kind != DATE_TOK_NUM || toks[0].sign != 0 ||
	    toks[0].ndigits != 4 || toks[1].kind != DATE_TOK_NUM ||
	    toks[1].sign != '-' || toks[1].ndigits != 2 || toks[1].start != toks[0].end ||
	    toks[2].kind != DATE_TOK_NUM || toks[2].sign != '-' ||
	    toks[2].ndigits != 2 || toks[2].start != toks[1].end)
		return 0;
	if (date_set_year(st, &toks[0]) == -1)
		return -1;
	st->month = (int)toks[1].value;
	st->day = (int)toks[2].value;
	return 3;
}

static int
date_interpret(struct date_state *st, const struct date_tok *toks, int n)
{
	int i, k;

	i = date_read_iso_date(st, toks, n);
	if (i == -1)
		return -1;
	/* "2024-05-01T09:30:00Z": the T glued to the time is no zone. */
	if (i == 3 && i < n && toks[i].kind == DATE_TOK_WORD &&
	    strcmp(toks[i].word, "t") == 0 && toks[i].start == toks[i - 1].end)
		i++;
	for (; i < n; i++) {
		const struct date_tok *t = &toks[i];

		if (t->kind == DATE_TOK_COLON || t->kind == DATE_TOK_DOT)
			continue;
		if (t->kind == DATE_TOK_WORD) {
			if (t->word_long)
				k = -1;
			else if ((k = date_lookup(t->word, date_months, 12)) == -1 &&
			    (k = date_lookup(t->word, date_months_long, 12)) == -1 &&
			    strcmp(t->word, "sept") == 0)
				k = 8;
			if (k != -1 && st->month == 0) {
				st->month = k + 1;
				continue;
			}
			if ((k = date_lookup(t->word, date_days, 7)) == -1)
				k = date_lookup(t->word, date_days_long, 7);
			if (k != -1) {
				st->dow = k;
				continue;
			}
			if (st->have_time && strcmp(t->word, "pm") == 0) {
				st->have_pm = true;
				continue;
			}
			if (st->have_time && strcmp(t->word, "am") == 0) {
				st->have_am = true;
				continue;
			}
			/* Words before the time ("Date:", "at") are noise. */
			if (st->have_time && date_set_zone_word(st, t) == -1)
				return -1;
			continue;
		}
		/* A number. */
		if (i + 1 < n && toks[i + 1].kind == DATE_TOK_COLON && !st->have_time &&
		    t->sign == 0) {
			if (date_read_time(st, toks, &i, n) == -1)
				return -1;
			continue;
		}
		if (t->sign != 0 && st->have_time && st->zone_prio < 2) {
			if (date_set_zone_num(st, t, &i, n) == -1)
				return -1;
			continue;
		}
		if (t->ndigits <= 2 && st->day == 0 && !st->have_year) {
			st->day = (int)t->value;
			continue;
		}
		if (!st->have_year) {
			if (date_set_year(st, t) == -1)
				return -1;
			continue;
		}
		/* The date and time are whole: a number after them is a broken
		 * zone ("H0500"), read as -0000 as RFC 5322 section 4.3 does
		 * with zones it cannot trust. Before that, it is one too many. */
		if (st->have_time && st->day != 0 && st->month != 0 && st->zone_prio < 2) {
			if (st->zone_prio == 0)
				st->flags |= DATE_ZONE_UNKNOWN;
			continue;
		}
		return -1;		/* a number too many */
	}
	return 0;
}

int
date_parse(const char *s, size_t len, time_t *t_r, int *flags_r)
{
	struct date_tok toks[DATE_MAX_TOKENS];
	struct date_state st;
	int n;
	int64_t t;

	if (len > DATE_MAX_LEN)
		return -1;
	if ((n = date_tokenize(s, len, toks)) <= 0)
		return -1;
	memset(&st, 0, sizeof st);
	st.dow = -1;
	if (date_interpret(&st, toks, n) == -1)
		return -1;
	if (!st.have_year || st.month < 1 || st.month > 12 || st.day < 1 ||
	    st.day > date_month_days(st.year, st.month))
		return -1;
	if (st.have_am || st.have_pm) {
		if (st.hour < 1 || st.hour > 12)
			return -1;
		st.hour %= 12;
		if (st.have_pm)
			st.hour += 12;
	}
	if (!st.have_time)
		st.flags |= DATE_TIME_MISSING;
	if (st.zone_prio == 0 && !(st.flags & DATE_ZONE_UNKNOWN))
		st.flags |= DATE_ZONE_MISSING;
	t = date_days_from_civil(st.year, st.month, st.day);
	/* 1970-01-01 was a Thursday. */
	if (st.dow != -1 && ((t % 7 + 7 + 4) % 7) != st.dow)
		st.flags |= DATE_DOW_MISMATCH;
	t = t * 86400 + st.hour * 3600 + st.min * 60 + st.sec - (int64_t)st.zone * 60;
	if ((int64_t)(time_t)t != t)
		return -1;
	*t_r = (time_t)t;
	if (flags_r != NULL)
		*flags_r = st.flags;
	return 0;
}

static void
date_put(char *p, unsigned v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

int
date_format_iso_utc(time_t t, char buf[DATE_ISO_SIZE])
{
	int64_t days, secs, y;
	int m;

	days = (int64_t)t / 86400;
	secs = (int64_t)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	if (days < date_days_from_civil(1, 1, 1) || days >= date_days_from_civil(9999, 12, 31) + 1)
		return -1;
	/* Guess the year, then correct it by at most a step or two. */
	y = 1970 + days / 366;
	if (y < 1)
		y = 1;
	if (y > 9999)
		y = 9999;
	while (y > 1 && date_days_from_civil((int)y, 1, 1) > days)
		y--;
	while (y < 9999 && date_days_from_civil((int)y + 1, 1, 1) <= days)
		y++;
	days -= date_days_from_civil((int)y, 1, 1);
	for (m = 1; m < 12 && days >= date_month_days((int)y, m); m++)
		days -= date_month_days((int)y, m);
	memcpy(buf, "0000-00-00T00:00:00Z", DATE_ISO_SIZE);
	date_put(buf, (unsigned)y, 4);
	date_put(buf + 5, (unsigned)m, 2);
	date_put(buf + 8, (unsigned)days + 1, 2);
	date_put(buf + 11, (unsigned)(secs / 3600), 2);
	date_put(buf + 14, (unsigned)(secs / 60 % 60), 2);
	date_put(buf + 17, (unsigned)(secs % 60), 2);
	return 0;
}

int
date_format_rfc5322(time_t t, char buf[DATE_RFC5322_SIZE])
{
	/* As mail writes them (the tables above are for matching). */
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	long off, aoff;
	int n;

	if (localtime_r(&t, &tm) == NULL || tm.tm_year < 0 || tm.tm_year > 9999 - 1900 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_wday < 0 || tm.tm_wday > 6)
		return -1;
	off = tm.tm_gmtoff / 60;
	aoff = off < 0 ? -off : off;
	n = snprintf(buf, DATE_RFC5322_SIZE, "%.3s, %02d %.3s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days + tm.tm_wday * 3, tm.tm_mday, months + tm.tm_mon * 3, tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', aoff / 60 % 100, aoff % 60);
	return n > 0 && n < DATE_RFC5322_SIZE ? 0 : -1;
}
