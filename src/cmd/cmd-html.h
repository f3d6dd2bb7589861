/* HTML to text with the user's own tools, as mutt's auto_view does: the
 * first text/html mailcap entry with copiousoutput whose test= passes
 * (RFC 1524; $MAILCAPS, else ~/.mailcap, /etc/mailcap, ...), else
 * "w3m -dump", else "lynx -dump" when installed. The caller keeps the
 * built-in conversion when none of them works.
 *
 * Convention: returns 0 with the text appended to out and *tool_r naming
 * what was used (a static string or the mailcap file:line; free() it),
 * or -1 when no tool gave any text. */
#ifndef TERN_CMD_HTML_H
#define TERN_CMD_HTML_H

#include <stddef.h>

struct buf;
struct mailcap;

/* Each tool gets this long before it is stopped. */
#define CMD_HTML_TIMEOUT_MS 10000

/* The mailcap entries of files (a colon-separated list, as a mailcap=
 * setting gives it), else of $MAILCAPS, else of the files of RFC 1524
 * appendix A in search order. Files that cannot be read are skipped. */
struct mailcap *cmd_mailcap_load(const char *files);

int cmd_html_to_text(const char *html, size_t len, struct buf *out, char **tool_r);

#endif
