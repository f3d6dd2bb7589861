/* Charset labels to iconv names, and conversion of text to UTF-8. */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "mime/charset.h"

#define CHARSET_CHUNK 4096
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Labels seen in real mail that iconv does not know, or knows under a
 * different meaning; values are what we convert with. Supersets are
 * preferred, since mailers label text with the smaller set and send the
 * larger (Windows code pages for Shift_JIS, GB2312, EUC-KR, ISO-8859-1). */
static const struct {
	const char *label;
	const char *name;
} charset_aliases[] = {
	{ "us-ascii", "US-ASCII" },
	{ "ascii", "US-ASCII" },
	{ "ansi_x3.4-1968", "US-ASCII" },
	{ "utf8", "UTF-8" },
	{ "utf-8", "UTF-8" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "utf7", "UTF-7" },
	{ "latin1", "WINDOWS-1252" },
	{ "latin-1", "WINDOWS-1252" },
	{ "iso-8859-1", "WINDOWS-1252" },
	{ "iso8859-1", "WINDOWS-1252" },
	{ "iso_8859-1", "WINDOWS-1252" },
	{ "iso-8859-9", "WINDOWS-1254" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-8-e", "ISO-8859-8" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "iso-8859-6-e", "ISO-8859-6" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ksc5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "x-sjis", "CP932" },
	{ "shift-jis", "CP932" },
	{ "shift_jis", "CP932" },
	{ "sjis", "CP932" },
	{ "x-euc-jp", "EUC-JP" },
	{ "iso-2022-jp", "ISO-2022-JP-3" },
	{ "gb2312", "GBK" },
	{ "x-gbk", "GBK" },
	{ "x-euc-cn", "GBK" },
	{ "euc-cn", "GBK" },
	{ "gb_2312-80", "GBK" },
	{ "big5", "BIG5-HKSCS" },
	{ "x-x-big5", "BIG5-HKSCS" },
	{ "tis-620", "CP874" },
	{ "windows-874", "CP874" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "x-mac-cyrillic", "MAC-CYRILLIC" },
	{ "x-mac-ukrainian", "MAC-UK" },
	{ "x-mac-centraleurroman", "MAC-CENTRALEUROPE" },
	{ "x-mac-ce", "MAC-CENTRALEUROPE" },
	{ "x-mac-greek", "MACGREEK" },
	{ "x-mac-turkish", "MACTURKISH" },
	{ "x-mac-icelandic", "MAC-IS" },
	{ "x-mac-croatian", "MACCROATIAN" },
	{ "x-mac-romanian", "MACROMANIA" },
	{ "x-mac-hebrew", "MACHEBREW" },
	{ "x-mac-arabic", "MACARABIC" },
	{ "x-mac-thai", "MACTHAI" },
	{ "x-mac-japanese", "CP932" },
	{ "macintosh", "MACINTOSH" },
	{ "x-cp1250", "WINDOWS-1250" },
	{ "x-cp1251", "WINDOWS-1251" },
	{ "cp1252", "WINDOWS-1252" },
	{ "koi8r", "KOI8-R" },
	{ "koi8u", "KOI8-U" },
	{ "x-user-defined", "WINDOWS-1252" },
};

/* Labels that say "8-bit, charset not known". */
static const char *const charset_unknown_labels[] = {
	"x-unknown", "unknown-8bit", "unknown", "x-user-defined-8bit", "8bit",
	"default", "charset", NULL
};

struct charset_cache_entry {
	char name[CHARSET_NAME_MAX + 1];
	iconv_t cd;
	bool used;
};

/* A few open converters: mail uses one or two charsets at a time, and
 * iconv_open is costly. Entries are replaced round-robin. */
static struct charset_cache_entry charset_cache[CHARSET_CACHE_SIZE];
static size_t charset_cache_next;

static iconv_t
charset_cache_get(const char *name)
{
	struct charset_cache_entry *e;
	iconv_t cd;
	size_t i;

	for (i = 0; i < CHARSET_CACHE_SIZE; i++) {
		e = &charset_cache[i];
		if (e->used && strcmp(e->name, name) == 0) {
			/* Back to the initial shift state. */
			iconv(e->cd, NULL, NULL, NULL, NULL);
			return e->cd;
		}
	}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return cd;
	e = &charset_cache[charset_cache_next];
	charset_cache_next = (charset_cache_next + 1) % CHARSET_CACHE_SIZE;
	if (e->used)
		iconv_close(e->cd);
	memcpy(e->name, name, strlen(name) + 1);
	e->cd = cd;
	e->used = true;
	return cd;
}

void
charset_cache_clear(void)
{
	size_t i;

	for (i = 0; i < CHARSET_CACHE_SIZE; i++) {
		if (charset_cache[i].used)
			iconv_close(charset_cache[i].cd);
		charset_cache[i].used = false;
	}
	charset_cache_next = 0;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629 §4), 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (p[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;	/* past U+10FFFF */
		return 4;
	}
	return 0;
}

/* How many bytes one U+FFFD replaces at an invalid sequence: the
 * maximal subpart of a valid sequence (Unicode 15 §3.9, as the WHATWG
 * decoder does), so "\xe2\x82" cut short is one character, not two. */
static size_t
utf8_bad_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 1;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < need && i < n; i++) {
		if (p[i] < lo || p[i] > hi)
			break;
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

bool
charset_utf8_valid(const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq_len(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

/* Mostly UTF-8: some valid multibyte sequences and far fewer bad bytes,
 * as when a mailer cut a UTF-8 name in the middle of a character.
 * Legacy 8-bit text almost never forms valid sequences by chance. */
static bool
utf8_mostly_valid(const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, n, good = 0, bad = 0;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq_len(p + i, len - i)) == 0) {
			bad++;
			i++;
			continue;
		}
		good++;
		i += n;
	}
	return good > 0 && bad * 4 <= good;
}

