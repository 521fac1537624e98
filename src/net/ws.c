/* ws.c: owns websocket client connections on the lws context of ws_client.c:
 * our own asynchronous DNS in front (lws 4.1 on Debian resolves
 * synchronously), the connect timeout, message reassembly with a size bound,
 * the send queue and the close handshake; it must not block the loop, log
 * message contents or headers, or know any protocol spoken over the socket. */
#include "net/ws.h"

#include <errno.h>
#include <libwebsockets.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/net_internal.h"
#include "net/timer.h"
#include "net/ws_impl.h"
#include "net/ws_url.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Numeric address text (bytes, with NUL), enough for IPv6. */
#define WS_ADDR_MAX 64
/* First receive buffer, and the most kept between messages (bytes): a
 * connection that once got a large message does not hold on to it. */
#define WS_RX_INITIAL_BYTES 4096
#define WS_RX_KEEP_BYTES 65536
/* OpenSSL's certificate error text (bytes, with NUL). */
#define WS_TLS_ERROR_MAX 128
/* Our own description of why a connection ended (bytes, with NUL). */
#define WS_REASON_MAX 512
/* lws's own opcode for a close frame: lws 4.1 keeps it out of the public
 * enum (lws-write.h: "LWS_WRITE_CLOSE is handled by lws_close_reason()") but
 * lws_write still takes it; see conn_write_close for why we need it. */
#define WS_LWS_WRITE_CLOSE ((enum lws_write_protocol)4)
/* How long to wait for the peer's close frame after sending ours (s). */
#define WS_CLOSE_ACK_TIMEOUT_S 5

enum conn_state {
	CONN_RESOLVING,
	CONN_CONNECTING,
	CONN_OPEN,
	CONN_CLOSING,   /* our close frame is queued or sent */
	CONN_DONE,      /* on_close reported (or suppressed by free) */
};

struct ws_msg {
	struct ws_msg *next;
	size_t len;
	unsigned char buf[]; /* LWS_PRE bytes of headroom, then len bytes */
};

struct ws_conn {
	struct ws_client *client;
	const struct ws_callbacks *cbs;
	void *data;
	/* The owner's reference, the pending DNS request's, and one held
	 * across each callback into the owner: freed at zero. */
	int refs;
	bool freed;             /* ws_conn_free called: no more callbacks */
	bool muted;             /* the client was freed: no more callbacks */
	enum conn_state state;
	bool tls;
	bool dns_pending;
	bool aborted;           /* ws_abort or connect timeout */
	char host[WS_URL_HOST_MAX]; /* as in the URL, no brackets */
	char hosthdr[WS_URL_HOST_MAX + 2];
	int port;
	char *path;             /* "/path?query" */
	char *user_agent;       /* for the upgrade request, or NULL */
	int64_t connect_timeout_ms;
	struct net_timer *connect_timer;
	uv_getaddrinfo_t gai;
	struct lws *wsi;

	/* receive: one message being reassembled */
	unsigned char *rx;
	size_t rx_len, rx_cap, rx_max;
	bool rx_binary;
	bool rx_in_message;

	/* send queue */
	struct ws_msg *q_head, *q_tail;
	size_t q_len;

	/* close */
	int close_code;         /* ours, once ws_close/1009 started */
	bool close_sent;        /* our close frame is on the wire */
	char close_reason[WS_MAX_CLOSE_REASON_BYTES + 1];
	bool peer_closed;
	int peer_code;
	char peer_reason[WS_MAX_CLOSE_REASON_BYTES + 1];
	char fail_reason[WS_REASON_MAX];
	char tls_error[WS_TLS_ERROR_MAX]; /* OpenSSL's verdict on the peer certificate */

	struct ws_conn *next, *prev; /* client's list of live conns */
};


static void conn_unref(struct ws_conn *c);

/* ---- lifecycle helpers -------------------------------------------------- */

