/* The IMAP client engine (see imap-client.h): commands are built into
 * byte strings, queued in the order they were asked for, and written to
 * one output buffer as far as the protocol allows; responses from the
 * parser are matched to them by tag.
 *
 * The queue is one list in the order commands are written and answered.
 * c->writer is the first command not yet written in full; everything
 * before it has been written. Three things stop the writing: a
 * synchronising literal waiting for the server's "+" (c->cont_wait), an
 * IDLE that has been written and not completed (c->idle), and the expunge
 * of a MOVE fallback or purge waiting for its STORE (cmd->after).
 *
 * Selection changes are counted (c->sel_gen) when a SELECT, EXAMINE or
 * UNSELECT is queued, not when it completes: a command queued after it
 * runs in whatever it selects, so from that moment nothing may rely on the
 * old mailbox, and a late answer to an older SELECT cannot bring it
 * back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "imap/imap-client.h"
#include "mime/safe-text.h"
#include "imap/imap-client-private.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

#define nitems(a) (sizeof (a) / sizeof (a)[0])

/* Longer strings, and any with CR, LF or 8-bit bytes, go as literals. */
#define QUOTED_MAX 1024
/* LITERAL- (RFC 7888) allows non-synchronising literals up to this. */
#define LITERAL_MINUS_MAX 4096
/* A UID set we send is at most this long. */
#define UID_SET_MAX (64 * 1024)
/* Bounds for buffers: memory is bounded by what the caller queues. */
#define CMD_MAX (SIZE_MAX / 4)
/* Room for a tag in an error message. */
#define SAFE_TAG_MAX 40

enum cmd_word {
	CMD_CAPABILITY,
	CMD_NOOP,
	CMD_LOGOUT,
	CMD_ENABLE,
	CMD_ID,
	CMD_NAMESPACE,
	CMD_LIST,
	CMD_LSUB,
	CMD_STATUS,
	CMD_CREATE,
	CMD_MYRIGHTS,
	CMD_GETMETADATA,
	CMD_SETMETADATA,
	CMD_GETACL,
	CMD_SELECT,
	CMD_EXAMINE,
	CMD_UNSELECT,
	CMD_UID_FETCH,
	CMD_UID_STORE,
	CMD_UID_SEARCH,
	CMD_UID_COPY,
	CMD_UID_MOVE,
	CMD_APPEND,
	CMD_IDLE,
	CMD_UID_EXPUNGE,
	CMD_EXPUNGE,
};

/* Every command word tern sends, and the only place the words that
 * remove messages are spelt. A word missing here cannot be sent at all:
 * the gate aborts. */
static const struct {
	const char *word;
	bool expunges;
} commands[] = {
	[CMD_CAPABILITY] = { "CAPABILITY", false },
	[CMD_NOOP] = { "NOOP", false },
	[CMD_LOGOUT] = { "LOGOUT", false },
	[CMD_ENABLE] = { "ENABLE", false },
	[CMD_ID] = { "ID", false },
	[CMD_NAMESPACE] = { "NAMESPACE", false },
	[CMD_LIST] = { "LIST", false },
	[CMD_LSUB] = { "LSUB", false },
	[CMD_STATUS] = { "STATUS", false },
	[CMD_CREATE] = { "CREATE", false },
	[CMD_MYRIGHTS] = { "MYRIGHTS", false },
	[CMD_GETMETADATA] = { "GETMETADATA", false },
	[CMD_SETMETADATA] = { "SETMETADATA", false },
	[CMD_GETACL] = { "GETACL", false },
	[CMD_SELECT] = { "SELECT", false },
	[CMD_EXAMINE] = { "EXAMINE", false },
	[CMD_UNSELECT] = { "UNSELECT", false },
	[CMD_UID_FETCH] = { "UID FETCH", false },
	[CMD_UID_STORE] = { "UID STORE", false },
	[CMD_UID_SEARCH] = { "UID SEARCH", false },
	[CMD_UID_COPY] = { "UID COPY", false },
	[CMD_UID_MOVE] = { "UID MOVE", false },
	[CMD_APPEND] = { "APPEND", false },
	[CMD_IDLE] = { "IDLE", false },
	/* Only imap_cmd_uid_expunge_moved() and imap_cmd_purge_trash(). */
	[CMD_UID_EXPUNGE] = { "UID EXPUNGE", true },
	[CMD_EXPUNGE] = { "EXPUNGE", true },
};

static const struct {
	enum imap_cap cap;
	const char *name;
} cap_names[] = {
	{ IMAP_CAP_IMAP4REV1, "IMAP4rev1" },
	{ IMAP_CAP_IMAP4REV2, "IMAP4rev2" },
	{ IMAP_CAP_CONDSTORE, "CONDSTORE" },
	{ IMAP_CAP_QRESYNC, "QRESYNC" },
	{ IMAP_CAP_UIDPLUS, "UIDPLUS" },
	{ IMAP_CAP_MOVE, "MOVE" },
	{ IMAP_CAP_IDLE, "IDLE" },
	{ IMAP_CAP_SPECIAL_USE, "SPECIAL-USE" },
	{ IMAP_CAP_LITERAL_PLUS, "LITERAL+" },
	{ IMAP_CAP_LITERAL_MINUS, "LITERAL-" },
	{ IMAP_CAP_ACL, "ACL" },
	{ IMAP_CAP_COMPRESS, "COMPRESS=DEFLATE" },
	{ IMAP_CAP_ENABLE, "ENABLE" },
	{ IMAP_CAP_ID, "ID" },
	{ IMAP_CAP_NAMESPACE, "NAMESPACE" },
	{ IMAP_CAP_UNSELECT, "UNSELECT" },
	{ IMAP_CAP_LIST_EXTENDED, "LIST-EXTENDED" },
	{ IMAP_CAP_LIST_STATUS, "LIST-STATUS" },
	{ IMAP_CAP_UTF8_ACCEPT, "UTF8=ACCEPT" },
	{ IMAP_CAP_METADATA, "METADATA" },
	{ IMAP_CAP_ESEARCH, "ESEARCH" },
	{ IMAP_CAP_BINARY, "BINARY" },
	{ IMAP_CAP_STATUS_SIZE, "STATUS=SIZE" },
	{ IMAP_CAP_X_GM_EXT_1, "X-GM-EXT-1" },
};

/* STATUS items, in the order of enum imap_status_item. */
static const char *const status_items[] = {
	"MESSAGES", "UNSEEN", "UIDNEXT", "UIDVALIDITY", "HIGHESTMODSEQ", "RECENT",
};

/* FETCH items, in the order of enum imap_fetch_item: bodies only with
 * .PEEK, so fetching never sets \Seen. */
static const char *const fetch_items[] = {
	"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE",
	"MODSEQ", "BODY.PEEK[HEADER]", "BODY.PEEK[]",
};

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

struct cmd {
	struct cmd *prev, *next;
	enum cmd_word word;
	char tag[24];
	/* The arguments while building (each starts with a space), then the
	 * whole command; freed once written. */
	struct buf data;
	/* Offsets just after a synchronising literal's "{N}\r\n": the
	 * writing stops there until the server's "+". */
	size_t *stops;
	size_t nstops;
	size_t next_stop;
	size_t written;
	bool sent;			/* written in full */
	struct imap_cmd_callbacks cb;

	uint64_t sel_gen;		/* c->sel_gen when queued */
	char *mailbox;			/* SELECT, EXAMINE: as sent */
	char *uid_set;			/* UID COPY: as sent */
	/* A STORE of \Deleted and the expunge that must wait for its OK. */
	struct cmd *then;
	struct cmd *after;
};

/* Server text quoted in a message: enough to read, never a screenful. */
#define IMAP_RESULT_TEXT_MAX 300

