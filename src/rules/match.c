/* Evaluating a query on the header cache. The tree is compiled once into
 * a mirror of itself with everything a message does not change worked
 * out (folded needles, keywords, times), so testing a message is a walk
 * with no allocation; strings are folded only when they are not ASCII. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "rules/keyword.h"
#include "rules/match.h"
#include "rules/ticket.h"

/* ---- folding ---- */

/* Simple lower-case mapping (CaseFolding.txt, statuses C and S) for the
 * scripts mail is mostly written in: a code point in [lo, hi] maps to
 * cp + delta; with step 2 only every other one does (upper and lower
 * case alternate), starting at lo. Sorted, for a binary search. */
static const struct {
	uint32_t lo, hi;
	int32_t delta;
	uint8_t step;
} match_lower_ranges[] = {
	{ 0x0041, 0x005a, 32, 1 },
	{ 0x00b5, 0x00b5, 0x03bc - 0x00b5, 1 },	/* micro sign: mu */
	{ 0x00c0, 0x00d6, 32, 1 },
	{ 0x00d8, 0x00de, 32, 1 },
	{ 0x0100, 0x012f, 1, 2 },
	/* U+0130 is decomposed to I + U+0307 instead; U+0131 stays */
	{ 0x0132, 0x0137, 1, 2 },
	{ 0x0139, 0x0148, 1, 2 },
	{ 0x014a, 0x0177, 1, 2 },
	{ 0x0178, 0x0178, 0x00ff - 0x0178, 1 },
	{ 0x0179, 0x017e, 1, 2 },
	{ 0x017f, 0x017f, 's' - 0x017f, 1 },	/* long s */
	{ 0x01cd, 0x01dc, 1, 2 },
	{ 0x01de, 0x01ef, 1, 2 },
	{ 0x01f8, 0x021f, 1, 2 },
	{ 0x0222, 0x0233, 1, 2 },
	{ 0x0246, 0x024f, 1, 2 },
	{ 0x0370, 0x0373, 1, 2 },
	{ 0x0376, 0x0376, 1, 1 },
	{ 0x037f, 0x037f, 0x03f3 - 0x037f, 1 },
	{ 0x0386, 0x0386, 0x03ac - 0x0386, 1 },
	{ 0x0388, 0x038a, 0x03ad - 0x0388, 1 },
	{ 0x038c, 0x038c, 0x03cc - 0x038c, 1 },
	{ 0x038e, 0x038f, 0x03cd - 0x038e, 1 },
	{ 0x0391, 0x03a1, 32, 1 },
	{ 0x03a3, 0x03ab, 32, 1 },
	{ 0x03c2, 0x03c2, 1, 1 },		/* final sigma */
	{ 0x03cf, 0x03cf, 0x03d7 - 0x03cf, 1 },
	{ 0x03d0, 0x03d0, 0x03b2 - 0x03d0, 1 },
	{ 0x03d1, 0x03d1, 0x03b8 - 0x03d1, 1 },
	{ 0x03d5, 0x03d5, 0x03c6 - 0x03d5, 1 },
	{ 0x03d6, 0x03d6, 0x03c0 - 0x03d6, 1 },
	{ 0x03d8, 0x03ef, 1, 2 },
	{ 0x03f0, 0x03f0, 0x03ba - 0x03f0, 1 },
	{ 0x03f1, 0x03f1, 0x03c1 - 0x03f1, 1 },
	{ 0x03f4, 0x03f4, 0x03b8 - 0x03f4, 1 },
	{ 0x03f5, 0x03f5, 0x03b5 - 0x03f5, 1 },
	{ 0x03f7, 0x03f7, 1, 1 },
	{ 0x03f9, 0x03f9, 0x03f2 - 0x03f9, 1 },
	{ 0x03fa, 0x03fa, 1, 1 },
	{ 0x03fd, 0x03ff, 0x037b - 0x03fd, 1 },
	{ 0x0400, 0x040f, 80, 1 },
	{ 0x0410, 0x042f, 32, 1 },
	{ 0x0460, 0x0481, 1, 2 },
	{ 0x048a, 0x04bf, 1, 2 },
	{ 0x04c0, 0x04c0, 15, 1 },
	{ 0x04c1, 0x04ce, 1, 2 },
	{ 0x04d0, 0x052f, 1, 2 },
	{ 0x0531, 0x0556, 48, 1 },
	{ 0x10a0, 0x10c5, 0x2d00 - 0x10a0, 1 },
	{ 0x1e00, 0x1e95, 1, 2 },
	{ 0x1e9e, 0x1e9e, 0x00df - 0x1e9e, 1 },	/* capital sharp s: ß */
	{ 0x1ea0, 0x1eff, 1, 2 },
	{ 0x2160, 0x216f, 16, 1 },
	{ 0x24b6, 0x24cf, 26, 1 },
	{ 0xff21, 0xff3a, 32, 1 },
};

