/* Work that must not block the poll loop and has no non-blocking form
 * (connecting and logging in through libcurl, an SMTP transfer, a
 * password command): it runs on a thread of its own, and its completion
 * is delivered back in the loop, on the loop's thread, like any other
 * event.
 *
 * The work function runs on the worker thread: it may only touch what
 * its ctx gives it, and must not call the loop, curses or anything with
 * global state that the main thread uses at the same time. done runs on
 * the loop's thread once work has returned.
 *
 * Ownership: the worker is freed by the loop after done returns. A
 * caller that loses interest calls net_worker_cancel(): done will not
 * run, and the worker frees itself (and calls its drop function on ctx)
 * when the thread finishes. */
#ifndef TERN_NET_WORKER_H
#define TERN_NET_WORKER_H

#include "net/loop.h"

struct net_worker;

typedef void net_worker_fn(void *ctx);

/* Starts work(ctx) on a new thread. Returns the worker, or NULL when no
 * thread could be started (then nothing ran and nothing will). drop (may
 * be NULL) frees ctx when the worker was cancelled. */
struct net_worker *net_worker_start(struct net_loop *loop, net_worker_fn *work,
    net_worker_fn *done, net_worker_fn *drop, void *ctx);
/* Forgets the worker: done is not called; *worker is NULLed. */
void net_worker_cancel(struct net_worker **worker);
/* Waits for every cancelled worker still running (before exiting, so no
 * thread outlives what it uses). */
void net_worker_join_all(void);

#endif
