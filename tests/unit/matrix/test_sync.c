/* test_sync.c: the Matrix sync state machine driven by a fake transport, a fake
 * clock and a fake host, with real state files in a temporary directory. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/answer.h"
#include "matrix/codec.h"
#include "matrix/state.h"
#include "matrix/sync.h"
#include "util/log.h"
#include "../tap.h"

#define MAX_REQ 256

struct req {
	char method[8];
	char path[512];
	char body[4096];
	char token[128];
	int64_t id;
	int64_t timeout_ms;
	size_t max_bytes;
	int64_t at;                 /* the fake clock when it started */
};

struct fake {
	struct req req[MAX_REQ];
	int nreq;
	int64_t next_id;
	int responds, fatal_status, ready, lost, progress;
	char last_text[256];
	char dir[64];
	int fail_requests;          /* the next n requests cannot start (-EIO) */
	int64_t cancelled[8];       /* ids passed to cancel() */
	int ncancelled;
	int saves, final_saves;     /* calls of the save hook (when installed) */
	int sent, sent_status;      /* host->sent calls, the last one's status */
	int64_t sent_received_ms;
	const int64_t *clock;       /* the rig's fake clock */
};

static int64_t fake_request(void *ctx, const char *method, const char *path, const char *body,
			    const char *token, int64_t timeout_ms, size_t max_bytes)
{
	struct fake *f = ctx;
	if (f->fail_requests > 0) {
		f->fail_requests--;
		return -EIO;
	}
	if (f->nreq >= MAX_REQ)
		return -ENOSPC;
	struct req *r = &f->req[f->nreq++];
	snprintf(r->method, sizeof(r->method), "%s", method);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->body, sizeof(r->body), "%s", body ? body : "");
	snprintf(r->token, sizeof(r->token), "%s", token ? token : "");
	r->timeout_ms = timeout_ms;
	r->max_bytes = max_bytes;
	r->at = f->clock ? *f->clock : 0;
	r->id = ++f->next_id;
	return r->id;
}

static void fake_cancel(void *ctx, int64_t id)
{
	struct fake *f = ctx;
	if (f->ncancelled < 8)
		f->cancelled[f->ncancelled++] = id;
}

/* The save hook matrix.c installs, writing at once: counts the saves and
 * the final ones. */
static void fake_save(void *ctx, const char *path, char *text, bool final)
{
	struct fake *f = ctx;
	f->saves++;
	f->final_saves += final;
	mx_state_write(path, text);
	mx_state_text_free(text);
}

static void host_sent(void *ctx, const char *p, int64_t received_ms, int status)
{
	struct fake *f = ctx;
	(void)p;
	f->sent++;
	f->sent_status = status;
	f->sent_received_ms = received_ms;
}

static void host_respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	struct fake *f = ctx;
	f->responds++;
	snprintf(f->last_text, sizeof(f->last_text), "%.*s", (int)req->len, req->text);
	answer_init(out, LANG_EN);
	answer_text(out, "answer to ");
	answer_user(out, req->text, req->len);
}

static void host_fatal(void *ctx, const char *p, int status, const char *msg)
{
	(void)p; (void)msg;
	((struct fake *)ctx)->fatal_status = status;
}

static void host_ready(void *ctx, const char *p) { (void)p; ((struct fake *)ctx)->ready++; }
static void host_lost(void *ctx, const char *p, const char *why)
{
	(void)p;
	(void)why;
	((struct fake *)ctx)->lost++;
}
static void host_progress(void *ctx, const char *p) { (void)p; ((struct fake *)ctx)->progress++; }

struct rig {
	struct fake f;
	struct adapter_host host;
	struct mxsync_io io;
	struct matrix_config cfg;
	struct mxsync *m;
	int64_t now;
};

static void rig_init(struct rig *g, const char *password, const char *token)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->f.dir, sizeof(g->f.dir), "/tmp/scobot-mx-XXXXXX");
	if (!mkdtemp(g->f.dir))
		abort();
	g->host = (struct adapter_host){.ctx = &g->f, .respond = host_respond, .fatal = host_fatal,
					.ready = host_ready, .progress = host_progress,
					.lost = host_lost, .sent = host_sent};
	g->io = (struct mxsync_io){&g->f, fake_request, fake_cancel, NULL};
	g->cfg = (struct matrix_config){
		.homeserver = "http://127.0.0.1:1", .user_id = "@scobot:test",
		.password = password, .access_token = token, .state_dir = g->f.dir,
		.encrypted_room_notice = true,
	};
	g->now = 1000000;
	g->f.clock = &g->now;
}

static void rig_start(struct rig *g)
{
	g->m = mxsync_new(&g->cfg, &g->host, &g->io, 42);
	mxsync_start(g->m, g->now);
}

/* Restarts the machine on the same state directory, as after a SIGKILL (no
 * stop, so nothing is flushed). */
static void rig_crash_restart(struct rig *g)
{
	mxsync_free(g->m);
	g->f.nreq = 0;
	rig_start(g);
}

static void rig_free(struct rig *g)
{
	mxsync_free(g->m);
	char path[128];
	snprintf(path, sizeof(path), "%s/matrix-state.json", g->f.dir);
	unlink(path);
	rmdir(g->f.dir);
}

static struct req *last(struct rig *g)
{
	if (g->f.nreq == 0)
		abort();  /* a test bug: nothing was requested */
	return &g->f.req[g->f.nreq - 1];
}

/* The latest request whose path contains s. */
static struct req *find_req(struct rig *g, const char *s)
{
	for (int i = g->f.nreq - 1; i >= 0; i--)
		if (strstr(g->f.req[i].path, s))
			return &g->f.req[i];
	abort();
}

static void reply_to(struct rig *g, const struct req *q, int status, const char *body)
{
	struct mxsync_response r = {
		.id = q->id, .status = status, .body = body, .body_len = strlen(body),
	};
	mxsync_on_response(g->m, &r, g->now);
}

static struct req *find_method(struct rig *g, const char *method, const char *path_part)
{
	for (int i = g->f.nreq - 1; i >= 0; i--)
		if (strcmp(g->f.req[i].method, method) == 0 && strstr(g->f.req[i].path, path_part))
			return &g->f.req[i];
	abort();  /* a test bug: no such request */
}

/* Sends and the next long-poll run side by side, so tests pick the request. */
static struct req *put_req(struct rig *g) { return find_method(g, "PUT", "/send/"); }
static struct req *sync_req(struct rig *g) { return find_method(g, "GET", "/sync"); }

static void reply_put(struct rig *g, const char *body)
{
	reply_to(g, put_req(g), 200, body);
}

static void reply_h(struct rig *g, int status, const char *retry_after, const char *body)
{
	struct mxsync_response r = {
		.id = last(g)->id, .status = status, .body = body, .body_len = strlen(body),
		.retry_after = retry_after,
	};
	mxsync_on_response(g->m, &r, g->now);
}

static void reply(struct rig *g, int status, const char *body)
{
	reply_h(g, status, NULL, body);
}

static void reply_fmt(struct rig *g, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply_fmt(struct rig *g, int status, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	reply(g, status, buf);
}

/* After a restart from a stored since token: whoami, then the joined rooms
 * (none here), asked before the first sync. */
static void resume_whoami(struct rig *g)
{
	reply(g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_STR(last(g)->path, "/_matrix/client/v3/joined_rooms");
	reply(g, 200, "{\"joined_rooms\":[]}");
}

/* Logs in with a password and answers whoami and the filter upload. */
static void login(struct rig *g)
{
	rig_start(g);
	reply(g, 200, "{\"user_id\":\"@scobot:test\",\"access_token\":\"tok1\",\"device_id\":\"SCOBOT\"}");
	reply(g, 200, "{\"user_id\":\"@scobot:test\",\"device_id\":\"SCOBOT\"}");
	reply(g, 200, "{\"filter_id\":\"7\"}");
}

static const char *msg_event(const char *id, const char *sender, const char *msgtype,
			     const char *body)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, 512, "{\"type\":\"m.room.message\",\"event_id\":\"%s\",\"sender\":\"%s\","
		 "\"origin_server_ts\":1,\"content\":{\"msgtype\":\"%s\",\"body\":\"%s\"}}",
		 id, sender, msgtype, body);
	return b;
}

/* A sync response with events in room !r:test (joined_count members). */
static void sync_reply(struct rig *g, const char *next, int joined, const char *events)
{
	char summary[64] = "";
	if (joined >= 0)  /* < 0: no summary, as when the count did not change */
		snprintf(summary, sizeof(summary), "\"summary\":{\"m.joined_member_count\":%d},",
			 joined);
	char buf[8192];
	snprintf(buf, sizeof(buf), "{\"next_batch\":\"%s\",\"rooms\":{\"join\":{\"!r:test\":{%s"
		 "\"timeline\":{\"events\":[%s],\"limited\":false}}}}}", next, summary, events);
	reply_to(g, sync_req(g), 200, buf);
}

static int count_sends(struct rig *g)
{
	int n = 0;
	for (int i = 0; i < g->f.nreq; i++)
		n += strcmp(g->f.req[i].method, "PUT") == 0;
	return n;
}

TEST(password_login_then_whoami_filter_and_first_sync_without_since)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	CHECK_INT(g.f.nreq, 4);
	CHECK_STR(g.f.req[0].path, "/_matrix/client/v3/login");
	CHECK_STR(g.f.req[0].token, "");
	CHECK_CONTAINS(g.f.req[0].body, "\"device_id\":\"SCOBOT\"");
	CHECK_STR(g.f.req[1].path, "/_matrix/client/v3/account/whoami");
	CHECK_STR(g.f.req[1].token, "tok1");
	CHECK_STR(g.f.req[2].path, "/_matrix/client/v3/user/%40scobot%3Atest/filter");
	CHECK_CONTAINS(g.f.req[2].body, "lazy_load_members");
	CHECK_CONTAINS(g.f.req[3].path, "/sync?filter=7&timeout=0");
	CHECK_NOT_CONTAINS(g.f.req[3].path, "since=");
	rig_free(&g);
}

TEST(first_sync_backlog_is_not_answered_then_long_poll_uses_since)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, msg_event("$old", "@a:test", "m.text", "!sco help"));
	CHECK_INT(g.f.responds, 0);
	CHECK_INT(g.f.ready, 1);
	CHECK_CONTAINS(last(&g)->path, "timeout=30000");
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	CHECK(last(&g)->timeout_ms > 30000);
	rig_free(&g);
}

TEST(command_is_answered_once_as_notice_reply_then_batch_is_committed)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$e1", "@a:test", "m.text", "!sco sg 2011"));
	CHECK_INT(g.f.responds, 1);
	CHECK_STR(g.f.last_text, "sg 2011");
	struct req *put = put_req(&g);
	char txn[MX_TXN_ID_SIZE], want[256];
	mx_txn_id('r', "$e1", txn);
	snprintf(want, sizeof(want), "/_matrix/client/v3/rooms/%%21r%%3Atest/send/m.room.message/%s", txn);
	CHECK_STR(put->method, "PUT");
	CHECK_STR(put->path, want);
	cJSON *j = cJSON_Parse(put->body);
	CHECK_STR(cJSON_GetObjectItem(j, "msgtype")->valuestring, "m.notice");
	CHECK_CONTAINS(cJSON_GetObjectItem(j, "body")->valuestring, "sg 2011");
	CHECK(cJSON_GetObjectItem(j, "formatted_body") != NULL);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "m.relates_to"),
		  "m.in_reply_to"), "event_id")->valuestring, "$e1");
	cJSON_Delete(j);
	/* No new sync until the reply is sent, and the resume point is still s1. */
	struct mx_state st;
	char path[128];
	snprintf(path, sizeof(path), "%s/matrix-state.json", g.f.dir);
	CHECK_INT(mx_state_load(path, &st), 0);
	CHECK_STR(st.next_batch, "s1");
	mx_state_clear(&st);
	reply_put(&g, "{\"event_id\":\"$reply\"}");
	CHECK_CONTAINS(sync_req(&g)->path, "since=s2");
	/* Saves are coalesced (SAVE_INTERVAL_MS). */
	g.now += 250;
	mxsync_tick(g.m, g.now);
	CHECK_INT(mx_state_load(path, &st), 0);
	CHECK_STR(st.next_batch, "s2");
	CHECK(mx_state_answered(&st, "$e1"));
	struct stat sb;
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	mx_state_clear(&st);
	rig_free(&g);
}