static uint32_t
match_lower(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(match_lower_ranges) / sizeof(match_lower_ranges[0]);

	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < match_lower_ranges[mid].lo)
			hi = mid;
		else if (cp > match_lower_ranges[mid].hi)
			lo = mid + 1;
		else {
			if (match_lower_ranges[mid].step == 2 &&
			    (cp - match_lower_ranges[mid].lo) % 2 != 0)
				return cp;
			return (uint32_t)((int32_t)cp + match_lower_ranges[mid].delta);
		}
	}
	return cp;
}

/* Canonical decompositions of U+00C0..U+017F, already lower-cased: the
 * base letter, and the combining mark as a character code below (a
 * space: none, as for ø, æ, đ, ł, which Unicode does not decompose). */
static const char match_latin_base[] =
	"aaaaaa ceeeeiiii nooooo  uuuuy  "	/* U+00C0 */
	"aaaaaa ceeeeiiii nooooo  uuuuy y"	/* U+00E0 */
	"aaaaaaccccccccdd"			/* U+0100 */
	"  eeeeeeeeeegggg"
	"gggghh  iiiiiiii"
	"i   jjkk llllll "
	"   nnnnnn   oooo"
	"oo  rrrrrrssssss"
	"sstttt  uuuuuuuu"
	"uuuuwwyyyzzzzzz ";
static const char match_latin_mark[] =
	"`'^~:o ,`'^:`'^: ~`'^~:  `'^:'  "
	"`'^~:o ,`'^:`'^: ~`'^~:  `'^:' :"
	"--uu;;''^^..vvvv"
	"  --uu..;;vv^^uu"
	"..,,^^  ~~--uu;;"
	".   ^^,, '',,vv "
	"   '',,vv   --uu"
	"\"\"  '',,vv''^^,,"
	"vv,,vv  ~~--uuoo"
	"\"\";;^^^^:''..vv ";

static uint32_t
match_mark(char c)
{
	switch (c) {
	case '`': return 0x0300;	/* grave */
	case '\'': return 0x0301;	/* acute */
	case '^': return 0x0302;	/* circumflex */
	case '~': return 0x0303;	/* tilde */
	case '-': return 0x0304;	/* macron */
	case 'u': return 0x0306;	/* breve */
	case '.': return 0x0307;	/* dot above */
	case ':': return 0x0308;	/* diaeresis */
	case 'o': return 0x030a;	/* ring above */
	case '"': return 0x030b;	/* double acute */
	case 'v': return 0x030c;	/* caron */
	case ',': return 0x0327;	/* cedilla */
	case ';': return 0x0328;	/* ogonek */
	}
	return 0;
}

/* Greek letters with tonos or dialytika and the Cyrillic letters with a
 * canonical decomposition, lower-cased, fully decomposed. Sorted. */
