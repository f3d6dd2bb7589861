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

/* Each tool gets this long before it is stopped. */
#define CMD_HTML_TIMEOUT_MS 10000

int cmd_html_to_text(const char *html, size_t len, struct buf *out, char **tool_r);

#endif
