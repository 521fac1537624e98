/* replay_main.c: runs a fuzz target's LLVMFuzzerTestOneInput over every file of
 * a checked-in corpus so plain `meson test` replays the corpora without clang;
 * it must not judge inputs itself: the target's own checks (abort) and the
 * sanitizers of the build decide.
 *
 *   fuzz_engine_replay DIR_OR_FILE...
 *
 * Each input is copied into a buffer of exactly its size, so an ASan build
 * catches a read one byte past the end just as libFuzzer would. Directories
 * are read in name order so a failure is reproducible. Finding no input at all
 * is an error: a corpus that vanished must not turn the test silently green. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (4u << 20) /* bytes: larger corpus files are a mistake */

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Read into a growing buffer, then copy into one of the exact size. */
	size_t cap = 4096, len = 0;
	uint8_t *tmp = malloc(cap);
	if (!tmp)
		abort();
	size_t n;
	while ((n = fread(tmp + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len > REPLAY_MAX_INPUT) {
			fprintf(stderr, "%s: larger than %u bytes\n", path, REPLAY_MAX_INPUT);
			free(tmp);
			fclose(f);
			return -1;
		}
		if (len == cap) {
			cap *= 2;
			uint8_t *p = realloc(tmp, cap);
			if (!p)
				abort();
			tmp = p;
		}
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "%s: read error\n", path);
		free(tmp);
		return -1;
	}
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, tmp, len);
	free(tmp);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the number of files run, or -1 on an I/O error. */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (nnames == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof(*names));
			if (!p)
				abort();
			names = p;
		}
		names[nnames] = strdup(e->d_name);
		if (!names[nnames])
			abort();
		nnames++;
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), cmp_names);
	long count = 0;
	for (size_t i = 0; i < nnames; i++) {
		size_t plen = strlen(dir) + 1 + strlen(names[i]) + 1;
		char *path = malloc(plen);
		if (!path)
			abort();
		snprintf(path, plen, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	long total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		long n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : (run_file(argv[i]) < 0 ? -1 : 1);
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "no inputs found\n");
		return 1;
	}
	printf("replayed %ld inputs\n", total);
	return 0;
}