static const struct {
	uint16_t cp, base, mark1, mark2;
} match_decomp[] = {
	{ 0x0386, 0x03b1, 0x0301, 0 },
	{ 0x0388, 0x03b5, 0x0301, 0 },
	{ 0x0389, 0x03b7, 0x0301, 0 },
	{ 0x038a, 0x03b9, 0x0301, 0 },
	{ 0x038c, 0x03bf, 0x0301, 0 },
	{ 0x038e, 0x03c5, 0x0301, 0 },
	{ 0x038f, 0x03c9, 0x0301, 0 },
	{ 0x0390, 0x03b9, 0x0308, 0x0301 },
	{ 0x03aa, 0x03b9, 0x0308, 0 },
	{ 0x03ab, 0x03c5, 0x0308, 0 },
	{ 0x03ac, 0x03b1, 0x0301, 0 },
	{ 0x03ad, 0x03b5, 0x0301, 0 },
	{ 0x03ae, 0x03b7, 0x0301, 0 },
	{ 0x03af, 0x03b9, 0x0301, 0 },
	{ 0x03b0, 0x03c5, 0x0308, 0x0301 },
	{ 0x03ca, 0x03b9, 0x0308, 0 },
	{ 0x03cb, 0x03c5, 0x0308, 0 },
	{ 0x03cc, 0x03bf, 0x0301, 0 },
	{ 0x03cd, 0x03c5, 0x0301, 0 },
	{ 0x03ce, 0x03c9, 0x0301, 0 },
	{ 0x03d3, 0x03d2, 0x0301, 0 },
	{ 0x03d4, 0x03d2, 0x0308, 0 },
	{ 0x0400, 0x0435, 0x0300, 0 },
	{ 0x0401, 0x0435, 0x0308, 0 },
	{ 0x0403, 0x0433, 0x0301, 0 },
	{ 0x0407, 0x0456, 0x0308, 0 },
	{ 0x040c, 0x043a, 0x0301, 0 },
	{ 0x040d, 0x0438, 0x0300, 0 },
	{ 0x040e, 0x0443, 0x0306, 0 },
	{ 0x0419, 0x0438, 0x0306, 0 },
	{ 0x0439, 0x0438, 0x0306, 0 },
	{ 0x0450, 0x0435, 0x0300, 0 },
	{ 0x0451, 0x0435, 0x0308, 0 },
	{ 0x0453, 0x0433, 0x0301, 0 },
	{ 0x0457, 0x0456, 0x0308, 0 },
	{ 0x045c, 0x043a, 0x0301, 0 },
	{ 0x045d, 0x0438, 0x0300, 0 },
	{ 0x045e, 0x0443, 0x0306, 0 },
};

/* Folds one code point into out[] (at most 3); returns the count. */
static size_t
match_fold_cp(uint32_t cp, uint32_t out[3])
{
	size_t lo, hi;

	if (cp >= 0xc0 && cp <= 0x17f && match_latin_base[cp - 0xc0] != ' ') {
		out[0] = (uint32_t)(unsigned char)match_latin_base[cp - 0xc0];
		out[1] = match_mark(match_latin_mark[cp - 0xc0]);
		return 2;
	}
	if (cp >= 0x0386 && cp <= 0x045e) {
		lo = 0;
		hi = sizeof(match_decomp) / sizeof(match_decomp[0]);
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (cp < match_decomp[mid].cp)
				hi = mid;
			else if (cp > match_decomp[mid].cp)
				lo = mid + 1;
			else {
				out[0] = match_decomp[mid].base;
				out[1] = match_decomp[mid].mark1;
				out[2] = match_decomp[mid].mark2;
				return out[2] != 0 ? 3 : 2;
			}
		}
	}
	out[0] = match_lower(cp);
	return 1;
}

size_t
query_fold(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = buf_len(out), i = 0;

	while (i < len) {
		uint32_t cp, f[3];
		size_t n, nf, j;
		char enc[4];

		n = str_utf8_decode(u + i, len - i, &cp);
		if (n == 0) {
			/* Invalid bytes stay: they can still match
			 * themselves. */
			if (buf_addc(out, s[i]) < 0)
				break;
			i++;
			continue;
		}
		i += n;
		nf = match_fold_cp(cp, f);
		for (j = 0; j < nf; j++) {
			if (buf_add(out, enc, str_utf8_encode(f[j], enc)) < 0)
				return buf_len(out) - start;
		}
	}
	return buf_len(out) - start;
}

/* ---- the compiled query ---- */

enum match_op {
	MATCH_TRUE,
	MATCH_FALSE,
	MATCH_AND,
	MATCH_OR,
	MATCH_NOT,
	MATCH_SLOT,		/* the server's answer */
	MATCH_STR,		/* needle in strs[] */
	MATCH_KEYWORD,		/* kw in the keywords */
	MATCH_STATUS_OPEN,	/* status/open, or no status at all */
	MATCH_NO_ASSIGN,	/* no assign/ keyword */
	MATCH_FLAG_SET,		/* (flags & bit) != 0 */
	MATCH_FLAG_CLEAR,	/* (flags & bit) == 0 */
	MATCH_BEFORE,		/* internaldate < t */
	MATCH_SINCE,		/* internaldate >= t */
	MATCH_LARGER,
	MATCH_SMALLER,
	MATCH_TICKET,
};

