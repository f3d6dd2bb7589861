/* The IMAP client engine: a queue of tagged commands with completion
 * callbacks, pipelined; the parser (imap-parser.h) for what comes back;
 * capabilities; handlers for untagged responses. It is pure: it never
 * touches a socket. Bytes from the server go in with imap_client_input();
 * bytes to send come out of imap_client_output(). imap-conn.h drives it
 * over a real connection and the poll loop; unit tests drive it directly
 * and compare the exact bytes it sends.
 *
 * Commands are built only by the imap_cmd_* functions below, one per
 * IMAP command tern uses; there is no way to send arbitrary text. Every
 * argument is quoted or sent as a literal by the engine, so no value can
 * end a line or start another command.
 *
 * The no-copy-lost invariant (PRODUCT.md) lives here: no builder sends
 * EXPUNGE or CLOSE, nor FETCH of a body without .PEEK. The only two
 * commands that may expunge are imap_cmd_uid_expunge_moved() (the expunge
 * half of a MOVE fallback, only for UIDs a UID COPY just copied, with
 * COPYUID and UIDPLUS) and imap_cmd_purge_trash() (an explicit purge of
 * the Trash folder). Every command passes one gate that refuses the words
 * EXPUNGE and CLOSE from anywhere else (abort(): a programming error).
 *
 * Results: NO and BAD are ordinary results given to the command's
 * callback; the connection stays up. IMAP_RESULT_LOST means no tagged
 * answer will come (the connection dropped, the server said BYE, or it
 * sent something the parser cannot follow).
 *
 * Tags are unpredictable: a random prefix chosen per client (per
 * connection), then a counter ("t3f9a0c21.1"), so message content cannot
 * know a tag in advance; and the parser tracks literals exactly, so it
 * cannot fake a completion either.
 *
 * Conventions: builders return 0 when the command was queued, -1 (and
 * queue nothing, call nothing) when an argument cannot be sent (it is
 * NULL, or holds a NUL byte, or a UID set is not a UID set) or the
 * conditions of the command do not hold; callbacks are then not called.
 * Callbacks run from inside imap_client_input() or
 * imap_client_disconnected(); they may queue more commands. Strings given
 * to callbacks are valid only during the call. */
#ifndef TERN_IMAP_CLIENT_H
#define TERN_IMAP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "imap/imap-parser.h"

struct imap_client;

enum imap_result {
	IMAP_RESULT_OK,
	IMAP_RESULT_NO,
	IMAP_RESULT_BAD,
	IMAP_RESULT_LOST,
};

/* Capabilities tern acts on. */
enum imap_cap {
	IMAP_CAP_IMAP4REV1 = 1u << 0,
	IMAP_CAP_IMAP4REV2 = 1u << 1,
	IMAP_CAP_CONDSTORE = 1u << 2,
	IMAP_CAP_QRESYNC = 1u << 3,
	IMAP_CAP_UIDPLUS = 1u << 4,
	IMAP_CAP_MOVE = 1u << 5,
	IMAP_CAP_IDLE = 1u << 6,
	IMAP_CAP_SPECIAL_USE = 1u << 7,
	IMAP_CAP_LITERAL_PLUS = 1u << 8,	/* LITERAL+ */
	IMAP_CAP_LITERAL_MINUS = 1u << 9,	/* LITERAL- (RFC 7888) */
	IMAP_CAP_ACL = 1u << 10,
	IMAP_CAP_COMPRESS = 1u << 11,		/* COMPRESS=DEFLATE */
	IMAP_CAP_ENABLE = 1u << 12,
	IMAP_CAP_ID = 1u << 13,
	IMAP_CAP_NAMESPACE = 1u << 14,
	IMAP_CAP_UNSELECT = 1u << 15,
	IMAP_CAP_LIST_EXTENDED = 1u << 16,
	IMAP_CAP_LIST_STATUS = 1u << 17,
	IMAP_CAP_UTF8_ACCEPT = 1u << 18,	/* UTF8=ACCEPT */
	IMAP_CAP_METADATA = 1u << 19,
	IMAP_CAP_ESEARCH = 1u << 20,
	IMAP_CAP_BINARY = 1u << 21,
	IMAP_CAP_STATUS_SIZE = 1u << 22,	/* STATUS=SIZE */
	IMAP_CAP_X_GM_EXT_1 = 1u << 23,		/* Gmail: X-GM-LABELS */
};

/* The name as IMAP spells it ("LITERAL+"), for one bit; NULL otherwise. */
const char *imap_cap_name(enum imap_cap cap);

