/* Dates from mail headers (RFC 5322 section 3.3, the obsolete forms of
 * section 4.3 and what broken mailers send) to UTC time_t, and back to
 * the ISO 8601 form tern prints in JSON.
 *
 * Convention: functions return 0 on success and -1 when the input is
 * hopeless (the caller shows no date, JSON null); outputs are left alone
 * on failure. */
#ifndef TERN_MIME_DATE_H
#define TERN_MIME_DATE_H

#include <stddef.h>
#include <time.h>

/* Longer input is not a date. */
#define DATE_MAX_LEN 1024

/* "2024-05-01T09:30:00Z" and its NUL. */
#define DATE_ISO_SIZE 21

/* What date_parse() had to guess; the time is still usable. */
#define DATE_ZONE_MISSING	0x01	/* no zone: read as UTC */
#define DATE_ZONE_UNKNOWN	0x02	/* unknown, ambiguous or military zone: UTC */
#define DATE_DOW_MISMATCH	0x04	/* the day-of-week was wrong and ignored */
#define DATE_TIME_MISSING	0x08	/* no time of day: midnight */

/* Parses len bytes of s. On success stores the UTC time in *t_r and the
 * DATE_* flags in *flags_r (flags_r may be NULL). */
int date_parse(const char *s, size_t len, time_t *t_r, int *flags_r);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC, NUL-terminated) into buf;
 * fails for years outside 1..9999. */
int date_format_iso_utc(time_t t, char buf[DATE_ISO_SIZE]);

/* "Mon, 02 Jan 2006 15:04:05 -0700" and its NUL. */
#define DATE_RFC5322_SIZE 32

/* Writes t as an RFC 5322 §3.3 date in the local time zone (TZ), with
 * English day and month names whatever the locale; fails for years
 * outside 1900..9999. */
int date_format_rfc5322(time_t t, char buf[DATE_RFC5322_SIZE]);

#endif
