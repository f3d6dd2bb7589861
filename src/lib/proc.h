/* Running the user's own tools (password-command, mailcap viewers, w3m):
 * /bin/sh -c COMMAND in its own process group, optional input on its
 * stdin, output captured up to a bound, and a time limit after which the
 * whole group is stopped.
 *
 * Convention: proc_run() returns 0 when the command ran (its outcome is
 * in *result_r) and -1 when it could not be started (errno is set). */
#ifndef TERN_PROC_H
#define TERN_PROC_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

struct proc_result {
	bool timed_out;		/* stopped at the time limit */
	int exit_status;	/* when it exited, else -1 */
	int signal;		/* the signal that ended it, else 0 */
};

/* input NULL leaves the command our stdin (and so the terminal, for
 * pinentry and prompts); otherwise input_len bytes are written to its
 * stdin, which is then closed. out and err (err may be NULL) get what it
 * prints, each cut at its buffer's maximum. */
int proc_run(const char *command, const char *input, size_t input_len, int timeout_ms,
    struct buf *out, struct buf *err, struct proc_result *result_r);

#endif
