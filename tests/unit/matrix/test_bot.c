/* test_bot.c: the Matrix bot's decisions (matrix/bot.c) without a socket or a
 * sync loop: a /sync body, parsed by the real codec, and a clock go in; the
 * actions the sink receives are checked. The engine is a fake respond. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer.h"
#include "matrix/bot.h"
#include "matrix/codec.h"
#include "matrix/state.h"
#include "../tap.h"

#define ME "@scobot:test"
#define NOW 1000000
#define WALL 1800000000000LL

#define MAX_ACTS 32
struct rec {
	enum mxbot_act kind;
	char room[64], seed[64], trigger[64], from[64];
	char txn_kind;
	char body[1024];
	int64_t received_ms;
};

static struct {
	struct rec acts[MAX_ACTS];
	int n;
	int responds;
	bool ignore;
	char text[256];
	const char *queued_trigger;  /* pretend a send for it is queued */
} fake;

static void respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	fake.responds++;
	/* The question is a slice of the message: it never runs past its end. */
	CHECK(memchr(req->text, '\0', req->len) == NULL);
	snprintf(fake.text, sizeof(fake.text), "%.*s", (int)req->len, req->text);
	answer_init(out, LANG_EN);
	if (fake.ignore)
		out->status = ANSWER_IGNORED;
	else
		answer_text(out, "The answer.");
}

static const struct adapter_host host = {.respond = respond};

static bool sink_queued(void *ctx, enum mxbot_act kind, const char *room, const char *trigger)
{
	if (kind == MXBOT_SEND && trigger && fake.queued_trigger)
		return strcmp(trigger, fake.queued_trigger) == 0;
	return false;
}

static void sink_act(void *ctx, struct mxbot_action *a)
{
	if (fake.n >= MAX_ACTS)
		return;
	struct rec *r = &fake.acts[fake.n++];
	memset(r, 0, sizeof(*r));
	r->kind = a->kind;
	snprintf(r->room, sizeof(r->room), "%s", a->room);
	snprintf(r->seed, sizeof(r->seed), "%s", a->txn_seed ? a->txn_seed : "");
	snprintf(r->trigger, sizeof(r->trigger), "%s", a->trigger ? a->trigger : "");
	snprintf(r->from, sizeof(r->from), "%s", a->from ? a->from : "");
	snprintf(r->body, sizeof(r->body), "%s", a->body ? a->body : "");
	r->txn_kind = a->txn_kind;
	r->received_ms = a->received_ms;
	/* Leaving the body exercises the bot's own free (the sink need not take it). */
}

static const struct mxbot_sink sink = {.queued = sink_queued, .act = sink_act};

static struct mx_state st;

static struct mxbot *new_bot(const char *const *auto_join, size_t n, bool notice)
{
	memset(&fake, 0, sizeof(fake));
	mx_state_clear(&st);
	struct mxbot_config cfg = {.host = &host, .auto_join = auto_join, .n_auto_join = n,
				   .encrypted_room_notice = notice};
	struct mxbot *b = mxbot_new(&cfg, &st);
	mxbot_set_me(b, ME);
	return b;
}

static const struct mxbot_batch live = {.now = NOW, .wall_ms = WALL, .can_backfill = true};

/* Parses and feeds one /sync body given as printf format. */
static void feed(struct mxbot *b, const struct mxbot_batch *batch, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void feed(struct mxbot *b, const struct mxbot_batch *batch, const char *fmt, ...)
{
	char json[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(json, sizeof(json), fmt, ap);
	va_end(ap);
	struct mx_sync *s = NULL;
	if (mx_sync_parse(json, strlen(json), ME, &s) < 0) {
		printf("# unparsable test batch: %s\n", json);
		CHECK(0);
		return;
	}
	mxbot_on_batch(b, s, batch, &sink);
	mx_sync_free(s);
}

#define MSG(id, sender, body, ts)                                                  \
	"{\"type\":\"m.room.message\",\"event_id\":\"" id "\",\"sender\":\"" sender  \
	"\",\"origin_server_ts\":" #ts ",\"content\":{\"msgtype\":\"m.text\",\"body\":\"" body "\"}}"

static const char *joined(const char *events)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf),
		 "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!g:test\":{\"summary\":"
		 "{\"m.joined_member_count\":5},\"timeline\":{\"events\":[%s]}}}}}", events);
	return buf;
}

