/* One poll loop for the whole program: descriptors to watch, timers, and
 * a clock. The batch commands run it until their work is done; the UI
 * will run it forever, with the terminal as one more descriptor.
 *
 * Ownership: the loop owns its watches and timers; the handles returned
 * stay valid until removed (removing NULLs the caller's pointer) or the
 * loop is destroyed, and a timer's handle also until its callback returns:
 * the loop frees a timer once it has fired, so the callback must forget
 * the handle (removing it from inside the callback is harmless).
 * Callbacks may add and remove watches and timers, including their own;
 * a removed watch gets no more events, even ones already polled. Times
 * are milliseconds of a monotonic clock. */
#ifndef TERN_NET_LOOP_H
#define TERN_NET_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct net_loop;
struct net_loop_io;
struct net_loop_timer;

/* revents: POLLIN, POLLOUT, POLLERR, POLLHUP as poll(2) gave them (and
 * POLLNVAL when fd was closed without removing the watch). */
typedef void net_loop_io_fn(void *ctx, short revents);
typedef void net_loop_timer_fn(void *ctx);
/* A clock for tests: returns "now" in milliseconds. */
typedef int64_t net_loop_clock_fn(void *ctx);

struct net_loop *net_loop_create(void);
/* Frees the loop and every watch and timer still in it. */
void net_loop_destroy(struct net_loop **loop);

/* Watches fd for events (POLLIN and/or POLLOUT; 0 pauses the watch). */
struct net_loop_io *net_loop_io_add(struct net_loop *loop, int fd, short events,
    net_loop_io_fn *fn, void *ctx);
void net_loop_io_set_events(struct net_loop_io *io, short events);
void net_loop_io_remove(struct net_loop_io **io);

/* Calls fn once, delay_ms from now (0: on the next iteration; a timer
 * added by a callback never runs in the same iteration). Timers with the
 * same deadline run in the order they were added. */
struct net_loop_timer *net_loop_timer_add(struct net_loop *loop, int64_t delay_ms,
    net_loop_timer_fn *fn, void *ctx);
void net_loop_timer_remove(struct net_loop_timer **timer);

/* Calls fn before every wait in poll(2), nested runs included: the UI
 * draws there, once per loop turn, whatever woke the loop (tmux's
 * model). NULL removes it. fn must not run the loop. */
typedef void net_loop_prepare_fn(void *ctx);
void net_loop_set_prepare(struct net_loop *loop, net_loop_prepare_fn *fn, void *ctx);

/* Now, in milliseconds, by the loop's clock. */
int64_t net_loop_now(const struct net_loop *loop);
/* Replaces the monotonic clock (tests). With a fake clock the loop never
 * sleeps in poll() longer than until the next timer it knows of; the
 * test moves the clock itself. */
void net_loop_set_clock(struct net_loop *loop, net_loop_clock_fn *fn, void *ctx);

/* Waits for the first watched event or due timer, at most max_wait_ms
 * (-1: no limit but the timers), and runs the callbacks that are ready.
 * Returns 1 when something ran, 0 when max_wait_ms passed with nothing to
 * do, -1 when there is nothing to wait for (no active watch, no timer;
 * a paused watch does not count) or poll(2) failed other than by EINTR. */
int net_loop_run_once(struct net_loop *loop, int max_wait_ms);
/* Runs until *done is true or there is nothing left to wait for. */
void net_loop_run(struct net_loop *loop, const bool *done);

/* Exponential back-off for reconnecting: the delays grow from base_ms,
 * doubling up to max_ms, each with up to 25 % random jitter so many
 * clients do not reconnect in step. Jitter only shortens a delay, so none
 * exceeds max_ms. base_ms below 1 counts as 1, max_ms below base_ms as
 * base_ms. */
struct net_backoff {
	int64_t base_ms, max_ms, current_ms;
	unsigned attempts;
};

void net_backoff_init(struct net_backoff *b, int64_t base_ms, int64_t max_ms);
/* The delay before the next attempt (and counts it). */
int64_t net_backoff_next(struct net_backoff *b);
/* After a success: the next failure starts again from base_ms. */
void net_backoff_reset(struct net_backoff *b);

/* A reusable reconnect timer: net_reconnect_schedule() calls fn after the
 * back-off's next delay; calling it again while one is pending does
 * nothing; net_reconnect_succeeded() resets the back-off;
 * net_reconnect_cancel() drops a pending attempt. The pending timer
 * points at the struct: do not move or copy it while one is pending. */
struct net_reconnect {
	struct net_loop *loop;
	struct net_backoff backoff;
	struct net_loop_timer *timer;
	net_loop_timer_fn *fn;
	void *ctx;
};

void net_reconnect_init(struct net_reconnect *r, struct net_loop *loop,
    int64_t base_ms, int64_t max_ms, net_loop_timer_fn *fn, void *ctx);
/* Returns the delay chosen, or -1 when an attempt was already pending. */
int64_t net_reconnect_schedule(struct net_reconnect *r);
void net_reconnect_succeeded(struct net_reconnect *r);
void net_reconnect_cancel(struct net_reconnect *r);

#endif
