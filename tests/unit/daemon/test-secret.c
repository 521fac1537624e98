/* test-secret.c: token loading from inline, file and CREDENTIALS_DIRECTORY,
 * their precedence, and every refusal; no message may carry the secret. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/secret.h"
#include "tap.h"

#define SECRET "hunter2-sEcReT.TokEn_42"

static char dir[64];      /* a scratch directory per test */
static char creds[96];    /* dir/creds, used as CREDENTIALS_DIRECTORY */
static char err[512];

static void begin(void)
{
	snprintf(dir, sizeof(dir), "/tmp/scobot-test-secret-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(creds, sizeof(creds), "%s/creds", dir);
	if (mkdir(creds, 0700) < 0)
		abort();
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void end(void)
{
	char cmd[128];
	unsetenv("CREDENTIALS_DIRECTORY");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
}

/* Writes data to dir/name (or an absolute name) with mode; returns the path. */
static const char *put(const char *name, const char *data, size_t len, mode_t mode)
{
	static char paths[4][160];
	static int next;
	char *path = paths[next++ % 4];
	if (name[0] == '/')
		snprintf(path, sizeof(paths[0]), "%s", name);
	else
		snprintf(path, sizeof(paths[0]), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	fchmod(fd, mode);
	close(fd);
	return path;
}

static const char *put_str(const char *name, const char *data, mode_t mode)
{
	return put(name, data, strlen(data), mode);
}

/* Runs secret_load and expects failure r; checks the secret stays out of err. */
static const char *refused(int want, const char *inl, const char *file, const char *cred)
{
	char *got = (char *)err; /* must stay untouched */
	int r = secret_load(inl, file, cred, &got, err, sizeof(err));
	CHECK_INT(r, want);
	CHECK(got == (char *)err);
	if (r == 0)
		secret_free(got);
	CHECK(err[0] != '\0');
	CHECK_NOT_CONTAINS(err, "sEcReT");
	return err;
}

static void expect_secret(const char *inl, const char *file, const char *cred, const char *want)
{
	char *got = NULL;
	int r = secret_load(inl, file, cred, &got, err, sizeof(err));
	if (r)
		printf("# %s\n", err);
	CHECK_INT(r, 0);
	CHECK_STR(got, want);
	secret_free(got);
}

TEST(inline_value_is_used_first)
{
	begin();
	const char *f = put_str("tok", "from-file\n", 0600);
	put_str("creds/discord-token", "from-cred", 0600);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	expect_secret(SECRET, f, "discord-token", SECRET);
	end();
}

TEST(file_is_used_when_there_is_no_inline_value)
{
	begin();
	const char *f = put_str("tok", SECRET "\n", 0600);
	put_str("creds/discord-token", "from-cred", 0600);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	expect_secret("", f, "discord-token", SECRET);
	expect_secret(NULL, f, "discord-token", SECRET);
	end();
}

TEST(credential_is_used_when_nothing_else_is_set)
{
	begin();
	put_str("creds/matrix-token", SECRET, 0600);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	expect_secret(NULL, NULL, "matrix-token", SECRET);
	expect_secret("", "", "matrix-token", SECRET);
	end();
}

TEST(nothing_configured_is_enoent)
{
	begin();
	CHECK_CONTAINS(refused(-ENOENT, NULL, NULL, "discord-token"),
	               "no credential discord-token: CREDENTIALS_DIRECTORY is unset");
	refused(-ENOENT, "", "", NULL);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	CHECK_CONTAINS(refused(-ENOENT, NULL, NULL, "discord-token"),
	               "no credential discord-token in CREDENTIALS_DIRECTORY");
	end();
}

TEST(named_file_that_is_missing_is_an_error_not_enoent)
{
	begin();
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	put_str("creds/discord-token", SECRET, 0600);
	CHECK_CONTAINS(refused(-EINVAL, NULL, "/nonexistent/tok", "discord-token"),
	               "cannot open token file /nonexistent/tok: No such file or directory");
	end();
}

TEST(trailing_newline_and_whitespace_are_stripped)
{
	begin();
	expect_secret(NULL, put_str("a", SECRET "\n", 0600), NULL, SECRET);
	expect_secret(NULL, put_str("b", SECRET "\r\n", 0600), NULL, SECRET);
	expect_secret(NULL, put_str("c", SECRET " \t\n\n", 0600), NULL, SECRET);
	expect_secret(NULL, put_str("d", SECRET, 0600), NULL, SECRET);
	end();
}

TEST(file_readable_by_others_is_refused)
{
	begin();
	const char *f = put_str("tok", SECRET "\n", 0644);
	char want[256];
	snprintf(want, sizeof(want),
	         "token file %s is readable or writable by others (mode 0644); chmod 600 it", f);
	CHECK_STR(refused(-EINVAL, NULL, f, NULL), want);
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("g", SECRET, 0640), NULL), "mode 0640");
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("w", SECRET, 0602), NULL), "mode 0602");
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("x", SECRET, 0610), NULL), "chmod 600");
	expect_secret(NULL, put_str("ok", SECRET, 0400), NULL, SECRET);
	end();
}

