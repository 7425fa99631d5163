/*
 * secretsmanager.c — the Secrets Manager collector for one region: aws_secretsmanager_secret
 * for every secret ListSecrets returns (not those scheduled for deletion), the entry as AWS
 * gives it: name, ARN, KMS key, rotation settings and dates, tags, owning service. Only
 * metadata: ansim never asks for a secret's value (GetSecretValue is not in the allow-list,
 * src/aws/allow.c), so no value can reach a snapshot.
 */
#include "collect.h"

static void secrets(struct collect_ctx *ctx, void *region)
{
    json_t *body = json_pack("{s:i}", "MaxResults", 100), *list;
    int rc = collect_json_pages(ctx, "secretsmanager", region, "ListSecrets", body, "NextToken", "NextToken",
                                "SecretList", &list);
    json_decref(body);
    if (rc == 0) {
        size_t i;
        json_t *s;
        json_array_foreach(list, i, s)
        {
            if (!json_object_get(s, "Tags")) /* AWS leaves the member out when there are none */
                json_object_set_new(s, "Tags", json_array());
            sink_resource(ctx->sink, "aws_secretsmanager_secret", region,
                          json_string_value(json_object_get(s, "Name")),
                          json_string_value(json_object_get(s, "ARN")), json_incref(s));
        }
    }
    json_decref(list);
}

void collect_secretsmanager(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, secrets, region);
}
