/* facts_load_value.c: the checks every kind of fact record shares: an object's
 * keys, strings, ids, whole numbers, texts in every language, aliases, dates. */
#include "core/facts_load_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static const char *const lang_names[LANG_COUNT] = {"English", "Russian", "Chinese"};

/* Every object is checked against its list of keys, so a typo in a key is an
 * error instead of a silently missing field. */
int fl_check_object(struct loader *l, const cJSON *obj, const struct field *fields,
                    size_t n)
{
	if (!cJSON_IsObject(obj))
		return fl_fail(l, "expected an object, got %s", fl_type_name(obj));
	uint32_t seen = 0;
	for (const cJSON *c = obj->child; c; c = c->next) {
		size_t k = 0;
		while (k < n && strcmp(fields[k].key, c->string) != 0)
			k++;
		char q[FACTS_QUOTE_BYTES];
		if (k == n) {
			char known[FACTS_KEY_LIST] = "";
			size_t used = 0;
			for (size_t i = 0; i < n && used < sizeof(known); i++) {
				int w = snprintf(known + used, sizeof(known) - used, "%s%s",
				                 i ? ", " : "", fields[i].key);
				if (w < 0)
					break;
				used += (size_t)w;
			}
			return fl_fail(l, "unknown key \"%s\" (expected one of: %s)",
			               fl_quote(q, sizeof(q), c->string, strlen(c->string)), known);
		}
		if (seen & (UINT32_C(1) << k))
			return fl_fail(l, "duplicate key \"%s\"", fields[k].key);
		seen |= UINT32_C(1) << k;
	}
	for (size_t k = 0; k < n; k++) {
		if (fields[k].required && !(seen & (UINT32_C(1) << k))) {
			fl_path_key(l, fields[k].key);
			return fl_fail(l, "missing required key \"%s\"", fields[k].key);
		}
	}
	return 0;
}

/* Validates a string in place (the caller's path points at it). */
int fl_check_string(struct loader *l, const cJSON *v, size_t max, const char **ret,
                    size_t *ret_len)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return fl_fail(l, "expected a string, got %s", fl_type_name(v));
	const char *s = v->valuestring;
	size_t len = strnlen(s, max + 1);
	if (len == 0)
		return fl_fail(l, "empty string");
	if (len > max)
		return fl_fail(l, "string is longer than the limit of %zu bytes", max);
	if (!utf8_valid(s, len))
		return fl_fail(l, "invalid UTF-8 in string");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return fl_fail(l, "control character U+%04X in string", c);
	}
	if (s[0] == ' ' || s[len - 1] == ' ')
		return fl_fail(l, "leading or trailing space in string");
	*ret = s;
	*ret_len = len;
	return 0;
}

static int read_string(struct loader *l, const cJSON *v, const char **ret)
{
	const char *s;
	size_t len;
	int r = fl_check_string(l, v, FACTS_MAX_TEXT, &s, &len);
	if (r < 0)
		return r;
	*ret = arena_strndup(l->a, s, len);
	return 0;
}

/* Ids are lower-case ASCII so users can type them and errors can quote them. */
int fl_check_id(struct loader *l, const cJSON *v, const char **ret)
{
	const char *s;
	size_t len;
	int r = fl_check_string(l, v, FACTS_MAX_ID, &s, &len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '-' && c != '_'))) {
			char q[FACTS_QUOTE_BYTES];
			return fl_fail(l, "\"%s\" is not an id: use a-z, 0-9, '.', '-' and '_', "
			               "starting with a letter or digit", fl_quote(q, sizeof(q), s, len));
		}
	}
	*ret = s;
	return 0;
}

int fl_get_string(struct loader *l, const cJSON *obj, const char *key, const char **ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v) {
		*ret = NULL;
		return 0;
	}
	size_t old = fl_path_key(l, key);
	int r = read_string(l, v, ret);
	fl_path_set(l, old);
	return r;
}

int fl_get_id(struct loader *l, const cJSON *obj, const char *key, const char **ret)
{
	size_t old = fl_path_key(l, key);
	const char *id;
	int r = fl_check_id(l, cJSON_GetObjectItemCaseSensitive(obj, key), &id);
	if (r == 0)
		*ret = arena_strdup(l->a, id);
	fl_path_set(l, old);
	return r;
}

int fl_read_int(struct loader *l, const cJSON *v, int min, int max, int *ret)
{
	if (!cJSON_IsNumber(v))
		return fl_fail(l, "expected a number, got %s", fl_type_name(v));
	double d = v->valuedouble;
	if (!(d >= min && d <= max))
		return fl_fail(l, "%g is outside the range %d..%d", d, min, max);
	if (d != (double)(int)d)
		return fl_fail(l, "expected a whole number, got %g", d);
	*ret = (int)d;
	return 0;
}

