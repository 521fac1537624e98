/* text.h: normalising and tokenising untrusted chat text in three scripts.
 * Pure functions over caller buffers; no allocation, no globals. */
#ifndef SCOBOT_CORE_TEXT_H
#define SCOBOT_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_MAX_TOKENS 96       /* tokens considered per question */
#define TEXT_MAX_TOKEN_BYTES 64  /* longer tokens are cut (no word is that long) */

enum token_script {
	TOK_NUM,    /* ASCII digits (full-width digits are folded to ASCII) */
	TOK_LATIN,  /* letters and digits, Latin or other alphabetic scripts */
	TOK_CYR,    /* Cyrillic word */
	TOK_HAN,    /* a run of Han characters, segmented later */
};

struct token {
	uint16_t off, len;      /* in the normalised buffer */
	uint16_t src_off, src_len; /* in the original text, for echoing it back */
	uint8_t script;
};

/* Lower-cases (ASCII and Cyrillic, ё -> е), folds full-width forms, drops
 * combining marks, invisible and bidi-control characters, and turns
 * punctuation into spaces; Han runs are separated from other scripts by a
 * space. Splits into tokens. Returns the token count (<= TEXT_MAX_TOKENS).
 * `norm` receives NUL-separated token text; it needs 2*len+1 bytes at most. */
size_t text_tokenize(const char *in, size_t len, char *norm, size_t norm_size,
                     struct token *tok, size_t max_tok);

/* Normalises one phrase (a vocabulary term) into out with single spaces between
 * its tokens; returns the length. */
size_t text_normalize_phrase(const char *in, size_t len, char *out, size_t size);

/* Light Russian stemming: strips one common inflectional ending, keeping at
 * least 3 letters. Works in place on a normalised Cyrillic token; returns the
 * new byte length. */
size_t text_stem_ru(char *s, size_t len);

/* Optimal string alignment distance between two UTF-8 strings, compared by
 * code point, giving up (returning max+1) once it exceeds max. */
int text_distance(const char *a, size_t alen, const char *b, size_t blen, int max);

/* True when cp, echoed after prev in user text, could make a mention or a
 * live link ("@everyone", "<@123>", "http://x", "discord.gg/x", "evil.example"):
 * the renderer then puts a zero-width space after it. */
bool text_link_trigger(uint32_t prev, uint32_t cp);

/* Parses a year from a token ("2011", "2011年" is split before this). */
bool text_parse_year(const char *s, size_t len, int *ret_year);

#endif
