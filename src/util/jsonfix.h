/* jsonfix.h: repairs the kinds of JSON text that servers really send and that
 * would hurt after cJSON decodes it.
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

/* The same, and every \u0000 escape too (also as \uFFFD): a NUL decoded into
 * a C string would silently cut a chat message short ("search a\u0000b"
 * would search for "a"). Platform codecs run this on every payload before
 * parsing, so chat text reaches the engine whole or visibly marked. */
size_t jsonfix_text(char *s, size_t len);
char *jsonfix_text_dup(const char *s, size_t len);

#endif