static char *state_next_batch(struct rig *g)
{
	struct mx_state st;
	char path[128], *nb = NULL;
	snprintf(path, sizeof(path), "%s/matrix-state.json", g->f.dir);
	if (mx_state_load(path, &st) == 0 && st.next_batch)
		nb = strdup(st.next_batch);
	mx_state_clear(&st);
	return nb;
}

/* Lets the throttled save run, then checks the resume point on disk. */
static void check_saved_batch(struct rig *g, const char *want)
{
	g->now += 300;
	mxsync_tick(g->m, g->now);
	char *nb = state_next_batch(g);
	CHECK_STR(nb ? nb : "", want);
	free(nb);
}

TEST(sync_goes_on_while_replies_are_sent_but_the_file_waits_for_them)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$p1", "@a:test", "m.text", "!sco a"));
	CHECK_CONTAINS(sync_req(&g)->path, "since=s2");  /* already polling again */
	sync_reply(&g, "s3", 3, msg_event("$p2", "@b:test", "m.text", "!sco b"));
	CHECK_CONTAINS(sync_req(&g)->path, "since=s3");
	CHECK_INT(count_sends(&g), 1);  /* sends stay one at a time */
	g.now += 250;
	mxsync_tick(g.m, g.now);
	char *nb = state_next_batch(&g);
	CHECK_STR(nb, "s1");  /* neither batch is answered yet */
	free(nb);
	reply_put(&g, "{\"event_id\":\"$r1\"}");
	g.now += 250;
	mxsync_tick(g.m, g.now);
	nb = state_next_batch(&g);
	CHECK_STR(nb, "s2");
	free(nb);
	reply_put(&g, "{\"event_id\":\"$r2\"}");
	g.now += 250;
	mxsync_tick(g.m, g.now);
	nb = state_next_batch(&g);
	CHECK_STR(nb, "s3");
	free(nb);
	rig_free(&g);
}

TEST(crash_before_commit_resends_with_the_same_txn_and_skips_recorded)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$e1", "@a:test", "m.text", "!sco a"));
	reply_put(&g, "{\"event_id\":\"$r1\"}");
	g.now += 250;  /* past the save interval: s2 and $e1 reach the disk */
	mxsync_tick(g.m, g.now);
	char ev2[512], both[1100];
	snprintf(ev2, sizeof(ev2), "%s", msg_event("$e2", "@a:test", "m.text", "!sco b"));
	sync_reply(&g, "s3", 3, ev2);
	char first_put[512];
	snprintf(first_put, sizeof(first_put), "%s", put_req(&g)->path);
	/* SIGKILL here: the PUT for $e2 may or may not have reached the server. */
	rig_crash_restart(&g);
	CHECK_STR(g.f.req[0].path, "/_matrix/client/v3/account/whoami");
	CHECK_STR(g.f.req[0].token, "tok1");  /* the stored token is reused */
	resume_whoami(&g);
	CHECK_CONTAINS(sync_req(&g)->path, "since=s2");  /* filter id reused, no upload */
	snprintf(both, sizeof(both), "%s,%s", msg_event("$e1", "@a:test", "m.text", "!sco a"), ev2);
	sync_reply(&g, "s3", 3, both);
	CHECK_INT(count_sends(&g), 1);
	CHECK_STR(put_req(&g)->path, first_put);
	rig_free(&g);
}

TEST(crash_inside_the_save_interval_resends_everything_with_the_same_txns)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	char e1[512], e2[512], both[1100], put1[512], put2[512];
	snprintf(e1, sizeof(e1), "%s", msg_event("$e1", "@a:test", "m.text", "!sco a"));
	snprintf(e2, sizeof(e2), "%s", msg_event("$e2", "@b:test", "m.text", "!sco b"));
	sync_reply(&g, "s2", 3, e1);
	snprintf(put1, sizeof(put1), "%s", put_req(&g)->path);
	reply_put(&g, "{\"event_id\":\"$r1\"}");
	sync_reply(&g, "s3", 3, e2);
	snprintf(put2, sizeof(put2), "%s", put_req(&g)->path);
	rig_crash_restart(&g);  /* the file still says s1 */
	resume_whoami(&g);
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	snprintf(both, sizeof(both), "%s,%s", e1, e2);
	sync_reply(&g, "s3", 3, both);
	CHECK_INT(count_sends(&g), 1);  /* one at a time, in order */
	CHECK_STR(put_req(&g)->path, put1);
	reply_put(&g, "{\"event_id\":\"$r1\"}");  /* the homeserver dedupes */
	CHECK_STR(put_req(&g)->path, put2);
	rig_free(&g);
}

TEST(notices_own_messages_and_edits_are_never_answered)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 2, "");
	char evs[2048];
	snprintf(evs, sizeof(evs), "%s,%s,%s",
		 msg_event("$n", "@otherbot:test", "m.notice", "!sco help"),
		 msg_event("$o", "@scobot:test", "m.text", "!sco help"),
		 "{\"type\":\"m.room.message\",\"event_id\":\"$ed\",\"sender\":\"@a:test\","
		 "\"content\":{\"msgtype\":\"m.text\",\"body\":\"* !sco help\","
		 "\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"$x\"}}}");
	sync_reply(&g, "s2", 2, evs);
	CHECK_INT(g.f.responds, 0);
	CHECK_INT(count_sends(&g), 0);
	rig_free(&g);
}

TEST(plain_question_needs_a_mention_unless_one_to_one)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q1", "@a:test", "m.text", "who is the secretary general"));
	CHECK_INT(g.f.responds, 0);
	sync_reply(&g, "s2b", 3, msg_event("$q1b", "@a:test", "m.text", "the scobots are silly"));
	CHECK_INT(g.f.responds, 0);
	sync_reply(&g, "s3", 3, msg_event("$q2", "@a:test", "m.text", "scobot: who is the secretary general"));
	CHECK_INT(g.f.responds, 1);
	CHECK_STR(g.f.last_text, "who is the secretary general");
	reply_put(&g, "{\"event_id\":\"$r\"}");
	sync_reply(&g, "s4", 2, msg_event("$q3", "@a:test", "m.text", "what is the SCO"));
	CHECK_INT(g.f.responds, 2);
	reply_put(&g, "{\"event_id\":\"$r\"}");
	sync_reply(&g, "s5", 3, msg_event("$q4", "@a:test", "m.text", "hey ScoBot, what is the SCO"));
	CHECK_INT(g.f.responds, 3);
	rig_free(&g);
}

TEST(answer_in_a_thread_stays_in_the_thread)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, "{\"type\":\"m.room.message\",\"event_id\":\"$t1\",\"sender\":\"@a:test\","
		   "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco help\","
		   "\"m.relates_to\":{\"rel_type\":\"m.thread\",\"event_id\":\"$root\"}}}");
	CHECK_INT(g.f.responds, 1);
	CHECK_CONTAINS(put_req(&g)->body, "\"rel_type\":\"m.thread\"");
	CHECK_CONTAINS(put_req(&g)->body, "\"event_id\":\"$root\"");
	rig_free(&g);
}

TEST(one_to_one_room_is_remembered_across_restarts)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 2, "");
	g.now += 250;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	resume_whoami(&g);
	/* No summary: the count did not change, so the server leaves it out. */
	sync_reply(&g, "s2", -1, msg_event("$dm", "@a:test", "m.text", "what is the SCO"));
	CHECK_INT(g.f.responds, 1);
	reply_put(&g, "{\"event_id\":\"$r\"}");
	sync_reply(&g, "s3", 3, msg_event("$grp", "@a:test", "m.text", "what is the SCO"));
	CHECK_INT(g.f.responds, 1);  /* a third member joined: no longer one-to-one */
	rig_free(&g);
}

TEST(reply_fallback_is_stripped_before_the_prefix_check)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$f", "@a:test", "m.text",
					   "> <@b:test> hello\\n\\n!sco sg 2011"));
	CHECK_INT(g.f.responds, 1);
	CHECK_STR(g.f.last_text, "sg 2011");
	rig_free(&g);
}

TEST(rate_limit_waits_for_retry_after_header_or_ms)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	int before = g.f.nreq;
	reply_h(&g, 429, "5", "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":2000}");
	CHECK_INT(g.f.nreq, before);
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 5000);
	g.now += 4999;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, before);
	g.now += 1;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, before + 1);
	reply(&g, 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":3000}");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 3000);
	rig_free(&g);
}

/* mutate.py: the checks on the Retry-After header went untested. */
TEST(an_unusable_retry_after_header_falls_back_to_the_body)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	static const char *const bad[] = {"5x", "", "-1", "601", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reply_h(&g, 429, bad[i], "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":2000}");
		if (mxsync_next_deadline(g.m) != g.now + 2000)
			printf("# Retry-After: %s\n", bad[i]);
		CHECK_INT(mxsync_next_deadline(g.m), g.now + 2000);
		g.now += 2000;
		mxsync_tick(g.m, g.now);
	}
	/* The longer of the two wins: here the body's. */
	reply_h(&g, 429, "1", "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":3000}");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 3000);
	rig_free(&g);
}

TEST(server_errors_back_off_with_growing_capped_jittered_delay)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	int64_t prev = 0;
	for (int i = 0; i < 12; i++) {
		struct mxsync_response r = {.id = last(&g)->id, .transport_error = true,
					    .error_name = "connect", .body = ""};
		mxsync_on_response(g.m, &r, g.now);
		int64_t d = mxsync_next_deadline(g.m) - g.now;
		CHECK(d >= 250 && d <= 30000);
		if (i < 5)
			CHECK(d >= prev);
		prev = d;
		g.now += d;
		mxsync_tick(g.m, g.now);
	}
	CHECK(prev >= 15000);
	CHECK_INT(g.f.ready, 1);
	sync_reply(&g, "s9", 3, "");
	CHECK_INT(g.f.ready, 2);  /* ready again after the loss */
	rig_free(&g);
}

TEST(garbage_and_wrong_types_keep_the_old_since)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	const char *bad[] = {"\x01\x02 not json", "{\"next_batch\":12345,\"rooms\":[]}", "{}",
			     "{\"next_batch\":\"s9\",\"rooms\":{\"join\":{"};
	for (size_t i = 0; i < 4; i++) {
		reply(&g, 200, bad[i]);
		g.now = mxsync_next_deadline(g.m);
		mxsync_tick(g.m, g.now);
		CHECK_CONTAINS(last(&g)->path, "since=s1");
	}
	rig_free(&g);
}

TEST(configured_token_rejected_is_fatal_with_nopermission)
{
	struct rig g;
	rig_init(&g, NULL, "badtoken");
	rig_start(&g);
	CHECK_STR(last(&g)->token, "badtoken");
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"x\"}");
	CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
	CHECK_INT(mxsync_next_deadline(g.m), -1);
	rig_free(&g);
}

TEST(stored_token_rejected_logs_in_again_with_password)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(g.f.fatal_status, 0);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
	reply(&g, 200, "{\"access_token\":\"tok2\",\"device_id\":\"SCOBOT\"}");
	CHECK_STR(last(&g)->token, "tok2");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	CHECK_STR(last(&g)->token, "tok2");
	rig_free(&g);
}

static void invite_reply(struct rig *g, const char *next, const char *room, const char *inviter)
{
	reply_fmt(g, 200, "{\"next_batch\":\"%s\",\"rooms\":{\"invite\":{\"%s\":{\"invite_state\":"
		  "{\"events\":[{\"type\":\"m.room.member\",\"state_key\":\"@scobot:test\","
		  "\"sender\":\"%s\",\"content\":{\"membership\":\"invite\"}}]}}}}}",
		  next, room, inviter);
}

