/* engine_emit.c: writes an answer's text: i18n templates, notes, the sources
 * and "as of" lines every answer from the table carries, and the per-term
 * texts (dates, terms, sources) formatted once per engine. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <string.h>

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
void eng_emitv(struct ctx *c, enum msg m, const char *const *args, size_t nargs)
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

/* Expands {0}..{9} of a template into buf, for a template used as an argument
 * of another. */
const char *eng_fill(char *buf, size_t size, const char *t, const char *const *args,
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

/* "1 January 2019 to 31 December 2021" where the facts give days, else years. */
static const char *fmt_term_text(struct ctx *c, const struct fact_sg *sg, char *buf, size_t size)
{
	char a[64], b[64];
	if (sg->from.prec == DATE_DAY && (sg->to.prec == DATE_DAY || !sg->to.prec)) {
		date_text(c, &sg->from, a, sizeof(a));
		if (!sg->to.prec)
			return eng_fill(buf, size, i18n(c->lang, M_TERM_FROM), (const char *[]){a}, 1);
		date_text(c, &sg->to, b, sizeof(b));
		return eng_fill(buf, size, i18n(c->lang, M_TERM_DATES), (const char *[]){a, b}, 2);
	}
	snprintf(a, sizeof(a), "%d", sg->first_year);
	snprintf(b, sizeof(b), "%d", sg->last_year);
	return eng_fill(buf, size, i18n(c->lang, sg->last_year ? M_TERM_RANGE : M_TERM_OPEN),
	                (const char *[]){a, b}, 2);
}

/* A note goes on a line of its own; `who` names its subject in lists. */
void eng_note_about(struct ctx *c, const struct l10n *n, const char *who)
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
struct pdate eng_run_to(struct ctx *c, const struct fact_sg **ret_sg, bool *ret_appointed)
{
	struct pdate to = when_facts_run_to(c->f, c->today, ret_sg, ret_appointed);
	if (!to.prec) {
		const struct fact_opening *op = &c->f->opening;
		to = date_from_days(date_days(op->year, op->month, op->day));
	}
	return to;
}

void eng_as_of(struct ctx *c)
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
			eng_fill(item, sizeof(item), i18n(c->lang, M_SOURCE_ITEM),
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
void eng_sources_line(struct ctx *c, const struct fact_refs *const *refs, size_t nrefs,
                      size_t max)
{
	char list[1024];
	if (!sources_list(c, refs, nrefs, max, list, sizeof(list)))
		return;
	if (!at_line_start(c->a))
		answer_break(c->a);
	emit(c, M_SOURCES, list);
}


/* Formats the per-term texts once, for every language (see sg_text_kind). */
void eng_build_sg_text(struct engine *e)
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
