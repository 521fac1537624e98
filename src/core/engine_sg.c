/* engine_sg.c: the Secretary-General answers: who holds the post now, in a
 * year, from a country; a person's term, when it ends and who came before or
 * after; the office's rules; the `sg` command's argument and its completion. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* English official names of states ("Republic of Kazakhstan", "Russian
 * Federation") take the article after a preposition: "from the Republic of". */
static const char *country_after_prep(struct ctx *c, const struct fact_country *co,
                                      char *buf, size_t size)
{
	const char *n = country_name(c, co);
	if (c->lang == LANG_EN && (strstr(n, "Republic") || strstr(n, "Federation") ||
	                           strstr(n, "Kingdom") || strstr(n, "United ")))
		snprintf(buf, size, "the %s", n);
	else
		snprintf(buf, size, "%s", n);
	return buf;
}


static void sg_sources(struct ctx *c, const struct fact_sg *sg)
{
	if (!at_line_start(c->a))
		answer_break(c->a);
	emit(c, M_SOURCES, sg_text(c, sg, SGD_SOURCES));
}

static void sg_item(struct ctx *c, const struct fact_sg *sg)
{
	answer_item(c->a);
	emit(c, M_SG_ITEM, L(c, &sg->person->name), country_name(c, sg->country),
	     sg_text(c, sg, SGD_TERM));
	answer_break(c->a);
}

static void sg_notes(struct ctx *c, const struct fact_sg *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		eng_note_about(c, &v[i]->note, n > 1 ? L(c, &v[i]->person->name) : NULL);
}

static void sg_fields(struct ctx *c, const struct fact_sg *const *v, size_t n)
{
	answer_end_body(c->a);
	for (size_t i = 0; i < n && i < ANSWER_MAX_FIELDS; i++) {
		answer_field_begin(c->a, L(c, &v[i]->person->name));
		emit(c, M_FIELD_TERM, country_name(c, v[i]->country),
		     sg_text(c, v[i], SGD_TERM));
		answer_field_end(c->a);
	}
}

/* Who held the post on `today`, or why that cannot be said. Returns the term,
 * or NULL after saying "not sure". */
const struct fact_sg *eng_sg_today(struct ctx *c, bool say)
{
	const struct fact_sg *v[4];
	char d[64];
	size_t n = when_sgs_on(c->f, c->today, c->today, v, 4);
	if (n >= 1)
		return v[n - 1];
	if (!say)
		return NULL;
	const struct fact_sg *last = when_last_known(c->f, c->today);
	struct pdate now = date_from_days(c->today);
	if (!last || c->today < c->f->sgs[0].from.first) {
		const struct fact_opening *op = &c->f->opening;
		char y[16];
		snprintf(y, sizeof(y), "%d", now.y);
		emit(c, M_SG_BEFORE, y, L(c, &op->date_text), L(c, &op->place));
	} else {
		emit(c, M_SG_UNKNOWN_NOW, when_date(c->lang, &now, false, d, sizeof(d)),
		     L(c, &last->person->name), country_name(c, last->country),
		     sg_text(c, last, SGD_TO));
	}
	c->a->status = ANSWER_NOT_SURE;
	return NULL;
}

void eng_answer_sg_current(struct ctx *c)
{
	c->a->command = "sg";
	const struct fact_sg *sg = eng_sg_today(c, true);
	if (sg) {
		if (sg->to.prec)
			emit(c, M_SG_NOW, L(c, &sg->person->name), country_name(c, sg->country),
			     sg_text(c, sg, SGD_FROM), sg_text(c, sg, SGD_TO));
		else
			emit(c, M_SG_NOW_OPEN, L(c, &sg->person->name), country_name(c, sg->country),
			     sg_text(c, sg, SGD_FROM));
		note(c, &sg->note);
		sg_sources(c, sg);
	}
	eng_as_of(c);
}