/* The same, answering the pending sync whatever else is in flight. */
static void invite_reply_to(struct rig *g, const char *next, const char *room, const char *inviter)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "{\"next_batch\":\"%s\",\"rooms\":{\"invite\":{\"%s\":"
		 "{\"invite_state\":{\"events\":[{\"type\":\"m.room.member\",\"state_key\":"
		 "\"@scobot:test\",\"sender\":\"%s\",\"content\":{\"membership\":\"invite\"}}]}}}}}",
		 next, room, inviter);
	reply_to(g, sync_req(g), 200, buf);
}

TEST(invite_outside_allowlist_is_ignored_inside_is_joined_with_retry)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	const char *allow[] = {"@boss:test", "*:friendly.org"};
	g.cfg.auto_join = allow;
	g.cfg.n_auto_join = 2;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	invite_reply(&g, "s2", "!evil:test", "@mallory:evil.org");
	struct mxsync_stats st;
	mxsync_get_stats(g.m, &st);
	CHECK_INT(st.ignored_invites, 1);
	CHECK_CONTAINS(last(&g)->path, "/sync");
	invite_reply(&g, "s3", "!good:test", "@ann:friendly.org");
	struct req *join = find_req(&g, "/join/");
	CHECK_STR(join->path, "/_matrix/client/v3/join/%21good%3Atest");
	CHECK_STR(join->method, "POST");
	reply_to(&g, join, 403, "{\"errcode\":\"M_FORBIDDEN\"}");  /* the invite race */
	/* Step through the deadlines (saves, retries) until the join is retried. */
	int joins = 1;
	for (int k = 0; k < 10 && joins < 2; k++) {
		int64_t d = mxsync_next_deadline(g.m);
		CHECK(d > g.now);
		g.now = d;
		mxsync_tick(g.m, g.now);
		joins = 0;
		for (int i = 0; i < g.f.nreq; i++)
			joins += strstr(g.f.req[i].path, "/join/") != NULL;
	}
	CHECK_INT(joins, 2);
	rig_free(&g);
}

TEST(encrypted_room_gets_exactly_one_notice)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	const char *enc = "{\"type\":\"m.room.encrypted\",\"event_id\":\"$c1\",\"sender\":\"@a:test\","
			  "\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\",\"ciphertext\":\"x\"}}";
	sync_reply(&g, "s2", 3, enc);
	CHECK_INT(count_sends(&g), 1);
	CHECK_CONTAINS(put_req(&g)->body, "encrypted");
	CHECK_CONTAINS(put_req(&g)->path, "scobot.e.");
	reply_put(&g, "{\"event_id\":\"$n\"}");
	sync_reply(&g, "s3", 3, enc);
	CHECK_INT(count_sends(&g), 1);
	/* ... and not again after a restart (once the state reached the disk). */
	g.now += 250;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	resume_whoami(&g);
	sync_reply(&g, "s4", 3, enc);
	CHECK_INT(count_sends(&g), 0);
	rig_free(&g);
}

TEST(cooldown_sends_one_short_notice_then_stays_quiet)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	char id[16], next[16];
	for (int i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "$c%d", i);
		snprintf(next, sizeof(next), "s%d", i + 2);
		sync_reply(&g, next, 3, msg_event(id, "@spam:test", "m.text", "!sco help"));
		if (i < 6)
			reply_put(&g, "{\"event_id\":\"$x\"}");
		g.now += 100;
	}
	CHECK_INT(g.f.responds, 5);
	CHECK_INT(count_sends(&g), 6);  /* 5 answers + 1 cooldown notice */
	/* Another user is not affected; the first one may ask again later. */
	sync_reply(&g, "s20", 3, msg_event("$other", "@calm:test", "m.text", "!sco help"));
	CHECK_INT(g.f.responds, 6);
	reply_put(&g, "{\"event_id\":\"$y\"}");
	g.now += 2000;
	sync_reply(&g, "s21", 3, msg_event("$again", "@spam:test", "m.text", "!sco help"));
	CHECK_INT(g.f.responds, 7);
	rig_free(&g);
}

TEST(room_cooldown_limits_a_room_across_users)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.cfg.cooldown_room_count = 2;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	char id[16], next[16], who[32];
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "$r%d", i);
		snprintf(next, sizeof(next), "s%d", i + 2);
		snprintf(who, sizeof(who), "@user%d:test", i);
		sync_reply(&g, next, 3, msg_event(id, who, "m.text", "!sco help"));
		if (i < 3)
			reply_put(&g, "{\"event_id\":\"$x\"}");
		g.now += 100;
	}
	/* Two answers, then one notice, then silence, each from another user. */
	CHECK_INT(g.f.responds, 2);
	CHECK_INT(count_sends(&g), 3);
	rig_free(&g);
}

static void limited_sync(struct rig *g, const char *next, const char *events)
{
	char buf[2048];
	snprintf(buf, sizeof(buf), "{\"next_batch\":\"%s\",\"rooms\":{\"join\":{\"!r:test\":{"
		 "\"timeline\":{\"events\":[%s],\"limited\":true,\"prev_batch\":\"t9\"}}}}}",
		 next, events);
	reply_to(g, sync_req(g), 200, buf);
}

static struct req *messages_req(struct rig *g) { return find_method(g, "GET", "/messages"); }

TEST(limited_timeline_fetches_the_gap_and_holds_the_resume_point)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	limited_sync(&g, "s2", msg_event("$new", "@a:test", "m.text", "!sco new"));
	struct mxsync_stats st;
	mxsync_get_stats(g.m, &st);
	CHECK_INT(st.gaps, 1);
	/* From the timeline's prev_batch back to where the last sync ended. */
	struct req *q = messages_req(&g);
	CHECK_CONTAINS(q->path, "/rooms/%21r%3Atest/messages?dir=b&from=t9&to=s1&limit=50");
	CHECK_CONTAINS(q->path, "&filter=%7B%22types%22%3A%5B%22m.room.message%22%5D%7D");
	CHECK_CONTAINS(sync_req(&g)->path, "since=s2");
	/* The page (newest first) is answered oldest first; the file keeps s1
	 * until the gap and every reply are done. */
	reply_to(&g, q, 200, "{\"start\":\"t9\",\"chunk\":["
		 "{\"type\":\"m.room.message\",\"event_id\":\"$g2\",\"sender\":\"@b:test\","
		 "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco two\"}},"
		 "{\"type\":\"m.room.message\",\"event_id\":\"$g1\",\"sender\":\"@c:test\","
		 "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco one\"}},"
		 "{\"type\":\"m.room.message\",\"event_id\":\"$new\",\"sender\":\"@a:test\","
		 "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco new\"}}]}");
	CHECK_INT(g.f.responds, 3);   /* $new once, though it came twice */
	CHECK_STR(g.f.last_text, "two");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	char *nb = state_next_batch(&g);
	CHECK_STR(nb ? nb : "", "s1");
	free(nb);
	for (int i = 0; i < 3; i++) {
		reply_put(&g, "{\"event_id\":\"$x\"}");
		g.now += 300;
		mxsync_tick(g.m, g.now);
	}
	nb = state_next_batch(&g);
	CHECK_STR(nb ? nb : "", "s2");
	free(nb);
	mxsync_get_stats(g.m, &st);
	CHECK_INT(st.backfilled, 3);
	rig_free(&g);
}

TEST(no_backfill_of_the_history_before_our_own_join)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	limited_sync(&g, "s2", "{\"type\":\"m.room.member\",\"event_id\":\"$j\","
		     "\"sender\":\"@scobot:test\",\"state_key\":\"@scobot:test\","
		     "\"content\":{\"membership\":\"join\"}}");
	for (int i = 0; i < g.f.nreq; i++)
		CHECK(strstr(g.f.req[i].path, "/messages") == NULL);
	rig_free(&g);
}

TEST(a_full_gap_page_fetches_the_older_page_up_to_a_bound)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	limited_sync(&g, "s2", "");
	for (int page = 1; page <= 4; page++) {
		struct req *q = messages_req(&g);
		char want[32];
		snprintf(want, sizeof(want), "from=%s&", page == 1 ? "t9" : "t5");
		CHECK_CONTAINS(q->path, want);
		CHECK_CONTAINS(q->path, "to=s1");
		int before = g.f.nreq;
		reply_to(&g, q, 200, "{\"start\":\"x\",\"end\":\"t5\",\"chunk\":[{\"type\":"
			 "\"m.room.message\",\"event_id\":\"$c\",\"sender\":\"@b:test\","
			 "\"content\":{\"msgtype\":\"m.text\",\"body\":\"chatter\"}}]}");
		mxsync_tick(g.m, g.now);
		/* A next page after each of the first three, none after the fourth. */
		CHECK_INT(g.f.nreq > before && strstr(g.f.req[g.f.nreq - 1].path, "/messages") != NULL,
			  page < 4);
	}
	check_saved_batch(&g, "s2");
	rig_free(&g);
}

TEST(a_gap_that_cannot_be_fetched_is_given_up_and_the_sync_goes_on)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	limited_sync(&g, "s2", "");
	for (int i = 0; i < 5; i++) {
		reply_to(&g, messages_req(&g), 502, "<html>bad gateway</html>");
		g.now = mxsync_next_deadline(g.m) + 1;
		mxsync_tick(g.m, g.now);
	}
	int n = 0;
	for (int i = 0; i < g.f.nreq; i++)
		n += strstr(g.f.req[i].path, "/messages") != NULL;
	CHECK_INT(n, 5);
	check_saved_batch(&g, "s2");
	rig_free(&g);
}

TEST(a_homeserver_answering_only_5xx_counts_as_lost_then_recovers)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	CHECK_INT(g.f.ready, 1);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(g.f.lost, 0);
		reply_to(&g, sync_req(&g), 502, "<html>bad gateway</html>");
		g.now = mxsync_next_deadline(g.m) + 1;
		mxsync_tick(g.m, g.now);
	}
	CHECK_INT(g.f.lost, 1);
	reply_to(&g, sync_req(&g), 502, "<html>bad gateway</html>");
	CHECK_INT(g.f.lost, 1);   /* told once per outage */
	g.now = mxsync_next_deadline(g.m) + 1;
	mxsync_tick(g.m, g.now);
	sync_reply(&g, "s2", 3, "");
	CHECK_INT(g.f.ready, 2);
	rig_free(&g);
}

/* Waits (in fake time) for the next PUT, then fails it: with no response at
 * all, or with a 502. False when no PUT came within an hour. */
static int64_t g_answered_put;

static bool fail_put(struct rig *g, bool transport)
{
	int64_t limit = g->now + 60 * 60 * 1000;
	while (put_req(g)->id <= g_answered_put) {
		int64_t d = mxsync_next_deadline(g->m);
		if (d < 0 || d > limit)
			return false;
		g->now = d > g->now ? d : g->now + 1;
		mxsync_tick(g->m, g->now);
	}
	struct req *q = put_req(g);
	g_answered_put = q->id;
	struct mxsync_response r = {.id = q->id, .status = 502, .body = "bad gateway",
				    .body_len = 11};
	if (transport)
		r = (struct mxsync_response){.id = q->id, .transport_error = true,
					     .error_name = "connect"};
	mxsync_on_response(g->m, &r, g->now);
	return true;
}

TEST(a_reply_outlives_a_homeserver_that_fails_for_minutes)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g_answered_put = 0;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	int64_t t0 = g.now;
	/* 502 after 502: more than ten, but for ten minutes none is final. */
	int fails = 0;
	while (g.now - t0 < 10 * 60 * 1000) {
		CHECK(fail_put(&g, false));
		fails++;
	}
	CHECK(fails > 10);
	/* Past ten minutes: that failure was the last; no PUT comes any more. */
	CHECK(!fail_put(&g, false));
	check_saved_batch(&g, "s2");  /* the resume point moves on */
	rig_free(&g);
}

