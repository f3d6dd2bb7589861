/* IMAP's modified UTF-7 (RFC 3501 §5.1.3).
 *
 * The decoder is strict: it accepts only the one encoding that the
 * encoder would produce for the same name. That keeps the wire form and
 * the shown form in one-to-one correspondence, so two different wire
 * names can never look the same to the user, and a name tern sends back
 * is byte for byte the name the server gave. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-utf7.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

static const char imap_utf7_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Printable US-ASCII represents itself (except "&", written "&-");
 * everything else must be in modified base64. */
static bool
imap_utf7_direct(uint32_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* The codec below takes the set of characters that stand for themselves
 * as a parameter: folder names use imap_utf7_direct, labels a narrower
 * set (imap-utf7.h). */

/* Decodes the base64 run that starts at s[*pos] (just after "&") up to
 * and including its "-". out (when not NULL) gets the UTF-8; *pos moves
 * past the "-". Returns the number of bytes written, or -1. */
static int
imap_utf7_decode_run(const unsigned char *s, size_t len, size_t *pos, char *out,
    size_t *out_len, imap_utf7_direct_fn *direct)
{
	uint32_t bits = 0, high = 0;
	unsigned nbits = 0;
	size_t i = *pos, units = 0;

	for (; i < len && s[i] != '-'; i++) {
		int v = str_base64_value(s[i], '+', ',');
		uint32_t u, cp;

		if (v < 0)
			return -1;
		bits = (bits << 6 | (uint32_t)v) & 0x3fffff;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		u = (bits >> nbits) & 0xffff;
		units++;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (high != 0)
				return -1;	/* two high surrogates */
			high = u;
			continue;
		}
		if (u >= 0xdc00 && u <= 0xdfff) {
			if (high == 0)
				return -1;	/* low surrogate first */
			cp = 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00);
			high = 0;
		} else {
			if (high != 0)
				return -1;	/* high surrogate alone */
			/* Direct characters must represent themselves,
			 * and NUL cannot be part of a C string. */
			if (direct(u) || u == 0)
				return -1;
			cp = u;
		}
		if (out != NULL)
			*out_len += str_utf8_encode(cp, out + *out_len);
	}
	if (i == len)
		return -1;		/* no "-": unterminated */
	/* Canonical length: fewer than 6 bits left over, and all zero. */
	if (units == 0 || high != 0 || nbits >= 6 ||
	    (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	*pos = i + 1;
	return 0;
}

/* Decodes into out (when not NULL, at least 2 * len + 1 bytes).
 * Returns 0 or -1. */
static int
imap_utf7_decode_to(const char *name, size_t len, char *out, size_t *out_len,
    imap_utf7_direct_fn *direct)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, o = 0;
	bool after_run = false;

	while (i < len) {
		unsigned char c = s[i];

		if (c != '&') {
			if (!direct(c))
				return -1;	/* 8-bit, control, NUL */
			if (out != NULL)
				out[o] = (char)c;
			o++;
			i++;
			after_run = false;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '-') {
			if (out != NULL)
				out[o] = '&';
			o++;
			i += 2;
			after_run = false;
			continue;
		}
		/* "-&" inside base64 is a null shift, which RFC 3501
		 * forbids: two adjacent runs must be one. */
		if (after_run)
			return -1;
		i++;
		if (imap_utf7_decode_run(s, len, &i, out, &o, direct) != 0)
			return -1;
		after_run = true;
	}
	if (out != NULL)
		out[o] = '\0';
	if (out_len != NULL)
		*out_len = o;
	return 0;
}

char *
imap_utf7_decode_as(const char *name, size_t len, imap_utf7_direct_fn *direct)
{
	char *out;

	/* Direct characters give one byte each, "&-" one for two, and
	 * base64 at most 9 bytes of UTF-8 for 8 characters. */
	if (len > (SIZE_MAX - 1) / 2)
		return NULL;
	if (imap_utf7_decode_to(name, len, NULL, NULL, direct) != 0)
		return NULL;
	out = xmalloc(2 * len + 1);
	if (imap_utf7_decode_to(name, len, out, NULL, direct) != 0)
		abort();
	return out;
}

char *
imap_utf7_decode(const char *name, size_t len)
{
	return imap_utf7_decode_as(name, len, imap_utf7_direct);
}

bool
imap_utf7_valid(const char *name, size_t len)
{
	return imap_utf7_decode_to(name, len, NULL, NULL, imap_utf7_direct) == 0;
}

static void
imap_utf7_flush(char *out, size_t *o, uint32_t *bits, unsigned *nbits)
{
	while (*nbits >= 6) {
		*nbits -= 6;
		out[(*o)++] = imap_utf7_b64[(*bits >> *nbits) & 0x3f];
	}
}

char *
imap_utf7_encode_as(const char *name, imap_utf7_direct_fn *direct)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name), o = 0, i, n;
	uint32_t cp, bits = 0;
	unsigned nbits = 0;
	bool in_run = false;
	char *out;

	/* The worst case is a control character between ASCII ones: one
	 * byte becomes "&AAE-", five. */
	if (len > (SIZE_MAX - 1) / 5)
		return NULL;
	out = xmalloc(5 * len + 1);
	for (i = 0; i < len; i += n) {
		n = str_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			free(out);
			return NULL;
		}
		if (direct(cp)) {
			if (in_run) {
				/* Pad the last unit to whole characters. */
				if (nbits > 0)
					out[o++] = imap_utf7_b64[(bits << (6 - nbits)) & 0x3f];
				out[o++] = '-';
				in_run = false;
				bits = nbits = 0;
			}
			out[o++] = (char)cp;
			if (cp == '&')
				out[o++] = '-';
			continue;
		}
		if (!in_run) {
			out[o++] = '&';
			in_run = true;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			bits = bits << 16 | (0xd800 | cp >> 10);
			nbits += 16;
			imap_utf7_flush(out, &o, &bits, &nbits);
			bits = bits << 16 | (0xdc00 | (cp & 0x3ff));
		} else
			bits = bits << 16 | cp;
		nbits += 16;
		imap_utf7_flush(out, &o, &bits, &nbits);
		bits &= (1u << nbits) - 1;
	}
	if (in_run) {
		if (nbits > 0)
			out[o++] = imap_utf7_b64[(bits << (6 - nbits)) & 0x3f];
		out[o++] = '-';
	}
	out[o] = '\0';
	return out;
}

char *
imap_utf7_encode(const char *name)
{
	return imap_utf7_encode_as(name, imap_utf7_direct);
}
