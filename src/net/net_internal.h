/* net_internal.h: what the files of src/net share with each other (the raw uv
 * loop behind a net_loop); it must never be included outside src/net. */
#ifndef SCOBOT_NET_INTERNAL_H
#define SCOBOT_NET_INTERNAL_H

#include <uv.h>

#include "net/loop.h"

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

uv_loop_t *net_loop_uv(struct net_loop *loop);

/* Teardown hooks: objects that must be finished before the uv loop can close
 * (an lws context, whose handles close asynchronously) register here;
 * net_loop_free calls fn(data) before draining the loop. */
struct net_loop_hook {
	void (*fn)(void *data);
	void *data;
	struct net_loop_hook *next, *prev;
};
void net_loop_hook_add(struct net_loop *loop, struct net_loop_hook *hook);
/* Finalizers run once the loop has drained (every close callback fired),
 * just before it is closed: lws wants lws_context_destroy called a second
 * time then, outside any loop callback. fn owns and frees what it needs. */
void net_loop_finalizer_add(struct net_loop *loop, struct net_loop_hook *hook);
void net_loop_hook_remove(struct net_loop *loop, struct net_loop_hook *hook);

#endif
