/*
 * ec2.c — the EC2/VPC collector for one region: aws_ec2_region, aws_ec2_security_group,
 * aws_ec2_vpc, aws_vpc_flow_log, aws_ec2_instance and aws_ebs_encryption_by_default, shaped
 * as docs/resources.md describes (the DescribeX entries as AWS returns them); and the
 * discovery of the account's enabled regions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

static const struct collect_paging NEXT = {"NextToken", "NextToken", NULL};

json_t *collect_regions(struct collect_ctx *ctx, const char *home)
{
    json_t *v = collect_call(ctx, "ec2", home, "DescribeRegions", NULL, 0, NULL, NULL);
    if (!v)
        return NULL;
    json_t *regions = json_incref(json_object_get(v, "Regions"));
    json_decref(v);
    return json_is_array(regions) ? regions : (json_decref(regions), NULL);
}

/* One resource per entry of list, id from id_key; arn from arn_key, or built with fmt
 * ("arn:PARTITION:ec2:REGION:ACCOUNT:<kind>/ID") when kind is given. */
static void emit(struct collect_ctx *ctx, const char *type, const char *region, json_t *list,
                 const char *id_key, const char *arn_key, const char *kind)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *id = json_string_value(json_object_get(e, id_key));
        if (!id)
            continue;
        const char *arn = arn_key ? json_string_value(json_object_get(e, arn_key)) : NULL;
        char *built = !arn && kind ? xasprintf("arn:%s:ec2:%s:%s:%s/%s", aws_partition(region), region,
                                               ctx->account_id, kind, id)
                                   : NULL;
        sink_resource(ctx->sink, type, region, id, arn ? arn : built, json_incref(e));
        free(built);
    }
}

static void security_groups(struct collect_ctx *ctx, void *region)
{
    const char *max[] = {"MaxResults", "1000"}, *keys[] = {"SecurityGroups"};
    json_t *out[1];
    if (collect_pages(ctx, "ec2", region, "DescribeSecurityGroups", max, 1, &NEXT, keys, out, 1) == 0)
        emit(ctx, "aws_ec2_security_group", region, out[0], "GroupId", NULL, "security-group");
    json_decref(out[0]);
}

static void vpcs(struct collect_ctx *ctx, void *region)
{
    const char *max[] = {"MaxResults", "1000"}, *keys[] = {"Vpcs"};
    json_t *out[1];
    if (collect_pages(ctx, "ec2", region, "DescribeVpcs", max, 1, &NEXT, keys, out, 1) == 0)
        emit(ctx, "aws_ec2_vpc", region, out[0], "VpcId", NULL, "vpc");
    json_decref(out[0]);
}

static void flow_logs(struct collect_ctx *ctx, void *region)
{
    const char *max[] = {"MaxResults", "1000"}, *keys[] = {"FlowLogs"};
    json_t *out[1];
    if (collect_pages(ctx, "ec2", region, "DescribeFlowLogs", max, 1, &NEXT, keys, out, 1) == 0)
        emit(ctx, "aws_vpc_flow_log", region, out[0], "FlowLogId", NULL, "vpc-flow-log");
    json_decref(out[0]);
}

static void instances(struct collect_ctx *ctx, void *region)
{
    const char *max[] = {"MaxResults", "1000"}, *keys[] = {"Reservations"};
    json_t *out[1];
    if (collect_pages(ctx, "ec2", region, "DescribeInstances", max, 1, &NEXT, keys, out, 1) == 0) {
        size_t i;
        json_t *r;
        json_array_foreach(out[0], i, r) emit(
            ctx, "aws_ec2_instance", region, json_object_get(r, "Instances"), "InstanceId", NULL, "instance");
    }
    json_decref(out[0]);
}

static void ebs_default(struct collect_ctx *ctx, void *region)
{
    json_t *ebs = collect_call(ctx, "ec2", region, "GetEbsEncryptionByDefault", NULL, 0, NULL, NULL);
    if (ebs) {
        json_t *data = json_object();
        json_object_set(data, "EbsEncryptionByDefault", json_object_get(ebs, "EbsEncryptionByDefault"));
        sink_resource(ctx->sink, "aws_ebs_encryption_by_default", region, region, NULL, data);
        json_decref(ebs);
    }
}

void collect_ec2(struct collect_ctx *ctx, const char *region, json_t *region_entry)
{
    if (region_entry)
        sink_resource(ctx->sink, "aws_ec2_region", region, region, NULL, json_incref(region_entry));
    collect_spawn_region(ctx, security_groups, region);
    collect_spawn_region(ctx, vpcs, region);
    collect_spawn_region(ctx, flow_logs, region);
    collect_spawn_region(ctx, instances, region);
    collect_spawn_region(ctx, ebs_default, region);
}
