/* test-config.c: scobot.conf parsing and validation, the example file against
 * the schema, and the schema machinery with a test schema holding every key
 * type (the [discord]/[matrix] sections will need bools, ints, secrets...). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"
#include "tap.h"
#include "util/log.h"

static char err[CONFIG_ERR_SIZE];

static struct config *load_ok(const char *text)
{
	struct config *cfg = NULL;
	int r = config_load_string("t.conf", text, &cfg, err, sizeof(err));
	if (r != 0)
		printf("# unexpected error: %s\n", err);
	CHECK_INT(r, 0);
	return cfg;
}

/* Returns the error message of a config that must be refused. */
static const char *load_err(const char *text)
{
	struct config *cfg = (struct config *)&err; /* must stay untouched */
	struct config *before = cfg;
	err[0] = '\0';
	int r = config_load_string("t.conf", text, &cfg, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK(cfg == before);
	if (r == 0 && cfg != before)
		config_free(cfg);
	return err;
}

TEST(coordination_url_is_checked_and_never_echoed_with_a_password)
{
	struct config *cfg = load_ok("[discord]\ncoordination = redis://127.0.0.1:6379/2\n"
	                             "coordination_share = 10\n");
	CHECK_STR(cfg->discord.coordination, "redis://127.0.0.1:6379/2");
	CHECK_INT((int)cfg->discord.coordination_share, 10);
	config_free(cfg);
	cfg = load_ok("[discord]\n");
	CHECK_STR(cfg->discord.coordination, "");
	CHECK_INT((int)cfg->discord.coordination_share, 0);
	config_free(cfg);
	const char *e = load_err("[discord]\ncoordination = redis://redis.internal:6379\n");
	CHECK_CONTAINS(e, "t.conf:2");
	CHECK_CONTAINS(e, "numeric");
	e = load_err("[discord]\ncoordination = redis://:s3cr3tpw@127.0.0.1:6379\n");
	CHECK_CONTAINS(e, "redis-password");
	CHECK_NOT_CONTAINS(e, "s3cr3tpw");
	e = load_err("[discord]\ncoordination_share = 51\n");
	CHECK_CONTAINS(e, "coordination_share");
}

/* ---- scobot's schema ---------------------------------------------------- */

TEST(defaults_are_the_documented_values)
{
	struct config *cfg = config_default();
	CHECK_STR(cfg->general.prefix, "!sco");
	CHECK_STR(cfg->general.facts_dir, "");
	CHECK_STR(cfg->general.state_dir, "/var/lib/scobot");
	CHECK_INT(cfg->log.level, LOG_LVL_INFO);
	CHECK_INT(cfg->nrooms, 0);
	CHECK(!cfg->general.present);
	CHECK(!cfg->log.present);
	config_free(cfg);
}

TEST(empty_file_gives_defaults)
{
	struct config *cfg = load_ok("");
	if (!cfg)
		return;
	CHECK_STR(cfg->general.prefix, "!sco");
	CHECK_INT(cfg->log.level, LOG_LVL_INFO);
	config_free(cfg);
}

TEST(valid_config_sets_every_key)
{
	struct config *cfg = load_ok("[general]\n"
	                             "prefix = !bot\n"
	                             "facts_dir = /usr/share/scobot/facts\n"
	                             "state_dir = /srv/scobot\n"
	                             "[log]\n"
	                             "level = debug\n"
	                             "[room discord:123456789012345678]\n"
	                             "lang = zh\n"
	                             "[room matrix:!abc:example.org]\n"
	                             "lang = ru\n");
	if (!cfg)
		return;
	CHECK(cfg->general.present);
	CHECK_STR(cfg->general.prefix, "!bot");
	CHECK_STR(cfg->general.facts_dir, "/usr/share/scobot/facts");
	CHECK_STR(cfg->general.state_dir, "/srv/scobot");
	CHECK(cfg->log.present);
	CHECK_INT(cfg->log.level, LOG_LVL_DEBUG);
	CHECK_INT(cfg->nrooms, 2);
	config_free(cfg);
}

/* Any 10 bytes of it in an error count as a leak. */
static bool leaks(const char *e, const char *secret)
{
	char piece[11];
	for (size_t i = 0; i + 10 <= strlen(secret); i++) {
		memcpy(piece, secret + i, 10);
		piece[10] = '\0';
		if (strstr(e, piece))
			return true;
	}
	return false;
}

TEST(no_key_of_the_schema_echoes_a_token_shaped_value)
{
	static const char *const secrets[] = {
		"MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB",
		"syt_c2NvYm90_abcdefghijklmnopqrst_0AbCdE",
	};
	char text[512];
	int refused = 0;
	for (size_t s = 0; s < config_schema.nsections; s++) {
		const struct config_section *sec = &config_schema.sections[s];
		for (size_t k = 0; k < sec->nkeys; k++)
			for (size_t i = 0; i < 2; i++) {
				snprintf(text, sizeof(text), "[%s%s%s]\n%s = %s\n", sec->name,
				         sec->family ? " " : "", sec->family ? sec->example_id : "",
				         sec->keys[k].name, secrets[i]);
				struct config *cfg = NULL;
				err[0] = '\0';
				if (config_load_string("t.conf", text, &cfg, err, sizeof(err)) < 0)
					refused++;
				config_free(cfg);
				if (leaks(err, secrets[i]))
					printf("# [%s] %s leaks: %s\n", sec->name, sec->keys[k].name, err);
				CHECK(!leaks(err, secrets[i]));
			}
	}
	CHECK(refused > 40);
	/* and where a secret is no value at all */
	for (size_t i = 0; i < 2; i++) {
		static const char *const around[][2] = {
			{"[", "]\n"}, {"[room discord:", "]\nlang = en\n"},
			{"[room matrix:", "]\nlang = en\n"}, {"[room matrix:!", ":x.org]\nlang = fr\n"},
			{"[log]\n", " = 1\n"}, {"[log]\n", "\n"},
		};
		for (size_t f = 0; f < sizeof(around) / sizeof(around[0]); f++) {
			snprintf(text, sizeof(text), "%s%s%s", around[f][0], secrets[i], around[f][1]);
			CHECK(*load_err(text) != '\0');
			CHECK(!leaks(err, secrets[i]));
		}
	}
}

TEST(metrics_listen_must_be_loopback_unless_listen_public)
{
	static const char *const local[] = {"127.0.0.1:9464", "127.1.2.3:1", "[::1]:9464"};
	static const char *const wide[] = {"0.0.0.0:9464", "[::]:9464", "192.0.2.7:9464",
	                                   "[2001:db8::1]:9464", "[::ffff:127.0.0.1]:9464"};
	char text[128];
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		snprintf(text, sizeof(text), "[metrics]\nlisten = %s\n", local[i]);
		struct config *cfg = load_ok(text);
		CHECK(cfg != NULL);
		config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		snprintf(text, sizeof(text), "[metrics]\nlisten = %s\n", wide[i]);
		CHECK_STR(load_err(text),
		          "t.conf:1: [metrics]: listen is not a loopback address (127.0.0.0/8 or "
		          "[::1]); /metrics has no authentication, so set listen_public = yes to "
		          "serve it on the network");
		snprintf(text, sizeof(text), "[metrics]\nlisten = %s\nlisten_public = yes\n", wide[i]);
		struct config *cfg = load_ok(text);
		CHECK(cfg && cfg->metrics.listen_public);
		config_free(cfg);
	}
}

