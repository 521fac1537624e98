/* ws.h: websocket client connections on the net loop (libwebsockets behind
 * opaque types): connect, bounded reassembly of messages, a bounded send
 * queue, and closes that keep their codes; it must not expose lws types and
 * knows nothing of Discord (no zlib, no JSON).
 *
 *   struct ws_client *wsc = ws_client_new(loop, NULL);        // once per process
 *   static const struct ws_callbacks cbs = { on_open, on_message, on_close };
 *   struct ws_connect_options o = { .url = "wss://gateway.discord.gg/?v=10&encoding=json",
 *                                    .max_message_bytes = 4u << 20 };
 *   struct ws_conn *c = ws_connect(wsc, &o, &cbs, gw);
 *   ... in on_open: ws_send_text(c, identify, len);
 *   ... zombie: ws_abort(c);    resumable close: ws_close(c, 4000, "reconnect");
 *   ... in on_close (or any time): ws_conn_free(c);
 *
 * Lifecycle of a ws_conn (the caller owns it and frees it exactly once with
 * ws_conn_free, which is safe at any time, inside any of its callbacks too):
 * - ws_connect returns at once; DNS (asynchronous), TCP, TLS and the upgrade
 *   follow on the loop, bounded as a whole by connect_timeout_ms.
 * - on_open runs once the upgrade succeeded.
 * - on_message runs once per complete message (fragments are reassembled).
 * - on_close runs exactly once, when the connection ends for any reason
 *   (including a failed connect, ws_close and ws_abort), unless ws_conn_free
 *   came first. After on_close no callback runs again and sends fail with
 *   -ENOTCONN; the caller still frees the conn.
 * - ws_conn_free without a prior close drops the connection (no close frame)
 *   and runs no callback.
 * No callback ever runs from inside ws_connect, ws_send_text, ws_close,
 * ws_abort or ws_conn_free.
 *
 * TLS (wss://) always verifies the peer certificate against the host name in
 * the URL. Nothing here logs message contents or header values.
 *
 * Conventions: negative errno or NULL on failure; destructors accept NULL. */
#ifndef SCOBOT_NET_WS_H
#define SCOBOT_NET_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_loop;
struct ws_client;
struct ws_conn;

#define WS_DEFAULT_MAX_MESSAGE_BYTES (1u << 20)  /* reassembled message, bytes (1 MiB) */
#define WS_DEFAULT_CONNECT_TIMEOUT_MS 15000      /* DNS + TCP + TLS + upgrade, ms */
#define WS_SEND_QUEUE_MAX 64                     /* queued outgoing messages, count */
#define WS_MAX_SEND_BYTES 65536                  /* one outgoing message, bytes */
#define WS_MAX_CLOSE_REASON_BYTES 123            /* close reason, bytes (RFC 6455 5.5) */
#define WS_MAX_URL_BYTES 2048                    /* ws:// or wss:// URL, bytes */

/* Close codes this layer reports itself (RFC 6455 7.4.1). */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_NO_STATUS 1005        /* peer's close frame carried no code */
#define WS_CLOSE_ABNORMAL 1006         /* no close frame: dropped, aborted, failed */
#define WS_CLOSE_TOO_BIG 1009          /* a message exceeded max_message_bytes */

/* How a connection ended; Discord's resume logic needs to tell these apart. */
enum ws_close_kind {
	/* The peer sent a close frame: code/reason are the peer's (code 1005 if
	 * its frame had none). */
	WS_CLOSED_BY_PEER,
	/* We sent a close frame (ws_close, or 1009 for an oversized message):
	 * code/reason are the ones we sent. */
	WS_CLOSED_BY_US,
	/* The connection ended with no close frame from the peer: TCP reset or
	 * EOF, ws_abort, a protocol error, a failed write. code is 1006. */
	WS_CLOSE_DROPPED,
	/* Never opened: DNS, TCP, TLS (e.g. "TLS certificate verification
	 * failed for host X: ..."), HTTP upgrade refused, or connect timeout.
	 * code is 1006. */
	WS_CLOSE_CONNECT_FAILED,
};

