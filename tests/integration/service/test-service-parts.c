/* test-service-parts.c: unit tests for the service's pure parts: the metrics
 * registry and its exposition text, the sd_notify sender against a socket the
 * test owns, and the metrics listener's address parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "net/httpd.h"
#include "tap.h"

static char *render_with(struct metrics *m, const struct discord_stats *ds,
                         const struct mxsync_stats *ms)
{
	struct metrics_platform p = {.name = "matrix", .ready = true, .healthy = true,
	                             .progress_age_s = 1.5};
	struct metrics_snapshot snap = {.platforms = &p, .nplatforms = 1, .facts_loaded = 15,
	                                .facts_reload_time = 1700000000.0,
	                                .start_time = 1700000000.0, .version = "1.2.3",
	                                .discord = ds, .matrix = ms};
	size_t len;
	char *t = metrics_render(m, &snap, &len);
	if (strlen(t) != len)
		printf("# render length %zu != strlen %zu\n", len, strlen(t));
	return t;
}

static char *render(struct metrics *m)
{
	return render_with(m, NULL, NULL);
}

TEST(metrics_count_answers_by_platform_and_command)
{
	struct metrics *m = metrics_new();
	metrics_answer(m, "matrix", "sg", ANSWER_OK);
	metrics_answer(m, "matrix", "sg", ANSWER_OK);
	metrics_answer(m, "discord", "sg", ANSWER_OK);
	metrics_answer(m, "matrix", "question", ANSWER_NOT_SURE);
	char *t = render(m);
	CHECK_CONTAINS(t, "scobot_answers_total{platform=\"matrix\",command=\"sg\"} 2\n");
	CHECK_CONTAINS(t, "scobot_answers_total{platform=\"discord\",command=\"sg\"} 1\n");
	CHECK_CONTAINS(t, "scobot_unanswered_total{platform=\"matrix\",reason=\"not_sure\"} 1\n");
	CHECK_CONTAINS(t, "scobot_unanswered_total{platform=\"discord\",reason=\"not_sure\"} 0\n");
	CHECK_INT(metrics_answers_total(m), 4);
	free(t);
	metrics_free(m);
}

TEST(metrics_ignored_input_is_not_an_answer)
{
	struct metrics *m = metrics_new();
	metrics_answer(m, "matrix", "none", ANSWER_IGNORED);
	char *t = render(m);
	CHECK_NOT_CONTAINS(t, "scobot_answers_total{");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_count 0\n");
	CHECK_INT(metrics_answers_total(m), 0);
	free(t);
	metrics_free(m);
}

TEST(metrics_latency_histogram_is_cumulative_with_inf)
{
	struct metrics *m = metrics_new();
	metrics_reply_sent(m, "matrix", 3, true);       /* <= 0.005 */
	metrics_reply_sent(m, "matrix", 40, true);      /* <= 0.05 */
	metrics_reply_sent(m, "matrix", 60000, true);   /* only +Inf */
	metrics_reply_sent(m, "matrix", 20, false);     /* failed: not in the histogram */
	char *t = render(m);
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"0.005\"} 1\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"0.025\"} 1\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"0.05\"} 2\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"30\"} 2\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"+Inf\"} 3\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_count 3\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_sum 60.043\n");
	CHECK_CONTAINS(t, "scobot_reply_send_failures_total{platform=\"matrix\"} 1\n");
	free(t);
	metrics_free(m);
}

