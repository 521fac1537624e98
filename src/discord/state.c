/* state.c: Discord state files in state_dir (sessions, identify count) and
 * identify pacing; owns only the files it names and must never write one
 * non-atomically. */
#include "discord/state.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/statefile.h"

/* Writes data to dir/name with the one state-file writer (util/statefile.h):
 * a crash leaves the old file or the new one, and no planted name is followed. */
static int write_atomic(const char *dir, const char *name, const char *data)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return statefile_write(path, data, strlen(data));
}

/* Reads a small file into a NUL-terminated buffer the caller frees. */
static int read_small(const char *path, char **ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *buf = malloc(STATE_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, STATE_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > STATE_FILE_MAX)
			break;
	}
	close(fd);
	if (len > STATE_FILE_MAX) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

int state_save_session(const char *dir, int shard, const struct gw_session *s,
                       const struct state_ids *ids, int64_t wall_s)
{
	char name[64];
	if (!dir)
		return -EINVAL;
	snprintf(name, sizeof(name), "discord-session-%d.json", shard);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "session_id", s->session_id);
	cJSON_AddStringToObject(o, "resume_gateway_url", s->resume_url);
	cJSON_AddNumberToObject(o, "seq", (double)s->seq);
	cJSON_AddNumberToObject(o, "saved_at", (double)wall_s);
	if (ids && ids->user_id[0])
		cJSON_AddStringToObject(o, "user_id", ids->user_id);
	if (ids && ids->application_id[0])
		cJSON_AddStringToObject(o, "application_id", ids->application_id);
	char *text = cJSON_Print(o);
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	int rc = write_atomic(dir, name, text);
	free(text);
	return rc;
}

static void copy_id(const cJSON *o, const char *key, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	out[0] = '\0';
	if (cJSON_IsString(v) && strlen(v->valuestring) < size
	    && strspn(v->valuestring, "0123456789") == strlen(v->valuestring))
		snprintf(out, size, "%s", v->valuestring);
}

int state_load_session(const char *dir, int shard, struct gw_session *ret,
                       struct state_ids *ret_ids, int64_t wall_s)
{
	char path[4096];
	char *text;
	if (!dir)
		return -ENOENT;
	if (snprintf(path, sizeof(path), "%s/discord-session-%d.json", dir, shard)
	    >= (int)sizeof(path))
		return -ENAMETOOLONG;
	int rc = read_small(path, &text);
	if (rc < 0)
		return rc;
	unlink(path);  /* resumed at most once: a crash after it must not replay it */
	cJSON *o = cJSON_Parse(text);
	free(text);
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(o, "session_id");
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(o, "resume_gateway_url");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "saved_at");
	rc = 0;
	if (!cJSON_IsString(sid) || !cJSON_IsString(url) || !cJSON_IsNumber(seq)
	    || !cJSON_IsNumber(at) || strlen(sid->valuestring) >= GW_SESSION_ID_MAX
	    || strlen(url->valuestring) >= GW_URL_MAX || seq->valuedouble < 0
	    || !sid->valuestring[0])
		rc = -EINVAL;
	else if (wall_s - (int64_t)at->valuedouble > STATE_SESSION_MAX_AGE_S
	         || (int64_t)at->valuedouble > wall_s + 60)
		rc = -ESTALE;
	if (rc == 0) {
		struct gw_session s = {0};
		snprintf(s.session_id, sizeof(s.session_id), "%s", sid->valuestring);
		snprintf(s.resume_url, sizeof(s.resume_url), "%s", url->valuestring);
		s.seq = (int64_t)seq->valuedouble;
		*ret = s;
		if (ret_ids) {
			copy_id(o, "user_id", ret_ids->user_id, sizeof(ret_ids->user_id));
			copy_id(o, "application_id", ret_ids->application_id,
			        sizeof(ret_ids->application_id));
		}
	}
	cJSON_Delete(o);
	return rc;
}

