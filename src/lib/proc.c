/* Running a command with input, bounded output and a time limit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/proc.h"

static long long
proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is ready on fd into b, dropping what is over its maximum.
 * Returns 1 at the end of the stream, 0 otherwise. */
static int
proc_drain(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	size_t room;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : 1;
	if (n == 0)
		return 1;
	if (b != NULL && buf_len(b) < b->max) {
		room = b->max - buf_len(b);
		buf_add(b, chunk, (size_t)n < room ? (size_t)n : room);
	}
	return 0;
}

static void __attribute__((noreturn))
proc_child(const char *command, int in[2], int out[2], int err[2])
{
	/* Its own process group, so a time-out stops what it started. */
	setpgid(0, 0);
	if (in[0] >= 0) {
		dup2(in[0], STDIN_FILENO);
		close(in[0]);
		close(in[1]);
	}
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(out[0]);
	close(out[1]);
	close(err[0]);
	close(err[1]);
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

static void
proc_close(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int
proc_run(const char *command, const char *input, size_t input_len, int timeout_ms,
    struct buf *out, struct buf *err, struct proc_result *result_r)
{
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 };
	struct sigaction ign, saved;
	size_t written = 0;
	long long deadline;
	int status = 0, saved_errno, i;
	pid_t pid;

	memset(result_r, 0, sizeof(*result_r));
	result_r->exit_status = -1;
	if ((input != NULL && pipe(in) != 0) || pipe(o) != 0 || pipe(e) != 0)
		goto fail;
	/* A command that exits without reading its input must not kill us
	 * with SIGPIPE. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &saved);
	pid = fork();
	if (pid < 0) {
		sigaction(SIGPIPE, &saved, NULL);
		goto fail;
	}
	if (pid == 0)
		proc_child(command, in, o, e);
	setpgid(pid, pid);
	proc_close(&in[0]);
	proc_close(&o[1]);
	proc_close(&e[1]);
	if (in[1] >= 0)
		fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	if (in[1] >= 0 && input_len == 0)
		proc_close(&in[1]);

	deadline = proc_now_ms() + timeout_ms;
	while (o[0] >= 0 || e[0] >= 0) {
		struct pollfd pfd[3];
		nfds_t n = 0;
		long long left = deadline - proc_now_ms();

		if (left <= 0) {
			result_r->timed_out = true;
			break;
		}
		if (o[0] >= 0)
			pfd[n++] = (struct pollfd){ .fd = o[0], .events = POLLIN };
		if (e[0] >= 0)
			pfd[n++] = (struct pollfd){ .fd = e[0], .events = POLLIN };
		if (in[1] >= 0)
			pfd[n++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (poll(pfd, n, (int)left) <= 0)
			continue;
		for (nfds_t k = 0; k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (pfd[k].fd == o[0] && proc_drain(o[0], out))
				proc_close(&o[0]);
			else if (pfd[k].fd == e[0] && proc_drain(e[0], err))
				proc_close(&e[0]);
			else if (pfd[k].fd == in[1]) {
				ssize_t w = write(in[1], input + written, input_len - written);

				if (w > 0)
					written += (size_t)w;
				if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
				    written == input_len)
					proc_close(&in[1]);
			}
		}
	}
	if (result_r->timed_out) {
		kill(-pid, SIGTERM);
		usleep(100 * 1000);
		kill(-pid, SIGKILL);
	}
	proc_close(&in[1]);
	proc_close(&o[0]);
	proc_close(&e[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &saved, NULL);
	if (WIFEXITED(status))
		result_r->exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		result_r->signal = WTERMSIG(status);
	return 0;
fail:
	saved_errno = errno;
	for (i = 0; i < 2; i++) {
		proc_close(&in[i]);
		proc_close(&o[i]);
		proc_close(&e[i]);
	}
	errno = saved_errno;
	return -1;
}
