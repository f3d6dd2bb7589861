/* Unit tests for the bounded buffer. */
#include "config.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "tap.h"

static void
test_add_and_limit(void)
{
	struct buf b;

	buf_init(&b, 10);
	tap_is_int(buf_len(&b), 0, "new buffer is empty");
	tap_is_str(buf_ptr(&b), "", "new buffer reads as an empty string");
	tap_is_int(buf_add(&b, "hello", 5), 0, "add within the limit");
	tap_is_int(buf_addstr(&b, "world"), 0, "add up to exactly the limit");
	tap_is_str(buf_ptr(&b), "helloworld", "contents joined");
	tap_is_int(buf_addc(&b, '!'), -1, "one byte over the limit fails");
	tap_is_str(buf_ptr(&b), "helloworld", "a failed add leaves the contents");
	tap_is_int(buf_len(&b), 10, "and the length");
	buf_reset(&b);
	tap_is_int(buf_printf(&b, "%d-%s", 42, "x"), 0, "printf within the limit");
	tap_is_str(buf_ptr(&b), "42-x", "printf output");
	tap_is_int(buf_printf(&b, "%s", "0123456789"), -1, "printf over the limit fails");
	tap_is_str(buf_ptr(&b), "42-x", "a failed printf leaves the contents");
	buf_free(&b);
}

static void
test_binary_and_consume(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 1024);
	tap_is_int(buf_add(&b, "a\0b", 3), 0, "add with a NUL byte");
	tap_is_mem(buf_ptr(&b), buf_len(&b), "a\0b", 3, "NUL bytes are kept");
	buf_consume(&b, 2);
	tap_is_mem(buf_ptr(&b), buf_len(&b), "b", 1, "consume drops the front");
	buf_consume(&b, 100);
	tap_is_int(buf_len(&b), 0, "consume past the end empties");
	buf_addstr(&b, "abcdef");
	buf_truncate(&b, 3);
	tap_is_str(buf_ptr(&b), "abc", "truncate shortens");
	buf_truncate(&b, 30);
	tap_is_str(buf_ptr(&b), "abc", "truncate never lengthens");
	s = buf_detach(&b);
	tap_is_str(s, "abc", "detach hands over the string");
	tap_is_int(buf_len(&b), 0, "and leaves the buffer empty");
	free(s);
	s = buf_detach(&b);
	tap_is_str(s, "", "detach of an empty buffer gives an empty string");
	free(s);
	buf_free(&b);
}

static void
test_growth(void)
{
	struct buf b;
	size_t i;
	int failed = 0;

	buf_init(&b, 100000);
	for (i = 0; i < 100000; i++)
		failed |= buf_addc(&b, (char)('a' + i % 26));
	tap_is_int(failed, 0, "100000 single-byte adds fit a 100000-byte buffer");
	tap_is_int(buf_len(&b), 100000, "length after growth");
	tap_ok(buf_ptr(&b)[99999] == (char)('a' + 99999 % 26) && buf_ptr(&b)[100000] == '\0',
	    "last byte and terminator in place");
	tap_is_int(buf_addc(&b, 'x'), -1, "the 100001st byte is refused");
	buf_free(&b);

	/* An unbounded buffer (max SIZE_MAX) grows too. */
	buf_init(&b, SIZE_MAX);
	for (i = 0; i < 5000; i++)
		failed |= buf_printf(&b, "%zu,", i);
	tap_is_int(failed, 0, "an unbounded buffer takes 5000 printfs");
	tap_ok(buf_len(&b) > 20000 && strncmp(buf_ptr(&b), "0,1,2,", 6) == 0,
	    "and keeps them");
	buf_free(&b);
}

int
main(void)
{
	test_add_and_limit();
	test_binary_and_consume();
	test_growth();
	return tap_done();
}
