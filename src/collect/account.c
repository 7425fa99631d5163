/*
 * account.c — account-wide settings of the AWS Account, Budgets and Cost Explorer APIs
 * (region "global"; the calls go to the home region and the endpoint layer sends them to
 * the partition's global endpoint):
 *
 *   aws_account_alternate_contact  the SECURITY alternate contact (GetAlternateContact);
 *                                  "none registered" (ResourceNotFoundException) is data:
 *                                  AlternateContact null
 *   aws_budgets_budget             every budget (DescribeBudgets); an account without any
 *                                  (NotFoundException, or an empty list) has none
 *   aws_ce_anomaly_monitor         every Cost Anomaly Detection monitor (GetAnomalyMonitors)
 *
 * as docs/resources.md describes. A failed call is recorded (the sink), so the controls that
 * need the data report `error`; absent budgets or monitors with no recorded error mean none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

#define G "global"

/* ---- conversions (pure; the unit tests feed them recorded answers) ---- */

json_t *collect_alternate_contact_data(const char *type, json_t *answer)
{
    json_t *c = json_object_get(answer, "AlternateContact");
    return json_pack("{s:s, s:O}", "AlternateContactType", type, "AlternateContact",
                     json_is_object(c) ? c : json_null());
}

void collect_emit_budgets(struct collect_sink *sink, const char *account_id, const char *partition,
                          json_t *budgets)
{
    size_t i;
    json_t *b;
    json_array_foreach(budgets, i, b)
    {
        const char *name = json_string_value(json_object_get(b, "BudgetName"));
        char *arn = name ? xasprintf("arn:%s:budgets::%s:budget/%s", partition, account_id, name) : NULL;
        sink_resource(sink, "aws_budgets_budget", G, name, arn, json_incref(b));
        free(arn);
    }
}

void collect_emit_anomaly_monitors(struct collect_sink *sink, json_t *monitors)
{
    size_t i;
    json_t *m;
    json_array_foreach(monitors, i, m)
    {
        const char *arn = json_string_value(json_object_get(m, "MonitorArn"));
        sink_resource(sink, "aws_ce_anomaly_monitor", G, arn, arn, json_incref(m));
    }
}

/* ---- tasks ---- */

static void security_contact(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    static const char *const quiet[] = {"ResourceNotFoundException", NULL};
    const char *hit = NULL;
    struct aws_call call = {"account", ctx->home, "GetAlternateContact",
                            NULL,      0,         "{\"AlternateContactType\":\"SECURITY\"}"};
    json_t *v = collect_request(ctx, &call, quiet, &hit);
    if (v || hit)
        sink_resource(ctx->sink, "aws_account_alternate_contact", G, "SECURITY", NULL,
                      collect_alternate_contact_data("SECURITY", v));
    json_decref(v);
}

/* DescribeBudgets pages by hand: its first page may say NotFoundException (no budget at all),
 * which collect_pages() would record as a failure. */
static void budgets(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    static const char *const quiet[] = {"NotFoundException", NULL};
    json_t *all = json_array();
    char *token = NULL;
    int ok = 1;
    for (int page = 0; page < 10000; page++) {
        const char *params[] = {"AccountId", ctx->account_id, "NextToken", token};
        const char *hit = NULL;
        json_t *v = collect_call(ctx, "budgets", ctx->home, "DescribeBudgets", params, token ? 2 : 1,
                                 page == 0 ? quiet : NULL, &hit);
        if (!v) {
            ok = hit != NULL; /* NotFoundException: none */
            break;
        }
        json_array_extend(all, json_object_get(v, "Budgets"));
        const char *next = json_string_value(json_object_get(v, "NextToken"));
        char *copy = next && *next && !(token && strcmp(next, token) == 0) ? xstrdup(next) : NULL;
        free(token);
        token = copy;
        json_decref(v);
        if (!token)
            break;
    }
    free(token);
    if (ok)
        collect_emit_budgets(ctx->sink, ctx->account_id, aws_partition(ctx->home), all);
    json_decref(all);
}

static void anomaly_monitors(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    static const struct collect_paging pg = {"NextPageToken", "NextPageToken", NULL};
    const char *keys[] = {"AnomalyMonitors"};
    json_t *out[1];
    if (collect_pages(ctx, "ce", ctx->home, "GetAnomalyMonitors", NULL, 0, &pg, keys, out, 1) == 0)
        collect_emit_anomaly_monitors(ctx->sink, out[0]);
    json_decref(out[0]);
}

void collect_account(struct collect_ctx *ctx)
{
    collect_spawn(ctx, security_contact, NULL, NULL);
    collect_spawn(ctx, budgets, NULL, NULL);
    collect_spawn(ctx, anomaly_monitors, NULL, NULL);
}
