/* Unit tests for mail date parsing: a table of Date: values seen in real
 * mail, each with the UTC time it must give (NULL when hopeless). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/str.h"
#include "mime/date.h"
#include "tap.h"

#define ANY	(-1)
#define MISS	DATE_ZONE_MISSING
#define UNK	DATE_ZONE_UNKNOWN
#define DOW	DATE_DOW_MISMATCH
#define NOTIME	DATE_TIME_MISSING

static const struct {
	const char *in;
	const char *want;		/* NULL: hopeless */
	int flags;			/* ANY: not checked */
} cases[] = {
	/* RFC 5322 section 3.3 and Appendix A. */
	{ "Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z", 0 },
	{ "Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z", 0 },
	{ "Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-14T03:02:54Z", 0 },
	{ "Wed, 01 May 2024 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 +0200", "2024-05-01T07:30:00Z", 0 },
	{ "1 May 2024 09:30:00 +0200", "2024-05-01T07:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30 +0200", "2024-05-01T07:30:00Z", 0 },
	{ "Wed, 1 May 2024 23:59:60 +0000", "2024-05-02T00:00:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 -0000", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 +2359", "2024-04-30T09:31:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 -2359", "2024-05-02T09:29:00Z", 0 },
	/* Comments and folding white space (RFC 5322 section 3.2.2). */
	{ "Mon, 3 Jun 2019 10:34:20 -0700 (PDT)", "2019-06-03T17:34:20Z", 0 },
	{ "Wed, 01 May 2024 09:30:00 +0200 (CEST)", "2024-05-01T07:30:00Z", 0 },
	{ "Wed, 01 May 2024 09:30:00 +0000 (GMT)", "2024-05-01T09:30:00Z", 0 },
	{ "(a comment) Wed, 1 May 2024 09:30:00 +0100", "2024-05-01T08:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 +0100 (nested (comment) here)", "2024-05-01T08:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 +0100 (escaped \\) paren)", "2024-05-01T08:30:00Z", 0 },
	{ "  Wed,\r\n\t1   May\t 2024  09:30:00   +0100  ", "2024-05-01T08:30:00Z", 0 },
	{ "Wed ,1 May 2024 09:30:00 +0100", "2024-05-01T08:30:00Z", 0 },
	{ "Wed, 1 May, 2024 09:30:00 +0100", "2024-05-01T08:30:00Z", 0 },
	{ "Wed., 1. May. 2024 09:30:00 +0100", "2024-05-01T08:30:00Z", 0 },
	/* Obsolete zones (RFC 5322 section 4.3). */
	{ "Wed, 1 May 2024 09:30:00 GMT", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 UT", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 UTC", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 Z", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 EST", "2024-05-01T14:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 EDT", "2024-05-01T13:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 CST", "2024-05-01T15:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 CDT", "2024-05-01T14:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 MST", "2024-05-01T16:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 MDT", "2024-05-01T15:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 PST", "2024-05-01T17:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 pdt", "2024-05-01T16:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 A", "2024-05-01T09:30:00Z", UNK },
	{ "Wed, 1 May 2024 09:30:00 M", "2024-05-01T09:30:00Z", UNK },
	{ "Wed, 1 May 2024 09:30:00 y", "2024-05-01T09:30:00Z", UNK },
	/* Common names outside the RFC; ambiguous ones read as unknown. */
	{ "Wed, 1 May 2024 09:30:00 CEST", "2024-05-01T07:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 CET", "2024-05-01T08:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 JST", "2024-05-01T00:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 BST", "2024-05-01T09:30:00Z", UNK },
	{ "Wed, 1 May 2024 09:30:00 IST", "2024-05-01T09:30:00Z", UNK },
	{ "Wed, 1 May 2024 09:30:00 Europe/Berlin", "2024-05-01T09:30:00Z", UNK },
	{ "Wed, 1 May 2024 09:30:00 GMT+0200", "2024-05-01T07:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00 +0200 CEST", "2024-05-01T07:30:00Z", 0 },
	{ "Wed, 1 May 2024 09:30:00", "2024-05-01T09:30:00Z", MISS },
	{ "Wed, 1 May 2024 09:30:00 +02:00", "2024-05-01T07:30:00Z", 0 },
	/* Day-of-week optional, ignored when wrong; names in any case. */
	{ "Thu, 1 May 2024 09:30:00 +0000", "2024-05-01T09:30:00Z", DOW },
	{ "Wednesday, 1 May 2024 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "WED, 01 MAY 2024 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "wed, 01 may 2024 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "1 January 2024 09:30:00 +0000", "2024-01-01T09:30:00Z", 0 },
	{ "31 December 1999 23:59:59 +0000", "1999-12-31T23:59:59Z", 0 },
	{ "Sun, 1 sEpTeMbEr 2024 09:30:00 +0000", "2024-09-01T09:30:00Z", 0 },
	{ "Sun, 1 Sept 2024 09:30:00 +0000", "2024-09-01T09:30:00Z", 0 },
	{ "Tues, 3 Sep 2024 09:30:00 +0000", "2024-09-03T09:30:00Z", 0 },
	/* Two- and three-digit years (RFC 5322 section 4.3). */
	{ "Wed, 1 May 24 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "Fri, 1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z", ANY },
	{ "Sun, 1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z", 0 },
	{ "Fri, 31 Dec 99 23:59:59 +0000", "1999-12-31T23:59:59Z", 0 },
	{ "Sat, 1 Jan 00 00:00:00 +0000", "2000-01-01T00:00:00Z", 0 },
	{ "Sat, 1 Jan 100 00:00:00 +0000", "2000-01-01T00:00:00Z", 0 },
	{ "Wed, 1 May 124 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	/* Leap years. */
	{ "Thu, 29 Feb 2024 12:00:00 +0000", "2024-02-29T12:00:00Z", 0 },
	{ "Tue, 29 Feb 2000 12:00:00 +0000", "2000-02-29T12:00:00Z", 0 },
	{ "29 Feb 2023 12:00:00 +0000", NULL, 0 },
	{ "29 Feb 1900 12:00:00 +0000", NULL, 0 },
	{ "Mon, 1 Mar 2100 00:00:00 +0000", "2100-03-01T00:00:00Z", 0 },
	/* Zone crossings of midnight, month and year. */
	{ "Wed, 31 Dec 2025 23:30:00 -0100", "2026-01-01T00:30:00Z", ANY },
	{ "Thu, 1 Jan 1970 00:30:00 +0100", "1969-12-31T23:30:00Z", 0 },
	{ "Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z", 0 },
	{ "Tue, 19 Jan 2038 03:14:08 +0000", "2038-01-19T03:14:08Z", 0 },
	/* ISO 8601 forms from broken mailers. */
	{ "2024-05-01 09:30:00 +0200", "2024-05-01T07:30:00Z", 0 },
	{ "2024-05-01T09:30:00Z", "2024-05-01T09:30:00Z", 0 },
	{ "2024-05-01T09:30:00+02:00", "2024-05-01T07:30:00Z", 0 },
	{ "2024-05-01T09:30:00.123-05:00", "2024-05-01T14:30:00Z", 0 },
	{ "2024-05-01 09:30:00", "2024-05-01T09:30:00Z", MISS },
	{ "2024-05-01", "2024-05-01T00:00:00Z", MISS | NOTIME },
	/* ctime/asctime and date(1) output. */
	{ "Wed May  1 09:30:00 2024", "2024-05-01T09:30:00Z", MISS },
	{ "Wed May 1 09:30:00 UTC 2024", "2024-05-01T09:30:00Z", 0 },
	{ "Wed May 01 09:30:00 PDT 2024", "2024-05-01T16:30:00Z", 0 },
	{ "Wed May  1 09:30:00 +0200 2024", "2024-05-01T07:30:00Z", 0 },
	/* Other forms seen in the wild. */
	{ "May 1, 2024 9:30 PM", "2024-05-01T21:30:00Z", MISS },
	{ "May 1, 2024 12:05 AM", "2024-05-01T00:05:00Z", MISS },
	{ "01-May-2024 09:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024 9:30:00 +0000", "2024-05-01T09:30:00Z", 0 },
	{ "Wed, 1 May 2024", "2024-05-01T00:00:00Z", MISS | NOTIME },
	/* Hopeless. */
	{ "", NULL, 0 },
	{ "   ", NULL, 0 },
	{ "(just a comment)", NULL, 0 },
	{ "yesterday", NULL, 0 },
	{ "Wed, 1 Foo 2024 09:30:00 +0000", NULL, 0 },
	{ "Wed, 32 May 2024 09:30:00 +0000", NULL, 0 },
	{ "Wed, 0 May 2024 09:30:00 +0000", NULL, 0 },
	{ "Wed, 31 Apr 2024 09:30:00 +0000", NULL, 0 },
	{ "Wed, 1 May 2024 24:00:00 +0000", NULL, 0 },
	{ "Wed, 1 May 2024 09:60:00 +0000", NULL, 0 },
	{ "Wed, 1 May 2024 09:30:61 +0000", NULL, 0 },
	{ "Wed, 1 May 2024 09:30:00 +2400", NULL, 0 },
	{ "Wed, 1 May 2024 09:30:00 +0160", NULL, 0 },
	{ "Wed, 1 May 2024 09:30:00 +020", NULL, 0 },
	{ "Wed, 1 May 1899 09:30:00 +0000", NULL, 0 },
	{ "Wed, 1 May 5 09:30:00 +0000", NULL, 0 },
	{ "Wed, 1 May 12345 09:30:00 +0000", NULL, 0 },
	{ "Wed, 1 May 2024 09:30:00 +0000 2025", NULL, 0 },
	{ "Fri, 3 May 2024 16:21:05 H0500", "2024-05-03T16:21:05Z", DATE_ZONE_UNKNOWN },
	{ "Fri, 3 May 2024 16:21:05 0500", "2024-05-03T16:21:05Z", DATE_ZONE_UNKNOWN },
	{ "2024-13-01T09:30:00Z", NULL, 0 },
	{ "1 May 2024 13:30 PM", NULL, 0 },
	{ "99999999999999 May 2024", NULL, 0 },
	{ "Wed, 1 May 2024 09:30:00 +0000 (unterminated", "2024-05-01T09:30:00Z", 0 },
};

static void
test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char iso[DATE_ISO_SIZE] = "", name[256] = "";
		time_t t = 0;
		int flags = 0, r;

		/* Keep CR and LF out of the TAP stream. */
		str_escape_for_message(name, sizeof name, cases[i].in, strlen(cases[i].in));
		r = date_parse(cases[i].in, strlen(cases[i].in), &t, &flags);
		if (cases[i].want == NULL) {
			tap_is_int(r, -1, "hopeless: \"%s\"", name);
			continue;
		}
		if (r == 0)
			date_format_iso_utc(t, iso);
		if (!tap_is_str(iso, cases[i].want, "\"%s\"", name))
			continue;
		if (cases[i].flags != ANY)
			tap_is_int(flags, cases[i].flags, "flags of \"%s\"", name);
	}
}

static void
test_bytes(void)
{
	static const char nul[] = "Wed, 1 May 2024\0 09:30:00 +0000";
	char big[DATE_MAX_LEN + 2];
	time_t t = 42;
	int flags = 7;
	char iso[DATE_ISO_SIZE];

	tap_is_int(date_parse(nul, sizeof nul - 1, &t, &flags), 0,
	    "a NUL byte is just a separator");
	date_format_iso_utc(t, iso);
	tap_is_str(iso, "2024-05-01T09:30:00Z", "and the date is read through it");
	tap_is_int(date_parse("Wed, 1 May 2024 09:30:00 +0000", 15, &t, &flags), 0,
	    "the length bounds the input, not a NUL");
	date_format_iso_utc(t, iso);
	tap_is_str(iso, "2024-05-01T00:00:00Z", "only the first 15 bytes were read");
	memset(big, ' ', sizeof big);
	memcpy(big, "1 May 2024", 10);
	t = 42;
	tap_is_int(date_parse(big, sizeof big, &t, NULL), -1, "input over DATE_MAX_LEN is refused");
	tap_is_int((long long)t, 42, "and the output is left alone");
}

static void
test_format(void)
{
	char iso[DATE_ISO_SIZE];

	tap_is_int(date_format_iso_utc(0, iso), 0, "epoch formats");
	tap_is_str(iso, "1970-01-01T00:00:00Z", "epoch");
	date_format_iso_utc(-1, iso);
	tap_is_str(iso, "1969-12-31T23:59:59Z", "one second before the epoch");
	date_format_iso_utc(951782400, iso);
	tap_is_str(iso, "2000-02-29T00:00:00Z", "leap day 2000");
	date_format_iso_utc(253402300799LL, iso);
	tap_is_str(iso, "9999-12-31T23:59:59Z", "last second of 9999");
	tap_is_int(date_format_iso_utc(253402300800LL, iso), -1, "year 10000 is refused");
	date_format_iso_utc(-62135596800LL, iso);
	tap_is_str(iso, "0001-01-01T00:00:00Z", "first second of year 1");
	tap_is_int(date_format_iso_utc(-62135596801LL, iso), -1, "year 0 is refused");
}

/* Every day from 1900 to 2200 must survive format then parse. */
static void
test_round_trip(void)
{
	int64_t t;
	int bad = 0;
	char iso[DATE_ISO_SIZE];

	for (t = -2208988800LL; t < 7258118400LL; t += 86400 + 3671) {
		time_t back;

		if (date_format_iso_utc((time_t)t, iso) == -1 ||
		    date_parse(iso, strlen(iso), &back, NULL) == -1 || back != (time_t)t)
			bad++;
	}
	tap_is_int(bad, 0, "format then parse round-trips from 1900 to 2200");
}

int
main(void)
{
	test_table();
	test_bytes();
	test_format();
	test_round_trip();
	return tap_done();
}
