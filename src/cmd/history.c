/* history.c — `ansim history`: list past scans from the history database. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../history/history.h"
#include "cmd.h"

int cmd_history(int argc, char **argv, const struct global_opts *g)
{
    int bad = 0, json = 0;
    long limit = 20;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--format", &bad))) {
            if (strcmp(v, "json") && strcmp(v, "tty")) {
                fprintf(stderr, "ansim history: --format must be tty or json\n");
                return EXIT_USAGE;
            }
            json = strcmp(v, "json") == 0;
        } else if ((v = opt_value(argc, argv, &i, "--limit", &bad))) {
            char *end;
            limit = strtol(v, &end, 10);
            if (*end || limit < 0) {
                fprintf(stderr, "ansim history: --limit needs a number (0 = all)\n");
                return EXIT_USAGE;
            }
        } else if (!bad && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            cmd_usage(stdout, "history");
            return EXIT_OK;
        } else if (!bad) {
            fprintf(stderr, "ansim history: unknown argument \"%s\"\n", argv[i]);
            return EXIT_USAGE;
        }
        if (bad)
            return EXIT_USAGE;
    }
    if (g->no_db) {
        fprintf(stderr, "ansim history: --no-db keeps no history to list\n");
        return EXIT_USAGE;
    }
    char err[ERRLEN] = "";
    char *path = g->db_path ? xstrdup(g->db_path) : hist_default_path();
    if (!path) {
        log_err("no history database path: set XDG_DATA_HOME or HOME, or use --db PATH");
        return EXIT_RUNTIME;
    }
    if (access(path, F_OK) != 0) {
        /* Nothing scanned yet: an empty list, without creating a database. */
        if (json)
            puts("[]");
        else
            printf("%s (%s)\n", L(g->lang, "No scans recorded yet", "기록된 스캔이 없습니다"), path);
        free(path);
        return EXIT_OK;
    }
    sqlite3 *db = NULL;
    struct hist_scan *scans = NULL;
    size_t n = 0;
    int rc = EXIT_OK;
    if (hist_open(path, &db, err, sizeof err) || hist_list(db, (size_t)limit, &scans, &n, err, sizeof err)) {
        log_err("%s", err);
        rc = EXIT_RUNTIME;
    } else if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            struct hist_scan *h = &scans[i];
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o?}", "id", h->id, "started_at", h->started_at,
                                  "finished_at", h->finished_at, "source", h->source, "account_id",
                                  h->account_id, "regions", json_loads(h->regions, 0, NULL));
            json_t *sum = json_object();
            for (int s = 0; s < ST__COUNT; s++)
                json_object_set_new(sum, status_name((enum status)s), json_integer(h->n[s]));
            json_object_set_new(sum, "score", json_real(h->score));
            json_object_set_new(o, "summary", sum);
            json_array_append_new(arr, o);
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(arr);
    } else if (n == 0) {
        printf("%s (%s)\n", L(g->lang, "No scans recorded yet", "기록된 스캔이 없습니다"), path);
    } else {
        printf("%-32s  %-20s  %-8s  %-12s  %6s  %5s  %5s  %5s\n", "scan", "started_at", "source", "account",
               "score", "fail", "error", "pass");
        for (size_t i = 0; i < n; i++) {
            struct hist_scan *h = &scans[i];
            printf("%-32s  %-20s  %-8s  %-12s  %6.1f  %5lld  %5lld  %5lld\n", h->id, h->started_at, h->source,
                   h->account_id, h->score, h->n[ST_FAIL], h->n[ST_ERROR], h->n[ST_PASS]);
        }
    }
    hist_scans_free(scans, n);
    sqlite3_close(db);
    free(path);
    return rc;
}
