/* make bench: parse the headers the index needs from N generated messages
 * (default 100,000) and thread them; prints messages per second, bytes
 * allocated per message and the threading time. malloc, calloc and
 * realloc are wrapped at link time (-Wl,--wrap) to count what tern's code
 * allocates. A benchmark, not a test: it asserts nothing about time. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "bench-util.h"
#include "mime/date.h"
#include "mime/rfc5322.h"
#include "mime/thread.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

static uint64_t alloc_bytes, alloc_calls;

void *
__wrap_malloc(size_t size)
{
	alloc_bytes += size;
	alloc_calls++;
	return __real_malloc(size);
}

void *
__wrap_calloc(size_t nmemb, size_t size)
{
	alloc_bytes += nmemb * size;
	alloc_calls++;
	return __real_calloc(nmemb, size);
}

void *
__wrap_realloc(void *ptr, size_t size)
{
	alloc_bytes += size;
	alloc_calls++;
	return __real_realloc(ptr, size);
}

/* One header block as mail clients write them: encoded words in some
 * names and subjects, threads through References. */
static void
bench_message(struct buf *b, size_t i)
{
	static const char *const names[] = {
		"Alice Example", "=?UTF-8?Q?Ren=C3=A9e_D=C3=BCrr?=", "\"Smith, Bob\"",
		"=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=", "Carol", "=?utf-8?B?0JjQstCw0L0=?=",
	};
	static const char *const subjects[] = {
		"Quarterly report", "=?UTF-8?Q?R=C3=A9union_demain?=", "Re: build failure on main",
		"=?utf-8?B?5Lya6K2w44Gu5qGI5YaF?=", "Invoice 2024-0042", "Fwd: travel plans",
	};
	unsigned day = 1 + bench_rand(28), hour = bench_rand(24), min = bench_rand(60);

	buf_printf(b, "Return-Path: <sender%zu@example.org>\r\n"
	    "Received: from mx.example.org (mx.example.org [192.0.2.1])\r\n"
	    "\tby mail.example.com with ESMTPS id %zx\r\n"
	    "\tfor <alice@example.com>; Mon, 1 Jan 2024 10:00:00 +0000\r\n", i, i);
	buf_printf(b, "From: %s <user%u@example.org>\r\n", names[bench_rand(6)], bench_rand(500));
	buf_printf(b, "To: alice@example.com, \"Team\" <team@example.com>\r\n");
	if (bench_rand(3) == 0)
		buf_printf(b, "Cc: carol@example.net\r\n");
	buf_printf(b, "Subject: %s %zu\r\n", subjects[bench_rand(6)], i % 997);
	buf_printf(b, "Date: %s, %u %s 2024 %02u:%02u:%02u %s\r\n", "Tue", day,
	    "Mar", hour, min, bench_rand(60), bench_rand(2) ? "+0100" : "-0500");
	buf_printf(b, "Message-ID: <%zu@p>\r\n", i);
	if (i > 0 && bench_rand(2) == 0) {
		size_t parent = i - 1 - bench_rand(i < 50 ? (unsigned)i : 50);

		buf_printf(b, "In-Reply-To: <%zu@p>\r\nReferences: <%zu@p>\r\n <%zu@p>\r\n",
		    parent, parent / 2, parent);
	}
	buf_printf(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "X-Mailer: bench\r\n\r\n");
}

struct bench_fields {
	char *message_id;
	char **refs;
	size_t nrefs;
	time_t date;
};