/* Untagged responses that are not the data of a command (see
 * imap_cmd_callbacks.data) go to these handlers; any may be NULL. */
struct imap_client_handlers {
	void (*exists)(void *ctx, uint32_t count);
	void (*expunge)(void *ctx, uint32_t seq);
	/* VANISHED [(EARLIER)] uid-set, the set as the server wrote it. */
	void (*vanished)(void *ctx, bool earlier, const char *uid_set);
	/* "* SEQ FETCH (items)": items is the list's content. */
	void (*fetch)(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count);
	/* "* BYE text": the server is closing the connection. */
	void (*bye)(void *ctx, const char *text);
	/* A [ALERT] code on any response: text must be shown to the user. */
	void (*alert)(void *ctx, const char *text);
	/* Any other untagged response (FLAGS, OK [UIDVALIDITY ...], ...). */
	void (*other)(void *ctx, const struct imap_response *resp);
	void *ctx;
};

typedef void imap_cmd_done_fn(void *ctx, enum imap_result result,
    const struct imap_response *tagged);
typedef void imap_cmd_data_fn(void *ctx, const struct imap_response *untagged);

/* What a command reports to. done gets the result and the tagged response
 * (NULL with IMAP_RESULT_LOST) exactly once. data gets the untagged
 * responses that answer this command (LIST for imap_cmd_list, STATUS for
 * imap_cmd_status, ...; each builder says which) while it is pending; with
 * data NULL they go to the handlers' other. cb itself may be NULL. */
struct imap_cmd_callbacks {
	imap_cmd_done_fn *done;
	imap_cmd_data_fn *data;
	void *ctx;
};

struct imap_client_settings {
	struct imap_parser_limits limits;	/* zeros: the parser's defaults */
	/* Tag prefix for tests; 0 chooses a random one. */
	uint32_t tag_seed;
};

/* settings may be NULL. */
struct imap_client *imap_client_create(const struct imap_client_settings *settings,
    const struct imap_client_handlers *handlers);
/* Pending commands are dropped without their callbacks being called. */
void imap_client_destroy(struct imap_client **client);

/* Bytes from the server: parses every complete response in them and runs
 * the callbacks. Returns 0, or -1 when the stream cannot be followed any
 * more (parser error, a tagged response with an unknown tag, a
 * continuation nobody asked for, a BYE): every pending command has then
 * completed with IMAP_RESULT_LOST, and imap_client_error() says why.
 * After -1, further input is ignored and returns -1. */
int imap_client_input(struct imap_client *client, const void *data, size_t len);

/* The bytes ready to send now (*len_r may be 0), and how many were sent.
 * A command with a synchronising literal stops the output until the
 * server's continuation arrives; commands queued behind it wait. */
const void *imap_client_output(const struct imap_client *client, size_t *len_r);
void imap_client_output_consumed(struct imap_client *client, size_t len);

/* The connection is gone (why: a sentence): every pending command
 * completes with IMAP_RESULT_LOST; the client accepts no more input. */
void imap_client_disconnected(struct imap_client *client, const char *why);

/* Why the client stopped, or NULL while it works. */
const char *imap_client_error(const struct imap_client *client);
/* Commands sent or queued whose tagged response has not come yet. */
size_t imap_client_pending(const struct imap_client *client);
/* True while the server owes us bytes (a command is pending and not
 * idling): the driver's read time-out applies only then. */
bool imap_client_waiting(const struct imap_client *client);

/* Capabilities, from the greeting, a CAPABILITY response or a
 * [CAPABILITY ...] code (a new list replaces the old one). */
unsigned imap_client_caps(const struct imap_client *client);
bool imap_client_has(const struct imap_client *client, enum imap_cap cap);
/* Sets them (the driver knows them from login, or tests). */
void imap_client_set_caps(struct imap_client *client, unsigned caps);

/* The mailbox the last successful SELECT/EXAMINE opened (as sent to the
 * server), or NULL; and whether it was opened read-write. */
const char *imap_client_selected(const struct imap_client *client);
bool imap_client_selected_rw(const struct imap_client *client);

/* The account's Trash folder (server name), the only one
 * imap_cmd_purge_trash() may purge. NULL forgets it. */
void imap_client_set_trash(struct imap_client *client, const char *mailbox);

/* ---- command builders (each sends exactly one command) ---- */

