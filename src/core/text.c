/* text.c: turns arbitrary bytes into comparable tokens; never trusts its input. */
#include "core/text.h"

#include <string.h>

#include "util/utf8.h"

/* Invisible characters people paste or attackers inject: zero-width, bidi
 * controls, BOM, variation selectors, soft hyphen. They are dropped, not spaced,
 * so "s\u200bg" still reads as "sg". */
static bool is_invisible(uint32_t cp)
{
	return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
	       cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x034F;
}

static uint32_t fold(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0x0410 && cp <= 0x042F) /* А-Я */
		return cp + 32;
	if (cp == 0x0401 || cp == 0x0451) /* Ё ё -> е */
		return 0x0435;
	if (cp >= 0x0400 && cp <= 0x040F) /* Ѐ-Џ */
		return cp + 80;
	if (cp >= 0xFF10 && cp <= 0xFF19) /* full-width digits */
		return '0' + (cp - 0xFF10);
	if (cp >= 0xFF21 && cp <= 0xFF3A) /* full-width A-Z */
		return 'a' + (cp - 0xFF21);
	if (cp >= 0xFF41 && cp <= 0xFF5A)
		return 'a' + (cp - 0xFF41);
	/* Latin-1 letters with diacritics fold to their base letter, so "Safoyév" or
	 * "Nurgalíyev" still match. */
	if (cp >= 0xC0 && cp <= 0xFF) {
		static const char map[] =
			"aaaaaaaceeeeiiii" "dnooooo ouuuuyts"
			"aaaaaaaceeeeiiii" "dnooooo ouuuuyty";
		char c = map[cp - 0xC0];
		if (c != ' ')
			return (uint32_t)c;
	}
	return cp;
}

enum cls { CL_SPACE, CL_DROP, CL_DIGIT, CL_LATIN, CL_CYR, CL_HAN };

static enum cls classify(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return CL_DIGIT;
	if (cp >= 'a' && cp <= 'z')
		return CL_LATIN;
	if (cp < 0x80)
		return CL_SPACE;
	if (is_invisible(cp) || utf8_is_combining(cp))
		return CL_DROP;
	if (utf8_is_cyrillic(cp))
		return CL_CYR;
	if (utf8_is_han(cp))
		return CL_HAN;
	if (cp == UTF8_REPLACEMENT)
		return CL_SPACE;
	/* Letters of other alphabets (Latin Extended, Greek, ...) stay in words;
	 * punctuation and symbol blocks become spaces. */
	if ((cp >= 0x00C0 && cp <= 0x024F) || (cp >= 0x0370 && cp <= 0x03FF) ||
	    (cp >= 0x1E00 && cp <= 0x1EFF))
		return CL_LATIN;
	return CL_SPACE;
}

size_t text_tokenize(const char *in, size_t len, char *norm, size_t norm_size,
                     struct token *tok, size_t max_tok)
{
	size_t i = 0, o = 0, n = 0;
	int cur = -1; /* script of the open token, or -1 */
	if (norm_size == 0)
		return 0;
	if (max_tok > TEXT_MAX_TOKENS)
		max_tok = TEXT_MAX_TOKENS;

	while (i < len) {
		size_t start = i;
		uint32_t cp = fold(utf8_next(in, len, &i));
		enum cls c = classify(cp);
		if (c == CL_DROP)
			continue;
		int script = c == CL_DIGIT ? TOK_NUM : c == CL_LATIN ? TOK_LATIN :
			     c == CL_CYR ? TOK_CYR : c == CL_HAN ? TOK_HAN : -1;
		/* Digits glued to letters stay one token ("g20"), but a Han run never
		 * absorbs digits or letters: "2011年" is two tokens. */
		bool same = cur >= 0 && script >= 0 &&
			    (script == cur ||
			     (cur != TOK_HAN && script != TOK_HAN &&
			      (script == TOK_NUM || cur == TOK_NUM) &&
			      !(cur == TOK_CYR || script == TOK_CYR)));
		if (cur >= 0 && !same) {
			/* Close the open token. */
			norm[o++] = '\0';
			n++;
			cur = -1;
		}
		if (script < 0)
			continue;
		if (cur < 0) {
			if (n >= max_tok || o + 6 >= norm_size)
				break;
			tok[n].off = (uint16_t)o;
			tok[n].len = 0;
			tok[n].src_off = (uint16_t)(start < UINT16_MAX ? start : UINT16_MAX);
			tok[n].src_len = 0;
			tok[n].script = (uint8_t)script;
			cur = script;
		} else if (tok[n].script == TOK_NUM && script == TOK_LATIN) {
			tok[n].script = TOK_LATIN;
		}
		if (tok[n].len + 4 > TEXT_MAX_TOKEN_BYTES || o + 6 >= norm_size)
			continue; /* overlong token: keep its head only */
		size_t w = utf8_encode(cp, norm + o);
		o += w;
		tok[n].len = (uint16_t)(tok[n].len + w);
		size_t src_end = i < UINT16_MAX ? i : UINT16_MAX;
		tok[n].src_len = (uint16_t)(src_end - tok[n].src_off);
	}
	if (cur >= 0 && o < norm_size) {
		norm[o++] = '\0';
		n++;
	}
	return n;
}

