/* http.c: libcurl's multi-socket interface driven by uv_poll_t/uv_timer_t on
 * the net loop, with every response bounded in time and size; it must never
 * block the loop, follow a redirect, or log a header value or body. */
#include "net/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build_config.h"
#include "net/net_internal.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* A host name as it appears in error messages (bytes, with NUL). */
#define HTTP_HOST_MAX 256
/* First allocation for a body whose size is not yet known (bytes). */
#define HTTP_BODY_INITIAL 4096

struct http_header {
	char *name;
	char *value;
};

struct http_response_private {
	struct http_header *hdrs;
	size_t n;
	size_t bytes;           /* raw header bytes seen for this response */
};

struct http_xfer {
	struct http_client *client;
	CURL *easy;
	struct curl_slist *req_headers;
	int64_t id;
	int64_t start_ms;
	http_done_fn *on_done;
	void *data;
	char host[HTTP_HOST_MAX];
	/* body: body_len bytes in body[], capacity body_cap, cap max_body. */
	char *body;
	size_t body_len, body_cap, max_body;
	bool body_too_large;
	bool headers_too_large;
	struct http_response_private hdr;
	char errbuf[CURL_ERROR_SIZE];
	struct http_xfer *next, *prev;
};

struct http_sock {
	uv_poll_t poll;
	struct http_client *client;
	curl_socket_t fd;
	struct http_sock *next, *prev;
};

/* Easy handles kept for reuse: a handle's allocation, its TLS and
 * connection-cache state survive, so a burst of requests does not allocate and
 * free one per request (malloc and free were a third of the CPU under load). */
#define HTTP_IDLE_EASY_MAX 16

struct http_client {
	struct net_loop *loop;
	CURLM *multi;
	CURLSH *share;          /* DNS and TLS sessions, shared by every handle */
	CURL *idle[HTTP_IDLE_EASY_MAX];
	size_t nidle;
	struct http_client_stats stats;
	uv_timer_t timer;       /* curl's single timeout; the client is freed in its close cb */
	char *user_agent;
	struct http_xfer *xfers;
	struct http_sock *socks;
	size_t pending;
	int64_t next_id;
	int depth;              /* > 0 while inside a curl driving call */
	bool free_pending;      /* http_client_free was called inside a callback */
	bool dead;
	struct net_loop_hook hook;
};

static void client_destroy(struct http_client *c);

static void headers_clear(struct http_response_private *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->hdrs[i].name);
		free(h->hdrs[i].value);
	}
	free(h->hdrs);
	h->hdrs = NULL;
	h->n = 0;
	h->bytes = 0;
}

static size_t trim_len(const char *s, size_t len, size_t *ret_start)
{
	size_t a = 0, b = len;

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' ||
			 s[b - 1] == '\n'))
		b--;
	*ret_start = a;
	return b - a;
}

/* Stores one header line, bounded in count and bytes; a status line starts a
 * new response (after a 1xx, say), so only the final response's headers stay. */
static size_t on_header(char *buf, size_t size, size_t nitems, void *userp)
{
	struct http_xfer *x = userp;
	size_t len = size * nitems;
	const char *colon;
	size_t off, nlen, vlen;

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		headers_clear(&x->hdr);
		x->hdr.bytes = len;
		return len;
	}
	x->hdr.bytes += len;
	if (x->hdr.bytes > HTTP_MAX_RESPONSE_HEADER_BYTES) {
		x->headers_too_large = true;
		return 0;
	}
	colon = memchr(buf, ':', len);
	if (!colon || buf[0] == ' ' || buf[0] == '\t')
		return len;     /* blank line, obsolete folding: nothing to keep */
	if (x->hdr.n >= HTTP_MAX_RESPONSE_HEADERS) {
		x->headers_too_large = true;
		return 0;
	}
	nlen = trim_len(buf, (size_t)(colon - buf), &off);
	if (nlen == 0)
		return len;
	x->hdr.hdrs = xreallocarray(x->hdr.hdrs, x->hdr.n + 1, sizeof(*x->hdr.hdrs));
	x->hdr.hdrs[x->hdr.n].name = xstrndup(buf + off, nlen);
	vlen = trim_len(colon + 1, len - (size_t)(colon + 1 - buf), &off);
	x->hdr.hdrs[x->hdr.n].value = xstrndup(colon + 1 + off, vlen);
	x->hdr.n++;
	return len;
}

