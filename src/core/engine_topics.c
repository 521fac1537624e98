/* engine_topics.c: answers about the Secretariat besides its Secretaries-General:
 * the opening and its attendees, prose facts, departments and functions. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <string.h>

static void attendee_item(struct ctx *c, const struct fact_attendee *at)
{
	answer_item(c->a);
	if (at->country)
		emit(c, M_ATTENDEE_ITEM_COUNTRY, L(c, &at->person->name), L(c, &at->role),
		     L(c, &at->country->name));
	else
		emit(c, M_ATTENDEE_ITEM, L(c, &at->person->name), L(c, &at->role));
	answer_break(c->a);
}

static void attendee_notes(struct ctx *c)
{
	for (size_t i = 0; i < c->f->n_attendees; i++)
		note(c, &c->f->attendees[i].note);
}

static void attendee_fields(struct ctx *c)
{
	answer_end_body(c->a);
	for (size_t i = 0; i < c->f->n_attendees && i < ANSWER_MAX_FIELDS; i++) {
		const struct fact_attendee *at = &c->f->attendees[i];
		answer_field_begin(c->a, L(c, &at->person->name));
		answer_text(c->a, L(c, &at->role));
		if (at->country) {
			answer_text(c->a, c->lang == LANG_ZH ? "，" : ", ");
			answer_text(c->a, L(c, &at->country->name));
		}
		answer_field_end(c->a);
	}
}

void eng_answer_attendees(struct ctx *c, bool with_ceremony)
{
	const struct fact_opening *op = &c->f->opening;
	char title[ANSWER_TITLE_BYTES];
	c->a->command = with_ceremony ? "opened" : "attendees";
	snprintf(title, sizeof(title), "%s", i18n(c->lang, M_TITLE_ATTENDEES));
	char *ph = strstr(title, "{0}");
	if (ph) {
		char rest[ANSWER_TITLE_BYTES];
		snprintf(rest, sizeof(rest), "%s", ph + 3);
		snprintf(ph, sizeof(title) - (size_t)(ph - title), "%s%s", L(c, &op->date_text), rest);
	}
	answer_set_title(c->a, title);
	if (with_ceremony) {
		answer_text(c->a, L(c, &facts_get(c->f, "opening.ceremony")->text));
		answer_break(c->a);
	}
	emit(c, M_ATTENDEES_HEAD, L(c, &op->date_text), L(c, &op->place));
	answer_break(c->a);
	for (size_t i = 0; i < c->f->n_attendees; i++)
		attendee_item(c, &c->f->attendees[i]);
	attendee_notes(c);
	eng_as_of(c);
	attendee_fields(c);
}

void eng_answer_attendee_of_country(struct ctx *c, const struct fact_attendee *at)
{
	c->a->command = "attendees";
	emit(c, M_ATTENDEE_OF_COUNTRY, L(c, &c->f->opening.date_text), L(c, &at->country->name),
	     L(c, &at->person->name), L(c, &at->role));
	note(c, &at->note);
	eng_as_of(c);
}

void eng_answer_person_attended(struct ctx *c, const struct fact_attendee *at)
{
	char role[256];
	c->a->command = "attendees";
	if (at->country)
		snprintf(role, sizeof(role), c->lang == LANG_ZH ? "%s%s" : "%s, %s",
		         c->lang == LANG_ZH ? L(c, &at->country->name) : L(c, &at->role),
		         c->lang == LANG_ZH ? L(c, &at->role) : L(c, &at->country->name));
	else
		snprintf(role, sizeof(role), "%s", L(c, &at->role));
	emit(c, M_PERSON_ATTENDED, L(c, &at->person->name), L(c, &c->f->opening.date_text), role);
	note(c, &at->note);
}

/* One prose fact: its text and its list items. */
void eng_fact_body(struct ctx *c, const struct fact *ft)
{
	answer_text(c->a, L(c, &ft->text));
	if (ft->n_items) {
		answer_break(c->a);
		for (size_t i = 0; i < ft->n_items; i++) {
			answer_item(c->a);
			answer_text(c->a, L(c, &ft->items[i]));
			answer_break(c->a);
		}
	}
	note(c, &ft->note);
}

void eng_answer_facts(struct ctx *c, const char *command, const char *const *ids, size_t n)
{
	c->a->command = command;
	for (size_t i = 0; i < n; i++) {
		const struct fact *ft = facts_get(c->f, ids[i]);
		if (!ft)
			continue;
		if (i)
			space(c);
		eng_fact_body(c, ft);
	}
	eng_as_of(c);
}


void eng_answer_departments(struct ctx *c)
{
	const struct fact *ft = facts_get(c->f, "departments");
	answer_set_title(c->a, i18n(c->lang, M_TITLE_DEPARTMENTS));
	ANSWER_FACTS(c, "departments", "departments");
	answer_end_body(c->a);
	if (ft) {
		/* One field per department, so an embed reads as a list. */
		for (size_t i = 0; i < ft->n_items && i < ANSWER_MAX_FIELDS; i++) {
			char num[24];
			snprintf(num, sizeof(num), "%zu", i + 1);
			answer_field_begin(c->a, num);
			answer_text(c->a, L(c, &ft->items[i]));
			answer_field_end(c->a);
		}
	}
}

void eng_answer_functions(struct ctx *c)
{
	c->a->command = "functions";
	answer_set_title(c->a, i18n(c->lang, M_TITLE_FUNCTIONS));
	emit0(c, M_FUNCTIONS_HEAD);
	answer_break(c->a);
	for (size_t i = 0; i < c->f->n_facts; i++) {
		const struct fact *ft = &c->f->facts[i];
		if (strcmp(ft->topic, "functions") != 0)
			continue;
		answer_item(c->a);
		answer_text(c->a, L(c, &ft->text));
		answer_break(c->a);
	}
	eng_as_of(c);
}
