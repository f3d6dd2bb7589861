/* Unit tests for the IMAP client engine: the exact bytes every builder
 * sends (a fixed tag prefix makes them known), the refusals, pipelining,
 * literals and continuations, the dispatch of responses, the states that
 * guard the two expunge paths, IDLE, and what happens when the server
 * cannot be trusted any more. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "imap/imap-client.h"
#include "imap/imap-client-private.h"
#include "lib/buf.h"
#include "tap.h"

#define SEED 0x0badcafeu
#define T(n) "t0badcafe." #n

/* What the callbacks and handlers saw, one line per event. */
static struct buf ev;
/* Everything any ordinary builder sent, checked for forbidden words;
 * the tests of the two expunge paths leave it alone. */
static struct buf all_out;
static bool expunge_paths;

static const char *
result_name(enum imap_result r)
{
	switch (r) {
	case IMAP_RESULT_OK:
		return "OK";
	case IMAP_RESULT_NO:
		return "NO";
	case IMAP_RESULT_BAD:
		return "BAD";
	case IMAP_RESULT_LOST:
		return "LOST";
	}
	return "?";
}

static void
done_cb(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	buf_printf(&ev, "%s:%s", (const char *)ctx, result_name(result));
	if (tagged != NULL && tagged->text_len > 0)
		buf_printf(&ev, " %s", tagged->text);
	buf_addc(&ev, '\n');
}

static void
data_cb(void *ctx, const struct imap_response *r)
{
	const char *s = "?";

	imap_arg_get_atom(&r->args[0], &s);
	buf_printf(&ev, "%s:data %s %zu\n", (const char *)ctx, s, r->count);
}

static void
h_exists(void *ctx, uint32_t n)
{
	(void)ctx;
	buf_printf(&ev, "exists %u\n", n);
}

static void
h_expunge(void *ctx, uint32_t n)
{
	(void)ctx;
	buf_printf(&ev, "expunge %u\n", n);
}

static void
h_vanished(void *ctx, bool earlier, const char *set)
{
	(void)ctx;
	buf_printf(&ev, "vanished%s %s\n", earlier ? " earlier" : "", set);
}

static void
h_fetch(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	const char *s = "?";

	(void)ctx;
	if (count > 0)
		imap_arg_get_atom(&items[0], &s);
	buf_printf(&ev, "fetch %u %zu %s\n", seq, count, s);
}

static void
h_bye(void *ctx, const char *text)
{
	(void)ctx;
	buf_printf(&ev, "bye %s\n", text);
}

static void
h_alert(void *ctx, const char *text)
{
	(void)ctx;
	buf_printf(&ev, "alert %s\n", text);
}

static void
h_other(void *ctx, const struct imap_response *r)
{
	const char *s = "?";

	(void)ctx;
	imap_arg_get_atom(&r->args[0], &s);
	buf_printf(&ev, "other %s\n", s);
}

static const struct imap_client_handlers handlers = {
	h_exists, h_expunge, h_vanished, h_fetch, h_bye, h_alert, h_other, NULL
};

#define CB(name) (&(struct imap_cmd_callbacks){ done_cb, data_cb, (void *)(name) })
#define CB_NODATA(name) (&(struct imap_cmd_callbacks){ done_cb, NULL, (void *)(name) })

static struct imap_client *
client(unsigned caps)
{
	struct imap_client_settings s = { .tag_seed = SEED };
	struct imap_client *c = imap_client_create(&s, &handlers);

	imap_client_set_caps(c, caps);
	buf_reset(&ev);
	return c;
}

/* Checks the output is exactly want and consumes it. */
static void
out_is(struct imap_client *c, const char *want, const char *name)
{
	const void *p;
	size_t len;

	p = imap_client_output(c, &len);
	tap_is_mem(p, len, want, strlen(want), "%s: bytes sent", name);
	if (!expunge_paths)
		buf_add(&all_out, p, len);
	imap_client_output_consumed(c, len);
}

static void
ev_is(const char *want, const char *name)
{
	tap_is_str(buf_ptr(&ev), want, "%s: events", name);
	buf_reset(&ev);
}

static int
feed(struct imap_client *c, const char *s)
{
	return imap_client_input(c, s, strlen(s));
}

static int
feed_bytes(struct imap_client *c, const char *s)
{
	size_t i, len = strlen(s);
	int r = 0;

	for (i = 0; i < len && r == 0; i++)
		r = imap_client_input(c, s + i, 1);
	return r;
}

/* ---- builders: the exact bytes ---- */

static void
test_simple_builders(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_capability(c, CB("cap")), 0, "capability queued");
	tap_is_int(imap_cmd_noop(c, NULL), 0, "noop with no callbacks");
	tap_is_int(imap_cmd_namespace(c, CB("ns")), 0, "namespace queued");
	tap_is_int(imap_cmd_logout(c, CB("logout")), 0, "logout queued");
	out_is(c, T(1) " CAPABILITY\r\n" T(2) " NOOP\r\n" T(3) " NAMESPACE\r\n"
	    T(4) " LOGOUT\r\n", "simple commands");
	tap_is_int((long long)imap_client_pending(c), 4, "four pending");
	tap_ok(imap_client_waiting(c), "the server owes answers");
	imap_client_destroy(&c);
	tap_ok(c == NULL, "destroy clears the pointer");
}

static void
test_enable_id(void)
{
	struct imap_client *c = client(IMAP_CAP_ENABLE | IMAP_CAP_ID);
	const char *exts[] = { "CONDSTORE", "QRESYNC", NULL };
	const char *bad1[] = { "QR SYNC", NULL };
	const char *bad2[] = { "A(B", NULL };
	const char *bad3[] = { "X]", NULL };
	const char *bad4[] = { "caf\xc3\xa9", NULL };
	const char *empty[] = { NULL };
	const char *fields[] = { "name", "tern", "version", "0.1", NULL };
	const char *odd[] = { "name", NULL };

	tap_is_int(imap_cmd_enable(c, exts, CB("en")), 0, "enable queued");
	tap_is_int(imap_cmd_enable(c, bad1, NULL), -1, "enable: space refused");
	tap_is_int(imap_cmd_enable(c, bad2, NULL), -1, "enable: paren refused");
	tap_is_int(imap_cmd_enable(c, bad3, NULL), -1, "enable: bracket refused");
	tap_is_int(imap_cmd_enable(c, bad4, NULL), -1, "enable: 8-bit refused");
	tap_is_int(imap_cmd_enable(c, empty, NULL), -1, "enable: nothing refused");
	tap_is_int(imap_cmd_enable(c, NULL, NULL), -1, "enable: NULL refused");
	tap_is_int(imap_cmd_id(c, fields, CB("id")), 0, "id queued");
	tap_is_int(imap_cmd_id(c, NULL, NULL), 0, "id nil queued");
	tap_is_int(imap_cmd_id(c, odd, NULL), -1, "id: name without value refused");
	out_is(c, T(1) " ENABLE CONDSTORE QRESYNC\r\n"
	    T(2) " ID (\"name\" \"tern\" \"version\" \"0.1\")\r\n"
	    T(3) " ID NIL\r\n", "enable and id");

	tap_is_int(feed(c, "* ENABLED CONDSTORE QRESYNC\r\n" T(1) " OK Enabled\r\n"
	    "* ID (\"name\" \"Dovecot\")\r\n" T(2) " OK\r\n"
	    "* ID NIL\r\n" T(3) " OK\r\n"), 0, "answers parsed");
	ev_is("en:data ENABLED 3\nen:OK Enabled\nid:data ID 2\nid:OK\nother ID\n",
	    "enable and id data");
	imap_client_destroy(&c);
}

static void
test_list_status(void)
{
	struct imap_client *c = client(0);
	unsigned all = IMAP_STATUS_MESSAGES | IMAP_STATUS_UNSEEN | IMAP_STATUS_UIDNEXT |
	    IMAP_STATUS_UIDVALIDITY | IMAP_STATUS_HIGHESTMODSEQ | IMAP_STATUS_RECENT;

	tap_is_int(imap_cmd_list(c, "", "*", false, CB("list")), 0, "list queued");
	tap_is_int(imap_cmd_list(c, "", "*", true, NULL), -1,
	    "list special-use without SPECIAL-USE refused");
	tap_is_int(imap_cmd_list(c, NULL, "*", false, NULL), -1, "list NULL ref refused");
	tap_is_int(imap_cmd_status(c, "INBOX", all, NULL), -1,
	    "status HIGHESTMODSEQ without CONDSTORE refused");
	tap_is_int(imap_cmd_status(c, "INBOX", 0, NULL), -1, "status without items refused");
	tap_is_int(imap_cmd_status(c, "INBOX", 1u << 6, NULL), -1,
	    "status unknown item refused");
	tap_is_int(imap_cmd_status(c, NULL, IMAP_STATUS_UNSEEN, NULL), -1,
	    "status NULL mailbox refused");
	imap_client_set_caps(c, IMAP_CAP_SPECIAL_USE | IMAP_CAP_CONDSTORE);
	tap_is_int(imap_cmd_list(c, "", "*", true, CB("list2")), 0, "list special-use");
	tap_is_int(imap_cmd_status(c, "INBOX", all, CB("st")), 0, "status all items");
	tap_is_int(imap_cmd_status(c, "Sent", IMAP_STATUS_RECENT | IMAP_STATUS_MESSAGES,
	    CB_NODATA("st2")), 0, "status two items");
	tap_is_int(imap_cmd_create(c, "Archive/2024", CB("create")), 0, "create");
	tap_is_int(imap_cmd_create(c, NULL, NULL), -1, "create NULL refused");
	tap_is_int(imap_cmd_myrights(c, "Shared/team", CB("rights")), 0, "myrights");
	out_is(c, T(1) " LIST \"\" \"*\"\r\n"
	    T(2) " LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n"
	    T(3) " STATUS \"INBOX\" (MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ "
	    "RECENT)\r\n"
	    T(4) " STATUS \"Sent\" (MESSAGES RECENT)\r\n"
	    T(5) " CREATE \"Archive/2024\"\r\n"
	    T(6) " MYRIGHTS \"Shared/team\"\r\n", "list, status, create, myrights");

	tap_is_int(feed(c, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
	    "* LIST (\\HasNoChildren) \"/\" Sent\r\n" T(1) " OK\r\n"
	    "* LIST (\\Sent) \"/\" Sent\r\n" T(2) " OK\r\n"
	    "* STATUS INBOX (MESSAGES 3)\r\n" T(3) " OK\r\n"
	    "* STATUS Sent (MESSAGES 1)\r\n" T(4) " OK\r\n"
	    T(5) " NO [ALREADYEXISTS] Mailbox exists\r\n"
	    "* MYRIGHTS \"Shared/team\" lrs\r\n" T(6) " OK\r\n"), 0, "answers parsed");
	ev_is("list:data LIST 4\nlist:data LIST 4\nlist:OK\nlist2:data LIST 4\nlist2:OK\n"
	    "st:data STATUS 3\nst:OK\nother STATUS\nst2:OK\n"
	    "create:NO Mailbox exists\nrights:data MYRIGHTS 3\nrights:OK\n",
	    "list and status data go to their commands");
	tap_is_int((long long)imap_client_pending(c), 0, "nothing pending");
	tap_ok(!imap_client_waiting(c), "nothing owed");
	imap_client_destroy(&c);
}

