/* roomlang.h: per-room answer languages set with `!sco lang`, kept in the state
 * directory so they survive restarts. Config defaults ([room ...] lang) sit
 * below them: a room's own choice wins. */
#ifndef SCOBOT_DAEMON_ROOMLANG_H
#define SCOBOT_DAEMON_ROOMLANG_H

#include "core/lang.h"

#define ROOMLANG_MAX_ROOMS 100000   /* rooms remembered; more are refused with a log line */
#define ROOMLANG_MAX_ID 256         /* bytes of "platform:room" */

struct roomlang;

/* Loads dir/room-languages (a missing file is an empty store). A corrupt line
 * is skipped with a warning rather than losing every other room. */
struct roomlang *roomlang_open(const char *dir);
void roomlang_free(struct roomlang *r);
enum lang roomlang_get(const struct roomlang *r, const char *platform, const char *room);
/* Sets and saves atomically (temp file, fsync, rename). 0 or -errno; the
 * in-memory value is kept even if saving fails, and the failure is logged. */
int roomlang_set(struct roomlang *r, const char *platform, const char *room, enum lang lang);

#endif
