/* bot.c: owns what the Discord bot answers and how: which messages and
 * interactions are for us, replays and cooldowns, and how an answer becomes
 * messages; pure (no I/O, no clock of its own, no logging), so its tests feed
 * events and read actions. */
#include "discord/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer.h"
#include "core/cooldown.h"
#include "core/engine.h"
#include "discord/seen.h"
#include "util/xalloc.h"

#define RENDER_BYTES (2 * ANSWER_MAX_BYTES + 64) /* a rendered answer, bytes */
#define DC_SNOWFLAKE_EPOCH_MS 1420070400000LL /* 2015-01-01, Unix ms (reference.mdx "Snowflakes") */
#define DC_REPLY_PARTS_MAX 8   /* messages one answer is cut into at most */

struct dc_bot {
	const struct adapter_host *host;
	char *prefix;
	char self_id[DC_SNOWFLAKE_MAX];
	char *app_id;          /* NULL until READY, REST or config */
	dc_bot_complete_fn *complete;
	void *complete_ctx;
	struct cooldown *cooldown;
	struct seen *seen;
	struct answer answer;  /* scratch: one event is handled at a time */
	char render[RENDER_BYTES];
	char question[ENGINE_MAX_INPUT + 1];  /* a question with our mentions removed */
};

void dc_actions_clear(struct dc_actions *acts)
{
	for (size_t i = 0; i < acts->n; i++) {
		struct dc_act *a = &acts->act[i];
		free(a->body);
		for (size_t k = 0; k < a->n_followups; k++)
			free(a->followups[k]);
	}
	acts->n = 0;
}

struct dc_bot *dc_bot_new(const struct dc_bot_config *cfg)
{
	struct dc_bot *bot = xcalloc(1, sizeof(*bot));
	bot->host = cfg->host;
	bot->prefix = xstrdup(cfg->prefix && *cfg->prefix ? cfg->prefix : "!sco");
	bot->app_id = cfg->application_id && *cfg->application_id
	                      ? xstrdup(cfg->application_id) : NULL;
	bot->complete = cfg->complete;
	bot->complete_ctx = cfg->complete_ctx;
	struct cooldown_config cc = {cfg->cooldown_user_max, cfg->cooldown_window_ms,
	                             cfg->cooldown_channel_max, cfg->cooldown_window_ms};
	bot->cooldown = cooldown_new(&cc);
	bot->seen = seen_new();
	return bot;
}

void dc_bot_free(struct dc_bot *bot)
{
	if (!bot)
		return;
	cooldown_free(bot->cooldown);
	seen_free(bot->seen);
	free(bot->prefix);
	free(bot->app_id);
	free(bot);
}

const char *dc_bot_self_id(const struct dc_bot *bot)
{
	return bot->self_id;
}

const char *dc_bot_app_id(const struct dc_bot *bot)
{
	return bot->app_id;
}

const char *dc_bot_prefix(const struct dc_bot *bot)
{
	return bot->prefix;
}

void dc_bot_on_ready(struct dc_bot *bot, const struct dc_ready *r)
{
	snprintf(bot->self_id, sizeof(bot->self_id), "%s", r->user_id);
	if (!bot->app_id && r->application_id)
		bot->app_id = xstrdup(r->application_id);
}

void dc_bot_learn_ids(struct dc_bot *bot, const char *user_id, const char *application_id)
{
	if (!bot->self_id[0] && user_id && *user_id)
		snprintf(bot->self_id, sizeof(bot->self_id), "%s", user_id);
	if (!bot->app_id && application_id && *application_id)
		bot->app_id = xstrdup(application_id);
}

