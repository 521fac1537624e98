/* test_ratelimit.c: REST rate limiter rules on a fake clock: unknown buckets
 * go one at a time, exhausted buckets wait for reset, hashes are shared per
 * major parameter, 429s wait retry_after, global 50/s, 401 stops everything. */
#include <stdlib.h>
#include <string.h>

#include "discord/ratelimit.h"
#include "tap.h"

#define MSG "POST /channels/{}/messages"

static struct rl_info ok_with(int limit, int remaining, double reset_after, const char *bucket)
{
	struct rl_info i = {.status = 200, .has_limit = true, .has_remaining = true,
	                    .has_reset_after = true, .limit = limit, .remaining = remaining,
	                    .reset_after_s = reset_after, .bucket = bucket};
	return i;
}

TEST(unknown_bucket_lets_one_request_through_until_response)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	CHECK(ratelimit_acquire(rl, MSG, "1", false, 1) > 0);
	struct rl_info i = ok_with(5, 4, 5.0, "abc");
	ratelimit_release(rl, MSG, "1", &i, 10);
	for (int k = 0; k < 4; k++)
		CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 30 + k * RL_GLOBAL_SPACING_MS), 0);
	ratelimit_free(rl);
}

TEST(never_sends_into_an_exhausted_bucket)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = ok_with(2, 1, 5.0, "abc");
	ratelimit_release(rl, MSG, "1", &i, 100);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 101), 0);
	i = ok_with(2, 0, 4.9, "abc");
	ratelimit_release(rl, MSG, "1", &i, 200);
	int64_t w = ratelimit_acquire(rl, MSG, "1", false, 201);
	CHECK_INT(w, 200 + 4900 - 201);
	CHECK(ratelimit_acquire(rl, MSG, "1", false, 5099) > 0);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 5100), 0);
	ratelimit_free(rl);
}

TEST(in_flight_requests_count_against_remaining)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = ok_with(5, 2, 5.0, "abc");
	ratelimit_release(rl, MSG, "1", &i, 10);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 30), 0);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 50), 0);
	CHECK(ratelimit_acquire(rl, MSG, "1", false, 70) > 0);  /* 2 in flight, 2 remaining */
	ratelimit_free(rl);
}

TEST(major_parameters_have_separate_buckets_with_the_same_hash)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = ok_with(1, 0, 5.0, "abc");
	ratelimit_release(rl, MSG, "1", &i, 10);
	CHECK(ratelimit_acquire(rl, MSG, "1", false, 30) > 0);
	CHECK_INT(ratelimit_acquire(rl, MSG, "2", false, 30), 0);  /* another channel */
	ratelimit_free(rl);
}

TEST(routes_sharing_a_hash_share_the_limit)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, "A", "1", false, 0), 0);
	struct rl_info i = ok_with(1, 0, 5.0, "same");
	ratelimit_release(rl, "A", "1", &i, 10);
	CHECK_INT(ratelimit_acquire(rl, "B", "1", false, 30), 0);  /* hash of B unknown yet */
	ratelimit_release(rl, "B", "1", &i, 40);
	CHECK(ratelimit_acquire(rl, "B", "1", false, 60) > 0);
	CHECK(ratelimit_acquire(rl, "A", "1", false, 60) > 0);
	ratelimit_free(rl);
}

TEST(a_429_waits_retry_after_then_allows)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = {.status = 429, .retry_after_s = 1.5, .scope = "user", .bucket = "abc"};
	ratelimit_release(rl, MSG, "1", &i, 100);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 101), 1499);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 1600), 0);
	CHECK_INT(ratelimit_invalid_count(rl, 1600), 1);
	ratelimit_free(rl);
}

TEST(a_global_429_blocks_every_route_but_interactions)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = {.status = 429, .retry_after_s = 2.0, .global = true, .scope = "global"};
	ratelimit_release(rl, MSG, "1", &i, 0);
	CHECK_INT(ratelimit_acquire(rl, "GET /gateway/bot", "", false, 10), 1990);
	CHECK_INT(ratelimit_acquire(rl, "POST /interactions/{}/{}/callback", "9", true, 10), 0);
	ratelimit_free(rl);
}

TEST(shared_scope_429_is_not_an_invalid_request)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = {.status = 429, .retry_after_s = 0.1, .scope = "shared"};
	ratelimit_release(rl, MSG, "1", &i, 0);
	CHECK_INT(ratelimit_invalid_count(rl, 0), 0);
	ratelimit_free(rl);
}

