/* redis.c: the Redis connection on the net loop (hiredis async + its libuv
 * adapter); owns the hiredis context and its reconnect timer, and must never
 * block the loop, free a context from inside one of its callbacks, or log the
 * password. */
#include "net/redis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/sha.h>

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "net/net_internal.h"
#include "net/timer.h"
#include "util/log.h"
#include "util/xalloc.h"

enum redis_conn_state { RS_DOWN, RS_CONNECTING, RS_UP };

struct redis {
	struct net_loop *loop;
	struct redis_target t;
	char *password;
	redisAsyncContext *ac;           /* NULL while down */
	enum redis_conn_state state;
	struct net_timer *timer;         /* reconnect backoff, connect timeout, deferred reset */
	bool reset_pending;
	bool started, freeing;
	unsigned failures;               /* attempts failed in a row */
	bool down_logged;
	bool auth_logged;                /* a refused AUTH/SELECT was said (once until it works) */
	redis_state_fn *on_state;
	void *state_data;
};

/* One command in flight: hiredis hands it back with the reply. */
struct pending {
	struct redis *r;
	redis_reply_fn *cb;
	void *data;
};

/* ---- URL ------------------------------------------------------------------ */

static int parse_int(const char *s, size_t n, int lo, int hi, int *ret)
{
	int v = 0;
	if (n == 0 || n > 6)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

static bool numeric_host(const char *h)
{
	if (strcmp(h, "localhost") == 0)
		return true;
	bool colon = strchr(h, ':') != NULL;
	for (; *h; h++) {
		char c = *h;
		bool ok = (c >= '0' && c <= '9') || c == '.' ||
		          (colon && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'));
		if (!ok)
			return false;
	}
	return true;
}

int redis_url_parse(const char *url, struct redis_target *ret, char *why, size_t whysize)
{
	struct redis_target t;
	memset(&t, 0, sizeof(t));
	if (strncmp(url, "unix://", 7) == 0) {
		const char *p = url + 7, *q = strchr(p, '?');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		if (n == 0 || p[0] != '/' || n >= sizeof(t.path)) {
			snprintf(why, whysize, "expected unix:///absolute/path/to/redis.sock[?db=N]");
			return -EINVAL;
		}
		memcpy(t.path, p, n);
		t.unix_socket = true;
		if (q && (strncmp(q, "?db=", 4) != 0 || parse_int(q + 4, strlen(q + 4), 0, 15, &t.db) < 0)) {
			snprintf(why, whysize, "the only query is ?db=N with N from 0 to 15");
			return -EINVAL;
		}
		*ret = t;
		return 0;
	}
	if (strncmp(url, "redis://", 8) != 0) {
		snprintf(why, whysize, "expected redis://HOST:PORT[/DB] or unix:///path/to/redis.sock");
		return -EINVAL;
	}
	const char *p = url + 8, *hend, *port;
	if (strchr(p, '@')) {
		snprintf(why, whysize, "no user or password in the URL: give the password as the "
		                       "redis-password credential");
		return -EINVAL;
	}
	if (*p == '[') {
		hend = strchr(p, ']');
		if (!hend || hend[1] != ':') {
			snprintf(why, whysize, "expected redis://[IPv6]:PORT[/DB]");
			return -EINVAL;
		}
		p++;
		port = hend + 2;
	} else {
		hend = strchr(p, ':');
		if (!hend) {
			snprintf(why, whysize, "expected redis://HOST:PORT[/DB] (the port is required)");
			return -EINVAL;
		}
		port = hend + 1;
	}
	size_t hn = (size_t)(hend - p);
	if (hn == 0 || hn >= sizeof(t.host)) {
		snprintf(why, whysize, "expected redis://HOST:PORT[/DB]");
		return -EINVAL;
	}
	memcpy(t.host, p, hn);
	if (!numeric_host(t.host)) {
		snprintf(why, whysize, "HOST must be a numeric address or localhost (a name would be "
		                       "resolved synchronously)");
		return -EINVAL;
	}
	const char *slash = strchr(port, '/');
	size_t pn = slash ? (size_t)(slash - port) : strlen(port);
	if (parse_int(port, pn, 1, 65535, &t.port) < 0) {
		snprintf(why, whysize, "the port must be a number from 1 to 65535");
		return -EINVAL;
	}
	if (slash && parse_int(slash + 1, strlen(slash + 1), 0, 15, &t.db) < 0) {
		snprintf(why, whysize, "the database after / must be a number from 0 to 15");
		return -EINVAL;
	}
	*ret = t;
	return 0;
}

/* ---- connection ----------------------------------------------------------- */

static void schedule_retry(struct redis *r)
{
	if (r->freeing)
		return;
	uint64_t delay = REDIS_RETRY_MIN_MS;
	for (unsigned i = 1; i < r->failures && delay < REDIS_RETRY_MAX_MS; i++)
		delay *= 2;
	if (delay > REDIS_RETRY_MAX_MS)
		delay = REDIS_RETRY_MAX_MS;
	/* Jitter, so that processes that lost the server together do not all
	 * come back in the same millisecond. */
	uint32_t j = 0;
	if (getrandom(&j, sizeof(j), GRND_NONBLOCK) != sizeof(j))
		j = 0;
	delay += j % (delay / 4 + 1);
	net_timer_start(r->timer, delay, 0);
}

static void went_down(struct redis *r, const char *why)
{
	bool was_up = r->state == RS_UP;
	r->state = RS_DOWN;
	r->ac = NULL;
	r->failures++;
	if (!r->down_logged) {
		r->down_logged = true;
		log_warn(was_up ? "redis connection lost; reconnecting with backoff"
		                : "cannot connect to redis; retrying with backoff",
		         "reason=\"%s\"", why);
	}
	if (was_up && r->on_state && !r->freeing)
		r->on_state(r->state_data, false);
	schedule_retry(r);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct redis *r = ac->data;
	if (!r || r->ac != ac)
		return;  /* a context we already let go of */
	went_down(r, ac->errstr[0] ? ac->errstr : "closed");
}

static void on_auth(redisAsyncContext *ac, void *reply, void *privdata)
{
	const redisReply *rep = reply;
	struct redis *r = privdata;
	if (rep && rep->type == REDIS_REPLY_ERROR && r && r->ac == ac) {
		/* The server's message never contains the password. */
		if (!r->auth_logged) {
			r->auth_logged = true;
			log_error("redis refused AUTH or SELECT; check the redis-password credential",
			          "error=\"%.*s\"", (int)(rep->len > 120 ? 120 : rep->len), rep->str);
		}
		redis_reset(r);
	}
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct redis *r = ac->data;
	if (!r || r->ac != ac)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this returns. */
		went_down(r, ac->errstr[0] ? ac->errstr : "connect failed");
		return;
	}
	net_timer_stop(r->timer);
	r->state = RS_UP;
	/* failures is cleared by the first answer, not here: a server that
	 * accepts connections and refuses AUTH (or hangs) keeps backing off. */
	redisAsyncContext *c = r->ac;
	if (r->password) {
		const char *argv[2] = {"AUTH", r->password};
		size_t lens[2] = {4, strlen(r->password)};
		redisAsyncCommandArgv(c, on_auth, r, 2, argv, lens);
	}
	if (r->t.db > 0) {
		char db[8];
		int n = snprintf(db, sizeof(db), "%d", r->t.db);
		const char *argv[2] = {"SELECT", db};
		size_t lens[2] = {6, (size_t)n};
		redisAsyncCommandArgv(c, on_auth, r, 2, argv, lens);
	}
	if (r->on_state)
		r->on_state(r->state_data, true);
}

static void connect_now(struct redis *r)
{
	redisAsyncContext *ac = r->t.unix_socket ? redisAsyncConnectUnix(r->t.path)
	                                         : redisAsyncConnect(r->t.host, r->t.port);
	if (!ac) {
		went_down(r, "out of memory");
		return;
	}
	if (ac->err) {
		char why[128];
		snprintf(why, sizeof(why), "%s", ac->errstr);
		redisAsyncFree(ac);
		r->state = RS_CONNECTING;
		went_down(r, why);
		return;
	}
	ac->data = r;
	if (redisLibuvAttach(ac, net_loop_uv(r->loop)) != REDIS_OK) {
		redisAsyncFree(ac);
		r->state = RS_CONNECTING;
		went_down(r, "cannot attach to the event loop");
		return;
	}
	r->ac = ac;
	r->state = RS_CONNECTING;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	net_timer_start(r->timer, REDIS_CONNECT_TIMEOUT_MS, 0);
}

/* Frees the current context from the timer, never from a hiredis callback. */
static void drop_context(struct redis *r, const char *why)
{
	redisAsyncContext *ac = r->ac;
	bool was = r->state != RS_DOWN;
	if (was)
		went_down(r, why);  /* clears r->ac first: the callbacks below are ignored */
	if (ac) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
}

static void timer_cb(struct net_timer *t, void *data)
{
	struct redis *r = data;
	if (r->reset_pending) {
		r->reset_pending = false;
		drop_context(r, "no answer in time; reconnecting");
		return;
	}
	if (r->state == RS_CONNECTING) {
		drop_context(r, "connect timed out");
		return;
	}
	if (r->state == RS_DOWN)
		connect_now(r);
}

/* ---- commands ------------------------------------------------------------- */

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct pending *p = privdata;
	const redisReply *rep = reply;
	struct redis_reply out;
	memset(&out, 0, sizeof(out));
	if (!rep) {
		out.kind = REDIS_R_DOWN;
	} else {
		switch (rep->type) {
		case REDIS_REPLY_INTEGER:
			out.kind = REDIS_R_INT;
			out.integer = rep->integer;
			break;
		case REDIS_REPLY_STRING:
		case REDIS_REPLY_STATUS:
			out.kind = REDIS_R_STR;
			out.str = rep->str;
			out.len = rep->len;
			break;
		case REDIS_REPLY_NIL:
			out.kind = REDIS_R_NIL;
			break;
		case REDIS_REPLY_ERROR:
			out.kind = REDIS_R_ERR;
			out.str = rep->str;
			out.len = rep->len;
			break;
		case REDIS_REPLY_ARRAY:
			out.kind = REDIS_R_ARRAY;
			for (size_t i = 0; i < rep->elements && out.n < REDIS_R_INTS_MAX; i++) {
				const redisReply *e = rep->element[i];
				out.ints[out.n++] = e && e->type == REDIS_REPLY_INTEGER ? e->integer : 0;
			}
			break;
		default:
			out.kind = REDIS_R_ERR;
			out.str = "unexpected reply type";
			out.len = strlen(out.str);
		}
	}
	/* "Back" is said once a command got an answer, not at connect: a hung
	 * server accepts connections and answers nothing. */
	if (rep && rep->type != REDIS_REPLY_ERROR && !p->r->freeing) {
		p->r->failures = 0;
		p->r->auth_logged = false;
		if (p->r->down_logged) {
			p->r->down_logged = false;
			log_notice("redis answering again");
		}
	}
	if (p->cb)
		p->cb(p->data, &out);
	free(p);
}

