/*
 * macie.c — the Amazon Macie collector for one region: aws_macie2_account, one per region
 * (id = the region), holding GetMacieSession's output (status ENABLED|PAUSED, createdAt,
 * updatedAt, findingPublishingFrequency, serviceRole), as docs/resources.md describes.
 *
 * Where Macie was never enabled AWS answers GetMacieSession with AccessDeniedException and
 * the message "Macie is not enabled." (some emulators say ResourceNotFoundException): both
 * are stored as "status": null. An AccessDeniedException with any other message — the IAM
 * or SCP denial, "User: ... is not authorized to perform: macie2:GetMacieSession" — is a real
 * failure and is recorded as an error, so the control reports `error`, never a verdict.
 */
#include "../util/util.h"
#include "collect.h"

static void session(struct collect_ctx *ctx, void *arg)
{
    const char *region = arg;
    static const char *const off[] = {"AccessDeniedException:Macie is not enabled",
                                      "ResourceNotFoundException", NULL};
    const char *hit;
    json_t *s = collect_call(ctx, "macie2", region, "GetMacieSession", NULL, 0, off, &hit);
    if (!s && !hit)
        return; /* recorded */
    sink_resource(ctx->sink, "aws_macie2_account", region, region, NULL,
                  s ? s : json_pack("{s:n}", "status"));
}

void collect_macie(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, session, region);
}