static void
test_metadata(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_getmetadata(c, "Shared/team", "/shared/vendor/tern/x", NULL), -1,
	    "getmetadata without METADATA refused");
	tap_is_int(imap_cmd_getacl(c, "Shared/team", NULL), -1, "getacl without ACL refused");
	imap_client_set_caps(c, IMAP_CAP_METADATA);
	tap_is_int(imap_cmd_getmetadata(c, "Shared/team", "/vendor/x", NULL), -1,
	    "an entry outside /private and /shared refused");
	tap_is_int(imap_cmd_getmetadata(c, "Shared/team", "/shared/a b", NULL), -1,
	    "an entry with a space refused");
	tap_is_int(imap_cmd_getmetadata(c, "Shared/team", "/shared/a//b", NULL), -1,
	    "an entry with two slashes refused");
	tap_is_int(imap_cmd_getmetadata(c, "Shared/team", "/shared/a/", NULL), -1,
	    "an entry ending in a slash refused");
	tap_is_int(imap_cmd_setmetadata(c, "Shared/team", "/shared/*", "1", NULL), -1,
	    "a wildcard refused");
	tap_is_int(imap_cmd_getmetadata(c, "Shared/team", "/shared/vendor/tern/ack-since",
	    CB("get")), 0, "getmetadata");
	tap_is_int(imap_cmd_setmetadata(c, "Shared/team", "/shared/vendor/tern/ack-since",
	    "1700000000", CB("set")), 0, "setmetadata");
	tap_is_int(imap_cmd_setmetadata(c, "INBOX", "/private/vendor/tern/x", "a\r\nb",
	    CB("set2")), 0, "a value with CR LF goes as a literal");
	tap_is_int(imap_cmd_setmetadata(c, "INBOX", "/private/vendor/tern/x", NULL,
	    CB("del")), 0, "removing");
	out_is(c, T(1) " GETMETADATA \"Shared/team\" \"/shared/vendor/tern/ack-since\"\r\n"
	    T(2) " SETMETADATA \"Shared/team\" (\"/shared/vendor/tern/ack-since\" "
	    "\"1700000000\")\r\n"
	    T(3) " SETMETADATA \"INBOX\" (\"/private/vendor/tern/x\" {4}\r\n",
	    "the exact commands, up to the literal");
	tap_is_int(feed(c, "* METADATA \"Shared/team\" (/shared/vendor/tern/ack-since "
	    "\"1700000000\")\r\n" T(1) " OK\r\n" T(2) " OK\r\n"), 0, "answers parsed");
	ev_is("get:data METADATA 3\nget:OK\nset:OK\n", "METADATA data goes to its command");
	imap_client_destroy(&c);

	c = client(0);
	imap_client_set_caps(c, IMAP_CAP_ACL);
	tap_is_int(imap_cmd_getacl(c, "Shared/team", CB("acl")), 0, "getacl");
	out_is(c, T(1) " GETACL \"Shared/team\"\r\n", "the exact command");
	tap_is_int(feed(c, "* ACL \"Shared/team\" alice lrwstipekxa bob lrws\r\n"
	    T(1) " OK\r\n"), 0, "answer parsed");
	ev_is("acl:data ACL 6\nacl:OK\n", "ACL data goes to its command");
	imap_client_destroy(&c);
}

static void
test_lsub(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_lsub(c, "", "*", CB("lsub")), 0, "lsub queued");
	tap_is_int(imap_cmd_lsub(c, "", NULL, NULL), -1, "lsub NULL pattern refused");
	tap_is_int(imap_cmd_lsub(c, "", "Lists/%\"x", CB_NODATA("lsub2")), 0, "lsub quoting");
	out_is(c, T(1) " LSUB \"\" \"*\"\r\n" T(2) " LSUB \"\" \"Lists/%\\\"x\"\r\n",
	    "lsub: exact bytes");
	tap_is_int(feed(c, "* LSUB () \"/\" INBOX\r\n" T(1) " OK\r\n"
	    "* LSUB () \"/\" Lists/a\r\n" T(2) " OK\r\n"), 0, "lsub answers parsed");
	ev_is("lsub:data LSUB 4\nlsub:OK\nother LSUB\nlsub2:OK\n",
	    "lsub data goes to its command");
	imap_client_destroy(&c);
}

static void
test_select(void)
{
	struct imap_client *c = client(IMAP_CAP_UNSELECT);
	struct imap_select_params cs = { .condstore = true };
	struct imap_select_params qr = { .qresync_uidvalidity = 1712345678,
	    .qresync_modseq = 90210 };
	struct imap_select_params qru = { .qresync_uidvalidity = 7, .qresync_modseq = 5,
	    .qresync_uids = "1:100,200" };
	struct imap_select_params qrbad = { .qresync_uidvalidity = 7, .qresync_modseq = 5,
	    .qresync_uids = "1:100 200" };
	struct imap_select_params ex = { .read_only = true };

	tap_is_int(imap_cmd_select(c, "INBOX", &qrbad, NULL), -1, "select bad QRESYNC uids");
	tap_is_int(imap_cmd_select(c, NULL, NULL, NULL), -1, "select NULL refused");
	tap_is_int(imap_cmd_select(c, "INBOX", NULL, CB("s1")), 0, "select");
	out_is(c, T(1) " SELECT \"INBOX\"\r\n", "plain select");
	tap_ok(imap_client_selected(c) == NULL, "nothing selected before the OK");
	tap_is_int(feed(c, "* FLAGS (\\Seen \\Answered)\r\n* 3 EXISTS\r\n"
	    "* OK [UIDVALIDITY 7] UIDs valid\r\n"
	    T(1) " OK [READ-WRITE] Select completed\r\n"), 0, "select answered");
	ev_is("other FLAGS\nexists 3\nother OK\ns1:OK Select completed\n",
	    "select responses to the handlers");
	tap_is_str(imap_client_selected(c), "INBOX", "INBOX selected");
	tap_ok(imap_client_selected_rw(c), "read-write");

	tap_is_int(imap_cmd_select(c, "INBOX", &cs, CB("s2")), 0, "select condstore");
	tap_ok(imap_client_selected(c) == NULL, "queuing a select forgets the old one");
	tap_is_int(imap_cmd_select(c, "Lists/a", &qr, CB("s3")), 0, "select qresync");
	tap_is_int(imap_cmd_select(c, "Lists/b", &qru, CB("s4")), 0, "select qresync uids");
	tap_is_int(imap_cmd_select(c, "Archive", &ex, CB("s5")), 0, "examine");
	out_is(c, T(2) " SELECT \"INBOX\" (CONDSTORE)\r\n"
	    T(3) " SELECT \"Lists/a\" (QRESYNC (1712345678 90210))\r\n"
	    T(4) " SELECT \"Lists/b\" (QRESYNC (7 5 1:100,200))\r\n"
	    T(5) " EXAMINE \"Archive\"\r\n", "select variants");
	tap_is_int(feed(c, T(2) " OK\r\n" T(3) " OK\r\n" T(4) " OK\r\n"), 0,
	    "older selects answered");
	tap_ok(imap_client_selected(c) == NULL, "a late OK to an older select is ignored");
	tap_is_int(feed(c, T(5) " OK [READ-ONLY] Examine completed\r\n"), 0,
	    "examine answered");
	tap_is_str(imap_client_selected(c), "Archive", "Archive selected");
	tap_ok(!imap_client_selected_rw(c), "examine is read-only");
	buf_reset(&ev);

	tap_is_int(imap_cmd_select(c, "Shared", NULL, CB("s6")), 0, "select shared");
	tap_is_int(feed(c, T(6) " OK [READ-ONLY] Select completed\r\n"), 0, "answered");
	tap_is_str(imap_client_selected(c), "Shared", "Shared selected");
	tap_ok(!imap_client_selected_rw(c), "[READ-ONLY] makes it read-only");
	tap_is_int(imap_cmd_select(c, "Gone", NULL, CB("s7")), 0, "select missing");
	tap_is_int(feed(c, T(7) " NO [NONEXISTENT] No such mailbox\r\n"), 0, "NO");
	tap_ok(imap_client_selected(c) == NULL, "a failed select leaves nothing selected");
	tap_is_int(imap_cmd_select(c, "INBOX", NULL, NULL), 0, "select again");
	tap_is_int(imap_cmd_unselect(c, CB("u")), 0, "unselect");
	out_is(c, T(6) " SELECT \"Shared\"\r\n" T(7) " SELECT \"Gone\"\r\n"
	    T(8) " SELECT \"INBOX\"\r\n" T(9) " UNSELECT\r\n", "select and unselect");
	tap_is_int(feed(c, T(8) " OK\r\n" T(9) " OK\r\n"), 0, "answered");
	tap_ok(imap_client_selected(c) == NULL, "unselect leaves nothing selected");
	imap_client_set_caps(c, 0);
	tap_is_int(imap_cmd_unselect(c, NULL), -1, "unselect without UNSELECT refused");
	out_is(c, "", "nothing sent");
	imap_client_destroy(&c);
}

