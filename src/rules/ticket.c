/* Ticket numbers: base32 of the first 30 bits of SHA-256 of the thread
 * root's Message-ID (see ticket.h for why the root, and why a hash). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include "rules/ticket.h"

static bool
ticket_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first space-separated entry of s without one pair of angle
 * brackets: "<a@b> <c@d>" gives "a@b". NULL when s has none. */
static const char *
ticket_first_id(const char *s, size_t *len_r)
{
	const char *end;

	while (ticket_is_space(*s))
		s++;
	for (end = s; *end != '\0' && !ticket_is_space(*end); end++)
		;
	if (end - s >= 2 && *s == '<' && end[-1] == '>') {
		s++;
		end--;
	}
	if (end == s)
		return NULL;
	*len_r = (size_t)(end - s);
	return s;
}

const char *
ticket_root(const struct index *idx, const struct index_msg *m, size_t *len_r)
{
	static const enum index_str order[] = {
		INDEX_STR_REFERENCES, INDEX_STR_IN_REPLY_TO, INDEX_STR_MESSAGE_ID,
	};
	const char *id;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		id = ticket_first_id(index_msg_str(idx, m, order[i]), len_r);
		if (id != NULL)
			return id;
	}
	*len_r = 0;
	return "";
}

/* The digest, fetched once: with OpenSSL 3 EVP_sha256() makes every
 * EVP_Digest look the implementation up again, which doubles the cost
 * of a ticket: term over a large folder. tern has one thread; the
 * fetched digest lives until exit. */
static const EVP_MD *
ticket_sha256(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static EVP_MD *md;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (md != NULL)
		return md;
#endif
	return EVP_sha256();
}

/* RFC 4648 section 6 alphabet, most significant bits first. */
static bool
ticket_hash(const char *id, size_t len, char out[TICKET_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint32_t bits;
	int i;

	out[0] = '\0';
	if (len == 0)
		return false;
	if (EVP_Digest(id, len, md, &mdlen, ticket_sha256(), NULL) != 1 || mdlen < 4)
		return false;
	bits = (uint32_t)md[0] << 22 | (uint32_t)md[1] << 14 |
	    (uint32_t)md[2] << 6 | (uint32_t)md[3] >> 2;
	for (i = TICKET_LEN - 1; i >= 0; i--) {
		out[i] = alphabet[bits & 31];
		bits >>= 5;
	}
	out[TICKET_LEN] = '\0';
	return true;
}

bool
ticket_of_root(const char *root_msgid, char out[TICKET_LEN + 1])
{
	const char *id;
	size_t len = 0;

	/* One id is given: only the space around it goes. */
	while (ticket_is_space(*root_msgid))
		root_msgid++;
	len = strlen(root_msgid);
	while (len > 0 && ticket_is_space(root_msgid[len - 1]))
		len--;
	id = root_msgid;
	if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
		id++;
		len -= 2;
	}
	return ticket_hash(id, len, out);
}

bool
ticket_of_msg(const struct index *idx, const struct index_msg *m,
    char out[TICKET_LEN + 1])
{
	size_t len;
	const char *id = ticket_root(idx, m, &len);

	return ticket_hash(id, len, out);
}
