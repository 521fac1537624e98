/* ratelimit.c: Discord REST buckets, the global limit and the invalid-request
 * window; owns only its tables and must not do I/O or read a clock. */
#include "discord/ratelimit.h"

#include <strings.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

struct bucket {
	char key[RL_KEY_MAX];   /* bucket hash (or route) + '|' + major */
	int limit;              /* -1 unknown */
	int remaining;          /* -1 unknown */
	int64_t reset_at;       /* when remaining goes back to limit; 0 none */
	int inflight;
	int64_t last_used;
};

struct route_hash {
	char route[RL_KEY_MAX];
	char hash[RL_KEY_MAX];
};

struct ratelimit {
	struct bucket *buckets;
	unsigned nbuckets;
	struct route_hash routes[RL_MAX_ROUTES];
	unsigned nroutes;
	/* Each slot: when its request's response came, or GLOBAL_BUSY while
	 * the request is in flight. */
	int64_t global_ring[RL_GLOBAL_PER_SECOND];
	int64_t global_until;   /* after a global 429 */
	int64_t global_next;    /* the earliest the next global slot may be taken */
	bool stopped;
	/* Invalid requests per second over the window, as a ring of counters. */
	uint32_t invalid[RL_INVALID_WINDOW_S];
	int64_t invalid_sec;    /* the second invalid[invalid_sec % N] counts */
	bool warned;
};

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	rl->buckets = xcalloc(RL_MAX_BUCKETS, sizeof(*rl->buckets));
	for (unsigned i = 0; i < RL_GLOBAL_PER_SECOND; i++)
		rl->global_ring[i] = INT64_MIN / 2;
	rl->global_next = INT64_MIN / 2;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	free(rl->buckets);
	free(rl);
}

bool ratelimit_stopped(const struct ratelimit *rl)
{
	return rl->stopped;
}

unsigned ratelimit_bucket_count(const struct ratelimit *rl)
{
	return rl->nbuckets;
}

static const char *route_hash(const struct ratelimit *rl, const char *route)
{
	for (unsigned i = 0; i < rl->nroutes; i++)
		if (strcmp(rl->routes[i].route, route) == 0)
			return rl->routes[i].hash;
	return NULL;
}

/* rate-limits.mdx: limits are per bucket hash and per major parameter. Until
 * a response names the hash, the route template stands in for it. */
static void bucket_key(const struct ratelimit *rl, const char *route, const char *major,
                       char *out)
{
	const char *h = route_hash(rl, route);
	snprintf(out, RL_KEY_MAX, "%s|%s", h ? h : route, major ? major : "");
}

static struct bucket *bucket_find(struct ratelimit *rl, const char *key)
{
	for (unsigned i = 0; i < rl->nbuckets; i++)
		if (strcmp(rl->buckets[i].key, key) == 0)
			return &rl->buckets[i];
	return NULL;
}

/* Forgets buckets that are idle and past their reset: they hold nothing a
 * fresh bucket would not learn from the next response. */
static void bucket_gc(struct ratelimit *rl, int64_t now)
{
	unsigned j = 0;
	for (unsigned i = 0; i < rl->nbuckets; i++) {
		struct bucket *b = &rl->buckets[i];
		bool idle = b->inflight == 0 && now >= b->reset_at && now - b->last_used > 60000;
		if (!idle)
			rl->buckets[j++] = *b;
	}
	rl->nbuckets = j;
}

static struct bucket *bucket_get(struct ratelimit *rl, const char *key, int64_t now)
{
	struct bucket *b = bucket_find(rl, key);
	if (b)
		return b;
	if (rl->nbuckets >= RL_MAX_BUCKETS / 2)
		bucket_gc(rl, now);
	if (rl->nbuckets >= RL_MAX_BUCKETS)
		return NULL;
	b = &rl->buckets[rl->nbuckets++];
	memset(b, 0, sizeof(*b));
	snprintf(b->key, sizeof(b->key), "%s", key);
	b->limit = -1;
	b->remaining = -1;
	b->last_used = now;
	return b;
}

#define GLOBAL_BUSY INT64_MAX

/* The slot free the longest (a busy one only when all are). */
static unsigned global_oldest(const struct ratelimit *rl)
{
	unsigned best = 0;
	for (unsigned i = 1; i < RL_GLOBAL_PER_SECOND; i++)
		if (rl->global_ring[i] < rl->global_ring[best])
			best = i;
	return best;
}

/* 0 when a global slot is free now (*slot says which), else the wait. */
static int64_t global_wait(const struct ratelimit *rl, int64_t now, unsigned *slot)
{
	if (now < rl->global_until)
		return rl->global_until - now;
	/* A slot whose request ended a second ago. */
	*slot = global_oldest(rl);
	int64_t oldest = rl->global_ring[*slot];
	if (oldest == GLOBAL_BUSY)
		return RL_WAIT_RESPONSE_MS;  /* all 50 in flight */
	int64_t wait = oldest + RL_GLOBAL_HOLD_MS - now;
	int64_t spaced = rl->global_next - now;
	if (spaced > wait)
		wait = spaced;
	return wait > 0 ? wait : 0;
}

