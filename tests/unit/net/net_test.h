/* net_test.h: helpers shared by the net test drivers (a capturing log stub and
 * a bounded loop run); test code only, never linked into scobot. */
#ifndef SCOBOT_TESTS_NET_TEST_H
#define SCOBOT_TESTS_NET_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "net/loop.h"

/* Runs loop until a callback calls net_loop_stop or max_ms pass; returns
 * false (and prints a TAP comment) when the watchdog had to stop it. */
bool tl_run(struct net_loop *loop, int64_t max_ms);

/* Every log line since tl_log_reset, newline-separated. */
const char *tl_log_text(void);
void tl_log_reset(void);

/* Port from an environment variable, or 0 (the test then fails clearly). */
int tl_env_port(const char *name);

/* A loopback TCP port with nothing listening (bound, then closed). */
int tl_refused_port(void);

#endif
