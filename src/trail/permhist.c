/*
 * permhist.c — the permission history (제5조③: every grant, change and revocation of access
 * rights, kept 3 years; 5 under the 2021 notice). Picks the IAM, Identity Center, SCP,
 * credential and S3 policy/ACL events out of the scan, then walks them in time order so each
 * policy change shows the document after it and, where an earlier event in the data holds
 * it, the document before (inline policies by owner and name, managed policy versions,
 * trust policies, bucket policies and ACLs, permission-set inline policies, SCPs).
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static const struct pevent {
    const char *source, *name;
    enum pcat cat;
} events[] = {
    {"iam", "AttachUserPolicy", PCAT_GRANT},
    {"iam", "AttachGroupPolicy", PCAT_GRANT},
    {"iam", "AttachRolePolicy", PCAT_GRANT},
    {"iam", "DetachUserPolicy", PCAT_REVOKE},
    {"iam", "DetachGroupPolicy", PCAT_REVOKE},
    {"iam", "DetachRolePolicy", PCAT_REVOKE},
    {"iam", "PutUserPolicy", PCAT_GRANT},
    {"iam", "PutGroupPolicy", PCAT_GRANT},
    {"iam", "PutRolePolicy", PCAT_GRANT},
    {"iam", "DeleteUserPolicy", PCAT_REVOKE},
    {"iam", "DeleteGroupPolicy", PCAT_REVOKE},
    {"iam", "DeleteRolePolicy", PCAT_REVOKE},
    {"iam", "CreatePolicy", PCAT_GRANT},
    {"iam", "CreatePolicyVersion", PCAT_CHANGE},
    {"iam", "DeletePolicy", PCAT_REVOKE},
    {"iam", "DeletePolicyVersion", PCAT_CHANGE},
    {"iam", "SetDefaultPolicyVersion", PCAT_CHANGE},
    {"iam", "AddUserToGroup", PCAT_GRANT},
    {"iam", "RemoveUserFromGroup", PCAT_REVOKE},
    {"iam", "CreateUser", PCAT_GRANT},
    {"iam", "DeleteUser", PCAT_REVOKE},
    {"iam", "CreateGroup", PCAT_GRANT},
    {"iam", "DeleteGroup", PCAT_REVOKE},
    {"iam", "CreateRole", PCAT_GRANT},
    {"iam", "DeleteRole", PCAT_REVOKE},
    {"iam", "UpdateAssumeRolePolicy", PCAT_CHANGE},
    {"iam", "PutUserPermissionsBoundary", PCAT_CHANGE},
    {"iam", "DeleteUserPermissionsBoundary", PCAT_CHANGE},
    {"iam", "PutRolePermissionsBoundary", PCAT_CHANGE},
    {"iam", "DeleteRolePermissionsBoundary", PCAT_CHANGE},
    {"iam", "AddRoleToInstanceProfile", PCAT_GRANT},
    {"iam", "RemoveRoleFromInstanceProfile", PCAT_REVOKE},
    {"iam", "CreateLoginProfile", PCAT_GRANT},
    {"iam", "UpdateLoginProfile", PCAT_CHANGE},
    {"iam", "DeleteLoginProfile", PCAT_REVOKE},
    {"iam", "CreateAccessKey", PCAT_GRANT},
    {"iam", "UpdateAccessKey", PCAT_CHANGE},
    {"iam", "DeleteAccessKey", PCAT_REVOKE},
    {"iam", "EnableMFADevice", PCAT_CHANGE},
    {"iam", "DeactivateMFADevice", PCAT_CHANGE},
    {"iam", "CreateVirtualMFADevice", PCAT_CHANGE},
    {"iam", "DeleteVirtualMFADevice", PCAT_CHANGE},
    {"sso", "CreateAccountAssignment", PCAT_GRANT},
    {"sso", "DeleteAccountAssignment", PCAT_REVOKE},
    {"sso", "CreatePermissionSet", PCAT_GRANT},
    {"sso", "DeletePermissionSet", PCAT_REVOKE},
    {"sso", "UpdatePermissionSet", PCAT_CHANGE},
    {"sso", "AttachManagedPolicyToPermissionSet", PCAT_GRANT},
    {"sso", "DetachManagedPolicyFromPermissionSet", PCAT_REVOKE},
    {"sso", "AttachCustomerManagedPolicyReferenceToPermissionSet", PCAT_GRANT},
    {"sso", "DetachCustomerManagedPolicyReferenceFromPermissionSet", PCAT_REVOKE},
    {"sso", "PutInlinePolicyToPermissionSet", PCAT_GRANT},
    {"sso", "DeleteInlinePolicyFromPermissionSet", PCAT_REVOKE},
    {"sso", "PutPermissionsBoundaryToPermissionSet", PCAT_CHANGE},
    {"sso", "DeletePermissionsBoundaryFromPermissionSet", PCAT_CHANGE},
    {"sso", "ProvisionPermissionSet", PCAT_CHANGE},
    {"organizations", "CreatePolicy", PCAT_GRANT},
    {"organizations", "UpdatePolicy", PCAT_CHANGE},
    {"organizations", "DeletePolicy", PCAT_REVOKE},
    {"organizations", "AttachPolicy", PCAT_CHANGE},
    {"organizations", "DetachPolicy", PCAT_CHANGE},
    {"s3", "PutBucketPolicy", PCAT_GRANT},
    {"s3", "DeleteBucketPolicy", PCAT_REVOKE},
    {"s3", "PutBucketAcl", PCAT_CHANGE},
    {"s3", "PutObjectAcl", PCAT_CHANGE},
    {"s3", "PutBucketPublicAccessBlock", PCAT_CHANGE},
    {"s3", "DeleteBucketPublicAccessBlock", PCAT_CHANGE},
    {"s3", "PutAccountPublicAccessBlock", PCAT_CHANGE},
    {"s3", "DeleteAccountPublicAccessBlock", PCAT_CHANGE},
};

/* Request fields that name what changed, in the order shown. */
static const char *target_fields[] = {"userName",
                                      "groupName",
                                      "roleName",
                                      "policyName",
                                      "policyArn",
                                      "instanceProfileName",
                                      "accessKeyId",
                                      "status",
                                      "serialNumber",
                                      "virtualMFADeviceName",
                                      "permissionsBoundary",
                                      "versionId",
                                      "setAsDefault",
                                      "bucketName",
                                      "key",
                                      "x-amz-acl",
                                      "instanceArn",
                                      "permissionSetArn",
                                      "managedPolicyArn",
                                      "principalType",
                                      "principalId",
                                      "targetType",
                                      "targetId",
                                      "policyId",
                                      "name",
                                      "type"};

