/*
 * rds.c — the RDS collector for one region: aws_rds_db_instance (the DescribeDBInstances
 * entry), and what the instances' settings depend on: aws_rds_db_cluster (DescribeDBClusters,
 * read only when an instance belongs to a cluster, because Aurora and Multi-AZ cluster
 * members take their backups, deletion protection, log exports and master secret from the
 * cluster) and aws_rds_option_group (DescribeOptionGroups, only for the option groups of SQL
 * Server and Db2 instances, whose audit logs go to S3 through an option rather than to
 * CloudWatch). TagList is kept as Tags like every other type; see docs/resources.md.
 */
#include <string.h>

#include "collect.h"

static const struct collect_paging MARKER = {"Marker", "Marker", NULL};

/* TagList → Tags ([] when absent), in place. */
static void rename_tags(json_t *o)
{
    json_t *tags = json_object_get(o, "TagList");
    json_object_set_new(o, "Tags", tags ? json_incref(tags) : json_array());
    json_object_del(o, "TagList");
}

/* Engines whose audit trail is an option of the option group (SQL Server Audit, Db2 audit),
 * delivered to S3, not a CloudWatch Logs export. */
static int audit_by_option(const char *engine)
{
    return engine && (strncmp(engine, "sqlserver", 9) == 0 || strncmp(engine, "custom-sqlserver", 16) == 0 ||
                      strncmp(engine, "db2", 3) == 0);
}

static void db_clusters(struct collect_ctx *ctx, const char *region)
{
    const char *params[] = {"MaxRecords", "100"};
    const char *keys[] = {"DBClusters"};
    json_t *out[1];
    if (collect_pages(ctx, "rds", region, "DescribeDBClusters", params, 1, &MARKER, keys, out, 1) == 0) {
        size_t i;
        json_t *c;
        json_array_foreach(out[0], i, c)
        {
            rename_tags(c);
            sink_resource(ctx->sink, "aws_rds_db_cluster", region,
                          json_string_value(json_object_get(c, "DBClusterIdentifier")),
                          json_string_value(json_object_get(c, "DBClusterArn")), json_incref(c));
        }
    }
    json_decref(out[0]);
}

/* Only the options' names and versions are kept, with the settings of the audit options:
 * other options' settings are not needed and might hold values nobody should copy. */
static json_t *option_summary(json_t *opt)
{
    const char *name = json_string_value(json_object_get(opt, "OptionName"));
    json_t *o = json_object();
    static const char *const keep[] = {"OptionName", "OptionVersion", "Persistent", "Permanent"};
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
        json_t *v = json_object_get(opt, keep[k]);
        if (v)
            json_object_set(o, keep[k], v);
    }
    if (name && (strcmp(name, "SQLSERVER_AUDIT") == 0 || strcmp(name, "DB2_AUDIT") == 0)) {
        json_t *settings = json_array(), *s;
        size_t i;
        json_array_foreach(json_object_get(opt, "OptionSettings"), i, s)
            json_array_append_new(settings, json_pack("{s:O?, s:O?}", "Name", json_object_get(s, "Name"),
                                                      "Value", json_object_get(s, "Value")));
        json_object_set_new(o, "OptionSettings", settings);
    }
    return o;
}

static void option_group(struct collect_ctx *ctx, const char *region, const char *name)
{
    const char *params[] = {"OptionGroupName", name};
    json_t *v = collect_call(ctx, "rds", region, "DescribeOptionGroups", params, 1, NULL, NULL);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(v, "OptionGroupsList"), i, g)
    {
        const char *id = json_string_value(json_object_get(g, "OptionGroupName"));
        if (!id || strcmp(id, name) != 0)
            continue;
        json_t *data = json_object(), *opts = json_array(), *opt;
        static const char *const keep[] = {"OptionGroupName", "OptionGroupArn", "EngineName",
                                           "MajorEngineVersion", "VpcId"};
        for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
            json_t *x = json_object_get(g, keep[k]);
            if (x)
                json_object_set(data, keep[k], x);
        }
        size_t j;
        json_array_foreach(json_object_get(g, "Options"), j, opt)
            json_array_append_new(opts, option_summary(opt));
        json_object_set_new(data, "Options", opts);
        sink_resource(ctx->sink, "aws_rds_option_group", region, id,
                      json_string_value(json_object_get(g, "OptionGroupArn")), data);
    }
    json_decref(v);
}

static void db_instances(struct collect_ctx *ctx, void *region)
{
    const char *params[] = {"MaxRecords", "100"};
    const char *keys[] = {"DBInstances"};
    json_t *out[1];
    int clustered = 0;
    json_t *groups = json_object(); /* option groups to read: name → true */
    if (collect_pages(ctx, "rds", region, "DescribeDBInstances", params, 1, &MARKER, keys, out, 1) == 0) {
        size_t i;
        json_t *db;
        json_array_foreach(out[0], i, db)
        {
            const char *id = json_string_value(json_object_get(db, "DBInstanceIdentifier"));
            if (!id)
                continue;
            rename_tags(db);
            clustered |= json_is_string(json_object_get(db, "DBClusterIdentifier"));
            if (audit_by_option(json_string_value(json_object_get(db, "Engine")))) {
                size_t k;
                json_t *m;
                json_array_foreach(json_object_get(db, "OptionGroupMemberships"), k, m)
                {
                    const char *g = json_string_value(json_object_get(m, "OptionGroupName"));
                    if (g)
                        json_object_set_new(groups, g, json_true());
                }
            }
            sink_resource(ctx->sink, "aws_rds_db_instance", region, id,
                          json_string_value(json_object_get(db, "DBInstanceArn")), json_incref(db));
        }
    }
    json_decref(out[0]);
    if (clustered)
        db_clusters(ctx, region);
    const char *name;
    json_t *unused;
    json_object_foreach(groups, name, unused) option_group(ctx, region, name);
    json_decref(groups);
}

void collect_rds(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, db_instances, region);
}
