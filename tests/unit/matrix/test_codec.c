/* test_codec.c: the Matrix codec against spec-shaped and hostile JSON. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "matrix/codec.h"
#include "../tap.h"

#define ME "@scobot:test"

static struct mx_sync *parse(const char *json)
{
	struct mx_sync *s = NULL;
	int r = mx_sync_parse(json, strlen(json), ME, &s);
	return r == 0 ? s : NULL;
}

static const char *SYNC_OK =
	"{\"next_batch\":\"s9\",\"x.future\":{\"a\":1},"
	"\"rooms\":{\"join\":{\"!r:test\":{\"summary\":{\"m.joined_member_count\":2},"
	"\"state\":{\"events\":[{\"type\":\"m.room.member\",\"state_key\":\"@scobot:test\","
	"\"sender\":\"@scobot:test\",\"event_id\":\"$m\",\"content\":{\"membership\":\"join\","
	"\"displayname\":\"SCO Bot\"}}]},"
	"\"timeline\":{\"limited\":true,\"prev_batch\":\"t3\",\"events\":["
	"{\"type\":\"m.room.message\",\"sender\":\"@a:test\",\"event_id\":\"$1\","
	"\"origin_server_ts\":1700000000000,\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco sg\","
	"\"format\":\"org.matrix.custom.html\",\"formatted_body\":\"<b>x</b>\","
	"\"m.relates_to\":{\"m.in_reply_to\":{\"event_id\":\"$0\"}},"
	"\"m.mentions\":{\"user_ids\":[\"@scobot:test\"]}}}]}}},"
	"\"invite\":{\"!i:test\":{\"invite_state\":{\"events\":["
	"{\"type\":\"m.room.encryption\",\"state_key\":\"\",\"sender\":\"@b:test\",\"content\":{}},"
	"{\"type\":\"m.room.member\",\"state_key\":\"@scobot:test\",\"sender\":\"@b:test\","
	"\"content\":{\"membership\":\"invite\"}}]}}},"
	"\"leave\":{\"!l:test\":{\"timeline\":{\"events\":[]}}}}}";

static const struct mx_room *find(const struct mx_sync *s, const char *id)
{
	for (size_t i = 0; i < s->n_rooms; i++)
		if (strcmp(s->rooms[i].room_id, id) == 0)
			return &s->rooms[i];
	return NULL;
}

TEST(sync_parses_joined_timeline_fields)
{
	struct mx_sync *s = parse(SYNC_OK);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STR(s->next_batch, "s9");
	const struct mx_room *r = find(s, "!r:test");
	CHECK(r && r->kind == MX_ROOM_JOIN);
	if (r) {
		CHECK_INT(r->joined_count, 2);
		CHECK(r->limited);
		CHECK_STR(r->prev_batch, "t3");
		CHECK_INT(r->n_timeline, 1);
		const struct mx_event *e = &r->timeline[0];
		CHECK_STR(e->event_id, "$1");
		CHECK_STR(e->sender, "@a:test");
		CHECK_STR(e->msgtype, "m.text");
		CHECK_STR(e->body, "!sco sg");
		CHECK_STR(e->formatted_body, "<b>x</b>");
		CHECK_STR(e->in_reply_to, "$0");
		CHECK_INT(e->origin_server_ts, 1700000000000LL);
		CHECK(mx_event_mentions(e, ME));
		CHECK(!mx_event_mentions(e, "@other:test"));
		CHECK_INT(r->n_state, 1);
		CHECK_STR(r->state[0].displayname, "SCO Bot");
		CHECK(!r->encrypted);
	}
	mx_sync_free(s);
}

TEST(body_with_a_nul_escape_is_not_cut_short)
{
	struct mx_sync *s = parse(
		"{\"next_batch\":\"s9\",\"rooms\":{\"join\":{\"!r:test\":{\"timeline\":{\"events\":["
		"{\"type\":\"m.room.message\",\"sender\":\"@a:test\",\"event_id\":\"$1\","
		"\"origin_server_ts\":1,\"content\":{\"msgtype\":\"m.text\","
		"\"body\":\"!sco search a\\u0000b\"}}]}}}}}");
	CHECK(s != NULL);
	if (!s)
		return;
	const struct mx_room *r = find(s, "!r:test");
	CHECK(r && r->n_timeline == 1);
	if (r && r->n_timeline == 1)
		CHECK_STR(r->timeline[0].body, "!sco search a\xEF\xBF\xBD" "b");
	mx_sync_free(s);
}

TEST(sync_parses_invite_with_inviter_and_encryption)
{
	struct mx_sync *s = parse(SYNC_OK);
	const struct mx_room *r = s ? find(s, "!i:test") : NULL;
	CHECK(r && r->kind == MX_ROOM_INVITE);
	if (r) {
		CHECK_STR(r->inviter, "@b:test");
		CHECK(r->encrypted);
	}
	const struct mx_room *l = s ? find(s, "!l:test") : NULL;
	CHECK(l && l->kind == MX_ROOM_LEAVE);
	mx_sync_free(s);
}

TEST(sync_rejects_invalid_json_and_missing_next_batch)
{
	struct mx_sync *s = NULL;
	const char *bad[] = {"", "{", "[]", "{\"rooms\":{}}", "{\"next_batch\":12345}",
			     "{\"next_batch\":\"\"}", "\"s1\"", "{\"next_batch\":\"s1\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(mx_sync_parse(bad[i], strlen(bad[i]), ME, &s), -EBADMSG);
	CHECK(s == NULL);
}

TEST(sync_skips_wrong_types_without_failing)
{
	struct mx_sync *s = parse(
		"{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!r:test\":{\"timeline\":{\"events\":["
		"{\"event_id\":7,\"sender\":[\"x\"],\"type\":\"m.room.message\"},"
		"{\"event_id\":\"$b\",\"sender\":\"@a:test\",\"type\":\"m.room.message\",\"content\":\"no\"},"
		"null,\"str\",3.5,"
		"{\"event_id\":\"$ok\",\"sender\":\"@a:test\",\"type\":\"m.room.message\","
		"\"content\":{\"msgtype\":\"m.text\",\"body\":42}}],\"limited\":\"yes\"}},"
		"\"!x:test\":7},\"invite\":\"x\",\"leave\":[1]}}");
	CHECK(s != NULL);
	if (!s)
		return;
	const struct mx_room *r = find(s, "!r:test");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->n_timeline, 2);  /* $b (no content) and $ok (no body) */
		CHECK(r->timeline[1].body == NULL);
		CHECK(!r->limited);
	}
	CHECK(find(s, "!x:test") == NULL);
	CHECK(s->skipped >= 7);
	mx_sync_free(s);
}