static void idgate_save(struct idgate *g)
{
	if (!g->dir)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "window_start", (double)g->window_start_s);
	cJSON_AddNumberToObject(o, "count", g->count);
	char *text = cJSON_Print(o);
	cJSON_Delete(o);
	int rc = text ? write_atomic(g->dir, "discord-identify.json", text) : -ENOMEM;
	free(text);
	if (rc < 0)
		log_error("cannot save the identify count", "dir=%s err=%s", g->dir, strerror(-rc));
}

void idgate_init(struct idgate *g, const char *dir, int64_t wall_s)
{
	memset(g, 0, sizeof(*g));
	g->dir = dir;
	g->max_concurrency = 1;
	g->remote_remaining = -1;
	g->window_start_s = wall_s;
	if (!dir)
		return;
	char path[4096], *text;
	if (snprintf(path, sizeof(path), "%s/discord-identify.json", dir) >= (int)sizeof(path))
		return;
	int rc = read_small(path, &text);
	if (rc == -ENOENT)
		return;
	if (rc < 0) {
		log_warn("cannot read the identify count; starting a new window", "path=%s err=%s",
		         path, strerror(-rc));
		return;
	}
	cJSON *o = cJSON_Parse(text);
	free(text);
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(o, "window_start");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "count");
	if (cJSON_IsNumber(ws) && cJSON_IsNumber(n) && n->valuedouble >= 0
	    && n->valuedouble <= 100000) {
		int64_t start = (int64_t)ws->valuedouble;
		if (wall_s - start < IDENTIFY_WINDOW_S && start <= wall_s + 60) {
			g->window_start_s = start;
			g->count = (unsigned)n->valuedouble;
		}
	} else {
		log_warn("identify count file is malformed; starting a new window", "path=%s", path);
	}
	cJSON_Delete(o);
}

void idgate_set_remote(struct idgate *g, int max_concurrency, int remaining,
                       int64_t reset_after_ms, int64_t now)
{
	if (max_concurrency >= 1)
		g->max_concurrency = max_concurrency > IDENTIFY_MAX_BUCKETS ? IDENTIFY_MAX_BUCKETS
		                                                           : max_concurrency;
	g->remote_remaining = remaining;
	g->remote_reset_at = now + (reset_after_ms > 0 ? reset_after_ms : 0);
}

int64_t idgate_permit(struct idgate *g, int shard_id, int64_t now, int64_t wall_s)
{
	if (wall_s - g->window_start_s >= IDENTIFY_WINDOW_S || wall_s < g->window_start_s - 60) {
		g->window_start_s = wall_s;
		g->count = 0;
		g->refused_logged = false;
	}
	if (g->count >= IDENTIFY_SAFE_LIMIT) {
		int64_t left_s = g->window_start_s + IDENTIFY_WINDOW_S - wall_s;
		if (!g->refused_logged) {
			g->refused_logged = true;
			log_error("identify refused: the safe share of Discord's daily 1000 identifies is "
			          "used up (going over resets the bot token); waiting for the window",
			          "count=%u limit=%d wait_s=%lld", g->count, IDENTIFY_SAFE_LIMIT,
			          (long long)left_s);
		}
		return -(left_s > 0 ? left_s * 1000 : 1000);
	}
	if (g->remote_remaining == 0 && now < g->remote_reset_at)
		return g->remote_reset_at - now;
	/* gateway.mdx "Session Start Limit Object": bucket = shard_id % max_concurrency. */
	int b = (shard_id < 0 ? 0 : shard_id) % g->max_concurrency;
	if (now < g->bucket_next[b])
		return g->bucket_next[b] - now;
	g->bucket_next[b] = now + IDENTIFY_CONCURRENCY_MS + IDENTIFY_MARGIN_MS;
	g->count++;
	if (g->remote_remaining > 0)
		g->remote_remaining--;
	idgate_save(g);
	return 0;
}

unsigned idgate_count(const struct idgate *g, int64_t wall_s)
{
	if (wall_s - g->window_start_s >= IDENTIFY_WINDOW_S || wall_s < g->window_start_s - 60)
		return 0;
	return g->count;
}
