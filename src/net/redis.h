/* redis.h: one asynchronous Redis connection on the net loop (hiredis with its
 * libuv adapter): connect, AUTH and SELECT, commands with callbacks, and
 * reconnection with backoff; it must not expose hiredis or libuv types, block
 * the loop, or log the password.
 *
 *   struct redis_target t;
 *   if (redis_url_parse("redis://127.0.0.1:6379/2", &t, why, sizeof(why)) < 0) ...
 *   struct redis *r = redis_new(loop, &t, password_or_NULL, on_state, ctx);
 *   redis_start(r);                                  // connects; retries forever with backoff
 *   redis_command(r, argc, argv, lens, on_reply, data);   // 0, or -ENOTCONN: not sent
 *   ...
 *   redis_free(r);   // pending callbacks get REDIS_R_DOWN first
 *
 * Every command sent gets exactly one callback: its reply, or REDIS_R_DOWN
 * when the connection went away first. There is no per-command timeout here:
 * a caller that cannot wait keeps its own deadline and, when the server seems
 * hung, calls redis_reset. */
#ifndef SCOBOT_NET_REDIS_H
#define SCOBOT_NET_REDIS_H

#include <stdbool.h>
#include <stddef.h>

struct net_loop;
struct redis;

#define REDIS_HOST_MAX 64             /* bytes of a numeric host, NUL included */
#define REDIS_PATH_MAX 108            /* bytes of a unix socket path (sun_path) */
#define REDIS_R_INTS_MAX 8        /* integers of an array reply kept */
#define REDIS_CONNECT_TIMEOUT_MS 1000 /* a connect not done by then is abandoned, ms */
#define REDIS_RETRY_MIN_MS 100        /* first reconnect delay, ms */
#define REDIS_RETRY_MAX_MS 5000       /* longest reconnect delay, ms */

struct redis_target {
	bool unix_socket;
	char host[REDIS_HOST_MAX];        /* numeric IPv4/IPv6 address, or "localhost" */
	int port;
	char path[REDIS_PATH_MAX];        /* unix_socket only */
	int db;                           /* SELECT db; 0: none sent */
};

/* Parses redis://HOST:PORT[/DB] or unix:///path[?db=N]. HOST must be a numeric
 * address (or localhost): hiredis resolves names synchronously, which would
 * block the loop. No user or password in the URL: the password comes from a
 * credential. 0, or -EINVAL with why filled (never echoing the URL). */
int redis_url_parse(const char *url, struct redis_target *ret, char *why, size_t whysize);

enum redis_reply_kind {
	REDIS_R_DOWN,     /* no reply: the connection closed (or was never up) */
	REDIS_R_INT,
	REDIS_R_STR,      /* a bulk string or a status ("OK") */
	REDIS_R_ARRAY,    /* up to REDIS_R_INTS_MAX integer elements in ints */
	REDIS_R_NIL,
	REDIS_R_ERR,      /* str holds the server's message */
};

struct redis_reply {
	enum redis_reply_kind kind;
	long long integer;
	const char *str;      /* valid during the callback only */
	size_t len;
	size_t n;             /* array elements kept in ints (non-integers read as 0) */
	long long ints[REDIS_R_INTS_MAX];
};

typedef void redis_reply_fn(void *data, const struct redis_reply *reply);
/* up: the connection is ready for commands (AUTH and SELECT are queued ahead
 * of anything sent from now on); !up: it went away (a reconnect is scheduled). */
typedef void redis_state_fn(void *data, bool up);

/* password may be NULL; it is copied and zeroed on free. Never fails. */
struct redis *redis_new(struct net_loop *loop, const struct redis_target *t, const char *password,
                        redis_state_fn *on_state, void *data);
void redis_start(struct redis *r);
bool redis_is_up(const struct redis *r);
/* Sends one command; 0 (cb runs later, once) or -ENOTCONN (cb never runs). */
int redis_command(struct redis *r, int argc, const char **argv, const size_t *lens,
                  redis_reply_fn *cb, void *data);
/* Drops the connection (a hung server) on the next loop pass; pending
 * callbacks get REDIS_R_DOWN and a reconnect follows with backoff. */
void redis_reset(struct redis *r);
/* The SHA-1 of a Lua script as EVALSHA wants it (40 hex digits and NUL). */
void redis_script_sha1(const char *script, char out[41]);
/* Connection attempts that failed in a row (0 while up). */
unsigned redis_failures(const struct redis *r);
void redis_free(struct redis *r);

#endif
