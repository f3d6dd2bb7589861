/* Key names, the default bindings and the mailrc's bind lines. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "lib/str.h"
#include "ui/ui-private.h"

struct ui_binding {
	const char *map;	/* "generic" applies in every map */
	const char *key;
	const char *function;
};

/* The functions, one line each for the help view. */
struct ui_function {
	const char *name;
	const char *doc;
};

static const struct ui_function ui_functions[] = {
	{ "next-entry", "move to the next message" },
	{ "previous-entry", "move to the previous message" },
	{ "next-page", "move down a page" },
	{ "previous-page", "move up a page" },
	{ "first-entry", "move to the first message" },
	{ "last-entry", "move to the last message" },
	{ "next-line", "scroll down a line" },
	{ "previous-line", "scroll up a line" },
	{ "top", "go to the top" },
	{ "bottom", "go to the bottom" },
	{ "display-message", "open the message" },
	{ "search", "search with a query" },
	{ "search-next", "search again" },
	{ "limit", "show only messages matching a query (empty: all)" },
	{ "change-folder", "open another folder" },
	{ "toggle-sidebar", "show or hide the folder sidebar" },
	{ "sort-mailbox", "choose the sort order" },
	{ "sort-reverse", "reverse the sort order" },
	{ "collapse-thread", "fold or unfold the current thread" },
	{ "collapse-all", "fold or unfold all threads" },
	{ "mail", "compose a new message" },
	{ "reply", "reply to the sender" },
	{ "group-reply", "reply to everyone" },
	{ "forward-message", "forward the message" },
	{ "recall-message", "resume a draft from the Drafts folder" },
	{ "delete-message", "move the message to Trash" },
	{ "undo", "undo the last action" },
	{ "save-message", "move the message to a folder" },
	{ "flag-message", "flag or unflag the message" },
	{ "toggle-new", "mark read or unread" },
	{ "add-label", "add a label" },
	{ "remove-label", "remove a label" },
	{ "purge-trash", "remove every message in Trash (asks first)" },
	{ "toggle-headers", "show all header fields" },
	{ "view-attachments", "list the attachments" },
	{ "save-attachment", "save the attachment to a file" },
	{ "open-attachment", "open the attachment with mailcap" },
	{ "edit-message", "edit the message again" },
	{ "edit-to", "edit the To field" },
	{ "edit-cc", "edit the Cc field" },
	{ "edit-bcc", "edit the Bcc field" },
	{ "edit-subject", "edit the Subject" },
	{ "attach-file", "attach a file" },
	{ "detach-file", "remove the attachment" },
	{ "send-message", "send the message" },
	{ "send-done", "team folders: send the reply and mark the conversation done" },
	{ "postpone-message", "save the message to Drafts" },
	{ "select-entry", "open the folder" },
	{ "claim", "team folders: take the conversation, unless a teammate holds it" },
	{ "assign", "team folders: give the conversation to a member (or none)" },
	{ "set-status", "team folders: set the conversation open, pending or done" },
	{ "canned-reply", "team folders: reply starting from a canned response" },
	{ "help", "show the key bindings" },
	{ "redraw-screen", "redraw the screen" },
	{ "exit", "leave this screen" },
	{ "quit", "quit tern" },
};

