/* test-net-io.c: HTTP and websocket behaviour against net_fixture.py on
 * loopback (ports and CA file come from run_net_tests.py); one behaviour per
 * TEST, each a few seconds at most. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "net/ws.h"
#include "net/ws_impl.h"
#include "net_test.h"

/* Copied response body kept by a test (bytes). */
#define BODY_KEEP 4096

static char *url_of(const char *scheme, const char *host, const char *env, const char *path)
{
	static char buf[8][256];
	static int i;
	char *u = buf[i++ % 8];

	snprintf(u, 256, "%s://%s:%d%s", scheme, host, tl_env_port(env), path);
	return u;
}

#define HTTP_URL(path) url_of("http", "127.0.0.1", "NET_TEST_HTTP_PORT", path)
#define HTTPS_URL(host, path) url_of("https", host, "NET_TEST_HTTPS_PORT", path)
#define WS_URL(path) url_of("ws", "127.0.0.1", "NET_TEST_HTTP_PORT", path)
#define WSS_URL(host, path) url_of("wss", host, "NET_TEST_HTTPS_PORT", path)

static const char *ca_file(void)
{
	return getenv("NET_TEST_CA_FILE");
}

/* ---- http helpers ------------------------------------------------------- */

struct res {
	struct net_loop *loop;
	int calls;
	enum http_error err;
	int status;
	char msg[1024];
	char body[BODY_KEEP];
	size_t body_len;
	char bucket[64], remaining[64], location[64];
	bool missing_is_null;
	int64_t total_ms;
	int *stop_counter;  /* stop the loop when it reaches 0 */
};

static void on_res(const struct http_response *r, void *data)
{
	struct res *o = data;
	const char *v;

	o->calls++;
	o->err = r->error;
	o->status = r->status;
	o->total_ms = r->total_ms;
	snprintf(o->msg, sizeof(o->msg), "%s", r->error_msg);
	o->body_len = r->body_len;
	snprintf(o->body, sizeof(o->body), "%s", r->body);
	v = http_response_header(r, "x-ratelimit-bucket");
	snprintf(o->bucket, sizeof(o->bucket), "%s", v ? v : "(null)");
	v = http_response_header(r, "X-RateLimit-Remaining");
	snprintf(o->remaining, sizeof(o->remaining), "%s", v ? v : "(null)");
	v = http_response_header(r, "Location");
	snprintf(o->location, sizeof(o->location), "%s", v ? v : "(null)");
	o->missing_is_null = http_response_header(r, "X-Not-There") == NULL;
	if (o->stop_counter) {
		if (--*o->stop_counter == 0)
			net_loop_stop(o->loop);
	} else {
		net_loop_stop(o->loop);
	}
}

static void do_req(struct net_loop *loop, struct http_client *h, const struct http_request *req,
		   struct res *o, int64_t max_ms)
{
	o->loop = loop;
	CHECK(http_request_start(h, req, on_res, o) > 0);
	CHECK(tl_run(loop, max_ms));
	CHECK_INT(o->calls, 1);
}

static void get_text(struct net_loop *loop, struct http_client *h, const char *url, char *out,
		     size_t size)
{
	struct res o = {0};

	do_req(loop, h, &(struct http_request){ .url = url }, &o, 5000);
	snprintf(out, size, "%.*s", (int)(size - 1), o.body);
}

static void on_nap(struct net_timer *t, void *data)
{
	net_loop_stop(data);
}

static void nap(struct net_loop *loop, uint64_t ms)
{
	struct net_timer *t = net_timer_new(loop, on_nap, loop);

	net_timer_start(t, ms, 0);
	net_loop_run(loop);
	net_timer_free(t);
}

struct env {
	struct net_loop *loop;
	struct http_client *http;
};

static struct env env_new(void)
{
	struct env e;

	e.loop = net_loop_new();
	e.http = http_client_new(e.loop, "scobot-test/1");
	return e;
}

static void env_free(struct env *e)
{
	http_client_free(e->http);
	net_loop_free(e->loop);
}

/* ---- http tests ------------------------------------------------------- */

TEST(http_get_returns_status_body_and_headers)
{
	struct env e = env_new();
	const char *hdrs[] = { "X-Test: hello" };
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/echo?q=1"),
		.headers = hdrs, .n_headers = 1 }, &o, 5000);
	CHECK_INT(o.err, HTTP_OK);
	CHECK_INT(o.status, 200);
	CHECK_STR(o.msg, "");
	CHECK_CONTAINS(o.body, "method=GET path=/echo?q=1 x-test=hello ua=scobot-test/1");
	CHECK_INT(o.body_len, strlen(o.body));
	CHECK_STR(o.bucket, "bucket-abc");      /* case-insensitive lookup */
	CHECK_STR(o.remaining, "4");            /* whitespace trimmed */
	CHECK(o.missing_is_null);
	CHECK(o.total_ms >= 0);
	env_free(&e);
}

