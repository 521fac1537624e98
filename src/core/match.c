/* match.c: the analysis of one message against the built indexes: vocabulary
 * look-ups, typo correction, Chinese segmentation, years, unknown words and
 * search terms; and the command word at a message's head. */
#include "core/match_impl.h"

#include <string.h>
#include "util/utf8.h"

/* Looks up an exact key; calls back for each entry. */
static const struct vocab_entry *vocab_first(const struct engine *e, const char *key,
                                             size_t len)
{
	uint32_t h = hash_bytes(key, len);
	for (int32_t i = e->vslot[h & (e->nvslot - 1)]; i >= 0; i = e->vocab[i].next)
		if (e->vocab[i].hash == h && e->vocab[i].len == len &&
		    memcmp(e->vocab[i].key, key, len) == 0)
			return &e->vocab[i];
	return NULL;
}

static const struct vocab_entry *vocab_next(const struct engine *e,
                                            const struct vocab_entry *ve)
{
	for (int32_t i = ve->next; i >= 0; i = e->vocab[i].next)
		if (e->vocab[i].hash == ve->hash && e->vocab[i].len == ve->len &&
		    memcmp(e->vocab[i].key, ve->key, ve->len) == 0)
			return &e->vocab[i];
	return NULL;
}


/* Replaces an unknown word by the closest known one, if one is close enough
 * and no other is as close. Short words are never corrected: "sg" vs "sgs". */
/* The last code point of a UTF-8 string (continuation bytes are 10xxxxxx). */
static uint32_t last_cp(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return 0;
	i--;
	return utf8_next(s, len, &i);
}

static const char *correct(const struct engine *e, const char *t, size_t len)
{
	size_t c = utf8_count(t, len);
	/* Four-letter words are left alone (opec is not "open", send is not "end"),
	 * and two edits only in long words ("president" is not "present"). */
	if (c < 5 || is_known(e, t, len))
		return NULL;
	int max = c >= 10 ? 2 : 1;
	int best = max + 1;
	const char *pick = NULL;
	bool tie = false;
	size_t i0 = 0;
	uint32_t first = utf8_next(t, len, &i0), last = last_cp(t, len);
	for (size_t l = c > (size_t)max ? c - (size_t)max : 0; l <= c + (size_t)max && l <= TEXT_MAX_TOKEN_BYTES; l++)
		for (size_t i = 0; i < e->nknown[l]; i++) {
			const char *k = e->known[l][i];
			size_t kl = strlen(k), k0 = 0;
			/* One edit cannot change both the first and the last letter of a
			 * word of five or more: most candidates end here, unmeasured. */
			if (max == 1 && utf8_next(k, kl, &k0) != first && last_cp(k, kl) != last)
				continue;
			int d = text_distance(t, len, k, kl, best <= max ? best : max);
			if (d < best) {
				best = d;
				pick = k;
				tie = false;
			} else if (d == best && pick && strcmp(pick, k) != 0) {
				tie = true;
			}
		}
	if (!pick || best > max || tie)
		return NULL;
	return pick;
}

static void note_entity(struct analysis *an, const struct vocab_entry *ve)
{
	switch ((enum vocab_kind)ve->kind) {
	case V_CONCEPT:
		an->concepts |= 1ull << ve->id;
		break;
	case V_COUNTRY:
		for (size_t i = 0; i < an->ncountries; i++)
			if (an->countries[i] == ve->id)
				return;
		if (an->ncountries < MATCH_MAX_ENTITIES)
			an->countries[an->ncountries++] = ve->id;
		break;
	case V_PERSON:
		for (size_t i = 0; i < an->npersons; i++)
			if (an->persons[i] == ve->id)
				return;
		if (an->npersons < MATCH_MAX_ENTITIES)
			an->persons[an->npersons++] = ve->id;
		break;
	default:
		break;
	}
}

/* Notes every entry under key; returns whether there was any. */
static bool note_key(const struct engine *e, struct analysis *an, const char *key,
                     size_t len)
{
	const struct vocab_entry *ve = vocab_first(e, key, len);
	bool any = false;
	for (; ve; ve = vocab_next(e, ve))
		if (ve->kind != V_COMMAND) {
			note_entity(an, ve);
			any = true;
		}
	return any;
}

static void add_term(const struct engine *e, struct analysis *an, const char *t, size_t len)
{
	if (an->nterms >= MATCH_MAX_TERMS || len > TERM_MAX_BYTES)
		return;
	size_t used = an->nterms ? an->term_off[an->nterms - 1] + an->term_len[an->nterms - 1] : 0;
	if (used + len > sizeof(an->termbuf))
		return;
	memcpy(an->termbuf + used, t, len);
	an->term_off[an->nterms] = (uint16_t)used;
	an->term_len[an->nterms] = (uint16_t)len;
	an->nterms++;
	if (!is_stop(e, t, len))
		an->ncontent++;
}

