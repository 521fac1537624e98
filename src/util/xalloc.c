/* xalloc.c: the only place that decides what running out of memory means. */
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void oom(size_t n, size_t size)
{
	fprintf(stderr, "scobot: out of memory allocating %zu x %zu bytes\n", n, size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		oom(1, size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n, size);
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom(n, size);
	void *q = realloc(p, n * size != 0 ? n * size : 1);
	if (!q)
		oom(n, size);
	return q;
}

void *xrealloc(void *p, size_t size)
{
	return xreallocarray(p, 1, size);
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, SIZE_MAX);
}
