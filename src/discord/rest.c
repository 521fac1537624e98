/* rest.c: owns the Discord REST queue: each request waits for its bucket and
 * the global limit (ratelimit.c), goes out on the HTTP client, is retried
 * after a 5xx, a network error or a 429, and ends in one call to the owner's
 * done; it does not know what a request is for beyond its kind. */
#include "discord/rest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "discord/coord.h"
#include "discord/gateway.h"
#include "discord/ratelimit.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "util/log.h"
#include "util/xalloc.h"

#define PATH_MAX_BYTES 512               /* a REST path, bytes */
#define ROUTE_MAX_BYTES 64               /* a bucket route, bytes */
/* An interaction token can answer for 15 minutes (receiving-and-responding,
 * "Interaction tokens are valid for 15 minutes"): past that a follow-up can
 * never be delivered, so its 429s stop being waited out. */
#define INTERACTION_TOKEN_MS (15 * 60 * 1000)
#define RESPONSE_MAX_BYTES (1u << 20)    /* a REST response body, bytes */
#define CONNECT_TIMEOUT_MAX_MS 10000     /* longest TCP+TLS connect, ms */
#define DISCORD_CALLBACK_WARN_MS 1500    /* an interaction answer queued this long is late, ms */

struct dc_rest_req {
	struct dc_rest_req *next;
	struct dc_rest *rest;
	enum dc_rest_kind kind;
	char method[8];
	char path[PATH_MAX_BYTES];
	char route[ROUTE_MAX_BYTES];
	char major[DC_SNOWFLAKE_MAX];
	char *body;
	bool global_exempt;
	bool inflight;
	int64_t coord_ticket; /* the shared global slot it holds (coord.h) */
	int attempts;         /* 5xx / network retries so far */
	int limited;          /* 429s so far */
	int64_t not_before;
	int64_t http_id;
	int64_t created;
	int64_t rl_wait_since; /* when a rate limit first held it back; -1: not waiting */
	int64_t received_ms;  /* an answer: when its question arrived (for host->sent) */
	int shard;
	int64_t seq;
	char what[DC_WHAT_MAX];
	/* A callback's follow-ups, sent only once it succeeded (order matters). */
	char *followup_path;
	char followup_app[DC_SNOWFLAKE_MAX];
	char *followups[DC_FOLLOWUPS_MAX];
	size_t n_followups;
};

struct dc_rest {
	struct net_loop *loop;
	struct dc_rest_config cfg;   /* strings below are our copies */
	char *api_base, *auth_header, *ca_file;
	struct http_client *http;
	struct ratelimit *rl;
	struct net_timer *timer;
	struct dc_rest_req *head, *tail;
	size_t len;
	bool stopping;
	/* A refused certificate was logged as an error; again only after a
	 * request got through. */
	bool tls_told;
	struct dc_rest_stats st;     /* queued and waits filled in by get_stats */
};

static void pump(struct dc_rest *rest);
static void on_http_done(const struct http_response *resp, void *data);

static int64_t now_ms(const struct dc_rest *rest)
{
	return net_loop_now_ms(rest->loop);
}

static void req_free(struct dc_rest_req *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->followup_path);
	for (size_t i = 0; i < r->n_followups; i++)
		free(r->followups[i]);
	free(r);
}

static void unlink_req(struct dc_rest *rest, struct dc_rest_req *r)
{
	struct dc_rest_req **pp = &rest->head, *prev = NULL;
	while (*pp && *pp != r) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = r->next;
	if (rest->tail == r)
		rest->tail = prev;
	rest->len--;
}

/* Tells the owner a request is over; it is unlinked already and freed after. */
static void finish(struct dc_rest *rest, const struct dc_rest_req *r,
                   const struct http_response *resp, bool ok, bool token_refused, bool report)
{
	struct dc_rest_result res = {
		.kind = r->kind,
		.resp = resp,
		.ok = ok,
		.token_refused = token_refused,
		.report_sent = report && r->received_ms > 0,
		.received_ms = r->received_ms,
	};
	rest->cfg.done(rest->cfg.ctx, &res);
}

