/* Finding and reading the mailrc: the only part of conf/ that does I/O. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf-int.h"
#include "lib/xmalloc.h"

#define CONF_READ_CHUNK (64 * 1024)

static char *
conf_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && home[0] != '\0')
		return xstrdup(home);
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] != '\0')
		return xstrdup(pw->pw_dir);
	return NULL;
}

char *
conf_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *home = conf_home(), *xdg_path = NULL, *ternrc = NULL;
	bool xdg_set;

	/* The XDG spec says relative values are to be ignored. */
	xdg_set = xdg != NULL && xdg[0] == '/';
	if (xdg_set)
		xdg_path = xasprintf("%s/tern/mailrc", xdg);
	else if (home != NULL)
		xdg_path = xasprintf("%s/.config/tern/mailrc", home);
	if (home != NULL)
		ternrc = xasprintf("%s/.ternrc", home);
	free(home);
	if (xdg_path != NULL && access(xdg_path, F_OK) == 0)
		goto xdg;
	if (ternrc != NULL && access(ternrc, F_OK) == 0)
		goto ternrc;
	if (xdg_set)
		goto xdg;
ternrc:
	free(xdg_path);
	return ternrc;
xdg:
	free(ternrc);
	return xdg_path;
}

static void
conf_file_error(struct conf *conf, const char *file, int err)
{
	switch (err) {
	case ENOENT:
		conf_diag_add(conf, file, 0, CONF_SEV_ERROR, "no such file");
		break;
	case EACCES:
		conf_diag_add(conf, file, 0, CONF_SEV_ERROR, "permission denied "
		    "(cannot read the file)");
		break;
	case EISDIR:
		conf_diag_add(conf, file, 0, CONF_SEV_ERROR, "is a directory, not a "
		    "file");
		break;
	default:
		conf_diag_add(conf, file, 0, CONF_SEV_ERROR, "cannot read: %s",
		    strerror(err));
		break;
	}
}

/* Warns about every clear-text password read from file when others can
 * read it too. */
static void
conf_file_check_secrets(struct conf *conf, const char *file, const struct stat *st)
{
	size_t i;

	if ((st->st_mode & (S_IRGRP | S_IROTH)) == 0)
		return;
	for (i = 0; i < conf->nsecrets; i++)
		if (conf->secrets[i].file == file)
			conf_diag_add(conf, file, conf->secrets[i].line, CONF_SEV_WARNING,
			    "clear-text password in a file readable by others: "
			    "chmod 600 %s", file);
}

int
conf_load_file(struct conf *conf, const char *path)
{
	struct conf_parser *parser;
	const char *file = conf_intern_file(conf, path);
	char *chunk = NULL;
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		conf_file_error(conf, file, errno);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		conf_file_error(conf, file, errno);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		conf_file_error(conf, file, EISDIR);
		goto out;
	}

	parser = conf_parser_create(conf, path);
	chunk = xmalloc(CONF_READ_CHUNK);
	for (;;) {
		ssize_t n = read(fd, chunk, CONF_READ_CHUNK);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			conf_file_error(conf, file, errno);
			conf_parser_destroy(&parser);
			goto out;
		}
		if (n == 0)
			break;
		conf_parser_feed(parser, chunk, (size_t)n);
		/* A binary file stops the parser: no need to read the rest. */
		if (conf_stopped(conf))
			break;
	}
	conf_parser_finish(parser);
	conf_parser_destroy(&parser);
	/* Only regular files have permissions worth advice (a pipe from
	 * -F <(...) does not). */
	if (S_ISREG(st.st_mode))
		conf_file_check_secrets(conf, file, &st);
	conf_validate(conf);
	rc = conf_has_errors(conf) ? -1 : 0;
out:
	free(chunk);
	close(fd);
	return rc;
}
