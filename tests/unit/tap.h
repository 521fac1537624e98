/* tap.h: a minimal TAP test harness; each TEST() is one named behaviour.
 *
 *   TEST(sg_2011_names_imanaliev) { CHECK(...); CHECK_STR_CONTAINS(s, "x"); }
 *   int main(int argc, char **argv) { return tap_main(argc, argv); }
 *
 * meson runs the binary with protocol 'tap'. `prog NAME` runs one test.
 * A test that cannot run here (its input lives outside the repository) calls
 * TAP_SKIP("reason") and returns: it reports "ok N - name # SKIP reason". */
#ifndef SCOBOT_TESTS_TAP_H
#define SCOBOT_TESTS_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

#define TAP_MAX_TESTS 512
extern struct tap_test tap_tests[TAP_MAX_TESTS];
extern int tap_ntests;
extern int tap_failed_now;
extern const char *tap_skip_now;

#define TAP_SKIP(reason) (tap_skip_now = (reason))

#define TEST(name)                                                            \
	static void test_##name(void);                                        \
	__attribute__((constructor)) static void tap_reg_##name(void)        \
	{                                                                     \
		if (tap_ntests < TAP_MAX_TESTS)                               \
			tap_tests[tap_ntests++] = (struct tap_test){#name, test_##name}; \
	}                                                                     \
	static void test_##name(void)

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			tap_failed_now = 1;                                   \
		}                                                             \
	} while (0)

#define CHECK_INT(a, b)                                                       \
	do {                                                                  \
		long long tap_a = (long long)(a), tap_b = (long long)(b);     \
		if (tap_a != tap_b) {                                         \
			printf("# %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, \
			       __LINE__, #a, tap_a, #b, tap_b);               \
			tap_failed_now = 1;                                   \
		}                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                       \
	do {                                                                  \
		const char *tap_a = (a), *tap_b = (b);                        \
		if (!tap_a || !tap_b || strcmp(tap_a, tap_b) != 0) {          \
			printf("# %s:%d: got \"%s\", expected \"%s\"\n", __FILE__, \
			       __LINE__, tap_a ? tap_a : "(null)", tap_b ? tap_b : "(null)"); \
			tap_failed_now = 1;                                   \
		}                                                             \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                           \
	do {                                                                  \
		const char *tap_h = (hay), *tap_n = (needle);                 \
		if (!tap_h || !strstr(tap_h, tap_n)) {                        \
			printf("# %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
			       __LINE__, tap_h ? tap_h : "(null)", tap_n);    \
			tap_failed_now = 1;                                   \
		}                                                             \
	} while (0)

#define CHECK_NOT_CONTAINS(hay, needle)                                       \
	do {                                                                  \
		const char *tap_h = (hay), *tap_n = (needle);                 \
		if (tap_h && strstr(tap_h, tap_n)) {                          \
			printf("# %s:%d: \"%s\" contains \"%s\"\n", __FILE__, \
			       __LINE__, tap_h, tap_n);                       \
			tap_failed_now = 1;                                   \
		}                                                             \
	} while (0)

/* Define once per test binary. */
#define TAP_MAIN                                                              \
	struct tap_test tap_tests[TAP_MAX_TESTS];                             \
	int tap_ntests;                                                       \
	int tap_failed_now;                                                   \
	const char *tap_skip_now;                                             \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		int failed = 0, n = 0;                                        \
		if (argc > 1) {                                               \
			for (int i = 0; i < tap_ntests; i++)                  \
				if (strcmp(tap_tests[i].name, argv[1]) == 0) { \
					tap_tests[i].fn();                    \
					if (tap_skip_now && !tap_failed_now)  \
						printf("SKIP %s\n", tap_skip_now); \
					else                                  \
						printf("%s\n", tap_failed_now ? "FAIL" : "PASS"); \
					return tap_failed_now;                \
				}                                             \
			fprintf(stderr, "no test named %s\n", argv[1]);       \
			return 2;                                             \
		}                                                             \
		printf("1..%d\n", tap_ntests);                                \
		for (int i = 0; i < tap_ntests; i++) {                        \
			tap_failed_now = 0;                                   \
			tap_skip_now = NULL;                                  \
			tap_tests[i].fn();                                    \
			n++;                                                  \
			if (tap_skip_now && !tap_failed_now)                  \
				printf("ok %d - %s # SKIP %s\n", n,          \
				       tap_tests[i].name, tap_skip_now);      \
			else                                                  \
				printf("%s %d - %s\n",                       \
				       tap_failed_now ? "not ok" : "ok", n,   \
				       tap_tests[i].name);                    \
			fflush(stdout);                                       \
			failed += tap_failed_now;                             \
		}                                                             \
		return failed ? 1 : 0;                                        \
	}

#endif