TEST(section_header_alone_marks_the_section_present)
{
	struct config *cfg = load_ok("[log]\n");
	if (!cfg)
		return;
	CHECK(cfg->log.present);
	CHECK(!cfg->general.present);
	CHECK_INT(cfg->log.level, LOG_LVL_INFO);
	config_free(cfg);
}

TEST(comments_indentation_crlf_bom_and_colon_are_accepted)
{
	struct config *cfg = load_ok("\xEF\xBB\xBF# comment\r\n"
	                             "; another\r\n"
	                             "  [general]   ; why\r\n"
	                             "\tprefix = ?q ; inline comment\r\n"
	                             "   \r\n"
	                             "state_dir: /tmp/x\r\n"
	                             "[ log ]\n"
	                             "level=WARN");
	if (!cfg)
		return;
	CHECK_STR(cfg->general.prefix, "?q");
	CHECK_STR(cfg->general.state_dir, "/tmp/x");
	CHECK_INT(cfg->log.level, LOG_LVL_WARN);
	config_free(cfg);
}

TEST(unknown_section_names_file_line_and_section)
{
	const char *e = load_err("[general]\nprefix = !a\n\n[gneral]\n");
	CHECK_CONTAINS(e, "t.conf:4: unknown section 'gneral'");
	CHECK_CONTAINS(e, "[general]");
}

TEST(unknown_key_names_file_line_section_and_key)
{
	CHECK_STR(load_err("[general]\n# x\nprefx = !a\n"), "t.conf:3: [general] unknown key 'prefx'");
}

TEST(repeated_key_names_both_lines)
{
	CHECK_STR(load_err("[log]\nlevel = info\nlevel = debug\n"),
	          "t.conf:3: [log] level: repeated (first set at line 2)");
}

TEST(repeated_section_is_an_error)
{
	CHECK_STR(load_err("[log]\nlevel = info\n[general]\n[log]\n"),
	          "t.conf:4: section 'log' repeated (first at line 1)");
}

TEST(key_before_any_section_is_an_error)
{
	CHECK_STR(load_err("prefix = !a\n"), "t.conf:1: key 'prefix' is not in any [section]");
}

TEST(bad_log_level_lists_the_choices)
{
	CHECK_STR(load_err("[log]\nlevel = loud\n"),
	          "t.conf:2: [log] level: expected one of error, warn, notice, info, debug, "
	          "got 4 bytes: letters");
}

TEST(bad_room_lang_names_room_and_key)
{
	CHECK_STR(load_err("[room discord:1]\nlang = fr\n"),
	          "t.conf:2: [room discord:1] lang: expected en, ru or zh, got 2 bytes: letters");
}

TEST(bad_prefix_is_refused)
{
	CHECK_STR(load_err("[general]\nprefix = a b\n"),
	          "t.conf:2: [general] prefix: expected 1-16 printable ASCII characters without "
	          "spaces, got 3 bytes: letters, spaces");
	CHECK_CONTAINS(load_err("[general]\nprefix = 12345678901234567\n"), "prefix: expected");
	CHECK_CONTAINS(load_err("[general]\nprefix =\n"), "prefix: expected");
	CHECK_CONTAINS(load_err("[general]\nprefix = \xd0\xb6\n"), "prefix: expected");
}

/* One rule for every prefix key: [discord] and [matrix] prefix used to pass
 * the check with a space or 40 characters and then reach the adapters. */
TEST(platform_prefixes_follow_the_general_rule)
{
	CHECK_CONTAINS(load_err("[discord]\ntoken = x\nprefix = ! sco\n"),
	               "t.conf:3: [discord] prefix: expected 1-16 printable ASCII characters");
	CHECK_CONTAINS(load_err("[matrix]\nprefix = 1234567890123456789012345678901234567890\n"),
	               "t.conf:2: [matrix] prefix: expected 1-16 printable ASCII characters");
	CHECK_CONTAINS(load_err("[matrix]\nprefix = 12345678901234567\n"), "prefix: expected");
	CHECK_CONTAINS(load_err("[discord]\nprefix = \xd0\xb6\n"), "prefix: expected");
	/* Empty stays "use [general] prefix"; 16 characters are fine. */
	struct config *cfg = load_ok("[discord]\ntoken = abc\nprefix =\n");
	CHECK_STR(cfg->discord.prefix, "");
	config_free(cfg);
	cfg = load_ok("[discord]\ntoken = abc\nprefix = 1234567890123456\n");
	CHECK_STR(cfg->discord.prefix, "1234567890123456");
	config_free(cfg);
}

TEST(bad_value_is_described_not_shown)
{
	CHECK_STR(load_err("[log]\nlevel = a\x1b[31mb\n"),
	          "t.conf:2: [log] level: expected one of error, warn, notice, info, debug, "
	          "got 7 bytes: letters, digits, punctuation, control characters");
	CHECK_CONTAINS(load_err("[log]\nlevel = \xd0\xb6\n"), "got 2 bytes: non-ASCII characters");
}

TEST(relative_path_is_refused)
{
	CHECK_STR(load_err("[general]\nstate_dir = var/lib\n"),
	          "t.conf:2: [general] state_dir: expected an absolute path, got 7 bytes: letters, "
	          "punctuation");
}

TEST(room_section_without_id_is_refused)
{
	CHECK_STR(load_err("[room]\nlang = en\n"),
	          "t.conf:1: [room] needs an id, e.g. [room discord:123456789012345678]");
	CHECK_CONTAINS(load_err("[room   ]\n"), "t.conf:1: [room] needs an id");
}

