/* lang.c: language codes, parsing and script-based detection. */
#include "core/lang.h"

#include <strings.h>
#include <string.h>

#include "util/utf8.h"

static const char *const codes[LANG_COUNT] = {"en", "ru", "zh"};

const char *lang_code(enum lang lang)
{
	return lang >= 0 && lang < LANG_COUNT ? codes[lang] : "auto";
}

enum lang lang_parse(const char *s)
{
	static const struct {
		const char *word;
		enum lang lang;
	} words[] = {
		{"en", LANG_EN}, {"eng", LANG_EN}, {"english", LANG_EN}, {"en-us", LANG_EN},
		{"en-gb", LANG_EN}, {"английский", LANG_EN}, {"англ", LANG_EN}, {"英语", LANG_EN},
		{"英文", LANG_EN},
		{"ru", LANG_RU}, {"rus", LANG_RU}, {"russian", LANG_RU}, {"ru-ru", LANG_RU},
		{"русский", LANG_RU}, {"рус", LANG_RU}, {"ру", LANG_RU}, {"俄语", LANG_RU},
		{"俄文", LANG_RU},
		{"zh", LANG_ZH}, {"zh-cn", LANG_ZH}, {"zh-hans", LANG_ZH}, {"chinese", LANG_ZH},
		{"cn", LANG_ZH}, {"китайский", LANG_ZH}, {"中文", LANG_ZH}, {"汉语", LANG_ZH},
		{"中", LANG_ZH},
	};
	if (!s)
		return LANG_NONE;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i].word) == 0)
			return words[i].lang;
	return LANG_NONE;
}

enum lang lang_detect(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp = utf8_next(text, len, &i);
		if (utf8_is_cyrillic(cp))
			return LANG_RU;
		if (utf8_is_han(cp))
			return LANG_ZH;
	}
	return LANG_EN;
}

enum lang lang_from_locale(const char *locale)
{
	if (!locale)
		return LANG_NONE;
	if (strncasecmp(locale, "ru", 2) == 0)
		return LANG_RU;
	if (strncasecmp(locale, "zh", 2) == 0)
		return LANG_ZH;
	return LANG_EN;
}
