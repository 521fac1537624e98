/* app.h: the service: one loop carrying every configured platform. */
#ifndef SCOBOT_DAEMON_APP_H
#define SCOBOT_DAEMON_APP_H

#include <stdbool.h>

#include "core/facts.h"
#include "daemon/config.h"

/* Whether the config enables any chat platform. */
bool app_has_platforms(const struct config *cfg);

/* Runs until SIGTERM/SIGINT or a fatal platform error. Takes ownership of cfg
 * and facts. config_path and facts_dir (may be NULL) are re-read on SIGHUP.
 * Returns the process exit status. */
/* today: a fixed "now" (days since 1970-01-01, from --today), or
 * CLOCK_TODAY_LIVE for the
 * clock at each question. */
int app_run(struct config *cfg, struct facts *facts, const char *config_path,
            const char *facts_dir, int32_t today);

#endif
