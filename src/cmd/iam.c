/*
 * iam.c — `ansim iam eval FILE|-`: evaluate requests given entirely in a JSON file (one
 * request object or a list of them) with the IAM engine, no account needed. Prints one JSON
 * object per request, in order: {"decision", "reason", "matched"}. A request that cannot be
 * evaluated (a malformed policy, no action) prints {"error": "..."} in its place; the exit
 * code is then 1. A file that is not JSON (or nests deeper than jansson's 2,048 levels, or
 * holds bad UTF-8 or \u0000) prints nothing and one error line. Errors are always one line
 * of valid UTF-8, whatever names from the input they quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <unistd.h>

#include "../controls/controls.h"
#include "../iam/iam.h"
#include "../inventory/inventory.h"
#include "../util/util.h"
#include "../profile/profile.h"
#include "cmd.h"

/* Make an error message fit on one line of valid UTF-8, in place: it may quote names from
 * the input (control characters) and be cut mid-character by a fixed-size buffer (which
 * jansson would refuse to put in a JSON string). Control characters become spaces, bytes
 * that do not form a character become '?'. */
static void one_line(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        size_t len = c < 0x80                 ? 1
                     : c >= 0xc2 && c <= 0xdf ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
        /* the second byte's range rules out overlong forms, surrogates and > U+10FFFF */
        unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        int ok = len > 0 && (len == 1 || (p[1] >= lo && p[1] <= hi));
        for (size_t i = 2; ok && i < len; i++)
            ok = p[i] >= 0x80 && p[i] <= 0xbf;
        if (!ok) {
            *p++ = '?';
            continue;
        }
        if (len == 1 && (c < 0x20 || c == 0x7f))
            *p = ' ';
        p += len;
    }
}

static json_t *evaluate(const json_t *q)
{
    char err[512] = "";
    struct iam_loaded *l = iam_request_load(q, err, sizeof err);
    struct iam_result res;
    json_t *out;
    if (!l || iam_evaluate(iam_loaded_request(l), &res, err, sizeof err)) {
        one_line(err);
        out = json_pack("{s:s}", "error", err);
    } else
        out = json_pack("{s:s, s:s, s:o}", "decision", iam_decision_name(res.decision), "reason", res.reason,
                        "matched", res.matched);
    iam_loaded_free(l);
    return out;
}

static int iam_eval(const char *path)
{
    json_error_t je;
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        log_err("%s: is a directory, not a JSON file", path);
        return EXIT_RUNTIME;
    }
    json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
    if (!doc) { /* malformed JSON, too deep, \u0000, bad UTF-8, a number out of range */
        char why[JSON_ERROR_TEXT_LENGTH + 64], msg[1024];
        enum json_error_code code = json_error_code(&je);
        if (code == json_error_stack_overflow)
            snprintf(why, sizeof why, "JSON nested deeper than %d levels", JSON_PARSER_MAX_DEPTH);
        else if (code == json_error_null_character)
            snprintf(why, sizeof why, "a string holds \\u0000 (NUL), which is not accepted");
        else if (code == json_error_numeric_overflow)
            snprintf(why, sizeof why, "%s (numbers must fit in a 64-bit integer or a double)", je.text);
        else
            snprintf(why, sizeof why, "%s", je.text);
        if (code == json_error_cannot_open_file) /* "unable to open PATH: REASON" */
            snprintf(msg, sizeof msg, "%s", je.text);
        else
            snprintf(msg, sizeof msg, "%s:%d:%d: %s", strcmp(path, "-") == 0 ? "<stdin>" : path, je.line,
                     je.column, why);
        one_line(msg);
        log_err("%s", msg);
        return EXIT_RUNTIME;
    }
    size_t n = json_is_array(doc) ? json_array_size(doc) : 1;
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        json_t *res = evaluate(json_is_array(doc) ? json_array_get(doc, i) : doc);
        char *line = res ? json_dumps(res, JSON_COMPACT) : NULL;
        if (!line) { /* never a missing line: the output stays one line per request */
            json_decref(res);
            res = json_pack("{s:s}", "error", "the result cannot be written as JSON");
            line = json_dumps(res, JSON_COMPACT);
        }
        if (json_object_get(res, "error")) {
            log_err("request %zu: %s", i, json_string_value(json_object_get(res, "error")));
            rc = EXIT_RUNTIME;
        }
        if (line)
            puts(line);
        free(line);
        json_decref(res);
    }
    json_decref(doc);
    if (fflush(stdout) != 0) {
        log_err("cannot write to standard output");
        rc = EXIT_RUNTIME;
    }
    return rc;
}

