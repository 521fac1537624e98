/* http.h: asynchronous HTTP(S) requests on the net loop (libcurl's multi
 * interface behind an opaque type), with hard caps on time and size; it must
 * not expose curl types and knows nothing of Discord or Matrix.
 *
 *   struct http_client *http = http_client_new(loop, "DiscordBot (https://x, 0.1)");
 *   const char *hdrs[] = { "Authorization: Bot ...", "Content-Type: application/json" };
 *   struct http_request req = {
 *           .method = "POST", .url = url,
 *           .headers = hdrs, .n_headers = 2,
 *           .body = json, .body_len = strlen(json),
 *   };
 *   int64_t id = http_request_start(http, &req, on_done, ctx);
 *   if (id < 0) ... // bad request, never started, on_done will not run
 *   ...
 *   static void on_done(const struct http_response *resp, void *ctx) {
 *           if (resp->error) log_warn("send failed", "err=%s", resp->error_msg);
 *           else if (resp->status == 429) ... http_response_header(resp, "Retry-After") ...
 *           else parse(resp->body, resp->body_len);
 *   }
 *
 * Guarantees:
 * - on_done runs exactly once per started request, on the loop, never from
 *   inside http_request_start, unless the request is cancelled
 *   (http_request_cancel, or http_client_free) first: then it never runs.
 * - TLS peer and host verification is always on. Redirects are not followed
 *   (a 3xx is returned as is: following one could carry Authorization to
 *   another host). Only http:// and https:// URLs are accepted.
 * - Connections are reused (keep-alive) across requests of one client.
 * - Nothing here logs a header value or a body: tokens travel in headers.
 * - The client may be freed, and requests cancelled or started, from inside
 *   on_done.
 *
 * Conventions: negative errno or NULL on failure; destructors accept NULL. */
#ifndef SCOBOT_NET_HTTP_H
#define SCOBOT_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct net_loop;
struct http_client;
struct http_response_private;

/* Defaults used when a struct http_request field is 0. */
#define HTTP_DEFAULT_TIMEOUT_MS 30000            /* whole transfer, ms */
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000    /* DNS + TCP + TLS, ms */
#define HTTP_DEFAULT_LOW_SPEED_BYTES 1           /* bytes/s ... */
#define HTTP_DEFAULT_LOW_SPEED_SECONDS 30        /* ... sustained for this many s */
#define HTTP_DEFAULT_MAX_RESPONSE_BYTES (1u << 20) /* body, bytes (1 MiB) */
/* Hard caps on response headers, per response. */
#define HTTP_MAX_RESPONSE_HEADERS 100            /* header lines, count */
#define HTTP_MAX_RESPONSE_HEADER_BYTES 32768     /* all header lines, bytes */
/* Most request headers one request may carry (count). */
#define HTTP_MAX_REQUEST_HEADERS 32

struct http_request {
	/* "GET" (also when NULL), "POST", "PUT", "PATCH", "DELETE", "HEAD". */
	const char *method;
	/* Absolute http:// or https:// URL, path segments already escaped
	 * (http_escape_segment). Copied: need not outlive the call. */
	const char *url;
	/* n_headers "Name: value" lines, copied. Do not add Content-Length or
	 * Host; a body without Content-Type goes out without one. */
	const char *const *headers;
	size_t n_headers;
	/* Request body, copied; body_len bytes (may contain NULs). NULL/0 for none.
	 * A POST/PUT/PATCH without a body sends Content-Length: 0. */
	const void *body;
	size_t body_len;
	/* Whole-transfer time limit (ms); 0 = HTTP_DEFAULT_TIMEOUT_MS. A Matrix
	 * long-poll with ?timeout=30000 wants e.g. 45000 here. */
	int64_t timeout_ms;
	/* DNS + TCP + TLS handshake limit (ms); 0 = HTTP_DEFAULT_CONNECT_TIMEOUT_MS. */
	int64_t connect_timeout_ms;
	/* Abort when fewer than low_speed_bytes per second arrive for
	 * low_speed_seconds in a row (catches a slowloris server); 0 = defaults.
	 * A long-poll that legitimately sends nothing for 30 s needs
	 * low_speed_seconds above its server timeout. */
	long low_speed_bytes;
	long low_speed_seconds;
	/* Largest response body accepted (bytes); 0 = HTTP_DEFAULT_MAX_RESPONSE_BYTES.
	 * A larger body aborts the transfer with HTTP_ERR_TOO_LARGE, checked on
	 * Content-Length and on every chunk received; memory never grows past it. */
	size_t max_response_bytes;
	/* Optional PEM bundle of extra trusted CAs (tests, private homeservers);
	 * NULL = system store only. It replaces curl's default bundle file, while
	 * the system CA directory (/etc/ssl/certs) stays trusted. Verification
	 * stays on either way. */
	const char *ca_file;
};