const char *http_response_header(const struct http_response *resp, const char *name)
{
	const struct http_response_private *h = resp->priv;

	if (!h)
		return NULL;
	for (size_t i = h->n; i-- > 0;)
		if (strcasecmp(h->hdrs[i].name, name) == 0)
			return h->hdrs[i].value;
	return NULL;
}

/* ---- body ------------------------------------------------------------- */

/* Appends a chunk, never growing past max_body: a larger body aborts the
 * transfer (returning short makes curl fail with CURLE_WRITE_ERROR). */
static size_t on_write(char *buf, size_t size, size_t nitems, void *userp)
{
	struct http_xfer *x = userp;
	size_t len = size * nitems;

	if (len > x->max_body - x->body_len) {
		x->body_too_large = true;
		return 0;
	}
	if (x->body_len + len + 1 > x->body_cap) {
		size_t cap = x->body_cap ? x->body_cap : HTTP_BODY_INITIAL;
		while (cap < x->body_len + len + 1)
			cap *= 2;
		if (cap > x->max_body + 1)
			cap = x->max_body + 1;
		x->body = xrealloc(x->body, cap);
		x->body_cap = cap;
	}
	memcpy(x->body + x->body_len, buf, len);
	x->body_len += len;
	x->body[x->body_len] = '\0';
	return len;
}

/* ---- transfers -------------------------------------------------------- */

static void xfer_unlink(struct http_xfer *x)
{
	struct http_client *c = x->client;

	if (x->prev)
		x->prev->next = x->next;
	else
		c->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->next = x->prev = NULL;
	c->pending--;
}

/* Back to the idle list, or freed when the list is full or the client is
 * going away. */
static void easy_release(struct http_client *c, CURL *e)
{
	if (!c->dead && !c->free_pending && c->nidle < HTTP_IDLE_EASY_MAX) {
		curl_easy_reset(e);
		c->idle[c->nidle++] = e;
	} else {
		curl_easy_cleanup(e);
	}
}

static CURL *easy_take(struct http_client *c)
{
	CURL *e;
	if (c->nidle) {
		c->stats.easy_reused++;
		return c->idle[--c->nidle];
	}
	if ((e = curl_easy_init()))
		c->stats.easy_created++;
	return e;
}

static void xfer_free(struct http_xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(x->client->multi, x->easy);
		easy_release(x->client, x->easy);
	}
	curl_slist_free_all(x->req_headers);
	headers_clear(&x->hdr);
	free(x->body);
	free(x);
}

static enum http_error classify(struct http_xfer *x, CURLcode rc, char *msg, size_t size)
{
	const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (x->headers_too_large) {
			snprintf(msg, size, "response headers from %s exceed %d lines or %d bytes",
				 x->host, HTTP_MAX_RESPONSE_HEADERS, HTTP_MAX_RESPONSE_HEADER_BYTES);
			return HTTP_ERR_TOO_LARGE;
		}
		if (x->body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(msg, size, "response body from %s exceeds %zu bytes; transfer aborted",
				 x->host, x->max_body);
			return HTTP_ERR_TOO_LARGE;
		}
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (strstr(why, "too slow")) {
			snprintf(msg, size, "server %s too slow: %s", x->host, why);
			return HTTP_ERR_TOO_SLOW;
		}
		snprintf(msg, size, "request to %s timed out: %s", x->host, why);
		return HTTP_ERR_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(msg, size, "cannot resolve host %s: %s", x->host, why);
		return HTTP_ERR_DNS;
	case CURLE_COULDNT_CONNECT:
		snprintf(msg, size, "cannot connect to %s: %s", x->host, why);
		return HTTP_ERR_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(msg, size, "TLS certificate verification failed for host %s: %s",
			 x->host, why);
		return HTTP_ERR_TLS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		/* OpenSSL reports some verification failures as a handshake error. */
		if (strstr(why, "certificate"))
			snprintf(msg, size, "TLS certificate verification failed for host %s: %s",
				 x->host, why);
		else
			snprintf(msg, size, "TLS handshake with %s failed: %s", x->host, why);
		return HTTP_ERR_TLS;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		snprintf(msg, size, "connection to %s failed mid-transfer: %s", x->host, why);
		return HTTP_ERR_NETWORK;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		snprintf(msg, size, "bad HTTP from %s: %s", x->host, why);
		return HTTP_ERR_PROTOCOL;
	default:
		break;
	}
	snprintf(msg, size, "request to %s failed: %s", x->host, why);
	return HTTP_ERR_OTHER;
}

