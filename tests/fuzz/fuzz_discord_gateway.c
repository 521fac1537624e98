/* fuzz_discord_gateway.c: bytes as what a gateway connection receives, through
 * the zlib-stream inflater, the payload codec, the gateway state machine (fake
 * transport, fake clock) and the dispatch-level parsers and reply builders the
 * adapter runs on MESSAGE_CREATE and INTERACTION_CREATE; it must not open a
 * socket or read a clock.
 *
 * Input: bytes starting with 0x78 (a zlib header) are a compressed stream; it
 * is cut into websocket messages after every 00 00 ff ff flush suffix, and
 * each of those is fed in two pieces to exercise buffering. Anything else is
 * uncompressed payloads separated by 0x1e (RS, as in RFC 7464 JSON text
 * sequences), the way a gateway without compression delivers them; there a
 * payload "CLOSE 4000" stands for the server closing with that code. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

#include "discord/codec.h"
#include "discord/gateway.h"
#include "discord/zstream.h"
#include "fuzz.h"
#include "util/log.h"
#include "util/utf8.h"

#define SELF_ID "111111111111111111"
#define TEXT_MAX 4096 /* bytes of the engine text built from an interaction */

/* What the state machine asked of the transport, acted on between messages
 * the way the adapter's websocket callbacks would. */
struct fake {
	bool want_open;   /* connect() was called: open it next */
	bool want_close;  /* close() was called: report on_close next */
	bool connected;   /* between on_open and on_close */
	int close_code;
	int64_t tick_at;
	unsigned sends;
};

static void f_connect(void *c, const char *url)
{
	FUZZ_CHECK(url && (strncmp(url, "ws://", 5) == 0 || strncmp(url, "wss://", 6) == 0));
	((struct fake *)c)->want_open = true;
}

static int f_send(void *c, const char *payload, size_t len)
{
	/* Whatever we send must be one JSON object within the gateway's limit. */
	FUZZ_CHECK(len <= DC_GATEWAY_MAX_SEND);
	cJSON *j = cJSON_ParseWithLength(payload, len);
	FUZZ_CHECK(cJSON_IsObject(j));
	cJSON_Delete(j);
	((struct fake *)c)->sends++;
	return 0;
}

static void f_close(void *c, int code, const char *reason)
{
	struct fake *f = c;
	f->want_close = true;
	f->close_code = code;
}

static void f_schedule(void *c, int64_t at)
{
	((struct fake *)c)->tick_at = at;
}

static int64_t f_permit(void *c, int shard, int64_t now)
{
	return 0;
}

/* The adapter's io_dispatch, minus the engine: parse, translate, build. */
static void on_message(const cJSON *d)
{
	struct dc_message m;
	if (dc_parse_message(d, SELF_ID, &m) < 0)
		return;
	FUZZ_CHECK(m.id && m.channel_id && m.author_id && m.content);
	FUZZ_CHECK(m.content_len == strlen(m.content));
	char nonce[DC_NONCE_MAX + 1];
	dc_reply_nonce(m.id, 0, 'r', nonce);
	FUZZ_CHECK(strlen(nonce) <= DC_NONCE_MAX);
	dc_reply_nonce(m.id, 7, 'r', nonce);
	FUZZ_CHECK(strlen(nonce) <= DC_NONCE_MAX);
	/* Echoing the content back in parts, as a long answer is sent. */
	size_t off = 0;
	unsigned parts = 0;
	while (off < m.content_len) {
		size_t n = dc_split_content(m.content + off, m.content_len - off, DC_CONTENT_MAX);
		FUZZ_CHECK(n > 0 && n <= m.content_len - off);
		FUZZ_CHECK(utf8_count(m.content + off, n) <= DC_CONTENT_MAX);
		char *body = dc_build_message(m.content + off, n, m.id, nonce);
		FUZZ_CHECK(body != NULL);
		cJSON *j = cJSON_Parse(body);
		FUZZ_CHECK(cJSON_IsObject(j));
		FUZZ_CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "allowed_mentions"), "parse")));
		cJSON_Delete(j);
		free(body);
		off += n;
		parts++;
	}
	/* Every part carries at least one character (up to 4 bytes). */
	FUZZ_CHECK(parts <= m.content_len);
}

