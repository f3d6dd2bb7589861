/* Internals of the IMAP client engine that its unit tests reach; nothing
 * else includes this. */
#ifndef TERN_IMAP_CLIENT_PRIVATE_H
#define TERN_IMAP_CLIENT_PRIVATE_H

#include <stdbool.h>

/* Runs the gate that every command passes before it is queued: returns
 * when the command word may be sent (and, for a UID FETCH, when the
 * command text fetches bodies only with .PEEK), abort()s otherwise. The
 * tests call it in a child process to see that it does abort. */
void imap_client_gate_check(const char *word, const char *fetch_text, bool may_expunge);

#endif
