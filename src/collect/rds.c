/*
 * rds.c — the RDS collector for one region: aws_rds_db_instance (the DescribeDBInstances
 * entry, its TagList kept as Tags like every other type; see docs/resources.md).
 */
#include <string.h>

#include "collect.h"

static void db_instances(struct collect_ctx *ctx, void *region)
{
    static const struct collect_paging MARKER = {"Marker", "Marker", NULL};
    const char *params[] = {"MaxRecords", "100"};
    const char *keys[] = {"DBInstances"};
    json_t *out[1];
    if (collect_pages(ctx, "rds", region, "DescribeDBInstances", params, 1, &MARKER, keys, out, 1) == 0) {
        size_t i;
        json_t *db;
        json_array_foreach(out[0], i, db)
        {
            const char *id = json_string_value(json_object_get(db, "DBInstanceIdentifier"));
            if (!id)
                continue;
            json_t *tags = json_object_get(db, "TagList");
            json_object_set_new(db, "Tags", tags ? json_incref(tags) : json_array());
            json_object_del(db, "TagList");
            sink_resource(ctx->sink, "aws_rds_db_instance", region, id,
                          json_string_value(json_object_get(db, "DBInstanceArn")), json_incref(db));
        }
    }
    json_decref(out[0]);
}

void collect_rds(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, db_instances, region);
}
