/* stats.h: the Discord adapter's statistics from its parts (stats.c). */
#ifndef SCOBOT_DISCORD_STATS_H
#define SCOBOT_DISCORD_STATS_H

#include <stddef.h>

struct coord;
struct dc_rest;
struct dc_shards;
struct discord_stats;

/* The shards', the queue's and (coord non-NULL) coordination's counters. */
void dc_stats_get(const struct dc_shards *shards, const struct dc_rest *rest,
                  const struct coord *coord, struct discord_stats *out);
/* "discord: shards=.. answered=.. ..." into out; bytes written. */
size_t dc_stats_status(const struct dc_shards *shards, const struct dc_rest *rest,
                       const struct coord *coord, char *out, size_t size);

#endif
