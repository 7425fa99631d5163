/*
 * collect.c — `ansim collect [-o FILE]`: read the account through the AWS API (read-only)
 * into a snapshot, and the live half of `ansim scan` without --snapshot.
 *
 * This build collects IAM (+ identity providers, Identity Center, Access Analyzer), S3 (+ S3
 * Control), EC2/VPC, RDS, CloudTrail, KMS, Organizations, the account settings (alternate
 * contacts, Budgets, Cost Anomaly Detection), ELBv2, WAFv2, CloudFront, ACM and, per region,
 * AWS Config, GuardDuty, Security Hub, Macie, Inspector, Systems Manager, Secrets Manager
 * (metadata only), WorkSpaces (with Directory Service and the WorkSpaces' CloudWatch usage),
 * AppStream 2.0, Network Firewall and monitoring (CloudWatch Logs, CloudWatch alarms, SNS). A
 * service that a control requires (a user's control from --controls, say) but no collector
 * reads is recorded in the snapshot's errors as NotCollected, so that control reports
 * `error`, never a pass it could not verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "../collect/collect.h"
#include "../inventory/inventory.h"
#include "cmd.h"

static const char *const collected_services[] = {"iam",
                                                 "sts",
                                                 "ec2",
                                                 "rds",
                                                 "s3",
                                                 "s3control",
                                                 "cloudtrail",
                                                 "kms",
                                                 "organizations",
                                                 "accessanalyzer",
                                                 "account",
                                                 "budgets",
                                                 "ce",
                                                 "sso-admin",
                                                 "elbv2",
                                                 "wafv2",
                                                 "cloudfront",
                                                 "acm",
                                                 "config",
                                                 "guardduty",
                                                 "securityhub",
                                                 "macie2",
                                                 "inspector2",
                                                 "ssm",
                                                 "secretsmanager",
                                                 "workspaces",
                                                 "ds",
                                                 "appstream",
                                                 "network-firewall",
                                                 "cloudwatch",
                                                 "logs",
                                                 "sns"};

static int is_collected(const char *service, size_t len)
{
    for (size_t i = 0; i < sizeof collected_services / sizeof *collected_services; i++)
        if (strlen(collected_services[i]) == len && strncmp(collected_services[i], service, len) == 0)
            return 1;
    return 0;
}

/* One NotCollected error per (service, operation) that a control requires and this build
 * does not read. */
static void record_not_collected(struct collect_sink *sink, const struct catalogue *cat)
{
    json_t *seen = json_object();
    for (size_t i = 0; i < cat->ncontrols; i++) {
        const struct control *c = &cat->controls[i];
        for (size_t r = 0; r < c->nrequires; r++) {
            const char *req = c->requires[r], *colon = strchr(req, ':');
            if (!colon || is_collected(req, (size_t)(colon - req)) || json_object_get(seen, req))
                continue;
            json_object_set_new(seen, req, json_true());
            char *svc = xstrndup(req, (size_t)(colon - req));
            char *msg = xasprintf("ansim %s does not collect %s yet", ANSIM_VERSION, svc);
            sink_error(sink, svc, "global", colon + 1, "NotCollected", msg);
            free(svc);
            free(msg);
        }
    }
    json_decref(seen);
}

/* Order of two objects by the string members named in keys (NULL-terminated). */
static int cmp_by_keys(const void *a, const void *b, void *keys)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    for (const char *const *k = keys; *k; k++) {
        const char *s = json_string_value(json_object_get(x, *k)),
                   *t = json_string_value(json_object_get(y, *k));
        int c = strcmp(s ? s : "", t ? t : "");
        if (c)
            return c;
    }
    return 0;
}

static void sort_array(json_t *arr, const char *const *keys)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return;
    json_t **v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort_r(v, n, sizeof *v, cmp_by_keys, (void *)keys);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

