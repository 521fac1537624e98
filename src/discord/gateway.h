/* gateway.h: the state machine of one gateway shard connection (hello,
 * heartbeats, identify, resume, reconnect, close codes); it must not do I/O or
 * read a clock: events come in with `now` (ms, monotonic) and actions go out
 * through struct gateway_io, so tests drive it with a fake clock and a fake
 * transport. Sources: developers/events/gateway.mdx, gateway-events.mdx,
 * developers/topics/opcodes-and-status-codes.mdx. */
#ifndef SCOBOT_DISCORD_GATEWAY_H
/* The User-Agent of every REST request and gateway upgrade (reference.md,
 * "User Agent": "DiscordBot ($url, $versionNumber)"); SCOBOT_VERSION comes
 * from build_config.h. */
#define DISCORD_USER_AGENT "DiscordBot (https://github.com/scobot/scobot, " SCOBOT_VERSION ")"

#define SCOBOT_DISCORD_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* Our own close code for a close that must keep the session resumable
 * (gateway.mdx "Initiating a Disconnect": anything but 1000/1001). */
#define GW_CLOSE_RESUMABLE 4900
/* gateway.mdx "Rate Limiting": 120 payloads per connection per 60 s. */
#define GW_SEND_LIMIT 120            /* payloads per window */
#define GW_SEND_WINDOW_MS 60000      /* ms */
#define GW_BACKOFF_BASE_MS 1000      /* first retry after a failure, ms */
#define GW_BACKOFF_CAP_MS 60000      /* longest wait between attempts, ms */
#define GW_HELLO_TIMEOUT_MS 20000    /* from open to Hello, ms */
#define GW_HANDSHAKE_TIMEOUT_MS 60000 /* from identify/resume to READY/RESUMED, ms */
#define GW_RESUME_FAILS_MAX 3        /* failed resumes before one identify */
#define GW_URL_MAX 512               /* bytes of a gateway URL, NUL included */
#define GW_SESSION_ID_MAX 129        /* bytes of a session id, NUL included */
#define GW_PRESENCE_MAX 128          /* bytes of the presence text, NUL included */
#define GW_BEAT_LATE_MS 1000         /* a heartbeat this late means the loop was blocked, ms */
/* Beats in a row without an ACK while payloads still arrive (the ACK queued
 * behind events not read yet) before the connection counts as a zombie all
 * the same. */
#define GW_ACK_BEHIND_MAX_BEATS 5

enum gw_close_action {
	GW_ACTION_RESUME,      /* reconnect to resume_gateway_url and resume */
	GW_ACTION_REIDENTIFY,  /* drop the session, reconnect and identify */
	GW_ACTION_FATAL,       /* stop: a retry cannot succeed */
};

/* The one table of close codes (opcodes-and-status-codes.mdx "Gateway Close
 * Event Codes"). ret_what (may be NULL) gets a sentence for the log; for fatal
 * codes it tells the operator what to fix. */
enum gw_close_action gateway_close_action(int code, const char **ret_what);

enum gw_state {
	GW_IDLE,            /* not started */
	GW_BACKOFF,         /* waiting to reconnect */
	GW_CONNECTING,      /* websocket opening */
	GW_WAIT_HELLO,
	GW_WAIT_IDENTIFY,   /* Hello came; identify is paced (max_concurrency, daily budget) */
	GW_IDENTIFYING,     /* identify sent, waiting for READY */
	GW_RESUMING,        /* resume sent, waiting for RESUMED */
	GW_READY,
	GW_CLOSING,         /* we asked the transport to close; waiting for on_close */
	GW_STOPPED,         /* gateway_stop: closed for good, session kept */
	GW_FATAL,           /* a fatal close code: never reconnects */
};

/* Why a connection ended, for metrics (reconnects and resumes by reason). */
enum gw_reason {
	GW_REASON_RECONNECT,        /* op 7 Reconnect */
	GW_REASON_INVALID_SESSION,  /* op 9 Invalid Session */
	GW_REASON_ZOMBIE,           /* no heartbeat ACK between two beats */
	GW_REASON_DROP,             /* dropped or failed to open, no close frame */
	GW_REASON_CLOSE_RESUME,     /* a server close code of the resume class */
	GW_REASON_CLOSE_REIDENTIFY, /* a server close code of the re-identify class */
	GW_REASON_TIMEOUT,          /* Hello or READY/RESUMED did not come in time */
	GW_REASON_OTHER,            /* our own close: a bad Hello, a send that failed */
	GW_REASON_COUNT
};

/* A Prometheus-friendly name ("op7_reconnect", "zombie", ...). */
const char *gateway_reason_name(enum gw_reason r);

