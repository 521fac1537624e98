/* app.c: the service. One net loop carries every configured platform; this file
 * owns the config (its reloadable part swapped on SIGHUP), the fact table and
 * engine (swapped on SIGHUP), the room languages, the adapter_host that the
 * adapters call back into, and what systemd and monitoring see of them
 * (sd_notify readiness, status and watchdog; /healthz and /metrics). It holds
 * no platform logic of its own. */
#include "daemon/app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/engine.h"
#include "core/host.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "daemon/roomlang.h"
#include "daemon/secret.h"
#include "discord/discord.h"
#include "matrix/matrix.h"
#include "net/httpd.h"
#include "net/loop.h"
#include "net/timer.h"
#include "build_config.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* How often STATUS= is refreshed while running (ms). */
#define APP_STATUS_INTERVAL_MS 5000
/* Longest STATUS= line and health reason (bytes). */
#define APP_STATUS_MAX 1024
/* Longest remembered reason of a connection loss (bytes). */
#define APP_LOST_REASON_MAX 48
/* Longest remembered reload outcome (bytes). */
#define APP_RELOAD_NOTE_MAX (CONFIG_ERR_SIZE + 64)

enum { PF_DISCORD, PF_MATRIX, PF_COUNT };
static const char *const platform_names[PF_COUNT] = {"discord", "matrix"};

/* What the host callbacks tell about one configured platform. */
struct platform {
	bool configured;
	bool ready;              /* host.ready came, and no host.lost since */
	bool ever_ready;         /* host.ready came at least once */
	int64_t last_progress;   /* ms; the start time until the first progress */
	char lost_reason[APP_LOST_REASON_MAX]; /* "" or why the connection was lost */
};

struct app {
	struct net_loop *loop;
	struct config *cfg;      /* as started: platforms, prefixes, listeners */
	struct config *live;     /* the last good reload (rooms, log level, facts_dir), or NULL */
	struct facts *facts;
	struct engine *engine;
	const char *config_path;
	const char *facts_dir; /* --facts, which wins over the config on reload */
	struct roomlang *rooms;
	struct adapter_host host;

	struct discord *discord;
	struct matrix *matrix;
	char *discord_token;
	char *redis_password;  /* [discord] coordination AUTH; NULL: none */
	char *matrix_token;
	char *matrix_password;

	struct platform pf[PF_COUNT];
	struct notify *notify;
	struct metrics *metrics;
	struct httpd *httpd;
	struct net_timer *watchdog_timer;
	struct net_timer *ready_timer;
	struct net_timer *status_timer;
	int64_t started_ms;
	double start_wall, facts_wall; /* Unix time, s: output only */
	bool ready_sent;
	bool ready_late;         /* READY=1 went out on the timeout, not on connects */
	char reload_note[APP_RELOAD_NOTE_MAX]; /* "" or the last reload's outcome */

