/* facts_load_sgs.c: loads the `office` and `secretaries_general` kinds
 * (secretaries_general.json) and enforces the rules on terms: order, no overlap,
 * no gap, the office's term length and two independent sources per term. */
#include "core/facts_load_impl.h"

#include <stdio.h>
#include <string.h>

/* Sources by different publishers count as independent. */
static size_t independent_sources(const struct fact_refs *refs)
{
	size_t n = 0;
	for (size_t i = 0; i < refs->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(refs->v[i]->publisher, refs->v[j]->publisher) == 0;
		n += !seen;
	}
	return n;
}

static const char *fmt_pdate(char *buf, size_t size, const struct pdate *d)
{
	if (d->prec == DATE_DAY)
		snprintf(buf, size, "%04d-%02d-%02d", d->y, d->m, d->d);
	else if (d->prec == DATE_MONTH)
		snprintf(buf, size, "%04d-%02d", d->y, d->m);
	else
		snprintf(buf, size, "%04d", d->y);
	return buf;
}


/* The rules of the office; optional, but when given they bound every term. */
int fl_build_office(struct loader *l)
{
	static const struct field fields[] = {
		{"term_years", true}, {"renewable", true}, {"source", false}, {"sources", false},
	};
	struct fact_office *o = &l->f->office;
	const cJSON *v = fl_single(l, TOP_OFFICE);
	if (!v)
		return 0;
	int r = fl_check_object(l, v, fields, 4);
	if (r < 0)
		return r;
	size_t old = fl_path_key(l, "term_years");
	if ((r = fl_read_int(l, cJSON_GetObjectItemCaseSensitive(v, "term_years"), 1, 20,
	                     &o->term_years)) < 0)
		return r;
	fl_path_set(l, old);
	const cJSON *ren = cJSON_GetObjectItemCaseSensitive(v, "renewable");
	if (!cJSON_IsBool(ren)) {
		fl_path_key(l, "renewable");
		return fl_fail(l, "expected true or false, got %s", fl_type_name(ren));
	}
	o->renewable = cJSON_IsTrue(ren);
	const struct fact_sentence *unused;
	return fl_get_refs(l, v, &unused, &o->sources);
}

/* Terms must follow each other without overlap or gap, so that "who was SG on
 * <day>" has one answer wherever the dates are exact; a date of lower precision
 * ("2006") may end where the next one ("2007-01") begins. */
static int check_term_order(struct loader *l, const struct fact_sg *prev,
                            const struct fact_sg *sg)
{
	char a[40], b[40];
	size_t old = fl_path_key(l, "from");
	if (!prev->to.prec)
		return fl_fail(l, "only the last term may be open-ended, but the term before this "
		               "one (%s, from %s) has no end", prev->person->id,
		               fmt_pdate(a, sizeof(a), &prev->from));
	if (sg->from.first < prev->from.first)
		return fl_fail(l, "terms must be in chronological order: this one starts on %s, "
		               "before the previous one (%s)", fmt_pdate(a, sizeof(a), &sg->from),
		               fmt_pdate(b, sizeof(b), &prev->from));
	if (sg->from.first <= prev->to.last)
		return fl_fail(l, "overlaps the previous term (%s, to %s): this one starts on %s",
		               prev->person->id, fmt_pdate(a, sizeof(a), &prev->to),
		               fmt_pdate(b, sizeof(b), &sg->from));
	if (sg->from.first > prev->to.last + 1)
		return fl_fail(l, "leaves a gap after the previous term (%s, to %s): this one "
		               "starts on %s", prev->person->id, fmt_pdate(a, sizeof(a), &prev->to),
		               fmt_pdate(b, sizeof(b), &sg->from));
	fl_path_set(l, old);
	return 0;
}

static int check_term(struct loader *l, const struct fact_sg *sg)
{
	char a[40], b[40];
	size_t old = fl_path_key(l, "to");
	if (sg->to.prec && sg->to.last < sg->from.first)
		return fl_fail(l, "the term ends (%s) before it starts (%s)",
		               fmt_pdate(a, sizeof(a), &sg->to), fmt_pdate(b, sizeof(b), &sg->from));
	int years = l->f->office.term_years;
	if (years && sg->to.prec && sg->to.last >= date_add_years(sg->from.first, years))
		return fl_fail(l, "the term (%s to %s) is longer than the %d years the rules of the "
		               "office allow", fmt_pdate(a, sizeof(a), &sg->from),
		               fmt_pdate(b, sizeof(b), &sg->to), years);
	fl_path_set(l, old);
	if (sg->appointed.prec && sg->appointed.first > sg->from.last) {
		fl_path_key(l, "appointed");
		return fl_fail(l, "appointed (%s) after the term began (%s)",
		               fmt_pdate(a, sizeof(a), &sg->appointed), fmt_pdate(b, sizeof(b), &sg->from));
	}
	if (independent_sources(&sg->sources) < 2) {
		fl_path_key(l, "sources");
		return fl_fail(l, "a change of office holder needs two independent sources (different "
		               "publishers); this term cites only %s", sg->sources.v[0]->publisher);
	}
	return 0;
}

int fl_build_sgs(struct loader *l)
{
	static const struct field fields[] = {
		{"person", true}, {"country", true}, {"from", true}, {"to", true},
		{"appointed", false}, {"appointed_at", false}, {"source", false},
		{"sources", false}, {"note", false},
	};
	size_t total;
	int r = fl_count_records(l, TOP_SGS, &total);
	if (r < 0)
		return r;
	struct fact_sg *v = arena_array(l->a, total, sizeof(*v));
	size_t k = 0;
	for (size_t p = 0; p < l->n_parts[TOP_SGS]; p++) {
		const struct part *part = &l->parts[TOP_SGS][p];
		size_t i = 0;
		for (const cJSON *item = part->value->child; item; item = item->next, i++, k++) {
			struct fact_sg *sg = &v[k];
			fl_path_reset(l, part->file);
			fl_path_push(l, "secretaries_general[%zu]", i);
			if ((r = fl_check_object(l, item, fields, 9)) < 0 ||
			    (r = fl_get_person_ref(l, item, &sg->person)) < 0 ||
			    (r = fl_get_country_ref(l, item, "country", false, &sg->country)) < 0 ||
			    (r = fl_check_same_country(l, sg->person, sg->country)) < 0 ||
			    (r = fl_get_pdate(l, item, "from", true, &sg->from)) < 0 ||
			    (r = fl_get_pdate(l, item, "to", false, &sg->to)) < 0 ||
			    (r = fl_get_pdate(l, item, "appointed", false, &sg->appointed)) < 0)
				return r;
			sg->first_year = sg->from.y;
			sg->last_year = sg->to.prec ? sg->to.y : 0;
			char what[FACTS_MAX_ID + 48];
			snprintf(what, sizeof(what), "the Secretary-General term of \"%s\"",
			         sg->person->id);
			if ((r = fl_get_l10n(l, item, "note", what, &sg->note)) < 0 ||
			    (r = fl_get_l10n(l, item, "appointed_at", what, &sg->appointed_at)) < 0 ||
			    (r = fl_get_refs(l, item, &sg->source, &sg->sources)) < 0 ||
			    (r = check_term(l, sg)) < 0)
				return r;
			if (k > 0 && (r = check_term_order(l, &v[k - 1], sg)) < 0)
				return r;
			sg->order = (int)k + 1;
		}
	}
	l->f->sgs = v;
	l->f->n_sgs = total;
	return 0;
}
