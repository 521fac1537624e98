/* test_engine_sg.c: the Secretary-General answers (src/core/engine_sg.c) on the
 * days that choose between them: before the opening, between an appointment
 * and the term it begins, and past the last known term. Written for the
 * changes mutate.py found no other test noticing (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

/* The plain answer to text as asked on y-m-d. */
static const char *ask_on(const char *text, enum lang lang, int y, int m, int d)
{
	struct engine_query q = {text, strlen(text), lang, LANG_NONE, "!sco", date_days(y, m, d)};
	engine_answer(test_engine(), &q, &last_answer);
	answer_render(&last_answer, RENDER_PLAIN, last_text, sizeof(last_text));
	return last_text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static size_t items(const struct answer *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nseg_body; i++)
		n += a->seg[i].kind == SEG_ITEM;
	return n;
}

TEST(sgs_lists_every_term_as_an_item_under_its_heading)
{
	(void)ask;
	ask_on("sgs", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "Secretaries-General of the SCO, in order:\n");
	CHECK_INT(items(&last_answer), 8);
	/* Terms with days give the days; the first three only their years. */
	CHECK_CONTAINS(last_text, "Dmitry Mezentsev (Russian Federation, 1 January 2013 to "
	                          "31 December 2015)");
	CHECK_CONTAINS(last_text, "Zhang Deguang (People's Republic of China, 2004\u20132006)");
}

TEST(before_the_opening_sg_says_the_secretariat_did_not_exist_yet)
{
	ask_on("sg", LANG_NONE, 2003, 6, 1);
	CHECK_CONTAINS(last_text, "did not exist yet in 2003");
	CHECK_CONTAINS(last_text, "15 January 2004");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	CHECK_STR(last_answer.command, "sg");
}

TEST(past_the_last_known_term_sg_says_it_does_not_know_who_holds_the_post)
{
	ask_on("sg", LANG_NONE, 2028, 6, 1);
	CHECK_CONTAINS(last_text, "I don't know who the Secretary-General is today (1 June 2028)");
	CHECK_CONTAINS(last_text, "ended on 31 December 2027");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
}

TEST(a_year_asked_twice_is_answered_once)
{
	ask_on("sg 2011 2011", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_INT(count(last_text, "In 2011"), 1);
	CHECK_STR(last_answer.command, "sg");
}

TEST(at_most_four_years_are_answered_each_on_its_own_line)
{
	ask_on("sg 2004 2008 2011 2014 2017 2020", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M,
	       TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "\nIn 2008 the Secretary-General was Bolat Nurgaliyev");
	CHECK_CONTAINS(last_text, "\nIn 2011 the Secretary-General was Muratbek Imanaliev");
	CHECK_CONTAINS(last_text, "\nIn 2014 the Secretary-General was Dmitry Mezentsev");
	CHECK_NOT_CONTAINS(last_text, "In 2017");
	CHECK_NOT_CONTAINS(last_text, "In 2020");
}

/* The running term read from a year: this year on reads as held now, an
 * earlier year of the same term as the past. */
TEST(a_year_of_the_running_term_reads_as_held_from_this_year_on)
{
	ask_on("sg 2026", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "In 2026 the post is held by Nurlan Yermekbayev (Republic of "
	                          "Kazakhstan), whose term runs from 1 January 2025 to "
	                          "31 December 2027.");
	ask_on("sg 2025", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "In 2025 the Secretary-General was Nurlan Yermekbayev");
	CHECK_NOT_CONTAINS(last_text, "post is held by");
}

TEST(sg_china_keeps_the_executive_secretary_note)
{
	ask_on("sg china", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "Zhang Deguang: In 2004 his title was SCO Executive Secretary");
}

TEST(the_current_secretary_general_by_name_is_said_to_be_in_office)
{
	ask_on("sg yermekbayev", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "The Secretary-General is Nurlan Yermekbayev (Republic of "
	                          "Kazakhstan), in office since 1 January 2025");
}

TEST(an_appointed_secretary_general_by_name_has_a_term_that_runs_later)
{
	ask_on("sg yermekbayev", LANG_NONE, 2024, 8, 1);
	CHECK_CONTAINS(last_text, "The term of Nurlan Yermekbayev (Republic of Kazakhstan) runs "
	                          "from 1 January 2025 to 31 December 2027.");
	CHECK_NOT_CONTAINS(last_text, "The Secretary-General is");
}

TEST(a_name_two_secretaries_general_share_lists_both_under_a_heading)
{
	ask_on("sg zhang", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "Secretaries-General matching \u201czhang\u201d:\n\u2022 Zhang Deguang");
	CHECK_INT(items(&last_answer), 2);
}

TEST(a_successor_appointed_before_the_term_starts_is_named_with_the_appointment)
{
	ask_on("who will succeed zhang ming", LANG_NONE, 2024, 8, 1);
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev (Republic of Kazakhstan) was appointed on "
	                          "4 July 2024 to succeed Zhang Ming, taking office on "
	                          "1 January 2025.");
	CHECK_CONTAINS(last_text, "\nSources: The Astana Times (4 July 2024)");
	CHECK_STR(last_answer.command, "sg");
}

TEST(a_successor_in_office_is_not_called_appointed)
{
	ask_on("who succeeded zhang ming", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev (Republic of Kazakhstan, 1 January 2025 to "
	                          "31 December 2027) succeeded Zhang Ming");
	CHECK_NOT_CONTAINS(last_text, "appointed");
	CHECK_STR(last_answer.command, "sg");
}

TEST(the_first_secretary_general_had_no_predecessor)
{
	ask_on("who preceded zhang deguang", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "Zhang Deguang was the first head of the Secretariat: there "
	                          "was no one before.");
}

TEST(still_and_term_answers_are_dated_and_sourced)
{
	ask_on("is yermekbayev still secretary general", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M,
	       TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "Yes: Nurlan Yermekbayev is the Secretary-General");
	CHECK_CONTAINS(last_text, "As of 1 January 2025.");
	ask_on("when does yermekbayev's term end", LANG_NONE, TEST_TODAY_Y, TEST_TODAY_M,
	       TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "\nSources: The Astana Times (4 July 2024)");
	CHECK_STR(last_answer.command, "sg");
	ask_on("when does the current term end", LANG_NONE, 2028, 6, 1);
	CHECK_CONTAINS(last_text, "I don't know who the Secretary-General is today");
	CHECK_CONTAINS(last_text, "As of 1 January 2025.");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
}

/* The 25th anniversary (2029) is past every known term; the 22nd (2026) falls
 * in a term already appointed on 1 August 2024. */
TEST(an_anniversary_ahead_names_the_term_it_falls_in_or_says_it_is_unknown)
{
	ask_on("who will be sg at the twenty-fifth anniversary", LANG_NONE, TEST_TODAY_Y,
	       TEST_TODAY_M, TEST_TODAY_D);
	CHECK_CONTAINS(last_text, "The Secretariat's 25th anniversary falls on 15 January 2029; "
	                          "who will be Secretary-General then is not in my facts.");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	ask_on("who will be sg at the 22 anniversary", LANG_NONE, 2024, 8, 1);
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev");
	CHECK_CONTAINS(last_text, "15 January 2026");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(completion_without_a_language_suggests_english_names)
{
	char out[8][101];
	size_t n = engine_complete_sg(test_engine(), "nur", 3, LANG_NONE, out, 8);
	CHECK_INT(n, 2);
	CHECK_STR(out[0], "Bolat Nurgaliyev");
	CHECK_STR(out[1], "Nurlan Yermekbayev");
}

TAP_MAIN
