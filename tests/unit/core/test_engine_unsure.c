/* test_engine_unsure.c: the replies when no answer would be sure
 * (src/core/engine_unsure.c): "not sure" with the closest facts, "not
 * covered" with what was and was not understood and the nearest commands,
 * and an unknown command's suggestions. Written for the changes mutate.py
 * found no other test noticing (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

TEST(not_sure_offers_the_closest_facts)
{
	ask("secretariat");
	CHECK_CONTAINS(last_text, "I'm not sure what you mean by \u201csecretariat\u201d. The "
	                          "closest facts I have:\n\u2022 ");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	CHECK_STR(last_answer.command, "unsure");
}

TEST(not_sure_with_no_close_fact_says_what_scobot_answers)
{
	ask("tell me about it");
	CHECK_CONTAINS(last_text, "I'm not sure what you mean by \u201ctell me about it\u201d. "
	                          "I answer questions about the SCO Secretariat");
	CHECK_CONTAINS(last_text, "Try !sco help.");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
}

/* At most 80 characters are quoted back, cut at a space, with an ellipsis. */
TEST(a_long_question_is_quoted_back_cut_at_a_space)
{
	ask("the secretariat and the sco and the secretariat and the sco and the secretariat "
	    "and the sco and the secretariat");
	CHECK_CONTAINS(last_text, "by \u201cthe secretariat and the sco and the secretariat and "
	                          "the sco and the secretariat\u2026\u201d. The closest");
}

TEST(not_covered_names_the_unknown_word_what_it_understood_and_the_nearest_commands)
{
	ask("how many staff does nato have in china and russia in 2016 and 2017");
	CHECK_CONTAINS(last_text, "say nothing about \u201cnato\u201d. I understood: China, Russia, "
	                          "2016, 2017.\nClosest commands: !sco sg 2011, !sco sgs, "
	                          "!sco staff");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	CHECK_STR(last_answer.command, "unsure");
}

TEST(not_covered_lists_up_to_three_unknown_words_and_only_help)
{
	ask("nato salary weather");
	CHECK_CONTAINS(last_text, "say nothing about \u201cnato, salary, weather\u201d.\n"
	                          "Closest commands: !sco help");
	CHECK_NOT_CONTAINS(last_text, "I understood");
	CHECK_NOT_CONTAINS(last_text, "departments");
}

TEST(not_covered_offers_the_commands_of_the_topics_it_understood)
{
	ask("what does nato do at its opening ceremony");
	CHECK_CONTAINS(last_text, "\nClosest commands: !sco opened, !sco functions, !sco help");
	ask("nato departments");
	CHECK_CONTAINS(last_text, "\nClosest commands: !sco departments, !sco help");
	ask("how many staff does nato have");
	CHECK_CONTAINS(last_text, "\nClosest commands: !sco staff, !sco functions, !sco help");
}

TEST(not_covered_in_chinese_separates_with_the_enumeration_comma)
{
	ask("\u5317\u7ea6\u7684\u90e8\u95e8"); /* 北约的部门 */
	CHECK_CONTAINS(last_text, "\u201c\u5317\u3001\u7ea6\u201d"); /* “北、约” */
	CHECK_CONTAINS(last_text, "!sco departments\u3001!sco help");
}

TEST(an_unknown_command_suggests_the_closest_ones_to_the_asker_only)
{
	ask("sgx");
	CHECK_CONTAINS(last_text, "Unknown command \u201csgx\u201d. Did you mean: sg, sgs, source? "
	                          "Try !sco help.");
	CHECK_INT(last_answer.status, ANSWER_UNKNOWN);
	CHECK(last_answer.ephemeral);
	ask_in("sgx", LANG_ZH, LANG_NONE);
	CHECK_CONTAINS(last_text, "\uff1f"); /* ？ */
	CHECK_NOT_CONTAINS(last_text, "?");
}

/* The query's text need not be NUL-terminated: nothing past its length is read. */
TEST(an_unknown_command_is_read_only_up_to_the_given_length)
{
	static const char buf[] = "sgx zz\tyy";
	struct engine_query q = {buf, 3, LANG_NONE, LANG_NONE, "!sco",
	                         date_days(TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D)};
	engine_answer(test_engine(), &q, &last_answer);
	answer_render(&last_answer, RENDER_PLAIN, last_text, sizeof(last_text));
	CHECK_CONTAINS(last_text, "Unknown command \u201csgx\u201d. ");
	CHECK_NOT_CONTAINS(last_text, "zz");
}

TAP_MAIN
