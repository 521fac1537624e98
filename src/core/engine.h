/* engine.h: text in, a structured answer out.
 *
 * The engine is built once per fact table (engine_new) and is then read-only,
 * so one engine serves every platform and a reload builds a new pair and swaps
 * both pointers. It does no I/O, reads no clock, keeps no globals and does not
 * log; everything it needs comes in through the query. */
#ifndef SCOBOT_CORE_ENGINE_H
#define SCOBOT_CORE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/answer.h"
#include "core/facts.h"
#include "core/lang.h"

#define ENGINE_MAX_INPUT 4096   /* bytes of a question considered; the rest is cut */

struct engine;

/* The table must outlive the engine. Never fails short of OOM (which aborts). */
struct engine *engine_new(const struct facts *facts);
void engine_free(struct engine *e);
const struct facts *engine_facts(const struct engine *e);

struct engine_query {
	const char *text;     /* UTF-8, need not be valid or NUL-terminated */
	size_t len;
	enum lang lang;       /* forced (--lang, a Discord locale); LANG_NONE: detect */
	enum lang room_lang;  /* the room's default; used when the text is Latin */
	const char *prefix;   /* shown in help and usage ("!sco"); NULL: "!sco" */
	int32_t today;        /* what "now" means: days since 1970-01-01 (UTC), from
	                         the caller's clock or --today; never a fact's date */
};

/* Answers a command ("sg 2011", with the prefix already removed) or a plain
 * question. Always fills *out; never fails. */
void engine_answer(const struct engine *e, const struct engine_query *q,
                   struct answer *out);

/* If text starts with prefix (case-insensitive) followed by a space or the end,
 * returns true and sets *ret_rest to what follows, with leading spaces skipped. */
bool engine_strip_prefix(const char *prefix, const char *text, size_t len,
                         size_t *ret_rest);

/* Suggestions for the `sg` argument as the user types (Discord autocomplete):
 * years, names and countries starting with or near `partial`. Writes up to max
 * NUL-terminated strings of at most 100 bytes each into out; returns how many. */
size_t engine_complete_sg(const struct engine *e, const char *partial, size_t len,
                          enum lang lang, char (*out)[101], size_t max);

/* The answer's language for a query, as engine_answer would choose it. */
enum lang engine_query_lang(const struct engine_query *q);

#endif
