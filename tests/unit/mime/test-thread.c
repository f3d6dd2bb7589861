/* Unit tests for JWZ threading: small tables of tricky threads, then a
 * generated folder of 100,000 messages checked for structure. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/xmalloc.h"
#include "mime/thread.h"
#include "tap.h"

#define MAXM	16
#define MAXR	8

/* One message of a table: "refs" is space-separated ids. */
struct tmsg {
	const char *id;
	const char *refs;
	time_t date;
	const char *subject;
};

struct tcase {
	const char *name;
	struct tmsg m[MAXM];
	size_t n;
	enum thread_sort sort;
	bool subjects;
	long parent[MAXM];
	unsigned depth[MAXM];
	size_t order[MAXM];
};

/* Structure every result must have, whatever the input. */
static bool
valid(const struct thread_node *nodes, const size_t *order, size_t n)
{
	bool ok = true;
	char *seen = xcalloc(n + 1, 1);
	size_t *pos = xcalloc(n + 1, sizeof *pos);
	size_t i, steps;

	for (i = 0; i < n; i++) {
		if (order[i] >= n || seen[order[i]])
			ok = false;
		else {
			seen[order[i]] = 1;
			pos[order[i]] = i;
		}
	}
	for (i = 0; ok && i < n; i++) {
		long p = nodes[i].parent;

		if (p < -1 || p >= (long)n || p == (long)i)
			ok = false;
		else if (p >= 0) {
			/* Parents come first, in the same thread, one level up. */
			ok = pos[p] < pos[i] && nodes[p].thread == nodes[i].thread &&
			    nodes[i].depth == nodes[p].depth + 1;
		} else
			ok = nodes[i].depth <= 1;
	}
	for (i = 0; ok && i < n; i++) {
		long p = nodes[i].parent;

		for (steps = 0; p >= 0 && steps <= n; steps++)
			p = nodes[p].parent;
		ok = steps <= n;	/* no cycle */
	}
	for (i = 1; ok && i < n; i++)
		ok = nodes[order[i]].thread >= nodes[order[i - 1]].thread;
	free(seen);
	free(pos);
	return ok;
}

