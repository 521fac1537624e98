/* gatewaybot.h: GET /gateway/bot for the Discord adapter: the first fetch at
 * start-up (retried with backoff until it succeeds), which starts the shards
 * with its URL, shard count and session start limits, and a fetch again when
 * a shard's connects keep failing, whose URL replaces the cached one.
 *
 *   struct dc_gwbot *g = dc_gwbot_new(loop, &cfg);
 *   dc_gwbot_fetch(g);                          // discord_start
 *   dc_gwbot_on_result(g, &res);                // every DC_REST_GATEWAY_BOT result
 *   dc_gwbot_unreachable(g, shard);             // shards' unreachable event
 *   dc_gwbot_stop(g); dc_gwbot_free(g); */
#ifndef SCOBOT_DISCORD_GATEWAYBOT_H
#define SCOBOT_DISCORD_GATEWAYBOT_H

#include <stdint.h>

struct coord;
struct dc_rest;
struct dc_rest_result;
struct dc_shards;
struct net_loop;

#define GATEWAY_BOT_RETRY_CAP_MS 60000   /* longest wait between /gateway/bot tries, ms */

struct dc_gwbot_config {
	struct dc_rest *rest;        /* not owned */
	struct dc_shards *shards;    /* not owned */
	struct coord *coord;         /* NULL: no [discord] coordination */
	void *ctx;
	uint32_t (*random)(void *ctx);                 /* jitter */
	void (*fatal)(void *ctx, const char *message); /* the shard range does not fit */
};

struct dc_gwbot;

struct dc_gwbot *dc_gwbot_new(struct net_loop *loop, const struct dc_gwbot_config *cfg);
void dc_gwbot_free(struct dc_gwbot *g);
/* Queues GET /gateway/bot (none while one is queued or after stop). */
void dc_gwbot_fetch(struct dc_gwbot *g);
void dc_gwbot_on_result(struct dc_gwbot *g, const struct dc_rest_result *res);
/* A shard's connects keep failing: the URL may have moved; fetch it again. */
void dc_gwbot_unreachable(struct dc_gwbot *g, int shard);
/* No more fetches or retries (stopping, or a fatal condition). */
void dc_gwbot_stop(struct dc_gwbot *g);

#endif