/* UID sets that a copy proved, each usable once. */
struct proofs {
	char **v;
	size_t n;
};

struct imap_client {
	struct imap_parser *parser;
	struct imap_client_handlers h;

	uint32_t tag_prefix;
	unsigned tag_next;

	struct cmd *head, *tail;
	size_t count;
	struct cmd *writer;		/* first command not written in full */
	struct cmd *cont_wait;		/* waits for "+" to go on */

	struct cmd *idle;		/* the IDLE queued or running */
	bool idle_accepted;		/* its "+" came */
	bool idle_done_sent;
	bool idle_want_done;		/* send DONE as soon as "+" comes */
	bool idle_rearm;

	struct buf out;
	unsigned caps;

	char *selected;
	bool selected_rw;
	uint64_t sel_gen;
	/* UID sets a UID COPY from the selected mailbox copied: with
	 * COPYUID and UIDPLUS (the expunge may follow), and any copy that
	 * succeeded (without UIDPLUS only \Deleted may follow). */
	struct proofs moved, copied;
	char *trash;

	bool failed;
	char error[256];
};

/* ---- small helpers ---- */

static void
client_fail(struct imap_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool
has_cap(const struct imap_client *c, enum imap_cap cap)
{
	return (c->caps & (unsigned)cap) != 0;
}

/* atom-char of RFC 3501 §9: no atom-specials, no 8-bit. */
static bool
atom_valid(const char *s)
{
	const unsigned char *p;

	if (s == NULL || *s == '\0')
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x1f || *p >= 0x7f || strchr("(){ %*\"\\]", *p) != NULL)
			return false;
	}
	return true;
}

/* A header field name as BODY.PEEK[HEADER.FIELDS (...)] takes it. */
static bool
field_name_valid(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	}
	return true;
}

/* nz-number (fitting 32 bits, as UIDs do) or "*". */
static bool
seq_number(const char **pp)
{
	const char *p = *pp;
	uint64_t n = 0;

	if (*p == '*') {
		*pp = p + 1;
		return true;
	}
	if (*p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return false;
	}
	*pp = p;
	return true;
}

bool
imap_uid_set_valid(const char *set)
{
	const char *p = set;
	size_t len;

	if (set == NULL)
		return false;
	len = strnlen(set, UID_SET_MAX + 1);
	if (len == 0 || len > UID_SET_MAX)
		return false;
	for (;;) {
		if (!seq_number(&p))
			return false;
		if (*p == ':') {
			p++;
			if (!seq_number(&p))
				return false;
		}
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

const char *
imap_cap_name(enum imap_cap cap)
{
	size_t i;

	for (i = 0; i < nitems(cap_names); i++) {
		if (cap_names[i].cap == cap)
			return cap_names[i].name;
	}
	return NULL;
}

static unsigned
caps_from_args(const struct imap_arg *args, size_t count)
{
	unsigned caps = 0;
	const char *s;
	size_t i, j;

	for (i = 0; i < count; i++) {
		if (!imap_arg_get_atom(&args[i], &s))
			continue;
		for (j = 0; j < nitems(cap_names); j++) {
			if (str_caseeq(s, cap_names[j].name))
				caps |= (unsigned)cap_names[j].cap;
		}
	}
	return caps;
}

static uint32_t
random_prefix(void)
{
	uint32_t v;
	ssize_t n;
	int fd;

	do
		n = getrandom(&v, sizeof v, 0);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof v)
		return v;
	/* Old kernel or seccomp: the device gives the same randomness. */
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, &v, sizeof v);
		close(fd);
		if (n == (ssize_t)sizeof v)
			return v;
	}
	/* Predictable tags would let message content fake completions. */
	log_error("no random numbers for IMAP tags");
	abort();
}

/* ---- the gate ---- */

/* True when a UID FETCH text fetches no body without .PEEK: BODY[...]
 * and BINARY[...] set \Seen, and so does RFC822 (but not RFC822.SIZE). */
static bool
fetch_peek_only(const char *s)
{
	const char *p;

	if (strstr(s, "BODY[") != NULL || strstr(s, "BINARY[") != NULL)
		return false;
	for (p = s; (p = strstr(p, "RFC822")) != NULL; p += 6) {
		if (strncmp(p + 6, ".SIZE", 5) != 0)
			return false;
	}
	return true;
}

/* Every command passes here before it is queued. The words that remove
 * messages are allowed only to the two entry points that prove they may
 * (may_expunge), a word not in the table (CLOSE among them) never; a
 * failure is a programming error, so it aborts rather than risk the
 * user's mail. */
static void
gate(const char *word, const char *fetch_text, bool may_expunge)
{
	size_t i;

	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(commands[i].word, word) == 0)
			break;
	}
	if (i == nitems(commands)) {
		log_error("IMAP command not allowed: %s", word);
		abort();
	}
	if (commands[i].expunges && !may_expunge) {
		log_error("IMAP command that removes messages outside the two "
		    "places allowed to: %s", word);
		abort();
	}
	if (fetch_text != NULL && !fetch_peek_only(fetch_text)) {
		log_error("IMAP fetch that would mark messages seen");
		abort();
	}
}

void
imap_client_gate_check(const char *word, const char *fetch_text, bool may_expunge)
{
	gate(word, fetch_text, may_expunge);
}

/* ---- building commands ---- */

static struct cmd *
cmd_new(enum cmd_word word)
{
	struct cmd *cmd = xcalloc(1, sizeof *cmd);

	cmd->word = word;
	buf_init(&cmd->data, CMD_MAX);
	return cmd;
}

static void
cmd_free(struct cmd *cmd)
{
	if (cmd == NULL)
		return;
	buf_free(&cmd->data);
	free(cmd->stops);
	free(cmd->mailbox);
	free(cmd->uid_set);
	free(cmd);
}

/* Returns -1 (so builders can "return cmd_refuse(cmd)"). */
static int
cmd_refuse(struct cmd *cmd)
{
	cmd_free(cmd);
	return -1;
}

static void
add_raw(struct cmd *cmd, const char *s)
{
	buf_addstr(&cmd->data, s);
}

/* A literal: non-synchronising when the server allows it (LITERAL+, or
 * LITERAL- for small ones), else the writing stops after "{N}\r\n" until
 * the server's continuation says it wants the bytes. */
static void
add_literal(const struct imap_client *c, struct cmd *cmd, const char *s, size_t len)
{
	bool plus;

	plus = has_cap(c, IMAP_CAP_LITERAL_PLUS) ||
	    (has_cap(c, IMAP_CAP_LITERAL_MINUS) && len <= LITERAL_MINUS_MAX);
	buf_printf(&cmd->data, "{%zu%s}\r\n", len, plus ? "+" : "");
	if (!plus) {
		cmd->stops = xreallocarray(cmd->stops, cmd->nstops + 1, sizeof *cmd->stops);
		cmd->stops[cmd->nstops++] = buf_len(&cmd->data);
	}
	buf_add(&cmd->data, s, len);
}

/* The one way a string reaches the server: quoted when it is short 7-bit
 * text without CR or LF, a literal otherwise, so no value can end the
 * line. 8-bit text always goes as a literal, which every server takes
 * whether or not UTF8=ACCEPT is on. A NUL cannot be sent at all. */
static int
add_string(const struct imap_client *c, struct cmd *cmd, const char *s, size_t len)
{
	bool quote = len <= QUOTED_MAX;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\0')
			return -1;
		if (ch == '\r' || ch == '\n' || ch >= 0x80)
			quote = false;
	}
	if (!quote) {
		add_literal(c, cmd, s, len);
		return 0;
	}
	buf_addc(&cmd->data, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(&cmd->data, '\\');
		buf_addc(&cmd->data, s[i]);
	}
	buf_addc(&cmd->data, '"');
	return 0;
}