static char *text_at(const struct trail_rec *r, const char *path)
{
    struct trail_val v = trail_get(r, path);
    return v.type == TRAIL_STRING ? trail_strdup(&v) : NULL;
}

/* A policy document as the event holds it: a JSON string (decoded; URL-encoded ones too),
 * or an object (S3 bucket policies, ACLs). NULL when absent. */
static char *doc_at(const struct trail_rec *r, const char *path)
{
    struct trail_val v = trail_get(r, path);
    if (v.type == TRAIL_OBJECT || v.type == TRAIL_ARRAY)
        return xstrndup(v.raw, v.len);
    if (v.type != TRAIL_STRING)
        return NULL;
    char *s = trail_strdup(&v);
    if (s[0] == '%') {
        char *w = s;
        for (const char *p = s; *p; p++) {
            if (p[0] == '%' && hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0) {
                *w++ = (char)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
                p += 2;
            } else
                *w++ = *p == '+' ? ' ' : *p;
        }
        *w = '\0';
    }
    return s;
}

static char *target_of(const struct trail_rec *r)
{
    struct strbuf sb;
    sb_init(&sb);
    char buf[1024];
    for (size_t i = 0; i < sizeof target_fields / sizeof *target_fields; i++) {
        char path[96];
        snprintf(path, sizeof path, "requestParameters.%s", target_fields[i]);
        struct trail_val v = trail_get(r, path);
        if (v.type == TRAIL_MISSING || v.type == TRAIL_NULL || v.type == TRAIL_OBJECT ||
            v.type == TRAIL_ARRAY)
            continue;
        trail_text(&v, buf, sizeof buf);
        sb_printf(&sb, "%s%s=%s", sb.len ? "; " : "", target_fields[i], buf);
    }
    /* what the response names: a new access key's id, a new policy's ARN */
    static const char *resp[][2] = {{"responseElements.accessKey.accessKeyId", "accessKeyId"},
                                    {"responseElements.policy.arn", "policyArn"},
                                    {"responseElements.policy.policySummary.id", "policyId"},
                                    {"responseElements.permissionSet.permissionSetArn", "permissionSetArn"}};
    for (size_t i = 0; i < sizeof resp / sizeof *resp; i++) {
        struct trail_val v = trail_get(r, resp[i][0]);
        if (v.type != TRAIL_STRING)
            continue;
        trail_text(&v, buf, sizeof buf);
        if (!strstr(sb.buf ? sb.buf : "", buf))
            sb_printf(&sb, "%s%s=%s", sb.len ? "; " : "", resp[i][1], buf);
    }
    return sb_detach(&sb);
}

