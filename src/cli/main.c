/* tern's entry point: parse the command line and run one command. */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "net/net.h"
#include "ui/ui.h"

enum {
	OPT_CHECK = 256, OPT_SYNC, OPT_LIST, OPT_JSON, OPT_MATCH, OPT_FILTER,
	OPT_DRY_RUN, OPT_RULES, OPT_TEAM_REPORT, OPT_FETCH_POP, OPT_INTO,
	OPT_FOLDERS, OPT_RENDER, OPT_VERSION, OPT_HELP, OPT_OFFLINE, OPT_ALL,
	OPT_SORT, OPT_REVERSE, OPT_BODIES, OPT_SEARCH_ON, OPT_SEND,
	OPT_POSTPONE, OPT_REPLAY, OPT_JOURNAL,
	/* batch actions on --match */
	OPT_ADD_LABEL, OPT_REMOVE_LABEL, OPT_MARK_READ, OPT_MARK_UNREAD,
	OPT_FLAG, OPT_UNFLAG, OPT_MOVE, OPT_DELETE, OPT_STATUS, OPT_ASSIGN,
	OPT_CLAIM,
};

static const struct option cli_long_options[] = {
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "bodies", optional_argument, NULL, OPT_BODIES },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "match", required_argument, NULL, OPT_MATCH },
	{ "filter", no_argument, NULL, OPT_FILTER },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "search-on", required_argument, NULL, OPT_SEARCH_ON },
	{ "team-report", no_argument, NULL, OPT_TEAM_REPORT },
	{ "fetch-pop", required_argument, NULL, OPT_FETCH_POP },
	{ "into", required_argument, NULL, OPT_INTO },
	{ "folders", no_argument, NULL, OPT_FOLDERS },
	{ "render", no_argument, NULL, OPT_RENDER },
	{ "send", no_argument, NULL, OPT_SEND },
	{ "postpone", no_argument, NULL, OPT_POSTPONE },
	{ "replay", no_argument, NULL, OPT_REPLAY },
	{ "journal", no_argument, NULL, OPT_JOURNAL },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "add-label", required_argument, NULL, OPT_ADD_LABEL },
	{ "remove-label", required_argument, NULL, OPT_REMOVE_LABEL },
	{ "mark-read", no_argument, NULL, OPT_MARK_READ },
	{ "mark-unread", no_argument, NULL, OPT_MARK_UNREAD },
	{ "flag", no_argument, NULL, OPT_FLAG },
	{ "unflag", no_argument, NULL, OPT_UNFLAG },
	{ "move", required_argument, NULL, OPT_MOVE },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "assign", required_argument, NULL, OPT_ASSIGN },
	{ "claim", no_argument, NULL, OPT_CLAIM },
	{ NULL, 0, NULL, 0 },
};

/* Records a command flag; two different commands on one line are a usage
 * error. Returns 0 or -1. */
static int
cli_set_mode(struct cli_opts *opts, enum cli_mode mode)
{
	if (opts->mode != CLI_MODE_INTERACTIVE && opts->mode != mode) {
		log_error("%s and %s cannot be used together (see tern --help)",
		    cli_mode_flag(opts->mode), cli_mode_flag(mode));
		return -1;
	}
	opts->mode = mode;
	return 0;
}