TEST(files_under_credentials_directory_may_have_any_mode)
{
	begin();
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	put_str("creds/discord-token", SECRET, 0644);
	expect_secret(NULL, NULL, "discord-token", SECRET);
	char path[160];
	snprintf(path, sizeof(path), "%s/discord-token", creds);
	expect_secret(NULL, path, NULL, SECRET);
	/* but not a path that climbs out of it */
	put_str("outside", SECRET, 0644);
	snprintf(path, sizeof(path), "%s/../outside", creds);
	CHECK_CONTAINS(refused(-EINVAL, NULL, path, NULL), "chmod 600");
	end();
}

TEST(symlink_is_refused)
{
	begin();
	const char *target = put_str("real", SECRET, 0600);
	char link[160];
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK_INT(symlink(target, link), 0);
	char want[256];
	snprintf(want, sizeof(want), "token file %s is a symbolic link; point to the file itself",
	         link);
	CHECK_STR(refused(-EINVAL, NULL, link, NULL), want);
	/* the same for a credential */
	snprintf(link, sizeof(link), "%s/discord-token", creds);
	CHECK_INT(symlink(target, link), 0);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	CHECK_CONTAINS(refused(-EINVAL, NULL, NULL, "discord-token"), "is a symbolic link");
	end();
}

TEST(empty_file_is_refused)
{
	begin();
	const char *f = put_str("e", "", 0600);
	char want[256];
	snprintf(want, sizeof(want), "token file %s is empty", f);
	CHECK_STR(refused(-EINVAL, NULL, f, NULL), want);
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("nl", "\n\n \n", 0600), NULL), "is empty");
	end();
}

TEST(oversize_file_is_refused)
{
	begin();
	static char big[SECRET_MAX_BYTES + 1];
	memset(big, 'a', sizeof(big));
	CHECK_CONTAINS(refused(-EINVAL, NULL, put("big", big, sizeof(big), 0600), NULL),
	               "is larger than 4096 bytes");
	/* exactly at the bound is fine */
	char *got = NULL;
	CHECK_INT(secret_load(NULL, put("max", big, SECRET_MAX_BYTES, 0600), NULL, &got, err,
	                      sizeof(err)),
	          0);
	CHECK_INT(got ? strlen(got) : 0, SECRET_MAX_BYTES);
	secret_free(got);
	end();
}

TEST(spaces_and_control_characters_are_refused)
{
	begin();
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("s", "hunter2 sEcReT\n", 0600), NULL),
	               "contains spaces or control characters");
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("two", "hunter2\nsEcReT\n", 0600), NULL),
	               "contains spaces or control characters");
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("c", "hunter2\x1bsEcReT", 0600), NULL),
	               "contains spaces or control characters");
	CHECK_CONTAINS(refused(-EINVAL, NULL, put_str("lead", " hunter2sEcReT", 0600), NULL),
	               "contains spaces or control characters");
	CHECK_STR(refused(-EINVAL, "hunter2 sEcReT", NULL, NULL),
	          "the token in the config contains spaces or control characters");
	end();
}

TEST(directory_and_fifo_are_refused_without_hanging)
{
	begin();
	char fifo[160];
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	CHECK_CONTAINS(refused(-EINVAL, NULL, fifo, NULL), "is not a regular file");
	CHECK_CONTAINS(refused(-EINVAL, NULL, dir, NULL), "is not a regular file");
	end();
}

TEST(file_owned_by_another_user_is_refused)
{
	if (geteuid() != 0) {
		/* only root can give a file away; the check itself is covered by
		 * the mode tests' code path */
		printf("# not root: cannot create a file owned by another user\n");
		return;
	}
	begin();
	const char *f = put_str("theirs", SECRET, 0600);
	CHECK_INT(chown(f, 65534, 65534), 0);
	CHECK_CONTAINS(refused(-EINVAL, NULL, f, NULL), "is owned by uid 65534, not by this user or root");
	/* owned by root (we are root): fine */
	expect_secret(NULL, put_str("ours", SECRET, 0600), NULL, SECRET);
	end();
}

TEST(secret_free_accepts_null)
{
	secret_free(NULL);
	char *s = NULL;
	CHECK_INT(secret_load(SECRET, NULL, NULL, &s, err, sizeof(err)), 0);
	secret_free(s);
}

TAP_MAIN
