/* test_bot.c: the Discord bot's decisions (discord/bot.c) without a socket:
 * parsed events and a clock go in, actions come out. The engine is a fake
 * host->respond that records what it was asked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer.h"
#include "core/cooldown.h"
#include "discord/bot.h"
#include "tap.h"

#define EPOCH_MS 1420070400000LL
#define WALL_MS 1800000000000LL   /* "now" on the wall clock, Unix ms */
#define SELF "111111111111111111"

enum reply_mode { SHORT, LONG, IGNORED, FIELDS };

static struct {
	enum reply_mode mode;
	int calls;
	char text[512];
	enum lang lang;
	int64_t received_ms;
} fake;

static void fake_respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	fake.calls++;
	/* The question is a slice of the message: it never runs past its end. */
	CHECK(memchr(req->text, '\0', req->len) == NULL);
	snprintf(fake.text, sizeof(fake.text), "%.*s", (int)req->len, req->text);
	fake.lang = req->lang;
	fake.received_ms = req->received_ms;
	answer_init(out, LANG_EN);
	if (fake.mode == IGNORED) {
		out->status = ANSWER_IGNORED;
		return;
	}
	if (fake.mode == SHORT) {
		answer_text(out, "The answer.");
		return;
	}
	if (fake.mode == FIELDS) {
		answer_set_title(out, "Secretaries-General");
		answer_text(out, "The answer.");
		answer_end_body(out);
		answer_field_begin(out, "2011");
		answer_text(out, "Imanaliev");
		answer_field_end(out);
		return;
	}
	/* Lines of 99 characters: about 3,000 bytes, two Discord messages. */
	char line[101];
	memset(line, 'x', 99);
	line[99] = '\n';
	line[100] = '\0';
	for (int i = 0; i < 30; i++)
		answer_text(out, line);
}

static const struct adapter_host host = {.respond = fake_respond};

static int complete_ctx;

static size_t fake_complete(void *ctx, const char *partial, size_t len, enum lang lang,
                            char (*out)[101], size_t max)
{
	CHECK(ctx == &complete_ctx);
	snprintf(out[0], 101, "2011 (%s)", partial);
	return 1;
}

/* A snowflake sent `ago_ms` before WALL_MS, made unique by n. */
static char ids[64][24];
static const char *snowflake(int n, int64_t ago_ms)
{
	unsigned long long v = ((unsigned long long)(WALL_MS - ago_ms - EPOCH_MS) << 22) | (unsigned)n;
	snprintf(ids[n % 64], sizeof(ids[0]), "%llu", v);
	return ids[n % 64];
}

static const struct dc_clock clock_now = {.now_ms = 5000000, .wall_ms = WALL_MS};

static struct dc_bot *new_bot(void)
{
	memset(&fake, 0, sizeof(fake));
	struct dc_bot_config cfg = {.prefix = "!sco", .host = &host, .complete = fake_complete,
	                            .complete_ctx = &complete_ctx};
	struct dc_bot *bot = dc_bot_new(&cfg);
	dc_bot_learn_ids(bot, SELF, "222222222222222222");
	return bot;
}

static struct dc_message msg(int n, const char *content)
{
	struct dc_message m = {
		.id = snowflake(n, 10),
		.channel_id = "333333333333333333",
		.guild_id = "444444444444444444",
		.author_id = "555555555555555555",
		.content = content,
		.content_len = strlen(content),
		.type = 0,
	};
	return m;
}

TEST(a_prefixed_message_gets_one_reply_with_a_nonce)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(1, "!sco help");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_INT(fake.calls, 1);
	CHECK_STR(fake.text, "help");
	CHECK_INT(acts.act[0].kind, DC_ACT_REPLY);
	CHECK_STR(acts.act[0].channel, "333333333333333333");
	CHECK_INT(acts.act[0].received_ms, clock_now.now_ms);
	CHECK_CONTAINS(acts.act[0].body, "The answer.");
	char nonce[40];
	snprintf(nonce, sizeof(nonce), "\"nonce\":\"r%s\"", m.id);
	CHECK_CONTAINS(acts.act[0].body, nonce);
	CHECK_CONTAINS(acts.act[0].body, "\"message_reference\"");
	char what[96];
	snprintf(what, sizeof(what), "reply to %s in 333333333333333333", m.id);
	CHECK_STR(acts.act[0].what, what);
	dc_actions_clear(&acts);
	CHECK_INT(acts.n, 0);
	dc_bot_free(bot);
}