TEST(ids_with_control_characters_or_spaces_are_refused)
{
	struct mx_sync *s = parse(
		"{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!bad\\nroom:test\":{},"
		"\"!ok:test\":{\"timeline\":{\"events\":["
		"{\"event_id\":\"$a b\",\"sender\":\"@a:test\",\"type\":\"m.room.message\"},"
		"{\"event_id\":\"$c\",\"sender\":\"@a\\u202e:test\",\"type\":\"m.room.message\"},"
		"{\"event_id\":\"$d\",\"sender\":\"@a:test\",\"type\":\"m.room.message\"}]}}}}}");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(find(s, "!bad\nroom:test") == NULL);
	const struct mx_room *r = find(s, "!ok:test");
	CHECK(r && r->n_timeline == 1 && strcmp(r->timeline[0].event_id, "$d") == 0);
	mx_sync_free(s);
	struct mx_sync *t = NULL;
	const char *nb = "{\"next_batch\":\"s 1\"}";
	CHECK_INT(mx_sync_parse(nb, strlen(nb), ME, &t), -EBADMSG);
}

TEST(sync_bounds_events_per_room_keeping_newest)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "next_batch", "s1");
	cJSON *tl = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		cJSON_AddObjectToObject(root, "rooms"), "join"), "!r:test"), "timeline");
	cJSON *evs = cJSON_AddArrayToObject(tl, "events");
	for (int i = 0; i < MX_SYNC_MAX_EVENTS + 50; i++) {
		char id[32];
		snprintf(id, sizeof(id), "$%d", i);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "event_id", id);
		cJSON_AddStringToObject(e, "sender", "@a:test");
		cJSON_AddStringToObject(e, "type", "m.room.message");
		cJSON_AddItemToArray(evs, e);
	}
	char *json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	struct mx_sync *s = parse(json);
	free(json);
	CHECK(s && s->n_rooms == 1);
	if (s && s->n_rooms == 1) {
		CHECK_INT(s->rooms[0].n_timeline, MX_SYNC_MAX_EVENTS);
		char last[32];
		snprintf(last, sizeof(last), "$%d", MX_SYNC_MAX_EVENTS + 49);
		CHECK_STR(s->rooms[0].timeline[MX_SYNC_MAX_EVENTS - 1].event_id, last);
		CHECK_INT(s->skipped, 50);
	}
	mx_sync_free(s);
}

TEST(error_body_gives_errcode_and_retry_after)
{
	char ec[MX_ERRCODE_SIZE];
	int64_t ra;
	const char *b = "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"x\",\"retry_after_ms\":2000}";
	mx_parse_error(b, strlen(b), ec, &ra);
	CHECK_STR(ec, "M_LIMIT_EXCEEDED");
	CHECK_INT(ra, 2000);
	mx_parse_error("<html>", 6, ec, &ra);
	CHECK_STR(ec, "");
	CHECK_INT(ra, -1);
	b = "{\"errcode\":5,\"retry_after_ms\":\"10\"}";
	mx_parse_error(b, strlen(b), ec, &ra);
	CHECK_STR(ec, "");
	CHECK_INT(ra, -1);
}

