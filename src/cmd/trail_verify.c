/*
 * trail_verify.c — `ansim trail verify PATH [--public-keys DIR] [--format tty|json] [-o FILE]`:
 * proves a copied CloudTrail bucket was not altered (the digest chain; src/trail/verify.c)
 * and prints what was found. Exit 0 all valid, 3 any problem, 1 could not run, 2 usage.
 */
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../aws/aws.h"
#include "../trail/trail.h"
#include "cmd.h"

struct verify_args {
    const char *path, *keys_dir, *format, *out;
    const char *cache; /* s3://: where the copy goes and stays (else a temporary directory) */
    const char *shown; /* the path as given, when path is the copy of an s3:// one */
    time_t since, until;
};

static int date_arg(const char *v, time_t *t)
{
    if (time_parse(v, t) == 0 && *t > 0)
        return 0;
    fprintf(stderr, "ansim trail verify: \"%s\" is not a date (YYYY-MM-DD or RFC 3339)\n", v);
    return -1;
}

static int parse(int argc, char **argv, struct verify_args *a)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--public-keys", &bad)))
            a->keys_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--format", &bad)))
            a->format = v;
        else if ((v = opt_value(argc, argv, &i, "--cache", &bad)))
            a->cache = v;
        else if ((v = opt_value(argc, argv, &i, "--since", &bad))) {
            if (date_arg(v, &a->since))
                return -1;
        } else if ((v = opt_value(argc, argv, &i, "--until", &bad))) {
            if (date_arg(v, &a->until))
                return -1;
        } else if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
                   (v = opt_value(argc, argv, &i, "--output", &bad)))
            a->out = v;
        else if (!bad && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            cmd_usage(stdout, "trail");
            exit(EXIT_OK);
        } else if (!bad && argv[i][0] != '-' && !a->path)
            a->path = argv[i];
        else if (!bad) {
            fprintf(stderr, "ansim trail verify: unexpected argument \"%s\" (see `ansim help trail`)\n",
                    argv[i]);
            return -1;
        }
        if (bad)
            return -1;
    }
    if (!a->path) {
        fprintf(stderr, "usage: ansim trail verify PATH [--public-keys DIR] [--format tty|json] [-o FILE]\n");
        return -1;
    }
    /* like scan: an explicit --format wins, else -o FILE.json means json, else tty on a
     * terminal and json for a pipe or a file */
    if (!a->format)
        a->format =
            a->out ? (strlen(a->out) > 5 && !strcmp(a->out + strlen(a->out) - 5, ".json") ? "json" : "tty")
                   : (isatty(STDOUT_FILENO) ? "tty" : "json");
    if (strcmp(a->format, "tty") && strcmp(a->format, "json")) {
        fprintf(stderr, "ansim trail verify: unknown --format \"%s\" (tty, json)\n", a->format);
        return -1;
    }
    return 0;
}

static const char *kind_text(const char *kind, enum lang lang)
{
    static const struct {
        const char *kind, *en, *ko;
    } t[] = {
        {"log_invalid", "log file altered or injected", "로그 파일 변조 또는 삽입"},
        {"log_missing", "log file missing", "로그 파일 없음"},
        {"digest_invalid", "digest file invalid", "다이제스트 파일 검증 실패"},
        {"digest_missing", "digest file missing", "다이제스트 파일 없음"},
        {"chain_gap", "digest chain broken", "다이제스트 체인 끊김"},
        {"unknown_key", "signed by an unknown key", "알 수 없는 키로 서명됨"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(kind, t[i].kind) == 0)
            return L(lang, t[i].en, t[i].ko);
    return kind;
}

static void render_tty(struct strbuf *sb, const char *path, const struct trail_verify_result *r,
                       enum lang lang)
{
    sb_printf(sb, "%s %s\n\n", L(lang, "CloudTrail digest chain:", "CloudTrail 다이제스트 체인:"), path);
    sb_printf(sb,
              L(lang, "  digest files  %zu valid, %zu invalid, %zu missing\n",
                "  다이제스트 파일  유효 %zu, 무효 %zu, 없음 %zu\n"),
              r->digests_valid, r->digests_invalid, r->digests_missing);
    sb_printf(sb,
              L(lang, "  log files     %zu valid, %zu invalid, %zu missing\n",
                "  로그 파일        유효 %zu, 무효 %zu, 없음 %zu\n"),
              r->logs_valid, r->logs_invalid, r->logs_missing);
    if (r->nproblems == 0) {
        sb_printf(sb, "\n%s\n",
                  L(lang, "All digests and log files are intact (no forgery or tampering found).",
                    "모든 다이제스트와 로그 파일이 온전합니다 (위·변조 없음)."));
        return;
    }
    sb_printf(sb, "\n%s (%zu)\n", L(lang, "Problems", "문제"), r->nproblems);
    for (size_t i = 0; i < r->nproblems; i++)
        sb_printf(sb, "  [%s] %s\n      %s\n      %s\n", r->problems[i].kind,
                  kind_text(r->problems[i].kind, lang), r->problems[i].path, r->problems[i].detail);
}

static int emit(const struct verify_args *a, const struct trail_verify_result *r, enum lang lang)
{
    struct strbuf sb;
    sb_init(&sb);
    if (strcmp(a->format, "json") == 0) {
        json_t *j = trail_verify_json(r);
        char *s = json_dumps(j, JSON_INDENT(2));
        sb_puts(&sb, s ? s : "{}");
        sb_putc(&sb, '\n');
        free(s);
        json_decref(j);
    } else
        render_tty(&sb, a->shown ? a->shown : a->path, r, lang);
    int rc = 0;
    char err[ERRLEN];
    if (a->out && strcmp(a->out, "-")) {
        if (file_write_atomic(a->out, sb.buf, sb.len, err, sizeof err)) {
            log_err("%s", err);
            rc = -1;
        }
    } else if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len || fflush(stdout)) {
        log_err("cannot write to standard output");
        rc = -1;
    }
    sb_free(&sb);
    return rc;
}

