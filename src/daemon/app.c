/* app.c: the service loop. Wired to the platform adapters as they land. */
#include "daemon/app.h"

bool app_has_platforms(const struct config *cfg)
{
	(void)cfg;
	return false;
}

int app_run(struct config *cfg, struct facts *facts, const char *config_path,
            const char *facts_dir)
{
	(void)config_path;
	(void)facts_dir;
	facts_free(facts);
	config_free(cfg);
	return 0;
}
