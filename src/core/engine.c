/* engine.c: the engine's entry points; routes a message to a command or a
 * question and decides which reading a question has. Every claim in an answer
 * comes from the fact table, and nothing here does I/O. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

/* --- Questions ------------------------------------------------------------------- */

static const struct fact_attendee *attendee_in(struct ctx *c, const struct analysis *an)
{
	for (size_t k = 0; k < an->ncountries; k++) {
		const struct fact_attendee *at =
			facts_attendee_of_country(c->f, &c->f->countries[an->countries[k]]);
		if (at)
			return at;
	}
	return NULL;
}

static bool only_small_talk(const struct analysis *an)
{
	uint64_t talk = (1ull << C_HELLO) | (1ull << C_THANKS) | (1ull << C_SECRETARIAT) |
			(1ull << C_SCO) |
			(1ull << C_SG) | (1ull << C_HELP);
	return (an->concepts & ~talk) == 0 && !an->nyears && !an->ncountries && !an->npersons &&
	       (has(an, C_HELLO) || has(an, C_THANKS));
}

static void answer_welcome(struct ctx *c)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s help", prefix_of(c));
	c->a->command = "thanks";
	emit(c, M_WELCOME, cmd);
}

/* Decides what a plain question asks, from the ideas and entities in it. The
 * order matters: the most specific reading wins. */
