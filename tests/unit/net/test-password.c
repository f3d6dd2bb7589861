/* Unit tests for password-command: output, failures, and the time limit.
 * These run /bin/sh but touch no network. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/password.h"
#include "tap.h"

static void
expect_secret(const char *cmd, const char *want)
{
	char *secret, *error;
	int r = password_run("password-command", cmd, 5000, &secret, &error);

	tap_ok(r == 0, "'%s' succeeds", cmd);
	tap_is_str(secret, want, "'%s' gives its first line", cmd);
	password_free(secret);
	free(error);
}

static void
expect_error(const char *cmd, int timeout_ms, const char *want_part)
{
	char *secret, *error;
	int r = password_run("password-command", cmd, timeout_ms, &secret, &error);

	tap_ok(r == -1 && secret == NULL, "'%s' fails", cmd);
	tap_ok(error != NULL && strstr(error, want_part) != NULL,
	    "'%s' error mentions \"%s\" (got \"%s\")", cmd, want_part, error ? error : "");
	free(error);
}

int
main(void)
{
	struct timespec t0, t1;
	double elapsed;

	expect_secret("echo hunter2", "hunter2");
	expect_secret("printf 'pw with spaces\\r\\nsecond line\\n'", "pw with spaces");
	expect_secret("printf 'no-newline'", "no-newline");
	expect_secret("echo noise >&2; echo s3cret", "s3cret");
	expect_error("echo 'gpg: decryption failed' >&2; exit 2", 5000,
	    "exit status 2: gpg: decryption failed");
	expect_error("true", 5000, "password-command printed nothing");
	expect_error("echo; echo second", 5000, "password-command printed nothing");
	expect_error("kill -9 $$", 5000, "signal 9");
	expect_error("/nonexistent/pass-helper", 5000, "exit status 127");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_error("sleep 30", 500, "did not finish within 1 s");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	tap_ok(elapsed < 5.0, "a hanging command is stopped at its limit (%.1f s)", elapsed);

	/* A command that leaves a child holding stdout open must not hang us. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_error("(sleep 30 &) ; exit 1", 500, "");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	tap_ok(elapsed < 5.0, "a background child holding the pipe is stopped too (%.1f s)",
	    elapsed);
	return tap_done();
}
