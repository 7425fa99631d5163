/*
 * monitoring.c — the monitoring collector for one region: CloudWatch Logs log groups with
 * their metric filters and tags (aws_cloudwatch_log_group), CloudWatch metric alarms
 * (aws_cloudwatch_metric_alarm) and SNS topics with their subscriptions (aws_sns_topic), as
 * docs/resources.md describes. Together they answer "does anyone hear about root use?":
 * trail -> log group -> metric filter -> metric -> alarm -> topic -> confirmed subscriber.
 *
 * The metric filters of a region are read in one paged listing and handed to their groups,
 * rather than one DescribeMetricFilters per group. Tags need one call per group, so each
 * group is finished (and emitted) by its own task.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

static const struct collect_paging LOGS_NEXT = {"nextToken", "nextToken", NULL};
static const struct collect_paging NEXT = {"NextToken", "NextToken", NULL};

/* ---- CloudWatch Logs ---- */

/* The group's ARN without the ":*" DescribeLogGroups appends to `arn` (tagging wants it
 * bare). A new string, or NULL. */
static char *group_arn(json_t *g)
{
    const char *a = json_string_value(json_object_get(g, "logGroupArn"));
    if (a)
        return xstrdup(a);
    a = json_string_value(json_object_get(g, "arn"));
    if (!a)
        return NULL;
    size_t n = strlen(a);
    return n > 2 && strcmp(a + n - 2, ":*") == 0 ? xstrndup(a, n - 2) : xstrdup(a);
}

/* Task: a group's tags (ListTagsForResource; the map becomes [{Key, Value}]), then emit it.
 * arg = {"region": ..., "group": {...}}. */
static void group_task(struct collect_ctx *ctx, void *arg)
{
    const char *region = json_string_value(json_object_get(arg, "region"));
    json_t *g = json_object_get(arg, "group");
    const char *name = json_string_value(json_object_get(g, "logGroupName"));
    char *arn = group_arn(g);
    if (arn) {
        static const char *const quiet[] = {"ResourceNotFoundException", NULL};
        const char *hit, *p[] = {"resourceArn", arn};
        json_t *t = collect_call(ctx, "logs", region, "ListTagsForResource", p, 1, quiet, &hit);
        if (hit) { /* deleted since it was listed */
            free(arn);
            return;
        }
        if (t) {
            json_t *tags = json_array(), *v;
            const char *k;
            json_object_foreach(json_object_get(t, "tags"), k, v)
                json_array_append_new(tags, json_pack("{s:s, s:O}", "Key", k, "Value", v));
            json_object_set_new(g, "Tags", tags);
            json_decref(t);
        }
    }
    sink_resource(ctx->sink, "aws_cloudwatch_log_group", region, name, arn, json_incref(g));
    free(arn);
}

static void log_groups(struct collect_ctx *ctx, void *region)
{
    const char *gk[] = {"logGroups"}, *fk[] = {"metricFilters"};
    json_t *groups[1], *filters[1];
    if (collect_pages(ctx, "logs", region, "DescribeLogGroups", NULL, 0, &LOGS_NEXT, gk, groups, 1)) {
        json_decref(groups[0]);
        return;
    }
    /* without the filters the groups are still worth having: MetricFilters stays absent,
     * which the controls read as "not collected" */
    int have_filters =
        collect_pages(ctx, "logs", region, "DescribeMetricFilters", NULL, 0, &LOGS_NEXT, fk, filters, 1) == 0;
    json_t *by_group = json_object();
    size_t i;
    json_t *f, *g;
    json_array_foreach(filters[0], i, f)
    {
        const char *gname = json_string_value(json_object_get(f, "logGroupName"));
        if (!gname)
            continue;
        json_t *list = json_object_get(by_group, gname);
        if (!list)
            json_object_set_new(by_group, gname, list = json_array());
        json_array_append(list, f);
    }
    json_array_foreach(groups[0], i, g)
    {
        const char *name = json_string_value(json_object_get(g, "logGroupName"));
        if (!name)
            continue;
        /* AWS leaves retentionInDays out for "never expire": say so explicitly, so that an
         * absent field keeps meaning "not collected" */
        if (!json_object_get(g, "retentionInDays"))
            json_object_set_new(g, "retentionInDays", json_null());
        if (have_filters) {
            json_t *mine = json_object_get(by_group, name);
            json_object_set_new(g, "MetricFilters", mine ? json_incref(mine) : json_array());
        }
        json_t *arg = json_pack("{s:s, s:O}", "region", (const char *)region, "group", g);
        collect_spawn(ctx, group_task, arg, collect_release_json);
    }
    json_decref(by_group);
    json_decref(filters[0]);
    json_decref(groups[0]);
}

/* ---- CloudWatch alarms ---- */

static void alarms(struct collect_ctx *ctx, void *region)
{
    /* metric alarms only (the default AlarmTypes): a log metric filter feeds a metric */
    const char *keys[] = {"MetricAlarms"};
    json_t *out[1];
    if (collect_pages(ctx, "cloudwatch", region, "DescribeAlarms", NULL, 0, &NEXT, keys, out, 1) == 0) {
        size_t i;
        json_t *a;
        json_array_foreach(out[0], i, a)
            sink_resource(ctx->sink, "aws_cloudwatch_metric_alarm", region,
                          json_string_value(json_object_get(a, "AlarmName")),
                          json_string_value(json_object_get(a, "AlarmArn")), json_incref(a));
    }
    json_decref(out[0]);
}

/* ---- SNS ---- */

/* Task: one topic's subscriptions. arg = {"region": ..., "arn": ...}. */
static void topic_task(struct collect_ctx *ctx, void *arg)
{
    const char *region = json_string_value(json_object_get(arg, "region"));
    const char *arn = json_string_value(json_object_get(arg, "arn"));
    const char *p[] = {"TopicArn", arn}, *keys[] = {"Subscriptions"};
    json_t *subs[1];
    json_t *data = json_pack("{s:s}", "TopicArn", arn);
    if (collect_pages(ctx, "sns", region, "ListSubscriptionsByTopic", p, 1, &NEXT, keys, subs, 1) == 0)
        json_object_set(data, "Subscriptions", subs[0]);
    json_decref(subs[0]);
    const char *name = strrchr(arn, ':');
    sink_resource(ctx->sink, "aws_sns_topic", region, name ? name + 1 : arn, arn, data);
}

static void topics(struct collect_ctx *ctx, void *region)
{
    const char *keys[] = {"Topics"};
    json_t *out[1];
    if (collect_pages(ctx, "sns", region, "ListTopics", NULL, 0, &NEXT, keys, out, 1) == 0) {
        size_t i;
        json_t *t;
        json_array_foreach(out[0], i, t)
        {
            const char *arn = json_string_value(json_object_get(t, "TopicArn"));
            if (arn)
                collect_spawn(ctx, topic_task,
                              json_pack("{s:s, s:s}", "region", (const char *)region, "arn", arn),
                              collect_release_json);
        }
    }
    json_decref(out[0]);
}

void collect_monitoring(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, log_groups, region);
    collect_spawn_region(ctx, alarms, region);
    collect_spawn_region(ctx, topics, region);
}