TEST(room_section_with_unknown_platform_is_refused)
{
	CHECK_STR(load_err("[room slack:C123]\nlang = en\n"),
	          "t.conf:1: [room (id not shown, 10 bytes: letters, digits, punctuation)]: "
	          "unknown platform; expected discord or matrix");
	CHECK_CONTAINS(load_err("[room 12345]\n"),
	               "t.conf:1: [room (id not shown, 5 bytes: digits)]: expected discord:");
}

TEST(discord_room_id_must_be_a_snowflake)
{
	CHECK_STR(load_err("[room discord:general]\nlang = en\n"),
	          "t.conf:1: [room (id not shown, 15 bytes: letters, punctuation)]: a Discord "
	          "channel id is 1-20 digits");
	CHECK_CONTAINS(load_err("[room discord:]\n"), "1-20 digits");
	CHECK_CONTAINS(load_err("[room discord:123456789012345678901]\n"), "1-20 digits");
}

TEST(matrix_room_id_must_be_a_room_id)
{
	CHECK_CONTAINS(load_err("[room matrix:#alias:example.org]\n"),
	               "t.conf:1: [room (id not shown, 25 bytes: letters, punctuation)]: a Matrix room id");
	CHECK_CONTAINS(load_err("[room matrix:!nocolon]\n"), "a Matrix room id");
	CHECK_CONTAINS(load_err("[room matrix:!:example.org]\n"), "a Matrix room id");
	CHECK_CONTAINS(load_err("[room matrix:!a:]\n"), "a Matrix room id");
}

TEST(room_section_needs_lang)
{
	CHECK_STR(load_err("[room discord:42]\n[log]\n"),
	          "t.conf:1: [room discord:42]: missing key 'lang'");
	CHECK_STR(load_err("[log]\n[room matrix:!a:b.c]\n"),
	          "t.conf:2: [room matrix:!a:b.c]: missing key 'lang'");
}

TEST(repeated_room_section_is_an_error)
{
	CHECK_STR(load_err("[room discord:42]\nlang = en\n[room  discord:42 ]\nlang = ru\n"),
	          "t.conf:3: section 'room discord:42' repeated (first at line 1)");
}

TEST(room_lang_lookup_finds_each_room)
{
	struct config *cfg = load_ok("[room matrix:!zz:example.org]\nlang = zh\n"
	                             "[room discord:42]\nlang = ru\n"
	                             "[room discord:7]\nlang = en\n"
	                             "[room matrix:!aa:example.org]\nlang = ru\n");
	if (!cfg)
		return;
	CHECK_INT(config_room_lang(cfg, "discord", "42"), LANG_RU);
	CHECK_INT(config_room_lang(cfg, "discord", "7"), LANG_EN);
	CHECK_INT(config_room_lang(cfg, "matrix", "!zz:example.org"), LANG_ZH);
	CHECK_INT(config_room_lang(cfg, "matrix", "!aa:example.org"), LANG_RU);
	CHECK_INT(config_room_lang(cfg, "matrix", "42"), LANG_NONE);
	CHECK_INT(config_room_lang(cfg, "discord", "43"), LANG_NONE);
	CHECK_INT(config_room_lang(cfg, "console", "42"), LANG_NONE);
	CHECK_INT(config_room_lang(cfg, NULL, "42"), LANG_NONE);
	CHECK_INT(config_room_lang(NULL, "discord", "42"), LANG_NONE);
	config_free(cfg);
}

TEST(line_without_separator_is_a_syntax_error_and_not_echoed)
{
	const char *e = load_err("[general]\nprefix = !a\nMTIzNDU2Nzg5MDEy.GhIjKl.sEcReTtOkEn\n");
	CHECK_STR(e, "t.conf:3: expected 'key = value', '[section]' or a comment");
	CHECK_NOT_CONTAINS(e, "sEcReT");
}

TEST(pasted_secret_as_key_name_is_not_echoed)
{
	const char *e = load_err("[general]\nsyt_c2VjcmV0/dG9rZW4+more+stuff+here = x\n");
	CHECK_STR(e, "t.conf:2: [general] unknown key (not shown)");
}

TEST(over_long_line_is_refused)
{
	char text[1024];
	int n = snprintf(text, sizeof(text), "[general]\nstate_dir = /");
	memset(text + n, 'a', 600);
	strcpy(text + n + 600, "\n");
	CHECK_CONTAINS(load_err(text), "t.conf:2: line longer than");
}

TEST(over_long_comment_and_section_lines_are_fine)
{
	char text[2048];
	int n = snprintf(text, sizeof(text), "# ");
	memset(text + n, 'c', 1000);
	snprintf(text + n + 1000, sizeof(text) - (size_t)n - 1000,
	         "\n[room matrix:!averyveryveryveryveryverylongroomidentifier:matrix.example.org]\n"
	         "lang = zh\n");
	struct config *cfg = load_ok(text);
	if (!cfg)
		return;
	/* longer than inih's 50-byte section names: kept whole */
	CHECK_INT(config_room_lang(cfg, "matrix",
	                           "!averyveryveryveryveryverylongroomidentifier:matrix.example.org"),
	          LANG_ZH);
	config_free(cfg);
}

TEST(malformed_section_headers_are_refused)
{
	CHECK_STR(load_err("[general\n"), "t.conf:1: section header without ']'");
	CHECK_STR(load_err("[general] prefix = x\n"), "t.conf:1: unexpected text after ']'");
	CHECK_STR(load_err("\n[]\n"), "t.conf:2: empty section name");
}

TEST(only_the_first_error_is_reported)
{
	CHECK_STR(load_err("[log]\nlevel = x\n[bad]\n"),
	          "t.conf:2: [log] level: expected one of error, warn, notice, info, debug, "
	          "got 1 byte: letters");
}

TEST(too_many_sections_are_refused)
{
	size_t size = (CONFIG_MAX_SECTIONS + 1) * 40, pos = 0;
	char *text = malloc(size);
	for (int i = 0; i <= CONFIG_MAX_SECTIONS; i++)
		pos += (size_t)snprintf(text + pos, size - pos, "[room discord:%d]\nlang = en\n", i);
	char want[64];
	snprintf(want, sizeof(want), "t.conf:%d: more than %d sections",
	         2 * CONFIG_MAX_SECTIONS + 1, CONFIG_MAX_SECTIONS);
	CHECK_STR(load_err(text), want);
	/* the last one removed, the rest loads */
	text[pos - strlen("[room discord:4096]\nlang = en\n")] = '\0';
	struct config *cfg = load_ok(text);
	CHECK(cfg && cfg->nrooms == CONFIG_MAX_SECTIONS);
	CHECK_INT(config_room_lang(cfg, "discord", "4095"), LANG_EN);
	config_free(cfg);
	free(text);
}

