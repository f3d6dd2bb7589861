/* HTML to text through mailcap, w3m or lynx. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd-html.h"
#include "lib/buf.h"
#include "lib/proc.h"
#include "lib/xmalloc.h"
#include "mime/mailcap.h"

/* A mailcap file larger than this is not read. */
#define CMD_HTML_MAILCAP_MAX (1024 * 1024)
/* How long a mailcap test= command may take. */
#define CMD_HTML_TEST_TIMEOUT_MS 5000

/* Reads path into b (bounded). Returns 0, or -1 when it cannot be read. */
static int
cmd_html_read(const char *path, struct buf *b)
{
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (buf_add(b, chunk, (size_t)n) != 0)
			break;
	}
	close(fd);
	return n < 0 ? -1 : 0;
}

struct mailcap *
cmd_mailcap_load(const char *files)
{
	const char *env = getenv("MAILCAPS"), *home = getenv("HOME");
	struct mailcap *mc = mailcap_create();
	char *list, *p, *next;

	if (files != NULL && files[0] != '\0')
		list = xstrdup(files);
	else if (env != NULL && env[0] != '\0')
		list = xstrdup(env);
	else
		list = xasprintf("%s/.mailcap:/etc/mailcap:/usr/etc/mailcap:"
		    "/usr/local/etc/mailcap", home != NULL ? home : "/nonexistent");
	for (p = list; p != NULL; p = next) {
		struct buf text;

		next = strchr(p, ':');
		if (next != NULL)
			*next++ = '\0';
		if (p[0] == '\0')
			continue;
		buf_init(&text, CMD_HTML_MAILCAP_MAX);
		if (cmd_html_read(p, &text) == 0)
			mailcap_feed(mc, p, buf_ptr(&text), buf_len(&text));
		buf_free(&text);
	}
	free(list);
	return mc;
}

/* Runs command with html on stdin (or in a file when uses_file). Returns
 * 0 when it exited 0 and printed something. */
static int
cmd_html_run(const char *command, const char *html, size_t len, struct buf *out)
{
	struct proc_result res;
	size_t before = buf_len(out);

	if (proc_run(command, html, len, CMD_HTML_TIMEOUT_MS, out, NULL, &res) != 0 ||
	    res.timed_out || res.exit_status != 0 || buf_len(out) == before) {
		buf_truncate(out, before);
		return -1;
	}
	return 0;
}

/* Writes html to a private temporary file named after nametemplate's
 * suffix ("%s.html" gives ".html"). Returns its path, or NULL. */
static char *
cmd_html_tempfile(const char *html, size_t len, const char *nametemplate)
{
	const char *tmpdir = getenv("TMPDIR"), *suffix = "";
	char *path;
	int fd;

	if (nametemplate != NULL && (suffix = strstr(nametemplate, "%s")) != NULL)
		suffix += 2;
	if (suffix == NULL || strlen(suffix) > 16 || strchr(suffix, '/') != NULL)
		suffix = "";
	path = xasprintf("%s/tern-XXXXXX%s", tmpdir != NULL && tmpdir[0] == '/' ?
	    tmpdir : "/tmp", suffix);
	fd = mkstemps(path, (int)strlen(suffix));	/* mode 0600 */
	if (fd < 0) {
		free(path);
		return NULL;
	}
	if (write(fd, html, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Tries the text/html entries with copiousoutput in order. */
static int
cmd_html_mailcap(const char *html, size_t len, struct buf *out, char **tool_r)
{
	static const char *const names[] = { "charset" };
	static const char *const values[] = { "utf-8" };
	struct mailcap *mc = cmd_mailcap_load(NULL);
	const struct mailcap_entry *e;
	struct proc_result res;
	size_t idx = 0;
	int r = -1;

	while (r != 0 && (e = mailcap_find(mc, "text/html", true, &idx)) != NULL) {
		struct buf cmd;
		char *file = NULL;
		bool uses_file = false;

		if (e->needsterminal)
			continue;
		buf_init(&cmd, 8192);
		if (e->test != NULL) {
			/* test= may use %s too; give it the file. */
			if ((file = cmd_html_tempfile(html, len, e->nametemplate)) == NULL ||
			    mailcap_expand(e->test, file, "text/html", names, values, 1, &cmd,
			    &uses_file) != 0 ||
			    proc_run(buf_ptr(&cmd), NULL, 0, CMD_HTML_TEST_TIMEOUT_MS, NULL, NULL,
			    &res) != 0 || res.exit_status != 0)
				goto next;
			buf_reset(&cmd);
		}
		if (file == NULL && (file = cmd_html_tempfile(html, len, e->nametemplate)) == NULL)
			goto next;
		if (mailcap_expand(e->view, file, "text/html", names, values, 1, &cmd,
		    &uses_file) != 0)
			goto next;
		if (cmd_html_run(buf_ptr(&cmd), uses_file ? "" : html, uses_file ? 0 : len,
		    out) == 0) {
			*tool_r = xasprintf("mailcap %s:%zu", e->file, e->line);
			r = 0;
		}
next:
		if (file != NULL) {
			unlink(file);
			free(file);
		}
		buf_free(&cmd);
	}
	mailcap_destroy(&mc);
	return r;
}

/* Whether name is an executable on $PATH. */
static bool
cmd_html_installed(const char *name)
{
	const char *path = getenv("PATH");
	char *list, *p, *next;
	bool found = false;

	if (path == NULL)
		return false;
	list = xstrdup(path);
	for (p = list; p != NULL && !found; p = next) {
		char *full;

		next = strchr(p, ':');
		if (next != NULL)
			*next++ = '\0';
		full = xasprintf("%s/%s", p[0] != '\0' ? p : ".", name);
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(list);
	return found;
}

int
cmd_html_to_text(const char *html, size_t len, struct buf *out, char **tool_r)
{
	static const struct {
		const char *program;
		const char *command;
	} dumpers[] = {
		{ "w3m", "w3m -dump -T text/html -I UTF-8 -O UTF-8" },
		{ "lynx", "lynx -dump -stdin -force_html -assume_charset=UTF-8 "
		    "-display_charset=UTF-8" },
	};
	size_t i;

	*tool_r = NULL;
	if (cmd_html_mailcap(html, len, out, tool_r) == 0)
		return 0;
	for (i = 0; i < sizeof(dumpers) / sizeof(dumpers[0]); i++) {
		if (cmd_html_installed(dumpers[i].program) &&
		    cmd_html_run(dumpers[i].command, html, len, out) == 0) {
			*tool_r = xstrdup(dumpers[i].program);
			return 0;
		}
	}
	return -1;
}