/* ---- account questions: can, who-can, scope ---- */

struct acct_opts {
    const char *snapshot, *format, *pii;
    int all;
    json_t *context; /* --context KEY=VALUE, repeated keys make a list */
    const char *pos[3];
    size_t npos;
    const char **named; /* --resource ARN, repeated */
    size_t nnamed;
};

static void free_acct_opts(struct acct_opts *o)
{
    json_decref(o->context);
    free(o->named);
}

static int parse_acct_opts(int argc, char **argv, const char *cmd, struct acct_opts *o)
{
    memset(o, 0, sizeof *o);
    o->context = json_object();
    for (int i = 2; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--snapshot", &bad))) {
            o->snapshot = v;
        } else if ((v = opt_value(argc, argv, &i, "--format", &bad))) {
            if (strcmp(v, "json") != 0 && strcmp(v, "tty") != 0 && strcmp(v, "html") != 0) {
                fprintf(stderr, "ansim iam %s: --format must be tty, json or html\n", cmd);
                return -1;
            }
            o->format = v;
        } else if ((v = opt_value(argc, argv, &i, "--pii-tag", &bad))) {
            if (!strchr(v, '=') || v[0] == '=') {
                fprintf(stderr, "ansim iam %s: --pii-tag wants KEY=VALUE\n", cmd);
                return -1;
            }
            o->pii = v;
        } else if ((v = opt_value(argc, argv, &i, "--resource", &bad))) {
            o->named = xrealloc(o->named, (o->nnamed + 1) * sizeof *o->named);
            o->named[o->nnamed++] = v;
        } else if ((v = opt_value(argc, argv, &i, "--context", &bad))) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr, "ansim iam %s: --context wants KEY=VALUE, got \"%s\"\n", cmd, v);
                return -1;
            }
            char *k = xstrndup(v, (size_t)(eq - v));
            json_t *prev = json_object_get(o->context, k);
            if (!prev) {
                json_object_set_new(o->context, k, json_string(eq + 1));
            } else {
                if (!json_is_array(prev)) {
                    json_t *list = json_pack("[O]", prev);
                    json_object_set_new(o->context, k, list);
                    prev = list;
                }
                json_array_append_new(prev, json_string(eq + 1));
            }
            free(k);
        } else if (bad) {
            return -1;
        } else if (strcmp(argv[i], "--all") == 0) {
            o->all = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ansim iam %s: unknown option %s\n", cmd, argv[i]);
            return -1;
        } else if (o->npos < 3) {
            o->pos[o->npos++] = argv[i];
        } else {
            fprintf(stderr, "ansim iam %s: too many arguments\n", cmd);
            return -1;
        }
    }
    return 0;
}

/* The inventory from --snapshot or a live collection. NULL after printing the error. */
static struct inventory *load_inventory(const struct global_opts *g, const char *snapshot)
{
    char err[ERRLEN];
    struct inventory *inv = NULL;
    if (inv_open(&inv, err, sizeof err)) {
        log_err("%s", err);
        return NULL;
    }
    inv_set_profile(inv, g->org);
    int rc;
    struct catalogue cat;
    if (snapshot) {
        rc = inventory_fill(inv, g, NULL, snapshot);
    } else if ((rc = load_catalogue(&cat, NULL, 0)) == 0) { /* live: read what the controls need */
        rc = inventory_fill(inv, g, &cat, NULL);
        cat_free(&cat);
    }
    if (rc) {
        inv_close(inv);
        return NULL;
    }
    return inv;
}

static void warn_problems(const struct iam_account *a);

/* The inventory and its IAM model, problems warned about; NULL after printing the error
 * (*inv is then freed and NULL). */
static struct iam_account *open_account(const struct global_opts *g, const char *snapshot,
                                        struct inventory **inv)
{
    char err[ERRLEN];
    *inv = load_inventory(g, snapshot);
    struct iam_account *a = *inv ? inv_iam_account(*inv, err, sizeof err) : NULL;
    if (*inv && !a) {
        log_err("%s", err);
        inv_close(*inv);
        *inv = NULL;
    }
    if (a)
        warn_problems(a);
    return a;
}