/* ---- files ------------------------------------------------------------- */

static char tmpdir[64];

static void tmp_begin(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scobot-test-config-XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
}

static const char *tmp_file(const char *name, const char *data, size_t len, mode_t mode)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	fchmod(fd, mode);
	close(fd);
	return path;
}

static void tmp_end(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", tmpdir);
}

static const char *fixture(const char *name)
{
	static char path[512];
	const char *dir = getenv("SCOBOT_FIXTURES");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "fixtures", name);
	return path;
}

TEST(fixture_file_loads)
{
	struct config *cfg = NULL;
	int r = config_load(fixture("valid.conf"), &cfg, err, sizeof(err));
	if (r)
		printf("# %s\n", err);
	CHECK_INT(r, 0);
	if (!cfg)
		return;
	CHECK_STR(cfg->general.prefix, "!sco");
	CHECK_INT(cfg->log.level, LOG_LVL_NOTICE);
	CHECK_INT(config_room_lang(cfg, "discord", "123456789012345678"), LANG_ZH);
	config_free(cfg);
}

TEST(error_in_a_file_names_its_path_and_line)
{
	struct config *cfg = NULL;
	int r = config_load(fixture("unknown-key.conf"), &cfg, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK(cfg == NULL);
	CHECK_CONTAINS(err, "unknown-key.conf:5: [log] unknown key 'colour'");
}

TEST(missing_file_is_enoent_naming_the_path)
{
	struct config *cfg = NULL;
	int r = config_load("/nonexistent/scobot.conf", &cfg, err, sizeof(err));
	CHECK_INT(r, -ENOENT);
	CHECK(cfg == NULL);
	CHECK_STR(err, "cannot open config file /nonexistent/scobot.conf: No such file or directory");
}

TEST(directory_as_config_is_refused)
{
	struct config *cfg = NULL;
	CHECK_INT(config_load("/", &cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "config file / is not a regular file");
}

TEST(nul_byte_in_a_file_is_refused)
{
	tmp_begin();
	struct config *cfg = NULL;
	const char *p = tmp_file("nul.conf", "[log]\nlevel = info\0debug\n", 26, 0644);
	CHECK_INT(config_load(p, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "nul.conf:2: contains a NUL byte");
	tmp_end();
}

TEST(oversized_file_is_refused)
{
	tmp_begin();
	size_t n = CONFIG_MAX_BYTES + 1;
	char *big = malloc(n);
	memset(big, '\n', n);
	struct config *cfg = NULL;
	const char *p = tmp_file("big.conf", big, n, 0644);
	CHECK_INT(config_load(p, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "is larger than 1048576 bytes");
	/* exactly at the bound is fine */
	p = tmp_file("ok.conf", big, n - 1, 0644);
	CHECK_INT(config_load(p, &cfg, err, sizeof(err)), 0);
	config_free(cfg);
	free(big);
	tmp_end();
}

/* ---- the example file --------------------------------------------------- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = malloc(CONFIG_MAX_BYTES + 1);
	size_t n = fread(buf, 1, CONFIG_MAX_BYTES, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *example_text(void)
{
	const char *path = getenv("SCOBOT_EXAMPLE_CONF");
	char *text = path ? read_all(path) : NULL;
	if (!text)
		printf("# cannot read the example (SCOBOT_EXAMPLE_CONF=%s)\n", path ? path : "");
	return text;
}

/* Walks the example and checks, in schema order, that each section appears
 * as "#[name]" and each key as "# <doc>" then "#key = <default>". */
TEST(example_file_documents_every_key_with_its_default)
{
	char *text = example_text();
	CHECK(text != NULL);
	if (!text)
		return;
	size_t si = 0, ki = 0, keys_seen = 0, keys_total = 0;
	const char *prev = "";
	char expect[512];
	for (size_t i = 0; i < config_schema.nsections; i++)
		keys_total += config_schema.sections[i].nkeys;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     prev = line, line = strtok_r(NULL, "\n", &save)) {
		CHECK(line[0] == '#'); /* everything is commented out */
		if (line[0] != '#')
			printf("# uncommented line: %s\n", line);
		if (line[1] == '[') {
			CHECK(si < config_schema.nsections);
			if (si >= config_schema.nsections)
				break;
			const struct config_section *s = &config_schema.sections[si];
			if (s->family)
				snprintf(expect, sizeof(expect), "#[%s %s]", s->name, s->example_id);
			else
				snprintf(expect, sizeof(expect), "#[%s]", s->name);
			CHECK_STR(line, expect);
			CHECK_INT(ki, si ? config_schema.sections[si - 1].nkeys : 0);
			si++;
			ki = 0;
			continue;
		}
		if (line[1] == ' ' || line[1] == '\0' || si == 0)
			continue; /* prose */
		const struct config_section *s = &config_schema.sections[si - 1];
		CHECK(ki < s->nkeys);
		if (ki >= s->nkeys)
			break;
		const struct config_key *k = &s->keys[ki++];
		const char *v = k->def ? k->def : k->example;
		if (v && *v)
			snprintf(expect, sizeof(expect), "#%s = %s", k->name, v);
		else
			snprintf(expect, sizeof(expect), "#%s =", k->name);
		CHECK_STR(line, expect);
		snprintf(expect, sizeof(expect), "# %s", k->doc);
		CHECK_STR(prev, expect);
		keys_seen++;
	}
	CHECK_INT(si, config_schema.nsections);
	CHECK_INT(keys_seen, keys_total);
	free(text);
}

TEST(example_file_is_what_the_schema_writes)
{
	char *text = example_text();
	char *gen = NULL;
	size_t genlen = 0;
	FILE *f = open_memstream(&gen, &genlen);
	config_write_example(f);
	fclose(f);
	CHECK(text && strcmp(text, gen) == 0);
	if (text && strcmp(text, gen) != 0)
		printf("# regenerate it with scobot-conf-example (see config_schema.c)\n");
	free(gen);
	free(text);
}

/* Uncommenting every "#[section]" and "#key = value" line must give a file
 * that loads and equals the defaults: the documented defaults are real. */
TEST(uncommented_example_loads_as_the_defaults)
{
	char *text = example_text();
	if (!text) {
		CHECK(text != NULL);
		return;
	}
	for (char *p = text; *p; p++)
		if (p[0] == '#' && (p == text || p[-1] == '\n') && p[1] != ' ' && p[1] != '\n')
			p[0] = ' ';
	struct config *cfg = load_ok(text);
	struct config *def = config_default();
	if (cfg) {
		CHECK_STR(cfg->general.prefix, def->general.prefix);
		CHECK_STR(cfg->general.facts_dir, def->general.facts_dir);
		CHECK_STR(cfg->general.state_dir, def->general.state_dir);
		CHECK_INT(cfg->log.level, def->log.level);
		CHECK_INT(cfg->nrooms, 1);
		CHECK_INT(config_room_lang(cfg, "discord", "123456789012345678"), LANG_RU);
	}
	config_free(cfg);
	config_free(def);
	free(text);
}

/* ---- the schema machinery, with a section like the adapters will add ----- */

struct t_net {
	bool present;
	char *token;
	char *token_file;
	char *url;
	bool compress;
	int64_t shards;
	int64_t retries;
	struct config_list allow;
	int mode;
	enum lang lang;
};

struct t_root {
	struct t_net net;
};

static int t_check_allow(const char *v, char *why, size_t whysize)
{
	if (v[0] != '@' && v[0] != '!') {
		snprintf(why, whysize, "expected @user or !room");
		return -EINVAL;
	}
	return 0;
}

static int t_validate(const void *section, char *why, size_t whysize)
{
	const struct t_net *n = section;
	if (*n->token && *n->token_file) {
		snprintf(why, whysize, "token and token_file are exclusive");
		return -EINVAL;
	}
	if (strncmp(n->url, "https://", 8) != 0 && strncmp(n->url, "http://127.0.0.1", 16) != 0) {
		snprintf(why, whysize, "url must be https unless it is loopback");
		return -EINVAL;
	}
	return 0;
}

static const struct config_choice t_modes[] = {{"fast", 1}, {"safe", 2}, {NULL, 0}};

static const struct config_key t_keys[] = {
	{.name = "token", .type = CONFIG_SECRET, .offset = offsetof(struct t_net, token),
	 .def = "", .check = config_check_token, .doc = "t"},
	{.name = "token_file", .type = CONFIG_PATH, .offset = offsetof(struct t_net, token_file),
	 .def = "", .doc = "t"},
	{.name = "url", .type = CONFIG_STRING, .offset = offsetof(struct t_net, url),
	 .def = "https://example.org", .doc = "t"},
	{.name = "compress", .type = CONFIG_BOOL, .offset = offsetof(struct t_net, compress),
	 .def = "true", .doc = "t"},
	{.name = "shards", .type = CONFIG_INT, .offset = offsetof(struct t_net, shards),
	 .def = "auto", .min = 1, .max = 1000, .word = "auto", .word_value = 0, .doc = "t"},
	{.name = "retries", .type = CONFIG_INT, .offset = offsetof(struct t_net, retries),
	 .def = "3", .min = -1, .max = 10, .doc = "t"},
	{.name = "allow", .type = CONFIG_LIST, .offset = offsetof(struct t_net, allow),
	 .def = "", .check = t_check_allow, .doc = "t"},
	{.name = "mode", .type = CONFIG_ENUM, .offset = offsetof(struct t_net, mode),
	 .def = "safe", .choices = t_modes, .doc = "t"},
	{.name = "lang", .type = CONFIG_LANG, .offset = offsetof(struct t_net, lang),
	 .def = "en", .doc = "t"},
};

static const struct config_section t_sections[] = {
	{.name = "net", .doc = "t", .keys = t_keys, .nkeys = sizeof(t_keys) / sizeof(t_keys[0]),
	 .offset = offsetof(struct t_root, net), .present_offset = offsetof(struct t_net, present),
	 .validate = t_validate},
};

static const struct config_schema t_schema = {t_sections, 1};

/* Parses text with the test schema; returns the error ("" on success) and
 * leaves the result in *root (free with config_schema_free). */
static int t_parse(const char *text, struct t_root *root)
{
	memset(root, 0, sizeof(*root));
	config_schema_defaults(&t_schema, root);
	return config_schema_parse(&t_schema, root, "t.conf", text, strlen(text), err, sizeof(err));
}

static const char *t_err(const char *text)
{
	struct t_root root;
	CHECK_INT(t_parse(text, &root), -EINVAL);
	config_schema_free(&t_schema, &root);
	return err;
}

TEST(schema_defaults_of_every_type)
{
	struct t_root root;
	CHECK_INT(t_parse("", &root), 0);
	CHECK(!root.net.present);
	CHECK_STR(root.net.token, "");
	CHECK_STR(root.net.url, "https://example.org");
	CHECK(root.net.compress);
	CHECK_INT(root.net.shards, 0);
	CHECK_INT(root.net.retries, 3);
	CHECK_INT(root.net.allow.n, 0);
	CHECK_INT(root.net.mode, 2);
	CHECK_INT(root.net.lang, LANG_EN);
	config_schema_free(&t_schema, &root);
}

TEST(schema_parses_every_type)
{
	struct t_root root;
	int r = t_parse("[net]\ntoken = abc.DEF_123\ncompress = off\nshards = 16\nretries = -1\n"
	                "allow = @a:b.c, !r:b.c  @z:y\nmode = FAST\nlang = zh\n",
	                &root);
	CHECK_INT(r, 0);
	if (r)
		printf("# %s\n", err);
	CHECK(root.net.present);
	CHECK_STR(root.net.token, "abc.DEF_123");
	CHECK(!root.net.compress);
	CHECK_INT(root.net.shards, 16);
	CHECK_INT(root.net.retries, -1);
	CHECK_INT(root.net.allow.n, 3);
	if (root.net.allow.n == 3) {
		CHECK_STR(root.net.allow.items[0], "@a:b.c");
		CHECK_STR(root.net.allow.items[1], "!r:b.c");
		CHECK_STR(root.net.allow.items[2], "@z:y");
	}
	CHECK_INT(root.net.mode, 1);
	CHECK_INT(root.net.lang, LANG_ZH);
	config_schema_free(&t_schema, &root);
}

TEST(bool_accepts_the_usual_words_only)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE"};
	static const char *const no[] = {"false", "no", "off", "0", "No"};
	char text[64];
	struct t_root root;
	for (size_t i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "[net]\ncompress = %s\n", no[i]);
		CHECK_INT(t_parse(text, &root), 0);
		CHECK(!root.net.compress);
		config_schema_free(&t_schema, &root);
		snprintf(text, sizeof(text), "[net]\ncompress = %s\n", yes[i]);
		CHECK_INT(t_parse(text, &root), 0);
		CHECK(root.net.compress);
		config_schema_free(&t_schema, &root);
	}
	CHECK_STR(t_err("[net]\ncompress = maybe\n"),
	          "t.conf:2: [net] compress: expected true or false, got 5 bytes: letters");
	CHECK_CONTAINS(t_err("[net]\ncompress =\n"), "expected true or false, got an empty value");
}

TEST(int_with_a_word_names_both_in_the_error)
{
	CHECK_STR(t_err("[net]\nshards = x\n"),
	          "t.conf:2: [net] shards: expected 'auto' or a number 1-1000, got 1 byte: letters");
	CHECK_CONTAINS(t_err("[net]\nshards = 1001\n"), "got 4 bytes: digits");
	CHECK_CONTAINS(t_err("[net]\nshards = 0\n"), "got 1 byte: digits");
	CHECK_CONTAINS(t_err("[net]\nshards = AUTO\n"), "got 4 bytes: letters");
}

TEST(int_accepts_plain_decimal_only)
{
	static const char *const bad[] = {"+5", "0x10", "5k", "1.5", "", "-",
	                                  "99999999999999999999", "- 1"};
	char text[64];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[net]\nretries = %s\n", bad[i]);
		CHECK_CONTAINS(t_err(text), "[net] retries: expected a number -1-10");
	}
	CHECK_CONTAINS(t_err("[net]\nretries = 11\n"), "expected a number -1-10, got 2 bytes: digits");
	CHECK_CONTAINS(t_err("[net]\nretries = -2\n"), "got 2 bytes: digits, punctuation");
}

