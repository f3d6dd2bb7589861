/* The listings of a POP3 server (RFC 1939): LIST's "N SIZE" and UIDL's
 * "N ID" lines, as libcurl hands them over (status line and final "."
 * already removed). Pure and bounded; lines that are not a number, a
 * space and text are skipped, as a client must live with servers that
 * add comments.
 *
 * Conventions: pop3_parse_list returns 0, or -1 with *error_r (a
 * sentence, free() it) when the listing is out of order or longer than
 * max; the list is then empty. */
#ifndef TERN_POP3_POP3_PARSE_H
#define TERN_POP3_POP3_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest UIDL RFC 1939 allows is 70 characters. */
#define POP3_UIDL_MAX 70

struct pop3_msg {
	uint32_t num;
	uint64_t size;			/* octets, as LIST says */
	char uidl[POP3_UIDL_MAX + 1];	/* "" when unknown */
};

struct pop3_list {
	struct pop3_msg *v;		/* ascending num */
	size_t count;
	bool have_uidl;			/* a valid, distinct UIDL for each */
	unsigned session;		/* pop3.c: the connection that listed them */
};

int pop3_parse_list(const char *data, size_t len, size_t max, struct pop3_list *list,
    char **error_r);
/* Fills in the UIDLs of the messages list holds (numbers it does not
 * hold, invalid ids and repeated numbers are ignored) and sets
 * have_uidl when every message got one and no two are equal. */
void pop3_parse_uidl(const char *data, size_t len, struct pop3_list *list);
void pop3_list_free(struct pop3_list *list);

#endif
