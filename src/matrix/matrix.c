/* matrix.c: wires the Matrix state machine (sync.c) to the net loop: HTTP
 * through http.h, one timer for every deadline; it must not decide anything
 * about the protocol itself, and never logs a token. */
#include "matrix/matrix.h"

#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "matrix/saver.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/timer.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/url.h"
#include "util/xalloc.h"

#define MX_CONNECT_TIMEOUT_MS 10000   /* DNS + TCP + TLS, ms */
#define MX_AUTH_HEADER_MAX 4200       /* "Authorization: Bearer " + token, bytes */
#define MX_TRIM_BODY_BYTES (256u << 10) /* after a body this big, return freed heap, bytes */
#define MX_HIST_BUCKETS 32            /* log2 buckets of callback time, us */

struct matrix {
	struct net_loop *loop;
	struct http_client *http;
	struct net_timer *timer;
	struct mxsync *sync;
	char *base;       /* homeserver URL without a trailing slash */
	char *ca_file;
	bool started, stopped;
	bool tls_told;          /* the refused certificate was logged as an error */
	struct mx_saver *saver; /* made at the first save, which names the path */
	/* Time the bot itself spends per HTTP response (parse, engine, building
	 * and starting the replies), as a log2 histogram in microseconds: the
	 * latency scobot adds, apart from the network and the homeserver. */
	uint64_t hist[MX_HIST_BUCKETS];
	uint64_t nhist;
	int64_t sync_lag_ms;  /* at the last sync with events, ms */
};

static void hist_add(struct matrix *mx, int64_t us)
{
	size_t b = 0;
	while (us > 1 && b + 1 < MX_HIST_BUCKETS) {
		us >>= 1;
		b++;
	}
	mx->hist[b]++;
	mx->nhist++;
}

/* Upper bound (us) of the bucket holding the p-th percentile. */
static int64_t hist_pct(const struct matrix *mx, unsigned p)
{
	if (!mx->nhist)
		return 0;
	uint64_t want = (mx->nhist * p + 99) / 100, seen = 0;
	for (size_t b = 0; b < MX_HIST_BUCKETS; b++) {
		seen += mx->hist[b];
		if (seen >= want)
			return (int64_t)1 << b;
	}
	return (int64_t)1 << (MX_HIST_BUCKETS - 1);
}

bool matrix_homeserver_ok(const char *url)
{
	/* The one rule (util/url.c) the config check applies too. */
	return url_allowed(url, URL_HTTP);
}

static void rearm(struct matrix *mx)
{
	if (mx->stopped)
		return;
	int64_t d = mxsync_next_deadline(mx->sync);
	if (d < 0) {
		net_timer_stop(mx->timer);
		return;
	}
	int64_t now = net_loop_now_ms(mx->loop);
	net_timer_start(mx->timer, d > now ? (uint64_t)(d - now) : 0, 0);
}

static void on_timer(struct net_timer *t, void *data)
{
	(void)t;
	struct matrix *mx = data;
	mxsync_tick(mx->sync, net_loop_now_ms(mx->loop));
	rearm(mx);
}

static void on_http(const struct http_response *resp, void *data)
{
	struct matrix *mx = data;
	struct mxsync_response r = {
		.id = resp->id,
		.transport_error = resp->error != HTTP_OK,
		.error_name = resp->error != HTTP_OK ? http_error_name(resp->error) : NULL,
		.status = resp->status,
		.body = resp->body,
		.body_len = resp->body_len,
		.retry_after = http_response_header(resp, "Retry-After"),
		/* origin_server_ts is wall time, so the lag must be too. */
		.wall_ms = clock_wall_ms(),
	};
	if (r.transport_error)
		log_debug("matrix: transport error", "err=%s detail=\"%s\"", r.error_name,
			  resp->error_msg);
	/* Once per spell of refusals: the sync layer's retry lines only say
	 * reason=tls, which alone does not tell the operator what to do. */
	if (resp->error == HTTP_ERR_TLS && !mx->tls_told) {
		mx->tls_told = true;
		net_log_tls_refusal("matrix", "matrix", resp->error_msg);
	} else if (resp->error == HTTP_OK) {
		mx->tls_told = false;
	}
	struct mxsync_stats before, after;
	mxsync_get_stats(mx->sync, &before);
	int64_t arrived = r.wall_ms;
	int64_t t0 = clock_now_us();
	mxsync_on_response(mx->sync, &r, net_loop_now_ms(mx->loop));
	hist_add(mx, clock_now_us() - t0);
	mxsync_get_stats(mx->sync, &after);
	if (after.syncs_ok != before.syncs_ok) {
		/* A server clock ahead of ours must not show as a negative lag. */
		int64_t lag = after.newest_event_ts > 0 ? arrived - after.newest_event_ts : 0;
		mx->sync_lag_ms = lag > 0 ? lag : 0;
	}
#ifdef __GLIBC__
	/* An initial sync of many rooms briefly needs megabytes for the body and
	 * its cJSON tree; hand them back so the steady-state RSS stays small. */
	if (resp->body_len > MX_TRIM_BODY_BYTES)
		malloc_trim(0);
#endif
	rearm(mx);
}