TEST(metrics_adapter_counters_are_rendered_with_their_labels)
{
	struct metrics *m = metrics_new();
	struct discord_stats ds = {.shards = 2, .shard_count = 2, .shards_ready = 1,
	                           .identifies = 3, .identifies_today = 7,
	                           .ratelimit_waits = 4, .ratelimit_wait_ms = 1500,
	                           .http_429_global = 1, .http_429_route = 2,
	                           .ack_latency_last_ms = 20, .ack_latency_max_ms = 250};
	ds.reconnects[GW_REASON_ZOMBIE] = 5;
	ds.resumes[GW_REASON_RECONNECT] = 6;
	host_status_count_add(ds.rest_errors, 429);
	host_status_count_add(ds.rest_errors, 0);
	host_status_count_add(ds.rest_errors, 429);
	struct mxsync_stats ms = {.syncs_ok = 9, .rate_limited = 2, .sync_lag_ms = 1250};
	host_status_count_add(ms.rest_errors, 502);
	metrics_lost(m, "discord");
	char *t = render_with(m, &ds, &ms);
	CHECK_CONTAINS(t, "scobot_discord_reconnects_total{reason=\"zombie\"} 5\n");
	CHECK_CONTAINS(t, "scobot_discord_reconnects_total{reason=\"drop\"} 0\n");
	CHECK_CONTAINS(t, "scobot_discord_resumes_total{reason=\"op7_reconnect\"} 6\n");
	CHECK_CONTAINS(t, "scobot_discord_identifies_today 7\n");
	CHECK_CONTAINS(t, "scobot_discord_shards_ready 1\n");
	CHECK_CONTAINS(t, "scobot_discord_heartbeat_ack_latency_seconds 0.020\n");
	CHECK_CONTAINS(t, "scobot_discord_heartbeat_ack_latency_max_seconds 0.250\n");
	CHECK_CONTAINS(t, "scobot_ratelimit_waits_total{platform=\"discord\"} 4\n");
	CHECK_CONTAINS(t, "scobot_ratelimit_waits_total{platform=\"matrix\"} 2\n");
	CHECK_CONTAINS(t, "scobot_ratelimit_wait_seconds_total{platform=\"discord\"} 1.500\n");
	CHECK_CONTAINS(t, "scobot_http_429_total{platform=\"discord\",scope=\"global\"} 1\n");
	CHECK_CONTAINS(t, "scobot_http_429_total{platform=\"discord\",scope=\"route\"} 2\n");
	CHECK_CONTAINS(t, "scobot_http_429_total{platform=\"matrix\",scope=\"homeserver\"} 2\n");
	CHECK_CONTAINS(t, "scobot_rest_errors_total{platform=\"discord\",status=\"429\"} 2\n");
	CHECK_CONTAINS(t, "scobot_rest_errors_total{platform=\"discord\",status=\"network\"} 1\n");
	CHECK_CONTAINS(t, "scobot_rest_errors_total{platform=\"matrix\",status=\"502\"} 1\n");
	CHECK_CONTAINS(t, "scobot_matrix_sync_lag_seconds 1.250\n");
	CHECK_CONTAINS(t, "scobot_platform_lost_total{platform=\"discord\"} 1\n");
	free(t);
	metrics_free(m);
}

TEST(metrics_status_counts_overflow_into_other)
{
	struct host_status_count c[HOST_STATUS_SLOTS] = {{0, 0}};
	for (int i = 0; i < HOST_STATUS_SLOTS + 3; i++)
		host_status_count_add(c, 400 + i);
	host_status_count_add(c, 400);
	CHECK_INT(c[0].status, 400);
	CHECK_INT(c[0].count, 2);
	CHECK_INT(c[HOST_STATUS_SLOTS - 1].status, -1);
	CHECK_INT(c[HOST_STATUS_SLOTS - 1].count, 4);
}

TEST(metrics_label_values_are_escaped)
{
	struct metrics *m = metrics_new();
	metrics_answer(m, "x\"y\\z\nw", "sg", ANSWER_OK);
	char *t = render(m);
	CHECK_CONTAINS(t, "platform=\"x\\\"y\\\\z\\nw\"");
	free(t);
	metrics_free(m);
}

TEST(metrics_series_are_bounded_and_overflow_into_other)
{
	struct metrics *m = metrics_new();
	char name[32];
	for (int i = 0; i < METRICS_MAX_SERIES * 3; i++) {
		snprintf(name, sizeof(name), "cmd%d", i);
		metrics_answer(m, "matrix", name, ANSWER_OK);
	}
	char *t = render(m);
	int series = 0;
	for (const char *p = t; (p = strstr(p, "scobot_answers_total{")); p++)
		series++;
	CHECK(series <= METRICS_MAX_SERIES);
	CHECK_CONTAINS(t, "command=\"other\"");
	CHECK_INT(metrics_answers_total(m), METRICS_MAX_SERIES * 3);
	free(t);
	metrics_free(m);
}

TEST(metrics_reloads_and_platform_gauges_are_rendered)
{
	struct metrics *m = metrics_new();
	metrics_reload(m, "facts", true);
	metrics_reload(m, "config", false);
	metrics_ready(m, "matrix");
	char *t = render(m);
	CHECK_CONTAINS(t, "scobot_reloads_total{what=\"facts\",result=\"ok\"} 1\n");
	CHECK_CONTAINS(t, "scobot_reloads_total{what=\"config\",result=\"failed\"} 1\n");
	CHECK_CONTAINS(t, "scobot_platform_ready_total{platform=\"matrix\"} 1\n");
	CHECK_CONTAINS(t, "scobot_platform_up{platform=\"matrix\"} 1\n");
	CHECK_NOT_CONTAINS(t, "scobot_matrix_sync_lag_seconds");  /* no adapter counters given */
	CHECK_CONTAINS(t, "scobot_facts_loaded 15\n");
	CHECK_CONTAINS(t, "scobot_build_info{version=\"1.2.3\"} 1\n");
	free(t);
	metrics_free(m);
}

/* ---- notify ---------------------------------------------------------------- */

struct listener {
	int fd;
	char path[108];
};

