/* test_gateway.c: the gateway state machine driven by a fake transport and a
 * fake clock: heartbeats, zombies, op 7/9, every close code, backoff, limits. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discord/gateway.h"
#include "tap.h"

#define MAX_EVENTS 256

/* Everything the state machine asked of its transport, in order. */
struct fake {
	char sent[MAX_EVENTS][512];
	int nsent;
	char connects[16][600];
	int nconnect;
	int close_code[16];
	int nclose;
	int64_t scheduled;
	int64_t permit;           /* what identify_permit answers */
	int permits;
	int ready, resumed, fatal_code, nfatal, progress;
	char dispatched[MAX_EVENTS][32];
	int ndispatch;
	uint32_t rnd;
};

static void f_connect(void *c, const char *url)
{
	struct fake *f = c;
	snprintf(f->connects[f->nconnect++ % 16], 600, "%s", url);
}
static int f_send(void *c, const char *p, size_t len)
{
	struct fake *f = c;
	snprintf(f->sent[f->nsent++ % MAX_EVENTS], 512, "%.*s", (int)len, p);
	return 0;
}
static void f_close(void *c, int code, const char *reason)
{
	struct fake *f = c;
	f->close_code[f->nclose++ % 16] = code;
}
static void f_schedule(void *c, int64_t at)
{
	((struct fake *)c)->scheduled = at;
}
static int64_t f_permit(void *c, int shard, int64_t now)
{
	struct fake *f = c;
	if (f->permit == 0)
		f->permits++;
	return f->permit;
}
static void f_dispatch(void *c, const char *t, const cJSON *d)
{
	struct fake *f = c;
	snprintf(f->dispatched[f->ndispatch++ % MAX_EVENTS], 32, "%s", t);
}
static void f_ready(void *c, bool resumed)
{
	struct fake *f = c;
	if (resumed)
		f->resumed++;
	else
		f->ready++;
}
static void f_progress(void *c)
{
	((struct fake *)c)->progress++;
}
static void f_fatal(void *c, int code, const char *msg)
{
	struct fake *f = c;
	f->nfatal++;
	f->fatal_code = code;
}
static uint32_t f_random(void *c)
{
	return ((struct fake *)c)->rnd;
}

static struct fake F;

static struct gateway *mk(bool compress)
{
	memset(&F, 0, sizeof(F));
	F.rnd = 0x80000000u;  /* jitter 0.5 */
	static const struct gateway_io io = {&F, f_connect, f_send, f_close, f_schedule, f_permit,
	                                     f_dispatch, f_ready, f_progress, f_fatal, f_random};
	struct gateway_config cfg = {"tok", 33281, 0, 1, "!sco help", "wss://gw.example", compress};
	return gateway_new(&cfg, &io);
}

static void msg(struct gateway *gw, const char *json, int64_t now)
{
	gateway_on_message(gw, json, strlen(json), now);
}

static const char *last_sent(void)
{
	return F.nsent ? F.sent[(F.nsent - 1) % MAX_EVENTS] : "";
}

#define READY_JSON "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"session_id\":\"S1\"," \
	"\"resume_gateway_url\":\"wss://resume.example\",\"user\":{\"id\":\"9\"},\"guilds\":[]}}"

/* Connect, hello (interval 1000), identify, READY at t=0..10. */
static struct gateway *ready_gateway(void)
{
	struct gateway *gw = mk(true);
	gateway_start(gw, 0);
	gateway_on_open(gw, 1);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", 2);
	msg(gw, READY_JSON, 10);
	return gw;
}

TEST(connect_url_carries_version_encoding_and_compression)
{
	struct gateway *gw = mk(true);
	gateway_start(gw, 0);
	CHECK_STR(F.connects[0], "wss://gw.example/?v=10&encoding=json&compress=zlib-stream");
	gateway_free(gw);
	char u[128];
	CHECK_INT(gateway_url("ws://127.0.0.1:5/gateway", false, u, sizeof(u)), 0);
	CHECK_STR(u, "ws://127.0.0.1:5/gateway?v=10&encoding=json");
	CHECK_INT(gateway_url("https://x", false, u, sizeof(u)), -22);
	CHECK_INT(gateway_url("wss://x", false, u, 8), -36);
}

