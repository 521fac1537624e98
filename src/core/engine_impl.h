/* engine_impl.h: what the engine's files share to build one answer (the query
 * context, template output, the per-term texts) and which answer each file
 * offers the others; nothing outside src/core/engine*.c may include it.
 *
 * Who owns what:
 *   engine.c         entry points; routes a message to a command or a
 *                    question and decides which reading a question has
 *   engine_emit.c    template output, notes, sources and "as of" lines, and
 *                    the per-term texts formatted once per engine
 *   engine_sg.c      Secretary-General answers (now, years, countries,
 *                    persons, terms, successors) and the `sg` argument
 *   engine_topics.c  the opening, its attendees, prose facts, departments
 *                    and functions
 *   engine_search.c  finding facts by words (search) or by id (fact)
 *   engine_help.c    help, usage, about, source and lang
 *   engine_unsure.c  the replies when no answer is sure: not sure, not
 *                    covered, unknown command */
#ifndef SCOBOT_CORE_ENGINE_IMPL_H
#define SCOBOT_CORE_ENGINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/commands.h"
#include "core/engine.h"
#include "core/i18n.h"
#include "core/match.h"
#include "core/when.h"
#include "util/utf8.h"

#define SG_LIST_MAX 16  /* terms shown in one answer */

struct ctx {
	const struct engine *e;
	const struct facts *f;
	struct answer *a;
	enum lang lang;
	const char *prefix;
	int32_t today;  /* days since 1970-01-01: what "now" means for this query */
	bool plural;    /* the message names the post in the plural ("генсеки") */
};

/* --- engine_emit.c: writing answers ------------------------------------------ */

/* Expands an i18n template; args may be NULL (rendered as nothing). */
void eng_emitv(struct ctx *c, enum msg m, const char *const *args, size_t nargs);

