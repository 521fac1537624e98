/* jobs.c: owns the Matrix adapter's queue of serial requests and the rules
 * for picking the next one; a plain data structure with no I/O. */
#include "matrix/jobs.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct job *job_new(enum job_kind kind)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	return j;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->room_id);
	free(j->txn_id);
	if (j->body) {
		if (j->kind == JOB_LOGIN)  /* carries the password */
			memset(j->body, 0, strlen(j->body));
		free(j->body);
	}
	free(j->trigger);
	free(j->from);
	free(j->to);
	free(j);
}

const char *job_name(const struct job *j)
{
	switch (j->kind) {
	case JOB_LOGIN: return "login";
	case JOB_WHOAMI: return "whoami";
	case JOB_ROOMS: return "joined_rooms";
	case JOB_FILTER: return "filter";
	case JOB_JOIN: return "join";
	case JOB_SEND: return "send";
	case JOB_BACKFILL: return "messages";
	}
	return "?";
}

void jobs_push(struct jobs *q, struct job *j, bool front)
{
	q->n++;
	if (front) {
		j->next = q->head;
		q->head = j;
		if (!q->tail)
			q->tail = j;
		return;
	}
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

struct job *jobs_pop(struct jobs *q)
{
	struct job *j = q->head;
	if (!j)
		return NULL;
	q->head = j->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	j->next = NULL;
	return j;
}

void jobs_unlink(struct jobs *q, struct job *j)
{
	struct job **pp = &q->head, *prev = NULL;
	while (*pp && *pp != j) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = j->next;
	if (q->tail == j)
		q->tail = prev;
	q->n--;
	j->next = NULL;
}

static bool is_auth(const struct job *j)
{
	return j->kind == JOB_LOGIN || j->kind == JOB_WHOAMI || j->kind == JOB_ROOMS ||
	       j->kind == JOB_FILTER;
}

/* Queue order, so a join waiting out an invite race never holds up replies. */
struct job *jobs_ready(const struct jobs *q, bool auth_only, int64_t now,
		       int64_t *ret_earliest)
{
	int64_t earliest = -1;
	for (struct job *j = q->head; j; j = j->next) {
		if (auth_only && !is_auth(j))
			continue;
		if (now >= 0 && j->not_before <= now)
			return j;
		if (earliest < 0 || j->not_before < earliest)
			earliest = j->not_before;
	}
	if (ret_earliest)
		*ret_earliest = earliest;
	return NULL;
}

bool jobs_queued(const struct jobs *q, enum job_kind kind, const char *room,
		 const char *trigger)
{
	for (const struct job *j = q->head; j; j = j->next) {
		if (j->kind != kind)
			continue;
		if (!trigger && !room)
			return true;  /* any job of this kind */
		if (trigger && j->trigger && strcmp(j->trigger, trigger) == 0)
			return true;
		if (!trigger && room && j->room_id && strcmp(j->room_id, room) == 0 &&
		    (kind != JOB_SEND || j->notice_room))
			return true;
	}
	return false;
}
