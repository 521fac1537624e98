/* config.c: reads scobot.conf strictly from const schema tables and owns every
 * string in struct config; it must not log, exit, or echo a value (any value
 * may be a pasted token: errors describe it instead).
 *
 * HOW TO ADD A SECTION (e.g. [discord]):
 *  1. config.h: declare its struct; the first member is `bool present;` (set
 *     when the file has the [discord] header, even with no keys, so
 *     "[discord] present" can mean "enable Discord"). Field types follow the
 *     key types: char * (STRING, PATH, SECRET), bool, int64_t (INT), int
 *     (ENUM), enum lang (LANG), struct config_list (LIST).
 *  2. config.h: add one field of that type to struct config.
 *  3. config.c: write its key table, in the order the example file should
 *     show them:
 *       static const struct config_key discord_keys[] = {
 *         {.name = "token", .type = CONFIG_SECRET,
 *          .offset = offsetof(struct config_discord, token), .def = "",
 *          .check = config_check_token,
 *          .doc = "The bot token (prefer token_file or a credential)."},
 *         {.name = "api_base", .type = CONFIG_STRING, .offset = ...,
 *          .def = "https://discord.com/api/v10", .check = config_check_https_url,
 *          .doc = ...},
 *         {.name = "shards", .type = CONFIG_INT, .offset = ..., .def = "auto",
 *          .min = 1, .max = 1000, .word = "auto", .word_value = 0, .doc = ...},
 *       };
 *     Single-value rules go in a key's .check; cross-key rules ("token and
 *     token_file are exclusive") in a config_validate_fn that runs when the
 *     section ends, and its error names the section's header line. A key
 *     with .def = NULL is required (give .example for the example file).
 *  4. config.c: add one row to `sections[]` with FIXED_SECTION(...):
 *       FIXED_SECTION("discord", discord, struct config_discord, discord_keys,
 *                     discord_validate, "Discord: ..."),
 *  5. Regenerate the example from the tables (the unit tests
 *     example_file_* in tests/unit/daemon/test-config.c fail until it does):
 *       ninja -C BUILD tests/unit/daemon/scobot-conf-example
 *       BUILD/tests/unit/daemon/scobot-conf-example > config/scobot.conf.example
 * Secrets are loaded at run time with secret_load() (secret.h) from the
 * section's token / token_file values and the systemd credential name.
 *
 * Parsing: libinih splits "key = value" (on the first '=' or ':'), strips
 * inline " ;" comments and whitespace. It does not report line numbers to the
 * handler, truncates section names at 50 bytes, never reports a section that
 * has no keys and treats indented lines as continuations; so the reader
 * below feeds inih one line at a time, handles "[section]" lines and
 * comments itself, and strips indentation. Only the first error is reported.
 * Debian's libinih reads into a 200-byte stack buffer, so a key line is at
 * most 198 bytes (the reader refuses longer ones rather than let inih split
 * them); comments and section headers are not limited. */
#include "daemon/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "net/httpd.h"
#include "net/redis.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/url.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

/* How much of a bad value or name an error shows (bytes of output). */
#define SHOW_MAX 72
/* Longest key name an error echoes; anything else may be a pasted secret. */
#define SHOW_KEY_MAX 32

