/* loop.c: owns the libuv loop, its signal watchers and the deferred-call
 * queue; it must not know about HTTP, websockets or any platform. */
#include "net/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "net/net_internal.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* How long net_loop_free waits for close callbacks and outstanding requests
 * (a DNS lookup in the thread pool) before it reports what is still open and
 * leaks the loop rather than hang (ms). */
#define NET_LOOP_DRAIN_MS 5000

struct defer_item {
	net_defer_fn *cb;
	void *data;
	struct defer_item *next;
};

struct net_signal {
	uv_signal_t h;
	net_signal_fn *cb;
	void *data;
};

struct net_loop {
	uv_loop_t uv;
	bool running;
	bool freeing;           /* in net_loop_free: defer_idle may be closed */
	uv_idle_t defer_idle;   /* active only while the queue is non-empty */
	struct defer_item *defer_head, *defer_tail;
	struct net_signal signals[NET_LOOP_MAX_SIGNALS];
	int nsignals;
	struct net_loop_hook *hooks;
	struct net_loop_hook *finalizers;
};

uv_loop_t *net_loop_uv(struct net_loop *loop)
{
	return &loop->uv;
}

void net_loop_hook_add(struct net_loop *loop, struct net_loop_hook *hook)
{
	hook->prev = NULL;
	hook->next = loop->hooks;
	if (loop->hooks)
		loop->hooks->prev = hook;
	loop->hooks = hook;
}

void net_loop_finalizer_add(struct net_loop *loop, struct net_loop_hook *hook)
{
	hook->prev = NULL;
	hook->next = loop->finalizers;
	loop->finalizers = hook;
}

void net_loop_hook_remove(struct net_loop *loop, struct net_loop_hook *hook)
{
	if (hook->prev)
		hook->prev->next = hook->next;
	else if (loop->hooks == hook)
		loop->hooks = hook->next;
	if (hook->next)
		hook->next->prev = hook->prev;
	hook->next = hook->prev = NULL;
}

/* Runs the calls queued before this pass; calls they queue wait for the next
 * pass, so a deferred call that re-defers cannot starve the loop. */
static void defer_run_batch(struct net_loop *loop)
{
	struct defer_item *it = loop->defer_head;

	loop->defer_head = loop->defer_tail = NULL;
	while (it) {
		struct defer_item *next = it->next;
		it->cb(it->data);
		free(it);
		it = next;
	}
	if (!loop->defer_head && !loop->freeing)
		uv_idle_stop(&loop->defer_idle);
}

static void on_defer_idle(uv_idle_t *h)
{
	defer_run_batch(h->data);
}

void net_defer(struct net_loop *loop, net_defer_fn *cb, void *data)
{
	struct defer_item *it = xmalloc(sizeof(*it));

	it->cb = cb;
	it->data = data;
	it->next = NULL;
	if (loop->defer_tail)
		loop->defer_tail->next = it;
	else
		loop->defer_head = it;
	loop->defer_tail = it;
	/* An active idle handle makes the next poll non-blocking. In
	 * net_loop_free the drain loop runs the queue itself. */
	if (!loop->freeing)
		uv_idle_start(&loop->defer_idle, on_defer_idle);
}

struct net_loop *net_loop_new(void)
{
	struct net_loop *loop = xcalloc(1, sizeof(*loop));
	int r = uv_loop_init(&loop->uv);

	if (r < 0) {
		log_error("cannot create the event loop", "err=%s", uv_strerror(r));
		free(loop);
		return NULL;
	}
	uv_idle_init(&loop->uv, &loop->defer_idle);
	loop->defer_idle.data = loop;
	return loop;
}

static void on_signal(uv_signal_t *h, int signo)
{
	struct net_signal *s = container_of(h, struct net_signal, h);

	s->cb(signo, s->data);
}

int net_signal_watch(struct net_loop *loop, int signo, net_signal_fn *cb, void *data)
{
	struct net_signal *s;
	int r;

	if (signo <= 0 || signo >= NSIG || !cb)
		return -EINVAL;
	if (loop->nsignals >= NET_LOOP_MAX_SIGNALS)
		return -ENOSPC;
	s = &loop->signals[loop->nsignals];
	r = uv_signal_init(&loop->uv, &s->h);
	if (r < 0)
		return r;
	s->cb = cb;
	s->data = data;
	r = uv_signal_start(&s->h, on_signal, signo);
	if (r < 0) {
		/* The slot stays claimed until the close completes in net_loop_free. */
		s->cb = NULL;
		uv_close((uv_handle_t *)&s->h, NULL);
		loop->nsignals++;
		return r;
	}
	/* A signal watch alone must not keep net_loop_run from returning. */
	uv_unref((uv_handle_t *)&s->h);
	loop->nsignals++;
	return 0;
}

