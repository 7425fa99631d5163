/*
 * trail_fetch.c — `ansim trail fetch s3://BUCKET[/PREFIX] DIR [--since DATE] [--until DATE]`:
 * copy a trail bucket's log and digest objects, each with its S3 metadata in a sidecar
 * (src/trail/fetch.c does the work). The client is set up from the global options as
 * `collect` does (--profile, --region: where to look for the bucket first, --endpoint-url,
 * --max-concurrency), with the one permission only the trail commands have: s3:GetObject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../aws/aws.h"
#include "../trail/trail.h"
#include "cmd.h"

/* Parses the arguments; EXIT_OK to go on, else the exit code. */
static int parse_args(int argc, char **argv, const char **url, const char **dir, time_t *since, time_t *until)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        time_t *t = NULL;
        if ((v = opt_value(argc, argv, &i, "--since", &bad)))
            t = since;
        else if (!bad && (v = opt_value(argc, argv, &i, "--until", &bad)))
            t = until;
        if (bad)
            return EXIT_USAGE;
        if (t) {
            if (time_parse(v, t) != 0 || *t <= 0) {
                fprintf(stderr, "ansim trail fetch: \"%s\" is not a date (YYYY-MM-DD or RFC 3339)\n", v);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cmd_usage(stdout, "trail");
            return -1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ansim trail fetch: unknown option \"%s\" (see `ansim help trail`)\n", argv[i]);
            return EXIT_USAGE;
        } else if (!*url) {
            *url = argv[i];
        } else if (!*dir) {
            *dir = argv[i];
        } else {
            fprintf(stderr, "ansim trail fetch: unexpected argument \"%s\"\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!*url || !*dir) {
        fprintf(stderr, "usage: ansim trail fetch s3://BUCKET[/PREFIX] DIR [--since DATE] [--until DATE]\n");
        return EXIT_USAGE;
    }
    if (*since && *until && *until / 86400 < *since / 86400) {
        fprintf(stderr, "ansim trail fetch: --until is before --since\n");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_trail_fetch(int argc, char **argv, const struct global_opts *g)
{
    const char *url = NULL, *dir = NULL;
    time_t since = 0, until = 0;
    int rc = parse_args(argc, argv, &url, &dir, &since, &until);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char *bucket, *prefix;
    if (trail_s3_url(url, &bucket, &prefix)) {
        fprintf(stderr, "ansim trail fetch: \"%s\" is not s3://BUCKET[/PREFIX]\n", url);
        return EXIT_USAGE;
    }
    struct aws_client client;
    char *region;
    if (trail_client_open(g, &client, &region)) {
        free(bucket);
        free(prefix);
        return EXIT_RUNTIME;
    }
    struct trail_fetch_opts o = {bucket,
                                 prefix,
                                 dir,
                                 since,
                                 until,
                                 g->max_concurrency,
                                 isatty(STDERR_FILENO) && log_level >= 1,
                                 trail_fetch_failure,
                                 NULL};
    char err[ERRLEN] = "";
    struct trail_fetch_stats st;
    if (trail_fetch(&client, region, &o, &st, err, sizeof err)) {
        log_err("trail fetch: %s", err);
        rc = EXIT_RUNTIME;
    } else {
        printf("trail fetch: %llu objects: %llu fetched, %llu skipped, %llu failed, %llu bytes in %.2f s\n",
               (unsigned long long)st.objects, (unsigned long long)st.fetched, (unsigned long long)st.skipped,
               (unsigned long long)st.failed, (unsigned long long)st.bytes, st.seconds);
        rc = st.failed ? EXIT_RUNTIME : EXIT_OK;
    }
    free(region);
    free(bucket);
    free(prefix);
    trail_client_close(&client);
    return rc;
}