TEST(list_items_are_checked_one_by_one)
{
	CHECK_STR(t_err("[net]\nallow = @a:b, c\n"),
	          "t.conf:2: [net] allow: expected @user or !room, got 7 bytes: letters, "
	          "punctuation, spaces");
}

TEST(secret_is_never_in_an_error)
{
	static const char *const texts[] = {
		/* bad value */
		"[net]\ntoken = hunter2\x01sEcReT\n",
		/* a token with a space */
		"[net]\ntoken = hunter2 sEcReT\n",
		/* repeated */
		"[net]\ntoken = hunter2sEcReT\ntoken = hunter2sEcReT\n",
		/* the section check */
		"[net]\ntoken = hunter2sEcReT\ntoken_file = /etc/t\n",
		/* the next key is unknown */
		"[net]\ntoken = hunter2sEcReT\ntokn = hunter2sEcReT\n",
		/* a continuation-looking line */
		"[net]\ntoken = hunter2\n   sEcReT\n",
		/* too long */
		NULL,
	};
	for (size_t i = 0; texts[i]; i++) {
		const char *e = t_err(texts[i]);
		CHECK(*e != '\0');
		CHECK_NOT_CONTAINS(e, "sEcReT");
		CHECK_NOT_CONTAINS(e, "hunter2");
	}
	CHECK_STR(t_err("[net]\ntoken = hunter2 sEcReT\n"),
	          "t.conf:2: [net] token: contains spaces or control characters (value not shown)");
}

