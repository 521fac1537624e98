/* discord.c: owns the Discord adapter's wiring: it creates the bot logic
 * (bot.c), the REST queue (rest.c), slash-command registration (appcmds.c),
 * GET /gateway/bot (gatewaybot.c) and the shards (shards.c), carries
 * dispatches to the bot and its actions to the queue, and runs start and
 * stop (statistics: stats.c). It must not block the loop, cache
 * guilds/members/messages, or log the token. */
#include "discord/discord.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "discord/appcmds.h"
#include "discord/bot.h"
#include "discord/codec.h"
#include "discord/coord.h"
#include "discord/gatewaybot.h"
#include "discord/rest.h"
#include "discord/shards.h"
#include "discord/stats.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/url.h"
#include "util/xalloc.h"

#define PRESENCE_MAX 64                  /* bytes of "<prefix> help" */

struct discord {
	struct net_loop *loop;
	const struct adapter_host *host;
	struct dc_bot *bot;
	struct dc_rest *rest;
	struct dc_appcmds *appcmds;
	struct dc_shards *shards;
	struct coord *coord;            /* NULL: no [discord] coordination */
	struct dc_gwbot *gwbot;         /* GET /gateway/bot */
	bool started, stopping, fatal;
	void (*stop_done)(void *);
	void *stop_data;
	struct net_timer *stop_timer;
	uint64_t rng;
	uint64_t ignored;      /* events that did not parse */
};

static uint32_t dc_random(void *ctx)
{
	struct discord *dc = ctx;
	/* xorshift64*: jitter only, never secrets. */
	dc->rng ^= dc->rng >> 12;
	dc->rng ^= dc->rng << 25;
	dc->rng ^= dc->rng >> 27;
	return (uint32_t)((dc->rng * 2685821657736338717ull) >> 32);
}

/* One fatal report per run (the host may call back into stop). */
static void tell_fatal(struct discord *dc, const char *msg)
{
	if (dc->fatal)
		return;
	dc->fatal = true;
	if (dc->gwbot)
		dc_gwbot_stop(dc->gwbot);
	if (dc->host->fatal)
		dc->host->fatal(dc->host->ctx, "discord", SCOBOT_EXIT_DISCORD_AUTH, msg);
}

bool discord_url_allowed(const char *url)
{
	return url_allowed(url, URL_WEBSOCKET);
}

static void on_dispatch(void *ctx, int shard, int64_t seq, const char *type, const cJSON *d)
{
	struct discord *dc = ctx;
	struct dc_actions acts = {.n = 0};
	struct dc_clock clock;
	if (strcmp(type, "MESSAGE_CREATE") == 0) {
		struct dc_message m;
		const char *self = dc_bot_self_id(dc->bot);
		if (dc_parse_message(d, self[0] ? self : NULL, &m) < 0) {
			dc->ignored++;
			return;
		}
		clock = (struct dc_clock){net_loop_now_ms(dc->loop), clock_wall_ms()};
		dc_bot_on_message(dc->bot, &m, &clock, &acts);
		dc_rest_send_actions(dc->rest, shard, seq, &acts);
	} else if (strcmp(type, "INTERACTION_CREATE") == 0) {
		struct dc_interaction in;
		if (dc_parse_interaction(d, &in) < 0) {
			dc->ignored++;
			return;
		}
		clock = (struct dc_clock){net_loop_now_ms(dc->loop), clock_wall_ms()};
		dc_bot_on_interaction(dc->bot, &in, &clock, &acts);
		dc_rest_send_actions(dc->rest, shard, 0, &acts);
	} else if (strcmp(type, "READY") == 0) {
		struct dc_ready r;
		if (dc_parse_ready(d, &r) == 0)
			dc_bot_on_ready(dc->bot, &r);
	}
	/* Everything else (GUILD_CREATE included) is dropped at once: the bot
	 * keeps no guild, member or message cache. */
}

/* ---- what the shards report ------------------------------------------------ */

static void on_shard_ready(void *ctx)
{
	struct discord *dc = ctx;
	dc_appcmds_on_shard_ready(dc->appcmds, dc->rest, dc->bot);
}

static void on_up(void *ctx)
{
	struct discord *dc = ctx;
	if (dc->host->ready)
		dc->host->ready(dc->host->ctx, "discord");
}

static void on_lost(void *ctx, const char *reason)
{
	struct discord *dc = ctx;
	if (dc->host->lost)
		dc->host->lost(dc->host->ctx, "discord", reason);
}

static void on_gw_fatal(void *ctx, const char *message)
{
	tell_fatal(ctx, message);
}

static void on_progress(void *ctx)
{
	struct discord *dc = ctx;
	if (dc->host->progress)
		dc->host->progress(dc->host->ctx, "discord");
}

static void finish_stop(struct discord *dc)
{
	if (!dc->stop_done)
		return;
	void (*done)(void *) = dc->stop_done;
	dc->stop_done = NULL;
	net_timer_stop(dc->stop_timer);
	done(dc->stop_data);
}