/* ---- values ---------------------------------------------------------------- */

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void free_secret(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static void list_free(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Decimal only: no sign but '-', no spaces, no hex, no overflow. */
static int parse_int(const char *v, int64_t *out)
{
	const char *p = v[0] == '-' ? v + 1 : v;
	char *end;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = n;
	return 0;
}

static int check_text(const char *v, char *why, size_t whysize)
{
	if (strlen(v) > CONFIG_VALUE_MAX) {
		snprintf(why, whysize, "longer than %d bytes", CONFIG_VALUE_MAX);
		return -EINVAL;
	}
	if (has_control(v)) {
		snprintf(why, whysize, "contains control characters");
		return -EINVAL;
	}
	if (!utf8_valid(v, strlen(v))) {
		snprintf(why, whysize, "is not valid UTF-8");
		return -EINVAL;
	}
	return 0;
}

static int parse_list(const struct config_key *k, const char *v, struct config_list *out,
                      char *why, size_t whysize)
{
	struct config_list l = {0};
	const char *p = v;
	int r = check_text(v, why, whysize);
	if (r < 0)
		return r;
	for (;;) {
		p += strspn(p, ", \t");
		if (!*p)
			break;
		size_t n = strcspn(p, ", \t");
		if (l.n == CONFIG_LIST_MAX) {
			snprintf(why, whysize, "more than %d items", CONFIG_LIST_MAX);
			list_free(&l);
			return -EINVAL;
		}
		char *item = xstrndup(p, n);
		if (k->check && (r = k->check(item, why, whysize)) < 0) {
			free(item);
			list_free(&l);
			return -EINVAL;
		}
		l.items = xreallocarray(l.items, l.n + 1, sizeof(*l.items));
		l.items[l.n++] = item;
		p += n;
	}
	list_free(out);
	*out = l;
	return 0;
}

/* Parses v into the key's field; on failure the field is unchanged and `why`
 * says what was expected, without the value. */
static int set_value(const struct config_key *k, void *base, const char *v, char *why,
                     size_t whysize)
{
	void *field = FIELD(base, k->offset, char);
	int r;

	switch (k->type) {
	case CONFIG_STRING:
		if ((r = check_text(v, why, whysize)) < 0)
			return r;
		if (k->check && (r = k->check(v, why, whysize)) < 0)
			return r;
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case CONFIG_PATH:
		if ((r = check_text(v, why, whysize)) < 0)
			return r;
		if (*v && v[0] != '/') {
			snprintf(why, whysize, "expected an absolute path");
			return -EINVAL;
		}
		if (strlen(v) > CONFIG_PATH_MAX) {
			snprintf(why, whysize, "longer than %d bytes", CONFIG_PATH_MAX);
			return -EINVAL;
		}
		if (k->check && (r = k->check(v, why, whysize)) < 0)
			return r;
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case CONFIG_SECRET:
		/* passwords may hold spaces; token keys add .check = config_check_token */
		if (strlen(v) > CONFIG_VALUE_MAX) {
			snprintf(why, whysize, "longer than %d bytes", CONFIG_VALUE_MAX);
			return -EINVAL;
		}
		if (has_control(v)) {
			snprintf(why, whysize, "contains control characters");
			return -EINVAL;
		}
		if (*v && k->check && (r = k->check(v, why, whysize)) < 0)
			return r;
		free_secret((char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case CONFIG_BOOL:
		if (parse_bool(v, (bool *)field) < 0) {
			snprintf(why, whysize, "expected true or false");
			return -EINVAL;
		}
		return 0;
	case CONFIG_INT: {
		int64_t n;
		if (k->word && strcmp(v, k->word) == 0) {
			*(int64_t *)field = k->word_value;
			return 0;
		}
		if (parse_int(v, &n) < 0 || n < k->min || n > k->max) {
			if (k->word)
				snprintf(why, whysize, "expected '%s' or a number %lld-%lld", k->word,
				         (long long)k->min, (long long)k->max);
			else
				snprintf(why, whysize, "expected a number %lld-%lld",
				         (long long)k->min, (long long)k->max);
			return -EINVAL;
		}
		*(int64_t *)field = n;
		return 0;
	}
	case CONFIG_ENUM: {
		size_t pos = 0;
		for (const struct config_choice *c = k->choices; c && c->name; c++)
			if (strcasecmp(v, c->name) == 0) {
				*(int *)field = c->value;
				return 0;
			}
		pos += (size_t)snprintf(why, whysize, "expected one of");
		for (const struct config_choice *c = k->choices; c && c->name && pos < whysize; c++)
			pos += (size_t)snprintf(why + pos, whysize - pos, "%s %s",
			                        c == k->choices ? "" : ",", c->name);
		return -EINVAL;
	}
	case CONFIG_LANG:
		for (int l = 0; l < LANG_COUNT; l++)
			if (strcasecmp(v, lang_code((enum lang)l)) == 0) {
				*(enum lang *)field = (enum lang)l;
				return 0;
			}
		snprintf(why, whysize, "expected en, ru or zh");
		return -EINVAL;
	case CONFIG_LIST:
		return parse_list(k, v, (struct config_list *)field, why, whysize);
	}
	snprintf(why, whysize, "unknown key type");
	return -EINVAL;
}

static void set_defaults(const struct config_section *s, void *base)
{
	char why[128];
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct config_key *k = &s->keys[i];
		if (!k->def) {
			/* required: a recognisable "unset" until the file sets it */
			switch (k->type) {
			case CONFIG_STRING: case CONFIG_PATH: case CONFIG_SECRET:
				*FIELD(base, k->offset, char *) = xstrdup("");
				break;
			case CONFIG_LANG:
				*FIELD(base, k->offset, enum lang) = LANG_NONE;
				break;
			default:
				break;
			}
			continue;
		}
		if (set_value(k, base, k->def, why, sizeof(why)) < 0) {
			fprintf(stderr, "config: bad default for [%s] %s: %s\n", s->name, k->name, why);
			abort();
		}
	}
}

static void free_fields(const struct config_section *s, void *base)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct config_key *k = &s->keys[i];
		switch (k->type) {
		case CONFIG_STRING: case CONFIG_PATH:
			free(*FIELD(base, k->offset, char *));
			*FIELD(base, k->offset, char *) = NULL;
			break;
		case CONFIG_SECRET:
			free_secret(FIELD(base, k->offset, char *));
			break;
		case CONFIG_LIST:
			list_free(FIELD(base, k->offset, struct config_list));
			break;
		default:
			break;
		}
	}
}

static bool has_secret_value(const struct config_section *s, const void *base)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct config_key *k = &s->keys[i];
		if (k->type != CONFIG_SECRET)
			continue;
		const char *v = *FIELD(base, k->offset, const char *);
		if (v && *v)
			return true;
	}
	return false;
}

void config_schema_defaults(const struct config_schema *schema, void *root)
{
	for (size_t i = 0; i < schema->nsections; i++) {
		const struct config_section *s = &schema->sections[i];
		if (s->family)
			continue; /* items get defaults when their header is read */
		if (s->nkeys > CONFIG_MAX_KEYS) {
			fprintf(stderr, "config: [%s] has more than %d keys\n", s->name, CONFIG_MAX_KEYS);
			abort();
		}
		set_defaults(s, FIELD(root, s->offset, char));
	}
}

void config_schema_free(const struct config_schema *schema, void *root)
{
	if (!root)
		return;
	for (size_t i = 0; i < schema->nsections; i++) {
		const struct config_section *s = &schema->sections[i];
		if (!s->family) {
			free_fields(s, FIELD(root, s->offset, char));
			continue;
		}
		char **items = FIELD(root, s->items_offset, char *);
		size_t *count = FIELD(root, s->count_offset, size_t);
		for (size_t j = 0; j < *count; j++) {
			void *item = *items + j * s->item_size;
			free_fields(s, item);
			free(*FIELD(item, s->id_offset, char *));
		}
		free(*items);
		*items = NULL;
		*count = 0;
	}
}