/* Every term known today, in order; with `count`, how many have served so far. */
void eng_answer_sg_list(struct ctx *c, bool count)
{
	const struct fact_sg *v[SG_LIST_MAX];
	size_t n = 0, served = 0;
	char num[24];
	for (size_t i = 0; i < c->f->n_sgs && n < SG_LIST_MAX; i++) {
		const struct fact_sg *sg = &c->f->sgs[i];
		if (!when_term_known(sg, c->today))
			continue;
		v[n++] = sg;
		served += sg->from.first <= c->today;
	}
	snprintf(num, sizeof(num), "%zu", served);
	c->a->command = "sgs";
	answer_set_title(c->a, i18n(c->lang, M_TITLE_SGS));
	if (count)
		emit(c, M_COUNT_SGS, num);
	else
		emit0(c, M_SGS_HEAD);
	answer_break(c->a);
	for (size_t i = 0; i < n; i++)
		sg_item(c, v[i]);
	sg_notes(c, v, n);
	/* The newest terms' sources first: they are the ones an article cannot
	 * vouch for. */
	const struct fact_refs *refs[SG_LIST_MAX] = {0};
	for (size_t i = 0; i < n; i++)
		refs[i] = &v[n - 1 - i]->sources;
	eng_sources_line(c, refs, n, 4);
	eng_as_of(c);
	sg_fields(c, v, n);
}

static void answer_sg_year_part(struct ctx *c, int year, bool with_as_of);

/* "sg in 2004 and 2020": one line per year, one as-of at the end. */
void eng_answer_sg_years(struct ctx *c, const int *years, size_t n)
{
	size_t shown = 0;
	for (size_t i = 0; i < n && shown < 4; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= years[k] == years[i];
		if (dup)
			continue;
		if (shown && !at_line_start(c->a))
			answer_break(c->a);
		answer_sg_year_part(c, years[i], false);
		shown++;
	}
	eng_as_of(c);
}

static void answer_sg_year_part(struct ctx *c, int year, bool with_as_of)
{
	const struct fact_sg *all[SG_LIST_MAX], *v[SG_LIST_MAX];
	char y[16], num[24];
	snprintf(y, sizeof(y), "%d", year);
	c->a->command = "sg";
	const struct fact_opening *op = &c->f->opening;
	if (year < op->year) {
		emit(c, M_SG_BEFORE, y, L(c, &op->date_text), L(c, &op->place));
		if (with_as_of)
			eng_as_of(c);
		return;
	}
	size_t n = 0, na = facts_sgs_in_year(c->f, year, all, SG_LIST_MAX);
	for (size_t i = 0; i < na; i++)
		if (when_term_known(all[i], c->today))
			v[n++] = all[i];
	struct pdate now = date_from_days(c->today);
	const struct fact_sg *last = when_last_known(c->f, c->today);
	if (n == 0 && last && last->to.prec && year > last->to.y) {
		/* Past the last known term: say what is known, never guess. */
		emit(c, year > now.y ? M_SG_FUTURE_UNKNOWN : M_SG_PAST_UNKNOWN, y,
		     L(c, &last->person->name), country_name(c, last->country),
		     sg_text(c, last, SGD_TO));
		c->a->status = ANSWER_NOT_SURE;
		if (with_as_of)
			eng_as_of(c);
		return;
	}
	if (n == 0) {
		/* A gap in the table: say so rather than guess. */
		emit(c, M_SG_COUNTRY_NONE, y);
		c->a->status = ANSWER_NOT_SURE;
		return;
	}
	if (n == 1 && v[0]->to.prec && v[0]->to.last >= c->today && year >= now.y &&
	    v[0]->from.prec == DATE_DAY) {
		emit(c, M_SG_FUTURE_ONE, y, L(c, &v[0]->person->name),
		     country_name(c, v[0]->country), sg_text(c, v[0], SGD_FROM),
		     sg_text(c, v[0], SGD_TO));
	} else if (n == 1) {
		emit(c, M_SG_YEAR_ONE, y, L(c, &v[0]->person->name), country_name(c, v[0]->country),
		     sg_text(c, v[0], SGD_TERM));
	} else {
		snprintf(num, sizeof(num), "%zu", n);
		emit(c, M_SG_YEAR_MANY, y, num);
		answer_break(c->a);
		for (size_t i = 0; i < n; i++)
			sg_item(c, v[i]);
	}
	sg_notes(c, v, n);
	if (with_as_of)
		eng_as_of(c);
}