/* CAPABILITY. data: CAPABILITY (also applied to the client). */
int imap_cmd_capability(struct imap_client *c, const struct imap_cmd_callbacks *cb);
int imap_cmd_noop(struct imap_client *c, const struct imap_cmd_callbacks *cb);
/* LOGOUT: the BYE that answers it is expected and is not an error. */
int imap_cmd_logout(struct imap_client *c, const struct imap_cmd_callbacks *cb);
/* ENABLE ext...; exts is NULL-terminated, each an atom. data: ENABLED. */
int imap_cmd_enable(struct imap_client *c, const char *const *exts,
    const struct imap_cmd_callbacks *cb);
/* ID ("name" "value" ...); fields is NULL-terminated name, value pairs,
 * or NULL for ID NIL. data: ID. */
int imap_cmd_id(struct imap_client *c, const char *const *fields,
    const struct imap_cmd_callbacks *cb);
/* NAMESPACE. data: NAMESPACE. */
int imap_cmd_namespace(struct imap_client *c, const struct imap_cmd_callbacks *cb);
/* LIST ref pattern, with RETURN (SPECIAL-USE) when special_use (the
 * server must offer SPECIAL-USE or LIST-EXTENDED). data: LIST. */
int imap_cmd_list(struct imap_client *c, const char *ref, const char *pattern,
    bool special_use, const struct imap_cmd_callbacks *cb);

/* LSUB ref pattern: the subscribed folders (RFC 3501 §6.3.9; every
 * server has it, unlike LIST (SUBSCRIBED)). data: LSUB, same form as
 * LIST. */
int imap_cmd_lsub(struct imap_client *c, const char *ref, const char *pattern,
    const struct imap_cmd_callbacks *cb);

/* STATUS items. */
enum imap_status_item {
	IMAP_STATUS_MESSAGES = 1u << 0,
	IMAP_STATUS_UNSEEN = 1u << 1,
	IMAP_STATUS_UIDNEXT = 1u << 2,
	IMAP_STATUS_UIDVALIDITY = 1u << 3,
	IMAP_STATUS_HIGHESTMODSEQ = 1u << 4,	/* needs CONDSTORE */
	IMAP_STATUS_RECENT = 1u << 5,
};
/* STATUS mailbox (items, in the order of the enum). data: STATUS. */
int imap_cmd_status(struct imap_client *c, const char *mailbox, unsigned items,
    const struct imap_cmd_callbacks *cb);
/* CREATE mailbox. */
int imap_cmd_create(struct imap_client *c, const char *mailbox,
    const struct imap_cmd_callbacks *cb);
/* GETACL mailbox (needs ACL; the server answers NO without the admin
 * right). data: ACL mailbox (identifier rights)... */
int imap_cmd_getacl(struct imap_client *c, const char *mailbox,
    const struct imap_cmd_callbacks *cb);
/* MYRIGHTS mailbox. data: MYRIGHTS. */
int imap_cmd_myrights(struct imap_client *c, const char *mailbox,
    const struct imap_cmd_callbacks *cb);

/* GETMETADATA mailbox entry (RFC 5464; needs METADATA, -1 without or
 * for an entry that is not "/private/..." or "/shared/..."). data:
 * METADATA mailbox (entry value). */
int imap_cmd_getmetadata(struct imap_client *c, const char *mailbox, const char *entry,
    const struct imap_cmd_callbacks *cb);
/* SETMETADATA mailbox (entry value); value NULL removes the entry. */
int imap_cmd_setmetadata(struct imap_client *c, const char *mailbox, const char *entry,
    const char *value, const struct imap_cmd_callbacks *cb);

/* What SELECT/EXAMINE may add: CONDSTORE, or QRESYNC with the cached
 * UIDVALIDITY and HIGHESTMODSEQ (and, optionally, the known UIDs). */
struct imap_select_params {
	bool read_only;			/* EXAMINE */
	bool condstore;			/* (CONDSTORE) */
	uint32_t qresync_uidvalidity;	/* non-zero: (QRESYNC (v m [uids])) */
	uint64_t qresync_modseq;
	const char *qresync_uids;	/* UID set or NULL */
};
/* SELECT or EXAMINE. The responses that describe the mailbox (FLAGS,
 * EXISTS, OK [UIDVALIDITY ...], VANISHED, FETCH) go to the handlers. On
 * OK the client remembers the mailbox as selected. */
int imap_cmd_select(struct imap_client *c, const char *mailbox,
    const struct imap_select_params *params, const struct imap_cmd_callbacks *cb);
/* UNSELECT (never CLOSE, which expunges). Without the UNSELECT
 * capability, returns -1: the caller selects another mailbox instead. */
int imap_cmd_unselect(struct imap_client *c, const struct imap_cmd_callbacks *cb);

