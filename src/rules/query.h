/* The query language (PRODUCT.md, "Queries"): one language for the UI's
 * search and limit, the filter rules and the batch commands.
 *
 *     from: to: cc: subject: body: list: label: status: assign: ticket:
 *     is:unread is:read is:flagged is:unflagged is:answered
 *     is:unanswered is:draft has:attachment
 *     before:YYYY-MM-DD after:YYYY-MM-DD larger:10k smaller:1M
 *     bare words, "quoted phrases", -negation, NOT, OR, AND, ( )
 *
 * Terms side by side must all hold; OR (upper case) binds looser than
 * that; -term and NOT term negate. A bare word or phrase matches the
 * sender or the subject (as mutt's simple search does). String terms
 * match a case-insensitive substring of the decoded header. before: and
 * after: compare the day the server received the message, in the user's
 * time zone, as IMAP SEARCH BEFORE and SINCE do: after: includes its day.
 * Sizes take k, M or G (1024-based).
 *
 * This file is the parser: pure, bounded, no I/O. It turns text into a
 * tree, or into one error that names the column (1-based, in bytes)
 * where it went wrong. rules/plan.h decides what the server answers,
 * rules/match.h answers the rest from the cache. */
#ifndef TERN_RULES_QUERY_H
#define TERN_RULES_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds: longer or deeper queries are an error, not a risk. */
#define QUERY_MAX_LEN 8192
#define QUERY_MAX_DEPTH 32
#define QUERY_MAX_NODES 512

enum query_kind {
	QUERY_AND,		/* every kid holds; no kids: everything matches */
	QUERY_OR,		/* some kid holds (two or more kids) */
	QUERY_NOT,		/* one kid */
	QUERY_TERM,
};

enum query_field {
	QUERY_F_TEXT,		/* bare word or "phrase": From or Subject */
	QUERY_F_FROM,
	QUERY_F_TO,
	QUERY_F_CC,
	QUERY_F_SUBJECT,
	QUERY_F_BODY,		/* the server only (bodies are not cached) */
	QUERY_F_LIST,		/* List-Id */
	QUERY_F_LABEL,		/* a label (text: the label as typed) */
	QUERY_F_STATUS,		/* text: "open", "pending" or "done" */
	QUERY_F_ASSIGN,		/* text: a name, "none" or "me" */
	QUERY_F_TICKET,		/* text: the ticket, upper case */
	QUERY_F_IS,		/* num: enum query_is */
	QUERY_F_HAS,		/* has:attachment (the only one) */
	QUERY_F_BEFORE,		/* date */
	QUERY_F_AFTER,		/* date */
	QUERY_F_LARGER,		/* num: bytes */
	QUERY_F_SMALLER,	/* num: bytes */
	QUERY_F_COUNT
};

enum query_is {
	QUERY_IS_UNREAD,	/* also is:unseen, is:new */
	QUERY_IS_READ,		/* also is:seen */
	QUERY_IS_FLAGGED,	/* also is:starred */
	QUERY_IS_UNFLAGGED,
	QUERY_IS_ANSWERED,	/* also is:replied */
	QUERY_IS_UNANSWERED,
	QUERY_IS_DRAFT,
};

struct query_date {
	int year, month, day;	/* a valid calendar day */
};

struct query_node {
	enum query_kind kind;
	enum query_field field;		/* QUERY_TERM */
	char *text;			/* string terms: valid UTF-8, no
					 * control characters, never empty */
	uint64_t num;			/* is:, larger:, smaller: */
	struct query_date date;		/* before:, after: */
	struct query_node **kids;	/* AND, OR, NOT */
	size_t nkids;
	unsigned col;			/* where it starts, 1-based */
	int slot;			/* rules/plan.h: -1, or the server
					 * search that answers this node */
};

struct query_error {
	unsigned col;			/* 1-based; one past the end for
					 * "unexpected end" */
	char msg[160];			/* "expected ')'" */
};

/* Parses len bytes of s. Returns the tree (free with query_free), or NULL
 * with *err filled. Only spaces is the empty query: an AND with no kids,
 * which matches every message. */
struct query_node *query_parse(const char *s, size_t len, struct query_error *err);
void query_free(struct query_node **q);

/* The field's name as typed ("from"), for messages. */
const char *query_field_name(enum query_field field);

/* The query written back in canonical form (fields lower case, phrases
 * quoted, explicit parentheses), for --dry-run and tests; parsing the
 * result gives the same tree. A new string. */
char *query_format(const struct query_node *q);

#endif
