/* clock.h: the one function that reads the monotonic clock.
 * Time inside scobot is int64_t milliseconds from CLOCK_MONOTONIC; wall time
 * appears only in output. Code that must be testable takes `now` as a parameter. */
#ifndef SCOBOT_UTIL_CLOCK_H
#define SCOBOT_UTIL_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);
/* Microseconds, for latency histograms and benchmarks. */
int64_t clock_now_us(void);
/* Unix time in ms (CLOCK_REALTIME), only to compare with timestamps a
 * platform put on its events; never for timeouts or ordering. */
int64_t clock_wall_ms(void);
/* Today's calendar day in UTC, as days since 1970-01-01: what "now" means to
 * the engine when no --today is given. */
int32_t clock_today(void);
/* A `today` argument meaning "read the clock at each question" (no --today):
 * every real day, 1 January 1970 included, stays a valid fixed date. */
#define CLOCK_TODAY_LIVE INT32_MIN
/* The fixed day, or the clock's when it is CLOCK_TODAY_LIVE. */
int32_t clock_today_or(int32_t fixed);

#endif
