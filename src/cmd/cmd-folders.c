/* An account's folders, their special roles and counts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-folders.h"
#include "cmd/cmd-sync.h"
#include "imap/imap-utf7.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

const char *const cmd_folder_roles[5] = { "trash", "sent", "drafts", "junk", "archive" };
/* The SPECIAL-USE attributes (RFC 6154) of the roles, same order. */
static const char *const cmd_folder_uses[5] = {
	"\\Trash", "\\Sent", "\\Drafts", "\\Junk", "\\Archive"
};

struct cmd_folders_ctx {
	struct cmd_folders *f;
	size_t cap;
	bool list_done;
	enum imap_result list_result;
	char *list_error;
	bool too_many;
};

struct cmd_status_ctx {
	struct cmd_folders *f;
	size_t index;
	bool have_total, have_unread, bad_number;
};

static bool
cmd_folder_is_inbox(const struct cmd_folder *folder)
{
	return folder->name_len == 5 && str_casecmp(folder->name, "INBOX") == 0;
}

static void
cmd_folders_list_data(void *ctx, const struct imap_response *resp)
{
	struct cmd_folders_ctx *c = ctx;
	const struct imap_arg *attrs;
	size_t nattrs, i, len;
	const char *name, *attr;
	struct cmd_folder *folder;

	if (resp->count < 4 || (!imap_arg_atom_equals(&resp->args[0], "LIST") &&
	    !imap_arg_atom_equals(&resp->args[0], "LSUB")) ||
	    !imap_arg_get_list(&resp->args[1], &attrs, &nattrs) ||
	    !imap_arg_get_astring(&resp->args[3], &name, &len)) {
		c->f->skipped++;
		return;
	}
	/* A NUL cannot be sent back in a mailbox name (RFC 3501 §4.3), so
	 * such a folder could never be opened: it is no folder. */
	if (len == 0 || len > CMD_FOLDER_NAME_MAX || memchr(name, '\0', len) != NULL) {
		c->f->skipped++;
		return;
	}
	if (c->f->count == CMD_FOLDERS_MAX) {
		c->too_many = true;
		return;
	}
	if (c->f->count == c->cap) {
		c->cap = c->cap == 0 ? 64 : c->cap * 2;
		c->f->v = xreallocarray(c->f->v, c->cap, sizeof(*c->f->v));
	}
	folder = &c->f->v[c->f->count++];
	memset(folder, 0, sizeof(*folder));
	folder->name = xmalloc(len + 1);
	memcpy(folder->name, name, len);
	folder->name[len] = '\0';
	folder->name_len = len;
	folder->display = imap_utf7_decode(name, len);
	if (folder->display == NULL)
		folder->display = xstrdup(folder->name);
	folder->selectable = true;
	for (i = 0; i < nattrs; i++) {
		size_t r;

		if (!imap_arg_get_atom(&attrs[i], &attr))
			continue;
		if (str_caseeq(attr, "\\Noselect") || str_caseeq(attr, "\\NonExistent"))
			folder->selectable = false;
		for (r = 0; r < 5; r++)
			if (str_caseeq(attr, cmd_folder_uses[r]))
				folder->use = cmd_folder_uses[r];
	}
}

static void
cmd_folders_list_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct cmd_folders_ctx *c = ctx;

	c->list_done = true;
	c->list_result = result;
	if (result != IMAP_RESULT_OK)
		c->list_error = cmd_imap_failure("listing the folders", result, tagged);
}

static void
cmd_folders_status_data(void *ctx, const struct imap_response *resp)
{
	struct cmd_status_ctx *c = ctx;
	struct cmd_folder *folder = &c->f->v[c->index];
	const struct imap_arg *items;
	size_t nitems, i, len;
	const char *name;

	if (resp->count < 3 || !imap_arg_get_astring(&resp->args[1], &name, &len) ||
	    !imap_arg_get_list(&resp->args[2], &items, &nitems))
		return;
	/* Only the answer about this folder counts (INBOX in any case). */
	if (len != folder->name_len || (memcmp(name, folder->name, len) != 0 &&
	    !(cmd_folder_is_inbox(folder) && str_casecmp(name, "INBOX") == 0)))
		return;
	for (i = 0; i + 1 < nitems; i += 2) {
		uint64_t n = 0;
		bool number = imap_arg_get_number(&items[i + 1], &n);

		if (imap_arg_atom_equals(&items[i], "MESSAGES")) {
			c->have_total = number;
			folder->total = n;
		} else if (imap_arg_atom_equals(&items[i], "UNSEEN")) {
			c->have_unread = number;
			folder->unread = n;
		} else if (imap_arg_atom_equals(&items[i], "UIDNEXT")) {
			folder->uidnext = number ? n : 0;
		} else {
			continue;
		}
		if (!number)
			c->bad_number = true;
	}
	/* Counts that do not parse are no counts, never a made-up zero. */
	folder->have_status = c->have_total && c->have_unread && !c->bad_number &&
	    folder->unread <= folder->total;
}

