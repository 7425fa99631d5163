/*
 * iam.c — the IAM collector (region "global"): the resource types aws_iam_account_summary,
 * aws_iam_password_policy, aws_iam_credential_report, aws_iam_user, aws_iam_group,
 * aws_iam_role and aws_iam_policy, shaped as docs/resources.md describes.
 *
 * GetAccountAuthorizationDetails gives users, groups, roles and customer-managed policies
 * (policy documents decoded) in a few pages; per user, MFA devices, access keys with their
 * last use, and the login profile are added. The credential report is generated, polled
 * until ready, base64-decoded and split into one resource per CSV row. The AWS-managed
 * policies attached in the account (ListPolicies OnlyAttached) are read with their default
 * version's document (GetPolicyVersion) as aws_iam_aws_managed_policy.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "collect.h"

#define G "global"

/* Every page of an IAM list operation (Marker in and out, IsTruncated). */
static int pages(struct collect_ctx *ctx, const char *op, const char **params, size_t nparams,
                 const char *const *keys, json_t **out, size_t nkeys)
{
    struct collect_paging pg = {"Marker", "Marker", "IsTruncated"};
    return collect_pages(ctx, "iam", ctx->home, op, params, nparams, &pg, keys, out, nkeys);
}

/* ---- credential report ---- */

/* One CSV field at *p (RFC 4180 quoting), advanced past its separator. */
static char *csv_field(const char **p, int *eol)
{
    struct strbuf sb;
    sb_init(&sb);
    const char *s = *p;
    if (*s == '"') {
        for (s++; *s; s++) {
            if (*s == '"' && s[1] == '"')
                sb_putc(&sb, '"'), s++;
            else if (*s == '"')
                break;
            else
                sb_putc(&sb, *s);
        }
        if (*s == '"')
            s++;
    }
    while (*s && *s != ',' && *s != '\n' && *s != '\r')
        sb_putc(&sb, *s++);
    *eol = *s != ',';
    if (*s == '\r')
        s++;
    if (*s)
        s++;
    *p = s;
    return sb_detach(&sb);
}

static void credential_report(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    json_t *v = NULL;
    const char *quiet[] = {"ReportInProgress", "ReportNotPresent", "ReportExpired", NULL}, *hit = NULL;
    for (int tries = 0; tries < 30; tries++) {
        json_t *g = collect_call(ctx, "iam", ctx->home, "GenerateCredentialReport", NULL, 0, NULL, NULL);
        if (!g)
            return;
        const char *state = json_string_value(json_object_get(g, "State"));
        int ready = state && strcmp(state, "COMPLETE") == 0;
        json_decref(g);
        if (ready && (v = collect_call(ctx, "iam", ctx->home, "GetCredentialReport", NULL, 0, quiet, &hit)))
            break;
        if (!hit && ready)
            return;                                 /* GetCredentialReport failed: recorded */
        long ms = tries < 4 ? 250L << tries : 2000; /* 0.25, 0.5, 1, 2, 2, ... s */
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!v) {
        sink_error(ctx->sink, "iam", G, "GetCredentialReport", "ReportNotReady",
                   "the credential report was not ready after a minute");
        return;
    }
    const char *b64 = json_string_value(json_object_get(v, "Content"));
    size_t len = b64 ? strlen(b64) : 0;
    unsigned char *csv = xmalloc(len / 4 * 3 + 4);
    int n = b64 ? EVP_DecodeBlock(csv, (const unsigned char *)b64, (int)len) : -1;
    if (n < 0) {
        sink_error(ctx->sink, "iam", G, "GetCredentialReport", "MalformedResponse", "Content is not base64");
        free(csv);
        json_decref(v);
        return;
    }
    while (n > 0 && csv[n - 1] == '\0') /* base64 padding decodes to NULs */
        n--;
    csv[n] = '\0';
    const char *p = (const char *)csv;
    json_t *header = json_array();
    int eol = 0;
    while (*p && !eol) {
        char *f = csv_field(&p, &eol);
        json_array_append_new(header, json_string(f));
        free(f);
    }
    while (*p) {
        json_t *row = json_object();
        for (size_t i = 0; *p; i++) {
            char *f = csv_field(&p, &eol);
            const char *k = json_string_value(json_array_get(header, i));
            if (k)
                json_object_set_new(row, k, json_string(f));
            free(f);
            if (eol)
                break;
        }
        const char *user = json_string_value(json_object_get(row, "user"));
        if (user && *user)
            sink_resource(ctx->sink, "aws_iam_credential_report", G, user,
                          json_string_value(json_object_get(row, "arn")), json_incref(row));
        json_decref(row);
    }
    json_decref(header);
    free(csv);
    json_decref(v);
}

/* ---- users ---- */

static void user_details(struct collect_ctx *ctx, json_t *user)
{
    const char *name = json_string_value(json_object_get(user, "UserName"));
    const char *params[] = {"UserName", name};
    json_t *list[1];
    const char *mfa_keys[] = {"MFADevices"}, *key_keys[] = {"AccessKeyMetadata"};
    if (pages(ctx, "ListMFADevices", params, 1, mfa_keys, list, 1) == 0)
        json_object_set_new(user, "MFADevices", list[0]);
    else
        json_decref(list[0]);
    if (pages(ctx, "ListAccessKeys", params, 1, key_keys, list, 1) == 0) {
        size_t i;
        json_t *k;
        json_array_foreach(list[0], i, k)
        {
            json_object_del(k, "UserName");
            const char *kp[] = {"AccessKeyId", json_string_value(json_object_get(k, "AccessKeyId"))};
            if (!kp[1])
                continue;
            json_t *lu = collect_call(ctx, "iam", ctx->home, "GetAccessKeyLastUsed", kp, 1, NULL, NULL);
            json_t *last = json_object_get(lu, "AccessKeyLastUsed");
            if (last)
                json_object_set(k, "LastUsed", last);
            json_decref(lu);
        }
        json_object_set_new(user, "AccessKeys", list[0]);
    } else {
        json_decref(list[0]);
    }
    const char *quiet[] = {"NoSuchEntity", NULL}, *hit;
    json_t *lp = collect_call(ctx, "iam", ctx->home, "GetLoginProfile", params, 1, quiet, &hit);
    if (lp) {
        json_t *prof = json_object_get(lp, "LoginProfile");
        json_object_del(prof, "UserName");
        json_object_set(user, "LoginProfile", prof ? prof : json_null());
        json_decref(lp);
    } else if (hit) {
        json_object_set_new(user, "LoginProfile", json_null()); /* no console password */
    }
}

