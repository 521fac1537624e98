/* seen.c: the seen-id ring; owns only its array and never grows it. */
#include "discord/seen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct seen {
	char ids[SEEN_RING_SIZE][SEEN_ID_MAX];
	unsigned head;
};

struct seen *seen_new(void)
{
	return xcalloc(1, sizeof(struct seen));
}

void seen_free(struct seen *s)
{
	free(s);
}

bool seen_check_and_add(struct seen *s, const char *id)
{
	if (!id || !*id)
		return false;
	for (unsigned i = 0; i < SEEN_RING_SIZE; i++)
		if (s->ids[i][0] && strcmp(s->ids[i], id) == 0)
			return true;
	snprintf(s->ids[s->head], SEEN_ID_MAX, "%s", id);
	s->head = (s->head + 1) % SEEN_RING_SIZE;
	return false;
}
