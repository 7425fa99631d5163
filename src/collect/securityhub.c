/*
 * securityhub.c — the Security Hub collector for one region: aws_securityhub_account, one per
 * region (id = the region), with DescribeHub's output (HubArn, SubscribedAt,
 * AutoEnableControls, ControlFindingGenerator) and the enabled standards
 * (GetEnabledStandards → StandardsSubscriptions), as docs/resources.md describes.
 *
 * A region where Security Hub is off answers DescribeHub with InvalidAccessException "Account
 * ... is not subscribed to AWS Security Hub": that is stored as "HubArn": null, not as an
 * error. The same code with any other message (a real denial) is recorded as an error.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

/* Every page of GetEnabledStandards (a POST whose token travels in the request document), or
 * NULL after recording the failure. */
static json_t *standards(struct collect_ctx *ctx, const char *region)
{
    json_t *all = json_array();
    char *token = NULL;
    for (int page = 0; page < 1000; page++) {
        const char *p[] = {"NextToken", token};
        char *body = collect_json_body(p, token ? 1 : 0);
        struct aws_call call = {"securityhub", region, "GetEnabledStandards", NULL, 0, body};
        json_t *v = collect_request(ctx, &call, NULL, NULL);
        free(body);
        if (!v) {
            json_decref(all);
            all = NULL;
            break;
        }
        json_array_extend(all, json_object_get(v, "StandardsSubscriptions"));
        const char *next = json_string_value(json_object_get(v, "NextToken"));
        char *prev = token;
        token = next && *next && !(prev && strcmp(prev, next) == 0) ? xstrdup(next) : NULL;
        free(prev);
        json_decref(v);
        if (!token)
            break;
    }
    free(token);
    return all;
}

static void hub(struct collect_ctx *ctx, void *arg)
{
    const char *region = arg;
    static const char *const off[] = {"InvalidAccessException:not subscribed", NULL};
    const char *hit;
    json_t *h = collect_call(ctx, "securityhub", region, "DescribeHub", NULL, 0, off, &hit);
    if (!h && !hit)
        return; /* recorded */
    json_t *data = h ? h : json_pack("{s:n}", "HubArn");
    const char *arn = json_string_value(json_object_get(data, "HubArn"));
    if (arn) {
        json_t *subs = standards(ctx, region);
        if (subs)
            json_object_set_new(data, "StandardsSubscriptions", subs);
    }
    sink_resource(ctx->sink, "aws_securityhub_account", region, region, arn, data);
}

void collect_securityhub(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, hub, region);
}
