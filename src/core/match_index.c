/* match_index.c: the search index over the facts, Secretary-General terms and
 * attendees, and BM25 ranking of a question's terms against it. */
#include "core/match_impl.h"

#include <math.h>
#include <string.h>
#include "util/utf8.h"

void match_for_each_term(const struct engine *e, const char *s, size_t len,
                         term_fn fn, void *ctx)
{
	char norm[2 * 4096 + 64];
	struct token tok[TEXT_MAX_TOKENS];
	size_t n = text_tokenize(s, len, norm, sizeof(norm), tok, TEXT_MAX_TOKENS);
	(void)e;
	for (size_t k = 0; k < n; k++) {
		char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if (tok[k].script == TOK_CYR)
			tl = text_stem_ru(t, tl);
		if (tok[k].script != TOK_HAN) {
			fn(ctx, t, tl);
			continue;
		}
		/* Han: bigrams (or the lone character). */
		size_t starts[TEXT_MAX_TOKEN_BYTES], ns = 0, i = 0;
		while (i < tl && ns < TEXT_MAX_TOKEN_BYTES - 1) {
			starts[ns++] = i;
			utf8_next(t, tl, &i);
		}
		starts[ns] = tl;
		if (ns == 1)
			fn(ctx, t, tl);
		for (size_t c = 0; c + 1 < ns; c++)
			fn(ctx, t + starts[c], starts[c + 2 <= ns ? c + 2 : ns] - starts[c]);
	}
}

static struct term *term_find(const struct engine *e, const char *t, size_t len)
{
	if (!e->tslot)
		return NULL;
	uint32_t h = hash_bytes(t, len);
	for (int32_t i = e->tslot[h & (e->ntslot - 1)]; i >= 0; i = e->terms[i].next)
		if (e->terms[i].hash == h && e->terms[i].len == len &&
		    memcmp(e->terms[i].key, t, len) == 0)
			return &e->terms[i];
	return NULL;
}

/* Index construction keeps (term, doc) pairs in a growable list first. */
struct pair {
	const char *t;
	uint16_t len;
	uint16_t doc;
};

struct ibuild {
	struct engine *e;
	struct pair *p;
	size_t n, cap;
	uint16_t doc;
};

static void ibuild_add(void *ctx, const char *t, size_t len)
{
	struct ibuild *ib = ctx;
	if (len == 0 || len > TERM_MAX_BYTES)
		return;
	if (ib->n == ib->cap) {
		size_t cap = ib->cap ? ib->cap * 2 : 4096;
		struct pair *np = arena_array(&ib->e->arena, cap, sizeof(*np));
		if (ib->n)
			memcpy(np, ib->p, ib->n * sizeof(*np));
		ib->p = np;
		ib->cap = cap;
	}
	ib->p[ib->n++] = (struct pair){arena_strndup(&ib->e->arena, t, len), (uint16_t)len, ib->doc};
	ib->e->docs[ib->doc].nterms++;
}

static void index_l10n(struct ibuild *ib, const struct l10n *t)
{
	for (int l = 0; l < LANG_COUNT; l++)
		if (t->s[l])
			match_for_each_term(ib->e, t->s[l], strlen(t->s[l]), ibuild_add, ib);
}

static void index_aliases(struct ibuild *ib, const struct fact_aliases *al)
{
	for (int l = 0; l < LANG_COUNT; l++)
		for (size_t k = 0; k < al[l].n; k++)
			match_for_each_term(ib->e, al[l].v[k], strlen(al[l].v[k]), ibuild_add, ib);
}

static void index_person(struct ibuild *ib, const struct fact_person *p)
{
	if (!p)
		return;
	index_l10n(ib, &p->name);
	index_aliases(ib, p->aliases);
}

static void index_country(struct ibuild *ib, const struct fact_country *c)
{
	if (!c)
		return;
	index_l10n(ib, &c->short_name);
	index_l10n(ib, &c->name);
}

