/* test-net-loop.c: the loop, timers, deferred calls, signals and the request
 * checks of http/ws that need no server; one behaviour per TEST. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "net/ws.h"
#include "net_test.h"
#include "util/clock.h"

struct counter {
	struct net_loop *loop;
	int n;
	int stop_at;
	struct net_timer *self;
	int order[8];
};

static void count_and_maybe_stop(struct net_timer *t, void *data)
{
	struct counter *c = data;

	c->n++;
	if (c->n == c->stop_at)
		net_loop_stop(c->loop);
}

TEST(timer_one_shot_fires_once)
{
	struct net_loop *loop = net_loop_new();
	struct counter c = { .loop = loop, .stop_at = 99 };
	struct net_timer *t = net_timer_new(loop, count_and_maybe_stop, &c);

	CHECK_INT(net_timer_start(t, 10, 0), 0);
	CHECK(net_timer_is_active(t));
	tl_run(loop, 200);
	CHECK_INT(c.n, 1);
	CHECK(!net_timer_is_active(t));
	net_timer_free(t);
	net_loop_free(loop);
}

TEST(timer_repeats_until_stopped)
{
	struct net_loop *loop = net_loop_new();
	struct counter c = { .loop = loop, .stop_at = 3 };
	struct net_timer *t = net_timer_new(loop, count_and_maybe_stop, &c);

	net_timer_start(t, 1, 1);
	CHECK(tl_run(loop, 2000));
	CHECK_INT(c.n, 3);
	net_timer_stop(t);
	CHECK(!net_timer_is_active(t));
	net_timer_free(t);
	net_loop_free(loop);
}

static void free_self(struct net_timer *t, void *data)
{
	struct counter *c = data;

	c->n++;
	net_timer_free(t);
	net_loop_stop(c->loop);
}

TEST(timer_free_inside_own_callback_is_safe)
{
	struct net_loop *loop = net_loop_new();
	struct counter c = { .loop = loop };
	struct net_timer *t = net_timer_new(loop, free_self, &c);

	net_timer_start(t, 1, 1); /* repeating: must not fire after the free */
	CHECK(tl_run(loop, 1000));
	CHECK_INT(c.n, 1);
	net_loop_free(loop); /* ASan: the close callback freed it exactly once */
}

static void rearm_once(struct net_timer *t, void *data)
{
	struct counter *c = data;

	if (++c->n == 1)
		net_timer_start(t, 5, 0);
	else
		net_loop_stop(c->loop);
}

TEST(timer_restart_from_its_callback)
{
	struct net_loop *loop = net_loop_new();
	struct counter c = { .loop = loop };
	struct net_timer *t = net_timer_new(loop, rearm_once, &c);

	net_timer_start(t, 1, 0);
	CHECK(tl_run(loop, 1000));
	CHECK_INT(c.n, 2);
	net_timer_free(t);
	net_loop_free(loop);
}

TEST(timer_forgotten_is_freed_by_loop_free)
{
	struct net_loop *loop = net_loop_new();
	struct counter c = { .loop = loop };

	tl_log_reset();
	net_timer_start(net_timer_new(loop, count_and_maybe_stop, &c), 1000, 0);
	net_loop_free(loop); /* LSan would flag a leak; the log says why */
	CHECK_CONTAINS(tl_log_text(), "timer still alive at loop shutdown");
	CHECK_INT(c.n, 0);
}

TEST(timer_start_after_free_is_rejected_not_crash)
{
	CHECK_INT(net_timer_start(NULL, 1, 0), -EINVAL);
	net_timer_stop(NULL);
	net_timer_free(NULL);
	CHECK(!net_timer_is_active(NULL));
}

struct deferred {
	struct net_loop *loop;
	int order[8];
	int n;
	bool nested_ran_in_same_pass;
	int pass_marker;
};

static void defer_record(void *data)
{
	struct deferred *d = data;

	d->order[d->n] = d->n + 1;
	d->n++;
	if (d->n == 3)
		net_loop_stop(d->loop);
}

