/* Unit tests for the poll loop, with a fake clock so nothing sleeps: timer
 * order, changes from inside callbacks, watches on a pipe, back-off and
 * reconnect. */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/loop.h"
#include "tap.h"

static int64_t fake_now;

static int64_t
fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static struct net_loop *
fake_loop(void)
{
	struct net_loop *loop = net_loop_create();

	fake_now = 1000;
	net_loop_set_clock(loop, fake_clock, NULL);
	return loop;
}

/* Each timer appends its letter, so the order they fired is a string. */
static char fired[64];

static void
record(void *ctx)
{
	size_t n = strlen(fired);

	if (n + 1 < sizeof(fired)) {
		fired[n] = *(const char *)ctx;
		fired[n + 1] = '\0';
	}
}

static void
test_timer_order(void)
{
	struct net_loop *loop = fake_loop();
	struct net_loop_timer *c;

	fired[0] = '\0';
	net_loop_timer_add(loop, 30, record, "d");
	net_loop_timer_add(loop, 10, record, "a");
	net_loop_timer_add(loop, 20, record, "b");
	net_loop_timer_add(loop, 20, record, "c");
	c = net_loop_timer_add(loop, 25, record, "x");
	net_loop_timer_remove(&c);
	tap_ok(c == NULL, "timer_remove NULLs the handle");
	tap_is_int(net_loop_now(loop), 1000, "now is the fake clock");

	tap_is_int(net_loop_run_once(loop, 0), 0, "nothing due yet: 0");
	tap_is_str(fired, "", "no timer fired early");
	fake_now += 10;
	tap_is_int(net_loop_run_once(loop, 0), 1, "first timer due: 1");
	tap_is_str(fired, "a", "the earliest fired");
	fake_now += 15;
	tap_is_int(net_loop_run_once(loop, 1000), 1, "two due at once");
	tap_is_str(fired, "abc", "equal deadlines fire in insertion order");
	fake_now += 100;
	tap_is_int(net_loop_run_once(loop, 0), 1, "last one");
	tap_is_str(fired, "abcd", "removed timer never fired");
	tap_is_int(net_loop_run_once(loop, 0), -1, "nothing left: -1");
	net_loop_destroy(&loop);
	tap_ok(loop == NULL, "destroy NULLs the loop");
}

struct chain {
	struct net_loop *loop;
	struct net_loop_timer *victim;
	struct net_loop_timer *self;
	int count;
};

static void
chain_add(void *ctx)
{
	struct chain *ch = ctx;

	record("1");
	/* Delay 0 from a callback runs on the next iteration, not this one. */
	net_loop_timer_add(ch->loop, 0, record, "2");
	net_loop_timer_remove(&ch->victim);
}

static void
self_remove(void *ctx)
{
	struct chain *ch = ctx;

	ch->count++;
	/* Removing a timer from its own callback is allowed. */
	net_loop_timer_remove(&ch->self);
}

static void
test_timer_from_callback(void)
{
	struct net_loop *loop = fake_loop();
	struct chain ch = { .loop = loop };

	fired[0] = '\0';
	net_loop_timer_add(loop, 5, chain_add, &ch);
	ch.victim = net_loop_timer_add(loop, 5, record, "v");
	ch.self = net_loop_timer_add(loop, 5, self_remove, &ch);
	fake_now += 5;
	tap_is_int(net_loop_run_once(loop, 0), 1, "callbacks ran");
	tap_is_str(fired, "1", "the removed timer did not fire, the added one waits");
	tap_ok(ch.victim == NULL, "removal from a callback NULLs the handle");
	tap_is_int(ch.count, 1, "a timer removing itself ran once");
	tap_is_int(net_loop_run_once(loop, 0), 1, "next iteration");
	tap_is_str(fired, "12", "the timer added from a callback fired");
	tap_is_int(net_loop_run_once(loop, 0), -1, "all timers gone");
	net_loop_destroy(&loop);
}

struct pipe_ctx {
	int fd;
	int calls;
	short revents;
	struct net_loop_io *io;
	bool remove_self;
};

