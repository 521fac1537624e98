/* xalloc.h: allocation that cannot fail silently.
 * Out of memory is not a condition scobot can answer from, so these print the
 * size that failed and abort. Use them for the daemon's own bookkeeping; sizes
 * that come from the network or a file are bounded before they get here. */
#ifndef SCOBOT_UTIL_XALLOC_H
#define SCOBOT_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grows an array of n elements of `size` bytes each, checking the multiply. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
