/* tern --fetch-pop: a POP3 mailbox into an IMAP folder, each message once,
 * DELE only after the message is safe on IMAP. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "cmd/cmd-action.h"
#include "cmd/cmd-bodies.h"
#include "cmd/cmd-fetchpop.h"
#include "cmd/cmd-send.h"
#include "cmd/cmd-sync.h"
#include "imap/imap-parser.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/date.h"
#include "mime/rfc5322.h"
#include "pop3/pop3.h"
#include "sync/sync-parse.h"

/* A mailbox with more messages than this is refused, not half read. */
#define FETCHPOP_MESSAGES_MAX 1000000u
/* What the state remembers of a message. */
enum fetchpop_state {
	FETCHPOP_NEW,		/* nothing */
	FETCHPOP_PENDING,	/* an APPEND was sent; its answer may be lost */
	FETCHPOP_APPENDED,	/* tern put it in the folder: it may go from POP3 */
	FETCHPOP_PRESENT,	/* a copy was there before: kept on POP3, since that
				 * copy may be this very message (a mailbox that is
				 * both the POP3 and the IMAP one) */
};
static const char *const fetchpop_state_words[] = { "", "pending", "appended", "present" };

struct fetchpop {
	const struct conf_account *src;
	struct pop3 *pop;
	struct cmd_imap *session;
	struct cmd_apply *ap;
	struct cache *cache;
	const char *folder;
	const char *host;		/* of the POP3 server, for messages */
	char *wire;
	char *prefix;			/* state names: "pop3/USER@HOST/" */
	bool delete;
	struct cmd_fetchpop_stats *stats;
	/* Ids whose RETR was refused this run: not asked for again when a
	 * new session lists them (curl ends the session at each refusal). */
	char (*refused)[POP3_UIDL_MAX + 1];
	size_t nrefused;
	unsigned dele_session;		/* where stats->deleted were marked */
	size_t imported_before;		/* by the passes before this one */
};

static bool
fetchpop_refused_before(const struct fetchpop *f, const char *uidl)
{
	for (size_t i = 0; i < f->nrefused; i++)
		if (strcmp(f->refused[i], uidl) == 0)
			return true;
	return false;
}

/* ---- what was imported, in the destination's cache ---- */

static char *
fetchpop_state_name(const struct fetchpop *f, const char *key)
{
	return xasprintf("%s%s", f->prefix, key);
}

/* FETCHPOP_NEW also when there is no cache. */
static enum fetchpop_state
fetchpop_state_get(const struct fetchpop *f, const char *key)
{
	char *name, *val = NULL, *error = NULL;
	enum fetchpop_state r = FETCHPOP_NEW;
	size_t len;

	if (f->cache == NULL)
		return FETCHPOP_NEW;
	name = fetchpop_state_name(f, key);
	if (cache_state_get(f->cache, name, &val, &len, &error) == 1) {
		for (size_t i = FETCHPOP_PENDING; i <= FETCHPOP_PRESENT; i++)
			if (len == strlen(fetchpop_state_words[i]) &&
			    memcmp(val, fetchpop_state_words[i], len) == 0)
				r = (enum fetchpop_state)i;
	} else if (error != NULL) {
		log_warn("%s", error);
	}
	free(error);
	free(val);
	free(name);
	return r;
}

static void
fetchpop_state_put(const struct fetchpop *f, const char *key, enum fetchpop_state state)
{
	const char *what = fetchpop_state_words[state];
	char *name, *error = NULL;

	if (f->cache == NULL)
		return;
	name = fetchpop_state_name(f, key);
	if (cache_state_put(f->cache, name, what, strlen(what), &error) != 0) {
		/* Only a memory: the folder search still finds the copy. */
		log_warn("%s", error);
		free(error);
	}
	free(name);
}

/* ---- one message ---- */

/* What the header says: the Message-ID, the Date text, and when the
 * message arrived: the date of the topmost Received: (after its last
 * ';'), else the Date:, else 0 (the server's clock). */
struct fetchpop_header {
	char *message_id;
	char *date_text;
	time_t when;
};

