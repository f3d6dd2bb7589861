/* The team state of a folder's conversations (PRODUCT.md, team folders),
 * read from a cached index: each conversation is the set of messages
 * with one ticket number (ticket.h); its status and assignee are the
 * status/ and assign/ keywords its messages carry (keyword.h).
 *
 * Status and assignee are set on every message of a conversation, so
 * they normally agree. When they do not (a message that arrived after
 * the change, or two devices that raced), the newest message that
 * carries one decides: it is the last word anyone wrote. A conversation
 * no message of which has a status is open (new conversations are).
 *
 * Pure: no I/O, no server; the index is only read. */
#ifndef TERN_RULES_TEAM_H
#define TERN_RULES_TEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/index.h"
#include "rules/ticket.h"

enum team_status {
	TEAM_OPEN,
	TEAM_PENDING,
	TEAM_DONE,
};

struct team_convo {
	char ticket[TICKET_LEN + 1];	/* "" for messages without any id */
	const size_t *pos;		/* positions in the index, by UID */
	size_t n;
	enum team_status status;
	bool status_set;		/* a message carries a status keyword */
	char *assign;			/* the assignee's name, or NULL */
	int64_t first, last;		/* oldest and newest arrival (INTERNALDATE) */
};

struct team_convos;

/* Groups every message of idx; idx must outlive the result and not
 * change meanwhile. */
struct team_convos *team_convos_build(const struct index *idx);
void team_convos_free(struct team_convos **c);
size_t team_convos_count(const struct team_convos *c);
/* In order of the newest arrival, newest first. */
const struct team_convo *team_convos_at(const struct team_convos *c, size_t i);
/* The conversation of the message at index position pos. */
const struct team_convo *team_convos_of(const struct team_convos *c, size_t pos);
/* The place of the conversation of message pos in team_convos_at's
 * order (team_convos_count when pos is past the end). */
size_t team_convos_which(const struct team_convos *c, size_t pos);
/* The conversation with ticket, or NULL. */
const struct team_convo *team_convos_find(const struct team_convos *c, const char *ticket);

/* The keyword tern puts on the team's own replies kept in the folder. */
#define TEAM_KEYWORD_REPLY "tern/reply"
/* The keyword on a conversation whose acknowledgement went out. */
#define TEAM_KEYWORD_ACKED "tern/acked"

/* Whether m was written by the team, not a customer: it carries
 * tern/reply, or its From address is ours (an address, compared without
 * regard to case; NULL or "" when the account has none). */
bool team_msg_by_team(const struct index *idx, const struct index_msg *m, const char *ours);

/* Arrival order: INTERNALDATE, then UID. */
bool team_msg_before(const struct index_msg *a, const struct index_msg *b);
/* The earliest message of c written (by_team) or not written (!by_team)
 * by the team, arriving after after (NULL: any); NULL when none. */
const struct index_msg *team_convo_first(const struct index *idx, const struct team_convo *c,
    const struct index_msg *after, bool by_team, const char *ours);
/* Since when c waits on the team: the arrival of the first customer
 * message after the team's last one (the first arrival when the team
 * never wrote). False when the team wrote last: it waits on nobody. */
bool team_convo_waiting_since(const struct index *idx, const struct team_convo *c,
    const char *ours, int64_t *since_r);

/* What the messages at pos[0..n) of idx say together (pos NULL: every
 * message of idx), by UID, oldest first: the newest with a status
 * decides it (none: open, *set_r false), the newest with an assignee
 * decides it (a new string; NULL for nobody). */
void team_words(const struct index *idx, const size_t *pos, size_t n,
    enum team_status *status_r, bool *set_r, char **assign_r);

/* Whether open conversation c waits on the team (since *since_r), and
 * whether that is longer than deadline seconds at now (0: no deadline). */
bool team_convo_waiting(const struct index *idx, const struct team_convo *c,
    const char *ours, uint64_t deadline, int64_t now, int64_t *since_r, bool *overdue_r);

/* The queues of the team's view, over conversations not done. */
struct team_queues {
	size_t unassigned, mine, open, pending, overdue;
};
void team_queues_count(const struct team_convos *c, const struct index *idx,
    const char *ours, const char *me, uint64_t deadline, int64_t now,
    struct team_queues *q);

/* "open", "pending", "done". */
const char *team_status_name(enum team_status s);

/* What one message's keyword list (space-separated) says: its status
 * (false when it carries none) and its assignee (a new string, NULL when
 * none or assign/none). */
bool team_msg_status(const char *keywords, enum team_status *s_r);
char *team_msg_assign(const char *keywords);

#endif
