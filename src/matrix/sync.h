/* sync.h: the Matrix adapter's state machine (login/whoami/filter, the /sync
 * long-poll, joins and idempotent sends, backoff, rate limits, persistence
 * order; sync.c, with the serial lane in oplane.c, the queue in jobs.c and
 * what a batch means in bot.c); it does no I/O itself and never reads the
 * clock: HTTP goes out through struct mxsync_io, results come back through
 * mxsync_on_response, and time is always a parameter, so tests drive it with
 * a fake transport and a fake clock.
 *
 * Crash safety (why the order matters): the long-poll runs ahead while replies
 * are sent (up to 8 batches), but a batch's next_batch becomes the persisted
 * resume point only after every reply of that batch and of all older batches
 * has been sent (or given up), together with the ring of answered event ids.
 * Saves are coalesced (at most one fsync per 250 ms), so the file may lag, never
 * lead. A SIGKILL at any moment re-syncs from a point at or before the first
 * unanswered event: ids in the ring are skipped, and a reply that was sent but
 * not yet recorded is re-sent with the same txnId (derived from the event id),
 * which the homeserver dedupes (CS: Transaction identifiers). */
#ifndef SCOBOT_MATRIX_SYNC_H
#define SCOBOT_MATRIX_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/host.h"

#define MATRIX_EXIT_AUTH SCOBOT_EXIT_MATRIX_AUTH /* host.h: a rejected token or password */

/* [matrix] config as the daemon resolved it (token_file and
 * $CREDENTIALS_DIRECTORY already read into access_token). Copied by
 * mxsync_new/matrix_new: need not outlive the call. */
struct matrix_config {
	const char *homeserver;        /* https URL; http only for loopback */
	const char *user_id;           /* @bot:server */
	const char *access_token;      /* NULL: use a stored token or password login */
	const char *token_origin;      /* where access_token came from, for the log:
	                                  "credential matrix-token"; NULL: "config" */
	const char *password;          /* NULL: no password login */
	const char *device_id;         /* NULL: "SCOBOT" */
	const char *state_dir;         /* required */
	const char *const *auto_join;  /* inviters, rooms or "*:server"; none = any */
	size_t n_auto_join;
	const char *prefix;            /* NULL: "!sco" */
	bool encrypted_room_notice;    /* post the one notice in encrypted rooms */
	const char *encrypted_notice_text; /* NULL: the default English sentence */
	int64_t stall_alarm_ms;        /* 0: 10 minutes */
	int cooldown_count;            /* 0: 5 answers ... */
	int64_t cooldown_window_ms;    /* ... per 10000 ms per user */
	int cooldown_room_count;       /* 0: 15 answers per window per room */
	int timeline_limit;            /* 0: 50 events per room per sync */
	const char *ca_file;           /* extra CA bundle (tests); NULL: system */
	int64_t start_wall_ms;         /* Unix ms the process started (matrix_new sets
	                                  it); a start with no resume point answers
	                                  nothing sent before it. 0: no bound */
};

enum mxsync_req {
	MXSYNC_REQ_SYNC,   /* the long-poll lane */
	MXSYNC_REQ_OP,     /* the serial lane: login, whoami, filter, join, send */
};

struct mxsync_io {
	void *ctx;
	/* Starts one request: method, path after the homeserver base URL (already
	 * escaped, with query), JSON body or NULL, the access token or NULL, whole
	 * transfer limit and largest body accepted. Returns an id > 0, or a
	 * negative errno (then no response will come). */
	int64_t (*request)(void *ctx, const char *method, const char *path, const char *body,
			   const char *token, int64_t timeout_ms, size_t max_bytes);
	/* Cancels a request started by request(); its response never comes. */
	void (*cancel)(void *ctx, int64_t id);
	/* Optional: persists text (mx_state_serialize of the state, which it
	 * takes and must release with mx_state_text_free) to path, off the loop
	 * unless final (the last save before stopping, which must be on disk
	 * when it returns). NULL: sync.c writes it itself, blocking. */
	void (*save)(void *ctx, const char *path, char *text, bool final);
};

/* A completed request, as the transport saw it. */
struct mxsync_response {
	int64_t id;
	bool transport_error;       /* no HTTP response (timeout, refused, too large) */
	const char *error_name;     /* transport error name for logs ("timeout") */
	int status;
	const char *body;
	size_t body_len;
	const char *retry_after;    /* the Retry-After header, or NULL */
	int64_t wall_ms;            /* Unix time (ms) it arrived; 0 unknown */
};

struct mxsync;

/* NULL when the config is unusable (the reason is logged). seed feeds the
 * backoff jitter. */
struct mxsync *mxsync_new(const struct matrix_config *cfg, const struct adapter_host *host,
			  const struct mxsync_io *io, uint64_t seed);
void mxsync_free(struct mxsync *m);

/* Loads the state file and starts logging in / syncing. */
void mxsync_start(struct mxsync *m, int64_t now);
/* Cancels requests in flight and saves state (answered ids, committed token). */
void mxsync_stop(struct mxsync *m);

void mxsync_on_response(struct mxsync *m, const struct mxsync_response *resp, int64_t now);
/* Runs whatever is due at now (retries, the next sync, the stall alarm). */
void mxsync_tick(struct mxsync *m, int64_t now);
/* When mxsync_tick next has work; -1 for none (waiting on a response). */
int64_t mxsync_next_deadline(const struct mxsync *m);

/* One line for the health endpoint and logs ("running rooms=3 ..."). */
void mxsync_status(const struct mxsync *m, int64_t now, char *out, size_t size);

/* Counters for tests and metrics. */
struct mxsync_stats {
	uint64_t syncs_ok, sync_errors, sends_ok, send_errors, rate_limited, gaps;
	uint64_t answered, ignored_invites, joins;
	uint64_t backfilled;        /* events fetched with /messages to fill sync gaps */
	/* Requests answered with a status other than 200, or with none (0). */
	struct host_status_count rest_errors[HOST_STATUS_SLOTS];
	/* origin_server_ts (Unix ms) of the newest timeline event of the last
	 * sync that was processed; 0 when it had none. */
	int64_t newest_event_ts;
	/* Wall time of the last sync's arrival minus newest_event_ts, ms; 0 when
	 * it had no events. Filled in by matrix_get_stats (this file reads no
	 * clock). */
	int64_t sync_lag_ms;
};
void mxsync_get_stats(const struct mxsync *m, struct mxsync_stats *out);

/* Percent-escapes one URL path segment or query value (all but ALPHA DIGIT
 * "-._~"); malloc'd. */
char *mxsync_escape(const char *s);

#endif
