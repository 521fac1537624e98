/* discord_driver.c: runs the Discord adapter with the real engine on the real
 * net loop, configured from the command line, for the integration tests; it
 * must stay a thin stand-in for the daemon's wiring (app.c), nothing more.
 *
 *   discord_driver --api-base http://127.0.0.1:PORT/api/v10 --token-file F
 *                  [--state-dir D] [--no-compress] [--message-content]
 *                  [--shards N] [--shard-ids A-B] [--guild G] [--rest-timeout MS]
 *                  [--cooldown-channel N]
 *
 * Exit status: 0 after SIGTERM, the host's fatal status (5) otherwise. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/facts.h"
#include "core/host.h"
#include "discord/discord.h"
#include "net/loop.h"
#include "util/date.h"
#include "util/log.h"

struct driver {
	struct net_loop *loop;
	struct engine *engine;
	struct discord *dc;
	int status;
	bool stopping;
};

static void respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	struct driver *d = ctx;
	/* A fixed today keeps answers about "now" independent of the clock. */
	struct engine_query q = {req->text, req->len, req->lang, LANG_EN, "!sco",
	                         date_days(2026, 12, 6)};
	engine_answer(d->engine, &q, out);
}

static void stopped(void *data)
{
	struct driver *d = data;
	net_loop_stop(d->loop);
}

static void fatal(void *ctx, const char *platform, int status, const char *message)
{
	struct driver *d = ctx;
	fprintf(stderr, "FATAL %s: %s\n", platform, message);
	fflush(stderr);
	d->status = status;
	if (!d->stopping) {
		d->stopping = true;
		discord_stop(d->dc, stopped, d);
	}
}

static void ready(void *ctx, const char *platform)
{
	fprintf(stderr, "READY %s\n", platform);
	fflush(stderr);
}

static void progress(void *ctx, const char *platform)
{
}

static size_t complete(void *ctx, const char *partial, size_t len, enum lang lang,
                       char (*out)[101], size_t max)
{
	struct driver *d = ctx;
	return engine_complete_sg(d->engine, partial, len, lang, out, max);
}

static void on_signal(int signo, void *data)
{
	struct driver *d = data;
	if (signo == SIGUSR1) {
		char buf[DISCORD_STATUS_MAX];
		discord_status(d->dc, buf, sizeof(buf));
		fprintf(stderr, "STATUS %s\n", buf);
		fflush(stderr);
		return;
	}
	if (!d->stopping) {
		d->stopping = true;
		discord_stop(d->dc, stopped, d);
	}
}

static char *read_token(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	struct discord_config cfg = {.compress = true, .register_commands = true,
	                             .shard_first = -1, .shard_last = -1};
	log_init(getenv("DRIVER_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--api-base") == 0 && v) {
			cfg.api_base = v;
			i++;
		} else if (strcmp(a, "--token-file") == 0 && v) {
			cfg.token = read_token(v);
			i++;
		} else if (strcmp(a, "--state-dir") == 0 && v) {
			cfg.state_dir = v;
			i++;
		} else if (strcmp(a, "--guild") == 0 && v) {
			cfg.commands_guild = v;
			i++;
		} else if (strcmp(a, "--shards") == 0 && v) {
			cfg.shards = atoi(v);
			i++;
		} else if (strcmp(a, "--shard-ids") == 0 && v) {
			if (sscanf(v, "%d-%d", &cfg.shard_first, &cfg.shard_last) != 2)
				return 2;
			i++;
		} else if (strcmp(a, "--rest-timeout") == 0 && v) {
			cfg.rest_timeout_ms = atoll(v);
			i++;
		} else if (strcmp(a, "--cooldown-channel") == 0 && v) {
			cfg.cooldown_channel_max = atoi(v);
			i++;
		} else if (strcmp(a, "--no-compress") == 0) {
			cfg.compress = false;
		} else if (strcmp(a, "--message-content") == 0) {
			cfg.message_content = true;
		} else {
			fprintf(stderr, "unknown argument %s\n", a);
			return 2;
		}
	}
	struct facts *facts;
	struct facts_error err;
	if (facts_load_embedded(&facts, &err) < 0) {
		char buf[512];
		facts_error_format(&err, buf, sizeof(buf));
		fprintf(stderr, "facts: %s\n", buf);
		return 4;
	}
	struct driver d = {0};
	d.loop = net_loop_new();
	d.engine = engine_new(facts);
	struct adapter_host host = {.ctx = &d, .respond = respond, .fatal = fatal, .ready = ready,
	                            .progress = progress};
	cfg.complete = complete;
	cfg.complete_ctx = &d;
	d.dc = discord_new(d.loop, &cfg, &host);
	if (!d.dc)
		return 3;
	net_signal_watch(d.loop, SIGTERM, on_signal, &d);
	net_signal_watch(d.loop, SIGINT, on_signal, &d);
	net_signal_watch(d.loop, SIGUSR1, on_signal, &d);
	discord_start(d.dc);
	net_loop_run(d.loop);
	discord_free(d.dc);
	net_loop_free(d.loop);
	engine_free(d.engine);
	facts_free(facts);
	fprintf(stderr, "EXIT %d\n", d.status);
	return d.status;
}
