/* The offline journal of one account (DESIGN.md, "Cache"): every change
 * made while the server cannot be reached (flags, labels, status,
 * assignment, moves, deletes to Trash, mail to send, drafts) is written
 * here first and replayed in order when the connection returns
 * (cmd/cmd-journal.h). A store file of its own beside the header cache,
 * NAME.journal.tcb, mode 0600.
 *
 * Unlike the caches, the journal cannot be rebuilt from the server, so:
 * - every write is one transaction, synchronised with the disk before
 *   journal_add, journal_set_state or journal_remove return (a crash or
 *   a kill at any moment leaves either the old or the new record);
 * - a damaged or unknown file is never moved aside or replaced: opening
 *   it fails with a sentence that names the file, and the file stays as
 *   it is for the user (or a later tern) to look at;
 * - a record that does not decode is reported by journal_get (and listed
 *   by journal_list), never skipped in silence.
 *
 * Entries are kept in the order they were added (a 64-bit sequence
 * number, big-endian in the key, so the store's byte order is the
 * order). Each records its state: what of it the server has already done
 * (the kinds below say what each state means), so that a replay that
 * stops anywhere can finish or undo it without doing anything twice.
 *
 * For the crash tests (DESIGN.md, "Testing faults"): every write is a
 * numbered step; with TERN_DEBUG_JOURNAL_ABORT=K in the environment the
 * process exits with status JOURNAL_ABORT_EXIT just before its K-th
 * write, as if killed there.
 *
 * Conventions: 0 or -1 with *error_r (a sentence, free() it); journal_get
 * returns 1 when found, 0 when not. */
#ifndef TERN_CACHE_JOURNAL_H
#define TERN_CACHE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_FORMAT_VERSION 1
#define JOURNAL_ABORT_EXIT 86

/* Bounds a decoder enforces (an entry past them does not decode). */
#define JOURNAL_UIDS_MAX (1u << 20)
#define JOURNAL_ACTIONS_MAX 32
#define JOURNAL_RCPTS_MAX 10000
#define JOURNAL_MESSAGE_MAX (64u << 20)
#define JOURNAL_STR_MAX (64u << 10)

enum journal_kind {
	/* Actions of the command table (cmd/cmd-action.h) on UIDs of one
	 * folder. States: JOURNAL_PENDING, then JOURNAL_MOVING once the
	 * flag actions are done and the move (or delete) has been sent. */
	JOURNAL_ACTIONS = 1,
	/* A message to send. States: PENDING; HANDED when the SMTP server
	 * has the whole message (written just before the final "."); SENT
	 * when it accepted it; SAVING when the APPEND to Sent went out;
	 * SAVED when Sent has it (what remains: \Answered on the original,
	 * the replaced draft to Trash, both safe to repeat). */
	JOURNAL_SEND = 2,
	/* A draft to save to Drafts. States: PENDING; SAVING when the
	 * APPEND went out; SAVED when Drafts has it (what remains: the
	 * replaced draft to Trash). */
	JOURNAL_DRAFT = 3,
};

enum journal_state {
	JOURNAL_PENDING = 0,
	JOURNAL_MOVING = 1,
	JOURNAL_HANDED = 2,
	JOURNAL_SENT = 3,
	JOURNAL_SAVING = 4,
	JOURNAL_SAVED = 5,
};
#define JOURNAL_STATE_LAST JOURNAL_SAVED

struct journal_action {
	char *name;			/* "add-label", as cmd_action_lookup takes */
	char *arg;			/* or NULL */
};

struct journal_entry {
	uint64_t seq;			/* set by journal_add; 1, 2, ... */
	enum journal_kind kind;
	enum journal_state state;
	int64_t created;		/* time() when the change was made */

	/* JOURNAL_ACTIONS */
	char *folder;			/* UTF-8, as the user writes it */
	uint32_t uidvalidity;		/* of folder when the change was made */
	struct journal_action *actions;
	size_t nactions;
	uint32_t *uids;			/* sorted, unique */
	/* Parallel to uids, each "" when unknown: the Message-ID (to find
	 * the message again after a UIDVALIDITY change), and the team
	 * keywords it carried ("status/open assign/ann", space-separated)
	 * when the change was made, to tell a conflicting change made
	 * elsewhere meanwhile. Either array may be NULL. */
	char **message_ids;
	char **before;
	size_t nuids;

	/* JOURNAL_SEND and JOURNAL_DRAFT */
	char *message;			/* the whole message, CRLF */
	size_t message_len;
	char *message_id;		/* its Message-ID, or NULL */
	char *subject;			/* for reports (decoded, one line), or NULL */
	char *from;			/* SEND: envelope sender, a bare address */
	char **rcpts;			/* SEND: bare addresses */
	size_t nrcpts;
	char *in_reply_to;		/* SEND: mark this one \Answered, or NULL */
	char *reply_folder;		/* SEND: where it is (NULL: INBOX) */
	char *old_draft;		/* Message-ID of the draft replaced, or NULL */
};

/* ---- the record format (pure: the fuzz target links it alone) ----
 * 'J', JOURNAL_FORMAT_VERSION, an 8-byte checksum of what follows, then
 * the fields as varints and length-prefixed bytes. */
void *journal_entry_encode(const struct journal_entry *e, size_t *len_r);
/* Fills *e_r (free with journal_entry_free) from untrusted bytes; -1
 * (leaving *e_r zeroed) when they are not a valid entry. */
int journal_entry_decode(const void *data, size_t len, struct journal_entry *e_r);
void journal_entry_free(struct journal_entry *e);
/* Whether a and b hold the same entry, field by field (NULL and "" are
 * not the same; a NULL array and an empty one are, but for message_ids
 * and before, which are there or not). For tests and the fuzz target. */
bool journal_entry_equal(const struct journal_entry *a, const struct journal_entry *b);
/* "pending", "moving", "handed", "sent", "saving", "saved" ("unknown"
 * for another value). */
const char *journal_state_name(enum journal_state state);
/* "actions", "send", "draft" ("unknown" for another value). */
const char *journal_kind_name(enum journal_kind kind);

/* ---- the file ---- */

struct journal;

/* Opens or creates DIR/ACCOUNT.journal.tcb (mode 0600; dir is created
 * 0700 when missing). Waits a few seconds for another tern's lock. */
int journal_open(const char *dir, const char *account, struct journal **j_r, char **error_r);
void journal_close(struct journal **j);
const char *journal_path(const struct journal *j);

/* Appends e (its seq is set to the next number) as one durable write. */
int journal_add(struct journal *j, struct journal_entry *e, char **error_r);
/* Records the entry's new state (one durable write). */
int journal_set_state(struct journal *j, uint64_t seq, enum journal_state state,
    char **error_r);
/* The entry is done: gone from the journal (one durable write). Removing
 * an entry that is not there is not an error. */
int journal_remove(struct journal *j, uint64_t seq, char **error_r);

/* The sequence numbers of every entry, oldest first (free() *seqs_r). */
int journal_list(struct journal *j, uint64_t **seqs_r, size_t *n_r, char **error_r);
/* How many entries wait; 0 when the journal cannot be read. */
size_t journal_count(struct journal *j);
/* Reads entry seq into *e_r: 1 found, 0 not there, -1 unreadable (a
 * damaged record: *error_r names it). */
int journal_get(struct journal *j, uint64_t seq, struct journal_entry *e_r, char **error_r);

/* For tests: journal writes since the program started (the steps
 * TERN_DEBUG_JOURNAL_ABORT counts). */
extern unsigned long journal_writes;

#endif