static void timer_cb(struct net_timer *t, void *data)
{
	pump(data);
}

struct dc_rest *dc_rest_new(struct net_loop *loop, const struct dc_rest_config *cfg)
{
	struct dc_rest *rest = xcalloc(1, sizeof(*rest));
	rest->loop = loop;
	rest->cfg = *cfg;
	rest->api_base = xstrdup(cfg->api_base);
	rest->auth_header = xstrdup(cfg->auth_header);
	rest->ca_file = cfg->ca_file ? xstrdup(cfg->ca_file) : NULL;
	rest->rl = ratelimit_new();
	rest->timer = net_timer_new(loop, timer_cb, rest);
	rest->http = http_client_new(loop, DISCORD_USER_AGENT);
	if (!rest->http) {
		dc_rest_free(rest);
		return NULL;
	}
	return rest;
}

void dc_rest_free(struct dc_rest *rest)
{
	if (!rest)
		return;
	while (rest->head) {
		struct dc_rest_req *r = rest->head;
		unlink_req(rest, r);
		req_free(r);
	}
	http_client_free(rest->http);
	net_timer_free(rest->timer);
	ratelimit_free(rest->rl);
	explicit_bzero(rest->auth_header, strlen(rest->auth_header));
	free(rest->auth_header);
	free(rest->api_base);
	free(rest->ca_file);
	free(rest);
}

struct dc_rest_req *dc_rest_enqueue(struct dc_rest *rest, const struct dc_rest_spec *spec,
                                    char *body, const char *fmt, ...)
{
	bool refused = ratelimit_stopped(rest->rl);
	if (rest->stopping || refused || rest->len >= rest->cfg.queue_max) {
		log_warn("discord request dropped", "what=\"%s\" reason=%s", spec->what,
		         rest->stopping ? "stopping" : refused ? "token refused (401)" : "queue full");
		rest->st.send_failures++;
		free(body);
		return NULL;
	}
	struct dc_rest_req *r = xcalloc(1, sizeof(*r));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r->path, sizeof(r->path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->path)) {
		log_error("discord request path too long", "what=\"%s\"", spec->what);
		free(body);
		free(r);
		return NULL;
	}
	r->rest = rest;
	r->kind = spec->kind;
	r->shard = spec->shard;
	r->seq = spec->kind == DC_REST_REPLY ? spec->seq : 0;
	r->received_ms = spec->received_ms;
	snprintf(r->method, sizeof(r->method), "%s", spec->method);
	snprintf(r->route, sizeof(r->route), "%s", spec->route);
	snprintf(r->major, sizeof(r->major), "%s", spec->major ? spec->major : "");
	snprintf(r->what, sizeof(r->what), "%s", spec->what);
	r->body = body;
	r->created = now_ms(rest);
	r->rl_wait_since = -1;
	/* rate-limits.mdx "Global Rate Limit": interaction endpoints are exempt. */
	r->global_exempt = spec->kind == DC_REST_CALLBACK || spec->kind == DC_REST_FOLLOWUP;
	if (rest->tail)
		rest->tail->next = r;
	else
		rest->head = r;
	rest->tail = r;
	rest->len++;
	pump(rest);
	return r;
}

static void set_followups(struct dc_rest_req *r, const char *path, const char *app,
                           char **bodies, size_t n)
{
	free(r->followup_path);
	r->followup_path = xstrdup(path);
	snprintf(r->followup_app, sizeof(r->followup_app), "%s", app);
	for (size_t i = 0; i < n; i++) {
		if (r->n_followups < DC_FOLLOWUPS_MAX)
			r->followups[r->n_followups++] = bodies[i];
		else
			free(bodies[i]);
		bodies[i] = NULL;
	}
}

/* A request that acquire let through is over: its bucket and, unless it is
 * exempt, its global slot learn so. */