static void
fetchpop_header_read(const struct buf *msg, struct fetchpop_header *h)
{
	struct rfc5322_header *hdr = rfc5322_header_create(buf_ptr(msg), buf_len(msg));
	const struct rfc5322_field *fld;
	struct buf v;
	time_t t;

	memset(h, 0, sizeof(*h));
	buf_init(&v, RFC5322_FIELD_MAX);
	if ((fld = rfc5322_header_find(hdr, "Message-ID")) != NULL) {
		struct rfc5322_msgid_list *ids = rfc5322_msgid_parse(fld->value, fld->value_len);

		if (ids != NULL && ids->count > 0)
			h->message_id = xstrdup(ids->ids[0]);
		rfc5322_msgid_list_destroy(&ids);
	}
	if ((fld = rfc5322_header_find(hdr, "Date")) != NULL &&
	    rfc5322_unfold(fld->value, fld->value_len, &v) == 0) {
		(void)buf_addc(&v, '\0');
		h->date_text = xstrdup(buf_ptr(&v));
		if (date_parse(h->date_text, strlen(h->date_text), &t, NULL) == 0)
			h->when = t;
	}
	buf_reset(&v);
	if ((fld = rfc5322_header_find(hdr, "Received")) != NULL &&
	    rfc5322_unfold(fld->value, fld->value_len, &v) == 0) {
		const char *s = buf_ptr(&v);
		size_t n = buf_len(&v);

		while (n > 0 && s[n - 1] != ';')
			n--;
		if (n > 0 && date_parse(s + n, buf_len(&v) - n, &t, NULL) == 0)
			h->when = t;
	}
	buf_free(&v);
	rfc5322_header_destroy(&hdr);
}

static void
fetchpop_header_free(struct fetchpop_header *h)
{
	free(h->message_id);
	free(h->date_text);
}

/* Whether a copy of the message is in the folder already. 1 yes, 0 no,
 * -1 the connection was lost (*error_r). A search the server refused
 * counts as "no": the APPEND still happens, a duplicate is better than a
 * lost message. */
static int
fetchpop_has_copy(struct fetchpop *f, const struct fetchpop_header *h, size_t size,
    uint32_t *uid_r, char **error_r)
{
	struct sync_uids found;
	char *why = NULL;
	int r;

	sync_uids_init(&found);
	r = cmd_apply_find_copy(f->ap, h->message_id, size, h->date_text, &found, &why);
	if (r != 0) {
		if (!cmd_imap_alive(f->session)) {
			*error_r = why;
			sync_uids_free(&found);
			return -1;
		}
		log_warn("%s", why);
		free(why);
	}
	r = found.n > 0;
	*uid_r = r ? found.v[0] : 0;
	sync_uids_free(&found);
	return r;
}

/* Whether the folder's message uid is msg byte for byte, in a folder
 * other than INBOX (the one folder a POP3 server serves). 1 yes, 0 no
 * (or it cannot tell), -1 the connection was lost (*error_r). */
static int
fetchpop_same_bytes(struct fetchpop *f, uint32_t uid, const struct buf *msg,
    char **error_r)
{
	struct buf copy;
	char *error = NULL;
	int r;

	if (uid == 0 || str_casecmp(f->folder, "INBOX") == 0)
		return 0;
	buf_init(&copy, (size_t)IMAP_PARSER_LITERAL_MAX);
	r = cmd_fetch_message(f->session, uid, &copy, &error);
	if (r < 0) {
		*error_r = error;
		buf_free(&copy);
		return -1;
	}
	r = r == 0 && buf_len(&copy) == buf_len(msg) &&
	    memcmp(buf_ptr(&copy), buf_ptr(msg), buf_len(msg)) == 0;
	free(error);
	buf_free(&copy);
	return r;
}

/* The list must be made again (a new POP3 session). */
#define FETCHPOP_RELIST 2
/* How often a run lists the mailbox again before it gives up. */
#define FETCHPOP_RELISTS_MAX 5

/* Makes sure list->v[i] is in the folder: 0, with *ours_r true when tern
 * appended it (now or in an earlier run), so that it may be deleted from
 * POP3; 1 (refused; counted as failed), FETCHPOP_RELIST, -1 lost. */
