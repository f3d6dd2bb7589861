/* Connections through libcurl: the only layer (with pop3/ and smtp/) that
 * includes curl. */
#ifndef TERN_NET_H
#define TERN_NET_H

/* "libcurl 7.88.1 (OpenSSL/3.0.19)": the libraries doing TLS and the
 * transfer, for --version and bug reports. Returns a static string. */
const char *net_library_version(void);

#endif
