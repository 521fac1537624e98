/* test-facts.c: the default fact table — its content against the source
 * document, its sources and issues 2 and 7, and every index look-up the engine
 * relies on. Broken input is tested in test-facts-load.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/facts.h"
#include "tap.h"
#include "util/date.h"
#include "util/embed.h"

extern const struct embedded_file facts_embedded_files[];
extern const size_t facts_embedded_files_count;

#define MAX_SOURCE_BYTES (64u * 1024u) /* bytes; the source document is ~2.5 KB */

static struct facts *load_default(void)
{
	struct facts *f = NULL;
	struct facts_error err;
	int r = facts_load_embedded(&f, &err);
	if (r < 0) {
		char msg[512];
		facts_error_format(&err, msg, sizeof(msg));
		printf("# embedded facts failed to load: %s\n", msg);
	}
	return f;
}

/* The built-in files with `file` replaced by `data`: for the look-ups that
 * the real table has no case for (two terms in one year). */
static struct facts *load_replaced(const char *file, const char *data)
{
	struct facts_file v[FACTS_MAX_FILES];
	size_t n = 0;
	bool found = false;
	for (size_t i = 0; i < facts_embedded_files_count && n < FACTS_MAX_FILES; i++) {
		const struct embedded_file *ef = &facts_embedded_files[i];
		v[n++] = (struct facts_file){ef->name, ef->data, ef->len};
		if (strcmp(ef->name, file) == 0) {
			v[n - 1] = (struct facts_file){ef->name, data, strlen(data)};
			found = true;
		}
	}
	if (!found) {
		printf("# no built-in file %s\n", file);
		return NULL;
	}
	struct facts *f = NULL;
	struct facts_error err;
	if (facts_load_files(v, n, &f, &err) < 0) {
		char msg[512];
		facts_error_format(&err, msg, sizeof(msg));
		printf("# the edited facts do not load: %s\n", msg);
	}
	return f;
}

static const char *person_en(const struct fact_sg *sg)
{
	return sg && sg->person ? sg->person->name.s[LANG_EN] : NULL;
}

static bool l10n_complete(const struct l10n *t)
{
	for (int i = 0; i < LANG_COUNT; i++)
		if (!t->s[i] || !t->s[i][0])
			return false;
	return true;
}

static bool l10n_empty(const struct l10n *t)
{
	for (int i = 0; i < LANG_COUNT; i++)
		if (t->s[i])
			return false;
	return true;
}

TEST(embedded_table_loads)
{
	struct facts *f = load_default();
	CHECK(f != NULL);
	facts_free(f);
}

TEST(table_has_eight_secretaries_general_in_order)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	static const char *const names[] = {
		"Zhang Deguang", "Bolat Nurgaliyev", "Muratbek Imanaliev", "Dmitry Mezentsev",
		"Rashid Alimov", "Vladimir Norov", "Zhang Ming", "Nurlan Yermekbayev",
	};
	CHECK_INT(f->n_sgs, 8);
	for (size_t i = 0; i < f->n_sgs && i < 8; i++) {
		CHECK_STR(person_en(&f->sgs[i]), names[i]);
		CHECK_INT(f->sgs[i].order, i + 1);
	}
	facts_free(f);
}

static void check_pdate(const struct pdate *d, const char *text)
{
	struct pdate want;
	CHECK_INT(date_parse(text, strlen(text), &want), 0);
	if (d->prec != want.prec || d->first != want.first || d->last != want.last)
		printf("# date %04d-%02d-%02d (precision %d) is not %s\n", d->y, d->m, d->d,
		       d->prec, text);
	CHECK_INT(d->prec, want.prec);
	CHECK_INT(d->y, want.y);
	CHECK_INT(d->m, want.m);
	CHECK_INT(d->d, want.d);
	CHECK_INT(d->first, want.first);
	CHECK_INT(d->last, want.last);
}

/* Each date keeps the precision its sources give: Zhang Deguang's term is
 * known to the year, Nurgaliyev's start to the month, the later ones to the day. */
TEST(sg_dates_match_the_sources)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	static const char *const dates[8][2] = {
		{"2004", "2006"}, {"2007-01", "2009"}, {"2010-01", "2012"},
		{"2013-01-01", "2015-12-31"}, {"2016-01-01", "2018-12-31"},
		{"2019-01-01", "2021-12-31"}, {"2022-01-01", "2024-12-31"},
		{"2025-01-01", "2027-12-31"},
	};
	static const int years[8][2] = {
		{2004, 2006}, {2007, 2009}, {2010, 2012}, {2013, 2015},
		{2016, 2018}, {2019, 2021}, {2022, 2024}, {2025, 2027},
	};
	for (size_t i = 0; i < f->n_sgs && i < 8; i++) {
		check_pdate(&f->sgs[i].from, dates[i][0]);
		check_pdate(&f->sgs[i].to, dates[i][1]);
		CHECK_INT(f->sgs[i].first_year, years[i][0]);
		CHECK_INT(f->sgs[i].last_year, years[i][1]);
	}
	/* Each term starts the day after the previous one ends. */
	for (size_t i = 1; i < f->n_sgs; i++)
		CHECK_INT(f->sgs[i].from.first, f->sgs[i - 1].to.last + 1);
	facts_free(f);
}

