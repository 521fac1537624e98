/* test_engine.c: every command and its edge cases, against the built-in facts. */
#include "tap.h"
#include "ask.h"

/* On the tests' today (6 December 2026) Zhang Ming's term has ended. */
TEST(sg_alone_names_the_current_secretary_general)
{
	CHECK_CONTAINS(ask("sg"), "Nurlan Yermekbayev");
	CHECK_CONTAINS(last_text, "31 December 2027");
	CHECK_NOT_CONTAINS(last_text, "Zhang Ming");
	CHECK_NOT_CONTAINS(last_text, "Norov");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(sg_2011_is_imanaliev)
{
	CHECK_CONTAINS(ask("sg 2011"), "Muratbek Imanaliev");
	CHECK_NOT_CONTAINS(last_text, "Nurgaliyev");
}

/* Norov served to 31 December 2021; the article's "2019-2022" is not a
 * shared year. */
TEST(sg_2022_names_zhang_ming_only)
{
	ask("sg 2022");
	CHECK_CONTAINS(last_text, "Zhang Ming");
	CHECK_NOT_CONTAINS(last_text, "Norov");
	CHECK_INT(last_answer.status, ANSWER_OK);
	CHECK_CONTAINS(ask("sg 2021"), "Vladimir Norov");
	CHECK_NOT_CONTAINS(last_text, "Zhang Ming");
}

TEST(sg_1999_says_it_did_not_exist_and_when_it_opened)
{
	ask("sg 1999");
	CHECK_CONTAINS(last_text, "did not exist yet");
	CHECK_CONTAINS(last_text, "15 January 2004");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(sg_2004_is_zhang_deguang_with_the_executive_secretary_note)
{
	ask("sg 2004");
	CHECK_CONTAINS(last_text, "Zhang Deguang");
	CHECK_CONTAINS(last_text, "Executive Secretary");
}

/* Past the last known term the answer says it does not know, names the last
 * term and its end, and dates itself by the newest known event. */
TEST(sg_after_the_last_known_term_says_it_does_not_know)
{
	ask("sg 2030");
	CHECK_CONTAINS(last_text, "2030");
	CHECK_CONTAINS(last_text, "don't know");
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev");
	CHECK_CONTAINS(last_text, "31 December 2027");
	CHECK_CONTAINS(last_text, "As of 1 January 2025");
	CHECK_NOT_CONTAINS(last_text, "Zhang Ming");
	CHECK(last_answer.status != ANSWER_OK);
}

TEST(sg_in_a_later_year_of_the_current_term)
{
	CHECK_CONTAINS(ask("sg 2027"), "Nurlan Yermekbayev");
	CHECK_CONTAINS(ask("sg 2025"), "Nurlan Yermekbayev");
	CHECK_CONTAINS(ask("sg 2024"), "Zhang Ming");
}

TEST(sg_kazakhstan_is_nurgaliyev_and_yermekbayev)
{
	CHECK_CONTAINS(ask("sg kazakhstan"), "Bolat Nurgaliyev");
	CHECK_CONTAINS(last_text, "Nurlan Yermekbayev");
	CHECK(strstr(last_text, "Bolat Nurgaliyev") < strstr(last_text, "Nurlan Yermekbayev"));
	CHECK_NOT_CONTAINS(last_text, "Imanaliev");
}

TEST(sg_china_names_zhang_deguang_and_zhang_ming)
{
	ask("sg china");
	CHECK_CONTAINS(last_text, "Zhang Deguang");
	CHECK_CONTAINS(last_text, "Zhang Ming");
	CHECK_NOT_CONTAINS(last_text, "Norov");
}

TEST(sg_prc_means_china)
{
	CHECK_CONTAINS(ask("sg PRC"), "Zhang Deguang");
}

TEST(sg_demonym_russian_is_mezentsev)
{
	CHECK_CONTAINS(ask("sg russian"), "Dmitry Mezentsev");
}

TEST(sg_kyrgyzstan_and_kyrgyz_republic_are_the_same_state)
{
	CHECK_CONTAINS(ask("sg kyrgyzstan"), "Muratbek Imanaliev");
	CHECK_CONTAINS(ask("sg Kyrgyz Republic"), "Muratbek Imanaliev");
	CHECK_CONTAINS(ask("sg kyrgyz"), "Muratbek Imanaliev");
}

TEST(sg_name_fragment_norov)
{
	ask("sg Norov");
	CHECK_CONTAINS(last_text, "Vladimir Norov");
	CHECK_CONTAINS(last_text, "2019");
}

TEST(sg_name_fragment_zhang_lists_both)
{
	ask("sg zhang");
	CHECK_CONTAINS(last_text, "Zhang Deguang");
	CHECK_CONTAINS(last_text, "Zhang Ming");
}

TEST(sg_unknown_argument_says_what_it_accepts)
{
	ask("sg bananas");
	CHECK_INT(last_answer.status, ANSWER_USAGE);
	CHECK_CONTAINS(last_text, "bananas");
	CHECK_CONTAINS(last_text, "!sco sg");
}

TEST(sg_first_is_zhang_deguang)
{
	CHECK_CONTAINS(ask("sg first"), "Zhang Deguang");
}

TEST(sgs_lists_all_eight_in_order)
{
	const char *names[] = {"Zhang Deguang", "Bolat Nurgaliyev", "Muratbek Imanaliev",
	                       "Dmitry Mezentsev", "Rashid Alimov", "Vladimir Norov", "Zhang Ming",
	                       "Nurlan Yermekbayev"};
	ask("sgs");
	const char *prev = last_text;
	for (size_t i = 0; i < 8; i++) {
		const char *at = strstr(last_text, names[i]);
		CHECK(at != NULL);
		CHECK(at >= prev);
		if (at)
			prev = at;
	}
	CHECK_INT(last_answer.nfield, 8);
}

TEST(staff_says_36_officials_and_technical_staff)
{
	ask("staff");
	CHECK_CONTAINS(last_text, "36");
	CHECK_CONTAINS(last_text, "quota");
	CHECK_CONTAINS(last_text, "technical");
}

TEST(departments_lists_all_six)
{
	const char *d[] = {"olitical", "conomic", "umanitarian", "nformation and analytical",
	                   "dministrative and legal", "nternational relations"};
	ask("departments");
	for (size_t i = 0; i < 6; i++)
		CHECK_CONTAINS(last_text, d[i]);
}

TEST(functions_lists_the_five_kinds_of_work)
{
	ask("functions");
	CHECK_CONTAINS(last_text, "depositor");
	CHECK_CONTAINS(last_text, "legal");
	CHECK_CONTAINS(last_text, "observer");
	size_t items = 0;
	for (size_t i = 0; i < last_answer.nseg_body; i++)
		items += last_answer.seg[i].kind == SEG_ITEM;
	CHECK_INT(items, 5);
}

TEST(opened_gives_date_place_and_attendees)
{
	ask("opened");
	CHECK_CONTAINS(last_text, "15 January 2004");
	CHECK_CONTAINS(last_text, "Beijing");
	CHECK_CONTAINS(last_text, "Li Zhaoxing");
}

TEST(attendees_are_six_ministers_and_the_executive_secretary_with_the_ivanov_note)
{
	const char *who[] = {"Li Zhaoxing", "Kassym-Jomart Tokayev", "Askar Aitmatov",
	                     "Sergei Ivanov", "Talbak Nazarov", "Sodiq Safoyev", "Zhang Deguang"};
	ask("attendees");
	for (size_t i = 0; i < 7; i++)
		CHECK_CONTAINS(last_text, who[i]);
	CHECK_CONTAINS(last_text, "Igor Ivanov");
}

TEST(appointment_explains_proposal_and_approval)
{
	ask("appointment");
	CHECK_CONTAINS(last_text, "Heads of State Council");
	CHECK_CONTAINS(last_text, "Council of Ministers of Foreign Affairs");
}

TEST(representatives_mentions_permanent_representatives)
{
	CHECK_CONTAINS(ask("representatives"), "permanent representatives");
}

/* "As of" is the newest known event not after today: Yermekbayev taking
 * office on 1 January 2025, not the article's January 2024. */
TEST(every_answer_from_the_table_says_as_of_1_january_2025)
{
	const char *cmds[] = {"sg", "sg 2011", "sgs", "staff", "departments", "functions",
	                      "opened", "attendees", "representatives", "appointment"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CHECK_CONTAINS(ask(cmds[i]), "As of 1 January 2025");
		CHECK_NOT_CONTAINS(last_text, "January 2024.");
	}
}

TEST(help_lists_every_command)
{
	size_t n;
	const struct command_info *c = commands_list(&n);
	ask("help");
	for (size_t i = 0; i < n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "!sco %s", c[i].name);
		CHECK_CONTAINS(last_text, want);
	}
	CHECK(last_answer.ephemeral);
}

TEST(help_on_one_command_shows_usage_and_aliases)
{
	ask("help sg");
	CHECK_CONTAINS(last_text, "!sco sg [year | member state | name]");
	CHECK_CONTAINS(last_text, "генсек");
}

TEST(empty_input_gives_help)
{
	ask("");
	CHECK_CONTAINS(last_text, "Commands");
}

TEST(unknown_command_offers_the_closest_commands)
{
	ask("sgg");
	CHECK_INT(last_answer.status, ANSWER_UNKNOWN);
	CHECK_CONTAINS(last_text, "sg");
	CHECK_CONTAINS(last_text, "!sco help");
}

TEST(unknown_word_is_never_silence)
{
	ask("frobnicate");
	CHECK_INT(last_answer.status, ANSWER_UNKNOWN);
	CHECK_CONTAINS(last_text, "frobnicate");
	CHECK_CONTAINS(last_text, "!sco help");
}

TEST(case_punctuation_and_spaces_do_not_matter)
{
	CHECK_CONTAINS(ask("   SG    2011 !!! "), "Muratbek Imanaliev");
	CHECK_CONTAINS(ask("Sg, 2011?"), "Muratbek Imanaliev");
}

TEST(fact_shows_the_source_sentence)
{
	ask("fact staff.officials");
	CHECK_CONTAINS(last_text, "36");
	CHECK_CONTAINS(last_text, "Source:");
	CHECK_CONTAINS(last_text, "The staff of the Secretariat consists of 36 officials");
}

TEST(fact_unknown_id_says_so)
{
	ask("fact no.such.fact");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	/* echoed as user text: a zero-width space after each dot keeps it from
	 * being linkified as a host name */
	CHECK_CONTAINS(last_text, "no.\xE2\x80\x8Bsuch.\xE2\x80\x8B" "fact");
}

TEST(search_finds_the_departments)
{
	CHECK_CONTAINS(ask("search humanitarian"), "humanitarian");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

TEST(search_without_words_shows_usage)
{
	ask("search");
	CHECK_INT(last_answer.status, ANSWER_USAGE);
}

TEST(lang_sets_the_room_language_and_confirms_in_it)
{
	ask("lang ru");
	CHECK_INT(last_answer.action, ACTION_SET_LANG);
	CHECK_INT(last_answer.action_lang, LANG_RU);
	CHECK_CONTAINS(last_text, "русский");
}

TEST(lang_without_argument_shows_the_current_one)
{
	ask_in("lang", LANG_NONE, LANG_ZH);
	CHECK_INT(last_answer.action, ACTION_SHOW_LANG);
}

TEST(lang_with_a_bad_code_shows_usage)
{
	ask("lang klingon");
	CHECK_INT(last_answer.status, ANSWER_USAGE);
}

TEST(about_and_source_name_the_date)
{
	ask("about");
	CHECK_CONTAINS(last_text, "21 sources");
	CHECK_CONTAINS(last_text, "1 January 2025");
	CHECK_CONTAINS(last_text, "6 December 2026");
	CHECK_CONTAINS(ask("source"), "000_d8b520af193bdaba.txt");
	CHECK_CONTAINS(last_text, "as of 1 January 2025");
}

TEST(a_command_word_with_extra_words_reads_as_a_question)
{
	CHECK_CONTAINS(ask("list departments"), "umanitarian");
}

TEST(prefix_is_stripped_only_at_a_word_boundary)
{
	size_t rest;
	CHECK(engine_strip_prefix("!sco", "!sco sg", 7, &rest));
	CHECK_INT(rest, 5);
	CHECK(engine_strip_prefix("!sco", "  !SCO", 6, &rest));
	CHECK(!engine_strip_prefix("!sco", "!scoop", 6, &rest));
	CHECK(!engine_strip_prefix("!sco", "hello !sco", 10, &rest));
}

TEST(autocomplete_offers_names_countries_and_years)
{
	char out[25][101];
	size_t n = engine_complete_sg(test_engine(), "zh", 2, LANG_EN, out, 25);
	CHECK_INT(n, 2);
	n = engine_complete_sg(test_engine(), "201", 3, LANG_EN, out, 25);
	CHECK_INT(n, 10);
	n = engine_complete_sg(test_engine(), "", 0, LANG_EN, out, 25);
	CHECK_INT(n, 8);
}

TAP_MAIN
