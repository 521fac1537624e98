/* facts_load_facts.c: loads the `facts` kind (facts.json) and refuses a table
 * without the facts the engine's fixed commands answer from. */
#include "core/facts_load_impl.h"

#include <stdio.h>
#include <string.h>

/* The facts the engine answers its fixed commands from: a table without them
 * would load and then fail in front of users, so it must not load. */
static const struct {
	const char *id;
	const char *topic;
	bool items;
} required_facts[] = {
	{"opening.ceremony", "opening", false},
	{"opening.messages", "opening", false},
	{"sg.renamed", "sg", false},
	{"sg.appointment", "sg", false},
	{"representatives", "representatives", false},
	{"staff.officials", "staff", false},
	{"staff.technical", "staff", false},
	{"departments", "departments", true},
	{"functions.coordination", "functions", false},
	{"functions.legal", "functions", false},
	{"functions.depository", "functions", false},
	{"functions.meetings", "functions", false},
	{"functions.relations", "functions", false},
};


static int get_items(struct loader *l, const cJSON *obj, const char *what, struct fact *fact)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "items");
	if (!arr)
		return 0;
	size_t old = fl_path_key(l, "items");
	if (!cJSON_IsArray(arr))
		return fl_fail(l, "expected an array, got %s", fl_type_name(arr));
	int n = cJSON_GetArraySize(arr);
	if (n == 0)
		return fl_fail(l, "empty list: leave \"items\" out instead");
	if (n > FACTS_MAX_ITEMS)
		return fl_fail(l, "%d items; the limit is %d", n, FACTS_MAX_ITEMS);
	struct l10n *items = arena_array(l->a, (size_t)n, sizeof(*items));
	size_t i = 0;
	int r;
	for (const cJSON *item = arr->child; item; item = item->next, i++) {
		size_t old_i = fl_path_index(l, i);
		if ((r = fl_read_l10n(l, item, what, &items[i])) < 0)
			return r;
		fl_path_set(l, old_i);
	}
	fact->items = items;
	fact->n_items = i;
	fl_path_set(l, old);
	return 0;
}

int fl_build_facts(struct loader *l)
{
	static const struct field fields[] = {
		{"id", true}, {"topic", true}, {"text", true}, {"note", false},
		{"items", false}, {"keywords", true}, {"source", false}, {"sources", false},
	};
	size_t total;
	int r = fl_count_records(l, TOP_FACTS, &total);
	if (r < 0)
		return r;
	struct fact *v = arena_array(&l->scratch, total, sizeof(*v));
	struct origin *orig = arena_array(&l->scratch, total, sizeof(*orig));
	struct idref *refs = arena_array(&l->scratch, total, sizeof(*refs));
	size_t k = 0;
	for (size_t p = 0; p < l->n_parts[TOP_FACTS]; p++) {
		const struct part *part = &l->parts[TOP_FACTS][p];
		size_t i = 0;
		for (const cJSON *item = part->value->child; item; item = item->next, i++, k++) {
			struct fact *fact = &v[k];
			fl_path_reset(l, part->file);
			fl_path_push(l, "facts[%zu]", i);
			if ((r = fl_check_object(l, item, fields, 8)) < 0 ||
			    (r = fl_get_id(l, item, "id", &fact->id)) < 0 ||
			    (r = fl_get_id(l, item, "topic", &fact->topic)) < 0)
				return r;
			char what[FACTS_MAX_ID + 16];
			snprintf(what, sizeof(what), "fact \"%s\"", fact->id);
			if ((r = fl_get_l10n(l, item, "text", what, &fact->text)) < 0 ||
			    (r = fl_get_l10n(l, item, "note", what, &fact->note)) < 0 ||
			    (r = get_items(l, item, what, fact)) < 0 ||
			    (r = fl_get_aliases(l, item, "keywords", what, fact->keywords)) < 0 ||
			    (r = fl_get_refs(l, item, &fact->source, &fact->sources)) < 0)
				return r;
			orig[k] = (struct origin){part->file, i};
			refs[k] = (struct idref){fact->id, k};
		}
	}
	if ((r = fl_sort_unique(l, TOP_FACTS, "fact", refs, total, orig)) < 0)
		return r;
	/* The public array is sorted by id, so facts_get() needs no extra index. */
	struct fact *sorted = arena_array(l->a, total, sizeof(*sorted));
	struct origin *sorted_orig = arena_array(&l->scratch, total, sizeof(*sorted_orig));
	for (size_t i = 0; i < total; i++) {
		sorted[i] = v[refs[i].seq];
		sorted_orig[i] = orig[refs[i].seq];
	}
	l->f->facts = sorted;
	l->f->n_facts = total;
	l->fact_origin = sorted_orig;
	return 0;
}

int fl_check_required_facts(struct loader *l)
{
	const struct facts *f = l->f;
	for (size_t i = 0; i < sizeof(required_facts) / sizeof(required_facts[0]); i++) {
		const struct fact *fact = facts_get(f, required_facts[i].id);
		if (!fact) {
			fl_path_reset(l, NULL);
			fl_path_key(l, "facts");
			return fl_fail(l, "missing required fact \"%s\"", required_facts[i].id);
		}
		const struct origin *o = &l->fact_origin[fact - f->facts];
		fl_path_reset(l, o->file);
		fl_path_push(l, "facts[%zu]", o->index);
		if (strcmp(fact->topic, required_facts[i].topic) != 0) {
			fl_path_key(l, "topic");
			return fl_fail(l, "fact \"%s\" must have the topic \"%s\"", fact->id,
			               required_facts[i].topic);
		}
		if (required_facts[i].items && !fact->n_items) {
			fl_path_key(l, "items");
			return fl_fail(l, "fact \"%s\" must list its items", fact->id);
		}
	}
	return 0;
}