static void on_interaction(const cJSON *d)
{
	struct dc_interaction in;
	if (dc_parse_interaction(d, &in) < 0)
		return;
	FUZZ_CHECK(in.id && in.token);
	FUZZ_CHECK(in.n_options <= DC_OPTIONS_MAX);
	char text[TEXT_MAX];
	int n = dc_interaction_text(&in, text, sizeof(text));
	if (n >= 0) {
		FUZZ_CHECK((size_t)n < sizeof(text) && strlen(text) == (size_t)n);
		char *body = dc_build_interaction_reply(text, (size_t)n, true);
		if (body) {
			cJSON *j = cJSON_Parse(body);
			FUZZ_CHECK(cJSON_IsObject(j));
			cJSON_Delete(j);
			free(body);
		}
	}
	if (in.type == DC_INTERACTION_AUTOCOMPLETE) {
		char choices[DC_OPTIONS_MAX][101];
		size_t nc = 0;
		for (size_t i = 0; i < in.n_options; i++)
			snprintf(choices[nc++], sizeof(choices[0]), "%s", in.options[i].value);
		char *body = dc_build_autocomplete(choices, nc);
		if (body) {
			cJSON *j = cJSON_Parse(body);
			FUZZ_CHECK(cJSON_IsObject(j));
			cJSON_Delete(j);
			free(body);
		}
	}
}

static void f_dispatch(void *c, const char *type, const cJSON *d)
{
	FUZZ_CHECK(type != NULL && strlen(type) < DC_EVENT_NAME_MAX);
	if (strcmp(type, "MESSAGE_CREATE") == 0) {
		on_message(d);
	} else if (strcmp(type, "INTERACTION_CREATE") == 0) {
		on_interaction(d);
	} else if (strcmp(type, "READY") == 0) {
		struct dc_ready r;
		if (dc_parse_ready(d, &r) == 0)
			FUZZ_CHECK(r.session_id && r.resume_gateway_url && r.user_id);
	}
}

static void f_ready(void *c, bool resumed) {}
static void f_progress(void *c) {}
static void f_fatal(void *c, int code, const char *message)
{
	FUZZ_CHECK(message != NULL);
}
static uint32_t f_random(void *c)
{
	return 0x9E3779B9u;
}

/* Every parser the codec exposes, on every payload, whatever its op says. */
static void parse_all(const char *json, size_t len)
{
	struct dc_payload p;
	memset(&p, 0x5A, sizeof(p));
	struct dc_payload untouched = p;
	int r = dc_payload_parse(json, len, &p);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL);
		FUZZ_CHECK(memcmp(&p, &untouched, sizeof(p)) == 0);
		return;
	}
	FUZZ_CHECK(memchr(p.t, '\0', sizeof(p.t)) != NULL);
	int64_t interval;
	if (dc_parse_hello(p.d, &interval) == 0)
		FUZZ_CHECK(interval > 0);
	(void)dc_parse_invalid_session(p.d);
	struct dc_ready ready;
	(void)dc_parse_ready(p.d, &ready);
	on_message(p.d);
	on_interaction(p.d);
	dc_payload_free(&p);
}

struct run {
	struct fake fake;
	struct gateway *gw;
	int64_t now;
};

/* Lets the fake transport do what the state machine asked, as the loop would. */
static void settle(struct run *r)
{
	for (int guard = 0; guard < 4; guard++) {
		if (r->fake.want_close) {
			r->fake.want_close = false;
			r->fake.connected = false;
			r->now += 10;
			gateway_on_close(r->gw, r->fake.close_code, false, r->now);
		} else if (r->fake.want_open) {
			r->fake.want_open = false;
			r->fake.connected = true;
			r->now += 10;
			gateway_on_open(r->gw, r->now);
		} else {
			return;
		}
	}
}

/* "CLOSE nnnn" (plain mode only) is the server closing with that code. */
static bool server_close(struct run *r, const char *p, size_t len)
{
	if (len < 7 || len > 12 || memcmp(p, "CLOSE ", 6) != 0)
		return false;
	char num[8];
	memcpy(num, p + 6, len - 6);
	num[len - 6] = '\0';
	if (r->fake.connected) {
		r->fake.connected = false;
		r->fake.want_close = false;
		r->now += 10;
		gateway_on_close(r->gw, atoi(num), true, r->now);
		settle(r);
	}
	return true;
}

