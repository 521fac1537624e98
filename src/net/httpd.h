/* httpd.h: a tiny HTTP/1.x listener on the net loop for health checks and
 * metrics scrapes (one GET per connection, then close); it must not expose
 * libuv types and knows nothing of what it serves.
 *
 *   static void handle(void *data, const char *path, struct httpd_reply *r) {
 *           if (!strcmp(path, "/healthz")) httpd_reply_set(r, 200, "text/plain", "ok\n", 3);
 *   }   // a path left unanswered gets 404
 *   struct httpd *h;
 *   int e = httpd_new(loop, "127.0.0.1:9464", handle, app, &h);
 *   ...
 *   httpd_free(h);          // before net_loop_free
 *
 * Bounds: a request head larger than HTTPD_REQUEST_MAX is answered 431; a
 * client that has not sent its whole head within HTTPD_TIMEOUT_MS, or not
 * read the reply within the same time again, is dropped (slowloris); at
 * most HTTPD_MAX_CONNS connections are open, more are closed at once. Only
 * GET is served; any other method gets 405. Request bodies are not read.
 *
 * Conventions: negative errno or NULL on failure; destructors accept NULL. */
#ifndef SCOBOT_NET_HTTPD_H
#define SCOBOT_NET_HTTPD_H

#include <stddef.h>

struct net_loop;
struct httpd;

#define HTTPD_REQUEST_MAX 4096      /* request line + headers, bytes */
#define HTTPD_TIMEOUT_MS 5000       /* to receive the head, then to send the reply, ms */
#define HTTPD_IDLE_MS 1000          /* for the first byte of a request, ms */
#define HTTPD_MAX_CONNS 16          /* open connections, count; when full, a new one
                                     * replaces the oldest that is not being answered */
#define HTTPD_PATH_MAX 256          /* request path handed to the handler, bytes */
#define HTTPD_REPLY_MAX (1u << 20)  /* reply body, bytes (1 MiB) */
#define HTTPD_LISTEN_MAX 64         /* "host:port" text, bytes */

struct httpd_reply;

/* Called on the loop for each well-formed GET. path has no query string
 * ("/metrics?x" arrives as "/metrics") and is at most HTTPD_PATH_MAX bytes. */
typedef void httpd_handler_fn(void *data, const char *path, struct httpd_reply *reply);

/* Sets the reply (copied; body cut to HTTPD_REPLY_MAX). Call at most once;
 * without a call the client gets 404. */
void httpd_reply_set(struct httpd_reply *reply, int status, const char *content_type,
                     const char *body, size_t len);

/* Checks a listen address: "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:80"
 * (numeric addresses only: nothing here resolves names). 0 or -EINVAL. */
int httpd_parse_listen(const char *listen);

/* Listens on `listen` (see httpd_parse_listen). 0 and *ret, -EINVAL for a bad
 * address, or the negative errno of bind/listen (-EADDRINUSE, -EACCES). */
int httpd_new(struct net_loop *loop, const char *listen, httpd_handler_fn *handler,
              void *data, struct httpd **ret);

/* The port actually bound (useful after listening on port 0), or 0. */
int httpd_port(const struct httpd *h);

/* Stops listening and drops every open connection; memory is released in
 * libuv's close callbacks (net_loop_free runs them). Accepts NULL. */
void httpd_free(struct httpd *h);

#endif
