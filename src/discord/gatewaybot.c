/* gatewaybot.c: owns GET /gateway/bot: the start-up fetch and its retries,
 * starting the shards with what it returns, and fetching it again when a
 * shard's connects keep failing so that a moved gateway URL is followed. */
#include "discord/gatewaybot.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "discord/codec.h"
#include "discord/coord.h"
#include "discord/gateway.h"
#include "discord/rest.h"
#include "discord/shards.h"
#include "discord/state.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "util/log.h"
#include "util/url.h"
#include "util/xalloc.h"

struct dc_gwbot {
	struct net_loop *loop;
	struct dc_gwbot_config cfg;
	struct net_timer *timer;    /* start-up retries */
	unsigned attempts;
	bool queued;                /* a GET is queued or in flight */
	bool stopped;
};

static void timer_cb(struct net_timer *t, void *data)
{
	dc_gwbot_fetch(data);
}

struct dc_gwbot *dc_gwbot_new(struct net_loop *loop, const struct dc_gwbot_config *cfg)
{
	struct dc_gwbot *g = xcalloc(1, sizeof(*g));
	g->loop = loop;
	g->cfg = *cfg;
	g->timer = net_timer_new(loop, timer_cb, g);
	return g;
}

void dc_gwbot_free(struct dc_gwbot *g)
{
	if (!g)
		return;
	net_timer_free(g->timer);
	free(g);
}

void dc_gwbot_stop(struct dc_gwbot *g)
{
	g->stopped = true;
	net_timer_stop(g->timer);
}

void dc_gwbot_fetch(struct dc_gwbot *g)
{
	if (g->stopped || g->queued)
		return;
	struct dc_rest_spec s = {.kind = DC_REST_GATEWAY_BOT, .method = "GET",
	                         .route = "GET /gateway/bot", .major = "", .what = "get gateway"};
	/* Set first: a request that cannot start reports (and clears it) at once. */
	g->queued = true;
	if (!dc_rest_enqueue(g->cfg.rest, &s, NULL, "/gateway/bot"))
		g->queued = false;
}

void dc_gwbot_unreachable(struct dc_gwbot *g, int shard)
{
	/* gateway.mdx "Connecting": the URL is to be cached and fetched again
	 * only when connecting to it fails; it failed several times in a row. */
	if (!dc_shards_started(g->cfg.shards) || g->queued || g->stopped)
		return;
	log_warn("discord gateway unreachable; asking Discord for its URL again", "shard=%d fails=%d",
	         shard, DC_GATEWAY_REFETCH_AFTER);
	dc_gwbot_fetch(g);
}

/* Start-up only: a failed fetch later leaves the cached URL in use, and the
 * next run of failures asks again. */
static void retry(struct dc_gwbot *g)
{
	if (g->stopped || dc_rest_refused(g->cfg.rest) || dc_shards_started(g->cfg.shards))
		return;
	int64_t delay = gateway_backoff_ms(++g->attempts, g->cfg.random(g->cfg.ctx));
	if (delay > GATEWAY_BOT_RETRY_CAP_MS)
		delay = GATEWAY_BOT_RETRY_CAP_MS;
	log_warn("discord: /gateway/bot failed, retrying", "delay_ms=%lld", (long long)delay);
	net_timer_start(g->timer, (uint64_t)delay, 0);
}

static void on_gateway_bot(struct dc_gwbot *g, const struct http_response *resp)
{
	struct dc_gateway_bot gb = {.root = NULL};
	if (dc_parse_gateway_bot(resp->body, resp->body_len, &gb) < 0 || !gb.url
	    || strlen(gb.url) >= GW_URL_MAX || !url_allowed(gb.url, URL_WEBSOCKET)) {
		dc_gateway_bot_free(&gb);
		log_warn("discord: /gateway/bot returned no usable url");
		retry(g);
		return;
	}
	char err[256];
	if (dc_shards_started(g->cfg.shards)) {
		/* A fetch after failed connects: new sessions use the URL now. */
		dc_shards_set_url(g->cfg.shards, gb.url);
		log_notice("discord gateway URL fetched again", "url=\"%s\"", gb.url);
	} else {
		if (gb.has_limit)
			idgate_set_remote(dc_shards_idgate(g->cfg.shards), gb.max_concurrency,
			                  gb.remaining, gb.reset_after_ms, net_loop_now_ms(g->loop));
		/* gateway.mdx "Session Start Limit Object": total is 1000 a day. */
		if (gb.has_limit && g->cfg.coord)
			coord_identify_budget(g->cfg.coord, gb.max_concurrency, IDENTIFY_DAILY_LIMIT,
			                      gb.remaining, gb.reset_after_ms);
		g->attempts = 0;
		if (dc_shards_start(g->cfg.shards, gb.url, gb.shards, err, sizeof(err)) < 0) {
			g->stopped = true;
			g->cfg.fatal(g->cfg.ctx, err);
		}
	}
	dc_gateway_bot_free(&gb);
}

void dc_gwbot_on_result(struct dc_gwbot *g, const struct dc_rest_result *res)
{
	g->queued = false;
	if (res->ok && res->resp)
		on_gateway_bot(g, res->resp);
	else
		retry(g);
}
