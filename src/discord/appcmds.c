/* appcmds.c: owns the slash command's registration (fetch, compare with the
 * manifest, PUT only on a difference) and the identity lookups it and a
 * resumed session need; it sends through the REST queue and never blocks. */
#include "discord/appcmds.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "discord/codec.h"
#include "net/http.h"
#include "util/log.h"
#include "util/xalloc.h"

struct dc_appcmds {
	bool enabled;        /* compare and PUT the manifest at all */
	bool synced;         /* the GET went out this run */
	bool app_fetching, me_fetching;
	bool plain;          /* the PUT sent has no option localizations (a retry) */
	char *guild;         /* NULL: global commands */
};

struct dc_appcmds *dc_appcmds_new(bool register_commands, const char *guild)
{
	struct dc_appcmds *ac = xcalloc(1, sizeof(*ac));
	ac->enabled = register_commands;
	ac->guild = guild && *guild ? xstrdup(guild) : NULL;
	return ac;
}

void dc_appcmds_free(struct dc_appcmds *ac)
{
	if (!ac)
		return;
	free(ac->guild);
	free(ac);
}

static void get(struct dc_rest *rest, enum dc_rest_kind kind, const char *route, const char *what,
                const char *path)
{
	struct dc_rest_spec s = {.kind = kind, .method = "GET", .route = route, .major = "",
	                         .what = what};
	dc_rest_enqueue(rest, &s, NULL, "%s", path);
}

/* The command list, global or of the test guild: GET it (body NULL) or PUT
 * body, which the queue takes over. */
static void commands_request(struct dc_appcmds *ac, struct dc_rest *rest, const char *app,
                             enum dc_rest_kind kind, const char *what, char *body)
{
	bool put = kind == DC_REST_COMMANDS_PUT;
	struct dc_rest_spec s = {.kind = kind, .method = put ? "PUT" : "GET", .what = what};
	if (ac->guild) {
		s.route = put ? "PUT /applications/{}/guilds/{}/commands"
		              : "GET /applications/{}/guilds/{}/commands";
		s.major = ac->guild;
		dc_rest_enqueue(rest, &s, body, "/applications/%s/guilds/%s/commands", app, ac->guild);
	} else {
		s.route = put ? "PUT /applications/{}/commands" : "GET /applications/{}/commands";
		s.major = "";
		dc_rest_enqueue(rest, &s, body, "/applications/%s/commands", app);
	}
}

static void sync_commands(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot)
{
	if (ac->synced || !ac->enabled)
		return;
	const char *app = dc_bot_app_id(bot);
	if (!app) {
		/* A resumed session brings no READY: ask who we are.
		 * developers/resources/application.mdx "Get Current Application". */
		if (!ac->app_fetching) {
			ac->app_fetching = true;
			get(rest, DC_REST_APP_GET, "GET /oauth2/applications/@me", "get application id",
			    "/oauth2/applications/@me");
		}
		return;
	}
	ac->synced = true;
	commands_request(ac, rest, app, DC_REST_COMMANDS_GET, "get slash commands", NULL);
}

void dc_appcmds_on_shard_ready(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot)
{
	if (!dc_bot_self_id(bot)[0] && !ac->me_fetching) {
		/* Resumed with no saved user id: mentions and self-checks need it. */
		ac->me_fetching = true;
		get(rest, DC_REST_ME_GET, "GET /users/@me", "get bot user", "/users/@me");
	}
	sync_commands(ac, rest, bot);
}

/* Removes name_ and description_localizations from every option (subcommands
 * and their options), keeping the command's own. */
static void strip_option_localizations(cJSON *options)
{
	cJSON *o;
	cJSON_ArrayForEach(o, options) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "name_localizations");
		cJSON_DeleteItemFromObjectCaseSensitive(o, "description_localizations");
		strip_option_localizations(cJSON_GetObjectItemCaseSensitive(o, "options"));
	}
}

static cJSON *manifest(bool plain)
{
	cJSON *m = dc_manifest_build();
	if (plain) {
		cJSON *c;
		cJSON_ArrayForEach(c, m)
			strip_option_localizations(cJSON_GetObjectItemCaseSensitive(c, "options"));
	}
	return m;
}