static void conn_unlink(struct ws_conn *c)
{
	struct ws_client *cl = c->client;

	if (!cl)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else if (cl->conns == c)
		cl->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static void queue_clear(struct ws_conn *c)
{
	while (c->q_head) {
		struct ws_msg *m = c->q_head;
		c->q_head = m->next;
		free(m);
	}
	c->q_tail = NULL;
	c->q_len = 0;
}

static void conn_unref(struct ws_conn *c)
{
	if (--c->refs > 0)
		return;
	queue_clear(c);
	net_timer_free(c->connect_timer);
	free(c->rx);
	free(c->path);
	free(c->user_agent);
	free(c);
}

/* Detaches the lws connection from c and has lws drop it on its next pass,
 * without a close frame (a NOSTATUS close sends none). */
static void conn_kill_wsi(struct ws_conn *c)
{
	struct lws *wsi = c->wsi;

	int fd;

	if (!wsi)
		return;
	/* Nothing more may go out: no close frame, no queued data. */
	fd = lws_get_socket_fd(wsi);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* The single place on_close is reported from; later calls are no-ops. */
static void conn_report_close(struct ws_conn *c, enum ws_close_kind kind, int code,
			      const char *reason)
{
	struct ws_close_info info;

	if (c->state == CONN_DONE)
		return;
	c->state = CONN_DONE;
	net_timer_stop(c->connect_timer);
	queue_clear(c);
	if (c->freed || c->muted)
		return;
	info.kind = kind;
	info.code = code;
	info.reason = reason ? reason : "";
	info.was_clean = kind == WS_CLOSED_BY_PEER || kind == WS_CLOSED_BY_US;
	info.tls_refused = kind == WS_CLOSE_CONNECT_FAILED && c->tls_error[0];
	c->refs++;
	c->cbs->on_close(c, &info, c->data);
	conn_unref(c);
}

/* Decides, once the lws connection is gone, which of the four ends it was. */
static void conn_report_ended(struct ws_conn *c, const char *lws_reason)
{
	char msg[WS_REASON_MAX];

	if (c->state == CONN_DONE)
		return;
	if (c->state == CONN_RESOLVING || c->state == CONN_CONNECTING) {
		if (c->fail_reason[0]) {
			conn_report_close(c, WS_CLOSE_CONNECT_FAILED, WS_CLOSE_ABNORMAL, c->fail_reason);
			return;
		}
		if (c->tls_error[0])
			snprintf(msg, sizeof(msg), "TLS certificate verification failed for host %s: %s",
				 c->host, c->tls_error);
		else
			snprintf(msg, sizeof(msg), "connecting to %s:%d failed: %s", c->host, c->port,
				 lws_reason && *lws_reason ? lws_reason : "connection closed");
		conn_report_close(c, WS_CLOSE_CONNECT_FAILED, WS_CLOSE_ABNORMAL, msg);
		return;
	}
	if (c->close_code) {
		conn_report_close(c, WS_CLOSED_BY_US, c->close_code, c->close_reason);
		return;
	}
	if (c->peer_closed) {
		conn_report_close(c, WS_CLOSED_BY_PEER, c->peer_code, c->peer_reason);
		return;
	}
	conn_report_close(c, WS_CLOSE_DROPPED, WS_CLOSE_ABNORMAL,
			  c->aborted ? "aborted by client"
				     : "connection dropped without a close frame");
}

/* ---- lws protocol callback ---------------------------------------------- */

/* Appends one received chunk; a message over rx_max closes with 1009. Returns
 * -1 to make lws close the connection. */
static int conn_on_receive(struct ws_conn *c, struct lws *wsi, const void *in, size_t len)
{
	bool final = lws_is_final_fragment(wsi);

	if (!c->rx_in_message) {
		c->rx_in_message = true;
		c->rx_len = 0;
		c->rx_binary = lws_frame_is_binary(wsi);
	}
	if (len > c->rx_max - c->rx_len) {
		log_warn("websocket message over the size limit; closing with 1009",
			 "host=%s limit=%zu", c->host, c->rx_max);
		c->close_code = WS_CLOSE_TOO_BIG;
		snprintf(c->close_reason, sizeof(c->close_reason),
			 "message exceeds %zu bytes", c->rx_max);
		c->state = CONN_CLOSING;
		lws_close_reason(wsi, WS_CLOSE_TOO_BIG, (unsigned char *)c->close_reason,
				 strlen(c->close_reason));
		return -1;
	}
	if (c->rx_len + len + 1 > c->rx_cap) {
		size_t cap = c->rx_cap ? c->rx_cap : WS_RX_INITIAL_BYTES;
		while (cap < c->rx_len + len + 1)
			cap *= 2;
		if (cap > c->rx_max + 1)
			cap = c->rx_max + 1;
		c->rx = xrealloc(c->rx, cap);
		c->rx_cap = cap;
	}
	if (len)
		memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	c->rx[c->rx_len] = '\0';
	if (!final)
		return 0;
	c->rx_in_message = false;
	if (c->freed || c->muted || c->state != CONN_OPEN)
		return 0;
	c->refs++;
	c->cbs->on_message(c, c->rx, c->rx_len, c->rx_binary, c->data);
	if (c->rx_cap > WS_RX_KEEP_BYTES) {
		/* Give back the memory of a one-off big message. */
		free(c->rx);
		c->rx = NULL;
		c->rx_cap = 0;
	}
	conn_unref(c);
	return 0;
}

/* Sends our close frame and waits (bounded) for the peer's. Debian's lws
 * 4.1 cannot do this for us: it is a _DEBUG build, whose libuv service path
 * calls close a second time ("close_and_handled uv repeat test"), so
 * lws_close_reason followed by returning -1 from WRITEABLE (or a kill
 * timeout) drops the TCP connection without the frame. */
static int conn_write_close(struct ws_conn *c, struct lws *wsi)
{
	unsigned char buf[LWS_PRE + 2 + WS_MAX_CLOSE_REASON_BYTES];
	size_t rlen = strlen(c->close_reason);
	int n;

	buf[LWS_PRE] = (unsigned char)(c->close_code >> 8);
	buf[LWS_PRE + 1] = (unsigned char)(c->close_code & 0xff);
	memcpy(buf + LWS_PRE + 2, c->close_reason, rlen);
	c->close_sent = true;
	n = lws_write(wsi, buf + LWS_PRE, 2 + rlen, WS_LWS_WRITE_CLOSE);
	if (n < (int)(2 + rlen))
		return -1;
	lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_ACK, WS_CLOSE_ACK_TIMEOUT_S);
	return 0;
}

/* Writes one queued message, or our close frame. Returns -1 to close. */
static int conn_on_writable(struct ws_conn *c, struct lws *wsi)
{
	struct ws_msg *m;
	int n;

	if (c->state == CONN_CLOSING && c->close_code && !c->close_sent)
		return conn_write_close(c, wsi);
	m = c->q_head;
	if (!m || c->state != CONN_OPEN)
		return 0;
	c->q_head = m->next;
	if (!c->q_head)
		c->q_tail = NULL;
	c->q_len--;
	n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
	if (n < 0 || (size_t)n < m->len) {
		/* lws buffers what the kernel does not take; a short count is
		 * a failure, not a partial send to resume. */
		log_warn("websocket write failed; dropping the connection", "host=%s len=%zu wrote=%d",
			 c->host, m->len, n);
		free(m);
		return -1;
	}
	free(m);
	if (c->q_head)
		lws_callback_on_writable(wsi);
	return 0;
}

static void conn_on_peer_close(struct ws_conn *c, const unsigned char *in, size_t len)
{
	size_t rlen;

	c->peer_closed = true;
	c->peer_code = WS_CLOSE_NO_STATUS;
	c->peer_reason[0] = '\0';
	if (len < 2)
		return;
	c->peer_code = (in[0] << 8) | in[1];
	rlen = len - 2;
	if (rlen > WS_MAX_CLOSE_REASON_BYTES)
		rlen = WS_MAX_CLOSE_REASON_BYTES;
	memcpy(c->peer_reason, in + 2, rlen);
	c->peer_reason[rlen] = '\0';
}

static int ws_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			   void *in, size_t len)
{
	struct ws_conn *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	int r = 0;

	struct ws_client *cl;

	if (!c)
		return 0;

	cl = c->client;
	if (cl)
		cl->depth++;
	c->refs++;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		c->wsi = NULL;
		lws_set_opaque_user_data(wsi, NULL);
		conn_report_ended(c, in ? (const char *)in : NULL);
		conn_unref(c); /* the wsi's reference */
		break;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		/* Discord asks every client for a User-Agent (reference.md, "User
		 * Agent"); a compatible server closes a gateway without one (4002). */
		unsigned char **p = (unsigned char **)in, *end = *p + len;
		if (c->user_agent &&
		    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_USER_AGENT,
		                                 (const unsigned char *)c->user_agent,
		                                 (int)strlen(c->user_agent), p, end))
			r = -1;
		break;
	}
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		/* user is the X509_STORE_CTX, len is OpenSSL's preverify_ok. lws's
		 * own failure text ("SSL err 1") does not say what was wrong;
		 * keep OpenSSL's reason for on_close. Returning 0 leaves the
		 * verdict to OpenSSL. */
		if (!len && user)
			snprintf(c->tls_error, sizeof(c->tls_error), "%s",
				 X509_verify_cert_error_string(X509_STORE_CTX_get_error(user)));
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (c->state != CONN_CONNECTING || c->aborted) {
			r = -1;
			break;
		}
		c->state = CONN_OPEN;
		net_timer_stop(c->connect_timer);
		log_info("websocket connected", "host=%s port=%d", c->host, c->port);
		if (!c->freed && !c->muted)
			c->cbs->on_open(c, c->data);
		if (c->state == CONN_OPEN && c->q_head)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		r = conn_on_receive(c, wsi, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		r = conn_on_writable(c, wsi);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		conn_on_peer_close(c, in, len);
		/* Our close went first: this is the answer, so close now
		 * instead of letting lws echo a second close frame. */
		if (c->close_sent)
			r = 1;
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		c->wsi = NULL;
		lws_set_opaque_user_data(wsi, NULL);
		conn_report_ended(c, NULL);
		conn_unref(c); /* the wsi's reference */
		break;
	default:
		break;
	}
	/* The owner freed the conn from inside a callback: drop the socket. */
	if (c->freed && c->wsi == wsi)
		r = -1;
	conn_unref(c);
	if (cl)
		cl->depth--; /* a ws_client_free in here was deferred: cl is alive */
	return r;
}

