/*
 * trail_fetch.c — `ansim trail fetch`.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_trail_fetch(int argc, char **argv, const struct global_opts *g)
{
    (void)argc;
    (void)argv;
    (void)g;
    fprintf(stderr, "ansim: trail fetch: not built yet\n");
    return EXIT_RUNTIME;
}