TEST(hello_leads_to_identify_and_first_beat_after_jitter)
{
	struct gateway *gw = mk(false);
	gateway_start(gw, 0);
	gateway_on_open(gw, 100);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}", 100);
	CHECK_INT(F.nsent, 1);
	CHECK_CONTAINS(F.sent[0], "\"op\":2");
	CHECK_INT(F.permits, 1);
	CHECK_INT(gateway_state(gw), GW_IDENTIFYING);
	/* jitter 0.5: first beat at 100 + 20625 */
	gateway_tick(gw, 20624);
	CHECK_INT(F.nsent, 1);
	gateway_tick(gw, 20725);
	CHECK_INT(F.nsent, 2);
	CHECK_STR(last_sent(), "{\"op\":1,\"d\":null}");
	gateway_free(gw);
}

TEST(beats_every_interval_carrying_last_seq)
{
	struct gateway *gw = ready_gateway();
	int n0 = F.nsent;
	gateway_tick(gw, 502);  /* first beat at 2 + 500 */
	CHECK_INT(F.nsent, n0 + 1);
	CHECK_STR(last_sent(), "{\"op\":1,\"d\":1}");
	msg(gw, "{\"op\":11}", 520);
	msg(gw, "{\"op\":0,\"s\":7,\"t\":\"MESSAGE_CREATE\",\"d\":{}}", 600);
	gateway_tick(gw, 1501);
	CHECK_INT(F.nsent, n0 + 1);  /* not yet: 502 + 1000 */
	gateway_tick(gw, 1502);
	CHECK_INT(F.nsent, n0 + 2);
	CHECK_STR(last_sent(), "{\"op\":1,\"d\":7}");
	CHECK_INT(F.scheduled, 2502);
	gateway_free(gw);
}

TEST(late_heartbeat_is_measured)
{
	struct gateway *gw = ready_gateway();
	gateway_tick(gw, 502);                 /* on time */
	msg(gw, "{\"op\":11}", 510);
	CHECK_INT(gateway_stats(gw)->beats_late, 0);
	gateway_tick(gw, 1502 + 2500);         /* the loop was blocked 2.5 s */
	CHECK_INT(gateway_stats(gw)->beat_delay_max_ms, 2500);
	CHECK_INT(gateway_stats(gw)->beats_late, 1);
	gateway_free(gw);
}

TEST(server_heartbeat_request_is_answered_at_once)
{
	struct gateway *gw = ready_gateway();
	int n0 = F.nsent;
	msg(gw, "{\"op\":1,\"d\":null}", 100);
	CHECK_INT(F.nsent, n0 + 1);
	CHECK_CONTAINS(last_sent(), "\"op\":1");
	gateway_free(gw);
}

TEST(missing_ack_between_beats_drops_connection_and_resumes)
{
	struct gateway *gw = ready_gateway();
	gateway_tick(gw, 502);               /* beat, no ACK follows */
	gateway_tick(gw, 1502);              /* next beat time: zombie */
	CHECK_INT(F.nclose, 1);
	CHECK(F.close_code[0] != 1000 && F.close_code[0] != 1001);
	CHECK_INT(gateway_stats(gw)->zombies, 1);
	gateway_on_close(gw, 1006, false, 1503);
	CHECK_INT(gateway_state(gw), GW_BACKOFF);
	gateway_tick(gw, F.scheduled);
	CHECK_INT(F.nconnect, 2);
	CHECK_STR(F.connects[1], "wss://resume.example/?v=10&encoding=json&compress=zlib-stream");
	gateway_on_open(gw, F.scheduled + 1);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", F.scheduled + 2);
	CHECK_STR(last_sent(), "{\"op\":6,\"d\":{\"token\":\"tok\",\"session_id\":\"S1\",\"seq\":1}}");
	msg(gw, "{\"op\":0,\"s\":2,\"t\":\"RESUMED\",\"d\":{}}", F.scheduled + 3);
	CHECK_INT(F.resumed, 1);
	CHECK_INT(gateway_state(gw), GW_READY);
	gateway_free(gw);
}

