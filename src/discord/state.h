/* state.h: what the Discord adapter keeps in state_dir across restarts (each
 * shard's session for a resume, the identify count of the last 24 h) and the
 * identify pacing built on it; file writes are atomic (temp file, fsync,
 * rename), and nothing here reads a clock: times come in as parameters.
 *
 * Why wall time here: the identify budget and a saved session must survive a
 * reboot, which resets the monotonic clock, so their files carry Unix seconds
 * (passed in by the caller). Everything else in scobot uses monotonic ms. */
#ifndef SCOBOT_DISCORD_STATE_H
#define SCOBOT_DISCORD_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "discord/gateway.h"

#define STATE_FILE_MAX 8192              /* bytes of one state file */
#define STATE_SESSION_MAX_AGE_S 240      /* a saved session older than this is not resumed */
/* developers/events/gateway.mdx "Identifying": 1000 identifies per 24 h; the
 * token is reset past it. We stop well before. */
#define IDENTIFY_DAILY_LIMIT 1000
#define IDENTIFY_SAFE_LIMIT 900
#define IDENTIFY_WINDOW_S 86400
#define IDENTIFY_CONCURRENCY_MS 5000     /* one identify per bucket per 5 s */
#define IDENTIFY_MARGIN_MS 300           /* ms added to the 5 s: network delay must not
                                            make two identifies look closer than 5 s */
#define IDENTIFY_MAX_BUCKETS 64          /* max_concurrency values we honour */

/* Who the bot is, learnt from READY; a resumed session gets no READY, so these
 * are saved with it. "" when unknown. */
struct state_ids {
	char user_id[24];
	char application_id[24];
};

/* Saves shard's session (atomically) to dir/discord-session-<shard>.json;
 * ids may be NULL. */
int state_save_session(const char *dir, int shard, const struct gw_session *s,
                       const struct state_ids *ids, int64_t wall_s);
/* Loads and removes the file, so a session is resumed at most once; -ENOENT
 * when there is none, -ESTALE when older than STATE_SESSION_MAX_AGE_S,
 * -EINVAL when malformed. ret_ids (may be NULL) gets the ids, "" if absent. */
int state_load_session(const char *dir, int shard, struct gw_session *ret,
                       struct state_ids *ret_ids, int64_t wall_s);

struct idgate {
	const char *dir;             /* NULL: counts are not persisted */
	int max_concurrency;         /* from session_start_limit, >= 1 */
	int64_t bucket_next[IDENTIFY_MAX_BUCKETS];  /* monotonic ms a bucket may identify */
	int64_t window_start_s;      /* wall s the 24 h window began */
	unsigned count;              /* identifies in the window */
	int remote_remaining;        /* session_start_limit.remaining; -1 unknown */
	int64_t remote_reset_at;     /* monotonic ms when Discord resets it */
	bool refused_logged;
};

/* Loads the persisted count from dir (may be NULL). Never fails: a missing or
 * broken file starts a new window (and a broken one is logged). */
void idgate_init(struct idgate *g, const char *dir, int64_t wall_s);
/* From GET /gateway/bot session_start_limit. */
void idgate_set_remote(struct idgate *g, int max_concurrency, int remaining,
                       int64_t reset_after_ms, int64_t now);
/* 0: identify now (counted and persisted); > 0: ms to wait (pacing or the
 * remote limit); < 0: refused: the safe share of the daily budget is used
 * (the answer says how long until the window ends, negated). */
int64_t idgate_permit(struct idgate *g, int shard_id, int64_t now, int64_t wall_s);
/* Identifies counted in the 24 h window that holds wall_s (0 once it ended). */
unsigned idgate_count(const struct idgate *g, int64_t wall_s);

#endif
