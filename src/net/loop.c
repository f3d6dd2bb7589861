/* The poll loop: watches, one-shot timers, a replaceable clock, and the
 * back-off used to reconnect. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "net/loop.h"

/*
 * Watches and timers are never freed while callbacks run: removing one
 * only marks it dead, and the loop sweeps dead entries once dispatch is
 * over. So a callback may remove anything, itself included, and the
 * dispatch code never follows a pointer into freed memory.
 */

struct net_loop_io {
	struct net_loop *loop;
	int fd;
	short events;
	bool dead;
	net_loop_io_fn *fn;
	void *ctx;
	struct net_loop_io *next;
};

struct net_loop_timer {
	struct net_loop *loop;
	int64_t deadline;
	uint64_t seq;		/* insertion order, for equal deadlines */
	bool dead;		/* removed, or fired */
	net_loop_timer_fn *fn;
	void *ctx;
	struct net_loop_timer *next;
};

struct net_loop {
	/* In insertion order, so ready watches run in a stable order. */
	struct net_loop_io *ios;
	struct net_loop_io **ios_tail;
	/* Sorted by deadline, then by seq. */
	struct net_loop_timer *timers;
	uint64_t timer_seq;

	net_loop_clock_fn *clock_fn;
	void *clock_ctx;
	net_loop_prepare_fn *prepare_fn;
	void *prepare_ctx;

	/* How many run_once calls are dispatching (a callback may run the
	 * loop again); dead entries are swept only when this is 0. */
	unsigned depth;
	bool need_sweep;

	/* poll(2) set, and the watch behind each entry. */
	struct pollfd *pfds;
	struct net_loop_io **pfd_ios;
	size_t pfd_cap;
};