struct term_sink {
	const struct engine *e;
	struct analysis *an;
};

static void add_term_cb(void *ctx, const char *t, size_t len)
{
	struct term_sink *ts = ctx;
	add_term(ts->e, ts->an, t, len);
}

static void note_unknown(struct analysis *an, const char *s, size_t len)
{
	size_t used = an->nunknown && an->nunknown <= MATCH_MAX_ENTITIES ?
		      an->unknown_off[an->nunknown - 1] + an->unknown_len[an->nunknown - 1] : 0;
	if (an->nunknown < MATCH_MAX_ENTITIES && used + len <= sizeof(an->unknown_buf)) {
		memcpy(an->unknown_buf + used, s, len);
		an->unknown_off[an->nunknown] = (uint16_t)used;
		an->unknown_len[an->nunknown] = (uint16_t)len;
		an->nunknown++;
	} else if (an->nunknown < MATCH_MAX_ENTITIES) {
		an->unknown_off[an->nunknown] = (uint16_t)used;
		an->unknown_len[an->nunknown] = 0;
		an->nunknown++;
	}
}

/* Longest-match segmentation of a Han run against the vocabulary. */
static void analyze_han(const struct engine *e, struct analysis *an, const char *t,
                        size_t len)
{
	size_t starts[TEXT_MAX_TOKEN_BYTES + 1], ns = 0, i = 0;
	while (i < len && ns < TEXT_MAX_TOKEN_BYTES) {
		starts[ns++] = i;
		utf8_next(t, len, &i);
	}
	starts[ns] = len;
	size_t c = 0;
	while (c < ns) {
		size_t maxw = e->max_han_chars < ns - c ? e->max_han_chars : ns - c;
		bool matched = false;
		for (size_t w = maxw; w >= 1; w--) {
			if (note_key(e, an, t + starts[c], starts[c + w] - starts[c])) {
				an->recognised++;
				c += w;
				matched = true;
				break;
			}
		}
		for (size_t w = maxw < 3 ? maxw : 3; !matched && w >= 1; w--) {
			/* Function words and politeness (的, 什么, 请问) carry no topic. */
			if (is_stop(e, t + starts[c], starts[c + w] - starts[c])) {
				c += w;
				matched = true;
			}
		}
		if (!matched) {
			note_unknown(an, t + starts[c], starts[c + 1] - starts[c]);
			c++;
		}
	}
	struct term_sink ts = {e, an};
	match_for_each_term(e, t, len, add_term_cb, &ts);
}

void match_analyze(const struct engine *e, const char *text, size_t len,
                   struct analysis *an)
{
	an->concepts = 0;
	an->nyears = an->ncountries = an->npersons = 0;
	an->corrected = false;
	an->recognised = 0;
	an->nterms = an->ncontent = 0;
	an->nunknown = 0;
	an->ntok = text_tokenize(text, len, an->norm, sizeof(an->norm), an->tok, TEXT_MAX_TOKENS);

	/* Stem and correct each word in place; numbers become years. */
	const char *w[TEXT_MAX_TOKENS];
	size_t wl[TEXT_MAX_TOKENS];
	size_t tries = 0;
	for (size_t k = 0; k < an->ntok; k++) {
		struct token *tk = &an->tok[k];
		w[k] = an->norm + tk->off;
		wl[k] = tk->len;
		if (tk->script == TOK_NUM) {
			int y;
			if (text_parse_year(w[k], wl[k], &y) && y >= FACTS_MIN_YEAR &&
			    y <= FACTS_MAX_YEAR && an->nyears < MATCH_MAX_ENTITIES) {
				an->years[an->nyears++] = y;
				an->recognised++;
			}
			continue;
		}
		if (tk->script == TOK_CYR) {
			if (match_is_ru_plural(w[k], wl[k]))
				an->concepts |= 1ull << C_PLURAL;
			/* Stemming writes a NUL into norm; keep the word as typed for
			 * naming it back if it turns out to be unknown. */
			wl[k] = text_stem_ru(an->norm + tk->off, wl[k]);
		}
		if ((tk->script == TOK_LATIN || tk->script == TOK_CYR) &&
		    tries < MATCH_MAX_CORRECTIONS && !is_known(e, w[k], wl[k])) {
			/* Known words live in the engine's arena, so the token can
			 * simply point at its correction. */
			tries++;
			const char *fix = correct(e, w[k], wl[k]);
			if (fix) {
				w[k] = fix;
				wl[k] = strlen(fix);
				an->corrected = true;
			}
		}
	}

