/* libFuzzer target for mail dates: any accepted input must format to a
 * well-formed ISO 8601 UTC string that parses back to the same time. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char iso[DATE_ISO_SIZE];
	time_t t, back;
	int flags;

	if (date_parse((const char *)data, size, &t, &flags) == -1)
		return 0;
	if (flags & ~(DATE_ZONE_MISSING | DATE_ZONE_UNKNOWN | DATE_DOW_MISMATCH |
	    DATE_TIME_MISSING))
		abort();
	/* Years 1900-9999 and zones within a day: always formattable. */
	if (date_format_iso_utc(t, iso) == -1)
		abort();
	if (strlen(iso) != DATE_ISO_SIZE - 1 || iso[10] != 'T' || iso[19] != 'Z')
		abort();
	if (date_parse(iso, strlen(iso), &back, &flags) == -1 || back != t || flags != 0)
		abort();
	return 0;
}