TEST(a_prefixed_question_becomes_one_reply)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(MSG("$e1", "@alice:test", "!sco help", 1)));
	CHECK_INT(fake.n, 1);
	CHECK_INT(fake.acts[0].kind, MXBOT_SEND);
	CHECK_STR(fake.acts[0].room, "!g:test");
	CHECK_INT(fake.acts[0].txn_kind, 'r');
	CHECK_STR(fake.acts[0].trigger, "$e1");
	CHECK_STR(fake.acts[0].seed, "$e1");
	CHECK_INT(fake.acts[0].received_ms, NOW);
	CHECK_CONTAINS(fake.acts[0].body, "m.notice");
	CHECK_CONTAINS(fake.acts[0].body, "The answer.");
	CHECK_STR(fake.text, "help");
	CHECK_INT(mxbot_room_count(b), 1);
	CHECK(mxbot_in_room(b, "!g:test"));
	mxbot_free(b);
}

TEST(our_own_notices_edits_and_chatter_are_skipped)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(
		MSG("$a", ME, "!sco help", 1) ","
		"{\"type\":\"m.room.message\",\"event_id\":\"$b\",\"sender\":\"@alice:test\","
		"\"content\":{\"msgtype\":\"m.notice\",\"body\":\"!sco help\"}},"
		"{\"type\":\"m.room.message\",\"event_id\":\"$c\",\"sender\":\"@alice:test\","
		"\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco help\","
		"\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"$x\"}}},"
		MSG("$d", "@alice:test", "who chairs the SCO?", 1)));
	CHECK_INT(fake.n, 0);
	CHECK_INT(fake.responds, 0);
	mxbot_free(b);
}

TEST(a_one_to_one_room_needs_no_prefix)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!dm:test\":{\"summary\":"
	     "{\"m.joined_member_count\":2},\"timeline\":{\"events\":["
	     MSG("$q", "@alice:test", "who is the SG?", 1) "]}}}}}");
	CHECK_INT(fake.n, 1);
	CHECK_STR(fake.text, "who is the SG?");
	/* Remembered across restarts: homeservers send the count only when it changes. */
	CHECK(mx_state_is_duo(&st, "!dm:test"));
	mxbot_free(b);
}

TEST(a_mention_by_localpart_addresses_the_bot_and_is_dropped)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(MSG("$m1", "@alice:test", "scobot: sg 2011", 1)));
	CHECK_INT(fake.n, 1);
	CHECK_STR(fake.text, "sg 2011");
	/* Inside a word it is not a mention. */
	feed(b, &live, "%s", joined(MSG("$m2", "@alice:test", "scobots are fun", 1)));
	CHECK_INT(fake.n, 1);
	/* Anywhere as a word, the whole text is the question. */
	feed(b, &live, "%s", joined(MSG("$m3", "@alice:test", "hi @scobot:test help", 1)));
	CHECK_INT(fake.n, 2);
	CHECK_STR(fake.text, "hi @scobot:test help");
	mxbot_free(b);
}

TEST(answered_or_queued_events_are_not_answered_again)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	mx_state_add_answered(&st, "$done");
	fake.queued_trigger = "$queued";
	feed(b, &live, "%s", joined(MSG("$done", "@alice:test", "!sco help", 1) ","
				    MSG("$queued", "@alice:test", "!sco help", 1)));
	CHECK_INT(fake.n, 0);
	CHECK_INT(fake.responds, 0);
	mxbot_free(b);
}

TEST(an_ignored_question_is_recorded_as_answered_without_a_reply)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	fake.ignore = true;
	feed(b, &live, "%s", joined(MSG("$i", "@alice:test", "!sco", 1)));
	CHECK_INT(fake.responds, 1);
	CHECK_INT(fake.n, 0);
	CHECK(mx_state_answered(&st, "$i"));
	mxbot_free(b);
}

