/*
 * elbv2.c — the Elastic Load Balancing v2 collector for one region: aws_lb for every
 * application, network and gateway load balancer (DescribeLoadBalancers) with its
 * Listeners (DescribeListeners, one call per load balancer), and for each listener with an
 * SslPolicy the protocol versions that policy allows (SslProtocols), from one
 * DescribeSSLPolicies listing per region, read only when some listener has a policy. The
 * policies are looked up rather than known by name, so a policy AWS adds later is judged by
 * what it allows. Classic load balancers (the elb API) are not read.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"
#include "edge.h"

static const struct collect_paging MARKER = {"Marker", "NextMarker", NULL};

static json_t *policy_protocols(const json_t *policies, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p)
    {
        const char *n = json_string_value(json_object_get(p, "Name"));
        json_t *protocols = json_object_get(p, "SslProtocols");
        if (n && strcmp(n, name) == 0)
            return protocols ? json_deep_copy(protocols) : json_array();
    }
    return json_null(); /* a policy the listing does not know */
}

/* DescribeListeners does not return an OIDC client secret today; never keep one if it does. */
static void drop_client_secrets(json_t *listener)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(listener, "DefaultActions"), i, a)
        json_object_del(json_object_get(a, "AuthenticateOidcConfig"), "ClientSecret");
}

json_t *collect_lb_data(const json_t *lb, const json_t *listeners, const json_t *policies)
{
    json_t *data = json_deep_copy(lb);
    if (!json_is_object(data)) {
        json_decref(data);
        data = json_object();
    }
    if (!listeners)
        return data;
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(listeners, i, l)
    {
        json_t *copy = json_deep_copy(l);
        if (!json_is_object(copy)) {
            json_decref(copy);
            continue;
        }
        drop_client_secrets(copy);
        const char *policy = json_string_value(json_object_get(copy, "SslPolicy"));
        if (policy && *policy && policies)
            json_object_set_new(copy, "SslProtocols", policy_protocols(policies, policy));
        json_array_append_new(out, copy);
    }
    json_object_set_new(data, "Listeners", out);
    return data;
}

static int has_ssl_policy(const json_t *listeners)
{
    size_t i;
    json_t *l;
    json_array_foreach(listeners, i, l)
    {
        const char *p = json_string_value(json_object_get(l, "SslPolicy"));
        if (p && *p)
            return 1;
    }
    return 0;
}

static void load_balancers(struct collect_ctx *ctx, void *region)
{
    const char *lb_keys[] = {"LoadBalancers"}, *l_keys[] = {"Listeners"}, *p_keys[] = {"SslPolicies"};
    json_t *lbs;
    if (collect_pages(ctx, "elbv2", region, "DescribeLoadBalancers", NULL, 0, &MARKER, lb_keys, &lbs, 1)) {
        json_decref(lbs);
        return; /* recorded */
    }
    size_t n = json_array_size(lbs), i;
    json_t **listeners = xcalloc(n ? n : 1, sizeof *listeners), *lb, *policies = NULL;
    int need_policies = 0;
    json_array_foreach(lbs, i, lb)
    {
        const char *arn = json_string_value(json_object_get(lb, "LoadBalancerArn"));
        const char *p[] = {"LoadBalancerArn", arn};
        if (arn && collect_pages(ctx, "elbv2", region, "DescribeListeners", p, 1, &MARKER, l_keys,
                                 &listeners[i], 1) == 0) {
            need_policies |= has_ssl_policy(listeners[i]);
        } else if (arn) {
            json_decref(listeners[i]); /* the failure is recorded; the listeners stay unknown */
            listeners[i] = NULL;
        }
    }
    if (need_policies &&
        collect_pages(ctx, "elbv2", region, "DescribeSSLPolicies", NULL, 0, &MARKER, p_keys, &policies, 1)) {
        json_decref(policies);
        policies = NULL;
    }
    json_array_foreach(lbs, i, lb)
    {
        json_t *data = collect_lb_data(lb, listeners[i], need_policies ? policies : NULL);
        sink_resource(ctx->sink, "aws_lb", region, json_string_value(json_object_get(lb, "LoadBalancerName")),
                      json_string_value(json_object_get(lb, "LoadBalancerArn")), data);
        json_decref(listeners[i]);
    }
    free(listeners);
    json_decref(policies);
    json_decref(lbs);
}

void collect_elbv2(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, load_balancers, region);
}
