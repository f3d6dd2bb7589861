/* Canned responses of team folders: small UTF-8 text files in the team's
 * templates= directory, one per response ("received", "refund-howto"),
 * with variables the reply fills in.
 *
 * The file format:
 * - At most TEMPLATE_SIZE_MAX bytes of valid UTF-8; a leading BOM is
 *   dropped; lines end in LF or CRLF (the body is kept with LF). No
 *   control characters but TAB and the line ends (a template is text).
 * - Optional header lines, then a blank line, then the body. The file
 *   has headers only when its FIRST line has the form "Name:", a letter
 *   followed by letters, digits or '-', then a colon; otherwise the
 *   whole file is body ("Dear Anna," or "10:30 suits us"). A file whose
 *   first line is blank has no headers: its body starts on line 2. (A
 *   line of only spaces and tabs counts as blank, here and after the
 *   headers, so an editor's stray space does not fold it into them.)
 * - The only header is Subject: (name in any case, once). Its value may
 *   be folded onto following lines that start with a space or tab (RFC
 *   5322 §2.2.3: the line break goes, the white space stays). Any other
 *   header is an error, so a body that starts like one ("Note: ...")
 *   must start with a blank line instead; the error says so. A file that
 *   ends within its headers has an empty body.
 * - Variables, in the subject and the body: ${ticket}, ${customer},
 *   ${customer_addr}, ${agent}, ${team}, ${subject} (see struct
 *   template_vars). "$$" is a '$'; a '$' followed by anything but '{' is
 *   itself ("$5"). Any other ${name}, or a "${" without its "}" on the
 *   same line, is an error. Values are inserted once: a "${" in a value
 *   is text.
 *
 * Errors name the place as "FILE:LINE: message" (LINE counts from 1 in
 * the file), or "FILE: message" for the file as a whole.
 *
 * template_parse() is pure; template_load() and template_names() read
 * the directory the caller names (already expanded: no "~" here).
 *
 * Conventions: functions returning int return 0, or -1 with *error_r
 * set to a sentence (free() it); the objects they return are released
 * with template_free() (which NULLs the pointer) and
 * template_names_free(). Expansion never fails. */
#ifndef TERN_MIME_TEMPLATE_H
#define TERN_MIME_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

/* A bigger file is refused. */
#define TEMPLATE_SIZE_MAX (64 * 1024)

struct template;

/* The values of the variables; NULL is the same as "". They should be
 * UTF-8: an invalid byte is inserted as U+FFFD. */
struct template_vars {
	const char *ticket;		/* ${ticket}: the ticket id */
	const char *customer;		/* ${customer}: display name; when empty,
					 * ${customer} gives customer_addr */
	const char *customer_addr;	/* ${customer_addr}: the bare address */
	const char *agent;		/* ${agent}: the teammate replying */
	const char *team;		/* ${team}: the team's name */
	const char *subject;		/* ${subject}: the customer's subject */
};

/* Parses the len bytes of text (which may hold anything: they are
 * checked). file names the text in error messages. */
int template_parse(const char *text, size_t len, const char *file,
    struct template **t_r, char **error_r);
/* Reads and parses DIR/NAME. name must be a plain file name: not empty,
 * no '/', not starting with '.'. Errors name the file. */
int template_load(const char *dir, const char *name, struct template **t_r,
    char **error_r);
void template_free(struct template **t);

/* The names of the templates in dir: regular files (or links to them),
 * without names starting with '.', ending in '~' or both starting and
 * ending in '#' (editors' backups and autosaves) and without names that
 * are not valid UTF-8 or hold control characters (they could not be
 * shown). Sorted by byte value; a new NULL-terminated array. */
int template_names(const char *dir, char ***names_r, char **error_r);
void template_names_free(char **names);

/* Whether the template has a Subject: header. */
bool template_has_subject(const struct template *t);
/* The expanded subject (a new string; "" when there is none), one line:
 * in the values every control character (C0 with CR and LF, DEL, C1)
 * becomes a space, so no value can add a header; tabs of the template
 * become spaces too, and spaces at either end are trimmed. */
char *template_subject(const struct template *t, const struct template_vars *v);
/* The expanded body (a new string, lines ending in LF): values are
 * inserted as they are, but for control characters other than LF and
 * TAB, which are dropped (a CRLF in a value becomes LF). */
char *template_body(const struct template *t, const struct template_vars *v);

#endif
