/* facts_load_impl.h: what the fact loader's files share (the loader's state,
 * error reporting, value checks and the builder of each record kind); only
 * src/core/facts_load*.c may include it. */
#ifndef SCOBOT_CORE_FACTS_LOAD_IMPL_H
#define SCOBOT_CORE_FACTS_LOAD_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/facts.h"
#include "core/facts_impl.h"
#include "util/arena.h"

#define FACTS_MAX_ID 64      /* bytes per id; ids are typed by users in `fact <id>` */
#define FACTS_QUOTE_BYTES 40 /* bytes of file text quoted back in an error */
#define FACTS_KEY_LIST 200   /* bytes for the list of known keys in an error */

/* Each top-level key holds one kind of record; a kind may be spread over several
 * files, and the loader merges them in file-name order. */
enum top_key {
	TOP_SOURCES,
	TOP_OFFICE,
	TOP_SENTENCES,
	TOP_COUNTRIES,
	TOP_PEOPLE,
	TOP_SGS,
	TOP_OPENING,
	TOP_FACTS,
	TOP_COUNT
};

struct part {
	const char *file;
	const cJSON *value;
};

/* Where a record was written, for errors that are found after merging. */
struct origin {
	const char *file;
	size_t index;
};

struct idref {
	const char *id;
	size_t seq;
};

struct field {
	const char *key;
	bool required;
};

struct loader {
	struct facts_error *err;
	struct arena *a;       /* the table's arena: everything that outlives the load */
	struct arena scratch;  /* file buffers and bookkeeping, freed when loading ends */
	const char *file;      /* file being checked, for errors; NULL after merging */
	char path[sizeof(((struct facts_error *)0)->path)];
	size_t plen;

	cJSON *roots[FACTS_MAX_FILES];
	size_t n_roots;
	const struct facts_file *files; /* the raw texts, to put a line on an error */
	size_t n_files;
	struct part parts[TOP_COUNT][FACTS_MAX_FILES];
	size_t n_parts[TOP_COUNT];

	struct facts *f;
	struct facts_impl *impl;
	const struct origin *fact_origin; /* parallel to f->facts once sorted */
};

static inline bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* facts_load_error.c: errors name l->file and l->path (the path's line is
 * found in the file's text); fl_fail_at names a byte position instead. All
 * return -EINVAL. The path_* calls return the old length for fl_path_set. */
const char *fl_quote(char *buf, size_t size, const char *s, size_t len);
__attribute__((format(printf, 2, 3)))
int fl_fail(struct loader *l, const char *fmt, ...);
__attribute__((format(printf, 4, 5)))
int fl_fail_at(struct loader *l, const char *data, size_t pos, const char *fmt, ...);
void fl_path_set(struct loader *l, size_t len);
__attribute__((format(printf, 2, 3)))
size_t fl_path_push(struct loader *l, const char *fmt, ...);
size_t fl_path_key(struct loader *l, const char *key);
size_t fl_path_index(struct loader *l, size_t i);
void fl_path_reset(struct loader *l, const char *file);
const char *fl_type_name(const cJSON *v);

/* facts_load_value.c: the checks every kind shares; strings are copied into
 * the table's arena, ids and check_string's result point into the JSON. */
int fl_check_object(struct loader *l, const cJSON *obj, const struct field *fields, size_t n);
int fl_check_string(struct loader *l, const cJSON *v, size_t max, const char **ret,
                    size_t *ret_len);
int fl_check_id(struct loader *l, const cJSON *v, const char **ret);
int fl_get_string(struct loader *l, const cJSON *obj, const char *key, const char **ret);
int fl_get_id(struct loader *l, const cJSON *obj, const char *key, const char **ret);
int fl_read_int(struct loader *l, const cJSON *v, int min, int max, int *ret);
int fl_read_l10n(struct loader *l, const cJSON *v, const char *what, struct l10n *ret);
int fl_get_l10n(struct loader *l, const cJSON *obj, const char *key, const char *what,
                struct l10n *ret);
int fl_get_aliases(struct loader *l, const cJSON *obj, const char *key, const char *what,
                   struct fact_aliases out[LANG_COUNT]);
int fl_get_pdate(struct loader *l, const cJSON *obj, const char *key, bool required,
                 struct pdate *ret);

/* facts_load_refs.c: references resolve against kinds already built. */
int fl_get_country_ref(struct loader *l, const cJSON *obj, const char *key, bool null_ok,
                       const struct fact_country **ret);
int fl_get_person_ref(struct loader *l, const cJSON *obj, const struct fact_person **ret);
int fl_get_refs(struct loader *l, const cJSON *obj, const struct fact_sentence **ret_sentence,
                struct fact_refs *ret);
int fl_check_same_country(struct loader *l, const struct fact_person *p,
                          const struct fact_country *c);

/* facts_load.c: a kind's parts over all files. */
const cJSON *fl_single(struct loader *l, enum top_key k);
int fl_count_records(struct loader *l, enum top_key k, size_t *ret);
int fl_sort_unique(struct loader *l, enum top_key k, const char *kind, struct idref *refs,
                   size_t n, const struct origin *orig);

/* One builder per kind, called by facts_load.c in this order (each may
 * refer to the ones before it). */
int fl_build_sources(struct loader *l);   /* facts_load_sources.c */
int fl_build_sentences(struct loader *l); /* facts_load_sentences.c */
int fl_build_countries(struct loader *l); /* facts_load_countries.c */
int fl_build_people(struct loader *l);    /* facts_load_people.c */
int fl_build_office(struct loader *l);    /* facts_load_sgs.c */
int fl_build_sgs(struct loader *l);       /* facts_load_sgs.c */
int fl_build_opening(struct loader *l);   /* facts_load_opening.c */
int fl_build_facts(struct loader *l);     /* facts_load_facts.c */
int fl_check_required_facts(struct loader *l);

#endif