static void
test_fetch(void)
{
	struct imap_client *c = client(0);
	const char *fields[] = { "FROM", "TO", "List-Id", NULL };
	const char *badf[] = { "FROM TO", NULL };
	const char *badf2[] = { "X]", NULL };
	const char *nofields[] = { NULL };
	struct imap_fetch_params all = {
		.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE |
		    IMAP_FETCH_SIZE | IMAP_FETCH_ENVELOPE | IMAP_FETCH_BODYSTRUCTURE |
		    IMAP_FETCH_MODSEQ | IMAP_FETCH_HEADER | IMAP_FETCH_BODY,
		.header_fields = fields, .changedsince = 12345, .vanished = true,
	};
	struct imap_fetch_params flags = { .items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS };
	struct imap_fetch_params only_fields = { .header_fields = fields };
	struct imap_fetch_params p;

	tap_is_int(imap_cmd_uid_fetch(c, "1:*", &all, CB("f1")), 0, "fetch everything");
	tap_is_int(imap_cmd_uid_fetch(c, "4,7:9", &flags, CB("f2")), 0, "fetch flags");
	tap_is_int(imap_cmd_uid_fetch(c, "5", &only_fields, NULL), 0, "fetch header fields");
	out_is(c, T(1) " UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE "
	    "BODYSTRUCTURE MODSEQ BODY.PEEK[HEADER] BODY.PEEK[] "
	    "BODY.PEEK[HEADER.FIELDS (FROM TO List-Id)]) (CHANGEDSINCE 12345 VANISHED)\r\n"
	    T(2) " UID FETCH 4,7:9 (UID FLAGS)\r\n"
	    T(3) " UID FETCH 5 (BODY.PEEK[HEADER.FIELDS (FROM TO List-Id)])\r\n",
	    "fetch bytes");

	tap_is_int(imap_cmd_uid_fetch(c, "1 2", &flags, NULL), -1, "fetch: bad set");
	tap_is_int(imap_cmd_uid_fetch(c, NULL, &flags, NULL), -1, "fetch: NULL set");
	tap_is_int(imap_cmd_uid_fetch(c, "1", NULL, NULL), -1, "fetch: NULL params");
	p = flags;
	p.items = 0;
	tap_is_int(imap_cmd_uid_fetch(c, "1", &p, NULL), -1, "fetch: no items");
	p.items = 1u << 9;
	tap_is_int(imap_cmd_uid_fetch(c, "1", &p, NULL), -1, "fetch: unknown item");
	p = flags;
	p.vanished = true;
	tap_is_int(imap_cmd_uid_fetch(c, "1", &p, NULL), -1,
	    "fetch: VANISHED without CHANGEDSINCE");
	p = flags;
	p.header_fields = badf;
	tap_is_int(imap_cmd_uid_fetch(c, "1", &p, NULL), -1, "fetch: bad field name");
	p.header_fields = badf2;
	tap_is_int(imap_cmd_uid_fetch(c, "1", &p, NULL), -1, "fetch: bracket in a field");
	p.header_fields = nofields;
	tap_is_int(imap_cmd_uid_fetch(c, "1", &p, NULL), -1, "fetch: empty field list");
	out_is(c, "", "refused fetches send nothing");

	tap_is_int(feed(c, "* 1 FETCH (UID 4 FLAGS (\\Seen))\r\n"
	    "* VANISHED (EARLIER) 3:4,9\r\n* VANISHED 11\r\n* 2 EXPUNGE\r\n"
	    T(1) " OK\r\n" T(2) " OK\r\n" T(3) " OK\r\n"), 0, "answers");
	ev_is("fetch 1 4 UID\nvanished earlier 3:4,9\nvanished 11\nexpunge 2\n"
	    "f1:OK\nf2:OK\n", "fetch responses to the handlers");
	imap_client_destroy(&c);
}

static void
test_store_copy_move(void)
{
	struct imap_client *c = client(0);
	const char *flags[] = { "\\Seen", "$label", NULL };
	const char *del[] = { "\\Deleted", NULL };
	const char *del2[] = { "\\Seen", "\\deleted", NULL };
	const char *bad[] = { "a b", NULL };
	const char *bad2[] = { "\\", NULL };
	const char *bad3[] = { "\\*", NULL };
	const char *none[] = { NULL };

	tap_is_int(imap_cmd_uid_store(c, "1:3", IMAP_STORE_ADD, flags, 77, CB("st")), 0,
	    "store with unchangedsince");
	tap_is_int(imap_cmd_uid_store(c, "4", IMAP_STORE_REMOVE, flags, 0, NULL), 0,
	    "store remove");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_SET, none, 0, NULL), 0,
	    "store set no flags");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_ADD, del, 0, NULL), -1,
	    "store \\Deleted refused");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_SET, del2, 0, NULL), -1,
	    "store \\deleted in any case refused");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_ADD, bad, 0, NULL), -1,
	    "store bad keyword refused");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_ADD, bad2, 0, NULL), -1,
	    "store lone backslash refused");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_ADD, bad3, 0, NULL), -1,
	    "store \\* refused");
	tap_is_int(imap_cmd_uid_store(c, "0", IMAP_STORE_ADD, flags, 0, NULL), -1,
	    "store bad set refused");
	tap_is_int(imap_cmd_uid_store(c, "5", IMAP_STORE_ADD, NULL, 0, NULL), -1,
	    "store NULL flags refused");
	tap_is_int(imap_cmd_uid_store(c, "5", (enum imap_store_op)9, flags, 0, NULL), -1,
	    "store bad op refused");
	tap_is_int(imap_cmd_uid_copy(c, "1:3", "Archive", CB("cp")), 0, "copy");
	tap_is_int(imap_cmd_uid_copy(c, "1,,3", "Archive", NULL), -1, "copy bad set");
	tap_is_int(imap_cmd_uid_copy(c, "1", NULL, NULL), -1, "copy NULL mailbox");
	tap_is_int(imap_cmd_uid_move(c, "1:3", "Archive", NULL), -1, "move without MOVE");
	imap_client_set_caps(c, IMAP_CAP_MOVE);
	tap_is_int(imap_cmd_uid_move(c, "1:3", "Archive", CB("mv")), 0, "move with MOVE");
	out_is(c, T(1) " UID STORE 1:3 (UNCHANGEDSINCE 77) +FLAGS.SILENT (\\Seen $label)\r\n"
	    T(2) " UID STORE 4 -FLAGS.SILENT (\\Seen $label)\r\n"
	    T(3) " UID STORE 5 FLAGS.SILENT ()\r\n"
	    T(4) " UID COPY 1:3 \"Archive\"\r\n"
	    T(5) " UID MOVE 1:3 \"Archive\"\r\n", "store, copy, move bytes");
	tap_is_int(feed(c, T(1) " OK [MODIFIED 2] Conditional store failed\r\n"), 0,
	    "modified");
	ev_is("st:OK Conditional store failed\n", "MODIFIED comes as OK");
	imap_client_destroy(&c);
}

static void
test_append(void)
{
	struct imap_client *c = client(IMAP_CAP_LITERAL_PLUS);
	const char *flags[] = { "\\Seen", NULL };
	const char *del[] = { "\\Deleted", NULL };
	const char msg[] = "Subject: hi\r\n\r\nhello\r\n";
	time_t date = 1704447000;	/* 2024-01-05 09:30:00 UTC */

	tap_is_int(imap_cmd_append(c, "Sent", flags, date, msg, strlen(msg), CB("ap")), 0,
	    "append with LITERAL+");
	out_is(c, T(1) " APPEND \"Sent\" (\\Seen) \"05-Jan-2024 09:30:00 +0000\" {22+}\r\n"
	    "Subject: hi\r\n\r\nhello\r\n\r\n", "append bytes");
	tap_is_int(imap_cmd_append(c, "Sent", NULL, 0, "x", 1, NULL), 0,
	    "append without flags or date");
	out_is(c, T(2) " APPEND \"Sent\" {1+}\r\nx\r\n", "bare append");
	tap_is_int(imap_cmd_append(c, "Sent", NULL, 0, "a\0b", 3, NULL), -1,
	    "append NUL refused");
	tap_is_int(imap_cmd_append(c, "Sent", del, 0, "x", 1, NULL), -1,
	    "append \\Deleted refused");
	tap_is_int(imap_cmd_append(c, "Sent", NULL, 0, NULL, 0, NULL), -1,
	    "append NULL message refused");
	tap_is_int(imap_cmd_append(c, NULL, NULL, 0, "x", 1, NULL), -1,
	    "append NULL mailbox refused");

	/* Without LITERAL+: the message waits for the continuation. */
	imap_client_set_caps(c, 0);
	tap_is_int(imap_cmd_append(c, "Sent", flags, date, msg, strlen(msg), CB("ap2")), 0,
	    "append synchronising");
	tap_is_int(imap_cmd_noop(c, CB("noop")), 0, "noop behind it");
	out_is(c, T(3) " APPEND \"Sent\" (\\Seen) \"05-Jan-2024 09:30:00 +0000\" {22}\r\n",
	    "append stops after the literal size");
	tap_is_int(feed(c, "+ Ready for literal data\r\n"), 0, "continuation");
	out_is(c, "Subject: hi\r\n\r\nhello\r\n\r\n" T(4) " NOOP\r\n",
	    "literal, then the next command");
	tap_is_int(feed(c, "* 4 EXISTS\r\n"
	    T(3) " OK [APPENDUID 38505 3955] Append completed\r\n"
	    T(4) " OK\r\n"), 0, "answered");
	ev_is("exists 4\nap2:OK Append completed\nnoop:OK\n", "append done");
	imap_client_destroy(&c);
}

/* ---- argument encoding ---- */