TEST(section_check_names_the_section_header_line)
{
	CHECK_STR(t_err("# x\n[net]\ntoken = a\ntoken_file = /etc/t\n"),
	          "t.conf:2: [net]: token and token_file are exclusive");
	CHECK_STR(t_err("[net]\nurl = http://example.org\n"),
	          "t.conf:1: [net]: url must be https unless it is loopback");
	struct t_root root;
	CHECK_INT(t_parse("[net]\nurl = http://127.0.0.1:8080\n", &root), 0);
	config_schema_free(&t_schema, &root);
}

TEST(https_url_check_allows_plain_http_to_loopback_only)
{
	static const char *const ok[] = {
		"https://discord.com/api/v10", "HTTPS://matrix.example.org", "https://h:8448",
		"http://127.0.0.1:8080/api", "http://127.1.2.3", "http://[::1]:9000/x",
		"http://127.0.0.2:8008", "http://127.255.255.254",
		"http://localhost:1234", "http://LOCALHOST",
	};
	static const char *const bad[] = {
		"http://discord.com/api", "ftp://127.0.0.1/", "discord.com", "https://",
		"http://127.0.0.1.evil.example/", "http://localhost.evil.example",
		"http://user:pw@127.0.0.1/", "https://user@example.org/", "http://[::2]/",
		"http://[::1", "http://:8080/", "wss://gateway.discord.gg", "http://128.0.0.1/",
		"http://127.1/",
	};
	char why[256];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int r = config_check_https_url(ok[i], why, sizeof(why));
		if (r)
			printf("# %s: %s\n", ok[i], why);
		CHECK_INT(r, 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		int r = config_check_https_url(bad[i], why, sizeof(why));
		if (r == 0)
			printf("# accepted %s\n", bad[i]);
		CHECK_INT(r, -EINVAL);
		CHECK(why[0] != '\0');
	}
	CHECK_INT(config_check_https_url("http://example.org", why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "plain http is only allowed to loopback (127.0.0.1, [::1], localhost); "
	               "use https");
}

TEST(file_holding_a_secret_must_not_be_readable_by_others)
{
	struct t_root root;
	tmp_begin();
	const char *text = "[net]\ntoken = hunter2sEcReT\n";
	const char *p = tmp_file("s.conf", text, strlen(text), 0644);
	memset(&root, 0, sizeof(root));
	config_schema_defaults(&t_schema, &root);
	CHECK_INT(config_schema_load_file(&t_schema, &root, p, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "s.conf holds a secret but is accessible by group or others "
	                    "(mode 0644); chmod 600 it");
	CHECK_NOT_CONTAINS(err, "sEcReT");
	config_schema_free(&t_schema, &root);

	/* scobot.conf(5): "must not be readable by group or others" */
	static const unsigned refused[] = {0640, 0604, 0620, 0610, 0660};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		p = tmp_file("s.conf", text, strlen(text), refused[i]);
		config_schema_defaults(&t_schema, &root);
		CHECK_INT(config_schema_load_file(&t_schema, &root, p, err, sizeof(err)), -EINVAL);
		CHECK_CONTAINS(err, "holds a secret but is accessible by group or others");
		config_schema_free(&t_schema, &root);
	}

	static const unsigned accepted[] = {0600, 0400};
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		p = tmp_file("s.conf", text, strlen(text), accepted[i]);
		config_schema_defaults(&t_schema, &root);
		CHECK_INT(config_schema_load_file(&t_schema, &root, p, err, sizeof(err)), 0);
		CHECK_STR(root.net.token, "hunter2sEcReT");
		config_schema_free(&t_schema, &root);
	}

	/* no secret in it: any mode */
	p = tmp_file("n.conf", "[net]\n", 6, 0644);
	config_schema_defaults(&t_schema, &root);
	CHECK_INT(config_schema_load_file(&t_schema, &root, p, err, sizeof(err)), 0);
	config_schema_free(&t_schema, &root);
	tmp_end();
}

