/* saver.h: writes the Matrix state file off the event loop. The fsync in an
 * atomic save can take from a millisecond to seconds on a busy disk, and the
 * loop must not wait for it, so each save runs on libuv's thread pool.
 *
 * Order is kept: at most one write is in flight; a save asked for meanwhile
 * waits, and a newer one replaces it (only the newest state matters). Each
 * text carries a generation, and a write never replaces a newer file with an
 * older one, not even when mx_saver_flush (the synchronous save at stop)
 * overtakes a write still in flight.
 *
 * Ownership: mx_saver_save and mx_saver_flush take the text (from
 * mx_state_serialize) and wipe it when done. The saver lives until both its
 * owner has called mx_saver_free and the last write has come back. */
#ifndef SCOBOT_MATRIX_SAVER_H
#define SCOBOT_MATRIX_SAVER_H

struct net_loop;
struct mx_saver;

struct mx_saver *mx_saver_new(struct net_loop *loop, const char *path);
/* Starts writing text, or queues it behind the write in flight. */
void mx_saver_save(struct mx_saver *sv, char *text);
/* Writes text now, on this thread, after any write in flight has finished:
 * for the last save before exit. 0 or a negative errno (also logged). */
int mx_saver_flush(struct mx_saver *sv, char *text);
/* Drops the queued text (a later one was flushed, or nothing will be) and
 * lets go of sv; a write in flight finishes and then frees it. */
void mx_saver_free(struct mx_saver *sv);

#endif
