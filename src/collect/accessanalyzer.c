/*
 * accessanalyzer.c — the IAM Access Analyzer collector for one region:
 * aws_accessanalyzer_region, one per region, holding every analyzer ListAnalyzers returns
 * there (external-access ACCOUNT/ORGANIZATION analyzers and unused-access ones alike), as
 * docs/resources.md describes. A region whose listing failed has no resource (the failure
 * is recorded), so "no analyzer" is never confused with "could not look".
 */
#include "../util/util.h"
#include "collect.h"

json_t *collect_accessanalyzer_data(json_t *analyzers)
{
    json_t *list = json_is_array(analyzers) ? json_incref(analyzers) : json_array();
    return json_pack("{s:o}", "Analyzers", list);
}

static void analyzers(struct collect_ctx *ctx, void *region)
{
    /* rest-json: the token travels in the query string */
    static const struct collect_paging pg = {"?nextToken", "nextToken", NULL};
    const char *keys[] = {"analyzers"};
    json_t *out[1];
    if (collect_pages(ctx, "accessanalyzer", region, "ListAnalyzers", NULL, 0, &pg, keys, out, 1) == 0)
        sink_resource(ctx->sink, "aws_accessanalyzer_region", region, region, NULL,
                      collect_accessanalyzer_data(out[0]));
    json_decref(out[0]);
}

void collect_accessanalyzer(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, analyzers, region);
}