static const struct ui_binding ui_defaults[] = {
	{ "generic", "^L", "redraw-screen" },
	{ "generic", "?", "help" },
	{ "generic", "q", "exit" },
	{ "generic", "<Escape>", "exit" },

	{ "index", "j", "next-entry" },
	{ "index", "<Down>", "next-entry" },
	{ "index", "k", "previous-entry" },
	{ "index", "<Up>", "previous-entry" },
	{ "index", "<PageDown>", "next-page" },
	{ "index", "<Space>", "next-page" },
	{ "index", "<PageUp>", "previous-page" },
	{ "index", "<Home>", "first-entry" },
	{ "index", "<End>", "last-entry" },
	{ "index", "<Enter>", "display-message" },
	{ "index", "/", "search" },
	{ "index", "n", "search-next" },
	{ "index", "l", "limit" },
	{ "index", "c", "change-folder" },
	{ "index", "B", "toggle-sidebar" },
	{ "index", "o", "sort-mailbox" },
	{ "index", "O", "sort-reverse" },
	{ "index", "z", "collapse-thread" },
	{ "index", "Z", "collapse-all" },
	{ "index", "m", "mail" },
	{ "index", "r", "reply" },
	{ "index", "g", "group-reply" },
	{ "index", "f", "forward-message" },
	{ "index", "R", "recall-message" },
	{ "index", "d", "delete-message" },
	{ "index", "u", "undo" },
	{ "index", "s", "save-message" },
	{ "index", "F", "flag-message" },
	{ "index", "N", "toggle-new" },
	{ "index", "+", "add-label" },
	{ "index", "-", "remove-label" },
	{ "index", "P", "purge-trash" },
	{ "index", "a", "claim" },
	{ "index", "A", "assign" },
	{ "index", "S", "set-status" },
	{ "index", "C", "canned-reply" },
	{ "index", "q", "quit" },

	{ "pager", "j", "next-line" },
	{ "pager", "<Down>", "next-line" },
	{ "pager", "<Enter>", "next-line" },
	{ "pager", "k", "previous-line" },
	{ "pager", "<Up>", "previous-line" },
	{ "pager", "<Space>", "next-page" },
	{ "pager", "<PageDown>", "next-page" },
	{ "pager", "-", "previous-page" },
	{ "pager", "<PageUp>", "previous-page" },
	{ "pager", "<Home>", "top" },
	{ "pager", "<End>", "bottom" },
	{ "pager", "J", "next-entry" },
	{ "pager", "K", "previous-entry" },
	{ "pager", "h", "toggle-headers" },
	{ "pager", "v", "view-attachments" },
	{ "pager", "/", "search" },
	{ "pager", "n", "search-next" },
	{ "pager", "r", "reply" },
	{ "pager", "g", "group-reply" },
	{ "pager", "f", "forward-message" },
	{ "pager", "d", "delete-message" },
	{ "pager", "u", "undo" },
	{ "pager", "s", "save-message" },
	{ "pager", "F", "flag-message" },
	{ "pager", "N", "toggle-new" },
	{ "pager", "+", "add-label" },
	{ "pager", "=", "remove-label" },

	{ "attach", "j", "next-entry" },
	{ "attach", "<Down>", "next-entry" },
	{ "attach", "k", "previous-entry" },
	{ "attach", "<Up>", "previous-entry" },
	{ "attach", "s", "save-attachment" },
	{ "attach", "<Enter>", "open-attachment" },
	{ "attach", "o", "open-attachment" },

	{ "folders", "j", "next-entry" },
	{ "folders", "<Down>", "next-entry" },
	{ "folders", "k", "previous-entry" },
	{ "folders", "<Up>", "previous-entry" },
	{ "folders", "<PageDown>", "next-page" },
	{ "folders", "<PageUp>", "previous-page" },
	{ "folders", "<Home>", "first-entry" },
	{ "folders", "<End>", "last-entry" },
	{ "folders", "<Enter>", "select-entry" },

	{ "help", "j", "next-line" },
	{ "help", "<Down>", "next-line" },
	{ "help", "k", "previous-line" },
	{ "help", "<Up>", "previous-line" },
	{ "help", "<Space>", "next-page" },
	{ "help", "<PageDown>", "next-page" },
	{ "help", "<PageUp>", "previous-page" },

	{ "compose", "e", "edit-message" },
	{ "compose", "t", "edit-to" },
	{ "compose", "c", "edit-cc" },
	{ "compose", "b", "edit-bcc" },
	{ "compose", "s", "edit-subject" },
	{ "compose", "a", "attach-file" },
	{ "compose", "D", "detach-file" },
	{ "compose", "y", "send-message" },
	{ "compose", "Y", "send-done" },
	{ "compose", "P", "postpone-message" },
	{ "compose", "j", "next-entry" },
	{ "compose", "k", "previous-entry" },
};