int64_t ratelimit_global_wait(const struct ratelimit *rl, int64_t now)
{
	unsigned slot;
	if (rl->stopped)
		return -EPERM;
	return global_wait(rl, now, &slot);
}

int64_t ratelimit_acquire(struct ratelimit *rl, const char *route, const char *major,
                          bool global_exempt, int64_t now)
{
	char key[RL_KEY_MAX];
	unsigned slot = 0;
	if (rl->stopped)
		return -EPERM;
	if (!global_exempt) {
		int64_t wait = global_wait(rl, now, &slot);
		if (wait > 0)
			return wait;
	}
	bucket_key(rl, route, major, key);
	struct bucket *b = bucket_get(rl, key, now);
	if (!b)
		return RL_WAIT_RESPONSE_MS;  /* table full of busy buckets: wait */
	if (b->reset_at && now >= b->reset_at) {
		b->remaining = b->limit;
		b->reset_at = 0;
	}
	if (b->remaining < 0) {
		/* Limits unknown: one request at a time until a response tells. */
		if (b->inflight > 0)
			return RL_WAIT_RESPONSE_MS;
	} else if (b->remaining - b->inflight <= 0) {
		if (b->reset_at > now)
			return b->reset_at - now;
		if (b->inflight > 0)
			return RL_WAIT_RESPONSE_MS;
		/* Exhausted with no reset time known: one probe learns it. */
	}
	b->inflight++;
	b->last_used = now;
	if (!global_exempt) {
		rl->global_ring[slot] = GLOBAL_BUSY;
		/* The pace runs from when this slot was due, not from when the
		 * timer woke us (a ms or two late each time, which would add up to
		 * 5% at 50/s); after a pause it starts again from now. */
		bool on_pace = now - rl->global_next < RL_GLOBAL_SPACING_MS;
		rl->global_next = (on_pace ? rl->global_next : now) + RL_GLOBAL_SPACING_MS;
	}
	return 0;
}

int64_t ratelimit_bucket_wait(struct ratelimit *rl, const char *route, const char *major,
                              int64_t now)
{
	char key[RL_KEY_MAX];
	if (rl->stopped)
		return -EPERM;
	bucket_key(rl, route, major, key);
	const struct bucket *b = bucket_find(rl, key);
	if (!b)
		return 0;
	bool reset = b->reset_at && now >= b->reset_at;
	int remaining = reset ? b->limit : b->remaining;
	if (remaining < 0)
		return b->inflight > 0 ? RL_WAIT_RESPONSE_MS : 0;
	if (remaining - b->inflight <= 0) {
		if (!reset && b->reset_at > now)
			return b->reset_at - now;
		if (b->inflight > 0)
			return RL_WAIT_RESPONSE_MS;
	}
	return 0;
}

void ratelimit_global_done(struct ratelimit *rl, int64_t now)
{
	for (unsigned i = 0; i < RL_GLOBAL_PER_SECOND; i++)
		if (rl->global_ring[i] == GLOBAL_BUSY) {
			/* Slots are alike: any busy one stands for this request. */
			rl->global_ring[i] = now;
			return;
		}
}

static double header_double(rl_header_fn *header, void *ctx, const char *name, bool *ok)
{
	const char *v = header(ctx, name);
	char *end;
	*ok = false;
	if (!v || !*v)
		return 0;
	double d = strtod(v, &end);
	if (end == v || *end != '\0' || !(d >= 0) || d > 1e9)
		return 0;
	*ok = true;
	return d;
}

void rl_info_parse(int status, rl_header_fn *header, void *ctx, const char *body, size_t len,
                   struct rl_info *in, struct cJSON **ret_body)
{
	bool ok;
	memset(in, 0, sizeof(*in));
	*ret_body = NULL;
	in->status = status;
	if (status <= 0) {
		in->status = 0;
		return;
	}
	double v = header_double(header, ctx, "X-RateLimit-Limit", &ok);
	if (ok) {
		in->has_limit = true;
		in->limit = (int)v;
	}
	v = header_double(header, ctx, "X-RateLimit-Remaining", &ok);
	if (ok) {
		in->has_remaining = true;
		in->remaining = (int)v;
	}
	v = header_double(header, ctx, "X-RateLimit-Reset-After", &ok);
	if (ok) {
		in->has_reset_after = true;
		in->reset_after_s = v;
	}
	in->bucket = header(ctx, "X-RateLimit-Bucket");
	in->scope = header(ctx, "X-RateLimit-Scope");
	const char *g = header(ctx, "X-RateLimit-Global");
	in->global = g && strcasecmp(g, "true") == 0;
	if (status != 429)
		return;
	/* rate-limits.mdx "Exceeding A Rate Limit": body retry_after (s), else
	 * the Retry-After header. A 429 that is not JSON comes from Cloudflare,
	 * not the API: back off hard. */
	cJSON *o = cJSON_ParseWithLength(body, len);
	const cJSON *ra = cJSON_GetObjectItemCaseSensitive(o, "retry_after");
	if (cJSON_IsNumber(ra) && ra->valuedouble >= 0 && ra->valuedouble < 86400) {
		in->retry_after_s = ra->valuedouble;
	} else {
		v = header_double(header, ctx, "Retry-After", &ok);
		in->retry_after_s = ok ? v : 0;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "global")))
		in->global = true;
	if (!cJSON_IsObject(o)) {
		log_warn("discord 429 without a JSON body (possible Cloudflare ban); backing off",
		         "retry_after_s=%.1f", in->retry_after_s);
		if (in->retry_after_s < 60)
			in->retry_after_s = 60;
		in->global = true;
	}
	*ret_body = o;
}