static void sort_resources(struct collect_sink *s)
{
    static const char *const resource_keys[] = {"type", "region", "id", NULL};
    static const char *const error_keys[] = {"service", "region", "operation", "code", NULL};
    sort_array(s->resources, resource_keys);
    sort_array(s->errors, error_keys);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Print the calls made per operation (stderr): what a collection cost. */
static void print_stats(struct aws_meter *m, double seconds)
{
    json_t *r = aws_meter_report(m);
    fprintf(stderr, "calls per operation:\n");
    json_t *per_op = json_object_get(r, "per_operation");
    size_t n = json_object_size(per_op), i = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof *keys), *k;
    json_t *v;
    json_object_foreach(per_op, k, v) keys[i++] = k;
    qsort(keys, n, sizeof *keys, cmp_str);
    for (i = 0; i < n; i++)
        fprintf(stderr, "  %-48s %6lld\n", keys[i],
                (long long)json_integer_value(json_object_get(per_op, keys[i])));
    free(keys);
    fprintf(stderr, "total: %lld calls (%lld error answers, %lld throttled) in %.2f s\n",
            (long long)json_integer_value(json_object_get(r, "calls")),
            (long long)json_integer_value(json_object_get(r, "errors")),
            (long long)json_integer_value(json_object_get(r, "throttled")), seconds);
    json_decref(r);
}

/* The region names to scan: --region, else every region enabled for the account that is in
 * the home region's partition, else (DescribeRegions failed, recorded) the home region. */
static size_t region_names(const struct global_opts *g, struct collect_ctx *ctx, json_t **entries,
                           char ***names)
{
    size_t n = 0;
    *names = NULL;
    *entries = NULL;
    if (g->regions) {
        char *copy = xstrdup(g->regions), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            *names = xrealloc(*names, (n + 1) * sizeof **names);
            (*names)[n++] = xstrdup(t);
        }
        free(copy);
    } else if ((*entries = collect_regions(ctx, ctx->home))) {
        size_t i;
        json_t *e;
        json_array_foreach(*entries, i, e)
        {
            const char *r = json_string_value(json_object_get(e, "RegionName"));
            if (r && strcmp(aws_partition(r), aws_partition(ctx->home)) == 0) {
                *names = xrealloc(*names, (n + 1) * sizeof **names);
                (*names)[n++] = xstrdup(r);
            }
        }
    }
    if (n == 0) {
        *names = xrealloc(*names, sizeof **names);
        (*names)[n++] = xstrdup(ctx->home);
    }
    return n;
}

char *collect_live(const struct global_opts *g, const struct catalogue *cat, size_t *len)
{
    struct aws_client client;
    memset(&client, 0, sizeof client);
    char err[ERRLEN] = "";
    client.endpoint_url = g->endpoint_url; /* before the credentials: STS AssumeRole goes there too */
    if (aws_client_init(&client, g->profile, err, sizeof err)) {
        log_err("%s", err);
        aws_client_free(&client);
        return NULL;
    }
    client.meter = aws_meter_new();
    char *home = aws_region_find(g->profile);
    char *region = xstrdup(g->regions ? g->regions : home ? home : "us-east-1");
    free(home);
    char *comma = strchr(region, ',');
    if (comma)
        *comma = '\0';
    log_debug("credentials from %s; home region %s%s%s", aws_client_source(&client), region,
              client.endpoint_url ? "; endpoint " : "", client.endpoint_url ? client.endpoint_url : "");
    double t0 = mono();
    char *account = collect_account_id(&client, region, err, sizeof err);
    char *text = NULL;
    if (!account) {
        log_err("cannot identify the account: %s", err);
        goto out;
    }
    char collected_at[32];
    time_format(time(NULL), collected_at, sizeof collected_at);
    struct collect_sink sink;
    sink_init(&sink);
    struct collect_ctx ctx = {&client, &sink, account, region, NULL};
    json_t *entries;
    char **names;
    size_t nnames = region_names(g, &ctx, &entries, &names);
    log_info(
        "collecting account %s: IAM, S3, account settings, CloudFront, then EC2/VPC, RDS, CloudTrail, KMS, "
        "Access Analyzer, Identity Center, ELBv2, WAFv2, ACM, Config, GuardDuty, Security Hub, Macie, "
        "Inspector, SSM, Secrets Manager, WorkSpaces, AppStream, Network Firewall and monitoring in %zu "
        "region%s ...",
        account, nnames, nnames == 1 ? "" : "s");
    ctx.pool = collect_pool_new();
    collect_iam(&ctx);
    collect_s3(&ctx);
    collect_organizations(&ctx);
    collect_account(&ctx);
    collect_identity(&ctx);
    collect_cloudfront(&ctx);
    collect_wafv2_cloudfront(&ctx);
    int us_east_1 = 0;
    for (size_t i = 0; i < nnames; i++) {
        json_t *entry = NULL, *e;
        size_t k;
        json_array_foreach(entries, k, e)
        {
            const char *n = json_string_value(json_object_get(e, "RegionName"));
            if (n && strcmp(n, names[i]) == 0)
                entry = e;
        }
        collect_ec2(&ctx, names[i], entry);
        collect_rds(&ctx, names[i]);
        collect_cloudtrail(&ctx, names[i]);
        collect_kms(&ctx, names[i]);
        collect_monitoring(&ctx, names[i]);
        collect_accessanalyzer(&ctx, names[i]);
        collect_sso_admin(&ctx, names[i]);
        collect_elbv2(&ctx, names[i]);
        collect_wafv2(&ctx, names[i]);
        collect_acm(&ctx, names[i], 0);
        us_east_1 |= strcmp(names[i], "us-east-1") == 0;
        collect_config(&ctx, names[i]);
        collect_guardduty(&ctx, names[i]);
        collect_securityhub(&ctx, names[i]);
        collect_macie(&ctx, names[i]);
        collect_inspector(&ctx, names[i]);
        collect_ssm(&ctx, names[i]);
        collect_secretsmanager(&ctx, names[i]);
        collect_workspaces(&ctx, names[i]);
        collect_appstream(&ctx, names[i]);
        collect_networkfirewall(&ctx, names[i]);
    }
    if (!us_east_1 && strcmp(aws_partition(region), "aws") == 0)
        collect_acm(&ctx, "us-east-1", 1); /* where CloudFront's certificates are */
    collect_run(&ctx, g->max_concurrency > 0 ? (size_t)g->max_concurrency : 8,
                isatty(STDERR_FILENO) && log_level >= 1);
    collect_pool_free(ctx.pool);
    sort_resources(&sink);
    record_not_collected(&sink, cat);
    json_t *doc = collect_snapshot(&sink, account, collected_at, (const char *const *)names, nnames);
    inv_redact(doc); /* nothing secret-looking leaves memory */
    log_info("collected %zu resources with %zu calls; %zu errors recorded", json_array_size(sink.resources),
             sink.calls, json_array_size(sink.errors));
    if (g->stats)
        print_stats(client.meter, mono() - t0);
    json_decref(entries);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    sink_free(&sink);
    if (text)
        *len = strlen(text);
    else
        log_err("cannot serialise the snapshot");
out:
    free(account);
    free(region);
    aws_meter_free(client.meter);
    aws_client_free(&client);
    aws_http_thread_done();
    return text;
}