static void on_closed(void *ctx)
{
	finish_stop(ctx);
}

static void on_unreachable(void *ctx, int shard)
{
	struct discord *dc = ctx;
	dc_gwbot_unreachable(dc->gwbot, shard);
}

static void on_saved_ids(void *ctx, const char *user_id, const char *application_id)
{
	struct discord *dc = ctx;
	dc_bot_learn_ids(dc->bot, user_id, application_id);
}

/* Every REST request ends here: what its success means, and who hears of it. */
static void on_rest_done(void *ctx, const struct dc_rest_result *res)
{
	struct discord *dc = ctx;
	if (res->kind == DC_REST_GATEWAY_BOT)
		dc_gwbot_on_result(dc->gwbot, res);
	else if (res->ok || res->kind == DC_REST_COMMANDS_PUT)
		dc_appcmds_on_response(dc->appcmds, dc->rest, dc->bot, res);
	if (res->token_refused)
		tell_fatal(dc, "Discord refused the bot token (HTTP 401); set a valid token or "
		               "token_file in [discord]");
	if (res->report_sent && dc->host->sent)
		dc->host->sent(dc->host->ctx, "discord", res->received_ms,
		               res->resp && res->resp->error == HTTP_OK ? res->resp->status : 0);
}

/* A shared global slot came in (coord.h): the queue may go on. */
static void coord_wake(void *ctx)
{
	struct discord *dc = ctx;
	if (dc->rest)
		dc_rest_kick(dc->rest);
}

/* ---- public API ---------------------------------------------------------- */

struct discord *discord_new(struct net_loop *loop, const struct discord_config *cfg,
                            const struct adapter_host *host)
{
	const char *api = cfg->api_base && *cfg->api_base ? cfg->api_base : DISCORD_DEFAULT_API_BASE;
	if (!cfg->token || !*cfg->token || strpbrk(cfg->token, " \t\r\n")) {
		log_error("discord: no usable token configured");
		return NULL;
	}
	if (!url_allowed(api, URL_HTTP)) {
		log_error("discord: api_base must be https:// (plain http only to a loopback host)");
		return NULL;
	}
	if (cfg->application_id && *cfg->application_id && !dc_is_snowflake(cfg->application_id)) {
		log_error("discord: application_id is not a snowflake");
		return NULL;
	}
	if (cfg->commands_guild && *cfg->commands_guild && !dc_is_snowflake(cfg->commands_guild)) {
		log_error("discord: the commands guild id is not a snowflake");
		return NULL;
	}
	struct discord *dc = xcalloc(1, sizeof(*dc));
	dc->loop = loop;
	dc->host = host;
	if (getrandom(&dc->rng, sizeof(dc->rng), GRND_NONBLOCK) != sizeof(dc->rng))
		dc->rng = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)dc;
	dc->rng |= 1;
	const char *prefix = cfg->prefix && *cfg->prefix ? cfg->prefix : DISCORD_DEFAULT_PREFIX;
	struct dc_bot_config bc = {
		.prefix = prefix, .application_id = cfg->application_id,
		.cooldown_user_max = cfg->cooldown_user_max,
		.cooldown_window_ms = cfg->cooldown_window_ms,
		.cooldown_channel_max = cfg->cooldown_channel_max,
		.host = host, .complete = cfg->complete, .complete_ctx = cfg->complete_ctx,
	};
	dc->bot = dc_bot_new(&bc);
	dc->appcmds = dc_appcmds_new(cfg->register_commands, cfg->commands_guild);

	if (cfg->coordination && *cfg->coordination) {
		/* Processes split the shards evenly (scobot@.service), so the
		 * count and this one's place follow from shards and shard_ids. */
		int per = cfg->shard_first >= 0 ? cfg->shard_last - cfg->shard_first + 1 : 0;
		int procs = per > 0 && cfg->shards > 0 ? (cfg->shards + per - 1) / per : 1;
		char member[48];
		snprintf(member, sizeof(member), "shards %d-%d", cfg->shard_first, cfg->shard_last);
		struct coord_config co = {
			.url = cfg->coordination,
			.password = cfg->coordination_password,
			.token = cfg->token,
			.processes = procs,
			.process_index = per > 0 ? cfg->shard_first / per : 0,
			.share = cfg->coordination_share,
			.busy_hold_ms = cfg->rest_timeout_ms > 0 ? cfg->rest_timeout_ms
			                                         : DISCORD_REST_TIMEOUT_MS,
			.member = member,
		};
		dc->coord = coord_new(loop, &co, coord_wake, dc);
		if (!dc->coord) {
			discord_free(dc);
			return NULL;
		}
	}

	char *base = xstrdup(api);
	size_t al = strlen(base);
	while (al > 0 && base[al - 1] == '/')
		base[--al] = '\0';
	size_t hl = strlen(cfg->token) + 32;
	char *auth = xmalloc(hl);
	snprintf(auth, hl, "Authorization: Bot %s", cfg->token);
	struct dc_rest_config rc = {
		.api_base = base, .auth_header = auth,
		.ca_file = cfg->ca_file && *cfg->ca_file ? cfg->ca_file : NULL,
		.timeout_ms = cfg->rest_timeout_ms > 0 ? cfg->rest_timeout_ms : DISCORD_REST_TIMEOUT_MS,
		.queue_max = DISCORD_REST_QUEUE_MAX, .retries = DISCORD_REST_RETRIES,
		.done = on_rest_done, .random = dc_random, .ctx = dc, .coord = dc->coord,
	};
	dc->rest = dc_rest_new(loop, &rc);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(base);

	char presence[PRESENCE_MAX];
	snprintf(presence, sizeof(presence), "%s help", prefix);
	struct dc_shards_config sc = {
		.token = cfg->token, .presence = presence, .compress = cfg->compress,
		.message_content = cfg->message_content,
		.state_dir = cfg->state_dir && *cfg->state_dir ? cfg->state_dir : NULL,
		.ca_file = cfg->ca_file && *cfg->ca_file ? cfg->ca_file : NULL,
		.shards = cfg->shards, .shard_first = cfg->shard_first, .shard_last = cfg->shard_last,
		.coord = dc->coord,
	};
	struct dc_shards_events ev = {
		.ctx = dc, .dispatch = on_dispatch, .shard_ready = on_shard_ready, .up = on_up,
		.lost = on_lost, .fatal = on_gw_fatal, .progress = on_progress, .closed = on_closed,
		.saved_ids = on_saved_ids, .random = dc_random, .unreachable = on_unreachable,
	};
	dc->shards = dc_shards_new(loop, &sc, &ev);
	if (!dc->rest || !dc->shards) {
		log_error("discord: cannot start the HTTP or websocket client");
		discord_free(dc);
		return NULL;
	}
	struct dc_gwbot_config gc = {.rest = dc->rest, .shards = dc->shards, .coord = dc->coord,
	                             .ctx = dc, .random = dc_random, .fatal = on_gw_fatal};
	dc->gwbot = dc_gwbot_new(loop, &gc);
	return dc;
}