static bool schema_has_secret(const struct config_schema *schema, const void *root)
{
	for (size_t i = 0; i < schema->nsections; i++) {
		const struct config_section *s = &schema->sections[i];
		if (!s->family) {
			if (has_secret_value(s, FIELD(root, s->offset, const char)))
				return true;
			continue;
		}
		const char *items = *FIELD(root, s->items_offset, const char *);
		size_t count = *FIELD(root, s->count_offset, const size_t);
		for (size_t j = 0; j < count; j++)
			if (has_secret_value(s, items + j * s->item_size))
				return true;
	}
	return false;
}

/* ---- the parser -------------------------------------------------------------- */

struct seen_section {
	char *name;
	unsigned line;
};

struct parse_ctx {
	const struct config_schema *schema;
	void *root;
	const char *name;
	const char *p, *end;
	unsigned lineno;
	char *err;
	size_t errsize;
	bool failed;
	/* the section being read */
	const struct config_section *sect;
	void *base;
	char *label; /* "general", "room discord:1" */
	unsigned sect_line;
	unsigned key_line[CONFIG_MAX_KEYS];
	struct seen_section *seen;
	size_t nseen;
};

__attribute__((format(printf, 3, 4)))
static void fail(struct parse_ctx *c, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;
	if (c->failed)
		return;
	c->failed = true;
	if (!c->err || c->errsize == 0)
		return;
	if (line)
		n = snprintf(c->err, c->errsize, "%s:%u: ", c->name, line);
	else
		n = snprintf(c->err, c->errsize, "%s: ", c->name);
	if (n < 0 || (size_t)n >= c->errsize)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errsize - (size_t)n, fmt, ap);
	va_end(ap);
	/* The file name or a section id could still hold one. */
	redact_secrets_str(c->err);
}

static const char *show(const char *s, size_t len, char *buf, size_t size)
{
	return log_escape_quoted(s, len, '\'', buf, size);
}

/* What an error says about a value instead of the value itself, which may be
 * a token pasted into the wrong key: its length and the kinds of characters
 * in it ("got 72 bytes: letters, digits, punctuation"). */
static const char *describe(const char *v, char *buf, size_t size)
{
	enum { LETTERS, DIGITS, PUNCT, SPACES, NON_ASCII, CONTROL, NCLASS };
	static const char *const names[NCLASS] = {"letters", "digits", "punctuation", "spaces",
	                                          "non-ASCII characters", "control characters"};
	bool has[NCLASS] = {false};
	size_t n = strlen(v), pos;
	if (n == 0) {
		snprintf(buf, size, "an empty value");
		return buf;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];
		if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
			has[LETTERS] = true;
		else if (ch >= '0' && ch <= '9')
			has[DIGITS] = true;
		else if (ch == ' ' || ch == '\t')
			has[SPACES] = true;
		else if (ch < 0x20 || ch == 0x7f)
			has[CONTROL] = true;
		else if (ch >= 0x80)
			has[NON_ASCII] = true;
		else
			has[PUNCT] = true;
	}
	pos = (size_t)snprintf(buf, size, "%zu byte%s:", n, n == 1 ? "" : "s");
	for (int c = 0, first = 1; c < NCLASS && pos < size; c++)
		if (has[c]) {
			pos += (size_t)snprintf(buf + pos, size - pos, "%s %s", first ? "" : ",",
			                        names[c]);
			first = 0;
		}
	return buf;
}

/* A name (key or section) is echoed only if it looks like one: a line such
 * as a pasted token followed by ':' or '=', or inside [...], would otherwise
 * land in the error. */
static bool name_showable(const char *k, size_t n)
{
	bool ok = n > 0 && n <= SHOW_KEY_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		     (k[i] >= '0' && k[i] <= '9') || k[i] == '_' || k[i] == '-' || k[i] == '.';
	return ok;
}

/* A key name is echoed only if it looks like one: a line such as a pasted
 * token followed by ':' or '=' would otherwise land in the error. */
static const char *show_key(const char *k, char *buf, size_t size)
{
	size_t n = strlen(k);
	if (!name_showable(k, n)) {
		snprintf(buf, size, n ? "(not shown)" : "''");
		return buf;
	}
	return show(k, n, buf, size);
}

/* Ends the current section: required keys, then the section's own check. */
static void close_section(struct parse_ctx *c)
{
	const struct config_section *s = c->sect;
	char why[256];
	if (!s || c->failed)
		goto out;
	for (size_t i = 0; i < s->nkeys; i++)
		if (!s->keys[i].def && !c->key_line[i]) {
			fail(c, c->sect_line, "[%s]: missing key '%s'", c->label, s->keys[i].name);
			goto out;
		}
	why[0] = '\0';
	if (s->validate && s->validate(c->base, why, sizeof(why)) < 0)
		fail(c, c->sect_line, "[%s]: %s", c->label, why);
out:
	free(c->label);
	c->label = NULL;
	c->sect = NULL;
	c->base = NULL;
}

static void known_sections(const struct config_schema *schema, char *buf, size_t size)
{
	size_t pos = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < schema->nsections && pos < size; i++) {
		const struct config_section *s = &schema->sections[i];
		pos += (size_t)snprintf(buf + pos, size - pos, "%s[%s%s]", i ? ", " : "", s->name,
		                        s->family ? " ..." : "");
	}
}

