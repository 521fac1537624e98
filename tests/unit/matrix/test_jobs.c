/* test_jobs.c: the Matrix adapter's queue of serial requests (matrix/jobs.c):
 * order, front pushes, unlinking, which job runs next, and what counts as
 * already queued. */
#include <stdlib.h>
#include <string.h>

#include "matrix/jobs.h"
#include "util/xalloc.h"
#include "../tap.h"

static struct job *mk(enum job_kind kind, const char *room, const char *trigger, int64_t nb)
{
	struct job *j = job_new(kind);
	j->room_id = room ? xstrdup(room) : NULL;
	j->trigger = trigger ? xstrdup(trigger) : NULL;
	j->not_before = nb;
	return j;
}

static void drain(struct jobs *q)
{
	struct job *j;
	while ((j = jobs_pop(q)))
		job_free(j);
	CHECK_INT(q->n, 0);
	CHECK(q->head == NULL && q->tail == NULL);
}

TEST(fifo_with_front_pushes_and_pop)
{
	struct jobs q = {0};
	CHECK(jobs_pop(&q) == NULL);
	struct job *a = mk(JOB_SEND, "!a", "$1", 0), *b = mk(JOB_JOIN, "!b", NULL, 0);
	struct job *c = mk(JOB_LOGIN, NULL, NULL, 0);
	jobs_push(&q, a, false);
	jobs_push(&q, b, false);
	jobs_push(&q, c, true);
	CHECK_INT(q.n, 3);
	CHECK(q.head == c && q.tail == b);
	struct job *x = jobs_pop(&q);
	CHECK(x == c && x->next == NULL);
	job_free(x);
	CHECK(jobs_pop(&q) == a);
	job_free(a);
	CHECK(jobs_pop(&q) == b);
	CHECK(q.head == NULL && q.tail == NULL && q.n == 0);
	job_free(b);
	/* A front push into an empty queue is also its tail. */
	struct job *d = mk(JOB_WHOAMI, NULL, NULL, 0);
	jobs_push(&q, d, true);
	CHECK(q.head == d && q.tail == d);
	struct job *e = mk(JOB_FILTER, NULL, NULL, 0);
	jobs_push(&q, e, false);
	CHECK(d->next == e && q.tail == e);
	drain(&q);
}

TEST(unlink_from_the_head_middle_and_tail)
{
	struct jobs q = {0};
	struct job *a = mk(JOB_SEND, "!a", "$1", 0), *b = mk(JOB_SEND, "!a", "$2", 0);
	struct job *c = mk(JOB_SEND, "!a", "$3", 0);
	jobs_push(&q, a, false);
	jobs_push(&q, b, false);
	jobs_push(&q, c, false);
	jobs_unlink(&q, b);
	CHECK_INT(q.n, 2);
	CHECK(a->next == c && b->next == NULL);
	jobs_unlink(&q, c);
	CHECK(q.tail == a && a->next == NULL);
	CHECK_INT(q.n, 1);
	jobs_unlink(&q, b);  /* not queued: nothing happens */
	CHECK_INT(q.n, 1);
	jobs_unlink(&q, a);
	CHECK(q.head == NULL && q.tail == NULL && q.n == 0);
	job_free(a);
	job_free(b);
	job_free(c);
}

TEST(the_next_job_is_the_first_due_and_auth_goes_alone)
{
	struct jobs q = {0};
	struct job *send = mk(JOB_SEND, "!a", "$1", 100), *join = mk(JOB_JOIN, "!b", NULL, 50);
	struct job *who = mk(JOB_WHOAMI, NULL, NULL, 300);
	jobs_push(&q, send, false);
	jobs_push(&q, join, false);
	jobs_push(&q, who, false);
	int64_t earliest = 0;
	CHECK(jobs_ready(&q, false, 49, &earliest) == NULL);
	CHECK_INT(earliest, 50);
	CHECK(jobs_ready(&q, false, 50, NULL) == join);
	CHECK(jobs_ready(&q, false, 100, NULL) == send);  /* queue order among the due */
	/* Before login only authentication runs. */
	CHECK(jobs_ready(&q, true, 1000, NULL) == who);
	CHECK(jobs_ready(&q, true, 299, &earliest) == NULL);
	CHECK_INT(earliest, 300);
	/* now < 0: only the earliest is wanted. */
	CHECK(jobs_ready(&q, false, -1, &earliest) == NULL);
	CHECK_INT(earliest, 50);
	drain(&q);
	CHECK(jobs_ready(&q, false, 1000, &earliest) == NULL);
	CHECK_INT(earliest, -1);
}

TEST(what_counts_as_already_queued)
{
	struct jobs q = {0};
	CHECK(!jobs_queued(&q, JOB_LOGIN, NULL, NULL));
	jobs_push(&q, mk(JOB_SEND, "!a", "$1", 0), false);     /* a reply */
	jobs_push(&q, mk(JOB_JOIN, "!j", NULL, 0), false);
	struct job *notice = mk(JOB_SEND, "!e", NULL, 0);     /* an encrypted-room notice */
	notice->notice_room = 'e';
	jobs_push(&q, notice, false);
	CHECK(jobs_queued(&q, JOB_SEND, NULL, NULL));          /* any of the kind */
	CHECK(!jobs_queued(&q, JOB_LOGIN, NULL, NULL));
	CHECK(jobs_queued(&q, JOB_SEND, NULL, "$1"));          /* by the event answered */
	CHECK(!jobs_queued(&q, JOB_SEND, NULL, "$2"));
	CHECK(!jobs_queued(&q, JOB_JOIN, NULL, "$1"));
	CHECK(jobs_queued(&q, JOB_JOIN, "!j", NULL));          /* a join, by room */
	CHECK(!jobs_queued(&q, JOB_JOIN, "!a", NULL));
	CHECK(jobs_queued(&q, JOB_SEND, "!e", NULL));          /* a notice, by room */
	/* A reply to a room is not its notice. */
	CHECK(!jobs_queued(&q, JOB_SEND, "!a", NULL));
	drain(&q);
}

TEST(job_names_for_logs)
{
	static const char *const names[] = {"login", "whoami", "joined_rooms", "filter", "join", "send", "messages"};
	for (int k = JOB_LOGIN; k <= JOB_BACKFILL; k++) {
		struct job *j = job_new((enum job_kind)k);
		CHECK_STR(job_name(j), names[k]);
		job_free(j);
	}
	job_free(NULL);
}

TAP_MAIN