#define EVENT_JSON "{\"op\":0,\"s\":%d,\"t\":\"TYPING_START\",\"d\":{}}"

/* Issue 17 item 8: a burst bigger than the bot parses in an interval queues
 * the ACK behind events not read yet; the connection is alive, and a reset
 * would replay the whole backlog. */
TEST(ack_behind_arriving_events_is_not_a_zombie)
{
	struct gateway *gw = ready_gateway();
	char ev[128];
	gateway_tick(gw, 502);                /* beat 1 */
	snprintf(ev, sizeof(ev), EVENT_JSON, 2);
	msg(gw, ev, 900);                     /* events, no ACK yet */
	int n0 = F.nsent;
	gateway_tick(gw, 1502);               /* beat 2 due, ACK 1 not read */
	CHECK_INT(F.nclose, 0);
	CHECK_INT(gateway_stats(gw)->zombies, 0);
	CHECK_INT(gateway_stats(gw)->acks_behind, 1);
	CHECK_INT(F.nsent, n0 + 1);           /* beat 2 went out on time */
	CHECK_STR(last_sent(), "{\"op\":1,\"d\":2}");
	msg(gw, "{\"op\":11}", 1700);          /* ACK 1, read at last */
	CHECK_INT(gateway_stats(gw)->ack_latency_last_ms, 1700 - 502);
	msg(gw, "{\"op\":11}", 1710);          /* ACK 2 */
	gateway_tick(gw, 2502);
	CHECK_INT(F.nclose, 0);
	CHECK_INT(gateway_stats(gw)->acks_behind, 1);
	CHECK_INT(gateway_stats(gw)->heartbeats, 3);
	gateway_free(gw);
}

TEST(events_before_the_beat_do_not_excuse_a_missing_ack)
{
	struct gateway *gw = ready_gateway();
	char ev[128];
	snprintf(ev, sizeof(ev), EVENT_JSON, 2);
	msg(gw, ev, 400);
	gateway_tick(gw, 502);                /* beat, then silence */
	gateway_tick(gw, 1502);
	CHECK_INT(F.nclose, 1);
	CHECK_INT(gateway_stats(gw)->zombies, 1);
	CHECK_INT(gateway_stats(gw)->acks_behind, 0);
	gateway_free(gw);
}

TEST(ack_missing_for_many_beats_is_a_zombie_even_with_events)
{
	struct gateway *gw = ready_gateway();
	char ev[128];
	gateway_tick(gw, 502);
	int64_t t = 502;
	for (int i = 1; i < GW_ACK_BEHIND_MAX_BEATS; i++) {
		snprintf(ev, sizeof(ev), EVENT_JSON, i + 1);
		msg(gw, ev, t + 500);
		t += 1000;
		gateway_tick(gw, t);
		CHECK_INT(F.nclose, 0);
	}
	CHECK_INT(gateway_stats(gw)->acks_behind, GW_ACK_BEHIND_MAX_BEATS - 1);
	snprintf(ev, sizeof(ev), EVENT_JSON, GW_ACK_BEHIND_MAX_BEATS + 1);
	msg(gw, ev, t + 500);
	gateway_tick(gw, t + 1000);
	CHECK_INT(F.nclose, 1);
	CHECK_INT(gateway_stats(gw)->zombies, 1);
	gateway_free(gw);
}

