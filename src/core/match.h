/* match.h: the engine's private indexes and the analysis of one message.
 * Only the engine's files (engine*.c) and the matcher's (match*.c) include this;
 * everything here is built once by match_build() and read-only afterwards. */
#ifndef SCOBOT_CORE_MATCH_H
#define SCOBOT_CORE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/commands.h"
#include "core/facts.h"
#include "core/text.h"
#include "util/arena.h"

/* Ideas a question can contain, whatever its language or wording. */
enum concept {
	C_SG, C_EXEC_SEC, C_SECRETARIAT, C_OPEN, C_ATTEND, C_STAFF, C_COUNT_WORD,
	C_DEPT, C_FUNC, C_APPOINT, C_REPR, C_MESSAGE, C_SUCC, C_PREC, C_FIRST,
	C_CURRENT, C_LAST, C_LIST, C_WHEN, C_WHERE, C_WHO, C_MINISTER, C_RENAME,
	C_SOURCE, C_HELP, C_YEAR_WORD, C_DO, C_WORK, C_UN, C_HELLO, C_THANKS,
	C_ORD2, C_ORD3, C_ORD4, C_ORD5, C_ORD6, C_ORD7, /* second .. seventh */
	C_TERM, C_END, C_RENEW, C_LENGTH, C_STILL, C_ANNIV, C_HOST, C_LOCATED,
	C_SCO,          /* the organisation's name, as opposed to its Secretariat */
	C_PLURAL,       /* a plural form of the post ("генсеки", "secretaries-general") */
	C_ROTATE,       /* rotation of the post among member states */
	C_CITY,         /* a capital city named as a place ("is it in Moscow?") */
	C_MEMBERS,      /* the SCO's member states as a topic of their own */
	C_EVENT,        /* "what happened on ..." */
	C_MAX
};

enum vocab_kind { V_CONCEPT, V_COUNTRY, V_PERSON, V_COMMAND, V_KIND_MAX };

struct vocab_entry {
	const char *key;     /* normalised, Cyrillic tokens stemmed */
	uint32_t hash;
	uint16_t len;
	uint8_t kind;
	uint8_t ntok;        /* tokens in key (Han runs count as one) */
	uint16_t id;         /* concept, country index, person index, command index */
	int32_t next;        /* next entry in the same hash slot, -1 at the end */
};

#define MATCH_MAX_DOCS 256
#define MATCH_MAX_HITS 8

/* A searchable document: a prose fact, a Secretary-General term or an attendee. */
enum doc_kind { DOC_FACT, DOC_SG, DOC_ATTENDEE };
struct doc {
	uint8_t kind;
	uint16_t index;      /* into facts->facts, ->sgs or ->attendees */
	uint16_t nterms;     /* document length in terms, for BM25 */
};

struct posting {
	uint16_t doc;
	uint16_t tf;
};

struct term {
	const char *key;
	uint32_t hash;
	uint16_t len;
	uint32_t npost;
	const struct posting *post;
	int32_t next;
};

struct engine {
	const struct facts *facts;
	struct arena arena;

	struct vocab_entry *vocab;
	size_t nvocab;
	int32_t *vslot;      /* hash slots -> first entry */
	size_t nvslot;       /* power of two */
	size_t max_han_chars; /* longest Han key, for segmentation */

	/* Hash sets (open addressing, power-of-two size) of known words and of
	 * stop words, so look-ups on the hot path cost one probe or two. */
	const char **known_set;
	size_t nknown_set;
	const char **stop_set;
	size_t nstop_set;

	/* Known words, for typo correction, bucketed by code point length. */
	const char **known[TEXT_MAX_TOKEN_BYTES + 1];
	size_t nknown[TEXT_MAX_TOKEN_BYTES + 1];

	struct doc docs[MATCH_MAX_DOCS];
	size_t ndocs;
	double avg_doc_len;
	struct term *terms;
	size_t nterms;
	int32_t *tslot;
	size_t ntslot;

	size_t ncommands;
	const struct command_info *commands;

	/* Dates, terms and source lists of each term, formatted once in every
	 * language by engine_emit.c (indexed by enum sg_text_kind in engine_impl.h),
	 * and the opening's date. */
	const char *const *sg_text;
	const char *opening_asof[LANG_COUNT];
};

#define MATCH_MAX_ENTITIES 8
/* Unknown words per message tried for typo correction: each try compares the
 * word with a few hundred known ones, and a 4 KiB message of near-misses
 * would otherwise cost milliseconds of the shared loop. */
#define MATCH_MAX_CORRECTIONS 12
#define MATCH_MAX_TERMS 64

/* What one message says, found by match_analyze(). */
struct analysis {
	char norm[2 * 4096 + 64];
	struct token tok[TEXT_MAX_TOKENS];
	size_t ntok;

	uint64_t concepts;            /* bit per enum concept */
	int years[MATCH_MAX_ENTITIES];
	size_t nyears;
	uint16_t countries[MATCH_MAX_ENTITIES];
	size_t ncountries;
	uint16_t persons[MATCH_MAX_ENTITIES];
	size_t npersons;
	bool corrected;               /* a typo was corrected on the way */
	size_t recognised;            /* tokens that matched something */

	/* Search terms (normalised, stemmed, Han bigrams), for BM25. */
	char termbuf[2048];
	uint16_t term_off[MATCH_MAX_TERMS], term_len[MATCH_MAX_TERMS];
	size_t nterms;
	size_t ncontent;              /* terms that are not stop words */

	/* Words that are neither part of a known idea, name, place or date nor a
	 * function word: a question that has any is not covered by the facts.
	 * Offsets into norm, for naming them back. */
	size_t nunknown;
	uint16_t unknown_off[MATCH_MAX_ENTITIES], unknown_len[MATCH_MAX_ENTITIES];
	char unknown_buf[256];        /* the first unknown words, as typed */
};

void match_build(struct engine *e);

/* Analyses text (already cut to ENGINE_MAX_INPUT). */
void match_analyze(const struct engine *e, const char *text, size_t len,
                   struct analysis *an);

static inline bool has(const struct analysis *an, enum concept c)
{
	return (an->concepts >> c) & 1u;
}

/* The command named by the first one or two tokens of text; *ret_rest is the
 * byte offset of what follows in text. NULL when the text is not a command. */
const struct command_info *match_command(const struct engine *e, const char *text,
                                         size_t len, size_t *ret_rest);

/* Whether the command words (the first len bytes) name the post in the
 * plural ("генсеки", "secretaries-general"): a cheap look at two tokens. */
bool match_plural_head(const char *text, size_t len);

/* Up to max command names closest to word by edit distance; returns count. */
size_t match_suggest_commands(const struct engine *e, const char *word, size_t len,
                              const struct command_info **out, size_t max);

struct hit {
	uint16_t doc;
	double score;
	double coverage;  /* share of the query's content terms the doc contains */
};

/* BM25 over the documents; returns hits sorted by score. */
size_t match_search(const struct engine *e, const struct analysis *an,
                    struct hit *out, size_t max);

#endif
