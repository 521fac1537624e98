/* config_schema.c: scobot's schema, every section and key of scobot.conf with
 * its type, default, check and the one line the example file and the man page
 * show for it.
 *
 * HOW TO ADD A SECTION (e.g. [discord]):
 *  1. config.h: declare its struct; the first member is `bool present;` (set
 *     when the file has the [discord] header, even with no keys, so
 *     "[discord] present" can mean "enable Discord"). Field types follow the
 *     key types: char * (STRING, PATH, SECRET), bool, int64_t (INT), int
 *     (ENUM), enum lang (LANG), struct config_list (LIST).
 *  2. config.h: add one field of that type to struct config.
 *  3. config_schema.c: write its key table, in the order the example file should
 *     show them:
 *       static const struct config_key discord_keys[] = {
 *         {.name = "token", .type = CONFIG_SECRET,
 *          .offset = offsetof(struct config_discord, token), .def = "",
 *          .check = config_check_token,
 *          .doc = "The bot token (prefer token_file or a credential)."},
 *         {.name = "api_base", .type = CONFIG_STRING, .offset = ...,
 *          .def = "https://discord.com/api/v10", .check = config_check_https_url,
 *          .doc = ...},
 *         {.name = "shards", .type = CONFIG_INT, .offset = ..., .def = "auto",
 *          .min = 1, .max = 1000, .word = "auto", .word_value = 0, .doc = ...},
 *       };
 *     Single-value rules go in a key's .check; cross-key rules ("token and
 *     token_file are exclusive") in a config_validate_fn that runs when the
 *     section ends, and its error names the section's header line. A key
 *     with .def = NULL is required (give .example for the example file).
 *     Checks and validators live in config_checks.c (declared in
 *     config_impl.h).
 *  4. config_schema.c: add one row to `sections[]` with FIXED_SECTION(...):
 *       FIXED_SECTION("discord", discord, struct config_discord, discord_keys,
 *                     config_discord_validate, "Discord: ..."),
 *  5. Regenerate the example from the tables (the unit tests
 *     example_file_* in tests/unit/daemon/test-config.c fail until it does):
 *       ninja -C BUILD tests/unit/daemon/scobot-conf-example
 *       BUILD/tests/unit/daemon/scobot-conf-example > config/scobot.conf.example
 * Secrets are loaded at run time with secret_load() (secret.h) from the
 * section's token / token_file values and the systemd credential name. */
#include "daemon/config_impl.h"

#include <stddef.h>

#include "util/log.h"

/* Rows both platform sections have, so that a key means the same on each.
 * The cooldown itself is src/core/cooldown.c (GCRA). */
#define COOLDOWN_KEYS(st, group_field, group_word)                                              \
	{.name = "cooldown_count", .type = CONFIG_INT, .offset = offsetof(st, cooldown_count),  \
	 .def = "5", .min = 1, .max = 1000,                                                     \
	 .doc = "Answers one user can get at once; after that one more every "                  \
	        "cooldown_seconds / cooldown_count seconds."},                                  \
	{.name = "cooldown_seconds", .type = CONFIG_INT,                                        \
	 .offset = offsetof(st, cooldown_seconds), .def = "10", .min = 1, .max = 3600,          \
	 .doc = "Time for a used-up allowance to come back whole; the first message over it "   \
	        "gets one short notice (at most one per cooldown_seconds), the rest silence."},  \
	{.name = #group_field, .type = CONFIG_INT, .offset = offsetof(st, group_field),         \
	 .def = "15", .min = 1, .max = 1000,                                                    \
	 .doc = "The same allowance for one " group_word ", all users together."}

#define CA_FILE_KEY(st)                                                                         \
	{.name = "ca_file", .type = CONFIG_PATH, .offset = offsetof(st, ca_file), .def = "",    \
	 .doc = "CA certificates to trust (PEM): a private CA or a self-signed server "         \
	        "certificate; empty: the system store only."}

static const struct config_key general_keys[] = {
	{.name = "prefix", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_general, prefix), .def = "!sco",
	 .check = config_check_prefix,
	 .doc = "Command prefix: 1-16 printable ASCII characters, no spaces."},
	{.name = "facts_dir", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_general, facts_dir), .def = "",
	 .doc = "Directory of fact files (absolute); empty: the facts built into scobot."},
	{.name = "state_dir", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_general, state_dir), .def = "/var/lib/scobot",
	 .doc = "Where per-room languages, sessions and sync tokens are kept (absolute): a "
	        "directory owned by scobot's user and not writable by others, created 0700 if "
	        "missing."},
};

static const struct config_choice log_levels[] = {
	{"error", LOG_LVL_ERROR}, {"warn", LOG_LVL_WARN}, {"notice", LOG_LVL_NOTICE},
	{"info", LOG_LVL_INFO}, {"debug", LOG_LVL_DEBUG}, {NULL, 0},
};

