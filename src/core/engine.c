/* engine.c: routes a message to a command or a question and writes the answer.
 * Every claim in an answer comes from the fact table; this file holds only the
 * logic of which facts answer what, and never does I/O. */
#include "core/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/commands.h"
#include "core/i18n.h"
#include "core/match.h"
#include "core/when.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define SG_LIST_MAX 16  /* terms shown in one answer */

struct ctx {
	const struct engine *e;
	const struct facts *f;
	struct answer *a;
	enum lang lang;
	const char *prefix;
	int32_t today;  /* days since 1970-01-01: what "now" means for this query */
	bool plural;    /* the message names the post in the plural ("генсеки") */
};

/* --- Template output ------------------------------------------------------ */

static void emit_plain(struct answer *a, const char *s, size_t len)
{
	/* Split on newlines so each line ends in a SEG_BREAK. */
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) : len;
		if (n)
			answer_add(a, SEG_TEXT, s, n);
		if (!nl)
			break;
		answer_break(a);
		s += n + 1;
		len -= n + 1;
	}
}

/* Expands an i18n template; args may be NULL (rendered as nothing). */
static void emitv(struct ctx *c, enum msg m, const char *const *args, size_t nargs)
{
	const char *t = i18n(c->lang, m);
	const char *lit = t;
	while (*t) {
		if (t[0] == '{') {
			const char *p = t + 1;
			enum seg_kind kind = SEG_TEXT;
			if (*p == '*' || *p == '`' || *p == '!') {
				kind = *p == '*' ? SEG_STRONG : *p == '`' ? SEG_CODE : SEG_USER;
				p++;
			}
			if (*p >= '0' && *p <= '9' && p[1] == '}') {
				emit_plain(c->a, lit, (size_t)(t - lit));
				size_t i = (size_t)(*p - '0');
				const char *v = i < nargs ? args[i] : NULL;
				if (v)
					answer_add(c->a, kind, v, strlen(v));
				t = p + 2;
				lit = t;
				continue;
			}
		}
		t++;
	}
	emit_plain(c->a, lit, (size_t)(t - lit));
}

