/* conf-example.c: prints config/scobot.conf.example from the schema tables;
 * a build helper, not part of scobot. */
#include <stdio.h>

#include "daemon/config.h"

int main(void)
{
	config_write_example(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
