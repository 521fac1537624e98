/* test_when.c: calendar arithmetic (util/date) and what "now" means for the
 * fact table (core/when): which terms are known on a day, how far the facts
 * run, and dates and ages in the three answer languages. */
#include "core/when.h"
#include "tap.h"
#include "core/ask.h"

static int32_t D(int y, int m, int d)
{
	return date_days(y, m, d);
}

TEST(day_numbers_round_trip_over_four_centuries)
{
	CHECK_INT(D(1970, 1, 1), 0);
	CHECK_INT(D(2000, 3, 1) - D(2000, 2, 28), 2); /* 2000 is a leap year */
	CHECK_INT(D(2100, 3, 1) - D(2100, 2, 28), 1); /* 2100 is not */
	for (int32_t d = D(1900, 1, 1); d <= D(2300, 12, 31); d += 37) {
		int y, m, dd;
		date_civil(d, &y, &m, &dd);
		CHECK_INT(D(y, m, dd), d);
	}
}

TEST(dates_parse_with_their_precision_and_span)
{
	struct pdate p;
	CHECK_INT(date_parse("2004", 4, &p), 0);
	CHECK_INT(p.prec, DATE_YEAR);
	CHECK_INT(p.first, D(2004, 1, 1));
	CHECK_INT(p.last, D(2004, 12, 31));
	CHECK_INT(date_parse("2024-02", 7, &p), 0);
	CHECK_INT(p.prec, DATE_MONTH);
	CHECK_INT(p.last, D(2024, 2, 29));
	CHECK_INT(date_parse("2019-01-01", 10, &p), 0);
	CHECK_INT(p.prec, DATE_DAY);
	CHECK_INT(p.first, p.last);
	CHECK_INT(date_parse("2027-02-29", 10, &p), -1);
	CHECK_INT(date_parse("2027-13-01", 10, &p), -1);
	CHECK_INT(date_parse("2027-1-01", 9, &p), -1);
	CHECK_INT(date_parse("20x7", 4, &p), -1);
	CHECK_INT(date_parse("", 0, &p), -1);
	CHECK_INT(date_parse("0999", 4, &p), -1);
}

TEST(whole_years_between_follow_the_anniversary_rule)
{
	CHECK_INT(date_years_between(D(2004, 1, 15), D(2014, 1, 15)), 10);
	CHECK_INT(date_years_between(D(2004, 1, 15), D(2014, 1, 14)), 9);
	CHECK_INT(date_years_between(D(2025, 1, 1), D(2026, 12, 6)), 1);
	CHECK_INT(date_add_years(D(2024, 2, 29), 1), D(2025, 2, 28));
	CHECK_INT(date_add_years(D(2004, 1, 15), 20), D(2024, 1, 15));
}

TEST(a_term_is_known_from_its_appointment_or_its_start)
{
	(void)ask; /* the shared helper's question form is not needed here */
	const struct facts *f = engine_facts(test_engine());
	const struct fact_sg *last = &f->sgs[f->n_sgs - 1];
	CHECK_STR(last->person->name.s[LANG_EN], "Nurlan Yermekbayev");
	CHECK(!when_term_known(last, D(2024, 7, 3)));
	CHECK(when_term_known(last, D(2024, 7, 4)));
	const struct fact_sg *v[4];
	CHECK_INT(when_sgs_on(f, D(2024, 12, 31), D(2026, 12, 6), v, 4), 1);
	CHECK_STR(v[0]->person->name.s[LANG_EN], "Zhang Ming");
	CHECK_INT(when_sgs_on(f, D(2025, 1, 1), D(2026, 12, 6), v, 4), 1);
	CHECK_STR(v[0]->person->name.s[LANG_EN], "Nurlan Yermekbayev");
	/* On 1 June 2024 nobody knew of Yermekbayev yet. */
	CHECK_INT(when_sgs_on(f, D(2025, 6, 1), D(2024, 6, 1), v, 4), 0);
	CHECK_INT(when_sgs_on(f, D(2028, 1, 1), D(2028, 1, 1), v, 4), 0);
	CHECK(when_last_known(f, D(2024, 6, 1)) == &f->sgs[f->n_sgs - 2]);
}

