/* test_jsonfix.c: unpaired surrogate escapes are repaired, everything else kept. */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "util/jsonfix.h"

static const char *fix(const char *in)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s", in);
	jsonfix_surrogates(buf, strlen(buf));
	return buf;
}

TEST(a_nul_escape_becomes_the_replacement_character_for_chat_text)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", "{\"c\":\"a\\u0000b\\\\u0000\"}");
	/* the surrogate-only fix keeps it; the text fix replaces it, not \\u0000 */
	CHECK_INT(jsonfix_surrogates(buf, strlen(buf)), 0);
	CHECK_INT(jsonfix_text(buf, strlen(buf)), 1);
	CHECK_STR(buf, "{\"c\":\"a\\uFFFDb\\\\u0000\"}");
	const char *j = "[\"x\\ud800\\u0000\"]";
	char *d = jsonfix_text_dup(j, strlen(j));
	CHECK(d != NULL);
	if (d)
		CHECK_STR(d, "[\"x\\uFFFD\\uFFFD\"]");
	free(d);
	CHECK(jsonfix_text_dup("[\"ok\"]", 6) == NULL);
}

TEST(a_lone_high_surrogate_becomes_the_replacement_character)
{
	CHECK_STR(fix("{\"b\":\"x\\ud800y\"}"), "{\"b\":\"x\\uFFFDy\"}");
}

TEST(a_lone_low_surrogate_becomes_the_replacement_character)
{
	CHECK_STR(fix("[\"\\uDC00\"]"), "[\"\\uFFFD\"]");
}

TEST(a_proper_pair_is_kept)
{
	CHECK_STR(fix("[\"\\ud83d\\ude00\"]"), "[\"\\ud83d\\ude00\"]");
}

TEST(a_high_surrogate_before_a_non_surrogate_escape_is_fixed)
{
	CHECK_STR(fix("[\"\\ud83d\\u0041\"]"), "[\"\\uFFFD\\u0041\"]");
}

TEST(escaped_backslashes_are_not_escapes)
{
	CHECK_STR(fix("[\"\\\\ud800\"]"), "[\"\\\\ud800\"]");
}

TEST(text_outside_strings_is_untouched)
{
	CHECK_STR(fix("{\"k\": 1} \\ud800"), "{\"k\": 1} \\ud800");
}

TEST(dup_returns_null_when_nothing_needs_fixing)
{
	const char *ok = "{\"a\":\"\\u00e9\"}";
	CHECK(jsonfix_surrogates_dup(ok, strlen(ok)) == NULL);
	const char *bad = "{\"a\":\"\\ud800\"}";
	char *d = jsonfix_surrogates_dup(bad, strlen(bad));
	CHECK(d && strstr(d, "FFFD"));
	free(d);
}

TEST(truncated_escapes_do_not_read_past_the_end)
{
	char buf[8] = "\"\\ud80";
	CHECK_INT(jsonfix_surrogates(buf, strlen(buf)), 0);
}

TAP_MAIN