static void release(struct dc_rest *rest, const struct dc_rest_req *r, const struct rl_info *info,
                    int64_t now)
{
	ratelimit_release(rest->rl, r->route, r->major, info, now);
	if (r->global_exempt)
		return;
	if (!rest->cfg.coord) {
		ratelimit_global_done(rest->rl, now);
		return;
	}
	coord_global_done(rest->cfg.coord, r->coord_ticket, now);
	/* rate-limits.mdx "Global Rate Limit": a global 429 stops every process
	 * on the token, not just this one. */
	if (info->status == 429 && info->global)
		coord_global_pause(rest->cfg.coord, info->retry_after_s > 0
		                                        ? (int64_t)(info->retry_after_s * 1000.0) + 1
		                                        : 1000, now);
}

/* ratelimit_acquire, with the global slot taken from the shared window when
 * the token's limits are coordinated: the bucket is asked first so that no
 * shared slot is taken for a request that could not use it. */
static int64_t acquire(struct dc_rest *rest, struct dc_rest_req *r, int64_t now)
{
	struct coord *c = rest->cfg.coord;
	if (!c || r->global_exempt)
		return ratelimit_acquire(rest->rl, r->route, r->major, r->global_exempt, now);
	int64_t wait = ratelimit_bucket_wait(rest->rl, r->route, r->major, now);
	if (wait != 0)
		return wait;
	wait = coord_global_take(c, &r->coord_ticket, now);
	if (wait != 0)
		return wait;
	wait = ratelimit_acquire(rest->rl, r->route, r->major, true, now);
	if (wait != 0)
		coord_global_done(c, r->coord_ticket, now);  /* unused: give it back */
	return wait;
}

static void start(struct dc_rest *rest, struct dc_rest_req *r)
{
	int64_t now = now_ms(rest), waited = now - r->created;
	if (r->rl_wait_since >= 0) {
		rest->st.ratelimit_wait_ms += now - r->rl_wait_since;
		r->rl_wait_since = -1;
	}
	/* receiving-and-responding.mdx: the first answer must arrive within 3 s;
	 * a callback leaving this late says the bot or its queue is too slow. */
	if (r->kind == DC_REST_CALLBACK && waited > DISCORD_CALLBACK_WARN_MS && r->attempts == 0)
		log_warn("interaction answer leaves late; Discord allows 3 s", "what=\"%s\" waited_ms=%lld",
		         r->what, (long long)waited);
	char url[PATH_MAX_BYTES + 256];
	snprintf(url, sizeof(url), "%s%s", rest->api_base, r->path);
	const char *hdrs[3] = {rest->auth_header, "Content-Type: application/json"};
	int64_t timeout = rest->cfg.timeout_ms;
	struct http_request req = {
		.method = r->method,
		.url = url,
		.headers = hdrs,
		.n_headers = r->body ? 2 : 1,
		.body = r->body,
		.body_len = r->body ? strlen(r->body) : 0,
		.timeout_ms = timeout,
		.connect_timeout_ms = timeout < CONNECT_TIMEOUT_MAX_MS ? timeout : CONNECT_TIMEOUT_MAX_MS,
		.max_response_bytes = RESPONSE_MAX_BYTES,
		.ca_file = rest->ca_file,
	};
	int64_t id = http_request_start(rest->http, &req, on_http_done, r);
	if (id < 0) {
		/* Cannot fail for a well-formed request; treat like a network error. */
		struct rl_info info = {.status = 0};
		release(rest, r, &info, now);
		log_error("discord request could not start", "what=\"%s\" err=%s", r->what,
		          strerror((int)-id));
		unlink_req(rest, r);
		rest->st.send_failures++;
		finish(rest, r, NULL, false, false, false);
		req_free(r);
		return;
	}
	r->inflight = true;
	r->http_id = id;
}

