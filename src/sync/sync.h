/* Bringing a folder's index up to date with the server, at a cost that
 * follows what changed, not the folder's size (DESIGN.md, "Sync"):
 *
 * - with QRESYNC: ENABLE QRESYNC once per session, then EXAMINE folder
 *   (QRESYNC (uidvalidity modseq)): the server sends only VANISHED
 *   (EARLIER) and FETCH for what changed since;
 * - with CONDSTORE: EXAMINE folder (CONDSTORE), UID FETCH 1:* (UID FLAGS
 *   MODSEQ) (CHANGEDSINCE modseq), and expunges found by comparing EXISTS
 *   with what is known (a UID SEARCH ALL only when they differ);
 * - with neither: EXAMINE, UID FETCH 1:* (UID FLAGS) for every message;
 * - in every case, new messages (UID >= the old UIDNEXT) get their
 *   headers: UID FETCH n:* (UID FLAGS INTERNALDATE RFC822.SIZE [MODSEQ]
 *   BODY.PEEK[HEADER.FIELDS (ENVELOPE_FIELDS)]).
 *
 * EXAMINE opens the folder read-only: syncing can change nothing on the
 * server, and no fetch sets \Seen (BODY.PEEK only). New mail is found by
 * UIDNEXT and MODSEQ, never \Recent. A UIDVALIDITY different from the
 * cached one empties the index first (the old UIDs mean nothing now).
 * An empty index is only ever filled from the server: local absence is
 * never turned into a change on the server.
 *
 * sync/ knows the engine (imap-client.h) and the index; the caller owns
 * the connection and gives a function that runs it until every queued
 * command has completed. */
#ifndef TERN_SYNC_SYNC_H
#define TERN_SYNC_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/index.h"
#include "imap/imap-client.h"

struct sync_io {
	struct imap_client *client;
	/* Runs the connection until no command is pending: 0, or -1 with
	 * *error_r when the connection was lost. */
	int (*wait)(void *ctx, char **error_r);
	/* Routes the connection's untagged responses (EXISTS, FETCH,
	 * VANISHED, OK [UIDVALIDITY ...]) to h while the folder syncs, and
	 * back to the owner's own handlers with h NULL. */
	void (*set_handlers)(void *ctx, const struct imap_client_handlers *h);
	/* Progress of a header fetch (may be NULL). */
	void (*progress)(void *ctx, const char *folder, uint32_t done, uint32_t total);
	void *ctx;
	const char *charset_fallback;	/* for envelope_parse, or NULL */
	bool qresync_enabled;		/* set by sync_folder once ENABLEd */
};

struct sync_stats {
	uint32_t added, changed, vanished;
	uint32_t total;			/* messages in the folder afterwards */
	bool rebuilt;			/* UIDVALIDITY changed: started over */
	const char *method;		/* "qresync", "condstore" or "full" */
};

/* Brings idx (from cache_load) up to date with folder; on 0 its state is
 * the server's and the caller saves it. On -1 (*error_r: the folder
 * cannot be opened, or the connection was lost) idx holds what arrived
 * but its state is not advanced, so saving it is safe and the next sync
 * redoes the rest. */
int sync_folder(struct sync_io *io, const char *folder, struct index *idx,
    struct sync_stats *stats_r, char **error_r);

#endif
