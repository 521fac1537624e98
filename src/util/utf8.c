/* utf8.c: strict UTF-8 per RFC 3629; anything else becomes U+FFFD. */
#include "util/utf8.h"

uint32_t utf8_next(const char *str, size_t len, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t p = *i;
	unsigned char c = s[p];
	uint32_t cp, min;
	size_t need;

	if (c < 0x80) {
		*i = p + 1;
		return c;
	} else if (c >= 0xC2 && c <= 0xDF) {
		cp = c & 0x1F; need = 1; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		cp = c & 0x0F; need = 2; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		cp = c & 0x07; need = 3; min = 0x10000;
	} else {
		*i = p + 1;
		return UTF8_REPLACEMENT;
	}
	if (len - p - 1 < need) {
		*i = p + 1;
		return UTF8_REPLACEMENT;
	}
	for (size_t k = 1; k <= need; k++) {
		unsigned char cc = s[p + k];
		if ((cc & 0xC0) != 0x80) {
			*i = p + 1;
			return UTF8_REPLACEMENT;
		}
		cp = (cp << 6) | (cc & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*i = p + 1;
		return UTF8_REPLACEMENT;
	}
	*i = p + 1 + need;
	return cp;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t before = i;
		uint32_t cp = utf8_next(s, len, &i);
		if (cp == UTF8_REPLACEMENT && i - before == 1 &&
		    (unsigned char)s[before] >= 0x80)
			return false;
	}
	return true;
}

size_t utf8_count(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	while (i < len) {
		utf8_next(s, len, &i);
		n++;
	}
	return n;
}

size_t utf8_trim(const char *str, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	if (len <= max)
		return len;
	size_t n = max;
	/* Step back over continuation bytes to the start of the cut sequence. */
	while (n > 0 && (s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

bool utf8_is_cyrillic(uint32_t cp)
{
	return (cp >= 0x0400 && cp <= 0x052F) || (cp >= 0x1C80 && cp <= 0x1C8F) ||
	       (cp >= 0x2DE0 && cp <= 0x2DFF) || (cp >= 0xA640 && cp <= 0xA69F);
}

bool utf8_is_han(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

bool utf8_is_combining(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
	       (cp >= 0x0591 && cp <= 0x05BD) || (cp >= 0x0610 && cp <= 0x061A) ||
	       (cp >= 0x064B && cp <= 0x065F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	       (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
	       (cp >= 0x3099 && cp <= 0x309A) || (cp >= 0xFE20 && cp <= 0xFE2F);
}
