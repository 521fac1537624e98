/* test_state.c: saved sessions (atomic, consumed once, stale refused) and the
 * identify gate (concurrency buckets, remote limit, daily safe share kept
 * across restarts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discord/state.h"
#include "tap.h"

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/scobot-state-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

TEST(session_round_trips_once)
{
	mkdir_tmp();
	struct gw_session s = {"abc", "wss://r.example", 42}, r;
	struct state_ids ids = {"123", "456"}, rids;
	CHECK_INT(state_save_session(dir, 3, &s, &ids, 1000), 0);
	CHECK_INT(state_load_session(dir, 3, &r, &rids, 1100), 0);
	CHECK_STR(rids.user_id, "123");
	CHECK_STR(rids.application_id, "456");
	CHECK_STR(r.session_id, "abc");
	CHECK_STR(r.resume_url, "wss://r.example");
	CHECK_INT(r.seq, 42);
	CHECK_INT(state_load_session(dir, 3, &r, NULL, 1100), -ENOENT);
	rm_tmp();
}

TEST(old_session_is_not_resumed)
{
	mkdir_tmp();
	struct gw_session s = {"abc", "wss://r.example", 42}, r = {0};
	CHECK_INT(state_save_session(dir, 0, &s, NULL, 1000), 0);
	CHECK_INT(state_load_session(dir, 0, &r, NULL, 1000 + STATE_SESSION_MAX_AGE_S + 1), -ESTALE);
	CHECK_STR(r.session_id, "");
	rm_tmp();
}

TEST(malformed_session_file_is_rejected)
{
	mkdir_tmp();
	char path[128];
	snprintf(path, sizeof(path), "%s/discord-session-0.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"session_id\":5,\"seq\":\"x\"}", f);
	fclose(f);
	struct gw_session r;
	CHECK_INT(state_load_session(dir, 0, &r, NULL, 0), -EINVAL);
	rm_tmp();
}

TEST(no_temp_files_are_left_behind)
{
	mkdir_tmp();
	struct gw_session s = {"abc", "wss://r.example", 1};
	for (int i = 0; i < 5; i++)
		CHECK_INT(state_save_session(dir, 0, &s, NULL, 1000), 0);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	CHECK(system(cmd) == 0);
	rm_tmp();
}

TEST(identify_pacing_one_per_bucket_per_5s)
{
	struct idgate g;
	idgate_init(&g, NULL, 0);
	idgate_set_remote(&g, 2, 1000, 0, 0);
	CHECK_INT(idgate_permit(&g, 0, 0, 0), 0);
	CHECK_INT(idgate_permit(&g, 1, 0, 0), 0);   /* bucket 1 */
	CHECK_INT(idgate_permit(&g, 2, 100, 0), 4900 + IDENTIFY_MARGIN_MS);  /* bucket 0 again */
	CHECK(idgate_permit(&g, 2, 5000, 5) > 0);
	CHECK_INT(idgate_permit(&g, 2, 5000 + IDENTIFY_MARGIN_MS, 5), 0);
}

TEST(remote_remaining_zero_waits_for_reset)
{
	struct idgate g;
	idgate_init(&g, NULL, 0);
	idgate_set_remote(&g, 1, 0, 30000, 1000);
	CHECK_INT(idgate_permit(&g, 0, 1000, 0), 30000);
	CHECK_INT(idgate_permit(&g, 0, 31000, 30), 0);
}

TEST(daily_safe_share_is_refused_and_survives_restart)
{
	mkdir_tmp();
	struct idgate g;
	idgate_init(&g, dir, 1000);
	int64_t now = 0;
	/* Each grant is written to disk; start near the limit to keep this fast. */
	CHECK_INT(idgate_permit(&g, 0, now, 1000), 0);
	g.count = IDENTIFY_SAFE_LIMIT - 2;
	for (int i = 0; i < 2; i++) {
		now += IDENTIFY_CONCURRENCY_MS + IDENTIFY_MARGIN_MS;
		CHECK_INT(idgate_permit(&g, 0, now, 1001 + i), 0);
	}
	now += IDENTIFY_CONCURRENCY_MS + IDENTIFY_MARGIN_MS;
	CHECK(idgate_permit(&g, 0, now, 2000) < 0);
	struct idgate g2;  /* a restart */
	idgate_init(&g2, dir, 3000);
	CHECK_INT(g2.count, IDENTIFY_SAFE_LIMIT);
	CHECK(idgate_permit(&g2, 0, 0, 3000) < 0);
	/* The next day the budget is back. */
	CHECK_INT(idgate_permit(&g2, 0, 0, 1000 + IDENTIFY_WINDOW_S), 0);
	rm_tmp();
}

TAP_MAIN
