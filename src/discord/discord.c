/* discord.c: wires the gateway state machines, the REST queue and the engine
 * host together on the net loop; owns the shards, their connections and the
 * REST queue, and must not block the loop, cache guilds/members/messages, or
 * log the token. */
#include "discord/discord.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "build_config.h"
#include "core/answer.h"
#include "core/cooldown.h"
#include "core/engine.h"
#include "discord/codec.h"
#include "discord/gateway.h"
#include "discord/ratelimit.h"
#include "discord/seen.h"
#include "discord/state.h"
#include "discord/zstream.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "net/ws.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define USER_AGENT "DiscordBot (https://github.com/scobot/scobot, " SCOBOT_VERSION ")"
#define WS_MAX_COMPRESSED (4u << 20)     /* one compressed websocket message, bytes */
#define RENDER_BYTES (2 * ANSWER_MAX_BYTES + 64) /* a rendered answer, bytes */
#define PATH_MAX_BYTES 512               /* a REST path, bytes */
#define GATEWAY_BOT_RETRY_CAP_MS 60000   /* longest wait between /gateway/bot tries, ms */
#define DC_SNOWFLAKE_EPOCH_MS 1420070400000LL /* 2015-01-01, Unix ms (reference.mdx "Snowflakes") */
#define DISCORD_TRIM_BYTES (256u << 10)  /* payload size after which freed heap is trimmed, bytes */
#define DISCORD_CALLBACK_WARN_MS 1500    /* an interaction answer queued this long is late, ms */

struct discord;

struct shard {
	struct discord *dc;
	int id;
	struct gateway *gw;
	struct ws_conn *conn;
	struct zstream *z;
	struct net_timer *timer;
	bool closed;          /* no connection open (for stop) */
	/* A connect that failed before any callback: reported from the shard's
	 * own timer (freed with the shard), never from a deferred call that could
	 * outlive it. */
	bool failed_pending;
};

enum rest_kind {
	REST_GATEWAY_BOT,
	REST_REPLY,
	REST_CALLBACK,
	REST_COMMANDS_GET,
	REST_COMMANDS_PUT,
	REST_APP_GET,
	REST_ME_GET,
	REST_FOLLOWUP,
};

#define FOLLOWUPS_MAX 4   /* extra messages after a slash command's first answer */

struct rest_req {
	struct rest_req *next;
	struct discord *dc;
	enum rest_kind kind;
	char method[8];
	char path[PATH_MAX_BYTES];
	char route[64];
	char major[DC_SNOWFLAKE_MAX];
	char *body;
	bool global_exempt;
	bool inflight;
	int attempts;         /* 5xx / network retries so far */
	int limited;          /* 429s so far */
	int64_t not_before;
	int64_t http_id;
	int64_t created;
	int64_t rl_wait_since; /* when a rate limit first held it back; -1: not waiting */
	int64_t received_ms;  /* an answer: when its question arrived (for host->sent) */
	int shard;            /* a reply: the shard whose dispatch it answers ... */
	int64_t seq;          /* ... and that dispatch's seq (0: none), to replay it */
	bool report_sent;     /* an answer's first request: tell host->sent how it ended */
	char what[96];        /* for logs: what this request is for */
	/* A callback's follow-ups, sent only once it succeeded (order matters). */
	char *followup_path;
	char followup_app[DC_SNOWFLAKE_MAX];
	char *followups[FOLLOWUPS_MAX];
	size_t n_followups;
};

struct discord {
	struct net_loop *loop;
	const struct adapter_host *host;
	int cur_shard;         /* the dispatch being handled, for the replies it makes */
	int64_t cur_seq;
	char *token;
	char *auth_header;
	char *app_id;          /* NULL until READY or config */
	char self_id[DC_SNOWFLAKE_MAX];
	char *prefix;
	char *api_base;
	char *state_dir;
	char *commands_guild;
	char *ca_file;
	/* A refused certificate was logged as an error; again only after a
	 * connection got through. REST and the gateway are different hosts. */
	bool rest_tls_told, gw_tls_told;
	char gateway_url[GW_URL_MAX];
	bool message_content, compress, register_commands;
	int cfg_shards, shard_first, shard_last;
	int64_t rest_timeout_ms;
	discord_complete_fn *complete;
	void *complete_ctx;

	struct http_client *http;
	struct ws_client *wsc;
	struct ratelimit *rl;
	struct cooldown *cooldown;
	struct seen *seen;
	struct idgate idgate;

	struct shard *shards;
	int nshards;           /* shards this process runs */
	int shard_count;       /* total shards of the bot */

	struct rest_req *queue_head, *queue_tail;
	size_t queue_len;
	struct net_timer *rest_timer;
	struct net_timer *boot_timer;   /* /gateway/bot retries */
	unsigned boot_attempts;

	bool started, stopping, fatal, commands_synced, app_fetching, me_fetching;
	void (*stop_done)(void *);
	void *stop_data;
	struct net_timer *stop_timer;

	uint64_t rng;
	struct answer answer;  /* scratch: one event is handled at a time */
	char render[RENDER_BYTES];
	char question[ENGINE_MAX_INPUT + 1];  /* a question with our mentions removed */

	uint64_t answered, send_failures, ignored;
	/* For discord_get_stats. */
	uint64_t rl_waits;     /* requests a rate limit held back */
	int64_t rl_wait_ms;    /* their total wait, ms */
	uint64_t http_429_global, http_429_route;
	struct host_status_count rest_errors[HOST_STATUS_SLOTS];
	bool up;               /* every shard READY; host->ready said so, host->lost not since */
};

static int64_t now_ms(const struct discord *dc)
{
	return net_loop_now_ms(dc->loop);
}

/* The host's optional callbacks (a test driver may leave them NULL). */
static void tell_ready(struct discord *dc)
{
	if (dc->host->ready)
		dc->host->ready(dc->host->ctx, "discord");
}

static void tell_fatal(struct discord *dc, const char *msg)
{
	if (dc->host->fatal)
		dc->host->fatal(dc->host->ctx, "discord", SCOBOT_EXIT_DISCORD_AUTH, msg);
}

static uint32_t dc_random(struct discord *dc)
{
	/* xorshift64*: jitter only, never secrets. */
	dc->rng ^= dc->rng >> 12;
	dc->rng ^= dc->rng << 25;
	dc->rng ^= dc->rng >> 27;
	return (uint32_t)((dc->rng * 2685821657736338717ull) >> 32);
}

/* ---- URL policy --------------------------------------------------------- */

bool discord_url_allowed(const char *url)
{
	const char *host;
	if (!url)
		return false;
	if (strncmp(url, "https://", 8) == 0 || strncmp(url, "wss://", 6) == 0)
		return true;
	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "ws://", 5) == 0)
		host = url + 5;
	else
		return false;
	/* Plain text only to this machine: a token must never cross a network
	 * unencrypted. */
	size_t n = strcspn(host, ":/?#");
	if (host[0] == '[') {
		n = strcspn(host, "]");
		return n == 4 && strncmp(host, "[::1", 4) == 0;
	}
	if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
		return true;
	if (n >= 9 && strncmp(host, "127.", 4) == 0) {
		for (size_t i = 4; i < n; i++)
			if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.'))
				return false;
		return true;
	}
	return false;
}

/* ---- REST queue --------------------------------------------------------- */