static int64_t
net_loop_monotonic(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct net_loop *
net_loop_create(void)
{
	struct net_loop *loop = xcalloc(1, sizeof(*loop));

	loop->ios_tail = &loop->ios;
	loop->clock_fn = net_loop_monotonic;
	return loop;
}

void
net_loop_destroy(struct net_loop **loopp)
{
	struct net_loop *loop = *loopp;
	struct net_loop_io *io, *io_next;
	struct net_loop_timer *t, *t_next;

	if (loop == NULL)
		return;
	for (io = loop->ios; io != NULL; io = io_next) {
		io_next = io->next;
		free(io);
	}
	for (t = loop->timers; t != NULL; t = t_next) {
		t_next = t->next;
		free(t);
	}
	free(loop->pfds);
	free(loop->pfd_ios);
	free(loop);
	*loopp = NULL;
}

int64_t
net_loop_now(const struct net_loop *loop)
{
	return loop->clock_fn(loop->clock_ctx);
}

void
net_loop_set_clock(struct net_loop *loop, net_loop_clock_fn *fn, void *ctx)
{
	if (fn == NULL) {
		loop->clock_fn = net_loop_monotonic;
		loop->clock_ctx = NULL;
	} else {
		loop->clock_fn = fn;
		loop->clock_ctx = ctx;
	}
}

void
net_loop_set_prepare(struct net_loop *loop, net_loop_prepare_fn *fn, void *ctx)
{
	loop->prepare_fn = fn;
	loop->prepare_ctx = ctx;
}

static bool
net_loop_fake_clock(const struct net_loop *loop)
{
	return loop->clock_fn != net_loop_monotonic;
}

/* Frees dead watches and timers; only outside dispatch. */
static void
net_loop_sweep(struct net_loop *loop)
{
	struct net_loop_io **iop, *io;
	struct net_loop_timer **tp, *t;

	if (loop->depth > 0 || !loop->need_sweep)
		return;
	loop->need_sweep = false;
	loop->ios_tail = &loop->ios;
	for (iop = &loop->ios; (io = *iop) != NULL;) {
		if (io->dead) {
			*iop = io->next;
			free(io);
		} else {
			iop = &io->next;
			loop->ios_tail = iop;
		}
	}
	for (tp = &loop->timers; (t = *tp) != NULL;) {
		if (t->dead) {
			*tp = t->next;
			free(t);
		} else
			tp = &t->next;
	}
}

struct net_loop_io *
net_loop_io_add(struct net_loop *loop, int fd, short events, net_loop_io_fn *fn,
    void *ctx)
{
	struct net_loop_io *io = xcalloc(1, sizeof(*io));

	io->loop = loop;
	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->ctx = ctx;
	*loop->ios_tail = io;
	loop->ios_tail = &io->next;
	return io;
}

void
net_loop_io_set_events(struct net_loop_io *io, short events)
{
	io->events = events;
}

void
net_loop_io_remove(struct net_loop_io **iop)
{
	struct net_loop_io *io = *iop;

	if (io == NULL)
		return;
	io->dead = true;
	io->loop->need_sweep = true;
	net_loop_sweep(io->loop);
	*iop = NULL;
}

struct net_loop_timer *
net_loop_timer_add(struct net_loop *loop, int64_t delay_ms, net_loop_timer_fn *fn,
    void *ctx)
{
	struct net_loop_timer *t = xcalloc(1, sizeof(*t)), **tp;
	int64_t now = net_loop_now(loop);

	if (delay_ms < 0)
		delay_ms = 0;
	t->loop = loop;
	t->deadline = now > 0 && delay_ms > INT64_MAX - now ? INT64_MAX : now + delay_ms;
	t->seq = loop->timer_seq++;
	t->fn = fn;
	t->ctx = ctx;
	/* After every timer with the same or an earlier deadline, so equal
	 * deadlines fire in the order they were added. */
	for (tp = &loop->timers; *tp != NULL && (*tp)->deadline <= t->deadline;
	    tp = &(*tp)->next)
		;
	t->next = *tp;
	*tp = t;
	return t;
}

void
net_loop_timer_remove(struct net_loop_timer **tp)
{
	struct net_loop_timer *t = *tp;

	if (t == NULL)
		return;
	t->dead = true;
	t->loop->need_sweep = true;
	net_loop_sweep(t->loop);
	*tp = NULL;
}

static struct net_loop_timer *
net_loop_first_timer(const struct net_loop *loop)
{
	struct net_loop_timer *t;

	for (t = loop->timers; t != NULL; t = t->next) {
		if (!t->dead)
			return t;
	}
	return NULL;
}

/* Fills the poll set with the active watches; returns how many. */
static size_t
net_loop_fill(struct net_loop *loop)
{
	struct net_loop_io *io;
	size_t n = 0;

	for (io = loop->ios; io != NULL; io = io->next) {
		if (io->dead || io->events == 0)
			continue;
		if (n == loop->pfd_cap) {
			loop->pfd_cap = loop->pfd_cap == 0 ? 8 : loop->pfd_cap * 2;
			loop->pfds = xreallocarray(loop->pfds, loop->pfd_cap,
			    sizeof(*loop->pfds));
			loop->pfd_ios = xreallocarray(loop->pfd_ios, loop->pfd_cap,
			    sizeof(*loop->pfd_ios));
		}
		loop->pfds[n].fd = io->fd;
		loop->pfds[n].events = io->events;
		loop->pfds[n].revents = 0;
		loop->pfd_ios[n] = io;
		n++;
	}
	return n;
}

/* Runs the watches poll() reported. Returns how many ran. */
static int
net_loop_dispatch_io(struct net_loop *loop, size_t n)
{
	int ran = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct net_loop_io *io = loop->pfd_ios[i];
		short revents = loop->pfds[i].revents;

		/* An earlier callback may have removed or paused this watch;
		 * then its events are stale and must not be delivered. */
		if (revents == 0 || io->dead || io->events == 0)
			continue;
		revents &= (short)(io->events | POLLERR | POLLHUP | POLLNVAL);
		if (revents == 0)
			continue;
		io->fn(io->ctx, revents);
		ran++;
	}
	return ran;
}

/* Runs the timers due at now that existed before dispatch started:
 * a timer added by a callback waits for the next iteration even when its
 * delay is 0, so a timer that re-adds itself cannot starve the loop. */
static int
net_loop_dispatch_timers(struct net_loop *loop, int64_t now)
{
	uint64_t limit = loop->timer_seq;
	struct net_loop_timer *t;
	int ran = 0;

	/* Timers are only marked dead during dispatch, never unlinked, so
	 * t stays valid across the callback and t->next is read after it
	 * (picking up timers the callback inserted). */
	for (t = loop->timers; t != NULL && t->deadline <= now; t = t->next) {
		if (t->dead || t->seq >= limit)
			continue;
		t->dead = true;
		loop->need_sweep = true;
		t->fn(t->ctx);
		ran++;
	}
	return ran;
}