TEST(an_unreachable_homeserver_never_uses_up_a_replys_tries)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g_answered_put = 0;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	int64_t t0 = g.now;
	for (int i = 0; i < 40; i++)  /* well past ten minutes of refused connects */
		CHECK(fail_put(&g, true));
	CHECK(g.now - t0 > 10 * 60 * 1000);
	for (int i = 0; i < 9; i++)   /* nine answered failures: one short of ten */
		CHECK(fail_put(&g, false));
	/* The 50th try comes, and goes through. */
	int64_t limit = g.now + 60 * 1000;
	while (put_req(&g)->id <= g_answered_put && g.now < limit) {
		g.now = mxsync_next_deadline(g.m);
		mxsync_tick(g.m, g.now);
	}
	CHECK(put_req(&g)->id > g_answered_put);
	reply_put(&g, "{\"event_id\":\"$x\"}");
	check_saved_batch(&g, "s2");
	rig_free(&g);
}

/* A sync of n questions in !r:test from n users, sent 1 s apart, the last
 * one a second before the response arrives (wall clock). */
static void questions_sync(struct rig *g, const char *next, int n, int64_t wall, int first)
{
	static char buf[16384];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "{\"next_batch\":\"%s\",\"rooms\":{"
				      "\"join\":{\"!r:test\":{\"timeline\":{\"events\":[", next);
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
			"%s{\"type\":\"m.room.message\",\"event_id\":\"$b%d\",\"sender\":"
			"\"@u%d:test\",\"origin_server_ts\":%lld,\"content\":{\"msgtype\":"
			"\"m.text\",\"body\":\"!sco help\"}}", i ? "," : "", first + i, first + i,
			(long long)(wall - 1000 * (n - i)));
	snprintf(buf + off, sizeof(buf) - off, "],\"limited\":false}}}}}");
	struct mxsync_response r = {.id = sync_req(g)->id, .status = 200, .body = buf,
				    .body_len = strlen(buf), .wall_ms = wall};
	mxsync_on_response(g->m, &r, g->now);
}

TEST(a_backlog_is_judged_by_when_each_question_was_asked)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	/* Restart: the first sync of the new run brings 20 questions asked over
	 * 20 s in one room; the room allows 15 at once and 1.5 a second after. */
	rig_crash_restart(&g);
	resume_whoami(&g);
	int64_t wall = 1800000000000;
	questions_sync(&g, "s2", 20, wall, 0);
	CHECK_INT(g.f.responds, 20);
	/* The same arriving live, all at once: that is a flood. */
	g.now += 60 * 1000;
	mxsync_tick(g.m, g.now);
	int before = g.f.responds;
	questions_sync(&g, "s3", 20, wall + 60 * 1000, 100);
	CHECK_INT(g.f.responds - before, 15);
	rig_free(&g);
}

TEST(a_backlog_across_rooms_is_judged_oldest_first)
{
	/* One user asked in !a 20 s before asking in !b; the sync happens to
	 * list !b first. Judged in listed order, the older question would look
	 * like it came 20 s after the newer one and be refused. */
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	rig_crash_restart(&g);
	resume_whoami(&g);
	int64_t wall = 1800000000000;
	char buf[2048];
	snprintf(buf, sizeof(buf), "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{"
		 "\"!b:test\":{\"summary\":{\"m.joined_member_count\":3},\"timeline\":{\"events\":["
		 "{\"type\":\"m.room.message\",\"event_id\":\"$late\",\"sender\":\"@u:test\","
		 "\"origin_server_ts\":%lld,\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco a\"}}]}},"
		 "\"!a:test\":{\"summary\":{\"m.joined_member_count\":3},\"timeline\":{\"events\":["
		 "{\"type\":\"m.room.message\",\"event_id\":\"$early\",\"sender\":\"@u:test\","
		 "\"origin_server_ts\":%lld,\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco b\"}}]}}"
		 "}}}", (long long)(wall - 1000), (long long)(wall - 21000));
	struct mxsync_response r = {.id = sync_req(&g)->id, .status = 200, .body = buf,
				    .body_len = strlen(buf), .wall_ms = wall};
	mxsync_on_response(g.m, &r, g.now);
	CHECK_INT(g.f.responds, 2);
	CHECK_STR(g.f.last_text, "a");   /* the newer question last */
	rig_free(&g);
}

static void refuse_sync(struct rig *g, int times)
{
	for (int i = 0; i < times; i++) {
		reply(g, 400, "{\"errcode\":\"M_INVALID_PARAM\"}");
		g->now = mxsync_next_deadline(g->m);
		mxsync_tick(g->m, g->now);
	}
}

TEST(refused_sync_reuploads_filter_then_drops_the_token)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	refuse_sync(&g, 3);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/user/%40scobot%3Atest/filter");
	reply(&g, 200, "{\"filter_id\":\"8\"}");
	CHECK_CONTAINS(last(&g)->path, "filter=8");
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	refuse_sync(&g, 3);
	CHECK_NOT_CONTAINS(last(&g)->path, "since=");
	/* A fresh start skips the backlog again. */
	sync_reply(&g, "s9", 3, msg_event("$missed", "@a:test", "m.text", "!sco help"));
	CHECK_INT(g.f.responds, 0);
	rig_free(&g);
}

TEST(escape_encodes_everything_but_unreserved)
{
	char *e = mxsync_escape("!a:b/c d~e_f.g-h?&=%");
	CHECK_STR(e, "%21a%3Ab%2Fc%20d~e_f.g-h%3F%26%3D%25");
	free(e);
	/* Every byte escaped: three times as long, plus the NUL (ASan checks). */
	e = mxsync_escape("!:\xff");
	CHECK_STR(e, "%21%3A%FF");
	free(e);
}

TEST(resumed_start_counts_joined_rooms_before_the_first_sync)
{
	struct rig g;
	char st[256];
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 250;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/joined_rooms");
	/* Server trouble is retried like any auth step; nothing syncs meanwhile. */
	reply(&g, 502, "");
	CHECK_INT(g.f.nreq, 2);
	g.now += 60 * 1000;
	mxsync_tick(g.m, g.now);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/joined_rooms");
	reply(&g, 200, "{\"joined_rooms\":[\"!a:test\",\"!r:test\",\"nonsense\"]}");
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	mxsync_status(g.m, g.now, st, sizeof(st));
	CHECK_CONTAINS(st, "rooms=2 ");
	/* A room in both the list and the sync is counted once. */
	sync_reply(&g, "s2", 3, msg_event("$x", "@a:test", "m.text", "hello"));
	mxsync_status(g.m, g.now, st, sizeof(st));
	CHECK_CONTAINS(st, "rooms=2 ");
	rig_free(&g);

	/* A homeserver without the endpoint: the sync starts all the same. */
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 250;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 404, "{\"errcode\":\"M_UNRECOGNIZED\"}");
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	mxsync_status(g.m, g.now, st, sizeof(st));
	CHECK_CONTAINS(st, "rooms=0 ");
	rig_free(&g);
}

/* ---- mutate.py survivors: the life cycle, the transport failing to start a
 * request, statistics, the status line and the recovery logic ---- */

static void state_file(struct rig *g, char *path, size_t size)
{
	snprintf(path, size, "%s/matrix-state.json", g->f.dir);
}

static void load_state(struct rig *g, struct mx_state *st)
{
	char path[128];
	state_file(g, path, sizeof(path));
	memset(st, 0, sizeof(*st));
	if (mx_state_load(path, st) != 0)
		memset(st, 0, sizeof(*st));
}

static const char *status_of(struct rig *g)
{
	static char buf[512];
	mxsync_status(g->m, g->now, buf, sizeof(buf));
	return buf;
}

static uint64_t rest_errors(struct rig *g, int status)
{
	struct mxsync_stats st;
	mxsync_get_stats(g->m, &st);
	for (size_t i = 0; i < HOST_STATUS_SLOTS; i++)
		if (st.rest_errors[i].count && st.rest_errors[i].status == status)
			return st.rest_errors[i].count;
	return 0;
}

static struct mxsync_stats stats_of(struct rig *g)
{
	struct mxsync_stats st;
	mxsync_get_stats(g->m, &st);
	return st;
}

static int count_paths(struct rig *g, const char *s)
{
	int n = 0;
	for (int i = 0; i < g->f.nreq; i++)
		n += strstr(g->f.req[i].path, s) != NULL;
	return n;
}

/* Moves the fake clock to the next deadline and runs it. */
static void step(struct rig *g)
{
	int64_t d = mxsync_next_deadline(g->m);
	g->now = d > g->now ? d : g->now + 1;
	mxsync_tick(g->m, g->now);
}

static void reply_transport(struct rig *g, const struct req *q, const char *name)
{
	struct mxsync_response r = {.id = q->id, .transport_error = true, .error_name = name};
	mxsync_on_response(g->m, &r, g->now);
}

TEST(configs_without_state_dir_or_credentials_are_refused)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	struct matrix_config c = g.cfg;
	c.state_dir = NULL;
	CHECK(mxsync_new(&c, &g.host, &g.io, 1) == NULL);
	c.state_dir = "";
	CHECK(mxsync_new(&c, &g.host, &g.io, 1) == NULL);
	c = g.cfg;
	c.user_id = NULL;   /* a password needs the user to log in as */
	CHECK(mxsync_new(&c, &g.host, &g.io, 1) == NULL);
	c.password = NULL;  /* nothing at all */
	CHECK(mxsync_new(&c, &g.host, &g.io, 1) == NULL);
	c.access_token = "t";  /* a token alone names its user itself */
	struct mxsync *m = mxsync_new(&c, &g.host, &g.io, 1);
	CHECK(m != NULL);
	mxsync_free(m);
	c = g.cfg;
	c.password = NULL;  /* user_id alone: a stored token may still come */
	m = mxsync_new(&c, &g.host, &g.io, 1);
	CHECK(m != NULL);
	mxsync_free(m);
	g.m = NULL;
	mxsync_stop(NULL);
	rig_free(&g);
}

TEST(a_start_without_token_stored_token_or_password_is_fatal)
{
	struct rig g;
	rig_init(&g, NULL, NULL);
	rig_start(&g);
	CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
	CHECK_INT(g.f.nreq, 0);
	CHECK_INT(mxsync_next_deadline(g.m), -1);
	CHECK_CONTAINS(status_of(&g), "dead ");
	rig_free(&g);
}

TEST(the_status_line_names_the_phase_and_the_progress)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.m = mxsync_new(&g.cfg, &g.host, &g.io, 42);
	CHECK_CONTAINS(status_of(&g), "init rooms=0 queued=0 ");
	CHECK_INT(mxsync_next_deadline(g.m), -1);
	mxsync_tick(g.m, g.now);  /* nothing before the start */
	CHECK_INT(g.f.nreq, 0);
	mxsync_start(g.m, g.now);
	CHECK_CONTAINS(status_of(&g), "auth rooms=0 queued=2 ");
	CHECK_INT(mxsync_next_deadline(g.m), -1);  /* waiting for the login only */
	reply(&g, 200, "{\"access_token\":\"tok1\"}");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 200, "{\"filter_id\":\"7\"}");
	sync_reply(&g, "s1", 3, "");
	g.now += 5500;
	CHECK_STR(status_of(&g), "running rooms=1 queued=0 since_advance_s=5 syncs=1 sends=0 "
		  "last_error=-");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	CHECK_CONTAINS(status_of(&g), "since_advance_s=0 syncs=2 sends=0 ");
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_CONTAINS(status_of(&g), "syncs=2 sends=1 ");
	rig_free(&g);
}

