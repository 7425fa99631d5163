/*
 * s3.c — the S3 collector: aws_s3_bucket (one per bucket, in the bucket's own region, its
 * configuration merged from ten Get calls) and aws_s3_account_public_access_block (S3
 * Control), shaped as docs/resources.md describes. "Not configured" answers
 * (NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError, ...) are stored as
 * null, never recorded as errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

#define G "global"

/* Where GetBucketLocation is asked: the partition's classic endpoint answers for any bucket. */
static const char *location_region(const struct collect_ctx *ctx)
{
    return strcmp(aws_partition(ctx->home), "aws") == 0 ? "us-east-1" : ctx->home;
}

/* One Get call on the bucket; NULL when it failed (recorded) or, with *absent set, when AWS
 * answered one of the quiet "not configured" codes. */
static json_t *bucket_get(struct collect_ctx *ctx, const char *region, const char *bucket, const char *op,
                          const char *const *quiet, int *absent)
{
    const char *params[] = {"Bucket", bucket}, *hit = NULL;
    struct aws_call call = {"s3", region, op, params, 1, NULL};
    json_t *v = collect_request(ctx, &call, quiet, &hit);
    *absent = hit != NULL;
    return v;
}

/* Set data[key] from member of the output of op; null when not configured; left out when
 * the call failed (the error is recorded; the controls report error for it). */
static void merge(struct collect_ctx *ctx, json_t *data, const char *region, const char *bucket,
                  const char *op, const char *member, const char *key, const char *const *quiet)
{
    int absent;
    json_t *v = bucket_get(ctx, region, bucket, op, quiet, &absent);
    if (v) {
        json_t *m = member ? json_object_get(v, member) : v;
        json_object_set(data, key, m ? m : json_null());
        json_decref(v);
    } else if (absent) {
        json_object_set_new(data, key, json_null());
    }
}

static void bucket_task(struct collect_ctx *ctx, void *arg)
{
    json_t *data = arg; /* the ListBuckets entry: Name, CreationDate */
    const char *name = json_string_value(json_object_get(data, "Name"));
    int absent;
    json_t *loc = bucket_get(ctx, location_region(ctx), name, "GetBucketLocation", NULL, &absent);
    if (!loc)
        return; /* recorded: without its region nothing else can be read */
    const char *lc = json_string_value(json_object_get(loc, "LocationConstraint"));
    char *region = xstrdup(!lc || !*lc ? "us-east-1" : strcmp(lc, "EU") == 0 ? "eu-west-1" : lc);
    json_decref(loc);
    if (!aws_valid_label(region)) {
        sink_error(ctx->sink, "s3", G, "GetBucketLocation", "MalformedResponse", "unreadable bucket region");
        free(region);
        return;
    }
    static const char *const no_pab[] = {"NoSuchPublicAccessBlockConfiguration", NULL},
                             *no_policy[] = {"NoSuchBucketPolicy", NULL},
                             *no_sse[] = {"ServerSideEncryptionConfigurationNotFoundError", NULL},
                             *no_lock[] = {"ObjectLockConfigurationNotFoundError", NULL},
                             *no_lifecycle[] = {"NoSuchLifecycleConfiguration", NULL},
                             *no_tags[] = {"NoSuchTagSet", NULL};
    merge(ctx, data, region, name, "GetPublicAccessBlock", "PublicAccessBlockConfiguration",
          "PublicAccessBlockConfiguration", no_pab);
    json_t *pol = bucket_get(ctx, region, name, "GetBucketPolicy", no_policy, &absent);
    if (pol) { /* the policy text, decoded; kept as text when it is not JSON */
        const char *text = json_string_value(json_object_get(pol, "Policy"));
        json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
        json_object_set_new(data, "Policy", doc ? doc : text ? json_string(text) : json_null());
        json_decref(pol);
    } else if (absent) {
        json_object_set_new(data, "Policy", json_null());
    }
    merge(ctx, data, region, name, "GetBucketPolicyStatus", "PolicyStatus", "PolicyStatus", no_policy);
    json_t *acl = bucket_get(ctx, region, name, "GetBucketAcl", NULL, &absent);
    if (acl) {
        json_object_set_new(data, "Acl",
                            json_pack("{s:O?, s:O?}", "Owner", json_object_get(acl, "Owner"), "Grants",
                                      json_object_get(acl, "Grants")));
        json_decref(acl);
    }
    merge(ctx, data, region, name, "GetBucketEncryption", "ServerSideEncryptionConfiguration",
          "ServerSideEncryptionConfiguration", no_sse);
    merge(ctx, data, region, name, "GetBucketVersioning", NULL, "Versioning", NULL);
    merge(ctx, data, region, name, "GetObjectLockConfiguration", "ObjectLockConfiguration",
          "ObjectLockConfiguration", no_lock);
    merge(ctx, data, region, name, "GetBucketLifecycleConfiguration", NULL, "LifecycleConfiguration",
          no_lifecycle);
    json_t *tags = bucket_get(ctx, region, name, "GetBucketTagging", no_tags, &absent);
    if (tags || absent) {
        json_t *set = json_object_get(tags, "TagSet");
        json_object_set_new(data, "Tags", json_is_array(set) ? json_incref(set) : json_array());
        json_decref(tags);
    }
    char *arn = xasprintf("arn:%s:s3:::%s", aws_partition(region), name);
    sink_resource(ctx->sink, "aws_s3_bucket", region, name, arn, json_incref(data));
    free(arn);
    free(region);
}

static void buckets(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    static const struct collect_paging pg = {"?continuation-token", "ContinuationToken", NULL};
    const char *keys[] = {"Buckets"};
    json_t *list[1];
    if (collect_pages(ctx, "s3", location_region(ctx), "ListBuckets", NULL, 0, &pg, keys, list, 1) == 0) {
        size_t i;
        json_t *b;
        json_array_foreach(list[0], i, b) if (json_string_value(json_object_get(b, "Name")))
            collect_spawn(ctx, bucket_task,
                          json_pack("{s:O, s:O?}", "Name", json_object_get(b, "Name"), "CreationDate",
                                    json_object_get(b, "CreationDate")),
                          collect_release_json);
    }
    json_decref(list[0]);
}

static void account_public_access_block(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    const char *params[] = {"AccountId", ctx->account_id},
               *quiet[] = {"NoSuchPublicAccessBlockConfiguration", NULL}, *hit;
    struct aws_call call = {"s3control", ctx->home, "GetPublicAccessBlock", params, 1, NULL};
    json_t *v = collect_request(ctx, &call, quiet, &hit);
    if (v) {
        json_t *c = json_object_get(v, "PublicAccessBlockConfiguration");
        sink_resource(ctx->sink, "aws_s3_account_public_access_block", G, ctx->account_id, NULL,
                      json_incref(c ? c : json_object()));
        json_decref(v);
    }
}

void collect_s3(struct collect_ctx *ctx)
{
    collect_spawn(ctx, buckets, NULL, NULL);
    collect_spawn(ctx, account_public_access_block, NULL, NULL);
}
