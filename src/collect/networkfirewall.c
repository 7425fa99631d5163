/*
 * networkfirewall.c — AWS Network Firewall in one region, as docs/resources.md describes:
 *   aws_networkfirewall_firewall         DescribeFirewall's Firewall, with FirewallStatus
 *                                        (whose SyncStates name the endpoint, vpce-..., that
 *                                        routes send traffic to)
 *   aws_networkfirewall_firewall_policy  DescribeFirewallPolicy's FirewallPolicyResponse,
 *                                        with the FirewallPolicy, for each policy a firewall
 *                                        uses
 *   aws_networkfirewall_rule_group       DescribeRuleGroup's RuleGroupResponse, with the
 *                                        RuleGroup, for each stateful rule group those
 *                                        policies reference (AWS-managed groups excepted:
 *                                        they are threat lists, never an allow-list)
 * The policies and rule groups are what says whether egress is limited to a list of
 * domains (a stateful domain-list rule group of type ALLOWLIST).
 */
#include <string.h>

#include "../util/util.h"
#include "collect.h"

static const struct collect_paging NEXT = {"NextToken", "NextToken", NULL};

/* Describe one object by ARN and store it as a resource of type: the response's main member
 * (main) with its detail member (detail, e.g. the policy itself; null when absent) added,
 * named by name_key and arn_key. Returns that data (a new reference the caller drops), or
 * NULL when the call failed (recorded). */
static json_t *describe(struct collect_ctx *ctx, const char *region, const char *op, const char *arn_param,
                        const char *arn, const char *main, const char *detail, const char *type,
                        const char *name_key, const char *arn_key)
{
    const char *p[] = {arn_param, arn};
    json_t *v = collect_call(ctx, "network-firewall", region, op, p, 1, NULL, NULL);
    json_t *data = json_is_object(json_object_get(v, main)) ? json_deep_copy(json_object_get(v, main)) : NULL;
    if (data) {
        json_t *d = json_object_get(v, detail);
        json_object_set(data, detail, d ? d : json_null());
        sink_resource(ctx->sink, type, region, json_string_value(json_object_get(data, name_key)),
                      json_string_value(json_object_get(data, arn_key)), json_incref(data));
    } else if (v) {
        char *msg = xasprintf("%s answered without %s", op, main);
        sink_error(ctx->sink, "network-firewall", region, op, "MalformedResponse", msg);
        free(msg);
    }
    json_decref(v);
    return data;
}

static void add_unique(json_t *set, const char *s)
{
    if (s && *s && !json_object_get(set, s))
        json_object_set_new(set, s, json_true());
}

static void firewalls(struct collect_ctx *ctx, void *region)
{
    const char *keys[] = {"Firewalls"}; /* (MaxResults would have to be a JSON number) */
    json_t *out[1];
    if (collect_pages(ctx, "network-firewall", region, "ListFirewalls", NULL, 0, &NEXT, keys, out, 1) != 0) {
        json_decref(out[0]);
        return;
    }
    json_t *policies = json_object(), *groups = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(out[0], i, f)
    {
        const char *arn = json_string_value(json_object_get(f, "FirewallArn"));
        if (!arn)
            continue;
        json_t *fw =
            describe(ctx, region, "DescribeFirewall", "FirewallArn", arn, "Firewall", "FirewallStatus",
                     "aws_networkfirewall_firewall", "FirewallName", "FirewallArn");
        add_unique(policies, json_string_value(json_object_get(fw, "FirewallPolicyArn")));
        json_decref(fw);
    }
    const char *parn;
    json_t *unused;
    json_object_foreach(policies, parn, unused)
    {
        json_t *pol =
            describe(ctx, region, "DescribeFirewallPolicy", "FirewallPolicyArn", parn,
                     "FirewallPolicyResponse", "FirewallPolicy", "aws_networkfirewall_firewall_policy",
                     "FirewallPolicyName", "FirewallPolicyArn");
        json_t *ref;
        json_array_foreach(
            json_object_get(json_object_get(pol, "FirewallPolicy"), "StatefulRuleGroupReferences"), i, ref)
        {
            const char *garn = json_string_value(json_object_get(ref, "ResourceArn"));
            if (garn && !strstr(garn, ":aws-managed:"))
                add_unique(groups, garn);
        }
        json_decref(pol);
    }
    const char *garn;
    json_object_foreach(groups, garn, unused)
    {
        json_decref(describe(ctx, region, "DescribeRuleGroup", "RuleGroupArn", garn, "RuleGroupResponse",
                             "RuleGroup", "aws_networkfirewall_rule_group", "RuleGroupName", "RuleGroupArn"));
    }
    json_decref(policies);
    json_decref(groups);
    json_decref(out[0]);
}

void collect_networkfirewall(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, firewalls, region);
}
