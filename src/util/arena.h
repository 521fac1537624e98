/* arena.h: bump allocation for data that lives and dies together.
 * The fact table and the engine's indexes are built once and freed at once, so
 * they take their memory from an arena: one owner, one free, no per-node leaks. */
#ifndef SCOBOT_UTIL_ARENA_H
#define SCOBOT_UTIL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used_bytes;   /* handed out, for memory reports */
};

#define ARENA_INIT {0}

/* Zeroed, aligned for any type. Aborts on OOM like xmalloc. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_array(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

#endif
