/*
 * trail_hunt.c — `ansim trail hunt PATH`: the bundled detections and the user's Sigma rules
 * over CloudTrail log files, printed as they are found (in file order) as readable text, JSON
 * Lines or CSV. Exit 0 nothing found, 3 detections, 1 a file could not be read or the rules
 * could not be loaded, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../profile/profile.h"
#include "../trail/trail.h"
#include "cmd.h"

enum fmt { F_TTY, F_JSON, F_CSV };

struct opts {
    const char *path, *rules, *out, *pii;
    enum fmt fmt;
    int threads, list;
};

struct out {
    FILE *f;
    enum fmt fmt;
    enum lang lang;
    int color;
    const struct sigma_set *set;
    size_t errors;
};

static int parse(int argc, char **argv, struct opts *o)
{
    int bad = 0;
    const char *v;
    o->fmt = isatty(STDOUT_FILENO) ? F_TTY : F_JSON;
    for (int i = 1; i < argc && !bad; i++) {
        if ((v = opt_value(argc, argv, &i, "--rules", &bad))) {
            o->rules = v;
        } else if ((v = opt_value(argc, argv, &i, "--format", &bad))) {
            if (strcmp(v, "tty") == 0)
                o->fmt = F_TTY;
            else if (strcmp(v, "json") == 0)
                o->fmt = F_JSON;
            else if (strcmp(v, "csv") == 0)
                o->fmt = F_CSV;
            else {
                fprintf(stderr, "ansim: trail hunt: --format must be tty, json or csv\n");
                bad = 1;
            }
        } else if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
                   (v = opt_value(argc, argv, &i, "--output", &bad))) {
            o->out = v;
        } else if ((v = opt_value(argc, argv, &i, "--pii-buckets", &bad))) {
            o->pii = v;
        } else if ((v = opt_value(argc, argv, &i, "--threads", &bad))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || end == v || n < 1 || n > 64) {
                fprintf(stderr, "ansim: trail hunt: --threads takes a number from 1 to 64\n");
                bad = 1;
            }
            o->threads = (int)n;
        } else if (strcmp(argv[i], "--list-rules") == 0) {
            o->list = 1;
        } else if (bad) {
            break;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ansim: trail hunt: unknown option %s\n", argv[i]);
            bad = 1;
        } else if (o->path) {
            fprintf(stderr, "ansim: trail hunt: one PATH only\n");
            bad = 1;
        } else {
            o->path = argv[i];
        }
    }
    if (!bad && !o->path && !o->list) {
        fprintf(stderr, "usage: ansim trail hunt PATH [--rules DIR] [--format tty|json|csv] [-o FILE]\n"
                        "       [--pii-buckets NAME[,NAME...]] [--threads N] [--list-rules]\n");
        bad = 1;
    }
    return bad ? -1 : 0;
}

static const char *nz(const char *s) { return s ? s : ""; }

static void print_time(char *buf, size_t n, int64_t t) { time_format((time_t)t, buf, n); }

static void emit_json(struct out *o, const struct hunt_detection *d)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"rule_id\":");
    sb_json(&sb, d->info->id);
    sb_puts(&sb, ",\"title\":");
    sb_json(&sb, o->lang == LANG_KO ? d->info->title_ko : d->info->title);
    sb_puts(&sb, ",\"level\":");
    sb_json(&sb, d->info->level);
    if (d->corr) {
        char a[32], b[32];
        print_time(a, sizeof a, d->corr->window_start);
        print_time(b, sizeof b, d->corr->window_end);
        sb_puts(&sb, ",\"group\":");
        sb_json(&sb, d->corr->group);
        sb_printf(&sb, ",\"window_start\":\"%s\",\"window_end\":\"%s\",\"count\":%llu}\n", a, b,
                  (unsigned long long)d->corr->count);
    } else {
        const char *k[] = {"event_time", "event_name", "event_source", "principal",
                           "source_ip",  "region",     "file"};
        const char *v[] = {d->event_time, d->event_name, d->event_source, d->principal,
                           d->source_ip,  d->region,     d->file};
        for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
            sb_printf(&sb, ",\"%s\":", k[i]);
            sb_json(&sb, v[i]);
        }
        sb_printf(&sb, ",\"record\":%llu}\n", (unsigned long long)d->index);
    }
    fwrite(sb.buf, 1, sb.len, o->f);
    sb_free(&sb);
}

static void emit_csv(struct out *o, const struct hunt_detection *d)
{
    struct strbuf sb;
    sb_init(&sb);
    char a[32] = "", b[32] = "", idx[32] = "", cnt[32] = "";
    if (d->corr) {
        print_time(a, sizeof a, d->corr->window_start);
        print_time(b, sizeof b, d->corr->window_end);
        snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)d->corr->count);
    } else {
        snprintf(idx, sizeof idx, "%llu", (unsigned long long)d->index);
    }
    const char *v[] = {d->info->id,
                       d->info->level,
                       o->lang == LANG_KO ? d->info->title_ko : d->info->title,
                       d->event_time,
                       d->event_name,
                       d->event_source,
                       d->principal,
                       d->source_ip,
                       d->region,
                       d->file,
                       idx,
                       d->corr ? d->corr->group : NULL,
                       a,
                       b,
                       cnt};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        if (i)
            sb_putc(&sb, ',');
        sb_csv(&sb, nz(v[i]));
    }
    sb_putc(&sb, '\n');
    fwrite(sb.buf, 1, sb.len, o->f);
    sb_free(&sb);
}

static const char *level_color(const char *level)
{
    if (strcmp(level, "critical") == 0 || strcmp(level, "high") == 0)
        return "\033[1;31m";
    if (strcmp(level, "medium") == 0)
        return "\033[33m";
    return "\033[36m";
}

static void emit_tty(struct out *o, const struct hunt_detection *d)
{
    const char *c0 = o->color ? level_color(d->info->level) : "", *c1 = o->color ? "\033[0m" : "";
    fprintf(o->f, "%s[%s]%s %s  %s\n", c0, d->info->level, c1, d->info->id,
            o->lang == LANG_KO ? d->info->title_ko : d->info->title);
    if (d->corr) {
        char a[32], b[32];
        print_time(a, sizeof a, d->corr->window_start);
        print_time(b, sizeof b, d->corr->window_end);
        fprintf(o->f, "    %s: %llu  %s .. %s  %s\n", L(o->lang, "count", "횟수"),
                (unsigned long long)d->corr->count, a, b, d->corr->group);
        return;
    }
    fprintf(o->f, "    %s  %s (%s)  %s  %s %s  %s\n", nz(d->event_time), nz(d->event_name),
            nz(d->event_source), d->principal ? d->principal : "-", L(o->lang, "from", "출발지"),
            d->source_ip ? d->source_ip : "-", nz(d->region));
    fprintf(o->f, "    %s #%llu\n", d->file, (unsigned long long)d->index);
}

static void on_detection(void *ctx, const struct hunt_detection *d)
{
    struct out *o = ctx;
    if (o->fmt == F_JSON)
        emit_json(o, d);
    else if (o->fmt == F_CSV)
        emit_csv(o, d);
    else
        emit_tty(o, d);
}

static void on_file_error(void *ctx, const char *path, const char *err)
{
    struct out *o = ctx;
    o->errors++;
    fprintf(stderr, "ansim: trail hunt: %s\n", err[0] ? err : path);
    if (o->fmt == F_JSON) {
        struct strbuf sb;
        sb_init(&sb);
        sb_puts(&sb, "{\"error\":");
        sb_json(&sb, err);
        sb_puts(&sb, ",\"file\":");
        sb_json(&sb, path);
        sb_puts(&sb, "}\n");
        fwrite(sb.buf, 1, sb.len, o->f);
        sb_free(&sb);
    }
}

static void list_rules(const struct sigma_set *s, enum lang lang)
{
    for (size_t i = 0; i < sigma_count(s); i++) {
        const struct sigma_rule_info *r = sigma_info(s, i);
        printf("%-40s %-8s %s%s%s\n", r->id, r->level[0] ? r->level : "-",
               lang == LANG_KO ? r->title_ko : r->title,
               r->correlation ? L(lang, "  (correlation)", "  (상관 규칙)") : "",
               r->disabled ? L(lang, "  (disabled)", "  (비활성)") : "");
    }
}

static void summary(struct out *o, const struct hunt_stats *st)
{
    FILE *f = o->f;
    const struct sigma_set *s = o->set;
    fprintf(f, "\n%s\n", L(o->lang, "Detections per rule:", "규칙별 탐지 건수:"));
    size_t shown = 0;
    for (size_t i = 0; i < sigma_count(s); i++)
        if (st->per_rule[i]) {
            const struct sigma_rule_info *r = sigma_info(s, i);
            fprintf(f, "  %6llu  %-8s %-36s %s\n", (unsigned long long)st->per_rule[i], r->level, r->id,
                    o->lang == LANG_KO ? r->title_ko : r->title);
            shown++;
        }
    if (!shown)
        fprintf(f, "  %s\n", L(o->lang, "none", "없음"));
    fprintf(f, "%s: %llu  ·  %s %llu, %s %llu, %.1f MB, %.2f s\n", L(o->lang, "Total", "합계"),
            (unsigned long long)st->detections, L(o->lang, "files", "파일"),
            (unsigned long long)st->scan.files, L(o->lang, "records", "레코드"),
            (unsigned long long)st->scan.records, (double)st->scan.bytes_out / 1e6, st->scan.seconds);
}

static void notices(const struct sigma_set *s, const struct opts *o)
{
    for (size_t i = 0; sigma_notice(s, i); i++)
        log_warn("%s", sigma_notice(s, i));
    if (sigma_skipped(s))
        log_info("%zu rule(s) skipped: their logsource is not product aws / service cloudtrail",
                 sigma_skipped(s));
    if (!o->pii)
        log_info("no --pii-buckets given: object reads of every bucket count towards the bulk-read rule");
}

/* Output to -o FILE goes to a temporary file renamed over FILE at the end. */
static FILE *open_out(const struct opts *o, char **tmp)
{
    *tmp = NULL;
    if (!o->out)
        return stdout;
    *tmp = xasprintf("%s.tmp.XXXXXX", o->out);
    int fd = mkstemp(*tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "ansim: trail hunt: %s: %s\n", o->out, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

static int close_out(FILE *f, const struct opts *o, char *tmp)
{
    if (!tmp)
        return fflush(f) == 0 ? 0 : -1;
    int rc = fclose(f) == 0 && rename(tmp, o->out) == 0 ? 0 : -1;
    if (rc != 0) {
        fprintf(stderr, "ansim: trail hunt: %s: %s\n", o->out, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

static int run(const struct opts *o, const struct global_opts *g, struct sigma_set *set)
{
    char err[1024];
    struct trail_files files = {NULL, 0};
    if (trail_files_list(o->path, &files, err, sizeof err) != 0) {
        fprintf(stderr, "ansim: trail hunt: %s\n", err);
        return EXIT_RUNTIME;
    }
    char *tmp;
    FILE *f = open_out(o, &tmp);
    if (!f) {
        trail_files_free(&files);
        return EXIT_RUNTIME;
    }
    struct out out = {f, o->fmt, g->lang, o->fmt == F_TTY && !o->out && isatty(STDOUT_FILENO), set, 0};
    if (o->fmt == F_CSV)
        fputs("rule_id,level,title,event_time,event_name,event_source,principal,source_ip,region,file,record,"
              "group,window_start,window_end,count\n",
              f);
    struct hunt_opts ho = {o->threads, isatty(STDERR_FILENO) && log_level >= 1, &out, on_detection,
                           on_file_error};
    struct hunt_stats st;
    int rc = hunt_run(set, &files, &ho, &st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "ansim: trail hunt: %s\n", err);
    else if (o->fmt == F_TTY)
        summary(&out, &st);
    log_debug("trail hunt: %llu records, %llu rule tests after the index",
              (unsigned long long)st.scan.records, (unsigned long long)st.tested);
    int wrote = close_out(f, o, tmp);
    trail_files_free(&files);
    uint64_t found = st.detections;
    free(st.per_rule);
    if (rc != 0 || wrote != 0 || st.scan.failed_files)
        return EXIT_RUNTIME;
    return found ? EXIT_FINDINGS : EXIT_OK;
}

int cmd_trail_hunt(int argc, char **argv, const struct global_opts *g)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    if (parse(argc, argv, &o) != 0)
        return EXIT_USAGE;
    const struct profile_param *cidrs = g->org ? profile_get(g->org, "separated_cidrs") : NULL;
    char err[1024];
    struct sigma_set *set = hunt_rules_load(o.rules, cidrs ? cidrs->value : NULL, o.pii, err, sizeof err);
    if (!set) {
        fprintf(stderr, "ansim: trail hunt: %s\n", err);
        return EXIT_RUNTIME;
    }
    int rc = EXIT_OK;
    if (o.list) {
        list_rules(set, g->lang);
    } else {
        notices(set, &o);
        rc = run(&o, g, set);
    }
    sigma_set_free(set);
    return rc;
}
