/* fuzz_config.c: any bytes as scobot.conf, through config_load_string (text up
 * to the first NUL, as an operator's file reads) and config_schema_parse with
 * the exact length (embedded NULs included); checks that errors are bounded,
 * name a line, and never echo a secret; it must not touch the file system. */
#include <errno.h>
#include <string.h>

#include "daemon/config.h"
#include "fuzz.h"

#define SECRET_MIN_CHECKED 12 /* bytes: shorter values may occur by chance */

/* The value of a secret key on one line ("token = xyz"), or NULL. */
static const char *secret_value(const char *line, size_t len, size_t *ret_len)
{
	static const char *const keys[] = {"token", "access_token", "password"};
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t kl = strlen(keys[k]);
		if (len <= kl || memcmp(line, keys[k], kl) != 0)
			continue;
		const char *p = line + kl, *end = line + len;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || (*p != '=' && *p != ':'))
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *q = end;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
			q--;
		*ret_len = (size_t)(q - p);
		return p;
	}
	return NULL;
}

/* No secret value that appears once in the file may appear in the error. */
static void check_no_secret(const char *text, size_t len, const char *err)
{
	const char *line = text, *end = text + len;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
		size_t vl;
		const char *v = secret_value(line, ll, &vl);
		if (v && vl >= SECRET_MIN_CHECKED && !memchr(v, ';', vl) && !memchr(v, '#', vl)) {
			const char *first = memmem(text, len, v, vl);
			const char *again = memmem(first + 1, (size_t)(end - first - 1), v, vl);
			if (!again && !memchr(v, '\0', vl)) {
				char needle[CONFIG_ERR_SIZE];
				if (vl < sizeof(needle)) {
					memcpy(needle, v, vl);
					needle[vl] = '\0';
					FUZZ_CHECK(strstr(err, needle) == NULL);
				}
			}
		}
		line += ll + 1;
	}
}

static void check_err(const char *err, size_t size)
{
	FUZZ_CHECK(memchr(err, '\0', size) != NULL);
	FUZZ_CHECK(err[0] != '\0');
	FUZZ_CHECK(strncmp(err, "fuzz.conf", 9) == 0); /* errors name the file */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > CONFIG_MAX_BYTES)
		return 0; /* config_load refuses bigger files before parsing */
	char *text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t tlen = strlen(text);

	char err[CONFIG_ERR_SIZE];
	memset(err, 'X', sizeof(err));
	struct config *cfg = (struct config *)(uintptr_t)1;
	int r = config_load_string("fuzz.conf", text, &cfg, err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL);
		FUZZ_CHECK(cfg == (struct config *)(uintptr_t)1);
		check_err(err, sizeof(err));
		check_no_secret(text, tlen, err);
	} else {
		FUZZ_CHECK(r == 0 && cfg != NULL);
		FUZZ_CHECK(cfg->general.prefix != NULL && cfg->general.prefix[0] != '\0');
		for (size_t i = 0; i < cfg->nrooms; i++) {
			const struct config_room *room = &cfg->rooms[i];
			FUZZ_CHECK(room->id && room->platform && room->room);
			FUZZ_CHECK(config_room_lang(cfg, room->platform, room->room) == room->lang);
		}
		config_free(cfg);
	}

	/* The generic parser with the exact length: NULs and a missing final
	 * newline must be handled by the reader, not by luck. */
	struct config *root = calloc(1, sizeof(*root));
	FUZZ_CHECK(root != NULL);
	config_schema_defaults(&config_schema, root);
	memset(err, 'X', sizeof(err));
	r = config_schema_parse(&config_schema, root, "fuzz.conf", (const char *)data, size, err,
	                        sizeof(err));
	if (r < 0) {
		check_err(err, sizeof(err));
		check_no_secret((const char *)data, size, err);
	}
	config_schema_free(&config_schema, root);
	free(root);
	free(text);
	return 0;
}