TEST(http_post_sends_body_and_given_content_type)
{
	struct env e = env_new();
	const char *hdrs[] = { "Content-Type: application/json" };
	const char *json = "{\"content\":\"hi\"}";
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .method = "POST", .url = HTTP_URL("/echo"),
		.headers = hdrs, .n_headers = 1, .body = json, .body_len = strlen(json) }, &o, 5000);
	CHECK_INT(o.status, 200);
	CHECK_CONTAINS(o.body, "method=POST");
	CHECK_CONTAINS(o.body, "ctype=application/json len=16 body={\"content\":\"hi\"}");
	env_free(&e);
}

TEST(http_post_without_content_type_sends_none)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .method = "POST", .url = HTTP_URL("/echo"),
		.body = "abc", .body_len = 3 }, &o, 5000);
	CHECK_CONTAINS(o.body, "ctype=- len=3 body=abc");
	env_free(&e);
}

TEST(http_put_without_body_sends_zero_length)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .method = "PUT", .url = HTTP_URL("/echo") },
	       &o, 5000);
	CHECK_INT(o.status, 200);
	CHECK_CONTAINS(o.body, "method=PUT");
	CHECK_CONTAINS(o.body, "len=0");
	env_free(&e);
}

TEST(http_error_status_is_a_response_not_an_error)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/status/503") }, &o, 5000);
	CHECK_INT(o.err, HTTP_OK);
	CHECK_INT(o.status, 503);
	CHECK_STR(o.body, "status 503");
	env_free(&e);
}

TEST(http_redirect_is_not_followed)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/redirect") }, &o, 5000);
	CHECK_INT(o.err, HTTP_OK);
	CHECK_INT(o.status, 302);
	CHECK_STR(o.location, "/echo");
	env_free(&e);
}

TEST(http_many_concurrent_requests_on_one_loop)
{
	enum { N = 40 };
	struct env e = env_new();
	static struct res o[N];
	int left = N, ok = 0;
	char stats[256];

	for (int i = 0; i < N; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].loop = e.loop;
		o[i].stop_counter = &left;
		CHECK(http_request_start(e.http, &(struct http_request){
			.url = HTTP_URL("/delay?ms=300") }, on_res, &o[i]) > 0);
	}
	CHECK_INT(http_client_pending(e.http), N);
	CHECK(tl_run(e.loop, 20000));
	for (int i = 0; i < N; i++)
		ok += o[i].calls == 1 && o[i].status == 200;
	CHECK_INT(ok, N);
	CHECK_INT(http_client_pending(e.http), 0);
	get_text(e.loop, e.http, HTTP_URL("/stats"), stats, sizeof(stats));
	/* The server saw them overlap: they were in flight together. */
	CHECK_NOT_CONTAINS(stats, "max_inflight=1 ");
	CHECK_NOT_CONTAINS(stats, "max_inflight=0 ");
	env_free(&e);
}

TEST(http_keepalive_reuses_the_connection)
{
	struct env e = env_new();
	char a[64], b[64];

	get_text(e.loop, e.http, HTTP_URL("/conn"), a, sizeof(a));
	get_text(e.loop, e.http, HTTP_URL("/conn"), b, sizeof(b));
	CHECK(atoi(a) > 0);
	CHECK_STR(a, b); /* same client port: same TCP connection */
	env_free(&e);
}

TEST(http_sequential_requests_reuse_one_easy_handle)
{
	struct env e = env_new();
	char a[64], b[64];

	/* A steady stream of requests must not allocate a curl handle per
	 * request: after the first, each one takes the idle handle back. */
	get_text(e.loop, e.http, HTTP_URL("/conn"), a, sizeof(a));
	for (int i = 0; i < 20; i++)
		get_text(e.loop, e.http, HTTP_URL("/conn"), b, sizeof(b));
	struct http_client_stats st = http_client_stats(e.http);
	CHECK_INT(st.easy_created, 1);
	CHECK_INT(st.easy_reused, 20);
	/* A reused handle keeps the connection too. */
	CHECK_STR(a, b);
	env_free(&e);
}

TEST(http_total_timeout_fires_on_hanging_server)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/hang"),
		.timeout_ms = 500 }, &o, 10000);
	CHECK_INT(o.err, HTTP_ERR_TIMEOUT);
	CHECK_CONTAINS(o.msg, "timed out");
	CHECK_STR(o.body, "");
	env_free(&e);
}

TEST(http_low_speed_limit_catches_slowloris)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/slow"),
		.timeout_ms = 30000, .low_speed_bytes = 100, .low_speed_seconds = 2 }, &o, 15000);
	CHECK_INT(o.err, HTTP_ERR_TOO_SLOW);
	CHECK_CONTAINS(o.msg, "too slow");
	env_free(&e);
}

