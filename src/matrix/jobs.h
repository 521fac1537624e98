/* jobs.h: the Matrix adapter's queue of serial requests (login, whoami,
 * filter, join, send, backfill): what each one is, in order, with its
 * backoff; a plain data structure, no I/O. */
#ifndef SCOBOT_MATRIX_JOBS_H
#define SCOBOT_MATRIX_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum job_kind { JOB_LOGIN, JOB_WHOAMI, JOB_ROOMS, JOB_FILTER, JOB_JOIN, JOB_SEND, JOB_BACKFILL };

struct job {
	struct job *next;
	enum job_kind kind;
	char *room_id;      /* join, send */
	char *txn_id;       /* send */
	char *body;         /* send, login: JSON */
	char *trigger;      /* send: the event answered (recorded when done) */
	char notice_room;   /* send: an encrypted-room notice ('e') */
	int64_t received_ms; /* send: an answer's question arrived then (host->sent); 0 none */
	uint64_t batch;     /* send, backfill: the sync batch that waits for it (0: none) */
	char *from, *to;    /* backfill: the gap, as /messages tokens */
	int page;           /* backfill: 1 for the gap's newest events, then older */
	int attempts;       /* tries the server answered with a failure (not 429) */
	int64_t first_try;  /* when the first try started, ms */
	int64_t not_before;
};

struct jobs {
	struct job *head, *tail;
	size_t n;
};

struct job *job_new(enum job_kind kind);
void job_free(struct job *j);  /* accepts NULL; wipes a login body (the password) */
const char *job_name(const struct job *j);  /* "login", ..., "messages" */

void jobs_push(struct jobs *q, struct job *j, bool front);
struct job *jobs_pop(struct jobs *q);           /* NULL when empty */
void jobs_unlink(struct jobs *q, struct job *j);
/* The job to run next: the first one whose backoff has passed at now, in
 * queue order (now < 0: none); only authentication jobs when auth_only.
 * *ret_earliest (may be NULL) gets the earliest not_before of the others
 * (-1: none). */
struct job *jobs_ready(const struct jobs *q, bool auth_only, int64_t now,
		       int64_t *ret_earliest);
/* Whether a job of kind is queued: for trigger (a send answering it), for
 * room (a join, or an encrypted-room notice send), or any with both NULL. */
bool jobs_queued(const struct jobs *q, enum job_kind kind, const char *room,
		 const char *trigger);

#endif
