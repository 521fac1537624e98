/* when.c: the fact table seen from a given day, and dates written out in the
 * answer languages. Nothing here reads a clock: `today` is always an argument. */
#include "core/when.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

bool when_term_known(const struct fact_sg *sg, int32_t today)
{
	int32_t decided = sg->appointed.prec ? sg->appointed.first : sg->from.first;
	return decided <= today;
}

size_t when_sgs_on(const struct facts *f, int32_t day, int32_t today,
                   const struct fact_sg **out, size_t max)
{
	const struct fact_sg *v[16];
	size_t n = facts_sgs_on_day(f, day, v, 16), k = 0;
	for (size_t i = 0; i < n && k < max; i++)
		if (when_term_known(v[i], today))
			out[k++] = v[i];
	return k;
}

const struct fact_sg *when_last_known(const struct facts *f, int32_t today)
{
	const struct fact_sg *last = NULL;
	for (size_t i = 0; i < f->n_sgs; i++)
		if (when_term_known(&f->sgs[i], today))
			last = &f->sgs[i];
	return last;
}

struct pdate when_facts_run_to(const struct facts *f, int32_t today,
                               const struct fact_sg **ret_sg, bool *ret_appointed)
{
	const struct fact_opening *o = &f->opening;
	struct pdate best = date_from_days(date_days(o->year, o->month, o->day));
	*ret_sg = NULL;
	*ret_appointed = false;
	if (best.first > today)
		return (struct pdate){0};
	for (size_t i = 0; i < f->n_sgs; i++) {
		const struct fact_sg *sg = &f->sgs[i];
		if (sg->from.first <= today && sg->from.first > best.first) {
			best = sg->from;
			*ret_sg = sg;
			*ret_appointed = false;
		}
		if (sg->appointed.prec && sg->appointed.first <= today &&
		    sg->appointed.first > best.first) {
			best = sg->appointed;
			*ret_sg = sg;
			*ret_appointed = true;
		}
	}
	return best;
}

static const char *const months_en[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};
static const char *const months_ru_gen[12] = {
	"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
	"сентября", "октября", "ноября", "декабря",
};
static const char *const months_ru_nom[12] = {
	"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
	"сентябрь", "октябрь", "ноябрь", "декабрь",
};

const char *when_date(enum lang lang, const struct pdate *d, bool genitive, char *buf,
                      size_t size)
{
	int m = d->m >= 1 && d->m <= 12 ? d->m - 1 : 0;
	switch (lang) {
	case LANG_RU:
		if (d->prec == DATE_DAY)
			snprintf(buf, size, "%d %s %d года", d->d, months_ru_gen[m], d->y);
		else if (d->prec == DATE_MONTH)
			snprintf(buf, size, "%s %d года", genitive ? months_ru_gen[m] : months_ru_nom[m],
			         d->y);
		else
			snprintf(buf, size, genitive ? "%d года" : "%d год", d->y);
		break;
	case LANG_ZH:
		if (d->prec == DATE_DAY)
			snprintf(buf, size, "%d年%d月%d日", d->y, d->m, d->d);
		else if (d->prec == DATE_MONTH)
			snprintf(buf, size, "%d年%d月", d->y, d->m);
		else
			snprintf(buf, size, "%d年", d->y);
		break;
	default:
		if (d->prec == DATE_DAY)
			snprintf(buf, size, "%d %s %d", d->d, months_en[m], d->y);
		else if (d->prec == DATE_MONTH)
			snprintf(buf, size, "%s %d", months_en[m], d->y);
		else
			snprintf(buf, size, "%d", d->y);
		break;
	}
	return buf;
}

/* Russian picks one of three noun forms by the number: 1 год, 2 года, 5 лет. */
static const char *ru_plural(int n, const char *one, const char *few, const char *many)
{
	int t = n % 100, u = n % 10;
	if (t >= 11 && t <= 14)
		return many;
	return u == 1 ? one : u >= 2 && u <= 4 ? few : many;
}