#define emit(c, m, ...) \
	emitv(c, m, (const char *const[]){__VA_ARGS__}, \
	      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void emit0(struct ctx *c, enum msg m)
{
	emitv(c, m, NULL, 0);
}

static void answer_facts(struct ctx *c, const char *command, const char *const *ids,
                         size_t n);
#define ANSWER_FACTS(c, cmd, ...) \
	answer_facts(c, cmd, (const char *const[]){__VA_ARGS__}, \
	             sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static const char *L(const struct ctx *c, const struct l10n *t)
{
	const char *s = t->s[c->lang];
	return s ? s : t->s[LANG_EN] ? t->s[LANG_EN] : "";
}

static bool has_note(const struct l10n *n)
{
	return n->s[LANG_EN] != NULL;
}

static void space(struct ctx *c)
{
	/* Chinese sentences need no space between them. */
	if (c->lang != LANG_ZH)
		answer_text(c->a, " ");
}

/* Expands {0}..{9} of a template into buf, for a template used as an argument
 * of another. */
static const char *fill(char *buf, size_t size, const char *t, const char *const *args,
                        size_t nargs)
{
	size_t o = 0;
	for (; *t && o + 1 < size; t++) {
		if (t[0] == '{' && t[1] >= '0' && t[1] <= '9' && t[2] == '}') {
			size_t i = (size_t)(t[1] - '0');
			const char *v = i < nargs && args[i] ? args[i] : "";
			size_t n = strlen(v);
			if (o + n + 1 > size)
				break;
			memcpy(buf + o, v, n);
			o += n;
			t += 2;
		} else {
			buf[o++] = *t;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Texts of a term that every answer about it needs, formatted once per engine
 * (answers are built on the event loop, and snprintf of dates dominated the
 * cost of a command): indexes into engine->sg_text. */
enum sg_text_kind {
	SGD_FROM, SGD_TO, SGD_APPOINTED, /* "1 January 2025" after "since", "to", "on" */
	SGD_TERM,                        /* "1 January 2025 to 31 December 2027" */
	SGD_SOURCES,                     /* "The Astana Times (4 July 2024); ..." */
	SGD_FROM_ASOF, SGD_APPOINTED_ASOF, /* the same days as "as of" reads them */
	SGD_COUNT
};

static const char *sg_text(const struct ctx *c, const struct fact_sg *sg, enum sg_text_kind k)
{
	size_t i = (size_t)(sg - c->f->sgs);
	return c->e->sg_text[(i * SGD_COUNT + k) * LANG_COUNT + (size_t)c->lang];
}

/* A date as it stands after "since", "to", "on" ("с", "до", "于"). */
static const char *date_text(const struct ctx *c, const struct pdate *d, char *buf, size_t size)
{
	return when_date(c->lang, d, true, buf, size);
}

/* "1 January 2019 to 31 December 2021" where the facts give days, else years. */
static const char *fmt_term_text(struct ctx *c, const struct fact_sg *sg, char *buf, size_t size)
{
	char a[64], b[64];
	if (sg->from.prec == DATE_DAY && (sg->to.prec == DATE_DAY || !sg->to.prec)) {
		date_text(c, &sg->from, a, sizeof(a));
		if (!sg->to.prec)
			return fill(buf, size, i18n(c->lang, M_TERM_FROM), (const char *[]){a}, 1);
		date_text(c, &sg->to, b, sizeof(b));
		return fill(buf, size, i18n(c->lang, M_TERM_DATES), (const char *[]){a, b}, 2);
	}
	snprintf(a, sizeof(a), "%d", sg->first_year);
	snprintf(b, sizeof(b), "%d", sg->last_year);
	return fill(buf, size, i18n(c->lang, sg->last_year ? M_TERM_RANGE : M_TERM_OPEN),
	            (const char *[]){a, b}, 2);
}


static const char *country_name(struct ctx *c, const struct fact_country *co)
{
	return co ? L(c, &co->name) : "";
}

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

static bool at_line_start(const struct answer *a)
{
	return a->nseg && a->seg[a->nseg - 1].kind == SEG_BREAK;
}

/* A note goes on a line of its own; `who` names its subject in lists. */
static void note_about(struct ctx *c, const struct l10n *n, const char *who)
{
	if (!has_note(n))
		return;
	if (!at_line_start(c->a))
		answer_break(c->a);
	if (who) {
		answer_strong(c->a, who);
		answer_text(c->a, c->lang == LANG_ZH ? "：" : ": ");
	}
	emit(c, M_NOTE, L(c, n));
}

static void note(struct ctx *c, const struct l10n *n)
{
	note_about(c, n, NULL);
}

static bool body_has_items(const struct answer *a)
{
	for (size_t i = 0; i < a->nseg; i++)
		if (a->seg[i].kind == SEG_ITEM)
			return true;
	return false;
}

/* Every answer from the table says how old its knowledge is. */
/* The date the facts run to, or the opening's for a day before it (help and
 * about still say how far the table goes). */
static struct pdate run_to(struct ctx *c, const struct fact_sg **ret_sg, bool *ret_appointed)
{
	struct pdate to = when_facts_run_to(c->f, c->today, ret_sg, ret_appointed);
	if (!to.prec) {
		const struct fact_opening *op = &c->f->opening;
		to = date_from_days(date_days(op->year, op->month, op->day));
	}
	return to;
}

static void as_of(struct ctx *c)
{
	const struct fact_sg *sg;
	bool appointed;
	if (!when_facts_run_to(c->f, c->today, &sg, &appointed).prec)
		return; /* before the opening nothing is known yet */
	bool line_start = at_line_start(c->a);
	if (body_has_items(c->a)) {
		if (!line_start)
			answer_break(c->a);
	} else if (!line_start) {
		space(c);
	}
	emit(c, M_AS_OF, sg ? sg_text(c, sg, appointed ? SGD_APPOINTED_ASOF : SGD_FROM_ASOF) :
	                      c->e->opening_asof[c->lang]);
}

/* "The Astana Times (4 July 2024); Trend News Agency (4 July 2024)": the first
 * `max` distinct sources of the given records, into list; returns how many. */
static size_t sources_list(struct ctx *c, const struct fact_refs *const *refs, size_t nrefs,
                           size_t max, char *list, size_t size)
{
	const struct fact_source *seen[16];
	size_t n = 0;
	for (size_t r = 0; r < nrefs; r++) {
		for (size_t i = 0; refs[r] && i < refs[r]->n && n < max && n < 16; i++) {
			const struct fact_source *src = refs[r]->v[i];
			bool dup = false;
			for (size_t k = 0; k < n && !dup; k++)
				dup = seen[k] == src;
			if (!dup)
				seen[n++] = src;
		}
	}
	char item[256], d[64];
	size_t o = 0;
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct fact_source *src = seen[i];
		if (src->published.prec)
			fill(item, sizeof(item), i18n(c->lang, M_SOURCE_ITEM),
			     (const char *[]){src->publisher,
			                      when_date(c->lang, &src->published, false, d, sizeof(d))},
			     2);
		else
			snprintf(item, sizeof(item), "%s", src->publisher);
		int w = snprintf(list + o, size - o, "%s%s",
		                 i ? (c->lang == LANG_ZH ? "；" : "; ") : "", item);
		if (w < 0 || (size_t)w >= size - o)
			break;
		o += (size_t)w;
	}
	return n;
}

/* "Sources: ..." on a line of its own. */
static void sources_line(struct ctx *c, const struct fact_refs *const *refs, size_t nrefs,
                         size_t max)
{
	char list[1024];
	if (!sources_list(c, refs, nrefs, max, list, sizeof(list)))
		return;
	if (!at_line_start(c->a))
		answer_break(c->a);
	emit(c, M_SOURCES, list);
}

static void sg_sources(struct ctx *c, const struct fact_sg *sg)
{
	if (!at_line_start(c->a))
		answer_break(c->a);
	emit(c, M_SOURCES, sg_text(c, sg, SGD_SOURCES));
}

/* Formats the per-term texts once, for every language (see sg_text_kind). */
static void build_sg_text(struct engine *e)
{
	const struct facts *f = e->facts;
	const char **v = arena_array(&e->arena, f->n_sgs * SGD_COUNT * LANG_COUNT + 1, sizeof(*v));
	for (int l = 0; l < LANG_COUNT; l++) {
		struct ctx c = {e, f, NULL, (enum lang)l, NULL, 0, false};
		char buf[1024];
		for (size_t i = 0; i < f->n_sgs; i++) {
			const struct fact_sg *sg = &f->sgs[i];
			const char **t = &v[i * SGD_COUNT * LANG_COUNT];
#define PUT(k, str) (t[(k) * LANG_COUNT + (size_t)l] = arena_strdup(&e->arena, (str)))
			PUT(SGD_FROM, date_text(&c, &sg->from, buf, sizeof(buf)));
			PUT(SGD_TO, sg->to.prec ? date_text(&c, &sg->to, buf, sizeof(buf)) : "");
			PUT(SGD_APPOINTED,
			    sg->appointed.prec ? date_text(&c, &sg->appointed, buf, sizeof(buf)) : "");
			PUT(SGD_TERM, fmt_term_text(&c, sg, buf, sizeof(buf)));
			PUT(SGD_FROM_ASOF, when_date(c.lang, &sg->from, false, buf, sizeof(buf)));
			PUT(SGD_APPOINTED_ASOF, sg->appointed.prec ?
			    when_date(c.lang, &sg->appointed, false, buf, sizeof(buf)) : "");
			const struct fact_refs *r = &sg->sources;
			sources_list(&c, &r, 1, 3, buf, sizeof(buf));
			PUT(SGD_SOURCES, buf);
#undef PUT
		}
		const struct fact_opening *op = &f->opening;
		struct pdate od = date_from_days(date_days(op->year, op->month, op->day));
		e->opening_asof[l] = arena_strdup(&e->arena, when_date(c.lang, &od, false, buf,
		                                                       sizeof(buf)));
	}
	e->sg_text = v;
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
		note_about(c, &v[i]->note, n > 1 ? L(c, &v[i]->person->name) : NULL);
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

/* --- Secretaries-General ---------------------------------------------------- */

/* Who held the post on `today`, or why that cannot be said. Returns the term,
 * or NULL after saying "not sure". */
static const struct fact_sg *sg_today(struct ctx *c, bool say)
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

static void answer_sg_current(struct ctx *c)
{
	c->a->command = "sg";
	const struct fact_sg *sg = sg_today(c, true);
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
	as_of(c);
}

/* Every term known today, in order; with `count`, how many have served so far. */
static void answer_sg_list(struct ctx *c, bool count)
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
	sources_line(c, refs, n, 4);
	as_of(c);
	sg_fields(c, v, n);
}

static void answer_sg_year_part(struct ctx *c, int year, bool with_as_of);

/* "sg in 2004 and 2020": one line per year, one as-of at the end. */
static void answer_sg_years(struct ctx *c, const int *years, size_t n)
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
	as_of(c);
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
			as_of(c);
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
			as_of(c);
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
		as_of(c);
}

static void answer_sg_country(struct ctx *c, const struct fact_country *co)
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
	as_of(c);
}

/* Persons among the analysis that held the post, in table order. */
static size_t sg_persons(struct ctx *c, const struct analysis *an,
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

static void answer_sg_persons(struct ctx *c, const struct fact_sg *const *v, size_t n,
                              const char *query, size_t qlen)
{
	c->a->command = "sg";
	if (n == 1 && v[0] == sg_today(c, false)) {
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
	as_of(c);
}

static void answer_first(struct ctx *c)
{
	const struct fact_sg *sg = &c->f->sgs[0];
	c->a->command = "sg";
	emit(c, M_FIRST, L(c, &sg->person->name), country_name(c, sg->country),
	     sg_text(c, sg, SGD_TERM));
	note(c, &sg->note);
	as_of(c);
}

static void answer_relation(struct ctx *c, const struct fact_sg *sg, bool successor)
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
	as_of(c);
}

/* "When was Yermekbayev appointed?": the date and place when the facts have
 * them, else how any Secretary-General is appointed. */
static void answer_appointed(struct ctx *c, const struct fact_sg *sg)
{
	if (!sg)
		sg = sg_today(c, false);
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
	as_of(c);
}

/* "Is Zhang Ming still secretary-general?" */
static void answer_still(struct ctx *c, const struct fact_sg *sg)
{
	c->a->command = "sg";
	const struct fact_sg *now = sg_today(c, false);
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
		sg_today(c, true);
	}
	as_of(c);
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
static void answer_office(struct ctx *c)
{
	if (!c->f->office.term_years) {
		ANSWER_FACTS(c, "sg", "sg.term");
		return;
	}
	c->a->command = "sg";
	term_rule(c);
	const struct fact_refs *r = &c->f->office.sources;
	sources_line(c, &r, 1, 3);
	as_of(c);
}

/* "When does the current term end?", "when did Norov's term end?" */
static void answer_term(struct ctx *c, const struct fact_sg *sg)
{
	c->a->command = "sg";
	if (!sg && !(sg = sg_today(c, true))) {
		as_of(c);
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
	as_of(c);
}

/* "Who was secretary-general when the Secretariat turned ten?" */
static void answer_anniversary(struct ctx *c, int years)
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
	as_of(c);
}

/* --- Opening, attendees, prose facts ---------------------------------------- */

static void attendee_item(struct ctx *c, const struct fact_attendee *at)
{
	answer_item(c->a);
	if (at->country)
		emit(c, M_ATTENDEE_ITEM_COUNTRY, L(c, &at->person->name), L(c, &at->role),
		     L(c, &at->country->name));
	else
		emit(c, M_ATTENDEE_ITEM, L(c, &at->person->name), L(c, &at->role));
	answer_break(c->a);
}

static void attendee_notes(struct ctx *c)
{
	for (size_t i = 0; i < c->f->n_attendees; i++)
		note(c, &c->f->attendees[i].note);
}

static void attendee_fields(struct ctx *c)
{
	answer_end_body(c->a);
	for (size_t i = 0; i < c->f->n_attendees && i < ANSWER_MAX_FIELDS; i++) {
		const struct fact_attendee *at = &c->f->attendees[i];
		answer_field_begin(c->a, L(c, &at->person->name));
		answer_text(c->a, L(c, &at->role));
		if (at->country) {
			answer_text(c->a, c->lang == LANG_ZH ? "，" : ", ");
			answer_text(c->a, L(c, &at->country->name));
		}
		answer_field_end(c->a);
	}
}

static void answer_attendees(struct ctx *c, bool with_ceremony)
{
	const struct fact_opening *op = &c->f->opening;
	char title[ANSWER_TITLE_BYTES];
	c->a->command = with_ceremony ? "opened" : "attendees";
	snprintf(title, sizeof(title), "%s", i18n(c->lang, M_TITLE_ATTENDEES));
	char *ph = strstr(title, "{0}");
	if (ph) {
		char rest[ANSWER_TITLE_BYTES];
		snprintf(rest, sizeof(rest), "%s", ph + 3);
		snprintf(ph, sizeof(title) - (size_t)(ph - title), "%s%s", L(c, &op->date_text), rest);
	}
	answer_set_title(c->a, title);
	if (with_ceremony) {
		answer_text(c->a, L(c, &facts_get(c->f, "opening.ceremony")->text));
		answer_break(c->a);
	}
	emit(c, M_ATTENDEES_HEAD, L(c, &op->date_text), L(c, &op->place));
	answer_break(c->a);
	for (size_t i = 0; i < c->f->n_attendees; i++)
		attendee_item(c, &c->f->attendees[i]);
	attendee_notes(c);
	as_of(c);
	attendee_fields(c);
}

static void answer_attendee_of_country(struct ctx *c, const struct fact_attendee *at)
{
	c->a->command = "attendees";
	emit(c, M_ATTENDEE_OF_COUNTRY, L(c, &c->f->opening.date_text), L(c, &at->country->name),
	     L(c, &at->person->name), L(c, &at->role));
	note(c, &at->note);
	as_of(c);
}

static void answer_person_attended(struct ctx *c, const struct fact_attendee *at)
{
	char role[256];
	c->a->command = "attendees";
	if (at->country)
		snprintf(role, sizeof(role), c->lang == LANG_ZH ? "%s%s" : "%s, %s",
		         c->lang == LANG_ZH ? L(c, &at->country->name) : L(c, &at->role),
		         c->lang == LANG_ZH ? L(c, &at->role) : L(c, &at->country->name));
	else
		snprintf(role, sizeof(role), "%s", L(c, &at->role));
	emit(c, M_PERSON_ATTENDED, L(c, &at->person->name), L(c, &c->f->opening.date_text), role);
	note(c, &at->note);
}

/* One prose fact: its text and its list items. */
static void fact_body(struct ctx *c, const struct fact *ft)
{
	answer_text(c->a, L(c, &ft->text));
	if (ft->n_items) {
		answer_break(c->a);
		for (size_t i = 0; i < ft->n_items; i++) {
			answer_item(c->a);
			answer_text(c->a, L(c, &ft->items[i]));
			answer_break(c->a);
		}
	}
	note(c, &ft->note);
}

static void answer_facts(struct ctx *c, const char *command, const char *const *ids, size_t n)
{
	c->a->command = command;
	for (size_t i = 0; i < n; i++) {
		const struct fact *ft = facts_get(c->f, ids[i]);
		if (!ft)
			continue;
		if (i)
			space(c);
		fact_body(c, ft);
	}
	as_of(c);
}


static void answer_departments(struct ctx *c)
{
	const struct fact *ft = facts_get(c->f, "departments");
	answer_set_title(c->a, i18n(c->lang, M_TITLE_DEPARTMENTS));
	ANSWER_FACTS(c, "departments", "departments");
	answer_end_body(c->a);
	if (ft) {
		/* One field per department, so an embed reads as a list. */
		for (size_t i = 0; i < ft->n_items && i < ANSWER_MAX_FIELDS; i++) {
			char num[24];
			snprintf(num, sizeof(num), "%zu", i + 1);
			answer_field_begin(c->a, num);
			answer_text(c->a, L(c, &ft->items[i]));
			answer_field_end(c->a);
		}
	}
}

static void answer_functions(struct ctx *c)
{
	c->a->command = "functions";
	answer_set_title(c->a, i18n(c->lang, M_TITLE_FUNCTIONS));
	emit0(c, M_FUNCTIONS_HEAD);
	answer_break(c->a);
	for (size_t i = 0; i < c->f->n_facts; i++) {
		const struct fact *ft = &c->f->facts[i];
		if (strcmp(ft->topic, "functions") != 0)
			continue;
		answer_item(c->a);
		answer_text(c->a, L(c, &ft->text));
		answer_break(c->a);
	}
	as_of(c);
}

/* --- Search ------------------------------------------------------------------ */

static void doc_line(struct ctx *c, const struct doc *d)
{
	switch ((enum doc_kind)d->kind) {
	case DOC_FACT: {
		const struct fact *ft = &c->f->facts[d->index];
		answer_text(c->a, L(c, &ft->text));
		answer_text(c->a, " ");
		answer_code(c->a, ft->id);
		break;
	}
	case DOC_SG: {
		const struct fact_sg *sg = &c->f->sgs[d->index];
		emit(c, M_SG_PERSON, L(c, &sg->person->name), country_name(c, sg->country),
		     sg_text(c, sg, SGD_TERM));
		break;
	}
	case DOC_ATTENDEE: {
		const struct fact_attendee *at = &c->f->attendees[d->index];
		if (at->country)
			emit(c, M_ATTENDEE_ITEM_COUNTRY, L(c, &at->person->name), L(c, &at->role),
			     L(c, &at->country->name));
		else
			emit(c, M_ATTENDEE_ITEM, L(c, &at->person->name), L(c, &at->role));
		break;
	}
	}
}

static void doc_answer(struct ctx *c, const struct doc *d)
{
	switch ((enum doc_kind)d->kind) {
	case DOC_FACT: {
		const struct fact *ft = &c->f->facts[d->index];
		c->a->command = ft->topic;
		fact_body(c, ft);
		as_of(c);
		break;
	}
	case DOC_SG: {
		const struct fact_sg *sg = &c->f->sgs[d->index];
		answer_sg_persons(c, &sg, 1, "", 0);
		break;
	}
	case DOC_ATTENDEE:
		answer_person_attended(c, &c->f->attendees[d->index]);
		as_of(c);
		break;
	}
}

static void hit_list(struct ctx *c, const struct hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		answer_item(c->a);
		doc_line(c, &c->e->docs[h[i].doc]);
		answer_break(c->a);
	}
}

/* The editorial notes of the hits (the Sergei/Igor Ivanov note on the
 * attendees), each once: a search result must not drop what corrects it. */
static void hit_notes(struct ctx *c, const struct hit *h, size_t n)
{
	const struct l10n *shown[3];
	size_t ns = 0;
	for (size_t i = 0; i < n && ns < 3; i++) {
		const struct doc *d = &c->e->docs[h[i].doc];
		const struct l10n *nt = d->kind == DOC_FACT ? &c->f->facts[d->index].note :
					d->kind == DOC_SG ? &c->f->sgs[d->index].note :
							    &c->f->attendees[d->index].note;
		bool dup = !has_note(nt);
		for (size_t k = 0; k < ns && !dup; k++)
			dup = !strcmp(L(c, shown[k]), L(c, nt));
		if (dup)
			continue;
		note(c, nt);
		shown[ns++] = nt;
	}
}

/* Where the hits come from, on one line. */
static void hit_sources(struct ctx *c, const struct hit *h, size_t n)
{
	const struct fact_refs *refs[MATCH_MAX_HITS];
	size_t k = 0;
	for (size_t i = 0; i < n && k < MATCH_MAX_HITS; i++) {
		const struct doc *d = &c->e->docs[h[i].doc];
		refs[k++] = d->kind == DOC_FACT ? &c->f->facts[d->index].sources :
			    d->kind == DOC_SG ? &c->f->sgs[d->index].sources :
						&c->f->attendees[d->index].sources;
	}
	sources_line(c, refs, k, 4);
}

static void user_text(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = utf8_trim(s, len, size - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void answer_search(struct ctx *c, const char *words, size_t len)
{
	struct analysis *an = xmalloc(sizeof(*an));
	struct hit h[3];
	char q[256];
	c->a->command = "search";
	user_text(q, sizeof(q), words, len);
	match_analyze(c->e, words, len, an);
	size_t n = match_search(c->e, an, h, 3);
	if (n == 0) {
		emit(c, M_SEARCH_NONE, q);
		c->a->status = ANSWER_NOT_SURE;
	} else {
		emit(c, M_SEARCH_HEAD, q);
		answer_break(c->a);
		hit_list(c, h, n);
		hit_notes(c, h, n);
		hit_sources(c, h, n);
		as_of(c);
	}
	free(an);
}

/* --- Help, about, source, fact, lang ------------------------------------------- */

static const char *prefix_of(const struct ctx *c)
{
	return c->prefix ? c->prefix : "!sco";
}

static void usage_line(struct ctx *c, const struct command_info *ci, char *buf, size_t size)
{
	const char *args = L(c, &ci->usage);
	snprintf(buf, size, "%s %s%s%s", prefix_of(c), L(c, &ci->label), *args ? " " : "", args);
}

static void answer_usage(struct ctx *c, const struct command_info *ci)
{
	char u[160];
	usage_line(c, ci, u, sizeof(u));
	emit(c, M_USAGE, u);
	c->a->status = ANSWER_USAGE;
	c->a->ephemeral = true;
}

static const char *lang_name(struct ctx *c, enum lang l)
{
	return i18n(c->lang, l == LANG_RU ? M_LANG_NAME_RU : l == LANG_ZH ? M_LANG_NAME_ZH :
			     M_LANG_NAME_EN);
}

static void answer_help(struct ctx *c, const char *arg, size_t len, enum lang room_lang)
{
	c->a->command = "help";
	c->a->ephemeral = true;
	if (len) {
		size_t rest;
		const struct command_info *ci = match_command(c->e, arg, len, &rest);
		if (ci) {
			char u[160], al[512];
			size_t o = 0;
			usage_line(c, ci, u, sizeof(u));
			emit(c, M_HELP_COMMAND, u, L(c, &ci->summary));
			for (const char *const *a = ci->aliases; *a && o + 2 < sizeof(al); a++)
				o += (size_t)snprintf(al + o, sizeof(al) - o, "%s%s", o ? ", " : "", *a);
			if (o >= sizeof(al))
				o = sizeof(al) - 1;
			answer_break(c->a);
			emit(c, M_ALIASES, al);
			return;
		}
	}
	const struct fact_sg *sg;
	bool appointed;
	struct pdate to = run_to(c, &sg, &appointed);
	char d[64];
	emit(c, M_HELP_HEAD, when_date(c->lang, &to, false, d, sizeof(d)));
	answer_break(c->a);
	for (size_t i = 0; i < c->e->ncommands; i++) {
		char u[160];
		usage_line(c, &c->e->commands[i], u, sizeof(u));
		answer_item(c->a);
		emit(c, M_HELP_COMMAND, u, L(c, &c->e->commands[i].summary));
		answer_break(c->a);
	}
	emit0(c, M_HELP_FOOTER);
	answer_break(c->a);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s lang ru", prefix_of(c));
	emit(c, M_HELP_LANG, lang_name(c, room_lang == LANG_NONE ? c->lang : room_lang), cmd);
}

/* What scobot knows and how old its newest fact is, against today. */
static void answer_about(struct ctx *c)
{
	char n[24], ns[24], d[64], src[256], age[64], t[64], pd[64];
	const struct fact_sg *sg;
	bool appointed;
	struct pdate to = run_to(c, &sg, &appointed);
	struct pdate now = date_from_days(c->today);
	snprintf(n, sizeof(n), "%zu", c->f->n_facts + c->f->n_sgs + c->f->n_attendees);
	snprintf(ns, sizeof(ns), "%zu", c->f->n_sources);
	/* The event's newest source published by today says where it comes from. */
	const struct fact_refs *refs = sg ? &sg->sources : &c->f->opening.sources;
	const struct fact_source *best = NULL;
	for (size_t i = 0; i < refs->n; i++) {
		const struct fact_source *s = refs->v[i];
		if (s->published.prec && s->published.first <= c->today &&
		    (!best || s->published.first > best->published.first))
			best = s;
	}
	if (best)
		fill(src, sizeof(src), i18n(c->lang, M_SOURCE_ITEM),
		     (const char *[]){best->publisher,
		                      when_date(c->lang, &best->published, false, pd, sizeof(pd))},
		     2);
	else
		snprintf(src, sizeof(src), "%s", refs->n ? refs->v[0]->publisher : "");
	c->a->command = "about";
	emit(c, M_ABOUT, n, ns, when_date(c->lang, &to, true, d, sizeof(d)), src,
	     when_age(c->lang, to.first, c->today, age, sizeof(age)),
	     when_date(c->lang, &now, false, t, sizeof(t)));
}

static void answer_source(struct ctx *c)
{
	char cmd[64], n[24], d[64];
	const struct fact_sg *sg;
	bool appointed;
	struct pdate to = run_to(c, &sg, &appointed);
	snprintf(cmd, sizeof(cmd), "%s fact sg.term", prefix_of(c));
	snprintf(n, sizeof(n), "%zu", c->f->n_sources);
	c->a->command = "source";
	emit(c, M_SOURCE_CMD, n, c->f->document ? c->f->document : "",
	     when_date(c->lang, &to, false, d, sizeof(d)), cmd);
}

static void answer_fact(struct ctx *c, const char *arg, size_t len)
{
	char id[128];
	c->a->command = "fact";
	size_t n = 0;
	while (n < len && n + 1 < sizeof(id) && arg[n] != ' ' && arg[n] != '\t') {
		id[n] = arg[n];
		n++;
	}
	id[n] = '\0';
	const struct fact *ft = n ? facts_get(c->f, id) : NULL;
	if (!ft) {
		/* Fact ids are ASCII; accept any case. */
		for (size_t i = 0; i < n; i++)
			id[i] = (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] + 32 : id[i]);
		ft = n ? facts_get(c->f, id) : NULL;
	}
	if (!ft) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "%s search", prefix_of(c));
		user_text(id, sizeof(id), arg, len);
		emit(c, M_FACT_UNKNOWN, id, cmd);
		c->a->status = ANSWER_NOT_SURE;
		return;
	}
	fact_body(c, ft);
	if (!at_line_start(c->a))
		answer_break(c->a);
	if (ft->source) {
		emit(c, M_SOURCE_QUOTE, ft->source->text);
		answer_break(c->a);
	}
	const struct fact_refs *r = &ft->sources;
	sources_line(c, &r, 1, 8);
	as_of(c);
}

static void answer_lang(struct ctx *c, const char *arg, size_t len, enum lang room_lang)
{
	char word[32];
	size_t n = 0;
	c->a->command = "lang";
	while (n < len && n + 1 < sizeof(word) && arg[n] != ' ' && arg[n] != '\t') {
		word[n] = arg[n];
		n++;
	}
	word[n] = '\0';
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s lang en|ru|zh", prefix_of(c));
	if (n == 0) {
		c->a->action = ACTION_SHOW_LANG;
		emit(c, M_LANG_SHOW, lang_name(c, room_lang == LANG_NONE ? c->lang : room_lang), cmd);
		return;
	}
	enum lang l = lang_parse(word);
	if (l == LANG_NONE) {
		answer_usage(c, commands_find("lang"));
		return;
	}
	/* Confirm in the language just chosen. */
	c->lang = l;
	c->a->lang = l;
	c->a->action = ACTION_SET_LANG;
	c->a->action_lang = l;
	emit(c, M_LANG_SET, lang_name(c, l));
}

/* --- Questions ------------------------------------------------------------------- */

static const struct fact_attendee *attendee_in(struct ctx *c, const struct analysis *an)
{
	for (size_t k = 0; k < an->ncountries; k++) {
		const struct fact_attendee *at =
			facts_attendee_of_country(c->f, &c->f->countries[an->countries[k]]);
		if (at)
			return at;
	}
	return NULL;
}

static void quote_cut(char *buf, size_t size, const char *s, size_t len);

static void not_sure(struct ctx *c, const struct analysis *an, const char *text, size_t len)
{
	struct hit h[3];
	char q[400], cmd[64];
	quote_cut(q, sizeof(q), text, len);
	snprintf(cmd, sizeof(cmd), "%s help", prefix_of(c));
	c->a->status = ANSWER_NOT_SURE;
	c->a->command = "unsure";
	size_t n = match_search(c->e, an, h, 3);
	emit(c, M_NOT_SURE, q);
	if (n) {
		space(c);
		emit0(c, M_NOT_SURE_CLOSEST);
		answer_break(c->a);
		hit_list(c, h, n);
	} else {
		space(c);
		emit(c, M_NOT_SURE_NOTHING, cmd);
	}
}

/* The user's words cut at a sensible length for quoting back: at most 80
 * characters, at a space when there is one, with an ellipsis when cut. */
static void quote_cut(char *buf, size_t size, const char *s, size_t len)
{
	size_t i = 0, cps = 0, last_space = 0;
	while (i < len && cps < 80) {
		if (s[i] == ' ')
			last_space = i;
		utf8_next(s, len, &i);
		cps++;
	}
	size_t n = i;
	if (i < len && last_space > 20)
		n = last_space;
	const char *more = i < len ? "\u2026" : "";
	size_t ml = strlen(more);
	if (n + ml + 1 > size)
		n = utf8_trim(s, n, size - ml - 1);
	memcpy(buf, s, n);
	memcpy(buf + n, more, ml + 1);
}

/* What the question was understood to be about, so a "not sure" says what it
 * did get: "Secretary-General, 2011". */
static void understood(struct ctx *c, const struct analysis *an, char *buf, size_t size)
{
	size_t o = 0;
	const char *sep = c->lang == LANG_ZH ? "、" : ", ";
#define ADD(str)                                                                   \
	do {                                                                       \
		int w_ = snprintf(buf + o, size - o, "%s%s", o ? sep : "", (str));  \
		if (w_ > 0 && (size_t)w_ < size - o)                               \
			o += (size_t)w_;                                           \
	} while (0)
	buf[0] = '\0';
	if (has(an, C_SG) || has(an, C_EXEC_SEC))
		ADD(i18n(c->lang, M_WORD_SG));
	if (has(an, C_SECRETARIAT))
		ADD(i18n(c->lang, M_WORD_SECRETARIAT));
	else if (has(an, C_SCO))
		ADD(i18n(c->lang, M_WORD_SCO));
	for (size_t i = 0; i < an->npersons; i++)
		ADD(L(c, &c->f->people[an->persons[i]].name));
	for (size_t i = 0; i < an->ncountries; i++)
		ADD(L(c, &c->f->countries[an->countries[i]].short_name));
	for (size_t i = 0; i < an->nyears; i++) {
		char y[16];
		snprintf(y, sizeof(y), "%d", an->years[i]);
		ADD(y);
	}
#undef ADD
}

/* The facts do not cover the question: say so, name what was understood and
 * what was not, and offer the commands nearest to it. Never a guess. */
static void not_covered(struct ctx *c, const struct analysis *an, const char *text,
                        size_t len)
{
	char q[400], what[256], got[512];
	c->a->status = ANSWER_NOT_SURE;
	c->a->command = "unsure";
	if (an->nunknown) {
		/* The first few words it does not know, as typed. */
		size_t o = 0, n = an->nunknown < 3 ? an->nunknown : 3;
		for (size_t i = 0; i < n && o + 4 < sizeof(what); i++) {
			size_t l = an->unknown_len[i];
			if (!l)
				continue;
			if (o) {
				const char *sep = c->lang == LANG_ZH ? "、" : ", ";
				size_t sl = strlen(sep);
				memcpy(what + o, sep, sl);
				o += sl;
			}
			l = utf8_trim(an->unknown_buf + an->unknown_off[i], l,
			              sizeof(what) - o - 1 < 60 ? sizeof(what) - o - 1 : 60);
			memcpy(what + o, an->unknown_buf + an->unknown_off[i], l);
			o += l;
		}
		what[o] = '\0';
		quote_cut(q, sizeof(q), what, o);
		emit(c, M_NOT_COVERED_WORDS, q);
	} else {
		quote_cut(q, sizeof(q), text, len);
		emit(c, M_NOT_COVERED, q);
	}
	understood(c, an, got, sizeof(got));
	if (got[0]) {
		space(c);
		emit(c, M_UNDERSTOOD, got);
	}
	/* The commands nearest to what was understood. */
	const char *cmds[4];
	size_t nc = 0;
	bool sg = has(an, C_SG) || has(an, C_EXEC_SEC) || an->nyears || an->npersons;
	if (sg)
		cmds[nc++] = an->nyears ? "sg 2011" : "sg";
	if (sg && nc < 3)
		cmds[nc++] = "sgs";
	if ((has(an, C_OPEN) || has(an, C_ATTEND)) && nc < 3)
		cmds[nc++] = "opened";
	if (has(an, C_STAFF) && nc < 3)
		cmds[nc++] = "staff";
	if (has(an, C_DEPT) && nc < 3)
		cmds[nc++] = "departments";
	if ((has(an, C_FUNC) || has(an, C_DO)) && nc < 3)
		cmds[nc++] = "functions";
	if (nc < 3)
		cmds[nc++] = "help";
	answer_break(c->a);
	emit0(c, M_CLOSEST_COMMANDS);
	for (size_t i = 0; i < nc; i++) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "%s %s", prefix_of(c), cmds[i]);
		if (i)
			answer_text(c->a, c->lang == LANG_ZH ? "、" : ", ");
		answer_code(c->a, cmd);
	}
}