/* Warn about what the model could not use: answers may miss permissions. */
static void warn_problems(const struct iam_account *a)
{
    const json_t *p = iam_account_problems(a);
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)p, i, x)
    {
        if (i == 5) {
            log_warn("... and %zu more problems in the account's IAM data", json_array_size(p) - 5);
            break;
        }
        log_warn("%s", json_string_value(x));
    }
}

static int use_json(const struct acct_opts *o)
{
    return o->format ? strcmp(o->format, "json") == 0 : !isatty(STDOUT_FILENO);
}

static void print_list(const char *label, const json_t *list, const char *sep)
{
    if (!json_array_size(list))
        return;
    printf("%s", label);
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)list, i, x) printf("%s%s", i ? sep : "", json_string_value(x));
    printf("\n");
}

static int iam_can(int argc, char **argv, const struct global_opts *g)
{
    struct acct_opts o;
    if (parse_acct_opts(argc, argv, "can", &o) || o.npos != 3) {
        if (o.npos != 3)
            fprintf(stderr,
                    "usage: ansim iam can PRINCIPAL_ARN ACTION RESOURCE_ARN [--context KEY=VALUE ...] "
                    "[--snapshot FILE] [--format tty|json]\n");
        free_acct_opts(&o);
        return EXIT_USAGE;
    }
    int rc = EXIT_RUNTIME;
    char err[ERRLEN];
    struct inventory *inv;
    struct iam_account *a = open_account(g, o.snapshot, &inv);
    struct iam_result res;
    if (a) {
        if (iam_account_can(a, o.pos[0], o.pos[1], o.pos[2], o.context, &res, err, sizeof err)) {
            log_err("%s", err);
        } else {
            if (use_json(&o)) {
                json_t *out =
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o}", "principal", o.pos[0], "action",
                              o.pos[1], "resource", o.pos[2], "decision", iam_decision_name(res.decision),
                              "reason", res.reason, "matched", res.matched, "conditions",
                              res.conditions ? json_incref(res.conditions) : json_array());
                char *line = json_dumps(out, JSON_COMPACT);
                puts(line);
                free(line);
                json_decref(out);
            } else {
                printf("%s: %s\n", iam_decision_name(res.decision), res.reason);
                print_list("  only when: ", res.conditions, " and ");
                print_list("  decided by: ", res.matched, "; ");
            }
            json_decref(res.matched);
            json_decref(res.conditions);
            rc = EXIT_OK;
        }
    }
    inv_close(inv);
    free_acct_opts(&o);
    return rc;
}

static int iam_who_can(int argc, char **argv, const struct global_opts *g)
{
    struct acct_opts o;
    if (parse_acct_opts(argc, argv, "who-can", &o) || o.npos != 2) {
        if (o.npos != 2)
            fprintf(stderr, "usage: ansim iam who-can ACTION RESOURCE_ARN [--all] [--context KEY=VALUE ...] "
                            "[--snapshot FILE] [--format tty|json]\n");
        free_acct_opts(&o);
        return EXIT_USAGE;
    }
    int rc = EXIT_RUNTIME;
    char err[ERRLEN];
    struct inventory *inv;
    struct iam_account *a = open_account(g, o.snapshot, &inv);
    if (a) {
        double t0 = mono();
        json_t *w = iam_account_who_can(a, o.pos[0], o.pos[1], o.all, o.context, err, sizeof err);
        log_debug("who-can: %zu principals in %.1f ms", iam_account_principal_count(a), (mono() - t0) * 1000);
        if (!w) {
            log_err("%s", err);
        } else if (use_json(&o)) {
            char *line = json_dumps(w, JSON_COMPACT);
            puts(line);
            free(line);
            rc = EXIT_OK;
        } else {
            json_t *list = json_object_get(w, "principals");
            printf("who can %s on %s: %zu principal%s\n", o.pos[0], o.pos[1], json_array_size(list),
                   json_array_size(list) == 1 ? "" : "s");
            size_t i;
            json_t *e;
            json_array_foreach(list, i, e)
            {
                printf("  %-11s %s\n", json_string_value(json_object_get(e, "decision")),
                       json_string_value(json_object_get(e, "arn")));
                print_list("              via: ", json_object_get(e, "via"), " <- ");
                print_list("              only when: ", json_object_get(e, "conditions"), " and ");
            }
            rc = EXIT_OK;
        }
        json_decref(w);
    }
    inv_close(inv);
    free_acct_opts(&o);
    return rc;
}