static void rest_pump(struct discord *dc);
static void rest_done(const struct http_response *resp, void *data);
static void on_gateway_bot(struct discord *dc, const struct http_response *resp);
static void on_commands_get(struct discord *dc, const struct http_response *resp);
static void boot_retry(struct discord *dc);
static void on_identity(struct discord *dc, enum rest_kind kind, const struct http_response *resp);

static void rest_free(struct rest_req *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->followup_path);
	for (size_t i = 0; i < r->n_followups; i++)
		free(r->followups[i]);
	free(r);
}

static void rest_unlink(struct discord *dc, struct rest_req *r)
{
	struct rest_req **pp = &dc->queue_head, *prev = NULL;
	while (*pp && *pp != r) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = r->next;
	if (dc->queue_tail == r)
		dc->queue_tail = prev;
	dc->queue_len--;
}

/* Queues a request; body is taken over (freed here on failure too). */
static struct rest_req *rest_enqueue(struct discord *dc, enum rest_kind kind, const char *method,
                                     const char *route, const char *major, char *body,
                                     const char *what, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static struct rest_req *rest_enqueue(struct discord *dc, enum rest_kind kind, const char *method,
                                     const char *route, const char *major, char *body,
                                     const char *what, const char *fmt, ...)
{
	if (dc->stopping || ratelimit_stopped(dc->rl) || dc->queue_len >= DISCORD_REST_QUEUE_MAX) {
		log_warn("discord request dropped", "what=\"%s\" reason=%s", what,
		         dc->stopping ? "stopping" : ratelimit_stopped(dc->rl) ? "token refused (401)"
		                                                                 : "queue full");
		dc->send_failures++;
		free(body);
		return NULL;
	}
	struct rest_req *r = xcalloc(1, sizeof(*r));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r->path, sizeof(r->path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->path)) {
		log_error("discord request path too long", "what=\"%s\"", what);
		free(body);
		free(r);
		return NULL;
	}
	r->dc = dc;
	r->kind = kind;
	r->shard = dc->cur_shard;
	r->seq = kind == REST_REPLY ? dc->cur_seq : 0;
	snprintf(r->method, sizeof(r->method), "%s", method);
	snprintf(r->route, sizeof(r->route), "%s", route);
	snprintf(r->major, sizeof(r->major), "%s", major ? major : "");
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->body = body;
	r->created = now_ms(dc);
	r->rl_wait_since = -1;
	/* rate-limits.mdx "Global Rate Limit": interaction endpoints are exempt. */
	r->global_exempt = kind == REST_CALLBACK || kind == REST_FOLLOWUP;
	if (dc->queue_tail)
		dc->queue_tail->next = r;
	else
		dc->queue_head = r;
	dc->queue_tail = r;
	dc->queue_len++;
	rest_pump(dc);
	return r;
}

/* A request that acquire let through is over: its bucket and, unless it is
 * exempt, its global slot learn so. */
static void rest_release(struct discord *dc, const struct rest_req *r, const struct rl_info *info,
                         int64_t now)
{
	ratelimit_release(dc->rl, r->route, r->major, info, now);
	if (!r->global_exempt)
		ratelimit_global_done(dc->rl, now);
}

static void rest_start(struct discord *dc, struct rest_req *r)
{
	int64_t waited = now_ms(dc) - r->created;
	if (r->rl_wait_since >= 0) {
		dc->rl_wait_ms += now_ms(dc) - r->rl_wait_since;
		r->rl_wait_since = -1;
	}
	/* receiving-and-responding.mdx: the first answer must arrive within 3 s;
	 * a callback leaving this late says the bot or its queue is too slow. */
	if (r->kind == REST_CALLBACK && waited > DISCORD_CALLBACK_WARN_MS && r->attempts == 0)
		log_warn("interaction answer leaves late; Discord allows 3 s", "what=\"%s\" waited_ms=%lld",
		         r->what, (long long)waited);
	char url[PATH_MAX_BYTES + 256];
	snprintf(url, sizeof(url), "%s%s", dc->api_base, r->path);
	const char *hdrs[3] = {dc->auth_header, "Content-Type: application/json"};
	struct http_request req = {
		.method = r->method,
		.url = url,
		.headers = hdrs,
		.n_headers = r->body ? 2 : 1,
		.body = r->body,
		.body_len = r->body ? strlen(r->body) : 0,
		.timeout_ms = dc->rest_timeout_ms,
		.connect_timeout_ms = dc->rest_timeout_ms < 10000 ? dc->rest_timeout_ms : 10000,
		.max_response_bytes = 1u << 20,
		.ca_file = dc->ca_file,
	};
	int64_t id = http_request_start(dc->http, &req, rest_done, r);
	if (id < 0) {
		/* Cannot fail for a well-formed request; treat like a network error. */
		struct rl_info info = {.status = 0};
		rest_release(dc, r, &info, now_ms(dc));
		log_error("discord request could not start", "what=\"%s\" err=%s", r->what,
		          strerror((int)-id));
		rest_unlink(dc, r);
		dc->send_failures++;
		if (r->kind == REST_GATEWAY_BOT)
			boot_retry(dc);
		rest_free(r);
		return;
	}
	r->inflight = true;
	r->http_id = id;
}

static void rest_pump(struct discord *dc)
{
	int64_t now = now_ms(dc), wake = -1;
	struct rest_req *r = dc->queue_head, *next;
	for (; r; r = next) {
		next = r->next;
		if (r->inflight)
			continue;
		int64_t wait = r->not_before > now ? r->not_before - now : 0;
		if (wait == 0) {
			wait = ratelimit_acquire(dc->rl, r->route, r->major, r->global_exempt, now);
			if (wait < 0) {
				log_error("discord request not sent: REST is stopped after a 401",
				          "what=\"%s\"", r->what);
				rest_unlink(dc, r);
				dc->send_failures++;
				rest_free(r);
				continue;
			}
			if (wait == 0) {
				rest_start(dc, r);
				continue;
			}
			if (r->rl_wait_since < 0) {
				r->rl_wait_since = now;
				dc->rl_waits++;
			}
		}
		if (wake < 0 || wait < wake)
			wake = wait;
	}
	if (wake >= 0)
		net_timer_start(dc->rest_timer, (uint64_t)wake, 0);
	else
		net_timer_stop(dc->rest_timer);
}

static void rest_timer_cb(struct net_timer *t, void *data)
{
	rest_pump(data);
}

static const char *resp_header(void *ctx, const char *name)
{
	return http_response_header(ctx, name);
}

static void rl_info_from(const struct http_response *resp, struct rl_info *in, cJSON **ret_body)
{
	rl_info_parse(resp->error == HTTP_OK ? resp->status : 0, resp_header, (void *)resp,
	              resp->body, resp->body_len, in, ret_body);
}

static void request_failed(struct discord *dc, struct rest_req *r, const char *reason, int status)
{
	dc->send_failures++;
	/* Failures are never silent: the request, the status and why. */
	log_error("discord request failed", "what=\"%s\" status=%d reason=\"%s\"", r->what, status,
	          reason);
	if (r->kind == REST_GATEWAY_BOT)
		boot_retry(dc);
}

