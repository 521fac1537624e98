/* config_impl.h: what the config files share (field access by offset, typed
 * values, and the checks and validators scobot's schema table names); only
 * src/daemon/config*.c may include it. */
#ifndef SCOBOT_DAEMON_CONFIG_IMPL_H
#define SCOBOT_DAEMON_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "daemon/config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

/* config_value.c. Parses v into the key's field; on failure the field is
 * unchanged and `why` says what was expected, without the value. */
int config_set_value(const struct config_key *k, void *base, const char *v, char *why,
                     size_t whysize);
/* Every key of s to its default (required keys to "unset"); aborts on a bad
 * default in the table. */
void config_set_defaults(const struct config_section *s, void *base);
/* Length, control characters and UTF-8 of any text value. */
int config_check_text(const char *v, char *why, size_t whysize);

/* config_checks.c: single-value checks and section validators. */
config_check_fn config_check_prefix;
config_check_fn config_check_platform_prefix;
config_check_fn config_check_shard_ids;
config_check_fn config_check_redis_url;
config_check_fn config_check_snowflake;
config_check_fn config_check_listen;
config_parse_id_fn config_room_parse_id;
config_validate_fn config_discord_validate;
config_validate_fn config_matrix_validate;
config_validate_fn config_metrics_validate;
/* 0, or -EINVAL with err filled when root holds a secret and the file's mode
 * lets group or others in. */
int config_check_secret_file_mode(const struct config_schema *schema, const void *root,
                                  const char *path, mode_t mode, char *err, size_t errsize);

#endif
