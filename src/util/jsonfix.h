/* jsonfix.h: repairs the one kind of bad JSON that servers really send.
 * JSON text from Discord and Matrix may carry \uD800-style escapes of unpaired
 * UTF-16 surrogates (a user typed them; servers pass them on). cJSON refuses
 * the whole document for one such escape, which would let a single message
 * stall a Matrix sync for good. libc only. */
#ifndef SCOBOT_UTIL_JSONFIX_H
#define SCOBOT_UTIL_JSONFIX_H

#include <stddef.h>

/* Rewrites every escape of an unpaired surrogate inside a JSON string as
 * \uFFFD, in place (same length). Returns how many it rewrote. */
size_t jsonfix_surrogates(char *s, size_t len);

/* A copy of s[0..len) with the surrogates fixed, NUL-terminated (malloc'd;
 * NULL when nothing needed fixing). */
char *jsonfix_surrogates_dup(const char *s, size_t len);

#endif