/* Returns 0 and fills opts, or -1 after printing a usage error. */
static int
cli_parse(int argc, char **argv, struct cli_opts *opts)
{
	int c, r = 0, longindex = 0;

	memset(opts, 0, sizeof(*opts));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:A:f:hV", cli_long_options, &longindex)) != -1) {
		switch (c) {
		case 'F': opts->mailrc = optarg; break;
		case 'A': opts->account = optarg; break;
		case 'f': opts->folder = optarg; break;
		case 'h': case OPT_HELP: r |= cli_set_mode(opts, CLI_MODE_HELP); break;
		case 'V': case OPT_VERSION: r |= cli_set_mode(opts, CLI_MODE_VERSION); break;
		case OPT_CHECK: r |= cli_set_mode(opts, CLI_MODE_CHECK); break;
		case OPT_SYNC: r |= cli_set_mode(opts, CLI_MODE_SYNC); break;
		case OPT_LIST: r |= cli_set_mode(opts, CLI_MODE_LIST); break;
		case OPT_FILTER: r |= cli_set_mode(opts, CLI_MODE_FILTER); break;
		case OPT_TEAM_REPORT: r |= cli_set_mode(opts, CLI_MODE_TEAM_REPORT); break;
		case OPT_FOLDERS: r |= cli_set_mode(opts, CLI_MODE_FOLDERS); break;
		case OPT_RENDER: r |= cli_set_mode(opts, CLI_MODE_RENDER); break;
		case OPT_SEND: r |= cli_set_mode(opts, CLI_MODE_SEND); break;
		case OPT_POSTPONE: r |= cli_set_mode(opts, CLI_MODE_POSTPONE); break;
		case OPT_REPLAY: r |= cli_set_mode(opts, CLI_MODE_REPLAY); break;
		case OPT_JOURNAL: r |= cli_set_mode(opts, CLI_MODE_JOURNAL); break;
		case OPT_FETCH_POP:
			opts->fetch_pop = optarg;
			r |= cli_set_mode(opts, CLI_MODE_FETCH_POP);
			break;
		case OPT_MATCH: opts->query = optarg; break;
		case OPT_INTO: opts->into = optarg; break;
		case OPT_RULES: opts->rules = optarg; break;
		case OPT_JSON: opts->json = true; break;
		case OPT_DRY_RUN: opts->dry_run = true; break;
		case OPT_OFFLINE: opts->offline = true; break;
		case OPT_SORT: opts->sort = optarg; break;
		case OPT_REVERSE: opts->reverse = true; break;
		case OPT_ALL: opts->all = true; break;
		case OPT_SEARCH_ON: opts->search_on = optarg; break;
		case OPT_BODIES:
			opts->bodies = true;
			opts->bodies_query = optarg;
			break;
		case OPT_ADD_LABEL: case OPT_REMOVE_LABEL: case OPT_MARK_READ:
		case OPT_MARK_UNREAD: case OPT_FLAG: case OPT_UNFLAG: case OPT_MOVE:
		case OPT_DELETE: case OPT_STATUS: case OPT_ASSIGN: case OPT_CLAIM:
			/* In order: the action table gives them meaning. */
			if (opts->nactions == (int)(sizeof(opts->actions) / sizeof(opts->actions[0]))) {
				log_error("too many actions");
				return -1;
			}
			opts->actions[opts->nactions].name = cli_long_options[longindex].name;
			opts->actions[opts->nactions].arg = optarg;
			opts->nactions++;
			break;
		case ':':
			log_error("option %s needs a value (see tern --help)", argv[optind - 1]);
			return -1;
		default:
			log_error("unknown option '%s' (see tern --help)", argv[optind - 1]);
			return -1;
		}
		if (r != 0)
			return -1;
	}
	opts->nargs = argc - optind;
	opts->args = argv + optind;

	/* --match QUERY with actions is the batch action command; with
	 * --list it only narrows the listing. */
	if (opts->query != NULL && opts->mode == CLI_MODE_INTERACTIVE) {
		if (opts->nactions == 0) {
			log_error("--match needs an action (--add-label, --move, ...) "
			    "or --list (see tern --help)");
			return -1;
		}
		opts->mode = CLI_MODE_MATCH;
	} else if (opts->nactions > 0 && opts->mode != CLI_MODE_MATCH) {
		log_error("actions such as --add-label need --match QUERY");
		return -1;
	}
	if (opts->bodies && opts->mode != CLI_MODE_SYNC) {
		log_error("--bodies goes with --sync");
		return -1;
	}
	if (opts->into != NULL && opts->mode != CLI_MODE_FETCH_POP) {
		log_error("--into goes with --fetch-pop ACCOUNT");
		return -1;
	}
	if (opts->mode == CLI_MODE_FETCH_POP && opts->into == NULL) {
		log_error("--fetch-pop %s needs --into ACCOUNT[:FOLDER]", opts->fetch_pop);
		return -1;
	}
	if (opts->search_on != NULL && (opts->mode != CLI_MODE_LIST || opts->query == NULL ||
	    (strcmp(opts->search_on, "server") != 0 && strcmp(opts->search_on, "cache") != 0))) {
		log_error("--search-on server|cache goes with --list --match QUERY");
		return -1;
	}
	if (opts->all && opts->mode != CLI_MODE_FILTER) {
		log_error("--all goes with --filter");
		return -1;
	}
	if (opts->dry_run && opts->mode != CLI_MODE_FILTER && opts->mode != CLI_MODE_MATCH) {
		log_error("--dry-run goes with --filter or --match");
		return -1;
	}
	if (opts->query != NULL && opts->mode != CLI_MODE_LIST && opts->mode != CLI_MODE_MATCH) {
		log_error("--match goes with --list, or with actions");
		return -1;
	}
	if (opts->offline && opts->mode != CLI_MODE_CHECK && opts->mode != CLI_MODE_LIST &&
	    opts->mode != CLI_MODE_MATCH && opts->mode != CLI_MODE_SEND &&
	    opts->mode != CLI_MODE_POSTPONE && opts->mode != CLI_MODE_TEAM_REPORT) {
		log_error("--offline goes with --check, --list, --match, --send, --postpone "
		    "or --team-report");
		return -1;
	}
	if (opts->nargs > 0 && (opts->mode == CLI_MODE_INTERACTIVE ||
	    opts->mode == CLI_MODE_CHECK || opts->mode == CLI_MODE_VERSION ||
	    opts->mode == CLI_MODE_FOLDERS || opts->mode == CLI_MODE_REPLAY ||
	    opts->mode == CLI_MODE_JOURNAL ||
	    opts->mode == CLI_MODE_HELP)) {
		log_error("unexpected argument '%s' (see tern --help)", opts->args[0]);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli_opts opts;
	struct conf *conf = NULL;
	int status;

	setlocale(LC_ALL, "");
	if (cli_parse(argc, argv, &opts) != 0)
		return EXIT_USAGE;

	switch (opts.mode) {
	case CLI_MODE_HELP:
		cli_help_print();
		return EXIT_OK;
	case CLI_MODE_VERSION:
		cli_version_print();
		return EXIT_OK;
	case CLI_MODE_RENDER:
		/* --render needs no mailrc and no network. */
		return cli_render(&opts);
	default:
		break;
	}

	/* Once, here, before any thread could start a transfer. */
	net_global_init();
	status = cli_config_load(&opts, &conf);
	if (status != EXIT_OK)
		return status;

	switch (opts.mode) {
	case CLI_MODE_CHECK:
		status = cli_check(&opts, conf);
		break;
	case CLI_MODE_FOLDERS:
		status = cli_folders(&opts, conf);
		break;
	case CLI_MODE_SYNC:
		status = cli_sync(&opts, conf);
		break;
	case CLI_MODE_LIST:
		status = cli_list(&opts, conf);
		break;
	case CLI_MODE_MATCH:
		status = cli_match(&opts, conf);
		break;
	case CLI_MODE_FILTER:
		status = cli_filter(&opts, conf);
		break;
	case CLI_MODE_SEND:
		status = cli_send(&opts, conf);
		break;
	case CLI_MODE_POSTPONE:
		status = cli_postpone(&opts, conf);
		break;
	case CLI_MODE_REPLAY:
		status = cli_replay(&opts, conf);
		break;
	case CLI_MODE_JOURNAL:
		status = cli_journal(&opts, conf);
		break;
	case CLI_MODE_FETCH_POP:
		status = cli_fetch_pop(&opts, conf);
		break;
	case CLI_MODE_TEAM_REPORT:
		status = cli_team_report(&opts, conf);
		break;
	case CLI_MODE_INTERACTIVE: {
		const struct conf_account *acct = cli_account(&opts, conf);

		status = acct != NULL ? ui_main(conf, acct, opts.folder) : EXIT_USAGE;
		break;
	}
	default:
		log_error("%s is not built yet in this version", cli_mode_flag(opts.mode));
		status = EXIT_USAGE;
		break;
	}
	conf_destroy(&conf);
	return status;
}
