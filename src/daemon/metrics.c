/* metrics.c: owns scobot's counters and renders them as Prometheus text; it
 * must not do I/O, read a clock or know how they are served. */
#include "daemon/metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Longest platform or command label value kept (bytes). */
#define METRICS_LABEL_MAX 32

/* Platforms counted per platform (ready, lost, failed replies). */
#define METRICS_PLATFORMS 4

/* Reply latency bucket bounds (ms), ascending; +Inf is implicit. The latency
 * runs from a question's arrival to its reply's HTTP response, so it holds a
 * network round trip and any rate-limit wait. */
static const int64_t latency_bounds_ms[METRICS_LATENCY_BUCKETS] = {
	5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
};

enum unanswered { UN_NOT_SURE, UN_UNKNOWN, UN_USAGE, UN_COUNT };
static const char *const unanswered_names[UN_COUNT] = {"not_sure", "unknown_command", "usage"};

struct series {
	char platform[METRICS_LABEL_MAX + 1];
	char command[METRICS_LABEL_MAX + 1];
	uint64_t answers;
	uint64_t unanswered[UN_COUNT];
};

struct reload_count {
	const char *what;
	uint64_t ok, failed;
};

struct platform_count {
	char platform[METRICS_LABEL_MAX + 1];
	uint64_t n;
};

struct metrics {
	struct series series[METRICS_MAX_SERIES];
	size_t nseries;
	uint64_t latency_buckets[METRICS_LATENCY_BUCKETS]; /* non-cumulative */
	uint64_t latency_count;
	int64_t latency_sum_ms;
	uint64_t answers_total;
	struct reload_count reloads[2];
	struct platform_count ready[METRICS_PLATFORMS];
	struct platform_count lost[METRICS_PLATFORMS];
	struct platform_count reply_failed[METRICS_PLATFORMS];
};

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	m->reloads[0].what = "facts";
	m->reloads[1].what = "config";
	return m;
}

void metrics_free(struct metrics *m)
{
	free(m);
}

static void copy_label(char *dst, const char *src)
{
	snprintf(dst, METRICS_LABEL_MAX + 1, "%s", src ? src : "none");
}

static struct series *series_get(struct metrics *m, const char *platform, const char *command)
{
	char p[METRICS_LABEL_MAX + 1], c[METRICS_LABEL_MAX + 1];
	copy_label(p, platform);
	copy_label(c, command);
	for (size_t i = 0; i < m->nseries; i++)
		if (!strcmp(m->series[i].platform, p) && !strcmp(m->series[i].command, c))
			return &m->series[i];
	/* The last slot is kept for "other" so a flood of names cannot grow it. */
	if (m->nseries >= METRICS_MAX_SERIES - 1) {
		copy_label(c, "other");
		for (size_t i = 0; i < m->nseries; i++)
			if (!strcmp(m->series[i].platform, p) && !strcmp(m->series[i].command, c))
				return &m->series[i];
		if (m->nseries == METRICS_MAX_SERIES)
			return &m->series[METRICS_MAX_SERIES - 1];
	}
	struct series *s = &m->series[m->nseries++];
	memcpy(s->platform, p, sizeof(p));
	memcpy(s->command, c, sizeof(c));
	return s;
}

void metrics_answer(struct metrics *m, const char *platform, const char *command,
                    enum answer_status status)
{
	if (status == ANSWER_IGNORED)
		return;
	struct series *s = series_get(m, platform, command);
	s->answers++;
	m->answers_total++;
	if (status == ANSWER_NOT_SURE)
		s->unanswered[UN_NOT_SURE]++;
	else if (status == ANSWER_UNKNOWN)
		s->unanswered[UN_UNKNOWN]++;
	else if (status == ANSWER_USAGE)
		s->unanswered[UN_USAGE]++;
}

/* Adds one to platform's count; the table is small and fixed (the
 * platforms are too), so a name past it is not counted. */
static void platform_count_add(struct platform_count *t, const char *platform)
{
	char p[METRICS_LABEL_MAX + 1];
	copy_label(p, platform);
	for (size_t i = 0; i < METRICS_PLATFORMS; i++) {
		if (!t[i].platform[0])
			memcpy(t[i].platform, p, sizeof(p));
		if (!strcmp(t[i].platform, p)) {
			t[i].n++;
			return;
		}
	}
}

void metrics_reply_sent(struct metrics *m, const char *platform, int64_t latency_ms, bool ok)
{
	if (!ok) {
		platform_count_add(m->reply_failed, platform);
		return;
	}
	if (latency_ms < 0)
		latency_ms = 0;
	for (size_t i = 0; i < METRICS_LATENCY_BUCKETS; i++) {
		if (latency_ms <= latency_bounds_ms[i]) {
			m->latency_buckets[i]++;
			break;
		}
	}
	m->latency_count++;
	m->latency_sum_ms += latency_ms;
}