struct gateway_io {
	void *ctx;
	/* Open a websocket to url (query included). One at a time. */
	void (*connect)(void *ctx, const char *url);
	/* Send one text payload; negative errno on failure. */
	int (*send)(void *ctx, const char *payload, size_t len);
	/* Close the connection: code > 0 sends a close frame with that code,
	 * code 0 drops TCP at once (zombie). on_close must follow. */
	void (*close)(void *ctx, int code, const char *reason);
	/* Call gateway_tick at (or soon after) at_ms; replaces earlier requests;
	 * at_ms < 0 means no tick is needed. */
	void (*schedule)(void *ctx, int64_t at_ms);
	/* Asks to identify now: 0 = granted (and counted), > 0 = ms to wait,
	 * < 0 = refused for good (a message was logged by the permit owner). */
	int64_t (*identify_permit)(void *ctx, int shard_id, int64_t now);
	/* A dispatch (op 0) event, READY and RESUMED included. */
	void (*dispatch)(void *ctx, const char *type, const struct cJSON *d);
	/* Connected: after READY (resumed false) or RESUMED (true). */
	void (*ready)(void *ctx, bool resumed);
	/* Evidence the connection is alive: a heartbeat ACK, or a dispatch once
	 * READY (at most one a second). */
	void (*progress)(void *ctx);
	/* A fatal close code: the gateway stopped for good. */
	void (*fatal)(void *ctx, int code, const char *message);
	/* Uniform 32-bit random numbers for jitter. */
	uint32_t (*random)(void *ctx);
};

struct gateway_config {
	const char *token;        /* not copied: must outlive the gateway */
	uint32_t intents;
	int shard_id, shard_count;
	const char *presence;     /* "!sco help"; NULL for none; copied */
	const char *url;          /* from GET /gateway/bot, without query; copied */
	bool compress;            /* ask for zlib-stream */
};

struct gw_session {
	char session_id[GW_SESSION_ID_MAX];
	char resume_url[GW_URL_MAX];
	int64_t seq;
};

struct gw_stats {
	uint64_t identifies, resumes, reconnects, zombies, heartbeats, acks, dispatches;
	uint64_t sends_deferred;
	int64_t last_ack_ms;       /* -1 before the first */
	int64_t heartbeat_interval_ms;
	int64_t beat_delay_max_ms; /* worst lateness of a heartbeat behind its schedule */
	uint64_t beats_late;       /* beats sent more than GW_BEAT_LATE_MS late */
	uint64_t acks_behind;      /* beats due with the ACK not read yet but payloads arriving */
	uint64_t reconnects_by[GW_REASON_COUNT]; /* connections lost, by why */
	uint64_t resumes_by[GW_REASON_COUNT];    /* RESUMED after a loss, by why it was lost */
	int64_t ack_latency_last_ms; /* heartbeat sent -> ACK; -1 before the first */
	int64_t ack_latency_max_ms;  /* the worst seen; -1 before the first */
	enum gw_reason last_reason;  /* why the last connection ended */
};

struct gateway;

/* NULL when the config is invalid (no token or url, bad shard). */
struct gateway *gateway_new(const struct gateway_config *cfg, const struct gateway_io *io);
void gateway_free(struct gateway *gw);

/* A session saved by a previous run: the first connect resumes it. */
void gateway_set_session(struct gateway *gw, const struct gw_session *s);
/* Copies the session out; false when there is none. */
bool gateway_get_session(const struct gateway *gw, struct gw_session *ret);

void gateway_start(struct gateway *gw, int64_t now);
void gateway_on_open(struct gateway *gw, int64_t now);
/* One complete (inflated) text payload. */
void gateway_on_message(struct gateway *gw, const char *json, size_t len, int64_t now);
/* The connection ended. by_peer: the server sent a close frame with `code`;
 * otherwise the connection dropped, failed to open, or we closed it. */
void gateway_on_close(struct gateway *gw, int code, bool by_peer, int64_t now);
void gateway_tick(struct gateway *gw, int64_t now);
/* Graceful stop: close with a resumable code and keep the session so that a
 * restart resumes. Idempotent. */
void gateway_stop(struct gateway *gw, int64_t now);

enum gw_state gateway_state(const struct gateway *gw);
const char *gateway_state_name(enum gw_state s);
const struct gw_stats *gateway_stats(const struct gateway *gw);
int gateway_shard_id(const struct gateway *gw);
/* Connections in a row that failed to open (reset when one opens). */
unsigned gateway_connect_fails(const struct gateway *gw);
/* A new URL from GET /gateway/bot for the next new session (copied; a URL
 * that does not fit GW_URL_MAX is ignored). */
void gateway_set_url(struct gateway *gw, const char *url);

/* Payloads allowed in the send window for non-heartbeat sends: the rest is
 * kept for heartbeats (ceil(window / interval) + 1). */
int gateway_send_budget(int64_t heartbeat_interval_ms);

/* Backoff before attempt n (0-based) with jitter r in [0, 2^32): attempt 0
 * is almost immediate, later ones double up to GW_BACKOFF_CAP_MS. */
int64_t gateway_backoff_ms(unsigned attempt, uint32_t r);

/* url + "?v=10&encoding=json[&compress=zlib-stream]" into out; -ENAMETOOLONG
 * when it does not fit, -EINVAL for a url that is not ws:// or wss://. */
int gateway_url(const char *base, bool compress, char *out, size_t size);

#endif