static void
on_readable(void *ctx, short revents)
{
	struct pipe_ctx *pc = ctx;
	char c;

	pc->calls++;
	pc->revents = revents;
	if (read(pc->fd, &c, 1) != 1)
		pc->revents |= 0x4000;
	if (pc->remove_self)
		net_loop_io_remove(&pc->io);
}

static void
test_io(void)
{
	struct net_loop *loop = fake_loop();
	struct pipe_ctx pc = { 0 };
	int fds[2];

	if (pipe(fds) != 0)
		abort();
	pc.fd = fds[0];
	pc.io = net_loop_io_add(loop, fds[0], POLLIN, on_readable, &pc);
	tap_is_int(net_loop_run_once(loop, 0), 0, "empty pipe: max_wait passes, 0");
	tap_is_int(pc.calls, 0, "no callback without data");

	if (write(fds[1], "xy", 2) != 2)
		abort();
	tap_is_int(net_loop_run_once(loop, 1000), 1, "data: 1");
	tap_is_int(pc.calls, 1, "callback ran once");
	tap_is_int(pc.revents, POLLIN, "with POLLIN");

	net_loop_io_set_events(pc.io, 0);
	tap_is_int(net_loop_run_once(loop, 0), -1, "a paused watch is nothing to wait for");
	tap_is_int(pc.calls, 1, "paused watch does not fire");
	net_loop_timer_add(loop, 50, record, "t");
	tap_is_int(net_loop_run_once(loop, 0), 0, "paused with a timer pending: 0");
	tap_is_int(pc.calls, 1, "still paused although data waits");

	net_loop_io_set_events(pc.io, POLLIN);
	pc.remove_self = true;
	tap_is_int(net_loop_run_once(loop, 1000), 1, "resumed: 1");
	tap_is_int(pc.calls, 2, "callback ran on the data left");
	tap_ok(pc.io == NULL, "the watch removed itself");

	if (write(fds[1], "z", 1) != 1)
		abort();
	tap_is_int(net_loop_run_once(loop, 0), 0, "removed watch: only the timer, not due");
	tap_is_int(pc.calls, 2, "removed watch does not fire");

	/* Destroy frees the pending timer; valgrind checks the rest. */
	net_loop_destroy(&loop);
	close(fds[0]);
	close(fds[1]);
}

static void
set_done(void *ctx)
{
	*(bool *)ctx = true;
}

static void
count_and_rearm(void *ctx)
{
	struct chain *ch = ctx;

	ch->count++;
	net_loop_timer_add(ch->loop, 0, count_and_rearm, ch);
}

static void
test_run(void)
{
	struct net_loop *loop = net_loop_create();
	struct chain ch = { .loop = loop };
	bool done = false;
	int64_t t0;

	/* The real clock: short delays, so the test stays fast. */
	t0 = net_loop_now(loop);
	tap_is_int(net_loop_run_once(loop, 0), -1, "an empty loop has nothing to wait for");
	net_loop_timer_add(loop, 20, set_done, &done);
	net_loop_timer_add(loop, 0, count_and_rearm, &ch);
	net_loop_run(loop, &done);
	tap_ok(done, "run stops when done is set");
	tap_ok(net_loop_now(loop) - t0 >= 20, "after the timer's delay (%lld ms)",
	    (long long)(net_loop_now(loop) - t0));
	tap_ok(ch.count > 1, "a timer re-adding itself did not starve the others (%d)",
	    ch.count);
	net_loop_destroy(&loop);

	loop = net_loop_create();
	t0 = net_loop_now(loop);
	net_loop_timer_add(loop, 0, record, "r");
	net_loop_run(loop, NULL);
	tap_ok(net_loop_now(loop) - t0 < 1000, "run returns when nothing is left");
	t0 = net_loop_now(loop);
	{
		int fds[2];
		struct pipe_ctx pc = { 0 };

		if (pipe(fds) != 0)
			abort();
		pc.io = net_loop_io_add(loop, fds[0], POLLIN, on_readable, &pc);
		tap_is_int(net_loop_run_once(loop, 30), 0, "real clock: max_wait passes, 0");
		tap_ok(net_loop_now(loop) - t0 >= 29, "after about max_wait");
		net_loop_io_remove(&pc.io);
		close(fds[0]);
		close(fds[1]);
	}
	net_loop_destroy(&loop);
}

