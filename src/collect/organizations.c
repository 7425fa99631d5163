/*
 * organizations.c — the AWS Organizations collector (region "global"): when the account is
 * in an organization, aws_organizations_policy_path — the organization, and the path from the
 * root down to this account (root, organizational units, the account), each level with its
 * service control policies and resource control policies, documents decoded. A standalone
 * account (AWSOrganizationsNotInUseException) has no such resource, and that is not an error.
 * Listing policies needs the management account or a delegated administrator; elsewhere the
 * denial is recorded, so whatever needs SCPs knows they could not be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

#define G "global"

static const struct collect_paging NEXT = {"NextToken", "NextToken", NULL};

/* The policies of one type attached to target, with their documents (described once each:
 * docs caches them by id); NULL after an error. */
static json_t *policies_for(struct collect_ctx *ctx, const char *target, const char *type, json_t *docs)
{
    const char *params[] = {"TargetId", target, "Filter", type}, *keys[] = {"Policies"};
    json_t *list[1];
    if (collect_pages(ctx, "organizations", ctx->home, "ListPoliciesForTarget", params, 2, &NEXT, keys, list,
                      1)) {
        json_decref(list[0]);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(list[0], i, p)
    {
        const char *id = json_string_value(json_object_get(p, "Id"));
        const char *dp[] = {"PolicyId", id};
        json_t *d = id ? json_incref(json_object_get(docs, id)) : NULL;
        if (id && !d &&
            (d = collect_call(ctx, "organizations", ctx->home, "DescribePolicy", dp, 1, NULL, NULL)))
            json_object_set(docs, id, d);
        const char *text = json_string_value(json_object_get(json_object_get(d, "Policy"), "Content"));
        json_t *entry = json_deep_copy(p);
        json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
        if (doc || text)
            json_object_set_new(entry, "Content", doc ? doc : json_string(text));
        json_decref(d);
        if (!text) { /* DescribePolicy failed (recorded): the level is incomplete */
            json_decref(entry);
            json_decref(out);
            out = NULL;
            break;
        }
        json_array_append_new(out, entry);
    }
    json_decref(list[0]);
    return out;
}

static void policy_path(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    const char *quiet[] = {"AWSOrganizationsNotInUseException", NULL}, *hit;
    json_t *org = collect_call(ctx, "organizations", ctx->home, "DescribeOrganization", NULL, 0, quiet, &hit);
    if (!org)
        return; /* standalone (quiet), or recorded */
    json_t *o = json_object_get(org, "Organization");
    const char *features = json_string_value(json_object_get(o, "FeatureSet"));
    const char *master = json_string_value(json_object_get(o, "MasterAccountId"));
    /* the path, account first: ListParents until the root */
    json_t *path = json_array();
    json_array_append_new(path, json_pack("{s:s, s:s}", "Id", ctx->account_id, "Type", "ACCOUNT"));
    char *child = xstrdup(ctx->account_id);
    int ok = 1;
    for (int depth = 0; depth < 8 && ok; depth++) {
        const char *params[] = {"ChildId", child};
        json_t *v = collect_call(ctx, "organizations", ctx->home, "ListParents", params, 1, NULL, NULL);
        json_t *parent = json_array_get(json_object_get(v, "Parents"), 0);
        const char *id = json_string_value(json_object_get(parent, "Id"));
        const char *type = json_string_value(json_object_get(parent, "Type"));
        if (!id || !type) {
            ok = 0; /* recorded, or a malformed answer */
            if (v)
                sink_error(ctx->sink, "organizations", G, "ListParents", "MalformedResponse",
                           "no parent in the answer");
        } else {
            json_array_insert_new(path, 0, json_pack("{s:s, s:s}", "Id", id, "Type", type));
            free(child);
            child = xstrdup(id);
            if (strcmp(type, "ROOT") == 0) {
                json_decref(v);
                break;
            }
        }
        json_decref(v);
    }
    free(child);
    int all_features = features && strcmp(features, "ALL") == 0;
    json_t *docs = json_object();
    size_t i;
    json_t *level;
    json_array_foreach(path, i, level)
    {
        if (!ok || !all_features)
            break;
        const char *id = json_string_value(json_object_get(level, "Id"));
        json_t *scps = policies_for(ctx, id, "SERVICE_CONTROL_POLICY", docs);
        json_t *rcps = scps ? policies_for(ctx, id, "RESOURCE_CONTROL_POLICY", docs) : NULL;
        if (!scps || !rcps) {
            json_decref(scps);
            ok = 0;
            break;
        }
        json_object_set_new(level, "ServiceControlPolicies", scps);
        json_object_set_new(level, "ResourceControlPolicies", rcps);
    }
    json_decref(docs);
    if (ok) {
        json_t *data =
            json_pack("{s:O, s:o, s:b, s:b}", "Organization", o, "Path", path, "PoliciesApply", all_features,
                      "IsManagementAccount", master && strcmp(master, ctx->account_id) == 0);
        sink_resource(ctx->sink, "aws_organizations_policy_path", G, ctx->account_id, NULL, data);
    } else {
        json_decref(path);
    }
    json_decref(org);
}

void collect_organizations(struct collect_ctx *ctx) { collect_spawn(ctx, policy_path, NULL, NULL); }
