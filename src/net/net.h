/* Connections through libcurl: the only layer (with pop3/ and smtp/) that
 * includes curl. */
#ifndef TERN_NET_H
#define TERN_NET_H

/* "libcurl 7.88.1 (OpenSSL/3.0.19)": the libraries doing TLS and the
 * transfer, for --version and bug reports. Returns a static string. */
const char *net_library_version(void);

/* curl_global_init, once per process. Call it from the main thread
 * before any other thread starts a transfer (libcurl's rule: the global
 * setup is not thread-safe); later calls do nothing. */
void net_global_init(void);

#endif