/* Takes an action slot; NULL (and body freed) when the list is full. */
static struct dc_act *act_add(struct dc_actions *out, enum dc_act_kind kind, char *body,
                              const char *what)
{
	if (!body)
		return NULL;
	if (out->n >= DC_BOT_ACTIONS_MAX) {
		free(body);
		return NULL;
	}
	struct dc_act *a = &out->act[out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->body = body;
	snprintf(a->what, sizeof(a->what), "%s", what);
	return a;
}

/* Posts an answer as replies to message `reply_to` in channel: an embed when
 * the answer has fields, else Markdown split into parts under 2000
 * characters, each with its own nonce derived from the question's id.
 * received_ms > 0: an answer to a question that arrived then (host->sent is
 * told when its first message is sent); 0: a notice, not measured. */
static void post_answer(struct dc_bot *bot, const char *channel, const char *reply_to,
                        const struct answer *a, char nonce_prefix, int64_t received_ms,
                        struct dc_actions *out)
{
	char nonce[DC_NONCE_MAX + 1], what[DC_WHAT_MAX];
	snprintf(what, sizeof(what), "reply to %s in %s", reply_to, channel);
	if (a->nfield > 0) {
		dc_reply_nonce(reply_to, 0, nonce_prefix, nonce);
		struct dc_act *act = act_add(out, DC_ACT_REPLY,
		                             dc_build_embed_message(a, reply_to, nonce), what);
		if (act) {
			act->channel = channel;
			act->received_ms = received_ms;
		}
		return;
	}
	size_t len = answer_render(a, RENDER_MARKDOWN, bot->render, sizeof(bot->render));
	if (len >= sizeof(bot->render))
		len = strlen(bot->render);
	size_t off = 0;
	unsigned part = 0;
	while (off < len && part < DC_REPLY_PARTS_MAX) {
		size_t n = dc_split_content(bot->render + off, len - off, DC_CONTENT_MAX);
		if (n == 0)
			break;
		dc_reply_nonce(reply_to, part, nonce_prefix, nonce);
		/* Only the first part is a reply; the rest follow it. */
		struct dc_act *act = act_add(out, DC_ACT_REPLY,
		                             dc_build_message(bot->render + off, n,
		                                              part == 0 ? reply_to : NULL, nonce),
		                             what);
		if (act) {
			act->channel = channel;
			act->received_ms = part == 0 ? received_ms : 0;
		}
		off += n;
		part++;
	}
}

/* When a message or interaction was sent, for the cooldown: Discord's own
 * clock in its id (reference.mdx "Snowflakes": ms since 2015-01-01 in the top
 * 42 bits), which no user can set; so the events a resume replays in one go
 * are judged as they were asked, not as a flood. Both kinds use it, so a
 * host clock off from Discord's shifts them alike. */
static int64_t asked_at(const struct dc_clock *clock, const char *id)
{
	uint64_t v = strtoull(id, NULL, 10);
	return cooldown_asked_at(clock->now_ms, clock->wall_ms,
	                         (int64_t)(v >> 22) + DC_SNOWFLAKE_EPOCH_MS);
}

static void cooldown_notice(struct answer *a)
{
	enum lang l = a->lang >= 0 && a->lang < LANG_COUNT ? a->lang : LANG_EN;
	answer_init(a, l);
	answer_text(a, cooldown_notice_text(l));
	a->ephemeral = true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\n' || c == '\t';
}

size_t dc_bot_skip_self_mention(const char *self, const char *text, size_t len)
{
	size_t off = 0, total = 0;
	for (;;) {
		while (off < len && is_blank(text[off]))
			off++;
		size_t id_len = strlen(self);
		size_t start = off;
		if (off + 2 > len || text[off] != '<' || text[off + 1] != '@')
			break;
		off += 2;
		if (off < len && text[off] == '!')
			off++;
		if (off + id_len + 1 > len || strncmp(text + off, self, id_len) != 0
		    || text[off + id_len] != '>') {
			off = start;
			break;
		}
		off += id_len + 1;
		total = off;
	}
	if (!total)
		return 0;
	while (total < len && is_blank(text[total]))
		total++;
	return total;
}

size_t dc_bot_strip_self_mentions(const char *self, const char *text, size_t len, char *out,
                                  size_t size)
{
	size_t o = 0, id_len = strlen(self);
	for (size_t i = 0; i < len && o + 1 < size;) {
		if (text[i] == '<' && i + 1 < len && text[i + 1] == '@') {
			size_t k = i + 2;
			if (k < len && text[k] == '!')
				k++;
			if (k + id_len < len && strncmp(text + k, self, id_len) == 0
			    && text[k + id_len] == '>') {
				i = k + id_len + 1;
				continue;
			}
		}
		out[o++] = text[i++];
	}
	out[o] = '\0';
	return o;
}

void dc_bot_on_message(struct dc_bot *bot, const struct dc_message *m,
                       const struct dc_clock *clock, struct dc_actions *out)
{
	/* Never answer a bot (ourselves included): that is how bot loops start. */
	if (m->author_bot || strcmp(m->author_id, bot->self_id) == 0)
		return;
	/* message.mdx "Message Types": only what people type (0) and replies (19). */
	if (m->type != 0 && m->type != 19)
		return;
	const char *text = m->content;
	size_t len = m->content_len, skip = 0;
	bool addressed = false;
	if (bot->self_id[0] && (skip = dc_bot_skip_self_mention(bot->self_id, text, len)) > 0) {
		addressed = true;
		size_t rest;
		if (engine_strip_prefix(bot->prefix, text + skip, len - skip, &rest))
			skip += rest;
	} else if (engine_strip_prefix(bot->prefix, text, len, &skip)) {
		addressed = true;
	} else if (!m->guild_id) {
		addressed = true;  /* a DM is always for us */
	} else if (m->mentions_user) {
		/* Mentioned later in the text: answer the whole text, without the
		 * mention markup, which would only confuse the question. */
		addressed = true;
		len = dc_bot_strip_self_mentions(bot->self_id, text, len, bot->question,
		                                 sizeof(bot->question));
		text = bot->question;
	}
	if (!addressed)
		return;
	/* A replayed event (resume) is never answered twice. */
	if (seen_check_and_add(bot->seen, m->id))
		return;
	struct answer *a = &bot->answer;
	enum cooldown_verdict v = cooldown_check(bot->cooldown, m->author_id, m->channel_id,
	                                         asked_at(clock, m->id));
	if (v == COOLDOWN_SILENT)
		return;
	if (v == COOLDOWN_NOTICE) {
		a->lang = lang_detect(text, len);
		cooldown_notice(a);
		post_answer(bot, m->channel_id, m->id, a, 'n', 0, out);
		return;
	}
	struct respond_request req = {
		.platform = "discord",
		.room = m->channel_id,
		.user = m->author_id,
		.text = text + skip,
		.len = len - skip,
		.lang = LANG_NONE,
		.received_ms = clock->now_ms,
	};
	bot->host->respond(bot->host->ctx, &req, a);
	if (a->status == ANSWER_IGNORED)
		return;
	post_answer(bot, m->channel_id, m->id, a, 'r', req.received_ms, out);
}

static struct dc_act *callback_add(struct dc_actions *out, const struct dc_interaction *in,
                                   char *body)
{
	char what[DC_WHAT_MAX];
	snprintf(what, sizeof(what), "interaction %s", in->id);
	struct dc_act *a = act_add(out, DC_ACT_CALLBACK, body, what);
	if (a) {
		a->interaction_id = in->id;
		a->interaction_token = in->token;
	}
	return a;
}

static void on_autocomplete(struct dc_bot *bot, const struct dc_interaction *in,
                            struct dc_actions *out)
{
	char choices[DC_AUTOCOMPLETE_MAX][101];
	size_t n = 0;
	const char *partial = "";
	for (size_t i = 0; i < in->n_options; i++)
		if (in->options[i].focused)
			partial = in->options[i].value;
	enum lang lang = lang_from_locale(in->locale);
	if (bot->complete && in->subcommand && strcmp(in->subcommand, "sg") == 0)
		n = bot->complete(bot->complete_ctx, partial, strlen(partial), lang, choices,
		                  DC_AUTOCOMPLETE_MAX);
	callback_add(out, in, dc_build_autocomplete((const char (*)[101])choices, n));
}

void dc_bot_on_interaction(struct dc_bot *bot, const struct dc_interaction *in,
                           const struct dc_clock *clock, struct dc_actions *out)
{
	char text[ENGINE_MAX_INPUT];
	if (seen_check_and_add(bot->seen, in->id))
		return;
	if (in->type == DC_INTERACTION_AUTOCOMPLETE) {
		on_autocomplete(bot, in, out);
		return;
	}
	if (in->type != DC_INTERACTION_COMMAND)
		return;
	struct answer *a = &bot->answer;
	enum lang lang = lang_from_locale(in->locale);
	int64_t received = 0;  /* stays 0 for notices: only answers are measured */
	int tl = dc_interaction_text(in, text, sizeof(text));
	if (tl < 0) {
		answer_init(a, lang == LANG_NONE ? LANG_EN : lang);
		answer_text(a, "Unknown command.");
		a->ephemeral = true;
	} else if (cooldown_check(bot->cooldown, in->user_id, in->channel_id, asked_at(clock, in->id))
	           != COOLDOWN_OK) {
		/* A slash command must always get a response, so over the limit it
		 * is a short private notice, never silence. */
		a->lang = lang == LANG_NONE ? LANG_EN : lang;
		cooldown_notice(a);
	} else {
		struct respond_request req = {
			.platform = "discord",
			.room = in->channel_id,
			.user = in->user_id,
			.text = text,
			.len = (size_t)tl,
			.lang = lang,
			.received_ms = clock->now_ms,
		};
		bot->host->respond(bot->host->ctx, &req, a);
		received = req.received_ms;
		if (a->status == ANSWER_IGNORED) {
			answer_init(a, lang == LANG_NONE ? LANG_EN : lang);
			answer_text(a, "…");
			a->ephemeral = true;
		}
	}
	if (a->nfield > 0) {
		struct dc_act *act = callback_add(out, in, dc_build_interaction_embed(a, a->ephemeral));
		if (act)
			act->received_ms = received;
		return;
	}
	size_t len = answer_render(a, RENDER_MARKDOWN, bot->render, sizeof(bot->render));
	if (len >= sizeof(bot->render))
		len = strlen(bot->render);
	/* The first part answers the interaction; the rest follow as follow-up
	 * messages once that answer is in (receiving-and-responding.mdx
	 * "Followup Messages"). */
	size_t n = dc_split_content(bot->render, len, DC_CONTENT_MAX);
	struct dc_act *act = callback_add(out, in, dc_build_interaction_reply(bot->render, n,
	                                                                      a->ephemeral));
	if (!act)
		return;
	act->received_ms = received;
	if (n >= len)
		return;
	const char *app = in->application_id ? in->application_id : bot->app_id;
	if (!app)
		return;  /* cannot happen: Discord sends application_id with every interaction */
	act->followup_app = app;
	size_t off = n;
	while (off < len && act->n_followups < DC_FOLLOWUPS_MAX) {
		size_t k = dc_split_content(bot->render + off, len - off, DC_CONTENT_MAX);
		if (k == 0)
			break;
		char *body = dc_build_followup(bot->render + off, k, a->ephemeral);
		if (body)
			act->followups[act->n_followups++] = body;
		off += k;
	}
}
