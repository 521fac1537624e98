/* clock.c: CLOCK_MONOTONIC, and the wall clock only for platform timestamps. */
#include "util/clock.h"

#include <time.h>

int64_t clock_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_now_ms(void)
{
	return clock_now_us() / 1000;
}

int32_t clock_today(void)
{
	int64_t ms = clock_wall_ms();
	return (int32_t)((ms >= 0 ? ms : ms - 86399999) / 86400000);
}

int32_t clock_today_or(int32_t fixed)
{
	return fixed == CLOCK_TODAY_LIVE ? clock_today() : fixed;
}

int64_t clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
