/* codec.h: Discord JSON <-> C structs (gateway payloads, events, REST bodies,
 * the slash command manifest); pure: no I/O, no clock, no logging, no globals.
 *
 * Parsed structs point into the cJSON tree they came from, so they live as long
 * as the owning struct dc_payload. Every field's type is checked; a field of
 * the wrong type is treated as absent, unknown fields and events are ignored.
 * Snowflakes stay strings. Builders return a malloc'd NUL-terminated JSON text
 * (free with free()) or NULL when an input is out of bounds. */
#ifndef SCOBOT_DISCORD_CODEC_H
#define SCOBOT_DISCORD_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/answer.h"
#include "core/lang.h"

struct cJSON;

/* developers/events/gateway.mdx "Sending Events" */
#define DC_GATEWAY_MAX_SEND 4096      /* bytes per outgoing gateway payload */
/* developers/resources/message.mdx "Create Message" */
#define DC_CONTENT_MAX 2000           /* characters (code points) per message */
#define DC_NONCE_MAX 25               /* characters of a nonce */
#define DC_EMBED_DESC_MAX 4096        /* characters of an embed description */
#define DC_EMBED_FIELD_NAME_MAX 256   /* characters */
#define DC_EMBED_FIELD_VALUE_MAX 1024 /* characters */
/* developers/interactions/receiving-and-responding.mdx "Autocomplete" */
#define DC_AUTOCOMPLETE_MAX 25        /* choices per autocomplete answer */
#define DC_SNOWFLAKE_MAX 24           /* bytes of a snowflake string, NUL included */
#define DC_EVENT_NAME_MAX 64          /* bytes of an event name, NUL included */
#define DC_OPTIONS_MAX 8              /* subcommand options kept from an interaction */

/* developers/topics/opcodes-and-status-codes.mdx "Gateway Opcodes" */
enum dc_op {
	DC_OP_DISPATCH = 0,
	DC_OP_HEARTBEAT = 1,
	DC_OP_IDENTIFY = 2,
	DC_OP_PRESENCE = 3,
	DC_OP_RESUME = 6,
	DC_OP_RECONNECT = 7,
	DC_OP_INVALID_SESSION = 9,
	DC_OP_HELLO = 10,
	DC_OP_HEARTBEAT_ACK = 11,
};

/* developers/events/gateway.mdx "List of Intents" */
#define DC_INTENT_GUILDS (1u << 0)
#define DC_INTENT_GUILD_MESSAGES (1u << 9)
#define DC_INTENT_DIRECT_MESSAGES (1u << 12)
#define DC_INTENT_MESSAGE_CONTENT (1u << 15)

/* One gateway payload (developers/events/gateway-events.mdx "Payload Structure"). */
struct dc_payload {
	int op;
	bool has_seq;
	int64_t seq;
	char t[DC_EVENT_NAME_MAX];  /* "" when null or absent */
	const struct cJSON *d;      /* NULL when absent; may be JSON null */
	struct cJSON *root;         /* owns everything above */
};

/* Parses one payload. -EINVAL for invalid JSON, a non-object, or an op that is
 * not an integer; *ret is untouched then. Free with dc_payload_free. */
int dc_payload_parse(const char *json, size_t len, struct dc_payload *ret);
void dc_payload_free(struct dc_payload *p);

/* Hello: heartbeat_interval in ms, > 0. -EINVAL otherwise. */
int dc_parse_hello(const struct cJSON *d, int64_t *ret_interval_ms);

/* op 9: d is a boolean "resumable"; anything else counts as false. */
bool dc_parse_invalid_session(const struct cJSON *d);

struct dc_ready {
	const char *session_id;
	const char *resume_gateway_url;
	const char *user_id;
	const char *application_id;  /* NULL when absent */
	size_t guild_count;
};
/* READY: session_id, resume_gateway_url and user.id are required strings. */
int dc_parse_ready(const struct cJSON *d, struct dc_ready *ret);

/* GET /gateway/bot (gateway.mdx "Get Gateway Bot"). Points into root. */
struct dc_gateway_bot {
	const char *url;          /* NULL when absent or not a string */
	int shards;               /* recommended; 1 when absent or outside 1-65536 */
	bool has_limit;           /* session_start_limit has remaining and reset_after */
	int remaining, max_concurrency;  /* max_concurrency 1 when absent */
	int64_t reset_after_ms;
	struct cJSON *root;       /* owns the strings above */
};
/* -EINVAL (ret untouched) when body is not JSON; free with dc_gateway_bot_free. */
int dc_parse_gateway_bot(const char *body, size_t len, struct dc_gateway_bot *ret);
void dc_gateway_bot_free(struct dc_gateway_bot *g);