TEST(http_body_over_cap_aborts_the_transfer)
{
	struct env e = env_new();
	struct res o = {0};
	char stats[256];
	const char *p;

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/huge"),
		.max_response_bytes = 65536 }, &o, 10000);
	CHECK_INT(o.err, HTTP_ERR_TOO_LARGE);
	CHECK_CONTAINS(o.msg, "exceeds 65536 bytes");
	CHECK_INT(o.body_len, 0);
	nap(e.loop, 200);
	get_text(e.loop, e.http, HTTP_URL("/stats"), stats, sizeof(stats));
	/* The server could not push its 100 MiB: we stopped reading early. */
	p = strstr(stats, "huge_sent=");
	CHECK(p && atol(p + 10) < (50L << 20));
	env_free(&e);
}

TEST(http_declared_length_over_cap_is_refused)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/huge-cl"),
		.max_response_bytes = 1024 }, &o, 10000);
	CHECK_INT(o.err, HTTP_ERR_TOO_LARGE);
	CHECK_CONTAINS(o.msg, "exceeds 1024 bytes");
	env_free(&e);
}

TEST(http_header_flood_is_refused)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/many-headers") }, &o, 10000);
	CHECK_INT(o.err, HTTP_ERR_TOO_LARGE);
	CHECK_CONTAINS(o.msg, "headers");
	env_free(&e);
}

TEST(http_cancel_before_completion_never_calls_back)
{
	struct env e = env_new();
	struct res cancelled = {0}, later = {0};
	int64_t id;

	cancelled.loop = e.loop;
	id = http_request_start(e.http, &(struct http_request){ .url = HTTP_URL("/delay?ms=100") },
				on_res, &cancelled);
	CHECK(id > 0);
	CHECK_INT(http_request_cancel(e.http, id), 0);
	CHECK_INT(http_request_cancel(e.http, id), -ENOENT);
	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/delay?ms=400") }, &later,
	       5000);
	CHECK_INT(later.status, 200);
	CHECK_INT(cancelled.calls, 0);
	env_free(&e);
}

struct canceller {
	struct res r;
	struct http_client *h;
	int64_t victim;
};

static void stop_deferred(void *loop)
{
	net_loop_stop(loop);
}

static void on_cancel_other(const struct http_response *resp, void *data)
{
	struct canceller *c = data;

	c->r.calls++;
	CHECK_INT(http_request_cancel(c->h, c->victim), 0);
	net_defer(c->r.loop, stop_deferred, c->r.loop);
}

TEST(http_cancel_from_inside_another_callback)
{
	struct env e = env_new();
	struct canceller c = { .h = e.http };
	struct res victim = { .loop = e.loop };

	c.r.loop = e.loop;
	c.victim = http_request_start(e.http, &(struct http_request){
		.url = HTTP_URL("/delay?ms=400") }, on_res, &victim);
	CHECK(http_request_start(e.http, &(struct http_request){ .url = HTTP_URL("/delay?ms=20") },
				 on_cancel_other, &c) > 0);
	CHECK(tl_run(e.loop, 5000));
	nap(e.loop, 600);
	CHECK_INT(c.r.calls, 1);
	CHECK_INT(victim.calls, 0);
	env_free(&e);
}

struct freer {
	struct net_loop *loop;
	struct http_client *h;
	int calls;
};

static void on_free_client(const struct http_response *resp, void *data)
{
	struct freer *f = data;

	f->calls++;
	http_client_free(f->h);
	net_defer(f->loop, stop_deferred, f->loop);
}

TEST(http_client_free_inside_callback_cancels_the_rest)
{
	struct env e = env_new();
	struct freer f = { .loop = e.loop, .h = e.http };

	/* Same-time completions: some may sit in curl's done queue already
	 * when the first callback frees the client. */
	for (int i = 0; i < 4; i++)
		CHECK(http_request_start(e.http, &(struct http_request){
			.url = HTTP_URL("/delay?ms=30") }, on_free_client, &f) > 0);
	CHECK(tl_run(e.loop, 5000));
	nap(e.loop, 200);
	CHECK_INT(f.calls, 1); /* nothing after the free */
	e.http = NULL;
	env_free(&e);
}

TEST(https_verifies_with_ca_file)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTPS_URL("localhost", "/echo"),
		.ca_file = ca_file() }, &o, 10000);
	CHECK_INT(o.err, HTTP_OK);
	CHECK_INT(o.status, 200);
	CHECK_CONTAINS(o.body, "method=GET");
	env_free(&e);
}

TEST(https_self_signed_without_ca_file_is_refused_clearly)
{
	struct env e = env_new();
	struct res o = {0};

	do_req(e.loop, e.http, &(struct http_request){ .url = HTTPS_URL("localhost", "/echo") },
	       &o, 10000);
	CHECK_INT(o.err, HTTP_ERR_TLS);
	CHECK_CONTAINS(o.msg, "TLS certificate verification failed for host localhost");
	CHECK_INT(o.status, 0);
	env_free(&e);
}

