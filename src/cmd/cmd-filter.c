/* Filter rules and their resumable run (cmd-filter.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-filter.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* Most UIDs a recorded set may expand to (a folder cannot hold more). */
#define FILTER_SET_MAX 50000000u

/* ---- rules ---- */

/* The next word of s from *pos: quotes group ("a b", with \" and \\),
 * into a new string; NULL at the end. *start_r gets where it began. */
static char *
rule_word(const char *s, size_t *pos, size_t *start_r, char **error_r)
{
	struct buf b;
	size_t i = *pos;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] == '\0') {
		*pos = i;
		return NULL;
	}
	*start_r = i;
	buf_init(&b, 4096);
	while (s[i] != '\0' && s[i] != ' ' && s[i] != '\t') {
		if (s[i] == '"') {
			size_t open = i++;

			while (s[i] != '\0' && s[i] != '"') {
				if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
					i++;
				buf_addc(&b, s[i++]);
			}
			if (s[i] != '"') {
				*error_r = xasprintf("column %zu: the quote is not closed",
				    open + 1);
				buf_free(&b);
				return NULL;
			}
			i++;
		} else
			buf_addc(&b, s[i++]);
	}
	*pos = i;
	return buf_detach(&b);
}

/* Where the actions start: the first "--" word outside quotes. */
static size_t
rule_actions_start(const char *s)
{
	bool quoted = false, word_start = true;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (quoted) {
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			else if (s[i] == '"')
				quoted = false;
			continue;
		}
		if (word_start && s[i] == '-' && s[i + 1] == '-')
			return i;
		if (s[i] == '"')
			quoted = true;
		word_start = s[i] == ' ' || s[i] == '\t' || s[i] == '(';
	}
	return i;
}

int
cmd_rule_parse(const char *text, struct cmd_rule *rule, char **error_r)
{
	struct query_error qerr;
	size_t split = rule_actions_start(text), qlen, pos, start;
	char *word, *werr = NULL;

	memset(rule, 0, sizeof(*rule));
	for (qlen = split; qlen > 0 && (text[qlen - 1] == ' ' || text[qlen - 1] == '\t'); qlen--)
		;
	rule->query = query_parse(text, qlen, &qerr);
	if (rule->query == NULL) {
		*error_r = xasprintf("query column %u: %s", qerr.col, qerr.msg);
		return -1;
	}
	pos = split;
	while ((word = rule_word(text, &pos, &start, &werr)) != NULL) {
		const struct cmd_action_def *def;
		char *arg = NULL, *aerr = NULL;

		if (rule->actions.stop) {
			*error_r = xasprintf("column %zu: 'stop' ends the rule", start + 1);
			goto fail_word;
		}
		if (strcmp(word, "stop") == 0 && rule->actions.n > 0) {
			rule->actions.stop = true;
			free(word);
			continue;
		}
		if (!str_has_prefix(word, "--") || (def = cmd_action_lookup(word)) == NULL) {
			*error_r = xasprintf("column %zu: '%s' is not an action (--add-label, "
			    "--move, ... or a final stop)", start + 1, word);
			goto fail_word;
		}
		if (def->arg != NULL && (arg = rule_word(text, &pos, &start, &werr)) == NULL) {
			*error_r = werr != NULL ? werr : xasprintf("%s needs a %s", word, def->arg);
			werr = NULL;
			goto fail_word;
		}
		if (cmd_actions_add(&rule->actions, word, arg, &aerr) != 0) {
			*error_r = aerr;
			free(arg);
			goto fail_word;
		}
		free(arg);
		free(word);
	}
	if (werr != NULL) {
		*error_r = werr;
		goto fail;
	}
	if (rule->actions.n == 0) {
		*error_r = xstrdup("the rule has no action (filter QUERY --ACTION...)");
		goto fail;
	}
	if (cmd_actions_check(&rule->actions, error_r) != 0)
		goto fail;
	rule->text = xstrdup(text);
	return 0;
fail_word:
	free(word);
fail:
	free(werr);
	query_free(&rule->query);
	cmd_actions_free(&rule->actions);
	return -1;
}

static void
rule_free(struct cmd_rule *r)
{
	free(r->file);
	free(r->text);
	query_free(&r->query);
	cmd_actions_free(&r->actions);
}

int
cmd_rules_from_conf(const struct conf *conf, struct cmd_rules *rules)
{
	size_t i, n = conf_list_count(conf, CONF_LIST_FILTER);
	int r = 0;

	memset(rules, 0, sizeof(*rules));
	rules->v = xcalloc(n + 1, sizeof(*rules->v));
	for (i = 0; i < n; i++) {
		struct cmd_rule *rule = &rules->v[rules->n];
		char *error = NULL;

		if (cmd_rule_parse(conf_list_arg(conf, CONF_LIST_FILTER, i, 0), rule, &error) != 0) {
			fprintf(stderr, "%s:%u: %s\n", conf_list_file(conf, CONF_LIST_FILTER, i),
			    conf_list_line(conf, CONF_LIST_FILTER, i), error);
			free(error);
			r = -1;
			continue;
		}
		rule->file = xstrdup(conf_list_file(conf, CONF_LIST_FILTER, i));
		rule->line = conf_list_line(conf, CONF_LIST_FILTER, i);
		rules->n++;
	}
	if (r != 0)
		cmd_rules_free(rules);
	return r;
}