static void count_invalid(struct ratelimit *rl, int64_t now)
{
	int64_t sec = now / 1000;
	if (sec - rl->invalid_sec >= RL_INVALID_WINDOW_S)
		memset(rl->invalid, 0, sizeof(rl->invalid));
	else
		for (int64_t s = rl->invalid_sec + 1; s <= sec; s++)
			rl->invalid[s % RL_INVALID_WINDOW_S] = 0;
	if (sec > rl->invalid_sec)
		rl->invalid_sec = sec;
}

unsigned ratelimit_invalid_count(struct ratelimit *rl, int64_t now)
{
	count_invalid(rl, now);
	unsigned n = 0;
	for (unsigned i = 0; i < RL_INVALID_WINDOW_S; i++)
		n += rl->invalid[i];
	return n;
}

static int64_t seconds_to_ms(double s)
{
	if (!(s > 0))
		return 0;
	if (s > 86400)
		s = 86400;
	return (int64_t)ceil(s * 1000.0);
}

void ratelimit_release(struct ratelimit *rl, const char *route, const char *major,
                       const struct rl_info *in, int64_t now)
{
	char key[RL_KEY_MAX];
	bucket_key(rl, route, major, key);
	struct bucket *b = bucket_find(rl, key);
	if (b && b->inflight > 0)
		b->inflight--;

	if (in->bucket && *in->bucket && strlen(in->bucket) < RL_KEY_MAX - 32) {
		const char *known = route_hash(rl, route);
		if (!known || strcmp(known, in->bucket) != 0) {
			/* Learn route -> hash and move this bucket's state under its
			 * real key, where other routes with the same hash meet it. */
			struct route_hash *r = NULL;
			for (unsigned i = 0; i < rl->nroutes; i++)
				if (strcmp(rl->routes[i].route, route) == 0)
					r = &rl->routes[i];
			if (!r && rl->nroutes < RL_MAX_ROUTES)
				r = &rl->routes[rl->nroutes++];
			if (r) {
				snprintf(r->route, sizeof(r->route), "%s", route);
				snprintf(r->hash, sizeof(r->hash), "%s", in->bucket);
				char nkey[RL_KEY_MAX];
				bucket_key(rl, route, major, nkey);
				struct bucket *nb = bucket_get(rl, nkey, now);
				/* bucket_get may have moved the array: find the old one again. */
				b = bucket_find(rl, key);
				if (nb && b && nb != b) {
					nb->inflight += b->inflight;
					b->inflight = 0;
				}
				b = nb;
			}
		}
	}
	if (!b)
		b = bucket_get(rl, key, now);

	if (in->status == 401 || in->status == 403
	    || (in->status == 429 && !(in->scope && strcmp(in->scope, "shared") == 0))) {
		count_invalid(rl, now);
		rl->invalid[(now / 1000) % RL_INVALID_WINDOW_S]++;
		unsigned n = ratelimit_invalid_count(rl, now);
		if (n >= RL_INVALID_WARN && !rl->warned) {
			rl->warned = true;
			log_warn("many invalid Discord requests (401/403/429); Discord bans the IP at "
			         "10000 per 10 minutes", "count=%u window_s=%d", n, RL_INVALID_WINDOW_S);
		} else if (n < RL_INVALID_WARN / 2) {
			rl->warned = false;
		}
	}
	if (in->status == 401 && !in->interaction_token) {
		if (!rl->stopped)
			log_error("Discord answered 401 Unauthorized: the bot token is not valid; "
			          "all REST requests stopped", "route=\"%s\"", route);
		rl->stopped = true;
	}
	if (!b)
		return;
	if (in->has_limit && in->limit > 0)
		b->limit = in->limit;
	if (in->has_remaining && in->remaining >= 0)
		b->remaining = in->remaining;
	if (in->has_reset_after)
		b->reset_at = now + seconds_to_ms(in->reset_after_s);
	if (b->remaining >= 0 && b->limit < 0)
		b->limit = b->remaining + 1;
	if (in->status == 429) {
		int64_t wait = seconds_to_ms(in->retry_after_s);
		if (wait <= 0)
			wait = 1000;  /* a 429 without a usable wait: assume a second */
		if (in->global || (in->scope && strcmp(in->scope, "global") == 0)) {
			rl->global_until = now + wait;
		} else {
			b->remaining = 0;
			if (b->limit < 0)
				b->limit = 1;
			if (b->reset_at < now + wait)
				b->reset_at = now + wait;
		}
	}
}
