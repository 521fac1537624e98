/* shards.h: the gateway shards this process runs, each a gateway.c session
 * wired to its websocket, zlib-stream and timer; the owner hears of dispatches
 * and of the shards' readiness through struct dc_shards_events.
 *
 *   struct dc_shards *sh = dc_shards_new(loop, &cfg, &events);   // NULL: no ws client
 *   dc_shards_start(sh, url, recommended, err, sizeof(err));      // -ERANGE: range misfit
 *   ... events.dispatch(ctx, shard, seq, "MESSAGE_CREATE", d) ...
 *   bool open = dc_shards_stop(sh, &ids, save, replay_seq, ctx); // saves sessions
 *   ... events.closed(ctx) once every connection is closed ...
 *   dc_shards_free(sh); */
#ifndef SCOBOT_DISCORD_SHARDS_H
#define SCOBOT_DISCORD_SHARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discord/state.h"

struct coord;

struct cJSON;
struct net_loop;
struct discord_stats;

struct dc_shards_events {
	void *ctx;
	/* A dispatch on shard (seq: the session's seq after it; 0 none). */
	void (*dispatch)(void *ctx, int shard, int64_t seq, const char *type,
	                 const struct cJSON *d);
	void (*shard_ready)(void *ctx);            /* one shard READY or RESUMED */
	void (*up)(void *ctx);                     /* every shard ready (again) */
	void (*lost)(void *ctx, const char *reason); /* the first shard of an up set dropped */
	void (*fatal)(void *ctx, const char *message);
	void (*progress)(void *ctx);               /* a heartbeat ACK */
	void (*closed)(void *ctx);                 /* stopping, and every connection closed */
	/* Ids from a saved session (user, application; "" unknown). */
	void (*saved_ids)(void *ctx, const char *user_id, const char *application_id);
	uint32_t (*random)(void *ctx);
	/* Shard's last DC_GATEWAY_REFETCH_AFTER connects all failed: the
	 * gateway URL may have moved (dc_shards_set_url). May be NULL. */
	void (*unreachable)(void *ctx, int shard);
};

#define DC_GATEWAY_REFETCH_AFTER 3   /* failed connects in a row before GET /gateway/bot again */

struct dc_shards_config {
	const char *token;         /* copied; wiped on free */
	const char *presence;      /* "!sco help"; copied by each gateway */
	bool compress, message_content;
	const char *state_dir;     /* NULL: no saved sessions, identify count in memory */
	const char *ca_file;       /* NULL: the system store */
	int shards;                /* 0: recommended */
	int shard_first, shard_last; /* -1: all */
	struct coord *coord;       /* identifies through the token's shared gate; NULL: alone */
};

struct dc_shards;

struct dc_shards *dc_shards_new(struct net_loop *loop, const struct dc_shards_config *cfg,
                                const struct dc_shards_events *ev);
void dc_shards_free(struct dc_shards *sh);  /* accepts NULL; drops connections */

/* A new gateway URL (copied) for every shard's next new session. */
void dc_shards_set_url(struct dc_shards *sh, const char *url);
/* Whether shards were started (a /gateway/bot retry may race a success). */
bool dc_shards_started(const struct dc_shards *sh);
/* Identify pacing, fed by /gateway/bot's session_start_limit. */
struct idgate *dc_shards_idgate(struct dc_shards *sh);
/* Starts the configured range against url (copied). -ERANGE with err filled
 * when the range does not fit the shard count. */
int dc_shards_start(struct dc_shards *sh, const char *url, int recommended, char *err,
                    size_t errsize);
/* Saves each session (when save; rewound to before the oldest seq that
 * replay_seq(ctx, shard) reports unanswered) and closes resumably. Returns
 * whether a connection is still open (closed will follow). */
bool dc_shards_stop(struct dc_shards *sh, const struct state_ids *ids, bool save,
                    int64_t (*replay_seq)(void *ctx, int shard), void *ctx);
/* Whether a shard's connection is still open. */
bool dc_shards_any_open(const struct dc_shards *sh);

/* " [id state resumes=.. identifies=.. beat_late_max_ms=.. acks_behind=..]" per
 * shard. */
size_t dc_shards_status(const struct dc_shards *sh, char *out, size_t size);
/* The shard part of discord_stats (counts, reasons, identifies, ACK latency). */
void dc_shards_get_stats(const struct dc_shards *sh, struct discord_stats *out);

#endif
