/* The action table and its application to a folder (cmd-action.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-action.h"
#include "cmd/cmd-folders.h"
#include "cmd/cmd-sync.h"
#include "conf/conf.h"
#include "imap/imap-utf7.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "mime/safe-text.h"
#include "rules/keyword.h"
#include "rules/match.h"
#include "rules/plan.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* A UID set in one command stays below this many bytes: servers limit
 * command lines (Dovecot to 64 KB), and short commands keep progress
 * visible and a lost connection cheap. */
#define APPLY_SET_MAX 8000
/* The most keywords one action adds or removes. */
#define CHANGE_MAX 64

static const struct cmd_action_def action_table[] = {
	{ CMD_ACTION_ADD_LABEL, "add-label", "LABEL", "add a label (an IMAP keyword)" },
	{ CMD_ACTION_REMOVE_LABEL, "remove-label", "LABEL", "remove a label" },
	{ CMD_ACTION_MARK_READ, "mark-read", NULL, "mark as read" },
	{ CMD_ACTION_MARK_UNREAD, "mark-unread", NULL, "mark as unread" },
	{ CMD_ACTION_FLAG, "flag", NULL, "flag (star)" },
	{ CMD_ACTION_UNFLAG, "unflag", NULL, "remove the flag" },
	{ CMD_ACTION_STATUS, "status", "STATUS", "set the status: open, pending or done" },
	{ CMD_ACTION_ASSIGN, "assign", "WHO", "assign to someone (none: to nobody)" },
	{ CMD_ACTION_MOVE, "move", "FOLDER", "move to a folder" },
	{ CMD_ACTION_DELETE, "delete", NULL, "move to the Trash folder (never expunged)" },
	{ CMD_ACTION_CLAIM, "claim", NULL, "assign to me unless someone holds it" },
};

size_t
cmd_action_count(void)
{
	return nitems(action_table);
}

const struct cmd_action_def *
cmd_action_at(size_t i)
{
	return i < nitems(action_table) ? &action_table[i] : NULL;
}

const struct cmd_action_def *
cmd_action_lookup(const char *name)
{
	size_t i;

	if (str_has_prefix(name, "--"))
		name += 2;
	for (i = 0; i < nitems(action_table); i++) {
		if (strcmp(action_table[i].name, name) == 0)
			return &action_table[i];
	}
	return NULL;
}

int
cmd_actions_add(struct cmd_actions *a, const char *name, const char *arg, char **error_r)
{
	const struct cmd_action_def *def = cmd_action_lookup(name);

	if (def == NULL) {
		*error_r = xasprintf("unknown action '%s'", name);
		return -1;
	}
	if (def->arg != NULL && (arg == NULL || arg[0] == '\0')) {
		*error_r = xasprintf("--%s needs a %s", def->name, def->arg);
		return -1;
	}
	if (a->n == CMD_ACTIONS_MAX) {
		*error_r = xasprintf("more than %d actions", CMD_ACTIONS_MAX);
		return -1;
	}
	a->v[a->n].def = def;
	a->v[a->n].arg = def->arg != NULL ? xstrdup(arg) : NULL;
	a->n++;
	return 0;
}

void
cmd_actions_free(struct cmd_actions *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i].arg);
	a->n = 0;
}

char *
cmd_action_text(const struct cmd_action *a)
{
	if (a->arg == NULL)
		return xstrdup(a->def->name);
	return xasprintf("%s %s", a->def->name, a->arg);
}

/* The kinds that cancel each other, two by two. */
static bool
actions_opposite(const struct cmd_action *x, const struct cmd_action *y)
{
	static const enum cmd_action_kind pairs[][2] = {
		{ CMD_ACTION_MARK_READ, CMD_ACTION_MARK_UNREAD },
		{ CMD_ACTION_FLAG, CMD_ACTION_UNFLAG },
	};
	size_t i;

	for (i = 0; i < nitems(pairs); i++) {
		if ((x->def->kind == pairs[i][0] && y->def->kind == pairs[i][1]) ||
		    (x->def->kind == pairs[i][1] && y->def->kind == pairs[i][0]))
			return true;
	}
	if ((x->def->kind == CMD_ACTION_ADD_LABEL && y->def->kind == CMD_ACTION_REMOVE_LABEL) ||
	    (x->def->kind == CMD_ACTION_REMOVE_LABEL && y->def->kind == CMD_ACTION_ADD_LABEL))
		return str_caseeq(x->arg, y->arg);
	return false;
}

static bool
action_moves(const struct cmd_action *a)
{
	return a->def->kind == CMD_ACTION_MOVE || a->def->kind == CMD_ACTION_DELETE;
}

int
cmd_actions_check(const struct cmd_actions *a, char **error_r)
{
	const char *why = NULL;
	size_t i, j, moves = 0;
	char *kw;

	if (a->n == 0) {
		*error_r = xstrdup("no action given");
		return -1;
	}
	for (i = 0; i < a->n; i++) {
		const struct cmd_action *x = &a->v[i];

		switch (x->def->kind) {
		case CMD_ACTION_ADD_LABEL:
		case CMD_ACTION_REMOVE_LABEL:
			if ((kw = keyword_from_label(x->arg, &why)) == NULL) {
				*error_r = xasprintf("--%s %s: %s", x->def->name, x->arg, why);
				return -1;
			}
			free(kw);
			break;
		case CMD_ACTION_STATUS:
			if (!keyword_status_valid(x->arg)) {
				*error_r = xasprintf("--status %s: the status is open, pending "
				    "or done", x->arg);
				return -1;
			}
			break;
		case CMD_ACTION_ASSIGN:
			if (strcmp(x->arg, "none") == 0)
				break;
			if ((kw = keyword_assign(x->arg)) == NULL) {
				*error_r = xasprintf("--assign %s: not a name tern can store "
				    "as a keyword", x->arg);
				return -1;
			}
			free(kw);
			break;
		case CMD_ACTION_MOVE:
			if ((kw = imap_utf7_encode(x->arg)) == NULL) {
				*error_r = xasprintf("--move: folder name '%s' is not UTF-8",
				    x->arg);
				return -1;
			}
			free(kw);
			break;
		default:
			break;
		}
		if (action_moves(x))
			moves++;
		for (j = 0; j < i; j++) {
			if (actions_opposite(x, &a->v[j]) ||
			    (x->def->kind == a->v[j].def->kind &&
			    (x->def->kind == CMD_ACTION_STATUS || x->def->kind == CMD_ACTION_ASSIGN) &&
			    strcmp(x->arg, a->v[j].arg) != 0)) {
				*error_r = xasprintf("--%s and --%s cancel each other",
				    a->v[j].def->name, x->def->name);
				return -1;
			}
		}
	}
	if (moves > 1) {
		*error_r = xstrdup("a message can move to one folder only (one --move "
		    "or --delete)");
		return -1;
	}
	return 0;
}

/* ---- the apply context ---- */

struct cmd_apply {
	struct cmd_imap *session;
	const struct conf *conf;
	const struct conf_account *acct;
	struct cache *cache;
	bool dry_run;
	bool silent;			/* no summary lines (the UI) */
	FILE *out;