TEST(yermekbayev_was_appointed_in_astana_on_4_july_2024)
{
	struct facts *f = load_default();
	if (!f || f->n_sgs < 8) {
		CHECK(f && f->n_sgs >= 8);
		facts_free(f);
		return;
	}
	const struct fact_sg *sg = &f->sgs[7];
	check_pdate(&sg->appointed, "2024-07-04");
	CHECK(l10n_complete(&sg->appointed_at));
	CHECK_CONTAINS(sg->appointed_at.s[LANG_EN], "Astana");
	CHECK_CONTAINS(sg->appointed_at.s[LANG_RU], "Астане");
	CHECK_CONTAINS(sg->appointed_at.s[LANG_ZH], "阿斯塔纳");
	CHECK(sg->source == NULL); /* the 2024 article does not name him */
	for (size_t i = 0; i < 7; i++) {
		CHECK_INT(f->sgs[i].appointed.prec, DATE_NONE);
		CHECK(l10n_empty(&f->sgs[i].appointed_at));
	}
	facts_free(f);
}

TEST(zhang_deguang_term_carries_the_executive_secretary_note)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	const struct fact_sg *sg = &f->sgs[0];
	CHECK(l10n_complete(&sg->note));
	CHECK_CONTAINS(sg->note.s[LANG_EN], "Executive Secretary");
	CHECK_CONTAINS(sg->note.s[LANG_RU], "Исполнительный секретарь");
	CHECK_CONTAINS(sg->note.s[LANG_ZH], "执行秘书");
	for (size_t i = 1; i < f->n_sgs; i++)
		if (strcmp(f->sgs[i].person->id, "vladimir-norov") != 0)
			CHECK(l10n_empty(&f->sgs[i].note));
	facts_free(f);
}

/* The article gives Norov's term as 2019-2022; the table says why it ends in 2021. */
TEST(norov_term_carries_the_editorial_note_on_2022)
{
	struct facts *f = load_default();
	const struct fact_sg *out[2] = {0};
	CHECK_INT(facts_sgs_of_person(f, facts_person(f, "vladimir-norov"), out, 2), 1);
	const struct fact_sg *sg = out[0];
	CHECK(sg && l10n_complete(&sg->note));
	if (sg) {
		CHECK_CONTAINS(sg->note.s[LANG_EN], "2019-2022");
		CHECK_CONTAINS(sg->note.s[LANG_EN], "31 December 2021");
		CHECK_CONTAINS(sg->note.s[LANG_RU], "31 декабря 2021");
		CHECK_CONTAINS(sg->note.s[LANG_ZH], "2021年12月31日");
	}
	facts_free(f);
}

TEST(opening_has_seven_attendees_in_source_order)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	static const char *const people[] = {
		"li-zhaoxing", "kassym-jomart-tokayev", "askar-aitmatov", "sergei-ivanov",
		"talbak-nazarov", "sodiq-safoyev", "zhang-deguang",
	};
	static const char *const countries[] = {"cn", "kz", "kg", "ru", "tj", "uz", NULL};
	CHECK_INT(f->n_attendees, 7);
	for (size_t i = 0; i < f->n_attendees && i < 7; i++) {
		const struct fact_attendee *at = &f->attendees[i];
		CHECK_STR(at->person->id, people[i]);
		if (countries[i])
			CHECK(at->country && strcmp(at->country->id, countries[i]) == 0);
		else
			CHECK(at->country == NULL);
		CHECK(l10n_complete(&at->role));
	}
	facts_free(f);
}

TEST(only_sergei_ivanov_carries_the_foreign_minister_note)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	for (size_t i = 0; i < f->n_attendees; i++) {
		const struct fact_attendee *at = &f->attendees[i];
		if (strcmp(at->person->id, "sergei-ivanov") == 0) {
			CHECK(l10n_complete(&at->note));
			CHECK_CONTAINS(at->note.s[LANG_EN], "Igor Ivanov");
			CHECK_CONTAINS(at->note.s[LANG_EN], "Defence Minister");
			CHECK_CONTAINS(at->note.s[LANG_RU], "Игорь Иванов");
			CHECK_CONTAINS(at->note.s[LANG_ZH], "伊戈尔·伊万诺夫");
			CHECK_STR(at->role.s[LANG_EN], "Foreign Minister");
		} else {
			CHECK(l10n_empty(&at->note));
		}
	}
	facts_free(f);
}

TEST(opening_date_and_place)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	CHECK_INT(f->opening.year, 2004);
	CHECK_INT(f->opening.month, 1);
	CHECK_INT(f->opening.day, 15);
	CHECK_STR(f->opening.date_text.s[LANG_EN], "15 January 2004");
	CHECK_STR(f->opening.date_text.s[LANG_RU], "15 января 2004 года");
	CHECK_STR(f->opening.date_text.s[LANG_ZH], "2004年1月15日");
	CHECK_CONTAINS(f->opening.place.s[LANG_EN], "Beijing");
	CHECK(l10n_complete(&f->opening.place));
	CHECK(f->opening.source && strcmp(f->opening.source->id, "s01") == 0);
	facts_free(f);
}

