/* A POP3 mailbox as the INBOX of the header cache. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "cache/index.h"
#include "cmd/cmd-pop3sync.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/envelope.h"
#include "pop3/pop3.h"
#include "sync/sync-parse.h"

/* A header longer than this is cut (TOP n 0 of a hostile server). */
#define POP3SYNC_HEADER_MAX (1024 * 1024)
#define POP3SYNC_MESSAGES_MAX 1000000u

/* The cache-state name that maps a message to its local UID. */
static char *
pop3sync_name(const char *prefix, const char *key)
{
	return xasprintf("%s%s", prefix, key);
}

static uint32_t
pop3sync_uid_get(struct cache *cache, const char *name)
{
	char *val = NULL, *error = NULL, text[12];
	size_t len;
	uint64_t uid = 0;

	if (cache_state_get(cache, name, &val, &len, &error) == 1 && len > 0 &&
	    len < sizeof(text)) {
		memcpy(text, val, len);
		text[len] = '\0';
		if (str_to_u64(text, UINT32_MAX, &uid) != 0)
			uid = 0;
	}
	free(val);
	free(error);
	return (uint32_t)uid;
}

static void
pop3sync_put(struct index *idx, uint32_t uid, uint64_t size, const struct buf *header,
    const char *fallback)
{
	struct index_msg_in m;
	struct envelope env;

	envelope_parse(buf_ptr(header), buf_len(header), fallback, &env);
	memset(&m, 0, sizeof(m));
	m.uid = uid;
	/* POP3 knows no arrival time: when tern first saw it. */
	m.internaldate = (int64_t)time(NULL);
	m.size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	sync_envelope_fill(&m, &env);
	index_put(idx, &m);
	envelope_free(&env);
}

struct pop3sync_keep {
	uint32_t *uids;			/* sorted */
	size_t n;
};

static int
pop3sync_uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool
pop3sync_gone(uint32_t uid, void *ctx)
{
	const struct pop3sync_keep *k = ctx;

	return bsearch(&uid, k->uids, k->n, sizeof(*k->uids), pop3sync_uid_cmp) == NULL;
}

/* The cache-state name of message i of list: its UIDL, else the SHA-256
 * of its header (fetched into header with TOP). 0, or pop3_top's
 * failure. */
static int
pop3sync_key(struct pop3 *pop, const struct pop3_list *list, size_t i, const char *prefix,
    struct buf *header, char **name_r, char **error_r)
{
	const struct pop3_msg *m = &list->v[i];
	char hkey[POP3_CONTENT_KEY_SIZE];
	const char *key = list->have_uidl ? m->uidl : NULL;
	int r;

	*name_r = NULL;
	buf_reset(header);
	if (key == NULL) {
		/* Without UIDL the header names the message. */
		if ((r = pop3_top(pop, m->num, header, error_r)) != 0)
			return r;
		pop3_content_key(buf_ptr(header), buf_len(header), hkey);
		key = hkey;
	}
	*name_r = pop3sync_name(prefix, key);
	return 0;
}

int
cmd_pop3_retr(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, struct cache *cache, uint32_t uid,
    struct buf *out, bool *lost_r, char **error_r)
{
	struct net_conn_params p;
	struct pop3 *pop = NULL;
	struct pop3_list list;
	struct buf header;
	char *prefix = NULL, *name = NULL;
	size_t i;
	int r, ret = -1;

