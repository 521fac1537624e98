/* cooldown.h: per-user and per-channel answer limits, and the ring of recent
 * message ids that keeps a replayed event from being answered twice; it must
 * not do I/O or read a clock (time comes in as `now`, ms monotonic). Memory is
 * fixed at creation: old entries are overwritten, never grown. */
#ifndef SCOBOT_DISCORD_COOLDOWN_H
#define SCOBOT_DISCORD_COOLDOWN_H

#include <stdbool.h>
#include <stdint.h>

#define COOLDOWN_SLOTS 2048          /* users + channels tracked at once */
#define COOLDOWN_PROBES 8            /* slots looked at per key before evicting */
#define COOLDOWN_KEY_MAX 32          /* bytes of "u:<snowflake>", NUL included */
#define SEEN_RING_SIZE 1024          /* recent message/interaction ids remembered */
#define SEEN_ID_MAX 24               /* bytes of a snowflake, NUL included */

struct cooldown_config {
	int user_max;                /* answers per user per window (default 5) */
	int64_t user_window_ms;      /* default 10000 */
	int channel_max;             /* answers per channel per window (default 15) */
	int64_t channel_window_ms;   /* default 10000 */
};

enum cooldown_verdict {
	COOLDOWN_OK,       /* answer */
	COOLDOWN_NOTICE,   /* the first one over the limit: send one short notice */
	COOLDOWN_SILENT,   /* over the limit and already told: send nothing */
};

struct cooldown;

/* Zero fields in cfg take the defaults. */
struct cooldown *cooldown_new(const struct cooldown_config *cfg);
void cooldown_free(struct cooldown *cd);
/* Counts one answer for user in channel (either may be NULL). */
enum cooldown_verdict cooldown_check(struct cooldown *cd, const char *user, const char *channel,
                                     int64_t now);

struct seen;
struct seen *seen_new(void);
void seen_free(struct seen *s);
/* True if id was seen among the last SEEN_RING_SIZE ids; otherwise records it. */
bool seen_check_and_add(struct seen *s, const char *id);

#endif
