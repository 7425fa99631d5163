/*
 * identity.c — where people and workloads may sign in from outside IAM:
 *
 *   aws_iam_saml_provider            every SAML identity provider (ListSAMLProviders; global)
 *   aws_iam_openid_connect_provider  every OIDC identity provider (ListOpenIDConnectProviders;
 *                                    global)
 *   aws_ssoadmin_instance            every IAM Identity Center instance that ListInstances
 *                                    shows in a region (an instance lives in one region)
 *
 * as docs/resources.md describes. None of these listings has a "not configured" error: an
 * empty list is none, and a failed listing is recorded so the controls report `error`.
 */
#include <string.h>

#include "../util/util.h"
#include "collect.h"

#define G "global"

/* ---- conversions (pure; the unit tests feed them recorded answers) ---- */

/* The part of an ARN after marker ("arn:aws:iam::1:saml-provider/Okta" -> "Okta"), or the
 * whole ARN when the marker is not there. */
static const char *after(const char *arn, const char *marker)
{
    const char *p = arn ? strstr(arn, marker) : NULL;
    return p && p[strlen(marker)] ? p + strlen(marker) : arn;
}

void collect_emit_identity_providers(struct collect_sink *sink, json_t *saml, json_t *oidc)
{
    size_t i;
    json_t *e;
    json_array_foreach(saml, i, e)
    {
        const char *arn = json_string_value(json_object_get(e, "Arn"));
        sink_resource(sink, "aws_iam_saml_provider", G, after(arn, ":saml-provider/"), arn, json_incref(e));
    }
    json_array_foreach(oidc, i, e)
    {
        const char *arn = json_string_value(json_object_get(e, "Arn"));
        sink_resource(sink, "aws_iam_openid_connect_provider", G, after(arn, ":oidc-provider/"), arn,
                      json_incref(e));
    }
}

void collect_emit_sso_instances(struct collect_sink *sink, const char *region, json_t *instances)
{
    size_t i;
    json_t *e;
    json_array_foreach(instances, i, e)
    {
        const char *arn = json_string_value(json_object_get(e, "InstanceArn"));
        sink_resource(sink, "aws_ssoadmin_instance", region, after(arn, ":instance/"), arn, json_incref(e));
    }
}

/* ---- tasks ---- */

static void providers(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    json_t *saml = collect_call(ctx, "iam", ctx->home, "ListSAMLProviders", NULL, 0, NULL, NULL);
    json_t *oidc = collect_call(ctx, "iam", ctx->home, "ListOpenIDConnectProviders", NULL, 0, NULL, NULL);
    collect_emit_identity_providers(ctx->sink, json_object_get(saml, "SAMLProviderList"),
                                    json_object_get(oidc, "OpenIDConnectProviderList"));
    json_decref(saml);
    json_decref(oidc);
}

static void sso_instances(struct collect_ctx *ctx, void *region)
{
    static const struct collect_paging pg = {"NextToken", "NextToken", NULL};
    const char *keys[] = {"Instances"};
    json_t *out[1];
    if (collect_pages(ctx, "sso-admin", region, "ListInstances", NULL, 0, &pg, keys, out, 1) == 0)
        collect_emit_sso_instances(ctx->sink, region, out[0]);
    json_decref(out[0]);
}

void collect_identity(struct collect_ctx *ctx) { collect_spawn(ctx, providers, NULL, NULL); }

void collect_sso_admin(struct collect_ctx *ctx, const char *region)
{
    collect_spawn_region(ctx, sso_instances, region);
}