static void open_section(struct parse_ctx *c, const char *name, size_t len)
{
	char shown[SHOW_MAX], why[256];
	const struct config_section *s = NULL;
	const char *id = NULL;
	size_t idlen = 0;

	for (size_t i = 0; i < c->schema->nsections && !s; i++) {
		const struct config_section *t = &c->schema->sections[i];
		size_t n = strlen(t->name);
		if (len < n || memcmp(name, t->name, n) != 0)
			continue;
		if (!t->family && len == n) {
			s = t;
		} else if (t->family && (len == n || name[n] == ' ' || name[n] == '\t')) {
			s = t;
			id = name + n;
			idlen = len - n;
			while (idlen && (*id == ' ' || *id == '\t')) {
				id++;
				idlen--;
			}
		}
	}
	if (!s) {
		char known[256];
		known_sections(c->schema, known, sizeof(known));
		if (name_showable(name, len))
			show(name, len, shown, sizeof(shown));
		else
			snprintf(shown, sizeof(shown), "(not shown, %zu bytes)", len);
		fail(c, c->lineno, "unknown section %s (known: %s)", shown, known);
		return;
	}
	if (s->family && idlen == 0) {
		fail(c, c->lineno, "[%s] needs an id, e.g. [%s %s]", s->name, s->name,
		     s->example_id ? s->example_id : "...");
		return;
	}

	/* One name per section: a repeat is almost always a merge mistake. */
	char *label = s->family ? xmalloc(strlen(s->name) + 1 + idlen + 1) : xstrdup(s->name);
	if (s->family)
		sprintf(label, "%s %.*s", s->name, (int)idlen, id);
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i].name, label) == 0) {
			fail(c, c->lineno, "section %s repeated (first at line %u)",
			     show(label, strlen(label), shown, sizeof(shown)), c->seen[i].line);
			free(label);
			return;
		}
	if (c->nseen == CONFIG_MAX_SECTIONS) {
		fail(c, c->lineno, "more than %d sections", CONFIG_MAX_SECTIONS);
		free(label);
		return;
	}
	c->seen = xreallocarray(c->seen, c->nseen + 1, sizeof(*c->seen));
	c->seen[c->nseen++] = (struct seen_section){xstrdup(label), c->lineno};

	c->sect = s;
	c->label = label;
	c->sect_line = c->lineno;
	memset(c->key_line, 0, sizeof(c->key_line));
	if (!s->family) {
		c->base = FIELD(c->root, s->offset, char);
		if (s->present_offset != (size_t)-1)
			*FIELD(c->base, s->present_offset, bool) = true;
		return;
	}
	char **items = FIELD(c->root, s->items_offset, char *);
	size_t *count = FIELD(c->root, s->count_offset, size_t);
	*items = xreallocarray(*items, *count + 1, s->item_size);
	void *item = *items + *count * s->item_size;
	memset(item, 0, s->item_size);
	(*count)++;
	set_defaults(s, item);
	char *idcopy = xstrndup(id, idlen);
	*FIELD(item, s->id_offset, char *) = idcopy;
	c->base = item;
	why[0] = '\0';
	/* A bad id is not echoed: it may be a token pasted into the header. */
	if (check_text(idcopy, why, sizeof(why)) < 0 ||
	    (s->parse_id && s->parse_id(idcopy, item, why, sizeof(why)) < 0))
		fail(c, c->lineno, "[%s (id not shown, %s)]: %s", s->name,
		     describe(idcopy, shown, sizeof(shown)), why);
}

/* "[name]" with optional trailing comment; everything else is an error. */
static void section_line(struct parse_ctx *c, const char *line, size_t len)
{
	const char *close = memchr(line, ']', len);
	if (!close) {
		fail(c, c->lineno, "section header without ']'");
		return;
	}
	const char *rest = close + 1, *end = line + len;
	while (rest < end && (*rest == ' ' || *rest == '\t' || *rest == '\r'))
		rest++;
	if (rest < end && *rest != '#' && *rest != ';') {
		fail(c, c->lineno, "unexpected text after ']'");
		return;
	}
	const char *name = line + 1;
	size_t n = (size_t)(close - name);
	while (n && (*name == ' ' || *name == '\t')) {
		name++;
		n--;
	}
	while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	if (n == 0) {
		fail(c, c->lineno, "empty section name");
		return;
	}
	close_section(c);
	if (!c->failed)
		open_section(c, name, n);
}

/* inih's rule for a key line: '=' or ':' before any " ;" comment. */
static bool has_separator(const char *s, size_t len)
{
	bool was_space = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' || s[i] == ':')
			return true;
		if (was_space && s[i] == ';')
			return false;
		was_space = s[i] == ' ' || s[i] == '\t' || s[i] == '\r';
	}
	return false;
}

