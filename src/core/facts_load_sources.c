/* facts_load_sources.c: loads the `sources` kind (sources.json): who published
 * what, when, and which one source holds the document. */
#include "core/facts_load_impl.h"

#include <string.h>

int fl_build_sources(struct loader *l)
{
	static const struct field fields[] = {
		{"id", true}, {"kind", true}, {"publisher", true}, {"title", true},
		{"url", false}, {"published", true}, {"retrieved", true}, {"document", false},
	};
	static const char *const kinds[] = {"article", "official", "news"};
	size_t total;
	int r = fl_count_records(l, TOP_SOURCES, &total);
	if (r < 0)
		return r;
	struct fact_source *v = arena_array(l->a, total, sizeof(*v));
	struct origin *orig = arena_array(&l->scratch, total, sizeof(*orig));
	struct idref *refs = arena_array(&l->scratch, total, sizeof(*refs));
	size_t k = 0;
	for (size_t p = 0; p < l->n_parts[TOP_SOURCES]; p++) {
		const struct part *part = &l->parts[TOP_SOURCES][p];
		size_t i = 0;
		for (const cJSON *item = part->value->child; item; item = item->next, i++, k++) {
			struct fact_source *src = &v[k];
			const char *kind = NULL;
			fl_path_reset(l, part->file);
			fl_path_push(l, "sources[%zu]", i);
			if ((r = fl_check_object(l, item, fields, 8)) < 0 ||
			    (r = fl_get_id(l, item, "id", &src->id)) < 0 ||
			    (r = fl_get_string(l, item, "kind", &kind)) < 0 ||
			    (r = fl_get_string(l, item, "publisher", &src->publisher)) < 0 ||
			    (r = fl_get_string(l, item, "title", &src->title)) < 0 ||
			    (r = fl_get_pdate(l, item, "published", false, &src->published)) < 0 ||
			    (r = fl_get_pdate(l, item, "retrieved", true, &src->retrieved)) < 0 ||
			    (r = fl_get_string(l, item, "document", &src->document)) < 0)
				return r;
			const cJSON *url = cJSON_GetObjectItemCaseSensitive(item, "url");
			if (url && !cJSON_IsNull(url) && (r = fl_get_string(l, item, "url", &src->url)) < 0)
				return r;
			size_t kk = 0;
			while (kk < 3 && strcmp(kinds[kk], kind) != 0)
				kk++;
			if (kk == 3) {
				fl_path_key(l, "kind");
				return fl_fail(l, "expected \"article\", \"official\" or \"news\"");
			}
			src->kind = (enum source_kind)kk;
			if (src->url && strncmp(src->url, "https://", 8) != 0 &&
			    strncmp(src->url, "http://", 7) != 0) {
				fl_path_key(l, "url");
				return fl_fail(l, "a source URL starts with https:// or http://");
			}
			if (src->published.prec && src->published.first > src->retrieved.last) {
				fl_path_key(l, "retrieved");
				return fl_fail(l, "retrieved before it was published");
			}
			if (src->document) {
				if (l->f->document_source) {
					fl_path_key(l, "document");
					return fl_fail(l, "only one source may hold the document; \"%s\" "
					               "already does", l->f->document_source->id);
				}
				l->f->document_source = src;
				l->f->document = src->document;
			}
			orig[k] = (struct origin){part->file, i};
			refs[k] = (struct idref){src->id, k};
		}
	}
	if ((r = fl_sort_unique(l, TOP_SOURCES, "source", refs, total, orig)) < 0)
		return r;
	const struct fact_source **by_id = arena_array(l->a, total, sizeof(*by_id));
	for (size_t i = 0; i < total; i++)
		by_id[i] = &v[refs[i].seq];
	l->f->sources = v;
	l->f->n_sources = total;
	l->impl->sources_by_id = by_id;
	return 0;
}
