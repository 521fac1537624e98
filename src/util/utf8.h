/* utf8.h: decoding and checking UTF-8 from untrusted text. libc only. */
#ifndef SCOBOT_UTIL_UTF8_H
#define SCOBOT_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes one code point at s[*i], advancing *i by at least one byte. Overlong
 * forms, surrogates, values past U+10FFFF and truncated sequences decode as
 * U+FFFD, consuming one byte, so a caller can never loop forever. */
uint32_t utf8_next(const char *s, size_t len, size_t *i);

/* Writes cp as UTF-8 into out (4 bytes of room); returns the byte count. */
size_t utf8_encode(uint32_t cp, char *out);

bool utf8_valid(const char *s, size_t len);

/* Length in code points (invalid bytes count one each). */
size_t utf8_count(const char *s, size_t len);

/* Largest n <= max such that s[0..n) does not end inside a sequence. */
size_t utf8_trim(const char *s, size_t len, size_t max);

bool utf8_is_cyrillic(uint32_t cp);
/* Combining marks (non-starters): the characters a "Zalgo" flood stacks. */
bool utf8_is_combining(uint32_t cp);
bool utf8_is_han(uint32_t cp);

#endif
