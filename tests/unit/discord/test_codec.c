/* test_codec.c: unit tests for the Discord JSON codec (payload parsing with
 * type checks, builders, content splitting, nonce, slash command manifest). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "discord/codec.h"
#include "tap.h"
#include "util/utf8.h"

static cJSON *parse(const char *s)
{
	return cJSON_Parse(s);
}

TEST(payload_parses_op_seq_and_event_name)
{
	struct dc_payload p;
	const char *j = "{\"op\":0,\"s\":42,\"t\":\"MESSAGE_CREATE\",\"d\":{\"x\":1},\"extra\":[1]}";
	CHECK_INT(dc_payload_parse(j, strlen(j), &p), 0);
	CHECK_INT(p.op, 0);
	CHECK(p.has_seq);
	CHECK_INT(p.seq, 42);
	CHECK_STR(p.t, "MESSAGE_CREATE");
	CHECK(cJSON_IsObject(p.d));
	dc_payload_free(&p);
}

TEST(payload_with_null_seq_and_event_has_no_seq)
{
	struct dc_payload p;
	const char *j = "{\"op\":11,\"s\":null,\"t\":null}";
	CHECK_INT(dc_payload_parse(j, strlen(j), &p), 0);
	CHECK(!p.has_seq);
	CHECK_STR(p.t, "");
	CHECK(p.d == NULL);
	dc_payload_free(&p);
}

TEST(payload_rejects_malformed_json_and_wrong_types)
{
	struct dc_payload p = {.op = 99};
	const char *bad[] = {"{\"op\":0,\"s\":", "[1,2]", "{\"op\":\"zero\"}", "{\"d\":{}}",
	                     "{\"op\":1.5}", "{\"op\":-1}", "null", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(dc_payload_parse(bad[i], strlen(bad[i]), &p), -22);
	CHECK_INT(p.op, 99);  /* untouched on failure */
}

TEST(payload_seq_of_wrong_type_is_ignored_not_fatal)
{
	struct dc_payload p;
	const char *j = "{\"op\":0,\"s\":\"7\",\"t\":17,\"d\":null}";
	CHECK_INT(dc_payload_parse(j, strlen(j), &p), 0);
	CHECK(!p.has_seq);
	CHECK_STR(p.t, "");
	dc_payload_free(&p);
}

TEST(hello_needs_positive_integer_interval_and_tolerates_trace)
{
	int64_t iv = 0;
	cJSON *d = parse("{\"heartbeat_interval\":41250,\"_trace\":[\"x\"]}");
	CHECK_INT(dc_parse_hello(d, &iv), 0);
	CHECK_INT(iv, 41250);
	cJSON_Delete(d);
	d = parse("{\"heartbeat_interval\":\"41250\"}");
	CHECK_INT(dc_parse_hello(d, &iv), -22);
	cJSON_Delete(d);
	d = parse("{\"heartbeat_interval\":0}");
	CHECK_INT(dc_parse_hello(d, &iv), -22);
	cJSON_Delete(d);
	CHECK_INT(dc_parse_hello(NULL, &iv), -22);
}

TEST(ready_keeps_session_resume_url_user_and_application)
{
	struct dc_ready r;
	cJSON *d = parse("{\"v\":10,\"session_id\":\"abc\",\"resume_gateway_url\":\"wss://r.example\","
	                 "\"user\":{\"id\":\"123\",\"bot\":true},\"application\":{\"id\":\"456\"},"
	                 "\"guilds\":[{\"id\":\"1\"},{\"id\":\"2\"}]}");
	CHECK_INT(dc_parse_ready(d, &r), 0);
	CHECK_STR(r.session_id, "abc");
	CHECK_STR(r.resume_gateway_url, "wss://r.example");
	CHECK_STR(r.user_id, "123");
	CHECK_STR(r.application_id, "456");
	CHECK_INT(r.guild_count, 2);
	cJSON_Delete(d);
}

