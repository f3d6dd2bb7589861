/* libFuzzer target for the journal's record decoder: any input either
 * fails, leaving the entry zeroed, or decodes to an entry that encodes
 * and decodes again to the same entry, field by field, and encodes again
 * to the same bytes. The first byte picks the mode: bit 0 set, the
 * header (magic, version, checksum) is made valid so that the fuzzer
 * reaches the body. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/journal.h"
#include "cache/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fix_header(uint8_t *p, size_t len)
{
	uint64_t sum = rec_sum(p + REC_HEADER, len - REC_HEADER);

	p[0] = 'J';
	p[1] = JOURNAL_FORMAT_VERSION;
	for (int i = 0; i < 8; i++)
		p[2 + i] = (uint8_t)(sum >> (8 * i));
}

static bool
is_zero(const struct journal_entry *e)
{
	static const struct journal_entry zero;

	return memcmp(e, &zero, sizeof zero) == 0;
}

static void
check(const uint8_t *p, size_t len)
{
	struct journal_entry e, back, again;
	void *enc, *enc2;
	size_t elen, elen2;

	if (journal_entry_decode(p, len, &e) == -1) {
		if (!is_zero(&e))
			abort();
		return;
	}
	enc = journal_entry_encode(&e, &elen);
	if (journal_entry_decode(enc, elen, &back) == -1 || !journal_entry_equal(&e, &back))
		abort();
	/* The encoding of an entry is one: varints written shortest. */
	enc2 = journal_entry_encode(&back, &elen2);
	if (elen2 != elen || memcmp(enc, enc2, elen) != 0)
		abort();
	if (journal_entry_decode(enc2, elen2, &again) == -1 || !journal_entry_equal(&e, &again))
		abort();
	journal_entry_free(&again);
	journal_entry_free(&back);
	journal_entry_free(&e);
	free(enc2);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if ((data[0] & 1) && size - 1 >= REC_HEADER)
		fix_header(copy, size - 1);
	check(copy, size - 1);
	free(copy);
	return 0;
}
