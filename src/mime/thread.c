/* JWZ threading over a flat message array: an id table, containers
 * linked by References without loops, empty containers pruned, roots
 * optionally grouped by subject, then a deterministic display order. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "mime/thread.h"

#define NONE UINT32_MAX

struct thread_cont {
	const char *id;			/* NULL: synthetic (duplicate, or no id) */
	uint32_t msg;			/* message index or NONE (a dummy) */
	uint32_t parent;
	uint32_t nchildren;
};

/* A sibling (or thread) to be sorted: by date, then by input index. */
struct thread_rec {
	time_t date;
	uint32_t idx;
	uint32_t cont;
};

struct thread_ctx {
	const struct thread_msg *msgs;
	size_t n;
	struct thread_cont *c;
	uint32_t nc, capc;
	uint32_t *slots;		/* open addressing: container + 1, 0 empty */
	size_t mask;
};

static uint64_t
thread_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint32_t
thread_new_cont(struct thread_ctx *t, const char *id)
{
	uint32_t k = t->nc++;

	t->c[k].id = id;
	t->c[k].msg = NONE;
	t->c[k].parent = NONE;
	t->c[k].nchildren = 0;
	return k;
}

/* The container for id, created if new (linear probing; the table is
 * at least twice the most containers there can be). */
static uint32_t
thread_lookup(struct thread_ctx *t, const char *id)
{
	size_t i = (size_t)thread_hash(id) & t->mask;
	uint32_t k;

	while (t->slots[i] != 0) {
		k = t->slots[i] - 1;
		if (strcmp(t->c[k].id, id) == 0)
			return k;
		i = (i + 1) & t->mask;
	}
	k = thread_new_cont(t, id);
	t->slots[i] = k + 1;
	return k;
}

/* Whether a is b or one of b's ancestors. */
static bool
thread_is_ancestor(const struct thread_ctx *t, uint32_t a, uint32_t b)
{
	if (a == b)
		return true;
	/* A container without children is nobody's ancestor: the common
	 * case costs nothing. */
	if (t->c[a].nchildren == 0)
		return false;
	for (; b != NONE; b = t->c[b].parent)
		if (b == a)
			return true;
	return false;
}

/* Makes p the parent of c unless that would close a loop. */
static void
thread_link(struct thread_ctx *t, uint32_t c, uint32_t p)
{
	if (t->c[c].parent == p || thread_is_ancestor(t, c, p))
		return;
	if (t->c[c].parent != NONE)
		t->c[t->c[c].parent].nchildren--;
	t->c[c].parent = p;
	t->c[p].nchildren++;
}

static const char *
thread_ref(const struct thread_msg *m, size_t k)
{
	const char *r = m->refs[k];

	return r != NULL && *r != '\0' ? r : NULL;
}

/* JWZ step 1. */
static void
thread_link_all(struct thread_ctx *t, uint32_t *own)
{
	size_t i, k, first;

	/* Every message gets its container first, so that links guessed
	 * from others' References never override a message's own. */
	for (i = 0; i < t->n; i++) {
		const char *id = t->msgs[i].message_id;
		uint32_t c;

		if (id != NULL && *id != '\0') {
			c = thread_lookup(t, id);
			if (t->c[c].msg != NONE)
				c = thread_new_cont(t, NULL);	/* duplicate id */
		} else
			c = thread_new_cont(t, NULL);
		t->c[c].msg = (uint32_t)i;
		own[i] = c;
	}
	for (i = 0; i < t->n; i++) {
		const struct thread_msg *m = &t->msgs[i];
		uint32_t prev = NONE, ck;

		first = m->nrefs > THREAD_MAX_REFS ? m->nrefs - THREAD_MAX_REFS : 0;
		for (k = first; k < m->nrefs; k++) {
			const char *r = thread_ref(m, k);

			if (r == NULL)
				continue;
			ck = thread_lookup(t, r);
			/* A guessed link: only for containers nobody placed yet,
			 * and never for a message that names its own parent. */
			if (prev != NONE && t->c[ck].parent == NONE &&
			    (t->c[ck].msg == NONE || t->msgs[t->c[ck].msg].nrefs == 0))
				thread_link(t, ck, prev);
			prev = ck;
		}
		/* The message's own last reference is its parent. */
		if (prev != NONE)
			thread_link(t, own[i], prev);
	}
}