static const char *ability_cell(const json_t *ab)
{
    const char *d = json_string_value(json_object_get(ab, "decision"));
    if (!d || strcmp(d, "none") == 0)
        return "-";
    int conf = json_is_true(json_object_get(ab, "confined"));
    return strcmp(d, "allow") == 0 ? "yes" : conf ? "confined" : "conditional";
}

static void scope_tty(const json_t *s, enum lang lang)
{
    json_t *sum = json_object_get(s, "summary");
    long long nres = json_integer_value(json_object_get(sum, "resources"));
    if (lang == LANG_KO)
        printf("망분리 대상 (개인정보: 태그 %s, 리소스 %lld개)\n",
               json_string_value(json_object_get(s, "pii_tag")), nres);
    else
        printf("network-separation scope (personal data: tag %s; %lld resource%s)\n",
               json_string_value(json_object_get(s, "pii_tag")), nres, nres == 1 ? "" : "s");
    if (lang == LANG_KO) /* Hangul is two columns wide: padded by hand */
        printf("다운로드    파기        권한설정    망제한    주체\n");
    else
        printf("%-11s %-11s %-11s %-9s %s\n", "DOWNLOAD", "DESTROY", "GRANT", "CONFINED", "PRINCIPAL");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(s, "principals"), i, e)
    {
        printf("%-11s %-11s %-11s %-9s %s\n", ability_cell(json_object_get(e, "download")),
               ability_cell(json_object_get(e, "destroy")), ability_cell(json_object_get(e, "grant")),
               json_is_true(json_object_get(e, "confined")) ? "yes" : "NO",
               json_string_value(json_object_get(e, "arn")));
    }
    long long in = json_integer_value(json_object_get(sum, "in_scope"));
    long long un = json_integer_value(json_object_get(sum, "unconfined"));
    if (lang == LANG_KO)
        printf("대상 주체 %lld개, 분리된 망으로 제한되지 않은 주체 %lld개\n", in, un);
    else
        printf("%lld principal%s in scope, %lld not confined to the separated network\n", in,
               in == 1 ? "" : "s", un);
}

static void html_list(struct strbuf *sb, const json_t *list)
{
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)list, i, x)
    {
        sb_puts(sb, i ? "<br>" : "");
        sb_html(sb, json_string_value(x));
    }
}

static void scope_html(const json_t *s)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(
        &sb,
        "<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>ansim: 망분리 대상 / "
        "network-separation scope</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
        "collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:90%}"
        ".no{background:#fdd}.yes{background:#dfd}</style></head><body>");
    sb_puts(&sb,
            "<h1>망분리 대상자 / Network-separation scope</h1><p>개인정보 태그 / personal-data tag: <code>");
    sb_html(&sb, json_string_value(json_object_get(s, "pii_tag")));
    sb_puts(&sb, "</code></p><h2>개인정보 리소스 / Resources</h2><ul>");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(s, "resources"), i, e)
    {
        sb_puts(&sb, "<li><code>");
        sb_html(&sb, json_string_value(json_object_get(e, "arn")));
        sb_puts(&sb, "</code> (");
        sb_html(&sb, json_string_value(json_object_get(e, "why")));
        sb_puts(&sb, ")</li>");
    }
    sb_puts(&sb,
            "</ul><h2>주체 / Principals</h2><table><tr><th>주체 / principal</th><th>망 제한 / confined</th>"
            "<th>다운로드 / download</th><th>파기 / destroy</th><th>권한 설정 / grant</th></tr>");
    json_array_foreach(json_object_get(s, "principals"), i, e)
    {
        int conf = json_is_true(json_object_get(e, "confined"));
        sb_printf(&sb, "<tr class=\"%s\"><td><code>", conf ? "yes" : "no");
        sb_html(&sb, json_string_value(json_object_get(e, "arn")));
        sb_printf(&sb, "</code></td><td>%s</td>", conf ? "예 / yes" : "아니오 / NO");
        static const char *const cls[] = {"download", "destroy", "grant"};
        for (int k = 0; k < 3; k++) {
            json_t *ab = json_object_get(e, cls[k]);
            sb_puts(&sb, "<td>");
            sb_html(&sb, ability_cell(ab));
            if (json_array_size(json_object_get(ab, "actions"))) {
                sb_puts(&sb, "<details><summary>actions</summary>");
                html_list(&sb, json_object_get(ab, "actions"));
                sb_puts(&sb, "</details>");
            }
            if (json_array_size(json_object_get(ab, "conditions"))) {
                sb_puts(&sb, "<br><small>only when: ");
                html_list(&sb, json_object_get(ab, "conditions"));
                sb_puts(&sb, "</small>");
            }
            if (json_array_size(json_object_get(ab, "via"))) {
                sb_puts(&sb, "<br><small>via: ");
                html_list(&sb, json_object_get(ab, "via"));
                sb_puts(&sb, "</small>");
            }
            sb_puts(&sb, "</td>");
        }
        sb_puts(&sb, "</tr>");
    }
    sb_puts(&sb, "</table></body></html>\n");
    fputs(sb.buf ? sb.buf : "", stdout);
    sb_free(&sb);
}

