/* codec.c: Matrix JSON parsing and building with cJSON; pure (no I/O, clock or
 * logging) and must never trust a field's type or a count from the network. */
#include "matrix/codec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonfix.h"
#include "util/xalloc.h"

static const char *get_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsString(it) || !it->valuestring)
		return NULL;
	return it->valuestring;
}

/* Matrix identifiers (user, room, event ids; sync tokens) are printable ASCII
 * without spaces (CS: Common Identifier Format, Historical User IDs). Refusing
 * anything else keeps control characters and bidi tricks out of logs and URLs. */
static bool id_ok(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || n >= max)
			return false;
	return n > 0;
}

/* An id-like string: non-empty, bounded, printable ASCII. */
static const char *get_id(const cJSON *obj, const char *key)
{
	const char *s = get_str(obj, key);
	if (!s || !id_ok(s, MX_ID_MAX))
		return NULL;
	return s;
}

static const cJSON *get_obj(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsObject(it) ? it : NULL;
}

static const cJSON *get_arr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsArray(it) ? it : NULL;
}

/* Fills ev from one ClientEvent; false (and skipped++) when it lacks the
 * fields every event must have (type, sender; event_id except for stripped
 * state) or is not an object. */
static bool parse_event(const cJSON *j, bool stripped, struct mx_event *ev, size_t *skipped)
{
	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(j)) {
		(*skipped)++;
		return false;
	}
	ev->type = get_str(j, "type");
	ev->sender = get_id(j, "sender");
	ev->event_id = get_id(j, "event_id");
	if (!ev->type || !ev->sender || (!stripped && !ev->event_id)) {
		(*skipped)++;
		return false;
	}
	ev->state_key = get_str(j, "state_key");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(j, "origin_server_ts");
	if (cJSON_IsNumber(ts) && ts->valuedouble >= 0 && ts->valuedouble < 9e15)
		ev->origin_server_ts = (int64_t)ts->valuedouble;
	const cJSON *c = get_obj(j, "content");
	if (!c)
		return true; /* redacted or malformed content: an event with no text */
	ev->msgtype = get_str(c, "msgtype");
	ev->body = get_str(c, "body");
	if (ev->body)
		ev->body_len = strlen(ev->body);
	const char *fmt = get_str(c, "format");
	if (fmt && strcmp(fmt, "org.matrix.custom.html") == 0)
		ev->formatted_body = get_str(c, "formatted_body");
	const cJSON *rel = get_obj(c, "m.relates_to");
	if (rel) {
		ev->rel_type = get_str(rel, "rel_type");
		ev->rel_event_id = get_id(rel, "event_id");
		const cJSON *irt = get_obj(rel, "m.in_reply_to");
		if (irt)
			ev->in_reply_to = get_id(irt, "event_id");
	}
	const cJSON *men = get_obj(c, "m.mentions");
	if (men)
		ev->mention_ids = get_arr(men, "user_ids");
	if (strcmp(ev->type, "m.room.member") == 0) {
		ev->membership = get_str(c, "membership");
		ev->displayname = get_str(c, "displayname");
	}
	return true;
}

static void note_encryption(struct mx_room *r, const struct mx_event *ev)
{
	if (strcmp(ev->type, "m.room.encryption") == 0 || strcmp(ev->type, "m.room.encrypted") == 0)
		r->encrypted = true;
}