/* FETCH items. Bodies are always fetched with BODY.PEEK, so fetching
 * never sets \Seen; there is no builder that can fetch without it. */
enum imap_fetch_item {
	IMAP_FETCH_UID = 1u << 0,
	IMAP_FETCH_FLAGS = 1u << 1,
	IMAP_FETCH_INTERNALDATE = 1u << 2,
	IMAP_FETCH_SIZE = 1u << 3,		/* RFC822.SIZE */
	IMAP_FETCH_ENVELOPE = 1u << 4,
	IMAP_FETCH_BODYSTRUCTURE = 1u << 5,
	IMAP_FETCH_MODSEQ = 1u << 6,
	IMAP_FETCH_HEADER = 1u << 7,		/* BODY.PEEK[HEADER] */
	IMAP_FETCH_BODY = 1u << 8,		/* BODY.PEEK[] */
};
struct imap_fetch_params {
	unsigned items;
	/* BODY.PEEK[HEADER.FIELDS (...)]: NULL-terminated header names
	 * (letters, digits, '-'), or NULL. */
	const char *const *header_fields;
	uint64_t changedsince;		/* non-zero: (CHANGEDSINCE n) */
	bool vanished;			/* with changedsince: VANISHED (QRESYNC) */
};
/* UID FETCH uid-set (items). The FETCH responses go to the handlers. */
int imap_cmd_uid_fetch(struct imap_client *c, const char *uid_set,
    const struct imap_fetch_params *params, const struct imap_cmd_callbacks *cb);

/* A search program, token by token; the engine writes and quotes it. */
enum imap_search_kind {
	IMAP_SEARCH_KEY,	/* a search key word (s): ALL ANSWERED BCC BEFORE
				 * BODY CC DELETED DRAFT FLAGGED FROM HEADER
				 * KEYWORD LARGER NOT OR SEEN SINCE SMALLER
				 * SUBJECT TEXT TO UID UNANSWERED UNDELETED
				 * UNDRAFT UNFLAGGED UNKEYWORD UNSEEN
				 * X-GM-LABELS; any other word is refused */
	IMAP_SEARCH_STRING,	/* s as an astring (quoted or a literal) */
	IMAP_SEARCH_NUMBER,	/* n */
	IMAP_SEARCH_DATE,	/* n = year * 10000 + month * 100 + day,
				 * written "1-Jan-2025" */
	IMAP_SEARCH_FLAG,	/* s, a keyword (an atom) */
	IMAP_SEARCH_UIDSET,	/* s, a UID set */
	IMAP_SEARCH_OPEN,	/* ( */
	IMAP_SEARCH_CLOSE,	/* ) */
};

struct imap_search_arg {
	enum imap_search_kind kind;
	const char *s;
	uint64_t n;
};

/* UID SEARCH [RETURN (ALL)] [CHARSET UTF-8] program: RETURN (ALL) when
 * the server has ESEARCH (the answer is one compact UID set), CHARSET
 * UTF-8 when a string has 8-bit bytes. -1 when a token is malformed or
 * the parentheses do not balance. data: SEARCH, or ESEARCH (routed by its
 * TAG); sync-parse.h reads them. */
int imap_cmd_uid_search(struct imap_client *c, const struct imap_search_arg *args,
    size_t nargs, const struct imap_cmd_callbacks *cb);

enum imap_store_op { IMAP_STORE_ADD, IMAP_STORE_REMOVE, IMAP_STORE_SET };
/* UID STORE uid-set [(UNCHANGEDSINCE m)] {+,-,}FLAGS.SILENT (flags).
 * flags: NULL-terminated system flags ("\Seen") or keywords (atoms). The
 * \Deleted flag is refused (-1): marking for expunge is no part of tern
 * outside imap_cmd_purge_trash(). A failed UNCHANGEDSINCE comes back as
 * OK [MODIFIED uid-set]. */
int imap_cmd_uid_store(struct imap_client *c, const char *uid_set, enum imap_store_op op,
    const char *const *flags, uint64_t unchangedsince, const struct imap_cmd_callbacks *cb);
/* UID COPY uid-set mailbox. When the tagged OK carries COPYUID and the
 * server has UIDPLUS, the client remembers (mailbox selected, uid-set)
 * as copied: the proof imap_cmd_uid_expunge_moved() needs. */
int imap_cmd_uid_copy(struct imap_client *c, const char *uid_set, const char *mailbox,
    const struct imap_cmd_callbacks *cb);
/* UID MOVE uid-set mailbox (needs MOVE; -1 without). */
int imap_cmd_uid_move(struct imap_client *c, const char *uid_set, const char *mailbox,
    const struct imap_cmd_callbacks *cb);