TEST(over_the_cooldown_one_notice_then_silence)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(
		MSG("$c1", "@alice:test", "!sco help", 1) "," MSG("$c2", "@alice:test", "!sco help", 1) ","
		MSG("$c3", "@alice:test", "!sco help", 1) "," MSG("$c4", "@alice:test", "!sco help", 1) ","
		MSG("$c5", "@alice:test", "!sco help", 1) "," MSG("$c6", "@alice:test", "!sco help", 1) ","
		MSG("$c7", "@alice:test", "!sco help", 1)));
	CHECK_INT(fake.responds, 5);
	CHECK_INT(fake.n, 6);
	CHECK_INT(fake.acts[5].txn_kind, 'c');
	CHECK_STR(fake.acts[5].trigger, "$c6");
	CHECK_INT(fake.acts[5].received_ms, 0);
	mxbot_free(b);
}

TEST(a_backlog_is_answered_oldest_first_across_rooms)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	struct mxbot_batch backlog = live;
	backlog.backlog = true;
	feed(b, &backlog, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{"
	     "\"!a:test\":{\"timeline\":{\"events\":["
	     MSG("$late", "@alice:test", "!sco help", 1799999990000) "]}},"
	     "\"!b:test\":{\"timeline\":{\"events\":["
	     MSG("$early", "@alice:test", "!sco sg", 1799999980000) "]}}}}}");
	CHECK_INT(fake.n, 2);
	CHECK_STR(fake.acts[0].trigger, "$early");
	CHECK_STR(fake.acts[1].trigger, "$late");
	mxbot_free(b);
}

TEST(the_first_sync_skips_the_backlog)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	struct mxbot_batch first = live;
	first.first_sync = true;
	feed(b, &first, "%s", joined(MSG("$old", "@alice:test", "!sco help", 1)));
	CHECK_INT(fake.n, 0);
	CHECK_INT(mxbot_room_count(b), 1);  /* the room is learnt all the same */
	mxbot_free(b);
}

static const char *invite(const char *room, const char *inviter)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf),
		 "{\"next_batch\":\"s2\",\"rooms\":{\"invite\":{\"%s\":{\"invite_state\":{\"events\":["
		 "{\"type\":\"m.room.member\",\"state_key\":\"" ME "\",\"sender\":\"%s\","
		 "\"content\":{\"membership\":\"invite\"}}]}}}}}", room, inviter);
	return buf;
}

TEST(invites_are_joined_only_within_auto_join)
{
	const char *const aj[] = {"@boss:test", "*:friends.org", "!open:test"};
	struct mxbot *b = new_bot(aj, 3, false);
	feed(b, &live, "%s", invite("!r1:test", "@boss:test"));
	feed(b, &live, "%s", invite("!r2:test", "@anyone:friends.org"));
	feed(b, &live, "%s", invite("!open:test", "@stranger:evil.org"));
	CHECK_INT(fake.n, 3);
	CHECK_INT(fake.acts[0].kind, MXBOT_JOIN);
	CHECK_STR(fake.acts[0].room, "!r1:test");
	CHECK_STR(fake.acts[1].room, "!r2:test");
	CHECK_STR(fake.acts[2].room, "!open:test");
	feed(b, &live, "%s", invite("!r3:test", "@stranger:evil.org"));
	feed(b, &live, "%s", invite("!r4:test", "@x:friends.org.evil"));
	CHECK_INT(fake.n, 3);
	struct mxbot_stats stats;
	mxbot_get_stats(b, &stats);
	CHECK_INT(stats.ignored_invites, 2);
	CHECK(!mxbot_invite_allowed(b, "!r5:test", NULL));
	mxbot_free(b);
	/* An empty list admits everyone. */
	b = new_bot(NULL, 0, false);
	CHECK(mxbot_invite_allowed(b, "!r5:test", NULL));
	mxbot_free(b);
}

TEST(an_invite_to_a_room_we_are_in_is_not_joined_again)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	mxbot_joined(b, "!r1:test");
	feed(b, &live, "%s", invite("!r1:test", "@boss:test"));
	CHECK_INT(fake.n, 0);
	mxbot_free(b);
}

TEST(a_left_room_is_forgotten)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(""));
	CHECK(mxbot_in_room(b, "!g:test"));
	feed(b, &live, "{\"next_batch\":\"s3\",\"rooms\":{\"leave\":{\"!g:test\":{}}}}");
	CHECK(!mxbot_in_room(b, "!g:test"));
	CHECK_INT(mxbot_room_count(b), 0);
	mxbot_free(b);
}