	/* What the SELECT of the folder open read-write said (which folder
	 * that is, the engine knows). */
	uint32_t uidvalidity, uidnext;
	char **kw;			/* keywords of FLAGS */
	size_t nkw;
	bool perm_known, perm_new;	/* PERMANENTFLAGS, and whether \* */

	/* The cached index of one folder (wire name), our changes applied. */
	char *idx_folder;
	struct index *idx;
	/* When set, what the next actions decide by (cmd_apply_use_flags). */
	const struct index *given;

	char *trash;			/* wire name, once known */
	char *selected;			/* the folder this ap selected (wire) */

	/* A running command's outcome. */
	struct sync_uids *collect;
	struct index *fetched;		/* flags a UID FETCH brought */
	enum imap_result result;
	char *failure;
	bool trycreate;
	bool bad_answer;		/* a SEARCH answer did not read */
	bool modified;			/* OK [MODIFIED ...]: UNCHANGEDSINCE failed */
	char *rights;			/* what MYRIGHTS said */
	char *metadata;			/* the value a GETMETADATA gave */
	char **acl;			/* what a GETACL gave: id, rights, ..., NULL */
	size_t nacl;
	cmd_apply_header_fn *header_fn;	/* cmd_apply_fetch_headers */
	void *header_ctx;
};

static void
strv_free(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* The keywords of a FLAGS list (NULL-terminated, for the planner). */
static void
keywords_from_list(const struct imap_arg *arg, char ***v_r, size_t *n_r)
{
	const struct imap_arg *list;
	size_t n, i;

	strv_free(v_r, n_r);
	if (!imap_arg_get_list(arg, &list, &n))
		return;
	*v_r = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const char *s;

		if (imap_arg_get_atom(&list[i], &s) && s[0] != '\\')
			(*v_r)[(*n_r)++] = xstrdup(s);
	}
}

static void
ap_other(void *ctx, const struct imap_response *r)
{
	struct cmd_apply *ap = ctx;
	uint64_t n;

	if (r->text == NULL) {
		if (r->count == 2 && imap_arg_atom_equals(&r->args[0], "FLAGS"))
			keywords_from_list(&r->args[1], &ap->kw, &ap->nkw);
		return;
	}
	if (r->code == NULL || r->code_count < 2)
		return;
	if (imap_arg_atom_equals(&r->code[0], "PERMANENTFLAGS")) {
		const struct imap_arg *list;
		size_t i, count;

		ap->perm_known = true;
		ap->perm_new = false;
		if (imap_arg_get_list(&r->code[1], &list, &count))
			for (i = 0; i < count; i++)
				ap->perm_new = ap->perm_new || imap_arg_atom_equals(&list[i], "\\*");
	} else if (imap_arg_atom_equals(&r->code[0], "UIDNEXT") &&
	    imap_arg_get_number(&r->code[1], &n) && n <= UINT32_MAX) {
		ap->uidnext = (uint32_t)n;
	} else if (imap_arg_atom_equals(&r->code[0], "UIDVALIDITY") &&
	    imap_arg_get_number(&r->code[1], &n) && n <= UINT32_MAX) {
		ap->uidvalidity = (uint32_t)n;
	}
}

static void
ap_fetch(void *ctx, uint32_t seq, const struct imap_arg *items, size_t count)
{
	struct cmd_apply *ap = ctx;
	struct sync_fetch f;

	(void)seq;
	if ((ap->fetched == NULL && ap->header_fn == NULL) ||
	    sync_fetch_parse(items, count, &f) != 0)
		return;
	if (ap->header_fn != NULL) {
		if (f.uid != 0 && f.header != NULL)
			ap->header_fn(ap->header_ctx, f.uid, f.header, f.header_len);
		sync_fetch_free(&f);
		return;
	}
	if (f.uid != 0 && f.have_flags) {
		struct index_msg_in in;

		memset(&in, 0, sizeof(in));
		in.uid = f.uid;
		in.flags = f.flags;
		in.modseq = f.modseq;
		in.date = INDEX_NO_DATE;
		in.str[INDEX_STR_KEYWORDS] = f.keywords;
		index_put(ap->fetched, &in);
	}
	sync_fetch_free(&f);
}

static void
ap_set_handlers(struct cmd_apply *ap)
{
	struct imap_client_handlers h;

	memset(&h, 0, sizeof(h));
	h.other = ap_other;
	h.fetch = ap_fetch;
	h.ctx = ap;
	cmd_imap_set_handlers(ap->session, &h);
}

struct cmd_apply *
cmd_apply_create(struct cmd_imap *session, const struct conf *conf,
    const struct conf_account *acct, struct cache *cache, bool dry_run, FILE *out)
{
	struct cmd_apply *ap = xcalloc(1, sizeof(*ap));

	ap->session = session;
	ap->conf = conf;
	ap->acct = acct;
	ap->cache = cache;
	ap->dry_run = dry_run;
	ap->out = out;
	return ap;
}

/* Writes the held index back to the cache (our changes with it: the next
 * sync sees their MODSEQ and fetches them again, which is harmless). */
static void
ap_save_index(struct cmd_apply *ap)
{
	char *error = NULL;

	if (ap->idx != NULL && ap->cache != NULL &&
	    cache_save(ap->cache, ap->idx_folder, ap->idx, &error) != 0) {
		log_warn("%s", error);
		free(error);
	}
	index_destroy(&ap->idx);
	free(ap->idx_folder);
	ap->idx_folder = NULL;
}

void
cmd_apply_destroy(struct cmd_apply **app)
{
	struct cmd_apply *ap = *app;

	if (ap == NULL)
		return;
	ap_save_index(ap);
	if (ap->session != NULL)
		cmd_imap_set_handlers(ap->session, NULL);
	strv_free(&ap->kw, &ap->nkw);
	free(ap->trash);
	free(ap->selected);
	free(ap->failure);
	free(ap->rights);
	free(ap->metadata);
	strv_free(&ap->acl, &ap->nacl);
	free(ap);
	*app = NULL;
}

static void
ap_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct cmd_apply *ap = ctx;

	ap->result = result;
	ap->modified = result == IMAP_RESULT_OK && tagged != NULL && tagged->code != NULL &&
	    tagged->code_count > 0 && imap_arg_atom_equals(&tagged->code[0], "MODIFIED");
	free(ap->failure);
	ap->failure = result == IMAP_RESULT_OK ? NULL : imap_result_text(result, tagged);
}

/* Waits for the queued commands; -1 when the connection was lost. */
static int
ap_wait(struct cmd_apply *ap, char **error_r)
{
	return cmd_imap_wait(ap->session, error_r);
}

/* A folder as the user writes it in the server's form (cmd-sync.h). */
static char *
ap_wire_name(struct cmd_apply *ap, const char *folder)
{
	return cmd_folder_wire(ap->session, ap->cache, folder);
}

/* The display form of a wire folder name, for messages. */
static char *
ap_display(const char *wire)
{
	char *s = imap_utf7_decode(wire, strlen(wire));

	return s != NULL ? s : safe_text_line(wire, strlen(wire), 200);
}

