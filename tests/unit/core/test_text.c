/* test_text.c: normalisation, tokens, stemming and edit distance. */
#include "tap.h"

#include <string.h>

#include "core/text.h"

static size_t toks(const char *s, char (*out)[64], size_t max)
{
	char norm[1024];
	struct token t[32];
	size_t n = text_tokenize(s, strlen(s), norm, sizeof(norm), t, 32);
	for (size_t i = 0; i < n && i < max; i++) {
		memcpy(out[i], norm + t[i].off, t[i].len);
		out[i][t[i].len] = '\0';
	}
	return n;
}

TEST(tokenize_lowercases_and_splits_on_punctuation)
{
	char t[8][64];
	CHECK_INT(toks("Who was Secretary-General?", t, 8), 4);
	CHECK_STR(t[0], "who");
	CHECK_STR(t[2], "secretary");
	CHECK_STR(t[3], "general");
}

TEST(tokenize_folds_cyrillic_case_and_yo)
{
	char t[8][64];
	CHECK_INT(toks("ГЕНСЕК Секретарём", t, 8), 2);
	CHECK_STR(t[0], "генсек");
	CHECK_STR(t[1], "секретарем");
}

TEST(tokenize_splits_han_from_digits)
{
	char t[8][64];
	CHECK_INT(toks("2011年的秘书长", t, 8), 2);
	CHECK_STR(t[0], "2011");
	CHECK_STR(t[1], "年的秘书长");
}

TEST(tokenize_folds_full_width_digits)
{
	char t[8][64];
	CHECK_INT(toks("ｓｇ ２０１１", t, 8), 2);
	CHECK_STR(t[0], "sg");
	CHECK_STR(t[1], "2011");
}

TEST(tokenize_drops_invisible_and_bidi_characters)
{
	char t[8][64];
	CHECK_INT(toks("s\xE2\x80\x8Bg \xE2\x80\xAE" "2011", t, 8), 2);
	CHECK_STR(t[0], "sg");
	CHECK_STR(t[1], "2011");
}

TEST(tokenize_survives_invalid_utf8_and_nul)
{
	char t[8][64];
	const char bad[] = "sg\xff\xc0\x80 2011\0zz";
	char norm[256];
	struct token tk[8];
	size_t n = text_tokenize(bad, sizeof(bad) - 1, norm, sizeof(norm), tk, 8);
	CHECK_INT(n, 3);
	(void)t;
}

TEST(tokenize_drops_combining_floods)
{
	char t[8][64];
	char s[512] = "s";
	for (int i = 0; i < 100; i++)
		strcat(s, "\xCC\x81"); /* U+0301 */
	strcat(s, "g");
	CHECK_INT(toks(s, t, 8), 1);
	CHECK_STR(t[0], "sg");
}

TEST(tokenize_bounds_the_token_count)
{
	char big[4096];
	size_t o = 0;
	for (int i = 0; i < 1000 && o + 3 < sizeof(big); i++) {
		big[o++] = 'a';
		big[o++] = ' ';
	}
	char norm[8192];
	struct token t[TEXT_MAX_TOKENS];
	CHECK(text_tokenize(big, o, norm, sizeof(norm), t, TEXT_MAX_TOKENS) <= TEXT_MAX_TOKENS);
}

TEST(russian_stemming_joins_inflections)
{
	char a[64] = "генсека", b[64] = "генсеком", c[64] = "генсек";
	size_t la = text_stem_ru(a, strlen(a)), lb = text_stem_ru(b, strlen(b));
	size_t lc = text_stem_ru(c, strlen(c));
	CHECK(la == lb && lb == lc && memcmp(a, c, lc) == 0 && memcmp(b, c, lc) == 0);
	char k1[64] = "казахстана", k2[64] = "казахстан";
	CHECK_INT(text_stem_ru(k1, strlen(k1)), text_stem_ru(k2, strlen(k2)));
}

TEST(russian_stemming_keeps_short_words)
{
	char s[64] = "до";
	CHECK_INT(text_stem_ru(s, strlen(s)), strlen("до"));
}

TEST(distance_counts_typos)
{
	CHECK_INT(text_distance("secretery", 9, "secretary", 9, 2), 1);
	CHECK_INT(text_distance("genral", 6, "general", 7, 2), 1);
	CHECK_INT(text_distance("ab", 2, "ba", 2, 2), 1); /* transposition */
	CHECK_INT(text_distance("norov", 5, "норов", 10, 2), 3); /* gives up past max */
}

TEST(year_parsing_takes_four_digits_only)
{
	int y;
	CHECK(text_parse_year("2011", 4, &y) && y == 2011);
	CHECK(!text_parse_year("201", 3, &y));
	CHECK(!text_parse_year("20a1", 4, &y));
}

TAP_MAIN