/* "second", "третий", "第四任": the position in the list, or 0. */
static size_t ordinal(const struct analysis *an)
{
	static const enum concept ord[] = {C_ORD2, C_ORD3, C_ORD4, C_ORD5, C_ORD6, C_ORD7};
	for (size_t i = 0; i < sizeof(ord) / sizeof(ord[0]); i++)
		if (has(an, ord[i]))
			return i + 2;
	return 0;
}

static bool only_small_talk(const struct analysis *an)
{
	uint64_t talk = (1ull << C_HELLO) | (1ull << C_THANKS) | (1ull << C_SECRETARIAT) |
			(1ull << C_SCO) |
			(1ull << C_SG) | (1ull << C_HELP);
	return (an->concepts & ~talk) == 0 && !an->nyears && !an->ncountries && !an->npersons &&
	       (has(an, C_HELLO) || has(an, C_THANKS));
}

static void answer_welcome(struct ctx *c)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s help", prefix_of(c));
	c->a->command = "thanks";
	emit(c, M_WELCOME, cmd);
}

/* Decides what a plain question asks, from the ideas and entities in it. The
 * order matters: the most specific reading wins. */
static void answer_question(struct ctx *c, const char *text, size_t len)
{
	struct analysis *an = xmalloc(sizeof(*an));
	match_analyze(c->e, text, len, an);
	const struct fact_sg *v[SG_LIST_MAX];
	size_t nsg = sg_persons(c, an, v, SG_LIST_MAX);
	bool sg = has(an, C_SG) || has(an, C_EXEC_SEC);
	bool opening = has(an, C_OPEN) || has(an, C_ATTEND);
	bool term = has(an, C_TERM);
	int anniv = has(an, C_ANNIV) ? when_anniversary_number(text, len) : 0;
	bool relation = has(an, C_SUCC) || has(an, C_PREC);

	if (an->ntok == 0 || (only_small_talk(an) && !has(an, C_THANKS))) {
		answer_help(c, NULL, 0, LANG_NONE);
	} else if (only_small_talk(an)) {
		answer_welcome(c);
	} else if (an->nunknown) {
		/* A word that is neither part of what the facts cover nor a function
		 * word (NATO, salary, weather): answering would be a guess. */
		not_covered(c, an, text, len);
	} else if (has(an, C_UN) && !has(an, C_MESSAGE)) {
		/* The facts know the UN only as the sender of a message in 2004. */
		not_covered(c, an, text, len);
	} else if (has(an, C_MINISTER) && !opening) {
		/* Ministers are known only as guests at the opening. */
		not_covered(c, an, text, len);
	} else if (an->npersons && (has(an, C_DO) || has(an, C_FUNC)) && !has(an, C_SECRETARIAT) &&
		   !term && !has(an, C_END) && !has(an, C_WHEN) && !sg) {
		/* What a person did besides holding the post is not in the facts. */
		not_covered(c, an, text, len);
	} else if (an->npersons && has(an, C_LENGTH) && !sg && !term) {
		/* "How old is Zhang Ming?" ("сколько лет Чжан Мину"). */
		not_covered(c, an, text, len);
	} else if (has(an, C_OPEN) && has(an, C_SCO) && !has(an, C_SECRETARIAT) && !sg &&
		   !has(an, C_ATTEND)) {
		/* The SCO's own founding (2001) is not the Secretariat's opening. */
		not_covered(c, an, text, len);
	} else if (has(an, C_MEMBERS) && !sg && !has(an, C_STAFF) && !has(an, C_APPOINT) &&
		   !has(an, C_REPR) && !opening) {
		/* Which states are members, and since when, is not in the facts. */
		not_covered(c, an, text, len);
	} else if (has(an, C_EVENT)) {
		/* "What happened on 15 January 2004?": the one event with a day. */
		bool opening_day = false;
		for (size_t i = 0; i < an->nyears; i++)
			opening_day |= an->years[i] == c->f->opening.year;
		if (opening_day)
			answer_attendees(c, true);
		else
			not_covered(c, an, text, len);
	} else if (anniv > 0 && anniv <= 100) {
		answer_anniversary(c, anniv);
	} else if (has(an, C_ANNIV)) {
		ANSWER_FACTS(c, "opened", "secretariat.anniversaries");
	} else if (nsg && has(an, C_STILL)) {
		answer_still(c, v[nsg - 1]);
	} else if (nsg && has(an, C_RENEW)) {
		answer_term(c, v[nsg - 1]);
	} else if ((term || sg) && (has(an, C_RENEW) || (has(an, C_LENGTH) && !nsg))) {
		answer_office(c);
	} else if (has(an, C_ROTATE)) {
		ANSWER_FACTS(c, "sg", "sg.term");
	} else if (has(an, C_CITY) && (has(an, C_SECRETARIAT) || has(an, C_SCO)) && !sg &&
		   !opening) {
		/* "Is the Secretariat in Moscow?" */
		ANSWER_FACTS(c, "opened", "secretariat.seat");
	} else if (has(an, C_MESSAGE) && !nsg) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_MINISTER)) {
		answer_attendees(c, false);
	} else if (sg && has(an, C_OPEN) && !an->nyears && !nsg && !has(an, C_ATTEND)) {
		/* "Who was secretary-general when the Secretariat opened?" */
		answer_first(c);
	} else if (!an->nyears && !relation &&
		   ((term && (has(an, C_END) || has(an, C_WHEN) || has(an, C_CURRENT) || sg || nsg)) ||
		    (has(an, C_END) && (sg || nsg)))) {
		answer_term(c, nsg ? v[nsg - 1] : NULL);
	} else if ((sg || nsg) && has(an, C_APPOINT) &&
		   (nsg || ((has(an, C_WHEN) || has(an, C_WHERE)) && !has(an, C_WHO)))) {
		answer_appointed(c, nsg ? v[nsg - 1] : NULL);
	} else if (nsg && relation) {
		answer_relation(c, v[nsg - 1], has(an, C_SUCC));
	} else if (sg && relation && !an->nyears && !an->ncountries && !an->npersons) {
		const struct fact_sg *cur = sg_today(c, false);
		if (!cur)
			cur = when_last_known(c->f, c->today);
		if (cur)
			answer_relation(c, cur, has(an, C_SUCC));
		else
			answer_sg_current(c);
	} else if (an->npersons && opening && !sg) {
		const struct fact_attendee *at =
			facts_attendee_of_person(c->f, &c->f->people[an->persons[0]]);
		if (at) {
			answer_person_attended(c, at);
			as_of(c);
		} else if (nsg) {
			answer_sg_persons(c, v, nsg, text, len);
		} else {
			answer_attendees(c, false);
		}
	} else if (sg && an->nyears == 1 && has(an, C_STILL) && has(an, C_LIST)) {
		/* "2004年至今的秘书长有哪些": everyone from that year to now. */
		answer_sg_list(c, false);
	} else if (an->nyears && (sg || has(an, C_WHO) || !opening) && !has(an, C_OPEN)) {
		answer_sg_years(c, an->years, an->nyears);
	} else if (an->ncountries && (has(an, C_OPEN) || (has(an, C_ATTEND) && !sg)) &&
		   attendee_in(c, an)) {
		answer_attendee_of_country(c, attendee_in(c, an));
	} else if (an->ncountries && (sg || has(an, C_WHO))) {
		answer_sg_country(c, &c->f->countries[an->countries[0]]);
	} else if (nsg) {
		answer_sg_persons(c, v, nsg, text, len);
	} else if (an->npersons) {
		const struct fact_attendee *at =
			facts_attendee_of_person(c->f, &c->f->people[an->persons[0]]);
		if (at) {
			answer_person_attended(c, at);
			as_of(c);
		} else {
			not_sure(c, an, text, len);
		}
	} else if (sg && ordinal(an) && ordinal(an) <= c->f->n_sgs) {
		const struct fact_sg *nth = &c->f->sgs[ordinal(an) - 1];
		answer_sg_persons(c, &nth, 1, "", 0);
	} else if (has(an, C_UN)) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_WHERE) && has(an, C_OPEN)) {
		ANSWER_FACTS(c, "opened", "opening.ceremony");
	} else if ((has(an, C_WHERE) || has(an, C_LOCATED) || has(an, C_HOST)) && !sg) {
		ANSWER_FACTS(c, "opened", "secretariat.seat");
	} else if (sg && has(an, C_APPOINT)) {
		ANSWER_FACTS(c, "appointment", "sg.appointment");
	} else if (has(an, C_RENAME) || (has(an, C_EXEC_SEC) && !has(an, C_FIRST))) {
		ANSWER_FACTS(c, "sg", "sg.renamed");
	} else if (sg && has(an, C_FIRST)) {
		answer_first(c);
	} else if (sg && (has(an, C_LIST) || has(an, C_COUNT_WORD) || has(an, C_PLURAL))) {
		answer_sg_list(c, has(an, C_COUNT_WORD));
	} else if (sg && !has(an, C_STAFF) && !has(an, C_DEPT) && !has(an, C_FUNC) &&
		   !has(an, C_REPR) && !has(an, C_MESSAGE)) {
		answer_sg_current(c);
	} else if (has(an, C_ATTEND) || (has(an, C_OPEN) && has(an, C_WHO))) {
		answer_attendees(c, false);
	} else if (has(an, C_MESSAGE)) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_OPEN)) {
		ANSWER_FACTS(c, "opened", "opening.ceremony");
	} else if (has(an, C_DEPT)) {
		answer_departments(c);
	} else if (has(an, C_REPR)) {
		ANSWER_FACTS(c, "representatives", "representatives");
	} else if (has(an, C_STAFF) || (has(an, C_COUNT_WORD) && has(an, C_WORK))) {
		ANSWER_FACTS(c, "staff", "staff.officials", "staff.technical");
	} else if (has(an, C_FUNC) || (has(an, C_DO) && !has(an, C_COUNT_WORD) &&
	                                (has(an, C_SECRETARIAT) || has(an, C_SCO)))) {
		answer_functions(c);
	} else if (has(an, C_APPOINT)) {
		ANSWER_FACTS(c, "appointment", "sg.appointment");
	} else if (has(an, C_SOURCE)) {
		answer_source(c);
	} else if (has(an, C_HELP)) {
		answer_help(c, NULL, 0, LANG_NONE);
	} else {
		/* No reading fits: search, and answer only a clear, well-covered hit. */
		struct hit h[2];
		size_t n = match_search(c->e, an, h, 2);
		if (n && h[0].coverage >= 0.6 && an->ncontent >= 1 &&
		    (n == 1 || h[0].score >= 1.5 * h[1].score))
			doc_answer(c, &c->e->docs[h[0].doc]);
		else
			not_sure(c, an, text, len);
	}
	free(an);
}