static int
thread_rec_cmp(const void *a, const void *b)
{
	const struct thread_rec *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/* Children lists as one array (CSR): kids[first[p] .. first[p + 1]). */
static void
thread_children(uint32_t nc, const uint32_t *parent, uint32_t *first, uint32_t *kids)
{
	uint32_t i;

	memset(first, 0, (nc + 1) * sizeof *first);
	for (i = 0; i < nc; i++)
		if (parent[i] != NONE)
			first[parent[i] + 1]++;
	for (i = 0; i < nc; i++)
		first[i + 1] += first[i];
	/* Fill with a moving cursor per parent, borrowing first[] shifted. */
	for (i = 0; i < nc; i++)
		if (parent[i] != NONE)
			kids[first[parent[i]]++] = i;
	for (i = nc; i > 0; i--)
		first[i] = first[i - 1];
	first[0] = 0;
}

/* "Re: Re: [list] Fwd: x" and "x" group together (JWZ step 5). */
static void
thread_subject_key(const char *s, const char **key_r, size_t *len_r)
{
	size_t len, i;
	bool again = true;

	if (s == NULL) {
		*key_r = "";
		*len_r = 0;
		return;
	}
	len = strlen(s);
	while (again) {
		again = false;
		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		for (i = 0; i < len && i < 4 && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'); i++)
			;
		if (i >= 2 && i <= 3 && i < len) {
			size_t j = i;

			if (s[j] == '[') {	/* "Re[2]:" */
				for (j++; j < len && s[j] >= '0' && s[j] <= '9'; j++)
					;
				if (j < len && s[j] == ']')
					j++;
			}
			if (j < len && s[j] == ':') {
				static const char *const pfx[] = { "re", "fw", "fwd", "aw", "sv", "wg" };
				size_t p;

				for (p = 0; p < sizeof pfx / sizeof pfx[0]; p++) {
					if (strlen(pfx[p]) == i && (s[0] | 0x20) == pfx[p][0] &&
					    (s[1] | 0x20) == pfx[p][1] &&
					    (i < 3 || (s[2] | 0x20) == pfx[p][2])) {
						s += j + 1;
						len -= j + 1;
						again = true;
						break;
					}
				}
			}
		}
	}
	*key_r = s;
	*len_r = len;
}

static uint64_t
thread_hash_key(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		h ^= c >= 'A' && c <= 'Z' ? c | 0x20 : c;
		h *= 1099511628211ULL;
	}
	return h;
}

static bool
thread_key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if ((x >= 'A' && x <= 'Z' ? x | 0x20 : x) != (y >= 'A' && y <= 'Z' ? y | 0x20 : y))
			return false;
	}
	return true;
}

/* JWZ step 5, simplified: roots with the same subject (prefixes
 * stripped) join the oldest of them; a dummy root hands its children
 * over. Roots are visited in (date, index) order, so the oldest is met
 * first and the result does not depend on the input order. */
