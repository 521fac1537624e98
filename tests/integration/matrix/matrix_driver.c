/* matrix_driver.c: runs the real Matrix adapter (matrix.c on the net loop) with
 * the real engine and embedded facts, configured from the command line, for the
 * integration tests; it stands in for the daemon and must stay a thin host.
 *
 *   matrix_driver --homeserver URL --user @bot:hs (--password PW | --token TOK)
 *                 --state-dir DIR [--device-id ID] [--auto-join a,b] [--prefix P]
 *                 [--stall-alarm-ms N] [--no-encrypted-notice] [--notice-text T]
 *
 * Exits 0 after SIGTERM/SIGINT (state flushed), or the status a fatal error
 * asked for (6: Matrix refused the token). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/facts.h"
#include "core/host.h"
#include "matrix/matrix.h"
#include "net/loop.h"
#include "util/date.h"
#include "util/log.h"

#define MAX_AUTO_JOIN 16   /* allowlist entries accepted on the command line */

struct driver {
	struct net_loop *loop;
	struct matrix *mx;
	struct engine *engine;
	int exit_status;
};

static void respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	struct driver *d = ctx;
	struct engine_query q = {
		.text = req->text, .len = req->len, .lang = req->lang,
		.room_lang = LANG_EN, .prefix = "!sco",
		/* A fixed today keeps answers about "now" independent of the clock. */
		.today = date_days(2026, 12, 6),
	};
	engine_answer(d->engine, &q, out);
}

static void fatal(void *ctx, const char *platform, int status, const char *message)
{
	struct driver *d = ctx;
	fprintf(stderr, "matrix_driver: fatal from %s: %s\n", platform, message);
	d->exit_status = status;
	net_loop_stop(d->loop);
}

static void ready(void *ctx, const char *platform)
{
	(void)ctx;
	fprintf(stderr, "matrix_driver: READY %s\n", platform);
}

static void progress(void *ctx, const char *platform) { (void)ctx; (void)platform; }

static void on_signal(int signo, void *data)
{
	struct driver *d = data;
	(void)signo;
	matrix_stop(d->mx);
	net_loop_stop(d->loop);
}

int main(int argc, char **argv)
{
	struct matrix_config cfg = {.encrypted_room_notice = true};
	const char *aj[MAX_AUTO_JOIN];
	char *ajbuf = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--no-encrypted-notice") == 0) {
			cfg.encrypted_room_notice = false;
			continue;
		}
		if (!v) {
			fprintf(stderr, "matrix_driver: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--homeserver") == 0)
			cfg.homeserver = v;
		else if (strcmp(a, "--user") == 0)
			cfg.user_id = v;
		else if (strcmp(a, "--password") == 0)
			cfg.password = v;
		else if (strcmp(a, "--token") == 0)
			cfg.access_token = v;
		else if (strcmp(a, "--state-dir") == 0)
			cfg.state_dir = v;
		else if (strcmp(a, "--device-id") == 0)
			cfg.device_id = v;
		else if (strcmp(a, "--prefix") == 0)
			cfg.prefix = v;
		else if (strcmp(a, "--notice-text") == 0)
			cfg.encrypted_notice_text = v;
		else if (strcmp(a, "--stall-alarm-ms") == 0)
			cfg.stall_alarm_ms = strtoll(v, NULL, 10);
		else if (strcmp(a, "--auto-join") == 0) {
			free(ajbuf);
			ajbuf = strdup(v);
			cfg.n_auto_join = 0;
			for (char *save, *t = strtok_r(ajbuf, ",", &save);
			     t && cfg.n_auto_join < MAX_AUTO_JOIN; t = strtok_r(NULL, ",", &save))
				aj[cfg.n_auto_join++] = t;
			cfg.auto_join = aj;
		} else {
			fprintf(stderr, "matrix_driver: unknown option %s\n", a);
			return 2;
		}
	}
	log_init(LOG_LVL_INFO);

	struct facts *facts = NULL;
	struct facts_error ferr;
	if (facts_load_embedded(&facts, &ferr) < 0) {
		char buf[256];
		facts_error_format(&ferr, buf, sizeof(buf));
		fprintf(stderr, "matrix_driver: facts: %s\n", buf);
		return 4;
	}
	struct driver d = {0};
	d.engine = engine_new(facts);
	d.loop = net_loop_new();
	if (!d.loop)
		return 7;
	struct adapter_host host = {.ctx = &d, .respond = respond, .fatal = fatal, .ready = ready,
	                            .progress = progress};
	d.mx = matrix_new(d.loop, &cfg, &host);
	if (!d.mx) {
		net_loop_free(d.loop);
		engine_free(d.engine);
		facts_free(facts);
		free(ajbuf);
		return 3;
	}
	net_signal_watch(d.loop, SIGTERM, on_signal, &d);
	net_signal_watch(d.loop, SIGINT, on_signal, &d);
	matrix_start(d.mx);
	net_loop_run(d.loop);
	matrix_free(d.mx);
	net_loop_free(d.loop);
	engine_free(d.engine);
	facts_free(facts);
	free(ajbuf);
	return d.exit_status;
}