TEST(statistics_count_syncs_failures_rate_limits_and_statuses)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	CHECK_INT(stats_of(&g).syncs_ok, 1);
	CHECK_INT(stats_of(&g).sync_errors, 0);
	reply_to(&g, sync_req(&g), 502, "<html>bad gateway</html>");
	CHECK_INT(stats_of(&g).sync_errors, 1);
	CHECK_INT(rest_errors(&g, 502), 1);
	CHECK_CONTAINS(status_of(&g), "last_error=http_502");
	step(&g);
	reply_h(&g, 429, NULL, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":10}");
	CHECK_INT(stats_of(&g).rate_limited, 1);
	CHECK_INT(stats_of(&g).sync_errors, 2);
	CHECK_INT(rest_errors(&g, 429), 1);
	CHECK_CONTAINS(status_of(&g), "last_error=http_429_M_LIMIT_EXCEEDED");
	step(&g);
	reply_transport(&g, sync_req(&g), NULL);
	CHECK_INT(rest_errors(&g, 0), 1);
	CHECK_INT(stats_of(&g).sync_errors, 3);
	CHECK_CONTAINS(status_of(&g), "last_error=network");
	step(&g);
	reply(&g, 400, "{\"errcode\":\"M_INVALID_PARAM\"}");
	CHECK_CONTAINS(status_of(&g), "last_error=http_400_M_INVALID_PARAM");
	step(&g);
	sync_reply(&g, "s2", 3, "");
	CHECK_INT(stats_of(&g).syncs_ok, 2);
	CHECK_INT(stats_of(&g).sync_errors, 4);
	/* The serial lane: a 429 and a server error on a reply, then success. */
	sync_reply(&g, "s3", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	reply_to(&g, put_req(&g), 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":10}");
	CHECK_INT(stats_of(&g).rate_limited, 2);
	CHECK_INT(rest_errors(&g, 429), 2);
	CHECK_CONTAINS(status_of(&g), "last_error=http_429_M_LIMIT_EXCEEDED");
	g.now += 10;
	mxsync_tick(g.m, g.now);
	reply_to(&g, put_req(&g), 503, "");
	CHECK_INT(rest_errors(&g, 503), 1);
	step(&g);
	reply_transport(&g, put_req(&g), "timeout");
	CHECK_INT(rest_errors(&g, 0), 2);
	CHECK_CONTAINS(status_of(&g), "last_error=timeout");
	step(&g);
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_INT(stats_of(&g).sends_ok, 1);
	CHECK_INT(stats_of(&g).send_errors, 0);
	CHECK_INT(stats_of(&g).answered, 1);
	rig_free(&g);
}

TEST(a_sync_request_that_cannot_start_is_retried_with_growing_backoff)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	rig_start(&g);
	reply(&g, 200, "{\"access_token\":\"tok1\"}");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	g.f.fail_requests = 2;
	reply(&g, 200, "{\"filter_id\":\"7\"}");
	CHECK_INT(g.f.nreq, 3);  /* the first sync could not start */
	int64_t t0 = g.now, d = mxsync_next_deadline(g.m);
	CHECK(d >= t0 + 250 && d <= t0 + 500);
	g.now = d - 1;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, 3);
	g.now = d;
	mxsync_tick(g.m, g.now);  /* fails again: the delay doubles */
	CHECK_INT(g.f.nreq, 3);
	int64_t d2 = mxsync_next_deadline(g.m);
	CHECK(d2 >= d + 500 && d2 <= d + 1000);
	g.now = d2;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, 4);
	CHECK_CONTAINS(last(&g)->path, "/sync?filter=7&timeout=0");
	CHECK_INT(last(&g)->timeout_ms, 120000);  /* a first sync may be large */
	CHECK_INT(last(&g)->max_bytes, 8u << 20);
	rig_free(&g);
}

TEST(a_serial_request_that_cannot_start_is_retried_with_growing_backoff)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.f.fail_requests = 2;
	rig_start(&g);
	CHECK_INT(g.f.nreq, 0);
	int64_t d = mxsync_next_deadline(g.m);
	CHECK(d >= g.now + 250 && d <= g.now + 500);
	g.now = d - 1;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, 0);  /* the whoami behind it does not overtake it */
	g.now = d;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, 0);
	int64_t d2 = mxsync_next_deadline(g.m);
	CHECK(d2 >= d + 500 && d2 <= d + 1000);
	g.now = d2;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, 1);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
	CHECK_INT(last(&g)->timeout_ms, 30000);
	CHECK_INT(last(&g)->max_bytes, 64u << 10);
	reply(&g, 200, "{\"access_token\":\"tok1\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	CHECK_STR(last(&g)->token, "tok1");
	rig_free(&g);
}

/* A try that never went out does not use up a reply's tries. */
TEST(a_reply_that_cannot_start_for_minutes_keeps_its_tries)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g_answered_put = 0;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	int64_t t0 = g.now;
	g.f.fail_requests = 80;  /* the PUT's starts and the next syncs' */
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	while (g.f.fail_requests > 0 && g.now - t0 < 60 * 60 * 1000)
		step(&g);
	CHECK(g.now - t0 > 10 * 60 * 1000);
	CHECK_INT(count_sends(&g), 0);
	for (int i = 0; i < 100 && count_sends(&g) == 0; i++)
		step(&g);
	CHECK_INT(count_sends(&g), 1);
	for (int i = 0; i < 9; i++)   /* nine answered failures: one short of ten */
		CHECK(fail_put(&g, false));
	int64_t limit = g.now + 60 * 1000;
	while (put_req(&g)->id <= g_answered_put && g.now < limit)
		step(&g);
	CHECK(put_req(&g)->id > g_answered_put);
	reply_put(&g, "{\"event_id\":\"$x\"}");
	CHECK_INT(stats_of(&g).sends_ok, 1);
	rig_free(&g);
}

TEST(stop_cancels_what_is_in_flight_and_saves_the_newest_point_at_once)
{
	for (int hook = 0; hook < 2; hook++) {
		struct rig g;
		rig_init(&g, "pw", NULL);
		if (hook)
			g.io.save = fake_save;
		login(&g);
		sync_reply(&g, "s1", 3, "");  /* saved at once: the first save */
		sync_reply(&g, "s2", 3, "");  /* within the save interval: waits */
		sync_reply(&g, "s3", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
		char *nb = state_next_batch(&g);
		CHECK_STR(nb ? nb : "", "s1");
		free(nb);
		int64_t sync_id = sync_req(&g)->id, put_id = put_req(&g)->id;
		int saves = g.f.saves;
		mxsync_stop(g.m);
		nb = state_next_batch(&g);
		CHECK_STR(nb ? nb : "", "s2");  /* s3 still waits for its reply */
		free(nb);
		if (hook) {
			CHECK_INT(g.f.saves, saves + 1);
			CHECK_INT(g.f.final_saves, 1);
		}
		CHECK_INT(g.f.ncancelled, 2);
		CHECK(g.f.cancelled[0] == sync_id && g.f.cancelled[1] == put_id);
		/* Stopped: late responses and ticks do nothing. */
		int n = g.f.nreq;
		CHECK_INT(mxsync_next_deadline(g.m), -1);
		reply_put(&g, "{\"event_id\":\"$r\"}");
		g.now += 60000;
		mxsync_tick(g.m, g.now);
		CHECK_INT(g.f.nreq, n);
		CHECK_INT(stats_of(&g).sends_ok, 0);
		CHECK_CONTAINS(status_of(&g), "dead ");
		mxsync_stop(g.m);  /* twice is harmless: nothing is cancelled again */
		CHECK_INT(g.f.ncancelled, 2);
		rig_free(&g);
	}
}

TEST(stop_before_start_writes_nothing)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.io.save = fake_save;
	g.m = mxsync_new(&g.cfg, &g.host, &g.io, 42);
	mxsync_stop(g.m);
	CHECK_INT(g.f.saves, 0);
	char path[128];
	state_file(&g, path, sizeof(path));
	CHECK(access(path, F_OK) != 0);
	rig_free(&g);
}

TEST(saves_are_coalesced_to_one_per_interval)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.io.save = fake_save;
	login(&g);
	int saves = g.f.saves;  /* login and filter */
	sync_reply(&g, "s1", 3, "");
	CHECK_INT(g.f.saves, saves + 1);
	sync_reply(&g, "s2", 3, "");
	g.now += 100;
	mxsync_tick(g.m, g.now);
	sync_reply(&g, "s3", 3, "");
	CHECK_INT(g.f.saves, saves + 1);
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 150);
	g.now += 149;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.saves, saves + 1);
	g.now += 1;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.saves, saves + 2);
	char *nb = state_next_batch(&g);
	CHECK_STR(nb ? nb : "", "s3");
	free(nb);
	/* Nothing new: no more saves, and no save deadline. */
	CHECK(mxsync_next_deadline(g.m) > g.now + 1000);
	g.now += 1000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.saves, saves + 2);
	/* Past the interval, a commit is saved at once. */
	sync_reply(&g, "s4", 3, "");
	CHECK_INT(g.f.saves, saves + 3);
	CHECK_INT(g.f.final_saves, 0);
	rig_free(&g);
}

TEST(a_full_pipeline_waits_for_replies_before_syncing_again)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	char id[16], next[16], who[32];
	for (int i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "$p%d", i);
		snprintf(next, sizeof(next), "p%d", i);
		snprintf(who, sizeof(who), "@u%d:test", i);
		sync_reply(&g, next, 3, msg_event(id, who, "m.text", "!sco help"));
	}
	/* Eight batches wait for replies: no ninth sync, and none later. */
	CHECK_CONTAINS(sync_req(&g)->path, "since=p6");
	CHECK_INT(count_paths(&g, "/sync"), 9);
	CHECK(mxsync_next_deadline(g.m) > g.now);  /* no wake-up for a sync */
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/sync"), 9);
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_INT(count_paths(&g, "/sync"), 10);
	CHECK_CONTAINS(sync_req(&g)->path, "since=p7");
	rig_free(&g);
}

TEST(the_host_hears_of_a_loss_once_per_outage_and_of_each_recovery)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	/* Before the first sync, failures are no loss: nothing was ready. */
	for (int i = 0; i < 3; i++) {
		reply_transport(&g, sync_req(&g), "connect");
		step(&g);
	}
	CHECK_INT(g.f.lost, 0);
	sync_reply(&g, "s1", 3, "");
	CHECK_INT(g.f.ready, 1);
	for (int round = 1; round <= 2; round++) {
		/* No answer at all: told at once, and only once. */
		for (int i = 0; i < 3; i++) {
			reply_transport(&g, sync_req(&g), "connect");
			CHECK_INT(g.f.lost, round);
			step(&g);
		}
		sync_reply(&g, round == 1 ? "s2" : "s3", 3, "");
		CHECK_INT(g.f.ready, round + 1);
	}
	/* One short failure is no loss, so no recovery either. */
	reply_to(&g, sync_req(&g), 502, "");
	step(&g);
	sync_reply(&g, "s4", 3, "");
	CHECK_INT(g.f.lost, 2);
	CHECK_INT(g.f.ready, 3);
	/* A single lost connection, recovered at the next try. */
	reply_transport(&g, sync_req(&g), "connect");
	CHECK_INT(g.f.lost, 3);
	step(&g);
	sync_reply(&g, "s5", 3, "");
	CHECK_INT(g.f.ready, 4);
	rig_free(&g);
}

TEST(the_sync_after_a_failure_is_judged_as_a_backlog)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 60 * 1000;
	mxsync_tick(g.m, g.now);
	reply_to(&g, sync_req(&g), 502, "");
	step(&g);
	int64_t wall = 1800000000000;
	questions_sync(&g, "s2", 20, wall, 0);
	CHECK_INT(g.f.responds, 20);  /* asked over 20 s: no flood */
	rig_free(&g);
}

