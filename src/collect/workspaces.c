/*
 * workspaces.c — Amazon WorkSpaces and AWS Directory Service in one region, as
 * docs/resources.md describes:
 *   aws_workspaces_directory         a DescribeWorkspaceDirectories entry
 *   aws_directory_service_directory  a Directory Service DescribeDirectories entry
 *   aws_workspaces_workspace         a DescribeWorkspaces entry, with its
 *                                    DescribeWorkspacesConnectionStatus entry and the hours
 *                                    with a user connected in the last 30 days (CloudWatch)
 *
 * Facts the APIs leave implicit are made explicit here so that controls can tell "off" from
 * "not collected": DescribeWorkspaces omits the volume-encryption flags of an unencrypted
 * WorkSpace (stored as false); a directory without SAML or RADIUS set up may come without
 * SamlProperties / RadiusSettings and RadiusStatus (stored as null); a WorkSpace absent from
 * a successful connection-status listing gets "ConnectionStatus": null. When a call fails, the member it
 * would fill is left out (the failure is recorded), so a control reports `error`.
 * Secrets never enter the snapshot: the RADIUS shared secret and the directory's
 * registration code are dropped.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "collect.h"

static const struct collect_paging NEXT = {"NextToken", "NextToken", NULL};

#define USAGE_DAYS 30
#define HOUR 3600

static char *arn_of(struct collect_ctx *ctx, const char *service, const char *region, const char *kind,
                    const char *id)
{
    return xasprintf("arn:%s:%s:%s:%s:%s/%s", aws_partition(region), service, region, ctx->account_id, kind,
                     id);
}

/* ---- WorkSpaces directories and Directory Service directories ---- */

static void workspace_directories(struct collect_ctx *ctx, void *region)
{
    const char *keys[] = {"Directories"};
    json_t *out[1];
    if (collect_pages(ctx, "workspaces", region, "DescribeWorkspaceDirectories", NULL, 0, &NEXT, keys, out,
                      1) == 0) {
        size_t i;
        json_t *d;
        json_array_foreach(out[0], i, d)
        {
            const char *id = json_string_value(json_object_get(d, "DirectoryId"));
            json_object_del(d, "RegistrationCode"); /* lets anyone reach the sign-in page */
            if (!json_object_get(d, "SamlProperties"))
                json_object_set_new(d, "SamlProperties", json_null()); /* never set up */
            char *arn = id ? arn_of(ctx, "workspaces", region, "directory", id) : NULL;
            sink_resource(ctx->sink, "aws_workspaces_directory", region, id, arn, json_incref(d));
            free(arn);
        }
    }
    json_decref(out[0]);
}

static void drop_radius_secret(json_t *dir)
{
    json_object_del(json_object_get(dir, "RadiusSettings"), "SharedSecret");
    json_object_del(json_object_get(json_object_get(dir, "OwnerDirectoryDescription"), "RadiusSettings"),
                    "SharedSecret");
}

static void ds_directories(struct collect_ctx *ctx, void *region)
{
    const char *keys[] = {"DirectoryDescriptions"};
    json_t *out[1];
    if (collect_pages(ctx, "ds", region, "DescribeDirectories", NULL, 0, &NEXT, keys, out, 1) == 0) {
        size_t i;
        json_t *d;
        json_array_foreach(out[0], i, d)
        {
            const char *id = json_string_value(json_object_get(d, "DirectoryId"));
            drop_radius_secret(d);
            static const char *const radius[] = {"RadiusSettings", "RadiusStatus"};
            for (size_t k = 0; k < 2; k++) /* left out when RADIUS was never set up */
                if (!json_object_get(d, radius[k]))
                    json_object_set_new(d, radius[k], json_null());
            char *arn = id ? arn_of(ctx, "ds", region, "directory", id) : NULL;
            sink_resource(ctx->sink, "aws_directory_service_directory", region, id, arn, json_incref(d));
            free(arn);
        }
    }
    json_decref(out[0]);
}

/* ---- WorkSpaces with connection status and usage ---- */

struct ws_arg {
    char *region;
    json_t *ws; /* the entry being completed */
    time_t end; /* the usage window: [end - 30 days, end) */
};

static void ws_arg_free(void *p)
{
    struct ws_arg *a = p;
    free(a->region);
    json_decref(a->ws);
    free(a);
}

/* Hours of the window in which the WorkSpace had a user connected (CloudWatch AWS/WorkSpaces
 * UserConnected, hourly maximum >= 1): an integer, null when CloudWatch holds no datapoint
 * for it, or NULL (member left out) when the call failed. */
