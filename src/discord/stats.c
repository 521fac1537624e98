/* stats.c: owns the Discord adapter's statistics: the shards', the REST
 * queue's and coordination's counters summed into struct discord_stats (for
 * /metrics) and the one-line status; it only reads them. */
#include "discord/stats.h"

#include <stdio.h>
#include <string.h>

#include "discord/coord.h"
#include "discord/discord.h"
#include "discord/rest.h"
#include "discord/shards.h"

size_t dc_stats_status(const struct dc_shards *shards, const struct dc_rest *rest,
                       const struct coord *coord, char *out, size_t size)
{
	struct discord_stats st;
	struct dc_rest_stats rs;
	dc_stats_get(shards, rest, coord, &st);
	dc_rest_get_stats(rest, &rs);
	int n = snprintf(out, size, "discord: shards=%d/%d answered=%llu failures=%llu queue=%zu",
	                 st.shards, st.shard_count, (unsigned long long)rs.answered,
	                 (unsigned long long)rs.send_failures, rs.queued);
	if (n < 0)
		return 0;
	size_t used = (size_t)n < size ? (size_t)n : size;
	if (st.coordination >= 0 && used < size) {
		n = snprintf(out + used, size - used, " coordination=%s",
		             st.coordination ? "shared" : "local-share");
		if (n > 0)
			used += (size_t)n < size - used ? (size_t)n : size - used;
	}
	return used + dc_shards_status(shards, out + used, size - used);
}

void dc_stats_get(const struct dc_shards *shards, const struct dc_rest *rest,
                  const struct coord *coord, struct discord_stats *out)
{
	struct dc_rest_stats rs;
	memset(out, 0, sizeof(*out));
	dc_shards_get_stats(shards, out);
	dc_rest_get_stats(rest, &rs);
	out->ratelimit_waits = rs.ratelimit_waits;
	out->ratelimit_wait_ms = rs.ratelimit_wait_ms;
	out->http_429_global = rs.http_429_global;
	out->http_429_route = rs.http_429_route;
	memcpy(out->rest_errors, rs.rest_errors, sizeof(out->rest_errors));
	out->answered = rs.answered;
	out->send_failures = rs.send_failures;
	out->coordination = -1;
	if (coord) {
		struct coord_stats cs;
		coord_get_stats(coord, &cs);
		out->coordination = cs.shared ? 1 : 0;
		out->coordination_share = cs.share;
		out->coordination_fallbacks = cs.fallbacks;
		out->coordination_slow = cs.slow;
		out->coordination_shared_slots = cs.shared_slots;
		out->coordination_local_slots = cs.local_slots;
	}
}
