/* test-config.c: placeholder until written. */
#include "tap.h"
TAP_MAIN
