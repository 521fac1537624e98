/* cooldown.h: how often one user, and one room, may be answered; shared by
 * every platform adapter so the same config means the same thing on each.
 *
 * Each key (a user, a channel) has an allowance of `max` answers that comes
 * back at a steady max-per-window rate (GCRA, a token bucket kept as one
 * timestamp): `max` at once, then one every window/max ms. The first message
 * over it gets one short notice, the rest silence; a key that keeps going
 * over is told again at most once per window (not at each refill). No I/O and no clock: time comes in as `now` (ms, monotonic). The
 * table has a fixed number of slots; a key not seen for the longest time is
 * forgotten first, which only ever gives its owner a full allowance again. */
#ifndef SCOBOT_CORE_COOLDOWN_H
#define SCOBOT_CORE_COOLDOWN_H

#include <stdint.h>

#include "core/lang.h"

#define COOLDOWN_SLOTS 2048          /* users + channels tracked at once */
#define COOLDOWN_PROBES 8            /* slots looked at per key before evicting */

struct cooldown_config {
	int user_max;                /* answers one user gets at once (default 5) */
	int64_t user_window_ms;      /* time for a user's allowance to come back (10000) */
	int channel_max;             /* the same per channel, all users together (15) */
	int64_t channel_window_ms;   /* (10000) */
};

enum cooldown_verdict {
	COOLDOWN_OK,       /* answer */
	COOLDOWN_NOTICE,   /* the first one over the limit: send one short notice */
	COOLDOWN_SILENT,   /* over the limit and already told: send nothing */
};

struct cooldown;

/* Zero fields in cfg (or cfg NULL) take the defaults. Never NULL. */
struct cooldown *cooldown_new(const struct cooldown_config *cfg);
void cooldown_free(struct cooldown *cd);
/* Decides whether user (may be NULL) in channel (NULL: no channel limit) may
 * be answered now, and if so counts the answer against both. A refused
 * message costs nothing, so a flood of them never delays the next answer.
 * A `now` earlier than one already seen for a key counts as that latest one. */
enum cooldown_verdict cooldown_check(struct cooldown *cd, const char *user, const char *channel,
                                     int64_t now);

/* The oldest a replayed question counts as, ms (see cooldown_asked_at). */
#define COOLDOWN_BACKLOG_MS (15 * 60 * 1000)

/* The `now` to judge a message by: when it was sent (sent_wall, Unix ms, from
 * the platform) on the monotonic clock of now_mono, given the wall clock
 * now_wall. A backlog replayed in one go (after a restart, a resume or an
 * outage) is then judged as it was asked, not as a burst. Never later than
 * now_mono, never more than COOLDOWN_BACKLOG_MS earlier, so a clock skew or
 * a forged timestamp gains little. sent_wall <= 0: now_mono. */
int64_t cooldown_asked_at(int64_t now_mono, int64_t now_wall, int64_t sent_wall);

/* The one short notice for the first message over a limit, in lang (an
 * unknown lang gives English). */
const char *cooldown_notice_text(enum lang lang);

#endif
