/* test_questions.c: plain questions, one matcher rule per test, in three languages. */
#include "tap.h"
#include "ask.h"

TEST(question_sg_in_a_year)
{
	CHECK_CONTAINS(ask("who was secretary-general in 2011?"), "Muratbek Imanaliev");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(question_when_did_it_open)
{
	CHECK_CONTAINS(ask("when did the secretariat open?"), "15 January 2004");
}

TEST(question_how_many_officials)
{
	CHECK_CONTAINS(ask("how many officials work there?"), "36");
}

TEST(question_who_represented_a_country_at_the_opening)
{
	ask("who represented Kazakhstan at the opening?");
	CHECK_CONTAINS(last_text, "Kassym-Jomart Tokayev");
	CHECK_NOT_CONTAINS(last_text, "Nurgaliyev");
}

TEST(question_who_succeeded)
{
	ask("who succeeded Rashid Alimov?");
	CHECK_CONTAINS(last_text, "Vladimir Norov");
	CHECK(strstr(last_text, "Vladimir Norov") < strstr(last_text, "Rashid Alimov"));
}

TEST(question_who_preceded)
{
	ask("who preceded Zhang Ming?");
	CHECK_CONTAINS(last_text, "Before Zhang Ming");
	CHECK_CONTAINS(last_text, "Vladimir Norov");
}

TEST(question_successor_of_the_current_one_is_none_yet)
{
	CHECK_CONTAINS(ask("who came after Nurlan Yermekbayev?"), "not name a successor yet");
	CHECK_NOT_CONTAINS(last_text, "Zhang Ming");
}

TEST(question_successor_of_zhang_ming_is_yermekbayev)
{
	ask("who came after Zhang Ming?");
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev");
	CHECK(strstr(last_text, "Nurlan Yermekbayev") < strstr(last_text, "Zhang Ming"));
}

TEST(question_what_does_the_secretariat_do)
{
	ask("what does the secretariat do?");
	CHECK_CONTAINS(last_text, "depositor");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(question_who_attended_lists_everyone_with_the_ivanov_note)
{
	ask("who attended the opening ceremony?");
	CHECK_CONTAINS(last_text, "Li Zhaoxing");
	CHECK_CONTAINS(last_text, "Sodiq Safoyev");
	CHECK_CONTAINS(last_text, "Zhang Deguang");
	CHECK_CONTAINS(last_text, "Igor Ivanov");
}

TEST(synonym_head_means_secretary_general)
{
	CHECK_CONTAINS(ask("who was the head of the SCO secretariat in 2008"), "Bolat Nurgaliyev");
}

TEST(synonym_chief_and_sg)
{
	CHECK_CONTAINS(ask("chief in 2014?"), "Dmitry Mezentsev");
	CHECK_CONTAINS(ask("who was SG in 2017"), "Rashid Alimov");
}

TEST(typos_are_tolerated)
{
	CHECK_CONTAINS(ask("who was secretery genral in 2016"), "Rashid Alimov");
	CHECK_CONTAINS(ask("how many oficials are there"), "36");
}

TEST(relation_first_secretary_general)
{
	CHECK_CONTAINS(ask("who was the first secretary general?"), "Zhang Deguang");
}

TEST(relation_current_secretary_general)
{
	CHECK_CONTAINS(ask("who is the current secretary general?"), "Nurlan Yermekbayev");
	CHECK_NOT_CONTAINS(last_text, "Zhang Ming");
}

TEST(still_question_about_a_past_holder_says_no)
{
	ask("is zhang ming still secretary general?");
	CHECK_CONTAINS(last_text, "No");
	CHECK_CONTAINS(last_text, "31 December 2024");
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev");
}

TEST(country_question_names_that_states_secretaries_general)
{
	CHECK_CONTAINS(ask("which secretary general came from Tajikistan?"), "Rashid Alimov");
}

TEST(person_question_gives_their_term)
{
	ask("tell me about Dmitry Mezentsev");
	CHECK_CONTAINS(last_text, "2013");
	CHECK_CONTAINS(last_text, "2015");
}

TEST(attendee_question_gives_their_role)
{
	CHECK_CONTAINS(ask("was Talbak Nazarov at the opening?"), "Foreign Minister");
}

TEST(question_departments)
{
	CHECK_CONTAINS(ask("what departments does it have?"), "umanitarian");
}

TEST(question_how_is_the_sg_appointed)
{
	CHECK_CONTAINS(ask("how is the secretary general appointed?"), "Heads of State Council");
}

TEST(question_congratulatory_messages)
{
	CHECK_CONTAINS(ask("who sent congratulatory messages?"), "UN Secretary-General");
}

TEST(question_renaming)
{
	CHECK_CONTAINS(ask("what was the executive secretary renamed to?"), "Secretary-General");
}

TEST(low_confidence_says_not_sure_and_offers_facts)
{
	ask("what is the weather like on mars tomorrow?");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	CHECK_CONTAINS(last_text, "not sure");
}

TEST(not_sure_echoes_user_text_as_user_text)
{
	ask("what colour is the <b>sky</b> @everyone");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	bool user_seg = false;
	for (size_t i = 0; i < last_answer.nseg; i++)
		user_seg |= last_answer.seg[i].kind == SEG_USER;
	CHECK(user_seg);
}

TEST(ranked_search_answers_a_clear_match)
{
	ask("depository of documents");
	CHECK_INT(last_answer.status, ANSWER_OK);
	CHECK_CONTAINS(last_text, "depositor");
}

TEST(ordinal_names_that_term)
{
	CHECK_CONTAINS(ask("who was the second secretary general"), "Bolat Nurgaliyev");
	CHECK_CONTAINS(ask("sg third"), "Muratbek Imanaliev");
	CHECK_CONTAINS(ask("кто был третьим генсеком?"), "Иманалиев");
	CHECK_CONTAINS(ask("第二任秘书长是谁"), "努尔加利耶夫");
}

TEST(where_is_the_secretariat_names_beijing)
{
	CHECK_CONTAINS(ask("where is the secretariat?"), "Beijing");
}

TEST(un_question_gives_the_congratulatory_messages)
{
	CHECK_CONTAINS(ask("what did the UN secretary-general send?"), "message from the UN Secretary-General");
}

TEST(several_years_get_one_line_each)
{
	ask("who was sg in 2004 and 2020");
	CHECK_CONTAINS(last_text, "Zhang Deguang");
	CHECK_CONTAINS(last_text, "Vladimir Norov");
}

TEST(greetings_get_help_and_thanks_get_a_welcome)
{
	CHECK_CONTAINS(ask("hello"), "Commands");
	CHECK_CONTAINS(ask("thanks!"), "welcome");
	CHECK_CONTAINS(ask("спасибо"), "Пожалуйста");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

/* Russian */
TEST(ru_command_gensek_2011)
{
	CHECK_CONTAINS(ask("генсек 2011"), "Иманалиев");
	CHECK_INT(last_answer.lang, LANG_RU);
}

TEST(ru_question_with_inflection)
{
	CHECK_CONTAINS(ask("кто был генсеком в 2011 году?"), "Иманалиев");
	CHECK_CONTAINS(ask("кто был генеральным секретарём в 2008 году?"), "Нургалиев");
}

TEST(ru_country_inflected)
{
	CHECK_CONTAINS(ask("генсек от Казахстана"), "Нургалиев");
}

TEST(ru_2022_names_zhang_ming_only)
{
	ask("генсек 2022");
	CHECK_NOT_CONTAINS(last_text, "Норов");
	CHECK_CONTAINS(last_text, "Чжан Мин");
}

TEST(ru_staff_and_departments)
{
	CHECK_CONTAINS(ask("сотрудники"), "36");
	CHECK_CONTAINS(ask("отделы"), "гуманитар");
}

TEST(ru_when_opened)
{
	CHECK_CONTAINS(ask("когда открылся секретариат?"), "2004");
	CHECK_CONTAINS(last_text, "По состоянию на");
}

TEST(ru_successor)
{
	CHECK_CONTAINS(ask("кто сменил Алимова?"), "Норов");
}

TEST(mixed_language_answers_in_russian)
{
	ask("SG 2016 кто?");
	CHECK_CONTAINS(last_text, "Алимов");
	CHECK_INT(last_answer.lang, LANG_RU);
}

/* Chinese */
TEST(zh_command_mishuzhang_2022)
{
	ask("秘书长 2022");
	CHECK_NOT_CONTAINS(last_text, "诺罗夫");
	CHECK_CONTAINS(last_text, "张明");
	CHECK_INT(last_answer.lang, LANG_ZH);
}

TEST(zh_question_year_without_spaces)
{
	CHECK_CONTAINS(ask("2011年的秘书长是谁？"), "伊马纳利耶夫");
}

TEST(zh_question_country)
{
	CHECK_CONTAINS(ask("哈萨克斯坦的秘书长是谁"), "努尔加利耶夫");
}

TEST(zh_staff_departments_opening)
{
	CHECK_CONTAINS(ask("职员"), "36");
	CHECK_CONTAINS(ask("部门"), "人文");
	CHECK_CONTAINS(ask("秘书处什么时候成立的？"), "2004年1月15日");
}

TEST(zh_current)
{
	CHECK_CONTAINS(ask("现任秘书长是谁"), "努尔兰·叶尔梅克巴耶夫");
	CHECK_NOT_CONTAINS(last_text, "张明");
}

TEST(room_language_applies_to_latin_text)
{
	CHECK_CONTAINS(ask_in("sg 2011", LANG_NONE, LANG_RU), "Иманалиев");
	CHECK_CONTAINS(ask_in("sg 2011", LANG_ZH, LANG_RU), "伊马纳利耶夫");
}

TEST(forced_language_wins_over_the_script)
{
	CHECK_CONTAINS(ask_in("генсек 2011", LANG_EN, LANG_NONE), "Muratbek Imanaliev");
}

TAP_MAIN
