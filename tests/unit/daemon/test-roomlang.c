/* test-roomlang.c: room languages survive a restart, and a damaged file costs
 * only its damaged lines. */
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/roomlang.h"

static char dir[64];

static const char *tmpdir(void)
{
	strcpy(dir, "/tmp/scobot-roomlang-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	return dir;
}

static void cleanup(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/room-languages", dir);
	unlink(path);
	rmdir(dir);
}

TEST(a_new_store_knows_no_room)
{
	struct roomlang *r = roomlang_open(tmpdir());
	CHECK_INT(roomlang_get(r, "discord", "1"), LANG_NONE);
	roomlang_free(r);
	cleanup();
}

TEST(a_set_language_survives_reopening)
{
	struct roomlang *r = roomlang_open(tmpdir());
	CHECK_INT(roomlang_set(r, "matrix", "!a:example.org", LANG_ZH), 0);
	CHECK_INT(roomlang_set(r, "discord", "123", LANG_RU), 0);
	CHECK_INT(roomlang_set(r, "discord", "123", LANG_EN), 0);
	roomlang_free(r);
	r = roomlang_open(dir);
	CHECK_INT(roomlang_get(r, "matrix", "!a:example.org"), LANG_ZH);
	CHECK_INT(roomlang_get(r, "discord", "123"), LANG_EN);
	CHECK_INT(roomlang_get(r, "discord", "!a:example.org"), LANG_NONE);
	roomlang_free(r);
	cleanup();
}

TEST(a_symlink_planted_at_the_temporary_name_is_not_followed)
{
	char victim[128], link[128], path[128], buf[64] = "";
	tmpdir();
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link, sizeof(link), "%s/room-languages.tmp", dir);
	snprintf(path, sizeof(path), "%s/room-languages", dir);
	FILE *f = fopen(victim, "we");
	fputs("keep me", f);
	fclose(f);
	CHECK(symlink(victim, link) == 0);
	struct roomlang *r = roomlang_open(dir);
	CHECK_INT(roomlang_set(r, "discord", "1", LANG_RU), 0);
	roomlang_free(r);
	f = fopen(victim, "re");
	CHECK(f && fgets(buf, sizeof(buf), f));
	if (f)
		fclose(f);
	CHECK_STR(buf, "keep me");
	r = roomlang_open(dir);
	CHECK_INT(roomlang_get(r, "discord", "1"), LANG_RU);
	roomlang_free(r);
	unlink(victim);
	unlink(link);
	cleanup();
}

TEST(the_file_is_private)
{
	struct roomlang *r = roomlang_open(tmpdir());
	roomlang_set(r, "discord", "1", LANG_RU);
	char path[128];
	struct stat st;
	snprintf(path, sizeof(path), "%s/room-languages", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0);
	roomlang_free(r);
	cleanup();
}

TEST(bad_lines_are_skipped_and_good_ones_kept)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/room-languages", tmpdir());
	FILE *f = fopen(path, "w");
	fputs("discord:1 ru\ngarbage\nmatrix:!x:y klingon\n\nmatrix:!b:c zh\n", f);
	fclose(f);
	struct roomlang *r = roomlang_open(dir);
	CHECK_INT(roomlang_get(r, "discord", "1"), LANG_RU);
	CHECK_INT(roomlang_get(r, "matrix", "!b:c"), LANG_ZH);
	CHECK_INT(roomlang_get(r, "matrix", "!x:y"), LANG_NONE);
	roomlang_free(r);
	cleanup();
}

TEST(room_ids_that_would_break_the_file_are_refused)
{
	struct roomlang *r = roomlang_open(tmpdir());
	CHECK(roomlang_set(r, "discord", "1 2", LANG_RU) < 0);
	CHECK(roomlang_set(r, "discord", "1\nx", LANG_RU) < 0);
	roomlang_free(r);
	cleanup();
}

TEST(without_a_directory_languages_live_in_memory)
{
	struct roomlang *r = roomlang_open(NULL);
	CHECK_INT(roomlang_set(r, "discord", "9", LANG_ZH), 0);
	CHECK_INT(roomlang_get(r, "discord", "9"), LANG_ZH);
	roomlang_free(r);
}

TAP_MAIN
