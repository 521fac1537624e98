/* config_ini.c: reads a scobot.conf file's lines through libinih into the
 * fields a schema describes, and words every error about the file (line,
 * section, key) without echoing a value.
 *
 * Parsing: libinih splits "key = value" (on the first '=' or ':'), strips
 * inline " ;" comments and whitespace. It does not report line numbers to the
 * handler, truncates section names at 50 bytes, never reports a section that
 * has no keys and treats indented lines as continuations; so the reader
 * here feeds inih one line at a time, handles "[section]" lines and
 * comments itself, and strips indentation. Only the first error is reported.
 * Debian's libinih reads into a 200-byte stack buffer, so a key line is at
 * most 198 bytes (the reader refuses longer ones rather than let inih split
 * them); comments and section headers are not limited. */
#include "daemon/config_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "util/log.h"
#include "util/redact.h"
#include "util/xalloc.h"

/* How much of a bad value or name an error shows (bytes of output). */
#define SHOW_MAX 72
/* Longest key name an error echoes; anything else may be a pasted secret. */
#define SHOW_KEY_MAX 32

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
	config_set_defaults(s, item);
	char *idcopy = xstrndup(id, idlen);
	*FIELD(item, s->id_offset, char *) = idcopy;
	c->base = item;
	why[0] = '\0';
	/* A bad id is not echoed: it may be a token pasted into the header. */
	if (config_check_text(idcopy, why, sizeof(why)) < 0 ||
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
	if (config_set_value(k, c->base, value, why, sizeof(why)) < 0) {
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
	if (r == 0)
		r = config_check_secret_file_mode(schema, root, path, st.st_mode, err, errsize);
out:
	if (buf) {
		explicit_bzero(buf, len); /* it may hold a secret */
		free(buf);
	}
	close(fd);
	return r;
}