static int
ap_select(struct cmd_apply *ap, const char *wire, char **error_r)
{
	struct imap_client *client = cmd_imap_client(ap->session);
	struct imap_cmd_callbacks cb = { ap_done, NULL, ap };
	struct imap_select_params p;
	const char *open = imap_client_selected(client);
	char *shown;

	/* Open read-write already: only this file selects so (sync
	 * examines). */
	if (open != NULL && strcmp(open, wire) == 0 && imap_client_selected_rw(client) &&
	    ap->selected != NULL && strcmp(ap->selected, wire) == 0)
		return 0;
	free(ap->selected);
	ap->selected = NULL;
	strv_free(&ap->kw, &ap->nkw);
	ap->perm_known = false;
	ap->uidvalidity = ap->uidnext = 0;
	memset(&p, 0, sizeof(p));
	ap_set_handlers(ap);
	ap->result = IMAP_RESULT_LOST;
	if (imap_cmd_select(client, wire, &p, &cb) != 0) {
		*error_r = xstrdup("the folder name cannot be sent");
		return -1;
	}
	if (ap_wait(ap, error_r) != 0)
		return -1;
	if (ap->result != IMAP_RESULT_OK) {
		shown = ap_display(wire);
		*error_r = xasprintf("cannot open folder %s: %s", shown, ap->failure);
		free(shown);
		return -1;
	}
	if (!imap_client_selected_rw(client)) {
		shown = ap_display(wire);
		*error_r = xasprintf("folder %s is read-only for this account", shown);
		free(shown);
		return -1;
	}
	ap->selected = xstrdup(wire);
	return 0;
}

int
cmd_apply_open(struct cmd_apply *ap, const char *folder, uint32_t *uidvalidity_r,
    uint32_t *uidnext_r, char **error_r)
{
	char *wire = ap_wire_name(ap, folder);
	int r;

	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	r = ap_select(ap, wire, error_r);
	free(wire);
	if (r == 0) {
		if (uidvalidity_r != NULL)
			*uidvalidity_r = ap->uidvalidity;
		if (uidnext_r != NULL)
			*uidnext_r = ap->uidnext;
	}
	return r;
}

/* Makes ap->idx the synced index of wire (which deselects: EXAMINE). */
static int
ap_load_index(struct cmd_apply *ap, const char *wire, char **error_r)
{
	struct sync_stats stats;
	struct index *idx;

	if (ap->idx != NULL && strcmp(ap->idx_folder, wire) == 0)
		return 0;
	if (ap->cache == NULL) {
		*error_r = xstrdup("this query needs the header cache, which is not open");
		return -1;
	}
	ap_save_index(ap);
	if (cmd_sync_folder(ap->session, ap->cache, ap->conf, wire, false, &idx, &stats,
	    error_r) != 0)
		return -1;
	ap->idx = idx;
	ap->idx_folder = xstrdup(wire);
	return 0;
}

static void
ap_search_data(void *ctx, const struct imap_response *r)
{
	struct cmd_apply *ap = ctx;

	/* A folder cannot hold more; an answer that does not read is an
	 * error rather than fewer matches. */
	if (ap->collect != NULL && sync_search_parse(r, ap->collect, UINT32_MAX) != 0)
		ap->bad_answer = true;
}

/* Runs one search (prefixed with the scope's UID range) into *out. */
static int
ap_search(struct cmd_apply *ap, const struct plan_search *s, const struct cmd_apply_scope *scope,
    struct sync_uids *out, char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, ap_search_data, ap };
	struct imap_search_arg *args;
	char range[32];
	size_t n = 0, i;
	int r;

	args = xcalloc(s->nargs + 3, sizeof(*args));
	if (scope != NULL && scope->hi != 0) {
		snprintf(range, sizeof(range), "%" PRIu32 ":%" PRIu32,
		    scope->lo != 0 ? scope->lo : 1, scope->hi);
		args[n++] = (struct imap_search_arg){ IMAP_SEARCH_KEY, "UID", 0 };
		args[n++] = (struct imap_search_arg){ IMAP_SEARCH_UIDSET, range, 0 };
	}
	for (i = 0; i < s->nargs; i++)
		args[n++] = s->args[i];
	sync_uids_init(out);
	ap->collect = out;
	ap->bad_answer = false;
	ap->result = IMAP_RESULT_LOST;
	if (imap_cmd_uid_search(cmd_imap_client(ap->session), args, n, &cb) != 0) {
		free(args);
		ap->collect = NULL;
		*error_r = xstrdup("tern could not write this search (a bug)");
		return -1;
	}
	free(args);
	r = ap_wait(ap, error_r);
	ap->collect = NULL;
	if (r != 0)
		return -1;
	if (ap->result != IMAP_RESULT_OK) {
		*error_r = xasprintf("the server refused the search: %s", ap->failure);
		return -1;
	}
	if (ap->bad_answer) {
		*error_r = xstrdup("the server's answer to a search cannot be read");
		return -1;
	}
	sync_uids_unique(out);
	return 0;
}

int
cmd_apply_search_slots(struct cmd_apply *ap, const struct plan *plan, struct sync_uids *slots,
    char **error_r)
{
	size_t i;

	for (i = 0; i < plan->nsearches; i++)
		sync_uids_init(&slots[i]);
	for (i = 0; i < plan->nsearches; i++) {
		if (ap_search(ap, &plan->searches[i], NULL, &slots[i], error_r) != 0)
			return -1;
	}
	return 0;
}

/* Drops the UIDs of u outside the scope. */
static void
scope_filter(struct sync_uids *u, const struct cmd_apply_scope *scope)
{
	size_t i, j;

	if (scope == NULL)
		return;
	for (i = j = 0; i < u->n; i++) {
		uint32_t uid = u->v[i];

		if (scope->hi != 0 && (uid < scope->lo || uid > scope->hi))
			continue;
		if (scope->exclude != NULL && sync_uids_contains(scope->exclude, uid))
			continue;
		u->v[j++] = uid;
	}
	u->n = j;
}

int
cmd_apply_find(struct cmd_apply *ap, const char *folder, struct query_node *q,
    const struct cmd_apply_scope *scope, struct sync_uids *uids_r, char **error_r)
{
	struct imap_client *client = cmd_imap_client(ap->session);
	struct plan_ctx pctx;
	struct plan *plan;
	struct sync_uids *slots = NULL;
	char *wire = ap_wire_name(ap, folder);
	size_t i;
	int r = -1;

	sync_uids_init(uids_r);
	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	if (ap_select(ap, wire, error_r) != 0)
		goto out_wire;
	memset(&pctx, 0, sizeof(pctx));
	pctx.where = PLAN_SERVER;
	pctx.gmail_labels = imap_client_has(client, IMAP_CAP_X_GM_EXT_1);
	pctx.mailbox_keywords = ap->kw != NULL ? (const char *const *)ap->kw : NULL;
	if ((plan = plan_build(q, &pctx, error_r)) == NULL)
		goto out_wire;
	if ((plan->needs_cache || ap->dry_run) && ap->cache != NULL) {
		if (ap_load_index(ap, wire, error_r) != 0 || ap_select(ap, wire, error_r) != 0)
			goto out_plan;
	}
	slots = xcalloc(plan->nsearches + 1, sizeof(*slots));
	for (i = 0; i < plan->nsearches; i++) {
		if (ap_search(ap, &plan->searches[i], scope, &slots[i], error_r) != 0)
			goto out_slots;
	}
	if (!plan->needs_cache) {
		*uids_r = slots[0];
		sync_uids_init(&slots[0]);
	} else {
		struct query_match_ctx mctx = { ap->idx, slots, plan->nsearches, NULL };
		struct query_matcher *mt = query_matcher_create(q, &mctx);
		size_t n = index_count(ap->idx);

		for (i = 0; i < n; i++) {
			const struct index_msg *m = index_at(ap->idx, i);

			if (scope != NULL && scope->hi != 0 && (m->uid < scope->lo || m->uid > scope->hi))
				continue;
			if (query_matcher_test(mt, m))
				sync_uids_add(uids_r, m->uid);
		}
		query_matcher_destroy(&mt);
	}
	scope_filter(uids_r, scope);
	r = 0;
out_slots:
	for (i = 0; i < plan->nsearches; i++)
		sync_uids_free(&slots[i]);
	free(slots);
out_plan:
	plan_free(&plan);
out_wire:
	free(wire);
	if (r != 0)
		sync_uids_free(uids_r);
	return r;
}