const struct lws_protocols ws_protocols[] = {
	{ .name = "scobot-ws", .callback = ws_lws_callback },
	{ .name = NULL },
};

/* ---- connect ------------------------------------------------------------ */

static void on_connect_timeout(struct net_timer *t, void *data)
{
	struct ws_conn *c = data;

	if (c->state != CONN_RESOLVING && c->state != CONN_CONNECTING)
		return;
	snprintf(c->fail_reason, sizeof(c->fail_reason),
		 "connecting to %s:%d timed out after %lld ms", c->host, c->port,
		 (long long)c->connect_timeout_ms);
	log_warn("websocket connect timed out", "host=%s port=%d timeout_ms=%lld", c->host,
		 c->port, (long long)c->connect_timeout_ms);
	c->aborted = true;
	if (c->dns_pending) {
		uv_cancel((uv_req_t *)&c->gai);
		/* The resolver callback will still run (cancelled or not). */
		conn_report_close(c, WS_CLOSE_CONNECT_FAILED, WS_CLOSE_ABNORMAL, c->fail_reason);
		return;
	}
	conn_kill_wsi(c);
}

static void conn_start_lws(struct ws_conn *c, const char *addr)
{
	struct lws_client_connect_info i;
	struct lws *wsi;

	memset(&i, 0, sizeof(i));
	i.context = c->client->ctx;
	i.address = addr;           /* numeric: lws's own resolver does not block on it */
	i.port = c->port;
	/* TLS SNI and the verified name come from .host in lws 4.1, not
	 * .address (tested: a cert for "localhost" verifies via 127.0.0.1). */
	i.host = c->hosthdr;
	i.origin = c->hosthdr;
	i.path = c->path;
	i.ssl_connection = c->tls ? LCCSCF_USE_SSL : 0;
	/* h2 would carry the upgrade differently; gateways speak http/1.1. */
	i.alpn = "http/1.1";
	i.ietf_version_or_minus_one = -1;
	i.local_protocol_name = ws_protocols[0].name;
	i.opaque_user_data = c;
	c->state = CONN_CONNECTING;
	c->refs++; /* the wsi's reference, dropped when lws lets go of it */
	wsi = lws_client_connect_via_info(&i);
	if (!wsi) {
		/* Either lws already reported the failure through the callback
		 * (which dropped the wsi's reference) or it failed before that. */
		if (c->state != CONN_DONE) {
			conn_report_ended(c, "cannot start the connection");
			conn_unref(c);
		}
		return;
	}
	if (c->state != CONN_DONE)
		c->wsi = wsi;
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct ws_conn *c = container_of(req, struct ws_conn, gai);
	struct addrinfo *pick = NULL;
	char addr[WS_ADDR_MAX];

	c->dns_pending = false;
	if (c->freed || c->state != CONN_RESOLVING || c->client == NULL || c->client->freeing) {
		uv_freeaddrinfo(res);
		conn_unref(c);
		return;
	}
	if (status < 0 || !res) {
		snprintf(c->fail_reason, sizeof(c->fail_reason), "cannot resolve host %s: %s",
			 c->host, status < 0 ? uv_strerror(status) : "no address");
		uv_freeaddrinfo(res);
		conn_report_close(c, WS_CLOSE_CONNECT_FAILED, WS_CLOSE_ABNORMAL, c->fail_reason);
		conn_unref(c);
		return;
	}
	/* No happy eyeballs here: IPv4 first, which works for more hosts. */
	for (struct addrinfo *a = res; a; a = a->ai_next)
		if (a->ai_family == AF_INET) {
			pick = a;
			break;
		}
	if (!pick)
		pick = res;
	if (!pick)
		return; /* unreachable: res is non-NULL here */
	if (pick->ai_family == AF_INET)
		uv_ip4_name((struct sockaddr_in *)pick->ai_addr, addr, sizeof(addr));
	else
		uv_ip6_name((struct sockaddr_in6 *)pick->ai_addr, addr, sizeof(addr));
	uv_freeaddrinfo(res);
	conn_start_lws(c, addr);
	conn_unref(c); /* the resolver's reference */
}