static const struct config_key log_keys[] = {
	{.name = "level", .type = CONFIG_ENUM, .offset = offsetof(struct config_log, level),
	 .def = "info", .choices = log_levels,
	 .doc = "Least severe messages logged: error, warn, notice, info or debug."},
};

static const struct config_key room_keys[] = {
	{.name = "lang", .type = CONFIG_LANG, .offset = offsetof(struct config_room, lang),
	 .def = NULL, .example = "ru",
	 .doc = "Required: the room's default answer language, en, ru or zh."},
};

static const struct config_key discord_keys[] = {
	{.name = "token", .type = CONFIG_SECRET, .offset = offsetof(struct config_discord, token),
	 .def = "", .check = config_check_token,
	 .doc = "The bot token inline (discouraged: prefer token_file or the discord-token credential)."},
	{.name = "token_file", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_discord, token_file), .def = "",
	 .doc = "A file holding the token, mode 0600; $CREDENTIALS_DIRECTORY/discord-token is read too."},
	{.name = "application_id", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, application_id), .def = "",
	 .check = config_check_snowflake, .doc = "The application id; empty: taken from READY."},
	{.name = "message_content", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_discord, message_content), .def = "false",
	 .doc = "Ask for the privileged MESSAGE_CONTENT intent (prefix commands outside DMs and mentions)."},
	{.name = "prefix", .type = CONFIG_STRING, .offset = offsetof(struct config_discord, prefix),
	 .def = "", .check = config_check_platform_prefix,
	 .doc = "Command prefix on Discord: 1-16 printable ASCII characters, no spaces; "
	        "empty: [general] prefix."},
	{.name = "shards", .type = CONFIG_INT, .offset = offsetof(struct config_discord, shards),
	 .def = "auto", .min = 1, .max = 1000, .word = "auto", .word_value = 0,
	 .doc = "Total shard count, or auto for Discord's recommendation."},
	{.name = "shard_ids", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, shard_ids), .def = "", .check = config_check_shard_ids,
	 .doc = "The shards this process runs, e.g. 0-3; empty: all."},
	{.name = "compress", .type = CONFIG_BOOL, .offset = offsetof(struct config_discord, compress),
	 .def = "true", .doc = "zlib-stream transport compression on the gateway."},
	{.name = "api_base", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, api_base), .def = "https://discord.com/api/v10",
	 .check = config_check_https_url,
	 .doc = "REST base URL; https, or http only to a loopback address (tests)."},
	{.name = "state_dir", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_discord, state_dir), .def = "",
	 .doc = "Where sessions and identify counts are kept; empty: [general] state_dir."},
	{.name = "commands_guild", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, commands_guild), .def = "",
	 .check = config_check_snowflake,
	 .doc = "Register slash commands in this guild only (testing); empty: globally."},
	{.name = "register_commands", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_discord, register_commands), .def = "true",
	 .doc = "Compare the slash commands at start and overwrite them only when they differ."},
	COOLDOWN_KEYS(struct config_discord, cooldown_channel_count, "channel"),
	{.name = "rest_timeout_seconds", .type = CONFIG_INT,
	 .offset = offsetof(struct config_discord, rest_timeout_seconds), .def = "15", .min = 1,
	 .max = 300, .doc = "Longest wait for one REST request before it is retried or fails."},
	CA_FILE_KEY(struct config_discord),
	{.name = "coordination", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, coordination), .def = "",
	 .check = config_check_redis_url, .conceal = true,
	 .doc = "Share the token's limits with the other processes through Redis: "
	        "redis://HOST:PORT[/DB] or unix:///path; password: the redis-password credential."},
	{.name = "coordination_share", .type = CONFIG_INT,
	 .offset = offsetof(struct config_discord, coordination_share), .def = "auto", .min = 1,
	 .max = 50, .word = "auto", .word_value = 0,
	 .doc = "Global requests/s this process sends while Redis is away; auto: 50 / processes."},
};

