/*
 * trail_verify.c — `ansim trail verify`.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_trail_verify(int argc, char **argv, const struct global_opts *g)
{
    (void)argc;
    (void)argv;
    (void)g;
    fprintf(stderr, "ansim: trail verify: not built yet\n");
    return EXIT_RUNTIME;
}
