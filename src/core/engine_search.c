/* engine_search.c: finding facts by words (`search`, and the closest matches a
 * "not sure" offers) or by id (`fact`), with their notes and sources. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

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

void eng_doc_answer(struct ctx *c, const struct doc *d)
{
	switch ((enum doc_kind)d->kind) {
	case DOC_FACT: {
		const struct fact *ft = &c->f->facts[d->index];
		c->a->command = ft->topic;
		eng_fact_body(c, ft);
		eng_as_of(c);
		break;
	}
	case DOC_SG: {
		const struct fact_sg *sg = &c->f->sgs[d->index];
		eng_answer_sg_persons(c, &sg, 1, "", 0);
		break;
	}
	case DOC_ATTENDEE:
		eng_answer_person_attended(c, &c->f->attendees[d->index]);
		eng_as_of(c);
		break;
	}
}

void eng_hit_list(struct ctx *c, const struct hit *h, size_t n)
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
	eng_sources_line(c, refs, k, 4);
}

void eng_answer_search(struct ctx *c, const char *words, size_t len)
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
		eng_hit_list(c, h, n);
		hit_notes(c, h, n);
		hit_sources(c, h, n);
		eng_as_of(c);
	}
	free(an);
}

void eng_answer_fact(struct ctx *c, const char *arg, size_t len)
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
	eng_fact_body(c, ft);
	if (!at_line_start(c->a))
		answer_break(c->a);
	if (ft->source) {
		emit(c, M_SOURCE_QUOTE, ft->source->text);
		answer_break(c->a);
	}
	const struct fact_refs *r = &ft->sources;
	eng_sources_line(c, &r, 1, 8);
	eng_as_of(c);
}
