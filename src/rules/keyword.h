/* Labels, status and assignment as IMAP keywords (DESIGN.md, "Labels,
 * status, tickets"), and the way back for display.
 *
 * A keyword is an IMAP atom. A label that is one already (printable
 * ASCII without ( ) { } % * " \ ] or space, not starting with '\') is
 * used as it is. Any other label is encoded reversibly, the way modified
 * UTF-7 encodes folder names (RFC 3501 5.1.3) and as Thunderbird does for
 * its tags: "&" becomes "&-", and each run of characters that are not
 * atom characters (non-ASCII, space, the specials above) becomes "&",
 * the modified base64 of its UTF-16, "-". So "Zürich 2024" is stored as
 * "Z&APw-rich&ACA-2024" and shown as "Zürich 2024" again.
 *
 * Status and assignment are the keywords "status/open", "status/pending",
 * "status/done" and "assign/NAME" (NAME encoded as a label is); these
 * prefixes and "tern/" are reserved: a label cannot start with them. */
#ifndef TERN_RULES_KEYWORD_H
#define TERN_RULES_KEYWORD_H

#include <stdbool.h>
#include <stddef.h>

#define KEYWORD_STATUS_PREFIX "status/"
#define KEYWORD_ASSIGN_PREFIX "assign/"
#define KEYWORD_TERN_PREFIX "tern/"
#define KEYWORD_MAX_LEN 200	/* longer labels are refused */

/* True when s can be sent as a flag keyword as it is. */
bool keyword_is_atom(const char *s, size_t len);

/* The keyword for a label typed by the user (valid UTF-8), a new string;
 * NULL with *error_r (a static sentence) when it cannot be a label: empty,
 * control characters, invalid UTF-8, too long, a reserved prefix, or one
 * of the system flags (\Seen ...). */
char *keyword_from_label(const char *label, const char **error_r);
/* The label a keyword shows as: decoded when it is a valid encoding,
 * else the keyword itself. A new string. */
char *keyword_to_label(const char *kw, size_t len);

/* "status/open" for "open" ("open", "pending", "done"; NULL otherwise),
 * "assign/NAME" for a person (NULL when NAME cannot be a label). New
 * strings. */
char *keyword_status(const char *status);
char *keyword_assign(const char *who);
/* The statuses, in lower case: open, pending, done. */
#define KEYWORD_STATUS_COUNT 3
extern const char *const keyword_statuses[KEYWORD_STATUS_COUNT];
/* True when status is one of them (any case). */
bool keyword_status_valid(const char *status);

/* Whether a space-separated keyword list (the index's) holds kw, or a
 * keyword starting with prefix; case-insensitive (IMAP flags are). */
bool keyword_list_has(const char *list, const char *kw);
bool keyword_list_has_prefix(const char *list, const char *prefix);
/* Calls fn with each keyword of the list that is longer than prefix and
 * starts with it (case-insensitive), whole (word, len); stops at the
 * first call that returns true, and returns whether one did. */
typedef bool keyword_each_fn(const char *word, size_t len, void *ctx);
bool keyword_list_each(const char *list, const char *prefix, keyword_each_fn *fn, void *ctx);

#endif
