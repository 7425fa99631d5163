/*
 * guardduty.c — the GuardDuty collector for one region: aws_guardduty_detector, one per
 * region (id = the region; an account has at most one detector per region), with the
 * detector's id (ListDetectors) and its settings (GetDetector: Status, FindingPublishingFrequency,
 * DataSources, Features, ...), as docs/resources.md describes. A region without a detector
 * gets "DetectorId": null; when GetDetector fails the settings are left out (not collected).
 */
#include <stdlib.h>

#include "../util/util.h"
#include "collect.h"

/* GuardDuty tags come as a map; the snapshot keeps every tag list as [{Key, Value}]. */
static json_t *tag_list(json_t *map)
{
    json_t *out = json_array(), *v;
    const char *k;
    json_object_foreach(map, k, v) json_array_append_new(out, json_pack("{s:s, s:O}", "Key", k, "Value", v));
    return out;
}

static void detector(struct collect_ctx *ctx, void *arg)
{
    const char *region = arg;
    static const struct collect_paging pg = {"?nextToken", "NextToken", NULL};
    const char *keys[] = {"DetectorIds"};
    json_t *ids[1];
    if (collect_pages(ctx, "guardduty", region, "ListDetectors", NULL, 0, &pg, keys, ids, 1)) {
        json_decref(ids[0]);
        return; /* recorded */
    }
    const char *id = json_string_value(json_array_get(ids[0], 0));
    json_t *data = json_pack("{s:s?}", "DetectorId", id);
    char *arn = NULL;
    if (id) {
        arn = xasprintf("arn:%s:guardduty:%s:%s:detector/%s", aws_partition(region), region, ctx->account_id,
                        id);
        const char *p[] = {"DetectorId", id};
        json_t *d = collect_call(ctx, "guardduty", region, "GetDetector", p, 1, NULL, NULL);
        if (d) {
            json_t *tags = json_object_get(d, "Tags");
            json_object_set_new(d, "Tags", json_is_object(tags) ? tag_list(tags) : json_array());
            json_object_update(data, d);
            json_decref(d);
        }
    }
    json_decref(ids[0]);
    sink_resource(ctx->sink, "aws_guardduty_detector", region, region, arn, data);
    free(arn);
}

void collect_guardduty(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, detector, region);
}
