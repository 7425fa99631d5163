/*
 * cloudtrail.c — the CloudTrail collector for one region: aws_cloudtrail_trail for every
 * trail whose home region this is (so a multi-region trail is listed once), with its
 * status (GetTrailStatus) and event selectors (GetEventSelectors), as docs/resources.md
 * describes.
 */
#include <string.h>

#include "../util/util.h"
#include "collect.h"

static void trails(struct collect_ctx *ctx, void *region)
{
    struct aws_call call = {"cloudtrail", region, "DescribeTrails",
                            NULL,         0,      "{\"includeShadowTrails\":false}"};
    json_t *v = collect_request(ctx, &call, NULL, NULL);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(v, "trailList"), i, t)
    {
        const char *arn = json_string_value(json_object_get(t, "TrailARN"));
        const char *name = json_string_value(json_object_get(t, "Name"));
        const char *home = json_string_value(json_object_get(t, "HomeRegion"));
        if (!arn || !name || (home && strcmp(home, region) != 0))
            continue; /* a shadow of a trail listed in its home region */
        const char *p1[] = {"Name", arn}, *p2[] = {"TrailName", arn};
        json_t *st = collect_call(ctx, "cloudtrail", region, "GetTrailStatus", p1, 1, NULL, NULL);
        if (st)
            json_object_set_new(t, "Status", st);
        json_t *sel = collect_call(ctx, "cloudtrail", region, "GetEventSelectors", p2, 1, NULL, NULL);
        if (sel) {
            json_t *es = json_object_get(sel, "EventSelectors"),
                   *aes = json_object_get(sel, "AdvancedEventSelectors");
            json_object_set_new(t, "EventSelectors", es ? json_incref(es) : json_array());
            json_object_set_new(t, "AdvancedEventSelectors", aes ? json_incref(aes) : json_array());
            json_decref(sel);
        }
        sink_resource(ctx->sink, "aws_cloudtrail_trail", region, name, arn, json_incref(t));
    }
    json_decref(v);
}

void collect_cloudtrail(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, trails, region);
}
