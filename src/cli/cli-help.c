/* tern --help and --version. The help lists every command PRODUCT.md
 * promises and says plainly which ones this build does not have yet. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "net/net.h"

static const char cli_help_text[] =
"usage: tern [-F mailrc] [-A account] [-f folder]      interactive client" "\n"
"       tern --check [--offline]                        validate the mailrc, print warnings\n"
"       tern --sync [--bodies[=QUERY]] [folder...]      refresh the cache (and keep bodies)" "\n"
"       tern --list [--json] [--match QUERY] [folder]   print messages, one a line" "\n"
"       tern --filter [--dry-run] [--rules FILE] [--all] [folder...]  run the filter rules\n"
"       tern --match QUERY ACTION... [--dry-run] [folder...]  act on every match\n"
"       tern --team-report [--json] [team]              queues, owners, waiting times\n"
"       tern --fetch-pop ACCOUNT --into ACCOUNT[:FOLDER] import POP3 mail into IMAP" "\n"
"       tern --folders [--json]                         folders with total/unread counts" "\n"
"       tern --render [--json] [FILE]                   show one message file (or stdin)\n"
"       tern --send [--offline] [-f FOLDER] [FILE]      send a message written as in the\n"
"                                                       editor (headers, blank line, text)\n"
"       tern --postpone [--offline] [FILE]              save such a message to Drafts\n"
"       tern --replay                                   send the changes made offline\n"
"       tern --journal [--json]                         list the changes waiting\n"
"       tern --version | --help\n"
"\n"
"options:\n"
"  -F FILE      the mailrc to read (default: $XDG_CONFIG_HOME/tern/mailrc, else ~/.ternrc)\n"
"  -A ACCOUNT   the account to use (default: the first in the mailrc)\n"
"  -f FOLDER    the folder to open; with --send, where the message answered\n"
"               (In-Reply-To) is, to mark it answered (default: INBOX)\n"
"  --offline    with --check: validate the file only, contact no server, run no command;\n"
"               with --list, --team-report: use the cache as it is, and say how old it is;\n"
"               with --match, --send, --postpone: do not connect; the change goes to\n"
"               the journal (and the cache at once) and is replayed when connected.\n"
"               Without it they do the same when the server cannot be reached\n"
"  --sort KEY   with --list: date (default), thread, from, subject or size\n"
"  --reverse    with --list: newest (or largest, last) first\n"
"  --json       one JSON object a line\n"
"  --dry-run    print what would change, change nothing\n"
"  --all        with --filter: every message, not only mail new since the last run\n"
"  --rules FILE with --filter: the rules of FILE (filter lines) instead of the mailrc's\n"
"  --search-on server|cache  with --list --match: where the query is answered\n"
"\n"
"queries: from: to: cc: subject: body: list: label: status: assign: ticket:\n"
"  is:unread|read|flagged|unflagged|answered|unanswered|draft  has:attachment\n"
"  before:YYYY-MM-DD after:YYYY-MM-DD larger:10k smaller:1M\n"
"  bare words (sender or subject), \"phrases\", -negation, OR, ( )\n"
"\n"
"actions for --match:\n"
"  --add-label L  --remove-label L  --mark-read  --mark-unread  --flag  --unflag\n"
"  --move FOLDER  --delete (to Trash, never expunged)  --status open|pending|done\n"
"  --assign WHO|none  --claim (team folders: assign to me unless someone holds it)\n"
"\n"
"exit status: 0 success; 1 some actions failed; 2 usage or configuration error;\n"
"3 cannot connect or authenticate. Warnings and errors go to stderr.\n"
"See tern(1) and mailrc.sample for every setting.\n";

void
cli_help_print(void)
{
	fputs(cli_help_text, stdout);
}

void
cli_version_print(void)
{
	printf("tern %s\n%s\n", PACKAGE_VERSION, net_library_version());
}

const char *
cli_mode_flag(enum cli_mode mode)
{
	switch (mode) {
	case CLI_MODE_INTERACTIVE: return "the interactive client";
	case CLI_MODE_CHECK: return "--check";
	case CLI_MODE_SYNC: return "--sync";
	case CLI_MODE_LIST: return "--list";
	case CLI_MODE_FILTER: return "--filter";
	case CLI_MODE_MATCH: return "--match";
	case CLI_MODE_TEAM_REPORT: return "--team-report";
	case CLI_MODE_FETCH_POP: return "--fetch-pop";
	case CLI_MODE_FOLDERS: return "--folders";
	case CLI_MODE_RENDER: return "--render";
	case CLI_MODE_SEND: return "--send";
	case CLI_MODE_POSTPONE: return "--postpone";
	case CLI_MODE_REPLAY: return "--replay";
	case CLI_MODE_JOURNAL: return "--journal";
	case CLI_MODE_VERSION: return "--version";
	case CLI_MODE_HELP: return "--help";
	}
	return "?";
}
