/* loop.h: the one event loop of the process (a libuv loop behind an opaque
 * type), its signals and deferred calls; it must not expose libuv types, so no
 * file outside src/net ever includes <uv.h>.
 *
 * Everything in scobot that waits (HTTP, websockets, timers, signals) waits on
 * this loop, in one thread. Nothing may block it: no sleep, no synchronous DNS,
 * no curl_easy_perform.
 *
 * Typical use (main.c):
 *
 *   struct net_loop *loop = net_loop_new();
 *   net_signal_watch(loop, SIGTERM, on_term, bot);   // on_term calls net_loop_stop
 *   ... create http/ws clients and timers on loop ...
 *   net_loop_run(loop);                             // returns after net_loop_stop
 *   ... free timers, ws/http clients (their close callbacks run in net_loop_free) ...
 *   net_loop_free(loop);
 *
 * Ownership: every object created on a loop (timers, http clients, ws clients)
 * belongs to its creator and must be freed before net_loop_free. net_loop_free
 * then finishes the asynchronous closes (it runs the loop until every close
 * callback has fired) and runs any pending deferred calls, so a clean shutdown
 * leaks nothing. An object still alive at net_loop_free is a bug: it is freed
 * with an error log line, and any pointer the caller still holds is dangling.
 *
 * Conventions: negative errno or NULL on failure; destructors accept NULL. */
#ifndef SCOBOT_NET_LOOP_H
#define SCOBOT_NET_LOOP_H

#include <stdint.h>

struct net_loop;

/* A new loop with its own libuv loop. NULL when libuv cannot create one (out of
 * file descriptors); the caller reports it. */
struct net_loop *net_loop_new(void);

/* Closes every handle the loop owns (signal watchers, the defer machinery),
 * runs pending deferred calls, and runs the loop until every close callback
 * has fired. Must not be called from inside a loop callback. Accepts NULL. */
void net_loop_free(struct net_loop *loop);

/* Runs callbacks until net_loop_stop is called (or nothing is left to wait
 * for). Returns 0, or a negative errno if the loop is already running. */
int net_loop_run(struct net_loop *loop);

/* Makes net_loop_run return after the current callback returns. Safe to call
 * from any callback on the loop (a signal handler callback, typically); not
 * from another thread. Work still pending stays pending until freed. */
void net_loop_stop(struct net_loop *loop);

/* Milliseconds on CLOCK_MONOTONIC, the same clock as util/clock.h
 * clock_now_ms() (not libuv's cached per-iteration time), so values can be
 * compared with any other time in scobot. */
int64_t net_loop_now_ms(const struct net_loop *loop);

/* Called on the loop (never in signal context) when signo arrived. */
typedef void net_signal_fn(int signo, void *data);

/* Delivers signo (SIGHUP, SIGTERM, SIGINT, ...) to cb on the loop until the
 * loop is freed. At most NET_LOOP_MAX_SIGNALS watches per loop. A watched
 * signal no longer has its default action (SIGTERM no longer kills), so the
 * callback must act. A watch alone does not keep net_loop_run running.
 * Returns 0, -EINVAL for a bad signo, -ENOSPC when the table is full, or the
 * negative errno from libuv. */
int net_signal_watch(struct net_loop *loop, int signo, net_signal_fn *cb, void *data);

/* Most signals one loop watches (count). */
#define NET_LOOP_MAX_SIGNALS 8

typedef void net_defer_fn(void *data);

/* Runs cb(data) on the next loop pass, after the current callback (and
 * everything else already running) has returned: the safe way to free an object
 * that a library callback is still standing on. Calls queued from inside a
 * deferred call run on the pass after. Pending calls run (in order) in
 * net_loop_free, so a deferred free is never lost. Never fails (the queue
 * grows with xmalloc). */
void net_defer(struct net_loop *loop, net_defer_fn *cb, void *data);

typedef void net_work_fn(void *data);

/* Runs work(data) on a thread of libuv's pool, for what must not block the
 * loop (a file write with fsync), then done(data) on the loop. work must not
 * touch anything the loop thread uses without a lock of its own; done always
 * runs, once, even when the loop is being freed (net_loop_free waits up to
 * 5 s for outstanding work). Returns 0, or a negative errno when the work
 * cannot be queued (then neither function runs). */
int net_work_queue(struct net_loop *loop, net_work_fn *work, net_work_fn *done, void *data);

#endif
