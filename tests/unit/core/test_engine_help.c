/* test_engine_help.c: the answers about scobot itself (src/core/engine_help.c):
 * help and usage, about, source and lang, on the days that change what they
 * say. Written for the changes mutate.py found no other test noticing
 * (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

static const char *ask_on(const char *text, enum lang lang, int y, int m, int d)
{
	struct engine_query q = {text, strlen(text), lang, LANG_NONE, "!sco", date_days(y, m, d)};
	engine_answer(test_engine(), &q, &last_answer);
	answer_render(&last_answer, RENDER_PLAIN, last_text, sizeof(last_text));
	return last_text;
}

static size_t items(const struct answer *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nseg_body; i++)
		n += a->seg[i].kind == SEG_ITEM;
	return n;
}

TEST(a_command_without_its_argument_shows_its_usage_to_the_asker_only)
{
	ask("search");
	CHECK_STR(last_text, "Usage: !sco search <words>");
	CHECK_INT(last_answer.status, ANSWER_USAGE);
	CHECK(last_answer.ephemeral);
}

TEST(help_lists_one_command_a_line_between_its_head_and_footer)
{
	ask("help");
	CHECK_STR(last_answer.command, "help");
	CHECK(last_answer.ephemeral);
	size_t ncommands;
	commands_list(&ncommands);
	CHECK_INT(items(&last_answer), ncommands);
	CHECK_CONTAINS(last_text, "(knowledge as of 1 January 2025). Commands:\n\u2022 !sco help "
	                          "[command] \u2014 This list, or help on one command\n\u2022 !sco "
	                          "about \u2014 ");
	CHECK_CONTAINS(last_text, "in your own words\nOr just ask: \u201cwho was "
	                          "secretary-general in 2011?\u201d\nAnswer language here: "
	                          "English (change it with !sco lang ru).");
}

/* The footer names the room's language, not the one forced for this answer. */
TEST(help_names_the_rooms_language)
{
	ask_in("help", LANG_EN, LANG_RU);
	CHECK_CONTAINS(last_text, "Answer language here: Russian");
	CHECK_CONTAINS(ask("lang"), "Answer language here: English.");
	CHECK_STR(last_answer.command, "lang");
}

/* Russian puts a month standing for itself in the nominative:
 * "сведения на январь 2007 года". */
TEST(help_and_source_date_the_facts_in_the_russian_nominative)
{
	ask_on("help", LANG_RU, 2008, 6, 1);
	CHECK_CONTAINS(last_text, "\u043d\u0430 \u044f\u043d\u0432\u0430\u0440\u044c 2007 "
	                          "\u0433\u043e\u0434\u0430"); /* на январь 2007 года */
	ask_on("source", LANG_RU, 2008, 6, 1);
	CHECK_CONTAINS(last_text, "\u043d\u0430 \u044f\u043d\u0432\u0430\u0440\u044c 2007 "
	                          "\u0433\u043e\u0434\u0430");
	CHECK_STR(last_answer.command, "source");
	CHECK_CONTAINS(last_text, "!sco fact sg.term.");
}

/* About names the newest source published by the day asked, never a later one. */
TEST(about_counts_the_facts_and_names_the_newest_source_published_by_today)
{
	ask("about");
	CHECK_STR(last_answer.command, "about");
	CHECK_CONTAINS(last_text, "from 32 facts and 21 sources");
	CHECK_CONTAINS(last_text, "source: China News Service (17 January 2025).");
	ask_on("about", LANG_NONE, 2024, 8, 1);
	CHECK_CONTAINS(last_text, "Its newest fact dates from 4 July 2024");
	CHECK_CONTAINS(last_text, "source: The Astana Times (4 July 2024).");
	ask_on("about", LANG_NONE, 2005, 6, 1);
	CHECK_CONTAINS(last_text, "Its newest fact dates from 15 January 2004");
	CHECK_CONTAINS(last_text, "; source: SCO Secretariat. Ask in");
	ask_on("about", LANG_RU, 2013, 6, 1);
	/* "источник: Caravan.kz (citing RIA Novosti) (июнь 2012 года)" */
	CHECK_CONTAINS(last_text, "(citing RIA Novosti) (\u0438\u044e\u043d\u044c 2012 "
	                          "\u0433\u043e\u0434\u0430).");
}

TEST(lang_sets_the_room_language_and_answers_in_it)
{
	ask("lang ru");
	CHECK_INT(last_answer.action, ACTION_SET_LANG);
	CHECK_INT(last_answer.action_lang, LANG_RU);
	CHECK_INT(last_answer.lang, LANG_RU);
	char q[64] = "lang ";
	memset(q + 5, 'x', 40);
	q[45] = '\0';
	ask(q);
	CHECK_STR(last_text, "Usage: !sco lang [en | ru | zh]");
	CHECK_INT(last_answer.status, ANSWER_USAGE);
}

TAP_MAIN