/* Reports one finished transfer to its owner; the xfer is already unlinked,
 * so a cancel from inside on_done cannot reach it. */
static void xfer_complete(struct http_xfer *x, CURLcode rc)
{
	char msg[CURL_ERROR_SIZE + HTTP_HOST_MAX + 128];
	struct http_response resp = {0};
	long status = 0;

	xfer_unlink(x);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	resp.status = (int)status;
	resp.id = x->id;
	resp.total_ms = clock_now_ms() - x->start_ms;
	resp.priv = &x->hdr;
	msg[0] = '\0';
	resp.error = rc == CURLE_OK ? HTTP_OK : classify(x, rc, msg, sizeof(msg));
	resp.error_msg = msg;
	if (resp.error != HTTP_OK) {
		/* A failed transfer's partial body is not an answer. */
		resp.body = "";
		resp.body_len = 0;
	} else {
		resp.body = x->body ? x->body : "";
		resp.body_len = x->body_len;
	}
	x->on_done(&resp, x->data);
	xfer_free(x);
}

/* Drains curl's completion queue; must run after every socket_action. */
static void check_done(struct http_client *c)
{
	CURLMsg *m;
	int left;

	while (!c->free_pending && (m = curl_multi_info_read(c->multi, &left))) {
		struct http_xfer *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			xfer_complete(x, m->data.result);
	}
}

/* Every entry from the loop into curl goes through here so that a client
 * freed by a user callback is destroyed only once curl has returned. */
