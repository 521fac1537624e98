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
int app_run(struct config *cfg, struct facts *facts, const char *config_path,
            const char *facts_dir);

#endif
