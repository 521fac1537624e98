/* fuzz.h: what every fuzz target shares: the libFuzzer entry point, and
 * FUZZ_CHECK, an invariant check that aborts so both libFuzzer and the replay
 * test report the input; it must not hold state. */
#ifndef SCOBOT_TESTS_FUZZ_H
#define SCOBOT_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not assert(): it must stay on in release builds, where CI replays too. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",      \
			        __FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

#endif