static void drive(struct http_client *c, curl_socket_t fd, int flags)
{
	int running;

	c->depth++;
	curl_multi_socket_action(c->multi, fd, flags, &running);
	check_done(c);
	c->depth--;
	if (c->free_pending && c->depth == 0)
		client_destroy(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct http_sock *s = container_of(h, struct http_sock, poll);
	int flags = 0;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	drive(s->client, s->fd, flags);
}

static void on_sock_closed(uv_handle_t *h)
{
	free(container_of((uv_poll_t *)h, struct http_sock, poll));
}

static void sock_close(struct http_sock *s)
{
	struct http_client *c = s->client;

	if (s->prev)
		s->prev->next = s->next;
	else
		c->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

/* CURLMOPT_SOCKETFUNCTION: curl says which events it wants on a socket. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http_client *c = userp;
	struct http_sock *s = socketp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s) {
			sock_close(s);
			curl_multi_assign(c->multi, fd, NULL);
		}
		return 0;
	}
	if (!s) {
		s = xcalloc(1, sizeof(*s));
		if (uv_poll_init_socket(net_loop_uv(c->loop), &s->poll, fd) < 0) {
			free(s);
			return -1;
		}
		s->client = c;
		s->fd = fd;
		s->next = c->socks;
		if (c->socks)
			c->socks->prev = s;
		c->socks = s;
		curl_multi_assign(c->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_timer(uv_timer_t *h)
{
	drive(h->data, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: one timer for the whole multi handle. Never call
 * curl from here; a 0 ms timeout runs on the next loop pass. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client *c = userp;

	if (c->dead)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

/* ---- client ----------------------------------------------------------- */

static void on_client_closed(uv_handle_t *h)
{
	struct http_client *c = h->data;

	free(c->user_agent);
	free(c);
	curl_global_cleanup();
}

static void client_destroy(struct http_client *c)
{
	c->dead = true;
	while (c->xfers) {
		struct http_xfer *x = c->xfers;
		xfer_unlink(x);
		xfer_free(x);
	}
	/* Closing cached connections reports their sockets as removed. */
	curl_multi_cleanup(c->multi);
	c->multi = NULL;
	while (c->nidle)
		curl_easy_cleanup(c->idle[--c->nidle]);
	curl_share_cleanup(c->share);
	c->share = NULL;
	while (c->socks)
		sock_close(c->socks);
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, on_client_closed);
}

static void client_leaked(void *data)
{
	log_error("http client still alive at loop shutdown; freeing it");
	client_destroy(data);
}

struct http_client *http_client_new(struct net_loop *loop, const char *user_agent)
{
	const curl_version_info_data *v;
	struct http_client *c;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("libcurl failed to initialise");
		return NULL;
	}
	v = curl_version_info(CURLVERSION_NOW);
	if (!(v->features & CURL_VERSION_ASYNCHDNS))
		log_warn("libcurl has no asynchronous resolver; DNS lookups will block the event loop",
			 "curl=%s", v->version);
	c = xcalloc(1, sizeof(*c));
	c->multi = curl_multi_init();
	if (!c->multi) {
		log_error("libcurl failed to create a multi handle");
		free(c);
		curl_global_cleanup();
		return NULL;
	}
	/* One thread, so the share needs no lock callbacks. */
	c->share = curl_share_init();
	if (c->share) {
		curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	}
	c->loop = loop;
	c->user_agent = xstrdup(user_agent ? user_agent : "scobot/" SCOBOT_VERSION);
	c->next_id = 1;
	uv_timer_init(net_loop_uv(loop), &c->timer);
	c->timer.data = c;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	c->hook.fn = client_leaked;
	c->hook.data = c;
	net_loop_hook_add(loop, &c->hook);
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c || c->free_pending || c->dead)
		return;
	net_loop_hook_remove(c->loop, &c->hook);
	if (c->depth > 0) {
		/* Inside on_done: curl is still on the stack. Cancel now (no
		 * further callbacks) and destroy when drive() unwinds. */
		c->free_pending = true;
		while (c->xfers) {
			struct http_xfer *x = c->xfers;
			xfer_unlink(x);
			xfer_free(x);
		}
		return;
	}
	client_destroy(c);
}

struct http_client_stats http_client_stats(const struct http_client *c)
{
	return c ? c->stats : (struct http_client_stats){0};
}

size_t http_client_pending(const struct http_client *c)
{
	return c ? c->pending : 0;
}

int http_request_cancel(struct http_client *c, int64_t id)
{
	if (!c)
		return -ENOENT;
	for (struct http_xfer *x = c->xfers; x; x = x->next) {
		if (x->id == id) {
			xfer_unlink(x);
			xfer_free(x);
			return 0;
		}
	}
	return -ENOENT;
}

static bool header_ok(const char *h)
{
	const char *colon = strchr(h, ':');

	return colon && colon != h && !strpbrk(h, "\r\n");
}

static bool has_header(const struct http_request *req, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < req->n_headers; i++)
		if (strncasecmp(req->headers[i], name, n) == 0 && req->headers[i][n] == ':')
			return true;
	return false;
}

/* Checks the URL with curl's own parser and keeps its host for messages. */
static int url_check(const char *url, char *host, size_t size)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL;
	int r = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
		goto out;
	if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		goto out;
	snprintf(host, size, "%s", h);
	r = 0;
out:
	curl_free(scheme);
	curl_free(h);
	curl_url_cleanup(u);
	return r;
}

