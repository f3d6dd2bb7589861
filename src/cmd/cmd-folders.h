/* An account's folders: LIST (with SPECIAL-USE where the server offers
 * it), the special folders (trash, sent, drafts, junk, archive: the
 * mailrc's setting first, then SPECIAL-USE, then a folder named "Trash"
 * for the trash), and optionally each folder's counts from STATUS, all
 * STATUS commands pipelined so the whole list costs about one round
 * trip.
 *
 * Bounds: a server listing more than CMD_FOLDERS_MAX folders, or a name
 * longer than CMD_FOLDER_NAME_MAX bytes, gets an error or the name
 * skipped, so a hostile server cannot make the list grow without end. */
#ifndef TERN_CMD_FOLDERS_H
#define TERN_CMD_FOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/cmd-imap.h"

#define CMD_FOLDERS_MAX 100000
#define CMD_FOLDER_NAME_MAX 4096

struct cmd_folder {
	char *name;		/* as the server spells it (the wire form) */
	size_t name_len;	/* it may hold any byte a literal can */
	char *display;		/* UTF-8 for people: modified UTF-7 decoded
				 * when valid, else the bytes as they came */
	bool selectable;	/* not \Noselect or \NonExistent */
	const char *special;	/* "trash", "sent", ... or NULL */
	const char *use;	/* its SPECIAL-USE attribute's name, or NULL */
	bool have_status;
	uint64_t total, unread, uidnext;
	char *status_error;	/* why STATUS failed, or NULL */
};

struct cmd_folders {
	struct cmd_folder *v;	/* INBOX first, then by display name */
	size_t count;
	size_t skipped;		/* LIST lines that made no sense */
	/* The special folders: index into v, or -1 when no folder has the
	 * role; configured names that are not on the server stay in
	 * missing[]. Order: trash, sent, drafts, junk, archive. */
	long special[5];
	const char *missing[5];
};

/* The roles, in the order of cmd_folders.special. */
extern const char *const cmd_folder_roles[5];
enum cmd_folder_role {
	CMD_FOLDER_TRASH, CMD_FOLDER_SENT, CMD_FOLDER_DRAFTS, CMD_FOLDER_JUNK,
	CMD_FOLDER_ARCHIVE
};

/* Returns 0, or -1 with *error_r when LIST failed or the connection was
 * lost. A failed STATUS only sets that folder's status_error. */
int cmd_folders_list(struct cmd_imap *session, const struct conf_account *acct,
    bool with_status, struct cmd_folders *folders_r, char **error_r);
/* The subscribed folders (LSUB), without counts. */
int cmd_folders_subscribed(struct cmd_imap *session, const struct conf_account *acct,
    struct cmd_folders *folders_r, char **error_r);
void cmd_folders_free(struct cmd_folders *folders);

/* The folder that has role, as the single rule everything shares
 * (PRODUCT.md, "Precise semantics"): the mailrc's setting (trash=,
 * sent=, ...), else the SPECIAL-USE folder, else the folder named
 * "Trash", "Sent", "Drafts", "Junk" or "Archive", which the caller
 * creates when the server says TRYCREATE. *wire_r is the name to send
 * the server, *display_r (when not NULL) the name to show; free() both.
 * cache (may be NULL) keeps the server's hierarchy delimiter. */
struct cache;
int cmd_folders_special(struct cmd_imap *session, struct cache *cache,
    const struct conf_account *acct, enum cmd_folder_role role, char **wire_r,
    char **display_r, char **error_r);

#endif
