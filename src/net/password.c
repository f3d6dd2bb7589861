/* password-command under a time limit, and the terminal prompt. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/proc.h"
#include "lib/xmalloc.h"
#include "net/password.h"

#define PASSWORD_MAX_OUTPUT 16384
#define PASSWORD_MAX_ERROR 512

/* The first line of the error output, for a one-line message. */
static char *
password_first_line(const struct buf *b)
{
	const char *p = buf_ptr(b);

	return xstrndup(p, strcspn(p, "\r\n"));
}

int
password_run(const char *setting, const char *command, int timeout_ms,
    char **secret_r, char **error_r)
{
	struct proc_result res;
	struct buf outb, errb;
	char *first;
	int r = -1;

	*secret_r = NULL;
	*error_r = NULL;
	buf_init(&outb, PASSWORD_MAX_OUTPUT);
	buf_init(&errb, PASSWORD_MAX_ERROR);
	if (proc_run(command, NULL, 0, timeout_ms, &outb, &errb, &res) != 0) {
		*error_r = xasprintf("%s could not start: %s", setting, strerror(errno));
		goto out;
	}
	first = password_first_line(&errb);
	if (res.timed_out) {
		*error_r = xasprintf("%s did not finish within %d s (it was stopped)",
		    setting, (timeout_ms + 999) / 1000);
	} else if (res.signal != 0) {
		*error_r = xasprintf("%s was killed by signal %d", setting, res.signal);
	} else if (res.exit_status != 0) {
		*error_r = xasprintf("%s failed with exit status %d%s%s", setting,
		    res.exit_status, first[0] != '\0' ? ": " : "", first);
	} else {
		size_t len = strcspn(buf_ptr(&outb), "\r\n");

		if (len == 0) {
			*error_r = xasprintf("%s printed nothing", setting);
		} else {
			*secret_r = xstrndup(buf_ptr(&outb), len);
			r = 0;
		}
	}
	free(first);
out:
	if (outb.data != NULL)
		explicit_bzero(outb.data, outb.cap);
	buf_free(&outb);
	buf_free(&errb);
	return r;
}

int
password_prompt(const char *prompt, char **secret_r, char **error_r)
{
	struct termios saved, quiet;
	struct buf line;
	int fd, r = -1;
	char c;

	*secret_r = NULL;
	*error_r = NULL;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*error_r = xstrdup("there is no terminal to ask for the password on");
		return -1;
	}
	buf_init(&line, 4096);
	if (tcgetattr(fd, &saved) != 0) {
		*error_r = xstrdup("there is no terminal to ask for the password on");
		close(fd);
		return -1;
	}
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		*error_r = xstrdup("cannot turn off echo on the terminal");
		goto out;
	}
	while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		buf_addc(&line, c);
	tcsetattr(fd, TCSAFLUSH, &saved);
	if (write(fd, "\n", 1) < 0) {
		/* Only cosmetic. */
	}
	if (buf_len(&line) == 0) {
		*error_r = xstrdup("no password was given");
		goto out;
	}
	*secret_r = xstrndup(buf_ptr(&line), buf_len(&line));
	r = 0;
out:
	if (line.data != NULL)
		explicit_bzero(line.data, line.cap);
	buf_free(&line);
	close(fd);
	return r;
}

void
password_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