/* " " and a C string as a string argument. */
static int
add_arg_string(const struct imap_client *c, struct cmd *cmd, const char *s)
{
	if (s == NULL)
		return -1;
	buf_addc(&cmd->data, ' ');
	return add_string(c, cmd, s, strlen(s));
}

static bool
flag_is_deleted(const char *flag)
{
	return str_caseeq(flag, "\\Deleted");
}

/* A flag: a system flag ("\" atom) or a keyword (atom). */
static bool
flag_valid(const char *flag)
{
	if (flag == NULL)
		return false;
	return atom_valid(flag[0] == '\\' ? flag + 1 : flag);
}

/* " (flag flag ...)"; \Deleted is refused unless allowed. */
static int
add_flag_list(struct cmd *cmd, const char *const *flags, bool allow_deleted)
{
	size_t i;

	buf_addstr(&cmd->data, " (");
	for (i = 0; flags[i] != NULL; i++) {
		if (!flag_valid(flags[i]) || (!allow_deleted && flag_is_deleted(flags[i])))
			return -1;
		if (i > 0)
			buf_addc(&cmd->data, ' ');
		buf_addstr(&cmd->data, flags[i]);
	}
	buf_addc(&cmd->data, ')');
	return 0;
}

/* ---- the queue and the output ---- */

static void
cmd_unlink(struct imap_client *c, struct cmd *cmd)
{
	if (c->writer == cmd)
		c->writer = cmd->next;
	if (c->cont_wait == cmd)
		c->cont_wait = NULL;
	if (cmd->prev != NULL)
		cmd->prev->next = cmd->next;
	else
		c->head = cmd->next;
	if (cmd->next != NULL)
		cmd->next->prev = cmd->prev;
	else
		c->tail = cmd->prev;
	cmd->prev = cmd->next = NULL;
	c->count--;
}

static void
send_done(struct imap_client *c)
{
	buf_addstr(&c->out, "DONE\r\n");
	c->idle_done_sent = true;
}

/* Writes queued commands to the output as far as nothing stops them. */
static void
flush(struct imap_client *c)
{
	struct cmd *cmd;
	size_t end, len;

	while ((cmd = c->writer) != NULL && c->cont_wait == NULL) {
		/* Nothing may follow an IDLE on the wire but DONE. */
		if (c->idle != NULL && cmd != c->idle && c->idle->written > 0)
			break;
		if (cmd->after != NULL)
			break;
		len = buf_len(&cmd->data);
		end = cmd->next_stop < cmd->nstops ? cmd->stops[cmd->next_stop] : len;
		buf_add(&c->out, buf_ptr(&cmd->data) + cmd->written, end - cmd->written);
		cmd->written = end;
		if (end < len) {
			cmd->next_stop++;
			c->cont_wait = cmd;
			break;
		}
		cmd->sent = true;
		buf_free(&cmd->data);
		c->writer = cmd->next;
	}
}

static void
idle_reset(struct imap_client *c)
{
	c->idle = NULL;
	c->idle_accepted = false;
	c->idle_done_sent = false;
	c->idle_want_done = false;
	c->idle_rearm = false;
}

/* Tags the command, puts it in the queue and writes what can be written.
 * A command asked for while an IDLE waits to be written goes before it
 * (the IDLE stays last); one asked for while an IDLE runs ends it. */
static void
cmd_queue(struct imap_client *c, struct cmd *cmd, const struct imap_cmd_callbacks *cb,
    bool may_expunge)
{
	const char *word = commands[cmd->word].word;
	struct buf all;
	size_t i, prefix;

	gate(word, cmd->word == CMD_UID_FETCH ? buf_ptr(&cmd->data) : NULL, may_expunge);

	snprintf(cmd->tag, sizeof cmd->tag, "t%08x.%u", c->tag_prefix, c->tag_next++);
	if (c->tag_next == 0)
		c->tag_next = 1;
	buf_init(&all, CMD_MAX);
	buf_printf(&all, "%s %s", cmd->tag, word);
	prefix = buf_len(&all);
	buf_add(&all, buf_ptr(&cmd->data), buf_len(&cmd->data));
	buf_addstr(&all, "\r\n");
	buf_free(&cmd->data);
	cmd->data = all;
	for (i = 0; i < cmd->nstops; i++)
		cmd->stops[i] += prefix;
	if (cb != NULL)
		cmd->cb = *cb;
	cmd->sel_gen = c->sel_gen;

	if (c->idle != NULL && c->idle->written == 0 && cmd->word != CMD_IDLE) {
		cmd->next = c->idle;
		cmd->prev = c->idle->prev;
		if (cmd->prev != NULL)
			cmd->prev->next = cmd;
		else
			c->head = cmd;
		c->idle->prev = cmd;
		if (c->writer == c->idle)
			c->writer = cmd;
	} else {
		cmd->prev = c->tail;
		if (c->tail != NULL)
			c->tail->next = cmd;
		else
			c->head = cmd;
		c->tail = cmd;
		if (c->writer == NULL)
			c->writer = cmd;
	}
	c->count++;

	if (cmd->word == CMD_IDLE) {
		idle_reset(c);
		c->idle = cmd;
	} else if (c->idle != NULL && c->idle->written > 0)
		imap_client_idle_done(c);
	flush(c);
}

/* A SELECT, EXAMINE or UNSELECT is queued: from here on nothing is known
 * to be selected, and copies made from the old mailbox prove nothing. */
static void
proofs_clear(struct proofs *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static void
selection_changes(struct imap_client *c)
{
	c->sel_gen++;
	free(c->selected);
	c->selected = NULL;
	c->selected_rw = false;
	proofs_clear(&c->moved);
	proofs_clear(&c->copied);
}

/* ---- the client ---- */

struct imap_client *
imap_client_create(const struct imap_client_settings *settings,
    const struct imap_client_handlers *handlers)
{
	struct imap_client *c = xcalloc(1, sizeof *c);

	c->parser = imap_parser_create(settings != NULL ? &settings->limits : NULL);
	if (handlers != NULL)
		c->h = *handlers;
	if (settings != NULL && settings->tag_seed != 0)
		c->tag_prefix = settings->tag_seed;
	else
		c->tag_prefix = random_prefix();
	c->tag_next = 1;
	buf_init(&c->out, CMD_MAX);
	return c;
}

static void
free_commands(struct cmd *cmd)
{
	struct cmd *next;

	for (; cmd != NULL; cmd = next) {
		next = cmd->next;
		cmd_free(cmd);
	}
}

void
imap_client_destroy(struct imap_client **client)
{
	struct imap_client *c = *client;

	if (c == NULL)
		return;
	free_commands(c->head);
	selection_changes(c);
	imap_parser_destroy(&c->parser);
	buf_free(&c->out);
	free(c->trash);
	free(c);
	*client = NULL;
}

/* The stream cannot be followed any more: every pending command is LOST.
 * The list is taken off the client first, so callbacks that try to queue
 * more (refused now) cannot disturb the walk. */
static void
client_fail(struct imap_client *c, const char *fmt, ...)
{
	struct cmd *cmd, *next;
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);

	cmd = c->head;
	c->head = c->tail = c->writer = c->cont_wait = NULL;
	c->count = 0;
	idle_reset(c);
	for (; cmd != NULL; cmd = next) {
		next = cmd->next;
		if (cmd->cb.done != NULL)
			cmd->cb.done(cmd->cb.ctx, IMAP_RESULT_LOST, NULL);
		cmd_free(cmd);
	}
}

void
imap_client_disconnected(struct imap_client *c, const char *why)
{
	client_fail(c, "%s", why != NULL ? why : "the connection was closed");
}

