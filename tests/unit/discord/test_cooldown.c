/* test_cooldown.c: per-user/per-channel cooldowns (one notice, then silence,
 * reset after the window) and the ring of seen ids. */
#include <stdio.h>

#include "discord/cooldown.h"
#include "tap.h"

TEST(five_answers_then_one_notice_then_silence)
{
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 5; i++)
		CHECK_INT(cooldown_check(cd, "u1", "c1", i), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 10), COOLDOWN_NOTICE);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 11), COOLDOWN_SILENT);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 12), COOLDOWN_SILENT);
	cooldown_free(cd);
}

TEST(window_end_resets_the_count)
{
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 6; i++)
		cooldown_check(cd, "u1", "c1", i);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 10000), COOLDOWN_OK);
	cooldown_free(cd);
}

TEST(users_are_counted_separately)
{
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 5; i++)
		cooldown_check(cd, "u1", "c1", i);
	CHECK_INT(cooldown_check(cd, "u2", "c1", 6), COOLDOWN_OK);
	cooldown_free(cd);
}

TEST(channel_limit_applies_across_users)
{
	struct cooldown_config cfg = {.channel_max = 3};
	struct cooldown *cd = cooldown_new(&cfg);
	CHECK_INT(cooldown_check(cd, "a", "c", 0), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "b", "c", 1), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "d", "c", 2), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "e", "c", 3), COOLDOWN_NOTICE);
	CHECK_INT(cooldown_check(cd, "f", "c", 4), COOLDOWN_SILENT);
	CHECK_INT(cooldown_check(cd, "g", "other", 5), COOLDOWN_OK);
	cooldown_free(cd);
}

TEST(table_is_bounded_and_keeps_working_with_many_users)
{
	struct cooldown *cd = cooldown_new(NULL);
	char u[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(u, sizeof(u), "%d", i);
		CHECK_INT(cooldown_check(cd, u, NULL, i), COOLDOWN_OK);
	}
	cooldown_free(cd);
}

TEST(seen_ring_detects_replays_and_forgets_old_ids)
{
	struct seen *s = seen_new();
	CHECK(!seen_check_and_add(s, "100"));
	CHECK(seen_check_and_add(s, "100"));
	char id[32];
	for (int i = 0; i < SEEN_RING_SIZE; i++) {
		snprintf(id, sizeof(id), "%d", 1000 + i);
		CHECK(!seen_check_and_add(s, id));
	}
	CHECK(!seen_check_and_add(s, "100"));  /* pushed out of the ring */
	seen_free(s);
}

TAP_MAIN