struct match_node {
	enum match_op op;
	struct match_node *kids;
	size_t nkids;
	int slot;
	/* MATCH_STR: the folded needle and the fields it looks at */
	char *needle;
	size_t needle_len;
	bool needle_ascii;
	enum index_str strs[2];
	size_t nstrs;
	/* MATCH_KEYWORD, MATCH_TICKET */
	char *kw;
	uint32_t bit;
	int64_t t;
	uint64_t num;
};

struct query_matcher {
	const struct index *idx;
	const struct sync_uids *slots;
	size_t nslots;
	struct match_node root;
	/* Folded haystacks; reused so a test allocates nothing once warm.
	 * This makes a matcher single-threaded. */
	struct buf *scratch;
};

/* Midnight starting the day in the local time zone, as IMAP servers
 * read BEFORE and SINCE (RFC 3501 6.4.4: "disregarding time and
 * timezone"), and as the user sees the day. */
static int64_t
match_local_midnight(const struct query_date *d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = d->year - 1900;
	tm.tm_mon = d->month - 1;
	tm.tm_mday = d->day;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void
match_set_needle(struct match_node *m, const char *text)
{
	struct buf b;
	size_t i;

	buf_init(&b, (size_t)4 * QUERY_MAX_LEN + 16);
	(void)query_fold(text, strlen(text), &b);
	m->needle_len = buf_len(&b);
	m->needle = buf_detach(&b);
	m->needle_ascii = true;
	for (i = 0; i < m->needle_len; i++) {
		if ((unsigned char)m->needle[i] >= 0x80)
			m->needle_ascii = false;
	}
}

static void
match_set_keyword(struct match_node *m, char *kw)
{
	if (kw == NULL) {
		/* Not a keyword a message can carry. */
		m->op = MATCH_FALSE;
		return;
	}
	m->op = MATCH_KEYWORD;
	m->kw = kw;
}

static void
match_compile_term(struct match_node *m, const struct query_node *q,
    const struct query_match_ctx *ctx)
{
	static const struct {
		uint32_t bit;
		bool set;
	} is_bits[] = {
		[QUERY_IS_UNREAD] = { INDEX_SEEN, false },
		[QUERY_IS_READ] = { INDEX_SEEN, true },
		[QUERY_IS_FLAGGED] = { INDEX_FLAGGED, true },
		[QUERY_IS_UNFLAGGED] = { INDEX_FLAGGED, false },
		[QUERY_IS_ANSWERED] = { INDEX_ANSWERED, true },
		[QUERY_IS_UNANSWERED] = { INDEX_ANSWERED, false },
		[QUERY_IS_DRAFT] = { INDEX_DRAFT, true },
	};
	const char *text = q->text != NULL ? q->text : "";
	const char *error;

	m->op = MATCH_STR;
	switch (q->field) {
	case QUERY_F_TEXT:
		m->strs[0] = INDEX_STR_FROM;
		m->strs[1] = INDEX_STR_SUBJECT;
		m->nstrs = 2;
		match_set_needle(m, text);
		break;
	case QUERY_F_FROM:
		m->strs[m->nstrs++] = INDEX_STR_FROM;
		match_set_needle(m, text);
		break;
	case QUERY_F_TO:
		m->strs[m->nstrs++] = INDEX_STR_TO;
		match_set_needle(m, text);
		break;
	case QUERY_F_CC:
		m->strs[m->nstrs++] = INDEX_STR_CC;
		match_set_needle(m, text);
		break;
	case QUERY_F_SUBJECT:
		m->strs[m->nstrs++] = INDEX_STR_SUBJECT;
		match_set_needle(m, text);
		break;
	case QUERY_F_LIST:
		m->strs[m->nstrs++] = INDEX_STR_LIST_ID;
		match_set_needle(m, text);
		break;
	case QUERY_F_BODY:
		/* Only the server knows; query_match_local_ok() warns. */
		m->op = MATCH_FALSE;
		break;
	case QUERY_F_LABEL:
		if ((m->bit = index_flag_bit(text)) != 0) {
			/* sync keeps $Forwarded and $Junk as bits, not
			 * keywords (a label cannot be a system flag) */
			m->op = MATCH_FLAG_SET;
			break;
		}
		match_set_keyword(m, keyword_from_label(text, &error));
		break;
	case QUERY_F_STATUS:
		match_set_keyword(m, keyword_status(text));
		if (m->op == MATCH_KEYWORD && strcmp(text, "open") == 0)
			m->op = MATCH_STATUS_OPEN;
		break;
	case QUERY_F_ASSIGN:
		if (strcmp(text, "none") == 0)
			m->op = MATCH_NO_ASSIGN;
		else if (strcmp(text, "me") == 0 && ctx->me != NULL)
			match_set_keyword(m, keyword_assign(ctx->me));
		else
			match_set_keyword(m, keyword_assign(text));
		break;
	case QUERY_F_TICKET:
		m->op = MATCH_TICKET;
		m->kw = xstrdup(text);
		break;
	case QUERY_F_IS:
		if (q->num >= sizeof(is_bits) / sizeof(is_bits[0])) {
			m->op = MATCH_FALSE;
			break;
		}
		m->op = is_bits[q->num].set ? MATCH_FLAG_SET : MATCH_FLAG_CLEAR;
		m->bit = is_bits[q->num].bit;
		break;
	case QUERY_F_HAS:
		m->op = MATCH_FLAG_SET;
		m->bit = INDEX_HAS_ATTACHMENT;
		break;
	case QUERY_F_BEFORE:
		m->op = MATCH_BEFORE;
		m->t = match_local_midnight(&q->date);
		break;
	case QUERY_F_AFTER:
		m->op = MATCH_SINCE;
		m->t = match_local_midnight(&q->date);
		break;
	case QUERY_F_LARGER:
		m->op = MATCH_LARGER;
		m->num = q->num;
		break;
	case QUERY_F_SMALLER:
		m->op = MATCH_SMALLER;
		m->num = q->num;
		break;
	default:
		m->op = MATCH_FALSE;
		break;
	}
}

static void
match_compile(struct match_node *m, const struct query_node *q,
    const struct query_match_ctx *ctx)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->slot = -1;
	if (q->slot >= 0) {
		m->op = MATCH_SLOT;
		m->slot = q->slot;
		return;
	}
	switch (q->kind) {
	case QUERY_AND:
	case QUERY_OR:
	case QUERY_NOT:
		m->op = q->kind == QUERY_AND ? MATCH_AND :
		    q->kind == QUERY_OR ? MATCH_OR : MATCH_NOT;
		if (q->nkids == 0) {
			/* An empty AND matches everything; an empty OR
			 * (never parsed) nothing. */
			m->op = q->kind == QUERY_OR ? MATCH_FALSE : MATCH_TRUE;
			break;
		}
		m->kids = xcalloc(q->nkids, sizeof(*m->kids));
		m->nkids = q->nkids;
		for (i = 0; i < q->nkids; i++)
			match_compile(&m->kids[i], q->kids[i], ctx);
		break;
	case QUERY_TERM:
		match_compile_term(m, q, ctx);
		break;
	}
}