static int
fetchpop_one(struct fetchpop *f, const struct pop3_list *list, size_t i, bool *ours_r,
    char **error_r)
{
	const struct pop3_msg *m = &list->v[i];
	char content_key[POP3_CONTENT_KEY_SIZE], *why = NULL;
	const char *key = list->have_uidl ? m->uidl : NULL;
	enum fetchpop_state state = FETCHPOP_NEW;
	struct fetchpop_header h;
	struct buf msg;
	uint32_t copy_uid = 0;
	int r;

	*ours_r = false;
	if (key != NULL) {
		state = fetchpop_state_get(f, key);
		/* A copy found before may prove an exact one now that deleting
		 * is asked for: looked at again. */
		if (state == FETCHPOP_PRESENT && f->delete && str_casecmp(f->folder, "INBOX") != 0)
			state = FETCHPOP_NEW;
		if (state == FETCHPOP_APPENDED || state == FETCHPOP_PRESENT) {
			*ours_r = state == FETCHPOP_APPENDED;
			f->stats->there++;
			return 0;
		}
		if (fetchpop_refused_before(f, key)) {
			f->stats->failed++;
			return 1;
		}
	}
	buf_init(&msg, (size_t)IMAP_PARSER_LITERAL_MAX);
	r = pop3_retr(f->pop, m, &msg, &why);
	if (list->have_uidl && pop3_session(f->pop) != list->session) {
		/* curl connected again: in the new session number m->num may
		 * be another message, so what came is not trusted. */
		free(why);
		buf_free(&msg);
		return FETCHPOP_RELIST;
	}
	if (r != 0) {
		if (r == POP3_LOST) {
			*error_r = why;
			buf_free(&msg);
			return -1;
		}
		log_warn("message %" PRIu32 " of the POP3 mailbox: %s", m->num, why);
		free(why);
		buf_free(&msg);
		f->stats->failed++;
		if (key != NULL) {
			f->refused = xreallocarray(f->refused, f->nrefused + 1, sizeof(*f->refused));
			strcpy(f->refused[f->nrefused++], key);
		}
		return 1;
	}
	if (key == NULL) {
		pop3_content_key(buf_ptr(&msg), buf_len(&msg), content_key);
		key = content_key;
		state = fetchpop_state_get(f, key);
		if (state == FETCHPOP_APPENDED || state == FETCHPOP_PRESENT) {
			f->stats->there++;
			buf_free(&msg);
			return 0;
		}
	}
	fetchpop_header_read(&msg, &h);
	/* With a Message-ID the folder always tells; without one only after
	 * an APPEND whose answer was lost (size and Date then). */
	r = 0;
	if (h.message_id != NULL || state == FETCHPOP_PENDING)
		r = fetchpop_has_copy(f, &h, buf_len(&msg), &copy_uid, error_r);
	if (r == 0) {
		/* Written first: if the answer is lost, the copy found next
		 * time is known to be ours. */
		fetchpop_state_put(f, key, FETCHPOP_PENDING);
		r = cmd_append(f->session, f->wire, f->folder, NULL, h.when, buf_ptr(&msg),
		    buf_len(&msg), &why, error_r);
		if (r == 1) {
			log_warn("message %" PRIu32 " of the POP3 mailbox: %s", m->num, why);
			free(why);
			f->stats->failed++;
		} else if (r == 0) {
			f->stats->imported++;
			fetchpop_state_put(f, key, FETCHPOP_APPENDED);
			*ours_r = true;
		}
	} else if (r == 1) {
		/* A copy sent by an earlier run whose answer was lost is ours;
		 * so is an exact copy in a folder POP3 does not serve (a run
		 * whose memory was lost put it there). Any other copy may be
		 * this very message, read over IMAP: not ours. */
		r = state == FETCHPOP_PENDING ? 1 :
		    f->delete ? fetchpop_same_bytes(f, copy_uid, &msg, error_r) : 0;
		if (r >= 0) {
			*ours_r = r == 1;
			f->stats->there++;
			fetchpop_state_put(f, key, *ours_r ? FETCHPOP_APPENDED : FETCHPOP_PRESENT);
			r = 0;
		}
	}
	fetchpop_header_free(&h);
	buf_free(&msg);
	return r;
}

/* ---- the mailbox ---- */

/* Selects the folder, creating it when it is missing. */
static int
fetchpop_open_folder(struct fetchpop *f, char **error_r)
{
	uint32_t uidvalidity, uidnext;
	char *why = NULL;
	int r;

	if (cmd_apply_open(f->ap, f->folder, &uidvalidity, &uidnext, &why) == 0)
		return 0;
	if (!cmd_imap_alive(f->session)) {
		*error_r = why;
		return -1;
	}
	free(why);
	why = NULL;
	if ((r = cmd_folder_create(f->session, f->wire, f->folder, &why, error_r)) < 0)
		return -1;
	if (r == 0 && cmd_apply_open(f->ap, f->folder, &uidvalidity, &uidnext, &why) == 0)
		return 0;
	*error_r = why;
	return cmd_imap_alive(f->session) ? 1 : -1;
}

/* One pass over the mailbox as one POP3 session lists it: 0, 1 (some
 * failed), FETCHPOP_RELIST or -1 (lost). */