#define emit(c, m, ...) \
	eng_emitv(c, m, (const char *const[]){__VA_ARGS__}, \
	          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static inline void emit0(struct ctx *c, enum msg m)
{
	eng_emitv(c, m, NULL, 0);
}

/* Expands {0}..{9} of a template into buf, for a template used as an argument
 * of another. */
const char *eng_fill(char *buf, size_t size, const char *t, const char *const *args,
                     size_t nargs);

/* A note goes on a line of its own; `who` names its subject in lists. */
void eng_note_about(struct ctx *c, const struct l10n *n, const char *who);

/* The date the facts run to, or the opening's for a day before it (help and
 * about still say how far the table goes). */
struct pdate eng_run_to(struct ctx *c, const struct fact_sg **ret_sg, bool *ret_appointed);

/* Every answer from the table says how old its knowledge is. */
void eng_as_of(struct ctx *c);

/* "Sources: ..." on a line of its own: the first `max` distinct sources. */
void eng_sources_line(struct ctx *c, const struct fact_refs *const *refs, size_t nrefs,
                      size_t max);

/* Formats the per-term texts once, for every language (see sg_text_kind). */
void eng_build_sg_text(struct engine *e);

static inline const char *L(const struct ctx *c, const struct l10n *t)
{
	const char *s = t->s[c->lang];
	return s ? s : t->s[LANG_EN] ? t->s[LANG_EN] : "";
}

static inline bool has_note(const struct l10n *n)
{
	return n->s[LANG_EN] != NULL;
}

static inline void space(struct ctx *c)
{
	/* Chinese sentences need no space between them. */
	if (c->lang != LANG_ZH)
		answer_text(c->a, " ");
}

/* Texts of a term that every answer about it needs, formatted once per engine
 * (answers are built on the event loop, and snprintf of dates dominated the
 * cost of a command): indexes into engine->sg_text. */
enum sg_text_kind {
	SGD_FROM, SGD_TO, SGD_APPOINTED, /* "1 January 2025" after "since", "to", "on" */
	SGD_TERM,                        /* "1 January 2025 to 31 December 2027" */
	SGD_SOURCES,                     /* "The Astana Times (4 July 2024); ..." */
	SGD_FROM_ASOF, SGD_APPOINTED_ASOF, /* the same days as "as of" reads them */
	SGD_COUNT
};

static inline const char *sg_text(const struct ctx *c, const struct fact_sg *sg,
                                  enum sg_text_kind k)
{
	size_t i = (size_t)(sg - c->f->sgs);
	return c->e->sg_text[(i * SGD_COUNT + k) * LANG_COUNT + (size_t)c->lang];
}

/* A date as it stands after "since", "to", "on" ("с", "до", "于"). */
static inline const char *date_text(const struct ctx *c, const struct pdate *d, char *buf,
                                    size_t size)
{
	return when_date(c->lang, d, true, buf, size);
}

static inline const char *country_name(struct ctx *c, const struct fact_country *co)
{
	return co ? L(c, &co->name) : "";
}

static inline bool at_line_start(const struct answer *a)
{
	return a->nseg && a->seg[a->nseg - 1].kind == SEG_BREAK;
}

static inline void note(struct ctx *c, const struct l10n *n)
{
	eng_note_about(c, n, NULL);
}

/* The user's words as a NUL-terminated string of at most size - 1 bytes, cut
 * at a character boundary. */
static inline void user_text(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = utf8_trim(s, len, size - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static inline const char *prefix_of(const struct ctx *c)
{
	return c->prefix ? c->prefix : "!sco";
}

/* --- engine_sg.c: the Secretaries-General ---------------------------------- */

/* Who held the post on `today`, or why that cannot be said. Returns the term,
 * or NULL after saying "not sure" (when `say`). */
const struct fact_sg *eng_sg_today(struct ctx *c, bool say);
void eng_answer_sg_current(struct ctx *c);
/* Every term known today, in order; with `count`, how many have served so far. */
void eng_answer_sg_list(struct ctx *c, bool count);
/* "sg in 2004 and 2020": one line per year, one as-of at the end. */
void eng_answer_sg_years(struct ctx *c, const int *years, size_t n);
void eng_answer_sg_country(struct ctx *c, const struct fact_country *co);
/* Persons among the analysis that held the post, in table order. */
size_t eng_sg_persons(struct ctx *c, const struct analysis *an,
                      const struct fact_sg **out, size_t max);
void eng_answer_sg_persons(struct ctx *c, const struct fact_sg *const *v, size_t n,
                           const char *query, size_t qlen);
void eng_answer_first(struct ctx *c);
void eng_answer_relation(struct ctx *c, const struct fact_sg *sg, bool successor);
void eng_answer_relation_now(struct ctx *c, bool successor);
void eng_answer_appointed(struct ctx *c, const struct fact_sg *sg);
void eng_answer_still(struct ctx *c, const struct fact_sg *sg);
void eng_answer_office(struct ctx *c);
void eng_answer_term(struct ctx *c, const struct fact_sg *sg);
void eng_answer_anniversary(struct ctx *c, int years);
/* "second", "третий", "第四任": the position in the list, or 0. */
size_t eng_ordinal(const struct analysis *an);
/* The `sg` command with its argument ("sg 2011", "sg Norov"). */
void eng_answer_sg_command(struct ctx *c, const char *arg, size_t len);

/* --- engine_topics.c: the opening, attendees and prose facts ---------------- */

void eng_answer_attendees(struct ctx *c, bool with_ceremony);
void eng_answer_attendee_of_country(struct ctx *c, const struct fact_attendee *at);
void eng_answer_person_attended(struct ctx *c, const struct fact_attendee *at);
/* One prose fact: its text and its list items. */
void eng_fact_body(struct ctx *c, const struct fact *ft);
void eng_answer_facts(struct ctx *c, const char *command, const char *const *ids, size_t n);
#define ANSWER_FACTS(c, cmd, ...) \
	eng_answer_facts(c, cmd, (const char *const[]){__VA_ARGS__}, \
	                 sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
void eng_answer_departments(struct ctx *c);
void eng_answer_functions(struct ctx *c);

/* --- engine_search.c: search and fact ---------------------------------------- */

/* The whole answer one search document gives on its own. */
void eng_doc_answer(struct ctx *c, const struct doc *d);
/* One list item per hit. */
void eng_hit_list(struct ctx *c, const struct hit *h, size_t n);
void eng_answer_search(struct ctx *c, const char *words, size_t len);
void eng_answer_fact(struct ctx *c, const char *arg, size_t len);

/* --- engine_help.c: help, usage, about, source, lang ------------------------- */

void eng_answer_usage(struct ctx *c, const struct command_info *ci);
void eng_answer_help(struct ctx *c, const char *arg, size_t len, enum lang room_lang);
/* What scobot knows and how old its newest fact is, against today. */
void eng_answer_about(struct ctx *c);
void eng_answer_source(struct ctx *c);
void eng_answer_lang(struct ctx *c, const char *arg, size_t len, enum lang room_lang);

/* --- engine_unsure.c: no sure answer ------------------------------------------ */

void eng_not_sure(struct ctx *c, const struct analysis *an, const char *text, size_t len);
/* The facts do not cover the question: say so, name what was understood and
 * what was not, and offer the commands nearest to it. Never a guess. */
void eng_not_covered(struct ctx *c, const struct analysis *an, const char *text,
                     size_t len);
/* A lone word that is no command: "did you mean" and a pointer to help. */
void eng_answer_unknown(struct ctx *c, const char *text, size_t len);

#endif
