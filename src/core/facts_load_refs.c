/* facts_load_refs.c: references from one record to another (a sentence, a
 * country, a person) and to the sources a record rests on. */
#include "core/facts_load_impl.h"

#include <string.h>

static int get_sentence_ref(struct loader *l, const cJSON *obj,
                            const struct fact_sentence **ret)
{
	size_t old = fl_path_key(l, "source");
	const char *id;
	int r = fl_check_id(l, cJSON_GetObjectItemCaseSensitive(obj, "source"), &id);
	if (r < 0)
		return r;
	if (!(*ret = facts_sentence(l->f, id)))
		return fl_fail(l, "no sentence has the id \"%s\"", id);
	fl_path_set(l, old);
	return 0;
}

int fl_get_country_ref(struct loader *l, const cJSON *obj, const char *key,
                       bool null_ok, const struct fact_country **ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*ret = NULL;
	if (!v)
		return 0;
	size_t old = fl_path_key(l, key);
	if (cJSON_IsNull(v)) {
		if (!null_ok)
			return fl_fail(l, "expected a country id, got null");
		fl_path_set(l, old);
		return 0;
	}
	const char *id;
	int r = fl_check_id(l, v, &id);
	if (r < 0)
		return r;
	if (!(*ret = facts_country(l->f, id)))
		return fl_fail(l, "no country has the id \"%s\"", id);
	fl_path_set(l, old);
	return 0;
}

int fl_get_person_ref(struct loader *l, const cJSON *obj, const struct fact_person **ret)
{
	size_t old = fl_path_key(l, "person");
	const char *id;
	int r = fl_check_id(l, cJSON_GetObjectItemCaseSensitive(obj, "person"), &id);
	if (r < 0)
		return r;
	if (!(*ret = facts_person(l->f, id)))
		return fl_fail(l, "no person has the id \"%s\"", id);
	fl_path_set(l, old);
	return 0;
}

/* The sources a record rests on: the document's own source when it quotes a
 * sentence ("source"), then each id listed in "sources"; at least one in all,
 * so that no fact stands without saying where it comes from. */
int fl_get_refs(struct loader *l, const cJSON *obj, const struct fact_sentence **ret_sentence,
                struct fact_refs *ret)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "sources");
	const struct fact_sentence *sentence = NULL;
	int r;
	if (cJSON_GetObjectItemCaseSensitive(obj, "source") &&
	    (r = get_sentence_ref(l, obj, &sentence)) < 0)
		return r;
	size_t n = 0;
	size_t old = l->plen;
	if (list) {
		fl_path_key(l, "sources");
		if (!cJSON_IsArray(list))
			return fl_fail(l, "expected an array of source ids, got %s", fl_type_name(list));
		n = (size_t)cJSON_GetArraySize(list);
		if (n == 0)
			return fl_fail(l, "empty list: leave \"sources\" out instead");
		if (n > FACTS_MAX_ITEMS)
			return fl_fail(l, "%zu sources; the limit is %d", n, FACTS_MAX_ITEMS);
	}
	const struct fact_source **v = arena_array(l->a, n + 1, sizeof(*v));
	size_t k = 0;
	if (sentence)
		v[k++] = l->f->document_source;
	size_t i = 0;
	for (const cJSON *item = list ? list->child : NULL; item; item = item->next, i++) {
		size_t old_i = fl_path_index(l, i);
		const char *id;
		if ((r = fl_check_id(l, item, &id)) < 0)
			return r;
		const struct fact_source *src = facts_source(l->f, id);
		if (!src)
			return fl_fail(l, "no source has the id \"%s\"", id);
		for (size_t j = 0; j < k; j++)
			if (v[j] == src)
				return fl_fail(l, "source \"%s\" is cited twice%s", id,
				               sentence && j == 0 ? " (the quoted sentence already cites it)"
				                               : "");
		v[k++] = src;
		fl_path_set(l, old_i);
	}
	fl_path_set(l, old);
	if (k == 0)
		return fl_fail(l, "names no source: give \"source\" (a sentence of the document) "
		               "or \"sources\" (source ids)");
	*ret_sentence = sentence;
	*ret = (struct fact_refs){v, k};
	return 0;
}


/* A record that names both a person and a country must not contradict the
 * person's own country: that is how a mistyped country id gets caught. */
int fl_check_same_country(struct loader *l, const struct fact_person *p,
                          const struct fact_country *c)
{
	if (!p->country || !c || p->country == c)
		return 0;
	size_t old = fl_path_key(l, "country");
	int r = fl_fail(l, "country \"%s\" contradicts the country of person \"%s\" (\"%s\")",
	                c->id, p->id, p->country->id);
	fl_path_set(l, old);
	return r;
}