static int
fetchpop_pass(struct fetchpop *f, struct pop3_list *list, char **error_r)
{
	struct cmd_fetchpop_stats *stats = f->stats;
	size_t i;
	int r, ret = 0;

	pop3_list_free(list);
	if ((r = pop3_list(f->pop, FETCHPOP_MESSAGES_MAX, list, error_r)) != 0)
		return r == POP3_LOST ? -1 : 1;
	/* DELE marks of an earlier session were dropped with it. */
	f->imported_before = stats->imported;
	stats->there = 0;
	stats->deleted = 0;
	stats->failed = 0;
	if (!list->have_uidl && list->count > 0 && f->delete) {
		log_warn("account '%s': POP3 server %s has no UIDL, so tern cannot tell its "
		    "messages apart from one session to the next: nothing is deleted from it "
		    "(pop3-delete=yes is not honoured)", conf_account_name(f->src),
		    f->host);
		ret = 1;
	}
	for (i = 0; i < list->count; i++) {
		bool ours;

		r = fetchpop_one(f, list, i, &ours, error_r);
		if (r < 0 || r == FETCHPOP_RELIST)
			return r;
		if (r > 0) {
			ret = 1;
			continue;
		}
		if (!f->delete || !list->have_uidl || !ours)
			continue;
		/* Put on IMAP by tern, confirmed: now, and only now, DELE, on
		 * the session that listed the message. */
		if (pop3_session(f->pop) != list->session)
			return FETCHPOP_RELIST;
		r = pop3_dele(f->pop, list, i, error_r);
		if (r == POP3_LOST)
			return pop3_session(f->pop) != list->session ? FETCHPOP_RELIST : -1;
		if (r != 0) {
			log_warn("%s", *error_r);
			free(*error_r);
			*error_r = NULL;
			ret = 1;
			continue;
		}
		stats->deleted++;
		f->dele_session = list->session;
	}
	return ret;
}

int
cmd_fetch_pop(const struct conf *conf, const struct conf_account *src,
    const struct cmd_login_secret *secret, struct cmd_imap *session,
    const struct conf_account *dst, struct cache *cache, const char *folder,
    struct cmd_fetchpop_stats *stats, char **error_r)
{
	struct fetchpop f;
	struct net_conn_params p;
	struct pop3_list list;
	int r, ret = 0, relists = 0;

	memset(stats, 0, sizeof(*stats));
	memset(&f, 0, sizeof(f));
	memset(&list, 0, sizeof(list));
	*error_r = NULL;
	f.src = src;
	f.session = session;
	f.cache = cache;
	f.folder = folder;
	f.stats = stats;
	f.delete = conf_account_pop3_delete(src);
	if (cmd_login_params(conf, src, CONF_PROTO_POP3, secret, &p, error_r) != 0)
		return 1;
	/* The mailbox is the user on the host, whichever port (a proxy, a
	 * move from 110 to 995) leads there. */
	f.prefix = xasprintf("pop3/%s@%s/", p.user != NULL ? p.user : "", p.host);
	f.host = p.host;
	f.wire = cmd_folder_wire_name(folder, cmd_imap_delimiter(session));
	f.ap = cmd_apply_create(session, conf, dst, cache, false, stderr);
	cmd_apply_set_silent(f.ap, true);
	if ((r = fetchpop_open_folder(&f, error_r)) != 0) {
		ret = r;
		goto out;
	}
	if ((r = pop3_open(&p, &f.pop, error_r)) != 0) {
		ret = -1;
		goto out;
	}
	for (;;) {
		r = fetchpop_pass(&f, &list, error_r);
		if (r != FETCHPOP_RELIST)
			break;
		/* What this run imported is listed again as already there. */
		if (++relists > FETCHPOP_RELISTS_MAX) {
			*error_r = xasprintf("account '%s': POP3 server %s closed the connection %d "
			    "times", conf_account_name(src), p.host, relists);
			r = -1;
			break;
		}
	}
	ret = r;
	/* A pass finds what earlier passes imported "already there". */
	stats->there -= stats->there >= f.imported_before ? f.imported_before : stats->there;
	/* DELE marks count only if their session reaches QUIT: a lost one
	 * deleted nothing, and the next run marks them again. */
	if (stats->deleted > 0 &&
	    (pop3_session(f.pop) != f.dele_session || !pop3_alive(f.pop)))
		stats->deleted = 0;
out:
	pop3_list_free(&list);
	/* QUIT: the server removes what DELE marked. */
	pop3_close(&f.pop);
	cmd_apply_destroy(&f.ap);
	free(f.wire);
	free(f.prefix);
	free(f.refused);
	return ret;
}