size_t text_normalize_phrase(const char *in, size_t len, char *out, size_t size)
{
	char norm[512];
	struct token tok[16];
	size_t n = text_tokenize(in, len, norm, sizeof(norm), tok, 16);
	size_t o = 0;
	if (size == 0)
		return 0;
	for (size_t k = 0; k < n; k++) {
		if (o + tok[k].len + 2 > size)
			break;
		if (k)
			out[o++] = ' ';
		memcpy(out + o, norm + tok[k].off, tok[k].len);
		o += tok[k].len;
	}
	out[o] = '\0';
	return o;
}

/* Endings in UTF-8, longest first so "ами" wins over "и". Nouns and adjectives
 * cover what people ask about (генсека, генсеком, Казахстана, отделов). Lengths
 * are computed at compile time: this runs on every Cyrillic word. */
#define E(s) {s, sizeof(s) - 1}
static const struct {
	const char *s;
	size_t len;
} ru_endings[] = {
	E("иями"), E("ями"), E("ами"), E("ого"), E("его"), E("ому"), E("ему"), E("ыми"),
	E("ими"), E("иях"), E("им"), E("ым"), E("ией"), E("ых"), E("их"), E("ах"), E("ях"), E("ам"), E("ям"),
	E("ом"), E("ем"), E("ой"), E("ей"), E("ий"), E("ый"), E("ая"), E("яя"), E("ое"),
	E("ее"), E("ые"), E("ие"), E("ую"), E("юю"), E("ов"), E("ев"), E("ию"), E("ия"),
	E("ии"), E("а"), E("я"), E("ы"), E("и"), E("у"), E("ю"), E("е"), E("о"), E("ь"),
	E("й"),
};
#undef E

/* Strips one ending if at least 3 letters remain; *letters tracks the count. */
static size_t strip_one(char *s, size_t len, size_t *letters)
{
	for (size_t k = 0; k < sizeof(ru_endings) / sizeof(ru_endings[0]); k++) {
		size_t el = ru_endings[k].len;
		size_t ec = el / 2; /* Cyrillic letters are two bytes each */
		if (el < len && *letters >= ec + 3 && s[len - 1] == ru_endings[k].s[el - 1] &&
		    memcmp(s + len - el, ru_endings[k].s, el) == 0) {
			s[len - el] = '\0';
			*letters -= ec;
			return len - el;
		}
	}
	return len;
}

/* Two passes, because surnames inflect on top of their own suffix: Алимова ->
 * Алимов -> Алим, and Алимов -> Алим, so both forms meet. */
size_t text_stem_ru(char *s, size_t len)
{
	size_t letters = utf8_count(s, len);
	len = strip_one(s, len, &letters);
	return strip_one(s, len, &letters);
}

#define DIST_MAX_CP 48 /* code points compared; longer words are cut */

static size_t decode_all(const char *s, size_t len, uint32_t *out)
{
	size_t i = 0, n = 0;
	while (i < len && n < DIST_MAX_CP)
		out[n++] = utf8_next(s, len, &i);
	return n;
}

int text_distance(const char *a, size_t alen, const char *b, size_t blen, int max)
{
	uint32_t x[DIST_MAX_CP], y[DIST_MAX_CP];
	size_t n = decode_all(a, alen, x), m = decode_all(b, blen, y);
	int diff = (int)n - (int)m;
	if (diff < 0)
		diff = -diff;
	if (diff > max)
		return max + 1;
	/* Three rows of the optimal string alignment matrix. */
	int r0[DIST_MAX_CP + 1], r1[DIST_MAX_CP + 1], r2[DIST_MAX_CP + 1];
	int *prev2 = r0, *prev = r1, *cur = r2;
	for (size_t j = 0; j <= m; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		int row_min = cur[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int cost = x[i - 1] != y[j - 1];
			int v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > max)
			return max + 1;
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m] > max ? max + 1 : prev[m];
}

bool text_parse_year(const char *s, size_t len, int *ret_year)
{
	if (len != 4)
		return false;
	int y = 0;
	for (size_t i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		y = y * 10 + (s[i] - '0');
	}
	*ret_year = y;
	return true;
}

/* A dot between a host name's labels is what makes "discord.gg/x" an invite
 * and "evil.example" a link for Discord's and Matrix clients' linkifiers,
 * with or without a scheme; full-width and ideographic dots count too. */
bool text_link_trigger(uint32_t prev, uint32_t cp)
{
	if (cp == '@' || (cp == '/' && prev == '/'))
		return true;
	bool dot = cp == '.' || cp == 0x3002 || cp == 0xFF0E || cp == 0xFF61;
	bool label = (prev >= '0' && prev <= '9') || ((prev | 0x20) >= 'a' && (prev | 0x20) <= 'z') ||
	             prev == '-' || prev == '_' || prev >= 0x80;
	return dot && label;
}
