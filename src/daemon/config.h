/* config.h: scobot.conf as a typed struct, read from const schema tables.
 *
 * Every key is described once (name, type, where it lives, default, one line
 * of documentation) and parsing, validation, defaults and the example file
 * all come from that description. See the comment at the top of
 * config_schema.c for how to add a section. Nothing below src/daemon includes
 * this header. */
#ifndef SCOBOT_DAEMON_CONFIG_H
#define SCOBOT_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/lang.h"

/* Largest config file read (bytes). */
#define CONFIG_MAX_BYTES (1024 * 1024)
/* Keys in one section; duplicate detection keeps a line number per key. */
#define CONFIG_MAX_KEYS 64
/* Sections in one file; also keeps the repeated-section check cheap. */
#define CONFIG_MAX_SECTIONS 4096
/* Items in one list value. */
#define CONFIG_LIST_MAX 256
/* Longest string value (bytes). */
#define CONFIG_VALUE_MAX 4096
/* Longest path value (bytes), including nothing else. */
#define CONFIG_PATH_MAX 4095
/* A good size (bytes) for the err buffer of the load functions. */
#define CONFIG_ERR_SIZE 512

/* ---- the schema ---------------------------------------------------------- */

enum config_type {
	CONFIG_STRING, /* char *, never NULL after load; "" is unset */
	CONFIG_BOOL,   /* bool: true/false, yes/no, on/off, 1/0 */
	CONFIG_INT,    /* int64_t in [min, max], or `word` meaning word_value */
	CONFIG_ENUM,   /* int: the value of one of `choices` */
	CONFIG_LANG,   /* enum lang: en, ru or zh (LANG_NONE when unset) */
	CONFIG_LIST,   /* struct config_list: comma/space separated items */
	CONFIG_PATH,   /* char *: an absolute path, or "" for unset */
	CONFIG_SECRET, /* char *: never echoed in errors, zeroed when freed */
};

struct config_choice {
	const char *name;
	int value;
};

struct config_list {
	char **items;
	size_t n;
};

/* Extra check for a string, path or list item: 0, or -EINVAL with `why`
 * filled by the check ("expected ..."). The value itself must not be put into
 * `why`: the framework appends its length and kinds of characters, never the
 * value (a token pasted into the wrong key must not be echoed). */
typedef int config_check_fn(const char *value, char *why, size_t whysize);

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;   /* of the field inside its section struct */
	const char *def; /* default, written as in the file; NULL: required */
	const char *doc; /* one line for the example file */
	int64_t min, max;                     /* CONFIG_INT */
	const char *word;                     /* CONFIG_INT: e.g. "auto" ... */
	int64_t word_value;                   /* ... stored as this */
	const struct config_choice *choices;  /* CONFIG_ENUM: ends with {NULL} */
	config_check_fn *check;               /* STRING, PATH, SECRET, LIST items */
	const char *example; /* required keys: the value the example file shows */
	bool conceal;        /* errors never show the value: a URL may hold a pasted password */
};

/* A check for token keys (CONFIG_SECRET): no spaces or control characters. */
config_check_fn config_check_token;

/* A check for base URLs that carry a token: https://, or http:// only to a
 * loopback host (127.0.0.0/8, [::1], localhost), which is what tests use. */
config_check_fn config_check_https_url;

/* Checks a whole section after its last key (e.g. "token and token_file are
 * exclusive"): 0, or -EINVAL with `why` filled. Never put a secret in `why`. */
typedef int config_validate_fn(const void *section, char *why, size_t whysize);

/* Family sections ("[room discord:123]"): parses the text after the family
 * name into the item (the id string itself is owned by the item at
 * id_offset and stays valid while the config lives). */
typedef int config_parse_id_fn(const char *id, void *item, char *why, size_t whysize);

struct config_section {
	const char *name;  /* "general", or the family word ("room") */
	const char *doc;   /* one line for the example file */
	const struct config_key *keys;
	size_t nkeys;
	size_t offset;         /* fixed: the section struct inside the root struct */
	size_t present_offset; /* fixed: a bool in the section struct, set when the
	                        * file has the [section] header, even with no keys */
	config_validate_fn *validate;
	/* families only (family = true): */
	bool family;
	size_t item_size;      /* the item struct */
	size_t items_offset;   /* root: pointer to the item array */
	size_t count_offset;   /* root: size_t count */
	size_t id_offset;      /* item: char *id */
	config_parse_id_fn *parse_id;
	const char *example_id; /* the id the example file shows */
};

struct config_schema {
	const struct config_section *sections;
	size_t nsections;
};

/* The generic machinery, usable with any schema (tests use their own).
 * `root` is a caller-owned struct laid out as the schema says. */

/* Sets every key to its default; root must be zeroed. Aborts if a default in
 * the table does not parse (a bug caught by the unit tests). */
void config_schema_defaults(const struct config_schema *schema, void *root);
/* Parses `text` on top of root. `name` is used in messages ("scobot.conf").
 * 0, or -EINVAL with err = "name:line: [section] key: reason". On failure
 * root holds partial values and must still be freed with config_schema_free. */