/* ---- what an action changes ---- */

/* The flags an action adds and removes (system flags with their '\'). */
struct change {
	char *add[CHANGE_MAX];
	size_t nadd;
	char *remove[CHANGE_MAX];
	size_t nremove;
	bool gmail;			/* labels via X-GM-LABELS */
};

static void
change_free(struct change *c)
{
	size_t i;

	for (i = 0; i < c->nadd; i++)
		free(c->add[i]);
	for (i = 0; i < c->nremove; i++)
		free(c->remove[i]);
	memset(c, 0, sizeof(*c));
}

static void
change_add(struct change *c, bool add, const char *flag)
{
	if (add && c->nadd < CHANGE_MAX)
		c->add[c->nadd++] = xstrdup(flag);
	else if (!add && c->nremove < CHANGE_MAX)
		c->remove[c->nremove++] = xstrdup(flag);
}

static void
action_change(struct cmd_apply *ap, const struct cmd_action *a, struct change *c)
{
	const char *why;
	char *kw;
	size_t i;

	memset(c, 0, sizeof(*c));
	switch (a->def->kind) {
	case CMD_ACTION_ADD_LABEL:
	case CMD_ACTION_REMOVE_LABEL:
		/* Gmail keeps $Forwarded and $Junk as keywords. */
		if (ap->session != NULL &&
		    imap_client_has(cmd_imap_client(ap->session), IMAP_CAP_X_GM_EXT_1) &&
		    index_flag_bit(a->arg) == 0) {
			c->gmail = true;
			kw = imap_utf7_encode(a->arg);
		} else
			kw = keyword_from_label(a->arg, &why);
		if (kw != NULL)
			change_add(c, a->def->kind == CMD_ACTION_ADD_LABEL, kw);
		free(kw);
		break;
	case CMD_ACTION_MARK_READ:
	case CMD_ACTION_MARK_UNREAD:
		change_add(c, a->def->kind == CMD_ACTION_MARK_READ, "\\Seen");
		break;
	case CMD_ACTION_FLAG:
	case CMD_ACTION_UNFLAG:
		change_add(c, a->def->kind == CMD_ACTION_FLAG, "\\Flagged");
		break;
	case CMD_ACTION_STATUS:
		/* The new status in, the others out. */
		for (i = 0; i < KEYWORD_STATUS_COUNT; i++) {
			kw = keyword_status(keyword_statuses[i]);
			change_add(c, str_caseeq(keyword_statuses[i], a->arg), kw);
			free(kw);
		}
		break;
	case CMD_ACTION_ASSIGN:
		kw = strcmp(a->arg, "none") == 0 ? NULL : keyword_assign(a->arg);
		if (kw != NULL)
			change_add(c, true, kw);
		/* Every other assignee the mailbox knows (its FLAGS) goes. */
		for (i = 0; i < ap->nkw; i++) {
			if (keyword_list_has_prefix(ap->kw[i], KEYWORD_ASSIGN_PREFIX) &&
			    (kw == NULL || !str_caseeq(ap->kw[i], kw)))
				change_add(c, false, ap->kw[i]);
		}
		free(kw);
		break;
	default:
		break;
	}
}

static bool
msg_has(const struct index *idx, const struct index_msg *m, const char *flag)
{
	uint32_t bit = index_flag_bit(flag);

	if (bit != 0)
		return (m->flags & bit) != 0;
	return keyword_list_has(index_msg_str(idx, m, INDEX_STR_KEYWORDS), flag);
}

/* Whether m needs the change (NULL m: unknown, so yes). */
static bool
change_needed(const struct change *c, const struct index *idx, const struct index_msg *m)
{
	size_t i;

	if (m == NULL || c->gmail)
		return true;
	for (i = 0; i < c->nadd; i++)
		if (!msg_has(idx, m, c->add[i]))
			return true;
	for (i = 0; i < c->nremove; i++)
		if (msg_has(idx, m, c->remove[i]))
			return true;
	return false;
}

