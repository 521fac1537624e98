/* coord.c: the per-token limits shared through Redis, and the local share
 * used when Redis is away; owns its Redis connection, its timers and the
 * requests it has in flight, and must never wait for Redis on the loop or
 * write the token anywhere. */
#include "discord/coord.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discord/state.h"
#include "net/loop.h"
#include "net/redis.h"
#include "net/timer.h"
#include "util/log.h"
#include "util/xalloc.h"

#define COORD_POOL_MAX 8              /* granted slots kept for requests about to start */
#define COORD_ID_SHARDS 1024          /* shards one process tracks (DISCORD_MAX_SHARDS) */
#define COORD_WAIT_POLL_MS 20         /* a full shared window: ask again after this, ms */
#define COORD_ID_GRANT_MS 1000        /* an identify grant older than this is not used, ms */
#define COORD_LOCAL_BUSY INT64_MAX
#define LOCAL_NEW 1
#define LOCAL_JOINING 2

/* The scripts run atomically on the server and read its clock (TIME), so
 * every host's view of a window is Redis's view. */

/* KEYS: window, pause, members, seq. ARGV: limit, busy hold ms, member,
 * processes, share, member ttl ms, done hold ms, poll ms. Returns {1, slot
 * id} or {0, ms to wait}: until the oldest slot frees, or, when every slot
 * is in flight (its response not in, so its end unknown), a short poll.
 * Processes missing from members are assumed to be sending their local
 * share, so the shared window leaves that much room for them. */
static const char script_take[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[3])\n"
	"redis.call('PEXPIRE', KEYS[3], 60000)\n"
	"local p = redis.call('PTTL', KEYS[2])\n"
	"if p > 0 then return {0, p} end\n"
	"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
	"redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)\n"
	"local away = tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[3])\n"
	"if away < 0 then away = 0 end\n"
	"local cap = tonumber(ARGV[1]) - away * tonumber(ARGV[5])\n"
	"if redis.call('ZCARD', KEYS[1]) < cap then\n"
	"  local id = redis.call('INCR', KEYS[4])\n"
	"  redis.call('PEXPIRE', KEYS[4], 86400000)\n"
	"  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)\n"
	"  redis.call('PEXPIRE', KEYS[1], 60000)\n"
	"  return {1, id}\n"
	"end\n"
	"local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
	"local w = 1\n"
	"if first[2] then w = tonumber(first[2]) - now end\n"
	"if w < 1 then w = 1 end\n"
	"if w > tonumber(ARGV[7]) then w = tonumber(ARGV[8]) end\n"
	"return {0, w}\n";

/* KEYS: window. ARGV: slot id, hold ms. The response is in: the slot frees
 * hold ms from now (only if it is still there: XX). */
static const char script_done[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])\n"
	"return 1\n";

/* KEYS: pause. ARGV: ms. A global 429 pauses every process, never shortening
 * a longer pause already set. */
static const char script_pause[] =
	"if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then\n"
	"  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])\n"
	"end\n"
	"return 1\n";

/* KEYS: window, members, seq. ARGV: member, member ttl ms, then the ms each
 * request sent from the local share still holds its second. A process that
 * comes back brings its recent local traffic into the shared window. */
static const char script_join[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])\n"
	"redis.call('PEXPIRE', KEYS[2], 60000)\n"
	"for i = 3, #ARGV do\n"
	"  local id = redis.call('INCR', KEYS[3])\n"
	"  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[i]), id)\n"
	"end\n"
	"redis.call('PEXPIRE', KEYS[1], 60000)\n"
	"redis.call('PEXPIRE', KEYS[3], 86400000)\n"
	"return {1, #ARGV - 2}\n";

/* KEYS: the rate-limit key's gate, the day's count. ARGV: gap ms, safe limit,
 * day ttl ms. Returns {1, count}, {0, ms to wait}, or {-1, ms until the day
 * ends}. */
