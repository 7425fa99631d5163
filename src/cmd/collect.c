/*
 * collect.c — `ansim collect [-o FILE]`: read the account through the AWS API (read-only)
 * into a snapshot, and the live half of `ansim scan` without --snapshot.
 *
 * This build collects IAM, EC2/VPC and RDS. Every other service a control needs is recorded in the
 * snapshot's errors as NotCollected, so those controls report `error`, never a pass they
 * could not verify; the remaining collectors come with the live-collection issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "../collect/collect.h"
#include "cmd.h"

static const char *const collected_services[] = {"iam", "sts", "ec2", "rds"};

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

/* Regions are collected by a few worker threads, each taking the next region in turn; the
 * sink is thread-safe and the resources are sorted afterwards, so the snapshot does not
 * depend on timing. */
struct region_pool {
    struct collect_ctx *ctx;
    json_t *entries; /* DescribeRegions entries, or NULL */
    char **names;
    size_t n, next;
    pthread_mutex_t lock;
};

static void *region_worker(void *arg)
{
    struct region_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n)
            return NULL;
        json_t *entry = NULL, *e;
        size_t k;
        json_array_foreach(p->entries, k, e)
        {
            const char *n = json_string_value(json_object_get(e, "RegionName"));
            if (n && strcmp(n, p->names[i]) == 0)
                entry = e;
        }
        log_debug("region %s", p->names[i]);
        collect_ec2(p->ctx, p->names[i], entry);
        collect_rds(p->ctx, p->names[i]);
    }
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

char *collect_live(const struct global_opts *g, const struct catalogue *cat, size_t *len)
{
    struct aws_client client;
    memset(&client, 0, sizeof client);
    char err[ERRLEN] = "";
    if (aws_creds_find(g->profile, &client.cred, err, sizeof err)) {
        log_err("%s", err);
        return NULL;
    }
    client.endpoint_url = g->endpoint_url ? g->endpoint_url : getenv("AWS_ENDPOINT_URL");
    char *home = aws_region_find(g->profile);
    char *region = xstrdup(g->regions ? g->regions : home ? home : "us-east-1");
    free(home);
    char *comma = strchr(region, ',');
    if (comma)
        *comma = '\0';
    log_debug("credentials from %s; home region %s%s%s", client.cred.source, region,
              client.endpoint_url ? "; endpoint " : "", client.endpoint_url ? client.endpoint_url : "");
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
    struct collect_ctx ctx = {&client, &sink, account};
    /* the regions: --region, else every region enabled for the account */
    json_t *entries = NULL;
    char **names = NULL;
    size_t nnames = 0;
    if (g->regions) {
        char *copy = xstrdup(g->regions), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            names = xrealloc(names, (nnames + 1) * sizeof *names);
            names[nnames++] = xstrdup(t);
        }
        free(copy);
    } else if ((entries = collect_regions(&ctx, region))) {
        size_t i;
        json_t *e;
        json_array_foreach(entries, i, e)
        {
            const char *n = json_string_value(json_object_get(e, "RegionName"));
            if (n) {
                names = xrealloc(names, (nnames + 1) * sizeof *names);
                names[nnames++] = xstrdup(n);
            }
        }
    }
    if (nnames == 0) { /* DescribeRegions failed (recorded): at least the home region */
        names = xrealloc(names, sizeof *names);
        names[nnames++] = xstrdup(region);
    }
    log_info("collecting account %s: IAM, then EC2/VPC and RDS in %zu region%s ...", account, nnames,
             nnames == 1 ? "" : "s");
    collect_iam(&ctx);
    struct region_pool pool = {&ctx, entries, names, nnames, 0, PTHREAD_MUTEX_INITIALIZER};
    size_t nthreads = g->max_concurrency > 0 ? (size_t)g->max_concurrency : 8;
    if (nthreads > nnames)
        nthreads = nnames;
    pthread_t *threads = xcalloc(nthreads, sizeof *threads);
    size_t started = 0;
    for (; started < nthreads; started++)
        if (nthreads == 1 || pthread_create(&threads[started], NULL, region_worker, &pool) != 0)
            break;
    if (started == 0)
        region_worker(&pool); /* one at a time (or threads unavailable) */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_destroy(&pool.lock);
    sort_resources(&sink);
    record_not_collected(&sink, cat);
    json_t *doc = collect_snapshot(&sink, account, collected_at, (const char *const *)names, nnames);
    log_info("collected %zu resources with %zu calls; %zu errors recorded", json_array_size(sink.resources),
             sink.calls, json_array_size(sink.errors));
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
    aws_cred_free(&client.cred);
    return text;
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
