/* make bench: the header cache with N synthetic messages (default
 * 100,000) with realistic strings: a cold save, a warm load (the file in
 * the page cache, as when tern opens a folder again), one flag change
 * saved, the bytes on disk and the index's memory. A benchmark, not a
 * test: it asserts nothing about time. */
#include "config.h"

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/index.h"
#include "lib/xmalloc.h"
#include "rules/match.h"
#include "rules/query.h"
#include "bench-util.h"

static void
on_warn(void *ctx, const char *warning)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", warning);
}

/* A mailing-list folder: a few hundred senders, threads, keywords. */
static struct index *
generate(size_t n)
{
	static const char *names[] = { "Alice Martin", "Bob Dupont", "Zoë Müller",
	    "Carol Smith", "Dev Team", "李小龍" };
	static const char *subjects[] = { "Quarterly report", "Réunion demain",
	    "build failure on main", "Invoice #", "[PATCH v2] cache: chunked index",
	    "Lunch?" };
	static const char *keywords[] = { "", "", "", "$label1", "status/open assign/alice",
	    "$Forwarded" };
	struct index *idx = index_create();
	struct index_msg_in m;
	char from[128], subject[160], msgid[96], irt[96], refs[300], to[160];
	size_t i;
	unsigned s;

	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof m);
		m.uid = (uint32_t)(i * 3 / 2 + 1);
		m.flags = bench_rand(4) == 0 ? 0 : INDEX_SEEN;
		m.modseq = 100000 + i;
		m.internaldate = 1700000000 + (int64_t)i * 300;
		m.date = m.internaldate - bench_rand(600);
		m.size = 2000 + bench_rand(80000);
		s = bench_rand(500);
		snprintf(from, sizeof from, "%s <user%u@example.org>", names[s % 6], s);
		snprintf(subject, sizeof subject, "%s %zu", subjects[bench_rand(6)], i % 997);
		snprintf(msgid, sizeof msgid, "<%zu.%u.JavaMail@mx%u.example.org>", i,
		    bench_rand(1000000), bench_rand(9));
		snprintf(to, sizeof to, "dev@lists.example.org\n\"Team\" <team@example.com>");
		m.str[INDEX_STR_SUBJECT] = subject;
		m.str[INDEX_STR_FROM] = from;
		m.str[INDEX_STR_TO] = to;
		m.str[INDEX_STR_CC] = bench_rand(4) == 0 ? "carol@example.net" : "";
		m.str[INDEX_STR_MESSAGE_ID] = msgid;
		if (i > 0 && bench_rand(2) == 0) {
			snprintf(irt, sizeof irt, "<%zu.1.JavaMail@mx1.example.org>", i / 2);
			snprintf(refs, sizeof refs, "<%zu.1.JavaMail@mx1.example.org> %s", i / 4,
			    irt);
			m.str[INDEX_STR_IN_REPLY_TO] = irt;
			m.str[INDEX_STR_REFERENCES] = refs;
		}
		m.str[INDEX_STR_LIST_ID] = "<dev.lists.example.org>";
		m.str[INDEX_STR_KEYWORDS] = keywords[bench_rand(6)];
		index_put(idx, &m);
	}
	return idx;
}

/* The local query evaluator over the loaded index: a term that matches
 * nothing (a full scan), a common word, a non-ASCII needle (the folding
 * path) and a ticket (a SHA-256 per message). Best of three runs. */
static void
bench_queries(const struct index *idx)
{
	static const char *const queries[] = {
		"from:nobody-here", "subject:report", "müller", "ticket:AAAAAA",
		"is:unread -label:$label1 from:example.org",
	};
	struct query_match_ctx ctx = { idx, NULL, 0, NULL };
	size_t q, i, run;

	for (q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct query_error err;
		struct query_node *node = query_parse(queries[q], strlen(queries[q]), &err);
		struct query_matcher *mt;
		double best = 1e9, t0;
		size_t hits = 0;

		if (node == NULL)
			continue;
		mt = query_matcher_create(node, &ctx);
		for (run = 0; run < 3; run++) {
			t0 = bench_now();
			hits = 0;
			for (i = 0; i < index_count(idx); i++)
				hits += query_matcher_test(mt, index_at(idx, i));
			if (bench_now() - t0 < best)
				best = bench_now() - t0;
		}
		printf("| query `%s` over the index | %.1f ms (%zu matches) |\n", queries[q],
		    best * 1000, hits);
		query_matcher_destroy(&mt);
		query_free(&node);
	}
}

int
main(int argc, char **argv)
{
	char tmpl[] = "/tmp/tern-bench-cache-XXXXXX", *error = NULL, *path = NULL, *cmd;
	struct cache *cache = NULL;
	struct index *idx, *back = NULL;
	struct stat st;
	size_t n = 100000, mem = 0;
	double t0, t1, t2, t3, t4, t5;
	int rc = 1;

	if (argc > 1)
		n = strtoul(argv[1], NULL, 10);
	if (n == 0 || mkdtemp(tmpl) == NULL) {
		fprintf(stderr, "usage: bench-cache [MESSAGES]\n");
		return 1;
	}
	idx = generate(n);
	if (cache_open(tmpl, "bench", on_warn, NULL, &cache, &error) == -1)
		goto out;
	path = xstrdup(cache_path(cache));
	t0 = bench_now();
	if (cache_save(cache, "INBOX", idx, &error) == -1)
		goto out;
	t1 = bench_now();
	cache_close(&cache);

	/* Warm: the file was just written, so it is in the page cache. */
	t2 = bench_now();
	if (cache_open(tmpl, "bench", on_warn, NULL, &cache, &error) == -1 ||
	    cache_load(cache, "INBOX", &back, &error) == -1)
		goto out;
	t3 = bench_now();
	if (index_count(back) != n) {
		error = xasprintf("loaded %zu messages, saved %zu", index_count(back), n);
		goto out;
	}
	mem = index_memory(back);
	index_set_flags(back, index_at(back, n / 2)->uid, INDEX_SEEN | INDEX_FLAGGED,
	    "status/done", 1);
	t4 = bench_now();
	if (cache_save(cache, "INBOX", back, &error) == -1)
		goto out;
	t5 = bench_now();
	cache_close(&cache);
	if (stat(path, &st) == -1) {
		error = xasprintf("cannot stat %s", path);
		goto out;
	}

	printf("| what | figure |\n|---|---|\n");
	printf("| messages | %zu (chunks of %d) |\n", n, CACHE_CHUNK_MSGS);
	printf("| save, cold (new file) | %.3f s |\n", t1 - t0);
	printf("| open + load, warm | %.3f s |\n", t3 - t2);
	printf("| save after one flag change | %.4f s |\n", t5 - t4);
	printf("| bytes on disk | %lld (%.0f per message) |\n", (long long)st.st_size,
	    (double)st.st_size / (double)n);
	printf("| index memory after load | %zu bytes (%.0f per message, struct %zu) |\n",
	    mem, (double)mem / (double)n, sizeof(struct index_msg));
	printf("| index memory when built by puts | %.0f bytes per message |\n",
	    (double)index_memory(idx) / (double)n);
	bench_queries(back);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "bench-cache: %s\n", error != NULL ? error : "failed");
	free(error);
	cache_close(&cache);
	index_destroy(&back);
	index_destroy(&idx);
	free(path);
	cmd = xasprintf("rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		rc = 1;
	free(cmd);
	return rc;
}
