/* redact.c: finds credential-shaped runs in outgoing text and blanks them in
 * place; it must not allocate, grow the text, or change errno. */
#include "util/redact.h"

#include <string.h>

static bool is_b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Length of the base64url run at s[i..len). */
static size_t run(const char *s, size_t i, size_t len)
{
	size_t n = 0;
	while (i + n < len && is_b64url((unsigned char)s[i + n]))
		n++;
	return n;
}

/* A Discord token at s[i] (a run start): its length, or 0. */
static size_t discord_token_at(const char *s, size_t i, size_t len)
{
	size_t a = run(s, i, len);
	if (a < 18 || i + a >= len || s[i + a] != '.')
		return 0;
	size_t b = run(s, i + a + 1, len);
	if (b < 4 || i + a + 1 + b >= len || s[i + a + 1 + b] != '.')
		return 0;
	size_t c = run(s, i + a + 2 + b, len);
	if (c < 20)
		return 0;
	return a + b + c + 2;
}

/* A prefixed Matrix token at s[i] (a run start): its length, or 0. */
static size_t matrix_token_at(const char *s, size_t i, size_t len)
{
	static const char *const prefixes[] = {"syt_", "syr_", "mat_", "mct_"};
	size_t n = run(s, i, len);
	if (n < 4 + 16)
		return 0;
	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
		if (memcmp(s + i, prefixes[p], 4) == 0)
			return n;
	return 0;
}

/* "://userinfo@" at s[i] (at the ':'): the user info's start and length, or 0. */
static size_t userinfo_at(const char *s, size_t i, size_t len, size_t *start)
{
	if (i + 3 > len || memcmp(s + i, "://", 3) != 0)
		return 0;
	size_t j = i + 3, k = j;
	/* the authority ends at '/', '?', '#', a space, a quote or the end */
	while (k < len && !strchr("/?#@ \t\"'<>", s[k]) && (unsigned char)s[k] >= 0x20)
		k++;
	if (k >= len || s[k] != '@' || k == j)
		return 0;
	*start = j;
	return k - j;
}

/* Replaces s[at..at+n) by mark (strlen(mark) <= n) and closes the gap. */
static size_t splice(char *s, size_t len, size_t at, size_t n, const char *mark)
{
	size_t m = strlen(mark);
	if (m > n)
		m = n;
	memcpy(s + at, mark, m);
	memmove(s + at + m, s + at + n, len - at - n);
	return len - (n - m);
}

/* A token cut off by the end of the text at s[i] (a run start): its length,
 * or 0. */
static size_t cut_token_at(const char *s, size_t i, size_t len)
{
	static const char *const prefixes[] = {"syt_", "syr_", "mat_", "mct_"};
	size_t a = run(s, i, len);
	if (i + a == len) {
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
			if (a >= 4 && memcmp(s + i, prefixes[p], 4) == 0)
				return a;
		/* the cut may fall inside a Discord token's first part (base64 of
		 * a 17-20 digit id: 24-28 characters); a longer run is something else */
		return a >= 8 && a <= 28 ? a : 0;
	}
	if (a < 18 || s[i + a] != '.')
		return 0;
	size_t b = run(s, i + a + 1, len);
	if (i + a + 1 + b == len)
		return len - i;
	if (s[i + a + 1 + b] != '.')
		return 0;
	size_t c = run(s, i + a + 2 + b, len);
	return i + a + 2 + b + c == len ? len - i : 0;
}

static size_t scan(char *s, size_t len, bool edit, bool *found)
{
	size_t i = 0;
	*found = false;
	while (i < len) {
		size_t start, n;
		if (s[i] == ':' && (n = userinfo_at(s, i, len, &start)) > 0) {
			*found = true;
			if (!edit)
				return len;
			len = splice(s, len, start, n, "***");
			i = start + (n < 3 ? n : 3) + 1;
			continue;
		}
		bool run_start = is_b64url((unsigned char)s[i]) &&
		                 (i == 0 || !is_b64url((unsigned char)s[i - 1]));
		if (run_start && ((n = discord_token_at(s, i, len)) > 0 ||
		                  (n = matrix_token_at(s, i, len)) > 0)) {
			*found = true;
			if (!edit)
				return len;
			len = splice(s, len, i, n, REDACT_MARK);
			i += strlen(REDACT_MARK);
			continue;
		}
		i++;
	}
	return len;
}

size_t redact_secrets(char *s, size_t len)
{
	bool found;
	return s ? scan(s, len, true, &found) : 0;
}

size_t redact_secrets_cut(char *s, size_t len)
{
	if (!s)
		return 0;
	len = redact_secrets(s, len);
	/* the last run of token characters, and what may precede it in a token */
	size_t i = len;
	while (i > 0 && (is_b64url((unsigned char)s[i - 1]) || s[i - 1] == '.'))
		i--;
	while (i < len && !is_b64url((unsigned char)s[i]))
		i++;
	for (; i < len; i++) {
		bool run_start = is_b64url((unsigned char)s[i]) &&
		                 (i == 0 || !is_b64url((unsigned char)s[i - 1]));
		size_t n;
		if (run_start && (n = cut_token_at(s, i, len)) > 0) {
			/* the mark may be longer than what it hides: then '*'s */
			if (n >= strlen(REDACT_MARK))
				return splice(s, len, i, n, REDACT_MARK);
			memset(s + i, '*', n);
			return len;
		}
	}
	return len;
}

char *redact_secrets_str(char *s)
{
	if (s)
		s[redact_secrets(s, strlen(s))] = '\0';
	return s;
}

bool redact_has_secret(const char *s, size_t len)
{
	bool found = false;
	if (s)
		scan((char *)s, len, false, &found);
	return found;
}