TEST(https_name_mismatch_is_refused)
{
	struct env e = env_new();
	struct res o = {0};

	/* The certificate names only DNS:localhost, not the IP. */
	do_req(e.loop, e.http, &(struct http_request){ .url = HTTPS_URL("127.0.0.1", "/echo"),
		.ca_file = ca_file() }, &o, 10000);
	CHECK_INT(o.err, HTTP_ERR_TLS);
	CHECK_CONTAINS(o.msg, "127.0.0.1");
	env_free(&e);
}

TEST(http_authorization_never_reaches_logs_or_errors)
{
	struct env e = env_new();
	const char *hdrs[] = { "Authorization: Bot SECRET-TOKEN-42" };
	struct res a = {0}, b = {0}, c = {0};

	tl_log_reset();
	do_req(e.loop, e.http, &(struct http_request){ .url = HTTPS_URL("localhost", "/echo"),
		.headers = hdrs, .n_headers = 1 }, &a, 10000);
	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/hang"),
		.headers = hdrs, .n_headers = 1, .timeout_ms = 200 }, &b, 10000);
	do_req(e.loop, e.http, &(struct http_request){ .url = HTTP_URL("/echo"),
		.headers = hdrs, .n_headers = 1 }, &c, 10000);
	CHECK_INT(a.err, HTTP_ERR_TLS);
	CHECK_INT(b.err, HTTP_ERR_TIMEOUT);
	CHECK_INT(c.status, 200);
	CHECK_NOT_CONTAINS(a.msg, "SECRET");
	CHECK_NOT_CONTAINS(b.msg, "SECRET");
	CHECK_NOT_CONTAINS(tl_log_text(), "SECRET");
	env_free(&e);
}

/* ---- websocket helpers -------------------------------------------------- */

#define WREC_MSGS 80

struct wrec {
	struct net_loop *loop;
	struct ws_conn *conn;
	int opens, closes, nmsgs;
	char msg[WREC_MSGS][256];
	size_t len[WREC_MSGS];
	bool bin[WREC_MSGS];
	enum ws_close_kind kind;
	int code;
	bool was_clean;
	char reason[512];
	int stop_at_msgs;       /* stop the loop when nmsgs reaches this */
	bool free_on_msg;       /* ws_conn_free inside on_message */
	bool close_on_msg;      /* ws_close(4001) inside on_message */
	bool free_on_close;
	struct ws_client *free_client_on_close;
	struct ws_client *reconnect_with; /* ws_connect again inside on_close */
	int connect_after_free_err;       /* ws_connect's error right after free_client_on_close */
	int reconnects;
	char *last;             /* malloc'd copy of the last message */
};

static const struct ws_callbacks r_cbs;

static void r_open(struct ws_conn *c, void *d)
{
	((struct wrec *)d)->opens++;
}

static void r_msg(struct ws_conn *c, const void *m, size_t len, bool bin, void *d)
{
	struct wrec *w = d;
	int i = w->nmsgs < WREC_MSGS ? w->nmsgs : WREC_MSGS - 1;

	snprintf(w->msg[i], sizeof(w->msg[i]), "%.*s", (int)(len > 255 ? 255 : len),
		 (const char *)m);
	w->len[i] = len;
	w->bin[i] = bin;
	CHECK(((const char *)m)[len] == '\0');
	free(w->last);
	w->last = malloc(len + 1);
	memcpy(w->last, m, len + 1);
	w->nmsgs++;
	if (w->free_on_msg) {
		ws_conn_free(c);
		w->conn = NULL;
		net_loop_stop(w->loop);
		return;
	}
	if (w->close_on_msg) {
		CHECK_INT(ws_close(c, 4001, "closing from a callback"), 0);
		CHECK_INT(ws_send_text(c, "after close", 11), -ENOTCONN);
		return;
	}
	if (w->nmsgs == w->stop_at_msgs)
		net_loop_stop(w->loop);
}

static void r_close(struct ws_conn *c, const struct ws_close_info *info, void *d)
{
	struct wrec *w = d;

	w->closes++;
	w->kind = info->kind;
	w->code = info->code;
	w->was_clean = info->was_clean;
	snprintf(w->reason, sizeof(w->reason), "%s", info->reason);
	if (w->free_on_close) {
		ws_conn_free(c);
		w->conn = NULL;
	}
	if (w->free_client_on_close) {
		struct ws_client *cl = w->free_client_on_close;
		int err = 0;
		ws_client_free(cl);
		w->free_client_on_close = NULL;
		/* The teardown waits for the next pass; the client refuses work now. */
		CHECK(ws_connect(cl, &(struct ws_connect_options){ .url = WS_URL("/ws/echo?id=late") },
				 &r_cbs, w, &err) == NULL);
		w->connect_after_free_err = err;
	}
	if (w->reconnect_with && w->reconnects == 0) {
		/* The gateway's pattern: drop the old conn, dial again at once. */
		w->reconnects++;
		w->conn = ws_connect(w->reconnect_with, &(struct ws_connect_options){
			.url = WS_URL("/ws/echo?id=again") }, &r_cbs, w, NULL);
		CHECK(w->conn != NULL);
		w->stop_at_msgs = w->nmsgs + 1;
		return;
	}
	net_loop_stop(w->loop);
}