int inventory_fill(struct inventory *inv, const struct global_opts *g, const struct catalogue *cat,
                   const char *snapshot)
{
    char err[ERRLEN] = "";
    if (snapshot) {
        if (inv_load_snapshot_file(inv, snapshot, err, sizeof err)) {
            log_err("%s", err);
            return -1;
        }
        return 0;
    }
    /* live: collect into memory, then load exactly as a snapshot would be */
    size_t len = 0;
    char *text = collect_live(g, cat, &len);
    if (!text)
        return -1; /* collect_live told why */
    int rc = inv_load_snapshot_buf(inv, text, len, "live collection", err, sizeof err);
    free(text);
    if (rc)
        log_err("%s", err);
    return rc ? -1 : 0;
}

int cmd_collect(int argc, char **argv, const struct global_opts *g)
{
    const char *out = NULL;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "-o", &bad)) ||
            (v = opt_value(argc, argv, &i, "--output", &bad))) {
            out = v;
        } else if (!bad && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            cmd_usage(stdout, "collect");
            return EXIT_OK;
        } else if (!bad) {
            fprintf(stderr, "ansim collect: unknown argument \"%s\" (see `ansim help collect`)\n", argv[i]);
            return EXIT_USAGE;
        }
        if (bad)
            return EXIT_USAGE;
    }
    struct catalogue cat;
    if (load_catalogue(&cat, NULL, 0))
        return EXIT_RUNTIME;
    size_t len = 0;
    char *text = collect_live(g, &cat, &len);
    cat_free(&cat);
    if (!text)
        return EXIT_RUNTIME;
    int rc = EXIT_OK;
    char err[ERRLEN] = "";
    if (!out || strcmp(out, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len || fputc('\n', stdout) == EOF || fflush(stdout)) {
            log_err("cannot write the snapshot to standard output");
            rc = EXIT_RUNTIME;
        }
    } else if (file_write_atomic(out, text, len, err, sizeof err)) {
        log_err("%s", err);
        rc = EXIT_RUNTIME;
    } else {
        log_info("snapshot written to %s", out);
    }
    free(text);
    return rc;
}
