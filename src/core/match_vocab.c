/* match_vocab.c: match_build(), which turns the lexicon and the fact table's
 * names, countries and command words into the vocabulary hash, the known
 * words for typo correction and the stop and known word sets. */
#include "core/match_impl.h"

#include <string.h>
#include "util/utf8.h"

/* Normalises a phrase into the key form used by every look-up: tokens joined
 * by single spaces, Cyrillic tokens stemmed. Returns the token count. */
static size_t key_form(const char *in, size_t len, char *out, size_t size, size_t *ret_len)
{
	char norm[512];
	struct token tok[8];
	size_t n = text_tokenize(in, len, norm, sizeof(norm), tok, 8), o = 0;
	for (size_t k = 0; k < n; k++) {
		char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if (tok[k].script == TOK_CYR)
			tl = text_stem_ru(t, tl);
		if (o + tl + 2 > size)
			break;
		if (k)
			out[o++] = ' ';
		memcpy(out + o, t, tl);
		o += tl;
	}
	out[o] = '\0';
	*ret_len = o;
	return n;
}

struct vbuild {
	struct vocab_entry *v;
	size_t n, cap;
};

static void vocab_add(struct engine *e, struct vbuild *vb, const char *phrase,
                      enum vocab_kind kind, size_t id)
{
	char key[256];
	size_t len;
	size_t ntok = key_form(phrase, strlen(phrase), key, sizeof(key), &len);
	if (len == 0)
		return;
	uint32_t h = hash_bytes(key, len);
	for (size_t i = 0; i < vb->n; i++) /* build time only: a few hundred entries */
		if (vb->v[i].hash == h && vb->v[i].kind == kind && vb->v[i].id == id &&
		    vb->v[i].len == len && memcmp(vb->v[i].key, key, len) == 0)
			return;
	if (vb->n == vb->cap) {
		size_t cap = vb->cap ? vb->cap * 2 : 512;
		struct vocab_entry *nv = arena_array(&e->arena, cap, sizeof(*nv));
		if (vb->n)
			memcpy(nv, vb->v, vb->n * sizeof(*nv));
		vb->v = nv;
		vb->cap = cap;
	}
	struct vocab_entry *ve = &vb->v[vb->n++];
	ve->key = arena_strndup(&e->arena, key, len);
	ve->len = (uint16_t)len;
	ve->hash = h;
	ve->kind = (uint8_t)kind;
	ve->ntok = (uint8_t)ntok;
	ve->id = (uint16_t)id;
	size_t z = 0;
	if (ntok == 1 && utf8_is_han(utf8_next(key, len, &z))) {
		size_t chars = utf8_count(key, len);
		if (chars > e->max_han_chars)
			e->max_han_chars = chars;
	}
}

static void vocab_add_aliases(struct engine *e, struct vbuild *vb,
                              const struct fact_aliases *al, enum vocab_kind kind, size_t id)
{
	for (int l = 0; l < LANG_COUNT; l++)
		for (size_t k = 0; k < al[l].n; k++)
			vocab_add(e, vb, al[l].v[k], kind, id);
}

static void vocab_add_l10n(struct engine *e, struct vbuild *vb, const struct l10n *t,
                           enum vocab_kind kind, size_t id)
{
	for (int l = 0; l < LANG_COUNT; l++)
		if (t->s[l])
			vocab_add(e, vb, t->s[l], kind, id);
}

/* Known words for typo correction. */
struct kbuild {
	const char **v;
	size_t n, cap;
};

static void known_add_tokens(struct engine *e, struct kbuild *kb, const char *s)
{
	char norm[2048];
	struct token tok[TEXT_MAX_TOKENS];
	size_t n = text_tokenize(s, strlen(s), norm, sizeof(norm), tok, TEXT_MAX_TOKENS);
	for (size_t k = 0; k < n; k++) {
		if (tok[k].script != TOK_LATIN && tok[k].script != TOK_CYR)
			continue;
		char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if (tok[k].script == TOK_CYR)
			tl = text_stem_ru(t, tl);
		if (utf8_count(t, tl) < 3)
			continue;
		bool dup = false;
		for (size_t i = 0; i < kb->n && !dup; i++)
			dup = strlen(kb->v[i]) == tl && memcmp(kb->v[i], t, tl) == 0;
		if (dup)
			continue;
		if (kb->n == kb->cap) {
			size_t cap = kb->cap ? kb->cap * 2 : 1024;
			const char **nv = arena_array(&e->arena, cap, sizeof(*nv));
			if (kb->n)
				memcpy(nv, kb->v, kb->n * sizeof(*nv));
			kb->v = nv;
			kb->cap = cap;
		}
		kb->v[kb->n++] = arena_strndup(&e->arena, t, tl);
	}
}