static void
test_quoting(void)
{
	struct imap_client *c = client(0);
	char longname[1100];

	tap_is_int(imap_cmd_create(c, "a\"b\\c", NULL), 0, "quote and backslash");
	out_is(c, T(1) " CREATE \"a\\\"b\\\\c\"\r\n", "escaped in a quoted string");
	tap_is_int(imap_cmd_create(c, "caf\xc3\xa9", NULL), 0, "8-bit name");
	out_is(c, T(2) " CREATE {5}\r\n", "8-bit goes as a literal");
	tap_is_int(feed(c, "+ OK\r\n"), 0, "continuation");
	out_is(c, "caf\xc3\xa9\r\n", "literal bytes");

	imap_client_set_caps(c, IMAP_CAP_LITERAL_PLUS);
	tap_is_int(imap_cmd_create(c, "a\r\nb", NULL), 0, "CRLF in a name");
	out_is(c, T(3) " CREATE {4+}\r\na\r\nb\r\n", "CRLF goes as a literal (LITERAL+)");
	memset(longname, 'x', 1024);
	longname[1024] = '\0';
	tap_is_int(imap_cmd_create(c, longname, NULL), 0, "1024 bytes");
	{
		size_t len;
		const char *p = imap_client_output(c, &len);

		tap_ok(len == 1024 + strlen(T(4) " CREATE \"\"\r\n") && p[19] == '"',
		    "1024 bytes still quoted");
		imap_client_output_consumed(c, len);
	}
	memset(longname, 'x', 1025);
	longname[1025] = '\0';
	tap_is_int(imap_cmd_create(c, longname, NULL), 0, "1025 bytes");
	{
		size_t len;
		const char *p = imap_client_output(c, &len);
		const char *want = T(5) " CREATE {1025+}\r\n";

		tap_ok(len == strlen(want) + 1027 && memcmp(p, want, strlen(want)) == 0,
		    "1025 bytes go as a literal");
		imap_client_output_consumed(c, len);
	}

	/* LITERAL-: non-synchronising up to 4096 bytes only. */
	imap_client_set_caps(c, IMAP_CAP_LITERAL_MINUS);
	tap_is_int(imap_cmd_append(c, "A", NULL, 0, "xy", 2, NULL), 0, "small append");
	out_is(c, T(6) " APPEND \"A\" {2+}\r\nxy\r\n", "LITERAL- small");
	{
		char *big = malloc(5000);
		size_t len;
		const char *p;

		memset(big, 'm', 5000);
		tap_is_int(imap_cmd_append(c, "A", NULL, 0, big, 5000, NULL), 0, "big append");
		p = imap_client_output(c, &len);
		tap_is_mem(p, len, T(7) " APPEND \"A\" {5000}\r\n",
		    strlen(T(7) " APPEND \"A\" {5000}\r\n"), "LITERAL- big waits");
		imap_client_output_consumed(c, len);
		tap_is_int(feed(c, "+\r\n"), 0, "bare continuation");
		p = imap_client_output(c, &len);
		tap_ok(len == 5002 && p[0] == 'm' && memcmp(p + 5000, "\r\n", 2) == 0,
		    "big literal sent");
		imap_client_output_consumed(c, len);
		free(big);
	}
	imap_client_destroy(&c);
}

static void
test_literal_no(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_status(c, "a\nb", IMAP_STATUS_MESSAGES, CB("st")), 0, "status");
	tap_is_int(imap_cmd_noop(c, CB("noop")), 0, "noop");
	out_is(c, T(1) " STATUS {3}\r\n", "waits for the continuation");
	tap_ok(imap_client_waiting(c), "waiting for the server");
	tap_is_int(feed(c, T(1) " NO Literal refused\r\n"), 0, "NO instead of +");
	ev_is("st:NO Literal refused\n", "the command failed");
	out_is(c, T(2) " NOOP\r\n", "the rest dropped, the queue goes on");
	tap_is_int(feed(c, T(2) " OK\r\n"), 0, "noop answered");
	ev_is("noop:OK\n", "connection still usable");
	tap_is_int(feed(c, "+ go ahead\r\n"), -1, "a continuation nobody asked for");
	tap_ok(imap_client_error(c) != NULL && strstr(imap_client_error(c), "continuation"),
	    "error says why: %s", imap_client_error(c));
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_noop(c, CB("n1")), 0, "noop");
	tap_is_int(imap_cmd_noop(c, CB("n2")), 0, "noop");
	tap_is_int(feed(c, "+ \r\n"), -1, "unexpected continuation");
	ev_is("n1:LOST\nn2:LOST\n", "every pending command LOST");
	tap_is_int((long long)imap_client_pending(c), 0, "nothing pending");
	tap_is_int(imap_cmd_noop(c, NULL), -1, "no more commands");
	tap_is_int(feed(c, T(1) " OK\r\n"), -1, "input ignored after the error");
	imap_client_destroy(&c);
}

/* ---- pipelining and responses ---- */

static void
test_pipelining(void)
{
	struct imap_client *c = client(0);
	struct buf want, in;
	const void *p;
	size_t len;
	int i, ok = 1;

	buf_init(&want, 1 << 20);
	buf_init(&in, 1 << 20);
	for (i = 1; i <= 200; i++) {
		char name[32];

		snprintf(name, sizeof name, "box%d", i);
		if (imap_cmd_status(c, name, IMAP_STATUS_UNSEEN, CB("st")) != 0)
			ok = 0;
		buf_printf(&want, "t0badcafe.%d STATUS \"box%d\" (UNSEEN)\r\n", i, i);
		buf_printf(&in, "* STATUS box%d (UNSEEN %d)\r\nt0badcafe.%d OK\r\n", i, i, i);
	}
	tap_ok(ok, "200 status commands queued");
	p = imap_client_output(c, &len);
	tap_is_mem(p, len, buf_ptr(&want), buf_len(&want), "all 200 in one output");
	imap_client_output_consumed(c, len);
	tap_is_int((long long)imap_client_pending(c), 200, "200 pending");
	tap_is_int(imap_client_input(c, buf_ptr(&in), buf_len(&in)), 0, "200 answers");
	tap_is_int((long long)imap_client_pending(c), 0, "all done");
	{
		const char *e = buf_ptr(&ev);
		int n = 0;

		while ((e = strstr(e, "st:data STATUS 3\nst:OK\n")) != NULL) {
			n++;
			e++;
		}
		tap_is_int(n, 200, "each status got its data then its OK");
	}
	buf_free(&want);
	buf_free(&in);
	imap_client_destroy(&c);
}

static void
test_bytewise(void)
{
	struct imap_client *c = client(0);
	struct imap_fetch_params fp = { .items = IMAP_FETCH_BODY };

	tap_is_int(imap_cmd_uid_fetch(c, "7", &fp, CB("f")), 0, "fetch");
	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	out_is(c, T(1) " UID FETCH 7 (BODY.PEEK[])\r\n" T(2) " NOOP\r\n", "sent");
	tap_is_int(feed_bytes(c, "* OK [ALERT] Maintenance at noon\r\n"
	    "* 1 FETCH (UID 7 BODY[] {12}\r\nhello\r\nworld)\r\n"
	    T(1) " OK Fetch completed\r\n* 2 EXISTS\r\n" T(2) " BAD No\r\n"), 0,
	    "fed one byte at a time");
	ev_is("alert Maintenance at noon\nfetch 1 4 UID\nf:OK Fetch completed\n"
	    "exists 2\nn:BAD No\n", "same result as whole");
	tap_is_int(imap_cmd_noop(c, CB("n2")), 0, "usable after BAD");
	out_is(c, T(3) " NOOP\r\n", "next tag");
	tap_is_int(feed(c, T(3) " OK [ALERT] Quota nearly full\r\n"), 0, "tagged alert");
	ev_is("alert Quota nearly full\nn2:OK Quota nearly full\n", "alert on a tagged OK");
	imap_client_destroy(&c);
}

static void
test_forged_completion(void)
{
	struct imap_client *c = client(0);
	struct imap_fetch_params fp = { .items = IMAP_FETCH_BODY };

	tap_is_int(imap_cmd_uid_fetch(c, "1", &fp, CB("f")), 0, "fetch");
	out_is(c, T(1) " UID FETCH 1 (BODY.PEEK[])\r\n", "sent");
	tap_is_int(feed(c, "* 1 FETCH (BODY[] {30}\r\n" T(1) " OK fake\r\n"
	    "more text)\r\n"), 0, "a completion inside a literal");
	ev_is("fetch 1 2 BODY[]\n", "only the fetch data");
	tap_is_int((long long)imap_client_pending(c), 1, "the command is still pending");
	tap_is_int(feed(c, T(1) " OK real\r\n"), 0, "the real completion");
	ev_is("f:OK real\n", "completed once");
	imap_client_destroy(&c);
}

static void
test_unknown_tag(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	tap_is_int(imap_cmd_noop(c, CB("n2")), 0, "noop");
	tap_is_int(feed(c, T(1) " OK\r\n"), 0, "answered");
	tap_is_int(feed(c, T(1) " OK\r\n"), -1, "answered twice: unknown tag");
	tap_ok(imap_client_error(c) != NULL && strstr(imap_client_error(c), T(1)) != NULL,
	    "the error names the tag: %s", imap_client_error(c));
	ev_is("n:OK\nn2:LOST\n", "the rest LOST");
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	tap_is_int(feed(c, "x\x1b[31m\x7f OK\r\n"), -1, "tag with control bytes");
	tap_ok(imap_client_error(c) != NULL && strchr(imap_client_error(c), '\x1b') == NULL &&
	    strstr(imap_client_error(c), "x\\x1b[31m\\x7f") != NULL,
	    "the tag is made safe: %s", imap_client_error(c));
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_noop(c, NULL), 0, "noop");
	tap_is_int(feed(c, T(2) " OK\r\n"), -1, "a tag not yet used");
	imap_client_destroy(&c);

	c = client(0);
	{
		char tag[300];

		memset(tag, 'A', sizeof tag - 1);
		tag[sizeof tag - 1] = '\0';
		tap_is_int(feed(c, tag), 0, "long tag, partial");
		tap_is_int(feed(c, " OK\r\n"), -1, "long unknown tag");
		tap_ok(strlen(imap_client_error(c)) < 120, "the tag is truncated");
	}
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	tap_is_int(feed(c, T(1) " PREAUTH odd\r\n"), -1, "tagged PREAUTH");
	ev_is("n:LOST\n", "LOST");
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	tap_is_int(imap_client_input(c, "* \0\r\n", 5), -1, "parser error");
	tap_ok(imap_client_error(c) != NULL && strstr(imap_client_error(c), "NUL"),
	    "parser error reported: %s", imap_client_error(c));
	ev_is("n:LOST\n", "LOST");
	imap_client_destroy(&c);
}