#define UI_KEYS_NAMED 16
static const struct {
	int code;
	const char *name;
} ui_key_names[UI_KEYS_NAMED] = {
	{ KEY_UP, "<Up>" }, { KEY_DOWN, "<Down>" }, { KEY_LEFT, "<Left>" },
	{ KEY_RIGHT, "<Right>" }, { KEY_PPAGE, "<PageUp>" }, { KEY_NPAGE, "<PageDown>" },
	{ KEY_HOME, "<Home>" }, { KEY_END, "<End>" }, { KEY_BACKSPACE, "<Backspace>" },
	{ KEY_DC, "<Delete>" }, { KEY_IC, "<Insert>" }, { KEY_ENTER, "<Enter>" },
	{ KEY_BTAB, "<BackTab>" }, { KEY_F(1), "<F1>" }, { KEY_F(2), "<F2>" },
	{ KEY_F(3), "<F3>" },
};

void
ui_keys_name(int is_key, wint_t ch, char *buf, size_t size)
{
	size_t i;

	if (is_key) {
		for (i = 0; i < UI_KEYS_NAMED; i++)
			if (ui_key_names[i].code == (int)ch) {
				snprintf(buf, size, "%s", ui_key_names[i].name);
				return;
			}
		snprintf(buf, size, "<Key%d>", (int)ch);
		return;
	}
	if (ch == '\r' || ch == '\n')
		snprintf(buf, size, "<Enter>");
	else if (ch == '\t')
		snprintf(buf, size, "<Tab>");
	else if (ch == 27)
		snprintf(buf, size, "<Escape>");
	else if (ch == ' ')
		snprintf(buf, size, "<Space>");
	else if (ch == 127 || ch == 8)
		snprintf(buf, size, "<Backspace>");
	else if (ch < 32)
		snprintf(buf, size, "^%c", (char)('@' + ch));
	else {
		char utf8[5];
		size_t n = str_utf8_encode((uint32_t)ch, utf8);

		utf8[n] = '\0';
		snprintf(buf, size, "%s", utf8);
	}
}

/* A key as the mailrc writes it, in the form ui_keys_name gives: "\Cl"
 * and "^l" are "^L"; "<enter>", "<return>" and "<pagedown>" match in any
 * case; "\n" and "\r" are "<Enter>"; " " is "<Space>". */
static void
ui_keys_normalise(const char *in, char *buf, size_t size)
{
	static const struct { const char *alias, *name; } aliases[] = {
		{ "<return>", "<Enter>" }, { "<pgdn>", "<PageDown>" }, { "<pgup>", "<PageUp>" },
		{ "<esc>", "<Escape>" }, { "<bs>", "<Backspace>" }, { "<del>", "<Delete>" },
	};
	size_t i;

	if ((in[0] == '^' && in[1] != '\0' && in[2] == '\0') ||
	    (in[0] == '\\' && (in[1] == 'C' || in[1] == 'c') && in[2] != '\0' && in[3] == '\0')) {
		char c = in[0] == '^' ? in[1] : in[2];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		snprintf(buf, size, "^%c", c);
		return;
	}
	if (strcmp(in, "\\n") == 0 || strcmp(in, "\\r") == 0) {
		snprintf(buf, size, "<Enter>");
		return;
	}
	if (strcmp(in, " ") == 0) {
		snprintf(buf, size, "<Space>");
		return;
	}
	if (in[0] == '<') {
		for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
			if (str_caseeq(in, aliases[i].alias)) {
				snprintf(buf, size, "%s", aliases[i].name);
				return;
			}
		for (i = 0; i < UI_KEYS_NAMED; i++)
			if (str_caseeq(in, ui_key_names[i].name)) {
				snprintf(buf, size, "%s", ui_key_names[i].name);
				return;
			}
		for (i = 0; i < sizeof(ui_defaults) / sizeof(ui_defaults[0]); i++)
			if (str_caseeq(in, ui_defaults[i].key)) {
				snprintf(buf, size, "%s", ui_defaults[i].key);
				return;
			}
	}
	snprintf(buf, size, "%s", in);
}

static const struct conf *ui_keys_conf;

static bool
ui_keys_function_known(const char *name)
{
	size_t i;

	if (strcmp(name, "noop") == 0)
		return true;
	for (i = 0; i < sizeof(ui_functions) / sizeof(ui_functions[0]); i++)
		if (strcmp(ui_functions[i].name, name) == 0)
			return true;
	return false;
}

