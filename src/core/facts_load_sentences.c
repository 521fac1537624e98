/* facts_load_sentences.c: loads the `sentences` kind (source.json): the
 * document's sentences that records quote by id. */
#include "core/facts_load_impl.h"

int fl_build_sentences(struct loader *l)
{
	static const struct field fields[] = {{"id", true}, {"text", true}};
	size_t total;
	int r = fl_count_records(l, TOP_SENTENCES, &total);
	if (r < 0)
		return r;
	if (!l->f->document_source) {
		fl_path_reset(l, l->parts[TOP_SENTENCES][0].file);
		fl_path_key(l, "sentences");
		return fl_fail(l, "sentences need a source that names their document "
		               "(a source with \"document\")");
	}
	struct fact_sentence *v = arena_array(l->a, total, sizeof(*v));
	struct origin *orig = arena_array(&l->scratch, total, sizeof(*orig));
	struct idref *refs = arena_array(&l->scratch, total, sizeof(*refs));
	size_t k = 0;
	for (size_t p = 0; p < l->n_parts[TOP_SENTENCES]; p++) {
		const struct part *part = &l->parts[TOP_SENTENCES][p];
		size_t i = 0;
		for (const cJSON *item = part->value->child; item; item = item->next, i++, k++) {
			fl_path_reset(l, part->file);
			fl_path_push(l, "sentences[%zu]", i);
			if ((r = fl_check_object(l, item, fields, 2)) < 0 ||
			    (r = fl_get_id(l, item, "id", &v[k].id)) < 0 ||
			    (r = fl_get_string(l, item, "text", &v[k].text)) < 0)
				return r;
			orig[k] = (struct origin){part->file, i};
			refs[k] = (struct idref){v[k].id, k};
		}
	}
	if ((r = fl_sort_unique(l, TOP_SENTENCES, "sentence", refs, total, orig)) < 0)
		return r;
	const struct fact_sentence **by_id = arena_array(l->a, total, sizeof(*by_id));
	for (size_t i = 0; i < total; i++)
		by_id[i] = &v[refs[i].seq];
	l->f->sentences = v;
	l->f->n_sentences = total;
	l->impl->sentences_by_id = by_id;
	return 0;
}
