/* test_robustness.c: mutated and truncated gateway payloads (from real
 * shapes) fed through the codec and the state machine must never crash, hang
 * or corrupt state; run under the sanitizer build this is a small fuzzer with
 * a fixed seed, so a failure reproduces. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discord/codec.h"
#include "discord/gateway.h"
#include "discord/zstream.h"
#include "tap.h"

#define ITERATIONS 20000

static const char *const seeds[] = {
	"{\"op\":10,\"d\":{\"heartbeat_interval\":41250,\"_trace\":[\"gw\"]}}",
	"{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,\"session_id\":\"abc\",\"resume_gateway_url\":"
	"\"wss://r.example\",\"user\":{\"id\":\"9\",\"bot\":true},\"application\":{\"id\":\"5\"},"
	"\"guilds\":[{\"id\":\"1\",\"unavailable\":true}]}}",
	"{\"op\":0,\"s\":2,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"10\",\"channel_id\":\"20\","
	"\"guild_id\":\"30\",\"type\":0,\"content\":\"<@9> sg 2011\",\"author\":{\"id\":\"40\"},"
	"\"mentions\":[{\"id\":\"9\"}]}}",
	"{\"op\":0,\"s\":3,\"t\":\"INTERACTION_CREATE\",\"d\":{\"id\":\"1\",\"token\":\"t\",\"type\":4,"
	"\"locale\":\"ru\",\"member\":{\"user\":{\"id\":\"5\"}},\"data\":{\"name\":\"sco\",\"options\":"
	"[{\"name\":\"sg\",\"type\":1,\"options\":[{\"name\":\"query\",\"type\":3,\"value\":\"20\","
	"\"focused\":true}]}]}}}",
	"{\"op\":7,\"d\":null}",
	"{\"op\":9,\"d\":false}",
	"{\"op\":11}",
	"{\"op\":1,\"d\":null}",
	"{\"op\":0,\"s\":4,\"t\":\"RESUMED\",\"d\":{}}",
};

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static size_t mutate(const char *seed, char *out, size_t cap)
{
	size_t len = strlen(seed);
	if (len >= cap)
		len = cap - 1;
	memcpy(out, seed, len);
	int edits = 1 + (int)(next() % 4);
	for (int e = 0; e < edits && len > 0; e++) {
		size_t at = next() % len;
		switch (next() % 5) {
		case 0: /* flip a byte */
			out[at] = (char)next();
			break;
		case 1: /* truncate */
			len = at;
			break;
		case 2: /* a structural character */
			out[at] = "{}[]\":,0n-"[next() % 10];
			break;
		case 3: /* duplicate a span */
			if (len * 2 < cap) {
				memmove(out + at + (len - at), out + at, len - at);
				len += len - at;
			}
			break;
		default: /* a huge number */
			if (len + 24 < cap) {
				memmove(out + at + 22, out + at, len - at);
				memcpy(out + at, "1e308,-99999999999999", 22);
				len += 22;
			}
			break;
		}
	}
	out[len] = '\0';
	return len;
}

static void n_connect(void *c, const char *u) {}
static int n_send(void *c, const char *p, size_t n) { return 0; }
static void n_close(void *c, int code, const char *r) {}
static void n_schedule(void *c, int64_t at) {}
static int64_t n_permit(void *c, int s, int64_t now) { return 0; }
static void n_dispatch(void *c, const char *t, const cJSON *d)
{
	struct dc_message m;
	struct dc_interaction in;
	struct dc_ready r;
	char text[256];
	dc_parse_message(d, "9", &m);
	if (dc_parse_interaction(d, &in) == 0)
		dc_interaction_text(&in, text, sizeof(text));
	dc_parse_ready(d, &r);
}
static void n_ready(void *c, bool r) {}
static void n_progress(void *c) {}
static void n_fatal(void *c, int code, const char *m) {}
static uint32_t n_random(void *c) { return next(); }

TEST(mutated_payloads_never_break_the_codec_or_the_state_machine)
{
	static const struct gateway_io io = {NULL, n_connect, n_send, n_close, n_schedule, n_permit,
	                                     n_dispatch, n_ready, n_progress, n_fatal, n_random};
	struct gateway_config cfg = {"tok", 1, 0, 1, "!sco help", "wss://gw.example", false};
	char buf[4096];
	int64_t now = 0;
	struct gateway *gw = gateway_new(&cfg, &io);
	gateway_start(gw, now);
	gateway_on_open(gw, now);
	for (int i = 0; i < ITERATIONS; i++) {
		const char *seed = seeds[next() % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = mutate(seed, buf, sizeof(buf));
		struct dc_payload p;
		if (dc_payload_parse(buf, len, &p) == 0) {
			int64_t iv;
			dc_parse_hello(p.d, &iv);
			dc_parse_invalid_session(p.d);
			n_dispatch(NULL, p.t, p.d);
			dc_payload_free(&p);
		}
		now += next() % 3000;
		gateway_on_message(gw, buf, len, now);
		gateway_tick(gw, now);
		enum gw_state st = gateway_state(gw);
		CHECK(st >= GW_IDLE && st <= GW_FATAL);
		/* Whatever happened, the machine can always reconnect. */
		if (st == GW_CLOSING || (next() % 50) == 0) {
			gateway_on_close(gw, 1006, false, now);
			gateway_tick(gw, now + GW_BACKOFF_CAP_MS);
			gateway_on_open(gw, now + GW_BACKOFF_CAP_MS);
			now += GW_BACKOFF_CAP_MS;
		}
		struct gw_session s;
		if (gateway_get_session(gw, &s))
			CHECK(s.seq >= 0 && strlen(s.session_id) < GW_SESSION_ID_MAX);
	}
	CHECK(gateway_state(gw) != GW_FATAL);  /* payloads alone can never be fatal */
	gateway_free(gw);
}

TEST(random_bytes_into_the_inflater_fail_cleanly)
{
	struct zstream *z = zstream_new();
	unsigned char junk[512];
	for (int i = 0; i < 2000; i++) {
		size_t n = next() % sizeof(junk);
		for (size_t k = 0; k < n; k++)
			junk[k] = (unsigned char)next();
		if (n >= 4 && next() % 2)
			memcpy(junk + n - 4, "\x00\x00\xff\xff", 4);
		const char *out;
		size_t olen;
		int rc = zstream_feed(z, junk, n, &out, &olen);
		CHECK(rc == 0 || rc == 1 || rc < 0);
		if (rc < 0)
			zstream_reset(z);
	}
	zstream_free(z);
}

TAP_MAIN