void
cmd_rules_free(struct cmd_rules *rules)
{
	size_t i;

	for (i = 0; i < rules->n; i++)
		rule_free(&rules->v[i]);
	free(rules->v);
	memset(rules, 0, sizeof(*rules));
}

unsigned long
cmd_rules_digest(const struct cmd_rules *rules)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	/* FNV-1a over the rules' text: a change of any rule shows. */
	for (i = 0; i < rules->n; i++) {
		const unsigned char *p = (const unsigned char *)rules->v[i].text;

		for (; *p != '\0'; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ '\n') * 1099511628211ull;
	}
	return (unsigned long)(h & 0xffffffffu);
}

/* ---- progress ---- */

struct filter_state {
	uint32_t uidvalidity;
	uint32_t cursor;		/* every UID up to it is done */
	uint32_t high;			/* the batch's top UID; 0: no batch */
	uint32_t rule;			/* the rule in progress */
	unsigned long digest;
	bool have_matched;
	struct sync_uids matched;	/* what that rule matched */
	struct sync_uids stopped;	/* hidden from later rules */
};

static char *
state_name(const char *account, const char *folder)
{
	return xasprintf("filter/%s/%s", account, folder);
}

static void
state_free(struct filter_state *st)
{
	sync_uids_free(&st->matched);
	sync_uids_free(&st->stopped);
}

static void
state_add_set(struct buf *b, const char *name, const struct sync_uids *u, bool have)
{
	size_t pos = 0;
	char *set;

	buf_printf(b, "%s ", name);
	if (!have || u->n == 0)
		buf_addc(b, '-');
	while (have && (set = sync_uids_format(u, &pos, SIZE_MAX)) != NULL) {
		buf_addstr(b, set);
		free(set);
	}
	buf_addc(b, '\n');
}

static int
state_save(struct cache *cache, const char *name, const struct filter_state *st,
    char **error_r)
{
	struct buf b;
	int r;

	buf_init(&b, SIZE_MAX);
	buf_printf(&b, "tern-filter 1\nuidvalidity %" PRIu32 "\ncursor %" PRIu32
	    "\nhigh %" PRIu32 "\nrule %" PRIu32 "\ndigest %lu\n", st->uidvalidity,
	    st->cursor, st->high, st->rule, st->digest);
	state_add_set(&b, "matched", &st->matched, st->have_matched);
	state_add_set(&b, "stopped", &st->stopped, true);
	r = cache_state_put(cache, name, buf_ptr(&b), buf_len(&b), error_r);
	buf_free(&b);
	return r;
}