static const char script_identify[] =
	"local p = redis.call('PTTL', KEYS[1])\n"
	"if p > 0 then return {0, p} end\n"
	"local n = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
	"if n >= tonumber(ARGV[2]) then\n"
	"  local left = redis.call('PTTL', KEYS[2])\n"
	"  if left < 1000 then left = 1000 end\n"
	"  return {-1, left}\n"
	"end\n"
	"redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])\n"
	"n = redis.call('INCR', KEYS[2])\n"
	"if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end\n"
	"return {1, n}\n";

/* KEYS: the day's count. ARGV: used per Discord, ms until Discord resets it.
 * Discord's own figure wins when it is the larger. */
static const char script_budget[] =
	"local n = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
	"if tonumber(ARGV[1]) > n then\n"
	"  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
	"elseif redis.call('PTTL', KEYS[1]) < 0 then\n"
	"  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
	"end\n"
	"return 1\n";

enum script { SC_TAKE, SC_DONE, SC_PAUSE, SC_JOIN, SC_IDENTIFY, SC_BUDGET, SC_COUNT };

static const char *const scripts[SC_COUNT] = {
	script_take, script_done, script_pause, script_join, script_identify, script_budget,
};

enum mode { MODE_LOCAL, MODE_SHARED };

enum call_kind { CALL_TAKE, CALL_IDENTIFY, CALL_JOIN, CALL_OTHER };

/* One script call in flight (freed in its reply callback). */
struct call {
	struct coord *c;
	enum call_kind kind;
	int shard;
	int64_t sent;
	bool overdue;            /* counted as slow */
	struct call *next, *prev;
};

struct id_state {
	int shard;               /* -1: unused */
	bool pending, granted;
	int64_t granted_at;
	int64_t retry_at;
};

struct coord {
	struct net_loop *loop;
	struct redis *redis;
	coord_wake_fn *wake;
	void *wake_data;
	bool freeing;

	char ns[32];
	char k_window[COORD_KEY_MAX], k_pause[COORD_KEY_MAX], k_members[COORD_KEY_MAX];
	char k_seq[COORD_KEY_MAX], k_day[COORD_KEY_MAX];
	char sha[SC_COUNT][41];
	char member[64];
	int processes, index, share;
	int64_t busy_hold_ms;
	char hold_busy[24], hold_done[24], limit_s[8], procs_s[8], share_s[8], ttl_s[16];
	char poll_s[8];

	enum mode mode;
	bool joined;             /* JOIN answered on this connection */
	bool slow;               /* an answer is overdue: local share until one comes fast */
	unsigned slow_run;       /* slow answers in a row */
	int64_t last_contact;    /* the last answer, ms */
	int64_t shared_wait_until;
	int64_t paused_until;    /* a global 429 this process saw, ms */
	int takes_inflight;
	int64_t pool[COORD_POOL_MAX];
	int64_t pool_at[COORD_POOL_MAX];   /* when each was granted */
	int npool;
	bool join_inflight;
	int64_t day_ttl_ms;
	unsigned owed;           /* local sends while Redis was slow, not yet in the window */
	uint64_t script_errors;  /* error replies (logged the first and every 100th) */
	struct call *calls;      /* in flight, oldest last */

	/* This process's own global requests (busy while in flight, then when
	 * their response came), in every mode: the local share counts them. */
	int64_t ring[COORD_GLOBAL_LIMIT];
	/* Sent from the local share: LOCAL_NEW not yet in Redis's window,
	 * LOCAL_JOINING on its way there in a JOIN, 0 in the window. */
	unsigned char ring_local[COORD_GLOBAL_LIMIT];

	int max_concurrency;
	struct id_state ids[COORD_ID_SHARDS];
	int64_t fallback_since;  /* when the local mode began, ms */

	struct net_timer *member_timer;
	struct net_timer *slow_timer;
	struct coord_stats st;
};

void coord_namespace(const char *token, char out[32])
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)token; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	snprintf(out, 32, "scobot:%016" PRIx64, h);
}

