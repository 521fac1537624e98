/* bot.c: owns what the Matrix bot answers and which rooms it joins: whether a
 * message is for us (prefix, mention, one-to-one room), what is skipped
 * (our own, notices, edits, answered, cooldown), invites against auto_join,
 * sync gaps to fetch and the encrypted-room notice; pure (no I/O, no clock),
 * so its tests feed parsed batches and read actions. */
#include "matrix/bot.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/answer.h"
#include "core/cooldown.h"
#include "core/engine.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BODY_MAX 8192                    /* rendered plain reply, bytes */
#define HTML_MAX 16384                   /* rendered HTML reply, bytes */
#define NAME_MIN 3                       /* shortest name that counts as a mention */
#define DEFAULT_NOTICE                                                        \
	"This room is end-to-end encrypted, and scobot cannot read encrypted "  \
	"messages, so it will not answer here. Use an unencrypted room, or run "\
	"scobot behind pantalaimon."

struct room {
	char *id;
	int64_t joined_count;  /* -1 unknown */
	bool encrypted;
	char *my_name;         /* our display name here */
};

struct mxbot {
	struct mx_state *st;   /* the persisted state: answered ids, duo rooms, notices */
	const struct adapter_host *host;
	char *me;
	char *prefix, *notice_text;
	bool notice_on;
	char **auto_join;
	size_t n_auto_join;
	struct cooldown *cooldown;
	struct room *rooms;
	size_t nrooms, rooms_cap;
	struct mxbot_stats stats;
	struct answer answer;  /* scratch for host->respond (~5 KiB) */
	char plain[BODY_MAX];
	char html[HTML_MAX];
};

struct mxbot *mxbot_new(const struct mxbot_config *cfg, struct mx_state *st)
{
	struct mxbot *b = xcalloc(1, sizeof(*b));
	b->st = st;
	b->host = cfg->host;
	b->prefix = xstrdup(cfg->prefix ? cfg->prefix : "!sco");
	b->notice_on = cfg->encrypted_room_notice;
	b->notice_text = xstrdup(cfg->encrypted_notice_text ? cfg->encrypted_notice_text
	                                                    : DEFAULT_NOTICE);
	b->n_auto_join = cfg->n_auto_join;
	if (b->n_auto_join) {
		b->auto_join = xcalloc(b->n_auto_join, sizeof(char *));
		for (size_t i = 0; i < b->n_auto_join; i++)
			b->auto_join[i] = xstrdup(cfg->auto_join[i]);
	}
	struct cooldown_config cc = {cfg->cooldown_count, cfg->cooldown_window_ms,
	                             cfg->cooldown_room_count, cfg->cooldown_window_ms};
	b->cooldown = cooldown_new(&cc);
	return b;
}

void mxbot_free(struct mxbot *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nrooms; i++) {
		free(b->rooms[i].id);
		free(b->rooms[i].my_name);
	}
	free(b->rooms);
	cooldown_free(b->cooldown);
	for (size_t i = 0; i < b->n_auto_join; i++)
		free(b->auto_join[i]);
	free(b->auto_join);
	free(b->prefix);
	free(b->notice_text);
	free(b->me);
	free(b);
}

void mxbot_set_me(struct mxbot *b, const char *me)
{
	free(b->me);
	b->me = xstrdup(me);
}

/* ---- rooms ---------------------------------------------------------------- */

static struct room *room_find(const struct mxbot *b, const char *id)
{
	for (size_t i = 0; i < b->nrooms; i++)
		if (strcmp(b->rooms[i].id, id) == 0)
			return &b->rooms[i];
	return NULL;
}