TEST(ready_without_session_id_is_rejected)
{
	struct dc_ready r;
	cJSON *d = parse("{\"resume_gateway_url\":\"wss://r\",\"user\":{\"id\":\"1\"}}");
	CHECK_INT(dc_parse_ready(d, &r), -22);
	cJSON_Delete(d);
	d = parse("{\"session_id\":\"s\",\"resume_gateway_url\":\"wss://r\",\"user\":{\"id\":123}}");
	CHECK_INT(dc_parse_ready(d, &r), -22);  /* numeric snowflake: never trusted */
	cJSON_Delete(d);
}

TEST(message_content_with_a_nul_escape_is_not_cut_short)
{
	struct dc_payload p;
	struct dc_message m;
	const char *j = "{\"op\":0,\"s\":1,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"10\","
	                "\"channel_id\":\"20\",\"type\":0,\"content\":\"!sco search a\\u0000b\","
	                "\"author\":{\"id\":\"40\"}}}";
	CHECK_INT(dc_payload_parse(j, strlen(j), &p), 0);
	CHECK_INT(dc_parse_message(p.d, "99", &m), 0);
	CHECK_STR(m.content, "!sco search a\xEF\xBF\xBD" "b");
	dc_payload_free(&p);
}

TEST(message_fields_and_mention_of_self)
{
	struct dc_message m;
	cJSON *d = parse("{\"id\":\"10\",\"channel_id\":\"20\",\"guild_id\":\"30\",\"type\":0,"
	                 "\"content\":\"<@99> sg\",\"author\":{\"id\":\"40\"},"
	                 "\"mentions\":[{\"id\":\"98\"},{\"id\":\"99\"}]}");
	CHECK_INT(dc_parse_message(d, "99", &m), 0);
	CHECK_STR(m.id, "10");
	CHECK_STR(m.channel_id, "20");
	CHECK_STR(m.guild_id, "30");
	CHECK_STR(m.author_id, "40");
	CHECK_STR(m.content, "<@99> sg");
	CHECK(m.mentions_user);
	CHECK(!m.author_bot);
	cJSON_Delete(d);
}

TEST(message_from_bot_system_or_webhook_is_marked_bot)
{
	struct dc_message m;
	const char *js[] = {
		"{\"id\":\"1\",\"channel_id\":\"2\",\"author\":{\"id\":\"3\",\"bot\":true}}",
		"{\"id\":\"1\",\"channel_id\":\"2\",\"author\":{\"id\":\"3\",\"system\":true}}",
		"{\"id\":\"1\",\"channel_id\":\"2\",\"webhook_id\":\"5\",\"author\":{\"id\":\"3\"}}",
	};
	for (size_t i = 0; i < 3; i++) {
		cJSON *d = parse(js[i]);
		CHECK_INT(dc_parse_message(d, "9", &m), 0);
		CHECK(m.author_bot);
		CHECK(m.guild_id == NULL);
		CHECK_STR(m.content, "");
		cJSON_Delete(d);
	}
}

TEST(message_with_missing_or_mistyped_ids_is_rejected)
{
	struct dc_message m;
	const char *js[] = {
		"{\"channel_id\":\"2\",\"author\":{\"id\":\"3\"}}",
		"{\"id\":1,\"channel_id\":\"2\",\"author\":{\"id\":\"3\"}}",
		"{\"id\":\"1\",\"channel_id\":\"2\",\"author\":\"3\"}",
		"{\"id\":\"1x\",\"channel_id\":\"2\",\"author\":{\"id\":\"3\"}}",
	};
	for (size_t i = 0; i < 4; i++) {
		cJSON *d = parse(js[i]);
		CHECK_INT(dc_parse_message(d, "9", &m), -22);
		cJSON_Delete(d);
	}
}

