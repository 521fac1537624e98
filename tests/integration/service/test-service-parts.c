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

static char *render(struct metrics *m)
{
	struct metrics_platform p = {.name = "matrix", .ready = true, .healthy = true,
	                             .progress_age_s = 1.5};
	struct metrics_snapshot snap = {.platforms = &p, .nplatforms = 1, .facts_loaded = 15,
	                                .facts_reload_time = 1700000000.0,
	                                .start_time = 1700000000.0, .version = "1.2.3"};
	size_t len;
	char *t = metrics_render(m, &snap, &len);
	if (strlen(t) != len)
		printf("# render length %zu != strlen %zu\n", len, strlen(t));
	return t;
}

TEST(metrics_count_answers_by_platform_and_command)
{
	struct metrics *m = metrics_new();
	metrics_answer(m, "matrix", "sg", ANSWER_OK, 50);
	metrics_answer(m, "matrix", "sg", ANSWER_OK, 50);
	metrics_answer(m, "discord", "sg", ANSWER_OK, 50);
	metrics_answer(m, "matrix", "question", ANSWER_NOT_SURE, 50);
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
	metrics_answer(m, "matrix", "none", ANSWER_IGNORED, 10);
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
	metrics_answer(m, "matrix", "sg", ANSWER_OK, 90);       /* <= 0.0001 */
	metrics_answer(m, "matrix", "sg", ANSWER_OK, 3000);     /* <= 0.005 */
	metrics_answer(m, "matrix", "sg", ANSWER_OK, 5000000);  /* only +Inf */
	char *t = render(m);
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"0.0001\"} 1\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"0.0025\"} 1\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"0.005\"} 2\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"1\"} 2\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_bucket{le=\"+Inf\"} 3\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_count 3\n");
	CHECK_CONTAINS(t, "scobot_reply_latency_seconds_sum 5.003090\n");
	free(t);
	metrics_free(m);
}

TEST(metrics_label_values_are_escaped)
{
	struct metrics *m = metrics_new();
	metrics_answer(m, "x\"y\\z\nw", "sg", ANSWER_OK, 1);
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
		metrics_answer(m, "matrix", name, ANSWER_OK, 1);
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
	CHECK_CONTAINS(t, "scobot_matrix_sync_lag_seconds 1.500\n");
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
