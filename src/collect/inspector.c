/*
 * inspector.c — the Amazon Inspector collector for one region: aws_inspector2_enabler, one per
 * region (id = the region), holding this account's entry of BatchGetAccountStatus
 * (accountId, state {status, errorCode, errorMessage}, resourceState {ec2, ecr, lambda,
 * lambdaCode, codeRepository: {status, ...}}), as docs/resources.md describes.
 *
 * An account listed under failedAccounts is recorded as an error with Inspector's own error
 * code. An answer that lists the account nowhere (an emulator's answer where Inspector was
 * never turned on) is stored as "state": null, "resourceState": null: nothing is scanning.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "collect.h"

/* The element of list whose accountId is account, or NULL. */
static json_t *entry_for(json_t *list, const char *account)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "accountId"));
        if (id && strcmp(id, account) == 0)
            return e;
    }
    return NULL;
}

static void status(struct collect_ctx *ctx, void *arg)
{
    const char *region = arg;
    json_t *req = json_pack("{s:[s]}", "accountIds", ctx->account_id);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    struct aws_call call = {"inspector2", region, "BatchGetAccountStatus", NULL, 0, body};
    json_t *v = collect_request(ctx, &call, NULL, NULL);
    free(body);
    if (!v)
        return; /* recorded */
    json_t *mine = entry_for(json_object_get(v, "accounts"), ctx->account_id);
    json_t *failed = entry_for(json_object_get(v, "failedAccounts"), ctx->account_id);
    if (mine) {
        sink_resource(ctx->sink, "aws_inspector2_enabler", region, region, NULL, json_incref(mine));
    } else if (failed) {
        const char *code = json_string_value(json_object_get(failed, "errorCode"));
        const char *msg = json_string_value(json_object_get(failed, "errorMessage"));
        sink_error(ctx->sink, "inspector2", region, "BatchGetAccountStatus", code ? code : "FailedAccount",
                   msg ? msg : "the account is listed under failedAccounts");
    } else {
        sink_resource(ctx->sink, "aws_inspector2_enabler", region, region, NULL,
                      json_pack("{s:s, s:n, s:n}", "accountId", ctx->account_id, "state", "resourceState"));
    }
    json_decref(v);
}

void collect_inspector(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, status, region);
}