TEST(interaction_with_subcommand_options_and_focus)
{
	struct dc_interaction in;
	cJSON *d = parse("{\"id\":\"1\",\"token\":\"tok\",\"type\":4,\"application_id\":\"2\","
	                 "\"channel_id\":\"3\",\"guild_id\":\"4\",\"locale\":\"ru\","
	                 "\"member\":{\"user\":{\"id\":\"5\"}},\"data\":{\"name\":\"sco\",\"options\":"
	                 "[{\"name\":\"sg\",\"type\":1,\"options\":[{\"name\":\"query\",\"type\":3,"
	                 "\"value\":\"20\",\"focused\":true},{\"name\":\"n\",\"type\":4,\"value\":3}]}]}}");
	CHECK_INT(dc_parse_interaction(d, &in), 0);
	CHECK_INT(in.type, DC_INTERACTION_AUTOCOMPLETE);
	CHECK_STR(in.user_id, "5");
	CHECK_STR(in.locale, "ru");
	CHECK_STR(in.command, "sco");
	CHECK_STR(in.subcommand, "sg");
	CHECK_INT(in.n_options, 1);  /* the integer option is skipped */
	CHECK_STR(in.options[0].value, "20");
	CHECK(in.options[0].focused);
	char text[64];
	CHECK_INT(dc_interaction_text(&in, text, sizeof(text)), 5);
	CHECK_STR(text, "sg 20");
	cJSON_Delete(d);
}

TEST(interaction_in_dm_takes_user_id_from_user)
{
	struct dc_interaction in;
	cJSON *d = parse("{\"id\":\"1\",\"token\":\"t\",\"type\":2,\"user\":{\"id\":\"77\"},"
	                 "\"data\":{\"name\":\"sco\",\"options\":[{\"name\":\"help\",\"type\":1}]}}");
	CHECK_INT(dc_parse_interaction(d, &in), 0);
	CHECK_STR(in.user_id, "77");
	CHECK(in.guild_id == NULL);
	char text[64];
	CHECK_INT(dc_interaction_text(&in, text, sizeof(text)), 4);
	CHECK_STR(text, "help");
	cJSON_Delete(d);
}

TEST(interaction_text_refuses_unknown_command_or_subcommand)
{
	struct dc_interaction in = {.command = "other", .subcommand = "help"};
	char text[64];
	CHECK_INT(dc_interaction_text(&in, text, sizeof(text)), -22);
	in.command = "sco";
	in.subcommand = "rm-rf";
	CHECK_INT(dc_interaction_text(&in, text, sizeof(text)), -22);
}

TEST(identify_carries_token_intents_properties_shard_presence)
{
	struct dc_identify id = {"tok", 4609, 1, 4, "!sco help"};
	char *s = dc_build_identify(&id);
	CHECK(s != NULL);
	cJSON *j = parse(s);
	cJSON *d = cJSON_GetObjectItem(j, "d");
	CHECK_INT(cJSON_GetObjectItem(j, "op")->valueint, 2);
	CHECK_STR(cJSON_GetObjectItem(d, "token")->valuestring, "tok");
	CHECK_INT(cJSON_GetObjectItem(d, "intents")->valueint, 4609);
	cJSON *props = cJSON_GetObjectItem(d, "properties");
	CHECK(cJSON_IsString(cJSON_GetObjectItem(props, "os")));
	CHECK(cJSON_IsString(cJSON_GetObjectItem(props, "browser")));
	CHECK(cJSON_IsString(cJSON_GetObjectItem(props, "device")));
	cJSON *shard = cJSON_GetObjectItem(d, "shard");
	CHECK_INT(cJSON_GetArrayItem(shard, 0)->valueint, 1);
	CHECK_INT(cJSON_GetArrayItem(shard, 1)->valueint, 4);
	cJSON *act = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "presence"),
	                                                    "activities"), 0);
	CHECK_INT(cJSON_GetObjectItem(act, "type")->valueint, 3);
	CHECK_STR(cJSON_GetObjectItem(act, "name")->valuestring, "!sco help");
	cJSON_Delete(j);
	free(s);
}

TEST(identify_refuses_bad_shard_and_oversized_payload)
{
	struct dc_identify id = {"tok", 1, 4, 4, NULL};
	CHECK(dc_build_identify(&id) == NULL);
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	struct dc_identify id2 = {big, 1, 0, 1, NULL};
	CHECK(dc_build_identify(&id2) == NULL);  /* over 4096 bytes: never sent */
}

