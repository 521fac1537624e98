/* net_test.c: the log stub and loop helpers for the net tests; it replaces
 * util/log.c in these binaries so tests can assert on what was logged. */
#include "net_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/timer.h"
#include "util/log.h"

/* Captured log text (bytes); older lines are dropped when full. */
#define TL_LOG_MAX 65536

static char tl_log[TL_LOG_MAX];
static size_t tl_log_len;

void log_msg(enum log_level level, const char *msg, const char *fields_fmt, ...)
{
	char fields[1024] = "";
	char line[1400];
	va_list ap;
	int n;

	va_start(ap, fields_fmt);
	vsnprintf(fields, sizeof(fields), fields_fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "<%d> %s %s\n", level, msg, fields);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	printf("# log: %s", line);
	if (tl_log_len + (size_t)n + 1 > TL_LOG_MAX)
		tl_log_len = 0;
	memcpy(tl_log + tl_log_len, line, (size_t)n);
	tl_log_len += (size_t)n;
	tl_log[tl_log_len] = '\0';
}

const char *tl_log_text(void)
{
	return tl_log;
}

void tl_log_reset(void)
{
	tl_log_len = 0;
	tl_log[0] = '\0';
}

struct watchdog {
	bool fired;
	struct net_loop *loop;
};

static void on_watch(struct net_timer *t, void *data)
{
	struct watchdog *w = data;

	w->fired = true;
	net_loop_stop(w->loop);
}

bool tl_run(struct net_loop *loop, int64_t max_ms)
{
	struct watchdog w = { false, loop };
	struct net_timer *t = net_timer_new(loop, on_watch, &w);

	net_timer_start(t, (uint64_t)max_ms, 0);
	net_loop_run(loop);
	net_timer_free(t);
	if (w.fired)
		printf("# watchdog: loop stopped after %lld ms\n", (long long)max_ms);
	return !w.fired;
}

int tl_env_port(const char *name)
{
	const char *v = getenv(name);

	return v ? atoi(v) : 0;
}

int tl_refused_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}
