/* Running a password-command with a time limit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "net/password.h"

#define PASSWORD_MAX_OUTPUT 16384
#define PASSWORD_MAX_ERROR 512

static long long
password_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is ready on fd into b (dropping what is over its maximum).
 * Returns 1 at end of file, 0 otherwise. */
static int
password_drain(int fd, struct buf *b)
{
	char chunk[1024];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : 1;
	if (n == 0)
		return 1;
	if (buf_len(b) < b->max)
		buf_add(b, chunk, (size_t)n > b->max - buf_len(b) ? b->max - buf_len(b) : (size_t)n);
	return 0;
}

/* The first line of the error output, for a one-line message. */
static char *
password_first_line(const struct buf *b)
{
	const char *p = buf_ptr(b);
	size_t n = strcspn(p, "\r\n");

	return xstrndup(p, n);
}

static void
password_child(const char *command, int out[2], int err[2])
{
	/* Its own process group, so a time-out can stop what it started. */
	setpgid(0, 0);
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(out[0]);
	close(out[1]);
	close(err[0]);
	close(err[1]);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

int
password_run(const char *command, int timeout_ms, char **secret_r, char **error_r)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct buf outb, errb;
	long long deadline;
	bool out_open = true, err_open = true, timed_out = false;
	int status = 0, r = -1;
	pid_t pid;
	char *first;

	*secret_r = NULL;
	*error_r = NULL;
	buf_init(&outb, PASSWORD_MAX_OUTPUT);
	buf_init(&errb, PASSWORD_MAX_ERROR);
	if (pipe(out) != 0 || pipe(err) != 0) {
		*error_r = xasprintf("password-command could not start: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		*error_r = xasprintf("password-command could not start: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		password_child(command, out, err);
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;

	deadline = password_now_ms() + timeout_ms;
	while (out_open || err_open) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		long long left = deadline - password_now_ms();
		int ready;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (out_open) {
			pfd[n].fd = out[0];
			pfd[n++].events = POLLIN;
		}
		if (err_open) {
			pfd[n].fd = err[0];
			pfd[n++].events = POLLIN;
		}
		ready = poll(pfd, n, (int)left);
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == out[0] && password_drain(out[0], &outb))
				out_open = false;
			else if (pfd[i].fd == err[0] && password_drain(err[0], &errb))
				err_open = false;
		}
	}
	if (timed_out) {
		kill(-pid, SIGTERM);
		kill(pid, SIGTERM);
		usleep(100 * 1000);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	first = password_first_line(&errb);
	if (timed_out) {
		*error_r = xasprintf("password-command did not finish within %d s "
		    "(it was stopped)", (timeout_ms + 999) / 1000);
	} else if (WIFSIGNALED(status)) {
		*error_r = xasprintf("password-command was killed by signal %d",
		    WTERMSIG(status));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		*error_r = xasprintf("password-command failed with exit status %d%s%s",
		    WEXITSTATUS(status), first[0] != '\0' ? ": " : "", first);
	} else {
		size_t len = strcspn(buf_ptr(&outb), "\r\n");

		if (len == 0) {
			*error_r = xstrdup("password-command printed no password");
		} else {
			*secret_r = xstrndup(buf_ptr(&outb), len);
			r = 0;
		}
	}
	free(first);
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
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