void match_index_build(struct engine *e)
{
	const struct facts *f = e->facts;
	struct ibuild ib = {.e = e};

	for (size_t i = 0; i < f->n_facts && e->ndocs < MATCH_MAX_DOCS; i++) {
		ib.doc = (uint16_t)e->ndocs;
		e->docs[e->ndocs++] = (struct doc){DOC_FACT, (uint16_t)i, 0};
		const struct fact *ft = &f->facts[i];
		index_l10n(&ib, &ft->text);
		for (size_t k = 0; k < ft->n_items; k++)
			index_l10n(&ib, &ft->items[k]);
		index_aliases(&ib, ft->keywords);
	}
	for (size_t i = 0; i < f->n_sgs && e->ndocs < MATCH_MAX_DOCS; i++) {
		ib.doc = (uint16_t)e->ndocs;
		e->docs[e->ndocs++] = (struct doc){DOC_SG, (uint16_t)i, 0};
		index_person(&ib, f->sgs[i].person);
		index_country(&ib, f->sgs[i].country);
		static const struct l10n sg_words = {{"secretary general", "генеральный секретарь", "秘书长"}};
		index_l10n(&ib, &sg_words);
	}
	for (size_t i = 0; i < f->n_attendees && e->ndocs < MATCH_MAX_DOCS; i++) {
		ib.doc = (uint16_t)e->ndocs;
		e->docs[e->ndocs++] = (struct doc){DOC_ATTENDEE, (uint16_t)i, 0};
		index_person(&ib, f->attendees[i].person);
		index_country(&ib, f->attendees[i].country);
		index_l10n(&ib, &f->attendees[i].role);
	}

	/* Group the pairs into terms with postings. Quadratic in distinct terms
	 * only at build time, over a few thousand pairs. */
	size_t total = 0;
	for (size_t d = 0; d < e->ndocs; d++)
		total += e->docs[d].nterms;
	e->avg_doc_len = e->ndocs ? (double)total / (double)e->ndocs : 1.0;

	e->ntslot = pow2_at_least(ib.n * 2 + 1);
	e->tslot = arena_array(&e->arena, e->ntslot, sizeof(*e->tslot));
	for (size_t i = 0; i < e->ntslot; i++)
		e->tslot[i] = -1;
	e->terms = arena_array(&e->arena, ib.n ? ib.n : 1, sizeof(*e->terms));
	uint32_t *counts = arena_array(&e->arena, ib.n ? ib.n : 1, sizeof(*counts));
	/* First pass: distinct terms and their posting counts (pairs of one doc are
	 * contiguous, so a new doc for a term shows as a change of doc id). */
	uint16_t *lastdoc = arena_array(&e->arena, ib.n ? ib.n : 1, sizeof(*lastdoc));
	for (size_t k = 0; k < ib.n; k++) {
		struct term *t = term_find(e, ib.p[k].t, ib.p[k].len);
		if (!t) {
			t = &e->terms[e->nterms];
			t->key = ib.p[k].t;
			t->len = ib.p[k].len;
			t->hash = hash_bytes(t->key, t->len);
			size_t s = t->hash & (e->ntslot - 1);
			t->next = e->tslot[s];
			e->tslot[s] = (int32_t)e->nterms;
			lastdoc[e->nterms] = UINT16_MAX;
			e->nterms++;
		}
		size_t ti = (size_t)(t - e->terms);
		if (lastdoc[ti] != ib.p[k].doc) {
			lastdoc[ti] = ib.p[k].doc;
			counts[ti]++;
		}
	}
	for (size_t ti = 0; ti < e->nterms; ti++) {
		e->terms[ti].post = arena_array(&e->arena, counts[ti], sizeof(struct posting));
		e->terms[ti].npost = 0;
		lastdoc[ti] = UINT16_MAX;
	}
	for (size_t k = 0; k < ib.n; k++) {
		struct term *t = term_find(e, ib.p[k].t, ib.p[k].len);
		size_t ti = (size_t)(t - e->terms);
		struct posting *post = (struct posting *)t->post;
		if (lastdoc[ti] != ib.p[k].doc) {
			lastdoc[ti] = ib.p[k].doc;
			post[t->npost++] = (struct posting){ib.p[k].doc, 0};
		}
		post[t->npost - 1].tf++;
	}
}

size_t match_search(const struct engine *e, const struct analysis *an,
                    struct hit *out, size_t max)
{
	double score[MATCH_MAX_DOCS] = {0};
	uint8_t matched[MATCH_MAX_DOCS] = {0};
	const double k1 = 1.2, b = 0.75;
	double N = (double)e->ndocs;

	for (size_t q = 0; q < an->nterms; q++) {
		const char *t = an->termbuf + an->term_off[q];
		size_t tl = an->term_len[q];
		/* Stop words and single letters ("people's" -> "s") say nothing
		 * about which fact is meant. */
		if (tl < 2 || is_stop(e, t, tl))
			continue;
		const struct term *term = term_find(e, t, tl);
		if (!term)
			continue;
		double idf = log(1.0 + (N - term->npost + 0.5) / (term->npost + 0.5));
		for (size_t p = 0; p < term->npost; p++) {
			const struct posting *po = &term->post[p];
			double dl = e->docs[po->doc].nterms;
			double tf = po->tf;
			score[po->doc] += idf * tf * (k1 + 1) /
					  (tf + k1 * (1 - b + b * dl / e->avg_doc_len));
			if (matched[po->doc] < 255)
				matched[po->doc]++;
		}
	}
	size_t n = 0;
	for (size_t d = 0; d < e->ndocs; d++) {
		if (score[d] <= 0)
			continue;
		struct hit h = {(uint16_t)d, score[d],
				an->ncontent ? (double)matched[d] / (double)an->ncontent : 0};
		size_t pos = n < max ? n : max;
		while (pos > 0 && out[pos - 1].score < h.score)
			pos--;
		if (pos >= max)
			continue;
		size_t last = n < max ? n : max - 1;
		for (size_t j = last; j > pos; j--)
			out[j] = out[j - 1];
		out[pos] = h;
		if (n < max)
			n++;
	}
	return n;
}
