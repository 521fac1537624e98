/* ws_client.c: owns the libwebsockets context behind a ws_client: joining it
 * to the net loop as a foreign libuv loop, passing lws's own log lines on,
 * and the two-step teardown lws needs on a foreign loop; the connections
 * themselves are ws.c's. */
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "net/net_internal.h"
#include "net/ws.h"
#include "net/ws_impl.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Upper bound on the fd table lws allocates up front (count): lws sizes it
 * from the fd limit, which can be a million. */
#define WS_FD_TABLE_MAX 65536
/* Longest lws log line passed on to our log (bytes). */
#define WS_LOG_LINE_MAX 300

/* ---- logging ------------------------------------------------------------ */

size_t ws_log_clean(const char *line, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	for (const char *p = line; *p && n + 1 < size; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '\n' || ch == '\r')
			continue;
		buf[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	buf[n] = '\0';
	return n;
}

/* lws's own lines, at warn/error only (set in ws_client_new). They are about
 * connections, not payloads; control characters are replaced all the same. */
static void on_lws_log(int level, const char *line)
{
	char buf[WS_LOG_LINE_MAX];

	ws_log_clean(line, buf, sizeof(buf));
	if (level & LLL_ERR)
		log_warn("libwebsockets error", "lws=\"%s\"", buf);
	else
		log_warn("libwebsockets warning", "lws=\"%s\"", buf);
}

/* The second half of an lws context's teardown (see client_destroy). */
struct ws_ctx_final {
	struct net_loop_hook hook;
	struct lws_context *ctx;
};

static void ctx_finalize(void *data)
{
	struct ws_ctx_final *f = data;

	lws_context_destroy(f->ctx);
	free(f);
}

static void client_destroy(struct ws_client *cl)
{
	cl->freeing = true;
	ws_conns_detach(cl);
	/* On a foreign loop lws closes its handles asynchronously, and wants
	 * lws_context_destroy called once more, outside the loop, after they
	 * have closed: net_loop_free does that once it has drained the loop. */
	if (cl->ctx) {
		struct ws_ctx_final *f = xcalloc(1, sizeof(*f));
		f->ctx = cl->ctx;
		f->hook.fn = ctx_finalize;
		f->hook.data = f;
		lws_context_destroy(cl->ctx);
		net_loop_finalizer_add(cl->loop, &f->hook);
		cl->ctx = NULL;
	}
	ws_conns_unlink_all(cl);
	free(cl->ca_file);
	free(cl);
}

static void client_leaked(void *data)
{
	log_error("websocket client still alive at loop shutdown; freeing it");
	client_destroy(data);
}

struct ws_client *ws_client_new(struct net_loop *loop, const char *ca_file)
{
	struct lws_context_creation_info info;
	struct ws_client *cl = xcalloc(1, sizeof(*cl));
	struct rlimit rl;

	lws_set_log_level(LLL_ERR | LLL_WARN, on_lws_log);
	cl->loop = loop;
	cl->foreign_loops[0] = net_loop_uv(loop);
	cl->ca_file = ca_file ? xstrdup(ca_file) : NULL;

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = cl->foreign_loops;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = ws_protocols;
	info.gid = (gid_t)-1;
	info.client_ssl_ca_filepath = cl->ca_file;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > WS_FD_TABLE_MAX)
		info.fd_limit_per_thread = WS_FD_TABLE_MAX;
	cl->ctx = lws_create_context(&info);
	if (!cl->ctx) {
		log_error("cannot create the websocket context",
			  "ca_file=%s", ca_file ? ca_file : "(none)");
		free(cl->ca_file);
		free(cl);
		return NULL;
	}
	cl->hook.fn = client_leaked;
	cl->hook.data = cl;
	net_loop_hook_add(loop, &cl->hook);
	return cl;
}

static void deferred_client_destroy(void *data)
{
	client_destroy(data);
}

void ws_client_free(struct ws_client *cl)
{
	if (!cl || cl->freeing)
		return;
	net_loop_hook_remove(cl->loop, &cl->hook);
	if (cl->depth > 0) {
		/* lws is on the stack: silence every conn now, destroy the
		 * context on the next loop pass. */
		cl->freeing = true;
		ws_conns_mute(cl);
		net_defer(cl->loop, deferred_client_destroy, cl);
		return;
	}
	client_destroy(cl);
}
