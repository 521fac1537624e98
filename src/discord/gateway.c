/* gateway.c: one shard's gateway session state machine; owns its session and
 * timers' deadlines, and must not do I/O, read a clock or touch another shard. */
#include "discord/gateway.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discord/codec.h"
#include "util/log.h"
#include "util/xalloc.h"

struct gateway {
	struct gateway_config cfg;
	char url[GW_URL_MAX];          /* cached GET /gateway/bot URL */
	char presence[GW_PRESENCE_MAX];
	struct gateway_io io;
	enum gw_state state;

	bool has_session;
	struct gw_session session;
	bool has_seq;                  /* a dispatch s arrived on this session */

	/* What to do when the current connection ends, if we decided it. */
	bool pending;
	enum gw_close_action pending_action;
	int64_t pending_delay_ms;      /* -1: use backoff */
	enum gw_reason pending_reason;
	enum gw_reason resume_reason;  /* why the connection this resume follows ended */

	bool resuming;                 /* this connection is meant to resume */
	unsigned attempts;             /* consecutive failed connections */
	unsigned resume_fails;
	unsigned connect_fails;        /* consecutive connections that never opened */

	int64_t interval_ms;
	int64_t next_beat;             /* -1 when not beating */
	bool acked;
	bool rx_since_beat;            /* a payload arrived since the last beat went out */
	unsigned beats_unacked;        /* beats in a row sent with the previous ACK missing */
	int64_t dispatch_progress_at;  /* when a dispatch last counted as progress; -1 never */
	int64_t connect_at;            /* GW_BACKOFF: when to connect */
	int64_t identify_at;           /* GW_WAIT_IDENTIFY: when to ask again */
	int64_t deadline;              /* hello / handshake timeout; -1 none */

	/* Send times in the window: every payload, and the non-heartbeat ones
	 * alone. Heartbeats have their reserved slots, so only the others are
	 * held to the budget; counting beats against it let a short heartbeat
	 * interval starve identify for good. */
	struct send_ring {
		int64_t t[GW_SEND_LIMIT];
		unsigned head, n;
	} all_sends, other_sends;
	int64_t beat_sent_at;          /* the unanswered heartbeat's send time; -1 none */

	struct gw_stats stats;
};

static const struct {
	int code;
	enum gw_close_action action;
	const char *what;
} close_table[] = {
	/* opcodes-and-status-codes.mdx "Gateway Close Event Codes" */
	{4000, GW_ACTION_RESUME, "unknown error"},
	{4001, GW_ACTION_RESUME, "unknown opcode sent"},
	{4002, GW_ACTION_RESUME, "decode error (payload rejected)"},
	{4003, GW_ACTION_RESUME, "not authenticated"},
	{4004, GW_ACTION_FATAL,
	 "authentication failed (close 4004): Discord rejected the bot token; set a valid "
	 "token or token_file in [discord] (the token may have been reset in the developer portal)"},
	{4005, GW_ACTION_RESUME, "already authenticated"},
	{4006, GW_ACTION_REIDENTIFY, "session no longer valid"},
	{4007, GW_ACTION_REIDENTIFY, "invalid seq when resuming: starting a new session"},
	{4008, GW_ACTION_RESUME, "rate limited: sending too fast"},
	{4009, GW_ACTION_REIDENTIFY, "session timed out: starting a new session"},
	{4010, GW_ACTION_FATAL,
	 "invalid shard (close 4010): shard_ids must lie below the shard count in [discord]"},
	{4011, GW_ACTION_FATAL,
	 "sharding required (close 4011): the bot is in too many guilds for its shard count; "
	 "set shards = auto or a larger count in [discord]"},
	{4012, GW_ACTION_FATAL, "invalid API version (close 4012): this scobot speaks gateway v10"},
	{4013, GW_ACTION_FATAL, "invalid intents (close 4013): the intents bitfield was refused"},
	{4014, GW_ACTION_FATAL,
	 "disallowed intents (close 4014): enable the MESSAGE CONTENT privileged intent for this "
	 "bot in the Discord Developer Portal (Bot page, Privileged Gateway Intents), or set "
	 "message_content = false in [discord] to use slash commands, mentions and DMs only"},
};

