/* discord.h: the Discord adapter as the daemon sees it: shards on the net loop,
 * REST with rate limits, slash commands, answering through struct adapter_host.
 * It must not include daemon headers: the daemon copies its [discord] config
 * section into struct discord_config.
 *
 *   struct discord *dc = discord_new(loop, &cfg, &host);   // NULL: cfg invalid (logged)
 *   discord_start(dc);
 *   ... net_loop_run ...
 *   discord_stop(dc, on_stopped, data);   // SIGTERM: save sessions, resumable close
 *   ... on_stopped runs on the loop (at most DISCORD_STOP_TIMEOUT_MS later) ...
 *   discord_free(dc);
 *
 * Fatal conditions (token refused, close codes 4004/4010-4014, a shard range
 * that does not fit) go to host->fatal with SCOBOT_EXIT_DISCORD_AUTH; every
 * other failure is retried with backoff and never ends the process. */
#ifndef SCOBOT_DISCORD_DISCORD_H
#define SCOBOT_DISCORD_DISCORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/host.h"
#include "core/lang.h"
#include "discord/gateway.h"   /* enum gw_reason, gateway_reason_name */

struct net_loop;

#define DISCORD_DEFAULT_API_BASE "https://discord.com/api/v10"
#define DISCORD_DEFAULT_PREFIX "!sco"
#define DISCORD_MAX_SHARDS 1024           /* shards one process runs */
#define DISCORD_STOP_TIMEOUT_MS 2000      /* longest wait for close frames on stop, ms */
#define DISCORD_REST_TIMEOUT_MS 15000     /* default per-request limit, ms */
#define DISCORD_REST_QUEUE_MAX 2000       /* queued REST requests before new ones are dropped */
#define DISCORD_REST_RETRIES 4            /* retries after a 5xx or network error */
#define DISCORD_STATUS_MAX 512            /* bytes of discord_status output */

/* Suggestions for the sg argument (engine_complete_sg on the current table);
 * writes up to max NUL-terminated strings, returns how many. */
typedef size_t discord_complete_fn(void *ctx, const char *partial, size_t len, enum lang lang,
                                   char (*out)[101], size_t max);

struct discord_config {
	const char *token;            /* required; copied; never logged */
	const char *application_id;   /* NULL or "": taken from READY */
	bool message_content;         /* ask for the privileged MESSAGE_CONTENT intent */
	const char *prefix;           /* NULL: DISCORD_DEFAULT_PREFIX */
	int shards;                   /* 0: the count /gateway/bot recommends */
	int shard_first, shard_last;  /* the range this process runs; -1, -1: all */
	bool compress;                /* zlib-stream transport compression */
	const char *api_base;         /* NULL: DISCORD_DEFAULT_API_BASE */
	const char *state_dir;        /* NULL: nothing persisted (sessions, identify count) */
	const char *commands_guild;   /* register slash commands in this guild (tests);
	                                 NULL: global */
	bool register_commands;       /* compare and PUT the slash command manifest */
	int cooldown_user_max;        /* answers per user per window; 0: 5 */
	int64_t cooldown_window_ms;   /* 0: 10000 */
	int cooldown_channel_max;     /* answers per channel per window; 0: 15 */
	int64_t rest_timeout_ms;      /* 0: DISCORD_REST_TIMEOUT_MS */
	const char *ca_file;          /* extra trusted CAs (tests); NULL: system store */
	/* Limits shared by every process on the token (coord.h); NULL: this
	 * process keeps them alone, as it always did. */
	const char *coordination;     /* redis://HOST:PORT[/DB] or unix:///path */
	const char *coordination_password; /* NULL: no AUTH; never logged */
	int coordination_share;       /* global requests/s while Redis is away; 0: 50 / processes */
	discord_complete_fn *complete;
	void *complete_ctx;
};

struct discord;

/* Checks and copies cfg (api_base must be https, or http on a loopback host).
 * NULL with a logged reason when it is invalid. host must outlive the adapter. */
struct discord *discord_new(struct net_loop *loop, const struct discord_config *cfg,
                            const struct adapter_host *host);
/* Starts: GET /gateway/bot, then the shards. 0 or a negative errno. */
int discord_start(struct discord *dc);
/* Graceful stop: saves every shard's session to state_dir, closes with a
 * resumable code, cancels REST; done(data) runs on the loop once every
 * connection is closed or DISCORD_STOP_TIMEOUT_MS passed. */
void discord_stop(struct discord *dc, void (*done)(void *data), void *data);
/* Frees everything; safe after discord_stop's done, or instead of it (then
 * connections are dropped without a close frame, which keeps sessions
 * resumable but saves nothing). Accepts NULL. */
void discord_free(struct discord *dc);

/* One line: state of each shard, answers sent, failures. */
size_t discord_status(const struct discord *dc, char *out, size_t size);

/* Counters for /metrics, summed over the shards this process runs. */
struct discord_stats {
	int shards, shard_count;        /* run here; of the whole bot */
	int shards_ready;               /* in state READY now */
	uint64_t reconnects[GW_REASON_COUNT]; /* connections lost, by gateway_reason_name */
	uint64_t resumes[GW_REASON_COUNT];    /* sessions resumed after such a loss */
	uint64_t identifies;            /* sent by this run */
	unsigned identifies_today;      /* in the persisted 24 h identify window */
	uint64_t ratelimit_waits;       /* REST requests held back by a rate limit */
	int64_t ratelimit_wait_ms;      /* their total wait, ms */
	uint64_t http_429_global;       /* 429s of the global limit */
	uint64_t http_429_route;        /* 429s of a route's (or shared) bucket */
	struct host_status_count rest_errors[HOST_STATUS_SLOTS]; /* REST failures by status */
	uint64_t answered, send_failures;
	int64_t ack_latency_last_ms;    /* heartbeat -> ACK of the newest ACK; -1 none */
	int64_t ack_latency_max_ms;     /* the worst of any shard; -1 none */
	/* [discord] coordination: -1 off, 0 local share (Redis away), 1 shared */
	int coordination;
	int coordination_share;         /* the local share, requests/s */
	uint64_t coordination_fallbacks; /* times Redis went away */
	uint64_t coordination_slow;     /* Redis answers past the bound */
	uint64_t coordination_shared_slots, coordination_local_slots; /* global slots by source */
};

void discord_get_stats(const struct discord *dc, struct discord_stats *out);

/* Whether url may carry the token: https/wss anywhere, http/ws only to a
 * loopback host (127.0.0.0/8, ::1, localhost). */
bool discord_url_allowed(const char *url);

#endif
