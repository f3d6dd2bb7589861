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
struct conf;
struct message;

/* The header fields shown, in order: the mailrc's "retain" list, else
 * Date, From, To, Cc and Subject; minus its "ignore" list ("ignore *"
 * hides all that "retain" does not name). conf may be NULL. Returns a
 * NULL-terminated array; free it with cmd_render_fields_free(). */
char **cmd_render_fields(const struct conf *conf);
void cmd_render_fields_free(char **fields);

/* fields: from cmd_render_fields(). */
int cmd_render_text(const struct message *m, char *const *fields, struct buf *out);
/* The fields PRODUCT.md's "JSON output" names, as one JSON object on one
 * line (with its newline). */
int cmd_render_json(const struct message *m, struct buf *out);

#endif