struct ws_close_info {
	enum ws_close_kind kind;
	int code;
	/* NUL-terminated, never NULL. For BY_PEER it is the peer's reason text
	 * (untrusted: escape before logging); otherwise our own description. */
	const char *reason;
	/* kind is BY_PEER or BY_US: a close handshake was at least started by a
	 * frame on the wire. */
	bool was_clean;
	/* CONNECT_FAILED because the server's certificate was refused. */
	bool tls_refused;
};

struct ws_callbacks {
	void (*on_open)(struct ws_conn *conn, void *data);
	/* One complete message; msg is valid only during the call and is
	 * followed by a NUL byte (not counted in len) for text convenience.
	 * Text messages are not UTF-8 checked here. */
	void (*on_message)(struct ws_conn *conn, const void *msg, size_t len,
			   bool is_binary, void *data);
	void (*on_close)(struct ws_conn *conn, const struct ws_close_info *info, void *data);
};

struct ws_connect_options {
	/* ws://host[:port]/path?query or wss://...; copied. */
	const char *url;
	/* Largest reassembled message (bytes); 0 = WS_DEFAULT_MAX_MESSAGE_BYTES.
	 * A bigger one closes the connection with 1009 (WS_CLOSED_BY_US). */
	size_t max_message_bytes;
	/* Bound on DNS + TCP + TLS + upgrade (ms); 0 = WS_DEFAULT_CONNECT_TIMEOUT_MS. */
	int64_t connect_timeout_ms;
	/* Sent as the upgrade request's User-Agent; NULL: none. Copied. */
	const char *user_agent;
};

/* The websocket machinery for one loop (an lws context on the loop). ca_file
 * (optional, copied) is a PEM bundle of CAs trusted in addition to the system
 * store, for every wss:// connection of this client. NULL on failure (logged). */
struct ws_client *ws_client_new(struct net_loop *loop, const char *ca_file);

/* Drops every connection still open (no callbacks run from now on) and frees
 * the client. Conns not yet freed by their owner must still be freed with
 * ws_conn_free (they are inert). Safe inside this client's callbacks (the
 * teardown then finishes on the next loop pass). The lws context's memory is
 * released in net_loop_free, after its handles have closed. Accepts NULL. */
void ws_client_free(struct ws_client *client);

/* Starts connecting. NULL with *ret_err set (when ret_err is not NULL) to
 * -EINVAL for a bad URL or options, -ESHUTDOWN when the client is being freed.
 * cbs is not copied and must outlive the conn (make it static const). */
struct ws_conn *ws_connect(struct ws_client *client, const struct ws_connect_options *opts,
			   const struct ws_callbacks *cbs, void *data, int *ret_err);

/* Queues one text message (copied) to be sent as a single frame. Returns 0,
 * -ENOTCONN before on_open or after a close started, -EMSGSIZE above
 * WS_MAX_SEND_BYTES, -ENOBUFS when WS_SEND_QUEUE_MAX messages are queued
 * (a sign the peer stopped reading). */
int ws_send_text(struct ws_conn *conn, const char *msg, size_t len);

/* Messages queued and not yet written. */
size_t ws_send_queue_len(const struct ws_conn *conn);

/* Starts a close handshake with code (1000, or 3000-4999 for applications,
 * e.g. 4000 to keep a Discord session resumable) and reason (truncated to
 * WS_MAX_CLOSE_REASON_BYTES). Queued messages not yet written are dropped.
 * on_close follows with WS_CLOSED_BY_US when the peer answers or a short
 * timeout passes. Before on_open it acts like ws_abort. Returns 0, -EINVAL for
 * a code not allowed on the wire, -ENOTCONN if already closing/closed. */
int ws_close(struct ws_conn *conn, int code, const char *reason);

/* Drops the TCP connection at once with no close frame (for a zombie
 * connection). on_close follows with WS_CLOSE_DROPPED (or
 * WS_CLOSE_CONNECT_FAILED before on_open), reason "aborted by client". No-op
 * if already closing/closed. */
void ws_abort(struct ws_conn *conn);

/* See the lifecycle above. Accepts NULL. */
void ws_conn_free(struct ws_conn *conn);

#endif