int
main(int argc, char **argv)
{
	size_t n = 100000, i, *offsets, total_out = 0;
	struct buf corpus, text;
	struct bench_fields *fields;
	struct thread_msg *msgs;
	struct thread_node *nodes;
	size_t *order;
	uint64_t bytes0, calls0, v;
	double t0, t1, t2;

	if (argc > 1 && str_to_u64(argv[1], 10000000, &v) == 0 && v > 0)
		n = (size_t)v;
	buf_init(&corpus, (size_t)4 << 30);
	offsets = xcalloc(n + 1, sizeof(*offsets));
	for (i = 0; i < n; i++) {
		offsets[i] = buf_len(&corpus);
		bench_message(&corpus, i);
	}
	offsets[n] = buf_len(&corpus);
	fields = xcalloc(n, sizeof(*fields));
	buf_init(&text, 1 << 20);

	bytes0 = alloc_bytes;
	calls0 = alloc_calls;
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		const char *msg = buf_ptr(&corpus) + offsets[i];
		size_t len = offsets[i + 1] - offsets[i];
		struct rfc5322_header *h = rfc5322_header_create(msg, len);
		const struct rfc5322_field *f;
		struct rfc5322_addr_list *from;
		struct rfc5322_msgid_list *ids;

		buf_reset(&text);
		rfc5322_header_get_text(h, "Subject", NULL, &text);
		total_out += buf_len(&text);
		if ((f = rfc5322_header_find(h, "From")) != NULL) {
			from = rfc5322_addr_parse(f->value, f->value_len, NULL);
			total_out += from->count;
			rfc5322_addr_list_destroy(&from);
		}
		if ((f = rfc5322_header_find(h, "Date")) != NULL)
			date_parse(f->value, f->value_len, &fields[i].date, NULL);
		if ((f = rfc5322_header_find(h, "Message-ID")) != NULL) {
			ids = rfc5322_msgid_parse(f->value, f->value_len);
			if (ids->count > 0) {
				fields[i].message_id = ids->ids[0];
				ids->ids[0] = NULL;
			}
			rfc5322_msgid_list_destroy(&ids);
		}
		if ((f = rfc5322_header_find(h, "References")) != NULL) {
			ids = rfc5322_msgid_parse(f->value, f->value_len);
			fields[i].refs = ids->ids;
			fields[i].nrefs = ids->count;
			ids->ids = NULL;
			ids->count = 0;
			rfc5322_msgid_list_destroy(&ids);
		}
		rfc5322_header_destroy(&h);
	}
	t1 = bench_now();

	msgs = xcalloc(n, sizeof(*msgs));
	nodes = xcalloc(n, sizeof(*nodes));
	order = xcalloc(n, sizeof(*order));
	for (i = 0; i < n; i++) {
		msgs[i].message_id = fields[i].message_id;
		msgs[i].refs = (const char *const *)fields[i].refs;
		msgs[i].nrefs = fields[i].nrefs;
		msgs[i].date = fields[i].date;
	}
	t2 = bench_now();
	thread_build(msgs, n, NULL, nodes, order);

	printf("| what | figure |\n|---|---|\n");
	printf("| messages | %zu (%.1f MB of headers) |\n", n, (double)buf_len(&corpus) / 1e6);
	printf("| header parse (Subject, From, Date, Message-ID, References) | %.3f s |\n",
	    t1 - t0);
	printf("| messages per second | %.0f |\n", (double)n / (t1 - t0));
	printf("| bytes allocated per message | %.0f (%.1f allocations) |\n",
	    (double)(alloc_bytes - bytes0) / (double)n,
	    (double)(alloc_calls - calls0) / (double)n);
	t2 = bench_now() - t2;
	{
		size_t linked = 0;

		for (i = 0; i < n; i++)
			linked += nodes[i].parent >= 0;
		printf("| JWZ threading | %.3f s (%zu messages placed under a parent) |\n",
		    t2, linked);
	}
	fprintf(stderr, "(checksum %zu)\n", total_out);

	for (i = 0; i < n; i++) {
		size_t j;

		free(fields[i].message_id);
		for (j = 0; j < fields[i].nrefs; j++)
			free(fields[i].refs[j]);
		free(fields[i].refs);
	}
	free(fields);
	free(msgs);
	free(nodes);
	free(order);
	free(offsets);
	buf_free(&corpus);
	buf_free(&text);
	return 0;
}
