/* A small built-in HTML-to-text converter, the last resort when neither
 * a mailcap entry nor w3m or lynx can render an HTML part (DESIGN.md).
 * It streams: input may arrive in pieces of any size, split anywhere.
 *
 * Output is UTF-8 text in lines ending in LF: scripts, styles, the head
 * and comments are dropped; block elements start new lines; lists get
 * "* " (or "1. "), quotes "> " per level; <pre> keeps its white space;
 * links read "text [url]" (once; not when the text is the url); images
 * "[alt]"; table cells are joined by " | ". Character references are
 * decoded (invalid ones and NUL become U+FFFD). Bytes are passed through
 * as they come: the output still goes through safe-text before it is
 * shown.
 *
 * Convention: functions returning int return 0 on success and -1 once
 * the output reached its maximum (what fit is kept, later input is
 * ignored). */
#ifndef TERN_MIME_HTML_H
#define TERN_MIME_HTML_H

#include <stddef.h>

#include "lib/buf.h"

/* Longest tag, entity name and link kept; longer ones are cut. */
#define HTML_TAG_MAX	4096
#define HTML_URL_MAX	2048

struct html_text;

/* max bounds the output in bytes. */
struct html_text *html_text_create(size_t max);
void html_text_destroy(struct html_text **h);

int html_text_feed(struct html_text *h, const char *data, size_t len);
/* Ends the input: closes what is open and ends the last line. */
int html_text_finish(struct html_text *h);
/* The text so far (NUL-terminated, length in *len_r); valid until the
 * next call on h. */
const char *html_text_output(const struct html_text *h, size_t *len_r);

/* The whole conversion in one call, appended to out (whose maximum
 * bounds it). */
int html_to_text(const char *html, size_t len, struct buf *out);

#endif