static void answer_question(struct ctx *c, const char *text, size_t len)
{
	struct analysis *an = xmalloc(sizeof(*an));
	match_analyze(c->e, text, len, an);
	const struct fact_sg *v[SG_LIST_MAX];
	size_t nsg = eng_sg_persons(c, an, v, SG_LIST_MAX);
	bool sg = has(an, C_SG) || has(an, C_EXEC_SEC);
	bool opening = has(an, C_OPEN) || has(an, C_ATTEND);
	bool term = has(an, C_TERM);
	int anniv = has(an, C_ANNIV) ? when_anniversary_number(text, len) : 0;
	bool relation = has(an, C_SUCC) || has(an, C_PREC);

	if (an->ntok == 0 || (only_small_talk(an) && !has(an, C_THANKS))) {
		eng_answer_help(c, NULL, 0, LANG_NONE);
	} else if (only_small_talk(an)) {
		answer_welcome(c);
	} else if (an->nunknown) {
		/* A word that is neither part of what the facts cover nor a function
		 * word (NATO, salary, weather): answering would be a guess. */
		eng_not_covered(c, an, text, len);
	} else if (has(an, C_UN) && !has(an, C_MESSAGE)) {
		/* The facts know the UN only as the sender of a message in 2004. */
		eng_not_covered(c, an, text, len);
	} else if (has(an, C_MINISTER) && !opening) {
		/* Ministers are known only as guests at the opening. */
		eng_not_covered(c, an, text, len);
	} else if (an->npersons && (has(an, C_DO) || has(an, C_FUNC)) && !has(an, C_SECRETARIAT) &&
		   !term && !has(an, C_END) && !has(an, C_WHEN) && !sg) {
		/* What a person did besides holding the post is not in the facts. */
		eng_not_covered(c, an, text, len);
	} else if (an->npersons && has(an, C_LENGTH) && !sg && !term) {
		/* "How old is Zhang Ming?" ("сколько лет Чжан Мину"). */
		eng_not_covered(c, an, text, len);
	} else if (has(an, C_OPEN) && has(an, C_SCO) && !has(an, C_SECRETARIAT) && !sg &&
		   !has(an, C_ATTEND)) {
		/* The SCO's own founding (2001) is not the Secretariat's opening. */
		eng_not_covered(c, an, text, len);
	} else if (has(an, C_MEMBERS) && !sg && !has(an, C_STAFF) && !has(an, C_APPOINT) &&
		   !has(an, C_REPR) && !opening) {
		/* Which states are members, and since when, is not in the facts. */
		eng_not_covered(c, an, text, len);
	} else if (has(an, C_EVENT)) {
		/* "What happened on 15 January 2004?": the one event with a day. */
		bool opening_day = false;
		for (size_t i = 0; i < an->nyears; i++)
			opening_day |= an->years[i] == c->f->opening.year;
		if (opening_day)
			eng_answer_attendees(c, true);
		else
			eng_not_covered(c, an, text, len);
	} else if (anniv > 0 && anniv <= 100) {
		eng_answer_anniversary(c, anniv);
	} else if (has(an, C_ANNIV)) {
		ANSWER_FACTS(c, "opened", "secretariat.anniversaries");
	} else if (nsg && has(an, C_STILL)) {
		eng_answer_still(c, v[nsg - 1]);
	} else if (nsg && has(an, C_RENEW)) {
		eng_answer_term(c, v[nsg - 1]);
	} else if ((term || sg) && (has(an, C_RENEW) || (has(an, C_LENGTH) && !nsg))) {
		eng_answer_office(c);
	} else if (has(an, C_ROTATE)) {
		ANSWER_FACTS(c, "sg", "sg.term");
	} else if (has(an, C_CITY) && (has(an, C_SECRETARIAT) || has(an, C_SCO)) && !sg &&
		   !opening) {
		/* "Is the Secretariat in Moscow?" */
		ANSWER_FACTS(c, "opened", "secretariat.seat");
	} else if (has(an, C_MESSAGE) && !nsg) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_MINISTER)) {
		eng_answer_attendees(c, false);
	} else if (sg && has(an, C_OPEN) && !an->nyears && !nsg && !has(an, C_ATTEND)) {
		/* "Who was secretary-general when the Secretariat opened?" */
		eng_answer_first(c);
	} else if (!an->nyears && !relation &&
		   ((term && (has(an, C_END) || has(an, C_WHEN) || has(an, C_CURRENT) || sg || nsg)) ||
		    (has(an, C_END) && (sg || nsg)))) {
		eng_answer_term(c, nsg ? v[nsg - 1] : NULL);
	} else if ((sg || nsg) && has(an, C_APPOINT) &&
		   (nsg || ((has(an, C_WHEN) || has(an, C_WHERE)) && !has(an, C_WHO)))) {
		eng_answer_appointed(c, nsg ? v[nsg - 1] : NULL);
	} else if (nsg && relation) {
		eng_answer_relation(c, v[nsg - 1], has(an, C_SUCC));
	} else if (sg && relation && !an->nyears && !an->ncountries && !an->npersons) {
		eng_answer_relation_now(c, has(an, C_SUCC));
	} else if (an->npersons && opening && !sg) {
		const struct fact_attendee *at =
			facts_attendee_of_person(c->f, &c->f->people[an->persons[0]]);
		if (at) {
			eng_answer_person_attended(c, at);
			eng_as_of(c);
		} else if (nsg) {
			eng_answer_sg_persons(c, v, nsg, text, len);
		} else {
			eng_answer_attendees(c, false);
		}
	} else if (sg && an->nyears == 1 && has(an, C_STILL) && has(an, C_LIST)) {
		/* "2004年至今的秘书长有哪些": everyone from that year to now. */
		eng_answer_sg_list(c, false);
	} else if (an->nyears && (sg || has(an, C_WHO) || !opening) && !has(an, C_OPEN)) {
		eng_answer_sg_years(c, an->years, an->nyears);
	} else if (an->ncountries && (has(an, C_OPEN) || (has(an, C_ATTEND) && !sg)) &&
		   attendee_in(c, an)) {
		eng_answer_attendee_of_country(c, attendee_in(c, an));
	} else if (an->ncountries && (sg || has(an, C_WHO))) {
		eng_answer_sg_country(c, &c->f->countries[an->countries[0]]);
	} else if (nsg) {
		eng_answer_sg_persons(c, v, nsg, text, len);
	} else if (an->npersons) {
		const struct fact_attendee *at =
			facts_attendee_of_person(c->f, &c->f->people[an->persons[0]]);
		if (at) {
			eng_answer_person_attended(c, at);
			eng_as_of(c);
		} else {
			eng_not_sure(c, an, text, len);
		}
	} else if (sg && eng_ordinal(an) && eng_ordinal(an) <= c->f->n_sgs) {
		const struct fact_sg *nth = &c->f->sgs[eng_ordinal(an) - 1];
		eng_answer_sg_persons(c, &nth, 1, "", 0);
	} else if (has(an, C_UN)) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_WHERE) && has(an, C_OPEN)) {
		ANSWER_FACTS(c, "opened", "opening.ceremony");
	} else if ((has(an, C_WHERE) || has(an, C_LOCATED) || has(an, C_HOST)) && !sg) {
		ANSWER_FACTS(c, "opened", "secretariat.seat");
	} else if (sg && has(an, C_APPOINT)) {
		ANSWER_FACTS(c, "appointment", "sg.appointment");
	} else if (has(an, C_RENAME) || (has(an, C_EXEC_SEC) && !has(an, C_FIRST))) {
		ANSWER_FACTS(c, "sg", "sg.renamed");
	} else if (sg && has(an, C_FIRST)) {
		eng_answer_first(c);
	} else if (sg && (has(an, C_LIST) || has(an, C_COUNT_WORD) || has(an, C_PLURAL))) {
		eng_answer_sg_list(c, has(an, C_COUNT_WORD));
	} else if (sg && !has(an, C_STAFF) && !has(an, C_DEPT) && !has(an, C_FUNC) &&
		   !has(an, C_REPR) && !has(an, C_MESSAGE)) {
		eng_answer_sg_current(c);
	} else if (has(an, C_ATTEND) || (has(an, C_OPEN) && has(an, C_WHO))) {
		eng_answer_attendees(c, false);
	} else if (has(an, C_MESSAGE)) {
		ANSWER_FACTS(c, "opened", "opening.messages");
	} else if (has(an, C_OPEN)) {
		ANSWER_FACTS(c, "opened", "opening.ceremony");
	} else if (has(an, C_DEPT)) {
		eng_answer_departments(c);
	} else if (has(an, C_REPR)) {
		ANSWER_FACTS(c, "representatives", "representatives");
	} else if (has(an, C_STAFF) || (has(an, C_COUNT_WORD) && has(an, C_WORK))) {
		ANSWER_FACTS(c, "staff", "staff.officials", "staff.technical");
	} else if (has(an, C_FUNC) || (has(an, C_DO) && !has(an, C_COUNT_WORD) &&
	                                (has(an, C_SECRETARIAT) || has(an, C_SCO)))) {
		eng_answer_functions(c);
	} else if (has(an, C_APPOINT)) {
		ANSWER_FACTS(c, "appointment", "sg.appointment");
	} else if (has(an, C_SOURCE)) {
		eng_answer_source(c);
	} else if (has(an, C_HELP)) {
		eng_answer_help(c, NULL, 0, LANG_NONE);
	} else {
		/* No reading fits: search, and answer only a clear, well-covered hit. */
		struct hit h[2];
		size_t n = match_search(c->e, an, h, 2);
		if (n && h[0].coverage >= 0.6 && an->ncontent >= 1 &&
		    (n == 1 || h[0].score >= 1.5 * h[1].score))
			eng_doc_answer(c, &c->e->docs[h[0].doc]);
		else
			eng_not_sure(c, an, text, len);
	}
	free(an);
}