static void rest_done(const struct http_response *resp, void *data)
{
	struct rest_req *r = data;
	struct discord *dc = r->dc;
	int64_t now = now_ms(dc);
	struct rl_info info;
	cJSON *body429 = NULL;
	rl_info_from(resp, &info, &body429);
	info.interaction_token = r->kind == REST_CALLBACK || r->kind == REST_FOLLOWUP;
	rest_release(dc, r, &info, now);
	cJSON_Delete(body429);
	r->inflight = false;
	if (resp->error == HTTP_ERR_TLS && !dc->rest_tls_told) {
		dc->rest_tls_told = true;
		net_log_tls_refusal("discord", "discord", resp->error_msg);
	} else if (resp->error == HTTP_OK) {
		dc->rest_tls_told = false;
	}
	if (resp->error != HTTP_OK)
		host_status_count_add(dc->rest_errors, 0);
	else if (resp->status >= 400)
		host_status_count_add(dc->rest_errors, resp->status);
	if (info.status == 429) {
		if (info.global)
			dc->http_429_global++;
		else
			dc->http_429_route++;
	}
	bool retry = false;
	char reason[160];

	if (resp->error != HTTP_OK || (resp->status >= 500 && resp->status <= 599)) {
		if (resp->error != HTTP_OK)
			snprintf(reason, sizeof(reason), "%s: %s", http_error_name(resp->error),
			         resp->error_msg);
		else
			snprintf(reason, sizeof(reason), "server error %d", resp->status);
		if (r->attempts < DISCORD_REST_RETRIES) {
			r->attempts++;
			/* A retried message create is safe: its nonce dedupes it. */
			r->not_before = now + gateway_backoff_ms(r->attempts, dc_random(dc));
			log_warn("discord request will be retried", "what=\"%s\" attempt=%d reason=\"%s\"",
			         r->what, r->attempts, reason);
			retry = true;
		}
	} else if (resp->status == 429) {
		snprintf(reason, sizeof(reason), "rate limited (429) %d times", r->limited + 1);
		if (++r->limited <= 5) {
			log_info("discord request rate limited, waiting", "what=\"%s\" retry_after_s=%.3f",
			         r->what, info.retry_after_s);
			retry = true;
		}
	} else if (resp->status == 401) {
		snprintf(reason, sizeof(reason), "401 Unauthorized: the token was refused");
	} else if (resp->status >= 400) {
		char esc[LOG_ESCAPE_SIZE];
		snprintf(reason, sizeof(reason), "HTTP %d %s", resp->status,
		         log_escape(resp->body, resp->body_len, esc, sizeof(esc)));
	}
	if (retry) {
		rest_pump(dc);
		return;
	}
	rest_unlink(dc, r);
	if (resp->error == HTTP_OK && resp->status >= 200 && resp->status < 300) {
		switch (r->kind) {
		case REST_GATEWAY_BOT:
			on_gateway_bot(dc, resp);
			break;
		case REST_COMMANDS_GET:
			on_commands_get(dc, resp);
			break;
		case REST_APP_GET:
		case REST_ME_GET:
			on_identity(dc, r->kind, resp);
			break;
		case REST_COMMANDS_PUT:
			log_info("discord slash commands registered", "scope=%s",
			         dc->commands_guild ? dc->commands_guild : "global");
			break;
		case REST_CALLBACK:
			for (size_t i = 0; i < r->n_followups; i++) {
				rest_enqueue(dc, REST_FOLLOWUP, "POST", "POST /webhooks/{}/{}",
				             r->followup_app, r->followups[i], r->what, "%s",
				             r->followup_path);
				r->followups[i] = NULL;
			}
			r->n_followups = 0;
			/* fall through */
		case REST_REPLY:
		case REST_FOLLOWUP:
			dc->answered++;
			log_debug("discord answer sent", "what=\"%s\" ms=%lld", r->what,
			          (long long)(now - r->created));
			break;
		}
	} else {
		request_failed(dc, r, reason, resp->status);
		if (resp->status == 401 && !info.interaction_token && !dc->fatal) {
			dc->fatal = true;
			tell_fatal(dc, "Discord refused the bot token (HTTP 401); set a valid token or "
			               "token_file in [discord]");
		}
	}
	if (r->report_sent && dc->host->sent)
		dc->host->sent(dc->host->ctx, "discord", r->received_ms,
		               resp->error == HTTP_OK ? resp->status : 0);
	rest_free(r);
	rest_pump(dc);
}

/* ---- answering ---------------------------------------------------------- */

/* Posts an answer as replies to message `reply_to` in channel: an embed when
 * the answer has fields, else Markdown split into parts under 2000
 * characters, each with its own nonce derived from the question's id. */
static void mark_answer(struct rest_req *r, int64_t received_ms)
{
	if (r && received_ms > 0) {
		r->report_sent = true;
		r->received_ms = received_ms;
	}
}

/* received_ms > 0: an answer to a question that arrived then (host->sent is
 * told when its first message is sent); 0: a notice, not measured. */
static void post_answer(struct discord *dc, const char *channel, const char *reply_to,
                        const struct answer *a, char nonce_prefix, int64_t received_ms)
{
	char nonce[DC_NONCE_MAX + 1], what[96];
	snprintf(what, sizeof(what), "reply to %s in %s", reply_to, channel);
	if (a->nfield > 0) {
		dc_reply_nonce(reply_to, 0, nonce_prefix, nonce);
		char *body = dc_build_embed_message(a, reply_to, nonce);
		if (body)
			mark_answer(rest_enqueue(dc, REST_REPLY, "POST", "POST /channels/{}/messages",
			                         channel, body, what, "/channels/%s/messages", channel),
			            received_ms);
		return;
	}
	size_t len = answer_render(a, RENDER_MARKDOWN, dc->render, sizeof(dc->render));
	if (len >= sizeof(dc->render))
		len = strlen(dc->render);
	size_t off = 0;
	unsigned part = 0;
	while (off < len && part < 8) {
		size_t n = dc_split_content(dc->render + off, len - off, DC_CONTENT_MAX);
		if (n == 0)
			break;
		dc_reply_nonce(reply_to, part, nonce_prefix, nonce);
		/* Only the first part is a reply; the rest follow it. */
		char *body = dc_build_message(dc->render + off, n, part == 0 ? reply_to : NULL, nonce);
		struct rest_req *r = NULL;
		if (body)
			r = rest_enqueue(dc, REST_REPLY, "POST", "POST /channels/{}/messages", channel,
			                 body, what, "/channels/%s/messages", channel);
		if (part == 0)
			mark_answer(r, received_ms);
		off += n;
		part++;
	}
}

/* When a message or interaction was sent, for the cooldown: Discord's own
 * clock in its id (reference.mdx "Snowflakes": ms since 2015-01-01 in the top
 * 42 bits), which no user can set; so the events a resume replays in one go
 * are judged as they were asked, not as a flood. Both kinds use it, so a
 * host clock off from Discord's shifts them alike. */
static int64_t asked_at(struct discord *dc, const char *id)
{
	uint64_t v = strtoull(id, NULL, 10);
	return cooldown_asked_at(now_ms(dc), clock_wall_ms(),
	                         (int64_t)(v >> 22) + DC_SNOWFLAKE_EPOCH_MS);
}

static void cooldown_notice(struct discord *dc, struct answer *a)
{
	enum lang l = a->lang >= 0 && a->lang < LANG_COUNT ? a->lang : LANG_EN;
	answer_init(a, l);
	answer_text(a, cooldown_notice_text(l));
	a->ephemeral = true;
}

/* Strips "<@id>" and "<@!id>" mentions of the bot from the start of text;
 * returns how many bytes to skip, or 0 when the text does not start so. */
