/* facts_load_error.c: where a fact file error stands (the JSON path being
 * checked, its line and column in the file) and how its message is written. */
#include "core/facts_load_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

/* Copies text from a file into a message: control bytes become '?' so an error
 * line cannot be forged or garbled, and a cut never splits a UTF-8 sequence. */
const char *fl_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = utf8_trim(s, len, size - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[n] = '\0';
	return buf;
}

/* ---- where a value stands in its file ----
 * cJSON keeps no positions, so an error found after parsing (a bad date, a
 * missing source) is placed by walking the text along the error's JSON path:
 * an operator editing a file gets a line number, not just a path. */

static size_t skip_ws(const char *d, size_t n, size_t i)
{
	while (i < n && is_json_space(d[i]))
		i++;
	return i;
}

static size_t skip_string(const char *d, size_t n, size_t i)
{
	for (i++; i < n && d[i] != '"'; i++)
		if (d[i] == '\\')
			i++;
	return i < n ? i + 1 : n;
}

static size_t skip_value(const char *d, size_t n, size_t i)
{
	if (i < n && d[i] == '"')
		return skip_string(d, n, i);
	if (i < n && (d[i] == '{' || d[i] == '[')) {
		int depth = 0;
		while (i < n) {
			if (d[i] == '"') {
				i = skip_string(d, n, i);
				continue;
			}
			if (d[i] == '{' || d[i] == '[')
				depth++;
			else if ((d[i] == '}' || d[i] == ']') && --depth == 0)
				return i + 1;
			i++;
		}
		return n;
	}
	while (i < n && d[i] != ',' && d[i] != '}' && d[i] != ']' && !is_json_space(d[i]))
		i++;
	return i;
}

/* One step of a path: the member `key` of the object at i, or element `index`
 * of the array at i. Returns the value's offset, or n when it is not there. */
static size_t step_into(const char *d, size_t n, size_t i, const char *key, size_t klen,
                        long index)
{
	char open = key ? '{' : '[', close = key ? '}' : ']';
	if (i >= n || d[i] != open)
		return n;
	i = skip_ws(d, n, i + 1);
	for (long k = 0; i < n && d[i] != close; k++) {
		if (key) {
			size_t ks = i + 1, ke = skip_string(d, n, i);
			bool hit = ke - ks == klen + 1 && memcmp(d + ks, key, klen) == 0;
			i = skip_ws(d, n, ke);
			if (i < n && d[i] == ':')
				i = skip_ws(d, n, i + 1);
			if (hit)
				return i;
		} else if (k == index) {
			return i;
		}
		i = skip_ws(d, n, skip_value(d, n, i));
		if (i < n && d[i] == ',')
			i = skip_ws(d, n, i + 1);
	}
	return n;
}

/* The 1-based line of the deepest part of `path` found in the text. */
static int path_line(const char *d, size_t n, const char *path)
{
	size_t at = skip_ws(d, n, 0), best = at;
	const char *p = path;
	while (*p && at < n) {
		if (*p == '.')
			p++;
		if (*p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);
			if (*end != ']')
				break;
			at = step_into(d, n, at, NULL, 0, idx);
			p = end + 1;
		} else {
			size_t kl = strcspn(p, ".[");
			at = step_into(d, n, at, p, kl, 0);
			p += kl;
		}
		if (at < n)
			best = at;
	}
	int line = 1;
	for (size_t i = 0; i < best && i < n; i++)
		line += d[i] == '\n';
	return line;
}

__attribute__((format(printf, 2, 3)))
int fl_fail(struct loader *l, const char *fmt, ...)
{
	struct facts_error *e = l->err;
	memset(e, 0, sizeof(*e));
	if (l->file)
		snprintf(e->file, sizeof(e->file), "%s", l->file);
	snprintf(e->path, sizeof(e->path), "%s", l->path);
	for (size_t i = 0; l->file && l->path[0] && i < l->n_files; i++)
		if (l->files[i].data && strcmp(l->files[i].name, l->file) == 0)
			e->line = path_line(l->files[i].data, l->files[i].len, l->path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* For errors in the text itself: 1-based line, and column in code points so it
 * matches what an editor shows on a line of Russian or Chinese. */
__attribute__((format(printf, 4, 5)))
int fl_fail_at(struct loader *l, const char *data, size_t pos, const char *fmt, ...)
{
	struct facts_error *e = l->err;
	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", l->file ? l->file : "");
	int line = 1;
	size_t start = 0;
	for (size_t i = 0; i < pos; i++) {
		if (data[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	e->line = line;
	e->column = (int)utf8_count(data + start, pos - start) + 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void fl_path_set(struct loader *l, size_t len)
{
	l->plen = len;
	l->path[len] = '\0';
}

__attribute__((format(printf, 2, 3)))
size_t fl_path_push(struct loader *l, const char *fmt, ...)
{
	size_t old = l->plen, room = sizeof(l->path) - l->plen;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->path + l->plen, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->plen += (size_t)n < room ? (size_t)n : room - 1;
	return old;
}

size_t fl_path_key(struct loader *l, const char *key)
{
	return fl_path_push(l, "%s%s", l->plen ? "." : "", key);
}

size_t fl_path_index(struct loader *l, size_t i)
{
	return fl_path_push(l, "[%zu]", i);
}

void fl_path_reset(struct loader *l, const char *file)
{
	l->file = file;
	fl_path_set(l, 0);
}

const char *fl_type_name(const cJSON *v)
{
	if (!v)
		return "nothing";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}