TEST(resume_and_heartbeat_payloads)
{
	char *s = dc_build_resume("tok", "sess", 1337);
	CHECK_STR(s, "{\"op\":6,\"d\":{\"token\":\"tok\",\"session_id\":\"sess\",\"seq\":1337}}");
	free(s);
	s = dc_build_heartbeat(false, 0);
	CHECK_STR(s, "{\"op\":1,\"d\":null}");
	free(s);
	s = dc_build_heartbeat(true, 251);
	CHECK_STR(s, "{\"op\":1,\"d\":251}");
	free(s);
}

TEST(message_body_has_no_mentions_reference_and_nonce)
{
	char nonce[DC_NONCE_MAX + 1];
	dc_reply_nonce("1234567890123456789", 0, 'r', nonce);
	char *s = dc_build_message("hi @everyone", 12, "1234567890123456789", nonce);
	cJSON *j = parse(s);
	cJSON *am = cJSON_GetObjectItem(j, "allowed_mentions");
	CHECK(cJSON_IsArray(cJSON_GetObjectItem(am, "parse")));
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(am, "parse")), 0);
	cJSON *ref = cJSON_GetObjectItem(j, "message_reference");
	CHECK_STR(cJSON_GetObjectItem(ref, "message_id")->valuestring, "1234567890123456789");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(ref, "fail_if_not_exists")));
	CHECK_STR(cJSON_GetObjectItem(j, "nonce")->valuestring, "r1234567890123456789");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "enforce_nonce")));
	CHECK_STR(cJSON_GetObjectItem(j, "content")->valuestring, "hi @everyone");
	cJSON_Delete(j);
	free(s);
}

TEST(nonce_is_stable_and_at_most_25_characters)
{
	char a[DC_NONCE_MAX + 1], b[DC_NONCE_MAX + 1];
	dc_reply_nonce("18446744073709551615", 999, 'r', a);
	CHECK(strlen(a) <= 25);
	CHECK_STR(a, "r18446744073709551615.999");
	dc_reply_nonce("not-a-snowflake-and-very-long-indeed-yes", 3, 'r', a);
	dc_reply_nonce("not-a-snowflake-and-very-long-indeed-yes", 3, 'r', b);
	CHECK(strlen(a) <= 25);
	CHECK_STR(a, b);
	dc_reply_nonce("42", 1, 'r', a);
	dc_reply_nonce("42", 2, 'r', b);
	CHECK(strcmp(a, b) != 0);
}

TEST(message_over_2000_characters_is_refused)
{
	char *big = malloc(2001 * 2);
	for (int i = 0; i < 2001; i++)
		memcpy(big + 2 * i, "\xd0\xb6", 2);  /* 2001 Cyrillic letters, 4002 bytes */
	CHECK(dc_build_message(big, 4002, NULL, NULL) == NULL);
	char *s = dc_build_message(big, 4000, NULL, NULL);  /* 2000 characters fit */
	CHECK(s != NULL);
	free(s);
	free(big);
}

TEST(split_prefers_line_breaks_and_counts_characters)
{
	const char *t = "aaa\nbbb\nccc";
	CHECK_INT(dc_split_content(t, strlen(t), 100), strlen(t));
	CHECK_INT(dc_split_content(t, strlen(t), 9), 8);   /* "aaa\nbbb\n" */
	CHECK_INT(dc_split_content("abcdef", 6, 4), 4);    /* no break: hard cut */
	CHECK_INT(dc_split_content("ab cdef", 7, 5), 3);   /* a space when no line break */
	/* Multibyte: 3 characters of 2 bytes each, cut after 2 characters. */
	CHECK_INT(dc_split_content("\xd0\xb6\xd0\xb6\xd0\xb6", 6, 2), 4);
}

