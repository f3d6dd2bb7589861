/* Labels as IMAP keywords: the reversible encoding of keyword.h and the
 * small helpers for status/ and assign/ keywords.
 *
 * Like imap-utf7.c, the decoder is strict: it accepts only what the
 * encoder would produce, so a keyword and the label it shows as are in
 * one-to-one correspondence and two different keywords can never look
 * the same in the index. This file must stay free of everything but
 * src/lib: it is part of the fuzzing build. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/keyword.h"

static const char keyword_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Labels longer than this (in bytes) cannot fit: even the densest
 * encoding (three-byte UTF-8 as base64 UTF-16, 8 characters for 9 bytes)
 * would exceed KEYWORD_MAX_LEN. Checked first so encoding is bounded. */
#define KEYWORD_MAX_LABEL_BYTES (KEYWORD_MAX_LEN * 9 / 8 + 8)

/* An ATOM-CHAR of RFC 3501 that may also appear in a flag keyword: "]" is
 * an atom character but not allowed in a flag (resp-specials). */
static bool
keyword_atom_char(uint32_t c)
{
	if (c < 0x21 || c > 0x7e)
		return false;
	return strchr("(){}%*\"\\]", (int)c) == NULL;
}

bool
keyword_is_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!keyword_atom_char((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* A label may hold neither C0 nor C1 controls nor DEL: they would be
 * invisible or harmful on a terminal. */
static bool
keyword_control(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

/* Reads one UTF-8 sequence of the NUL-terminated s; returns its length
 * and the code point in *cp, or 0 when it is invalid (overlong,
 * surrogate, above U+10FFFF, truncated). */
static size_t
keyword_utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		/* A NUL fails this test too, so s[i] is never read past
		 * the end. */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static void
keyword_b64_put(char *out, size_t *o, uint32_t *bits, unsigned *nbits, uint32_t unit)
{
	*bits = (*bits << 16 | unit) & 0xffffff;
	*nbits += 16;
	while (*nbits >= 6) {
		*nbits -= 6;
		out[(*o)++] = keyword_b64[(*bits >> *nbits) & 0x3f];
	}
}

/* Encodes label (checked: valid UTF-8, no controls) into out, which has
 * room for 5 bytes per input byte plus one. Every byte of input yields at
 * most 5 of output: a lone one-byte special is "&ACA-". */
static size_t
keyword_encode(const char *label, char *out)
{
	const unsigned char *s = (const unsigned char *)label;
	size_t i = 0, o = 0, n;
	uint32_t cp, bits = 0;
	unsigned nbits = 0;
	bool in_run = false;

	while (s[i] != '\0') {
		n = keyword_utf8_next(s + i, &cp);
		if (n == 0)
			abort();	/* the caller checked */
		i += n;
		if (keyword_atom_char(cp)) {
			if (in_run) {
				if (nbits > 0)
					out[o++] = keyword_b64[(bits << (6 - nbits)) & 0x3f];
				out[o++] = '-';
				in_run = false;
				bits = 0;
				nbits = 0;
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
			keyword_b64_put(out, &o, &bits, &nbits, 0xd800 | (cp >> 10));
			keyword_b64_put(out, &o, &bits, &nbits, 0xdc00 | (cp & 0x3ff));
		} else
			keyword_b64_put(out, &o, &bits, &nbits, cp);
	}
	if (in_run) {
		if (nbits > 0)
			out[o++] = keyword_b64[(bits << (6 - nbits)) & 0x3f];
		out[o++] = '-';
	}
	out[o] = '\0';
	return o;
}

/* Checks a label as typed; returns NULL, or why it cannot be one. The
 * reserved prefixes are checked by the caller: assign/ names go through
 * here too. */
static const char *
keyword_label_check(const char *label)
{
	const unsigned char *s = (const unsigned char *)label;
	size_t i = 0, n;
	uint32_t cp;

	if (*s == '\0')
		return "a label cannot be empty";
	if (strlen(label) > KEYWORD_MAX_LABEL_BYTES)
		return "a label cannot be longer than 200 bytes as an IMAP keyword";
	/* System flags (\Seen, \Deleted ...) and flag extensions are
	 * written with a backslash; a label must never become one. */
	if (*s == '\\')
		return "a label cannot start with a backslash (\\Seen and the like are system flags)";
	while (s[i] != '\0') {
		n = keyword_utf8_next(s + i, &cp);
		if (n == 0)
			return "a label must be valid UTF-8";
		if (keyword_control(cp))
			return "a label cannot contain control characters";
		i += n;
	}
	return NULL;
}

/* The keyword for a checked label, or NULL when it is too long. */
static char *
keyword_encode_checked(const char *label, const char *prefix)
{
	size_t plen = strlen(prefix), len = strlen(label);
	char *out;

	if (keyword_is_atom(label, len) && strchr(label, '&') == NULL) {
		if (plen + len > KEYWORD_MAX_LEN)
			return NULL;
		return xasprintf("%s%s", prefix, label);
	}
	out = xmalloc(plen + 5 * len + 1);
	memcpy(out, prefix, plen);
	if (plen + keyword_encode(label, out + plen) > KEYWORD_MAX_LEN) {
		free(out);
		return NULL;
	}
	return out;
}

static unsigned char
keyword_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether the first n bytes of a and b are equal but for ASCII case. A
 * NUL in a stops the comparison as a mismatch. */
static bool
keyword_eq_ci(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (keyword_lower((unsigned char)a[i]) != keyword_lower((unsigned char)b[i]))
			return false;
	}
	return true;
}

static bool
keyword_has_prefix_ci(const char *s, const char *prefix)
{
	return keyword_eq_ci(s, prefix, strlen(prefix));
}

char *
keyword_from_label(const char *label, const char **error_r)
{
	const char *error;
	char *kw;

	error = keyword_label_check(label);
	if (error == NULL && (keyword_has_prefix_ci(label, KEYWORD_STATUS_PREFIX) ||
	    keyword_has_prefix_ci(label, KEYWORD_ASSIGN_PREFIX) ||
	    keyword_has_prefix_ci(label, KEYWORD_TERN_PREFIX)))
		error = "a label cannot start with status/, assign/ or tern/ (they are reserved)";
	if (error != NULL) {
		*error_r = error;
		return NULL;
	}
	kw = keyword_encode_checked(label, "");
	if (kw == NULL)
		*error_r = "a label cannot be longer than 200 bytes as an IMAP keyword";
	return kw;
}

/* Decodes the base64 run at s[*pos] (just after "&") through its "-",
 * appending UTF-8 to out at *o. Returns 0, or -1 when the run is not
 * exactly what keyword_encode() writes for some run of non-atom
 * characters. */
static int
keyword_decode_run(const unsigned char *s, size_t len, size_t *pos, char *out, size_t *o)
{
	uint32_t bits = 0, high = 0, u, cp;
	unsigned nbits = 0;
	size_t i = *pos, units = 0;
	int v;

	for (; i < len && s[i] != '-'; i++) {
		v = str_base64_value(s[i], '+', ',');
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
			/* Atom characters (and "&") would have been written
			 * as themselves; controls are never in a label. */
			if (keyword_atom_char(u) || keyword_control(u))
				return -1;
			cp = u;
		}
		*o += str_utf8_encode(cp, out + *o);
	}
	if (i == len)
		return -1;		/* no "-" */
	/* Canonical length: fewer than 6 bits left over, all zero. */
	if (units == 0 || high != 0 || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	*pos = i + 1;
	return 0;
}

/* Decodes kw into out (at least 2 * len + 1 bytes). Returns 0 or -1. */
static int
keyword_decode(const char *kw, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)kw;
	size_t i = 0, o = 0;
	bool after_run = false;

	while (i < len) {
		if (!keyword_atom_char(s[i]))
			return -1;
		if (s[i] != '&') {
			out[o++] = (char)s[i++];
			after_run = false;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '-') {
			out[o++] = '&';
			i += 2;
			after_run = false;
			continue;
		}
		/* Two runs side by side would have been one run. */
		if (after_run)
			return -1;
		i++;
		if (keyword_decode_run(s, len, &i, out, &o) != 0)
			return -1;
		after_run = true;
	}
	out[o] = '\0';
	/* A label never starts with a backslash: "&AFw-Seen" must not
	 * show as "\Seen". */
	if (out[0] == '\\')
		return -1;
	return 0;
}

char *
keyword_to_label(const char *kw, size_t len)
{
	char *out;

	/* Without "&" there is nothing to decode, and the encoder never
	 * writes more than KEYWORD_MAX_LEN. Each keyword byte gives at most
	 * two of UTF-8 (8 base64 characters carry 3 UTF-16 units, at most
	 * 9 bytes). */
	if (memchr(kw, '&', len) == NULL || len > KEYWORD_MAX_LEN)
		return xstrndup(kw, len);
	out = xmalloc(2 * len + 1);
	if (keyword_decode(kw, len, out) != 0) {
		free(out);
		return xstrndup(kw, len);
	}
	return out;
}

static const char *const keyword_statuses[] = { "open", "pending", "done" };

/* The canonical (lower case) spelling of status, or NULL. */
static const char *
keyword_status_name(const char *status)
{
	size_t i;

	if (status == NULL)
		return NULL;
	for (i = 0; i < sizeof(keyword_statuses) / sizeof(keyword_statuses[0]); i++) {
		if (str_caseeq(status, keyword_statuses[i]))
			return keyword_statuses[i];
	}
	return NULL;
}

bool
keyword_status_valid(const char *status)
{
	return keyword_status_name(status) != NULL;
}

char *
keyword_status(const char *status)
{
	const char *name = keyword_status_name(status);

	if (name == NULL)
		return NULL;
	return xasprintf("%s%s", KEYWORD_STATUS_PREFIX, name);
}

char *
keyword_assign(const char *who)
{
	const char *error;
	char *kw;

	/* The name must be a label, so that "assign/" keywords decode as
	 * labels do; a name with a reserved prefix ("status/x") is
	 * refused too. */
	if (who == NULL || (kw = keyword_from_label(who, &error)) == NULL)
		return NULL;
	free(kw);
	return keyword_encode_checked(who, KEYWORD_ASSIGN_PREFIX);
}

/* Whether a space-separated word of list equals kw, or starts with it
 * when prefix is set, in ASCII case-insensitive comparison. */
static bool
keyword_list_find(const char *list, const char *kw, bool prefix)
{
	size_t kwlen = strlen(kw), wlen;
	const char *p = list, *word;

	if (list == NULL)
		return false;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		word = p;
		while (*p != ' ' && *p != '\0')
			p++;
		wlen = (size_t)(p - word);
		if (wlen == 0 || wlen < kwlen || (!prefix && wlen != kwlen))
			continue;
		if (keyword_eq_ci(word, kw, kwlen))
			return true;
	}
	return false;
}

bool
keyword_list_has(const char *list, const char *kw)
{
	return kw != NULL && *kw != '\0' && keyword_list_find(list, kw, false);
}

bool
keyword_list_has_prefix(const char *list, const char *prefix)
{
	return prefix != NULL && keyword_list_find(list, prefix, true);
}