TEST(a_rejected_token_is_fatal_when_it_cannot_be_replaced)
{
	/* Configured (even with a password beside it), or stored without a
	 * password to log in again with. */
	for (int k = 0; k < 2; k++) {
		struct rig g;
		rig_init(&g, "pw", "cfgtok");
		rig_start(&g);
		CHECK_STR(last(&g)->token, "cfgtok");
		reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
		reply(&g, 200, "{\"filter_id\":\"7\"}");
		sync_reply(&g, "s1", 3, "");
		g.now += 300;
		mxsync_tick(g.m, g.now);
		if (k == 1) {
			/* The stored token, without a password or a configured one. */
			struct mx_state st;
			load_state(&g, &st);
			CHECK(st.access_token == NULL);
			mx_state_clear(&st);
			mxsync_free(g.m);
			rig_init(&g, "pw", NULL);
			login(&g);
			sync_reply(&g, "s1", 3, "");
			g.now += 300;
			mxsync_tick(g.m, g.now);
			g.cfg.password = NULL;
			rig_crash_restart(&g);
			CHECK_STR(last(&g)->token, "tok1");
			resume_whoami(&g);
		}
		reply_to(&g, sync_req(&g), 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
		CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
		CHECK_CONTAINS(status_of(&g), "dead ");
		CHECK_INT(count_paths(&g, "/login"), 0);
		rig_free(&g);
	}
}

/* ---- mutate.py survivors in oplane.c: request shapes, the outcome of each
 * job, a rejected token mid-run, and the backoff of the serial lane ---- */

TEST(each_serial_request_has_its_method_body_and_size_limit)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.cfg.auto_join = NULL;
	login(&g);
	CHECK_STR(g.f.req[1].method, "GET");   /* whoami */
	CHECK_STR(g.f.req[2].method, "POST");  /* filter */
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_STR(last(&g)->method, "GET");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/joined_rooms");
	CHECK(last(&g)->max_bytes > (64u << 10));  /* up to MXBOT_MAX_ROOMS ids */
	reply(&g, 200, "{\"joined_rooms\":[]}");
	invite_reply_to(&g, "s2", "!new:test", "@ann:test");
	struct req *join = find_req(&g, "/join/");
	CHECK_STR(join->method, "POST");
	CHECK_STR(join->body, "{}");
	CHECK_INT(join->max_bytes, 64u << 10);
	rig_free(&g);
}

/* Answers the authentication steps (login, whoami, joined rooms, filter) as
 * a healthy homeserver would, until a sync is asked for. */
static void answer_auth(struct rig *g)
{
	for (int i = 0; i < 8 && !strstr(last(g)->path, "/sync"); i++) {
		const char *p = last(g)->path;
		if (strstr(p, "/login"))
			reply(g, 200, "{\"access_token\":\"tok2\",\"device_id\":\"SCOBOT\"}");
		else if (strstr(p, "/whoami"))
			reply(g, 200, "{\"user_id\":\"@scobot:test\"}");
		else if (strstr(p, "/joined_rooms"))
			reply(g, 200, "{\"joined_rooms\":[]}");
		else if (strstr(p, "/filter"))
			reply(g, 200, "{\"filter_id\":\"9\"}");
		else
			break;
	}
}

TEST(a_token_rejected_mid_run_logs_in_once_then_resends_with_the_new_token)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	int64_t put_id = put_req(&g)->id;
	int syncs = count_paths(&g, "/sync");
	reply_to(&g, sync_req(&g), 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(g.f.fatal_status, 0);
	CHECK_CONTAINS(status_of(&g), "auth ");
	struct mx_state st;
	load_state(&g, &st);  /* the dead token is forgotten on disk at once */
	CHECK(st.access_token == NULL);
	CHECK_STR(st.next_batch, "s1");
	mx_state_clear(&st);
	/* The reply in flight meets the same 401: still one login. */
	reply_to(&g, put_req(&g), 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
	CHECK_INT(count_paths(&g, "/login"), 2);
	CHECK_CONTAINS(last(&g)->body, "\"password\":\"pw\"");
	CHECK_STR(last(&g)->token, "");
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/sync"), syncs);  /* no sync without a token */
	reply(&g, 200, "{\"access_token\":\"tok2\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	CHECK_STR(last(&g)->token, "tok2");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_INT(count_paths(&g, "/login"), 2);  /* the first, and one more */
	CHECK_INT(count_paths(&g, "/filter"), 1);  /* unchanged: not uploaded again */
	CHECK(put_req(&g)->id > put_id);
	CHECK_STR(put_req(&g)->token, "tok2");
	CHECK_STR(sync_req(&g)->token, "tok2");
	CHECK_CONTAINS(sync_req(&g)->path, "since=s2");
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_INT(stats_of(&g).sends_ok, 1);
	rig_free(&g);
}

TEST(a_stored_token_rejected_at_whoami_logs_in_again)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	CHECK_STR(last(&g)->token, "tok1");
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(g.f.fatal_status, 0);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
	answer_auth(&g);
	CHECK_CONTAINS(last(&g)->path, "since=s1");
	CHECK_STR(last(&g)->token, "tok2");
	CHECK_INT(g.f.fatal_status, 0);
	rig_free(&g);
}

TEST(a_refused_password_or_token_at_login_is_fatal)
{
	static const struct { int status; const char *body, *want; } cases[] = {
		{403, "{\"errcode\":\"M_FORBIDDEN\"}", "password login rejected (HTTP 403 M_FORBIDDEN)"},
		{401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}", "password login rejected (HTTP 401"},
	};
	for (size_t i = 0; i < 2; i++) {
		struct rig g;
		rig_init(&g, "pw", NULL);
		rig_start(&g);
		reply(&g, cases[i].status, cases[i].body);
		CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
		CHECK_CONTAINS(status_of(&g), cases[i].want);
		CHECK_INT(g.f.nreq, 1);
		rig_free(&g);
	}
}

TEST(a_login_answer_without_a_token_is_retried_and_a_good_one_is_stored)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	rig_start(&g);
	reply(&g, 200, "{\"device_id\":\"X\"}");
	CHECK_INT(g.f.fatal_status, 0);
	CHECK_INT(g.f.nreq, 1);
	int64_t d = mxsync_next_deadline(g.m);
	CHECK(d >= g.now + 250 && d <= g.now + 500);
	g.now = d;
	mxsync_tick(g.m, g.now);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
	reply(&g, 200, "{\"access_token\":\"tok1\",\"device_id\":\"DEV9\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	struct mx_state st;
	load_state(&g, &st);
	CHECK_STR(st.access_token, "tok1");
	CHECK_STR(st.device_id, "DEV9");
	CHECK_STR(st.user_id, "@scobot:test");
	mx_state_clear(&st);
	rig_free(&g);
}

TEST(whoami_refused_or_naming_another_user_is_fatal_without_a_name_retried)
{
	struct rig g;
	rig_init(&g, NULL, "tok");
	rig_start(&g);
	reply(&g, 403, "{\"errcode\":\"M_FORBIDDEN\"}");
	CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
	CHECK_CONTAINS(status_of(&g), "whoami failed (HTTP 403 M_FORBIDDEN)");
	rig_free(&g);

	rig_init(&g, NULL, "tok");
	rig_start(&g);
	reply(&g, 200, "{\"device_id\":\"X\"}");
	CHECK_INT(g.f.fatal_status, 0);
	CHECK_INT(g.f.nreq, 1);
	int64_t d = mxsync_next_deadline(g.m);
	CHECK(d >= g.now + 250 && d <= g.now + 500);
	g.now = d;
	mxsync_tick(g.m, g.now);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	reply(&g, 200, "{\"user_id\":\"@someone:test\"}");
	CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
	CHECK_CONTAINS(status_of(&g), "another user than user_id (@someone:test)");
	rig_free(&g);

	/* No user_id configured: the token names it. */
	rig_init(&g, NULL, "tok");
	g.cfg.user_id = NULL;
	rig_start(&g);
	reply(&g, 200, "{\"user_id\":\"@someone:test\"}");
	CHECK_INT(g.f.fatal_status, 0);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/user/%40someone%3Atest/filter");
	rig_free(&g);
}

TEST(a_failed_filter_upload_syncs_inline_and_a_changed_filter_is_uploaded_again)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	rig_start(&g);
	reply(&g, 200, "{\"access_token\":\"tok1\"}");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 400, "{\"errcode\":\"M_BAD_JSON\"}");
	CHECK_CONTAINS(last(&g)->path, "/sync?filter=%7B");
	struct mx_state st;
	load_state(&g, &st);
	CHECK(st.filter_id && st.filter_id[0] == '{');
	CHECK(st.filter_key == NULL);
	mx_state_clear(&st);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);  /* an inline filter is no upload: try again */
	resume_whoami(&g);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/user/%40scobot%3Atest/filter");
	reply(&g, 200, "{\"filter_id\":\"7\"}");
	CHECK_CONTAINS(last(&g)->path, "/sync?filter=7&");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);  /* the same filter: reused */
	resume_whoami(&g);
	CHECK_CONTAINS(last(&g)->path, "/sync?filter=7&");
	g.cfg.timeline_limit = 7;  /* another filter: uploaded */
	rig_crash_restart(&g);
	resume_whoami(&g);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/user/%40scobot%3Atest/filter");
	CHECK_CONTAINS(last(&g)->body, "\"limit\":7");
	rig_free(&g);
}

TEST(a_rejected_reply_is_not_retried_and_the_batch_moves_on)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	int64_t t_sync = g.now;
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	g.now += 10;
	reply_to(&g, put_req(&g), 400, "{\"errcode\":\"M_BAD_JSON\"}");
	CHECK_INT(stats_of(&g).send_errors, 1);
	CHECK_INT(stats_of(&g).sends_ok, 0);
	CHECK_INT(stats_of(&g).answered, 1);  /* not asked again after a restart */
	CHECK_INT(g.f.sent, 1);
	CHECK_INT(g.f.sent_status, 400);
	CHECK_INT(g.f.sent_received_ms, t_sync);
	check_saved_batch(&g, "s2");
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_sends(&g), 1);
	/* A good one: counted, and the host hears when its question came. */
	sync_reply(&g, "s3", 3, msg_event("$q2", "@b:test", "m.text", "!sco help"));
	int64_t t3 = g.now;
	g.now += 10;
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_INT(stats_of(&g).sends_ok, 1);
	CHECK_INT(g.f.sent, 2);
	CHECK_INT(g.f.sent_status, 200);
	CHECK_INT(g.f.sent_received_ms, t3);
	/* A redirect is not an answer: retried. */
	sync_reply(&g, "s4", 3, msg_event("$q3", "@c:test", "m.text", "!sco help"));
	reply_to(&g, put_req(&g), 302, "");
	step(&g);
	CHECK_INT(count_sends(&g), 4);
	rig_free(&g);
}

TEST(an_encrypted_room_notice_that_failed_is_posted_again)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	const char *enc = "{\"type\":\"m.room.encrypted\",\"event_id\":\"$c1\",\"sender\":\"@a:test\","
			  "\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\",\"ciphertext\":\"x\"}}";
	sync_reply(&g, "s2", 3, enc);
	reply_to(&g, put_req(&g), 403, "{\"errcode\":\"M_FORBIDDEN\"}");
	CHECK_INT(g.f.sent, 0);  /* no question: nothing to time */
	sync_reply(&g, "s3", 3, enc);
	CHECK_INT(count_sends(&g), 2);
	reply_put(&g, "{\"event_id\":\"$n\"}");
	sync_reply(&g, "s4", 3, enc);
	CHECK_INT(count_sends(&g), 2);
	rig_free(&g);
}

TEST(a_reply_given_up_counts_as_an_error_and_the_host_hears_the_status)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g_answered_put = 0;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	while (fail_put(&g, false))
		;
	CHECK_INT(stats_of(&g).send_errors, 1);
	CHECK_INT(stats_of(&g).sends_ok, 0);
	CHECK_INT(g.f.sent, 1);
	CHECK_INT(g.f.sent_status, 502);
	CHECK_CONTAINS(status_of(&g), "last_error=http_502");
	rig_free(&g);
}