static struct room *room_get(struct mxbot *b, const char *id)
{
	struct room *r = room_find(b, id);
	if (r)
		return r;
	if (b->nrooms >= MXBOT_MAX_ROOMS)
		return NULL;
	if (b->nrooms == b->rooms_cap) {
		b->rooms_cap = b->rooms_cap ? b->rooms_cap * 2 : 16;
		b->rooms = xreallocarray(b->rooms, b->rooms_cap, sizeof(*b->rooms));
	}
	r = &b->rooms[b->nrooms++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	r->joined_count = mx_state_is_duo(b->st, id) ? 2 : -1;
	return r;
}

static void room_forget(struct mxbot *b, const char *id)
{
	struct room *r = room_find(b, id);
	if (r) {
		free(r->id);
		free(r->my_name);
		*r = b->rooms[--b->nrooms];
	}
	mx_state_forget_room(b->st, id);
}

void mxbot_joined(struct mxbot *b, const char *room)
{
	room_get(b, room);
}

bool mxbot_in_room(const struct mxbot *b, const char *room)
{
	return room_find(b, room) != NULL;
}

size_t mxbot_room_count(const struct mxbot *b)
{
	return b->nrooms;
}

void mxbot_get_stats(const struct mxbot *b, struct mxbot_stats *out)
{
	*out = b->stats;
}

/* ---- is it for us? -------------------------------------------------------- */

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (c & 0x80);
}

static bool ci_starts(const char *s, size_t len, const char *p, size_t plen)
{
	return plen && len >= plen && strncasecmp(s, p, plen) == 0 &&
	       (len == plen || !word_char(s[plen]));
}

/* p inside s as a whole word: "scobot, hi" and "hi @scobot" count, "scobots"
 * and "disco" (for a bot called "sco") do not. */
static const char *ci_find(const char *s, size_t len, const char *p, size_t plen)
{
	if (!plen || len < plen)
		return NULL;
	for (size_t i = 0; i + plen <= len; i++)
		if (strncasecmp(s + i, p, plen) == 0 && (i == 0 || !word_char(s[i - 1])) &&
		    (i + plen == len || !word_char(s[i + plen])))
			return s + i;
	return NULL;
}

/* Our localpart, for mentions when no display name is known. */
static size_t localpart(const char *uid, const char **ret)
{
	if (!uid || uid[0] != '@')
		return 0;
	const char *colon = strchr(uid, ':');
	*ret = uid + 1;
	return colon ? (size_t)(colon - uid - 1) : strlen(uid + 1);
}

/* True when the text addresses the bot; *skip is how much leading mention
 * ("scobot: ", "@scobot:test, ") to drop before asking the engine. */
static bool mentioned(const struct mxbot *b, const struct room *r, const struct mx_event *ev,
		      const char *text, size_t len, size_t *skip)
{
	*skip = 0;
	const char *names[3];
	size_t lens[3], n = 0;
	names[n] = b->me;
	lens[n++] = strlen(b->me);
	if (r && r->my_name && strlen(r->my_name) >= NAME_MIN) {
		names[n] = r->my_name;
		lens[n++] = strlen(r->my_name);
	}
	const char *lp;
	size_t lpl = localpart(b->me, &lp);
	if (lpl >= NAME_MIN) {
		names[n] = lp;
		lens[n++] = lpl;
	}
	bool hit = mx_event_mentions(ev, b->me);
	for (size_t i = 0; i < n; i++) {
		if (ci_starts(text, len, names[i], lens[i])) {
			size_t k = lens[i];
			while (k < len && (text[k] == ':' || text[k] == ',' || text[k] == ' '))
				k++;
			*skip = k;
			return true;
		}
		if (ci_find(text, len, names[i], lens[i]))
			hit = true;
	}
	return hit;
}

/* The thread a message belongs to, so the answer stays in it. */
static const char *thread_root(const struct mx_event *ev)
{
	return ev->rel_type && strcmp(ev->rel_type, "m.thread") == 0 ? ev->rel_event_id : NULL;
}

/* When the user asked, for the cooldown: live events count as asked now; a
 * backlog (the first sync of a run, the sync after an outage, a fetched gap)
 * by origin_server_ts, the sender's server's word, which cooldown_asked_at
 * only lets move an event back, and not far. */