/* An ini_reader: hands inih one key line at a time (or a blank line for
 * what this file handles itself), so its count of calls is the line number. */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	if (c->failed || c->p >= c->end || num < 2)
		return NULL;
	const char *line = c->p;
	const char *nl = memchr(line, '\n', (size_t)(c->end - line));
	size_t len = (size_t)((nl ? nl : c->end) - line);
	c->p = nl ? nl + 1 : c->end;
	c->lineno++;

	str[0] = '\n';
	str[1] = '\0';
	if (c->lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (memchr(line, '\0', len)) {
		fail(c, c->lineno, "contains a NUL byte");
		return NULL;
	}
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len == 0 || *line == '#' || *line == ';' || (len == 1 && *line == '\r'))
		return str;
	if (*line == '[') {
		section_line(c, line, len);
		return c->failed ? NULL : str;
	}
	if (!has_separator(line, len)) {
		fail(c, c->lineno, "expected 'key = value', '[section]' or a comment");
		return NULL;
	}
	if (len + 2 > (size_t)num) {
		fail(c, c->lineno, "line longer than %d bytes", num - 2);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	const struct config_section *s = c->sect;
	char kbuf[SHOW_MAX], vbuf[SHOW_MAX], why[256];
	size_t i;
	(void)section; /* inih's copy is truncated; c->label is the real one */

	if (c->failed)
		return 1;
	if (!s) {
		fail(c, c->lineno, "key %s is not in any [section]",
		     show_key(name, kbuf, sizeof(kbuf)));
		return 1;
	}
	for (i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, name) == 0)
			break;
	if (i == s->nkeys) {
		fail(c, c->lineno, "[%s] unknown key %s", c->label,
		     show_key(name, kbuf, sizeof(kbuf)));
		return 1;
	}
	const struct config_key *k = &s->keys[i];
	if (c->key_line[i]) {
		fail(c, c->lineno, "[%s] %s: repeated (first set at line %u)", c->label, k->name,
		     c->key_line[i]);
		return 1;
	}
	c->key_line[i] = c->lineno;
	why[0] = '\0';
	if (set_value(k, c->base, value, why, sizeof(why)) < 0) {
		/* Never the value itself: a token pasted into the wrong key would
		 * land in the terminal, the journal and systemd's STATUS= line. */
		if (k->type == CONFIG_SECRET || k->conceal)
			fail(c, c->lineno, "[%s] %s: %s (value not shown)", c->label, k->name, why);
		else
			fail(c, c->lineno, "[%s] %s: %s, got %s", c->label, k->name, why,
			     describe(value, vbuf, sizeof(vbuf)));
	}
	return 1;
}

int config_schema_parse(const struct config_schema *schema, void *root, const char *name,
                        const char *text, size_t len, char *err, size_t errsize)
{
	struct parse_ctx c = {
		.schema = schema, .root = root, .name = name ? name : "config",
		.p = text, .end = text + len, .err = err, .errsize = errsize,
	};
	if (err && errsize)
		err[0] = '\0';
	int r = ini_parse_stream(reader, &c, handler, &c);
	if (r == -2)
		fail(&c, 0, "out of memory");
	else if (r > 0)
		fail(&c, (unsigned)r, "expected 'key = value', '[section]' or a comment");
	close_section(&c);
	for (size_t i = 0; i < c.nseen; i++)
		free(c.seen[i].name);
	free(c.seen);
	free(c.label);
	return c.failed ? -EINVAL : 0;
}

int config_schema_load_file(const struct config_schema *schema, void *root, const char *path,
                            char *err, size_t errsize)
{
	struct stat st;
	size_t cap = 4096, len = 0;
	char *buf = NULL;
	/* O_NONBLOCK: a FIFO at the path must not hang the start */
	int r, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (err && errsize)
		err[0] = '\0';
	if (fd < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot open config file %s: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot stat config file %s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "config file %s is not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap > CONFIG_MAX_BYTES)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errsize, "cannot read config file %s: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_MAX_BYTES) {
		snprintf(err, errsize, "config file %s is larger than %d bytes", path,
		         CONFIG_MAX_BYTES);
		r = -EINVAL;
		goto out;
	}
	r = config_schema_parse(schema, root, path, buf, len, err, errsize);
	/* The same rule as for token files (OpenBSD check_file_secrecy) and as
	 * scobot.conf(5) states it: no permission bit for group or others. */
	if (r == 0 && schema_has_secret(schema, root) && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errsize,
		         "%s holds a secret but is accessible by group or others "
		         "(mode %04o); chmod 600 it or use a token file",
		         path, (unsigned)(st.st_mode & 07777));
		r = -EINVAL;
	}
out:
	if (buf) {
		explicit_bzero(buf, len); /* it may hold a secret */
		free(buf);
	}
	close(fd);
	return r;
}

/* ---- the example file -------------------------------------------------------- */

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

int config_check_token(const char *v, char *why, size_t whysize)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, whysize, "contains spaces or control characters");
			return -EINVAL;
		}
	return 0;
}

/* The rule is util/url.c's, shared with the adapters, so that what the
 * check accepts the daemon accepts. */
int config_check_https_url(const char *v, char *why, size_t whysize)
{
	enum url_verdict verdict = url_check(v, URL_HTTP);
	if (verdict != URL_OK) {
		snprintf(why, whysize, "%s", url_verdict_text(verdict));
		return -EINVAL;
	}
	return 0;
}

/* ---- scobot's schema ----------------------------------------------------------- */

#define PREFIX_MAX 16 /* bytes */

static int check_prefix(const char *v, char *why, size_t whysize)
{
	size_t n = strlen(v);
	bool ok = n >= 1 && n <= PREFIX_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = v[i] > ' ' && v[i] < 0x7f;
	if (!ok) {
		snprintf(why, whysize,
		         "expected 1-%d printable ASCII characters without spaces", PREFIX_MAX);
		return -EINVAL;
	}
	return 0;
}

/* [discord] and [matrix] prefix: empty means [general] prefix; anything
 * else follows the same rule. */
static int check_platform_prefix(const char *v, char *why, size_t whysize)
{
	return *v ? check_prefix(v, why, whysize) : 0;
}

static const struct config_key general_keys[] = {
	{.name = "prefix", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_general, prefix), .def = "!sco",
	 .check = check_prefix,
	 .doc = "Command prefix: 1-16 printable ASCII characters, no spaces."},
	{.name = "facts_dir", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_general, facts_dir), .def = "",
	 .doc = "Directory of fact files (absolute); empty: the facts built into scobot."},
	{.name = "state_dir", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_general, state_dir), .def = "/var/lib/scobot",
	 .doc = "Where per-room languages, sessions and sync tokens are kept (absolute): a "
	        "directory owned by scobot's user and not writable by others, created 0700 if "
	        "missing."},
};

