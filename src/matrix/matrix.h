/* matrix.h: the Matrix adapter as the daemon sees it: create it on the one net
 * loop with a [matrix] config and an adapter_host, start, stop, free, status.
 * It must not expose libcurl, libuv or the state machine's internals. */
#ifndef SCOBOT_MATRIX_MATRIX_H
#define SCOBOT_MATRIX_MATRIX_H

#include <stddef.h>

#include "core/host.h"
#include "matrix/sync.h"   /* struct matrix_config, MATRIX_EXIT_AUTH */

struct net_loop;
struct matrix;

/* Checks and copies cfg (homeserver must be https, or http on loopback). NULL
 * with a logged reason when the config is unusable. host must outlive it. */
struct matrix *matrix_new(struct net_loop *loop, const struct matrix_config *cfg,
			  const struct adapter_host *host);
/* Loads state and starts logging in and syncing on the loop. 0 or -errno. */
int matrix_start(struct matrix *mx);
/* Cancels requests in flight and flushes state to disk. Idempotent. */
void matrix_stop(struct matrix *mx);
/* Stops (if needed) and frees; accepts NULL. Call before net_loop_free. */
void matrix_free(struct matrix *mx);
/* One line for health output: "running rooms=3 queued=0 ...". */
void matrix_status(const struct matrix *mx, char *out, size_t size);

/* The state machine's counters, with the sync lag (ms) measured when the
 * last sync arrived: its wall time minus the newest event's origin_server_ts. */
void matrix_get_stats(const struct matrix *mx, struct mxsync_stats *out);

/* True for an https URL, or http to loopback (127.0.0.0/8, [::1], localhost):
 * util/url.c's rule, the one the config check applies. */
bool matrix_homeserver_ok(const char *url);

#endif
