/* bot.h: the Discord bot's decisions, with no I/O: a parsed message,
 * interaction or READY and the time go in, the requests to make come out as
 * actions (post this reply, answer this interaction) for the glue to send.
 *
 *   struct dc_actions acts;
 *   dc_bot_on_message(bot, &msg, &clock, &acts);
 *   for (size_t i = 0; i < acts.n; i++) ... send acts.act[i], taking its bodies ...
 *   dc_actions_clear(&acts);   // frees whatever the glue did not take
 *
 * Actions point into the parsed event (ids, tokens): they live as long as it.
 * Everything is decided here: whether a message is for us (prefix, mention,
 * DM), replays (seen ids), the cooldown, how an answer is cut into messages
 * and nonces. The engine is reached through host->respond. */
#ifndef SCOBOT_DISCORD_BOT_H
#define SCOBOT_DISCORD_BOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/host.h"
#include "core/lang.h"
#include "discord/codec.h"

#define DC_BOT_ACTIONS_MAX 8   /* actions one event makes: the parts of one answer */
#define DC_FOLLOWUPS_MAX 4     /* extra messages after a slash command's first answer */
#define DC_WHAT_MAX 96         /* bytes of an action's description for logs */

/* Suggestions for the sg argument (same shape as discord_complete_fn). */
typedef size_t dc_bot_complete_fn(void *ctx, const char *partial, size_t len, enum lang lang,
                                  char (*out)[101], size_t max);

/* The two clocks a decision needs: monotonic now (for host->sent latency) and
 * the wall clock (to read a snowflake's time for the cooldown). */
struct dc_clock {
	int64_t now_ms;   /* monotonic, ms */
	int64_t wall_ms;  /* Unix time, ms */
};

enum dc_act_kind {
	DC_ACT_REPLY,     /* POST /channels/{channel}/messages with body */
	DC_ACT_CALLBACK,  /* POST /interactions/{id}/{token}/callback with body, then followups */
};

struct dc_act {
	enum dc_act_kind kind;
	const char *channel;            /* REPLY */
	const char *interaction_id;     /* CALLBACK */
	const char *interaction_token;  /* CALLBACK; never logged */
	const char *followup_app;       /* CALLBACK with followups: the webhook's application */
	char *body;                     /* owned until taken (set to NULL) */
	char *followups[DC_FOLLOWUPS_MAX]; /* owned; sent in order once the callback succeeded */
	size_t n_followups;
	int64_t received_ms;            /* > 0: an answer; host->sent hears how it went */
	char what[DC_WHAT_MAX];         /* for logs: "reply to X in Y", "interaction X" */
};

struct dc_actions {
	struct dc_act act[DC_BOT_ACTIONS_MAX];
	size_t n;
};

/* Frees the bodies and follow-ups still owned and empties the list. */
void dc_actions_clear(struct dc_actions *acts);

struct dc_bot_config {
	const char *prefix;             /* NULL or "": "!sco" */
	const char *application_id;     /* NULL or "": learnt from READY or REST */
	int cooldown_user_max;          /* 0: the cooldown's default */
	int64_t cooldown_window_ms;
	int cooldown_channel_max;
	const struct adapter_host *host; /* respond is required; must outlive the bot */
	dc_bot_complete_fn *complete;   /* NULL: autocomplete offers nothing */
	void *complete_ctx;
};

struct dc_bot;

struct dc_bot *dc_bot_new(const struct dc_bot_config *cfg);
void dc_bot_free(struct dc_bot *bot);  /* accepts NULL */

/* MESSAGE_CREATE (parsed with dc_bot_self_id): zero or more REPLY actions. */
void dc_bot_on_message(struct dc_bot *bot, const struct dc_message *m,
                       const struct dc_clock *clock, struct dc_actions *out);
/* INTERACTION_CREATE: at most one CALLBACK action (a command always gets one
 * unless it is a replay or its body cannot be built). */
void dc_bot_on_interaction(struct dc_bot *bot, const struct dc_interaction *in,
                           const struct dc_clock *clock, struct dc_actions *out);
/* READY: who we are (always taken) and our application (if not known yet). */
void dc_bot_on_ready(struct dc_bot *bot, const struct dc_ready *r);
/* Ids learnt elsewhere (a saved session, GET /users/@me, GET
 * /oauth2/applications/@me): each is taken only when still unknown; NULL or
 * "" leaves it alone. */
void dc_bot_learn_ids(struct dc_bot *bot, const char *user_id, const char *application_id);

const char *dc_bot_self_id(const struct dc_bot *bot);  /* "" until known */
const char *dc_bot_app_id(const struct dc_bot *bot);   /* NULL until known */
const char *dc_bot_prefix(const struct dc_bot *bot);

/* The bot's own mentions, exposed for tests: bytes of leading "<@id>" /
 * "<@!id>" mentions (and the blanks after them) to skip, 0 when text does not
 * start with one; and text with every such mention removed. */
size_t dc_bot_skip_self_mention(const char *self, const char *text, size_t len);
size_t dc_bot_strip_self_mentions(const char *self, const char *text, size_t len, char *out,
                                  size_t size);

#endif
