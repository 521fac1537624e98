/* coord.h: Discord's per-token limits shared by every scobot process that runs
 * the same bot token, through Redis ([discord] coordination): the global REST
 * budget (50/s, and the pause after a global 429), the identify gate
 * (max_concurrency per 5 s per rate-limit key) and the daily identify budget.
 * When Redis is unreachable or slower than COORD_SLOW_MS, each process falls
 * back to a fixed local share of those limits and returns to the shared ones
 * once Redis answers again. It must never block the loop, and never put the
 * token itself into a key, a log line or an error.
 *
 * Use (discord.c):
 *   before a REST request that is not global-exempt:
 *     coord_global_take(c, &ticket, now): 0 = send now (keep ticket),
 *     > 0 = ms to wait (the wake callback may call sooner);
 *   after its response (or its failure): coord_global_done(c, ticket, now);
 *   on a global 429: coord_global_pause(c, retry_after_ms, now);
 *   before an identify: coord_identify_permit(c, shard_id, now, wall_ms):
 *     0 = go, > 0 = ms to wait, < 0 = refused (daily budget).
 *
 * Why Redis's own clock: every window is stamped with TIME inside the Lua
 * script, so the hosts' clocks never meet; and a slot stays taken from the
 * moment it is granted until COORD_GLOBAL_HOLD_MS after the response is in, so
 * no two requests that share a slot can reach Discord less than a second
 * apart, whatever the network did with them. */
#ifndef SCOBOT_DISCORD_COORD_H
#define SCOBOT_DISCORD_COORD_H

#include <stdbool.h>
#include <stdint.h>

struct net_loop;
struct coord;

#define COORD_GLOBAL_LIMIT 50          /* requests/s per token (rate-limits.mdx "Global Rate Limit") */
/* A shared slot is held until this long after its response, ms: the second
 * Discord counts over, and a margin for Discord's clock and edge. A response
 * arrives after its request did, so this bounds the real spacing. */
#define COORD_GLOBAL_HOLD_MS 1025
/* The local fallback share is counted like the one-process limiter (ratelimit.h):
 * a second and its 150 ms margin after each response. */
#define COORD_LOCAL_HOLD_MS 1150
#define COORD_SLOW_MS 50               /* a Redis answer slower than this: unavailable, ms */
#define COORD_SLOW_RESET 3             /* slow answers in a row that drop the connection */
#define COORD_MEMBER_TTL_MS 1500       /* a process's presence lasts this long unrefreshed, ms */
#define COORD_MEMBER_REFRESH_MS 300    /* ... and is refreshed this often, ms */
#define COORD_TAKES_INFLIGHT 4         /* slot requests to Redis at once */
#define COORD_IDENTIFY_GAP_MS 5300     /* one identify per key per 5 s, plus a 300 ms margin */
/* Fallback identifies: process k of n identifies only in its own slot of
 * this many ms (wall clock), in its first COORD_ID_WINDOW_MS: identifies of
 * two processes are then at least 5.5 s apart even with 200 ms of clock skew. */
#define COORD_ID_SLOT_MS 6700
#define COORD_ID_WINDOW_MS 1000
#define COORD_KEY_MAX 96               /* bytes of a Redis key */

struct coord_config {
	const char *url;         /* redis://HOST:PORT[/DB] or unix:///path */
	const char *password;    /* NULL: no AUTH */
	const char *token;       /* hashed into the key namespace; never stored */
	int processes;           /* processes sharing the token (>= 1) */
	int process_index;       /* this one, 0 .. processes-1 */
	int share;               /* global requests/s this process may send alone; 0: 50/processes */
	int64_t busy_hold_ms;    /* longest a request can be in flight (its timeout), ms */
	const char *member;      /* a stable name for this process, e.g. "shards 0-2" */
};

/* Called when a Redis answer may let a waiting request or identify go. */
typedef void coord_wake_fn(void *data);

/* NULL with a logged reason when the URL is invalid. Starts connecting. */
struct coord *coord_new(struct net_loop *loop, const struct coord_config *cfg, coord_wake_fn *wake,
                        void *wake_data);
void coord_free(struct coord *c);

int64_t coord_global_take(struct coord *c, int64_t *ret_ticket, int64_t now);
void coord_global_done(struct coord *c, int64_t ticket, int64_t now);
void coord_global_pause(struct coord *c, int64_t ms, int64_t now);

/* From GET /gateway/bot: the budget Discord reports, counted once per token. */
void coord_identify_budget(struct coord *c, int max_concurrency, int total, int remaining,
                           int64_t reset_after_ms);
int64_t coord_identify_permit(struct coord *c, int shard_id, int64_t now, int64_t wall_ms,
                              unsigned local_count);

struct coord_stats {
	bool shared;             /* limits shared through Redis right now */
	uint64_t fallbacks;      /* times this process fell back to its local share */
	uint64_t slow;           /* Redis answers slower than COORD_SLOW_MS */
	uint64_t shared_slots;   /* global slots granted by Redis */
	uint64_t local_slots;    /* global slots taken from the local share */
	int share;               /* the local share, requests/s */
};
void coord_get_stats(const struct coord *c, struct coord_stats *out);

/* The Redis key prefix for token: "scobot:" and 16 hex digits of a hash of
 * it (FNV-1a 64, enough to tell tokens apart, not to recover one). */
void coord_namespace(const char *token, char out[32]);

#endif
