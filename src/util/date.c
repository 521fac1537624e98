/* date.c: civil-date arithmetic on day numbers and parsing of dates written
 * with year, month or day precision. */
#include "util/date.h"

/* Days from civil, after the well-known era-based algorithm: exact for every
 * proleptic Gregorian date, no tables, no floating point. */
int32_t date_days(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int mp = (m + 9) % 12;
	int doy = (153 * mp + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void date_civil(int32_t days, int *ret_y, int *ret_m, int *ret_d)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;
	*ret_y = y + (m <= 2);
	*ret_m = m;
	*ret_d = d;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_month_days(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap(y) ? 29 : len[m - 1];
}

bool date_valid(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= date_month_days(y, m);
}

static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int date_parse(const char *s, size_t len, struct pdate *ret)
{
	struct pdate p = {0};
	if (len != 4 && len != 7 && len != 10)
		return -1;
	int y = digits(s, 4);
	if (y < 1000)
		return -1;
	p.y = (int16_t)y;
	p.prec = DATE_YEAR;
	int m = 1, d = 1, lm = 12, ld = 31;
	if (len >= 7) {
		if (s[4] != '-' || (m = digits(s + 5, 2)) < 1 || m > 12)
			return -1;
		p.m = (int8_t)m;
		p.prec = DATE_MONTH;
		lm = m;
		ld = date_month_days(y, m);
	}
	if (len == 10) {
		if (s[7] != '-' || (d = digits(s + 8, 2)) < 1 || !date_valid(y, m, d))
			return -1;
		p.d = (int8_t)d;
		p.prec = DATE_DAY;
		ld = d;
	}
	p.first = date_days(y, m, d);
	p.last = date_days(y, lm, ld);
	*ret = p;
	return 0;
}

struct pdate date_from_days(int32_t days)
{
	int y, m, d;
	date_civil(days, &y, &m, &d);
	return (struct pdate){(int16_t)y, (int8_t)m, (int8_t)d, DATE_DAY, days, days};
}

int date_years_between(int32_t from, int32_t to)
{
	int y1, m1, d1, y2, m2, d2;
	date_civil(from, &y1, &m1, &d1);
	date_civil(to, &y2, &m2, &d2);
	int n = y2 - y1;
	if (to >= from) {
		if (m2 < m1 || (m2 == m1 && d2 < d1))
			n--;
	} else if (m2 > m1 || (m2 == m1 && d2 > d1)) {
		n++;
	}
	return n;
}

int32_t date_add_years(int32_t days, int years)
{
	int y, m, d;
	date_civil(days, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !leap(y))
		d = 28;
	return date_days(y, m, d);
}
