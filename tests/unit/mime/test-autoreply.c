/* Whether a message may get an automatic reply (mime/autoreply.h), on
 * the headers real mailers write: a person's mail from several clients,
 * out-of-office replies (Exchange, Gmail, Dovecot's vacation), list mail
 * (Mailman, Google Groups, GitHub), bulk senders, bounces. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mime/autoreply.h"
#include "tap.h"

struct sample {
	const char *what;
	const char *header;
	enum autoreply_verdict want;
	const char *to;
};

static const struct sample samples[] = {
	{ "a person (Thunderbird)",
	  "Return-Path: <jane@customer.example>\r\nFrom: Jane Doe <jane@customer.example>\r\n"
	  "Subject: Printer on fire\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n",
	  AUTOREPLY_OK, "jane@customer.example" },
	{ "a person with Reply-To (Outlook)",
	  "From: \"M\xc3\xbcller, J\xc3\xbcrgen\" <j.mueller@firma.example>\r\n"
	  "Reply-To: helpdesk-reply@firma.example\r\n"
	  "Content-Type: multipart/alternative; boundary=\"_000_\"\r\n",
	  AUTOREPLY_OK, "helpdesk-reply@firma.example" },
	{ "Auto-Submitted: no is a person",
	  "From: a@x.example\r\nAuto-Submitted: no\r\n", AUTOREPLY_OK, "a@x.example" },
	{ "an encoded name",
	  "From: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= <taro@example.jp>\r\n",
	  AUTOREPLY_OK, "taro@example.jp" },
	{ "a vacation reply (Sieve)",
	  "From: bob@x.example\r\nAuto-Submitted: auto-replied (vacation)\r\n"
	  "Subject: Auto: away\r\n", AUTOREPLY_AUTOMATIC, NULL },
	{ "a generated message",
	  "From: robot@x.example\r\nAuto-Submitted: Auto-Generated\r\n",
	  AUTOREPLY_AUTOMATIC, NULL },
	{ "Exchange out of office",
	  "From: ceo@corp.example\r\nX-Auto-Response-Suppress: All\r\n"
	  "Subject: Automatic reply: Printer\r\n", AUTOREPLY_AUTOMATIC, NULL },
	{ "Exchange asks for no OOF",
	  "From: ceo@corp.example\r\nX-Auto-Response-Suppress: DR, OOF\r\n",
	  AUTOREPLY_AUTOMATIC, NULL },
	{ "Exchange suppresses receipts only",
	  "From: ceo@corp.example\r\nX-Auto-Response-Suppress: DR, RN, NRN\r\n",
	  AUTOREPLY_OK, "ceo@corp.example" },
	{ "X-Autoreply",
	  "From: a@x.example\r\nX-Autoreply: yes\r\n", AUTOREPLY_AUTOMATIC, NULL },
	{ "Mailman",
	  "From: a@x.example\r\nList-Id: Users <users.lists.example.org>\r\n"
	  "Precedence: list\r\n", AUTOREPLY_LIST, NULL },
	{ "GitHub (List-Unsubscribe only)",
	  "From: Someone <notifications@github.com>\r\n"
	  "List-Unsubscribe: <mailto:unsub@github.com>\r\n", AUTOREPLY_LIST, NULL },
	{ "Precedence: list alone",
	  "From: a@x.example\r\nPrecedence: List\r\n", AUTOREPLY_LIST, NULL },
	{ "bulk",
	  "From: news@shop.example\r\nPrecedence: bulk\r\n", AUTOREPLY_BULK, NULL },
	{ "junk",
	  "From: a@x.example\r\nPrecedence:   junk  \r\n", AUTOREPLY_BULK, NULL },
	{ "a bounce by Return-Path",
	  "Return-Path: <>\r\nFrom: Mail System <x@mx.example>\r\n", AUTOREPLY_BOUNCE, NULL },
	{ "a bounce from MAILER-DAEMON",
	  "From: MAILER-DAEMON@mx.example (Mail Delivery System)\r\n", AUTOREPLY_BOUNCE,
	  NULL },
	{ "a delivery report",
	  "From: x@mx.example\r\nContent-Type: multipart/report; report-type=delivery-status;"
	  "\r\n boundary=\"b\"\r\n", AUTOREPLY_BOUNCE, NULL },
	{ "postmaster",
	  "From: Postmaster@x.example\r\n", AUTOREPLY_BOUNCE, NULL },
	{ "no-reply sender",
	  "From: Shop <no-reply@shop.example>\r\n", AUTOREPLY_NOREPLY, NULL },
	{ "noreply Reply-To",
	  "From: a@x.example\r\nReply-To: <NoReply@x.example>\r\n", AUTOREPLY_NOREPLY, NULL },
	{ "VERP bounces address",
	  "From: bounces+123@mailer.example\r\n", AUTOREPLY_NOREPLY, NULL },
	{ "no From",
	  "Subject: hello\r\n", AUTOREPLY_NO_SENDER, NULL },
	{ "an empty From",
	  "From: undisclosed-recipients:;\r\n", AUTOREPLY_NO_SENDER, NULL },
	{ "From without an address",
	  "From: Jane Doe\r\n", AUTOREPLY_NO_SENDER, NULL },
	{ "LF line ends",
	  "From: a@x.example\nSubject: x\n", AUTOREPLY_OK, "a@x.example" },
	{ "a folded Auto-Submitted",
	  "From: a@x.example\r\nAuto-Submitted:\r\n auto-replied\r\n", AUTOREPLY_AUTOMATIC,
	  NULL },
};

int
main(void)
{
	size_t i;
	char *to = (char *)"x";

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		enum autoreply_verdict v = autoreply_check(s->header, strlen(s->header), &to);

		tap_is_int(v, s->want, "%s: %s", s->what, autoreply_reason(v));
		if (s->to != NULL)
			tap_is_str(to, s->to, "%s: answered at", s->what);
		else
			tap_ok(to == NULL, "%s: no address", s->what);
		free(to);
	}
	tap_ok(autoreply_check("", 0, &to) == AUTOREPLY_NO_SENDER && to == NULL,
	    "nothing at all");
	tap_ok(strcmp(autoreply_fields[0], "From") == 0, "the fields to fetch");
	return tap_done();
}