static const struct config_key matrix_keys[] = {
	{.name = "homeserver", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_matrix, homeserver), .def = NULL,
	 .example = "https://matrix.example.org", .check = config_check_https_url,
	 .doc = "Required: the homeserver URL; https, or http only to a loopback address."},
	{.name = "user_id", .type = CONFIG_STRING, .offset = offsetof(struct config_matrix, user_id),
	 .def = NULL, .example = "@scobot:example.org", .doc = "Required: the bot's Matrix user id."},
	{.name = "access_token", .type = CONFIG_SECRET,
	 .offset = offsetof(struct config_matrix, access_token), .def = "",
	 .check = config_check_token,
	 .doc = "Access token inline (discouraged: prefer token_file or the matrix-token credential)."},
	{.name = "token_file", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_matrix, token_file), .def = "",
	 .doc = "A file holding the access token; $CREDENTIALS_DIRECTORY/matrix-token is read too."},
	{.name = "password", .type = CONFIG_SECRET, .offset = offsetof(struct config_matrix, password),
	 .def = "", .doc = "Password for m.login.password when no token is given; the token is then stored."},
	{.name = "device_id", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_matrix, device_id), .def = "SCOBOT",
	 .doc = "Stable device id used for password login."},
	{.name = "state_dir", .type = CONFIG_PATH, .offset = offsetof(struct config_matrix, state_dir),
	 .def = "", .doc = "Where the sync token and answered events are kept; empty: [general] state_dir."},
	{.name = "auto_join", .type = CONFIG_LIST, .offset = offsetof(struct config_matrix, auto_join),
	 .def = "", .doc = "Inviters or rooms whose invites are accepted; empty: any."},
	{.name = "prefix", .type = CONFIG_STRING, .offset = offsetof(struct config_matrix, prefix),
	 .def = "", .check = config_check_platform_prefix,
	 .doc = "Command prefix on Matrix: 1-16 printable ASCII characters, no spaces; "
	        "empty: [general] prefix."},
	{.name = "encrypted_room_notice", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_matrix, encrypted_room_notice), .def = "true",
	 .doc = "Post one plain notice in encrypted rooms (scobot cannot read them)."},
	{.name = "encrypted_room_notice_text", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_matrix, encrypted_room_notice_text), .def = "",
	 .doc = "The text of that notice; empty: a built-in English sentence."},
	COOLDOWN_KEYS(struct config_matrix, cooldown_room_count, "room"),
	{.name = "stall_alarm_minutes", .type = CONFIG_INT,
	 .offset = offsetof(struct config_matrix, stall_alarm_minutes), .def = "10", .min = 1,
	 .max = 1440, .doc = "Log an alarm when the sync has not advanced for this long."},
	CA_FILE_KEY(struct config_matrix),
};

static const struct config_key service_keys[] = {
	{.name = "ready_timeout_seconds", .type = CONFIG_INT,
	 .offset = offsetof(struct config_service, ready_timeout_seconds), .def = "60", .min = 1,
	 .max = 3600,
	 .doc = "Report ready to systemd after this long even if a platform has not connected (keep it below TimeoutStartSec)."},
	{.name = "stall_seconds", .type = CONFIG_INT,
	 .offset = offsetof(struct config_service, stall_seconds), .def = "90", .min = 1,
	 .max = 3600,
	 .doc = "A platform with no progress (heartbeat ACK, sync) for this long is unhealthy and the watchdog stops; keep it above 45."},
};

static const struct config_key metrics_keys[] = {
	{.name = "listen", .type = CONFIG_STRING, .offset = offsetof(struct config_metrics, listen),
	 .def = "", .check = config_check_listen,
	 .doc = "Serve GET /healthz and /metrics on this address, e.g. 127.0.0.1:9464; empty: off. "
	        "Only a loopback address unless listen_public = yes."},
	{.name = "listen_public", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_metrics, listen_public), .def = "false",
	 .doc = "Allow listen on a non-loopback or wildcard address (0.0.0.0, [::]): the listener "
	        "has no authentication or TLS, so only behind a firewall."},
};

#define FIXED_SECTION(name_, field, type, keys_, validate_, doc_)                     \
	{.name = name_, .doc = doc_, .keys = keys_, .nkeys = ARRAY_SIZE(keys_),             \
	 .offset = offsetof(struct config, field),                                          \
	 .present_offset = offsetof(type, present), .validate = validate_}

static const struct config_section sections[] = {
	FIXED_SECTION("general", general, struct config_general, general_keys, NULL,
	              "[general]: how scobot answers and where it keeps its state."),
	FIXED_SECTION("log", log, struct config_log, log_keys, NULL,
	              "[log]: what goes to the journal (or stderr)."),
	FIXED_SECTION("discord", discord, struct config_discord, discord_keys,
	              config_discord_validate,
	              "[discord]: its presence turns the Discord bot on."),
	FIXED_SECTION("matrix", matrix, struct config_matrix, matrix_keys,
	              config_matrix_validate,
	              "[matrix]: its presence turns the Matrix bot on."),
	FIXED_SECTION("service", service, struct config_service, service_keys, NULL,
	              "[service]: readiness and health under systemd."),
	FIXED_SECTION("metrics", metrics, struct config_metrics, metrics_keys,
	              config_metrics_validate,
	              "[metrics]: the optional HTTP listener for health checks and Prometheus."),
	{.name = "room", .family = true, .keys = room_keys, .nkeys = ARRAY_SIZE(room_keys),
	 .present_offset = (size_t)-1, .item_size = sizeof(struct config_room),
	 .items_offset = offsetof(struct config, rooms),
	 .count_offset = offsetof(struct config, nrooms),
	 .id_offset = offsetof(struct config_room, id), .parse_id = config_room_parse_id,
	 .example_id = "discord:123456789012345678",
	 .doc = "[room discord:<channel id>] or [room matrix:<room id>]: "
	        "a room's default language."},
};

const struct config_schema config_schema = {sections, ARRAY_SIZE(sections)};
