/* state.c: loading and atomically saving the Matrix adapter's persistent state
 * as a small JSON file; it must never log or print the token it stores. */
#include "matrix/state.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matrix/codec.h"
#include "util/statefile.h"
#include "util/xalloc.h"

#define STATE_VERSION 1

void mx_state_set(char **field, const char *v)
{
	char *n = v ? xstrdup(v) : NULL;
	free(*field);
	*field = n;
}

void mx_state_clear(struct mx_state *st)
{
	free(st->user_id);
	free(st->device_id);
	if (st->access_token) {
		/* Scrub the token so it does not linger in freed heap memory. */
		volatile char *p = st->access_token;
		while (*p)
			*p++ = 0;
		free(st->access_token);
	}
	free(st->next_batch);
	free(st->filter_id);
	free(st->filter_key);
	for (size_t i = 0; i < MX_STATE_RING; i++)
		free(st->ring[i]);
	for (size_t i = 0; i < MX_STATE_NOTICED; i++)
		free(st->noticed[i]);
	for (size_t i = 0; i < MX_STATE_DUOS; i++)
		free(st->duos[i]);
	memset(st, 0, sizeof(*st));
}

static bool ring_has(char *const *ring, size_t cap, const char *id)
{
	for (size_t i = 0; i < cap; i++)
		if (ring[i] && strcmp(ring[i], id) == 0)
			return true;
	return false;
}

static void ring_add(char **ring, size_t cap, size_t *next, size_t *len, const char *id)
{
	if (ring_has(ring, cap, id))
		return;
	free(ring[*next]);
	ring[*next] = xstrdup(id);
	*next = (*next + 1) % cap;
	if (*len < cap)
		(*len)++;
}

bool mx_state_answered(const struct mx_state *st, const char *event_id)
{
	return ring_has(st->ring, MX_STATE_RING, event_id);
}

void mx_state_add_answered(struct mx_state *st, const char *event_id)
{
	ring_add(st->ring, MX_STATE_RING, &st->ring_next, &st->ring_len, event_id);
}

bool mx_state_noticed(const struct mx_state *st, const char *room_id)
{
	return ring_has(st->noticed, MX_STATE_NOTICED, room_id);
}

void mx_state_add_noticed(struct mx_state *st, const char *room_id)
{
	ring_add(st->noticed, MX_STATE_NOTICED, &st->noticed_next, &st->noticed_len, room_id);
}

static void ring_remove(char **ring, size_t cap, const char *id)
{
	for (size_t i = 0; i < cap; i++)
		if (ring[i] && strcmp(ring[i], id) == 0) {
			free(ring[i]);
			ring[i] = NULL;
		}
}

bool mx_state_is_duo(const struct mx_state *st, const char *room_id)
{
	return ring_has(st->duos, MX_STATE_DUOS, room_id);
}

void mx_state_set_duo(struct mx_state *st, const char *room_id, bool duo)
{
	if (duo)
		ring_add(st->duos, MX_STATE_DUOS, &st->duos_next, &st->duos_len, room_id);
	else
		ring_remove(st->duos, MX_STATE_DUOS, room_id);
}

void mx_state_forget_room(struct mx_state *st, const char *room_id)
{
	ring_remove(st->noticed, MX_STATE_NOTICED, room_id);
	ring_remove(st->duos, MX_STATE_DUOS, room_id);
}

static const char *str_field(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(it) && it->valuestring && *it->valuestring ? it->valuestring : NULL;
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (sb.st_size < 0 || (size_t)sb.st_size > MX_STATE_MAX_BYTES) {
		close(fd);
		return -EBADMSG;
	}
	size_t n = (size_t)sb.st_size, got = 0;
	char *buf = xmalloc(n + 1);
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return e;
		}
		got += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*ret = buf;
	*ret_len = n;
	return 0;
}

int mx_state_load(const char *path, struct mx_state *st)
{
	memset(st, 0, sizeof(*st));
	char *buf = NULL;
	size_t len = 0;
	int r = read_file(path, &buf, &len);
	if (r < 0)
		return r;
	cJSON *j = cJSON_ParseWithLength(buf, len);
	free(buf);
	const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, "version") : NULL;
	if (!cJSON_IsObject(j) || !cJSON_IsNumber(v) || v->valueint != STATE_VERSION) {
		cJSON_Delete(j);
		return -EBADMSG;
	}
	mx_state_set(&st->user_id, str_field(j, "user_id"));
	mx_state_set(&st->device_id, str_field(j, "device_id"));
	mx_state_set(&st->access_token, str_field(j, "access_token"));
	mx_state_set(&st->next_batch, str_field(j, "next_batch"));
	mx_state_set(&st->filter_id, str_field(j, "filter_id"));
	mx_state_set(&st->filter_key, str_field(j, "filter_key"));
	const cJSON *it, *arr = cJSON_GetObjectItemCaseSensitive(j, "answered");
	if (cJSON_IsArray(arr))
		cJSON_ArrayForEach(it, arr)
			if (cJSON_IsString(it) && it->valuestring && *it->valuestring &&
			    strlen(it->valuestring) <= MX_ID_MAX)
				mx_state_add_answered(st, it->valuestring);
	arr = cJSON_GetObjectItemCaseSensitive(j, "noticed");
	if (cJSON_IsArray(arr))
		cJSON_ArrayForEach(it, arr)
			if (cJSON_IsString(it) && it->valuestring && *it->valuestring &&
			    strlen(it->valuestring) <= MX_ID_MAX)
				mx_state_add_noticed(st, it->valuestring);
	arr = cJSON_GetObjectItemCaseSensitive(j, "duos");
	if (cJSON_IsArray(arr))
		cJSON_ArrayForEach(it, arr)
			if (cJSON_IsString(it) && it->valuestring && *it->valuestring &&
			    strlen(it->valuestring) <= MX_ID_MAX)
				mx_state_set_duo(st, it->valuestring, true);
	cJSON_Delete(j);
	return 0;
}

static void add_opt(cJSON *j, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(j, k, v);
}

/* Oldest first, so that a reload keeps the same eviction order. */
static cJSON *ring_json(char *const *ring, size_t cap, size_t next)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < cap; i++) {
		const char *s = ring[(next + i) % cap];
		if (s)
			cJSON_AddItemToArray(a, cJSON_CreateString(s));
	}
	return a;
}

char *mx_state_serialize(const struct mx_state *st)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", STATE_VERSION);
	add_opt(j, "user_id", st->user_id);
	add_opt(j, "device_id", st->device_id);
	add_opt(j, "access_token", st->access_token);
	add_opt(j, "next_batch", st->next_batch);
	add_opt(j, "filter_id", st->filter_id);
	add_opt(j, "filter_key", st->filter_key);
	cJSON_AddItemToObject(j, "answered", ring_json(st->ring, MX_STATE_RING, st->ring_next));
	cJSON_AddItemToObject(j, "noticed", ring_json(st->noticed, MX_STATE_NOTICED, st->noticed_next));
	cJSON_AddItemToObject(j, "duos", ring_json(st->duos, MX_STATE_DUOS, st->duos_next));
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

void mx_state_text_free(char *text)
{
	if (!text)
		return;
	/* The serialised text holds the token. */
	memset(text, 0, strlen(text));
	free(text);
}

int mx_state_write(const char *path, const char *text)
{
	return statefile_write(path, text, strlen(text));
}
