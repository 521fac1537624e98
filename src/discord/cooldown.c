/* cooldown.c: fixed-size cooldown table and seen-id ring; owns only their
 * arrays and must not grow them or read a clock. */
#include "discord/cooldown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct slot {
	char key[COOLDOWN_KEY_MAX];
	int64_t window_start;
	int count;
	bool noticed;
};

struct cooldown {
	struct cooldown_config cfg;
	struct slot slots[COOLDOWN_SLOTS];
};

struct cooldown *cooldown_new(const struct cooldown_config *cfg)
{
	struct cooldown *cd = xcalloc(1, sizeof(*cd));
	if (cfg)
		cd->cfg = *cfg;
	if (cd->cfg.user_max <= 0)
		cd->cfg.user_max = 5;
	if (cd->cfg.user_window_ms <= 0)
		cd->cfg.user_window_ms = 10000;
	if (cd->cfg.channel_max <= 0)
		cd->cfg.channel_max = 15;
	if (cd->cfg.channel_window_ms <= 0)
		cd->cfg.channel_window_ms = 10000;
	return cd;
}

void cooldown_free(struct cooldown *cd)
{
	free(cd);
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot for key: its own, a free or expired one, or else the one whose
 * window started longest ago (a user not seen for a while loses nothing). */
static struct slot *lookup(struct cooldown *cd, const char *key)
{
	uint32_t h = hash(key);
	struct slot *victim = NULL;
	for (unsigned i = 0; i < COOLDOWN_PROBES; i++) {
		struct slot *s = &cd->slots[(h + i) % COOLDOWN_SLOTS];
		if (strcmp(s->key, key) == 0)
			return s;
		if (s->key[0] == '\0') {
			if (!victim || victim->key[0] != '\0')
				victim = s;  /* a free slot beats any used one */
		} else if (!victim || (victim->key[0] != '\0'
		                       && s->window_start < victim->window_start)) {
			victim = s;
		}
	}
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	return victim;
}

static enum cooldown_verdict count(struct cooldown *cd, char kind, const char *id, int max,
                                   int64_t window, int64_t now)
{
	char key[COOLDOWN_KEY_MAX];
	snprintf(key, sizeof(key), "%c:%s", kind, id);
	struct slot *s = lookup(cd, key);
	if (s->count == 0 || now - s->window_start >= window) {
		s->window_start = now;
		s->count = 0;
		s->noticed = false;
	}
	if (s->count < max) {
		s->count++;
		return COOLDOWN_OK;
	}
	if (!s->noticed) {
		s->noticed = true;
		return COOLDOWN_NOTICE;
	}
	return COOLDOWN_SILENT;
}

enum cooldown_verdict cooldown_check(struct cooldown *cd, const char *user, const char *channel,
                                     int64_t now)
{
	enum cooldown_verdict v = COOLDOWN_OK, c = COOLDOWN_OK;
	if (user)
		v = count(cd, 'u', user, cd->cfg.user_max, cd->cfg.user_window_ms, now);
	if (v != COOLDOWN_OK)
		return v;
	if (channel)
		c = count(cd, 'c', channel, cd->cfg.channel_max, cd->cfg.channel_window_ms, now);
	return c;
}

struct seen {
	char ids[SEEN_RING_SIZE][SEEN_ID_MAX];
	unsigned head;
};

struct seen *seen_new(void)
{
	return xcalloc(1, sizeof(struct seen));
}

void seen_free(struct seen *s)
{
	free(s);
}

bool seen_check_and_add(struct seen *s, const char *id)
{
	if (!id || !*id)
		return false;
	for (unsigned i = 0; i < SEEN_RING_SIZE; i++)
		if (s->ids[i][0] && strcmp(s->ids[i], id) == 0)
			return true;
	snprintf(s->ids[s->head], SEEN_ID_MAX, "%s", id);
	s->head = (s->head + 1) % SEEN_RING_SIZE;
	return false;
}