static const struct config_choice log_levels[] = {
	{"error", LOG_LVL_ERROR}, {"warn", LOG_LVL_WARN}, {"notice", LOG_LVL_NOTICE},
	{"info", LOG_LVL_INFO}, {"debug", LOG_LVL_DEBUG}, {NULL, 0},
};

static const struct config_key log_keys[] = {
	{.name = "level", .type = CONFIG_ENUM, .offset = offsetof(struct config_log, level),
	 .def = "info", .choices = log_levels,
	 .doc = "Least severe messages logged: error, warn, notice, info or debug."},
};

static const struct config_key room_keys[] = {
	{.name = "lang", .type = CONFIG_LANG, .offset = offsetof(struct config_room, lang),
	 .def = NULL, .example = "ru",
	 .doc = "Required: the room's default answer language, en, ru or zh."},
};

/* Matrix room ids are at most 255 bytes (client-server API, "Room IDs"). */
#define MATRIX_ROOM_ID_MAX 255
/* A Discord snowflake is a 64-bit integer: at most 20 decimal digits. */
#define SNOWFLAKE_DIGITS_MAX 20

static int room_parse_id(const char *id, void *item, char *why, size_t whysize)
{
	struct config_room *r = item;
	const char *colon = strchr(id, ':');
	size_t n;

	if (!colon) {
		snprintf(why, whysize, "expected discord:<channel id> or matrix:<room id>");
		return -EINVAL;
	}
	const char *room = colon + 1;
	n = strlen(room);
	if ((size_t)(colon - id) == 7 && memcmp(id, "discord", 7) == 0) {
		bool ok = n >= 1 && n <= SNOWFLAKE_DIGITS_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = room[i] >= '0' && room[i] <= '9';
		if (!ok) {
			snprintf(why, whysize, "a Discord channel id is 1-%d digits",
			         SNOWFLAKE_DIGITS_MAX);
			return -EINVAL;
		}
		r->platform = "discord";
	} else if ((size_t)(colon - id) == 6 && memcmp(id, "matrix", 6) == 0) {
		const char *sep = strchr(room, ':');
		bool ok = room[0] == '!' && sep && sep > room + 1 && sep[1] && n <= MATRIX_ROOM_ID_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = (unsigned char)room[i] > ' ';
		if (!ok) {
			snprintf(why, whysize,
			         "a Matrix room id looks like !opaque:server.name (aliases are not "
			         "supported)");
			return -EINVAL;
		}
		r->platform = "matrix";
	} else {
		snprintf(why, whysize, "unknown platform; expected discord or matrix");
		return -EINVAL;
	}
	r->room = room;
	return 0;
}

static int check_shard_ids(const char *v, char *why, size_t whysize)
{
	int a, b, n = 0;
	if (!*v)
		return 0;
	if (sscanf(v, "%d-%d%n", &a, &b, &n) == 2 && v[n] == '\0' && a >= 0 && b >= a &&
	    b < 1000)
		return 0;
	if (sscanf(v, "%d%n", &a, &n) == 1 && v[n] == '\0' && a >= 0 && a < 1000)
		return 0;
	snprintf(why, whysize, "expected a shard id or a range like 0-3");
	return -EINVAL;
}

static int check_redis_url(const char *v, char *why, size_t whysize)
{
	struct redis_target t;
	return *v ? redis_url_parse(v, &t, why, whysize) : 0;
}

static int check_snowflake(const char *v, char *why, size_t whysize)
{
	size_t n = strlen(v);
	bool ok = n <= SNOWFLAKE_DIGITS_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = v[i] >= '0' && v[i] <= '9';
	if (!ok) {
		snprintf(why, whysize, "expected a Discord id (digits)");
		return -EINVAL;
	}
	return 0;
}

/* Rows both platform sections have, so that a key means the same on each.
 * The cooldown itself is src/core/cooldown.c (GCRA). */
#define COOLDOWN_KEYS(st, group_field, group_word)                                              \
	{.name = "cooldown_count", .type = CONFIG_INT, .offset = offsetof(st, cooldown_count),  \
	 .def = "5", .min = 1, .max = 1000,                                                     \
	 .doc = "Answers one user can get at once; after that one more every "                  \
	        "cooldown_seconds / cooldown_count seconds."},                                  \
	{.name = "cooldown_seconds", .type = CONFIG_INT,                                        \
	 .offset = offsetof(st, cooldown_seconds), .def = "10", .min = 1, .max = 3600,          \
	 .doc = "Time for a used-up allowance to come back whole; the first message over it "   \
	        "gets one short notice (at most one per cooldown_seconds), the rest silence."},  \
	{.name = #group_field, .type = CONFIG_INT, .offset = offsetof(st, group_field),         \
	 .def = "15", .min = 1, .max = 1000,                                                    \
	 .doc = "The same allowance for one " group_word ", all users together."}

#define CA_FILE_KEY(st)                                                                         \
	{.name = "ca_file", .type = CONFIG_PATH, .offset = offsetof(st, ca_file), .def = "",    \
	 .doc = "CA certificates to trust (PEM): a private CA or a self-signed server "         \
	        "certificate; empty: the system store only."}