static int verify_dir(const struct verify_args *a, const struct global_opts *g);

/* ---- s3://BUCKET[/PREFIX]: copy, fetch the keys, verify the copy ---- */

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* cloudtrail:ListPublicKeys in every home region of the copied digests, for the span of their
 * times (AWS rotates keys; awscli asks for the span plus two hours). 0, or -1 after printing
 * the error. */
static int fetch_keys(const struct aws_client *c, const char *copy, const char *keys)
{
    char **regions, err[ERRLEN];
    size_t n;
    time_t first, last;
    if (trail_digest_homes(copy, &regions, &n, &first, &last, err, sizeof err)) {
        log_err("trail verify: %s", err);
        return -1;
    }
    int rc = 0;
    if (n == 0) {
        log_err("trail verify: no digest file was copied (is log file validation enabled on the trail?)");
        rc = -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t saved = 0;
        if (rc == 0 && trail_fetch_public_keys(c, regions[i], first - 3600, last + 7200, keys, &saved, err,
                                               sizeof err)) {
            log_err("trail verify: %s (or give the keys with --public-keys DIR)", err);
            rc = -1;
        } else if (rc == 0)
            log_info("trail verify: %zu public keys of %s", saved, regions[i]);
        free(regions[i]);
    }
    free(regions);
    return rc;
}

static int verify_s3(struct verify_args *a, const struct global_opts *g)
{
    char *bucket, *prefix;
    if (trail_s3_url(a->path, &bucket, &prefix)) {
        fprintf(stderr, "ansim trail verify: \"%s\" is not s3://BUCKET[/PREFIX]\n", a->path);
        return EXIT_USAGE;
    }
    struct aws_client client;
    char *region;
    if (trail_client_open(g, &client, &region)) {
        free(bucket);
        free(prefix);
        return EXIT_RUNTIME;
    }
    const char *tmp = getenv("TMPDIR");
    char *copy =
        a->cache ? xstrdup(a->cache) : xasprintf("%s/ansim-trail-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *keys = xasprintf("%s/ansim-keys-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int rc = EXIT_RUNTIME, made_copy = 0, made_keys = 0;
    if (!a->cache && !(made_copy = mkdtemp(copy) != NULL))
        log_err("trail verify: cannot make a temporary directory: %s", strerror(errno));
    else {
        struct trail_fetch_opts o = {bucket,
                                     prefix,
                                     copy,
                                     a->since,
                                     a->until,
                                     g->max_concurrency,
                                     isatty(STDERR_FILENO) && log_level >= 1,
                                     trail_fetch_failure,
                                     NULL};
        struct trail_fetch_stats st;
        char err[ERRLEN] = "";
        if (trail_fetch(&client, region, &o, &st, err, sizeof err))
            log_err("trail verify: %s", err);
        else if (st.failed)
            log_err("trail verify: %llu objects could not be copied; nothing was verified",
                    (unsigned long long)st.failed);
        else if (!a->keys_dir && !(made_keys = mkdtemp(keys) != NULL))
            log_err("trail verify: cannot make a temporary directory: %s", strerror(errno));
        else if (a->keys_dir || fetch_keys(&client, copy, keys) == 0) {
            struct verify_args local = *a;
            local.keys_dir = a->keys_dir ? a->keys_dir : keys;
            local.path = copy;
            local.shown = a->path;
            rc = verify_dir(&local, g);
        }
    }
    if (made_keys)
        rm_tree(keys);
    if (made_copy)
        rm_tree(copy);
    free(keys);
    free(copy);
    free(region);
    free(bucket);
    free(prefix);
    trail_client_close(&client);
    return rc;
}

int cmd_trail_verify(int argc, char **argv, const struct global_opts *g)
{
    struct verify_args a = {0};
    if (parse(argc, argv, &a))
        return EXIT_USAGE;
    if (strncmp(a.path, "s3://", 5) == 0)
        return verify_s3(&a, g);
    if (!a.keys_dir) {
        fprintf(stderr,
                "ansim trail verify: a local PATH needs --public-keys DIR (files <fingerprint>.der or .pem, "
                "from cloudtrail:ListPublicKeys)\n");
        return EXIT_USAGE;
    }
    return verify_dir(&a, g);
}

static int verify_dir(const struct verify_args *a, const struct global_opts *g)
{
    struct trail_verify_opts o = {.keys_dir = a->keys_dir, .threads = 2, .progress = isatty(STDERR_FILENO)};
    struct trail_verify_result r;
    char err[ERRLEN];
    if (trail_verify(a->path, &o, &r, err, sizeof err)) {
        log_err("trail verify: %s", err);
        return EXIT_RUNTIME;
    }
    int rc = emit(a, &r, g->lang) ? EXIT_RUNTIME : r.nproblems ? EXIT_FINDINGS : EXIT_OK;
    trail_verify_result_free(&r);
    return rc;
}