static void
cmd_folders_status_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct cmd_status_ctx *c = ctx;
	struct cmd_folder *folder = &c->f->v[c->index];

	if (result != IMAP_RESULT_OK) {
		folder->have_status = false;
		folder->status_error = cmd_imap_failure("reading its counts", result, tagged);
	} else if (c->bad_number || (c->have_total && c->have_unread && !folder->have_status)) {
		folder->status_error = xstrdup("the server's counts for it make no sense");
	} else if (!folder->have_status) {
		folder->status_error = xstrdup("the server gave no counts for it");
	}
}

static int
cmd_folder_cmp(const void *a, const void *b)
{
	const struct cmd_folder *x = a, *y = b;
	bool xi = cmd_folder_is_inbox(x), yi = cmd_folder_is_inbox(y);
	int r;

	if (xi != yi)
		return xi ? -1 : 1;
	if ((r = strcmp(x->display, y->display)) != 0)
		return r;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return memcmp(x->name, y->name, x->name_len);
}

static void
cmd_folder_clear(struct cmd_folder *folder)
{
	free(folder->name);
	free(folder->display);
	free(folder->status_error);
}

/* Sorts, and drops a name the server listed twice. */
static void
cmd_folders_sort(struct cmd_folders *f)
{
	size_t i, out = 0;

	if (f->count > 1)
		qsort(f->v, f->count, sizeof(*f->v), cmd_folder_cmp);
	for (i = 0; i < f->count; i++) {
		if (out > 0 && f->v[out - 1].name_len == f->v[i].name_len &&
		    memcmp(f->v[out - 1].name, f->v[i].name, f->v[i].name_len) == 0) {
			cmd_folder_clear(&f->v[i]);
			continue;
		}
		f->v[out++] = f->v[i];
	}
	f->count = out;
}

static long
cmd_folders_find(const struct cmd_folders *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (strcmp(f->v[i].display, name) == 0 ||
		    (strlen(name) == f->v[i].name_len && strcmp(f->v[i].name, name) == 0))
			return (long)i;
	/* INBOX is case-insensitive (RFC 3501 §5.1). */
	if (str_casecmp(name, "INBOX") == 0)
		for (i = 0; i < f->count; i++)
			if (cmd_folder_is_inbox(&f->v[i]))
				return (long)i;
	return -1;
}

/* The mailrc's setting, then SPECIAL-USE, then "Trash" for the trash
 * (PRODUCT.md, "Precise semantics"). */
static void
cmd_folders_roles(struct cmd_folders *f, const struct conf_account *acct)
{
	size_t r, i;

	for (r = 0; r < 5; r++) {
		const char *set = conf_account_get(acct, cmd_folder_roles[r]);
		long found = -1;

		f->missing[r] = NULL;
		if (set != NULL) {
			found = cmd_folders_find(f, set);
			if (found < 0)
				f->missing[r] = set;
		} else {
			for (i = 0; i < f->count && found < 0; i++)
				if (f->v[i].use == cmd_folder_uses[r])
					found = (long)i;
			if (found < 0 && r == 0)
				found = cmd_folders_find(f, "Trash");
		}
		f->special[r] = found;
		if (found >= 0 && f->v[found].special == NULL)
			f->v[found].special = cmd_folder_roles[r];
	}
}

