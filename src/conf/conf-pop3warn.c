/* The one text of the POP3 delete-after-download warning (PRODUCT.md,
 * "Invariants"): --check, batch commands and the UI banner all show it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf-int.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

#define CONF_WARN_PREFIX "tern: WARNING: "

/* Lines are kept short so the warning reads well in an 80-column
 * terminal; "vanishes from every other device" stays on one line so that
 * scripts and tests can look for it. */
char *
conf_pop3_warning(const struct conf_account *acct)
{
	const char *name = conf_account_name(acct);
	char shown[CONF_QUOTE_MAX + 8];
	const struct conf_value *v;
	struct buf b;

	if (!conf_account_pop3_delete(acct))
		return NULL;
	/* Set in the account, or inherited from the top level. */
	v = conf_account_value(acct, "pop3-delete");
	shown[0] = '\0';
	conf_quote(shown, sizeof(shown), name, strlen(name));
	buf_init(&b, 4096);
	buf_printf(&b,
	    CONF_WARN_PREFIX "account '%s' downloads mail with POP3 and deletes it\n"
	    CONF_WARN_PREFIX "from the server (pop3-delete=yes, %s:%u): once downloaded\n"
	    CONF_WARN_PREFIX "here, that mail vanishes from every other device (phone,\n"
	    CONF_WARN_PREFIX "webmail, other computers). To keep it everywhere, set\n"
	    CONF_WARN_PREFIX "pop3-delete=no, or import the mailbox into an IMAP folder\n"
	    CONF_WARN_PREFIX "with `tern --fetch-pop %s --into ACCOUNT[:FOLDER]`.\n",
	    shown, v->file, v->line, shown);
	return buf_detach(&b);
}
