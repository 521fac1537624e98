/* shards.c: owns the gateway shards and their connections: each shard's
 * gateway.c session is fed by its websocket (through zlib-stream) and timer,
 * and its requests (connect, send, close, identify) are carried out here;
 * what a dispatch means is the owner's business, not this file's. */
#include "discord/shards.h"

#include "build_config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "discord/codec.h"
#include "discord/coord.h"
#include "discord/discord.h"
#include "discord/gateway.h"
#include "discord/zstream.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "net/ws.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/url.h"
#include "util/xalloc.h"

#define WS_MAX_COMPRESSED (4u << 20)     /* one compressed websocket message, bytes */
#define DISCORD_TRIM_BYTES (256u << 10)  /* payload size after which freed heap is trimmed, bytes */
#define SHARD_COUNT_MAX 65536            /* shards a bot may have */

struct dc_shards;

struct shard {
	struct dc_shards *sh;
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

struct dc_shards {
	struct net_loop *loop;
	struct dc_shards_events ev;
	struct dc_shards_config cfg;  /* strings below are our copies */
	char *token, *presence, *state_dir;
	struct ws_client *wsc;
	struct idgate idgate;
	struct coord *coord;       /* not owned */
	struct shard *shards;
	int n;                 /* shards this process runs */
	int count;             /* total shards of the bot */
	bool stopping;
	bool up;               /* every shard READY; ev.up said so, ev.lost not since */
	bool tls_told;         /* a refused certificate was logged; again after a success */
};

static int64_t now_ms(const struct dc_shards *sh)
{
	return net_loop_now_ms(sh->loop);
}

static const struct ws_callbacks ws_cbs;

/* ---- what the gateway asks for ---------------------------------------- */

static void report_connect_failed(struct shard *s)
{
	s->failed_pending = true;
	net_timer_start(s->timer, 0, 0);
}

static void io_connect(void *ctx, const char *url)
{
	struct shard *s = ctx;
	struct dc_shards *sh = s->sh;
	int err = 0;
	zstream_reset(s->z);
	if (!url_allowed(url, URL_WEBSOCKET)) {
		log_error("refusing a plain-text gateway URL to a non-loopback host",
		          "shard=%d", s->id);
		report_connect_failed(s);
		return;
	}
	struct ws_connect_options o = {
		.url = url,
		.max_message_bytes = sh->cfg.compress ? WS_MAX_COMPRESSED : ZSTREAM_MAX_OUTPUT,
		.user_agent = DISCORD_USER_AGENT,
	};
	s->conn = ws_connect(sh->wsc, &o, &ws_cbs, s, &err);
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

/* After every DC_GATEWAY_REFETCH_AFTER connects in a row that failed, the
 * owner fetches the gateway URL again (it may have moved). */
static void after_close(struct shard *s)
{
	unsigned fails = gateway_connect_fails(s->gw);
	if (fails > 0 && fails % DC_GATEWAY_REFETCH_AFTER == 0 && s->sh->ev.unreachable)
		s->sh->ev.unreachable(s->sh->ev.ctx, s->id);
}

static void shard_timer_cb(struct net_timer *t, void *data)
{
	struct shard *s = data;
	if (s->failed_pending) {
		s->failed_pending = false;
		gateway_on_close(s->gw, WS_CLOSE_ABNORMAL, false, now_ms(s->sh));
		after_close(s);
		return;
	}
	gateway_tick(s->gw, now_ms(s->sh));
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
	int64_t now = now_ms(s->sh);
	net_timer_start(s->timer, (uint64_t)(at > now ? at - now : 0), 0);
}

static int64_t io_identify_permit(void *ctx, int shard_id, int64_t now)
{
	struct shard *s = ctx;
	if (s->sh->coord) {
		int64_t w = coord_identify_permit(s->sh->coord, shard_id, now, clock_wall_ms(),
		                                  idgate_count(&s->sh->idgate, (int64_t)time(NULL)));
		if (w != 0)
			return w;
	}
	return idgate_permit(&s->sh->idgate, shard_id, now, (int64_t)time(NULL));
}

static void io_dispatch(void *ctx, const char *type, const struct cJSON *d)
{
	struct shard *s = ctx;
	/* Replies remember which dispatch they answer, so a stop with replies
	 * unsent can save a seq that replays it. */
	struct gw_session sess;
	int64_t seq = gateway_get_session(s->gw, &sess) ? sess.seq : 0;
	s->sh->ev.dispatch(s->sh->ev.ctx, s->id, seq, type, d);
}

static void io_ready(void *ctx, bool resumed)
{
	struct shard *s = ctx;
	struct dc_shards *sh = s->sh;
	sh->ev.shard_ready(sh->ev.ctx);
	/* Up once every shard is, and again after each loss (ev.lost): the host
	 * counts reconnects and /healthz turns green again. */
	if (!sh->up) {
		for (int i = 0; i < sh->n; i++)
			if (!sh->shards[i].gw || gateway_state(sh->shards[i].gw) != GW_READY)
				return;
		sh->up = true;
		sh->ev.up(sh->ev.ctx);
	}
	(void)resumed;
}

static void io_progress(void *ctx)
{
	struct shard *s = ctx;
	s->sh->ev.progress(s->sh->ev.ctx);
}

static void io_fatal(void *ctx, int code, const char *message)
{
	struct shard *s = ctx;
	char msg[512];
	snprintf(msg, sizeof(msg), "Discord gateway (shard %d): %s", s->id, message);
	s->sh->ev.fatal(s->sh->ev.ctx, msg);
}

static uint32_t io_random(void *ctx)
{
	struct shard *s = ctx;
	return s->sh->ev.random(s->sh->ev.ctx);
}

static const struct gateway_io gw_io_template = {
	NULL, io_connect, io_send, io_close, io_schedule, io_identify_permit,
	io_dispatch, io_ready, io_progress, io_fatal, io_random,
};

/* ---- what the websocket reports ----------------------------------------- */

static void ws_on_open(struct ws_conn *c, void *data)
{
	struct shard *s = data;
	gateway_on_open(s->gw, now_ms(s->sh));
}

static void ws_on_message(struct ws_conn *c, const void *msg, size_t len, bool binary, void *data)
{
	struct shard *s = data;
	if (!s->sh->cfg.compress) {
		gateway_on_message(s->gw, msg, len, now_ms(s->sh));
		if (len > DISCORD_TRIM_BYTES)
			malloc_trim(0);
		return;
	}
	const char *out;
	size_t out_len;
	int rc = zstream_feed(s->z, msg, len, &out, &out_len);
	if (rc == 1) {
		gateway_on_message(s->gw, out, out_len, now_ms(s->sh));
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
	struct dc_shards *sh = s->sh;
	ws_conn_free(c);
	s->conn = NULL;
	s->closed = true;
	if (sh->stopping) {
		bool all = true;
		for (int i = 0; i < sh->n; i++)
			all = all && sh->shards[i].closed;
		if (all)
			sh->ev.closed(sh->ev.ctx);
		return;
	}
	if (info->kind == WS_CLOSE_CONNECT_FAILED) {
		if (info->tls_refused && !sh->tls_told) {
			sh->tls_told = true;
			net_log_tls_refusal("discord", "discord", info->reason);
		} else {
			log_warn("discord gateway connect failed", "shard=%d detail=\"%s\"", s->id,
			         info->reason);
		}
	} else {
		sh->tls_told = false;
	}
	gateway_on_close(s->gw, info->code, info->kind == WS_CLOSED_BY_PEER, now_ms(sh));
	after_close(s);
	/* One shard down is enough for the host to know at once (/healthz 503);
	 * up comes again once every shard is back. */
	if (sh->up && gateway_state(s->gw) != GW_FATAL) {
		sh->up = false;
		sh->ev.lost(sh->ev.ctx, gateway_reason_name(gateway_stats(s->gw)->last_reason));
	}
}

static const struct ws_callbacks ws_cbs = {ws_on_open, ws_on_message, ws_on_close};

/* ---- life cycle ---------------------------------------------------------- */

struct dc_shards *dc_shards_new(struct net_loop *loop, const struct dc_shards_config *cfg,
                                const struct dc_shards_events *ev)
{
	struct dc_shards *sh = xcalloc(1, sizeof(*sh));
	sh->loop = loop;
	sh->ev = *ev;
	sh->cfg = *cfg;
	sh->token = xstrdup(cfg->token);
	sh->presence = xstrdup(cfg->presence);
	sh->state_dir = cfg->state_dir ? xstrdup(cfg->state_dir) : NULL;
	sh->coord = cfg->coord;
	sh->cfg.token = sh->token;
	sh->cfg.presence = sh->presence;
	sh->cfg.state_dir = sh->state_dir;
	sh->cfg.ca_file = NULL;  /* the ws client keeps its own copy */
	idgate_init(&sh->idgate, sh->state_dir, (int64_t)time(NULL));
	sh->wsc = ws_client_new(loop, cfg->ca_file);
	if (!sh->wsc) {
		dc_shards_free(sh);
		return NULL;
	}
	return sh;
}

void dc_shards_free(struct dc_shards *sh)
{
	if (!sh)
		return;
	for (int i = 0; i < sh->n; i++) {
		struct shard *s = &sh->shards[i];
		ws_conn_free(s->conn);
		net_timer_free(s->timer);
		zstream_free(s->z);
		gateway_free(s->gw);
	}
	free(sh->shards);
	ws_client_free(sh->wsc);
	explicit_bzero(sh->token, strlen(sh->token));
	free(sh->token);
	free(sh->presence);
	free(sh->state_dir);
	free(sh);
}

void dc_shards_set_url(struct dc_shards *sh, const char *url)
{
	for (int i = 0; i < sh->n; i++)
		if (sh->shards[i].gw)
			gateway_set_url(sh->shards[i].gw, url);
}

bool dc_shards_started(const struct dc_shards *sh)
{
	return sh->shards != NULL;
}

struct idgate *dc_shards_idgate(struct dc_shards *sh)
{
	return &sh->idgate;
}

/* Resumes the session this shard saved at the last stop, if it is fresh. */
static void resume_saved(struct dc_shards *sh, struct shard *s)
{
	struct gw_session saved;
	struct state_ids ids;
	int rc = state_load_session(sh->state_dir, s->id, &saved, &ids, (int64_t)time(NULL));
	if (rc == 0) {
		sh->ev.saved_ids(sh->ev.ctx, ids.user_id, ids.application_id);
		log_info("discord: resuming the session saved at shutdown", "shard=%d seq=%lld",
		         s->id, (long long)saved.seq);
		gateway_set_session(s->gw, &saved);
	} else if (rc != -ENOENT) {
		log_info("discord: saved session not used", "shard=%d reason=%s", s->id,
		         strerror(-rc));
	}
}

int dc_shards_start(struct dc_shards *sh, const char *url, int recommended, char *err,
                    size_t errsize)
{
	int count = sh->cfg.shards > 0 ? sh->cfg.shards : (recommended > 0 ? recommended : 1);
	int first = sh->cfg.shard_first >= 0 ? sh->cfg.shard_first : 0;
	int last = sh->cfg.shard_last >= 0 ? sh->cfg.shard_last : count - 1;
	if (first > last || last >= count || count > SHARD_COUNT_MAX
	    || last - first + 1 > DISCORD_MAX_SHARDS) {
		snprintf(err, errsize, "shard_ids %d-%d do not fit %d shards (set shards and "
		         "shard_ids in [discord])", first, last, count);
		return -ERANGE;
	}
	sh->count = count;
	sh->n = last - first + 1;
	sh->shards = xcalloc((size_t)sh->n, sizeof(*sh->shards));
	uint32_t intents = DC_INTENT_GUILDS | DC_INTENT_GUILD_MESSAGES | DC_INTENT_DIRECT_MESSAGES;
	if (sh->cfg.message_content)
		intents |= DC_INTENT_MESSAGE_CONTENT;
	for (int i = 0; i < sh->n; i++) {
		struct shard *s = &sh->shards[i];
		s->sh = sh;
		s->id = first + i;
		s->z = zstream_new();
		s->timer = net_timer_new(sh->loop, shard_timer_cb, s);
		s->closed = true;
		struct gateway_io io = gw_io_template;
		io.ctx = s;
		struct gateway_config gc = {sh->token, intents, s->id, count, sh->presence, url,
		                            sh->cfg.compress};
		s->gw = gateway_new(&gc, &io);
		if (!s->gw) {
			log_error("discord: invalid gateway configuration", "shard=%d", s->id);
			continue;
		}
		resume_saved(sh, s);
	}
	log_info("discord: starting shards", "count=%d first=%d last=%d compress=%d", count, first,
	         last, sh->cfg.compress);
	for (int i = 0; i < sh->n; i++)
		if (sh->shards[i].gw)
			gateway_start(sh->shards[i].gw, now_ms(sh));
	return 0;
}

bool dc_shards_stop(struct dc_shards *sh, const struct state_ids *ids, bool save,
                    int64_t (*replay_seq)(void *ctx, int shard), void *ctx)
{
	bool any_open = false;
	int64_t now = now_ms(sh);
	sh->stopping = true;
	for (int i = 0; i < sh->n; i++) {
		struct shard *s = &sh->shards[i];
		if (!s->gw)
			continue;
		struct gw_session sess;
		if (gateway_get_session(s->gw, &sess) && save && sh->state_dir) {
			int64_t replay = replay_seq(ctx, s->id);
			if (replay > 0 && replay - 1 < sess.seq) {
				log_notice("discord: saving an earlier seq so unsent replies are replayed",
				           "shard=%d seq=%lld was=%lld", s->id, (long long)(replay - 1),
				           (long long)sess.seq);
				sess.seq = replay - 1;
			}
			int rc = state_save_session(sh->state_dir, s->id, &sess, ids, (int64_t)time(NULL));
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
	return any_open;
}

bool dc_shards_any_open(const struct dc_shards *sh)
{
	for (int i = 0; i < sh->n; i++)
		if (!sh->shards[i].closed)
			return true;
	return false;
}

size_t dc_shards_status(const struct dc_shards *sh, char *out, size_t size)
{
	size_t used = 0;
	for (int i = 0; i < sh->n && used < size; i++) {
		const struct shard *s = &sh->shards[i];
		if (!s->gw)
			continue;
		const struct gw_stats *st = gateway_stats(s->gw);
		int n = snprintf(out + used, size - used,
		                 " [%d %s resumes=%llu identifies=%llu beat_late_max_ms=%lld"
		                 " acks_behind=%llu]", s->id,
		                 gateway_state_name(gateway_state(s->gw)),
		                 (unsigned long long)st->resumes, (unsigned long long)st->identifies,
		                 (long long)st->beat_delay_max_ms, (unsigned long long)st->acks_behind);
		if (n < 0)
			break;
		used += (size_t)n < size - used ? (size_t)n : size - used;
	}
	return used;
}

void dc_shards_get_stats(const struct dc_shards *sh, struct discord_stats *out)
{
	out->shards = sh->n;
	out->shard_count = sh->count;
	out->ack_latency_last_ms = -1;
	out->ack_latency_max_ms = -1;
	int64_t newest_ack = -1;
	for (int i = 0; i < sh->n; i++) {
		const struct shard *s = &sh->shards[i];
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
	out->identifies_today = idgate_count(&sh->idgate, (int64_t)time(NULL));
}
