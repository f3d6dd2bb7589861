/* A resumable parser of IMAP server responses (RFC 3501 §7 and §9,
 * RFC 9051 §7 and §9), pure: it never reads or writes a socket. The
 * caller feeds whatever bytes arrived and pulls complete responses; the
 * parser keeps its state between calls, so input may be cut anywhere.
 *
 * Convention: imap_parser_next() returns 1 with a complete response, 0
 * for "need more input" (feed more and call again), or -1 on a protocol
 * error that imap_parser_error() describes. After -1 the parser stays in
 * error (every later call returns -1): the connection must be dropped,
 * because the position in the byte stream is no longer known. Accessors
 * (imap_arg_get_*) return true and fill their _r outputs when the
 * argument has the asked type, false otherwise, leaving the outputs
 * alone.
 *
 * What comes out:
 * - A response is tagged, untagged ("*") or a continuation request ("+").
 * - Its arguments are a tree: atoms, quoted strings, literals (including
 *   literal8 "~{N}", RFC 3516), NIL and parenthesised lists. Numbers are
 *   atoms of digits, read with imap_arg_get_number(). Every string is
 *   also NUL-terminated, but may contain NUL bytes (literals): use the
 *   length.
 * - A status response (any tagged response, and untagged OK, NO, BAD,
 *   PREAUTH and BYE; RFC 3501 §7.1) has one argument, the status atom,
 *   then resp-text: the optional "[" resp-text-code "]" is parsed into
 *   its own argument array (code[0] is the code's atom, e.g.
 *   "UIDVALIDITY", the rest its arguments), and the human-readable text
 *   after it is kept raw, never tokenized. A code that does not parse
 *   (unbalanced quote or parenthesis, no closing bracket) is left in the
 *   text, and code is NULL.
 * - A continuation request keeps everything after "+ " raw in text
 *   (base64 for AUTHENTICATE, or any human-readable text).
 * - FETCH section specs are one atom with their brackets and origin:
 *   "BODY[HEADER.FIELDS (FROM TO)]<0>" arrives as a single atom (inside
 *   "[...]" spaces and parentheses belong to the atom), and the literal
 *   or string that follows is the next argument.
 *
 * Atoms, strings and text are the server's bytes, unchecked (any byte
 * but NUL, and CR or LF outside strings): make them safe before showing
 * them on a terminal.
 *
 * Literals are tracked exactly: their bytes are never interpreted, so
 * message content cannot fake a response or a tagged completion.
 *
 * Tolerated departures from the grammar, as real servers need them:
 * bare LF ends a line like CRLF; runs of spaces between arguments and
 * trailing spaces before the line end are skipped; status words and NIL
 * are matched case-insensitively; empty lines between responses are
 * skipped; lists may follow each other without a space (BODYSTRUCTURE);
 * 8-bit bytes are accepted in atoms, quoted strings and text
 * (UTF8=ACCEPT). A NUL byte outside a literal is always an error. */
#ifndef TERN_IMAP_PARSER_H
#define TERN_IMAP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default limits; a field of 0 in struct imap_parser_limits takes these. */
#define IMAP_PARSER_LINE_MAX (64 * 1024)		/* one line, outside literals */
#define IMAP_PARSER_LITERAL_MAX (64 * 1024 * 1024)	/* one literal */
#define IMAP_PARSER_RESPONSE_MAX (256 * 1024 * 1024)	/* a whole response */
#define IMAP_PARSER_DEPTH_MAX 64			/* nested lists */
#define IMAP_PARSER_ARGS_MAX 1000000			/* arguments in a response */

struct imap_parser_limits {
	size_t line_max;
	size_t literal_max;
	size_t response_max;
	size_t depth_max;
	size_t args_max;
};

enum imap_arg_type {
	IMAP_ARG_ATOM,		/* includes numbers, flags ("\Seen") and sections */
	IMAP_ARG_STRING,	/* quoted string, unescaped */
	IMAP_ARG_LITERAL,	/* {N} or ~{N} */
	IMAP_ARG_NIL,
	IMAP_ARG_LIST
};

/* Read through the accessors below; the fields are public only so that
 * arrays of arguments can be walked. */
struct imap_arg {
	enum imap_arg_type type;
	bool literal8;			/* IMAP_ARG_LITERAL sent as ~{N} */
	size_t len;			/* bytes of str, or entries of list */
	union {
		const char *str;	/* atom, string, literal, NIL (as sent) */
		const struct imap_arg *list;
	} u;
};

enum imap_response_kind {
	IMAP_RESP_TAGGED,
	IMAP_RESP_UNTAGGED,
	IMAP_RESP_CONTINUATION
};

struct imap_response {
	enum imap_response_kind kind;
	const char *tag;		/* tagged responses only, else NULL */
	const struct imap_arg *args;	/* status responses: the status atom */
	size_t count;
	/* Status responses and continuations: text is non-NULL (maybe ""),
	 * raw bytes up to the line end. code is NULL when there is none. */
	const struct imap_arg *code;
	size_t code_count;
	const char *text;
	size_t text_len;
};

struct imap_parser;

/* limits may be NULL for the defaults. */
struct imap_parser *imap_parser_create(const struct imap_parser_limits *limits);
void imap_parser_destroy(struct imap_parser **parser);

/* Appends input. More than a whole response plus a line fed without being
 * parsed is a protocol error, reported by the next imap_parser_next(). */
void imap_parser_feed(struct imap_parser *parser, const void *data, size_t len);

/* Returns 1 and sets *resp_r, 0 or -1 (see the top of this file). The
 * response and all its arguments stay valid until the next call of
 * imap_parser_next() or imap_parser_destroy(). */
int imap_parser_next(struct imap_parser *parser, const struct imap_response **resp_r);

/* Plain-words description of the error after -1, else NULL. */
const char *imap_parser_error(const struct imap_parser *parser);

/* An atom (not NIL, not a string). */
bool imap_arg_get_atom(const struct imap_arg *arg, const char **atom_r);
/* A quoted string or a literal; len_r may be NULL. */
bool imap_arg_get_string(const struct imap_arg *arg, const char **str_r, size_t *len_r);
/* An atom, NIL (as its text), a quoted string or a literal. */
bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r, size_t *len_r);
/* A quoted string or a literal, or NIL, which gives NULL and 0. */
bool imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r, size_t *len_r);
bool imap_arg_get_list(const struct imap_arg *arg, const struct imap_arg **list_r,
    size_t *count_r);
/* An atom of 1 to 20 decimal digits that fits in 64 bits. */
bool imap_arg_get_number(const struct imap_arg *arg, uint64_t *n_r);
bool imap_arg_is_nil(const struct imap_arg *arg);
/* True for an atom equal to s, ASCII case-insensitively. */
bool imap_arg_atom_equals(const struct imap_arg *arg, const char *s);

#endif