TEST(ack_keeps_connection_alive_and_reports_progress)
{
	struct gateway *gw = ready_gateway();
	for (int i = 0; i < 5; i++) {
		gateway_tick(gw, 502 + i * 1000);
		msg(gw, "{\"op\":11}", 510 + i * 1000);
	}
	CHECK_INT(F.nclose, 0);
	CHECK_INT(F.progress, 5);
	gateway_free(gw);
}

TEST(dispatches_report_progress_at_most_once_a_second)
{
	/* While ACKs queue behind a burst, the events themselves show the link is
	 * alive; the health check must not read a long backlog as a stall. */
	struct gateway *gw = ready_gateway();
	int before = F.progress;
	char m[128];
	for (int i = 0; i < 300; i++) {
		snprintf(m, sizeof(m), "{\"op\":0,\"s\":%d,\"t\":\"TYPING_START\",\"d\":{}}", i + 2);
		msg(gw, m, 20 + i * 10);  /* 3 s of events, one every 10 ms */
	}
	CHECK_INT(F.progress - before, 3);
	gateway_free(gw);
}

TEST(op7_closes_resumably_and_resumes_at_once)
{
	struct gateway *gw = ready_gateway();
	msg(gw, "{\"op\":7,\"d\":null}", 100);
	CHECK_INT(F.nclose, 1);
	CHECK_INT(F.close_code[0], GW_CLOSE_RESUMABLE);
	gateway_on_close(gw, GW_CLOSE_RESUMABLE, false, 110);
	CHECK_INT(F.scheduled, 110);  /* no backoff for a requested reconnect */
	gateway_tick(gw, 110);
	CHECK_CONTAINS(F.connects[1], "resume.example");
	gateway_free(gw);
}

TEST(op9_true_resumes)
{
	struct gateway *gw = ready_gateway();
	msg(gw, "{\"op\":9,\"d\":true}", 100);
	gateway_on_close(gw, GW_CLOSE_RESUMABLE, false, 101);
	gateway_tick(gw, F.scheduled);
	CHECK_CONTAINS(F.connects[1], "resume.example");
	gateway_on_open(gw, F.scheduled);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", F.scheduled);
	CHECK_CONTAINS(last_sent(), "\"op\":6");
	gateway_free(gw);
}

TEST(op9_false_waits_1_to_5_s_and_identifies_on_cached_url)
{
	struct gateway *gw = ready_gateway();
	msg(gw, "{\"op\":9,\"d\":false}", 100);
	gateway_on_close(gw, GW_CLOSE_RESUMABLE, false, 100);
	CHECK(F.scheduled >= 1100 && F.scheduled <= 5100);
	gateway_tick(gw, F.scheduled);
	CHECK_CONTAINS(F.connects[1], "gw.example");
	gateway_on_open(gw, F.scheduled);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", F.scheduled);
	CHECK_CONTAINS(last_sent(), "\"op\":2");
	CHECK_INT(F.permits, 2);
	gateway_free(gw);
}

TEST(close_code_table_sorts_every_code)
{
	const int resume[] = {4000, 4001, 4002, 4003, 4005, 4008, 1000, 1001, 1005, 1006, 4900, 4999};
	const int reid[] = {4006, 4007, 4009};
	const int fatal[] = {4004, 4010, 4011, 4012, 4013, 4014};
	for (size_t i = 0; i < sizeof(resume) / sizeof(resume[0]); i++)
		CHECK_INT(gateway_close_action(resume[i], NULL), GW_ACTION_RESUME);
	for (size_t i = 0; i < sizeof(reid) / sizeof(reid[0]); i++)
		CHECK_INT(gateway_close_action(reid[i], NULL), GW_ACTION_REIDENTIFY);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		CHECK_INT(gateway_close_action(fatal[i], NULL), GW_ACTION_FATAL);
	const char *what;
	gateway_close_action(4014, &what);
	CHECK_CONTAINS(what, "MESSAGE CONTENT");
	CHECK_CONTAINS(what, "Developer Portal");
	CHECK_CONTAINS(what, "message_content = false");
}

