/*
 * baseline.c — `ansim baseline`: the reference architectures as code (src/baseline).
 *
 *   ansim baseline --model standard|shared|network-separation|account
 *                  [--format cloudformation|terraform|cli] [-o DIR]
 *                  [--snapshot FILE | --live] [--set NAME=VALUE ...] [--list]
 *
 * Without a snapshot or --live: greenfield, the whole model. With one: gap mode — the scan
 * runs first and only what fails is generated. Parameter defaults come from the
 * organisation profile, the global --regions, then --set. ansim applies nothing: it writes
 * files (or one file to stdout) for a person to review.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../baseline/baseline.h"
#include "../controls/controls.h"
#include "../iam/iam.h"
#include "../inventory/inventory.h"
#include "../profile/profile.h"
#include "../util/util.h"
#include "cmd.h"

struct bl_opts {
    int model, format;
    const char *out, *snapshot;
    int live, list;
    const char **sets;
    size_t nsets;
    const char **exclude; /* --exclude-principal ARN: left out of the guardrails */
    size_t nexclude;
};

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "ansim baseline: %s%s\n", msg, arg ? arg : "");
    fprintf(stderr, "usage: ansim baseline --model standard|shared|network-separation|account "
                    "[--format cloudformation|terraform|cli] [-o DIR] [--snapshot FILE | --live] "
                    "[--set NAME=VALUE ...]\n");
    return -1;
}

static int parse_args(int argc, char **argv, struct bl_opts *o)
{
    memset(o, 0, sizeof *o);
    o->model = -1;
    o->format = BL_CLI;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--model", &bad))) {
            if ((o->model = bl_model_parse(v)) < 0)
                return usage_error("--model must be standard, shared, network-separation or account, not ",
                                   v);
        } else if ((v = opt_value(argc, argv, &i, "--format", &bad))) {
            if ((o->format = bl_format_parse(v)) < 0)
                return usage_error("--format must be cloudformation, terraform or cli, not ", v);
        } else if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
                   (v = opt_value(argc, argv, &i, "--output", &bad))) {
            o->out = v;
        } else if ((v = opt_value(argc, argv, &i, "--snapshot", &bad))) {
            o->snapshot = v;
        } else if ((v = opt_value(argc, argv, &i, "--set", &bad))) {
            o->sets = xrealloc(o->sets, (o->nsets + 1) * sizeof *o->sets);
            o->sets[o->nsets++] = v;
        } else if ((v = opt_value(argc, argv, &i, "--exclude-principal", &bad))) {
            o->exclude = xrealloc(o->exclude, (o->nexclude + 1) * sizeof *o->exclude);
            o->exclude[o->nexclude++] = v;
        } else if (bad) {
            return -1;
        } else if (strcmp(argv[i], "--live") == 0) {
            o->live = 1;
        } else if (strcmp(argv[i], "--list") == 0) {
            o->list = 1;
        } else {
            return usage_error("unknown argument ", argv[i]);
        }
    }
    if (o->model < 0)
        return usage_error("--model is required", NULL);
    if (o->snapshot && o->live)
        return usage_error("--snapshot and --live are two sources: give one", NULL);
    return 0;
}

/* A region name is inserted into provider blocks and identifiers: letters, digits, '-'. */
static int region_ok(const char *r)
{
    if (!*r || strlen(r) > 32)
        return 0;
    for (const char *c = r; *c; c++)
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
            return 0;
    return 1;
}

static int add_regions(struct bl_plan *p, const char *list)
{
    if (!list)
        return 0;
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ", ");
        if (n) {
            char *r = xstrndup(s, n);
            if (!region_ok(r)) {
                fprintf(stderr, "ansim baseline: \"%s\" is not a region name\n", r);
                free(r);
                return -1;
            }
            int dup = 0;
            for (size_t i = 0; i < p->nregions; i++)
                dup |= strcmp(p->regions[i], r) == 0;
            if (dup) {
                free(r);
            } else {
                p->regions = xrealloc(p->regions, (p->nregions + 1) * sizeof *p->regions);
                p->regions[p->nregions++] = r;
            }
        }
        s += n;
        while (*s == ',' || *s == ' ')
            s++;
    }
    return 0;
}

/* One parameter value from the profile (a text or a list) or --set (a text; lists
 * comma-separated): checked against the parameter's type, stored as text or JSON array text.
 * 0, or -1 after printing the error naming origin. */