/* The keyword list of m after the change, for the held index. */
static char *
change_keywords(const struct change *c, const char *list)
{
	struct buf b;
	const char *p = list;
	size_t i;

	buf_init(&b, SIZE_MAX);
	while (*p != '\0') {
		size_t len = strcspn(p, " ");
		bool drop = false;

		for (i = 0; i < c->nremove && !drop; i++)
			drop = strlen(c->remove[i]) == len && str_ncaseeq(c->remove[i], p, len);
		if (len > 0 && !drop) {
			if (buf_len(&b) > 0)
				buf_addc(&b, ' ');
			buf_add(&b, p, len);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	for (i = 0; i < c->nadd; i++) {
		if (c->add[i][0] == '\\' || index_flag_bit(c->add[i]) != 0 ||
		    keyword_list_has(buf_ptr(&b), c->add[i]))
			continue;
		if (buf_len(&b) > 0)
			buf_addc(&b, ' ');
		buf_addstr(&b, c->add[i]);
	}
	return buf_detach(&b);
}

/* An assignee the change neither adds nor removes yet: it goes. */
static bool
change_drop_one(const char *word, size_t len, void *ctx)
{
	struct change *c = ctx;
	size_t k;

	for (k = 0; k < c->nadd; k++)
		if (strlen(c->add[k]) == len && str_ncaseeq(c->add[k], word, len))
			return false;
	for (k = 0; k < c->nremove; k++)
		if (strlen(c->remove[k]) == len && str_ncaseeq(c->remove[k], word, len))
			return false;
	if (c->nremove < CHANGE_MAX)
		c->remove[c->nremove++] = xstrndup(word, len);
	return false;
}

/* An assignment also takes away the assignees the message carries that
 * the mailbox's FLAGS did not name (offline they are all that is known). */
static void
change_drop_assignees(struct change *c, const struct index *idx, uint32_t uid)
{
	long pos = index_find(idx, uid);

	if (pos >= 0)
		(void)keyword_list_each(index_msg_str(idx, index_at(idx, (size_t)pos),
		    INDEX_STR_KEYWORDS), KEYWORD_ASSIGN_PREFIX, change_drop_one, c);
}

static void
change_apply_index(const struct change *c, struct index *idx, uint32_t uid)
{
	long pos = index_find(idx, uid);
	const struct index_msg *m;
	uint32_t flags;
	char *kw;
	size_t i;

	if (pos < 0)
		return;
	m = index_at(idx, (size_t)pos);
	flags = m->flags;
	for (i = 0; i < c->nadd; i++)
		flags |= index_flag_bit(c->add[i]);
	for (i = 0; i < c->nremove; i++)
		flags &= ~index_flag_bit(c->remove[i]);
	kw = change_keywords(c, index_msg_str(idx, m, INDEX_STR_KEYWORDS));
	(void)index_set_flags(idx, uid, flags, kw, m->modseq);
	free(kw);
}

/* Is the keyword known to the mailbox (no new keyword needed)? */
static bool
ap_keyword_known(const struct cmd_apply *ap, const char *kw)
{
	size_t i;

	for (i = 0; i < ap->nkw; i++)
		if (str_caseeq(ap->kw[i], kw))
			return true;
	return false;
}

/* UID FETCH (FLAGS) of uids into a scratch index, for runs without the
 * cache: what the messages carry decides what needs changing. */
static int
ap_fetch_flags(struct cmd_apply *ap, const struct sync_uids *uids, struct index **idx_r,
    char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, NULL, ap };
	struct imap_fetch_params fp;
	size_t pos = 0;
	char *set;
	int r;

	memset(&fp, 0, sizeof(fp));
	fp.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS;
	/* What a conditional store (cmd_apply_store) needs. */
	if (imap_client_has(cmd_imap_client(ap->session), IMAP_CAP_CONDSTORE))
		fp.items |= IMAP_FETCH_MODSEQ;
	/* The folder may have been opened before this ap existed. */
	ap_set_handlers(ap);
	ap->fetched = index_create();
	ap->result = IMAP_RESULT_OK;
	while ((set = sync_uids_format(uids, &pos, APPLY_SET_MAX)) != NULL) {
		(void)imap_cmd_uid_fetch(cmd_imap_client(ap->session), set, &fp, &cb);
		free(set);
	}
	r = ap_wait(ap, error_r);
	*idx_r = ap->fetched;
	ap->fetched = NULL;
	if (r != 0)
		index_destroy(idx_r);
	return r;
}

/* One line per message for a dry run: folder, UID, action, sender,
 * subject (made safe for a terminal). */
static void
ap_print_dry(struct cmd_apply *ap, const char *shown, const struct index *idx, uint32_t uid,
    const char *what)
{
	const struct index_msg *m = NULL;
	long pos = idx != NULL ? index_find(idx, uid) : -1;
	char *from = NULL, *subject = NULL;

	if (pos >= 0) {
		const char *f, *s;

		m = index_at(idx, (size_t)pos);
		f = index_msg_str(idx, m, INDEX_STR_FROM);
		s = index_msg_str(idx, m, INDEX_STR_SUBJECT);
		from = safe_text_line(f, strcspn(f, "\n"), 60);
		subject = safe_text_line(s, strlen(s), 200);
	}
	fprintf(ap->out, "%s\t%" PRIu32 "\t%s\t%s\t%s\n", shown, uid, what,
	    from != NULL ? from : "", subject != NULL ? subject : "");
	free(from);
	free(subject);
}

static int ap_run(struct cmd_apply *ap, int q, char **why_r, char **error_r);

/* One UID STORE per chunk of set: +FLAGS or -FLAGS (Gmail labels with
 * X-GM-LABELS), with UNCHANGEDSINCE when unchangedsince is not 0;
 * *modified_r when the server refused some of it as changed meanwhile.
 * 0 done or refused (*why_r), -1 the connection was lost. */
static int
ap_store_flags(struct cmd_apply *ap, const struct sync_uids *set, bool add, bool gmail,
    const char *const *flags, uint64_t unchangedsince, bool *modified_r, char **why_r,
    char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, NULL, ap };
	enum imap_store_op op = add ? IMAP_STORE_ADD : IMAP_STORE_REMOVE;
	size_t pos = 0;
	char *chunk;
	int q;

	*modified_r = false;
	*why_r = NULL;
	while ((chunk = sync_uids_format(set, &pos, APPLY_SET_MAX)) != NULL) {
		ap->result = IMAP_RESULT_LOST;
		ap->modified = false;
		q = gmail ? imap_cmd_uid_store_labels(cmd_imap_client(ap->session), chunk, op,
		    flags, &cb) : imap_cmd_uid_store(cmd_imap_client(ap->session), chunk, op,
		    flags, unchangedsince, &cb);
		free(chunk);
		if ((q = ap_run(ap, q, why_r, error_r)) != 0)
			return q < 0 ? -1 : 0;
		*modified_r = *modified_r || ap->modified;
	}
	return 0;
}

/* The half of change c that adds (or removes), on set; false when it
 * failed. */
static bool
ap_store(struct cmd_apply *ap, const struct sync_uids *set, const struct change *c,
    bool add, char **why_r, bool *lost_r, char **error_r)
{
	const char *flags[CHANGE_MAX + 1];
	size_t n = add ? c->nadd : c->nremove, i;
	bool modified;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		flags[i] = add ? c->add[i] : c->remove[i];
	flags[n] = NULL;
	if (ap_store_flags(ap, set, add, c->gmail, flags, 0, &modified, why_r, error_r) != 0) {
		*lost_r = true;
		return false;
	}
	return *why_r == NULL;
}

/* Applies one flag action. */
static int
ap_flag_action(struct cmd_apply *ap, const char *shown, const struct cmd_action *a,
    const struct index *flags_idx, const struct sync_uids *uids, bool quiet,
    struct cmd_apply_result *res, char **error_r)
{
	struct change c;
	struct sync_uids todo;
	char *what = cmd_action_text(a), *why = NULL;
	bool lost = false;
	size_t i;