/* ---- the local share ------------------------------------------------------ */

static int local_count(const struct coord *c, int64_t now)
{
	int n = 0;
	for (int i = 0; i < COORD_GLOBAL_LIMIT; i++)
		if (c->ring[i] == COORD_LOCAL_BUSY || now - c->ring[i] < COORD_LOCAL_HOLD_MS)
			n++;
	return n;
}

/* ms until the local share has room (0: now). */
static int64_t local_wait(const struct coord *c, int64_t now)
{
	if (local_count(c, now) < c->share)
		return 0;
	/* The soonest a done slot ages out; busy ones need their response. */
	int64_t best = -1;
	for (int i = 0; i < COORD_GLOBAL_LIMIT; i++) {
		if (c->ring[i] == COORD_LOCAL_BUSY)
			continue;
		int64_t left = c->ring[i] + COORD_LOCAL_HOLD_MS - now;
		if (left > 0 && (best < 0 || left < best))
			best = left;
	}
	return best > 0 ? best : COORD_WAIT_POLL_MS;
}

static void ring_take(struct coord *c, bool local)
{
	int best = 0;
	for (int i = 1; i < COORD_GLOBAL_LIMIT; i++)
		if (c->ring[i] < c->ring[best])
			best = i;
	c->ring[best] = COORD_LOCAL_BUSY;
	c->ring_local[best] = local ? LOCAL_NEW : 0;
}

static void ring_done(struct coord *c, int64_t now)
{
	for (int i = 0; i < COORD_GLOBAL_LIMIT; i++)
		if (c->ring[i] == COORD_LOCAL_BUSY) {
			c->ring[i] = now;
			return;
		}
}

/* ---- modes ---------------------------------------------------------------- */

static void set_mode(struct coord *c, enum mode m, int64_t now, const char *why)
{
	if (c->mode == m)
		return;
	c->mode = m;
	if (m == MODE_LOCAL) {
		c->st.fallbacks++;
		c->fallback_since = now;
		log_warn("discord coordination: Redis unavailable, using this process's local share",
		         "share_per_s=%d reason=\"%s\"", c->share, why);
	} else {
		log_notice("discord coordination: limits shared through Redis");
	}
}

static void wake(struct coord *c)
{
	if (!c->freeing && c->wake)
		c->wake(c->wake_data);
}

static void call_unlink(struct coord *c, struct call *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		c->calls = k->next;
	if (k->next)
		k->next->prev = k->prev;
}

static void on_reply(void *data, const struct redis_reply *rep);
static void release_slot(struct coord *c, int64_t id, int64_t now);

/* Sends script s; kind says what the reply means. 0 or -ENOTCONN. */
static int call_script(struct coord *c, enum script s, enum call_kind kind, int shard, int nkeys,
                       const char *const *keys, int nargs, const char *const *args, int64_t now)
{
	const char *argv[48];
	size_t lens[48];
	int n = 0;
	if (3 + nkeys + nargs > 48)
		return -E2BIG;
	argv[n++] = "EVALSHA";
	argv[n++] = c->sha[s];
	char nk[8];
	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[n++] = nk;
	for (int i = 0; i < nkeys; i++)
		argv[n++] = keys[i];
	for (int i = 0; i < nargs; i++)
		argv[n++] = args[i];
	for (int i = 0; i < n; i++)
		lens[i] = strlen(argv[i]);
	struct call *k = xcalloc(1, sizeof(*k));
	k->c = c;
	k->kind = kind;
	k->shard = shard;
	k->sent = now;
	int rc = redis_command(c->redis, n, argv, lens, on_reply, k);
	if (rc < 0) {
		free(k);
		return rc;
	}
	k->next = c->calls;
	if (c->calls)
		c->calls->prev = k;
	c->calls = k;
	if (kind != CALL_OTHER)
		net_timer_start(c->slow_timer, COORD_SLOW_MS + 1, 0);
	return 0;
}