/* The sentences belong to the January 2024 anniversary article, and only it
 * holds the document. */
TEST(document_belongs_to_the_anniversary_article)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	CHECK_STR(f->document, "000_d8b520af193bdaba.txt");
	const struct fact_source *doc = f->document_source;
	CHECK(doc != NULL);
	if (doc) {
		CHECK_STR(doc->id, "sco-2024-anniversary");
		CHECK_INT(doc->kind, SOURCE_ARTICLE);
		CHECK_STR(doc->publisher, "SCO Secretariat");
		CHECK_STR(doc->document, f->document);
		CHECK(facts_source(f, "sco-2024-anniversary") == doc);
		check_pdate(&doc->published, "2024-01-16");
		check_pdate(&doc->retrieved, "2026-12-06");
	}
	size_t holders = 0;
	for (size_t i = 0; i < f->n_sources; i++)
		holders += f->sources[i].document != NULL;
	CHECK_INT(holders, 1);
	facts_free(f);
}

/* Every source says who published it, what it is and when it was read (to the
 * day); none was published after it was retrieved. The built-in ones were all
 * read on 6 December 2026 and all have a URL. */
TEST(sources_are_complete_and_dated)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	CHECK_INT(f->n_sources, 21);
	size_t kinds[3] = {0};
	for (size_t i = 0; i < f->n_sources; i++) {
		const struct fact_source *s = &f->sources[i];
		CHECK(s->id && s->publisher && s->publisher[0] && s->title && s->title[0]);
		CHECK(facts_source(f, s->id) == s);
		CHECK(s->kind <= SOURCE_NEWS);
		if (s->kind <= SOURCE_NEWS)
			kinds[s->kind]++;
		CHECK(s->url && (strncmp(s->url, "https://", 8) == 0 ||
		                 strncmp(s->url, "http://", 7) == 0));
		CHECK_INT(s->retrieved.prec, DATE_DAY);
		CHECK_INT(s->retrieved.first, date_days(2026, 12, 6));
		CHECK(s->published.prec <= DATE_DAY);
		if (s->published.prec)
			CHECK(s->published.first <= s->retrieved.last);
	}
	CHECK_INT(kinds[SOURCE_ARTICLE], 1);
	CHECK_INT(kinds[SOURCE_OFFICIAL], 4);
	CHECK_INT(kinds[SOURCE_NEWS], 16);
	/* An undated official page and a source dated to the month stay so. */
	const struct fact_source *page = facts_source(f, "sco-secretariat-page");
	CHECK(page && page->kind == SOURCE_OFFICIAL && page->published.prec == DATE_NONE);
	const struct fact_source *kapital = facts_source(f, "kapital-2019-norov");
	if (kapital)
		check_pdate(&kapital->published, "2019-01");
	CHECK(kapital != NULL);
	facts_free(f);
}

TEST(office_rules_are_one_three_year_term)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	CHECK_INT(f->office.term_years, 3);
	CHECK(!f->office.renewable);
	CHECK_INT(f->office.sources.n, 2);
	if (f->office.sources.n == 2) {
		CHECK_STR(f->office.sources.v[0]->id, "sco-secretariat-page");
		CHECK_STR(f->office.sources.v[1]->id, "kt-2024-yermekbayev");
	}
	facts_free(f);
}

/* The loader's rule, seen from the table: every change of office holder rests
 * on at least two sources by different publishers. */
TEST(every_term_has_two_independent_sources)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	for (size_t i = 0; i < f->n_sgs; i++) {
		const struct fact_refs *r = &f->sgs[i].sources;
		size_t publishers = 0;
		for (size_t j = 0; j < r->n; j++) {
			bool seen = false;
			for (size_t k = 0; k < j; k++)
				seen |= strcmp(r->v[j]->publisher, r->v[k]->publisher) == 0;
			publishers += !seen;
		}
		if (publishers < 2)
			printf("# term of %s has %zu publishers\n", f->sgs[i].person->id, publishers);
		CHECK(publishers >= 2);
	}
	facts_free(f);
}

TEST(departments_fact_lists_six_items)
{
	struct facts *f = load_default();
	const struct fact *d = facts_get(f, "departments");
	CHECK(d != NULL);
	if (d) {
		static const char *const en[] = {
			"political", "economic", "humanitarian", "information and analytical",
			"administrative and legal affairs", "international relations",
		};
		CHECK_INT(d->n_items, 6);
		for (size_t i = 0; i < d->n_items && i < 6; i++) {
			CHECK_STR(d->items[i].s[LANG_EN], en[i]);
			CHECK(l10n_complete(&d->items[i]));
		}
	}
	facts_free(f);
}

TEST(five_facts_have_the_functions_topic)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < f->n_facts; i++)
		n += strcmp(f->facts[i].topic, "functions") == 0;
	CHECK_INT(n, 5);
	static const char *const ids[] = {
		"functions.coordination", "functions.legal", "functions.depository",
		"functions.meetings", "functions.relations",
	};
	for (size_t i = 0; i < 5; i++) {
		const struct fact *fact = facts_get(f, ids[i]);
		CHECK(fact && strcmp(fact->topic, "functions") == 0);
	}
	facts_free(f);
}