static size_t skip_self_mention(const char *self, const char *text, size_t len)
{
	size_t off = 0, total = 0;
	for (;;) {
		while (off < len && (text[off] == ' ' || text[off] == '\n' || text[off] == '\t'))
			off++;
		size_t id_len = strlen(self);
		size_t start = off;
		if (off + 2 > len || text[off] != '<' || text[off + 1] != '@')
			break;
		off += 2;
		if (off < len && text[off] == '!')
			off++;
		if (off + id_len + 1 > len || strncmp(text + off, self, id_len) != 0
		    || text[off + id_len] != '>') {
			off = start;
			break;
		}
		off += id_len + 1;
		total = off;
	}
	if (!total)
		return 0;
	while (total < len && (text[total] == ' ' || text[total] == '\n' || text[total] == '\t'))
		total++;
	return total;
}

/* Copies text into out (size bytes) with every <@self> and <@!self> removed;
 * returns the new length. */
static size_t strip_self_mentions(const char *self, const char *text, size_t len, char *out,
                                  size_t size)
{
	size_t o = 0, id_len = strlen(self);
	for (size_t i = 0; i < len && o + 1 < size;) {
		if (text[i] == '<' && i + 1 < len && text[i + 1] == '@') {
			size_t k = i + 2;
			if (k < len && text[k] == '!')
				k++;
			if (k + id_len < len && strncmp(text + k, self, id_len) == 0
			    && text[k + id_len] == '>') {
				i = k + id_len + 1;
				continue;
			}
		}
		out[o++] = text[i++];
	}
	out[o] = '\0';
	return o;
}

static void on_message_create(struct discord *dc, const cJSON *d)
{
	struct dc_message m;
	if (dc_parse_message(d, dc->self_id[0] ? dc->self_id : NULL, &m) < 0) {
		dc->ignored++;
		return;
	}
	/* Never answer a bot (ourselves included): that is how bot loops start. */
	if (m.author_bot || strcmp(m.author_id, dc->self_id) == 0)
		return;
	/* message.mdx "Message Types": only what people type (0) and replies (19). */
	if (m.type != 0 && m.type != 19)
		return;
	const char *text = m.content;
	size_t len = m.content_len, skip = 0;
	bool addressed = false;
	if (dc->self_id[0] && (skip = skip_self_mention(dc->self_id, text, len)) > 0) {
		addressed = true;
		size_t rest;
		if (engine_strip_prefix(dc->prefix, text + skip, len - skip, &rest))
			skip += rest;
	} else if (engine_strip_prefix(dc->prefix, text, len, &skip)) {
		addressed = true;
	} else if (!m.guild_id) {
		addressed = true;  /* a DM is always for us */
	} else if (m.mentions_user) {
		/* Mentioned later in the text: answer the whole text, without the
		 * mention markup, which would only confuse the question. */
		addressed = true;
		len = strip_self_mentions(dc->self_id, text, len, dc->question, sizeof(dc->question));
		text = dc->question;
	}
	if (!addressed)
		return;
	/* A replayed event (resume) is never answered twice. */
	if (seen_check_and_add(dc->seen, m.id))
		return;
	struct answer *a = &dc->answer;
	enum cooldown_verdict v = cooldown_check(dc->cooldown, m.author_id, m.channel_id,
	                                         asked_at(dc, m.id));
	if (v == COOLDOWN_SILENT)
		return;
	if (v == COOLDOWN_NOTICE) {
		a->lang = lang_detect(text, len);
		cooldown_notice(dc, a);
		post_answer(dc, m.channel_id, m.id, a, 'n', 0);
		return;
	}
	struct respond_request req = {
		.platform = "discord",
		.room = m.channel_id,
		.user = m.author_id,
		.text = text + skip,
		.len = len - skip,
		.lang = LANG_NONE,
		.received_ms = now_ms(dc),
	};
	dc->host->respond(dc->host->ctx, &req, a);
	if (a->status == ANSWER_IGNORED)
		return;
	post_answer(dc, m.channel_id, m.id, a, 'r', req.received_ms);
}

static struct rest_req *send_callback(struct discord *dc, const struct dc_interaction *in,
                                      char *body)
{
	char what[96];
	if (!body)
		return NULL;
	snprintf(what, sizeof(what), "interaction %s", in->id);
	/* The token is part of the path: never logged (what names the id only). */
	char *tok = http_escape_segment(in->token, 0);
	struct rest_req *r = rest_enqueue(dc, REST_CALLBACK, "POST",
	                                  "POST /interactions/{}/{}/callback", in->id, body, what,
	                                  "/interactions/%s/%s/callback", in->id, tok);
	free(tok);
	return r;
}

static void on_autocomplete(struct discord *dc, const struct dc_interaction *in)
{
	char choices[DC_AUTOCOMPLETE_MAX][101];
	size_t n = 0;
	const char *partial = "";
	for (size_t i = 0; i < in->n_options; i++)
		if (in->options[i].focused)
			partial = in->options[i].value;
	enum lang lang = lang_from_locale(in->locale);
	if (dc->complete && in->subcommand && strcmp(in->subcommand, "sg") == 0)
		n = dc->complete(dc->complete_ctx, partial, strlen(partial), lang, choices,
		                 DC_AUTOCOMPLETE_MAX);
	send_callback(dc, in, dc_build_autocomplete((const char (*)[101])choices, n));
}

static void on_interaction_create(struct discord *dc, const cJSON *d)
{
	struct dc_interaction in;
	char text[ENGINE_MAX_INPUT];
	if (dc_parse_interaction(d, &in) < 0) {
		dc->ignored++;
		return;
	}
	if (seen_check_and_add(dc->seen, in.id))
		return;
	if (in.type == DC_INTERACTION_AUTOCOMPLETE) {
		on_autocomplete(dc, &in);
		return;
	}
	if (in.type != DC_INTERACTION_COMMAND)
		return;
	struct answer *a = &dc->answer;
	enum lang lang = lang_from_locale(in.locale);
	int64_t received = 0;  /* stays 0 for notices: only answers are measured */
	int tl = dc_interaction_text(&in, text, sizeof(text));
	if (tl < 0) {
		answer_init(a, lang == LANG_NONE ? LANG_EN : lang);
		answer_text(a, "Unknown command.");
		a->ephemeral = true;
	} else if (cooldown_check(dc->cooldown, in.user_id, in.channel_id, asked_at(dc, in.id))
	           != COOLDOWN_OK) {
		/* A slash command must always get a response, so over the limit it
		 * is a short private notice, never silence. */
		a->lang = lang == LANG_NONE ? LANG_EN : lang;
		cooldown_notice(dc, a);
	} else {
		struct respond_request req = {
			.platform = "discord",
			.room = in.channel_id,
			.user = in.user_id,
			.text = text,
			.len = (size_t)tl,
			.lang = lang,
			.received_ms = now_ms(dc),
		};
		dc->host->respond(dc->host->ctx, &req, a);
		received = req.received_ms;
		if (a->status == ANSWER_IGNORED) {
			answer_init(a, lang == LANG_NONE ? LANG_EN : lang);
			answer_text(a, "…");
			a->ephemeral = true;
		}
	}
	if (a->nfield > 0) {
		mark_answer(send_callback(dc, &in, dc_build_interaction_embed(a, a->ephemeral)),
		            received);
		return;
	}
	size_t len = answer_render(a, RENDER_MARKDOWN, dc->render, sizeof(dc->render));
	if (len >= sizeof(dc->render))
		len = strlen(dc->render);
	/* The first part answers the interaction; the rest follow as follow-up
	 * messages once that answer is in (receiving-and-responding.mdx
	 * "Followup Messages"). */
	size_t n = dc_split_content(dc->render, len, DC_CONTENT_MAX);
	struct rest_req *r = send_callback(dc, &in, dc_build_interaction_reply(dc->render, n,
	                                                                       a->ephemeral));
	mark_answer(r, received);
	if (!r || n >= len)
		return;
	const char *app = in.application_id ? in.application_id : dc->app_id;
	if (!app)
		return;  /* cannot happen: Discord sends application_id with every interaction */
	char *tok = http_escape_segment(in.token, 0);
	size_t pl = strlen(tok) + 64;
	r->followup_path = xmalloc(pl);
	snprintf(r->followup_path, pl, "/webhooks/%s/%s", app, tok);
	snprintf(r->followup_app, sizeof(r->followup_app), "%s", app);
	free(tok);
	size_t off = n;
	while (off < len && r->n_followups < FOLLOWUPS_MAX) {
		size_t k = dc_split_content(dc->render + off, len - off, DC_CONTENT_MAX);
		if (k == 0)
			break;
		char *body = dc_build_followup(dc->render + off, k, a->ephemeral);
		if (body)
			r->followups[r->n_followups++] = body;
		off += k;
	}
}