static void load_scripts(struct coord *c)
{
	for (int s = 0; s < SC_COUNT; s++) {
		const char *argv[3] = {"SCRIPT", "LOAD", scripts[s]};
		size_t lens[3] = {6, 4, strlen(scripts[s])};
		/* The reply is only the SHA-1 we computed; errors show up as
		 * NOSCRIPT on the calls after it. */
		redis_command(c->redis, 3, argv, lens, NULL, NULL);
	}
}

/* Joins (or refreshes our presence in) the shared window; the first join on
 * a connection also brings the requests sent from the local share in. */
static void send_join(struct coord *c, int64_t now)
{
	const char *keys[3] = {c->k_window, c->k_members, c->k_seq};
	const char *args[2 + COORD_GLOBAL_LIMIT];
	char held[COORD_GLOBAL_LIMIT][24];
	int n = 0;
	args[n++] = c->member;
	args[n++] = c->ttl_s;
	for (int i = 0; i < COORD_GLOBAL_LIMIT && n < 2 + 40; i++) {
		int64_t left;
		if (c->ring_local[i] != LOCAL_NEW)
			continue;
		if (c->ring[i] == COORD_LOCAL_BUSY)
			left = COORD_LOCAL_HOLD_MS + 1000;  /* in flight: assume its answer is near */
		else
			left = c->ring[i] + COORD_LOCAL_HOLD_MS - now;
		if (left <= 0) {
			c->ring_local[i] = 0;
			continue;
		}
		snprintf(held[i], sizeof(held[i]), "%" PRId64, left);
		args[n++] = held[i];
		c->ring_local[i] = LOCAL_JOINING;
	}
	if (call_script(c, SC_JOIN, CALL_JOIN, -1, 3, keys, n, args, now) == 0) {
		c->join_inflight = true;
	} else {
		for (int i = 0; i < COORD_GLOBAL_LIMIT; i++)
			if (c->ring_local[i] == LOCAL_JOINING)
				c->ring_local[i] = LOCAL_NEW;
	}
}

static void on_redis_state(void *data, bool up)
{
	struct coord *c = data;
	c->joined = false;
	c->slow = false;
	c->slow_run = 0;
	c->npool = 0;
	if (up) {
		load_scripts(c);
		send_join(c, net_loop_now_ms(c->loop));
	} else {
		set_mode(c, MODE_LOCAL, c->last_contact, "connection lost");
		wake(c);
	}
}

static void answered(struct coord *c, int64_t sent, int64_t now)
{
	c->last_contact = now;
	if (now - sent <= COORD_SLOW_MS) {
		c->slow_run = 0;
		if (c->slow) {
			c->slow = false;
			log_info("discord coordination: Redis answers in time again");
		}
	}
}

