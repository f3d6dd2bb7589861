/* Unit tests for running commands: input on stdin, bounded output, exit
 * statuses, signals and the time limit. They run /bin/sh, no network. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/proc.h"
#include "tap.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(void)
{
	struct proc_result res;
	struct buf out, err;
	char *big;
	size_t big_len = 4u * 1024 * 1024;
	double t0;

	buf_init(&out, 16u * 1024 * 1024);
	buf_init(&err, 256);

	tap_is_int(proc_run("tr a-z A-Z", "hello\n", 6, 5000, &out, &err, &res), 0, "tr runs");
	tap_is_str(buf_ptr(&out), "HELLO\n", "input reaches stdin, output is captured");
	tap_ok(res.exit_status == 0 && !res.timed_out && res.signal == 0, "exit status 0");

	/* More than a pipe holds, both ways: no deadlock. */
	big = malloc(big_len);
	memset(big, 'x', big_len);
	buf_reset(&out);
	proc_run("cat", big, big_len, 20000, &out, NULL, &res);
	tap_ok(buf_len(&out) == big_len && res.exit_status == 0, "4 MiB through cat and back");

	/* A command that stops reading must not kill us with SIGPIPE. */
	buf_reset(&out);
	proc_run("head -c 3", big, big_len, 20000, &out, NULL, &res);
	tap_is_str(buf_ptr(&out), "xxx", "a command that reads only part of its input");

	buf_free(&out);
	buf_init(&out, 10);
	proc_run("cat", big, 1000, 5000, &out, NULL, &res);
	tap_is_int((long long)buf_len(&out), 10, "output is cut at the buffer's maximum");
	tap_is_int(res.exit_status, 0, "and the command still finishes");
	free(big);

	buf_reset(&out);
	proc_run("echo oops >&2; exit 3", NULL, 0, 5000, &out, &err, &res);
	tap_is_int(res.exit_status, 3, "exit status reported");
	tap_is_str(buf_ptr(&err), "oops\n", "stderr captured");
	proc_run("kill -TERM $$", NULL, 0, 5000, &out, NULL, &res);
	tap_ok(res.signal == 15 && res.exit_status == -1, "death by signal reported");

	t0 = now();
	proc_run("sleep 30", "", 0, 300, &out, NULL, &res);
	tap_ok(res.timed_out && now() - t0 < 5, "stopped at the time limit (%.1f s)", now() - t0);
	t0 = now();
	proc_run("(sleep 30 &); echo started", NULL, 0, 300, &out, NULL, &res);
	tap_ok(res.timed_out && now() - t0 < 5,
	    "a background child holding stdout is stopped too (%.1f s)", now() - t0);
	buf_free(&out);
	buf_free(&err);
	return tap_done();
}