static void
match_node_free(struct match_node *m)
{
	size_t i;

	for (i = 0; i < m->nkids; i++)
		match_node_free(&m->kids[i]);
	free(m->kids);
	free(m->needle);
	free(m->kw);
}

struct query_matcher *
query_matcher_create(const struct query_node *q, const struct query_match_ctx *ctx)
{
	struct query_matcher *mt = xcalloc(1, sizeof(*mt));

	mt->idx = ctx->idx;
	mt->slots = ctx->slots;
	mt->nslots = ctx->slots != NULL ? ctx->nslots : 0;
	mt->scratch = xmalloc(sizeof(*mt->scratch));
	/* Headers are bounded by the envelope parser; a field folded past
	 * this is cut, which can only lose a match at its very end. */
	buf_init(mt->scratch, (size_t)1024 * 1024);
	match_compile(&mt->root, q, ctx);
	return mt;
}

void
query_matcher_destroy(struct query_matcher **mtp)
{
	struct query_matcher *mt = *mtp;

	if (mt == NULL)
		return;
	match_node_free(&mt->root);
	buf_free(mt->scratch);
	free(mt->scratch);
	free(mt);
	*mtp = NULL;
}

static unsigned char
match_ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive search of an ASCII needle (already lower case) in the
 * raw haystack. *high_r tells whether the haystack has non-ASCII bytes,
 * whose folding could make a match the raw bytes do not show. */
