/* facts.h: the immutable fact table and its indexes.
 *
 * A table is built once by facts_load_*() and never changes afterwards, so any
 * number of readers can share it and a reload simply builds a new one and swaps
 * the pointer. Every string and array lives in the table's arena and is freed by
 * facts_free(). This layer does no I/O beyond reading the files it is given, keeps
 * no globals and never logs: errors come back in struct facts_error. */
#ifndef SCOBOT_CORE_FACTS_H
#define SCOBOT_CORE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lang.h"
#include "util/date.h"

/* Upper bounds that keep a hostile or mistaken fact file from exhausting memory. */
#define FACTS_MAX_FILE_BYTES (1u << 20)  /* bytes per fact file */
#define FACTS_MAX_FILES 32               /* files per directory */
#define FACTS_MAX_RECORDS 1024           /* records of one kind, over all files */
#define FACTS_MAX_ALIASES 64             /* aliases per language per record */
#define FACTS_MAX_ITEMS 32               /* list items per fact */
#define FACTS_MAX_TEXT 2048              /* bytes per string */
#define FACTS_MIN_YEAR 1900
#define FACTS_MAX_YEAR 2100

/* Where a fact comes from: the January 2024 article, an official SCO page or a
 * news report. Dates of publication may be missing (undated official pages). */
enum source_kind {
	SOURCE_ARTICLE,
	SOURCE_OFFICIAL,
	SOURCE_NEWS,
};

struct fact_source {
	const char *id;           /* "astanatimes-2024-yermekbayev" */
	enum source_kind kind;
	const char *publisher;    /* "The Astana Times"; two sources are independent
	                             when their publishers differ */
	const char *title;
	const char *url;          /* NULL when there is none */
	struct pdate published;   /* prec DATE_NONE when the page gives no date */
	struct pdate retrieved;
	const char *document;     /* the file its sentences come from, or NULL */
};

/* The sources a record rests on, in the order the file lists them (the
 * document's own source first when the record quotes a sentence). */
struct fact_refs {
	const struct fact_source *const *v;
	size_t n;
};

/* A sentence of the source document, verbatim. */
struct fact_sentence {
	const char *id;   /* "s01" */
	const char *text;
};

/* Aliases are stored as written in the file; the engine normalises them. */
struct fact_aliases {
	const char *const *v;
	size_t n;
};

struct fact_country {
	const char *id;           /* "kz" */
	struct l10n name;         /* official name: "Republic of Kazakhstan" */
	struct l10n short_name;   /* "Kazakhstan" */
	struct fact_aliases aliases[LANG_COUNT]; /* names and demonyms */
};

struct fact_person {
	const char *id;           /* "bolat-nurgaliyev" */
	struct l10n name;
	const struct fact_country *country; /* may be NULL */
	struct fact_aliases aliases[LANG_COUNT]; /* name parts, transliterations */
	const char *checked;      /* where the translated name forms were checked */
};

/* One Secretary-General term. Dates carry their own precision ("2004",
 * "2010-01", "2019-01-01"); `to` has prec DATE_NONE when the end is not known.
 * first_year/last_year are the years of from/to (last_year 0: no end known). */
struct fact_sg {
	const struct fact_person *person;
	const struct fact_country *country;
	struct pdate from, to;
	struct pdate appointed;   /* prec DATE_NONE when not known */
	struct l10n appointed_at; /* "by the Council of Heads of State at ..." or NULL */
	int first_year;
	int last_year;
	int order;                /* 1-based position in the list */
	struct l10n note;         /* all NULL when there is none */
	const struct fact_sentence *source; /* the quoted sentence, or NULL */
	struct fact_refs sources;
};

/* The rules of the office (term length, renewal), when the facts give them. */
struct fact_office {
	int term_years;           /* 0 when no file gives the rules */
	bool renewable;
	struct fact_refs sources;
};

/* A person at the opening ceremony. */
struct fact_attendee {
	const struct fact_person *person;
	const struct fact_country *country; /* NULL for the Executive Secretary */
	struct l10n role;         /* "Foreign Minister", "SCO Executive Secretary" */
	struct l10n note;         /* editorial note, all NULL when there is none */
	const struct fact_sentence *source; /* or NULL */
	struct fact_refs sources;
};

