/* test_engine_emit.c: how every answer is written (src/core/engine_emit.c):
 * where the "as of" line goes, how a note names its subject, and which form
 * of a date the sources and "as of" lines take. Written for the changes
 * mutate.py found no other test noticing (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

static const char *ask_on(const char *text, enum lang lang, int y, int m, int d)
{
	struct engine_query q = {text, strlen(text), lang, LANG_NONE, "!sco", date_days(y, m, d)};
	engine_answer(test_engine(), &q, &last_answer);
	answer_render(&last_answer, RENDER_PLAIN, last_text, sizeof(last_text));
	return last_text;
}

/* After a list the date goes on a line of its own; after a sentence it
 * follows on the same line, one space apart. */
TEST(as_of_follows_a_sentence_but_not_a_list)
{
	CHECK_CONTAINS(ask("sgs"), "(10 December 2024).\nAs of 1 January 2025.");
	CHECK_CONTAINS(ask("sg 2011"), "(Kyrgyz Republic, 2010\u20132012). As of 1 January 2025.");
}

TEST(a_note_in_a_list_names_its_subject)
{
	CHECK_CONTAINS(ask("sgs"), "\nZhang Deguang: In 2004 his title was SCO Executive Secretary");
	ask_in("sgs", LANG_ZH, LANG_NONE);
	CHECK_CONTAINS(last_text, "\n\u5f20\u5fb7\u5e7f\uff1a"); /* 张德广： */
	CHECK_NOT_CONTAINS(last_text, "\u5f20\u5fb7\u5e7f: ");
}

/* Russian puts a month alone in the nominative where it stands by itself
 * ("июнь 2012 года", "по состоянию на январь 2007 года"), never the genitive
 * that follows a preposition of time ("с января 2007 года"). */
TEST(russian_month_dates_in_sources_and_as_of_are_nominative)
{
	ask_in("sg mezentsev", LANG_RU, LANG_NONE);
	CHECK_CONTAINS(last_text, "Caravan.kz (citing RIA Novosti) (\u0438\u044e\u043d\u044c 2012 "
	                          "\u0433\u043e\u0434\u0430)"); /* июнь 2012 года */
	ask_on("sg", LANG_RU, 2008, 6, 1);
	/* "в должности с января 2007 года ... По состоянию на январь 2007 года." */
	CHECK_CONTAINS(last_text, "\u0441 \u044f\u043d\u0432\u0430\u0440\u044f 2007");
	CHECK_CONTAINS(last_text, "\u043d\u0430 \u044f\u043d\u0432\u0430\u0440\u044c 2007 "
	                          "\u0433\u043e\u0434\u0430.");
}

TAP_MAIN
