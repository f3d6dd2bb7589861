/* The interactive client's main loop: terminal, keys, views, drawing. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"
#include "net/net.h"
#include "net/worker.h"
#include "ui/ui-private.h"
#include "ui/ui.h"

/* While the index changes under a sync, draw at most this often. */
#define UI_DRAW_INTERVAL_MS 100

/* ---- views ---- */

void
ui_view_push(struct ui *ui, struct ui_view *v)
{
	v->ui = ui;
	v->below = ui->views;
	ui->views = v;
	ui_dirty(ui);
}

void
ui_view_pop(struct ui *ui)
{
	struct ui_view *v = ui->views;

	if (v == NULL || v == ui->index_view)
		return;
	ui->views = v->below;
	v->ops->destroy(v);
	ui_dirty(ui);
}

struct ui_view *
ui_view_top(struct ui *ui)
{
	return ui->views;
}

/* ---- messages ---- */

void
ui_dirty(struct ui *ui)
{
	ui->dirty = true;
}

static void
ui_vmessage(struct ui *ui, bool error, const char *fmt, va_list ap)
{
	char *text = xvasprintf(fmt, ap);

	free(ui->message);
	ui->message = safe_text_line(text, strlen(text), 1000);
	ui->message_error = error;
	free(text);
	ui_dirty(ui);
}

void
ui_message(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vmessage(ui, false, fmt, ap);
	va_end(ap);
}

void
ui_error(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vmessage(ui, true, fmt, ap);
	va_end(ap);
}

/* Lines the lower layers write to stderr ("tern: warning: ...", action
 * summaries) arrive through a pipe and show as messages: nothing writes
 * over the screen. The pipe's write end does not block: a flood is cut,
 * never a hang. */
static void
ui_stderr_event(void *ctx, short revents)
{
	struct ui *ui = ctx;
	ssize_t n;

	(void)revents;
	for (;;) {
		char *nl;

		n = read(ui->stderr_pipe, ui->stderr_buf + ui->stderr_len,
		    sizeof(ui->stderr_buf) - 1 - ui->stderr_len);
		if (n <= 0)
			break;
		ui->stderr_len += (size_t)n;
		ui->stderr_buf[ui->stderr_len] = '\0';
		while ((nl = strchr(ui->stderr_buf, '\n')) != NULL) {
			const char *line = ui->stderr_buf;
			bool error;

			*nl = '\0';
			if (str_has_prefix(line, "tern: "))
				line += 6;
			error = str_has_prefix(line, "error: ");
			if (line[0] != '\0' && line[0] != '\r')
				(error ? ui_error : ui_message)(ui, "%s", line);
			memmove(ui->stderr_buf, nl + 1, strlen(nl + 1) + 1);
			ui->stderr_len = strlen(ui->stderr_buf);
		}
		if (ui->stderr_len == sizeof(ui->stderr_buf) - 1) {
			ui_message(ui, "%s", ui->stderr_buf);
			ui->stderr_len = 0;
		}
	}
}

static int ui_saved_stderr = -1;

