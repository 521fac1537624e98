/* statefile.h: the one way scobot writes a state file (room languages,
 * Discord sessions and identify counts, the Matrix sync state) and the check
 * of the directory that holds them.
 *
 * A state file is written whole or not at all, and a name planted in the
 * directory (a symlink, a hard link, a FIFO) can never redirect the write:
 * the data goes to a fresh, uniquely named temporary created with O_EXCL in
 * the same directory (mode 0600), is fsynced, renamed over the file, and the
 * directory is fsynced so the rename survives a crash. */
#ifndef SCOBOT_UTIL_STATEFILE_H
#define SCOBOT_UTIL_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Replaces path with data[0..len) atomically, mode 0600. 0 or a negative
 * errno; on failure the old file stays and no temporary is left behind. It
 * touches nothing but the file system, so it may run on another thread. */
int statefile_write(const char *path, const void *data, size_t len);

/* Checks (creating it 0700 if missing, when create is true) that dir is a
 * directory this process may keep secrets in: owned by the effective user,
 * writable by it, and not writable by others. 0, or -errno with `why` saying
 * what is wrong (without any secret: the path is the caller's to print). */
int statefile_check_dir(const char *dir, bool create, char *why, size_t whysize);

#endif
