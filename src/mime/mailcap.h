/* Mailcap files (RFC 1524): which command shows a MIME type, the way
 * mutt's auto_view turns text/html into text. Pure: the caller reads the
 * files (the user's, then the system's), feeds their text, runs test=
 * commands and the chosen view command.
 *
 * Convention: mailcap_create() never fails and its object is released
 * with mailcap_destroy(), which NULLs the pointer. mailcap_feed() never
 * fails on bad input: a malformed line is skipped and counted
 * (mailcap_bad_lines()). Lookups return NULL when nothing (more)
 * matches. mailcap_expand() returns 0, or -1 when it refused (see
 * below); out then holds a partial result that must not be run.
 *
 * Deliberate departures from RFC 1524: a type without a subtype ("text")
 * means a "*" subtype, all text types (as mutt does); an entry whose
 * view command is empty is malformed; of a repeated flag the first wins;
 * a line that is longer than MAILCAP_LINE_MAX, or holds a control
 * character other than tab, is malformed. */
#ifndef TERN_MIME_MAILCAP_H
#define TERN_MIME_MAILCAP_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* A logical line (after joining continuations) longer than this is
 * malformed. */
#define MAILCAP_LINE_MAX 4096
/* "type/subtype" longer than this is malformed. */
#define MAILCAP_TYPE_MAX 255
/* Entries kept over all files; further ones count as malformed. */
#define MAILCAP_ENTRIES_MAX 2048
/* A substituted value (filename, type, parameter) longer than this, or
 * holding a byte below 0x20 or 0x7f, makes mailcap_expand() refuse. */
#define MAILCAP_VALUE_MAX 1024

struct mailcap_entry {
	const char *type;		/* lowercased; subtype "*" is a wildcard */
	const char *view;		/* the view command, never empty */
	const char *test;		/* test= command, or NULL */
	const char *nametemplate;	/* nametemplate= ("%s.html"), or NULL */
	const char *description;	/* description= unquoted, or NULL */
	const char *compose;		/* compose=, or NULL */
	const char *print;		/* print=, or NULL */
	const char *edit;		/* edit=, or NULL */
	bool copiousoutput;
	bool needsterminal;
	const char *file;		/* the name given to mailcap_feed() */
	size_t line;			/* where the entry starts, from 1 */
};

struct mailcap;

struct mailcap *mailcap_create(void);
void mailcap_destroy(struct mailcap **mc);

/* Adds the entries of one file's whole text. Call once per file in
 * search order: entries of earlier files come first, so they win. The
 * text may hold NUL bytes and may lack a final newline. */
void mailcap_feed(struct mailcap *mc, const char *filename, const char *text,
    size_t len);
size_t mailcap_bad_lines(const struct mailcap *mc);

/* Iterates, in file order, over the entries for type ("text/html",
 * case-insensitive): exact entries and "*" subtypes alike, as RFC 1524
 * ("Mailcap File Semantics") says the first matching entry wins. With
 * want_copiousoutput, only entries flagged copiousoutput. Start with
 * *idx_inout = 0; each call continues after the last entry returned, so
 * the caller can try the next one when an entry's test= fails. */
const struct mailcap_entry *mailcap_find(const struct mailcap *mc,
    const char *type, bool want_copiousoutput, size_t *idx_inout);

/* Expands a command (view, test, print...) for /bin/sh -c, appending to
 * out (RFC 1524, "Mailcap File Semantics" and Appendix A): "%s" becomes
 * filename and sets *uses_file_r (when there is no %s the caller feeds
 * the data on stdin), "%t" type, "%{name}" the Content-Type parameter
 * name (case-insensitive; "" when missing), "%%" and "\%" a "%".
 *
 * Every substituted value is shell-quoted: 'value' with ' as '\''; a
 * template's own quotes right around an escape ('%s' or "%s") are
 * dropped first. Inside a longer quoted string of the template, or after
 * a ` or $( (where a second shell may parse it again, as in
 * sh -c 'cat %s'), a value is only inserted when it holds nothing but
 * [A-Za-z0-9._,+=:@/-] and is refused otherwise. Quoting protects one
 * parse by /bin/sh: a template that evaluates a value again by other
 * means (eval %{name}, sh -c %{name}) is beyond it, which is one more
 * reason to make filename from safe characters.
 *
 * Returns -1 for a bad template (a lone %, an unknown escape, an
 * unterminated %{), a refused value, or out's maximum reached. filename
 * may be NULL when the command takes the data on stdin (a %s then
 * fails). */
int mailcap_expand(const char *command, const char *filename, const char *type,
    const char *const *params_names, const char *const *params_values,
    size_t nparams, struct buf *out, bool *uses_file_r);

#endif
