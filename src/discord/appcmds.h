/* appcmds.h: the /sco slash command's registration: once per run, compare
 * what Discord has with our manifest and PUT it only when it differs; and the
 * who-are-we lookups (application id, bot user id) a resumed session needs
 * because it brings no READY.
 *
 *   struct dc_appcmds *ac = dc_appcmds_new(register_commands, guild_or_NULL);
 *   dc_appcmds_on_shard_ready(ac, rest, bot);       // each shard READY/RESUMED
 *   dc_appcmds_on_response(ac, rest, bot, &result);  // the REST kinds it queued
 *   dc_appcmds_free(ac); */
#ifndef SCOBOT_DISCORD_APPCMDS_H
#define SCOBOT_DISCORD_APPCMDS_H

#include <stdbool.h>

#include "discord/bot.h"
#include "discord/rest.h"

struct dc_appcmds;

/* guild: register in this guild (tests); NULL or "": globally. Copied. */
struct dc_appcmds *dc_appcmds_new(bool register_commands, const char *guild);
void dc_appcmds_free(struct dc_appcmds *ac);  /* accepts NULL */

void dc_appcmds_on_shard_ready(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot);
/* A response of kind COMMANDS_GET, COMMANDS_PUT, APP_GET or ME_GET: the
 * successful ones, and a failed PUT (a 400 refusing option localizations is
 * retried once without them); other kinds are ignored. */
void dc_appcmds_on_response(struct dc_appcmds *ac, struct dc_rest *rest, struct dc_bot *bot,
                            const struct dc_rest_result *res);

#endif
