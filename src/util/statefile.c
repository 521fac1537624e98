/* statefile.c: atomic, private writes of state files and the check of their
 * directory; it must never open a path it did not just create itself. */
#include "util/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest state file path, temporary suffix included (bytes). */
#define STATEFILE_PATH_MAX 4096

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The directory part of path into buf ("." when there is none). */
static void dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

int statefile_write(const char *path, const void *data, size_t len)
{
	char tmp[STATEFILE_PATH_MAX], dir[STATEFILE_PATH_MAX];
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dir_of(path, dir, sizeof(dir));
	/* ".name.XXXXXX" beside the file: the rename stays in one file system,
	 * and a leftover from a crash is hidden and never read. */
	int n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	if (!*base || n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* mkostemp opens with O_CREAT|O_EXCL: a planted name fails, never followed. */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = 0;
	/* The file may hold a token: 0600 whatever the umask says. */
	if (fchmod(fd, 0600) < 0)
		r = -errno;
	if (r == 0)
		r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	/* The rename itself is durable only once the directory is synced. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int statefile_check_dir(const char *dir, bool create, char *why, size_t whysize)
{
	struct stat st;
	if (!dir || !*dir) {
		snprintf(why, whysize, "no state directory is set");
		return -EINVAL;
	}
	if (stat(dir, &st) < 0) {
		int r = -errno;
		if (r != -ENOENT || !create) {
			snprintf(why, whysize, "cannot use it: %s", strerror(-r));
			return r;
		}
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			snprintf(why, whysize, "cannot create it: %s", strerror(-r));
			return r;
		}
		if (stat(dir, &st) < 0) {
			r = -errno;
			snprintf(why, whysize, "cannot use it: %s", strerror(-r));
			return r;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whysize, "it is not a directory");
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(why, whysize, "it is owned by uid %u, not by scobot's user (uid %u)",
		         (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	/* Anyone who may write there could plant or swap the files. */
	if (st.st_mode & S_IWOTH) {
		snprintf(why, whysize, "it is writable by others (mode %04o); chmod 700 it",
		         (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (!(st.st_mode & S_IWUSR) || access(dir, W_OK | X_OK) < 0) {
		snprintf(why, whysize, "scobot's user cannot write in it (mode %04o)",
		         (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	return 0;
}
