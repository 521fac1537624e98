/* date.h: calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian), and dates written with year, month or day precision.
 *
 * Facts are dated "2004", "2010-01" or "2019-01-01": a date of lower precision
 * stands for a span of days, so every comparison asks for its first or its last
 * day explicitly and nothing is silently rounded. Pure: reads no clock. */
#ifndef SCOBOT_UTIL_DATE_H
#define SCOBOT_UTIL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum date_prec {
	DATE_NONE = 0,  /* no date */
	DATE_YEAR,      /* "2004" */
	DATE_MONTH,     /* "2010-01" */
	DATE_DAY,       /* "2019-01-01" */
};

struct pdate {
	int16_t y;
	int8_t m, d;          /* 0 when the precision does not reach them */
	uint8_t prec;         /* enum date_prec */
	int32_t first, last;  /* the first and last day the date may mean */
};

/* Day number of a valid civil date; month 1-12, day 1-31. */
int32_t date_days(int y, int m, int d);
void date_civil(int32_t days, int *ret_y, int *ret_m, int *ret_d);
int date_month_days(int y, int m);
bool date_valid(int y, int m, int d);

/* Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (exactly these lengths, years
 * 1000-9999, the day checked against the month). Returns 0 or -1. */
int date_parse(const char *s, size_t len, struct pdate *ret);
/* A date of day precision from a day number. */
struct pdate date_from_days(int32_t days);

/* Whole years from `from` to `to` (the anniversary rule: 29 February counts
 * on 28 February in other years); negative when to < from. */
int date_years_between(int32_t from, int32_t to);
/* The day `years` years after `days` (29 February moves to 28 February). */
int32_t date_add_years(int32_t days, int years);

#endif