/* Parses an events array (bounded) into a fresh array. */
static void parse_events(const cJSON *batch, bool stripped, struct mx_room *r, bool to_state,
			 size_t *skipped)
{
	const cJSON *arr = batch ? get_arr(batch, "events") : NULL;
	if (batch && !arr && cJSON_GetObjectItemCaseSensitive(batch, "events"))
		(*skipped)++;
	if (!arr)
		return;
	size_t n = (size_t)cJSON_GetArraySize(arr);
	if (n > MX_SYNC_MAX_EVENTS) {
		*skipped += n - MX_SYNC_MAX_EVENTS;
		n = MX_SYNC_MAX_EVENTS;
	}
	if (n == 0)
		return;
	struct mx_event *evs = xcalloc(n, sizeof(*evs));
	size_t k = 0, i = 0;
	const cJSON *it;
	/* The newest events are the ones worth answering: when over the bound, keep
	 * the tail of the array. */
	size_t total = (size_t)cJSON_GetArraySize(arr);
	cJSON_ArrayForEach(it, arr) {
		if (i++ < total - n)
			continue;
		if (parse_event(it, stripped, &evs[k], skipped)) {
			note_encryption(r, &evs[k]);
			k++;
		}
	}
	if (to_state) {
		r->state = evs;
		r->n_state = k;
	} else {
		r->timeline = evs;
		r->n_timeline = k;
	}
}

static void parse_joined(const cJSON *j, struct mx_room *r, size_t *skipped)
{
	r->joined_count = -1;
	const cJSON *sum = get_obj(j, "summary");
	if (sum) {
		const cJSON *jc = cJSON_GetObjectItemCaseSensitive(sum, "m.joined_member_count");
		if (cJSON_IsNumber(jc) && jc->valuedouble >= 0 && jc->valuedouble < 1e9)
			r->joined_count = (int64_t)jc->valuedouble;
	}
	parse_events(get_obj(j, "state"), false, r, true, skipped);
	const cJSON *tl = get_obj(j, "timeline");
	if (tl) {
		parse_events(tl, false, r, false, skipped);
		const cJSON *lim = cJSON_GetObjectItemCaseSensitive(tl, "limited");
		r->limited = cJSON_IsTrue(lim);
		if (lim && !cJSON_IsBool(lim))
			(*skipped)++;
		r->prev_batch = get_str(tl, "prev_batch");
	}
}

static void parse_invited(const cJSON *j, struct mx_room *r, const char *me, size_t *skipped)
{
	r->joined_count = -1;
	parse_events(get_obj(j, "invite_state"), true, r, true, skipped);
	for (size_t i = 0; i < r->n_state; i++) {
		const struct mx_event *ev = &r->state[i];
		if (strcmp(ev->type, "m.room.member") == 0 && ev->state_key && me &&
		    strcmp(ev->state_key, me) == 0 && ev->membership &&
		    strcmp(ev->membership, "invite") == 0)
			r->inviter = ev->sender;
	}
}

static void parse_section(const cJSON *rooms, const char *key, enum mx_room_kind kind,
			  const char *me, struct mx_sync *s, size_t cap)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(rooms, key);
	if (!sec)
		return;
	if (!cJSON_IsObject(sec)) {
		s->skipped++;
		return;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, sec) {
		if (s->n_rooms >= cap) {
			s->skipped++;
			continue;
		}
		if (!cJSON_IsObject(it) || !it->string || !id_ok(it->string, MX_ID_MAX)) {
			s->skipped++;
			continue;
		}
		struct mx_room *r = &s->rooms[s->n_rooms];
		memset(r, 0, sizeof(*r));
		r->room_id = it->string;
		r->kind = kind;
		if (kind == MX_ROOM_INVITE)
			parse_invited(it, r, me, &s->skipped);
		else
			parse_joined(it, r, &s->skipped);
		s->n_rooms++;
	}
}

/* One event with an unpaired surrogate escape must not make the whole batch
 * unreadable, or the sync could never advance past it; and a \u0000 must not
 * cut a body short at it. Both become U+FFFD. */
static cJSON *parse_tolerant(const char *json, size_t len)
{
	char *fixed = jsonfix_text_dup(json, len);
	cJSON *root = cJSON_ParseWithLength(fixed ? fixed : json, len);
	free(fixed);
	return root;
}

