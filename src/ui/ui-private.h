/* What the views of the interactive client share: the screen layout, the
 * view stack, key dispatch, the prompt, messages, and the account's
 * session (connection, folder, background jobs).
 *
 * How the UI runs (STYLE.md, tmux's model): one poll loop (net/loop.h)
 * watches the keyboard, the server and the timers. Nothing draws while
 * handling an event: events change state and call ui_dirty(), and the
 * loop's prepare hook draws once per turn. Network work that needs
 * several round trips runs as a job (ui_job_add): jobs run one at a time
 * from the top of the loop, and while a job waits for the server the same
 * loop keeps serving keys and drawing; key handlers never wait, they
 * change the view or queue a job.
 *
 * Views are small tables of functions (struct ui_view_ops) on a stack;
 * the top one gets the keys. Only ui/ includes curses.
 *
 * Conventions: functions returning int give 0 or -1; strings given to
 * the drawing helpers are UTF-8 from anywhere (mail included): they go
 * through safe-text before reaching the terminal. */
#ifndef TERN_UI_PRIVATE_H
#define TERN_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "cache/cache.h"
#include "cache/index.h"
#include "cache/journal.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-imap.h"
#include "cmd/cmd-login.h"
#include "cmd/cmd-view.h"
#include "conf/conf.h"
#include "net/loop.h"

struct ui;
struct ui_view;
struct ui_session;

/* ---- views ---- */

struct ui_view_ops {
	const char *map;	/* the bind map: "index", "pager", ... */
	/* Draws rows [top, top + rows) of the screen, cols wide. */
	void (*draw)(struct ui_view *v, int top, int rows, int cols);
	/* A key: fn is the function bound to it in this view's map (or
	 * NULL when unbound), key the key itself (ch for text). Returns
	 * true when the view used it. */
	bool (*key)(struct ui_view *v, const char *fn, int key, wint_t ch);
	/* The status line's text for this view (a new string), or NULL. */
	char *(*status)(struct ui_view *v);
	/* The folder's messages changed (sync, new mail, an action). */
	void (*changed)(struct ui_view *v);
	void (*destroy)(struct ui_view *v);
};

struct ui_view {
	const struct ui_view_ops *ops;
	struct ui *ui;
	struct ui_view *below;
};

/* Puts v on top of the stack (it gets the keys and the screen). */
void ui_view_push(struct ui *ui, struct ui_view *v);
/* Removes the top view and destroys it (the index is never popped). */
void ui_view_pop(struct ui *ui);
struct ui_view *ui_view_top(struct ui *ui);

/* ---- the program's state ---- */

struct ui {
	const struct conf *conf;
	const struct conf_account *acct;
	struct net_loop *loop;
	struct ui_session *session;
	struct ui_view *views;		/* top of the stack */
	struct ui_view *index_view;	/* the bottom one */

	bool dirty;			/* draw on the next loop turn */
	bool urgent;			/* a key asked: draw now, not throttled */
	struct net_loop_timer *draw_timer;
	bool redraw;			/* clear the terminal first (^L, resize) */
	bool quit;
	int exit_status;

	char *message;			/* the last message line, made safe */
	bool message_error;
	char *banner;			/* the POP3 warning, or NULL */
	int64_t last_draw_ms;

	/* The prompt, when one is open (ui-prompt.c). */
	struct ui_prompt *prompt;

	bool bench_quit;		/* TERN_BENCH_QUIT_AFTER_LOAD=1 */
	bool bench_loaded;		/* in sync and drawn: quit now */
	size_t bench_count;

	int stderr_pipe;		/* lines written to stderr show as messages */
	int stderr_write;		/* the pipe's other end, fd 2 while curses runs */
	int winch_pipe;			/* readable after the terminal was resized */
	struct net_loop_io *winch_io;
	struct net_loop_io *stderr_io;
	char stderr_buf[1024];
	size_t stderr_len;
};

