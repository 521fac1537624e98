/* timer.h: one-shot and repeating timers on the net loop; it must not expose
 * libuv types.
 *
 *   struct net_timer *hb = net_timer_new(loop, on_heartbeat, gw);
 *   net_timer_start(hb, first_ms, interval_ms);   // first after first_ms, then every interval_ms
 *   ...
 *   net_timer_free(hb);                            // safe even inside on_heartbeat
 *
 * Times are milliseconds. A timer fires on the loop thread, never early, maybe
 * late if the loop was busy. The timer belongs to its creator, who frees it
 * before net_loop_free. */
#ifndef SCOBOT_NET_TIMER_H
#define SCOBOT_NET_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct net_loop;
struct net_timer;

typedef void net_timer_fn(struct net_timer *timer, void *data);

/* A stopped timer that will call cb(timer, data). Never NULL (allocation
 * failure aborts; libuv timer init cannot fail). */
struct net_timer *net_timer_new(struct net_loop *loop, net_timer_fn *cb, void *data);

/* (Re)arms the timer: first call after timeout_ms, then every repeat_ms if
 * repeat_ms > 0. Starting a running timer restarts it. May be called from
 * inside the timer's own callback (to re-arm with a new interval). Returns 0 or
 * a negative errno (-EINVAL after net_timer_free). */
int net_timer_start(struct net_timer *timer, uint64_t timeout_ms, uint64_t repeat_ms);

/* Disarms the timer; the callback will not run until started again. Safe
 * anywhere, including inside its own callback. Accepts NULL. */
void net_timer_stop(struct net_timer *timer);

/* True while armed (a one-shot timer is no longer armed inside its callback). */
bool net_timer_is_active(const struct net_timer *timer);

/* Stops and frees the timer. Safe from inside its own callback: the memory is
 * released in libuv's close callback, after the current callback returns; the
 * callback will not run again. Accepts NULL. */
void net_timer_free(struct net_timer *timer);

#endif