int mx_sync_parse(const char *json, size_t len, const char *me, struct mx_sync **ret_sync)
{
	cJSON *root = parse_tolerant(json, len);
	if (!root)
		return -EBADMSG;
	const char *nb = cJSON_IsObject(root) ? get_str(root, "next_batch") : NULL;
	if (!nb || !id_ok(nb, MX_ID_MAX * 4)) {
		cJSON_Delete(root);
		return -EBADMSG;
	}
	struct mx_sync *s = xcalloc(1, sizeof(*s));
	s->root = root;
	s->next_batch = nb;
	const cJSON *rooms = cJSON_GetObjectItemCaseSensitive(root, "rooms");
	if (rooms && !cJSON_IsObject(rooms)) {
		s->skipped++;
		rooms = NULL;
	}
	if (rooms) {
		size_t n = 0;
		const char *keys[] = {"join", "invite", "leave"};
		for (size_t k = 0; k < 3; k++) {
			const cJSON *sec = get_obj(rooms, keys[k]);
			if (sec)
				n += (size_t)cJSON_GetArraySize(sec);
		}
		if (n > MX_SYNC_MAX_ROOMS)
			n = MX_SYNC_MAX_ROOMS;
		if (n)
			s->rooms = xcalloc(n, sizeof(*s->rooms));
		/* Leaves first: a room left and re-joined in one batch ends joined. */
		parse_section(rooms, "leave", MX_ROOM_LEAVE, me, s, n);
		parse_section(rooms, "join", MX_ROOM_JOIN, me, s, n);
		parse_section(rooms, "invite", MX_ROOM_INVITE, me, s, n);
	}
	*ret_sync = s;
	return 0;
}

void mx_sync_free(struct mx_sync *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_rooms; i++) {
		free(s->rooms[i].timeline);
		free(s->rooms[i].state);
	}
	free(s->rooms);
	cJSON_Delete(s->root);
	free(s);
}

int mx_messages_parse(const char *json, size_t len, struct mx_messages **ret)
{
	cJSON *root = parse_tolerant(json, len);
	const cJSON *chunk = root && cJSON_IsObject(root) ? get_arr(root, "chunk") : NULL;
	if (!chunk) {
		cJSON_Delete(root);
		return -EBADMSG;
	}
	struct mx_messages *p = xcalloc(1, sizeof(*p));
	p->root = root;
	p->end = get_str(root, "end");
	if (p->end && !id_ok(p->end, MX_ID_MAX * 4)) {
		p->end = NULL;
		p->skipped++;
	}
	size_t total = (size_t)cJSON_GetArraySize(chunk);
	size_t n = total > MX_SYNC_MAX_EVENTS ? MX_SYNC_MAX_EVENTS : total;
	p->skipped += total - n;
	if (n)
		p->events = xcalloc(n, sizeof(*p->events));
	/* dir=b: the chunk is newest first. Keep its first n (the newest), and
	 * store them oldest first, the order they are answered in. */
	size_t i = 0, k = 0;
	const cJSON *it;
	struct mx_event ev;
	cJSON_ArrayForEach(it, chunk) {
		if (i++ >= n)
			break;
		if (parse_event(it, false, &ev, &p->skipped))
			p->events[k++] = ev;
	}
	for (size_t a = 0, b = k; a + 1 < b; a++, b--) {
		ev = p->events[a];
		p->events[a] = p->events[b - 1];
		p->events[b - 1] = ev;
	}
	p->n_events = k;
	*ret = p;
	return 0;
}

void mx_messages_free(struct mx_messages *p)
{
	if (!p)
		return;
	free(p->events);
	cJSON_Delete(p->root);
	free(p);
}

int mx_joined_rooms_parse(const char *json, size_t len, size_t max,
			  void (*each)(void *ctx, const char *room_id), void *ctx)
{
	cJSON *root = parse_tolerant(json, len);
	const cJSON *rooms = root && cJSON_IsObject(root) ? get_arr(root, "joined_rooms") : NULL;
	if (!rooms) {
		cJSON_Delete(root);
		return -EBADMSG;
	}
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, rooms) {
		if ((size_t)n >= max)
			break;
		const char *id = cJSON_IsString(it) ? it->valuestring : NULL;
		/* Room ids start with '!' (CS: Room IDs); anything else is skipped. */
		if (id && id[0] == '!' && id_ok(id, MX_ID_MAX)) {
			each(ctx, id);
			n++;
		}
	}
	cJSON_Delete(root);
	return n;
}

