/* test_engine_search.c: finding facts by words (`search`) and by id (`fact`)
 * (src/core/engine_search.c): the hit lines, their notes and sources, and how
 * an id is read. Written for the changes mutate.py found no other test
 * noticing (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

static size_t items(const struct answer *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nseg_body; i++)
		n += a->seg[i].kind == SEG_ITEM;
	return n;
}

/* The query text with an explicit length, so bytes past it can be planted. */
static const char *ask_len(const char *text, size_t len)
{
	struct engine_query q = {text, len, LANG_NONE, LANG_NONE, "!sco",
	                         date_days(TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D)};
	engine_answer(test_engine(), &q, &last_answer);
	answer_render(&last_answer, RENDER_PLAIN, last_text, sizeof(last_text));
	return last_text;
}

/* One line per hit (a fact with its id, a term, an attendee with or without
 * a country), then the hits' sources, then the date. */
TEST(search_lists_each_kind_of_hit_then_their_sources)
{
	(void)ask_in;
	ask("search zhang ming");
	CHECK_STR(last_answer.command, "search");
	CHECK_INT(last_answer.status, ANSWER_OK);
	CHECK_INT(items(&last_answer), 3);
	CHECK_STR(last_text,
	          "Facts matching \u201czhang ming\u201d:\n"
	          "\u2022 Zhang Ming (People's Republic of China) was Secretary-General of the "
	          "SCO, 1 January 2022 to 31 December 2024.\n"
	          "\u2022 The Secretariat marked its 10th anniversary in 2014, under "
	          "Secretary-General Dmitry Mezentsev, and its 20th on 15 January 2024, under "
	          "Secretary-General Zhang Ming. secretariat.anniversaries\n"
	          "\u2022 Zhang Deguang, SCO Executive Secretary\n"
	          "Sources: SCO Secretariat (16 January 2024); Hindustan Times (5 January 2022); "
	          "Press Trust of India (Devdiscourse) (5 January 2022); Beijing Review (China "
	          "Daily) (6 January 2022).\n"
	          "As of 1 January 2025.");
}

/* A search result must not drop the notes that correct its hits. */
TEST(search_keeps_the_note_and_sources_of_every_hit)
{
	ask("search ivanov norov");
	CHECK_CONTAINS(last_text, "\u2022 Sergei Ivanov, Foreign Minister, Russian Federation\n");
	CHECK_CONTAINS(last_text, "\nEditorial note: the source names Sergei Ivanov");
	CHECK_CONTAINS(last_text, "\nEditorial note: the anniversary article gives his term");
	/* Every hit's sources, not only the first one's. */
	CHECK_CONTAINS(last_text, "\nSources: SCO Secretariat (16 January 2024); Associated Press "
	                          "of Pakistan (25 January 2019); Kapital.kz");
}

TEST(a_search_that_finds_nothing_says_so_and_is_not_sure)
{
	ask("search bananas");
	CHECK_STR(last_text, "No fact matches \u201cbananas\u201d.");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
}

TEST(fact_shows_the_text_the_quoted_source_sentence_the_sources_and_the_date)
{
	ask("fact sg.renamed");
	CHECK_STR(last_answer.command, "fact");
	CHECK_STR(last_text,
	          "The position of SCO Executive Secretary was later transformed into that of "
	          "SCO Secretary-General.\n"
	          "Source: \u201cOn this occasion, the first SCO Executive Secretary (the position "
	          "was later transformed into the SCO Secretary-General) received congratulatory "
	          "messages from the heads of the SCO member states and a message from the UN "
	          "Secretary-General.\u201d\n"
	          "Sources: SCO Secretariat (16 January 2024). As of 1 January 2025.");
}

TEST(fact_ids_are_read_in_any_case_and_only_to_the_first_space)
{
	CHECK_CONTAINS(ask("fact DEPARTMENTS"), "six departments");
	CHECK_STR(last_answer.command, "fact");
	CHECK_CONTAINS(ask("fact Sg.Term"), "single three-year term");
	CHECK_CONTAINS(ask("fact sg.term extra words"), "single three-year term");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

/* The query's text need not be NUL-terminated: the id ends at its length. */
TEST(a_fact_id_is_read_only_up_to_the_given_length)
{
	static const char buf[] = "fact sg.termXYZ";
	ask_len(buf, 12);
	CHECK_CONTAINS(last_text, "single three-year term");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(an_unknown_or_overlong_fact_id_points_to_search)
{
	ask("fact nope");
	CHECK_STR(last_text, "No fact has the id \u201cnope\u201d. Try !sco search.");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	char q[400] = "fact ";
	memset(q + 5, 'x', 300);
	q[305] = '\0';
	ask(q);
	CHECK_CONTAINS(last_text, "No fact has the id \u201cxxxxxxxx");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
}

TAP_MAIN