static int method_setup(CURL *e, const struct http_request *req)
{
	const char *m = req->method ? req->method : "GET";
	bool has_body = req->body && req->body_len > 0;

	if (strcmp(m, "GET") == 0) {
		if (has_body)
			return -EINVAL;
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return 0;
	}
	if (strcmp(m, "HEAD") == 0) {
		if (has_body)
			return -EINVAL;
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		return 0;
	}
	if (strcmp(m, "POST") != 0 && strcmp(m, "PUT") != 0 && strcmp(m, "PATCH") != 0 &&
	    strcmp(m, "DELETE") != 0)
		return -EINVAL;
	if (strcmp(m, "DELETE") != 0 || has_body) {
		/* POSTFIELDSIZE first: COPYPOSTFIELDS copies that many bytes. */
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(has_body ? req->body_len : 0));
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, has_body ? req->body : "");
	}
	if (strcmp(m, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	return 0;
}

int64_t http_request_start(struct http_client *c, const struct http_request *req,
			   http_done_fn *on_done, void *data)
{
	struct http_xfer *x;
	CURL *e;
	int r;

	if (!c || c->free_pending || c->dead)
		return -ESHUTDOWN;
	if (!req || !req->url || !on_done || req->timeout_ms < 0 ||
	    req->connect_timeout_ms < 0 || req->low_speed_bytes < 0 ||
	    req->low_speed_seconds < 0 || req->n_headers > HTTP_MAX_REQUEST_HEADERS ||
	    (req->n_headers && !req->headers))
		return -EINVAL;
	for (size_t i = 0; i < req->n_headers; i++)
		if (!req->headers[i] || !header_ok(req->headers[i]))
			return -EINVAL;

	x = xcalloc(1, sizeof(*x));
	x->client = c;
	r = url_check(req->url, x->host, sizeof(x->host));
	if (r < 0)
		goto fail;
	e = easy_take(c);
	if (!e) {
		r = -ENOMEM;
		goto fail;
	}
	x->easy = e;
	if (c->share)
		curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	r = method_setup(e, req);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < req->n_headers; i++)
		x->req_headers = curl_slist_append(x->req_headers, req->headers[i]);
	/* Suppress what curl would add on its own: a form Content-Type for a
	 * POST, and Expect: 100-continue (one more round trip) for big bodies. */
	if (!has_header(req, "Content-Type"))
		x->req_headers = curl_slist_append(x->req_headers, "Content-Type:");
	x->req_headers = curl_slist_append(x->req_headers, "Expect:");
	if (!x->req_headers) {
		r = -ENOMEM;
		goto fail;
	}
	x->max_body = req->max_response_bytes ? req->max_response_bytes
					      : HTTP_DEFAULT_MAX_RESPONSE_BYTES;

	/* Never CURLOPT_VERBOSE: it prints Authorization. */
	if (curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK) {
		r = -EINVAL;
		goto fail;
	}
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->req_headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	/* Decoded bytes are what the write callback counts, so the cap also
	 * stops a compression bomb. */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 (long)(req->timeout_ms ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(req->connect_timeout_ms ? req->connect_timeout_ms
							: HTTP_DEFAULT_CONNECT_TIMEOUT_MS));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
			 req->low_speed_bytes ? req->low_speed_bytes : (long)HTTP_DEFAULT_LOW_SPEED_BYTES);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
			 req->low_speed_seconds ? req->low_speed_seconds
						: (long)HTTP_DEFAULT_LOW_SPEED_SECONDS);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);

	if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
		r = -ENOMEM;
		goto fail;
	}
	x->id = c->next_id++;
	x->start_ms = clock_now_ms();
	x->on_done = on_done;
	x->data = data;
	x->next = c->xfers;
	if (c->xfers)
		c->xfers->prev = x;
	c->xfers = x;
	c->pending++;
	return x->id;

fail:
	if (x->easy)
		easy_release(c, x->easy);
	curl_slist_free_all(x->req_headers);
	free(x);
	return r;
}