TEST(staff_fact_says_36_officials_in_every_language)
{
	struct facts *f = load_default();
	const struct fact *s = facts_get(f, "staff.officials");
	CHECK(s != NULL);
	if (s) {
		CHECK_CONTAINS(s->text.s[LANG_EN], "36 officials");
		CHECK_CONTAINS(s->text.s[LANG_RU], "36");
		CHECK_CONTAINS(s->text.s[LANG_ZH], "36");
		CHECK_CONTAINS(s->text.s[LANG_EN], "quota");
	}
	const struct fact *t = facts_get(f, "staff.technical");
	CHECK(t && strstr(t->text.s[LANG_EN], "host country"));
	facts_free(f);
}

TEST(every_required_fact_is_present)
{
	struct facts *f = load_default();
	static const char *const ids[] = {
		"opening.ceremony", "opening.messages", "sg.renamed", "sg.appointment", "sg.term",
		"secretariat.seat", "secretariat.anniversaries", "representatives", "staff.officials", "staff.technical", "departments",
		"functions.coordination", "functions.legal", "functions.depository",
		"functions.meetings", "functions.relations",
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct fact *fact = facts_get(f, ids[i]);
		if (!fact)
			printf("# missing fact %s\n", ids[i]);
		CHECK(fact != NULL);
	}
	facts_free(f);
}

TEST(facts_array_is_sorted_by_id)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	for (size_t i = 1; i < f->n_facts; i++)
		CHECK(strcmp(f->facts[i - 1].id, f->facts[i].id) < 0);
	facts_free(f);
}

/* Issue 7: "Nothing is silently shown in the wrong language." */
TEST(every_localised_string_exists_in_three_languages)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	for (size_t i = 0; i < f->n_countries; i++) {
		CHECK(l10n_complete(&f->countries[i].name));
		CHECK(l10n_complete(&f->countries[i].short_name));
		for (int lang = 0; lang < LANG_COUNT; lang++)
			CHECK(f->countries[i].aliases[lang].n > 0);
	}
	for (size_t i = 0; i < f->n_people; i++) {
		CHECK(l10n_complete(&f->people[i].name));
		CHECK(f->people[i].checked && f->people[i].checked[0]);
		CHECK(f->people[i].country != NULL);
	}
	for (size_t i = 0; i < f->n_sgs; i++) {
		CHECK(l10n_empty(&f->sgs[i].note) || l10n_complete(&f->sgs[i].note));
		CHECK(l10n_empty(&f->sgs[i].appointed_at) || l10n_complete(&f->sgs[i].appointed_at));
	}
	for (size_t i = 0; i < f->n_facts; i++) {
		const struct fact *fact = &f->facts[i];
		CHECK(l10n_complete(&fact->text));
		CHECK(l10n_empty(&fact->note) || l10n_complete(&fact->note));
		for (size_t j = 0; j < fact->n_items; j++)
			CHECK(l10n_complete(&fact->items[j]));
		for (int lang = 0; lang < LANG_COUNT; lang++)
			CHECK(fact->keywords[lang].n > 0);
	}
	facts_free(f);
}

/* Issue 7 names the standard forms that the SCO and news agencies use. */
TEST(names_use_the_standard_russian_and_chinese_forms)
{
	struct facts *f = load_default();
	static const char *const forms[][3] = {
		{"zhang-deguang", "Чжан Дэгуан", "张德广"},
		{"bolat-nurgaliyev", "Болат Нургалиев", "博拉特·努尔加利耶夫"},
		{"muratbek-imanaliev", "Муратбек Иманалиев", NULL},
		{"dmitry-mezentsev", "Дмитрий Мезенцев", "德米特里·梅津采夫"},
		{"rashid-alimov", "Рашид Алимов", "拉希德·阿利莫夫"},
		{"vladimir-norov", "Владимир Норов", "弗拉基米尔·诺罗夫"},
		{"zhang-ming", "Чжан Мин", "张明"},
		{"nurlan-yermekbayev", "Нурлан Ермекбаев", "努尔兰·叶尔梅克巴耶夫"},
		{"li-zhaoxing", "Ли Чжаосин", "李肇星"},
		{"kassym-jomart-tokayev", "Касым-Жомарт Токаев", NULL},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const struct fact_person *p = facts_person(f, forms[i][0]);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_STR(p->name.s[LANG_RU], forms[i][1]);
		if (forms[i][2])
			CHECK_STR(p->name.s[LANG_ZH], forms[i][2]);
	}
	facts_free(f);
}

