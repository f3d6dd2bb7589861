/* Ticket numbers (DESIGN.md, "Labels, status, tickets"): a short base32
 * SHA-256 of the thread root's Message-ID, the first entry of References,
 * else In-Reply-To, else the message's own Message-ID, so every device
 * computes the same number without seeing the root. The id is hashed
 * without its angle brackets and surrounding space, as written
 * (Message-IDs are case-sensitive). */
#ifndef TERN_RULES_TICKET_H
#define TERN_RULES_TICKET_H

#include <stdbool.h>

#include "cache/index.h"

#define TICKET_LEN 6		/* RFC 4648 base32 letters: 30 bits */

/* out gets TICKET_LEN letters and a NUL. False (out "") when the message
 * has no Message-ID to start from. */
bool ticket_of_root(const char *root_msgid, char out[TICKET_LEN + 1]);
bool ticket_of_msg(const struct index *idx, const struct index_msg *m,
    char out[TICKET_LEN + 1]);
/* The root Message-ID ticket_of_msg hashes ("" when none), a pointer into
 * the index's strings and its length. */
const char *ticket_root(const struct index *idx, const struct index_msg *m, size_t *len_r);

#endif
