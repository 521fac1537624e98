/* state.h: what the Matrix adapter keeps across restarts (stored token, sync
 * position, filter id, recently answered event ids, encrypted rooms already told)
 * and its atomic, private (0600) persistence; it must not decide when to save. */
#ifndef SCOBOT_MATRIX_STATE_H
#define SCOBOT_MATRIX_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define MX_STATE_RING 1024        /* answered event ids remembered, count */
#define MX_STATE_NOTICED 256      /* encrypted rooms already given the notice, count */
#define MX_STATE_DUOS 1024        /* rooms of the bot and one other member, count */
#define MX_STATE_MAX_BYTES (1u << 20) /* largest state file read, bytes */

struct mx_state {
	char *user_id;        /* whose token this is */
	char *device_id;
	char *access_token;   /* only a token obtained by password login */
	char *next_batch;     /* NULL: never synced (first start) */
	char *filter_id;
	char *filter_key;     /* the filter JSON the id was made for */
	char *ring[MX_STATE_RING];   /* answered event ids, oldest overwritten */
	size_t ring_next, ring_len;
	char *noticed[MX_STATE_NOTICED];
	size_t noticed_next, noticed_len;
	/* Rooms last seen with exactly two joined members. Homeservers send the
	 * member count only when it changes, so it must survive a restart for
	 * plain questions in one-to-one rooms to keep working. */
	char *duos[MX_STATE_DUOS];
	size_t duos_next, duos_len;
};

/* Reads path into a zeroed *st. 0; -ENOENT when there is no file; -EBADMSG when
 * it is not a valid state file (st is left empty); other negative errno from the
 * file system. */
int mx_state_load(const char *path, struct mx_state *st);
/* Saving comes in two halves, so the blocking one can run off the loop: the
 * JSON text (NULL when out of memory; it holds the token, so release it with
 * mx_state_text_free, which wipes it), and the atomic write of a text to
 * path (temp file (0600), fsync, rename, fsync of the directory; 0 or a
 * negative errno, the old file staying on failure). mx_state_write touches
 * nothing but its arguments and the file system, so it may run on another
 * thread. */
char *mx_state_serialize(const struct mx_state *st);
void mx_state_text_free(char *text);
int mx_state_write(const char *path, const char *text);
/* Frees every string; st is empty afterwards. */
void mx_state_clear(struct mx_state *st);

/* Replaces a string field with a copy of v (NULL clears it). */
void mx_state_set(char **field, const char *v);

bool mx_state_answered(const struct mx_state *st, const char *event_id);
void mx_state_add_answered(struct mx_state *st, const char *event_id);
bool mx_state_noticed(const struct mx_state *st, const char *room_id);
void mx_state_add_noticed(struct mx_state *st, const char *room_id);
bool mx_state_is_duo(const struct mx_state *st, const char *room_id);
/* Records whether the room has exactly two joined members. */
void mx_state_set_duo(struct mx_state *st, const char *room_id, bool duo);
/* Forgets a room (left, kicked, banned): a later invite starts afresh. */
void mx_state_forget_room(struct mx_state *st, const char *room_id);

#endif
