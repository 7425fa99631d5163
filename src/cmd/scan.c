/*
 * scan.c — `ansim scan`: load the catalogue and a snapshot, evaluate, write every
 * requested report (each file atomically), store the scan in the history database, and
 * exit 3 when a failed finding reaches --fail-on.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../history/history.h"
#include "../inventory/inventory.h"
#include "../report/report.h"
#include "cmd.h"

struct output {
    enum report_format format;
    int has_format;
    const char *path; /* NULL = stdout */
};

struct scan_opts {
    const char *snapshot;
    struct output outs[16];
    size_t nouts;
    const char *framework;
    char **control_ids;
    size_t ncontrol_ids;
    char *dirs[16];
    size_t ndirs;
    enum severity fail_on;
    int color;                     /* -1 auto */
    const char *workspaces_prices; /* --workspaces-prices FILE (else $ANSIM_WORKSPACES_PRICES) */
};

/* Infer a format from an output file's extension; tty when unknown. */
static enum report_format format_from_path(const char *p)
{
    const char *dot = strrchr(p, '.');
    enum report_format f;
    if (dot && strcmp(dot, ".htm") == 0)
        return FMT_HTML;
    if (dot && report_format_parse(dot + 1, &f) == 0)
        return f;
    if (dot && strcmp(dot, ".txt") == 0)
        return FMT_TTY;
    return FMT_TTY;
}

static void split_ids(struct scan_opts *o, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!*t)
            continue;
        o->control_ids = xrealloc(o->control_ids, (o->ncontrol_ids + 1) * sizeof *o->control_ids);
        o->control_ids[o->ncontrol_ids++] = xstrdup(t);
    }
    free(copy);
}

static int parse_args(int argc, char **argv, struct scan_opts *o)
{
    int bad = 0;
    o->fail_on = SEV_LOW;
    o->color = -1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--snapshot", &bad))) {
            o->snapshot = v;
        } else if ((v = opt_value(argc, argv, &i, "--format", &bad))) {
            enum report_format f;
            if (report_format_parse(v, &f)) {
                fprintf(stderr, "ansim scan: unknown --format \"%s\" (tty, json, html, sarif, csv)\n", v);
                return -1;
            }
            if (o->nouts == 16) {
                fprintf(stderr, "ansim scan: at most 16 outputs\n");
                return -1;
            }
            o->outs[o->nouts++] = (struct output){f, 1, NULL};
        } else if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
                   (v = opt_value(argc, argv, &i, "--output", &bad))) {
            /* -o pairs with the latest --format that has no file yet */
            if (o->nouts && o->outs[o->nouts - 1].has_format && !o->outs[o->nouts - 1].path) {
                o->outs[o->nouts - 1].path = v;
            } else if (o->nouts < 16) {
                o->outs[o->nouts++] = (struct output){format_from_path(v), 0, v};
            }
        } else if ((v = opt_value(argc, argv, &i, "--framework", &bad))) {
            o->framework = v;
        } else if ((v = opt_value(argc, argv, &i, "--control", &bad))) {
            split_ids(o, v);
        } else if ((v = opt_value(argc, argv, &i, "--controls", &bad))) {
            if (o->ndirs < 16)
                o->dirs[o->ndirs++] = (char *)v;
        } else if ((v = opt_value(argc, argv, &i, "--fail-on", &bad))) {
            if (severity_parse(v, &o->fail_on)) {
                fprintf(stderr, "ansim scan: --fail-on must be critical, high, medium, low or info\n");
                return -1;
            }
        } else if ((v = opt_value(argc, argv, &i, "--workspaces-prices", &bad))) {
            o->workspaces_prices = v;
        } else if (!bad && strcmp(argv[i], "--no-color") == 0) {
            o->color = 0;
        } else if (!bad && strcmp(argv[i], "--color") == 0) {
            o->color = 1;
        } else if (!bad && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            cmd_usage(stdout, "scan");
            exit(EXIT_OK);
        } else if (!bad) {
            fprintf(stderr, "ansim scan: unknown argument \"%s\" (see `ansim help scan`)\n", argv[i]);
            return -1;
        }
        if (bad)
            return -1;
    }
    /* spec/cli.md: tty is the default on a terminal; a pipe or file gets JSON for programs */
    if (o->nouts == 0)
        o->outs[o->nouts++] = (struct output){isatty(STDOUT_FILENO) ? FMT_TTY : FMT_JSON, 0, NULL};
    size_t to_stdout = 0;
    for (size_t i = 0; i < o->nouts; i++)
        to_stdout += o->outs[i].path == NULL || strcmp(o->outs[i].path, "-") == 0;
    if (to_stdout > 1) {
        fprintf(stderr, "ansim scan: only one report can go to standard output; give the others -o FILE\n");
        return -1;
    }
    return 0;
}

static void now_rfc3339(char *buf, size_t len) { time_format(time(NULL), buf, len); }

