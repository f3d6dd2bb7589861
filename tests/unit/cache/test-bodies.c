/* Unit tests for the body cache: what goes in comes out byte for byte,
 * keyed by folder, UIDVALIDITY and UID; the size cap evicts the least
 * recently read first; totals survive a reopen; a damaged file is moved
 * aside and the cache starts empty. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/bodies.h"
#include "lib/buf.h"
#include "tap.h"

static char tmpdir[] = "/tmp/tern-test-bodies-XXXXXX";
static int warnings;

static void
on_warn(void *ctx, const char *warning)
{
	(void)ctx;
	(void)warning;
	warnings++;
}

static struct bodies *
open_cache(uint64_t cap)
{
	struct bodies *b = NULL;
	char *error = NULL;

	if (bodies_open(tmpdir, "acct", cap, on_warn, NULL, &b, &error) != 0) {
		tap_ok(false, "open: %s", error);
		free(error);
		exit(1);
	}
	return b;
}

/* A message of n bytes whose content says which one it is. */
static char *
msg(unsigned id, size_t n)
{
	char *m = malloc(n + 1);

	memset(m, 'a' + id % 26, n);
	snprintf(m, n, "Subject: %u\r\n", id);
	m[n] = '\0';
	return m;
}

static bool
holds(struct bodies *b, const char *folder, uint32_t uv, uint32_t uid, const char *want,
    size_t n)
{
	struct buf out;
	char *error = NULL;
	bool ok;

	buf_init(&out, 1 << 20);
	ok = bodies_get(b, folder, uv, uid, &out, &error) == 1 && buf_len(&out) == n &&
	    memcmp(buf_ptr(&out), want, n) == 0;
	free(error);
	buf_free(&out);
	return ok;
}

static void
put(struct bodies *b, const char *folder, uint32_t uv, uint32_t uid, const char *m, size_t n)
{
	char *error = NULL;

	if (bodies_put(b, folder, uv, uid, m, n, &error) != 0) {
		tap_ok(false, "put: %s", error);
		free(error);
	}
}

static void
test_round_trip(void)
{
	struct bodies *b = open_cache(1 << 20);
	char *m1 = msg(1, 1000), *m2 = msg(2, 2000);
	char bin[] = "a\0b\r\n\x80\xff";

	put(b, "INBOX", 7, 1, m1, 1000);
	put(b, "INBOX", 7, 2, m2, 2000);
	put(b, "Archive/2026", 7, 1, bin, sizeof(bin));
	tap_ok(holds(b, "INBOX", 7, 1, m1, 1000), "a message comes back byte for byte");
	tap_ok(holds(b, "Archive/2026", 7, 1, bin, sizeof(bin)),
	    "NUL and 8-bit bytes kept; the same UID in another folder is another message");
	tap_ok(!bodies_has(b, "INBOX", 8, 1), "another UIDVALIDITY is not the same message");
	tap_ok(!bodies_has(b, "INBOX", 7, 3), "an unknown UID is not cached");
	tap_ok(bodies_count(b) == 3 && bodies_bytes(b) == 3000 + sizeof(bin), "totals");
	put(b, "INBOX", 7, 1, m2, 2000);
	tap_ok(holds(b, "INBOX", 7, 1, m2, 2000) && bodies_count(b) == 3 &&
	    bodies_bytes(b) == 4000 + sizeof(bin), "a second put replaces, not adds");
	bodies_close(&b);
	b = open_cache(1 << 20);
	tap_ok(bodies_count(b) == 3 && bodies_bytes(b) == 4000 + sizeof(bin),
	    "totals survive a reopen");
	tap_ok(holds(b, "INBOX", 7, 2, m2, 2000), "and so do the messages");
	bodies_close(&b);
	free(m1);
	free(m2);
}

static void
test_eviction(void)
{
	struct bodies *b;
	char *m[12], path[256];
	unsigned i;

	snprintf(path, sizeof(path), "%s/acct.bodies.tcb", tmpdir);
	unlink(path);
	b = open_cache(10000);
	for (i = 0; i < 12; i++)
		m[i] = msg(i, 1000);
	for (i = 0; i < 9; i++)
		put(b, "INBOX", 1, i + 1, m[i], 1000);
	tap_ok(bodies_count(b) == 9 && bodies_bytes(b) == 9000, "under the cap: all kept");
	/* Read 1 and 2: now the most recently used. */
	tap_ok(holds(b, "INBOX", 1, 1, m[0], 1000) && holds(b, "INBOX", 1, 2, m[1], 1000),
	    "read two old ones");
	put(b, "INBOX", 1, 10, m[9], 1000);
	put(b, "INBOX", 1, 11, m[10], 1000);
	tap_ok(bodies_bytes(b) <= 10000, "never over the cap (%llu bytes)",
	    (unsigned long long)bodies_bytes(b));
	tap_ok(bodies_has(b, "INBOX", 1, 1) && bodies_has(b, "INBOX", 1, 2),
	    "the recently read stay");
	tap_ok(!bodies_has(b, "INBOX", 1, 3), "the least recently read went first");
	tap_ok(bodies_has(b, "INBOX", 1, 11), "the new one is kept");
	{
		char *big = msg(99, 20000);

		put(b, "INBOX", 1, 99, big, 20000);
		tap_ok(!bodies_has(b, "INBOX", 1, 99) && bodies_has(b, "INBOX", 1, 11),
		    "a message over the cap is not kept and evicts nothing");
		free(big);
	}
	bodies_close(&b);
	for (i = 0; i < 12; i++)
		free(m[i]);
}

static void
test_damaged_file(void)
{
	char path[256];
	FILE *f;
	struct bodies *b;

	snprintf(path, sizeof(path), "%s/acct.bodies.tcb", tmpdir);
	f = fopen(path, "w");
	fputs("this is no database at all\n", f);
	fclose(f);
	warnings = 0;
	b = open_cache(1 << 20);
	tap_ok(warnings == 1, "a damaged file is reported once");
	tap_ok(bodies_count(b) == 0 && !bodies_has(b, "INBOX", 7, 2), "and the cache starts empty");
	bodies_close(&b);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_round_trip();
	test_eviction();
	test_damaged_file();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
