/* test_cooldown.c: the shared per-user and per-room answer limits (GCRA):
 * the burst, the steady rate after it, one notice per window, refusals that
 * cost nothing, and a fixed-size table. */
#include <stdio.h>
#include <string.h>

#include "core/cooldown.h"
#include "tap.h"

TEST(five_at_once_then_one_notice_then_silence)
{
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 5; i++)
		CHECK_INT(cooldown_check(cd, "u1", "c1", i), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 10), COOLDOWN_NOTICE);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 11), COOLDOWN_SILENT);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 12), COOLDOWN_SILENT);
	cooldown_free(cd);
}

TEST(allowance_comes_back_one_answer_every_window_over_max)
{
	/* 5 per 10 s: after the burst at t=0, one answer every 2000 ms. */
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 5; i++)
		cooldown_check(cd, "u1", NULL, 0);
	CHECK_INT(cooldown_check(cd, "u1", NULL, 1999), COOLDOWN_NOTICE);
	CHECK_INT(cooldown_check(cd, "u1", NULL, 2000), COOLDOWN_OK);
	/* Told 2 ms ago, within the window: not again after the refill. */
	CHECK_INT(cooldown_check(cd, "u1", NULL, 2001), COOLDOWN_SILENT);
	CHECK_INT(cooldown_check(cd, "u1", NULL, 2002), COOLDOWN_SILENT);
	CHECK_INT(cooldown_check(cd, "u1", NULL, 4000), COOLDOWN_OK);
	/* Quiet for a whole window: the full burst again, and no more. */
	for (int i = 0; i < 5; i++)
		CHECK_INT(cooldown_check(cd, "u1", NULL, 14000), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u1", NULL, 14000), COOLDOWN_NOTICE);
	cooldown_free(cd);
}

TEST(a_flooding_user_is_told_once_per_window_not_at_each_refill)
{
	/* A message every 100 ms for 30 s against 5 per 10 s: an answer at each
	 * refill (every 2 s) and exactly one notice in each 10 s window. */
	struct cooldown *cd = cooldown_new(NULL);
	int ok = 0, notices = 0;
	int64_t told[8];
	for (int64_t t = 0; t < 30000; t += 100) {
		enum cooldown_verdict v = cooldown_check(cd, "u1", NULL, t);
		if (v == COOLDOWN_OK)
			ok++;
		else if (v == COOLDOWN_NOTICE && notices < 8)
			told[notices++] = t;
	}
	CHECK_INT(ok, 5 + 14);
	CHECK_INT(notices, 3);
	for (int i = 1; i < notices; i++)
		CHECK(told[i] - told[i - 1] >= 10000);
	cooldown_free(cd);
}

TEST(a_flooded_channel_is_told_once_per_window_too)
{
	/* The same rule for the room limit (Discord channels, Matrix rooms):
	 * 15 per 10 s, new users every time so only the channel limit bites. */
	struct cooldown *cd = cooldown_new(NULL);
	int notices = 0;
	for (int64_t t = 0; t < 20000; t += 50) {
		char user[32];
		snprintf(user, sizeof(user), "u%lld", (long long)t);
		if (cooldown_check(cd, user, "c1", t) == COOLDOWN_NOTICE)
			notices++;
	}
	CHECK_INT(notices, 2);
	cooldown_free(cd);
}

TEST(a_time_that_goes_back_counts_as_the_latest_seen)
{
	/* Asked times built from two clocks can step back a millisecond inside
	 * a burst; that must not cost the burst an answer. */
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 4; i++)
		CHECK_INT(cooldown_check(cd, "u1", "c1", 1000), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 999), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u1", "c1", 999), COOLDOWN_NOTICE);
	/* A question replayed minutes out of order is not "too early". */
	CHECK_INT(cooldown_check(cd, "u2", NULL, 200000), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u2", NULL, 80000), COOLDOWN_OK);
	cooldown_free(cd);
}