const char *
imap_client_error(const struct imap_client *c)
{
	return c->failed ? c->error : NULL;
}

size_t
imap_client_pending(const struct imap_client *c)
{
	return c->count;
}

bool
imap_client_waiting(const struct imap_client *c)
{
	const struct cmd *cmd;

	for (cmd = c->head; cmd != NULL; cmd = cmd->next) {
		if (cmd == c->idle && c->idle_accepted && !c->idle_done_sent)
			continue;
		return true;
	}
	return false;
}

unsigned
imap_client_caps(const struct imap_client *c)
{
	return c->caps;
}

bool
imap_client_has(const struct imap_client *c, enum imap_cap cap)
{
	return has_cap(c, cap);
}

void
imap_client_set_caps(struct imap_client *c, unsigned caps)
{
	c->caps = caps;
}

const char *
imap_client_selected(const struct imap_client *c)
{
	return c->selected;
}

bool
imap_client_selected_rw(const struct imap_client *c)
{
	return c->selected != NULL && c->selected_rw;
}

void
imap_client_set_trash(struct imap_client *c, const char *mailbox)
{
	free(c->trash);
	c->trash = mailbox != NULL ? xstrdup(mailbox) : NULL;
}

const void *
imap_client_output(const struct imap_client *c, size_t *len_r)
{
	*len_r = buf_len(&c->out);
	return buf_ptr(&c->out);
}

void
imap_client_output_consumed(struct imap_client *c, size_t len)
{
	buf_consume(&c->out, len);
}

/* ---- responses ---- */

/* Codes any status response may carry: a new capability list, an alert. */
static bool
apply_code(struct imap_client *c, const struct imap_response *r)
{
	if (r->code == NULL)
		return false;
	if (imap_arg_atom_equals(&r->code[0], "CAPABILITY"))
		c->caps = caps_from_args(r->code + 1, r->code_count - 1);
	else if (imap_arg_atom_equals(&r->code[0], "ALERT")) {
		if (c->h.alert != NULL)
			c->h.alert(c->h.ctx, r->text);
		return true;
	}
	return false;
}

static void
to_other(struct imap_client *c, const struct imap_response *r)
{
	if (c->h.other != NULL)
		c->h.other(c->h.ctx, r);
}

/* Data that answers the oldest written command of its kind goes to that
 * command's data callback. */
static void
to_command(struct imap_client *c, enum cmd_word word, const struct imap_response *r)
{
	struct cmd *cmd;

	for (cmd = c->head; cmd != NULL && cmd->written > 0; cmd = cmd->next) {
		if (cmd->word != word)
			continue;
		if (cmd->cb.data != NULL) {
			cmd->cb.data(cmd->cb.ctx, r);
			return;
		}
		break;
	}
	to_other(c, r);
}

static bool
get_u32(const struct imap_arg *arg, uint32_t *n_r)
{
	uint64_t n;

	if (!imap_arg_get_number(arg, &n) || n > UINT32_MAX)
		return false;
	*n_r = (uint32_t)n;
	return true;
}

/* A LOGOUT has been written: a BYE is its expected answer. */
static bool
logout_pending(const struct imap_client *c)
{
	const struct cmd *cmd;

	for (cmd = c->head; cmd != NULL && cmd->written > 0; cmd = cmd->next) {
		if (cmd->word == CMD_LOGOUT)
			return true;
	}
	return false;
}

static void
handle_bye(struct imap_client *c, const struct imap_response *r)
{
	char text[120] = "";

	if (c->h.bye != NULL)
		c->h.bye(c->h.ctx, r->text);
	if (logout_pending(c))
		return;
	str_escape_for_message(text, sizeof text, r->text, r->text_len);
	client_fail(c, "the server closed the connection: %s", text);
}

static bool
handle_numbered(struct imap_client *c, const struct imap_response *r)
{
	const struct imap_arg *list;
	uint32_t n;
	size_t count;

	if (r->count < 2 || !get_u32(&r->args[0], &n))
		return false;
	if (r->count == 2 && imap_arg_atom_equals(&r->args[1], "EXISTS")) {
		if (c->h.exists != NULL)
			c->h.exists(c->h.ctx, n);
		return true;
	}
	/* The response has the command's name; the table keeps the one
	 * spelling of it. */
	if (r->count == 2 && n > 0 &&
	    imap_arg_atom_equals(&r->args[1], commands[CMD_EXPUNGE].word)) {
		if (c->h.expunge != NULL)
			c->h.expunge(c->h.ctx, n);
		return true;
	}
	if (r->count == 3 && n > 0 && imap_arg_atom_equals(&r->args[1], "FETCH") &&
	    imap_arg_get_list(&r->args[2], &list, &count)) {
		if (c->h.fetch != NULL)
			c->h.fetch(c->h.ctx, n, list, count);
		return true;
	}
	return false;
}

/* "* VANISHED [(EARLIER)] uid-set" (RFC 7162). */
static bool
handle_vanished(struct imap_client *c, const struct imap_response *r)
{
	const struct imap_arg *list;
	const char *set;
	bool earlier = false;
	size_t i = 1, count;

	if (r->count == 3 && imap_arg_get_list(&r->args[1], &list, &count)) {
		if (count != 1 || !imap_arg_atom_equals(&list[0], "EARLIER"))
			return false;
		earlier = true;
		i = 2;
	}
	if (r->count != i + 1 || !imap_arg_get_atom(&r->args[i], &set))
		return false;
	if (c->h.vanished != NULL)
		c->h.vanished(c->h.ctx, earlier, set);
	return true;
}

/* ESEARCH (TAG "t") ...: the tag says which search it answers. */
static bool
handle_esearch(struct imap_client *c, const struct imap_response *r)
{
	const struct imap_arg *corr;
	const char *tag;
	size_t n, len;
	struct cmd *cmd;

	if (r->count < 2 || !imap_arg_get_list(&r->args[1], &corr, &n) || n != 2 ||
	    !imap_arg_atom_equals(&corr[0], "TAG") ||
	    !imap_arg_get_string(&corr[1], &tag, &len))
		return false;
	for (cmd = c->head; cmd != NULL && cmd->written > 0; cmd = cmd->next) {
		if (cmd->word == CMD_UID_SEARCH && strcmp(cmd->tag, tag) == 0) {
			if (cmd->cb.data == NULL)
				return false;
			cmd->cb.data(cmd->cb.ctx, r);
			return true;
		}
	}
	return false;
}

static void
handle_untagged(struct imap_client *c, const struct imap_response *r)
{
	static const struct {
		const char *name;
		enum cmd_word word;
	} data[] = {
		{ "CAPABILITY", CMD_CAPABILITY },
		{ "ENABLED", CMD_ENABLE },
		{ "ID", CMD_ID },
		{ "NAMESPACE", CMD_NAMESPACE },
		{ "LIST", CMD_LIST },
		{ "LSUB", CMD_LSUB },
		{ "STATUS", CMD_STATUS },
		{ "MYRIGHTS", CMD_MYRIGHTS },
		{ "METADATA", CMD_GETMETADATA },
		{ "ACL", CMD_GETACL },
		{ "SEARCH", CMD_UID_SEARCH },
	};
	const struct imap_arg *a = &r->args[0];
	size_t i;

	if (r->text != NULL) {
		/* A status response: OK, NO, BAD, PREAUTH or BYE. */
		if (imap_arg_atom_equals(a, "BYE")) {
			apply_code(c, r);
			handle_bye(c, r);
			return;
		}
		if (!apply_code(c, r))
			to_other(c, r);
		return;
	}
	if (imap_arg_atom_equals(a, "CAPABILITY"))
		c->caps = caps_from_args(r->args + 1, r->count - 1);
	for (i = 0; i < nitems(data); i++) {
		if (imap_arg_atom_equals(a, data[i].name)) {
			to_command(c, data[i].word, r);
			return;
		}
	}
	if (imap_arg_atom_equals(a, "ESEARCH") && handle_esearch(c, r))
		return;
	if (imap_arg_atom_equals(a, "VANISHED") && handle_vanished(c, r))
		return;
	if (handle_numbered(c, r))
		return;
	to_other(c, r);
}