/* --- Commands ----------------------------------------------------------------------- */

static void run_command(struct ctx *c, const struct command_info *ci, const char *arg,
                        size_t len, enum lang room_lang)
{
	const char *n = ci->name;
	if (!strcmp(n, "help"))
		eng_answer_help(c, arg, len, room_lang);
	else if (!strcmp(n, "about"))
		eng_answer_about(c);
	else if (!strcmp(n, "source"))
		eng_answer_source(c);
	else if (!strcmp(n, "sg"))
		eng_answer_sg_command(c, arg, len);
	else if (!strcmp(n, "sgs"))
		eng_answer_sg_list(c, false);
	else if (!strcmp(n, "opened"))
		eng_answer_attendees(c, true);
	else if (!strcmp(n, "attendees"))
		eng_answer_attendees(c, false);
	else if (!strcmp(n, "staff"))
		ANSWER_FACTS(c, "staff", "staff.officials", "staff.technical");
	else if (!strcmp(n, "departments"))
		eng_answer_departments(c);
	else if (!strcmp(n, "functions"))
		eng_answer_functions(c);
	else if (!strcmp(n, "appointment"))
		ANSWER_FACTS(c, "appointment", "sg.appointment", "sg.renamed");
	else if (!strcmp(n, "representatives"))
		ANSWER_FACTS(c, "representatives", "representatives");
	else if (!strcmp(n, "search")) {
		if (len)
			eng_answer_search(c, arg, len);
		else
			eng_answer_usage(c, ci);
	} else if (!strcmp(n, "fact")) {
		if (len)
			eng_answer_fact(c, arg, len);
		else
			eng_answer_usage(c, ci);
	} else if (!strcmp(n, "lang"))
		eng_answer_lang(c, arg, len, room_lang);
	else if (!strcmp(n, "ask")) {
		if (len)
			answer_question(c, arg, len);
		else
			eng_answer_usage(c, ci);
	}
}