static const struct ws_callbacks r_cbs = { r_open, r_msg, r_close };

struct wenv {
	struct env e;
	struct ws_client *ws;
	struct wrec r;
};

/* Connects to the echo endpoint and waits for its hello. */
static void wenv_open(struct wenv *w, const char *id, size_t max_msg, const char *ca)
{
	char path[128];

	w->e = env_new();
	w->ws = ws_client_new(w->e.loop, ca);
	memset(&w->r, 0, sizeof(w->r));
	w->r.loop = w->e.loop;
	w->r.stop_at_msgs = 1;
	snprintf(path, sizeof(path), "/ws/echo?id=%s&v=10", id);
	w->r.conn = ws_connect(w->ws, &(struct ws_connect_options){ .url = WS_URL(path),
		.max_message_bytes = max_msg }, &r_cbs, &w->r, NULL);
	CHECK(w->r.conn != NULL);
	CHECK(tl_run(w->e.loop, 5000));
	CHECK_INT(w->r.opens, 1);
	CHECK_INT(w->r.nmsgs, 1);
}

static void wenv_free(struct wenv *w)
{
	free(w->r.last);
	ws_conn_free(w->r.conn);
	ws_client_free(w->ws);
	env_free(&w->e);
}

/* Waits until the fixture has logged how connection `id` ended. */
static void server_log(struct wenv *w, const char *id, char *out, size_t size)
{
	char url[128];

	snprintf(url, sizeof(url), "/ws-log?id=%s", id);
	for (int i = 0; i < 40; i++) {
		get_text(w->e.loop, w->e.http, HTTP_URL(url), out, size);
		if (strcmp(out, "pending") != 0)
			return;
		nap(w->e.loop, 50);
	}
}

/* ---- websocket tests ---------------------------------------------------- */

TEST(ws_connect_sends_path_query_and_host_then_echoes)
{
	struct wenv w;

	wenv_open(&w, "echo1", 0, NULL);
	CHECK_STR(w.r.msg[0], "hello path=/ws/echo?id=echo1&v=10 host=127.0.0.1");
	CHECK_INT(ws_send_text(w.r.conn, "ping-1", 6), 0);
	w.r.stop_at_msgs = 2;
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_STR(w.r.msg[1], "echo:ping-1");
	CHECK(!w.r.bin[1]);
	CHECK_INT(ws_close(w.r.conn, WS_CLOSE_NORMAL, "bye"), 0);
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.closes, 1);
	CHECK_INT(w.r.kind, WS_CLOSED_BY_US);
	CHECK_INT(w.r.code, 1000);
	CHECK(w.r.was_clean);
	CHECK_INT(ws_send_text(w.r.conn, "late", 4), -ENOTCONN);
	wenv_free(&w);
}

TEST(ws_fragmented_message_is_reassembled)
{
	struct wenv w;

	wenv_open(&w, "frag", 0, NULL);
	ws_send_text(w.r.conn, "fragment", 8);
	w.r.stop_at_msgs = 2;
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.nmsgs, 2);
	CHECK_STR(w.r.msg[1], "frag-one frag-two frag-three");
	CHECK_INT(w.r.len[1], 28);
	wenv_free(&w);
}

TEST(ws_binary_message_is_flagged_binary)
{
	struct wenv w;

	wenv_open(&w, "bin", 0, NULL);
	ws_send_text(w.r.conn, "binary", 6);
	w.r.stop_at_msgs = 2;
	CHECK(tl_run(w.e.loop, 5000));
	CHECK(w.r.bin[1]);
	CHECK_INT(w.r.len[1], 6);
	wenv_free(&w);
}

TEST(ws_oversized_message_closes_with_1009)
{
	struct wenv w;
	char log[128];

	wenv_open(&w, "big", 1024, NULL);
	ws_send_text(w.r.conn, "big 4096", 8);
	w.r.stop_at_msgs = 99;
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.nmsgs, 1); /* the big one never delivered */
	CHECK_INT(w.r.closes, 1);
	CHECK_INT(w.r.kind, WS_CLOSED_BY_US);
	CHECK_INT(w.r.code, WS_CLOSE_TOO_BIG);
	CHECK_CONTAINS(w.r.reason, "exceeds 1024 bytes");
	server_log(&w, "big", log, sizeof(log));
	CHECK_CONTAINS(log, "close 1009");
	wenv_free(&w);
}

TEST(ws_oversized_fragmented_message_closes_with_1009)
{
	struct wenv w;

	wenv_open(&w, "bigfrag", 4096, NULL);
	ws_send_text(w.r.conn, "bigfrag 16384", 13); /* 32 frames of 512 */
	w.r.stop_at_msgs = 99;
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.nmsgs, 1);
	CHECK_INT(w.r.kind, WS_CLOSED_BY_US);
	CHECK_INT(w.r.code, WS_CLOSE_TOO_BIG);
	wenv_free(&w);
}

