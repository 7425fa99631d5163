/*
 * trail.c — `ansim trail fetch|verify|hunt|report`: CloudTrail log files as audit evidence.
 * Each subcommand lives in its own file (trail_fetch.c, trail_verify.c, trail_hunt.c,
 * trail_report.c); this one only dispatches.
 */
#include <string.h>

#include "cmd.h"

int cmd_trail(int argc, char **argv, const struct global_opts *g)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **, const struct global_opts *);
    } sub[] = {
        {"fetch", cmd_trail_fetch},
        {"verify", cmd_trail_verify},
        {"hunt", cmd_trail_hunt},
        {"report", cmd_trail_report},
    };
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        cmd_usage(stdout, "trail");
        return EXIT_OK;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof sub / sizeof *sub; i++)
        if (strcmp(argv[1], sub[i].name) == 0)
            return sub[i].fn(argc - 1, argv + 1, g);
    fprintf(stderr, "usage: ansim trail fetch|verify|hunt|report ...   (see `ansim help trail`)\n");
    return EXIT_USAGE;
}
