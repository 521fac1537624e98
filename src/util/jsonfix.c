/* jsonfix.c: a string-aware scan for \u escapes; it never changes a length. */
#include "util/jsonfix.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int hex4(const char *p, uint32_t *ret)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

/* Scans; with fix set, rewrites. Returns the number of unpaired escapes. */
static size_t scan(char *s, size_t len, bool fix, bool nul)
{
	size_t n = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!in_string) {
			in_string = c == '"';
			continue;
		}
		if (c == '"') {
			in_string = false;
			continue;
		}
		if (c != '\\' || i + 1 >= len)
			continue;
		if (s[i + 1] != 'u' || i + 6 > len) {
			i++; /* a two-character escape such as \" or \\ */
			continue;
		}
		uint32_t v;
		if (hex4(s + i + 2, &v) < 0) {
			i++;
			continue;
		}
		uint32_t lo;
		if (v >= 0xD800 && v <= 0xDBFF && i + 12 <= len && s[i + 6] == '\\' &&
		    s[i + 7] == 'u' && hex4(s + i + 8, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
			i += 11; /* a proper pair */
			continue;
		}
		if ((v >= 0xD800 && v <= 0xDFFF) || (nul && v == 0)) {
			if (fix)
				memcpy(s + i + 2, "FFFD", 4);
			n++;
		}
		i += 5;
	}
	return n;
}

static char *fixed_dup(const char *s, size_t len, bool nul)
{
	/* scan() only writes when fixing, so counting on the caller's buffer is safe. */
	if (scan((char *)s, len, false, nul) == 0)
		return NULL;
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	scan(d, len, true, nul);
	return d;
}

size_t jsonfix_surrogates(char *s, size_t len)
{
	return scan(s, len, true, false);
}

char *jsonfix_surrogates_dup(const char *s, size_t len)
{
	return fixed_dup(s, len, false);
}

size_t jsonfix_text(char *s, size_t len)
{
	return scan(s, len, true, true);
}

char *jsonfix_text_dup(const char *s, size_t len)
{
	return fixed_dup(s, len, true);
}
