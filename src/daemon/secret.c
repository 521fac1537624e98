/* secret.c: reads a token from the config, a token file or a systemd
 * credential, refusing files others could read; it must never put the
 * secret's bytes into a message, and zeroes every copy it made. */
#include "daemon/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

/* Why s cannot be a token, or NULL. Spaces and controls never belong to one,
 * and a stray one is usually two pasted lines. */
static const char *secret_problem(const char *s, size_t len)
{
	if (len == 0)
		return "is empty";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return "contains spaces or control characters";
	return NULL;
}

/* systemd creates $CREDENTIALS_DIRECTORY readable only by the service, so a
 * file inside it is safe whatever its mode bits say. */
static bool under_credentials_dir(const char *path)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	size_t n;
	if (!dir || dir[0] != '/')
		return false;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0 || path[n] != '/')
		return false;
	/* no way back out of it */
	for (const char *p = path + n; (p = strstr(p, "/..")) != NULL; p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return false;
	return true;
}

/* OpenBSD's check_file_secrecy(), on the descriptor actually read (no TOCTOU):
 * a regular file, owned by us or root, private unless systemd guards it. */
static int read_secret_file(const char *path, bool trusted, const char *what, char **ret,
                            char *err, size_t errsize)
{
	char buf[SECRET_MAX_BYTES + 1];
	struct stat st;
	size_t len = 0;
	int r;
	/* O_NONBLOCK: a FIFO planted at the path must not hang the start */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			snprintf(err, errsize,
			         "%s %s is a symbolic link; point to the file itself", what, path);
		else
			snprintf(err, errsize, "cannot open %s %s: %s", what, path, strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errsize, "cannot stat %s %s: %s", what, path, strerror(errno));
		r = -EINVAL;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s %s is not a regular file", what, path);
		r = -EINVAL;
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errsize, "%s %s is owned by uid %u, not by this user or root", what,
		         path, (unsigned)st.st_uid);
		r = -EINVAL;
		goto out;
	}
	if (!trusted && (st.st_mode & 077)) {
		snprintf(err, errsize,
		         "%s %s is readable or writable by others (mode %04o); chmod 600 it", what,
		         path, (unsigned)(st.st_mode & 07777));
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > SECRET_MAX_BYTES) {
		snprintf(err, errsize, "%s %s is larger than %d bytes", what, path,
		         SECRET_MAX_BYTES);
		r = -EINVAL;
		goto out;
	}
	/* the size can change after fstat: the read is bounded on its own */
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsize, "cannot read %s %s: %s", what, path, strerror(errno));
			r = -EINVAL;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SECRET_MAX_BYTES) {
		snprintf(err, errsize, "%s %s is larger than %d bytes", what, path,
		         SECRET_MAX_BYTES);
		r = -EINVAL;
		goto out;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	                   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	const char *why = secret_problem(buf, len);
	if (why) {
		snprintf(err, errsize, "%s %s %s", what, path, why);
		r = -EINVAL;
		goto out;
	}
	r = 0;
	*ret = xstrndup(buf, len);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

int secret_load(const char *inline_value, const char *file, const char *credential_name,
                char **ret_secret, char *err, size_t errsize)
{
	char *secret = NULL;
	int r;

	if (err && errsize)
		err[0] = '\0';
	if (inline_value && *inline_value) {
		const char *why = secret_problem(inline_value, strlen(inline_value));
		if (why) {
			snprintf(err, errsize, "the token in the config %s", why);
			return -EINVAL;
		}
		*ret_secret = xstrdup(inline_value);
		return 0;
	}
	if (file && *file) {
		r = read_secret_file(file, under_credentials_dir(file), "token file", &secret, err,
		                     errsize);
		if (r < 0)
			return -EINVAL; /* named but unusable is not "not configured" */
		*ret_secret = secret;
		return 0;
	}
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	if (!credential_name || !*credential_name || strchr(credential_name, '/') ||
	    !dir || !*dir) {
		snprintf(err, errsize, "no token configured (no token, no token_file%s%s%s)",
		         credential_name ? ", no credential " : "",
		         credential_name ? credential_name : "",
		         credential_name && (!dir || !*dir) ? ": CREDENTIALS_DIRECTORY is unset" : "");
		return -ENOENT;
	}
	size_t n = strlen(dir) + 1 + strlen(credential_name) + 1;
	char *path = xmalloc(n);
	snprintf(path, n, "%s/%s", dir, credential_name);
	r = read_secret_file(path, true, "credential", &secret, err, errsize);
	free(path);
	if (r == -ENOENT) {
		snprintf(err, errsize,
		         "no token configured (no token, no token_file, no credential %s in "
		         "CREDENTIALS_DIRECTORY)",
		         credential_name);
		return -ENOENT;
	}
	if (r < 0)
		return -EINVAL;
	*ret_secret = secret;
	return 0;
}

void secret_free(char *secret)
{
	if (!secret)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