static void on_reply(void *data, const struct redis_reply *rep)
{
	struct call *k = data;
	struct coord *c = k->c;
	int64_t now = net_loop_now_ms(c->loop);
	enum call_kind kind = k->kind;
	call_unlink(c, k);
	bool ok = rep->kind == REDIS_R_ARRAY && rep->n >= 2;
	if (rep->kind == REDIS_R_ERR && !c->freeing) {
		if (c->script_errors++ % 100 == 0)
			log_warn("discord coordination: Redis script failed", "error=\"%.*s\" count=%llu",
			         (int)(rep->len > 120 ? 120 : rep->len), rep->str,
			         (unsigned long long)c->script_errors);
		if (rep->len >= 8 && strncmp(rep->str, "NOSCRIPT", 8) == 0)
			load_scripts(c);
	}
	if (ok)
		answered(c, k->sent, now);
	switch (k->kind) {
	case CALL_TAKE:
		c->takes_inflight--;
		if (!ok)
			break;
		if (rep->ints[0] == 1) {
			c->st.shared_slots++;
			if (c->owed > 0) {
				/* This slot stands for a request already sent from the
				 * local share while Redis was slow: it frees as that one
				 * would have. */
				c->owed--;
				char id[24];
				snprintf(id, sizeof(id), "%lld", rep->ints[1]);
				const char *keys[1] = {c->k_window};
				const char *args[2] = {id, c->hold_done};
				call_script(c, SC_DONE, CALL_OTHER, -1, 1, keys, 2, args, now);
			} else if (c->npool < COORD_POOL_MAX && c->mode == MODE_SHARED) {
				c->pool_at[c->npool] = now;
				c->pool[c->npool++] = rep->ints[1];
			} else {
				release_slot(c, rep->ints[1], now);  /* nobody to use it */
			}
		} else if (rep->ints[0] == 0) {
			c->shared_wait_until = now + rep->ints[1];
		}
		break;
	case CALL_IDENTIFY: {
		struct id_state *s = &c->ids[k->shard % COORD_ID_SHARDS];
		if (s->shard != k->shard)
			break;
		s->pending = false;
		if (!ok)
			break;
		if (rep->ints[0] == 1) {
			s->granted = true;
			s->granted_at = now;
		}
		else
			s->retry_at = now + (rep->ints[1] > 0 ? rep->ints[1] : 100);
		if (rep->ints[0] < 0 && !c->freeing)
			log_error("identify refused: the safe share of Discord's daily identifies for "
			          "this token is used up (counted in Redis)", "wait_ms=%lld",
			          rep->ints[1]);
		break;
	}
	case CALL_JOIN: {
		c->join_inflight = false;
		bool pending = false;
		for (int i = 0; i < COORD_GLOBAL_LIMIT; i++) {
			if (c->ring_local[i] == LOCAL_JOINING)
				c->ring_local[i] = ok ? 0 : LOCAL_NEW;   /* now in the window, or not */
			pending = pending || c->ring_local[i] == LOCAL_NEW;
		}
		if (!ok || c->freeing)
			break;
		if (pending) {
			/* Sent from the local share while this JOIN was on its way:
			 * they must be in the window before the others may count
			 * on it. */
			send_join(c, now);
		} else if (!c->slow) {
			c->joined = true;
			set_mode(c, MODE_SHARED, now, "");
		}
		break;
	}
	case CALL_OTHER:
		break;
	}
	free(k);
	if (kind != CALL_OTHER)
		wake(c);
}

/* ---- timers --------------------------------------------------------------- */

static void release_slot(struct coord *c, int64_t id, int64_t now)
{
	char sid[24];
	snprintf(sid, sizeof(sid), "%" PRId64, id);
	const char *keys[1] = {c->k_window};
	const char *args[2] = {sid, c->hold_done};
	call_script(c, SC_DONE, CALL_OTHER, -1, 1, keys, 2, args, now);
}

/* Granted slots nobody took (the request went away) are given back: unused,
 * they would hold a place in the window until the busy hold ran out. */
static void pool_expire(struct coord *c, int64_t now)
{
	int j = 0;
	for (int i = 0; i < c->npool; i++) {
		if (now - c->pool_at[i] > 200) {
			release_slot(c, c->pool[i], now);
		} else {
			c->pool[j] = c->pool[i];
			c->pool_at[j++] = c->pool_at[i];
		}
	}
	c->npool = j;
}

static void member_timer_cb(struct net_timer *t, void *data)
{
	struct coord *c = data;
	int64_t now = net_loop_now_ms(c->loop);
	if (!redis_is_up(c->redis))
		return;
	pool_expire(c, now);
	if (!c->join_inflight)
		send_join(c, now);
}

/* An answer overdue: the requests waiting for it go to the local share; a
 * server that keeps being late, or is silent for a second, is dropped and
 * reconnected (a hung Redis must not hold anything up). */