/* Reads a saved state; 1 found, 0 none (or unreadable: warned). */
static int
state_load(struct cache *cache, const char *name, struct filter_state *st, char **error_r)
{
	char *val = NULL, *line, *save = NULL;
	size_t len;
	unsigned fields = 0;
	int r;

	memset(st, 0, sizeof(*st));
	sync_uids_init(&st->matched);
	sync_uids_init(&st->stopped);
	if ((r = cache_state_get(cache, name, &val, &len, error_r)) <= 0)
		return r;
	val = xrealloc(val, len + 1);
	val[len] = '\0';
	for (line = strtok_r(val, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char key[16], arg[32];
		const char *sp = strchr(line, ' ');
		uint64_t n;

		if (sp == NULL || (size_t)(sp - line) >= sizeof(key))
			goto bad;
		memcpy(key, line, (size_t)(sp - line));
		key[sp - line] = '\0';
		if (strcmp(key, "matched") == 0 || strcmp(key, "stopped") == 0) {
			struct sync_uids *u = key[0] == 'm' ? &st->matched : &st->stopped;

			if (strcmp(sp + 1, "-") != 0 &&
			    sync_uids_add_set(u, sp + 1, FILTER_SET_MAX) != 0)
				goto bad;
			if (key[0] == 'm')
				st->have_matched = strcmp(sp + 1, "-") != 0;
			sync_uids_unique(u);
			fields++;
			continue;
		}
		snprintf(arg, sizeof(arg), "%s", sp + 1);
		if (strcmp(key, "tern-filter") == 0) {
			if (strcmp(arg, "1") != 0)
				goto bad;
			fields++;
			continue;
		}
		if (str_to_u64(arg, UINT32_MAX, &n) != 0)
			goto bad;
		if (strcmp(key, "uidvalidity") == 0)
			st->uidvalidity = (uint32_t)n;
		else if (strcmp(key, "cursor") == 0)
			st->cursor = (uint32_t)n;
		else if (strcmp(key, "high") == 0)
			st->high = (uint32_t)n;
		else if (strcmp(key, "rule") == 0)
			st->rule = (uint32_t)n;
		else if (strcmp(key, "digest") == 0)
			st->digest = (unsigned long)n;
		else
			goto bad;
		fields++;
	}
	free(val);
	if (fields != 8)
		goto bad_freed;
	return 1;
bad:
	free(val);
bad_freed:
	log_warn("the filter progress of %s is damaged; starting afresh from the "
	    "newest message", name);
	state_free(st);
	memset(st, 0, sizeof(*st));
	return 0;
}

static void
uids_union(struct sync_uids *into, const struct sync_uids *add)
{
	size_t i;

	for (i = 0; i < add->n; i++)
		sync_uids_add(into, add->v[i]);
	sync_uids_unique(into);
}

static bool
rule_moves(const struct cmd_rule *rule)
{
	size_t i;

	for (i = 0; i < rule->actions.n; i++)
		if (rule->actions.v[i].def->kind == CMD_ACTION_MOVE ||
		    rule->actions.v[i].def->kind == CMD_ACTION_DELETE)
			return true;
	return false;
}

int
cmd_filter_folder(struct cmd_apply *ap, struct cache *cache, const char *account,
    const char *folder, const struct cmd_rules *rules, bool all, bool dry_run,
    struct cmd_filter_stats *stats, char **error_r)
{
	struct filter_state st;
	struct cmd_apply_result results[CMD_ACTIONS_MAX];
	char *name = state_name(account, folder);
	uint32_t uidvalidity, uidnext;
	unsigned long digest = cmd_rules_digest(rules);
	bool resume;
	size_t k, i;
	int found, r = -1;

	if (cmd_apply_open(ap, folder, &uidvalidity, &uidnext, error_r) != 0) {
		free(name);
		return -1;
	}
	if ((found = state_load(cache, name, &st, error_r)) < 0) {
		free(name);
		return -1;
	}
	if (uidnext == 0) {
		*error_r = xasprintf("the server did not say the UIDNEXT of %s", folder);
		goto out;
	}
	if (!all && (found == 0 || st.uidvalidity != uidvalidity)) {
		/* A first run: the rules apply to what arrives from now on. */
		if (!dry_run) {
			state_free(&st);
			memset(&st, 0, sizeof(st));
			st.uidvalidity = uidvalidity;
			st.cursor = uidnext - 1;
			st.digest = digest;
			if (state_save(cache, name, &st, error_r) != 0)
				goto out;
		}
		log_info("%s: first run: the rules will apply to mail arriving from now on "
		    "(--all applies them to the messages already there)", folder);
		r = 0;
		goto out;
	}
	resume = !all && st.high != 0 && st.digest == digest && st.rule <= rules->n;
	if (!resume) {
		uint32_t from = all ? 0 : st.cursor;

		state_free(&st);
		memset(&st, 0, sizeof(st));
		st.uidvalidity = uidvalidity;
		st.cursor = from;
		st.high = uidnext - 1;
		st.digest = digest;
		if (st.high <= st.cursor) {
			r = 0;		/* nothing new */
			goto out;
		}
	}
	for (k = st.rule; k < rules->n; k++) {
		const struct cmd_rule *rule = &rules->v[k];
		struct cmd_apply_scope scope = { st.cursor + 1, st.high, &st.stopped };
		struct sync_uids found_uids;

		if (!st.have_matched) {
			if (cmd_apply_find(ap, folder, rule->query, &scope, &found_uids,
			    error_r) != 0) {
				char *e = *error_r;

				*error_r = xasprintf("%s:%u: %s", rule->file != NULL ? rule->file :
				    "rule", rule->line, e);
				free(e);
				goto out;
			}
			sync_uids_free(&st.matched);
			st.matched = found_uids;
			st.have_matched = true;
			st.rule = (uint32_t)k;
			if (!dry_run && state_save(cache, name, &st, error_r) != 0)
				goto out;
		}
		/* No match, no results: nothing failed. */
		memset(results, 0, sizeof(results));
		if (st.matched.n > 0 && cmd_apply_actions(ap, folder, &rule->actions,
		    &st.matched, true, results, error_r) != 0)
			goto out;
		for (i = 0; i < rule->actions.n; i++) {
			stats->changes += results[i].changed;
			stats->failures += results[i].failed;
		}
		if (rule->actions.stop || rule_moves(rule))
			uids_union(&st.stopped, &st.matched);
		sync_uids_free(&st.matched);
		st.have_matched = false;
		st.rule = (uint32_t)k + 1;
		if (!dry_run && state_save(cache, name, &st, error_r) != 0)
			goto out;
	}
	stats->messages += st.high - st.cursor;
	st.cursor = st.high;
	st.high = 0;
	st.rule = 0;
	sync_uids_free(&st.stopped);
	if (!dry_run && state_save(cache, name, &st, error_r) != 0)
		goto out;
	r = 0;
out:
	state_free(&st);
	free(name);
	return r;
}