enum http_error {
	HTTP_OK = 0,            /* a response arrived: look at status */
	HTTP_ERR_TIMEOUT,       /* timeout_ms or connect_timeout_ms ran out */
	HTTP_ERR_TOO_SLOW,      /* the low-speed limit tripped */
	HTTP_ERR_DNS,           /* host name did not resolve */
	HTTP_ERR_CONNECT,       /* TCP connect failed (refused, unreachable) */
	HTTP_ERR_TLS,           /* TLS handshake or certificate verification failed */
	HTTP_ERR_TOO_LARGE,     /* body or headers over their cap */
	HTTP_ERR_NETWORK,       /* connection reset / closed mid-transfer */
	HTTP_ERR_PROTOCOL,      /* malformed HTTP from the server */
	HTTP_ERR_OTHER,         /* anything else curl reports */
};

/* What on_done receives. Valid only during the callback: copy what you keep. */
struct http_response {
	/* HTTP_OK when the server answered (any status, 5xx included). */
	enum http_error error;
	/* Human sentence for error != HTTP_OK, e.g. "TLS certificate verification
	 * failed for host localhost: SSL certificate problem: self-signed
	 * certificate"; "" when error == HTTP_OK. Carries no header values. */
	const char *error_msg;
	/* HTTP status code, 0 if no response status line arrived. */
	int status;
	/* Response body, NUL-terminated (the NUL is not counted in body_len; the
	 * body itself may contain NULs). Never NULL: "" when empty or on error. */
	const char *body;
	size_t body_len;
	/* Time from start to completion (ms), including queueing and DNS. */
	int64_t total_ms;
	/* The id http_request_start returned. */
	int64_t id;
	/* Private: header storage, read with http_response_header. */
	const struct http_response_private *priv;
};

typedef void http_done_fn(const struct http_response *resp, void *data);

/* A client on loop. user_agent (copied; NULL = "scobot/<version>") goes on
 * every request. Warns once in the log if libcurl has no asynchronous
 * resolver (DNS would then block the loop). NULL if libcurl fails to start. */
struct http_client *http_client_new(struct net_loop *loop, const char *user_agent);

/* Cancels every request in flight (their callbacks never run) and frees the
 * client. Safe from inside on_done. Accepts NULL. */
void http_client_free(struct http_client *client);

/* Starts req; returns its id (> 0), or -EINVAL (missing/invalid url, method
 * or a non-http(s) scheme, too many headers, a header without ':' or with CR
 * or LF), or -ESHUTDOWN if the client is being freed. On failure on_done will
 * not run. */
int64_t http_request_start(struct http_client *client, const struct http_request *req,
			   http_done_fn *on_done, void *data);

/* Cancels the request with this id: its on_done never runs. Returns 0, or
 * -ENOENT if no such request is in flight (already completed, already
 * cancelled, or never existed); that case is harmless. */
int http_request_cancel(struct http_client *client, int64_t id);

/* Requests in flight (started, not completed or cancelled). */
size_t http_client_pending(const struct http_client *client);

/* Easy handles made and reused over the client's life: a steady stream of
 * requests reuses handles instead of allocating one per request. */
struct http_client_stats {
	uint64_t easy_created;
	uint64_t easy_reused;
};
struct http_client_stats http_client_stats(const struct http_client *client);

/* The value of the last response header named `name` (case-insensitive), with
 * surrounding whitespace trimmed, or NULL if absent. Valid during on_done. */
const char *http_response_header(const struct http_response *resp, const char *name);

/* One path segment percent-escaped (every byte but ALPHA / DIGIT / "-._~"),
 * e.g. "!abc:example.org" -> "%21abc%3Aexample.org". len 0 means strlen(s).
 * Returns a malloc'd string the caller frees with free(). Never NULL (OOM
 * aborts). */
char *http_escape_segment(const char *s, size_t len);

/* Short name for an error ("timeout", "tls", ...), for log fields and metrics. */
const char *http_error_name(enum http_error err);

/* Logs, as an error, that a server's certificate was refused: detail is the
 * transport's own description (an http_response error_msg or a ws close
 * reason), section the config section whose ca_file would trust it. For a
 * handshake failure that is not about the certificate, the hint is left out. */
void net_log_tls_refusal(const char *platform, const char *section, const char *detail);

#endif
