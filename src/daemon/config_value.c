/* config_value.c: turns one value string into the typed field its schema row
 * describes (bool, number, enum, language, path, list, secret), and sets
 * defaults and frees the fields of any schema. */
#include "daemon/config_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"
#include "util/xalloc.h"

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

/* What every value, secret or not, must be: bounded and one line of text. */
static int check_length_and_controls(const char *v, char *why, size_t whysize)
{
	if (strlen(v) > CONFIG_VALUE_MAX) {
		snprintf(why, whysize, "longer than %d bytes", CONFIG_VALUE_MAX);
		return -EINVAL;
	}
	if (has_control(v)) {
		snprintf(why, whysize, "contains control characters");
		return -EINVAL;
	}
	return 0;
}

int config_check_text(const char *v, char *why, size_t whysize)
{
	int r = check_length_and_controls(v, why, whysize);
	if (r < 0)
		return r;
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
	int r = config_check_text(v, why, whysize);
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
int config_set_value(const struct config_key *k, void *base, const char *v, char *why,
                     size_t whysize)
{
	void *field = FIELD(base, k->offset, char);
	int r;

	switch (k->type) {
	case CONFIG_STRING:
		if ((r = config_check_text(v, why, whysize)) < 0)
			return r;
		if (k->check && (r = k->check(v, why, whysize)) < 0)
			return r;
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case CONFIG_PATH:
		if ((r = config_check_text(v, why, whysize)) < 0)
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
		if ((r = check_length_and_controls(v, why, whysize)) < 0)
			return r;
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

void config_set_defaults(const struct config_section *s, void *base)
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
		if (config_set_value(k, base, k->def, why, sizeof(why)) < 0) {
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
		config_set_defaults(s, FIELD(root, s->offset, char));
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
