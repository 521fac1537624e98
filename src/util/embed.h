/* embed.h: files compiled into the binary by the bin2c build tool. */
#ifndef SCOBOT_UTIL_EMBED_H
#define SCOBOT_UTIL_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name;  /* base name, e.g. "people.json" */
	const char *data;  /* NUL-terminated for convenience; len excludes it */
	size_t len;
};

#endif