static void
test_backoff(void)
{
	struct net_backoff b;
	int64_t d, prev = 0, want = 100;
	bool grows = true, within = true, capped = true;
	int i;

	net_backoff_init(&b, 100, 5000);
	for (i = 0; i < 12; i++) {
		d = net_backoff_next(&b);
		if (d > want || d < want - want / 4)
			within = false;
		if (d > 5000)
			capped = false;
		if (i > 0 && want < 5000 && d <= prev)
			grows = false;
		prev = d;
		want = want * 2 > 5000 ? 5000 : want * 2;
	}
	tap_ok(grows, "delays grow until the cap");
	tap_ok(within, "each within 25 %% below its nominal delay");
	tap_ok(capped, "never above max_ms");
	tap_is_int(b.attempts, 12, "attempts counted");
	tap_is_int(b.current_ms, 5000, "nominal delay capped at max_ms");
	net_backoff_reset(&b);
	tap_is_int(b.attempts, 0, "reset clears attempts");
	d = net_backoff_next(&b);
	tap_ok(d <= 100 && d >= 75, "reset starts again from base_ms (%lld)", (long long)d);

	{
		int64_t seen_min = INT64_MAX, seen_max = 0;

		for (i = 0; i < 200; i++) {
			net_backoff_init(&b, 1000, 1000);
			d = net_backoff_next(&b);
			seen_min = d < seen_min ? d : seen_min;
			seen_max = d > seen_max ? d : seen_max;
		}
		tap_ok(seen_min >= 750 && seen_max <= 1000, "jitter stays within 25 %%");
		tap_ok(seen_min < seen_max, "jitter varies (%lld..%lld)",
		    (long long)seen_min, (long long)seen_max);
	}
	net_backoff_init(&b, INT64_MAX / 2 + 1, INT64_MAX);
	net_backoff_next(&b);
	tap_is_int(b.current_ms, INT64_MAX, "doubling near the limit does not overflow");
}

static int reconnects;

static void
on_reconnect(void *ctx)
{
	(void)ctx;
	reconnects++;
}

static void
test_reconnect(void)
{
	struct net_loop *loop = fake_loop();
	struct net_reconnect r;
	int64_t d1, d2;

	net_reconnect_init(&r, loop, 100, 1000, on_reconnect, NULL);
	d1 = net_reconnect_schedule(&r);
	tap_ok(d1 >= 75 && d1 <= 100, "first delay near base (%lld)", (long long)d1);
	tap_is_int(net_reconnect_schedule(&r), -1, "scheduling again while pending: -1");
	fake_now += d1 - 1;
	tap_is_int(net_loop_run_once(loop, 0), 0, "not yet");
	fake_now += 1;
	tap_is_int(net_loop_run_once(loop, 0), 1, "reconnect timer fired");
	tap_is_int(reconnects, 1, "callback ran once");
	tap_ok(r.timer == NULL, "no attempt pending after it fired");

	d2 = net_reconnect_schedule(&r);
	tap_ok(d2 >= 150 && d2 <= 200, "second delay doubled (%lld)", (long long)d2);
	net_reconnect_cancel(&r);
	tap_ok(r.timer == NULL, "cancel drops the pending attempt");
	fake_now += 10000;
	tap_is_int(net_loop_run_once(loop, 0), -1, "nothing left after cancel");
	tap_is_int(reconnects, 1, "cancelled attempt never ran");
	net_reconnect_cancel(&r);
	tap_ok(true, "cancel with nothing pending is harmless");

	net_reconnect_succeeded(&r);
	d1 = net_reconnect_schedule(&r);
	tap_ok(d1 >= 75 && d1 <= 100, "after success the delay starts from base (%lld)",
	    (long long)d1);
	/* Destroying the loop with an attempt pending frees the timer. */
	net_loop_destroy(&loop);
}

int
main(void)
{
	test_timer_order();
	test_timer_from_callback();
	test_io();
	test_run();
	test_backoff();
	test_reconnect();
	return tap_done();
}