TEST(kyrgyz_republic_and_kyrgyzstan_are_one_country)
{
	struct facts *f = load_default();
	const struct fact_country *kg = facts_country(f, "kg");
	CHECK(kg != NULL);
	if (kg) {
		CHECK_STR(kg->name.s[LANG_EN], "Kyrgyz Republic");
		bool republic = false, kyrgyzstan = false, of = false;
		for (size_t i = 0; i < kg->aliases[LANG_EN].n; i++) {
			republic |= strcmp(kg->aliases[LANG_EN].v[i], "kyrgyz republic") == 0;
			kyrgyzstan |= strcmp(kg->aliases[LANG_EN].v[i], "kyrgyzstan") == 0;
			of |= strcmp(kg->aliases[LANG_EN].v[i], "republic of kyrgyzstan") == 0;
		}
		CHECK(republic && kyrgyzstan && of);
	}
	facts_free(f);
}

/* Norov's term ends on 31 December 2021, so 2022 is Zhang Ming's alone. */
TEST(sg_in_2022_is_zhang_ming_only)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_in_year(f, 2022, out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Ming");
	CHECK_INT(facts_sgs_in_year(f, 2021, out, 4), 1);
	CHECK_STR(person_en(out[0]), "Vladimir Norov");
	facts_free(f);
}

/* A hand-over in mid-year (a table edited so that Norov leaves on 30 June
 * 2022): both terms of that year, in order, and no more than asked for. */
TEST(sgs_in_a_year_with_a_hand_over_are_both_in_order_and_respect_max)
{
	struct facts *f = load_replaced(
		"secretaries_general.json",
		"{\"secretaries_general\": ["
		"{\"person\": \"vladimir-norov\", \"country\": \"uz\", \"from\": \"2019-07-01\", "
		"\"to\": \"2022-06-30\", \"sources\": [\"app-2019-norov\", \"kapital-2019-norov\"]}, "
		"{\"person\": \"zhang-ming\", \"country\": \"cn\", \"from\": \"2022-07-01\", "
		"\"to\": null, \"sources\": [\"ht-2022-zhang-ming\", \"pti-2022-zhang-ming\"]}]}");
	CHECK(f != NULL);
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_in_year(f, 2022, out, 4), 2);
	CHECK_STR(person_en(out[0]), "Vladimir Norov");
	CHECK_STR(person_en(out[1]), "Zhang Ming");
	out[0] = out[1] = NULL;
	CHECK_INT(facts_sgs_in_year(f, 2022, out, 1), 1);
	CHECK_STR(person_en(out[0]), "Vladimir Norov");
	CHECK(out[1] == NULL);
	/* By the day, the hand-over has one holder on each side. */
	CHECK_INT(facts_sgs_on_day(f, date_days(2022, 6, 30), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Vladimir Norov");
	CHECK_INT(facts_sgs_on_day(f, date_days(2022, 7, 1), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Ming");
	facts_free(f);
}

TEST(sgs_in_1999_is_nobody)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_in_year(f, 1999, out, 4), 0);
	CHECK_INT(facts_sgs_in_year(f, 2003, out, 4), 0);
	facts_free(f);
}

TEST(sg_in_2011_is_imanaliev)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_in_year(f, 2011, out, 4), 1);
	CHECK_STR(person_en(out[0]), "Muratbek Imanaliev");
	facts_free(f);
}

/* Every year from 2004 to the end of the last known term has exactly one
 * holder; after 2027 the table knows nobody. */