static int64_t io_request(void *ctx, const char *method, const char *path, const char *body,
			  const char *token, int64_t timeout_ms, size_t max_bytes)
{
	struct matrix *mx = ctx;
	size_t n = strlen(mx->base) + strlen(path) + 1;
	char *url = xmalloc(n);
	snprintf(url, n, "%s%s", mx->base, path);
	char auth[MX_AUTH_HEADER_MAX];
	const char *hdrs[2];
	size_t nh = 0;
	if (token) {
		/* API: CS "Using access tokens" -- the header, never the query string,
		 * so the token stays out of access logs. */
		int w = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		if (w < 0 || (size_t)w >= sizeof(auth)) {
			free(url);
			return -EINVAL;
		}
		hdrs[nh++] = auth;
	}
	if (body)
		hdrs[nh++] = "Content-Type: application/json";
	struct http_request req = {
		.method = method, .url = url, .headers = hdrs, .n_headers = nh,
		.body = body, .body_len = body ? strlen(body) : 0,
		.timeout_ms = timeout_ms, .connect_timeout_ms = MX_CONNECT_TIMEOUT_MS,
		/* A long-poll is silent until the server answers: the low-speed
		 * window must outlast it, and the total timeout still bounds it. */
		.low_speed_bytes = 1, .low_speed_seconds = (long)(timeout_ms / 1000) + 5,
		.max_response_bytes = max_bytes, .ca_file = mx->ca_file,
	};
	int64_t id = http_request_start(mx->http, &req, on_http, mx);
	memset(auth, 0, sizeof(auth));
	free(url);
	return id;
}

static void io_cancel(void *ctx, int64_t id)
{
	struct matrix *mx = ctx;
	http_request_cancel(mx->http, id);
}

static void io_save(void *ctx, const char *path, char *text, bool final)
{
	struct matrix *mx = ctx;
	if (!mx->saver)
		mx->saver = mx_saver_new(mx->loop, path);
	if (final)
		mx_saver_flush(mx->saver, text);
	else
		mx_saver_save(mx->saver, text);
}

struct matrix *matrix_new(struct net_loop *loop, const struct matrix_config *cfg,
			  const struct adapter_host *host)
{
	if (!matrix_homeserver_ok(cfg->homeserver)) {
		log_error("matrix: homeserver must be an https URL (http only for loopback)");
		return NULL;
	}
	struct matrix *mx = xcalloc(1, sizeof(*mx));
	mx->loop = loop;
	mx->base = xstrdup(cfg->homeserver);
	size_t bl = strlen(mx->base);
	while (bl > 0 && mx->base[bl - 1] == '/')
		mx->base[--bl] = '\0';
	mx->ca_file = cfg->ca_file ? xstrdup(cfg->ca_file) : NULL;
	struct mxsync_io io = {.ctx = mx, .request = io_request, .cancel = io_cancel,
			       .save = io_save};
	uint64_t seed = (uint64_t)net_loop_now_ms(loop) ^ ((uint64_t)getpid() << 32);
	struct matrix_config c = *cfg;
	if (!c.start_wall_ms)
		c.start_wall_ms = clock_wall_ms();
	mx->sync = mxsync_new(&c, host, &io, seed);
	if (!mx->sync) {
		free(mx->base);
		free(mx->ca_file);
		free(mx);
		return NULL;
	}
	mx->http = http_client_new(loop, NULL);
	if (!mx->http) {
		log_error("matrix: cannot create the HTTP client");
		mxsync_free(mx->sync);
		free(mx->base);
		free(mx->ca_file);
		free(mx);
		return NULL;
	}
	mx->timer = net_timer_new(loop, on_timer, mx);
	return mx;
}

int matrix_start(struct matrix *mx)
{
	if (mx->started)
		return -EALREADY;
	mx->started = true;
	mxsync_start(mx->sync, net_loop_now_ms(mx->loop));
	rearm(mx);
	return 0;
}

void matrix_stop(struct matrix *mx)
{
	if (!mx || mx->stopped)
		return;
	mx->stopped = true;
	net_timer_stop(mx->timer);
	mxsync_stop(mx->sync);
	log_info("matrix: stopped", "responses=%" PRIu64 " handling_p50_us<=%" PRId64
		 " handling_p99_us<=%" PRId64, mx->nhist, hist_pct(mx, 50), hist_pct(mx, 99));
}

void matrix_free(struct matrix *mx)
{
	if (!mx)
		return;
	matrix_stop(mx);
	net_timer_free(mx->timer);
	http_client_free(mx->http);
	mxsync_free(mx->sync);
	mx_saver_free(mx->saver);
	free(mx->base);
	free(mx->ca_file);
	free(mx);
}

void matrix_status(const struct matrix *mx, char *out, size_t size)
{
	char base[384];
	mxsync_status(mx->sync, net_loop_now_ms(mx->loop), base, sizeof(base));
	snprintf(out, size, "%s handling_p99_us<=%" PRId64, base, hist_pct(mx, 99));
}

void matrix_get_stats(const struct matrix *mx, struct mxsync_stats *out)
{
	mxsync_get_stats(mx->sync, out);
	out->sync_lag_ms = mx->sync_lag_ms;
}
