/* test_i18n_lang.c: language detection and the completeness of our own sentences. */
#include "tap.h"

#include <string.h>

#include "core/commands.h"
#include "core/i18n.h"
#include "core/lang.h"
#include "util/utf8.h"

TEST(cyrillic_anywhere_means_russian)
{
	CHECK_INT(lang_detect("SG 2016 кто?", strlen("SG 2016 кто?")), LANG_RU);
}

TEST(han_anywhere_means_chinese)
{
	CHECK_INT(lang_detect("sg 秘书长", strlen("sg 秘书长")), LANG_ZH);
}

TEST(latin_means_english)
{
	CHECK_INT(lang_detect("who was sg", 10), LANG_EN);
}

TEST(invalid_utf8_is_skipped_by_detection)
{
	const char bad[] = "\xff\xfe\xd0 sg";
	CHECK_INT(lang_detect(bad, sizeof(bad) - 1), LANG_EN);
}

TEST(lang_parse_accepts_codes_and_names)
{
	CHECK_INT(lang_parse("ru"), LANG_RU);
	CHECK_INT(lang_parse("ZH-cn"), LANG_ZH);
	CHECK_INT(lang_parse("English"), LANG_EN);
	CHECK_INT(lang_parse("русский"), LANG_RU);
	CHECK_INT(lang_parse("中文"), LANG_ZH);
	CHECK_INT(lang_parse("xx"), LANG_NONE);
}

TEST(discord_locales_map_to_languages)
{
	CHECK_INT(lang_from_locale("zh-CN"), LANG_ZH);
	CHECK_INT(lang_from_locale("zh-TW"), LANG_ZH);
	CHECK_INT(lang_from_locale("ru"), LANG_RU);
	CHECK_INT(lang_from_locale("en-US"), LANG_EN);
	CHECK_INT(lang_from_locale("de"), LANG_EN);
}

TEST(every_sentence_exists_in_every_language)
{
	for (int m = 0; m < M_COUNT; m++)
		for (int l = 0; l < LANG_COUNT; l++) {
			const char *s = i18n((enum lang)l, (enum msg)m);
			if (!s || !*s)
				printf("# message %d has no %s text\n", m, lang_code((enum lang)l));
			CHECK(s && *s);
		}
}

TEST(placeholders_agree_across_languages)
{
	/* A translation that drops or invents an argument would show the wrong fact. */
	for (int m = 0; m < M_COUNT; m++) {
		unsigned mask[LANG_COUNT] = {0};
		for (int l = 0; l < LANG_COUNT; l++)
			for (const char *p = i18n((enum lang)l, (enum msg)m); *p; p++)
				if (p[0] == '{') {
					const char *q = p + 1;
					if (*q == '*' || *q == '`' || *q == '!')
						q++;
					if (*q >= '0' && *q <= '9' && q[1] == '}')
						mask[l] |= 1u << (*q - '0');
				}
		if (mask[LANG_RU] != mask[LANG_EN] || mask[LANG_ZH] != mask[LANG_EN])
			printf("# message %d: placeholders differ\n", m);
		CHECK(mask[LANG_RU] == mask[LANG_EN] && mask[LANG_ZH] == mask[LANG_EN]);
	}
}

TEST(every_command_is_described_in_every_language)
{
	size_t n;
	const struct command_info *c = commands_list(&n);
	for (size_t i = 0; i < n; i++)
		for (int l = 0; l < LANG_COUNT; l++) {
			CHECK(c[i].label.s[l] && *c[i].label.s[l]);
			CHECK(c[i].summary.s[l] &&
			      utf8_count(c[i].summary.s[l], strlen(c[i].summary.s[l])) <= 100);
			CHECK(c[i].usage.s[l] != NULL);
		}
}

TAP_MAIN
