/* httpd.c: a minimal HTTP/1.x server on the net loop (libuv TCP) that answers
 * one GET per connection for health and metrics; it must not know what it
 * serves, keep a connection past its deadline, buffer beyond its bounds, or
 * let idle connections crowd out a health check. */
#include "net/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Pending connections the kernel queues before accept (count). */
#define HTTPD_BACKLOG 16

struct httpd_reply {
	int status;
	const char *content_type;
	char *body;
	size_t len;
	bool set;
};

struct hconn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_write_t wreq;
	uv_shutdown_t sreq;
	struct httpd *srv;       /* NULL once detached by close */
	struct hconn *next, *prev;
	int open_handles;        /* freed when both handles have closed */
	bool closing;
	char *out;               /* the reply being written */
	size_t len;
	char buf[HTTPD_REQUEST_MAX];
};

struct httpd {
	uv_tcp_t srv;
	struct net_loop *loop;
	httpd_handler_fn *handler;
	void *data;
	struct hconn *conns;
	int nconns;
	int port;
	struct net_loop_hook hook;
};

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void httpd_reply_set(struct httpd_reply *r, int status, const char *content_type,
                     const char *body, size_t len)
{
	if (r->set)
		return;
	if (len > HTTPD_REPLY_MAX)
		len = HTTPD_REPLY_MAX;
	r->set = true;
	r->status = status;
	r->content_type = content_type ? content_type : "text/plain; charset=utf-8";
	r->body = xmalloc(len + 1);
	memcpy(r->body, body, len);
	r->body[len] = '\0';
	r->len = len;
}