static int64_t asked_at(const struct mx_event *ev, int64_t now, int64_t wall_ms, bool backlog)
{
	return backlog ? cooldown_asked_at(now, wall_ms, ev->origin_server_ts) : now;
}

static void send(const struct mxbot_sink *sink, const char *room, char kind, const char *seed,
		 const char *trigger, char *body, int64_t received_ms)
{
	struct mxbot_action a = {.kind = MXBOT_SEND, .room = room, .txn_kind = kind,
				 .txn_seed = seed, .trigger = trigger, .body = body,
				 .received_ms = received_ms};
	sink->act(sink->ctx, &a);
	free(a.body);  /* NULL unless the sink left it */
}

static void consider(struct mxbot *b, struct room *r, const char *room_id,
		     const struct mx_event *ev, int64_t now, int64_t asked,
		     const struct mxbot_sink *sink)
{
	if (strcmp(ev->type, "m.room.message") != 0 || !ev->body || !ev->msgtype)
		return;
	if (strcmp(ev->sender, b->me) == 0)
		return; /* our own replies come back in later syncs */
	/* MOD instant_messaging.md: m.notice must never be automatically answered
	 * (bot loops); edits (m.replace) would answer a question twice. */
	if (strcmp(ev->msgtype, "m.text") != 0)
		return;
	if (ev->rel_type && strcmp(ev->rel_type, "m.replace") == 0)
		return;
	if (mx_state_answered(b->st, ev->event_id) ||
	    sink->queued(sink->ctx, MXBOT_SEND, NULL, ev->event_id))
		return;

	size_t off = mx_strip_reply_fallback(ev->body, ev->body_len);
	const char *text = ev->body + off;
	size_t len = ev->body_len - off, rest, skip;
	if (engine_strip_prefix(b->prefix, text, len, &rest)) {
		text += rest;
		len -= rest;
	} else if (mentioned(b, r, ev, text, len, &skip)) {
		text += skip;
		len -= skip;
	} else if (!(r && r->joined_count == 2)) {
		return; /* not addressed to us, and not a one-to-one room */
	}

	char lbuf[128];
	switch (cooldown_check(b->cooldown, ev->sender, room_id, asked)) {
	case COOLDOWN_OK:
		break;
	case COOLDOWN_NOTICE:
		log_info("matrix: cooldown", "room=%s user=%s", room_id,
			 log_escape(ev->sender, strlen(ev->sender), lbuf, sizeof(lbuf)));
		send(sink, room_id, 'c', ev->event_id, ev->event_id,
		     mx_build_notice(cooldown_notice_text(lang_detect(text, len)), NULL,
				     ev->event_id, thread_root(ev)), 0);
		return;
	case COOLDOWN_SILENT:
		return;
	}

	struct respond_request req = {
		.platform = "matrix", .room = room_id, .user = ev->sender,
		.text = text, .len = len, .lang = LANG_NONE, .received_ms = now,
	};
	b->host->respond(b->host->ctx, &req, &b->answer);
	if (b->answer.status == ANSWER_IGNORED) {
		mx_state_add_answered(b->st, ev->event_id);
		return;
	}
	answer_render(&b->answer, RENDER_PLAIN, b->plain, sizeof(b->plain));
	answer_render(&b->answer, RENDER_HTML, b->html, sizeof(b->html));
	send(sink, room_id, 'r', ev->event_id, ev->event_id,
	     mx_build_notice(b->plain, b->html, ev->event_id, thread_root(ev)), now);
}

bool mxbot_invite_allowed(const struct mxbot *b, const char *room, const char *inviter)
{
	if (b->n_auto_join == 0)
		return true;
	for (size_t i = 0; i < b->n_auto_join; i++) {
		const char *a = b->auto_join[i];
		if (strcmp(a, room) == 0 || (inviter && strcmp(a, inviter) == 0))
			return true;
		/* "*:server" admits every user of that homeserver. */
		if (inviter && a[0] == '*' && a[1] == ':') {
			const char *colon = strchr(inviter, ':');
			if (colon && strcmp(colon, a + 1) == 0)
				return true;
		}
	}
	return false;
}