enum gw_close_action gateway_close_action(int code, const char **ret_what)
{
	for (size_t i = 0; i < sizeof(close_table) / sizeof(close_table[0]); i++)
		if (close_table[i].code == code) {
			if (ret_what)
				*ret_what = close_table[i].what;
			return close_table[i].action;
		}
	/* Everything else, 1000/1001 from the server and a missing code
	 * included, is worth a resume (gateway.mdx "Resuming": "disconnected but
	 * doesn't receive any close code"); a dead session answers with op 9. */
	if (ret_what)
		*ret_what = "connection closed";
	return GW_ACTION_RESUME;
}

static const char *const state_names[] = {
	[GW_IDLE] = "idle", [GW_BACKOFF] = "backoff", [GW_CONNECTING] = "connecting",
	[GW_WAIT_HELLO] = "wait-hello", [GW_WAIT_IDENTIFY] = "wait-identify",
	[GW_IDENTIFYING] = "identifying", [GW_RESUMING] = "resuming", [GW_READY] = "ready",
	[GW_CLOSING] = "closing", [GW_STOPPED] = "stopped", [GW_FATAL] = "fatal",
};

static const char *const reason_names[GW_REASON_COUNT] = {
	[GW_REASON_RECONNECT] = "op7_reconnect",
	[GW_REASON_INVALID_SESSION] = "op9_invalid_session",
	[GW_REASON_ZOMBIE] = "zombie",
	[GW_REASON_DROP] = "drop",
	[GW_REASON_CLOSE_RESUME] = "close_resumable",
	[GW_REASON_CLOSE_REIDENTIFY] = "close_session_invalid",
	[GW_REASON_TIMEOUT] = "timeout",
	[GW_REASON_OTHER] = "other",
};

const char *gateway_reason_name(enum gw_reason r)
{
	return (unsigned)r < GW_REASON_COUNT ? reason_names[r] : "other";
}

