/* tern --fetch-pop ACCOUNT --into ACCOUNT[:FOLDER]: a POP3 mailbox into
 * an IMAP folder (cmd/cmd-fetchpop.h says how it stays safe). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cli/cli.h"
#include "cmd/cmd-fetchpop.h"
#include "cmd/cmd-imap.h"
#include "cmd/cmd-login.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* The account named name that has a server for proto, or NULL after
 * saying what is wrong. */
static const struct conf_account *
cli_fetchpop_account(const struct conf *conf, const char *name, enum conf_proto proto,
    const char *role)
{
	const struct conf_account *acct = conf_account_find(conf, name);

	if (acct == NULL) {
		log_error("--fetch-pop: no account named '%s'", name);
		return NULL;
	}
	if (conf_account_server(acct, proto) == NULL) {
		log_error("--fetch-pop: account '%s' has no %s= server to %s",
		    name, proto == CONF_PROTO_POP3 ? "pop3" : "imap", role);
		return NULL;
	}
	return acct;
}

int
cli_fetch_pop(const struct cli_opts *opts, struct conf *conf)
{
	const struct conf_account *src, *dst;
	struct cmd_fetchpop_stats stats;
	struct cmd_login_secret secret;
	struct cmd_imap *session = NULL;
	struct cache *cache = NULL;
	const char *colon = strchr(opts->into, ':');
	char *dst_name = colon != NULL ? xstrndup(opts->into, (size_t)(colon - opts->into)) :
	    xstrdup(opts->into);
	const char *folder = colon != NULL && colon[1] != '\0' ? colon + 1 : "INBOX";
	char *error = NULL;
	int status, r;

	if ((src = cli_fetchpop_account(conf, opts->fetch_pop, CONF_PROTO_POP3, "read")) == NULL ||
	    (dst = cli_fetchpop_account(conf, dst_name, CONF_PROTO_IMAP, "import into")) ==
	    NULL) {
		free(dst_name);
		return EXIT_USAGE;
	}
	if ((status = cli_secret(conf, src, &secret)) != EXIT_OK)
		goto out;
	/* The memory of what was imported lives in the destination's cache;
	 * without it the folder search still prevents duplicates. */
	if ((status = cli_batch_open(conf, dst, false, true, &cache, &session, NULL)) != EXIT_OK) {
		cmd_login_secret_clear(&secret);
		goto out;
	}
	r = cmd_fetch_pop(conf, src, &secret, session, dst, cache, folder, &stats, &error);
	cmd_login_secret_clear(&secret);
	if (r < 0) {
		log_error("%s; what was imported is kept, run the command again to go on", error);
		free(error);
		status = EXIT_CONNECT;
	} else if (r > 0) {
		if (error != NULL) {
			log_error("%s", error);
			free(error);
		}
		status = EXIT_PARTIAL;
	}
	printf("%s -> %s:%s: %zu imported, %zu already there, %zu deleted\n",
	    conf_account_name(src), conf_account_name(dst), folder, stats.imported,
	    stats.there, stats.deleted);
	if (stats.failed > 0)
		log_error("%zu message%s could not be imported; they stay on the POP3 server "
		    "and are tried again next time", stats.failed, stats.failed == 1 ? "" : "s");
out:
	cmd_imap_close(&session);
	cache_close(&cache);
	free(dst_name);
	return status;
}