/* key = prefix + the text at path (NULL when the path is absent). */
static char *key_at(const struct trail_rec *r, const char *prefix, const char *path)
{
    char *v = text_at(r, path);
    char *k = v ? xasprintf("%s%s", prefix, v) : NULL;
    free(v);
    return k;
}

static void inline_policy(struct pentry *e, const struct trail_rec *r, const char *kind, enum pop op)
{
    char owner_path[64];
    snprintf(owner_path, sizeof owner_path, "requestParameters.%sName", kind);
    char *owner = text_at(r, owner_path), *name = text_at(r, "requestParameters.policyName");
    if (owner && name)
        e->key = xasprintf("iam-inline:%s:%s:%s", kind, owner, name);
    free(owner);
    free(name);
    e->op = op;
    if (op == POP_SET)
        e->doc = doc_at(r, "requestParameters.policyDocument");
}

static void iam_policy(struct pentry *e, const struct trail_rec *r, const char *n)
{
    static const char *kinds[] = {"user", "group", "role"};
    static const char *kinds_uc[] = {"User", "Group", "Role"};
    for (int i = 0; i < 3; i++) {
        char put[32], del[32];
        snprintf(put, sizeof put, "Put%sPolicy", kinds_uc[i]);
        snprintf(del, sizeof del, "Delete%sPolicy", kinds_uc[i]);
        if (strcmp(n, put) == 0)
            return inline_policy(e, r, kinds[i], POP_SET);
        if (strcmp(n, del) == 0)
            return inline_policy(e, r, kinds[i], POP_DEL);
    }
    if (strcmp(n, "CreatePolicy") == 0) {
        e->key = key_at(r, "iam-managed:", "responseElements.policy.arn");
        e->doc = doc_at(r, "requestParameters.policyDocument");
        e->op = POP_CREATE_MANAGED;
    } else if (strcmp(n, "CreatePolicyVersion") == 0) {
        e->key = key_at(r, "iam-managed:", "requestParameters.policyArn");
        e->doc = doc_at(r, "requestParameters.policyDocument");
        e->version = text_at(r, "responseElements.policyVersion.versionId");
        struct trail_val d = trail_get(r, "requestParameters.setAsDefault");
        e->set_default = trail_eq(&d, "true", 1);
        e->op = POP_VERSION;
    } else if (strcmp(n, "SetDefaultPolicyVersion") == 0 || strcmp(n, "DeletePolicyVersion") == 0) {
        e->key = key_at(r, "iam-managed:", "requestParameters.policyArn");
        e->version = text_at(r, "requestParameters.versionId");
        e->op = n[0] == 'S' ? POP_SET_DEFAULT : POP_DEL_VERSION;
    } else if (strcmp(n, "DeletePolicy") == 0) {
        e->key = key_at(r, "iam-managed:", "requestParameters.policyArn");
        e->op = POP_DEL;
    } else if (strcmp(n, "CreateRole") == 0 || strcmp(n, "UpdateAssumeRolePolicy") == 0) {
        e->key = key_at(r, "iam-trust:", "requestParameters.roleName");
        e->doc = doc_at(r, n[0] == 'C' ? "requestParameters.assumeRolePolicyDocument"
                                       : "requestParameters.policyDocument");
        e->op = POP_SET;
    } else if (strcmp(n, "DeleteRole") == 0) {
        e->key = key_at(r, "iam-trust:", "requestParameters.roleName");
        e->op = POP_DEL;
    }
}

