/* config_checks.c: the rules a scobot.conf value or section must follow
 * beyond its type: tokens, URLs, prefixes, ids, addresses, the keys that
 * exclude each other, and the mode of a file that holds a secret. */
#include "daemon/config_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "net/httpd.h"
#include "net/redis.h"
#include "util/url.h"

int config_check_token(const char *v, char *why, size_t whysize)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, whysize, "contains spaces or control characters");
			return -EINVAL;
		}
	return 0;
}

/* The rule is util/url.c's, shared with the adapters, so that what the
 * check accepts the daemon accepts. */
int config_check_https_url(const char *v, char *why, size_t whysize)
{
	enum url_verdict verdict = url_check(v, URL_HTTP);
	if (verdict != URL_OK) {
		snprintf(why, whysize, "%s", url_verdict_text(verdict));
		return -EINVAL;
	}
	return 0;
}

#define PREFIX_MAX 16 /* bytes */

int config_check_prefix(const char *v, char *why, size_t whysize)
{
	size_t n = strlen(v);
	bool ok = n >= 1 && n <= PREFIX_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = v[i] > ' ' && v[i] < 0x7f;
	if (!ok) {
		snprintf(why, whysize,
		         "expected 1-%d printable ASCII characters without spaces", PREFIX_MAX);
		return -EINVAL;
	}
	return 0;
}

/* [discord] and [matrix] prefix: empty means [general] prefix; anything
 * else follows the same rule. */
int config_check_platform_prefix(const char *v, char *why, size_t whysize)
{
	return *v ? config_check_prefix(v, why, whysize) : 0;
}

/* Matrix room ids are at most 255 bytes (client-server API, "Room IDs"). */
#define MATRIX_ROOM_ID_MAX 255
/* A Discord snowflake is a 64-bit integer: at most 20 decimal digits. */
#define SNOWFLAKE_DIGITS_MAX 20

int config_room_parse_id(const char *id, void *item, char *why, size_t whysize)
{
	struct config_room *r = item;
	const char *colon = strchr(id, ':');
	size_t n;

	if (!colon) {
		snprintf(why, whysize, "expected discord:<channel id> or matrix:<room id>");
		return -EINVAL;
	}
	const char *room = colon + 1;
	n = strlen(room);
	if ((size_t)(colon - id) == 7 && memcmp(id, "discord", 7) == 0) {
		bool ok = n >= 1 && n <= SNOWFLAKE_DIGITS_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = room[i] >= '0' && room[i] <= '9';
		if (!ok) {
			snprintf(why, whysize, "a Discord channel id is 1-%d digits",
			         SNOWFLAKE_DIGITS_MAX);
			return -EINVAL;
		}
		r->platform = "discord";
	} else if ((size_t)(colon - id) == 6 && memcmp(id, "matrix", 6) == 0) {
		const char *sep = strchr(room, ':');
		bool ok = room[0] == '!' && sep && sep > room + 1 && sep[1] && n <= MATRIX_ROOM_ID_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = (unsigned char)room[i] > ' ';
		if (!ok) {
			snprintf(why, whysize,
			         "a Matrix room id looks like !opaque:server.name (aliases are not "
			         "supported)");
			return -EINVAL;
		}
		r->platform = "matrix";
	} else {
		snprintf(why, whysize, "unknown platform; expected discord or matrix");
		return -EINVAL;
	}
	r->room = room;
	return 0;
}

int config_check_shard_ids(const char *v, char *why, size_t whysize)
{
	int a, b, n = 0;
	if (!*v)
		return 0;
	if (sscanf(v, "%d-%d%n", &a, &b, &n) == 2 && v[n] == '\0' && a >= 0 && b >= a &&
	    b < 1000)
		return 0;
	if (sscanf(v, "%d%n", &a, &n) == 1 && v[n] == '\0' && a >= 0 && a < 1000)
		return 0;
	snprintf(why, whysize, "expected a shard id or a range like 0-3");
	return -EINVAL;
}

