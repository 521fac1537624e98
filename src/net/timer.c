/* timer.c: net_timer on a uv_timer_t, freed in libuv's close callback so a
 * timer can free itself from its own callback; it must not decide policy
 * (backoff, jitter) for its users. */
#include "net/timer.h"

#include <errno.h>
#include <stdlib.h>

#include "net/net_internal.h"
#include "util/log.h"
#include "util/xalloc.h"

struct net_timer {
	uv_timer_t h;
	struct net_loop *loop;
	net_timer_fn *cb;
	void *data;
	bool freed;
	/* Lets net_loop_free finish a timer its owner forgot. */
	struct net_loop_hook hook;
};

static void on_timer(uv_timer_t *h)
{
	struct net_timer *t = container_of(h, struct net_timer, h);

	if (!t->freed)
		t->cb(t, t->data);
}

static void on_timer_closed(uv_handle_t *h)
{
	free(container_of((uv_timer_t *)h, struct net_timer, h));
}

static void timer_close(struct net_timer *t)
{
	t->freed = true;
	uv_timer_stop(&t->h);
	uv_close((uv_handle_t *)&t->h, on_timer_closed);
}

static void timer_leaked(void *data)
{
	log_error("timer still alive at loop shutdown; freeing it");
	timer_close(data);
}

struct net_timer *net_timer_new(struct net_loop *loop, net_timer_fn *cb, void *data)
{
	struct net_timer *t = xcalloc(1, sizeof(*t));

	uv_timer_init(net_loop_uv(loop), &t->h);
	t->loop = loop;
	t->cb = cb;
	t->data = data;
	t->hook.fn = timer_leaked;
	t->hook.data = t;
	net_loop_hook_add(loop, &t->hook);
	return t;
}

int net_timer_start(struct net_timer *t, uint64_t timeout_ms, uint64_t repeat_ms)
{
	if (!t || t->freed)
		return -EINVAL;
	return uv_timer_start(&t->h, on_timer, timeout_ms, repeat_ms);
}

void net_timer_stop(struct net_timer *t)
{
	if (t && !t->freed)
		uv_timer_stop(&t->h);
}

bool net_timer_is_active(const struct net_timer *t)
{
	return t && !t->freed && uv_is_active((const uv_handle_t *)&t->h);
}

void net_timer_free(struct net_timer *t)
{
	if (!t || t->freed)
		return;
	net_loop_hook_remove(t->loop, &t->hook);
	timer_close(t);
}
