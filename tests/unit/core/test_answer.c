/* test_answer.c: the renderers' escaping, the defences on user text, and limits. */
#include "tap.h"

#include <string.h>

#include "core/answer.h"

static char out[8192];

static const char *render(struct answer *a, enum render_format f)
{
	answer_render(a, f, out, sizeof(out));
	return out;
}

TEST(markdown_breaks_everyone_mentions_in_user_text)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	answer_user(&a, "@everyone <@123> <@&456>", 24);
	render(&a, RENDER_MARKDOWN);
	CHECK_NOT_CONTAINS(out, "@everyone");
	CHECK_NOT_CONTAINS(out, "<@123>");
	CHECK_NOT_CONTAINS(out, "<@&456>");
}

TEST(markdown_escapes_formatting_and_links_in_user_text)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	const char *s = "**bold** [x](https://evil.example) `code`";
	answer_user(&a, s, strlen(s));
	render(&a, RENDER_MARKDOWN);
	CHECK_NOT_CONTAINS(out, "**bold**");
	CHECK_NOT_CONTAINS(out, "https://");
	CHECK_NOT_CONTAINS(out, "](");
}

TEST(echoed_invites_and_bare_domains_are_not_links_in_any_format)
{
	/* \357\274\216: U+FF0E FULLWIDTH FULL STOP, which some clients show as a dot. */
	static const char *const links[] = {"discord.gg/evil", "discord.com/invite/evil",
	                                     "evil.example", "www.evil.example/x",
	                                     "evil\357\274\216example", "http://evil.example"};
	static const char *const live[] = {"discord.gg", "discord.com", "evil.example",
	                                   "www.evil", "evil\357\274\216example", "//evil"};
	static const enum render_format fmts[] = {RENDER_PLAIN, RENDER_MARKDOWN, RENDER_HTML};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		for (size_t f = 0; f < 3; f++) {
			struct answer a;
			answer_init(&a, LANG_EN);
			answer_user(&a, links[i], strlen(links[i]));
			render(&a, fmts[f]);
			CHECK_NOT_CONTAINS(out, live[i]);
			CHECK_CONTAINS(out, "\xE2\x80\x8B"); /* broken by a zero-width space */
		}
	/* our own text keeps its links */
	struct answer a;
	answer_init(&a, LANG_EN);
	answer_text(&a, "see example.org");
	CHECK_CONTAINS(render(&a, RENDER_PLAIN), "example.org");
}

TEST(html_escapes_user_markup)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	const char *s = "<script>alert(1)</script> & \"q\"";
	answer_user(&a, s, strlen(s));
	render(&a, RENDER_HTML);
	CHECK_NOT_CONTAINS(out, "<script>");
	CHECK_CONTAINS(out, "&lt;script&gt;");
	CHECK_CONTAINS(out, "&amp;");
	CHECK_CONTAINS(out, "&quot;");
}

TEST(user_text_loses_bidi_overrides_and_control_characters)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	const char *s = "a\xE2\x80\xAE" "b\x01" "c";
	answer_user(&a, s, strlen(s));
	render(&a, RENDER_PLAIN);
	CHECK_NOT_CONTAINS(out, "\xE2\x80\xAE");
	CHECK_NOT_CONTAINS(out, "\x01");
}

TEST(user_text_echo_is_bounded)
{
	struct answer a;
	char big[3000];
	memset(big, 'x', sizeof(big));
	answer_init(&a, LANG_EN);
	answer_user(&a, big, sizeof(big));
	CHECK(answer_render(&a, RENDER_PLAIN, out, sizeof(out)) < 400);
}

TEST(user_text_keeps_at_most_30_combining_marks_per_letter)
{
	struct answer a;
	char s[1200] = "a";
	for (int i = 0; i < 500; i++)
		strcat(s, "\xCC\x81"); /* U+0301 */
	strcat(s, "b");
	answer_init(&a, LANG_EN);
	answer_user(&a, s, strlen(s));
	render(&a, RENDER_PLAIN);
	size_t marks = 0;
	for (const char *p = out; (p = strstr(p, "\xCC\x81")); p += 2)
		marks++;
	CHECK_INT(marks, 30);
	CHECK_CONTAINS(out, "b");
}

TEST(strong_and_lists_render_per_format)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	answer_text(&a, "Head:");
	answer_break(&a);
	answer_item(&a);
	answer_strong(&a, "One");
	answer_break(&a);
	answer_item(&a);
	answer_text(&a, "Two");
	answer_break(&a);
	answer_text(&a, "End.");
	answer_end_body(&a);
	CHECK_STR(render(&a, RENDER_MARKDOWN), "Head:\n- **One**\n- Two\nEnd.");
	CHECK_STR(render(&a, RENDER_HTML),
	          "Head:<br><ul><li><strong>One</strong></li><li>Two</li></ul>End.");
	CHECK_STR(render(&a, RENDER_PLAIN), "Head:\n\xE2\x80\xA2 One\n\xE2\x80\xA2 Two\nEnd.");
}

TEST(our_text_with_markdown_characters_is_escaped)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	answer_text(&a, "a*b_c");
	render(&a, RENDER_MARKDOWN);
	CHECK_STR(out, "a\\*b\\_c");
}

TEST(render_reports_the_full_length_and_cuts_at_a_code_point)
{
	struct answer a;
	char small[8];
	answer_init(&a, LANG_RU);
	answer_text(&a, "Генсек ШОС");
	size_t need = answer_render(&a, RENDER_PLAIN, small, sizeof(small));
	CHECK_INT(need, strlen("Генсек ШОС"));
	CHECK_INT(strlen(small), 6); /* three two-byte letters, never half of one */
}

TEST(an_overfull_answer_is_marked_truncated_not_overflowed)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	for (int i = 0; i < 1000; i++)
		answer_text(&a, "0123456789");
	CHECK(a.truncated);
	CHECK(a.used <= ANSWER_MAX_BYTES);
	CHECK(a.nseg <= ANSWER_MAX_SEGS);
}

TEST(fields_render_separately_from_the_body)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	answer_text(&a, "body");
	answer_end_body(&a);
	answer_field_begin(&a, "Name");
	answer_text(&a, "value");
	answer_field_end(&a);
	CHECK_STR(render(&a, RENDER_PLAIN), "body");
	answer_render_field(&a, 0, RENDER_PLAIN, out, sizeof(out));
	CHECK_STR(out, "value");
	CHECK_INT(a.nfield, 1);
}

/* The templates put the marks around a user's words; the renderer adds none,
 * so Markdown shows one pair, not ““30th””. */
TEST(user_text_is_quoted_once_in_every_format)
{
	struct answer a;
	answer_init(&a, LANG_EN);
	answer_add(&a, SEG_TEXT, "about \u201c", strlen("about \u201c"));
	answer_add(&a, SEG_USER, "30th", 4);
	answer_add(&a, SEG_TEXT, "\u201d.", strlen("\u201d."));
	static const enum render_format fmts[] = {RENDER_PLAIN, RENDER_MARKDOWN, RENDER_HTML};
	for (size_t f = 0; f < 3; f++)
		CHECK_STR(render(&a, fmts[f]), "about \u201c30th\u201d.");
}

TAP_MAIN