int redis_command(struct redis *r, int argc, const char **argv, const size_t *lens,
                  redis_reply_fn *cb, void *data)
{
	if (r->state != RS_UP || !r->ac || r->reset_pending)
		return -ENOTCONN;
	struct pending *p = xmalloc(sizeof(*p));
	p->r = r;
	p->cb = cb;
	p->data = data;
	if (redisAsyncCommandArgv(r->ac, on_reply, p, argc, argv, lens) != REDIS_OK) {
		free(p);
		return -ENOTCONN;
	}
	return 0;
}

/* ---- life ----------------------------------------------------------------- */

struct redis *redis_new(struct net_loop *loop, const struct redis_target *t, const char *password,
                        redis_state_fn *on_state, void *data)
{
	struct redis *r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->t = *t;
	r->password = password && *password ? xstrdup(password) : NULL;
	r->on_state = on_state;
	r->state_data = data;
	r->timer = net_timer_new(loop, timer_cb, r);
	return r;
}

void redis_start(struct redis *r)
{
	if (r->started)
		return;
	r->started = true;
	connect_now(r);
}

bool redis_is_up(const struct redis *r)
{
	return r->state == RS_UP && !r->reset_pending;
}

void redis_script_sha1(const char *script, char out[41])
{
	unsigned char md[SHA_DIGEST_LENGTH];
	SHA1((const unsigned char *)script, strlen(script), md);
	for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

unsigned redis_failures(const struct redis *r)
{
	return r->failures;
}

void redis_reset(struct redis *r)
{
	if (r->state == RS_DOWN || r->reset_pending)
		return;
	r->reset_pending = true;
	net_timer_start(r->timer, 0, 0);
}

void redis_free(struct redis *r)
{
	if (!r)
		return;
	r->freeing = true;
	redisAsyncContext *ac = r->ac;
	r->ac = NULL;
	r->state = RS_DOWN;
	if (ac) {
		/* Pending callbacks run now with no reply (REDIS_R_DOWN). */
		ac->data = NULL;
		redisAsyncFree(ac);
	}
	net_timer_free(r->timer);
	if (r->password) {
		explicit_bzero(r->password, strlen(r->password));
		free(r->password);
	}
	free(r);
}