static json_t *usage_hours(struct collect_ctx *ctx, const char *region, const char *id, time_t end)
{
    char start_s[32], end_s[32];
    time_format(end - (time_t)USAGE_DAYS * 24 * HOUR, start_s, sizeof start_s);
    time_format(end, end_s, sizeof end_s);
    const char *p[] = {"Namespace",
                       "AWS/WorkSpaces",
                       "MetricName",
                       "UserConnected",
                       "Dimensions.member.1.Name",
                       "WorkspaceId",
                       "Dimensions.member.1.Value",
                       id,
                       "StartTime",
                       start_s,
                       "EndTime",
                       end_s,
                       "Period",
                       "3600",
                       "Statistics.member.1",
                       "Maximum"};
    json_t *v = collect_call(ctx, "cloudwatch", region, "GetMetricStatistics", p, 8, NULL, NULL);
    if (!v)
        return NULL;
    json_t *points = json_object_get(v, "Datapoints");
    json_t *out;
    if (json_array_size(points) == 0) {
        out = json_null();
    } else {
        json_int_t hours = 0;
        size_t i;
        json_t *dp;
        json_array_foreach(points, i, dp)
        {
            if (json_number_value(json_object_get(dp, "Maximum")) >= 1.0)
                hours++;
        }
        out = json_integer(hours);
    }
    json_decref(v);
    return out;
}

static void workspace_task(struct collect_ctx *ctx, void *arg)
{
    struct ws_arg *a = arg;
    const char *id = json_string_value(json_object_get(a->ws, "WorkspaceId"));
    if (id) {
        json_t *hours = usage_hours(ctx, a->region, id, a->end);
        if (hours)
            json_object_set_new(a->ws, "UsageHours30d", hours);
    }
    char *arn = id ? arn_of(ctx, "workspaces", a->region, "workspace", id) : NULL;
    sink_resource(ctx->sink, "aws_workspaces_workspace", a->region, id, arn, json_incref(a->ws));
    free(arn);
}

/* The connection status entries by WorkspaceId (new reference), or NULL when the listing
 * failed (recorded). */
static json_t *connection_status(struct collect_ctx *ctx, const char *region)
{
    const char *keys[] = {"WorkspacesConnectionStatus"};
    json_t *out[1];
    json_t *by_id = NULL;
    if (collect_pages(ctx, "workspaces", region, "DescribeWorkspacesConnectionStatus", NULL, 0, &NEXT, keys,
                      out, 1) == 0) {
        by_id = json_object();
        size_t i;
        json_t *c;
        json_array_foreach(out[0], i, c)
        {
            const char *id = json_string_value(json_object_get(c, "WorkspaceId"));
            if (id)
                json_object_set(by_id, id, c);
        }
    }
    json_decref(out[0]);
    return by_id;
}

static void workspaces(struct collect_ctx *ctx, void *region)
{
    const char *keys[] = {"Workspaces"};
    json_t *out[1];
    if (collect_pages(ctx, "workspaces", region, "DescribeWorkspaces", NULL, 0, &NEXT, keys, out, 1) != 0 ||
        json_array_size(out[0]) == 0) {
        json_decref(out[0]);
        return;
    }
    json_t *status = connection_status(ctx, region);
    time_t end = time(NULL) / HOUR * HOUR; /* whole hours, as the metric's periods */
    size_t i;
    json_t *w;
    json_array_foreach(out[0], i, w)
    {
        /* the API leaves these out for an unencrypted volume */
        static const char *const flags[] = {"RootVolumeEncryptionEnabled", "UserVolumeEncryptionEnabled"};
        for (size_t f = 0; f < 2; f++)
            if (!json_is_boolean(json_object_get(w, flags[f])))
                json_object_set_new(w, flags[f], json_false());
        if (status) {
            const char *id = json_string_value(json_object_get(w, "WorkspaceId"));
            json_t *c = id ? json_object_get(status, id) : NULL;
            json_object_set_new(w, "ConnectionStatus", c ? json_incref(c) : json_null());
        }
        struct ws_arg *a = xcalloc(1, sizeof *a);
        a->region = xstrdup(region);
        a->ws = json_incref(w);
        a->end = end;
        collect_spawn(ctx, workspace_task, a, ws_arg_free);
    }
    json_decref(status);
    json_decref(out[0]);
}

void collect_workspaces(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, workspace_directories, region);
    collect_spawn_region(ctx, ds_directories, region);
    collect_spawn_region(ctx, workspaces, region);
}