	int exit_status;
	bool stopping;
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The config the reloadable settings come from. */
static const struct config *live_cfg(const struct app *app)
{
	return app->live ? app->live : app->cfg;
}

static int platform_index(const char *platform)
{
	for (int i = 0; i < PF_COUNT; i++)
		if (platform && !strcmp(platform, platform_names[i]))
			return i;
	return -1;
}

static int64_t stall_ms(const struct app *app)
{
	return app->cfg->service.stall_seconds * 1000;
}

/* Connected and shown life within stall_seconds. */
static bool platform_healthy(const struct app *app, int i, int64_t now)
{
	const struct platform *p = &app->pf[i];
	return p->ready && now - p->last_progress < stall_ms(app);
}

/* Every configured platform is healthy; otherwise why not, in `why`. */
static bool all_healthy(const struct app *app, int64_t now, char *why, size_t size)
{
	if (app->stopping) {
		snprintf(why, size, "stopping");
		return false;
	}
	for (int i = 0; i < PF_COUNT; i++) {
		const struct platform *p = &app->pf[i];
		if (!p->configured || platform_healthy(app, i, now))
			continue;
		if (!p->ready && p->ever_ready)
			snprintf(why, size, "%s: connection lost (%s)", platform_names[i], p->lost_reason);
		else if (!p->ready)
			snprintf(why, size, "%s: not connected yet", platform_names[i]);
		else
			snprintf(why, size, "%s: no progress for %lld s", platform_names[i],
			         (long long)((now - p->last_progress) / 1000));
		return false;
	}
	snprintf(why, size, "ok");
	return true;
}

/* One line of live state for systemctl status. */
static void status_line(const struct app *app, char *out, size_t size)
{
	int64_t now = net_loop_now_ms(app->loop);
	size_t pos = 0;
	char detail[APP_STATUS_MAX];
	for (int i = 0; i < PF_COUNT && pos < size; i++) {
		const struct platform *p = &app->pf[i];
		if (!p->configured)
			continue;
		detail[0] = '\0';
		if (i == PF_DISCORD && app->discord)
			discord_status(app->discord, detail, sizeof(detail));
		else if (i == PF_MATRIX && app->matrix)
			matrix_status(app->matrix, detail, sizeof(detail));
		const char *state = !p->ready ? (p->ever_ready ? "reconnecting" : "connecting") :
		                    platform_healthy(app, i, now) ? "ready" : "stalled";
		/* An adapter's line may start with its own name; once is enough. */
		const char *d = detail;
		size_t nl = strlen(platform_names[i]);
		if (!strncmp(d, platform_names[i], nl) && d[nl] == ':' && d[nl + 1] == ' ')
			d += nl + 2;
		int n = snprintf(out + pos, size - pos, "%s: %s, last progress %llds ago (%s); ",
		                 platform_names[i], state,
		                 (long long)((now - p->last_progress) / 1000), d);
		if (n < 0)
			break;
		pos += (size_t)n < size - pos ? (size_t)n : size - pos;
	}
	if (pos < size)
		snprintf(out + pos, size - pos, "%llu answers; %zu facts%s%s%s",
		         (unsigned long long)metrics_answers_total(app->metrics), app->facts->n_facts,
		         app->ready_late ? "; ready after the timeout: not every platform connected" : "",
		         *app->reload_note ? "; " : "", app->reload_note);
}

static void send_status(struct app *app, const char *extra)
{
	char line[APP_STATUS_MAX];
	if (!notify_enabled(app->notify))
		return;
	status_line(app, line, sizeof(line));
	notify_status(app->notify, extra, line);
}

static void send_ready(struct app *app, const char *why)
{
	if (app->ready_sent)
		return;
	app->ready_sent = true;
	net_timer_stop(app->ready_timer);
	log_notice("service ready", "reason=\"%s\"", why);
	send_status(app, "READY=1");
}

static void on_ready_timeout(struct net_timer *t, void *data)
{
	struct app *app = data;
	(void)t;
	app->ready_late = true;
	log_warn("reporting ready although a platform is not connected", "timeout_s=%lld",
	         (long long)app->cfg->service.ready_timeout_seconds);
	send_ready(app, "ready_timeout_seconds passed");
}

/* WATCHDOG=1 only while every connected platform shows life: a wedged loop
 * sends nothing, and neither does a loop whose connections died silently. */
static void on_watchdog(struct net_timer *t, void *data)
{
	struct app *app = data;
	int64_t now = net_loop_now_ms(app->loop);
	(void)t;
	for (int i = 0; i < PF_COUNT; i++) {
		const struct platform *p = &app->pf[i];
		/* A platform still making its first connection is retrying on its
		 * own (a large first Matrix sync may take minutes): a restart would
		 * not help it, so only a platform that was connected and went quiet
		 * (or lost its connection and has not come back) counts. */
		if (p->ever_ready && now - p->last_progress >= stall_ms(app)) {
			log_warn("withholding the watchdog ping: no progress", "platform=%s seconds=%lld",
			         platform_names[i], (long long)((now - p->last_progress) / 1000));
			return;
		}
	}
	notify_send(app->notify, "WATCHDOG=1");
}

static void on_status_timer(struct net_timer *t, void *data)
{
	(void)t;
	send_status(data, NULL);
}

static void on_http(void *data, const char *path, struct httpd_reply *reply)
{
	struct app *app = data;
	int64_t now = net_loop_now_ms(app->loop);
	if (!strcmp(path, "/healthz")) {
		char why[APP_STATUS_MAX];
		bool ok = all_healthy(app, now, why, sizeof(why) - 1);
		if (app->discord) {
			/* Redis away is not unhealthy (answers go on at the local
			 * share), but an operator should see it here. */
			struct discord_stats ds;
			discord_get_stats(app->discord, &ds);
			size_t l = strlen(why);
			if (ds.coordination >= 0)
				snprintf(why + l, sizeof(why) - 1 - l, "; discord coordination: %s",
				         ds.coordination ? "shared" : "local share (Redis unavailable)");
		}
		strcat(why, "\n");
		httpd_reply_set(reply, ok ? 200 : 503, NULL, why, strlen(why));
		return;
	}
	if (!strcmp(path, "/metrics")) {
		struct metrics_platform mp[PF_COUNT];
		size_t n = 0, len;
		for (int i = 0; i < PF_COUNT; i++) {
			if (!app->pf[i].configured)
				continue;
			mp[n++] = (struct metrics_platform){
				.name = platform_names[i],
				.ready = app->pf[i].ready,
				.healthy = platform_healthy(app, i, now),
				.progress_age_s = app->pf[i].ready ?
					(double)(now - app->pf[i].last_progress) / 1000.0 : -1,
			};
		}
		struct discord_stats ds;
		struct mxsync_stats ms;
		if (app->discord)
			discord_get_stats(app->discord, &ds);
		if (app->matrix)
			matrix_get_stats(app->matrix, &ms);
		struct metrics_snapshot snap = {
			.platforms = mp, .nplatforms = n, .facts_loaded = app->facts->n_facts,
			.facts_reload_time = app->facts_wall, .start_time = app->start_wall,
			.version = SCOBOT_VERSION,
			.discord = app->discord ? &ds : NULL,
			.matrix = app->matrix ? &ms : NULL,
		};
		char *text = metrics_render(app->metrics, &snap, &len);
		httpd_reply_set(reply, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
		free(text);
	}
}

bool app_has_platforms(const struct config *cfg)
{
	return cfg->discord.present || cfg->matrix.present;
}

static const char *or_default(const char *v, const char *def)
{
	return v && *v ? v : def;
}

static const char *platform_prefix(const struct app *app, const char *platform)
{
	const char *p = NULL;
	if (platform && !strcmp(platform, "discord"))
		p = app->cfg->discord.prefix;
	else if (platform && !strcmp(platform, "matrix"))
		p = app->cfg->matrix.prefix;
	return or_default(p, app->cfg->general.prefix);
}

/* adapter_host.respond: the room's own choice, then the config's default. */
static void host_respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	struct app *app = ctx;
	enum lang room_lang = LANG_NONE;
	if (req->room) {
		room_lang = roomlang_get(app->rooms, req->platform, req->room);
		if (room_lang == LANG_NONE)
			room_lang = config_room_lang(live_cfg(app), req->platform, req->room);
	}
	struct engine_query q = {req->text, req->len, req->lang, room_lang,
	                         platform_prefix(app, req->platform)};
	engine_answer(app->engine, &q, out);
	metrics_answer(app->metrics, req->platform, out->command, out->status);
	if (out->action == ACTION_SET_LANG && req->room) {
		roomlang_set(app->rooms, req->platform, req->room, out->action_lang);
		log_info("room language set", "platform=%s room=%s lang=%s", req->platform,
		         req->room, lang_code(out->action_lang));
	}
}

static size_t complete_sg(void *ctx, const char *partial, size_t len, enum lang lang,
                          char (*out)[101], size_t max)
{
	struct app *app = ctx;
	return engine_complete_sg(app->engine, partial, len, lang, out, max);
}

static void stop_done(void *data)
{
	struct app *app = data;
	net_loop_stop(app->loop);
}

/* Stops the adapters gracefully (Discord saves its sessions and closes with a
 * resumable code), then the loop. */
static void begin_stop(struct app *app)
{
	if (app->stopping)
		return;
	app->stopping = true;
	notify_status(app->notify, "STOPPING=1", "stopping: saving state and closing connections");
	net_timer_stop(app->watchdog_timer);
	net_timer_stop(app->status_timer);
	net_timer_stop(app->ready_timer);
	if (app->matrix)
		matrix_stop(app->matrix);
	if (app->discord)
		discord_stop(app->discord, stop_done, app);
	else
		net_loop_stop(app->loop);
}

static void host_fatal(void *ctx, const char *platform, int exit_status, const char *message)
{
	struct app *app = ctx;
	log_error(message, "platform=%s exit_status=%d", platform, exit_status);
	if (!app->exit_status)
		app->exit_status = exit_status;
	begin_stop(app);
}

static void host_ready(void *ctx, const char *platform)
{
	struct app *app = ctx;
	int i = platform_index(platform);
	log_notice("platform ready", "platform=%s", platform);
	if (i < 0)
		return;
	app->pf[i].ready = true;
	app->pf[i].ever_ready = true;
	app->pf[i].lost_reason[0] = '\0';
	app->pf[i].last_progress = net_loop_now_ms(app->loop);
	metrics_ready(app->metrics, platform);
	for (int k = 0; k < PF_COUNT; k++)
		if (app->pf[k].configured && !app->pf[k].ready)
			return;
	if (app->ready_late) {
		app->ready_late = false;
		log_notice("every platform connected after all");
		send_status(app, NULL);
	}
	send_ready(app, "every platform connected");
}

/* A connection dropped: /healthz says so at once, and ready follows when the
 * adapter is back. */
static void host_lost(void *ctx, const char *platform, const char *reason)
{
	struct app *app = ctx;
	int i = platform_index(platform);
	log_warn("platform connection lost", "platform=%s reason=%s", platform,
	         reason ? reason : "-");
	if (i < 0 || !app->pf[i].ready)
		return;
	app->pf[i].ready = false;
	snprintf(app->pf[i].lost_reason, sizeof(app->pf[i].lost_reason), "%s",
	         reason && *reason ? reason : "unknown");
	metrics_lost(app->metrics, platform);
	send_status(app, NULL);
}

/* A reply went out: the latency from its question's arrival, on the same
 * monotonic clock the adapters stamp received_ms with. */
static void host_sent(void *ctx, const char *platform, int64_t received_ms, int http_status)
{
	struct app *app = ctx;
	bool ok = http_status >= 200 && http_status < 300;
	int64_t latency = received_ms > 0 ? net_loop_now_ms(app->loop) - received_ms : 0;
	metrics_reply_sent(app->metrics, platform, latency, ok);
}

static void host_progress(void *ctx, const char *platform)
{
	struct app *app = ctx;
	int i = platform_index(platform);
	if (i >= 0)
		app->pf[i].last_progress = net_loop_now_ms(app->loop);
}

/* SIGHUP, first half: the reloadable settings (log level, room languages,
 * facts_dir) of a new config that loads cleanly; a broken file is refused with
 * its file:line and the old settings stay. Platform sections, prefixes and
 * listeners are copied into the adapters at start and need a restart. */
static bool reload_config(struct app *app)
{
	struct config *nc;
	char err[CONFIG_ERR_SIZE];
	if (!app->config_path)
		return true;
	int r = config_load(app->config_path, &nc, err, sizeof(err));
	if (r < 0) {
		log_error("reload refused: the config is invalid; the old settings stay",
		          "error=\"%s\"", err);
		snprintf(app->reload_note, sizeof(app->reload_note), "reload refused: %s", err);
		metrics_reload(app->metrics, "config", false);
		return false;
	}
	log_set_level((enum log_level)nc->log.level);
	config_free(app->live);
	app->live = nc;
	metrics_reload(app->metrics, "config", true);
	log_notice("config reloaded", "path=%s rooms=%zu", app->config_path, nc->nrooms);
	return true;
}

/* SIGHUP, second half: a new table replaces the old only if it loads cleanly. */
static bool reload_facts(struct app *app)
{
	const char *dir = or_default(app->facts_dir, live_cfg(app)->general.facts_dir);
	struct facts *nf;
	struct facts_error fe;
	char msg[512];
	int r = dir && *dir ? facts_load_dir(dir, &nf, &fe) : facts_load_embedded(&nf, &fe);
	if (r < 0) {
		facts_error_format(&fe, msg, sizeof(msg));
		log_error("reload refused: the facts are invalid; the old table stays live",
		          "dir=%s error=\"%s\"", dir && *dir ? dir : "(built in)", msg);
		snprintf(app->reload_note, sizeof(app->reload_note), "facts reload refused: %s", msg);
		metrics_reload(app->metrics, "facts", false);
		return false;
	}
	struct engine *ne = engine_new(nf);
	/* Nothing holds the engine across loop passes, so the swap is safe here. */
	engine_free(app->engine);
	facts_free(app->facts);
	app->engine = ne;
	app->facts = nf;
	app->facts_wall = wall_now();
	metrics_reload(app->metrics, "facts", true);
	log_notice("facts reloaded", "facts=%zu sgs=%zu attendees=%zu", nf->n_facts, nf->n_sgs,
	           nf->n_attendees);
	return true;
}

/* RELOADING=1, the reload, then READY=1 with the outcome in STATUS; the
 * connections are not touched. */
static void reload(struct app *app)
{
	notify_reloading(app->notify);
	app->reload_note[0] = '\0';
	bool ok = reload_config(app);
	/* The facts reload even when the config did not: they are independent. */
	ok = reload_facts(app) && ok;
	if (ok)
		snprintf(app->reload_note, sizeof(app->reload_note), "reloaded");
	send_status(app, "READY=1");
}

static void on_signal(int signo, void *data)
{
	struct app *app = data;
	if (app->stopping)
		return;
	if (signo == SIGHUP) {
		reload(app);
		return;
	}
	log_notice("stopping", "signal=%d", signo);
	begin_stop(app);
}

/* Makes sure the state directory exists (systemd's StateDirectory= normally
 * creates it); 0 or -errno. */
static int ensure_dir(const char *dir)
{
	if (!dir || !*dir)
		return 0;
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

static int start_discord(struct app *app)
{
	const struct config_discord *d = &app->cfg->discord;
	char err[256];
	int r = secret_load(d->token, d->token_file, "discord-token", &app->discord_token, err,
	                    sizeof(err));
	if (r < 0) {
		log_error(r == -ENOENT ? "no Discord token: set token_file or the discord-token credential"
		                       : "cannot load the Discord token",
		          "error=\"%s\"", err);
		return SCOBOT_EXIT_CONFIG;
	}
	int first = -1, last = -1;
	if (*d->shard_ids) {
		if (sscanf(d->shard_ids, "%d-%d", &first, &last) != 2)
			first = last = atoi(d->shard_ids);
	}
	if (*d->coordination) {
		/* The Redis password only ever comes from the credential, never
		 * from the config file. */
		r = secret_load("", "", "redis-password", &app->redis_password, err, sizeof(err));
		if (r < 0 && r != -ENOENT) {
			log_error("cannot load the redis-password credential", "error=\"%s\"", err);
			return SCOBOT_EXIT_CONFIG;
		}
	}
	const char *state_dir = or_default(d->state_dir, app->cfg->general.state_dir);
	if (ensure_dir(state_dir) < 0)
		log_warn("cannot create the state directory", "dir=%s", state_dir);
	struct discord_config dc = {
		.token = app->discord_token,
		.application_id = d->application_id,
		.message_content = d->message_content,
		.prefix = platform_prefix(app, "discord"),
		.shards = (int)d->shards,
		.shard_first = first,
		.shard_last = last,
		.compress = d->compress,
		.api_base = d->api_base,
		.state_dir = state_dir,
		.commands_guild = *d->commands_guild ? d->commands_guild : NULL,
		.register_commands = d->register_commands,
		.cooldown_user_max = (int)d->cooldown_count,
		.cooldown_window_ms = d->cooldown_seconds * 1000,
		.cooldown_channel_max = (int)d->cooldown_channel_count,
		.rest_timeout_ms = d->rest_timeout_seconds * 1000,
		.ca_file = *d->ca_file ? d->ca_file : NULL,
		.coordination = *d->coordination ? d->coordination : NULL,
		.coordination_password = app->redis_password,
		.coordination_share = (int)d->coordination_share,
		.complete = complete_sg,
		.complete_ctx = app,
	};
	app->discord = discord_new(app->loop, &dc, &app->host);
	if (!app->discord)
		return SCOBOT_EXIT_CONFIG;
	if (discord_start(app->discord) < 0)
		return SCOBOT_EXIT_RUNTIME;
	return 0;
}

static int start_matrix(struct app *app)
{
	const struct config_matrix *m = &app->cfg->matrix;
	char err[256];
	int r = secret_load(m->access_token, m->token_file, "matrix-token", &app->matrix_token,
	                    err, sizeof(err));
	if (r < 0 && r != -ENOENT) {
		log_error("cannot load the Matrix token", "error=\"%s\"", err);
		return SCOBOT_EXIT_CONFIG;
	}
	r = secret_load(m->password, NULL, "matrix-password", &app->matrix_password, err,
	                sizeof(err));
	if (r < 0 && r != -ENOENT) {
		log_error("cannot load the Matrix password", "error=\"%s\"", err);
		return SCOBOT_EXIT_CONFIG;
	}
	const char *state_dir = or_default(m->state_dir, app->cfg->general.state_dir);
	if (ensure_dir(state_dir) < 0)
		log_warn("cannot create the state directory", "dir=%s", state_dir);
	struct matrix_config mc = {
		.homeserver = m->homeserver,
		.user_id = m->user_id,
		.access_token = app->matrix_token,
		.password = app->matrix_password,
		.device_id = m->device_id,
		.state_dir = state_dir,
		.auto_join = (const char *const *)m->auto_join.items,
		.n_auto_join = m->auto_join.n,
		.prefix = platform_prefix(app, "matrix"),
		.encrypted_room_notice = m->encrypted_room_notice,
		.encrypted_notice_text = *m->encrypted_room_notice_text ? m->encrypted_room_notice_text
		                                                        : NULL,
		.stall_alarm_ms = m->stall_alarm_minutes * 60 * 1000,
		.cooldown_count = (int)m->cooldown_count,
		.cooldown_window_ms = m->cooldown_seconds * 1000,
		.cooldown_room_count = (int)m->cooldown_room_count,
		.ca_file = *m->ca_file ? m->ca_file : NULL,
	};
	app->matrix = matrix_new(app->loop, &mc, &app->host);
	if (!app->matrix)
		return SCOBOT_EXIT_CONFIG;
	if (matrix_start(app->matrix) < 0)
		return SCOBOT_EXIT_RUNTIME;
	return 0;
}

int app_run(struct config *cfg, struct facts *facts, const char *config_path,
            const char *facts_dir)
{
	struct app app = {
		.cfg = cfg,
		.facts = facts,
		.config_path = config_path,
		.facts_dir = facts_dir,
		.host = {.respond = host_respond, .fatal = host_fatal, .ready = host_ready,
		         .progress = host_progress, .lost = host_lost, .sent = host_sent},
	};
	int status = 0;
	app.host.ctx = &app;
	app.engine = engine_new(facts);
	app.metrics = metrics_new();
	app.notify = notify_new();
	app.start_wall = app.facts_wall = wall_now();
	app.loop = net_loop_new();
	if (!app.loop) {
		log_error("cannot create the event loop");
		status = SCOBOT_EXIT_RUNTIME;
		goto out;
	}
	app.started_ms = net_loop_now_ms(app.loop);
	for (int i = 0; i < PF_COUNT; i++)
		app.pf[i].last_progress = app.started_ms;
	app.pf[PF_DISCORD].configured = cfg->discord.present;
	app.pf[PF_MATRIX].configured = cfg->matrix.present;
	if (*cfg->metrics.listen) {
		int r = httpd_new(app.loop, cfg->metrics.listen, on_http, &app, &app.httpd);
		if (r < 0) {
			log_error("cannot listen for metrics", "listen=%s error=\"%s\"",
			          cfg->metrics.listen, strerror(-r));
			status = SCOBOT_EXIT_RUNTIME;
			goto out;
		}
		log_notice("serving /healthz and /metrics", "listen=%s port=%d", cfg->metrics.listen,
		           httpd_port(app.httpd));
	}
	app.ready_timer = net_timer_new(app.loop, on_ready_timeout, &app);
	app.status_timer = net_timer_new(app.loop, on_status_timer, &app);
	app.watchdog_timer = net_timer_new(app.loop, on_watchdog, &app);
	net_timer_start(app.ready_timer, (uint64_t)cfg->service.ready_timeout_seconds * 1000, 0);
	if (notify_enabled(app.notify))
		net_timer_start(app.status_timer, APP_STATUS_INTERVAL_MS, APP_STATUS_INTERVAL_MS);
	if (notify_watchdog_ms(app.notify) > 0) {
		/* Half the interval, as sd_watchdog_enabled(3) advises. */
		uint64_t every = (uint64_t)notify_watchdog_ms(app.notify) / 2;
		net_timer_start(app.watchdog_timer, every ? every : 1, every ? every : 1);
	}
	if (ensure_dir(cfg->general.state_dir) < 0)
		log_warn("cannot create the state directory", "dir=%s", cfg->general.state_dir);
	app.rooms = roomlang_open(cfg->general.state_dir);
	net_signal_watch(app.loop, SIGTERM, on_signal, &app);
	net_signal_watch(app.loop, SIGINT, on_signal, &app);
	net_signal_watch(app.loop, SIGHUP, on_signal, &app);

	if (cfg->discord.present && (status = start_discord(&app)) != 0)
		goto out;
	if (cfg->matrix.present && (status = start_matrix(&app)) != 0)
		goto out;
	log_notice("scobot started", "discord=%s matrix=%s facts=%zu",
	           cfg->discord.present ? "on" : "off", cfg->matrix.present ? "on" : "off",
	           facts->n_facts);
	send_status(&app, NULL);
	net_loop_run(app.loop);
	status = app.exit_status;
out:
	if (status && !app.stopping)
		notify_status(app.notify, "STOPPING=1", "failed to start");
	httpd_free(app.httpd);
	net_timer_free(app.watchdog_timer);
	net_timer_free(app.status_timer);
	net_timer_free(app.ready_timer);
	discord_free(app.discord);
	matrix_free(app.matrix);
	net_loop_free(app.loop);
	secret_free(app.discord_token);
	secret_free(app.redis_password);
	secret_free(app.matrix_token);
	secret_free(app.matrix_password);
	roomlang_free(app.rooms);
	engine_free(app.engine);
	facts_free(app.facts);
	config_free(app.live);
	config_free(app.cfg);
	metrics_free(app.metrics);
	notify_free(app.notify);
	return status;
}