static void other_policy(struct pentry *e, const struct trail_rec *r, const char *svc, const char *n)
{
    if (strcmp(svc, "s3") == 0) {
        if (strcmp(n, "PutBucketPolicy") == 0 || strcmp(n, "DeleteBucketPolicy") == 0) {
            e->key = key_at(r, "s3-policy:", "requestParameters.bucketName");
            e->doc = n[0] == 'P' ? doc_at(r, "requestParameters.bucketPolicy") : NULL;
            e->op = n[0] == 'P' ? POP_SET : POP_DEL;
        } else if (strcmp(n, "PutBucketAcl") == 0) {
            e->key = key_at(r, "s3-acl:", "requestParameters.bucketName");
            e->doc = doc_at(r, "requestParameters.AccessControlPolicy");
            if (!e->doc)
                e->doc = doc_at(r, "requestParameters.x-amz-acl");
            e->op = POP_SET;
        } else if (strstr(n, "BucketPublicAccessBlock")) {
            e->key = key_at(r, "s3-pab:", "requestParameters.bucketName");
            e->doc = n[0] == 'P' ? doc_at(r, "requestParameters.PublicAccessBlockConfiguration") : NULL;
            e->op = n[0] == 'P' ? POP_SET : POP_DEL;
        } else if (strcmp(n, "PutObjectAcl") == 0) {
            e->doc = doc_at(r, "requestParameters.AccessControlPolicy");
            if (!e->doc)
                e->doc = doc_at(r, "requestParameters.x-amz-acl");
        }
    } else if (strcmp(svc, "sso") == 0) {
        if (strcmp(n, "PutInlinePolicyToPermissionSet") == 0 ||
            strcmp(n, "DeleteInlinePolicyFromPermissionSet") == 0) {
            e->key = key_at(r, "sso-inline:", "requestParameters.permissionSetArn");
            e->doc = n[0] == 'P' ? doc_at(r, "requestParameters.inlinePolicy") : NULL;
            e->op = n[0] == 'P' ? POP_SET : POP_DEL;
        }
    } else if (strcmp(svc, "organizations") == 0) {
        if (strcmp(n, "CreatePolicy") == 0)
            e->key = key_at(r, "org-policy:", "responseElements.policy.policySummary.id");
        else if (strcmp(n, "UpdatePolicy") == 0 || strcmp(n, "DeletePolicy") == 0)
            e->key = key_at(r, "org-policy:", "requestParameters.policyId");
        if (n[0] != 'D')
            e->doc = doc_at(r, "requestParameters.content");
        e->op = n[0] == 'D' ? POP_DEL : e->doc ? POP_SET : POP_NONE;
    }
}

static const struct pevent *find_event(const char *svc, const char *name)
{
    for (size_t i = 0; i < sizeof events / sizeof *events; i++)
        if (strcmp(events[i].name, name) == 0 && strcmp(events[i].source, svc) == 0)
            return &events[i];
    return NULL;
}

static void push(struct fstate *f, const struct pentry *e)
{
    if (f->npe == f->cappe) {
        f->cappe = f->cappe ? f->cappe * 2 : 16;
        f->pe = xrealloc(f->pe, f->cappe * sizeof *f->pe);
    }
    f->pe[f->npe++] = *e;
}