TEST(defer_runs_in_order_on_next_pass)
{
	struct net_loop *loop = net_loop_new();
	struct deferred d = { .loop = loop };

	net_defer(loop, defer_record, &d);
	net_defer(loop, defer_record, &d);
	net_defer(loop, defer_record, &d);
	CHECK_INT(d.n, 0); /* never from inside net_defer */
	CHECK(tl_run(loop, 1000));
	CHECK_INT(d.n, 3);
	CHECK_INT(d.order[0], 1);
	CHECK_INT(d.order[2], 3);
	net_loop_free(loop);
}

static void defer_free_ptr(void *data)
{
	free(data);
}

TEST(defer_pending_at_loop_free_still_runs)
{
	struct net_loop *loop = net_loop_new();

	/* The deferred free is the only owner of this block: LSan proves it ran. */
	net_defer(loop, defer_free_ptr, malloc(64));
	net_loop_free(loop);
	CHECK(1);
}

struct sig {
	struct net_loop *loop;
	int got;
};

static void on_sig(int signo, void *data)
{
	struct sig *s = data;

	s->got = signo;
	net_loop_stop(s->loop);
}

static void raise_hup(struct net_timer *t, void *data)
{
	raise(SIGHUP);
}

TEST(signal_is_delivered_on_the_loop)
{
	struct net_loop *loop = net_loop_new();
	struct sig s = { .loop = loop };
	struct net_timer *t = net_timer_new(loop, raise_hup, NULL);

	CHECK_INT(net_signal_watch(loop, SIGHUP, on_sig, &s), 0);
	net_timer_start(t, 1, 0);
	CHECK(tl_run(loop, 2000));
	CHECK_INT(s.got, SIGHUP);
	net_timer_free(t);
	net_loop_free(loop);
}

TEST(signal_watch_rejects_bad_signo_and_overflow)
{
	struct net_loop *loop = net_loop_new();
	struct sig s = { .loop = loop };
	int r = 0;

	CHECK_INT(net_signal_watch(loop, 0, on_sig, &s), -EINVAL);
	CHECK_INT(net_signal_watch(loop, 100000, on_sig, &s), -EINVAL);
	for (int i = 0; i < NET_LOOP_MAX_SIGNALS + 1 && r == 0; i++)
		r = net_signal_watch(loop, SIGUSR1, on_sig, &s);
	CHECK_INT(r, -ENOSPC);
	net_loop_free(loop);
}

TEST(loop_now_is_monotonic_ms_like_util_clock)
{
	struct net_loop *loop = net_loop_new();
	int64_t a = net_loop_now_ms(loop), b = clock_now_ms();

	CHECK(b - a >= 0 && b - a < 1000);
	net_loop_free(loop);
}

TEST(loop_run_returns_when_nothing_is_left)
{
	struct net_loop *loop = net_loop_new();

	CHECK_INT(net_loop_run(loop), 0);
	net_loop_free(loop);
	net_loop_free(NULL);
}

TEST(escape_segment_escapes_matrix_room_id)
{
	char *s = http_escape_segment("!abc:example.org", 0);

	CHECK_STR(s, "%21abc%3Aexample.org");
	free(s);
	s = http_escape_segment("a/b?c#d e", 0);
	CHECK_STR(s, "a%2Fb%3Fc%23d%20e");
	free(s);
	s = http_escape_segment("$ev:x~y-z_.", 0);
	CHECK_STR(s, "%24ev%3Ax~y-z_.");
	free(s);
	s = http_escape_segment("ab\0cd", 5);
	CHECK_STR(s, "ab%00cd");
	free(s);
}

static void never_called(const struct http_response *resp, void *data)
{
	int *n = data;

	(*n)++;
}