bool
charset_is_ascii(const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)src[i] >= 0x80)
			return false;
	return true;
}

int
charset_add_bounded(struct buf *out, const char *src, size_t len)
{
	size_t lo = 0, hi = len, mid;

	if (buf_add(out, src, len) == 0)
		return 0;
	/* Find the longest prefix that fits, then back off to a character
	 * boundary so the output stays valid UTF-8. */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (buf_add(out, src, mid) == 0) {
			buf_truncate(out, buf_len(out) - mid);
			lo = mid;
		} else
			hi = mid - 1;
	}
	while (lo > 0 && ((unsigned char)src[lo] & 0xc0) == 0x80)
		lo--;
	if (lo > 0)
		buf_add(out, src, lo);
	return -1;
}

int
charset_utf8_sanitize(const char *src, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, start = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq_len(p + i, len - i)) != 0) {
			i += n;
			continue;
		}
		if (charset_add_bounded(out, src + start, i - start) != 0 ||
		    buf_add(out, UTF8_REPLACEMENT, 3) != 0)
			return -1;
		i += utf8_bad_len(p + i, len - i);
		start = i;
	}
	return charset_add_bounded(out, src + start, i - start);
}

/* Lowercased label without quotes, whitespace or "*language" suffix
 * (RFC 2231 §5); false if empty, too long or holding bytes no charset
 * name has (the name goes to iconv_open, so keep it to a safe set). */
