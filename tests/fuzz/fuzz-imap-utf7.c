/* libFuzzer target for modified UTF-7: the decoder is strict enough that
 * anything it accepts must encode back to exactly the same bytes, and
 * anything the encoder produces must decode back to its input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap-utf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char *dec, *enc, *copy;
	bool valid;

	/* Wire form -> UTF-8 -> wire form. */
	dec = imap_utf7_decode(in, size);
	valid = imap_utf7_valid(in, size);
	if (valid != (dec != NULL))
		abort();
	if (dec != NULL) {
		enc = imap_utf7_encode(dec);
		if (enc == NULL || strlen(enc) != size || memcmp(enc, in, size) != 0)
			abort();
		free(enc);
		free(dec);
	}

	/* UTF-8 -> wire form -> UTF-8 (the encoder reads up to a NUL). */
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	enc = imap_utf7_encode(copy);
	if (enc != NULL) {
		dec = imap_utf7_decode(enc, strlen(enc));
		if (dec == NULL || strcmp(dec, copy) != 0)
			abort();
		free(dec);
		free(enc);
	}
	free(copy);
	return 0;
}
