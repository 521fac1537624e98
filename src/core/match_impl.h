/* match_impl.h: what the matcher's files share while building and reading
 * the indexes of match.h; nothing outside src/core/match*.c may include it.
 *
 * Who owns what:
 *   match_lexicon.c  the words: concept phrases in three languages, stop and
 *                    filler words, the Russian plurals of the post
 *   match_vocab.c    match_build(): the vocabulary hash, the known words for
 *                    typo correction and the word sets, built once
 *   match_index.c    the search index over the facts and BM25 ranking
 *   match.c          the analysis of one message: look-ups, typo correction,
 *                    Chinese segmentation, command words */
#ifndef SCOBOT_CORE_MATCH_IMPL_H
#define SCOBOT_CORE_MATCH_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/match.h"

/* --- match_lexicon.c ---------------------------------------------------------- */

struct phrase {
	enum concept c;
	const char *text;
};

extern const struct phrase match_phrases[];
extern const size_t match_nphrases;
extern const char *const match_stop_words[];
extern const size_t match_nstop_words;

/* Whether a Cyrillic word, as typed, is a plural of the post ("генсеки"). */
bool match_is_ru_plural(const char *t, size_t len);

/* --- match_index.c ------------------------------------------------------------ */

#define TERM_MAX_BYTES 64

/* Emits the search terms of a text: Latin and Cyrillic words (stemmed), and for
 * Han runs every character bigram plus any dictionary word found in the run. */
typedef void (*term_fn)(void *ctx, const char *t, size_t len);
void match_for_each_term(const struct engine *e, const char *s, size_t len,
                         term_fn fn, void *ctx);

/* Indexes the facts, terms and attendees as documents (called by match_build). */
void match_index_build(struct engine *e);

/* --- Hashing and word sets (built in match_vocab.c) ------------------------------ */

static inline uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a: short keys, no adversary controls the table */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static inline size_t pow2_at_least(size_t n)
{
	size_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

static inline bool set_has(const char *const *slot, size_t ns, const char *t, size_t len)
{
	if (!slot)
		return false;
	size_t h = hash_bytes(t, len) & (ns - 1);
	while (slot[h]) {
		if (strncmp(slot[h], t, len) == 0 && slot[h][len] == '\0')
			return true;
		h = (h + 1) & (ns - 1);
	}
	return false;
}

static inline bool is_stop(const struct engine *e, const char *t, size_t len)
{
	return set_has(e->stop_set, e->nstop_set, t, len);
}

static inline bool is_known(const struct engine *e, const char *t, size_t len)
{
	return set_has(e->known_set, e->nknown_set, t, len);
}

#endif