struct dc_message {
	const char *id;
	const char *channel_id;
	const char *guild_id;       /* NULL in DMs */
	const char *author_id;
	const char *content;        /* "" when absent (no MESSAGE_CONTENT intent) */
	size_t content_len;
	bool author_bot;            /* bots, system users and webhooks */
	bool mentions_user;         /* mentions contains the self id given */
	int type;                   /* 0 default, 19 reply, ... */
};
/* MESSAGE_CREATE: id, channel_id and author.id are required. */
int dc_parse_message(const struct cJSON *d, const char *self_id, struct dc_message *ret);

/* developers/interactions/receiving-and-responding.mdx "Interaction Type" */
enum dc_interaction_type {
	DC_INTERACTION_PING = 1,
	DC_INTERACTION_COMMAND = 2,
	DC_INTERACTION_COMPONENT = 3,
	DC_INTERACTION_AUTOCOMPLETE = 4,
	DC_INTERACTION_MODAL = 5,
};

struct dc_option {
	const char *name;
	const char *value;          /* string options only; others are skipped */
	bool focused;
};

struct dc_interaction {
	const char *id;
	const char *token;
	const char *application_id;
	const char *channel_id;     /* NULL when absent */
	const char *guild_id;       /* NULL in DMs */
	const char *user_id;        /* member.user.id or user.id */
	const char *locale;         /* NULL when absent */
	int type;
	const char *command;        /* data.name: "sco" */
	const char *subcommand;     /* first option of type 1, or NULL */
	size_t n_options;
	struct dc_option options[DC_OPTIONS_MAX];
};
/* INTERACTION_CREATE: id, token and type are required. */
int dc_parse_interaction(const struct cJSON *d, struct dc_interaction *ret);

struct dc_identify {
	const char *token;
	uint32_t intents;
	int shard_id, shard_count;
	const char *presence_text;  /* "!sco help": shown as "Watching !sco help" */
};
char *dc_build_identify(const struct dc_identify *id);
char *dc_build_resume(const char *token, const char *session_id, int64_t seq);
/* has_seq false sends d: null. */
char *dc_build_heartbeat(bool has_seq, int64_t seq);

/* The nonce for reply `part` of the message `message_id`: "r<id>" for part 0,
 * "r<id>.<part>" after; at most DC_NONCE_MAX characters (an id longer than a
 * snowflake is hashed). out must hold DC_NONCE_MAX + 1 bytes. */
void dc_reply_nonce(const char *message_id, unsigned part, char prefix, char *out);

/* Cuts text into message-sized parts: returns the byte length of the first
 * part, at most max_chars code points, preferring the last line break, then a
 * space, and never inside a UTF-8 sequence. len when everything fits. */
size_t dc_split_content(const char *text, size_t len, size_t max_chars);

/* POST /channels/{id}/messages body: content, allowed_mentions {parse: []},
 * message_reference {message_id, fail_if_not_exists: false} when reply_to is
 * not NULL, nonce + enforce_nonce: true when nonce is not NULL. NULL when the
 * content is over DC_CONTENT_MAX characters. */
char *dc_build_message(const char *content, size_t len, const char *reply_to,
                       const char *nonce);
/* The same with one embed (title, description, fields) rendered from an
 * answer that has fields. NULL if the answer has none. */
char *dc_build_embed_message(const struct answer *a, const char *reply_to,
                             const char *nonce);

/* POST /interactions/{id}/{token}/callback, type 4, with flags 64 (ephemeral)
 * when asked. */
char *dc_build_interaction_reply(const char *content, size_t len, bool ephemeral);
/* type 4 with the answer as one embed (it has fields); NULL without fields. */
char *dc_build_interaction_embed(const struct answer *a, bool ephemeral);
/* POST /webhooks/{app}/{token}: the parts of a long answer after the first. */
char *dc_build_followup(const char *content, size_t len, bool ephemeral);
/* type 8 with up to DC_AUTOCOMPLETE_MAX choices (name = value). */
char *dc_build_autocomplete(const char (*choices)[101], size_t n);

/* The wanted application commands: one chat-input command "sco" whose
 * subcommands mirror the command table (commands_list), plus "ask", with
 * name/description localizations for "ru" and "zh-CN". Caller frees with
 * cJSON_Delete. */
struct cJSON *dc_manifest_build(void);
/* True when `have` (GET .../commands) already matches `want`: same commands,
 * descriptions, options and localizations; fields Discord adds (id, version,
 * application_id, ...) and defaults spelled out are ignored. */
bool dc_manifest_equal(const struct cJSON *want, const struct cJSON *have);

/* Translates a slash interaction into the text command the engine reads
 * ("sg 2011", "help", or the question for "ask"). Writes at most size bytes
 * (NUL included); returns the length, or -EINVAL if it is not a /sco command. */
int dc_interaction_text(const struct dc_interaction *in, char *out, size_t size);

/* Snowflake check: 1-20 ASCII digits. */
bool dc_is_snowflake(const char *s);

#endif