static void note_member(const struct mxbot *b, struct room *r, const struct mx_event *ev)
{
	if (strcmp(ev->type, "m.room.member") == 0 && ev->state_key &&
	    strcmp(ev->state_key, b->me) == 0 && ev->displayname && *ev->displayname &&
	    strlen(ev->displayname) <= MX_ID_MAX)
		mx_state_set(&r->my_name, ev->displayname);
}

/* Our own join is in this timeline: the gap before it is history from before
 * scobot was in the room, which it does not answer. (A display name change
 * looks the same; it only costs that one gap its backfill.) */
static bool joined_in(const struct mxbot *b, const struct mx_room *sr)
{
	for (size_t k = 0; k < sr->n_timeline; k++) {
		const struct mx_event *ev = &sr->timeline[k];
		if (strcmp(ev->type, "m.room.member") == 0 && ev->state_key &&
		    strcmp(ev->state_key, b->me) == 0 && ev->membership &&
		    strcmp(ev->membership, "join") == 0)
			return true;
	}
	return false;
}

/* ---- a batch -------------------------------------------------------------- */

struct candidate {
	const char *room_id;
	const struct mx_event *ev;
	int64_t asked;
	size_t order;
};

static int by_asked(const void *x_, const void *y_)
{
	const struct candidate *x = x_, *y = y_;
	if (x->asked != y->asked)
		return x->asked < y->asked ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void on_invite(struct mxbot *b, const struct mx_room *sr, const struct mxbot_sink *sink)
{
	char lbuf[128];
	if (room_find(b, sr->room_id) || sink->queued(sink->ctx, MXBOT_JOIN, sr->room_id, NULL))
		return;
	const char *who = sr->inviter ? sr->inviter : "(unknown)";
	if (!mxbot_invite_allowed(b, sr->room_id, sr->inviter)) {
		log_notice("matrix: ignoring invite outside auto_join", "room=%s inviter=%s",
			   sr->room_id, log_escape(who, strlen(who), lbuf, sizeof(lbuf)));
		b->stats.ignored_invites++;
		return;
	}
	log_info("matrix: invited, joining", "room=%s inviter=%s", sr->room_id,
		 log_escape(who, strlen(who), lbuf, sizeof(lbuf)));
	struct mxbot_action a = {.kind = MXBOT_JOIN, .room = sr->room_id};
	sink->act(sink->ctx, &a);
}

/* What a joined room's summary, state and gap say; the room's timeline
 * events join the candidates. */
static void on_joined_room(struct mxbot *b, struct room *r, const struct mx_room *sr,
			   const struct mxbot_batch *batch, const struct mxbot_sink *sink)
{
	if (sr->joined_count >= 0) {
		if ((r->joined_count == 2) != (sr->joined_count == 2))
			mx_state_set_duo(b->st, sr->room_id, sr->joined_count == 2);
		r->joined_count = sr->joined_count;
	}
	for (size_t k = 0; k < sr->n_state; k++)
		note_member(b, r, &sr->state[k]);
	if (sr->limited) {
		b->stats.gaps++;
		if (batch->first_sync || joined_in(b, sr)) {
			/* the backlog, or history from before we were here */
		} else if (sr->prev_batch && batch->can_backfill) {
			log_notice("matrix: sync gap, fetching the missed events", "room=%s",
				   sr->room_id);
			struct mxbot_action a = {.kind = MXBOT_BACKFILL, .room = sr->room_id,
						 .from = sr->prev_batch};
			sink->act(sink->ctx, &a);
		} else {
			log_warn("matrix: sync gap without a prev_batch, older events in this "
				 "room are not answered", "room=%s", sr->room_id);
		}
	}
}

static void encrypted_notice(struct mxbot *b, struct room *r, const struct mx_room *sr,
			     const struct mxbot_sink *sink)
{
	if (sr->encrypted && !r->encrypted) {
		r->encrypted = true;
		log_warn("matrix: room is end-to-end encrypted; scobot cannot read it",
			 "room=%s", sr->room_id);
	}
	if (r->encrypted && b->notice_on && !mx_state_noticed(b->st, sr->room_id) &&
	    !sink->queued(sink->ctx, MXBOT_SEND, sr->room_id, NULL)) {
		log_notice("matrix: posting the encrypted-room notice", "room=%s", sr->room_id);
		send(sink, sr->room_id, 'e', sr->room_id, NULL,
		     mx_build_notice(b->notice_text, NULL, NULL, NULL), 0);
	}
}

void mxbot_on_batch(struct mxbot *b, const struct mx_sync *s, const struct mxbot_batch *batch,
		    const struct mxbot_sink *sink)
{
	/* Messages are considered after every room is read, oldest first across
	 * rooms: a user asking in two rooms of one backlog must meet the
	 * cooldown in the order they asked, not in the order rooms are listed. */
	size_t qcap = 0, nq = 0;
	for (size_t i = 0; i < s->n_rooms; i++)
		qcap += s->rooms[i].n_timeline;
	struct candidate *q = qcap ? xcalloc(qcap, sizeof(*q)) : NULL;
	/* The backlog a first sync skips says nothing about the lag now. */
	b->stats.newest_event_ts = 0;
	for (size_t i = 0; i < s->n_rooms; i++) {
		const struct mx_room *sr = &s->rooms[i];
		if (sr->kind == MX_ROOM_LEAVE) {
			if (!batch->first_sync)
				log_notice("matrix: left room, forgetting it", "room=%s", sr->room_id);
			room_forget(b, sr->room_id);
			continue;
		}
		if (sr->kind == MX_ROOM_INVITE) {
			on_invite(b, sr, sink);
			continue;
		}
		struct room *r = room_get(b, sr->room_id);
		if (!r) {
			log_warn("matrix: too many rooms, ignoring one", "room=%s max=%d",
				 sr->room_id, MXBOT_MAX_ROOMS);
			continue;
		}
		on_joined_room(b, r, sr, batch, sink);
		for (size_t k = 0; k < sr->n_timeline; k++) {
			const struct mx_event *ev = &sr->timeline[k];
			note_member(b, r, ev);
			if (!batch->first_sync && ev->origin_server_ts > b->stats.newest_event_ts)
				b->stats.newest_event_ts = ev->origin_server_ts;
			/* Sent before a fresh start: history, even when a homeserver's
			 * response cache serves it again as new. */
			if (batch->not_before_ts && ev->origin_server_ts < batch->not_before_ts)
				continue;
			if (!batch->first_sync && nq < qcap) {
				q[nq] = (struct candidate){sr->room_id, ev,
							   asked_at(ev, batch->now, batch->wall_ms,
								    batch->backlog), nq};
				nq++;
			}
		}
		encrypted_notice(b, r, sr, sink);
	}
	if (nq)
		qsort(q, nq, sizeof(*q), by_asked);
	for (size_t i = 0; i < nq; i++) {
		/* Looked up now: room_get above may have moved the rooms. */
		struct room *r = room_find(b, q[i].room_id);
		if (r)
			consider(b, r, q[i].room_id, q[i].ev, batch->now, q[i].asked, sink);
	}
	free(q);
}

void mxbot_on_backfill(struct mxbot *b, const char *room, const struct mx_event *events,
		       size_t n, int64_t now, int64_t wall_ms, const struct mxbot_sink *sink)
{
	struct room *r = room_find(b, room);
	for (size_t i = 0; r && i < n; i++)
		consider(b, r, room, &events[i], now, asked_at(&events[i], now, wall_ms, true), sink);
}