/* --- Commands ----------------------------------------------------------------------- */

/* "sg bananas": say what the argument may be. */
static void sg_bad_arg(struct ctx *c, const char *arg, size_t len)
{
	char q[256];
	user_text(q, sizeof(q), arg, len);
	c->a->command = "sg";
	emit(c, M_SG_BAD_ARG, q);
	answer_break(c->a);
	answer_usage(c, commands_find("sg"));
}

static void answer_sg_command(struct ctx *c, const char *arg, size_t len)
{
	if (len == 0 && c->plural) {
		answer_sg_list(c, false);
		return;
	}
	if (len == 0) {
		answer_sg_current(c);
		return;
	}
	struct analysis *an = xmalloc(sizeof(*an));
	match_analyze(c->e, arg, len, an);
	const struct fact_sg *v[SG_LIST_MAX];
	size_t nsg = sg_persons(c, an, v, SG_LIST_MAX);
	if (has(an, C_UN) && has(an, C_MESSAGE) && !an->nunknown) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_UN) || (an->nunknown && (an->nyears || nsg || an->ncountries))) {
		/* "sg nato 2016", "генсек ООН в 2011 году": another organisation. */
		not_covered(c, an, arg, len);
	} else if (an->nunknown) {
		sg_bad_arg(c, arg, len);
	} else if (!an->nyears && !nsg && !an->ncountries && !an->npersons &&
		   (has(an, C_SCO) || has(an, C_SECRETARIAT)) && !has(an, C_LIST) &&
		   !has(an, C_FIRST) && !has(an, C_SUCC) && !has(an, C_PREC)) {
		/* "генеральный секретарь ШОС": the name of the post, not an argument;
		 * "генеральные секретари ШОС" asks for all of them. */
		if (c->plural)
			answer_sg_list(c, false);
		else
			answer_sg_current(c);
	} else if (an->nyears) {
		answer_sg_years(c, an->years, an->nyears);
	} else if (nsg && (has(an, C_SUCC) || has(an, C_PREC))) {
		answer_relation(c, v[nsg - 1], has(an, C_SUCC));
	} else if (nsg) {
		answer_sg_persons(c, v, nsg, arg, len);
	} else if (an->ncountries) {
		answer_sg_country(c, &c->f->countries[an->countries[0]]);
	} else if (has(an, C_FIRST)) {
		answer_first(c);
	} else if (has(an, C_SUCC) || has(an, C_PREC)) {
		const struct fact_sg *cur = sg_today(c, false);
		if (!cur)
			cur = when_last_known(c->f, c->today);
		if (cur)
			answer_relation(c, cur, has(an, C_SUCC));
		else
			answer_sg_current(c);
	} else if (ordinal(an) && ordinal(an) <= c->f->n_sgs) {
		const struct fact_sg *nth = &c->f->sgs[ordinal(an) - 1];
		answer_sg_persons(c, &nth, 1, "", 0);
	} else if (has(an, C_LIST)) {
		answer_sg_list(c, false);
	} else if (has(an, C_CURRENT) || has(an, C_LAST)) {
		answer_sg_current(c);
	} else {
		sg_bad_arg(c, arg, len);
	}
	free(an);
}