/* ---- slash commands ----------------------------------------------------- */

static void commands_sync(struct discord *dc)
{
	if (dc->commands_synced || !dc->register_commands)
		return;
	if (!dc->app_id) {
		/* A resumed session brings no READY: ask who we are.
		 * developers/resources/application.mdx "Get Current Application". */
		if (!dc->app_fetching) {
			dc->app_fetching = true;
			rest_enqueue(dc, REST_APP_GET, "GET", "GET /oauth2/applications/@me", "", NULL,
			             "get application id", "/oauth2/applications/@me");
		}
		return;
	}
	dc->commands_synced = true;
	if (dc->commands_guild)
		rest_enqueue(dc, REST_COMMANDS_GET, "GET", "GET /applications/{}/guilds/{}/commands",
		             dc->commands_guild, NULL, "get slash commands",
		             "/applications/%s/guilds/%s/commands", dc->app_id, dc->commands_guild);
	else
		rest_enqueue(dc, REST_COMMANDS_GET, "GET", "GET /applications/{}/commands", "", NULL,
		             "get slash commands", "/applications/%s/commands", dc->app_id);
}

static void on_commands_get(struct discord *dc, const struct http_response *resp)
{
	cJSON *have = cJSON_ParseWithLength(resp->body, resp->body_len);
	cJSON *want = dc_manifest_build();
	if (cJSON_IsArray(have) && dc_manifest_equal(want, have)) {
		/* application-commands.mdx: creates count against a daily limit, so
		 * an unchanged manifest is never sent again. */
		log_info("discord slash commands up to date");
	} else {
		char *body = cJSON_PrintUnformatted(want);
		if (dc->commands_guild)
			rest_enqueue(dc, REST_COMMANDS_PUT, "PUT", "PUT /applications/{}/guilds/{}/commands",
			             dc->commands_guild, body, "register slash commands",
			             "/applications/%s/guilds/%s/commands", dc->app_id, dc->commands_guild);
		else
			rest_enqueue(dc, REST_COMMANDS_PUT, "PUT", "PUT /applications/{}/commands", "", body,
			             "register slash commands", "/applications/%s/commands", dc->app_id);
	}
	cJSON_Delete(want);
	cJSON_Delete(have);
}