TEST(a_flood_of_refused_messages_does_not_delay_the_next_answer)
{
	struct cooldown *cd = cooldown_new(NULL);
	for (int i = 0; i < 5; i++)
		cooldown_check(cd, "u1", NULL, 0);
	for (int t = 1; t < 2000; t++)
		CHECK(cooldown_check(cd, "u1", NULL, t) != COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u1", NULL, 2000), COOLDOWN_OK);
	cooldown_free(cd);
}

TEST(answers_in_any_window_are_bounded_by_twice_the_allowance)
{
	/* A steady flooder (one message per 10 ms for a minute) gets the burst
	 * and then one answer per interval: never more than 2*max - 1 in any
	 * window, and over the minute about max per window. */
	struct cooldown *cd = cooldown_new(NULL);
	int64_t ok_at[200];
	int n = 0;
	for (int64_t t = 0; t < 60000; t += 10)
		if (cooldown_check(cd, "flood", "room", t) == COOLDOWN_OK && n < 200)
			ok_at[n++] = t;
	CHECK(n >= 33 && n <= 36);
	for (int i = 0; i < n; i++) {
		int in = 0;
		for (int j = i; j < n && ok_at[j] < ok_at[i] + 10000; j++)
			in++;
		CHECK(in <= 9);
	}
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

TEST(a_user_and_a_channel_with_the_same_id_are_different_keys)
{
	struct cooldown_config cfg = {.user_max = 1, .channel_max = 1};
	struct cooldown *cd = cooldown_new(&cfg);
	CHECK_INT(cooldown_check(cd, "same", NULL, 0), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, NULL, "same", 0), COOLDOWN_OK);
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

TEST(a_refusal_by_the_channel_costs_the_user_nothing)
{
	struct cooldown_config cfg = {.user_max = 2, .channel_max = 1};
	struct cooldown *cd = cooldown_new(&cfg);
	CHECK_INT(cooldown_check(cd, "x", "busy", 0), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u", "busy", 1), COOLDOWN_NOTICE);
	CHECK_INT(cooldown_check(cd, "u", "busy", 2), COOLDOWN_SILENT);
	/* u's own allowance is untouched: two answers elsewhere. */
	CHECK_INT(cooldown_check(cd, "u", "quiet1", 3), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u", "quiet2", 4), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, "u", "quiet3", 5), COOLDOWN_NOTICE);
	cooldown_free(cd);
}

TEST(window_shorter_than_max_ms_still_limits)
{
	struct cooldown_config cfg = {.user_max = 1000, .user_window_ms = 1};
	struct cooldown *cd = cooldown_new(&cfg);
	int ok = 0;
	for (int i = 0; i < 5000; i++)
		ok += cooldown_check(cd, "u", NULL, 0) == COOLDOWN_OK;
	CHECK_INT(ok, 1000);
	cooldown_free(cd);
}

TEST(long_matrix_user_ids_are_keys_whole)
{
	/* Matrix ids run to 255 bytes and may share a long prefix. */
	struct cooldown_config cfg = {.user_max = 1};
	struct cooldown *cd = cooldown_new(&cfg);
	char a[300], b[300];
	memset(a, 'x', 255);
	a[0] = '@';
	a[255] = '\0';
	memcpy(b, a, sizeof(a));
	b[254] = 'y';
	CHECK_INT(cooldown_check(cd, a, NULL, 0), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, b, NULL, 0), COOLDOWN_OK);
	CHECK_INT(cooldown_check(cd, a, NULL, 0), COOLDOWN_NOTICE);
	cooldown_free(cd);
}

TEST(table_is_bounded_and_keeps_working_with_many_users)
{
	struct cooldown_config cfg = {.user_max = 1};
	struct cooldown *cd = cooldown_new(&cfg);
	char u[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(u, sizeof(u), "%d", i);
		CHECK_INT(cooldown_check(cd, u, "c", i * 1000), COOLDOWN_OK);
	}
	/* A user just seen is still remembered after the churn. */
	CHECK_INT(cooldown_check(cd, "99999", NULL, 99999000), COOLDOWN_NOTICE);
	cooldown_free(cd);
}

TEST(a_message_counts_as_asked_when_it_was_sent_within_bounds)
{
	int64_t mono = 5000000, wall = 1800000000000;
	CHECK(cooldown_asked_at(mono, wall, wall - 3000) == mono - 3000);
	/* Not later than now (a sender's clock ahead of ours)... */
	CHECK(cooldown_asked_at(mono, wall, wall + 60000) == mono);
	/* ... nor more than COOLDOWN_BACKLOG_MS earlier (a forged timestamp). */
	CHECK(cooldown_asked_at(mono, wall, 1) == mono - COOLDOWN_BACKLOG_MS);
	CHECK(cooldown_asked_at(mono, wall, 0) == mono);
	CHECK(cooldown_asked_at(mono, 0, wall) == mono);
}

TEST(the_notice_speaks_each_language_and_falls_back_to_english)
{
	CHECK_CONTAINS(cooldown_notice_text(LANG_EN), "wait");
	CHECK_CONTAINS(cooldown_notice_text(LANG_RU), "подождите");
	CHECK_CONTAINS(cooldown_notice_text(LANG_ZH), "稍等");
	CHECK_CONTAINS(cooldown_notice_text(LANG_NONE), "wait");
	CHECK_CONTAINS(cooldown_notice_text((enum lang)99), "wait");
}

TAP_MAIN