TEST(the_facts_run_to_the_newest_known_event)
{
	const struct facts *f = engine_facts(test_engine());
	const struct fact_sg *sg;
	bool appointed;
	struct pdate p = when_facts_run_to(f, D(2026, 12, 6), &sg, &appointed);
	CHECK_INT(p.first, D(2025, 1, 1));
	CHECK(!appointed);
	p = when_facts_run_to(f, D(2024, 8, 1), &sg, &appointed);
	CHECK_INT(p.first, D(2024, 7, 4));
	CHECK(appointed);
	p = when_facts_run_to(f, D(2004, 1, 15), &sg, &appointed);
	CHECK_INT(p.first, D(2004, 1, 15));
	CHECK(sg == NULL);
	/* Before the opening nothing is known: no "as of" after today. */
	p = when_facts_run_to(f, D(2003, 1, 1), &sg, &appointed);
	CHECK_INT(p.prec, DATE_NONE);
}

TEST(dates_and_ages_read_naturally_in_each_language)
{
	char b[64];
	struct pdate p = date_from_days(D(2025, 1, 1));
	CHECK_STR(when_date(LANG_EN, &p, true, b, sizeof(b)), "1 January 2025");
	CHECK_STR(when_date(LANG_RU, &p, true, b, sizeof(b)), "1 января 2025 года");
	CHECK_STR(when_date(LANG_ZH, &p, true, b, sizeof(b)), "2025年1月1日");
	CHECK_INT(date_parse("2010-01", 7, &p), 0);
	CHECK_STR(when_date(LANG_RU, &p, false, b, sizeof(b)), "январь 2010 года");
	CHECK_STR(when_date(LANG_RU, &p, true, b, sizeof(b)), "января 2010 года");
	CHECK_STR(when_age(LANG_EN, D(2025, 1, 1), D(2026, 12, 6), b, sizeof(b)),
	          "1 year 11 months");
	CHECK_STR(when_age(LANG_RU, D(2025, 1, 1), D(2026, 12, 6), b, sizeof(b)),
	          "1 год 11 месяцев");
	CHECK_STR(when_age(LANG_RU, D(2020, 1, 1), D(2025, 3, 2), b, sizeof(b)),
	          "5 лет 2 месяца");
	CHECK_STR(when_age(LANG_ZH, D(2025, 1, 1), D(2026, 12, 6), b, sizeof(b)), "1年11个月");
	CHECK_STR(when_age(LANG_EN, D(2025, 1, 1), D(2025, 1, 20), b, sizeof(b)),
	          "less than a month");
	CHECK_STR(when_ordinal(LANG_EN, 21, b, sizeof(b)), "21st");
	CHECK_STR(when_ordinal(LANG_EN, 12, b, sizeof(b)), "12th");
}

TEST(anniversaries_are_read_in_digits_words_and_han_numerals)
{
#define ANN(s) when_anniversary_number(s, strlen(s))
	CHECK_INT(ANN("who was sg at the 10th anniversary"), 10);
	CHECK_INT(ANN("20th anniversary of the secretariat in 2024"), 20);
	CHECK_INT(ANN("the twentieth anniversary"), 20);
	CHECK_INT(ANN("кто был генсеком на 10-летие секретариата"), 10);
	CHECK_INT(ANN("двадцатилетие секретариата"), 20);
	CHECK_INT(ANN("秘书处成立十周年时的秘书长"), 10);
	CHECK_INT(ANN("二十周年"), 20);
	CHECK_INT(ANN("二十五周年"), 25);
	CHECK_INT(ANN("anniversary in 2014"), 0);
#undef ANN
}

TAP_MAIN