static void pump(struct dc_rest *rest)
{
	int64_t now = now_ms(rest), wake = -1;
	/* The global wait is the same for every request bound by it: once it
	 * says "later", the rest of a long queue is not asked one by one. */
	int64_t gwait = -1;
	struct dc_rest_req *r = rest->head, *next;
	for (; r; r = next) {
		next = r->next;
		if (r->inflight)
			continue;
		int64_t wait = r->not_before > now ? r->not_before - now : 0;
		if (wait == 0) {
			if (!r->global_exempt && !rest->cfg.coord && gwait < 0)
				gwait = ratelimit_global_wait(rest->rl, now);
			if (!r->global_exempt && !rest->cfg.coord && gwait > 0)
				wait = gwait;
			else
				wait = acquire(rest, r, now);
			if (wait < 0) {
				log_error("discord request not sent: REST is stopped after a 401",
				          "what=\"%s\"", r->what);
				unlink_req(rest, r);
				rest->st.send_failures++;
				finish(rest, r, NULL, false, false, false);
				req_free(r);
				continue;
			}
			if (wait == 0) {
				start(rest, r);
				gwait = -1;
				continue;
			}
			if (r->rl_wait_since < 0) {
				r->rl_wait_since = now;
				rest->st.ratelimit_waits++;
			}
		}
		if (wake < 0 || wait < wake)
			wake = wait;
	}
	if (wake >= 0)
		net_timer_start(rest->timer, (uint64_t)wake, 0);
	else
		net_timer_stop(rest->timer);
}

static const char *resp_header(void *ctx, const char *name)
{
	return http_response_header(ctx, name);
}

static void count_response(struct dc_rest *rest, const struct http_response *resp,
                           const struct rl_info *info)
{
	if (resp->error == HTTP_ERR_TLS && !rest->tls_told) {
		rest->tls_told = true;
		net_log_tls_refusal("discord", "discord", resp->error_msg);
	} else if (resp->error == HTTP_OK) {
		rest->tls_told = false;
	}
	if (resp->error != HTTP_OK)
		host_status_count_add(rest->st.rest_errors, 0);
	else if (resp->status >= 400)
		host_status_count_add(rest->st.rest_errors, resp->status);
	if (info->status == 429) {
		if (info->global)
			rest->st.http_429_global++;
		else
			rest->st.http_429_route++;
	}
}

/* Whether r goes out again, with the reason it failed written either way. */
static bool should_retry(struct dc_rest *rest, struct dc_rest_req *r,
                         const struct http_response *resp, const struct rl_info *info,
                         int64_t now, char *reason, size_t size)
{
	reason[0] = '\0';
	if (resp->error != HTTP_OK || (resp->status >= 500 && resp->status <= 599)) {
		if (resp->error != HTTP_OK)
			snprintf(reason, size, "%s: %s", http_error_name(resp->error), resp->error_msg);
		else
			snprintf(reason, size, "server error %d", resp->status);
		if (r->attempts < rest->cfg.retries) {
			r->attempts++;
			/* A retried message create is safe: its nonce dedupes it. */
			r->not_before = now + gateway_backoff_ms(r->attempts,
			                                         rest->cfg.random(rest->cfg.ctx));
			log_warn("discord request will be retried", "what=\"%s\" attempt=%d reason=\"%s\"",
			         r->what, r->attempts, reason);
			return true;
		}
	} else if (resp->status == 429) {
		/* A rate limit says "later", never "no": the answer waits until it can
		 * go, unless it can no longer be delivered at all. Overload is bounded
		 * by the queue (queue_max), not by dropping answers. */
		r->limited++;
		bool expired = (r->kind == DC_REST_CALLBACK || r->kind == DC_REST_FOLLOWUP) &&
		               now - r->created >= INTERACTION_TOKEN_MS;
		snprintf(reason, size, "rate limited (429) %d times%s", r->limited,
		         expired ? ", interaction token expired" : "");
		if (!expired) {
			log_info("discord request rate limited, waiting", "what=\"%s\" retry_after_s=%.3f",
			         r->what, info->retry_after_s);
			return true;
		}
	} else if (resp->status == 401) {
		snprintf(reason, size, "401 Unauthorized: the token was refused");
	} else if (resp->status >= 400) {
		snprintf(reason, size, "HTTP %d%s", resp->status,
		         resp->body_len ? " (body below)" : " with no body");
	}
	return false;
}