static int apply_value(struct bl_values *v, const char *name, const json_t *val, const char *origin)
{
    const struct bl_param *prm = NULL;
    for (size_t k = 0; k < bl_nparams && !prm; k++)
        if (strcmp(bl_params[k].tf, name) == 0)
            prm = &bl_params[k];
    if (!prm) {
        fprintf(stderr, "ansim baseline: %s: %s: no such parameter (see `ansim help baseline`)\n", origin,
                name);
        return -1;
    }
    if (strcmp(prm->type, "list") == 0) {
        json_t *arr = json_is_array(val) ? json_incref((json_t *)val) : json_array();
        for (const char *s = json_is_string(val) ? json_string_value(val) : ""; *s;) { /* a,b,c */
            size_t n = strcspn(s, ",");
            char *item = xstrndup(s, n);
            if (*item)
                json_array_append_new(arr, json_string(item));
            free(item);
            s += n + (s[n] == ',');
        }
        char *text = json_dumps(arr, JSON_COMPACT);
        bl_values_set(v, name, text);
        free(text);
        json_decref(arr);
        return 0;
    }
    const char *s = json_string_value(val);
    if (!s) {
        fprintf(stderr, "ansim baseline: %s: %s: must be one value, not a list\n", origin, name);
        return -1;
    }
    if (strcmp(prm->type, "number") == 0 && !bl_whole_number(s)) {
        fprintf(stderr, "ansim baseline: %s: %s: \"%s\" is not a whole number\n", origin, name, s);
        return -1;
    }
    bl_values_set(v, name, s);
    return 0;
}

/* Defaults: built-in, then the profile, then --set. */
static int set_values(struct bl_plan *p, const struct global_opts *g, const struct bl_opts *o)
{
    struct bl_values *v = &p->values;
    bl_values_set(v, "vpc_cidr", "10.20.0.0/16");
    bl_values_set(v, "public_subnet_cidr", "10.20.0.0/24");
    bl_values_set(v, "firewall_subnet_cidr", "10.20.1.0/24");
    bl_values_set(v, "private_subnet_a_cidr", "10.20.10.0/24");
    bl_values_set(v, "private_subnet_b_cidr", "10.20.11.0/24");
    bl_values_set(v, "security_vpc_cidr", "10.0.0.0/16");
    bl_values_set(v, "allowed_update_domains",
                  "[\".windowsupdate.com\",\".update.microsoft.com\",\".delivery.mp.microsoft.com\"]");
    bl_values_set(v, "idp_name", "corporate-idp");
    bl_values_set(v, "monthly_budget_usd", "100");
    bl_values_set(v, "allowed_countries", "[\"KR\"]");
    const struct profile *prof = g->org;
    struct profile dflt;
    profile_init(&dflt);
    if (!prof)
        prof = &dflt;
    /* audit logs are kept for the longer of the access-record and permission-record periods */
    const struct profile_param *a = profile_get(prof, "access_record_days"),
                               *r = profile_get(prof, "permission_record_days");
    long days = 1095;
    if (a && atol(a->value) > days)
        days = atol(a->value);
    if (r && atol(r->value) > days)
        days = atol(r->value);
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", days);
    bl_values_set(v, "log_retention_days", buf);
    /* profile parameters that are baseline parameters of the same name */
    static const char *const from_profile[] = {"separated_cidrs", "separated_vpcs", "pii_tag_key",
                                               "pii_tag_value"};
    for (size_t i = 0; i < sizeof from_profile / sizeof from_profile[0]; i++) {
        const struct profile_param *pp = profile_get(prof, from_profile[i]);
        if (pp && pp->value && *pp->value && strcmp(pp->value, "[]") != 0)
            bl_values_set(v, from_profile[i], pp->value);
    }
    /* the profile's baseline: section, then --set (later wins) */
    json_t *from = prof->baseline ? json_loads(prof->baseline, 0, NULL) : NULL;
    const char *k;
    json_t *val;
    int rc = 0;
    json_object_foreach(from, k, val) if (!rc) rc =
        apply_value(v, k, val, prof->source ? prof->source : "profile");
    json_decref(from);
    profile_free(&dflt);
    for (size_t i = 0; i < o->nsets && !rc; i++) {
        const char *eq = strchr(o->sets[i], '=');
        if (!eq) {
            fprintf(stderr, "ansim baseline: --set %s: wants NAME=VALUE\n", o->sets[i]);
            return -1;
        }
        char *name = xstrndup(o->sets[i], (size_t)(eq - o->sets[i]));
        json_t *one = json_string(eq + 1);
        rc = apply_value(v, name, one, "--set");
        json_decref(one);
        free(name);
    }
    if (rc)
        return -1;
    /* the regions list: --set regions, else the global --regions, else the scanned ones */
    const char *regs = bl_values_get(v, "regions");
    if (regs) {
        json_t *arr = json_loads(regs, 0, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e) if (add_regions(p, json_string_value(e)))
        {
            json_decref(arr);
            return -1;
        }
        json_decref(arr);
    } else if (g->regions && add_regions(p, g->regions)) {
        return -1;
    }
    return 0;
}