static void
handle_continuation(struct imap_client *c)
{
	if (c->cont_wait != NULL) {
		/* The server wants the literal: write it and go on. */
		c->cont_wait = NULL;
		flush(c);
		return;
	}
	if (c->idle != NULL && c->idle->written > 0 && !c->idle_accepted) {
		c->idle_accepted = true;
		if (c->idle_want_done)
			send_done(c);
		return;
	}
	client_fail(c, "the server sent a continuation request no command asked for");
}

static void
proof_add(struct proofs *p, const char *set)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n++] = xstrdup(set);
}

/* Uses up the proof that set was copied from the selected mailbox. */
static bool
proof_take(struct proofs *p, const char *set)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->v[i], set) == 0) {
			free(p->v[i]);
			p->v[i] = p->v[--p->n];
			return true;
		}
	}
	return false;
}

static struct cmd *
find_tag(const struct imap_client *c, const char *tag)
{
	struct cmd *cmd;

	for (cmd = c->head; cmd != NULL && cmd->written > 0; cmd = cmd->next) {
		if (strcmp(cmd->tag, tag) == 0)
			return cmd;
	}
	return NULL;
}

static void
handle_tagged(struct imap_client *c, const struct imap_response *r)
{
	struct imap_cmd_callbacks cb;
	struct imap_copyuid cu;
	enum imap_result result;
	struct cmd *cmd, *then;
	char tag[SAFE_TAG_MAX] = "";

	if ((cmd = find_tag(c, r->tag)) == NULL) {
		str_escape_for_message(tag, sizeof tag, r->tag, strlen(r->tag));
		client_fail(c, "the server answered a command that was not sent (tag %s)", tag);
		return;
	}
	if (imap_arg_atom_equals(&r->args[0], "OK"))
		result = IMAP_RESULT_OK;
	else if (imap_arg_atom_equals(&r->args[0], "NO"))
		result = IMAP_RESULT_NO;
	else if (imap_arg_atom_equals(&r->args[0], "BAD"))
		result = IMAP_RESULT_BAD;
	else {
		str_escape_for_message(tag, sizeof tag, r->tag, strlen(r->tag));
		client_fail(c, "the server's answer to %s is not OK, NO or BAD", tag);
		return;
	}
	apply_code(c, r);
	/* Whatever was not written of it (after a literal) is dropped. */
	cmd_unlink(c, cmd);

	switch (cmd->word) {
	case CMD_SELECT:
	case CMD_EXAMINE:
		if (result == IMAP_RESULT_OK && cmd->sel_gen == c->sel_gen) {
			free(c->selected);
			c->selected = xstrdup(cmd->mailbox);
			c->selected_rw = cmd->word == CMD_SELECT && !(r->code != NULL &&
			    imap_arg_atom_equals(&r->code[0], "READ-ONLY"));
		}
		break;
	case CMD_UID_COPY:
		if (result != IMAP_RESULT_OK || cmd->sel_gen != c->sel_gen ||
		    c->selected == NULL)
			break;
		proof_add(&c->copied, cmd->uid_set);
		if (has_cap(c, IMAP_CAP_UIDPLUS) && imap_response_copyuid(r, &cu))
			proof_add(&c->moved, cmd->uid_set);
		break;
	case CMD_IDLE:
		if (cmd == c->idle) {
			bool rearm = c->idle_rearm && result == IMAP_RESULT_OK;

			idle_reset(c);
			if (rearm) {
				cb = cmd->cb;
				cmd_free(cmd);
				cmd_queue(c, cmd_new(CMD_IDLE), &cb, false);
				return;
			}
		}
		break;
	default:
		break;
	}

	if ((then = cmd->then) != NULL) {
		/* The STORE of \Deleted before an expunge: only its OK lets
		 * the expunge go; otherwise the expunge is never sent. */
		then->after = NULL;
		if (result != IMAP_RESULT_OK) {
			cmd_unlink(c, then);
			if (then->cb.done != NULL)
				then->cb.done(then->cb.ctx, IMAP_RESULT_NO, r);
			cmd_free(then);
		}
	}
	if (cmd->cb.done != NULL)
		cmd->cb.done(cmd->cb.ctx, result, r);
	cmd_free(cmd);
	if (!c->failed)
		flush(c);
}

int
imap_client_input(struct imap_client *c, const void *data, size_t len)
{
	const struct imap_response *r;
	int ret;

	if (c->failed)
		return -1;
	imap_parser_feed(c->parser, data, len);
	while ((ret = imap_parser_next(c->parser, &r)) == 1) {
		switch (r->kind) {
		case IMAP_RESP_CONTINUATION:
			handle_continuation(c);
			break;
		case IMAP_RESP_TAGGED:
			handle_tagged(c, r);
			break;
		case IMAP_RESP_UNTAGGED:
			handle_untagged(c, r);
			break;
		}
		if (c->failed)
			return -1;
	}
	if (ret == -1) {
		client_fail(c, "cannot follow the server: %s", imap_parser_error(c->parser));
		return -1;
	}
	return 0;
}

bool
imap_response_copyuid(const struct imap_response *r, struct imap_copyuid *cu)
{
	const char *src, *dst;
	uint32_t v;

	if (r == NULL || r->code == NULL || r->code_count != 4 ||
	    !imap_arg_atom_equals(&r->code[0], "COPYUID"))
		return false;
	if (!get_u32(&r->code[1], &v) || v == 0 ||
	    !imap_arg_get_atom(&r->code[2], &src) || !imap_uid_set_valid(src) ||
	    !imap_arg_get_atom(&r->code[3], &dst) || !imap_uid_set_valid(dst))
		return false;
	cu->uidvalidity = v;
	cu->source_uids = src;
	cu->dest_uids = dst;
	return true;
}

bool
imap_response_appenduid(const struct imap_response *r, struct imap_copyuid *cu)
{
	const char *dst;
	uint32_t v;

	if (r == NULL || r->code == NULL || r->code_count != 3 ||
	    !imap_arg_atom_equals(&r->code[0], "APPENDUID"))
		return false;
	if (!get_u32(&r->code[1], &v) || v == 0 ||
	    !imap_arg_get_atom(&r->code[2], &dst) || !imap_uid_set_valid(dst))
		return false;
	cu->uidvalidity = v;
	cu->source_uids = NULL;
	cu->dest_uids = dst;
	return true;
}

/* ---- command builders ---- */

/* A command without arguments. */
static int
simple(struct imap_client *c, enum cmd_word word, const struct imap_cmd_callbacks *cb)
{
	if (c->failed)
		return -1;
	cmd_queue(c, cmd_new(word), cb, false);
	return 0;
}

int
imap_cmd_capability(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	return simple(c, CMD_CAPABILITY, cb);
}

int
imap_cmd_noop(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	return simple(c, CMD_NOOP, cb);
}

int
imap_cmd_logout(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	return simple(c, CMD_LOGOUT, cb);
}

int
imap_cmd_namespace(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	return simple(c, CMD_NAMESPACE, cb);
}