static const char *gap(const char *extra)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf),
		 "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!g:test\":{\"timeline\":"
		 "{\"limited\":true,\"prev_batch\":\"p1\",\"events\":[%s]}}}}}", extra);
	return buf;
}

TEST(a_sync_gap_is_fetched_unless_it_is_history_before_our_join)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", gap(""));
	CHECK_INT(fake.n, 1);
	CHECK_INT(fake.acts[0].kind, MXBOT_BACKFILL);
	CHECK_STR(fake.acts[0].from, "p1");
	/* Our join in the timeline: what came before it is not ours to answer. */
	feed(b, &live, "%s", gap("{\"type\":\"m.room.member\",\"state_key\":\"" ME "\","
				 "\"event_id\":\"$j\",\"sender\":\"" ME "\","
				 "\"content\":{\"membership\":\"join\"}}"));
	CHECK_INT(fake.n, 1);
	/* No start token (a first sync): nothing to fetch back to. */
	struct mxbot_batch nostart = live;
	nostart.can_backfill = false;
	feed(b, &nostart, "%s", gap(""));
	CHECK_INT(fake.n, 1);
	struct mxbot_stats stats;
	mxbot_get_stats(b, &stats);
	CHECK_INT(stats.gaps, 3);
	mxbot_free(b);
}

TEST(fetched_gap_events_are_answered)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	struct mx_event ev = {.event_id = "$gap", .sender = "@alice:test", .type = "m.room.message",
			      .msgtype = "m.text", .body = "!sco help", .body_len = 9,
			      .origin_server_ts = WALL - 60000};
	mxbot_on_backfill(b, "!g:test", &ev, 1, NOW, WALL, &sink);
	CHECK_INT(fake.n, 0);  /* not a room we are in */
	mxbot_joined(b, "!g:test");
	mxbot_on_backfill(b, "!g:test", &ev, 1, NOW, WALL, &sink);
	CHECK_INT(fake.n, 1);
	CHECK_STR(fake.acts[0].trigger, "$gap");
	mxbot_free(b);
}

TEST(an_encrypted_room_gets_one_notice_when_asked_to)
{
	const char *enc = "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!e:test\":{\"state\":"
			  "{\"events\":[{\"type\":\"m.room.encryption\",\"state_key\":\"\","
			  "\"event_id\":\"$enc\",\"sender\":\"@alice:test\","
			  "\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}}]}}}}}";
	struct mxbot *b = new_bot(NULL, 0, true);
	feed(b, &live, "%s", enc);
	CHECK_INT(fake.n, 1);
	CHECK_INT(fake.acts[0].txn_kind, 'e');
	CHECK_STR(fake.acts[0].trigger, "");
	CHECK_CONTAINS(fake.acts[0].body, "end-to-end encrypted");
	mx_state_add_noticed(&st, "!e:test");
	feed(b, &live, "%s", enc);
	CHECK_INT(fake.n, 1);
	mxbot_free(b);
	b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", enc);
	CHECK_INT(fake.n, 0);
	mxbot_free(b);
}

TEST(our_display_name_counts_as_a_mention)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!g:test\":{\"state\":"
	     "{\"events\":[{\"type\":\"m.room.member\",\"state_key\":\"" ME "\",\"sender\":\"" ME "\","
	     "\"event_id\":\"$me\",\"content\":{\"membership\":\"join\","
	     "\"displayname\":\"Secretariat Bot\"}}]},"
	     "\"timeline\":{\"events\":[" MSG("$n", "@alice:test", "secretariat bot, help", 1) "]}}}}}");
	CHECK_INT(fake.n, 1);
	CHECK_STR(fake.text, "help");
	mxbot_free(b);
	mx_state_clear(&st);
}

/* ---- found by mutate.py: each of these failed to notice a broken line ---- */

