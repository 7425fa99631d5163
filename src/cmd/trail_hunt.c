/*
 * trail_hunt.c — `ansim trail hunt`.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_trail_hunt(int argc, char **argv, const struct global_opts *g)
{
    (void)argc;
    (void)argv;
    (void)g;
    fprintf(stderr, "ansim: trail hunt: not built yet\n");
    return EXIT_RUNTIME;
}