static void answer_unknown(struct ctx *c, const char *text, size_t len)
{
	const struct command_info *sug[3];
	char word[128], cmd[64];
	size_t wl = 0;
	while (wl < len && text[wl] != ' ' && text[wl] != '\t')
		wl++;
	user_text(word, sizeof(word), text, wl);
	size_t n = match_suggest_commands(c->e, text, wl, sug, 3);
	c->a->status = ANSWER_UNKNOWN;
	c->a->command = "unknown";
	c->a->ephemeral = true;
	emit(c, M_UNKNOWN_CMD, word);
	if (n) {
		emit0(c, M_DID_YOU_MEAN);
		for (size_t i = 0; i < n; i++) {
			if (i)
				answer_text(c->a, ", ");
			answer_code(c->a, L(c, &sug[i]->label));
		}
		answer_text(c->a, c->lang == LANG_ZH ? "？" : "?");
	}
	snprintf(cmd, sizeof(cmd), "%s help", prefix_of(c));
	emit(c, M_TRY_HELP, cmd);
}

static void run_command(struct ctx *c, const struct command_info *ci, const char *arg,
                        size_t len, enum lang room_lang)
{
	const char *n = ci->name;
	if (!strcmp(n, "help"))
		answer_help(c, arg, len, room_lang);
	else if (!strcmp(n, "about"))
		answer_about(c);
	else if (!strcmp(n, "source"))
		answer_source(c);
	else if (!strcmp(n, "sg"))
		answer_sg_command(c, arg, len);
	else if (!strcmp(n, "sgs"))
		answer_sg_list(c, false);
	else if (!strcmp(n, "opened"))
		answer_attendees(c, true);
	else if (!strcmp(n, "attendees"))
		answer_attendees(c, false);
	else if (!strcmp(n, "staff"))
		ANSWER_FACTS(c, "staff", "staff.officials", "staff.technical");
	else if (!strcmp(n, "departments"))
		answer_departments(c);
	else if (!strcmp(n, "functions"))
		answer_functions(c);
	else if (!strcmp(n, "appointment"))
		ANSWER_FACTS(c, "appointment", "sg.appointment", "sg.renamed");
	else if (!strcmp(n, "representatives"))
		ANSWER_FACTS(c, "representatives", "representatives");
	else if (!strcmp(n, "search")) {
		if (len)
			answer_search(c, arg, len);
		else
			answer_usage(c, ci);
	} else if (!strcmp(n, "fact")) {
		if (len)
			answer_fact(c, arg, len);
		else
			answer_usage(c, ci);
	} else if (!strcmp(n, "lang"))
		answer_lang(c, arg, len, room_lang);
	else if (!strcmp(n, "ask")) {
		if (len)
			answer_question(c, arg, len);
		else
			answer_usage(c, ci);
	}
}

