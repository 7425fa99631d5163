/*
 * ec2.c — the EC2/VPC collector for one region: aws_ec2_region, aws_ec2_security_group,
 * aws_ec2_vpc, aws_vpc_flow_log, aws_ec2_instance, aws_ebs_encryption_by_default and the
 * routing pieces (aws_ec2_subnet, aws_ec2_route_table, aws_ec2_nat_gateway,
 * aws_ec2_internet_gateway, aws_ec2_vpc_endpoint), shaped as docs/resources.md describes
 * (the DescribeX entries as AWS returns them); and the discovery of the account's enabled
 * regions.
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

/* One DescribeX listing turned into resources: the list under key, each entry's id under
 * id_key (arn under arn_key, else built from kind). */
struct listing {
    const char *op, *max, *key, *type, *id_key, *arn_key, *kind;
};

static const struct listing routing[] = {
    {"DescribeSubnets", "1000", "Subnets", "aws_ec2_subnet", "SubnetId", "SubnetArn", "subnet"},
    {"DescribeRouteTables", "100", "RouteTables", "aws_ec2_route_table", "RouteTableId", NULL, "route-table"},
    {"DescribeNatGateways", "1000", "NatGateways", "aws_ec2_nat_gateway", "NatGatewayId", NULL, "natgateway"},
    {"DescribeInternetGateways", "1000", "InternetGateways", "aws_ec2_internet_gateway", "InternetGatewayId",
     NULL, "internet-gateway"},
    {"DescribeVpcEndpoints", "1000", "VpcEndpoints", "aws_ec2_vpc_endpoint", "VpcEndpointId", NULL,
     "vpc-endpoint"},
};

/* A policy document sent as JSON text (VPC endpoints) stored decoded, as every policy is. */
static void decode_policies(json_t *list, const char *key)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *text = json_string_value(json_object_get(e, key));
        json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
        if (doc)
            json_object_set_new(e, key, doc);
    }
}

struct listing_arg {
    char *region;
    const struct listing *l;
};

static void listing_arg_free(void *p)
{
    struct listing_arg *a = p;
    free(a->region);
    free(a);
}

static void listing_task(struct collect_ctx *ctx, void *arg)
{
    const struct listing_arg *a = arg;
    const struct listing *l = a->l;
    const char *max[] = {"MaxResults", l->max}, *keys[] = {l->key};
    json_t *out[1];
    if (collect_pages(ctx, "ec2", a->region, l->op, max, 1, &NEXT, keys, out, 1) == 0) {
        if (strcmp(l->type, "aws_ec2_vpc_endpoint") == 0)
            decode_policies(out[0], "PolicyDocument");
        emit(ctx, l->type, a->region, out[0], l->id_key, l->arn_key, l->kind);
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
    for (size_t i = 0; i < sizeof routing / sizeof *routing; i++) {
        struct listing_arg *a = xcalloc(1, sizeof *a);
        a->region = xstrdup(region);
        a->l = &routing[i];
        collect_spawn(ctx, listing_task, a, listing_arg_free);
    }
}