/* One user: its details, then the resource. */
static void user_task(struct collect_ctx *ctx, void *user)
{
    user_details(ctx, user);
    sink_resource(ctx->sink, "aws_iam_user", G, json_string_value(json_object_get(user, "UserName")),
                  json_string_value(json_object_get(user, "Arn")), json_incref(user));
}

static void account(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    const char *acct = ctx->account_id;
    json_t *v = collect_call(ctx, "iam", ctx->home, "GetAccountSummary", NULL, 0, NULL, NULL);
    if (v) {
        sink_resource(ctx->sink, "aws_iam_account_summary", G, acct, NULL,
                      json_incref(json_object_get(v, "SummaryMap")));
        json_decref(v);
    }
    const char *quiet[] = {"NoSuchEntity", NULL}, *hit;
    if ((v = collect_call(ctx, "iam", ctx->home, "GetAccountPasswordPolicy", NULL, 0, quiet, &hit))) {
        sink_resource(ctx->sink, "aws_iam_password_policy", G, acct, NULL,
                      json_incref(json_object_get(v, "PasswordPolicy")));
        json_decref(v);
    }
}

static void authorization_details(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    const char *params[] = {"Filter.member.1", "User", "Filter.member.2", "Group",
                            "Filter.member.3", "Role", "Filter.member.4", "LocalManagedPolicy"};
    const char *keys[] = {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"};
    json_t *lists[4];
    if (pages(ctx, "GetAccountAuthorizationDetails", params, 4, keys, lists, 4) == 0) {
        size_t i;
        json_t *e;
        json_array_foreach(lists[0], i, e)
            collect_spawn(ctx, user_task, json_incref(e), collect_release_json);
        json_array_foreach(lists[1], i, e)
            sink_resource(ctx->sink, "aws_iam_group", G, json_string_value(json_object_get(e, "GroupName")),
                          json_string_value(json_object_get(e, "Arn")), json_incref(e));
        json_array_foreach(lists[2], i, e)
            sink_resource(ctx->sink, "aws_iam_role", G, json_string_value(json_object_get(e, "RoleName")),
                          json_string_value(json_object_get(e, "Arn")), json_incref(e));
        json_array_foreach(lists[3], i, e)
        {
            const char *arn = json_string_value(json_object_get(e, "Arn"));
            if (!json_string_value(json_object_get(e, "PolicyName")) && arn && strrchr(arn, '/'))
                json_object_set_new(e, "PolicyName",
                                    json_string(strrchr(arn, '/') + 1)); /* the ARN names it */
            sink_resource(ctx->sink, "aws_iam_policy", G, json_string_value(json_object_get(e, "PolicyName")),
                          arn, json_incref(e));
        }
    }
    for (int k = 0; k < 4; k++)
        json_decref(lists[k]);
}

/* One attached AWS-managed policy: its default version's document. */
static void aws_managed_policy(struct collect_ctx *ctx, void *arg)
{
    json_t *pol = arg;
    const char *arn = json_string_value(json_object_get(pol, "Arn"));
    const char *ver = json_string_value(json_object_get(pol, "DefaultVersionId"));
    const char *name = json_string_value(json_object_get(pol, "PolicyName"));
    if (!arn || !ver || !name)
        return;
    const char *params[] = {"PolicyArn", arn, "VersionId", ver};
    json_t *v = collect_call(ctx, "iam", ctx->home, "GetPolicyVersion", params, 2, NULL, NULL);
    if (!v)
        return;
    json_t *data = json_pack("{s:s, s:s, s:s, s:O*}", "PolicyName", name, "Arn", arn, "DefaultVersionId", ver,
                             "Document", json_object_get(json_object_get(v, "PolicyVersion"), "Document"));
    sink_resource(ctx->sink, "aws_iam_aws_managed_policy", G, name, arn, data);
    json_decref(v);
}

/* The AWS-managed policies attached to someone in the account: the IAM engine needs their
 * documents (GetAccountAuthorizationDetails gives only the customer-managed ones). */
static void aws_managed_policies(struct collect_ctx *ctx, void *unused)
{
    (void)unused;
    const char *params[] = {"Scope", "AWS", "OnlyAttached", "true"};
    const char *keys[] = {"Policies"};
    json_t *list;
    if (pages(ctx, "ListPolicies", params, 2, keys, &list, 1) == 0) {
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
            collect_spawn(ctx, aws_managed_policy, json_incref(e), collect_release_json);
    }
    json_decref(list);
}

void collect_iam(struct collect_ctx *ctx)
{
    collect_spawn(ctx, aws_managed_policies, NULL, NULL);
    collect_spawn(ctx, account, NULL, NULL);
    collect_spawn(ctx, credential_report, NULL, NULL);
    collect_spawn(ctx, authorization_details, NULL, NULL);
}
