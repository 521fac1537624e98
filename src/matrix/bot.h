/* bot.h: the Matrix bot's decisions, with no I/O and no clock of its own: a
 * parsed /sync batch (or a fetched gap) goes in, and what to do comes out as
 * actions through struct mxbot_sink: send this reply or notice, join this
 * room, fetch this gap. It also keeps what it learns about rooms (members,
 * our display name, encryption) and the cooldowns.
 *
 *   struct mxbot *b = mxbot_new(&cfg, &st);     // st: the persisted state, not owned
 *   mxbot_set_me(b, "@scobot:example.org");
 *   mxbot_on_batch(b, &sync, &batch, &sink);    // sink.act(...) once per action
 *
 * The sink's queued() tells the bot what the caller already queued, so a
 * reply is never queued twice; an action's strings live until act returns,
 * and act takes the body. */
#ifndef SCOBOT_MATRIX_BOT_H
#define SCOBOT_MATRIX_BOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/host.h"
#include "matrix/codec.h"
#include "matrix/state.h"

#define MXBOT_MAX_ROOMS 20000   /* joined rooms tracked, count */

enum mxbot_act {
	MXBOT_SEND,      /* PUT an m.notice to room with txnId (txn_kind, txn_seed) */
	MXBOT_JOIN,      /* join room (an invite auto_join admits) */
	MXBOT_BACKFILL,  /* fetch room's events from `from` back to the batch's start */
};

struct mxbot_action {
	enum mxbot_act kind;
	const char *room;
	/* MXBOT_SEND */
	char txn_kind;           /* 'r' reply, 'c' cooldown notice, 'e' encrypted-room notice */
	const char *txn_seed;    /* the event (or room, for 'e') the txnId derives from */
	const char *trigger;     /* the event answered (recorded once sent); NULL for 'e' */
	char *body;              /* the event content; the sink takes it (NULL: not built) */
	int64_t received_ms;     /* > 0: an answer; host->sent hears how it went */
	/* MXBOT_BACKFILL */
	const char *from;        /* the timeline's prev_batch */
};

struct mxbot_sink {
	void *ctx;
	/* Already queued: a send answering trigger (kind SEND, trigger set); a
	 * notice for room (kind SEND, trigger NULL); a join of room (kind JOIN). */
	bool (*queued)(void *ctx, enum mxbot_act kind, const char *room, const char *trigger);
	void (*act)(void *ctx, struct mxbot_action *a);
};

/* One /sync batch's circumstances, from the sync loop. */
struct mxbot_batch {
	int64_t now;          /* monotonic ms the batch arrived */
	int64_t wall_ms;      /* Unix ms it arrived; 0 unknown */
	bool first_sync;      /* no resume point: the backlog is skipped */
	bool backlog;         /* it piled up while we were away: judge by when asked */
	bool can_backfill;    /* a gap can be fetched (the batch has a start token) */
	int64_t not_before_ts; /* Unix ms: events sent before it are never answered
	                          (a start without a resume point); 0: none */
};

struct mxbot_config {
	const char *prefix;                 /* NULL: "!sco" */
	const char *const *auto_join;       /* inviters, rooms or "*:server"; none = any */
	size_t n_auto_join;
	bool encrypted_room_notice;
	const char *encrypted_notice_text;  /* NULL: the default English sentence */
	int cooldown_count;                 /* answers per user per window; 0: 5 */
	int64_t cooldown_window_ms;
	int cooldown_room_count;            /* per room; 0: 15 */
	const struct adapter_host *host;    /* respond is required */
};

struct mxbot_stats {
	uint64_t ignored_invites, gaps;
	int64_t newest_event_ts;  /* of the last batch processed (0: none) */
};

struct mxbot;

struct mxbot *mxbot_new(const struct mxbot_config *cfg, struct mx_state *st);
void mxbot_free(struct mxbot *b);  /* accepts NULL */

/* Our user id (from whoami); copied. Nothing is answered before it is set. */
void mxbot_set_me(struct mxbot *b, const char *me);

/* A /sync batch: leaves forget rooms, invites may become joins, joined rooms
 * are learnt, gaps fetched, the encrypted-room notice posted, and messages
 * considered oldest first across rooms. */
void mxbot_on_batch(struct mxbot *b, const struct mx_sync *s, const struct mxbot_batch *batch,
                    const struct mxbot_sink *sink);
/* Events fetched for a gap of room (oldest first), judged as a backlog. */
void mxbot_on_backfill(struct mxbot *b, const char *room, const struct mx_event *events,
                       size_t n, int64_t now, int64_t wall_ms, const struct mxbot_sink *sink);
/* We joined room (a join succeeded). */
void mxbot_joined(struct mxbot *b, const char *room);
/* Whether we know room as joined. */
bool mxbot_in_room(const struct mxbot *b, const char *room);
size_t mxbot_room_count(const struct mxbot *b);
void mxbot_get_stats(const struct mxbot *b, struct mxbot_stats *out);

/* Whether an invite to room from inviter (NULL unknown) is admitted by the
 * auto_join list (exposed for tests). */
bool mxbot_invite_allowed(const struct mxbot *b, const char *room, const char *inviter);

#endif
