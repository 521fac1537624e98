/* fuzz_discord_rest.c: bytes as a series of Discord REST responses (status,
 * headers, body) run through the rate limiter on a fake clock, and bodies
 * through the slash-command manifest comparison; it must not do I/O.
 *
 * Input: responses separated by 0x1e (RS). Each is an HTTP-like text:
 *
 *   429
 *   X-RateLimit-Bucket: abcd
 *   Retry-After: 1
 *
 *   {"retry_after": 1.5, "global": false}
 *
 * The first line is the status, header lines follow up to an empty line, the
 * rest is the body. "X-Fuzz-Elapsed: ms" (not a Discord header) moves the
 * fake clock before the request.
 *
 * Responses become struct rl_info through rl_info_parse(), the same pure
 * parser the adapter uses, so the limiter sees exactly what it would. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "discord/codec.h"
#include "discord/ratelimit.h"
#include "fuzz.h"
#include "util/log.h"

#define MAX_HEADERS 32          /* header lines kept per response */
#define MAX_RESPONSES 256       /* responses per input */
#define MAX_WAIT_MS (86400LL * 1000 + 1000) /* ms: seconds_to_ms caps at a day */

struct header {
	const char *name, *value; /* NUL-terminated, inside the response copy */
};

struct response {
	int status;
	struct header h[MAX_HEADERS];
	size_t nh;
	const char *body;
	size_t body_len;
};

static const char *header(void *ctx, const char *name)
{
	const struct response *r = ctx;
	for (size_t i = 0; i < r->nh; i++)
		if (strcasecmp(r->h[i].name, name) == 0)
			return r->h[i].value;
	return NULL;
}

static cJSON *fill_info(struct response *r, struct rl_info *in)
{
	cJSON *body = NULL;
	rl_info_parse(r->status, header, r, r->body, r->body_len, in, &body);
	return body;
}

/* Splits one response in place (buf is a private NUL-terminated copy). */
static void parse_response(char *buf, size_t len, struct response *r)
{
	memset(r, 0, sizeof(*r));
	char *p = buf, *end = buf + len;
	char *nl = memchr(p, '\n', (size_t)(end - p));
	char *line_end = nl ? nl : end;
	*line_end = '\0';
	r->status = (int)strtol(p, NULL, 10);
	if (r->status < 0 || r->status > 999)
		r->status = 0;
	p = nl ? nl + 1 : end;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line_end = nl ? nl : end;
		char *next = nl ? nl + 1 : end;
		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (line_end == p) { /* the empty line: the body follows */
			p = next;
			break;
		}
		*line_end = '\0';
		char *colon = strchr(p, ':');
		if (colon && r->nh < MAX_HEADERS) {
			*colon = '\0';
			char *v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			r->h[r->nh++] = (struct header){p, v};
		}
		p = next;
	}
	r->body = p < end ? p : "";
	r->body_len = p < end ? (size_t)(end - p) : 0;
}

static const char *const routes[] = {
	"POST /channels/{}/messages",
	"POST /interactions/{}/{}/callback",
	"GET /applications/{}/commands",
	"PUT /applications/{}/commands",
	"GET /gateway/bot",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	if (!quiet) {
		log_set_level(LOG_LVL_ERROR); /* 401s and 429s are logged by design */
		quiet = true;
	}
	struct ratelimit *rl = ratelimit_new();
	cJSON *manifest = dc_manifest_build();
	FUZZ_CHECK(manifest != NULL);
	int64_t now = 1000000; /* a monotonic clock well past zero */
	size_t start = 0, nresp = 0;
	unsigned invalid_sent = 0;
	for (size_t i = 0; i <= size && nresp < MAX_RESPONSES; i++) {
		if (i < size && data[i] != 0x1e)
			continue;
		size_t len = i - start;
		char *buf = malloc(len + 1);
		FUZZ_CHECK(buf != NULL);
		memcpy(buf, data + start, len);
		buf[len] = '\0';
		start = i + 1;

		struct response r;
		parse_response(buf, len, &r);
		const char *elapsed = header(&r, "X-Fuzz-Elapsed");
		if (elapsed) {
			long long ms = strtoll(elapsed, NULL, 10);
			if (ms > 0 && ms < 7LL * 86400 * 1000)
				now += ms;
		}
		const char *route = routes[nresp % (sizeof(routes) / sizeof(routes[0]))];
		char major[24];
		snprintf(major, sizeof(major), "%zu", 100000000000000000u + nresp % 7);
		bool exempt = strstr(route, "/interactions/") != NULL;

		/* Ask, wait as told (a few times), then send. */
		int64_t wait = 0;
		for (int tries = 0; tries < 4; tries++) {
			wait = ratelimit_acquire(rl, route, major, exempt, now);
			if (wait <= 0)
				break;
			FUZZ_CHECK(wait <= MAX_WAIT_MS);
			now += wait;
		}
		FUZZ_CHECK(wait == 0 || wait == -EPERM || wait > 0);
		if (wait == -EPERM)
			FUZZ_CHECK(ratelimit_stopped(rl));

		struct rl_info info;
		cJSON *body429 = fill_info(&r, &info);
		ratelimit_release(rl, route, major, &info, now);
		if (!exempt && wait == 0)
			ratelimit_global_done(rl, now);
		cJSON_Delete(body429);
		if (info.status == 401 || info.status == 403 || info.status == 429)
			invalid_sent++;
		if (info.status == 401)
			FUZZ_CHECK(ratelimit_stopped(rl));
		FUZZ_CHECK(ratelimit_bucket_count(rl) <= RL_MAX_BUCKETS);
		FUZZ_CHECK(ratelimit_invalid_count(rl, now) <= invalid_sent);

		/* GET .../commands: the body is compared with the wanted manifest. */
		cJSON *have = cJSON_ParseWithLength(r.body, r.body_len);
		if (cJSON_IsArray(have)) {
			bool eq = dc_manifest_equal(manifest, have);
			FUZZ_CHECK(eq == dc_manifest_equal(manifest, have)); /* pure */
		}
		cJSON_Delete(have);
		free(buf);
		nresp++;
	}
	/* The manifest must equal itself, whatever the limiter did. */
	FUZZ_CHECK(dc_manifest_equal(manifest, manifest));
	cJSON_Delete(manifest);
	ratelimit_free(rl);
	return 0;
}