static void put_commands(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot,
                         bool plain)
{
	const char *app = dc_bot_app_id(bot);
	cJSON *want = manifest(plain);
	char *body = cJSON_PrintUnformatted(want);
	cJSON_Delete(want);
	ac->plain = plain;
	commands_request(ac, rest, app, DC_REST_COMMANDS_PUT,
	                 plain ? "register slash commands without option localizations"
	                       : "register slash commands", body);
}

static void on_commands(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot,
                        const struct http_response *resp)
{
	cJSON *have = cJSON_ParseWithLength(resp->body, resp->body_len);
	cJSON *want = manifest(false), *plain = manifest(true);
	/* application-commands.mdx: creates count against a daily limit, so an
	 * unchanged manifest is never sent again; one registered without option
	 * localizations (a server refused them) counts as unchanged too, or
	 * every start would send two PUTs and be refused once. */
	if (cJSON_IsArray(have) && dc_manifest_equal(want, have))
		log_info("discord slash commands up to date");
	else if (cJSON_IsArray(have) && dc_manifest_equal(plain, have))
		log_info("discord slash commands up to date (without option localizations)");
	else
		put_commands(ac, rest, bot, false);
	cJSON_Delete(plain);
	cJSON_Delete(want);
	cJSON_Delete(have);
}

/* Whether a 400 says what it refused is an option's localization:
 * opcodes-and-status-codes.mdx "JSON Error Codes": 50035 Invalid Form Body,
 * with an `errors` object whose keys are the path to each refused field. */
static bool refused_localizations(const cJSON *e, int depth)
{
	const cJSON *k;
	if (!cJSON_IsObject(e) || depth > 16)
		return false;
	cJSON_ArrayForEach(k, e) {
		if (k->string && (strcmp(k->string, "name_localizations") == 0
		                  || strcmp(k->string, "description_localizations") == 0))
			return true;
		if (refused_localizations(k, depth + 1))
			return true;
	}
	return false;
}

static void on_put_failed(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot,
                          const struct http_response *resp)
{
	if (!resp || resp->status != 400 || ac->plain)
		return;
	cJSON *o = cJSON_ParseWithLength(resp->body, resp->body_len);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "code");
	bool loc = cJSON_IsNumber(code) && code->valueint == 50035
	           && refused_localizations(cJSON_GetObjectItemCaseSensitive(o, "errors"), 0);
	cJSON_Delete(o);
	if (!loc)
		return;
	log_warn("discord refused the slash command's option localizations; registering "
	         "without them (names and descriptions in English)");
	put_commands(ac, rest, bot, true);
}

static void on_identity(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot,
                        enum dc_rest_kind kind, const struct http_response *resp)
{
	cJSON *o = cJSON_ParseWithLength(resp->body, resp->body_len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (cJSON_IsString(id) && dc_is_snowflake(id->valuestring)) {
		if (kind == DC_REST_APP_GET && !dc_bot_app_id(bot)) {
			dc_bot_learn_ids(bot, NULL, id->valuestring);
			sync_commands(ac, rest, bot);
		} else if (kind == DC_REST_ME_GET) {
			dc_bot_learn_ids(bot, id->valuestring, NULL);
		}
	} else {
		log_warn("discord: no id in the identity response", "kind=%d", (int)kind);
	}
	cJSON_Delete(o);
}

void dc_appcmds_on_response(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot,
                            const struct dc_rest_result *res)
{
	if (!res->ok) {
		if (res->kind == DC_REST_COMMANDS_PUT)
			on_put_failed(ac, rest, bot, res->resp);
		return;
	}
	if (!res->resp)
		return;
	switch (res->kind) {
	case DC_REST_COMMANDS_GET:
		on_commands(ac, rest, bot, res->resp);
		break;
	case DC_REST_APP_GET:
	case DC_REST_ME_GET:
		on_identity(ac, rest, bot, res->kind, res->resp);
		break;
	case DC_REST_COMMANDS_PUT:
		log_info("discord slash commands registered", "scope=%s localizations=%s",
		         ac->guild ? ac->guild : "global", ac->plain ? "command-only" : "all");
		break;
	default:
		break;
	}
}