TEST(http_rejects_bad_requests_without_callback)
{
	struct net_loop *loop = net_loop_new();
	struct http_client *h = http_client_new(loop, "scobot-test");
	int n = 0;
	const char *bad_hdr[] = { "NoColonHere" };
	const char *crlf_hdr[] = { "X-A: b\r\nX-Injected: 1" };
	struct http_request r = { .url = "ftp://127.0.0.1/" };

	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL);
	r.url = "file:///etc/passwd";
	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL);
	r.url = "not a url";
	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL);
	r.url = "http://127.0.0.1:1/";
	r.method = "BREW";
	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL);
	r.method = "GET";
	r.headers = bad_hdr;
	r.n_headers = 1;
	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL);
	r.headers = crlf_hdr;
	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL);
	r.headers = NULL;
	r.n_headers = 0;
	r.body = "x";
	r.body_len = 1;
	CHECK_INT(http_request_start(h, &r, never_called, &n), -EINVAL); /* GET with body */
	CHECK_INT(http_client_pending(h), 0);
	tl_run(loop, 50);
	CHECK_INT(n, 0);
	http_client_free(h);
	net_loop_free(loop);
}

struct one {
	struct net_loop *loop;
	int calls;
	enum http_error err;
	int status;
	char msg[512];
};

static void on_one(const struct http_response *resp, void *data)
{
	struct one *o = data;

	o->calls++;
	o->err = resp->error;
	o->status = resp->status;
	snprintf(o->msg, sizeof(o->msg), "%s", resp->error_msg);
	net_loop_stop(o->loop);
}

TEST(http_connection_refused_is_reported)
{
	struct net_loop *loop = net_loop_new();
	struct http_client *h = http_client_new(loop, NULL);
	struct one o = { .loop = loop };
	char url[64];
	int64_t id;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", tl_refused_port());
	id = http_request_start(h, &(struct http_request){ .url = url }, on_one, &o);
	CHECK(id > 0);
	CHECK_INT(o.calls, 0); /* never from inside start */
	CHECK(tl_run(loop, 5000));
	CHECK_INT(o.calls, 1);
	CHECK_INT(o.err, HTTP_ERR_CONNECT);
	CHECK_INT(o.status, 0);
	CHECK_CONTAINS(o.msg, "cannot connect to 127.0.0.1");
	CHECK_STR(http_error_name(o.err), "connect");
	CHECK_INT(http_request_cancel(h, id), -ENOENT); /* completed: harmless */
	http_client_free(h);
	net_loop_free(loop);
}

TEST(http_client_free_with_requests_in_flight_never_calls_back)
{
	struct net_loop *loop = net_loop_new();
	struct http_client *h = http_client_new(loop, NULL);
	struct one o = { .loop = loop };
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", tl_refused_port());
	for (int i = 0; i < 5; i++)
		CHECK(http_request_start(h, &(struct http_request){ .url = url }, on_one, &o) > 0);
	CHECK_INT(http_client_pending(h), 5);
	http_client_free(h);
	tl_run(loop, 100);
	CHECK_INT(o.calls, 0);
	net_loop_free(loop);
}

TEST(http_client_forgotten_is_freed_by_loop_free)
{
	struct net_loop *loop = net_loop_new();
	struct http_client *h = http_client_new(loop, NULL);
	struct one o = { .loop = loop };

	tl_log_reset();
	CHECK(http_request_start(h, &(struct http_request){ .url = "http://127.0.0.1:1/" },
				 on_one, &o) > 0);
	net_loop_free(loop);
	CHECK_CONTAINS(tl_log_text(), "http client still alive");
	CHECK_INT(o.calls, 0);
}

struct wsr {
	struct net_loop *loop;
	int opens, msgs, closes;
	enum ws_close_kind kind;
	int code;
	char reason[512];
	struct ws_conn *conn;
};

static void w_open(struct ws_conn *c, void *d)
{
	((struct wsr *)d)->opens++;
}

static void w_msg(struct ws_conn *c, const void *m, size_t len, bool bin, void *d)
{
	((struct wsr *)d)->msgs++;
}

static void w_close(struct ws_conn *c, const struct ws_close_info *info, void *d)
{
	struct wsr *w = d;

	w->closes++;
	w->kind = info->kind;
	w->code = info->code;
	snprintf(w->reason, sizeof(w->reason), "%s", info->reason);
	ws_conn_free(c); /* freeing from inside on_close is allowed */
	w->conn = NULL;
	net_loop_stop(w->loop);
}