/* Discord's error body names every refused field (opcodes-and-status-codes.mdx
 * "JSON Error Codes": an `errors` object), often more than a log line holds.
 * It is logged whole up to ERROR_BODY_MAX, in as many lines as it takes, each
 * short enough that the logger never cuts it; a longer body says how much
 * was left out. Cuts fall between UTF-8 sequences. The body is Discord's
 * answer, never the request, so it carries no token. */
#define ERROR_BODY_MAX 16384       /* bytes of an error body logged */
#define ERROR_BODY_PIECE 700       /* raw bytes per line (escaped, at most about 2x) */
/* Bytes of the next line's piece at `at`: not ending inside a UTF-8 sequence. */
static size_t body_piece(const char *body, size_t at, size_t len)
{
	size_t n = len - at < ERROR_BODY_PIECE ? len - at : ERROR_BODY_PIECE;
	for (size_t k = 0; k < 3 && at + n < len && n > 1
	                   && ((unsigned char)body[at + n] & 0xC0) == 0x80; k++)
		n--;
	return n;
}

static void log_error_body(const struct dc_rest_req *r, const struct http_response *resp)
{
	size_t len = resp->body_len < ERROR_BODY_MAX ? resp->body_len : ERROR_BODY_MAX;
	size_t parts = 0, part = 0;
	for (size_t at = 0; at < len; at += body_piece(resp->body, at, len))
		parts++;
	for (size_t at = 0, n; at < len; at += n) {
		n = body_piece(resp->body, at, len);
		char esc[ERROR_BODY_PIECE * 2 + 16];
		log_error("discord error response", "what=\"%s\" status=%d part=%zu/%zu body=%s",
		          r->what, resp->status, ++part, parts,
		          log_escape(resp->body + at, n, esc, sizeof(esc)));
	}
	if (resp->body_len > len)
		log_error("discord error response longer than logged", "what=\"%s\" bytes=%zu logged=%zu",
		          r->what, resp->body_len, len);
}

static void on_http_done(const struct http_response *resp, void *data)
{
	struct dc_rest_req *r = data;
	struct dc_rest *rest = r->rest;
	int64_t now = now_ms(rest);
	struct rl_info info;
	cJSON *body429 = NULL;
	rl_info_parse(resp->error == HTTP_OK ? resp->status : 0, resp_header, (void *)resp,
	              resp->body, resp->body_len, &info, &body429);
	info.interaction_token = r->kind == DC_REST_CALLBACK || r->kind == DC_REST_FOLLOWUP;
	release(rest, r, &info, now);
	cJSON_Delete(body429);
	r->inflight = false;
	count_response(rest, resp, &info);
	char reason[160];
	if (should_retry(rest, r, resp, &info, now, reason, sizeof(reason))) {
		pump(rest);
		return;
	}
	unlink_req(rest, r);
	bool ok = resp->error == HTTP_OK && resp->status >= 200 && resp->status < 300;
	if (ok) {
		if (r->kind == DC_REST_CALLBACK) {
			for (size_t i = 0; i < r->n_followups; i++) {
				struct dc_rest_spec s = {.kind = DC_REST_FOLLOWUP, .method = "POST",
				                         .route = "POST /webhooks/{}/{}",
				                         .major = r->followup_app, .what = r->what};
				dc_rest_enqueue(rest, &s, r->followups[i], "%s", r->followup_path);
				r->followups[i] = NULL;
			}
			r->n_followups = 0;
		}
		if (r->kind == DC_REST_CALLBACK || r->kind == DC_REST_REPLY
		    || r->kind == DC_REST_FOLLOWUP) {
			rest->st.answered++;
			log_debug("discord answer sent", "what=\"%s\" ms=%lld", r->what,
			          (long long)(now - r->created));
		}
	} else {
		rest->st.send_failures++;
		/* Failures are never silent: the request, the status and why. */
		log_error("discord request failed", "what=\"%s\" status=%d reason=\"%s\"", r->what,
		          resp->status, reason);
		if (resp->error == HTTP_OK && resp->status >= 400 && resp->status != 401
		    && resp->body_len > 0)
			log_error_body(r, resp);
	}
	finish(rest, r, resp, ok, !ok && resp->status == 401 && !info.interaction_token, true);
	req_free(r);
	pump(rest);
}