/* Asks for a redraw on the next loop turn. */
void ui_dirty(struct ui *ui);
/* Shows a message on the last line (printf-like). */
void ui_message(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_error(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Leaves curses for a program that uses the terminal (the editor, a
 * viewer), runs argv/shell command, and comes back. Returns the exit
 * status of the command, or -1. */
int ui_run_external(struct ui *ui, const char *shell_cmd);

/* ---- drawing (ui-draw.c) ---- */

enum ui_color {
	UI_COLOR_NORMAL,
	UI_COLOR_INDICATOR,	/* the selected row */
	UI_COLOR_STATUS,
	UI_COLOR_NEW,		/* unread rows */
	UI_COLOR_FLAGGED,
	UI_COLOR_TREE,
	UI_COLOR_LABEL,
	UI_COLOR_ERROR,
	UI_COLOR_MESSAGE,
	UI_COLOR_BANNER,
	UI_COLOR_HEADER,	/* pager header lines */
	UI_COLOR_QUOTED,	/* pager quoted text */
	UI_COLOR_SIGNATURE,
	UI_COLOR_DELETED,
	UI_COLOR_OVERDUE,	/* team folders: waiting past reply-deadline */
	UI_COLOR_COUNT
};

/* Sets up colours: defaults, then the mailrc's color lines (reported as
 * messages when an object is unknown). */
void ui_draw_colors_init(struct ui *ui);
/* The attribute for c (colour pair and bold/reverse). */
int ui_draw_attr(enum ui_color c);
/* Writes text (UTF-8, any origin: made safe first) at row y from column
 * x, at most width columns, padding with spaces to width when pad.
 * Returns the columns used. */
int ui_draw_text(int y, int x, int width, const char *text, int attr, bool pad);
/* Fills the rest of row y from column x with spaces. */
void ui_draw_clear_row(int y, int x, int cols, int attr);
/* The columns text takes on the screen (after making it safe). */
int ui_draw_width(const char *text);
/* A date for the index: "14:03" today, "Mon 14" this week... via the
 * date-format setting (strftime) when set. Writes into buf. */
void ui_draw_date(const struct conf *conf, int64_t when, char *buf, size_t size);

/* ---- keys (ui-keys.c) ---- */

/* The function bound to key in map: the mailrc's bind lines first, then
 * the defaults; NULL when unbound. name is the key's name ("j", "^L",
 * "<Enter>"...) as ui_keys_name gives it. */
const char *ui_keys_lookup(const char *map, const char *name);
/* The name of a key from get_wch (is_key: a KEY_ code). */
void ui_keys_name(int is_key, wint_t ch, char *buf, size_t size);
/* Checks the mailrc's bind lines: unknown functions and keys become
 * messages "FILE:LINE: ...". Returns how many were bad. */
int ui_keys_check(struct ui *ui);
/* Every binding of map for the help view: calls fn(key, function, doc)
 * in a stable order. */
void ui_keys_each(const char *map, void (*fn)(void *ctx, const char *key,
    const char *function, const char *doc), void *ctx);

/* ---- the prompt (ui-prompt.c) ---- */

/* Called with the text typed (UTF-8) or NULL when the user cancelled. */
typedef void ui_prompt_fn(struct ui *ui, const char *text, void *ctx);
/* Opens a one-line editor on the last row. */
void ui_prompt(struct ui *ui, const char *question, const char *initial,
    ui_prompt_fn *fn, void *ctx);
/* A yes/no question: fn gets "y" or NULL. */
void ui_confirm(struct ui *ui, const char *question, ui_prompt_fn *fn, void *ctx);
/* Keys go to the prompt while one is open. Returns true when used. */
bool ui_prompt_key(struct ui *ui, int is_key, wint_t ch);
void ui_prompt_draw(struct ui *ui, int y, int cols);
void ui_prompt_free(struct ui *ui);

/* ---- the account's session (ui-session.c) ---- */

/* A job: network work in several round trips, run from the top of the
 * loop when the session is connected and no other job runs. It may wait
 * on the session (cmd_imap_wait) as long as it likes: the loop goes on
 * serving keys meanwhile. Returns 0, or -1 when the connection was lost
 * (the session then reconnects and runs the job again). */
typedef int ui_job_fn(struct ui *ui, void *ctx, char **error_r);
/* Queues fn; free_ctx (may be NULL) frees ctx when the job is done or
 * dropped. what names it in messages ("opening the message"). */
void ui_job_add(struct ui *ui, const char *what, ui_job_fn *fn, void *ctx,
    void (*free_ctx)(void *ctx));
/* True while a job runs (a key handler may not start another wait). */
bool ui_job_running(const struct ui *ui);

int ui_session_create(struct ui *ui, const char *folder, char **error_r);
void ui_session_destroy(struct ui *ui);
/* Runs what is due at the top of the loop: a connection that finished,
 * the next job, IDLE. */
void ui_session_pump(struct ui *ui);
/* The IMAP session when connected (for jobs), else NULL. */
struct cmd_imap *ui_session_imap(struct ui *ui);
struct cache *ui_session_cache(struct ui *ui);
/* The open folder: its name as the user writes it, and its index (never
 * NULL; empty until loaded). */
const char *ui_session_folder(struct ui *ui);
struct index *ui_session_index(struct ui *ui);
/* A team folder's MYRIGHTS (RFC 4314 letters), once a sync read them;
 * NULL before, elsewhere, or when the server has no ACL. */
const char *ui_session_rights(struct ui *ui);
/* The session's apply context (cmd-action.h), for jobs; NULL offline. */
struct cmd_apply *ui_session_apply(struct ui *ui);
/* "syncing 1200/100000", "offline, reconnecting in 4 s", "" ... */
const char *ui_session_state(struct ui *ui);
/* True once the open folder is in sync with the server. */
bool ui_session_synced(struct ui *ui);
/* Opens another folder (the index shows its cache at once). */
void ui_session_open_folder(struct ui *ui, const char *folder);
/* Applies actions to uids of the open folder as a job, updating the
 * index at once; undo_able: remember it for ui_session_undo. True when
 * the caller may say what it did; false when it was refused or kept for
 * later, with the message line saying so already. */
bool ui_session_act(struct ui *ui, const struct cmd_actions *a, const uint32_t *uids,
    size_t n);
/* Undoes the last action (flags: the opposite; a move or delete: moves
 * the messages back). */
void ui_session_undo(struct ui *ui);
/* For jobs: runs a plan's searches in the open folder (limit with
 * body: terms). */
struct plan;
int ui_session_search(struct ui *ui, const struct plan *plan, struct sync_uids *slots,
    char **error_r);
/* For jobs: how many messages Trash holds; purging it (the only
 * expunge the UI has, after the user confirmed that count). */
int ui_session_trash_count(struct ui *ui, uint32_t *count_r, char **error_r);
int ui_session_purge_trash(struct ui *ui, char **error_r);
/* For jobs: the whole message uid of the open folder (BODY.PEEK[]) into
 * out. 0; 1 when the server refused or the message is gone (*error_r
 * says so); -1 when the connection was lost. */
struct buf;
int ui_session_fetch_message(struct ui *ui, uint32_t uid, struct buf *out, char **error_r);
/* The message from the body cache, when it is kept there (no network:
 * what the pager shows offline). */
bool ui_session_cached_message(struct ui *ui, uint32_t uid, struct buf *out);
/* Not connected because connecting failed (not merely still starting up):
 * work for the server is not worth queuing. */
bool ui_session_offline(struct ui *ui);
/* A pop3= account: one mailbox, read only, no IMAP session. */
bool ui_session_pop3(struct ui *ui);
/* Queues a built message to send (JOURNAL_SEND: rcpts, from) or a draft
 * to save (JOURNAL_DRAFT) in the offline journal, and says so. 0, or -1
 * after saying why it could not be kept. */
struct cmd_draft;
int ui_session_journal_message(struct ui *ui, enum journal_kind kind,
    const struct cmd_draft *draft, const struct buf *msg, char *const *rcpts,
    const char *from);
/* The account's secret (for SMTP on a worker thread). */
const struct cmd_login_secret *ui_session_secret(struct ui *ui);
/* Syncs the open folder again once the current job ends (a job that
 * selected another folder calls it, so IDLE watches the right one). */
void ui_session_resync(struct ui *ui);
/* For jobs: opens folder (as the user writes it) read-write. 0, 1 when
 * the server refused (*error_r), -1 when the connection was lost. */
int ui_session_select(struct ui *ui, const char *folder, char **error_r);
/* Aborts what is running (quitting mid-sync). */
void ui_session_abort(struct ui *ui);

/* ---- the views ---- */

struct ui_view *ui_index_create(struct ui *ui);
/* The message under the cursor of the index, or NULL. */
const struct index_msg *ui_index_current(struct ui_view *index);
/* Moves the index cursor to the next/previous message (the pager's
 * next-entry); returns false at the end. */
bool ui_index_step(struct ui_view *index, int dir);

/* Opens the pager on the index's current message (ui-pager.c). */
void ui_pager_open(struct ui *ui, uint32_t uid);
/* The folder list (ui-folders.c). */
void ui_folders_open(struct ui *ui);
/* Key bindings (ui-help.c). */
void ui_help_open(struct ui *ui, const char *map);
/* Composing: kind "mail", "reply", "group-reply", "forward"; uid of the
 * message answered (0 for a new one) (ui-compose.c). */
void ui_compose_start(struct ui *ui, const char *kind, uint32_t uid);
/* A reply from a team folder that starts from a canned response: asks
 * which (the team's templates), then composes. */
void ui_compose_canned(struct ui *ui, uint32_t uid);
/* Resumes a draft from the Drafts folder (ui-compose.c). */
void ui_compose_recall(struct ui *ui);

/* ---- added by views ---- */

struct message;
/* The attachments of the message the pager shows (ui-attach.c); raw and
 * m belong to that pager, which stays below the list while it is open. */
void ui_attach_open(struct ui *ui, const char *raw, size_t raw_len, const struct message *m);
/* The folder sidebar (ui-folders.c): the last known list with unread
 * counts, the open folder highlighted. */
void ui_folders_sidebar_draw(struct ui *ui, int top, int rows, int width);
/* Every check-interval: STATUS of every folder but the open one as a
 * job; new mail shows a message and runs new-mail-command. */
void ui_folders_poll(struct ui *ui);
/* Frees the folder list kept for the sidebar (at shutdown). */
void ui_folders_free(void);

#endif
