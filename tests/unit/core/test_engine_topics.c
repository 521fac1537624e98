/* test_engine_topics.c: the answers about the opening, its attendees, prose
 * facts, departments and functions (src/core/engine_topics.c), including the
 * embed title and fields the Discord adapter shows. Written for the changes
 * mutate.py found no other test noticing (doc/MUTATION.md). */
#include "tap.h"
#include "ask.h"

static size_t items(const struct answer *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nseg_body; i++)
		n += a->seg[i].kind == SEG_ITEM;
	return n;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Field i as "name = value". */
static const char *field(size_t i)
{
	static char buf[1024];
	char v[512];
	if (i >= last_answer.nfield)
		return "(none)";
	answer_render_field(&last_answer, i, RENDER_PLAIN, v, sizeof(v));
	snprintf(buf, sizeof(buf), "%.*s = %s", (int)last_answer.field[i].name_len,
	         last_answer.buf + last_answer.field[i].name_off, v);
	return buf;
}

TEST(opened_gives_the_ceremony_then_every_attendee_with_a_field_each)
{
	ask("opened");
	CHECK_STR(last_answer.command, "opened");
	CHECK_STR(last_answer.title, "Opening ceremony, 15 January 2004");
	CHECK_CONTAINS(last_text, "Beijing, China, hosted the opening ceremony of the SCO "
	                          "Secretariat on 15 January 2004.\nThe opening ceremony on "
	                          "15 January 2004 (Beijing, China) was attended by:\n\u2022 Li "
	                          "Zhaoxing, Foreign Minister, People's Republic of China\n");
	CHECK_INT(items(&last_answer), 7);
	CHECK(ends_with(last_text, "Defence Minister.\nAs of 1 January 2025."));
	CHECK_INT(last_answer.nfield, 7);
	CHECK_STR(field(0), "Li Zhaoxing = Foreign Minister, People's Republic of China");
	CHECK_STR(field(6), "Zhang Deguang = SCO Executive Secretary");
}

TEST(attendees_in_chinese_join_role_and_country_with_a_full_width_comma)
{
	ask_in("attendees", LANG_ZH, LANG_NONE);
	CHECK_STR(last_answer.command, "attendees");
	/* No ceremony sentence before the list: it starts with the heading. */
	const char *head = "2004\u5e741\u670815\u65e5"; /* 2004年1月15日 */
	CHECK(strncmp(last_text, head, strlen(head)) == 0);
	CHECK_INT(last_answer.nfield, 7);
	/* 李肇星 = 外交部长，中华人民共和国 */
	CHECK_STR(field(0), "\u674e\u8087\u661f = \u5916\u4ea4\u90e8\u957f\uff0c\u4e2d\u534e\u4eba"
	                    "\u6c11\u5171\u548c\u56fd");
}

TEST(the_attendee_of_a_country_comes_with_the_note_about_him_and_a_date)
{
	ask("who attended from russia");
	CHECK_STR(last_answer.command, "attendees");
	CHECK_CONTAINS(last_text, "Russian Federation was represented by Sergei Ivanov, Foreign "
	                          "Minister.\nEditorial note:");
	CHECK(ends_with(last_text, "Defence Minister. As of 1 January 2025."));
}

TEST(a_person_who_attended_comes_with_the_note_about_him)
{
	ask("did sergei ivanov attend the opening");
	CHECK_STR(last_answer.command, "attendees");
	CHECK_CONTAINS(last_text, "Sergei Ivanov attended the opening ceremony on 15 January 2004 "
	                          "as Foreign Minister, Russian Federation.");
	CHECK_CONTAINS(last_text, "\nEditorial note:");
}

TEST(departments_lists_each_department_as_an_item_and_a_numbered_field)
{
	ask("departments");
	CHECK_STR(last_answer.command, "departments");
	CHECK_STR(last_answer.title, "Departments of the Secretariat");
	CHECK_CONTAINS(last_text, "international relations.\n\u2022 political\n\u2022 economic\n");
	CHECK_INT(items(&last_answer), 6);
	CHECK(ends_with(last_text, "\u2022 international relations\nAs of 1 January 2025."));
	CHECK_INT(last_answer.nfield, 6);
	CHECK_STR(field(0), "1 = political");
	CHECK_STR(field(5), "6 = international relations");
}

TEST(functions_lists_every_function_fact_on_its_own_line)
{
	ask("functions");
	CHECK_STR(last_answer.command, "functions");
	CHECK_STR(last_answer.title, "Functions of the Secretariat");
	CHECK_CONTAINS(last_text, "What the Secretariat does:\n\u2022 The Secretariat coordinates");
	CHECK_CONTAINS(last_text, "support for them.\n\u2022 The Secretariat serves as the "
	                          "depository");
	CHECK_INT(items(&last_answer), 5);
}

TEST(a_prose_fact_answer_names_its_command)
{
	ask("staff");
	CHECK_STR(last_answer.command, "staff");
	CHECK_CONTAINS(last_text, "36 officials");
	CHECK_CONTAINS(last_text, "host country. As of 1 January 2025.");
}

TAP_MAIN