static void
ui_stderr_capture(struct ui *ui)
{
	int fds[2];

	ui->stderr_pipe = -1;
	if (pipe(fds) != 0)
		return;
	(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
	(void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fflush(stderr);
	ui_saved_stderr = dup(STDERR_FILENO);
	(void)fcntl(ui_saved_stderr, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	dup2(fds[1], STDERR_FILENO);
	ui->stderr_write = fds[1];
	setvbuf(stderr, NULL, _IOLBF, 0);
	ui->stderr_pipe = fds[0];
	ui->stderr_io = net_loop_io_add(ui->loop, fds[0], POLLIN, ui_stderr_event, ui);
}

static void
ui_stderr_restore(struct ui *ui)
{
	if (ui_saved_stderr < 0)
		return;
	fflush(stderr);
	ui_stderr_event(ui, POLLIN);
	dup2(ui_saved_stderr, STDERR_FILENO);
	close(ui_saved_stderr);
	ui_saved_stderr = -1;
	net_loop_io_remove(&ui->stderr_io);
	close(ui->stderr_pipe);
	close(ui->stderr_write);
	ui->stderr_pipe = ui->stderr_write = -1;
}

/* ---- terminal size ----
 *
 * curses learns of a resize only when it is next asked for a key, and
 * nothing may be typed for minutes: the signal writes to a pipe the loop
 * watches, and the new size is taken from the terminal there. */

static int ui_winch_write = -1;

static void
ui_winch_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (ui_winch_write >= 0)
		(void)write(ui_winch_write, "w", 1);
	errno = saved;
}

static void
ui_winch_event(void *ctx, short revents)
{
	struct ui *ui = ctx;
	struct winsize ws;
	char drain[64];

	(void)revents;
	while (read(ui->winch_pipe, drain, sizeof(drain)) > 0)
		;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		(void)resizeterm(ws.ws_row, ws.ws_col);
	ui->redraw = true;
	ui->urgent = true;
	ui_dirty(ui);
}

static void
ui_winch_start(struct ui *ui)
{
	struct sigaction sa;
	int fds[2];

	ui->winch_pipe = -1;
	if (pipe(fds) != 0)
		return;
	for (int i = 0; i < 2; i++) {
		(void)fcntl(fds[i], F_SETFL, O_NONBLOCK);
		(void)fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	ui->winch_pipe = fds[0];
	ui_winch_write = fds[1];
	ui->winch_io = net_loop_io_add(ui->loop, fds[0], POLLIN, ui_winch_event, ui);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ui_winch_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGWINCH, &sa, NULL);
}

static void
ui_winch_stop(struct ui *ui)
{
	if (ui->winch_pipe < 0)
		return;
	(void)signal(SIGWINCH, SIG_DFL);
	net_loop_io_remove(&ui->winch_io);
	close(ui->winch_pipe);
	close(ui_winch_write);
	ui->winch_pipe = ui_winch_write = -1;
}

/* ---- drawing ---- */

static void
ui_draw_status(struct ui *ui, int y, int cols)
{
	struct ui_view *v = ui->views;
	char *text = v->ops->status != NULL ? v->ops->status(v) : NULL;
	const char *state = ui_session_state(ui);
	int attr = ui_draw_attr(UI_COLOR_STATUS), x;

	x = ui_draw_text(y, 0, cols, text != NULL ? text : "", attr, false);
	if (state[0] != '\0') {
		int w = ui_draw_width(state) + 4;

		if (x + w > cols)
			w = cols - x;
		ui_draw_clear_row(y, x, cols - w, attr);
		x = cols - w > x ? cols - w : x;
		x += ui_draw_text(y, x, w, " -- ", attr, false);
		x += ui_draw_text(y, x, cols - x, state, attr, false);
	}
	ui_draw_clear_row(y, x, cols, attr);
	free(text);
}

/* The top row: the POP3 warning when there is one (PRODUCT.md: never
 * silent), else the main keys of the view. */
static void
ui_draw_top(struct ui *ui, int cols)
{
	static const struct { const char *map, *text; } helps[] = {
		{ "index", "q:Quit  d:Del  u:Undo  s:Move  m:Mail  r:Reply  g:Group  /:Search  "
		    "l:Limit  c:Folders  ?:Help" },
		{ "pager", "q:Back  J/K:Next/Prev  r:Reply  d:Del  v:Attachments  h:Headers  "
		    "?:Help" },
	};
	const char *text = "q:Back  ?:Help";
	size_t i;

	if (ui->banner != NULL) {
		ui_draw_text(0, 0, cols, ui->banner, ui_draw_attr(UI_COLOR_BANNER), true);
		return;
	}
	for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (strcmp(helps[i].map, ui->views->ops->map) == 0)
			text = helps[i].text;
	ui_draw_text(0, 0, cols, text, ui_draw_attr(UI_COLOR_STATUS), true);
}

static void
ui_draw(struct ui *ui)
{
	int rows = LINES, cols = COLS;

	if (ui->redraw) {
		clearok(curscr, TRUE);
		ui->redraw = false;
	}
	erase();
	if (rows < 4 || cols < 10) {
		ui_draw_text(0, 0, cols, "terminal too small", A_NORMAL, false);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	ui_draw_top(ui, cols);
	ui->views->ops->draw(ui->views, 1, rows - 3, cols);
	ui_draw_status(ui, rows - 2, cols);
	if (ui->prompt != NULL) {
		ui_prompt_draw(ui, rows - 1, cols);
		curs_set(1);
	} else {
		curs_set(0);
		if (ui->message != NULL)
			ui_draw_text(rows - 1, 0, cols, ui->message,
			    ui_draw_attr(ui->message_error ? UI_COLOR_ERROR : UI_COLOR_MESSAGE),
			    false);
		move(rows - 1, cols - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static void
ui_wake(void *ctx)
{
	(void)ctx;
}

/* The loop's prepare hook: one draw per turn, only when something
 * changed; while the index changes under a sync, not more often than
 * UI_DRAW_INTERVAL_MS unless a key asked for it. */
static void
ui_draw_timer(void *ctx)
{
	struct ui *ui = ctx;

	ui->draw_timer = NULL;
}

static void
ui_prepare(void *ctx)
{
	struct ui *ui = ctx;
	int64_t now = net_loop_now(ui->loop);

	if (!ui->dirty)
		return;
	/* A key is answered at once; changes from the network (a sync
	 * filling 100,000 rows) are drawn at most every
	 * UI_DRAW_INTERVAL_MS, and a timer makes sure the last one is. */
	if (!ui->urgent && now - ui->last_draw_ms < UI_DRAW_INTERVAL_MS) {
		if (ui->draw_timer == NULL)
			ui->draw_timer = net_loop_timer_add(ui->loop,
			    UI_DRAW_INTERVAL_MS - (now - ui->last_draw_ms), ui_draw_timer, ui);
		return;
	}
	ui->dirty = false;
	ui->urgent = false;
	ui->last_draw_ms = now;
	ui_draw(ui);
	if (ui->bench_quit && !ui->bench_loaded && ui_session_synced(ui)) {
		ui->bench_loaded = true;
		ui->bench_count = index_count(ui_session_index(ui));
		ui->quit = true;
		/* The poll this hook precedes must not wait. */
		(void)net_loop_timer_add(ui->loop, 0, ui_wake, NULL);
	}
}

/* ---- keys ---- */

static void
ui_key(struct ui *ui, int is_key, wint_t ch)
{
	struct ui_view *v = ui->views;
	char name[32];
	const char *fn;

	ui->urgent = true;
	if (is_key && ch == KEY_RESIZE) {
		ui->redraw = true;
		ui_dirty(ui);
		return;
	}
	if (ui_prompt_key(ui, is_key, ch))
		return;
	ui_keys_name(is_key, ch, name, sizeof(name));
	fn = ui_keys_lookup(v->ops->map, name);
	/* A new key replaces the last message, as in mutt. */
	if (ui->message != NULL && !ui->message_error) {
		free(ui->message);
		ui->message = NULL;
		ui_dirty(ui);
	}
	if (v->ops->key(v, fn, is_key ? (int)ch : 0, is_key ? 0 : ch))
		return;
	if (fn == NULL) {
		ui_message(ui, "Key %s is not bound. Press ? for help.", name);
		return;
	}
	if (strcmp(fn, "redraw-screen") == 0) {
		ui->redraw = true;
		ui_dirty(ui);
	} else if (strcmp(fn, "help") == 0) {
		ui_help_open(ui, v->ops->map);
	} else if (strcmp(fn, "exit") == 0) {
		if (v == ui->index_view)
			ui->quit = true;
		else
			ui_view_pop(ui);
	} else if (strcmp(fn, "quit") == 0) {
		ui->quit = true;
	} else {
		ui_message(ui, "%s does not apply here", fn);
	}
}

static void
ui_keyboard_event(void *ctx, short revents)
{
	struct ui *ui = ctx;
	wint_t ch;
	int r;

	(void)revents;
	/* Every key waiting, so a fast typist is never behind the screen. */
	while ((r = get_wch(&ch)) != ERR) {
		ui_key(ui, r == KEY_CODE_YES, ch);
		if (ui->quit)
			break;
	}
}

/* ---- external programs ---- */

int
ui_run_external(struct ui *ui, const char *shell_cmd)
{
	pid_t pid;
	int status = -1;

	def_prog_mode();
	endwin();
	/* The program gets the real terminal, stderr included. */
	if (ui_saved_stderr >= 0)
		dup2(ui_saved_stderr, STDERR_FILENO);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", shell_cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
	if (ui->stderr_write >= 0)
		dup2(ui->stderr_write, STDERR_FILENO);
	reset_prog_mode();
	ui->redraw = true;
	ui_dirty(ui);
	return status;
}

/* ---- the program ---- */

static void
ui_terminal_start(void)
{
	initscr();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
}

/* One line across the top while any account of the mailrc deletes POP3
 * mail after download (the warning every batch command prints). NULL
 * when none does. */
static char *
ui_pop3_banner(const struct conf *conf)
{
	struct buf names;
	size_t i, n = 0;
	char *banner;

	buf_init(&names, 4096);
	for (i = 0; i < conf_account_count(conf); i++) {
		const struct conf_account *a = conf_account_at(conf, i);

		if (!conf_account_pop3_delete(a))
			continue;
		(void)buf_printf(&names, "%s'%s'", n++ > 0 ? ", " : "", conf_account_name(a));
	}
	if (n == 0) {
		buf_free(&names);
		return NULL;
	}
	(void)buf_addc(&names, '\0');
	/* Short enough for 80 columns with one name; tern --check says more. */
	banner = xasprintf("WARNING: %s delete%s POP3 mail; it vanishes from every other device",
	    buf_ptr(&names), n == 1 ? "s" : "");
	buf_free(&names);
	return banner;
}

int
ui_main(const struct conf *conf, const struct conf_account *acct, const char *folder)
{
	struct ui ui;
	struct net_loop_io *kbd;
	char *error = NULL;
	const char *bench = getenv("TERN_BENCH_QUIT_AFTER_LOAD");

	memset(&ui, 0, sizeof(ui));
	ui.conf = conf;
	ui.acct = acct;
	ui.stderr_pipe = -1;
	ui.stderr_write = -1;
	ui.bench_quit = bench != NULL && strcmp(bench, "1") == 0;
	ui.banner = ui_pop3_banner(conf);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tern: error: the interactive client needs a terminal "
		    "(for scripts see tern --help)\n");
		free(ui.banner);
		return 2;
	}
	net_global_init();
	ui.loop = net_loop_create();
	/* The secret first, while the terminal is still a terminal: a
	 * password prompt or a pinentry may need it. */
	if (ui_session_create(&ui, folder != NULL ? folder : "INBOX", &error) != 0) {
		fprintf(stderr, "tern: error: %s\n", error);
		free(error);
		net_loop_destroy(&ui.loop);
		free(ui.banner);
		return 3;
	}
	ui_terminal_start();
	ui_winch_start(&ui);
	ui_stderr_capture(&ui);
	ui_draw_colors_init(&ui);
	(void)ui_keys_check(&ui);
	ui.index_view = ui_index_create(&ui);
	ui_view_push(&ui, ui.index_view);
	kbd = net_loop_io_add(ui.loop, STDIN_FILENO, POLLIN, ui_keyboard_event, &ui);
	net_loop_set_prepare(ui.loop, ui_prepare, &ui);
	ui.redraw = true;
	ui_dirty(&ui);

	while (!ui.quit) {
		ui_session_pump(&ui);
		if (ui.quit)
			break;
		if (net_loop_run_once(ui.loop, 1000) < 0)
			break;
	}

	/* Leaving: what a running job waits for is abandoned (its partial
	 * results are saved), the session logs out, the terminal comes
	 * back. */
	net_loop_set_prepare(ui.loop, NULL, NULL);
	net_loop_timer_remove(&ui.draw_timer);
	net_loop_io_remove(&kbd);
	while (ui.views != NULL && ui.views != ui.index_view)
		ui_view_pop(&ui);
	ui_prompt_free(&ui);
	ui_session_destroy(&ui);
	ui_folders_free();
	if (ui.index_view != NULL)
		ui.index_view->ops->destroy(ui.index_view);
	endwin();
	ui_winch_stop(&ui);
	ui_stderr_restore(&ui);
	if (ui.bench_loaded)
		fprintf(stderr, "tern-bench: loaded %zu messages\n", ui.bench_count);
	net_loop_destroy(&ui.loop);
	free(ui.message);
	free(ui.banner);
	return ui.exit_status;
}