TEST(string_field_checks_type_and_bound)
{
	char *v = NULL;
	const char *b = "{\"event_id\":\"$abc\"}";
	CHECK_INT(mx_parse_string_field(b, strlen(b), "event_id", 255, &v), 0);
	CHECK_STR(v, "$abc");
	free(v);
	v = NULL;
	b = "{\"event_id\":1}";
	CHECK_INT(mx_parse_string_field(b, strlen(b), "event_id", 255, &v), -EBADMSG);
	b = "{\"event_id\":\"$abcdef\"}";
	CHECK_INT(mx_parse_string_field(b, strlen(b), "event_id", 3, &v), -EBADMSG);
	CHECK(v == NULL);
}

TEST(filter_asks_only_for_needed_events)
{
	char *f = mx_build_filter(50, "@scobot:test");
	cJSON *j = cJSON_Parse(f);
	free(f);
	CHECK(j != NULL);
	const cJSON *tl = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "room"), "timeline");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(tl, "types")), 4);
	CHECK_INT(cJSON_GetObjectItem(tl, "limit")->valueint, 50);
	const cJSON *st = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "room"), "state");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(st, "lazy_load_members")));
	const cJSON *pr = cJSON_GetObjectItem(j, "presence");
	CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(pr, "not_types"), 0)->valuestring, "*");
	const cJSON *eph = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "room"), "ephemeral");
	CHECK(eph != NULL);
	cJSON_Delete(j);
}

TEST(notice_carries_reply_relation_html_and_empty_mentions)
{
	char *n = mx_build_notice("a \"b\"", "<b>a</b>", "$ev", NULL);
	cJSON *j = cJSON_Parse(n);
	free(n);
	CHECK_STR(cJSON_GetObjectItem(j, "msgtype")->valuestring, "m.notice");
	CHECK_STR(cJSON_GetObjectItem(j, "body")->valuestring, "a \"b\"");
	CHECK_STR(cJSON_GetObjectItem(j, "format")->valuestring, "org.matrix.custom.html");
	CHECK_STR(cJSON_GetObjectItem(j, "formatted_body")->valuestring, "<b>a</b>");
	const cJSON *irt = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "m.relates_to"), "m.in_reply_to");
	CHECK_STR(cJSON_GetObjectItem(irt, "event_id")->valuestring, "$ev");
	const cJSON *m = cJSON_GetObjectItem(j, "m.mentions");
	CHECK(cJSON_IsObject(m) && m->child == NULL);
	cJSON_Delete(j);
}

TEST(notice_in_a_thread_names_the_root)
{
	char *n = mx_build_notice("x", NULL, "$ev", "$root");
	cJSON *j = cJSON_Parse(n);
	free(n);
	const cJSON *rel = cJSON_GetObjectItem(j, "m.relates_to");
	CHECK_STR(cJSON_GetObjectItem(rel, "rel_type")->valuestring, "m.thread");
	CHECK_STR(cJSON_GetObjectItem(rel, "event_id")->valuestring, "$root");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(rel, "is_falling_back")));
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(rel, "m.in_reply_to"), "event_id")->valuestring, "$ev");
	CHECK(cJSON_GetObjectItem(j, "format") == NULL);
	cJSON_Delete(j);
}

TEST(login_is_password_with_user_identifier_and_device)
{
	char *l = mx_build_login("@scobot:test", "pw\"x", "SCOBOT");
	cJSON *j = cJSON_Parse(l);
	free(l);
	CHECK_STR(cJSON_GetObjectItem(j, "type")->valuestring, "m.login.password");
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "identifier"), "type")->valuestring, "m.id.user");
	CHECK_STR(cJSON_GetObjectItem(j, "password")->valuestring, "pw\"x");
	CHECK_STR(cJSON_GetObjectItem(j, "device_id")->valuestring, "SCOBOT");
	cJSON_Delete(j);
}

TEST(reply_fallback_is_stripped_from_body)
{
	const char *b = "> <@a:test> old question\n> more\n\n!sco sg 2011";
	size_t off = mx_strip_reply_fallback(b, strlen(b));
	CHECK_STR(b + off, "!sco sg 2011");
	CHECK_INT(mx_strip_reply_fallback("plain", 5), 0);
	CHECK_INT(mx_strip_reply_fallback("> only quote", 12), 0);
}

TEST(mx_reply_block_is_stripped_from_html)
{
	char *h = mx_strip_mx_reply("<mx-reply><blockquote>x</blockquote></mx-reply>hi <b>there</b>");
	CHECK_STR(h, "hi <b>there</b>");
	free(h);
	h = mx_strip_mx_reply("<mx-reply>unterminated");
	CHECK_STR(h, "");
	free(h);
}

