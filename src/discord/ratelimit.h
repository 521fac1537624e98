/* ratelimit.h: Discord REST rate limits (per-bucket, global 50/s, 429s, the
 * invalid-request counter); it must not do I/O or read a clock: time comes in
 * as `now` (ms, monotonic). Source: developers/topics/rate-limits.mdx.
 *
 * Use: before each request ratelimit_acquire(); 0 means send now (a slot is
 * taken), > 0 is how long to wait; after the response (or network failure)
 * ratelimit_release() with what came back, and for a request that is not
 * global-exempt ratelimit_global_done(). */
#ifndef SCOBOT_DISCORD_RATELIMIT_H
#define SCOBOT_DISCORD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_GLOBAL_PER_SECOND 50        /* requests per second (rate-limits.mdx "Global Rate Limit") */
/* The global limit, as the server can count it: Discord (and the fixture)
 * see a request when it arrives, which is after it left here and before its
 * response came back. A slot is therefore held until a second after its
 * response: then 51 arrivals never fit in any one second, whatever the
 * latency and whether the server counts fixed or sliding seconds. No extra
 * margin is needed on top (the response already bounds the arrival), and
 * each margin ms costs 5% of a slot's second at 50/s. */
/* Global releases are spaced by this much (1000 / 50 ms), so a queue that
 * builds up (a burst of questions, the end of a global 429) goes out evenly
 * instead of 50 at once when slots come free together. */
#define RL_GLOBAL_SPACING_MS (1000 / RL_GLOBAL_PER_SECOND)
/* How long a slot is held after its response, ms: the second, and one ms
 * because `now` is whole milliseconds cut down from the clock. */
#define RL_GLOBAL_HOLD_MS 1001
#define RL_MAX_BUCKETS 4096            /* buckets tracked; idle ones are evicted first */
#define RL_MAX_ROUTES 64               /* route templates whose bucket hash we learned */
#define RL_KEY_MAX 128                 /* bytes of a bucket key, NUL included */
#define RL_INVALID_WINDOW_S 600        /* s: Discord counts 401/403/429 over 10 minutes */
#define RL_INVALID_WARN 1000           /* invalid requests per window that raise a warning
                                          (Discord bans the IP at 10,000) */
#define RL_WAIT_RESPONSE_MS 50         /* poll interval while a bucket's limits are unknown */

/* What a response said about limits (rate-limits.mdx "Header Format" and
 * "Exceeding A Rate Limit"). Absent values stay at their zero defaults. */
struct rl_info {
	int status;                 /* HTTP status; 0 when no response (network error) */
	bool has_limit, has_remaining, has_reset_after;
	int limit, remaining;
	double reset_after_s;       /* X-RateLimit-Reset-After */
	const char *bucket;         /* X-RateLimit-Bucket, NULL when absent */
	bool global;                /* X-RateLimit-Global or body "global" */
	const char *scope;          /* X-RateLimit-Scope: user, global, shared */
	double retry_after_s;       /* body retry_after, else Retry-After; 429 only */
	bool interaction_token;     /* the request was authorised by an interaction token
	                               (callbacks, follow-ups): its 401 says nothing about
	                               the bot token and stops nothing */
};

struct ratelimit;
struct cJSON;

/* A response header by name (case-insensitive), NULL when absent. */
typedef const char *rl_header_fn(void *ctx, const char *name);

/* Reads the rate-limit headers of a response that arrived (status > 0) into
 * *in; for a 429 also the body's retry_after and global, and the parsed body
 * comes back in *ret_body (the caller frees it; NULL when it is not JSON, which
 * means Cloudflare, not the API: then a hard 60 s global back-off). */
void rl_info_parse(int status, rl_header_fn *header, void *ctx, const char *body, size_t len,
                   struct rl_info *in, struct cJSON **ret_body);

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);

/* route: a template such as "POST /channels/{}/messages"; major: the
 * top-level resource id (channel, guild or webhook id) or "" for none.
 * global_exempt: interaction callbacks are not bound by the global limit.
 * Returns 0 (send now, slot taken), > 0 (ms to wait), or -EPERM once a 401
 * stopped all REST. */
int64_t ratelimit_acquire(struct ratelimit *rl, const char *route, const char *major,
                          bool global_exempt, int64_t now);

/* What ratelimit_acquire would say of the route's bucket alone, taking
 * nothing: 0 (it has room), > 0 (ms to wait) or -EPERM. For a caller that
 * gets its global slot elsewhere (coord.h) and must not take one it cannot use. */
int64_t ratelimit_bucket_wait(struct ratelimit *rl, const char *route, const char *major,
                              int64_t now);

/* A request that took a global slot got its response (or failed for good):
 * the slot's second starts now. */
void ratelimit_global_done(struct ratelimit *rl, int64_t now);

/* How long any request bound by the global limit must wait now (0: one may
 * go), taking nothing; lets a queue skip asking for each waiting request. */
int64_t ratelimit_global_wait(const struct ratelimit *rl, int64_t now);

/* The response for a request that acquire let through. */
void ratelimit_release(struct ratelimit *rl, const char *route, const char *major,
                       const struct rl_info *info, int64_t now);

/* True after a 401: the token is not valid and nothing more is sent. */
bool ratelimit_stopped(const struct ratelimit *rl);

/* 401/403/429 responses (429 with scope "shared" excluded) in the last
 * RL_INVALID_WINDOW_S seconds. */
unsigned ratelimit_invalid_count(struct ratelimit *rl, int64_t now);

/* Buckets currently tracked (for memory checks). */
unsigned ratelimit_bucket_count(const struct ratelimit *rl);

#endif
