/* Tests for conf_load_file() and conf_default_path() on real files in a
 * temporary directory. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "lib/xmalloc.h"
#include "tap.h"

static char tmpdir[] = "/tmp/tern-test-conf-XXXXXX";

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *
write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	char *path = tmp_path(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	const char *p = data;

	if (fd == -1) {
		tap_diag("cannot create %s: %s", path, strerror(errno));
		return path;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	/* chmod after writing: the umask must not decide the test. */
	chmod(path, mode);
	return path;
}

/* want with every "FILE" replaced by path. */
static char *
subst(const char *want, const char *path)
{
	size_t n = 0, plen = strlen(path), o = 0;
	const char *p;
	char *out;

	for (p = want; (p = strstr(p, "FILE")) != NULL; p += 4)
		n++;
	out = xmalloc(strlen(want) + n * plen + 1);
	for (p = want; *p != '\0';) {
		if (strncmp(p, "FILE", 4) == 0) {
			memcpy(out + o, path, plen);
			o += plen;
			p += 4;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

/* Loads path and compares every diagnostic with want (NULL-terminated;
 * "FILE" in an entry stands for the path). */
static void
check_load(const char *name, const char *path, int want_rc, const char *const *want)
{
	struct conf *conf = conf_create();
	int rc = conf_load_file(conf, path);
	size_t n = 0, i;

	while (want[n] != NULL)
		n++;
	tap_is_int(rc, want_rc, "%s: return value", name);
	if (!tap_is_int((long long)conf_diag_count(conf), (long long)n, "%s: %zu diagnostics",
	    name, n)) {
		for (i = 0; i < conf_diag_count(conf); i++)
			tap_diag("  %s", conf_diag_text(conf, i));
	}
	for (i = 0; i < n && i < conf_diag_count(conf); i++) {
		char *w = subst(want[i], path);

		tap_is_str(conf_diag_text(conf, i), w, "%s: diagnostic %zu", name, i);
		free(w);
	}
	conf_destroy(&conf);
}

static const char good[] =
    "set editor=vim\n"
    "account work {\n"
    "\tset imap=imaps://alice@mail.example.com\n"
    "\tset password-command=\"pass show work\"\n"
    "}\n";

static const char secret[] =
    "account work {\n"
    "\tset imap=imaps://alice@mail.example.com\n"
    "\tset password=hunter2\n"
    "\tset smtp=smtps://alice:hunter2@mail.example.com\n"
    "}\n";

static const char *const secret_warnings[] = {
	"FILE:3: warning: clear-text password in a file readable by others: chmod 600 FILE",
	"FILE:4: warning: password in clear text in the URL for 'smtp' (prefer "
	"password-command)",
	"FILE:4: warning: clear-text password in a file readable by others: chmod 600 FILE",
	NULL
};

static void
test_files(void)
{
	char *path, *big;
	size_t i;

	path = write_file("good", good, strlen(good), 0644);
	check_load("good file", path, 0, (const char *const[]){ NULL });
	free(path);

	path = tmp_path("missing");
	check_load("missing file", path, -1, (const char *const[]){ "FILE: no such file", NULL });
	free(path);

	path = tmp_path("dir");
	mkdir(path, 0700);
	check_load("directory", path, -1, (const char *const[]){
	    "FILE: is a directory, not a file", NULL });
	rmdir(path);
	free(path);

	path = write_file("unreadable", good, strlen(good), 0);
	if (geteuid() != 0)
		check_load("unreadable file", path, -1, (const char *const[]){
		    "FILE: permission denied (cannot read the file)", NULL });
	else
		tap_ok(true, "# SKIP unreadable file: root reads anything");
	unlink(path);
	free(path);

	path = write_file("empty", "", 0, 0600);
	check_load("empty file", path, 0, (const char *const[]){ NULL });
	unlink(path);
	free(path);

	/* Binary garbage: a short report, and not the whole file read. */
	big = xmalloc(1 << 20);
	for (i = 0; i < 1 << 20; i++)
		big[i] = (char)((i * 2654435761u) >> 13);
	path = write_file("binary", big, 1 << 20, 0600);
	{
		struct conf *conf = conf_create();

		tap_is_int(conf_load_file(conf, path), -1, "binary file: fails");
		tap_ok(conf_diag_count(conf) >= 1 && conf_diag_count(conf) <= 51,
		    "binary file: short report (%zu lines)", conf_diag_count(conf));
		tap_ok(strstr(conf_diag_text(conf, 0), ": binary data in configuration file") != NULL,
		    "binary file: says binary");
		conf_destroy(&conf);
	}
	unlink(path);
	free(path);
	free(big);

	/* A 10 MB line between two good lines. */
	big = xmalloc(10 * 1024 * 1024 + 64);
	memcpy(big, "set editor=vim\nset pager=", 25);
	memset(big + 25, 'x', 10 * 1024 * 1024);
	memcpy(big + 25 + 10 * 1024 * 1024, "\nsett\n", 6);
	path = write_file("huge", big, 25 + 10 * 1024 * 1024 + 6, 0600);
	check_load("10 MB line", path, -1, (const char *const[]){
	    "FILE:2: line too long (over 65536 bytes)",
	    "FILE:3: unknown command 'sett' (did you mean 'set'?)", NULL });
	unlink(path);
	free(path);
	free(big);

	/* Clear-text passwords: warned about only when others can read. */
	path = write_file("secret", secret, strlen(secret), 0644);
	check_load("password, world-readable", path, 0, secret_warnings);
	free(path);
	path = write_file("secret", secret, strlen(secret), 0640);
	check_load("password, group-readable", path, 0, secret_warnings);
	free(path);
	path = write_file("secret", secret, strlen(secret), 0600);
	check_load("password, 0600", path, 0, (const char *const[]){
	    "FILE:4: warning: password in clear text in the URL for 'smtp' (prefer "
	    "password-command)", NULL });
	unlink(path);
	free(path);

	/* Errors in the file: -1, with FILE:LINE. */
	path = write_file("bad", "set sort=never\n", 15, 0600);
	check_load("bad value", path, -1, (const char *const[]){
	    "FILE:1: bad value for 'sort': 'never' (expected one of date, thread, from, "
	    "subject, size)", NULL });
	unlink(path);
	free(path);

	/* conf_load_file validates. */
	path = write_file("noserver", "account x {\n}\n", 14, 0600);
	check_load("validated", path, -1, (const char *const[]){
	    "FILE:1: account 'x' has no server (set imap=, pop3= or smtp=)", NULL });
	unlink(path);
	free(path);
}

static void
test_default_path(void)
{
	char *home = tmp_path("home"), *cfg, *p, *want;

	mkdir(home, 0700);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	p = conf_default_path();
	want = xasprintf("%s/.ternrc", home);
	tap_is_str(p, want, "no XDG, no files: ~/.ternrc");
	free(p);
	free(want);

	cfg = xasprintf("%s/.config", home);
	mkdir(cfg, 0700);
	free(cfg);
	cfg = xasprintf("%s/.config/tern", home);
	mkdir(cfg, 0700);
	free(cfg);
	cfg = xasprintf("%s/.config/tern/mailrc", home);
	close(open(cfg, O_WRONLY | O_CREAT, 0600));
	p = conf_default_path();
	tap_is_str(p, cfg, "no XDG, ~/.config/tern/mailrc exists: use it");
	free(p);

	setenv("XDG_CONFIG_HOME", "/somewhere/else", 1);
	p = conf_default_path();
	tap_is_str(p, "/somewhere/else/tern/mailrc", "XDG_CONFIG_HOME set");
	free(p);

	setenv("XDG_CONFIG_HOME", "relative", 1);
	p = conf_default_path();
	tap_is_str(p, cfg, "relative XDG_CONFIG_HOME is ignored");
	free(p);

	/* With only ~/.ternrc, it wins even when XDG_CONFIG_HOME is set. */
	unlink(cfg);
	want = xasprintf("%s/.ternrc", home);
	close(open(want, O_WRONLY | O_CREAT, 0600));
	setenv("XDG_CONFIG_HOME", "/somewhere/else", 1);
	p = conf_default_path();
	tap_is_str(p, want, "XDG set, only ~/.ternrc exists: ~/.ternrc");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = conf_default_path();
	tap_is_str(p, want, "no XDG, only ~/.ternrc exists: ~/.ternrc");
	free(p);
	unlink(want);
	free(want);

	unlink(cfg);
	free(cfg);
	cfg = xasprintf("%s/.config/tern", home);
	rmdir(cfg);
	free(cfg);
	cfg = xasprintf("%s/.config", home);
	rmdir(cfg);
	free(cfg);
	rmdir(home);
	free(home);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		tap_ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_files();
	test_default_path();
	rmdir(tmpdir);
	return tap_done();
}
