/* notify.h: the systemd service-manager protocol (sd_notify datagrams on
 * $NOTIFY_SOCKET, and the watchdog interval from $WATCHDOG_USEC); it must not
 * decide when to send what (app.c does) and never blocks.
 *
 * The protocol is implemented here directly rather than through libsystemd:
 * it is one sendmsg() of "KEY=VALUE\n..." lines on a unix datagram socket
 * whose path may be abstract ("@name"), see sd_notify(3); so a test can own
 * the socket, and scobot needs no extra library.
 *
 *   struct notify *n = notify_new();          // never NULL; inert without $NOTIFY_SOCKET
 *   notify_send(n, "READY=1\nSTATUS=ready");
 *   if (notify_watchdog_ms(n)) ... ping every half of it with notify_send(n, "WATCHDOG=1");
 *   notify_free(n);
 */
#ifndef SCOBOT_DAEMON_NOTIFY_H
#define SCOBOT_DAEMON_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Largest notification datagram (bytes); STATUS= lines are cut to fit. */
#define NOTIFY_MSG_MAX 2048

struct notify;

/* Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID. Never NULL: with no
 * socket (not under systemd) every send is a no-op that returns 0. A socket
 * address that cannot be used is logged once and also makes sends no-ops. */
struct notify *notify_new(void);
void notify_free(struct notify *n);

/* Whether a notify socket is configured (Type=notify). */
bool notify_enabled(const struct notify *n);

/* The watchdog interval (ms) systemd expects pings within, or 0 when the
 * watchdog is off or meant for another process ($WATCHDOG_PID). */
int64_t notify_watchdog_ms(const struct notify *n);

/* Sends one datagram of newline-separated KEY=VALUE assignments (at most
 * NOTIFY_MSG_MAX bytes). 0, -EMSGSIZE, or the negative errno of sendmsg
 * (logged at debug: the manager may be gone during shutdown). */
int notify_send(struct notify *n, const char *msg);

/* Sends "STATUS=<status>" with any other assignments in `extra` ("READY=1",
 * or NULL) before it; control characters in status become spaces so that the
 * status stays one line. */
int notify_status(struct notify *n, const char *extra, const char *status);

/* "RELOADING=1" with "MONOTONIC_USEC=<now>" (systemd 253 and later want it
 * to order the reload; older managers ignore it). */
int notify_reloading(struct notify *n);

#endif