/* The scan a gap plan starts from: findings of every control. 0 or -1 after printing. */
static int scan_account(const struct global_opts *g, const struct bl_opts *o, struct catalogue *cat,
                        struct inventory **inv, struct scan_result *res)
{
    char err[ERRLEN];
    if (inv_open(inv, err, sizeof err)) {
        log_err("%s", err);
        return -1;
    }
    inv_set_profile(*inv, g->org);
    if (inventory_fill(*inv, g, cat, o->snapshot))
        return -1;
    struct selection sel = {NULL, NULL, 0};
    random_id(res->meta.id);
    time_format(time(NULL), res->meta.started_at, sizeof res->meta.started_at);
    if (eval_run(cat, *inv, &sel, res, err, sizeof err)) {
        log_err("%s", err);
        return -1;
    }
    return 0;
}

/* --list: the model's components, one paragraph each. */
static void list_components(const struct bl_set *s, enum bl_model m, enum lang lang)
{
    static const char *const fmt_short[BL__NFORMATS] = {"cfn", "tf", "cli"};
    for (size_t i = 0; i < s->n; i++) {
        const struct bl_component *c = &s->c[i];
        if (!(c->models & (1u << m)))
            continue;
        printf("%s%s%s%s\n  %s\n  formats:", c->id, c->regional ? " (regional)" : "",
               m == BL_SHARED && c->account ? " — " : "", m == BL_SHARED && c->account ? c->account : "",
               L(lang, c->title.en, c->title.ko));
        for (int f = 0; f < BL__NFORMATS; f++)
            printf(" %s%s", fmt_short[f], c->frag[f] ? "" : "(manual)");
        printf("\n  makes pass:");
        for (size_t k = 0; k < c->ncontrols; k++)
            printf("%s%s", k ? ", " : " ", c->controls[k]);
        printf("%s\n", c->ncontrols ? "" : " (none of the checks; part of the model)");
    }
}

/* The network-separation guardrails for the scanned account (iam scope), added to set.
 * 0, or -1 after printing the error. */