TEST(ws_server_close_code_and_reason_are_delivered)
{
	struct wenv w;

	wenv_open(&w, "srvclose", 0, NULL);
	w.r.free_on_close = true;
	ws_send_text(w.r.conn, "close 4000 session gone", 23);
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.closes, 1);
	CHECK_INT(w.r.kind, WS_CLOSED_BY_PEER);
	CHECK_INT(w.r.code, 4000);
	CHECK_STR(w.r.reason, "session gone");
	CHECK(w.r.was_clean);
	CHECK(w.r.conn == NULL);
	wenv_free(&w);
}

TEST(ws_abrupt_drop_is_reported_apart_from_a_close)
{
	struct wenv w;

	wenv_open(&w, "drop", 0, NULL);
	ws_send_text(w.r.conn, "drop", 4);
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.closes, 1);
	CHECK_INT(w.r.kind, WS_CLOSE_DROPPED);
	CHECK_INT(w.r.code, WS_CLOSE_ABNORMAL);
	CHECK(!w.r.was_clean);
	CHECK_CONTAINS(w.r.reason, "without a close frame");
	wenv_free(&w);
}

TEST(ws_client_close_4000_arrives_at_server_as_4000)
{
	struct wenv w;
	char log[128];

	wenv_open(&w, "c4000", 0, NULL);
	CHECK_INT(ws_close(w.r.conn, 4000, "resume later"), 0);
	CHECK_INT(ws_close(w.r.conn, 4000, "again"), -ENOTCONN);
	CHECK(tl_run(w.e.loop, 8000));
	CHECK_INT(w.r.kind, WS_CLOSED_BY_US);
	CHECK_INT(w.r.code, 4000);
	server_log(&w, "c4000", log, sizeof(log));
	CHECK_STR(log, "close 4000 resume later");
	wenv_free(&w);
}

TEST(ws_abort_drops_tcp_without_close_frame)
{
	struct wenv w;
	char log[128];

	wenv_open(&w, "abort", 0, NULL);
	ws_abort(w.r.conn);
	CHECK_INT(w.r.closes, 0);
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.closes, 1);
	CHECK_INT(w.r.kind, WS_CLOSE_DROPPED);
	CHECK_STR(w.r.reason, "aborted by client");
	server_log(&w, "abort", log, sizeof(log));
	CHECK_STR(log, "dropped");
	wenv_free(&w);
}

TEST(ws_free_inside_on_message_stops_callbacks)
{
	struct wenv w;
	char log[128];

	wenv_open(&w, "freemsg", 0, NULL);
	w.r.free_on_msg = true;
	ws_send_text(w.r.conn, "ping", 4);
	CHECK(tl_run(w.e.loop, 5000));
	CHECK(w.r.conn == NULL);
	nap(w.e.loop, 100);
	CHECK_INT(w.r.closes, 0);
	server_log(&w, "freemsg", log, sizeof(log));
	CHECK_STR(log, "dropped");
	wenv_free(&w);
}

TEST(ws_close_from_inside_on_message)
{
	struct wenv w;
	char log[128];

	wenv_open(&w, "cbclose", 0, NULL);
	w.r.close_on_msg = true;
	ws_send_text(w.r.conn, "ping", 4);
	CHECK(tl_run(w.e.loop, 8000));
	CHECK_INT(w.r.closes, 1);
	CHECK_INT(w.r.kind, WS_CLOSED_BY_US);
	CHECK_INT(w.r.code, 4001);
	server_log(&w, "cbclose", log, sizeof(log));
	CHECK_STR(log, "close 4001 closing from a callback");
	wenv_free(&w);
}

TEST(ws_reconnect_from_inside_on_close)
{
	struct wenv w;

	wenv_open(&w, "recon", 0, NULL);
	w.r.free_on_close = true;
	w.r.reconnect_with = w.ws;
	ws_send_text(w.r.conn, "close 4000 reconnect please", 27);
	CHECK(tl_run(w.e.loop, 8000));
	CHECK_INT(w.r.reconnects, 1);
	CHECK_INT(w.r.opens, 2);
	CHECK_CONTAINS(w.r.msg[w.r.nmsgs - 1], "hello path=/ws/echo?id=again");
	wenv_free(&w);
}

TEST(ws_client_free_from_inside_on_close)
{
	struct wenv w;

	wenv_open(&w, "cbclientfree", 0, NULL);
	w.r.free_client_on_close = w.ws; /* a fatal close code ends the platform */
	ws_send_text(w.r.conn, "close 4004 authentication failed", 32);
	CHECK(tl_run(w.e.loop, 5000));
	CHECK_INT(w.r.code, 4004);
	CHECK_INT(w.r.connect_after_free_err, -ESHUTDOWN);
	w.ws = NULL;
	nap(w.e.loop, 50);
	CHECK_INT(w.r.closes, 1);
	wenv_free(&w); /* ASan: context torn down once, in the deferred call */
}