int
net_loop_run_once(struct net_loop *loop, int max_wait_ms)
{
	struct net_loop_timer *t;
	int64_t now, wait;
	size_t n;
	int r, timeout, ran;

	for (;;) {
		if (loop->prepare_fn != NULL)
			loop->prepare_fn(loop->prepare_ctx);
		n = net_loop_fill(loop);
		t = net_loop_first_timer(loop);
		if (n == 0 && t == NULL)
			return -1;

		now = net_loop_now(loop);
		if (t == NULL)
			wait = -1;
		else if (t->deadline <= now)
			wait = 0;
		else
			wait = t->deadline - now;
		if (max_wait_ms >= 0 && (wait < 0 || wait > max_wait_ms))
			wait = max_wait_ms;
		timeout = wait > INT_MAX ? INT_MAX : (int)wait;

		r = poll(loop->pfds, n, timeout);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* EINVAL or ENOMEM: the loop cannot go on. */
			return -1;
		}

		loop->depth++;
		ran = 0;
		if (r > 0)
			ran += net_loop_dispatch_io(loop, n);
		ran += net_loop_dispatch_timers(loop, net_loop_now(loop));
		loop->depth--;
		net_loop_sweep(loop);
		if (ran > 0)
			return 1;

		/* Nothing ran. With a limit, or a fake clock that only the
		 * caller moves, that is the answer; with no limit the wait
		 * was for a timer that is not quite due (the clock's
		 * rounding), or for events a callback paused: wait again. */
		if (max_wait_ms >= 0 || net_loop_fake_clock(loop))
			return 0;
	}
}

void
net_loop_run(struct net_loop *loop, const bool *done)
{
	while (done == NULL || !*done) {
		if (net_loop_run_once(loop, -1) == -1)
			break;
	}
}

/* A random number for jitter. getrandom(2) may fail (old kernel, seccomp,
 * entropy not yet ready with GRND_NONBLOCK); jitter only has to differ
 * between clients, so the time and the process id are enough then. */
static uint32_t
net_backoff_random(void)
{
	static uint32_t state;
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	if (state == 0)
		state = (uint32_t)net_loop_monotonic(NULL) ^ ((uint32_t)getpid() << 16) ^ 1;
	/* xorshift32 */
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

void
net_backoff_init(struct net_backoff *b, int64_t base_ms, int64_t max_ms)
{
	if (base_ms < 1)
		base_ms = 1;
	if (max_ms < base_ms)
		max_ms = base_ms;
	b->base_ms = base_ms;
	b->max_ms = max_ms;
	net_backoff_reset(b);
}

int64_t
net_backoff_next(struct net_backoff *b)
{
	int64_t delay = b->current_ms, jitter;

	/* Jitter only shortens the delay, so it never exceeds max_ms. */
	jitter = (int64_t)(net_backoff_random() % ((uint64_t)delay / 4 + 1));
	delay -= jitter;
	if (b->current_ms > b->max_ms / 2)
		b->current_ms = b->max_ms;
	else
		b->current_ms *= 2;
	if (b->attempts < UINT_MAX)
		b->attempts++;
	return delay;
}

void
net_backoff_reset(struct net_backoff *b)
{
	b->current_ms = b->base_ms;
	b->attempts = 0;
}

static void
net_reconnect_fire(void *ctx)
{
	struct net_reconnect *r = ctx;

	/* The loop frees a timer once it has fired. */
	r->timer = NULL;
	r->fn(r->ctx);
}

void
net_reconnect_init(struct net_reconnect *r, struct net_loop *loop, int64_t base_ms,
    int64_t max_ms, net_loop_timer_fn *fn, void *ctx)
{
	r->loop = loop;
	net_backoff_init(&r->backoff, base_ms, max_ms);
	r->timer = NULL;
	r->fn = fn;
	r->ctx = ctx;
}

int64_t
net_reconnect_schedule(struct net_reconnect *r)
{
	int64_t delay;

	if (r->timer != NULL)
		return -1;
	delay = net_backoff_next(&r->backoff);
	r->timer = net_loop_timer_add(r->loop, delay, net_reconnect_fire, r);
	return delay;
}

void
net_reconnect_succeeded(struct net_reconnect *r)
{
	net_backoff_reset(&r->backoff);
}

void
net_reconnect_cancel(struct net_reconnect *r)
{
	net_loop_timer_remove(&r->timer);
}