static void
test_bye(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	tap_is_int(feed(c, "* BYE Server shutting down\r\n"), -1, "BYE ends the client");
	ev_is("bye Server shutting down\nn:LOST\n", "bye handler, then LOST");
	tap_ok(imap_client_error(c) != NULL && strstr(imap_client_error(c), "shutting"),
	    "error: %s", imap_client_error(c));
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_logout(c, CB("lo")), 0, "logout");
	out_is(c, T(1) " LOGOUT\r\n", "sent");
	tap_is_int(feed(c, "* BYE Logging out\r\n"), 0, "expected BYE");
	tap_ok(imap_client_error(c) == NULL, "no error");
	tap_is_int(feed(c, T(1) " OK Logout completed.\r\n"), 0, "logout OK");
	ev_is("bye Logging out\nlo:OK Logout completed.\n", "logout completes OK");
	imap_client_disconnected(c, "closed");
	ev_is("", "nothing left to lose");
	imap_client_destroy(&c);

	c = client(0);
	tap_is_int(imap_cmd_logout(c, CB("lo")), 0, "logout");
	tap_is_int(feed(c, "* BYE bye\r\n"), 0, "expected BYE");
	imap_client_disconnected(c, "the server closed the connection");
	ev_is("bye bye\nlo:LOST\n", "closed before the OK: LOST");
	tap_is_str(imap_client_error(c), "the server closed the connection", "error");
	imap_client_destroy(&c);
}

static void
test_capabilities(void)
{
	struct imap_client *c = client(0);

	tap_is_str(imap_cap_name(IMAP_CAP_LITERAL_PLUS), "LITERAL+", "name of LITERAL+");
	tap_is_str(imap_cap_name(IMAP_CAP_UTF8_ACCEPT), "UTF8=ACCEPT", "name of UTF8=ACCEPT");
	tap_is_str(imap_cap_name(IMAP_CAP_STATUS_SIZE), "STATUS=SIZE", "name of STATUS=SIZE");
	tap_ok(imap_cap_name((enum imap_cap)0) == NULL, "no name for 0");
	tap_ok(imap_cap_name((enum imap_cap)(IMAP_CAP_MOVE | IMAP_CAP_IDLE)) == NULL,
	    "no name for two bits");

	tap_is_int(feed(c, "* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE AUTH=PLAIN] ready\r\n"),
	    0, "greeting");
	tap_is_int(imap_client_caps(c), IMAP_CAP_IMAP4REV1 | IMAP_CAP_LITERAL_PLUS |
	    IMAP_CAP_IDLE, "caps from the greeting");
	ev_is("other OK\n", "greeting goes to other");
	tap_is_int(imap_cmd_noop(c, NULL), 0, "noop (as a login would)");
	tap_is_int(feed(c, T(1) " OK [CAPABILITY IMAP4rev1 uidplus Move] Logged in\r\n"), 0,
	    "tagged OK with capabilities");
	tap_is_int(imap_client_caps(c), IMAP_CAP_IMAP4REV1 | IMAP_CAP_UIDPLUS | IMAP_CAP_MOVE,
	    "a new list replaces the old, any case");
	tap_is_int(imap_cmd_capability(c, CB_NODATA("cap")), 0, "capability");
	tap_is_int(feed(c, "* CAPABILITY IMAP4rev2 CONDSTORE QRESYNC ENABLE ID NAMESPACE "
	    "UNSELECT SPECIAL-USE LITERAL- ACL COMPRESS=DEFLATE LIST-EXTENDED LIST-STATUS "
	    "UTF8=ACCEPT METADATA ESEARCH BINARY STATUS=SIZE X-UNKNOWN\r\n"
	    T(2) " OK\r\n"), 0, "capability response");
	tap_is_int(imap_client_caps(c), IMAP_CAP_IMAP4REV2 | IMAP_CAP_CONDSTORE |
	    IMAP_CAP_QRESYNC | IMAP_CAP_ENABLE | IMAP_CAP_ID | IMAP_CAP_NAMESPACE |
	    IMAP_CAP_UNSELECT | IMAP_CAP_SPECIAL_USE | IMAP_CAP_LITERAL_MINUS | IMAP_CAP_ACL |
	    IMAP_CAP_COMPRESS | IMAP_CAP_LIST_EXTENDED | IMAP_CAP_LIST_STATUS |
	    IMAP_CAP_UTF8_ACCEPT | IMAP_CAP_METADATA | IMAP_CAP_ESEARCH | IMAP_CAP_BINARY |
	    IMAP_CAP_STATUS_SIZE, "caps from CAPABILITY");
	tap_ok(imap_client_has(c, IMAP_CAP_ACL) && !imap_client_has(c, IMAP_CAP_MOVE),
	    "imap_client_has");
	ev_is("other CAPABILITY\ncap:OK\n", "without data callback it goes to other");
	imap_client_destroy(&c);
}

/* ---- the expunge paths ---- */

static void
select_rw(struct imap_client *c, const char *mailbox, unsigned *tag)
{
	char resp[64];

	imap_cmd_select(c, mailbox, NULL, NULL);
	snprintf(resp, sizeof resp, "t0badcafe.%u OK [READ-WRITE] done\r\n", (*tag)++);
	feed(c, resp);
	imap_client_output_consumed(c, SIZE_MAX);
}

static void
test_expunge_moved(void)
{
	struct imap_client *c = client(IMAP_CAP_UIDPLUS);
	unsigned tag = 1;

	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:3", CB("x")), -1,
	    "expunge_moved without anything selected");
	select_rw(c, "INBOX", &tag);
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:3", CB("x")), -1,
	    "expunge_moved without a proof");
	tap_is_int(imap_cmd_uid_copy(c, "1:3", "Archive", CB("cp")), 0, "copy");
	tap_is_int(imap_cmd_uid_copy(c, "8", "Archive", CB("cp2")), 0, "copy without COPYUID");
	out_is(c, T(2) " UID COPY 1:3 \"Archive\"\r\n" T(3) " UID COPY 8 \"Archive\"\r\n",
	    "copies sent");
	tap_is_int(feed(c, T(2) " OK [COPYUID 38505 1:3 100:102] Done\r\n"
	    T(3) " OK Done\r\n"), 0, "copied");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:2", CB("x")), -1,
	    "expunge_moved of another set");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "8", CB("x")), -1,
	    "expunge_moved without COPYUID");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1,,3", CB("x")), -1,
	    "expunge_moved bad set");
	imap_client_set_caps(c, 0);
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:3", CB("x")), -1,
	    "expunge_moved without UIDPLUS");
	imap_client_set_caps(c, IMAP_CAP_UIDPLUS);
	out_is(c, "", "nothing sent");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:3", CB("x")), 0, "expunge_moved");
	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop behind it");
	out_is(c, T(4) " UID STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n",
	    "only the STORE before its OK");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:3", CB("x")), -1,
	    "the proof is used up");
	tap_is_int(feed(c, T(4) " OK Store completed\r\n"), 0, "store OK");
	out_is(c, T(5) " UID EXPUNGE 1:3\r\n" T(6) " NOOP\r\n", "then the expunge");
	tap_is_int(feed(c, "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n"
	    T(5) " OK Expunge completed\r\n" T(6) " OK\r\n"), 0, "expunged");
	ev_is("cp:OK Done\ncp2:OK Done\nexpunge 1\nexpunge 1\nexpunge 1\n"
	    "x:OK Expunge completed\nn:OK\n", "events");

	/* A failed STORE: the expunge is never sent. */
	tap_is_int(imap_cmd_uid_copy(c, "5", "Archive", NULL), 0, "copy");
	tap_is_int(feed(c, T(7) " OK [COPYUID 38505 5 103] Done\r\n"), 0, "copied");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "5", CB("x")), 0, "expunge_moved");
	tap_is_int(imap_cmd_noop(c, CB("n")), 0, "noop");
	out_is(c, T(7) " UID COPY 5 \"Archive\"\r\n"
	    T(8) " UID STORE 5 +FLAGS.SILENT (\\Deleted)\r\n", "store sent");
	tap_is_int(feed(c, T(8) " NO Permission denied\r\n"), 0, "store NO");
	ev_is("x:NO Permission denied\n", "the caller gets the STORE's NO");
	out_is(c, T(10) " NOOP\r\n", "no expunge; the noop goes on");
	tap_is_int(feed(c, T(10) " OK\r\n"), 0, "noop OK");
	buf_reset(&ev);

	/* Proofs die with the selection, and need a read-write mailbox. */
	tap_is_int(imap_cmd_uid_copy(c, "6", "Archive", NULL), 0, "copy");
	tap_is_int(feed(c, T(11) " OK [COPYUID 38505 6 104] Done\r\n"), 0, "copied");
	tag = 12;
	select_rw(c, "INBOX", &tag);
	tap_is_int(imap_cmd_uid_expunge_moved(c, "6", CB("x")), -1,
	    "expunge_moved after a reselect");
	tap_is_int(imap_cmd_uid_copy(c, "7", "Archive", NULL), 0, "copy");
	tap_is_int(imap_cmd_select(c, "Other", NULL, NULL), 0, "select queued");
	tap_is_int(feed(c, T(13) " OK [COPYUID 38505 7 105] Done\r\n"), 0,
	    "copied, with a select queued behind");
	tap_is_int(feed(c, T(14) " OK [READ-ONLY] Done\r\n"), 0, "selected read-only");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "7", CB("x")), -1,
	    "expunge_moved with a proof from before the select");
	tap_is_int(imap_cmd_uid_copy(c, "9", "Archive", NULL), 0, "copy");
	tap_is_int(feed(c, T(15) " OK [COPYUID 38505 9 106] Done\r\n"), 0, "copied");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "9", CB("x")), -1,
	    "expunge_moved in a read-only mailbox");
	imap_client_output_consumed(c, SIZE_MAX);
	imap_client_destroy(&c);

	c = client(0);
	tag = 1;
	select_rw(c, "INBOX", &tag);
	tap_is_int(imap_cmd_uid_copy(c, "1", "Archive", NULL), 0, "copy without UIDPLUS");
	tap_is_int(feed(c, T(2) " OK [COPYUID 38505 1 100] Done\r\n"), 0, "copied");
	imap_client_set_caps(c, IMAP_CAP_UIDPLUS);
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1", CB("x")), -1,
	    "no proof when UIDPLUS was missing at the copy");
	imap_client_destroy(&c);
}