int
imap_cmd_enable(struct imap_client *c, const char *const *exts,
    const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;
	size_t i;

	if (c->failed || exts == NULL || exts[0] == NULL)
		return -1;
	cmd = cmd_new(CMD_ENABLE);
	for (i = 0; exts[i] != NULL; i++) {
		if (!atom_valid(exts[i]))
			return cmd_refuse(cmd);
		add_raw(cmd, " ");
		add_raw(cmd, exts[i]);
	}
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_id(struct imap_client *c, const char *const *fields,
    const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;
	size_t i;

	if (c->failed)
		return -1;
	cmd = cmd_new(CMD_ID);
	if (fields == NULL || fields[0] == NULL) {
		add_raw(cmd, " NIL");
		cmd_queue(c, cmd, cb, false);
		return 0;
	}
	add_raw(cmd, " (");
	for (i = 0; fields[i] != NULL; i += 2) {
		if (fields[i + 1] == NULL)
			return cmd_refuse(cmd);
		if (i > 0)
			add_raw(cmd, " ");
		if (add_string(c, cmd, fields[i], strlen(fields[i])) != 0 ||
		    add_arg_string(c, cmd, fields[i + 1]) != 0)
			return cmd_refuse(cmd);
	}
	add_raw(cmd, ")");
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_list(struct imap_client *c, const char *ref, const char *pattern,
    bool special_use, const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed)
		return -1;
	if (special_use && !has_cap(c, IMAP_CAP_SPECIAL_USE) &&
	    !has_cap(c, IMAP_CAP_LIST_EXTENDED))
		return -1;
	cmd = cmd_new(CMD_LIST);
	if (add_arg_string(c, cmd, ref) != 0 || add_arg_string(c, cmd, pattern) != 0)
		return cmd_refuse(cmd);
	if (special_use)
		add_raw(cmd, " RETURN (SPECIAL-USE)");
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_lsub(struct imap_client *c, const char *ref, const char *pattern,
    const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed)
		return -1;
	cmd = cmd_new(CMD_LSUB);
	if (add_arg_string(c, cmd, ref) != 0 || add_arg_string(c, cmd, pattern) != 0)
		return cmd_refuse(cmd);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_status(struct imap_client *c, const char *mailbox, unsigned items,
    const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;
	bool first = true;
	size_t i;

	if (c->failed || items == 0 || (items >> nitems(status_items)) != 0)
		return -1;
	if ((items & IMAP_STATUS_HIGHESTMODSEQ) && !has_cap(c, IMAP_CAP_CONDSTORE))
		return -1;
	cmd = cmd_new(CMD_STATUS);
	if (add_arg_string(c, cmd, mailbox) != 0)
		return cmd_refuse(cmd);
	add_raw(cmd, " (");
	for (i = 0; i < nitems(status_items); i++) {
		if ((items & (1u << i)) == 0)
			continue;
		if (!first)
			add_raw(cmd, " ");
		add_raw(cmd, status_items[i]);
		first = false;
	}
	add_raw(cmd, ")");
	cmd_queue(c, cmd, cb, false);
	return 0;
}

/* An entry name of RFC 5464: "/private/..." or "/shared/...", then
 * printable ASCII without '*', '%' or two slashes in a row. */
static bool
metadata_entry_valid(const char *entry)
{
	const char *p;

	if (!str_has_prefix(entry, "/private/") && !str_has_prefix(entry, "/shared/"))
		return false;
	for (p = entry; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '*' || *p == '%' || *p == '"' ||
		    *p == '\\' || (*p == '/' && p[1] == '/'))
			return false;
	}
	return p[-1] != '/';
}

int
imap_cmd_getmetadata(struct imap_client *c, const char *mailbox, const char *entry,
    const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed || !has_cap(c, IMAP_CAP_METADATA) || !metadata_entry_valid(entry))
		return -1;
	cmd = cmd_new(CMD_GETMETADATA);
	if (add_arg_string(c, cmd, mailbox) != 0 || add_arg_string(c, cmd, entry) != 0)
		return cmd_refuse(cmd);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_setmetadata(struct imap_client *c, const char *mailbox, const char *entry,
    const char *value, const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed || !has_cap(c, IMAP_CAP_METADATA) || !metadata_entry_valid(entry))
		return -1;
	cmd = cmd_new(CMD_SETMETADATA);
	if (add_arg_string(c, cmd, mailbox) != 0)
		return cmd_refuse(cmd);
	add_raw(cmd, " (");
	if (add_string(c, cmd, entry, strlen(entry)) != 0)
		return cmd_refuse(cmd);
	add_raw(cmd, " ");
	if (value == NULL)
		add_raw(cmd, "NIL");
	else if (add_string(c, cmd, value, strlen(value)) != 0)
		return cmd_refuse(cmd);
	add_raw(cmd, ")");
	cmd_queue(c, cmd, cb, false);
	return 0;
}

/* A command whose one argument is a mailbox. */
static int
mailbox_cmd(struct imap_client *c, enum cmd_word word, const char *mailbox,
    const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed)
		return -1;
	cmd = cmd_new(word);
	if (add_arg_string(c, cmd, mailbox) != 0)
		return cmd_refuse(cmd);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_create(struct imap_client *c, const char *mailbox,
    const struct imap_cmd_callbacks *cb)
{
	return mailbox_cmd(c, CMD_CREATE, mailbox, cb);
}

int
imap_cmd_getacl(struct imap_client *c, const char *mailbox,
    const struct imap_cmd_callbacks *cb)
{
	if (!has_cap(c, IMAP_CAP_ACL))
		return -1;
	return mailbox_cmd(c, CMD_GETACL, mailbox, cb);
}

int
imap_cmd_myrights(struct imap_client *c, const char *mailbox,
    const struct imap_cmd_callbacks *cb)
{
	return mailbox_cmd(c, CMD_MYRIGHTS, mailbox, cb);
}