int config_schema_parse(const struct config_schema *schema, void *root, const char *name,
                        const char *text, size_t len, char *err, size_t errsize);
/* Reads path (a regular file of at most CONFIG_MAX_BYTES) and parses it.
 * -ENOENT: no such file; other -errno: unreadable; -EINVAL: invalid, or it
 * holds an inline secret while group or others have any permission on it. */
int config_schema_load_file(const struct config_schema *schema, void *root, const char *path,
                            char *err, size_t errsize);
/* Frees every owned value (secrets are zeroed first); pointers become NULL. */
void config_schema_free(const struct config_schema *schema, void *root);
/* Writes an example file: every key commented out with its doc and default. */
void config_schema_write_example(const struct config_schema *schema, FILE *f);

/* ---- scobot's config ----------------------------------------------------- */

struct config_general {
	bool present;
	char *prefix;    /* command prefix, default "!sco" */
	char *facts_dir; /* "" = the facts compiled into the binary */
	char *state_dir; /* per-room languages, sessions, sync tokens */
};

struct config_log {
	bool present;
	int level; /* enum log_level */
};

/* [service]: how scobot behaves under a service manager. */
struct config_service {
	bool present;
	int64_t ready_timeout_seconds; /* READY=1 anyway after this long */
	int64_t stall_seconds;         /* no progress for this long: unhealthy */
};

/* [metrics]: the optional health and metrics listener. */
struct config_metrics {
	bool present;
	char *listen;                  /* "127.0.0.1:9464"; "": off */
	bool listen_public;            /* a non-loopback listen is allowed */
};

/* [room PLATFORM:ID] */
struct config_room {
	char *id;             /* "discord:123...", owned */
	const char *platform; /* "discord" or "matrix" (static) */
	const char *room;     /* points into id, after "platform:" */
	enum lang lang;
};

/* [discord]: present means "serve Discord". */
struct config_discord {
	bool present;
	char *token;             /* inline token (discouraged; prefer a credential) */
	char *token_file;
	char *application_id;    /* "": taken from READY */
	bool message_content;
	char *prefix;            /* "": [general] prefix */
	int64_t shards;          /* 0: auto */
	char *shard_ids;         /* "first-last" or "": all */
	bool compress;
	char *api_base;
	char *state_dir;         /* "": [general] state_dir */
	char *commands_guild;    /* "": global slash commands */
	bool register_commands;
	int64_t cooldown_count;
	int64_t cooldown_seconds;
	int64_t cooldown_channel_count;
	int64_t rest_timeout_seconds;
	char *ca_file;
	char *coordination;      /* "": none; redis://HOST:PORT[/DB] or unix:///path */
	int64_t coordination_share; /* 0: auto (50 / processes) */
};

/* [matrix]: present means "serve Matrix". */
struct config_matrix {
	bool present;
	char *homeserver;
	char *user_id;
	char *access_token;
	char *token_file;
	char *password;
	char *device_id;
	char *state_dir;         /* "": [general] state_dir */
	struct config_list auto_join;
	char *prefix;            /* "": [general] prefix */
	bool encrypted_room_notice;
	char *encrypted_room_notice_text; /* "": the built-in English sentence */
	int64_t cooldown_count;
	int64_t cooldown_seconds;
	int64_t cooldown_room_count;
	int64_t stall_alarm_minutes;
	char *ca_file;
};

struct config {
	struct config_general general;
	struct config_log log;
	struct config_discord discord;
	struct config_matrix matrix;
	struct config_service service;
	struct config_metrics metrics;
	struct config_room *rooms; /* sorted by platform, then room */
	size_t nrooms;
};

extern const struct config_schema config_schema;

/* Reads and validates path. 0 and *ret_config, or: -ENOENT (the file does not
 * exist), another -errno (cannot read it), -EINVAL (invalid; err names
 * file:line and key). err is always filled on failure. A file holding an
 * inline secret must give group and others no permission (0600 or stricter). */
int config_load(const char *path, struct config **ret_config, char *err, size_t errsize);
/* The same from memory; `name` stands in for the file name in messages. */
int config_load_string(const char *name, const char *text, struct config **ret_config,
                       char *err, size_t errsize);
/* All defaults, as if the file were empty. */
struct config *config_default(void);
void config_free(struct config *config);

/* Sets one key of a fixed section from the command line, with the same
 * checks as the file ("discord", "shard_ids", "0-3"). 0, or -EINVAL with err
 * naming the section and key (or -ENOENT for an unknown or secret key). */
int config_override(struct config *config, const char *section, const char *key,
                    const char *value, char *err, size_t errsize);

/* The per-room default language from [room platform:id], or LANG_NONE. */
enum lang config_room_lang(const struct config *config, const char *platform,
                           const char *room);

/* The documented example (config/scobot.conf.example is this output). */
void config_write_example(FILE *f);

#endif