static void
test_purge_trash(void)
{
	struct imap_client *c = client(IMAP_CAP_UIDPLUS);
	struct imap_select_params ex = { .read_only = true };
	unsigned tag = 1;

	select_rw(c, "Trash", &tag);
	tap_is_int(imap_cmd_purge_trash(c, CB("p")), -1, "purge without a trash name");
	imap_client_set_trash(c, "Deleted Items");
	tap_is_int(imap_cmd_purge_trash(c, CB("p")), -1, "purge when not in the trash");
	imap_client_set_trash(c, "Trash");
	tap_is_int(imap_cmd_purge_trash(c, CB("p")), 0, "purge in the trash");
	out_is(c, T(2) " UID STORE 1:* +FLAGS.SILENT (\\Deleted)\r\n", "store first");
	tap_is_int(feed(c, T(2) " OK\r\n"), 0, "store OK");
	out_is(c, T(3) " UID EXPUNGE 1:*\r\n", "UID EXPUNGE with UIDPLUS");
	tap_is_int(feed(c, T(3) " OK Purged\r\n"), 0, "purged");
	ev_is("p:OK Purged\n", "done");

	imap_client_set_caps(c, 0);
	tap_is_int(imap_cmd_purge_trash(c, CB("p")), 0, "purge without UIDPLUS");
	out_is(c, T(4) " UID STORE 1:* +FLAGS.SILENT (\\Deleted)\r\n", "store first");
	tap_is_int(feed(c, T(4) " OK\r\n"), 0, "store OK");
	out_is(c, T(5) " EXPUNGE\r\n", "plain expunge without UIDPLUS");
	tap_is_int(feed(c, T(5) " OK\r\n"), 0, "purged");

	tap_is_int(imap_cmd_select(c, "Trash", &ex, NULL), 0, "examine the trash");
	tap_is_int(feed(c, T(6) " OK\r\n"), 0, "examined");
	tap_is_int(imap_cmd_purge_trash(c, CB("p")), -1, "purge of a read-only trash");
	imap_client_set_trash(c, NULL);
	imap_client_output_consumed(c, SIZE_MAX);
	imap_client_destroy(&c);
}

/* ---- the gate ---- */

/* Runs the gate in a child: true when it aborted. */
static bool
gate_aborts(const char *word, const char *fetch_text, bool may_expunge)
{
	pid_t pid;
	int status, fd;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return false;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, 2);
		imap_client_gate_check(word, fetch_text, may_expunge);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void
test_gate(void)
{
	tap_ok(gate_aborts("CLOSE", NULL, false), "gate: CLOSE aborts");
	tap_ok(gate_aborts("CLOSE", NULL, true), "gate: CLOSE aborts even for expunge paths");
	tap_ok(gate_aborts("EXPUNGE", NULL, false), "gate: EXPUNGE aborts");
	tap_ok(gate_aborts("UID EXPUNGE", NULL, false), "gate: UID EXPUNGE aborts");
	tap_ok(gate_aborts("FETCH", NULL, false), "gate: unknown word aborts");
	tap_ok(gate_aborts("UID FETCH", "t1 UID FETCH 1 (BODY[])", false),
	    "gate: BODY[] aborts");
	tap_ok(gate_aborts("UID FETCH", "t1 UID FETCH 1 (RFC822)", false),
	    "gate: RFC822 aborts");
	tap_ok(gate_aborts("UID FETCH", "t1 UID FETCH 1 (RFC822.HEADER)", false),
	    "gate: RFC822.HEADER aborts");
	tap_ok(gate_aborts("UID FETCH", "t1 UID FETCH 1 (BINARY[1])", false),
	    "gate: BINARY[] aborts");
	tap_ok(!gate_aborts("UID FETCH", "t1 UID FETCH 1 (RFC822.SIZE BODY.PEEK[])", false),
	    "gate: peeking fetch passes");
	tap_ok(!gate_aborts("UID EXPUNGE", NULL, true),
	    "gate: UID EXPUNGE from an entry point");
	tap_ok(!gate_aborts("EXPUNGE", NULL, true), "gate: EXPUNGE from an entry point");
	tap_ok(!gate_aborts("NOOP", NULL, false), "gate: NOOP passes");

	buf_addc(&all_out, '\0');
	tap_ok(strstr(buf_ptr(&all_out), "EXPUNGE") == NULL &&
	    strstr(buf_ptr(&all_out), "CLOSE") == NULL &&
	    strstr(buf_ptr(&all_out), "BODY[") == NULL &&
	    strstr(buf_ptr(&all_out), "RFC822 ") == NULL &&
	    strstr(buf_ptr(&all_out), "RFC822)") == NULL,
	    "no ordinary builder sent EXPUNGE, CLOSE or a seen-setting fetch");
}

/* ---- IDLE ---- */

static void
test_idle(void)
{
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_idle(c, CB("idle")), -1, "idle without IDLE");
	imap_client_set_caps(c, IMAP_CAP_IDLE);
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	tap_is_int(imap_cmd_idle(c, CB("idle")), -1, "a second idle refused");
	out_is(c, T(1) " IDLE\r\n", "IDLE sent");
	tap_ok(!imap_client_idling(c), "not idling before the continuation");
	tap_ok(imap_client_waiting(c), "waiting for the continuation");
	tap_is_int(feed(c, "+ idling\r\n"), 0, "continuation");
	tap_ok(imap_client_idling(c), "idling");
	tap_ok(!imap_client_waiting(c), "not waiting while idling");
	tap_is_int(feed(c, "* 4 EXISTS\r\n* 2 EXPUNGE\r\n"), 0, "news while idling");
	ev_is("exists 4\nexpunge 2\n", "news to the handlers");
	imap_client_idle_done(c);
	out_is(c, "DONE\r\n", "DONE");
	imap_client_idle_done(c);
	out_is(c, "", "DONE only once");
	tap_ok(!imap_client_idling(c), "not idling after DONE");
	tap_ok(imap_client_waiting(c), "waiting for the tagged OK");
	tap_is_int(feed(c, T(1) " OK Idle completed\r\n"), 0, "idle completed");
	ev_is("idle:OK Idle completed\n", "done called");
	tap_is_int((long long)imap_client_pending(c), 0, "nothing pending");

	/* DONE asked for before the continuation. */
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	out_is(c, T(2) " IDLE\r\n", "IDLE sent");
	imap_client_idle_done(c);
	out_is(c, "", "DONE waits for the continuation");
	tap_is_int(feed(c, "+ idling\r\n"), 0, "continuation");
	out_is(c, "DONE\r\n", "then DONE");
	tap_ok(!imap_client_idling(c), "not idling");
	tap_is_int(feed(c, T(2) " OK\r\n"), 0, "completed");
	ev_is("idle:OK\n", "done");

	/* A new command ends the IDLE and follows it. */
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	tap_is_int(feed(c, "+ idling\r\n"), 0, "continuation");
	tap_is_int(imap_cmd_noop(c, CB("noop")), 0, "noop while idling");
	out_is(c, T(3) " IDLE\r\nDONE\r\n", "DONE, the noop held");
	tap_is_int((long long)imap_client_pending(c), 2, "two pending");
	tap_is_int(feed(c, T(3) " OK\r\n"), 0, "idle completed");
	out_is(c, T(4) " NOOP\r\n", "then the noop");
	tap_is_int(feed(c, T(4) " OK\r\n"), 0, "noop done");
	ev_is("idle:OK\nnoop:OK\n", "both done");

	/* A command queued before the IDLE is accepted. */
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	tap_is_int(imap_cmd_noop(c, CB("noop")), 0, "noop right away");
	out_is(c, T(5) " IDLE\r\n", "the noop held");
	tap_is_int(feed(c, "+ idling\r\n"), 0, "continuation");
	out_is(c, "DONE\r\n", "DONE at once");
	tap_is_int(feed(c, T(5) " OK\r\n" ), 0, "completed");
	out_is(c, T(6) " NOOP\r\n", "noop");
	tap_is_int(feed(c, T(6) " OK\r\n"), 0, "noop done");
	ev_is("idle:OK\nnoop:OK\n", "both done");

	/* Re-arming. */
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	tap_is_int(feed(c, "+ idling\r\n"), 0, "continuation");
	out_is(c, T(7) " IDLE\r\n", "IDLE");
	imap_client_idle_rearm(c);
	out_is(c, "DONE\r\n", "rearm sends DONE");
	tap_is_int(feed(c, T(7) " OK\r\n"), 0, "first completed");
	out_is(c, T(8) " IDLE\r\n", "a fresh IDLE");
	ev_is("", "done not called");
	tap_is_int(feed(c, "+ idling\r\n"), 0, "continuation");
	tap_ok(imap_client_idling(c), "idling again");
	imap_client_idle_done(c);
	out_is(c, "DONE\r\n", "DONE");
	tap_is_int(feed(c, T(8) " OK\r\n"), 0, "completed");
	ev_is("idle:OK\n", "the callbacks carried over");

	/* The server refuses or ends the IDLE by itself. */
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	tap_is_int(feed(c, T(9) " BAD Not now\r\n"), 0, "IDLE refused");
	ev_is("idle:BAD Not now\n", "done with BAD");
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle");
	tap_is_int(feed(c, "+ idling\r\n" T(10) " OK Timeout\r\n"), 0,
	    "the server ends it");
	ev_is("idle:OK Timeout\n", "done");
	tap_ok(!imap_client_idling(c), "not idling");
	tap_is_int(feed(c, "+ idling\r\n"), -1, "a continuation after the IDLE");
	imap_client_output_consumed(c, SIZE_MAX);
	imap_client_destroy(&c);

	/* An IDLE queued behind a synchronising literal waits its turn. */
	c = client(IMAP_CAP_IDLE);
	tap_is_int(imap_cmd_create(c, "a\nb", CB("cr")), 0, "create with a literal");
	tap_is_int(imap_cmd_idle(c, CB("idle")), 0, "idle queued");
	tap_is_int(imap_cmd_noop(c, CB("noop")), 0, "noop queued after the idle");
	out_is(c, T(1) " CREATE {3}\r\n", "the literal waits");
	tap_is_int(feed(c, "+ go\r\n"), 0, "continuation for the literal");
	out_is(c, "a\nb\r\n" T(3) " NOOP\r\n" T(2) " IDLE\r\n",
	    "the noop goes before the waiting IDLE");
	tap_ok(!imap_client_idling(c), "IDLE not accepted yet");
	tap_is_int(feed(c, T(1) " OK\r\n" T(3) " OK\r\n+ idling\r\n"), 0, "answers");
	tap_ok(imap_client_idling(c), "idling");
	ev_is("cr:OK\nnoop:OK\n", "events");
	imap_client_disconnected(c, "network down");
	ev_is("idle:LOST\n", "the IDLE is LOST");
	tap_ok(!imap_client_idling(c), "not idling after the disconnection");
	imap_client_destroy(&c);
}