static void on_identity(struct discord *dc, enum rest_kind kind, const struct http_response *resp)
{
	cJSON *o = cJSON_ParseWithLength(resp->body, resp->body_len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (cJSON_IsString(id) && dc_is_snowflake(id->valuestring)) {
		if (kind == REST_APP_GET && !dc->app_id) {
			dc->app_id = xstrdup(id->valuestring);
			commands_sync(dc);
		} else if (kind == REST_ME_GET && !dc->self_id[0]) {
			snprintf(dc->self_id, sizeof(dc->self_id), "%s", id->valuestring);
		}
	} else {
		log_warn("discord: no id in the identity response", "kind=%d", (int)kind);
	}
	cJSON_Delete(o);
}

/* ---- gateway io --------------------------------------------------------- */

static const struct ws_callbacks ws_cbs;

static void report_connect_failed(struct shard *s)
{
	s->failed_pending = true;
	net_timer_start(s->timer, 0, 0);
}

static void io_connect(void *ctx, const char *url)
{
	struct shard *s = ctx;
	struct discord *dc = s->dc;
	int err = 0;
	zstream_reset(s->z);
	if (!discord_url_allowed(url)) {
		log_error("refusing a plain-text gateway URL to a non-loopback host",
		          "shard=%d", s->id);
		report_connect_failed(s);
		return;
	}
	struct ws_connect_options o = {
		.url = url,
		.max_message_bytes = dc->compress ? WS_MAX_COMPRESSED : ZSTREAM_MAX_OUTPUT,
	};
	s->conn = ws_connect(dc->wsc, &o, &ws_cbs, s, &err);
	s->closed = s->conn == NULL;
	if (!s->conn) {
		log_warn("gateway connect could not start", "shard=%d err=%s", s->id, strerror(-err));
		report_connect_failed(s);
	}
}

static int io_send(void *ctx, const char *payload, size_t len)
{
	struct shard *s = ctx;
	if (!s->conn)
		return -ENOTCONN;
	int rc = ws_send_text(s->conn, payload, len);
	if (rc < 0)
		log_warn("gateway send failed", "shard=%d err=%s", s->id, strerror(-rc));
	return rc;
}

static void io_close(void *ctx, int code, const char *reason)
{
	struct shard *s = ctx;
	if (!s->conn) {
		report_connect_failed(s);
		return;
	}
	if (code == 0 || ws_close(s->conn, code, reason) < 0)
		ws_abort(s->conn);
}

static void shard_timer_cb(struct net_timer *t, void *data)
{
	struct shard *s = data;
	if (s->failed_pending) {
		s->failed_pending = false;
		gateway_on_close(s->gw, WS_CLOSE_ABNORMAL, false, now_ms(s->dc));
		return;
	}
	gateway_tick(s->gw, now_ms(s->dc));
}

static void io_schedule(void *ctx, int64_t at)
{
	struct shard *s = ctx;
	if (s->failed_pending) {
		net_timer_start(s->timer, 0, 0);  /* the failure report goes first */
		return;
	}
	if (at < 0) {
		net_timer_stop(s->timer);
		return;
	}
	int64_t now = now_ms(s->dc);
	net_timer_start(s->timer, (uint64_t)(at > now ? at - now : 0), 0);
}

static int64_t io_identify_permit(void *ctx, int shard_id, int64_t now)
{
	struct shard *s = ctx;
	return idgate_permit(&s->dc->idgate, shard_id, now, (int64_t)time(NULL));
}

static void io_dispatch(void *ctx, const char *type, const cJSON *d)
{
	struct shard *s = ctx;
	struct discord *dc = s->dc;
	if (strcmp(type, "MESSAGE_CREATE") == 0) {
		/* Replies remember which dispatch they answer, so a stop with
		 * replies unsent can save a seq that replays it. */
		struct gw_session sess;
		dc->cur_shard = s->id;
		dc->cur_seq = gateway_get_session(s->gw, &sess) ? sess.seq : 0;
		on_message_create(dc, d);
		dc->cur_seq = 0;
	} else if (strcmp(type, "INTERACTION_CREATE") == 0) {
		on_interaction_create(dc, d);
	} else if (strcmp(type, "READY") == 0) {
		struct dc_ready r;
		if (dc_parse_ready(d, &r) == 0) {
			snprintf(dc->self_id, sizeof(dc->self_id), "%s", r.user_id);
			if (!dc->app_id && r.application_id)
				dc->app_id = xstrdup(r.application_id);
		}
	}
	/* Everything else (GUILD_CREATE included) is dropped at once: the bot
	 * keeps no guild, member or message cache. */
}

static void io_ready(void *ctx, bool resumed)
{
	struct shard *s = ctx;
	struct discord *dc = s->dc;
	if (!dc->self_id[0] && !dc->me_fetching) {
		/* Resumed with no saved user id: mentions and self-checks need it. */
		dc->me_fetching = true;
		rest_enqueue(dc, REST_ME_GET, "GET", "GET /users/@me", "", NULL, "get bot user",
		             "/users/@me");
	}
	commands_sync(dc);
	/* Ready once every shard is, and again after each loss (host->lost):
	 * the host counts reconnects and /healthz turns green again. */
	if (!dc->up) {
		for (int i = 0; i < dc->nshards; i++)
			if (!dc->shards[i].gw || gateway_state(dc->shards[i].gw) != GW_READY)
				return;
		dc->up = true;
		tell_ready(dc);
	}
	(void)resumed;
}

static void io_progress(void *ctx)
{
	struct shard *s = ctx;
	if (s->dc->host->progress)
		s->dc->host->progress(s->dc->host->ctx, "discord");
}

static void io_fatal(void *ctx, int code, const char *message)
{
	struct shard *s = ctx;
	struct discord *dc = s->dc;
	if (dc->fatal)
		return;
	dc->fatal = true;
	char msg[512];
	snprintf(msg, sizeof(msg), "Discord gateway (shard %d): %s", s->id, message);
	tell_fatal(dc, msg);
}

static uint32_t io_random(void *ctx)
{
	struct shard *s = ctx;
	return dc_random(s->dc);
}

static const struct gateway_io gw_io_template = {
	NULL, io_connect, io_send, io_close, io_schedule, io_identify_permit,
	io_dispatch, io_ready, io_progress, io_fatal, io_random,
};

/* ---- websocket callbacks ------------------------------------------------ */

static void ws_on_open(struct ws_conn *c, void *data)
{
	struct shard *s = data;
	gateway_on_open(s->gw, now_ms(s->dc));
}

static void ws_on_message(struct ws_conn *c, const void *msg, size_t len, bool binary, void *data)
{
	struct shard *s = data;
	if (!s->dc->compress) {
		gateway_on_message(s->gw, msg, len, now_ms(s->dc));
		if (len > DISCORD_TRIM_BYTES)
			malloc_trim(0);
		return;
	}
	const char *out;
	size_t out_len;
	int rc = zstream_feed(s->z, msg, len, &out, &out_len);
	if (rc == 1) {
		gateway_on_message(s->gw, out, out_len, now_ms(s->dc));
		/* A huge payload (READY with thousands of guilds) leaves freed heap
		 * behind; hand it back so RSS does not grow with the guild count. */
		if (out_len > DISCORD_TRIM_BYTES)
			malloc_trim(0);
	} else if (rc < 0) {
		/* The shared dictionary is lost: this connection cannot go on, but
		 * the session can (a resume starts a new stream). */
		log_warn("gateway zlib stream broken, reconnecting", "shard=%d err=%s", s->id,
		         strerror(-rc));
		ws_abort(c);
	}
}

static void ws_on_close(struct ws_conn *c, const struct ws_close_info *info, void *data)
{
	struct shard *s = data;
	struct discord *dc = s->dc;
	ws_conn_free(c);
	s->conn = NULL;
	s->closed = true;
	if (dc->stopping) {
		bool all = true;
		for (int i = 0; i < dc->nshards; i++)
			all = all && dc->shards[i].closed;
		if (all && dc->stop_done) {
			void (*done)(void *) = dc->stop_done;
			dc->stop_done = NULL;
			net_timer_stop(dc->stop_timer);
			done(dc->stop_data);
		}
		return;
	}
	if (info->kind == WS_CLOSE_CONNECT_FAILED) {
		if (info->tls_refused && !dc->gw_tls_told) {
			dc->gw_tls_told = true;
			net_log_tls_refusal("discord", "discord", info->reason);
		} else {
			log_warn("discord gateway connect failed", "shard=%d detail=\"%s\"", s->id,
			         info->reason);
		}
	} else {
		dc->gw_tls_told = false;
	}
	gateway_on_close(s->gw, info->code, info->kind == WS_CLOSED_BY_PEER, now_ms(dc));
	/* One shard down is enough for the host to know at once (/healthz 503);
	 * ready comes again once every shard is back. */
	if (dc->up && gateway_state(s->gw) != GW_FATAL) {
		dc->up = false;
		if (dc->host->lost)
			dc->host->lost(dc->host->ctx, "discord",
			               gateway_reason_name(gateway_stats(s->gw)->last_reason));
	}
}

static const struct ws_callbacks ws_cbs = {ws_on_open, ws_on_message, ws_on_close};

/* ---- start-up ----------------------------------------------------------- */

static void boot_fetch(struct discord *dc)
{
	rest_enqueue(dc, REST_GATEWAY_BOT, "GET", "GET /gateway/bot", "", NULL, "get gateway",
	             "/gateway/bot");
}

static void boot_timer_cb(struct net_timer *t, void *data)
{
	boot_fetch(data);
}

static void boot_retry(struct discord *dc)
{
	if (dc->stopping || dc->fatal || ratelimit_stopped(dc->rl))
		return;
	int64_t delay = gateway_backoff_ms(++dc->boot_attempts, dc_random(dc));
	if (delay > GATEWAY_BOT_RETRY_CAP_MS)
		delay = GATEWAY_BOT_RETRY_CAP_MS;
	log_warn("discord: /gateway/bot failed, retrying", "delay_ms=%lld", (long long)delay);
	net_timer_start(dc->boot_timer, (uint64_t)delay, 0);
}

static void shards_start(struct discord *dc, const char *url, int recommended)
{
	int count = dc->cfg_shards > 0 ? dc->cfg_shards : (recommended > 0 ? recommended : 1);
	int first = dc->shard_first >= 0 ? dc->shard_first : 0;
	int last = dc->shard_last >= 0 ? dc->shard_last : count - 1;
	if (first > last || last >= count || count > 65536 || last - first + 1 > DISCORD_MAX_SHARDS) {
		char msg[256];
		snprintf(msg, sizeof(msg), "shard_ids %d-%d do not fit %d shards (set shards and "
		         "shard_ids in [discord])", first, last, count);
		dc->fatal = true;
		tell_fatal(dc, msg);
		return;
	}
	dc->shard_count = count;
	dc->nshards = last - first + 1;
	dc->shards = xcalloc((size_t)dc->nshards, sizeof(*dc->shards));
	uint32_t intents = DC_INTENT_GUILDS | DC_INTENT_GUILD_MESSAGES | DC_INTENT_DIRECT_MESSAGES;
	if (dc->message_content)
		intents |= DC_INTENT_MESSAGE_CONTENT;
	char presence[64];
	snprintf(presence, sizeof(presence), "%s help", dc->prefix);
	for (int i = 0; i < dc->nshards; i++) {
		struct shard *s = &dc->shards[i];
		s->dc = dc;
		s->id = first + i;
		s->z = zstream_new();
		s->timer = net_timer_new(dc->loop, shard_timer_cb, s);
		s->closed = true;
		struct gateway_io io = gw_io_template;
		io.ctx = s;
		struct gateway_config gc = {dc->token, intents, s->id, count, presence, url,
		                            dc->compress};
		s->gw = gateway_new(&gc, &io);
		if (!s->gw) {
			log_error("discord: invalid gateway configuration", "shard=%d", s->id);
			continue;
		}
		struct gw_session saved;
		struct state_ids ids;
		int rc = state_load_session(dc->state_dir, s->id, &saved, &ids, (int64_t)time(NULL));
		if (rc == 0) {
			if (!dc->self_id[0] && ids.user_id[0])
				snprintf(dc->self_id, sizeof(dc->self_id), "%s", ids.user_id);
			if (!dc->app_id && ids.application_id[0])
				dc->app_id = xstrdup(ids.application_id);
			log_info("discord: resuming the session saved at shutdown", "shard=%d seq=%lld",
			         s->id, (long long)saved.seq);
			gateway_set_session(s->gw, &saved);
		} else if (rc != -ENOENT) {
			log_info("discord: saved session not used", "shard=%d reason=%s", s->id,
			         strerror(-rc));
		}
	}
	log_info("discord: starting shards", "count=%d first=%d last=%d compress=%d", count, first,
	         last, dc->compress);
	for (int i = 0; i < dc->nshards; i++)
		if (dc->shards[i].gw)
			gateway_start(dc->shards[i].gw, now_ms(dc));
}

static void on_gateway_bot(struct discord *dc, const struct http_response *resp)
{
	cJSON *o = cJSON_ParseWithLength(resp->body, resp->body_len);
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(o, "url");
	const cJSON *shards = cJSON_GetObjectItemCaseSensitive(o, "shards");
	const cJSON *ssl = cJSON_GetObjectItemCaseSensitive(o, "session_start_limit");
	if (!cJSON_IsString(url) || strlen(url->valuestring) >= GW_URL_MAX
	    || !discord_url_allowed(url->valuestring)) {
		cJSON_Delete(o);
		log_warn("discord: /gateway/bot returned no usable url");
		boot_retry(dc);
		return;
	}
	if (dc->shards) {  /* a retry that raced a success */
		cJSON_Delete(o);
		return;
	}
	snprintf(dc->gateway_url, sizeof(dc->gateway_url), "%s", url->valuestring);
	/* gateway.mdx "Session Start Limit Object" */
	const cJSON *rem = cJSON_GetObjectItemCaseSensitive(ssl, "remaining");
	const cJSON *ra = cJSON_GetObjectItemCaseSensitive(ssl, "reset_after");
	const cJSON *mc = cJSON_GetObjectItemCaseSensitive(ssl, "max_concurrency");
	if (cJSON_IsNumber(rem) && cJSON_IsNumber(ra))
		idgate_set_remote(&dc->idgate, cJSON_IsNumber(mc) ? mc->valueint : 1, rem->valueint,
		                  (int64_t)ra->valuedouble, now_ms(dc));
	int recommended = cJSON_IsNumber(shards) && shards->valuedouble >= 1
	                          && shards->valuedouble <= 65536
	                  ? shards->valueint
	                  : 1;
	cJSON_Delete(o);
	dc->boot_attempts = 0;
	shards_start(dc, dc->gateway_url, recommended);
}

/* ---- public API --------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

struct discord *discord_new(struct net_loop *loop, const struct discord_config *cfg,
                            const struct adapter_host *host)
{
	const char *api = cfg->api_base && *cfg->api_base ? cfg->api_base : DISCORD_DEFAULT_API_BASE;
	if (!cfg->token || !*cfg->token || strpbrk(cfg->token, " \t\r\n")) {
		log_error("discord: no usable token configured");
		return NULL;
	}
	if (!discord_url_allowed(api) || strncmp(api, "ws", 2) == 0) {
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
	dc->token = xstrdup(cfg->token);
	size_t hl = strlen(cfg->token) + 32;
	dc->auth_header = xmalloc(hl);
	snprintf(dc->auth_header, hl, "Authorization: Bot %s", cfg->token);
	dc->app_id = dup_or_null(cfg->application_id);
	dc->prefix = xstrdup(cfg->prefix && *cfg->prefix ? cfg->prefix : DISCORD_DEFAULT_PREFIX);
	dc->api_base = xstrdup(api);
	size_t al = strlen(dc->api_base);
	while (al > 0 && dc->api_base[al - 1] == '/')
		dc->api_base[--al] = '\0';
	dc->state_dir = dup_or_null(cfg->state_dir);
	dc->commands_guild = dup_or_null(cfg->commands_guild);
	dc->ca_file = dup_or_null(cfg->ca_file);
	dc->message_content = cfg->message_content;
	dc->compress = cfg->compress;
	dc->register_commands = cfg->register_commands;
	dc->cfg_shards = cfg->shards;
	dc->shard_first = cfg->shard_first;
	dc->shard_last = cfg->shard_last;
	dc->rest_timeout_ms = cfg->rest_timeout_ms > 0 ? cfg->rest_timeout_ms
	                                               : DISCORD_REST_TIMEOUT_MS;
	dc->complete = cfg->complete;
	dc->complete_ctx = cfg->complete_ctx;
	if (getrandom(&dc->rng, sizeof(dc->rng), GRND_NONBLOCK) != sizeof(dc->rng))
		dc->rng = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)dc;
	dc->rng |= 1;
	struct cooldown_config cc = {cfg->cooldown_user_max, cfg->cooldown_window_ms,
	                             cfg->cooldown_channel_max, cfg->cooldown_window_ms};
	dc->cooldown = cooldown_new(&cc);
	dc->seen = seen_new();
	dc->rl = ratelimit_new();
	idgate_init(&dc->idgate, dc->state_dir, (int64_t)time(NULL));
	dc->http = http_client_new(loop, USER_AGENT);
	dc->wsc = ws_client_new(loop, dc->ca_file);
	dc->rest_timer = net_timer_new(loop, rest_timer_cb, dc);
	dc->boot_timer = net_timer_new(loop, boot_timer_cb, dc);
	if (!dc->http || !dc->wsc) {
		log_error("discord: cannot start the HTTP or websocket client");
		discord_free(dc);
		return NULL;
	}
	return dc;
}

int discord_start(struct discord *dc)
{
	if (dc->started)
		return -EALREADY;
	dc->started = true;
	boot_fetch(dc);
	return 0;
}

static void stop_timeout_cb(struct net_timer *t, void *data)
{
	struct discord *dc = data;
	if (dc->stop_done) {
		void (*done)(void *) = dc->stop_done;
		dc->stop_done = NULL;
		for (int i = 0; i < dc->nshards; i++)
			if (!dc->shards[i].closed) {
				log_warn("discord: close handshake did not finish in time");
				break;
			}
		done(dc->stop_data);
	}
}

void discord_stop(struct discord *dc, void (*done)(void *data), void *data)
{
	if (dc->stopping)
		return;
	dc->stopping = true;
	dc->stop_done = done;
	dc->stop_data = data;
	net_timer_stop(dc->boot_timer);
	net_timer_stop(dc->rest_timer);
	/* Answers not yet sent are dropped, and said so; the session saved below
	 * is rewound to just before the oldest question they answer, so the
	 * resume replays it and the restarted bot answers it (its nonce makes a
	 * second copy of an answer that did go out impossible). */
	int64_t *replay = xcalloc((size_t)(dc->nshards > 0 ? dc->nshards : 1), sizeof(*replay));
	for (struct rest_req *q = dc->queue_head; q; q = q->next)
		for (int i = 0; i < dc->nshards; i++)
			if (q->seq > 0 && dc->shards[i].id == q->shard &&
			    (replay[i] == 0 || q->seq < replay[i]))
				replay[i] = q->seq;
	if (dc->queue_len)
		log_warn("discord: stopping with requests unsent", "count=%zu", dc->queue_len);
	while (dc->queue_head) {
		struct rest_req *r = dc->queue_head;
		if (r->inflight)
			http_request_cancel(dc->http, r->http_id);
		rest_unlink(dc, r);
		rest_free(r);
	}
	bool any_open = false;
	int64_t now = now_ms(dc);
	for (int i = 0; i < dc->nshards; i++) {
		struct shard *s = &dc->shards[i];
		if (!s->gw)
			continue;
		struct gw_session sess;
		struct state_ids ids = {{0}, {0}};
		snprintf(ids.user_id, sizeof(ids.user_id), "%s", dc->self_id);
		snprintf(ids.application_id, sizeof(ids.application_id), "%s",
		         dc->app_id ? dc->app_id : "");
		if (gateway_get_session(s->gw, &sess) && dc->state_dir && !dc->fatal) {
			if (replay[i] > 0 && replay[i] - 1 < sess.seq) {
				log_notice("discord: saving an earlier seq so unsent replies are replayed",
				           "shard=%d seq=%lld was=%lld", s->id, (long long)(replay[i] - 1),
				           (long long)sess.seq);
				sess.seq = replay[i] - 1;
			}
			int rc = state_save_session(dc->state_dir, s->id, &sess, &ids,
			                            (int64_t)time(NULL));
			if (rc < 0)
				log_error("discord: cannot save the session", "shard=%d err=%s", s->id,
				          strerror(-rc));
			else
				log_info("discord: session saved for a resume", "shard=%d seq=%lld", s->id,
				         (long long)sess.seq);
		}
		gateway_stop(s->gw, now);
		net_timer_stop(s->timer);
		if (s->conn)
			any_open = true;
	}
	free(replay);
	/* done runs from a timer the adapter owns, never a deferred call that
	 * could outlive discord_free. */
	dc->stop_timer = net_timer_new(dc->loop, stop_timeout_cb, dc);
	net_timer_start(dc->stop_timer, any_open ? DISCORD_STOP_TIMEOUT_MS : 0, 0);
}

