/* The interactive client: tern [-F mailrc] [-A account] [-f folder].
 *
 * Returns the process's exit status (0 when the user quit). */
#ifndef TERN_UI_UI_H
#define TERN_UI_UI_H

struct conf;
struct conf_account;

int ui_main(const struct conf *conf, const struct conf_account *acct, const char *folder);

#endif