static int fails_at(const struct scan_result *res, enum severity fail_on)
{
    for (int s = 0; s <= (int)fail_on && s < SEV__COUNT; s++)
        if (res->by_severity[s].n[ST_FAIL])
            return 1;
    return 0;
}

static int write_outputs(const struct scan_opts *o, const struct report_ctx *base)
{
    char err[ERRLEN] = "";
    for (size_t i = 0; i < o->nouts; i++) {
        const struct output *out = &o->outs[i];
        int is_stdout = !out->path || strcmp(out->path, "-") == 0;
        struct report_ctx ctx = *base;
        ctx.color = out->format == FMT_TTY && is_stdout &&
                    (o->color == 1 || (o->color == -1 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR")));
        struct strbuf sb;
        sb_init(&sb);
        if (report_render(out->format, &ctx, &sb, err, sizeof err)) {
            log_err("%s", err);
            sb_free(&sb);
            return -1;
        }
        int rc = 0;
        if (is_stdout) {
            rc = fwrite(sb.buf, 1, sb.len, stdout) == sb.len && fflush(stdout) == 0 ? 0 : -1;
            if (rc)
                log_err("cannot write the report to standard output");
        } else {
            rc = file_write_atomic(out->path, sb.buf, sb.len, err, sizeof err);
            if (rc)
                log_err("%s", err);
            else
                log_debug("wrote %s report to %s", report_format_name(out->format), out->path);
        }
        sb_free(&sb);
        if (rc)
            return -1;
    }
    return 0;
}

static void free_opts(struct scan_opts *o)
{
    for (size_t i = 0; i < o->ncontrol_ids; i++)
        free(o->control_ids[i]);
    free(o->control_ids);
}

int cmd_scan(int argc, char **argv, const struct global_opts *g)
{
    struct scan_opts o = {0};
    char err[ERRLEN] = "";
    if (parse_args(argc, argv, &o)) {
        free_opts(&o);
        return EXIT_USAGE;
    }
    struct catalogue cat;
    if (load_catalogue(&cat, o.dirs, o.ndirs)) {
        free_opts(&o);
        return EXIT_RUNTIME;
    }
    struct selection sel = {o.framework, o.control_ids, o.ncontrol_ids};
    if (eval_check_selection(&cat, &sel, err, sizeof err)) {
        fprintf(stderr, "ansim scan: %s\n", err);
        cat_free(&cat);
        free_opts(&o);
        return EXIT_USAGE;
    }

    struct scan_result res;
    memset(&res, 0, sizeof res);
    random_id(res.meta.id);
    now_rfc3339(res.meta.started_at, sizeof res.meta.started_at);
    res.meta.source = xstrdup(o.snapshot ? "snapshot" : "live");
    res.meta.snapshot_path = o.snapshot ? xstrdup(o.snapshot) : NULL;

    struct inventory *inv = NULL;
    int rc = EXIT_RUNTIME;
    double t0 = mono();
    if (inv_open(&inv, err, sizeof err)) {
        log_err("%s", err);
        goto out;
    }
    inv_set_profile(inv, g->org);
    /* before a live collection, so that a bad price file fails fast */
    const char *prices = o.workspaces_prices ? o.workspaces_prices : getenv("ANSIM_WORKSPACES_PRICES");
    if (prices && *prices && inv_load_workspaces_prices(inv, prices, err, sizeof err)) {
        log_err("%s", err);
        goto out;
    }
    if (inventory_fill(inv, g, &cat, o.snapshot))
        goto out;
    double t1 = mono();
    log_debug("load %.3f s: %zu resources from %s", t1 - t0, inv_resource_count(inv),
              o.snapshot ? o.snapshot : "live collection");
    if (eval_run(&cat, inv, &sel, &res, err, sizeof err)) {
        log_err("%s", err);
        goto out;
    }
    double t2 = mono();
    log_debug("evaluate %.3f s: %zu controls, %zu findings", t2 - t1, res.ncontrols, res.nfindings);
    now_rfc3339(res.meta.finished_at, sizeof res.meta.finished_at);

    struct report_ctx ctx = {&res, &cat, g->lang, 0};
    if (write_outputs(&o, &ctx))
        goto out;
    log_debug("report %.3f s", mono() - t2);

    if (!g->no_db) {
        char *path = g->db_path ? xstrdup(g->db_path) : hist_default_path();
        sqlite3 *db = NULL;
        if (!path) {
            log_err("no history database path: set XDG_DATA_HOME or HOME, or use --db PATH / --no-db");
            goto out;
        }
        int hrc = hist_open(path, &db, err, sizeof err) || hist_store(db, &res, err, sizeof err);
        sqlite3_close(db);
        free(path);
        if (hrc) {
            log_err("%s", err);
            goto out;
        }
    }
    rc = fails_at(&res, o.fail_on) ? EXIT_FINDINGS : EXIT_OK;
out:
    inv_close(inv);
    scan_result_free(&res);
    cat_free(&cat);
    free_opts(&o);
    return rc;
}