TEST(split_of_long_text_yields_parts_within_limit_covering_everything)
{
	size_t len = 0;
	char *t = malloc(20000);
	while (len < 19000) {
		int n = sprintf(t + len, "line %zu with some words\n", len);
		len += (size_t)n;
	}
	size_t off = 0, parts = 0;
	while (off < len) {
		size_t n = dc_split_content(t + off, len - off, DC_CONTENT_MAX);
		CHECK(n > 0);
		CHECK(utf8_count(t + off, n) <= DC_CONTENT_MAX);
		CHECK(t[off + n - 1] == '\n');
		off += n;
		parts++;
	}
	CHECK_INT(off, len);
	CHECK(parts >= 10);
	free(t);
}

TEST(interaction_reply_is_type_4_and_ephemeral_sets_flag_64)
{
	char *s = dc_build_interaction_reply("hello", 5, true);
	cJSON *j = parse(s);
	CHECK_INT(cJSON_GetObjectItem(j, "type")->valueint, 4);
	cJSON *data = cJSON_GetObjectItem(j, "data");
	CHECK_INT(cJSON_GetObjectItem(data, "flags")->valueint, 64);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "allowed_mentions"),
	                                                 "parse")), 0);
	cJSON_Delete(j);
	free(s);
	s = dc_build_interaction_reply("hello", 5, false);
	j = parse(s);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "flags") == NULL);
	cJSON_Delete(j);
	free(s);
}

TEST(autocomplete_is_type_8_with_at_most_25_choices)
{
	char choices[40][101];
	for (int i = 0; i < 40; i++)
		snprintf(choices[i], sizeof(choices[i]), "choice %d", i);
	char *s = dc_build_autocomplete((const char (*)[101])choices, 40);
	cJSON *j = parse(s);
	CHECK_INT(cJSON_GetObjectItem(j, "type")->valueint, 8);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "choices")), 25);
	cJSON_Delete(j);
	free(s);
}

static cJSON *find_sub(cJSON *manifest, const char *name)
{
	cJSON *subs = cJSON_GetObjectItem(cJSON_GetArrayItem(manifest, 0), "options"), *o;
	cJSON_ArrayForEach(o, subs)
		if (strcmp(cJSON_GetObjectItem(o, "name")->valuestring, name) == 0)
			return o;
	return NULL;
}

TEST(manifest_is_one_sco_command_with_localized_subcommands)
{
	cJSON *m = dc_manifest_build();
	CHECK_INT(cJSON_GetArraySize(m), 1);
	cJSON *sco = cJSON_GetArrayItem(m, 0);
	CHECK_STR(cJSON_GetObjectItem(sco, "name")->valuestring, "sco");
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(sco, "description_localizations"), "ru") != NULL);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(sco, "description_localizations"), "zh-CN") != NULL);
	cJSON *sg = find_sub(m, "sg");
	CHECK(sg != NULL);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(sg, "name_localizations"), "ru")->valuestring,
	          "генсек");
	cJSON *opt = cJSON_GetArrayItem(cJSON_GetObjectItem(sg, "options"), 0);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(opt, "autocomplete")));
	cJSON *ask = find_sub(m, "ask");
	CHECK(ask != NULL);
	cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(ask, "options"), 0);
	CHECK_STR(cJSON_GetObjectItem(q, "name")->valuestring, "question");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(q, "required")));
	/* Every description within Discord's 1-100 characters. */
	cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(sco, "options")) {
		const char *d = cJSON_GetObjectItem(o, "description")->valuestring;
		CHECK(strlen(d) > 0 && utf8_count(d, strlen(d)) <= 100);
	}
	cJSON_Delete(m);
}

TEST(manifest_equal_ignores_server_fields_and_defaults)
{
	cJSON *want = dc_manifest_build();
	cJSON *have = cJSON_Duplicate(want, true);
	cJSON *c = cJSON_GetArrayItem(have, 0);
	cJSON_AddStringToObject(c, "id", "1");
	cJSON_AddStringToObject(c, "version", "2");
	cJSON_AddStringToObject(c, "application_id", "3");
	cJSON_AddNullToObject(c, "default_member_permissions");
	cJSON_AddFalseToObject(c, "nsfw");
	CHECK(dc_manifest_equal(want, have));
	cJSON_Delete(have);
	cJSON_Delete(want);
}

