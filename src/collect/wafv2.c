/*
 * wafv2.c — the AWS WAF (v2) collector: aws_wafv2_web_acl for every web ACL.
 *
 * REGIONAL web ACLs are listed in each scanned region (ListWebACLs), each with the
 * application load balancers it protects (ListResourcesForWebACL, ResourceType
 * APPLICATION_LOAD_BALANCER); waf.public_endpoints looks an ALB up in these lists.
 * CLOUDFRONT web ACLs exist only in us-east-1 and are recorded with region `global`; a
 * distribution names its own web ACL (WebACLId), so they are listed without resources.
 */
#include <string.h>

#include "../util/util.h"
#include "collect.h"
#include "edge.h"

static const struct collect_paging NEXT = {"NextMarker", "NextMarker", NULL};

json_t *collect_waf_acl_data(const json_t *summary, const char *scope, const json_t *resources)
{
    json_t *data = json_deep_copy(summary);
    if (!json_is_object(data)) {
        json_decref(data);
        data = json_object();
    }
    json_object_del(data, "LockToken"); /* changes on every update: noise in snapshot diffs */
    json_object_set_new(data, "Scope", json_string(scope));
    if (resources) {
        json_t *arns = json_object_get(resources, "ResourceArns");
        json_object_set_new(data, "ResourceArns", json_is_array(arns) ? json_deep_copy(arns) : json_array());
    }
    return data;
}

/* Every web ACL of scope, listed by calling region, recorded in sink_region. */
static void web_acls(struct collect_ctx *ctx, const char *region, const char *scope, const char *sink_region)
{
    const char *params[] = {"Scope", scope}, *keys[] = {"WebACLs"};
    json_t *acls;
    if (collect_pages(ctx, "wafv2", region, "ListWebACLs", params, 1, &NEXT, keys, &acls, 1) == 0) {
        size_t i;
        json_t *acl;
        json_array_foreach(acls, i, acl)
        {
            const char *arn = json_string_value(json_object_get(acl, "ARN"));
            json_t *res = NULL; /* CLOUDFRONT: the distributions name their web ACL instead */
            if (arn && strcmp(scope, "REGIONAL") == 0) {
                /* on failure (recorded) ResourceArns stays absent, so the ALBs report error */
                const char *p[] = {"WebACLArn", arn, "ResourceType", "APPLICATION_LOAD_BALANCER"};
                res = collect_call(ctx, "wafv2", region, "ListResourcesForWebACL", p, 2, NULL, NULL);
            }
            sink_resource(ctx->sink, "aws_wafv2_web_acl", sink_region,
                          json_string_value(json_object_get(acl, "Id")), arn,
                          collect_waf_acl_data(acl, scope, res));
            json_decref(res);
        }
    }
    json_decref(acls);
}

static void regional(struct collect_ctx *ctx, void *region) { web_acls(ctx, region, "REGIONAL", region); }

static void cloudfront(struct collect_ctx *ctx, void *region)
{
    web_acls(ctx, region, "CLOUDFRONT", "global");
}

void collect_wafv2(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, regional, region);
}

void collect_wafv2_cloudfront(struct collect_ctx *ctx)
{
    if (strcmp(aws_partition(ctx->home), "aws") == 0) /* CloudFront's WAF lives in us-east-1 */
        collect_spawn_region(ctx, cloudfront, "us-east-1");
}