static void deliver(struct run *r, const char *json, size_t len)
{
	if (server_close(r, json, len))
		return;
	parse_all(json, len);
	r->now += 250;
	if (r->fake.tick_at >= 0 && r->fake.tick_at <= r->now)
		gateway_tick(r->gw, r->now);
	settle(r);
	gateway_on_message(r->gw, json, len, r->now);
	settle(r);
}

/* One compressed websocket message; a corrupt stream ends the connection. */
static void feed(struct run *r, struct zstream *z, const uint8_t *p, size_t len)
{
	const char *msg;
	size_t mlen;
	int rc = zstream_feed(z, p, len, &msg, &mlen);
	if (rc == 1) {
		FUZZ_CHECK(mlen <= ZSTREAM_MAX_OUTPUT && msg[mlen] == '\0');
		deliver(r, msg, mlen);
	} else if (rc < 0) {
		FUZZ_CHECK(rc == -EBADMSG || rc == -EMSGSIZE);
		FUZZ_CHECK(zstream_feed(z, "x", 1, &msg, &mlen) < 0); /* stays broken */
		zstream_reset(z);
		if (r->fake.connected) {
			/* The adapter drops the connection: its dictionary is lost. */
			r->fake.connected = false;
			r->fake.want_close = false;
			r->now += 10;
			gateway_on_close(r->gw, 1006, false, r->now);
			settle(r);
		}
	} else {
		FUZZ_CHECK(rc == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gateway_io io_template = {
		.connect = f_connect, .send = f_send, .close = f_close, .schedule = f_schedule,
		.identify_permit = f_permit, .dispatch = f_dispatch, .ready = f_ready,
		.progress = f_progress, .fatal = f_fatal, .random = f_random,
	};
	static bool quiet;
	if (!quiet) {
		log_set_level(LOG_LVL_ERROR); /* the state machine narrates every step */
		quiet = true;
	}
	struct run r = {.fake = {.tick_at = -1}};
	struct gateway_io io = io_template;
	io.ctx = &r.fake;
	bool compressed = size > 0 && data[0] == 0x78;
	struct gateway_config cfg = {
		.token = "fuzz-token",
		.intents = DC_INTENT_GUILD_MESSAGES | DC_INTENT_MESSAGE_CONTENT,
		.shard_id = 0, .shard_count = 1, .presence = "!sco help",
		.url = "wss://gateway.discord.gg", .compress = compressed,
	};
	r.gw = gateway_new(&cfg, &io);
	FUZZ_CHECK(r.gw != NULL);
	gateway_start(r.gw, 0);
	settle(&r);

	if (compressed) {
		struct zstream *z = zstream_new();
		size_t start = 0;
		for (size_t i = 0; i + 4 <= size; i++) {
			if (memcmp(data + i, "\x00\x00\xff\xff", 4) != 0)
				continue;
			size_t end = i + 4, len = end - start;
			size_t half = len > 8 ? len / 2 : len;
			feed(&r, z, data + start, half);
			if (half < len)
				feed(&r, z, data + start + half, len - half);
			start = end;
			i = end - 1;
		}
		if (start < size)
			feed(&r, z, data + start, size - start); /* an unfinished tail */
		zstream_free(z);
	} else {
		size_t start = 0;
		for (size_t i = 0; i <= size; i++) {
			if (i < size && data[i] != 0x1e)
				continue;
			/* An exact-size copy, so a read past the payload is caught. */
			size_t len = i - start;
			char *payload = malloc(len ? len : 1);
			FUZZ_CHECK(payload != NULL);
			memcpy(payload, data + start, len);
			deliver(&r, payload, len);
			free(payload);
			start = i + 1;
		}
	}

	/* Time passing with nothing received: heartbeats, then a zombie. */
	for (int k = 0; k < 3 && r.fake.tick_at >= 0; k++) {
		r.now = r.fake.tick_at > r.now ? r.fake.tick_at : r.now + 1;
		gateway_tick(r.gw, r.now);
		settle(&r);
	}
	gateway_stop(r.gw, r.now);
	settle(&r);
	gateway_free(r.gw);
	return 0;
}