static void slow_timer_cb(struct net_timer *t, void *data)
{
	struct coord *c = data;
	int64_t now = net_loop_now_ms(c->loop), oldest = -1;
	bool any = false;
	for (struct call *k = c->calls; k; k = k->next) {
		if (k->kind == CALL_OTHER)
			continue;
		any = true;
		if (oldest < 0 || k->sent < oldest)
			oldest = k->sent;
		if (!k->overdue && now - k->sent > COORD_SLOW_MS) {
			k->overdue = true;
			c->st.slow++;
			c->slow_run++;
			if (!c->slow) {
				c->slow = true;
				/* The first of a run, then one line per 100: a flapping
				 * Redis must not flood the journal. */
				if (c->st.slow == 1 || c->st.slow % 100 == 0)
					log_warn("discord coordination: Redis answer late; requests wait "
					         "for it or use the local share", "bound_ms=%d late_total=%llu",
					         COORD_SLOW_MS, (unsigned long long)c->st.slow);
			}
		}
	}
	if (any && (c->slow_run >= COORD_SLOW_RESET || now - oldest > 1000)) {
		redis_reset(c->redis);
		return;
	}
	if (any)
		net_timer_start(c->slow_timer, COORD_SLOW_MS, 0);
	wake(c);
}

/* ---- public --------------------------------------------------------------- */

struct coord *coord_new(struct net_loop *loop, const struct coord_config *cfg, coord_wake_fn *wakefn,
                        void *wake_data)
{
	struct redis_target t;
	char why[160];
	if (!cfg->url || redis_url_parse(cfg->url, &t, why, sizeof(why)) < 0) {
		log_error("discord coordination: invalid Redis URL", "reason=\"%s\"",
		          cfg->url ? why : "none");
		return NULL;
	}
	struct coord *c = xcalloc(1, sizeof(*c));
	c->loop = loop;
	c->wake = wakefn;
	c->wake_data = wake_data;
	coord_namespace(cfg->token ? cfg->token : "", c->ns);
	snprintf(c->k_window, sizeof(c->k_window), "%s:global", c->ns);
	snprintf(c->k_pause, sizeof(c->k_pause), "%s:global-pause", c->ns);
	snprintf(c->k_members, sizeof(c->k_members), "%s:members", c->ns);
	snprintf(c->k_seq, sizeof(c->k_seq), "%s:seq", c->ns);
	snprintf(c->k_day, sizeof(c->k_day), "%s:identify-day", c->ns);
	for (int s = 0; s < SC_COUNT; s++)
		redis_script_sha1(scripts[s], c->sha[s]);
	snprintf(c->member, sizeof(c->member), "%s", cfg->member ? cfg->member : "scobot");
	c->processes = cfg->processes >= 1 ? cfg->processes : 1;
	c->index = cfg->process_index >= 0 && cfg->process_index < c->processes ? cfg->process_index : 0;
	c->share = cfg->share > 0 ? cfg->share : COORD_GLOBAL_LIMIT / c->processes;
	if (c->share < 1)
		c->share = 1;
	if (c->share > COORD_GLOBAL_LIMIT)
		c->share = COORD_GLOBAL_LIMIT;
	c->busy_hold_ms = (cfg->busy_hold_ms > 0 ? cfg->busy_hold_ms : 15000) + COORD_GLOBAL_HOLD_MS;
	snprintf(c->hold_busy, sizeof(c->hold_busy), "%" PRId64, c->busy_hold_ms);
	snprintf(c->hold_done, sizeof(c->hold_done), "%d", COORD_GLOBAL_HOLD_MS);
	snprintf(c->limit_s, sizeof(c->limit_s), "%d", COORD_GLOBAL_LIMIT);
	snprintf(c->procs_s, sizeof(c->procs_s), "%d", c->processes);
	snprintf(c->share_s, sizeof(c->share_s), "%d", c->share);
	snprintf(c->ttl_s, sizeof(c->ttl_s), "%d", COORD_MEMBER_TTL_MS);
	snprintf(c->poll_s, sizeof(c->poll_s), "%d", COORD_WAIT_POLL_MS);
	for (int i = 0; i < COORD_GLOBAL_LIMIT; i++)
		c->ring[i] = INT64_MIN / 2;
	for (int i = 0; i < COORD_ID_SHARDS; i++)
		c->ids[i].shard = -1;
	c->max_concurrency = 1;
	c->day_ttl_ms = 86400000;
	c->mode = MODE_LOCAL;   /* until Redis answers the first JOIN */
	c->fallback_since = net_loop_now_ms(loop);
	/* Never in Redis yet: nothing there counts on this process, so the
	 * local share applies at once. */
	c->last_contact = INT64_MIN / 2;
	c->st.share = c->share;
	c->member_timer = net_timer_new(loop, member_timer_cb, c);
	c->slow_timer = net_timer_new(loop, slow_timer_cb, c);
	c->redis = redis_new(loop, &t, cfg->password, on_redis_state, c);
	log_info("discord coordination through Redis", "namespace=%s processes=%d index=%d share_per_s=%d",
	         c->ns, c->processes, c->index, c->share);
	redis_start(c->redis);
	net_timer_start(c->member_timer, COORD_MEMBER_REFRESH_MS, COORD_MEMBER_REFRESH_MS);
	return c;
}

