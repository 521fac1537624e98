/* saver.c: the off-loop state writer; owns the path copy, the queued text and
 * the mutex that keeps two writers of the same file apart. The counters and
 * the queue are touched on the loop thread only; a pool thread sees just its
 * job and, under the mutex, `written`. */
#include "matrix/saver.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matrix/state.h"
#include "net/loop.h"
#include "util/log.h"
#include "util/xalloc.h"

struct mx_saver {
	struct net_loop *loop;
	char *path;
	pthread_mutex_t lock;   /* held by whoever is writing the file */
	uint64_t written;       /* generation of the file on disk (under lock) */
	uint64_t gen;           /* last generation handed out */
	bool inflight;
	char *queued;           /* the next text to write, or NULL */
	uint64_t queued_gen;
	int refs;               /* the owner, plus the job in flight */
};

struct job {
	struct mx_saver *sv;
	char *text;
	uint64_t gen;
	int err;
};

static void unref(struct mx_saver *sv)
{
	if (--sv->refs > 0)
		return;
	mx_state_text_free(sv->queued);
	pthread_mutex_destroy(&sv->lock);
	free(sv->path);
	free(sv);
}

/* Writes text unless a newer generation is already on disk. */
static int write_locked(struct mx_saver *sv, const char *text, uint64_t gen)
{
	int r = 0;
	pthread_mutex_lock(&sv->lock);
	if (gen > sv->written) {
		r = mx_state_write(sv->path, text);
		if (r == 0)
			sv->written = gen;
	}
	pthread_mutex_unlock(&sv->lock);
	return r;
}

static void job_work(void *data)
{
	struct job *j = data;
	j->err = write_locked(j->sv, j->text, j->gen);
}

static void start(struct mx_saver *sv, char *text, uint64_t gen);

static void job_done(void *data)
{
	struct job *j = data;
	struct mx_saver *sv = j->sv;
	if (j->err < 0)
		log_error("matrix: cannot save state", "path=%s err=%s", sv->path, strerror(-j->err));
	mx_state_text_free(j->text);
	free(j);
	sv->inflight = false;
	if (sv->queued && sv->refs > 1) {
		char *t = sv->queued;
		sv->queued = NULL;
		start(sv, t, sv->queued_gen);
	}
	unref(sv);
}

static void start(struct mx_saver *sv, char *text, uint64_t gen)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->sv = sv;
	j->text = text;
	j->gen = gen;
	sv->refs++;
	sv->inflight = true;
	if (net_work_queue(sv->loop, job_work, job_done, j) < 0) {
		/* No thread pool: a blocking save still beats losing the state. */
		job_work(j);
		job_done(j);
	}
}

struct mx_saver *mx_saver_new(struct net_loop *loop, const char *path)
{
	struct mx_saver *sv = xcalloc(1, sizeof(*sv));
	sv->loop = loop;
	sv->path = xstrdup(path);
	pthread_mutex_init(&sv->lock, NULL);
	sv->refs = 1;
	return sv;
}

void mx_saver_save(struct mx_saver *sv, char *text)
{
	uint64_t gen = ++sv->gen;
	if (sv->inflight) {
		mx_state_text_free(sv->queued);
		sv->queued = text;
		sv->queued_gen = gen;
		return;
	}
	start(sv, text, gen);
}

int mx_saver_flush(struct mx_saver *sv, char *text)
{
	uint64_t gen = ++sv->gen;
	/* Newer than anything queued: that one need not be written at all. */
	mx_state_text_free(sv->queued);
	sv->queued = NULL;
	int r = write_locked(sv, text, gen);
	if (r < 0)
		log_error("matrix: cannot save state", "path=%s err=%s", sv->path, strerror(-r));
	mx_state_text_free(text);
	return r;
}

void mx_saver_free(struct mx_saver *sv)
{
	if (!sv)
		return;
	mx_state_text_free(sv->queued);
	sv->queued = NULL;
	unref(sv);
}
