/* Server URLs in the mailrc: imap[s]://, smtp[s]://, pop3[s]://. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-int.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

struct conf_url_scheme {
	const char *name;
	enum conf_proto proto;
	unsigned port;
	bool implicit_tls;
};

/* smtp:// defaults to the submission port (RFC 6409), not 25: tern
 * submits mail, it does not relay it. */
static const struct conf_url_scheme conf_url_schemes[] = {
	{ "imap", CONF_PROTO_IMAP, 143, false },
	{ "imaps", CONF_PROTO_IMAP, 993, true },
	{ "smtp", CONF_PROTO_SMTP, 587, false },
	{ "smtps", CONF_PROTO_SMTP, 465, true },
	{ "pop3", CONF_PROTO_POP3, 110, false },
	{ "pop3s", CONF_PROTO_POP3, 995, true },
};

const char *
conf_url_proto_name(enum conf_proto proto)
{
	switch (proto) {
	case CONF_PROTO_IMAP:
		return "imap";
	case CONF_PROTO_SMTP:
		return "smtp";
	case CONF_PROTO_POP3:
		return "pop3";
	}
	return "?";
}

/* Percent-decodes len bytes of s into a new string; what names the part
 * in the error message. A decoded NUL is refused: it would cut the name. */
static char *
conf_url_decode(const char *s, size_t len, const char *what, char *err, size_t errlen)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		hi = i + 1 < len ? str_hexval(s[i + 1]) : -1;
		lo = i + 2 < len ? str_hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "bad %%-escape in the %s (use %%XX "
			    "with two hex digits)", what);
			free(out);
			return NULL;
		}
		if (hi == 0 && lo == 0) {
			snprintf(err, errlen, "%%00 is not allowed in the %s", what);
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static bool
conf_url_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static bool
conf_url_ipv6_char(char c)
{
	return str_hexval(c) >= 0 || c == ':' || c == '.';
}

/* The "expected imap:// or imaps://" part of scheme errors. */
static void
conf_url_expected(enum conf_proto proto, char *dst, size_t dstsize)
{
	const char *p = conf_url_proto_name(proto);

	snprintf(dst, dstsize, "expected %s:// or %ss://", p, p);
}

static int
conf_url_parse_port(const char *s, size_t len, unsigned *port_r, char *err, size_t errlen)
{
	char tmp[16], shown[CONF_QUOTE_MAX + 8];
	uint64_t v;
	size_t i;

	shown[0] = '\0';
	conf_quote(shown, sizeof(shown), s, len);
	if (len == 0) {
		snprintf(err, errlen, "missing port after ':'");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			snprintf(err, errlen, "bad port '%s' (expected a number "
			    "from 1 to 65535)", shown);
			return -1;
		}
	}
	if (len >= sizeof(tmp)) {
		snprintf(err, errlen, "port %s out of range", shown);
		return -1;
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (str_to_u64(tmp, 65535, &v) != 0 || v == 0) {
		snprintf(err, errlen, "port %s out of range", shown);
		return -1;
	}
	*port_r = (unsigned)v;
	return 0;
}

/*
 * scheme "://" [user [":" password] "@"] host [":" port] ["/" [folder]]
 *
 * Departure from RFC 3986, on purpose: the user part ends at the last '@'
 * of the authority, so "imaps://alice@example.com@mail.example.com" works
 * as people write it, without %40.
 */
int
conf_url_parse(const char *url, enum conf_proto proto, struct conf_url *r,
    char *err, size_t errlen)
{
	const struct conf_url_scheme *sch = NULL;
	const char *sep, *auth, *auth_end, *at, *hostp, *host_end, *portp;
	char expected[64], shown[CONF_QUOTE_MAX + 8];
	struct conf_url u;
	size_t i, slen;

	memset(&u, 0, sizeof(u));
	conf_url_expected(proto, expected, sizeof(expected));
	for (i = 0; url[i] != '\0'; i++) {
		if (url[i] == ' ' || url[i] == '\t' || url[i] == '\r' || url[i] == '\f') {
			snprintf(err, errlen, "spaces are not allowed in a URL");
			return -1;
		}
	}
	sep = strstr(url, "://");
	if (sep == NULL) {
		snprintf(err, errlen, "missing scheme (%s, as in %s://%s.example.com)",
		    expected, conf_url_proto_name(proto), conf_url_proto_name(proto));
		return -1;
	}
	slen = (size_t)(sep - url);
	shown[0] = '\0';
	conf_quote(shown, sizeof(shown), url, slen);
	for (i = 0; i < sizeof(conf_url_schemes) / sizeof(conf_url_schemes[0]); i++) {
		const char *name = conf_url_schemes[i].name;
		size_t k;

		if (strlen(name) != slen)
			continue;
		for (k = 0; k < slen; k++) {
			char c = url[k];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != name[k])
				break;
		}
		if (k == slen) {
			sch = &conf_url_schemes[i];
			break;
		}
	}
	if (sch == NULL) {
		snprintf(err, errlen, "unknown scheme '%s' (%s)", shown, expected);
		return -1;
	}
	if (sch->proto != proto) {
		snprintf(err, errlen, "scheme '%s' is for %s, not %s (%s)", shown,
		    conf_url_proto_name(sch->proto), conf_url_proto_name(proto),
		    expected);
		return -1;
	}

	auth = sep + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (*auth_end == '?' || *auth_end == '#') {
		snprintf(err, errlen, "'%c' is not allowed in a server URL", *auth_end);
		return -1;
	}

	/* The last '@' in the authority ends the user part. */
	at = NULL;
	for (hostp = auth; hostp < auth_end; hostp++)
		if (*hostp == '@')
			at = hostp;
	hostp = auth;
	if (at != NULL) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		const char *user_end = colon != NULL ? colon : at;

		if (user_end == auth) {
			snprintf(err, errlen, "empty user name before '@'");
			return -1;
		}
		u.user = conf_url_decode(auth, (size_t)(user_end - auth), "user name",
		    err, errlen);
		if (u.user == NULL)
			goto fail;
		if (colon != NULL) {
			if (colon + 1 == at) {
				snprintf(err, errlen, "empty password after ':' "
				    "(leave out the ':', or use password-command)");
				goto fail;
			}
			u.password = conf_url_decode(colon + 1, (size_t)(at - colon - 1),
			    "password", err, errlen);
			if (u.password == NULL)
				goto fail;
		}
		hostp = at + 1;
	}

	if (*hostp == '[') {
		const char *close = memchr(hostp, ']', (size_t)(auth_end - hostp));
		const char *p;

		if (close == NULL) {
			snprintf(err, errlen, "missing ']' after the IPv6 address");
			goto fail;
		}
		if (close == hostp + 1) {
			snprintf(err, errlen, "missing host");
			goto fail;
		}
		for (p = hostp + 1; p < close; p++) {
			if (!conf_url_ipv6_char(*p)) {
				snprintf(err, errlen, "bad IPv6 address (only hex "
				    "digits, ':' and '.' go between '[' and ']')");
				goto fail;
			}
		}
		if (memchr(hostp + 1, ':', (size_t)(close - hostp - 1)) == NULL) {
			snprintf(err, errlen, "bad IPv6 address (no ':' between "
			    "'[' and ']')");
			goto fail;
		}
		u.host = xstrndup(hostp + 1, (size_t)(close - hostp - 1));
		host_end = close + 1;
		if (host_end < auth_end && *host_end != ':') {
			snprintf(err, errlen, "unexpected text after ']' (expected "
			    "':PORT' or '/')");
			goto fail;
		}
	} else {
		const char *p;

		host_end = hostp;
		while (host_end < auth_end && *host_end != ':')
			host_end++;
		if (host_end == hostp) {
			snprintf(err, errlen, "missing host");
			goto fail;
		}
		for (p = hostp; p < host_end; p++) {
			if (!conf_url_host_char(*p)) {
				char c[CONF_QUOTE_MAX + 8];

				c[0] = '\0';
				conf_quote(c, sizeof(c), p, 1);
				snprintf(err, errlen, "bad character '%s' in host name "
				    "(write international names in their xn-- form)", c);
				goto fail;
			}
		}
		u.host = xstrndup(hostp, (size_t)(host_end - hostp));
	}

	u.port = sch->port;
	if (host_end < auth_end) {
		/* host_end points at ':' here. */
		portp = host_end + 1;
		if (conf_url_parse_port(portp, (size_t)(auth_end - portp), &u.port,
		    err, errlen) != 0)
			goto fail;
	}

	if (*auth_end == '/' && auth_end[1] != '\0') {
		const char *path = auth_end + 1;
		size_t plen = strlen(path);

		if (strcspn(path, "?#") != plen) {
			snprintf(err, errlen, "'%c' is not allowed in a server URL",
			    path[strcspn(path, "?#")]);
			goto fail;
		}
		if (proto != CONF_PROTO_IMAP) {
			shown[0] = '\0';
			conf_quote(shown, sizeof(shown), auth_end, plen + 1);
			snprintf(err, errlen, "unexpected path '%s' (only imap URLs "
			    "may name a folder)", shown);
			goto fail;
		}
		u.path = conf_url_decode(path, plen, "folder", err, errlen);
		if (u.path == NULL)
			goto fail;
	}

	u.scheme = xstrdup(sch->name);
	u.implicit_tls = sch->implicit_tls;
	*r = u;
	return 0;

fail:
	conf_url_free(&u);
	return -1;
}

void
conf_url_free(struct conf_url *r)
{
	free(r->scheme);
	free(r->user);
	free(r->password);
	free(r->host);
	free(r->path);
	memset(r, 0, sizeof(*r));
}
