/* facts_load_people.c: loads the `people` kind (people.json): names, aliases
 * and each person's country. */
#include "core/facts_load_impl.h"

#include <stdio.h>

int fl_build_people(struct loader *l)
{
	static const struct field fields[] = {
		{"id", true}, {"name", true}, {"country", false}, {"aliases", true},
		{"checked", true},
	};
	size_t total;
	int r = fl_count_records(l, TOP_PEOPLE, &total);
	if (r < 0)
		return r;
	struct fact_person *v = arena_array(l->a, total, sizeof(*v));
	struct origin *orig = arena_array(&l->scratch, total, sizeof(*orig));
	struct idref *refs = arena_array(&l->scratch, total, sizeof(*refs));
	size_t k = 0;
	for (size_t p = 0; p < l->n_parts[TOP_PEOPLE]; p++) {
		const struct part *part = &l->parts[TOP_PEOPLE][p];
		size_t i = 0;
		for (const cJSON *item = part->value->child; item; item = item->next, i++, k++) {
			fl_path_reset(l, part->file);
			fl_path_push(l, "people[%zu]", i);
			if ((r = fl_check_object(l, item, fields, 5)) < 0 ||
			    (r = fl_get_id(l, item, "id", &v[k].id)) < 0)
				return r;
			char what[FACTS_MAX_ID + 16];
			snprintf(what, sizeof(what), "person \"%s\"", v[k].id);
			if ((r = fl_get_l10n(l, item, "name", what, &v[k].name)) < 0 ||
			    (r = fl_get_country_ref(l, item, "country", false, &v[k].country)) < 0 ||
			    (r = fl_get_aliases(l, item, "aliases", what, v[k].aliases)) < 0 ||
			    (r = fl_get_string(l, item, "checked", &v[k].checked)) < 0)
				return r;
			orig[k] = (struct origin){part->file, i};
			refs[k] = (struct idref){v[k].id, k};
		}
	}
	if ((r = fl_sort_unique(l, TOP_PEOPLE, "person", refs, total, orig)) < 0)
		return r;
	const struct fact_person **by_id = arena_array(l->a, total, sizeof(*by_id));
	for (size_t i = 0; i < total; i++)
		by_id[i] = &v[refs[i].seq];
	l->f->people = v;
	l->f->n_people = total;
	l->impl->people_by_id = by_id;
	return 0;
}
