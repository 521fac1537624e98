/* notify.c: sends sd_notify datagrams to $NOTIFY_SOCKET and reads the watchdog
 * interval; it must not decide what to announce, and never blocks the loop
 * (a datagram send on a unix socket fails with EAGAIN rather than wait). */
#include "daemon/notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/xalloc.h"

struct notify {
	int fd;                    /* -1: no manager to talk to */
	struct sockaddr_un addr;
	socklen_t addr_len;
	int64_t watchdog_ms;
};

/* Fills n->addr from $NOTIFY_SOCKET: an absolute path, or "@name" for the
 * abstract namespace (sd_notify(3)). 0 or -EINVAL. */
static int parse_address(struct notify *n, const char *e)
{
	size_t len = strlen(e);
	if (len < 2 || len >= sizeof(n->addr.sun_path) || (e[0] != '/' && e[0] != '@'))
		return -EINVAL;
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, e, len);
	if (e[0] == '@')
		n->addr.sun_path[0] = '\0';
	/* An abstract name has no trailing NUL; a path's NUL is not counted either. */
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	return 0;
}

/* $WATCHDOG_USEC in ms, 0 when absent, invalid, or addressed to another pid. */
static int64_t parse_watchdog(void)
{
	const char *e = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;
	if (!e || !*e)
		return 0;
	if (pid && *pid) {
		errno = 0;
		unsigned long long p = strtoull(pid, &end, 10);
		if (errno || *end || p != (unsigned long long)getpid())
			return 0;
	}
	errno = 0;
	unsigned long long us = strtoull(e, &end, 10);
	if (errno || *end || us == 0 || us > (unsigned long long)INT64_MAX / 2) {
		log_warn("ignoring an invalid WATCHDOG_USEC", "value=%.32s", e);
		return 0;
	}
	/* Round up so a sub-millisecond interval still means "on". */
	return (int64_t)((us + 999) / 1000);
}

struct notify *notify_new(void)
{
	struct notify *n = xcalloc(1, sizeof(*n));
	const char *e = getenv("NOTIFY_SOCKET");
	n->fd = -1;
	n->watchdog_ms = parse_watchdog();
	if (!e || !*e)
		return n;
	if (parse_address(n, e) < 0) {
		log_warn("ignoring an unusable NOTIFY_SOCKET", "value=%.64s", e);
		return n;
	}
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0)
		log_warn("cannot create the notify socket", "error=\"%s\"", strerror(errno));
	return n;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}

bool notify_enabled(const struct notify *n)
{
	return n && n->fd >= 0;
}

int64_t notify_watchdog_ms(const struct notify *n)
{
	return n && n->fd >= 0 ? n->watchdog_ms : 0;
}

int notify_send(struct notify *n, const char *msg)
{
	if (!notify_enabled(n))
		return 0;
	size_t len = strlen(msg);
	if (len > NOTIFY_MSG_MAX)
		return -EMSGSIZE;
	ssize_t w;
	do
		w = sendto(n->fd, msg, len, MSG_NOSIGNAL, (const struct sockaddr *)&n->addr,
		           n->addr_len);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		int r = -errno;
		log_debug("notify message not delivered", "error=\"%s\"", strerror(errno));
		return r;
	}
	return 0;
}

int notify_status(struct notify *n, const char *extra, const char *status)
{
	char msg[NOTIFY_MSG_MAX + 1];
	int k = snprintf(msg, sizeof(msg), "%s%sSTATUS=", extra ? extra : "", extra ? "\n" : "");
	if (k < 0 || (size_t)k >= sizeof(msg))
		return -EMSGSIZE;
	size_t pos = (size_t)k;
	const char *s = status;
	for (; *s && pos < NOTIFY_MSG_MAX; s++) {
		unsigned char c = (unsigned char)*s;
		msg[pos++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	/* A cut must not leave half a UTF-8 sequence: drop its lead bytes too. */
	if (*s && ((unsigned char)*s & 0xC0) == 0x80) {
		while (pos > (size_t)k && ((unsigned char)msg[pos - 1] & 0xC0) == 0x80)
			pos--;
		if (pos > (size_t)k && (unsigned char)msg[pos - 1] >= 0xC0)
			pos--;
	}
	/* STATUS= is readable by every local user (systemctl status). */
	pos = (size_t)k + redact_secrets(msg + k, pos - (size_t)k);
	msg[pos] = '\0';
	return notify_send(n, msg);
}

int notify_reloading(struct notify *n)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRId64, clock_now_us());
	return notify_send(n, msg);
}