static const struct tcase cases[] = {
	{ "a simple thread", {
	    { "a", "", 1, "x" }, { "b", "a", 2, "x" }, { "c", "a b", 3, "x" }, { "d", "a", 4, "x" } },
	    4, THREAD_SORT_FIRST, false, { -1, 0, 1, 0 }, { 0, 1, 2, 1 }, { 0, 1, 2, 3 } },
	{ "input order does not matter", {
	    { "c", "a b", 3, "x" }, { "d", "a", 4, "x" }, { "b", "a", 2, "x" }, { "a", "", 1, "x" } },
	    4, THREAD_SORT_FIRST, false, { 2, 3, 3, -1 }, { 2, 1, 1, 0 }, { 3, 2, 0, 1 } },
	{ "siblings under a missing parent", {
	    { "b", "x", 2, "" }, { "c", "x", 1, "" }, { "z", "", 0, "" } },
	    3, THREAD_SORT_FIRST, false, { -1, -1, -1 }, { 1, 1, 0 }, { 2, 1, 0 } },
	{ "one reply to a missing parent is a root", {
	    { "b", "x", 2, "" } },
	    1, THREAD_SORT_FIRST, false, { -1 }, { 0 }, { 0 } },
	{ "a missing message in the middle", {
	    { "a", "", 1, "" }, { "c", "a x", 2, "" } },
	    2, THREAD_SORT_FIRST, false, { -1, 0 }, { 0, 1 }, { 0, 1 } },
	{ "a reference loop", {
	    { "a", "b", 1, "" }, { "b", "a", 2, "" } },
	    2, THREAD_SORT_FIRST, false, { 1, -1 }, { 1, 0 }, { 1, 0 } },
	{ "a longer loop", {
	    { "a", "c", 1, "" }, { "b", "a", 2, "" }, { "c", "b", 3, "" } },
	    3, THREAD_SORT_FIRST, false, { 2, 0, -1 }, { 1, 2, 0 }, { 2, 0, 1 } },
	{ "self-reference", {
	    { "a", "a", 1, "" }, { "b", "a", 2, "" } },
	    2, THREAD_SORT_FIRST, false, { -1, 0 }, { 0, 1 }, { 0, 1 } },
	{ "self in the middle of References", {
	    { "a", "x a y", 1, "" }, { "y", "", 2, "" } },
	    2, THREAD_SORT_FIRST, false, { -1, 0 }, { 0, 1 }, { 0, 1 } },
	{ "duplicated Message-IDs", {
	    { "a", "", 1, "" }, { "a", "", 2, "" }, { "c", "a", 3, "" } },
	    3, THREAD_SORT_FIRST, false, { -1, -1, 0 }, { 0, 0, 1 }, { 0, 2, 1 } },
	{ "no Message-ID at all", {
	    { NULL, "", 1, "" }, { "", "", 2, "" }, { "c", "", 3, "" } },
	    3, THREAD_SORT_FIRST, false, { -1, -1, -1 }, { 0, 0, 0 }, { 0, 1, 2 } },
	/* The caller passes References when present, else In-Reply-To:
	 * here c's References say a while its In-Reply-To said b. */
	{ "References win over In-Reply-To", {
	    { "a", "", 1, "" }, { "b", "a", 2, "" }, { "c", "a", 3, "" } },
	    3, THREAD_SORT_FIRST, false, { -1, 0, 0 }, { 0, 1, 1 }, { 0, 1, 2 } },
	{ "a guessed parent from another's References", {
	    { "x", "", 2, "" }, { "y", "w x", 3, "" }, { "w", "", 1, "" } },
	    3, THREAD_SORT_FIRST, false, { 2, 0, -1 }, { 1, 2, 0 }, { 2, 0, 1 } },
	{ "a message's own References beat a guess", {
	    { "y", "p x", 3, "" }, { "x", "q", 2, "" }, { "p", "", 0, "" }, { "q", "", 1, "" } },
	    4, THREAD_SORT_FIRST, false, { 1, 3, -1, -1 }, { 2, 1, 0, 0 }, { 2, 3, 1, 0 } },
	{ "threads by first message", {
	    { "a", "", 1, "" }, { "b", "", 5, "" }, { "a2", "a", 10, "" } },
	    3, THREAD_SORT_FIRST, false, { -1, -1, 0 }, { 0, 0, 1 }, { 0, 2, 1 } },
	{ "threads by latest message", {
	    { "a", "", 1, "" }, { "b", "", 5, "" }, { "a2", "a", 10, "" } },
	    3, THREAD_SORT_LATEST, false, { -1, -1, 0 }, { 0, 0, 1 }, { 1, 0, 2 } },
	{ "equal dates break ties by input index", {
	    { "a", "", 5, "" }, { "c", "a", 7, "" }, { "b", "a", 7, "" }, { "d", "", 5, "" } },
	    4, THREAD_SORT_FIRST, false, { -1, 0, 0, -1 }, { 0, 1, 1, 0 }, { 0, 1, 2, 3 } },
	{ "subjects are not grouped by default", {
	    { "a", "", 1, "Hello" }, { "b", "", 2, "Re: Hello" } },
	    2, THREAD_SORT_FIRST, false, { -1, -1 }, { 0, 0 }, { 0, 1 } },
	{ "subject grouping on request", {
	    { "a", "", 1, "Hello" }, { "b", "", 2, "Re: RE[2]: fwd: hello" }, { "c", "", 3, "Other" } },
	    3, THREAD_SORT_FIRST, true, { -1, 0, -1 }, { 0, 1, 0 }, { 0, 1, 2 } },
	{ "subject grouping joins a dummy's children", {
	    { "b", "x", 2, "Re: Topic" }, { "c", "x", 3, "Re: Topic" }, { "t", "", 1, "Topic" } },
	    3, THREAD_SORT_FIRST, true, { 2, 2, -1 }, { 1, 1, 0 }, { 2, 0, 1 } },
};

static void
run_case(const struct tcase *tc)
{
	struct thread_msg msgs[MAXM];
	const char *refs[MAXM][MAXR];
	char store[MAXM][128];
	struct thread_node nodes[MAXM];
	struct thread_opts opts = { tc->sort, tc->subjects };
	size_t order[MAXM], i;
	bool same = true;

	for (i = 0; i < tc->n; i++) {
		char *p;
		size_t k = 0;

		snprintf(store[i], sizeof store[i], "%s", tc->m[i].refs);
		for (p = store[i]; *p != '\0' && k < MAXR;) {
			refs[i][k++] = p;
			while (*p != '\0' && *p != ' ')
				p++;
			if (*p == ' ')
				*p++ = '\0';
		}
		msgs[i].message_id = tc->m[i].id;
		msgs[i].refs = refs[i];
		msgs[i].nrefs = k;
		msgs[i].date = tc->m[i].date;
		msgs[i].subject = tc->m[i].subject;
	}
	tap_is_int(thread_build(msgs, tc->n, &opts, nodes, order), 0, "%s: builds", tc->name);
	tap_ok(valid(nodes, order, tc->n), "%s: structure is valid", tc->name);
	for (i = 0; i < tc->n; i++)
		same &= nodes[i].parent == tc->parent[i] && nodes[i].depth == tc->depth[i] &&
		    order[i] == tc->order[i];
	if (!tap_ok(same, "%s: parents, depths and order", tc->name))
		for (i = 0; i < tc->n; i++)
			tap_diag("  %zu: parent %ld depth %u order %zu (want %ld %u %zu)", i,
			    nodes[i].parent, nodes[i].depth, order[i], tc->parent[i],
			    tc->depth[i], tc->order[i]);
}

static void
test_empty(void)
{
	struct thread_node node;
	size_t order;

	tap_is_int(thread_build(NULL, 0, NULL, &node, &order), 0, "no messages thread fine");
}

/* A generated folder: threads of random shape, 5% of messages missing
 * (their ids still referenced), input shuffled. */
#define BIG 106000		/* generated; 100,000 of them are kept */
#define KEEP 100000
#define BIG_REFS 20