	if (a->def->kind == CMD_ACTION_CLAIM) {
		log_error("%s: --claim works on team folders only (a team block with "
		    "folder=%s in the mailrc); nothing was claimed", shown, shown);
		res->failed = true;
		free(what);
		return 0;
	}
	action_change(ap, a, &c);
	sync_uids_init(&todo);
	for (i = 0; i < uids->n; i++) {
		long pos = flags_idx != NULL ? index_find(flags_idx, uids->v[i]) : -1;
		const struct index_msg *m = pos >= 0 ? index_at(flags_idx, (size_t)pos) : NULL;

		if (change_needed(&c, flags_idx, m))
			sync_uids_add(&todo, uids->v[i]);
	}
	res->changed = todo.n;
	res->already = uids->n - todo.n;
	/* A keyword the mailbox does not know yet needs \* in
	 * PERMANENTFLAGS; without it the server would drop it, or refuse. */
	for (i = 0; i < c.nadd && !c.gmail && todo.n > 0; i++) {
		if (c.add[i][0] != '\\' && ap->perm_known && !ap->perm_new &&
		    !ap_keyword_known(ap, c.add[i])) {
			why = xasprintf("the server accepts no new keywords in this folder "
			    "(its PERMANENTFLAGS lack \\*; Dovecot's Maildir keeps at most 26 "
			    "keywords per folder), so it cannot store '%s'", c.add[i]);
			break;
		}
	}
	if (why == NULL && ap->dry_run) {
		for (i = 0; i < todo.n; i++)
			ap_print_dry(ap, shown, ap->idx, todo.v[i], what);
	} else if (why == NULL && todo.n > 0) {
		if (ap_store(ap, &todo, &c, true, &why, &lost, error_r) &&
		    ap_store(ap, &todo, &c, false, &why, &lost, error_r) && ap->idx != NULL) {
			for (i = 0; i < todo.n; i++)
				change_apply_index(&c, ap->idx, todo.v[i]);
		}
	}
	if (why != NULL) {
		size_t pos = 0;
		char *set = sync_uids_format(&todo, &pos, 400);

		log_error("%s: %s failed: %s; %zu message%s not changed (UID %s%s)", shown, what,
		    why, todo.n, todo.n == 1 ? "" : "s", set != NULL ? set : "",
		    pos < todo.n ? ",..." : "");
		free(set);
		res->failed = true;
		res->changed = 0;
	} else if (!lost && !ap->silent && (!quiet || res->changed > 0)) {
		fprintf(stderr, "%s: %s%s: %lu message%s%s", shown, ap->dry_run ? "would " : "",
		    what, res->changed, res->changed == 1 ? "" : "s",
		    ap->dry_run ? "" : " changed");
		if (res->already > 0)
			fprintf(stderr, " (%lu already so)", res->already);
		fputc('\n', stderr);
	}
	free(why);
	free(what);
	sync_uids_free(&todo);
	change_free(&c);
	return lost ? -1 : 0;
}

/* Finds the Trash folder (cmd-folders.h; created when first needed). */
static int
ap_trash(struct cmd_apply *ap, char **error_r)
{
	if (ap->trash != NULL)
		return 0;
	return cmd_folders_special(ap->session, ap->cache, ap->acct, CMD_FOLDER_TRASH,
	    &ap->trash, NULL, error_r);
}

static int
ap_create(struct cmd_apply *ap, const char *wire, char **why_r, char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, NULL, ap };
	char *shown = ap_display(wire);

	ap->result = IMAP_RESULT_LOST;
	(void)imap_cmd_create(cmd_imap_client(ap->session), wire, &cb);
	if (ap_wait(ap, error_r) != 0) {
		free(shown);
		return -1;
	}
	if (ap->result != IMAP_RESULT_OK) {
		*why_r = xasprintf("cannot create folder %s: %s", shown, ap->failure);
		free(shown);
		return 1;
	}
	log_info("created folder %s", shown);
	free(shown);
	return 0;
}

static bool
response_has_code(const struct imap_response *r, const char *code)
{
	return r != NULL && r->code != NULL && r->code_count > 0 &&
	    imap_arg_atom_equals(&r->code[0], code);
}

/* A move's or copy's answer: NO [TRYCREATE] means the folder is missing. */
static void
ap_move_done(void *ctx, enum imap_result result, const struct imap_response *tagged)
{
	struct cmd_apply *ap = ctx;

	ap->trycreate = result == IMAP_RESULT_NO && response_has_code(tagged, "TRYCREATE");
	ap_done(ctx, result, tagged);
}

/* Moves one chunk; 0 done, 1 failed (*why_r), -1 connection lost. */
static int
ap_move_chunk(struct cmd_apply *ap, const char *chunk, const char *dest, bool *marked_r,
    char **why_r, char **error_r)
{
	struct imap_client *client = cmd_imap_client(ap->session);
	struct imap_cmd_callbacks cb = { ap_move_done, NULL, ap };
	bool move = imap_client_has(client, IMAP_CAP_MOVE);
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		ap->result = IMAP_RESULT_LOST;
		ap->trycreate = false;
		if (move)
			(void)imap_cmd_uid_move(client, chunk, dest, &cb);
		else
			(void)imap_cmd_uid_copy(client, chunk, dest, &cb);
		if (ap_wait(ap, error_r) != 0)
			return -1;
		if (ap->result == IMAP_RESULT_OK)
			break;
		if (!ap->trycreate || attempt > 0) {
			*why_r = xstrdup(ap->failure);
			return 1;
		}
		{
			int c = ap_create(ap, dest, why_r, error_r);

			if (c != 0)
				return c;
		}
	}
	if (move)
		return 0;
	/* The copy is made; the originals go only with proof of it. */
	ap->result = IMAP_RESULT_LOST;
	cb.done = ap_done;
	if (imap_cmd_uid_expunge_moved(client, chunk, &cb) != 0) {
		if (imap_cmd_uid_mark_copied(client, chunk, &cb) != 0) {
			*why_r = xstrdup("copied, but the originals could not be marked");
			return 1;
		}
		*marked_r = true;
	}
	if (ap_wait(ap, error_r) != 0)
		return -1;
	if (ap->result != IMAP_RESULT_OK) {
		*why_r = xasprintf("copied, but removing the originals failed: %s", ap->failure);
		return 1;
	}
	return 0;
}

static int
ap_move_action(struct cmd_apply *ap, const char *wire, const char *shown,
    const struct cmd_action *a, const struct sync_uids *uids, bool quiet,
    struct cmd_apply_result *res, char **error_r)
{
	char *dest = NULL, *dest_shown, *what, *why = NULL, *chunk;
	bool marked = false;
	size_t pos = 0, i, done = 0;
	int r = 0;

	if (a->def->kind == CMD_ACTION_DELETE) {
		if (ap_trash(ap, error_r) != 0)
			return -1;
		dest = xstrdup(ap->trash);
	} else
		dest = ap_wire_name(ap, a->arg);
	/* Named as the user wrote it; Trash as the server spells it. */
	dest_shown = a->def->kind == CMD_ACTION_DELETE ? ap_display(dest) :
	    safe_text_line(a->arg, strlen(a->arg), 200);
	what = a->def->kind == CMD_ACTION_DELETE ? xasprintf("delete (to %s)", dest_shown) :
	    xasprintf("move to %s", dest_shown);
	if (strcmp(dest, wire) == 0) {
		/* Already there: nothing to do (deleting in Trash is not a
		 * purge). */
		res->already = uids->n;
		if (!quiet && !ap->silent)
			fprintf(stderr, "%s: %s: %zu message%s already there\n", shown, what,
			    uids->n, uids->n == 1 ? "" : "s");
		goto out;
	}
	res->changed = uids->n;
	if (ap->dry_run) {
		for (i = 0; i < uids->n; i++)
			ap_print_dry(ap, shown, ap->idx, uids->v[i], what);
	} else if (uids->n > 0) {
		if (ap_select(ap, wire, error_r) != 0) {
			r = -1;
			goto out;
		}
		while ((chunk = sync_uids_format(uids, &pos, APPLY_SET_MAX)) != NULL) {
			size_t before = done;

			r = ap_move_chunk(ap, chunk, dest, &marked, &why, error_r);
			free(chunk);
			if (r != 0)
				break;
			done = pos;
			if (ap->idx != NULL && strcmp(ap->idx_folder, wire) == 0)
				for (i = before; i < done; i++)
					(void)index_remove(ap->idx, uids->v[i]);
		}
		res->changed = done;
	}
	if (r == 1) {
		log_error("%s: %s failed after %zu of %zu messages: %s", shown, what, done,
		    uids->n, why);
		res->failed = true;
		r = 0;
	} else if (r == 0 && !ap->silent && (!quiet || res->changed > 0)) {
		fprintf(stderr, "%s: %s%s: %lu message%s%s\n", shown, ap->dry_run ? "would " : "",
		    what, res->changed, res->changed == 1 ? "" : "s",
		    ap->dry_run ? "" : " moved");
	}
	if (marked) {
		log_warn("%s: the server has no UIDPLUS, so tern copied the messages to %s "
		    "and only marked the originals \\Deleted: they stay in %s until you "
		    "expunge them yourself", shown, dest_shown, shown);
	}
out:
	free(why);
	free(what);
	free(dest_shown);
	free(dest);
	return r;
}