/* --- Public ------------------------------------------------------------------------- */

struct engine *engine_new(const struct facts *facts)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	e->facts = facts;
	match_build(e);
	build_sg_text(e);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	arena_free(&e->arena);
	free(e);
}

const struct facts *engine_facts(const struct engine *e)
{
	return e->facts;
}

enum lang engine_query_lang(const struct engine_query *q)
{
	if (q->lang >= 0 && q->lang < LANG_COUNT)
		return q->lang;
	size_t len = q->len < ENGINE_MAX_INPUT ? q->len : ENGINE_MAX_INPUT;
	enum lang l = q->text ? lang_detect(q->text, len) : LANG_EN;
	if (l == LANG_EN && q->room_lang >= 0 && q->room_lang < LANG_COUNT)
		return q->room_lang;
	return l;
}

bool engine_strip_prefix(const char *prefix, const char *text, size_t len, size_t *ret_rest)
{
	size_t pl = strlen(prefix);
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (pl == 0 || len - i < pl || strncasecmp(text + i, prefix, pl) != 0)
		return false;
	i += pl;
	if (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
		return false;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
		i++;
	*ret_rest = i;
	return true;
}

void engine_answer(const struct engine *e, const struct engine_query *q, struct answer *out)
{
	struct ctx c = {e, e->facts, out, engine_query_lang(q), q->prefix, q->today, false};
	const char *text = q->text ? q->text : "";
	size_t len = q->text ? q->len : 0;
	if (len > ENGINE_MAX_INPUT)
		len = utf8_trim(text, len, ENGINE_MAX_INPUT);
	/* Leading and trailing white space carries nothing. */
	while (len && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n' || text[0] == '\r')) {
		text++;
		len--;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
		       text[len - 1] == '\r'))
		len--;

	answer_init(out, c.lang);
	if (len == 0) {
		answer_help(&c, NULL, 0, q->room_lang);
		answer_end_body(out);
		return;
	}
	size_t rest = 0;
	const struct command_info *ci = match_command(e, text, len, &rest);
	/* The command word itself may be a plural ("генсеки"). */
	if (ci && !strcmp(ci->name, "sg"))
		c.plural = match_plural_head(text, rest);
	if (ci && (ci->arg || rest >= len)) {
		run_command(&c, ci, text + rest, len - rest, q->room_lang);
	} else {
		/* A lone unknown word reads as a mistyped command; anything longer is
		 * a question. */
		bool one_word = !memchr(text, ' ', len) && !memchr(text, '\t', len);
		bool han = lang_detect(text, len) == LANG_ZH;
		struct analysis *an = NULL;
		if (one_word && !han) {
			an = xmalloc(sizeof(*an));
			match_analyze(e, text, len, an);
		}
		if (an && an->recognised == 0 && an->nterms <= 1)
			answer_unknown(&c, text, len);
		else
			answer_question(&c, text, len);
		free(an);
	}
	if (out->nseg_body == 0 || out->nseg_body > out->nseg)
		answer_end_body(out);
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
