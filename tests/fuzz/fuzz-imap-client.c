/* libFuzzer target for the IMAP client engine: a client with a fixed tag
 * prefix queues a few commands, then the input is fed as the server's
 * bytes in pieces whose sizes come from the data; between pieces the
 * output is consumed and, as the data says, more commands are queued or
 * an IDLE ended. Callbacks check what they are given and queue more
 * commands themselves, so re-entry is exercised too. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tag prefix the fixed seed gives, so inputs can answer commands. */
#define SEED 0x0badcafeu
/* Commands callbacks may add, so one input cannot queue without end. */
#define REQUEUE_MAX 32

struct state {
	struct imap_client *c;
	unsigned requeued;
	unsigned done_calls;
	size_t seen;
};

static void
check_args(const struct imap_arg *args, size_t count, size_t depth)
{
	const struct imap_arg *list;
	const char *s;
	size_t i, n, len;

	if (depth > IMAP_PARSER_DEPTH_MAX + 2)
		abort();
	for (i = 0; i < count; i++) {
		if (imap_arg_get_list(&args[i], &list, &n)) {
			check_args(list, n, depth + 1);
			continue;
		}
		if (!imap_arg_get_astring(&args[i], &s, &len) || s[len] != '\0')
			abort();
	}
}

static void
check_response(const struct imap_response *r)
{
	struct imap_copyuid cu;

	if (r == NULL)
		abort();
	check_args(r->args, r->count, 0);
	if (r->code != NULL)
		check_args(r->code, r->code_count, 1);
	if (imap_response_copyuid(r, &cu) &&
	    (cu.source_uids == NULL || !imap_uid_set_valid(cu.dest_uids)))
		abort();
	if (imap_response_appenduid(r, &cu) && cu.source_uids != NULL)
		abort();
}

static void
on_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct state *st = ctx;

	st->done_calls++;
	if ((result == IMAP_RESULT_LOST) != (tagged == NULL))
		abort();
	if (tagged != NULL) {
		if (tagged->kind != IMAP_RESP_TAGGED)
			abort();
		check_response(tagged);
	}
	if (result == IMAP_RESULT_OK && st->requeued < REQUEUE_MAX) {
		st->requeued++;
		imap_cmd_noop(st->c, NULL);
	}
}

static void
on_data(void *ctx, const struct imap_response *untagged)
{
	struct state *st = ctx;

	if (untagged->kind != IMAP_RESP_UNTAGGED)
		abort();
	check_response(untagged);
	st->seen++;
}

static void
h_fetch(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	struct state *st = ctx;

	if (seq == 0)
		abort();
	check_args(items, count, 1);
	st->seen++;
}

static void
h_text(void *ctx, const char *text)
{
	struct state *st = ctx;

	st->seen += strlen(text);
}

static void
h_vanished(void *ctx, bool earlier, const char *set)
{
	struct state *st = ctx;

	st->seen += strlen(set) + earlier;
}

static void
h_other(void *ctx, const struct imap_response *r)
{
	struct state *st = ctx;

	check_response(r);
	st->seen++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = { "FROM", "SUBJECT", NULL };
	static const char *const exts[] = { "CONDSTORE", "QRESYNC", NULL };
	struct state st = { 0 };
	struct imap_client_settings settings = { .tag_seed = SEED };
	struct imap_client_handlers h = {
		.fetch = h_fetch, .bye = h_text, .alert = h_text,
		.vanished = h_vanished, .other = h_other, .ctx = &st,
	};
	struct imap_fetch_params fp = {
		.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_HEADER,
		.header_fields = fields, .changedsince = 5, .vanished = true,
	};
	struct imap_select_params sp = { .qresync_uidvalidity = 7, .qresync_modseq = 9 };
	struct imap_cmd_callbacks cb = { on_done, on_data, &st };
	size_t pos, n, step, len;
	unsigned caps;

	if (size < 2)
		return 0;
	/* The first byte picks the piece size, the second the capabilities. */
	step = (data[0] & 0x3f) + 1;
	caps = IMAP_CAP_IDLE | IMAP_CAP_UIDPLUS | IMAP_CAP_SPECIAL_USE | IMAP_CAP_CONDSTORE;
	if (data[1] & 1)
		caps |= IMAP_CAP_LITERAL_PLUS;
	if (data[1] & 2)
		caps |= IMAP_CAP_LITERAL_MINUS;
	if (data[1] & 4)
		caps |= IMAP_CAP_MOVE | IMAP_CAP_UNSELECT;
	if (data[0] & 0x40)
		settings.limits.line_max = 300;

	st.c = imap_client_create(&settings, &h);
	imap_client_set_caps(st.c, caps);
	imap_client_set_trash(st.c, "Trash");

	imap_cmd_capability(st.c, &cb);
	imap_cmd_enable(st.c, exts, &cb);
	imap_cmd_list(st.c, "", "*", true, &cb);
	imap_cmd_status(st.c, "INBOX", IMAP_STATUS_MESSAGES | IMAP_STATUS_UIDNEXT, &cb);
	imap_cmd_status(st.c, "caf\xc3\xa9\r\n", IMAP_STATUS_UNSEEN, &cb);
	imap_cmd_select(st.c, "INBOX", &sp, &cb);
	imap_cmd_uid_fetch(st.c, "1:*", &fp, &cb);
	imap_cmd_uid_copy(st.c, "1:3", "Archive", &cb);
	imap_cmd_idle(st.c, &cb);

	for (pos = 2; pos < size; pos += n) {
		n = size - pos < step ? size - pos : step;
		(void)imap_client_output(st.c, &len);
		imap_client_output_consumed(st.c, len);
		if (imap_client_input(st.c, data + pos, n) == -1) {
			if (imap_client_error(st.c) == NULL || imap_client_pending(st.c) != 0)
				abort();
			break;
		}
		/* The piece's first byte also steers the caller. */
		switch (data[pos] & 7) {
		case 0:
			imap_client_idle_done(st.c);
			break;
		case 1:
			imap_client_idle_rearm(st.c);
			break;
		case 2:
			imap_cmd_uid_expunge_moved(st.c, "1:3", &cb);
			break;
		case 3:
			imap_cmd_purge_trash(st.c, &cb);
			break;
		case 4:
			imap_cmd_idle(st.c, &cb);
			break;
		default:
			break;
		}
		(void)imap_client_waiting(st.c);
		(void)imap_client_idling(st.c);
	}
	(void)imap_client_output(st.c, &len);
	imap_client_output_consumed(st.c, len);
	imap_client_disconnected(st.c, "end of input");
	if (imap_client_pending(st.c) != 0 || imap_client_idling(st.c))
		abort();
	imap_client_destroy(&st.c);
	return 0;
}
