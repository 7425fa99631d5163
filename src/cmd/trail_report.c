/*
 * trail_report.c — `ansim trail report PATH --kind access-review|permission-history`: the
 * monthly access-record review (제8조) and the access-right grant/change/revoke history
 * (제5조③) from CloudTrail log files, as HTML, CSV or JSON. The report lists flags for the
 * reviewer; it does not judge, so it exits 0 when it ran, 1 when it could not run or a file
 * could not be read to its end (the report is still written and names the file), 2 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../profile/profile.h"
#include "../trail/trail.h"
#include "cmd.h"

struct report_args {
    const char *path, *out, *month, *tz, *since, *until, *work_hours, *threshold;
    int kind, format; /* -1: not given */
};

static int usage_err(const char *msg, const char *arg)
{
    fprintf(stderr, "ansim trail report: %s%s%s%s (see `ansim help trail`)\n", msg, arg ? " \"" : "",
            arg ? arg : "", arg ? "\"" : "");
    return -1;
}

static int parse_kind_format(struct report_args *a, const char *kind, const char *format)
{
    if (kind) {
        if (strcmp(kind, "access-review") == 0)
            a->kind = TRAIL_REPORT_ACCESS_REVIEW;
        else if (strcmp(kind, "permission-history") == 0)
            a->kind = TRAIL_REPORT_PERMISSION_HISTORY;
        else
            return usage_err("--kind must be access-review or permission-history, not", kind);
    }
    if (format) {
        if (strcmp(format, "html") == 0)
            a->format = TRAIL_REPORT_HTML;
        else if (strcmp(format, "csv") == 0)
            a->format = TRAIL_REPORT_CSV;
        else if (strcmp(format, "json") == 0)
            a->format = TRAIL_REPORT_JSON;
        else
            return usage_err("--format must be html, csv or json, not", format);
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct report_args *a, struct trail_report_opts *o)
{
    int bad = 0;
    const char *kind = NULL, *format = NULL, *v;
    a->kind = a->format = -1;
    for (int i = 1; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "--kind", &bad)))
            kind = v;
        else if ((v = opt_value(argc, argv, &i, "--format", &bad)))
            format = v;
        else if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
                 (v = opt_value(argc, argv, &i, "--output", &bad)))
            a->out = v;
        else if ((v = opt_value(argc, argv, &i, "--month", &bad)))
            a->month = v;
        else if ((v = opt_value(argc, argv, &i, "--tz", &bad)))
            a->tz = v;
        else if ((v = opt_value(argc, argv, &i, "--since", &bad)))
            a->since = v;
        else if ((v = opt_value(argc, argv, &i, "--until", &bad)))
            a->until = v;
        else if ((v = opt_value(argc, argv, &i, "--pii-buckets", &bad)))
            o->pii_buckets = v;
        else if ((v = opt_value(argc, argv, &i, "--download-threshold", &bad)))
            a->threshold = v;
        else if ((v = opt_value(argc, argv, &i, "--work-hours", &bad)))
            a->work_hours = v;
        else if (!bad && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            cmd_usage(stdout, "trail");
            exit(EXIT_OK);
        } else if (!bad && argv[i][0] == '-' && argv[i][1])
            return usage_err("unknown option", argv[i]);
        else if (!bad && a->path)
            return usage_err("one PATH only; extra argument", argv[i]);
        else if (!bad)
            a->path = argv[i];
        if (bad)
            return -1;
    }
    if (parse_kind_format(a, kind, format))
        return -1;
    if (!a->path)
        return usage_err("PATH (a log file or directory) is required", NULL);
    if (a->kind < 0)
        return usage_err("--kind access-review|permission-history is required", NULL);
    return 0;
}

/* "+HH:MM" / "-HH:MM" / "+HH" -> minutes east of UTC. */
static int parse_tz(const char *s, int *out)
{
    int h = 0, m = 0, n = 0;
    if ((s[0] != '+' && s[0] != '-') || sscanf(s + 1, "%2d%n", &h, &n) != 1 || n != 2)
        return -1;
    const char *p = s + 3;
    if (*p == ':' && sscanf(p + 1, "%2d%n", &m, &n) == 1 && n == 2)
        p += 3;
    if (*p || h > 14 || m > 59)
        return -1;
    *out = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return 0;
}

/* A date (local midnight in tz; end_of_day: the next midnight) or a full timestamp. */
static int parse_when(const char *s, int tz, int end_of_day, int64_t *out)
{
    int y, mo, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10 && !s[10] && mo >= 1 && mo <= 12 &&
        d >= 1 && d <= 31) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d + (end_of_day ? 1 : 0)};
        *out = (int64_t)timegm(&tm) - (int64_t)tz * 60;
        return 0;
    }
    time_t t;
    if (time_parse(s, &t) != 0)
        return -1;
    *out = (int64_t)t;
    return 0;
}

static int parse_month(const char *s, int *y, int *m)
{
    int n = 0;
    if (sscanf(s, "%4d-%2d%n", y, m, &n) != 2 || n != 7 || s[7] || *m < 1 || *m > 12 || *y < 1970)
        return -1;
    return 0;
}