void eng_answer_sg_country(struct ctx *c, const struct fact_country *co)
{
	const struct fact_sg *v[SG_LIST_MAX];
	char from[160];
	size_t n = 0, na = facts_sgs_of_country(c->f, co, v, SG_LIST_MAX);
	for (size_t i = 0; i < na; i++)
		if (when_term_known(v[i], c->today))
			v[n++] = v[i];
	country_after_prep(c, co, from, sizeof(from));
	c->a->command = "sg";
	if (n == 0) {
		emit(c, M_SG_COUNTRY_NONE, from);
	} else if (n == 1) {
		emit(c, M_SG_COUNTRY_ONE, from, L(c, &v[0]->person->name),
		     sg_text(c, v[0], SGD_TERM));
	} else {
		emit(c, M_SG_COUNTRY_MANY, from);
		answer_break(c->a);
		for (size_t i = 0; i < n; i++)
			sg_item(c, v[i]);
	}
	sg_notes(c, v, n);
	eng_as_of(c);
}

/* Persons among the analysis that held the post, in table order. */
size_t eng_sg_persons(struct ctx *c, const struct analysis *an,
                      const struct fact_sg **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->f->n_sgs && n < max; i++)
		for (size_t k = 0; k < an->npersons; k++)
			if (c->f->sgs[i].person == &c->f->people[an->persons[k]]) {
				out[n++] = &c->f->sgs[i];
				break;
			}
	return n;
}

void eng_answer_sg_persons(struct ctx *c, const struct fact_sg *const *v, size_t n,
                           const char *query, size_t qlen)
{
	c->a->command = "sg";
	if (n == 1 && v[0] == eng_sg_today(c, false)) {
		emit(c, M_SG_NOW, L(c, &v[0]->person->name), country_name(c, v[0]->country),
		     sg_text(c, v[0], SGD_FROM), sg_text(c, v[0], SGD_TO));
	} else if (n == 1 && v[0]->from.first > c->today) {
		emit(c, M_TERM_RUNS, L(c, &v[0]->person->name), country_name(c, v[0]->country),
		     sg_text(c, v[0], SGD_FROM), sg_text(c, v[0], SGD_TO));
	} else if (n == 1) {
		emit(c, M_SG_PERSON, L(c, &v[0]->person->name), country_name(c, v[0]->country),
		     sg_text(c, v[0], SGD_TERM));
	} else {
		char q[128];
		size_t ql = utf8_trim(query, qlen, sizeof(q) - 1);
		memcpy(q, query, ql);
		q[ql] = '\0';
		emit(c, M_SG_PERSON_MANY, q);
		answer_break(c->a);
		for (size_t i = 0; i < n; i++)
			sg_item(c, v[i]);
	}
	sg_notes(c, v, n);
	if (n == 1)
		sg_sources(c, v[0]);
	eng_as_of(c);
}

void eng_answer_first(struct ctx *c)
{
	const struct fact_sg *sg = &c->f->sgs[0];
	c->a->command = "sg";
	emit(c, M_FIRST, L(c, &sg->person->name), country_name(c, sg->country),
	     sg_text(c, sg, SGD_TERM));
	note(c, &sg->note);
	eng_as_of(c);
}