TEST(every_year_from_2004_to_2027_has_one_secretary_general)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4];
	for (int y = 2004; y <= 2030; y++) {
		size_t n = facts_sgs_in_year(f, y, out, 4);
		if (n != (y <= 2027 ? 1u : 0u))
			printf("# year %d: %zu terms\n", y, n);
		CHECK_INT(n, y <= 2027 ? 1 : 0);
	}
	CHECK_INT(facts_sgs_in_year(f, 2004, out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Deguang");
	CHECK_INT(facts_sgs_in_year(f, 2027, out, 4), 1);
	CHECK_STR(person_en(out[0]), "Nurlan Yermekbayev");
	facts_free(f);
}

/* On the tests' today (6 December 2026) the holder is Nurlan Yermekbayev; the
 * hand-over from Zhang Ming is at midnight between 2024 and 2025. */
TEST(sg_on_a_day_follows_the_dated_terms)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_on_day(f, date_days(2026, 12, 6), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Nurlan Yermekbayev");
	CHECK_INT(facts_sgs_on_day(f, date_days(2024, 12, 31), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Ming");
	CHECK_INT(facts_sgs_on_day(f, date_days(2025, 1, 1), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Nurlan Yermekbayev");
	CHECK_INT(facts_sgs_on_day(f, date_days(2022, 1, 1), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Ming");
	CHECK_INT(facts_sgs_on_day(f, date_days(2021, 12, 31), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Vladimir Norov");
	/* Year precision: Zhang Deguang's term covers all of 2004 to 2006. */
	CHECK_INT(facts_sgs_on_day(f, date_days(2004, 1, 1), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Deguang");
	CHECK_INT(facts_sgs_on_day(f, date_days(2006, 12, 31), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Zhang Deguang");
	CHECK_INT(facts_sgs_on_day(f, date_days(2007, 1, 1), out, 4), 1);
	CHECK_STR(person_en(out[0]), "Bolat Nurgaliyev");
	/* Before the first term and after the last, nobody. */
	CHECK_INT(facts_sgs_on_day(f, date_days(2003, 12, 31), out, 4), 0);
	CHECK_INT(facts_sgs_on_day(f, date_days(2028, 1, 1), out, 4), 0);
	CHECK_INT(facts_sgs_on_day(f, date_days(2026, 12, 6), out, 0), 0);
	facts_free(f);
}

TEST(sgs_of_china_are_both_zhangs)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_of_country(f, facts_country(f, "cn"), out, 4), 2);
	CHECK_STR(person_en(out[0]), "Zhang Deguang");
	CHECK_STR(person_en(out[1]), "Zhang Ming");
	facts_free(f);
}

TEST(sgs_of_kazakhstan_are_nurgaliyev_then_yermekbayev)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_of_country(f, facts_country(f, "kz"), out, 4), 2);
	CHECK_STR(person_en(out[0]), "Bolat Nurgaliyev");
	CHECK_STR(person_en(out[1]), "Nurlan Yermekbayev");
	facts_free(f);
}

TEST(sgs_of_person_finds_the_term)
{
	struct facts *f = load_default();
	const struct fact_sg *out[4] = {0};
	CHECK_INT(facts_sgs_of_person(f, facts_person(f, "rashid-alimov"), out, 4), 1);
	CHECK_INT(out[0] ? out[0]->first_year : 0, 2016);
	CHECK_INT(facts_sgs_of_person(f, facts_person(f, "li-zhaoxing"), out, 4), 0);
	facts_free(f);
}

TEST(attendee_of_kazakhstan_is_tokayev)
{
	struct facts *f = load_default();
	const struct fact_attendee *at = facts_attendee_of_country(f, facts_country(f, "kz"));
	CHECK(at && strcmp(at->person->id, "kassym-jomart-tokayev") == 0);
	facts_free(f);
}

TEST(attendee_of_zhang_deguang_has_no_country)
{
	struct facts *f = load_default();
	const struct fact_attendee *at = facts_attendee_of_person(f, facts_person(f, "zhang-deguang"));
	CHECK(at != NULL);
	if (at) {
		CHECK(at->country == NULL);
		CHECK_STR(at->role.s[LANG_EN], "SCO Executive Secretary");
	}
	CHECK(facts_attendee_of_person(f, facts_person(f, "zhang-ming")) == NULL);
	facts_free(f);
}

TEST(lookups_of_unknown_ids_return_null)
{
	struct facts *f = load_default();
	CHECK(facts_get(f, "no.such.fact") == NULL);
	CHECK(facts_person(f, "igor-ivanov") == NULL);
	CHECK(facts_country(f, "in") == NULL);
	CHECK(facts_sentence(f, "s13") == NULL);
	CHECK(facts_get(f, NULL) == NULL);
	CHECK(facts_get(NULL, "departments") == NULL);
	facts_free(f);
}

/* A pointer from another table must match nothing instead of indexing past
 * the end of this one. */
TEST(lookups_with_foreign_pointers_match_nothing)
{
	struct facts *a = load_default(), *b = load_default();
	if (!a || !b) {
		CHECK(a && b);
		facts_free(a);
		facts_free(b);
		return;
	}
	const struct fact_sg *out[4];
	CHECK_INT(facts_sgs_of_country(a, facts_country(b, "cn"), out, 4), 0);
	CHECK_INT(facts_sgs_of_person(a, facts_person(b, "zhang-ming"), out, 4), 0);
	CHECK(facts_attendee_of_person(a, facts_person(b, "li-zhaoxing")) == NULL);
	CHECK(facts_attendee_of_country(a, NULL) == NULL);
	facts_free(a);
	facts_free(b);
}

TEST(facts_free_accepts_null)
{
	facts_free(NULL);
	CHECK(1); /* reaching here without a crash is the behaviour */
}

/* A record's sources: at least one, each in the table; a quoted sentence is
 * a sentence of the table, and its source (the document's) comes first. */
static void check_refs(const struct facts *f, const struct fact_sentence *sentence,
                       const struct fact_refs *refs, const char *what)
{
	if (refs->n == 0)
		printf("# %s names no source\n", what);
	CHECK(refs->n >= 1);
	for (size_t i = 0; i < refs->n; i++)
		CHECK(refs->v[i] && facts_source(f, refs->v[i]->id) == refs->v[i]);
	if (sentence) {
		CHECK(facts_sentence(f, sentence->id) == sentence);
		CHECK(refs->n >= 1 && refs->v[0] == f->document_source);
	}
}

/* Every fact, term and attendee says where it comes from. */
TEST(every_source_reference_resolves)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	for (size_t i = 0; i < f->n_facts; i++)
		check_refs(f, f->facts[i].source, &f->facts[i].sources, f->facts[i].id);
	for (size_t i = 0; i < f->n_sgs; i++)
		check_refs(f, f->sgs[i].source, &f->sgs[i].sources, f->sgs[i].person->id);
	for (size_t i = 0; i < f->n_attendees; i++)
		check_refs(f, f->attendees[i].source, &f->attendees[i].sources,
		           f->attendees[i].person->id);
	check_refs(f, f->opening.source, &f->opening.sources, "the opening");
	check_refs(f, NULL, &f->office.sources, "the office");
	/* The new facts rest on named sources, not only on the article. */
	const struct fact *term = facts_get(f, "sg.term");
	CHECK(term && term->source == NULL && term->sources.n == 2);
	const struct fact *seat = facts_get(f, "secretariat.seat");
	CHECK(seat && seat->source && strcmp(seat->source->id, "s01") == 0 &&
	      seat->sources.n == 2 && seat->sources.v[1] == facts_source(f, "sco-secretariat-page"));
	facts_free(f);
}

/* The document lives in ../shared/sources, beside the repository: a bare
 * clone has no such directory, and the test skips. A directory that is there
 * but lacks the document is a failure: the facts name a file it should hold. */
static char *read_source_document(const char *name)
{
	const char *dir = getenv("SCOBOT_SOURCES_DIR");
	if (!dir) {
		printf("# SCOBOT_SOURCES_DIR is not set: run this test through meson\n");
		return NULL;
	}
	struct stat st;
	int sr = stat(dir, &st), se = errno;
	if (sr < 0 && se != ENOENT && se != ENOTDIR) {
		printf("# cannot look at %s: %s\n", dir, strerror(se));
		return NULL;
	}
	if (sr < 0 || !S_ISDIR(st.st_mode)) {
		printf("# %s: %s\n", dir, sr < 0 ? strerror(se) : "not a directory");
		TAP_SKIP("../shared/sources not present");
		return NULL;
	}
	if (!name) {
		printf("# the table names no source document\n");
		return NULL;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		printf("# cannot open the source document %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *buf = calloc(1, MAX_SOURCE_BYTES + 1);
	size_t n = buf ? fread(buf, 1, MAX_SOURCE_BYTES, fp) : 0;
	fclose(fp);
	if (buf && n == 0) {
		printf("# the source document %s is empty\n", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* The table quotes its source; a sentence that is not verbatim would put words
 * in the article's mouth. */
TEST(every_sentence_is_verbatim_in_the_source_document)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	char *doc = read_source_document(f->document);
	CHECK(doc != NULL || tap_skip_now);
	if (doc) {
		CHECK_INT(f->n_sentences, 12);
		for (size_t i = 0; i < f->n_sentences; i++) {
			if (!strstr(doc, f->sentences[i].text))
				printf("# sentence %s is not in the source\n", f->sentences[i].id);
			CHECK(strstr(doc, f->sentences[i].text) != NULL);
		}
	}
	free(doc);
	facts_free(f);
}

/* Every sentence of the document is in the table, so no fact is left out. */
TEST(every_sentence_of_the_source_document_is_in_the_table)
{
	struct facts *f = load_default();
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	char *doc = read_source_document(f->document);
	CHECK(doc != NULL || tap_skip_now);
	if (doc) {
		/* Blank out every known sentence; only separators may remain. */
		for (size_t i = 0; i < f->n_sentences; i++) {
			char *at = strstr(doc, f->sentences[i].text);
			if (at)
				memset(at, ' ', strlen(f->sentences[i].text));
		}
		for (const char *p = doc; *p; p++) {
			if (*p != ' ' && *p != '\n') {
				printf("# text not in any sentence: \"%.40s\"\n", p);
				CHECK(0);
				break;
			}
		}
	}
	free(doc);
	facts_free(f);
}

static void same_l10n(const struct l10n *a, const struct l10n *b)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		if (!a->s[i] || !b->s[i])
			CHECK(a->s[i] == b->s[i]);
		else
			CHECK_STR(a->s[i], b->s[i]);
	}
}

static void same_aliases(const struct fact_aliases *a, const struct fact_aliases *b)
{
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		CHECK_INT(a[lang].n, b[lang].n);
		for (size_t i = 0; i < a[lang].n && i < b[lang].n; i++)
			CHECK_STR(a[lang].v[i], b[lang].v[i]);
	}
}

#define SAME_ID(x, y) CHECK(((x) == NULL) == ((y) == NULL) && (!(x) || !strcmp((x)->id, (y)->id)))

static void same_pdate(const struct pdate *a, const struct pdate *b)
{
	CHECK_INT(a->prec, b->prec);
	CHECK_INT(a->first, b->first);
	CHECK_INT(a->last, b->last);
}

static void same_refs(const struct fact_refs *a, const struct fact_refs *b)
{
	CHECK_INT(a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++)
		CHECK_STR(a->v[i]->id, b->v[i]->id);
}

static void same_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		CHECK(a == b);
	else
		CHECK_STR(a, b);
}

static void same_table(const struct facts *a, const struct facts *b)
{
	CHECK_STR(a->document, b->document);
	SAME_ID(a->document_source, b->document_source);
	CHECK_INT(a->n_sources, b->n_sources);
	for (size_t i = 0; i < a->n_sources && i < b->n_sources; i++) {
		const struct fact_source *x = &a->sources[i], *y = &b->sources[i];
		CHECK_STR(x->id, y->id);
		CHECK_INT(x->kind, y->kind);
		CHECK_STR(x->publisher, y->publisher);
		CHECK_STR(x->title, y->title);
		same_str_or_null(x->url, y->url);
		same_pdate(&x->published, &y->published);
		same_pdate(&x->retrieved, &y->retrieved);
		same_str_or_null(x->document, y->document);
	}
	CHECK_INT(a->office.term_years, b->office.term_years);
	CHECK_INT(a->office.renewable, b->office.renewable);
	same_refs(&a->office.sources, &b->office.sources);
	CHECK_INT(a->n_sentences, b->n_sentences);
	for (size_t i = 0; i < a->n_sentences && i < b->n_sentences; i++) {
		CHECK_STR(a->sentences[i].id, b->sentences[i].id);
		CHECK_STR(a->sentences[i].text, b->sentences[i].text);
	}
	CHECK_INT(a->n_countries, b->n_countries);
	for (size_t i = 0; i < a->n_countries && i < b->n_countries; i++) {
		CHECK_STR(a->countries[i].id, b->countries[i].id);
		same_l10n(&a->countries[i].name, &b->countries[i].name);
		same_l10n(&a->countries[i].short_name, &b->countries[i].short_name);
		same_aliases(a->countries[i].aliases, b->countries[i].aliases);
	}
	CHECK_INT(a->n_people, b->n_people);
	for (size_t i = 0; i < a->n_people && i < b->n_people; i++) {
		CHECK_STR(a->people[i].id, b->people[i].id);
		same_l10n(&a->people[i].name, &b->people[i].name);
		SAME_ID(a->people[i].country, b->people[i].country);
		same_aliases(a->people[i].aliases, b->people[i].aliases);
		CHECK_STR(a->people[i].checked, b->people[i].checked);
	}
	CHECK_INT(a->n_sgs, b->n_sgs);
	for (size_t i = 0; i < a->n_sgs && i < b->n_sgs; i++) {
		SAME_ID(a->sgs[i].person, b->sgs[i].person);
		SAME_ID(a->sgs[i].country, b->sgs[i].country);
		CHECK_INT(a->sgs[i].first_year, b->sgs[i].first_year);
		CHECK_INT(a->sgs[i].last_year, b->sgs[i].last_year);
		CHECK_INT(a->sgs[i].order, b->sgs[i].order);
		same_pdate(&a->sgs[i].from, &b->sgs[i].from);
		same_pdate(&a->sgs[i].to, &b->sgs[i].to);
		same_pdate(&a->sgs[i].appointed, &b->sgs[i].appointed);
		same_l10n(&a->sgs[i].appointed_at, &b->sgs[i].appointed_at);
		same_l10n(&a->sgs[i].note, &b->sgs[i].note);
		SAME_ID(a->sgs[i].source, b->sgs[i].source);
		same_refs(&a->sgs[i].sources, &b->sgs[i].sources);
	}
	CHECK_INT(a->n_attendees, b->n_attendees);
	for (size_t i = 0; i < a->n_attendees && i < b->n_attendees; i++) {
		SAME_ID(a->attendees[i].person, b->attendees[i].person);
		SAME_ID(a->attendees[i].country, b->attendees[i].country);
		same_l10n(&a->attendees[i].role, &b->attendees[i].role);
		same_l10n(&a->attendees[i].note, &b->attendees[i].note);
		SAME_ID(a->attendees[i].source, b->attendees[i].source);
		same_refs(&a->attendees[i].sources, &b->attendees[i].sources);
	}
	CHECK_INT(a->n_facts, b->n_facts);
	for (size_t i = 0; i < a->n_facts && i < b->n_facts; i++) {
		const struct fact *x = &a->facts[i], *y = &b->facts[i];
		CHECK_STR(x->id, y->id);
		CHECK_STR(x->topic, y->topic);
		same_l10n(&x->text, &y->text);
		same_l10n(&x->note, &y->note);
		CHECK_INT(x->n_items, y->n_items);
		for (size_t j = 0; j < x->n_items && j < y->n_items; j++)
			same_l10n(&x->items[j], &y->items[j]);
		same_aliases(x->keywords, y->keywords);
		SAME_ID(x->source, y->source);
		same_refs(&x->sources, &y->sources);
	}
	CHECK_INT(a->opening.year, b->opening.year);
	CHECK_INT(a->opening.month, b->opening.month);
	CHECK_INT(a->opening.day, b->opening.day);
	same_l10n(&a->opening.date_text, &b->opening.date_text);
	same_l10n(&a->opening.place, &b->opening.place);
	SAME_ID(a->opening.source, b->opening.source);
	same_refs(&a->opening.sources, &b->opening.sources);
}

TEST(load_dir_of_repo_facts_equals_embedded_table)
{
	const char *dir = getenv("SCOBOT_FACTS_DIR");
	CHECK(dir != NULL);
	if (!dir)
		return;
	struct facts *a = load_default(), *b = NULL;
	struct facts_error err;
	int r = facts_load_dir(dir, &b, &err);
	if (r < 0) {
		char msg[512];
		facts_error_format(&err, msg, sizeof(msg));
		printf("# %s\n", msg);
	}
	CHECK_INT(r, 0);
	if (a && b)
		same_table(a, b);
	facts_free(a);
	facts_free(b);
}

TAP_MAIN
