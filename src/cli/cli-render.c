/* tern --render [--json] [FILE]: one message file (or stdin) shown as the
 * pager shows it, or its parsed fields as JSON. Needs no mailrc and no
 * network. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cmd/cmd-render.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "mime/message.h"

/* Larger files are refused rather than read into memory. */
#define RENDER_INPUT_MAX (256u * 1024 * 1024)
/* The rendered output: text bounded by MESSAGE_TEXT_MAX, plus escapes. */
#define RENDER_OUTPUT_MAX (8u * MESSAGE_TEXT_MAX)

/* Reads all of fd into b. Returns 0, or -1 with errno set (EFBIG when
 * the input is over RENDER_INPUT_MAX). */
static int
render_read(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (buf_add(b, chunk, (size_t)n) != 0) {
			errno = EFBIG;
			return -1;
		}
	}
	return 0;
}

/* The mailrc for ignore/retain: -F FILE must be valid; the default one
 * is used when it exists and reads cleanly, since --render must never
 * need one. Returns 0 with *conf_r (possibly NULL), or EXIT_USAGE. */
static int
render_config(const struct cli_opts *opts, struct conf **conf_r)
{
	struct conf *conf = conf_create();
	char *path = opts->mailrc != NULL ? xstrdup(opts->mailrc) : conf_default_path();
	size_t i;
	int status = EXIT_OK;

	*conf_r = NULL;
	if (opts->mailrc == NULL && (path == NULL || access(path, F_OK) != 0)) {
		conf_destroy(&conf);
	} else if (conf_load_file(conf, path) != 0 || conf_has_errors(conf)) {
		for (i = 0; i < conf_diag_count(conf); i++)
			fprintf(stderr, "%s\n", conf_diag_text(conf, i));
		if (opts->mailrc != NULL)
			status = EXIT_USAGE;
		else
			log_warn("%s has errors: showing the default header fields", path);
		conf_destroy(&conf);
	} else {
		*conf_r = conf;
	}
	free(path);
	return status;
}

int
cli_render(const struct cli_opts *opts)
{
	const char *name = opts->nargs > 0 ? opts->args[0] : "-";
	struct buf in, out;
	struct message *m;
	struct conf *conf;
	char **fields;
	struct stat st;
	int fd = STDIN_FILENO, status = EXIT_OK;

	if (opts->nargs > 1) {
		log_error("--render takes one file (or none for stdin)");
		return EXIT_USAGE;
	}
	if (render_config(opts, &conf) != EXIT_OK)
		return EXIT_USAGE;
	fields = cmd_render_fields(conf);
	conf_destroy(&conf);
	if (strcmp(name, "-") != 0) {
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_error("%s: %s", name, strerror(errno));
			cmd_render_fields_free(fields);
			return EXIT_USAGE;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			log_error("%s: is a directory, not a message file", name);
			close(fd);
			cmd_render_fields_free(fields);
			return EXIT_USAGE;
		}
	}
	buf_init(&in, RENDER_INPUT_MAX);
	if (render_read(fd, &in) != 0) {
		log_error("%s: %s", strcmp(name, "-") == 0 ? "standard input" : name,
		    errno == EFBIG ? "larger than 256 MiB, not a message tern will show" :
		    strerror(errno));
		if (fd != STDIN_FILENO)
			close(fd);
		buf_free(&in);
		cmd_render_fields_free(fields);
		return EXIT_USAGE;
	}
	if (fd != STDIN_FILENO)
		close(fd);

	m = message_parse(buf_ptr(&in), buf_len(&in), NULL);
	buf_init(&out, RENDER_OUTPUT_MAX);
	if ((opts->json ? cmd_render_json(m, &out) : cmd_render_text(m, fields, &out)) != 0) {
		log_error("%s: the rendered message is too large", name);
		status = EXIT_PARTIAL;
	}
	if (fwrite(buf_ptr(&out), 1, buf_len(&out), stdout) != buf_len(&out) ||
	    fflush(stdout) != 0) {
		log_error("cannot write the output: %s", strerror(errno));
		status = EXIT_PARTIAL;
	}
	buf_free(&out);
	cmd_render_fields_free(fields);
	message_destroy(&m);
	buf_free(&in);
	return status;
}
