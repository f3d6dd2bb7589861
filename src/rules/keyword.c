/* Labels as IMAP keywords: the reversible encoding of keyword.h (modified
 * UTF-7 with atom characters as the direct set, imap-utf7.h) and the
 * small helpers for status/ and assign/ keywords.
 *
 * The decoder is strict: it accepts only what the encoder would produce,
 * so a keyword and the label it shows as are in one-to-one
 * correspondence and two different keywords can never look the same in
 * the index. This file must stay free of everything but src/lib and
 * imap-utf7: it is part of the fuzzing build. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-utf7.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/keyword.h"

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
		n = str_utf8_decode(s + i, strlen(label + i), &cp);
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
	char *enc = imap_utf7_encode_as(label, keyword_atom_char), *kw;

	if (enc == NULL || strlen(prefix) + strlen(enc) > KEYWORD_MAX_LEN) {
		free(enc);
		return NULL;
	}
	kw = xasprintf("%s%s", prefix, enc);
	free(enc);
	return kw;
}

static bool
keyword_has_prefix_ci(const char *s, const char *prefix)
{
	return str_ncaseeq(s, prefix, strlen(prefix));
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

char *
keyword_to_label(const char *kw, size_t len)
{
	const unsigned char *p;
	uint32_t cp;
	size_t n;
	char *out;

	/* Without "&" there is nothing to decode, and the encoder never
	 * writes more than KEYWORD_MAX_LEN. */
	if (memchr(kw, '&', len) == NULL || len > KEYWORD_MAX_LEN)
		return xstrndup(kw, len);
	if ((out = imap_utf7_decode_as(kw, len, keyword_atom_char)) == NULL)
		return xstrndup(kw, len);
	/* Controls are never in a label, and one never starts with a
	 * backslash: "&AFw-Seen" must not show as "\Seen". */
	for (p = (const unsigned char *)out; *p != '\0'; p += n) {
		n = str_utf8_decode(p, strlen((const char *)p), &cp);
		if (n == 0 || keyword_control(cp))
			break;
	}
	if (*p != '\0' || out[0] == '\\') {
		free(out);
		return xstrndup(kw, len);
	}
	return out;
}

const char *const keyword_statuses[KEYWORD_STATUS_COUNT] = { "open", "pending", "done" };

/* The canonical (lower case) spelling of status, or NULL. */
static const char *
keyword_status_name(const char *status)
{
	size_t i;

	if (status == NULL)
		return NULL;
	for (i = 0; i < KEYWORD_STATUS_COUNT; i++) {
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
		if (str_ncaseeq(word, kw, kwlen))
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

bool
keyword_list_each(const char *list, const char *prefix, keyword_each_fn *fn, void *ctx)
{
	size_t plen = strlen(prefix), len;
	const char *p = list;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len > plen && str_ncaseeq(p, prefix, plen) && fn(p, len, ctx))
			return true;
		p += len;
	}
	return false;
}
