/* config.c: scobot's struct config: loads it with config_schema.c's tables,
 * overrides one key, looks up a room's language and writes the example file.
 * It owns every string in struct config; it must not log, exit, or echo a
 * value (any value may be a pasted token: errors describe it instead). The
 * file is read by config_ini.c, values typed by config_value.c and checked by
 * config_checks.c. */
#include "daemon/config_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int room_cmp(const void *a, const void *b)
{
	const struct config_room *x = a, *y = b;
	int r = strcmp(x->platform, y->platform);
	return r ? r : strcmp(x->room, y->room);
}

static struct config *config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	config_schema_defaults(&config_schema, cfg);
	return cfg;
}

/* Rooms are looked up per message: sorted once here, then bsearch. */
static int finish(struct config *cfg, struct config **ret_config)
{
	if (cfg->nrooms > 1)
		qsort(cfg->rooms, cfg->nrooms, sizeof(*cfg->rooms), room_cmp);
	*ret_config = cfg;
	return 0;
}

int config_load_string(const char *name, const char *text, struct config **ret_config,
                       char *err, size_t errsize)
{
	struct config *cfg = config_new();
	int r = config_schema_parse(&config_schema, cfg, name, text ? text : "",
	                            text ? strlen(text) : 0, err, errsize);
	if (r < 0) {
		config_free(cfg);
		return r;
	}
	return finish(cfg, ret_config);
}

int config_load(const char *path, struct config **ret_config, char *err, size_t errsize)
{
	struct config *cfg = config_new();
	int r = config_schema_load_file(&config_schema, cfg, path, err, errsize);
	if (r < 0) {
		config_free(cfg);
		return r;
	}
	return finish(cfg, ret_config);
}

struct config *config_default(void)
{
	return config_new();
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	config_schema_free(&config_schema, cfg);
	free(cfg);
}

int config_override(struct config *cfg, const char *section, const char *key,
                    const char *value, char *err, size_t errsize)
{
	char why[128];
	for (size_t i = 0; i < config_schema.nsections; i++) {
		const struct config_section *s = &config_schema.sections[i];
		if (s->family || strcmp(s->name, section) != 0)
			continue;
		for (size_t j = 0; j < s->nkeys; j++) {
			const struct config_key *k = &s->keys[j];
			if (strcmp(k->name, key) != 0 || k->type == CONFIG_SECRET)
				continue;
			if (config_set_value(k, FIELD(cfg, s->offset, char), value, why, sizeof(why)) < 0) {
				snprintf(err, errsize, "[%s] %s: %s", section, key, why);
				return -EINVAL;
			}
			return 0;
		}
	}
	snprintf(err, errsize, "[%s] %s: no such key", section, key);
	return -ENOENT;
}

enum lang config_room_lang(const struct config *cfg, const char *platform, const char *room)
{
	if (!cfg || !platform || !room || cfg->nrooms == 0)
		return LANG_NONE;
	struct config_room key = {.platform = platform, .room = room};
	const struct config_room *r =
		bsearch(&key, cfg->rooms, cfg->nrooms, sizeof(*cfg->rooms), room_cmp);
	return r ? r->lang : LANG_NONE;
}

void config_schema_write_example(const struct config_schema *schema, FILE *f)
{
	for (size_t i = 0; i < schema->nsections; i++) {
		const struct config_section *s = &schema->sections[i];
		fprintf(f, "\n# %s\n", s->doc);
		if (s->family)
			fprintf(f, "#[%s %s]\n", s->name, s->example_id);
		else
			fprintf(f, "#[%s]\n", s->name);
		for (size_t j = 0; j < s->nkeys; j++) {
			const struct config_key *k = &s->keys[j];
			const char *v = k->def ? k->def : k->example;
			fprintf(f, "\n# %s\n", k->doc);
			if (v && *v)
				fprintf(f, "#%s = %s\n", k->name, v);
			else
				fprintf(f, "#%s =\n", k->name);
		}
	}
}

void config_write_example(FILE *f)
{
	fputs("# scobot.conf: the configuration of the scobot chat bot daemon.\n"
	      "#\n"
	      "# Every key is shown commented out, with its default value. A line is\n"
	      "# \"key = value\" (no quotes); a line starting with '#' or ';' is a comment.\n"
	      "# An unknown section or key, a repeated key or a bad value is an error that\n"
	      "# names the file, line and key, and scobot does not start.\n"
	      "# Check a file with: scobot --check-config --config FILE\n"
	      "#\n"
	      "# Tokens: a platform's token is taken, in this order, from its section's\n"
	      "# token key, from its token_file key (a file of mode 0600 owned by scobot's\n"
	      "# user), or from $CREDENTIALS_DIRECTORY/<platform>-token, which is what\n"
	      "# systemd's LoadCredential= provides and the recommended way. A token file\n"
	      "# readable by others is refused, and no token is ever logged.\n",
	      f);
	config_schema_write_example(&config_schema, f);
}
