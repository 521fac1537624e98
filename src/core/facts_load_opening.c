/* facts_load_opening.c: loads the `opening` kind (opening.json): the day, the
 * place and who attended. */
#include "core/facts_load_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !is_digits(s, 4) ||
	    !is_digits(s + 5, 2) || !is_digits(s + 8, 2))
		return -EINVAL;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	if (*m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1] || (*m == 2 && *d == 29 && !leap))
		return -EINVAL;
	return 0;
}

static int build_attendees(struct loader *l, const cJSON *arr)
{
	static const struct field fields[] = {
		{"person", true}, {"country", true}, {"role", true},
		{"source", false}, {"sources", false}, {"note", false},
	};
	size_t base = l->plen;
	fl_path_key(l, "attendees");
	if (!cJSON_IsArray(arr))
		return fl_fail(l, "expected an array, got %s", fl_type_name(arr));
	int n = cJSON_GetArraySize(arr);
	if (n == 0)
		return fl_fail(l, "the opening needs at least one attendee");
	if (n > FACTS_MAX_RECORDS)
		return fl_fail(l, "more than %d attendees", FACTS_MAX_RECORDS);
	struct fact_attendee *v = arena_array(l->a, (size_t)n, sizeof(*v));
	size_t i = 0;
	int r;
	for (const cJSON *item = arr->child; item; item = item->next, i++) {
		struct fact_attendee *at = &v[i];
		size_t old = fl_path_index(l, i);
		if ((r = fl_check_object(l, item, fields, 6)) < 0 ||
		    (r = fl_get_person_ref(l, item, &at->person)) < 0 ||
		    (r = fl_get_country_ref(l, item, "country", true, &at->country)) < 0 ||
		    (r = fl_check_same_country(l, at->person, at->country)) < 0)
			return r;
		for (size_t j = 0; j < i; j++) {
			if (v[j].person == at->person) {
				fl_path_key(l, "person");
				return fl_fail(l, "person \"%s\" is listed twice", at->person->id);
			}
		}
		char what[FACTS_MAX_ID + 16];
		snprintf(what, sizeof(what), "attendee \"%s\"", at->person->id);
		if ((r = fl_get_l10n(l, item, "role", what, &at->role)) < 0 ||
		    (r = fl_get_l10n(l, item, "note", what, &at->note)) < 0 ||
		    (r = fl_get_refs(l, item, &at->source, &at->sources)) < 0)
			return r;
		fl_path_set(l, old);
	}
	fl_path_set(l, base);
	l->f->attendees = v;
	l->f->n_attendees = i;
	return 0;
}

int fl_build_opening(struct loader *l)
{
	static const struct field fields[] = {
		{"date", true}, {"date_text", true}, {"place", true},
		{"source", false}, {"sources", false}, {"attendees", true},
	};
	struct fact_opening *o = &l->f->opening;
	const cJSON *v = fl_single(l, TOP_OPENING);
	if (!v)
		return fl_fail(l, "missing: no fact file describes the opening");
	int r = fl_check_object(l, v, fields, 6);
	if (r < 0)
		return r;
	size_t old = fl_path_key(l, "date");
	const char *date;
	size_t len;
	if ((r = fl_check_string(l, cJSON_GetObjectItemCaseSensitive(v, "date"), FACTS_MAX_TEXT,
	                         &date, &len)) < 0)
		return r;
	if (parse_date(date, &o->year, &o->month, &o->day) < 0)
		return fl_fail(l, "expected a date as YYYY-MM-DD");
	if (o->year < FACTS_MIN_YEAR || o->year > FACTS_MAX_YEAR)
		return fl_fail(l, "year %d is outside the range %d..%d", o->year, FACTS_MIN_YEAR,
		               FACTS_MAX_YEAR);
	fl_path_set(l, old);
	if ((r = fl_get_l10n(l, v, "date_text", "the opening date", &o->date_text)) < 0 ||
	    (r = fl_get_l10n(l, v, "place", "the opening place", &o->place)) < 0 ||
	    (r = fl_get_refs(l, v, &o->source, &o->sources)) < 0)
		return r;
	return build_attendees(l, cJSON_GetObjectItemCaseSensitive(v, "attendees"));
}
