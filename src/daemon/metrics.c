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

/* Reply latency bucket bounds (µs), ascending; +Inf is implicit. */
static const int64_t latency_bounds_us[METRICS_LATENCY_BUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000,
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

struct ready_count {
	char platform[METRICS_LABEL_MAX + 1];
	uint64_t n;
};

struct metrics {
	struct series series[METRICS_MAX_SERIES];
	size_t nseries;
	uint64_t latency_buckets[METRICS_LATENCY_BUCKETS]; /* non-cumulative */
	uint64_t latency_count;
	int64_t latency_sum_us;
	uint64_t answers_total;
	struct reload_count reloads[2];
	struct ready_count ready[4];
	size_t nready;
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
                    enum answer_status status, int64_t latency_us)
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
	if (latency_us < 0)
		latency_us = 0;
	for (size_t i = 0; i < METRICS_LATENCY_BUCKETS; i++) {
		if (latency_us <= latency_bounds_us[i]) {
			m->latency_buckets[i]++;
			break;
		}
	}
	m->latency_count++;
	m->latency_sum_us += latency_us;
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
	char p[METRICS_LABEL_MAX + 1];
	copy_label(p, platform);
	for (size_t i = 0; i < m->nready; i++) {
		if (!strcmp(m->ready[i].platform, p)) {
			m->ready[i].n++;
			return;
		}
	}
	if (m->nready < sizeof(m->ready) / sizeof(m->ready[0])) {
		memcpy(m->ready[m->nready].platform, p, sizeof(p));
		m->ready[m->nready++].n = 1;
	}
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
	       "Time from a question reaching scobot to its answer being ready.");
	uint64_t cum = 0;
	for (size_t i = 0; i < METRICS_LATENCY_BUCKETS; i++) {
		cum += m->latency_buckets[i];
		put(&b, "scobot_reply_latency_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
		    (double)latency_bounds_us[i] / 1e6, cum);
	}
	put(&b, "scobot_reply_latency_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", m->latency_count);
	put(&b, "scobot_reply_latency_seconds_sum %.6f\n", (double)m->latency_sum_us / 1e6);
	put(&b, "scobot_reply_latency_seconds_count %" PRIu64 "\n", m->latency_count);

	header(&b, "scobot_platform_up", "gauge",
	       "1 while the platform is connected and making progress.");
	for (size_t i = 0; i < snap->nplatforms; i++)
		put(&b, "scobot_platform_up{platform=\"%s\"} %d\n", snap->platforms[i].name,
		    snap->platforms[i].healthy ? 1 : 0);
	header(&b, "scobot_platform_ready_total", "counter",
	       "Times the platform became ready (a connect after a loss counts again).");
	for (size_t i = 0; i < m->nready; i++) {
		put(&b, "scobot_platform_ready_total{platform=\"");
		put_label(&b, m->ready[i].platform);
		put(&b, "\"} %" PRIu64 "\n", m->ready[i].n);
	}
	header(&b, "scobot_platform_progress_age_seconds", "gauge",
	       "Seconds since the platform last showed progress (heartbeat ACK, sync).");
	for (size_t i = 0; i < snap->nplatforms; i++)
		if (snap->platforms[i].progress_age_s >= 0)
			put(&b, "scobot_platform_progress_age_seconds{platform=\"%s\"} %.3f\n",
			    snap->platforms[i].name, snap->platforms[i].progress_age_s);
	for (size_t i = 0; i < snap->nplatforms; i++) {
		if (strcmp(snap->platforms[i].name, "matrix") || snap->platforms[i].progress_age_s < 0)
			continue;
		header(&b, "scobot_matrix_sync_lag_seconds", "gauge",
		       "Seconds since the Matrix sync last completed.");
		put(&b, "scobot_matrix_sync_lag_seconds %.3f\n", snap->platforms[i].progress_age_s);
	}

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
