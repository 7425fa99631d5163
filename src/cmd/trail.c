/*
 * trail.c — `ansim trail fetch|verify|hunt|report`: CloudTrail log files as audit evidence.
 * Each subcommand lives in its own file (trail_fetch.c, trail_verify.c, trail_hunt.c,
 * trail_report.c); this one only dispatches.
 */
#include <stdlib.h>
#include <string.h>

#include "../aws/aws.h"
#include "cmd.h"

int trail_s3_url(const char *url, char **bucket, char **prefix)
{
    if (strncmp(url, "s3://", 5) != 0)
        return -1;
    const char *b = url + 5;
    size_t n = strcspn(b, "/");
    if (n < 3 || n > 63 || strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") < n)
        return -1;
    const char *p = b + n;
    while (*p == '/')
        p++;
    size_t plen = strlen(p);
    while (plen && p[plen - 1] == '/')
        plen--;
    *bucket = xstrndup(b, n);
    *prefix = xstrndup(p, plen);
    return 0;
}

int trail_client_open(const struct global_opts *g, struct aws_client *c, char **region)
{
    memset(c, 0, sizeof *c);
    char err[ERRLEN] = "";
    c->endpoint_url = g->endpoint_url;
    if (aws_client_init(c, g->profile, err, sizeof err)) {
        log_err("%s", err);
        aws_client_free(c);
        return -1;
    }
    c->meter = aws_meter_new();
    c->read_trail_objects = 1; /* the trail commands copy the trail's objects: s3:GetObject */
    char *home = aws_region_find(g->profile);
    *region = xstrdup(g->regions ? g->regions : home ? home : "us-east-1");
    free(home);
    (*region)[strcspn(*region, ",")] = '\0';
    return 0;
}

void trail_client_close(struct aws_client *c)
{
    aws_meter_free(c->meter);
    aws_client_free(c);
    aws_http_thread_done();
}

void trail_fetch_failure(void *arg, const char *key, const char *why)
{
    (void)arg;
    log_err("trail fetch: %s: %s", key, why);
}

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