void discord_free(struct discord *dc)
{
	if (!dc)
		return;
	while (dc->queue_head) {
		struct rest_req *r = dc->queue_head;
		rest_unlink(dc, r);
		rest_free(r);
	}
	for (int i = 0; i < dc->nshards; i++) {
		struct shard *s = &dc->shards[i];
		ws_conn_free(s->conn);
		net_timer_free(s->timer);
		zstream_free(s->z);
		gateway_free(s->gw);
	}
	free(dc->shards);
	http_client_free(dc->http);
	ws_client_free(dc->wsc);
	net_timer_free(dc->rest_timer);
	net_timer_free(dc->boot_timer);
	net_timer_free(dc->stop_timer);
	ratelimit_free(dc->rl);
	cooldown_free(dc->cooldown);
	seen_free(dc->seen);
	if (dc->token) {
		explicit_bzero(dc->token, strlen(dc->token));
		explicit_bzero(dc->auth_header, strlen(dc->auth_header));
	}
	free(dc->token);
	free(dc->auth_header);
	free(dc->app_id);
	free(dc->prefix);
	free(dc->api_base);
	free(dc->state_dir);
	free(dc->commands_guild);
	free(dc->ca_file);
	free(dc);
}

size_t discord_status(const struct discord *dc, char *out, size_t size)
{
	size_t used = 0;
	int n = snprintf(out, size, "discord: shards=%d/%d answered=%llu failures=%llu queue=%zu",
	                 dc->nshards, dc->shard_count, (unsigned long long)dc->answered,
	                 (unsigned long long)dc->send_failures, dc->queue_len);
	if (n < 0)
		return 0;
	used = (size_t)n < size ? (size_t)n : size;
	for (int i = 0; i < dc->nshards && used < size; i++) {
		const struct shard *s = &dc->shards[i];
		if (!s->gw)
			continue;
		const struct gw_stats *st = gateway_stats(s->gw);
		n = snprintf(out + used, size - used,
		             " [%d %s resumes=%llu identifies=%llu beat_late_max_ms=%lld]", s->id,
		             gateway_state_name(gateway_state(s->gw)), (unsigned long long)st->resumes,
		             (unsigned long long)st->identifies, (long long)st->beat_delay_max_ms);
		if (n < 0)
			break;
		used += (size_t)n < size - used ? (size_t)n : size - used;
	}
	return used;
}