void permhist_record(struct fstate *f, const struct trail_rec *r, int64_t t)
{
    const struct trail_report_opts *o = f->c->o;
    char svc[64] = "", name[128] = "";
    struct trail_val v = trail_get(r, "eventName");
    if (v.type != TRAIL_STRING || (o->since && t < o->since) || (o->until && t >= o->until))
        return;
    trail_text(&v, name, sizeof name);
    v = trail_get(r, "eventSource");
    trail_text(&v, svc, sizeof svc);
    char *dot = strstr(svc, ".amazonaws.com");
    if (dot)
        *dot = '\0';
    const struct pevent *pe = find_event(svc, name);
    if (!pe)
        return;
    struct pentry e;
    memset(&e, 0, sizeof e);
    struct trail_who w;
    trail_person(r, &w);
    char arn[1024];
    trail_principal_arn(r, arn, sizeof arn);
    e.t = t;
    e.seq = (uint64_t)f->file << 40 | (r->index & ((1ull << 40) - 1));
    e.who = xstrdup(w.person);
    e.role = xstrdup(w.role);
    e.arn = xstrdup(arn);
    e.source = text_at(r, "vpcEndpointId");
    if (!e.source)
        e.source = text_at(r, "sourceIPAddress");
    e.account = text_at(r, "recipientAccountId");
    e.region = text_at(r, "awsRegion");
    e.service = xstrdup(svc);
    e.action = xstrdup(name);
    e.target = target_of(r);
    e.error = text_at(r, "errorCode");
    e.message = text_at(r, "errorMessage");
    e.cat = pe->cat;
    if (strcmp(svc, "iam") == 0)
        iam_policy(&e, r, name);
    else
        other_policy(&e, r, svc, name);
    push(f, &e);
}

void pentry_free(struct pentry *e)
{
    char *s[] = {e->who,    e->role,  e->arn,     e->source, e->account, e->region,  e->service, e->action,
                 e->target, e->error, e->message, e->doc,    e->key,     e->version, e->before,  e->after};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        free(s[i]);
}

/* ---- in time order: the documents before and after ---- */

static int cmp_pe(const void *pa, const void *pb)
{
    const struct pentry *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const char *version_doc(const struct strmap *m, const char *key, const char *ver)
{
    if (!key || !ver)
        return NULL;
    char *k = xasprintf("%s#%s", key, ver);
    const char *d = sm_get(m, k);
    free(k);
    return d;
}

static void set_version(struct strmap *m, const char *key, const char *ver, const char *doc)
{
    char *k = xasprintf("%s#%s", key, ver);
    sm_set(m, k, doc);
    free(k);
}

static void apply(struct strmap *m, struct pentry *e)
{
    const char *cur = e->key ? sm_get(m, e->key) : NULL;
    switch (e->op) {
    case POP_SET:
        e->before = xstrdup(cur);
        e->after = xstrdup(e->doc);
        if (e->key)
            sm_set(m, e->key, e->doc);
        if (e->before && e->cat == PCAT_GRANT)
            e->cat = PCAT_CHANGE; /* a Put over an earlier document replaces it */
        break;
    case POP_DEL:
        e->before = xstrdup(cur);
        if (e->key)
            sm_set(m, e->key, NULL);
        break;
    case POP_CREATE_MANAGED:
        e->after = xstrdup(e->doc);
        if (e->key) {
            sm_set(m, e->key, e->doc);
            set_version(m, e->key, "v1", e->doc);
        }
        break;
    case POP_VERSION:
        e->before = xstrdup(cur);
        e->after = xstrdup(e->doc);
        if (e->key && e->version)
            set_version(m, e->key, e->version, e->doc);
        if (e->key && e->set_default)
            sm_set(m, e->key, e->doc);
        break;
    case POP_SET_DEFAULT:
        e->before = xstrdup(cur);
        e->after = xstrdup(version_doc(m, e->key, e->version));
        if (e->key && e->after)
            sm_set(m, e->key, e->after);
        break;
    case POP_DEL_VERSION:
        e->before = xstrdup(version_doc(m, e->key, e->version));
        if (e->key && e->version)
            set_version(m, e->key, e->version, NULL);
        break;
    case POP_NONE: e->after = xstrdup(e->doc); break;
    }
}

void permhist_finish(struct rctx *c)
{
    if (c->npe)
        qsort(c->pe, c->npe, sizeof *c->pe, cmp_pe);
    struct strmap m = {0};
    for (size_t i = 0; i < c->npe; i++) {
        struct pentry *e = &c->pe[i];
        if (e->error)
            e->after = xstrdup(e->doc); /* what was attempted; nothing changed */
        else
            apply(&m, e);
    }
    sm_free(&m);
}