/* --- Public ------------------------------------------------------------------------- */

struct engine *engine_new(const struct facts *facts)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	e->facts = facts;
	match_build(e);
	eng_build_sg_text(e);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	arena_free(&e->arena);
	free(e);
}

const struct facts *engine_facts(const struct engine *e)
{
	return e->facts;
}

enum lang engine_query_lang(const struct engine_query *q)
{
	if (q->lang >= 0 && q->lang < LANG_COUNT)
		return q->lang;
	size_t len = q->len < ENGINE_MAX_INPUT ? q->len : ENGINE_MAX_INPUT;
	enum lang l = q->text ? lang_detect(q->text, len) : LANG_EN;
	if (l == LANG_EN && q->room_lang >= 0 && q->room_lang < LANG_COUNT)
		return q->room_lang;
	return l;
}

bool engine_strip_prefix(const char *prefix, const char *text, size_t len, size_t *ret_rest)
{
	size_t pl = strlen(prefix);
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (pl == 0 || len - i < pl || strncasecmp(text + i, prefix, pl) != 0)
		return false;
	i += pl;
	if (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
		return false;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
		i++;
	*ret_rest = i;
	return true;
}

void engine_answer(const struct engine *e, const struct engine_query *q, struct answer *out)
{
	struct ctx c = {e, e->facts, out, engine_query_lang(q), q->prefix, q->today, false};
	const char *text = q->text ? q->text : "";
	size_t len = q->text ? q->len : 0;
	if (len > ENGINE_MAX_INPUT)
		len = utf8_trim(text, len, ENGINE_MAX_INPUT);
	/* Leading and trailing white space carries nothing. */
	while (len && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n' || text[0] == '\r')) {
		text++;
		len--;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
		       text[len - 1] == '\r'))
		len--;

	answer_init(out, c.lang);
	if (len == 0) {
		eng_answer_help(&c, NULL, 0, q->room_lang);
		answer_end_body(out);
		return;
	}
	size_t rest = 0;
	const struct command_info *ci = match_command(e, text, len, &rest);
	/* The command word itself may be a plural ("генсеки"). */
	if (ci && !strcmp(ci->name, "sg"))
		c.plural = match_plural_head(text, rest);
	if (ci && (ci->arg || rest >= len)) {
		run_command(&c, ci, text + rest, len - rest, q->room_lang);
	} else {
		/* A lone unknown word reads as a mistyped command; anything longer is
		 * a question. */
		bool one_word = !memchr(text, ' ', len) && !memchr(text, '\t', len);
		bool han = lang_detect(text, len) == LANG_ZH;
		struct analysis *an = NULL;
		if (one_word && !han) {
			an = xmalloc(sizeof(*an));
			match_analyze(e, text, len, an);
		}
		if (an && an->recognised == 0 && an->nterms <= 1)
			eng_answer_unknown(&c, text, len);
		else
			answer_question(&c, text, len);
		free(an);
	}
	if (out->nseg_body == 0 || out->nseg_body > out->nseg)
		answer_end_body(out);
}