TEST(ws_large_utf8_text_round_trips_intact)
{
	struct wenv w;
	/* 2-, 3- and 4-byte UTF-8 sequences, well past one lws buffer. */
	const char *unit = "\xd0\x96\xe4\xb8\xad\xf0\x9f\x98\x80 ";
	size_t ulen = strlen(unit), n = 0;
	char *msg = malloc(WS_MAX_SEND_BYTES);
	char *expect = malloc(WS_MAX_SEND_BYTES + 8);

	while (n + ulen < 40000) {
		memcpy(msg + n, unit, ulen);
		n += ulen;
	}
	wenv_open(&w, "utf8", 0, NULL);
	CHECK_INT(ws_send_text(w.r.conn, msg, n), 0);
	w.r.stop_at_msgs = 2;
	CHECK(tl_run(w.e.loop, 5000));
	memcpy(expect, "echo:", 5);
	memcpy(expect + 5, msg, n);
	CHECK_INT(w.r.len[1], n + 5);
	CHECK(w.r.last && memcmp(w.r.last, expect, n + 5) == 0);
	free(msg);
	free(expect);
	wenv_free(&w);
}

TEST(ws_send_queue_is_bounded)
{
	struct wenv w;
	int r = 0, sent = 0;

	wenv_open(&w, "queue", 0, NULL);
	while ((r = ws_send_text(w.r.conn, "q", 1)) == 0 && sent < 1000)
		sent++;
	CHECK_INT(sent, WS_SEND_QUEUE_MAX);
	CHECK_INT(r, -ENOBUFS);
	CHECK_INT(ws_send_queue_len(w.r.conn), WS_SEND_QUEUE_MAX);
	w.r.stop_at_msgs = 1 + WS_SEND_QUEUE_MAX;
	CHECK(tl_run(w.e.loop, 10000));
	CHECK_INT(w.r.nmsgs, 1 + WS_SEND_QUEUE_MAX); /* all queued ones went out */
	CHECK_INT(ws_send_queue_len(w.r.conn), 0);
	wenv_free(&w);
}

TEST(ws_send_over_size_limit_is_emsgsize)
{
	struct wenv w;
	char *big = calloc(1, WS_MAX_SEND_BYTES + 2);

	wenv_open(&w, "sendbig", 0, NULL);
	memset(big, 'a', WS_MAX_SEND_BYTES + 1);
	CHECK_INT(ws_send_text(w.r.conn, big, WS_MAX_SEND_BYTES + 1), -EMSGSIZE);
	free(big);
	wenv_free(&w);
}

TEST(ws_connect_timeout_when_upgrade_never_answered)
{
	struct env e = env_new();
	struct ws_client *wc = ws_client_new(e.loop, NULL);
	struct wrec r = { .loop = e.loop };

	r.conn = ws_connect(wc, &(struct ws_connect_options){ .url = WS_URL("/ws/hang"),
		.connect_timeout_ms = 500 }, &r_cbs, &r, NULL);
	CHECK(tl_run(e.loop, 5000));
	CHECK_INT(r.opens, 0);
	CHECK_INT(r.closes, 1);
	CHECK_INT(r.kind, WS_CLOSE_CONNECT_FAILED);
	CHECK_CONTAINS(r.reason, "timed out after 500 ms");
	ws_conn_free(r.conn);
	ws_client_free(wc);
	env_free(&e);
}

TEST(ws_refused_upgrade_reports_connect_failed)
{
	struct env e = env_new();
	struct ws_client *wc = ws_client_new(e.loop, NULL);
	struct wrec r = { .loop = e.loop };

	r.conn = ws_connect(wc, &(struct ws_connect_options){ .url = WS_URL("/ws/reject") },
			    &r_cbs, &r, NULL);
	CHECK(tl_run(e.loop, 5000));
	CHECK_INT(r.opens, 0);
	CHECK_INT(r.closes, 1);
	CHECK_INT(r.kind, WS_CLOSE_CONNECT_FAILED);
	ws_conn_free(r.conn);
	ws_client_free(wc);
	env_free(&e);
}

static void wss_try(const char *host, const char *ca, struct wrec *r)
{
	struct env e = env_new();
	struct ws_client *wc = ws_client_new(e.loop, ca);

	memset(r, 0, sizeof(*r));
	r->loop = e.loop;
	r->stop_at_msgs = 1;
	CHECK(wc != NULL);
	r->conn = ws_connect(wc, &(struct ws_connect_options){
		.url = WSS_URL(host, "/ws/echo?id=tls") }, &r_cbs, r, NULL);
	CHECK(tl_run(e.loop, 8000));
	ws_conn_free(r->conn);
	ws_client_free(wc);
	env_free(&e);
	free(r->last);
	r->last = NULL;
}