TEST(bots_and_system_messages_are_never_answered)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(2, "!sco help");
	m.author_bot = true;
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	m = msg(3, "!sco help");
	m.author_id = SELF;
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	m = msg(4, "!sco help");
	m.type = 7;  /* a member joined */
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 0);
	m = msg(5, "!sco help");
	m.type = 19;  /* a reply is what people type too */
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_INT(fake.calls, 1);
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(guild_chatter_is_ignored_but_a_dm_is_for_us)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(6, "who chairs the SCO?");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 0);
	CHECK_INT(fake.calls, 0);
	m.guild_id = NULL;
	m.id = snowflake(7, 10);
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_STR(fake.text, "who chairs the SCO?");
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(a_leading_mention_addresses_the_bot_and_is_removed)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(8, "<@!" SELF ">  !sco sg 2011");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_STR(fake.text, "sg 2011");
	m = msg(9, "<@" SELF "> who is the SG?");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_STR(fake.text, "who is the SG?");
	/* Someone else's mention is not ours. */
	int calls = fake.calls;
	m = msg(10, "<@999999999999999999> who is the SG?");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(fake.calls, calls);
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(a_mention_later_in_the_text_answers_the_text_without_it)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(11, "hey <@" SELF "> who is the SG?");
	m.mentions_user = true;
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_STR(fake.text, "hey  who is the SG?");
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(a_replayed_message_is_answered_once)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(12, "!sco help");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_INT(fake.calls, 1);
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(over_the_cooldown_one_notice_then_silence)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	for (int i = 0; i < 5; i++) {
		struct dc_message m = msg(20 + i, "!sco help");
		dc_bot_on_message(bot, &m, &clock_now, &acts);
		CHECK_INT(acts.n, 1);
		dc_actions_clear(&acts);
	}
	struct dc_message m = msg(25, "!sco help");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(fake.calls, 5);
	CHECK_INT(acts.n, 1);
	char nonce[40];
	snprintf(nonce, sizeof(nonce), "\"nonce\":\"n%s\"", m.id);
	CHECK_CONTAINS(acts.act[0].body, nonce);
	CHECK_INT(acts.act[0].received_ms, 0);  /* a notice is not an answer */
	CHECK_CONTAINS(acts.act[0].body, cooldown_notice_text(LANG_EN));
	CHECK_NOT_CONTAINS(acts.act[0].body, "The answer.");
	dc_actions_clear(&acts);
	m = msg(26, "!sco help");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 0);
	dc_bot_free(bot);
}