int
imap_cmd_select(struct imap_client *c, const char *mailbox,
    const struct imap_select_params *params, const struct imap_cmd_callbacks *cb)
{
	static const struct imap_select_params none;
	const struct imap_select_params *p = params != NULL ? params : &none;
	struct cmd *cmd;

	if (c->failed)
		return -1;
	if (p->qresync_uids != NULL && (p->qresync_uidvalidity == 0 ||
	    !imap_uid_set_valid(p->qresync_uids)))
		return -1;
	cmd = cmd_new(p->read_only ? CMD_EXAMINE : CMD_SELECT);
	if (add_arg_string(c, cmd, mailbox) != 0)
		return cmd_refuse(cmd);
	if (p->qresync_uidvalidity != 0) {
		buf_printf(&cmd->data, " (QRESYNC (%u %llu", (unsigned)p->qresync_uidvalidity,
		    (unsigned long long)p->qresync_modseq);
		if (p->qresync_uids != NULL) {
			add_raw(cmd, " ");
			add_raw(cmd, p->qresync_uids);
		}
		add_raw(cmd, "))");
	} else if (p->condstore)
		add_raw(cmd, " (CONDSTORE)");
	cmd->mailbox = xstrdup(mailbox);
	selection_changes(c);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_unselect(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	if (c->failed || !has_cap(c, IMAP_CAP_UNSELECT))
		return -1;
	selection_changes(c);
	cmd_queue(c, cmd_new(CMD_UNSELECT), cb, false);
	return 0;
}

int
imap_cmd_uid_fetch(struct imap_client *c, const char *uid_set,
    const struct imap_fetch_params *params, const struct imap_cmd_callbacks *cb)
{
	const struct imap_fetch_params *p = params;
	struct cmd *cmd;
	bool first = true;
	size_t i;

	if (c->failed || p == NULL || !imap_uid_set_valid(uid_set) ||
	    (p->items >> nitems(fetch_items)) != 0)
		return -1;
	if (p->items == 0 && p->header_fields == NULL)
		return -1;
	if (p->vanished && p->changedsince == 0)
		return -1;
	cmd = cmd_new(CMD_UID_FETCH);
	add_raw(cmd, " ");
	add_raw(cmd, uid_set);
	add_raw(cmd, " (");
	for (i = 0; i < nitems(fetch_items); i++) {
		if ((p->items & (1u << i)) == 0)
			continue;
		if (!first)
			add_raw(cmd, " ");
		add_raw(cmd, fetch_items[i]);
		first = false;
	}
	if (p->header_fields != NULL) {
		if (p->header_fields[0] == NULL)
			return cmd_refuse(cmd);
		if (!first)
			add_raw(cmd, " ");
		add_raw(cmd, "BODY.PEEK[HEADER.FIELDS (");
		for (i = 0; p->header_fields[i] != NULL; i++) {
			if (!field_name_valid(p->header_fields[i]))
				return cmd_refuse(cmd);
			if (i > 0)
				add_raw(cmd, " ");
			add_raw(cmd, p->header_fields[i]);
		}
		add_raw(cmd, ")]");
	}
	add_raw(cmd, ")");
	if (p->changedsince != 0)
		buf_printf(&cmd->data, " (CHANGEDSINCE %llu%s)",
		    (unsigned long long)p->changedsince, p->vanished ? " VANISHED" : "");
	cmd_queue(c, cmd, cb, false);
	return 0;
}

static const char *
store_op(enum imap_store_op op)
{
	switch (op) {
	case IMAP_STORE_ADD:
		return " +FLAGS.SILENT";
	case IMAP_STORE_REMOVE:
		return " -FLAGS.SILENT";
	case IMAP_STORE_SET:
		return " FLAGS.SILENT";
	}
	return NULL;
}

int
imap_cmd_uid_store(struct imap_client *c, const char *uid_set, enum imap_store_op op,
    const char *const *flags, uint64_t unchangedsince, const struct imap_cmd_callbacks *cb)
{
	const char *opname = store_op(op);
	struct cmd *cmd;

	if (c->failed || opname == NULL || flags == NULL || !imap_uid_set_valid(uid_set))
		return -1;
	cmd = cmd_new(CMD_UID_STORE);
	add_raw(cmd, " ");
	add_raw(cmd, uid_set);
	if (unchangedsince != 0)
		buf_printf(&cmd->data, " (UNCHANGEDSINCE %llu)",
		    (unsigned long long)unchangedsince);
	add_raw(cmd, opname);
	if (add_flag_list(cmd, flags, false) != 0)
		return cmd_refuse(cmd);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

static int
copy_or_move(struct imap_client *c, enum cmd_word word, const char *uid_set,
    const char *mailbox, const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed || !imap_uid_set_valid(uid_set))
		return -1;
	cmd = cmd_new(word);
	add_raw(cmd, " ");
	add_raw(cmd, uid_set);
	if (add_arg_string(c, cmd, mailbox) != 0)
		return cmd_refuse(cmd);
	cmd->uid_set = xstrdup(uid_set);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_uid_copy(struct imap_client *c, const char *uid_set, const char *mailbox,
    const struct imap_cmd_callbacks *cb)
{
	return copy_or_move(c, CMD_UID_COPY, uid_set, mailbox, cb);
}

int
imap_cmd_uid_move(struct imap_client *c, const char *uid_set, const char *mailbox,
    const struct imap_cmd_callbacks *cb)
{
	if (!has_cap(c, IMAP_CAP_MOVE))
		return -1;
	return copy_or_move(c, CMD_UID_MOVE, uid_set, mailbox, cb);
}

/* Search key words, and how many arguments of which kind follow. */
static const struct {
	const char *word;
	enum imap_search_kind arg1, arg2;	/* IMAP_SEARCH_KEY: none */
} search_keys[] = {
	{ "ALL", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "ANSWERED", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "BCC", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "BEFORE", IMAP_SEARCH_DATE, IMAP_SEARCH_KEY },
	{ "BODY", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "CC", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "DELETED", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "DRAFT", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "FLAGGED", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "FROM", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "HEADER", IMAP_SEARCH_STRING, IMAP_SEARCH_STRING },
	{ "KEYWORD", IMAP_SEARCH_FLAG, IMAP_SEARCH_KEY },
	{ "LARGER", IMAP_SEARCH_NUMBER, IMAP_SEARCH_KEY },
	{ "NOT", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "OR", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "SEEN", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "SINCE", IMAP_SEARCH_DATE, IMAP_SEARCH_KEY },
	{ "SMALLER", IMAP_SEARCH_NUMBER, IMAP_SEARCH_KEY },
	{ "SUBJECT", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "TEXT", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "TO", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
	{ "UID", IMAP_SEARCH_UIDSET, IMAP_SEARCH_KEY },
	{ "UNANSWERED", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "UNDELETED", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "UNDRAFT", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "UNFLAGGED", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "UNKEYWORD", IMAP_SEARCH_FLAG, IMAP_SEARCH_KEY },
	{ "UNSEEN", IMAP_SEARCH_KEY, IMAP_SEARCH_KEY },
	{ "X-GM-LABELS", IMAP_SEARCH_STRING, IMAP_SEARCH_KEY },
};

/* Checks that every key word is known and followed by the arguments it
 * takes, and that the parentheses balance. */
static bool
search_valid(const struct imap_search_arg *args, size_t nargs)
{
	size_t i, k, depth = 0;

	for (i = 0; i < nargs; i++) {
		switch (args[i].kind) {
		case IMAP_SEARCH_OPEN:
			depth++;
			continue;
		case IMAP_SEARCH_CLOSE:
			if (depth == 0 || (i > 0 && args[i - 1].kind == IMAP_SEARCH_OPEN))
				return false;
			depth--;
			continue;
		case IMAP_SEARCH_KEY:
			break;
		default:
			return false;	/* an argument without its key */
		}
		for (k = 0; k < nitems(search_keys); k++)
			if (args[i].s != NULL && strcmp(search_keys[k].word, args[i].s) == 0)
				break;
		if (k == nitems(search_keys))
			return false;
		if (search_keys[k].arg1 != IMAP_SEARCH_KEY) {
			if (++i >= nargs || args[i].kind != search_keys[k].arg1)
				return false;
		}
		if (search_keys[k].arg2 != IMAP_SEARCH_KEY) {
			if (++i >= nargs || args[i].kind != search_keys[k].arg2)
				return false;
		}
	}
	return depth == 0 && nargs > 0;
}

static int
add_search_arg(const struct imap_client *c, struct cmd *cmd, const struct imap_search_arg *a)
{
	unsigned y, m, d;

	switch (a->kind) {
	case IMAP_SEARCH_KEY:
		add_raw(cmd, a->s);
		return 0;
	case IMAP_SEARCH_STRING:
		return a->s == NULL ? -1 : add_string(c, cmd, a->s, strlen(a->s));
	case IMAP_SEARCH_NUMBER:
		buf_printf(&cmd->data, "%llu", (unsigned long long)a->n);
		return 0;
	case IMAP_SEARCH_DATE:
		y = (unsigned)(a->n / 10000);
		m = (unsigned)(a->n / 100 % 100);
		d = (unsigned)(a->n % 100);
		if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
			return -1;
		buf_printf(&cmd->data, "%u-%s-%u", d, months[m - 1], y);
		return 0;
	case IMAP_SEARCH_FLAG:
		if (a->s == NULL || !atom_valid(a->s))
			return -1;
		add_raw(cmd, a->s);
		return 0;
	case IMAP_SEARCH_UIDSET:
		if (!imap_uid_set_valid(a->s))
			return -1;
		add_raw(cmd, a->s);
		return 0;
	case IMAP_SEARCH_OPEN:
	case IMAP_SEARCH_CLOSE:
		break;
	}
	return -1;
}

int
imap_cmd_uid_search(struct imap_client *c, const struct imap_search_arg *args,
    size_t nargs, const struct imap_cmd_callbacks *cb)
{
	bool utf8 = false, space = false;
	struct cmd *cmd;
	size_t i;

	if (c->failed || args == NULL || !search_valid(args, nargs))
		return -1;
	for (i = 0; i < nargs; i++) {
		const unsigned char *p = (const unsigned char *)args[i].s;

		if (args[i].kind != IMAP_SEARCH_STRING)
			continue;
		for (; *p != '\0'; p++)
			if (*p >= 0x80)
				utf8 = true;
	}
	cmd = cmd_new(CMD_UID_SEARCH);
	if (has_cap(c, IMAP_CAP_ESEARCH))
		add_raw(cmd, " RETURN (ALL)");
	if (utf8)
		add_raw(cmd, " CHARSET UTF-8");
	for (i = 0; i < nargs; i++) {
		if (args[i].kind == IMAP_SEARCH_CLOSE) {
			buf_addc(&cmd->data, ')');
			space = true;
			continue;
		}
		if (space || i == 0)
			buf_addc(&cmd->data, ' ');
		if (args[i].kind == IMAP_SEARCH_OPEN) {
			buf_addc(&cmd->data, '(');
			space = false;
			continue;
		}
		if (add_search_arg(c, cmd, &args[i]) != 0)
			return cmd_refuse(cmd);
		space = true;
	}
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_uid_store_labels(struct imap_client *c, const char *uid_set, enum imap_store_op op,
    const char *const *labels, const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;
	size_t i;

	if (c->failed || op == IMAP_STORE_SET || labels == NULL || labels[0] == NULL ||
	    !has_cap(c, IMAP_CAP_X_GM_EXT_1) || !imap_uid_set_valid(uid_set))
		return -1;
	cmd = cmd_new(CMD_UID_STORE);
	add_raw(cmd, " ");
	add_raw(cmd, uid_set);
	add_raw(cmd, op == IMAP_STORE_ADD ? " +X-GM-LABELS.SILENT (" : " -X-GM-LABELS.SILENT (");
	for (i = 0; labels[i] != NULL; i++) {
		if (i > 0)
			add_raw(cmd, " ");
		if (add_string(c, cmd, labels[i], strlen(labels[i])) != 0)
			return cmd_refuse(cmd);
	}
	add_raw(cmd, ")");
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_uid_mark_copied(struct imap_client *c, const char *uid_set,
    const struct imap_cmd_callbacks *cb)
{
	static const char *const deleted[] = { "\\Deleted", NULL };
	struct cmd *cmd;

	if (c->failed || !imap_uid_set_valid(uid_set) || c->selected == NULL ||
	    !c->selected_rw || !proof_take(&c->copied, uid_set))
		return -1;
	(void)proof_take(&c->moved, uid_set);
	cmd = cmd_new(CMD_UID_STORE);
	add_raw(cmd, " ");
	add_raw(cmd, uid_set);
	add_raw(cmd, " +FLAGS.SILENT");
	add_flag_list(cmd, deleted, true);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

/* UID STORE set +FLAGS.SILENT (\Deleted), then the expunge command, which
 * is held back until the STORE's OK: pipelined, it would run even when
 * the STORE failed. */
static void
queue_expunge(struct imap_client *c, const char *uid_set, enum cmd_word word,
    const char *expunge_set, const struct imap_cmd_callbacks *cb)
{
	static const char *const deleted[] = { "\\Deleted", NULL };
	struct cmd *store, *expunge;

	store = cmd_new(CMD_UID_STORE);
	add_raw(store, " ");
	add_raw(store, uid_set);
	add_raw(store, " +FLAGS.SILENT");
	add_flag_list(store, deleted, true);

	expunge = cmd_new(word);
	if (expunge_set != NULL) {
		add_raw(expunge, " ");
		add_raw(expunge, expunge_set);
	}
	store->then = expunge;
	expunge->after = store;
	cmd_queue(c, store, NULL, false);
	cmd_queue(c, expunge, cb, true);
}

int
imap_cmd_uid_expunge_moved(struct imap_client *c, const char *uid_set,
    const struct imap_cmd_callbacks *cb)
{
	if (c->failed || !imap_uid_set_valid(uid_set) || !has_cap(c, IMAP_CAP_UIDPLUS))
		return -1;
	if (c->selected == NULL || !c->selected_rw)
		return -1;
	if (!proof_take(&c->moved, uid_set))
		return -1;
	(void)proof_take(&c->copied, uid_set);
	queue_expunge(c, uid_set, CMD_UID_EXPUNGE, uid_set, cb);
	return 0;
}

int
imap_cmd_purge_trash(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	if (c->failed || c->trash == NULL || c->selected == NULL || !c->selected_rw ||
	    strcmp(c->selected, c->trash) != 0)
		return -1;
	if (has_cap(c, IMAP_CAP_UIDPLUS))
		queue_expunge(c, "1:*", CMD_UID_EXPUNGE, "1:*", cb);
	else
		queue_expunge(c, "1:*", CMD_EXPUNGE, NULL, cb);
	return 0;
}

/* date-time of RFC 3501 §9, in UTC: "05-Jan-2024 09:30:00 +0000". */
static int
add_date(struct cmd *cmd, time_t date)
{
	struct tm tm;

	if (gmtime_r(&date, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999 || tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	buf_printf(&cmd->data, " \"%02d-%s-%04d %02d:%02d:%02d +0000\"", tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

/* flags may be NULL: the message gets no flags. */
int
imap_cmd_append(struct imap_client *c, const char *mailbox, const char *const *flags,
    time_t date, const void *message, size_t len, const struct imap_cmd_callbacks *cb)
{
	struct cmd *cmd;

	if (c->failed || message == NULL || memchr(message, '\0', len) != NULL)
		return -1;
	cmd = cmd_new(CMD_APPEND);
	if (add_arg_string(c, cmd, mailbox) != 0)
		return cmd_refuse(cmd);
	if (flags != NULL && add_flag_list(cmd, flags, false) != 0)
		return cmd_refuse(cmd);
	if (date != 0 && add_date(cmd, date) != 0)
		return cmd_refuse(cmd);
	add_raw(cmd, " ");
	add_literal(c, cmd, message, len);
	cmd_queue(c, cmd, cb, false);
	return 0;
}

int
imap_cmd_idle(struct imap_client *c, const struct imap_cmd_callbacks *cb)
{
	if (c->failed || !has_cap(c, IMAP_CAP_IDLE) || c->idle != NULL)
		return -1;
	cmd_queue(c, cmd_new(CMD_IDLE), cb, false);
	return 0;
}

void
imap_client_idle_done(struct imap_client *c)
{
	if (c->idle == NULL || c->idle_done_sent)
		return;
	if (c->idle_accepted)
		send_done(c);
	else
		c->idle_want_done = true;
}

bool
imap_client_idling(const struct imap_client *c)
{
	return c->idle != NULL && c->idle_accepted && !c->idle_done_sent;
}

void
imap_client_idle_rearm(struct imap_client *c)
{
	if (c->idle == NULL)
		return;
	c->idle_rearm = true;
	imap_client_idle_done(c);
}

char *
imap_result_text(enum imap_result result, const struct imap_response *tagged)
{
	char *text, *msg;

	if (result == IMAP_RESULT_LOST || tagged == NULL)
		return xstrdup("the connection was lost");
	text = safe_text_line(tagged->text, tagged->text_len, IMAP_RESULT_TEXT_MAX);
	msg = xasprintf("the server answered %s%s%s", result == IMAP_RESULT_OK ? "OK" :
	    result == IMAP_RESULT_NO ? "NO" : "BAD", text[0] != '\0' ? ": " : "", text);
	free(text);
	return msg;
}