static int
cmd_folders_run(struct cmd_imap *session, const struct conf_account *acct,
    bool with_status, bool subscribed, struct cmd_folders *folders_r, char **error_r)
{
	struct imap_client *client = cmd_imap_client(session);
	struct cmd_folders_ctx c;
	struct imap_cmd_callbacks cb;
	struct cmd_status_ctx *sc = NULL;
	/* RETURN (SPECIAL-USE) is LIST-EXTENDED syntax (RFC 6154 §2); a
	 * server with SPECIAL-USE alone puts the attributes in every LIST
	 * reply instead (Gmail does). */
	bool special_use = imap_client_has(client, IMAP_CAP_SPECIAL_USE) &&
	    imap_client_has(client, IMAP_CAP_LIST_EXTENDED);
	size_t i;
	int ret = 0;

	memset(folders_r, 0, sizeof(*folders_r));
	memset(&c, 0, sizeof(c));
	c.f = folders_r;
	cb.done = cmd_folders_list_done;
	cb.data = cmd_folders_list_data;
	cb.ctx = &c;
	if ((subscribed ? imap_cmd_lsub(client, "", "*", &cb) :
	    imap_cmd_list(client, "", "*", special_use, &cb)) != 0)
		abort();	/* constant arguments: cannot be refused */
	if (cmd_imap_wait(session, error_r) != 0) {
		free(c.list_error);
		cmd_folders_free(folders_r);
		return -1;
	}
	if (c.list_result != IMAP_RESULT_OK) {
		*error_r = c.list_error;
		cmd_folders_free(folders_r);
		return -1;
	}
	if (c.too_many) {
		*error_r = xasprintf("%s listed more than %d folders; tern stops there",
		    cmd_imap_peer(session), CMD_FOLDERS_MAX);
		cmd_folders_free(folders_r);
		return -1;
	}
	cmd_folders_sort(folders_r);
	cmd_folders_roles(folders_r, acct);
	if (!with_status)
		return 0;

	/* Every STATUS at once: the server answers them in order, so the
	 * whole list costs about one round trip, not one per folder. */
	sc = xcalloc(folders_r->count + 1, sizeof(*sc));
	for (i = 0; i < folders_r->count; i++) {
		struct cmd_folder *folder = &folders_r->v[i];

		if (!folder->selectable)
			continue;
		sc[i].f = folders_r;
		sc[i].index = i;
		cb.done = cmd_folders_status_done;
		cb.data = cmd_folders_status_data;
		cb.ctx = &sc[i];
		if (imap_cmd_status(client, folder->name, IMAP_STATUS_MESSAGES |
		    IMAP_STATUS_UNSEEN | IMAP_STATUS_UIDNEXT, &cb) != 0)
			folder->status_error = xstrdup("its name cannot be sent back to "
			    "the server (it holds a NUL byte)");
	}
	if (cmd_imap_wait(session, error_r) != 0)
		ret = -1;
	free(sc);
	if (ret != 0)
		cmd_folders_free(folders_r);
	return ret;
}

int
cmd_folders_list(struct cmd_imap *session, const struct conf_account *acct,
    bool with_status, struct cmd_folders *folders_r, char **error_r)
{
	return cmd_folders_run(session, acct, with_status, false, folders_r, error_r);
}

int
cmd_folders_subscribed(struct cmd_imap *session, const struct conf_account *acct,
    struct cmd_folders *folders_r, char **error_r)
{
	return cmd_folders_run(session, acct, false, true, folders_r, error_r);
}

void
cmd_folders_free(struct cmd_folders *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		cmd_folder_clear(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int
cmd_folders_special(struct cmd_imap *session, struct cache *cache,
    const struct conf_account *acct, enum cmd_folder_role role, char **wire_r,
    char **display_r, char **error_r)
{
	static const char *const fallback[5] = { "Trash", "Sent", "Drafts", "Junk", "Archive" };
	struct cmd_folders folders;
	const char *display = fallback[role];
	char *wire = NULL;

	if (cmd_folders_list(session, acct, false, &folders, error_r) != 0)
		return -1;
	if (folders.special[role] >= 0) {
		wire = xstrdup(folders.v[folders.special[role]].name);
		display = folders.v[folders.special[role]].display;
	} else if (folders.missing[role] != NULL) {
		wire = cmd_folder_wire(session, cache, folders.missing[role]);
		display = folders.missing[role];
	}
	if (wire == NULL) {
		/* Unset, or a setting that is not valid UTF-8. */
		wire = xstrdup(fallback[role]);
		display = fallback[role];
	}
	*wire_r = wire;
	if (display_r != NULL)
		*display_r = xstrdup(display);
	cmd_folders_free(&folders);
	return 0;
}
