/* The setup of a libcurl easy handle for one of an account's servers,
 * shared by net/conn.c (IMAP, POP3 over CONNECT_ONLY) and smtp/ (curl's
 * own SMTP): the URL, time-outs, credentials, TLS requirements and key
 * pinning, and the plain-words sentence for a failure. Only net/, pop3/
 * and smtp/ may include this header: it includes curl.
 *
 * Conventions: net_easy_setup returns 0, or -1 with *error_r (a
 * sentence, free() it); the others return new strings (free() them) or
 * NULL as their comment says. Nothing here keeps state between calls,
 * so every function is safe on any thread once net_global_init() ran. */
#ifndef TERN_NET_EASY_H
#define TERN_NET_EASY_H

#include <curl/curl.h>

#include "net/conn.h"

/* "sha256:AB:CD..." or "sha256:abcd..." (hex of the SHA-256 of the
 * server's public key) to curl's "sha256//BASE64"; NULL when the text is
 * not 32 bytes of hex. */
char *net_easy_pin(const char *fingerprint);

/* Sets on curl everything p says: the URL "scheme://host:port/" (in
 * *url_r, free() it), errbuf (CURL_ERROR_SIZE bytes) as the error
 * buffer, no signals, p->timeout_ms for connecting and for the whole
 * transfer, the mail protocols only, user, password or bearer token,
 * STARTTLS required unless p->allow_plaintext, the CA file, the pinned
 * key. -1 (kind NET_CONN_ERR_TLS) when p->fingerprint is malformed. */
int net_easy_setup(CURL *curl, const struct net_conn_params *p, char *errbuf,
    char **url_r, enum net_conn_error *kind_r, char **error_r);

/* One sentence for a failed connection or login with curl's result rc
 * (detail: curl's own words), naming the server and what the user can do;
 * *kind_r says which kind of failure it was. */
char *net_easy_explain(const struct net_conn_params *p, const char *url, CURLcode rc,
    const char *detail, enum net_conn_error *kind_r);

#endif
