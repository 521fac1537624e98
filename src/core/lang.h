/* lang.h: the languages scobot answers in, and text localised into all of them.
 * Owns no memory; must not grow a language without the facts and i18n tables. */
#ifndef SCOBOT_CORE_LANG_H
#define SCOBOT_CORE_LANG_H

#include <stddef.h>

/* The SCO's working languages are Chinese and Russian; English is the default. */
enum lang {
	LANG_EN,
	LANG_RU,
	LANG_ZH,
	LANG_COUNT,
	LANG_NONE = -1 /* "not chosen": detect from the text */
};

/* One string per language. After a successful load every slot is non-NULL. */
struct l10n {
	const char *s[LANG_COUNT];
};

/* "en", "ru", "zh" */
const char *lang_code(enum lang lang);

/* Accepts en/ru/zh and a few spellings people type (english, русский, 中文,
 * zh-CN, ru-RU); returns LANG_NONE for anything else. */
enum lang lang_parse(const char *s);

/* Cyrillic anywhere -> ru, Han anywhere -> zh, else en. Invalid UTF-8 is skipped. */
enum lang lang_detect(const char *text, size_t len);

/* Discord interaction locales ("ru", "zh-CN", "zh-TW", "en-US", ...). */
enum lang lang_from_locale(const char *locale);

#endif