TEST(txn_id_is_deterministic_and_distinct)
{
	char a[MX_TXN_ID_SIZE], b[MX_TXN_ID_SIZE], c[MX_TXN_ID_SIZE];
	mx_txn_id('r', "$abc:test", a);
	mx_txn_id('r', "$abc:test", b);
	mx_txn_id('r', "$abd:test", c);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK_CONTAINS(a, "scobot.r.");
	CHECK_INT(strlen(a), strlen("scobot.r.") + 32);
}

/* Touches every string the parse handed out, so ASan sees any dangling one. */
static size_t walk(const struct mx_sync *s)
{
	size_t n = strlen(s->next_batch);
	for (size_t i = 0; i < s->n_rooms; i++) {
		const struct mx_room *r = &s->rooms[i];
		n += strlen(r->room_id) + (r->inviter ? strlen(r->inviter) : 0);
		for (int pass = 0; pass < 2; pass++) {
			const struct mx_event *evs = pass ? r->state : r->timeline;
			size_t ne = pass ? r->n_state : r->n_timeline;
			for (size_t k = 0; k < ne; k++) {
				const struct mx_event *e = &evs[k];
				n += strlen(e->type) + strlen(e->sender);
				n += e->event_id ? strlen(e->event_id) : 0;
				n += e->body ? strlen(e->body) : 0;
				n += e->in_reply_to ? strlen(e->in_reply_to) : 0;
				n += mx_event_mentions(e, ME);
			}
		}
	}
	return n;
}

/* Deterministic mutations of a valid response (flipped, dropped, duplicated
 * bytes, truncation): every one parses or is refused, and never crashes. */
TEST(mutated_sync_bodies_parse_or_fail_cleanly)
{
	size_t len = strlen(SYNC_OK), ok = 0, bad = 0;
	char *buf = malloc(len * 2 + 1);
	uint64_t x = 0x1234567887654321ull;
	for (int it = 0; it < 20000; it++) {
		memcpy(buf, SYNC_OK, len + 1);
		size_t n = len;
		int edits = 1 + (int)(x % 4);
		for (int e = 0; e < edits; e++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t pos = (size_t)(x % n);
			static const char tok[] = "{}[]\",:0-9aenlturfs\\";
			switch ((x >> 32) % 4) {
			case 0: buf[pos] = tok[(x >> 40) % (sizeof(tok) - 1)]; break;
			case 1: memmove(buf + pos, buf + pos + 1, n - pos); n--; break;
			case 2: memmove(buf + pos + 1, buf + pos, n - pos + 1); n++; break;
			case 3: n = pos; buf[n] = 0; break;
			}
			if (n == 0)
				break;
		}
		struct mx_sync *s = NULL;
		if (mx_sync_parse(buf, n, ME, &s) == 0) {
			ok++;
			CHECK(walk(s) > 0);
			mx_sync_free(s);
		} else {
			bad++;
		}
	}
	free(buf);
	printf("# mutated bodies: %zu parsed, %zu refused\n", ok, bad);
	CHECK(ok > 0 && bad > 0);
}

struct seen_rooms {
	char ids[4][64];
	size_t n;
};

static void seen_room(void *ctx, const char *id)
{
	struct seen_rooms *s = ctx;
	if (s->n < 4)
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", id);
	s->n++;
}

TEST(joined_rooms_keep_only_room_ids_and_stop_at_max)
{
	struct seen_rooms s = {0};
	const char *b = "{\"joined_rooms\":[\"!a:x\",\"@user:x\",7,\"\",\"!b c:x\",\"!c:x\",\"!d:x\"]}";
	CHECK_INT(mx_joined_rooms_parse(b, strlen(b), 10, seen_room, &s), 3);
	CHECK_INT((int)s.n, 3);
	CHECK_STR(s.ids[0], "!a:x");
	CHECK_STR(s.ids[1], "!c:x");
	CHECK_STR(s.ids[2], "!d:x");
	memset(&s, 0, sizeof(s));
	CHECK_INT(mx_joined_rooms_parse(b, strlen(b), 2, seen_room, &s), 2);
	CHECK_INT((int)s.n, 2);
	const char *bad[] = {"", "[]", "{}", "{\"joined_rooms\":{}}", "{\"joined_rooms\":\"!a:x\"}",
			     "{\"joined_rooms\":[\"!a:x\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		CHECK_INT(mx_joined_rooms_parse(bad[i], strlen(bad[i]), 10, seen_room, &s), -EBADMSG);
		CHECK_INT((int)s.n, 0);
	}
	const char *none = "{\"joined_rooms\":[]}";
	CHECK_INT(mx_joined_rooms_parse(none, strlen(none), 10, seen_room, &s), 0);
}

TAP_MAIN
