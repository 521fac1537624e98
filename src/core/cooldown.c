/* cooldown.c: the GCRA table; owns the slots and each slot's key copy, and
 * never holds more than COOLDOWN_SLOTS of them. */
#include "core/cooldown.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct slot {
	char *key;          /* "u:<id>" or "c:<id>"; NULL when free */
	uint32_t hash;
	int64_t tat;        /* theoretical arrival time of the next answer, ms */
	int64_t last;       /* the latest time judged for this key (and eviction) */
	int64_t noticed;    /* when this key's last notice was given; NEVER: not yet */
};

struct limit {
	int64_t interval;   /* window / max: one answer's worth of allowance, ms */
	int64_t tolerance;  /* window - interval: how far tat may run ahead of now */
	int64_t window;     /* at most one notice per key in this long, ms */
};

#define NEVER (INT64_MIN / 2)

struct cooldown {
	struct limit user, channel;
	struct slot slots[COOLDOWN_SLOTS];
};

static struct limit limit_of(int max, int64_t window_ms, int def_max)
{
	if (max <= 0)
		max = def_max;
	if (window_ms <= 0)
		window_ms = 10000;
	/* A window shorter than max ms would make the interval 0 and the
	 * limit vanish; one ms per answer is the finest the clock gives. */
	int64_t interval = window_ms / max > 0 ? window_ms / max : 1;
	return (struct limit){interval, interval * (max - 1), window_ms};
}

struct cooldown *cooldown_new(const struct cooldown_config *cfg)
{
	struct cooldown_config c = cfg ? *cfg : (struct cooldown_config){0};
	struct cooldown *cd = xcalloc(1, sizeof(*cd));
	cd->user = limit_of(c.user_max, c.user_window_ms, 5);
	cd->channel = limit_of(c.channel_max, c.channel_window_ms, 15);
	return cd;
}

void cooldown_free(struct cooldown *cd)
{
	if (!cd)
		return;
	for (size_t i = 0; i < COOLDOWN_SLOTS; i++)
		free(cd->slots[i].key);
	free(cd);
}

static uint32_t hash(char kind, const char *s)
{
	uint32_t h = (2166136261u ^ (unsigned char)kind) * 16777619u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool same(const struct slot *s, uint32_t h, char kind, const char *id)
{
	return s->key && s->hash == h && s->key[0] == kind && strcmp(s->key + 2, id) == 0;
}

/* The slot for the key: its own, else a free one, else the least recently
 * seen among the probed ones (never `keep`, the other key of this check). */
static struct slot *lookup(struct cooldown *cd, char kind, const char *id, int64_t now,
                           const struct slot *keep)
{
	uint32_t h = hash(kind, id);
	struct slot *victim = NULL;
	for (unsigned i = 0; i < COOLDOWN_PROBES; i++) {
		struct slot *s = &cd->slots[(h + i) % COOLDOWN_SLOTS];
		if (same(s, h, kind, id)) {
			/* A key's time never goes back: two clocks read a moment
			 * apart (cooldown_asked_at) can put a later message 1 ms
			 * before an earlier one, and a question replayed out of
			 * order counts as asked with the newest one seen, not as
			 * too early for what came after it. */
			if (now > s->last)
				s->last = now;
			return s;
		}
		if (s == keep)
			continue;
		if (!victim || (victim->key && (!s->key || s->last < victim->last)))
			victim = s;
	}
	size_t n = strlen(id);
	free(victim->key);
	victim->key = xmalloc(n + 3);
	victim->key[0] = kind;
	victim->key[1] = ':';
	memcpy(victim->key + 2, id, n + 1);
	victim->hash = h;
	victim->tat = now;
	victim->last = now;
	victim->noticed = NEVER;
	return victim;
}

static bool allows(const struct slot *s, const struct limit *l, int64_t now)
{
	int64_t tat = s->tat > now ? s->tat : now;
	return tat - l->tolerance <= now;
}

static void take(struct slot *s, const struct limit *l, int64_t now)
{
	s->tat = (s->tat > now ? s->tat : now) + l->interval;
}

/* One notice per window, not one per refill: a flood that gets an answer
 * each time one answer's allowance comes back would otherwise be told to
 * wait again after every one of them. */
static enum cooldown_verdict refuse(struct slot *s, const struct limit *l)
{
	if (s->noticed != NEVER && s->last - s->noticed < l->window)
		return COOLDOWN_SILENT;
	s->noticed = s->last;
	return COOLDOWN_NOTICE;
}

enum cooldown_verdict cooldown_check(struct cooldown *cd, const char *user, const char *channel,
                                     int64_t now)
{
	struct slot *u = user ? lookup(cd, 'u', user, now, NULL) : NULL;
	struct slot *c = channel ? lookup(cd, 'c', channel, now, u) : NULL;
	if (u && !allows(u, &cd->user, u->last))
		return refuse(u, &cd->user);
	if (c && !allows(c, &cd->channel, c->last))
		return refuse(c, &cd->channel);
	if (u)
		take(u, &cd->user, u->last);
	if (c)
		take(c, &cd->channel, c->last);
	return COOLDOWN_OK;
}

const char *cooldown_notice_text(enum lang lang)
{
	static const char *const text[LANG_COUNT] = {
		"You are asking faster than I answer; please wait a few seconds.",
		"Слишком много вопросов подряд; подождите несколько секунд.",
		"提问太快了，请稍等几秒。",
	};
	return text[lang >= 0 && lang < LANG_COUNT ? lang : LANG_EN];
}

int64_t cooldown_asked_at(int64_t now_mono, int64_t now_wall, int64_t sent_wall)
{
	if (sent_wall <= 0 || now_wall <= 0)
		return now_mono;
	int64_t age = now_wall - sent_wall;
	if (age < 0)
		age = 0;
	if (age > COOLDOWN_BACKLOG_MS)
		age = COOLDOWN_BACKLOG_MS;
	return now_mono - age;
}