void eng_answer_relation(struct ctx *c, const struct fact_sg *sg, bool successor)
{
	size_t i = (size_t)(sg - c->f->sgs);
	c->a->command = "sg";
	if (successor) {
		const struct fact_sg *nx = i + 1 < c->f->n_sgs ? &c->f->sgs[i + 1] : NULL;
		if (nx && !when_term_known(nx, c->today))
			nx = NULL;
		if (!nx && !sg->to.prec) {
			emit(c, M_SUCCESSOR_NONE, L(c, &sg->person->name));
		} else if (!nx) {
			/* What is known, and that no successor is: a complete answer. */
			emit(c, M_SUCCESSOR_UNKNOWN, L(c, &sg->person->name),
			     sg_text(c, sg, SGD_TO));
		} else if (nx->from.first > c->today && nx->appointed.prec) {
			emit(c, M_SUCCESSOR_APPOINTED, L(c, &nx->person->name),
			     country_name(c, nx->country), sg_text(c, nx, SGD_APPOINTED),
			     L(c, &sg->person->name), sg_text(c, nx, SGD_FROM));
			sg_sources(c, nx);
		} else {
			emit(c, M_SUCCESSOR, L(c, &nx->person->name), country_name(c, nx->country),
			     sg_text(c, nx, SGD_TERM), L(c, &sg->person->name),
			     sg_text(c, sg, SGD_TERM));
			sg_sources(c, nx);
		}
	} else {
		if (i == 0) {
			emit(c, M_PREDECESSOR_NONE, L(c, &sg->person->name));
			note(c, &sg->note);
		} else {
			const struct fact_sg *pv = &c->f->sgs[i - 1];
			emit(c, M_PREDECESSOR, L(c, &pv->person->name), country_name(c, pv->country),
			     sg_text(c, pv, SGD_TERM), L(c, &sg->person->name));
			note(c, &pv->note);
			sg_sources(c, pv);
		}
	}
	eng_as_of(c);
}

/* "Who comes after the current one": the holder today, or the last known
 * holder once the known terms have run out. */
void eng_answer_relation_now(struct ctx *c, bool successor)
{
	const struct fact_sg *cur = eng_sg_today(c, false);
	if (!cur)
		cur = when_last_known(c->f, c->today);
	if (cur)
		eng_answer_relation(c, cur, successor);
	else
		eng_answer_sg_current(c);
}

/* "When was Yermekbayev appointed?": the date and place when the facts have
 * them, else how any Secretary-General is appointed. */
void eng_answer_appointed(struct ctx *c, const struct fact_sg *sg)
{
	if (!sg)
		sg = eng_sg_today(c, false);
	if (!sg || !sg->appointed.prec) {
		ANSWER_FACTS(c, "appointment", "sg.appointment");
		return;
	}
	c->a->command = "sg";
	emit(c, sg->to.last >= c->today ? M_TERM_RUNS : M_TERM_RAN, L(c, &sg->person->name),
	     country_name(c, sg->country), sg_text(c, sg, SGD_FROM),
	     sg_text(c, sg, SGD_TO));
	space(c);
	emit(c, M_APPOINTED, sg_text(c, sg, SGD_APPOINTED),
	     has_note(&sg->appointed_at) ? L(c, &sg->appointed_at) : "");
	sg_sources(c, sg);
	eng_as_of(c);
}

/* "Is Zhang Ming still secretary-general?" */
void eng_answer_still(struct ctx *c, const struct fact_sg *sg)
{
	c->a->command = "sg";
	const struct fact_sg *now = eng_sg_today(c, false);
	if (now == sg) {
		emit(c, M_STILL_YES, L(c, &sg->person->name), sg_text(c, sg, SGD_FROM),
		     sg_text(c, sg, SGD_TO));
	} else if (sg->from.first > c->today) {
		emit(c, M_TERM_RUNS, L(c, &sg->person->name), country_name(c, sg->country),
		     sg_text(c, sg, SGD_FROM), sg_text(c, sg, SGD_TO));
	} else if (now) {
		emit(c, M_STILL_NO, L(c, &sg->person->name), sg_text(c, sg, SGD_TO),
		     L(c, &now->person->name), country_name(c, now->country),
		     sg_text(c, now, SGD_FROM));
	} else {
		eng_sg_today(c, true);
	}
	eng_as_of(c);
}

/* The rules of the office, from the facts: how long a term is, and whether it
 * is renewed. */
static void term_rule(struct ctx *c)
{
	static const char *const en[] = {"", "one-year", "two-year", "three-year", "four-year",
	                                 "five-year", "six-year"};
	static const char *const ru[] = {"", "один год", "два года", "три года", "четыре года",
	                                 "пять лет", "шесть лет"};
	static const char *const zh[] = {"", "一年", "两年", "三年", "四年", "五年", "六年"};
	char n[32];
	int y = c->f->office.term_years;
	if (!y)
		return;
	if (y <= 6)
		snprintf(n, sizeof(n), "%s", c->lang == LANG_RU ? ru[y] : c->lang == LANG_ZH ? zh[y] : en[y]);
	else
		snprintf(n, sizeof(n), c->lang == LANG_ZH ? "%d年" : c->lang == LANG_RU ? "%d лет" : "%d-year", y);
	if (c->a->nseg && !at_line_start(c->a))
		space(c);
	emit(c, c->f->office.renewable ? M_TERM_RULE_RENEWABLE : M_TERM_RULE, n);
}

