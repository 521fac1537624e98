/* engine_unsure.c: the replies when no answer would be sure: "not sure" with
 * the closest facts, "not covered" with what was understood and the nearest
 * commands, and "did you mean" for an unknown command. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <string.h>

static void quote_cut(char *buf, size_t size, const char *s, size_t len);

void eng_not_sure(struct ctx *c, const struct analysis *an, const char *text, size_t len)
{
	struct hit h[3];
	char q[400], cmd[64];
	quote_cut(q, sizeof(q), text, len);
	snprintf(cmd, sizeof(cmd), "%s help", prefix_of(c));
	c->a->status = ANSWER_NOT_SURE;
	c->a->command = "unsure";
	size_t n = match_search(c->e, an, h, 3);
	emit(c, M_NOT_SURE, q);
	if (n) {
		space(c);
		emit0(c, M_NOT_SURE_CLOSEST);
		answer_break(c->a);
		eng_hit_list(c, h, n);
	} else {
		space(c);
		emit(c, M_NOT_SURE_NOTHING, cmd);
	}
}

/* The user's words cut at a sensible length for quoting back: at most 80
 * characters, at a space when there is one, with an ellipsis when cut. */
static void quote_cut(char *buf, size_t size, const char *s, size_t len)
{
	size_t i = 0, cps = 0, last_space = 0;
	while (i < len && cps < 80) {
		if (s[i] == ' ')
			last_space = i;
		utf8_next(s, len, &i);
		cps++;
	}
	size_t n = i;
	if (i < len && last_space > 20)
		n = last_space;
	const char *more = i < len ? "\u2026" : "";
	size_t ml = strlen(more);
	if (n + ml + 1 > size)
		n = utf8_trim(s, n, size - ml - 1);
	memcpy(buf, s, n);
	memcpy(buf + n, more, ml + 1);
}

/* What the question was understood to be about, so a "not sure" says what it
 * did get: "Secretary-General, 2011". */
static void understood(struct ctx *c, const struct analysis *an, char *buf, size_t size)
{
	size_t o = 0;
	const char *sep = c->lang == LANG_ZH ? "、" : ", ";
#define ADD(str)                                                                   \
	do {                                                                       \
		int w_ = snprintf(buf + o, size - o, "%s%s", o ? sep : "", (str));  \
		if (w_ > 0 && (size_t)w_ < size - o)                               \
			o += (size_t)w_;                                           \
	} while (0)
	buf[0] = '\0';
	if (has(an, C_SG) || has(an, C_EXEC_SEC))
		ADD(i18n(c->lang, M_WORD_SG));
	if (has(an, C_SECRETARIAT))
		ADD(i18n(c->lang, M_WORD_SECRETARIAT));
	else if (has(an, C_SCO))
		ADD(i18n(c->lang, M_WORD_SCO));
	for (size_t i = 0; i < an->npersons; i++)
		ADD(L(c, &c->f->people[an->persons[i]].name));
	for (size_t i = 0; i < an->ncountries; i++)
		ADD(L(c, &c->f->countries[an->countries[i]].short_name));
	for (size_t i = 0; i < an->nyears; i++) {
		char y[16];
		snprintf(y, sizeof(y), "%d", an->years[i]);
		ADD(y);
	}
#undef ADD
}

/* The facts do not cover the question: say so, name what was understood and
 * what was not, and offer the commands nearest to it. Never a guess. */
void eng_not_covered(struct ctx *c, const struct analysis *an, const char *text,
                     size_t len)
{
	char q[400], what[256], got[512];
	c->a->status = ANSWER_NOT_SURE;
	c->a->command = "unsure";
	if (an->nunknown) {
		/* The first few words it does not know, as typed. */
		size_t o = 0, n = an->nunknown < 3 ? an->nunknown : 3;
		for (size_t i = 0; i < n && o + 4 < sizeof(what); i++) {
			size_t l = an->unknown_len[i];
			if (!l)
				continue;
			if (o) {
				const char *sep = c->lang == LANG_ZH ? "、" : ", ";
				size_t sl = strlen(sep);
				memcpy(what + o, sep, sl);
				o += sl;
			}
			l = utf8_trim(an->unknown_buf + an->unknown_off[i], l,
			              sizeof(what) - o - 1 < 60 ? sizeof(what) - o - 1 : 60);
			memcpy(what + o, an->unknown_buf + an->unknown_off[i], l);
			o += l;
		}
		what[o] = '\0';
		quote_cut(q, sizeof(q), what, o);
		emit(c, M_NOT_COVERED_WORDS, q);
	} else {
		quote_cut(q, sizeof(q), text, len);
		emit(c, M_NOT_COVERED, q);
	}
	understood(c, an, got, sizeof(got));
	if (got[0]) {
		space(c);
		emit(c, M_UNDERSTOOD, got);
	}
	/* The commands nearest to what was understood. */
	const char *cmds[4];
	size_t nc = 0;
	bool sg = has(an, C_SG) || has(an, C_EXEC_SEC) || an->nyears || an->npersons;
	if (sg)
		cmds[nc++] = an->nyears ? "sg 2011" : "sg";
	if (sg && nc < 3)
		cmds[nc++] = "sgs";
	if ((has(an, C_OPEN) || has(an, C_ATTEND)) && nc < 3)
		cmds[nc++] = "opened";
	if (has(an, C_STAFF) && nc < 3)
		cmds[nc++] = "staff";
	if (has(an, C_DEPT) && nc < 3)
		cmds[nc++] = "departments";
	if ((has(an, C_FUNC) || has(an, C_DO)) && nc < 3)
		cmds[nc++] = "functions";
	if (nc < 3)
		cmds[nc++] = "help";
	answer_break(c->a);
	emit0(c, M_CLOSEST_COMMANDS);
	for (size_t i = 0; i < nc; i++) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "%s %s", prefix_of(c), cmds[i]);
		if (i)
			answer_text(c->a, c->lang == LANG_ZH ? "、" : ", ");
		answer_code(c->a, cmd);
	}
}

void eng_answer_unknown(struct ctx *c, const char *text, size_t len)
{
	const struct command_info *sug[3];
	char word[128], cmd[64];
	size_t wl = 0;
	while (wl < len && text[wl] != ' ' && text[wl] != '\t')
		wl++;
	user_text(word, sizeof(word), text, wl);
	size_t n = match_suggest_commands(c->e, text, wl, sug, 3);
	c->a->status = ANSWER_UNKNOWN;
	c->a->command = "unknown";
	c->a->ephemeral = true;
	emit(c, M_UNKNOWN_CMD, word);
	if (n) {
		emit0(c, M_DID_YOU_MEAN);
		for (size_t i = 0; i < n; i++) {
			if (i)
				answer_text(c->a, ", ");
			answer_code(c->a, L(c, &sug[i]->label));
		}
		answer_text(c->a, c->lang == LANG_ZH ? "？" : "?");
	}
	snprintf(cmd, sizeof(cmd), "%s help", prefix_of(c));
	emit(c, M_TRY_HELP, cmd);
}
