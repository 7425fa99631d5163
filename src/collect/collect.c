/*
 * collect.c — the pieces every collector shares: the thread-safe sink of resources and
 * errors, one read call turned into JSON (failures recorded, never hidden), the caller's
 * account id, and the snapshot document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "../aws/shapes.h"
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
    if (!id || !*id) { /* a malformed answer: say so rather than write an invalid snapshot */
        const char *svc = strncmp(type, "aws_", 4) == 0 ? type + 4 : type;
        char *service = xstrndup(svc, strcspn(svc, "_"));
        char *msg = xasprintf("a %s without an identifier in the answer", type);
        sink_error(s, service, region, type, "MalformedResponse", msg);
        free(service);
        free(msg);
        json_decref(data);
        return;
    }
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

/* 1 when an error answer is the "not configured" answer q: "Code", or "Code:text" for a code
 * AWS also uses for real failures, told apart by text appearing in the message. */
static int quiet_match(const char *q, const char *code, const char *message)
{
    if (!code)
        return 0;
    const char *colon = strchr(q, ':');
    if (!colon)
        return strcmp(code, q) == 0;
    return strlen(code) == (size_t)(colon - q) && strncmp(code, q, (size_t)(colon - q)) == 0 && message &&
           strcasestr(message, colon + 1) != NULL;
}

json_t *collect_request(struct collect_ctx *ctx, const struct aws_call *call, const char *const *quiet,
                        const char **quiet_hit)
{
    struct aws_result r;
    char err[ERRLEN] = "";
    if (quiet_hit)
        *quiet_hit = NULL;
    const struct aws_service *svc = aws_find_service(call->service);
    if (!aws_service_in_region(call->service, call->region)) {
        /* not a failure: the controls report the region not_applicable (eval.c) */
        char *msg = xasprintf("%s is not offered in %s (botocore's endpoint data)",
                              svc ? svc->service_id : call->service, call->region);
        sink_error(ctx->sink, call->service, call->region, call->op, "ServiceNotInRegion", msg);
        free(msg);
        return NULL;
    }
    int rc = aws_call(ctx->client, call, &r, err, sizeof err);
    /* where a failure applies: the global services (one endpoint for the partition) and
     * S3 Control (account-wide settings) are account-wide */
    const char *region =
        (svc && svc->global_host) || strcmp(call->service, "s3control") == 0 ? "global" : call->region;
    pthread_mutex_lock(&ctx->sink->lock);
    ctx->sink->calls += r.attempts > 0 ? (size_t)r.attempts : 1;
    pthread_mutex_unlock(&ctx->sink->lock);
    json_t *out = NULL;
    if (rc) {
        sink_error(ctx->sink, call->service, region, call->op, "RequestFailed", err);
    } else if (r.status >= 300) {
        for (size_t i = 0; quiet && quiet[i] && quiet_hit && !*quiet_hit; i++)
            if (quiet_match(quiet[i], r.code, r.message))
                *quiet_hit = quiet[i];
        if (!quiet_hit || !*quiet_hit)
            sink_error(ctx->sink, call->service, region, call->op, r.code, r.message);
    } else if (!(out = aws_output(call->service, call->op, &r, err, sizeof err))) {
        sink_error(ctx->sink, call->service, region, call->op, "MalformedResponse", err);
    }
    aws_result_free(&r);
    return out;
}

json_t *collect_call(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                     const char *const *params, size_t nparams, const char *const *quiet,
                     const char **quiet_hit)
{
    const char *proto = aws_protocol(service, op);
    if (proto && strncmp(proto, "json", 4) == 0) { /* the parameters travel as a document */
        char *body = collect_json_body(params, nparams);
        struct aws_call call = {service, region, op, NULL, 0, body};
        json_t *v = collect_request(ctx, &call, quiet, quiet_hit);
        free(body);
        return v;
    }
    struct aws_call call = {service, region, op, params, nparams, NULL};
    return collect_request(ctx, &call, quiet, quiet_hit);
}

/* The token of the next page in page v (frees the current one), or NULL at the end: no
 * token, truncated (IAM's IsTruncated) false, or a token that does not move, which would
 * loop forever. */
static char *next_token(json_t *v, const char *member, const char *truncated, char *token)
{
    const char *next = json_string_value(json_object_get(v, member));
    if (truncated && !json_is_true(json_object_get(v, truncated)))
        next = NULL;
    if (next && token && strcmp(next, token) == 0)
        next = NULL;
    char *out = next && *next ? xstrdup(next) : NULL;
    free(token);
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
        token = next_token(v, pg->token_member, pg->truncated_member, token);
        json_decref(v);
        if (!token)
            break;
    }
    free(token);
    free(p);
    return rc;
}

int collect_json_pages(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                       json_t *body, const char *token_param, const char *token_member, const char *key,
                       json_t **out)
{
    json_t *req = body ? json_deep_copy(body) : json_object();
    char *token = NULL;
    int rc = 0;
    *out = json_array();
    for (int page = 0; page < 100000; page++) {
        if (token)
            json_object_set_new(req, token_param, json_string(token));
        char *text = json_dumps(req, JSON_COMPACT);
        struct aws_call call = {service, region, op, NULL, 0, text ? text : "{}"};
        json_t *v = collect_request(ctx, &call, NULL, NULL);
        free(text);
        if (!v) {
            rc = -1;
            break;
        }
        json_array_extend(*out, json_object_get(v, key));
        token = next_token(v, token_member, NULL, token);
        json_decref(v);
        if (!token)
            break;
    }
    free(token);
    json_decref(req);
    return rc;
}

char *collect_json_body(const char *const *params, size_t nparams)
{
    json_t *o = json_object();
    for (size_t i = 0; i < 2 * nparams; i += 2)
        json_object_set_new(o, params[i], json_string(params[i + 1]));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s ? s : xstrdup("{}");
}

char *collect_account_id(const struct aws_client *client, const char *region, char *err, size_t errlen)
{
    struct aws_result r;
    struct aws_call call = {"sts", region, "GetCallerIdentity", NULL, 0, NULL};
    if (aws_call(client, &call, &r, err, errlen)) {
        aws_result_free(&r);
        return NULL;
    }
    char *id = NULL;
    if (r.status >= 300) {
        snprintf(err, errlen, "sts:GetCallerIdentity: %s: %s", r.code ? r.code : "?",
                 r.message ? r.message : "");
    } else {
        json_t *v = aws_output("sts", call.op, &r, err, errlen);
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
    json_object_set_new(doc, "partition", json_string(aws_partition(nregions ? regions[0] : NULL)));
    json_object_set_new(doc, "collected_at", json_string(collected_at));
    json_object_set_new(doc, "regions", regs);
    json_object_set(doc, "resources", s->resources);
    json_object_set(doc, "errors", s->errors);
    return doc;
}