static const struct ws_callbacks w_cbs = { w_open, w_msg, w_close };

TEST(ws_connect_rejects_bad_urls)
{
	struct net_loop *loop = net_loop_new();
	struct ws_client *wc = ws_client_new(loop, NULL);
	struct wsr w = { .loop = loop };
	const char *bad[] = { "http://x/", "ws://", "ws://:80/", "ws://h:0/", "ws://h:65536/",
			      "ws://u@h/", "ws://h/ spaced", "ws://[::1/", "ws://h/#frag",
			      "ws://h:8x/" };
	int err = 0;

	CHECK(wc != NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = 0;
		CHECK(ws_connect(wc, &(struct ws_connect_options){ .url = bad[i] }, &w_cbs, &w,
				 &err) == NULL);
		CHECK_INT(err, -EINVAL);
	}
	ws_client_free(wc);
	net_loop_free(loop);
}

TEST(ws_connection_refused_reports_connect_failed)
{
	struct net_loop *loop = net_loop_new();
	struct ws_client *wc = ws_client_new(loop, NULL);
	struct wsr w = { .loop = loop };
	char url[64];

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/gw?v=10", tl_refused_port());
	w.conn = ws_connect(wc, &(struct ws_connect_options){ .url = url }, &w_cbs, &w, NULL);
	CHECK(w.conn != NULL);
	CHECK_INT(w.closes, 0);
	CHECK(tl_run(loop, 5000));
	CHECK_INT(w.opens, 0);
	CHECK_INT(w.closes, 1);
	CHECK_INT(w.kind, WS_CLOSE_CONNECT_FAILED);
	CHECK_INT(w.code, WS_CLOSE_ABNORMAL);
	CHECK_CONTAINS(w.reason, "127.0.0.1");
	ws_client_free(wc);
	net_loop_free(loop);
}

TEST(ws_abort_while_resolving_reports_once)
{
	struct net_loop *loop = net_loop_new();
	struct ws_client *wc = ws_client_new(loop, NULL);
	struct wsr w = { .loop = loop };

	w.conn = ws_connect(wc, &(struct ws_connect_options){ .url = "ws://localhost:1/" },
			    &w_cbs, &w, NULL);
	CHECK(w.conn != NULL);
	ws_abort(w.conn);
	CHECK_INT(w.closes, 0); /* never from inside ws_abort */
	CHECK(tl_run(loop, 5000));
	CHECK_INT(w.closes, 1);
	CHECK_INT(w.kind, WS_CLOSE_CONNECT_FAILED);
	CHECK_CONTAINS(w.reason, "aborted");
	tl_run(loop, 50);
	CHECK_INT(w.closes, 1);
	ws_client_free(wc);
	net_loop_free(loop);
}

TEST(ws_conn_free_before_connect_runs_no_callback)
{
	struct net_loop *loop = net_loop_new();
	struct ws_client *wc = ws_client_new(loop, NULL);
	struct wsr w = { .loop = loop };
	char url[64];

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", tl_refused_port());
	w.conn = ws_connect(wc, &(struct ws_connect_options){ .url = url }, &w_cbs, &w, NULL);
	ws_conn_free(w.conn);
	tl_run(loop, 300);
	CHECK_INT(w.closes + w.opens + w.msgs, 0);
	ws_client_free(wc);
	net_loop_free(loop);
}

TEST(ws_send_before_open_is_enotconn)
{
	struct net_loop *loop = net_loop_new();
	struct ws_client *wc = ws_client_new(loop, NULL);
	struct wsr w = { .loop = loop };

	w.conn = ws_connect(wc, &(struct ws_connect_options){ .url = "ws://127.0.0.1:1/" },
			    &w_cbs, &w, NULL);
	CHECK_INT(ws_send_text(w.conn, "x", 1), -ENOTCONN);
	CHECK_INT(ws_close(w.conn, 1005, "reserved"), -EINVAL);
	CHECK_INT(ws_close(w.conn, 2999, "unassigned"), -EINVAL);
	ws_conn_free(w.conn);
	ws_client_free(wc);
	net_loop_free(loop);
}

TAP_MAIN
