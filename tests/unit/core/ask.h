/* ask.h: one engine over the built-in facts, shared by the engine tests. */
#ifndef SCOBOT_TESTS_ASK_H
#define SCOBOT_TESTS_ASK_H

#include <stdlib.h>
#include <string.h>

#include "core/commands.h"
#include "core/engine.h"
#include "core/facts.h"
#include "util/date.h"

static struct facts *test_facts_;
static struct engine *test_engine_;

/* Freed at exit so LeakSanitizer sees a clean run. */
__attribute__((destructor)) static void test_engine_cleanup(void)
{
	engine_free(test_engine_);
	facts_free(test_facts_);
}

static struct engine *test_engine(void)
{
	struct facts *f;
	struct engine *e = test_engine_;
	if (!e) {
		struct facts_error err;
		if (facts_load_embedded(&f, &err) < 0) {
			char msg[512];
			facts_error_format(&err, msg, sizeof(msg));
			printf("Bail out! built-in facts do not load: %s\n", msg);
			exit(1);
		}
		e = engine_new(f);
		test_facts_ = f;
		test_engine_ = e;
	}
	return e;
}

/* Every engine test runs on one fixed day, so that answers about "now" do not
 * change with the machine's clock: Nurlan Yermekbayev's term (2025-2027) runs. */
#define TEST_TODAY_Y 2026
#define TEST_TODAY_M 12
#define TEST_TODAY_D 6

static struct answer last_answer;
static char last_text[16384];

/* Answers text as a chat command would be (prefix already removed) and returns
 * the plain rendering; last_answer keeps the structure. */
static const char *ask_in(const char *text, enum lang lang, enum lang room)
{
	struct engine_query q = {text, strlen(text), lang, room, "!sco",
	                         date_days(TEST_TODAY_Y, TEST_TODAY_M, TEST_TODAY_D)};
	engine_answer(test_engine(), &q, &last_answer);
	answer_render(&last_answer, RENDER_PLAIN, last_text, sizeof(last_text));
	return last_text;
}

static const char *ask(const char *text)
{
	return ask_in(text, LANG_NONE, LANG_NONE);
}

#endif
