/* test_seen.c: the ring of seen ids. */
#include <stdio.h>

#include "discord/seen.h"
#include "tap.h"

TEST(seen_ring_detects_replays_and_forgets_old_ids)
{
	struct seen *s = seen_new();
	CHECK(!seen_check_and_add(s, "100"));
	CHECK(seen_check_and_add(s, "100"));
	char id[32];
	for (int i = 0; i < SEEN_RING_SIZE; i++) {
		snprintf(id, sizeof(id), "%d", 1000 + i);
		CHECK(!seen_check_and_add(s, id));
	}
	CHECK(!seen_check_and_add(s, "100"));  /* pushed out of the ring */
	seen_free(s);
}

TAP_MAIN
