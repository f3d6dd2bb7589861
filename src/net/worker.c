/* Blocking work on a thread, completion in the poll loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "net/worker.h"

struct net_worker {
	struct net_loop *loop;
	net_worker_fn *work, *done, *drop;
	void *ctx;
	int pipe_r, pipe_w;	/* the thread writes one byte when finished */
	struct net_loop_io *io;
	pthread_t thread;
	pthread_mutex_t lock;
	bool cancelled;		/* under lock */
	bool finished;		/* under lock */
	struct net_worker *next_cancelled;
};

/* Cancelled workers whose threads still run. */
static pthread_mutex_t net_worker_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct net_worker *net_worker_cancelled;

static void
net_worker_free(struct net_worker *w)
{
	net_loop_io_remove(&w->io);
	if (w->pipe_r >= 0)
		close(w->pipe_r);
	if (w->pipe_w >= 0)
		close(w->pipe_w);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static void *
net_worker_main(void *arg)
{
	struct net_worker *w = arg;
	bool cancelled;

	w->work(w->ctx);
	pthread_mutex_lock(&w->lock);
	w->finished = true;
	cancelled = w->cancelled;
	pthread_mutex_unlock(&w->lock);
	if (!cancelled) {
		char c = 1;

		/* The loop frees the worker after this byte arrives, so w
		 * must not be touched after the write. */
		while (write(w->pipe_w, &c, 1) < 0 && errno == EINTR)
			;
	}
	return NULL;
}

static void
net_worker_event(void *ctx, short revents)
{
	struct net_worker *w = ctx;

	(void)revents;
	/* Joined before done runs: the thread has finished its work. */
	pthread_join(w->thread, NULL);
	net_loop_io_remove(&w->io);
	if (w->done != NULL)
		w->done(w->ctx);
	net_worker_free(w);
}

struct net_worker *
net_worker_start(struct net_loop *loop, net_worker_fn *work, net_worker_fn *done,
    net_worker_fn *drop, void *ctx)
{
	struct net_worker *w = xcalloc(1, sizeof(*w));
	int fds[2];

	if (pipe(fds) != 0) {
		free(w);
		return NULL;
	}
	(void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	w->loop = loop;
	w->work = work;
	w->done = done;
	w->drop = drop;
	w->ctx = ctx;
	w->pipe_r = fds[0];
	w->pipe_w = fds[1];
	pthread_mutex_init(&w->lock, NULL);
	if (pthread_create(&w->thread, NULL, net_worker_main, w) != 0) {
		net_worker_free(w);
		return NULL;
	}
	w->io = net_loop_io_add(loop, w->pipe_r, POLLIN, net_worker_event, w);
	return w;
}

void
net_worker_cancel(struct net_worker **wp)
{
	struct net_worker *w = *wp;

	if (w == NULL)
		return;
	*wp = NULL;
	net_loop_io_remove(&w->io);
	pthread_mutex_lock(&w->lock);
	w->cancelled = true;
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_lock(&net_worker_list_lock);
	w->next_cancelled = net_worker_cancelled;
	net_worker_cancelled = w;
	pthread_mutex_unlock(&net_worker_list_lock);
}

void
net_worker_join_all(void)
{
	struct net_worker *w, *next;

	pthread_mutex_lock(&net_worker_list_lock);
	w = net_worker_cancelled;
	net_worker_cancelled = NULL;
	pthread_mutex_unlock(&net_worker_list_lock);
	for (; w != NULL; w = next) {
		next = w->next_cancelled;
		pthread_join(w->thread, NULL);
		if (w->drop != NULL)
			w->drop(w->ctx);
		net_worker_free(w);
	}
}
