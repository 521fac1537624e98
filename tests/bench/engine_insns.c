/* engine_insns.c: answers one input set of bench_engine 1,000 times, for
 * counting instructions under callgrind (repeatable on a shared, noisy
 * machine, where timings are not). tests/bench/compare_engine.sh builds it
 * against two trees and prints the per-answer counts side by side.
 *
 *   engine_insns SET      SET: 0 commands en, 1 questions en, 2 commands ru,
 *                         3 questions ru, 4 commands zh, 5 questions zh
 *
 * Built outside meson by compare_engine.sh, also against trees whose engine
 * query has no `today` (ENGINE_QUERY_TODAY undefined). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/facts.h"
#ifdef ENGINE_QUERY_TODAY
#include "util/date.h"
#endif

#include "bench_sets.h"

#define N(a) (sizeof(a) / sizeof(*(a)))

int main(int argc, char **argv)
{
	const char *const *set[] = {commands_en, questions_en, commands_ru,
	                            questions_ru, commands_zh, questions_zh};
	const size_t n[] = {N(commands_en), N(questions_en), N(commands_ru),
	                    N(questions_ru), N(commands_zh), N(questions_zh)};
	int k = argc > 1 ? atoi(argv[1]) : -1;
	if (k < 0 || k > 5) {
		fprintf(stderr, "usage: engine_insns SET (0-5)\n");
		return 2;
	}
	struct facts *f;
	struct facts_error err;
	if (facts_load_embedded(&f, &err) < 0)
		return 1;
	struct engine *e = engine_new(f);
	static struct answer a;
	unsigned long sink = 0;
	for (int i = 0; i < 1000; i++) {
		const char *t = set[k][(size_t)i % n[k]];
		struct engine_query q = {t, strlen(t), LANG_NONE, LANG_NONE, "!sco",
#ifdef ENGINE_QUERY_TODAY
		                         date_days(2026, 12, 6),
#endif
		};
		engine_answer(e, &q, &a);
		sink += a.used;
	}
	printf("%lu\n", sink);
	engine_free(e);
	facts_free(f);
	return 0;
}