TEST(the_cooldown_notice_is_in_the_language_of_the_question)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	for (int i = 0; i < 6; i++) {
		struct dc_message m = msg(90 + i, "!sco кто генеральный секретарь?");
		dc_bot_on_message(bot, &m, &clock_now, &acts);
	}
	CHECK_INT(acts.n, 6);
	CHECK_CONTAINS(acts.act[5].body, cooldown_notice_text(LANG_RU));
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(an_answer_with_fields_is_one_embed_reply)
{
	struct dc_bot *bot = new_bot();
	fake.mode = FIELDS;
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(100, "!sco sg");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_STR(acts.act[0].channel, "333333333333333333");
	CHECK_INT(acts.act[0].received_ms, clock_now.now_ms);
	CHECK_CONTAINS(acts.act[0].body, "\"embeds\"");
	CHECK_CONTAINS(acts.act[0].body, "Imanaliev");
	char nonce[40], what[96];
	snprintf(nonce, sizeof(nonce), "\"nonce\":\"r%s\"", m.id);
	CHECK_CONTAINS(acts.act[0].body, nonce);
	snprintf(what, sizeof(what), "reply to %s in 333333333333333333", m.id);
	CHECK_STR(acts.act[0].what, what);
	dc_actions_clear(&acts);
	struct dc_interaction in = {
		.id = snowflake(101, 10), .token = "t", .application_id = "222222222222222222",
		.channel_id = "333333333333333333", .user_id = "555555555555555555",
		.type = DC_INTERACTION_COMMAND, .command = "sco", .subcommand = "sg",
	};
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_INT(acts.act[0].kind, DC_ACT_CALLBACK);
	CHECK_CONTAINS(acts.act[0].body, "\"embeds\"");
	CHECK_INT(acts.act[0].received_ms, clock_now.now_ms);
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(a_replayed_backlog_is_judged_by_when_it_was_asked)
{
	/* Six questions asked a minute apart, delivered at once (a resume):
	 * none is over the limit. */
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	for (int i = 0; i < 6; i++) {
		struct dc_message m = msg(30 + i, "!sco help");
		m.id = snowflake(30 + i, (int64_t)(6 - i) * 60000);
		dc_bot_on_message(bot, &m, &clock_now, &acts);
	}
	CHECK_INT(fake.calls, 6);
	CHECK_INT(acts.n, 6);
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(a_long_answer_is_cut_into_messages_only_the_first_a_reply)
{
	struct dc_bot *bot = new_bot();
	fake.mode = LONG;
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(40, "!sco help");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(acts.n, 2);
	CHECK_CONTAINS(acts.act[0].body, "\"message_reference\"");
	CHECK_NOT_CONTAINS(acts.act[1].body, "\"message_reference\"");
	CHECK_INT(acts.act[0].received_ms, clock_now.now_ms);
	CHECK_INT(acts.act[1].received_ms, 0);
	char nonce[40];
	snprintf(nonce, sizeof(nonce), "\"nonce\":\"r%s.1\"", m.id);
	CHECK_CONTAINS(acts.act[1].body, nonce);
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(an_ignored_answer_sends_nothing)
{
	struct dc_bot *bot = new_bot();
	fake.mode = IGNORED;
	struct dc_actions acts = {.n = 0};
	struct dc_message m = msg(41, "!sco");
	dc_bot_on_message(bot, &m, &clock_now, &acts);
	CHECK_INT(fake.calls, 1);
	CHECK_INT(acts.n, 0);
	dc_bot_free(bot);
}

static struct dc_interaction command(int n, const char *sub)
{
	struct dc_interaction in = {
		.id = snowflake(n, 10),
		.token = "tok-en/with?chars",
		.application_id = "222222222222222222",
		.channel_id = "333333333333333333",
		.user_id = "555555555555555555",
		.locale = "ru",
		.type = DC_INTERACTION_COMMAND,
		.command = "sco",
		.subcommand = sub,
	};
	return in;
}

TEST(a_slash_command_gets_one_callback_in_its_locale)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_interaction in = command(50, "help");
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_INT(acts.act[0].kind, DC_ACT_CALLBACK);
	CHECK_STR(acts.act[0].interaction_id, in.id);
	CHECK_STR(acts.act[0].interaction_token, in.token);
	CHECK_INT(acts.act[0].n_followups, 0);
	CHECK_INT(acts.act[0].received_ms, clock_now.now_ms);
	CHECK_CONTAINS(acts.act[0].body, "\"type\":4");
	CHECK_STR(fake.text, "help");
	CHECK_INT(fake.lang, LANG_RU);
	/* The token is never in what the logs see. */
	char what[96];
	snprintf(what, sizeof(what), "interaction %s", in.id);
	CHECK_STR(acts.act[0].what, what);
	dc_actions_clear(&acts);
	/* Replayed: no second callback. */
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 0);
	dc_bot_free(bot);
}

TEST(an_unknown_or_ignored_command_still_gets_a_private_answer)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_interaction in = command(53, "help");
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	dc_actions_clear(&acts);
	/* Each answer starts afresh: nothing of the previous one is left in it. */
	in = command(51, "nosuchthing");
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_NOT_CONTAINS(acts.act[0].body, "The answer.");
	CHECK_INT(acts.n, 1);
	CHECK_CONTAINS(acts.act[0].body, "Unknown command.");
	CHECK_CONTAINS(acts.act[0].body, "\"flags\":64");
	CHECK_INT(acts.act[0].received_ms, 0);
	CHECK_INT(fake.calls, 1);
	dc_actions_clear(&acts);
	fake.mode = IGNORED;
	in = command(52, "help");
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_CONTAINS(acts.act[0].body, "\"flags\":64");
	CHECK_CONTAINS(acts.act[0].body, "…");
	CHECK_NOT_CONTAINS(acts.act[0].body, "The answer.");
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(a_slash_command_over_the_cooldown_gets_a_notice_never_silence)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	for (int i = 0; i < 8; i++) {
		struct dc_interaction in = command(60 + i, "help");
		dc_bot_on_interaction(bot, &in, &clock_now, &acts);
		CHECK_INT(acts.n, 1);
		if (i >= 5) {
			CHECK_CONTAINS(acts.act[0].body, "\"flags\":64");
			/* In the interaction's locale (ru), not the last answer's. */
			CHECK_CONTAINS(acts.act[0].body, cooldown_notice_text(LANG_RU));
		}
		dc_actions_clear(&acts);
	}
	CHECK_INT(fake.calls, 5);
	dc_bot_free(bot);
}

TEST(a_long_slash_answer_carries_its_followups)
{
	struct dc_bot *bot = new_bot();
	fake.mode = LONG;
	struct dc_actions acts = {.n = 0};
	struct dc_interaction in = command(70, "help");
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_INT(acts.act[0].n_followups, 1);
	CHECK_STR(acts.act[0].followup_app, "222222222222222222");
	CHECK_CONTAINS(acts.act[0].followups[0], "xxxx");
	dc_actions_clear(&acts);
	/* Without the interaction's application id, ours from READY is used. */
	in = command(71, "help");
	in.application_id = NULL;
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_STR(acts.act[0].followup_app, "222222222222222222");
	dc_actions_clear(&acts);
	dc_bot_free(bot);
}