static void
thread_group_subjects(struct thread_ctx *t, uint32_t *eparent, const struct thread_rec *roots,
    size_t nroots, const uint32_t *first, const uint32_t *kids)
{
	size_t mask, i, j, cap = 1;
	uint32_t *slots;

	while (cap < nroots * 2 + 2)
		cap <<= 1;
	mask = cap - 1;
	slots = xcalloc(cap, sizeof *slots);
	for (i = 0; i < nroots; i++) {
		uint32_t r = roots[i].cont, leader, subj;
		const char *key, *lk;
		size_t len, llen;

		subj = t->c[r].msg != NONE ? r : kids[first[r]];
		thread_subject_key(t->msgs[t->c[subj].msg].subject, &key, &len);
		if (len == 0)
			continue;
		for (j = (size_t)thread_hash_key(key, len) & mask; slots[j] != 0;
		    j = (j + 1) & mask) {
			leader = slots[j] - 1;
			subj = t->c[leader].msg != NONE ? leader : kids[first[leader]];
			thread_subject_key(t->msgs[t->c[subj].msg].subject, &lk, &llen);
			if (thread_key_eq(key, len, lk, llen))
				break;
		}
		if (slots[j] == 0) {
			slots[j] = r + 1;
			continue;
		}
		leader = slots[j] - 1;
		if (t->c[r].msg != NONE)
			eparent[r] = leader;
		else {
			uint32_t k;

			for (k = first[r]; k < first[r + 1]; k++)
				if (eparent[kids[k]] == r)
					eparent[kids[k]] = leader;
			eparent[r] = leader;	/* marks the emptied dummy */
		}
	}
	free(slots);
}

int
thread_build(const struct thread_msg *msgs, size_t n, const struct thread_opts *opts,
    struct thread_node *nodes, size_t *order)
{
	struct thread_opts defopts = { THREAD_SORT_FIRST, false };
	struct thread_ctx t;
	struct thread_rec *recs = NULL, *roots = NULL;
	uint32_t *own, *parent, *first, *kids, *anc, *eparent, *stack, *cnt;
	size_t total = n, i, cap, nroots = 0, pos = 0, thr;
	uint32_t c, k;

	if (n > THREAD_MAX_MESSAGES)
		return -1;
	if (opts == NULL)
		opts = &defopts;
	for (i = 0; i < n; i++)
		total += msgs[i].nrefs > THREAD_MAX_REFS ? THREAD_MAX_REFS : msgs[i].nrefs;
	memset(&t, 0, sizeof t);
	t.msgs = msgs;
	t.n = n;
	t.capc = (uint32_t)total;
	t.c = xreallocarray(NULL, total + 1, sizeof *t.c);
	for (cap = 16; cap < total * 2; cap <<= 1)
		;
	t.mask = cap - 1;
	t.slots = xcalloc(cap, sizeof *t.slots);
	own = xreallocarray(NULL, n + 1, sizeof *own);
	thread_link_all(&t, own);
	free(t.slots);

	/* One block for the per-container arrays. */
	parent = xreallocarray(NULL, (size_t)t.nc * 7 + 2, sizeof *parent);
	first = parent + t.nc;		/* nc + 1 */
	kids = first + t.nc + 1;
	anc = kids + t.nc;
	eparent = anc + t.nc;
	stack = eparent + t.nc;
	cnt = stack + t.nc;
	for (c = 0; c < t.nc; c++)
		parent[c] = t.c[c].parent;
	thread_children(t.nc, parent, first, kids);

	/* JWZ steps 2-4: find each container's nearest message at or above
	 * it (or its root, when only dummies lie above), top-down. */
	for (c = 0; c < t.nc; c++) {
		size_t sp = 0;

		if (parent[c] != NONE)
			continue;
		stack[sp++] = c;
		while (sp > 0) {
			uint32_t x = stack[--sp];

			if (t.c[x].msg != NONE || parent[x] == NONE)
				anc[x] = x;
			else
				anc[x] = anc[parent[x]];
			for (k = first[x]; k < first[x + 1]; k++)
				stack[sp++] = kids[k];
		}
	}
	/* Empty containers go; a root dummy stays only to hold two or more
	 * messages together. */
	memset(cnt, 0, t.nc * sizeof *cnt);
	for (c = 0; c < t.nc; c++) {
		eparent[c] = NONE;
		if (t.c[c].msg != NONE && parent[c] != NONE) {
			eparent[c] = anc[parent[c]];
			if (t.c[eparent[c]].msg == NONE)
				cnt[eparent[c]]++;
		}
	}
	for (c = 0; c < t.nc; c++)
		if (eparent[c] != NONE && t.c[eparent[c]].msg == NONE && cnt[eparent[c]] < 2)
			eparent[c] = NONE;