TEST(a_rate_limited_reply_waits_exactly_as_asked_and_success_resets_the_backoff)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.cfg.stall_alarm_ms = 3600000;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	reply_to(&g, put_req(&g), 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":4000}");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 4000);
	int64_t t = g.now;
	g.now = t + 3999;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_sends(&g), 1);
	g.now = t + 4000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_sends(&g), 2);
	/* Server errors: the lane's backoff grows ... */
	for (int i = 0; i < 4; i++) {
		reply_to(&g, put_req(&g), 503, "");
		CHECK_CONTAINS(status_of(&g), "last_error=http_503");
		step(&g);
	}
	reply_put(&g, "{\"event_id\":\"$r\"}");
	/* ... and starts again from the bottom after a success. */
	sync_reply(&g, "s3", 3, msg_event("$q2", "@b:test", "m.text", "!sco help"));
	reply_to(&g, put_req(&g), 503, "");
	int64_t wait = mxsync_next_deadline(g.m) - g.now;
	CHECK(wait >= 250 && wait <= 500);
	/* A 429 asking for more than ten minutes waits ten. */
	step(&g);
	reply_to(&g, put_req(&g), 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":99999999}");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 600000);
	rig_free(&g);
}

TEST(joins_are_counted_retried_while_refused_and_then_given_up)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	invite_reply_to(&g, "s2", "!a:test", "@ann:test");
	/* The same invite again while the join is pending: one join. */
	invite_reply_to(&g, "s3", "!a:test", "@ann:test");
	reply_to(&g, find_req(&g, "/join/"), 200, "{\"room_id\":\"!a:test\"}");
	CHECK_INT(stats_of(&g).joins, 1);
	CHECK_CONTAINS(status_of(&g), "rooms=2 ");
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/join/"), 1);
	/* Refused (the invite race): retried, the first time after 0.5-1 s. */
	invite_reply_to(&g, "s4", "!b:test", "@ann:test");
	for (int i = 0; i < 6; i++) {
		reply_to(&g, find_req(&g, "/join/%21b"), 403, "{\"errcode\":\"M_FORBIDDEN\"}");
		int64_t t = g.now;
		for (int k = 0; k < 10 && count_paths(&g, "/join/%21b") == i + 1; k++)
			step(&g);
		if (i == 0)
			CHECK(find_req(&g, "/join/%21b")->at - t >= 500);
	}
	CHECK_INT(count_paths(&g, "/join/%21b"), 6);
	/* Not a refusal: given up at once. */
	invite_reply_to(&g, "s5", "!c:test", "@ann:test");
	reply_to(&g, find_req(&g, "/join/%21c"), 400, "{\"errcode\":\"M_UNKNOWN\"}");
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/join/%21c"), 1);
	/* Server trouble: retried, six answered failures in all. */
	invite_reply_to(&g, "s6", "!d:test", "@ann:test");
	for (int i = 0; i < 8; i++) {
		if (count_paths(&g, "/join/%21d") == i + 1)
			reply_to(&g, find_req(&g, "/join/%21d"), 502, "");
		for (int k = 0; k < 10 && count_paths(&g, "/join/%21d") == i + 1; k++)
			step(&g);
	}
	CHECK_INT(count_paths(&g, "/join/%21d"), 6);
	CHECK_INT(stats_of(&g).joins, 1);
	rig_free(&g);
}

TEST(a_gap_that_is_refused_or_unreadable_is_given_up_but_held_while_fetched)
{
	for (int k = 0; k < 2; k++) {
		struct rig g;
		rig_init(&g, "pw", NULL);
		login(&g);
		sync_reply(&g, "s1", 3, "");
		limited_sync(&g, "s2", "");
		check_saved_batch(&g, "s1");  /* the gap is still being fetched */
		if (k == 0)
			reply_to(&g, messages_req(&g), 403, "{\"errcode\":\"M_FORBIDDEN\"}");
		else
			reply_to(&g, messages_req(&g), 200, "{\"chunk\":7}");
		check_saved_batch(&g, "s2");
		g.now += 60000;
		mxsync_tick(g.m, g.now);
		CHECK_INT(count_paths(&g, "/messages"), 1);
		rig_free(&g);
	}
}

TEST(gap_pages_and_joins_queue_behind_the_replies_already_waiting)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	char two[1100];
	snprintf(two, sizeof(two), "%s,", msg_event("$a", "@a:test", "m.text", "!sco a"));
	strcat(two, msg_event("$b", "@b:test", "m.text", "!sco b"));
	sync_reply(&g, "s2", 3, two);   /* PUT $a in flight, PUT $b queued */
	limited_sync(&g, "s3", "");     /* a gap page: after $b */
	invite_reply_to(&g, "s4", "!j:test", "@ann:test");  /* a join: after the page */
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_CONTAINS(last(&g)->path, "/send/");
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_CONTAINS(last(&g)->path, "/messages");
	/* A full page queues the next one behind the join; the join's batch is
	 * done first, while the older batch still waits for the gap. */
	reply_to(&g, messages_req(&g), 200, "{\"start\":\"x\",\"end\":\"t5\",\"chunk\":[{\"type\":"
		 "\"m.room.message\",\"event_id\":\"$c\",\"sender\":\"@b:test\","
		 "\"content\":{\"msgtype\":\"m.text\",\"body\":\"chatter\"}}]}");
	CHECK_CONTAINS(last(&g)->path, "/join/");
	check_saved_batch(&g, "s2");
	reply(&g, 200, "{}");
	CHECK_CONTAINS(last(&g)->path, "/messages");
	reply(&g, 200, "{\"chunk\":[]}");
	check_saved_batch(&g, "s4");
	rig_free(&g);
}

TEST(a_fatal_error_cancels_the_other_lane_once)
{
	struct rig g;
	rig_init(&g, NULL, "cfgtok");
	rig_start(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 200, "{\"filter_id\":\"7\"}");
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	int64_t sync_id = sync_req(&g)->id;
	reply_to(&g, put_req(&g), 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
	CHECK_INT(g.f.ncancelled, 1);
	CHECK(g.f.cancelled[0] == sync_id);
	CHECK_CONTAINS(status_of(&g), "dead ");
	CHECK_CONTAINS(status_of(&g), "last_error=the homeserver rejected the access token");
	mxsync_stop(g.m);
	CHECK_INT(g.f.ncancelled, 1);
	rig_free(&g);

	rig_init(&g, NULL, "cfgtok");
	rig_start(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 200, "{\"filter_id\":\"7\"}");
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	int64_t put_id = put_req(&g)->id;
	reply_to(&g, sync_req(&g), 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(g.f.ncancelled, 1);
	CHECK(g.f.cancelled[0] == put_id);
	mxsync_stop(g.m);
	CHECK_INT(g.f.ncancelled, 1);
	rig_free(&g);
}

TEST(the_joined_rooms_are_asked_for_once_per_run)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	resume_whoami(&g);
	sync_reply(&g, "s2", 3, "");
	/* A token rejected later: logging in again does not ask again. */
	reply_to(&g, sync_req(&g), 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	answer_auth(&g);
	CHECK_CONTAINS(last(&g)->path, "since=s2");
	CHECK_INT(count_paths(&g, "/joined_rooms"), 1);
	rig_free(&g);
}

/* Refuses the pending sync times, each time stepping to the next request. */
static void refuse_sync_n(struct rig *g, int times)
{
	for (int i = 0; i < times; i++) {
		reply_to(g, sync_req(g), 400, "{\"errcode\":\"M_INVALID_PARAM\"}");
		int n = g->f.nreq;
		for (int k = 0; k < 10 && g->f.nreq == n; k++)
			step(g);
	}
}

TEST(a_refused_sync_token_is_dropped_once_and_only_after_the_filter)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	/* Refusals in a row only: a good sync between starts the count again,
	 * and server errors do not count. */
	refuse_sync_n(&g, 2);
	reply_to(&g, sync_req(&g), 502, "");
	step(&g);
	sync_reply(&g, "s2", 3, "");
	refuse_sync_n(&g, 2);
	CHECK_INT(count_paths(&g, "/filter"), 1);
	CHECK_CONTAINS(last(&g)->path, "since=s2");
	refuse_sync_n(&g, 1);
	CHECK_INT(count_paths(&g, "/filter"), 2);
	reply(&g, 200, "{\"filter_id\":\"8\"}");
	refuse_sync_n(&g, 3);
	/* Now the token goes, and the filter is not uploaded a third time. */
	CHECK_INT(count_paths(&g, "/filter"), 2);
	CHECK_CONTAINS(last(&g)->path, "/sync?filter=8&timeout=0");
	CHECK_NOT_CONTAINS(last(&g)->path, "since=");
	rig_free(&g);
}

TEST(a_dropped_sync_token_does_not_come_back_with_a_batch_still_answering)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.cfg.stall_alarm_ms = 3600000;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	char two[1100];
	snprintf(two, sizeof(two), "%s,", msg_event("$a", "@a:test", "m.text", "!sco a"));
	strcat(two, msg_event("$b", "@b:test", "m.text", "!sco b"));
	sync_reply(&g, "s2", 3, two);  /* PUT $a in flight, PUT $b queued */
	sync_reply(&g, "s3", 3, msg_event("$c", "@c:test", "m.text", "!sco c"));
	refuse_sync_n(&g, 3);          /* the filter is queued first */
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_CONTAINS(last(&g)->path, "/filter");
	reply(&g, 200, "{\"filter_id\":\"8\"}");
	CHECK_CONTAINS(sync_req(&g)->path, "since=s3");
	refuse_sync_n(&g, 3);
	/* On disk at once: no resume point (s1 is older than what was answered). */
	char *nb = state_next_batch(&g);
	CHECK(nb == NULL);
	free(nb);
	for (int i = 0; i < 2; i++) {  /* $b ends s2's batch, $c s3's */
		reply_put(&g, "{\"event_id\":\"$r\"}");
		g.now += 300;
		mxsync_tick(g.m, g.now);
		nb = state_next_batch(&g);
		CHECK(nb == NULL);  /* neither refused token is the resume point */
		free(nb);
	}
	CHECK_INT(count_sends(&g), 3);
	rig_free(&g);
}

TEST(a_reply_sent_meanwhile_does_not_cut_a_sync_backoff_short)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	reply_to(&g, sync_req(&g), 502, "");
	int syncs = count_paths(&g, "/sync");
	int64_t retry = mxsync_next_deadline(g.m);
	CHECK(retry >= g.now + 250);
	reply_put(&g, "{\"event_id\":\"$r\"}");  /* s2 is committed */
	g.now = retry - 1;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/sync"), syncs);
	g.now = retry;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/sync"), syncs + 1);
	rig_free(&g);
}

TEST(a_loss_told_after_server_errors_is_not_told_again_by_a_dead_connection)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	for (int i = 0; i < 3; i++) {
		reply_to(&g, sync_req(&g), 502, "");
		step(&g);
	}
	CHECK_INT(g.f.lost, 1);
	reply_transport(&g, sync_req(&g), "connect");
	CHECK_INT(g.f.lost, 1);
	rig_free(&g);
}

TEST(a_refused_filter_reupload_that_fails_is_tried_again_at_the_next_start)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	refuse_sync_n(&g, 3);
	reply(&g, 400, "{\"errcode\":\"M_BAD_JSON\"}");  /* inline from now on */
	CHECK_CONTAINS(last(&g)->path, "/sync?filter=%7B");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	resume_whoami(&g);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/user/%40scobot%3Atest/filter");
	rig_free(&g);
}

TEST(a_401_without_unknown_token_is_an_ordinary_sync_failure)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	reply_to(&g, sync_req(&g), 401, "{\"errcode\":\"M_MISSING_TOKEN\"}");
	CHECK_INT(count_paths(&g, "/login"), 1);
	CHECK_CONTAINS(status_of(&g), "running ");
	CHECK_CONTAINS(status_of(&g), "last_error=http_401_M_MISSING_TOKEN");
	/* ... and M_UNKNOWN_TOKEN with another status is no rejected token. */
	step(&g);
	reply_to(&g, sync_req(&g), 403, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(count_paths(&g, "/login"), 1);
	CHECK_CONTAINS(status_of(&g), "last_error=http_403_M_UNKNOWN_TOKEN");
	step(&g);
	reply_to(&g, sync_req(&g), 200, "not json");
	CHECK_CONTAINS(status_of(&g), "last_error=unreadable_body");
	CHECK_INT(stats_of(&g).sync_errors, 3);
	rig_free(&g);
}