TEST(a_mention_by_full_id_or_bare_localpart_is_dropped)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(MSG("$f1", "@alice:test", "@scobot:test: help", 1)));
	CHECK_STR(fake.text, "help");
	feed(b, &live, "%s", joined(MSG("$f2", "@alice:test", "scobot help", 1)));
	CHECK_INT(fake.n, 2);
	CHECK_STR(fake.text, "help");
	/* A word that only starts with the name is not a mention. */
	feed(b, &live, "%s", joined(MSG("$f3", "@alice:test", "scobot_fan says hi", 1) ","
				    MSG("$f4", "@alice:test", "scobot\u044b hi", 1) ","
				    MSG("$f5", "@alice:test", "scobot9 hi", 1)));
	CHECK_INT(fake.n, 2);
	mxbot_free(b);
}

TEST(only_text_messages_with_a_body_are_considered)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(
		"{\"type\":\"m.room.message\",\"event_id\":\"$x1\",\"sender\":\"@alice:test\","
		"\"content\":{\"body\":\"!sco help\"}},"
		"{\"type\":\"m.sticker\",\"event_id\":\"$x2\",\"sender\":\"@alice:test\","
		"\"content\":{\"msgtype\":\"m.text\",\"body\":\"!sco help\"}},"
		"{\"type\":\"m.room.message\",\"event_id\":\"$x3\",\"sender\":\"@alice:test\","
		"\"content\":{\"msgtype\":\"m.text\"}}"));
	CHECK_INT(fake.responds, 0);
	CHECK_INT(fake.n, 0);
	mxbot_free(b);
}

TEST(a_reply_carries_the_answer_as_html_too)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "%s", joined(MSG("$h", "@alice:test", "!sco help", 1)));
	CHECK_INT(fake.n, 1);
	CHECK_CONTAINS(fake.acts[0].body, "\"formatted_body\"");
	const char *fb = strstr(fake.acts[0].body, "\"formatted_body\"");
	CHECK(fb && strstr(fb, "The answer."));
	mxbot_free(b);
}

TEST(another_members_name_is_not_ours)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!g:test\":{\"state\":"
	     "{\"events\":[{\"type\":\"m.room.member\",\"state_key\":\"@alice:test\","
	     "\"sender\":\"@alice:test\",\"event_id\":\"$al\",\"content\":{\"membership\":"
	     "\"join\",\"displayname\":\"Alice Smith\"}}]},\"timeline\":{\"events\":["
	     MSG("$a1", "@bob:test", "alice smith, help", 1) "]}}}}}");
	CHECK_INT(fake.n, 0);
	mxbot_free(b);
}

TEST(our_name_is_learnt_from_any_state_or_timeline_event)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	/* The second state event, and then a rename in the timeline. */
	feed(b, &live, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!g:test\":{\"state\":"
	     "{\"events\":[{\"type\":\"m.room.topic\",\"state_key\":\"\",\"sender\":\"@a:test\","
	     "\"event_id\":\"$t\",\"content\":{\"topic\":\"x\"}},"
	     "{\"type\":\"m.room.member\",\"state_key\":\"" ME "\",\"sender\":\"" ME "\","
	     "\"event_id\":\"$m\",\"content\":{\"membership\":\"join\",\"displayname\":\"Sekretar\"}}]},"
	     "\"timeline\":{\"events\":[" MSG("$s1", "@bob:test", "sekretar, help", 1) "]}}}}}");
	CHECK_INT(fake.n, 1);
	feed(b, &live, "%s", joined(
		"{\"type\":\"m.room.member\",\"state_key\":\"" ME "\",\"sender\":\"" ME "\","
		"\"event_id\":\"$m2\",\"content\":{\"membership\":\"join\",\"displayname\":\"Clerk\"}},"
		MSG("$s2", "@bob:test", "clerk, help", 1)));
	CHECK_INT(fake.n, 2);
	CHECK_STR(fake.text, "help");
	mxbot_free(b);
}