TEST(wss_verifies_localhost_cert_while_connecting_to_127_0_0_1)
{
	struct wrec r;

	wss_try("localhost", ca_file(), &r);
	CHECK_INT(r.opens, 1);
	CHECK_INT(r.closes, 0);
	CHECK_CONTAINS(r.msg[0], "host=localhost");
}

TEST(wss_self_signed_without_ca_file_is_refused_clearly)
{
	struct wrec r;

	wss_try("localhost", NULL, &r);
	CHECK_INT(r.opens, 0);
	CHECK_INT(r.closes, 1);
	CHECK_INT(r.kind, WS_CLOSE_CONNECT_FAILED);
	CHECK_CONTAINS(r.reason, "TLS certificate verification failed for host localhost");
}

TEST(wss_name_mismatch_is_refused)
{
	struct wrec r;

	wss_try("127.0.0.1", ca_file(), &r);
	CHECK_INT(r.opens, 0);
	CHECK_INT(r.closes, 1);
	CHECK_INT(r.kind, WS_CLOSE_CONNECT_FAILED);
}

TEST(ws_client_free_with_open_connection_is_clean)
{
	struct wenv w;

	wenv_open(&w, "clientfree", 0, NULL);
	ws_client_free(w.ws);
	w.ws = NULL;
	CHECK_INT(ws_send_text(w.r.conn, "x", 1), -ENOTCONN);
	nap(w.e.loop, 50);
	CHECK_INT(w.r.closes, 0); /* no callbacks after the client is gone */
	wenv_free(&w);
}

TEST(ws_client_left_at_loop_free_is_freed_there)
{
	struct env e = env_new();
	struct ws_client *wc = ws_client_new(e.loop, NULL);

	CHECK(wc != NULL);
	env_free(&e); /* logs an error and frees it (LSan: nothing leaks) */
}

TEST(ws_lws_log_lines_are_cleaned_and_bounded)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	CHECK_INT(ws_log_clean("a\nb\001c\177\r", buf, sizeof(buf)), 5);
	CHECK_STR(buf, "ab?c?");
	memset(buf, 'x', sizeof(buf));
	CHECK_INT(ws_log_clean("0123456789", buf, sizeof(buf)), 7);
	CHECK_STR(buf, "0123456");
	memset(buf, 'x', sizeof(buf));
	CHECK_INT(ws_log_clean("\177\t", buf, sizeof(buf)), 2);
	CHECK_STR(buf, "??");
	memset(buf, 'x', sizeof(buf));
	CHECK_INT(ws_log_clean("", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(ws_log_clean("abc", buf, 0), 0);
}

/* ---- one loop ------------------------------------------------------------ */

struct mix {
	struct net_loop *loop;
	struct ws_conn *conn;
	int ticks, ticks_at_http_start, ticks_at_http_done;
	int echoes, http_done;
};

static void mix_check_done(struct mix *m)
{
	if (m->echoes >= 5 && m->http_done == 3)
		net_loop_stop(m->loop);
}

static void mix_tick(struct net_timer *t, void *d)
{
	((struct mix *)d)->ticks++;
}

static void mix_open(struct ws_conn *c, void *d)
{
}

static void mix_msg(struct ws_conn *c, const void *msg, size_t len, bool bin, void *d)
{
	struct mix *m = d;

	if (strncmp(msg, "echo:", 5) == 0)
		m->echoes++;
	if (m->echoes < 5)
		ws_send_text(c, "round", 5);
	mix_check_done(m);
}

static void mix_close(struct ws_conn *c, const struct ws_close_info *i, void *d)
{
	CHECK(!"unexpected close");
}

static const struct ws_callbacks mix_cbs = { mix_open, mix_msg, mix_close };

static void mix_http(const struct http_response *r, void *d)
{
	struct mix *m = d;

	CHECK_INT(r->status, 200);
	m->http_done++;
	m->ticks_at_http_done = m->ticks;
	mix_check_done(m);
}

TEST(timer_http_and_ws_interleave_on_one_loop)
{
	struct env e = env_new();
	struct ws_client *wc = ws_client_new(e.loop, NULL);
	struct mix m = { .loop = e.loop };
	struct net_timer *t = net_timer_new(e.loop, mix_tick, &m);

	net_timer_start(t, 20, 20);
	for (int i = 0; i < 3; i++)
		http_request_start(e.http, &(struct http_request){ .url = HTTP_URL("/delay?ms=300") },
				   mix_http, &m);
	m.conn = ws_connect(wc, &(struct ws_connect_options){ .url = WS_URL("/ws/echo?id=mix") },
			    &mix_cbs, &m, NULL);
	CHECK(tl_run(e.loop, 10000));
	CHECK_INT(m.http_done, 3);
	CHECK(m.echoes >= 5);
	/* The timer kept firing while the requests were in flight. */
	CHECK(m.ticks_at_http_done > 0);
	net_timer_free(t);
	ws_conn_free(m.conn);
	ws_client_free(wc);
	env_free(&e);
}

TAP_MAIN