bool mx_event_mentions(const struct mx_event *ev, const char *user)
{
	if (!ev->mention_ids || !user)
		return false;
	const cJSON *it;
	cJSON_ArrayForEach(it, ev->mention_ids) {
		if (cJSON_IsString(it) && it->valuestring && strcmp(it->valuestring, user) == 0)
			return true;
	}
	return false;
}

void mx_parse_error(const char *json, size_t len, char errcode[MX_ERRCODE_SIZE],
		    int64_t *ret_retry_after_ms)
{
	errcode[0] = '\0';
	*ret_retry_after_ms = -1;
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root)
		return;
	const char *ec = cJSON_IsObject(root) ? get_str(root, "errcode") : NULL;
	if (ec)
		snprintf(errcode, MX_ERRCODE_SIZE, "%s", ec);
	const cJSON *ra = cJSON_IsObject(root) ?
		cJSON_GetObjectItemCaseSensitive(root, "retry_after_ms") : NULL;
	if (cJSON_IsNumber(ra) && ra->valuedouble >= 0 && ra->valuedouble < 9e15)
		*ret_retry_after_ms = (int64_t)ra->valuedouble;
	cJSON_Delete(root);
}

int mx_parse_string_field(const char *json, size_t len, const char *key, size_t max,
			  char **ret)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root)
		return -EBADMSG;
	const char *v = cJSON_IsObject(root) ? get_str(root, key) : NULL;
	int r = -EBADMSG;
	if (v && *v && strlen(v) <= max) {
		*ret = xstrdup(v);
		r = 0;
	}
	cJSON_Delete(root);
	return r;
}

/* cJSON allocates with malloc by default, so its strings are freed with free();
 * a NULL from printing means OOM, which scobot treats as fatal like xmalloc. */
static char *print_and_free(cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!s) {
		fprintf(stderr, "scobot: out of memory printing JSON\n");
		abort();
	}
	return s;
}

static cJSON *str_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

char *mx_build_filter(int timeline_limit, const char *me)
{
	/* API: definitions/sync_filter.yaml + room_event_filter.yaml; CS: Filtering. */
	static const char *const types[] = {"m.room.message", "m.room.member",
					    "m.room.encrypted", "m.room.encryption"};
	static const char *const none[] = {"*"};
	cJSON *f = cJSON_CreateObject();
	cJSON *presence = cJSON_AddObjectToObject(f, "presence");
	cJSON_AddItemToObject(presence, "not_types", str_array(none, 1));
	cJSON *ad = cJSON_AddObjectToObject(f, "account_data");
	cJSON_AddItemToObject(ad, "not_types", str_array(none, 1));
	cJSON *room = cJSON_AddObjectToObject(f, "room");
	cJSON *eph = cJSON_AddObjectToObject(room, "ephemeral");
	cJSON_AddItemToObject(eph, "not_types", str_array(none, 1));
	cJSON *rad = cJSON_AddObjectToObject(room, "account_data");
	cJSON_AddItemToObject(rad, "not_types", str_array(none, 1));
	cJSON *state = cJSON_AddObjectToObject(room, "state");
	cJSON_AddItemToObject(state, "types", str_array(types, 4));
	cJSON_AddBoolToObject(state, "lazy_load_members", 1);
	cJSON *tl = cJSON_AddObjectToObject(room, "timeline");
	cJSON_AddItemToObject(tl, "types", str_array(types, 4));
	cJSON_AddNumberToObject(tl, "limit", timeline_limit);
	cJSON_AddBoolToObject(tl, "lazy_load_members", 1);
	/* API: room_event_filter.yaml `not_senders`: the bot's own replies would
	 * otherwise end its long-poll, one extra /sync per answer. */
	if (me && *me)
		cJSON_AddItemToObject(tl, "not_senders", str_array(&me, 1));
	return print_and_free(f);
}

