/* Setting up a libcurl easy handle for an account's server, and saying
 * in plain words why a connection or login failed. */
#include "config.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "lib/xmalloc.h"
#include "net/easy.h"

char *
net_easy_pin(const char *fingerprint)
{
	unsigned char raw[32];
	unsigned char b64[48];
	size_t n = 0;
	const char *p;

	if (!str_has_prefix(fingerprint, "sha256:"))
		return NULL;
	for (p = fingerprint + 7; *p != '\0'; p++) {
		int hi, lo;

		if (*p == ':')
			continue;
		if (n == sizeof(raw) || p[1] == '\0')
			return NULL;
		hi = OPENSSL_hexchar2int((unsigned char)p[0]);
		lo = OPENSSL_hexchar2int((unsigned char)p[1]);
		if (hi < 0 || lo < 0)
			return NULL;
		raw[n++] = (unsigned char)(hi << 4 | lo);
		p++;
	}
	if (n != sizeof(raw))
		return NULL;
	EVP_EncodeBlock(b64, raw, (int)sizeof(raw));
	return xasprintf("sha256//%s", b64);
}

/* The "sha256:AB:CD:..." of the public key in a PEM certificate, as
 * tls-fingerprint= takes it, or NULL. */
static char *
net_easy_key_fingerprint(const char *pem)
{
	unsigned char *der = NULL, digest[SHA256_DIGEST_LENGTH];
	char hex[SHA256_DIGEST_LENGTH * 3 + 1];
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int len = cert != NULL ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) : -1;
	size_t i;

	BIO_free(bio);
	X509_free(cert);
	if (len <= 0)
		return NULL;
	SHA256(der, (size_t)len, digest);
	OPENSSL_free(der);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(hex + i * 3, 4, "%02X%s", digest[i], i + 1 < sizeof(digest) ? ":" : "");
	return xasprintf("sha256:%s", hex);
}

/* After a certificate failed verification: connect once more, trusting
 * nothing and sending no user name or password (curl logs in only with
 * credentials), just to read the key the server shows, so the user can
 * compare it with what the server's administrator says and pin it.
 * Returns its fingerprint, or NULL. */
static char *
net_easy_peer_key(const struct net_conn_params *p, const char *url)
{
	struct curl_certinfo *info = NULL;
	char *fingerprint = NULL;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s,smtp,smtps");
	if (!str_has_suffix(p->scheme, "s"))
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
	if (curl_easy_perform(curl) == CURLE_OK &&
	    curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) == CURLE_OK &&
	    info != NULL && info->num_of_certs > 0) {
		const struct curl_slist *field;

		/* certinfo[0] is the server's own certificate. */
		for (field = info->certinfo[0]; field != NULL && fingerprint == NULL;
		    field = field->next)
			if (str_has_prefix(field->data, "Cert:"))
				fingerprint = net_easy_key_fingerprint(field->data + 5);
	}
	curl_easy_cleanup(curl);
	return fingerprint;
}

char *
net_easy_explain(const struct net_conn_params *p, const char *url, CURLcode rc,
    const char *detail, enum net_conn_error *kind_r)
{
	const char *h = p->host;
	unsigned port = p->port;
	char *key, *msg;

	*kind_r = NET_CONN_ERR_CONNECT;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return xasprintf("cannot resolve host name '%s'", h);
	case CURLE_COULDNT_CONNECT:
		return xasprintf("cannot connect to %s port %u (%s)", h, port, detail);
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf("no answer from %s port %u within %d s", h, port,
		    (p->timeout_ms + 999) / 1000);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		*kind_r = NET_CONN_ERR_TLS;
		key = p->fingerprint == NULL ? net_easy_peer_key(p, url) : NULL;
		if (key == NULL)
			return xasprintf("the TLS certificate of %s could not be verified "
			    "(%s): if this server uses its own certificate, set "
			    "tls-ca=FILE or tls-fingerprint=sha256:... for this account",
			    h, detail);
		msg = xasprintf("the TLS certificate of %s could not be verified (%s): "
		    "if this server uses its own certificate, set tls-ca=FILE for this "
		    "account, or, once its administrator has confirmed that this is "
		    "the server's key, tls-fingerprint=%s", h, detail, key);
		free(key);
		return msg;
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		*kind_r = NET_CONN_ERR_TLS;
		return xasprintf("the public key of %s does not match tls-fingerprint: "
		    "the server changed its key, or this is not the right server", h);
	case CURLE_USE_SSL_FAILED:
		*kind_r = NET_CONN_ERR_TLS;
		return xasprintf("%s port %u does not offer STARTTLS, and tern will not "
		    "send a password in clear text: use the TLS port (%ss://), or set "
		    "tls=no for this account only on a network you trust", h, port,
		    p->scheme);
	case CURLE_SSL_CONNECT_ERROR:
		*kind_r = NET_CONN_ERR_TLS;
		return xasprintf("TLS handshake with %s port %u failed (%s)", h, port, detail);
	case CURLE_LOGIN_DENIED:
		*kind_r = NET_CONN_ERR_AUTH;
		return xasprintf("%s refused the login for user '%s' (wrong password, "
		    "or the login method is not allowed)", h, p->user != NULL ? p->user : "");
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return xasprintf("%s port %u did not answer as %s server should (%s)",
		    h, port, str_has_prefix(p->scheme, "pop3") ? "a POP3" :
		    str_has_prefix(p->scheme, "smtp") ? "an SMTP" : "an IMAP", detail);
	default:
		return xasprintf("cannot connect to %s port %u: %s", h, port, detail);
	}
}

int
net_easy_setup(CURL *curl, const struct net_conn_params *p, char *errbuf,
    char **url_r, enum net_conn_error *kind_r, char **error_r)
{
	char *pin = NULL;

	*url_r = NULL;
	if (p->fingerprint != NULL && (pin = net_easy_pin(p->fingerprint)) == NULL) {
		*kind_r = NET_CONN_ERR_TLS;
		*error_r = xasprintf("tls-fingerprint '%s' is not sha256: followed by 64 "
		    "hex digits", p->fingerprint);
		return -1;
	}
	*url_r = xasprintf(strchr(p->host, ':') != NULL ? "%s://[%s]:%u/" : "%s://%s:%u/",
	    p->scheme, p->host, p->port);
	curl_easy_setopt(curl, CURLOPT_URL, *url_r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s,smtp,smtps");
	if (p->user != NULL)
		curl_easy_setopt(curl, CURLOPT_USERNAME, p->user);
	if (p->password != NULL)
		curl_easy_setopt(curl, CURLOPT_PASSWORD, p->password);
	if (p->bearer != NULL)
		curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, p->bearer);
	/* Without implicit TLS, STARTTLS is required unless the account
	 * explicitly allows plaintext (PRODUCT.md, "Secrets stay secret"). */
	if (!str_has_suffix(p->scheme, "s"))
		curl_easy_setopt(curl, CURLOPT_USE_SSL,
		    p->allow_plaintext ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	if (p->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, p->ca_file);
	if (pin != NULL) {
		/* The pinned key is the trust anchor: a self-signed server
		 * whose key matches is accepted, any other key is refused. */
		curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, pin);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
		free(pin);	/* curl keeps its own copy of string options */
	}
	return 0;
}
