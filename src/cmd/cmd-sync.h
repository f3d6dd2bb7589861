/* Syncing an account's folders into its header cache, for --sync,
 * --list and (later) the UI: open the cache, load a folder, run sync/ on
 * the session, save. Warnings about the cache (a damaged file moved
 * aside) go to stderr as "tern: warning: ...".
 *
 * Conventions: 0, or -1 with *error_r (a sentence, free() it). */
#ifndef TERN_CMD_SYNC_H
#define TERN_CMD_SYNC_H

#include <stdbool.h>

#include "cache/cache.h"
#include "cmd/cmd-imap.h"
#include "sync/sync.h"

/* A cache's warning, printed as tern's warnings are (the header cache's
 * and the body cache's warn callback). */
void cmd_cache_warn(void *ctx, const char *warning);
int cmd_sync_cache_open(const struct conf *conf, const struct conf_account *acct,
    struct cache **cache_r, char **error_r);

/* A folder name as the user writes it (UTF-8, levels separated by '/')
 * in the server's form: delim in place of '/', then modified UTF-7. A new
 * string, or NULL when name is not UTF-8. */
char *cmd_folder_wire_name(const char *name, char delim);
/* The same with the server's own delimiter (Maildir++ servers use '.'):
 * asked of the session (and remembered in the cache), or, without a
 * session, as the cache remembers it; '/' when neither knows. Either may
 * be NULL. */
char *cmd_folder_wire(struct cmd_imap *session, struct cache *cache, const char *name);

/* Loads folder (wire form) from the cache, syncs it on session, saves
 * it, and returns the index (the caller destroys it). With progress, a
 * line on stderr shows the header fetch. When the sync fails, what
 * arrived is saved, *idx_r stays NULL and -1 is returned. */
int cmd_sync_folder(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const char *folder, bool progress, struct index **idx_r, struct sync_stats *stats_r,
    char **error_r);

/* Syncs idx, already loaded from the cache for folder (the UI shows it
 * meanwhile), on session, then saves it. progress (may be NULL) is
 * called as headers arrive. On failure what arrived is saved, idx stays
 * valid and -1 is returned. */
typedef void cmd_sync_progress_fn(void *ctx, const char *folder, uint32_t done, uint32_t total);
int cmd_sync_index(struct cmd_imap *session, struct cache *cache, const struct conf *conf,
    const char *folder, struct index *idx, cmd_sync_progress_fn *progress, void *progress_ctx,
    struct sync_stats *stats_r, char **error_r);

#endif
