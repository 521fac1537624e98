/* console.h: the local console, scobot's default front end. */
#ifndef SCOBOT_DAEMON_CONSOLE_H
#define SCOBOT_DAEMON_CONSOLE_H

#include <stdio.h>

#include "core/engine.h"

#define CONSOLE_MAX_LINE 4096 /* bytes per question; the rest of a longer line is dropped */

/* Reads questions from in, one per line, and writes answers to out until end of
 * input. A terminal gets a prompt; a pipe gets one answer per line of input,
 * each followed by an empty line. `lang` forces the answer language (LANG_NONE:
 * detect); `lang xx` changes it for the rest of the session. Returns 0. */
/* today: days since 1970-01-01, or CLOCK_TODAY_LIVE to read the clock for
 * each question. */
int console_run(const struct engine *e, const char *prefix, enum lang lang, int32_t today,
                FILE *in, FILE *out);

#endif