void dc_rest_send_actions(struct dc_rest *rest, int shard, int64_t seq, struct dc_actions *acts)
{
	for (size_t i = 0; i < acts->n; i++) {
		struct dc_act *a = &acts->act[i];
		struct dc_rest_spec s = {.method = "POST", .what = a->what, .shard = shard,
		                         .seq = seq, .received_ms = a->received_ms};
		char *body = a->body;
		a->body = NULL;
		if (a->kind == DC_ACT_REPLY) {
			s.kind = DC_REST_REPLY;
			s.route = "POST /channels/{}/messages";
			s.major = a->channel;
			dc_rest_enqueue(rest, &s, body, "/channels/%s/messages", a->channel);
			continue;
		}
		s.kind = DC_REST_CALLBACK;
		s.route = "POST /interactions/{}/{}/callback";
		s.major = a->interaction_id;
		/* The token is part of the path: never logged (what names the id only). */
		char *tok = http_escape_segment(a->interaction_token, 0);
		struct dc_rest_req *r = dc_rest_enqueue(rest, &s, body, "/interactions/%s/%s/callback",
		                                        a->interaction_id, tok);
		if (r && a->n_followups > 0) {
			size_t pl = strlen(tok) + 64;
			char *path = xmalloc(pl);
			snprintf(path, pl, "/webhooks/%s/%s", a->followup_app, tok);
			set_followups(r, path, a->followup_app, a->followups, a->n_followups);
			a->n_followups = 0;
			free(path);
		}
		free(tok);
	}
	dc_actions_clear(acts);
}

int64_t dc_rest_oldest_seq(const struct dc_rest *rest, int shard)
{
	int64_t oldest = 0;
	for (const struct dc_rest_req *q = rest->head; q; q = q->next)
		if (q->seq > 0 && q->shard == shard && (oldest == 0 || q->seq < oldest))
			oldest = q->seq;
	return oldest;
}

void dc_rest_kick(struct dc_rest *rest)
{
	if (!rest->stopping)
		pump(rest);
}

void dc_rest_stop(struct dc_rest *rest)
{
	rest->stopping = true;
	net_timer_stop(rest->timer);
	if (rest->len)
		log_warn("discord: stopping with requests unsent", "count=%zu", rest->len);
	while (rest->head) {
		struct dc_rest_req *r = rest->head;
		if (r->inflight) {
			http_request_cancel(rest->http, r->http_id);
			/* It may have reached Discord: its shared slot ends a second
			 * from now, not when the busy hold runs out. */
			if (rest->cfg.coord && !r->global_exempt)
				coord_global_done(rest->cfg.coord, r->coord_ticket, now_ms(rest));
		}
		unlink_req(rest, r);
		req_free(r);
	}
}

bool dc_rest_refused(const struct dc_rest *rest)
{
	return ratelimit_stopped(rest->rl);
}

void dc_rest_get_stats(const struct dc_rest *rest, struct dc_rest_stats *out)
{
	*out = rest->st;
	out->queued = rest->len;
	/* Requests waiting right now count with their wait so far. */
	int64_t now = now_ms(rest);
	for (const struct dc_rest_req *r = rest->head; r; r = r->next)
		if (r->rl_wait_since >= 0)
			out->ratelimit_wait_ms += now - r->rl_wait_since;
}