	memset(&list, 0, sizeof(list));
	*lost_r = false;
	if (cmd_login_params(conf, acct, CONF_PROTO_POP3, secret, &p, error_r) != 0)
		return -1;
	prefix = xasprintf("pop3-uid/%s@%s/", p.user != NULL ? p.user : "", p.host);
	buf_init(&header, POP3SYNC_HEADER_MAX);
	if (pop3_open(&p, &pop, error_r) != 0 ||
	    pop3_list(pop, POP3SYNC_MESSAGES_MAX, &list, error_r) != 0) {
		*lost_r = true;
		goto out;
	}
	for (i = 0; i < list.count; i++) {
		if ((r = pop3sync_key(pop, &list, i, prefix, &header, &name, error_r)) != 0) {
			*lost_r = r == POP3_LOST;
			goto out;
		}
		if (pop3sync_uid_get(cache, name) == uid) {
			/* RETR never marks or deletes: only DELE does. */
			if ((r = pop3_retr(pop, &list.v[i], out, error_r)) != 0) {
				*lost_r = r == POP3_LOST;
				goto out;
			}
			ret = 0;
			goto out;
		}
		free(name);
		name = NULL;
	}
	*error_r = xstrdup("the message is no longer on the POP3 server");
out:
	free(name);
	pop3_list_free(&list);
	pop3_close(&pop);
	buf_free(&header);
	free(prefix);
	return ret;
}

int
cmd_pop3_sync(const struct conf *conf, const struct conf_account *acct,
    const struct cmd_login_secret *secret, struct cache *cache, struct index *idx,
    struct sync_stats *stats, bool *lost_r, char **error_r)
{
	struct net_conn_params p;
	struct pop3 *pop = NULL;
	struct pop3_list list;
	struct pop3sync_keep keep = { NULL, 0 };
	struct index_state st = *index_state(idx);
	const char *fallback = conf_get(conf, "charset-fallback");
	struct buf header;
	char *prefix = NULL;
	size_t i;
	int r, ret = -1;

	memset(stats, 0, sizeof(*stats));
	memset(&list, 0, sizeof(list));
	*lost_r = false;
	stats->method = "pop3";
	if (cmd_login_params(conf, acct, CONF_PROTO_POP3, secret, &p, error_r) != 0)
		return -1;
	prefix = xasprintf("pop3-uid/%s@%s/", p.user != NULL ? p.user : "", p.host);
	buf_init(&header, POP3SYNC_HEADER_MAX);
	if (pop3_open(&p, &pop, error_r) != 0 ||
	    (r = pop3_list(pop, POP3SYNC_MESSAGES_MAX, &list, error_r)) != 0) {
		*lost_r = true;
		goto out;
	}
	if (st.uidvalidity == 0) {
		st.uidvalidity = 1;
		st.uidnext = 1;
	}
	keep.uids = xcalloc(list.count + 1, sizeof(*keep.uids));
	for (i = 0; i < list.count; i++) {
		const struct pop3_msg *m = &list.v[i];
		char *name;
		uint32_t uid = 0;

		if ((r = pop3sync_key(pop, &list, i, prefix, &header, &name, error_r)) != 0) {
			*lost_r = r == POP3_LOST;
			goto out;
		}
		uid = pop3sync_uid_get(cache, name);
		if (uid == 0 || index_find(idx, uid) < 0) {
			char text[16], *error = NULL;

			if (buf_len(&header) == 0 &&
			    (r = pop3_top(pop, m->num, &header, error_r)) != 0) {
				free(name);
				*lost_r = r == POP3_LOST;
				goto out;
			}
			if (uid == 0) {
				uid = st.uidnext++;
				snprintf(text, sizeof(text), "%" PRIu32, uid);
				if (cache_state_put(cache, name, text, strlen(text), &error) != 0) {
					free(name);
					*error_r = error;
					goto out;
				}
			}
			pop3sync_put(idx, uid, m->size, &header, fallback);
			stats->added++;
		}
		free(name);
		keep.uids[keep.n++] = uid;
	}
	qsort(keep.uids, keep.n, sizeof(*keep.uids), pop3sync_uid_cmp);
	stats->vanished = (uint32_t)index_remove_if(idx, pop3sync_gone, &keep);
	stats->total = (uint32_t)index_count(idx);
	st.synced_at = (int64_t)time(NULL);
	index_set_state(idx, &st);
	ret = 0;
out:
	pop3_list_free(&list);
	/* QUIT: nothing was marked, nothing goes. */
	pop3_close(&pop);
	buf_free(&header);
	free(keep.uids);
	free(prefix);
	return ret;
}