void coord_free(struct coord *c)
{
	if (!c)
		return;
	c->freeing = true;
	redis_free(c->redis);   /* every call in flight is answered (DOWN) and freed here */
	net_timer_free(c->member_timer);
	net_timer_free(c->slow_timer);
	free(c);
}

static bool shared_now(const struct coord *c)
{
	return c->mode == MODE_SHARED && !c->slow && redis_is_up(c->redis);
}

int64_t coord_global_take(struct coord *c, int64_t *ret_ticket, int64_t now)
{
	if (now < c->paused_until)
		return c->paused_until - now;
	if (c->mode == MODE_SHARED && redis_is_up(c->redis)) {
		/* A granted slot is good even if its answer came late. */
		pool_expire(c, now);
		if (c->npool > 0) {
			*ret_ticket = c->pool[--c->npool];
			ring_take(c, false);
			return 0;
		}
	}
	if (shared_now(c)) {
		if (now < c->shared_wait_until)
			return c->shared_wait_until - now;
		if (c->takes_inflight < COORD_TAKES_INFLIGHT) {
			const char *keys[4] = {c->k_window, c->k_pause, c->k_members, c->k_seq};
			const char *args[8] = {c->limit_s, c->hold_busy, c->member, c->procs_s, c->share_s,
			                       c->ttl_s, c->hold_done, c->poll_s};
			if (call_script(c, SC_TAKE, CALL_TAKE, -1, 4, keys, 8, args, now) == 0)
				c->takes_inflight++;
		}
		return COORD_SLOW_MS;  /* the answer wakes the queue sooner */
	}
	/* Until our presence in Redis has expired, the others still count on
	 * us using only what the shared window gave us; and a slow Redis may be
	 * granting them slots right now. So the local share starts only
	 * COORD_MEMBER_TTL_MS after Redis last answered, whether it is gone or
	 * just late (a late answer that grants a slot is used meanwhile). */
	int64_t ready = c->last_contact + COORD_MEMBER_TTL_MS;
	if (now < ready)
		return ready - now;
	int64_t w = local_wait(c, now);
	if (w > 0)
		return w;
	ring_take(c, true);
	c->st.local_slots++;
	if (c->mode == MODE_SHARED)
		c->owed++;   /* Redis is slow, not gone: its window will hear of it */
	*ret_ticket = -1;
	return 0;
}

void coord_global_done(struct coord *c, int64_t ticket, int64_t now)
{
	ring_done(c, now);
	if (ticket > 0 && redis_is_up(c->redis))
		release_slot(c, ticket, now);
}