TEST(fatal_close_stops_for_good_without_reconnecting)
{
	const int codes[] = {4004, 4010, 4011, 4012, 4013, 4014};
	for (size_t i = 0; i < 6; i++) {
		struct gateway *gw = ready_gateway();
		gateway_on_close(gw, codes[i], true, 100);
		CHECK_INT(gateway_state(gw), GW_FATAL);
		CHECK_INT(F.nfatal, 1);
		CHECK_INT(F.fatal_code, codes[i]);
		CHECK_INT(F.scheduled, -1);
		gateway_tick(gw, 100000);
		CHECK_INT(F.nconnect, 1);
		gateway_free(gw);
	}
}

TEST(fatal_code_wins_even_while_we_are_closing)
{
	struct gateway *gw = ready_gateway();
	msg(gw, "{\"op\":7}", 100);
	gateway_on_close(gw, 4004, true, 101);
	CHECK_INT(gateway_state(gw), GW_FATAL);
	gateway_free(gw);
}

TEST(reidentify_codes_drop_the_session)
{
	struct gateway *gw = ready_gateway();
	gateway_on_close(gw, 4009, true, 100);
	gateway_tick(gw, F.scheduled);
	CHECK_CONTAINS(F.connects[1], "gw.example");
	struct gw_session s;
	CHECK(!gateway_get_session(gw, &s));
	gateway_free(gw);
}

TEST(resumable_codes_resume_through_resume_url)
{
	const int codes[] = {4000, 4001, 4002, 4003, 4005, 4008, 1001, 1006};
	for (size_t i = 0; i < 8; i++) {
		struct gateway *gw = ready_gateway();
		gateway_on_close(gw, codes[i], codes[i] != 1006, 100);
		gateway_tick(gw, F.scheduled);
		CHECK_CONTAINS(F.connects[1], "resume.example");
		gateway_free(gw);
	}
}

TEST(repeated_connect_failures_back_off_exponentially_with_cap)
{
	struct gateway *gw = mk(false);
	gateway_start(gw, 0);
	int64_t now = 0, prev_gap = -1;
	for (int i = 0; i < 12; i++) {
		gateway_on_close(gw, 1006, false, now);   /* connect failed */
		int64_t gap = F.scheduled - now;
		CHECK(gap >= 0 && gap <= GW_BACKOFF_CAP_MS);
		if (i >= 2 && i < 6)
			CHECK(gap > prev_gap);
		prev_gap = gap;
		now = F.scheduled;
		gateway_tick(gw, now);
		CHECK_INT(gateway_state(gw), GW_CONNECTING);
	}
	CHECK(prev_gap >= GW_BACKOFF_CAP_MS / 2);
	CHECK_INT(F.nfatal, 0);
	gateway_free(gw);
}

TEST(backoff_jitter_stays_in_half_to_full_base)
{
	CHECK(gateway_backoff_ms(0, 0xffffffffu) < 250);
	CHECK_INT(gateway_backoff_ms(1, 0), 500);
	CHECK(gateway_backoff_ms(1, 0xffffffffu) < 1000);
	CHECK_INT(gateway_backoff_ms(3, 0), 2000);
	CHECK_INT(gateway_backoff_ms(40, 0), GW_BACKOFF_CAP_MS / 2);
	CHECK(gateway_backoff_ms(40, 0xffffffffu) < GW_BACKOFF_CAP_MS);
}

TEST(three_failed_resumes_fall_back_to_identify)
{
	struct gateway *gw = ready_gateway();
	int64_t now = 100;
	gateway_on_close(gw, 1006, false, now);
	for (int i = 0; i < 3; i++) {
		now = F.scheduled;
		gateway_tick(gw, now);       /* connects to the resume URL */
		gateway_on_close(gw, 1006, false, now + 1);
	}
	gateway_tick(gw, F.scheduled);
	CHECK_CONTAINS(F.connects[(F.nconnect - 1) % 16], "gw.example");
	gateway_free(gw);
}