	/* Phrases of up to four words, longest first. */
	for (size_t k = 0; k < an->ntok;) {
		if (an->tok[k].script == TOK_HAN) {
			analyze_han(e, an, w[k], wl[k]);
			k++;
			continue;
		}
		if (an->tok[k].script == TOK_NUM) {
			k++;
			continue;
		}
		size_t took = 0;
		for (size_t n = 4; n >= 1 && !took; n--) {
			if (k + n > an->ntok)
				continue;
			char key[256];
			size_t kl = 0;
			bool fits = true;
			for (size_t j = 0; j < n && fits; j++) {
				if (an->tok[k + j].script == TOK_HAN || an->tok[k + j].script == TOK_NUM) {
					fits = false;
					break;
				}
				if (kl + wl[k + j] + 2 > sizeof(key)) {
					fits = false;
					break;
				}
				if (j)
					key[kl++] = ' ';
				memcpy(key + kl, w[k + j], wl[k + j]);
				kl += wl[k + j];
			}
			if (fits && note_key(e, an, key, kl))
				took = n;
		}
		if (took)
			an->recognised += took;
		else if (!is_stop(e, w[k], wl[k]) && !is_known(e, w[k], wl[k]))
			note_unknown(an, text + an->tok[k].src_off, an->tok[k].src_len);
		for (size_t j = 0; j < (took ? took : 1); j++)
			add_term(e, an, w[k + j], wl[k + j]);
		k += took ? took : 1;
	}
}

bool match_plural_head(const char *text, size_t len)
{
	char norm[512];
	struct token tok[2];
	size_t head = len < 200 ? len : utf8_trim(text, len, 200);
	size_t n = text_tokenize(text, head, norm, sizeof(norm), tok, 2);
	for (size_t k = 0; k < n; k++) {
		const char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if ((tok[k].script == TOK_CYR && match_is_ru_plural(t, tl)) ||
		    (tl == 11 && memcmp(t, "secretaries", 11) == 0))
			return true;
	}
	return false;
}

const struct command_info *match_command(const struct engine *e, const char *text,
                                         size_t len, size_t *ret_rest)
{
	char norm[512];
	struct token tok[3];
	/* Only the head matters: look at the first few hundred bytes. */
	size_t head = len < 256 ? len : utf8_trim(text, len, 256);
	size_t n = text_tokenize(text, head, norm, sizeof(norm), tok, 3);
	if (n == 0)
		return NULL;
	for (size_t take = n >= 2 ? 2 : 1; take >= 1; take--) {
		if (tok[0].script == TOK_NUM || (take == 2 && tok[1].script == TOK_NUM))
			continue;
		char key[256];
		size_t kl = 0;
		for (size_t j = 0; j < take; j++) {
			char *t = norm + tok[j].off;
			size_t tl = tok[j].len;
			if (tok[j].script == TOK_CYR)
				tl = text_stem_ru(t, tl);
			if (kl + tl + 2 > sizeof(key))
				return NULL;
			if (j)
				key[kl++] = ' ';
			memcpy(key + kl, t, tl);
			kl += tl;
		}
		for (const struct vocab_entry *ve = vocab_first(e, key, kl); ve; ve = vocab_next(e, ve)) {
			if (ve->kind != V_COMMAND || ve->ntok != take)
				continue;
			size_t end = (size_t)tok[take - 1].src_off + tok[take - 1].src_len;
			while (end < len && (text[end] == ' ' || text[end] == '\t'))
				end++;
			*ret_rest = end;
			return &e->commands[ve->id];
		}
	}
	return NULL;
}

size_t match_suggest_commands(const struct engine *e, const char *word, size_t len,
                              const struct command_info **out, size_t max)
{
	char norm[256];
	struct token tok[1];
	size_t n = text_tokenize(word, len, norm, sizeof(norm), tok, 1);
	if (n == 0 || max == 0)
		return 0;
	int bestd[8];
	size_t count = 0;
	if (max > 8)
		max = 8;
	for (size_t i = 0; i < e->ncommands; i++) {
		int best = 99;
		for (const char *const *a = e->commands[i].aliases; *a; a++) {
			int d = text_distance(norm + tok[0].off, tok[0].len, *a, strlen(*a), 3);
			/* A prefix ("depart") is as good as one typo. */
			if (tok[0].len >= 3 && strncmp(*a, norm + tok[0].off, tok[0].len) == 0 && d > 1)
				d = 1;
			if (d < best)
				best = d;
		}
		if (best > 2)
			continue;
		/* Insertion sort into the top `max`. */
		size_t pos = count;
		while (pos > 0 && bestd[pos - 1] > best)
			pos--;
		if (pos >= max)
			continue;
		size_t last = count < max ? count : max - 1;
		for (size_t j = last; j > pos; j--) {
			out[j] = out[j - 1];
			bestd[j] = bestd[j - 1];
		}
		out[pos] = &e->commands[i];
		bestd[pos] = best;
		if (count < max)
			count++;
	}
	return count;
}