void coord_global_pause(struct coord *c, int64_t ms, int64_t now)
{
	if (ms <= 0)
		return;
	if (now + ms > c->paused_until)
		c->paused_until = now + ms;
	if (!redis_is_up(c->redis))
		return;
	char v[24];
	snprintf(v, sizeof(v), "%" PRId64, ms);
	const char *keys[1] = {c->k_pause};
	const char *args[1] = {v};
	call_script(c, SC_PAUSE, CALL_OTHER, -1, 1, keys, 1, args, now);
}

void coord_identify_budget(struct coord *c, int max_concurrency, int total, int remaining,
                           int64_t reset_after_ms)
{
	if (max_concurrency >= 1)
		c->max_concurrency = max_concurrency;
	if (reset_after_ms > 0)
		c->day_ttl_ms = reset_after_ms;
	if (!redis_is_up(c->redis) || total <= 0 || remaining < 0 || remaining > total)
		return;
	char used[16], ttl[24];
	snprintf(used, sizeof(used), "%d", total - remaining);
	snprintf(ttl, sizeof(ttl), "%" PRId64, c->day_ttl_ms);
	const char *keys[1] = {c->k_day};
	const char *args[2] = {used, ttl};
	call_script(c, SC_BUDGET, CALL_OTHER, -1, 1, keys, 2, args, net_loop_now_ms(c->loop));
}

int64_t coord_identify_permit(struct coord *c, int shard_id, int64_t now, int64_t wall_ms,
                              unsigned local_count)
{
	if (shard_id < 0)
		shard_id = 0;
	struct id_state *s = &c->ids[shard_id % COORD_ID_SHARDS];
	if (s->shard != shard_id) {
		memset(s, 0, sizeof(*s));
		s->shard = shard_id;
	}
	if (s->granted) {
		s->granted = false;
		/* A grant the shard could not use at once (its connection went)
		 * is stale: the 5 s it stood for have started without it. */
		if (now - s->granted_at <= COORD_ID_GRANT_MS)
			return 0;
	}
	if (shared_now(c)) {
		if (s->pending)
			return COORD_SLOW_MS;
		if (now < s->retry_at)
			return s->retry_at - now;
		char gate[COORD_KEY_MAX + 16], gap[16], safe[16], ttl[24];
		/* gateway.mdx "Session Start Limit Object": rate limit key =
		 * shard_id % max_concurrency. */
		snprintf(gate, sizeof(gate), "%s:identify:%d", c->ns, shard_id % c->max_concurrency);
		snprintf(gap, sizeof(gap), "%d", COORD_IDENTIFY_GAP_MS);
		snprintf(safe, sizeof(safe), "%d", IDENTIFY_SAFE_LIMIT);
		snprintf(ttl, sizeof(ttl), "%" PRId64, c->day_ttl_ms);
		const char *keys[2] = {gate, c->k_day};
		const char *args[3] = {gap, safe, ttl};
		if (call_script(c, SC_IDENTIFY, CALL_IDENTIFY, shard_id, 2, keys, 3, args, now) == 0)
			s->pending = true;
		return COORD_SLOW_MS;
	}
	/* Local share: the daily budget split evenly, and identifies only in
	 * this process's own time slot, so processes that cannot see each
	 * other still never identify within 5 s of one another. */
	if (local_count >= (unsigned)(IDENTIFY_SAFE_LIMIT / c->processes))
		return -60000;
	if (c->processes <= 1)
		return 0;
	if (now < c->fallback_since + COORD_IDENTIFY_GAP_MS)
		return c->fallback_since + COORD_IDENTIFY_GAP_MS - now;
	int64_t slot = wall_ms / COORD_ID_SLOT_MS, off = wall_ms % COORD_ID_SLOT_MS;
	int64_t at = slot % c->processes;
	if (at == c->index && off < COORD_ID_WINDOW_MS)
		return 0;
	int64_t ahead = (c->index - at + c->processes) % c->processes;
	if (ahead == 0)
		ahead = c->processes;
	return ahead * COORD_ID_SLOT_MS - off;
}

void coord_get_stats(const struct coord *c, struct coord_stats *out)
{
	*out = c->st;
	out->shared = shared_now(c);
}
