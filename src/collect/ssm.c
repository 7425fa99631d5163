/*
 * ssm.c — the Systems Manager collector for one region, two region-wide resources (see
 * docs/resources.md):
 *
 *  - aws_ssm_instance_information: every managed node the region's SSM knows
 *    (DescribeInstanceInformation), as one list, so that a region whose list was read can
 *    be told from one that was not: an EC2 instance missing from a list that was read is
 *    unmanaged; from a list that was not read, unknown.
 *  - aws_ssm_session_preferences: the Session Manager preferences, which live in the
 *    account's document SSM-SessionManagerRunShell (GetDocument, asked for as JSON, its
 *    Content decoded). No such document (InvalidDocument) means the defaults: no session
 *    logging, stored as "Content": null.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../util/util.h"
#include "collect.h"

#define PREFERENCES "SSM-SessionManagerRunShell"

static void instance_information(struct collect_ctx *ctx, void *region)
{
    json_t *body = json_pack("{s:i}", "MaxResults", 50), *list;
    int rc = collect_json_pages(ctx, "ssm", region, "DescribeInstanceInformation", body, "NextToken",
                                "NextToken", "InstanceInformationList", &list);
    json_decref(body);
    if (rc == 0)
        sink_resource(ctx->sink, "aws_ssm_instance_information", region, region, NULL,
                      json_pack("{s:o}", "InstanceInformationList", list));
    else
        json_decref(list);
}

/* The preferences document's resource data from a GetDocument answer (NULL: the document does
 * not exist). Returns a new object. */
json_t *collect_ssm_preferences_data(json_t *doc)
{
    json_t *data = json_object();
    if (!doc) {
        json_object_set_new(data, "Name", json_string(PREFERENCES));
        json_object_set_new(data, "Content", json_null());
        return data;
    }
    static const char *const keep[] = {"Name",         "DocumentVersion", "Status",
                                       "DocumentType", "DocumentFormat",  "CreatedDate"};
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
        json_t *v = json_object_get(doc, keep[k]);
        if (v)
            json_object_set(data, keep[k], v);
    }
    const char *text = json_string_value(json_object_get(doc, "Content"));
    json_t *content = text ? json_loads(text, 0, NULL) : NULL;
    /* not JSON (a YAML document SSM would not convert): kept as text, so controls say so */
    json_object_set_new(data, "Content", content ? content : text ? json_string(text) : json_null());
    return data;
}

static void session_preferences(struct collect_ctx *ctx, void *region)
{
    static const char *const quiet[] = {"InvalidDocument", NULL};
    const char *params[] = {"Name", PREFERENCES, "DocumentFormat", "JSON"}, *hit = NULL;
    json_t *v = collect_call(ctx, "ssm", region, "GetDocument", params, 2, quiet, &hit);
    if (!v && !hit)
        return; /* recorded */
    char *arn = xasprintf("arn:%s:ssm:%s:%s:document/%s", aws_partition(region), (const char *)region,
                          ctx->account_id, PREFERENCES);
    sink_resource(ctx->sink, "aws_ssm_session_preferences", region, region, arn,
                  collect_ssm_preferences_data(v));
    free(arn);
    json_decref(v);
}

void collect_ssm(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, instance_information, region);
    collect_spawn_region(ctx, session_preferences, region);
}