static void
test_disconnected(void)
{
	struct imap_client *c = client(IMAP_CAP_IDLE);

	tap_is_int(imap_cmd_noop(c, CB("a")), 0, "noop");
	tap_is_int(imap_cmd_create(c, "x\ry", CB("b")), 0, "create with literal");
	tap_is_int(imap_cmd_noop(c, CB("c")), 0, "noop held");
	tap_is_int((long long)imap_client_pending(c), 3, "three pending");
	imap_client_disconnected(c, "connection reset");
	ev_is("a:LOST\nb:LOST\nc:LOST\n", "all LOST, in order");
	tap_is_str(imap_client_error(c), "connection reset", "error");
	tap_is_int((long long)imap_client_pending(c), 0, "nothing pending");
	tap_ok(!imap_client_waiting(c), "not waiting");
	tap_is_int(feed(c, "* OK\r\n"), -1, "input refused");
	tap_is_int(imap_cmd_noop(c, NULL), -1, "builders refuse");
	imap_client_disconnected(c, "again");
	tap_is_str(imap_client_error(c), "connection reset", "the first reason stays");
	imap_client_output_consumed(c, SIZE_MAX);
	imap_client_destroy(&c);

	/* Pending commands are dropped on destroy without callbacks. */
	c = client(0);
	imap_cmd_noop(c, CB("d"));
	imap_client_destroy(&c);
	ev_is("", "destroy calls nothing");

	/* A random tag prefix when the seed is 0. */
	{
		struct imap_client *r1 = imap_client_create(NULL, NULL);
		struct imap_client *r2 = imap_client_create(NULL, NULL);
		const char *p1, *p2;
		size_t l1, l2;

		imap_cmd_noop(r1, NULL);
		imap_cmd_noop(r2, NULL);
		p1 = imap_client_output(r1, &l1);
		p2 = imap_client_output(r2, &l2);
		tap_ok(l1 == strlen(T(1) " NOOP\r\n") && p1[0] == 't' && p1[9] == '.',
		    "random tag has the form t%%08x.1: %.*s", (int)l1 - 2, p1);
		tap_ok(l1 == l2 && memcmp(p1, p2, l1) != 0, "two clients, two prefixes");
		imap_client_destroy(&r1);
		imap_client_destroy(&r2);
	}
}

static void
test_untagged_dispatch(void)
{
	struct imap_client *c = client(0);

	tap_is_int(feed(c, "* 3 RECENT\r\n* FLAGS (\\Seen)\r\n* NO [ALERT] Disk full\r\n"
	    "* BAD what\r\n* 0 EXISTS\r\n* 0 EXPUNGE\r\n* 5 FETCH FLAGS\r\n"
	    "* VANISHED (LATER) 1\r\n* LIST () \"/\" INBOX\r\n"
	    "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"), 0, "unsolicited responses");
	ev_is("other 3\nother FLAGS\nalert Disk full\nother BAD\nexists 0\nother 0\n"
	    "other 5\nother VANISHED\nother LIST\nother NAMESPACE\n",
	    "malformed or unsolicited go to other");
	tap_is_int(imap_cmd_namespace(c, CB("ns")), 0, "namespace");
	tap_is_int(feed(c, "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n" T(1) " OK\r\n"), 0,
	    "namespace answered");
	ev_is("ns:data NAMESPACE 4\nns:OK\n", "to the command");
	imap_client_destroy(&c);
}

static void
test_copyuid_parse(void)
{
	struct imap_copyuid cu;
	bool ok1 = false, ok2 = false, ok3 = true;
	uint32_t v1 = 0, v2 = 0;
	char src[32] = "", dst[32] = "", adst[32] = "";

	{
		struct imap_parser *p = imap_parser_create(NULL);
		const struct imap_response *r;
		const char *in = "a OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"
		    "b OK [APPENDUID 38505 3955] Done\r\n"
		    "c OK [COPYUID 0 1 2] Done\r\n"
		    "d OK Done\r\n";

		imap_parser_feed(p, in, strlen(in));
		if (imap_parser_next(p, &r) == 1 && (ok1 = imap_response_copyuid(r, &cu))) {
			v1 = cu.uidvalidity;
			snprintf(src, sizeof src, "%s", cu.source_uids);
			snprintf(dst, sizeof dst, "%s", cu.dest_uids);
			ok3 = imap_response_appenduid(r, &cu);
		}
		if (imap_parser_next(p, &r) == 1 && (ok2 = imap_response_appenduid(r, &cu))) {
			v2 = cu.uidvalidity;
			snprintf(adst, sizeof adst, "%s", cu.dest_uids);
			tap_ok(cu.source_uids == NULL, "APPENDUID has no source");
			tap_ok(!imap_response_copyuid(r, &cu), "APPENDUID is not COPYUID");
		}
		tap_ok(imap_parser_next(p, &r) == 1 && !imap_response_copyuid(r, &cu),
		    "COPYUID with uidvalidity 0 refused");
		tap_ok(imap_parser_next(p, &r) == 1 && !imap_response_copyuid(r, &cu) &&
		    !imap_response_appenduid(r, &cu), "no code, nothing");
		imap_parser_destroy(&p);
	}
	tap_ok(ok1 && v1 == 38505, "COPYUID parsed");
	tap_is_str(src, "304,319:320", "source uids");
	tap_is_str(dst, "3956:3958", "dest uids");
	tap_ok(!ok3, "COPYUID is not APPENDUID");
	tap_ok(ok2 && v2 == 38505, "APPENDUID parsed");
	tap_is_str(adst, "3955", "appended uid");
	tap_ok(!imap_response_copyuid(NULL, &cu), "NULL response");
}

static void
test_uid_sets(void)
{
	static const struct {
		const char *set;
		bool valid;
	} sets[] = {
		{ "1", true }, { "1:5", true }, { "3,7:*", true }, { "*", true },
		{ "*:4", true }, { "4294967295", true }, { "1,2,3", true },
		{ "", false }, { "0", false }, { "01", false }, { "1:0", false },
		{ "1 2", false }, { " 1", false }, { "1,", false }, { ",1", false },
		{ "1,,2", false }, { "1:", false }, { ":1", false }, { "1::2", false },
		{ "1:2:3", false }, { "4294967296", false }, { "a", false },
		{ "1-3", false }, { "**", false },
	};
	char *big;
	size_t i;

	for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
		tap_ok(imap_uid_set_valid(sets[i].set) == sets[i].valid, "uid set \"%s\" %s",
		    sets[i].set, sets[i].valid ? "valid" : "invalid");
	tap_ok(!imap_uid_set_valid(NULL), "NULL invalid");
	big = malloc(70000);
	for (i = 0; i + 2 < 70000; i += 2) {
		big[i] = '1';
		big[i + 1] = ',';
	}
	big[i] = '1';
	big[i + 1] = '\0';
	tap_ok(!imap_uid_set_valid(big), "over 64 KiB invalid");
	big[65535] = '\0';
	tap_ok(imap_uid_set_valid(big), "64 KiB valid");
	free(big);
}

static void
test_result_text(void)
{
	struct imap_client *c = client(0);
	struct imap_parser *p = imap_parser_create(NULL);
	const struct imap_response *r;
	char *text;
	static const char line[] = "t1 NO [ALERT] disk\033[2J full\r\n";

	imap_parser_feed(p, line, sizeof(line) - 1);
	tap_is_int(imap_parser_next(p, &r), 1, "result text: parsed");
	text = imap_result_text(IMAP_RESULT_NO, r);
	tap_is_str(text, "the server answered NO: disk\xe2\x90\x9b[2J full",
	    "result text: NO with the text made safe");
	free(text);
	text = imap_result_text(IMAP_RESULT_LOST, NULL);
	tap_is_str(text, "the connection was lost", "result text: lost");
	free(text);
	imap_parser_destroy(&p);
	imap_client_destroy(&c);
}

/* ---- UID SEARCH, its answers, Gmail labels, the copy fallback ---- */

static struct buf search_seen;

/* Which command an answer went to, and its last word (the UIDs). */
static void
search_data(void *ctx, const struct imap_response *r)
{
	const char *last = "";

	if (r->count > 1)
		imap_arg_get_atom(&r->args[r->count - 1], &last);
	buf_printf(&search_seen, "%s:%zu %s\n", (const char *)ctx, r->count, last);
}