/* ---- rules found untested by tests/mutate.py (doc/MUTATION.md) ---- */

TEST(every_character_of_a_prefix_is_checked)
{
	CHECK_CONTAINS(load_err("[general]\nprefix = !s o\n"), "prefix: expected 1-16 printable");
	CHECK_CONTAINS(load_err("[general]\nprefix = !\xd0\xb6\n"), "prefix: expected 1-16 printable");
}

TEST(every_character_of_a_room_or_discord_id_is_checked)
{
	CHECK_CONTAINS(load_err("[room discord:12a4]\nlang = en\n"),
	               "a Discord channel id is 1-20 digits");
	CHECK_STR(load_err("[discord]\ntoken = x\napplication_id = 12a\n"),
	          "t.conf:3: [discord] application_id: expected a Discord id (digits), got 3 bytes: "
	          "letters, digits");
	CHECK_CONTAINS(load_err("[room matrix:!abc:exa mple.org]\nlang = en\n"),
	               "a Matrix room id looks like !opaque:server.name");
	CHECK_CONTAINS(load_err("[discord]\ntoken = x\ncommands_guild = 1/2\n"),
	               "commands_guild: expected a Discord id (digits)");
	struct config *cfg = load_ok("[discord]\ntoken = x\napplication_id = 1234\n");
	CHECK_STR(cfg ? cfg->discord.application_id : NULL, "1234");
	config_free(cfg);
}

TEST(shard_ids_are_one_id_or_a_range_below_1000)
{
	static const char *const good[] = {"0", "999", "0-3", "2-2", "0-999"};
	static const char *const bad[] = {"-1", "1000", "3-1", "-1-3", "0-1000", "0-3x", "3x",
	                                  "x", "0 3", "1-", "-"};
	char text[128];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[discord]\ntoken = x\nshard_ids = %s\n", good[i]);
		struct config *cfg = load_ok(text);
		CHECK_STR(cfg ? cfg->discord.shard_ids : NULL, good[i]);
		config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[discord]\ntoken = x\nshard_ids = %s\n", bad[i]);
		printf("# shard_ids = %s\n", bad[i]);
		CHECK_CONTAINS(load_err(text),
		               "t.conf:3: [discord] shard_ids: expected a shard id or a range like 0-3");
	}
}

TEST(exclusive_token_keys_name_each_other)
{
	CHECK_STR(load_err("[discord]\ntoken = x\ntoken_file = /etc/t\n"),
	          "t.conf:1: [discord]: token and token_file exclude each other");
	CHECK_STR(load_err("[matrix]\nhomeserver = https://m.example.org\nuser_id = @a:b\n"
	                   "access_token = x\ntoken_file = /etc/t\n"),
	          "t.conf:1: [matrix]: access_token and token_file exclude each other");
	struct config *cfg = load_ok("[matrix]\nhomeserver = https://m.example.org\n"
	                             "user_id = @a:b\naccess_token = x\n");
	config_free(cfg);
	cfg = load_ok("[matrix]\nhomeserver = https://m.example.org\nuser_id = @a:b\n"
	              "token_file = /etc/t\n");
	config_free(cfg);
}

/* The coordination URL may hold a Redis password: its error does not even
 * describe it. */
TEST(bad_coordination_url_is_not_described)
{
	const char *e = load_err("[discord]\ntoken = x\ncoordination = http://h:1\n");
	CHECK_CONTAINS(e, "t.conf:3: [discord] coordination: ");
	CHECK_CONTAINS(e, "(value not shown)");
	CHECK(strstr(e, "bytes") == NULL);
}