static int add_guardrails(const struct global_opts *g, const struct bl_opts *o, struct inventory *inv,
                          struct bl_set *set)
{
    char err[ERRLEN] = "";
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    if (!a) {
        log_err("%s", err);
        return -1;
    }
    struct profile dflt;
    profile_init(&dflt);
    const struct profile *prof = g->org ? g->org : &dflt;
    json_t *scope = iam_account_scope(a, prof->pii_key, prof->pii_value, NULL, 0, err, sizeof err);
    int rc = -1;
    if (!scope) {
        log_err("%s", err);
    } else {
        sqlite3_stmt *st = NULL;
        int in_org = 0;
        if (sqlite3_prepare_v2(inv_db(inv), "SELECT EXISTS (SELECT 1 FROM aws_organizations_policy_path)", -1,
                               &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            in_org = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        struct bl_guard_opts go = {profile_get(prof, "separated_cidrs")->value,
                                   profile_get(prof, "separated_vpcs")->value,
                                   profile_get(prof, "separated_vpc_endpoints")->value,
                                   in_org,
                                   inv_account_id(inv),
                                   inv_partition(inv),
                                   o->exclude,
                                   o->nexclude};
        long unconfined =
            (long)json_integer_value(json_object_get(json_object_get(scope, "summary"), "unconfined"));
        if (bl_guardrails(scope, &go, set, err, sizeof err) == 0)
            rc = 0;
        else if (unconfined <= 0) /* nobody to confine: no network needed */
            rc = 0;
        else { /* the other fixes still come; this one waits for the network to be named */
            log_warn("%s", err);
            bl_guardrails_pending(set, err);
            rc = 0;
        }
        json_decref(scope);
    }
    profile_free(&dflt);
    return rc;
}

/* Write every file under dir (temporary name, then rename), scripts executable. */
static int write_files(const char *dir, const struct bl_file *f, size_t n, const json_t *summary)
{
    char err[ERRLEN];
    for (size_t i = 0; i <= n; i++) {
        char *path = xasprintf("%s/%s", dir, i < n ? f[i].path : "summary.json");
        char *text = i < n ? NULL : json_dumps(summary, JSON_INDENT(2) | JSON_SORT_KEYS);
        const char *data = i < n ? f[i].text : text;
        int rc = mkdir_parents(path, err, sizeof err) ||
                 file_write_atomic(path, data, strlen(data), err, sizeof err);
        if (!rc && strstr(path, ".sh") && chmod(path, 0755) != 0) {
            snprintf(err, sizeof err, "%s: cannot make it executable", path);
            rc = -1;
        }
        free(text);
        if (rc) {
            log_err("%s", err);
            free(path);
            return -1;
        }
        fprintf(stderr, "ansim baseline: wrote %s\n", path);
        free(path);
    }
    return 0;
}

static void tell_summary(const json_t *s, const struct bl_plan *p)
{
    size_t manual = json_array_size(json_object_get(s, "manual"));
    size_t run = json_array_size(json_object_get(s, "steps")) - manual;
    fprintf(stderr, "ansim baseline: %s model, %s, %s: %zu step%s to run, %zu manual; makes pass: ",
            bl_model_name(p->model), bl_format_name(p->format), p->gap ? "gap mode" : "greenfield", run,
            run == 1 ? "" : "s", manual);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(s, "targets"), i, e)
        fprintf(stderr, "%s%s", i ? ", " : "", json_string_value(e));
    fprintf(stderr, "%s\n", json_array_size(json_object_get(s, "targets")) ? "" : "(nothing)");
}

int cmd_baseline(int argc, char **argv, const struct global_opts *g)
{
    struct bl_opts o;
    if (parse_args(argc, argv, &o)) {
        free(o.sets);
        free(o.exclude);
        return EXIT_USAGE;
    }
    char err[ERRLEN] = "";
    struct bl_set set = {0};
    struct bl_plan plan;
    memset(&plan, 0, sizeof plan);
    struct catalogue cat;
    memset(&cat, 0, sizeof cat);
    struct inventory *inv = NULL;
    struct scan_result res;
    memset(&res, 0, sizeof res);
    struct bl_file *files = NULL;
    size_t nfiles = 0;
    json_t *summary = NULL;
    int rc = EXIT_RUNTIME, have_cat = 0;

    plan.model = (enum bl_model)o.model;
    plan.format = (enum bl_format)o.format;
    plan.gap = o.snapshot || o.live;
    time_format(time(NULL), plan.generated_at, sizeof plan.generated_at);
    if (set_values(&plan, g, &o)) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (bl_load_builtin(&set, err, sizeof err)) {
        log_err("%s", err);
        goto out;
    }
    if (load_catalogue(&cat, NULL, 0))
        goto out;
    have_cat = 1;
    if (plan.gap && !o.list) {
        if (scan_account(g, &o, &cat, &inv, &res))
            goto out;
        if (plan.model == BL_NETSEP && add_guardrails(g, &o, inv, &set))
            goto out;
    }
    if (bl_finalize(&set, err, sizeof err)) {
        log_err("%s", err);
        goto out;
    }
    for (size_t i = 0; i < set.n; i++) /* a component promising a control that does not exist is a bug */
        for (size_t k = 0; k < set.c[i].ncontrols; k++)
            if (!cat_control(&cat, set.c[i].controls[k])) {
                log_err("%s: controls: no control %s", set.c[i].source, set.c[i].controls[k]);
                goto out;
            }
    if (o.list) {
        list_components(&set, plan.model, g->lang);
        rc = EXIT_OK;
        goto out;
    }
    if (plan.gap) {
        plan.account_id = xstrdup(inv_account_id(inv) ? inv_account_id(inv) : "");
        plan.source = o.snapshot ? xasprintf("snapshot %s", o.snapshot) : xstrdup("live account");
        if (!plan.nregions)
            for (size_t i = 0; i < inv_region_count(inv); i++)
                if (add_regions(&plan, inv_region(inv, i)))
                    goto out;
        bl_plan_gap(&set, &plan, &res);
    } else {
        plan.source = xstrdup("greenfield");
        bl_plan_model(&set, &plan);
    }
    if (!plan.nregions && add_regions(&plan, "ap-northeast-2"))
        goto out;
    if (!bl_values_get(&plan.values, "regions")) { /* the list the regional steps loop over */
        json_t *arr = json_array();
        for (size_t i = 0; i < plan.nregions; i++)
            json_array_append_new(arr, json_string(plan.regions[i]));
        char *text = json_dumps(arr, JSON_COMPACT);
        bl_values_set(&plan.values, "regions", text);
        free(text);
        json_decref(arr);
    }
    if (bl_render(&plan, &files, &nfiles, &summary, err, sizeof err)) {
        log_err("%s", err);
        goto out;
    }
    if (o.out) {
        if (write_files(o.out, files, nfiles, summary))
            goto out;
    } else if (nfiles != 1) {
        log_err("the %s model writes %zu files (one per account): give -o DIR", bl_model_name(plan.model),
                nfiles);
        goto out;
    } else if (fputs(files[0].text, stdout) == EOF || fflush(stdout) != 0) {
        log_err("cannot write to standard output");
        goto out;
    }
    tell_summary(summary, &plan);
    rc = EXIT_OK;
out:
    json_decref(summary);
    bl_files_free(files, nfiles);
    bl_plan_free(&plan);
    bl_set_free(&set);
    if (inv)
        inv_close(inv);
    scan_result_free(&res);
    if (have_cat)
        cat_free(&cat);
    free(o.sets);
    free(o.exclude);
    return rc;
}
