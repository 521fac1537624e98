/* test_match.c: the matcher's vocabulary and search index as the answers show
 * them (src/core/match_vocab.c, match_index.c): command words in every
 * language, the known words typos are corrected to, and which facts a search
 * finds in English and Chinese. Written for the changes mutate.py found no
 * other test noticing (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

static size_t items(const struct answer *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nseg_body; i++)
		n += a->seg[i].kind == SEG_ITEM;
	return n;
}

/* Every alias of a command is a command word, not only the first. */
TEST(command_words_in_every_language_name_their_command)
{
	(void)ask_in;
	ask("info");
	CHECK_STR(last_answer.command, "about");
	ask("\u0438\u043d\u0444\u043e"); /* инфо */
	CHECK_STR(last_answer.command, "about");
	ask("\u043e \u0431\u043e\u0442\u0435"); /* о боте */
	CHECK_STR(last_answer.command, "about");
	ask("\u7b80\u4ecb"); /* 简介 */
	CHECK_STR(last_answer.command, "about");
}

/* Filler words are known words, so a typo in one is corrected, not taken for
 * a topic the facts do not cover. */
TEST(a_typo_in_a_filler_word_is_corrected)
{
	ask("pleese who is the secretary general");
	CHECK_CONTAINS(last_text, "The Secretary-General is Nurlan Yermekbayev");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

/* A Russian word known only from a fact's text is known in any inflection. */
TEST(a_russian_word_from_a_fact_text_is_known_in_any_form)
{
	ask("\u0435\u0441\u0442\u044c \u043b\u0438 \u0433\u0443\u043c\u0430\u043d\u0438\u0442\u0430"
	    "\u0440\u043d\u044b\u0439 \u043e\u0442\u0434\u0435\u043b"); /* есть ли гуманитарный отдел */
	CHECK_STR(last_answer.command, "departments");
	CHECK_INT(last_answer.status, ANSWER_OK);
	/* "секретариат и заседания органов": the fact says "заседаний ... органов". */
	ask("\u0441\u0435\u043a\u0440\u0435\u0442\u0430\u0440\u0438\u0430\u0442 \u0438 "
	    "\u0437\u0430\u0441\u0435\u0434\u0430\u043d\u0438\u044f \u043e\u0440\u0433\u0430"
	    "\u043d\u043e\u0432");
	CHECK_STR(last_answer.command, "functions");
	CHECK_INT(last_answer.status, ANSWER_OK);
}

/* Attendees are found by their role, terms and attendees by their country. */
TEST(search_finds_attendees_by_role_and_terms_by_country)
{
	ask("search foreign minister");
	CHECK_STR(last_text, "Facts matching \u201cforeign minister\u201d:\n"
	                     "\u2022 Li Zhaoxing, Foreign Minister, People's Republic of China\n"
	                     "\u2022 Sergei Ivanov, Foreign Minister, Russian Federation\n"
	                     "\u2022 Talbak Nazarov, Foreign Minister, Republic of Tajikistan\n"
	                     "Editorial note: the source names Sergei Ivanov as Russia's Foreign "
	                     "Minister, but Russia's Foreign Minister in January 2004 was Igor "
	                     "Ivanov; Sergei Ivanov was then the Defence Minister.\n"
	                     "Sources: SCO Secretariat (16 January 2024).\n"
	                     "As of 1 January 2025.");
	ask("uzbekistan");
	CHECK_CONTAINS(last_text, "The closest facts I have:\n"
	                          "\u2022 Vladimir Norov (Republic of Uzbekistan) was "
	                          "Secretary-General of the SCO, 1 January 2019 to 31 December "
	                          "2021.\n"
	                          "\u2022 Sodiq Safoyev, Foreign Minister, Republic of Uzbekistan\n");
}

/* BM25: the facts that name the SCO twice rank above an attendee's role that
 * names it once, the shorter of them first. */
TEST(search_ranks_by_how_often_and_how_densely_a_fact_uses_the_word)
{
	ask("search sco");
	CHECK_CONTAINS(last_text, "Facts matching \u201csco\u201d:\n"
	                          "\u2022 SCO member states have permanent representatives in the "
	                          "SCO Secretariat. representatives\n"
	                          "\u2022 The position of SCO Executive Secretary was later "
	                          "transformed into that of SCO Secretary-General. sg.renamed\n"
	                          "\u2022 Zhang Deguang, SCO Executive Secretary\n");
}

/* Chinese is searched by character bigrams. */
TEST(a_chinese_search_finds_facts_by_their_bigrams)
{
	/* 搜索 条约鉴定: the legal review fact, by 条约 and 鉴定 */
	ask_in("\u641c\u7d22 \u6761\u7ea6\u9274\u5b9a", LANG_ZH, LANG_NONE);
	CHECK_CONTAINS(last_text, "functions.legal");
	CHECK_INT(items(&last_answer), 1);
	/* 搜索 秘书处 职能 */
	ask_in("\u641c\u7d22 \u79d8\u4e66\u5904 \u804c\u80fd", LANG_ZH, LANG_NONE);
	CHECK_CONTAINS(last_text, "functions.depository");
	CHECK_CONTAINS(last_text, "functions.meetings");
	CHECK_CONTAINS(last_text, "functions.coordination");
}

/* A Han run longer than a token holds is cut, never overrun. */
TEST(a_very_long_chinese_search_is_cut_not_overrun)
{
	char q[1024] = "search ";
	for (int i = 0; i < 100; i++)
		strcat(q, "\u79d8\u4e66"); /* 秘书 */
	ask(q);
	CHECK_STR(last_answer.command, "search");
}

/* A question no reading fits is answered from one fact only when that fact
 * covers most of its words. */
TEST(a_question_answered_by_search_needs_a_fact_that_covers_it)
{
	ask("financial expert analysis");
	CHECK_STR(last_text, "The Secretariat conducts preliminary legal and financial expert "
	                     "analysis of SCO treaties and regulatory documents. As of 1 January "
	                     "2025.");
	CHECK_STR(last_answer.command, "functions");
	ask("financial humanitarian");
	CHECK_INT(last_answer.status, ANSWER_NOT_SURE);
	CHECK_CONTAINS(last_text, "The closest facts I have:");
}

TAP_MAIN