const char *gateway_state_name(enum gw_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

int gateway_send_budget(int64_t interval_ms)
{
	if (interval_ms <= 0)
		interval_ms = 1000;
	int64_t reserve = (GW_SEND_WINDOW_MS + interval_ms - 1) / interval_ms + 1;
	if (reserve > GW_SEND_LIMIT - 5)
		reserve = GW_SEND_LIMIT - 5;
	return GW_SEND_LIMIT - (int)reserve;
}

int64_t gateway_backoff_ms(unsigned attempt, uint32_t r)
{
	double frac = (double)r / 4294967296.0;
	if (attempt == 0)
		return (int64_t)(frac * 250.0);
	int64_t base = GW_BACKOFF_BASE_MS;
	for (unsigned i = 1; i < attempt && base < GW_BACKOFF_CAP_MS; i++)
		base *= 2;
	if (base > GW_BACKOFF_CAP_MS)
		base = GW_BACKOFF_CAP_MS;
	/* Full jitter in [base/2, base): shards and processes spread out. */
	return base / 2 + (int64_t)(frac * (double)(base / 2));
}

int gateway_url(const char *base, bool compress, char *out, size_t size)
{
	const char *sep = strstr(base ? base : "", "://");
	if (!base || (strncmp(base, "ws://", 5) != 0 && strncmp(base, "wss://", 6) != 0) || !sep)
		return -EINVAL;
	const char *query = "v=10&encoding=json";
	const char *z = compress ? "&compress=zlib-stream" : "";
	const char *join;
	if (strchr(sep + 3, '?'))
		join = "&";
	else if (strchr(sep + 3, '/'))
		join = "?";
	else
		join = "/?";
	int n = snprintf(out, size, "%s%s%s%s", base, join, query, z);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

struct gateway *gateway_new(const struct gateway_config *cfg, const struct gateway_io *io)
{
	if (!cfg->token || !cfg->url || cfg->shard_count < 1 || cfg->shard_id < 0
	    || cfg->shard_id >= cfg->shard_count || strlen(cfg->url) >= GW_URL_MAX)
		return NULL;
	struct gateway *gw = xcalloc(1, sizeof(*gw));
	gw->cfg = *cfg;
	snprintf(gw->url, sizeof(gw->url), "%s", cfg->url);
	gw->cfg.url = gw->url;
	if (cfg->presence) {
		snprintf(gw->presence, sizeof(gw->presence), "%s", cfg->presence);
		gw->cfg.presence = gw->presence;
	}
	gw->io = *io;
	gw->state = GW_IDLE;
	gw->next_beat = -1;
	gw->deadline = -1;
	gw->dispatch_progress_at = -1;
	gw->stats.last_ack_ms = -1;
	gw->stats.ack_latency_last_ms = -1;
	gw->stats.ack_latency_max_ms = -1;
	gw->stats.last_reason = GW_REASON_OTHER;
	gw->beat_sent_at = -1;
	return gw;
}

void gateway_free(struct gateway *gw)
{
	free(gw);
}

void gateway_set_session(struct gateway *gw, const struct gw_session *s)
{
	if (!s->session_id[0] || !s->resume_url[0] || s->seq < 0)
		return;
	gw->session = *s;
	gw->session.session_id[GW_SESSION_ID_MAX - 1] = '\0';
	gw->session.resume_url[GW_URL_MAX - 1] = '\0';
	gw->has_session = true;
	gw->has_seq = true;
}

bool gateway_get_session(const struct gateway *gw, struct gw_session *ret)
{
	if (!gw->has_session)
		return false;
	*ret = gw->session;
	return true;
}

enum gw_state gateway_state(const struct gateway *gw)
{
	return gw->state;
}

const struct gw_stats *gateway_stats(const struct gateway *gw)
{
	return &gw->stats;
}

int gateway_shard_id(const struct gateway *gw)
{
	return gw->cfg.shard_id;
}

static void reschedule(struct gateway *gw)
{
	int64_t at = -1;
#define EARLIEST(t) do { if ((t) >= 0 && (at < 0 || (t) < at)) at = (t); } while (0)
	switch (gw->state) {
	case GW_BACKOFF:
		EARLIEST(gw->connect_at);
		break;
	case GW_WAIT_IDENTIFY:
		EARLIEST(gw->identify_at);
		break;
	default:
		break;
	}
	EARLIEST(gw->next_beat);
	EARLIEST(gw->deadline);
#undef EARLIEST
	gw->io.schedule(gw->io.ctx, at);
}

/* Forgets the sends that left the window. */
static void ring_expire(struct send_ring *r, int64_t now)
{
	while (r->n > 0) {
		unsigned tail = (r->head + GW_SEND_LIMIT - r->n) % GW_SEND_LIMIT;
		if (now - r->t[tail] < GW_SEND_WINDOW_MS)
			break;
		r->n--;
	}
}

static void ring_add(struct send_ring *r, int64_t now)
{
	r->t[r->head] = now;
	r->head = (r->head + 1) % GW_SEND_LIMIT;
	if (r->n < GW_SEND_LIMIT)
		r->n++;
}

/* ms until fewer than `below` sends are in the ring's window (0: now). */
static int64_t ring_wait(const struct send_ring *r, unsigned below, int64_t now)
{
	if (r->n < below)
		return 0;
	/* The oldest entries must age out until n < below. */
	unsigned drop = r->n - below + 1;
	unsigned idx = (r->head + GW_SEND_LIMIT - r->n + drop - 1) % GW_SEND_LIMIT;
	int64_t wait = r->t[idx] + GW_SEND_WINDOW_MS - now;
	return wait > 0 ? wait : 1;
}

/* gateway.mdx "Rate Limiting": 120 payloads per 60 s in all. Heartbeats may
 * use every slot; other payloads stay within the budget that leaves the
 * heartbeats theirs, and leave one slot free for the next beat. */
static bool send_allowed(struct gateway *gw, bool heartbeat, int64_t now)
{
	ring_expire(&gw->all_sends, now);
	ring_expire(&gw->other_sends, now);
	if (heartbeat)
		return gw->all_sends.n < GW_SEND_LIMIT;
	return (int)gw->other_sends.n < gateway_send_budget(gw->interval_ms)
	       && gw->all_sends.n < GW_SEND_LIMIT - 1;
}

/* ms until a non-heartbeat send fits in the window again. */
static int64_t send_wait(struct gateway *gw, int64_t now)
{
	if (send_allowed(gw, false, now))
		return 0;
	int64_t a = ring_wait(&gw->other_sends, (unsigned)gateway_send_budget(gw->interval_ms), now);
	int64_t b = ring_wait(&gw->all_sends, GW_SEND_LIMIT - 1, now);
	return a > b ? a : b;
}

static int gw_send(struct gateway *gw, char *payload, bool heartbeat, int64_t now)
{
	if (!payload)
		return -EINVAL;
	size_t len = strlen(payload);
	int rc;
	if (len > DC_GATEWAY_MAX_SEND) {
		log_error("gateway payload over 4096 bytes not sent", "shard=%d bytes=%zu",
		          gw->cfg.shard_id, len);
		rc = -EMSGSIZE;
	} else if (!send_allowed(gw, heartbeat, now)) {
		log_warn("gateway send limit reached, payload deferred", "shard=%d",
		         gw->cfg.shard_id);
		gw->stats.sends_deferred++;
		rc = -EAGAIN;
	} else {
		rc = gw->io.send(gw->io.ctx, payload, len);
		if (rc >= 0) {
			ring_add(&gw->all_sends, now);
			if (!heartbeat)
				ring_add(&gw->other_sends, now);
		}
	}
	free(payload);
	return rc;
}

/* Ends the current connection and records what comes after it. */
static void close_with(struct gateway *gw, int code, const char *reason,
                       enum gw_close_action then, int64_t delay_ms, enum gw_reason why)
{
	gw->pending = true;
	gw->pending_reason = why;
	gw->pending_action = then;
	gw->pending_delay_ms = delay_ms;
	gw->state = GW_CLOSING;
	gw->next_beat = -1;
	gw->deadline = -1;
	gw->io.close(gw->io.ctx, code, reason);
	reschedule(gw);
}

static void connect_now(struct gateway *gw, int64_t now)
{
	char url[GW_URL_MAX + 64];
	gw->resuming = gw->has_session;
	const char *base = gw->resuming ? gw->session.resume_url : gw->url;
	if (gateway_url(base, gw->cfg.compress, url, sizeof(url)) < 0) {
		/* A resume URL we cannot use: fall back to a new session. */
		log_warn("unusable gateway URL, identifying on the cached one", "shard=%d",
		         gw->cfg.shard_id);
		gw->has_session = false;
		gw->resuming = false;
		if (gateway_url(gw->url, gw->cfg.compress, url, sizeof(url)) < 0) {
			gw->state = GW_FATAL;
			gw->io.fatal(gw->io.ctx, 0, "the gateway URL is not a ws:// or wss:// URL");
			return;
		}
	}
	gw->state = GW_CONNECTING;
	gw->deadline = now + GW_HELLO_TIMEOUT_MS + 15000;  /* connect + hello */
	gw->io.connect(gw->io.ctx, url);
	reschedule(gw);
}

void gateway_start(struct gateway *gw, int64_t now)
{
	if (gw->state != GW_IDLE)
		return;
	connect_now(gw, now);
}

void gateway_on_open(struct gateway *gw, int64_t now)
{
	if (gw->state != GW_CONNECTING)
		return;
	gw->state = GW_WAIT_HELLO;
	gw->connect_fails = 0;
	gw->all_sends.n = 0;
	gw->other_sends.n = 0;
	gw->beat_sent_at = -1;
	gw->deadline = now + GW_HELLO_TIMEOUT_MS;
	reschedule(gw);
}

static void try_identify(struct gateway *gw, int64_t now)
{
	int64_t wait = send_wait(gw, now);
	if (wait == 0) {
		wait = gw->io.identify_permit(gw->io.ctx, gw->cfg.shard_id, now);
		if (wait < 0) {
			/* The permit owner logged why (daily budget); stay connected
			 * without a session would fail the heartbeat timeout, so wait. */
			wait = 60000;
		}
	}
	if (wait > 0) {
		gw->state = GW_WAIT_IDENTIFY;
		gw->identify_at = now + wait;
		gw->deadline = -1;
		reschedule(gw);
		return;
	}
	struct dc_identify id = {gw->cfg.token, gw->cfg.intents, gw->cfg.shard_id,
	                         gw->cfg.shard_count, gw->cfg.presence};
	gw->has_seq = false;
	gw->session.seq = 0;
	if (gw_send(gw, dc_build_identify(&id), false, now) < 0) {
		close_with(gw, GW_CLOSE_RESUMABLE, "identify failed", GW_ACTION_REIDENTIFY, -1,
		           GW_REASON_OTHER);
		return;
	}
	gw->stats.identifies++;
	gw->state = GW_IDENTIFYING;
	gw->deadline = now + GW_HANDSHAKE_TIMEOUT_MS;
	log_info("gateway identifying", "shard=%d/%d", gw->cfg.shard_id, gw->cfg.shard_count);
	reschedule(gw);
}

static void send_heartbeat(struct gateway *gw, int64_t now)
{
	if (gw_send(gw, dc_build_heartbeat(gw->has_seq, gw->session.seq), true, now) == 0) {
		gw->stats.heartbeats++;
		/* The oldest unanswered beat: the next ACK answers that one. */
		if (gw->beat_sent_at < 0)
			gw->beat_sent_at = now;
	}
}

static void on_hello(struct gateway *gw, const cJSON *d, int64_t now)
{
	int64_t iv;
	if (gw->state != GW_WAIT_HELLO)
		return;
	if (dc_parse_hello(d, &iv) < 0) {
		log_warn("gateway Hello without a valid heartbeat_interval", "shard=%d",
		         gw->cfg.shard_id);
		close_with(gw, GW_CLOSE_RESUMABLE, "bad hello", GW_ACTION_RESUME, -1, GW_REASON_OTHER);
		return;
	}
	gw->interval_ms = iv;
	gw->stats.heartbeat_interval_ms = iv;
	gw->acked = true;
	gw->beats_unacked = 0;
	/* gateway.mdx "Heartbeat Interval": the first beat after interval *
	 * jitter, jitter uniform in [0, 1). */
	double jitter = (double)gw->io.random(gw->io.ctx) / 4294967296.0;
	gw->next_beat = now + (int64_t)((double)iv * jitter);
	gw->deadline = -1;
	if (gw->resuming && gw->has_session) {
		char *p = dc_build_resume(gw->cfg.token, gw->session.session_id,
		                          gw->has_seq ? gw->session.seq : 0);
		if (gw_send(gw, p, false, now) < 0) {
			close_with(gw, GW_CLOSE_RESUMABLE, "resume failed", GW_ACTION_RESUME, -1,
			           GW_REASON_OTHER);
			return;
		}
		gw->stats.resumes++;
		gw->state = GW_RESUMING;
		gw->deadline = now + GW_HANDSHAKE_TIMEOUT_MS;
		log_info("gateway resuming", "shard=%d seq=%lld", gw->cfg.shard_id,
		         (long long)gw->session.seq);
		reschedule(gw);
		return;
	}
	try_identify(gw, now);
}

static void on_ready(struct gateway *gw, const cJSON *d)
{
	struct dc_ready r;
	if (dc_parse_ready(d, &r) < 0 || strlen(r.resume_gateway_url) >= GW_URL_MAX) {
		log_warn("gateway READY without session_id/resume_gateway_url/user", "shard=%d",
		         gw->cfg.shard_id);
		return;
	}
	snprintf(gw->session.session_id, sizeof(gw->session.session_id), "%s", r.session_id);
	snprintf(gw->session.resume_url, sizeof(gw->session.resume_url), "%s",
	         r.resume_gateway_url);
	gw->has_session = true;
	gw->state = GW_READY;
	gw->deadline = -1;
	gw->attempts = 0;
	gw->resume_fails = 0;
	log_info("gateway ready", "shard=%d guilds=%zu", gw->cfg.shard_id, r.guild_count);
}

void gateway_on_message(struct gateway *gw, const char *json, size_t len, int64_t now)
{
	struct dc_payload p;
	if (gw->state == GW_CLOSING || gw->state == GW_STOPPED || gw->state == GW_FATAL
	    || gw->state == GW_BACKOFF || gw->state == GW_IDLE)
		return;
	/* Whatever it says, a payload is the connection delivering (see the
	 * zombie check in gateway_tick). */
	gw->rx_since_beat = true;
	if (dc_payload_parse(json, len, &p) < 0) {
		/* Tolerant: one bad payload is dropped, the session goes on. */
		log_warn("gateway payload is not valid JSON, ignored", "shard=%d bytes=%zu",
		         gw->cfg.shard_id, len);
		return;
	}
	switch (p.op) {
	case DC_OP_HELLO:
		on_hello(gw, p.d, now);
		break;
	case DC_OP_HEARTBEAT:
		/* gateway.mdx "Heartbeat Requests": answer at once. */
		send_heartbeat(gw, now);
		break;
	case DC_OP_HEARTBEAT_ACK:
		gw->acked = true;
		gw->beats_unacked = 0;
		gw->stats.acks++;
		gw->stats.last_ack_ms = now;
		if (gw->beat_sent_at >= 0) {
			int64_t lat = now - gw->beat_sent_at;
			gw->stats.ack_latency_last_ms = lat;
			if (lat > gw->stats.ack_latency_max_ms)
				gw->stats.ack_latency_max_ms = lat;
			gw->beat_sent_at = -1;
		}
		gw->io.progress(gw->io.ctx);
		break;
	case DC_OP_RECONNECT:
		log_info("gateway asked to reconnect (op 7)", "shard=%d", gw->cfg.shard_id);
		close_with(gw, GW_CLOSE_RESUMABLE, "reconnect requested", GW_ACTION_RESUME, 0,
		           GW_REASON_RECONNECT);
		break;
	case DC_OP_INVALID_SESSION:
		if (dc_parse_invalid_session(p.d) && gw->has_session) {
			log_info("gateway session invalid but resumable (op 9 true)", "shard=%d",
			         gw->cfg.shard_id);
			close_with(gw, GW_CLOSE_RESUMABLE, "invalid session", GW_ACTION_RESUME, -1,
			           GW_REASON_INVALID_SESSION);
		} else {
			/* gateway-events.mdx "Invalid Session": wait a random 1-5 s, then
			 * identify anew. */
			int64_t delay = 1000 + (int64_t)(gw->io.random(gw->io.ctx) % 4001u);
			log_info("gateway session invalid (op 9 false), identifying again",
			         "shard=%d delay_ms=%lld", gw->cfg.shard_id, (long long)delay);
			close_with(gw, GW_CLOSE_RESUMABLE, "invalid session", GW_ACTION_REIDENTIFY, delay,
			           GW_REASON_INVALID_SESSION);
		}
		break;
	case DC_OP_DISPATCH:
		if (p.has_seq) {
			gw->session.seq = p.seq;
			gw->has_seq = true;
		}
		gw->stats.dispatches++;
		/* While ACKs queue behind a burst, the events are the proof of life:
		 * without this a long backlog could read as a stall to the health
		 * check. Once a second is enough for it. */
		if (gw->state == GW_READY &&
		    (gw->dispatch_progress_at < 0 || now - gw->dispatch_progress_at >= 1000)) {
			gw->dispatch_progress_at = now;
			gw->io.progress(gw->io.ctx);
		}
		int became_ready = -1;  /* 0: READY, 1: RESUMED */
		if (strcmp(p.t, "READY") == 0) {
			on_ready(gw, p.d);
			if (gw->state == GW_READY)
				became_ready = 0;
		} else if (strcmp(p.t, "RESUMED") == 0 && gw->state == GW_RESUMING) {
			gw->state = GW_READY;
			gw->deadline = -1;
			gw->attempts = 0;
			gw->resume_fails = 0;
			gw->stats.resumes_by[gw->resume_reason]++;
			log_info("gateway resumed", "shard=%d seq=%lld", gw->cfg.shard_id,
			         (long long)gw->session.seq);
			became_ready = 1;
		}
		/* The event first (READY carries the ids the adapter needs), then
		 * the news that the shard is ready. */
		if (p.t[0])
			gw->io.dispatch(gw->io.ctx, p.t, p.d);
		if (became_ready >= 0)
			gw->io.ready(gw->io.ctx, became_ready == 1);
		break;
	default:
		break;  /* unknown opcodes are ignored */
	}
	dc_payload_free(&p);
	if (gw->state != GW_CLOSING)
		reschedule(gw);
}

void gateway_on_close(struct gateway *gw, int code, bool by_peer, int64_t now)
{
	enum gw_close_action action;
	int64_t delay = -1;
	const char *what = NULL;
	enum gw_reason why;
	gw->next_beat = -1;
	gw->deadline = -1;
	if (gw->state == GW_STOPPED || gw->state == GW_FATAL || gw->state == GW_IDLE)
		return;
	bool was_resuming = gw->resuming && gw->state != GW_READY;
	bool never_opened = gw->state == GW_CONNECTING;
	if (by_peer) {
		/* The server's code wins over what we had planned: a fatal code
		 * must stop us even while we were closing. */
		action = gateway_close_action(code, &what);
		why = action == GW_ACTION_REIDENTIFY ? GW_REASON_CLOSE_REIDENTIFY
		                                     : GW_REASON_CLOSE_RESUME;
		if (gw->pending && action != GW_ACTION_FATAL) {
			action = gw->pending_action;
			delay = gw->pending_delay_ms;
			why = gw->pending_reason;
		}
	} else if (gw->pending) {
		action = gw->pending_action;
		delay = gw->pending_delay_ms;
		why = gw->pending_reason;
		what = "closed by us";
	} else {
		action = GW_ACTION_RESUME;
		why = GW_REASON_DROP;
		what = never_opened ? "connect failed" : "connection dropped";
	}
	gw->beat_sent_at = -1;
	gw->pending = false;
	if (action == GW_ACTION_FATAL) {
		gw->state = GW_FATAL;
		log_error("discord gateway stopped for good", "shard=%d code=%d reason=\"%s\"",
		          gw->cfg.shard_id, code, what);
		gw->io.schedule(gw->io.ctx, -1);
		gw->io.fatal(gw->io.ctx, code, what);
		return;
	}
	log_info("gateway disconnected", "shard=%d code=%d by_peer=%d what=\"%s\"",
	         gw->cfg.shard_id, code, by_peer, what ? what : "");
	if (action == GW_ACTION_REIDENTIFY)
		gw->has_session = false;
	if (was_resuming && gw->has_session && action == GW_ACTION_RESUME
	    && ++gw->resume_fails >= GW_RESUME_FAILS_MAX) {
		/* gateway.mdx "Handling a Disconnect": when the reconnect fails,
		 * open a new connection on the cached URL and identify. */
		log_warn("gateway resume keeps failing, identifying anew", "shard=%d fails=%u",
		         gw->cfg.shard_id, gw->resume_fails);
		gw->has_session = false;
		gw->resume_fails = 0;
	}
	if (delay < 0)
		delay = gateway_backoff_ms(gw->attempts, gw->io.random(gw->io.ctx));
	if (gw->attempts < 30)
		gw->attempts++;
	gw->stats.reconnects++;
	gw->stats.reconnects_by[why]++;
	/* A connection that never opened is a retry: the resume that follows is
	 * still for the loss that started it. */
	if (!never_opened)
		gw->resume_reason = why;
	else
		gw->connect_fails++;
	gw->stats.last_reason = why;
	gw->state = GW_BACKOFF;
	gw->connect_at = now + delay;
	reschedule(gw);
}

void gateway_tick(struct gateway *gw, int64_t now)
{
	switch (gw->state) {
	case GW_BACKOFF:
		if (now >= gw->connect_at) {
			connect_now(gw, now);
			return;
		}
		break;
	case GW_WAIT_IDENTIFY:
		if (now >= gw->identify_at)
			try_identify(gw, now);
		break;
	default:
		break;
	}
	if (gw->deadline >= 0 && now >= gw->deadline) {
		log_warn("gateway handshake timed out", "shard=%d state=%s", gw->cfg.shard_id,
		         gateway_state_name(gw->state));
		if (gw->state == GW_CONNECTING)
			close_with(gw, 0, "connect timeout", GW_ACTION_RESUME, -1, GW_REASON_TIMEOUT);
		else
			close_with(gw, GW_CLOSE_RESUMABLE, "handshake timeout", GW_ACTION_RESUME, -1,
			           GW_REASON_TIMEOUT);
		return;
	}
	if (gw->next_beat >= 0 && now >= gw->next_beat) {
		if (!gw->acked && (!gw->rx_since_beat
		                   || gw->beats_unacked + 1 >= GW_ACK_BEHIND_MAX_BEATS)) {
			/* gateway.mdx "Heartbeat Interval": no ACK between two beats
			 * "may be due to a failed or zombied connection": drop it (no
			 * 1000/1001) and resume. */
			gw->stats.zombies++;
			log_warn("gateway heartbeat not acknowledged, reconnecting", "shard=%d",
			         gw->cfg.shard_id);
			close_with(gw, 0, "zombie connection", GW_ACTION_RESUME, 0, GW_REASON_ZOMBIE);
			return;
		}
		if (!gw->acked) {
			/* Payloads kept arriving since the beat: the connection is
			 * alive and the ACK waits behind events we have not read yet
			 * (a burst larger than we parse in an interval). Dropping it
			 * would throw the backlog away and replay it on the resume;
			 * beat on time instead, and give up only if the ACK stays
			 * missing for GW_ACK_BEHIND_MAX_BEATS beats. */
			gw->beats_unacked++;
			gw->stats.acks_behind++;
			log_warn("gateway heartbeat ACK not read yet, events still arriving; beating on",
			         "shard=%d beats_unacked=%u", gw->cfg.shard_id, gw->beats_unacked);
		}
		/* The loop must never starve heartbeats; measure it so it shows. */
		int64_t late = now - gw->next_beat;
		if (late > gw->stats.beat_delay_max_ms)
			gw->stats.beat_delay_max_ms = late;
		if (late > GW_BEAT_LATE_MS) {
			gw->stats.beats_late++;
			log_warn("gateway heartbeat sent late: the event loop was blocked",
			         "shard=%d late_ms=%lld", gw->cfg.shard_id, (long long)late);
		}
		gw->acked = false;
		gw->rx_since_beat = false;
		send_heartbeat(gw, now);
		gw->next_beat = now + gw->interval_ms;
	}
	reschedule(gw);
}

void gateway_stop(struct gateway *gw, int64_t now)
{
	(void)now;
	switch (gw->state) {
	case GW_STOPPED:
	case GW_FATAL:
		return;
	case GW_IDLE:
	case GW_BACKOFF:
	case GW_CLOSING:
		gw->state = GW_STOPPED;
		gw->next_beat = -1;
		gw->deadline = -1;
		gw->io.schedule(gw->io.ctx, -1);
		return;
	default:
		gw->state = GW_STOPPED;
		gw->next_beat = -1;
		gw->deadline = -1;
		gw->io.schedule(gw->io.ctx, -1);
		/* A resumable code: the session lives on for a restart. */
		gw->io.close(gw->io.ctx, GW_CLOSE_RESUMABLE, "shutting down");
		return;
	}
}

unsigned gateway_connect_fails(const struct gateway *gw)
{
	return gw->connect_fails;
}

void gateway_set_url(struct gateway *gw, const char *url)
{
	if (url && strlen(url) < GW_URL_MAX)
		snprintf(gw->url, sizeof(gw->url), "%s", url);
}
