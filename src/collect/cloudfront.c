/*
 * cloudfront.c — the CloudFront collector: aws_cloudfront_distribution (region `global`)
 * for every distribution, the DistributionSummary entries of ListDistributions. CloudFront
 * is a global service (src/aws/endpoint.c sends the call to its global endpoint whatever
 * region it is given; it is called with the home region). ListDistributions is rest-xml and
 * pages inside its DistributionList payload: Marker in the query, NextMarker and
 * IsTruncated in the answer.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"
#include "edge.h"

json_t *collect_distribution_data(const json_t *summary)
{
    json_t *data = json_deep_copy(summary);
    if (!json_is_object(data)) {
        json_decref(data);
        return json_object();
    }
    size_t i, k;
    json_t *origin, *h;
    json_array_foreach(json_object_get(json_object_get(data, "Origins"), "Items"), i, origin)
        json_array_foreach(json_object_get(json_object_get(origin, "CustomHeaders"), "Items"), k,
                           h) if (json_object_get(h, "HeaderValue"))
            json_object_set_new(h, "HeaderValue", json_string("REDACTED"));
    return data;
}

static void distributions(struct collect_ctx *ctx, void *region)
{
    char *marker = NULL;
    for (int page = 0; page < 100000; page++) {
        const char *p[] = {"?Marker", marker};
        json_t *v =
            collect_call(ctx, "cloudfront", region, "ListDistributions", p, marker ? 1 : 0, NULL, NULL);
        /* on a failed page (recorded) the distributions read so far are kept: the controls
         * report the listing error besides them */
        json_t *list = json_object_get(v, "DistributionList"), *d;
        size_t i;
        json_array_foreach(json_object_get(list, "Items"), i, d) sink_resource(
            ctx->sink, "aws_cloudfront_distribution", "global", json_string_value(json_object_get(d, "Id")),
            json_string_value(json_object_get(d, "ARN")), collect_distribution_data(d));
        const char *next = json_string_value(json_object_get(list, "NextMarker"));
        int again = json_is_true(json_object_get(list, "IsTruncated")) && next && *next &&
                    !(marker && strcmp(next, marker) == 0);
        free(marker);
        marker = again ? xstrdup(next) : NULL;
        json_decref(v);
        if (!marker)
            break;
    }
    free(marker);
}

void collect_cloudfront(struct collect_ctx *ctx) { collect_spawn_region(ctx, distributions, ctx->home); }