void discord_get_stats(const struct discord *dc, struct discord_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->shards = dc->nshards;
	out->shard_count = dc->shard_count;
	out->ack_latency_last_ms = -1;
	out->ack_latency_max_ms = -1;
	int64_t newest_ack = -1;
	for (int i = 0; i < dc->nshards; i++) {
		const struct shard *s = &dc->shards[i];
		if (!s->gw)
			continue;
		const struct gw_stats *st = gateway_stats(s->gw);
		if (gateway_state(s->gw) == GW_READY)
			out->shards_ready++;
		for (int k = 0; k < GW_REASON_COUNT; k++) {
			out->reconnects[k] += st->reconnects_by[k];
			out->resumes[k] += st->resumes_by[k];
		}
		out->identifies += st->identifies;
		if (st->ack_latency_max_ms > out->ack_latency_max_ms)
			out->ack_latency_max_ms = st->ack_latency_max_ms;
		if (st->last_ack_ms > newest_ack && st->ack_latency_last_ms >= 0) {
			newest_ack = st->last_ack_ms;
			out->ack_latency_last_ms = st->ack_latency_last_ms;
		}
	}
	out->identifies_today = idgate_count(&dc->idgate, (int64_t)time(NULL));
	out->ratelimit_waits = dc->rl_waits;
	out->ratelimit_wait_ms = dc->rl_wait_ms;
	/* Requests waiting right now count with their wait so far. */
	int64_t now = now_ms(dc);
	for (const struct rest_req *r = dc->queue_head; r; r = r->next)
		if (r->rl_wait_since >= 0)
			out->ratelimit_wait_ms += now - r->rl_wait_since;
	out->http_429_global = dc->http_429_global;
	out->http_429_route = dc->http_429_route;
	memcpy(out->rest_errors, dc->rest_errors, sizeof(out->rest_errors));
	out->answered = dc->answered;
	out->send_failures = dc->send_failures;
}
