/*
 * acm.c — the AWS Certificate Manager collector for one region: aws_acm_certificate for
 * every certificate (ListCertificates, every key type and status), each described by
 * DescribeCertificate (InUseBy, NotAfter, Status, RenewalSummary, ...), one task per
 * certificate. A certificate whose description failed keeps its ListCertificates summary,
 * which has InUse but no InUseBy, so what needs InUseBy reports `error` for it.
 *
 * CloudFront takes its certificates from us-east-1. When us-east-1 is not scanned it is
 * still read, for the certificates in use by CloudFront only (cloudfront_only).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"
#include "edge.h"

/* botocore's KeyAlgorithm values: ListCertificates lists RSA_1024 and RSA_2048 unless asked */
static const char *const key_types[] = {"RSA_1024",      "RSA_2048",     "RSA_3072",    "RSA_4096",
                                        "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"};

char *collect_acm_list_body(const char *token)
{
    json_t *types = json_array();
    for (size_t i = 0; i < sizeof key_types / sizeof *key_types; i++)
        json_array_append_new(types, json_string(key_types[i]));
    json_t *doc = json_pack("{s:{s:o}}", "Includes", "keyTypes", types);
    if (token)
        json_object_set_new(doc, "NextToken", json_string(token));
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return s ? s : xstrdup("{}");
}

json_t *collect_certificate_data(const json_t *summary, const json_t *detail)
{
    json_t *data = json_deep_copy(detail ? detail : summary);
    if (!json_is_object(data)) {
        json_decref(data);
        data = json_object();
    }
    return data;
}

int collect_certificate_used_by_cloudfront(const json_t *data)
{
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(data, "InUseBy"), i, u)
    {
        const char *arn = json_string_value(u);
        if (arn && strstr(arn, ":cloudfront::"))
            return 1;
    }
    return 0;
}

struct cert_arg {
    char *region;
    json_t *summary;
    int cloudfront_only;
};

static void cert_arg_free(void *p)
{
    struct cert_arg *c = p;
    free(c->region);
    json_decref(c->summary);
    free(c);
}

static void cert_task(struct collect_ctx *ctx, void *arg)
{
    struct cert_arg *c = arg;
    const char *arn = json_string_value(json_object_get(c->summary, "CertificateArn"));
    const char *p[] = {"CertificateArn", arn};
    json_t *d = collect_call(ctx, "acm", c->region, "DescribeCertificate", p, 1, NULL, NULL);
    json_t *data = collect_certificate_data(c->summary, json_object_get(d, "Certificate"));
    json_decref(d);
    /* in cloudfront_only mode a certificate that could not be described is kept (error) */
    if (c->cloudfront_only && json_object_get(data, "InUseBy") &&
        !collect_certificate_used_by_cloudfront(data)) {
        json_decref(data);
        return;
    }
    sink_resource(ctx->sink, "aws_acm_certificate", c->region, arn, arn, data);
}

static void certificates(struct collect_ctx *ctx, const char *region, int cloudfront_only)
{
    char *token = NULL;
    for (int page = 0; page < 100000; page++) {
        char *body = collect_acm_list_body(token);
        struct aws_call call = {"acm", region, "ListCertificates", NULL, 0, body};
        json_t *v = collect_request(ctx, &call, NULL, NULL);
        free(body);
        if (!v)
            break; /* recorded */
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(v, "CertificateSummaryList"), i, s)
        {
            if (!json_string_value(json_object_get(s, "CertificateArn")))
                continue;
            if (cloudfront_only && json_is_false(json_object_get(s, "InUse")))
                continue;
            struct cert_arg *a = xcalloc(1, sizeof *a);
            a->region = xstrdup(region);
            a->summary = json_incref(s);
            a->cloudfront_only = cloudfront_only;
            collect_spawn(ctx, cert_task, a, cert_arg_free);
        }
        const char *next = json_string_value(json_object_get(v, "NextToken"));
        int again = next && *next && !(token && strcmp(next, token) == 0);
        free(token);
        token = again ? xstrdup(next) : NULL;
        json_decref(v);
        if (!token)
            break;
    }
    free(token);
}

static void regional(struct collect_ctx *ctx, void *region) { certificates(ctx, region, 0); }

static void for_cloudfront(struct collect_ctx *ctx, void *region) { certificates(ctx, region, 1); }

void collect_acm(struct collect_ctx *ctx, const char *region, int cloudfront_only)
{
    collect_spawn_region(ctx, cloudfront_only ? for_cloudfront : regional, region);
}