/* Splits "host:port" / "[v6]:port" into a socket address. 0 or -EINVAL. */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	char host[HTTPD_LISTEN_MAX];
	const char *colon;
	size_t hl;
	if (!s || strlen(s) >= HTTPD_LISTEN_MAX)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		hl = (size_t)(close - s - 1);
		memcpy(host, s + 1, hl);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	const char *p = colon + 1;
	if (!*p || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		return -EINVAL;
	long port = strtol(p, NULL, 10);
	if (port > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (s[0] != '[' && inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -EINVAL;
}

int httpd_parse_listen(const char *listen)
{
	struct sockaddr_storage ss;
	return parse_listen(listen, &ss);
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	struct hconn *c = h->data;
	if (--c->open_handles == 0) {
		free(c->out);
		free(c);
	}
}

/* Detaches the connection from its server at once; the memory goes when libuv
 * has closed both handles (a pending write is cancelled first). */
static void conn_close(struct hconn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->srv) {
		if (c->prev)
			c->prev->next = c->next;
		else
			c->srv->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		c->srv->nconns--;
		c->srv = NULL;
	}
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void on_timeout(uv_timer_t *t)
{
	conn_close(t->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	conn_close(req->data);
}

static void on_written(uv_write_t *req, int status)
{
	struct hconn *c = req->data;
	if (c->closing)
		return;
	/* A FIN after the reply lets the client read it all before the close. */
	if (status < 0 || uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
		conn_close(c);
}

static void send_reply(struct hconn *c, const struct httpd_reply *r)
{
	char head[256];
	int hl = snprintf(head, sizeof(head),
	                  "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
	                  r->status, reason_phrase(r->status), r->content_type, r->len);
	if (hl < 0 || (size_t)hl >= sizeof(head)) {
		conn_close(c);
		return;
	}
	c->len = (size_t)hl + r->len;
	c->out = xmalloc(c->len);
	memcpy(c->out, head, (size_t)hl);
	memcpy(c->out + hl, r->body, r->len);
	uv_buf_t b = uv_buf_init(c->out, (unsigned)c->len);
	uv_read_stop((uv_stream_t *)&c->tcp);
	uv_timer_start(&c->timer, on_timeout, HTTPD_TIMEOUT_MS, 0);
	c->wreq.data = c;
	c->sreq.data = c;
	if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
		conn_close(c);
}

static void reply_plain(struct hconn *c, int status, const char *text)
{
	struct httpd_reply r = {0};
	httpd_reply_set(&r, status, NULL, text, strlen(text));
	send_reply(c, &r);
	free(r.body);
}

/* The head is complete in c->buf (NUL-terminated): routes the request line. */
static void handle_request(struct hconn *c)
{
	char *line_end = strpbrk(c->buf, "\r\n");
	*line_end = '\0';
	char *sp1 = strchr(c->buf, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    sp1[1] != '/') {
		reply_plain(c, 400, "bad request\n");
		return;
	}
	*sp1 = '\0';
	*sp2 = '\0';
	if (strcmp(c->buf, "GET") != 0) {
		reply_plain(c, 405, "only GET is served\n");
		return;
	}
	char *path = sp1 + 1;
	path[strcspn(path, "?#")] = '\0';
	if (strlen(path) > HTTPD_PATH_MAX) {
		reply_plain(c, 414, "path too long\n");
		return;
	}
	struct httpd_reply r = {0};
	c->srv->handler(c->srv->data, path, &r);
	if (!r.set) {
		reply_plain(c, 404, "not found\n");
		return;
	}
	send_reply(c, &r);
	free(r.body);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct hconn *c = h->data;
	(void)suggested;
	/* One byte stays free for the NUL the parser relies on. */
	*buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof(c->buf) - 1 - c->len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct hconn *c = s->data;
	(void)buf;
	if (c->closing)
		return;
	if (nread < 0) {
		conn_close(c);
		return;
	}
	/* The first bytes: the client gets the rest of the head deadline. */
	if (c->len == 0 && nread > 0)
		uv_timer_start(&c->timer, on_timeout, HTTPD_TIMEOUT_MS - HTTPD_IDLE_MS, 0);
	c->len += (size_t)nread;
	c->buf[c->len] = '\0';
	if (memchr(c->buf, '\0', c->len)) {
		reply_plain(c, 400, "bad request\n");
		return;
	}
	if (strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n")) {
		handle_request(c);
		return;
	}
	if (c->len >= sizeof(c->buf) - 1)
		reply_plain(c, 431, "request head too large\n");
}

static void on_connection(uv_stream_t *server, int status)
{
	struct httpd *h = server->data;
	if (status < 0) {
		log_warn("metrics listener: accept failed", "error=%s", uv_strerror(status));
		return;
	}
	/* Full: the oldest connection still waiting for its request goes, so that
	 * a flood of idle connections cannot keep /healthz from answering; only
	 * when every one is being answered is the new one turned away. */
	if (h->nconns >= HTTPD_MAX_CONNS) {
		struct hconn *victim = NULL;
		for (struct hconn *o = h->conns; o; o = o->next)
			if (!o->out)
				victim = o; /* the list is newest first */
		if (victim) {
			log_warn("metrics listener: too many connections, dropping the oldest idle one",
			         "max=%d", HTTPD_MAX_CONNS);
			conn_close(victim);
		}
	}
	struct hconn *c = xcalloc(1, sizeof(*c));
	uv_tcp_init(net_loop_uv(h->loop), &c->tcp);
	uv_timer_init(net_loop_uv(h->loop), &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->open_handles = 2;
	c->srv = h;
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
		conn_close(c);
		return;
	}
	if (h->nconns > HTTPD_MAX_CONNS) {
		log_warn("metrics listener: every connection is being answered, dropping a new one",
		         "max=%d", HTTPD_MAX_CONNS);
		conn_close(c);
		return;
	}
	/* A client that sends nothing soon is idle: it goes early. */
	uv_timer_start(&c->timer, on_timeout, HTTPD_IDLE_MS, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		conn_close(c);
}

static void on_server_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void httpd_leaked(void *data)
{
	log_error("metrics listener still open at loop shutdown; closing it");
	httpd_free(data);
}

int httpd_new(struct net_loop *loop, const char *listen, httpd_handler_fn *handler,
              void *data, struct httpd **ret)
{
	struct sockaddr_storage ss;
	int r;
	if (!handler || parse_listen(listen, &ss) < 0)
		return -EINVAL;
	struct httpd *h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	h->handler = handler;
	h->data = data;
	uv_tcp_init(net_loop_uv(loop), &h->srv);
	h->srv.data = h;
	if ((r = uv_tcp_bind(&h->srv, (const struct sockaddr *)&ss, 0)) < 0 ||
	    (r = uv_listen((uv_stream_t *)&h->srv, HTTPD_BACKLOG, on_connection)) < 0) {
		uv_close((uv_handle_t *)&h->srv, on_server_closed);
		return r;
	}
	struct sockaddr_storage bound;
	int blen = sizeof(bound);
	if (uv_tcp_getsockname(&h->srv, (struct sockaddr *)&bound, &blen) == 0)
		h->port = ntohs(bound.ss_family == AF_INET6 ?
		                ((struct sockaddr_in6 *)&bound)->sin6_port :
		                ((struct sockaddr_in *)&bound)->sin_port);
	h->hook.fn = httpd_leaked;
	h->hook.data = h;
	net_loop_hook_add(loop, &h->hook);
	*ret = h;
	return 0;
}

int httpd_port(const struct httpd *h)
{
	return h ? h->port : 0;
}

void httpd_free(struct httpd *h)
{
	if (!h)
		return;
	net_loop_hook_remove(h->loop, &h->hook);
	while (h->conns)
		conn_close(h->conns);
	uv_close((uv_handle_t *)&h->srv, on_server_closed);
}
