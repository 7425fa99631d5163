/*
 * trail_report.c — `ansim trail report`.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_trail_report(int argc, char **argv, const struct global_opts *g)
{
    (void)argc;
    (void)argv;
    (void)g;
    fprintf(stderr, "ansim: trail report: not built yet\n");
    return EXIT_RUNTIME;
}
