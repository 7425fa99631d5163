/*
 * appstream.c — Amazon AppStream 2.0 in one region, as docs/resources.md describes:
 *   aws_appstream_stack  a DescribeStacks entry (UserSettings always present: the API may
 *                        leave it out, and every action it does not list is ENABLED)
 *   aws_appstream_fleet  a DescribeFleets entry (its VpcConfig.SubnetIds are part of the
 *                        separated network)
 */
#include <string.h>

#include "../util/util.h"
#include "collect.h"

static const struct collect_paging NEXT = {"NextToken", "NextToken", NULL};

static void listing(struct collect_ctx *ctx, const char *region, const char *op, const char *key,
                    const char *type)
{
    const char *keys[] = {key};
    json_t *out[1];
    if (collect_pages(ctx, "appstream", region, op, NULL, 0, &NEXT, keys, out, 1) == 0) {
        size_t i;
        json_t *e;
        json_array_foreach(out[0], i, e)
        {
            if (strcmp(type, "aws_appstream_stack") == 0 &&
                !json_is_array(json_object_get(e, "UserSettings")))
                json_object_set_new(e, "UserSettings", json_array());
            sink_resource(ctx->sink, type, region, json_string_value(json_object_get(e, "Name")),
                          json_string_value(json_object_get(e, "Arn")), json_incref(e));
        }
    }
    json_decref(out[0]);
}

static void stacks(struct collect_ctx *ctx, void *region)
{
    listing(ctx, region, "DescribeStacks", "Stacks", "aws_appstream_stack");
}

static void fleets(struct collect_ctx *ctx, void *region)
{
    listing(ctx, region, "DescribeFleets", "Fleets", "aws_appstream_fleet");
}

void collect_appstream(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, stacks, region);
    collect_spawn_region(ctx, fleets, region);
}
