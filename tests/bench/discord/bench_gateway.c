/* bench_gateway.c: how fast the Discord receive path ingests events and how
 * memory behaves with 10,000 guilds; in-process (no sockets), so it measures
 * scobot's own cost: zlib-stream inflate, payload parse, the gateway state
 * machine, MESSAGE_CREATE parse and the prefix check the adapter does.
 *
 *   bench_gateway [events]      prints events/s, RSS before/after */
#include <cjson/cJSON.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/engine.h"
#include "core/facts.h"
#include "discord/codec.h"
#include "discord/gateway.h"
#include "discord/zstream.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/log.h"

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static unsigned long long handled, commands;

static void d_connect(void *c, const char *u) {}
static int d_send(void *c, const char *p, size_t n) { return 0; }
static void d_close(void *c, int code, const char *r) {}
static void d_schedule(void *c, int64_t at) {}
static int64_t d_permit(void *c, int s, int64_t now) { return 0; }
static void d_dispatch(void *c, const char *t, const cJSON *d)
{
	if (strcmp(t, "MESSAGE_CREATE") == 0) {
		struct dc_message m;
		size_t rest;
		if (dc_parse_message(d, "900000000000000002", &m) == 0) {
			if (engine_strip_prefix("!sco", m.content, m.content_len, &rest))
				commands++;
		}
	}
	handled++;
}
static void d_ready(void *c, bool r) {}
static void d_progress(void *c) {}
static void d_fatal(void *c, int code, const char *m) {}
static uint32_t d_random(void *c) { return 12345; }

struct deflater {
	z_stream zs;
	unsigned char *out;
	size_t cap;
};

static size_t squeeze(struct deflater *d, const char *msg)
{
	size_t len = strlen(msg);
	if (d->cap < len + 1024) {
		d->cap = len + 1024;
		d->out = realloc(d->out, d->cap);
	}
	d->zs.next_in = (unsigned char *)msg;
	d->zs.avail_in = (uInt)len;
	d->zs.next_out = d->out;
	d->zs.avail_out = (uInt)d->cap;
	deflate(&d->zs, Z_SYNC_FLUSH);
	return d->cap - d->zs.avail_out;
}

static void feed(struct gateway *gw, struct zstream *z, struct deflater *d, const char *msg)
{
	const char *out;
	size_t n, len = squeeze(d, msg);
	if (zstream_feed(z, d->out, len, &out, &n) == 1)
		gateway_on_message(gw, out, n, 0);
}

