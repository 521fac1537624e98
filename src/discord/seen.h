/* seen.h: the ring of recent message and interaction ids that keeps a
 * replayed gateway event from being answered twice. Memory is fixed at
 * creation: old ids are overwritten, never grown. */
#ifndef SCOBOT_DISCORD_SEEN_H
#define SCOBOT_DISCORD_SEEN_H

#include <stdbool.h>

#define SEEN_RING_SIZE 1024          /* recent message/interaction ids remembered */
#define SEEN_ID_MAX 24               /* bytes of a snowflake, NUL included */

struct seen;
struct seen *seen_new(void);
void seen_free(struct seen *s);
/* True if id was seen among the last SEEN_RING_SIZE ids; otherwise records it. */
bool seen_check_and_add(struct seen *s, const char *id);

#endif
