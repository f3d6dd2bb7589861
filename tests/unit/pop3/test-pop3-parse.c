/* Unit tests for the POP3 listing parser: LIST and UIDL answers as real
 * servers write them (Dovecot, qpopper, Exchange-style ids, comments),
 * broken ones, and the id rules that decide whether tern may ever send
 * DELE. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3/pop3-parse.h"
#include "tap.h"

static void
test_list(void)
{
	static const char dovecot[] = "1 1205\r\n2 305\r\n3 9000000000\r\n";
	struct pop3_list l;
	char *error = NULL;

	tap_ok(pop3_parse_list(dovecot, strlen(dovecot), 100, &l, &error) == 0, "LIST parses");
	tap_ok(l.count == 3, "three messages");
	tap_ok(l.v[0].num == 1 && l.v[0].size == 1205, "first: number and size");
	tap_ok(l.v[2].size == 9000000000ull, "sizes past 4 GB are kept");
	tap_ok(!l.have_uidl, "no ids before UIDL");
	pop3_list_free(&l);

	/* Numbers need not be dense: a server hides what DELE marked. */
	tap_ok(pop3_parse_list("2 10\n5 20\n", 10, 100, &l, &error) == 0 && l.count == 2 &&
	    l.v[1].num == 5, "gaps in the numbers, LF line ends");
	pop3_list_free(&l);

	tap_ok(pop3_parse_list("", 0, 100, &l, &error) == 0 && l.count == 0, "empty mailbox");
	pop3_list_free(&l);

	/* Lines that are no listing are skipped. */
	static const char noisy[] = "# comment\r\n1 100\r\nx 5\r\n 2 5\r\n3\r\n0 7\r\n4 50\r\n";
	tap_ok(pop3_parse_list(noisy, strlen(noisy), 100, &l, &error) == 0 && l.count == 2 &&
	    l.v[0].num == 1 && l.v[1].num == 4, "comments and broken lines skipped");
	pop3_list_free(&l);

	tap_ok(pop3_parse_list("2 10\r\n1 10\r\n", 12, 100, &l, &error) == -1 &&
	    strstr(error, "out of order") != NULL && l.count == 0, "out of order is refused");
	free(error);
	error = NULL;
	tap_ok(pop3_parse_list("1 1\r\n1 1\r\n", 10, 100, &l, &error) == -1,
	    "a repeated number is refused");
	free(error);
	error = NULL;
	tap_ok(pop3_parse_list("1 1\r\n2 1\r\n3 1\r\n", 15, 2, &l, &error) == -1 &&
	    strstr(error, "more than 2") != NULL, "more than max is refused, not cut");
	free(error);
	error = NULL;
	tap_ok(pop3_parse_list("99999999999 1\r\n", 15, 10, &l, &error) == 0 && l.count == 0,
	    "a number past 32 bits is skipped");
	pop3_list_free(&l);
}

static void
with_list(struct pop3_list *l, const char *listing)
{
	char *error = NULL;

	if (pop3_parse_list(listing, strlen(listing), 1000, l, &error) != 0)
		abort();
}

static void
test_uidl(void)
{
	static const char ids[] = "1 000000015ee8d1c6\r\n2 000000025ee8d1c6\r\n"
	    "3 AAMkADk0ZjE5YzA0LTM=\r\n";
	struct pop3_list l;
	char long_id[80];

	with_list(&l, "1 10\r\n2 20\r\n3 30\r\n");
	pop3_parse_uidl(ids, strlen(ids), &l);
	tap_ok(l.have_uidl, "every message has an id");
	tap_ok(strcmp(l.v[0].uidl, "000000015ee8d1c6") == 0, "Dovecot's id kept");
	tap_ok(strcmp(l.v[2].uidl, "AAMkADk0ZjE5YzA0LTM=") == 0, "base64-like id kept");
	pop3_list_free(&l);

	with_list(&l, "1 10\r\n2 20\r\n");
	pop3_parse_uidl("1 a\r\n", 5, &l);
	tap_ok(!l.have_uidl && l.v[1].uidl[0] == '\0', "a message without an id: no UIDL");
	pop3_list_free(&l);

	with_list(&l, "1 10\r\n2 20\r\n");
	pop3_parse_uidl("1 same\r\n2 same\r\n", 16, &l);
	tap_ok(!l.have_uidl, "two messages with one id: ids cannot be trusted");
	pop3_list_free(&l);

	with_list(&l, "1 10\r\n");
	memset(long_id, 'x', 71);
	long_id[71] = '\0';
	{
		char line[100];

		snprintf(line, sizeof(line), "1 %s\r\n", long_id);
		pop3_parse_uidl(line, strlen(line), &l);
	}
	tap_ok(!l.have_uidl, "an id over 70 characters is invalid");
	pop3_list_free(&l);

	with_list(&l, "1 10\r\n");
	pop3_parse_uidl("1 has space\r\n", 13, &l);
	tap_ok(!l.have_uidl, "an id with a space is invalid");
	pop3_list_free(&l);

	with_list(&l, "1 10\r\n2 20\r\n");
	pop3_parse_uidl("7 x\r\n1 a\r\n1 b\r\n2 c\r\n", 20, &l);
	tap_ok(l.have_uidl && strcmp(l.v[0].uidl, "a") == 0,
	    "unknown numbers ignored, the first id of a number kept");
	pop3_list_free(&l);

	with_list(&l, "");
	pop3_parse_uidl("", 0, &l);
	tap_ok(l.have_uidl, "an empty mailbox has ids for all of none");
	pop3_list_free(&l);
}

int
main(void)
{
	test_list();
	test_uidl();
	return tap_done();
}