int config_check_redis_url(const char *v, char *why, size_t whysize)
{
	struct redis_target t;
	return *v ? redis_url_parse(v, &t, why, whysize) : 0;
}

int config_check_snowflake(const char *v, char *why, size_t whysize)
{
	size_t n = strlen(v);
	bool ok = n <= SNOWFLAKE_DIGITS_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = v[i] >= '0' && v[i] <= '9';
	if (!ok) {
		snprintf(why, whysize, "expected a Discord id (digits)");
		return -EINVAL;
	}
	return 0;
}

int config_check_listen(const char *v, char *why, size_t whysize)
{
	if (*v && httpd_parse_listen(v) < 0) {
		snprintf(why, whysize,
		         "expected a numeric address and port, like 127.0.0.1:9464 or [::1]:9464");
		return -EINVAL;
	}
	return 0;
}

/* "127.0.0.1:9464" or "[::1]:9464" (already checked by config_check_listen). */
static bool listen_is_loopback(const char *listen)
{
	const char *end = listen[0] == '[' ? strchr(listen, ']') : strrchr(listen, ':');
	if (!end)
		return false;
	size_t n = (size_t)(end - listen) + (listen[0] == '[');
	return url_host_is_loopback(listen, n);
}

/* /metrics and /healthz have no authentication and the listener is a small
 * server meant for a local scraper: on the network it shows the bot's
 * traffic to anyone and invites floods, so that takes an explicit yes. */
int config_metrics_validate(const void *section, char *why, size_t whysize)
{
	const struct config_metrics *m = section;
	if (*m->listen && !m->listen_public && !listen_is_loopback(m->listen)) {
		snprintf(why, whysize,
		         "listen is not a loopback address (127.0.0.0/8 or [::1]); /metrics has no "
		         "authentication, so set listen_public = yes to serve it on the network");
		return -EINVAL;
	}
	return 0;
}

int config_discord_validate(const void *section, char *why, size_t whysize)
{
	const struct config_discord *d = section;
	if (*d->token && *d->token_file) {
		snprintf(why, whysize, "token and token_file exclude each other");
		return -EINVAL;
	}
	return 0;
}

int config_matrix_validate(const void *section, char *why, size_t whysize)
{
	const struct config_matrix *m = section;
	if (*m->access_token && *m->token_file) {
		snprintf(why, whysize, "access_token and token_file exclude each other");
		return -EINVAL;
	}
	return 0;
}

static bool has_secret_value(const struct config_section *s, const void *base)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct config_key *k = &s->keys[i];
		if (k->type != CONFIG_SECRET)
			continue;
		const char *v = *FIELD(base, k->offset, const char *);
		if (v && *v)
			return true;
	}
	return false;
}

static bool schema_has_secret(const struct config_schema *schema, const void *root)
{
	for (size_t i = 0; i < schema->nsections; i++) {
		const struct config_section *s = &schema->sections[i];
		if (!s->family) {
			if (has_secret_value(s, FIELD(root, s->offset, const char)))
				return true;
			continue;
		}
		const char *items = *FIELD(root, s->items_offset, const char *);
		size_t count = *FIELD(root, s->count_offset, const size_t);
		for (size_t j = 0; j < count; j++)
			if (has_secret_value(s, items + j * s->item_size))
				return true;
	}
	return false;
}

/* The same rule as for token files (OpenBSD check_file_secrecy) and as
 * scobot.conf(5) states it: no permission bit for group or others. */
int config_check_secret_file_mode(const struct config_schema *schema, const void *root,
                                  const char *path, mode_t mode, char *err, size_t errsize)
{
	if (schema_has_secret(schema, root) && (mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errsize,
		         "%s holds a secret but is accessible by group or others "
		         "(mode %04o); chmod 600 it or use a token file",
		         path, (unsigned)(mode & 07777));
		return -EINVAL;
	}
	return 0;
}