	/* The surviving tree: messages and kept dummies. */
	for (c = 0; c < t.nc; c++)
		parent[c] = eparent[c];
	if (opts->group_by_subject) {
		thread_children(t.nc, parent, first, kids);
		roots = xreallocarray(NULL, t.nc + 1, sizeof *roots);
		for (c = 0; c < t.nc; c++) {
			if (parent[c] != NONE || (t.c[c].msg == NONE && cnt[c] < 2))
				continue;
			if (t.c[c].msg != NONE) {
				roots[nroots].date = msgs[t.c[c].msg].date;
				roots[nroots].idx = t.c[c].msg;
			} else {
				roots[nroots].date = msgs[t.c[kids[first[c]]].msg].date;
				roots[nroots].idx = t.c[kids[first[c]]].msg;
			}
			roots[nroots++].cont = c;
		}
		qsort(roots, nroots, sizeof *roots, thread_rec_cmp);
		thread_group_subjects(&t, eparent, roots, nroots, first, kids);
		for (c = 0; c < t.nc; c++) {
			parent[c] = eparent[c];
			/* An emptied dummy has no children left. */
			if (t.c[c].msg == NONE && parent[c] != NONE) {
				parent[c] = NONE;
				cnt[c] = 0;
			}
		}
		nroots = 0;
	}
	thread_children(t.nc, parent, first, kids);

	/* Sort siblings by (date, index). */
	recs = xreallocarray(NULL, t.nc + 1, sizeof *recs);
	for (c = 0; c < t.nc; c++) {
		uint32_t a = first[c], b = first[c + 1];

		if (b - a < 2)
			continue;
		for (k = a; k < b; k++) {
			recs[k - a].date = msgs[t.c[kids[k]].msg].date;
			recs[k - a].idx = t.c[kids[k]].msg;
			recs[k - a].cont = kids[k];
		}
		qsort(recs, b - a, sizeof *recs, thread_rec_cmp);
		for (k = a; k < b; k++)
			kids[k] = recs[k - a].cont;
	}

	/* Threads by their first or latest date, ties by lowest index. */
	if (roots == NULL)
		roots = xreallocarray(NULL, t.nc + 1, sizeof *roots);
	for (c = 0; c < t.nc; c++) {
		size_t sp = 0;
		bool have = false;
		struct thread_rec r = { 0, UINT32_MAX, c };

		if (parent[c] != NONE || (t.c[c].msg == NONE && first[c + 1] - first[c] < 2))
			continue;
		stack[sp++] = c;
		while (sp > 0) {
			uint32_t x = stack[--sp];

			if (t.c[x].msg != NONE) {
				time_t d = msgs[t.c[x].msg].date;

				if (!have || (opts->sort == THREAD_SORT_LATEST ? d > r.date : d < r.date))
					r.date = d;
				have = true;
				if (t.c[x].msg < r.idx)
					r.idx = t.c[x].msg;
			}
			for (k = first[x]; k < first[x + 1]; k++)
				stack[sp++] = kids[k];
		}
		roots[nroots++] = r;
	}
	qsort(roots, nroots, sizeof *roots, thread_rec_cmp);

	/* Depth-first output; the stack takes children in reverse so the
	 * oldest comes out first. anc[] now holds depths. */
	for (thr = 0; thr < nroots; thr++) {
		size_t sp = 0;

		stack[sp++] = roots[thr].cont;
		anc[roots[thr].cont] = 0;
		while (sp > 0) {
			uint32_t x = stack[--sp], m = t.c[x].msg;
			uint32_t d = anc[x] + 1;

			if (m != NONE) {
				uint32_t p = parent[x];

				nodes[m].parent = p != NONE && t.c[p].msg != NONE ? (long)t.c[p].msg : -1;
				nodes[m].depth = anc[x];
				nodes[m].thread = thr;
				order[pos++] = m;
			}
			for (k = first[x + 1]; k > first[x]; k--) {
				anc[kids[k - 1]] = d;
				stack[sp++] = kids[k - 1];
			}
		}
	}
	free(roots);
	free(recs);
	free(parent);
	free(own);
	free(t.c);
	return 0;
}