TEST(the_stall_alarm_is_a_deadline_that_moves_on)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g.cfg.stall_alarm_ms = 5000;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 5000);
	g.now += 3000;
	sync_reply(&g, "s2", 3, "");  /* progress moves the alarm */
	g.now += 300;
	mxsync_tick(g.m, g.now);      /* the throttled save */
	CHECK_INT(mxsync_next_deadline(g.m), g.now - 300 + 5000);
	g.now += 4700;
	mxsync_tick(g.m, g.now);
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 5000);
	rig_free(&g);

	/* Logging in took longer than that: the alarm goes off once running,
	 * and is then due again a period later. */
	rig_init(&g, "pw", NULL);
	g.cfg.stall_alarm_ms = 5000;
	rig_start(&g);
	g.now += 6000;
	mxsync_tick(g.m, g.now);
	reply(&g, 200, "{\"access_token\":\"tok1\"}");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 200, "{\"filter_id\":\"7\"}");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 5000);
	rig_free(&g);

	rig_init(&g, "pw", NULL);     /* the default: ten minutes */
	login(&g);
	sync_reply(&g, "s1", 3, "");
	CHECK_INT(mxsync_next_deadline(g.m), g.now + 600000);
	rig_free(&g);
}

TEST(a_batch_after_a_committed_one_starts_with_nothing_pending)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$a", "@a:test", "m.text", "!sco a"));
	sync_reply(&g, "s3", 3, msg_event("$b", "@b:test", "m.text", "!sco b"));
	reply_put(&g, "{\"event_id\":\"$r\"}");  /* s2 done: s3 moves to the front */
	sync_reply(&g, "s4", 3, "");             /* nothing to answer */
	reply_put(&g, "{\"event_id\":\"$r\"}");
	check_saved_batch(&g, "s4");
	CHECK_INT(g.f.progress, 4);
	rig_free(&g);
}

TEST(a_fresh_start_answers_nothing_sent_before_it)
{
	for (int resumed = 0; resumed < 2; resumed++) {
		struct rig g;
		rig_init(&g, "pw", NULL);
		g.cfg.start_wall_ms = 100;  /* msg_event's events were sent at 1 */
		login(&g);
		sync_reply(&g, "s1", 3, "");
		if (resumed) {
			g.now += 300;
			mxsync_tick(g.m, g.now);
			rig_crash_restart(&g);
			resume_whoami(&g);
			sync_reply(&g, "s2", 3, "");
		}
		/* A cached sync of an earlier run, replayed after the first one. */
		sync_reply(&g, "s3", 3, msg_event("$old", "@a:test", "m.text", "!sco help"));
		CHECK_INT(g.f.responds, resumed);
		rig_free(&g);
	}
}

TEST(the_filter_asks_for_fifty_events_unless_configured)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	CHECK_CONTAINS(g.f.req[2].body, "\"limit\":50");
	rig_free(&g);
}

TEST(a_token_rejected_at_joined_rooms_logs_in_then_asks_again)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/joined_rooms");
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
	reply(&g, 200, "{\"access_token\":\"tok2\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");  /* before anything else */
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_CONTAINS(sync_req(&g)->path, "since=s1");
	CHECK_STR(find_req(&g, "/joined_rooms")->token, "tok2");
	reply_to(&g, find_req(&g, "/joined_rooms"), 200, "{\"joined_rooms\":[\"!a:test\"]}");
	CHECK_CONTAINS(status_of(&g), "running rooms=1 ");
	CHECK_INT(count_paths(&g, "/filter"), 0);
	rig_free(&g);
}

/* The ten minutes of tries count from the first one. */
TEST(a_reply_is_given_up_ten_minutes_after_its_first_try)
{
	for (int early = 0; early < 2; early++) {
		struct rig g;
		rig_init(&g, "pw", NULL);
		g_answered_put = 0;
		login(&g);
		sync_reply(&g, "s1", 3, "");
		sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
		int64_t t1 = put_req(&g)->at;
		for (int i = 0; i < 9; i++)
			CHECK(fail_put(&g, false));
		/* The tenth try's failure, at ten minutes less early ms. */
		while (put_req(&g)->id <= g_answered_put)
			step(&g);
		CHECK(g.now < t1 + 600000);
		g.now = t1 + 600000 - early;
		reply_to(&g, put_req(&g), 502, "");
		g_answered_put = put_req(&g)->id;
		CHECK_INT(stats_of(&g).send_errors, !early);
		rig_free(&g);
	}
}

static void write_state(struct rig *g, const char *user, const char *token, const char *next)
{
	struct mx_state st;
	memset(&st, 0, sizeof(st));
	mx_state_set(&st.user_id, user);
	mx_state_set(&st.access_token, token);
	mx_state_set(&st.next_batch, next);
	char path[128], *text = mx_state_serialize(&st);
	state_file(g, path, sizeof(path));
	CHECK_INT(mx_state_write(path, text), 0);
	mx_state_text_free(text);
	mx_state_clear(&st);
}

TEST(a_state_file_of_another_user_or_unreadable_is_a_first_start)
{
	for (int k = 0; k < 2; k++) {
		struct rig g;
		rig_init(&g, "pw", NULL);
		if (k == 0) {
			write_state(&g, "@other:test", "othertok", "sX");
		} else {
			char path[128];
			state_file(&g, path, sizeof(path));
			FILE *f = fopen(path, "w");
			fputs("{not json", f);
			fclose(f);
		}
		rig_start(&g);
		CHECK_STR(last(&g)->path, "/_matrix/client/v3/login");
		reply(&g, 200, "{\"access_token\":\"tok1\"}");
		reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
		reply(&g, 200, "{\"filter_id\":\"7\"}");
		CHECK_NOT_CONTAINS(last(&g)->path, "since=");
		rig_free(&g);
	}
	/* The same user's file is used. */
	struct rig g;
	rig_init(&g, "pw", NULL);
	write_state(&g, "@scobot:test", "tok0", "sY");
	rig_start(&g);
	CHECK_STR(last(&g)->token, "tok0");
	rig_free(&g);
}

TEST(a_configured_token_is_used_before_a_stored_one)
{
	struct rig g;
	rig_init(&g, "pw", "cfgtok");
	write_state(&g, "@scobot:test", "tok0", "sY");
	rig_start(&g);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	CHECK_STR(last(&g)->token, "cfgtok");
	g.now += 5000;
	CHECK_CONTAINS(status_of(&g), "auth rooms=0 queued=1 since_advance_s=5 ");
	rig_free(&g);
}

TEST(the_statistics_carry_the_bots_counters)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "hello"));
	CHECK_INT(stats_of(&g).newest_event_ts, 1);
	limited_sync(&g, "s3", "");
	CHECK_INT(stats_of(&g).gaps, 1);
	rig_free(&g);
}

TEST(after_a_fatal_error_nothing_more_is_asked)
{
	struct rig g;
	rig_init(&g, NULL, "badtoken");
	rig_start(&g);
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	CHECK_INT(g.f.fatal_status, SCOBOT_EXIT_MATRIX_AUTH);
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(g.f.nreq, 1);
	rig_free(&g);
}

TEST(a_response_to_no_request_in_flight_is_ignored)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	const char *ok = "{\"event_id\":\"$r\"}";
	struct mxsync_response r = {.id = 9999, .status = 200, .body = ok, .body_len = strlen(ok)};
	mxsync_on_response(g.m, &r, g.now);
	CHECK_INT(stats_of(&g).sends_ok, 0);
	CHECK_INT(stats_of(&g).syncs_ok, 2);
	reply_put(&g, ok);
	CHECK_INT(stats_of(&g).sends_ok, 1);
	rig_free(&g);
}

TEST(a_refused_join_is_retried_behind_the_replies_queued_before_it)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	invite_reply_to(&g, "s2", "!j:test", "@ann:test");
	char two[1100];
	snprintf(two, sizeof(two), "%s,", msg_event("$a", "@a:test", "m.text", "!sco a"));
	strcat(two, msg_event("$b", "@b:test", "m.text", "!sco b"));
	sync_reply(&g, "s3", 3, two);  /* both replies queue behind the join */
	reply_to(&g, find_req(&g, "/join/"), 403, "{\"errcode\":\"M_FORBIDDEN\"}");
	CHECK_CONTAINS(last(&g)->path, "/send/");
	g.now += 5000;                 /* the join may go again */
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_CONTAINS(last(&g)->path, "/send/");
	reply_put(&g, "{\"event_id\":\"$r\"}");
	CHECK_CONTAINS(last(&g)->path, "/join/");
	rig_free(&g);
}

/* ... and a first try that could not even start is the first try. */
TEST(the_give_up_clock_starts_at_a_try_that_could_not_start)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	g_answered_put = 0;
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.f.fail_requests = 1;
	int64_t t1 = g.now;
	sync_reply(&g, "s2", 3, msg_event("$q", "@a:test", "m.text", "!sco help"));
	CHECK_INT(count_sends(&g), 0);  /* the PUT could not start; the sync could */
	while (count_sends(&g) == 0)
		step(&g);
	CHECK(put_req(&g)->at > t1);
	for (int i = 0; i < 9; i++)
		CHECK(fail_put(&g, false));
	while (put_req(&g)->id <= g_answered_put)
		step(&g);
	g.now = t1 + 600000;
	reply_to(&g, put_req(&g), 502, "");
	CHECK_INT(stats_of(&g).send_errors, 1);
	rig_free(&g);
}

/* The old joined_rooms job is still queued behind the new whoami: a whoami
 * answer without a user id must not let it (and the sync) go first. */
TEST(a_whoami_answer_without_a_user_id_is_retried_before_anything_else)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	rig_crash_restart(&g);
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");  /* at /joined_rooms */
	reply(&g, 200, "{\"access_token\":\"tok2\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	reply(&g, 200, "{}");
	int n = g.f.nreq;
	step(&g);
	CHECK_INT(g.f.nreq, n + 1);
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/account/whoami");
	CHECK_INT(count_paths(&g, "/sync"), 0);
	rig_free(&g);
}

/* The rejected whoami stays queued behind the new one: the joined rooms and
 * the filter still come before the first sync, and only once. */
TEST(after_a_stored_token_is_rejected_the_rooms_still_come_before_the_sync)
{
	struct rig g;
	rig_init(&g, "pw", NULL);
	login(&g);
	sync_reply(&g, "s1", 3, "");
	g.now += 300;
	mxsync_tick(g.m, g.now);
	g.cfg.timeline_limit = 7;  /* and the filter changed meanwhile */
	rig_crash_restart(&g);
	reply(&g, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
	reply(&g, 200, "{\"access_token\":\"tok2\"}");
	reply(&g, 200, "{\"user_id\":\"@scobot:test\"}");
	CHECK_STR(last(&g)->path, "/_matrix/client/v3/joined_rooms");
	reply(&g, 200, "{\"joined_rooms\":[]}");
	CHECK_CONTAINS(last(&g)->path, "/filter");
	reply(&g, 200, "{\"filter_id\":\"9\"}");
	CHECK_INT(count_paths(&g, "/sync"), 1);
	/* The old whoami goes again: it finds the filter uploaded once. */
	reply_to(&g, find_req(&g, "/whoami"), 200, "{\"user_id\":\"@scobot:test\"}");
	g.now += 60000;
	mxsync_tick(g.m, g.now);
	CHECK_INT(count_paths(&g, "/filter"), 1);
	rig_free(&g);
}

TAP_MAIN