/* The previous calendar month in local time. */
static void previous_month(int64_t now, int tz, int *y, int *m)
{
    time_t lt = (time_t)(now + (int64_t)tz * 60);
    struct tm tm;
    gmtime_r(&lt, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon; /* 0-based this month = 1-based previous month */
    if (*m == 0) {
        *m = 12;
        (*y)--;
    }
}

static int parse_numbers(const struct report_args *a, struct trail_report_opts *o)
{
    if (a->threshold) {
        char *end;
        long n = strtol(a->threshold, &end, 10);
        if (*end || end == a->threshold || n < 0 || n > 1000000000)
            return usage_err("--download-threshold must be a whole number, not", a->threshold);
        o->download_threshold = (unsigned)n;
    }
    if (a->work_hours) {
        int s, e, n = 0;
        if (sscanf(a->work_hours, "%2d-%2d%n", &s, &e, &n) != 2 || a->work_hours[n] || s < 0 || e > 24 ||
            s >= e)
            return usage_err("--work-hours must be HH-HH (start before end, 0-24), not", a->work_hours);
        o->work_start = s;
        o->work_end = e;
    }
    if (a->tz && parse_tz(a->tz, &o->tz_minutes))
        return usage_err("--tz must be +HH:MM or -HH:MM, not", a->tz);
    if (a->month && parse_month(a->month, &o->year, &o->month))
        return usage_err("--month must be YYYY-MM, not", a->month);
    if (!a->month)
        previous_month(o->now, o->tz_minutes, &o->year, &o->month);
    if (a->since && parse_when(a->since, o->tz_minutes, 0, &o->since))
        return usage_err("--since must be a date (YYYY-MM-DD) or a timestamp, not", a->since);
    if (a->until && parse_when(a->until, o->tz_minutes, 1, &o->until))
        return usage_err("--until must be a date (YYYY-MM-DD) or a timestamp, not", a->until);
    return 0;
}

static int format_from_out(const char *out)
{
    const char *dot = out ? strrchr(out, '.') : NULL;
    if (dot && strcmp(dot, ".csv") == 0)
        return TRAIL_REPORT_CSV;
    if (dot && strcmp(dot, ".json") == 0)
        return TRAIL_REPORT_JSON;
    return out ? TRAIL_REPORT_HTML : TRAIL_REPORT_JSON;
}

static void org_retention(const struct global_opts *g, struct trail_report_opts *o)
{
    const struct profile_param *reg = g->org ? profile_get(g->org, "regulation") : NULL;
    const struct profile_param *days = g->org ? profile_get(g->org, "permission_record_days") : NULL;
    o->regulation = reg && reg->value ? reg->value : "pipa-2023";
    o->permission_record_days = days && days->value ? atol(days->value) : 1095;
}

static int write_out(const char *path, const char *data, size_t len)
{
    char err[ERRLEN];
    if (!path) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            log_err("trail report: cannot write the report to stdout");
            return -1;
        }
        return 0;
    }
    if (file_write_atomic(path, data, len, err, sizeof err) != 0) {
        log_err("trail report: %s", err);
        return -1;
    }
    return 0;
}

int cmd_trail_report(int argc, char **argv, const struct global_opts *g)
{
    struct report_args a = {0};
    struct trail_report_opts o = {
        .tz_minutes = 540, .download_threshold = 100, .work_start = 8, .work_end = 20};
    o.now = (int64_t)time(NULL);
    if (parse_args(argc, argv, &a, &o) || parse_numbers(&a, &o))
        return EXIT_USAGE;
    o.kind = a.kind;
    o.format = a.format >= 0 ? a.format : format_from_out(a.out);
    o.progress = isatty(STDERR_FILENO) && log_level > 0;
    org_retention(g, &o);
    char err[ERRLEN];
    struct trail_files files;
    if (trail_files_list(a.path, &files, err, sizeof err) != 0) {
        log_err("trail report: %s", err);
        return EXIT_RUNTIME;
    }
    if (files.n == 0) {
        log_err("trail report: no CloudTrail log files under %s", a.path);
        trail_files_free(&files);
        return EXIT_RUNTIME;
    }
    char *text = NULL;
    size_t len = 0;
    struct trail_report_stats st;
    int rc = trail_report_build(&files, &o, &text, &len, &st, err, sizeof err);
    trail_files_free(&files);
    if (rc != 0) {
        log_err("trail report: %s", err);
        return EXIT_RUNTIME;
    }
    rc = write_out(a.out, text, len) ? EXIT_RUNTIME : EXIT_OK;
    free(text);
    if (st.failed_files) {
        for (char *line = strtok(st.failed, "\n"); line; line = strtok(NULL, "\n"))
            log_err("trail report: %s", line);
        log_err("trail report: %llu of %llu files could not be read to the end; the report is incomplete",
                (unsigned long long)st.failed_files, (unsigned long long)st.files);
        rc = EXIT_RUNTIME;
    }
    free(st.failed);
    log_info("trail report: %llu files, %llu records, %llu rows", (unsigned long long)st.files,
             (unsigned long long)st.records, (unsigned long long)st.rows);
    return rc;
}