static void set_build(struct engine *e, const char **words, size_t n, const char ***ret_slots,
                      size_t *ret_n)
{
	size_t ns = 16;
	while (ns < n * 2 + 1)
		ns <<= 1;
	const char **slot = arena_array(&e->arena, ns, sizeof(*slot));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]);
		size_t h = hash_bytes(words[i], len) & (ns - 1);
		while (slot[h] && strcmp(slot[h], words[i]) != 0)
			h = (h + 1) & (ns - 1);
		slot[h] = words[i];
	}
	*ret_slots = slot;
	*ret_n = ns;
}

void match_build(struct engine *e)
{
	const struct facts *f = e->facts;
	struct vbuild vb = {0};

	for (size_t i = 0; i < match_nphrases; i++)
		vocab_add(e, &vb, match_phrases[i].text, V_CONCEPT, match_phrases[i].c);
	for (size_t i = 0; i < f->n_countries; i++) {
		vocab_add_l10n(e, &vb, &f->countries[i].name, V_COUNTRY, i);
		vocab_add_l10n(e, &vb, &f->countries[i].short_name, V_COUNTRY, i);
		vocab_add_aliases(e, &vb, f->countries[i].aliases, V_COUNTRY, i);
	}
	for (size_t i = 0; i < f->n_people; i++) {
		vocab_add_l10n(e, &vb, &f->people[i].name, V_PERSON, i);
		vocab_add_aliases(e, &vb, f->people[i].aliases, V_PERSON, i);
	}
	e->commands = commands_list(&e->ncommands);
	for (size_t i = 0; i < e->ncommands; i++)
		for (const char *const *a = e->commands[i].aliases; *a; a++)
			vocab_add(e, &vb, *a, V_COMMAND, i);

	e->vocab = vb.v;
	e->nvocab = vb.n;
	e->nvslot = pow2_at_least(vb.n * 2 + 1);
	e->vslot = arena_array(&e->arena, e->nvslot, sizeof(*e->vslot));
	for (size_t i = 0; i < e->nvslot; i++)
		e->vslot[i] = -1;
	/* Insert in reverse so each chain lists entries in table order. */
	for (size_t i = vb.n; i-- > 0;) {
		size_t s = vb.v[i].hash & (e->nvslot - 1);
		vb.v[i].next = e->vslot[s];
		e->vslot[s] = (int32_t)i;
	}

	/* Known words: every vocabulary token, stop words, and fact text words. */
	struct kbuild kb = {0};
	for (size_t i = 0; i < vb.n; i++)
		/* City names are recognised but never a typo's correction: "асеан"
		 * must stay unknown, not become Astana. */
		/* Command words ("language", "search") mean nothing inside a
		 * question, so they do not make one understood. */
		if (!(vb.v[i].kind == V_CONCEPT && vb.v[i].id == C_CITY) &&
		    vb.v[i].kind != V_COMMAND)
			known_add_tokens(e, &kb, vb.v[i].key);
	for (size_t i = 0; i < match_nstop_words; i++)
		known_add_tokens(e, &kb, match_stop_words[i]);
	for (size_t i = 0; i < f->n_facts; i++) {
		for (int l = 0; l < LANG_COUNT; l++)
			if (f->facts[i].text.s[l])
				known_add_tokens(e, &kb, f->facts[i].text.s[l]);
		for (size_t k = 0; k < f->facts[i].n_items; k++)
			for (int l = 0; l < LANG_COUNT; l++)
				known_add_tokens(e, &kb, f->facts[i].items[k].s[l]);
	}
	size_t fill[TEXT_MAX_TOKEN_BYTES + 1] = {0};
	for (size_t i = 0; i < kb.n; i++) {
		size_t c = utf8_count(kb.v[i], strlen(kb.v[i]));
		if (c <= TEXT_MAX_TOKEN_BYTES)
			e->nknown[c]++;
	}
	for (size_t c = 0; c <= TEXT_MAX_TOKEN_BYTES; c++)
		e->known[c] = arena_array(&e->arena, e->nknown[c] ? e->nknown[c] : 1, sizeof(char *));
	for (size_t i = 0; i < kb.n; i++) {
		size_t c = utf8_count(kb.v[i], strlen(kb.v[i]));
		if (c <= TEXT_MAX_TOKEN_BYTES)
			e->known[c][fill[c]++] = kb.v[i];
	}

	set_build(e, kb.v, kb.n, &e->known_set, &e->nknown_set);
	{
		size_t nsw = match_nstop_words;
		const char **sw = arena_array(&e->arena, nsw, sizeof(*sw));
		for (size_t i = 0; i < nsw; i++) {
			char key[128];
			size_t kl;
			key_form(match_stop_words[i], strlen(match_stop_words[i]), key, sizeof(key),
			         &kl);
			sw[i] = arena_strndup(&e->arena, key, kl);
		}
		set_build(e, sw, nsw, &e->stop_set, &e->nstop_set);
	}
	match_index_build(e);
}