static void listen_on(struct listener *l, bool abstract)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len;
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(l->path, sizeof(l->path), "%s/scobot-notify-test-%d", abstract ? "@" : "/tmp",
	         (int)getpid());
	if (abstract) {
		a.sun_path[0] = '\0';
		memcpy(a.sun_path + 1, l->path + 1, strlen(l->path) - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(l->path));
	} else {
		unlink(l->path);
		memcpy(a.sun_path, l->path, strlen(l->path) + 1);
		len = sizeof(a);
	}
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, len) < 0)
		abort();
	setenv("NOTIFY_SOCKET", l->path, 1);
}

static void listener_close(struct listener *l)
{
	close(l->fd);
	if (l->path[0] == '/')
		unlink(l->path);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static const char *receive(struct listener *l)
{
	static char buf[NOTIFY_MSG_MAX + 64];
	ssize_t n = recv(l->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TEST(notify_without_a_socket_is_inert)
{
	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "30000000", 1);
	struct notify *n = notify_new();
	CHECK(!notify_enabled(n));
	CHECK_INT(notify_watchdog_ms(n), 0);
	CHECK_INT(notify_send(n, "READY=1"), 0);
	notify_free(n);
	unsetenv("WATCHDOG_USEC");
}

TEST(notify_sends_datagrams_to_a_path_socket)
{
	struct listener l;
	listen_on(&l, false);
	struct notify *n = notify_new();
	CHECK(notify_enabled(n));
	CHECK_INT(notify_send(n, "READY=1"), 0);
	CHECK_STR(receive(&l), "READY=1");
	notify_free(n);
	listener_close(&l);
}

TEST(notify_sends_to_an_abstract_socket)
{
	struct listener l;
	listen_on(&l, true);
	struct notify *n = notify_new();
	CHECK_INT(notify_send(n, "WATCHDOG=1"), 0);
	CHECK_STR(receive(&l), "WATCHDOG=1");
	notify_free(n);
	listener_close(&l);
}

TEST(notify_status_stays_one_line_and_whole_utf8)
{
	struct listener l;
	listen_on(&l, false);
	struct notify *n = notify_new();
	notify_status(n, "READY=1", "a\nb\tc");
	CHECK_STR(receive(&l), "READY=1\nSTATUS=a b c");
	char big[NOTIFY_MSG_MAX + 100];
	size_t k = 0;
	while (k + 3 < sizeof(big)) {
		memcpy(big + k, "\xd0\xb4", 2); /* Cyrillic d, two bytes */
		k += 2;
	}
	big[k] = '\0';
	notify_status(n, NULL, big + 1); /* starts mid-sequence on purpose: odd length */
	const char *got = receive(&l);
	size_t len = strlen(got);
	CHECK(len <= NOTIFY_MSG_MAX);
	CHECK(((unsigned char)got[len - 1] & 0xC0) == 0x80); /* ends on a whole sequence */
	CHECK(((unsigned char)got[len - 2] & 0xE0) == 0xC0);
	notify_free(n);
	listener_close(&l);
}

TEST(notify_reloading_carries_monotonic_usec)
{
	struct listener l;
	listen_on(&l, false);
	struct notify *n = notify_new();
	notify_reloading(n);
	const char *got = receive(&l);
	CHECK(strncmp(got, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
	CHECK(strtoll(got + 27, NULL, 10) > 0);
	notify_free(n);
	listener_close(&l);
}

TEST(notify_watchdog_interval_respects_watchdog_pid)
{
	struct listener l;
	char pid[32];
	listen_on(&l, false);
	setenv("WATCHDOG_USEC", "30000000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	struct notify *n = notify_new();
	CHECK_INT(notify_watchdog_ms(n), 30000);
	notify_free(n);
	setenv("WATCHDOG_PID", "1", 1);
	n = notify_new();
	CHECK_INT(notify_watchdog_ms(n), 0);
	notify_free(n);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "lots", 1);
	n = notify_new();
	CHECK_INT(notify_watchdog_ms(n), 0);
	notify_free(n);
	listener_close(&l);
}

TEST(notify_refuses_a_relative_socket_path)
{
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	struct notify *n = notify_new();
	CHECK(!notify_enabled(n));
	notify_free(n);
	unsetenv("NOTIFY_SOCKET");
}

/* ---- listen addresses ------------------------------------------------------ */

TEST(httpd_listen_accepts_numeric_addresses_with_ports)
{
	CHECK_INT(httpd_parse_listen("127.0.0.1:9464"), 0);
	CHECK_INT(httpd_parse_listen("[::1]:9464"), 0);
	CHECK_INT(httpd_parse_listen("0.0.0.0:0"), 0);
}

TEST(httpd_listen_refuses_names_missing_ports_and_junk)
{
	const char *bad[] = {"localhost:9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
	                     "127.0.0.1:12a", "::1:9464", "[::1]9464", "[127.0.0.1]:1",
	                     "127.0.0.1:+80", "", ":9464"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (httpd_parse_listen(bad[i]) != -EINVAL)
			printf("# accepted '%s'\n", bad[i]);
		CHECK_INT(httpd_parse_listen(bad[i]), -EINVAL);
	}
}

TAP_MAIN