int discord_start(struct discord *dc)
{
	if (dc->started)
		return -EALREADY;
	dc->started = true;
	dc_gwbot_fetch(dc->gwbot);
	return 0;
}

static void stop_timeout_cb(struct net_timer *t, void *data)
{
	struct discord *dc = data;
	if (dc->stop_done && dc_shards_any_open(dc->shards))
		log_warn("discord: close handshake did not finish in time");
	finish_stop(dc);
}

static int64_t replay_seq(void *ctx, int shard)
{
	struct discord *dc = ctx;
	return dc_rest_oldest_seq(dc->rest, shard);
}

void discord_stop(struct discord *dc, void (*done)(void *data), void *data)
{
	if (dc->stopping)
		return;
	dc->stopping = true;
	dc->stop_done = done;
	dc->stop_data = data;
	dc_gwbot_stop(dc->gwbot);
	/* Answers not yet sent are dropped, and said so; the session saved is
	 * rewound to just before the oldest question they answer, so the resume
	 * replays it and the restarted bot answers it (its nonce makes a second
	 * copy of an answer that did go out impossible). */
	struct state_ids ids = {{0}, {0}};
	const char *app = dc_bot_app_id(dc->bot);
	snprintf(ids.user_id, sizeof(ids.user_id), "%s", dc_bot_self_id(dc->bot));
	snprintf(ids.application_id, sizeof(ids.application_id), "%s", app ? app : "");
	bool any_open = dc_shards_stop(dc->shards, &ids, !dc->fatal, replay_seq, dc);
	dc_rest_stop(dc->rest);
	/* done runs from a timer the adapter owns, never a deferred call that
	 * could outlive discord_free. */
	dc->stop_timer = net_timer_new(dc->loop, stop_timeout_cb, dc);
	net_timer_start(dc->stop_timer, any_open ? DISCORD_STOP_TIMEOUT_MS : 0, 0);
}

void discord_free(struct discord *dc)
{
	if (!dc)
		return;
	dc_rest_free(dc->rest);
	dc_shards_free(dc->shards);
	dc_appcmds_free(dc->appcmds);
	dc_bot_free(dc->bot);
	coord_free(dc->coord);   /* after the queue and shards that used it */
	dc_gwbot_free(dc->gwbot);
	net_timer_free(dc->stop_timer);
	free(dc);
}

size_t discord_status(const struct discord *dc, char *out, size_t size)
{
	return dc_stats_status(dc->shards, dc->rest, dc->coord, out, size);
}

void discord_get_stats(const struct discord *dc, struct discord_stats *out)
{
	dc_stats_get(dc->shards, dc->rest, dc->coord, out);
}