TEST(only_our_own_join_marks_a_gap_as_history)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	/* Someone else joining, and our join second in the timeline. */
	feed(b, &live, "%s", gap("{\"type\":\"m.room.member\",\"state_key\":\"@bob:test\","
				 "\"event_id\":\"$bj\",\"sender\":\"@bob:test\","
				 "\"content\":{\"membership\":\"join\"}}"));
	CHECK_INT(fake.n, 1);
	feed(b, &live, "%s", gap(MSG("$q0", "@bob:test", "hello", 1) ","
				 "{\"type\":\"m.room.member\",\"state_key\":\"" ME "\","
				 "\"event_id\":\"$j2\",\"sender\":\"" ME "\","
				 "\"content\":{\"membership\":\"join\"}}"));
	CHECK_INT(fake.n, 1);
	/* Our invite (not a join) does not. */
	feed(b, &live, "%s", gap("{\"type\":\"m.room.member\",\"state_key\":\"" ME "\","
				 "\"event_id\":\"$i3\",\"sender\":\"@bob:test\","
				 "\"content\":{\"membership\":\"invite\"}}"));
	CHECK_INT(fake.n, 2);
	mxbot_free(b);
}

TEST(live_questions_asked_together_keep_their_order)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{"
	     "\"!z:test\":{\"timeline\":{\"events\":[" MSG("$o1", "@a:test", "!sco help", 1) ","
	     MSG("$o2", "@b:test", "!sco help", 1) "]}},"
	     "\"!a:test\":{\"timeline\":{\"events\":[" MSG("$o3", "@c:test", "!sco help", 1) "]}}}}}");
	CHECK_INT(fake.n, 3);
	CHECK_STR(fake.acts[0].trigger, "$o1");
	CHECK_STR(fake.acts[1].trigger, "$o2");
	CHECK_STR(fake.acts[2].trigger, "$o3");
	mxbot_free(b);
}

TEST(a_left_room_forgets_what_the_state_knew_of_it)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	feed(b, &live, "{\"next_batch\":\"s2\",\"rooms\":{\"join\":{\"!dm:test\":{\"summary\":"
	     "{\"m.joined_member_count\":2},\"state\":{\"events\":[{\"type\":\"m.room.member\","
	     "\"state_key\":\"" ME "\",\"sender\":\"" ME "\",\"event_id\":\"$n\",\"content\":"
	     "{\"membership\":\"join\",\"displayname\":\"Name\"}}]}}}}}");
	CHECK(mx_state_is_duo(&st, "!dm:test"));
	feed(b, &live, "{\"next_batch\":\"s3\",\"rooms\":{\"leave\":{\"!dm:test\":{}}}}");
	CHECK(!mx_state_is_duo(&st, "!dm:test"));
	CHECK(!mxbot_in_room(b, "!dm:test"));
	mxbot_free(b);
	mx_state_clear(&st);
}

TEST(the_newest_event_time_is_of_the_last_batch_only)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	struct mxbot_stats stats;
	feed(b, &live, "%s", joined(MSG("$t1", "@a:test", "hi", 1700000000500) ","
				    MSG("$t2", "@a:test", "hi", 1700000000900) ","
				    MSG("$t3", "@a:test", "hi", 1700000000700)));
	mxbot_get_stats(b, &stats);
	CHECK_INT(stats.newest_event_ts, 1700000000900);
	feed(b, &live, "%s", joined(""));
	mxbot_get_stats(b, &stats);
	CHECK_INT(stats.newest_event_ts, 0);
	struct mxbot_batch first = live;
	first.first_sync = true;
	feed(b, &first, "%s", joined(MSG("$t4", "@a:test", "hi", 1700000000999)));
	mxbot_get_stats(b, &stats);
	CHECK_INT(stats.newest_event_ts, 0);
	mxbot_free(b);
}

TEST(fetched_gap_events_are_judged_by_when_they_were_asked)
{
	struct mxbot *b = new_bot(NULL, 0, false);
	mxbot_joined(b, "!g:test");
	struct mx_event ev[6];
	char ids[6][8];
	for (int i = 0; i < 6; i++) {
		snprintf(ids[i], sizeof(ids[i]), "$b%d", i);
		ev[i] = (struct mx_event){.event_id = ids[i], .sender = "@alice:test",
					  .type = "m.room.message", .msgtype = "m.text",
					  .body = "!sco help", .body_len = 9,
					  .origin_server_ts = WALL - (6 - i) * 60000};
	}
	mxbot_on_backfill(b, "!g:test", ev, 6, NOW, WALL, &sink);
	CHECK_INT(fake.responds, 6);
	CHECK_INT(fake.n, 6);
	mxbot_free(b);
}

TAP_MAIN