int net_loop_run(struct net_loop *loop)
{
	if (loop->running)
		return -EBUSY;
	loop->running = true;
	uv_run(&loop->uv, UV_RUN_DEFAULT);
	loop->running = false;
	return 0;
}

void net_loop_stop(struct net_loop *loop)
{
	uv_stop(&loop->uv);
}

int64_t net_loop_now_ms(const struct net_loop *loop)
{
	(void)loop;
	return clock_now_ms();
}

static void report_open_handle(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		log_error("event loop handle still open at shutdown", "type=%s",
			  uv_handle_type_name(uv_handle_get_type(h)));
}

/* Runs the loop until nothing is left but unreferenced handles, or the
 * guard fires. */
static void drain(struct net_loop *loop, const bool *guard_fired)
{
	for (;;) {
		if (loop->defer_head) {
			defer_run_batch(loop);
			continue;
		}
		if (!uv_loop_alive(&loop->uv) || *guard_fired)
			return;
		uv_run(&loop->uv, UV_RUN_ONCE);
	}
}

static void on_drain_guard(uv_timer_t *h)
{
	*(bool *)h->data = true;
}

void net_loop_free(struct net_loop *loop)
{
	uv_timer_t guard;
	bool guard_fired = false;
	int r;

	if (!loop)
		return;
	loop->freeing = true;
	/* Objects their owners forgot: finish them so the loop can close. */
	while (loop->hooks) {
		struct net_loop_hook *h = loop->hooks;
		net_loop_hook_remove(loop, h);
		h->fn(h->data);
	}
	for (int i = 0; i < loop->nsignals; i++) {
		if (!uv_is_closing((uv_handle_t *)&loop->signals[i].h))
			uv_close((uv_handle_t *)&loop->signals[i].h, NULL);
	}
	/* Let close callbacks and outstanding requests (a DNS lookup in the
	 * thread pool) finish. The unreferenced guard timer bounds the wait
	 * without keeping the loop alive itself. */
	uv_timer_init(&loop->uv, &guard);
	guard.data = &guard_fired;
	uv_timer_start(&guard, on_drain_guard, NET_LOOP_DRAIN_MS, 0);
	uv_unref((uv_handle_t *)&guard);
	uv_idle_stop(&loop->defer_idle);
	drain(loop, &guard_fired);
	while (loop->finalizers && !guard_fired) {
		struct net_loop_hook *h = loop->finalizers;
		loop->finalizers = h->next;
		h->fn(h->data);
		drain(loop, &guard_fired);
	}
	uv_close((uv_handle_t *)&guard, NULL);
	uv_close((uv_handle_t *)&loop->defer_idle, NULL);
	uv_run(&loop->uv, UV_RUN_NOWAIT);
	r = uv_loop_close(&loop->uv);
	if (r != 0) {
		/* Leaking beats hanging or freeing memory libuv still points at. */
		uv_walk(&loop->uv, report_open_handle, NULL);
		log_error("event loop did not drain; leaking it", "err=%s timeout_ms=%d",
			  uv_strerror(r), NET_LOOP_DRAIN_MS);
		return;
	}
	free(loop);
}

struct net_work {
	uv_work_t req;
	net_work_fn *work, *done;
	void *data;
};

static void work_run(uv_work_t *req)
{
	struct net_work *w = req->data;
	w->work(w->data);
}

static void work_after(uv_work_t *req, int status)
{
	struct net_work *w = req->data;
	/* UV_ECANCELED cannot happen (nothing calls uv_cancel), and done must
	 * run whatever status says, so the data is always released. */
	(void)status;
	net_work_fn *done = w->done;
	void *data = w->data;
	free(w);
	done(data);
}

int net_work_queue(struct net_loop *loop, net_work_fn *work, net_work_fn *done, void *data)
{
	struct net_work *w = xcalloc(1, sizeof(*w));
	w->work = work;
	w->done = done;
	w->data = data;
	w->req.data = w;
	int r = uv_queue_work(&loop->uv, &w->req, work_run, work_after);
	if (r < 0) {
		free(w);
		return r;
	}
	return 0;
}