TEST(global_limit_is_50_per_second)
{
	struct ratelimit *rl = ratelimit_new();
	int sent = 0;
	int64_t t = 500;
	for (int k = 0; k < 60; k++, t += RL_GLOBAL_SPACING_MS) {
		char major[16];
		snprintf(major, sizeof(major), "%d", k);
		if (ratelimit_acquire(rl, MSG, major, false, t) == 0)
			sent++;
	}
	CHECK_INT(sent, 50);
	/* All 50 in flight: wait for responses, however long ago they left. */
	CHECK_INT(ratelimit_acquire(rl, MSG, "x", false, 5000), RL_WAIT_RESPONSE_MS);
	CHECK_INT(ratelimit_global_wait(rl, 5000), RL_WAIT_RESPONSE_MS);
	/* Their responses came at 5000: a second after that, not before. */
	for (int k = 0; k < 50; k++)
		ratelimit_global_done(rl, 5000);
	CHECK_INT(ratelimit_acquire(rl, MSG, "x", false, 5000 + RL_GLOBAL_HOLD_MS - 1), 1);
	CHECK_INT(ratelimit_acquire(rl, MSG, "x", false, 5000 + RL_GLOBAL_HOLD_MS), 0);
	ratelimit_free(rl);
}

TEST(global_releases_are_spaced_not_bursts)
{
	/* 50 slots come free at once (a second after 50 quick responses): they
	 * go out 20 ms apart, not together, and never more than 50 a second. */
	struct ratelimit *rl = ratelimit_new();
	char major[16];
	int64_t t = 0;
	for (int k = 0; k < 50; k++, t += RL_GLOBAL_SPACING_MS) {
		snprintf(major, sizeof(major), "%d", k);
		CHECK_INT(ratelimit_acquire(rl, MSG, major, false, t), 0);
		snprintf(major, sizeof(major), "n%d", k);
		if (k < 49)   /* the 50th takes the last slot: then it is all in flight */
			CHECK_INT(ratelimit_acquire(rl, MSG, major, false, t), RL_GLOBAL_SPACING_MS);
	}
	for (int k = 0; k < 50; k++)
		ratelimit_global_done(rl, 1000);
	int64_t last = -1;
	int sent = 0;
	for (t = 2001; t < 3101; t++) {
		snprintf(major, sizeof(major), "y%d", sent);
		if (ratelimit_acquire(rl, MSG, major, false, t) == 0) {
			if (last >= 0)
				CHECK_INT(t - last, RL_GLOBAL_SPACING_MS);
			last = t;
			sent++;
		}
	}
	CHECK_INT(sent, 50);
	/* Interaction answers are not bound by the global limit or its pace. */
	CHECK_INT(ratelimit_acquire(rl, "POST /interactions/{}/{}/callback", "9", true, 2002), 0);
	ratelimit_free(rl);
}

TEST(late_wake_ups_do_not_slow_the_pace)
{
	/* Woken 1 ms late each time, releases still average 20 ms apart: the
	 * pace runs from when each was due. After a pause, from now again. */
	struct ratelimit *rl = ratelimit_new();
	char major[16];
	int64_t due = 0;
	for (int k = 0; k < 40; k++) {
		snprintf(major, sizeof(major), "%d", k);
		/* The first sets the pace; the others wake 1 ms late. */
		CHECK_INT(ratelimit_acquire(rl, MSG, major, false, due + (k > 0)), 0);
		ratelimit_global_done(rl, due + 2);
		due += RL_GLOBAL_SPACING_MS;
	}
	CHECK_INT(ratelimit_global_wait(rl, due - 1), 1);
	CHECK_INT(ratelimit_global_wait(rl, due), 0);
	CHECK_INT(ratelimit_acquire(rl, MSG, "p", false, due + 500), 0);
	CHECK_INT(ratelimit_global_wait(rl, due + 501), RL_GLOBAL_SPACING_MS - 1);
	ratelimit_free(rl);
}

TEST(a_global_429_ends_in_spaced_releases)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = {.status = 429, .retry_after_s = 1.0, .global = true, .scope = "global"};
	ratelimit_release(rl, MSG, "1", &i, 10);
	ratelimit_global_done(rl, 10);
	CHECK_INT(ratelimit_acquire(rl, MSG, "a", false, 1011), 0);
	CHECK_INT(ratelimit_acquire(rl, MSG, "b", false, 1011), RL_GLOBAL_SPACING_MS);
	CHECK_INT(ratelimit_acquire(rl, MSG, "b", false, 1011 + RL_GLOBAL_SPACING_MS), 0);
	ratelimit_free(rl);
}

