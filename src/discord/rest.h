/* rest.h: the Discord REST queue: requests wait for their rate-limit bucket
 * (ratelimit.c), go out on the HTTP client, and are retried after a 5xx, a
 * network error or a 429; the caller hears once how each one ended.
 *
 *   struct dc_rest *rest = dc_rest_new(loop, &cfg);          // NULL: no HTTP client
 *   struct dc_rest_spec s = {.kind = DC_REST_REPLY, .method = "POST",
 *                            .route = "POST /channels/{}/messages", .major = ch, ...};
 *   dc_rest_enqueue(rest, &s, body, "/channels/%s/messages", ch);
 *   ... cfg.done(cfg.ctx, &result) runs when it is over ...
 *   dc_rest_stop(rest);   // drops (and says so) whatever is queued
 *   dc_rest_free(rest);
 *
 * It must not log a token: the Authorization header and interaction tokens
 * in paths are never written anywhere; requests are named by `what`. */
#ifndef SCOBOT_DISCORD_REST_H
#define SCOBOT_DISCORD_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/host.h"
#include "discord/bot.h"

struct net_loop;
struct http_response;
struct coord;

enum dc_rest_kind {
	DC_REST_GATEWAY_BOT,
	DC_REST_REPLY,
	DC_REST_CALLBACK,
	DC_REST_COMMANDS_GET,
	DC_REST_COMMANDS_PUT,
	DC_REST_APP_GET,
	DC_REST_ME_GET,
	DC_REST_FOLLOWUP,
};

/* How one request ended, for the owner's done callback. */
struct dc_rest_result {
	enum dc_rest_kind kind;
	const struct http_response *resp;  /* NULL: the request could not start */
	bool ok;                /* a 2xx response */
	bool token_refused;     /* a 401 on the bot token (not an interaction token) */
	bool report_sent;       /* an answer's first request: host->sent wants to know */
	int64_t received_ms;    /* ... about the question that arrived then */
};

typedef void dc_rest_done_fn(void *ctx, const struct dc_rest_result *res);

struct dc_rest_config {
	const char *api_base;     /* no trailing slash; copied */
	const char *auth_header;  /* "Authorization: Bot ..."; copied, wiped on free */
	const char *ca_file;      /* NULL: the system store; copied */
	int64_t timeout_ms;       /* per request */
	size_t queue_max;         /* requests queued before new ones are dropped */
	int retries;              /* after a 5xx or a network error */
	/* Every queued request ends here once (those dropped by dc_rest_stop
	 * excepted). When it says the request could not start (resp NULL), done
	 * must not queue or drop requests: the queue is being walked. */
	dc_rest_done_fn *done;
	uint32_t (*random)(void *ctx);  /* jitter for retry backoff */
	void *ctx;
	/* [discord] coordination: global slots come from the window shared by
	 * every process on the token (coord.h), and a global 429 pauses them
	 * all. NULL: the global limit is kept here alone, as it always was. */
	struct coord *coord;
};

struct dc_rest_spec {
	enum dc_rest_kind kind;
	const char *method;       /* "GET", "POST", "PUT" */
	const char *route;        /* the bucket's route, e.g. "POST /channels/{}/messages" */
	const char *major;        /* the major parameter (channel, guild, ...); NULL: "" */
	const char *what;         /* for logs */
	int shard;                /* a reply: the shard whose dispatch it answers ... */
	int64_t seq;              /* ... and that dispatch's seq (0: none), to replay it */
	int64_t received_ms;      /* > 0: an answer's first request (see dc_rest_result) */
};

struct dc_rest_req;
struct dc_rest;

/* Counters for discord_get_stats. */
struct dc_rest_stats {
	size_t queued;
	uint64_t answered, send_failures;
	uint64_t ratelimit_waits;   /* requests a rate limit held back */
	int64_t ratelimit_wait_ms;  /* their total wait, ms; waiting ones count so far */
	uint64_t http_429_global, http_429_route;
	struct host_status_count rest_errors[HOST_STATUS_SLOTS];
};

struct dc_rest *dc_rest_new(struct net_loop *loop, const struct dc_rest_config *cfg);
void dc_rest_free(struct dc_rest *rest);  /* accepts NULL; cancels without a word */

/* Queues a request for api_base + the formatted path, body taken over (freed
 * here on failure too). NULL (logged, counted as a failure) when stopping,
 * after a 401, when the queue is full or the path too long; done is not
 * called then. */
struct dc_rest_req *dc_rest_enqueue(struct dc_rest *rest, const struct dc_rest_spec *spec,
                                    char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Queues the bot's actions (bot.h) as requests, taking their bodies, and
 * clears acts: a reply is a message create in its channel (remembering shard
 * and seq, see dc_rest_oldest_seq); a callback answers its interaction, its
 * follow-ups queued on the interaction's webhook once it succeeded. */
void dc_rest_send_actions(struct dc_rest *rest, int shard, int64_t seq, struct dc_actions *acts);

/* The oldest dispatch seq of shard that a queued reply answers; 0: none. */
int64_t dc_rest_oldest_seq(const struct dc_rest *rest, int shard);
/* Looks at the queue again now: a shared global slot may have come in. */
void dc_rest_kick(struct dc_rest *rest);
/* Stops for good: drops everything queued (cancelling what is in flight)
 * and refuses new requests. */
void dc_rest_stop(struct dc_rest *rest);
/* Discord refused the bot token (401): nothing more is sent. */
bool dc_rest_refused(const struct dc_rest *rest);
void dc_rest_get_stats(const struct dc_rest *rest, struct dc_rest_stats *out);

#endif