/* A one-line progress display on a terminal (scope can take a while on large accounts). */
static void scope_progress(size_t done, size_t total, const char *what, void *arg)
{
    (void)arg;
    if (!what) {
        fprintf(stderr, "\r\033[K");
        return;
    }
    fprintf(stderr, "\r\033[Kscope: %zu/%zu %.*s", done + 1, total, 100, what);
    fflush(stderr);
}

static int iam_scope(int argc, char **argv, const struct global_opts *g)
{
    struct acct_opts o;
    if (parse_acct_opts(argc, argv, "scope", &o) || o.npos != 0) {
        if (o.npos)
            fprintf(stderr,
                    "usage: ansim iam scope [--pii-tag KEY=VALUE] [--resource ARN ...] [--snapshot FILE] "
                    "[--format tty|json|html]\n");
        free_acct_opts(&o);
        return EXIT_USAGE;
    }
    /* --pii-tag, else the organisation profile's tag (default ansim:pii=true) */
    char *key = o.pii    ? xstrdup(o.pii)
                : g->org ? xasprintf("%s=%s", g->org->pii_key, g->org->pii_value)
                         : xstrdup("ansim:pii=true");
    char *value = strchr(key, '=');
    *value++ = '\0';
    int rc = EXIT_RUNTIME;
    char err[ERRLEN];
    struct inventory *inv;
    struct iam_account *a = open_account(g, o.snapshot, &inv);
    if (a) {
        double t0 = mono();
        json_t *s = iam_account_scope_progress(
            a, key, value, o.named, o.nnamed, isatty(STDERR_FILENO) && log_level >= 1 ? scope_progress : NULL,
            NULL, err, sizeof err);
        log_debug("scope: %.1f ms", (mono() - t0) * 1000);
        if (!s) {
            log_err("%s", err);
        } else {
            if (json_integer_value(json_object_get(json_object_get(s, "summary"), "resources")) == 0)
                log_warn(
                    "no resource carries the tag %s=%s and none was named with --resource: nothing is in "
                    "scope",
                    key, value);
            if (o.format && strcmp(o.format, "html") == 0) {
                scope_html(s);
            } else if (use_json(&o)) {
                char *line = json_dumps(s, JSON_COMPACT);
                puts(line);
                free(line);
            } else {
                scope_tty(s, g->lang);
            }
            rc = EXIT_OK;
        }
        json_decref(s);
    }
    inv_close(inv);
    free(key);
    free_acct_opts(&o);
    return rc;
}

int cmd_iam(int argc, char **argv, const struct global_opts *g)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        cmd_usage(stdout, "iam");
        return EXIT_OK;
    }
    if (argc == 3 && strcmp(argv[1], "eval") == 0)
        return iam_eval(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "can") == 0)
        return iam_can(argc, argv, g);
    if (argc >= 2 && strcmp(argv[1], "who-can") == 0)
        return iam_who_can(argc, argv, g);
    if (argc >= 2 && strcmp(argv[1], "scope") == 0)
        return iam_scope(argc, argv, g);
    fprintf(stderr, "usage: ansim iam eval|can|who-can|scope ...   (see `ansim help iam`)\n");
    return EXIT_USAGE;
}