/* "How long is a term?", "can the Secretary-General be re-elected?" */
void eng_answer_office(struct ctx *c)
{
	if (!c->f->office.term_years) {
		ANSWER_FACTS(c, "sg", "sg.term");
		return;
	}
	c->a->command = "sg";
	term_rule(c);
	const struct fact_refs *r = &c->f->office.sources;
	eng_sources_line(c, &r, 1, 3);
	eng_as_of(c);
}

/* "When does the current term end?", "when did Norov's term end?" */
void eng_answer_term(struct ctx *c, const struct fact_sg *sg)
{
	c->a->command = "sg";
	if (!sg && !(sg = eng_sg_today(c, true))) {
		eng_as_of(c);
		return;
	}
	if (sg->to.prec && sg->from.prec)
		emit(c, sg->to.last >= c->today ? M_TERM_RUNS : M_TERM_RAN, L(c, &sg->person->name),
		     country_name(c, sg->country), sg_text(c, sg, SGD_FROM),
		     sg_text(c, sg, SGD_TO));
	else
		emit(c, M_SG_PERSON, L(c, &sg->person->name), country_name(c, sg->country),
		     sg_text(c, sg, SGD_TERM));
	term_rule(c);
	sg_sources(c, sg);
	eng_as_of(c);
}

/* "Who was secretary-general when the Secretariat turned ten?" */
void eng_answer_anniversary(struct ctx *c, int years)
{
	const struct fact_opening *op = &c->f->opening;
	int32_t day = date_add_years(date_days(op->year, op->month, op->day), years);
	struct pdate pd = date_from_days(day);
	char ord[16], d[64];
	when_ordinal(c->lang, years, ord, sizeof(ord));
	date_text(c, &pd, d, sizeof(d));
	c->a->command = "sg";
	const struct fact_sg *v[4];
	size_t n = when_sgs_on(c->f, day, c->today, v, 4);
	if (day <= c->today && n) {
		emit(c, M_ANNIV, ord, d, L(c, &v[n - 1]->person->name),
		     country_name(c, v[n - 1]->country));
		sg_sources(c, v[n - 1]);
	} else if (day > c->today && n && v[n - 1]->to.prec) {
		emit(c, M_ANNIV_FUTURE, ord, d, L(c, &v[n - 1]->person->name),
		     country_name(c, v[n - 1]->country), sg_text(c, v[n - 1], SGD_TO));
	} else {
		emit(c, M_ANNIV_UNKNOWN, ord, d);
		c->a->status = ANSWER_NOT_SURE;
	}
	eng_as_of(c);
}

/* "second", "третий", "第四任": the position in the list, or 0. */
size_t eng_ordinal(const struct analysis *an)
{
	static const enum concept ord[] = {C_ORD2, C_ORD3, C_ORD4, C_ORD5, C_ORD6, C_ORD7};
	for (size_t i = 0; i < sizeof(ord) / sizeof(ord[0]); i++)
		if (has(an, ord[i]))
			return i + 2;
	return 0;
}

/* --- The sg command and its completion ------------------------------------------- */

/* "sg bananas": say what the argument may be. */
static void sg_bad_arg(struct ctx *c, const char *arg, size_t len)
{
	char q[256];
	user_text(q, sizeof(q), arg, len);
	c->a->command = "sg";
	emit(c, M_SG_BAD_ARG, q);
	answer_break(c->a);
	eng_answer_usage(c, commands_find("sg"));
}