static bool
match_ascii_search(const char *hay, const char *needle, size_t nlen, bool *high_r)
{
	const unsigned char *h = (const unsigned char *)hay;
	const unsigned char *n = (const unsigned char *)needle;
	unsigned char first = n[0], first_up;
	bool high = false;
	size_t i, j;

	first_up = first >= 'a' && first <= 'z' ? (unsigned char)(first - 32) : first;
	for (i = 0; h[i] != '\0'; i++) {
		if (h[i] >= 0x80) {
			high = true;
			continue;
		}
		if (h[i] != first && h[i] != first_up)
			continue;
		for (j = 1; j < nlen; j++) {
			if (h[i + j] == '\0' || match_ascii_lower(h[i + j]) != n[j])
				break;
		}
		if (j == nlen)
			return true;
	}
	*high_r = high;
	return false;
}

static bool
match_has_high(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return true;
	}
	return false;
}

static bool
match_str(const struct query_matcher *mt, const struct match_node *m, const char *hay)
{
	bool high = false;

	if (m->needle_len == 0)
		return true;
	if (m->needle_ascii) {
		if (match_ascii_search(hay, m->needle, m->needle_len, &high))
			return true;
		if (!high)
			return false;
	} else if (!match_has_high(hay)) {
		/* A folded ASCII string stays ASCII. */
		return false;
	}
	buf_reset(mt->scratch);
	(void)query_fold(hay, strlen(hay), mt->scratch);
	if (buf_len(mt->scratch) < m->needle_len)
		return false;
	return memmem(buf_ptr(mt->scratch), buf_len(mt->scratch), m->needle,
	    m->needle_len) != NULL;
}

static bool
match_node_test(const struct query_matcher *mt, const struct match_node *m,
    const struct index_msg *msg)
{
	const char *kws;
	char ticket[TICKET_LEN + 1];
	size_t i;

	switch (m->op) {
	case MATCH_TRUE:
		return true;
	case MATCH_FALSE:
		return false;
	case MATCH_AND:
		for (i = 0; i < m->nkids; i++) {
			if (!match_node_test(mt, &m->kids[i], msg))
				return false;
		}
		return true;
	case MATCH_OR:
		for (i = 0; i < m->nkids; i++) {
			if (match_node_test(mt, &m->kids[i], msg))
				return true;
		}
		return false;
	case MATCH_NOT:
		return !match_node_test(mt, &m->kids[0], msg);
	case MATCH_SLOT:
		return (size_t)m->slot < mt->nslots &&
		    sync_uids_contains(&mt->slots[m->slot], msg->uid);
	case MATCH_STR:
		for (i = 0; i < m->nstrs; i++) {
			if (match_str(mt, m, index_msg_str(mt->idx, msg, m->strs[i])))
				return true;
		}
		return false;
	case MATCH_KEYWORD:
		return keyword_list_has(index_msg_str(mt->idx, msg, INDEX_STR_KEYWORDS), m->kw);
	case MATCH_STATUS_OPEN:
		kws = index_msg_str(mt->idx, msg, INDEX_STR_KEYWORDS);
		return keyword_list_has(kws, m->kw) ||
		    (!keyword_list_has(kws, KEYWORD_STATUS_PREFIX "pending") &&
		    !keyword_list_has(kws, KEYWORD_STATUS_PREFIX "done"));
	case MATCH_NO_ASSIGN:
		return !keyword_list_has_prefix(index_msg_str(mt->idx, msg,
		    INDEX_STR_KEYWORDS), KEYWORD_ASSIGN_PREFIX);
	case MATCH_FLAG_SET:
		return (msg->flags & m->bit) != 0;
	case MATCH_FLAG_CLEAR:
		return (msg->flags & m->bit) == 0;
	case MATCH_BEFORE:
		return msg->internaldate < m->t;
	case MATCH_SINCE:
		return msg->internaldate >= m->t;
	case MATCH_LARGER:
		return msg->size > m->num;
	case MATCH_SMALLER:
		return msg->size < m->num;
	case MATCH_TICKET:
		return ticket_of_msg(mt->idx, msg, ticket) && str_caseeq(ticket, m->kw);
	}
	return false;
}

bool
query_matcher_test(const struct query_matcher *mt, const struct index_msg *m)
{
	return match_node_test(mt, &mt->root, m);
}

bool
query_match_local_ok(const struct query_node *q)
{
	size_t i;

	if (q->slot >= 0)
		return true;
	if (q->kind == QUERY_TERM)
		return q->field != QUERY_F_BODY;
	for (i = 0; i < q->nkids; i++) {
		if (!query_match_local_ok(q->kids[i]))
			return false;
	}
	return true;
}
