/* ws_impl.h: what ws.c (connections) and ws_client.c (the lws context)
 * share; private to those two files and their tests. */
#ifndef SCOBOT_NET_WS_IMPL_H
#define SCOBOT_NET_WS_IMPL_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "net/net_internal.h"

struct ws_conn;

struct ws_client {
	struct net_loop *loop;
	struct lws_context *ctx;    /* NULL once lws finished destroying it */
	void *foreign_loops[1];     /* lws keeps the pointer it is given */
	char *ca_file;
	struct ws_conn *conns;
	bool freeing;
	int depth;                  /* > 0 while inside an lws callback */
	struct net_loop_hook hook;
};

/* ws_client.c: one lws log line made fit for our log: CR and LF dropped,
 * other control characters as '?', cut to size - 1 bytes, NUL-terminated.
 * Returns the length written. */
size_t ws_log_clean(const char *line, char *buf, size_t size);

/* ws.c: the one protocol every connection speaks through (its callback). */
extern const struct lws_protocols ws_protocols[];
/* ws.c: no more callbacks to any connection of cl. */
void ws_conns_mute(struct ws_client *cl);
/* ws.c: mute, and stop the connect timers and DNS of cl's connections. */
void ws_conns_detach(struct ws_client *cl);
/* ws.c: forget cl in every connection (their owners still free them). */
void ws_conns_unlink_all(struct ws_client *cl);

#endif