int
cmd_apply_actions(struct cmd_apply *ap, const char *folder, const struct cmd_actions *a,
    const struct sync_uids *uids, bool quiet_if_none, struct cmd_apply_result *results,
    char **error_r)
{
	char *wire = ap_wire_name(ap, folder), *shown;
	struct index *fetched = NULL;
	const struct index *flags_idx = NULL;
	bool flag_actions = false;
	size_t i;
	int r = 0;

	memset(results, 0, sizeof(*results) * a->n);
	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	shown = safe_text_line(folder, strlen(folder), 200);
	for (i = 0; i < a->n; i++)
		flag_actions = flag_actions || !action_moves(&a->v[i]);
	if (ap_select(ap, wire, error_r) != 0) {
		r = -1;
		goto out;
	}
	/* What the messages carry now: the held index, else a FETCH. */
	if (flag_actions && uids->n > 0) {
		if (ap->given != NULL)
			flags_idx = ap->given;
		else if (ap->idx != NULL && strcmp(ap->idx_folder, wire) == 0)
			flags_idx = ap->idx;
		else if (ap_fetch_flags(ap, uids, &fetched, error_r) != 0) {
			r = -1;
			goto out;
		} else
			flags_idx = fetched;
	}
	/* Flags first, so that what moves carries them; the move last. */
	for (i = 0; i < a->n && r == 0; i++) {
		if (!action_moves(&a->v[i]))
			r = ap_flag_action(ap, shown, &a->v[i], flags_idx, uids, quiet_if_none,
			    &results[i], error_r);
	}
	for (i = 0; i < a->n && r == 0; i++) {
		if (action_moves(&a->v[i]))
			r = ap_move_action(ap, wire, shown, &a->v[i], uids, quiet_if_none,
			    &results[i], error_r);
	}
out:
	index_destroy(&fetched);
	free(shown);
	free(wire);
	return r;
}

int
cmd_apply_fetch_flags(struct cmd_apply *ap, const char *folder, const struct sync_uids *uids,
    struct index **idx_r, char **error_r)
{
	*idx_r = NULL;
	if (cmd_apply_open(ap, folder, NULL, NULL, error_r) != 0)
		return -1;
	if (uids->n == 0) {
		*idx_r = index_create();
		return 0;
	}
	return ap_fetch_flags(ap, uids, idx_r, error_r);
}

void
cmd_apply_use_flags(struct cmd_apply *ap, const struct index *idx)
{
	ap->given = idx;
}

struct cmd_imap *
cmd_apply_session(const struct cmd_apply *ap)
{
	return ap->session;
}

bool
cmd_apply_silent(const struct cmd_apply *ap)
{
	return ap->silent;
}

void
cmd_apply_set_silent(struct cmd_apply *ap, bool silent)
{
	ap->silent = silent;
}

void
cmd_apply_local(struct cmd_apply *ap, const struct cmd_actions *a, struct index *idx,
    const struct sync_uids *uids)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		struct change c;

		if (action_moves(&a->v[i])) {
			for (j = 0; j < uids->n; j++)
				(void)index_remove(idx, uids->v[j]);
			continue;
		}
		action_change(ap, &a->v[i], &c);
		for (j = 0; j < uids->n; j++) {
			if (a->v[i].def->kind == CMD_ACTION_ASSIGN)
				change_drop_assignees(&c, idx, uids->v[j]);
			change_apply_index(&c, idx, uids->v[j]);
		}
		change_free(&c);
	}
}

const char *
cmd_apply_trash(struct cmd_apply *ap, char **error_r)
{
	return ap_trash(ap, error_r) == 0 ? ap->trash : NULL;
}

int
cmd_apply_find_copy(struct cmd_apply *ap, const char *message_id, uint64_t size,
    const char *date, struct sync_uids *uids, char **error_r)
{
	struct imap_search_arg args[7];
	struct plan_search search = { args, 0 };
	struct sync_uids found;
	size_t i;

	if (message_id != NULL) {
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_KEY, "HEADER", 0 };
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_STRING, "Message-ID", 0 };
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_STRING, message_id, 0 };
	} else {
		/* Exactly size octets: larger than size - 1, smaller than size + 1. */
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_KEY, "LARGER", 0 };
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_NUMBER, NULL,
		    size > 0 ? size - 1 : 0 };
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_KEY, "SMALLER", 0 };
		args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_NUMBER, NULL, size + 1 };
		if (date != NULL) {
			args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_KEY, "HEADER", 0 };
			args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_STRING, "Date", 0 };
			args[search.nargs++] = (struct imap_search_arg){ IMAP_SEARCH_STRING, date, 0 };
		}
	}
	if (ap_search(ap, &search, NULL, &found, error_r) != 0)
		return -1;
	for (i = 0; i < found.n; i++)
		sync_uids_add(uids, found.v[i]);
	sync_uids_free(&found);
	return 0;
}

int
cmd_apply_find_message_id(struct cmd_apply *ap, const char *message_id,
    struct sync_uids *uids, char **error_r)
{
	return cmd_apply_find_copy(ap, message_id, 0, NULL, uids, error_r);
}

int
cmd_apply_held_index(struct cmd_apply *ap, const char *folder, const struct index **idx_r,
    char **error_r)
{
	char *wire = ap_wire_name(ap, folder);
	int r;

	*idx_r = NULL;
	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	r = ap_load_index(ap, wire, error_r) == 0 && ap_select(ap, wire, error_r) == 0 ? 0 : -1;
	free(wire);
	if (r == 0)
		*idx_r = ap->idx;
	return r;
}

void
cmd_apply_held_change(struct cmd_apply *ap, const struct sync_uids *uids,
    const char *const *add, const char *const *remove)
{
	struct change c;
	size_t i;

	/* Only the folder the stores went to. */
	if (ap->idx == NULL || ap->selected == NULL || strcmp(ap->idx_folder, ap->selected) != 0)
		return;
	memset(&c, 0, sizeof(c));
	for (i = 0; add != NULL && add[i] != NULL; i++)
		change_add(&c, true, add[i]);
	for (i = 0; remove != NULL && remove[i] != NULL; i++)
		change_add(&c, false, remove[i]);
	for (i = 0; i < uids->n; i++)
		change_apply_index(&c, ap->idx, uids->v[i]);
	change_free(&c);
}

