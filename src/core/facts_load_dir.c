/* facts_load_dir.c: reads the *.json files of a fact directory into memory,
 * refusing what is not a regular file within the size limit, and hands them to
 * facts_load_files(). */
#include "core/facts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arena.h"

__attribute__((format(printf, 4, 5)))
static int io_fail(struct facts_error *err, int code, const char *file, const char *fmt, ...)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return code;
}

static bool is_fact_file_name(const char *name)
{
	size_t len = strlen(name);
	/* Dot files are editor locks and backups (".#facts.json"), not facts. */
	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads one file, refusing anything but a regular file within the size limit.
 * O_NONBLOCK keeps a FIFO named *.json from blocking the open forever. */
static int read_file(int dir_fd, const char *name, struct arena *a, struct facts_file *ret,
                     struct facts_error *err)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return io_fail(err, -errno, name, "cannot open: %s", strerror(errno));
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0) {
		r = io_fail(err, -errno, name, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = io_fail(err, -EINVAL, name, "not a regular file");
		goto out;
	}
	if (st.st_size > (off_t)FACTS_MAX_FILE_BYTES) {
		r = io_fail(err, -EFBIG, name, "file is %lld bytes; the limit is %u",
		            (long long)st.st_size, (unsigned)FACTS_MAX_FILE_BYTES);
		goto out;
	}
	/* One spare byte tells a file that grew since fstat() from one that did not. */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = arena_alloc(a, cap);
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = io_fail(err, -errno, name, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		r = io_fail(err, -EAGAIN, name, "file changed while it was read");
		goto out;
	}
	*ret = (struct facts_file){name, buf, len};
out:
	close(fd);
	return r;
}

static int read_dir(const char *dir, struct arena *a, struct facts_file *files, size_t *ret_n,
                    struct facts_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return io_fail(err, -errno, dir, "cannot open the fact directory: %s",
		               strerror(errno));
	const char *names[FACTS_MAX_FILES];
	size_t n = 0;
	int r = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				r = io_fail(err, -errno, dir, "cannot list the fact directory: %s",
				            strerror(errno));
			break;
		}
		if (!is_fact_file_name(de->d_name))
			continue;
		if (n == FACTS_MAX_FILES) {
			r = io_fail(err, -EINVAL, dir, "more than %d *.json files in the fact directory",
			            FACTS_MAX_FILES);
			break;
		}
		names[n++] = arena_strdup(a, de->d_name);
	}
	if (r == 0 && n == 0)
		r = io_fail(err, -ENOENT, dir, "no *.json files in the fact directory");
	if (r == 0) {
		qsort(names, n, sizeof(*names), cmp_name);
		for (size_t i = 0; i < n && r == 0; i++)
			r = read_file(dirfd(d), names[i], a, &files[i], err);
	}
	closedir(d);
	if (r == 0)
		*ret_n = n;
	return r;
}

int facts_load_dir(const char *dir, struct facts **ret, struct facts_error *err)
{
	struct facts_error scratch_err;
	if (!err)
		err = &scratch_err;
	if (!dir || !ret)
		return io_fail(err, -EINVAL, "", "invalid arguments");
	struct arena a = ARENA_INIT;
	struct facts_file files[FACTS_MAX_FILES];
	size_t n = 0;
	int r = read_dir(dir, &a, files, &n, err);
	if (r == 0)
		r = facts_load_files(files, n, ret, err);
	arena_free(&a);
	return r;
}
