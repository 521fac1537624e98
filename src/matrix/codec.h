/* codec.h: Matrix client-server JSON <-> C structs (cJSON), pure: no I/O, no
 * clock, no logging, no globals, so it can be unit-tested and fuzzed alone.
 *
 * Parsing is tolerant: unknown fields are ignored, every field's type is checked,
 * an element of the wrong type is skipped and counted, and counts are bounded.
 * Only an envelope that is not usable at all (invalid JSON, no string next_batch)
 * is an error. Spec: matrix-org/matrix-spec data/api/client-server/sync.yaml. */
#ifndef SCOBOT_MATRIX_CODEC_H
#define SCOBOT_MATRIX_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MX_ID_MAX 255               /* bytes of an id (CS: Identifier Grammar limit) */
#define MX_SYNC_MAX_ROOMS 4096      /* rooms per sync response, count */
#define MX_SYNC_MAX_EVENTS 200      /* timeline or state events per room, count */
#define MX_TXN_ID_SIZE 48           /* bytes of a txnId buffer, with NUL */
#define MX_ERRCODE_SIZE 64          /* bytes of an errcode buffer, with NUL */

struct cJSON;

/* One event; every pointer borrows from the parsed tree and is NULL when the
 * field is absent or of the wrong type. */
struct mx_event {
	const char *event_id;
	const char *sender;
	const char *type;
	const char *state_key;       /* non-NULL for state events */
	int64_t origin_server_ts;    /* 0 when absent */
	const char *msgtype;
	const char *body;
	size_t body_len;
	const char *formatted_body;  /* only when format is org.matrix.custom.html */
	const char *in_reply_to;     /* content.m.relates_to.m.in_reply_to.event_id */
	const char *rel_type;        /* content.m.relates_to.rel_type ("m.replace", ...) */
	const char *rel_event_id;    /* content.m.relates_to.event_id (a thread root, ...) */
	const char *membership;      /* m.room.member content.membership */
	const char *displayname;     /* m.room.member content.displayname */
	const struct cJSON *mention_ids; /* content.m.mentions.user_ids (array) */
};

enum mx_room_kind { MX_ROOM_JOIN, MX_ROOM_INVITE, MX_ROOM_LEAVE };

struct mx_room {
	const char *room_id;
	enum mx_room_kind kind;
	struct mx_event *timeline;   /* join/leave: timeline.events, in order */
	size_t n_timeline;
	struct mx_event *state;      /* join: state.events; invite: invite_state.events */
	size_t n_state;
	bool limited;                /* timeline.limited: a gap before the timeline */
	const char *prev_batch;
	int64_t joined_count;        /* summary m.joined_member_count; -1 when absent */
	bool encrypted;              /* m.room.encryption in state/timeline/invite state,
	                                or an m.room.encrypted event in the timeline */
	const char *inviter;         /* invite: sender of our own invite member event */
};

struct mx_sync {
	struct cJSON *root;          /* owns every string above */
	const char *next_batch;
	struct mx_room *rooms;
	size_t n_rooms;
	size_t skipped;              /* elements ignored for a wrong type or over a bound */
};

/* Parses a /sync response. me is the bot's user id (to find its invites).
 * Returns 0 and *ret_sync (free with mx_sync_free), or -EBADMSG for invalid JSON,
 * a non-object, or a missing/non-string/empty/overlong next_batch. */
int mx_sync_parse(const char *json, size_t len, const char *me, struct mx_sync **ret_sync);
void mx_sync_free(struct mx_sync *s);

/* A /rooms/{roomId}/messages page (API: message_pagination.yaml). */
struct mx_messages {
	struct cJSON *root;          /* owns every string */
	struct mx_event *events;     /* chunk, oldest first whatever the dir was */
	size_t n_events;
	const char *end;             /* token for the next page; NULL: no more */
	size_t skipped;
};

/* Parses a /messages response fetched with dir=b (the chunk comes newest
 * first and is returned oldest first). At most MX_SYNC_MAX_EVENTS events.
 * 0 and *ret (free with mx_messages_free), or -EBADMSG for invalid JSON, a
 * non-object or a missing or non-array chunk. */
int mx_messages_parse(const char *json, size_t len, struct mx_messages **ret);
void mx_messages_free(struct mx_messages *p);

/* True when the event's m.mentions.user_ids holds user. */
bool mx_event_mentions(const struct mx_event *ev, const char *user);

/* A standard error body (CS: Standard error response). Copies errcode ("" when
 * none) and retry_after_ms (-1 when absent or not a non-negative integer). Never
 * fails: a body that is not JSON leaves errcode "" and retry -1. */
void mx_parse_error(const char *json, size_t len, char errcode[MX_ERRCODE_SIZE],
		    int64_t *ret_retry_after_ms);

/* Reads a GET /joined_rooms response (CS API: list_joined_rooms.yaml,
 * {"joined_rooms": [room ids]}) and calls each() for at most max valid room
 * ids, skipping anything that is not one. The count passed on, or -EBADMSG
 * when the body is not an object with a joined_rooms array. */
int mx_joined_rooms_parse(const char *json, size_t len, size_t max,
			  void (*each)(void *ctx, const char *room_id), void *ctx);

/* Reads the string field `key` of a JSON object body into a malloc'd copy.
 * -EBADMSG when the body is not an object or the field is missing, not a
 * string, empty or longer than max bytes. */
int mx_parse_string_field(const char *json, size_t len, const char *key, size_t max,
			  char **ret);

/* Builders: malloc'd NUL-terminated JSON strings (free with free()). */
/* The sync filter: timeline/state only m.room.message, m.room.member,
 * m.room.encrypted, m.room.encryption; lazy-loaded members; no presence,
 * account data or ephemeral events; a small timeline limit. */
/* The sync filter: only the event types scobot reads, none of the bot's own
 * events (so its replies do not wake its long-poll), no presence or account
 * data, lazy-loaded members. me may be NULL. */
char *mx_build_filter(int timeline_limit, const char *me);
/* m.login.password with a m.id.user identifier and a stable device_id. */
char *mx_build_login(const char *user, const char *password, const char *device_id);
/* An m.notice with body, optional HTML (org.matrix.custom.html) and optional
 * reply relation; always carries an empty m.mentions so nobody is pinged.
 * thread_root (or NULL) keeps the reply in that thread (MOD threading.md). */
char *mx_build_notice(const char *body, const char *html, const char *in_reply_to,
		      const char *thread_root);

/* Offset into body after a rich-reply fallback ("> " quoted lines and the blank
 * line after them, MOD rich_replies.md); 0 when there is none. */
size_t mx_strip_reply_fallback(const char *body, size_t len);
/* A malloc'd copy of formatted_body without any <mx-reply>...</mx-reply> block. */
char *mx_strip_mx_reply(const char *html);

/* A deterministic transaction id for what scobot sends because of `seed` (an
 * event id or room id): "scobot.<kind>.<32 hex>". Same input, same id, so a
 * retry or a restart re-uses it and the homeserver dedupes the send. */
void mx_txn_id(char kind, const char *seed, char out[MX_TXN_ID_SIZE]);

#endif