/* A fact in prose, possibly with a list of items (departments, functions). */
struct fact {
	const char *id;           /* "staff.officials" */
	const char *topic;        /* "staff" */
	struct l10n text;
	struct l10n note;         /* all NULL when there is none */
	const struct l10n *items;
	size_t n_items;
	struct fact_aliases keywords[LANG_COUNT];
	const struct fact_sentence *source; /* or NULL */
	struct fact_refs sources;
};

struct fact_opening {
	int year, month, day;
	struct l10n date_text;    /* "15 January 2004" */
	struct l10n place;        /* "Beijing, China" */
	const struct fact_sentence *source; /* or NULL */
	struct fact_refs sources;
};

struct facts {
	const char *document;     /* the source document's file name, or NULL */
	const struct fact_source *document_source; /* the source it belongs to */
	const struct fact_source *sources;     size_t n_sources;   /* file order */
	struct fact_office office;

	const struct fact_sentence *sentences; size_t n_sentences;
	const struct fact_country *countries;  size_t n_countries;
	const struct fact_person *people;      size_t n_people;
	const struct fact_sg *sgs;             size_t n_sgs;       /* sorted by order */
	const struct fact_attendee *attendees; size_t n_attendees; /* source order */
	const struct fact *facts;              size_t n_facts;     /* sorted by id */
	struct fact_opening opening;

	struct facts_impl *impl;  /* arena and indexes; private to facts.c */
};

/* Where and why a load failed. `file` is the file's base name, `line`/`column`
 * are 1-based for JSON syntax errors (0 otherwise) and `path` is the JSON path of
 * the offending value ("people[3].name.ru") for everything else. */
struct facts_error {
	char file[128];
	int line;
	int column;
	char path[160];
	char reason[256];
};

/* Writes "people.json:12:5: reason" or "people.json: people[3].name.ru: reason". */
void facts_error_format(const struct facts_error *err, char *buf, size_t size);

/* An in-memory fact file (the embedded defaults, or tests). */
struct facts_file {
	const char *name;
	const char *data;
	size_t len;
};

/* Each returns 0 and sets *ret, or a negative errno-style value and fills *err
 * (and leaves *ret untouched). -EINVAL means bad content, others are I/O. */
int facts_load_files(const struct facts_file *files, size_t n,
                     struct facts **ret, struct facts_error *err);
/* Reads every *.json in dir (sorted by name, so loading is deterministic). */
int facts_load_dir(const char *dir, struct facts **ret, struct facts_error *err);
/* The facts compiled into the binary from facts/ at build time. */
int facts_load_embedded(struct facts **ret, struct facts_error *err);

void facts_free(struct facts *f);

/* Index look-ups. Each returns NULL or 0 when nothing matches. */
const struct fact *facts_get(const struct facts *f, const char *id);
const struct fact_person *facts_person(const struct facts *f, const char *id);
const struct fact_country *facts_country(const struct facts *f, const char *id);
const struct fact_sentence *facts_sentence(const struct facts *f, const char *id);
const struct fact_source *facts_source(const struct facts *f, const char *id);

/* Terms that include `year`, in order; returns how many were written (<= max). */
size_t facts_sgs_in_year(const struct facts *f, int year,
                         const struct fact_sg **out, size_t max);
size_t facts_sgs_of_country(const struct facts *f, const struct fact_country *c,
                            const struct fact_sg **out, size_t max);
/* The term(s) held by a person; returns how many. */
size_t facts_sgs_of_person(const struct facts *f, const struct fact_person *p,
                           const struct fact_sg **out, size_t max);
const struct fact_attendee *facts_attendee_of_person(const struct facts *f,
                                                     const struct fact_person *p);
const struct fact_attendee *facts_attendee_of_country(const struct facts *f,
                                                      const struct fact_country *c);

/* The term(s) that may include the day (days since 1970-01-01): two only when
 * an imprecise boundary leaves it open which of two holders it was. */
size_t facts_sgs_on_day(const struct facts *f, int32_t day, const struct fact_sg **out,
                        size_t max);

#endif