static const struct config_key discord_keys[] = {
	{.name = "token", .type = CONFIG_SECRET, .offset = offsetof(struct config_discord, token),
	 .def = "", .check = config_check_token,
	 .doc = "The bot token inline (discouraged: prefer token_file or the discord-token credential)."},
	{.name = "token_file", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_discord, token_file), .def = "",
	 .doc = "A file holding the token, mode 0600; $CREDENTIALS_DIRECTORY/discord-token is read too."},
	{.name = "application_id", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, application_id), .def = "",
	 .check = check_snowflake, .doc = "The application id; empty: taken from READY."},
	{.name = "message_content", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_discord, message_content), .def = "false",
	 .doc = "Ask for the privileged MESSAGE_CONTENT intent (prefix commands outside DMs and mentions)."},
	{.name = "prefix", .type = CONFIG_STRING, .offset = offsetof(struct config_discord, prefix),
	 .def = "", .check = check_platform_prefix,
	 .doc = "Command prefix on Discord: 1-16 printable ASCII characters, no spaces; "
	        "empty: [general] prefix."},
	{.name = "shards", .type = CONFIG_INT, .offset = offsetof(struct config_discord, shards),
	 .def = "auto", .min = 1, .max = 1000, .word = "auto", .word_value = 0,
	 .doc = "Total shard count, or auto for Discord's recommendation."},
	{.name = "shard_ids", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, shard_ids), .def = "", .check = check_shard_ids,
	 .doc = "The shards this process runs, e.g. 0-3; empty: all."},
	{.name = "compress", .type = CONFIG_BOOL, .offset = offsetof(struct config_discord, compress),
	 .def = "true", .doc = "zlib-stream transport compression on the gateway."},
	{.name = "api_base", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, api_base), .def = "https://discord.com/api/v10",
	 .check = config_check_https_url,
	 .doc = "REST base URL; https, or http only to a loopback address (tests)."},
	{.name = "state_dir", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_discord, state_dir), .def = "",
	 .doc = "Where sessions and identify counts are kept; empty: [general] state_dir."},
	{.name = "commands_guild", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, commands_guild), .def = "",
	 .check = check_snowflake,
	 .doc = "Register slash commands in this guild only (testing); empty: globally."},
	{.name = "register_commands", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_discord, register_commands), .def = "true",
	 .doc = "Compare the slash commands at start and overwrite them only when they differ."},
	COOLDOWN_KEYS(struct config_discord, cooldown_channel_count, "channel"),
	{.name = "rest_timeout_seconds", .type = CONFIG_INT,
	 .offset = offsetof(struct config_discord, rest_timeout_seconds), .def = "15", .min = 1,
	 .max = 300, .doc = "Longest wait for one REST request before it is retried or fails."},
	CA_FILE_KEY(struct config_discord),
	{.name = "coordination", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_discord, coordination), .def = "",
	 .check = check_redis_url, .conceal = true,
	 .doc = "Share the token's limits with the other processes through Redis: "
	        "redis://HOST:PORT[/DB] or unix:///path; password: the redis-password credential."},
	{.name = "coordination_share", .type = CONFIG_INT,
	 .offset = offsetof(struct config_discord, coordination_share), .def = "auto", .min = 1,
	 .max = 50, .word = "auto", .word_value = 0,
	 .doc = "Global requests/s this process sends while Redis is away; auto: 50 / processes."},
};

static const struct config_key matrix_keys[] = {
	{.name = "homeserver", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_matrix, homeserver), .def = NULL,
	 .example = "https://matrix.example.org", .check = config_check_https_url,
	 .doc = "Required: the homeserver URL; https, or http only to a loopback address."},
	{.name = "user_id", .type = CONFIG_STRING, .offset = offsetof(struct config_matrix, user_id),
	 .def = NULL, .example = "@scobot:example.org", .doc = "Required: the bot's Matrix user id."},
	{.name = "access_token", .type = CONFIG_SECRET,
	 .offset = offsetof(struct config_matrix, access_token), .def = "",
	 .check = config_check_token,
	 .doc = "Access token inline (discouraged: prefer token_file or the matrix-token credential)."},
	{.name = "token_file", .type = CONFIG_PATH,
	 .offset = offsetof(struct config_matrix, token_file), .def = "",
	 .doc = "A file holding the access token; $CREDENTIALS_DIRECTORY/matrix-token is read too."},
	{.name = "password", .type = CONFIG_SECRET, .offset = offsetof(struct config_matrix, password),
	 .def = "", .doc = "Password for m.login.password when no token is given; the token is then stored."},
	{.name = "device_id", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_matrix, device_id), .def = "SCOBOT",
	 .doc = "Stable device id used for password login."},
	{.name = "state_dir", .type = CONFIG_PATH, .offset = offsetof(struct config_matrix, state_dir),
	 .def = "", .doc = "Where the sync token and answered events are kept; empty: [general] state_dir."},
	{.name = "auto_join", .type = CONFIG_LIST, .offset = offsetof(struct config_matrix, auto_join),
	 .def = "", .doc = "Inviters or rooms whose invites are accepted; empty: any."},
	{.name = "prefix", .type = CONFIG_STRING, .offset = offsetof(struct config_matrix, prefix),
	 .def = "", .check = check_platform_prefix,
	 .doc = "Command prefix on Matrix: 1-16 printable ASCII characters, no spaces; "
	        "empty: [general] prefix."},
	{.name = "encrypted_room_notice", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_matrix, encrypted_room_notice), .def = "true",
	 .doc = "Post one plain notice in encrypted rooms (scobot cannot read them)."},
	{.name = "encrypted_room_notice_text", .type = CONFIG_STRING,
	 .offset = offsetof(struct config_matrix, encrypted_room_notice_text), .def = "",
	 .doc = "The text of that notice; empty: a built-in English sentence."},
	COOLDOWN_KEYS(struct config_matrix, cooldown_room_count, "room"),
	{.name = "stall_alarm_minutes", .type = CONFIG_INT,
	 .offset = offsetof(struct config_matrix, stall_alarm_minutes), .def = "10", .min = 1,
	 .max = 1440, .doc = "Log an alarm when the sync has not advanced for this long."},
	CA_FILE_KEY(struct config_matrix),
};