#define SCB(name) (&(struct imap_cmd_callbacks){ done_cb, search_data, (void *)(name) })
#define N_ARGS(a) (sizeof(a) / sizeof((a)[0]))

static void
test_search(void)
{
	static const struct imap_search_arg prog[] = {
		{ IMAP_SEARCH_KEY, "UID", 0 }, { IMAP_SEARCH_UIDSET, "5:*", 0 },
		{ IMAP_SEARCH_KEY, "OR", 0 },
		{ IMAP_SEARCH_KEY, "FROM", 0 }, { IMAP_SEARCH_STRING, "bob \"b\"", 0 },
		{ IMAP_SEARCH_OPEN, NULL, 0 },
		{ IMAP_SEARCH_KEY, "UNSEEN", 0 },
		{ IMAP_SEARCH_KEY, "SINCE", 0 }, { IMAP_SEARCH_DATE, NULL, 20250107 },
		{ IMAP_SEARCH_CLOSE, NULL, 0 },
		{ IMAP_SEARCH_KEY, "NOT", 0 }, { IMAP_SEARCH_KEY, "KEYWORD", 0 },
		{ IMAP_SEARCH_FLAG, "status/done", 0 },
		{ IMAP_SEARCH_KEY, "LARGER", 0 }, { IMAP_SEARCH_NUMBER, NULL, 10240 },
		{ IMAP_SEARCH_KEY, "HEADER", 0 }, { IMAP_SEARCH_STRING, "List-Id", 0 },
		{ IMAP_SEARCH_STRING, "dev.example.org", 0 },
	};
	static const struct imap_search_arg utf8[] = {
		{ IMAP_SEARCH_KEY, "SUBJECT", 0 }, { IMAP_SEARCH_STRING, "Z\xc3\xbcrich", 0 },
	};
	static const struct imap_search_arg bad_key[] = {
		{ IMAP_SEARCH_KEY, "EXPUNGE", 0 },
	};
	static const struct imap_search_arg missing_arg[] = {
		{ IMAP_SEARCH_KEY, "FROM", 0 },
	};
	static const struct imap_search_arg wrong_arg[] = {
		{ IMAP_SEARCH_KEY, "KEYWORD", 0 }, { IMAP_SEARCH_FLAG, "two words", 0 },
	};
	static const struct imap_search_arg unbalanced[] = {
		{ IMAP_SEARCH_OPEN, NULL, 0 }, { IMAP_SEARCH_KEY, "ALL", 0 },
	};
	static const struct imap_search_arg empty_parens[] = {
		{ IMAP_SEARCH_OPEN, NULL, 0 }, { IMAP_SEARCH_CLOSE, NULL, 0 },
	};
	static const struct imap_search_arg bad_date[] = {
		{ IMAP_SEARCH_KEY, "BEFORE", 0 }, { IMAP_SEARCH_DATE, NULL, 20251301 },
	};
	static const struct imap_search_arg all[] = { { IMAP_SEARCH_KEY, "ALL", 0 } };
	struct imap_client *c = client(0);

	buf_init(&search_seen, 4096);
	tap_is_int(imap_cmd_uid_search(c, prog, N_ARGS(prog), SCB("s")), 0, "search queued");
	out_is(c, T(1) " UID SEARCH UID 5:* OR FROM \"bob \\\"b\\\"\" (UNSEEN SINCE 7-Jan-2025) "
	    "NOT KEYWORD status/done LARGER 10240 HEADER \"List-Id\" \"dev.example.org\"\r\n",
	    "search program");
	tap_is_int(feed(c, "* SEARCH 5 9 12\r\n" T(1) " OK done\r\n"), 0, "answered");
	tap_is_str(buf_ptr(&search_seen), "s:4 12\n", "SEARCH to its command");
	buf_reset(&search_seen);
	tap_is_int(imap_cmd_uid_search(c, utf8, N_ARGS(utf8), SCB("u")), 0, "8-bit search");
	out_is(c, T(2) " UID SEARCH CHARSET UTF-8 SUBJECT {7}\r\n", "a literal, after CHARSET");
	tap_is_int(imap_cmd_uid_search(c, bad_key, 1, NULL), -1, "unknown key refused");
	tap_is_int(imap_cmd_uid_search(c, missing_arg, 1, NULL), -1, "missing argument");
	tap_is_int(imap_cmd_uid_search(c, wrong_arg, 2, NULL), -1, "keyword not an atom");
	tap_is_int(imap_cmd_uid_search(c, unbalanced, 2, NULL), -1, "unbalanced");
	tap_is_int(imap_cmd_uid_search(c, empty_parens, 2, NULL), -1, "empty parentheses");
	tap_is_int(imap_cmd_uid_search(c, bad_date, 2, NULL), -1, "bad date");
	tap_is_int(imap_cmd_uid_search(c, all, 0, NULL), -1, "empty program");
	imap_client_destroy(&c);

	c = client(IMAP_CAP_ESEARCH);
	tap_is_int(imap_cmd_uid_search(c, all, 1, SCB("a")), 0, "esearch 1");
	tap_is_int(imap_cmd_uid_search(c, all, 1, SCB("b")), 0, "esearch 2");
	out_is(c, T(1) " UID SEARCH RETURN (ALL) ALL\r\n" T(2) " UID SEARCH RETURN (ALL) ALL\r\n",
	    "RETURN (ALL) with ESEARCH");
	/* Answers routed by their TAG, whatever their order. */
	tap_is_int(feed(c, "* ESEARCH (TAG \"" T(2) "\") UID ALL 7:9,20\r\n"
	    "* ESEARCH (TAG \"" T(1) "\") UID\r\n" T(1) " OK\r\n" T(2) " OK\r\n"), 0,
	    "esearch answers");
	tap_is_str(buf_ptr(&search_seen), "b:5 7:9,20\na:3 UID\n", "ESEARCH by tag");
	buf_free(&search_seen);
	imap_client_destroy(&c);
}

static void
test_gmail_labels(void)
{
	const char *labels[] = { "Work", "Z\xc3\xbcrich trip", NULL };
	const char *none[] = { NULL };
	struct imap_client *c = client(0);

	tap_is_int(imap_cmd_uid_store_labels(c, "1:3", IMAP_STORE_ADD, labels, NULL), -1,
	    "labels need X-GM-EXT-1");
	imap_client_set_caps(c, IMAP_CAP_X_GM_EXT_1 | IMAP_CAP_LITERAL_PLUS);
	tap_is_int(imap_cmd_uid_store_labels(c, "1:3", IMAP_STORE_ADD, labels, NULL), 0,
	    "add labels");
	tap_is_int(imap_cmd_uid_store_labels(c, "4", IMAP_STORE_REMOVE, labels, NULL), 0,
	    "remove labels");
	tap_is_int(imap_cmd_uid_store_labels(c, "4", IMAP_STORE_SET, labels, NULL), -1,
	    "no replacing all labels");
	tap_is_int(imap_cmd_uid_store_labels(c, "4", IMAP_STORE_ADD, none, NULL), -1,
	    "no empty list");
	out_is(c, T(1) " UID STORE 1:3 +X-GM-LABELS.SILENT (\"Work\" {12+}\r\nZ\xc3\xbcrich trip)\r\n"
	    T(2) " UID STORE 4 -X-GM-LABELS.SILENT (\"Work\" {12+}\r\nZ\xc3\xbcrich trip)\r\n",
	    "X-GM-LABELS stores");
	imap_client_destroy(&c);
}

static void
test_mark_copied(void)
{
	struct imap_client *c = client(0);
	unsigned tag = 1;

	tap_is_int(imap_cmd_uid_mark_copied(c, "1:3", NULL), -1, "nothing selected");
	select_rw(c, "INBOX", &tag);
	tap_is_int(imap_cmd_uid_mark_copied(c, "1:3", NULL), -1, "no copy yet");
	tap_is_int(imap_cmd_uid_copy(c, "1:3", "Archive", NULL), 0, "copy");
	tap_is_int(imap_cmd_uid_copy(c, "7", "Archive", NULL), 0, "copy that fails");
	out_is(c, T(2) " UID COPY 1:3 \"Archive\"\r\n" T(3) " UID COPY 7 \"Archive\"\r\n",
	    "copies");
	tap_is_int(imap_cmd_uid_mark_copied(c, "1:3", NULL), -1, "not before the OK");
	tap_is_int(feed(c, T(2) " OK Done\r\n" T(3) " NO Over quota\r\n"), 0, "answers");
	tap_is_int(imap_cmd_uid_mark_copied(c, "7", NULL), -1, "not after a NO");
	tap_is_int(imap_cmd_uid_mark_copied(c, "1:2", NULL), -1, "not another set");
	tap_is_int(imap_cmd_uid_mark_copied(c, "1:3", CB("m")), 0, "marked");
	tap_is_int(imap_cmd_uid_mark_copied(c, "1:3", NULL), -1, "proof used up");
	out_is(c, T(4) " UID STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n",
	    "only \\Deleted, no expunge");
	tap_is_int(imap_cmd_uid_expunge_moved(c, "1:3", NULL), -1, "and no expunge after it");
	imap_client_destroy(&c);
}

int
main(void)
{
	test_result_text();
	buf_init(&ev, 1 << 24);
	buf_init(&all_out, 1 << 26);
	test_simple_builders();
	test_enable_id();
	test_lsub();
	test_metadata();
	test_list_status();
	test_select();
	test_fetch();
	test_store_copy_move();
	test_append();
	test_quoting();
	test_literal_no();
	test_pipelining();
	test_bytewise();
	test_forged_completion();
	test_unknown_tag();
	test_bye();
	test_capabilities();
	expunge_paths = true;
	test_expunge_moved();
	test_purge_trash();
	test_mark_copied();
	expunge_paths = false;
	test_search();
	test_gmail_labels();
	test_idle();
	test_disconnected();
	test_untagged_dispatch();
	test_copyuid_parse();
	test_uid_sets();
	test_gate();
	buf_free(&ev);
	buf_free(&all_out);
	return tap_done();
}
