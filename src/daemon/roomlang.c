/* roomlang.c: a sorted array of "platform:room" -> language, saved as text,
 * one "platform:room lang" per line. Small, and read once at start. */
#include "daemon/roomlang.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/statefile.h"
#include "util/xalloc.h"

#define ROOMLANG_FILE "room-languages"

struct entry {
	char *id;
	enum lang lang;
};

struct roomlang {
	char *path;
	struct entry *v;
	size_t n, cap;
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

static bool make_id(char *buf, const char *platform, const char *room)
{
	int n = snprintf(buf, ROOMLANG_MAX_ID, "%s:%s", platform, room);
	return n > 0 && n < ROOMLANG_MAX_ID;
}

static struct entry *find(const struct roomlang *r, const char *id)
{
	struct entry key = {(char *)id, LANG_NONE};
	return r->n ? bsearch(&key, r->v, r->n, sizeof(*r->v), cmp_entry) : NULL;
}

static void insert(struct roomlang *r, const char *id, enum lang lang)
{
	struct entry *e = find(r, id);
	if (e) {
		e->lang = lang;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	size_t pos = r->n;
	while (pos > 0 && strcmp(r->v[pos - 1].id, id) > 0)
		pos--;
	memmove(r->v + pos + 1, r->v + pos, (r->n - pos) * sizeof(*r->v));
	r->v[pos] = (struct entry){xstrdup(id), lang};
	r->n++;
}

struct roomlang *roomlang_open(const char *dir)
{
	struct roomlang *r = xcalloc(1, sizeof(*r));
	if (!dir || !*dir)
		return r;
	size_t plen = strlen(dir) + sizeof(ROOMLANG_FILE) + 2;
	r->path = xmalloc(plen);
	snprintf(r->path, plen, "%s/%s", dir, ROOMLANG_FILE);
	FILE *f = fopen(r->path, "re");
	if (!f) {
		if (errno != ENOENT)
			log_warn("cannot read room languages", "path=%s error=\"%s\"", r->path,
			         strerror(errno));
		return r;
	}
	char line[ROOMLANG_MAX_ID + 16];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		char *sp = strrchr(line, ' ');
		enum lang l = sp ? lang_parse(sp + 1) : LANG_NONE;
		if (!sp || l == LANG_NONE || sp == line || !strchr(line, ':')) {
			log_warn("skipping a bad line in room languages", "path=%s line=%u", r->path, lineno);
			continue;
		}
		*sp = '\0';
		if (r->n >= ROOMLANG_MAX_ROOMS)
			break;
		insert(r, line, l);
	}
	fclose(f);
	return r;
}

void roomlang_free(struct roomlang *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].id);
	free(r->v);
	free(r->path);
	free(r);
}

enum lang roomlang_get(const struct roomlang *r, const char *platform, const char *room)
{
	char id[ROOMLANG_MAX_ID];
	if (!r || !platform || !room || !make_id(id, platform, room))
		return LANG_NONE;
	const struct entry *e = find(r, id);
	return e ? e->lang : LANG_NONE;
}

/* The whole file through the one state-file writer (util/statefile.h): a
 * planted room-languages.tmp or symlink in state_dir is never followed. */
static int save(const struct roomlang *r)
{
	size_t cap = 1, len = 0;
	for (size_t i = 0; i < r->n; i++)
		cap += strlen(r->v[i].id) + 1 + strlen(lang_code(r->v[i].lang)) + 1;
	char *text = xmalloc(cap);
	text[0] = '\0';
	for (size_t i = 0; i < r->n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s %s\n", r->v[i].id,
		                        lang_code(r->v[i].lang));
	int err = statefile_write(r->path, text, len);
	free(text);
	return err;
}

int roomlang_set(struct roomlang *r, const char *platform, const char *room, enum lang lang)
{
	char id[ROOMLANG_MAX_ID];
	if (!make_id(id, platform, room) || strchr(id, '\n') || strchr(id, ' '))
		return -EINVAL;
	if (!find(r, id) && r->n >= ROOMLANG_MAX_ROOMS) {
		log_warn("too many rooms with their own language; not saved", "limit=%d",
		         ROOMLANG_MAX_ROOMS);
		return -ENOSPC;
	}
	insert(r, id, lang);
	if (!r->path)
		return 0;
	int err = save(r);
	if (err)
		log_warn("cannot save room languages", "path=%s error=\"%s\"", r->path, strerror(-err));
	return err;
}
