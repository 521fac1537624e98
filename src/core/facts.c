/* facts.c: look-ups on a loaded fact table and its destruction; it reads the
 * indexes that facts_load.c built and must never change the table. */
#include "core/facts.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/facts_impl.h"

void facts_error_format(const struct facts_error *err, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	if (!err) {
		snprintf(buf, size, "unknown error");
		return;
	}
	const char *reason = err->reason[0] ? err->reason : "unknown error";
	if (err->file[0] && err->line > 0 && err->path[0])
		snprintf(buf, size, "%s:%d: %s: %s", err->file, err->line, err->path, reason);
	else if (err->file[0] && err->line > 0)
		snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->column, reason);
	else if (err->file[0] && err->path[0])
		snprintf(buf, size, "%s: %s: %s", err->file, err->path, reason);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, reason);
	else if (err->path[0])
		snprintf(buf, size, "%s: %s", err->path, reason);
	else
		snprintf(buf, size, "%s", reason);
}

void facts_free(struct facts *f)
{
	if (!f)
		return;
	struct facts_impl *impl = f->impl;
	/* f itself lives in the arena, so nothing may touch it after this. */
	arena_free(&impl->arena);
	free(impl);
}

/* The by-id arrays all hold pointers to structs whose first member is the id. */
static int cmp_key_sentence(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct fact_sentence *const *)elem)->id);
}

static int cmp_key_country(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct fact_country *const *)elem)->id);
}

static int cmp_key_person(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct fact_person *const *)elem)->id);
}

static int cmp_key_fact(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fact *)elem)->id);
}

const struct fact *facts_get(const struct facts *f, const char *id)
{
	if (!f || !id)
		return NULL;
	return bsearch(id, f->facts, f->n_facts, sizeof(*f->facts), cmp_key_fact);
}

const struct fact_person *facts_person(const struct facts *f, const char *id)
{
	if (!f || !id)
		return NULL;
	const struct fact_person *const *p = bsearch(id, f->impl->people_by_id, f->n_people,
	                                             sizeof(*f->impl->people_by_id),
	                                             cmp_key_person);
	return p ? *p : NULL;
}

const struct fact_country *facts_country(const struct facts *f, const char *id)
{
	if (!f || !id)
		return NULL;
	const struct fact_country *const *c = bsearch(id, f->impl->countries_by_id,
	                                              f->n_countries,
	                                              sizeof(*f->impl->countries_by_id),
	                                              cmp_key_country);
	return c ? *c : NULL;
}

const struct fact_sentence *facts_sentence(const struct facts *f, const char *id)
{
	if (!f || !id)
		return NULL;
	const struct fact_sentence *const *s = bsearch(id, f->impl->sentences_by_id,
	                                               f->n_sentences,
	                                               sizeof(*f->impl->sentences_by_id),
	                                               cmp_key_sentence);
	return s ? *s : NULL;
}

static int cmp_key_source(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct fact_source *const *)elem)->id);
}

const struct fact_source *facts_source(const struct facts *f, const char *id)
{
	if (!f || !id || !f->impl->sources_by_id)
		return NULL;
	const struct fact_source *const *s = bsearch(id, f->impl->sources_by_id, f->n_sources,
	                                             sizeof(*f->impl->sources_by_id),
	                                             cmp_key_source);
	return s ? *s : NULL;
}

static int sg_end(const struct fact_sg *sg)
{
	return sg->last_year ? sg->last_year : INT_MAX;
}

/* The loader guarantees terms are chronological and overlap by at most a shared
 * boundary year, so their end years never decrease and a binary search finds
 * the first term still running in `year`. */
size_t facts_sgs_in_year(const struct facts *f, int year, const struct fact_sg **out,
                         size_t max)
{
	if (!f || (!out && max))
		return 0;
	size_t lo = 0, hi = f->n_sgs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sg_end(&f->sgs[mid]) < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	for (size_t i = lo; i < f->n_sgs && n < max && f->sgs[i].first_year <= year; i++)
		out[n++] = &f->sgs[i];
	return n;
}

static size_t copy_span(const struct facts_sg_span *span, const struct fact_sg **out,
                        size_t max)
{
	size_t n = span->n < max ? span->n : max;
	for (size_t i = 0; i < n; i++)
		out[i] = span->v[i];
	return n;
}

/* Pointers the caller passes must come from this table; anything else matches
 * nothing rather than indexing out of bounds. */
static bool country_index(const struct facts *f, const struct fact_country *c, size_t *ret)
{
	uintptr_t base = (uintptr_t)f->countries, at = (uintptr_t)c;
	if (!c || at < base || at >= base + f->n_countries * sizeof(*c) ||
	    (at - base) % sizeof(*c))
		return false;
	*ret = (at - base) / sizeof(*c);
	return true;
}

static bool person_index(const struct facts *f, const struct fact_person *p, size_t *ret)
{
	uintptr_t base = (uintptr_t)f->people, at = (uintptr_t)p;
	if (!p || at < base || at >= base + f->n_people * sizeof(*p) ||
	    (at - base) % sizeof(*p))
		return false;
	*ret = (at - base) / sizeof(*p);
	return true;
}

size_t facts_sgs_of_country(const struct facts *f, const struct fact_country *c,
                            const struct fact_sg **out, size_t max)
{
	size_t i;
	if (!f || (!out && max) || !country_index(f, c, &i))
		return 0;
	return copy_span(&f->impl->sgs_of_country[i], out, max);
}

size_t facts_sgs_of_person(const struct facts *f, const struct fact_person *p,
                           const struct fact_sg **out, size_t max)
{
	size_t i;
	if (!f || (!out && max) || !person_index(f, p, &i))
		return 0;
	return copy_span(&f->impl->sgs_of_person[i], out, max);
}

const struct fact_attendee *facts_attendee_of_person(const struct facts *f,
                                                     const struct fact_person *p)
{
	size_t i;
	if (!f || !person_index(f, p, &i))
		return NULL;
	return f->impl->attendee_of_person[i];
}

const struct fact_attendee *facts_attendee_of_country(const struct facts *f,
                                                      const struct fact_country *c)
{
	size_t i;
	if (!f || !country_index(f, c, &i))
		return NULL;
	return f->impl->attendee_of_country[i];
}

size_t facts_sgs_on_day(const struct facts *f, int32_t day, const struct fact_sg **out,
                        size_t max)
{
	size_t n = 0;
	if (!f || (!out && max))
		return 0;
	for (size_t i = 0; i < f->n_sgs && n < max; i++) {
		const struct fact_sg *sg = &f->sgs[i];
		if (sg->from.first <= day && (!sg->to.prec || day <= sg->to.last))
			out[n++] = sg;
	}
	return n;
}
