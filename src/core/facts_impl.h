/* facts_impl.h: the fact table's private indexes, built by facts_load*.c and read
 * by facts.c; nothing else may include it. */
#ifndef SCOBOT_CORE_FACTS_IMPL_H
#define SCOBOT_CORE_FACTS_IMPL_H

#include <stddef.h>

#include "core/facts.h"
#include "util/arena.h"

struct facts_sg_span {
	const struct fact_sg *const *v;
	size_t n;
};

struct facts_impl {
	struct arena arena; /* owns the struct facts and everything it points to */

	/* Sorted by id for bsearch; the public arrays keep file order. */
	const struct fact_sentence *const *sentences_by_id;
	const struct fact_source *const *sources_by_id;
	const struct fact_country *const *countries_by_id;
	const struct fact_person *const *people_by_id;

	/* Parallel to facts.countries / facts.people. */
	const struct facts_sg_span *sgs_of_country;
	const struct facts_sg_span *sgs_of_person;
	const struct fact_attendee *const *attendee_of_country;
	const struct fact_attendee *const *attendee_of_person;
};

#endif
