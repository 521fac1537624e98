/* sync.c: placeholder until the sync state machine lands (next commit). */
