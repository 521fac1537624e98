/* sync_impl.h: the inside of struct mxsync, shared only by sync.c (the /sync
 * lane, persistence order, life cycle) and oplane.c (the serial lane of
 * login, whoami, filter, join, send and backfill); nothing else includes it. */
#ifndef SCOBOT_MATRIX_SYNC_IMPL_H
#define SCOBOT_MATRIX_SYNC_IMPL_H

#include "matrix/bot.h"
#include "matrix/jobs.h"
#include "matrix/state.h"
#include "matrix/sync.h"

#define API "/_matrix/client/v3"
#define MAX_JOBS 1024                    /* queued joins and sends, count */
#define MAX_BATCHES 8                    /* synced batches with replies in flight, count */

enum phase { PH_INIT, PH_AUTH, PH_RUNNING, PH_DEAD };
enum sync_lane { SL_IDLE, SL_INFLIGHT, SL_WAIT_SENDS, SL_OFF };
enum token_src { TOK_NONE, TOK_CONFIG, TOK_STORED, TOK_LOGIN };

struct mxsync {
	/* config (owned copies) */
	char *homeserver, *user_id, *cfg_token, *password, *device_id, *state_path;
	char *filter_json;
	int64_t stall_alarm_ms;
	const struct adapter_host *host;
	struct mxsync_io io;
	uint64_t rng;

	enum phase phase;
	enum token_src token_src;
	char *token_origin;       /* "credential matrix-token", "token_file", "config" */
	int64_t start_wall_ms;    /* from the config: when the process started */
	int64_t not_before_ts;    /* a fresh start: events older than this (Unix ms)
	                             are history, whatever the homeserver replays */
	char *token;
	char *me;                 /* user id from whoami */
	struct mx_state st;
	struct mxbot *bot;        /* what to answer and join; reads and writes st */
	struct mxbot_sink sink;   /* its actions become jobs here */

	/* sync lane */
	enum sync_lane sync;
	int64_t sync_id, sync_not_before;
	int sync_fails;
	int sync_refused;         /* 4xx answers to /sync in a row */
	bool first_sync;          /* no stored next_batch: skip the backlog */
	bool rooms_restored;      /* joined rooms known: from /joined_rooms, or a first sync */
	/* Batches whose replies are still being sent, oldest first. The sync goes
	 * on meanwhile; a batch's next_batch becomes the resume point only when
	 * it and every older batch are done (so the file never skips a reply). */
	struct {
		char *next_batch;
		size_t pending;     /* sends not finished */
		uint64_t seq;
	} batches[MAX_BATCHES];
	size_t nbatches;
	uint64_t batch_seq;
	char *batch_from;         /* the since of the batch being processed (its gap ends there) */
	char *since;              /* where the next /sync starts: the newest batch
	                             received, ahead of the committed st.next_batch */
	int64_t last_advance, next_alarm;
	bool ready_sent;
	bool lost_told;           /* host->lost said so; host->ready comes on recovery */
	bool dirty;               /* committed progress not yet on disk */
	int64_t last_save, save_due;

	/* op lane */
	struct jobs jobs;
	int64_t op_id;
	struct job *op_job;       /* the job op_id belongs to (still queued) */
	int64_t op_not_before;    /* a 429 pauses the whole lane */
	int op_fails;

	char last_error[128];
	struct mxsync_stats stats;
};

/* sync.c */
int64_t mxsync_backoff_ms(struct mxsync *m, int fails);
void mxsync_set_error(struct mxsync *m, const char *what);
int64_t mxsync_retry_after_ms(const struct mxsync_response *r, int64_t body_ms);
void mxsync_save_state(struct mxsync *m);
void mxsync_commit_batches(struct mxsync *m, int64_t now);
size_t *mxsync_batch_pending(struct mxsync *m, uint64_t seq);
void mxsync_queue_backfill(struct mxsync *m, const char *room, const char *from, const char *to,
			   int page, uint64_t batch);
void mxsync_fatal(struct mxsync *m, int status, const char *msg);

/* oplane.c */
void oplane_start(struct mxsync *m, struct job *j, int64_t now);
void oplane_on_response(struct mxsync *m, const struct mxsync_response *r, int64_t now);
void oplane_token_rejected(struct mxsync *m, const char *where);

#endif