TEST(a_slot_is_held_until_a_second_after_its_response)
{
	/* The request's bytes may leave late; it reached Discord before its
	 * response came back, so the slot's second runs from the response. */
	struct ratelimit *rl = ratelimit_new();
	char major[16];
	int64_t t = 0;
	for (int k = 0; k < 50; k++, t += RL_GLOBAL_SPACING_MS) {
		snprintf(major, sizeof(major), "%d", k);
		CHECK_INT(ratelimit_acquire(rl, MSG, major, false, t), 0);
	}
	ratelimit_global_done(rl, 2990);      /* one slow */
	for (int k = 0; k < 49; k++)
		ratelimit_global_done(rl, 1000);  /* 49 quicker responses */
	int64_t at = 2001;
	for (int k = 0; k < 49; k++, at += RL_GLOBAL_SPACING_MS) {
		snprintf(major, sizeof(major), "y%d", k);   /* other channels: no bucket waits */
		CHECK_INT(ratelimit_acquire(rl, MSG, major, false, at), 0);
	}
	int64_t w = ratelimit_acquire(rl, MSG, "z", false, at);
	CHECK_INT(w, 2990 + RL_GLOBAL_HOLD_MS - at);              /* the slow one's second ends later */
	CHECK_INT(ratelimit_acquire(rl, MSG, "z", false, at + w), 0);
	ratelimit_free(rl);
}

TEST(a_401_stops_all_rest)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = {.status = 401};
	ratelimit_release(rl, MSG, "1", &i, 0);
	CHECK(ratelimit_stopped(rl));
	CHECK_INT(ratelimit_acquire(rl, "GET /gateway/bot", "", false, 100000), -1);
	ratelimit_free(rl);
}

TEST(a_401_on_an_interaction_token_stops_nothing)
{
	struct ratelimit *rl = ratelimit_new();
	const char *cb = "POST /interactions/{}/{}/callback";
	CHECK_INT(ratelimit_acquire(rl, cb, "5", true, 0), 0);
	struct rl_info i = {.status = 401, .interaction_token = true};
	ratelimit_release(rl, cb, "5", &i, 0);
	CHECK(!ratelimit_stopped(rl));
	CHECK_INT(ratelimit_invalid_count(rl, 0), 1);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 1), 0);
	ratelimit_free(rl);
}

TEST(invalid_requests_are_counted_over_ten_minutes)
{
	struct ratelimit *rl = ratelimit_new();
	struct rl_info i = {.status = 403};
	for (int k = 0; k < 30; k++) {
		CHECK_INT(ratelimit_acquire(rl, "R", "", false, k * 20000), 0);
		ratelimit_release(rl, "R", "", &i, k * 20000);  /* one every 20 s */
	}
	CHECK_INT(ratelimit_invalid_count(rl, 29 * 20000), 30);
	CHECK_INT(ratelimit_invalid_count(rl, 29 * 20000 + 300000), 15);
	CHECK_INT(ratelimit_invalid_count(rl, 29 * 20000 + 700000), 0);
	ratelimit_free(rl);
}

TEST(network_failure_frees_the_slot)
{
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, 0), 0);
	struct rl_info i = {.status = 0};
	ratelimit_release(rl, MSG, "1", &i, 5);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", false, RL_GLOBAL_SPACING_MS), 0);
	ratelimit_free(rl);
}

TEST(idle_buckets_are_forgotten_so_memory_stays_flat)
{
	struct ratelimit *rl = ratelimit_new();
	int64_t now = 0;
	for (int k = 0; k < 20000; k++) {
		char major[16];
		snprintf(major, sizeof(major), "%d", k);
		now += 100;
		CHECK(ratelimit_acquire(rl, MSG, major, false, now) >= 0);
		struct rl_info i = ok_with(5, 4, 1.0, "abc");
		ratelimit_release(rl, MSG, major, &i, now);
	}
	CHECK(ratelimit_bucket_count(rl) <= RL_MAX_BUCKETS);
	ratelimit_free(rl);
}

TEST(bucket_wait_says_what_acquire_would_without_taking_anything)
{
	/* Coordinated processes ask the bucket before taking a shared global
	 * slot: the answer must match acquire's and leave the bucket as it was. */
	struct ratelimit *rl = ratelimit_new();
	CHECK_INT(ratelimit_bucket_wait(rl, MSG, "1", 0), 0);
	CHECK_INT(ratelimit_bucket_wait(rl, MSG, "1", 0), 0);   /* nothing was taken */
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", true, 0), 0);
	/* Limits unknown and one in flight: wait for its response. */
	CHECK_INT(ratelimit_bucket_wait(rl, MSG, "1", 1), RL_WAIT_RESPONSE_MS);
	struct rl_info i = ok_with(2, 0, 5.0, "abc");
	ratelimit_release(rl, MSG, "1", &i, 100);
	/* Remaining 0 until 5100: both say wait the same. */
	CHECK_INT(ratelimit_bucket_wait(rl, MSG, "1", 200), 4900);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", true, 200), 4900);
	/* After the reset both say go. */
	CHECK_INT(ratelimit_bucket_wait(rl, MSG, "1", 5100), 0);
	CHECK_INT(ratelimit_acquire(rl, MSG, "1", true, 5100), 0);
	ratelimit_free(rl);
}

TAP_MAIN
