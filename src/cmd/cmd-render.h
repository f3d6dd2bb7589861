/* A message as the pager shows it and "tern --render" prints it: the
 * usual headers decoded (dates in local time), the readable body, then a
 * numbered list of attachments. Everything from the message goes through
 * safe-text, so nothing in it reaches the terminal as a control sequence.
 *
 * Convention: returns 0, or -1 when out's maximum was reached (what fit
 * is kept). */
#ifndef TERN_CMD_RENDER_H
#define TERN_CMD_RENDER_H

struct buf;
struct message;

int cmd_render_text(const struct message *m, struct buf *out);
/* The fields PRODUCT.md's "JSON output" names, as one JSON object on one
 * line (with its newline). */
int cmd_render_json(const struct message *m, struct buf *out);

#endif
