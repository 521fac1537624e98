/* test-statefile.c: the one state-file writer never follows a planted name and
 * leaves a private file or the old one; the state directory check refuses what
 * could be redirected or read by others. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "util/statefile.h"

static char dir[64];
static char why[256];

static const char *tmpdir(void)
{
	strcpy(dir, "/tmp/scobot-statefile-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	return dir;
}

static const char *in_dir(const char *name)
{
	static char path[4][160];
	static int i;
	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
}

static const char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "re");
	if (!f)
		return "(missing)";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static int entries(const char *d)
{
	int n = 0;
	DIR *dd = opendir(d);
	for (struct dirent *e; dd && (e = readdir(dd));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (dd)
		closedir(dd);
	return n;
}

TEST(write_replaces_the_file_whole_and_private_whatever_the_umask)
{
	tmpdir();
	mode_t old = umask(0);
	CHECK_INT(statefile_write(in_dir("s.json"), "one", 3), 0);
	CHECK_INT(statefile_write(in_dir("s.json"), "two\n", 4), 0);
	umask(old);
	struct stat st;
	CHECK(stat(in_dir("s.json"), &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK_STR(slurp(in_dir("s.json")), "two\n");
	CHECK_INT(entries(dir), 1); /* no temporary left */
	cleanup();
}

TEST(planted_symlinks_at_the_old_temporary_and_the_file_are_not_followed)
{
	tmpdir();
	put(in_dir("victim"), "keep me");
	/* the names the old writers used (roomlang: NAME.tmp; Matrix: NAME.tmp) */
	CHECK(symlink(in_dir("victim"), in_dir("room-languages.tmp")) == 0);
	CHECK_INT(statefile_write(in_dir("room-languages"), "discord:1 ru\n", 13), 0);
	CHECK_STR(slurp(in_dir("victim")), "keep me");
	CHECK_STR(slurp(in_dir("room-languages")), "discord:1 ru\n");
	/* a symlink at the file itself is replaced, its target untouched */
	CHECK(symlink(in_dir("victim"), in_dir("state.json")) == 0);
	CHECK_INT(statefile_write(in_dir("state.json"), "{}", 2), 0);
	struct stat st;
	CHECK(lstat(in_dir("state.json"), &st) == 0 && S_ISREG(st.st_mode));
	CHECK_STR(slurp(in_dir("victim")), "keep me");
	cleanup();
}

TEST(a_failed_write_keeps_the_old_file_and_leaves_no_temporary)
{
	tmpdir();
	put(in_dir("s.json"), "old");
	CHECK(mkdir(in_dir("d.json"), 0700) == 0);
	/* renaming a file over a directory fails */
	CHECK(statefile_write(in_dir("d.json"), "new", 3) < 0);
	CHECK_INT(statefile_write(in_dir("missing/s.json"), "x", 1), -ENOENT);
	CHECK_STR(slurp(in_dir("s.json")), "old");
	CHECK_INT(entries(dir), 2);
	cleanup();
}

TEST(a_good_directory_passes_and_a_missing_one_is_created_0700)
{
	tmpdir();
	chmod(dir, 0700);
	CHECK_INT(statefile_check_dir(dir, false, why, sizeof(why)), 0);
	CHECK_INT(statefile_check_dir(in_dir("new"), false, why, sizeof(why)), -ENOENT);
	mode_t old = umask(0);
	CHECK_INT(statefile_check_dir(in_dir("new"), true, why, sizeof(why)), 0);
	umask(old);
	struct stat st;
	CHECK(stat(in_dir("new"), &st) == 0 && (st.st_mode & 07777) == 0700);
	cleanup();
}

TEST(a_regular_file_or_proc_self_is_not_a_state_directory)
{
	tmpdir();
	put(in_dir("file"), "");
	CHECK_INT(statefile_check_dir(in_dir("file"), true, why, sizeof(why)), -ENOTDIR);
	CHECK_STR(why, "it is not a directory");
	CHECK(statefile_check_dir("/proc/self", true, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "cannot write in it");
	cleanup();
}

TEST(a_world_writable_directory_is_refused)
{
	tmpdir();
	chmod(dir, 0777);
	CHECK_INT(statefile_check_dir(dir, true, why, sizeof(why)), -EPERM);
	CHECK_STR(why, "it is writable by others (mode 0777); chmod 700 it");
	chmod(dir, 01777);
	CHECK_INT(statefile_check_dir(dir, true, why, sizeof(why)), -EPERM);
	cleanup();
}

TEST(a_directory_of_another_user_is_refused)
{
	if (geteuid() != 0) {
		/* "/" belongs to root */
		CHECK_INT(statefile_check_dir("/", false, why, sizeof(why)), -EPERM);
		CHECK_CONTAINS(why, "owned by uid 0");
		return;
	}
	tmpdir();
	CHECK(chown(dir, 65534, 65534) == 0);
	CHECK_INT(statefile_check_dir(dir, false, why, sizeof(why)), -EPERM);
	CHECK_CONTAINS(why, "owned by uid 65534, not by scobot's user (uid 0)");
	cleanup();
}

TAP_MAIN