TEST(identify_waits_for_permit)
{
	struct gateway *gw = mk(false);
	F.permit = 3000;
	gateway_start(gw, 0);
	gateway_on_open(gw, 0);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":45000}}", 0);
	CHECK_INT(gateway_state(gw), GW_WAIT_IDENTIFY);
	CHECK_INT(F.nsent, 0);
	CHECK_INT(F.scheduled, 3000);
	F.permit = 0;
	gateway_tick(gw, 3000);
	CHECK_INT(gateway_state(gw), GW_IDENTIFYING);
	CHECK_CONTAINS(F.sent[0], "\"op\":2");
	gateway_free(gw);
}

TEST(send_budget_reserves_heartbeat_slots)
{
	CHECK_INT(gateway_send_budget(41250), 120 - 3);   /* ceil(60/41.25) + 1 */
	CHECK_INT(gateway_send_budget(1000), 120 - 61);
	CHECK(gateway_send_budget(10) >= 5);
}

TEST(dispatch_updates_seq_and_unknown_events_pass_through)
{
	struct gateway *gw = ready_gateway();
	msg(gw, "{\"op\":0,\"s\":5,\"t\":\"SOMETHING_NEW\",\"d\":{\"x\":[1]}}", 100);
	msg(gw, "{\"op\":42,\"d\":{}}", 101);
	msg(gw, "{garbage", 102);
	struct gw_session s;
	CHECK(gateway_get_session(gw, &s));
	CHECK_INT(s.seq, 5);
	CHECK_STR(s.session_id, "S1");
	CHECK_STR(F.dispatched[F.ndispatch - 1], "SOMETHING_NEW");
	CHECK_INT(gateway_state(gw), GW_READY);
	gateway_free(gw);
}

TEST(saved_session_resumes_on_first_connect)
{
	struct gateway *gw = mk(false);
	struct gw_session s = {"OLD", "wss://old-resume.example", 77};
	gateway_set_session(gw, &s);
	gateway_start(gw, 0);
	CHECK_CONTAINS(F.connects[0], "old-resume.example");
	gateway_on_open(gw, 0);
	msg(gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", 0);
	CHECK_STR(last_sent(), "{\"op\":6,\"d\":{\"token\":\"tok\",\"session_id\":\"OLD\",\"seq\":77}}");
	CHECK_INT(F.permits, 0);
	gateway_free(gw);
}

TEST(stop_closes_resumably_and_keeps_session)
{
	struct gateway *gw = ready_gateway();
	gateway_stop(gw, 100);
	CHECK_INT(F.nclose, 1);
	CHECK_INT(F.close_code[0], GW_CLOSE_RESUMABLE);
	gateway_on_close(gw, GW_CLOSE_RESUMABLE, false, 101);
	CHECK_INT(gateway_state(gw), GW_STOPPED);
	struct gw_session s;
	CHECK(gateway_get_session(gw, &s));
	CHECK_STR(s.resume_url, "wss://resume.example");
	CHECK_INT(F.nconnect, 1);
	gateway_free(gw);
}

TEST(hello_timeout_reconnects)
{
	struct gateway *gw = mk(false);
	gateway_start(gw, 0);
	gateway_on_open(gw, 0);
	gateway_tick(gw, GW_HELLO_TIMEOUT_MS);
	CHECK_INT(F.nclose, 1);
	gateway_free(gw);
}

TEST(send_limit_defers_identify_when_window_is_full)
{
	struct gateway *gw = ready_gateway();
	/* Flood heartbeat requests: each is answered, but only up to the window. */
	for (int i = 0; i < 200; i++)
		msg(gw, "{\"op\":1}", 100 + i);
	CHECK(F.nsent <= GW_SEND_LIMIT);
	CHECK(gateway_stats(gw)->sends_deferred > 0);
	gateway_free(gw);
}

TAP_MAIN