static bool
charset_clean_label(const char *label, size_t len, char *clean_r)
{
	size_t i, n = 0;
	char c;

	while (len > 0 && (label[0] == '"' || label[0] == '\'' ||
	    label[0] == ' ' || label[0] == '\t'))
		label++, len--;
	while (len > 0 && (label[len - 1] == '"' || label[len - 1] == '\'' ||
	    label[len - 1] == ' ' || label[len - 1] == '\t'))
		len--;
	for (i = 0; i < len && label[i] != '*'; i++) {
		c = label[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
		if (n == CHARSET_NAME_MAX)
			return false;
		clean_r[n++] = c;
	}
	clean_r[n] = '\0';
	return n > 0;
}

bool
charset_lookup(const char *label, size_t len, char *name_r)
{
	char clean[CHARSET_NAME_MAX + 1];
	size_t i;

	name_r[0] = '\0';
	if (label == NULL || !charset_clean_label(label, len, clean))
		return false;
	for (i = 0; charset_unknown_labels[i] != NULL; i++)
		if (strcmp(clean, charset_unknown_labels[i]) == 0)
			return false;
	for (i = 0; i < sizeof(charset_aliases) / sizeof(charset_aliases[0]); i++) {
		if (strcmp(clean, charset_aliases[i].label) == 0) {
			memcpy(name_r, charset_aliases[i].name,
			    strlen(charset_aliases[i].name) + 1);
			return true;
		}
	}
	if (str_has_prefix(clean, "x-") && clean[2] != '\0') {
		/* "x-koi8-r" and friends: try the name without the prefix. */
		if (charset_lookup(clean + 2, strlen(clean + 2), name_r))
			return true;
	}
	for (i = 0; clean[i] != '\0'; i++)
		name_r[i] = (clean[i] >= 'a' && clean[i] <= 'z') ?
		    (char)(clean[i] - 'a' + 'A') : clean[i];
	name_r[i] = '\0';
	if (charset_cache_get(name_r) == (iconv_t)-1) {
		name_r[0] = '\0';
		return false;
	}
	return true;
}

/* Charsets in which an ASCII byte may not stand for itself. */
static bool
charset_ascii_compatible(const char *name)
{
	return !(str_has_prefix(name, "UTF-7") || str_has_prefix(name, "UTF-16") ||
	    str_has_prefix(name, "UTF-32") || str_has_prefix(name, "UCS") ||
	    str_has_prefix(name, "UNICODE") || str_has_prefix(name, "HZ") ||
	    str_has_prefix(name, "ISO-2022") || str_has_prefix(name, "CSISO2022"));
}

/* Converts with iconv; a byte it refuses becomes U+FFFD and the
 * conversion restarts after it. */
static int
charset_iconv(iconv_t cd, const char *src, size_t len, struct buf *out)
{
	char chunk[CHARSET_CHUNK];
	char *in = (char *)src, *o;
	size_t inleft = len, oleft, r;
	int flush = 0;

	while (inleft > 0 || flush == 0) {
		o = chunk;
		oleft = sizeof(chunk);
		if (inleft > 0)
			r = iconv(cd, &in, &inleft, &o, &oleft);
		else {
			/* End of input: let stateful encodings close. */
			r = iconv(cd, NULL, NULL, &o, &oleft);
			flush = 1;
		}
		if (charset_add_bounded(out, chunk, sizeof(chunk) - oleft) != 0)
			return -1;
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL (incomplete at the end): one U+FFFD for
		 * the bad byte, then carry on from a clean state. */
		if (buf_add(out, UTF8_REPLACEMENT, 3) != 0)
			return -1;
		if (inleft == 0)
			break;
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	return 0;
}

static int
charset_convert_named(const char *name, const char *src, size_t len,
    struct buf *out)
{
	iconv_t cd;

	if (strcmp(name, "UTF-8") == 0 || strcmp(name, "US-ASCII") == 0)
		return charset_utf8_sanitize(src, len, out);
	if (charset_ascii_compatible(name) && charset_is_ascii(src, len))
		return charset_add_bounded(out, src, len);
	cd = charset_cache_get(name);
	if (cd == (iconv_t)-1)
		return charset_utf8_sanitize(src, len, out);
	return charset_iconv(cd, src, len, out);
}

int
charset_to_utf8(const char *charset, size_t charset_len, const char *src,
    size_t len, const char *fallback, struct buf *out)
{
	char name[CHARSET_NAME_MAX + 1];

	if (charset != NULL && charset_len > 0 &&
	    charset_lookup(charset, charset_len, name) &&
	    strcmp(name, "US-ASCII") != 0)
		return charset_convert_named(name, src, len, out);

	/* Undeclared, unknown or us-ascii: valid UTF-8 stays, anything else
	 * is read in the fallback charset. */
	if (charset_utf8_valid(src, len))
		return charset_add_bounded(out, src, len);
	if (utf8_mostly_valid(src, len))
		return charset_utf8_sanitize(src, len, out);
	if (fallback == NULL ||
	    !charset_lookup(fallback, strlen(fallback), name) ||
	    strcmp(name, "US-ASCII") == 0)
		memcpy(name, "WINDOWS-1252", sizeof("WINDOWS-1252"));
	return charset_convert_named(name, src, len, out);
}