void metrics_lost(struct metrics *m, const char *platform)
{
	platform_count_add(m->lost, platform);
}

void metrics_reload(struct metrics *m, const char *what, bool ok)
{
	for (size_t i = 0; i < 2; i++) {
		if (!strcmp(m->reloads[i].what, what)) {
			if (ok)
				m->reloads[i].ok++;
			else
				m->reloads[i].failed++;
		}
	}
}

void metrics_ready(struct metrics *m, const char *platform)
{
	platform_count_add(m->ready, platform);
}

uint64_t metrics_answers_total(const struct metrics *m)
{
	return m->answers_total;
}

/* ---- rendering ------------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void put(struct sbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n;
		b->p = xrealloc(b->p, b->cap);
	}
}

/* A label value in the exposition format: backslash, quote and newline escaped. */
static void put_label(struct sbuf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			put(b, "\\%c", *v);
		else if (*v == '\n')
			put(b, "\\n");
		else
			put(b, "%c", *v);
	}
}

static void header(struct sbuf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One family of per-platform counts, each platform with a sample. */
static void put_platform_counts(struct sbuf *b, const char *name, const char *help,
                                const struct platform_count *t)
{
	header(b, name, "counter", help);
	for (size_t i = 0; i < METRICS_PLATFORMS && t[i].platform[0]; i++) {
		put(b, "%s{platform=\"", name);
		put_label(b, t[i].platform);
		put(b, "\"} %" PRIu64 "\n", t[i].n);
	}
}

static void put_status_label(struct sbuf *b, int status)
{
	if (status == 0)
		put(b, "network");
	else if (status < 0)
		put(b, "other");
	else
		put(b, "%d", status);
}

static void put_rest_errors(struct sbuf *b, const char *platform,
                            const struct host_status_count *e)
{
	for (size_t i = 0; i < HOST_STATUS_SLOTS; i++) {
		if (!e[i].count)
			continue;
		put(b, "scobot_rest_errors_total{platform=\"%s\",status=\"", platform);
		put_status_label(b, e[i].status);
		put(b, "\"} %" PRIu64 "\n", e[i].count);
	}
}

/* The adapters' own counters: Discord's gateway and REST, Matrix's sync. */
static void render_adapters(struct sbuf *b, const struct metrics_snapshot *snap)
{
	const struct discord_stats *d = snap->discord;
	const struct mxsync_stats *x = snap->matrix;
	if (d) {
		header(b, "scobot_discord_shards", "gauge", "Gateway shards this process runs.");
		put(b, "scobot_discord_shards %d\n", d->shards);
		header(b, "scobot_discord_shards_ready", "gauge", "Of those, shards connected (READY).");
		put(b, "scobot_discord_shards_ready %d\n", d->shards_ready);
		header(b, "scobot_discord_reconnects_total", "counter",
		       "Gateway connections lost, by reason (op 7, op 9, zombie, drop, close code class, timeout).");
		for (int k = 0; k < GW_REASON_COUNT; k++)
			put(b, "scobot_discord_reconnects_total{reason=\"%s\"} %" PRIu64 "\n",
			    gateway_reason_name((enum gw_reason)k), d->reconnects[k]);
		header(b, "scobot_discord_resumes_total", "counter",
		       "Gateway sessions resumed (RESUMED), by the reason the connection was lost.");
		for (int k = 0; k < GW_REASON_COUNT; k++)
			put(b, "scobot_discord_resumes_total{reason=\"%s\"} %" PRIu64 "\n",
			    gateway_reason_name((enum gw_reason)k), d->resumes[k]);
		header(b, "scobot_discord_identifies_total", "counter", "Gateway identifies sent by this run.");
		put(b, "scobot_discord_identifies_total %" PRIu64 "\n", d->identifies);
		header(b, "scobot_discord_identifies_today", "gauge",
		       "Identifies counted in the persisted 24-hour window (Discord allows 1000).");
		put(b, "scobot_discord_identifies_today %u\n", d->identifies_today);
		if (d->coordination >= 0) {
			header(b, "scobot_discord_coordination_shared", "gauge",
			       "1: the token's limits are shared through Redis; 0: this process uses its "
			       "local share (Redis unavailable or late).");
			put(b, "scobot_discord_coordination_shared %d\n", d->coordination);
			header(b, "scobot_discord_coordination_share", "gauge",
			       "Global requests per second this process sends while Redis is unavailable.");
			put(b, "scobot_discord_coordination_share %d\n", d->coordination_share);
			header(b, "scobot_discord_coordination_fallbacks_total", "counter",
			       "Times this process fell back to its local share.");
			put(b, "scobot_discord_coordination_fallbacks_total %" PRIu64 "\n",
			    d->coordination_fallbacks);
			header(b, "scobot_discord_coordination_slow_total", "counter",
			       "Redis answers slower than the bound (50 ms), each counted as unavailable.");
			put(b, "scobot_discord_coordination_slow_total %" PRIu64 "\n", d->coordination_slow);
			header(b, "scobot_discord_global_slots_total", "counter",
			       "Global rate-limit slots taken, by source (shared window in Redis, local share).");
			put(b, "scobot_discord_global_slots_total{source=\"shared\"} %" PRIu64 "\n",
			    d->coordination_shared_slots);
			put(b, "scobot_discord_global_slots_total{source=\"local\"} %" PRIu64 "\n",
			    d->coordination_local_slots);
		}
		if (d->ack_latency_last_ms >= 0) {
			header(b, "scobot_discord_heartbeat_ack_latency_seconds", "gauge",
			       "Time from the newest heartbeat to its ACK.");
			put(b, "scobot_discord_heartbeat_ack_latency_seconds %.3f\n",
			    (double)d->ack_latency_last_ms / 1000.0);
			header(b, "scobot_discord_heartbeat_ack_latency_max_seconds", "gauge",
			       "The longest time from a heartbeat to its ACK.");
			put(b, "scobot_discord_heartbeat_ack_latency_max_seconds %.3f\n",
			    (double)d->ack_latency_max_ms / 1000.0);
		}
	}
	if (d || x) {
		header(b, "scobot_ratelimit_waits_total", "counter",
		       "Requests held back by a rate limit (Discord buckets; Matrix 429s), by platform.");
		if (d)
			put(b, "scobot_ratelimit_waits_total{platform=\"discord\"} %" PRIu64 "\n",
			    d->ratelimit_waits);
		if (x)
			put(b, "scobot_ratelimit_waits_total{platform=\"matrix\"} %" PRIu64 "\n",
			    x->rate_limited);
	}
	if (d) {
		header(b, "scobot_ratelimit_wait_seconds_total", "counter",
		       "Time requests spent held back by a rate limit, by platform.");
		put(b, "scobot_ratelimit_wait_seconds_total{platform=\"discord\"} %.3f\n",
		    (double)d->ratelimit_wait_ms / 1000.0);
	}
	if (d || x) {
		header(b, "scobot_http_429_total", "counter",
		       "HTTP 429 answers, by platform and scope (global or route limit; homeserver).");
		if (d) {
			put(b, "scobot_http_429_total{platform=\"discord\",scope=\"global\"} %" PRIu64 "\n",
			    d->http_429_global);
			put(b, "scobot_http_429_total{platform=\"discord\",scope=\"route\"} %" PRIu64 "\n",
			    d->http_429_route);
		}
		if (x)
			put(b, "scobot_http_429_total{platform=\"matrix\",scope=\"homeserver\"} %" PRIu64 "\n",
			    x->rate_limited);
		header(b, "scobot_rest_errors_total", "counter",
		       "HTTP requests that failed, by platform and status (network: no response).");
		if (d)
			put_rest_errors(b, "discord", d->rest_errors);
		if (x)
			put_rest_errors(b, "matrix", x->rest_errors);
	}
	if (x) {
		header(b, "scobot_matrix_sync_lag_seconds", "gauge",
		       "When the last sync with events arrived, the age of its newest event.");
		put(b, "scobot_matrix_sync_lag_seconds %.3f\n", (double)x->sync_lag_ms / 1000.0);
		header(b, "scobot_matrix_syncs_total", "counter", "Matrix /sync requests, by result.");
		put(b, "scobot_matrix_syncs_total{result=\"ok\"} %" PRIu64 "\n", x->syncs_ok);
		put(b, "scobot_matrix_syncs_total{result=\"error\"} %" PRIu64 "\n", x->sync_errors);
		header(b, "scobot_matrix_sync_gaps_total", "counter",
		       "Rooms whose sync was limited: the events it left out are fetched with /messages.");
		put(b, "scobot_matrix_sync_gaps_total %" PRIu64 "\n", x->gaps);
		header(b, "scobot_matrix_backfilled_events_total", "counter",
		       "Events fetched with /messages to fill sync gaps.");
		put(b, "scobot_matrix_backfilled_events_total %" PRIu64 "\n", x->backfilled);
	}
}

char *metrics_render(const struct metrics *m, const struct metrics_snapshot *snap,
                     size_t *ret_len)
{
	struct sbuf b = {xmalloc(4096), 0, 4096};
	b.p[0] = '\0';

	header(&b, "scobot_build_info", "gauge", "The running version (always 1).");
	put(&b, "scobot_build_info{version=\"");
	put_label(&b, snap->version ? snap->version : "unknown");
	put(&b, "\"} 1\n");
	header(&b, "scobot_start_time_seconds", "gauge", "When the service started (Unix time).");
	put(&b, "scobot_start_time_seconds %.3f\n", snap->start_time);

	header(&b, "scobot_answers_total", "counter",
	       "Answers given, by platform and command (the command is \"question\" for plain questions).");
	for (size_t i = 0; i < m->nseries; i++) {
		put(&b, "scobot_answers_total{platform=\"");
		put_label(&b, m->series[i].platform);
		put(&b, "\",command=\"");
		put_label(&b, m->series[i].command);
		put(&b, "\"} %" PRIu64 "\n", m->series[i].answers);
	}
	header(&b, "scobot_unanswered_total", "counter",
	       "Questions scobot was not sure of, unknown commands and usage errors, by platform.");
	for (size_t i = 0; i < m->nseries; i++) {
		for (int k = 0; k < UN_COUNT; k++) {
			/* Summed per platform: the command label adds nothing here. */
			bool first = true;
			for (size_t j = 0; j < i; j++)
				if (!strcmp(m->series[j].platform, m->series[i].platform))
					first = false;
			if (!first)
				continue;
			uint64_t n = 0;
			for (size_t j = i; j < m->nseries; j++)
				if (!strcmp(m->series[j].platform, m->series[i].platform))
					n += m->series[j].unanswered[k];
			put(&b, "scobot_unanswered_total{platform=\"");
			put_label(&b, m->series[i].platform);
			put(&b, "\",reason=\"%s\"} %" PRIu64 "\n", unanswered_names[k], n);
		}
	}

	header(&b, "scobot_reply_latency_seconds", "histogram",
	       "Time from a question reaching scobot to its reply being sent (the HTTP request done).");
	uint64_t cum = 0;
	for (size_t i = 0; i < METRICS_LATENCY_BUCKETS; i++) {
		cum += m->latency_buckets[i];
		put(&b, "scobot_reply_latency_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
		    (double)latency_bounds_ms[i] / 1e3, cum);
	}
	put(&b, "scobot_reply_latency_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", m->latency_count);
	put(&b, "scobot_reply_latency_seconds_sum %.3f\n", (double)m->latency_sum_ms / 1e3);
	put(&b, "scobot_reply_latency_seconds_count %" PRIu64 "\n", m->latency_count);
	put_platform_counts(&b, "scobot_reply_send_failures_total",
	                    "Replies whose HTTP request finally failed, by platform.", m->reply_failed);

	header(&b, "scobot_platform_up", "gauge",
	       "1 while the platform is connected and making progress.");
	for (size_t i = 0; i < snap->nplatforms; i++)
		put(&b, "scobot_platform_up{platform=\"%s\"} %d\n", snap->platforms[i].name,
		    snap->platforms[i].healthy ? 1 : 0);
	put_platform_counts(&b, "scobot_platform_ready_total",
	                    "Times the platform became ready (a connect after a loss counts again).",
	                    m->ready);
	put_platform_counts(&b, "scobot_platform_lost_total",
	                    "Times the platform's connection was lost.", m->lost);
	header(&b, "scobot_platform_progress_age_seconds", "gauge",
	       "Seconds since the platform last showed progress (heartbeat ACK, sync).");
	for (size_t i = 0; i < snap->nplatforms; i++)
		if (snap->platforms[i].progress_age_s >= 0)
			put(&b, "scobot_platform_progress_age_seconds{platform=\"%s\"} %.3f\n",
			    snap->platforms[i].name, snap->platforms[i].progress_age_s);
	render_adapters(&b, snap);

	header(&b, "scobot_facts_loaded", "gauge", "Facts in the live table.");
	put(&b, "scobot_facts_loaded %zu\n", snap->facts_loaded);
	header(&b, "scobot_facts_reload_timestamp_seconds", "gauge",
	       "When the live fact table was loaded (Unix time).");
	put(&b, "scobot_facts_reload_timestamp_seconds %.3f\n", snap->facts_reload_time);
	header(&b, "scobot_reloads_total", "counter", "SIGHUP reloads, by what and result.");
	for (size_t i = 0; i < 2; i++) {
		put(&b, "scobot_reloads_total{what=\"%s\",result=\"ok\"} %" PRIu64 "\n",
		    m->reloads[i].what, m->reloads[i].ok);
		put(&b, "scobot_reloads_total{what=\"%s\",result=\"failed\"} %" PRIu64 "\n",
		    m->reloads[i].what, m->reloads[i].failed);
	}
	*ret_len = b.len;
	return b.p;
}
