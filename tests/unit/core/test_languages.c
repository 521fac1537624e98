/* test_languages.c: the core issue's examples, asked in Russian and Chinese,
 * answer with the same facts in the language asked. */
#include "tap.h"
#include "ask.h"

struct example {
	const char *ru, *zh;
	const char *want_ru[3], *want_zh[3];
};

static const struct example examples[] = {
	{"генсек", "秘书长", {"Нурлан Ермекбаев"}, {"努尔兰·叶尔梅克巴耶夫"}},
	{"генсек 2011", "秘书长 2011", {"Иманалиев"}, {"伊马纳利耶夫"}},
	{"генсек 2022", "秘书长 2022", {"Чжан Мин"}, {"张明"}},
	{"генсек 2021", "秘书长 2021", {"Норов"}, {"诺罗夫"}},
	{"генсек 1999", "秘书长 1999", {"ещё не было", "15 января 2004"}, {"尚未成立", "2004年1月15日"}},
	{"генсек казахстан", "秘书长 哈萨克斯坦", {"Нургалиев", "Ермекбаев"},
	 {"努尔加利耶夫", "叶尔梅克巴耶夫"}},
	{"генсек китай", "秘书长 中国", {"Чжан Дэгуан", "Чжан Мин"}, {"张德广", "张明"}},
	{"сотрудники", "职员", {"36"}, {"36"}},
	{"отделы", "部门", {"политическ", "международных связей"}, {"政治", "国际关系"}},
	{"кто присутствовал на церемонии открытия?", "谁出席了开幕式？",
	 {"Токаев", "Игорь Иванов"}, {"托卡耶夫", "伊戈尔·伊万诺夫"}},
};

static void check_all(const char *text, const char *const *want, enum lang lang)
{
	ask(text);
	CHECK_INT(last_answer.lang, lang);
	CHECK_INT(last_answer.status, ANSWER_OK);
	for (size_t k = 0; k < 3 && want[k]; k++)
		CHECK_CONTAINS(last_text, want[k]);
}

TEST(core_examples_in_russian)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		check_all(examples[i].ru, examples[i].want_ru, LANG_RU);
}

TEST(core_examples_in_chinese)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		check_all(examples[i].zh, examples[i].want_zh, LANG_ZH);
}

TEST(answers_in_russian_never_fall_back_to_english_names)
{
	ask("генсек 2011");
	CHECK_NOT_CONTAINS(last_text, "Imanaliev");
	CHECK_NOT_CONTAINS(last_text, "As of");
	CHECK_CONTAINS(last_text, "По состоянию на 1 января 2025 года");
}

TEST(answers_in_chinese_carry_the_translated_as_of_date)
{
	CHECK_CONTAINS(ask("秘书长 2011"), "截至2025年1月1日");
}

TEST(editorial_notes_are_translated)
{
	CHECK_CONTAINS(ask("генсек 2004"), "Исполнительный секретарь");
	CHECK_CONTAINS(ask("秘书长 2004"), "执行秘书");
}

TEST(help_is_localised)
{
	CHECK_CONTAINS(ask("помощь"), "Команды");
	CHECK_CONTAINS(ask("帮助"), "命令");
}

TEST(year_forms_in_each_language)
{
	CHECK_CONTAINS(ask("кто был генсеком в 2016 году"), "Алимов");
	CHECK_CONTAINS(ask("2016年的秘书长"), "阿利莫夫");
	CHECK_CONTAINS(ask("sg in the year 2016"), "Rashid Alimov");
}

TAP_MAIN