static const struct field lang_fields[LANG_COUNT] = {
	{"en", false}, {"ru", false}, {"zh", false},
};

/* A text in every language; a missing language is refused by name, because the
 * engine must never fall back to showing another language. */
int fl_read_l10n(struct loader *l, const cJSON *v, const char *what, struct l10n *ret)
{
	int r = fl_check_object(l, v, lang_fields, LANG_COUNT);
	if (r < 0)
		return r;
	struct l10n out = {{0}};
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, lang_fields[lang].key);
		size_t old = fl_path_key(l, lang_fields[lang].key);
		if (!s || cJSON_IsNull(s))
			return fl_fail(l, "missing %s translation of %s", lang_names[lang], what);
		if (cJSON_IsString(s) && s->valuestring && !s->valuestring[0])
			return fl_fail(l, "empty %s translation of %s", lang_names[lang], what);
		if ((r = read_string(l, s, &out.s[lang])) < 0)
			return r;
		fl_path_set(l, old);
	}
	*ret = out;
	return 0;
}

int fl_get_l10n(struct loader *l, const cJSON *obj, const char *key, const char *what,
                struct l10n *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return 0; /* optional here; required keys were checked by check_object */
	size_t old = fl_path_key(l, key);
	int r = fl_read_l10n(l, v, what, ret);
	fl_path_set(l, old);
	return r;
}

/* Aliases or keywords: a list of strings per language, every language present. */
int fl_get_aliases(struct loader *l, const cJSON *obj, const char *key, const char *what,
                   struct fact_aliases out[LANG_COUNT])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return 0;
	size_t old = fl_path_key(l, key);
	int r = fl_check_object(l, v, lang_fields, LANG_COUNT);
	if (r < 0)
		return r;
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(v, lang_fields[lang].key);
		size_t old_lang = fl_path_key(l, lang_fields[lang].key);
		if (!arr)
			return fl_fail(l, "missing %s %s of %s", lang_names[lang], key, what);
		if (!cJSON_IsArray(arr))
			return fl_fail(l, "expected an array of strings, got %s", fl_type_name(arr));
		int n = cJSON_GetArraySize(arr);
		if (n > FACTS_MAX_ALIASES)
			return fl_fail(l, "%d %s; the limit is %d", n, key, FACTS_MAX_ALIASES);
		const char **list = n ? arena_array(l->a, (size_t)n, sizeof(*list)) : NULL;
		size_t i = 0;
		for (const cJSON *s = arr->child; s; s = s->next, i++) {
			size_t old_i = fl_path_index(l, i);
			if ((r = read_string(l, s, &list[i])) < 0)
				return r;
			for (size_t j = 0; j < i; j++)
				if (strcmp(list[j], list[i]) == 0)
					return fl_fail(l, "\"%s\" is listed twice", list[i]);
			fl_path_set(l, old_i);
		}
		out[lang] = (struct fact_aliases){list, i};
		fl_path_set(l, old_lang);
	}
	fl_path_set(l, old);
	return 0;
}

/* A date written "YYYY", "YYYY-MM" or "YYYY-MM-DD" (or a bare year number, as
 * older files wrote term years), inside the years the table allows. */
static int read_pdate(struct loader *l, const cJSON *v, struct pdate *ret)
{
	if (cJSON_IsNumber(v)) {
		int y;
		int r = fl_read_int(l, v, FACTS_MIN_YEAR, FACTS_MAX_YEAR, &y);
		if (r < 0)
			return r;
		char buf[8];
		snprintf(buf, sizeof(buf), "%04d", y);
		return date_parse(buf, 4, ret);
	}
	const char *s;
	size_t len;
	int r = fl_check_string(l, v, FACTS_MAX_TEXT, &s, &len);
	if (r < 0)
		return r;
	char q[FACTS_QUOTE_BYTES];
	if (date_parse(s, len, ret) < 0)
		return fl_fail(l, "\"%s\" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
		               fl_quote(q, sizeof(q), s, len));
	if (ret->y < FACTS_MIN_YEAR || ret->y > FACTS_MAX_YEAR)
		return fl_fail(l, "year %d is outside the range %d..%d", ret->y, FACTS_MIN_YEAR,
		               FACTS_MAX_YEAR);
	return 0;
}

/* An optional date key; null or absent leave *ret with no date. */
int fl_get_pdate(struct loader *l, const cJSON *obj, const char *key, bool required,
                 struct pdate *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	memset(ret, 0, sizeof(*ret));
	if (!v || (cJSON_IsNull(v) && !required))
		return 0;
	size_t old = fl_path_key(l, key);
	int r = read_pdate(l, v, ret);
	fl_path_set(l, old);
	return r;
}