/* The end of one command queued (q: what queuing it returned): 0 done,
 * 1 not sent or refused (*why_r), -1 the connection was lost. */
static int
ap_run(struct cmd_apply *ap, int q, char **why_r, char **error_r)
{
	if (q != 0) {
		*why_r = xstrdup("tern could not write the command (a bug)");
		return 1;
	}
	if (ap_wait(ap, error_r) != 0)
		return -1;
	if (ap->result != IMAP_RESULT_OK) {
		*why_r = xstrdup(ap->failure);
		return 1;
	}
	return 0;
}

int
cmd_apply_store(struct cmd_apply *ap, const struct sync_uids *uids, bool add,
    const char *const *flags, uint64_t unchangedsince, bool *modified_r, char **why_r,
    char **error_r)
{
	return ap_store_flags(ap, uids, add, false, flags, unchangedsince, modified_r, why_r,
	    error_r);
}

/* "* MYRIGHTS mailbox rights". */
static void
ap_rights_data(void *ctx, const struct imap_response *r)
{
	struct cmd_apply *ap = ctx;
	const char *rights;
	size_t len;

	if (r->count == 3 && imap_arg_get_astring(&r->args[2], &rights, &len)) {
		free(ap->rights);
		ap->rights = xstrndup(rights, len);
	}
}

int
cmd_apply_myrights(struct cmd_apply *ap, const char *folder, char **rights_r,
    char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, ap_rights_data, ap };
	char *wire = ap_wire_name(ap, folder);

	*rights_r = NULL;
	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	/* Without ACL the server has no rights to tell. */
	if (!imap_client_has(cmd_imap_client(ap->session), IMAP_CAP_ACL)) {
		free(wire);
		return 0;
	}
	free(ap->rights);
	ap->rights = NULL;
	ap_set_handlers(ap);
	ap->result = IMAP_RESULT_LOST;
	if (imap_cmd_myrights(cmd_imap_client(ap->session), wire, &cb) != 0) {
		free(wire);
		*error_r = xstrdup("the folder name cannot be sent");
		return -1;
	}
	free(wire);
	if (ap_wait(ap, error_r) != 0)
		return -1;
	if (ap->result == IMAP_RESULT_OK && ap->rights != NULL) {
		*rights_r = ap->rights;
		ap->rights = NULL;
	}
	return 0;
}

int
cmd_apply_fetch_headers(struct cmd_apply *ap, const struct sync_uids *uids,
    const char *const *fields, cmd_apply_header_fn *fn, void *ctx, char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, NULL, ap };
	struct imap_fetch_params fp;
	size_t pos = 0;
	char *set;
	int r;

	memset(&fp, 0, sizeof(fp));
	fp.items = IMAP_FETCH_UID | IMAP_FETCH_HEADER;
	fp.header_fields = fields;
	ap_set_handlers(ap);
	ap->header_fn = fn;
	ap->header_ctx = ctx;
	ap->result = IMAP_RESULT_OK;
	while ((set = sync_uids_format(uids, &pos, APPLY_SET_MAX)) != NULL) {
		(void)imap_cmd_uid_fetch(cmd_imap_client(ap->session), set, &fp, &cb);
		free(set);
	}
	r = ap_wait(ap, error_r);
	ap->header_fn = NULL;
	ap->header_ctx = NULL;
	return r;
}

/* "* METADATA mailbox (entry value)": the value, NIL for none. */
static void
ap_metadata_data(void *ctx, const struct imap_response *r)
{
	struct cmd_apply *ap = ctx;
	const struct imap_arg *list;
	const char *v;
	size_t count, len;

	if (r->count == 3 && imap_arg_get_list(&r->args[2], &list, &count) && count == 2 &&
	    imap_arg_get_astring(&list[1], &v, &len)) {
		free(ap->metadata);
		ap->metadata = xstrndup(v, len);
	}
}

int
cmd_apply_metadata(struct cmd_apply *ap, const char *folder, const char *entry,
    const char *set, char **value_r, char **why_r, char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, ap_metadata_data, ap };
	struct imap_client *client = cmd_imap_client(ap->session);
	char *wire = ap_wire_name(ap, folder);
	int q;

	if (value_r != NULL)
		*value_r = NULL;
	*why_r = NULL;
	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	if (!imap_client_has(client, IMAP_CAP_METADATA)) {
		free(wire);
		*why_r = xstrdup("the server has no METADATA (RFC 5464)");
		return 0;
	}
	free(ap->metadata);
	ap->metadata = NULL;
	ap->result = IMAP_RESULT_LOST;
	q = set != NULL ? imap_cmd_setmetadata(client, wire, entry, set, &cb) :
	    imap_cmd_getmetadata(client, wire, entry, &cb);
	free(wire);
	if ((q = ap_run(ap, q, why_r, error_r)) != 0)
		return q < 0 ? -1 : 0;
	if (value_r != NULL) {
		*value_r = ap->metadata;
		ap->metadata = NULL;
	}
	return 0;
}

/* "* ACL mailbox id rights id rights ...". */
static void
ap_acl_data(void *ctx, const struct imap_response *r)
{
	struct cmd_apply *ap = ctx;
	const char *v;
	size_t i, len;

	for (i = 2; i + 1 < r->count; i += 2) {
		const char *id;
		size_t idlen;

		if (!imap_arg_get_astring(&r->args[i], &id, &idlen) ||
		    !imap_arg_get_astring(&r->args[i + 1], &v, &len))
			break;
		ap->acl = xreallocarray(ap->acl, ap->nacl + 3, sizeof(*ap->acl));
		ap->acl[ap->nacl++] = xstrndup(id, idlen);
		ap->acl[ap->nacl++] = xstrndup(v, len);
		ap->acl[ap->nacl] = NULL;
	}
}

int
cmd_apply_acl(struct cmd_apply *ap, const char *folder, char ***acl_r, size_t *n_r,
    char **why_r, char **error_r)
{
	struct imap_cmd_callbacks cb = { ap_done, ap_acl_data, ap };
	char *wire = ap_wire_name(ap, folder);
	int q;

	*acl_r = NULL;
	*n_r = 0;
	*why_r = NULL;
	if (wire == NULL) {
		*error_r = xasprintf("folder name '%s' is not valid UTF-8", folder);
		return -1;
	}
	strv_free(&ap->acl, &ap->nacl);
	ap->result = IMAP_RESULT_LOST;
	q = imap_cmd_getacl(cmd_imap_client(ap->session), wire, &cb);
	free(wire);
	if (q != 0) {
		*why_r = xstrdup("the server has no ACL (RFC 4314)");
		return 0;
	}
	if ((q = ap_run(ap, 0, why_r, error_r)) != 0) {
		strv_free(&ap->acl, &ap->nacl);
		return q < 0 ? -1 : 0;
	}
	*acl_r = ap->acl;
	*n_r = ap->nacl;
	ap->acl = NULL;
	ap->nacl = 0;
	return 0;
}