const char *when_age(enum lang lang, int32_t from, int32_t to, char *buf, size_t size)
{
	int years = date_years_between(from, to);
	int32_t after_years = date_add_years(from, years);
	int fy, fm, fd, ty, tm, td;
	date_civil(after_years, &fy, &fm, &fd);
	date_civil(to, &ty, &tm, &td);
	int months = (ty - fy) * 12 + (tm - fm) - (td < fd);
	if (years < 0 || months < 0)
		years = months = 0;
	char y[48] = "", mo[48] = "";
	switch (lang) {
	case LANG_RU:
		if (years)
			snprintf(y, sizeof(y), "%d %s", years, ru_plural(years, "год", "года", "лет"));
		if (months)
			snprintf(mo, sizeof(mo), "%d %s", months,
			         ru_plural(months, "месяц", "месяца", "месяцев"));
		if (!years && !months)
			snprintf(buf, size, "меньше месяца");
		else
			snprintf(buf, size, "%s%s%s", y, years && months ? " " : "", mo);
		break;
	case LANG_ZH:
		if (years)
			snprintf(y, sizeof(y), "%d年", years);
		if (months)
			snprintf(mo, sizeof(mo), "%d个月", months);
		if (!years && !months)
			snprintf(buf, size, "不到一个月");
		else
			snprintf(buf, size, "%s%s", y, mo);
		break;
	default:
		if (years)
			snprintf(y, sizeof(y), "%d year%s", years, years == 1 ? "" : "s");
		if (months)
			snprintf(mo, sizeof(mo), "%d month%s", months, months == 1 ? "" : "s");
		if (!years && !months)
			snprintf(buf, size, "less than a month");
		else
			snprintf(buf, size, "%s%s%s", y, years && months ? " " : "", mo);
		break;
	}
	return buf;
}

const char *when_ordinal(enum lang lang, int n, char *buf, size_t size)
{
	if (lang == LANG_EN) {
		const char *suf = "th";
		if (n % 100 < 11 || n % 100 > 13)
			suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
		snprintf(buf, size, "%d%s", n, suf);
	} else {
		snprintf(buf, size, "%d", n);
	}
	return buf;
}

/* A Chinese numeral of up to 99 ending at `end` (十, 二十, 二十五, 五). */
static int han_number_before(const char *s, size_t end)
{
	static const char *const digit[10] = {"零", "一", "二", "三", "四", "五",
	                                      "六", "七", "八", "九"};
	int value = 0;
	size_t i = end;
	/* Walk back over at most three characters (each 3 bytes in UTF-8). */
	int units = -1, tens = -1;
	bool ten = false;
	for (int k = 0; k < 3 && i >= 3; k++) {
		const char *c = s + i - 3;
		int d = -1;
		for (int j = 0; j < 10; j++)
			if (memcmp(c, digit[j], 3) == 0)
				d = j;
		if (memcmp(c, "十", 3) == 0) {
			if (ten)
				break;
			ten = true;
		} else if (d >= 0) {
			if (!ten && units < 0)
				units = d;
			else if (ten && tens < 0)
				tens = d;
			else
				break;
		} else {
			break;
		}
		i -= 3;
	}
	if (ten)
		value = (tens < 0 ? 1 : tens) * 10 + (units < 0 ? 0 : units);
	else
		value = units < 0 ? 0 : units;
	return value;
}

int when_anniversary_number(const char *text, size_t len)
{
	char norm[512];
	size_t n = text_normalize_phrase(text, len < 400 ? len : 400, norm, sizeof(norm));
	/* Digits first: "10th", "20-летие", "10 лет", "20周年". */
	for (size_t i = 0; i < n; i++) {
		if (norm[i] < '0' || norm[i] > '9' || (i && norm[i - 1] >= '0' && norm[i - 1] <= '9'))
			continue;
		size_t j = i;
		int v = 0;
		while (j < n && norm[j] >= '0' && norm[j] <= '9' && j - i < 4)
			v = v * 10 + (norm[j++] - '0');
		if (j - i <= 2 && v > 0 && (j >= n || norm[j] < '0' || norm[j] > '9'))
			return v;
	}
	const char *zh = strstr(norm, "周年");
	if (zh) {
		int v = han_number_before(norm, (size_t)(zh - norm));
		if (v)
			return v;
	}
	static const struct {
		const char *word;
		int n;
	} words[] = {
		{"twenty-fifth", 25}, {"twenty fifth", 25}, {"twentieth", 20}, {"twenty", 20},
		{"fifteenth", 15}, {"fifteen", 15}, {"tenth", 10}, {"thirtieth", 30},
		{"thirty", 30}, {"fifth", 5}, {"ten ", 10},
		{"двадцатипят", 25}, {"двадцат", 20}, {"пятнадцат", 15}, {"десят", 10},
		{"тридцат", 30}, {"пятилет", 5},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(norm, words[i].word))
			return words[i].n;
	return 0;
}