void eng_answer_sg_command(struct ctx *c, const char *arg, size_t len)
{
	if (len == 0 && c->plural) {
		eng_answer_sg_list(c, false);
		return;
	}
	if (len == 0) {
		eng_answer_sg_current(c);
		return;
	}
	struct analysis *an = xmalloc(sizeof(*an));
	match_analyze(c->e, arg, len, an);
	const struct fact_sg *v[SG_LIST_MAX];
	size_t nsg = eng_sg_persons(c, an, v, SG_LIST_MAX);
	if (has(an, C_UN) && has(an, C_MESSAGE) && !an->nunknown) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_UN) || (an->nunknown && (an->nyears || nsg || an->ncountries))) {
		/* "sg nato 2016", "генсек ООН в 2011 году": another organisation. */
		eng_not_covered(c, an, arg, len);
	} else if (an->nunknown) {
		sg_bad_arg(c, arg, len);
	} else if (!an->nyears && !nsg && !an->ncountries && !an->npersons &&
		   (has(an, C_SCO) || has(an, C_SECRETARIAT)) && !has(an, C_LIST) &&
		   !has(an, C_FIRST) && !has(an, C_SUCC) && !has(an, C_PREC)) {
		/* "генеральный секретарь ШОС": the name of the post, not an argument;
		 * "генеральные секретари ШОС" asks for all of them. */
		if (c->plural)
			eng_answer_sg_list(c, false);
		else
			eng_answer_sg_current(c);
	} else if (an->nyears) {
		eng_answer_sg_years(c, an->years, an->nyears);
	} else if (nsg && (has(an, C_SUCC) || has(an, C_PREC))) {
		eng_answer_relation(c, v[nsg - 1], has(an, C_SUCC));
	} else if (nsg) {
		eng_answer_sg_persons(c, v, nsg, arg, len);
	} else if (an->ncountries) {
		eng_answer_sg_country(c, &c->f->countries[an->countries[0]]);
	} else if (has(an, C_FIRST)) {
		eng_answer_first(c);
	} else if (has(an, C_SUCC) || has(an, C_PREC)) {
		eng_answer_relation_now(c, has(an, C_SUCC));
	} else if (eng_ordinal(an) && eng_ordinal(an) <= c->f->n_sgs) {
		const struct fact_sg *nth = &c->f->sgs[eng_ordinal(an) - 1];
		eng_answer_sg_persons(c, &nth, 1, "", 0);
	} else if (has(an, C_LIST)) {
		eng_answer_sg_list(c, false);
	} else if (has(an, C_CURRENT) || has(an, C_LAST)) {
		eng_answer_sg_current(c);
	} else {
		sg_bad_arg(c, arg, len);
	}
	free(an);
}

size_t engine_complete_sg(const struct engine *e, const char *partial, size_t len,
                          enum lang lang, char (*out)[101], size_t max)
{
	const struct facts *f = e->facts;
	size_t n = 0;
	char norm[256];
	size_t pl = text_normalize_phrase(partial, len < 200 ? len : 200, norm, sizeof(norm));
	if (lang < 0 || lang >= LANG_COUNT)
		lang = LANG_EN;
	/* Names first (people search by name), then countries, then years. */
	for (size_t i = 0; i < f->n_sgs && n < max; i++) {
		const char *name = f->sgs[i].person->name.s[lang];
		char nn[256];
		size_t nl = text_normalize_phrase(name, strlen(name), nn, sizeof(nn));
		if (pl == 0 || (nl >= pl && strstr(nn, norm)))
			snprintf(out[n++], 101, "%s", name);
	}
	for (size_t i = 0; i < f->n_countries && n < max; i++) {
		const char *name = f->countries[i].short_name.s[lang];
		char nn[256];
		size_t nl = text_normalize_phrase(name, strlen(name), nn, sizeof(nn));
		if (pl && nl >= pl && strncmp(nn, norm, pl) == 0)
			snprintf(out[n++], 101, "%s", name);
	}
	if (pl && norm[0] >= '0' && norm[0] <= '9') {
		const struct fact_sg *last = f->n_sgs ? &f->sgs[f->n_sgs - 1] : NULL;
		int end = last ? (last->last_year ? last->last_year : last->first_year) : 0;
		for (int y = f->opening.year; y <= end && n < max; y++) {
			char ys[16];
			snprintf(ys, sizeof(ys), "%d", y);
			if (strncmp(ys, norm, pl) == 0)
				snprintf(out[n++], 101, "%s", ys);
		}
	}
	return n;
}