char *mx_build_login(const char *user, const char *password, const char *device_id)
{
	/* API: login.yaml; CS: Login, Password-based, Identifier types (m.id.user). */
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "type", "m.login.password");
	cJSON *id = cJSON_AddObjectToObject(j, "identifier");
	cJSON_AddStringToObject(id, "type", "m.id.user");
	cJSON_AddStringToObject(id, "user", user);
	cJSON_AddStringToObject(j, "password", password);
	if (device_id && *device_id)
		cJSON_AddStringToObject(j, "device_id", device_id);
	cJSON_AddStringToObject(j, "initial_device_display_name", "scobot");
	return print_and_free(j);
}

char *mx_build_notice(const char *body, const char *html, const char *in_reply_to,
		      const char *thread_root)
{
	/* MOD instant_messaging.md m.notice; MOD rich_replies.md (m.in_reply_to,
	 * no fallback); MOD mentions.md (an empty m.mentions pings nobody). */
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "msgtype", "m.notice");
	cJSON_AddStringToObject(j, "body", body);
	if (html) {
		cJSON_AddStringToObject(j, "format", "org.matrix.custom.html");
		cJSON_AddStringToObject(j, "formatted_body", html);
	}
	if (in_reply_to || thread_root) {
		cJSON *rel = cJSON_AddObjectToObject(j, "m.relates_to");
		if (thread_root) {
			/* MOD threading.md: a reply inside a thread names the root; the
			 * in_reply_to is a real reply, so is_falling_back is false. */
			cJSON_AddStringToObject(rel, "rel_type", "m.thread");
			cJSON_AddStringToObject(rel, "event_id", thread_root);
			cJSON_AddBoolToObject(rel, "is_falling_back", in_reply_to ? 0 : 1);
		}
		if (in_reply_to) {
			cJSON *irt = cJSON_AddObjectToObject(rel, "m.in_reply_to");
			cJSON_AddStringToObject(irt, "event_id", in_reply_to);
		}
	}
	cJSON_AddObjectToObject(j, "m.mentions");
	return print_and_free(j);
}

size_t mx_strip_reply_fallback(const char *body, size_t len)
{
	/* A fallback is one or more lines starting with "> " (or a bare ">"),
	 * followed by one empty line, then the reply itself. */
	size_t i = 0;
	bool quoted = false;
	while (i < len && body[i] == '>') {
		const char *nl = memchr(body + i, '\n', len - i);
		if (!nl)
			return 0; /* all quote, no reply: treat as plain text */
		i = (size_t)(nl - body) + 1;
		quoted = true;
	}
	if (!quoted)
		return 0;
	if (i < len && body[i] == '\n')
		i++;
	return i;
}

char *mx_strip_mx_reply(const char *html)
{
	const char *open = strstr(html, "<mx-reply>");
	if (!open)
		return xstrdup(html);
	const char *close = strstr(open, "</mx-reply>");
	if (!close)
		return xstrndup(html, (size_t)(open - html));
	close += strlen("</mx-reply>");
	size_t head = (size_t)(open - html), tail = strlen(close);
	char *out = xmalloc(head + tail + 1);
	memcpy(out, html, head);
	memcpy(out + head, close, tail + 1);
	return out;
}

/* Two independent 64-bit FNV-1a variants: 128 bits are enough that two event
 * ids (chosen by the homeserver, not by users) never share a txnId. */
void mx_txn_id(char kind, const char *seed, char out[MX_TXN_ID_SIZE])
{
	uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
	for (const unsigned char *p = (const unsigned char *)seed; *p; p++) {
		a = (a ^ *p) * 0x100000001b3ull;
		b = (b ^ (unsigned char)(*p + 0x5b)) * 0x100000001b3ull;
		b ^= b >> 29;
	}
	snprintf(out, MX_TXN_ID_SIZE, "scobot.%c.%016llx%016llx", kind,
		 (unsigned long long)a, (unsigned long long)b);
}