TEST(text_values_are_checked_for_length_bytes_and_encoding)
{
	CHECK_STR(t_err("[net]\nurl = https://a\x01z\n"),
	          "t.conf:2: [net] url: contains control characters, got 11 bytes: letters, "
	          "punctuation, control characters");
	CHECK_STR(t_err("[net]\nurl = https://a\xffz\n"),
	          "t.conf:2: [net] url: is not valid UTF-8, got 11 bytes: letters, punctuation, "
	          "non-ASCII characters");
	CHECK_STR(t_err("[net]\ntoken = a\x01z\n"),
	          "t.conf:2: [net] token: contains control characters (value not shown)");
	/* Longer than CONFIG_VALUE_MAX (4096) or CONFIG_PATH_MAX (4095); inih's
	 * 198-byte lines are not in the way of set_value, so call it through
	 * config_override. */
	struct config *cfg = config_default();
	char *big = malloc(CONFIG_VALUE_MAX + 2);
	memset(big, 'a', CONFIG_VALUE_MAX + 1);
	big[CONFIG_VALUE_MAX + 1] = '\0';
	CHECK_INT(config_override(cfg, "matrix", "user_id", big, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "[matrix] user_id: longer than 4096 bytes");
	big[0] = '/';
	big[CONFIG_PATH_MAX + 1] = '\0';
	CHECK_INT(config_override(cfg, "general", "state_dir", big, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "[general] state_dir: longer than 4095 bytes");
	free(big);
	config_free(cfg);
}

/* --state-dir and --shard-ids on the command line (main.c) go through
 * config_override: only a fixed section's non-secret key, checked as in the
 * file. */
TEST(override_sets_one_checked_key_of_a_fixed_section)
{
	struct config *cfg = config_default();
	CHECK_INT(config_override(cfg, "general", "state_dir", "/srv/x", err, sizeof(err)), 0);
	CHECK_STR(cfg->general.state_dir, "/srv/x");
	CHECK_INT(config_override(cfg, "discord", "shard_ids", "0-3", err, sizeof(err)), 0);
	CHECK_STR(cfg->discord.shard_ids, "0-3");
	CHECK_INT(config_override(cfg, "log", "level", "debug", err, sizeof(err)), 0);
	CHECK_INT(cfg->log.level, LOG_LVL_DEBUG);
	CHECK_INT(config_override(cfg, "general", "state_dir", "rel", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "[general] state_dir: expected an absolute path");
	CHECK_STR(cfg->general.state_dir, "/srv/x");
	CHECK_INT(config_override(cfg, "general", "nope", "1", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "[general] nope: no such key");
	CHECK_INT(config_override(cfg, "discord", "token", "abc", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "[discord] token: no such key");
	CHECK_STR(cfg->discord.token, "");
	CHECK_INT(config_override(cfg, "room", "lang", "en", err, sizeof(err)), -ENOENT);
	CHECK_INT(config_override(cfg, "nosuch", "level", "en", err, sizeof(err)), -ENOENT);
	config_free(cfg);
}

/* A list value replaces the one before it; over CONFIG_LIST_MAX items it is
 * refused and the old one stays (under ASan, neither may leak). */
TEST(list_values_replace_and_are_limited)
{
	struct config *cfg = config_default();
	CHECK_INT(config_override(cfg, "matrix", "auto_join", "@a:x.org", err, sizeof(err)), 0);
	CHECK_INT(config_override(cfg, "matrix", "auto_join", "@b:x.org !r:x.org", err,
	                          sizeof(err)), 0);
	CHECK_INT(cfg->matrix.auto_join.n, 2);
	size_t size = (CONFIG_LIST_MAX + 1) * 2 + 1;
	char *many = malloc(size);
	for (size_t i = 0; i < CONFIG_LIST_MAX + 1; i++)
		memcpy(many + 2 * i, "a ", 2);
	many[size - 1] = '\0';
	CHECK_INT(config_override(cfg, "matrix", "auto_join", many, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "[matrix] auto_join: more than 256 items");
	CHECK_INT(cfg->matrix.auto_join.n, 2);
	free(many);
	config_free(cfg);
}

TEST(room_lookup_with_no_rooms_or_no_room_is_none)
{
	struct config *cfg = config_default();
	CHECK_INT(config_room_lang(cfg, "discord", "42"), LANG_NONE);
	config_free(cfg);
	cfg = load_ok("[room discord:42]\nlang = ru\n");
	CHECK_INT(config_room_lang(cfg, "discord", NULL), LANG_NONE);
	config_free(cfg);
}

/* Names are shown when they look like names: letters, digits, '_', '-', '.'. */
TEST(unknown_names_with_digits_and_underscores_are_shown)
{
	CHECK_STR(load_err("[general]\nstate_dir2 = /x\n"),
	          "t.conf:2: [general] unknown key 'state_dir2'");
	CHECK_CONTAINS(load_err("[roomy]\n"), "t.conf:1: unknown section 'roomy' (known: ");
	CHECK_CONTAINS(load_err("[rooms discord:1]\n"), "unknown section (not shown, 15 bytes)");
	struct config *cfg = load_ok("[room\tdiscord:42]\nlang = ru\n");
	CHECK_INT(config_room_lang(cfg, "discord", "42"), LANG_RU);
	config_free(cfg);
}

/* inih's inline comment starts at " ;", so "key ; = v" has no '=' before the
 * comment, and "key;x = v" is a key named "key;x". */
TEST(an_inline_comment_hides_the_separator_after_it)
{
	CHECK_STR(load_err("[general]\nprefix ; = !x\n"),
	          "t.conf:2: expected 'key = value', '[section]' or a comment");
	CHECK_STR(load_err("[general]\nprefix\t; = !x\n"),
	          "t.conf:2: expected 'key = value', '[section]' or a comment");
	CHECK_STR(load_err("[general]\nprefix;x = !x\n"), "t.conf:2: [general] unknown key (not shown)");
	CHECK_STR(load_err("[general]\nx\n"),
	          "t.conf:2: expected 'key = value', '[section]' or a comment");
}

/* A buffer too small for even the file name is cut, never overrun. */
TEST(a_small_error_buffer_is_not_overrun)
{
	char buf[64];
	memset(buf, 'Z', sizeof(buf));
	struct config *cfg = NULL;
	CHECK_INT(config_load_string("a-long-file-name.conf", "[bogus]\n", &cfg, buf, 8), -EINVAL);
	CHECK_STR(buf, "a-long-");
	for (size_t i = 8; i < sizeof(buf); i++)
		CHECK(buf[i] == 'Z');
	char one = 'Z';
	CHECK_INT(config_load_string("t.conf", "[bogus]\n", &cfg, &one, 0), -EINVAL);
	CHECK(one == 'Z');
	CHECK(cfg == NULL);
}

/* A secret in a [name id] section counts for the file-mode rule too. */
struct t_acct {
	char *id;
	char *password;
};

struct t_acct_root {
	struct t_acct *accts;
	size_t naccts;
};

static const struct config_key t_acct_keys[] = {
	{.name = "password", .type = CONFIG_SECRET, .offset = offsetof(struct t_acct, password),
	 .def = "", .doc = "t"},
};

static const struct config_section t_acct_sections[] = {
	{.name = "acct", .family = true, .keys = t_acct_keys, .nkeys = 1, .doc = "t",
	 .present_offset = (size_t)-1, .item_size = sizeof(struct t_acct),
	 .items_offset = offsetof(struct t_acct_root, accts),
	 .count_offset = offsetof(struct t_acct_root, naccts),
	 .id_offset = offsetof(struct t_acct, id), .example_id = "a"},
};

static const struct config_schema t_acct_schema = {t_acct_sections, 1};

TEST(secret_in_a_section_family_needs_a_private_file)
{
	static const char text[] = "[acct a]\n[acct b]\npassword = pw\n";
	tmp_begin();
	const char *p = tmp_file("a.conf", text, strlen(text), 0644);
	struct t_acct_root root = {0};
	config_schema_defaults(&t_acct_schema, &root);
	CHECK_INT(config_schema_load_file(&t_acct_schema, &root, p, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "holds a secret but is accessible by group or others (mode 0644)");
	config_schema_free(&t_acct_schema, &root);
	p = tmp_file("b.conf", "[acct a]\n[acct b]\n", 18, 0644);
	config_schema_defaults(&t_acct_schema, &root);
	CHECK_INT(config_schema_load_file(&t_acct_schema, &root, p, err, sizeof(err)), 0);
	CHECK_INT(root.naccts, 2);
	config_schema_free(&t_acct_schema, &root);
	tmp_end();
}

TAP_MAIN