int main(int argc, char **argv)
{
	long events = argc > 1 ? atol(argv[1]) : 200000;
	log_init(LOG_LVL_WARN);
	static const struct gateway_io io = {NULL, d_connect, d_send, d_close, d_schedule, d_permit,
	                                     d_dispatch, d_ready, d_progress, d_fatal, d_random};
	struct gateway_config cfg = {"tok", 37377, 0, 1, "!sco help", "wss://gw.example", true};
	struct gateway *gw = gateway_new(&cfg, &io);
	struct zstream *z = zstream_new();
	struct deflater d = {0};
	deflateInit(&d.zs, 6);
	gateway_start(gw, 0);
	gateway_on_open(gw, 0);
	feed(gw, z, &d, "{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}");
	long rss0 = rss_kib();

	/* READY with 10,000 guilds, then their GUILD_CREATEs. */
	enum { GUILDS = 10000 };
	size_t cap = GUILDS * 64 + 1024, used = 0;
	char *ready = malloc(cap);
	used += (size_t)snprintf(ready + used, cap - used,
	                         "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,\"session_id\":\"s\","
	                         "\"resume_gateway_url\":\"wss://r\",\"user\":{\"id\":\"900000000000000002\"},"
	                         "\"application\":{\"id\":\"1\"},\"guilds\":[");
	for (int i = 0; i < GUILDS; i++)
		used += (size_t)snprintf(ready + used, cap - used, "%s{\"id\":\"%d\",\"unavailable\":true}",
		                         i ? "," : "", 100000000 + i);
	snprintf(ready + used, cap - used, "]}}");
	feed(gw, z, &d, ready);
	free(ready);
	/* What discord.c does after a payload this big; and the sender's buffer
	 * (not part of scobot) goes back to its usual size. */
	free(d.out);
	d.out = NULL;
	d.cap = 0;
	malloc_trim(0);
	char buf[1024];
	for (int i = 0; i < GUILDS; i++) {
		snprintf(buf, sizeof(buf),
		         "{\"op\":0,\"s\":%d,\"t\":\"GUILD_CREATE\",\"d\":{\"id\":\"%d\",\"name\":\"guild %d\","
		         "\"member_count\":1234,\"channels\":[{\"id\":\"%d1\",\"type\":0,\"name\":\"general\"},"
		         "{\"id\":\"%d2\",\"type\":0,\"name\":\"random\"}],\"roles\":[{\"id\":\"%d\",\"name\":"
		         "\"@everyone\",\"permissions\":\"0\"}],\"emojis\":[],\"features\":[]}}",
		         i + 2, 100000000 + i, i, i, i, 100000000 + i);
		feed(gw, z, &d, buf);
	}
	long rss_guilds = rss_kib();

	int64_t t0 = clock_now_us();
	for (long i = 0; i < events; i++) {
		snprintf(buf, sizeof(buf),
		         "{\"op\":0,\"s\":%ld,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"1%017ld\",\"channel_id\":"
		         "\"800000000000000001\",\"guild_id\":\"100000007\",\"type\":0,\"content\":\"just "
		         "chatting about something else entirely %ld\",\"author\":{\"id\":\"7000000000000%05ld\","
		         "\"username\":\"someone\"},\"mentions\":[],\"attachments\":[],\"embeds\":[],"
		         "\"timestamp\":\"2026-01-01T00:00:00+00:00\",\"tts\":false,\"pinned\":false}}",
		         i + GUILDS + 2, i, i, i % 100000);
		feed(gw, z, &d, buf);
	}
	int64_t t1 = clock_now_us();
	long rss1 = rss_kib();
	double secs = (double)(t1 - t0) / 1e6;
	printf("events: %ld in %.3f s = %.0f events/s (incl. deflate on the sender side)\n", events,
	       secs, (double)events / secs);
	printf("handled=%llu commands=%llu\n", handled, commands);
	printf("RSS after hello: %ld KiB; after READY+10000 GUILD_CREATE: %ld KiB (+%ld); "
	       "after the run: %ld KiB\n", rss0, rss_guilds, rss_guilds - rss0, rss1);

	/* The sender's deflate is part of the loop above; time it alone. */
	int64_t t2 = clock_now_us();
	for (long i = 0; i < events; i++) {
		snprintf(buf, sizeof(buf),
		         "{\"op\":0,\"s\":%ld,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"1%017ld\",\"channel_id\":"
		         "\"800000000000000001\",\"guild_id\":\"100000007\",\"type\":0,\"content\":\"just "
		         "chatting about something else entirely %ld\",\"author\":{\"id\":\"7000000000000%05ld\","
		         "\"username\":\"someone\"},\"mentions\":[],\"attachments\":[],\"embeds\":[],"
		         "\"timestamp\":\"2026-01-01T00:00:00+00:00\",\"tts\":false,\"pinned\":false}}",
		         i, i, i, i % 100000);
		squeeze(&d, buf);
	}
	int64_t t3 = clock_now_us();
	double send_s = (double)(t3 - t2) / 1e6;
	printf("sender-side deflate alone: %.3f s; receive path alone: %.0f events/s\n", send_s,
	       (double)events / (secs - send_s));
	/* The CPU a command costs between its arrival and its POST body: parse,
	 * prefix, engine, Markdown, JSON body (what discord.c does per command). */
	struct facts *facts;
	struct facts_error ferr;
	if (facts_load_embedded(&facts, &ferr) == 0) {
		struct engine *e = engine_new(facts);
		static struct answer a;
		static char render[2 * ANSWER_MAX_BYTES + 64];
		const char *qs[] = {"!sco sg 2011", "!sco sgs", "!sco help", "!sco opened",
		                    "!sco who was secretary-general in 2015?", "!sco генсек 2020"};
		enum { N = 20000 };
		static int64_t lat[N];
		for (int i = 0; i < N; i++) {
			snprintf(buf, sizeof(buf),
			         "{\"id\":\"1%017d\",\"channel_id\":\"800000000000000001\",\"guild_id\":"
			         "\"1\",\"type\":0,\"content\":\"%s\",\"author\":{\"id\":\"7\"}}", i,
			         qs[i % 6]);
			int64_t a0 = clock_now_us();
			cJSON *j = cJSON_Parse(buf);
			struct dc_message m;
			size_t rest;
			if (dc_parse_message(j, "9", &m) == 0
			    && engine_strip_prefix("!sco", m.content, m.content_len, &rest)) {
				struct engine_query q = {m.content + rest, m.content_len - rest, LANG_NONE,
				                         LANG_EN, "!sco", date_days(2026, 12, 6)};
				engine_answer(e, &q, &a);
				char nonce[DC_NONCE_MAX + 1];
				dc_reply_nonce(m.id, 0, 'r', nonce);
				char *body;
				if (a.nfield) {
					body = dc_build_embed_message(&a, m.id, nonce);
				} else {
					size_t len = answer_render(&a, RENDER_MARKDOWN, render, sizeof(render));
					if (len >= sizeof(render))
						len = strlen(render);
					body = dc_build_message(render, dc_split_content(render, len, 2000),
					                        m.id, nonce);
				}
				free(body);
			}
			cJSON_Delete(j);
			lat[i] = clock_now_us() - a0;
		}
		for (int i = 1; i < N; i++)  /* insertion sort is fine for a bench */
			for (int k = i; k > 0 && lat[k - 1] > lat[k]; k--) {
				int64_t t = lat[k];
				lat[k] = lat[k - 1];
				lat[k - 1] = t;
			}
		printf("per command (parse+engine+render+body), us: p50=%lld p99=%lld max=%lld\n",
		       (long long)lat[N / 2], (long long)lat[N * 99 / 100], (long long)lat[N - 1]);
		engine_free(e);
		facts_free(facts);
	}
	deflateEnd(&d.zs);
	free(d.out);
	zstream_free(z);
	gateway_free(gw);
	return 0;
}
