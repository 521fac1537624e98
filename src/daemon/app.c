/* app.c: the service. One net loop carries every configured platform; this file
 * owns the config, the fact table and engine (swapped on SIGHUP), the room
 * languages, and the adapter_host that the adapters call back into. It holds
 * no platform logic of its own. */
#include "daemon/app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/engine.h"
#include "core/host.h"
#include "daemon/roomlang.h"
#include "daemon/secret.h"
#include "discord/discord.h"
#include "matrix/matrix.h"
#include "net/loop.h"
#include "util/log.h"
#include "util/xalloc.h"

struct app {
	struct net_loop *loop;
	struct config *cfg;
	struct facts *facts;
	struct engine *engine;
	const char *config_path;
	const char *facts_dir; /* --facts, which wins over the config on reload */
	struct roomlang *rooms;
	struct adapter_host host;

	struct discord *discord;
	struct matrix *matrix;
	char *discord_token;
	char *matrix_token;
	char *matrix_password;

	int exit_status;
	bool stopping;
};

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
			room_lang = config_room_lang(app->cfg, req->platform, req->room);
	}
	struct engine_query q = {req->text, req->len, req->lang, room_lang,
	                         platform_prefix(app, req->platform)};
	engine_answer(app->engine, &q, out);
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
	(void)ctx;
	log_notice("platform ready", "platform=%s", platform);
}

static void host_progress(void *ctx, const char *platform)
{
	(void)ctx;
	(void)platform;
}

/* SIGHUP: a new table replaces the old only if it loads cleanly. */
static void reload_facts(struct app *app)
{
	const char *dir = or_default(app->facts_dir, app->cfg->general.facts_dir);
	struct facts *nf;
	struct facts_error fe;
	char msg[512];
	int r = dir && *dir ? facts_load_dir(dir, &nf, &fe) : facts_load_embedded(&nf, &fe);
	if (r < 0) {
		facts_error_format(&fe, msg, sizeof(msg));
		log_error("reload refused: the facts are invalid; the old table stays live",
		          "dir=%s error=\"%s\"", dir && *dir ? dir : "(built in)", msg);
		return;
	}
	struct engine *ne = engine_new(nf);
	/* Nothing holds the engine across loop passes, so the swap is safe here. */
	engine_free(app->engine);
	facts_free(app->facts);
	app->engine = ne;
	app->facts = nf;
	log_notice("facts reloaded", "facts=%zu sgs=%zu attendees=%zu", nf->n_facts, nf->n_sgs,
	           nf->n_attendees);
}

static void on_signal(int signo, void *data)
{
	struct app *app = data;
	if (signo == SIGHUP) {
		reload_facts(app);
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
		.ca_file = *d->ca_file ? d->ca_file : NULL,
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
		.stall_alarm_ms = m->stall_alarm_minutes * 60 * 1000,
		.cooldown_count = (int)m->cooldown_count,
		.cooldown_window_ms = m->cooldown_seconds * 1000,
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
		         .progress = host_progress},
	};
	int status = 0;
	app.host.ctx = &app;
	app.engine = engine_new(facts);
	app.loop = net_loop_new();
	if (!app.loop) {
		log_error("cannot create the event loop");
		status = SCOBOT_EXIT_RUNTIME;
		goto out;
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
	net_loop_run(app.loop);
	status = app.exit_status;
out:
	discord_free(app.discord);
	matrix_free(app.matrix);
	net_loop_free(app.loop);
	secret_free(app.discord_token);
	secret_free(app.matrix_token);
	secret_free(app.matrix_password);
	roomlang_free(app.rooms);
	engine_free(app.engine);
	facts_free(app.facts);
	config_free(app.cfg);
	return status;
}