TEST(autocomplete_offers_the_completer_choices_for_sg_only)
{
	struct dc_bot *bot = new_bot();
	struct dc_actions acts = {.n = 0};
	struct dc_interaction in = command(80, "sg");
	in.type = DC_INTERACTION_AUTOCOMPLETE;
	in.n_options = 2;
	in.options[0] = (struct dc_option){.name = "other", .value = "x", .focused = false};
	in.options[1] = (struct dc_option){.name = "year", .value = "20", .focused = true};
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_CONTAINS(acts.act[0].body, "\"type\":8");
	CHECK_CONTAINS(acts.act[0].body, "2011 (20)");
	CHECK_INT(acts.act[0].received_ms, 0);
	dc_actions_clear(&acts);
	in = command(81, "help");
	in.type = DC_INTERACTION_AUTOCOMPLETE;
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 1);
	CHECK_NOT_CONTAINS(acts.act[0].body, "2011");
	dc_actions_clear(&acts);
	/* Components and modals get nothing. */
	in = command(82, "help");
	in.type = DC_INTERACTION_COMPONENT;
	dc_bot_on_interaction(bot, &in, &clock_now, &acts);
	CHECK_INT(acts.n, 0);
	CHECK_INT(fake.calls, 0);
	dc_bot_free(bot);
}

TEST(ready_tells_who_we_are_and_learnt_ids_never_overwrite)
{
	struct dc_bot_config cfg = {.prefix = NULL, .host = &host};
	struct dc_bot *bot = dc_bot_new(&cfg);
	CHECK_STR(dc_bot_prefix(bot), "!sco");
	CHECK_STR(dc_bot_self_id(bot), "");
	CHECK(dc_bot_app_id(bot) == NULL);
	struct dc_ready r = {.user_id = "123", .application_id = "456"};
	dc_bot_on_ready(bot, &r);
	CHECK_STR(dc_bot_self_id(bot), "123");
	CHECK_STR(dc_bot_app_id(bot), "456");
	dc_bot_learn_ids(bot, "789", "789");
	CHECK_STR(dc_bot_self_id(bot), "123");
	CHECK_STR(dc_bot_app_id(bot), "456");
	/* A later READY (a new session) may say who we are, never another app. */
	struct dc_ready r2 = {.user_id = "124", .application_id = "457"};
	dc_bot_on_ready(bot, &r2);
	CHECK_STR(dc_bot_self_id(bot), "124");
	CHECK_STR(dc_bot_app_id(bot), "456");
	struct dc_ready r3 = {.user_id = "125", .application_id = NULL};
	dc_bot_on_ready(bot, &r3);
	CHECK_STR(dc_bot_app_id(bot), "456");
	dc_bot_free(bot);
	dc_bot_free(NULL);
}

TEST(self_mentions_are_skipped_and_stripped)
{
	const char *t = " <@" SELF "> <@!" SELF ">\thelp";
	size_t k = dc_bot_skip_self_mention(SELF, t, strlen(t));
	CHECK_STR(t + k, "help");
	CHECK_INT(dc_bot_skip_self_mention(SELF, "help <@" SELF ">", 25), 0);
	CHECK_INT(dc_bot_skip_self_mention(SELF, "<@" SELF, strlen("<@" SELF)), 0);
	char out[128];
	const char *u = "a<@" SELF ">b<@!" SELF ">c<@12>";
	size_t n = dc_bot_strip_self_mentions(SELF, u, strlen(u), out, sizeof(out));
	CHECK_STR(out, "abc<@12>");
	CHECK_INT(n, 8);
	/* A truncated mention at the end stays as it is. */
	const char *v = "x<@" SELF;
	dc_bot_strip_self_mentions(SELF, v, strlen(v), out, sizeof(out));
	CHECK_STR(out, v);
	/* Only "<@" + our id + ">" is ours: not another id of the same length,
	 * not our id without the ">", not "@id>" without the "<". */
	static const char *const keep[] = {
		"a<@222222222222222222>b", "a<@" SELF "x>", "x@" SELF ">", "<<@!" SELF "!>",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		dc_bot_strip_self_mentions(SELF, keep[i], strlen(keep[i]), out, sizeof(out));
		CHECK_STR(out, keep[i]);
	}
	/* The output is cut to its size, NUL included. */
	char small[8] = "zzzzzzz";
	CHECK_INT(dc_bot_strip_self_mentions(SELF, "abcdef", 6, small, 4), 3);
	CHECK_STR(small, "abc");
	CHECK(small[4] == 'z');
}

TAP_MAIN
