/* test_saver.c: the off-loop state writer on a real loop and thread pool:
 * the newest state wins, a flush is never undone by an older write still in
 * flight, and freeing with a write in flight leaks nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matrix/saver.h"
#include "net/loop.h"
#include "util/xalloc.h"
#include "../tap.h"

struct dir {
	char path[64];
	char file[96];
};

static void dir_make(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/scobot-saver-XXXXXX");
	if (!mkdtemp(d->path))
		abort();
	snprintf(d->file, sizeof(d->file), "%s/matrix-state.json", d->path);
}

static void dir_remove(struct dir *d)
{
	unlink(d->file);
	rmdir(d->path);
}

static char *text(int n)
{
	char *t = xmalloc(32);
	snprintf(t, 32, "{\"n\":%d}", n);
	return t;
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

TEST(many_saves_leave_the_newest_on_disk)
{
	struct dir d;
	dir_make(&d);
	struct net_loop *loop = net_loop_new();
	struct mx_saver *sv = mx_saver_new(loop, d.file);
	for (int i = 1; i <= 200; i++)
		mx_saver_save(sv, text(i));
	net_loop_run(loop);  /* returns once every write has come back */
	char *got = slurp(d.file);
	CHECK(got != NULL);
	CHECK_STR(got ? got : "", "{\"n\":200}");
	struct stat st;
	CHECK(stat(d.file, &st) == 0 && (st.st_mode & 0777) == 0600);
	mx_saver_free(sv);
	net_loop_free(loop);
	dir_remove(&d);
}

TEST(a_flush_is_not_undone_by_older_writes_in_flight)
{
	struct dir d;
	dir_make(&d);
	struct net_loop *loop = net_loop_new();
	/* The pool thread may write 1 before or after the flush: repeated so
	 * that both orders happen. */
	for (int round = 0; round < 50; round++) {
		struct mx_saver *sv = mx_saver_new(loop, d.file);
		mx_saver_save(sv, text(1));   /* in flight on a pool thread */
		mx_saver_save(sv, text(2));   /* queued behind it */
		CHECK_INT(mx_saver_flush(sv, text(3)), 0);
		CHECK_STR(slurp(d.file) ? slurp(d.file) : "", "{\"n\":3}");
		mx_saver_free(sv);
		net_loop_run(loop);
		CHECK_STR(slurp(d.file) ? slurp(d.file) : "", "{\"n\":3}");
		unlink(d.file);
	}
	net_loop_free(loop);
	dir_remove(&d);
}

TEST(freeing_with_a_write_in_flight_finishes_it_and_leaks_nothing)
{
	struct dir d;
	dir_make(&d);
	struct net_loop *loop = net_loop_new();
	struct mx_saver *sv = mx_saver_new(loop, d.file);
	mx_saver_save(sv, text(1));
	mx_saver_save(sv, text(2));   /* queued: dropped by the free */
	mx_saver_free(sv);
	net_loop_free(loop);          /* waits for the write, then frees sv */
	CHECK_STR(slurp(d.file) ? slurp(d.file) : "", "{\"n\":1}");
	dir_remove(&d);
}

TEST(a_failed_write_is_logged_and_the_old_file_kept)
{
	struct dir d;
	dir_make(&d);
	struct net_loop *loop = net_loop_new();
	char bad[128];
	snprintf(bad, sizeof(bad), "%s/missing/matrix-state.json", d.path);
	struct mx_saver *sv = mx_saver_new(loop, bad);
	mx_saver_save(sv, text(1));
	net_loop_run(loop);
	CHECK(access(bad, F_OK) != 0);
	CHECK(mx_saver_flush(sv, text(2)) < 0);
	mx_saver_free(sv);
	net_loop_free(loop);
	dir_remove(&d);
}

TAP_MAIN
