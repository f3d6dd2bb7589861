/* libFuzzer target for the mailrc parser: the input is fed in pieces
 * whose sizes come from the data, then validated and read back through
 * every accessor. Build with "make fuzz". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const probe_names[] = {
	"editor", "sort", "imap", "pop3-delete", "from", "tls", "folder",
	"members", "no-such-setting", NULL
};

static size_t
sink(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

static void
read_back(const struct conf *conf)
{
	size_t i, j, k, total = 0;

	for (i = 0; i < conf_diag_count(conf); i++) {
		total += sink(conf_diag_text(conf, i));
		total += conf_diag_severity(conf, i) == CONF_SEV_ERROR;
	}
	total += conf_has_errors(conf);
	for (i = 0; probe_names[i] != NULL; i++) {
		total += sink(conf_get(conf, probe_names[i]));
		total += conf_get_line(conf, probe_names[i]);
	}
	for (i = 0; i < conf_account_count(conf); i++) {
		const struct conf_account *a = conf_account_at(conf, i);
		char *w;

		total += sink(conf_account_name(a)) + conf_account_line(a);
		total += sink(conf_account_file(a)) + conf_account_is_implicit(a);
		total += conf_account_find(conf, conf_account_name(a)) != NULL;
		for (j = 0; probe_names[j] != NULL; j++) {
			total += sink(conf_account_get(a, probe_names[j]));
			total += conf_account_setting_line(a, probe_names[j]);
		}
		for (j = CONF_PROTO_IMAP; j <= CONF_PROTO_POP3; j++) {
			const struct conf_server *s = conf_account_server(a, (enum conf_proto)j);

			if (s != NULL)
				total += sink(s->url) + sink(s->scheme) + sink(s->user) +
				    sink(s->host) + s->port + sink(s->password) +
				    sink(s->path) + s->line + s->implicit_tls;
		}
		total += conf_account_pop3_delete(a);
		w = conf_pop3_warning(a);
		total += sink(w);
		free(w);
	}
	for (i = 0; i < conf_team_count(conf); i++) {
		const struct conf_team *t = conf_team_at(conf, i);

		total += sink(conf_team_name(t)) + conf_team_line(t) + sink(conf_team_file(t));
		total += conf_team_find(conf, conf_team_name(t)) != NULL;
		for (j = 0; probe_names[j] != NULL; j++)
			total += sink(conf_team_get(t, probe_names[j])) +
			    conf_team_setting_line(t, probe_names[j]);
	}
	for (i = 0; i < CONF_LIST_COUNT; i++) {
		for (j = 0; j < conf_list_count(conf, (enum conf_list)i); j++) {
			total += conf_list_line(conf, (enum conf_list)i, j);
			total += sink(conf_list_file(conf, (enum conf_list)i, j));
			for (k = 0; k < conf_list_argc(conf, (enum conf_list)i, j); k++)
				total += sink(conf_list_arg(conf, (enum conf_list)i, j, k));
		}
	}
	/* Keep the reads from being optimised away. */
	if (total == SIZE_MAX)
		abort();
}

/* Any split must give what one whole feed gives. */
static void
compare_whole(const struct conf *conf, const uint8_t *data, size_t size)
{
	struct conf *whole = conf_create();
	struct conf_parser *p = conf_parser_create(whole, "fuzz");
	size_t i;

	conf_parser_feed(p, data, size);
	conf_parser_finish(p);
	conf_parser_destroy(&p);
	conf_validate(whole);
	if (conf_diag_count(whole) != conf_diag_count(conf))
		abort();
	for (i = 0; i < conf_diag_count(whole); i++)
		if (strcmp(conf_diag_text(whole, i), conf_diag_text(conf, i)) != 0)
			abort();
	conf_destroy(&whole);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *conf = conf_create();
	struct conf_parser *p = conf_parser_create(conf, "fuzz");
	size_t off = 0, seed = size > 0 ? data[0] : 0;

	/* Piece sizes from the data itself: 1..64 bytes, so split points land
	 * everywhere (inside quotes, between CR and LF, in a BOM). */
	while (off < size) {
		size_t n = 1 + (data[(off + seed) % size] & 63);

		if (n > size - off)
			n = size - off;
		conf_parser_feed(p, data + off, n);
		off += n;
	}
	conf_parser_finish(p);
	conf_parser_destroy(&p);
	conf_validate(conf);
	read_back(conf);
	compare_whole(conf, data, size);
	conf_destroy(&conf);
	return 0;
}