/* The expunge half of a MOVE fallback: UID STORE uid-set +FLAGS.SILENT
 * (\Deleted) then UID EXPUNGE uid-set, for exactly a uid-set that a UID
 * COPY from the selected mailbox copied (COPYUID seen, UIDPLUS offered,
 * the same mailbox still selected read-write). Uses up that proof.
 * Returns -1 and sends nothing otherwise. cb gets the UID EXPUNGE's
 * result (a failed STORE makes it NO without sending the expunge). */
int imap_cmd_uid_expunge_moved(struct imap_client *c, const char *uid_set,
    const struct imap_cmd_callbacks *cb);
/* The fallback of a move without UIDPLUS: UID STORE uid-set
 * +FLAGS.SILENT (\Deleted) for exactly a uid-set that a UID COPY from the
 * selected mailbox (open read-write) just copied (its tagged OK). Nothing
 * is expunged: the messages stay, marked, for the user to decide. Uses up
 * the proof; -1 and nothing sent without it. */
int imap_cmd_uid_mark_copied(struct imap_client *c, const char *uid_set,
    const struct imap_cmd_callbacks *cb);
/* Gmail labels (X-GM-EXT-1): UID STORE uid-set {+,-}X-GM-LABELS.SILENT
 * (label ...), each label an astring in the form Gmail names it (modified
 * UTF-7, as folder names). -1 without X-GM-EXT-1 or for
 * IMAP_STORE_SET. */
int imap_cmd_uid_store_labels(struct imap_client *c, const char *uid_set,
    enum imap_store_op op, const char *const *labels, const struct imap_cmd_callbacks *cb);
/* The explicit, confirmed purge of the Trash folder (the caller has asked
 * the user, or confirm-purge=no): only when the selected mailbox is the
 * one imap_client_set_trash() named, opened read-write. Sends UID STORE
 * 1:* +FLAGS.SILENT (\Deleted), then UID EXPUNGE 1:* with UIDPLUS, else
 * EXPUNGE. Returns -1 and sends nothing otherwise. */
int imap_cmd_purge_trash(struct imap_client *c, const struct imap_cmd_callbacks *cb);

/* APPEND mailbox (flags) "date" {len}: the message goes as a literal
 * (LITERAL+ when offered, else after the server's continuation). date 0
 * leaves the date to the server. */
int imap_cmd_append(struct imap_client *c, const char *mailbox, const char *const *flags,
    time_t date, const void *message, size_t len, const struct imap_cmd_callbacks *cb);

/* IDLE: cb->done runs when the IDLE ends (after imap_client_idle_done(),
 * or when the server ends it). Untagged responses go to the handlers
 * while idling. Queuing any other command while idling sends DONE first
 * (the new command follows once the IDLE has completed). Needs IDLE (-1
 * without). */
int imap_cmd_idle(struct imap_client *c, const struct imap_cmd_callbacks *cb);
/* Ends the IDLE (sends DONE once the server has accepted the IDLE). */
void imap_client_idle_done(struct imap_client *c);
/* True from the server's continuation until DONE is sent. */
bool imap_client_idling(const struct imap_client *c);
/* Re-arms a long IDLE (servers drop idlers after 30 minutes; the driver
 * calls this every IMAP_IDLE_REARM_MS): sends DONE, and IDLE again with
 * the same callbacks once the first has completed. The first IDLE's done
 * is not called; the callbacks carry over. */
void imap_client_idle_rearm(struct imap_client *c);
#define IMAP_IDLE_REARM_MS (29 * 60 * 1000)

/* What the tagged OK of a UID COPY or UID MOVE (COPYUID) or APPEND
 * (APPENDUID) reported; false when the response has no such code. The
 * sets are as the server wrote them. */
struct imap_copyuid {
	uint32_t uidvalidity;
	const char *source_uids;	/* COPYUID only */
	const char *dest_uids;
};
bool imap_response_copyuid(const struct imap_response *tagged, struct imap_copyuid *r);
bool imap_response_appenduid(const struct imap_response *tagged, struct imap_copyuid *r);

/* A command's NO, BAD or loss in words for a message: "the server
 * answered NO: TEXT" (its text made safe and shortened) or "the
 * connection was lost". A new string (free() it). */
char *imap_result_text(enum imap_result result, const struct imap_response *tagged);

/* True for a well-formed UID set ("1", "1:5", "3,7:*", no spaces). */
bool imap_uid_set_valid(const char *set);

#endif
