/*
 * collect.c — the pieces every collector shares: the thread-safe sink of resources and
 * errors, one read call turned into JSON (failures recorded, never hidden), the caller's
 * account id, and the snapshot document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

void sink_init(struct collect_sink *s)
{
    pthread_mutex_init(&s->lock, NULL);
    s->resources = json_array();
    s->errors = json_array();
    s->calls = 0;
}

void sink_free(struct collect_sink *s)
{
    json_decref(s->resources);
    json_decref(s->errors);
    pthread_mutex_destroy(&s->lock);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

void sink_resource(struct collect_sink *s, const char *type, const char *region, const char *id,
                   const char *arn, json_t *data)
{
    json_t *r = json_object();
    json_object_set_new(r, "type", json_string(type));
    json_object_set_new(r, "region", json_string(region));
    json_object_set_new(r, "id", str_or_null(id));
    json_object_set_new(r, "arn", str_or_null(arn));
    json_object_set_new(r, "data", data ? data : json_object());
    pthread_mutex_lock(&s->lock);
    json_array_append_new(s->resources, r);
    pthread_mutex_unlock(&s->lock);
}

void sink_error(struct collect_sink *s, const char *service, const char *region, const char *operation,
                const char *code, const char *message)
{
    json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "service", service, "region", region, "operation",
                          operation, "code", code ? code : "Unknown", "message", message ? message : "");
    if (!e) /* a message that is not UTF-8 */
        e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "service", service, "region", region, "operation",
                      operation, "code", code ? code : "Unknown", "message", "(unreadable message)");
    pthread_mutex_lock(&s->lock);
    json_array_append_new(s->errors, e);
    pthread_mutex_unlock(&s->lock);
}

json_t *collect_call(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                     const char *const *params, size_t nparams, const char *const *quiet,
                     const char **quiet_hit)
{
    struct aws_result r;
    char err[ERRLEN] = "";
    const char *version = aws_api_version(service, op);
    if (quiet_hit)
        *quiet_hit = NULL;
    if (!version) {
        sink_error(ctx->sink, service, region, op, "NotSupported", "no response shape for this operation");
        return NULL;
    }
    int rc = aws_query_call(ctx->client, service, region, version, op, params, nparams, &r, err, sizeof err);
    if (strcmp(service, "iam") == 0)
        region = "global"; /* where the failure applies: IAM is account-wide */
    pthread_mutex_lock(&ctx->sink->lock);
    ctx->sink->calls += r.attempts > 0 ? (size_t)r.attempts : 1;
    pthread_mutex_unlock(&ctx->sink->lock);
    json_t *out = NULL;
    if (rc) {
        sink_error(ctx->sink, service, region, op, "RequestFailed", err);
    } else if (r.status >= 300) {
        for (size_t i = 0; quiet && quiet[i]; i++)
            if (r.code && strcmp(r.code, quiet[i]) == 0 && quiet_hit)
                *quiet_hit = quiet[i];
        if (!quiet_hit || !*quiet_hit)
            sink_error(ctx->sink, service, region, op, r.code, r.message);
    } else if (!(out = aws_xml_to_json(service, op, r.body.buf, r.body.len, err, sizeof err))) {
        sink_error(ctx->sink, service, region, op, "MalformedResponse", err);
    }
    aws_result_free(&r);
    return out;
}

int collect_pages(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                  const char *const *params, size_t nparams, const struct collect_paging *pg,
                  const char *const *keys, json_t **out, size_t nkeys)
{
    const char **p = xcalloc(2 * nparams + 2, sizeof *p);
    if (nparams)
        memcpy(p, params, 2 * nparams * sizeof *p);
    char *token = NULL;
    int rc = 0;
    for (size_t k = 0; k < nkeys; k++)
        out[k] = json_array();
    for (int page = 0; page < 100000; page++) {
        size_t n = nparams;
        if (token) {
            p[2 * n] = pg->token_param;
            p[2 * n + 1] = token;
            n++;
        }
        json_t *v = collect_call(ctx, service, region, op, p, n, NULL, NULL);
        if (!v) {
            rc = -1;
            break;
        }
        for (size_t k = 0; k < nkeys; k++)
            json_array_extend(out[k], json_object_get(v, keys[k]));
        const char *next = json_string_value(json_object_get(v, pg->token_member));
        if (pg->truncated_member && !json_is_true(json_object_get(v, pg->truncated_member)))
            next = NULL;
        if (next && token && strcmp(next, token) == 0)
            next = NULL; /* a token that does not move would loop forever */
        free(token);
        token = next && *next ? xstrdup(next) : NULL;
        json_decref(v);
        if (!token)
            break;
    }
    free(token);
    free(p);
    return rc;
}

char *collect_account_id(const struct aws_client *client, const char *region, char *err, size_t errlen)
{
    struct aws_result r;
    const char *op = "GetCallerIdentity";
    if (aws_query_call(client, "sts", region, aws_api_version("sts", op), op, NULL, 0, &r, err, errlen)) {
        aws_result_free(&r);
        return NULL;
    }
    char *id = NULL;
    if (r.status >= 300) {
        snprintf(err, errlen, "sts:GetCallerIdentity: %s: %s", r.code ? r.code : "?",
                 r.message ? r.message : "");
    } else {
        json_t *v = aws_xml_to_json("sts", op, r.body.buf, r.body.len, err, errlen);
        const char *acct = json_string_value(json_object_get(v, "Account"));
        if (acct)
            id = xstrdup(acct);
        else if (v)
            snprintf(err, errlen, "sts:GetCallerIdentity: no Account in the answer");
        json_decref(v);
    }
    aws_result_free(&r);
    return id;
}

json_t *collect_snapshot(struct collect_sink *s, const char *account_id, const char *collected_at,
                         const char *const *regions, size_t nregions)
{
    json_t *regs = json_array();
    for (size_t i = 0; i < nregions; i++)
        json_array_append_new(regs, json_string(regions[i]));
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("ansim-snapshot/1"));
    json_object_set_new(doc, "account_id", json_string(account_id));
    json_object_set_new(doc, "partition", json_string("aws"));
    json_object_set_new(doc, "collected_at", json_string(collected_at));
    json_object_set_new(doc, "regions", regs);
    json_object_set(doc, "resources", s->resources);
    json_object_set(doc, "errors", s->errors);
    return doc;
}
