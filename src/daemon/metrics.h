/* metrics.h: scobot's counters and their Prometheus text rendering; it does no
 * I/O and reads no clock (times are parameters), so tests drive it directly.
 *
 *   struct metrics *m = metrics_new();
 *   metrics_answer(m, "matrix", a->command, a->status);
 *   metrics_reply_sent(m, "matrix", latency_ms, true);
 *   char *text = metrics_render(m, &snap, &len);   // free(text)
 */
#ifndef SCOBOT_DAEMON_METRICS_H
#define SCOBOT_DAEMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/answer.h"
#include "discord/discord.h"   /* struct discord_stats */
#include "matrix/sync.h"       /* struct mxsync_stats */

/* Distinct (platform, command) answer series kept; more go to command="other". */
#define METRICS_MAX_SERIES 128
/* Upper bounds of the reply latency histogram buckets (count). */
#define METRICS_LATENCY_BUCKETS 12

struct metrics;

/* What the daemon knows at scrape time, besides the counters. */
struct metrics_platform {
	const char *name;        /* "discord", "matrix" */
	bool ready;              /* connected at least once */
	bool healthy;            /* ready and made progress recently */
	double progress_age_s;   /* since the last progress; < 0: never */
};

struct metrics_snapshot {
	const struct metrics_platform *platforms;
	size_t nplatforms;
	size_t facts_loaded;
	double facts_reload_time; /* Unix time of the last successful (re)load, s */
	double start_time;        /* Unix time the service started, s */
	const char *version;
	/* The adapters' own counters; NULL when the platform is not configured. */
	const struct discord_stats *discord;
	const struct mxsync_stats *matrix;
};

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Counts one answer (status ANSWER_IGNORED is not counted). command is the
 * answer's static command name (NULL counts as "none"). */
void metrics_answer(struct metrics *m, const char *platform, const char *command,
                    enum answer_status status);
/* A reply's HTTP request completed latency_ms after its question arrived;
 * ok: it was accepted (2xx). Only accepted replies enter the histogram. */
void metrics_reply_sent(struct metrics *m, const char *platform, int64_t latency_ms, bool ok);
/* Counts a platform's connection loss (host.lost). */
void metrics_lost(struct metrics *m, const char *platform);
/* Counts a reload attempt of "facts" or "config". */
void metrics_reload(struct metrics *m, const char *what, bool ok);
/* Counts a platform becoming ready (first connect, or again after a loss). */
void metrics_ready(struct metrics *m, const char *platform);

/* Total answers counted (for the status line). */
uint64_t metrics_answers_total(const struct metrics *m);

/* The exposition text (Prometheus text format 0.0.4), malloc'd, NUL-terminated;
 * *ret_len is its length. Never NULL. */
char *metrics_render(const struct metrics *m, const struct metrics_snapshot *snap,
                     size_t *ret_len);

#endif
