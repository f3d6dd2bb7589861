/* Helpers for the conf unit tests (see conf-test.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-test.h"
#include "lib/buf.h"
#include "tap.h"

/* A fixed generator: the "random" pieces are the same on every run, so a
 * failure can be replayed. */
static uint32_t
ct_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

/* step 0: whole; 1: byte by byte; otherwise random pieces of 1..step. */
static struct conf *
ct_feed(const char *text, size_t len, size_t step, uint32_t seed)
{
	struct conf *conf = conf_create();
	struct conf_parser *p = conf_parser_create(conf, CT_FILE);
	size_t off = 0;

	while (off < len) {
		size_t n = step == 0 ? len - off : step == 1 ? 1 :
		    1 + ct_rand(&seed) % step;

		if (n > len - off)
			n = len - off;
		conf_parser_feed(p, text + off, n);
		off += n;
	}
	conf_parser_finish(p);
	conf_parser_destroy(&p);
	conf_validate(conf);
	return conf;
}

/* All diagnostics as one string, for comparing runs. */
static char *
ct_diags_joined(const struct conf *conf)
{
	struct buf b;
	size_t i;

	buf_init(&b, SIZE_MAX / 2);
	for (i = 0; i < conf_diag_count(conf); i++) {
		buf_addstr(&b, conf_diag_text(conf, i));
		buf_addc(&b, '\n');
	}
	return buf_detach(&b);
}

struct conf *
ct_parse(const char *name, const char *text, size_t len)
{
	static const size_t steps[] = { 1, 2, 7, 64, 4096 };
	struct conf *whole = ct_feed(text, len, 0, 0);
	char *want = ct_diags_joined(whole);
	bool same = true;
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct conf *c = ct_feed(text, len, steps[i], (uint32_t)(i * 7919 + len));
		char *got = ct_diags_joined(c);

		if (strcmp(got, want) != 0) {
			same = false;
			tap_diag("%s: pieces of up to %zu bytes give:\n%s", name,
			    steps[i], got);
		}
		free(got);
		conf_destroy(&c);
	}
	tap_ok(same, "%s: same diagnostics in pieces", name);
	free(want);
	return whole;
}

void
ct_check_diags(const char *name, const struct conf *conf, const char *const *want)
{
	size_t n = 0, i;

	while (want[n] != NULL)
		n++;
	if (!tap_is_int((long long)conf_diag_count(conf), (long long)n,
	    "%s: %zu diagnostics", name, n)) {
		for (i = 0; i < conf_diag_count(conf); i++)
			tap_diag("  %s", conf_diag_text(conf, i));
	}
	for (i = 0; i < n && i < conf_diag_count(conf); i++)
		tap_is_str(conf_diag_text(conf, i), want[i], "%s: diagnostic %zu", name, i);
}

void
ct_expect(const char *name, const char *text, const char *const *want)
{
	struct conf *conf = ct_parse(name, text, strlen(text));

	ct_check_diags(name, conf, want);
	conf_destroy(&conf);
}