static void
test_big(void)
{
	struct thread_msg *msgs = xcalloc(BIG, sizeof *msgs);
	struct thread_node *nodes = xcalloc(BIG, sizeof *nodes);
	size_t *order = xcalloc(BIG, sizeof *order);
	long *gparent = xcalloc(BIG, sizeof *gparent);
	size_t *perm = xcalloc(BIG, sizeof *perm), *inv = xcalloc(BIG, sizeof *inv);
	const char **refpool = xcalloc((size_t)BIG * BIG_REFS, sizeof *refpool);
	char (*ids)[24] = xcalloc(BIG, sizeof *ids);
	struct thread_msg *in = xcalloc(BIG, sizeof *in);
	bool *dropped = xcalloc(BIG, sizeof *dropped);
	uint64_t seed = 88172645463325252ULL;
	struct timespec t0, t1;
	size_t i, kept = 0, right = 0, checked = 0;

#define RND() (seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17, seed)
	for (i = 0; i < BIG; i++) {
		snprintf(ids[i], sizeof ids[i], "<%zu@gen.example>", i);
		gparent[i] = i == 0 || RND() % 10 < 3 ? -1 : (long)(i - 1 - RND() % (i < 5000 ? i : 5000));
		msgs[i].message_id = ids[i];
		msgs[i].date = (time_t)(1700000000 + i * 60 + RND() % 600);
		msgs[i].subject = "s";
		msgs[i].refs = &refpool[(size_t)i * BIG_REFS];
		if (gparent[i] >= 0) {
			/* References: the parent's own (trimmed) plus the parent. */
			const struct thread_msg *p = &msgs[gparent[i]];
			size_t k, from = p->nrefs >= BIG_REFS ? 1 : 0;

			for (k = from; k < p->nrefs; k++)
				refpool[(size_t)i * BIG_REFS + msgs[i].nrefs++] = p->refs[k];
			refpool[(size_t)i * BIG_REFS + msgs[i].nrefs++] = ids[gparent[i]];
		}
		dropped[i] = RND() % 20 == 0;
	}
	for (i = 0; i < BIG; i++)
		if (!dropped[i])
			perm[kept++] = i;
	for (i = kept; i > 1; i--) {
		size_t j = RND() % i, x = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = x;
	}
	/* Keep exactly KEEP: the rest are missing too. */
	for (i = KEEP; i < kept; i++)
		dropped[perm[i]] = true;
	if (kept > KEEP)
		kept = KEEP;
	for (i = 0; i < kept; i++) {
		in[i] = msgs[perm[i]];
		inv[perm[i]] = i;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_is_int(thread_build(in, kept, NULL, nodes, order), 0, "%zu messages thread", kept);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_diag("%zu messages threaded in %.1f ms", kept,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	tap_ok(valid(nodes, order, kept), "every parent valid, no cycles, order a permutation");
	/* Where the generator's parent is present, it must be found. */
	for (i = 0; i < kept; i++) {
		long gp = gparent[perm[i]];

		if (gp < 0 || dropped[gp])
			continue;
		checked++;
		right += nodes[i].parent == (long)inv[gp];
	}
	tap_ok(checked > 50000 && right == checked, "%zu of %zu present parents found", right, checked);
#undef RND
	free(msgs);
	free(nodes);
	free(order);
	free(gparent);
	free(perm);
	free(inv);
	free(refpool);
	free(ids);
	free(in);
	free(dropped);
}

/* One conversation 100,000 replies deep (In-Reply-To only), fed newest
 * first: the loop check must not turn this quadratic. */
static void
test_long_chain(void)
{
	size_t n = 100000, i, bad = 0;
	struct thread_msg *msgs = xcalloc(n, sizeof *msgs);
	struct thread_node *nodes = xcalloc(n, sizeof *nodes);
	size_t *order = xcalloc(n, sizeof *order);
	char (*ids)[24] = xcalloc(n, sizeof *ids);
	const char **refs = xcalloc(n, sizeof *refs);
	struct timespec t0, t1;

	for (i = 0; i < n; i++)
		snprintf(ids[i], sizeof ids[i], "<c%zu@x>", i);
	for (i = 0; i < n; i++) {
		/* msgs[i] is chain link n-1-i. */
		size_t link = n - 1 - i;

		msgs[i].message_id = ids[link];
		msgs[i].date = (time_t)link;
		if (link > 0) {
			refs[i] = ids[link - 1];
			msgs[i].refs = &refs[i];
			msgs[i].nrefs = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_is_int(thread_build(msgs, n, NULL, nodes, order), 0, "a 100000-deep chain threads");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_diag("100000-deep chain threaded in %.1f ms",
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	for (i = 0; i < n; i++)
		bad += nodes[i].depth != n - 1 - i || order[n - 1 - i] != i;
	tap_ok(bad == 0 && valid(nodes, order, n), "every link at its depth, in chain order");
	free(msgs);
	free(nodes);
	free(order);
	free(ids);
	free(refs);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
	test_empty();
	test_big();
	test_long_chain();
	return tap_done();
}