static int check_listen(const char *v, char *why, size_t whysize)
{
	if (*v && httpd_parse_listen(v) < 0) {
		snprintf(why, whysize,
		         "expected a numeric address and port, like 127.0.0.1:9464 or [::1]:9464");
		return -EINVAL;
	}
	return 0;
}

static const struct config_key service_keys[] = {
	{.name = "ready_timeout_seconds", .type = CONFIG_INT,
	 .offset = offsetof(struct config_service, ready_timeout_seconds), .def = "60", .min = 1,
	 .max = 3600,
	 .doc = "Report ready to systemd after this long even if a platform has not connected (keep it below TimeoutStartSec)."},
	{.name = "stall_seconds", .type = CONFIG_INT,
	 .offset = offsetof(struct config_service, stall_seconds), .def = "90", .min = 1,
	 .max = 3600,
	 .doc = "A platform with no progress (heartbeat ACK, sync) for this long is unhealthy and the watchdog stops; keep it above 45."},
};

static const struct config_key metrics_keys[] = {
	{.name = "listen", .type = CONFIG_STRING, .offset = offsetof(struct config_metrics, listen),
	 .def = "", .check = check_listen,
	 .doc = "Serve GET /healthz and /metrics on this address, e.g. 127.0.0.1:9464; empty: off. "
	        "Only a loopback address unless listen_public = yes."},
	{.name = "listen_public", .type = CONFIG_BOOL,
	 .offset = offsetof(struct config_metrics, listen_public), .def = "false",
	 .doc = "Allow listen on a non-loopback or wildcard address (0.0.0.0, [::]): the listener "
	        "has no authentication or TLS, so only behind a firewall."},
};

/* "127.0.0.1:9464" or "[::1]:9464" (already checked by check_listen). */
static bool listen_is_loopback(const char *listen)
{
	const char *end = listen[0] == '[' ? strchr(listen, ']') : strrchr(listen, ':');
	if (!end)
		return false;
	size_t n = (size_t)(end - listen) + (listen[0] == '[');
	return url_host_is_loopback(listen, n);
}

/* /metrics and /healthz have no authentication and the listener is a small
 * server meant for a local scraper: on the network it shows the bot's
 * traffic to anyone and invites floods, so that takes an explicit yes. */
static int metrics_validate(const void *section, char *why, size_t whysize)
{
	const struct config_metrics *m = section;
	if (*m->listen && !m->listen_public && !listen_is_loopback(m->listen)) {
		snprintf(why, whysize,
		         "listen is not a loopback address (127.0.0.0/8 or [::1]); /metrics has no "
		         "authentication, so set listen_public = yes to serve it on the network");
		return -EINVAL;
	}
	return 0;
}

static int discord_validate(const void *section, char *why, size_t whysize)
{
	const struct config_discord *d = section;
	if (*d->token && *d->token_file) {
		snprintf(why, whysize, "token and token_file exclude each other");
		return -EINVAL;
	}
	return 0;
}

static int matrix_validate(const void *section, char *why, size_t whysize)
{
	const struct config_matrix *m = section;
	if (*m->access_token && *m->token_file) {
		snprintf(why, whysize, "access_token and token_file exclude each other");
		return -EINVAL;
	}
	return 0;
}

#define FIXED_SECTION(name_, field, type, keys_, validate_, doc_)                     \
	{.name = name_, .doc = doc_, .keys = keys_, .nkeys = ARRAY_SIZE(keys_),             \
	 .offset = offsetof(struct config, field),                                          \
	 .present_offset = offsetof(type, present), .validate = validate_}

static const struct config_section sections[] = {
	FIXED_SECTION("general", general, struct config_general, general_keys, NULL,
	              "[general]: how scobot answers and where it keeps its state."),
	FIXED_SECTION("log", log, struct config_log, log_keys, NULL,
	              "[log]: what goes to the journal (or stderr)."),
	FIXED_SECTION("discord", discord, struct config_discord, discord_keys, discord_validate,
	              "[discord]: its presence turns the Discord bot on."),
	FIXED_SECTION("matrix", matrix, struct config_matrix, matrix_keys, matrix_validate,
	              "[matrix]: its presence turns the Matrix bot on."),
	FIXED_SECTION("service", service, struct config_service, service_keys, NULL,
	              "[service]: readiness and health under systemd."),
	FIXED_SECTION("metrics", metrics, struct config_metrics, metrics_keys, metrics_validate,
	              "[metrics]: the optional HTTP listener for health checks and Prometheus."),
	{.name = "room", .family = true, .keys = room_keys, .nkeys = ARRAY_SIZE(room_keys),
	 .present_offset = (size_t)-1, .item_size = sizeof(struct config_room),
	 .items_offset = offsetof(struct config, rooms),
	 .count_offset = offsetof(struct config, nrooms),
	 .id_offset = offsetof(struct config_room, id), .parse_id = room_parse_id,
	 .example_id = "discord:123456789012345678",
	 .doc = "[room discord:<channel id>] or [room matrix:<room id>]: "
	        "a room's default language."},
};

const struct config_schema config_schema = {sections, ARRAY_SIZE(sections)};

/* ---- scobot's config ------------------------------------------------------------ */

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
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		const struct config_section *s = &sections[i];
		if (s->family || strcmp(s->name, section) != 0)
			continue;
		for (size_t j = 0; j < s->nkeys; j++) {
			const struct config_key *k = &s->keys[j];
			if (strcmp(k->name, key) != 0 || k->type == CONFIG_SECRET)
				continue;
			if (set_value(k, FIELD(cfg, s->offset, char), value, why, sizeof(why)) < 0) {
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
