/*
 * config.c — the AWS Config collector for one region: aws_config_region, one per region,
 * holding the region's configuration recorders (DescribeConfigurationRecorders), their
 * status (DescribeConfigurationRecorderStatus) and the delivery channels
 * (DescribeDeliveryChannels) as the three API outputs, as docs/resources.md describes.
 *
 * Config has no "not enabled" error: a region without a recorder answers empty lists. When
 * the recorder listing itself fails there is no resource (the error is recorded); when a
 * later call fails, its member is left out of data, which the control reads as not
 * collected.
 */
#include "../util/util.h"
#include "collect.h"

/* data[member] = output[member] of op, or nothing when the call failed (recorded). */
static void merge_list(struct collect_ctx *ctx, json_t *data, const char *region, const char *op,
                       const char *member)
{
    json_t *v = collect_call(ctx, "config", region, op, NULL, 0, NULL, NULL);
    if (!v)
        return;
    json_t *list = json_object_get(v, member);
    json_object_set_new(data, member, json_is_array(list) ? json_incref(list) : json_array());
    json_decref(v);
}

static void config_region(struct collect_ctx *ctx, void *arg)
{
    const char *region = arg;
    json_t *rec = collect_call(ctx, "config", region, "DescribeConfigurationRecorders", NULL, 0, NULL, NULL);
    if (!rec)
        return; /* recorded */
    json_t *list = json_object_get(rec, "ConfigurationRecorders"), *data = json_object();
    json_object_set_new(data, "ConfigurationRecorders",
                        json_is_array(list) ? json_incref(list) : json_array());
    json_decref(rec);
    merge_list(ctx, data, region, "DescribeConfigurationRecorderStatus", "ConfigurationRecordersStatus");
    merge_list(ctx, data, region, "DescribeDeliveryChannels", "DeliveryChannels");
    sink_resource(ctx->sink, "aws_config_region", region, region, NULL, data);
}

void collect_config(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, config_region, region);
}