TEST(manifest_equal_sees_changed_description_or_missing_command)
{
	cJSON *want = dc_manifest_build();
	cJSON *have = cJSON_Duplicate(want, true);
	cJSON *sub = find_sub(have, "sg");
	cJSON_ReplaceItemInObject(sub, "description", cJSON_CreateString("old text"));
	CHECK(!dc_manifest_equal(want, have));
	cJSON_Delete(have);
	cJSON *empty = cJSON_CreateArray();
	CHECK(!dc_manifest_equal(want, empty));
	cJSON_Delete(empty);
	cJSON_Delete(want);
}

static void answer_with_fields(struct answer *a)
{
	answer_init(a, LANG_EN);
	answer_set_title(a, "Secretaries-General");
	answer_text(a, "In order:");
	answer_end_body(a);
	answer_field_begin(a, "Zhang Deguang");
	answer_text(a, "2004-2006, China");
	answer_field_end(a);
	answer_field_begin(a, "Bolat Nurgaliyev");
	answer_user(a, "@everyone <@123>", 16);
	answer_field_end(a);
}

TEST(embed_message_carries_title_body_fields_and_no_mentions)
{
	static struct answer a;
	answer_with_fields(&a);
	char *s = dc_build_embed_message(&a, "42", "r42");
	cJSON *j = parse(s);
	cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "embeds"), 0);
	CHECK_STR(cJSON_GetObjectItem(e, "title")->valuestring, "Secretaries-General");
	CHECK_CONTAINS(cJSON_GetObjectItem(e, "description")->valuestring, "In order");
	cJSON *fields = cJSON_GetObjectItem(e, "fields");
	CHECK_INT(cJSON_GetArraySize(fields), 2);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(fields, 0), "name")->valuestring,
	          "Zhang Deguang");
	/* User text in a field is de-fanged by the renderer: no live mention. */
	CHECK_NOT_CONTAINS(cJSON_GetObjectItem(cJSON_GetArrayItem(fields, 1), "value")->valuestring,
	                   "<@123>");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "allowed_mentions"),
	                                                 "parse")), 0);
	CHECK_STR(cJSON_GetObjectItem(j, "nonce")->valuestring, "r42");
	cJSON_Delete(j);
	free(s);
}

TEST(answer_without_fields_has_no_embed_form)
{
	static struct answer a;
	answer_init(&a, LANG_EN);
	answer_text(&a, "plain");
	CHECK(dc_build_embed_message(&a, NULL, NULL) == NULL);
	CHECK(dc_build_interaction_embed(&a, false) == NULL);
}

TEST(interaction_embed_is_type_4_with_flags_when_ephemeral)
{
	static struct answer a;
	answer_with_fields(&a);
	char *s = dc_build_interaction_embed(&a, true);
	cJSON *j = parse(s);
	CHECK_INT(cJSON_GetObjectItem(j, "type")->valueint, 4);
	cJSON *data = cJSON_GetObjectItem(j, "data");
	CHECK_INT(cJSON_GetObjectItem(data, "flags")->valueint, 64);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(data, "embeds")), 1);
	cJSON_Delete(j);
	free(s);
}

TEST(followup_has_content_no_mentions_and_length_limit)
{
	char *s = dc_build_followup("part two", 8, false);
	cJSON *j = parse(s);
	CHECK_STR(cJSON_GetObjectItem(j, "content")->valuestring, "part two");
	CHECK(cJSON_GetObjectItem(j, "allowed_mentions") != NULL);
	cJSON_Delete(j);
	free(s);
	char big[2101];
	memset(big, 'x', 2100);
	big[2100] = '\0';
	CHECK(dc_build_followup(big, 2100, false) == NULL);
}

TAP_MAIN
