/* Team folders (PRODUCT.md): status, assignment and claims applied to
 * whole conversations, decided on the server so that two teammates
 * cannot both win.
 *
 * A conversation is the messages of one ticket (rules/team.h). A change
 * of its status or assignee is made on every message of it, and decided
 * on one: the oldest message that needs it gets the new keyword by
 * UID STORE (UNCHANGEDSINCE its MODSEQ) first. Of two teammates who claim
 * at once, the server lets exactly one of those stores through; the other
 * gets MODIFIED, reads the conversation again and is told who has it.
 * The rest of the conversation follows with plain stores. A change that
 * found the conversation changed by someone else meanwhile (another
 * assignee, another status) is reported and not made.
 *
 * Without CONDSTORE the store cannot be conditional: the change is made
 * all the same and a warning says that a claim at the same moment could
 * also have succeeded.
 *
 * Conventions: 0, or -1 with *error_r when the connection was lost. */
#ifndef TERN_CMD_TEAM_H
#define TERN_CMD_TEAM_H

#include <stdbool.h>

#include "cmd/cmd-action.h"
#include "conf/conf.h"

/* The team whose folder this is on acct (folder as the user writes it;
 * INBOX in any case), or NULL. */
const struct conf_team *cmd_team_of(const struct conf *conf, const struct conf_account *acct,
    const char *folder);

/* The address of the account's from= (the team's own: mail from it is
 * a reply, not a customer), a new string; NULL when there is none. */
char *cmd_team_address(const struct conf_account *acct);

/* A team setting: the team's own on the server (cmd_team_load_settings)
 * where it keeps one, else the mailrc's. */
const char *cmd_team_get(const struct conf_team *team, const char *name);
/* Whether name is one of the team's members (anyone when members= is
 * not set anywhere). */
bool cmd_team_is_member(const struct conf_team *team, const char *name);
/* With templates=imap:FOLDER, reads the team's shared settings from the
 * message "settings" of that folder (rules/team.h), once per process;
 * a line that is not right is warned about and skipped. */
int cmd_team_load_settings(struct cmd_apply *ap, const struct conf_team *team,
    char **error_r);

/* Whether a is decided per conversation in a team folder: --status,
 * --assign, --claim. */
bool cmd_team_action(const struct cmd_action *a);

/* Checks the team actions of a against the team before anything is
 * sent: --claim needs me=, --assign a member (when members= is set).
 * -1 with *error_r. */
int cmd_team_check(const struct conf_team *team, const struct cmd_actions *a,
    char **error_r);

/* Whether the user may make the changes of a in folder (MYRIGHTS, RFC
 * 4314; a server without ACL is taken at its word later). When not, says
 * why on stderr and returns 1, having sent nothing that changes. */
int cmd_team_rights(struct cmd_apply *ap, const char *folder, const struct cmd_actions *a,
    bool *refused_r, char **error_r);

/* Applies the team actions of a (the others are left to
 * cmd_apply_actions) to every conversation with a message in uids.
 * results[i] as cmd_apply_actions gives them, counting conversations.
 * The conversations are read from idx, the folder's index (with its
 * Message-IDs), or when NULL from the cache, synced now. */
int cmd_team_apply(struct cmd_apply *ap, const struct conf_team *team, const char *folder,
    const struct index *idx, const struct cmd_actions *a, const struct sync_uids *uids,
    bool dry_run, struct cmd_apply_result *results, char **error_r);
/* All of a in a team folder, in the order cmd_apply_actions keeps: the
 * flag actions, the team's per conversation changes, the move last. */
int cmd_team_apply_all(struct cmd_apply *ap, const struct conf_team *team, const char *folder,
    const struct index *idx, const struct cmd_actions *a, const struct sync_uids *uids,
    bool dry_run, struct cmd_apply_result *results, char **error_r);

/* New mail in a team folder joins its conversation: a message without a
 * status takes the conversation's status and assignee; a conversation
 * no message of which has a status is new, and opened; one that was
 * pending or done and got a new message from the customer (not from
 * the account's from= address, not marked tern/reply) is opened again,
 * decided as a status change is. Stateless and idempotent: what lacks a
 * status is what arrived since the last change. A member who may not
 * change keywords (MYRIGHTS without 'w') leaves it to the others. The
 * conversations are read from idx (the folder's index), or when NULL
 * from the cache, synced now. */
struct cmd_team_stats {
	unsigned long opened;		/* new conversations */
	unsigned long reopened;
	unsigned long joined;		/* messages that took their conversation's status */
	unsigned long acked;		/* acknowledgements sent */
	unsigned long not_acked;	/* first messages that get none (lists, robots) */
	unsigned failures;
};
int cmd_team_arrivals(struct cmd_apply *ap, const struct conf_account *acct,
    const struct conf_team *team, const char *folder, const struct index *idx,
    bool dry_run, struct cmd_team_stats *st, char **error_r);

/* With acknowledge=yes, answers the first message of each new
 * conversation once, following RFC 3834 (mime/autoreply.h): never lists,
 * bulk, robots, bounces, other automatic replies, the team's own
 * address; never mail that arrived before acknowledgements were switched
 * on (the moment is kept in the folder's METADATA, set on the first run;
 * without METADATA none are sent, and a warning says why); at most
 * three an hour to one address. The conversation is marked tern/acked
 * by a conditional store before the SMTP transfer (so of two teammates'
 * runs one sends; the mark goes again when sending fails). The message
 * comes from the team's acknowledge-template (templates= directory),
 * else a built-in text, with the ticket number in the subject,
 * Auto-Submitted: auto-replied, In-Reply-To and References. idx as for
 * cmd_team_arrivals. */
struct cmd_login_secret;
struct cmd_draft;
int cmd_team_acknowledge(struct cmd_apply *ap, const struct conf *conf,
    const struct conf_account *acct, const struct conf_team *team, const char *folder,
    const struct index *idx, const struct cmd_login_secret *secret, bool dry_run,
    struct cmd_team_stats *st, char **error_r);

/* A reply to the message uid of idx in the team's folder: the ticket
 * goes into the subject ("[#K7Q2M2]") unless it is there, and with name
 * (a template of the team's templates= directory, or NULL) its expanded
 * text goes before the quote. -1 with *error_r when the template cannot
 * be read (the draft keeps its subject change). ap reads templates kept
 * in an IMAP folder (and may then change the folder its session has
 * open). */
int cmd_team_reply(struct cmd_apply *ap, const struct conf_team *team, const struct index *idx,
    uint32_t uid, const char *name, struct cmd_draft *d, char **error_r);
/* What a teammate with these rights (RFC 4314 letters) may do in the
 * team's folder, in words; a new string. */
char *cmd_team_rights_text(const char *rights);
/* The names of the team's templates, sorted (template_names_free): the
 * files of its templates= directory, or with templates=imap:FOLDER the
 * subjects of that folder's messages (each message is a template, its
 * text the template's). ap may be NULL for a directory. */
int cmd_team_templates(struct cmd_apply *ap, const struct conf_team *team, char ***names_r,
    char **error_r);

#endif