int
ui_keys_check(struct ui *ui)
{
	size_t i, n = conf_list_count(ui->conf, CONF_LIST_BIND);
	int bad = 0;

	ui_keys_conf = ui->conf;
	for (i = 0; i < n; i++) {
		const char *fn = conf_list_arg(ui->conf, CONF_LIST_BIND, i, 2);

		if (!ui_keys_function_known(fn)) {
			ui_error(ui, "%s:%u: unknown function '%s' for bind (see ? for the list)",
			    conf_list_file(ui->conf, CONF_LIST_BIND, i),
			    conf_list_line(ui->conf, CONF_LIST_BIND, i), fn);
			bad++;
		}
	}
	return bad;
}

/* The mailrc's binding of key in map (the last line wins), or NULL. A
 * bind line may name several maps separated by commas, as in mutt. */
static const char *
ui_keys_user(const char *map, const char *name)
{
	size_t i, n;
	char key[64];

	if (ui_keys_conf == NULL)
		return NULL;
	n = conf_list_count(ui_keys_conf, CONF_LIST_BIND);
	for (i = n; i-- > 0;) {
		const char *maps = conf_list_arg(ui_keys_conf, CONF_LIST_BIND, i, 0);
		const char *fn = conf_list_arg(ui_keys_conf, CONF_LIST_BIND, i, 2);
		size_t mlen = strlen(map);
		const char *p;
		bool in_map = false;

		for (p = maps; p != NULL && *p != '\0';) {
			const char *comma = strchr(p, ',');
			size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

			if (len == mlen && memcmp(p, map, len) == 0)
				in_map = true;
			p = comma != NULL ? comma + 1 : NULL;
		}
		if (!in_map)
			continue;
		ui_keys_normalise(conf_list_arg(ui_keys_conf, CONF_LIST_BIND, i, 1), key,
		    sizeof(key));
		if (strcmp(key, name) == 0 && ui_keys_function_known(fn))
			return fn;
	}
	return NULL;
}

static const char *
ui_keys_default(const char *map, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ui_defaults) / sizeof(ui_defaults[0]); i++)
		if (strcmp(ui_defaults[i].map, map) == 0 && strcmp(ui_defaults[i].key, name) == 0)
			return ui_defaults[i].function;
	return NULL;
}

const char *
ui_keys_lookup(const char *map, const char *name)
{
	const char *fn;

	if ((fn = ui_keys_user(map, name)) != NULL ||
	    (fn = ui_keys_default(map, name)) != NULL ||
	    (fn = ui_keys_user("generic", name)) != NULL ||
	    (fn = ui_keys_default("generic", name)) != NULL)
		return strcmp(fn, "noop") == 0 ? NULL : fn;
	return NULL;
}

static const char *
ui_keys_doc(const char *function)
{
	size_t i;

	for (i = 0; i < sizeof(ui_functions) / sizeof(ui_functions[0]); i++)
		if (strcmp(ui_functions[i].name, function) == 0)
			return ui_functions[i].doc;
	return "";
}

void
ui_keys_each(const char *map, void (*fn)(void *ctx, const char *key, const char *function,
    const char *doc), void *ctx)
{
	size_t i, n;
	char key[64];

	/* The mailrc's own bindings first, then the defaults still in force. */
	n = ui_keys_conf != NULL ? conf_list_count(ui_keys_conf, CONF_LIST_BIND) : 0;
	for (i = 0; i < n; i++) {
		const char *maps = conf_list_arg(ui_keys_conf, CONF_LIST_BIND, i, 0);
		const char *function = conf_list_arg(ui_keys_conf, CONF_LIST_BIND, i, 2);

		if (strstr(maps, map) == NULL && strstr(maps, "generic") == NULL)
			continue;
		ui_keys_normalise(conf_list_arg(ui_keys_conf, CONF_LIST_BIND, i, 1), key,
		    sizeof(key));
		if (ui_keys_lookup(map, key) == function)
			fn(ctx, key, function, ui_keys_doc(function));
	}
	for (i = 0; i < sizeof(ui_defaults) / sizeof(ui_defaults[0]); i++) {
		const struct ui_binding *b = &ui_defaults[i];

		if (strcmp(b->map, map) != 0 && strcmp(b->map, "generic") != 0)
			continue;
		if (ui_keys_lookup(map, b->key) == b->function)
			fn(ctx, b->key, b->function, ui_keys_doc(b->function));
	}
}
