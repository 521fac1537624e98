/* arena.c: a list of blocks; large requests get a block of their own. */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define ARENA_BLOCK_BYTES (16u * 1024u) /* bytes per ordinary block */

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	if (size > SIZE_MAX - align)
		size = SIZE_MAX - align; /* xmalloc will fail loudly below */
	size = (size + align - 1) & ~(align - 1);
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t bytes = size > ARENA_BLOCK_BYTES ? size : ARENA_BLOCK_BYTES;
		if (bytes > SIZE_MAX - sizeof(*b))
			bytes = SIZE_MAX - sizeof(*b);
		b = xmalloc(sizeof(*b) + bytes);
		b->size = bytes;
		b->used = 0;
		/* A big one-off block goes behind the head so the head keeps its space. */
		if (a->head && size > ARENA_BLOCK_BYTES) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += size;
	a->used_bytes += size;
	memset(p, 0, size);
	return p;
}

void *arena_array(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return arena_alloc(a, SIZE_MAX); /* aborts with the size */
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = arena_alloc(a, len + 1);
	memcpy(d, s, len);
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, SIZE_MAX);
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used_bytes = 0;
}
