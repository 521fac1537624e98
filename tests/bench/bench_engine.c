/* bench_engine.c: answers per second on one core for mixed commands and plain
 * questions, per language, and resident memory after load. Not a test: the
 * machine is shared, so it reports medians of several runs and a ratio against
 * a baseline (tokenising the same inputs) measured in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/facts.h"
#include "core/text.h"
#include "util/clock.h"
#include "util/date.h"

#include "bench_sets.h"

#define N_INPUTS 1000
#define RUNS 7

struct set {
	const char *name;
	const char *in[N_INPUTS];
	size_t n;
};

static void fill(struct set *s, const char *name, const char *const *a, size_t na)
{
	s->name = name;
	s->n = N_INPUTS;
	for (size_t i = 0; i < N_INPUTS; i++)
		s->in[i] = a[i % na];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static volatile size_t sink;

/* Median answers per second over RUNS passes of `reps` x the set. */
static double measure(const struct engine *e, const struct set *s, int reps, bool baseline)
{
	static struct answer a;
	double rate[RUNS];
	for (int r = 0; r < RUNS; r++) {
		int64_t t0 = clock_now_us();
		for (int k = 0; k < reps; k++)
			for (size_t i = 0; i < s->n; i++) {
				size_t len = strlen(s->in[i]);
				if (baseline) {
					char norm[1024];
					struct token tok[TEXT_MAX_TOKENS];
					sink += text_tokenize(s->in[i], len, norm, sizeof(norm), tok,
					                      TEXT_MAX_TOKENS);
				} else {
					struct engine_query q = {s->in[i], len, LANG_NONE, LANG_NONE, "!sco",
					                         date_days(2026, 12, 6)};
					engine_answer(e, &q, &a);
					sink += a.used;
				}
			}
		int64_t dt = clock_now_us() - t0;
		rate[r] = (double)reps * (double)s->n / ((double)dt / 1e6);
	}
	qsort(rate, RUNS, sizeof(rate[0]), cmp_double);
	return rate[RUNS / 2];
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 20;
	long rss0 = rss_kib();
	struct facts *f;
	struct facts_error err;
	int64_t t0 = clock_now_us();
	if (facts_load_embedded(&f, &err) < 0)
		return 1;
	struct engine *e = engine_new(f);
	int64_t load_us = clock_now_us() - t0;
	long rss1 = rss_kib();

	static struct set sets[7];
	fill(&sets[0], "commands (en)", commands_en, sizeof(commands_en) / sizeof(*commands_en));
	fill(&sets[1], "questions (en)", questions_en, sizeof(questions_en) / sizeof(*questions_en));
	fill(&sets[2], "commands (ru)", commands_ru, sizeof(commands_ru) / sizeof(*commands_ru));
	fill(&sets[3], "questions (ru)", questions_ru, sizeof(questions_ru) / sizeof(*questions_ru));
	fill(&sets[4], "commands (zh)", commands_zh, sizeof(commands_zh) / sizeof(*commands_zh));
	fill(&sets[5], "questions (zh)", questions_zh, sizeof(questions_zh) / sizeof(*questions_zh));
	/* The mixed set the issue names: commands and questions interleaved. */
	sets[6].name = "mixed 1,000 (all languages)";
	sets[6].n = N_INPUTS;
	for (size_t i = 0; i < N_INPUTS; i++)
		sets[6].in[i] = sets[i % 6].in[i];

	printf("facts + engine load: %.2f ms; RSS before %ld KiB, after load %ld KiB (+%ld KiB)\n",
	       (double)load_us / 1000.0, rss0, rss1, rss1 - rss0);
	printf("%-28s %14s %16s %8s\n", "set", "answers/s", "tokenise-only/s", "ratio");
	for (size_t i = 0; i < 7; i++) {
		double base = measure(e, &sets[i], reps, true);
		double rate = measure(e, &sets[i], reps, false);
		printf("%-28s %14.0f %16.0f %8.1f\n", sets[i].name, rate, base, base / rate);
	}
	printf("RSS at end: %ld KiB\n", rss_kib());
	engine_free(e);
	facts_free(f);
	return 0;
}