struct ws_conn *ws_connect(struct ws_client *client, const struct ws_connect_options *opts,
			   const struct ws_callbacks *cbs, void *data, int *ret_err)
{
	struct addrinfo hints;
	struct ws_conn *c;
	int r;

	if (!client || client->freeing || !client->ctx) {
		if (ret_err)
			*ret_err = -ESHUTDOWN;
		return NULL;
	}
	if (!opts || !opts->url || !cbs || !cbs->on_open || !cbs->on_message || !cbs->on_close ||
	    opts->connect_timeout_ms < 0) {
		if (ret_err)
			*ret_err = -EINVAL;
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	struct ws_url u;
	r = ws_url_split(opts->url, &u);
	if (r < 0) {
		free(c);
		if (ret_err)
			*ret_err = r;
		return NULL;
	}
	c->tls = u.tls;
	c->port = u.port;
	c->path = u.path;
	c->user_agent = opts->user_agent ? xstrdup(opts->user_agent) : NULL;
	memcpy(c->host, u.host, sizeof(c->host));
	memcpy(c->hosthdr, u.hosthdr, sizeof(c->hosthdr));
	c->client = client;
	c->cbs = cbs;
	c->data = data;
	c->refs = 1;
	c->rx_max = opts->max_message_bytes ? opts->max_message_bytes : WS_DEFAULT_MAX_MESSAGE_BYTES;
	c->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms
							 : WS_DEFAULT_CONNECT_TIMEOUT_MS;
	c->state = CONN_RESOLVING;
	c->connect_timer = net_timer_new(client->loop, on_connect_timeout, c);
	net_timer_start(c->connect_timer, (uint64_t)c->connect_timeout_ms, 0);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* No AI_ADDRCONFIG: on a host with only loopback configured it hides
	 * 127.0.0.1 for "localhost". */
	c->refs++;
	c->dns_pending = true;
	r = uv_getaddrinfo(net_loop_uv(client->loop), &c->gai, on_resolved, c->host, NULL, &hints);
	if (r < 0) {
		c->dns_pending = false;
		c->refs--;
		net_timer_free(c->connect_timer);
		c->connect_timer = NULL;
		free(c->path);
		free(c->user_agent);
		free(c);
		if (ret_err)
			*ret_err = r;
		return NULL;
	}
	c->next = client->conns;
	if (client->conns)
		client->conns->prev = c;
	client->conns = c;
	return c;
}

/* ---- send / close ------------------------------------------------------- */

int ws_send_text(struct ws_conn *c, const char *msg, size_t len)
{
	struct ws_msg *m;

	if (!c || c->freed || c->muted || c->state != CONN_OPEN || !c->wsi)
		return -ENOTCONN;
	if (len > WS_MAX_SEND_BYTES)
		return -EMSGSIZE;
	if (c->q_len >= WS_SEND_QUEUE_MAX) {
		log_warn("websocket send queue full; peer not reading", "host=%s queued=%zu",
			 c->host, c->q_len);
		return -ENOBUFS;
	}
	m = xmalloc(sizeof(*m) + LWS_PRE + len);
	m->next = NULL;
	m->len = len;
	if (len)
		memcpy(m->buf + LWS_PRE, msg, len);
	if (c->q_tail)
		c->q_tail->next = m;
	else
		c->q_head = m;
	c->q_tail = m;
	c->q_len++;
	lws_callback_on_writable(c->wsi);
	return 0;
}

size_t ws_send_queue_len(const struct ws_conn *c)
{
	return c ? c->q_len : 0;
}

static bool close_code_ok(int code)
{
	/* RFC 6455 7.4: 1004-1006 and 1015 must not be sent. */
	if (code >= 3000 && code <= 4999)
		return true;
	return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

/* Reports a failed or aborted connect from the loop, never from inside the
 * API call that caused it. */
static void deferred_connect_abort(void *data)
{
	struct ws_conn *c = data;

	conn_report_close(c, WS_CLOSE_CONNECT_FAILED, WS_CLOSE_ABNORMAL,
			  c->fail_reason[0] ? c->fail_reason : "aborted by client");
	conn_unref(c);
}

static void conn_abort_connecting(struct ws_conn *c)
{
	if (!c->fail_reason[0])
		snprintf(c->fail_reason, sizeof(c->fail_reason), "aborted by client");
	c->aborted = true;
	if (c->dns_pending) {
		uv_cancel((uv_req_t *)&c->gai);
		c->refs++;
		net_defer(c->client->loop, deferred_connect_abort, c);
		return;
	}
	conn_kill_wsi(c);
}

int ws_close(struct ws_conn *c, int code, const char *reason)
{
	size_t rlen;

	if (!c || c->freed || c->muted || !c->client)
		return -ENOTCONN;
	if (!close_code_ok(code))
		return -EINVAL;
	if (c->state == CONN_RESOLVING || c->state == CONN_CONNECTING) {
		conn_abort_connecting(c);
		return 0;
	}
	if (c->state != CONN_OPEN || !c->wsi)
		return -ENOTCONN;
	reason = reason ? reason : "";
	rlen = strlen(reason);
	if (rlen > WS_MAX_CLOSE_REASON_BYTES)
		rlen = WS_MAX_CLOSE_REASON_BYTES;
	memcpy(c->close_reason, reason, rlen);
	c->close_reason[rlen] = '\0';
	c->close_code = code;
	c->state = CONN_CLOSING;
	queue_clear(c);
	/* The close frame goes out from WRITEABLE (conn_on_writable). */
	lws_callback_on_writable(c->wsi);
	return 0;
}

void ws_abort(struct ws_conn *c)
{
	if (!c || c->freed || c->muted || !c->client || c->state == CONN_DONE || c->aborted)
		return;
	if (c->state == CONN_RESOLVING || c->state == CONN_CONNECTING) {
		conn_abort_connecting(c);
		return;
	}
	c->aborted = true;
	c->close_code = 0; /* an abort overrides a close still in progress */
	if (!c->wsi) {
		c->refs++;
		net_defer(c->client->loop, deferred_connect_abort, c);
		return;
	}
	conn_kill_wsi(c);
}

void ws_conn_free(struct ws_conn *c)
{
	if (!c || c->freed)
		return;
	c->freed = true;
	/* The timer goes now, not with the last reference: a DNS lookup may
	 * hold c until after net_loop_free has started. */
	net_timer_free(c->connect_timer);
	c->connect_timer = NULL;
	if (c->dns_pending)
		uv_cancel((uv_req_t *)&c->gai);
	if (c->wsi) {
		/* Detach so lws callbacks no longer reach c; if we are inside one
		 * of them, ws_lws_callback sees `freed` and returns -1 instead. */
		conn_kill_wsi(c);
	}
	conn_unlink(c);
	conn_unref(c);
}

/* ---- the client going away ------------------------------------------------ */

void ws_conns_mute(struct ws_client *cl)
{
	for (struct ws_conn *c = cl->conns; c; c = c->next)
		c->muted = true;
}

void ws_conns_detach(struct ws_client *cl)
{
	/* Connections still open are dropped without callbacks; their owners
	 * still hold (and will free) the conn objects. */
	for (struct ws_conn *c = cl->conns; c; c = c->next) {
		c->muted = true;
		net_timer_free(c->connect_timer);
		c->connect_timer = NULL;
		if (c->dns_pending)
			uv_cancel((uv_req_t *)&c->gai);
	}
}

void ws_conns_unlink_all(struct ws_client *cl)
{
	while (cl->conns) {
		struct ws_conn *c = cl->conns;
		conn_unlink(c);
		c->client = NULL;
	}
}
